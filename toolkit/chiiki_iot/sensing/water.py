"""Water-quality monitoring: hourly traces of tanks, anomaly detectors, and scoring them.

The sensor lab 水質 (courses/sensors/09_suishitsu) replays an hourly trace of land-based
aquaculture tanks (water temperature, salinity, dissolved oxygen) and asks which detector
would have warned the one operator who is 4 km away. This module holds the reference
versions of what the lab teaches, for the lab's hidden tests and for reuse:

* a trace is a long table: ``time`` (tz-aware), ``tank`` and one column per variable;
  hours that never arrived have **no row** (as in a cloud database);
* a detector takes one tank's series (:func:`series`) and returns True/False per row:
  :func:`outside_limits`, :func:`rate_flags`, :func:`robust_z` (> ``z_max``),
  :func:`stuck_flags`; :func:`missing_hours` lists the hours that never arrived;
* :func:`alerts` runs a detector over every tank and variable, :func:`episodes` merges
  consecutive alerts into one notification, :func:`evaluate` and :func:`compare` score
  detectors against a ground-truth events table (which events were found, how late,
  how many notifications were false alarms).

>>> import pandas as pd
>>> s = pd.Series([7.0, 7.1, 4.8, 7.0], index=pd.date_range("2025-07-01", periods=4, freq="h", tz="Asia/Tokyo"))
>>> outside_limits(s, 5.0, 12.0).tolist()
[False, False, True, False]
>>> rate_flags(s, 0.5).tolist()
[False, False, True, True]
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..jst import JST

#: The variables of a trace: column -> (Japanese name, unit).
VARIABLES: dict[str, tuple[str, str]] = {
    "temp_c": ("水温", "°C"),
    "salinity_psu": ("塩分", "PSU"),
    "do_mgl": ("溶存酸素", "mg/L"),
}
#: Robust scale: 1.4826 × MAD estimates the standard deviation of normally distributed data.
MAD_TO_SD = 1.4826


def read_trace(path: str | Path) -> pd.DataFrame:
    """A trace CSV (``time`` in ISO 8601 with its UTC offset) as a DataFrame in Japan time.

    Rows are sorted by time and tank; ``time`` becomes a tz-aware datetime column.
    """
    df = pd.read_csv(path)
    if "time" not in df.columns or "tank" not in df.columns:
        raise ValueError(f"{Path(path).name} に time と tank の列が必要です（今ある列: {', '.join(df.columns)}）。")
    df["time"] = pd.to_datetime(df["time"], utc=True).dt.tz_convert(JST)
    return df.sort_values(["time", "tank"], ignore_index=True)


def read_events(path: str | Path) -> pd.DataFrame:
    """The ground-truth events table (``start`` and ``end`` in Japan time, both inclusive)."""
    ev = pd.read_csv(path)
    for col in ("start", "end"):
        ev[col] = pd.to_datetime(ev[col], utc=True).dt.tz_convert(JST)
    return ev


def series(df: pd.DataFrame, tank: str, variable: str) -> pd.Series:
    """One tank's values of one variable, indexed by time, only the hours that arrived."""
    if variable not in df.columns:
        raise KeyError(f"列 {variable!r} はありません。使える列: {', '.join(c for c in df.columns if c in VARIABLES)}")
    part = df.loc[df["tank"] == tank, ["time", variable]].dropna()
    if part.empty:
        raise KeyError(f"水槽 {tank!r} の行がありません。水槽: {', '.join(sorted(df['tank'].unique()))}")
    return pd.Series(part[variable].to_numpy(dtype=float), index=pd.DatetimeIndex(part["time"]), name=variable)


# ----------------------------------------------------------------------------- detectors
def outside_limits(s: pd.Series, low: float, high: float) -> pd.Series:
    """True where a value is below ``low`` or above ``high`` (the limits themselves are fine).

    A missing value (NaN) is not an alarm of this detector (see :func:`missing_hours`).

    >>> outside_limits(pd.Series([4.99, 5.0, 12.0, 12.01, float("nan")]), 5.0, 12.0).tolist()
    [True, False, False, True, False]
    """
    return (s < low) | (s > high)


