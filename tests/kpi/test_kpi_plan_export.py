"""The plan object: 7 chapters, checklist, barriers, checks; Word and Excel exports read back."""
import pytest
from docx import Document
from openpyxl import load_workbook

from chiiki_iot.kpi import CostModel, KPIError, Plan, casebook_indicators
from chiiki_iot.kpi.export import SHEETS
from chiiki_iot.kpi.plan import STAGES
from chiiki_iot.logic import casebook_tree


def uki_plan():
    plan = Plan("宇城市", period=(2019, 2021))
    plan.write(1, "第2次宇城市総合計画に定める将来都市像について具体的な施策を定める。")
    plan.write(2, "人口59,388人（2019年1月末）、高齢化率32.9％、面積188.6km²。")
    plan.write("地域IoT実装により目指す将来像", "農業担い手の負担軽減とブランド作物の保護。")
    plan.write(4, "イノシシ被害の抜本的解決には一貫した対策が必要。")
    plan.write(5, "有害鳥獣捕獲支援システム（仮称）を構築する。")
    plan.write(6, "センサーで出没・捕獲を検知し、捕獲者へメールで通知する。")
    plan.write(7, "推進会議で毎年度KPIを確認する。")
    plan.set_tree(casebook_tree("宇城市_鳥獣害"))
    for indicator in casebook_indicators("宇城市")[3:]:
        plan.add_indicator(indicator)
    plan.add_project("有害鳥獣捕獲支援システム（仮称）", "センサーとメール通知、GISで一元管理",
                     issues=["捕獲作業の効率化"], cost=CostModel(initial_cost=13583, annual_benefit=2703, years=10, unit="千円"),
                     done=STAGES[:6])
    plan.add_project("災害情報共有提供システム（仮称）", issues=["情報の共有化"], done=[1, 2, 3])
    plan.diagnose({"A⑥": "知見やノウハウがない", "B⑧": "", "C②": "予算が保証されると誤解"})
    return plan


def test_headings_follow_the_casebook_template():
    plan = Plan("信濃町")
    assert plan.headings() == [
        "1．地域IoT実装計画の策定", "2．信濃町の地域特性", "3．地域IoT実装により目指す将来像",
        "4．将来像の実現に向け解くべき問題・課題", "5．将来像の実現に向け取り組む施策",
        "6．地域IoT実装計画にて取り組む事業", "7．成果の評価指標及びPDCAの体制"]
    assert plan.title == "信濃町地域IoT実装計画"


def test_checklist_and_barriers():
    plan = uki_plan()
    checklist = plan.checklist()
    assert checklist.columns.tolist() == [*STAGES, "進捗率", "次の段階"]
    row = checklist.loc["有害鳥獣捕獲支援システム（仮称）"]
    assert row["進捗率"] == pytest.approx(6 / 11, abs=0.01) and row["次の段階"] == "関係主体との実質的協議"
    assert checklist.loc["災害情報共有提供システム（仮称）", "次の段階"] == "推進体制・ビジネスモデルの想定"
    table = plan.barrier_table()
    assert len(table) == 29 and (table["該当"] == "●").sum() == 3
    a6 = table.set_index("記号").loc["A⑥"]
    assert a6["自分たちの状況"] == "知見やノウハウがない" and a6["参考になる事例"] == "熊本県宇城市（p.33）"
    with pytest.raises(KPIError, match="D① は壁の索引にありません"):
        plan.diagnose(["D①"])
    with pytest.raises(KPIError, match="段階「予算要求」はチェックリストにありません"):
        plan.mark_done("災害情報共有提供システム（仮称）", "予算要求")


def test_check_reports_what_is_missing():
    plan = Plan("みなと町")
    plan.add_indicator(casebook_indicators("安来市")[0])  # no baseline
    plan.add_project("スマートわな", done=["将来像の設定", "財源の想定"])
    text = str(plan.check())
    assert "1．地域IoT実装計画の策定 がまだ書かれていません" in text
    assert "対象期間がありません" in text and "ロジックツリーがありません" in text
    assert "KPI: ［要修正・M］専用アプリのダウンロード割合: 基準値（現状値）がありません" in text
    assert "事業「スマートわな」がどの課題に対応するかが書かれていません" in text
    assert "「問題・課題の分析」が済んでいないのに、後の段階に進んでいます" in text
    assert uki_plan().check().ok


def test_bad_plan_input():
    with pytest.raises(KPIError, match="団体名"):
        Plan("")
    with pytest.raises(KPIError, match="対象期間"):
        Plan("町", period=(2023, 2021))
    with pytest.raises(KPIError, match="章 8 はありません"):
        Plan("町").write(8, "x")
    with pytest.raises(KPIError, match="LogicTree で渡してください"):
        Plan("町").set_tree({"a": None})


