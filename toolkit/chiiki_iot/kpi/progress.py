"""Achievement, planned paths, status and progress charts (KPIの進捗とPDCA).

Achievement rate, the course's default (``method="gap"``): how much of the
planned improvement has happened, whichever way is better::

    達成率 = (実績 − 基準値) ÷ (目標値 − 基準値)

>>> from chiiki_iot.kpi import achievement_rate
>>> round(achievement_rate(2952, 486, 2400), 3)        # hours: lower is better, still works
0.224
>>> round(achievement_rate(28961, 26064, 27000), 3)    # crop damage (千円)
0.677

``method="ratio"`` is the other common definition (実績 ÷ 目標, or 目標 ÷ 実績
when lower is better).  It looks kinder when the baseline is far from zero.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import KPIError
from .indicator import Indicator

METHODS = {"gap": "改善幅に対する割合（(実績−基準値)÷(目標値−基準値)）", "ratio": "目標値に対する割合（実績÷目標値）"}

#: Status labels, best first, with what to do next.
STATUS_ADVICE: dict[str, str] = {
    "達成": "目標に届いています。次の目標（中間目標・最終目標）や、指標の見直しを検討しましょう。",
    "順調": "計画どおりか、それ以上に進んでいます。今の取り組みを続けましょう。",
    "やや遅れ": "計画より少し遅れています。遅れの原因を確かめ、打ち手を早めに相談しましょう（PDCAのC）。",
    "遅れ": "計画より大きく遅れています。原因を分析し、施策の見直しや追加を検討しましょう（PDCAのC→A）。",
    "悪化": "基準値より悪くなっています。外部要因か施策の問題かを確かめ、計画の前提から見直しましょう。",
    "未達成": "目標年を過ぎても届いていません。結果を振り返り、次の計画に生かしましょう。",
}


def achievement_rate(
    baseline: float | None,
    target: float,
    actual: float,
    method: str = "gap",
    direction: str | None = None,
    name: str = "この指標",
) -> float:
    """Achievement rate (1.0 = target reached; may exceed 1 or be negative).

    Args:
        baseline: the starting value (needed for ``method="gap"``).
        target: the value to reach (or a milestone).
        actual: the value observed.
        method: "gap" (default) or "ratio" (see the module docstring).
        direction: "increase"/"decrease" (needed for ``method="ratio"``; for
            "gap" it is only used to check the target points the right way).
    """
    if method not in METHODS:
        raise KPIError(f'method={method!r} は使えません。"gap"（改善幅に対する割合）か "ratio"（目標値に対する割合）にしてください。')
    if method == "ratio":
        if direction not in ("increase", "decrease"):
            raise KPIError('method="ratio" では direction（"increase" か "decrease"）が必要です。')
        if direction == "increase":
            if target == 0:
                raise KPIError(f"{name}の目標値が 0 のため、実績÷目標値を計算できません。method=\"gap\" を使ってください。")
            return actual / target
        if actual == 0:
            raise KPIError(f"{name}の実績が 0 のため、目標値÷実績を計算できません。method=\"gap\" を使ってください。")
        return target / actual
    if baseline is None:
        raise KPIError(
            f"{name}には基準値（現状値）がないため、達成率を計算できません。"
            "計画をつくった時点の値を調べて baseline に入れてください（調べられないときは、最初の測定値を基準値にします）。"
        )
    if target == baseline:
        raise KPIError(
            f"{name}の目標値と基準値が同じ（{target:g}）で、改善幅が 0 のため達成率を計算できません。"
            "目標値を見直すか、「維持できたか」で評価してください。"
        )
    if direction == "increase" and target < baseline or direction == "decrease" and target > baseline:
        better = "高い" if direction == "increase" else "低い"
        raise KPIError(
            f"{name}は{better}ほど良い指標ですが、目標値 {target:g} が基準値 {baseline:g} より悪い方向にあります。"
            "目標値か direction を見直してください。"
        )
    return (actual - baseline) / (target - baseline)


def _knots(indicator: Indicator) -> list[tuple[int, float]]:
    if indicator.baseline is None or indicator.baseline_year is None:
        raise KPIError(
            f"「{indicator.name}」は基準値か基準年がないため、計画の道すじを引けません。baseline と baseline_year を入れてください。"
        )
    if indicator.target_year is None:
        raise KPIError(f"「{indicator.name}」は目標年がないため、計画の道すじを引けません。target_year を入れてください。")
    return [(indicator.baseline_year, indicator.baseline), *indicator.milestones.items(), (indicator.target_year, indicator.target)]


def planned_value(indicator: Indicator, year: int, method: str = "linear") -> float:
    """The value planned for ``year``: through baseline, milestones and target.

    ``method="linear"`` draws straight lines between them; ``"cagr"`` grows
    by the same rate every year (年平均成長率; values must be above zero).

    >>> from chiiki_iot.kpi import Indicator
    >>> visitors = Indicator(name="訪日外国人入洞者数", unit="人", baseline=43000, baseline_year=2017,
    ...                      target=108000, target_year=2022, direction="increase")
    >>> planned_value(visitors, 2020)
    82000.0
    >>> round(planned_value(visitors, 2020, method="cagr"))
    74721
    """
    if method not in ("linear", "cagr"):
        raise KPIError(f'method={method!r} は使えません。"linear"（一定の量ずつ）か "cagr"（一定の率で）にしてください。')
    knots = _knots(indicator)
    if not knots[0][0] <= year <= knots[-1][0]:
        raise KPIError(
            f"{year}年は「{indicator.name}」の計画期間（{knots[0][0]}〜{knots[-1][0]}年）の外です。期間内の年を指定してください。"
        )
    for (y0, v0), (y1, v1) in zip(knots, knots[1:]):
        if y0 <= year <= y1:
            share = (year - y0) / (y1 - y0)
            if method == "cagr":
                if v0 <= 0 or v1 <= 0:
                    raise KPIError(
                        f"「{indicator.name}」は値に 0 以下があるため、一定の率（cagr）では伸ばせません。method=\"linear\" を使ってください。"
                    )
                return v0 * (v1 / v0) ** share
            return v0 + (v1 - v0) * share
    raise AssertionError("unreachable")


def planned_path(indicator: Indicator, method: str = "linear"):
    """The planned value for every year of the plan, as a pandas Series (index: year)."""
    import pandas as pd

    knots = _knots(indicator)
    years = range(knots[0][0], knots[-1][0] + 1)
    return pd.Series([planned_value(indicator, y, method) for y in years], index=pd.Index(years, name="年"),
                     name=f"{indicator.name}（計画）")


def cagr(start: float, end: float, years: int) -> float:
    """Compound annual growth rate (年平均成長率) from ``start`` to ``end`` over ``years`` years.

    >>> round(cagr(43000, 108000, 5), 4)   # 美祢市の訪日外国人入洞者数
    0.2022
    """
    if years <= 0:
        raise KPIError("年数は 1 以上にしてください。")
    if start <= 0 or end <= 0:
        raise KPIError("年平均成長率は、始めと終わりの値がどちらも 0 より大きいときだけ計算できます。")
    return (end / start) ** (1 / years) - 1


@dataclass(frozen=True)
class Status:
    """Where an indicator stands in one year."""

    year: int
    actual: float
    planned: float
    label: str
    progress: float  # share of the planned improvement achieved by this year

    @property
    def advice(self) -> str:
        return STATUS_ADVICE[self.label]

    def __str__(self) -> str:
        return f"{self.year}年: {self.label}（計画の {self.progress:.0%} まで進んでいます）。{self.advice}"


def status(indicator: Indicator, year: int, actual: float, behind: float = 0.8) -> Status:
    """Judge one year's actual against the plan.

    Labels: 達成 (target reached), 順調 (at or ahead of the planned path),
    やや遅れ (at least ``behind`` of the planned improvement), 遅れ (less),
    悪化 (worse than the baseline), 未達成 (after the target year, not reached).

    >>> from chiiki_iot.kpi import Indicator
    >>> hours = Indicator(name="手続き時間", unit="時間", baseline=2952, baseline_year=2018,
    ...                   target=486, target_year=2020, direction="decrease", milestones={2019: 2262})
    >>> status(hours, 2019, 2400).label
    'やや遅れ'
    >>> status(hours, 2019, 3000).label
    '悪化'
    """
    if not 0 < behind <= 1:
        raise KPIError("behind は 0 より大きく 1 以下の割合にしてください（例: 0.8）。")
    sign = 1 if indicator.direction == "increase" else -1
    reached = sign * (actual - indicator.target) >= 0
    if indicator.target_year is not None and year >= indicator.target_year:
        planned = indicator.target
        progress = achievement_rate(indicator.baseline, indicator.target, actual, direction=indicator.direction,
                                    name=f"「{indicator.name}」")
        return Status(year, actual, planned, "達成" if reached else "未達成", progress)
    planned = planned_value(indicator, year)
    if reached:
        label = "達成"
    elif sign * (actual - indicator.baseline) < 0:
        label = "悪化"
    else:
        label = None
    if planned == indicator.baseline:  # the baseline year itself
        progress = 1.0
    else:
        progress = (actual - indicator.baseline) / (planned - indicator.baseline)
    if label is None:
        label = "順調" if progress >= 1 - 1e-9 else "やや遅れ" if progress >= behind else "遅れ"
    return Status(year, actual, planned, label, progress)


def progress_table(indicator: Indicator, actuals: Mapping[int, float], behind: float = 0.8):
    """A DataFrame, one row per year with an actual: 実績, 計画値, 達成率 (against the final target), 状況, 次にすること.

    >>> from chiiki_iot.kpi import Indicator
    >>> ind = Indicator(name="スマート罠設置数", unit="基", baseline=27, baseline_year=2017,
    ...                 target=127, target_year=2022, direction="increase")
    >>> progress_table(ind, {2019: 70, 2020: 80})["状況"].tolist()
    ['順調', 'やや遅れ']
    """
    import pandas as pd

    if not actuals:
        raise KPIError("実績が空です。{年: 値} の辞書で入れてください（例: {2019: 70}）。")
    rows = []
    for year, actual in sorted(actuals.items()):
        s = status(indicator, int(year), float(actual), behind=behind)
        rows.append({
            "年": s.year,
            "実績": s.actual,
            "計画値": s.planned,
            "達成率": indicator.achievement(s.actual),
            "計画に対する進み具合": s.progress,
            "状況": s.label,
            "次にすること": s.advice,
        })
    return pd.DataFrame(rows)


def plot_progress(indicator: Indicator, actuals: Mapping[int, float] | None = None, ax=None, method: str = "linear"):
    """Chart the planned path, milestones, target and actuals (Japanese labels); returns the Figure."""
    from chiiki_iot.plots import use_japanese_font
    from matplotlib.figure import Figure

    font = use_japanese_font()
    path = planned_path(indicator, method=method)
    if ax is None:
        fig = Figure(figsize=(6.4, 3.8))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.plot(path.index, path.values, linestyle="--", color="#7f7f7f", label="計画（基準値→目標値）")
    ax.scatter([indicator.baseline_year], [indicator.baseline], color="#1f77b4", zorder=3, label="基準値")
    if indicator.milestones:
        ax.scatter(list(indicator.milestones), list(indicator.milestones.values()), marker="D", color="#ff7f0e",
                   zorder=3, label="中間目標")
    ax.scatter([indicator.target_year], [indicator.target], marker="*", s=160, color="#2ca02c", zorder=3, label="目標値")
    if actuals:
        years = sorted(actuals)
        ax.plot(years, [actuals[y] for y in years], marker="o", color="#d62728", label="実績")
    ax.set_title(f"{indicator.name}（{indicator.direction_ja}）", fontfamily=font)
    ax.set_xlabel("年", fontfamily=font)
    ax.set_ylabel(indicator.unit or "値", fontfamily=font)
    ax.set_xticks(list(path.index))
    ax.grid(alpha=0.3)
    ax.legend(prop={"family": font}, fontsize=8)
    fig.tight_layout()
    return fig
