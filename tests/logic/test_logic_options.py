"""Choosing solutions: ICT vs non-ICT balance, weighted criteria matrix."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki_iot.logic import CriteriaMatrix, Option, TreeError, compare_options


def test_only_ict_options_are_flagged():
    table, findings = compare_options([
        Option("AI入所選考", "ICT/IoT", issue="入所手続きの負担"),
        Option("RPAで結果通知", "ICT/IoT", issue="入所手続きの負担"),
        Option("防護柵の設置補助", "経済的手法", issue="イノシシ被害"),
        Option("集落ぐるみの追い払い", "人的サービス", issue="イノシシ被害"),
        Option("スマートわな", "ICT/IoT", issue="イノシシ被害"),
        Option("狩猟免許取得の支援制度", "規制・制度", issue="イノシシ被害"),
    ])
    assert table.loc["入所手続きの負担", "ICT/IoT"] == "AI入所選考、RPAで結果通知"
    assert findings == ["「入所手続きの負担」にはICT/IoT以外の案がありません。人的サービス・経済的手法・規制・制度も含めてバランスよく考えましょう。"]
    with pytest.raises(TreeError, match="種類「補助金」が分かりません"):
        Option("x", "補助金")


def test_weighted_ranking_and_weight_change_flip():
    m = CriteriaMatrix({"緊急性": 2, "実現可能性": 2, "首長の重視": 1})
    m.score("防災", 緊急性=5, 実現可能性=3, 首長の重視=4)
    m.score("鳥獣被害", 緊急性=3, 実現可能性=5, 首長の重視=5)
    m.score("観光", 緊急性=2, 実現可能性=3, 首長の重視=3)
    assert m.weights_table().sum() == pytest.approx(1)
    assert m.ranking()["案"].tolist() == ["鳥獣被害", "防災", "観光"]
    assert m.with_weights(緊急性=6).ranking()["案"].tolist()[0] == "防災"
    assert m.ranking()["案"].tolist() == ["鳥獣被害", "防災", "観光"]  # the original is unchanged


def test_ties_keep_scoring_order():
    m = CriteriaMatrix({"効果": 1})
    m.score("B案", 効果=3)
    m.score("A案", 効果=3)
    assert m.ranking()["順位"].tolist() == [1, 2] and m.ranking()["案"].tolist() == ["B案", "A案"]


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["効果", "費用", "速さ", "公平"]), st.floats(0.1, 10), min_size=1),
       st.lists(st.floats(1, 5), min_size=4, max_size=4))
def test_total_is_a_weighted_mean_within_the_scale(weights, values):
    m = CriteriaMatrix(weights)
    m.score("案", **{c: v for c, v in zip(weights, values)})
    total = m.ranking()["合計点"].item()
    used = values[: len(weights)]
    assert min(used) - 1e-9 <= total <= max(used) + 1e-9


def test_bad_scores_say_what_to_fix():
    m = CriteriaMatrix({"効果": 1, "費用": 1})
    with pytest.raises(TreeError, match="点数がない基準: 費用"):
        m.score("案", 効果=3)
    with pytest.raises(TreeError, match="1〜5 の数にしてください"):
        m.score("案", 効果=3, 費用=9)
    with pytest.raises(TreeError, match="まだ案に点数がついていません"):
        m.ranking()
    with pytest.raises(TreeError, match="重みの合計が 0"):
        CriteriaMatrix({"効果": 0})
