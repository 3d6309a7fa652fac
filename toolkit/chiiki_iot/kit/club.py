"""Helpers of the 地域ICTクラブ sessions (``courses/ict_club/``): run a line on the board and
say what the board shows **in words**, so a child using a screen reader follows too.

>>> from chiiki_iot.kit import connect                          # doctest: +SKIP
>>> from chiiki_iot.kit.club import run, tell, press, check     # doctest: +SKIP
>>> board = connect("virtual")                                  # doctest: +SKIP
>>> run(board, "display.show(Image.HEART)")                     # doctest: +SKIP
【ボードのようす】
LED: ハートの形です（25こ のうち 14こ が ついています）
○●○●○
●●●●●
●●●●●
○●●●○
○○●○○

- ``run(board, code)``: MicroPython on the board (``from microbit import *`` and ``import
  music`` already done), then ``tell(board)``. An error on the board is told in plain
  Japanese with what to try, not as a long traceback.
- ``tell(board)``: the LEDs in words and as five rows of ●○; on the virtual kit also the
  text that was shown or scrolled and the sounds played since the last ``tell``.
- ``press(board, "A", times=1)``: presses a button (virtual kit: a pulse on ``button_a``;
  a real board: asks the child to press it and waits).
- ``set_sensor(board, light=..., temperature=...)``: what the virtual sensors measure.
- ``lit(board)``: how many LEDs are on (for a self-check).
- ``check(ok, good, hint)``: one encouraging line, ✅［OK］ or ⏳ with what to try. No score.
"""
from __future__ import annotations

import time

from ..checks.marks import NOTE, OK, TODO
from .errors import DeviceError

# Image names the sessions use -> words a child knows (the pixels come from the board itself).
IMAGE_WORDS = {
    "HEART": "ハート", "HEART_SMALL": "小さいハート", "HAPPY": "にこにこの顔", "SMILE": "わらった口",
    "SAD": "かなしい顔", "CONFUSED": "こまった顔", "ANGRY": "おこった顔", "ASLEEP": "ねている顔",
    "SURPRISED": "びっくりした顔", "SILLY": "ふざけた顔", "FABULOUS": "サングラスの顔", "MEH": "ふーんの顔",
    "YES": "チェック（はい）", "NO": "バツ（いいえ）", "SQUARE": "四角", "SQUARE_SMALL": "小さい四角",
    "TRIANGLE": "三角", "DIAMOND": "ダイヤ", "DIAMOND_SMALL": "小さいダイヤ", "TARGET": "まと",
    "CHESSBOARD": "チェックもよう", "ARROW_N": "上むきの矢じるし", "ARROW_S": "下むきの矢じるし",
    "ARROW_E": "右むきの矢じるし", "ARROW_W": "左むきの矢じるし",
}
NOTE_WORDS = {"c": "ド", "d": "レ", "e": "ミ", "f": "ファ", "g": "ソ", "a": "ラ", "b": "シ"}
BUTTONS = {"A": "button_a", "B": "button_b", "LOGO": "touch_logo"}
SETUP = "from microbit import *\nimport music\n"

_seen: dict[int, dict[str, int]] = {}   # id(board) -> how much history / sound was already told
_sensors: dict[int, dict[str, float]] = {}


def _led_rows(board) -> list[list[int]]:
    return board.eval("[[display.get_pixel(x, y) for x in range(5)] for y in range(5)]")


def led_words(rows: list[list[int]], shape: str | None = None) -> str:
    """The LEDs as one sentence and five rows of ● (on) and ○ (off).

    >>> print(led_words([[0] * 5] * 5))
    LED: ぜんぶ きえています
    ○○○○○
    ○○○○○
    ○○○○○
    ○○○○○
    ○○○○○
    """
    lit = sum(1 for row in rows for v in row if v)
    if lit == 0:
        head = "LED: ぜんぶ きえています"
    elif shape:
        head = f"LED: {shape}の形です（25こ のうち {lit}こ が ついています）"
    else:
        head = f"LED: 25こ のうち {lit}こ が ついています"
    return "\n".join([head] + ["".join("●" if v else "○" for v in row) for row in rows])


