"""Warm starts: kernels and judges forked from sandboxed zygotes, one learner after another.

Graded one after another in one process, as a class worker does: a learner who tries to leave
something behind for the next one (a process that outlives their kernel, files in every writable
place, a System V shared memory segment, an environment variable), then a learner who looks for
all of it, then the model answer. The looker must find nothing; everyone gets full marks.
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
    """Graded one after another in this process (as one class worker does), with warm starts."""
    from chiiki_iot.classroom.warm_pool import stop_all
    from chiiki_iot.curriculum.nbgrader_course import in_folder, succeeded

    course = ClassCourse.create(tmp_path_factory.mktemp("warm") / "course", [MODULE], timeout=60)
    course.generate(ASSIGNMENT)
    place(course, "a_leaver", with_answers(course, q1_bunrui=LEAVER))
    place(course, "b_looker", with_answers(course, q1_bunrui=LOOKER))
    place(course, "c_model", with_answers(course))
    api = course.api(SafeExecute={"allow_root": True})   # CI runs as root
    try:
        with in_folder(course.root):
            for student in ("a_leaver", "b_looker", "c_model"):
                succeeded(api.autograde(ASSIGNMENT, student, force=True, create=True), f"autograde {student}")
        yield course
    finally:
        stop_all()


def test_nothing_of_one_learner_reaches_the_next(graded):
    course = graded
    assert "SHM" in outputs(course, "a_leaver") and "SHM -1" not in outputs(course, "a_leaver"), \
        "the leaver really made a shared memory segment"
    seen = outputs(course, "b_looker")
    assert "left_by_a" not in seen and "still_here_a" not in seen
    assert "SYSV []" in seen and "ENV False" in seen
    procs, own, parent = seen.split("PROCS ", 1)[1].split("\n", 1)[0].rsplit(" ", 2)
    others = set(eval(procs)) - {1, int(own), int(parent)}  # noqa: S307 - our own test's output
    assert not others, f"a process of another learner is still running in the sandbox: {others}"


def test_each_learner_is_graded_as_by_a_fresh_kernel(graded):
    """All three answered everything right (the leaver and the looker too): full marks each, the same
    result a kernel of its own gives (every module's round trip grades with warm starts as well)."""
    from chiiki_iot.classroom.warm_pool import _POOL

    for student in ("a_leaver", "b_looker", "c_model"):
        s = graded.scores(ASSIGNMENT, student)
        assert s.auto_score == s.max_auto_score > 0, student
    assert _POOL["kernel"].forks == 3 and _POOL["judge"].forks == 3, "the three kernels and judges were forked"
