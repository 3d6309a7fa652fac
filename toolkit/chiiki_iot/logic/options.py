"""Choosing solutions (解決策の検討): ICT and non-ICT options side by side, and a weighted criteria matrix.

The casebook (p.12) asks to weigh solutions "including methods other than
ICT/IoT (e.g. human services, economic instruments, regulation/institutions)".

>>> from chiiki_iot.logic.options import Option, compare_options
>>> options = [
...     Option("センサー付きスマートわな", "ICT/IoT", issue="捕獲作業の負担"),
...     Option("見回りの当番制", "人的サービス", issue="捕獲作業の負担"),
...     Option("捕獲報奨金の増額", "経済的手法", issue="捕獲作業の負担"),
... ]
>>> table, findings = compare_options(options)
>>> table.loc["捕獲作業の負担", "規制・制度"]
''
>>> print(findings[0])
「捕獲作業の負担」には「規制・制度」の案がありません。ほかの種類でできることはないか考えてみましょう。

>>> from chiiki_iot.logic.options import CriteriaMatrix
>>> m = CriteriaMatrix({"効果": 3, "費用の安さ": 2, "実現しやすさ": 1})
>>> m.score("スマートわな", 効果=5, 費用の安さ=2, 実現しやすさ=3)
>>> m.score("当番制", 効果=3, 費用の安さ=5, 実現しやすさ=4)
>>> m.ranking().round(2)[["案", "合計点", "順位"]].values.tolist()
[['当番制', 3.83, 1], ['スマートわな', 3.67, 2]]
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .errors import TreeError

#: Kinds of solution (p.12): ICT/IoT and the three non-ICT kinds the casebook names.
SOLUTION_TYPES: tuple[str, ...] = ("ICT/IoT", "人的サービス", "経済的手法", "規制・制度")


@dataclass(frozen=True)
class Option:
    """One candidate solution for an issue (課題)."""

    name: str
    type: str
    issue: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise TreeError("案の名前が空です。どんな解決策かを短く書いてください。")
        if self.type not in SOLUTION_TYPES:
            raise TreeError(f"案「{self.name}」の種類「{self.type}」が分かりません。{'・'.join(SOLUTION_TYPES)} のどれかにしてください。")


def compare_options(options: Iterable[Option]):
    """Options side by side: rows = issues, columns = the four kinds; and findings about balance.

    Returns ``(table, findings)``; a finding is a Japanese sentence for each
    issue that has only ICT options, or lacks a kind.
    """
    import pandas as pd

    options = list(options)
    if not options:
        raise TreeError("案が1つもありません。Option(名前, 種類, issue=課題) を並べて渡してください。")
    issues = list(dict.fromkeys(o.issue or "（課題の指定なし）" for o in options))
    table = pd.DataFrame("", index=pd.Index(issues, name="課題"), columns=list(SOLUTION_TYPES))
    for option in options:
        issue = option.issue or "（課題の指定なし）"
        cell = table.loc[issue, option.type]
        table.loc[issue, option.type] = f"{cell}、{option.name}" if cell else option.name
    findings = []
    for issue in issues:
        row = table.loc[issue]
        if all(row[t] == "" for t in SOLUTION_TYPES[1:]):
            findings.append(f"「{issue}」にはICT/IoT以外の案がありません。人的サービス・経済的手法・規制・制度も含めてバランスよく考えましょう。")
            continue
        for kind in SOLUTION_TYPES:
            if row[kind] == "":
                findings.append(f"「{issue}」には「{kind}」の案がありません。ほかの種類でできることはないか考えてみましょう。")
    return table, findings


class CriteriaMatrix:
    """Weighted scoring of options against criteria (評価基準と重み).

    Weights are relative (3, 2, 1 or 0.5, 0.3, 0.2); they are normalised to sum
    to 1.  Scores share one scale (default 1–5).  Ties keep the order the
    options were scored in.
    """

    def __init__(self, weights: Mapping[str, float], scale: tuple[float, float] = (1, 5)) -> None:
        if not weights:
            raise TreeError("評価基準が1つもありません。{基準: 重み} の辞書で渡してください（例: {\"効果\": 3, \"費用\": 2}）。")
        for criterion, weight in weights.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
                raise TreeError(f"基準「{criterion}」の重み {weight!r} は 0 以上の数にしてください。")
        total = sum(weights.values())
        if total == 0:
            raise TreeError("重みの合計が 0 です。少なくとも1つの基準に重みをつけてください。")
        self.weights = {str(k): v / total for k, v in weights.items()}
        self.scale = scale
        self.scores: dict[str, dict[str, float]] = {}

    def score(self, option: str, **scores: float) -> None:
        """Give one option its scores, one keyword per criterion (e.g. ``効果=5``)."""
        missing = [c for c in self.weights if c not in scores]
        extra = [c for c in scores if c not in self.weights]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"点数がない基準: {'、'.join(missing)}")
            if extra:
                parts.append(f"基準にない名前: {'、'.join(extra)}")
            raise TreeError(f"案「{option}」の点数が基準と合いません（{'／'.join(parts)}）。すべての基準に1つずつ点をつけてください。")
        low, high = self.scale
        for criterion, value in scores.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
                raise TreeError(f"案「{option}」の「{criterion}」の点 {value!r} は {low:g}〜{high:g} の数にしてください。")
        self.scores[option] = {c: float(scores[c]) for c in self.weights}

    def ranking(self):
        """A DataFrame: 案, each criterion's score, 合計点 (weighted), 順位 (1 = best)."""
        import pandas as pd

        if not self.scores:
            raise TreeError("まだ案に点数がついていません。score(案, 基準=点, ...) で点をつけてください。")
        rows = []
        for order, (option, scores) in enumerate(self.scores.items()):
            total = sum(self.weights[c] * s for c, s in scores.items())
            rows.append({"案": option, **scores, "合計点": total, "_order": order})
        df = pd.DataFrame(rows).sort_values(["合計点", "_order"], ascending=[False, True], ignore_index=True)
        df["順位"] = range(1, len(df) + 1)
        return df.drop(columns="_order")

    def weights_table(self):
        """The normalised weights (they sum to 1)."""
        import pandas as pd

        return pd.Series(self.weights, name="重み").rename_axis("基準")

    def with_weights(self, **weights: float) -> CriteriaMatrix:
        """A copy with some weights changed (the others kept, before normalising) and the same scores."""
        unknown = [c for c in weights if c not in self.weights]
        if unknown:
            raise TreeError(f"{'、'.join(unknown)} は評価基準にありません。")
        new = CriteriaMatrix({**self.weights, **weights}, scale=self.scale)
        new.scores = {k: dict(v) for k, v in self.scores.items()}
        return new
