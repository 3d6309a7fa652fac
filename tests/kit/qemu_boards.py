"""Real bare-metal MicroPython firmware in QEMU, as boards for the kit's tests.

Two firmwares, both run by Debian's ``qemu-system-arm`` (``./academy test`` installs it as root):

* ``"microbit_v1"``: the micro:bit **V1** MicroPython 1.0.1 runtime that the PyPI package ``uflash``
  ships (what the Python Editor flashes onto a V1: no raw-paste mode, about 9 kB of heap), under
  ``-M microbit``. The universal hex is turned into a flat image here, at test time.
* ``"mps2"``: MicroPython v1.29 ``ports/qemu`` (Cortex-M3, LittleFS in RAM, raw-paste) from
  ``../shared/firmware/`` beside the checkout, under ``-M mps2-an385`` (it needs ``-semihosting``:
  without it the firmware stops at its first semihosting call and never prints).

The Board never talks to QEMU's pty directly: a relay in this process gives it a pty of its own
and moves host->board bytes at most at 115,200 baud (11,520 bytes/s), as a real UART does; QEMU's
UART would otherwise take them far faster than a real board. Board->host bytes are not paced.
The reset button is QEMU's ``system_reset`` (QMP).

Without QEMU the tests are skipped, except in CI (``CI`` set), where they fail.

    from qemu_boards import QemuBoard, skip_without_qemu
"""
from __future__ import annotations

import fcntl
import json
import os
import select
import socket
import struct
import subprocess
import termios
import threading
import time
import tty
from pathlib import Path

import pytest

from debian_programs import DebianProgram

REPO = Path(__file__).resolve().parents[2]
FIRMWARE_DIR = REPO.parent / "shared" / "firmware"
MPS2_ELF = FIRMWARE_DIR / "micropython-qemu-mps2-an385.elf"
UART_BYTES_PER_S = 115200 // 10  # 8N1: ten bits per byte
START_BOUND_S = 30.0  # bounds a failure only: QEMU prints its pty at once

# skipped without QEMU, except in CI (there ``require_qemu`` fails the test): tests/debian_programs.py
_QEMU = DebianProgram("qemu-system-arm", "qemu-system-arm", "実機ファームウェアのテスト")
QEMU = _QEMU.path
skip_without_qemu = _QEMU.skip_unless_present
require_qemu = _QEMU.require


def microbit_v1_image(folder: Path) -> Path:
    """The V1 section (board id 0x9900) of uflash's universal hex, as a flat image from address 0."""
    import uflash

    path = folder / f"microbit-v1-micropython-{uflash.MICROPYTHON_V1_VERSION}.bin"
    if path.exists():
        return path
    parts: dict[int, bytes] = {}
    section, base = None, 0
    for line in uflash._RUNTIME.split():
        n, addr, kind = int(line[1:3], 16), int(line[3:7], 16), int(line[7:9], 16)
        data = bytes.fromhex(line[9:9 + 2 * n])
        if kind == 0x0A:  # universal hex: a block for one board id
            section = data[:2].hex()
        elif kind == 0x04:  # extended linear address
            base = int.from_bytes(data, "big") << 16
        elif kind == 0x00 and section == "9900" and base < 0x10000000:  # flash, not UICR
            parts[base + addr] = data
    image = bytearray(b"\xff" * max(a + len(d) for a, d in parts.items()))
    for a, d in parts.items():
        image[a:a + len(d)] = d
    path.write_bytes(image)
    return path


