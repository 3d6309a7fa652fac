"""An nbgrader course directory built from ``courses/``, driven by nbgrader itself.

Used by the round-trip tests, by the learner workspace (release versions) and
by the trainer's class workflow. nbgrader does the work; this module only lays
out the folders, runs its commands and reads its sqlite gradebook. Two ways in,
both nbgrader's own: its command line (``run``, ``generate``, ``autograde``,
``generate_feedback``: one process per call, what a trainer types) and its
in-process ``NbGraderAPI`` (``api()``: nbgrader loaded once, as the formgrader and
the class workflow's grading workers use it).

>>> course = NbgraderCourse.create(tmp_path, discover())      # doctest: +SKIP
>>> course.generate("logical_thinking-01_mondai_kadai")        # doctest: +SKIP
>>> course.submit("learner1", module, {"x.ipynb": nb})         # doctest: +SKIP
>>> course.autograde("logical_thinking-01_mondai_kadai")       # doctest: +SKIP
>>> course.scores("logical_thinking-01_mondai_kadai", "learner1").auto_score  # doctest: +SKIP
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .modules import Module

COURSE_ID = "chiiki-iot"

# Japanese stubs: a released answer cell reads "..." so "Run all" goes on and the
# self-check says, in Japanese, that the answer is not written yet.
NBGRADER_CONFIG = '''\
# nbgrader configuration for 地域IoTアカデミー (written by chiiki_iot.curriculum.nbgrader_course)
c = get_config()
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = "sqlite:///" + {db!r}
c.ClearSolutions.code_stub = {{"python": "# ここに答えを書いてください\\n..."}}
c.ClearSolutions.text_stub = "ここに答えを書いてください。"
c.ExecutePreprocessor.timeout = {timeout}
c.Execute.timeout = {timeout}
'''


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message carries its output."""


@contextmanager
def in_folder(path: Path):
    """Run the block with ``path`` as the working folder (nbgrader reads its config from there)."""
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def nbgrader_api(root: Path, **overrides):
    """nbgrader's ``NbGraderAPI`` for the course in ``root``, with its config files loaded.

    ``overrides``: ``{"SafeExecute": {"sandbox": False}}`` style settings applied last.
    """
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.apps.baseapp import NbGrader
    from traitlets.config import Config

    root = Path(root).resolve()
    if "JUPYTERHUB_API_TOKEN" not in os.environ:
        # nbgrader's JupyterHubAuthPlugin (set for a whole training room) only decides which courses
        # a *learner's* server lists; outside a hub server the trainer's steps need no hub login.
        overrides.setdefault("Authenticator", {}).setdefault("plugin_class", "nbgrader.auth.base.NoAuthPlugin")
    with in_folder(root):
        app = NbGrader()
        app.initialize([], root=str(root))
        extra = Config(overrides)
        app.update_config(extra)
        app.coursedir.update_config(extra)
        api = NbGraderAPI(app.coursedir, parent=app)
    return api


def succeeded(result: dict, what: str) -> dict:
    """An ``NbGraderAPI`` result, or ``NbgraderError`` (``what`` failed) with nbgrader's log and error."""
    if not result.get("success") or "[ERROR]" in result.get("log", ""):
        raise NbgraderError(f"{what} が失敗しました:\n{result.get('log', '')}\n{result.get('error', '')}")
    return result


@dataclass
class CellResult:
    grade_id: str
    score: float
    max_score: float
    auto_graded: bool  # an autograder test cell (not a manually graded answer or task)


@dataclass
class Scores:
    """One learner's result on one assignment, read from the gradebook."""

    student: str
    assignment: str
    auto_score: float
    max_auto_score: float
    cells: list[CellResult] = field(default_factory=list)


