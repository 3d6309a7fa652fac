"""Choosing the board: USB detection by VID/PID, explicit choice, and the virtual fallback."""
from __future__ import annotations

import os
import subprocess
import sys

from serial.tools.list_ports_common import ListPortInfo

from chiiki_iot.kit import connect
from chiiki_iot.kit.detect import find_boards
from kit_fixtures import make_kit  # noqa: F401


def port(device, vid, pid, serial_number=None):
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.serial_number = vid, pid, serial_number
    return info


def test_usb_ids_of_micro_bit_and_esp32_bridges_are_recognised():
    ports = [
        port("/dev/ttyUSB0", 0x10C4, 0xEA60),  # CP2102 on an ESP32-DevKitC
        port("/dev/ttyACM1", 0x303A, 0x1001),  # ESP32-S3 native USB-Serial/JTAG
        port("/dev/ttyACM0", 0x0D28, 0x0204, "9904360259"),  # micro:bit (DAPLink)
        port("/dev/ttyUSB1", 0x1A86, 0x7523),  # CH340
        port("/dev/ttyUSB2", 0x0403, 0x6015),  # an FTDI chip that is not on a kit board
        port("/dev/ttyS0", None, None),  # a built-in serial port
    ]
    found = find_boards(ports)
    assert [(b.port, b.profile.name) for b in found] == [
        ("/dev/ttyACM0", "microbit_v2"),  # micro:bit first, then ESP32 in port order
        ("/dev/ttyACM1", "esp32"),
        ("/dev/ttyUSB0", "esp32"),
        ("/dev/ttyUSB1", "esp32"),
    ]
    assert found[0].serial_number == "9904360259"  # how reconnect() finds it after re-plugging


def test_the_done_when_command_on_a_machine_without_boards():
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIIKI_KIT_")}
    r = subprocess.run(
        [sys.executable, "-c", "from chiiki_iot.kit import connect; b = connect(); print(b.eval('1+1'))"],
        capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[-1] == "2"
    assert "見つからなかったので、仮想キットを使います" in r.stdout
    assert "本物の MicroPython" in r.stdout  # and it says which engine runs


def test_the_environment_variable_chooses_the_board(monkeypatch, capsys):
    monkeypatch.setenv("CHIIKI_KIT_BOARD", "virtual:esp32")
    b = connect(speed=0)
    try:
        assert b.is_virtual and b.profile.name == "esp32"
        assert b.eval("__import__('machine').Pin(2).value()") == 0  # the ESP32's machine, not the unix port's
        assert "仮想キットを使います" in capsys.readouterr().out
    finally:
        b.close()
    assert not b.kit.plugged  # the kit connect() started is stopped with the board


def test_an_explicit_port_is_probed_for_its_kind(make_kit, capsys):
    kit = make_kit("esp32")
    b = connect(kit.port)
    try:
        assert b.profile.name == "esp32"
        out = capsys.readouterr().out
        assert "仮想キット（ESP32）" in out and "につなぎました" in out
    finally:
        b.close()


def test_running_the_connect_cell_again_takes_the_port_over(make_kit, capsys):
    kit = make_kit("esp32")
    first = connect(kit.port, quiet=True)
    second = connect(kit.port, quiet=True)  # without this, the first would hold the port: PortBusyError
    try:
        assert first._repl.closed
        assert second.eval("1 + 1") == 2
    finally:
        second.close()


def test_taking_the_port_over_tries_once_more_if_the_board_is_still_busy(make_kit, monkeypatch):
    """Fault injection: the first raw-REPL entry after the takeover fails, as it would if the
    board were still busy with the old connection's last bytes; connect() tries once more."""
    from chiiki_iot.kit.errors import NotMicroPythonError
    from chiiki_iot.kit.transport import RawRepl

    kit = make_kit("esp32")
    first = connect(kit.port, quiet=True)
    real_enter, failures = RawRepl.enter, []

    def enter_failing_once(self, **kw):
        if not failures:
            failures.append(self.port)
            raise NotMicroPythonError(self.port, "ESP32", "hardware_kits/esp32/flashing.md")
        return real_enter(self, **kw)

    monkeypatch.setattr(RawRepl, "enter", enter_failing_once)
    second = connect(kit.port, quiet=True)
    try:
        assert failures == [kit.port] and first._repl.closed
        assert second.eval("1 + 1") == 2
    finally:
        second.close()
