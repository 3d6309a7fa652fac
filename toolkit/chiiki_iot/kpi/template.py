"""The Excel planning template (記入用ひな形): staff write their plan in Excel, the toolkit reads it back.

On office PCs (LGWAN) Python is often not allowed, but Excel is.  The template has
one sheet per part of a :class:`~chiiki_iot.kpi.plan.Plan`: the 7 chapters, the
logic tree, the KPIs, the projects (事業), the 11-stage progress checklist and
the 29-barrier self-diagnosis.  Each sheet says in Japanese what to write; input
cells are yellow; values from a fixed list have a drop-down; rows marked 「例」
show how to fill in and are never read.

>>> from chiiki_iot.kpi import Plan
>>> from chiiki_iot.kpi.template import read_template, write_template
>>> path = write_template("/tmp/hinagata.xlsx")            # the blank template
>>> reading = read_template(path)
>>> reading.plan is None, str(reading.problems[0])
(True, 'シート『1_計画と章』のセル D6: 団体名がありません。市町村名（架空の町でも構いません）を入れてください。')
>>> plan = Plan("みなと町", period=(2026, 2028))
>>> plan.write(3, "2030年度までに、獣害で耕作をやめる農家がいない町にします。")
>>> read_template(plan.to_template("/tmp/minato.xlsx")).plan.chapters[3]
'2030年度までに、獣害で耕作をやめる農家がいない町にします。'

Bad cells are reported all at once, each naming its sheet and cell, and what
could be read is kept (``reading.plan``); :func:`load_plan` raises
:class:`PlanTemplateError` instead when anything is wrong.

The shipped template of the capstone module is made by this module::

    python -m chiiki_iot.kpi.template courses/logical_thinking/08_keikaku_wo_kaku/data/keikaku_hinagata.xlsx
"""
from __future__ import annotations

import math
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KPIError
from .indicator import Indicator
from .plan import CHAPTER_HINTS, CHAPTERS, SOURCE, STAGES, Plan, barrier_index

EXAMPLE = "例"  # the mark, in column A, of rows the reader skips
HEADER_ROW = 4  # every sheet: 1 title, 2 instructions, 3 legend, 4 column headings
INPUT_FILL = "FFF2CC"  # yellow: cells to fill in
EXAMPLE_FILL = "EDEDED"  # grey: example rows
HEADER_FILL = "D9E1F2"
LEGEND = "黄色のセルに入力します。「例」の行は書き方の見本で、読み込まれません（消しても、そのままでも構いません）。"

INTRO, CHAPTER_SHEET, TREE_SHEET, KPI_SHEET, PROJECT_SHEET, CHECK_SHEET, BARRIER_SHEET = (
    "はじめに", "1_計画と章", "2_ロジックツリー", "3_KPI", "4_事業", "5_進捗チェック", "6_壁の自己診断")
#: Sheet names of the template, in order.
SHEETS = (INTRO, CHAPTER_SHEET, TREE_SHEET, KPI_SHEET, PROJECT_SHEET, CHECK_SHEET, BARRIER_SHEET)

# 1_計画と章: one row per item, the answer in column D
BASICS = (  # (row label, hint, cell)
    ("団体名", "市町村名（架空の町でも構いません）。章の見出しに使います。", "D6"),
    ("計画名", "空欄なら「（団体名）地域IoT実装計画」になります。", "D7"),
    ("開始年度", "対象期間の最初の年度を西暦で（例: 2026）。", "D8"),
    ("終了年度", "対象期間の最後の年度を西暦で（例: 2028）。", "D9"),
)
FIRST_CHAPTER_ROW = 10
TREE_ROLES = ("将来像", "問題", "課題", "解決策")
KPI_COLUMNS = ("No.", "指標名", "区分", "単位", "基準値", "基準年度", "目標値", "目標年度", "良い方向", "集計",
               "データの出所", "測定頻度")
KPI_KINDS = ("アウトプット", "初期アウトカム", "中間アウトカム", "最終アウトカム", "インパクト")
GOOD_WAYS = ("高いほど良い", "低いほど良い")
TOTALS = {"年間（単年度）": "annual", "累計": "cumulative", "時点の値": "level"}
PROJECT_COLUMNS = ("No.", "事業名", "内容", "対応する課題（複数は「、」で区切る）", "所管課", "開始年度", "終了年度",
                   "事業費（千円）")
DONE_MARKS = ("済", "済み", "●", "○", "✓", "✔")
APPLIES_MARKS = ("●", "○", "該当", "該当する", "はい")
BARRIER_COLUMNS = ("記号", "段階", "分類", "壁", "参考になる事例", "該当", "自分たちの状況")
INPUT_ROWS = {TREE_SHEET: 40, KPI_SHEET: 10, PROJECT_SHEET: 8, CHECK_SHEET: 8}

# The example rows (架空のみなと町), shown grey and never read.
EXAMPLE_CHAPTER = ("3．地域IoT実装により目指す将来像",
                   "2030年度までに、獣害を理由に耕作をやめる農家がいない町にします。（架空の町の例）")
