"""Item analysis of one assignment: the numbers of the trainer's view of a class.

``analyse(course, assignment, book, progress)`` reads what is there *now* (nothing is cached,
so a view rebuilt while grades arrive shows them):

* ``book`` - nbgrader's gradebook as ``export.read_gradebook`` reads it (scores per grade cell,
  submission times);
* ``progress`` - ``progress.read_progress`` (who submitted, who is graded, who could not be graded);
* the autograded notebooks (``autograded/<learner>/<assignment>/*.ipynb``): the error outputs of
  the test cells hold the Japanese hints the hidden tests raised (``checks.grading`` turns a failed
  assert into a ``WrongAnswer`` whose lines ``  ・…`` are the hints; a format problem the same way;
  a Python error shows the Japanese explanation of ``checks.python_errors`` first).

and gives, per question (the ``checks("q…")`` name of the test cells, see ``question_of_cells``):

* ``QuestionStats``: how many graded submissions have it fully right (every cell of the question at
  full marks), the share right, manual grading left;
* ``HintCount``: each hint and which learners got it (the class's typical mistakes);
* ``LearnerState``: per learner, the first autograded question not yet right and the hint they got;
* ``TimePoint``: per submission in time order, how many had submitted and how many had each question
  right by then (nbgrader keeps only a learner's latest submission, so a learner who submitted again
  counts from the time of the latest one).

Everything here is plain data: the page escapes it (``class_view``), the Excel export writes it
(``view_tables``). Hints can contain what a learner typed (a format check quotes the value): they are
kept as text and never marked up.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..checks.marks import NG
from ..jst import JST

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BULLET = "・"
CHECK_ERRORS = {"WrongAnswer", "FormatProblem", "CheckFailed"}
MAX_HINT = 300            # a learner can make a format hint as long as they like
ALL_RIGHT = "（自動採点の問題はすべて正解）"
NO_TIME = "（時刻なし）"
AUTO, MANUAL = "自動", "手動"


@dataclass
class QuestionStats:
    question: str
    kind: str                  # 自動 / 手動
    max_score: float
    graded: int                # submissions whose cells of this question are graded
    right: int                 # ... with every cell of the question at full marks
    waiting: int = 0           # submissions where a cell of this question still needs manual grading
    average: float | None = None

    @property
    def share(self) -> float | None:
        """Share right in percent (of the graded submissions), or None when nothing is graded."""
        return round(100 * self.right / self.graded, 1) if self.graded else None


@dataclass
class HintCount:
    question: str
    hint: str
    learners: list[str]

    @property
    def count(self) -> int:
        return len(self.learners)


@dataclass
class LearnerState:
    learner: str
    name: str
    status: str                # progress.STATUSES
    score: float | None
    max_score: float | None
    right: list[str]           # questions fully right
    stuck_at: str = ""         # first autograded question not yet right ("" = none, or not graded)
    hint: str = ""             # the first hint that learner got at that question
    submitted_at: str = ""


@dataclass
class TimePoint:
    at: str                    # submission time (JST, "2026-12-01 16:59") or NO_TIME
    learner: str
    submitted: int             # learners who had submitted by then
    right: dict[str, int]      # question -> learners with it fully right by then
    all_right: int             # learners with every autograded question right by then
    graded_at: str = ""        # when that submission was autograded (JST), "" if not yet


@dataclass
class ClassView:
    assignment: str
    title: str
    built_at: str
    questions: list[str]
    stats: list[QuestionStats]
    hints: list[HintCount]
    learners: list[LearnerState]
    timeline: list[TimePoint]
    auto_questions: list[str] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return sum(s.status != "未提出" for s in self.learners)

    @property
    def graded(self) -> int:
        return sum(s.score is not None for s in self.learners)

    def stat(self, question: str) -> QuestionStats:
        return next(s for s in self.stats if s.question == question)

    def hints_of(self, question: str) -> list[HintCount]:
        return [h for h in self.hints if h.question == question]

    def state(self, learner: str) -> LearnerState:
        return next(s for s in self.learners if s.learner == learner)


# -- hints out of the autograded notebooks ---------------------------------------------------

def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_HINT else text[:MAX_HINT - 1] + "…"


def output_hints(out) -> list[str]:
    """The Japanese hints of one error output of a graded cell.

    >>> output_hints({"output_type": "error", "ename": "WrongAnswer", "evalue": "",
    ...               "traceback": ["❌［要修正］ q2_gap: まだ正解ではありません", "  ・符号が逆です。", "  → ヒントを…"]})
    ['符号が逆です。']
    """
    if out.get("output_type") != "error":
        return []
    ename = str(out.get("ename") or "")
    lines = [ANSI.sub("", str(line)) for tb in out.get("traceback") or [] for line in str(tb).splitlines()]
    bullets = [ln.strip()[len(BULLET):].strip() for ln in lines if ln.strip().startswith(BULLET)]
    if ename in CHECK_ERRORS and bullets:
        return [_short(b) for b in bullets if b]
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    if first.startswith(NG):                       # a Python error with its Japanese explanation
        return [_short(first[len(NG):])]
    evalue = ANSI.sub("", str(out.get("evalue") or "")).strip().splitlines()
    return [_short(f"{ename}: {evalue[0]}" if evalue else ename or "エラー")]


def notebook_hints(folder: Path, questions: dict[str, str]) -> dict[str, list[str]]:
    """question -> the hints (in cell order, no repeats) in the autograded notebooks of ``folder``."""
    import nbformat

    found: dict[str, list[str]] = {}
    for path in sorted(Path(folder).glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:                          # noqa: BLE001 - a broken notebook has no hints to show
            continue
        for cell in nb.cells:
            gid = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")
            question = questions.get(gid, gid if gid in questions.values() else None)
            if question is None:
                continue
            for out in cell.get("outputs", []):
                for hint in output_hints(out):
                    if hint not in found.setdefault(question, []):
                        found[question].append(hint)
    return found


def _graded_at(folder: Path) -> str:
    times = [p.stat().st_mtime for p in Path(folder).glob("*.ipynb")]
    return datetime.fromtimestamp(max(times), JST).strftime("%Y-%m-%d %H:%M") if times else ""


# -- the analysis ----------------------------------------------------------------------------

def analyse(course, assignment: str, book, progress) -> ClassView:
    """The trainer's view of ``assignment``, from the gradebook, the progress and the autograded notebooks."""
    from ..jst import now_jst

    info = next(a for a in book.assignments if a["assignment"] == assignment)
    cell_question: dict[str, str] = dict(info["questions"])
    questions = list(dict.fromkeys(cell_question.values()))
    cells = [c for c in book.cells if c.assignment == assignment]
    kind = {q: (MANUAL if any(c.kind == MANUAL for c in cells if c.question == q) else AUTO) for q in questions}
    auto = [q for q in questions if kind[q] == AUTO]
    names = dict(book.learners)

    per: dict[tuple[str, str], list] = {}
    for c in cells:
        per.setdefault((c.student, c.question), []).append(c)

    def right(student: str, q: str) -> bool:
        mine = per.get((student, q), [])
        return bool(mine) and all(not c.needs_manual_grade and c.score >= c.max_score for c in mine)

    graded_students = [s for s, _ in book.learners if (s, assignment) in book.submissions]
    stats = []
    for q in questions:
        mine = [per[(s, q)] for s in graded_students if (s, q) in per]
        done = [cs for cs in mine if not any(c.needs_manual_grade for c in cs)]
        scores = [sum(c.score for c in cs) for cs in done]
        stats.append(QuestionStats(q, kind[q], max((sum(c.max_score for c in cs) for cs in mine), default=0.0),
                                   len(done), sum(right(s, q) for s in graded_students if (s, q) in per),
                                   len(mine) - len(done), round(sum(scores) / len(scores), 2) if scores else None))

    root = course.root
    hints_by_learner = {s: notebook_hints(root / "autograded" / s / assignment, cell_question) for s in graded_students}
    counted: dict[tuple[str, str], list[str]] = {}
    for s in graded_students:
        for q, hints in hints_by_learner[s].items():
            for h in hints:
                counted.setdefault((q, h), []).append(s)
    order = {q: i for i, q in enumerate(questions)}
    hints = sorted((HintCount(q, h, who) for (q, h), who in counted.items()),
                   key=lambda h: (-h.count, order.get(h.question, 99), h.hint))

    states = []
    for s in progress.learners:
        status = progress.status.get((s, assignment), "未提出")
        sub = book.submissions.get((s, assignment))
        state = LearnerState(s, names.get(s, s), status, sub.score if sub else None, sub.max_score if sub else None,
                             [q for q in questions if right(s, q)],
                             submitted_at=progress.submitted_at.get((s, assignment), ""))
        if sub is not None:
            stuck = next((q for q in auto if not right(s, q)), "")
            state.stuck_at = stuck
            state.hint = (hints_by_learner.get(s, {}).get(stuck) or [""])[0] if stuck else ALL_RIGHT
        states.append(state)

    submitted = [st for st in states if st.status != "未提出"]
    submitted.sort(key=lambda st: (st.submitted_at == "", st.submitted_at, st.learner))
    timeline, so_far = [], []
    for st in submitted:
        so_far.append(st)
        graded_dir = root / "autograded" / st.learner / assignment
        timeline.append(TimePoint(st.submitted_at or NO_TIME, st.learner, len(so_far),
                                  {q: sum(q in x.right for x in so_far) for q in questions},
                                  sum(x.score is not None and all(q in x.right for q in auto) for x in so_far),
                                  _graded_at(graded_dir) if st.score is not None else ""))
    return ClassView(assignment, info.get("title", assignment), now_jst()[:16].replace("T", " "), questions, stats,
                     hints, states, timeline, auto)