@dataclass
class NbgraderCourse:
    root: Path
    course_id: str = COURSE_ID

    @classmethod
    def create(cls, root: Path, modules: list[Module], timeout: int = 120, course_id: str = COURSE_ID,
               extra_config: str = "") -> "NbgraderCourse":
        """Lay out ``root`` as an nbgrader course with each module as an assignment source.

        ``extra_config`` is appended to ``nbgrader_config.py`` (the class workflow adds
        its sandbox, feedback and time-zone settings there).
        """
        root = Path(root)
        (root / "source").mkdir(parents=True, exist_ok=True)
        (root / "nbgrader_config.py").write_text(
            NBGRADER_CONFIG.format(course_id=course_id, root=str(root), db=str(root / "gradebook.db"),
                                   timeout=timeout) + extra_config,
            encoding="utf-8")
        course = cls(root, course_id)
        for m in modules:
            course.add_source(m)
        return course

    def add_source(self, module: Module) -> Path:
        """Copy a module's releasable files (notebooks, data) into ``source/<assignment>``."""
        dest = self.root / "source" / module.assignment_id
        if dest.exists():
            shutil.rmtree(dest)
        for f in module.released_files():
            target = dest / f.relative_to(module.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)
        return dest

    def run(self, *args: str, check: bool = True) -> str:
        """Run ``nbgrader <args>`` in the course root; return its combined output."""
        env = dict(os.environ)
        # nbgrader calls alembic by name: the interpreter's bin/ must be on PATH.
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=self.root, env=env,
                              capture_output=True, text=True)
        output = proc.stdout + proc.stderr
        if check and (proc.returncode != 0 or "[ERROR]" in output):
            raise NbgraderError(f"nbgrader {' '.join(args)} が失敗しました:\n{output}")
        return output

    def api(self, **overrides):
        """nbgrader's in-process ``NbGraderAPI`` for this course (see ``nbgrader_api``)."""
        return nbgrader_api(self.root, **overrides)

    def generate(self, assignment: str, db: bool = True) -> Path:
        """``nbgrader generate_assignment``: source → release (student version)."""
        self.run("generate_assignment", assignment, "--force", *([] if db else ["--no-db"]))
        return self.root / "release" / assignment

    def submit(self, student: str, assignment: str, notebooks: dict[str, nbformat.NotebookNode]) -> Path:
        """Place a learner's submission: the release files, with ``notebooks`` replacing theirs."""
        dest = self.root / "submitted" / student / assignment
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(self.root / "release" / assignment, dest)
        for name, nb in notebooks.items():
            nbformat.write(nb, dest / name)
        return dest

    def autograde(self, assignment: str, student: str | None = None) -> str:
        args = ["autograde", assignment, "--force", "--create"]
        if student:
            args += ["--student", student]
        return self.run(*args)

    def generate_feedback(self, assignment: str) -> Path:
        self.run("generate_feedback", assignment, "--force")
        return self.root / "feedback"

    def scores(self, assignment: str, student: str) -> Scores:
        """Read one submission's scores from the sqlite gradebook."""
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}", course_id=self.course_id) as gb:
            sub = gb.find_submission(assignment, student)
            tests = self.test_cell_ids(assignment)
            cells = [CellResult(g.name, float(g.score), float(g.max_score), g.name in tests)
                     for nb in sub.notebooks for g in nb.grades]
            auto = [c for c in cells if c.auto_graded]
            return Scores(student, assignment, sum(c.score for c in auto), sum(c.max_score for c in auto), cells)

    def test_cell_ids(self, assignment: str) -> set[str]:
        """Grade ids of the autograder test cells in the assignment's source notebooks."""
        ids = set()
        for path in (self.root / "source" / assignment).glob("*.ipynb"):
            for cell in nbformat.read(path, as_version=4).cells:
                m = cell.metadata.get("nbgrader", {})
                if m.get("grade") and not m.get("solution") and not m.get("task"):
                    ids.add(m["grade_id"])
        return ids

    def autograded_notebook(self, student: str, assignment: str, name: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "autograded" / student / assignment / name, as_version=4)
