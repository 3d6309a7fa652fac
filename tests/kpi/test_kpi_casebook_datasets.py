"""The casebook datasets: provenance, internal consistency, and the figures against the seed text.

The seed documents live outside the repository (``shared/seeds`` beside it).  Where they are
present, every ``as_printed`` string must occur in the original text; the numeric columns are
always checked against ``as_printed`` itself.
"""
import math
import re
import unicodedata

import pandas as pd
import pytest

from chiiki_iot import data
from seed_texts import flat, seed_text

CASEBOOK = "総務省 情報流通行政局 地域通信振興課「地域IoT実装のための計画策定・推進体制構築支援事業」事例集（平成31年4月）"
KYUSHU = "総務省九州総合通信局「九州におけるIoT実装の推進（総務省IoT関連施策）」（令和2年2月）"
SOCIETY5 = "総務省「Society5.0時代の地方」（平成31年1月）"

SHIPPED = {
    "casebook_kpis": ("001", CASEBOOK),
    "casebook_municipalities": ("001", CASEBOOK),
    "casebook_barriers": ("001", CASEBOOK),
    "casebook_trees": ("001", CASEBOOK),
    "casebook_projects": ("001", CASEBOOK),
    "casebook_budgets": ("001", CASEBOOK),
    "roadmap_2020_targets": ("001", CASEBOOK),
    "shiojiri_wildlife_sensors": ("004", SOCIETY5),
    "kerosene_lpwa_trial": ("000", KYUSHU),
}


def _numbers(text: str) -> list[float]:
    text = unicodedata.normalize("NFKC", text)
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_dataset_cites_its_source(name):
    about = data.info(name)
    assert about.source == SHIPPED[name][1]
    assert about.pages and about.notes and not about.synthetic
    df = data.load(name)
    assert len(df) > 0 and df.attrs["source"].startswith(SHIPPED[name][1])
    # every row has exactly the header's fields (an unquoted comma would shift a row into the index)
    assert df.index.equals(pd.RangeIndex(len(df)))


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_printed_strings_occur_in_theseed_text(name):
    seed = seed_text(SHIPPED[name][0])
    df = data.load(name)
    column = {"casebook_trees": "label", "casebook_projects": "project", "casebook_barriers": "case_text"}.get(name, "as_printed")
    missing = [s for s in df[column] if flat(s) not in seed]
    assert missing == []
    if name == "casebook_barriers":
        assert [s for s in df["symptom"] if flat(s) not in seed] == []


def test_kpi_numbers_match_their_printed_text():
    df = data.load("casebook_kpis")
    assert len(df) == 34
    assert df.groupby("municipality").size().to_dict() == {
        "信濃町": 4, "羽咋市": 4, "南山城村": 6, "四條畷市": 4, "安来市": 4, "美祢市": 5, "宇城市": 7}
    for row in df.itertuples():
        printed = _numbers(row.as_printed)
        for column in ("baseline", "baseline_year", "target", "target_year", "milestone_year", "milestone"):
            value = getattr(row, column)
            if isinstance(value, float) and math.isnan(value):
                continue
            if column == "target" and row.derived == "target":
                continue
            assert float(value) in printed, (row.indicator, column, value, printed)
    paper = df[df["indicator"].str.contains("紙の使用枚数")].iloc[0]
    assert "25％削減" in paper["as_printed"] and paper["target"] == 403000 * 0.75
    assert set(df["direction"]) == {"高いほど良い", "低いほど良い"}
    assert sorted(df.loc[df["direction"] == "低いほど良い", "unit"]) == ["千円", "時間", "枚"]
    assert set(df["tier"].dropna()) == {"初期", "中間", "最終"}


def test_kpis_without_baseline_are_the_ones_the_casebook_leaves_blank():
    df = data.load("casebook_kpis")
    blank = df[df["baseline"].isna()]
    assert sorted(blank["municipality"]) == ["四條畷市", "安来市", "安来市", "安来市"]


