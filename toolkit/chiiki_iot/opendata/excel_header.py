"""Find the real header of an Excel sheet, joining multi-row (two-level) headers.

Offices often put a group label row over the real header, with the label merged
across its columns::

    |      |  男性           |  女性           |        (row 1: 「男性」 merged over B1:D1)
    | 地区 | 0～4歳 | 5～9歳 | 0～4歳 | 5～9歳 |        (row 2: the real header)
    | 本町 | 10     | 12     | 9      | 11     |

:func:`find_header` finds rows 1–2 as the header and joins them into one name per
column (``地区``, ``男性_0～4歳``, ``男性_5～9歳``, ``女性_0～4歳`` …). A label merged
down over both rows (``地区`` in A1:A2) is used once. Without merged cells, a sparse
row of labels over a dense header row counts as a group row too; its labels then
cover the columns up to the next label.

>>> rows = [["", "男性", "", "女性", ""], ["地区", "0～4歳", "5～9歳", "0～4歳", "5～9歳"], ["本町", "10", "12", "9", "11"]]
>>> layout = find_header(rows, merged=[(0, 1, 0, 2), (0, 3, 0, 4)])
>>> layout.first, layout.last, layout.names
(0, 1, ['地区', '男性_0～4歳', '男性_5～9歳', '女性_0～4歳', '女性_5～9歳'])
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

#: how joined header parts are separated (「男性_0～4歳」)
JOIN = "_"

_NUMBER = re.compile(r"^[\s　]*[-+−]?[\d０-９,，]+(\.\d+)?[\s　]*$")


@dataclass
class HeaderLayout:
    """Where the header is: rows ``first`` … ``last`` (0-based), joined into ``names``.

    ``first == last`` for a one-row header. ``group_rows`` are the rows above
    ``last`` that were joined in (0-based); ``names`` has one name per column.
    """

    first: int
    last: int
    names: list[str]
    group_rows: list[int] = field(default_factory=list)

    @property
    def joined(self) -> bool:
        return self.last > self.first


def _nonempty(row: list[str]) -> list[int]:
    return [j for j, c in enumerate(row) if c.strip()]


def _textual(row: list[str]) -> bool:
    """Most filled cells are words, not numbers (a header row, not a data row)."""
    cells = [c for c in row if c.strip()]
    return bool(cells) and sum(1 for c in cells if _NUMBER.match(c)) <= len(cells) // 5


def _numbers_under_words(rows: list[list[str]], r: int, depth: int = 5) -> bool:
    """Row ``r`` has a word in a column whose next rows hold mostly numbers (a header over data)."""
    below = rows[r + 1:r + 1 + depth]
    if not below:
        return False
    for j, c in enumerate(rows[r]):
        if c.strip() and not _NUMBER.match(c):
            values = [b[j] for b in below if j < len(b) and b[j].strip()]
            if values and sum(1 for v in values if _NUMBER.match(v)) * 2 > len(values):
                return True
    return False


def _need(width: int) -> int:
    return 1 if width <= 1 else max(2, -(-width // 2))


def _first_dense(rows: list[list[str]], width: int) -> int:
    need = _need(width)
    for i, row in enumerate(rows):
        if len(_nonempty(row)) >= need:
            return i
    return 0


def _spread_merges(rows: list[list[str]], merged) -> list[list[str]]:
    """A copy of ``rows`` with every merged range's value written into each of its cells."""
    out = [list(r) for r in rows]
    for r0, c0, r1, c1 in merged:
        if r0 >= len(out):
            continue
        value = out[r0][c0] if c0 < len(out[r0]) else ""
        for r in range(r0, min(r1, len(out) - 1) + 1):
            for c in range(c0, min(c1, len(out[r]) - 1) + 1):
                if not out[r][c]:
                    out[r][c] = value
    return out


def _group_over(rows, filled, merged, r: int, width: int) -> str | None:
    """How row ``r`` is a group-label row over row ``r + 1`` (``"merged"``/``"sparse"``), or ``None``."""
    below = r + 1
    if below >= len(rows) or not _textual(rows[below]) or len(_nonempty(filled[below])) < _need(width):
        return None
    cells = _nonempty(rows[r])
    if not cells or not _textual(rows[r]):
        return None
    under = set(_nonempty(rows[below]))
    used = sorted(under | set(_nonempty(filled[below])))
    # a label merged across ≥2 columns of the header below it (a title merged over the whole table is not)
    groups = [(c0, c1) for r0, c0, r1, c1 in merged
              if r0 <= r <= r1 < below and c1 > c0 and not (c0 <= used[0] and c1 >= used[-1])
              and sum(1 for c in range(c0, c1 + 1) if c in under) >= 2]
    if groups:
        # a column outside the groups is named once: in row r (then empty below, or merged down) or below
        down = {c for r0, c0, r1, c1 in merged if r0 <= r and r1 >= below for c in range(c0, c1 + 1)}
        alone = [j for j in cells if not any(c0 <= j <= c1 for c0, c1 in groups)]
        if all(j in down or j not in under for j in alone):
            return "merged"
        return None
    # no merge: a sparse row of ≥2 labels, each over a name of the denser row below, over numbers
    if (len(cells) >= 2 and len(cells) < len(under) and all(j in under for j in cells)
            and _numbers_under_words(rows, below)):
        return "sparse"
    return None


def find_header(rows: list[list[str]], merged=(), *, search: int = 30) -> HeaderLayout:
    """Find the header of ``rows`` (cell texts, every row the same width) and join group-label rows.

    ``merged`` lists merged ranges as 0-based ``(first_row, first_col, last_row, last_col)``.
    """
    width = max((len(r) for r in rows), default=0)
    head = rows[:search]
    merged = [m for m in merged if m[0] < search]
    filled = _spread_merges(head, merged)
    last = _first_dense(head, max((len(_nonempty(r)) for r in rows), default=0))
    kinds: dict[int, str] = {}
    # the dense row found may itself be the group row (a narrow table): move down to the real header
    while last + 1 < len(head) and (kind := _group_over(head, filled, merged, last, width)):
        kinds[last] = kind
        last += 1
    first = last
    # group rows too sparse to be taken for the header sit above it
    while first - 1 >= 0 and (kind := _group_over(head, filled, merged, first - 1, width)):
        kinds[first - 1] = kind
        first -= 1
    if first == last:
        return HeaderLayout(last, last, list(rows[last]) if rows else [])
    for r in range(first, last):
        if kinds.get(r) == "sparse":          # a label covers the columns up to the next label
            label = ""
            for j in range(width):
                if head[r][j].strip():
                    label = head[r][j]
                elif label and not filled[r][j]:
                    filled[r][j] = label
    names = []
    for j in range(width):
        parts: list[str] = []
        for r in range(first, last + 1):
            part = filled[r][j].strip() if j < len(filled[r]) else ""
            if part and (not parts or parts[-1] != part):
                parts.append(part)
        names.append(JOIN.join(parts))
    return HeaderLayout(first, last, names, list(range(first, last)))
