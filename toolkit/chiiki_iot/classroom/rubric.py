"""Manual grading of rubric tasks in Excel, as an alternative to the formgrader.

``write_rubric_sheet`` lists every manually graded answer of an assignment (one row per
learner and question) with the learner's answer, the model answer and the rubric;
the trainer types 点数 (and コメント) and ``read_rubric_sheet`` writes them into
nbgrader's gradebook exactly as the formgrader would (manual score, comment,
"needs manual grade" cleared). A sheet with any bad row changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from .feedback import split_regions

COLUMNS = ["学習者ID", "氏名", "問題", "満点", "点数", "コメント", "学習者の答え", "解答例・採点の説明"]


class RubricError(ValueError):
    """The sheet cannot be imported; the message says, in Japanese, which rows to fix."""


@dataclass
class ManualGrade:
    student: str
    grade_id: str
    score: float
    comment: str


def _manual_cells(course, assignment: str) -> dict[str, tuple[str, str]]:
    """grade_id -> (notebook name, model answer / mark scheme) for manually graded cells."""
    out = {}
    for path in sorted((course.root / "source" / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and (meta.get("solution") or meta.get("task")):
                text = cell.source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
                out[meta["grade_id"]] = (path.stem, text.strip())
    return out


def _learner_answer(course, student: str, assignment: str, notebook: str, grade_id: str) -> str:
    path = course.root / "autograded" / student / assignment / f"{notebook}.ipynb"
    if not path.exists():
        return ""
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return split_regions(cell.source)[0].strip()
    return ""


def write_rubric_sheet(course, assignment: str, path: Path) -> tuple[Path, int]:
    """The sheet to fill in; returns (path, number of answers waiting for a score)."""
    from nbgrader.api import Gradebook, MissingEntry
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    cells = _manual_cells(course, assignment)
    wb = Workbook()
    ws = wb.active
    ws.title = "手で採点"
    ws.append(COLUMNS)
    waiting = 0
    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        for student in gb.students:
            for grade_id, (notebook, model) in cells.items():
                try:
                    grade = gb.find_grade(grade_id, notebook, assignment, student.id)
                except MissingEntry:
                    continue
                comment = gb.find_comment(grade_id, notebook, assignment, student.id).manual_comment or ""
                name = f"{student.last_name or ''} {student.first_name or ''}".strip()
                ws.append([student.id, name, grade_id, float(grade.max_score),
                           grade.manual_score if grade.manual_score is not None else
                           (None if grade.needs_manual_grade else grade.score),
                           comment, _learner_answer(course, student.id, assignment, notebook, grade_id), model])
                waiting += bool(grade.needs_manual_grade)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGH", (12, 14, 22, 6, 6, 30, 60, 60)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row[5:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "E2"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path, waiting


def read_rubric_sheet(course, assignment: str, path: Path) -> int:
    """Check every row, then write the scores and comments into the gradebook; return how many."""
    from nbgrader.api import Gradebook, MissingEntry
    from openpyxl import load_workbook

    path = Path(path)
    if not path.exists():
        raise RubricError(f"{path} が見つかりません。chiiki-iot class rubric {assignment} で作ったファイルを指定してください。")
    rows = list(load_workbook(path, read_only=True, data_only=True).active.iter_rows(values_only=True))
    if not rows or list(rows[0][:len(COLUMNS)]) != COLUMNS:
        raise RubricError(f"{path.name} の1行目が採点用シートの見出しと違います。chiiki-iot class rubric で作り直してください。")
    cells = _manual_cells(course, assignment)
    grades, problems = [], []
    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        for n, row in enumerate(rows[1:], start=2):
            student, grade_id, max_score, score, comment = row[0], row[2], row[3], row[4], row[5]
            if student is None and grade_id is None:
                continue
            if score is None or str(score).strip() == "":
                continue  # not graded yet: leave it waiting
            if grade_id not in cells:
                problems.append(f"{n}行目: 問題「{grade_id}」はこの課題の手で採点する問題ではありません。")
                continue
            try:
                gb.find_grade(grade_id, cells[grade_id][0], assignment, str(student))
            except MissingEntry:
                problems.append(f"{n}行目: 学習者「{student}」の提出（{assignment}）が成績簿にありません。")
                continue
            try:
                value = float(score)
            except (TypeError, ValueError):
                problems.append(f"{n}行目: 点数「{score}」が数ではありません。")
                continue
            if not 0 <= value <= float(max_score or 0):
                problems.append(f"{n}行目: 点数 {value:g} は 0〜{float(max_score or 0):g} の範囲にしてください。")
                continue
            grades.append(ManualGrade(str(student), grade_id, value, "" if comment is None else str(comment)))
        if problems:
            raise RubricError(f"{path.name} に直すところがあります（成績簿はまだ変えていません）:\n" +
                              "\n".join(f"  ・{p}" for p in problems))
        for g in grades:
            notebook = cells[g.grade_id][0]
            grade = gb.find_grade(g.grade_id, notebook, assignment, g.student)
            grade.manual_score = g.score
            grade.needs_manual_grade = False  # what the formgrader does when a score is entered
            if g.comment:
                gb.find_comment(g.grade_id, notebook, assignment, g.student).manual_comment = g.comment
        gb.db.commit()
    return len(grades)
