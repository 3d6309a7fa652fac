"""The order of a notebook's ``##`` sections, for the notebook rules of the modules and the club."""
from __future__ import annotations


def section_problems(headings: list[str], sections: tuple[str, ...]) -> tuple[list[str], bool]:
    """The ``sections`` that no heading names, and whether the named ones are out of order.

    >>> section_problems(["1. 導入", "3. 演習", "2. 解説"], ("導入", "解説", "演習", "出典"))
    (['出典'], True)
    """
    positions, missing = [], []
    for section in sections:
        found = [i for i, h in enumerate(headings) if section in h]
        if found:
            positions.append(found[0])
        else:
            missing.append(section)
    return missing, positions != sorted(positions)
