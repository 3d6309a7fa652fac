"""chiiki_iot.sensing.water: detectors, alerts, episodes and scoring against events (lab 09)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chiiki_iot.sensing import water as w

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "courses" / "sensors" / "09_suishitsu" / "data"


def hourly(values, start="2025-07-01 00:00"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="h", tz="Asia/Tokyo"), dtype=float)


def at(*hours):
    base = pd.Timestamp("2025-07-01 00:00", tz="Asia/Tokyo")
    return pd.DatetimeIndex([base + pd.Timedelta(hours=h) for h in hours])


# ----------------------------------------------------------------------------- detectors
def test_outside_limits_keeps_the_limits_themselves_normal_and_ignores_nan():
    s = hourly([4.99, 5.0, 8.0, 12.0, 12.01, np.nan])
    assert w.outside_limits(s, 5.0, 12.0).tolist() == [True, False, False, False, True, False]


def test_rate_is_divided_by_the_hours_between_values():
    s = pd.Series([7.0, 7.1, 7.2, 8.4, 7.6], index=at(0, 1, 2, 6, 7))
    rate = w.rate_per_hour(s)
    assert math.isnan(rate.iloc[0])
    assert rate.iloc[3] == pytest.approx(0.3)        # 1.2 over the 4 hours of the gap
    assert rate.iloc[4] == pytest.approx(-0.8)
    assert w.rate_flags(s, 0.5).tolist() == [False, False, False, False, True]


def test_rate_flags_catch_rises_and_falls():
    assert w.rate_flags(hourly([7.0, 7.6, 7.0, 7.1]), 0.5).tolist() == [False, True, True, False]


def test_robust_z_uses_only_earlier_values():
    s = hourly([7.0, 7.1, 6.9] * 13 + [7.0])
    s.iloc[25] = 6.0
    full = w.robust_z(s)
    for k in (13, 20, 25, 30):
        assert w.robust_z(s.iloc[:k + 1]).iloc[-1] == pytest.approx(full.iloc[k], nan_ok=True)


def test_robust_z_value_median_mad_and_scale():
    s = hourly([7.0, 7.1, 6.9] * 10)
    s.iloc[-1] = 9.0
    # the 24 values before the last: median 7.0, MAD 0.1 -> (9.0 - 7.0) / (1.4826 * 0.1)
    assert w.robust_z(s).iloc[-1] == pytest.approx(2.0 / 0.14826)


def test_robust_z_needs_twelve_earlier_values():
    z = w.robust_z(hourly([7.0, 7.1, 6.9] * 6))
    assert z.iloc[:12].isna().all()
    assert not np.isnan(z.iloc[12])


def test_robust_z_is_not_masked_by_a_spike_but_the_plain_z_is():
    s = hourly([7.0, 7.1, 6.9] * 10)
    s.iloc[20] = 12.0
    s.iloc[25] = 6.0
    assert abs(w.robust_z(s).iloc[25]) > 4
    assert abs(w.rolling_z(s).iloc[25]) < 4


def test_robust_z_does_not_divide_by_zero_after_a_stuck_sensor():
    s = hourly([20.0] * 30 + [20.05])
    z = w.robust_z(s)
    assert np.isfinite(z.iloc[-1])
    assert z.iloc[-1] == pytest.approx(0.05 / (1.4826 * 0.01))


def test_stuck_flags_start_at_the_nth_repeat():
    s = hourly([1, 2, 2, 2, 2, 2, 2, 2, 3, 2])
    assert w.stuck_flags(s, n=6).tolist() == [False] * 6 + [True, True, False, False]
    with pytest.raises(ValueError):
        w.stuck_flags(s, n=1)


def test_missing_hours_lists_the_hours_that_never_arrived():
    s = pd.Series([1.0, 2.0, 3.0], index=at(0, 1, 4))
    assert list(w.missing_hours(s)) == list(at(2, 3))
    assert list(w.missing_hours(s, end=at(6)[0])) == list(at(2, 3, 5, 6))


# ----------------------------------------------------------------------------- alerts, episodes, scoring
def tiny_trace():
    rows = []
    for h in range(10):
        rows.append((at(h)[0], "T01", 7.0 if h != 3 else 3.0))   # one low value
        if h not in (6, 7):                                      # T02 lost two hours
            rows.append((at(h)[0], "T02", 7.0))
    return pd.DataFrame(rows, columns=["time", "tank", "do_mgl"])


def test_alerts_runs_a_detector_on_every_tank_and_variable():
    found = w.alerts(tiny_trace(), w.outside_limits, {"do_mgl": {"low": 5.0, "high": 12.0}})
    assert found.to_dict("records") == [{"tank": "T01", "variable": "do_mgl", "time": at(3)[0]}]


def test_alerts_of_scores_use_z_max():
    df = tiny_trace()
    found = w.alerts(df, lambda s: s - 7.0, ["do_mgl"], z_max=3.5)
    assert list(found["time"]) == list(at(3))


def test_missing_alerts_cover_the_whole_trace_period():
    found = w.alerts(tiny_trace(), "missing")
    assert list(zip(found["tank"], found["variable"], found["time"])) == [("T02", "all", at(6)[0]), ("T02", "all", at(7)[0])]


def test_episodes_merge_alarms_that_follow_each_other():
    a = pd.DataFrame({"tank": ["T01"] * 4 + ["T02"], "variable": ["do_mgl"] * 5,
                      "time": list(at(1, 2, 3, 7)) + list(at(2))})
    ep = w.episodes(a)
    assert ep[["tank", "hours"]].values.tolist() == [["T01", 3], ["T02", 1], ["T01", 1]]
    assert w.episodes(a.iloc[:0]).empty


def test_evaluate_finds_events_measures_delay_and_counts_false_alarms():
    events = pd.DataFrame({"event_id": ["E1", "E2"], "tank": ["T01", "T02"], "kind": ["ポンプ停止", "欠測"],
                           "start": list(at(2, 6)), "end": list(at(4, 7))})
    a = pd.DataFrame({"tank": ["T01", "T01", "T01"], "variable": ["do_mgl"] * 3, "time": list(at(3, 4, 9))})
    ev = w.evaluate(a, events, slack="2h")
    assert ev.events["found"].tolist() == [True, False]
    assert ev.events.loc[0, "delay_h"] == 1.0
    assert ev.episodes["hit"].tolist() == [True, False]      # 3-4h hits E1; 9h is after E1's end + 2h
    assert ev.recall == 0.5 and ev.precision == 0.5 and ev.false_alarms == 1
    assert "誤報 1 回" in str(ev)


def test_compare_gives_one_row_per_detector():
    events = pd.DataFrame({"event_id": ["E1"], "tank": ["T01"], "kind": ["x"], "start": list(at(2)), "end": list(at(2))})
    none = pd.DataFrame(columns=["tank", "variable", "time"])
    table = w.compare({"a": pd.DataFrame({"tank": ["T01"], "variable": ["v"], "time": list(at(2))}), "b": none},
                      events, days=2)
    assert table["通知の回数"].tolist() == [1, 0]
    assert table["見つけた出来事"].tolist() == [1, 0]
    assert table["1日あたりの通知"].tolist() == [0.5, 0.0]
    assert np.isnan(table["適合率"].iloc[1])


def test_peer_deviation_compares_with_the_other_tanks():
    df = pd.DataFrame({"time": list(at(0, 0, 0)), "tank": ["T01", "T02", "T03"], "do_mgl": [7.0, 7.2, 5.0]})
    dev = w.peer_deviation(df, "do_mgl")
    assert dev.loc[at(0)[0]].round(2).to_dict() == {"T01": 0.9, "T02": 1.2, "T03": -2.1}


# ----------------------------------------------------------------------------- the lab's shipped trace
@pytest.fixture(scope="module")
def trace():
    return w.read_trace(DATA / "suishitsu_4suiso.csv"), w.read_events(DATA / "events.csv")


def test_the_shipped_trace_has_its_designed_shape(trace):
    df, events = trace
    assert df["time"].dt.tz is not None and str(df["time"].dt.tz) == "Asia/Tokyo"
    assert sorted(df["tank"].unique()) == ["T01", "T02", "T03", "T04"]
    lost = {t: len(w.missing_hours(pd.DatetimeIndex(df.loc[df.tank == t, "time"]), df.time.min(), df.time.max()))
            for t in ["T01", "T02", "T03", "T04"]}
    assert lost == {"T01": 9, "T02": 2, "T03": 8, "T04": 0}
    assert len(events) == 16


def test_on_the_shipped_trace_robust_z_is_first_to_see_the_pump_stop(trace):
    """The lab's exercise 6: E04 is seen after 1 h by robust z, 5 h by the limits, 8 h by the rate."""
    df, events = trace
    limits = {"temp_c": (15.0, 23.0), "salinity_psu": (30.0, 36.0), "do_mgl": (5.0, 12.0)}
    delays = {}
    for name, found in {
        "limits": w.alerts(df, w.outside_limits, {v: {"low": a, "high": b} for v, (a, b) in limits.items()}),
        "rate": w.alerts(df, w.rate_flags, {v: {"max_per_hour": 0.5} for v in limits}),
        "robust": w.alerts(df, w.robust_z, list(limits), z_max=4.0),
    }.items():
        delays[name] = w.evaluate(found, events).events.set_index("event_id").loc["E04", "delay_h"]
    assert delays == {"limits": 5.0, "rate": 8.0, "robust": 1.0}
