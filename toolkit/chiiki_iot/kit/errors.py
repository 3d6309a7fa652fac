"""Errors of the kit layer. Every message is Japanese and says what to do next.

All derive from ``KitError``; catch that to handle any kit problem::

    try:
        df = board.stream("temperature", duration_s=600, csv="room.csv")
    except BoardDisconnectedError as e:
        print(e)            # what happened and what to do, in Japanese
        e.partial           # the samples received before the cable came out
"""
from __future__ import annotations

import re
from pathlib import Path


class KitError(Exception):
    """Base class of every kit-layer error (message in Japanese).

    ``learner_message_only``: a notebook shows the error as its message alone, without
    the Python traceback through the toolkit (the message already says what happened on
    the board and what to do next). The notebook-wide error help installed by
    ``chiiki_iot.checks.Checks`` honours this class attribute.
    """

    learner_message_only = True


class BoardNotFoundError(KitError):
    """No board at the requested port."""

    def __init__(self, port: str):
        super().__init__(
            f"ポート {port} にボードが見つかりません。USB ケーブルがデータ通信用か、"
            "しっかり差さっているかを確かめてから、もう一度 connect() を実行してください。"
            "実機がなくても connect('virtual') で仮想キットを使えます。"
        )
        self.port = port


class PortBusyError(KitError):
    """Another program holds the serial port."""

    def __init__(self, port: str):
        super().__init__(
            f"ポート {port} は別のプログラムが使っています。Thonny・Mu・ほかのノートブック・"
            "mpremote・シリアルモニタなどを閉じてから、もう一度 connect() を実行してください。"
        )
        self.port = port


class PortPermissionError(KitError):
    """The operating system refuses access to the serial port."""

    def __init__(self, port: str):
        super().__init__(
            f"ポート {port} を開く権限がありません。Linux では `sudo usermod -aG dialout $USER` を"
            "実行してからログインし直してください。研修用 PC では管理者に相談してください。"
        )
        self.port = port


class NotMicroPythonError(KitError):
    """Something answers on the port, but not a MicroPython REPL."""

    def __init__(self, port: str, profile_label: str = "ボード", guide: str = "hardware_kits/"):
        super().__init__(
            f"ポート {port} の{profile_label}では MicroPython が動いていないようです"
            "（REPL が応答しません）。"
            f"{guide} の「MicroPython の書き込み」の手順でファームウェアを書き込んでから、"
            "もう一度 connect() を実行してください。"
        )
        self.port = port


class BoardDisconnectedError(KitError):
    """The board went away during a call (cable pulled, board powered off)."""

    def __init__(self, port: str, saved: str | None = None, count: int = 0):
        msg = f"ボード（{port}）との接続が切れました。USB ケーブルを確かめて差し直し、board.reconnect() を実行してください。"
        if saved:
            msg += (
                f"それまでに受け取った {count} 件のデータは {saved} に保存済みです。"
                "同じ csv= を指定して stream() を実行すると、そのファイルに続きを追記します。"
            )
        super().__init__(msg)
        self.port = port
        self.saved = saved
        self.count = count
        self.partial = None  # DataFrame of the samples received, set by stream()


class BoardTimeoutError(KitError):
    """A call did not finish in time; the board was interrupted."""

    def __init__(self, seconds: float):
        super().__init__(
            f"ボードの処理が {seconds:g} 秒以内に終わらなかったので、Ctrl-C で中断しました。"
            "無限ループになっていないか確かめてください。長くかかる処理なら timeout= を大きくしてください。"
        )
        self.seconds = seconds
        self.partial = None


