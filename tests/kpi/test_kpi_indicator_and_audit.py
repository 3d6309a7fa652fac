"""Indicators: validation with Japanese errors, and the audit of the casebook's KPIs."""
import pytest

from chiiki_iot.kpi import Indicator, KPIError, audit, casebook_indicators, from_frame, to_frame
from chiiki_iot.data import load


def make(**kw):
    base = dict(name="来訪者数", unit="人", baseline=100, baseline_year=2018, target=150, target_year=2023, direction="increase")
    base.update(kw)
    return Indicator(**base)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"direction": "多い方"}, "direction='多い方' が分かりません"),
        ({"direction": None}, "direction=None が分かりません"),
        ({"target": None}, "目標値（target）がありません"),
        ({"target": "150人"}, "目標値（target） '150人' が数として読めません。単位は unit に書き"),
        ({"name": " "}, "指標名（name）が空です"),
        ({"baseline_year": 2024}, "目標年 2023 が基準年 2024 より後になっていません"),
        ({"target_year": "令和5年"}, "西暦の整数（例: 2023）"),
        ({"accumulation": "合計"}, "accumulation='合計' が分かりません"),
        ({"stage": "成果"}, "段階 '成果' が分かりません"),
        ({"milestones": {2025: 120}}, "中間目標の年 2025 が基準年と目標年の間にありません"),
    ],
)
def test_bad_input_says_what_to_do(kw, message):
    with pytest.raises(KPIError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make(**kw)


def test_aliases_are_accepted_and_normalized():
    ind = make(direction="低いほど良い", target=80, accumulation="累計", stage="中間", target_year="2023年度",
               baseline="1,000", milestones={"2020": "90"})
    assert ind.direction == "decrease" and ind.direction_ja == "低いほど良い"
    assert ind.accumulation == "cumulative" and ind.stage == "outcome_intermediate"
    assert ind.target_year == 2023 and ind.baseline == 1000.0 and ind.milestones == {2020: 90.0}
    assert make(direction=-1, target=50).direction == "decrease"
    assert make(direction="+1").direction == "increase"


def test_describe_and_table_rows():
    ind = casebook_indicators("四條畷市")[-1]
    assert ind.describe() == (
        "保育所入所手続き時間数（申請から通知まで）：2,952時間（2018年）→2,262時間（2019年）→486時間（2020年）［低いほど良い］"
    )
    df = to_frame(casebook_indicators())
    assert len(df) == 34 and list(df.columns[:4]) == ["団体", "分野", "指標", "単位"]
    assert from_frame(df)[-1].name == "農作物被害額"  # Japanese column names read back too


def test_casebook_indicators_by_municipality():
    assert len(casebook_indicators()) == 34
    uki = casebook_indicators("宇城市")
    assert [i.direction for i in uki].count("decrease") == 1
    with pytest.raises(KPIError, match="「大阪市」の指標はありません"):
        casebook_indicators("大阪市")


def test_from_frame_names_the_bad_row():
    df = load("casebook_kpis").head(3).copy()
    df.loc[1, "direction"] = "よくわからない"
    with pytest.raises(KPIError, match="^2 行目: 「雪下野菜の販売額」の direction"):
        from_frame(df)


def test_audit_of_the_casebook_kpis():
    report = audit(load("casebook_kpis"), plan_start=2019, require_source=False)
    errors = {(f.indicator, f.smart) for f in report.findings if f.severity == "error"}
    # Yasugi's three KPIs and Shijonawate's task-inventory KPI have no baseline (pp.24, 26)
    no_baseline = sorted(f.indicator for f in report.findings if "基準値（現状値）がありません" in f.message)
    assert no_baseline == sorted([
        "業務棚卸しによる事業導入数", "専用アプリのダウンロード割合",
        "要援護者等で一定の要件を満たす方への専用戸別受信機の設置割合", "要援護者等・職員の安否確認訓練による確認割合"])
    # ... Shijonawate's task-inventory KPI has no target year ("８事業/年")
    assert ("業務棚卸しによる事業導入数", "T") in errors
    # Shijonawate's app downloads: baseline year 2021 is after the plan start
    late = [f for f in report.findings if "計画の開始（2019年度）より後" in f.message]
    assert [f.indicator for f in late] == ["情報収集・伝達の迅速化【アプリの提供状況】"]
    # cumulative vs annual is stated for 4 of 34 only
    unstated = [f for f in report.findings if "累計か" in f.message]
    assert len(unstated) == 30
    assert report.to_frame().columns.tolist() == ["指標", "重さ", "SMART", "指摘"]
    assert "■ 農作物被害額" in str(report)


def test_audit_finds_planted_problems():
    bad = make(target=80, unit="", accumulation=None)  # increase KPI whose target is below its baseline
    findings = audit(bad, plan_start=2019, plan_end=2021).for_indicator("来訪者数")
    messages = " ".join(f.message for f in findings)
    assert "単位がありません" in messages
    assert "目標値 80 が基準値 100 より悪い方向" in messages
    assert "目標年 2023 が計画期間（〜2021年度）の外" in messages
    assert "データの出所がありません" in messages and "測定の頻度がありません" in messages
    pct = audit(make(unit="%", target=120, accumulation="level", data_source="台帳", frequency="毎年度末"))
    assert [f.message[:10] for f in pct.findings] == ["単位が % なのに目"]
    good = make(accumulation="annual", data_source="観光入込客統計", frequency="毎年度末")
    assert audit(good, plan_start=2019, plan_end=2023).findings == []
