"""What the kit recognises in any firmware's output, and the advice it gives (no board needed).

The emulator tests (test_kit_emulated_firmware.py) show these on real firmware in QEMU; the banners
of boards QEMU cannot run (micro:bit V2, ESP32) are checked here, as those boards print them.
"""
from __future__ import annotations

import pytest

from chiiki_iot.kit import BoardNotRespondingError, BoardResetError, BoardTimeoutError, KitError
from chiiki_iot.kit.board import defined_names
from chiiki_iot.kit.profiles import profile_for_machine
from chiiki_iot.kit.transport import RESET_PATTERN

BANNERS = [
    b"\x00MicroPython v1.9.2-34-gd64154c73 on 2017-09-01; micro:bit v1.0.1 with nRF51822\r\n",
    b"MicroPython v2.1.2 on 2023-10-26; micro:bit v2.1.2 with nRF52833\r\n",
    b"MicroPython v1.22.2 on 2024-02-22; Generic ESP32 module with ESP32\r\n",
    b"MicroPython v1.29.0-preview on 2026-12-07; mps2-an385 with Cortex-M3\r\n",
    b"MPY: soft reboot\r\n",
    b"ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n",
]


@pytest.mark.parametrize("banner", BANNERS)
def test_a_restart_is_recognised_from_any_firmware(banner):
    assert RESET_PATTERN.search(banner)


@pytest.mark.parametrize("line", [b"MicroPython v1.9 is old\r\n", b"temperature 22.5\r\n", b"reboot soon\r\n"])
def test_ordinary_output_is_not_a_restart(line):
    assert not RESET_PATTERN.search(line)


@pytest.mark.parametrize("machine, profile", [
    ("micro:bit v1.0.1 with nRF51822", "microbit_v1"),
    ("micro:bit v2.1.2 with nRF52833", "microbit_v2"),
    ("Generic ESP32 module with ESP32", "esp32"),
])
def test_the_board_is_told_by_its_firmware(machine, profile):
    platform = "esp32" if "ESP32" in machine else "microbit"
    assert profile_for_machine(platform, machine).name == profile


def test_not_responding_says_press_reset_and_is_still_a_timeout():
    e = BoardNotRespondingError("/dev/ttyUSB0", "ESP32", seconds=5)
    assert isinstance(e, BoardTimeoutError) and isinstance(e, KitError)
    assert "5 秒" in str(e) and "EN（RST）ボタン" in str(e) and "board.reconnect()" in str(e)
    assert "書き込み直す必要はありません" in str(e)


def test_the_reset_error_names_what_was_lost():
    e = BoardResetError(lost=["threshold", "alarm", "kit_sensors"])
    assert "threshold, alarm, kit_sensors" in str(e) and e.lost == ["threshold", "alarm", "kit_sensors"]


def test_defined_names_follow_the_top_level_of_a_cell():
    code = ("import time, machine as m\nfrom microbit import display\nx, (y, z) = 1, (2, 3)\n"
            "if x:\n    limit = 30\nelse:\n    limit = 20\nfor n in range(2):\n    total = n\n"
            "def f():\n    inner = 1\nclass C:\n    attr = 2\nwith open('a') as fh:\n    pass\n_private = 1\n")
    assert defined_names(code) == ["time", "m", "display", "x", "y", "z", "limit", "n", "total", "f", "C", "fh"]
    assert defined_names("this is not python") == []
