"""The logic tree: one model, built from nested dicts, indented text or YAML.

A tree is a :class:`Node` (a label and its children) wrapped in a
:class:`LogicTree` that knows what kind of tree it is (why / how / what / plan).

Three ways in, each with its way back out:

>>> from chiiki_iot.logic import LogicTree
>>> tree = LogicTree.from_text('''
... 観光消費額
...   観光入込客数
...   1人あたり消費額
... ''', kind="what")
>>> print(tree)
観光消費額
├─ 観光入込客数
└─ 1人あたり消費額
>>> tree.to_dict()
{'観光消費額': ['観光入込客数', '1人あたり消費額']}
>>> LogicTree.from_dict(tree.to_dict(), kind="what") == tree
True

A node may carry a number (``value``, for decompositions that must add up)
and an item set (``items``, for classifications that must cover without
overlap); see :mod:`chiiki_iot.logic.mece`.  In indented text a number is
written after `` = `` at the end of the line:

>>> t = LogicTree.from_text("売上 = 100\\n  客数 = 20\\n  客単価 = 5", combine="product")
>>> t.root.children[0].value
20.0
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import TreeError

#: The kinds of logic tree the course teaches, with their Japanese names.
KINDS: dict[str, str] = {
    "why": "原因追究ツリー（Whyツリー）",
    "how": "解決策ツリー（Howツリー）",
    "what": "要素分解ツリー（Whatツリー）",
    "plan": "計画の構成ツリー（将来像→問題・課題→施策）",
}

#: How the children of a numeric node combine into the parent's value.
COMBINE: dict[str, str] = {"sum": "足し算（子の合計＝親）", "product": "掛け算（子の積＝親）"}

#: Roles of the casebook's plan structure (p.11-12), in the order a tree descends.
ROLE_ORDER: dict[str, int] = {
    "将来像": 0,
    "現状": 1,
    "問題": 2,
    "問題・課題": 2,
    "課題": 3,
    "解決策": 4,
    "施策": 4,
    "事業": 5,
    "KPI": 6,
}

_RICH_KEYS = {"label", "children", "value", "items", "role", "by", "note", "combine"}
_BULLET = re.compile(r"^(?:[-*・•]\s*)")
_VALUE = re.compile(r"^(?P<label>.*?\S)\s+=\s+(?P<value>[-+]?(?:\d[\d,]*)(?:\.\d+)?)\s*$")


def normalize_label(label: str) -> str:
    """The form used to compare labels: NFKC (全角英数→半角), no spaces.

    >>> normalize_label("ＩｏＴ 活用") == normalize_label("IoT活用")
    True
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", label))


@dataclass(eq=False)
class Node:
    """One box of a logic tree.

    Attributes:
        label: the text in the box.
        children: the boxes one level down, in order.
        value: a number, for decompositions that must add up (optional).
        items: what this node covers, for classifications (optional).
        role: the plan role (将来像, 問題, 課題, 施策, 事業, KPI ...; optional).
        combine: how the children's values make this node's value: "sum" or "product".
        by: who proposed the node (workshop participants).
        note: a remark, e.g. where the wording comes from.
    """

    label: str
    children: list[Node] = field(default_factory=list)
    value: float | None = None
    items: frozenset[str] | None = None
    role: str | None = None
    combine: str = "sum"
    by: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label.strip():
            raise TreeError("ノードのラベルが空です。箱に入れる言葉を書いてください。")
        self.label = self.label.strip()
        if self.combine not in COMBINE:
            raise TreeError(
                f"combine={self.combine!r} は使えません。"
                f"子の値を足すなら \"sum\"、掛けるなら \"product\" を指定してください。"
            )
        if self.value is not None:
            self.value = float(self.value)
        if self.items is not None:
            self.items = frozenset(str(i) for i in self.items)
        self.by = tuple(self.by)

    def add(self, label: str | Node, **attrs: Any) -> Node:
        """Append a child (a label or a Node) and return it.

        >>> n = Node("売上")
        >>> n.add("客数").label
        '客数'
        """
        child = label if isinstance(label, Node) else Node(label, **attrs)
        self.children.append(child)
        return child

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def effective_items(self) -> frozenset[str]:
        """The items this node covers: its own ``items``, else its children's, else its label."""
        if self.items is not None:
            return self.items
        if self.is_leaf:
            return frozenset({self.label})
        out: set[str] = set()
        for child in self.children:
            out |= child.effective_items()
        return frozenset(out)

    def _signature(self) -> tuple:
        return (
            self.label,
            self.value,
            self.items,
            self.role,
            self.combine,
            tuple(c._signature() for c in self.children),
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Node) and self._signature() == other._signature()

    def __repr__(self) -> str:
        return f"Node({self.label!r}, children={len(self.children)})"


