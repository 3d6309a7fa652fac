"""A micro:bit on the screen: LEDs that change as the program runs, buttons a child can press.

    from chiiki_iot.kit import connect
    from chiiki_iot.kit.microbit_view import show_board
    board = connect("virtual"); show_board(board)      # the picture of the board, live

``MicrobitView(board)`` is an ipywidgets box (no JavaScript to build) showing

* the 5x5 LEDs, large, brightness 0-9 as shades, updated while a program runs
  (``board.start``) and after every ``board.exec``;
* buttons A / B and the logo, tilt (left-right, front-back), shake, light level and
  temperature: each reaches the program on the virtual board (``button_a.was_pressed()``,
  ``get_presses()``, ``is_pressed()``, ``pin_logo.is_touched()``, ``accelerometer``,
  ``display.read_light_level()``, ``temperature()``) the way the sliders of
  ``widgets`` do;
* every state also as short Japanese text for a screen reader (``view.text``: the LEDs in
  words and as 5 rows of ●○, and the last event such as 「ボタンA を おしました」 or
  「音: 1こ 鳴りました → ド（c4） 0.5秒」; the ICT club's ``kit.club`` says the board in the
  same words);
* sound: what the board plays (``music``, ``audio``) is played in the browser (a WAV made
  here, in an ``Audio`` widget).

How it sees the board: a virtual micro:bit writes its display and sounds to a small file
in the kit's folder at every change (``device/sim/microbit_v2/_panel.py``), which a
background thread reads ``interval`` times per second, without using the board's REPL, so
it also works while a program runs. A real micro:bit (or a virtual one served by another
process) is read with ``board.eval`` of the display's pixels while it is idle, from the
notebook's own event loop (so it never interrupts a cell's conversation with the board);
its controls are greyed out: press the real buttons. The polling stops when the view is
closed (``view.close()``), when the board is closed, or when a new view of the same board
is made (running a cell again).
"""
from __future__ import annotations

import ast
import io
import json
import math
import struct
import threading
import wave
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import ipywidgets as w

from .errors import KitError
from .scenario import QUANTITIES, Constant, Pulses
from .widgets import press, set_world

if TYPE_CHECKING:  # pragma: no cover
    from .board import Board

MICROBIT_SIM = Path(__file__).resolve().parent / "device" / "sim" / "microbit_v2"
PANEL_FILE = "panel"  # in the kit's host folder (``/.kit/panel`` on the board)
INFO_AT = 32

# ---------------------------------------------------------------------------- state


@dataclass(frozen=True)
class SoundEvent:
    """A sound the board started: ``kind`` note / pitch / sound / effect (see ``_panel``)."""

    no: int
    kind: str
    a: object
    ms: int | None = None


@dataclass(frozen=True)
class BoardState:
    """What the board shows: 5 rows of 5 brightness values (0-9), on/off, text, sounds."""

    leds: tuple[tuple[int, ...], ...] = ((0,) * 5,) * 5
    on: bool = True
    text: str | None = None  # a text being shown or scrolled, instead of an image
    text_kind: str = ""  # "show" or "scroll"
    sounds: tuple[SoundEvent, ...] = field(default=(), compare=False)
    seq: int = field(default=0, compare=False)

    @property
    def lit(self) -> int:
        """How many LEDs are on."""
        return sum(1 for row in self.leds for v in row if v) if self.on else 0

    def rows(self) -> list[str]:
        """The rows as digits, like ``Image`` rows: ``["09090", ...]``."""
        return ["".join(str(v) for v in row) for row in self.leds]


def _leds_from(flat) -> tuple[tuple[int, ...], ...]:
    flat = [max(0, min(9, int(v))) for v in flat]
    return tuple(tuple(flat[5 * y:5 * y + 5]) for y in range(5))