def test_municipality_profiles():
    df = data.load("casebook_municipalities").set_index("municipality")
    assert list(df.index) == ["信濃町", "羽咋市", "南山城村", "四條畷市", "安来市", "美祢市", "宇城市"]
    assert df.loc["四條畷市", "population"] == 55802 and df.loc["安来市", "area_km2"] == 420.93
    for name, row in df.iterrows():
        printed = _numbers(row["as_printed"])
        assert {row["population"], row["aging_rate_pct"], row["area_km2"]} <= set(printed), name
        assert row["plan_start_fy"] == 2019 and row["plan_end_fy"] >= 2021
    assert sorted(df.index[df["plan_end_fy"] >= 2023]) == sorted(["羽咋市", "南山城村", "四條畷市", "安来市"])


def test_barrier_index_counts():
    df = data.load("casebook_barriers")
    assert len(df) == 29 and df["code"].is_unique
    assert df["code"].str[0].value_counts().to_dict() == {"A": 9, "B": 15, "C": 5}
    assert df.groupby("municipality").size().to_dict() == {
        "信濃町": 5, "羽咋市": 3, "南山城村": 3, "四條畷市": 3, "安来市": 3, "美祢市": 5, "宇城市": 7}
    # the two 推進体制の確立 symptoms at the application stage, matched through the case pages
    a7, a8 = df.set_index("code").loc[["A⑦", "A⑧"]].itertuples()
    assert a7.municipality == "安来市" and "全市的な推進体制" in a7.symptom and "全市的な推進体制" in a7.case_text
    assert a8.municipality == "宇城市" and "理解を得ることに苦労" in a8.case_text


def test_budgets_add_up():
    df = data.load("casebook_budgets")
    shinano = df[df["municipality"] == "信濃町"]
    total = shinano[shinano["item"].str.startswith("総事業費")]["amount_thousand_yen"].item()
    assert total == 31880 == shinano[shinano["item"] == "年度別事業費"]["amount_thousand_yen"].sum()


def test_roadmap_values_match_printed_targets():
    df = data.load("roadmap_2020_targets")
    assert len(df) == 35
    assert set(df["model_reading"]) == {"原文から明らか", "推定"}
    for row in df.dropna(subset=["value"]).itertuples():
        printed = unicodedata.normalize("NFKC", row.target_printed)
        scale = 10_000 if "万" in printed else 1
        assert row.value in [n * scale for n in _numbers(printed)], row.indicator


def test_kerosene_trial_arithmetic_and_the_printed_typo():
    v = data.load("kerosene_lpwa_trial").set_index("item")["value"]
    saved = (v["実配送日数（実証前）"] - v["実配送日数（実証後）"]) * v["配送スタッフ人件費"]
    assert saved == v["人件費節減額"] == 455_000
    system = math.floor(v["システム利用料"] * v["実証期間"] / 365 * v["センサー台数"])
    assert system == 122_778 and v["システム導入費用"] == 122_788  # the deck's figure is 10 yen off
    assert saved - system == v["プラス効果"] == 332_222


def test_shiojiri_pilot_and_spread():
    df = data.load("shiojiri_wildlife_sensors")
    pilot = df[df["case"].str.contains("実証")]
    damage = pilot[pilot["item"] == "被害面積"].set_index("fiscal_year")["value"].to_dict()
    income = pilot[pilot["item"] == "稲作収入"].set_index("fiscal_year")["value"].to_dict()
    assert damage == {"2011": 85, "2012": 20, "2013": 0}
    assert income == {"2011": 354, "2012": 1890, "2013": 2362}
    spread = df[df["case"].str.startswith("横展開")].set_index("item")["value"]
    assert spread["鳥獣被害対策に要した経費"] == 13583 and spread["鳥獣被害軽減額（稼動開始から1年間）"] == 2703

