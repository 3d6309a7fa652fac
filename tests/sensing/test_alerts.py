"""chiiki_iot.sensing.alerts: level, median filter, threshold/hysteresis rules, confusion matrices,
and running an alert program on a fresh virtual board."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chiiki_iot.kit import Replay, current_board
from chiiki_iot.sensing import alerts


def test_water_level_is_mount_height_minus_distance():
    assert alerts.water_level(12.0, 30) == 18.0
    s = alerts.water_level(pd.Series([50.0, 47.5, 44.0]), 50.0)
    assert s.tolist() == [0.0, 2.5, 6.0]


def test_median_filter_removes_a_spike_and_keeps_a_step():
    level = pd.Series([5.0, 5.0, -30.0, 5.0, 5.0, 8.0, 8.0, 8.0, 8.0])
    out = alerts.median_filter(level, window=5)
    assert out.iloc[2] == 5.0  # the no-echo spike is gone
    assert out.iloc[-1] == 8.0 and out.iloc[0] == 5.0  # edges use what is there (no NaN)
    assert out.notna().all() and len(out) == len(level)
    assert out.index.equals(level.index)
    with pytest.raises(ValueError):
        alerts.median_filter(level, window=0)


def test_threshold_both_directions_and_missing_values():
    v = [1.0, np.nan, 3.0]
    assert alerts.threshold(v, 2.0).tolist() == [False, False, True]
    assert alerts.threshold(v, 2.0, above=False).tolist() == [True, False, False]


def test_hysteresis_switches_once_where_a_threshold_chatters():
    noisy = [18, 19.6, 20.4, 19.7, 20.3, 19.8, 20.1, 17.5, 16.9, 16.0, 20.5]
    plain = alerts.threshold(noisy, 20)
    hyst = alerts.hysteresis(noisy, on=20, off=17)
    assert alerts.count_alarms(plain) == 4
    assert alerts.count_alarms(hyst) == 2
    assert hyst.tolist() == [False, False, True, True, True, True, True, True, False, False, True]


def test_hysteresis_low_alarm_and_min_samples():
    level = [5, 1.8, 5, 1.9, 1.7, 1.6, 2.5, 2.9, 3.1, 1.0]
    assert alerts.hysteresis(level, on=2, off=3, above=False).astype(int).tolist() == [0, 1, 0, 1, 1, 1, 1, 1, 0, 1]
    # a single low sample (a spike) is no alarm when 2 in a row are needed
    assert alerts.hysteresis(level, on=2, off=3, above=False, min_samples=2).astype(int).tolist() == \
        [0, 0, 0, 0, 1, 1, 1, 1, 0, 0]


def test_hysteresis_ignores_missing_readings():
    level = [25, np.nan, 25, np.nan, 10, np.nan, 10]
    out = alerts.hysteresis(level, on=20, off=15, min_samples=2)
    assert out.tolist() == [False] * 7  # NaN breaks the run of high readings
    out = alerts.hysteresis([25, 25, np.nan, 10], on=20, off=15, min_samples=2)
    assert out.tolist() == [False, True, True, False]  # and never switches the alert


@pytest.mark.parametrize("on, off, above", [(20, 20, True), (20, 25, True), (2, 1, False), (2, 2, False)])
def test_hysteresis_needs_the_off_level_on_the_right_side(on, off, above):
    with pytest.raises(ValueError, match="threshold"):
        alerts.hysteresis([1, 2, 3], on=on, off=off, above=above)


def test_episodes_and_alarm_counts():
    assert alerts.episodes([1, 1, 0, 1, 0, 0, 1]) == [(0, 2), (3, 4), (6, 7)]
    assert alerts.episodes(pd.Series([False, False])) == []
    assert alerts.count_alarms(np.array([True, True, False, True])) == 2
    assert alerts.count_alarms([0, np.nan, 1]) == 1


def test_step_confusion_counts_each_sample_once():
    alert = [1, 1, 0, 0, 1, 0, 0, 1]
    truth = [1, 0, 1, 0, 1, 0, 1, 1]
    c = alerts.step_confusion(alert, truth)
    assert c.as_dict() == {"TP": 3, "FP": 1, "FN": 2, "TN": 2}
    assert sum(c.as_dict().values()) == len(alert)
    assert c.recall == pytest.approx(3 / 5) and c.precision == pytest.approx(3 / 4)
    with pytest.raises(ValueError, match="長さ"):
        alerts.step_confusion([1, 0], [1, 0, 1])


def test_event_confusion_caught_missed_and_false_alarms():
    truth = [0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    alert = [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0]
    e = alerts.event_confusion(alert, truth)
    assert (e.tp, e.fn, e.fp, e.tn) == (1, 1, 1, None)
    assert e.delays == [1, None]
    # one alarm spanning two real events catches both and is not a false alarm
    e = alerts.event_confusion([0, 1, 1, 1, 1, 0], [0, 1, 0, 0, 1, 0])
    assert (e.tp, e.fn, e.fp) == (2, 0, 0)
    assert e.delays == [0, -3]  # the second event was announced 3 samples early


def test_event_confusion_slack_accepts_a_slightly_late_alarm():
    truth = [0, 1, 1, 0, 0, 0]
    alert = [0, 0, 0, 0, 1, 0]  # starts 1 sample after the event ended
    assert alerts.event_confusion(alert, truth).as_dict() == {"TP": 0, "FP": 1, "FN": 1, "TN": None}
    e = alerts.event_confusion(alert, truth, slack=2)
    assert (e.tp, e.fp, e.fn) == (1, 0, 0)
    assert e.delays == [3]


PROGRAM = """
import time, kit_sensors
def watch(n, on=20, off=17, height=30):
    alert = False
    for i in range(n):
        level = height - kit_sensors.read("distance_cm")
        if not alert and level >= on:
            alert = True
            print("ON", level)
        elif alert and level <= off:
            alert = False
            print("OFF", level)
        time.sleep_ms(500)
