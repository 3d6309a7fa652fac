"""Measuring well with cheap sensors: noise, resolution, averaging and calibration.

Reference versions of what the sensor course teaches in sensors 02 (センサーは何を測るか);
later labs use them directly.

>>> readings = [24.02, 24.11, 23.95, 24.07, 23.98, 24.06]
>>> s = noise_summary(readings)
>>> round(s.mean, 3), round(s.sd, 3), s.resolution
(24.032, 0.06, 0.01)
>>> block_means([1, 2, 3, 4, 5], 2)          # the 5 is left over and dropped
[1.5, 3.5]
>>> round(sd_after_averaging(0.2, 16), 3)    # independent noise: sd / sqrt(n)
0.05
>>> cal = Calibration.two_point(raw=(16.3, 31.0), ref=(15.0, 30.0))
>>> round(cal.gain, 4), round(cal.offset, 3)
(1.0204, -1.633)
>>> round(cal(24.0), 2)
22.86

Words used in the course: *resolution* (分解能) is the smallest step a reading can change by;
*noise* (ばらつき) is how much repeated readings of an unchanging quantity scatter (their
standard deviation); *accuracy* (正確さ) is how close readings are to the true value, which
only a comparison with a reference (基準の温度計) can tell, and which calibration (校正)
improves. A fine resolution says nothing about accuracy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "NoiseSummary", "noise_summary", "resolution", "quantize",
    "block_means", "moving_average", "sd_after_averaging", "Calibration",
]


def _values(values: Iterable[float], what: str = "値") -> np.ndarray:
    """Finite float values; NaN (missing readings) are dropped."""
    a = np.asarray(list(values) if not isinstance(values, (np.ndarray, pd.Series)) else values, dtype=float)
    a = a[~np.isnan(a)]
    if a.size == 0:
        raise ValueError(f"{what}が1つもありません（空か、すべて欠測です）。")
    return a


def resolution(values: Iterable[float], digits: int = 9) -> float:
    """The smallest step seen between distinct readings (an estimate of the resolution).

    Differences are rounded to ``digits`` decimals, so float noise (24.07 - 24.06 =
    0.00999...) does not hide the step. With fewer than two distinct readings the step
    cannot be seen: ``nan``. With few readings the true step may be smaller than the one seen.

    >>> resolution([24, 24, 25, 24])
    1.0
    >>> resolution([23.96, 24.07, 24.06])
    0.01
    >>> resolution([24, 24])
    nan
    """
    distinct = np.unique(np.round(_values(values), digits))
    if distinct.size < 2:
        return math.nan
    return float(np.round(np.diff(distinct).min(), digits))


def quantize(values, step: float):
    """Round readings to a resolution of ``step`` (e.g. micro:bit ``temperature()``: 1 °C).

    >>> quantize([23.4, 23.6, 24.49], 1)
    [23.0, 24.0, 24.0]
    >>> quantize(23.456, 0.01)
    23.46
    """
    if step <= 0:
        raise ValueError("step（分解能）は 0 より大きい数にしてください。")
    decimals = max(0, -math.floor(math.log10(step)) + 2)
    if np.ndim(values) == 0:
        return float(round(round(float(values) / step) * step, decimals))
    return [float(round(round(float(v) / step) * step, decimals)) for v in values]


@dataclass(frozen=True)
class NoiseSummary:
    """Summary of repeated readings of one quantity: how many, centre, scatter and step.

    ``sd`` is the sample standard deviation (ddof=1, as pandas ``Series.std()``); ``sem``
    the standard error of the mean, ``sd / sqrt(n)``: how much the mean itself would scatter.
    """

    n: int
    mean: float
    sd: float
    sem: float
    minimum: float
    maximum: float
    resolution: float

    @property
    def spread(self) -> float:
        """Largest minus smallest reading."""
        return self.maximum - self.minimum

    def describe(self, unit: str = "") -> str:
        """One Japanese line for a report."""
        u = f" {unit}" if unit else ""
        step = "不明" if math.isnan(self.resolution) else f"{self.resolution:g}{u}"
        return (f"{self.n} 回: 平均 {self.mean:.3f}{u}、ばらつき（標準偏差）{self.sd:.3f}{u}、"
                f"最小 {self.minimum:g}{u}〜最大 {self.maximum:g}{u}、見えた最小の刻み {step}")


def noise_summary(values: Iterable[float]) -> NoiseSummary:
    """Mean, noise (sample standard deviation), standard error and resolution of readings.

    Use it on readings of something that does not change while you measure (a sensor in a
    closed box, a thermometer in a room at night); otherwise the change counts as noise.

    >>> noise_summary([24, 24, 25, 24]).sd
    0.5
    """
    a = _values(values, "読み取り値")
    sd = float(a.std(ddof=1)) if a.size > 1 else math.nan
    return NoiseSummary(n=int(a.size), mean=float(a.mean()), sd=sd,
                        sem=sd / math.sqrt(a.size) if a.size > 1 else math.nan,
                        minimum=float(a.min()), maximum=float(a.max()), resolution=resolution(a))


def block_means(values: Iterable[float], n: int) -> list[float]:
    """Means of consecutive, non-overlapping groups of ``n`` readings; a last, incomplete
    group is dropped. This is what "average n readings, report one value" does on a board.

    >>> block_means([20.0, 20.2, 20.4, 20.6, 20.8, 21.0, 99.0], 3)
    [20.2, 20.8]
    """
    if int(n) != n or n < 1:
        raise ValueError("n（まとめる個数）は 1 以上の整数にしてください。")
    a = _values(values, "読み取り値")
    whole = (a.size // int(n)) * int(n)
    return [float(round(m, 12)) for m in a[:whole].reshape(-1, int(n)).mean(axis=1)]


def moving_average(values, window: int) -> pd.Series:
    """Trailing moving average over ``window`` readings (pandas ``rolling``); the first
    ``window - 1`` values are NaN because there are not yet enough readings.

    Unlike ``block_means`` it gives a value at every reading, so a display can update at
    the sampling rate while showing a smoothed value; it lags behind real changes by about
    ``(window - 1) / 2`` readings.

    >>> moving_average([1, 2, 3, 4, 5], 3).tolist()
    [nan, nan, 2.0, 3.0, 4.0]
    """
    if int(window) != window or window < 1:
        raise ValueError("window（平均する個数）は 1 以上の整数にしてください。")
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=float)
    return s.astype(float).rolling(int(window)).mean()


def sd_after_averaging(sd: float, n: int) -> float:
    """Noise left after averaging ``n`` readings with independent noise: ``sd / sqrt(n)``.

    Averaging does not help when readings are not independent (the same reading repeated
    faster than the sensor updates, a slow drift) nor against a constant offset (bias).
    """
    if n < 1:
        raise ValueError("n は 1 以上にしてください。")
    return sd / math.sqrt(n)


@dataclass(frozen=True)
class Calibration:
    """A straight-line correction: ``corrected = gain * raw + offset``.

    Build one from readings of the sensor (``raw``) next to a reference instrument (``ref``):
    ``offset_only`` (one condition: shift only), ``two_point`` (two conditions far apart:
    gain and offset) or ``fit`` (many pairs: least squares). Then call it on readings.

    >>> Calibration.offset_only(raw=[25.1, 25.3], ref=[24.0, 24.2])(26.0)
    24.9
    """

    gain: float = 1.0
    offset: float = 0.0

    def __call__(self, raw):
        """Correct one reading, a list (returns a list), a numpy array or a pandas Series."""
        if isinstance(raw, (pd.Series, np.ndarray)):
            return raw * self.gain + self.offset
        if isinstance(raw, (list, tuple)):
            return [float(round(self.gain * float(r) + self.offset, 12)) for r in raw]
        return float(round(self.gain * float(raw) + self.offset, 12))

    @classmethod
    def offset_only(cls, raw: Iterable[float], ref: Iterable[float]) -> "Calibration":
        """Gain 1, offset = mean(ref) - mean(raw): the sensor reads high or low by a constant."""
        r, t = _values(raw, "センサーの値"), _values(ref, "基準の値")
        return cls(1.0, float(round(t.mean() - r.mean(), 12)))

    @classmethod
    def two_point(cls, raw: Sequence[float], ref: Sequence[float]) -> "Calibration":
        """The line through (raw[0], ref[0]) and (raw[1], ref[1]).

        Choose the two conditions far apart (a cool and a warm room), each the mean of
        several readings; between them the correction is an interpolation, outside an
        extrapolation.
        """
        (r1, r2), (t1, t2) = (float(x) for x in raw), (float(x) for x in ref)
        if r1 == r2:
            raise ValueError("2点のセンサーの値が同じなので、傾きが決まりません。温度の離れた2つの場面で測ってください。")
        gain = (t2 - t1) / (r2 - r1)
        return cls(float(round(gain, 12)), float(round(t1 - gain * r1, 12)))

    @classmethod
    def fit(cls, raw: Iterable[float], ref: Iterable[float]) -> "Calibration":
        """Least-squares line through many (raw, ref) pairs (``numpy.polyfit``)."""
        r, t = np.asarray(list(raw), dtype=float), np.asarray(list(ref), dtype=float)
        if r.shape != t.shape or r.size < 2:
            raise ValueError("センサーの値と基準の値を、同じ数（2組以上）だけ並べてください。")
        if np.unique(r).size < 2:
            raise ValueError("センサーの値がすべて同じなので、傾きが決まりません。")
        gain, offset = np.polyfit(r, t, 1)
        return cls(float(gain), float(offset))

    def describe(self, unit: str = "") -> str:
        """The correction as a Japanese formula, e.g. ``補正後 = 1.0204 × 読み − 1.633``."""
        sign = "−" if self.offset < 0 else "＋"
        u = f" {unit}" if unit else ""
        return f"補正後 = {self.gain:.4f} × 読み {sign} {abs(self.offset):.3f}{u}"