def read_panel(path: str | Path) -> BoardState | None:
    """The state a virtual micro:bit wrote to its panel file (``None`` if there is none yet).

    A record caught in the middle of a write is read again (a few times).
    """
    for _ in range(5):
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        if len(data) < INFO_AT:
            return BoardState()  # the board has just started: nothing shown yet
        if data[0] != ord("L") or data[31] != data[1]:
            continue
        seq = int.from_bytes(data[1:5], "little")
        line = data[INFO_AT:].split(b"\n", 1)[0]
        info: dict = {}
        if line.strip(b"\x00 "):
            try:
                info = json.loads(line.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            if info.get("n") != info.get("m"):
                continue
        text = info.get("text")
        shows_text = bool(text) and text[0] == seq
        sounds = tuple(SoundEvent(int(s[0]), str(s[1]), s[2], s[3]) for s in info.get("snd") or ())
        return BoardState(_leds_from(data[5:30]), bool(data[30]), text[2] if shows_text else None,
                          text[1] if shows_text else "", sounds, seq)
    return None


EVAL_DISPLAY = ("(lambda d: ([d.get_pixel(x, y) for y in range(5) for x in range(5)], d.is_on()))"
                "(__import__('microbit').display)")


def read_by_eval(board: "Board") -> BoardState | None:
    """The display of an idle micro:bit, asked over its REPL (``None`` while a program runs)."""
    if board.running:
        return None
    pixels, on = board.eval(EVAL_DISPLAY)
    return BoardState(_leds_from(pixels), bool(on))


@dataclass(frozen=True)
class Shown:
    """What a virtual micro:bit showed and played since an earlier look (``read_shown``)."""

    texts: tuple[tuple[str, str], ...] = ()  # (``"show"`` or ``"scroll"``, the text)
    sounds: tuple[SoundEvent, ...] = ()  # ``music`` first, then ``audio``
    mark: tuple[int, int, int] = (0, 0, 0)  # give it to the next ``read_shown``


EVAL_SHOWN_COUNTS = ("(lambda d, m, a: (len(d.history), len(m.played), len(a.played)))"
                     "(__import__('microbit').display, __import__('music'), __import__('audio'))")
EVAL_SHOWN = ("(lambda d, m, a: ([(k, w) for k, w in d.history[{0}:] if k != 'image'], m.played[{1}:],"
              " [s if isinstance(s, str) else [s.freq_start, s.freq_end, s.duration] for s in a.played[{2}:]]))"
              "(__import__('microbit').display, __import__('music'), __import__('audio'))")


def read_shown(board: "Board", since: tuple[int, int, int] = (0, 0, 0)) -> Shown:
    """The texts a virtual micro:bit showed or scrolled (``display.history``) and the sounds it
    played (``music.played``, ``audio.played``) after ``since``, the ``mark`` of an earlier
    ``Shown`` (all of them for a board that was reset since). Asked over the REPL: idle boards only.
    """
    counts = tuple(board.eval(EVAL_SHOWN_COUNTS))
    if any(n < s for n, s in zip(counts, since)):
        since = (0, 0, 0)  # the board was reset: its lists started again
    texts, notes, effects = board.eval(EVAL_SHOWN.format(*since))
    sounds = [SoundEvent(0, "pitch" if isinstance(a, (int, float)) else "note", a, ms) for a, ms in notes]
    sounds += [SoundEvent(0, "sound", e) if isinstance(e, str) else SoundEvent(0, "effect", e[:2], e[2])
               for e in effects]
    numbered = tuple(SoundEvent(sum(since[1:]) + i, s.kind, s.a, s.ms) for i, s in enumerate(sounds, 1))
    kinds = {"text": "show"}  # ``display.history`` says "text" for a text shown
    return Shown(tuple((kinds.get(k, k), str(t)) for k, t in texts), numbered, counts)


# ---------------------------------------------------------------------------- words

def _device_images() -> dict[str, str]:
    """``Image.HEART`` ... as rows ("09090:99999:..."), read from the board's own module."""
    tree = ast.parse((MICROBIT_SIM / "microbit" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_IMAGES":
            return ast.literal_eval(node.value)
    return {}


IMAGE_WORDS = {
    "HEART": "ハート", "HEART_SMALL": "小さいハート", "HAPPY": "にこにこの顔", "SMILE": "わらった口",
    "SAD": "かなしい顔", "CONFUSED": "こまった顔", "ANGRY": "おこった顔", "ASLEEP": "ねている顔",
    "SURPRISED": "びっくりした顔", "SILLY": "ふざけた顔", "FABULOUS": "サングラスの顔", "MEH": "つまらない顔",
    "YES": "チェック（はい）", "NO": "バツ（いいえ）", "SQUARE": "四角", "SQUARE_SMALL": "小さい四角",
    "TRIANGLE": "三角", "TRIANGLE_LEFT": "左むきの三角", "DIAMOND": "ダイヤ", "DIAMOND_SMALL": "小さいダイヤ",
    "TARGET": "まと", "CHESSBOARD": "チェックもよう",
    "ARROW_N": "上むきのやじるし", "ARROW_S": "下むきのやじるし", "ARROW_E": "右むきのやじるし",
    "ARROW_W": "左むきのやじるし", "ARROW_NE": "右上むきのやじるし", "ARROW_NW": "左上むきのやじるし",
    "ARROW_SE": "右下むきのやじるし", "ARROW_SW": "左下むきのやじるし",
}
_SHAPES: dict[tuple[str, ...], str] | None = None


def image_name(state: BoardState) -> str | None:
    """The Japanese name of a built-in image the LEDs show (lit or not: brightness aside)."""
    global _SHAPES
    if _SHAPES is None:
        _SHAPES = {}
        for name, rows in _device_images().items():
            key = tuple("".join("1" if c != "0" else "0" for c in r) for r in rows.split(":"))
            _SHAPES.setdefault(key, IMAGE_WORDS.get(name, name))
    key = tuple("".join("1" if c != "0" else "0" for c in r) for r in state.rows())
    return _SHAPES.get(key)


def rows_text(state: BoardState) -> list[str]:
    """The 5 rows as ● (bright), ◐ (dim: 1-4) and ○ (off)."""
    return ["".join("●" if v >= 5 and state.on else "◐" if v and state.on else "○" for v in row)
            for row in state.leds]


def describe_leds(state: BoardState) -> str:
    """One short sentence a screen reader reads (simple words, spaced for a 9-year-old).

    >>> heart = BoardState(_leds_from(int(c) for c in "0909099999999990999000900"))
    >>> describe_leds(heart)
    'LED: ハートの形です（25こ のうち 16こ が ついています）'
    >>> rows_text(heart)[:2]
    ['○●○●○', '●●●●●']
    >>> describe_leds(BoardState())
    'LED: ぜんぶ きえています'
    >>> describe_leds(BoardState(text="Hi", text_kind="scroll"))
    'LED: 文字「Hi」を 流しています'
    """
    if not state.on:
        return "LED: 画面が オフです"
    if state.text is not None:
        return f"LED: 文字「{state.text}」を {TEXT_VERBS.get(state.text_kind, TEXT_VERBS['show'])[0]}"
    if state.lit == 0:
        return "LED: ぜんぶ きえています"
    name = image_name(state)
    count = "25こ ぜんぶ ついています" if state.lit == 25 else f"25こ のうち {state.lit}こ が ついています"
    return f"LED: {name}の形です（{count}）" if name else f"LED: {count}"


TEXT_VERBS = {"show": ("出しています", "出しました"), "scroll": ("流しています", "流しました")}


def describe_text(kind: str, text: str) -> str:
    """A text the board showed (``kind`` ``"show"``) or scrolled (``"scroll"``), said afterwards.

    >>> describe_text("scroll", "Hi")
    '文字: 「Hi」を 流しました（2文字）'
    """
    return f"文字: 「{text}」を {TEXT_VERBS.get(kind, TEXT_VERBS['show'])[1]}（{len(text)}文字）"


NOTE_WORDS = ["ド", "ド♯", "レ", "レ♯", "ミ", "ファ", "ファ♯", "ソ", "ソ♯", "ラ", "ラ♯", "シ"]
_SEMITONE = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
SOUND_WORDS = {
    "giggle": "くすくす笑う音", "happy": "うれしい音", "hello": "こんにちはの音", "mysterious": "ふしぎな音",
    "sad": "かなしい音", "slide": "すべる音", "soaring": "空にのぼる音", "spring": "ばねの音",
    "twinkle": "きらきらの音", "yawn": "あくびの音",
}
# a built-in sound as a sweep (Hz from, Hz to, ms): not the real sound, a recognisable stand-in
SOUND_SWEEPS = {
    "giggle": (700, 900, 500), "happy": (440, 880, 400), "hello": (500, 1000, 350),
    "mysterious": (300, 500, 900), "sad": (600, 300, 700), "slide": (900, 300, 500),
    "soaring": (300, 1500, 900), "spring": (400, 1200, 300), "twinkle": (1200, 1800, 600),
    "yawn": (500, 200, 900),
}


def note_hz(note: str) -> float | None:
    """``"c4"`` -> 261.6, ``"eb5"``, ``"f#3"`` (micro:bit ``music`` names); ``None`` for a rest."""
    note = note.lower()
    if not note or note[0] not in _SEMITONE:
        return None
    octave_at = len(note.rstrip("0123456789"))
    octave = int(note[octave_at:] or 4)
    semi = _SEMITONE[note[0]] + note[1:octave_at].count("#") - note[1:octave_at].count("b")
    midi = 12 * (octave + 1) + semi
    return 440.0 * 2 ** ((midi - 69) / 12)


def note_word(hz: float) -> str | None:
    """ド・レ・ミ... of the nearest note (within a quarter tone), with 低い/高い by octave."""
    if hz <= 0:
        return None
    midi = 69 + 12 * math.log2(hz / 440.0)
    nearest = round(midi)
    if abs(midi - nearest) > 0.25:
        return None
    octave = nearest // 12 - 1
    word = NOTE_WORDS[nearest % 12]
    prefix = {3: "低い", 5: "高い"}.get(octave, "とても低い" if octave < 3 else "とても高い" if octave > 5 else "")
    return prefix + word


def sound_hz(sound: SoundEvent) -> tuple[float, float] | None:
    """The sound as a tone or a sweep (Hz from, Hz to), ``None`` if it makes no tone."""
    if sound.kind == "note":
        hz = note_hz(str(sound.a))
        return (hz, hz) if hz else None
    if sound.kind == "pitch":
        return (float(sound.a), float(sound.a)) if float(sound.a) > 0 else None
    if sound.kind == "effect":
        a, b = sound.a
        return float(a), float(b)
    if sound.kind == "sound":
        f0, f1, _ = SOUND_SWEEPS.get(str(sound.a), (500, 800, 500))
        return float(f0), float(f1)
    return None


def describe_sound(sound: SoundEvent) -> str:
    """The sound in words, for a screen reader: a note by its name in the program, a pitch by
    its Hz, then how long it lasts.

    >>> describe_sound(SoundEvent(1, "note", "c4", 500))
    '音: ド（c4） 0.5秒'
    >>> describe_sound(SoundEvent(2, "pitch", 880, 200))
    '音: 高いラ（880Hz） 0.2秒'
    >>> describe_sound(SoundEvent(3, "pitch", 450, 1000))
    '音: 450Hz の音 1秒'
    >>> describe_sound(SoundEvent(4, "note", "r4", 250))
    '音: 休み 0.25秒'
    >>> describe_sound(SoundEvent(5, "sound", "happy"))
    '音: うれしい音'
    """
    if sound.kind == "sound":
        return f"音: {SOUND_WORDS.get(str(sound.a), str(sound.a))}"
    hz = sound_hz(sound)
    if hz is None:
        words = "休み"
    elif sound.kind == "effect":
        words = f"{round(hz[0])}Hz から {round(hz[1])}Hz へ 変わる音"
    else:
        word = note_word(hz[0])
        named = sound.a if sound.kind == "note" else f"{round(hz[0])}Hz"
        words = f"{word}（{named}）" if word else f"{named} の音"
    ms = sound.ms
    return f"音: {words} {ms / 1000:g}秒" if isinstance(ms, (int, float)) and ms > 0 else f"音: {words}"


def describe_sounds(sounds, most: int = 12) -> str:
    """Several sounds in one line, the first ``most`` named.

    >>> describe_sounds([SoundEvent(1, "note", "c4", 500), SoundEvent(2, "note", "e4", 500)])
    '音: 2こ 鳴りました → ド（c4） 0.5秒、ミ（e4） 0.5秒'
    """
    sounds = list(sounds)
    words = [describe_sound(s).removeprefix("音: ") for s in sounds[:most]]
    more = f" …ほか {len(sounds) - most}こ" if len(sounds) > most else ""
    return f"音: {len(sounds)}こ 鳴りました → " + "、".join(words) + more


# ---------------------------------------------------------------------------- sound

RATE = 22050


def sound_wav(sounds, *, volume: float = 0.3, longest_ms: int = 2000) -> bytes:
    """A WAV (16-bit mono) of ``sounds`` one after another: square waves, as a micro:bit's
    speaker sounds; sweeps for effects and built-in sounds. Each lasts its own ms
    (``longest_ms`` at most; 500 ms when it has none)."""
    frames = bytearray()
    for s in sounds:
        hz = sound_hz(s)
        ms = s.ms if isinstance(s.ms, (int, float)) and s.ms > 0 else 500
        if s.kind == "sound":
            ms = SOUND_SWEEPS.get(str(s.a), (0, 0, 500))[2]
        n = int(RATE * min(ms, longest_ms) / 1000)
        fade = min(n // 2, int(RATE * 0.005))
        phase = 0.0
        for i in range(n):
            if hz is None:
                v = 0.0
            else:
                f = hz[0] + (hz[1] - hz[0]) * i / max(1, n - 1)
                phase += f / RATE
                v = volume if (phase % 1.0) < 0.5 else -volume
                if i < fade:
                    v *= i / fade
                elif i >= n - fade:
                    v *= (n - i) / fade
            frames += struct.pack("<h", int(v * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes(bytes(frames))
    return out.getvalue()


# ---------------------------------------------------------------------------- the widget

THEMES = {  # (LED off, LED fully on, board, off LED's rim)
    "red": ((0x33, 0x33, 0x33), (0xFF, 0x30, 0x30), "#111111", "#777777"),
    "yellow": ((0x26, 0x26, 0x26), (0xFF, 0xE6, 0x00), "#000000", "#ffffff"),  # high contrast
}
_VIEWS: "weakref.WeakKeyDictionary[Board, MicrobitView]" = weakref.WeakKeyDictionary()


def _shade(v: int, theme: str) -> str:
    off, on, _, _ = THEMES[theme]
    k = (v / 9) ** 0.7 if v else 0.0
    return "#%02x%02x%02x" % tuple(round(a + (b - a) * k) for a, b in zip(off, on))


class MicrobitView(w.VBox):
    """The board on the screen (see the module docstring). Display it in a notebook cell.

    ``interval``: seconds between looks at the board (default 0.1 for a virtual board,
    0.5 for a real one). ``sound``: play the board's sounds in the browser.
    ``theme``: ``"red"`` (like the real LEDs) or ``"yellow"`` (highest contrast).
    ``source``: ``"auto"``, ``"panel"`` (a virtual board's panel file) or ``"eval"``
    (ask the board over its REPL, as for a real micro:bit).
    """

    def __init__(self, board: "Board", *, interval: float | None = None, sound: bool = True,
                 theme: str = "red", source: str = "auto", led_px: int = 46):
        if board.profile.name != "microbit_v2":
            raise KitError(f"この画面は micro:bit 用です（このボードは {board.profile.label} です）。")
        if theme not in THEMES:
            raise KitError(f"theme は {', '.join(THEMES)} のどれかにしてください。")
        if source == "auto":
            source = "panel" if board.kit is not None else "eval"
        if source not in ("panel", "eval"):
            raise KitError("source は auto・panel・eval のどれかにしてください。")
        if source == "panel" and board.kit is None:
            raise KitError("panel は仮想キットだけで使えます。実機では source='eval' にしてください。")
        self._board = board
        self._source = source
        self.interval = interval if interval is not None else (0.1 if source == "panel" else 0.5)
        self.theme = theme
        self.led_px = led_px
        self.state = BoardState()
        self.last_event = "まだ何も起きていません"
        self._sound_no: int | None = None  # the last sound heard (None: not looked yet)
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._timer = None  # the event loop's handle (eval source)
        self._refresh_lock = threading.Lock()
        self._listeners: list[Callable[[BoardState], None]] = []

        self.leds_html = w.HTML(layout=w.Layout(margin="0 8px"))
        self.text_html = w.HTML(layout=w.Layout(width="100%"))
        big = dict(font_size="1.4em", font_weight="bold")
        round_button = w.Layout(width="6.5em", height="4.5em")
        self.button_a = w.Button(description="ボタンA", tooltip="ボタンAを押す", layout=round_button,
                                 style=w.ButtonStyle(**big, button_color="#d9d9d9"))
        self.button_b = w.Button(description="ボタンB", tooltip="ボタンBを押す", layout=round_button,
                                 style=w.ButtonStyle(**big, button_color="#d9d9d9"))
        self.logo = w.Button(description="ロゴ", tooltip="ロゴにさわる", layout=w.Layout(width="6.5em", height="3em"),
                             style=w.ButtonStyle(**big, button_color="#f0c040"))
        self.button_a.on_click(lambda _b: self.press("a"))
        self.button_b.on_click(lambda _b: self.press("b"))
        self.logo.on_click(lambda _b: self.press("logo"))

        wide = dict(style={"description_width": "9em"}, layout=w.Layout(width="32em"))
        world = board.kit.world if board.kit is not None else None

        def start(name: str, default: float) -> float:
            if world is None:
                return default
            spec = world.spec(name)
            return spec["v"] if spec["k"] == "const" else default

        self.tilt_x = w.IntSlider(value=int(start("accel_x", 0)), min=-1000, max=1000, step=50,
                                  description="左右にかたむける", tooltip="左（マイナス）・右（プラス）", **wide)
        self.tilt_y = w.IntSlider(value=int(start("accel_y", 0)), min=-1000, max=1000, step=50,
                                  description="前後にかたむける", tooltip="ロゴが下（マイナス）・ロゴが上（プラス）", **wide)
        self.flat = w.Button(description="たいらにもどす", tooltip="かたむきを 0 にもどす")
        self.shake = w.Button(description="ふる", tooltip="ボードをふる（shake）", style=w.ButtonStyle(**big))
        self.light = w.IntSlider(value=int(min(255, start("light", QUANTITIES["light"].default) / 4)), min=0, max=255,
                                 description="明るさ", tooltip="0（まっくら）から 255（とても明るい）", **wide)
        self.temperature = w.IntSlider(value=int(round(start("temperature", QUANTITIES["temperature"].default))),
                                       min=-10, max=45, description="温度（℃）", tooltip="まわりの温度", **wide)
        self.sound_on = w.Checkbox(value=sound, description="音を出す", indent=False)
        self.audio = w.Audio(format="wav", autoplay=True, controls=True, loop=False,
                             layout=w.Layout(width="18em"))
        self.refresh_button = w.Button(description="表示を更新", tooltip="ボードの表示を読み直す")
        self.tilt_x.observe(lambda c: self._tilt(), names="value")
        self.tilt_y.observe(lambda c: self._tilt(), names="value")
        self.flat.on_click(lambda _b: self._flat())
        self.shake.on_click(lambda _b: self.do_shake())
        self.light.observe(lambda c: self._set_light(c["new"]), names="value")
        self.temperature.observe(lambda c: self._set_temperature(c["new"]), names="value")
        self.refresh_button.on_click(lambda _b: self.refresh())

        inputs = [self.button_a, self.button_b, self.logo, self.tilt_x, self.tilt_y, self.flat,
                  self.shake, self.light, self.temperature]
        note = []
        if board.kit is None:
            for c in inputs:
                c.disabled = True
            note = [w.HTML("<p style='font-size:1.1em'>本物のボードです。ボードのボタンを押したり、"
                           "ボードをかたむけたりしてください。</p>")]
        board_row = w.HBox([self.button_a, w.VBox([self.logo, self.leds_html],
                                                  layout=w.Layout(align_items="center")), self.button_b],
                           layout=w.Layout(align_items="center"))
        controls = w.VBox([w.HBox([self.tilt_x, self.flat]), self.tilt_y, w.HBox([self.shake]),
                           self.light, self.temperature, w.HBox([self.sound_on, self.audio, self.refresh_button])])
        super().__init__([board_row, self.text_html, *note, controls])

        old = _VIEWS.get(board)
        if old is not None and old is not self:
            old.close()  # a cell run again: one view per board keeps polling
        _VIEWS[board] = self
        self.refresh()
        self._start_polling()

    # ------------------------------------------------------------ reading the board
    @property
    def board(self) -> "Board":
        return self._board

    @property
    def polling(self) -> bool:
        """True while the view keeps looking at the board."""
        if self._thread is not None:
            return self._thread.is_alive()
        return self._timer is not None and not self._stop.is_set()

    def _board_closed(self) -> bool:
        return bool(getattr(self._board._repl, "closed", False))

    def _read(self) -> BoardState | None:
        if self._source == "panel":
            kit = self._board.kit
            return read_panel(kit.host_dir / PANEL_FILE)
        return read_by_eval(self._board)

    def refresh(self) -> BoardState:
        """Look at the board now; update the picture, the text and the sound. Returns the state."""
        with self._refresh_lock:
            state = self._read()
            if state is None:
                return self.state
            new_sounds = self._new_sounds(state)
            changed = state != self.state or new_sounds
            self.state = state
            if new_sounds:
                self.last_event = describe_sounds(new_sounds)
                if self.sound_on.value:
                    self.audio.value = sound_wav(new_sounds)
            if changed or not self.leds_html.value:
                self._render()
        if changed:
            with self._changed:
                self._changed.notify_all()
            for listener in list(self._listeners):
                listener(state)
        return state

    def _new_sounds(self, state: BoardState) -> list[SoundEvent]:
        newest = max((s.no for s in state.sounds), default=0)
        if self._sound_no is None:  # sounds from before the view was made are not played
            self._sound_no = newest
            return []
        if newest < self._sound_no:  # the board restarted: it counts from 1 again
            self._sound_no = 0
        new = [s for s in state.sounds if s.no > self._sound_no]
        self._sound_no = max(self._sound_no, newest)
        return new

    def wait_for(self, predicate: Callable[[BoardState], bool], timeout: float = 10.0) -> bool:
        """Wait until ``predicate(view.state)`` is true (or ``timeout`` s); returns whether it is."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self.state), timeout)

    def on_change(self, callback: Callable[[BoardState], None]) -> None:
        """Call ``callback(state)`` whenever the board's display or sound changes."""
        self._listeners.append(callback)

    # ------------------------------------------------------------ polling
    def _start_polling(self) -> None:
        if self._source == "panel":
            self._thread = threading.Thread(target=self._poll_thread, name="kit-microbit-view", daemon=True)
            self._thread.start()
            return
        import asyncio

        try:  # in a notebook: between cells, on the kernel's loop (never during a cell's own call)
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None  # no loop (a script): refresh() or the 「表示を更新」 button
            return
        self._timer = self._loop.call_later(self.interval, self._poll_on_loop)

    def _poll_thread(self) -> None:
        while not self._stop.wait(self.interval):
            if self._board_closed():
                self._say_closed()
                break
            try:
                self.refresh()
            except Exception as e:  # noqa: BLE001 - one bad look must not end the view
                self._note_error(e)

    def _poll_on_loop(self) -> None:
        self._timer = None
        if self._stop.is_set():
            return
        if self._board_closed():
            self._say_closed()
            return
        try:
            self.refresh()
        except Exception as e:  # noqa: BLE001
            self._note_error(e)
        if not self._stop.is_set():
            self._timer = self._loop.call_later(self.interval, self._poll_on_loop)

    def _say_closed(self) -> None:
        self._stop.set()
        self.last_event = "ボードとの接続が切れました（表示は止まっています）"
        self._render()

    def _note_error(self, e: Exception) -> None:
        self.last_event = f"ボードを読めませんでした（{type(e).__name__}）"
        self._render()

    def close(self) -> None:
        """Stop looking at the board and remove the widget."""
        self._stop.set()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)
        if _VIEWS.get(self._board) is self:
            del _VIEWS[self._board]
        for child in self._all_children():
            child.close()
        super().close()

    def _all_children(self):
        todo = list(self.children)
        while todo:
            c = todo.pop()
            todo.extend(getattr(c, "children", ()))
            yield c

    # ------------------------------------------------------------ what the child does
    def _event(self, text: str) -> None:
        self.last_event = text
        self._render()

    def press(self, which: str) -> None:
        """Press ``"a"``, ``"b"`` or ``"logo"`` (what the buttons on the screen do)."""
        self._need_kit()
        press(self._board, BUTTONS[which][0])
        self._event(pressed_words(which))

    def _need_kit(self) -> None:
        if self._board.kit is None:
            raise KitError("本物のボードです。ボードのボタンを押したり、かたむけたりしてください。")

    def _tilt(self) -> None:
        self._need_kit()
        x, y = self.tilt_x.value, self.tilt_y.value
        set_world(self._board, accel_x=x, accel_y=y)
        self._event(f"かたむき: {tilt_words(x, y)}")

    def _flat(self) -> None:
        with self.tilt_x.hold_trait_notifications(), self.tilt_y.hold_trait_notifications():
            self.tilt_x.value = 0
            self.tilt_y.value = 0
        self._tilt()

    def do_shake(self) -> None:
        """Shake the board for half a second (``accelerometer.was_gesture("shake")``)."""
        self._need_kit()
        x = self.tilt_x.value
        shake = (Constant(x) + Pulses(at=(0.0, 0.2, 0.4), width=0.1, high=2000)
                 + Pulses(at=(0.1, 0.3, 0.5), width=0.1, high=-2000))
        set_world(self._board, accel_x=shake)
        self._event("ボードをふりました")

    def _set_light(self, level: int) -> None:
        self._need_kit()
        set_world(self._board, light=level * 4)  # read_light_level() is lux / 4
        self._event(f"明るさ: {level}")

    def _set_temperature(self, value: int) -> None:
        self._need_kit()
        set_world(self._board, temperature=value)
        self._event(f"温度: {value}℃")

    # ------------------------------------------------------------ drawing
    @property
    def text(self) -> str:
        """Everything the view shows, in words (what a screen reader reads)."""
        rows = rows_text(self.state) if self.state.text is None else []
        return "\n".join([describe_leds(self.state), *rows, self.last_event])

    def _render(self) -> None:
        s = self.state
        off, on, board, rim = THEMES[self.theme]
        px = self.led_px
        label = describe_leds(s)
        if s.text is not None and s.on:
            inner = (f"<div style='width:{5 * px + 32}px;min-height:{5 * px + 32}px;display:flex;"
                     f"align-items:center;justify-content:center;color:{_shade(9, self.theme)};"
                     f"font-size:{int(px * 1.2)}px;font-weight:bold;word-break:break-all;text-align:center'>"
                     f"{_escape(s.text)}</div>")
        else:
            cells = "".join(
                f"<div style='width:{px}px;height:{px}px;border-radius:{px // 6}px;"
                f"background:{_shade(v if s.on else 0, self.theme)};"
                f"{'' if v and s.on else f'box-shadow:inset 0 0 0 2px {rim};'}'></div>"
                for row in s.leds for v in row)
            inner = (f"<div style='display:grid;grid-template-columns:repeat(5,{px}px);gap:{px // 4}px'>"
                     f"{cells}</div>")
        self.leds_html.value = (f"<div role='img' aria-label='{_escape(label)}' title='{_escape(label)}' "
                                f"style='background:{board};padding:16px;border-radius:14px;"
                                f"display:inline-block'>{inner}</div>")
        rows = "<br>".join(rows_text(s)) if s.text is None else ""
        self.text_html.value = (
            "<div aria-live='polite' style='font-size:1.25em;line-height:1.5'>"
            f"<div>{_escape(label)}</div>"
            f"<div style='font-family:monospace;font-size:1.2em;letter-spacing:0.2em' "
            f"aria-label='LEDの列'>{rows}</div>"
            f"<div>{_escape(self.last_event)}</div></div>")


BUTTONS = {"a": ("button_a", "ボタンA"), "b": ("button_b", "ボタンB"), "logo": ("touch_logo", "ロゴ")}


def pressed_words(which: str, times: int = 1) -> str:
    """「ボタンA を おしました」, 「ボタンB を 3回 おしました」, 「ロゴに さわりました」."""
    what = BUTTONS[which.lower()][1]
    again = f"{times}回 " if times != 1 else ""
    return f"{what}に {again}さわりました" if which.lower() == "logo" else f"{what} を {again}おしました"


def tilt_words(x: int, y: int) -> str:
    """「右に 500、ロゴが上に 300」 / 「たいら」."""
    parts = []
    if x:
        parts.append(f"{'右' if x > 0 else '左'}に {abs(x)}")
    if y:
        parts.append(f"ロゴが{'上' if y > 0 else '下'}に {abs(y)}")
    return "、".join(parts) if parts else "たいら"


def _escape(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&#39;").replace('"', "&quot;"))


def show_board(board: "Board | None" = None, **options) -> MicrobitView:
    """A ``MicrobitView`` of ``board`` (default: the board of ``connect()`` / ``%board``).

    Put it last in a cell to see it; ``options`` as for ``MicrobitView``.
    """
    if board is None:
        from .connect import current_board

        board = current_board()
        if board is None:
            raise KitError("ボードがまだありません。先に board = connect() を実行してください。")
    return MicrobitView(board, **options)
