"""Heat stress indoors: a WBGT estimate from air temperature and humidity, and the warning levels.

The sensor lab 05 (熱中症見守り) turns what a BME280 (or DHT22) measures in a school or club
room into the warning levels of the 日本生気象学会「日常生活における熱中症予防指針」.
This module holds the host-side references the lab's hidden tests compare against.

WBGT (wet-bulb globe temperature, 暑さ指数) combines three thermometers (JIS Z 8504 / ISO 7243):
the natural wet-bulb temperature ``Tnw`` (humidity and air movement), the globe temperature
``Tg`` (radiant heat) and the dry-bulb (air) temperature ``Ta``::

    WBGT = 0.7 Tnw + 0.2 Tg + 0.1 Ta      (with sunshine, 日射あり)
    WBGT = 0.7 Tnw + 0.3 Tg               (without sunshine, 日射なし: indoors)

A temperature/humidity sensor measures neither ``Tnw`` nor ``Tg``; this module *estimates*
WBGT for a room without strong radiant heat (no sun on the sensor or the people, no stove):

* ``wbgt_ono2014``: the regression of 小野雅司・登内道彦 (2014)「通常観測気象要素を用いたWBGT
  （湿球黒球温度）の推定」日本生気象学会雑誌 50(4):147–157, the formula the Ministry of the
  Environment's 熱中症予防情報サイト uses for its estimated values::

      WBGT = 0.735 Ta + 0.0374 RH + 0.00292 Ta RH + 7.619 SR − 4.557 SR² − 0.0572 WS − 4.064

  (Ta °C, RH %, SR global solar radiation kW/m², WS wind speed m/s). It was fitted to
  outdoor observations at weather stations.
* ``wbgt_indoor``: the lab's estimate = ``wbgt_ono2014`` with ``SR = 0`` and ``WS = 0`` (no sun,
  still air), within ``VALID_RANGE`` only (NaN outside). Setting SR and WS to 0 for a room is
  this course's assumption, checked against a second, physical estimate:
* ``wbgt_from_wet_bulb``: ``0.7 Tw + 0.3 Ta``: the indoor definition with the globe temperature
  taken equal to the air temperature (no radiant heat) and the psychrometric wet-bulb
  temperature ``Tw`` of Stull (2011, J. Appl. Meteor. Climatol. 50:2267–2269) in place of the
  natural wet-bulb. Within ``VALID_RANGE`` the two estimates differ by less than 0.6 °C.

Neither is a WBGT meter (JIS B 7922): sun through a window, a hot roof, a crowd or a heater
raise the real WBGT above both estimates.

>>> from chiiki_iot.sensing import heat
>>> round(heat.wbgt_indoor(30.0, 60.0), 2)
25.49
>>> heat.level(25.49), heat.level(28.0), heat.level(31.0), heat.level(24.99)
('警戒', '厳重警戒', '危険', '注意')
>>> heat.level_number(28.0)
3
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "VALID_RANGE", "LEVELS", "LEVEL_NAMES", "wbgt_ono2014", "wbgt_indoor", "wet_bulb_stull",
    "wbgt_from_wet_bulb", "level", "level_number", "levels", "hours_per_level", "first_time_at_or_above",
]

#: Where ``wbgt_indoor`` gives a value: (temperature °C low, high), (relative humidity % low, high).
#: This course's choice: inside it the regression and the physical estimate agree within 0.6 °C,
#: and it covers summer rooms. Outside it ``wbgt_indoor`` returns NaN rather than a guess.
VALID_RANGE = ((20.0, 40.0), (20.0, 95.0))

#: The guideline's levels, highest first: (name, lowest WBGT °C of the level).
#: 日本生気象学会「日常生活における熱中症予防指針」: 危険 31 以上, 厳重警戒 28 以上 31 未満,
#: 警戒 25 以上 28 未満, 注意 25 未満.
LEVELS = (("危険", 31.0), ("厳重警戒", 28.0), ("警戒", 25.0), ("注意", -math.inf))

#: Level numbers as the lab's boards show them (1 = 注意 … 4 = 危険).
LEVEL_NAMES = {1: "注意", 2: "警戒", 3: "厳重警戒", 4: "危険"}


def _num(x):
    """Scalars stay floats; sequences and Series become float arrays / Series."""
    if isinstance(x, pd.Series):
        return x.astype(float)
    if np.ndim(x) == 0:
        return float(x)
    return np.asarray(x, dtype=float)


def _out(x):
    """numpy scalars back to Python floats (arrays and Series unchanged)."""
    return float(x) if np.ndim(x) == 0 and not isinstance(x, pd.Series) else x


def wbgt_ono2014(temp_c, rh_pct, solar_kw_m2=0.0, wind_m_s=0.0):
    """WBGT estimate of 小野・登内 (2014) from air temperature, humidity, sun and wind.

    ``rh_pct`` is relative humidity in percent (70, not 0.7). Works on numbers, arrays and
    pandas Series.

    >>> round(wbgt_ono2014(30, 60), 3)
    25.486
    >>> round(wbgt_ono2014(30, 60, solar_kw_m2=0.8, wind_m_s=1.0), 2)   # outdoors, in the sun
    28.61
    """
    ta, rh, sr, ws = _num(temp_c), _num(rh_pct), _num(solar_kw_m2), _num(wind_m_s)
    return _out(0.735 * ta + 0.0374 * rh + 0.00292 * ta * rh + 7.619 * sr - 4.557 * sr ** 2
                - 0.0572 * ws - 4.064)


def _in_range(ta, rh):
    (tlo, thi), (hlo, hhi) = VALID_RANGE
    return (ta >= tlo) & (ta <= thi) & (rh >= hlo) & (rh <= hhi)


def wbgt_indoor(temp_c, rh_pct):
    """The lab's indoor WBGT estimate: ``wbgt_ono2014`` with no sun and still air.

    NaN outside ``VALID_RANGE`` (and for missing readings): an estimate is not offered
    where it was not checked.

    >>> round(wbgt_indoor(33, 60), 2)
    28.22
    >>> wbgt_indoor(15, 60)
    nan
    >>> wbgt_indoor([25, 35], [50, 70]).round(1).tolist()
    [19.8, 31.4]
    """
    ta, rh = _num(temp_c), _num(rh_pct)
    w = wbgt_ono2014(ta, rh)
    ok = _in_range(ta, rh)
    if isinstance(w, float):
        return w if bool(ok) else math.nan
    return w.where(ok) if isinstance(w, pd.Series) else np.where(ok, w, np.nan)


def wet_bulb_stull(temp_c, rh_pct):
    """Psychrometric wet-bulb temperature (°C) of Stull (2011), at sea-level pressure.

    Valid for RH 5–99 % and −20 to 50 °C (within about 1 °C, as the paper states).

    >>> round(wet_bulb_stull(20, 50), 1)
    13.7
    """
    t, rh = _num(temp_c), _num(rh_pct)
    return _out(t * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(t + rh)
                - np.arctan(rh - 1.676331) + 0.00391838 * rh ** 1.5 * np.arctan(0.023101 * rh) - 4.686035)


def wbgt_from_wet_bulb(temp_c, rh_pct):
    """Indoor WBGT ``0.7 Tw + 0.3 Tg`` with ``Tg = Ta`` (no radiant heat) and ``Tw`` of Stull (2011).

    A physical cross-check of ``wbgt_indoor``.

    >>> round(wbgt_from_wet_bulb(30, 60), 1)
    25.8
    """
    ta = _num(temp_c)
    return _out(0.7 * wet_bulb_stull(ta, rh_pct) + 0.3 * ta)


def level(wbgt) -> str:
    """The guideline's level of one WBGT value (°C): 危険 / 厳重警戒 / 警戒 / 注意.

    A boundary value belongs to the higher level (28.0 is 厳重警戒). Missing → ``""``.

    >>> level(27.99), level(28)
    ('警戒', '厳重警戒')
    """
    if wbgt is None or (isinstance(wbgt, float) and math.isnan(wbgt)):
        return ""
    for name, low in LEVELS:
        if wbgt >= low:
            return name
    return ""  # pragma: no cover - the last level has no lower bound


def level_number(wbgt) -> int:
    """Level as a number 1 (注意) … 4 (危険), as the boards show it; 0 if missing.

    >>> [level_number(w) for w in (20, 25, 30.9, 31)]
    [1, 2, 3, 4]
    """
    name = level(wbgt)
    return {v: k for k, v in LEVEL_NAMES.items()}.get(name, 0)


def levels(wbgt_values) -> pd.Series:
    """The level of each value, as an ordered categorical Series (注意 < 警戒 < 厳重警戒 < 危険).

    >>> levels([24.0, 29.5, float("nan")]).tolist()
    ['注意', '厳重警戒', nan]
    """
    s = pd.Series(wbgt_values, dtype=float)
    names = [level(v) if pd.notna(v) else None for v in s]
    order = [LEVEL_NAMES[i] for i in sorted(LEVEL_NAMES)]
    return pd.Series(pd.Categorical(names, categories=order, ordered=True), index=s.index)


def hours_per_level(wbgt_values, step_s: float) -> dict[str, float]:
    """Hours spent at each level, for readings taken every ``step_s`` seconds.

    Each reading stands for ``step_s`` seconds; missing readings count nowhere.

    >>> hours_per_level([24, 24, 26, 29, 32, 26], step_s=1800)
    {'危険': 0.5, '厳重警戒': 0.5, '警戒': 1.0, '注意': 1.0}
    """
    counts = levels(wbgt_values).value_counts()
    return {name: float(counts.get(name, 0)) * step_s / 3600 for name, _ in LEVELS}


def first_time_at_or_above(times, wbgt_values, threshold: float):
    """The first time whose WBGT is at least ``threshold`` (``None`` if never).

    >>> first_time_at_or_above(["09:00", "09:05", "09:10"], [27.5, 28.0, 29.1], 28)
    '09:05'
    """
    w = pd.Series(wbgt_values, dtype=float).reset_index(drop=True)
    hits = np.flatnonzero((w >= threshold).to_numpy())
    if len(hits) == 0:
        return None
    return list(times)[int(hits[0])]
