"""Helpers for the class-workflow tests: learners' notebooks and placing them in a class course.

Learners submit what a learner would: the *release* notebook with their answers in the
answer cells (not the instructor's source).
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import yaml

from chiiki_iot.classroom.classroom_course import ClassCourse
from chiiki_iot.curriculum.modules import discover

REPO = Path(__file__).resolve().parents[2]
MODULE = next(m for m in discover(REPO / "courses") if m.name == "01_shoraizo_mondai_kadai")
ASSIGNMENT = MODULE.assignment_id
NOTEBOOK = MODULE.main_notebook.name
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION\n?", re.S)


def answers_of_source() -> dict[str, str]:
    """grade_id -> the solution as a learner would type it (no markers)."""
    nb = nbformat.read(MODULE.main_notebook, as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            found = SOLUTION.findall(cell.source)
            out[meta["grade_id"]] = "".join(found) if found else cell.source
    return out


def typical_answers() -> dict[str, str]:
    spec = yaml.safe_load(MODULE.typical_wrong_answer.read_text(encoding="utf-8"))
    return dict(spec["answers"])


def learner_notebook(course: ClassCourse, answers: dict[str, str]):
    """The release notebook with ``answers`` (grade_id -> source) typed into the answer cells."""
    nb = nbformat.read(course.root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def with_answers(course: ClassCourse, **changes: str):
    answers = answers_of_source()
    answers.update(changes)
    return learner_notebook(course, answers)


def place(course: ClassCourse, student: str, nb) -> Path:
    """Put a learner's notebook in ``submitted/`` as nbgrader's collect would."""
    return course.submit(student, ASSIGNMENT, {NOTEBOOK: copy.deepcopy(nb)})
