"""One persistent raw-REPL session over a serial port.

mpremote's ``SerialTransport`` opens the port (with its ESP32 DTR/RTS care), enters the
raw REPL, soft-resets and sends code with raw-paste flow control. ``RawRepl`` adds what a
notebook needs on top of it:

* output read in chunks rather than byte by byte, handed to a consumer as it arrives;
* an overall deadline per call, Ctrl-C when it passes or when the kernel is interrupted;
* detection of a board that restarts in the middle of a call;
* Japanese errors for a busy, missing or foreign port and for a pulled cable.

The protocol (MicroPython ``shared/runtime/pyexec.c``): after the code is accepted, the board
prints the program's output, ``\\x04``, the traceback if any, ``\\x04``, then the prompt ``>``.
"""
from __future__ import annotations

import contextlib
import errno
import select
import socket
import threading
import time
from typing import Callable

import serial
from mpremote.transport import TransportError
from mpremote.transport_serial import SerialTransport

from .errors import (
    BoardDisconnectedError,
    BoardNotFoundError,
    BoardResetError,
    BoardTimeoutError,
    NotMicroPythonError,
    PortBusyError,
    PortPermissionError,
)

POLL_S = 0.1  # how often deadlines are looked at while waiting for output
SERIAL_TIMEOUT_S = 2.0  # pyserial read timeout, used by mpremote's handshakes
QUIET_S = 0.3  # silence after which a raw REPL entered with repeated Ctrl-A is taken as settled
# A loaded machine (a busy office PC) can take seconds to answer: these bound waiting, they
# never decide that the board has answered.
INTERRUPT_S = 10.0  # for an interrupted call to end (its traceback and the prompt)
ENTER_S = 5.0  # at least, for the raw REPL after an interrupt, however long the call took to end
CTRL_C_AGAIN_S = 2.0  # no raw REPL banner this long after Ctrl-C and Ctrl-A: send both again
EOF = b"\x04"
RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n"
# What a board prints when it restarts: MicroPython's soft reboot, the ESP32 ROM boot log.
RESET_MARKERS = (b"soft reboot\r\n", b"rst:0x")

Consumer = Callable[[bytes], None]


class _Deadline(Exception):
    """Internal: the per-call deadline passed."""


def _open_error(port: str, exc: BaseException) -> Exception:
    """Turn a failure to open ``port`` into the Japanese error that says what to do."""
    text = str(exc)
    err = getattr(exc, "errno", None)
    if "exclusively lock" in text or err in (errno.EBUSY, errno.EAGAIN):
        return PortBusyError(port)
    if err in (errno.EACCES, errno.EPERM) or "Access is denied" in text or "PermissionError" in text:
        return PortPermissionError(port)
    return BoardNotFoundError(port)


def _diagnose_open(port: str) -> Exception:
    """mpremote hides why a port did not open; open it once more to learn the reason."""
    try:
        s = serial.serial_for_url(port, exclusive=True)
    except (serial.SerialException, OSError) as e:
        return _open_error(port, e)
    s.close()  # it opens now: it was a transient problem, report it as "not found"
    return BoardNotFoundError(port)


