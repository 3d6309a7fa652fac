"""``Board``: one object for a real micro:bit / ESP32 or a virtual board.

Everything goes through one raw-REPL session that stays open (``transport.RawRepl``),
so a call costs a round trip, not a process start.

>>> from chiiki_iot.kit import connect
>>> b = connect()                          # doctest: +SKIP
>>> b.exec("x = 21")                       # doctest: +SKIP
''
>>> b.eval("x * 2")                        # doctest: +SKIP
42
>>> b.read("temperature")                  # doctest: +SKIP
22.0
"""
from __future__ import annotations

import ast
import codecs
import os
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from mpremote.transport import Transport, TransportExecError

from .errors import (
    BoardDisconnectedError,
    BoardFileError,
    BoardNotFoundError,
    BoardResetError,
    DeviceError,
    KitError,
    PortBusyError,
    ScenarioError,
)
from .profiles import Profile, get_profile
from .transport import RawRepl
from .values import parse_repr

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .scenario import Scenario
    from .virtual import VirtualKit

DRIVERS_DIR = Path(__file__).resolve().parent / "device" / "drivers"
_DEFAULT = object()
# how long stop() waits for a virtual board's program to take the stop request at its next sleep
# before the Ctrl-C; a program that sleeps for longer (or never) gets the Ctrl-C
VIRTUAL_STOP_S = 1.0
PUT_TRIES = 4  # sends of one chunk (and of the whole file, and of a garbled call) before giving up

# Board side of verified file transfers (MicroPython 1.9 and later): Adler-32 as (a, b), so no
# long integers are needed; the file is read in small pieces (a micro:bit V1 has ~9 kB of heap).
_SUM_HELPERS = """\
def _ksum(d, a=1, b=0):
 for x in d:
  a = (a + x) % 65521
  b = (b + a) % 65521
 return a, b
def _kfsum(n):
 f = open(n, 'rb')
 s = 0
 a, b = 1, 0
 while True:
  d = f.read(64)
  if not d:
   break
  s += len(d)
  a, b = _ksum(d, a, b)
 f.close()
 return s, a, b
"""


class _ChunkFailed(Exception):
    """Internal: one chunk of a put() did not arrive whole after several sends."""


def _adler(data: bytes) -> tuple[int, int]:
    v = zlib.adler32(data)
    return v & 0xFFFF, v >> 16


def _compile_error(err: bytes) -> bool:
    """The board's traceback is a SyntaxError of the code as sent (nothing of it ran)."""
    text = err.decode("utf-8", "replace").strip()
    last = text.splitlines()[-1] if text else ""
    return last.startswith(("SyntaxError", "IndentationError")) and ", in " not in text


