"""Parallel autograde gives the same gradebook as sequential.

The same submissions are graded twice, each in its own course folder: ``chiiki-iot`` with
one worker and with three. (``bench/bench_autograde.py`` also checks both against stock
``nbgrader autograde`` on 40 learners.)
"""
from __future__ import annotations

import pytest

from class_helpers import ASSIGNMENT, MODULE, NOTEBOOK, place, typical_answers, with_answers
from chiiki_iot.classroom.classroom_course import ClassCourse

import nbformat


def learners(course):
    release = nbformat.read(course.root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    return {
        "perfect": with_answers(course),
        "blank": release,
        "typical": with_answers(course, **typical_answers()),
        "half": with_answers(course, q2_gap="kpi['ギャップ'] = 0", q4_shudan='shudan = {"w": "ICT/IoT", "x": "ICT/IoT", "y": "ICT/IoT", "z": "ICT/IoT"}'),
    }


def gradebook(course, students):
    return {s: {c.grade_id: (c.score, c.max_score) for c in course.scores(ASSIGNMENT, s).cells} for s in students}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    results, reports = {}, {}
    for workers in (1, 3):
        # no cell runs away: the per-cell timeout only bounds a failure, and must never fire on
        # a busy machine (a timeout in one run and not the other would change its notes)
        course = ClassCourse.create(tmp_path_factory.mktemp(f"w{workers}") / "course", [MODULE], timeout=120)
        course.generate(ASSIGNMENT)
        subs = learners(course)
        for name, nb in subs.items():
            place(course, name, nb)
        reports[workers] = course.autograde_class(ASSIGNMENT, workers=workers, allow_root=True)
        results[workers] = gradebook(course, subs)
    return results, reports


def test_parallel_equals_sequential(two_runs):
    results, reports = two_runs
    assert results[3] == results[1]
    assert reports[3].workers == 3 and reports[1].workers == 1
    notes = {w: {o.student: o.notes for o in reports[w].outcomes} for w in (1, 3)}
    assert notes[3] == notes[1]


def test_the_class_spans_the_score_range(two_runs):
    results, _ = two_runs
    totals = {s: sum(v[0] for gid, v in cells.items() if gid != "q5_jibun_no_chiiki") for s, cells in results[3].items()}
    assert totals["perfect"] > totals["typical"] > totals["blank"] == 0
    assert totals["perfect"] > totals["half"] > 0
