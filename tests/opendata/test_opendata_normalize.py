"""Value normalisers: what they fix, what they refuse, and the fast column path."""
import re

import pytest
from hypothesis import given, settings, strategies as st

from chiiki_iot.opendata.normalize import (KINDS, machine_dependent_chars, nfkc, normalize_column, normalize_value,
                                           suspect_rows, to_zenkaku_katakana, unify_hyphens, unify_tildes)


@pytest.mark.parametrize("kind, value, out, rule", [
    ("phone", "０２８－０００－１２３４", "028-000-1234", "STD-04"), ("phone", "028ー000ー1234", "028-000-1234", "STD-04"),
    ("phone", "(028)000-1234", "028-000-1234", "STD-04"), ("postcode", "〒3200000", "320-0000", "STD-04"),
    ("kana", "ｶｸｳｼ", "カクウシ", "STD-04"), ("kana", "かくうし", "カクウシ", "STD-04"),
    ("date", "令和5年4月1日", "2023-04-01", "L3-05"), ("date", "2023/4/1", "2023-04-01", "L3-05"),
    ("time", "9時", "09:00", "STD-04"), ("time", "１７：１５", "17:15", "STD-04"), ("time", "9時半", "09:30", "STD-04"),
    ("integer", "1,200人", "1200", "L2-01"), ("integer", "３０", "30", "L2-01"), ("integer", "3.0", "3", "L2-01"),
    ("flag", "あり", "有", "L2-04"), ("flag", "×", "無", "L2-04"), ("flag01", "○", "1", "L2-04"),
    ("coordinate", "36度30分0秒", "36.500000", "STD-04"), ("coordinate", "３６．５", "36.5", "STD-04"),
    ("lgcode", "92011", "092011", "L3-06"), ("id", "Ａ００１", "A001", "STD-04"), ("text", "　架空公園 ", "架空公園", "L1-06"),
])
def test_fixes_are_reported(kind, value, out, rule):
    fixed = normalize_value(value, kind)
    assert fixed.value == out
    assert (rule, "fixed") in [(r, s) for r, s, _ in fixed.notes]


@pytest.mark.parametrize("kind, value, rule", [
    ("phone", "abc", "STD-04"), ("kana", "架空市", "STD-04"), ("date", "平成31年5月1日", "L3-05"), ("time", "25:00", "STD-04"),
    ("integer", "たくさん", "L2-01"), ("flag", "たぶん", "L2-04"), ("coordinate", "北", "STD-04"), ("lgcode", "131017", "L3-06"),
    ("url", "www.example.jp", "STD-04"), ("postcode", "12-34", "STD-04"), ("corporate_number", "123", "STD-04"),
])
def test_errors_are_reported(kind, value, rule):
    assert (rule, "error") in [(r, s) for r, s, _ in normalize_value(value, kind).notes]


def test_special_symbol_in_number_becomes_missing_with_a_warning():
    fixed = normalize_value("－", "integer")
    assert fixed.value is None and fixed.notes[0][:2] == ("L3-03", "warning")


def test_names_are_never_nfkc_normalised():
    fixed = normalize_value("㈱架空①ビル", "text")
    assert fixed.value == "㈱架空①ビル"
    assert fixed.notes == ()          # 機種依存文字 are reported by check_readability (L1-08)


def test_character_helpers():
    assert nfkc("ＡＢＣ１２３　ﾃﾞｼﾞﾀﾙ") == "ABC123 デジタル"
    assert unify_hyphens("028−000‐1234―5ー6") == "028-000-1234-5-6"
    assert unify_tildes("9:00〜17:00~18:00∼") == "9:00～17:00～18:00～"
    assert to_zenkaku_katakana("ﾃﾞｼﾞﾀﾙ ちょう") == "デジタル チョウ"
    assert machine_dependent_chars("①Ⅱ㈱髙﨑あ漢") == ["①", "Ⅱ", "㈱", "髙", "﨑"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789０１２ abc\n-", max_size=8), max_size=30), st.sampled_from(list(KINDS)))
def test_suspect_rows_matches_elementwise_fullmatch(values, kind):
    pattern = KINDS[kind].pattern
    full = re.compile(rf"(?:{pattern})?", re.ASCII)
    assert suspect_rows(values, pattern) == [i for i, v in enumerate(values) if not full.fullmatch(v)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet="0123456789０１２３ー－-()時:：人, あｱア令和年月日.", max_size=10), max_size=20),
       st.sampled_from(list(KINDS)))
def test_column_normalisation_equals_value_normalisation(values, kind):
    out, notes = normalize_column(values, kind)
    assert len(out) == len(values)                      # never a row lost
    for i, v in enumerate(values):
        single = normalize_value(v, kind)
        if re.fullmatch(KINDS[kind].pattern, v, re.ASCII):
            # already well-formed: the column path leaves it as it is; whether its value is valid
            # (e.g. an lgcode's check digit) is the schema's check, not normalisation's
            assert out[i] == v and i not in notes
        elif i in notes:
            assert (out[i], notes[i]) == (single.value, single.notes)
        else:
            assert out[i] == v and not single.notes


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=2, max_size=4), st.text(alphabet="0123456789", min_size=3, max_size=4))
def test_full_width_phone_numbers_normalise_to_ascii(a, b):
    phone = f"0{a}-{b}-1234"
    wide = phone.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    assert normalize_value(wide, "phone").value == phone
