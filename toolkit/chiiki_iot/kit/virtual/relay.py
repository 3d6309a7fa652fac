"""The virtual USB cable: a port that looks like a board's serial port, joined to an interpreter.

Two links, one behaviour (``BoardSide``):

* ``PtyRelay`` (Linux, macOS): a pseudo-terminal whose slave path (``/dev/pts/N``) host
  tools open exactly as they open ``/dev/ttyACM0`` (``Board``, ``mpremote``,
  micropython-magic); the interpreter runs on a second pty, its controlling terminal.
* ``SocketRelay`` (Windows, which has no pty): a TCP port on 127.0.0.1 that pyserial and
  mpremote open as ``socket://127.0.0.1:N``; the interpreter (the CPython fallback engine)
  runs on pipes and handles Ctrl-C itself.

Facts the pty link relies on (measured with the MicroPython unix port 1.29):

* Both ptys are raw (no ``\\n`` -> ``\\r\\n``), or mpremote's prompt matching fails.
* The interpreter pty keeps ``ISIG`` on in its saved termios. The unix port switches the
  terminal to raw while its REPL waits for input and back to the saved mode while code
  runs, so a Ctrl-C byte sent during execution becomes SIGINT -> ``KeyboardInterrupt``
  (the board's UART interrupt), and at the prompt it stays an ordinary byte.
* In raw-paste mode the unix port runs the code without switching the terminal back, so
  the line discipline cannot see Ctrl-C. The relay follows the raw REPL and, for a
  Ctrl-C while code runs and the terminal has ISIG off, sends SIGINT itself. A call runs
  from the host's Ctrl-D to the board's next EOF (after the raw-paste acknowledgement):
  pyexec disables the interrupt before it prints that EOF, and a SIGINT then would end
  the process. Never two at once: a second SIGINT before the first is handled also ends it.

And on both links: Ctrl-D at the raw REPL, ``sys.exit()`` or a crash end the interpreter
process. A board does a soft reboot instead, so the relay starts the interpreter again,
prints ``MPY: soft reboot`` and, if the host was in the raw REPL, puts the new interpreter
back into it, swallowing the start-up banner a board would not print.
"""
from __future__ import annotations

import errno
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Sequence

from ..env import ENV_BOOT, ENV_LINK

CTRL_A, CTRL_B, CTRL_C, CTRL_D, CTRL_E = 0x01, 0x02, 0x03, 0x04, 0x05
SOFT_REBOOT = b"MPY: soft reboot\r\n"
FRIENDLY_PROMPT = b">>> "
# Until the REPL's first prompt the host's bytes wait: a Ctrl-C would hit CPython starting
# the interpreter, or MicroPython between its boot script and its REPL (both end the
# process). The boot script prints READY (never shown to the host) just before it runs
# main.py, so that a Ctrl-C can stop main.py, as on a board.
READY = b"\x1bKIT-READY\x1b\n"
_HIGH_WATER = 1 << 16  # bytes buffered towards the host before the interpreter is paused
_MAX_QUICK_RESTARTS = 5  # restarts within _QUICK_WINDOW seconds before the board is "dead"
_QUICK_WINDOW = 2.0


