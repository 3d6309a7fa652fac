"""Logic models: stages in order, arrows forward, indicators on boxes, Japanese findings."""
import warnings

import pytest

from chiiki_iot.kpi import Indicator, KPIError, LogicModel, casebook_indicators


def minamiyamashiro():
    kpis = {i.name: i for i in casebook_indicators("南山城村")}
    lm = LogicModel("南山城村 観光")
    lm.add("input", "観光クラウド・Wi-Fi探知センサー")
    lm.add("activity", "来訪者情報の収集", after="観光クラウド・Wi-Fi探知センサー")
    lm.add("output", "来訪者調査の実施", after="来訪者情報の収集",
           indicators=[Indicator(name="調査を行った観光拠点数", unit="か所", target=5, direction="increase", stage="output")])
    lm.add("初期", "アンケート情報が集まる", [kpis["アンケート情報の収集"], kpis["HPへのアクセス数"]], after="来訪者調査の実施")
    lm.add("中間", "観光入込客数が増える", [kpis["観光入込客数"]], after="アンケート情報が集まる")
    lm.add("最終", "観光消費額が増える", [kpis["観光消費額"], kpis["商品販売額"]], after="観光入込客数が増える")
    return lm


def test_casebook_tiers_fit_the_outcome_stages():
    lm = minamiyamashiro()
    assert [i.stage for i in lm.indicators()][1:] == [
        "outcome_initial", "outcome_initial", "outcome_intermediate", "outcome_final", "outcome_final"]
    report = lm.check()
    assert report.findings == ["「来訪者情報の収集」（活動）に指標がありません。進み具合を何で測るかを決めましょう。"]
    table = lm.to_frame()
    assert table["段階"].tolist()[0] == "インプット（投入）"
    assert table.loc[table["指標"] == "観光消費額", "つながる先"].item() == ""
    assert table.loc[table["要素"] == "観光入込客数が増える", "つながる先"].item() == "観光消費額が増える"


def test_wrong_way_arrows_and_mismatched_tiers_are_refused():
    lm = minamiyamashiro()
    with pytest.raises(KPIError, match="戻る向きです"):
        lm.link("観光消費額が増える", "来訪者情報の収集")
    with pytest.raises(KPIError, match="段階は「最終アウトカム」ですが、「活動の成果」は「アウトプット（活動の結果）」です"):
        lm.add("output", "活動の成果", [casebook_indicators("南山城村")[-1]])
    with pytest.raises(KPIError, match="段階 '成果' が分かりません"):
        lm.add("成果", "何か")
    with pytest.raises(KPIError, match="「来訪者情報の収集」はもうあります"):
        lm.add("activity", "来訪者情報の収集")
    with pytest.raises(KPIError, match="「存在しない」という要素はありません"):
        lm.link("存在しない", "観光消費額が増える")


def test_missing_links_and_stages_are_reported():
    lm = LogicModel()
    lm.add("activity", "センサー設置")
    lm.add("最終", "被害額が減る")
    text = str(lm.check())
    assert "「インプット（投入）」の要素がありません" in text
    assert "「アウトプット（活動の結果）」の要素がありません" in text
    assert "「センサー設置」（活動）から先への矢印がありません" in text
    assert "「被害額が減る」（最終アウトカム）へ向かう矢印がありません" in text


def test_draw_without_missing_glyphs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = minamiyamashiro().draw()
        fig.canvas.draw()
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []
    texts = [t.get_text().replace("\n", "") for t in fig.axes[0].texts]
    assert texts[:2] == ["インプット（投入）", "観光クラウド・Wi-Fi探知センサー"]
    assert any("最終アウトカム" == t for t in texts)
    assert len(fig.axes[0].patches) == 6 + 5  # 6 boxes, 5 arrows
