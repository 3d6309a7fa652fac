"""Scenarios: what the simulated sensors of the virtual kit measure, as deterministic sources.

A scenario sets a *source* for some of the world's quantities (temperature, distance to
the water, acceleration, ...). Every simulated sensor on a virtual board reads the same
world, so a DHT22 and a BME280 on one board agree, as they would in one room.

>>> from chiiki_iot.kit.scenario import Ramp, Noise, Pulses
>>> s = Scenario(temperature=Ramp(20, 30, duration=60) + Noise(0.2, seed=1),
...              motion=Pulses(at=[5, 20], width=2))
>>> s.names()
['motion', 'temperature']

Sources are functions of *scenario time*: seconds of the board's virtual clock since the
source was set (see ``device/sim/common/time.py``), so the same scenario gives the same
samples every run, on every machine. The functions themselves live in
``device/sim/common/_sources.py`` and run on the board; the host only describes them.
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import yaml

from ..data import read_meta
from .errors import ScenarioError

SOURCES_PY = Path(__file__).resolve().parent / "device" / "sim" / "common" / "_sources.py"
TRACES_DIR = Path(__file__).resolve().parent / "traces"


@dataclass(frozen=True)
class Quantity:
    """A quantity of the virtual world: unit, default value and slider range."""

    name: str
    label: str
    unit: str
    default: float
    lo: float
    hi: float
    step: float = 1.0


QUANTITIES: dict[str, Quantity] = {q.name: q for q in (
    Quantity("temperature", "気温", "°C", 22.0, -10, 45, 0.1),
    Quantity("humidity", "湿度", "%RH", 50.0, 0, 100, 0.5),
    Quantity("pressure", "気圧", "hPa", 1013.25, 900, 1100, 0.1),
    Quantity("distance_cm", "距離（超音波センサーから水面・物まで）", "cm", 100.0, 2, 400, 0.5),
    Quantity("soil_moisture", "土の水分", "%", 40.0, 0, 100, 1),
    Quantity("motion", "人の動き（PIR）", "0/1", 0, 0, 1, 1),
    Quantity("light", "明るさ", "lx", 300.0, 0, 2000, 10),
    Quantity("accel_x", "加速度 X", "mg", 0.0, -2000, 2000, 10),
    Quantity("accel_y", "加速度 Y", "mg", 0.0, -2000, 2000, 10),
    Quantity("accel_z", "加速度 Z", "mg", -1000.0, -2000, 2000, 10),
    Quantity("heading", "方位（北から時計回り）", "°", 0.0, 0, 359, 1),
    Quantity("sound", "音の大きさ", "0-255", 30.0, 0, 255, 1),
    Quantity("button_a", "ボタン A", "0/1", 0, 0, 1, 1),
    Quantity("button_b", "ボタン B", "0/1", 0, 0, 1, 1),
    Quantity("touch_logo", "ロゴのタッチ", "0/1", 0, 0, 1, 1),
)}


class Source:
    """A deterministic signal over scenario time; add two with ``+``."""

    def spec(self) -> dict:
        raise NotImplementedError

    def __add__(self, other: "Source") -> "Source":
        return _Sum(self, other)

    def __call__(self, t: float) -> float:
        """The value at scenario time ``t`` (s), computed by the board's own code."""
        return _device_sources().make(self.spec())(t)


class _Sum(Source):
    def __init__(self, *parts: Source):
        self.parts = parts

    def spec(self) -> dict:
        return {"k": "sum", "parts": [p.spec() for p in self.parts]}

    def __repr__(self) -> str:
        return " + ".join(map(repr, self.parts))


@dataclass(frozen=True, repr=True)
class Constant(Source):
    """Always ``value``."""

    value: float

    def spec(self) -> dict:
        return {"k": "const", "v": self.value}


@dataclass(frozen=True)
class Ramp(Source):
    """``start`` until ``delay`` s, then a straight line to ``end`` over ``duration`` s."""

    start: float
    end: float
    duration: float
    delay: float = 0.0

    def spec(self) -> dict:
        if self.duration <= 0:
            raise ScenarioError("Ramp の duration は 0 より大きい秒数にしてください。")
        return {"k": "ramp", "a": self.start, "b": self.end, "t0": self.delay, "d": self.duration}


