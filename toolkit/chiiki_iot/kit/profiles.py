"""Board profiles: what the host needs to know about each kind of board.

A profile names a board family the curriculum supports. It says how to recognise the
board on USB, how its filesystem behaves, and where its kit guide lives. The device side
of a profile (the simulated modules of the virtual kit) is in ``device/sim/<name>/``.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """One supported board family.

    ``usb_ids`` lists (VID, PID) pairs; a PID of ``None`` matches every product of the
    vendor. ``flat_fs`` is True where the filesystem has no directories and no
    ``os.stat`` (micro:bit); ``max_file_bytes`` is a cautious per-file limit there.
    ``driver_dir`` is where the lab drivers go on a real board. ``max_code_bytes`` is the
    largest program the board can compile in one call (``None``: no practical limit);
    ``runs_labs`` is False where the lab drivers do not fit in the board's memory.
    """

    name: str
    label: str
    usb_ids: tuple[tuple[int, int | None], ...]
    flat_fs: bool
    max_file_bytes: int | None
    driver_dir: str
    guide: str
    max_code_bytes: int | None = None
    runs_labs: bool = True


MICROBIT_V2 = Profile(
    name="microbit_v2",
    label="micro:bit V2",
    # Arm DAPLink interface chip of every micro:bit (CMSIS-DAP + USB serial).
    usb_ids=((0x0D28, 0x0204),),
    flat_fs=True,
    # The micro:bit filesystem is a small area of flash shared by every file; stay well below it.
    max_file_bytes=20_000,
    driver_dir="",
    guide="hardware_kits/microbit_v2/flashing.md",
)

# micro:bit V1 (nRF51822, 16 kB RAM) running MicroPython 1.0.1: about 9 kB of heap, no raw-paste.
# Its USB interface chip has the same ids as a V2's: it is told apart by what the firmware says
# (os.uname().machine "micro:bit v1.0.1 with nRF51822"), never by USB.
MICROBIT_V1 = Profile(
    name="microbit_v1",
    label="micro:bit V1",
    usb_ids=(),
    flat_fs=True,
    max_file_bytes=20_000,
    driver_dir="",
    guide="hardware_kits/microbit_v1/flashing.md",
    # measured in QEMU on the uflash firmware: 4 kB of source compiles, 5 kB locks the board
    max_code_bytes=3_000,
    runs_labs=False,
)

ESP32 = Profile(
    name="esp32",
    label="ESP32",
    usb_ids=(
        (0x10C4, 0xEA60),  # Silicon Labs CP210x (ESP32-DevKitC and most clones)
        (0x1A86, 0x7523),  # WCH CH340
        (0x1A86, 0x55D4),  # WCH CH9102 (newer DevKitC-class boards)
        (0x0403, 0x6001),  # FTDI FT232R
        (0x0403, 0x6010),  # FTDI FT2232 (ESP-Prog, WROVER-KIT)
        (0x303A, None),  # Espressif native USB (ESP32-S2/S3/C3/C6: USB-Serial/JTAG, TinyUSB CDC)
    ),
    flat_fs=False,
    max_file_bytes=None,
    driver_dir="/lib",
    guide="hardware_kits/esp32/flashing.md",
)

PROFILES: dict[str, Profile] = {p.name: p for p in (MICROBIT_V2, ESP32, MICROBIT_V1)}
ALIASES = {"microbit": "microbit_v2", "micro:bit": "microbit_v2", "ubit": "microbit_v2", "esp32": "esp32",
           "microbit_v1": "microbit_v1", "v1": "microbit_v1"}


def profile_for_machine(platform: str, machine: str) -> Profile | None:
    """The profile of a board from what its firmware says (``sys.platform``, ``os.uname().machine``).

    >>> profile_for_machine("microbit", "micro:bit v1.0.1 with nRF51822").name
    'microbit_v1'
    >>> profile_for_machine("microbit", "micro:bit v2.0.0 with nRF52833").name
    'microbit_v2'
    >>> profile_for_machine("qemu", "mps2-an385 with Cortex-M3") is None
    True
    """
    platform, machine = str(platform).lower(), str(machine).lower()
    if platform == "microbit" or "micro:bit" in machine:
        return MICROBIT_V1 if "nrf51" in machine else MICROBIT_V2
    if platform == "esp32" or "esp32" in machine:
        return ESP32
    return None


def unknown_profile(platform: str, machine: str, has_folders: bool) -> Profile:
    """A profile for a MicroPython board the kit does not know, built from what it answered."""
    return Profile(
        name="unknown",
        label=f"MicroPython ボード（{machine or platform}）",
        usb_ids=(),
        flat_fs=not has_folders,
        max_file_bytes=None,
        driver_dir="/lib" if has_folders else "",
        guide="hardware_kits/README.md",
        runs_labs=False,
    )


def get_profile(name: str | Profile) -> Profile:
    """Return the profile called ``name`` (aliases such as ``"microbit"`` work)."""
    if isinstance(name, Profile):
        return name
    key = ALIASES.get(name.lower(), name.lower())
    try:
        return PROFILES[key]
    except KeyError:
        from .errors import KitError

        raise KitError(
            f"ボードの種類 '{name}' は使えません。{', '.join(PROFILES)} のどれかを指定してください。"
        ) from None


def profile_for_usb(vid: int | None, pid: int | None) -> Profile | None:
    """The profile whose USB ids match, or None for an unknown USB device."""
    if vid is None:
        return None
    for profile in PROFILES.values():
        for v, p in profile.usb_ids:
            if v == vid and (p is None or p == pid):
                return profile
    return None