def rate_per_hour(s: pd.Series) -> pd.Series:
    """Change per hour since the previous value that arrived (NaN for the first).

    The elapsed time comes from the index, so a value after 8 lost hours is compared
    with the one before them as a change over 9 hours, not over one.
    """
    hours = s.index.to_series().diff().dt.total_seconds() / 3600
    return pd.Series(s.diff().to_numpy() / hours.to_numpy(), index=s.index, name=s.name)


def rate_flags(s: pd.Series, max_per_hour: float) -> pd.Series:
    """True where the value changed faster than ``max_per_hour`` (either way)."""
    return rate_per_hour(s).abs() > max_per_hour


def robust_z(s: pd.Series, window: str = "24h", min_periods: int = 12, resolution: float = 0.01) -> pd.Series:
    """How unusual each value is compared with the previous ``window`` of values.

    ``(x - median) / (1.4826 * MAD)`` where the median and the MAD (median absolute
    deviation) come from the values **before** this one within ``window`` (the current
    value is not used, nor any later one: a detector cannot see the future). The MAD is
    at least ``resolution`` (the sensor's step), so a run of identical values does not
    divide by zero. NaN until ``min_periods`` earlier values exist.

    >>> idx = pd.date_range("2025-07-01", periods=30, freq="h", tz="Asia/Tokyo")
    >>> s = pd.Series([7.0, 7.1, 6.9] * 10, index=idx)
    >>> s.iloc[-1] = 9.0
    >>> round(float(robust_z(s).iloc[-1]), 1)
    13.5
    """
    roll = s.rolling(window, closed="left", min_periods=min_periods)
    med = roll.median()
    mad = roll.apply(lambda w: np.median(np.abs(w - np.median(w))), raw=True)
    scale = MAD_TO_SD * np.maximum(mad, resolution)
    return (s - med) / scale


def rolling_z(s: pd.Series, window: str = "24h", min_periods: int = 12) -> pd.Series:
    """The plain z-score against the previous ``window``: ``(x - mean) / std``.

    Shown beside :func:`robust_z`: one spike inflates the standard deviation for a whole
    window, so the alarms that follow it are masked.
    """
    roll = s.rolling(window, closed="left", min_periods=min_periods)
    return (s - roll.mean()) / roll.std()


def stuck_flags(s: pd.Series, n: int = 6) -> pd.Series:
    """True from the ``n``-th value of a run of identical values on (the sensor is stuck).

    Only the past is used: the 6th identical value in a row raises the alarm, the first
    five do not (nobody can know yet that they will repeat).

    >>> stuck_flags(pd.Series([1.0, 2, 2, 2, 3]), n=3).tolist()
    [False, False, False, True, False]
    """
    if n < 2:
        raise ValueError("n は 2 以上にしてください（同じ値が何回続いたら張り付きとみなすか）。")
    run = (s != s.shift()).cumsum()
    position = s.groupby(run).cumcount() + 1
    return position >= n


def missing_hours(s: pd.Series | pd.DatetimeIndex, start=None, end=None, freq: str = "h") -> pd.DatetimeIndex:
    """The expected times (every ``freq`` from ``start`` to ``end``) that have no value.

    ``start`` / ``end`` default to the first and last time present; give the period of
    the whole trace to see losses at its very beginning or end.
    """
    index = s if isinstance(s, pd.DatetimeIndex) else pd.DatetimeIndex(s.dropna().index)
    start = index.min() if start is None else pd.Timestamp(start)
    end = index.max() if end is None else pd.Timestamp(end)
    expected = pd.date_range(start, end, freq=freq)
    return expected.difference(index)


