"""Every notebook under courses/ follows the conventions of shared/design.md.

The second half builds deliberately broken notebooks in a temp dir and shows
that the suite catches each flaw with a message naming the notebook and rule:
bad metadata, a stored output, a failing cell (through nbval, as the suite runs
it), and a hidden test leaked outside its hidden block.
"""
from __future__ import annotations

import copy
import subprocess
import sys

import nbformat
import pytest

from chiiki_iot.curriculum.rules import check_notebook

from conftest import MODULES, REPO

NOTEBOOKS = sorted((REPO / "courses").rglob("*.ipynb"))
# The model module the broken-notebook tests start from (its grade ids q2_gap_test, ... are named below);
# by name, not MODULES[0]: module 00 (はじめての Jupyter と Python) now comes first.
EXEMPLAR = next(m for m in MODULES if m.name == "01_shoraizo_mondai_kadai").main_notebook


def test_there_are_notebooks_to_check():
    assert NOTEBOOKS, "courses/ に notebook がありません"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(REPO)) for p in NOTEBOOKS])
def test_notebook_follows_conventions(path):
    problems = check_notebook(path)
    assert not problems, "\n" + "\n".join(str(p) for p in problems)


def test_each_module_has_one_main_notebook_and_trainer_notes():
    for m in MODULES:
        assert m.main_notebook.exists(), f"{m.path}: {m.main_notebook.name} がありません"
        assert m.trainer_notes.exists(), f"{m.path}: trainer_notes.md がありません"


def test_grade_ids_are_unique_across_a_modules_notebooks():
    for m in MODULES:
        seen = {}
        for nb_path in m.notebooks:
            for cell in nbformat.read(nb_path, as_version=4).cells:
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                if gid:
                    assert gid not in seen, f"{m.path}: grade_id {gid} は {seen[gid]} と {nb_path.name} の両方にあります"
                    seen[gid] = nb_path.name


# --- deliberately broken notebooks -------------------------------------------------

def _exemplar():
    return nbformat.read(EXEMPLAR, as_version=4)


def _write(tmp_path, nb, name="broken.ipynb"):
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def _rules(path):
    return {v.rule for v in check_notebook(path)}


def test_bad_metadata_is_reported(tmp_path):
    nb = _exemplar()
    del nb.metadata["chiiki_iot"]["objectives"]
    nb.metadata["chiiki_iot"]["audiences"] = ["students"]
    problems = check_notebook(_write(tmp_path, nb))
    text = "\n".join(map(str, problems))
    assert "broken.ipynb" in text and "[metadata]" in text
    assert "objectives" in text and "students" in text


def test_stored_output_is_reported(tmp_path):
    nb = _exemplar()
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.outputs = [nbformat.v4.new_output("stream", text="hello\n")]
    cell.execution_count = 1
    assert "outputs" in _rules(_write(tmp_path, nb))


def test_hidden_test_outside_grading_block_is_reported(tmp_path):
    nb = _exemplar()
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q2_gap_test")
    test.source = test.source.replace('with checks.grading("q2_gap"):\n', "").replace("\n    ", "\n")
    assert "hidden-wrapped" in _rules(_write(tmp_path, nb))


def test_answer_without_hidden_test_is_reported(tmp_path):
    nb = _exemplar()
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q2_gap_test")
    test.source = 'checks("q2_gap")'
    problems = [str(v) for v in check_notebook(_write(tmp_path, nb)) if v.rule == "answer-tests"]
    assert any("q2_gap" in p and "隠しテスト" in p for p in problems), problems


