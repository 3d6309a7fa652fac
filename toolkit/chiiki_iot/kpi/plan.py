"""The 地域IoT実装計画 as an object: the casebook's 7 chapters, projects, KPIs, the 11-stage checklist,
the 29-barrier self-diagnosis, and export to Word and Excel.

Chapters (p.11), stages (p.15) and barriers (pp.16-17) follow 総務省 情報流通行政局
地域通信振興課「地域IoT実装のための計画策定・推進体制構築支援事業」事例集（平成31年4月）.

>>> from chiiki_iot.kpi import Plan, Indicator
>>> plan = Plan("みなと町", period=(2025, 2027))
>>> plan.write(3, "2030年に、獣害で耕作をやめる農家がいない町。")
>>> plan.headings()[1]
'2．みなと町の地域特性'
>>> _ = plan.add_project("スマートわな", issues=["捕獲の担い手不足"], done=["将来像の設定", "問題・課題の分析"])
>>> float(plan.checklist().loc["スマートわな", "進捗率"])
0.18
>>> plan.to_docx("/tmp/plan.docx"), plan.to_xlsx("/tmp/plan.xlsx")  # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .audit import audit
from .cost import CostModel
from .errors import KPIError
from .findings import Findings
from .indicator import Indicator

SOURCE = "総務省 情報流通行政局 地域通信振興課「地域IoT実装のための計画策定・推進体制構築支援事業」事例集（平成31年4月）"

#: The standard chapters of a 地域IoT実装計画 (p.11); "{municipality}" is filled in.
CHAPTERS: tuple[str, ...] = (
    "地域IoT実装計画の策定",
    "{municipality}の地域特性",
    "地域IoT実装により目指す将来像",
    "将来像の実現に向け解くべき問題・課題",
    "将来像の実現に向け取り組む施策",
    "地域IoT実装計画にて取り組む事業",
    "成果の評価指標及びPDCAの体制",
)

#: What each chapter should say (from pp.11-12), shown as a prompt in empty chapters.
CHAPTER_HINTS: tuple[str, ...] = (
    "計画の目的・背景と、計画の位置づけ（総合計画・地方創生総合戦略・既存の個別計画との関係）、対象期間を書きます。",
    "人口・高齢化率・面積など、地域の現状をできるだけ具体的なデータで書きます。",
    "総合計画などと整合を図りながら、より具体的に実現したい将来像を描きます。",
    "将来像と現状のギャップ（問題）と、その根本的な原因（課題）を、ロジックツリーで整理して書きます。",
    "課題に対する解決策を、ICT/IoT以外の方法（人的サービス、経済的手法、規制・制度等）も含めて書きます。",
    "取り組む事業の内容、推進体制、財源、費用対効果を書きます。",
    "成果の評価指標（KPI：基準値・目標値・年）と、PDCAを回す体制を書きます。",
)

#: Where each part of a plan is entered, quoted in :meth:`Plan.check` (Python calls; the Excel
#: template reader, :mod:`chiiki_iot.kpi.template`, replaces them with its sheet names).
ENTRY_POINTS: dict[str, str] = {
    "period": "Plan(..., period=(開始年度, 終了年度)) で",
    "tree": "set_tree で",
    "indicators": "add_indicator で",
    "projects": "add_project で",
    "issues": "add_project の issues に",
}

#: The 11 stages of the progress checklist (p.15): 6 for drafting, 5 for carrying out.
STAGES: tuple[str, ...] = (
    "将来像の設定",
    "問題・課題の分析",
    "施策・事業の立案",
    "推進体制・ビジネスモデルの想定",
    "KPI・PDCAの設定",
    "財源の想定",
    "関係主体との実質的協議",
    "事業・システムの詳細設計",
    "推進体制・ビジネスモデルの確定",
    "財源の確保",
    "事業の実施",
)
PHASES = {stage: ("計画策定" if i < 6 else "策定した計画の実行") for i, stage in enumerate(STAGES)}


@dataclass
class Project:
    """A project (事業) of the plan."""

    name: str
    description: str = ""
    issues: list[str] = field(default_factory=list)
    cost: CostModel | None = None
    done: list[str] = field(default_factory=list)
    department: str = ""  # 所管課
    start_year: int | None = None  # first fiscal year (年度)
    end_year: int | None = None  # last fiscal year (年度)
    budget: float | None = None  # 事業費（千円）, the total over its years


def _stage(name: str) -> str:
    if name in STAGES:
        return name
    if isinstance(name, int) and 1 <= name <= len(STAGES):
        return STAGES[name - 1]
    listing = "、".join(f"{i}.{s}" for i, s in enumerate(STAGES, start=1))
    raise KPIError(f"段階「{name}」はチェックリストにありません。次のどれか（名前か番号）にしてください: {listing}")


class Plan:
    """A 地域IoT実装計画 for one municipality.

    Args:
        municipality: the name used in headings (e.g. "信濃町").
        period: (first fiscal year, last fiscal year).
        title: defaults to "{municipality}地域IoT実装計画".
    """

    def __init__(self, municipality: str, period: tuple[int, int] | None = None, title: str | None = None) -> None:
        if not municipality or not str(municipality).strip():
            raise KPIError("団体名（municipality）を入れてください。章の見出しに使います。")
        self.municipality = str(municipality).strip()
        self.title = title or f"{self.municipality}地域IoT実装計画"
        if period is not None:
            start, end = period
            if not (isinstance(start, int) and isinstance(end, int)) or start > end:
                raise KPIError(f"対象期間 {period!r} は (開始年度, 終了年度) の順に整数で入れてください（例: (2025, 2027)）。")
        self.period = period
        self.chapters: dict[int, str] = {}
        self.tree = None  # a chiiki_iot.logic.LogicTree for chapters 4-5
        self.indicators: list[Indicator] = []
        self.projects: list[Project] = []
        self.barriers: dict[str, str] = {}
        self.entry_points: dict[str, str] = dict(ENTRY_POINTS)

    @classmethod
    def from_casebook(cls, municipality: str) -> Plan:
        """A plan pre-filled from the casebook datasets: profile (chapter 2), KPIs, projects (p.15),
        the barriers the municipality met (pp.16-17) and its logic tree if one ships.

        The other chapters are left for the learner to write.

        >>> plan = Plan.from_casebook("宇城市")
        >>> plan.period, len(plan.indicators), len(plan.projects), sorted(plan.barriers)[:2]
        ((2019, 2021), 7, 2, ['A⑥', 'A⑧'])
        """
        from chiiki_iot.data import load

        from .indicator import casebook_indicators

        profiles = load("casebook_municipalities").set_index("municipality")
        if municipality not in profiles.index:
            raise KPIError(f"「{municipality}」は事例集の7団体にありません。使えるもの: {'、'.join(profiles.index)}")
        row = profiles.loc[municipality]
        title = row["plan_title"] if isinstance(row["plan_title"], str) and row["plan_title"] else None
        plan = cls(municipality, period=(int(row["plan_start_fy"]), int(row["plan_end_fy"])), title=title)
        plan.write(2, f"人口 {row['population']:,}人（{row['population_as_of']}）、高齢化率 {row['aging_rate_pct']:g}％"
                      f"（{row['aging_rate_as_of']}）、面積 {row['area_km2']:g} km²。\n（出典：{SOURCE} p.{row['pages']}）")
        for indicator in casebook_indicators(municipality):
            plan.add_indicator(indicator)
        projects = load("casebook_projects")
        for name in projects.loc[projects["municipality"] == municipality, "project"]:
            plan.add_project(name)
        barriers = barrier_index()
        mine = barriers[barriers["municipality"] == municipality]
        plan.diagnose(dict(zip(mine["code"], mine["case_text"])))
        from chiiki_iot.logic import casebook_tree, casebook_tree_names

        trees = [n for n in casebook_tree_names() if n.split("_")[0] == municipality]
        if trees:
            plan.set_tree(casebook_tree(trees[0]))
        return plan

    # ------------------------------------------------------------------ writing
    def headings(self) -> list[str]:
        """The 7 chapter headings, numbered as in the casebook."""
        return [f"{i}．{h.format(municipality=self.municipality)}" for i, h in enumerate(CHAPTERS, start=1)]

    def write(self, chapter: int | str, text: str) -> None:
        """Set the text of a chapter (its number 1-7, or its heading)."""
        number = self._chapter_number(chapter)
        if not isinstance(text, str):
            raise KPIError(f"第{number}章の本文は文字列で入れてください。")
        self.chapters[number] = text.strip()

    def _chapter_number(self, chapter: int | str) -> int:
        if isinstance(chapter, int) and 1 <= chapter <= len(CHAPTERS):
            return chapter
        for i, heading in enumerate(self.headings(), start=1):
            if chapter in (heading, heading.split("．", 1)[1]):
                return i
        raise KPIError(f"章 {chapter!r} はありません。1〜7 の番号か、見出しの文字で指定してください。")

    def set_tree(self, tree) -> None:
        """Attach the logic tree (将来像→問題・課題→施策) shown in chapters 4 and 5."""
        from chiiki_iot.logic import LogicTree

        if not isinstance(tree, LogicTree):
            raise KPIError("ロジックツリーは chiiki_iot.logic.LogicTree で渡してください（LogicTree.from_text などで作れます）。")
        self.tree = tree

    def add_indicator(self, indicator: Indicator) -> Indicator:
        if not isinstance(indicator, Indicator):
            raise KPIError("指標は Indicator(...) で作って渡してください。")
        self.indicators.append(indicator)
        return indicator

    def add_project(self, name: str, description: str = "", issues: Iterable[str] = (), cost: CostModel | None = None,
                    done: Iterable[str | int] = (), department: str = "", start_year: int | None = None,
                    end_year: int | None = None, budget: float | None = None) -> Project:
        """Add a project; ``issues`` are the 課題 it addresses, ``done`` the checklist stages already done,
        ``department`` its 所管課, ``start_year``/``end_year`` its fiscal years and ``budget`` its cost (千円)."""
        if any(p.name == name for p in self.projects):
            raise KPIError(f"事業「{name}」はもうあります。別の名前にするか、今ある事業を使ってください。")
        if cost is not None and not isinstance(cost, CostModel):
            raise KPIError("費用対効果は CostModel(...) で渡してください。")
        if start_year is not None and end_year is not None and start_year > end_year:
            raise KPIError(f"事業「{name}」の開始年度 {start_year} が終了年度 {end_year} より後です。年度を見直してください。")
        project = Project(name, description, list(issues), cost, [], department, start_year, end_year, budget)
        self.projects.append(project)
        for stage in done:
            self.mark_done(name, stage)
        return project

    def project(self, name: str) -> Project:
        for project in self.projects:
            if project.name == name:
                return project
        raise KPIError(f"事業「{name}」はありません。先に add_project で追加してください。")

    def mark_done(self, project: str, stage: str | int) -> None:
        """Tick one of the 11 stages for a project."""
        p, s = self.project(project), _stage(stage)
        if s not in p.done:
            p.done.append(s)

    # ------------------------------------------------------------------ the 11-stage checklist
    def checklist(self):
        """Projects × 11 stages (● = done), with 進捗率 and the first stage not yet done (次の段階)."""
        import pandas as pd

        rows = {}
        for p in self.projects:
            row = {s: ("●" if s in p.done else "") for s in STAGES}
            row["進捗率"] = round(len(p.done) / len(STAGES), 2)
            row["次の段階"] = next((s for s in STAGES if s not in p.done), "（すべて完了）")
            rows[p.name] = row
        return pd.DataFrame.from_dict(rows, orient="index", columns=[*STAGES, "進捗率", "次の段階"])

    # ------------------------------------------------------------------ the 29 barriers
    def diagnose(self, answers: dict[str, str] | Iterable[str]) -> None:
        """Record which of the casebook's 29 barriers (A①–C⑤) apply, optionally with a note each."""
        codes = set(barrier_index()["code"])
        answers = dict(answers) if isinstance(answers, dict) else {code: "" for code in answers}
        unknown = [c for c in answers if c not in codes]
        if unknown:
            raise KPIError(f"{'、'.join(unknown)} は壁の索引にありません。A①〜A⑨、B①〜B⑮、C①〜C⑤ で指定してください。")
        self.barriers = {c: str(n or "") for c, n in answers.items()}

    def barrier_table(self):
        """The 29 barriers with 該当 (this plan's answers), 自分たちの状況, and the case to read."""
        df = barrier_index().copy()
        df["該当"] = df["code"].map(lambda c: "●" if c in self.barriers else "")
        df["自分たちの状況"] = df["code"].map(lambda c: self.barriers.get(c, ""))
        df["参考になる事例"] = df["prefecture"] + df["municipality"] + "（p." + df["case_page"].astype(str) + "）"
        return df.rename(columns={"code": "記号", "stage": "段階", "category": "分類", "symptom": "壁"})[
            ["記号", "段階", "分類", "壁", "該当", "自分たちの状況", "参考になる事例"]
        ]

    # ------------------------------------------------------------------ tables
    def kpi_table(self):
        from .indicator import to_frame

        return to_frame(self.indicators)

    def project_table(self):
        """Projects with the issues they address and their cost-effectiveness."""
        import pandas as pd

        rows = []
        for p in self.projects:
            row = {"事業": p.name, "内容": p.description, "対応する課題": "、".join(p.issues)}
            if any(q.department or q.start_year or q.end_year or q.budget is not None for q in self.projects):
                years = "〜".join(str(y) for y in dict.fromkeys((p.start_year, p.end_year)) if y)
                row.update({"所管課": p.department, "実施年度": f"{years}年度" if years else "",
                            "事業費（千円）": p.budget})
            if p.cost is not None:
                c = p.cost
                row.update({"単位": c.unit, "初期費用": c.initial_cost, "運用費（年）": c.annual_running_cost,
                            "効果（年）": c.annual_benefit, "評価期間（年）": c.years, "B/C": round(c.bc_ratio(), 2),
                            "回収年数": round(c.payback_years(), 1)})
            rows.append(row)
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ checking
    def check(self) -> Findings:
        """What is missing or inconsistent, in Japanese (empty chapters, KPI audit errors, unlinked projects ...)."""
        findings: list[str] = []
        for number, heading in enumerate(self.headings(), start=1):
            if not self.chapters.get(number):
                findings.append(f"{heading} がまだ書かれていません。{CHAPTER_HINTS[number - 1]}")
        if self.period is None:
            findings.append(f"対象期間がありません。{self.entry_points['period']}入れてください。")
        if self.tree is None:
            findings.append(f"ロジックツリーがありません。将来像→問題→課題→施策を{self.entry_points['tree']}付けてください。")
        else:
            mece = self.tree.check_mece()
            findings.extend(f"ロジックツリー: {f}" for f in mece.errors)
        if not self.indicators:
            findings.append(f"成果の評価指標（KPI）がありません。{self.entry_points['indicators']}入れてください。")
        start, end = self.period if self.period else (None, None)
        kpi = audit(self.indicators, plan_start=start, plan_end=end, require_source=False)
        findings.extend(f"KPI: {f}" for f in kpi.findings if f.severity == "error")
        if not self.projects:
            findings.append(f"事業がありません。{self.entry_points['projects']}入れてください。")
        for p in self.projects:
            if not p.issues:
                findings.append(f"事業「{p.name}」がどの課題に対応するかが書かれていません。{self.entry_points['issues']}課題を入れてください。")
            done = [s in p.done for s in STAGES]
            if any(done[i] and not done[j] for i in range(len(STAGES)) for j in range(i)):
                first_gap = next(s for s, d in zip(STAGES, done) if not d)
                findings.append(f"事業「{p.name}」は「{first_gap}」が済んでいないのに、後の段階に進んでいます。順番を確かめてください。")
        return Findings("計画の確認", findings, mark="・")

    # ------------------------------------------------------------------ export
    def to_docx(self, path: str | Path) -> Path:
        """Write the plan as a Word document (.docx); see :mod:`chiiki_iot.kpi.export`."""
        from .export import write_docx

        return write_docx(self, path)

    def to_xlsx(self, path: str | Path) -> Path:
        """Write the plan's tables as an Excel workbook (.xlsx); see :mod:`chiiki_iot.kpi.export`."""
        from .export import write_xlsx

        return write_xlsx(self, path)

    def to_template(self, path: str | Path) -> Path:
        """Write the plan into the Excel planning template (記入用ひな形), as if typed in by hand;
        :func:`chiiki_iot.kpi.template.read_template` reads it back. See :mod:`chiiki_iot.kpi.template`."""
        from .template import write_template

        return write_template(path, plan=self)

    @classmethod
    def from_template(cls, path: str | Path) -> Plan:
        """The plan in a filled Excel planning template; every problem found is raised together
        (:class:`chiiki_iot.kpi.template.PlanTemplateError`, naming sheet and cell)."""
        from .template import load_plan

        return load_plan(path)



def barrier_index():
    """The casebook's 29 barriers (dataset ``casebook_barriers``) as a DataFrame."""
    from chiiki_iot.data import load

    return load("casebook_barriers")
