"""Draw a logic tree as a picture (matplotlib only; no system Graphviz needed).

The layout is the one used on whiteboards in 研修: the root on the left,
each level one column to the right, leaves stacked top to bottom, parents
centred on their children.  Japanese text uses the IPAex Gothic font that
ships with ``matplotlib-fontja``.

>>> from chiiki_iot.logic import LogicTree
>>> fig = LogicTree.from_text("売上\\n  客数\\n  客単価").draw()
>>> [t.get_text() for t in fig.axes[0].texts][2:5]
['売上', '客数', '客単価']

Why matplotlib and not Graphviz: the picture must appear on any laptop or
JupyterHub with only ``pip install``; the Python ``graphviz`` package needs
the system ``dot`` binary, and a logic tree's layout is simple enough to
compute here (one column per level).
"""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from chiiki_iot.plots import use_japanese_font

from .tree import KINDS, LogicTree, Node

FONT = use_japanese_font()  # "IPAexGothic", from the matplotlib-fontja wheel

#: What moving one level to the right means, for each kind of tree.
DIRECTION_HINT = {
    "why": "右へ進むほど「なぜ？」を掘り下げる",
    "how": "右へ進むほど「どうやって？」を具体化する",
    "what": "右へ進むほど「何からできている？」を分解する",
    "plan": "将来像 → 問題・課題 → 施策 → 事業",
}

ROLE_COLORS = {
    "将来像": "#dbe9f6",
    "現状": "#eeeeee",
    "問題": "#fde2d2",
    "問題・課題": "#fde2d2",
    "課題": "#fff1c9",
    "解決策": "#dff1d8",
    "施策": "#dff1d8",
    "事業": "#e8e1f3",
    "KPI": "#d9f2f0",
}
DEPTH_COLORS = ["#dbe9f6", "#fde2d2", "#fff1c9", "#dff1d8", "#e8e1f3", "#d9f2f0"]

NO_LINE_START = set("、。，．,.」』）)】〕・ーっゃゅょッャュョ！？!?：:；;")
WRAP_WIDTH = 22  # half-width cells per line (11 Japanese characters)
BOX_W = 3.2  # box width in layout units (1 unit = 1 inch at the default scale)
GAP_X = 0.7
LINE_H = 0.22
PAD_Y = 0.12
GAP_Y = 0.16
FONT_SIZE = 9


def wrap(text: str, width: int = WRAP_WIDTH) -> list[str]:
    """Split ``text`` into lines of at most ``width`` half-width cells (全角 = 2).

    >>> wrap("あいうえおかきくけこ", width=8)
    ['あいうえ', 'おかきく', 'けこ']
    """
    lines, line, used = [], "", 0
    for ch in text:
        cells = 2 if unicodedata.east_asian_width(ch) in "WFA" else 1
        # 禁則: closing marks stay at the end of the line instead of starting the next one
        if used + cells > width and line and ch not in NO_LINE_START:
            lines.append(line)
            line, used = "", 0
        line += ch
        used += cells
    if line:
        lines.append(line)
    return lines or [""]


def _label_text(node: Node) -> str:
    text = node.label
    if node.value is not None:
        value = int(node.value) if float(node.value).is_integer() else node.value
        text += f"\n＝ {value:,}" if isinstance(value, int) else f"\n＝ {value:,.4g}"
    if node.by:
        text += "\n（" + "・".join(node.by) + "）"
    return "\n".join(line for part in text.split("\n") for line in wrap(part))


class _Layout:
    def __init__(self, tree: LogicTree) -> None:
        self.text: dict[int, str] = {}
        self.height: dict[int, float] = {}
        self.pos: dict[int, tuple[float, float]] = {}
        self.depth_of: dict[int, int] = {}
        self._cursor = 0.0
        self.max_depth = 0
        self._place(tree.root, 0)
        self.total_height = self._cursor - GAP_Y

    def _box_height(self, node: Node) -> float:
        key = id(node)
        if key not in self.text:
            self.text[key] = _label_text(node)
            self.height[key] = self.text[key].count("\n") * LINE_H + LINE_H + 2 * PAD_Y
        return self.height[key]

    def _place(self, node: Node, depth: int) -> float:
        h = self._box_height(node)
        self.depth_of[id(node)] = depth
        self.max_depth = max(self.max_depth, depth)
        x = depth * (BOX_W + GAP_X)
        if node.is_leaf:
            y = self._cursor + h / 2
            self._cursor += h + GAP_Y
        else:
            ys = [self._place(child, depth + 1) for child in node.children]
            y = (ys[0] + ys[-1]) / 2
            # a tall parent must not overlap the boxes placed after it
            self._cursor = max(self._cursor, y + h / 2 + GAP_Y)
        self.pos[id(node)] = (x, y)
        return y


