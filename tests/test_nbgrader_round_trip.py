"""The nbgrader round trip, for every assignment under courses/.

For each module: generate the student version with nbgrader, then autograde
three pseudo-learners in nbgrader's sqlite gradebook (one course per test process,
nbgrader's own in-process API; each module's tests run together on one worker) the way
a class is graded: learner code in the sandbox, hidden tests in the judge outside the
learner's kernel (``chiiki_iot.classroom.execute.SafeExecute``):

* ``perfect``: the instructor's source (solutions) -> full marks on autograded parts;
* ``blank``: the untouched release -> zero on autograded parts;
* ``typical``: the release with the module's recorded typical wrong answer
  (``typical_wrong_answer.yml``) -> partial marks, and the Japanese hints it
  lists are what the learner sees, with no hidden-test code in sight.

It also proves the release holds no solution code and no hidden-test text.
"""
from __future__ import annotations

import re

import nbformat
import pytest
import yaml

from chiiki_iot.classroom.settings import AUTOGRADE_PREPROCESSORS
from chiiki_iot.classroom.warm_pool import stop_all
from chiiki_iot.curriculum.nbgrader_course import NbgraderCourse, in_folder, succeeded
from chiiki_iot.curriculum.rules import HIDDEN_BEGIN, HIDDEN_END

from conftest import MODULES, module_ids

SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(rf"{re.escape(HIDDEN_BEGIN)}(.*?){re.escape(HIDDEN_END)}", re.S)
MARK_SCHEME = re.compile(r"=== BEGIN MARK SCHEME ===(.*?)=== END MARK SCHEME ===", re.S)


def secret_lines(source_nb, patterns=(SOLUTION, HIDDEN, MARK_SCHEME)) -> set[str]:
    """Lines of solutions, hidden tests and mark schemes that none of the notebook's public text
    contains (a solution may repeat a skeleton line or a word the exercise shows): none may reach a learner."""
    public = "\n".join(SOLUTION.sub("", HIDDEN.sub("", MARK_SCHEME.sub("", c.source))) for c in source_nb.cells)
    lines = set()
    for cell in source_nb.cells:
        for pattern in patterns:
            for block in pattern.findall(cell.source):
                lines |= {ln.strip() for ln in block.splitlines()
                          if len(ln.strip()) > 3 and not ln.strip().startswith("#") and ln.strip() not in public}
    return lines


def typical_wrong(module, release_dir):
    spec = yaml.safe_load(module.typical_wrong_answer.read_text(encoding="utf-8"))
    nb = nbformat.read(release_dir / spec["notebook"], as_version=4)
    found = set()
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in spec["answers"]:
            cell.source = spec["answers"][gid]
            found.add(gid)
    missing = set(spec["answers"]) - found
    assert not missing, f"typical_wrong_answer.yml names answer cells that do not exist: {missing}"
    return spec, {spec["notebook"]: nb}


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts += [out.get("text", ""), "\n".join(out.get("traceback", [])), str(out.get("data", {}).get("text/plain", ""))]
    return "\n".join(parts)


@pytest.fixture(scope="session")
def gradebook_course(tmp_path_factory):
    """One nbgrader course and gradebook per test process, driven through nbgrader's in-process API
    (what the formgrader and the class workflow's grading workers use): nbgrader is loaded once, not
    once per command, and each module's round trip costs only nbgrader's own work."""
    course = NbgraderCourse.create(tmp_path_factory.mktemp("round_trip"), [])
    # Kernels talk over Unix sockets, not TCP ports: several test workers start kernels at once, and
    # a TCP port that jupyter_client picked and freed can be taken by another process before the
    # kernel binds it ("Address already in use", seen here with three workers).
    # The class's autograde: sandboxed kernel, judge, inert outputs (allow_root: CI containers run as root).
    return course, course.api(KernelManager={"transport": "ipc", "ip": str(course.root / "kernel-ipc")},
                              Autograde={"autograde_preprocessors": AUTOGRADE_PREPROCESSORS},
                              SafeExecute={"allow_root": True})


