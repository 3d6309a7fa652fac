"""Right-or-wrong for a learner alone: run a module's hidden tests from its self-check key.

``SelfGrader.find()`` returns the grader of the module folder a notebook runs in, or None
outside a learner workspace (then checks stay format-only). ``tests_for(question)`` gives
the hidden test code that grades one answer: that of the test cell being run when the
kernel knows it (JupyterLab sends the cell's id), else every test cell of that answer.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import answer_key


@dataclass(frozen=True)
class HiddenTest:
    test_id: str   # the test cell's grade_id
    question: str  # the answer it grades (the name in checks("..."))
    code: str


@dataclass(frozen=True)
class ManualTask:
    grade_id: str
    notebook: str
    model_answer: str
    rubric: str
    blank: str  # the answer cell as released, before the learner wrote anything


class SelfGrader:
    """The hidden tests and model answers of one module of a learner workspace."""

    def __init__(self, content: dict[str, Any], folder: Path):
        self.folder = folder
        self.notebooks: dict[str, dict[str, Any]] = content.get("notebooks", {})

    @classmethod
    def find(cls, folder: Path | None = None) -> SelfGrader | None:
        folder = Path.cwd() if folder is None else Path(folder)
        try:
            content = answer_key.find(folder)
        except (OSError, answer_key.DamagedKey):
            return None  # a damaged key must not break the notebook: checks stay format-only
        return None if content is None else cls(content, folder)

    def tests(self, notebook: str | None = None) -> list[HiddenTest]:
        names = [notebook] if notebook in self.notebooks else list(self.notebooks)
        return [HiddenTest(test_id, t["question"], t["code"])
                for name in names for test_id, t in self.notebooks[name].get("tests", {}).items()]

    def tests_for(self, question: str, namespace: dict[str, Any] | None = None,
                  all_cells: bool = False) -> list[HiddenTest]:
        """Hidden tests of ``question``: the running test cell's, else all of them."""
        notebook = _notebook_name(namespace)
        tests = [t for t in self.tests(notebook) if t.question == question]
        if not all_cells:
            cell = _running_cell_grade_id(self.folder, namespace)
            own = [t for t in tests if t.test_id == cell]
            if own:
                return own
        return tests

    def questions(self, namespace: dict[str, Any] | None = None) -> list[str]:
        seen: list[str] = []
        for t in self.tests(_notebook_name(namespace)):
            if t.question not in seen:
                seen.append(t.question)
        return seen

    def manual_tasks(self, namespace: dict[str, Any] | None = None) -> list[ManualTask]:
        notebook = _notebook_name(namespace)
        names = [notebook] if notebook in self.notebooks else list(self.notebooks)
        return [ManualTask(gid, name, m.get("model_answer", ""), m.get("rubric", ""), m.get("blank", ""))
                for name in names for gid, m in self.notebooks[name].get("manual", {}).items()]


def _notebook_name(namespace: dict[str, Any] | None) -> str | None:
    """The running notebook's file name (JupyterLab tells the kernel as ``__session__``)."""
    session = (namespace or {}).get("__session__") or os.environ.get("JPY_SESSION_NAME")
    return Path(session).name if session else None


def notebook_path(folder: Path, namespace: dict[str, Any] | None) -> Path | None:
    """The running notebook's file, if it can be found."""
    session = (namespace or {}).get("__session__") or os.environ.get("JPY_SESSION_NAME")
    if session:
        path = Path(session)
        path = path if path.is_absolute() else Path(folder) / path.name
        if path.is_file():
            return path
    return None


def _saved_cells(folder: Path, namespace: dict[str, Any] | None):
    """The cells of the running notebook as last saved (of every notebook in the folder if unknown)."""
    path = notebook_path(folder, namespace)
    for candidate in [path] if path else sorted(Path(folder).glob("*.ipynb")):
        try:
            yield from json.loads(candidate.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue


def _grade_id(cell: dict[str, Any]) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _running_cell_grade_id(folder: Path, namespace: dict[str, Any] | None) -> str | None:
    """The nbgrader grade_id of the cell being run, when the front end sent its id."""
    cell_id = _running_cell_id()
    if not cell_id:
        return None
    return next((_grade_id(c) for c in _saved_cells(folder, namespace) if c.get("id") == cell_id), None)


def _running_cell_id() -> str | None:
    try:
        kernel = get_ipython().kernel  # type: ignore[name-defined]  # noqa: F821
        return (kernel.get_parent() or {}).get("metadata", {}).get("cellId")
    except Exception:  # not in a kernel, or a kernel that does not say
        return None


def saved_cell_source(folder: Path, namespace: dict[str, Any] | None, grade_id: str) -> str | None:
    """The source of cell ``grade_id`` as last saved in the running notebook (None if not found)."""
    for cell in _saved_cells(folder, namespace):
        if _grade_id(cell) == grade_id:
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    return None