def _flagged(tree: LogicTree, report) -> set[int]:
    """Nodes to outline in red: the parent of each error, and leaves named in an overlap."""
    if report is None:
        return set()
    wheres = {f.where for f in report.errors}
    overlap_items = report.overlaps
    out = set()
    for path, node in tree.walk():
        if " > ".join(path) in wheres or (node.is_leaf and node.label in overlap_items):
            out.add(id(node))
    return out


def draw(tree: LogicTree, report=None, ax=None) -> Figure:
    """Draw ``tree`` and return the matplotlib Figure.

    Args:
        report: a :class:`~chiiki_iot.logic.mece.MeceReport`; boxes with
            problems get a red outline and the gaps are listed under the tree.
        ax: draw into this Axes instead of a new figure.
    """
    layout = _Layout(tree)
    flagged = _flagged(tree, report)
    width = (layout.max_depth + 1) * BOX_W + layout.max_depth * GAP_X
    notes = []
    if report is not None and report.gaps:
        notes.append("漏れ（どこにも入っていない項目）: " + "、".join(sorted(report.gaps)))
    height = layout.total_height + 0.9 + 0.3 * len(notes)
    if ax is None:
        fig = Figure(figsize=(max(width + 0.4, 4.0), max(height, 1.6)))
        ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig = ax.figure
    ax.set_xlim(-0.2, max(width + 0.2, 3.8))
    ax.set_ylim(max(height, 1.6) - 0.8, -0.8)
    ax.axis("off")

    title = KINDS[tree.kind] + (f"　{tree.title}" if tree.title else "")
    ax.text(0, -0.55, title, fontsize=FONT_SIZE + 3, fontfamily=FONT, va="center")
    ax.text(0, -0.25, "（" + DIRECTION_HINT[tree.kind] + "）", fontsize=FONT_SIZE, fontfamily=FONT,
            color="#555555", va="center")

    def box(node: Node) -> None:
        x, y = layout.pos[id(node)]
        h = layout.height[id(node)]
        depth = layout.depth_of[id(node)]
        color = ROLE_COLORS.get(node.role or "", DEPTH_COLORS[depth % len(DEPTH_COLORS)])
        bad = id(node) in flagged
        ax.add_patch(
            FancyBboxPatch(
                (x, y - h / 2), BOX_W, h, boxstyle="round,pad=0,rounding_size=0.08",
                facecolor=color, edgecolor="#d62728" if bad else "#4d4d4d", linewidth=2.2 if bad else 0.8,
            )
        )
        label = layout.text[id(node)]
        if node.role:
            ax.text(x + 0.06, y - h / 2 + 0.02, node.role, fontsize=FONT_SIZE - 2, fontfamily=FONT,
                    color="#555555", va="top", ha="left")
        ax.text(x + BOX_W / 2, y + (0.05 if node.role else 0), label, fontsize=FONT_SIZE, fontfamily=FONT,
                ha="center", va="center", linespacing=1.25)
        for child in node.children:
            cx, cy = layout.pos[id(child)]
            mid = x + BOX_W + GAP_X / 2
            ax.plot([x + BOX_W, mid, mid, cx], [y, y, cy, cy], color="#4d4d4d", linewidth=0.9)
            box(child)

    box(tree.root)
    for i, note in enumerate(notes):
        ax.text(0, layout.total_height + 0.25 + 0.3 * i, note, fontsize=FONT_SIZE, fontfamily=FONT,
                color="#d62728", va="top")
    return fig


def png_bytes(tree: LogicTree, report=None, dpi: int = 110) -> bytes:
    """The picture as PNG bytes (what a notebook shows)."""
    buffer = io.BytesIO()
    draw(tree, report=report).savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def save_png(tree: LogicTree, path: str | Path, report=None, dpi: int = 150) -> Path:
    """Write the picture of ``tree`` to ``path`` (a .png file) and return the path."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        from .errors import TreeError

        raise TreeError(f"保存先 {path.name} の拡張子を .png にしてください。")
    path.parent.mkdir(parents=True, exist_ok=True)
    draw(tree, report=report).savefig(path, format="png", dpi=dpi)
    return path
