"""read_excel: two-level headers (a group label row over the real header) are found and joined (issue 16)."""
import openpyxl

from chiiki_iot.opendata import check_readability, read_excel
from chiiki_iot.opendata.excel_header import find_header

AGES = ["0～4歳", "5～9歳", "10～14歳"]


def _xlsx(tmp_path, rows, merges=(), name="pop.xlsx", title="人口"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    path = tmp_path / name
    wb.save(path)
    return path


def _population(tmp_path):
    rows = [["地区", "男性", None, None, "女性", None, None],
            [None, *AGES, *AGES],
            ["本町", 10, 12, 14, 9, 11, 13],
            ["新町", 20, 22, 24, 19, 21, 23]]
    return _xlsx(tmp_path, rows, ["A1:A2", "B1:D1", "E1:G1"])


def test_merged_group_row_is_joined_into_one_header(tmp_path):
    t = read_excel(_population(tmp_path))
    assert list(t.df.columns) == ["地区", "男性_0～4歳", "男性_5～9歳", "男性_10～14歳",
                                  "女性_0～4歳", "女性_5～9歳", "女性_10～14歳"]
    assert t.header_row == 2 and t.extra["header_rows"] == [1, 2]
    assert t.df["地区"].tolist() == ["本町", "新町"] and t.df.loc[1, "女性_10～14歳"] == "23"
    assert t.file_row(0) == 3
    joined = [i for i in t.report.filter(rule="L3-01") if "つないで" in i.message]
    assert len(joined) == 1 and joined[0].file_row == 1
    assert "1行目から2行目" in joined[0].message and "「男性_0～4歳」" in joined[0].message
    assert "シート「人口」" in joined[0].message
    # merged cells are reported with the sheet and the cell range, not as missing or duplicate names
    merged = t.report.filter(rule="L1-12")
    assert sorted(i.message.split("セル ")[1].split(" ")[0] for i in merged) == ["A1:A2", "B1:D1", "E1:G1"]
    assert all("シート「人口」" in i.message for i in merged)
    assert not t.report.filter(rule="L1-05") and not t.report.filter(rule="L2-03")


def test_narrow_table_whose_group_row_looks_dense_enough(tmp_path):
    # 3 labels in 5 columns: the old reader took the group row itself as the header
    rows = [["地区", "男性", None, "女性", None],
            [None, "総数", "65歳以上", "総数", "65歳以上"],
            ["本町", 100, 30, 110, 40]]
    t = read_excel(_xlsx(tmp_path, rows, ["A1:A2", "B1:C1", "D1:E1"]))
    assert list(t.df.columns) == ["地区", "男性_総数", "男性_65歳以上", "女性_総数", "女性_65歳以上"]
    assert len(t.df) == 1 and t.df.loc[0, "男性_65歳以上"] == "30"


def test_group_labels_without_merged_cells_cover_their_columns(tmp_path):
    rows = [[None, "男性", None, None, "女性", None, None],
            ["地区", *AGES, *AGES],
            ["本町", 10, 12, 14, 9, 11, 13]]
    t = read_excel(_xlsx(tmp_path, rows))
    assert list(t.df.columns)[1:4] == [f"男性_{a}" for a in AGES]
    assert list(t.df.columns)[4:] == [f"女性_{a}" for a in AGES]
    assert t.header_row == 2 and not t.report.filter(rule="L1-12")


def test_title_rows_above_a_two_level_header_are_not_joined(tmp_path):
    rows = [["年齢別人口（練習用の架空データ）"], [None],
            ["地区", "男性", None, None, "女性", None, None],
            [None, *AGES, *AGES],
            ["本町", 10, 12, 14, 9, 11, 13]]
    t = read_excel(_xlsx(tmp_path, rows, ["A1:G1", "A3:A4", "B3:D3", "E3:G3"]))
    assert t.header_row == 4 and t.extra["header_rows"] == [3, 4]
    assert list(t.df.columns)[:2] == ["地区", "男性_0～4歳"]
    titles = [i.file_row for i in t.report.filter(rule="L3-01") if "項目名の前にある行" in i.message]
    assert titles == [1, 2]
    assert len(t.df) == 1


def test_a_label_merged_over_data_columns_is_not_a_group_row(tmp_path):
    # 「連絡先」 merged over two columns whose cells below are data, not names
    rows = [["名称", "住所", "連絡先", None], ["架空公民館", "本町1-1", "028-000-0001", "内線12"]]
    t = read_excel(_xlsx(tmp_path, rows, ["C1:D1"], title="施設"))
    assert t.header_row == 1 and len(t.df) == 1 and t.df.loc[0, "名称"] == "架空公民館"
    assert list(t.df.columns)[:3] == ["名称", "住所", "連絡先"]
    assert "シート「施設」のセル C1:D1" in t.report.filter(rule="L1-12").issues[0].message


def test_readability_check_reads_the_joined_header(tmp_path):
    report = check_readability(_population(tmp_path))
    assert not report.filter(rule="L1-05") and not report.filter(rule="L2-03")
    assert report.filter(rule="L1-12")


def test_find_header_on_plain_rows():
    layout = find_header([["", "男性", "", "女性", ""], ["地区", "総数", "65歳以上", "総数", "65歳以上"],
                          ["本町", "1", "2", "3", "4"]])
    assert (layout.first, layout.last, layout.group_rows) == (0, 1, [0])
    assert layout.names == ["地区", "男性_総数", "男性_65歳以上", "女性_総数", "女性_65歳以上"]
