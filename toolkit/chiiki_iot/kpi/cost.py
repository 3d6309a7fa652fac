"""Cost-effectiveness (費用対効果): initial and running cost, benefit, B/C, payback, NPV, sensitivity.

One model, :class:`CostModel`: money in one unit of your choice (円 or 千円),
year 0 is the year of the initial cost, years 1..N bring benefit and running
cost.  Everything else is computed from it.

The casebook's copied wildlife-sensor model (Shiojiri, 13 municipalities):
average cost 13,583千円, average damage reduced in the first year 2,703千円.
Assuming the same reduction every year and no running cost:

>>> from chiiki_iot.kpi import CostModel
>>> m = CostModel(initial_cost=13583, annual_benefit=2703, years=10, unit="千円",
...               name="センサーを活用した鳥獣被害対策（13事業者の平均）")
>>> round(m.payback_years(), 2)
5.03
>>> round(m.bc_ratio(), 2)
1.99
>>> round(m.with_changes(discount_rate=0.04).npv())
8341
>>> round(m.break_even("annual_benefit"), 1)    # the yearly benefit at which B/C = 1
1358.3
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace

from .errors import KPIError

#: The assumptions a learner can vary, with their Japanese names.
PARAMETERS: dict[str, str] = {
    "initial_cost": "初期費用",
    "annual_running_cost": "運用費（年）",
    "annual_benefit": "効果（年）",
    "years": "評価期間（年）",
    "discount_rate": "割引率",
}


def npv(rate: float, cashflows: Sequence[float]) -> float:
    """Net present value of cash flows for years 0, 1, 2, ... at ``rate`` (0.04 = 4%).

    >>> npv(0.0, [-100, 60, 60])
    20.0
    >>> round(npv(0.1, [-100, 60, 60]), 2)
    4.13
    """
    if rate <= -1:
        raise KPIError("割引率は -1（-100%）より大きくしてください。ふつうは 0〜0.1（0〜10%）です。")
    return math.fsum(cf / (1 + rate) ** t for t, cf in enumerate(cashflows))


@dataclass(frozen=True)
class CostModel:
    """Costs and benefits of one project.

    Attributes:
        initial_cost: paid in year 0 (導入年度の初期費用).
        annual_running_cost: paid every year 1..years (運用費).
        annual_benefit: gained every year 1..years (効果を金額にしたもの).
        years: how many years to count (評価期間).
        discount_rate: 割引率 (0 = simple sum; 0.04 = 4% a year).
        unit: the money unit, for messages and tables ("円", "千円" ...).
        name: the project, for titles.
    """

    initial_cost: float
    annual_benefit: float
    annual_running_cost: float = 0.0
    years: int = 5
    discount_rate: float = 0.0
    unit: str = "円"
    name: str = ""

    def __post_init__(self) -> None:
        for key in ("initial_cost", "annual_benefit", "annual_running_cost", "discount_rate"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise KPIError(f"{PARAMETERS[key]}（{key}）が数ではありません（{value!r}）。数を入れてください。")
        for key in ("initial_cost", "annual_running_cost", "annual_benefit"):
            if getattr(self, key) < 0:
                raise KPIError(f"{PARAMETERS[key]}（{key}）がマイナスです。費用も効果も 0 以上の金額で入れてください。")
        if isinstance(self.years, bool) or not isinstance(self.years, int) or self.years < 1:
            raise KPIError(f"評価期間（years）は 1 以上の整数（年数）にしてください（今は {self.years!r}）。")
        if not -1 < self.discount_rate < 1:
            raise KPIError(f"割引率（discount_rate）は小数で入れてください。4% なら 0.04 です（今は {self.discount_rate}）。")

    # ------------------------------------------------------------------ results
    def cashflows(self):
        """A DataFrame by year: 費用, 効果, 純効果, 累積純効果, 割引後の純効果."""
        import pandas as pd

        rows = []
        cumulative = 0.0
        for year in range(self.years + 1):
            cost = self.initial_cost if year == 0 else self.annual_running_cost
            benefit = 0.0 if year == 0 else self.annual_benefit
            net = benefit - cost
            cumulative += net
            rows.append({
                "年": year,
                "費用": cost,
                "効果": benefit,
                "純効果": net,
                "累積純効果": cumulative,
                "割引後の純効果": net / (1 + self.discount_rate) ** year,
            })
        return pd.DataFrame(rows)

    def _pv(self, per_year: float) -> float:
        return math.fsum(per_year / (1 + self.discount_rate) ** t for t in range(1, self.years + 1))

    def present_costs(self) -> float:
        """Present value of all costs (initial + running)."""
        return self.initial_cost + self._pv(self.annual_running_cost)

    def present_benefits(self) -> float:
        """Present value of all benefits."""
        return self._pv(self.annual_benefit)

    def npv(self) -> float:
        """Net present value = present benefits − present costs (> 0: worth it over the period)."""
        return self.present_benefits() - self.present_costs()

    def bc_ratio(self) -> float:
        """B/C = present benefits ÷ present costs (≥ 1: benefits cover costs)."""
        costs = self.present_costs()
        if costs == 0:
            raise KPIError("費用が 0 のため B/C を計算できません。初期費用か運用費を入れてください。")
        return self.present_benefits() / costs

    def payback_years(self) -> float:
        """Simple payback: initial cost ÷ (benefit − running cost) a year, not discounted.

        ``math.inf`` when the yearly benefit does not exceed the running cost
        (the initial cost is never paid back).
        """
        net = self.annual_benefit - self.annual_running_cost
        return math.inf if net <= 0 else self.initial_cost / net

    def summary(self) -> str:
        """The conclusion in Japanese."""
        u = self.unit
        pb = self.payback_years()
        head = f"{self.name}：" if self.name else ""
        pay = "回収できません（年間の効果が運用費を上回りません）" if math.isinf(pb) else f"約 {pb:.1f} 年"
        verdict = "効果が費用を上回ります" if self.bc_ratio() >= 1 else "費用が効果を上回ります"
        rate = f"割引率 {self.discount_rate:.1%}" if self.discount_rate else "割引なし"
        return (
            f"{head}{self.years}年間（{rate}）で、費用 {self.present_costs():,.0f}{u}、効果 {self.present_benefits():,.0f}{u}、"
            f"B/C {self.bc_ratio():.2f}、正味現在価値 {self.npv():,.0f}{u}。投資の回収は{pay}。{verdict}。"
        )

    def __str__(self) -> str:
        return self.summary()

    # ------------------------------------------------------------------ what if
    def with_changes(self, **changes) -> CostModel:
        """A copy with some assumptions changed, e.g. ``m.with_changes(years=8)``."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise KPIError(f"{'、'.join(sorted(unknown))} は変えられる前提にありません。使えるもの: {'、'.join(PARAMETERS)}")
        return replace(self, **changes)

    def sensitivity(self, parameter: str, values: Iterable[float]):
        """NPV, B/C and payback for each value of one assumption (a DataFrame).

        >>> m = CostModel(initial_cost=100, annual_benefit=30, years=5)
        >>> m.sensitivity("annual_benefit", [10, 20, 30])["結論"].tolist()
        ['費用が上回る', '効果が上回る', '効果が上回る']
        """
        _check_parameter(parameter)
        import pandas as pd

        rows = []
        for value in values:
            model = self.with_changes(**{parameter: int(value) if parameter == "years" else value})
            bc = model.bc_ratio()
            rows.append({
                PARAMETERS[parameter]: value,
                "正味現在価値": model.npv(),
                "B/C": bc,
                "回収年数": model.payback_years(),
                "結論": "効果が上回る" if bc >= 1 else "費用が上回る",
            })
        return pd.DataFrame(rows)

    def tornado(self, change: float = 0.2):
        """NPV when each money assumption is ``change`` lower and higher (±20% by default).

        The rows are sorted by how much the NPV swings, largest first, and
        ``結論が変わる`` says whether the sign of the NPV flips within the range.
        """
        import pandas as pd

        if not 0 < change < 1:
            raise KPIError("change は 0 と 1 の間の割合にしてください（0.2 = ±20%）。")
        base = self.npv()
        rows = []
        for parameter in ("initial_cost", "annual_running_cost", "annual_benefit"):
            value = getattr(self, parameter)
            low = self.with_changes(**{parameter: value * (1 - change)}).npv()
            high = self.with_changes(**{parameter: value * (1 + change)}).npv()
            rows.append({
                "前提": PARAMETERS[parameter],
                f"{change:.0%}減のとき": low,
                f"{change:.0%}増のとき": high,
                "振れ幅": abs(high - low),
                "結論が変わる": (low >= 0) != (base >= 0) or (high >= 0) != (base >= 0),
            })
        return pd.DataFrame(rows).sort_values("振れ幅", ascending=False, ignore_index=True)

    def break_even(self, parameter: str) -> float:
        """The value of one assumption at which NPV = 0 (where the conclusion flips).

        For ``years`` it is the first whole year at which NPV ≥ 0 (``math.inf`` if never).
        """
        _check_parameter(parameter)
        if parameter == "years":
            for years in range(1, 201):
                if self.with_changes(years=years).npv() >= 0:
                    return float(years)
            return math.inf
        if parameter == "discount_rate":
            lo, hi = -0.99, 0.99
            f = lambda r: self.with_changes(discount_rate=r).npv()  # noqa: E731
            if f(lo) * f(hi) > 0:
                raise KPIError("割引率をどう変えても結論が変わりません（正味現在価値の符号が同じです）。")
            for _ in range(200):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if f(lo) * f(mid) > 0 else (lo, mid)
            return (lo + hi) / 2
        # NPV is linear in the money assumptions: solve directly
        annuity = self._pv(1.0)
        if parameter == "initial_cost":
            return self.present_benefits() - self._pv(self.annual_running_cost)
        if parameter == "annual_benefit":
            return self.present_costs() / annuity
        return (self.present_benefits() - self.initial_cost) / annuity  # annual_running_cost

    def plot(self, ax=None):
        """Bar chart of yearly net effect with the cumulative line (Japanese labels); returns the Figure."""
        from chiiki_iot.plots import use_japanese_font
        from matplotlib.figure import Figure

        font = use_japanese_font()
        df = self.cashflows()
        if ax is None:
            fig = Figure(figsize=(6.4, 3.8))
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        colors = ["#d62728" if v < 0 else "#2ca02c" for v in df["純効果"]]
        ax.bar(df["年"], df["純効果"], color=colors, alpha=0.6, label="その年の純効果（効果−費用）")
        ax.plot(df["年"], df["累積純効果"], marker="o", color="#1f77b4", label="累積純効果")
        ax.axhline(0, color="#333333", linewidth=0.8)
        pb = self.payback_years()
        if pb <= self.years:
            ax.axvline(pb, color="#ff7f0e", linestyle="--", label=f"回収（約 {pb:.1f} 年）")
        ax.set_title(self.name or "費用対効果", fontfamily=font)
        ax.set_xlabel("年（0 = 導入年度）", fontfamily=font)
        ax.set_ylabel(self.unit, fontfamily=font)
        ax.legend(prop={"family": font}, fontsize=8)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        return fig


def _check_parameter(parameter: str) -> None:
    if parameter not in PARAMETERS:
        raise KPIError(f"{parameter!r} は変えられる前提にありません。使えるもの: {'、'.join(PARAMETERS)}")


def running_cost(unit_price_per_year: float, units: float, days: float) -> float:
    """Running cost of ``units`` devices at a yearly unit price, for ``days`` days.

    The kerosene-tank LPWA trial (新篠津村, 154 days, 97 sensors at 3,000円/台・年):

    >>> round(running_cost(3000, 97, 154))
    122778
    """
    for what, value in (("単価", unit_price_per_year), ("台数", units), ("日数", days)):
        if value < 0:
            raise KPIError(f"{what}がマイナスです。0 以上にしてください。")
    return unit_price_per_year * units * days / 365