class LogicTree:
    """A logic tree of one kind (why / how / what / plan) with a title.

    Build it with :meth:`from_dict`, :meth:`from_text`, :meth:`from_yaml`,
    or from a :class:`Node`.  Check it with :meth:`check_mece`, draw it with
    :meth:`draw` or :meth:`save_png`; in a notebook it shows as a picture.
    """

    def __init__(self, root: Node | str, kind: str = "what", title: str = "") -> None:
        if kind not in KINDS:
            known = "、".join(f'"{k}"（{v}）' for k, v in KINDS.items())
            raise TreeError(f"kind={kind!r} は使えません。次のどれかにしてください: {known}")
        self.root = root if isinstance(root, Node) else Node(root)
        self.kind = kind
        self.title = title
        self.source = ""  # where the content comes from, printed under pictures and exports

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_dict(cls, data: Mapping | Sequence | str, kind: str = "what", title: str = "") -> LogicTree:
        """Build a tree from nested dicts and lists.

        Compact form: ``{"parent": ["leaf", {"child": [...]}, ...]}`` or
        ``{"parent": {"child": {...}, "leaf": None}}``.  Rich form for nodes
        with numbers or items: ``{"label": ..., "value": ..., "items": [...],
        "role": ..., "children": [...]}``.

        >>> LogicTree.from_dict({"課題": {"原因A": None, "原因B": ["要因1"]}}).to_dict()
        {'課題': ['原因A', {'原因B': ['要因1']}]}
        """
        if isinstance(data, Mapping) and not _is_rich(data) and len(data) != 1:
            raise TreeError(
                f"いちばん上（根）は1つにしてください。今は {len(data)} 個あります: "
                f"{', '.join(map(str, data))}。全体をまとめる親の箱を1つ作り、その下に入れてください。"
            )
        return cls(_node_from_data(data, path="根"), kind=kind, title=title)

    @classmethod
    def from_text(cls, text: str, kind: str = "what", title: str = "", combine: str = "sum") -> LogicTree:
        """Build a tree from indented text: one box per line, children indented.

        Spaces or tabs may be used (not both); a leading ``-``, ``*`` or ``・``
        is ignored; ``label = 123`` gives the node a number.  ``combine``
        ("sum" or "product") is set on every node that has children.

        >>> print(LogicTree.from_text("売上\\n  ・客数\\n  ・客単価"))
        売上
        ├─ 客数
        └─ 客単価
        """
        if combine not in COMBINE:
            raise TreeError(f'combine={combine!r} は使えません。"sum"（足し算）か "product"（掛け算）にしてください。')
        return cls(_parse_text(text, combine=combine), kind=kind, title=title)

    @classmethod
    def from_yaml(cls, source: str | Path, kind: str = "what", title: str = "") -> LogicTree:
        """Build a tree from YAML text or a ``.yml``/``.yaml`` file (same shapes as :meth:`from_dict`).

        >>> LogicTree.from_yaml("売上:\\n  - 客数\\n  - 客単価\\n").to_dict()
        {'売上': ['客数', '客単価']}
        """
        if isinstance(source, Path) or (
            isinstance(source, str) and "\n" not in source and source.endswith((".yml", ".yaml"))
        ):
            path = Path(source)
            if not path.exists():
                raise TreeError(f"ファイル {path} が見つかりません。パスを確かめてください。")
            source = path.read_text(encoding="utf-8")
        try:
            data = yaml.safe_load(source)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{mark.line + 1} 行目" if mark is not None else "どこか"
            raise TreeError(
                f"YAML として読めません（{where}）。字下げと「:」「-」の位置を確かめてください。"
            ) from exc
        if data is None:
            raise TreeError("YAML が空です。ツリーの中身を書いてください。")
        return cls.from_dict(data, kind=kind, title=title)

    # ------------------------------------------------------------------ writing
    def to_dict(self) -> Any:
        """The tree as nested dicts/lists (the compact form where possible; see :meth:`from_dict`)."""
        return _node_to_data(self.root)

    def to_text(self) -> str:
        """The tree as indented text (2 spaces per level) that :meth:`from_text` reads back."""
        lines: list[str] = []
        for depth, node in self._walk_depth():
            suffix = f" = {_format_number(node.value)}" if node.value is not None else ""
            lines.append("  " * depth + node.label + suffix)
        return "\n".join(lines) + "\n"

    def to_yaml(self) -> str:
        """The tree as YAML (Japanese kept readable)."""
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)

    # ------------------------------------------------------------------ looking
    def walk(self) -> Iterator[tuple[tuple[str, ...], Node]]:
        """Every node with its path of labels from the root, depth first.

        >>> [p for p, _ in LogicTree.from_text("A\\n  B\\n  C").walk()]
        [('A',), ('A', 'B'), ('A', 'C')]
        """

        def go(node: Node, path: tuple[str, ...]):
            here = path + (node.label,)
            yield here, node
            for child in node.children:
                yield from go(child, here)

        yield from go(self.root, ())

    def _walk_depth(self) -> Iterator[tuple[int, Node]]:
        for path, node in self.walk():
            yield len(path) - 1, node

    def find(self, label: str) -> Node:
        """The first node whose label matches (ignoring 全角/半角 and spaces)."""
        key = normalize_label(label)
        for _, node in self.walk():
            if normalize_label(node.label) == key:
                return node
        raise TreeError(f"「{label}」という箱はツリーにありません。ラベルの書き方を確かめてください。")

    def levels(self) -> list[list[Node]]:
        """Nodes grouped by depth: ``levels()[0] == [root]``."""
        out: list[list[Node]] = []
        for depth, node in self._walk_depth():
            if depth == len(out):
                out.append([])
            out[depth].append(node)
        return out

    @property
    def depth(self) -> int:
        """Number of levels (a lone root has depth 1)."""
        return len(self.levels())

    def leaves(self) -> list[Node]:
        return [n for _, n in self.walk() if n.is_leaf]

    def __len__(self) -> int:
        return sum(1 for _ in self.walk())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LogicTree) and self.kind == other.kind and self.root == other.root

    def __str__(self) -> str:
        lines = [self.root.label]

        def go(node: Node, prefix: str) -> None:
            for i, child in enumerate(node.children):
                last = i == len(node.children) - 1
                lines.append(prefix + ("└─ " if last else "├─ ") + child.label)
                go(child, prefix + ("   " if last else "│  "))

        go(self.root, "")
        return "\n".join(lines)

    def __repr__(self) -> str:
        head = f"{KINDS[self.kind]}" + (f"「{self.title}」" if self.title else "")
        return f"{head}（{len(self)}個の箱、{self.depth}階層）\n{self}"

    # ------------------------------------------------------------------ checking / drawing
    def check_mece(self, universe=None, tolerance: float = 0.0):
        """Check every level mechanically; see :func:`chiiki_iot.logic.mece.check_tree`."""
        from .mece import check_tree

        return check_tree(self, universe=universe, tolerance=tolerance)

    def draw(self, report=None, ax=None):
        """Draw the tree as a matplotlib Figure; see :func:`chiiki_iot.logic.render.draw`."""
        from .render import draw

        return draw(self, report=report, ax=ax)

    def save_png(self, path: str | Path, report=None, dpi: int = 150) -> Path:
        """Write the picture to a PNG file and return its path."""
        from .render import save_png

        return save_png(self, path, report=report, dpi=dpi)

    def _repr_png_(self) -> bytes:
        from .render import png_bytes

        return png_bytes(self)


