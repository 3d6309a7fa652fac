"""The air between virtual micro:bits: a UDP hub on localhost that carries ``radio`` packets.

Each virtual board's ``radio`` module (``device/sim/microbit_v2/radio.py``) sends its packets
to the hub; the hub passes each packet to every other board it has heard from. Channel,
group and address filtering happen on the receiving board, as on real radios.
"""
from __future__ import annotations

import socket
import threading

HELLO = b"H"  # a board announcing itself (sent by radio.on())
PACKET = b"P"  # a radio packet: b"P" + header + payload


class RadioAir:
    """One shared air for all virtual boards of this process (``address`` goes to the boards)."""

    def __init__(self, host: str = "127.0.0.1"):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((host, 0))
        self.address = "%s:%d" % self._sock.getsockname()
        self._peers: set[tuple[str, int]] = set()
        self.packets = 0
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="kit-radio-air", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._closed:
            try:
                data, peer = self._sock.recvfrom(512)
            except OSError:
                return
            if not data:
                continue
            self._peers.add(peer)
            if data[:1] != PACKET:
                continue
            self.packets += 1
            for other in list(self._peers):
                if other != peer:
                    try:
                        self._sock.sendto(data, other)
                    except OSError:
                        self._peers.discard(other)

    def close(self) -> None:
        self._closed = True
        self._sock.close()


_DEFAULT: RadioAir | None = None
_LOCK = threading.Lock()


def default_air() -> RadioAir:
    """The air shared by every virtual board started in this Python process."""
    global _DEFAULT
    with _LOCK:
        if _DEFAULT is None:
            _DEFAULT = RadioAir()
        return _DEFAULT
