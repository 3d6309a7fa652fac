"""Grades out of nbgrader's gradebook, into the spreadsheets a municipal office uses.

``export_grades(course, folder)`` writes, from the sqlite gradebook (nbgrader's API):

* ``grades_by_learner.csv``   one row per learner, one column per module, total and %;
* ``grades_by_module.csv``    one row per module: submissions, average, min, max, manual grading left,
  the due date and how many submissions came in after it;
* ``grades_by_objective.csv`` one row per learner × learning objective (from the notebook's
  ``metadata.chiiki_iot.objective_map``: question → objective numbers, 1 = first objective);
* ``grades_cells.csv``        every graded cell (the raw detail);
* ``grades.xlsx``             the same four tables as sheets, plus the progress view (status, submission
  time and lateness per learner and module), the trainer's view of the class (``item_analysis``:
  share right and hints per question, who is stuck where, progress over the session; the same
  numbers as ``chiiki-iot class view``) and a cover sheet.

The objective rows of one learner and module add up to that module's score in
``grades_by_learner`` (see ``objective_shares``).

CSV files are UTF-8 with BOM, so Excel opens the Japanese correctly. Times are Japan time.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..jst import now_jst

UNMAPPED = "（学習目標の対応なし）"
LATE_PENALTY = "（締め切り後の提出による減点）"
NOT_SUBMITTED = "未提出"


@dataclass
class CellScore:
    student: str
    assignment: str
    grade_id: str
    question: str
    kind: str            # 自動 / 手動
    score: float
    max_score: float
    needs_manual_grade: bool
    objectives: list[int] = field(default_factory=list)


@dataclass
class Submission:
    student: str
    assignment: str
    raw_score: float
    penalty: float
    max_score: float
    needs_manual_grade: bool
    timestamp: str  # JST, or ""
    late: str = ""  # how late ("2時間5分"), or "" (on time, or no due date)

    @property
    def score(self) -> float:
        return self.raw_score - self.penalty


@dataclass
class Gradebook:
    """Everything the exports need, read once from nbgrader's gradebook."""

    learners: list[tuple[str, str]]             # (id, display name)
    assignments: list[dict]                     # class.json entries
    submissions: dict[tuple[str, str], Submission]
    cells: list[CellScore]
    due: dict[str, str] = field(default_factory=dict)  # assignment -> due date (JST) or ""

    def max_score(self, assignment: str) -> float:
        found = [s.max_score for (_, a), s in self.submissions.items() if a == assignment]
        return max(found) if found else 0.0


def read_gradebook(course) -> Gradebook:
    from nbgrader.api import Gradebook as NbGradebook, MissingEntry

    from .duedates import due_dates, late_text, lateness, shown, submitted_at

    info = course.info
    due = due_dates(course)
    submissions, cells = {}, []
    with NbGradebook(course.db_url, course_id=course.course_id) as gb:
        learners = [(s.id, f"{s.last_name or ''} {s.first_name or ''}".strip() or s.id) for s in gb.students]
        for a in info["assignments"]:
            name = a["assignment"]
            auto_ids = course.test_cell_ids(name)
            for sid, _ in learners:
                try:
                    sub = gb.find_submission(name, sid)
                except MissingEntry:
                    continue
                # the graded version's own timestamp.txt (nbgrader's gradebook misreads "... JST" stamps)
                at = submitted_at(course.root / "autograded" / sid / name)
                if at is None and sub.timestamp:
                    from datetime import timezone

                    at = sub.timestamp.replace(tzinfo=timezone.utc)
                submissions[(sid, name)] = Submission(sid, name, float(sub.score), float(sub.late_submission_penalty or 0),
                                                      float(sub.max_score), bool(sub.needs_manual_grade), shown(at),
                                                      late_text(lateness(at, due.get(name), sub.extension)))
                for nb in sub.notebooks:
                    for g in nb.grades:
                        question = a["questions"].get(g.name, g.name)
                        cells.append(CellScore(sid, name, g.name, question, "自動" if g.name in auto_ids else "手動",
                                               float(g.score), float(g.max_score), bool(g.needs_manual_grade),
                                               [int(i) for i in a["objective_map"].get(question, [])]))
    return Gradebook(learners, info["assignments"], submissions, cells, {k: shown(v) for k, v in due.items()})


