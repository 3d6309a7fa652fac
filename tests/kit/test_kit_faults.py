"""Faults give a clear Japanese error and leave the board usable.

Faults are injected into real parts: the pty is really closed (``kit.unplug()``), the
interpreter process is really killed, another program really holds the port, and a
real process that is not MicroPython answers on a pty.
"""
from __future__ import annotations

import sys
import threading

import pytest
import serial

from chiiki_iot.kit import (
    Board,
    BoardDisconnectedError,
    BoardNotFoundError,
    BoardResetError,
    NotMicroPythonError,
    PortBusyError,
)
from chiiki_iot.kit.virtual.relay import Firmware, PtyRelay, SocketRelay
from kit_fixtures import FAILURE_BOUND_S, make_board, make_kit, when_printed  # noqa: F401

LOOP = "import time\nwhile True:\n    print('tick')\n    time.sleep_ms(1)"


def test_cable_pulled_during_a_call_then_reconnect(make_board):
    b = make_board("esp32", speed=1)
    b.exec("x = 1")
    pull = when_printed("tick", b.kit.unplug)  # pulled while the loop runs and prints
    with pytest.raises(BoardDisconnectedError, match="接続が切れました.*reconnect"):
        b.exec(LOOP, timeout=FAILURE_BOUND_S, on_output=pull)
    assert pull.fired.is_set()
    pull.join()  # the pull has finished: the port is gone
    with pytest.raises(BoardDisconnectedError):
        b.eval("1")  # still unplugged: every call says so
    b.kit.plug()
    b.reconnect(timeout=10)
    assert b.eval("1 + 1") == 2
    assert b.eval("'x' in globals()") is False  # plugging in again powers the board afresh


def test_reconnect_without_the_board_says_it_is_not_found(make_board):
    b = make_board("esp32")
    b.kit.unplug()
    with pytest.raises(BoardNotFoundError, match="見つかりません"):
        b.reconnect(timeout=0.5)


def test_firmware_crash_during_a_call_is_a_reset_error(make_board):
    b = make_board("esp32", speed=1)
    crash = when_printed("tick", b.kit.kill_interpreter)  # crashes while the loop runs and prints
    with pytest.raises(BoardResetError, match="再起動しました"):
        b.exec(LOOP, timeout=FAILURE_BOUND_S, on_output=crash)
    assert crash.fired.is_set()
    crash.join()
    assert b.eval("2 + 3") == 5  # the board rebooted and the session resynchronised


def test_port_held_by_another_program(make_kit):
    kit = make_kit("esp32")
    other = serial.Serial(kit.port, exclusive=True)  # e.g. Thonny or a serial monitor
    try:
        with pytest.raises(PortBusyError, match="別のプログラムが使っています"):
            Board(kit.port, "esp32", kit=kit)
    finally:
        other.close()
    Board(kit.port, "esp32", kit=kit).close()  # free again: it opens


def test_a_board_that_does_not_run_micropython():
    # a real process on a real pty that answers, but is not a MicroPython REPL
    firmware = Firmware([sys.executable, "-c", "import sys\nfor line in sys.stdin: print('?')"],
                        soft_reboot=False, ready_marker=None)
    relay = PtyRelay(firmware)
    try:
        with pytest.raises(NotMicroPythonError, match="MicroPython が動いていない.*書き込み"):
            Board(relay.port, "esp32", connect_timeout=1.0)
    finally:
        relay.close()


def test_a_program_that_floods_and_ignores_ctrl_c_gives_an_error_not_a_hang():
    """A program printing without end that ignores Ctrl-C (``micropython.kbd_intr(-1)`` in a
    main.py): connecting gives up with the Japanese error within its timeout. On a
    ``socket://`` port the output comes faster than mpremote's byte-by-byte flush reads it,
    so a raw-REPL entry that waits for the flush to finish never ends."""
    flood = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    print('x' * 200)"
    relay = SocketRelay(Firmware([sys.executable, "-c", flood], soft_reboot=False, ready_marker=None))
    outcome = []

    def connect():
        try:
            Board(relay.port, "esp32", connect_timeout=3.0)
        except Exception as e:  # noqa: BLE001 - the test looks at it
            outcome.append(e)

    worker = threading.Thread(target=connect, daemon=True)
    try:
        worker.start()
        worker.join(FAILURE_BOUND_S)  # bounds a failure only
        assert not worker.is_alive(), "connecting to a flooding board did not end"
        assert len(outcome) == 1 and isinstance(outcome[0], NotMicroPythonError), outcome
    finally:
        relay.close()


def test_a_port_given_by_name_is_named_by_its_usb_ids(monkeypatch):
    """connect('/dev/ttyUSB0') on an ESP32 without MicroPython: the message names the ESP32 and its guide.

    Fault injection: a process that is not MicroPython plays the board, and ``find_boards`` is
    replaced to report the ESP32's USB-serial chip for that port (this machine has no USB boards).
    """
    import importlib

    from chiiki_iot.kit.detect import FoundBoard
    from chiiki_iot.kit.profiles import get_profile

    firmware = Firmware([sys.executable, "-c", "import sys\nfor line in sys.stdin: print('?')"],
                        soft_reboot=False, ready_marker=None)
    connect_module = importlib.import_module("chiiki_iot.kit.connect")  # the module, not the function
    relay = PtyRelay(firmware)
    try:
        monkeypatch.setattr(connect_module, "find_boards",
                            lambda: [FoundBoard(relay.port, get_profile("esp32"), "CP2102", None)])
        with pytest.raises(NotMicroPythonError, match="ESP32.*hardware_kits/esp32/flashing.md"):
            connect_module.connect(relay.port, quiet=True)
    finally:
        relay.close()


def test_a_port_that_does_not_exist():
    with pytest.raises(BoardNotFoundError, match="見つかりません"):
        Board("/dev/ttyNO_SUCH_BOARD", "microbit_v2")
