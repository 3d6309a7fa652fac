"""Quick checks: a short ungraded question inside the explanation, with immediate feedback.

A quick check (小テスト) breaks a long explanation into episodes (issue #13): the learner
changes one value (``kotae = ...`` → ``kotae = 2``), runs the cell, and reads at once
whether it is right and why. It is never graded, never raises (a notebook run top to
bottom with the value still ``...`` simply says it is not answered yet), and is marked in
the notebook by the cell tag ``quick-check`` (the ``episodes`` rule of
``chiiki_iot.curriculum.rules`` counts such a cell as a check only if it calls
``quick_check``)::

    >>> quick_check(2, 2, "課題は「行政として取り組むこと」です。")
    ✅［OK］ 正解です。課題は「行政として取り組むこと」です。
    >>> quick_check(1, 2, "課題は「行政として取り組むこと」です。", choices=[1, 2, 3], hint="問題と課題の違いを思い出してください。")
    ❌［要修正］ 1 ではありません。問題と課題の違いを思い出してください。
    >>> quick_check(..., 2, "…", choices=[1, 2, 3])
    ⏳［未回答］ `...` を 1, 2, 3 のどれかに書き換えて、このセルをもう一度実行してください（採点しません）。
    >>> quick_check(4, 2, "…", choices=[1, 2, 3])
    ❌［要修正］ 4 は選択肢にありません。1, 2, 3 のどれかを書いてください。
    >>> quick_check(0.30, 0.3, "…", tolerance=0.005)
    ✅［OK］ 正解です。…
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .marks import NG, OK, TODO

__all__ = ["quick_check"]


def _same(answer: Any, correct: Any, tolerance: float) -> bool:
    if isinstance(correct, (int, float)) and not isinstance(correct, bool):
        if isinstance(answer, bool) or not isinstance(answer, (int, float)):
            return False
        return abs(answer - correct) <= tolerance
    if isinstance(correct, str) and isinstance(answer, str):
        return answer.strip() == correct.strip()
    return answer == correct


def quick_check(answer: Any, correct: Any, why: str, *, choices: Sequence[Any] | None = None,
                hint: str = "", tolerance: float = 0) -> None:
    """Print ✅ and ``why`` when ``answer`` equals ``correct``, otherwise ❌ and ``hint``.

    ``choices``: the allowed answers (an answer outside them is told so); ``tolerance``: for
    numbers, how far from ``correct`` still counts as right. Nothing is raised or graded.
    """
    allowed = ", ".join(str(c) for c in choices) if choices else ""
    if answer is Ellipsis or answer is None:
        what = f"{allowed} のどれか" if allowed else "答え"
        print(f"{TODO} `...` を {what}に書き換えて、このセルをもう一度実行してください（採点しません）。")
        return
    if choices and not any(_same(answer, c, tolerance) for c in choices):
        print(f"{NG} {answer} は選択肢にありません。{allowed} のどれかを書いてください。")
        return
    if _same(answer, correct, tolerance):
        print(f"{OK} 正解です。{why}")
    else:
        print(f"{NG} {answer} ではありません。{hint or 'もう一度、すぐ上の説明を読んで考えてみてください。'}")
