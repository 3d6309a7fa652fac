"""MECE (漏れなく・ダブりなく) checks that a computer can do.

Whether a split *makes sense* is for people to judge; what can be checked
mechanically is:

* items: the parts cover the whole (no 漏れ) and no item is in two parts
  (no ダブり), and no part holds something outside the whole;
* numbers: the parts add up (or multiply up) to the whole;
* a tree: the above at every level, plus sibling boxes with the same words,
  a box with only one child (not a split yet), and plan roles in order
  (将来像 → 問題 → 課題 → 施策).

>>> from chiiki_iot.logic.mece import check_partition
>>> report = check_partition(
...     ["柵", "わな", "忌避剤", "GIS地図"],
...     {"防御": ["柵", "忌避剤"], "捕獲": ["わな", "柵"]},
...     name="イノシシ対策",
... )
>>> report.ok
False
>>> print(report)
MECEチェック: 問題が 2 件あります。
✗ ダブり: 「柵」が「防御」と「捕獲」の両方に入っています。どちらか1つに決めてください。
✗ 漏れ: 「イノシシ対策」の「GIS地図」がどの分類にも入っていません。入れる分類を作るか、今ある分類に入れてください。
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .errors import TreeError
from .tree import ROLE_ORDER, LogicTree, Node, normalize_label

#: Finding kinds and how serious they are.  "error" breaks MECE; "warning" asks to look again.
SEVERITY: dict[str, str] = {
    "overlap": "error",
    "gap": "error",
    "outside": "error",
    "mismatch": "error",
    "missing_value": "warning",
    "single_child": "warning",
    "role_order": "warning",
}

_KIND_JA = {
    "overlap": "ダブり",
    "gap": "漏れ",
    "outside": "範囲外",
    "mismatch": "数が合わない",
    "missing_value": "値がない",
    "single_child": "分解になっていない",
    "role_order": "順序",
}


@dataclass(frozen=True)
class Finding:
    """One thing the check found.

    Attributes:
        kind: "overlap", "gap", "outside", "mismatch", "missing_value", "single_child" or "role_order".
        where: the path of the node it concerns, e.g. "被害 > 捕獲".
        message: the Japanese explanation for the learner.
        items: the items concerned (for overlaps, gaps and outside items).
    """

    kind: str
    where: str
    message: str
    items: tuple[str, ...] = ()

    @property
    def severity(self) -> str:
        return SEVERITY[self.kind]

    def __str__(self) -> str:
        mark = "✗" if self.severity == "error" else "△"
        return f"{mark} {_KIND_JA[self.kind]}: {self.message}"


@dataclass
class MeceReport:
    """The findings of a check; ``ok`` is True when nothing breaks MECE."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def of_kind(self, kind: str) -> list[Finding]:
        """Findings of one kind, e.g. ``report.of_kind("overlap")``."""
        if kind not in SEVERITY:
            raise ValueError(f"kind={kind!r} はありません。使えるもの: {', '.join(SEVERITY)}")
        return [f for f in self.findings if f.kind == kind]

    @property
    def overlaps(self) -> set[str]:
        """Every item found in two or more parts."""
        return {i for f in self.of_kind("overlap") for i in f.items}

    @property
    def gaps(self) -> set[str]:
        """Every item of a whole that no part covers."""
        return {i for f in self.of_kind("gap") for i in f.items}

    def __str__(self) -> str:
        if not self.findings:
            return "MECEチェック: 機械的に確かめられる範囲では、漏れもダブりも見つかりませんでした。"
        errors, warnings = len(self.errors), len(self.warnings)
        head = "MECEチェック: "
        if errors:
            head += f"問題が {errors} 件あります。"
        else:
            head += "漏れ・ダブりは見つかりませんでした。"
        if warnings:
            head += f"確認してほしい点が {warnings} 件あります。"
        return "\n".join([head, *map(str, self.errors), *map(str, self.warnings)])

    __repr__ = __str__

    def __iadd__(self, other: MeceReport) -> MeceReport:
        self.findings.extend(other.findings)
        return self


def _q(items: Iterable[str]) -> str:
    return "、".join(f"「{i}」" for i in items)


def check_partition(whole: Iterable[str] | None, parts: Mapping[str, Iterable[str]], name: str = "全体") -> MeceReport:
    """Check that ``parts`` split ``whole`` with no gap and no overlap.

    Args:
        whole: every item that must be covered (``None``: only look for overlaps).
        parts: part name → the items put in it.
        name: what the whole is called, for the messages.

    >>> check_partition({"a", "b"}, {"X": ["a"], "Y": ["b"]}).ok
    True
    >>> sorted(check_partition(None, {"X": ["a", "b"], "Y": ["b"]}).overlaps)
    ['b']
    """
    if not isinstance(parts, Mapping) or not parts:
        raise TreeError("分類を {分類名: [項目, ...]} の辞書で渡してください。")
    part_sets = {}
    for part, items in parts.items():
        if isinstance(items, str):
            raise TreeError(
                f"分類「{part}」の項目が文字列1つになっています。項目はリスト [\"…\", \"…\"] で渡してください。"
            )
        part_sets[str(part)] = [str(i) for i in items]
    return _partition_findings(
        None if whole is None else [str(i) for i in whole], part_sets, where=name, whole_name=name
    )