# -- tables (the Excel sheets, and the page's numbers) ---------------------------------------

SHEETS = ("問題別の正答率", "よくあるヒント", "つまずき", "進み具合")


def stats_rows(views: list[ClassView]) -> list[list]:
    rows = [["課題", "問題", "採点の種類", "満点", "採点済みの提出", "全問正解の人数", "正答率(%)", "平均点", "手動採点待ち"]]
    for v in views:
        for s in v.stats:
            rows.append([v.assignment, s.question, s.kind, s.max_score, s.graded, s.right,
                         "" if s.share is None else s.share, "" if s.average is None else s.average, s.waiting])
    return rows


def hint_rows(views: list[ClassView]) -> list[list]:
    rows = [["課題", "問題", "ヒント（隠しテストが出したメッセージ）", "人数", "学習者ID"]]
    for v in views:
        for h in v.hints:
            rows.append([v.assignment, h.question, h.hint, h.count, "、".join(h.learners)])
    return rows


def stuck_rows(views: list[ClassView]) -> list[list]:
    rows = [["課題", "学習者ID", "氏名", "状況", "得点", "満点", "正解した問題", "まだ正解でない最初の問題", "出ているヒント", "提出日時"]]
    for v in views:
        for s in v.learners:
            rows.append([v.assignment, s.learner, s.name, s.status, "" if s.score is None else s.score,
                         "" if s.max_score is None else s.max_score, "、".join(s.right), s.stuck_at, s.hint, s.submitted_at])
    return rows


def timeline_rows(views: list[ClassView]) -> list[list]:
    questions = list(dict.fromkeys(q for v in views for q in v.questions))
    rows = [["課題", "提出日時", "学習者ID", "採点した時刻", "提出した人数"] + [f"{q} 正解の人数" for q in questions]
            + ["自動採点の問題がすべて正解の人数"]]
    for v in views:
        for t in v.timeline:
            rows.append([v.assignment, t.at, t.learner, t.graded_at, t.submitted]
                        + [t.right.get(q, "") for q in questions] + [t.all_right])
    return rows


def view_tables(views: list[ClassView]) -> dict[str, list[list]]:
    """Sheet name -> rows, for the Excel export (one row block per assignment)."""
    return dict(zip(SHEETS, (stats_rows(views), hint_rows(views), stuck_rows(views), timeline_rows(views))))
