"""和暦・年度 parser: fixed cases from the course and property-based round trips."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from chiiki_iot.opendata.wareki import (ERAS, FiscalYear, WarekiError, fiscal_year, is_wareki, kanji_to_int, parse_date,
                                        parse_fiscal_year, to_iso, to_wareki)


@pytest.mark.parametrize("text, iso", [
    ("令和5年4月1日", "2023-04-01"), ("令和五年四月一日", "2023-04-01"), ("R5.4.1", "2023-04-01"),
    ("r5/4/1", "2023-04-01"), ("H31.4.30", "2019-04-30"), ("平31.4.30", "2019-04-30"),
    ("昭和64年1月7日", "1989-01-07"), ("平成元年1月8日", "1989-01-08"), ("令和元年5月1日", "2019-05-01"),
    ("令和元年5月1日（水）", "2019-05-01"), ("平成三十一年四月三十日", "2019-04-30"), ("大正15年12月24日", "1926-12-24"),
    ("明治6年1月1日", "1873-01-01"), ("２０２３／４／１", "2023-04-01"), ("2025/1/1", "2025-01-01"),
    ("2023年4月1日", "2023-04-01"), ("20230401", "2023-04-01"), ("二〇二三年四月一日", "2023-04-01"),
    (" 令和 5年 4月 1日 ", "2023-04-01"), (date(2020, 2, 29), "2020-02-29"),
])
def test_accepted_forms(text, iso):
    assert to_iso(text) == iso


@pytest.mark.parametrize("text, fragment", [
    ("平成31年5月1日", "令和元年5月1日"), ("昭和64年1月8日", "平成元年1月8日"), ("令和0年1月1日", "元年"),
    ("令和5年4月", "日がありません"), ("2023-02-30", "存在しない日付"), ("明治5年1月1日", "旧暦"),
    ("そのうち", "読めません"), ("", "空欄"), ("令和5年13月1日", "存在しない日付"),
])
def test_rejected_forms_say_why_in_japanese(text, fragment):
    with pytest.raises(WarekiError) as e:
        parse_date(text)
    assert fragment in str(e.value)


def test_era_boundaries():
    for era in ERAS[:-1]:          # 明治元年 is in the lunisolar calendar: refused (see test above)
        assert parse_date(f"{era.name}元年{era.start.month}月{era.start.day}日") == era.start
    assert to_wareki(date(2019, 4, 30)) == "平成31年4月30日"
    assert to_wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert to_wareki(date(2019, 5, 1), style="short") == "R1.5.1"


@pytest.mark.parametrize("text, year", [("令和5年度", 2023), ("R5年度", 2023), ("令和元年度", 2019), ("平成31年度", 2019),
                                        ("2023年度", 2023), ("FY2023", 2023), ("平成元年度", 1989)])
def test_fiscal_years(text, year):
    fy = parse_fiscal_year(text)
    assert fy.year == year and fy.start == date(year, 4, 1) and fy.end == date(year + 1, 3, 31)


def test_fiscal_year_outside_era_is_an_error():
    with pytest.raises(WarekiError, match="平成2年度"):
        parse_fiscal_year("昭和65年度")
    with pytest.raises(WarekiError, match="元年"):
        parse_fiscal_year("令和0年度")


@pytest.mark.parametrize("text, year, reiwa", [("平成32年度", 2020, "令和2年度"), ("H33年度", 2021, "令和3年度"),
                                               ("平成三十二年度", 2020, "令和2年度"), ("平成42年度", 2030, "令和12年度")])
def test_heisei_fiscal_years_after_the_era_change_are_read_with_a_note(text, year, reiwa):
    # plans written before May 2019 named later years in 平成; the government did so in documents of that time
    fy = parse_fiscal_year(text)
    assert fy == FiscalYear(year) and fy.start == date(year, 4, 1)
    assert reiwa in fy.note and f"{year}年度" in fy.note and text in fy.note
    assert fy.wareki == reiwa


def test_fiscal_years_inside_their_era_have_no_note():
    assert parse_fiscal_year("平成31年度").note == "" and parse_fiscal_year("令和2年度").note == ""
    assert parse_fiscal_year("2020年度").note == ""


@pytest.mark.parametrize("text, fragment", [("平成31年5月1日", "令和元年5月1日"), ("平成32年4月1日", "令和2年4月1日"),
                                            ("H32.4.1", "令和2年4月1日")])
def test_full_dates_after_the_era_change_are_still_refused(text, fragment):
    with pytest.raises(WarekiError, match="平成の期間にありません") as e:
        parse_date(text)
    assert fragment in str(e.value)


def test_a_year_without_month_and_day_is_not_refused_for_its_era():
    with pytest.raises(WarekiError, match="日がありません"):
        parse_date("平成32年")


def test_is_wareki():
    assert is_wareki("R5.4.1") and is_wareki("令和5年度") and not is_wareki("2023-04-01")


dates = st.dates(min_value=date(1873, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=300, deadline=None)
@given(dates)
def test_round_trip_kanji_and_short(d):
    assert parse_date(to_wareki(d)) == d
    assert parse_date(to_wareki(d, style="short")) == d
    assert parse_date(d.isoformat()) == d


@settings(max_examples=200, deadline=None)
@given(dates)
def test_fiscal_year_contains_its_dates(d):
    fy = fiscal_year(d)
    assert d in fy
    assert parse_fiscal_year(fy.label) == fy
    assert parse_fiscal_year(fy.wareki) == fy


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=9999))
def test_kanji_numerals(n):
    def kanji(n):
        digits = "〇一二三四五六七八九"
        if n == 0:
            return "〇"
        out = ""
        for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
            q, n = divmod(n, value)
            if q:
                out += ("" if q == 1 else digits[q]) + unit
        return out + (digits[n] if n else "")
    assert kanji_to_int(kanji(n)) == n
    assert kanji_to_int("".join("〇一二三四五六七八九"[int(c)] for c in str(n))) == n


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="令和平成昭大明RHShr元年月日度0123456789一二三十/.-（）() 　", max_size=16))
def test_garbage_never_crashes(text):
    try:
        parse_date(text)
    except WarekiError:
        pass
    try:
        parse_fiscal_year(text)
    except WarekiError:
        pass


def test_one_day_before_and_after_each_era_change():
    for era in ERAS[:-1]:
        before = era.start - timedelta(days=1)
        assert parse_date(to_wareki(before)) == before
        assert to_wareki(before)[:2] != era.name
