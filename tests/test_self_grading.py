"""Right-or-wrong for a learner alone: the self-check key of a workspace module, in one process.

A small made-up module (one autograded answer with two test cells, one manually graded answer)
gets its key through the same builder ``chiiki-iot lab`` uses; the checks then run in its
folder as a learner's notebook would. The whole-curriculum proof, through real kernels and the
real workspace, is tests/test_self_check_workspace.py.
"""
from __future__ import annotations

import nbformat
import pytest

from chiiki_iot.checks import Checks, FormatProblem, SELF_GRADED, FORMAT_ONLY, WrongAnswer, answer_key, expect
from chiiki_iot.checks.marks import NG, OK, TODO
from chiiki_iot.curriculum.self_check_key import notebook_key

HINT_SIGN = "符号が逆です。ギャップは『目標 − 現状』で求めます。"
HINT_VALUE = "ギャップの値がちがいます。"


def grader_cell(cell_type, source, **nbgrader):
    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    cell.metadata["nbgrader"] = {"schema_version": 3, "locked": False, "solution": False, "grade": False, **nbgrader}
    return cell


def source_notebook():
    return nbformat.v4.new_notebook(cells=[
        grader_cell("code", "gap = ...\n### BEGIN SOLUTION\ngap = 32\n### END SOLUTION", grade_id="q1_gap", solution=True),
        grader_cell("code", f'checks("q1")\n### BEGIN HIDDEN TESTS\nwith checks.grading("q1"):\n'
                            f'    _kotae = 32\n    assert gap != -_kotae, "{HINT_SIGN}"\n### END HIDDEN TESTS',
                    grade_id="q1_test_sign", grade=True, points=1),
        grader_cell("code", f'checks("q1")\n### BEGIN HIDDEN TESTS\nwith checks.grading("q1"):\n'
                            f'    assert gap == 32, "{HINT_VALUE}"\n### END HIDDEN TESTS',
                    grade_id="q1_test_value", grade=True, points=1),
        nbformat.v4.new_markdown_cell("**採点基準**: 将来像と現状を数字で書けていれば 3 点。"),
        grader_cell("markdown", "### BEGIN SOLUTION\n（解答例）将来像は待ち時間 10 分、現状は 25 分です。\n### END SOLUTION",
                    grade_id="q2_jibun", solution=True, grade=True, points=3),
    ])


def released_notebook():
    nb = source_notebook()
    nb.cells[0].source = "gap = ..."
    for cell in nb.cells[1:3]:
        cell.source = 'checks("q1")'
    nb.cells[4].source = "YOUR ANSWER HERE"
    return nb


@pytest.fixture
def module_folder(tmp_path, monkeypatch):
    """A workspace with the made-up module in ``courses/demo/01_demo`` and its key; the cwd is the module."""
    (tmp_path / answer_key.WORKSPACE_MARKER).write_text("{}", encoding="utf-8")
    folder = tmp_path / "courses" / "demo" / "01_demo"
    folder.mkdir(parents=True)
    nbformat.write(released_notebook(), folder / "01_demo.ipynb")
    key = {"01_demo.ipynb": notebook_key(source_notebook(), released_notebook())}
    answer_key.write(tmp_path, "demo", "01_demo", {"notebooks": key})
    monkeypatch.chdir(folder)
    return folder


def make_checks():
    checks = Checks("自己採点のテスト")
    checks.add("q1", "gap", expect.number(), "ギャップ")
    return checks


def test_the_key_is_not_plain_text(module_folder, tmp_path):
    data = answer_key.key_path(tmp_path, "demo", "01_demo").read_bytes()
    for secret in ("_kotae = 32", "符号が逆です", "解答例", "gap == 32"):
        assert secret.encode("utf-8") not in data
    decoded = answer_key.decode(data)["notebooks"]["01_demo.ipynb"]
    assert set(decoded["tests"]) == {"q1_test_sign", "q1_test_value"}
    assert decoded["tests"]["q1_test_sign"]["question"] == "q1"


def test_a_right_answer_is_called_right_and_says_which_check_ran(module_folder, capsys):
    make_checks()("q1", {"gap": 32})
    out = capsys.readouterr().out
    assert f"{OK} q1（ギャップ）: 正解です。" in out and SELF_GRADED in out


def test_a_wrong_answer_gets_the_graders_hint(module_folder):
    with pytest.raises(WrongAnswer) as e:
        make_checks()("q1", {"gap": -32})
    shown = e.value.render()
    assert shown.startswith(f"{NG} q1") and HINT_SIGN in shown and SELF_GRADED in shown
    assert "_kotae" not in shown and "assert" not in shown


def test_the_hidden_tests_leave_nothing_in_the_learners_namespace(module_folder):
    namespace = {"gap": 32}
    make_checks()("q1", namespace)
    assert set(namespace) == {"gap"}


def test_a_format_problem_comes_before_the_hidden_tests(module_folder):
    with pytest.raises(FormatProblem, match="数（int か float）"):
        make_checks()("q1", {"gap": "32"})


def test_outside_a_workspace_checks_stay_format_only(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    make_checks()("q1", {"gap": -32})  # wrong, but there is no key here: only the format is checked
    out = capsys.readouterr().out
    assert f"{OK} q1" in out and FORMAT_ONLY in out and "正解" not in out


def test_a_damaged_key_leaves_the_notebook_working_format_only(module_folder, tmp_path, capsys):
    answer_key.key_path(tmp_path, "demo", "01_demo").write_bytes(b"not a key")
    make_checks()("q1", {"gap": -32})
    assert FORMAT_ONLY in capsys.readouterr().out


def test_self_check_lists_right_wrong_and_unanswered(module_folder, capsys):
    checks = make_checks()
    checks.add("q9", "mada", expect.number(), "まだの問題")
    checks.self_check({"gap": -32})
    out = capsys.readouterr().out
    assert "0 / 2 問が正解です" in out
    assert f"{NG} q1（ギャップ）" in out and HINT_SIGN in out and f"{TODO} q9（まだの問題）" in out
    assert "まだ終わっていない答え: q1, q9" in out
    assert 'checks.model_answer("q2_jibun")' in out and SELF_GRADED in out
    checks.self_check({"gap": 32, "mada": 1})
    assert "2 / 2 問が正解です" in capsys.readouterr().out


def save_answer(folder, text):
    nb = nbformat.read(folder / "01_demo.ipynb", as_version=4)
    nb.cells[4].source = text
    nbformat.write(nb, folder / "01_demo.ipynb")


def test_the_model_answer_waits_for_an_attempt(module_folder):
    with pytest.raises(FormatProblem, match="まだ自分の答えが保存されていません"):
        make_checks().model_answer("q2_jibun", {})
    save_answer(module_folder, "YOUR ANSWER HERE\nまだ")
    with pytest.raises(FormatProblem):
        make_checks().model_answer("q2_jibun", {})


def test_the_model_answer_and_rubric_after_an_attempt(module_folder, capsys):
    save_answer(module_folder, "将来像: 窓口の待ち時間を 15 分にする。現状は 30 分。")
    make_checks().model_answer("q2_jibun", {})
    out = capsys.readouterr().out
    assert "（解答例）将来像は待ち時間 10 分" in out and "採点基準" in out and "3 点" in out


def test_an_unknown_manual_task_names_the_known_ones(module_folder):
    with pytest.raises(KeyError, match="q2_jibun"):
        make_checks().model_answer("q7", {})
