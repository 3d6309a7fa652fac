"""``VirtualKit``: one virtual board, served on a pty path like a USB serial port."""
from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path

from ..env import ENV_HOSTDIR, ENV_NAME, ENV_PROFILE, ENV_RADIO, ENV_SPEED, ENV_WORLD
from ..profiles import Profile, get_profile
from ..scenario import Scenario, WorldFile
from .engine import choose_engine, engine_label, firmware, link_modules
from .radio import RadioAir, default_air
from .relay import RELAYS, default_link



def _cleanup(state: dict, directory: Path) -> None:
    """Unplug and remove the temporary folder (on close(), garbage collection or exit)."""
    relay = state.get("relay")
    if relay is not None:
        relay.close()
    shutil.rmtree(directory, ignore_errors=True)


class VirtualKit:
    """A virtual micro:bit V2 or ESP32 running real MicroPython behind a pseudo-terminal.

    ``port`` is a device path that any serial tool can open (``mpremote connect PORT``):
    a pty path, or ``socket://127.0.0.1:N`` on Windows (``link="socket"``).
    ``speed`` is how fast board time runs against real time (1 = real time, 0 = never
    wait: tests and grading); it defaults to ``$CHIIKI_KIT_SPEED`` or 1.
    ``storage`` is the folder that plays the board's flash (default: a temporary folder,
    removed by ``close()``).

    >>> with VirtualKit("esp32", speed=0) as kit:          # doctest: +SKIP
    ...     print(kit.port)
    /dev/pts/4
    """

    def __init__(self, profile: str | Profile = "microbit_v2", *, speed: float | None = None,
                 engine: str | None = None, storage: str | os.PathLike | None = None,
                 air: RadioAir | None = None, name: str | None = None, link: str | None = None):
        self.profile = get_profile(profile)
        self.link = link or default_link()
        if self.link not in RELAYS:
            from ..errors import KitError

            raise KitError(f"仮想キットのつなぎ方 '{self.link}' はありません。pty か socket を指定してください。")
        self.engine = choose_engine(engine if engine or self.link == "pty" else "cpython")
        if speed is None:
            speed = float(os.environ.get(ENV_SPEED) or 1)
        self._speed = float(speed)
        self.dir = Path(tempfile.mkdtemp(prefix="chiiki-kit-"))
        self._state: dict = {"relay": None}  # shared with the finalizer, which must not hold self
        self._finalizer = weakref.finalize(self, _cleanup, self._state, self.dir)
        try:
            self._setup(storage, air, name)
        except BaseException:
            self._finalizer()
            raise

    def _setup(self, storage, air, name) -> None:
        self.flash = Path(storage) if storage is not None else self.dir / "flash"
        self.flash.mkdir(parents=True, exist_ok=True)
        self.host_dir = self.dir / "kit"  # mounted at /.kit on the board
        self.host_dir.mkdir()
        if self.engine == "unix":  # the unix port mounts these at /.kit (see _kit_boot.py)
            link_modules(self.profile.name, self.host_dir)
        self.world = WorldFile(self.host_dir / "world.json")
        self.air = air or default_air()
        self.name = name or f"virtual-{self.profile.name}-{os.getpid()}-{id(self) % 10000}"
        self.plug()

    # ---------------------------------------------------------------- identity
    @property
    def speed(self) -> float:
        """Board time per real time, fixed when the kit starts (the board's clock reads it at boot)."""
        return self._speed

    @property
    def engine_label(self) -> str:
        return engine_label(self.engine)

    @property
    def port(self) -> str:
        if self._relay is None or self._relay.closed:
            from ..errors import BoardNotFoundError

            raise BoardNotFoundError("(仮想キット: 抜かれています。kit.plug() で差し直せます)")
        return self._relay.port

    @property
    def _relay(self):
        return self._state["relay"]

    @property
    def plugged(self) -> bool:
        return self._relay is not None and not self._relay.closed

    @property
    def relay(self):
        """The ``PtyRelay`` or ``SocketRelay`` serving the port."""
        return self._relay

    def _env(self) -> dict[str, str]:
        return {
            ENV_HOSTDIR: str(self.host_dir),
            ENV_WORLD: "/.kit/world.json",
            ENV_SPEED: repr(self.speed),
            ENV_PROFILE: self.profile.name,
            ENV_RADIO: self.air.address,
            ENV_NAME: self.name,
            "HOME": str(self.dir),
        }

    # ---------------------------------------------------------------- the cable
    def plug(self) -> None:
        """Connect the board (again): a new pty and a freshly booted interpreter."""
        if self.plugged:
            return
        fw = firmware(self.engine, self.profile.name, self.flash, self._env(), self.link)
        self._state["relay"] = RELAYS[self.link](fw)

    def unplug(self) -> None:
        """Fault injection: pull the USB cable (the port disappears, the interpreter ends)."""
        if self._relay is not None:
            self._relay.close()

    def kill_interpreter(self) -> None:
        """Fault injection: the firmware crashes; the board reboots as a real one would."""
        self._relay.kill_interpreter()

    # ---------------------------------------------------------------- the world
    def set_scenario(self, scenario: Scenario) -> None:
        """Give the simulated sensors new sources (the board sees them within 0.1 s of board time)."""
        self.world.apply(scenario)

    def reset_scenario(self) -> None:
        self.world.reset()

    # ---------------------------------------------------------------- lifetime
    def close(self) -> None:
        """Unplug and delete the board's temporary files."""
        self._finalizer()

    def __enter__(self) -> "VirtualKit":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        state = self._relay.port if self.plugged else "unplugged"
        return f"<VirtualKit {self.profile.name} {self.engine} {state}>"