class PacedPty:
    """A pty for the Board, relayed to QEMU's serial line; host->board bytes paced like a UART.

    QEMU's serial port is a pty of ours (``wire``: QEMU opens its slave as a host tty), so the
    relay can see how many bytes QEMU has not taken yet. It sends at most 115,200 baud **and**
    never more than a few bytes ahead of the guest: when the host is loaded and QEMU does not
    run for a moment, the bytes wait on the wire instead of reaching the guest in one burst
    when QEMU runs again (a real UART never delivers faster than its baud rate). QEMU's UART
    model reads its host tty only when the guest's receiver has room.

    The relay holds its own end of the Board's pty open, so the Board may close and reopen
    it (``reconnect()``); when QEMU goes away (``alive()`` false), the Board's pty is closed
    too (a pulled cable).
    """

    AHEAD = 8  # bytes the relay may be ahead of the guest: one piece

    def __init__(self, alive, bytes_per_s: float | None = UART_BYTES_PER_S):
        self.bytes_per_s = bytes_per_s
        self._alive = alive
        self._master, slave = os.openpty()
        tty.setraw(slave)
        self.port = os.ttyname(slave)
        self._slave = slave
        self._target, self._wire = os.openpty()  # QEMU opens the wire's slave path
        tty.setraw(self._wire)
        self.wire = os.ttyname(self._wire)
        self._wake_r, self._wake_w = os.pipe()
        self._stopping = False
        self._drop_in: int | None = None  # host->board bytes still to pass before one is dropped
        self.dropped = 0
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start relaying (once QEMU has opened the wire)."""
        self._threads = [threading.Thread(target=self._pump, args=(self._master, self._target, True), daemon=True),
                         threading.Thread(target=self._pump, args=(self._target, self._master, False), daemon=True)]
        for t in self._threads:
            t.start()

    def _unread(self) -> int:
        """Bytes on the wire that QEMU has not taken yet."""
        return struct.unpack("i", fcntl.ioctl(self._wire, termios.FIONREAD, b"\0\0\0\0"))[0]

    def _wait_for_guest(self) -> bool:
        """Until QEMU has taken all but ``AHEAD`` bytes; False if the relay is stopping or QEMU is gone."""
        while self._unread() > self.AHEAD:
            if self._stopping or not self._alive():
                return False
            ready, _, _ = select.select([self._wake_r], [], [], 0.001)
            if ready:
                return False
        return True

    def _pump(self, src: int, dst: int, paced: bool) -> None:
        budget_start, sent = time.monotonic(), 0
        try:
            while not self._stopping:
                ready, _, _ = select.select([src, self._wake_r], [], [], 0.2)
                if self._wake_r in ready:
                    return
                if not ready:
                    if not self._alive():
                        break
                    continue
                data = os.read(src, 64 if paced else 4096)
                if not data:
                    break
                if paced and self._drop_in is not None:
                    if self._drop_in < len(data):
                        data = data[:self._drop_in] + data[self._drop_in + 1:]
                        self._drop_in = None
                        self.dropped += 1
                    else:
                        self._drop_in -= len(data)
                if not paced or self.bytes_per_s is None:
                    os.write(dst, data)
                    continue
                now = time.monotonic()
                if now > budget_start + sent / self.bytes_per_s:  # the line was idle: no credit from it
                    budget_start, sent = now, 0
                for b in range(0, len(data), self.AHEAD):
                    if not self._wait_for_guest():
                        return
                    piece = data[b:b + self.AHEAD]
                    os.write(dst, piece)
                    sent += len(piece)
                    delay = budget_start + sent / self.bytes_per_s - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)  # the pace of the wire, not a wait for an event
                    elif delay < -0.05:  # QEMU kept the bytes waiting: the wire was idle meanwhile
                        budget_start, sent = time.monotonic(), 0
        except OSError:
            pass
        if not self._stopping:  # QEMU went away: so does the Board's serial port
            self._close_fds()

    def drop_byte(self, after: int) -> None:
        """Fault injection: lose one host->board byte, the one after the next ``after`` bytes."""
        self.dropped = 0
        self._drop_in = after

    def _close_fds(self) -> None:
        for name in ("_master", "_slave", "_target", "_wire"):
            fd = getattr(self, name)
            if fd is not None:
                setattr(self, name, None)
                try:
                    os.close(fd)
                except OSError:
                    pass

    def close(self) -> None:
        self._stopping = True
        os.write(self._wake_w, b"x")
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(5)
        self._close_fds()
        os.close(self._wake_r)
        os.close(self._wake_w)


class QemuBoard:
    """One QEMU running a MicroPython firmware; ``port`` is the paced serial port for ``Board``.

    ``press_reset()`` is the reset button, ``kill()`` pulls the power. Use it as a context
    manager (or call ``close()`` in a ``finally``): QEMU is stopped and waited for.
    """

    def __init__(self, firmware: str, workdir: Path, *, paced: bool = True):
        qemu = require_qemu()
        self.firmware = firmware
        self._qmp_path = str(workdir / f"qmp-{firmware}-{os.getpid()}-{id(self)}.sock")
        if firmware == "microbit_v1":
            machine = ["-M", "microbit", "-device", f"loader,file={microbit_v1_image(workdir)},addr=0"]
        elif firmware == "mps2":
            if not MPS2_ELF.exists():
                pytest.fail(f"{MPS2_ELF} がありません（../shared/firmware/README.md を読んでください）。", pytrace=False)
            machine = ["-M", "mps2-an385", "-kernel", str(MPS2_ELF), "-semihosting"]
        else:
            raise ValueError(firmware)
        self.relay = PacedPty(lambda: self.proc.poll() is None, UART_BYTES_PER_S if paced else None)
        cmd = [qemu, *machine, "-serial", self.relay.wire, "-display", "none", "-monitor", "none",
               "-qmp", f"unix:{self._qmp_path},server=on,wait=off"]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        except BaseException:
            self.relay.close()
            raise
        try:
            self._wait_for_qmp()
            self.relay.start()
        except BaseException:
            self.close()
            raise

    def _wait_for_qmp(self) -> None:
        """Until QEMU is up (its QMP socket answers): by then it has opened the serial wire."""
        deadline = time.monotonic() + START_BOUND_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"QEMU ended at start: {self.proc.stdout.read()!r}")
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(START_BOUND_S)
                    s.connect(self._qmp_path)
                    s.makefile("rb").readline()  # the greeting
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    @property
    def port(self) -> str:
        return self.relay.port

    def _qmp(self, command: str) -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(START_BOUND_S)
            s.connect(self._qmp_path)
            f = s.makefile("rwb")
            f.readline()  # greeting
            for cmd in ("qmp_capabilities", command):
                f.write(json.dumps({"execute": cmd}).encode() + b"\n")
                f.flush()
                while b'"return"' not in (line := f.readline()):  # events may come first
                    if not line:
                        raise RuntimeError("QMP closed")

    def press_reset(self) -> None:
        """The reset button on the back of the board."""
        self._qmp("system_reset")

    def kill(self) -> None:
        """Power off: QEMU ends, the serial port goes away."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
        finally:
            if self.relay is not None:
                self.relay.close()
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            with_suppressed(os.unlink, self._qmp_path)

    def __enter__(self) -> "QemuBoard":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _die_with_parent() -> None:
    """In the child before exec: QEMU gets SIGKILL when the test process dies (even by SIGKILL)."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def with_suppressed(fn, *args) -> None:
    try:
        fn(*args)
    except OSError:
        pass