@dataclass(frozen=True)
class Sine(Source):
    """``mean + amplitude * sin(2π (t - phase) / period)``: a daily cycle, a swaying bridge."""

    mean: float
    amplitude: float
    period: float
    phase: float = 0.0

    def spec(self) -> dict:
        if self.period <= 0:
            raise ScenarioError("Sine の period は 0 より大きい秒数にしてください。")
        return {"k": "sine", "m": self.mean, "a": self.amplitude, "p": self.period, "ph": self.phase}


@dataclass(frozen=True)
class Noise(Source):
    """Gaussian noise with standard deviation ``sd`` around ``mean``, new every ``step`` s.

    The same ``seed`` gives the same numbers on every run and every machine.
    """

    sd: float
    seed: int = 0
    step: float = 0.1
    mean: float = 0.0

    def spec(self) -> dict:
        if self.step <= 0:
            raise ScenarioError("Noise の step は 0 より大きい秒数にしてください。")
        return {"k": "noise", "s": self.sd, "seed": int(self.seed), "dt": self.step, "m": self.mean}


@dataclass(frozen=True)
class Steps(Source):
    """Step events: ``initial``, then ``changes[t]`` from time ``t`` on (e.g. a door opens)."""

    changes: Mapping[float, float]
    initial: float = 0.0

    def spec(self) -> dict:
        ts = sorted(self.changes)
        return {"k": "steps", "t": list(ts), "v": [self.changes[t] for t in ts], "v0": self.initial}


@dataclass(frozen=True)
class Pulses(Source):
    """``high`` for ``width`` s from each time in ``at``, else ``low`` (a PIR, a button press)."""

    at: tuple[float, ...]
    width: float = 0.5
    high: float = 1
    low: float = 0

    def spec(self) -> dict:
        return {"k": "pulses", "t": sorted(float(t) for t in self.at), "w": self.width, "hi": self.high, "lo": self.low}


@dataclass(frozen=True)
class Replay(Source):
    """Play back a trace: ``times`` (s) and ``values``, interpolated (or held), optionally looped.

    ``recorded`` says whether the trace was measured (True) or made up (False); it travels
    with the scenario so a lab can say which it shows. Build one from a CSV with
    ``Replay.from_csv`` or from a trace shipped with the kit with ``Replay.trace``.
    """

    times: tuple[float, ...]
    values: tuple[float, ...]
    hold: bool = False
    loop: bool = False
    recorded: bool = False
    source: str = ""

    def spec(self) -> dict:
        if len(self.times) < 1 or len(self.times) != len(self.values):
            raise ScenarioError("Replay には同じ数の時刻と値が 1 つ以上必要です。")
        if any(b < a for a, b in zip(self.times, self.times[1:])):
            raise ScenarioError("Replay の時刻は小さい順に並べてください。")
        return {"k": "replay", "t": [float(t) for t in self.times], "v": [float(v) for v in self.values],
                "hold": self.hold, "loop": self.loop}

    @classmethod
    def from_csv(cls, path: str | os.PathLike, column: str, *, time_column: str = "t",
                 loop: bool = False, hold: bool = False) -> "Replay":
        """A trace from a CSV file, e.g. one written by ``Board.stream(csv=...)``.

        A ``.meta.yml`` beside the file (written by the logger) says whether it was
        recorded on a real board; without one the trace counts as recorded data.
        """
        import pandas as pd

        path = Path(path)
        df = pd.read_csv(path)
        meta = read_meta(path)
        if column not in df or time_column not in df:
            raise ScenarioError(f"{path.name} に列 '{column}' と '{time_column}' が必要です。列: {', '.join(df.columns)}")
        t = df[time_column].astype(float)
        return cls(tuple(t - t.iloc[0]), tuple(df[column].astype(float)), hold=hold, loop=loop,
                   recorded=not meta.get("synthetic", False), source=str(meta.get("source", path.name)))

    @classmethod
    def trace(cls, name: str, column: str, *, loop: bool = False) -> "Replay":
        """A trace shipped with the kit (``kit/traces/NAME.csv`` + ``NAME.meta.yml``)."""
        path = TRACES_DIR / f"{name}.csv"
        if not path.exists():
            known = ", ".join(sorted(p.stem for p in TRACES_DIR.glob("*.csv")))
            raise ScenarioError(f"トレース '{name}' はありません。使えるもの: {known}")
        return cls.from_csv(path, column, loop=loop)

    def __repr__(self) -> str:
        kind = "recorded" if self.recorded else "synthetic"
        return f"Replay({len(self.times)} points, {kind}, source={self.source!r})"