def _partition_findings(
    whole: list[str] | None, parts: Mapping[str, Iterable[str]], where: str, whole_name: str
) -> MeceReport:
    report = MeceReport()
    owners: dict[str, list[str]] = {}
    for part, items in parts.items():
        for item in dict.fromkeys(items):
            owners.setdefault(item, []).append(part)
    for item, in_parts in owners.items():
        if len(in_parts) > 1:
            names = "と".join(f"「{p}」" for p in in_parts)
            report.findings.append(
                Finding("overlap", where, f"「{item}」が{names}の両方に入っています。どちらか1つに決めてください。"
                        if len(in_parts) == 2 else
                        f"「{item}」が{names}に重なって入っています。どれか1つに決めてください。", (item,))
            )
    if whole is not None:
        whole_set = list(dict.fromkeys(whole))
        missing = [i for i in whole_set if i not in owners]
        extra = [i for i in owners if i not in set(whole_set)]
        if missing:
            report.findings.append(
                Finding(
                    "gap",
                    where,
                    f"「{whole_name}」の{_q(missing)}がどの分類にも入っていません。"
                    "入れる分類を作るか、今ある分類に入れてください。",
                    tuple(missing),
                )
            )
        if extra:
            report.findings.append(
                Finding(
                    "outside",
                    where,
                    f"{_q(extra)}は「{whole_name}」に含まれない項目です。"
                    "全体の定義を広げるか、その項目を外してください。",
                    tuple(extra),
                )
            )
    return report


def check_sum(total: float, parts: Mapping[str, float], tolerance: float = 0.0, name: str = "全体") -> MeceReport:
    """Check that the parts add up to the total (within ``tolerance``).

    >>> print(check_sum(31880, {"2019年度": 9700, "2020年度": 15300, "2021年度": 6880}, name="総事業費"))
    MECEチェック: 機械的に確かめられる範囲では、漏れもダブりも見つかりませんでした。
    >>> print(check_sum(100, {"A": 60, "B": 30}))
    MECEチェック: 問題が 1 件あります。
    ✗ 数が合わない: 「全体」は 100 ですが、子の合計は 90 で、10 足りません。漏れている要素がないか確かめてください。
    """
    return _numeric(total, parts, "sum", tolerance, name)


def check_product(total: float, factors: Mapping[str, float], tolerance: float = 0.0, name: str = "全体") -> MeceReport:
    """Check that the factors multiply to the total (e.g. 売上 = 客数 × 客単価).

    >>> check_product(1835, {"入込客数（千人）": 868, "1人あたり（千円）": 1835 / 868}, tolerance=1e-6).ok
    True
    """
    return _numeric(total, factors, "product", tolerance, name)


def _numeric(total, parts, combine: str, tolerance: float, name: str) -> MeceReport:
    if not isinstance(parts, Mapping) or not parts:
        raise TreeError("子の値を {名前: 数} の辞書で渡してください。")
    values = {}
    for part, value in parts.items():
        values[str(part)] = _number(value, f"「{part}」の値")
    return _numeric_findings(_number(total, f"「{name}」の値"), values, combine, tolerance, where=name, name=name)


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TreeError(f"{what}が数ではありません（{value!r}）。数を入れてください。") from None
    if not math.isfinite(value):
        raise TreeError(f"{what}が有限の数ではありません（{value}）。")
    return float(value)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.6g}"


def _numeric_findings(total: float, values: Mapping[str, float], combine: str, tolerance: float, where: str, name: str) -> MeceReport:
    combined = math.prod(values.values()) if combine == "product" else math.fsum(values.values())
    allowed = max(float(tolerance), 1e-9 * max(abs(total), 1.0))
    report = MeceReport()
    diff = total - combined
    if abs(diff) > allowed:
        what = "子の積" if combine == "product" else "子の合計"
        if combine == "sum" and diff > 0:
            hint = f"{_fmt(diff)} 足りません。漏れている要素がないか確かめてください。"
        elif combine == "sum":
            hint = f"{_fmt(-diff)} 多すぎます。ダブって数えている要素がないか確かめてください。"
        else:
            hint = "掛け合わせる要素の値や単位（千人・千円など）を確かめてください。"
        report.findings.append(
            Finding("mismatch", where, f"「{name}」は {_fmt(total)} ですが、{what}は {_fmt(combined)} で、{hint}")
        )
    return report


