"""The virtual micro:bit V2: the micro:bit MicroPython API, driven by scenarios."""
from __future__ import annotations

import time

import pytest

from chiiki_iot.kit import DeviceError, Pulses, Ramp, Sine, Steps
from chiiki_iot.kit.virtual import RadioAir
from kit_fixtures import FAILURE_BOUND_S, make_board, make_kit, microbit  # noqa: F401


def test_display_images_and_text_are_kept(microbit):
    microbit.exec("from microbit import *\ndisplay.clear()\ndisplay.show(Image.HEART)")
    assert microbit.eval("display.get_pixel(1, 0), display.get_pixel(0, 0)") == (9, 0)
    microbit.exec("display.scroll('こんにちは')")
    assert microbit.eval("display.history[-2:]") == [("image", "09090:99999:99999:09990:00900"),
                                                     ("scroll", "こんにちは")]
    assert microbit.eval("Image('90009:09090:00900:09090:90009') == Image.NO") is True


def test_scroll_takes_board_time_like_the_real_display(microbit):
    microbit.exec("from microbit import *")
    t0 = microbit.eval("running_time()")
    microbit.exec("display.scroll('AB', delay=100)")
    assert microbit.eval("running_time()") - t0 >= 100 * (6 * 2 + 5)


def test_temperature_light_sound_and_compass_follow_the_world(make_board):
    b = make_board("microbit_v2")
    b.scenario(temperature=28.6, light=400, sound=180, heading=271)
    b.exec("from microbit import *")
    assert b.eval("temperature()") == 29  # integer degrees, as on the board
    assert b.eval("display.read_light_level()") == 100
    assert b.eval("microphone.sound_level()") == 180
    assert b.eval("microphone.current_event() == SoundEvent.LOUD") is True
    assert b.eval("compass.heading()") == 271


def test_buttons_count_presses_from_a_scenario(make_board):
    b = make_board("microbit_v2")
    b.scenario(button_a=Pulses(at=[0.5, 1.5, 2.5], width=0.2))
    b.exec("from microbit import *")
    assert b.eval("button_a.is_pressed()") is False
    b.exec("sleep(600)")
    assert b.eval("button_a.is_pressed()") is True
    b.exec("sleep(2000)")
    assert b.eval("button_a.get_presses()") == 3
    assert b.eval("button_a.was_pressed()") is True
    assert b.eval("button_a.was_pressed()") is False  # only once per press
    assert b.eval("button_b.get_presses()") == 0


def test_accelerometer_values_range_and_gestures(make_board):
    b = make_board("microbit_v2")
    b.scenario(accel_x=Steps({1.0: -600, 2.0: 0}, initial=0), accel_y=0,
               accel_z=Steps({2.0: 2500, 3.0: 100}, initial=-1000))
    b.exec("from microbit import *")
    assert b.eval("accelerometer.get_values()") == (0, 0, -1000)
    assert b.eval("accelerometer.current_gesture()") == "face up"
    b.exec("sleep(1000)")
    assert b.eval("accelerometer.current_gesture()") == "left"
    b.exec("sleep(1000)")
    assert b.eval("accelerometer.get_z()") == 2000  # clipped to the +-2 g range
    b.exec("accelerometer.set_range(4)")
    assert b.eval("accelerometer.get_z()") == 2500
    b.exec("sleep(1000)")
    assert b.eval("accelerometer.current_gesture()") == "freefall"
    assert b.eval("accelerometer.get_gestures()") == ("face up", "left", "shake", "freefall")


def test_run_every_callbacks_run_while_sleeping(make_board):
    b = make_board("microbit_v2")
    b.exec("from microbit import *\nticks = []\n@run_every(ms=250)\ndef tick():\n    ticks.append(running_time())")
    b.exec("sleep(1000)")
    assert b.eval("len(ticks)") == 4


def test_music_takes_time_and_is_recorded(make_board):
    b = make_board("microbit_v2")
    b.exec("import music\nfrom microbit import running_time\nt0 = running_time()\nmusic.play(['c4:4', 'e', 'g:8'])")
    assert b.eval("music.played") == [("c4", 500), ("e4", 500), ("g4", 1000)]
    assert b.eval("running_time() - t0") >= 2000


