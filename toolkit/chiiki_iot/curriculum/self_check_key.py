"""Build a module's self-check key for the learner workspace (see ``checks.answer_key``).

The key holds what the release leaves out and a learner alone needs to know whether an
answer is right: each test cell's hidden tests (with the question they grade) and, for
manually graded answers, the model answer and the rubric, with the answer cell as
released (to tell a written attempt from a blank one).
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import nbformat

from ..checks import answer_key
from .modules import Module
from .rules import graded_questions, hidden_parts

SOLUTION = re.compile(r"### BEGIN SOLUTION\n?(.*?)### END SOLUTION", re.S)
MARK_SCHEME = re.compile(r"=== BEGIN MARK SCHEME ===\n?(.*?)=== END MARK SCHEME ===", re.S)
RUBRIC_HEADING = "採点基準"


def notebook_key(source: nbformat.NotebookNode, released: nbformat.NotebookNode | None) -> dict:
    """The hidden tests and manual-task answers of one notebook."""
    questions = graded_questions(source)
    blanks = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in (released.cells if released else [])}
    tests, manual = {}, {}
    for i, cell in enumerate(source.cells):
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id")
        if not meta.get("grade") or not gid:
            continue
        if cell.cell_type == "code" and not meta.get("solution") and not meta.get("task"):
            hidden = [textwrap.dedent(part).strip("\n") for part in hidden_parts(cell.source)]
            if hidden:
                tests[gid] = {"question": questions[gid], "code": "\n".join(hidden) + "\n"}
        else:
            before = source.cells[i - 1].source if i > 0 else ""
            rubric = [m.strip() for m in MARK_SCHEME.findall(cell.source)]
            if RUBRIC_HEADING in before:
                rubric.insert(0, before.strip())
            manual[gid] = {"model_answer": "\n\n".join(m.strip() for m in SOLUTION.findall(cell.source)),
                           "rubric": "\n\n".join(rubric), "blank": blanks.get(gid, "")}
    return {"tests": tests, "manual": manual}


def write_key(module: Module, release: Path, workspace: Path) -> Path:
    """Write ``module``'s key into ``workspace``; ``release`` is nbgrader's release folder of it."""
    notebooks = {}
    for path in module.notebooks:
        released_path = Path(release) / path.name
        released = nbformat.read(released_path, as_version=4) if released_path.exists() else None
        notebooks[path.name] = notebook_key(nbformat.read(path, as_version=4), released)
    return answer_key.write(workspace, module.course, module.name, {"notebooks": notebooks})