def test_leaked_hidden_test_fails_the_release_check(tmp_path):
    """A hidden assert pasted outside the hidden block would ship to learners."""
    from test_nbgrader_round_trip import secret_lines

    nb = _exemplar()
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q2_gap_test")
    leaked = copy.deepcopy(nb)
    leaked_test = next(c for c in leaked.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q2_gap_test")
    leaked_test.source = test.source.replace("### BEGIN HIDDEN TESTS", "").replace("### END HIDDEN TESTS", "")
    visible_lines = {ln.strip() for c in leaked.cells for ln in c.source.splitlines()}
    assert secret_lines(nb) & visible_lines, "the leak detector would miss a hidden test shipped in the open"
    assert "answer-tests" in _rules(_write(tmp_path, leaked)), "an answer with no hidden block must be flagged"


def test_duplicate_grade_id_and_missing_points_are_reported(tmp_path):
    nb = _exemplar()
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    tests[1].metadata["nbgrader"]["grade_id"] = tests[0].metadata["nbgrader"]["grade_id"]
    tests[2].metadata["nbgrader"]["points"] = 0
    assert {"grade-id", "points"} <= _rules(_write(tmp_path, nb))


def test_failing_cell_fails_the_suite_through_nbval(tmp_path):
    """Run pytest + nbval the way ./academy test does, on a notebook with a failing cell."""
    nb = _exemplar()
    nb.cells.insert(2, nbformat.v4.new_code_cell("1 / 0  # a cell that fails"))
    path = _write(tmp_path, nb, "failing.ipynb")
    proc = subprocess.run([sys.executable, "-m", "pytest", str(path), "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), "-c", str(REPO / "pyproject.toml")],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode != 0, proc.stdout
    assert "failing.ipynb" in proc.stdout and "ZeroDivisionError" in proc.stdout


def test_not_a_notebook_is_reported(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{ not json", encoding="utf-8")
    assert _rules(path) == {"format"}


# --- objective-map: which learning objectives each graded question assesses --------------------

def _objective_problems(tmp_path, nb, warnings=False):
    path = _write(tmp_path, nb)
    return [str(v) for v in check_notebook(path, warnings=warnings) if v.rule == "objective-map"]


def test_exemplar_objective_map_covers_its_graded_questions():
    from chiiki_iot.curriculum.rules import graded_questions

    nb = _exemplar()
    questions = set(graded_questions(nb).values())
    assert questions == {"q1_bunrui", "q2_gap", "q3_junban", "q4_shudan", "q5_jibun_no_chiiki"}
    assert set(nb.metadata["chiiki_iot"]["objective_map"]) == questions


def test_a_second_checks_id_in_a_test_cell_is_its_own_question():
    """08: the answer q4_kakidashi has a test cell checks("q4_xlsx"), graded (and mapped) on its own."""
    from chiiki_iot.curriculum.rules import graded_questions

    module = next(m for m in MODULES if m.name == "08_keikaku_wo_kaku")
    questions = graded_questions(nbformat.read(module.main_notebook, as_version=4))
    assert questions["q4_kakidashi_test_docx"] == "q4_kakidashi" and questions["q4_kakidashi_test_xlsx"] == "q4_xlsx"
    assert questions["q5_yoyaku"] == "q5_yoyaku", "a manually graded answer is its own question"


def test_missing_objective_map_is_reported_with_the_questions_to_map(tmp_path):
    nb = _exemplar()
    del nb.metadata["chiiki_iot"]["objective_map"]
    problems = _objective_problems(tmp_path, nb)
    assert len(problems) == 1
    text = problems[0]
    assert "broken.ipynb" in text and "[objective-map]" in text and "objective_map がありません" in text
    for q in ("q1_bunrui", "q2_gap", "q3_junban", "q4_shudan", "q5_jibun_no_chiiki"):
        assert q in text, f"the message names every question to map: {q}"
    assert '"objective_map": {"q1_bunrui": [1]' in text, "and shows how to write it"


def test_objective_map_must_cover_the_graded_questions_and_only_those(tmp_path):
    nb = _exemplar()
    mapping = nb.metadata["chiiki_iot"]["objective_map"]
    del mapping["q2_gap"]
    mapping["q2_gap_test"] = [2]          # a grade_id of a test cell, not the question it grades
    mapping["q9_nai"] = [1]
    problems = _objective_problems(tmp_path, nb)
    assert any("q2_gap がありません" in p for p in problems), problems
    assert any("q2_gap_test, q9_nai は採点する問題ではありません" in p for p in problems), problems


@pytest.mark.parametrize("numbers, shown", [([0], "0"), ([5], "5"), (["2"], "'2'"), ([True], "True"), ([1.0], "1.0")])
def test_objective_numbers_must_be_objectives(tmp_path, numbers, shown):
    nb = _exemplar()
    nb.metadata["chiiki_iot"]["objective_map"]["q2_gap"] = numbers
    problems = _objective_problems(tmp_path, nb)
    assert any(f"\"q2_gap\" の {shown} は学習目標の番号ではありません" in p and "1〜4" in p for p in problems), problems


def test_objective_map_of_the_wrong_shape_is_reported(tmp_path):
    nb = _exemplar()
    nb.metadata["chiiki_iot"]["objective_map"]["q2_gap"] = 2
    nb.metadata["chiiki_iot"]["objective_map"]["q3_junban"] = [3, 3]
    problems = _objective_problems(tmp_path, nb)
    assert any("\"q2_gap\" は学習目標の番号のリストにしてください" in p for p in problems), problems
    assert any("\"q3_junban\" に同じ番号が2回あります" in p for p in problems), problems
    nb.metadata["chiiki_iot"]["objective_map"] = [["q1_bunrui", 1]]
    assert any("辞書にしてください" in p for p in _objective_problems(tmp_path, nb))


def test_an_objective_no_question_assesses_is_a_warning_not_an_error(tmp_path):
    nb = _exemplar()
    mapping = nb.metadata["chiiki_iot"]["objective_map"]
    mapping["q3_junban"] = [1]                 # now nothing assesses objective 3
    mapping["q4_shudan"] = []                  # and q4 assesses none of the objectives
    assert _objective_problems(tmp_path, nb) == [], "warnings do not fail the conventions"
    warnings = _objective_problems(tmp_path, nb, warnings=True)
    objective3 = nb.metadata["chiiki_iot"]["objectives"][2]
    assert any(f"学習目標 3「{objective3}」を測る採点の問題がありません" in w for w in warnings), warnings
    assert any("問題 \"q4_shudan\" はどの学習目標も測っていません" in w for w in warnings), warnings
    assert all("（注意）" in w for w in warnings)


def test_check_notebooks_command_prints_warnings_and_passes(tmp_path, capsys):
    from chiiki_iot.cli import main

    nb = _exemplar()
    nb.metadata["chiiki_iot"]["objective_map"]["q3_junban"] = [1]
    assert main(["check-notebooks", str(_write(tmp_path, nb))]) == 0
    out = capsys.readouterr().out
    assert "[objective-map]（注意） 学習目標 3" in out and "問題はありません。（注意 1 件" in out
    del nb.metadata["chiiki_iot"]["objective_map"]
    assert main(["check-notebooks", str(_write(tmp_path, nb))]) == 1
    assert "1 件の問題があります" in capsys.readouterr().out