def test_pins_soil_sensor_and_pir(make_board):
    b = make_board("microbit_v2")
    b.scenario(soil_moisture=Ramp(0, 100, duration=10), motion=Pulses(at=[1.0], width=1.0))
    b.exec("from microbit import *")
    dry = b.eval("pin0.read_analog()")
    assert dry == 850  # the wiring table's dry reading
    assert b.eval("pin8.read_digital()") == 0
    b.exec("sleep(1500)")
    assert b.eval("pin8.read_digital()") == 1
    assert b.eval("pin0.read_analog()") < dry  # wetter soil reads lower
    b.exec("pin13.write_digital(1)")
    assert b.eval("pin13.read_digital()") == 1


def test_log_module_writes_csv_with_growing_labels(make_board):
    b = make_board("microbit_v2")
    b.exec("import log\nfrom microbit import sleep\nlog.set_labels('temp', timestamp=log.SECONDS)\n"
           "log.add(temp=21)\nsleep(1000)\nlog.add({'temp': 22, 'light': 5})")
    text = (b.kit.host_dir / "log.csv").read_text(encoding="utf-8").splitlines()
    assert text[0] == "Time (seconds),temp,light"
    assert text[1].split(",")[1:] == ["21"]  # rows logged before a label existed are shorter
    assert text[2].split(",")[1:] == ["22", "5"]
    assert "log.csv" not in b.ls()  # like MY_DATA.HTM: not among the board's files


def first_received(board):
    """The first radio message ``board`` receives (polled: a packet crosses the air in its own time)."""
    deadline = time.monotonic() + FAILURE_BOUND_S  # bounds a failure only; no speed is asserted
    got = None
    while got is None and time.monotonic() < deadline:
        got = board.eval("radio.receive()")
    return got


def test_radio_between_two_virtual_micro_bits(make_kit):
    from chiiki_iot.kit import Board

    air = RadioAir()
    try:
        a = Board(make_kit("microbit_v2", air=air).port, "microbit_v2", kit=None)
        c = Board(make_kit("microbit_v2", air=air).port, "microbit_v2", kit=None)
        for x in (a, c):
            x.exec("import radio\nradio.on()\nradio.config(group=7)")
        with pytest.raises(DeviceError, match="radio is not enabled"):
            a.exec("radio.off()\nradio.send('x')")
        a.exec("radio.on()")
        a.exec("radio.send('クマを検知')")
        assert first_received(c) == "クマを検知"
        c.exec("radio.config(group=8)")  # another group hears nothing
        a.exec("radio.send('hello')")
        # a marker on group 8, sent after 'hello' through the same air: c hears it, and only it
        a.exec("radio.config(group=8)\nradio.send('marker')")
        assert first_received(c) == "marker"
        assert c.eval("radio.receive()") is None
        assert air.packets == 3
        a.close()
        c.close()
    finally:
        air.close()


def test_microbit_has_no_esp32_modules(microbit):
    with pytest.raises(DeviceError, match="ImportError"):
        microbit.exec("import network")


def test_was_gesture_and_sound_events_report_what_happened_since_the_last_look(make_board):
    b = make_board("microbit_v2")
    b.scenario(accel_x=Steps({1.0: -600}, initial=0), accel_y=0, accel_z=-1000,
               sound=Steps({1.0: 200, 2.0: 10}, initial=100))
    b.exec("from microbit import *")
    assert b.eval("accelerometer.was_gesture('left')") is False
    b.exec("sleep(1500)")
    assert b.eval("accelerometer.was_gesture('left')") is True
    assert b.eval("accelerometer.was_gesture('left')") is False  # the history was consumed
    assert b.eval("microphone.current_event()") == "loud"
    b.exec("sleep(1000)")
    assert b.eval("microphone.was_event(SoundEvent.QUIET)") is True
    b.exec("sleep(10)")
    assert b.eval("microphone.get_events()") == ()
