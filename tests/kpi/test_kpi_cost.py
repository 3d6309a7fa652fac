"""Cost-effectiveness: the seed cases' figures, NPV properties, sensitivity of the conclusion."""
import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki_iot import data
from chiiki_iot.kpi import CostModel, KPIError, npv, running_cost

money = st.floats(min_value=0, max_value=1e7, allow_nan=False)
rates = st.floats(min_value=0, max_value=0.2)


def shiojiri(**kw):
    """The 13 copying municipalities' averages (Society5.0時代の地方): cost 13,583千円, first-year benefit 2,703千円."""
    spread = data.load("shiojiri_wildlife_sensors").set_index("item")["value"]
    base = dict(initial_cost=float(spread["鳥獣被害対策に要した経費"]),
                annual_benefit=float(spread["鳥獣被害軽減額（稼動開始から1年間）"]), years=10, unit="千円")
    base.update(kw)
    return CostModel(**base)


def test_shiojiri_payback_and_break_even():
    m = shiojiri()
    assert m.payback_years() == pytest.approx(5.025, abs=1e-3)
    assert m.bc_ratio() == pytest.approx(27030 / 13583)
    assert m.break_even("years") == 6  # first whole year with NPV ≥ 0, no discounting
    assert m.with_changes(discount_rate=0.04).break_even("years") == 6
    assert m.with_changes(discount_rate=0.1).break_even("years") == 8
    assert "B/C 1.99" in m.summary() and "約 5.0 年" in m.summary()


def test_kerosene_trial_net_benefit():
    v = data.load("kerosene_lpwa_trial").set_index("item")["value"]
    system = running_cost(v["システム利用料"], v["センサー台数"], v["実証期間"])
    assert math.floor(system) == 122_778
    saving = v["実配送日数の削減"] * v["配送スタッフ人件費"]
    assert saving - math.floor(system) == v["プラス効果"]


@settings(max_examples=100, deadline=None)
@given(money, money, money, st.integers(1, 30), rates, st.floats(0.001, 0.1))
def test_npv_falls_as_costs_or_discount_rise(initial, running, benefit, years, rate, bump):
    m = CostModel(initial_cost=initial, annual_running_cost=running, annual_benefit=benefit, years=years, discount_rate=rate)
    assert m.with_changes(initial_cost=initial + 1).npv() < m.npv()
    assert m.with_changes(annual_running_cost=running + 1).npv() < m.npv()
    assert m.with_changes(annual_benefit=benefit + 1).npv() > m.npv()
    net = benefit - running
    higher = m.with_changes(discount_rate=rate + bump).npv()
    if net > 0:
        assert higher < m.npv() + 1e-6
    elif net < 0:
        assert higher > m.npv() - 1e-6
    # NPV equals the discounted cash flow table and the plain npv() of its flows
    flows = m.cashflows()["純効果"].tolist()
    assert m.npv() == pytest.approx(npv(rate, flows), rel=1e-9, abs=1e-6)
    assert m.cashflows()["割引後の純効果"].sum() == pytest.approx(m.npv(), rel=1e-9, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.floats(1, 1e6), st.floats(0, 1e5), st.floats(0, 1e5), st.integers(1, 20), rates)
def test_break_even_flips_the_conclusion(initial, running, benefit, years, rate):
    m = CostModel(initial_cost=initial, annual_running_cost=running, annual_benefit=benefit, years=years, discount_rate=rate)
    for parameter in ("initial_cost", "annual_benefit", "annual_running_cost"):
        value = m.break_even(parameter)
        if value >= 0:
            assert m.with_changes(**{parameter: value}).npv() == pytest.approx(0, abs=1e-6 * max(1, initial, benefit * years))


def test_sensitivity_and_tornado_show_when_the_conclusion_changes():
    m = shiojiri(years=5)  # over 5 years the averages do not pay back
    table = m.sensitivity("years", [5, 6, 10])
    assert table["結論"].tolist() == ["費用が上回る", "効果が上回る", "効果が上回る"]
    tornado = m.tornado(0.2)
    # 13,583 of cost against 13,515 of benefit over 5 years: ±20% of either flips the conclusion
    assert tornado["前提"].tolist() == ["初期費用", "効果（年）", "運用費（年）"]
    assert tornado.loc[tornado["前提"] == "効果（年）", "結論が変わる"].item()
    assert tornado.loc[tornado["前提"] == "初期費用", "結論が変わる"].item()
    assert not tornado.loc[tornado["前提"] == "運用費（年）", "結論が変わる"].item()  # running cost is 0 here


def test_payback_never_when_running_cost_eats_the_benefit():
    m = CostModel(initial_cost=100, annual_benefit=10, annual_running_cost=10)
    assert math.isinf(m.payback_years())
    assert "回収できません" in m.summary()


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"initial_cost": -1}, "初期費用（initial_cost）がマイナスです"),
        ({"years": 0}, "評価期間（years）は 1 以上の整数"),
        ({"discount_rate": 4}, "4% なら 0.04"),
        ({"annual_benefit": "2,703"}, "効果（年）（annual_benefit）が数ではありません"),
    ],
)
def test_bad_cost_input(kw, message):
    base = dict(initial_cost=100, annual_benefit=30)
    base.update(kw)
    with pytest.raises(KPIError, match=message.replace("(", r"\(").replace(")", r"\)")):
        CostModel(**base)
    with pytest.raises(KPIError, match="変えられる前提にありません"):
        CostModel(initial_cost=1, annual_benefit=1).sensitivity("price", [1])


def test_cost_chart_without_missing_glyphs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = shiojiri(name="鳥獣被害対策（13事業者の平均）").plot()
        fig.canvas.draw()
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []
    ax = fig.axes[0]
    assert ax.get_title() == "鳥獣被害対策（13事業者の平均）" and ax.get_ylabel() == "千円"
    assert "回収（約 5.0 年）" in [t.get_text() for t in ax.get_legend().get_texts()]