def merge(*trees: LogicTree, title: str = "") -> LogicTree:
    """Combine trees built by several people into one.

    Nodes at the same path with the same label (ignoring 全角/半角 and
    spaces) become one node; who proposed it (``by``) is kept from all.
    The roots must name the same thing.

    >>> a = LogicTree.from_text("被害\\n  防御\\n  捕獲")
    >>> b = LogicTree.from_text("被害\\n  捕獲\\n  流通")
    >>> print(merge(a, b))
    被害
    ├─ 防御
    ├─ 捕獲
    └─ 流通
    """
    if not trees:
        raise TreeError("まとめるツリーを1つ以上渡してください。")
    roots = {normalize_label(t.root.label) for t in trees}
    if len(roots) != 1:
        names = "、".join(f"「{t.root.label}」" for t in trees)
        raise TreeError(f"根のラベルがそろっていません（{names}）。同じテーマのツリーだけをまとめてください。")
    merged = _copy(trees[0].root)
    for tree in trees[1:]:
        _merge_into(merged, tree.root)
    return LogicTree(merged, kind=trees[0].kind, title=title or trees[0].title)


# ---------------------------------------------------------------------- helpers
def _copy(node: Node) -> Node:
    return Node(
        node.label,
        [_copy(c) for c in node.children],
        value=node.value,
        items=node.items,
        role=node.role,
        combine=node.combine,
        by=node.by,
        note=node.note,
    )