EXAMPLE_TREE = (("2030年度までに獣害で耕作をやめる農家がいない町",), ("", "農作物被害額が目標の約2倍ある"),
                ("", "", "わなの見回りに時間がかかり捕獲が遅れる"), ("", "", "", "センサー付きのわなで、かかったときだけ見回る"))
EXAMPLE_KPI = ("農作物被害額", "最終アウトカム", "万円", 3050, 2024, 2300, 2028, "低いほど良い", "年間（単年度）",
               "農林課の被害調査", "毎年度末")
EXAMPLE_PROJECT = ("スマートわな実証", "センサー付きのわなで、かかったときだけ見回る", "わなの見回りに時間がかかり、捕獲が遅れる",
                   "農林課", 2026, 2028, 4200)

INSTRUCTIONS = {
    CHAPTER_SHEET: "団体名・計画名・対象期間と、7つの章の本文を、D列の黄色のセルに書きます。1つのセルに長い文を書いて構いません"
                   "（セルの中で改行するときは Alt + Enter）。C列は、その章に書くことです（事例集 pp.11–12 からこの教材がまとめたもの）。",
    TREE_SHEET: "将来像 → 問題 → 課題 → 解決策 の順に、左から右へ書きます。1行に1つの箱を書き、子の箱は親より右の列に、親より下の行に書きます"
                "（同じ行で右に続けても構いません）。いちばん上の将来像は1つだけにします。",
    KPI_SHEET: "成果の評価指標（KPI）を1行に1つ書きます。基準値・目標値は数字だけを入れ、単位は「単位」の列に書きます。"
               "年度は西暦（例: 2028）。区分・良い方向・集計は、セルの ▼ から選びます。",
    PROJECT_SHEET: "計画で取り組む事業を1行に1つ書きます。「対応する課題」には、ロジックツリーの課題を書きます（複数なら「、」で区切ります）。"
                   "事業費は千円単位の数字だけ（例: 4200）。",
    CHECK_SHEET: "事業ごとに、済んだ段階のセルで ▼ から「済」を選びます。事業名は、シート『4_事業』に書いた名前を ▼ から選びます。"
                 "段階は1から順に進めます（事例集 p.15 の11段階）。",
    BARRIER_SHEET: "計画づくりの「壁」29項目（事例集 pp.16–17）です。自分たちに当てはまる壁の「該当」で ▼ から「●」を選び、"
                   "「自分たちの状況」に1文で書きます。当てはまったら、「参考になる事例」のページを読みましょう。",
}
TITLES = {
    CHAPTER_SHEET: "1　計画の基本情報と7つの章",
    TREE_SHEET: "2　ロジックツリー（将来像 → 問題 → 課題 → 解決策）",
    KPI_SHEET: "3　成果の評価指標（KPI）",
    PROJECT_SHEET: "4　計画にて取り組む事業",
    CHECK_SHEET: "5　事業の進捗チェック（11段階）",
    BARRIER_SHEET: "6　計画づくりの「壁」の自己診断（29項目）",
}
INTRO_LINES = (
    "地域IoT実装計画 記入用ひな形",
    "",
    "このブックに、自分の町（または架空の町）の地域IoT実装計画を書きます。Python は使いません。Excel（または LibreOffice）で開いて記入します。",
    "",
    "記入のしかた",
    "1. シート『1_計画と章』から『6_壁の自己診断』まで、順に記入します。各シートの上の説明を読んでください。",
    "2. 黄色のセルに入力します。灰色の「例」の行は書き方の見本で、読み込まれません。",
    "3. ▼ の付いたセルは、一覧から選びます。数字のセルには数字だけを入れます（単位は単位の列へ）。",
    "4. シートの名前、見出しの行（4行目）、列の並びは変えないでください。行が足りなければ、表の下に続けて書けます。",
    "5. 「Excel ブック（*.xlsx）」の形式のまま、my_keikaku.xlsx という名前で保存します。",
    "6. 研修のノートブックと同じフォルダにアップロードし、読み込みのセルを実行します。足りないところや読めないセルは、シートとセルの番地つきで一度に表示されます。",
    "",
    "シートの一覧",
    *(f"・{name}: {TITLES[name].split('　', 1)[1]}" for name in SHEETS[1:]),
    "",
    f"章立て・進捗の段階・壁の索引の出典：{SOURCE}",
    "見本（例）の「みなと町」は、この教材のために作った架空の町です。数字も架空です。",
)


# ====================================================================== problems
@dataclass(frozen=True)
class CellProblem:
    """One thing the reader could not use, with where it is."""

    sheet: str
    cell: str  # "C5", or "" for the whole sheet
    message: str

    def __str__(self) -> str:
        where = f"シート『{self.sheet}』" + (f"のセル {self.cell}" if self.cell else "")
        return f"{where}: {self.message}"


