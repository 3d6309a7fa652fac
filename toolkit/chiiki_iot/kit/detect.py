"""Find real boards on USB serial ports (pyserial's ``list_ports``, matched by VID/PID)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from serial.tools import list_ports
from serial.tools.list_ports_common import ListPortInfo

from .profiles import Profile, profile_for_usb


@dataclass(frozen=True)
class FoundBoard:
    """A USB serial port that looks like a supported board."""

    port: str
    profile: Profile
    description: str
    serial_number: str | None


def find_boards(ports: Iterable[ListPortInfo] | None = None) -> list[FoundBoard]:
    """Supported boards among ``ports`` (default: the ports the OS reports now).

    micro:bit first, then ESP32, each in port-name order, so a room with mixed boards
    picks the same one every time.
    """
    if ports is None:
        ports = list_ports.comports()
    found = []
    for info in ports:
        profile = profile_for_usb(info.vid, info.pid)
        if profile is not None:
            found.append(FoundBoard(info.device, profile, info.description or "", info.serial_number))
    order = {"microbit_v2": 0, "esp32": 1}
    return sorted(found, key=lambda b: (order.get(b.profile.name, 9), b.port))


def port_by_serial_number(serial_number: str) -> str | None:
    """The port where the USB device with this serial number is now (after re-plugging)."""
    for info in list_ports.comports():
        if info.serial_number == serial_number:
            return info.device
    return None