def _merge_into(target: Node, source: Node) -> None:
    target.by = tuple(dict.fromkeys(target.by + source.by))
    for child in source.children:
        key = normalize_label(child.label)
        match = next((c for c in target.children if normalize_label(c.label) == key), None)
        if match is None:
            target.children.append(_copy(child))
        else:
            _merge_into(match, child)


def _is_rich(data: Mapping) -> bool:
    return "label" in data and set(data) <= _RICH_KEYS


def _node_from_data(data: Any, path: str) -> Node:
    if isinstance(data, str):
        return Node(data)
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return Node(str(data))
    if isinstance(data, Mapping):
        if _is_rich(data):
            children = _children_from_data(data.get("children"), f"{path} > {data['label']}")
            try:
                return Node(
                    str(data["label"]),
                    children,
                    value=data.get("value"),
                    items=data.get("items"),
                    role=data.get("role"),
                    combine=data.get("combine", "sum"),
                    by=tuple(data.get("by") or ()),
                    note=str(data.get("note") or ""),
                )
            except (TypeError, ValueError) as exc:
                raise TreeError(f"{path} の「{data['label']}」の値が読めません: {exc}") from exc
        if len(data) != 1:
            raise TreeError(
                f"{path} に {len(data)} 個のキーがある辞書があります。"
                "子を並べるときはリスト [..] に入れるか、{親: {子1: ..., 子2: ...}} の形にしてください。"
            )
        ((label, children),) = data.items()
        return Node(str(label), _children_from_data(children, f"{path} > {label}"))
    raise TreeError(f"{path} の {data!r} はツリーの箱として読めません。文字列・辞書・リストで書いてください。")


