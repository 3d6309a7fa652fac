"""Issue 16: files offices really produce, on the CSV/text path — never Python's English error, nothing silent.

Every file is built here, in a temp dir. Each case is run through the course's whole flow
(``read_csv`` → ``check_standard`` → ``check_readability``): only a Japanese
:class:`OpenDataError` may come out of it, and whatever is odd about the file is a finding
with its rule ID and row.
"""
import re

import pytest

from chiiki_iot.opendata import OpenDataError, check_readability, check_standard, read_csv, scorecard
from chiiki_iot.opendata.encoding import encode_text

JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")

AED = "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,設置位置\r\n"
AED_ROWS = ["092011,1,栃木県,宇都宮市,市役所,1階", "092011,2,栃木県,宇都宮市,図書館,入口", "092011,3,栃木県,宇都宮市,体育館,受付"]


def _aed(endings, encoding="utf-8") -> bytes:
    """The AED table with the given line break after each data row."""
    return encode_text(AED + "".join(r + e for r, e in zip(AED_ROWS, endings)), encoding)


def _whole_flow(path):
    """read_csv, check_standard and check_readability on ``path``; return the table and the two reports."""
    table = read_csv(path)
    return table, check_standard(path).report, check_readability(path)


# -- 1. line endings: no crash, every row, and the unusual ones reported --------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_bare_cr_line_endings_are_read_and_reported(tmp_path, encoding):
    path = tmp_path / "aed_mac.csv"
    path.write_bytes(_aed(["\r"] * 3, encoding).replace(b"\r\n", b"\r"))
    table, std, readable = _whole_flow(path)
    assert len(table.df) == 3 and table.df["名称"].tolist() == ["市役所", "図書館", "体育館"]
    assert table.newline == "\r"
    for report in (table.report, std, readable):
        (issue,) = report.filter(rule="READ-01").issues
        assert "CRのみ" in issue.message and "4行" in issue.message and issue.file_row == 1


def test_mixed_line_endings_give_counts_and_first_rows(tmp_path):
    path = tmp_path / "pasted.csv"
    path.write_bytes(_aed(["\r\n", "\n", "\r"]))
    table, std, readable = _whole_flow(path)
    assert len(table.df) == 3 and table.newline == "mixed"
    (issue,) = table.report.filter(rule="READ-01").issues
    assert "CR+LF（Windowsの標準） 2行" in issue.message and "LF（Mac・Linuxの標準） 1行" in issue.message
    assert "CRのみ（古いMacの形式） 1行" in issue.message
    assert "LFで終わる行は 3行目" in issue.message and "CRのみで終わる行は 4行目" in issue.message
    assert issue.file_row == 3 and std.filter(rule="READ-01") and readable.filter(rule="READ-01")


def test_crlf_and_lf_mixed_without_cr_is_reported_too():
    table = read_csv(_aed(["\r\n", "\n", "\r\n"]))
    (issue,) = table.report.filter(rule="READ-01").issues
    assert issue.file_row == 3 and "CRのみ" not in issue.message


def test_clean_files_have_no_line_ending_finding():
    for endings in (["\r\n"] * 3, ["\n"] * 3):
        data = _aed(endings) if endings[0] == "\r\n" else _aed(endings).replace(b"\r\n", b"\n")
        assert not read_csv(data).report.filter(rule="READ-01")


def test_bare_cr_far_down_a_big_file_is_found(tmp_path):
    """The first 64 KB are clean CR+LF; a pasted block with bare CRs comes later."""
    body = "".join(f"{i},公園{i}\r\n" for i in range(5000)) + "".join(f"{i},広場{i}\r" for i in range(5000, 5003))
    path = tmp_path / "big.csv"
    path.write_bytes(("ID,名称\r\n" + body).encode("cp932"))
    table, _, readable = _whole_flow(path)
    assert len(table.df) == 5003 and table.df.iloc[-1].tolist() == ["5002", "広場5002"]
    (issue,) = table.report.filter(rule="READ-01").issues
    assert "CRのみで終わる行は 5002・5003・5004行目" in issue.message
    assert readable.filter(rule="READ-01")