def check_tree(tree: LogicTree, universe: Iterable[str] | None = None, tolerance: float = 0.0) -> MeceReport:
    """Check every parent–children split of a tree.

    * sibling boxes with the same words (ignoring 全角/半角 and spaces) → ダブり;
    * items: a leaf covers its own label unless it has ``items``; a parent
      covers what its children cover.  An item under two children → ダブり;
      when a parent has ``items`` (or the root gets ``universe``), items no
      child covers → 漏れ, and items outside it → 範囲外;
    * numbers: when a parent and all its children have values, they must add
      (``combine="sum"``) or multiply (``"product"``) up; a child without a
      value is reported;
    * a parent with one child → 分解になっていない (warning; not when the
      child has another plan role, e.g. one 施策 for one 課題);
    * plan roles out of order, e.g. a 課題 under a 施策 (warning).

    >>> from chiiki_iot.logic import LogicTree
    >>> t = LogicTree.from_text("被害\\n  防御\\n    柵\\n    忌避剤\\n  捕獲\\n    柵\\n    わな")
    >>> print(t.check_mece(universe=["柵", "忌避剤", "わな", "GIS地図"]))
    MECEチェック: 問題が 2 件あります。
    ✗ ダブり: 「柵」が「防御」と「捕獲」の両方に入っています。どちらか1つに決めてください。
    ✗ 漏れ: 「被害」の「GIS地図」がどの分類にも入っていません。入れる分類を作るか、今ある分類に入れてください。
    """
    report = MeceReport()
    for path, node in tree.walk():
        where = " > ".join(path)
        if not node.children:
            continue
        report += _siblings(node, where)
        whole = node.items
        if node is tree.root and universe is not None:
            whole = frozenset(str(u) for u in universe)
        parts: dict[str, list[str]] = {}
        for child in node.children:
            key = child.label if child.label not in parts else f"{child.label}（{len(parts) + 1}番目）"
            parts[key] = sorted(child.effective_items())
        report += _partition_findings(
            None if whole is None else sorted(whole), parts, where=where, whole_name=node.label
        )
        report += _tree_numbers(node, where, tolerance)
        only = node.children[0]
        if len(node.children) == 1 and (node.role is None or only.role is None or node.role == only.role):
            report.findings.append(
                Finding(
                    "single_child",
                    where,
                    f"「{node.label}」の下に「{node.children[0].label}」の1つしかありません。"
                    "分解するなら2つ以上に分けるか、1つなら同じ箱にまとめてください。",
                )
            )
        report += _roles(node, where)
    # the same overlap can be seen twice (same words at one level, and again as items): say it once
    seen: set[tuple] = set()
    unique: list[Finding] = []
    for finding in report.findings:
        key = (finding.kind, finding.items) if finding.kind == "overlap" else (finding.kind, finding.where, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    report.findings = unique
    return report


def _siblings(node: Node, where: str) -> MeceReport:
    report = MeceReport()
    by_key: dict[str, list[str]] = {}
    for child in node.children:
        by_key.setdefault(normalize_label(child.label), []).append(child.label)
    for labels in by_key.values():
        if len(labels) > 1:
            report.findings.append(
                Finding(
                    "overlap",
                    where,
                    f"「{node.label}」の下に同じ言葉の箱「{labels[0]}」が {len(labels)} つあります。1つにまとめてください。",
                    (labels[0],),
                )
            )
    return report


def _tree_numbers(node: Node, where: str, tolerance: float) -> MeceReport:
    report = MeceReport()
    with_value = [c for c in node.children if c.value is not None]
    if node.value is None or not with_value:
        return report
    missing = [c.label for c in node.children if c.value is None]
    if missing:
        report.findings.append(
            Finding(
                "missing_value",
                where,
                f"「{node.label}」の子のうち{_q(missing)}に値がないため、合計を確かめられません。値を入れてください。",
                tuple(missing),
            )
        )
        return report
    return _numeric_findings(
        node.value, {c.label: c.value for c in node.children}, node.combine, tolerance, where=where, name=node.label
    )


def _roles(node: Node, where: str) -> MeceReport:
    report = MeceReport()
    if node.role not in ROLE_ORDER:
        return report
    for child in node.children:
        if child.role in ROLE_ORDER and ROLE_ORDER[child.role] < ROLE_ORDER[node.role]:
            report.findings.append(
                Finding(
                    "role_order",
                    where,
                    f"「{node.role}」の「{node.label}」の下に「{child.role}」の「{child.label}」があります。"
                    "将来像→問題→課題→施策→事業の順に、上位から下位へ並べてください。",
                )
            )
    return report
