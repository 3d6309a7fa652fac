"""One persistent raw-REPL session over a serial port.

mpremote's ``SerialTransport`` opens the port (with its ESP32 DTR/RTS care), enters the
raw REPL, soft-resets and sends code with raw-paste flow control. ``RawRepl`` adds what a
notebook needs on top of it:

* output read in chunks rather than byte by byte, handed to a consumer as it arrives;
* an overall deadline per call; when it passes (or the kernel is interrupted) the board is
  stopped by escalation: Ctrl-C, Ctrl-C again, then the link is closed and opened again; a
  board that still does not answer gets ``BoardNotRespondingError`` ("press reset"), so a
  timeout always gives control back;
* detection of a board that restarts in the middle of a call, from any firmware's banner;
* Japanese errors for a busy, missing or foreign port, a pulled cable, and a board that
  answered before and has stopped answering (not "MicroPython is not running").

Firmware without raw-paste (micro:bit V1's MicroPython 1.0.1), and any code shorter than
``PLAIN_MAX_BYTES``, goes in one plain write: the raw REPL reads its input as fast as a UART brings
it, so no sleeps are added between slices. Without flow control bytes can still be lost (a board
busy for a moment overflows its UART buffer): a lost Ctrl-D is noticed (no ``OK``) and the code
sent again; ``Board`` sends again code the board rejects as a SyntaxError that CPython accepts,
and ``Board.put`` checks every chunk and the whole file on the board.

The protocol (MicroPython ``shared/runtime/pyexec.c``): after the code is accepted, the board
prints the program's output, ``\\x04``, the traceback if any, ``\\x04``, then the prompt ``>``.
"""
from __future__ import annotations

