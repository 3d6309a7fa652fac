"""chiiki_iot.sensing.heat: the indoor WBGT estimate and the guideline's levels (sensor lab 05)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chiiki_iot.sensing import heat


def test_ono2014_formula_term_by_term():
    # 0.735 Ta + 0.0374 RH + 0.00292 Ta RH + 7.619 SR - 4.557 SR^2 - 0.0572 WS - 4.064
    assert heat.wbgt_ono2014(0, 0) == pytest.approx(-4.064)
    assert heat.wbgt_ono2014(10, 0) - heat.wbgt_ono2014(0, 0) == pytest.approx(7.35)
    assert heat.wbgt_ono2014(0, 10) - heat.wbgt_ono2014(0, 0) == pytest.approx(0.374)
    assert heat.wbgt_ono2014(10, 10) == pytest.approx(7.35 + 0.374 + 0.292 - 4.064)
    assert heat.wbgt_ono2014(0, 0, solar_kw_m2=1) == pytest.approx(-4.064 + 7.619 - 4.557)
    assert heat.wbgt_ono2014(0, 0, wind_m_s=2) == pytest.approx(-4.064 - 0.1144)


@pytest.mark.parametrize("ta, rh, expected", [(30, 60, 25.486), (33, 60, 28.22), (37, 60, 31.86),
                                              (31, 85, 29.60), (31, 40, 23.84), (24, 60, 20.03)])
def test_indoor_estimate_is_ono_with_no_sun_and_no_wind(ta, rh, expected):
    assert heat.wbgt_indoor(ta, rh) == pytest.approx(expected, abs=0.01)
    assert isinstance(heat.wbgt_indoor(ta, rh), float)


def test_humidity_is_in_percent_and_raises_the_estimate():
    assert heat.wbgt_indoor(32, 80) > heat.wbgt_indoor(32, 40) + 5
    assert math.isnan(heat.wbgt_indoor(32, 0.8))  # a fraction is outside the valid range


def test_outside_the_valid_range_there_is_no_estimate():
    (tlo, thi), (hlo, hhi) = heat.VALID_RANGE
    assert math.isnan(heat.wbgt_indoor(tlo - 0.1, 50))
    assert math.isnan(heat.wbgt_indoor(thi + 0.1, 50))
    assert math.isnan(heat.wbgt_indoor(30, hhi + 1))
    assert math.isnan(heat.wbgt_indoor(30, hlo - 1))
    assert not math.isnan(heat.wbgt_indoor(tlo, hlo))
    assert math.isnan(heat.wbgt_indoor(float("nan"), 50))


def test_arrays_and_series_keep_their_shape_and_index():
    s = heat.wbgt_indoor(pd.Series([25.0, 15.0], index=[10, 11]), pd.Series([50.0, 50.0], index=[10, 11]))
    assert list(s.index) == [10, 11] and math.isnan(s[11]) and s[10] == pytest.approx(19.8, abs=0.05)
    a = heat.wbgt_indoor(np.array([25.0, 35.0]), np.array([50.0, 70.0]))
    assert isinstance(a, np.ndarray) and a.shape == (2,)


def test_the_physical_cross_check_agrees_within_the_valid_range():
    (tlo, thi), (hlo, hhi) = heat.VALID_RANGE
    t, rh = np.meshgrid(np.linspace(tlo, thi, 41), np.linspace(hlo, hhi, 76))
    diff = heat.wbgt_indoor(t, rh) - heat.wbgt_from_wet_bulb(t, rh)
    assert np.nanmax(np.abs(diff)) < 0.6


def test_stull_wet_bulb_known_values():
    # Stull (2011): T = 20 degC, RH = 50 % gives Tw = 13.7 degC; saturated air: Tw close to T
    assert heat.wet_bulb_stull(20, 50) == pytest.approx(13.7, abs=0.05)
    assert heat.wet_bulb_stull(30, 99) == pytest.approx(30, abs=0.3)


@pytest.mark.parametrize("w, name, number", [
    (24.99, "注意", 1), (25.0, "警戒", 2), (27.99, "警戒", 2), (28.0, "厳重警戒", 3),
    (30.99, "厳重警戒", 3), (31.0, "危険", 4), (40, "危険", 4), (-5, "注意", 1)])
def test_levels_follow_the_guideline_with_boundaries_in_the_higher_level(w, name, number):
    assert heat.level(w) == name
    assert heat.level_number(w) == number
    assert heat.LEVEL_NAMES[number] == name


def test_missing_values_have_no_level():
    assert heat.level(float("nan")) == "" and heat.level_number(float("nan")) == 0
    assert heat.levels([float("nan")]).isna().all()


def test_hours_per_level_weights_each_reading_by_its_interval():
    w = [20] * 12 + [26] * 6 + [29] * 3 + [32]       # 5-minute readings
    hours = heat.hours_per_level(w, step_s=300)
    assert hours == {"危険": pytest.approx(5 / 60), "厳重警戒": pytest.approx(0.25),
                     "警戒": pytest.approx(0.5), "注意": pytest.approx(1.0)}
    assert list(hours) == ["危険", "厳重警戒", "警戒", "注意"]


def test_first_time_at_or_above():
    times = ["08:00", "08:05", "08:10", "08:15"]
    assert heat.first_time_at_or_above(times, [27.9, 28.0, 27.0, 29.0], 28) == "08:05"
    assert heat.first_time_at_or_above(times, [20, 21, 22, 23], 28) is None
