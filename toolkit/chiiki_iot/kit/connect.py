"""``connect()``: the board you asked for, the board on USB, or the virtual kit.

Which board, in order: the ``board`` argument, the ``CHIIKI_KIT_BOARD`` environment
variable (a trainer sets it once for a room), the ``%board`` magic (which calls this), and
otherwise ``"auto"``. Values:

=====================  ==========================================================
``"auto"``             the first micro:bit V2 / ESP32 on USB, else the virtual kit
``"virtual"``          the virtual kit (profile: ``profile=`` or ``CHIIKI_KIT_PROFILE``)
``"virtual:esp32"``    the virtual kit with that profile
``"microbit"``         the first real micro:bit on USB (error if there is none)
``"esp32"``            the first real ESP32 on USB (error if there is none)
a port                 ``/dev/ttyACM0``, ``COM3``, ``rfc2217://host:4000``, a virtual kit's pty
=====================  ==========================================================
"""
from __future__ import annotations

import os
import weakref

from .board import Board
from .detect import find_boards
from .env import ENV_BOARD, ENV_PROFILE
from .errors import DeviceError, KitError, NotMicroPythonError
from .profiles import PROFILES, Profile, get_profile, profile_for_machine, unknown_profile
from .values import parse_repr

DEFAULT_PROFILE = "microbit_v2"

_CURRENT: Board | None = None
_OPENED: "weakref.WeakSet[Board]" = weakref.WeakSet()

# What the board says it is: the virtual kit's profile, sys.platform, the machine (os.uname(),
# or sys.implementation._machine where there is no uname) and whether it has folders.
_PROBE = (
    f"import sys\ntry:\n import uos\n p=uos.getenv({ENV_PROFILE!r})\nexcept Exception:\n p=None\n"
    "try:\n import os\n m=os.uname().machine\nexcept Exception:\n m=getattr(sys.implementation,'_machine','')\n"
    "try:\n import os\n d=hasattr(os,'mkdir')\nexcept Exception:\n d=False\n"
    "print(repr((p, sys.platform, m, d)))"
)


def current_board() -> Board | None:
    """The board most recently returned by ``connect()`` (used by the ``%%board`` magic)."""
    return _CURRENT


def _remember(board: Board) -> Board:
    global _CURRENT
    _CURRENT = board
    _OPENED.add(board)
    return board


def connect(board: str | None = None, *, profile: str | Profile | None = None,
            speed: float | None = None, timeout: float | None = 60.0, quiet: bool = False) -> Board:
    """Connect to a board and return it (see the module docstring for ``board``).

    ``profile`` picks the virtual board's kind (``"microbit_v2"`` or ``"esp32"``) or
    names a real board's kind when its port does not tell. ``speed`` is the virtual
    clock's speed (1 = real time, 0 = never wait). ``quiet`` hides the notice that says
    which board is in use.
    """
    spec = (board or os.environ.get(ENV_BOARD) or "auto").strip()
    key = spec.lower()
    if key == "auto":
        found = find_boards()
        if found:
            return _remember(_real(found[0].port, found[0].profile, found[0].serial_number, timeout, quiet))
        return _remember(_virtual(profile, speed, timeout, quiet, fallback=True))
    if key == "virtual" or key.startswith("virtual:"):
        kind = spec.split(":", 1)[1] if ":" in spec else profile
        return _remember(_virtual(kind, speed, timeout, quiet, fallback=False))
    if key in ("microbit", "micro:bit", "microbit_v2", "esp32"):
        wanted = get_profile(key)
        found = [b for b in find_boards() if b.profile is wanted]
        if not found:
            raise KitError(
                f"USB に {wanted.label} が見つかりません。データ通信用の USB ケーブルでつないでから、もう一度"
                f" connect('{spec}') を実行してください。実機がなければ connect('virtual:{wanted.name}') で"
                "仮想キットを使えます。"
            )
        return _remember(_real(found[0].port, wanted, found[0].serial_number, timeout, quiet))
    # A port by name: its USB IDs, if it has known ones, say which board it is (for messages) and its serial number.
    known = next((b for b in find_boards() if b.port == spec), None)
    if known is not None and profile is None:
        return _remember(_real(spec, known.profile, known.serial_number, timeout, quiet))
    return _remember(_real(spec, profile, None, timeout, quiet))