class BoardNotRespondingError(BoardTimeoutError):
    """A board that answered before has stopped answering: Ctrl-C (repeated) and opening the
    link again did not bring its REPL back (a call stuck in C, a program that swallows
    Ctrl-C with a bare ``except:``, a crash). Not the same as "MicroPython is not running"."""

    def __init__(self, port: str, profile_label: str = "ボード", seconds: float | None = None):
        first = (f"ボードの処理が {seconds:g} 秒以内に終わらなかったので Ctrl-C を何度か送りましたが、"
                 if seconds is not None else "")
        KitError.__init__(
            self,
            f"{first}ボード（{profile_label}, {port}）が応答しなくなりました（Ctrl-C を何度送っても、接続を開き直しても"
            "止まりません）。`except:` で Ctrl-C まで受け止めているループか、止められない処理（センサーの待ちなど）"
            "かもしれません。ファームウェアを書き込み直す必要はありません。"
            f"{_reset_button(profile_label)}を押してから、board.reconnect() を実行してください。"
            "ループの中では `except:` ではなく `except Exception:` と書くと、Ctrl-C で止められます。"
        )
        self.port = port
        self.seconds = seconds
        self.partial = None


def _reset_button(profile_label: str) -> str:
    if "micro:bit" in profile_label:
        return "micro:bit の裏のリセットボタン"
    if "ESP32" in profile_label:
        return "ESP32 の EN（RST）ボタン"
    return "ボードのリセットボタン"


class BoardResetError(KitError):
    """The board restarted while running a call.

    ``lost`` names what the board no longer has (variables, functions, imported modules
    defined by earlier calls); ``partial`` is set by ``stream()``.
    """

    def __init__(self, after: bytes = b"", lost: list[str] | None = None):
        self.after = after  # what the board printed after restarting (used to resynchronise)
        self.lost = list(lost or [])
        if self.lost:
            shown = ", ".join(self.lost[:12]) + (" など" if len(self.lost) > 12 else "")
            gone = f"それまでのセルで作った変数・関数・モジュール（{shown}）は消えています。"
        else:
            gone = "ボード上の変数は消えています。"
        super().__init__(
            "実行中にボードが再起動しました（電源・リセットボタン・machine.reset()・クラッシュ・"
            f"メモリ不足など）。{gone}それらを作るセルを上から順にもう一度実行してください。"
        )
        self.partial = None


class BoardFileError(KitError):
    """A file operation the board cannot do."""


class ScenarioError(KitError):
    """A scenario or sensor name the kit does not know."""


_HINTS = {
    "NameError": "名前のつづり（大文字・小文字）を確かめるか、その名前を作るセルを先に実行してください。",
    "ImportError": "そのモジュールはこのボードにありません。ボードの種類を確かめるか、board.put() でファイルを送ってください。",
    "SyntaxError": "書き方（文法）に誤りがあります。示された行の括弧・コロン・字下げを確かめてください。",
    "IndentationError": "字下げ（行頭の空白）がそろっていません。スペースの数をそろえてください。",
    "TypeError": "値の種類（数・文字列・リストなど）が合っていません。",
    "ValueError": "値の範囲や形が合っていません。",
    "ZeroDivisionError": "0 で割ろうとしました。",
    "MemoryError": "ボードのメモリが足りません。大きなリストを作らない、データを少しずつ送るなどしてください。",
    "OSError": "ファイルかセンサーにアクセスできませんでした。ファイル名や配線を確かめてください。",
    "KeyboardInterrupt": "Ctrl-C で中断しました。",
    "AttributeError": "そのオブジェクトにはその名前の機能がありません。つづりとボードの種類を確かめてください。",
    "IndexError": "リストの範囲の外を読もうとしました。",
    "KeyError": "辞書にそのキーがありません。",
}
_LAST_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<msg>.*))?$")


_FRAME = re.compile(r'File "(?P<file>[^"]*)", line (?P<line>\d+)')
_QUOTED_NAME = re.compile(r"(?:has no attribute|name) '(?P<name>[A-Za-z_]\w*)'")
_DEVICE_DIR = Path(__file__).resolve().parent / "device"
_known_names: set[str] | None = None


def learner_line(traceback: str, filename: str = "<stdin>") -> int | None:
    """The line of the learner's code where the board's error happened: the innermost
    frame in ``filename`` (the code sent to the board), not in the kit's own modules."""
    lines = [int(m.group("line")) for m in _FRAME.finditer(traceback) if m.group("file") == filename]
    return lines[-1] if lines else None