def _valid_python(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def defined_names(code: str) -> list[str]:
    """Top-level names that ``code`` defines (variables, functions, classes, imports), in order.

    >>> defined_names("import time\\nx = 1\\ndef f():\\n    y = 2\\nfor i in range(3): pass")
    ['time', 'x', 'f', 'i']
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []

    def targets(node) -> None:
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for e in node.elts:
                targets(e)

    def walk(body) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.extend((a.asname or a.name.split(".")[0]) for a in node.names if a.name != "*")
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    targets(t)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets(node.target)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                targets(node.target)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        targets(item.optional_vars)
            for field in ("body", "orelse", "finalbody"):
                if field in node._fields and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    walk(getattr(node, field))
            for handler in getattr(node, "handlers", []):
                walk(handler.body)

    walk(tree.body)
    return list(dict.fromkeys(n for n in names if not n.startswith("_")))


class _FsOverRepl(Transport):
    """mpremote's file helpers (``fs_readfile``, ``fs_writefile``, ...) over the Board's session."""

    def __init__(self, board: "Board"):
        self._board = board

    def exec(self, command, data_consumer=None):
        code = command if isinstance(command, bytes) else command.encode()
        out, err = self._board._send(code.decode(), timeout=self._board.timeout, on_output=data_consumer)
        if err:
            raise TransportExecError(out, err.decode("utf-8", "replace"))
        return out

    def eval(self, expression, parse=True):
        out = self.exec("print(repr({}))".format(expression))
        return parse_repr(out.decode()) if parse else out.strip()


class Board:
    """A board over one persistent serial connection.

    Use ``connect()`` rather than building one: it finds the board or starts the
    virtual kit. ``timeout`` (seconds, ``None`` = no limit) applies to every call unless
    the call gives its own; when it passes, the board is interrupted with Ctrl-C.
    """

    def __init__(self, port: str, profile: str | Profile = "microbit_v2", *,
                 kit: "VirtualKit | None" = None, timeout: float | None = 60.0,
                 baudrate: int = 115200, connect_timeout: float = 5.0,
                 serial_number: str | None = None):
        self.profile = get_profile(profile)
        self.kit = kit
        self.timeout = timeout
        self.serial_number = serial_number
        self._baudrate = baudrate
        self._connect_timeout = connect_timeout
        self._sensors_ready = False
        self._background = None  # (thread, state) of a program started with start()
        self.virtual_port = False  # a virtual kit served by another process (found by probing)
        self.plot = None  # the LivePlot of the last stream(plot=True): .fig, .ax
        self._defined: dict[str, None] = {}  # names earlier calls defined on the board (lost on a reset)
        self._mem_free: int | None = None
        self._helpers_ok = False  # the checksum helpers of put()/get() are defined on the board
        self._repl = self._open(port)

    def _open(self, port: str) -> RawRepl:
        return RawRepl(port, baudrate=self._baudrate, connect_timeout=self._connect_timeout,
                       profile_label=self.profile.label, guide=self.profile.guide)

    # ---------------------------------------------------------------- identity
    @property
    def port(self) -> str:
        return self._repl.port

    @property
    def is_virtual(self) -> bool:
        return self.kit is not None

    @property
    def speed(self) -> float:
        """Board seconds per real second: the virtual kit's clock (0 = never waits), 1.0 on a real board."""
        return self.kit.speed if self.kit is not None else 1.0

    @property
    def label(self) -> str:
        """Japanese description: which board, real or virtual, on which port."""
        if self.kit is not None:
            kind = f"仮想キット（{self.profile.label}, {self.kit.engine_label}）"
        elif self.virtual_port:
            kind = f"仮想キット（{self.profile.label}）"
        else:
            kind = f"{self.profile.label}（実機）"
        return f"{kind} {self.port}"

    def __repr__(self) -> str:
        kind = f"virtual {self.profile.name} ({self.kit.engine})" if self.kit else self.profile.name
        return f"<Board {kind} {self._repl.port}{' closed' if self._repl.closed else ''}>"

    # ---------------------------------------------------------------- running code
    def _timeout(self, timeout) -> float | None:
        return self.timeout if timeout is _DEFAULT else timeout

    def exec(self, code: str, *, timeout: float | None = _DEFAULT,
             on_output: Callable[[str], None] | None = None) -> str:
        """Run ``code`` on the board and return what it printed.

        ``on_output`` receives the printed text as it arrives (the ``%%board`` magic
        passes ``print``); then the return value is the same text, all of it.
        Raises ``DeviceError`` (with the board's traceback) if the code raises.
        """
        self._check_idle()
        self._check_size(code)
        chunks: list[str] = []
        consumer = None
        if on_output is not None:
            decoder = codecs.getincrementaldecoder("utf-8")("replace")

            def consumer(data: bytes) -> None:
                text = decoder.decode(data).replace("\r\n", "\n")
                if text:
                    chunks.append(text)
                    on_output(text)

        out, err = self._run(code, timeout=self._timeout(timeout), on_output=consumer)
        text = "".join(chunks) if on_output is not None else out.decode("utf-8", "replace").replace("\r\n", "\n")
        if err:
            raise DeviceError(err.decode("utf-8", "replace"), text, code=code)
        return text

    def _run(self, code: str, *, timeout, on_output=None) -> tuple[bytes, bytes]:
        """One call through the session; a board that restarts meanwhile raises
        ``BoardResetError`` naming what it lost (what earlier calls defined)."""
        try:
            result = self._send(code, timeout=timeout, on_output=on_output)
        except BoardResetError as e:
            lost = list(self._defined)
            self._defined.clear()
            self._sensors_ready = False
            self._mem_free = None
            self._helpers_ok = False
            raise BoardResetError(e.after, lost=lost) from None
        self._defined.update(dict.fromkeys(defined_names(code)))
        return result

    def _send(self, code: str, *, timeout, on_output=None) -> tuple[bytes, bytes]:
        """Run ``code``; if it went without flow control, send it again if bytes were lost on the way.

        The plain raw REPL has no flow control: a board busy for a moment (a garbage collection)
        loses what overflows its UART buffer. Lost bytes nearly always break the syntax, and
        the board reports a ``SyntaxError`` before running anything: when CPython finds the
        same code valid, the board did not get what was sent, and it is sent again.
        """
        for attempt in range(PUT_TRIES):
            out, err = self._repl.run(code.encode(), timeout=timeout, on_output=on_output)
            if not (err and self._repl.sent_plain and _compile_error(err) and _valid_python(code)):
                break
        return out, err

    def _check_size(self, code: str) -> None:
        """Refuse, before sending, a program too big for the board to compile (it would lock up)."""
        limit = self.profile.max_code_bytes
        size = len(code.encode())
        if limit and size > limit:
            raise KitError(
                f"このプログラム（{size:,} バイト）は {self.profile.label} には大きすぎるので、送りませんでした"
                f"（目安 {limit:,} バイトまで。{self.profile.label} は Python が使えるメモリが少なく、"
                "大きなプログラムを送ると固まります）。プログラムをいくつかのセルに分けて、順に実行してください。"
            )

    def _check_idle(self) -> None:
        if self._background is not None:
            if self._background[0].is_alive():
                raise KitError("ボードでプログラムが動いています（board.start()）。board.stop() で止めてから実行してください。")
            self._background = None  # it ended by itself

    def eval(self, expr: str, *, timeout: float | None = _DEFAULT):
        """The value of ``expr`` on the board, as a Python value (numbers, str, list, dict, ...)."""
        out = self.exec(f"print(repr(({expr})))", timeout=timeout)
        try:
            return parse_repr(out)
        except (ValueError, SyntaxError):
            raise KitError(
                f"ボードの値 {out.strip()[:80]!r} は Python の値に変換できません。"
                "数・文字列・リスト・辞書になる式を指定するか、exec() で print してください。"
            ) from None

    def interrupt(self) -> None:
        """Ctrl-C: stop whatever runs on the board (variables are kept)."""
        self._repl.interrupt()

    def start(self, code: str, *, on_output: Callable[[str], None] | None = None) -> None:
        """Start ``code`` on the board and return at once; ``stop()`` ends it.

        Meanwhile the notebook stays free: sliders (``widgets.sliders``) change the
        virtual world while the program runs. Output goes to ``on_output`` (default:
        kept, and returned by ``stop()``).
        """
        import threading

        if self._background is not None:
            raise KitError("ボードでプログラムが動いています。board.stop() で止めてから実行してください。")
        chunks: list[str] = []
        decoder = codecs.getincrementaldecoder("utf-8")("replace")

        def consumer(data: bytes) -> None:
            text = decoder.decode(data).replace("\r\n", "\n")
            chunks.append(text)
            if on_output is not None:
                on_output(text)

        state: dict = {"chunks": chunks, "code": code}

        def follow() -> None:
            try:
                _, err = self._repl.finish(None, consumer, None)
                state["err"] = err
            except Exception as e:  # noqa: BLE001 - handed to stop()
                state["error"] = e

        self._repl.start(code.encode())
        thread = threading.Thread(target=follow, name="kit-board-program", daemon=True)
        self._background = (thread, state)
        thread.start()

    def stop(self, timeout: float = 10.0) -> str:
        """Stop the program ``start()`` began (Ctrl-C) and return everything it printed."""
        if self._background is None:
            return ""
        thread, state = self._background
        if thread.is_alive():
            request = self._virtual_stop_request()
            if request is not None:  # a virtual board stops at its program's next sleep
                request.touch()
                thread.join(min(timeout, VIRTUAL_STOP_S))
            if thread.is_alive():
                self._repl.interrupt()  # from this thread: a Ctrl-C; the follower reads the end
                thread.join(timeout)
            if request is not None:
                request.unlink(missing_ok=True)  # not taken (the program never slept): not for the next one
        self._background = None
        if "error" in state:
            raise state["error"]
        err = state.get("err", b"").decode("utf-8", "replace")
        if err and "KeyboardInterrupt" not in err:
            raise DeviceError(err, "".join(state["chunks"]), code=state["code"])
        return "".join(state["chunks"])

    def _virtual_stop_request(self) -> Path | None:
        """The file that asks a virtual board's program to stop at its next sleep (``sim/common/time.py``):
        safer than the unix port's Ctrl-C, which can interrupt its interpreter anywhere."""
        host_dir = getattr(self.kit, "host_dir", None) if self.is_virtual else None
        return Path(host_dir) / "stop" if host_dir is not None else None

    @property
    def running(self) -> bool:
        """True while a program started with ``start()`` runs."""
        return self._background is not None and self._background[0].is_alive()

    def reset(self) -> None:
        """Soft reset: the board's Python starts afresh (variables are lost, files stay)."""
        self._repl.soft_reset()
        self._sensors_ready = False
        self._defined.clear()
        self._mem_free = None
        self._helpers_ok = False

    # ---------------------------------------------------------------- files
    @property
    def _fs(self) -> _FsOverRepl:
        self._check_idle()
        return _FsOverRepl(self)

    def _file_error(self, e: Exception, name: str) -> BoardFileError:
        text = str(e)
        if "ENOSPC" in text or getattr(e, "errno", None) == 28:
            return BoardFileError(f"ボードの保存領域がいっぱいで {name} を書けません。board.ls() で不要なファイルを探し、board.rm() で消してください。")
        if "ENOENT" in text or getattr(e, "errno", None) == 2:
            return BoardFileError(f"ボードに {name} がありません。board.ls() でファイル名を確かめてください。")
        return BoardFileError(f"ボードのファイル {name} を扱えませんでした（{text}）。")

    def _check_name(self, name: str, size: int | None = None) -> str:
        if self.profile.flat_fs:
            name = name.lstrip("/")
            if "/" in name:
                raise BoardFileError(
                    f"{self.profile.label} にはフォルダがありません。'{name}' ではなく '{name.rsplit('/', 1)[-1]}' のように"
                    "ファイル名だけを指定してください。"
                )
            if size is not None and self.profile.max_file_bytes and size > self.profile.max_file_bytes:
                raise BoardFileError(
                    f"{name} は {size:,} バイトあり、{self.profile.label} には大きすぎます"
                    f"（目安 {self.profile.max_file_bytes:,} バイトまで）。コメントを減らすか、ファイルを分けてください。"
                )
        return name

    def put(self, src: str | os.PathLike | bytes, dest: str | None = None) -> str:
        """Copy a host file (or bytes) to the board; returns the name on the board.

        On micro:bit there are no folders: give a plain file name.
        On ESP32 missing folders are created (``dest="/lib/bme280.py"``).
        """
        if isinstance(src, (bytes, bytearray)):
            if dest is None:
                raise BoardFileError("bytes を送るときは dest= にボード上のファイル名を指定してください。")
            data = bytes(src)
        else:
            data = Path(src).read_bytes()
            dest = dest or Path(src).name
        name = self._check_name(dest, len(data))
        self._check_idle()
        try:
            if not self.profile.flat_fs and "/" in name.strip("/"):
                self._makedirs(name.rsplit("/", 1)[0])
            self._write_verified(name, data)
        except (OSError, TransportExecError, DeviceError) as e:
            raise self._file_error(e, name) from None
        return name

    def _call(self, code: str, timeout: float | None = _DEFAULT) -> str:
        """An internal call (not the learner's): its names are not the learner's state."""
        out, err = self._send(code, timeout=self._timeout(timeout))
        text = out.decode("utf-8", "replace").strip()
        if err:
            raise DeviceError(err.decode("utf-8", "replace"), text, code=code)
        return text

    def _chunk_limit(self) -> int:
        """Bytes of source per chunk of a file transfer, sized to the board's free memory."""
        if self._mem_free is None:
            try:
                self._mem_free = int(self._call("import gc\ngc.collect()\nprint(gc.mem_free())"))
            except (DeviceError, ValueError):
                self._mem_free = 16_000
        return max(128, min(4096, self._mem_free // 8))

    def _ensure_helpers(self) -> None:
        """Define the checksum helpers on the board once per session, and check them: on firmware
        without flow control the definition itself may lose bytes on the way."""
        if self._helpers_ok:
            return
        # made on the board (nothing more to send), long enough for both sums to wrap at 65521
        probe = bytes(range(256)) * 3
        for _ in range(PUT_TRIES):
            try:
                if self._call(_SUM_HELPERS + "print(_ksum(bytes(range(256)) * 3))") == str(_adler(probe)):
                    self._helpers_ok = True
                    return
            except DeviceError:
                pass
        raise BoardFileError("ボードとのデータのやりとりで、送った内容が何度も欠けました。USB ケーブルを"
                             "短いデータ通信用のものに替えて、board.reconnect() を実行してから、もう一度試してください。")

    def _board_sum(self, name: str) -> tuple[int, int, int]:
        self._ensure_helpers()
        out = self._call(f"print(_kfsum({name!r}))")
        try:
            got = parse_repr(out)
        except (ValueError, SyntaxError):
            got = None
        if not (isinstance(got, tuple) and len(got) == 3):
            self._helpers_ok = False
            return (-1, -1, -1)
        return got

    def _write_verified(self, name: str, data: bytes) -> None:
        """Write ``data`` chunk by chunk; each chunk is checked on the board (length and
        Adler-32) before it is written, and sent again if bytes were lost or changed on the
        way. Then the whole file is checked (size and Adler-32 computed on the board)."""
        want = (len(data), *_adler(data))
        problem = ""
        for _ in range(PUT_TRIES):
            limit = self._chunk_limit()
            self._ensure_helpers()
            self._call(f"_kf = open({name!r}, 'wb')\n_kn = 0")
            try:
                pos = 0
                while pos < len(data):
                    size = min(len(data) - pos, limit)
                    while size > 16 and len(repr(data[pos:pos + size])) > limit:
                        size //= 2
                    pos = self._write_chunk(data[pos:pos + size], pos)
            except _ChunkFailed as e:
                problem = f"{e.args[0]:,} バイト目からの部分が届きませんでした"
                self._helpers_ok = False  # perhaps a garbled helper: define it again, send the file again
                continue
            finally:
                self._call("_kf.close()")
            got = tuple(self._board_sum(name))
            if got == want:
                self._call("del _kf, _kn")
                return
            problem = f"{want[0]:,} バイト送って {got[0]:,} バイト届きました"
            self._helpers_ok = False  # a garbled helper sums wrong: define it again
        raise BoardFileError(
            f"{name} をボードに {PUT_TRIES} 回送りましたが、正しく届きませんでした（{problem}）。"
            "USB ケーブルを短いデータ通信用のものに替えて、board.reconnect() を実行してから、もう一度 board.put() を実行してください。"
        )

    def _write_chunk(self, chunk: bytes, pos: int) -> int:
        a, b = _adler(chunk)
        end = pos + len(chunk)
        # written only if it arrived whole and not written before (a lost reply is sent again)
        code = (f"_kd = {chunk!r}\nif _kn == {pos} and len(_kd) == {len(chunk)} and _ksum(_kd) == ({a}, {b}):\n"
                f" _kf.write(_kd)\n _kn = {end}\ndel _kd\nprint(_kn)")
        last: Exception | None = None
        for _ in range(PUT_TRIES):
            try:
                out = self._call(code)
            except DeviceError as e:  # bytes lost on the way make the code itself wrong
                if e.exc_type == "OSError":
                    raise
                last = e
                continue
            if out == str(end):
                return end
            if out != str(pos):  # neither before nor after this chunk: the board's count is lost
                break
        raise _ChunkFailed(pos, last)

    def _makedirs(self, folder: str) -> None:
        self.exec(
            "import os\n"
            f"p=''\nfor d in {folder!r}.strip('/').split('/'):\n"
            f" p+=('/' if {folder!r}.startswith('/') or p else '')+d\n"
            " try:\n  os.mkdir(p)\n except OSError:\n  pass"
        )

    def get(self, src: str, dest: str | os.PathLike | None = None) -> bytes:
        """Read a board file; also write it to ``dest`` on the host if given."""
        name = self._check_name(src)
        try:
            for _ in range(PUT_TRIES):
                data = bytes(self._fs.fs_readfile(name, chunk_size=256 if self.profile.max_code_bytes else 512))
                want = tuple(self._board_sum(name))
                if (len(data), *_adler(data)) == want:
                    break
                self._helpers_ok = False
            else:
                raise BoardFileError(f"ボードの {name} を {PUT_TRIES} 回読みましたが、途中でデータが欠けました。"
                                     "USB ケーブルを確かめて、もう一度 board.get() を実行してください。")
        except (OSError, TransportExecError, DeviceError) as e:
            raise self._file_error(e, name) from None
        if dest is not None:
            Path(dest).write_bytes(data)
        return data

    def ls(self, folder: str = "") -> list[str]:
        """File names on the board (folders end with '/')."""
        if self.profile.flat_fs:
            return sorted(self.eval("__import__('os').listdir()"))
        try:
            entries = self._fs.fs_listdir(folder)
        except (OSError, TransportExecError) as e:
            raise self._file_error(e, folder or "/") from None
        return sorted(e.name + ("/" if e.st_mode & 0x4000 else "") for e in entries)

    def rm(self, name: str) -> None:
        """Delete a file on the board."""
        name = self._check_name(name)
        try:
            self._fs.fs_rmfile(name)
        except (OSError, TransportExecError) as e:
            raise self._file_error(e, name) from None

    # ---------------------------------------------------------------- sensors
    def install_drivers(self, names: Iterable[str] | None = None) -> list[str]:
        """Copy the lab drivers (``device/drivers/*.py``) to a real board.

        The virtual kit has them already. Returns the names written.
        """
        files = sorted(p for p in DRIVERS_DIR.glob("*.py") if p.name != "__init__.py")
        if names is not None:
            wanted = set(names)
            files = [p for p in files if p.stem in wanted or p.name in wanted]
        self._check_runs_labs(sum(p.stat().st_size for p in files))
        written = []
        for path in files:
            dest = f"{self.profile.driver_dir}/{path.name}" if self.profile.driver_dir else path.name
            written.append(self.put(path, dest))
        self._sensors_ready = False
        return written

    def _check_runs_labs(self, size: int | None = None) -> None:
        """Say, before anything is uploaded, that the lab drivers cannot run on this board."""
        if self.profile.runs_labs:
            return
        if size is None:
            size = sum(p.stat().st_size for p in DRIVERS_DIR.glob("*.py"))
        if self.profile.name == "microbit_v1":
            raise KitError(
                f"センサーのラボは micro:bit V1 では動きません（ラボのドライバーは合計 {size:,} バイトあり、"
                "V1 の Python が使えるメモリ約 9 kB に入りません）。何も送っていません。"
                "micro:bit V2（裏に「V2」と書かれたもの）につなぎ替えるか、connect('virtual') で仮想キットを使ってください。"
                "V1 でできること・できないことは hardware_kits/microbit_v1/README.md にあります。"
            )
        raise KitError(
            f"このボード（{self.profile.label}）は、ラボが使える種類（micro:bit V2 / ESP32）かどうかわからないので、"
            "ラボのドライバーを送りませんでした。micro:bit V2 か ESP32 なら connect(ポート, profile='esp32') のように"
            "種類を指定してつなぎ直してください。"
        )

    def _ensure_sensors(self) -> None:
        if self._sensors_ready:
            return
        if not self.is_virtual:
            self._check_runs_labs()
        try:
            self._import_sensors()
        except DeviceError as e:
            if e.exc_type != "ImportError" or self.is_virtual:
                raise
            self.install_drivers()
            self._import_sensors()
        self._sensors_ready = True

    def _import_sensors(self) -> None:
        try:
            self.exec("import kit_sensors")
        except DeviceError as e:
            if e.exc_type != "MemoryError":
                raise
            if self._forget_half_imported():
                then = "読み込みかけのモジュールは消したので、ほかの変数を del で消すか board.reset() をしてから、"
            else:
                lost = ", ".join(list(self._defined)[:12])
                self.reset()
                then = ("読み込みかけのモジュールを消すために、ボードをリセットしました（変数"
                        + (f"（{lost}）" if lost else "") + "は消えています）。必要なセルを実行し直してから、")
            raise KitError(
                f"ラボのドライバーを読み込む途中で {self.profile.label} のメモリが足りなくなりました。{then}"
                "もう一度実行してください。"
            ) from None

    def _forget_half_imported(self) -> bool:
        """A module whose import failed half-way stays loaded on MicroPython: the next import would
        hand it over without its functions (an ``AttributeError`` later). Drop it from
        ``sys.modules``; False where the firmware has none (micro:bit V1): only a reset clears it."""
        stems = [p.stem for p in DRIVERS_DIR.glob("*.py")]
        out = self._call(f"import sys, gc\nif hasattr(sys, 'modules'):\n for _n in {stems!r}:\n  sys.modules.pop(_n, None)\n"
                         "gc.collect()\nprint(hasattr(sys, 'modules'))")
        return out == "True"

    def sensors(self) -> list[str]:
        """Names that ``read()`` and ``stream()`` accept on this board."""
        self._ensure_sensors()
        return self.eval("kit_sensors.names()")

    def read(self, sensor: str, *, timeout: float | None = _DEFAULT):
        """One reading of ``sensor`` (e.g. ``"temperature"``, ``"distance_cm"``, ``"accel_x"``)."""
        self._ensure_sensors()
        try:
            return self.eval(f"kit_sensors.read({sensor!r})", timeout=timeout)
        except DeviceError as e:
            raise self._sensor_error(e, [sensor]) from None

    def _sensor_error(self, e: DeviceError, names: list[str]) -> KitError:
        if e.exc_type == "KeyError":
            known = ", ".join(self.sensors())
            return ScenarioError(f"センサー名 {e.exc_message} はこのボードにありません。使える名前: {known}")
        if e.exc_type == "OSError":
            return KitError(
                f"センサー（{', '.join(names)}）が応答しません（{e.exc_message}）。"
                f"{self.profile.guide.replace('flashing.md', 'wiring.md')} の配線表どおりにつながっているか確かめてください。"
            )
        return e

    def stream(self, sensors: str | Iterable[str], *, rate_hz: float | None = None,
               n: int | None = None, duration_s: float | None = None,
               csv: str | os.PathLike | None = None, plot: bool = False,
               progress: bool | None = None, timeout: float | None = _DEFAULT) -> "pd.DataFrame":
        """Sample ``sensors`` on the board and return a DataFrame (column ``t`` in seconds).

        Sampling runs on the board (``rate_hz`` per second, or as fast as it can), for
        ``n`` samples or ``duration_s`` seconds of board time, or until you press stop
        (■ / Ctrl-C: what arrived is returned). With ``csv=`` every sample is appended to
        that file as it arrives; an existing file with the same columns is continued.
        ``plot=True`` draws a live plot, ``progress`` shows a progress bar (default: on
        long captures).
        """
        from .stream import capture

        names = [sensors] if isinstance(sensors, str) else list(sensors)
        self._check_idle()
        self._ensure_sensors()
        return capture(self, names, rate_hz=rate_hz, n=n, duration_s=duration_s, csv=csv,
                       plot=plot, progress=progress,
                       timeout=None if timeout is _DEFAULT else timeout)

    def run_streaming(self, code: str, on_data: Callable[[bytes], None], *,
                      timeout: float | None = None, sensors: Iterable[str] = ()) -> None:
        """Run ``code`` on the board and hand what it prints to ``on_data`` as it arrives.

        The transport half of ``stream()`` (``stream.capture`` turns the bytes into rows).
        ``on_data`` gets raw bytes, a line possibly cut in two; nothing is kept here, so
        a capture can run for hours. Stops with ``BoardTimeoutError`` after ``timeout``
        seconds (``None`` = no limit), ``KeyboardInterrupt`` when the notebook is stopped
        (the board is interrupted either way), ``BoardResetError`` when the board restarts
        and ``BoardDisconnectedError`` when the cable is pulled. If ``code`` raises on the
        board, the error says which of ``sensors`` failed and what to check.
        """
        self._check_idle()
        _, err = self._run(code, timeout=timeout, on_output=on_data)
        if err:
            raise self._sensor_error(DeviceError(err.decode("utf-8", "replace")), list(sensors))

    # ---------------------------------------------------------------- virtual world
    def scenario(self, scenario: "Scenario | None" = None, **sources) -> None:
        """Virtual kit only: set what the simulated sensors measure.

        ``board.scenario(temperature=Ramp(20, 30, duration=60), motion=Pulses(at=[5]))``
        or ``board.scenario(Scenario.from_yaml("heat.yaml"))``. Each source set here
        starts at scenario time 0 now.
        """
        from .scenario import Scenario

        if self.kit is None:
            raise ScenarioError(
                "実機のセンサーにはシナリオを設定できません（本物の環境を測ります）。"
                "シナリオは仮想キット connect('virtual') で使ってください。"
            )
        scenario = scenario or Scenario()
        if sources:
            scenario = Scenario(**{**scenario.sources, **sources})
        self.kit.set_scenario(scenario)
        self.exec("import _world\n_world.reload()")

    # ---------------------------------------------------------------- connection
    def reconnect(self, timeout: float = 30.0) -> None:
        """Open the connection again after the cable was pulled (waits up to ``timeout`` s).

        A real board is found again by its USB serial number (its port name may change);
        a virtual one when its kit is plugged in again (``kit.plug()``).
        """
        from .detect import port_by_serial_number

        self._repl.close()
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                if self.kit is not None:
                    port = self.kit.port
                elif self.serial_number:
                    port = port_by_serial_number(self.serial_number) or self._repl.port
                else:
                    port = self._repl.port
                self._repl = self._open(port)
                self._sensors_ready = False
                self._defined.clear()  # a board plugged in again (or reset) starts afresh
                self._mem_free = None
                self._helpers_ok = False
                return
            except (BoardNotFoundError, BoardDisconnectedError, PortBusyError) as e:
                last = e
                time.sleep(0.2)
        raise last or BoardNotFoundError(self._repl.port)

    def close(self) -> None:
        """Close the connection (a virtual kit started by ``connect()`` is stopped too)."""
        self._repl.close()
        if self.kit is not None and getattr(self, "_owns_kit", False):
            self.kit.close()

    def __enter__(self) -> "Board":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
