"""Strict decoding in a safe order, with what was found reported."""
import codecs

import pytest
from hypothesis import given, settings, strategies as st

from chiiki_iot.opendata.encoding import decode_bytes, encode_text

TEXT = "全国地方公共団体コード,名称\r\n099996,髙橋①ビル～\r\n"


@pytest.mark.parametrize("encoding, bom, name", [("utf-8", False, "utf-8"), ("utf-8", True, "utf-8"),
                                                  ("cp932", False, "cp932"), ("utf-16", True, "utf-16")])
def test_each_encoding_is_found_and_reported(encoding, bom, name):
    d = decode_bytes(encode_text(TEXT, encoding, bom))
    assert (d.text, d.encoding, d.bom, d.newline) == (TEXT, name, bom, "\r\n")
    assert d.report.rules() == ["L3-08"] and d.report.ok


def test_bom_never_reaches_the_first_header():
    assert not decode_bytes(codecs.BOM_UTF8 + "ID".encode()).text.startswith("\ufeff")
    assert not decode_bytes(codecs.BOM_UTF8 + "ID".encode(), encoding="utf-8").text.startswith("\ufeff")


def test_cp932_not_shift_jis():
    """① and 髙 exist only in cp932; shift_jis would fail on them."""
    with pytest.raises(UnicodeEncodeError):
        "①髙".encode("shift_jis")
    d = decode_bytes("①髙".encode("cp932"), encoding="shift_jis")
    assert d.text == "①髙" and d.encoding == "cp932"
    assert any("cp932" in i.message for i in d.report)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_found_by_its_nul_bytes_and_reported(codec):
    """Issue 16: UTF-16 without a BOM used to reach the CSV parser as text full of NULs."""
    d = decode_bytes("名称,人口\r\n本町,1\r\n".encode(codec))
    assert (d.text, d.encoding, d.bom) == ("名称,人口\r\n本町,1\r\n", "utf-16", False)
    assert any("BOMのないUTF-16" in i.message and i.severity == "warning" for i in d.report)


def test_utf16_is_not_guessed_without_the_nul_pattern():
    """Even-length Japanese text with no NUL bytes (it would "decode" as UTF-16) stays UTF-8 / cp932."""
    for data in ("あいうえ,か\r\n".encode("utf-8"), "名称,人口,\r\n".encode("cp932")):
        assert len(data) % 2 == 0 and decode_bytes(data).encoding in ("utf-8", "cp932")
    binary = bytes(range(256)) * 4                 # NULs at both parities: not text at all
    assert decode_bytes(binary).encoding != "utf-16"


def test_mixed_encodings_keep_every_line_and_report_the_bad_ones():
    data = "名称\n".encode("utf-8") + "公民館\n".encode("cp932") + "図書館\n".encode("utf-8")
    d = decode_bytes(data)
    assert len(d.text.splitlines()) == 3
    bad = [i.file_row for i in d.report if i.file_row]
    assert bad == [2]
    assert not d.report.ok


def test_forced_wrong_encoding_falls_back_and_says_so():
    d = decode_bytes("あいう".encode("utf-8"), encoding="cp932")
    assert d.text == "あいう" and any(i.severity == "warning" for i in d.report)


def test_newlines():
    assert decode_bytes(b"a\nb\n").newline == "\n"
    assert decode_bytes(b"a\rb\r").newline == "\r"
    assert decode_bytes(b"a\r\nb\n").newline == "mixed"


japanese = st.text(alphabet=st.sampled_from("あいうえおカキクケコ漢字市町村①髙﨑～ー－、。,\"\n 　ABC123１２３"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(japanese, st.sampled_from([("utf-8", False), ("utf-8", True), ("utf-16", True), ("cp932", False)]))
def test_round_trip(text, enc):
    # a leading hiragana makes cp932 bytes invalid UTF-8, as in any real Japanese file;
    # (a cp932 file that is also valid UTF-8 is possible in theory: UTF-8 is tried first)
    text = "あ" + text
    d = decode_bytes(encode_text(text, *enc))
    assert d.text == text
    assert d.encoding == enc[0] and d.bom == enc[1]


def test_cp932_line_that_happens_to_be_valid_utf8_is_not_called_mixed():
    """﨑① in cp932 is the byte string ED 95 87 40, which is also valid UTF-8 (핇@)."""
    d = decode_bytes("あ\n﨑①\n".encode("cp932"))
    assert d.text == "あ\n﨑①\n" and d.encoding == "cp932" and d.report.ok
