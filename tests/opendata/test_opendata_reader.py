"""The reader: strings only, header detection, and no row ever lost."""
import csv
import io

import pytest
from hypothesis import given, settings, strategies as st

from chiiki_iot.opendata import OpenDataError, read_csv, read_table
from chiiki_iot.opendata.encoding import encode_text


def test_codes_stay_strings_and_blanks_stay_blank():
    t = read_csv("全国地方公共団体コード,人口,備考\r\n092011,0,\r\n011002,,NA\r\n".encode("cp932"))
    assert t.df["全国地方公共団体コード"].tolist() == ["092011", "011002"]
    assert t.df["人口"].tolist() == ["0", ""]
    assert t.df["備考"].tolist() == ["", "NA"]


def test_title_rows_are_skipped_and_reported():
    t = read_csv("令和5年度 一覧,,\r\n,,\r\nコード,ID,名称\r\n092011,1,a\r\n".encode("utf-8"))
    assert t.header_row == 3 and list(t.df.columns) == ["コード", "ID", "名称"] and len(t.df) == 1
    rows = [i.file_row for i in t.report.filter(rule="L3-01")]
    assert rows == [1, 2, 3]
    assert t.file_row(0) == 4


def test_ragged_rows_are_kept_and_reported():
    t = read_csv(b"a,b,c\n1,2,3,4\n5,6\n7,8,9\n")
    assert len(t.df) == 3 and t.df.iloc[0].tolist() == ["1", "2", "3", "4"] and t.df.iloc[1].tolist() == ["5", "6", "", ""]
    assert {(i.rule, i.row) for i in t.report if i.row is not None} == {("L1-15", 0), ("L1-14", 1)}


def test_first_row_longer_than_header_is_not_turned_into_an_index():
    t = read_csv(b"a,b\n1,2,3\n4,5\n")
    assert t.df["a"].tolist() == ["1", "4"] and len(t.report.filter(rule="L1-15", row=0)) == 1


def test_blank_and_note_rows_are_kept_and_reported():
    t = read_csv("a,b,c\r\n1,2,3\r\n,,\r\n\r\n※注記,,\r\n".encode())
    assert len(t.df) == 4
    assert [i.row for i in t.report.filter(rule="L1-03")] == [1, 2]
    assert [i.row for i in t.report.filter(rule="L1-04")] == [3]


def test_unnamed_and_duplicate_headers():
    t = read_csv(b"a,a,,b\n1,2,3,4\n")
    assert list(t.df.columns) == ["a", "a_2", "列3", "b"]
    assert len(t.report.filter(rule="L2-03")) == 1 and len(t.report.filter(rule="L1-05")) == 1


def test_utf16_tab_separated():
    t = read_csv(encode_text("a\tb\r\n1\t２\r\n", "utf-16"))
    assert t.encoding == "utf-16" and t.sep == "\t" and t.df.iloc[0].tolist() == ["1", "２"]


def test_unsupported_formats_say_what_to_do(tmp_path):
    with pytest.raises(OpenDataError, match="L1-01"):
        read_table(tmp_path / "report.pdf")
    with pytest.raises(OpenDataError, match="見つかりません"):
        read_csv(tmp_path / "missing.csv")


def test_missing_file_message_names_the_path(tmp_path):
    with pytest.raises(OpenDataError) as e:
        read_table(tmp_path / "missing.csv")
    assert str(e.value) == f"ファイルが見つかりません: {tmp_path / 'missing.csv'}。パスを確かめてください。"


cells = st.text(alphabet=st.sampled_from('あ漢ｱA1 ,"\n\r　'), max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(lambda w: st.tuples(
    st.lists(st.text(alphabet="名称コードabc", min_size=1, max_size=4), min_size=w, max_size=w, unique=True),
    st.lists(st.lists(cells, min_size=w, max_size=w), max_size=8))),
    st.sampled_from(["utf-8", "cp932"]))
def test_any_regular_table_round_trips(table, encoding):
    """Whatever the cells hold (commas, quotes, line breaks), every row and cell comes back."""
    header, rows = table
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header] + rows)
    t = read_csv(encode_text(buf.getvalue(), encoding))
    assert t.header_row == 1 and list(t.df.columns) == header
    assert t.df.astype(str).values.tolist() == rows


def test_utf8_file_with_one_cp932_line_is_reported_not_mojibake():
    data = "名称,備考\n公民館,a\n".encode("utf-8") + "図書館,b\n".encode("cp932") + "体育館,c\n".encode("utf-8")
    t = read_csv(data)
    assert t.df["名称"].tolist() == ["公民館", "図書館", "体育館"]
    assert [i.file_row for i in t.report if i.file_row] == [3] and not t.report.ok


def test_invalid_byte_late_in_a_big_utf8_file_is_found():
    body = "".join(f"{i},公園{i}\n" for i in range(5000))
    data = ("ID,名称\n" + body).encode("utf-8") + b"5000,\x82\xa0\n"
    t = read_csv(data)
    assert len(t.df) == 5001 and t.df.iloc[-1, 1] == "あ" and t.encoding == "utf-8"
    assert not t.report.ok and t.report.filter(rule="L3-08", severity="error")
