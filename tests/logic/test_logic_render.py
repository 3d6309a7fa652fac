"""Pictures of trees: Japanese must render (no missing glyphs), PNGs must be real images."""
import warnings

import pytest
from matplotlib.font_manager import FontProperties, findfont

from chiiki_iot.logic import LogicTree, TreeError, casebook_tree
from chiiki_iot.logic.render import FONT, draw, png_bytes, wrap

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _no_missing_glyphs(action):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = action()
    missing = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert missing == []
    return result


def test_font_is_the_bundled_japanese_font():
    assert FONT == "IPAexGothic"
    assert findfont(FontProperties(family=FONT), fallback_to_default=False).endswith("ipaexg.ttf")


@pytest.mark.parametrize("name", ["宇城市_鳥獣害", "南山城村_観光", "信濃町_農業", "美祢市_観光"])
def test_casebook_trees_render_to_png_without_missing_glyphs(tmp_path, name):
    tree = casebook_tree(name)
    path = _no_missing_glyphs(lambda: tree.save_png(tmp_path / f"{name}.png"))
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 20_000
    fig = draw(tree)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "計画の構成ツリー" in texts[0]
    # every box label is drawn (wrapped text joined back together)
    for _, node in tree.walk():
        assert any(t.replace("\n", "") == node.label for t in texts), node.label
    assert {t.get_fontname() for t in fig.axes[0].texts} == {"IPAexGothic"}


def test_report_marks_problem_boxes_and_lists_gaps():
    tree = LogicTree.from_text("対策\n  防御\n    柵\n    忌避剤\n  捕獲\n    柵\n    わな", kind="how")
    report = tree.check_mece(universe=["柵", "忌避剤", "わな", "GIS地図"])
    fig = _no_missing_glyphs(lambda: draw(tree, report=report))
    ax = fig.axes[0]
    red = [p for p in ax.patches if p.get_edgecolor()[:3] == pytest.approx((0.839, 0.153, 0.157), abs=0.01)]
    assert len(red) == 3  # the parent "対策" and both "柵" leaves
    assert any("漏れ（どこにも入っていない項目）: GIS地図" in t.get_text() for t in ax.texts)
    assert any("どうやって？" in t.get_text() for t in ax.texts)


def test_notebook_display_is_png():
    tree = LogicTree.from_text("売上 = 100\n  客数 = 20\n  客単価 = 5", combine="product", kind="what")
    assert _no_missing_glyphs(tree._repr_png_).startswith(PNG_MAGIC)
    assert png_bytes(tree) == tree._repr_png_()


def test_wrap_counts_full_width_as_two_and_keeps_closing_marks():
    assert wrap("あいうえおかきくけこ", width=8) == ["あいうえ", "おかきく", "けこ"]
    assert wrap("ABCDEFGH", width=4) == ["ABCD", "EFGH"]
    assert wrap("あいう、えお", width=6) == ["あいう、", "えお"]


def test_save_png_wants_png_suffix(tmp_path):
    with pytest.raises(TreeError, match=".png にしてください"):
        LogicTree("A").save_png(tmp_path / "tree.jpg")