def _real(port: str, profile: str | Profile | None, serial_number: str | None,
          timeout: float | None, quiet: bool) -> Board:
    # Running the connect() cell again: the board from last time still holds the port.
    took_over = False
    for old in list(_OPENED):
        if old.port == port and not old._repl.closed:
            old._repl.close(to_friendly_repl=False)  # we enter the raw REPL again at once
            old.close()
            took_over = True
    try:
        b = Board(port, profile or DEFAULT_PROFILE, timeout=timeout, serial_number=serial_number)
    except NotMicroPythonError:
        if not took_over:
            raise
        # it answered a moment ago: still busy with the old connection's last bytes, so once more
        b = Board(port, profile or DEFAULT_PROFILE, timeout=timeout, serial_number=serial_number)
    virtual_kind, platform, machine, has_folders = _probe(b)
    b.virtual_port = bool(virtual_kind)
    said = get_profile(virtual_kind) if virtual_kind in PROFILES else profile_for_machine(platform, machine)
    notice = ""
    if profile is None:
        if said is not None:
            b.profile = said
        else:
            # never a guess: a board the kit does not know gets a profile from what it answered
            b.profile = unknown_profile(platform, machine, bool(has_folders))
            notice = (f"このボードの種類はわかりませんでした（sys.platform={platform!r}, {machine!r}）。"
                      "ファイルとプログラムは使えますが、センサーのラボは使えません。"
                      f"micro:bit V2 か ESP32 なら connect({port!r}, profile='esp32') のように種類を指定してください。")
    elif said is not None and said is not b.profile and said.name.startswith("microbit") \
            and b.profile.name.startswith("microbit"):
        # a micro:bit's USB chip is the same on V1 and V2: its firmware tells which it is
        b.profile = said
    if b.profile.name == "microbit_v1":
        notice = ("micro:bit V1 です。V1 は Python が使えるメモリが少ない（約 9 kB）ので、プログラムの実行と"
                  "ファイルは使えますが、センサーのラボ（ドライバー）は使えません。詳しくは "
                  "hardware_kits/microbit_v1/README.md を読んでください。")
    if not quiet:
        print(f"{b.label} につなぎました。" + notice)
    return b


def _probe(b: Board) -> tuple:
    """What the board says it is. A micro:bit always names its machine: an empty one means the
    probe lost bytes on the way (firmware without flow control) and is asked again."""
    for _ in range(3):
        try:
            answer = parse_repr(b._call(_PROBE, timeout=5))
        except (DeviceError, ValueError, SyntaxError):
            continue
        if isinstance(answer, tuple) and len(answer) == 4 and (answer[2] or answer[1] not in ("microbit",)):
            return answer
    raise KitError(f"{b.port} のボードが何かを確かめられませんでした。USB ケーブルを確かめて、もう一度 connect() を実行してください。")


def _virtual(profile: str | Profile | None, speed: float | None, timeout: float | None,
             quiet: bool, fallback: bool) -> Board:
    from .virtual import VirtualKit

    kit = VirtualKit(profile or os.environ.get(ENV_PROFILE) or DEFAULT_PROFILE, speed=speed)
    try:
        b = Board(kit.port, kit.profile, kit=kit, timeout=timeout)
    except BaseException:
        kit.close()
        raise
    b._owns_kit = True
    if not quiet:
        if fallback:
            print(
                f"USB に実機のボード（micro:bit V2 / ESP32）が見つからなかったので、仮想キットを使います: {b.label}。"
                "実機を使うときは、USB ケーブルでつないでから connect() をもう一度実行してください。"
            )
        else:
            print(f"仮想キットを使います: {b.label}。")
    return b
