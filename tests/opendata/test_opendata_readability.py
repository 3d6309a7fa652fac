"""Machine-readability rule IDs for a learner's own file."""
import openpyxl

from chiiki_iot.opendata import check_readability, practice, scorecard


def test_pdf_and_word_are_not_machine_readable(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7 ...")
    assert check_readability(pdf).rules() == ["L1-01"]
    assert check_readability(tmp_path / "plan.docx").rules() == ["L1-01"]


def test_clean_file_only_states_its_encoding():
    r = check_readability(practice.path("aed_clean"))
    assert r.rules() == ["L3-08"] and r.ok


def test_numbers_units_symbols_and_blank_vs_zero():
    r = check_readability("地域,人口,世帯数\n本町,\"1,200人\",0\n緑町,800,\n東町,-,3\n西町,７００,2\n".encode())
    assert {(i.rule, i.row) for i in r if i.rule in ("L2-01", "L3-03")} == {("L2-01", 0), ("L3-03", 2), ("L2-01", 3)}
    assert len(r.filter(rule="L1-09", column="世帯数")) == 1


def test_wide_tables_and_wareki_and_codes():
    r = check_readability("全国地方公共団体コード,調査日,2019年度,2020年度,2021年度\n92011,令和5年4月1日,1,2,3\n".encode())
    assert {"L3-09", "L3-05", "L3-06"} <= set(r.rules())


def test_choice_variants_and_omitted_repeats():
    csv = "地区,施設,駐車場\n本町,A,有\n,B,あり\n緑町,C,無\n緑町,D,無\n緑町,E,有\n緑町,F,有\n"
    r = check_readability(csv.encode())
    assert [(i.row, i.column) for i in r.filter(rule="L2-04")] == [(1, "駐車場")]
    assert [(i.row, i.column) for i in r.filter(rule="L2-02")] == [(1, "地区")]


def test_excel_rules(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["施設一覧"])
    ws.merge_cells("A1:C1")
    ws.append(["名称", "人数", "合計"])
    ws.append(["A", 1, "=B3*2"])
    ws.column_dimensions["C"].hidden = True
    wb.create_sheet("メモ").append(["メモ"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    assert {"L1-02", "L1-12", "L1-13", "L2-06", "L3-01"} <= set(check_readability(path).rules())


def test_scorecard_lists_every_rule():
    card = scorecard(check_readability(practice.path("events_all_flaws")))
    assert len(card) == 30 and set(card["結果"]) <= {"問題なし", "要確認", "エラー", "目視で確認"}
    assert card.set_index("ルール").loc["L1-15", "結果"] == "エラー"
    assert card.set_index("ルール").loc["L3-04", "結果"] == "目視で確認"
