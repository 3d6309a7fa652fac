"""Board programs on a fresh virtual board for a fixed board time (``kit.trial``), and the
input polls that keep board time moving in a busy loop (micro:bit buttons, ESP32 BOOT button)."""
from __future__ import annotations

from chiiki_iot.kit import Pulses, Steps
from chiiki_iot.kit.trial import run_program
from kit_fixtures import make_board, make_kit  # noqa: F401

COUNT_WAS_PRESSED = """from microbit import *
count = 0
while True:
    if button_a.was_pressed():
        count += 1
        display.show(count)
"""


def test_a_while_true_program_stops_exactly_at_the_board_time_limit():
    run = run_program(COUNT_WAS_PRESSED, seconds=5, button_a=Pulses(at=[1, 2, 3.5], width=0.2))
    assert run.ended == "time" and run.board_ms == 5000
    assert run.shown == ["1", "2", "3"]
    again = run_program(COUNT_WAS_PRESSED, seconds=5, button_a=Pulses(at=[1, 2, 3.5], width=0.2))
    assert again.display == run.display  # the same on every run


def test_presses_after_the_limit_are_not_seen():
    run = run_program(COUNT_WAS_PRESSED, seconds=3, button_a=Pulses(at=[1, 2, 3.5], width=0.2))
    assert run.shown == ["1", "2"]


def test_is_pressed_counts_a_held_button_again_and_again():
    code = ("from microbit import *\nn = 0\nwhile True:\n    if button_a.is_pressed():\n"
            "        n += 1\n        print(n)\n    sleep(100)\n")
    run = run_program(code, seconds=3, button_a=Pulses(at=[1], width=0.95))
    assert run.lines[-1] == "10"  # one long press, counted on every pass of the loop


def test_a_busy_loop_waiting_for_a_button_sees_it_pressed():
    # no sleep at all: each poll of the button costs board time, as it takes time on a board
    code = ("from microbit import *\nwhile not button_a.is_pressed():\n    pass\n"
            "print(running_time())\n")
    run = run_program(code, seconds=5, button_a=Pulses(at=[2.5], width=0.1))
    assert run.ended == "finished"
    assert 2500 <= int(run.lines[0]) <= 2502


def test_a_loop_paced_by_sleep_reads_exact_times(make_board):
    b = make_board("microbit_v2")
    b.exec("from microbit import *\nt0 = running_time()\nfor i in range(10):\n    button_a.is_pressed()\n    sleep(100)")
    assert b.eval("running_time() - t0") == 1000


def test_gestures_and_logo_polled_in_a_busy_loop_let_time_pass():
    code = ("from microbit import *\nwhile not accelerometer.was_gesture('shake'):\n    pass\n"
            "print('shake', running_time() // 1000)\nwhile not pin_logo.is_touched():\n    pass\n"
            "print('logo', running_time() // 1000)\n")
    run = run_program(code, seconds=10, accel_x=Steps({2.0: 2500, 2.5: 0}), touch_logo=Pulses(at=[4], width=0.2))
    assert run.lines == ["shake 2", "logo 4"]


def test_esp32_boot_button_is_button_a_and_the_led_pin_is_kept():
    code = """import machine
led = machine.Pin(2, machine.Pin.OUT)
boot = machine.Pin(0, machine.Pin.IN, machine.Pin.PULL_UP)
n = 0
while True:
    if boot.value() == 0:
        n += 1
        print(n)
        led.value(n % 2)
        while boot.value() == 0:
            pass
"""
    run = run_program(code, profile="esp32", seconds=5, button_a=Pulses(at=[1, 2, 3.5], width=0.2))
    assert run.ended == "time" and run.lines == ["1", "2", "3"]
    assert run.pins == {2: 1}


def test_esp32_boot_button_reads_high_when_released(make_board):
    b = make_board("esp32")
    b.exec("from machine import Pin\nboot = Pin(0, Pin.IN, Pin.PULL_UP)")
    assert b.eval("boot.value()") == 1
    b.scenario(button_a=1)
    assert b.eval("boot.value()") == 0


def test_errors_stuck_loops_and_music_are_reported():
    stuck = run_program("n = 0\nwhile True:\n    n += 1\n", seconds=5, timeout=0.5)
    assert stuck.ended == "stuck"
    error = run_program("print('before')\nprint(1 / 0)\n", seconds=5)
    assert error.ended == "error" and error.error.startswith("ZeroDivisionError") and error.lines == ["before"]
    tune = run_program("import music\nmusic.play(['c4:4', 'e'])\nprint('done')\n", seconds=5)
    assert tune.ended == "finished" and tune.played == [("c4", 500), ("e4", 500)] and tune.board_ms >= 1000


def test_describe_names_images_and_guesses_the_board():
    from chiiki_iot.kit.trial import guess_profile, image_name

    assert guess_profile("from machine import Pin\n") == "esp32"
    assert guess_profile("from microbit import *\nimport machine\n") == "microbit_v2"
    assert image_name("09090:99999:99999:09990:00900") == "HEART"
    assert image_name("11111:00000:00000:00000:00000") == "11111:00000:00000:00000:00000"
    run = run_program("from microbit import *\nimport music\ndisplay.show(Image.HAPPY)\ndisplay.show(7)\n"
                      "music.pitch(440, 100)\nprint('ok')\n", seconds=2)
    assert run.seen == ["00000:09090:00000:90009:09990", "7"]
    text = run.describe()
    assert "LED の表示: 絵 HAPPY → 7" in text and "print した行: ok" in text and "鳴らした音: 1 回" in text
    esp = run_program("print('a')\nimport machine\nmachine.Pin(2, machine.Pin.OUT).on()\n", seconds=1)
    assert esp.profile == "esp32" and esp.seen == ["a"] and "出力したピン: {2: 1}" in esp.describe()
    assert "エラーで止まりました: NameError" in run_program("from microbit import *\nnope\n", seconds=1).describe()
