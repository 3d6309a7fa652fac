"""A sensor lab graded the way a class is graded: sandboxed, in parallel, with no board attached.

The lab's hidden tests start fresh virtual boards (the real MicroPython interpreter behind a
pty) inside the sandbox that keeps learner code away from the course. The scenario is fixed,
so the solution earns full marks, the untouched release zero and the recorded typical wrong
answer part of the marks, as in the plain nbgrader round trip.
"""
from __future__ import annotations

import pytest

from chiiki_iot.classroom.classroom_course import ClassCourse
from chiiki_iot.classroom.roster import Learner
from chiiki_iot.curriculum.modules import discover
from class_helpers import REPO, answers_of_source, learner_notebook, place, typical_answers

LAB = next(m for m in discover(REPO / "courses") if m.name == "04_shikiichi_to_alert")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = ClassCourse.create(tmp_path_factory.mktemp("sensor_class") / "class", [LAB], timeout=120)
    course.add_learners([Learner("kaito", "佐々木", "海斗"), Learner("mio", "高橋", "美緒"),
                         Learner("riku", "中村", "陸")])
    course.release(LAB.assignment_id)
    answers = answers_of_source(LAB)
    place(course, "kaito", learner_notebook(course, answers, LAB), LAB)
    place(course, "mio", learner_notebook(course, {}, LAB), LAB)
    place(course, "riku", learner_notebook(course, {**answers, **typical_answers(LAB)}, LAB), LAB)
    report = course.autograde_class(LAB.assignment_id, workers=2, allow_root=True)
    return course, report


def test_the_lab_is_graded_in_the_sandbox(graded):
    _, report = graded
    assert report.sandboxed
    assert sorted(report.graded) == ["kaito", "mio", "riku"], report.summary()


def test_solution_full_blank_zero_typical_partial(graded):
    course, _ = graded
    full, blank, typical = (course.scores(LAB.assignment_id, s) for s in ("kaito", "mio", "riku"))
    assert full.max_auto_score > 0
    assert full.auto_score == full.max_auto_score, [c for c in full.cells if c.score < c.max_score]
    assert blank.auto_score == 0
    assert 0 < typical.auto_score < typical.max_auto_score


def test_the_board_program_question_is_graded_on_the_virtual_board(graded):
    """q2_keihou runs the learner's alert program on fresh virtual boards: it must score in the sandbox."""
    course, _ = graded
    cells = {c.grade_id: c for c in course.scores(LAB.assignment_id, "kaito").cells}
    board_tests = [c for gid, c in cells.items() if c.auto_graded and "keihou" in gid]
    assert board_tests and all(c.score == c.max_score > 0 for c in board_tests)


def test_every_learner_of_the_lab_gets_feedback(graded):
    """The feedback check (hidden-test lines in any form, code that could run) withholds nobody here:
    the lab's own outputs (figures, tables, the virtual board's messages) are not mistaken for either."""
    course, report = graded
    feedback = course.feedback(LAB.assignment_id, release=False)
    assert feedback.withheld == {}, feedback.summary()
    assert {f.parent.parent.name for f in feedback.files} == set(report.graded)