def test_lone_cr_inside_a_quoted_cell_stays_in_the_cell(tmp_path):
    path = tmp_path / "note.csv"
    path.write_bytes('名称,備考\r\n市役所,"正面\r入口"\r\n図書館,2階\r\n'.encode("cp932"))
    table, _, readable = _whole_flow(path)
    assert table.df["備考"].tolist() == ["正面\r入口", "2階"] and not table.report.filter(rule="READ-01")
    assert readable.filter(rule="L1-14", row=0)


def test_lone_cr_inside_an_unquoted_cell_does_not_crash_and_is_reported(tmp_path):
    path = tmp_path / "cell.csv"
    path.write_bytes("名称,設置位置,備考\r\n市役所,1階\r正面,a\r\n図書館,2階,b\r\n".encode("utf-8"))
    table, std, readable = _whole_flow(path)
    assert table.df["名称"].tolist()[-1] == "図書館"
    (issue,) = table.report.filter(rule="READ-01").issues
    assert issue.file_row == 2 and "L1-14" in issue.message
    assert table.report.filter(rule="L1-14") and readable.filter(rule="L1-14")


def test_utf16_without_bom_is_read_through_the_whole_flow(tmp_path):
    path = tmp_path / "hinanjo.tsv"
    path.write_bytes("名称\t住所\r\n中央公民館\t本町1-1\r\n北小学校\t北町2-3\r\n".encode("utf-16-le"))
    table, std, readable = _whole_flow(path)
    assert table.encoding == "utf-16" and not table.bom and table.sep == "\t"
    assert table.df["名称"].tolist() == ["中央公民館", "北小学校"]
    assert any("BOMのないUTF-16" in i.message for i in readable.filter(rule="L3-08"))


# -- 2. not a table at all -------------------------------------------------------------------------

NOT_TABLES = {
    "html": (b"<!DOCTYPE html>\n<html><head><title>AED</title></head><body><table><tr><td>a</td></tr></table>"
             b"</body></html>\n", "Webページ（HTML）"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    "zip": (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(200), "read_excel"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), ".xls"),
    "binary": (bytes(range(256)) * 8, "バイナリ"),
}


@pytest.mark.parametrize("kind", NOT_TABLES)
def test_non_tabular_content_named_csv_is_recognised(tmp_path, kind):
    data, words = NOT_TABLES[kind]
    path = tmp_path / "aed.csv"
    path.write_bytes(data)
    for reading in (read_csv, check_standard):
        with pytest.raises(OpenDataError) as e:
            reading(path)
        assert str(path) in str(e.value) and words in str(e.value) and "L1-01" in str(e.value)
    report = check_readability(path)
    (issue,) = report.filter(rule="L1-01").issues
    assert issue.severity == "error" and (words in issue.message or kind == "zip")   # a ZIP goes to read_excel there
    card = scorecard(report).set_index("ルール")
    assert card.loc["L1-01", "結果"] == "エラー"


def test_excel_file_named_csv_says_to_use_read_excel(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["名称", "人口"])
    wb.active.append(["本町", 100])
    path = tmp_path / "jinko.csv"
    wb.save(path)
    with pytest.raises(OpenDataError, match="read_excel") as e:
        read_csv(path)
    assert "jinko.csv" in str(e.value) and ".xlsx" in str(e.value)
    assert check_readability(path).filter(rule="L1-01").ok          # check_readability reads it as the Excel file it is


def test_html_message_quotes_the_first_line_and_says_what_to_do():
    with pytest.raises(OpenDataError) as e:
        read_csv(NOT_TABLES["html"][0])
    assert "<!DOCTYPE html>" in str(e.value) and "CSVのリンク" in str(e.value) and "このデータ" in str(e.value)


def test_a_few_nul_characters_are_removed_and_reported():
    data = "名称,人口\r\n本町,100\x00\r\n北町,200\r\n".encode("cp932")
    table = read_csv(data)
    assert table.df["人口"].tolist() == ["100", "200"]
    (issue,) = table.report.filter(rule="READ-04").issues
    assert issue.file_row == 2 and "1個" in issue.message


