"""Helpers of the 地域ICTクラブ sessions (``courses/ict_club/``): run a line on the board and
say what the board shows **in words**, so a child using a screen reader follows too.

>>> from chiiki_iot.kit import connect                          # doctest: +SKIP
>>> from chiiki_iot.kit.club import run, tell, press, check     # doctest: +SKIP
>>> board = connect("virtual")                                  # doctest: +SKIP
>>> run(board, "display.show(Image.HEART)")                     # doctest: +SKIP
【ボードのようす】
LED: ハートの形です（25こ のうち 16こ が ついています）
○●○●○
●●●●●
●●●●●
○●●●○
○○●○○

- ``run(board, code)``: MicroPython on the board (``from microbit import *`` and ``import
  music`` already done), then ``tell(board)``. An error on the board is told in plain
  Japanese with what to try, not as a long traceback.
- ``tell(board)``: the LEDs in words and as five rows of ●○ (◐: dim); on the virtual kit
  also the text that was shown or scrolled and the sounds played since the last ``tell``.
  The words are those of the board view (``kit.microbit_view``), so both say the same.
- ``press(board, "A", times=1)``: presses a button (virtual kit: ``widgets.press`` on
  ``button_a``; a real board: asks the child to press it and waits).
- ``set_sensor(board, light=..., temperature=...)``: what the virtual sensors measure.
- ``lit(board)``: how many LEDs are on (for a self-check).
- ``check(ok, good, hint)``: one encouraging line, ✅［OK］ or ⏳ with what to try. No score.
"""
from __future__ import annotations

import time

from ..checks.marks import NOTE, OK, TODO
from .errors import DeviceError
from .microbit_view import (BUTTONS, BoardState, describe_leds, describe_sounds, describe_text, pressed_words,
                            read_by_eval, read_shown, rows_text)
from .widgets import press as press_on_kit
from .widgets import set_world

SETUP = "from microbit import *\nimport music\n"

_marks: dict[int, tuple[int, int, int]] = {}   # id(board) -> what was already told (``read_shown``)


def _state(board) -> BoardState:
    return read_by_eval(board) or BoardState()


def tell(board) -> None:
    """Print what the board shows now, in words (and, on the virtual kit, what it showed and played)."""
    board.exec(SETUP)
    state = _state(board)
    lines = ["【ボードのようす】", describe_leds(state), *rows_text(state)]
    if getattr(board, "is_virtual", False):
        shown = read_shown(board, _marks.get(id(board), (0, 0, 0)))
        _marks[id(board)] = shown.mark
        lines += [describe_text(kind, text) for kind, text in shown.texts]
        lines.append(describe_sounds(shown.sounds) if shown.sounds else "音: 新しく 鳴った音は ありません")
    print("\n".join(lines))


def run(board, code: str) -> None:
    """Run ``code`` (MicroPython) on the board, print what it printed, then ``tell(board)``."""
    try:
        out = board.exec(SETUP + code)
    except DeviceError as e:
        print(f"{NOTE} うまく 動きませんでした: {e.exc_type}: {e.exc_message}")
        print("　つづり（大文字・小文字）、( ) と \" \" のペア、: のあとの字下げを たしかめましょう。")
        out = ""
    if out and out.strip():
        print(out.rstrip())
    tell(board)


def lit(board) -> int:
    """How many of the 25 LEDs are on now (0..25)."""
    return _state(board).lit


def press(board, button: str = "A", times: int = 1) -> None:
    """Press ``button`` ("A", "B" or "LOGO") ``times`` times, then let that much board time pass."""
    key = button.lower()
    if key not in BUTTONS:
        raise ValueError(f"ボタンは \"A\"・\"B\"・\"LOGO\" のどれかです（今は {button!r}）")
    if getattr(board, "kit", None) is None:   # a real board: the child presses it
        verb = "に さわって" if key == "logo" else " を おして"
        print(f"{BUTTONS[key][1]}{verb}ください（{times}回。5秒 まちます）")
        time.sleep(5)
        return
    seconds = press_on_kit(board, BUTTONS[key][0], times)
    board.exec(f"from microbit import sleep\nsleep({round(seconds * 1000)})")
    print(f"（{pressed_words(key, times)}）")


def set_sensor(board, **values: float) -> None:
    """Virtual kit: set ``light`` (lx), ``temperature`` (°C), ... to a constant (the others stay)."""
    if getattr(board, "kit", None) is None:
        print("実物の micro:bit です。手でかくしたり、ライトを当てたりして ためしてください。")
        return
    set_world(board, **values)
    words = {"light": "明るさ", "temperature": "温度"}
    print("（仮想キット: " + "、".join(f"{words.get(k, k)} {v:g}" for k, v in values.items()) + " にしました）")


def check(ok: bool, good: str, hint: str) -> bool:
    """Print one line: ``✅［OK］ good`` when ``ok``, else ``⏳ hint`` (what to try). Returns ``ok``."""
    print(f"{OK} {good}" if ok else f"{TODO} {hint}")
    return bool(ok)
