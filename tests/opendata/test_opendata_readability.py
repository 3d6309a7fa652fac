"""Machine-readability rule IDs for a learner's own file."""
import openpyxl

from chiiki_iot.opendata import check_readability, practice, scorecard


def test_pdf_and_word_are_not_machine_readable(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7 ...")
    assert check_readability(pdf).rules() == ["L1-01"]
    docx = tmp_path / "plan.docx"
    docx.write_bytes(b"PK\x03\x04 word")
    assert check_readability(docx).rules() == ["L1-01"]


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


# -- reported bugs (course authors) ------------------------------------------------------------

NOTE_CSV = ("全国地方公共団体コード,地区,施設,人数,開設日\n"
            "092011,本町,A,10,2023-04-01\n092011,本町,B,20,2023-04-01\n092011,緑町,C,30,2023-04-01\n"
            "※人数は①令和5年4月1日現在の値です（1200人規模の町）\n")


def test_trailing_note_row_is_not_read_as_a_code():
    r = check_readability(practice.path("events_all_flaws"))
    note = r.filter(rule="L1-04")
    assert [i.file_row for i in note] == [29]
    assert [i.rule for i in r if i.file_row == 29] == ["L1-04"]          # no L3-06 on the note's first cell
    r = check_readability(NOTE_CSV.encode())
    assert [i.rule for i in r if i.row == 3] == ["L1-04"]


def test_note_rows_are_one_notion_for_both_checkers():
    from chiiki_iot.opendata import check_standard, read_csv

    t = read_csv(NOTE_CSV.encode())
    assert t.non_data_rows() == {3}
    for path in (practice.path("events_all_flaws"), practice.path("population_old_format_cp932")):
        t = read_csv(path)
        skip = t.non_data_rows()
        assert skip
        for report in (check_readability(path), check_standard(path).report):
            assert {i.rule for i in report if i.row in skip} <= {"L1-03", "L1-04"}, path


def test_number_findings_say_what_to_fix_and_change_nothing():
    r = check_readability("地域,人口\n本町,\"1,200人\"\n緑町,800\n東町,３００\n".encode())
    found = {i.value: i.message for i in r.filter(rule="L2-01")}
    assert found["1,200人"] == "1,200人 は 1200 のように単位やカンマをつけずに書いてください。"
    assert found["３００"] == "３００ は 300 のように半角の数字で書いてください。"
    readability_own = [i for i in check_readability(practice.path("events_all_flaws"))
                       if i.rule in ("L2-01", "L2-04", "L3-06")]
    assert readability_own and not [i.message for i in readability_own if "ました" in i.message]


def test_flag_mark_is_a_choice_variant_in_both_checkers():
    from chiiki_iot.opendata import check_standard

    path = practice.path("evacuation_flawed_utf8_bom")
    r = check_readability(path)
    std = check_standard(path).report
    col = "災害種別_地震"
    assert not r.filter(rule="L2-01", column=col)
    assert [i.row for i in r.filter(rule="L2-04", column=col)] == [0, 1]
    assert [i.row for i in std.filter(rule="L2-04", column=col)] == [0, 1]
    assert all("1" in i.message and "ました" not in i.message for i in r.filter(rule="L2-04", column=col))
    assert [(i.row, i.column) for i in r.filter(rule="L2-01")] == [(8, "想定収容人数")]
    # the same flaw in a file of no standard dataset is a choice variant too, not a number that cannot be read
    r = check_readability("施設,車いす用トイレ\nA,1\nB,1\nC,○\nD,1\nE,\n".encode())
    assert [(i.rule, i.row) for i in r if i.rule in ("L2-01", "L2-04")] == [("L2-04", 2)]


def test_missing_file_raises_like_read_csv(tmp_path):
    import pytest

    from chiiki_iot.opendata import OpenDataError, read_csv

    missing = tmp_path / "hinanjo.csv"
    with pytest.raises(OpenDataError) as from_reader:
        read_csv(missing)
    for source in (missing, str(missing), tmp_path / "keikaku.pdf"):
        with pytest.raises(OpenDataError, match="ファイルが見つかりません: .*パスを確かめてください"):
            check_readability(source)
    with pytest.raises(OpenDataError) as from_check:
        check_readability(missing)
    assert str(from_check.value) == str(from_reader.value)


def test_division_of_labour_between_the_two_checkers():
    from chiiki_iot.opendata import check_standard

    path = practice.path("events_all_flaws")
    std, readable = set(check_standard(path).report.rules()), set(check_readability(path).rules())
    assert {"L1-08", "L2-02", "L2-04"} <= readable
    assert not {"L1-08", "L2-02"} & std
    assert not {r for r in readable if r.startswith("STD-")}


def test_rule_catalogue_is_exported_from_the_package():
    from chiiki_iot import opendata as od
    from chiiki_iot.opendata import rule_catalogue
    from chiiki_iot.opendata.report import rule_catalogue as from_report

    assert rule_catalogue is from_report and "rule_catalogue" in od.__all__
    assert od.rule_catalogue()["L2-01"]["title"] == od.rule_title("L2-01")
