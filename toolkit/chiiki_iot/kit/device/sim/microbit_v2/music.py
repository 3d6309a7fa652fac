"""``music`` of a virtual micro:bit: notes take their time; ``played`` keeps (note, ms).

Each note (not a rest) and each pitch is also written for the host's picture of the board
(``_panel``), which plays it in the browser."""
import _panel
import time

DADADADUM = ["r4:2", "g", "g", "g", "eb:8", "r:2", "f", "f", "f", "d:8"]
BA_DING = ["b5:1", "e6:3"]
JUMP_UP = ["c5:1", "d", "e", "f", "g"]
JUMP_DOWN = ["g5:1", "f", "e", "d", "c"]
POWER_UP = ["g4:1", "c5", "e", "g:2", "e:1", "g:3"]
POWER_DOWN = ["g5:1", "d#", "c", "g4:2", "b:1", "c5:3"]

played = []
_ticks, _bpm = 4, 120
_octave, _duration = 4, 4


def set_tempo(ticks=4, bpm=120):
    global _ticks, _bpm
    _ticks, _bpm = ticks, bpm


def get_tempo():
    return _ticks, _bpm


def reset():
    global _octave, _duration
    set_tempo()
    _octave, _duration = 4, 4


def _parse(note):
    global _octave, _duration
    if ":" in note:
        note, d = note.split(":")
        _duration = int(d)
    name = note.rstrip("0123456789")
    if len(name) < len(note):
        _octave = int(note[len(name):])
    return name.lower() + ("" if name.lower() == "r" else str(_octave)), _duration * 60000 // (_bpm * _ticks)


def play(music, pin=None, wait=True, loop=False):
    if isinstance(music, str):
        music = [music]
    for n in music:
        note, ms = _parse(n)
        played.append((note, ms))
        if not note.startswith("r"):
            _panel.sound("note", note, ms)
        if wait:
            time.sleep_ms(ms)


def pitch(frequency, duration=-1, pin=None, wait=True):
    played.append((int(frequency), duration))
    _panel.sound("pitch", int(frequency), duration)
    if wait and duration > 0:
        time.sleep_ms(duration)


def stop(pin=None):
    pass