def peer_deviation(df: pd.DataFrame, variable: str) -> pd.DataFrame:
    """Each tank's value minus the median of the *other* tanks at the same hour (time × tank).

    Slow drifts that every rule on one tank misses (a fouled probe) stand out here,
    because the tanks share the same water and weather.
    """
    wide = df.pivot(index="time", columns="tank", values=variable)
    out = {}
    for tank in wide.columns:
        others = wide.drop(columns=tank)
        out[tank] = wide[tank] - others.median(axis=1)
    return pd.DataFrame(out)


# ----------------------------------------------------------------------------- alerts and scoring
Detector = Callable[..., pd.Series]


def alerts(df: pd.DataFrame, detector: Detector | str, variables: Iterable[str] | Mapping[str, Mapping] | None = None,
           **params) -> pd.DataFrame:
    """Run ``detector`` on every tank and variable; one row per alarm: ``tank, variable, time``.

    ``variables`` is a list of columns (the same ``params`` for each), or a dict
    ``{column: {param: value}}`` for per-variable settings such as limits. The detector
    gets one tank's series (:func:`series`) and returns True/False (or numbers, then
    ``|value| > z_max`` counts, with ``z_max`` from ``params``, default 4).
    ``detector="missing"`` lists the hours that never arrived (variable ``"all"``),
    expected every hour from the first to the last time of the whole trace.
    """
    tanks = sorted(df["tank"].unique())
    rows = []
    if isinstance(detector, str):
        if detector != "missing":
            raise ValueError('文字で指定できる検出器は "missing"（欠測）だけです。')
        start, end = df["time"].min(), df["time"].max()
        for tank in tanks:
            got = pd.DatetimeIndex(df.loc[df["tank"] == tank, "time"])
            rows += [(tank, "all", t) for t in missing_hours(got, start, end)]
        return _alert_frame(rows)
    if variables is None:
        variables = [v for v in VARIABLES if v in df.columns]
    settings = dict(variables) if isinstance(variables, Mapping) else {v: {} for v in variables}
    z_max = params.pop("z_max", 4.0)
    for tank in tanks:
        for variable, own in settings.items():
            s = series(df, tank, variable)
            out = detector(s, **{**params, **dict(own)})
            out = pd.Series(out, index=s.index) if not isinstance(out, pd.Series) else out
            flags = out.fillna(False).astype(bool) if out.dtype == bool or out.dtype == object else (out.abs() > z_max)
            rows += [(tank, variable, t) for t in flags.index[flags.to_numpy()]]
    return _alert_frame(rows)


def _alert_frame(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["tank", "variable", "time"])
    if out.empty:
        out["time"] = pd.to_datetime(out["time"]).dt.tz_localize(JST)
    return out.sort_values(["time", "tank", "variable"], ignore_index=True)


def episodes(alert_rows: pd.DataFrame, gap: str = "1h") -> pd.DataFrame:
    """Merge alarms of the same tank and variable that are at most ``gap`` apart.

    One episode is one notification to the operator (a run of alarm hours does not
    ring the phone every hour). Columns: ``tank, variable, start, end, hours``.
    """
    cols = ["tank", "variable", "start", "end", "hours"]
    if alert_rows.empty:
        return pd.DataFrame(columns=cols)
    out = []
    limit = pd.Timedelta(gap)
    for (tank, variable), part in alert_rows.sort_values("time").groupby(["tank", "variable"], sort=True):
        times = list(part["time"])
        first = prev = times[0]
        count = 1
        for t in times[1:]:
            if t - prev <= limit:
                prev, count = t, count + 1
                continue
            out.append((tank, variable, first, prev, count))
            first = prev = t
            count = 1
        out.append((tank, variable, first, prev, count))
    return pd.DataFrame(out, columns=cols).sort_values(["start", "tank", "variable"], ignore_index=True)


