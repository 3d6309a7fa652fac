"""MECE checks: planted overlaps and gaps must be found and explained in Japanese."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki_iot.data import load
from chiiki_iot.logic import LogicTree, TreeError, check_partition, check_product, check_sum, check_tree


def test_clean_partition_is_ok():
    report = check_partition(["柵", "わな", "GIS地図"], {"防御": ["柵"], "捕獲": ["わな"], "生息域の把握": ["GIS地図"]})
    assert report.ok and report.findings == []
    assert "漏れもダブりも見つかりませんでした" in str(report)


def test_planted_overlap_and_gap_are_found():
    report = check_partition(
        ["柵", "わな", "忌避剤", "GIS地図"], {"防御": ["柵", "忌避剤"], "捕獲": ["わな", "柵"]}, name="イノシシ対策"
    )
    assert not report.ok
    assert report.overlaps == {"柵"}
    assert report.gaps == {"GIS地図"}
    text = str(report)
    assert "ダブり: 「柵」が「防御」と「捕獲」の両方に入っています" in text
    assert "漏れ: 「イノシシ対策」の「GIS地図」がどの分類にも入っていません" in text


def test_item_outside_the_whole_is_reported():
    report = check_partition(["外国人", "日本人"], {"外国人": ["外国人"], "日本人": ["日本人"], "リピーター": ["リピーター"]})
    assert [f.kind for f in report.errors] == ["outside"]
    assert "「リピーター」は「全体」に含まれない項目です" in str(report)


def test_overlap_in_three_parts_is_one_finding():
    report = check_partition(None, {"A": ["x"], "B": ["x"], "C": ["x"]})
    assert len(report.of_kind("overlap")) == 1
    assert "「A」と「B」と「C」に重なって入っています" in str(report)


def test_partition_needs_lists_not_strings():
    with pytest.raises(TreeError, match="リスト"):
        check_partition(["a"], {"X": "a"})
    with pytest.raises(TreeError, match="辞書"):
        check_partition(["a"], {})


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from(list("ABCDEF")), st.sets(st.integers(0, 15), max_size=6), min_size=1))
def test_partition_findings_match_set_arithmetic(parts):
    whole = set(range(12))
    report = check_partition([str(i) for i in whole], {k: [str(i) for i in v] for k, v in parts.items()})
    covered = set().union(*parts.values())
    counts = {i: sum(i in v for v in parts.values()) for i in covered}
    assert report.gaps == {str(i) for i in whole - covered}
    assert report.overlaps == {str(i) for i, n in counts.items() if n > 1}
    assert report.ok == (covered == whole and all(n == 1 for n in counts.values()))


def test_numbers_must_add_up():
    assert check_sum(31880, {"2019": 9700, "2020": 15300, "2021": 6880}).ok
    short = check_sum(100, {"A": 60, "B": 30}, name="予算")
    assert "「予算」は 100 ですが、子の合計は 90 で、10 足りません" in str(short)
    over = check_sum(100, {"A": 60, "B": 50})
    assert "10 多すぎます。ダブって数えている" in str(over)
    assert check_sum(100.1, {"A": 50, "B": 50}, tolerance=0.1).ok
    assert not check_sum(100.2, {"A": 50, "B": 50}, tolerance=0.1).ok
    with pytest.raises(TreeError, match="数ではありません"):
        check_sum(100, {"A": "六十"})


def test_numbers_must_multiply_up_minamiyamashiro():
    """観光消費額 1,835百万円 = 観光入込客数 868千人 × 1人あたり 2.114千円 (casebook p.22)."""
    per_visitor = 1835 / 868
    assert round(per_visitor * 1000) == 2114  # yen per visitor
    assert check_product(1835, {"入込客数": 868, "1人あたり": per_visitor}, tolerance=1e-6).ok
    assert not check_product(1835, {"入込客数": 868, "1人あたり": 2.0}).ok


def test_tree_check_finds_planted_overlap_gap_and_duplicate_words():
    tree = LogicTree.from_text(
        """
        イノシシ被害対策
          防御
            柵
            忌避剤
          捕獲
            柵
            わな
          捕獲
            わな
        """
    )
    report = check_tree(tree, universe=["柵", "忌避剤", "わな", "加工場"])
    kinds = sorted(f.kind for f in report.errors)
    assert kinds == ["gap", "overlap", "overlap", "overlap"]
    text = str(report)
    assert "同じ言葉の箱「捕獲」が 2 つあります" in text
    assert "「柵」が「防御」と「捕獲」の両方に入っています" in text
    assert "「加工場」がどの分類にも入っていません" in text
    assert "「わな」が「捕獲」と「捕獲（3番目）」の両方に入っています" in text


def test_tree_items_and_values_are_checked_at_every_level():
    tree = LogicTree.from_dict(
        {"label": "総事業費", "value": 31880, "children": [
            {"label": "2019年度", "value": 9700},
            {"label": "2020年度", "value": 15300},
            {"label": "2021年度", "value": 6000},
        ]}
    )
    report = tree.check_mece()
    assert [f.kind for f in report.findings] == ["mismatch"]
    assert "880 足りません" in str(report)
    tree.find("2021年度").value = 6880
    assert tree.check_mece().ok
    tree.find("2021年度").value = None
    assert [f.kind for f in tree.check_mece().findings] == ["missing_value"]


def test_parent_items_define_the_whole():
    tree = LogicTree.from_dict({"label": "来訪者", "items": ["外国人", "日本人"], "children": [
        {"label": "外国人"}, {"label": "日帰り客", "items": ["日本人", "外国人"]}]})
    report = tree.check_mece()
    assert report.overlaps == {"外国人"}


def test_single_child_and_role_order_are_warnings_not_errors():
    tree = LogicTree.from_dict({"label": "将来像X", "role": "将来像", "children": [
        {"label": "施策Y", "role": "施策", "children": [{"label": "課題Z", "role": "課題"}, {"label": "事業W", "role": "事業"}]},
        {"label": "問題V", "role": "問題", "children": ["まとめ"]}]})
    report = tree.check_mece()
    assert report.ok  # nothing breaks MECE ...
    assert sorted(f.kind for f in report.warnings) == ["role_order", "single_child"]  # ... but two things to look at
    assert "「施策」の「施策Y」の下に「課題」の「課題Z」があります" in str(report)


def test_barrier_index_is_a_clean_classification_by_stage():
    """The casebook's 29 barriers (pp.16-17) split into the 3 stages without overlap or gap."""
    df = load("casebook_barriers")
    by_stage = {stage: list(group["code"]) for stage, group in df.groupby("stage")}
    assert check_partition(df["code"], by_stage).ok
    moved = {k: list(v) for k, v in by_stage.items()}
    moved["計画策定段階"].append("A①")  # planted overlap
    moved["総務省支援事業への応募段階"].remove("A⑨")  # planted gap
    report = check_partition(df["code"], moved)
    assert report.overlaps == {"A①"} and report.gaps == {"A⑨"}
