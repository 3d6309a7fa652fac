"""chiiki_iot.sensing.measurement: noise, resolution, averaging and calibration."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki_iot.sensing.measurement import (
    Calibration,
    block_means,
    moving_average,
    noise_summary,
    quantize,
    resolution,
    sd_after_averaging,
)


def test_noise_summary_matches_pandas_sample_statistics():
    rng = np.random.default_rng(3)
    x = pd.Series(24 + rng.normal(0, 0.2, 200)).round(2)
    s = noise_summary(x)
    assert s.n == 200
    assert s.mean == pytest.approx(x.mean())
    assert s.sd == pytest.approx(x.std())              # ddof=1, as pandas
    assert s.sd != pytest.approx(x.std(ddof=0), abs=1e-6)
    assert s.sem == pytest.approx(x.std() / math.sqrt(200))
    assert (s.minimum, s.maximum) == (x.min(), x.max())
    assert s.spread == pytest.approx(x.max() - x.min())
    assert s.resolution == 0.01
    assert "ばらつき" in s.describe("℃") and "0.01 ℃" in s.describe("℃")


def test_noise_summary_drops_missing_and_rejects_empty():
    assert noise_summary([24.0, float("nan"), 25.0]).n == 2
    with pytest.raises(ValueError, match="1つもありません"):
        noise_summary([float("nan")])
    one = noise_summary([24.0])
    assert one.n == 1 and math.isnan(one.sd) and math.isnan(one.resolution)


def test_resolution_sees_the_step_of_a_sensor_despite_float_noise():
    assert resolution([24, 24, 25, 23]) == 1.0                      # micro:bit temperature()
    assert resolution([23.96, 24.07, 24.06, 24.0]) == 0.01          # BME280: 24.07 - 24.06 != 0.01 in floats
    assert resolution([1013.25, 1013.5, 1013.25]) == 0.25
    assert math.isnan(resolution([24, 24, 24]))                     # a step that never happens is not seen


def test_quantize_rounds_to_the_step():
    assert quantize([23.4, 23.5001, 24.49, -0.6], 1) == [23.0, 24.0, 24.0, -1.0]
    assert quantize(23.456, 0.01) == 23.46
    assert quantize([0.123], 0.05) == [0.1]
    with pytest.raises(ValueError):
        quantize(1.0, 0)


def test_block_means_groups_consecutive_readings_and_drops_the_rest():
    assert block_means([1, 2, 3, 4, 5, 6, 7], 3) == [2.0, 5.0]
    assert block_means([1, 2, 3], 1) == [1.0, 2.0, 3.0]
    assert block_means([1, 2], 3) == []
    assert block_means(pd.Series([20.0, 20.2, 20.4, 20.6]), 2) == [20.1, 20.5]
    for bad in (0, 1.5, -2):
        with pytest.raises(ValueError):
            block_means([1, 2, 3], bad)


def test_averaging_n_readings_shrinks_independent_noise_by_sqrt_n():
    rng = np.random.default_rng(7)
    x = 24 + rng.normal(0, 0.4, 16000)
    for n in (4, 16, 64):
        got = np.std(block_means(x, n), ddof=1)
        assert got == pytest.approx(sd_after_averaging(0.4, n), rel=0.1)
    assert sd_after_averaging(0.4, 1) == 0.4
    with pytest.raises(ValueError):
        sd_after_averaging(0.4, 0)


def test_averaging_does_not_remove_a_bias():
    rng = np.random.default_rng(1)
    true, bias = 22.0, 1.5
    x = true + bias + rng.normal(0, 0.3, 4000)
    assert np.mean(block_means(x, 100)) == pytest.approx(true + bias, abs=0.05)


def test_moving_average_is_trailing_and_keeps_the_index():
    s = pd.Series([1.0, 2.0, 3.0, 4.0], index=[10, 20, 30, 40])
    m = moving_average(s, 2)
    assert list(m.index) == [10, 20, 30, 40]
    assert m.isna().tolist() == [True, False, False, False]
    assert m.iloc[1:].tolist() == [1.5, 2.5, 3.5]
    assert moving_average([5, 5, 5], 1).tolist() == [5.0, 5.0, 5.0]
    with pytest.raises(ValueError):
        moving_average([1, 2], 0)


def test_two_point_calibration_goes_through_both_points():
    cal = Calibration.two_point(raw=(16.3, 31.0), ref=(15.0, 30.0))
    assert cal(16.3) == pytest.approx(15.0) and cal(31.0) == pytest.approx(30.0)
    assert cal.gain == pytest.approx(15 / 14.7)
    assert cal.offset == pytest.approx(15.0 - 15 / 14.7 * 16.3)
    assert "補正後" in cal.describe() and "−" in cal.describe()
    with pytest.raises(ValueError, match="傾き"):
        Calibration.two_point(raw=(20.0, 20.0), ref=(15.0, 30.0))


@given(gain=st.floats(0.5, 2.0), offset=st.floats(-5, 5), r1=st.floats(-10, 20), gap=st.floats(5, 30))
def test_two_point_recovers_any_straight_line(gain, offset, r1, gap):
    r2 = r1 + gap
    cal = Calibration.two_point(raw=(r1, r2), ref=(gain * r1 + offset, gain * r2 + offset))
    assert cal.gain == pytest.approx(gain, rel=1e-9)
    assert cal.offset == pytest.approx(offset, abs=1e-7)


def test_calibration_applies_to_numbers_lists_arrays_and_series():
    cal = Calibration(gain=2.0, offset=-1.0)
    assert cal(3) == 5.0 and isinstance(cal(3), float)
    assert cal([1, 2]) == [1.0, 3.0]
    assert cal(np.array([1.0, 2.0])).tolist() == [1.0, 3.0]
    s = cal(pd.Series([1.0, 2.0], index=["a", "b"]))
    assert isinstance(s, pd.Series) and s.to_dict() == {"a": 1.0, "b": 3.0}
    assert Calibration()(24.5) == 24.5


def test_offset_only_and_fit():
    off = Calibration.offset_only(raw=[25.1, 25.3, 25.2], ref=[24.0, 24.2, 24.1])
    assert off.gain == 1.0 and off.offset == pytest.approx(-1.1)
    raw = np.array([10.0, 15.0, 20.0, 25.0, 30.0])
    fit = Calibration.fit(raw, 0.98 * raw - 0.4)
    assert fit.gain == pytest.approx(0.98) and fit.offset == pytest.approx(-0.4)
    two = Calibration.two_point(raw=(10.0, 30.0), ref=(9.4, 29.0))
    assert Calibration.fit([10.0, 30.0], [9.4, 29.0]).gain == pytest.approx(two.gain)
    with pytest.raises(ValueError):
        Calibration.fit([1.0], [1.0])
    with pytest.raises(ValueError):
        Calibration.fit([2.0, 2.0], [1.0, 3.0])
