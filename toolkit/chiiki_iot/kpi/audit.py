"""KPI audit: Japanese findings per indicator, each tied to a letter of SMART where one fits.

What a computer can check is mostly M (測定できる) and T (期限がある), and
whether the target points the right way; S, A and R need people.

>>> from chiiki_iot.kpi import audit, casebook_indicators
>>> report = audit(casebook_indicators("安来市"), plan_start=2019)
>>> print(report.for_indicator("専用アプリのダウンロード割合")[0])
［要修正・M］専用アプリのダウンロード割合: 基準値（現状値）がありません。計画をつくる時点の値を調べて入れてください。調べられないときは、最初に測る時期と方法を決めて書いてください。
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .indicator import Indicator, from_frame

SEVERITIES = {"error": "要修正", "warning": "要確認"}
SMART = {
    "S": "具体的（Specific）",
    "M": "測定できる（Measurable）",
    "A": "達成できる（Achievable）",
    "R": "目的とつながる（Relevant）",
    "T": "期限がある（Time-bound）",
}


@dataclass(frozen=True)
class AuditFinding:
    """One finding about one indicator."""

    indicator: str
    severity: str  # "error" or "warning"
    smart: str  # one of S, M, A, R, T, or "" when no letter fits
    message: str

    def __str__(self) -> str:
        tag = SEVERITIES[self.severity] + (f"・{self.smart}" if self.smart else "")
        return f"［{tag}］{self.indicator}: {self.message}"


@dataclass
class AuditReport:
    """All findings, in the order of the indicators."""

    indicators: list[str]
    findings: list[AuditFinding] = field(default_factory=list)

    def for_indicator(self, name: str) -> list[AuditFinding]:
        return [f for f in self.findings if f.indicator == name]

    @property
    def ok(self) -> bool:
        """True when nothing must be fixed (warnings may remain)."""
        return not any(f.severity == "error" for f in self.findings)

    def to_frame(self):
        """One row per finding: 指標, 重さ, SMART, 指摘."""
        import pandas as pd

        return pd.DataFrame(
            [{"指標": f.indicator, "重さ": SEVERITIES[f.severity], "SMART": f.smart, "指摘": f.message} for f in self.findings],
            columns=["指標", "重さ", "SMART", "指摘"],
        )

    def __str__(self) -> str:
        lines = []
        for name in self.indicators:
            found = self.for_indicator(name)
            lines.append(f"■ {name}: " + ("指摘はありません。" if not found else f"{len(found)} 件"))
            lines.extend(f"  {f}" for f in found)
        return "\n".join(lines)

    __repr__ = __str__


def audit(indicators: Indicator | Iterable[Indicator], plan_start: int | None = None, plan_end: int | None = None,
          require_source: bool = True) -> AuditReport:
    """Audit one indicator, a list of them, or a DataFrame shaped like ``casebook_kpis``.

    Args:
        plan_start, plan_end: the plan period (年度); with them, baseline years after
            the start and target years outside the period are reported.
        require_source: report a missing data source / measuring frequency
            (the casebook never gives them; turn off to see only the rest).
    """
    if isinstance(indicators, Indicator):
        indicators = [indicators]
    elif hasattr(indicators, "to_dict") and hasattr(indicators, "columns"):
        indicators = from_frame(indicators)
    indicators = list(indicators)
    report = AuditReport([i.name for i in indicators])
    for ind in indicators:
        report.findings.extend(_audit_one(ind, plan_start, plan_end, require_source))
    return report


def _audit_one(ind: Indicator, plan_start, plan_end, require_source) -> list[AuditFinding]:
    out: list[AuditFinding] = []

    def add(severity: str, smart: str, message: str) -> None:
        out.append(AuditFinding(ind.name, severity, smart, message))

    if not ind.unit:
        add("error", "M", "単位がありません。人・件・千円・% など、数えるものの単位を入れてください。")
    if ind.baseline is None:
        add("error", "M", "基準値（現状値）がありません。計画をつくる時点の値を調べて入れてください。"
            "調べられないときは、最初に測る時期と方法を決めて書いてください。")
    elif ind.baseline_year is None:
        add("warning", "T", "基準値はありますが、いつの値か（基準年）がありません。基準年を入れてください。")
    if ind.target_year is None:
        add("error", "T", "目標年がありません。「いつまでに」を西暦で入れてください（例: 2023）。")
    if ind.baseline is not None:
        gain = ind.target - ind.baseline
        if gain == 0:
            add("warning", "A", "目標値が基準値と同じです。維持が目標ならそう書き、改善が目標なら目標値を見直してください。")
        elif (gain < 0) == (ind.direction == "increase"):
            add("error", "", f"{ind.direction_ja}指標なのに、目標値 {ind.target:g} が基準値 {ind.baseline:g} より悪い方向です。"
                "目標値か良い方向（direction）を見直してください。")
    if plan_start is not None and ind.baseline_year is not None and ind.baseline_year > plan_start:
        add("warning", "T", f"基準年 {ind.baseline_year} が計画の開始（{plan_start}年度）より後です。"
            "計画開始時点の値を基準にできないか確かめてください。")
    if plan_end is not None and ind.target_year is not None and ind.target_year > plan_end:
        add("warning", "T", f"目標年 {ind.target_year} が計画期間（〜{plan_end}年度）の外です。"
            "計画期間中に確かめられる中間目標を置きましょう。")
    if ind.accumulation is None:
        add("warning", "M", "年間（単年度）の値か、累計か、時点の値かが書かれていません。accumulation で決めてください。")
    if ind.unit in ("%", "％") and ind.target > 100:
        add("error", "M", f"単位が % なのに目標値が {ind.target:g} で 100 を超えています。単位か目標値を見直してください。")
    if require_source:
        if not ind.data_source:
            add("warning", "M", "データの出所がありません。誰が、どの統計・台帳・システムから数えるかを書いてください。")
        if not ind.frequency:
            add("warning", "M", "測定の頻度がありません。毎月・毎年度末など、いつ測るかを書いてください。")
    return out
