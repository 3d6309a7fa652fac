"""A learner alone, for every module, in a fresh workspace made by ``chiiki-iot lab``'s own ``prepare``.

In the learner's copy of the module, run in a real kernel:

* with the solution typed in, every check cell says the answer is right (self-graded), and
  the closing self-check counts every answer right;
* with the module's recorded typical wrong answer typed in (``typical_wrong_answer.yml``),
  the Japanese hints it lists appear, as they do in nbgrader's feedback;

and no file of the workspace, as prepared, holds a hidden test or an expected answer in plain text.
Both runs share one kernel per module: the whole notebook with the solution, then the answer and
check cells again with the typical wrong answer (as a learner who goes back to change answers).
"""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
import yaml
from traitlets.config import Config
from nbclient import NotebookClient

from chiiki_iot.checks import SELF_GRADED
from chiiki_iot.checks.marks import NG, OK
from chiiki_iot.curriculum.modules import courses_root, repo_root
from chiiki_iot.curriculum.workspace import CLUB_DIR, module_dir, prepare

from conftest import MODULES, module_ids
from test_nbgrader_round_trip import outputs_text, secret_lines


def answer_cells(nb):
    """grade_id -> cell of every answer cell (code or Markdown the learner writes in)."""
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def typed_in(learner_nb, answers: dict[str, str]):
    """The learner's notebook with ``answers`` (grade_id -> source) typed into its answer cells."""
    nb = copy.deepcopy(learner_nb)
    cells = answer_cells(nb)
    missing = set(answers) - set(cells)
    assert not missing, f"answer cells not in the learner's notebook: {missing}"
    for gid, source in answers.items():
        cells[gid].source = source
    return nb


def is_graded(cell) -> bool:
    """An answer cell or a check cell."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and (meta.get("solution") or meta.get("grade"))


def is_check_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


@pytest.fixture(scope="session")
def fresh_workspace(tmp_path_factory):
    """One workspace per test process, made by ``prepare`` as ``chiiki-iot lab`` makes it, with its
    files as prepared (before any notebook in it runs and writes its own files)."""
    workspace = tmp_path_factory.mktemp("workspace")
    report = prepare(workspace, MODULES)
    assert not report.failed, report.failed
    return workspace, {f.relative_to(workspace): f.read_bytes() for f in workspace.rglob("*") if f.is_file()}


@pytest.fixture(scope="module", params=MODULES, ids=module_ids(MODULES))
def learner_runs(request, fresh_workspace):
    module = request.param
    workspace, as_prepared = fresh_workspace
    folder = module_dir(workspace, module)
    spec = yaml.safe_load(module.typical_wrong_answer.read_text(encoding="utf-8"))
    name = spec["notebook"]
    learner = nbformat.read(folder / name, as_version=4)
    source = nbformat.read(module.path / name, as_version=4)
    solved = typed_in(learner, {gid: c.source for gid, c in answer_cells(source).items()})
    wrong = typed_in(learner, spec["answers"])
    # the client owns its kernel (shut down, with the boards it started, at the end of the block);
    # Unix sockets, not TCP ports: several workers start kernels at once
    config = Config({"KernelManager": {"transport": "ipc", "ip": str(workspace / ".kernel-ipc")}})
    client = NotebookClient(solved, config=config, timeout=180, allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    with client.setup_kernel():
        for i, cell in enumerate(solved.cells):
            client.execute_cell(cell, i)
        # then, as a learner who goes back and changes answers: the answer and check cells again
        client.nb = wrong
        for i, cell in enumerate(wrong.cells):
            if is_graded(cell) or "checks.self_check()" in cell.source:
                client.execute_cell(cell, i)
    return module, as_prepared, spec, source, solved, wrong


def test_the_solution_is_called_right_in_every_check(learner_runs):
    module, _, _, _, solved, _ = learner_runs
    checks = [c for c in solved.cells if is_check_cell(c)]
    assert checks, "no check cells"
    for cell in checks:
        text = outputs_text(nbformat.v4.new_notebook(cells=[cell]))
        assert OK in text and SELF_GRADED in text and NG not in text, (
            f"{module.assignment_id}: the solution is not called right in the check cell {cell.metadata['nbgrader']['grade_id']}:\n{text}")
    errors = [(i, o.ename) for i, c in enumerate(solved.cells) for o in c.get("outputs", [])
              if o.output_type == "error" and "raises-exception" not in c.metadata.get("tags", [])]
    assert not errors, f"{module.assignment_id}: cells ended in an error with the solution typed in: {errors}"
    closing = [c for c in solved.cells if "checks.self_check()" in c.source]
    assert closing, f"{module.assignment_id}: no closing checks.self_check() cell"
    summary = outputs_text(nbformat.v4.new_notebook(cells=closing[-1:]))
    assert "問が正解です" in summary and "まだ終わっていない答え" not in summary, summary


def test_the_typical_wrong_answer_gets_its_hints(learner_runs):
    module, _, spec, _, _, wrong = learner_runs
    text = outputs_text(wrong)
    assert NG in text and SELF_GRADED in text
    missing = [hint for hint in spec["feedback"] if hint not in text]
    assert not missing, f"{module.assignment_id}: hints the learner alone does not see: {missing}"


def test_no_hidden_test_or_expected_answer_is_readable_in_the_workspace(learner_runs):
    module, as_prepared, _, source, _, _ = learner_runs
    # text the project publishes on purpose (hardware pages, glossary) is not an answer that leaked
    published = "\n".join(p.read_text(encoding="utf-8") for p in [*(repo_root() / "hardware_kits").rglob("*.md"),
                                                                  *courses_root().glob("*.md")])
    secrets = {s for s in secret_lines(source) if s not in published}
    assert secrets
    # its own folder, the keys, the start page and reading pages (another module's or a club session's
    # notebook may well hold a line such as `continue` that this module's solution has too)
    others = [module_dir(Path(), m) for m in MODULES if m != module] + [Path("courses", CLUB_DIR)]
    mine = {name: data for name, data in as_prepared.items() if not any(name.is_relative_to(o) for o in others)}
    leaks = [(name, s) for name, data in mine.items() for s in secrets if s.encode("utf-8") in data]
    assert not leaks, f"{module.assignment_id}: readable in the workspace: {leaks[:5]}"
