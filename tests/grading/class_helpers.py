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
SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION[ \t]*(?:\n|\Z)", re.S | re.M)


def answers_of_source(module=MODULE) -> dict[str, str]:
    """grade_id -> the answer cell as a learner who solved it would leave it: the skeleton
    around the solution kept, the markers gone."""
    nb = nbformat.read(module.main_notebook, as_version=4)
    return {cell.metadata["nbgrader"]["grade_id"]: SOLUTION.sub(lambda m: m.group(1), cell.source)
            for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("solution")}


def typical_answers(module=MODULE) -> dict[str, str]:
    spec = yaml.safe_load(module.typical_wrong_answer.read_text(encoding="utf-8"))
    return dict(spec["answers"])


def learner_notebook(course: ClassCourse, answers: dict[str, str], module=MODULE):
    """The release notebook with ``answers`` (grade_id -> source) typed into the answer cells."""
    nb = nbformat.read(course.root / "release" / module.assignment_id / module.main_notebook.name, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def with_answers(course: ClassCourse, **changes: str):
    answers = answers_of_source()
    answers.update(changes)
    return learner_notebook(course, answers)


def place(course: ClassCourse, student: str, nb, module=MODULE) -> Path:
    """Put a learner's notebook in ``submitted/`` as nbgrader's collect would."""
    return course.submit(student, module.assignment_id, {module.main_notebook.name: copy.deepcopy(nb)})
