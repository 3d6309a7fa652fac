"""chiiki_iot.sensing.motion: activity from acceleration and vibration analysis (sensor lab 06)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chiiki_iot.sensing import motion

G = 9.80665


def test_units_milli_g_to_metres_per_second_squared():
    assert motion.mg_to_ms2(1000) == pytest.approx(G)
    assert motion.mg_to_ms2(1) == pytest.approx(0.00980665)
    assert motion.mg_to_ms2(np.array([0, -500])).tolist() == pytest.approx([0, -G / 2])


@pytest.mark.parametrize("x, y, z", [(0, 0, -1000), (0, 0, 1000), (1000, 0, 0), (0, -1000, 0),
                                     (577.35, 577.35, 577.35)])
def test_gravity_alone_gives_no_activity_whichever_way_the_board_is_turned(x, y, z):
    assert motion.dynamic_acceleration(x, y, z) == pytest.approx(0, abs=1e-3)


def test_dynamic_acceleration_is_the_size_of_the_difference_from_one_g():
    assert motion.dynamic_acceleration(0, 0, -1200) == pytest.approx(0.2 * G)
    assert motion.dynamic_acceleration(0, 0, -800) == pytest.approx(0.2 * G)   # positive, not -0.2 g
    assert motion.dynamic_acceleration(300, 400, 0) == pytest.approx(0.5 * G)
    s = motion.dynamic_acceleration(pd.Series([0, 0]), pd.Series([0, 0]), pd.Series([-1000, -1500]))
    assert isinstance(s, pd.Series) and s.tolist() == pytest.approx([0, 0.5 * G])


def test_per_minute_groups_whole_minutes_by_board_time():
    t = np.arange(0, 180, 0.5)                       # 3 minutes at 2 Hz
    z = np.where(t < 60, -1000, np.where(t < 120, -1100, -1000))
    df = pd.DataFrame({"t": t, "accel_x": 0, "accel_y": 0, "accel_z": z})
    m = motion.per_minute(df)
    assert list(m.index) == [0, 1, 2]
    assert m.tolist() == pytest.approx([0, 0.1 * G, 0])


def test_active_minutes_counts_the_boundary_as_active():
    assert motion.active_minutes([0.05, 0.1, 0.2, 0.0999], 0.1) == 2


def test_daily_means_and_hourly_profile_use_local_calendar_days_and_hours():
    idx = pd.date_range("2024-07-01 00:00", periods=48 * 60, freq="min", tz="Asia/Tokyo")
    v = pd.Series(np.where(idx.hour == 13, 0.0, 0.04), index=idx)
    v[idx.date == pd.Timestamp("2024-07-02").date()] *= 2
    days = motion.daily_means(v)
    assert len(days) == 2 and days.iloc[1] == pytest.approx(2 * days.iloc[0])
    profile = motion.hourly_profile(v)
    assert list(profile.index) == list(range(24))
    assert motion.least_active_hour(profile) == 13


def test_least_active_hour_ignores_the_night_unless_asked():
    profile = pd.Series([0.001] * 7 + [0.05] * 6 + [0.02] + [0.05] * 10)
    assert motion.least_active_hour(profile) == 13
    assert motion.least_active_hour(profile, hours=range(24)) == 0


def test_rms_of_a_sine_around_gravity():
    t = np.arange(1000) / 100
    v = G + 0.5 * np.sin(2 * np.pi * 4 * t)
    assert motion.rms(v) == pytest.approx(0.5 / math.sqrt(2), rel=1e-3)
    assert motion.rms(v, remove_mean=False) == pytest.approx(math.sqrt(G ** 2 + 0.125), rel=1e-3)


def test_dominant_frequency_in_hertz_not_in_bins():
    rate = 50
    t = np.arange(500) / rate
    v = 0.3 * np.sin(2 * np.pi * 12 * t) + 0.1 * np.sin(2 * np.pi * 2 * t) + G
    assert motion.dominant_frequency(v, rate) == pytest.approx(12.0)
    s = motion.spectrum(v, rate)
    assert s.index[1] == pytest.approx(0.1) and s.loc[12.0] == pytest.approx(0.3, rel=1e-6)


def test_aliasing_folds_frequencies_above_nyquist():
    assert motion.alias_frequency(12, 10) == pytest.approx(2)
    assert motion.alias_frequency(12, 50) == pytest.approx(12)
    assert motion.alias_frequency(25, 50) == pytest.approx(25)
    assert motion.alias_frequency(26, 50) == pytest.approx(24)
    assert motion.alias_frequency(50, 50) == pytest.approx(0)
    t = np.arange(100) / 10                              # what sampling really shows
    assert motion.dominant_frequency(np.sin(2 * np.pi * 12 * t), 10) == pytest.approx(2)


def test_seed_figures():
    assert motion.KUMAMOTO_TARGET_MS2 == 0.04 and motion.KUMAMOTO_LOW_MS2 == 0.02
