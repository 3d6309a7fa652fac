"""Achievement rates (both directions), planned paths with milestones, status, progress charts."""
import warnings

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chiiki_iot.kpi import (
    Indicator,
    KPIError,
    achievement_rate,
    cagr,
    casebook_indicators,
    planned_path,
    planned_value,
    plot_progress,
    progress_table,
    status,
)

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def nursery():
    return next(i for i in casebook_indicators("四條畷市") if i.name.startswith("保育所"))


def test_casebook_examples():
    uki_damage = next(i for i in casebook_indicators("宇城市") if i.name == "農作物被害額")
    assert uki_damage.achievement(27000) == pytest.approx(0.677, abs=5e-4)
    hours = nursery()
    assert hours.milestones == {2019: 2262.0}
    assert hours.achievement(2400, year=2019) == pytest.approx(0.8)  # against the 2019 milestone
    assert hours.achievement(2262, year=2019) == pytest.approx(1.0)
    assert hours.achievement(486) == pytest.approx(1.0)


@settings(max_examples=200, deadline=None)
@given(finite, finite, finite)
def test_gap_rate_is_zero_at_baseline_one_at_target_and_linear(baseline, target, actual):
    assume(abs(target - baseline) > 1e-3)
    assert achievement_rate(baseline, target, baseline) == pytest.approx(0, abs=1e-9)
    assert achievement_rate(baseline, target, target) == pytest.approx(1)
    mid = (baseline + target) / 2
    assert achievement_rate(baseline, target, mid) == pytest.approx(0.5)
    # a better actual never gives a lower rate, whichever way is better
    better = actual + 0.1 * (target - baseline)
    assert achievement_rate(baseline, target, better) >= achievement_rate(baseline, target, actual) - 1e-9


@settings(max_examples=100, deadline=None)
@given(st.floats(1, 1e6), st.floats(1, 1e6), st.floats(1, 1e6))
def test_ratio_method_both_directions(target, actual, other):
    assert achievement_rate(None, target, actual, method="ratio", direction="increase") == pytest.approx(actual / target)
    assert achievement_rate(None, target, actual, method="ratio", direction="decrease") == pytest.approx(target / actual)


def test_rate_errors_tell_what_to_do():
    with pytest.raises(KPIError, match="基準値（現状値）がないため、達成率を計算できません"):
        achievement_rate(None, 100, 50)
    with pytest.raises(KPIError, match="改善幅が 0"):
        achievement_rate(100, 100, 50)
    with pytest.raises(KPIError, match="目標値 80 が基準値 100 より悪い方向"):
        achievement_rate(100, 80, 90, direction="increase")
    with pytest.raises(KPIError, match='method="ratio" では direction'):
        achievement_rate(100, 120, 110, method="ratio")
    with pytest.raises(KPIError, match="method='percent' は使えません"):
        achievement_rate(100, 120, 110, method="percent")
    yasugi = casebook_indicators("安来市")[0]
    with pytest.raises(KPIError, match="「専用アプリのダウンロード割合」には基準値（現状値）がない"):
        yasugi.achievement(12)


def test_planned_path_goes_through_milestones():
    path = planned_path(nursery())
    assert path.to_dict() == {2018: 2952.0, 2019: 2262.0, 2020: 486.0}
    mine = next(i for i in casebook_indicators("美祢市") if i.name == "訪日外国人入洞者数")
    linear = planned_path(mine)
    assert linear[2017] == 4.3 and linear[2022] == pytest.approx(10.8) and linear[2020] == pytest.approx(8.2)
    geometric = planned_path(mine, method="cagr")
    assert geometric[2022] == pytest.approx(10.8)
    assert geometric[2018] / geometric[2017] == pytest.approx(1 + cagr(4.3, 10.8, 5))
    assert cagr(43000, 108000, 5) == pytest.approx(0.2022, abs=1e-4)
    with pytest.raises(KPIError, match="2025年は「訪日外国人入洞者数」の計画期間（2017〜2022年）の外です"):
        planned_value(mine, 2025)
    with pytest.raises(KPIError, match="目標年がないため"):
        planned_path(Indicator(name="事業導入数", unit="事業/年", baseline=0, baseline_year=2018, target=8, direction="increase"))


def test_status_labels_and_advice():
    hours = nursery()
    assert status(hours, 2019, 2200).label == "順調"
    assert status(hours, 2019, 2400).label == "やや遅れ"
    assert status(hours, 2019, 2800).label == "遅れ"
    assert status(hours, 2019, 3000).label == "悪化"
    assert status(hours, 2019, 480).label == "達成"
    late = status(hours, 2020, 1000)
    assert late.label == "未達成" and "次の計画に生かしましょう" in late.advice
    assert "PDCA" in str(status(hours, 2019, 2800))


def test_progress_table_in_japanese():
    traps = next(i for i in casebook_indicators("宇城市") if i.name == "スマート罠設置数")
    table = progress_table(traps, {2018: 50, 2019: 70, 2020: 80, 2022: 130})
    assert table.columns.tolist() == ["年", "実績", "計画値", "達成率", "計画に対する進み具合", "状況", "次にすること"]
    assert table["状況"].tolist() == ["順調", "順調", "やや遅れ", "達成"]
    assert table.loc[0, "計画値"] == pytest.approx(47.0)
    with pytest.raises(KPIError, match="実績が空です"):
        progress_table(traps, {})


def test_progress_chart_has_japanese_labels_and_no_missing_glyphs(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plot_progress(nursery(), {2019: 2400, 2020: 900})
        fig.savefig(tmp_path / "progress.png")
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []
    ax = fig.axes[0]
    assert ax.get_title() == "保育所入所手続き時間数（申請から通知まで）（低いほど良い）"
    assert ax.get_ylabel() == "時間" and ax.get_xlabel() == "年"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["計画（基準値→目標値）", "基準値", "中間目標", "目標値", "実績"]
    assert (tmp_path / "progress.png").stat().st_size > 10_000