def _children_from_data(data: Any, path: str) -> list[Node]:
    if data is None:
        return []
    if isinstance(data, Mapping) and not _is_rich(data):
        return [_node_from_data({k: v}, path) for k, v in data.items()]
    if isinstance(data, (list, tuple)):
        return [_node_from_data(item, path) for item in data]
    return [_node_from_data(data, path)]


def _node_to_data(node: Node) -> Any:
    plain = node.value is None and node.items is None and node.role is None and not node.by and not node.note
    plain = plain and node.combine == "sum"
    children = [_node_to_data(c) for c in node.children]
    if plain:
        return {node.label: children} if children else node.label
    out: dict[str, Any] = {"label": node.label}
    if node.role is not None:
        out["role"] = node.role
    if node.value is not None:
        out["value"] = node.value
    if node.combine != "sum":
        out["combine"] = node.combine
    if node.items is not None:
        out["items"] = sorted(node.items)
    if node.by:
        out["by"] = list(node.by)
    if node.note:
        out["note"] = node.note
    if children:
        out["children"] = children
    return out


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _parse_text(text: str, combine: str) -> Node:
    if not isinstance(text, str):
        raise TreeError("インデントしたテキスト（文字列）を渡してください。")
    rows: list[tuple[int, int, str]] = []  # (line number, indent width, content)
    indent_chars: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        stripped = raw.lstrip(" \t\u3000")
        lead = raw[: len(raw) - len(stripped)]
        if "\u3000" in lead:
            raise TreeError(
                f"{number} 行目の字下げに全角スペースが入っています。字下げは半角スペースかタブで書いてください。"
            )
        indent_chars |= set(lead)
        if len(indent_chars) > 1:
            raise TreeError(
                f"{number} 行目でタブと半角スペースが混ざっています。どちらか一方にそろえてください。"
            )
        rows.append((number, len(lead), stripped.rstrip()))
    if not rows:
        raise TreeError("テキストが空です。1行目に根（いちばん上の箱）、その下に字下げして子を書いてください。")
    first_line, first_indent, _ = rows[0]
    widths = sorted({w - first_indent for _, w, _ in rows if w > first_indent})
    unit = widths[0] if widths else 1
    stack: list[tuple[int, Node]] = []
    root: Node | None = None
    for number, width, content in rows:
        if width < first_indent:
            raise TreeError(
                f"{number} 行目が1行目（根）より左にあります。根より下の箱は根より右に字下げしてください。"
            )
        offset = width - first_indent
        if offset % unit:
            raise TreeError(
                f"{number} 行目の字下げ（{offset} 文字）が、字下げの幅 {unit} 文字の倍数になっていません。"
                f"「{content}」の字下げをそろえてください。"
            )
        level = offset // unit
        node = _node_from_line(content, number)
        if level == 0:
            if root is not None:
                raise TreeError(
                    f"{number} 行目「{content}」も字下げなしで、根が2つになっています。"
                    "根は1つにして、ほかの行は字下げしてください。"
                )
            root = node
            stack = [(0, node)]
            continue
        if level > stack[-1][0] + 1:
            raise TreeError(
                f"{number} 行目「{content}」の字下げが深すぎます（1つ上の行より2段以上右）。"
                "子は親より1段だけ右に書いてください。"
            )
        while stack[-1][0] >= level:
            stack.pop()
        stack[-1][1].children.append(node)
        stack.append((level, node))
    assert root is not None
    if combine != "sum":
        _set_combine(root, combine)
    return root


def _set_combine(node: Node, combine: str) -> None:
    if node.children:
        node.combine = combine
        for child in node.children:
            _set_combine(child, combine)


def _node_from_line(content: str, number: int) -> Node:
    content = _BULLET.sub("", content).strip()
    if not content:
        raise TreeError(f"{number} 行目に記号だけがあり、ラベルがありません。箱の言葉を書いてください。")
    match = _VALUE.match(content)
    if match:
        return Node(match["label"], value=float(match["value"].replace(",", "")))
    return Node(content)