@dataclass
class Firmware:
    """How to start the program that plays the board's firmware.

    On the pty link ``argv`` must make fd 0 its controlling terminal (see ``engine.py``).
    ``soft_reboot`` is False for firmware that is not MicroPython (fault injection).
    """

    argv: Sequence[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    soft_reboot: bool = True
    ready_marker: bytes | None = READY


class BoardSide:
    """What the board end of the cable does around the REPL, whatever the link.

    It watches the bytes both ways: which REPL the host asked for (Ctrl-A raw, Ctrl-B
    friendly), whether a raw-REPL call is running, and the boot of a (re)started
    interpreter, whose input waits and whose banner may be swallowed.
    """

    def __init__(self, firmware: Firmware):
        self.firmware = firmware
        self.raw_mode = False
        self.holding = False  # host input waits until the REPL prompt or READY
        self.booting = False  # swallowing a restart banner (host input waits too)
        self.in_call = False  # the host sent code in the raw REPL and it runs
        self._eofs_to_skip = 0  # raw-paste: the EOF acknowledging the code comes first
        self._paste_asked = False
        self._paste = False
        self._boot_buf = bytearray()
        self._restarts: list[float] = []
        self.dead = False
        self.restart_count = 0
        self.calls = 0  # raw-REPL calls begun (a Ctrl-C is muted only within the call it was sent in)

    @property
    def input_open(self) -> bool:
        return not (self.booting or self.holding)

    def spawned(self) -> None:
        self.holding = self.firmware.ready_marker is not None
        self._boot_buf.clear()

    def from_host(self, data: bytes) -> bool:
        """Note what the host sent; True if it holds a Ctrl-C for a running call."""
        interrupt = False
        for b in data:
            if b == CTRL_A:
                self.raw_mode = True
            elif b == CTRL_B:
                self.raw_mode = False
            elif b == CTRL_E and self.raw_mode:
                self._paste_asked = True
            elif b == CTRL_D and self.raw_mode:
                self.in_call = True
                self.calls += 1
                self._eofs_to_skip = 1 if self._paste else 0
                self._paste = False
            elif b == CTRL_C and self.in_call:
                interrupt = True
        return interrupt

    def from_board(self, data: bytes) -> tuple[bytes, bytes]:
        """What the interpreter printed -> (bytes for the host, bytes to send it first)."""
        to_board = b""
        if self.holding:
            # release the host's input once the REPL reads (its prompt) or main.py runs (READY)
            self._boot_buf += data
            marker = self.firmware.ready_marker
            i = self._boot_buf.find(marker)
            if i >= 0:
                data = bytes(self._boot_buf[:i] + self._boot_buf[i + len(marker):])
            elif FRIENDLY_PROMPT in self._boot_buf:
                data = bytes(self._boot_buf)
            else:
                return b"", b""
            self._boot_buf.clear()
            self.holding = False
        if self.booting:
            self._boot_buf += data
            i = self._boot_buf.find(FRIENDLY_PROMPT)
            if i < 0:
                return b"", b""
            data = bytes(self._boot_buf[i + len(FRIENDLY_PROMPT):])
            self._boot_buf.clear()
            self.booting = False
            to_board = b"\x01"  # back into the raw REPL before anything queued
        if self._paste_asked and b"R" in data:
            self._paste_asked = False
            self._paste = b"R\x01" in data
        if self.in_call and b"\x04" in data:
            for b in data:
                if b == CTRL_D:
                    if self._eofs_to_skip:
                        self._eofs_to_skip -= 1
                    else:
                        self.in_call = False
                        break
        return data, to_board

    def exited(self, returncode: int | None) -> bool:
        """The interpreter ended: True if it should be started again (a reboot).

        A clean exit (Ctrl-D at the raw REPL, ``sys.exit()``, ``machine.reset()``) is a soft
        reboot: a board in the raw REPL stays there. A crash (killed by a signal) is a hard
        reset: the board comes back at its friendly REPL, after ``main.py``.
        """
        if returncode is None or returncode < 0 or (os.name == "nt" and returncode not in (0, 1)):
            self.raw_mode = False
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < _QUICK_WINDOW] + [now]
        if not self.firmware.soft_reboot or len(self._restarts) > _MAX_QUICK_RESTARTS:
            self.dead = True  # a board that keeps crashing: leave the port silent
            return False
        self.restart_count += 1
        self.in_call = False
        self.booting = self.raw_mode
        return True

    def boot_env(self) -> dict[str, str]:
        return {**os.environ, **self.firmware.env, ENV_BOOT: "raw" if self.raw_mode else "normal"}