class RawRepl:
    """A raw-REPL session that stays open between calls.

    >>> repl = RawRepl("/dev/ttyACM0")                 # doctest: +SKIP
    >>> out, err = repl.run(b"print(1+1)", timeout=5)  # doctest: +SKIP
    >>> out                                            # doctest: +SKIP
    b'2\\r\\n'
    """

    def __init__(self, port: str, *, baudrate: int = 115200, connect_timeout: float = 5.0,
                 profile_label: str = "ボード", guide: str = "hardware_kits/"):
        self.port = port
        self._label, self._guide = profile_label, guide
        self._at_prompt = False
        self._call_open = False  # a call was started and its end (EOF, traceback, EOF, '>') is unread
        self._busy: int | None = None  # thread id of the thread following a call
        try:
            self._t = SerialTransport(port, baudrate=baudrate, exclusive=True, timeout=SERIAL_TIMEOUT_S)
        except TransportError:
            raise _diagnose_open(port) from None
        except (serial.SerialException, OSError) as e:
            raise _open_error(port, e) from None
        # mpremote polls inWaiting() with 10 ms sleeps unless it thinks the port is a pty;
        # a blocking read (bounded by the serial timeout) is right for every port we open
        self._t.is_pty = True
        sock = getattr(self._t.serial, "_socket", None)
        if sock is not None:  # socket:// (the virtual kit on Windows): small writes go at once
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.enter(timeout=connect_timeout)
        except BoardDisconnectedError:
            self.close()
            if sock is not None:  # a socket:// board closes a second connection at once
                raise PortBusyError(port) from None
            raise
        except BaseException:
            self.close()
            raise

    # ---------------------------------------------------------------- low level
    @property
    def serial(self) -> serial.Serial:
        return self._t.serial

    def _disconnected(self) -> BoardDisconnectedError:
        return BoardDisconnectedError(self.port)

    def write(self, data: bytes) -> None:
        try:
            self._t.serial.write(data)
        except (serial.SerialException, OSError):
            raise self._disconnected() from None

    def _read_chunk(self, deadline: float | None) -> bytes:
        """Whatever has arrived (at least one byte), or b'' after POLL_S of silence."""
        if deadline is not None and time.monotonic() >= deadline:
            raise _Deadline
        ser = self._t.serial
        fd = getattr(ser, "fd", None)
        sock = getattr(ser, "_socket", None)  # pyserial's socket:// (the virtual kit on Windows)
        try:
            if fd is not None:  # POSIX: wait here, so mpremote's own reads keep their long timeout
                ready, _, _ = select.select([fd], [], [], POLL_S)
                if not ready:
                    return b""
                # readable with nothing waiting means the device went away: read(1) raises
                return ser.read(ser.in_waiting or 1)
            if sock is not None:
                ready, _, _ = select.select([sock], [], [], POLL_S)
                if not ready:
                    return b""
                data = sock.recv(65536)
                if not data:
                    raise serial.SerialException("socket closed")
                return data
            data = ser.read(1)
            if data and ser.in_waiting:
                data += ser.read(ser.in_waiting)
            return data
        except (serial.SerialException, OSError):
            raise self._disconnected() from None

    def _read_until(self, marker: bytes, deadline: float, data: bytes = b"") -> bytes:
        """Read in chunks until ``marker`` has arrived; return what came after it.

        Everything before it is discarded as it comes (a flood of output stays cheap).
        """
        buf = bytearray(data)
        while (i := buf.find(marker)) < 0:
            del buf[:-len(marker)]
            buf += self._read_chunk(deadline)
        return bytes(buf[i + len(marker):])

    # ---------------------------------------------------------------- raw REPL
    def enter(self, *, soft_reset: bool = False, timeout: float = 5.0) -> None:
        """Interrupt whatever runs and (re)enter the raw REPL; optionally soft-reset first.

        mpremote's protocol (Ctrl-C, Ctrl-A, the banner; Ctrl-D and ``soft reboot``), but
        read in chunks: mpremote discards pending output byte by byte, without a bound, which
        never ends while a board floods a ``socket://`` port. A board that has not shown the
        banner within ``CTRL_C_AGAIN_S`` gets Ctrl-C and Ctrl-A again: a Ctrl-C can come before
        an interpreter is ready to take it, or be caught by the running program.
        """
        self._at_prompt = False
        self._call_open = False
        deadline = time.monotonic() + timeout
        try:
            rest = self._enter_raw(deadline)
            if soft_reset:
                self.write(EOF)
                rest = self._read_until(b"soft reboot\r\n", deadline, rest)
                rest = self._read_until(RAW_BANNER, deadline, rest)
        except _Deadline:
            raise NotMicroPythonError(self.port, self._label, self._guide) from None
        self._t.in_raw_repl = True
        self._at_prompt = rest.endswith(b">")  # else the prompt '>' is still to be read

    def _enter_raw(self, deadline: float) -> bytes:
        """Ctrl-C and Ctrl-A until the raw REPL's banner comes; what followed it."""
        sent = 0
        while True:
            self.write(b"\r\x03\r\x01")
            sent += 1
            try:
                rest = self._read_until(RAW_BANNER, min(deadline, time.monotonic() + CTRL_C_AGAIN_S))
            except _Deadline:
                if time.monotonic() >= deadline:
                    raise
                continue
            if sent == 1:
                return rest
            # an earlier Ctrl-A may bring a second banner: take what follows the last one
            quiet_since, data = time.monotonic(), bytearray(rest)
            while time.monotonic() - quiet_since < QUIET_S:
                chunk = self._read_chunk(deadline)
                if chunk:
                    quiet_since = time.monotonic()
                    data += chunk
            return bytes(data).rpartition(RAW_BANNER)[2]

    def _expect_prompt(self) -> None:
        """Consume the raw REPL's ``>`` unless the last call's output already held it."""
        if self._at_prompt:
            self._at_prompt = False
            return
        data = self._t.read_until(1, b">", timeout=SERIAL_TIMEOUT_S)
        if not data.endswith(b">"):
            raise TransportError("no raw REPL prompt")

    def start(self, code: bytes) -> None:
        """Send ``code`` to the raw REPL; it starts running at once.

        Raw-paste mode (MicroPython >= 1.14) with mpremote's flow control; boards without
        it get the plain raw REPL in small slices, as mpremote does.
        """
        try:
            try:
                self._expect_prompt()
            except TransportError:  # busy or just reset: resynchronise once
                self.enter()
                self._expect_prompt()
            t = self._t
            if t.use_raw_paste:
                t.serial.write(b"\x05A\x01")
                answer = t.serial.read(2)
                if answer == b"R\x01":
                    t.raw_paste_write(code)
                    self._call_open = True
                    return
                t.use_raw_paste = False
                if answer != b"R\x00":  # a firmware that does not know raw-paste at all
                    t.read_until(1, b"w REPL; CTRL-B to exit\r\n>")
            for i in range(0, len(code), 256):
                t.serial.write(code[i:i + 256])
                time.sleep(0.01)
            t.serial.write(EOF)
            if t.serial.read(2) != b"OK":
                raise TransportError("code not accepted")
            self._call_open = True
        except TransportError:
            raise NotMicroPythonError(self.port, self._label, self._guide) from None
        except (serial.SerialException, OSError):
            raise self._disconnected() from None

    def follow(self, deadline: float | None, on_output: Consumer | None = None) -> tuple[bytes, bytes]:
        """Read a running call to its end: (stdout, traceback).

        ``on_output`` receives stdout chunks as they arrive (then stdout is not kept).
        Raises ``_Deadline`` when the deadline passes (the caller interrupts),
        ``BoardResetError`` when the board restarts, ``BoardDisconnectedError`` when it goes.
        """
        out = bytearray()
        tail = b""  # last bytes of the previous chunk, to find markers split across chunks
        while True:
            chunk = self._read_chunk(deadline)
            if not chunk:
                continue
            i = chunk.find(EOF)
            body = chunk if i < 0 else chunk[:i]
            if body:
                window = tail + body
                for m in RESET_MARKERS:
                    k = window.find(m)
                    if k >= 0:
                        raise BoardResetError(after=bytes(window[k + len(m):]) + chunk[len(body):])
                tail = window[-16:]
                if on_output is not None:
                    on_output(body)
                else:
                    out += body
            if i >= 0:
                err = bytearray(chunk[i + 1:])
                break
        while True:
            j = err.find(EOF)
            if j >= 0:
                # a chunk read past the second EOF has taken the next prompt '>' too
                self._at_prompt = err[j + 1:j + 2] == b">"
                self._call_open = False
                return bytes(out), bytes(err[:j])
            err += self._read_chunk(deadline)

    def run(self, code: bytes, *, timeout: float | None, on_output: Consumer | None = None) -> tuple[bytes, bytes]:
        """Run ``code`` and return (stdout, traceback); interrupt it after ``timeout`` s."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self.start(code)
        return self.finish(deadline, on_output, timeout)

    def finish(self, deadline: float | None, on_output: Consumer | None, timeout: float | None) -> tuple[bytes, bytes]:
        """Follow a started call; on timeout or KeyboardInterrupt stop it with Ctrl-C."""
        self._busy = threading.get_ident()
        try:
            return self.follow(deadline, on_output)
        except _Deadline:
            self.interrupt()
            raise BoardTimeoutError(timeout or 0) from None
        except KeyboardInterrupt:
            self.interrupt()
            raise
        except BoardResetError as e:
            self._resync_after_reset(e.after)
            raise
        finally:
            self._busy = None

    def _resync_after_reset(self, data: bytes) -> None:
        """After a reboot: a board that was in the raw REPL comes back to it by itself."""
        self._call_open = False
        deadline = time.monotonic() + 5.0
        data = bytearray(data)
        try:
            while RAW_BANNER not in data and b">>> " not in data:
                data += self._read_chunk(deadline)
        except (_Deadline, BoardDisconnectedError):
            return
        if RAW_BANNER in data:
            self._at_prompt = data.endswith(b">")
            return
        try:
            self.enter()
        except Exception:  # still booting: the next call resynchronises
            pass

    def interrupt(self, timeout: float = INTERRUPT_S) -> None:
        """Ctrl-C whatever runs, discard its output, and wait for the raw REPL prompt.

        A call of ours that runs is over when the board has printed its end (EOF, the
        ``KeyboardInterrupt`` traceback, EOF, ``>``): that, not a moment of silence, is the
        answer to the Ctrl-C. A loaded machine may take seconds to give it, and a second
        Ctrl-C before it would hit the board while it handles the first (the unix port exits
        on a second unhandled SIGINT). Only a board that does not answer within ``timeout``
        gets the raw REPL re-entered (with Ctrl-C again), given at least ``ENTER_S``.
        """
        if self._busy is not None and self._busy != threading.get_ident():
            # another thread is following a call: the Ctrl-C makes that call end with
            # KeyboardInterrupt, and that thread reads the rest
            self.write(b"\x03")
            return
        deadline = time.monotonic() + timeout
        self.write(b"\r\x03")
        if self._call_open:
            tail = b""
            try:
                while tail != EOF + b">":  # the output in flight (a flood leaves a lot) is read in chunks
                    tail = (tail + self._read_chunk(deadline))[-2:]
            except _Deadline:
                pass
            else:
                self._call_open, self._at_prompt = False, True  # at the raw REPL, its prompt read
                return
        self.enter(timeout=max(ENTER_S, deadline - time.monotonic()))

    def soft_reset(self, timeout: float = 10.0) -> None:
        """Soft reset (Python state is lost) and come back to the raw REPL."""
        self.enter(soft_reset=True, timeout=timeout)

    def close(self, *, to_friendly_repl: bool = True) -> None:
        """Close the port, by default leaving the board at its friendly REPL as a terminal expects.

        ``to_friendly_repl=False`` when the port is opened again at once: the board then stays
        in the raw REPL, with no mode switch under way for the next connection's Ctrl-C to race.
        """
        t = getattr(self, "_t", None)
        if t is None:
            return
        try:
            if t.serial.is_open:
                if to_friendly_repl:
                    with contextlib.suppress(Exception):
                        t.serial.write(b"\r\x02")
                t.close()
        except (serial.SerialException, OSError):
            with contextlib.suppress(Exception):
                t.serial.close()
        self._t = None

    @property
    def closed(self) -> bool:
        return getattr(self, "_t", None) is None
