"""The Excel planning template of the capstone (logical_thinking/08): the shipped file, reading it back,
and grading the capstone from a filled template.

Templates are filled here with openpyxl, cell by cell, the way a member of staff fills them in Excel.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from docx import Document
from openpyxl import load_workbook

from chiiki_iot.kpi import Indicator, Plan
from chiiki_iot.kpi.plan import CHAPTERS, STAGES, barrier_index
from chiiki_iot.kpi.template import (
    SHEETS,
    PlanTemplateError,
    load_plan,
    read_template,
    write_template,
)
from chiiki_iot.logic import LogicTree

REPO = Path(__file__).resolve().parents[1]
MODULE = REPO / "courses" / "logical_thinking" / "08_keikaku_wo_kaku"
SHIPPED = MODULE / "data" / "keikaku_hinagata.xlsx"
YELLOW = "00FFF2CC"

# A good plan, typed into the yellow cells (架空のにしの町).
SOLUTION = {
    "1_計画と章": {
        "D6": "にしの町", "D8": 2026, "D9": 2028,
        "D10": "にしの町地域IoT実装計画は、河川の氾濫から住民を守るための計画です。第5次にしの町総合計画の「安心して住み続けられるまち」を具体化します。",
        "D11": "人口 12,400人（2025年4月1日）、高齢化率 38.2%、面積 96.1 km²。町の中心を2本の川が流れ、過去10年に3回の浸水被害がありました。",
        "D12": "2030年度までに、大雨のときに避難が必要な住民の全員が、水位を見て早めに避難できる町にします。",
        "D13": "問題: 避難の呼びかけが遅れ、2023年の大雨では避難率が2割でした。\n課題: 支流の水位が分からない。呼びかけの基準が決まっていない。",
        "D14": "施策1 水位の見える化: 支流に水位計を置く（ICT/IoT）。\n施策2 避難の基準づくり: 水位に応じた呼びかけの基準を決める（規制・制度）。",
        "D15": "事業1 支流の水位監視: 2026年度に5か所へ水位計を置き、危機管理課が所管する。財源は緊急防災・減災事業債の活用を財政課と協議する。",
        "D16": "KPI は避難率と水位計の数。防災会議を年2回開き、毎年度末に数字を見て、翌年度の予算要求の前に見直します。",
    },
    "2_ロジックツリー": {
        "B9": "2030年度までに全員が早めに避難できる町",
        "C10": "避難の呼びかけが遅れる", "D10": "支流の水位が分からない", "E10": "支流に水位計を置く",
        "E11": "消防団が見回る",
        "D12": "呼びかけの基準がない", "E12": "水位に応じた呼びかけの基準を決める",
    },
    "3_KPI": {
        "B6": "大雨時の避難率", "C6": "最終アウトカム", "D6": "%", "E6": 20, "F6": 2023, "G6": 60, "H6": 2028,
        "I6": "高いほど良い", "J6": "時点の値", "K6": "危機管理課の避難所集計", "L6": "大雨のたび",
        "B7": "水位計の設置数", "C7": "アウトプット", "D7": "か所", "E7": 0, "F7": 2025, "G7": 5, "H7": 2026,
        "I7": "高いほど良い", "J7": "累計",
    },
    "4_事業": {
        "B6": "支流の水位監視", "C6": "支流5か所に水位計を置く", "D6": "支流の水位が分からない、呼びかけの基準がない",
        "E6": "危機管理課", "F6": 2026, "G6": 2028, "H6": 6500,
    },
    "5_進捗チェック": {"B6": "支流の水位監視", "C6": "済", "D6": "済", "E6": "済"},
    "6_壁の自己診断": {"F20": "●", "G20": "危機管理課と情報政策課だけで話していて、消防団の声が入っていない"},
}


def fill(path: Path, cells: dict[str, dict[str, object]]) -> Path:
    """Type ``cells`` into a copy of the shipped template and save it, as a learner does in Excel."""
    wb = load_workbook(SHIPPED)
    for sheet, values in cells.items():
        for address, value in values.items():
            wb[sheet][address] = value
    wb.save(path)
    return path


def fingerprint(path: Path) -> dict:
    """What a reader of the workbook sees: values, fills, bold, merged cells, drop-downs, frozen panes."""
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        cells = {c.coordinate: (c.value, c.fill.fgColor.rgb if c.fill.fill_type else None, bool(c.font.bold))
                 for row in ws.iter_rows() for c in row if c.value is not None or c.fill.fill_type}
        validations = sorted((dv.type, dv.formula1, dv.formula2, str(dv.sqref), dv.error)
                             for dv in ws.data_validations.dataValidation)
        out[ws.title] = (cells, validations, sorted(map(str, ws.merged_cells.ranges)), ws.freeze_panes)
    return out


# ---------------------------------------------------------------------- the shipped template
def test_the_shipped_template_is_what_the_toolkit_makes(tmp_path):
    fresh = write_template(tmp_path / "fresh.xlsx")
    assert fingerprint(SHIPPED) == fingerprint(fresh), (
        "data/keikaku_hinagata.xlsx is stale: python -m chiiki_iot.kpi.template "
        "courses/logical_thinking/08_keikaku_wo_kaku/data/keikaku_hinagata.xlsx")


def test_the_template_has_a_sheet_per_part_with_instructions_inputs_examples_and_drop_downs():
    wb = load_workbook(SHIPPED)
    assert tuple(wb.sheetnames) == SHEETS
    for ws in wb.worksheets[1:]:
        assert re.search(r"[ぁ-ん]", ws["A2"].value) and "黄色のセル" in ws["A3"].value, ws.title
        assert any(c.fill.fgColor.rgb == YELLOW for row in ws.iter_rows() for c in row), f"{ws.title}: no input cells"
    chapters = wb["1_計画と章"]
    assert [chapters[f"B{r}"].value.split("．", 1)[1] for r in range(10, 17)] == [
        h.format(municipality="（団体名）") for h in CHAPTERS]
    for name in ("2_ロジックツリー", "3_KPI", "4_事業", "5_進捗チェック"):
        assert wb[name]["A5"].value == "例" and wb[name]["A5"].fill.fgColor.rgb != YELLOW, name
    assert [c.value.split(" ", 1)[1] for c in wb["5_進捗チェック"][4][2:]] == list(STAGES)
    barriers = wb["6_壁の自己診断"]
    assert [barriers[f"A{r}"].value for r in range(5, 5 + 29)] == list(barrier_index()["code"])

    def lists(sheet):
        return {str(dv.sqref): dv.formula1 for dv in wb[sheet].data_validations.dataValidation if dv.type == "list"}
    kpi = lists("3_KPI")
    assert "アウトプット" in kpi["C6:C15"] and "最終アウトカム" in kpi["C6:C15"] and "低いほど良い" in kpi["I6:I15"]
    assert lists("5_進捗チェック") == {"B6:B13": "'4_事業'!$B$6:$B$13", "C6:M13": '"済"'}
    assert lists("6_壁の自己診断") == {"F5:F33": '"●"'}


# ---------------------------------------------------------------------- reading it back
def test_a_filled_template_becomes_the_plan_and_its_word_document(tmp_path):
    reading = read_template(fill(tmp_path / "my_keikaku.xlsx", SOLUTION))
    assert reading.ok, str(reading)
    plan = reading.plan
    assert (plan.municipality, plan.title, plan.period) == ("にしの町", "にしの町地域IoT実装計画", (2026, 2028))
    assert plan.chapters[4].splitlines()[1] == "課題: 支流の水位が分からない。呼びかけの基準が決まっていない。"
    rate, gauges = plan.indicators  # the grey 例 row (農作物被害額) is not read
    assert rate == Indicator(name="大雨時の避難率", unit="%", baseline=20, baseline_year=2023, target=60, target_year=2028,
                             direction="increase", accumulation="level", stage="outcome_final",
                             data_source="危機管理課の避難所集計", frequency="大雨のたび")
    assert (gauges.stage, gauges.accumulation, gauges.target) == ("output", "cumulative", 5)
    [project] = plan.projects
    assert (project.issues, project.department, project.start_year, project.end_year, project.budget) == (
        ["支流の水位が分からない", "呼びかけの基準がない"], "危機管理課", 2026, 2028, 6500)
    assert project.done == list(STAGES[:3])
    assert plan.barriers == {"B⑦": "危機管理課と情報政策課だけで話していて、消防団の声が入っていない"}
    assert plan.tree.depth == 4 and [n.label for n in plan.tree.root.children[0].children[0].children] == [
        "支流に水位計を置く", "消防団が見回る"]
    assert plan.check().ok, str(plan.check())
    document = Document(plan.to_docx(tmp_path / "my_plan.docx"))
    texts = [p.text for p in document.paragraphs]
    assert "5．将来像の実現に向け取り組む施策" in texts and "・【解決策】消防団が見回る" in "\n".join(texts).replace("　", "")
    project_table = next(t for t in document.tables if t.rows[0].cells[0].text == "事業")
    header = [c.text for c in project_table.rows[0].cells]
    assert [project_table.rows[1].cells[header.index(k)].text for k in ("所管課", "実施年度", "事業費（千円）")] == [
        "危機管理課", "2026〜2028年度", "6,500"]


def test_every_unusable_cell_is_reported_at_once_by_sheet_and_cell_and_the_rest_is_kept(tmp_path):
    bad = {sheet: dict(cells) for sheet, cells in SOLUTION.items()}
    bad["1_計画と章"]["D9"] = "令和10年度"
    bad["2_ロジックツリー"].update({"B14": "2つ目の将来像", "C15": "問題", "E15": "解決策"})
    bad["3_KPI"].update({"G6": "約30%", "C7": "成果", "F7": "R7"})
    bad["3_KPI"].update({"B8": "防災メールの登録者数", "D8": "人", "E8": "1,200", "F8": 2025, "G8": "２０００", "H8": 2028,
                         "I8": "高いほど良い"})
    bad["4_事業"].update({"B7": "防災無線のデジタル化", "H7": "未定"})
    bad["5_進捗チェック"].update({"B7": "水位監視", "F6": "×"})
    bad["6_壁の自己診断"].update({"G21": "財政課にまだ相談していない"})
    reading = read_template(fill(tmp_path / "my_keikaku.xlsx", bad))
    assert [str(p) for p in reading.problems] == [
        "シート『1_計画と章』のセル D9: 終了年度が西暦の年度になっていません（\"令和10年度\"）。西暦の4桁の数字で入れてください（例: 2028）。令和などの和暦は使えません。",
        "シート『2_ロジックツリー』のセル B14: 将来像が2つあります（\"2つ目の将来像\"）。いちばん上の将来像は1つにし、ほかは問題や課題として、その下（右の列）に書いてください。",
        "シート『2_ロジックツリー』のセル D15: 同じ行の箱の間に空いたセルがあります（課題の列）。左から詰めて、1つずつ右の列に書いてください。",
        "シート『3_KPI』のセル G6: 目標値が数値ではありません（\"約30%\"）。数字だけを入れてください（例: 2300）。単位や「約」「%」は入れません。",
        "シート『3_KPI』のセル C7: 区分（\"成果\"）は選べる値ではありません。▼ の一覧から選んでください（アウトプット・初期アウトカム・中間アウトカム・最終アウトカム・インパクト）。",
        "シート『3_KPI』のセル F7: 基準年度が西暦の年度になっていません（\"R7\"）。西暦の4桁の数字で入れてください（例: 2028）。令和などの和暦は使えません。",
        "シート『4_事業』のセル H7: 事業費（千円）が数値ではありません（\"未定\"）。数字だけを入れてください（例: 4200）。単位や「約」「%」は入れません。",
        "シート『5_進捗チェック』のセル F6: 「推進体制・ビジネスモデルの想定」の印（\"×\"）が読めません。済んだ段階は ▼ から「済」を選び、済んでいない段階は空けておいてください。",
        "シート『5_進捗チェック』のセル B7: 事業「水位監視」がシート『4_事業』にありません。▼ から選ぶか、名前をそろえてください（今ある事業: 支流の水位監視、防災無線のデジタル化）。",
        "シート『6_壁の自己診断』のセル F21: B⑧ の「自分たちの状況」が書かれていますが、「該当」に印がありません。当てはまるなら ▼ から「●」を選び、当てはまらないなら状況の文を消してください。",
    ]
    plan = reading.plan  # what could be read is kept
    assert plan.period is None and len(plan.chapters) == 7 and plan.tree is None
    assert [(i.name, i.baseline, i.target) for i in plan.indicators] == [("防災メールの登録者数", 1200, 2000)]
    assert [p.name for p in plan.projects] == ["支流の水位監視"] and plan.barriers == SOLUTION_BARRIER
    with pytest.raises(PlanTemplateError) as raised:
        Plan.from_template(tmp_path / "my_keikaku.xlsx")
    assert raised.value.problems == reading.problems
    assert str(raised.value).startswith("記入したブックに、直すところが 10 か所あります。\n・シート『1_計画と章』のセル D9:")


SOLUTION_BARRIER = {"B⑦": SOLUTION["6_壁の自己診断"]["G20"]}


def test_a_kpi_that_contradicts_itself_is_reported_with_its_row(tmp_path):
    cells = {"1_計画と章": {"D6": "にしの町"},
             "3_KPI": {"B6": "避難率", "D6": "%", "E6": 20, "F6": 2028, "G6": 60, "H6": 2026, "I6": "高いほど良い"}}
    reading = read_template(fill(tmp_path / "k.xlsx", cells))
    assert [str(p) for p in reading.problems] == [
        "シート『3_KPI』のセル B6:L6: 6 行目: 「避難率」の目標年 2026 が基準年 2028 より後になっていません。目標年は基準年より後の年にしてください。"]
    assert str(reading.plan.check()).count("シート『3_KPI』に入れてください") == 1


def test_a_blank_or_missing_or_foreign_file_says_what_to_do(tmp_path):
    blank = read_template(SHIPPED)
    assert blank.plan is None and [str(p) for p in blank.problems] == [
        "シート『1_計画と章』のセル D6: 団体名がありません。市町村名（架空の町でも構いません）を入れてください。"]
    (tmp_path / "keikaku (1).xlsx").write_bytes(SHIPPED.read_bytes())
    missing = read_template(tmp_path / "my_keikaku.xlsx")
    assert "ファイルが見つかりません" in str(missing) and "このフォルダにある .xlsx: keikaku (1).xlsx" in str(missing)
    (tmp_path / "my_keikaku.csv").write_text("団体名,にしの町\n", encoding="utf-8")
    assert "「Excel ブック（*.xlsx）」にして保存し直してください" in str(read_template(tmp_path / "my_keikaku.csv"))
    wb = load_workbook(fill(tmp_path / "moved.xlsx", SOLUTION))
    wb["3_KPI"]["C4"], wb["4_事業"].title = "単位", "事業一覧"
    wb.save(tmp_path / "moved.xlsx")
    assert [str(p) for p in read_template(tmp_path / "moved.xlsx").problems][:2] == [
        "シート『3_KPI』のセル C4: 見出しが「区分」ではありません（\"単位\"）。列を入れかえたり消したりしないで、ひな形の並びのまま記入してください。このシートは読み込みませんでした。",
        "シート『4_事業』: シートがありません。ひな形のシート名を変えたり消したりしないでください（ひな形からもう一度写すこともできます）。",
    ]
    with pytest.raises(PlanTemplateError):
        load_plan(SHIPPED)


def test_a_plan_written_in_python_goes_into_the_template_and_back(tmp_path):
    plan = Plan("みなと町", period=(2026, 2028))
    for number in range(1, 8):
        plan.write(number, f"第{number}章の本文です。\n2行目もあります。")
    plan.add_indicator(Indicator(name="農作物被害額", unit="万円", baseline=3050, baseline_year=2024, target=2300,
                                 target_year=2028, direction="decrease", accumulation="annual", stage="最終"))
    plan.add_project("スマートわな実証", issues=["見回りの負担"], done=[1, 2], department="農林課", budget=4200.5)
    plan.set_tree(LogicTree.from_text("将来像\n  問題\n    課題\n      解決策A\n      解決策B", kind="plan"))
    plan.diagnose({"C①": "財政課とまだ話していない"})
    back = load_plan(plan.to_template(tmp_path / "minato.xlsx"))
    assert (back.chapters, back.indicators, back.barriers, back.period) == (
        plan.chapters, plan.indicators, plan.barriers, plan.period)
    assert back.projects[0] == plan.projects[0]
    assert [(labels, n.role) for labels, n in back.tree.walk()][-1] == (("将来像", "問題", "課題", "解決策B"), "解決策")


# ---------------------------------------------------------------------- grading the capstone from the file
def _graded_cells():
    """The capstone's setup cell, its answer cell as released, and its 演習 3 test cells (with hidden tests)."""
    nb = nbformat.read(MODULE / "08_keikaku_wo_kaku.ipynb", as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    answer = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION\n", "", by_id["q3_shou"].source, flags=re.S)
    tests = [(gid, c.metadata["nbgrader"]["points"], c.source) for gid, c in by_id.items()
             if gid and gid.startswith(("q3_shou_test", "q3_kpi_test"))]
    return by_id["setup"].source, answer, tests


def grade(folder: Path, answer: str | None = None) -> tuple[float, float, list[str]]:
    """Run the answer cell and the 演習 3 test cells in ``folder`` as nbgrader does: a test cell that
    runs without error earns its points, otherwise its message is what the learner sees."""
    setup, released_answer, tests = _graded_cells()
    shutil.copytree(MODULE / "data", folder / "data", dirs_exist_ok=True)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        namespace: dict = {}
        exec(setup, namespace)
        exec(answer or released_answer, namespace)
        score, messages = 0.0, []
        for _, points, source in tests:
            try:
                exec(source, namespace)
                score += points
            except Exception as exc:  # noqa: BLE001 - what nbgrader records as a failed test cell
                messages.append(str(exc))
    finally:
        os.chdir(cwd)
    return score, sum(p for _, p, _ in tests), messages


def test_grading_a_filled_template_gives_the_solution_full_marks(tmp_path):
    fill(tmp_path / "my_keikaku.xlsx", SOLUTION)
    score, total, messages = grade(tmp_path)
    assert (score, total) == (7, 7), messages
    assert (tmp_path / "output" / "my_plan.docx").exists()


@pytest.mark.parametrize("upload", ["unfilled template", "no file"])
def test_grading_a_blank_template_or_no_file_gives_zero(tmp_path, upload):
    if upload == "unfilled template":
        shutil.copy(SHIPPED, tmp_path / "my_keikaku.xlsx")
    score, total, messages = grade(tmp_path)
    assert score == 0 and len(messages) == 4, messages
    assert all("計画を読み込めていません" in m for m in messages), messages


def test_grading_the_typical_wrong_fill_gives_partial_marks_with_japanese_hints(tmp_path):
    spec = yaml.safe_load((MODULE / "typical_wrong_answer.yml").read_text(encoding="utf-8"))
    score, total, messages = grade(tmp_path, spec["answers"]["q3_shou"])  # fills the template with openpyxl
    assert 0 < score < total, messages
    seen = "\n".join(messages)
    for hint in ("地域IoT実装計画にて取り組む事業 が短すぎます", "「観光消費額」に基準年度がありません（シート『3_KPI』の 6 行目）",
                 "シート『5_進捗チェック』のセル B6: 事業「来訪者調査」がシート『4_事業』にありません"):
        assert hint in seen and hint in spec["feedback"], seen