class PlanTemplateError(KPIError):
    """A filled template has cells the reader cannot use; ``problems`` lists all of them."""

    def __init__(self, problems: list[CellProblem], plan: Plan | None = None) -> None:
        self.problems = list(problems)
        self.plan = plan
        lines = [f"記入したブックに、直すところが {len(self.problems)} か所あります。"]
        super().__init__("\n".join([*lines, *(f"・{p}" for p in self.problems)]))


@dataclass
class TemplateReading:
    """What :func:`read_template` found: the plan (None when it could not be made) and the problems."""

    path: Path
    plan: Plan | None
    problems: list[CellProblem] = field(default_factory=list)
    rows: dict[str, str] = field(default_factory=dict)  # KPI / project name -> "シート『…』の n 行目"

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.problems

    def __str__(self) -> str:
        if not self.problems:
            return f"{self.path.name} を読み込みました。読めないセルはありません。"
        return "\n".join([f"{self.path.name}: 直すところが {len(self.problems)} か所あります（直して保存し、もう一度読み込みます）。",
                          *(f"・{p}" for p in self.problems)])

    __repr__ = __str__


# ====================================================================== writing the template
def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="A6A6A6")
    return {
        "input": PatternFill("solid", fgColor=INPUT_FILL),
        "example": PatternFill("solid", fgColor=EXAMPLE_FILL),
        "header": PatternFill("solid", fgColor=HEADER_FILL),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "bold": Font(bold=True),
        "title": Font(bold=True, size=14),
        "grey": Font(italic=True, color="7F7F7F"),
    }


def _head(ws, title: str, instructions: str, headers: Iterable[str], widths: Iterable[int], st) -> None:
    from openpyxl.utils import get_column_letter

    headers, widths = list(headers), list(widths)
    last = get_column_letter(len(headers))
    ws["A1"] = title
    ws["A1"].font = st["title"]
    for row, text, height in ((2, instructions, 48), (3, LEGEND, 18)):
        ws.merge_cells(f"A{row}:{last}{row}")
        ws[f"A{row}"] = text
        ws[f"A{row}"].alignment = st["wrap"]
        ws.row_dimensions[row].height = height
    for col, (name, width) in enumerate(zip(headers, widths), start=1):
        cell = ws.cell(HEADER_ROW, col, name)
        cell.font, cell.fill, cell.border, cell.alignment = st["bold"], st["header"], st["border"], st["wrap"]
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"


def _row(ws, row: int, values: Iterable, st, *, example: bool = False, inputs: Iterable[int] = ()) -> None:
    """Write one row: column A is 例 (example) or the row number; ``inputs`` are the yellow columns."""
    inputs = set(inputs)
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col, None if value == "" else value)
        cell.border, cell.alignment = st["border"], st["wrap"]
        if example:
            cell.fill, cell.font = st["example"], st["grey"]
        elif col in inputs:
            cell.fill = st["input"]


def _validation(ws, kind: str, cells: str, *, choices: Iterable[str] = (), source: str = "", what: str = "") -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if kind == "list":
        formula = source or '"' + ",".join(choices) + '"'
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False)
        dv.error = f"{what}は ▼ の一覧から選んでください。"
    elif kind == "year":
        dv = DataValidation(type="whole", operator="between", formula1="1990", formula2="2100", allow_blank=True)
        dv.error = "年度は西暦の整数で入れてください（例: 2028）。令和などの和暦は使えません。"
    else:  # number
        dv = DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15", allow_blank=True)
        dv.error = f"{what}には数字だけを入れてください（単位は入れません。例: 30）。"
    dv.errorTitle, dv.showErrorMessage = "入力できない値です", True
    dv.promptTitle, dv.prompt, dv.showInputMessage = what[:32], dv.error[:255], True
    for part in cells.split():
        dv.add(part)
    ws.add_data_validation(dv)


