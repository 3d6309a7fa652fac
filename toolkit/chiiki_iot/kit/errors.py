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


class KitError(Exception):
    """Base class of every kit-layer error (message in Japanese)."""


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


class BoardResetError(KitError):
    """The board restarted while running a call."""

    def __init__(self, after: bytes = b""):
        self.after = after  # what the board printed after restarting (used to resynchronise)
        super().__init__(
            "実行中にボードが再起動しました（電源・リセットボタン・machine.reset()・クラッシュなど）。"
            "ボード上の変数は消えています。必要なセルをもう一度実行してください。"
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


class DeviceError(KitError):
    """Code running on the board raised an exception.

    ``exc_type`` and ``exc_message`` come from the last line of the board's traceback,
    which is kept whole in ``traceback``.
    """

    def __init__(self, traceback: str, output: str = ""):
        self.traceback = traceback.strip()
        self.output = output
        last = self.traceback.splitlines()[-1] if self.traceback else ""
        m = _LAST_LINE.match(last)
        self.exc_type = m.group("type") if m else "Error"
        self.exc_message = (m.group("msg") or "") if m else last
        hint = _HINTS.get(self.exc_type, "下のトレースバックの最後の行を読んでください。")
        super().__init__(
            f"ボードの上でエラーが起きました: {last}\n{hint}\n--- ボードのトレースバック ---\n{self.traceback}"
        )
