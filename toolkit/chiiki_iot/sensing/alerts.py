"""Alert rules over a series of readings, and how to judge them against what really happened.

The sensor lab 04 (しきい値とアラート) builds water-level alerts from an ultrasonic distance
sensor. This module holds the host-side references: the level from a distance, a median
filter against spikes, threshold and hysteresis rules, and confusion matrices that compare
an alert with the ground truth of a replayed scenario, per time step and per event.

>>> from chiiki_iot.sensing import alerts
>>> level = [1.0, 2.1, 1.9, 2.1, 1.9, 2.6, 3.2, 1.5]
>>> alerts.threshold(level, 2.0).astype(int).tolist()          # a plain threshold chatters
[0, 1, 0, 1, 0, 1, 1, 0]
>>> alerts.hysteresis(level, on=2.0, off=1.6).astype(int).tolist()   # on at 2.0, off at 1.6
[0, 1, 1, 1, 1, 1, 1, 0]
>>> alerts.count_alarms(alerts.threshold(level, 2.0)), alerts.count_alarms(alerts.hysteresis(level, 2.0, 1.6))
(3, 1)

Direction: ``above=True`` alerts on high values (water rising), ``above=False`` on low
values (a paddy running dry). Missing readings (NaN, e.g. no echo) never switch an alert.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "water_level", "median_filter", "threshold", "hysteresis", "episodes", "count_alarms",
    "Confusion", "step_confusion", "EventConfusion", "event_confusion",
    "AlertRun", "run_alert_program",
]


def _array(values) -> np.ndarray:
    """Numbers as a float array; anything unreadable becomes NaN."""
    return pd.to_numeric(pd.Series(values).reset_index(drop=True), errors="coerce").to_numpy(dtype=float)


def _flags(values) -> np.ndarray:
    """True/False (or 1/0) as a bool array; a missing value counts as False."""
    s = pd.Series(values).reset_index(drop=True)
    if s.dtype == bool:
        return s.to_numpy()
    return (pd.to_numeric(s, errors="coerce").fillna(0) != 0).to_numpy()


def water_level(distance_cm, mount_height_cm: float):
    """Water level (cm above the bottom) from the sensor's distance to the water surface.

    The sensor looks down from ``mount_height_cm`` above the bottom (a bucket's floor, a
    paddy's soil surface), so ``level = mount_height - distance``. Keeps the input's type.

    >>> water_level(18.5, 30)
    11.5
    >>> water_level(pd.Series([48.0, 45.5]), 50).tolist()
    [2.0, 4.5]
    """
    return mount_height_cm - distance_cm


def median_filter(values, window: int = 5) -> pd.Series:
    """Centred rolling median over ``window`` samples (edges use the samples there are).

    A spike shorter than half the window disappears; a real change of level stays.

    >>> median_filter([5.0, 5.1, -20.0, 5.2, 5.1], window=3).tolist()
    [5.05, 5.0, 5.1, 5.1, 5.15]
    """
    if window < 1:
        raise ValueError("window は 1 以上の整数にしてください。")
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=float)
    return s.rolling(window, center=True, min_periods=1).median()


def threshold(values, level: float, *, above: bool = True) -> np.ndarray:
    """A plain threshold: True where ``value >= level`` (``above``) or ``value <= level``.

    >>> threshold([1, 2, 3], 2).tolist(), threshold([1, 2, 3], 2, above=False).tolist()
    ([False, True, True], [True, True, False])
    """
    v = _array(values)
    with np.errstate(invalid="ignore"):
        return (v >= level) if above else (v <= level)


def hysteresis(values, on: float, off: float, *, above: bool = True, min_samples: int = 1) -> np.ndarray:
    """An alert with hysteresis: it switches on at ``on`` and back off only at ``off``.

    ``above=True`` (high alarm): on when ``value >= on``, off when ``value <= off`` (off < on).
    ``above=False`` (low alarm): on when ``value <= on``, off when ``value >= off`` (off > on).
    ``min_samples``: the on-condition must hold for that many samples in a row before the
    alert switches on (a minimum duration: one spike is not an alarm). A missing value (NaN)
    changes nothing and breaks such a run.

    >>> hysteresis([0, 5, 9, 11, 9, 6, 4, 11], on=10, off=5).astype(int).tolist()
    [0, 0, 0, 1, 1, 1, 0, 1]
    >>> hysteresis([3, 1, 3, 1, 1, 1, 2.5, 4], on=1.5, off=3, above=False, min_samples=2).astype(int).tolist()
    [0, 0, 0, 0, 1, 1, 1, 0]
    """
    if min_samples < 1:
        raise ValueError("min_samples は 1 以上の整数にしてください。")
    if above and not off < on:
        raise ValueError(f"上がったら鳴らすアラートでは、止める値 off（{off}）を鳴らす値 on（{on}）より小さくします。"
                         "ヒステリシスなしで比べるなら threshold() を使ってください。")
    if not above and not off > on:
        raise ValueError(f"下がったら鳴らすアラートでは、止める値 off（{off}）を鳴らす値 on（{on}）より大きくします。"
                         "ヒステリシスなしで比べるなら threshold() を使ってください。")
    v = _array(values)
    out = np.zeros(len(v), dtype=bool)
    state, run = False, 0
    for i, x in enumerate(v):
        if math.isnan(x):
            run = 0
        elif not state:
            run = run + 1 if (x >= on if above else x <= on) else 0
            if run >= min_samples:
                state, run = True, 0
        elif x <= off if above else x >= off:
            state = False
        out[i] = state
    return out


def episodes(flags) -> list[tuple[int, int]]:
    """Runs of True as ``(start, stop)`` sample indices (stop excluded).

    >>> episodes([0, 1, 1, 0, 0, 1])
    [(1, 3), (5, 6)]
    """
    f = _flags(flags).astype(np.int8)
    edges = np.diff(np.concatenate(([0], f, [0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return [(int(a), int(b)) for a, b in zip(starts, stops)]


def count_alarms(flags) -> int:
    """How many times an alert went off (rises from False to True; True at the start counts).

    >>> count_alarms([0, 1, 1, 0, 1, 0]), count_alarms([1, 1, 0])
    (2, 1)
    """
    return len(episodes(flags))


@dataclass(frozen=True)
class Confusion:
    """Per time step: each sample is one decision (alert or not) against the truth."""

    tp: int  # alert, and it really was so (正しく鳴った)
    fp: int  # alert, but it was not so (誤報・空振り)
    fn: int  # no alert, but it was so (見逃し)
    tn: int  # no alert, and nothing happened (正しく鳴らなかった)

    def as_dict(self) -> dict[str, int]:
        """``{"TP": .., "FP": .., "FN": .., "TN": ..}``"""
        return {"TP": self.tp, "FP": self.fp, "FN": self.fn, "TN": self.tn}

    @property
    def recall(self) -> float:
        """Share of the real cases the alert caught: TP / (TP + FN) (1 = no miss)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def precision(self) -> float:
        """Share of alert samples that were real: TP / (TP + FP) (1 = no false alarm)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")


def step_confusion(alert, truth) -> Confusion:
    """Confusion matrix per time step (both series sample for sample).

    >>> step_confusion([1, 1, 0, 0, 1], [1, 0, 1, 0, 1]).as_dict()
    {'TP': 2, 'FP': 1, 'FN': 1, 'TN': 1}
    """
    a, t = _flags(alert), _flags(truth)
    if len(a) != len(t):
        raise ValueError(f"アラート（{len(a)} 個）と正解（{len(t)} 個）の長さが違います。同じ時刻の並びで比べます。")
    return Confusion(int(np.sum(a & t)), int(np.sum(a & ~t)), int(np.sum(~a & t)), int(np.sum(~a & ~t)))


@dataclass(frozen=True)
class EventConfusion:
    """Per event: real events caught or missed, and alarms that matched no event.

    TN has no meaning here (one cannot count the events that did not happen), so it is None.
    ``delays`` holds, for each real event, the samples from its start to the start of the
    first alarm that overlaps it: 0 = at once, positive = late, negative = the alarm began
    before the event (an early warning), None = missed.
    """

    tp: int  # real events with an alert during them (検知できた出来事)
    fn: int  # real events with no alert (見逃した出来事)
    fp: int  # alarms during which nothing really happened (空振りのアラート)
    delays: list[int | None] = field(default_factory=list)
    tn: None = None

    def as_dict(self) -> dict[str, int | None]:
        return {"TP": self.tp, "FP": self.fp, "FN": self.fn, "TN": self.tn}


def event_confusion(alert, truth, *, slack: int = 0) -> EventConfusion:
    """Confusion per event: compare the alarms (runs of True in ``alert``) with the real events.

    A real event counts as caught (TP) when an alarm overlaps it, widened by ``slack``
    samples on each side (an alarm a little early or late still counts); otherwise it is
    missed (FN). An alarm that overlaps no real event (with the same slack) is a false
    alarm (FP).

    >>> e = event_confusion([0, 1, 1, 0, 0, 0, 1, 0, 0, 0], [0, 0, 1, 1, 0, 0, 0, 0, 1, 1])
    >>> e.as_dict(), e.delays          # the alarm began 1 sample before the first event
    ({'TP': 1, 'FP': 1, 'FN': 1, 'TN': None}, [-1, None])
    """
    a, t = _flags(alert), _flags(truth)
    if len(a) != len(t):
        raise ValueError(f"アラート（{len(a)} 個）と正解（{len(t)} 個）の長さが違います。同じ時刻の並びで比べます。")
    real, alarms = episodes(t), episodes(a)

    def overlaps(x: tuple[int, int], y: tuple[int, int]) -> bool:
        return x[0] < y[1] + slack and y[0] < x[1] + slack

    delays: list[int | None] = []
    for ev in real:
        hits = [al for al in alarms if overlaps(al, ev)]
        delays.append(hits[0][0] - ev[0] if hits else None)
    fp = sum(1 for al in alarms if not any(overlaps(al, ev) for ev in real))
    tp = sum(d is not None for d in delays)
    return EventConfusion(tp=tp, fn=len(real) - tp, fp=fp, delays=delays)


# ---------------------------------------------------------------- board programs (grading)

_LINE = re.compile(r"^\s*(ON|OFF)\b\s*(\S+)?", re.M)


@dataclass
class AlertRun:
    """What an alert program did on a fresh virtual board (see ``run_alert_program``).

    ``events``: the ``ON``/``OFF`` lines it printed, as ``(kind, value)`` (value: the number
    after the word, or None); ``display``: the micro:bit display's history; ``pins``: the
    levels of the ESP32 pins asked for, at the end; ``error``: why the program did not finish
    (its exception, or that it never ended), else None; ``program``: the whole ``ProgramRun``.
    """

    profile: str
    output: str = ""
    events: list[tuple[str, float | None]] = field(default_factory=list)
    display: list[Any] = field(default_factory=list)
    pins: dict[int, int] = field(default_factory=dict)
    error: str | None = None
    program: Any = None

    @property
    def ons(self) -> int:
        return sum(1 for kind, _ in self.events if kind == "ON")

    @property
    def offs(self) -> int:
        return sum(1 for kind, _ in self.events if kind == "OFF")

    @property
    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]


def _parse_events(text: str) -> list[tuple[str, float | None]]:
    out = []
    for kind, value in _LINE.findall(text):
        try:
            out.append((kind, float(value)))
        except (TypeError, ValueError):
            out.append((kind, None))
    return out


def run_alert_program(code: str, call: str, *, profile: str = "microbit_v2", pins: Sequence[int] = (),
                      seconds: float = 3600.0, timeout: float = 30.0, **scenario) -> AlertRun:
    """Run an alert program on a **fresh** virtual board with a fixed scenario; report what it did.

    For hidden tests: ``chiiki_iot.kit.trial.run_program`` runs it, so the learner's own
    board is never used and the board never waits. ``code`` defines the program
    (functions, constants), ``call`` starts it (e.g. ``"watch(120, 500)"``) and must return
    within ``seconds`` of board time; ``scenario`` sets what the simulated sensors measure
    (``distance_cm=Replay(...)``) from boot, so the same program always sees the same
    readings. The program reports switching with printed lines ``ON <value>`` and ``OFF <value>``.
    """
    from chiiki_iot.kit.trial import run_program

    ran = run_program(f"{code}\n{call}\n", seconds=seconds, profile=profile, timeout=timeout, **scenario)
    error = ran.error
    if ran.ended == "time":
        error = f"{call} がボードの時間で {seconds:g} 秒たっても終わりませんでした（ループが止まらない？）"
    elif ran.ended == "stuck":
        error = f"{call} でボードの時間が進まなくなりました（sleep もせず、センサーも読まないループ？）"
    return AlertRun(profile=ran.profile, output=ran.output, events=_parse_events(ran.output),
                    display=ran.display, pins={int(p): ran.pins.get(int(p), 0) for p in pins},
                    error=error, program=ran)