def test_a_folder_or_an_unclosed_quote_is_a_japanese_error(tmp_path):
    with pytest.raises(OpenDataError, match="フォルダー"):
        read_csv(tmp_path)
    for data in (b'a,b\n1,2\n3,"x\n4,5\n', b'a,b\n1,2\n3,"' + b"x" * 200_000 + b"\n4,5\n"):   # the 2nd: past csv's field limit
        with pytest.raises(OpenDataError) as e:
            read_csv(data)
        assert "ダブルクォーテーション" in str(e.value) and "3行目" in str(e.value)
    assert read_csv(b'a,b\n3,5"inch\n4,5\n').df["b"].tolist() == ['5"inch', "5"]   # a " inside a value is a character


@pytest.mark.parametrize("data", [b"a,b\n1\n", b"a,b,c\n1,2\n\n"], ids=["one-short-row", "all-rows-short"])
def test_every_row_shorter_than_the_header_is_padded_not_a_crash(data):
    t = read_csv(data)
    assert t.df.shape[1] == len(t.df.columns) and t.df.iloc[0, 0] == "1" and t.report.filter(rule="L1-14")


# -- 3. silent cases ---------------------------------------------------------------------------

@pytest.mark.parametrize("data", [AED.encode("cp932"), AED.rstrip().encode("utf-8"), (AED + ",,,,,\r\n").encode()],
                         ids=["cp932", "no-final-line-break", "blank-row-only"])
def test_header_only_file_is_reported(data):
    table = read_csv(data)
    (issue,) = table.report.filter(rule="READ-02").issues
    assert issue.severity == "error" and issue.file_row == 2 and "1行目" in issue.message
    assert not check_standard(data, "AED").ok


def test_gaiji_is_reported_with_its_code_point_row_and_column(tmp_path):
    """cp932's user-defined area F040– becomes Unicode's private use area U+E000–: 外字."""
    path = tmp_path / "gaiji.csv"
    path.write_bytes("名称,設置位置\r\n市役所,1階\r\n佐".encode("cp932") + b"\xf0\x40" + "市,2階\r\n".encode("cp932"))
    table, std, readable = _whole_flow(path)
    assert table.df.loc[1, "名称"] == "佐\ue000市" and table.encoding == "cp932"
    for report in (table.report, std, readable):
        (issue,) = report.filter(rule="READ-03").issues
        assert (issue.row, issue.file_row, issue.column) == (1, 3, "名称")
        assert "U+E000" in issue.message and "F040" in issue.message and "注記" in issue.message


def test_gaiji_in_a_utf8_file_and_in_a_header():
    table = read_csv("名称\uf8ff,備考\n市\ue757役所,a\n".encode("utf-8"))
    issues = table.report.filter(rule="READ-03").issues
    assert [(i.file_row, i.column) for i in issues] == [(1, "名称\uf8ff"), (2, "名称\uf8ff")]
    assert "U+F8FF" in issues[0].message and "U+E757" in issues[1].message


def test_utf8_line_with_a_character_outside_cp932_in_a_cp932_file(tmp_path):
    """The line is read as UTF-8 (𠮷 is not in cp932), not as mojibake with 「�」."""
    path = tmp_path / "mixed.csv"
    path.write_bytes("名称,住所\r\n市役所,本町\r\n".encode("cp932") + "𠮷野家,北町\r\n".encode("utf-8")
                     + "図書館,南町\r\n".encode("cp932"))
    table, _, readable = _whole_flow(path)
    assert table.df["名称"].tolist() == ["市役所", "𠮷野家", "図書館"] and table.encoding == "cp932"
    lines = [i for i in table.report.filter(rule="L3-08") if i.file_row]
    assert [i.file_row for i in lines] == [3] and "UTF-8" in lines[0].message
    assert not any("\ufffd" in str(v) for v in table.df.to_numpy().ravel())
    assert "3行目が UTF-8" in str(readable)


def test_every_message_of_these_files_is_japanese(tmp_path):
    files = [_aed(["\r", "\n", "\r\n"]), AED.encode("cp932"), "名称\r\n佐\ue000\r\n".encode("utf-8"),
             "名称,人口\r\n本町,1\x00\r\n".encode("cp932")]
    for data in files:
        for issue in check_readability(data):
            assert JAPANESE.search(issue.message) and not re.search(r"\b(Error|line|field)\b", issue.message)
