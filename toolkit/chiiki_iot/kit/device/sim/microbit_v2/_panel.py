"""What a virtual micro:bit shows and plays, for the host's picture of the board.

The host's board view (``chiiki_iot.kit.microbit_view``) reads the file ``/.kit/panel``
(in the kit's host folder) while a program runs, without using the REPL. Writing it costs
a seek and a write (unbuffered, no flush: the host reads the same file through the same
kernel, and MicroPython's ``flush`` is an fsync).

* bytes 0..31, the LEDs, rewritten at every change: ``b"L"``, a sequence number (4 bytes,
  little endian), 25 brightness values (row by row), 1 if the display is on, and the low
  byte of the sequence number again (a reader that sees two different ones reads again);
* from byte 32, one line of JSON: ``{"n": k, "text": [led seq, kind, text] or null,
  "snd": [[no, kind, a, b], ...], "m": k}``: the last text shown (``show``/``scroll``) and
  the last ``KEEP`` sounds, numbered from 1 (``note``: name such as ``"c4"`` and ms;
  ``pitch``: Hz and ms; ``sound``: a built-in sound's name; ``effect``: [Hz from, Hz to]
  and ms).

A new interpreter (a reset) truncates the file, so the host sees the board start afresh.
"""
import json

import uos

_WORLD = uos.getenv("CHIIKI_KIT_WORLD") or ""
PATH = _WORLD.rsplit("/", 1)[0] + "/panel" if "/" in _WORLD else ""
INFO_AT = 32
TEXT_MAX = 80
KEEP = 8

_f = None
_ok = bool(PATH)
_led = bytearray(32)
_led[0] = 76  # "L"
_seq = 0
_n = 0
_text = None
_sounds = []
_sound_no = 0


def _file():
    global _f, _ok
    if _f is None and _ok:
        try:
            _f = open(PATH, "wb", 0)  # unbuffered under the CPython fallback; MicroPython ignores it
        except OSError:
            _ok = False  # not on a virtual kit's folder: keep quiet
    return _f


def leds(image, on):
    """The display now shows ``image`` (a 5x5 ``Image``; a larger one is cut to 5x5)."""
    global _seq
    f = _file()
    if f is None:
        return _seq
    _seq += 1
    s = _seq
    b = _led
    b[1] = s & 0xFF
    b[2] = (s >> 8) & 0xFF
    b[3] = (s >> 16) & 0xFF
    b[4] = (s >> 24) & 0xFF
    if image._w == 5 and image._h == 5:
        b[5:30] = image._px
    else:
        for y in range(5):
            for x in range(5):
                b[5 + 5 * y + x] = image._px[y * image._w + x] if x < image._w and y < image._h else 0
    b[30] = 1 if on else 0
    b[31] = s & 0xFF
    try:
        f.seek(0)
        f.write(b)
    except OSError:
        pass
    return s


def _write_info():
    global _n
    f = _file()
    if f is None:
        return
    _n += 1
    line = '{"n":%d,"text":%s,"snd":%s,"m":%d}\n' % (_n, json.dumps(_text), json.dumps(_sounds), _n)
    try:
        f.seek(INFO_AT)
        f.write(line.encode())
    except OSError:
        pass


def text(kind, s, image, on):
    """The display shows (``kind`` = ``"show"``) or scrolls (``"scroll"``) the text ``s``."""
    global _text
    seq = leds(image, on)
    _text = [seq, kind, str(s)[:TEXT_MAX]]
    _write_info()


def sound(kind, a, b=None):
    """A sound starts: see the module's docstring for ``kind``, ``a`` and ``b``."""
    global _sound_no
    if _file() is None:
        return
    _sound_no += 1
    _sounds.append([_sound_no, kind, a, b])
    if len(_sounds) > KEEP:
        _sounds.pop(0)
    _write_info()