def build_template(plan: Plan | None = None):
    """The template as an openpyxl Workbook, blank or with ``plan`` typed into its input cells."""
    from openpyxl import Workbook

    st = _styles()
    wb = Workbook()
    intro = wb.active
    intro.title = INTRO
    intro.column_dimensions["A"].width = 120
    for row, line in enumerate(INTRO_LINES, start=1):
        cell = intro.cell(row, 1, line or None)
        cell.alignment = st["wrap"]
        if line in (INTRO_LINES[0], "記入のしかた", "シートの一覧"):
            cell.font = st["title"] if row == 1 else st["bold"]
    intro.cell(len(INTRO_LINES) + 2, 1, "黄色のセル＝記入するセル").fill = st["input"]
    intro.cell(len(INTRO_LINES) + 3, 1, "灰色の「例」の行＝見本（読み込まれません）").fill = st["example"]

    # 1 chapters
    ws = wb.create_sheet(CHAPTER_SHEET)
    _head(ws, TITLES[CHAPTER_SHEET], INSTRUCTIONS[CHAPTER_SHEET], ("項目", "見出し", "書くこと", "記入欄"),
          (10, 34, 46, 80), st)
    _row(ws, HEADER_ROW + 1, (EXAMPLE, EXAMPLE_CHAPTER[0], "（見本）", EXAMPLE_CHAPTER[1]), st, example=True)
    for label, hint, address in BASICS:
        _row(ws, int(address[1:]), (label, "", hint, ""), st, inputs=[4])
    for number, (heading, hint) in enumerate(zip(CHAPTERS, CHAPTER_HINTS), start=1):
        row = FIRST_CHAPTER_ROW + number - 1
        _row(ws, row, (f"第{number}章", f"{number}．" + heading.format(municipality="（団体名）"), hint, ""), st, inputs=[4])
        ws.row_dimensions[row].height = 60
    _validation(ws, "year", "D8:D9", what="年度")

    # 2 logic tree
    ws = wb.create_sheet(TREE_SHEET)
    _head(ws, TITLES[TREE_SHEET], INSTRUCTIONS[TREE_SHEET], ("No.", *TREE_ROLES), (6, 36, 36, 36, 36), st)
    first = _examples(ws, [(EXAMPLE, *(r + ("",) * (4 - len(r)))) for r in EXAMPLE_TREE], st)
    _inputs(ws, first, INPUT_ROWS[TREE_SHEET], len(TREE_ROLES) + 1, st)

    # 3 KPI
    ws = wb.create_sheet(KPI_SHEET)
    _head(ws, TITLES[KPI_SHEET], INSTRUCTIONS[KPI_SHEET], KPI_COLUMNS, (6, 30, 16, 10, 12, 10, 12, 10, 14, 16, 24, 14), st)
    first = _examples(ws, [(EXAMPLE, *EXAMPLE_KPI)], st)
    last = _inputs(ws, first, INPUT_ROWS[KPI_SHEET], len(KPI_COLUMNS), st)
    _validation(ws, "list", f"C{first}:C{last}", choices=KPI_KINDS, what="区分")
    _validation(ws, "number", f"E{first}:E{last} G{first}:G{last}", what="基準値・目標値")
    _validation(ws, "year", f"F{first}:F{last} H{first}:H{last}", what="年度")
    _validation(ws, "list", f"I{first}:I{last}", choices=GOOD_WAYS, what="良い方向")
    _validation(ws, "list", f"J{first}:J{last}", choices=TOTALS, what="集計")

    # 4 projects
    ws = wb.create_sheet(PROJECT_SHEET)
    _head(ws, TITLES[PROJECT_SHEET], INSTRUCTIONS[PROJECT_SHEET], PROJECT_COLUMNS, (6, 28, 40, 40, 14, 10, 10, 14), st)
    first_project = _examples(ws, [(EXAMPLE, *EXAMPLE_PROJECT)], st)
    last_project = _inputs(ws, first_project, INPUT_ROWS[PROJECT_SHEET], len(PROJECT_COLUMNS), st)
    _validation(ws, "year", f"F{first_project}:G{last_project}", what="年度")
    _validation(ws, "number", f"H{first_project}:H{last_project}", what="事業費")

    # 5 checklist
    ws = wb.create_sheet(CHECK_SHEET)
    _head(ws, TITLES[CHECK_SHEET], INSTRUCTIONS[CHECK_SHEET],
          ("No.", "事業名", *(f"{i} {s}" for i, s in enumerate(STAGES, start=1))), (6, 28, *([11] * len(STAGES))), st)
    ws.row_dimensions[HEADER_ROW].height = 60
    first = _examples(ws, [(EXAMPLE, EXAMPLE_PROJECT[0], *(["済"] * 5), *([""] * 6))], st)
    last = _inputs(ws, first, INPUT_ROWS[CHECK_SHEET], 2 + len(STAGES), st)
    _validation(ws, "list", f"B{first}:B{last}", source=f"'{PROJECT_SHEET}'!$B${first_project}:$B${last_project}",
                what="事業名")
    _validation(ws, "list", f"C{first}:M{last}", choices=["済"], what="済んだ段階")

    # 6 barriers
    ws = wb.create_sheet(BARRIER_SHEET)
    _head(ws, TITLES[BARRIER_SHEET], INSTRUCTIONS[BARRIER_SHEET], BARRIER_COLUMNS, (6, 12, 16, 60, 24, 8, 48), st)
    for row, b in enumerate(barrier_index().itertuples(index=False), start=HEADER_ROW + 1):
        case = f"{b.prefecture}{b.municipality}（p.{b.case_page}）"
        _row(ws, row, (b.code, b.stage, b.category, b.symptom, case, "", ""), st, inputs=[6, 7])
    _validation(ws, "list", f"F{HEADER_ROW + 1}:F{ws.max_row}", choices=["●"], what="該当")

    if plan is not None:
        _fill(wb, plan)
    return wb


def _examples(ws, rows, st) -> int:
    for row, values in enumerate(rows, start=HEADER_ROW + 1):
        _row(ws, row, values, st, example=True)
    return HEADER_ROW + 1 + len(rows)


