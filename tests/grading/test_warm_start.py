"""Warm starts: kernels and judges forked from sandboxed zygotes, one learner after another.

One worker grades, in this order, a learner who tries to leave something behind for the next
one (a process that outlives their kernel, files in every writable place, a System V shared
memory segment, an environment variable), then a learner who looks for all of it, then the
model answer. The looker must find nothing, and every score must be what a cold start gives.
"""
from __future__ import annotations

import nbformat
import pytest

from chiiki_iot.classroom.classroom_course import ClassCourse
from class_helpers import ASSIGNMENT, MODULE, NOTEBOOK, answers_of_source, place, with_answers

CORRECT_Q1 = answers_of_source()["q1_bunrui"]

LEAVER = f'''
import ctypes, os, time
for folder in ("/tmp", "/dev/shm", "."):
    open(os.path.join(folder, "left_by_a.txt"), "w").write("secret of a")
libc = ctypes.CDLL(None)
segment = libc.shmget(0x5A5A, 4096, 0o1666)   # IPC_CREAT | 0666
print("SHM", segment)
if os.fork() == 0:            # a process that outlives the kernel
    os.setsid()
    if os.fork() == 0:
        while True:
            open("/tmp/still_here_a.txt", "w").write(str(time.time()))
            time.sleep(0.05)
    os._exit(0)
os.environ["LEFT_BY_A"] = "1"
{CORRECT_Q1}
'''

LOOKER = f'''
import os
def _alive(pid):
    try:
        return open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False
print("PROCS", sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and _alive(p)), os.getpid(), os.getppid())
print("FILES", sorted(os.listdir("/tmp")), sorted(os.listdir("/dev/shm")), sorted(os.listdir(".")))
print("SYSV", open("/proc/sysvipc/shm").read().splitlines()[1:])
print("ENV", "LEFT_BY_A" in os.environ)
{CORRECT_Q1}
'''


def outputs(course, student) -> str:
    nb = nbformat.read(course.root / "autograded" / student / ASSIGNMENT / NOTEBOOK, as_version=4)
    return "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    runs = {}
    for warm in (True, False):
        root = tmp_path_factory.mktemp("warm" if warm else "cold") / "course"
        extra = "" if warm else "c.SafeExecute.warm_start = False\n"
        course = ClassCourse.create(root, [MODULE], timeout=60, extra_config=extra)
        course.generate(ASSIGNMENT)
        place(course, "a_leaver", with_answers(course, q1_bunrui=LEAVER))
        place(course, "b_looker", with_answers(course, q1_bunrui=LOOKER))
        place(course, "c_model", with_answers(course))
        report = course.autograde_class(ASSIGNMENT, workers=1, allow_root=True)
        runs[warm] = (course, report)
    return runs


def test_nothing_of_one_learner_reaches_the_next(graded):
    course, report = graded[True]
    assert "SHM" in outputs(course, "a_leaver") and "SHM -1" not in outputs(course, "a_leaver"), \
        "the leaver really made a shared memory segment"
    seen = outputs(course, "b_looker")
    assert "left_by_a" not in seen and "still_here_a" not in seen
    assert "SYSV []" in seen and "ENV False" in seen
    procs, own, parent = seen.split("PROCS ", 1)[1].split("\n", 1)[0].rsplit(" ", 2)
    others = set(eval(procs)) - {1, int(own), int(parent)}  # noqa: S307 - our own test's output
    assert not others, f"a process of another learner is still running in the sandbox: {others}"


def test_warm_starts_give_the_scores_of_cold_starts(graded):
    warm, cold = graded[True][0], graded[False][0]
    for student in ("a_leaver", "b_looker", "c_model"):
        w, c = warm.scores(ASSIGNMENT, student), cold.scores(ASSIGNMENT, student)
        assert [(g.grade_id, g.score) for g in w.cells] == [(g.grade_id, g.score) for g in c.cells], student
    model = warm.scores(ASSIGNMENT, "c_model")
    assert model.auto_score == model.max_auto_score > 0