@dataclass
class Evaluation:
    """How one detector's alarms compare with the ground truth.

    ``events``: one row per event (found?, first alarm, delay in hours);
    ``episodes``: one row per notification (``hit``: it overlapped an event of its tank).
    """

    name: str
    events: pd.DataFrame
    episodes: pd.DataFrame

    @property
    def recall(self) -> float:
        """Share of events found (再現率)."""
        return float(self.events["found"].mean()) if len(self.events) else float("nan")

    @property
    def precision(self) -> float:
        """Share of notifications that were about a real event (適合率); NaN with no notification."""
        return float(self.episodes["hit"].mean()) if len(self.episodes) else float("nan")

    @property
    def false_alarms(self) -> int:
        return int((~self.episodes["hit"]).sum()) if len(self.episodes) else 0

    def __str__(self) -> str:
        found = int(self.events["found"].sum())
        p = "—" if np.isnan(self.precision) else f"{self.precision:.0%}"
        return (f"{self.name}: 出来事 {len(self.events)} 件のうち {found} 件を検出（再現率 {self.recall:.0%}）。"
                f"通知 {len(self.episodes)} 回のうち誤報 {self.false_alarms} 回（適合率 {p}）。")

    __repr__ = __str__


def evaluate(alert_rows: pd.DataFrame, events: pd.DataFrame, slack: str = "2h", name: str = "検出器") -> Evaluation:
    """Score alarms against events (same tank; the event's time window plus ``slack`` after).

    An event is *found* when an alarm of its tank falls between its ``start`` and
    ``end + slack``; its delay is the first such alarm minus ``start`` (hours). A
    notification (episode) is a *hit* when it overlaps such a window of its tank;
    otherwise it is a false alarm. Alarms of any variable count for the tank: a
    temperature alarm during a pump stop still brings the operator to the right tank.
    """
    after = pd.Timedelta(slack)
    eps = episodes(alert_rows)
    rows = []
    for ev in events.itertuples(index=False):
        mine = alert_rows[(alert_rows["tank"] == ev.tank) & (alert_rows["time"] >= ev.start)
                          & (alert_rows["time"] <= ev.end + after)]
        first = mine["time"].min() if len(mine) else pd.NaT
        delay = (first - ev.start).total_seconds() / 3600 if len(mine) else float("nan")
        rows.append({"event_id": ev.event_id, "tank": ev.tank, "kind": ev.kind, "start": ev.start,
                     "found": bool(len(mine)), "first_alert": first, "delay_h": delay})
    table = pd.DataFrame(rows, columns=["event_id", "tank", "kind", "start", "found", "first_alert", "delay_h"])
    hits = []
    for ep in eps.itertuples(index=False):
        mine = events[events["tank"] == ep.tank]
        hits.append(bool(((ep.start <= mine["end"] + after) & (ep.end >= mine["start"])).any()))
    eps = eps.assign(hit=pd.Series(hits, index=eps.index, dtype=bool))
    return Evaluation(name, table, eps)


def compare(named_alerts: Mapping[str, pd.DataFrame], events: pd.DataFrame, slack: str = "2h",
            days: float | None = None) -> pd.DataFrame:
    """One row per detector: notifications, false alarms, events found, recall, precision.

    With ``days`` (the length of the trace), also notifications per day — the number
    that decides whether the operator still reads them (alert fatigue).
    """
    rows = []
    for name, found in named_alerts.items():
        ev = evaluate(found, events, slack=slack, name=name)
        row = {"検出器": name, "通知の回数": len(ev.episodes), "誤報の回数": ev.false_alarms,
               "見つけた出来事": int(ev.events["found"].sum()), "出来事の数": len(ev.events),
               "再現率": round(ev.recall, 3), "適合率": round(ev.precision, 3) if len(ev.episodes) else float("nan")}
        if days:
            row["1日あたりの通知"] = round(len(ev.episodes) / days, 2)
        rows.append(row)
    return pd.DataFrame(rows)