import contextlib
import errno
import re
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
    BoardNotRespondingError,
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
INTERRUPT_S = 10.0  # for an interrupted call to end (its traceback and the prompt), over all Ctrl-Cs
CTRL_C_WAITS_S = (2.0, 1.0, 1.0)  # Ctrl-C, then again: how long each waits for the call to end
ENTER_S = 5.0  # at least, for the raw REPL after an interrupt, however long the call took to end
REOPEN_ENTER_S = 3.0  # for the raw REPL after the link was closed and opened again
PROMPT_S = 2.0  # for the raw REPL's '>' before a call, and for 'OK' after the code
# Code this short goes in one plain write even where raw-paste exists: it fits in any board's
# input buffer (raw-paste's first window is at least this big), so flow control would only
# add a round trip (the handshake) to every small call.
PLAIN_MAX_BYTES = 64
CTRL_C_AGAIN_S = 2.0  # no raw REPL banner this long after Ctrl-C and Ctrl-A: send both again
EOF = b"\x04"
RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n"
# What a board prints when it restarts: MicroPython's soft reboot, the ESP32 ROM boot log, and
# the banner every MicroPython prints when it starts ("MicroPython v1.9.2-34-gd64154c73 on
# 2017-09-01; micro:bit v1.0.1 with nRF51822": all a micro:bit prints after a reset).
RESET_PATTERN = re.compile(rb"soft reboot\r\n|rst:0x|MicroPython v?\d+\.\d+[^\r\n]{0,80}? on \d{4}-\d\d-\d\d; ")
MARKER_TAIL = 120  # bytes kept from the previous chunk, so a marker split across chunks is found

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
        self._baudrate = baudrate
        self._pending = b""  # bytes read past what a handshake needed: the next read returns them
        self._answered = False  # the raw REPL has answered on this port at least once
        self.sent_plain = False  # the last call's code went without flow control (bytes may be lost)
        self._stuck = False  # the last escalation ended without an answer (until a call starts again)
        self._t = self._open_port()
        sock = getattr(self._t.serial, "_socket", None)
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

    def _open_port(self) -> SerialTransport:
        try:
            t = SerialTransport(self.port, baudrate=self._baudrate, exclusive=True, timeout=SERIAL_TIMEOUT_S)
        except TransportError:
            raise _diagnose_open(self.port) from None
        except (serial.SerialException, OSError) as e:
            raise _open_error(self.port, e) from None
        # mpremote polls inWaiting() with 10 ms sleeps unless it thinks the port is a pty;
        # a blocking read (bounded by the serial timeout) is right for every port we open
        t.is_pty = True
        sock = getattr(t.serial, "_socket", None)
        if sock is not None:  # socket:// (the virtual kit on Windows): small writes go at once
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return t

    def _reopen(self) -> None:
        """Close the link and open it again (what unplugging the USB cable's data side does)."""
        use_raw_paste = self._t.use_raw_paste
        with contextlib.suppress(Exception):
            self._t.close()
        self._pending = b""
        self._t = self._open_port()
        self._t.use_raw_paste = use_raw_paste

    def _not_responding(self) -> Exception:
        """A board that answered before and does not now; one that never did is not MicroPython."""
        if self._answered:
            return BoardNotRespondingError(self.port, self._label)
        return NotMicroPythonError(self.port, self._label, self._guide)

    @property
    def paste_less(self) -> bool:
        """True once the board has shown it has no raw-paste mode (no flow control on input)."""
        return not self._t.use_raw_paste

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
        if self._pending:
            data, self._pending = self._pending, b""
            return data
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
            raise self._not_responding() from None
        self._t.in_raw_repl = True
        self._answered = True
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

    def _read_exactly(self, n: int, deadline: float) -> bytes:
        """``n`` bytes (a handshake's answer); what came with them is kept for the next read."""
        data = b""
        while len(data) < n:
            data += self._read_chunk(deadline)
        data, self._pending = data[:n], data[n:] + self._pending
        return data

    def _expect_prompt(self) -> None:
        """Consume the raw REPL's ``>`` unless the last call's output already held it.

        Bounded by ``PROMPT_S`` whatever arrives meanwhile (mpremote's ``read_until`` starts its
        timeout again at every byte, so a board that keeps printing would keep it waiting).
        """
        if self._at_prompt:
            self._at_prompt = False
            return
        try:
            self._read_until(b">", time.monotonic() + PROMPT_S)
        except _Deadline:
            raise TransportError("no raw REPL prompt") from None

    def start(self, code: bytes) -> None:
        """Send ``code`` to the raw REPL; it starts running at once.

        Raw-paste mode (MicroPython >= 1.14) with mpremote's flow control; boards without
        it get the whole code in one write (the raw REPL reads its input as it comes).
        """
        try:
            try:
                self._expect_prompt()
            except TransportError:  # busy or just reset: resynchronise once
                # a board that just did not answer escalation gets the short wait again
                self.enter(timeout=REOPEN_ENTER_S if self._stuck else ENTER_S)
                self._expect_prompt()
            t = self._t
            self.sent_plain = not t.use_raw_paste or len(code) < PLAIN_MAX_BYTES
            if not self.sent_plain:
                t.serial.write(b"\x05A\x01")
                # read from the port itself: mpremote's raw_paste_write reads the window size next
                answer = (self._pending + t.serial.read(max(0, 2 - len(self._pending))))[:2]
                self._pending = b""
                if answer == b"R\x01":
                    t.raw_paste_write(code)
                    self._call_open = True
                    return
                t.use_raw_paste = False
                self.sent_plain = True
                if answer != b"R\x00":  # a firmware that does not know raw-paste at all
                    self._read_until(b"w REPL; CTRL-B to exit\r\n>", time.monotonic() + PROMPT_S, answer)
            for _ in range(3):
                t.serial.write(code + EOF)
                try:
                    answer = self._read_exactly(2, time.monotonic() + PROMPT_S + len(code) / 1000)
                except _Deadline:
                    # no flow control: the EOF itself was lost and the board still reads the code
                    # (or, on a loaded machine, its answer is late): enter the raw REPL afresh
                    # (Ctrl-C, Ctrl-A: the input read so far is dropped) and send the code again
                    self.enter()
                    self._expect_prompt()
                    continue
                if answer != b"OK":
                    raise TransportError("code not accepted")
                self._call_open = True
                return
            raise TransportError("code not accepted")
        except (TransportError, _Deadline):
            raise self._not_responding() from None
        except (serial.SerialException, OSError):
            raise self._disconnected() from None
        finally:
            self._stuck = False if self._call_open else self._stuck

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
                m = RESET_PATTERN.search(window)
                if m:
                    self._call_open = False
                    raise BoardResetError(after=bytes(window[m.start():]) + chunk[len(body):])
                tail = window[-MARKER_TAIL:]
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
                self._call_open = False
                self._check_prompt(bytes(err[j + 1:]), deadline)
                return bytes(out), bytes(err[:j])
            err += self._read_chunk(deadline)

    def _check_prompt(self, rest: bytes, deadline: float | None) -> None:
        """After a call's end the raw REPL prints its prompt '>' at once, unless the call
        restarted the board (``machine.soft_reset()`` ends the call normally, then the board
        reboots): read up to the prompt, and report a restart found on the way."""
        bound = time.monotonic() + PROMPT_S
        data = bytearray(rest)
        try:
            while b">" not in data:
                data += self._read_chunk(bound if deadline is None else min(deadline, bound))
        except _Deadline:
            self._at_prompt = False  # the next call resynchronises
            return
        m = RESET_PATTERN.search(data)
        if m:
            raise BoardResetError(after=bytes(data[m.start():]))
        self._at_prompt = True

    def run(self, code: bytes, *, timeout: float | None, on_output: Consumer | None = None) -> tuple[bytes, bytes]:
        """Run ``code`` and return (stdout, traceback); interrupt it after ``timeout`` s."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self.start(code)
        return self.finish(deadline, on_output, timeout)

    def finish(self, deadline: float | None, on_output: Consumer | None, timeout: float | None) -> tuple[bytes, bytes]:
        """Follow a started call; on timeout or KeyboardInterrupt stop it (see ``interrupt``)."""
        self._busy = threading.get_ident()
        try:
            return self.follow(deadline, on_output)
        except _Deadline:
            self._busy = None  # interrupt() below reads the call's end itself
            try:
                self.interrupt()
            except BoardNotRespondingError as e:
                raise BoardNotRespondingError(self.port, self._label, seconds=timeout or 0) from e.__cause__
            raise BoardTimeoutError(timeout or 0) from None
        except KeyboardInterrupt:
            self._busy = None  # interrupt() below reads the call's end itself
            self.interrupt()
            raise
        except BoardResetError as e:
            self._resync_after_reset(e.after)
            raise
        finally:
            self._busy = None

    def _resync_after_reset(self, data: bytes) -> None:
        """After a reboot: a board that was in the raw REPL comes back to it by itself;
        one that restarted from power-on or its reset button is at the friendly REPL."""
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

    def _wait_call_end(self, deadline: float) -> bool:
        """Read (and drop) a call's output until its end (EOF, traceback, EOF, '>'); False at the deadline."""
        tail = b""
        try:
            while not tail.endswith(EOF + b">"):  # the output in flight (a flood leaves a lot) is read in chunks
                tail = (tail + self._read_chunk(deadline))[-2:]
        except _Deadline:
            return False
        self._call_open, self._at_prompt = False, True  # at the raw REPL, its prompt read
        return True

    def interrupt(self, timeout: float = INTERRUPT_S) -> None:
        """Stop whatever runs, discard its output, and wait for the raw REPL prompt.

        Escalates until the board answers, so a timeout always gives control back:

        1. Ctrl-C, and Ctrl-C again (``CTRL_C_WAITS_S``; within ``timeout`` in all): a call of
           ours is over when the board has printed its end (EOF, the ``KeyboardInterrupt``
           traceback, EOF, ``>``). That, not a moment of silence, is the answer: a loaded
           machine may take seconds to give it. A program whose bare ``except:`` swallows the
           Ctrl-C keeps running; so does a call stuck in C.
        2. The raw REPL entered again (Ctrl-C, Ctrl-A), for ``REOPEN_ENTER_S`` after unanswered
           Ctrl-Cs (at least ``ENTER_S`` when no call of ours was running).
        3. The link closed and opened again, and the raw REPL entered once more.
        4. ``BoardNotRespondingError``: press the reset button, then ``reconnect()``.
        """
        if self._busy is not None and self._busy != threading.get_ident():
            # another thread is following a call: the Ctrl-C makes that call end with
            # KeyboardInterrupt, and that thread reads the rest
            self.write(b"\x03")
            return
        started = time.monotonic()
        if self._call_open:
            for wait in CTRL_C_WAITS_S:
                self.write(b"\r\x03")
                left = timeout - (time.monotonic() - started)
                if self._wait_call_end(time.monotonic() + max(0.0, min(wait, left))):
                    return
                if left <= wait:
                    break
        try:
            # after unanswered Ctrl-Cs the board has had its chance: a shorter wait
            self.enter(timeout=REOPEN_ENTER_S if self._call_open
                       else max(ENTER_S, timeout - (time.monotonic() - started)))
            return
        except (NotMicroPythonError, BoardNotRespondingError):
            pass
        self._reopen()
        try:
            self.enter(timeout=REOPEN_ENTER_S)
        except (NotMicroPythonError, BoardNotRespondingError):
            self._stuck = True
            raise BoardNotRespondingError(self.port, self._label) from None

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
