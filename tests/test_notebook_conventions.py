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

# (not the copies JupyterLab keeps in .ipynb_checkpoints/, which git ignores)
NOTEBOOKS = sorted(p for p in (REPO / "courses").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
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


def test_an_objective_no_question_assesses_and_a_question_of_no_objective_are_errors(tmp_path):
    """Every learning objective is assessed by a graded question, and every graded question assesses one."""
    nb = _exemplar()
    mapping = nb.metadata["chiiki_iot"]["objective_map"]
    mapping["q3_junban"] = [1]                 # now nothing assesses objective 3
    mapping["q4_shudan"] = []                  # and q4 assesses none of the objectives
    problems = _objective_problems(tmp_path, nb)
    objective3 = nb.metadata["chiiki_iot"]["objectives"][2]
    assert any(f"学習目標 3「{objective3}」を測る採点の問題がありません" in p for p in problems), problems
    assert any("問題 \"q4_shudan\" はどの学習目標も測っていません" in p for p in problems), problems
    assert not any("（注意）" in p for p in problems), "these fail the conventions, they are not mere warnings"


def test_check_notebooks_command_fails_on_an_unassessed_objective(tmp_path, capsys):
    from chiiki_iot.cli import main

    nb = _exemplar()
    assert main(["check-notebooks", str(_write(tmp_path, nb))]) == 0
    capsys.readouterr()
    nb.metadata["chiiki_iot"]["objective_map"]["q3_junban"] = [1]
    assert main(["check-notebooks", str(_write(tmp_path, nb))]) == 1
    out = capsys.readouterr().out
    assert "[objective-map] 学習目標 3" in out and "1 件の問題があります" in out


# --- requires, licence, wording --------------------------------------------------------------

def test_every_module_says_what_it_requires_and_the_modules_exist():
    refs = {f"{m.course}/{m.name}" for m in MODULES}
    for m in MODULES:
        requires = m.metadata.get("requires")
        assert isinstance(requires, list), f"{m.name}: chiiki_iot.requires がありません"
        assert set(requires) <= refs, f"{m.name}: {set(requires) - refs}"
    only_00 = [m.name for m in MODULES if not m.metadata["requires"]]
    assert only_00 == ["00_hajimete_no_jupyter"], f"00 だけが前提なしで始められます（今は {only_00}）"


@pytest.mark.parametrize("requires, shown", [
    (None, "requires がありません"), ("logical_thinking/00_hajimete_no_jupyter", "リストにしてください"),
    (["logical_thinking/07_nai"], "フォルダがありません"), (["01_shoraizo_mondai_kadai"], "コース/NN_名前"),
])
def test_bad_requires_is_reported(tmp_path, requires, shown):
    nb = _exemplar()
    if requires is None:
        del nb.metadata["chiiki_iot"]["requires"]
    else:
        nb.metadata["chiiki_iot"]["requires"] = requires
    problems = [str(v) for v in check_notebook(_write(tmp_path, nb)) if v.rule == "requires"]
    assert any(shown in p for p in problems), problems


def test_a_notebook_without_the_licence_line_is_reported(tmp_path):
    from chiiki_iot.curriculum.rules import LICENCE_NOTE

    nb = _exemplar()
    assert LICENCE_NOTE in nb.cells[0].source
    nb.cells[0].source = nb.cells[0].source.replace(LICENCE_NOTE, "")
    problems = [str(v) for v in check_notebook(_write(tmp_path, nb)) if v.rule == "licence"]
    assert len(problems) == 1 and "CC BY 4.0" in problems[0] and "MIT" in problems[0], problems


@pytest.mark.parametrize("written, preferred", [
    ("データの持ち主に返します。", "所管課"), ("水位を見張ります。", "監視"), ("とび値を除きます。", "外れ値"),
    ("感度分析で損益分岐点を求めます。", "スイッチング値"), ("何でツリーで分けます。", "要素分解ツリー"),
    ("値がちがいます。", "違い・違う"), ("まちがえたときは", "間違い・間違える"),
])
def test_wording_a_municipal_office_does_not_use_is_reported(tmp_path, written, preferred):
    nb = _exemplar()
    nb.cells[2].source += "\n\n" + written
    problems = [str(v) for v in check_notebook(_write(tmp_path, nb)) if v.rule == "wording"]
    assert len(problems) == 1 and preferred in problems[0] and "セル 3" in problems[0], problems


def test_wording_rule_leaves_the_preferred_forms_and_look_alikes_alone():
    from chiiki_iot.curriculum.rules import wording_problems

    fine = "所管課に返します。外れ値を監視します。値が違います。間違えたときは。子どもたちがいます。要素分解ツリー。"
    assert wording_problems(fine) == []


def test_wording_rule_does_not_apply_to_club_sessions():
    """The 地域ICTクラブ sessions keep children's wording (ちがい, まちがい) under their own rules."""
    club = sorted((REPO / "courses" / "ict_club").glob("*/*.ipynb"))
    assert club
    assert not any(v.rule == "wording" for p in club for v in check_notebook(p))


def test_a_paragraph_mixing_desu_masu_and_plain_style_is_reported(tmp_path):
    nb = _exemplar()
    nb.cells[2].source += "\n\n早く知らせすぎると、水は足りていた。遅すぎると、田が乾いてしまいます。"
    problems = [str(v) for v in check_notebook(_write(tmp_path, nb)) if v.rule == "desu-masu"]
    assert len(problems) == 1 and "水は足りていた。" in problems[0] and "セル 3" in problems[0], problems
    nb.cells[2].source += "\n\n- 箇条書きは、体言止めや である調 でもよい。\n- 「引用は、原文のままである。」と書きます。"
    problems = [str(v) for v in check_notebook(_write(tmp_path, nb)) if v.rule == "desu-masu"]
    assert len(problems) == 1, "lists and quotes are not prose paragraphs"


def test_a_rubric_run_together_with_slashes_is_reported(tmp_path):
    nb = _exemplar()
    rubric = next(c for c in nb.cells if c.cell_type == "markdown" and "**採点基準（" in c.source)
    assert "\n- " in rubric.source.split("**採点基準（", 1)[1], "the exemplar's rubric is a list"
    rubric.source += "\n\n**採点基準（2点）:** 将来像がある（1点）／現状に数字がある（1点）"
    problems = [str(v) for v in check_notebook(_write(tmp_path, nb)) if v.rule == "rubric-list"]
    assert len(problems) == 1 and "箇条書き" in problems[0], problems


@pytest.mark.parametrize("e, ok", [("中間", True), ("初期", True), ("最終", False), ("output", False)])
def test_kpi_logic_model_exercise_1_accepts_both_defensible_stages_of_the_cull_count(e, ok):
    """logical_thinking/05 演習 1: the cull count (e) is 初期 or 中間 depending on the reading; both score."""
    import contextlib
    import textwrap

    from chiiki_iot.curriculum.rules import hidden_parts

    module = next(m for m in MODULES if m.name == "05_kpi_logic_model")
    cells = [c for c in nbformat.read(module.main_notebook, as_version=4).cells
             if c.metadata.get("nbgrader", {}).get("grade") and 'checks("q1_dankai")' in c.source]
    assert len(cells) == 2
    stub = type("Checks", (), {"grading": lambda self, q: contextlib.nullcontext()})()
    dankai = {"a": "input", "b": "activity", "c": "output", "d": "初期", "e": e, "f": "最終", "g": "impact"}
    passed = True
    for cell in cells:
        for part in hidden_parts(cell.source):
            try:
                exec(textwrap.dedent(part), {"checks": stub, "dankai": dict(dankai)})
            except AssertionError:
                passed = False
    assert passed is ok


# --- episodes: no long explanation without a check (issue #13) -----------------------------------

def _episode_problems(tmp_path, nb, warnings=False):
    return [v for v in check_notebook(_write(tmp_path, nb), warnings=warnings) if v.rule == "episodes"]


def _prose(n):
    """n characters of です・ます prose (no spaces, so prose_length counts every one)."""
    sentence = "所管課はセンサーの値を毎朝確かめます。"
    return (sentence * (n // len(sentence) + 1))[:n]


def _quick_check_cell(source=None):
    return nbformat.v4.new_code_cell(
        source or 'kotae = ...  # 1〜3\nquick_check(kotae, 2, "課題は行政として取り組むことです。", choices=[1, 2, 3])',
        metadata={"tags": ["quick-check"]})


def _after_first_check(nb):
    """Between two checks (an answer cell and its test cell): what is inserted there is the whole stretch."""
    from chiiki_iot.curriculum.rules import _is_check

    return next(i for i, c in enumerate(nb.cells[:-1]) if _is_check(c) and _is_check(nb.cells[i + 1])) + 1


def test_exemplar_has_no_long_stretch():
    from chiiki_iot.curriculum.rules import EPISODE_LIMIT, episode_stretches

    assert all(chars <= EPISODE_LIMIT for _, _, chars in episode_stretches(_exemplar()))


def test_a_1600_character_stretch_fails_and_a_quick_check_fixes_it(tmp_path):
    nb = _exemplar()
    at = _after_first_check(nb)
    nb.cells[at:at] = [nbformat.v4.new_markdown_cell("### 解説の続き\n\n" + _prose(800)),
                       nbformat.v4.new_markdown_cell(_prose(800) + "\n\n```python\n" + "x = 1\n" * 400 + "```")]
    problems = _episode_problems(tmp_path, nb)
    assert len(problems) == 1, problems
    text = str(problems[0])
    assert "broken.ipynb" in text and "[episodes]" in text and "（注意）" not in text
    assert f"セル {at + 1}〜{at + 2}: 確認のない説明が 1,6" in text and "1,500字まで" in text, text
    assert "確認のない説明" in text and "1,500字まで" in text, text
    assert "quick-check" in text, "the message says what to do"

    nb.cells.insert(at + 1, _quick_check_cell())
    assert _episode_problems(tmp_path, nb) == []


def test_prose_counts_text_not_code_urls_or_markup():
    from chiiki_iot.curriculum.rules import prose_length

    assert prose_length("```python\n" + "x = 1\n" * 500 + "```") == 0
    assert prose_length("<details><summary>答え</summary></details>") == 2
    assert prose_length("[総務省](https://www.soumu.go.jp/" + "a" * 300 + ")") == 3
    assert prose_length("| 指標 | 値 |\n|:---|---:|\n| 人口 | 100 |") == len("指標値人口100")


@pytest.mark.parametrize("source, why", [
    ('kotae = 2  # quick_check(kotae, 2, "…")', "a quick_check in a comment gives no feedback"),
    ("kotae = 2\nprint(kotae)", "a tagged cell without quick_check gives no feedback"),
])
def test_a_quick_check_must_give_feedback(tmp_path, source, why):
    nb = _exemplar()
    at = _after_first_check(nb)
    nb.cells[at:at] = [nbformat.v4.new_markdown_cell(_prose(800)), _quick_check_cell(source),
                       nbformat.v4.new_markdown_cell(_prose(800))]
    texts = [str(v) for v in _episode_problems(tmp_path, nb)]
    assert any(f"セル {at + 2}: タグ quick-check のセルが quick_check(...) を呼んでいません" in t for t in texts), why
    assert any("確認のない説明" in t for t in texts), f"{why}: so it does not end the stretch"


def test_an_untagged_quick_check_or_a_graded_one_is_not_a_quick_check(tmp_path):
    nb = _exemplar()
    at = _after_first_check(nb)
    untagged = _quick_check_cell()
    untagged.metadata = {}
    nb.cells[at:at] = [nbformat.v4.new_markdown_cell(_prose(800)), untagged, nbformat.v4.new_markdown_cell(_prose(800))]
    assert any("確認のない説明" in str(v) for v in _episode_problems(tmp_path, nb))

    graded = _quick_check_cell()
    graded.metadata["nbgrader"] = {"grade": False, "solution": False, "locked": False, "grade_id": "quick1"}
    nb.cells[at + 1] = graded
    assert any("採点しません" in str(v) for v in _episode_problems(tmp_path, nb))


def test_a_quick_check_runs_and_answers_in_japanese(capsys):
    from chiiki_iot.checks import quick_check

    quick_check(..., 2, "理由", choices=[1, 2, 3])
    quick_check(3, 2, "理由", choices=[1, 2, 3], hint="ヒント")
    quick_check(2, 2, "理由", choices=[1, 2, 3])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("⏳［未回答］") and lines[1] == "❌［要修正］ 3 ではありません。ヒント"
    assert lines[2] == "✅［OK］ 正解です。理由"
