"""Self-checks inside notebooks, with Japanese feedback.

One ``Checks`` object per notebook declares, for each graded answer, the
variable that holds it and the *format* it must have. The same object serves
three uses, so the learner and the grader see the same format rules:

* the visible nbgrader test cell calls ``checks("q1")`` (format only);
* the hidden part of that cell wraps its asserts in ``with checks.grading("q1"):``
  so a wrong answer shows only the Japanese hint, never the hidden code;
* a learner alone calls ``checks.self_check()`` at any time for a summary.

Example (in a notebook)::

    from chiiki_iot.checks import Checks, expect
    checks = Checks("将来像・現状・問題・課題")
    checks.add("q1", "gap", expect.number(), "目標と現状の差（千人）")

    gap = 900 - 868
    checks("q1")                       # ✅ q1: 形式は大丈夫です …
    with checks.grading("q1"):         # (hidden in the learner's copy)
        assert gap == 32, "差は『目標 − 現状』で求めます。"
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from . import expect
from .expect import Expectation

__all__ = ["Checks", "CheckFailed", "FormatProblem", "WrongAnswer", "expect"]

_MISSING = object()


class CheckFailed(AssertionError):
    """A check found a problem. Shown to the learner as a short Japanese message."""

    headline = "確認できませんでした"

    def __init__(self, question: str, problems: list[str], about: str = ""):
        self.question = question
        self.problems = problems
        self.about = about
        super().__init__(self.render())

    def render(self) -> str:
        title = f"{self.question}（{self.about}）" if self.about else self.question
        lines = [f"❌ {title}: {self.headline}"]
        lines += [f"  ・{p}" for p in self.problems]
        lines.append(f"  → {self.next_step}")
        return "\n".join(lines)

    next_step = "答えのセルを直して実行し、このセルをもう一度実行してください。"


class FormatProblem(CheckFailed):
    """The answer does not have the required shape (visible check)."""

    headline = "答えの形が求められている形と違います"


class WrongAnswer(CheckFailed):
    """The answer has the right shape but is not correct (hidden check)."""

    headline = "形は大丈夫ですが、まだ正解ではありません"
    next_step = "ヒントを手がかりに考え直してみてください。"


@dataclass(frozen=True)
class Question:
    name: str
    variable: str
    expectation: Expectation
    about: str


class Checks:
    """The format checks of one notebook, keyed by nbgrader grade id."""

    def __init__(self, title: str):
        self.title = title
        self._questions: dict[str, Question] = {}
        _show_check_failures_without_traceback()

    def add(self, name: str, variable: str, expectation: Expectation, about: str = "") -> None:
        """Declare answer ``name`` (the grade id of its answer cell), held in ``variable``."""
        self._questions[name] = Question(name, variable, expectation, about)

    @property
    def names(self) -> list[str]:
        return list(self._questions)

    def question(self, name: str) -> Question:
        try:
            return self._questions[name]
        except KeyError:
            known = ", ".join(self._questions) or "（まだありません）"
            raise KeyError(f"問題 '{name}' はこのノートブックにありません。あるもの: {known}") from None

    def problems(self, name: str, namespace: dict[str, Any]) -> list[str]:
        """Format problems of answer ``name`` as found in ``namespace`` (empty = fine)."""
        q = self.question(name)
        value = namespace.get(q.variable, _MISSING)
        if value is _MISSING:
            return [f"変数 `{q.variable}` がまだありません。答えのセルで `{q.variable} = ...` と書いて、実行してください。"]
        if value is Ellipsis:
            return [f"`{q.variable}` はまだ `...` のままです。答えを書いてください。"]
        return q.expectation(value)

    def __call__(self, name: str, namespace: dict[str, Any] | None = None) -> None:
        """Visible format check: raise ``FormatProblem`` or say the format is fine."""
        namespace = _caller_namespace() if namespace is None else namespace
        problems = self.problems(name, namespace)
        if problems:
            raise FormatProblem(name, problems, self.question(name).about)
        print(f"✅ {name}: 答えの形は大丈夫です（正しいかどうかは採点のときに確かめます）。")

    @contextmanager
    def grading(self, name: str):
        """Hidden correctness checks: any failure inside becomes a ``WrongAnswer`` hint."""
        q = self.question(name)
        try:
            yield
        except CheckFailed:
            raise
        except AssertionError as e:
            hint = str(e) or "答えが期待と違います。"
            raise WrongAnswer(name, [hint], q.about) from None
        except Exception as e:  # the learner's value broke the test itself
            raise WrongAnswer(name, [f"答えを確かめる途中で {type(e).__name__} が起きました。答えの型や中身を見直してください。"],
                              q.about) from None

    def self_check(self, namespace: dict[str, Any] | None = None) -> None:
        """Print a summary of every answer's format (what is answered, what to fix)."""
        namespace = _caller_namespace() if namespace is None else namespace
        results = {name: self.problems(name, namespace) for name in self._questions}
        done = sum(not p for p in results.values())
        print(f"【{self.title}】形式チェック: {done} / {len(results)} 問が答えの形を満たしています。")
        for name, problems in results.items():
            q = self._questions[name]
            value = namespace.get(q.variable, _MISSING)
            unanswered = value is _MISSING or value is Ellipsis
            mark = "⏳" if unanswered else "❌" if problems else "✅"
            print(f"{mark} {name}（{q.about}）")
            for p in problems:
                print(f"    ・{p}")
        print("※ ここで確かめるのは答えの形だけです。正しいかどうかは提出後の採点で確かめます。")


def _caller_namespace() -> dict[str, Any]:
    """Globals of the code that called into this module (a notebook's user namespace)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    return frame.f_globals if frame is not None else {}


def _show_check_failures_without_traceback() -> None:
    """In IPython, show CheckFailed as its message only (no code, no traceback).

    The cell still ends in an error (nbgrader sees a failed test), but the
    learner sees the Japanese hint, not the hidden test's source lines.
    """
    try:
        ip = get_ipython()  # type: ignore[name-defined]  # noqa: F821
    except NameError:
        return

    def handler(shell, etype, value, tb, tb_offset=None):
        # IPython does not display what a custom handler returns; publish it as the
        # cell's error output ourselves (ipykernel sends it as an "error" message).
        lines = value.render().splitlines()
        shell._showtraceback(etype, value, lines)
        return lines

    ip.set_custom_exc((CheckFailed,), handler)
