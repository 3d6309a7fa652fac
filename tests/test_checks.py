"""chiiki_iot.checks: format checks, hidden grading, self-check — all in Japanese."""
from __future__ import annotations

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from chiiki_iot.checks import Checks, FormatProblem, WrongAnswer, expect
from chiiki_iot.checks.marks import NG, OK, TODO


def make_checks():
    c = Checks("テスト")
    c.add("q1", "gap", expect.number(minimum=0), "ギャップ")
    c.add("q2", "labels", expect.mapping(keys=["a", "b"], value=expect.choice(["問題", "課題"])), "分類")
    c.add("q3", "order", expect.list_of(expect.choice(list("ABC")), length=3, unique=True), "順番")
    c.add("q4", "table", expect.dataframe(columns=["現状", "目標"]), "表")
    return c


def test_format_check_passes_and_says_so(capsys):
    make_checks()("q1", {"gap": 32})
    assert f"{OK} q1" in capsys.readouterr().out


@pytest.mark.parametrize("name, namespace, expected", [
    ("q1", {}, "変数 `gap` がまだありません"),
    ("q1", {"gap": ...}, "まだ `...` のまま"),
    ("q1", {"gap": "32"}, "数（int か float）"),
    ("q1", {"gap": True}, "数（int か float）"),
    ("q1", {"gap": -3}, "0 以上"),
    ("q2", {"labels": {"a": "問題"}}, 'キー "b" がありません'),
    ("q2", {"labels": {"a": "問題", "b": "原因"}}, '"b": 次のどれか'),
    ("q2", {"labels": {"a": "問題", "b": ...}}, '"b": まだ `...` のまま'),
    ("q3", {"order": ["A", "A", "B"]}, "同じ要素が重なっています"),
    ("q3", {"order": ["A", "B"]}, "要素は 3 個"),
    ("q4", {"table": pd.DataFrame({"現状": [1]})}, "列 \"目標\" がありません"),
    ("q4", {"table": [1, 2]}, "DataFrame"),
])
def test_format_problems_are_explained_in_japanese(name, namespace, expected):
    with pytest.raises(FormatProblem) as e:
        make_checks()(name, namespace)
    message = e.value.render()
    assert expected in message and message.startswith(f"{NG} {name}")
    assert "→" in message  # says what to do next


def test_unknown_question_names_the_known_ones():
    with pytest.raises(KeyError, match="q1, q2, q3, q4"):
        make_checks()("q9", {})


def test_grading_turns_failed_asserts_into_hints_without_code():
    checks = make_checks()
    # exec: a notebook's asserts are plain Python, not rewritten by pytest
    code = 'with checks.grading("q1"):\n    assert 31 == 32, "差は『目標 − 現状』です。"'
    with pytest.raises(WrongAnswer) as e:
        exec(code, {"checks": checks})
    assert "差は『目標 − 現状』です。" in e.value.render()
    assert "31 == 32" not in e.value.render()


def test_grading_reports_a_crash_in_the_test_as_a_wrong_answer():
    with pytest.raises(WrongAnswer, match="TypeError"):
        with make_checks().grading("q1"):
            "3" + 3


def test_grading_passes_quietly(capsys):
    ran = []
    with make_checks().grading("q1"):
        ran.append("body")
    assert ran == ["body"] and capsys.readouterr().out == ""


def test_self_check_summarises_every_question(capsys):
    checks = make_checks()
    checks.self_check({"gap": 32, "labels": {"a": "問題", "b": "x"}, "order": ...})
    out = capsys.readouterr().out
    assert "1 / 4 問" in out
    assert f"{OK} q1" in out and f"{NG} q2" in out and f"{TODO} q3" in out and f"{TODO} q4" in out
    assert "形式チェックだけ" in out


def test_self_check_reads_the_callers_namespace(capsys):
    checks = make_checks()
    gap = 5  # noqa: F841 - found through the caller's globals, not locals
    globals()["gap"] = 5
    try:
        checks.self_check()
    finally:
        del globals()["gap"]
    assert f"{OK} q1" in capsys.readouterr().out


def test_in_a_notebook_the_learner_sees_only_the_japanese_hint(tmp_path):
    """Run a real kernel: the error output carries the hint, not the hidden test's code."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from chiiki_iot.checks import Checks, expect\n"
                                  "checks = Checks('t')\nchecks.add('q1', 'gap', expect.number())"),
        nbformat.v4.new_code_cell("gap = 31"),
        nbformat.v4.new_code_cell("checks('q1')\nwith checks.grading('q1'):\n"
                                  "    assert gap == 32, 'ヒント: 目標から現状を引きます。'"),
    ])
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    outputs = nb.cells[2].outputs
    errors = [o for o in outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "WrongAnswer"
    shown = "\n".join(errors[0].traceback)
    assert "ヒント: 目標から現状を引きます。" in shown
    assert "gap == 32" not in shown and "Traceback" not in shown
    assert f"{OK} q1" in "".join(o.get("text", "") for o in outputs)