def _pct(score: float, max_score: float) -> float | str:
    return round(100 * score / max_score, 1) if max_score else ""


def by_learner(book: Gradebook) -> list[list]:
    names = [a["assignment"] for a in book.assignments]
    header = ["学習者ID", "氏名"] + [f"{a['module']} {a['title']}" for a in book.assignments] + \
             ["合計", "満点（提出した課題）", "得点率(%)", "提出数"]
    rows = [header]
    for sid, display in book.learners:
        row, total, max_total, count = [sid, display], 0.0, 0.0, 0
        for name in names:
            sub = book.submissions.get((sid, name))
            if sub is None:
                row.append(NOT_SUBMITTED)
                continue
            row.append(sub.score)
            total += sub.score
            max_total += sub.max_score
            count += 1
        rows.append(row + [total, max_total, _pct(total, max_total), count])
    return rows


def by_module(book: Gradebook) -> list[list]:
    rows = [["課題", "コース", "モジュール", "満点", "提出数", "平均点", "平均得点率(%)", "最高点", "最低点", "手動採点待ち",
             "締め切り（日本時間）", "締め切り後の提出"]]
    for a in book.assignments:
        subs = [s for (sid, name), s in book.submissions.items() if name == a["assignment"]]
        scores = [s.score for s in subs]
        max_score = book.max_score(a["assignment"])
        avg = round(sum(scores) / len(scores), 2) if scores else ""
        rows.append([a["assignment"], a["course_name"], a["title"], max_score, len(subs), avg,
                     _pct(sum(scores) / len(scores), max_score) if scores else "",
                     max(scores) if scores else "", min(scores) if scores else "",
                     sum(s.needs_manual_grade for s in subs), book.due.get(a["assignment"], ""),
                     sum(bool(s.late) for s in subs)])
    return rows