# Each module's round trip is one group of tests on one worker (tests/xdist_groups.py).
@pytest.fixture(scope="module", params=MODULES, ids=module_ids(MODULES))
def graded(request, gradebook_course):
    module = request.param
    course, api = gradebook_course
    assert module.typical_wrong_answer.exists(), (
        f"{module.path}: typical_wrong_answer.yml がありません（典型的な誤答を記録してください）")
    a = module.assignment_id
    course.add_source(module)
    with in_folder(course.root):
        succeeded(api.generate_assignment(a), f"nbgrader generate_assignment {a}")
    release = course.root / "release" / a
    source = {p.name: nbformat.read(p, as_version=4) for p in module.notebooks}
    course.submit("perfect", a, source)
    course.submit("blank", a, {})
    spec, wrong = typical_wrong(module, release)
    course.submit("typical", a, wrong)
    with in_folder(course.root):
        succeeded(api.autograde(a, "*"), f"nbgrader autograde {a}")
        # the feedback page is read for the learner with hints to see; the others' pages are the same template
        succeeded(api.generate_feedback(a, "typical"), f"nbgrader generate_feedback {a}")
    yield module, course, spec, source
    stop_all()   # this module's warm zygotes (the next module is another assignment)


def test_solution_gets_full_marks(graded):
    module, course, _, _ = graded
    s = course.scores(module.assignment_id, "perfect")
    assert s.max_auto_score > 0, "no autograded test cells found"
    failed = [c.grade_id for c in s.cells if c.auto_graded and c.score < c.max_score]
    assert s.auto_score == s.max_auto_score, f"solution loses points in {failed}"


def test_blank_release_scores_zero(graded):
    module, course, _, _ = graded
    s = course.scores(module.assignment_id, "blank")
    passed = [c.grade_id for c in s.cells if c.auto_graded and c.score > 0]
    assert s.auto_score == 0, f"the untouched release already earns points in {passed}"


def test_typical_wrong_answer_gets_partial_marks_and_japanese_hints(graded):
    module, course, spec, source = graded
    s = course.scores(module.assignment_id, "typical")
    assert 0 < s.auto_score < s.max_auto_score, f"typical wrong answer scored {s.auto_score}/{s.max_auto_score}"
    nb = course.autograded_notebook("typical", module.assignment_id, spec["notebook"])
    seen = outputs_text(nb)
    for hint in spec["feedback"]:
        assert hint in seen, f"the learner does not see the hint {hint!r}"
    leaked = [ln for ln in secret_lines(source[spec["notebook"]], patterns=(HIDDEN,)) if ln in seen]
    assert not leaked, f"hidden test code appears in the learner's output: {leaked[:3]}"
    html = (course.root / "feedback" / "typical" / module.assignment_id / spec["notebook"].replace(".ipynb", ".html"))
    text = html.read_text(encoding="utf-8")
    for hint in spec["feedback"]:
        assert hint in text, f"feedback HTML lacks the hint {hint!r}"


def test_release_has_no_solutions_or_hidden_tests(graded):
    module, course, _, source = graded
    for name, src in source.items():
        released = nbformat.read(course.root / "release" / module.assignment_id / name, as_version=4)
        text = "\n".join(c.source for c in released.cells)
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME"):
            assert marker not in text, f"{name}: release still contains {marker}"
        lines = {ln.strip() for c in released.cells for ln in c.source.splitlines()}
        leaked = sorted(secret_lines(src) & lines)
        assert not leaked, f"{name}: release contains solution/hidden lines: {leaked[:3]}"
    released_files = {p.name for p in (course.root / "release" / module.assignment_id).rglob("*")}
    assert "trainer_notes.md" not in released_files and "typical_wrong_answer.yml" not in released_files
