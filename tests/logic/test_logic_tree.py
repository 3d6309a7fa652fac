"""The logic tree model: building from dict / text / YAML, round trips, errors a learner sees."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki_iot.logic import LogicTree, Node, TreeError, merge

SAFE_CHARS = "あいうえお課題施策原因要素観光農業防災ABCxyz0123（）「」"
labels = st.text(alphabet=SAFE_CHARS, min_size=1, max_size=8)
nodes = st.recursive(
    labels.map(Node),
    lambda children: st.builds(lambda label, kids: Node(label, list(kids)), labels, st.lists(children, min_size=1, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(nodes)
def test_text_round_trip(root):
    tree = LogicTree(root)
    assert LogicTree.from_text(tree.to_text()) == tree


@settings(max_examples=60, deadline=None)
@given(nodes)
def test_dict_round_trip_and_dict_text_dict(root):
    tree = LogicTree(root)
    data = tree.to_dict()
    assert LogicTree.from_dict(data) == tree
    assert LogicTree.from_text(LogicTree.from_dict(data).to_text()).to_dict() == data


@settings(max_examples=30, deadline=None)
@given(nodes)
def test_yaml_round_trip(root):
    tree = LogicTree(root)
    assert LogicTree.from_yaml(tree.to_yaml()) == tree


def test_three_ways_in_give_the_same_tree():
    from_text = LogicTree.from_text(
        """
        観光消費額
          観光入込客数
            日帰り客
            宿泊客
          1人あたり消費額
        """
    )
    from_dict = LogicTree.from_dict({"観光消費額": {"観光入込客数": ["日帰り客", "宿泊客"], "1人あたり消費額": None}})
    from_yaml = LogicTree.from_yaml("観光消費額:\n  - 観光入込客数:\n      - 日帰り客\n      - 宿泊客\n  - 1人あたり消費額\n")
    assert from_text == from_dict == from_yaml
    assert [n.label for n in from_text.leaves()] == ["日帰り客", "宿泊客", "1人あたり消費額"]
    assert from_text.depth == 3 and len(from_text) == 5


def test_bullets_tabs_and_values_in_text():
    tree = LogicTree.from_text("売上 = 1,835\n\t・客数 = 868\n\t・客単価 = 2.114", combine="product")
    assert tree.root.value == 1835.0
    assert [c.label for c in tree.root.children] == ["客数", "客単価"]
    assert tree.root.combine == "product" and tree.root.children[0].combine == "sum"  # leaves keep the default
    again = LogicTree.from_text(tree.to_text(), combine="product")
    assert again == tree


def test_rich_dict_keeps_items_role_and_by():
    data = {"label": "イノシシ対策", "role": "施策", "items": ["柵", "わな"], "by": ["農政課"],
            "children": ["防御", {"label": "捕獲", "value": 3}]}
    tree = LogicTree.from_dict(data)
    assert tree.root.items == frozenset({"柵", "わな"})
    assert tree.root.role == "施策" and tree.root.by == ("農政課",)
    assert tree.find("捕獲").value == 3.0
    assert LogicTree.from_dict(tree.to_dict()) == tree


def test_find_ignores_full_width_and_spaces():
    tree = LogicTree.from_text("計画\n  ＩｏＴ 活用\n  人材")
    assert tree.find("IoT活用").label == "ＩｏＴ 活用"
    with pytest.raises(TreeError, match="「予算」という箱はツリーにありません"):
        tree.find("予算")


def test_pretty_print_shows_structure():
    tree = LogicTree.from_text("A\n  B\n    C\n  D")
    assert str(tree) == "A\n├─ B\n│  └─ C\n└─ D"
    assert "要素分解ツリー" in repr(tree)


@pytest.mark.parametrize(
    "text, message",
    [
        ("根\n  子\n     孫", "3 行目の字下げ（5 文字）が、字下げの幅 2 文字の倍数になっていません"),
        ("根\n  子\n\t孫", "3 行目でタブと半角スペースが混ざっています"),
        ("根\n  子\n別の根", "3 行目「別の根」も字下げなしで、根が2つになっています"),
        ("根\n  子\n      ひ孫", "3 行目「ひ孫」の字下げが深すぎます"),
        ("   根\n子", "2 行目が1行目（根）より左にあります"),
        ("根\n\u3000\u3000子", "2 行目の字下げに全角スペース"),
        ("根\n  ・", "2 行目に記号だけがあり"),
        ("\n  \n", "テキストが空です"),
    ],
)
def test_bad_text_names_the_line(text, message):
    with pytest.raises(TreeError, match=message):
        LogicTree.from_text(text)


def test_bad_dicts_and_yaml_say_what_to_do():
    with pytest.raises(TreeError, match="いちばん上（根）は1つにしてください"):
        LogicTree.from_dict({"A": None, "B": None})
    with pytest.raises(TreeError, match="YAML として読めません（3 行目）"):
        LogicTree.from_yaml("A:\n - b\n  - c: [\n")
    with pytest.raises(TreeError, match="kind='tree' は使えません"):
        LogicTree("A", kind="tree")
    with pytest.raises(TreeError, match="ラベルが空です"):
        Node("  ")
    with pytest.raises(TreeError, match="combine='plus' は使えません"):
        LogicTree.from_text("A\n  B", combine="plus")


def test_from_yaml_reads_a_file(tmp_path):
    path = tmp_path / "tree.yml"
    path.write_text("課題:\n  - 原因1\n  - 原因2\n", encoding="utf-8")
    assert LogicTree.from_yaml(path, kind="why").to_dict() == {"課題": ["原因1", "原因2"]}
    with pytest.raises(TreeError, match="見つかりません"):
        LogicTree.from_yaml(tmp_path / "none.yml")


def test_merge_combines_stakeholders_and_keeps_who_said_it():
    farmer = LogicTree.from_dict({"label": "被害", "by": ["農家"], "children": [
        {"label": "防御", "by": ["農家"]}, {"label": "捕獲", "by": ["農家"]}]})
    hunter = LogicTree.from_dict({"label": "被害", "by": ["猟友会"], "children": [
        {"label": "捕獲", "by": ["猟友会"], "children": ["わなの見回り"]}, {"label": "処理・処分", "by": ["猟友会"]}]})
    merged = merge(farmer, hunter)
    assert [c.label for c in merged.root.children] == ["防御", "捕獲", "処理・処分"]
    assert merged.find("捕獲").by == ("農家", "猟友会")
    assert [c.label for c in merged.find("捕獲").children] == ["わなの見回り"]
    # the inputs are not changed
    assert farmer.find("捕獲").by == ("農家",)
    with pytest.raises(TreeError, match="根のラベルがそろっていません"):
        merge(farmer, LogicTree.from_text("観光"))