def _shape(board) -> str | None:
    names = list(IMAGE_WORDS)
    found = board.eval(
        f"[n for n in {names!r} if all(getattr(Image, n).get_pixel(x, y) == display.get_pixel(x, y)"
        " for x in range(5) for y in range(5))]")
    return IMAGE_WORDS[found[0]] if found else None


def note_words(note) -> str:
    """One played note in words: ``("c4", 500)`` -> ``ド（c4）0.5秒``; a pitch -> ``440Hz 0.5秒``."""
    what, ms = note
    if isinstance(what, (int, float)):
        name = f"{int(what)}Hz の音"
    elif str(what).startswith("r"):
        name = "休み"
    else:
        base = NOTE_WORDS.get(str(what)[0], str(what))
        name = f"{base}{'♯' if '#' in str(what) else ''}（{what}）"
    return f"{name} {ms / 1000:g}秒" if isinstance(ms, (int, float)) and ms > 0 else name


def tell(board) -> None:
    """Print what the board shows now, in words (and, on the virtual kit, what it showed and played)."""
    board.exec(SETUP)
    rows = _led_rows(board)
    lines = ["【ボードのようす】", led_words(rows, _shape(board) if any(any(r) for r in rows) else None)]
    if getattr(board, "is_virtual", False):
        seen = _seen.setdefault(id(board), {"history": 0, "music": 0, "audio": 0})
        n_hist, n_music, n_audio = board.eval("(len(display.history), len(music.played), len(audio.played))")
        if n_hist < seen["history"] or n_music < seen["music"] or n_audio < seen["audio"]:
            seen.update(history=0, music=0, audio=0)   # the board was reset: its lists started again
        texts = board.eval(f"[w for k, w in display.history[{seen['history']}:] if k != 'image']")
        notes = board.eval(f"music.played[{seen['music']}:]")
        sounds = board.eval(f"[str(s) if isinstance(s, str) else 'effect' for s in audio.played[{seen['audio']}:]]")
        seen.update(history=n_hist, music=n_music, audio=n_audio)
        for t in texts:
            lines.append(f"文字: 「{t}」を 出しました（{len(str(t))}文字）")
        if notes:
            shown = [note_words(n) for n in notes[:12]]
            more = f" …ほか {len(notes) - 12}こ" if len(notes) > 12 else ""
            lines.append(f"音: {len(notes)}こ 鳴りました → " + "、".join(shown) + more)
        for s in sounds:
            lines.append(f"音: サウンド「{s}」が 鳴りました")
        if not notes and not sounds:
            lines.append("音: 新しく 鳴った音は ありません")
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
    return sum(1 for row in _led_rows(board) for v in row if v)


def press(board, button: str = "A", times: int = 1) -> None:
    """Press ``button`` ("A", "B" or "LOGO") ``times`` times, then let that much board time pass."""
    key = button.upper()
    if key not in BUTTONS:
        raise ValueError(f"ボタンは \"A\"・\"B\"・\"LOGO\" のどれかです（今は {button!r}）")
    if getattr(board, "kit", None) is None:   # a real board: the child presses it
        print(f"ボタン {key} を {times}回 おしてください（5秒 まちます）")
        time.sleep(5)
        return
    from .scenario import Pulses

    board.scenario(**{BUTTONS[key]: Pulses(at=tuple(0.3 * i for i in range(times)), width=0.15)})
    board.exec(f"from microbit import sleep\nsleep({300 * times})")
    print(f"（ボタン {key} を {times}回 おしました）")


def set_sensor(board, **values: float) -> None:
    """Virtual kit: set ``light`` (lx), ``temperature`` (°C), ... to a constant (the others stay)."""
    if getattr(board, "kit", None) is None:
        print("実物の micro:bit です。手でかくしたり、ライトを当てたりして ためしてください。")
        return
    from .scenario import Constant

    known = _sensors.setdefault(id(board), {})
    known.update(values)
    board.scenario(**{k: Constant(v) for k, v in known.items()})
    words = {"light": "明るさ", "temperature": "温度"}
    print("（仮想キット: " + "、".join(f"{words.get(k, k)} {v:g}" for k, v in values.items()) + " にしました）")


def check(ok: bool, good: str, hint: str) -> bool:
    """Print one line: ``✅［OK］ good`` when ``ok``, else ``⏳ hint`` (what to try). Returns ``ok``."""
    print(f"{OK} {good}" if ok else f"{TODO} {hint}")
    return bool(ok)
