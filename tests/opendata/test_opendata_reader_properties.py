"""Properties of the CSV/text reader (issue 16): whatever the line endings, encoding and header shape,
no row is lost, no cell changes, and nothing but a Japanese OpenDataError ever comes out."""
import codecs
import csv
import io

from hypothesis import HealthCheck, given, settings, strategies as st

from chiiki_iot.opendata import OpenDataError, check_readability, read_csv

ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])
ENCODINGS = ["utf-8", "utf-8-sig", "cp932", "utf-16", "utf-16-le", "utf-16-be"]   # utf-16 = with BOM (LE)
# no line breaks inside cells; commas and quotes are quoted by the csv writer; every character exists in cp932
cells = st.text(alphabet=st.sampled_from('あ漢字市町ｱA1 ,"-　'), max_size=6)
names = st.text(alphabet="名称コード番号abc", min_size=1, max_size=4)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


@st.composite
def tables(draw):
    width = draw(st.integers(1, 5))
    header = draw(st.lists(names, min_size=width, max_size=width, unique=True))
    rows = draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=8))
    title = width >= 2 and bool(rows) and draw(st.booleans())   # a title row above the header (reported as L3-01)
    encoding = draw(st.sampled_from(ENCODINGS))
    lines = ([["令和6年度 一覧"]] if title else []) + [header] + rows
    ends = draw(st.lists(ENDINGS, min_size=len(lines), max_size=len(lines)))
    if not encoding.startswith("utf-16-") and draw(st.booleans()):
        ends[-1] = ""                                  # no line break after the last row
    text = ""
    for line, end in zip(lines, ends):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(line)
        text += buf.getvalue() + end
    return header, rows, title, encoding, ends, _encode(text, encoding)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_any_line_ending_mix_encoding_and_header_keeps_every_row_and_cell(table):
    header, rows, title, encoding, ends, data = table
    t = read_csv(data)
    assert t.encoding == ("utf-16" if encoding.startswith("utf-16") else encoding.replace("-sig", ""))
    assert t.header_row == (2 if title else 1) and list(t.df.columns) == header
    assert t.df.astype(str).values.tolist() == rows
    breaks = {e for e in ends if e}
    unusual = len(breaks) > 1 or breaks == {"\r"}
    assert bool(t.report.filter(rule="READ-01")) == unusual
    # rows that are data: not blank, and not a note row (only the first cell filled in a table of 3+ columns)
    data_rows = [r for r in rows if any(r) and not (len(r) >= 3 and r[0] and not any(r[1:]))]
    assert bool(t.report.filter(rule="READ-02")) == (not data_rows)


@settings(max_examples=60, deadline=None)
@given(tables())
def test_check_readability_never_raises_on_these_tables(table):
    report = check_readability(table[-1])
    assert all(i.message for i in report)


# bytes that look a little like CSV, mixed with anything
csvish = st.lists(st.one_of(st.sampled_from([b",", b'"', b"\r", b"\n", b"\r\n", b"\t", b"\x00", b"\xef\xbb\xbf",
                                             "名称".encode("cp932"), "名称".encode(), "外".encode("utf-16-le"),
                                             b"\xf0\x40", b"\xee\x80\x80", b"<html>", b"PK\x03\x04"]),
                            st.binary(max_size=4)), max_size=40).map(b"".join)


@settings(max_examples=200, deadline=None)
@given(st.one_of(csvish, st.binary(max_size=200)))
def test_no_bytes_make_the_reader_raise_anything_but_opendataerror(data):
    for reading in (read_csv, check_readability):
        try:
            reading(data)
        except OpenDataError as e:
            assert "。" in str(e)