def apportion(values: list[float], total: float, step: float = 0.01) -> list[float]:
    """``values`` rounded to ``step`` so that they still add up to ``total`` (largest remainder).

    >>> apportion([5 / 3, 5 / 3, 5 / 3], 5)
    [1.67, 1.67, 1.66]
    """
    units = [v / step for v in values]
    floors = [int(u // 1) for u in units]
    left = round(total / step) - sum(floors)
    order = sorted(range(len(units)), key=lambda i: (-(units[i] - floors[i]), i))
    for i in order[:max(0, left)]:
        floors[i] += 1
    return [round(f * step, 10) for f in floors]


def objective_shares(cells: list[CellScore]) -> dict[int, tuple[float, float]]:
    """Objective number (0 = mapped to none) -> (score, max score) from one learner's cells of one module.

    A question that assesses several objectives shares its points equally among them, so the
    objectives' scores add up to the module's score (before a late penalty). Rounded to 0.01
    with the largest-remainder method, so the rounded shares still add up exactly.
    """
    score: dict[int, float] = {}
    out_of: dict[int, float] = {}
    for c in cells:
        targets = c.objectives or [0]
        for i in targets:
            score[i] = score.get(i, 0.0) + c.score / len(targets)
            out_of[i] = out_of.get(i, 0.0) + c.max_score / len(targets)
    keys = sorted(score)
    got = apportion([score[k] for k in keys], sum(c.score for c in cells))
    of = apportion([out_of[k] for k in keys], sum(c.max_score for c in cells))
    return {k: (g, m) for k, g, m in zip(keys, got, of)}


def by_objective(book: Gradebook) -> list[list]:
    """Learner × learning objective. The rows of one learner and module add up to the module's score:
    a question serving several objectives shares its points among them, and a late penalty is a row of its own."""
    rows = [["学習者ID", "氏名", "課題", "学習目標番号", "学習目標", "得点", "満点", "得点率(%)"]]
    names = dict(book.learners)
    for a in book.assignments:
        objectives = a["objectives"]
        for sid, _ in book.learners:
            mine = [c for c in book.cells if c.student == sid and c.assignment == a["assignment"]]
            if not mine:
                continue
            for i, (got, out_of) in objective_shares(mine).items():
                label = objectives[i - 1] if 0 < i <= len(objectives) else UNMAPPED
                rows.append([sid, names[sid], a["assignment"], i or "", label, got, out_of, _pct(got, out_of)])
            sub = book.submissions.get((sid, a["assignment"]))
            if sub is not None and sub.penalty:
                rows.append([sid, names[sid], a["assignment"], "", LATE_PENALTY, -sub.penalty, 0, ""])
    return rows


def cell_rows(book: Gradebook) -> list[list]:
    rows = [["学習者ID", "課題", "grade_id", "問題", "種類", "得点", "満点", "手動採点待ち", "学習目標番号"]]
    for c in book.cells:
        rows.append([c.student, c.assignment, c.grade_id, c.question, c.kind, c.score, c.max_score,
                     "はい" if c.needs_manual_grade else "", ",".join(map(str, c.objectives))])
    return rows


TABLES = {
    "grades_by_learner": ("学習者別", by_learner),
    "grades_by_module": ("モジュール別", by_module),
    "grades_by_objective": ("学習目標別", by_objective),
    "grades_cells": ("明細", cell_rows),
}


def export_grades(course, folder: Path) -> list[Path]:
    """Write the CSV files and ``grades.xlsx`` into ``folder``; return their paths."""
    from .item_analysis import analyse, view_tables
    from .progress import progress_rows, read_progress

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    book = read_gradebook(course)
    written = []
    tables = {}
    for stem, (sheet, build) in TABLES.items():
        rows = build(book)
        tables[sheet] = rows
        path = folder / f"{stem}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows(rows)
        written.append(path)
    progress = read_progress(course)
    tables["提出状況"] = progress_rows(progress)
    submitted = [a for a in progress.assignments
                 if any(progress.status[(s, a)] != NOT_SUBMITTED for s in progress.learners)]
    tables.update(view_tables([analyse(course, a, book, progress) for a in submitted]))
    written.append(write_xlsx(folder / "grades.xlsx", tables, course))
    return written


def write_xlsx(path: Path, tables: dict[str, list[list]], course) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    cover = wb.active
    cover.title = "表紙"
    cover.append(["地域IoTアカデミー 成績"])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append(["コースID", course.course_id])
    cover.append(["出力日時（日本時間）", now_jst()])
    cover.append(["課題数", len(course.assignments)])
    cover.append([])
    cover.append(["シート", "内容"])
    for sheet, about in [("学習者別", "学習者ごとの各モジュールの点数と合計"), ("モジュール別", "モジュールごとの提出数・平均点"),
                         ("学習目標別", "学習者ごと・学習目標ごとの得点率"), ("明細", "採点したセルごとの点数"),
                         ("提出状況", "だれが何を提出したか、提出日時、締め切り後の提出"),
                         ("問題別の正答率", "問題ごとの正解の人数と正答率（提出のある課題）"),
                         ("よくあるヒント", "問題ごとに、隠しテストが出したヒントと何人に出たか（多い順）"),
                         ("つまずき", "学習者ごとの、まだ正解でない最初の問題と出ているヒント"),
                         ("進み具合", "提出の時刻の順に、提出した人数と問題ごとの正解の人数")]:
        cover.append([sheet, about])
    cover.column_dimensions["A"].width = 22
    cover.column_dimensions["B"].width = 50
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet, rows in tables.items():
        ws = wb.create_sheet(sheet)
        for row in rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
        ws.freeze_panes = "A2"
        for i, _ in enumerate(rows[0] if rows else [], start=1):
            width = max(len(str(r[i - 1])) if i - 1 < len(r) else 0 for r in rows)
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width * 1.6))
    wb.save(path)
    return path
