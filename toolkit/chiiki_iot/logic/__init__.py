"""Logic trees, MECE checks and choosing solutions (ロジックツリー・MECE・解決策の検討).

>>> from chiiki_iot.logic import LogicTree, check_partition
>>> tree = LogicTree.from_text("課題\\n  原因A\\n  原因B", kind="why")
>>> tree.check_mece().ok
True

Modules: ``tree`` (the model; dict / text / YAML), ``mece`` (checks),
``render`` (pictures), ``editor`` (ipywidgets workshop editor),
``options`` (ICT and non-ICT options, weighted criteria matrix),
``casebook`` (the casebook's plan structures as trees).
"""
from .casebook import casebook_tree, casebook_tree_names
from .editor import TreeEditor
from .errors import TreeError
from .mece import Finding, MeceReport, check_partition, check_product, check_sum, check_tree
from .options import SOLUTION_TYPES, CriteriaMatrix, Option, compare_options
from .tree import KINDS, ROLE_ORDER, LogicTree, Node, merge, normalize_label

__all__ = [
    "KINDS",
    "ROLE_ORDER",
    "SOLUTION_TYPES",
    "CriteriaMatrix",
    "Finding",
    "LogicTree",
    "MeceReport",
    "Node",
    "Option",
    "TreeEditor",
    "TreeError",
    "casebook_tree",
    "casebook_tree_names",
    "check_partition",
    "check_product",
    "check_sum",
    "check_tree",
    "compare_options",
    "merge",
    "normalize_label",
]