"""
LEVELS = [12, 20.5, 19.5, 20.5, 16, 21, 12]
SCENARIO = Replay(tuple([0.0] + [2 * k - 0.25 for k in range(1, len(LEVELS))]), tuple(30 - v for v in LEVELS), hold=True)


@pytest.mark.parametrize("profile", ["microbit_v2", "esp32"])
def test_run_alert_program_reports_the_switching_on_a_fresh_board(profile):
    before = current_board()
    run = alerts.run_alert_program(PROGRAM, "watch(28)", profile=profile, distance_cm=SCENARIO)
    assert run.error is None
    assert run.kinds == ["ON", "OFF", "ON", "OFF"]
    assert run.events[0] == ("ON", pytest.approx(20.5, abs=0.05))
    assert (run.ons, run.offs) == (2, 2)
    assert current_board() is before  # the notebook's board stays the current one


def test_run_alert_program_reports_display_pins_and_errors():
    shown = PROGRAM.replace('print("ON", level)', 'print("ON", level); show()')
    mb = "from microbit import display, Image\ndef show():\n    display.show(Image.NO)\n" + shown
    run = alerts.run_alert_program(mb, "watch(28)", distance_cm=SCENARIO)
    assert [kind for kind, _ in run.display] == ["image", "image"]
    esp = "from machine import Pin\ndef show():\n    Pin(2, Pin.OUT).on()\n" + shown
    run = alerts.run_alert_program(esp, "watch(22)", profile="esp32", pins=(2,), distance_cm=SCENARIO)
    assert run.kinds == ["ON", "OFF", "ON"] and run.pins == {2: 1}
    broken = alerts.run_alert_program("def watch(n):\n    raise ValueError('x')", "watch(3)")
    assert broken.error and "ValueError" in broken.error and broken.events == []


def test_run_alert_program_says_when_the_call_never_returns():
    endless = "import time\ndef watch(n):\n    while True:\n        time.sleep_ms(500)\n"
    run = alerts.run_alert_program(endless, "watch(3)", seconds=30)
    assert run.error and "終わりませんでした" in run.error
    assert run.program.ended == "time" and run.program.board_ms >= 30_000
