"""Events from motion (PIR) sensors and trap switches: edges, glitches, hold-off, counts, notifications.

A PIR sensor puts out a HIGH pulse of a few seconds for each detection; an animal that
lingers in front of it gives several pulses in a row. A trap's switch closes once, but its
contacts chatter (bounce) for a few milliseconds. Turning such signals into *events* that
people can count and act on takes the same few steps every time:

1. count a change from LOW to HIGH (a rising edge), not every sample that is HIGH;
2. ignore HIGHs too short to be real (glitches from wind, sun or electrical noise) and
   wait until a switch has stayed closed for a while (debouncing);
3. after an event, ignore new ones from the same sensor for a hold-off time, so one
   animal counts once;
4. count events per day, per hour, night against day, per place; and decide who is told,
   when (a closed trap at once; motion only in a summary, and not too often).

These are the reference versions of what the wildlife lab (``courses/sensors/07_yasei_dobutsu``)
asks learners to write; the board-side loop there follows ``count_events`` sample by sample.

>>> count_events([0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1], period_s=0.1, min_high_s=0.3, holdoff_s=0)
[0.3, 1.0]
>>> apply_holdoff([10.0, 12.5, 40.0, 41.0], holdoff_s=30)
[10.0, 40.0]
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "rising_edges", "count_events", "apply_holdoff", "debounce", "is_night",
    "daily_counts", "night_share", "rate_limit",
]


def rising_edges(levels: Iterable[float]) -> list[int]:
    """Indexes where ``levels`` goes from LOW (< 0.5) to HIGH (>= 0.5).

    A level that is HIGH at index 0 counts as an edge (the sensor was triggered when we
    started to look).

    >>> rising_edges([0, 1, 1, 0, 1, 0, 0, 1])
    [1, 4, 7]
    >>> rising_edges([1, 1, 0])
    [0]
    """
    edges, previous = [], False
    for i, v in enumerate(levels):
        high = v >= 0.5
        if high and not previous:
            edges.append(i)
        previous = high
    return edges


def count_events(levels: Sequence[float], *, period_s: float, min_high_s: float = 0.3,
                 holdoff_s: float = 30.0) -> list[float]:
    """Event times (s) in a regularly sampled PIR signal, as a board loop would find them.

    Samples ``levels`` were taken every ``period_s`` seconds, the first at time 0. A HIGH
    run becomes an event at the sample where it has lasted ``min_high_s`` (the number of
    HIGH samples × ``period_s``), so shorter glitches are ignored, and only once per run.
    An event closer than ``holdoff_s`` to the previous *counted* event is not counted.

    >>> count_events([1, 1, 1, 1, 0, 1, 0, 1, 1, 1], period_s=1, min_high_s=2, holdoff_s=0)
    [1, 8]
    >>> count_events([1, 1, 0, 1, 1, 0, 1, 1], period_s=1, min_high_s=2, holdoff_s=4)
    [1, 7]
    """
    events: list[float] = []
    high_s, counted, last = 0.0, False, None
    eps = period_s * 1e-6
    for i, v in enumerate(levels):
        t = i * period_s
        if v >= 0.5:
            high_s += period_s
            if high_s + eps >= min_high_s and not counted:
                counted = True
                if last is None or t - last + eps >= holdoff_s:
                    events.append(round(t, 9))
                    last = t
        else:
            high_s, counted = 0.0, False
    return events


def apply_holdoff(times: Iterable[float], holdoff_s: float) -> list[float]:
    """Keep an event only if ``holdoff_s`` or more has passed since the last *kept* one.

    The hold-off is measured from the last event that was kept (counted), not from the
    last one seen: a sensor triggered every 20 s with a 30 s hold-off still reports every
    40 s, so a long visit is not hidden completely.

    >>> apply_holdoff([0, 20, 40, 60, 80], holdoff_s=30)
    [0, 40, 80]
    """
    kept: list[float] = []
    for t in sorted(times):
        if not kept or t - kept[-1] >= holdoff_s:
            kept.append(t)
    return kept


def debounce(levels: Sequence[float], *, period_s: float, stable_s: float = 0.05) -> list[float]:
    """Times (s) at which a switch is known to have closed: HIGH for ``stable_s`` in a row.

    A trap's lever or reed switch chatters for a few milliseconds when the door slams;
    sampled every millisecond it looks like several closures. A closure counts once its
    level has stayed HIGH for ``stable_s``; it can count again only after the level has
    stayed LOW for ``stable_s`` (the trap was opened and set again).

    >>> bouncy = [0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1]
    >>> debounce(bouncy, period_s=0.01, stable_s=0.05)
    [0.1]
    """
    closures: list[float] = []
    state, run_level, run = False, None, 0
    needed = max(1, round(stable_s / period_s))
    for i, v in enumerate(levels):
        high = v >= 0.5
        run = run + 1 if high == run_level else 1
        run_level = high
        if run >= needed and high != state:
            state = high
            if high:
                closures.append(round(i * period_s, 9))
    return closures


def is_night(times: "pd.Series", start_hour: int = 18, end_hour: int = 6) -> "pd.Series":
    """True for times from ``start_hour``:00 to ``end_hour - 1``:59 (the night spans midnight).

    The hours are read in the times' own time zone (give Japan time for Japan).

    >>> import pandas as pd
    >>> t = pd.Series(pd.to_datetime(["2024-09-01 17:59", "2024-09-01 18:00", "2024-09-02 05:59",
    ...                               "2024-09-02 06:00"]))
    >>> is_night(t).tolist()
    [False, True, True, False]
    """
    hour = times.dt.hour
    if start_hour > end_hour:
        return (hour >= start_hour) | (hour < end_hour)
    return (hour >= start_hour) & (hour < end_hour)


def daily_counts(log: "pd.DataFrame", *, kind: str | None = None, days: Sequence[str] | None = None,
                 sensors: Sequence[str] | None = None, time: str = "時刻", key: str = "センサーID",
                 kind_col: str = "種類", alive_kind: str | None = None) -> "pd.DataFrame":
    """Events per day (rows, ``"YYYY-MM-DD"`` in the times' own zone) and sensor (columns).

    ``kind`` keeps only rows of that kind (e.g. ``"人感"``). ``days`` and ``sensors`` fix the
    rows and columns, so a day or a sensor without any event shows 0 rather than going
    missing. With ``alive_kind`` (e.g. ``"生存"``, the daily heartbeat a sensor sends), a
    sensor that sent no heartbeat on a day gets NaN there: it may have been off, so 0 would
    claim more than the log knows.

    >>> import pandas as pd
    >>> log = pd.DataFrame({"時刻": pd.to_datetime(["2024-09-01 21:00", "2024-09-01 22:00",
    ...                                             "2024-09-01 12:00", "2024-09-02 12:00"]),
    ...                     "センサーID": ["P1", "P1", "P1", "P2"], "種類": ["人感", "人感", "生存", "生存"]})
    >>> table = daily_counts(log, kind="人感", days=["2024-09-01", "2024-09-02"], sensors=["P1", "P2"],
    ...                      alive_kind="生存")
    >>> table.index.tolist(), table.columns.tolist()
    (['2024-09-01', '2024-09-02'], ['P1', 'P2'])
    >>> table.values.tolist()
    [[2.0, nan], [nan, 0.0]]
    """
    import pandas as pd

    rows = log if kind is None else log[log[kind_col] == kind]
    dates = rows[time].dt.strftime("%Y-%m-%d")
    table = pd.crosstab(dates.rename("日付"), rows[key])
    if days is not None:
        table = table.reindex(list(days), fill_value=0)
    if sensors is not None:
        table = table.reindex(columns=list(sensors), fill_value=0)
    table.index.name = "日付"
    table.columns.name = key
    if alive_kind is not None:
        alive = log[log[kind_col] == alive_kind]
        seen = set(zip(alive[time].dt.strftime("%Y-%m-%d"), alive[key]))
        table = table.astype(float)
        for day in table.index:
            for sensor in table.columns:
                if (day, sensor) not in seen:
                    table.loc[day, sensor] = float("nan")
    return table


def night_share(log: "pd.DataFrame", *, kind: str | None = None, start_hour: int = 18, end_hour: int = 6,
                time: str = "時刻", key: str = "センサーID", kind_col: str = "種類") -> "pd.Series":
    """Per sensor, the fraction (0..1) of its events that happened at night.

    >>> import pandas as pd
    >>> log = pd.DataFrame({"時刻": pd.to_datetime(["2024-09-01 23:00", "2024-09-02 10:00", "2024-09-02 03:00"]),
    ...                     "センサーID": ["P1", "P1", "P2"], "種類": ["人感"] * 3})
    >>> night_share(log).to_dict()
    {'P1': 0.5, 'P2': 1.0}
    """
    rows = log if kind is None else log[log[kind_col] == kind]
    night = is_night(rows[time], start_hour, end_hour)
    share = night.groupby(rows[key]).mean()
    share.name = "夜の割合"
    return share


def rate_limit(log: "pd.DataFrame", minutes: float, *, always: Iterable[str] = ("わな",),
               limited: Iterable[str] = ("人感",), time: str = "時刻", key: str = "センサーID",
               kind_col: str = "種類") -> "pd.DataFrame":
    """The rows of ``log`` that should send a notification.

    Rows whose kind is in ``always`` (a closed trap) are all notified, at once. Rows whose
    kind is in ``limited`` (motion) are notified only if ``minutes`` or more have passed
    since the last notification *from the same sensor*; the others are left for the
    summary. Rows of any other kind (heartbeats) are never notified. The result keeps the
    columns and is sorted by time.

    >>> import pandas as pd
    >>> log = pd.DataFrame({"時刻": pd.to_datetime(["2024-09-20 20:00", "2024-09-20 20:30", "2024-09-20 20:40",
    ...                                             "2024-09-20 21:05", "2024-09-20 21:10"]),
    ...                     "センサーID": ["P1", "P1", "W1", "P1", "P2"], "種類": ["人感", "人感", "わな", "人感", "人感"]})
    >>> rate_limit(log, 60)["時刻"].dt.strftime("%H:%M").tolist()
    ['20:00', '20:40', '21:05', '21:10']
    """
    import pandas as pd

    always, limited = set(always), set(limited)
    rows = log.sort_values(time, kind="stable")
    last: dict = {}
    keep = []
    window = pd.Timedelta(minutes=minutes)
    for idx, row in rows.iterrows():
        kind = row[kind_col]
        if kind in always:
            keep.append(idx)
        elif kind in limited:
            sensor, t = row[key], row[time]
            if sensor not in last or t - last[sensor] >= window:
                keep.append(idx)
                last[sensor] = t
    return rows.loc[keep]
