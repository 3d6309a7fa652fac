"""Logic models: input → activity → output → outcome (初期・中間・最終) → impact.

The casebook does not use the words "output" and "outcome", but
Minamiyamashiro tiers its KPIs 【初期】【中間】【最終】 (p.22); those are the
outcome stages here.

>>> from chiiki_iot.kpi import LogicModel, casebook_indicators
>>> kpis = {i.name: i for i in casebook_indicators("南山城村")}
>>> lm = LogicModel("南山城村 観光")
>>> _ = lm.add("input", "観光クラウド・Wi-Fi探知センサー")
>>> _ = lm.add("activity", "来訪者情報の収集", after="観光クラウド・Wi-Fi探知センサー")
>>> _ = lm.add("初期", "アンケート情報が集まる", [kpis["アンケート情報の収集"]], after="来訪者情報の収集")
>>> _ = lm.add("中間", "観光入込客数が増える", [kpis["観光入込客数"]], after="アンケート情報が集まる")
>>> _ = lm.add("最終", "観光消費額が増える", [kpis["観光消費額"]], after="観光入込客数が増える")
>>> print(lm.check())
ロジックモデルの確認: 2 件の指摘があります。
△ 「アウトプット（活動の結果）」の要素がありません。活動で何ができるかを書きましょう。
△ 「来訪者情報の収集」（活動）に指標がありません。進み具合を何で測るかを決めましょう。

(Whether the casebook's 【初期】 indicators, such as questionnaires
collected, are really outputs is a good question for the course.)
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import KPIError
from .findings import Findings
from .indicator import STAGES, Indicator, normalize_stage

STAGE_ORDER = list(STAGES)


@dataclass(eq=False)
class Element:
    """One box of a logic model."""

    stage: str
    label: str
    indicators: list[Indicator] = field(default_factory=list)
    leads_to: list[Element] = field(default_factory=list)

    @property
    def stage_ja(self) -> str:
        return STAGES[self.stage]

    def __repr__(self) -> str:
        return f"Element({self.stage_ja}: {self.label!r})"


class LogicModel:
    """Boxes by stage, with arrows from one stage to a later one, and indicators on the boxes."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.elements: list[Element] = []

    def add(self, stage: str, label: str, indicators: Iterable[Indicator] = (), after: str | Iterable[str] = ()) -> Element:
        """Add a box; ``after`` names the box(es) that lead to it.

        ``stage`` is one of input, activity, output, outcome_initial,
        outcome_intermediate, outcome_final, impact (or their Japanese names,
        or the casebook's 初期/中間/最終).
        """
        key = normalize_stage(stage)
        if key is None:
            raise KPIError("段階（stage）が空です。input・activity・output・初期・中間・最終・impact のどれかにしてください。")
        if not label or not str(label).strip():
            raise KPIError("要素のラベルが空です。何をする・何が起きるかを書いてください。")
        if any(e.label == label for e in self.elements):
            raise KPIError(f"「{label}」はもうあります。同じ言葉の要素は1つにまとめてください。")
        element = Element(key, str(label).strip(), list(indicators))
        for indicator in element.indicators:
            if indicator.stage is not None and indicator.stage != key:
                raise KPIError(
                    f"指標「{indicator.name}」の段階は「{STAGES[indicator.stage]}」ですが、"
                    f"「{element.label}」は「{element.stage_ja}」です。どちらかをそろえてください。"
                )
        self.elements.append(element)
        for before in [after] if isinstance(after, str) else list(after):
            self.link(before, element.label)
        return element

    def get(self, label: str) -> Element:
        for element in self.elements:
            if element.label == label:
                return element
        raise KPIError(f"「{label}」という要素はありません。先に add で追加してください。")

    def link(self, source: str, target: str) -> None:
        """Draw an arrow ``source`` → ``target``; it must go to a later stage (or the same stage for outcomes)."""
        a, b = self.get(source), self.get(target)
        ia, ib = STAGE_ORDER.index(a.stage), STAGE_ORDER.index(b.stage)
        if ib < ia:
            raise KPIError(
                f"「{a.label}」（{a.stage_ja}）から「{b.label}」（{b.stage_ja}）へは戻る向きです。"
                "矢印はインプット→活動→アウトプット→アウトカム→インパクトの向きにしてください。"
            )
        if b not in a.leads_to:
            a.leads_to.append(b)

    def by_stage(self) -> dict[str, list[Element]]:
        return {stage: [e for e in self.elements if e.stage == stage] for stage in STAGE_ORDER}

    def indicators(self) -> list[Indicator]:
        return [i for e in self.elements for i in e.indicators]

    def check(self) -> Findings:
        """Findings in Japanese: missing stages, boxes without arrows, boxes without indicators."""
        findings: list[str] = []
        stages = self.by_stage()
        for stage in ("input", "activity", "output"):
            if not stages[stage]:
                what = {"input": "何を使うか（予算・人・機器・データ）", "activity": "何をするか", "output": "活動で何ができるか"}[stage]
                findings.append(f"「{STAGES[stage]}」の要素がありません。{what}を書きましょう。")
        if not any(stages[s] for s in ("outcome_initial", "outcome_intermediate", "outcome_final")):
            findings.append("アウトカム（地域や住民に起きる変化）がありません。初期・中間・最終のどれかを書きましょう。")
        incoming = {id(t) for e in self.elements for t in e.leads_to}
        last_stage = max((STAGE_ORDER.index(e.stage) for e in self.elements), default=0)
        for element in self.elements:
            index = STAGE_ORDER.index(element.stage)
            if not element.leads_to and index < last_stage:
                findings.append(f"「{element.label}」（{element.stage_ja}）から先への矢印がありません。何につながるかを結びましょう。")
            if id(element) not in incoming and index > 0 and any(STAGE_ORDER.index(e.stage) < index for e in self.elements):
                findings.append(f"「{element.label}」（{element.stage_ja}）へ向かう矢印がありません。何によって起きるかを結びましょう。")
        for element in self.elements:
            if element.stage != "input" and not element.indicators:
                findings.append(f"「{element.label}」（{element.stage_ja}）に指標がありません。進み具合を何で測るかを決めましょう。")
        return Findings("ロジックモデルの確認", findings, mark="△ ")

    def to_frame(self):
        """One row per (element, indicator): 段階, 要素, つながる先, and the indicator columns."""
        import pandas as pd

        rows = []
        for stage in STAGE_ORDER:
            for element in self.by_stage()[stage]:
                base = {"段階": element.stage_ja, "要素": element.label,
                        "つながる先": "、".join(t.label for t in element.leads_to)}
                if not element.indicators:
                    rows.append(base)
                for indicator in element.indicators:
                    record = indicator.to_record()
                    record.pop("段階")
                    rows.append({**base, **record})
        return pd.DataFrame(rows)

    def draw(self, ax=None):
        """Stages as columns left to right, boxes with arrows (Japanese labels); returns the Figure."""
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

        from chiiki_iot.logic.render import wrap
        from chiiki_iot.plots import use_japanese_font

        font = use_japanese_font()
        stages = [s for s, els in self.by_stage().items() if els]
        if not stages:
            raise KPIError("要素がありません。add で要素を追加してから描いてください。")
        rows = max(len(els) for els in self.by_stage().values())
        width, height = 2.4 * len(stages), 1.1 * rows + 0.8
        if ax is None:
            fig = Figure(figsize=(max(width, 4), max(height, 2)))
            ax = fig.add_axes((0, 0, 1, 1))
        else:
            fig = ax.figure
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.axis("off")
        centre = {}
        for col, stage in enumerate(stages):
            x = col * 2.4 + 0.15
            ax.text(x + 1.05, 0.35, STAGES[stage], ha="center", va="center", fontsize=10, fontfamily=font)
            for row, element in enumerate(self.by_stage()[stage]):
                y = 0.75 + row * 1.1
                ax.add_patch(FancyBboxPatch((x, y), 2.1, 0.9, boxstyle="round,pad=0,rounding_size=0.06",
                                            facecolor="#eef3fb", edgecolor="#4d4d4d", linewidth=0.8))
                text = "\n".join(wrap(element.label, 22)[:3])
                if element.indicators:
                    text += "\n〔指標〕" + wrap(element.indicators[0].name, 14)[0]
                ax.text(x + 1.05, y + 0.45, text, ha="center", va="center", fontsize=8, fontfamily=font)
                centre[id(element)] = (x, y + 0.45)
        for element in self.elements:
            x0, y0 = centre[id(element)]
            for target in element.leads_to:
                x1, y1 = centre[id(target)]
                ax.add_patch(FancyArrowPatch((x0 + 2.1, y0), (x1, y1), arrowstyle="-|>", mutation_scale=10,
                                             color="#4d4d4d", linewidth=0.8))
        return fig