def as_source(value) -> Source:
    """A number means a ``Constant``."""
    if isinstance(value, Source):
        return value
    if isinstance(value, (int, float)) and math.isfinite(value):
        return Constant(float(value))
    raise ScenarioError(f"{value!r} はセンサーの値として使えません。数か Ramp・Sine・Noise などを指定してください。")


class Scenario:
    """Sources for some quantities of the world; the others keep their defaults.

    Save and load with ``to_yaml`` / ``from_yaml`` to reuse a scenario in a class.
    """

    def __init__(self, **sources):
        unknown = [n for n in sources if n not in QUANTITIES]
        if unknown:
            raise ScenarioError(
                f"センサー名 {', '.join(unknown)} はありません。使える名前: {', '.join(QUANTITIES)}"
            )
        self.sources: dict[str, Source] = {n: as_source(v) for n, v in sources.items()}

    def names(self) -> list[str]:
        return sorted(self.sources)

    def specs(self) -> dict[str, dict]:
        return {n: s.spec() for n, s in self.sources.items()}

    def preview(self, duration: float, rate_hz: float = 10.0):
        """A DataFrame of what the sensors will see over ``duration`` s (computed on the host)."""
        import pandas as pd

        n = int(duration * rate_hz) + 1
        t = [i / rate_hz for i in range(n)]
        return pd.DataFrame({"t": t, **{name: [src(x) for x in t] for name, src in self.sources.items()}})

    def to_yaml(self, path: str | os.PathLike) -> None:
        Path(path).write_text(yaml.safe_dump({"sources": self.specs()}, allow_unicode=True, sort_keys=False),
                              encoding="utf-8")

    @classmethod
    def from_yaml(cls, path: str | os.PathLike) -> "Scenario":
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return cls(**{n: _SpecSource(spec) for n, spec in (data.get("sources") or {}).items()})

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={s!r}" for n, s in sorted(self.sources.items()))
        return f"Scenario({inner})"


class _SpecSource(Source):
    """A source read back from a saved scenario."""

    def __init__(self, spec: dict):
        _device_sources().make(spec)  # validate now, not on the board
        self._spec = spec

    def spec(self) -> dict:
        return self._spec

    def __repr__(self) -> str:
        return f"<source {self._spec['k']}>"


_SOURCES_MODULE = None


def _device_sources():
    """The board's ``_sources`` module, loaded into CPython (one implementation, both sides)."""
    global _SOURCES_MODULE
    if _SOURCES_MODULE is None:
        spec = importlib.util.spec_from_file_location("chiiki_kit_device_sources", SOURCES_PY)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _SOURCES_MODULE = module
    return _SOURCES_MODULE


class WorldFile:
    """The file a virtual board reads its world from (written atomically, with a generation)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._gen = 0
        self._entries: dict[str, dict] = {}
        self._rev = 0
        self.apply(Scenario(**{n: q.default for n, q in QUANTITIES.items()}))

    def apply(self, scenario: Scenario) -> None:
        """Set the sources of ``scenario`` (each set source starts again at time 0)."""
        for name, spec in scenario.specs().items():
            self._rev += 1
            self._entries[name] = {"spec": spec, "rev": self._rev}
        self._write()

    def reset(self) -> None:
        """Every quantity back to its default."""
        self.apply(Scenario(**{n: q.default for n, q in QUANTITIES.items()}))

    def spec(self, name: str) -> dict:
        return self._entries[name]["spec"]

    def _write(self) -> None:
        self._gen += 1
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"gen": self._gen, "sources": self._entries}), encoding="utf-8")
        os.replace(tmp, self.path)
        gen_tmp = self.path.with_name(self.path.name + ".gen.tmp")
        gen_tmp.write_text(str(self._gen), encoding="utf-8")
        os.replace(gen_tmp, self.path.with_name(self.path.name + ".gen"))