def _inputs(ws, first: int, count: int, width: int, st) -> int:
    for i in range(count):
        _row(ws, first + i, (i + 1, *([""] * (width - 1))), st, inputs=range(2, width + 1))
    return first + count - 1


def write_template(path: str | Path, plan: Plan | None = None) -> Path:
    """Save the template (blank, or with ``plan`` typed in) as a .xlsx file and return its path."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise KPIError(f"保存先 {path.name} の拡張子を .xlsx にしてください。")
    path.parent.mkdir(parents=True, exist_ok=True)
    build_template(plan).save(path)
    return path


def _first_input_row(ws) -> int:
    row = HEADER_ROW + 1
    while ws.cell(row, 1).value == EXAMPLE:
        row += 1
    return row


def _fill(wb, plan: Plan) -> None:
    """Type ``plan`` into the input cells, as a learner would in Excel."""
    ws = wb[CHAPTER_SHEET]
    ws["D6"], ws["D7"] = plan.municipality, plan.title
    if plan.period:
        ws["D8"], ws["D9"] = plan.period
    for number, text in plan.chapters.items():
        ws.cell(FIRST_CHAPTER_ROW + number - 1, 4, text)
    if plan.tree is not None:
        ws, row = wb[TREE_SHEET], _first_input_row(wb[TREE_SHEET])
        for labels, node in plan.tree.walk():
            if len(labels) > len(TREE_ROLES):
                raise KPIError(f"ロジックツリーが {len(TREE_ROLES)} 段より深いため、ひな形に書けません（「{node.label}」）。")
            ws.cell(row, 1 + len(labels), node.label)
            row += 1
    ws, row = wb[KPI_SHEET], _first_input_row(wb[KPI_SHEET])
    kinds = {"output": "アウトプット", "outcome_initial": "初期アウトカム", "outcome_intermediate": "中間アウトカム",
             "outcome_final": "最終アウトカム", "impact": "インパクト"}
    totals = {v: k for k, v in TOTALS.items()}
    for i in plan.indicators:
        values = (i.name, kinds.get(i.stage or "", ""), i.unit, i.baseline, i.baseline_year, i.target, i.target_year,
                  i.direction_ja, totals.get(i.accumulation or "", ""), i.data_source, i.frequency)
        for col, value in enumerate(values, start=2):
            ws.cell(row, col, _plain(value))
        row += 1
    ws, row = wb[PROJECT_SHEET], _first_input_row(wb[PROJECT_SHEET])
    check, check_row = wb[CHECK_SHEET], _first_input_row(wb[CHECK_SHEET])
    for p in plan.projects:
        values = (p.name, p.description, "、".join(p.issues), p.department, p.start_year, p.end_year, p.budget)
        for col, value in enumerate(values, start=2):
            ws.cell(row, col, _plain(value))
        row += 1
        if p.done:
            check.cell(check_row, 2, p.name)
            for stage in p.done:
                check.cell(check_row, 3 + STAGES.index(stage), "済")
            check_row += 1
    ws = wb[BARRIER_SHEET]
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        code = ws.cell(row, 1).value
        if code in plan.barriers:
            ws.cell(row, 6, "●")
            ws.cell(row, 7, plan.barriers[code] or None)


def _plain(value):
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ====================================================================== reading it back
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _shown(value) -> str:
    return f"（\"{_text(value)}\"）"


class _Reader:
    def __init__(self, wb) -> None:
        self.wb = wb
        self.problems: list[CellProblem] = []
        self.rows: dict[str, str] = {}
        self.project_names: set[str] = set()  # every name on the project sheet, read or not

    def bad(self, sheet: str, cell: str, message: str) -> None:
        self.problems.append(CellProblem(sheet, cell, message))

    def sheet(self, name: str, headers: Iterable[str] | None = None):
        """The sheet, or None (reported) when it is missing or its column headings were changed."""
        if name not in self.wb.sheetnames:
            self.bad(name, "", "シートがありません。ひな形のシート名を変えたり消したりしないでください"
                               "（ひな形からもう一度写すこともできます）。")
            return None
        ws = self.wb[name]
        for col, expected in enumerate(headers or (), start=1):
            found = _text(ws.cell(HEADER_ROW, col).value)
            if found != expected:
                letter = ws.cell(HEADER_ROW, col).column_letter
                self.bad(name, f"{letter}{HEADER_ROW}", f"見出しが「{expected}」ではありません{_shown(found)}。"
                         "列を入れかえたり消したりしないで、ひな形の並びのまま記入してください。このシートは読み込みませんでした。")
                return None
        return ws

    def number(self, ws, row: int, col: int, what: str, example: str) -> float | None:
        cell = ws.cell(row, col)
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            self.bad(ws.title, cell.coordinate, f"{what}が数値ではありません{_shown(value)}。数字だけを入れてください（例: {example}）。")
            return None
        if isinstance(value, (int, float)):
            if math.isfinite(value):
                return float(value)
        else:
            text = unicodedata.normalize("NFKC", value).replace(",", "").strip()
            try:
                number = float(text)
                if math.isfinite(number):
                    return number
            except ValueError:
                pass
        self.bad(ws.title, cell.coordinate, f"{what}が数値ではありません{_shown(value)}。"
                 f"数字だけを入れてください（例: {example}）。単位や「約」「%」は入れません。")
        return None

    def year(self, ws, row: int, col: int, what: str) -> int | None:
        cell = ws.cell(row, col)
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = unicodedata.normalize("NFKC", _text(value)).removesuffix("年度").removesuffix("年")
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and number.is_integer() and 1990 <= number <= 2100):
            self.bad(ws.title, cell.coordinate, f"{what}が西暦の年度になっていません{_shown(value)}。"
                     "西暦の4桁の数字で入れてください（例: 2028）。令和などの和暦は使えません。")
            return None
        return int(number)

    def choice(self, ws, row: int, col: int, what: str, choices: Iterable[str]) -> str | None:
        cell = ws.cell(row, col)
        text = unicodedata.normalize("NFKC", _text(cell.value))
        if not text:
            return None
        choices = {unicodedata.normalize("NFKC", c): c for c in choices}
        if text not in choices:
            self.bad(ws.title, cell.coordinate, f"{what}{_shown(cell.value)}は選べる値ではありません。"
                     f"▼ の一覧から選んでください（{'・'.join(choices.values())}）。")
            return None
        return choices[text]


def _rows(ws, width: int):
    """(row number, values) of the rows below the headings that are not examples and not empty."""
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        values = [ws.cell(row, col).value for col in range(1, width + 1)]
        if _text(values[0]) == EXAMPLE:
            continue
        if any(_text(v) for v in values[1:]):
            yield row, values


def read_template(path: str | Path) -> TemplateReading:
    """Read a filled template into a :class:`Plan`, listing every cell it could not use.

    Nothing is thrown away silently: a cell that cannot be read is reported (sheet and cell),
    and everything else is kept in ``reading.plan`` (None only when 団体名 is missing or the
    file cannot be opened).
    """
    from openpyxl import load_workbook

    path = Path(path)
    name = path.name
    if not path.exists():
        here = sorted(p.name for p in path.parent.glob("*.xlsx")) if path.parent.is_dir() else []
        found = f"このフォルダにある .xlsx: {'、'.join(here)}。" if here else "このフォルダに .xlsx のファイルがありません。"
        problem = CellProblem(name, "", f"ファイルが見つかりません。記入したブックをノートブックと同じフォルダにアップロードし、"
                                        f"その名前を入れてください。{found}")
        return TemplateReading(path, None, [problem])
    if path.suffix.lower() != ".xlsx":
        problem = CellProblem(name, "", "Excel ブック（.xlsx）ではありません。Excel の「名前を付けて保存」で、"
                                        "ファイルの種類を「Excel ブック（*.xlsx）」にして保存し直してください。")
        return TemplateReading(path, None, [problem])
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # a damaged or foreign file: say so, in Japanese
        problem = CellProblem(name, "", f"Excel ブックとして開けません（{type(exc).__name__}）。"
                                        "Excel で開けるか確かめ、「Excel ブック（*.xlsx）」で保存し直してください。")
        return TemplateReading(path, None, [problem])
    r = _Reader(wb)
    plan = _read_chapters(r)
    tree = _read_tree(r)
    indicators = _read_kpis(r)
    projects = _read_projects(r)
    done = _read_checklist(r, r.project_names - {""})
    barriers = _read_barriers(r)
    if plan is not None:
        plan.entry_points = {
            "period": f"シート『{CHAPTER_SHEET}』の開始年度・終了年度（D8・D9）に",
            "tree": f"シート『{TREE_SHEET}』に",
            "indicators": f"シート『{KPI_SHEET}』に",
            "projects": f"シート『{PROJECT_SHEET}』に",
            "issues": f"シート『{PROJECT_SHEET}』の「対応する課題」に",
        }
        if tree is not None:
            plan.set_tree(tree)
        for indicator in indicators:
            plan.add_indicator(indicator)
        for p in projects:
            plan.add_project(**p, done=[])
            for stage in done.get(p["name"], ()):
                plan.mark_done(p["name"], stage)
        plan.diagnose(barriers)
    return TemplateReading(path, plan, r.problems, r.rows)


def load_plan(path: str | Path) -> Plan:
    """The plan of a filled template; raises :class:`PlanTemplateError` listing every problem."""
    reading = read_template(path)
    if reading.problems:
        raise PlanTemplateError(reading.problems, reading.plan)
    return reading.plan


def _read_chapters(r: _Reader) -> Plan | None:
    ws = r.sheet(CHAPTER_SHEET)
    if ws is None:
        return None
    municipality = _text(ws["D6"].value)
    title = _text(ws["D7"].value) or None
    start, end = r.year(ws, 8, 4, "開始年度"), r.year(ws, 9, 4, "終了年度")
    period = None
    if start is not None and end is not None:
        if start > end:
            r.bad(CHAPTER_SHEET, "D9", f"終了年度 {end} が開始年度 {start} より前です。年度を見直してください。")
        else:
            period = (start, end)
    if not municipality:
        r.bad(CHAPTER_SHEET, "D6", "団体名がありません。市町村名（架空の町でも構いません）を入れてください。")
        return None
    plan = Plan(municipality, period=period, title=title)
    for number in range(1, len(CHAPTERS) + 1):
        text = ws.cell(FIRST_CHAPTER_ROW + number - 1, 4).value
        if _text(text):
            plan.write(number, str(text).replace("\r\n", "\n"))
    return plan


def _read_tree(r: _Reader):
    from chiiki_iot.logic import LogicTree
    from chiiki_iot.logic.tree import Node

    ws = r.sheet(TREE_SHEET, ("No.", *TREE_ROLES))
    if ws is None:
        return None
    root, stack, ok = None, [], True  # stack[i] = the last node of level i
    for row, values in _rows(ws, 1 + len(TREE_ROLES)):
        cells = [_text(v) for v in values[1:]]
        filled = [i for i, c in enumerate(cells) if c]
        start, stop = filled[0], filled[-1]
        letter = ws.cell(row, 2 + start).column_letter
        gaps = [i for i in range(start, stop + 1) if not cells[i]]
        if gaps:
            r.bad(TREE_SHEET, f"{ws.cell(row, 2 + gaps[0]).column_letter}{row}",
                  f"同じ行の箱の間に空いたセルがあります（{TREE_ROLES[gaps[0]]}の列）。左から詰めて、1つずつ右の列に書いてください。")
            ok = False
            continue
        if start == 0 and root is not None:
            r.bad(TREE_SHEET, f"{letter}{row}", f"将来像が2つあります{_shown(cells[0])}。いちばん上の将来像は1つにし、"
                  "ほかは問題や課題として、その下（右の列）に書いてください。")
            ok = False
            continue
        if start > len(stack):
            above = TREE_ROLES[start - 1]
            r.bad(TREE_SHEET, f"{letter}{row}", f"「{cells[start]}」の親（{above}）がありません。"
                  f"この行より上に、{above}の列に親の箱を書いてください。")
            ok = False
            continue
        del stack[start:]
        for level in range(start, stop + 1):
            node = Node(cells[level], role=TREE_ROLES[level])
            if level == 0:
                root = node
            else:
                stack[level - 1].add(node)
            stack.append(node)
    if root is None or not ok:
        return None
    return LogicTree(root, kind="plan")


def _read_kpis(r: _Reader) -> list[Indicator]:
    ws = r.sheet(KPI_SHEET, KPI_COLUMNS)
    if ws is None:
        return []
    kinds = {"アウトプット": "output", "初期アウトカム": "outcome_initial", "中間アウトカム": "outcome_intermediate",
             "最終アウトカム": "outcome_final", "インパクト": "impact"}
    out, seen = [], {}
    for row, values in _rows(ws, len(KPI_COLUMNS)):
        before = len(r.problems)
        name = _text(values[1])
        if not name:
            r.bad(KPI_SHEET, f"B{row}", "指標名がありません。何を測る指標かを書いてください（この行のほかのセルは書かれています）。")
        elif name in seen:
            r.bad(KPI_SHEET, f"B{row}", f"指標名「{name}」が {seen[name]} 行目と重なっています。別の名前にするか、1行にまとめてください。")
        kind = r.choice(ws, row, 3, "区分", KPI_KINDS)
        unit = _text(values[3])
        baseline = r.number(ws, row, 5, "基準値", "3050")
        baseline_year = r.year(ws, row, 6, "基準年度")
        target = r.number(ws, row, 7, "目標値", "2300")
        target_year = r.year(ws, row, 8, "目標年度")
        if target is None and _text(values[6]) == "":
            r.bad(KPI_SHEET, f"G{row}", "目標値がありません。目指す値を数字で入れてください（例: 2300）。")
        way = r.choice(ws, row, 9, "良い方向", GOOD_WAYS)
        if way is None and not _text(values[8]):
            r.bad(KPI_SHEET, f"I{row}", "良い方向がありません。▼ から「高いほど良い」か「低いほど良い」を選んでください。")
        total = r.choice(ws, row, 10, "集計", TOTALS)
        if len(r.problems) > before or not name:
            continue
        seen[name] = row
        try:
            indicator = Indicator(name=name, unit=unit, target=target, direction=way, target_year=target_year,
                                  baseline=baseline, baseline_year=baseline_year, accumulation=TOTALS.get(total or ""),
                                  stage=kinds.get(kind or ""), data_source=_text(values[10]), frequency=_text(values[11]))
        except KPIError as exc:
            r.bad(KPI_SHEET, f"B{row}:L{row}", f"{row} 行目: {exc}")
            continue
        out.append(indicator)
        r.rows[name] = f"シート『{KPI_SHEET}』の {row} 行目"
    return out


def _read_projects(r: _Reader) -> list[dict]:
    ws = r.sheet(PROJECT_SHEET, PROJECT_COLUMNS)
    if ws is None:
        return []
    out, seen = [], {}
    for row, values in _rows(ws, len(PROJECT_COLUMNS)):
        before = len(r.problems)
        name = _text(values[1])
        r.project_names.add(name)
        if not name:
            r.bad(PROJECT_SHEET, f"B{row}", "事業名がありません。事業の名前を書いてください（この行のほかのセルは書かれています）。")
        elif name in seen:
            r.bad(PROJECT_SHEET, f"B{row}", f"事業名「{name}」が {seen[name]} 行目と重なっています。別の名前にするか、1行にまとめてください。")
        issues = [i.strip() for i in _text(values[3]).replace("\n", "、").replace(",", "、").split("、") if i.strip()]
        start, end = r.year(ws, row, 6, "開始年度"), r.year(ws, row, 7, "終了年度")
        if start is not None and end is not None and start > end:
            r.bad(PROJECT_SHEET, f"G{row}", f"終了年度 {end} が開始年度 {start} より前です。年度を見直してください。")
        budget = r.number(ws, row, 8, "事業費（千円）", "4200")
        if len(r.problems) > before or not name:
            continue
        seen[name] = row
        out.append({"name": name, "description": _text(values[2]), "issues": issues, "department": _text(values[4]),
                    "start_year": start, "end_year": end, "budget": budget})
        r.rows[name] = f"シート『{PROJECT_SHEET}』の {row} 行目"
    return out


def _read_checklist(r: _Reader, projects: set[str]) -> dict[str, list[str]]:
    ws = r.sheet(CHECK_SHEET, ("No.", "事業名", *(f"{i} {s}" for i, s in enumerate(STAGES, start=1))))
    if ws is None:
        return {}
    done: dict[str, list[str]] = {}
    rows: dict[str, int] = {}
    for row, values in _rows(ws, 2 + len(STAGES)):
        name = _text(values[1])
        stages = []
        for i, stage in enumerate(STAGES):
            mark = unicodedata.normalize("NFKC", _text(values[2 + i]))
            if mark in {unicodedata.normalize("NFKC", m) for m in DONE_MARKS}:
                stages.append(stage)
            elif mark:
                r.bad(CHECK_SHEET, f"{ws.cell(row, 3 + i).column_letter}{row}", f"「{stage}」の印{_shown(values[2 + i])}が読めません。"
                      "済んだ段階は ▼ から「済」を選び、済んでいない段階は空けておいてください。")
        if not name:
            r.bad(CHECK_SHEET, f"B{row}", "事業名がありません。▼ から、シート『4_事業』に書いた事業を選んでください。")
        elif name not in projects:
            known = "、".join(sorted(projects)) or "（まだありません）"
            r.bad(CHECK_SHEET, f"B{row}", f"事業「{name}」がシート『{PROJECT_SHEET}』にありません。"
                  f"▼ から選ぶか、名前をそろえてください（今ある事業: {known}）。")
        elif name in rows:
            r.bad(CHECK_SHEET, f"B{row}", f"事業「{name}」が {rows[name]} 行目にもあります。1つの事業は1行にまとめてください。")
        else:
            rows[name] = row
            done[name] = stages
    return done


def _read_barriers(r: _Reader) -> dict[str, str]:
    ws = r.sheet(BARRIER_SHEET, BARRIER_COLUMNS)
    if ws is None:
        return {}
    codes = set(barrier_index()["code"])
    marks = {unicodedata.normalize("NFKC", m) for m in APPLIES_MARKS}
    out = {}
    for row, values in _rows(ws, len(BARRIER_COLUMNS)):
        code, mark, note = _text(values[0]), unicodedata.normalize("NFKC", _text(values[5])), _text(values[6])
        if not mark and not note:
            continue
        if code not in codes:
            r.bad(BARRIER_SHEET, f"A{row}", f"記号{_shown(code)}が壁の29項目にありません。A列の記号は変えないでください。")
            continue
        if mark and mark not in marks:
            r.bad(BARRIER_SHEET, f"F{row}", f"「該当」の印{_shown(values[5])}が読めません。当てはまる壁は ▼ から「●」を選んでください。")
        elif not mark:
            r.bad(BARRIER_SHEET, f"F{row}", f"{code} の「自分たちの状況」が書かれていますが、「該当」に印がありません。"
                  "当てはまるなら ▼ から「●」を選び、当てはまらないなら状況の文を消してください。")
        else:
            out[code] = note
    return out


if __name__ == "__main__":  # python -m chiiki_iot.kpi.template <path>: (re)make the shipped template
    if len(sys.argv) != 2:
        sys.exit("使い方: python -m chiiki_iot.kpi.template <保存先.xlsx>")
    print(write_template(sys.argv[1]))
