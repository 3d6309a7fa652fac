"""全国地方公共団体コード that exist: the shipped list, lookup, CODE-01 / CODE-02 in check_standard (issue 16)."""
from datetime import date

import pandas as pd

from chiiki_iot.opendata import check_standard, lgcode
from chiiki_iot.opendata.report import Report

HEADER = "全国地方公共団体コード,ID,地方公共団体名,名称\n"


def test_the_list_is_less_than_a_year_old():
    info = lgcode.list_info()
    age = lgcode.list_age_days()
    assert age <= 365, (
        f"全国地方公共団体コードの一覧（opendata/municipalities.csv）は {info['as_of']} 時点で、{age}日たっています。"
        f"municipalities.meta.yml の update の手順で新しい版に更新してください（出典: {info['source_url']}）。")


def test_the_list_says_where_it_comes_from():
    info = lgcode.list_info()
    assert info["license"] == "CC0 1.0" and "code4fukui/localgovjp" in info["source"]
    assert isinstance(info["as_of"], date) and info["update"]
    assert lgcode.list_age_days(date(2030, 1, 1)) > 365        # the freshness test above can fail


def test_every_code_is_well_formed_unique_and_every_prefecture_is_there():
    ms = lgcode.municipalities()
    assert all(lgcode.is_valid(c) and m.code == c for c, m in ms.items())
    assert {m.prefecture for m in ms.values()} == set(lgcode.PREFECTURES.values())
    assert {lgcode.prefecture_of(c) for c in ms} == set(lgcode.PREFECTURES.values())
    current = [m for m in ms.values() if m.current]
    assert 1900 < len(current) < 2000               # 47 都道府県 + 1741 市区町村 + 政令市の区 + 北方領土の6村
    for m in ms.values():
        assert m.prefecture == lgcode.prefecture_of(m.code)
        for s in m.successors:                      # a successor is itself a current code
            assert ms[s].current, (m.code, s)
    assert not lgcode.PRACTICE_CODES.keys() & ms.keys()


def test_lookup():
    m = lgcode.lookup("092011")
    assert (m.prefecture, m.name, m.kana, m.current) == ("栃木県", "宇都宮市", "うつのみやし", True)
    assert lgcode.lookup("130001").full_name == "東京都"
    assert lgcode.lookup("011011").full_name == "北海道札幌市中央区"
    old = lgcode.lookup("403059")
    assert (old.name, old.retired, old.successors) == ("那珂川町", "2018-10-01", ("402311",))
    assert lgcode.lookup("221350").successors == ("221392", "221384")
    assert lgcode.lookup("221406").valid_from == "2024-01-01"
    assert lgcode.lookup("013005") is None


def test_existence_problem_messages():
    rule, msg = lgcode.existence_problem("013005")
    assert rule == "CODE-01" and "013005" in msg and "北海道" in msg and msg.endswith("。")
    assert str(lgcode.list_info()["as_of"]) in msg
    rule, msg = lgcode.existence_problem("403059")
    assert rule == "CODE-02" and "2018-10-01" in msg and "402311（福岡県那珂川市）" in msg
    rule, msg = lgcode.existence_problem("221350")
    assert rule == "CODE-02" and "221392（静岡県浜松市浜名区） または 221384（静岡県浜松市中央区）" in msg
    assert "三方原地区" in msg
    for fine in ("131016", "010006", "099996", "131017", "92011", ""):
        assert lgcode.existence_problem(fine) is None        # current, practice, or left to L3-06


def test_check_standard_reports_codes_that_do_not_exist_or_were_retired():
    data = (HEADER + "092011,1,栃木県宇都宮市,A\n013005,2,北海道架空町,B\n221317,3,静岡県浜松市中区,C\n"
            "99996,4,栃木県架空市,D\n").encode()
    c = check_standard(data, "公共施設一覧")
    found = {(i.rule, i.file_row, i.column, i.value) for i in c.report if i.rule.startswith("CODE")}
    assert found == {("CODE-01", 3, "全国地方公共団体コード", "013005"),
                     ("CODE-02", 4, "全国地方公共団体コード", "221317")}
    assert all(i.severity == "error" for i in c.report if i.rule.startswith("CODE"))
    assert not c.report.ok


def test_check_existence_skips_blank_and_note_rows():
    df = pd.DataFrame({"全国地方公共団体コード": ["013005", "013005", "092011"], "名称": ["a", "b", "c"]})
    r = lgcode.check_existence(df, Report(), header_row=3, skip_rows={1})
    assert [(i.rule, i.row, i.file_row) for i in r] == [("CODE-01", 0, 4)]
