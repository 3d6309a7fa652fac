"""Run a board program on a fresh virtual board for a fixed board time, and see what it did.

Graders (and learners trying their code before they hand it in) run a MicroPython program,
often a ``while True`` loop written for a real board, on a new virtual board with a fixed
scenario, then check what it printed, showed, played or switched on:

>>> from chiiki_iot.kit import Pulses
>>> code = '''from microbit import *
... count = 0
... while True:
...     if button_a.was_pressed():
...         count += 1
...         display.show(count)
... '''
>>> run = run_program(code, seconds=5, button_a=Pulses(at=[1, 2, 3.5], width=0.2))
>>> run.ended, run.shown, run.board_ms
('time', ['1', '2', '3'], 5000)
>>> print(run.describe())
【新しい仮想ボード（micro:bit V2）で 5 秒】決めた時間（ボードの時間）で止めました
  LED の表示: 1 → 2 → 3

The board never waits (speed 0) and the program is stopped, as Ctrl-C would stop it, when
board time reaches ``seconds``; so the result is the same every run, on every machine, and
the board the learner uses in the notebook (``connect()``) is not touched. A program that
keeps board time from passing (a loop that neither sleeps nor reads an input) is
interrupted after ``timeout`` seconds of real time (``ended == "stuck"``).

``program_runs(...)`` is the format check of an answer that is a board program: it runs the
program this way and turns a board error into a Japanese problem that names the line.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BoardTimeoutError, DeviceError, KitError, board_error_hint, learner_line

if TYPE_CHECKING:  # pragma: no cover
    from chiiki_iot.checks.expect import Expectation

# Runs on the board after the program: what it left behind, as one Python value.
_STATE = {
    "microbit_v2": (
        "import time as _t, microbit as _m, music as _mu\n"
        "print(repr((_t._now_us() // 1000, list(_m.display.history), list(_mu.played),"
        " {n: getattr(_m, n).written for n in dir(_m) if n.startswith('pin')"
        " and getattr(getattr(_m, n), 'written', None) is not None})))"
    ),
    "esp32": (
        "import time as _t, machine as _ma\n"
        "print(repr((_t._now_us() // 1000, [], [], dict(_ma._state))))"
    ),
}


SETUP_TIMEOUT_S = 60.0  # the calls before and after the program (scenario, clock, what it left)

_ENDED = {
    "time": "決めた時間（ボードの時間）で止めました",
    "finished": "プログラムが最後まで動いて、終わりました",
    "stuck": "ボードの時間が進まなくなったので止めました（sleep もせず、ボタンも読まないループ？）",
}
_IMAGE_NAMES: dict[str, str] | None = None


def image_name(rows: str) -> str:
    """The name of a built-in micro:bit image (``"HEART"``) from its rows, else the rows."""
    global _IMAGE_NAMES
    if _IMAGE_NAMES is None:  # read the table of the virtual micro:bit itself: one source
        src = Path(__file__).resolve().parent / "device" / "sim" / "microbit_v2" / "microbit" / "__init__.py"
        tree = ast.parse(src.read_text(encoding="utf-8"))
        table = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                     and getattr(n.targets[0], "id", "") == "_IMAGES")
        _IMAGE_NAMES = {r: name for name, r in table.items()}
    return _IMAGE_NAMES.get(rows, rows)


def guess_profile(code: str) -> str:
    """``"esp32"`` for a program that uses ``machine`` and not ``microbit``, else ``"microbit_v2"``."""
    return "esp32" if "machine" in code and "microbit" not in code else "microbit_v2"


@dataclass
class ProgramRun:
    """What a program did on a fresh virtual board.

    ``ended``: ``"finished"`` (the program ended by itself), ``"time"`` (stopped when board
    time reached the limit), ``"error"`` (it raised; ``error`` is the last line of the
    board's traceback) or ``"stuck"`` (board time stood still until the real-time timeout).
    ``display`` is the micro:bit's ``display.history`` (``(kind, what)`` pairs), ``played``
    its ``music.played``; ``pins`` the levels the program wrote (ESP32: GPIO number -> 0/1;
    micro:bit: pin name -> value written).
    """

    code: str
    profile: str
    seconds: float
    ended: str
    output: str
    board_ms: int
    error: str | None = None
    traceback: str = ""
    display: list = field(default_factory=list)
    played: list = field(default_factory=list)
    pins: dict = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        """The printed lines, without empty ones."""
        return [ln.strip() for ln in self.output.splitlines() if ln.strip()]

    @property
    def shown(self) -> list[str]:
        """What the micro:bit display showed or scrolled, in order (text, or image rows)."""
        return [str(what) for _kind, what in self.display]

    @property
    def seen(self) -> list[str]:
        """What a person would see: the micro:bit display, or on an ESP32 the printed lines."""
        return self.shown if self.profile == "microbit_v2" else self.lines

    def describe(self, max_lines: int = 20) -> str:
        """What the program did, in Japanese, for a learner trying it out."""
        kind = "micro:bit V2" if self.profile == "microbit_v2" else "ESP32"
        ended = _ENDED.get(self.ended, f"エラーで止まりました: {self.error}")
        out = [f"【新しい仮想ボード（{kind}）で {self.seconds:g} 秒】{ended}"]
        line = learner_line(self.traceback) if self.ended == "error" else None
        if line is not None:
            exc_type, _, exc_message = (self.error or "").partition(": ")
            out.append(f"  {line} 行目: {_line_of(self.code, line)}")
            out.append(f"  {board_error_hint(exc_type, exc_message, self.code)}")
        if self.profile == "microbit_v2":
            shown = [f"絵 {image_name(s)}" if k == "image" else s for (k, _), s in zip(self.display, self.shown)]
            out.append("  LED の表示: " + (" → ".join(shown) if shown else "（なし）"))
        if self.lines:
            more = " …" if len(self.lines) > max_lines else ""
            out.append("  print した行: " + " / ".join(self.lines[:max_lines]) + more)
        if self.played:
            out.append(f"  鳴らした音: {len(self.played)} 回 {self.played[:10]}")
        if self.pins:
            out.append(f"  出力したピン: {self.pins}")
        return "\n".join(out)


def run_program(code: str, *, seconds: float = 10.0, profile: str | None = None,
                scenario=None, timeout: float = 10.0, before: str = "", **sources) -> ProgramRun:
    """Run ``code`` on a new virtual board for ``seconds`` of board time; return a ``ProgramRun``.

    ``profile`` is ``"microbit_v2"`` or ``"esp32"``; by default ``guess_profile(code)``.
    ``before`` runs first, outside the time limit (helpers a notebook sends to the board).

    ``scenario`` (a ``Scenario``) and/or keyword sources (``button_a=Pulses(at=[1, 2])``,
    ``temperature=Ramp(...)``) set what the board senses from board time 0. On a virtual
    ESP32 ``button_a`` is the BOOT button (GPIO0, pressed = 0).
    """
    from .board import Board
    from .virtual import VirtualKit

    if seconds <= 0:
        raise KitError("seconds は 0 より大きい秒数（ボードの時間）にしてください。")
    kit = VirtualKit(profile or guess_profile(code), speed=0)
    try:
        # ``timeout`` is for the program; the short calls around it get at least SETUP_TIMEOUT_S,
        # so a small timeout (a grader's 0.5 s for a stuck loop) never cuts them short on a busy machine
        setup = None if timeout is None else max(timeout, SETUP_TIMEOUT_S)
        board = Board(kit.port, kit.profile, kit=kit, timeout=setup)
        try:
            if before:
                board.exec(before)
            return _run(board, code, seconds, scenario, sources, timeout)
        finally:
            board.close()
    finally:
        kit.close()


def program_runs(seconds: float = 2.0, *, name: str = "プログラム", profile: str | None = None,
                 board_module: bool = True, contains=(), before: str = "", then: str = "",
                 min_chars: int = 20, timeout: float = 5.0, scenario=None, **sources) -> Expectation:
    """A format expectation (``chiiki_iot.checks.expect``) for an answer that is a board program.

    The program (a string; for a ``%%writefile`` answer, the file's text or None) must be
    written (not the stub), import a board module (``board_module``), hold each fragment of
    ``contains`` (a list, or a dict fragment -> message), be valid Python, and **run**: on a
    fresh virtual board, fast-forwarded for ``seconds`` of board time under the scenario
    (``button_a=Pulses(at=[0.5])``...), after ``before`` (helpers) and followed by ``then``
    (a call of the functions it defines). If the board raises, the problem names the line,
    shows it, and says what the board's error means:

    >>> check = program_runs(name="kazoeru")
    >>> for p in check("from microbit import *\\nwhile True:\\n    if button_a.was_presed():\\n        display.show(1)\\n"):
    ...     print(p)
    kazoeru を新しい仮想ボードで動かすと、3 行目でエラーになりました（ボードのエラー: AttributeError: '_Button' object has no attribute 'was_presed'）。
    3 行目: if button_a.was_presed():
    `was_presed` という名前の機能はありません。名前のつづりがちがうのかもしれません（`was_pressed` ではありませんか）。...
    >>> check("from microbit import *\\nwhile True:\\n    if button_a.was_pressed():\\n        display.show(1)\\n")
    []

    A program that keeps board time from passing is not a format problem (the grader's
    tests say so); it costs ``timeout`` seconds of real time. Otherwise a check takes a
    fraction of a second: board time is fast-forwarded.
    """
    from chiiki_iot.checks import expect

    messages = dict(contains) if isinstance(contains, dict) else {f: _missing(f, name) for f in contains}

    def check(value) -> list[str]:
        if value is None and name.endswith(".py"):
            return [f"ファイル {name} がまだありません。%%writefile {name} のセルを実行してください。"]
        stub = _stub_line(value)
        if stub:
            return [f"ひな形の「{stub}」が残っています。そこを自分のコードに置きかえてください。"]
        problems = expect.text(min_chars=min_chars)(value)
        if problems:
            return problems
        if board_module and "microbit" not in value and "machine" not in value:
            return ["ボードのモジュールを読み込んでいません。micro:bit なら from microbit import *、"
                    "ESP32 なら from machine import Pin を最初に書きます。"]
        try:
            compile(value, name, "exec")
        except SyntaxError as e:
            return _syntax_problems(value, name, e.lineno, e.msg)
        except ValueError as e:  # a NUL character
            return [f"{name} を Python として読めません（{e}）。"]
        missing = [m for f, m in messages.items() if f not in value]
        if missing:
            return missing
        wrapped = f"exec(compile({value!r}, {name!r}, 'exec'))\n{then}"
        run = run_program(wrapped, seconds=seconds, profile=profile or guess_profile(value),
                          scenario=scenario, timeout=timeout, before=before, **sources)
        return _run_problems(run, value, name, then) if run.ended == "error" else []

    return check


def _stub_line(value) -> str:
    """The line of the answer stub (``# ここに答えを書いてください``) left in ``value``, if any."""
    if isinstance(value, str):
        for line in value.splitlines():
            if "ここに" in line and "書いて" in line:
                return line.strip() + ("」と「..." if "..." in value else "")
    return ""


def _missing(fragment: str, name: str) -> str:
    if fragment.startswith("def "):
        f = fragment[4:].rstrip("(")
        return f"{name} に関数 {f} がありません（def {f}(...) の行は消さないでください）。"
    return f"{name} に {fragment} がありません。"


def _line_of(code: str, line: int | None) -> str:
    lines = code.splitlines()
    return lines[line - 1].strip() if line and 0 < line <= len(lines) else ""


def _syntax_problems(code: str, name: str, line: int | None, msg: str) -> list[str]:
    where = f"{name} の {line} 行目" if line else name
    problems = [f"{where}の書き方（文法）に誤りがあります（{msg}）。"]
    if _line_of(code, line):
        problems.append(f"{line} 行目: {_line_of(code, line)}")
    problems.append("字下げ（行の先頭のスペース 4 つ）・かっこの閉じ忘れ・行の終わりのコロン（:）を確かめてください。")
    return problems


def _run_problems(run: ProgramRun, code: str, name: str, then: str) -> list[str]:
    """What went wrong on the board, in Japanese: the line, the board's error, what to try."""
    if not run.traceback:  # the board restarted or went away
        return [f"{name} を新しい仮想ボードで動かすと、止まってしまいました（{run.error}）。"]
    exc_type, _, exc_message = run.error.partition(": ")
    if exc_type == "SyntaxError":  # MicroPython's grammar is a little smaller than the PC's
        return _syntax_problems(code, name, learner_line(run.traceback, name), exc_message or exc_type)
    line = learner_line(run.traceback, name)
    if line is None:
        where = f"{then.strip()} を動かすと" if then.strip() else "動かすと"
        problems = [f"{name} を新しい仮想ボードで{where}、エラーになりました（ボードのエラー: {run.error}）。"]
    else:
        problems = [f"{name} を新しい仮想ボードで動かすと、{line} 行目でエラーになりました（ボードのエラー: {run.error}）。"]
        if _line_of(code, line):
            problems.append(f"{line} 行目: {_line_of(code, line)}")
    problems.append(board_error_hint(exc_type, exc_message, code))
    return problems


def record(sensors, *, rate_hz: float, n: int | None = None, duration_s: float | None = None,
           profile: str = "microbit_v2", scenario=None, **sources):
    """What the sensors of a fresh virtual board read under a scenario, as ``Board.stream``
    returns it (a DataFrame with ``t`` in seconds): the same numbers every run. The board
    never waits, so a day of readings takes about a second ("早送り").

    >>> from chiiki_iot.kit import Constant
    >>> record(["temperature", "board_temperature"], rate_hz=1, n=3, temperature=Constant(23.456))
         t  temperature  board_temperature
    0  0.0        23.46                 23
    1  1.0        23.46                 23
    2  2.0        23.46                 23
    """
    from .board import Board
    from .virtual import VirtualKit

    with VirtualKit(profile, speed=0) as kit:
        board = Board(kit.port, kit.profile, kit=kit, timeout=60.0)
        try:
            if scenario is not None or sources:
                board.scenario(scenario, **sources)
            df = board.stream(sensors, rate_hz=rate_hz, n=n, duration_s=duration_s, progress=False)
        finally:
            board.close()
    df["t"] = df["t"].round(6)
    return df


def _run(board, code: str, seconds: float, scenario, sources: dict, timeout: float | None) -> ProgramRun:
    from .values import parse_repr

    if scenario is not None or sources:
        board.scenario(scenario, **sources)
    board.exec(f"import time\ntime._stop_at(time._now_us() + {round(seconds * 1e6)})")
    chunks: list[str] = []
    error, tb = None, ""
    try:
        board.exec(code, on_output=chunks.append, timeout=timeout)
        ended = "finished"
    except DeviceError as e:
        if e.exc_type == "KeyboardInterrupt":
            ended = "time"
        else:
            ended, error, tb = "error", f"{e.exc_type}: {e.exc_message}".rstrip(": "), e.traceback
    except BoardTimeoutError:
        ended = "stuck"
    except KitError as e:  # the program reset the board, or the board went away
        ended, error = "error", str(e).splitlines()[0]
    board_ms, display, played, pins = 0, [], [], {}
    try:
        board.exec("import time\ntime._stop_at(-1)")
        board_ms, display, played, pins = parse_repr(board.exec(_STATE[board.profile.name]))
    except (KitError, ValueError, SyntaxError):  # a board that reset has nothing to report
        pass
    return ProgramRun(code=code, profile=board.profile.name, seconds=seconds, ended=ended,
                      output="".join(chunks), board_ms=int(board_ms), error=error, traceback=tb,
                      display=[tuple(d) for d in display], played=[tuple(p) for p in played],
                      pins=dict(pins))
