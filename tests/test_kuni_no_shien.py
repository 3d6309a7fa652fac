"""The support-menu dataset of logical_thinking/09 (国の支援と財源): provenance and the figures against the seeds.

The seed documents live outside the repository (``shared/seeds`` beside it). Where they are present,
every ``as_printed`` string must occur in the original text of the document its row cites; the rates
and caps the notebook computes with are always checked against ``as_printed`` itself.
"""
from __future__ import annotations


import pytest

from chiiki_iot import data
from chiiki_iot.opendata import check_readability
from seed_texts import flat, seed_text

KYUSHU_2018 = "総務省九州総合通信局「九州における IoT 実装の推進」（平成30年8月）"
KYUSHU_2020 = "総務省九州総合通信局「九州におけるIoT実装の推進（総務省IoT関連施策）」（令和2年2月）"
SEED_OF = {KYUSHU_2018: "002", KYUSHU_2020: "000"}
MENUS = {"計画策定支援", "財政支援", "財政支援（特別交付税措置）", "人的支援", "普及促進"}


@pytest.fixture(scope="module")
def menus():
    return data.load("support_menus")


def test_dataset_says_where_it_comes_from(menus):
    about = data.info("support_menus")
    assert not about.synthetic and about.pages and about.notes
    assert KYUSHU_2018 in about.source and "（令和2年2月）" in about.source
    assert len(menus) == 29
    assert set(menus["source"]) == set(SEED_OF), "every row cites one of the two Kyushu bureau decks"
    assert set(menus["menu"]) == MENUS
    assert menus.notna().all().all(), "no empty cell: each row is one fact with its printed text"
    assert set(menus["fiscal_year"]) == {"2018", "2019", "2020"}, "西暦の年度（和暦は as_printed に残す）"
    # machine-readable as the open-data course teaches; the one warning is the quoted ①② of the original
    assert set(check_readability(data.HERE / "support_menus.csv").rules()) <= {"L1-08", "L3-08"}


def test_every_printed_string_occurs_in_the_document_its_row_cites(menus):
    missing = []
    for source, prefix in SEED_OF.items():
        seed = seed_text(prefix)
        rows = menus[menus["source"] == source]
        missing += [s for s in rows["as_printed"] if flat(s) not in seed]
    assert missing == []


def _row(menus, program, year, item):
    rows = menus[(menus["program"] == program) & (menus["fiscal_year"] == year) & (menus["item"] == item)]
    assert len(rows) == 1, (program, year, item)
    return rows.iloc[0]


def test_the_rates_and_caps_the_notebook_uses_are_the_printed_ones(menus):
    """Module 09 computes 国の補助 = min(事業費 × 1/2, 20,000千円): both numbers come from this row."""
    row = _row(menus, "地域IoT実装・共同利用推進事業", "2020", "補助率")
    assert "１／２" in row["as_printed"] and "補助額上限2,000万円" in row["as_printed"]
    assert "初期投資" in _row(menus, "地域IoT実装・共同利用推進事業", "2020", "対象経費")["as_printed"]
    # the special-tax caps differ in what they cap: the notebook's table says so, the data must agree
    assert "対象経費の上限額" in _row(menus, "地域におけるIoT実装推進のための特別交付税措置", "2018", "上限")["as_printed"]
    assert "措置額上限：1,000万円" in _row(menus, "地域IoT実装のための特別交付税措置", "2019", "措置率・上限")["as_printed"]
    assert "初年度のランニング経費" in _row(menus, "地域IoT実装のための特別交付税措置", "2019", "対象経費")["as_printed"]


def test_adviser_facts_the_graded_statements_rest_on(menus):
    """演習 5 marks ア・ウ・オ as true and イ・エ・カ as false; the true ones are printed facts."""
    adviser = menus[menus["program"] == "地域情報化アドバイザー派遣制度"]
    printed = " ".join(adviser["as_printed"])
    assert "旅費・謝金は総務省がお支払いいたします" in printed                       # ア
    assert "地方公共団体から推薦を受けた団体等に限ります" in printed               # ウ
    assert "原則年1回(7時間×3日間)まで" in printed                               # オ
    assert "審査を行い、派遣の可否を決定します" in printed                         # エ is false because of this