class PtyRelay(BoardSide):
    """Serve one virtual board on a pty path until ``close()``.

    >>> relay = PtyRelay(firmware)          # doctest: +SKIP
    >>> relay.port                           # doctest: +SKIP
    '/dev/pts/7'
    """

    def __init__(self, firmware: Firmware):
        super().__init__(firmware)
        self._port_master, self._port_slave = raw_pty()
        self.port = os.ttyname(self._port_slave)
        self._proc: subprocess.Popen | None = None
        self._interp_master = -1
        self._to_host = bytearray()
        self._to_interp = bytearray()
        self._last_sigint = 0.0
        self._sigint_call = -1  # the call the last SIGINT went to
        self.sigints = 0  # SIGINTs the relay sent (Ctrl-C during a raw-paste call)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._port_master, False)
        os.set_blocking(self._wake_r, False)
        self._closing = False
        self._spawn()
        self._thread = threading.Thread(target=self._loop, name=f"kit-relay {self.port}", daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- process
    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def _spawn(self) -> None:
        master, slave = raw_pty(keep_isig=True)
        self._proc = subprocess.Popen(
            list(self.firmware.argv),
            stdin=slave, stdout=slave, stderr=slave,
            cwd=self.firmware.cwd, env=self.boot_env(),
            start_new_session=True, close_fds=True,
        )
        os.close(slave)
        os.set_blocking(master, False)
        self._interp_master = master
        self.spawned()

    def _reap(self) -> None:
        if self._interp_master >= 0:
            os.close(self._interp_master)
            self._interp_master = -1
        proc = self._proc
        if proc is not None:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - kernel did not deliver SIGKILL
                pass

    def _restart(self) -> None:
        self._reap()
        if self.exited(self._proc.returncode if self._proc else None):
            self._to_host += SOFT_REBOOT
            self._spawn()

    def kill_interpreter(self) -> None:
        """Fault injection: the firmware crashes (the relay then reboots it)."""
        if self._proc and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGKILL)

    # ---------------------------------------------------------------- relay loop
    def _loop(self) -> None:
        try:
            while not self._closing:
                self._loop_once()
        except OSError:
            if not self._closing:
                self.dead = True

    def _loop_once(self) -> None:
        port, interp = self._port_master, self._interp_master
        readers, writers = [self._wake_r, port], []
        if self._to_host:
            writers.append(port)
        if interp >= 0:
            if len(self._to_host) < _HIGH_WATER:
                readers.append(interp)
            if self._to_interp and self.input_open:
                writers.append(interp)
        r, w, _ = select.select(readers, writers, [])
        if self._wake_r in r:
            os.read(self._wake_r, 64)
        if port in r:
            self._from_host()
        if interp in r:
            self._from_interpreter()
        if port in w and self._to_host:
            self._write(port, self._to_host)
        if interp in w and self._interp_master == interp and self._to_interp and self.input_open:
            self._write(interp, self._to_interp)

    @staticmethod
    def _write(fd: int, buf: bytearray) -> None:
        try:
            n = os.write(fd, buf)
        except BlockingIOError:
            return
        del buf[:n]

    def _from_host(self) -> None:
        try:
            data = os.read(self._port_master, 4096)
        except BlockingIOError:
            return
        except OSError as e:  # EIO: nobody holds the slave (cannot happen: we keep it open)
            if e.errno != errno.EIO:
                raise
            return
        if self.from_host(data):
            self._interrupt_call()
        self._to_interp += data

    def _interrupt_call(self) -> None:
        """Ctrl-C during a raw-REPL call: SIGINT, unless the terminal delivers it already."""
        import termios

        if self._interp_master < 0 or self._proc is None:
            return
        try:
            if termios.tcgetattr(self._interp_master)[3] & termios.ISIG:
                return  # the line discipline turns the byte into SIGINT
        except termios.error:
            return
        now = time.monotonic()
        # a second SIGINT before the first is handled ends the unix port: within one call, one
        # per 0.2 s; a new call has handled the last one (it ended), so its Ctrl-C always goes
        if (self._sigint_call == self.calls and now - self._last_sigint < 0.2) or self._waiting_for_input():
            return
        self._last_sigint, self._sigint_call = now, self.calls
        self.sigints += 1
        try:
            os.killpg(self._proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass

    def _waiting_for_input(self) -> bool:
        """Linux: is the interpreter blocked reading its terminal (idle at a prompt)?"""
        try:
            with open(f"/proc/{self._proc.pid}/syscall") as f:
                fields = f.read().split()
        except OSError:
            return False
        return len(fields) > 1 and fields[0] == "0" and int(fields[1], 16) == 0  # read(0, ...)

    def _from_interpreter(self) -> None:
        try:
            data = os.read(self._interp_master, 65536)
        except BlockingIOError:
            return
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            data = b""
        if not data:  # the interpreter closed its terminal: it has exited
            self._restart()
            return
        to_host, to_board = self.from_board(data)
        if to_board:
            self._to_interp[:0] = to_board
        self._to_host += to_host

    # ---------------------------------------------------------------- shutdown
    def close(self) -> None:
        """Unplug: stop the relay, end the interpreter, make the port path disappear."""
        if self._closing:
            return
        self._closing = True
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)
        self._reap()
        for fd in (self._port_master, self._port_slave, self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    @property
    def closed(self) -> bool:
        return self._closing


class SocketRelay(BoardSide):
    """Serve one virtual board on ``socket://127.0.0.1:N`` until ``close()`` (any OS).

    Like a serial port, it serves one host at a time: a second connection is closed at
    once. The interpreter runs on pipes; the fallback engine watches them for Ctrl-C.
    """

    def __init__(self, firmware: Firmware):
        super().__init__(firmware)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = "socket://127.0.0.1:%d" % self._listener.getsockname()[1]
        self._lock = threading.Condition()
        self._client: socket.socket | None = None
        self._to_interp = bytearray()
        self._proc: subprocess.Popen | None = None
        self._closing = False
        self._spawn()
        threading.Thread(target=self._accept, name=f"kit-relay {self.port}", daemon=True).start()
        threading.Thread(target=self._feed_interpreter, name="kit-relay feed", daemon=True).start()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def _spawn(self) -> None:
        self._proc = subprocess.Popen(list(self.firmware.argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, cwd=self.firmware.cwd, env=self.boot_env(),
                                      bufsize=0)
        self.spawned()
        proc = self._proc
        threading.Thread(target=self._read_interpreter, args=(proc,), name="kit-relay board", daemon=True).start()

    # host -> board
    def _accept(self) -> None:
        while not self._closing:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._client is not None:  # busy, as a serial port held by another program
                    conn.close()
                    continue
                self._client = conn
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # a serial line: no batching
            threading.Thread(target=self._read_host, args=(conn,), name="kit-relay host", daemon=True).start()

    def _read_host(self, conn: socket.socket) -> None:
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                data = b""
            with self._lock:
                if not data:
                    if self._client is conn:
                        self._client = None
                    conn.close()
                    return
                self.from_host(data)  # the fallback engine sees a Ctrl-C on its pipe itself
                self._to_interp += data
                self._lock.notify_all()

    def _feed_interpreter(self) -> None:
        while True:
            with self._lock:
                while not self._closing and not (self._to_interp and self.input_open and self._proc):
                    self._lock.wait()
                if self._closing:
                    return
                data, proc = bytes(self._to_interp), self._proc
                self._to_interp.clear()
            try:
                proc.stdin.write(data)
            except OSError:
                pass  # the interpreter is restarting; the host will retry

    # board -> host
    def _read_interpreter(self, proc: subprocess.Popen) -> None:
        while True:
            try:
                data = proc.stdout.read(65536)  # unbuffered: whatever the interpreter printed
            except (OSError, ValueError):
                data = b""
            with self._lock:
                if self._closing or proc is not self._proc:
                    return
                if not data:
                    restart = self._exited(proc)
                    to_host = SOFT_REBOOT if restart else b""
                else:
                    to_host, to_board = self.from_board(data)
                    if to_board:
                        self._to_interp[:0] = to_board
                    restart = False
                self._lock.notify_all()  # the boot may have ended: held input can go now
                client = self._client
            # outside the lock: a slow host must not stop its own Ctrl-C from getting through
            if to_host and client is not None:
                try:
                    client.sendall(to_host)
                except OSError:
                    pass  # host gone: like a UART with nobody listening
            if not data:
                if restart:
                    with self._lock:
                        if not self._closing:
                            self._spawn()
                            self._lock.notify_all()
                return

    def _exited(self, proc: subprocess.Popen) -> bool:
        try:
            rc = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            rc = proc.wait()
        return self.exited(rc)

    def kill_interpreter(self) -> None:
        """Fault injection: the firmware crashes (the relay then reboots it)."""
        if self._proc and self._proc.poll() is None:
            self._proc.kill()

    def close(self) -> None:
        """Unplug: stop serving the port and end the interpreter."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            self._lock.notify_all()
            client, proc = self._client, self._proc
        self._listener.close()
        if client is not None:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            client.close()
        if proc is not None and proc.poll() is None:
            proc.kill()
        if proc is not None:
            proc.wait(timeout=5)

    @property
    def closed(self) -> bool:
        return self._closing


def raw_pty(keep_isig: bool = False) -> tuple[int, int]:
    """Open a pty pair in raw mode; optionally leave ISIG on (see module docstring)."""
    import termios
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    if keep_isig:
        attrs = termios.tcgetattr(slave)
        attrs[3] |= termios.ISIG
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
    return master, slave


def default_link() -> str:
    """``pty`` where the OS has pseudo-terminals, else ``socket`` (Windows)."""
    return os.environ.get(ENV_LINK) or ("socket" if sys.platform == "win32" else "pty")


RELAYS = {"pty": PtyRelay, "socket": SocketRelay}
