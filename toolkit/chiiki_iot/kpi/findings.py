"""A list of Japanese findings from a check, printed for the learner."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Findings:
    """What a check (of a logic model, of a plan) found; ``ok`` when nothing.

    >>> print(Findings("計画の確認", ["第3章が空です。"], mark="・"))
    計画の確認: 1 件の指摘があります。
    ・第3章が空です。
    """

    title: str
    findings: list[str]
    mark: str = "△ "

    @property
    def ok(self) -> bool:
        return not self.findings

    def __str__(self) -> str:
        if not self.findings:
            return f"{self.title}: 指摘はありません。"
        return "\n".join([f"{self.title}: {len(self.findings)} 件の指摘があります。",
                          *(f"{self.mark}{f}" for f in self.findings)])

    __repr__ = __str__