def _board_names() -> set[str]:
    """Every name the board modules of the virtual kit define or use (for spelling hints)."""
    global _known_names
    if _known_names is None:
        import builtins

        names = set(dir(builtins))
        for path in _DEVICE_DIR.rglob("*.py"):
            names.update(re.findall(r"[A-Za-z_]\w*", path.read_text(encoding="utf-8")))
        _known_names = {n for n in names if len(n) > 2}
    return _known_names


def misspelt_name(exc_type: str, exc_message: str) -> str | None:
    """The name a NameError or AttributeError is about (``'was_presed'``), else None."""
    if exc_type not in ("NameError", "AttributeError"):
        return None
    m = _QUOTED_NAME.search(exc_message)
    return m.group("name") if m else None


def board_error_hint(exc_type: str, exc_message: str = "", code: str = "") -> str:
    """What a board's error means and what to try, in Japanese (a spelling guess for a
    name the board does not know, from the board modules and the learner's ``code``)."""
    name = misspelt_name(exc_type, exc_message)
    if name is not None:
        import difflib

        candidates = _board_names() | set(re.findall(r"[A-Za-z_]\w*", code))
        candidates.discard(name)
        close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.75)
        guess = f"（`{close[0]}` ではありませんか）" if close else ""
        where = "名前はありません" if exc_type == "NameError" else "名前の機能はありません"
        return (f"`{name}` という{where}。名前のつづりがちがうのかもしれません{guess}。"
                "大文字・小文字も確かめてください。"
                + ("その名前を作るセルがあれば、先に実行してください。" if exc_type == "NameError" else
                   "ボードの種類（micro:bit / ESP32）で使える名前がちがうこともあります。"))
    return _HINTS.get(exc_type, "下のトレースバックの最後の行を読んでください。")


class DeviceError(KitError):
    """Code running on the board raised an exception.

    ``exc_type`` and ``exc_message`` come from the last line of the board's traceback,
    which is kept whole in ``traceback``; ``line`` is the line of the code sent to the
    board where it happened (None when the error came from elsewhere), ``code`` that code
    when the caller gave it.

    >>> e = DeviceError('''Traceback (most recent call last):
    ...   File "<stdin>", line 2, in <module>
    ... ZeroDivisionError: divide by zero''', code="x = 1\\ny = x / 0\\n")
    >>> print(str(e).split("---")[0])
    ボードの上でエラーが起きました（ZeroDivisionError: divide by zero）。
      場所: ボードで動かしたコードの 2 行目 → y = x / 0
      0 で割ろうとしました。
      → その行を直して、もう一度実行してください。
    <BLANKLINE>
    """

    def __init__(self, traceback: str, output: str = "", code: str | None = None):
        self.traceback = traceback.strip()
        self.output = output
        self.code = code
        last = self.traceback.splitlines()[-1] if self.traceback else ""
        m = _LAST_LINE.match(last)
        self.exc_type = m.group("type") if m else "Error"
        self.exc_message = (m.group("msg") or "") if m else last
        self.line = learner_line(self.traceback)
        lines = [f"ボードの上でエラーが起きました（{last}）。"]
        if self.line is not None:
            where = f"  場所: ボードで動かしたコードの {self.line} 行目"
            source = code.splitlines() if code else []
            if 0 < self.line <= len(source) and source[self.line - 1].strip():
                where += f" → {source[self.line - 1].strip()}"
            lines.append(where)
        lines.append("  " + board_error_hint(self.exc_type, self.exc_message, code or ""))
        if self.exc_type != "KeyboardInterrupt":
            lines.append("  → その行を直して、もう一度実行してください。" if self.line is not None
                         else "  → 下のトレースバックの最後の行を手がかりに直して、もう一度実行してください。")
        lines.append(f"--- ボードのトレースバック ---\n{self.traceback}")
        super().__init__("\n".join(lines))
