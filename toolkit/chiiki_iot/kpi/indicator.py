"""Indicators (KPI): what is measured, from where to where, by when, which way is better.

>>> from chiiki_iot.kpi import Indicator
>>> hours = Indicator(
...     name="保育所入所手続き時間数（申請から通知まで）", unit="時間",
...     baseline=2952, baseline_year=2018, target=486, target_year=2020,
...     direction="低いほど良い", milestones={2019: 2262},
... )
>>> hours.direction
'decrease'
>>> round(hours.achievement(2400, year=2019), 2)   # against the 2019 milestone
0.8
>>> Indicator(name="来訪者数", unit="人", target=100, direction="多い方")
Traceback (most recent call last):
...
chiiki_iot.kpi.errors.KPIError: 「来訪者数」の direction='多い方' が分かりません。高いほど良い指標は "increase"（「高いほど良い」）、低いほど良い指標は "decrease"（「低いほど良い」）を指定してください。

An indicator may lack a baseline (the casebook has several); building it
works, :func:`chiiki_iot.kpi.audit` reports it, and computing an
achievement rate says what to do.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import KPIError

#: Which way is better, with the Japanese the learner sees.
DIRECTIONS: dict[str, str] = {"increase": "高いほど良い", "decrease": "低いほど良い"}
_DIRECTION_ALIASES = {
    "increase": "increase", "up": "increase", "higher": "increase", "+1": "increase", "1": "increase",
    "高いほど良い": "increase", "多いほど良い": "increase", "増加": "increase", "増やす": "increase", "上げる": "increase",
    "decrease": "decrease", "down": "decrease", "lower": "decrease", "-1": "decrease",
    "低いほど良い": "decrease", "少ないほど良い": "decrease", "減少": "decrease", "減らす": "decrease", "下げる": "decrease",
}

#: How values over the years relate: each year on its own, a running total, or a level at a point in time.
ACCUMULATIONS: dict[str, str] = {"annual": "年間（単年度）", "cumulative": "累計", "level": "時点の値"}
_ACCUMULATION_ALIASES = {
    "annual": "annual", "年間": "annual", "単年度": "annual", "年": "annual", "毎年": "annual",
    "cumulative": "cumulative", "累計": "cumulative", "累積": "cumulative",
    "level": "level", "時点": "level", "時点の値": "level", "ストック": "level",
    **{v: k for k, v in ACCUMULATIONS.items()},
}
NOT_STATED = "記載なし"

#: Stages of a logic model (see :mod:`chiiki_iot.kpi.logic_model`); the casebook's 初期/中間/最終 are outcomes.
STAGES: dict[str, str] = {
    "input": "インプット（投入）",
    "activity": "活動",
    "output": "アウトプット（活動の結果）",
    "outcome_initial": "初期アウトカム",
    "outcome_intermediate": "中間アウトカム",
    "outcome_final": "最終アウトカム",
    "impact": "インパクト",
}
_STAGE_ALIASES = {
    **{k: k for k in STAGES},
    **{v: k for k, v in STAGES.items()},
    "インプット": "input", "投入": "input", "アウトプット": "output",
    "初期": "outcome_initial", "中間": "outcome_intermediate", "最終": "outcome_final",
}


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def _lookup(aliases: Mapping[str, str], value: Any) -> str | None:
    key = str(value).strip()
    key = key[:-2] if key.endswith(".0") else key  # 1.0 / -1.0 from a spreadsheet
    return aliases.get(key) or aliases.get(key.lower())


def normalize_stage(value: Any, who: str = "") -> str | None:
    """The logic-model stage key for ``value`` ("初期" → "outcome_initial"); None stays None."""
    if _is_missing(value):
        return None
    stage = _lookup(_STAGE_ALIASES, value)
    if stage is None:
        known = "、".join(f'"{k}"（{v}）' for k, v in STAGES.items())
        raise KPIError(f"{who}段階 {value!r} が分かりません。次のどれかにしてください: {known}")
    return stage


def _number(value: Any, what: str, name: str) -> float | None:
    if _is_missing(value):
        return None
    if isinstance(value, bool):
        raise KPIError(f"「{name}」の{what}に True/False が入っています。数を入れてください。")
    try:
        number = float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise KPIError(
            f"「{name}」の{what} {value!r} が数として読めません。単位は unit に書き、ここには数だけを入れてください。"
        ) from None
    if not math.isfinite(number):
        raise KPIError(f"「{name}」の{what}が有限の数ではありません（{value}）。")
    return number


def _year(value: Any, what: str, name: str) -> int | None:
    if _is_missing(value):
        return None
    text = str(value).strip().removesuffix("年度").removesuffix("年")
    try:
        number = float(text)
    except ValueError:
        raise KPIError(f"「{name}」の{what} {value!r} が読めません。西暦の整数（例: 2023）で入れてください。") from None
    if not number.is_integer() or not 1900 <= number <= 2200:
        raise KPIError(f"「{name}」の{what} {value!r} が西暦の年になっていません。例: 2023 のように入れてください。")
    return int(number)


@dataclass(kw_only=True)
class Indicator:
    """One KPI.  All arguments are keywords; ``name``, ``unit``, ``target`` and ``direction`` are needed.

    Attributes:
        name: what is measured (指標名).
        unit: its unit (人, 千円, %, 時間 ...).
        target: the value to reach (目標値), by ``target_year``.
        direction: "increase" / "decrease" (also 「高いほど良い」「低いほど良い」, +1 / -1).
        baseline, baseline_year: the current value (基準値・現状値) and its year.
        accumulation: "annual" (年間), "cumulative" (累計) or "level" (時点の値); None = not stated.
        data_source: where the number comes from (データの出所).
        frequency: how often it is measured (測定の頻度), e.g. "毎年度末".
        stage: its place in a logic model ("output", "初期", "中間", "最終" ...).
        milestones: intermediate targets by year, e.g. ``{2019: 2262}``.
        municipality, field, note: context for tables.
    """

    name: str
    unit: str
    target: float
    direction: str
    target_year: int | None = None
    baseline: float | None = None
    baseline_year: int | None = None
    accumulation: str | None = None
    data_source: str = ""
    frequency: str = ""
    stage: str | None = None
    milestones: dict[int, float] = field(default_factory=dict)
    municipality: str = ""
    field: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise KPIError("指標名（name）が空です。何を測る指標かを書いてください。")
        self.name = self.name.strip()
        self.unit = "" if _is_missing(self.unit) else str(self.unit).strip()
        direction = _lookup(_DIRECTION_ALIASES, self.direction) if not _is_missing(self.direction) else None
        if direction is None:
            raise KPIError(
                f"「{self.name}」の direction={self.direction!r} が分かりません。"
                '高いほど良い指標は "increase"（「高いほど良い」）、'
                '低いほど良い指標は "decrease"（「低いほど良い」）を指定してください。'
            )
        self.direction = direction
        target = _number(self.target, "目標値（target）", self.name)
        if target is None:
            raise KPIError(f"「{self.name}」に目標値（target）がありません。目指す値を数で入れてください。")
        self.target = target
        self.baseline = _number(self.baseline, "基準値（baseline）", self.name)
        self.baseline_year = _year(self.baseline_year, "基準年（baseline_year）", self.name)
        self.target_year = _year(self.target_year, "目標年（target_year）", self.name)
        if self.baseline_year and self.target_year and self.baseline_year >= self.target_year:
            raise KPIError(
                f"「{self.name}」の目標年 {self.target_year} が基準年 {self.baseline_year} より後になっていません。"
                "目標年は基準年より後の年にしてください。"
            )
        if _is_missing(self.accumulation) or self.accumulation == NOT_STATED:
            self.accumulation = None
        else:
            accumulation = _lookup(_ACCUMULATION_ALIASES, self.accumulation)
            if accumulation is None:
                raise KPIError(
                    f"「{self.name}」の accumulation={self.accumulation!r} が分かりません。"
                    '"annual"（年間）、"cumulative"（累計）、"level"（時点の値）のどれかにしてください。'
                )
            self.accumulation = accumulation
        self.stage = normalize_stage(self.stage, who=f"「{self.name}」の")
        milestones = {}
        for year, value in dict(self.milestones or {}).items():
            y = _year(year, "中間目標の年", self.name)
            v = _number(value, f"{y}年の中間目標", self.name)
            if v is None:
                continue
            low, high = self.baseline_year or -math.inf, self.target_year or math.inf
            if not low < y < high:
                raise KPIError(
                    f"「{self.name}」の中間目標の年 {y} が基準年と目標年の間にありません。"
                    "中間目標は基準年より後、目標年より前の年にしてください。"
                )
            milestones[y] = v
        self.milestones = dict(sorted(milestones.items()))
        for attr in ("data_source", "frequency", "municipality", "field", "note"):
            value = getattr(self, attr)
            setattr(self, attr, "" if _is_missing(value) else str(value).strip())

    # ------------------------------------------------------------------ reading
    @property
    def direction_ja(self) -> str:
        return DIRECTIONS[self.direction]

    @property
    def improves_by(self) -> float | None:
        """Target minus baseline, signed (None without a baseline)."""
        return None if self.baseline is None else self.target - self.baseline

    def achievement(self, actual: float, year: int | None = None, method: str = "gap") -> float:
        """Achievement rate of ``actual``; with ``year``, against the planned value for that year.

        See :func:`chiiki_iot.kpi.progress.achievement_rate` for ``method``.
        """
        from .progress import achievement_rate, planned_value

        goal = self.target if year is None or year == self.target_year else planned_value(self, year)
        return achievement_rate(self.baseline, goal, actual, method=method, direction=self.direction, name=f"「{self.name}」")

    def describe(self) -> str:
        """One line in Japanese: 名前 基準値（年）→ 目標値（年）.

        >>> Indicator(name="スマート罠設置数", unit="基", baseline=27, baseline_year=2017,
        ...           target=127, target_year=2022, direction="increase").describe()
        'スマート罠設置数：27基（2017年）→127基（2022年）［高いほど良い］'
        """

        def num(x: float) -> str:
            return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"

        start = "基準値なし" if self.baseline is None else f"{num(self.baseline)}{self.unit}"
        if self.baseline is not None and self.baseline_year:
            start += f"（{self.baseline_year}年）"
        steps = "".join(f"→{num(v)}{self.unit}（{y}年）" for y, v in self.milestones.items())
        end = f"{num(self.target)}{self.unit}" + (f"（{self.target_year}年）" if self.target_year else "（年の記載なし）")
        return f"{self.name}：{start}{steps}→{end}［{self.direction_ja}］"

    def to_record(self) -> dict[str, Any]:
        """A row for a table, with Japanese column names (used by :func:`to_frame` and the exports)."""
        return {
            "団体": self.municipality,
            "分野": self.field,
            "指標": self.name,
            "単位": self.unit,
            "基準値": self.baseline,
            "基準年": self.baseline_year,
            "目標値": self.target,
            "目標年": self.target_year,
            "中間目標": "、".join(f"{y}年 {v:g}" for y, v in self.milestones.items()),
            "良い方向": self.direction_ja,
            "集計": ACCUMULATIONS.get(self.accumulation or "", NOT_STATED),
            "段階": STAGES.get(self.stage or "", ""),
            "データの出所": self.data_source,
            "測定頻度": self.frequency,
        }


def to_frame(indicators: Iterable[Indicator]):
    """A DataFrame of indicators with Japanese column names."""
    import pandas as pd

    return pd.DataFrame([i.to_record() for i in indicators])


def from_frame(df) -> list[Indicator]:
    """Indicators from a DataFrame shaped like the ``casebook_kpis`` dataset.

    Needed columns: indicator (or name), unit, target, direction; optional:
    baseline, baseline_year, target_year, accumulation, tier (or stage),
    milestone_year + milestone, data_source, frequency, municipality, field.
    A bad row raises :class:`KPIError` naming the row.
    """
    out = []
    for number, row in enumerate(df.to_dict("records"), start=1):
        def get(*keys):
            for key in keys:
                if key in row and not _is_missing(row[key]):
                    return row[key]
            return None

        milestones = {}
        if get("milestone_year") is not None and get("milestone") is not None:
            milestones[get("milestone_year")] = get("milestone")
        try:
            out.append(
                Indicator(
                    name=get("indicator", "name", "指標") or "",
                    unit=get("unit", "単位") or "",
                    target=get("target", "目標値"),
                    direction=get("direction", "良い方向"),
                    target_year=get("target_year", "目標年"),
                    baseline=get("baseline", "基準値"),
                    baseline_year=get("baseline_year", "基準年"),
                    accumulation=get("accumulation", "集計"),
                    data_source=get("data_source", "データの出所") or "",
                    frequency=get("frequency", "測定頻度") or "",
                    stage=get("stage", "tier", "段階"),
                    milestones=milestones,
                    municipality=get("municipality", "団体") or "",
                    field=get("field", "分野") or "",
                    note=get("note") or "",
                )
            )
        except KPIError as exc:
            raise KPIError(f"{number} 行目: {exc}") from None
    return out


def casebook_indicators(municipality: str | None = None) -> list[Indicator]:
    """The casebook's 34 KPIs (dataset ``casebook_kpis``), optionally of one municipality.

    >>> [i.name for i in casebook_indicators("四條畷市")][-1]
    '保育所入所手続き時間数（申請から通知まで）'
    """
    from chiiki_iot.data import load

    df = load("casebook_kpis")
    if municipality is not None:
        if municipality not in set(df["municipality"]):
            raise KPIError(
                f"「{municipality}」の指標はありません。使えるもの: {'、'.join(dict.fromkeys(df['municipality']))}"
            )
        df = df[df["municipality"] == municipality]
    return from_frame(df)
