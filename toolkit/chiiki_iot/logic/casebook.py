"""The casebook's plan structures as logic trees (dataset ``casebook_trees``).

>>> from chiiki_iot.logic import casebook_tree, casebook_tree_names
>>> casebook_tree_names()
['信濃町_農業', '南山城村_観光', '宇城市_鳥獣害', '美祢市_観光']
>>> tree = casebook_tree("宇城市_鳥獣害")
>>> tree.root.role
'将来像'
>>> tree.source.startswith("総務省")
True
"""
from __future__ import annotations

from .errors import TreeError
from .tree import LogicTree, Node

DATASET = "casebook_trees"


def casebook_tree_names() -> list[str]:
    """Names of the shipped casebook trees."""
    from chiiki_iot.data import load

    return sorted(load(DATASET)["tree"].unique())


def casebook_tree(name: str) -> LogicTree:
    """The casebook tree ``name`` (kind "plan"); ``tree.source`` holds the citation."""
    from chiiki_iot.data import load

    df = load(DATASET)
    rows = df[df["tree"] == name]
    if rows.empty:
        raise TreeError(f"事例のツリー「{name}」はありません。使えるもの: {'、'.join(casebook_tree_names())}")
    nodes: dict[int, Node] = {}
    root: Node | None = None
    for row in rows.itertuples(index=False):
        node = Node(row.label, role=row.role, note="" if not isinstance(row.note, str) else row.note)
        nodes[int(row.node_id)] = node
        if row.parent_id != row.parent_id:  # NaN: the root
            root = node
        else:
            nodes[int(row.parent_id)].children.append(node)
    assert root is not None
    tree = LogicTree(root, kind="plan", title=name.replace("_", "・"))
    page = rows["page"].iloc[0]
    tree.source = f"{df.attrs['source']}（p.{page} を木の形に組み直したもの）"
    return tree
