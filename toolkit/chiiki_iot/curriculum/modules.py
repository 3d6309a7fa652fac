"""Course modules on disk: discovery and the metadata each notebook carries.

Layout (one module = one folder = one nbgrader assignment)::

    courses/<course>/<NN_name>/
        <NN_name>.ipynb          main notebook (instructor source, with solutions)
        data/                    files the notebook reads (released with it)
        trainer_notes.md         timings, common mistakes (not released)
        typical_wrong_answer.yml a recorded typical wrong answer (tests only, not released)
        output/                  files the notebook itself writes (never released, not in git)
    Only the notebooks and data/ are released to learners.

The notebook metadata key ``chiiki_iot`` holds the facts the front matter shows::

    {"title": "...", "objectives": [...], "keypoints": [...],
     "minutes": {"teaching": 30, "exercises": 40},
     "audiences": ["municipal", "self_study"], "kit": ["none"],
     "prerequisites": [...], "sources": [...],
     "requires": ["logical_thinking/01_shoraizo_mondai_kadai"],
     "objective_map": {"q1_bunrui": [1], "q5_jibun_no_chiiki": [1, 2, 4]}}

``requires``: the modules to take before this one (``"course/NN_name"``; ``[]`` for module 00
only), the machine-readable form of ``prerequisites``; the workshop timetables of the curriculum
map are checked against it (``curriculum.workshop``).

``objective_map``: graded question (the id in ``checks("...")`` for autograded answers,
the grade_id for manually graded ones) -> the numbers of the objectives it assesses
(1 = first objective); the per-objective grades of ``chiiki-iot class export`` use it and
the ``objective-map`` rule (``curriculum.rules``) checks it: every graded question assesses an
objective and every objective is assessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

COURSES = ("logical_thinking", "sensors", "open_data")
COURSE_NAMES = {
    "logical_thinking": "ロジカルシンキングと地域IoT実装計画",
    "sensors": "センサー実習",
    "open_data": "オープンデータ",
}
AUDIENCES = {
    "municipal": "自治体職員研修",
    "ict_club": "地域ICTクラブ",
    "self_study": "自習",
}
KITS = {
    "none": "なし（ノートブックだけ）",
    "virtual_kit": "仮想キット",
    "microbit_v2": "micro:bit V2",
    "esp32": "ESP32",
}
MODULE_DIR = re.compile(r"^\d{2}_[a-z0-9_]+$")


def repo_root() -> Path:
    """The checkout this package was installed from (editable install)."""
    return Path(__file__).resolve().parents[3]


def courses_root() -> Path:
    return repo_root() / "courses"


@dataclass(frozen=True)
class Module:
    """One course module (= one nbgrader assignment)."""

    course: str
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def assignment_id(self) -> str:
        """Unique across courses: ``logical_thinking-01_mondai_kadai``."""
        return f"{self.course}-{self.name}"

    @property
    def notebooks(self) -> list[Path]:
        return sorted(self.path.glob("*.ipynb"))

    @property
    def main_notebook(self) -> Path:
        return self.path / f"{self.name}.ipynb"

    @property
    def metadata(self) -> dict:
        nb = nbformat.read(self.main_notebook, as_version=4)
        return dict(nb.metadata.get("chiiki_iot", {}))

    @property
    def trainer_notes(self) -> Path:
        return self.path / "trainer_notes.md"

    @property
    def typical_wrong_answer(self) -> Path:
        return self.path / "typical_wrong_answer.yml"

    def released_files(self) -> list[Path]:
        """Files a learner receives: the notebooks and ``data/``; nothing for trainers or tests,
        and nothing a run of the notebook left behind (outputs, exports)."""
        data = [p for p in sorted((self.path / "data").rglob("*"))
                if p.is_file() and not {".ipynb_checkpoints", "__pycache__"} & set(p.parts)]
        return self.notebooks + data


def discover(root: Path | None = None) -> list[Module]:
    """Every module folder under ``root`` (default: the repo's ``courses/``), in course order."""
    root = courses_root() if root is None else Path(root)
    modules = []
    for course in COURSES:
        course_dir = root / course
        if course_dir.is_dir():
            modules += [Module(course, p) for p in sorted(course_dir.iterdir())
                        if p.is_dir() and MODULE_DIR.match(p.name)]
    return modules
