"""Reports: every problem the toolkit finds, with row, column, rule and reason.

Each finding is an :class:`Issue`. A :class:`Report` collects them. Rules are
the machine-readability rule IDs (``L1-01`` … ``L3-09``) or this toolkit's
schema checks (``STD-01`` …); :func:`rule_title` gives their Japanese names.

>>> r = Report()
>>> issue = r.add("L3-06", "コードの先頭の0を補いました。", row=0, column="全国地方公共団体コード",
...               value="92011", fixed="092011", severity="fixed")
>>> r.rules()
['L3-06']
>>> print(r.summary())
自動修正 1件
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import yaml

SEVERITIES = ("error", "fixed", "warning", "info")
SEVERITY_JA = {"error": "エラー", "fixed": "自動修正", "warning": "注意", "info": "情報"}


@lru_cache(maxsize=1)
def rule_catalogue() -> dict[str, dict[str, str]]:
    """All rule IDs with their Japanese ``title`` and ``hint`` (from rules.yml)."""
    data = yaml.safe_load((Path(__file__).parent / "rules.yml").read_text(encoding="utf-8"))
    return data["rules"]


def rule_title(rule: str) -> str:
    """Japanese name of ``rule`` (e.g. ``rule_title("L3-01")``)."""
    return rule_catalogue()[rule]["title"]


@dataclass(frozen=True)
class Issue:
    """One finding.

    ``row`` is the DataFrame index label (``df.loc[row]``); ``file_row`` is the
    row number a learner sees when opening the file in Excel (header = the
    header's own row, usually 1). Either may be ``None`` for file-level findings.
    """

    rule: str
    message: str
    severity: str = "error"
    row: int | None = None
    file_row: int | None = None
    column: str | None = None
    value: str | None = None
    fixed: str | None = None

    def __post_init__(self):
        if self.rule not in rule_catalogue():
            raise ValueError(f"unknown rule id {self.rule!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def __str__(self) -> str:
        where = []
        if self.file_row is not None:
            where.append(f"{self.file_row}行目")
        elif self.row is not None:
            where.append(f"行{self.row}")
        if self.column:
            where.append(f"列「{self.column}」")
        place = "・".join(where)
        value = f"（値: {self.value!r}）" if self.value not in (None, "") else ""
        return f"[{SEVERITY_JA[self.severity]}] {self.rule} {place} {self.message}{value}".replace("  ", " ")


class Report:
    """An ordered list of :class:`Issue` with helpers for notebooks."""

    def __init__(self, issues: Iterable[Issue] = ()):
        self.issues: list[Issue] = list(issues)

    def add(self, rule: str, message: str, *, severity: str = "error", row=None, file_row=None,
            column=None, value=None, fixed=None) -> Issue:
        """Append one issue and return it."""
        issue = Issue(rule, message, severity, _int_or_none(row), _int_or_none(file_row), column,
                      None if value is None else str(value), None if fixed is None else str(fixed))
        self.issues.append(issue)
        return issue

    def extend(self, other: Iterable[Issue]) -> "Report":
        self.issues.extend(other)
        return self

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    @property
    def ok(self) -> bool:
        """True when there is no issue of severity ``error``."""
        return not any(i.severity == "error" for i in self.issues)

    def rules(self) -> list[str]:
        """Sorted rule IDs that occur in the report."""
        return sorted({i.rule for i in self.issues})

    def filter(self, *, rule: str | None = None, column: str | None = None,
               severity: str | None = None, row: int | None = None) -> "Report":
        """Issues that match every given criterion."""
        return Report(i for i in self.issues
                      if (rule is None or i.rule == rule) and (column is None or i.column == column)
                      and (severity is None or i.severity == severity) and (row is None or i.row == row))

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in SEVERITIES}
        for i in self.issues:
            out[i.severity] += 1
        return out

    def summary(self) -> str:
        """One Japanese line, e.g. ``エラー 2件、自動修正 5件``."""
        parts = [f"{SEVERITY_JA[s]} {n}件" for s, n in self.counts().items() if n]
        return "、".join(parts) if parts else "問題は見つかりませんでした。"

    def to_frame(self):
        """The issues as a DataFrame (columns: severity, rule, rule_title, row, file_row, column, value, fixed, message)."""
        import pandas as pd

        cols = ["severity", "rule", "rule_title", "row", "file_row", "column", "value", "fixed", "message"]
        rows = [{**asdict(i), "rule_title": rule_title(i.rule)} for i in self.issues]
        df = pd.DataFrame(rows, columns=cols)
        for c in ("row", "file_row"):
            df[c] = df[c].astype("Int64")
        return df

    def __str__(self) -> str:
        lines = [self.summary()]
        shown = self.issues[:30]
        lines += [str(i) for i in shown]
        if len(self.issues) > len(shown):
            lines.append(f"…ほか {len(self.issues) - len(shown)}件（すべて見るには report.to_frame() を使ってください）")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p>{escape(self.summary())}</p>" + self.to_frame().head(200)._repr_html_()


def _int_or_none(x):
    return None if x is None else int(x)
