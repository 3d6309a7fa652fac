"""Real figures shipped from the seed documents: loadable, cited, internally consistent."""
from chiiki_iot import data
from chiiki_iot.opendata import check_readability, is_valid_lgcode
from chiiki_iot.data import HERE

MINE = ["wifi_disaster_bases_2019", "municipal_iot_survey_fy2018", "municipal_iot_barriers_fy2018",
        "advisor_requests_fy2017", "advisor_requests_by_bureau_fy2017"]


def test_cited_and_not_synthetic():
    for name in MINE:
        info = data.info(name)
        assert not info.synthetic and "総務省" in info.source and info.pages
        assert check_readability(HERE / f"{name}.csv").rules() == ["L3-08"], name


def test_wifi_table_matches_the_printed_total_row():
    df = data.load("wifi_disaster_bases_2019")
    assert len(df) == 47 and all(map(is_valid_lgcode, df["全国地方公共団体コード"]))
    sums = df.drop(columns=["全国地方公共団体コード", "都道府県名", "整備率_パーセント"]).sum().tolist()
    assert sums == [22272, 3984, 26256, 4172, 311, 4483, 30739]          # 合計 row of the source table
    assert (df["整備済み_防災拠点"] + df["整備済み_公的拠点"] == df["整備済み_合計"]).all()
    assert ((df["整備済み_合計"] / df["合計"] * 100).round(1) - df["整備率_パーセント"]).abs().max() < 0.051
    assert round(sums[2] / sums[6] * 100, 1) == 85.4


def test_survey_counts_sum_to_n_and_match_printed_percentages():
    df = data.load("municipal_iot_survey_fy2018")
    for year, n in ((2018, 1618), (2017, 773), (2014, 733)):
        part = df[df["調査年度"] == year]
        assert part["団体数"].sum() == n and (part["回答団体数"] == n).all()
    fy18 = df[df["調査年度"] == 2018].set_index("回答区分")["団体数"] / 1618 * 100
    assert round(fy18["既に取組を実施している"], 1) == 16.8
    assert round(fy18["関心はあるが、特段の取組を行っていない"], 1) == 54.6
    assert round(fy18.iloc[:4].sum(), 1) == 96.2
    barriers = data.load("municipal_iot_barriers_fy2018").set_index("課題")["団体数"]
    assert round(barriers["制度・法令の制約が大きい"] / 1618 * 100, 1) == 6.4


def test_advisor_requests_total_203_both_ways():
    by_field = data.load("advisor_requests_fy2017").set_index("分野")["応募団体数"]
    assert by_field.sum() == 203 == data.load("advisor_requests_by_bureau_fy2017")["応募団体数"].sum()
    assert by_field.idxmax() == "オープンデータ" and by_field.max() == 35
