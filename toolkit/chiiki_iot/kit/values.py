"""Turn what a board prints with ``repr()`` back into Python values on the host."""
from __future__ import annotations

import ast
import math

_NAMES = {"inf": math.inf, "nan": math.nan, "True": True, "False": False, "None": None}


class _Names(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in _NAMES:
            return ast.copy_location(ast.Constant(_NAMES[node.id]), node)
        raise ValueError(node.id)


def parse_repr(text: str):
    """The value of a MicroPython ``repr()``: numbers, strings, bytes, lists, tuples, dicts, sets.

    Like ``ast.literal_eval``, plus ``inf`` and ``nan``, which MicroPython prints bare.

    >>> parse_repr("[1, 2.5, 'a', {'k': (None, inf)}]")
    [1, 2.5, 'a', {'k': (None, inf)}]
    """
    tree = ast.parse(text.strip(), mode="eval")
    return ast.literal_eval(_Names().visit(tree))