def test_word_export_reads_back(tmp_path):
    plan = uki_plan()
    path = plan.to_docx(tmp_path / "宇城市計画.docx")
    doc = Document(path)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:8] == [plan.headings()[0], plan.headings()[1], plan.headings()[2], plan.headings()[3],
                            "ロジックツリー（将来像→問題・課題→施策）", plan.headings()[4], plan.headings()[5], "事業一覧と費用対効果"]
    assert "付録1　事業の進捗チェック（11段階）" in headings and "付録2　壁の自己診断（該当するもの）" in headings
    body = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "宇城市地域IoT実装計画"
    assert "対象期間：2019年度〜2021年度" in body
    assert "有害鳥獣捕獲支援システム（仮称）" in body and "B/C 1.99" in body
    assert len(doc.inline_shapes) == 1  # the logic-tree picture
    tables = {t.rows[0].cells[0].text: t for t in doc.tables}
    kpi = next(t for t in doc.tables if t.rows[0].cells[1].text == "指標")
    assert [r.cells[1].text for r in kpi.rows[1:]] == ["スマート罠設置数", "IoTシステム利用者数", "イノシシの駆除数", "農作物被害額"]
    damage = kpi.rows[4]
    assert [damage.cells[i].text for i in (3, 4, 5, 6)] == ["28,961", "2017", "26,064", "2022"]
    assert "事業" in tables and tables["事業"].rows[1].cells[0].text == "有害鳥獣捕獲支援システム（仮称）"
    barrier = next(t for t in doc.tables if t.rows[0].cells[0].text == "記号")
    assert [r.cells[0].text for r in barrier.rows[1:]] == ["A⑥", "B⑧", "C②"]


def test_word_export_of_an_empty_plan_shows_prompts(tmp_path):
    doc = Document(Plan("みなと町").to_docx(tmp_path / "empty.docx"))
    body = [p.text for p in doc.paragraphs]
    assert "2．みなと町の地域特性" in body
    assert any(t.startswith("（未記入）人口・高齢化率・面積") for t in body)


def test_excel_export_reads_back(tmp_path):
    plan = uki_plan()
    wb = load_workbook(plan.to_xlsx(tmp_path / "宇城市計画.xlsx"))
    assert wb.sheetnames == list(SHEETS)
    overview = {row[0]: row[1] for row in wb["計画の概要"].iter_rows(min_row=2, values_only=True)}
    assert overview["計画名"] == "宇城市地域IoT実装計画" and overview["対象期間"] == "2019〜2021年度"
    assert overview["7．成果の評価指標及びPDCAの体制"] == "推進会議で毎年度KPIを確認する。"
    kpi = list(wb["KPI"].iter_rows(values_only=True))
    header = kpi[0]
    rows = [dict(zip(header, r)) for r in kpi[1:]]
    assert [r["指標"] for r in rows] == ["スマート罠設置数", "IoTシステム利用者数", "イノシシの駆除数", "農作物被害額"]
    assert rows[-1]["基準値"] == 28961 and rows[-1]["目標値"] == 26064 and rows[-1]["良い方向"] == "低いほど良い"
    checklist = list(wb["進捗チェック"].iter_rows(values_only=True))
    assert checklist[0][:2] == ("事業", "将来像の設定") and checklist[1][6] == "●" and checklist[1][7] is None
    tree = list(wb["ロジックツリー"].iter_rows(min_row=2, values_only=True))
    assert len(tree) == 16 and tree[0][1] == "将来像"
    barriers = list(wb["壁の自己診断"].iter_rows(min_row=2, values_only=True))
    assert len(barriers) == 29
    costs = list(wb["事業と費用対効果"].iter_rows(values_only=True))
    assert dict(zip(costs[0], costs[1]))["B/C"] == 1.99
    assert wb["KPI"].freeze_panes == "A2"


def test_exports_want_the_right_suffix(tmp_path):
    with pytest.raises(KPIError, match=".docx にしてください"):
        Plan("町").to_docx(tmp_path / "plan.doc")
    with pytest.raises(KPIError, match=".xlsx にしてください"):
        Plan("町").to_xlsx(tmp_path / "plan.csv")


def test_plan_from_casebook_prefills_data_and_exports(tmp_path):
    plan = Plan.from_casebook("四條畷市")
    assert plan.title == "四條畷市地域IoT実装計画" and plan.period == (2019, 2023)
    assert plan.chapters[2].startswith("人口 55,802人（2018年12月）、高齢化率 25％（2015年）、面積 18.69 km²。")
    assert [p.name for p in plan.projects] == ["IoT基盤", "災害情報システム", "保育所入所申請・選考・結果配信の自動化"]
    assert sorted(plan.barriers) == ["A③", "B①", "B⑨"] and plan.tree is None
    assert Plan.from_casebook("信濃町").tree.title == "信濃町・農業"
    # the learner still has chapters to write, and the audit finds the casebook's KPI gaps
    text = str(plan.check())
    assert "1．地域IoT実装計画の策定 がまだ書かれていません" in text
    assert "KPI: ［要修正・T］業務棚卸しによる事業導入数: 目標年がありません" in text
    doc = Document(plan.to_docx(tmp_path / "shijonawate.docx"))
    assert "保育所入所手続き時間数（申請から通知まで）" in [r.cells[1].text for t in doc.tables for r in t.rows]
    with pytest.raises(KPIError, match="「大阪市」は事例集の7団体にありません"):
        Plan.from_casebook("大阪市")
