"""Self-checks inside notebooks, with Japanese feedback.

One ``Checks`` object per notebook declares, for each graded answer, the
variable that holds it and the *format* it must have. The same object serves
three uses, so the learner and the grader see the same format rules:

* the visible nbgrader test cell calls ``checks("q1")`` (format only);
* the hidden part of that cell wraps its asserts in ``with checks.grading("q1"):``
  so a wrong answer shows only the Japanese hint, never the hidden code;
* a learner alone calls ``checks.self_check()`` at any time for a summary.

In a learner workspace (``chiiki-iot lab``) each module has a self-check key (see
``answer_key``): there ``checks("q1")`` also runs the hidden tests of that answer and says
whether it is right, with the grader's own Japanese hints, and ``checks.model_answer(...)``
shows the model answer and rubric of a manually graded task once the learner has written
an attempt. Everywhere else (the trainer's ``courses/``, a class graded by nbgrader) checks
stay format-only and the hidden tests stay hidden.

Example (in a notebook)::

    from chiiki_iot.checks import Checks, expect
    checks = Checks("将来像・現状・問題・課題")
    checks.add("q1", "gap", expect.number(), "目標と現状の差（千人）")

    gap = 900 - 868
    checks("q1")                       # ✅［OK］ q1: 答えの形は大丈夫です …
    with checks.grading("q1"):         # (hidden in the learner's copy)
        assert gap == 32, "差は『目標 − 現状』で求めます。"
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from . import answer_key, expect, python_errors
from .expect import Expectation
from .marks import NG, OK, TODO
from .quick import quick_check
from .self_grading import SelfGrader, saved_cell_source

__all__ = ["Checks", "CheckFailed", "FormatProblem", "WrongAnswer", "expect", "answer_key", "FORMAT_ONLY", "SELF_GRADED", "quick_check"]

_MISSING = object()
# which kind of check ran, said after every result
FORMAT_ONLY = "形式チェックだけです（ここには答え合わせがありません）。正しいかどうかは採点で確かめます"
SELF_GRADED = "自己採点: この学習用フォルダの答え合わせで、採点と同じテストを使って確かめました"


class CheckFailed(AssertionError):
    """A check found a problem. Shown to the learner as a short Japanese message."""

    headline = "確認できませんでした"

    def __init__(self, question: str, problems: list[str], about: str = "", note: str = ""):
        self.question = question
        self.problems = problems
        self.about = about
        self.note = note
        super().__init__(self.render())

    def render(self) -> str:
        title = f"{self.question}（{self.about}）" if self.about else self.question
        lines = [f"{NG} {title}: {self.headline}"]
        lines += [f"  ・{p}" for p in self.problems]
        lines.append(f"  → {self.next_step}")
        if self.note:
            lines.append(f"  （{self.note}）")
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
        python_errors.install()  # Japanese help for Python errors; a failed check shows only its hint

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
        """Check answer ``name``: its format, and in a learner workspace whether it is right.

        Raises ``FormatProblem`` (wrong shape) or ``WrongAnswer`` (self-graded, not right yet).
        """
        namespace = _caller_namespace() if namespace is None else namespace
        q = self.question(name)
        problems = self.problems(name, namespace)
        if problems:
            raise FormatProblem(name, problems, q.about)
        grader = self._self_grader()
        tests = grader.tests_for(name, namespace) if grader else []
        if not tests:
            print(f"{OK} {_title(q)}: 答えの形は大丈夫です。（{FORMAT_ONLY}）")
            return
        wrong = self._hidden_problems(name, tests, namespace)
        if wrong:
            raise WrongAnswer(name, wrong, q.about, SELF_GRADED)
        every = grader.tests_for(name, namespace, all_cells=True)
        if len(every) > len(tests):
            print(f"{OK} {_title(q)}: この確認は正解です（この答えの確認は {len(every)} つあります）。（{SELF_GRADED}）")
        else:
            print(f"{OK} {_title(q)}: 正解です。（{SELF_GRADED}）")

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

    def _self_grader(self) -> SelfGrader | None:
        """The learner workspace's self-check key of this module (None: checks stay format-only)."""
        if not hasattr(self, "_grader"):
            self._grader = SelfGrader.find()
        return self._grader

    def _hidden_problems(self, name: str, tests, namespace: dict[str, Any]) -> list[str]:
        """The hints of every failing hidden test, run as the grader runs them (each test on its own).

        The tests' own variables stay out of the learner's namespace.
        """
        hints: list[str] = []
        for test in tests:
            scratch = dict(namespace)
            scratch.setdefault("checks", self)
            try:
                with self.grading(name):
                    exec(compile(test.code, f"<自己採点 {test.test_id}>", "exec"), scratch)  # noqa: S102
            except CheckFailed as e:
                hints += [h for h in e.problems if h not in hints]
        return hints

    def self_check(self, namespace: dict[str, Any] | None = None) -> None:
        """Print every answer's state: not yet answered, to fix, or fine (right, in a learner workspace)."""
        namespace = _caller_namespace() if namespace is None else namespace
        grader = self._self_grader()
        rows = []
        for name, q in self._questions.items():
            value = namespace.get(q.variable, _MISSING)
            if value is _MISSING or value is Ellipsis:
                rows.append((TODO, q, [f"まだ答えていません（変数 `{q.variable}`）。"]))
                continue
            problems = self.problems(name, namespace)
            if grader and not problems:
                problems = self._hidden_problems(name, grader.tests_for(name, namespace, all_cells=True), namespace)
            rows.append((NG if problems else OK, q, problems))
        done = sum(mark == OK for mark, _, _ in rows)
        what = "正解です" if grader else "答えの形を満たしています"
        print(f"【{self.title}】{done} / {len(rows)} 問が{what}。")
        for mark, q, problems in rows:
            print(f"{mark} {_title(q)}")
            for p in problems:
                print(f"    ・{p}")
        todo = [q.name for mark, q, _ in rows if mark != OK]
        if todo:
            print(f"→ まだ終わっていない答え: {', '.join(todo)}。その答えのセルを直して実行し、すぐ下の確認のセルも実行してください。")
        for task in grader.manual_tasks(namespace) if grader else []:
            print(f"【文章で答える課題】{task.grade_id}: 書いて保存したら checks.model_answer(\"{task.grade_id}\") "
                  "で解答例と採点基準を見て、自分で見くらべられます。")
        print(f"※ {SELF_GRADED}。" if grader else f"※ {FORMAT_ONLY}。")

    def model_answer(self, grade_id: str, namespace: dict[str, Any] | None = None) -> None:
        """Show the model answer and rubric of manually graded task ``grade_id``, once an attempt is saved."""
        namespace = _caller_namespace() if namespace is None else namespace
        grader = self._self_grader()
        if grader is None:
            print(f"{NG} 解答例は、この場所にはありません（講師が採点する教室・講師用のフォルダです）。講師にたずねてください。")
            return
        tasks = {t.grade_id: t for t in grader.manual_tasks(namespace)}
        if grade_id not in tasks:
            known = ", ".join(tasks) or "（ありません）"
            raise KeyError(f"文章で答える課題 '{grade_id}' はこのノートブックにありません。あるもの: {known}")
        task = tasks[grade_id]
        written = saved_cell_source(grader.folder, namespace, grade_id)
        if written is None or not _attempted(written, task.blank):
            raise FormatProblem(grade_id, [
                "まだ自分の答えが保存されていません。答えのセルに自分の考えを書き、保存（Ctrl+S）してから、"
                "もう一度このセルを実行してください。解答例は、自分で考えたあとに見るほうが身につきます。"], "解答例を見る")
        _show_markdown(f"#### {grade_id} の解答例\n\n{task.model_answer}\n\n"
                       f"#### 採点基準（自分の答えと見くらべてください）\n\n{task.rubric or '（採点基準はノートブックの問題文にあります）'}")


def _title(q: Question) -> str:
    return f"{q.name}（{q.about}）" if q.about else q.name


def _attempted(written: str, blank: str) -> bool:
    """The learner wrote something of their own (at least a short sentence beyond the released cell)."""
    own = written.replace(blank.strip(), "") if blank.strip() else written
    own = own.replace("YOUR ANSWER HERE", "")
    return len("".join(own.split())) >= 10


def _show_markdown(text: str) -> None:
    """Rendered in a notebook, plain text elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # plain Python without IPython
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(text)
        return
    display(Markdown(text))


def _caller_namespace() -> dict[str, Any]:
    """Globals of the code that called into this module (a notebook's user namespace)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    return frame.f_globals if frame is not None else {}
