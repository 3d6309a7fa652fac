"""A class with hostile and broken submissions, autograded in parallel with the real nbgrader.

One class (13 learners) is graded once by ``chiiki-iot``'s parallel, sandboxed autograde;
each test checks one promise of the threat model in ``grading/README.md``:
learner code cannot write the gradebook, the course folder or another learner's files,
cannot read the source notebooks (solutions, hidden tests) or the grader's environment,
has no network; a crash, infinite loops, an output flood, tampered or deleted test
cells, a symlink or a notebook that is not JSON are recorded for that learner while
everyone else is graded; no submission is changed; no feedback shows hidden tests.
"""
from __future__ import annotations

import hashlib
import socket
import sqlite3
import threading

import nbformat
import pytest

from chiiki_iot.classroom.feedback import html_text, source_secrets
from class_helpers import ASSIGNMENT, MODULE, NOTEBOOK, answers_of_source, place, typical_answers, with_answers

TOKEN = "hub-token-4f1c9e-never-shown"
RUNAWAY_TIMEOUT_S = 10      # per cell, for the class with runaway cells (each waits it out once)
NO_RUNAWAY_TIMEOUT_S = 120  # per cell, where no cell runs away: a bound on failure only
CORRECT_Q1 = answers_of_source()["q1_bunrui"]


def hostile_writer(root, port) -> str:
    """Tries every write/read/network escape; prints what happened; then answers q1 correctly."""
    repo_notebook = MODULE.main_notebook
    return f'''
import os, socket, sqlite3
results = {{}}
def attempt(name, fn):
    try:
        fn()
        results[name] = "DONE"
    except Exception as e:
        results[name] = "BLOCKED"
COURSE = {str(root)!r}
attempt("gradebook", lambda: sqlite3.connect(COURSE + "/gradebook.db").execute("create table pwned (x)"))
attempt("gradebook_relative", lambda: sqlite3.connect("../../../gradebook.db").execute("create table pwned2 (x)"))
attempt("course_root", lambda: open(COURSE + "/pwned.txt", "w").write("x"))
attempt("course_root_relative", lambda: open("../../../pwned_relative.txt", "w").write("x"))
attempt("other_submission", lambda: open(COURSE + "/submitted/perfect/{ASSIGNMENT}/{NOTEBOOK}", "a").write("x"))
attempt("other_autograded", lambda: open(COURSE + "/autograded/perfect/{ASSIGNMENT}/evil.txt", "w").write("x"))
attempt("read_source", lambda: print(open(COURSE + "/source/{ASSIGNMENT}/{NOTEBOOK}").read()[:50]))
attempt("read_repo_solutions", lambda: print(open({str(repo_notebook)!r}).read()[:50]))
attempt("read_gradebook", lambda: print(open(COURSE + "/gradebook.db", "rb").read()[:50]))
attempt("network", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3))
attempt("own_folder", lambda: open("scratch.txt", "w").write("allowed, thrown away"))
print("ENV", sorted(os.environ))
print("TOKEN", os.environ.get("JUPYTERHUB_API_TOKEN"))
print("ATTEMPTS", sorted(results.items()))
{CORRECT_Q1}
'''


LEAKER = f'''
import sys
ip = get_ipython()
ip.events.register("pre_run_cell", lambda info: print("NEXT CELL:\\n" + info.raw_cell))
ip.set_custom_exc((), None)          # undo the Japanese-hint handler: full tracebacks
sys.excepthook = sys.__excepthook__
{CORRECT_Q1}
'''

STUBBORN = '''
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
'''


@pytest.fixture(scope="module")
def listener():
    """A loopback TCP server that counts connections (none may arrive from a sandbox)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    accepted, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory, listener):
    port, accepted = listener
    root = tmp_path_factory.mktemp("hostile") / "course"
    from chiiki_iot.classroom.classroom_course import ClassCourse

    # the runaway cells must hit the per-cell timeout, every other cell must finish well within
    # it: the slowest (the setup cell: pandas, matplotlib) takes ~1.5 s beside two busy processes (7x margin)
    course = ClassCourse.create(root, [MODULE], timeout=RUNAWAY_TIMEOUT_S)
    course.generate(ASSIGNMENT)
    release = nbformat.read(course.root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)

    place(course, "perfect", with_answers(course))
    place(course, "blank", release)
    place(course, "typical", with_answers(course, **typical_answers()))
    place(course, "writer", with_answers(course, q1_bunrui=hostile_writer(course.root, port)))
    place(course, "leaker", with_answers(course, q1_bunrui=LEAKER, q2_gap="kpi['ギャップ'] = kpi['現状'] - kpi['目標']"))
    place(course, "looper", with_answers(course, q2_gap="while True:\n    pass"))
    place(course, "stubborn", with_answers(course, q2_gap=STUBBORN))
    place(course, "exiter", with_answers(course, q2_gap="import os\nos._exit(3)"))
    place(course, "flooder", with_answers(course, q2_gap="while True:\n    print('x' * 500)"))

    deleter = with_answers(course)
    deleter.cells = [c for c in deleter.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "q4_shudan_test"]
    place(course, "deleter", deleter)

    tamperer = with_answers(course, q3_junban='junban = ["A", "B", "C", "D", "E"]')
    for cell in tamperer.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("q3_junban_test"):
            cell.source = "pass  # テストを消しました"
    place(course, "tamperer", tamperer)

    broken = place(course, "broken", release) / NOTEBOOK
    broken.write_text('{"cells": [ this is not json', encoding="utf-8")

    linker = place(course, "linker", with_answers(course))
    (linker / "data.csv").symlink_to(course.root / "gradebook.db")

    before = {p: sha(p) for p in (course.root / "submitted").rglob("*") if p.is_file() and not p.is_symlink()}
    import os
    os.environ["JUPYTERHUB_API_TOKEN"] = TOKEN  # as in a hub: the grader's own secret
    try:
        report = course.autograde_class(ASSIGNMENT, workers=3)
    finally:
        del os.environ["JUPYTERHUB_API_TOKEN"]
    course.feedback(ASSIGNMENT, release=False)
    return course, report, before, accepted


def autograded_text(course, student) -> str:
    nb = nbformat.read(course.root / "autograded" / student / ASSIGNMENT / NOTEBOOK, as_version=4)
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts += [out.get("text", ""), out.get("evalue", ""), "\n".join(out.get("traceback", [])),
                      str(out.get("data", {}).get("text/plain", ""))]
    return "\n".join(parts)


def score(course, student):
    s = course.scores(ASSIGNMENT, student)
    return {c.grade_id: c.score for c in s.cells if c.auto_graded}, s


# -- the sandbox held -----------------------------------------------------------------

def test_learner_code_cannot_touch_the_gradebook(hostile_class):
    course, *_ = hostile_class
    with sqlite3.connect(course.root / "gradebook.db") as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    assert not {"pwned", "pwned2"} & tables


def test_learner_code_cannot_write_the_course_folder_or_other_learners_files(hostile_class):
    course, report, before, _ = hostile_class
    assert not (course.root / "pwned.txt").exists()
    assert not (course.root / "pwned_relative.txt").exists()
    assert not (course.root / "autograded" / "perfect" / ASSIGNMENT / "evil.txt").exists()
    assert not list(course.root.rglob("scratch.txt")), "the learner's working copy must be thrown away"
    text = autograded_text(course, "writer")
    for name in ("gradebook", "gradebook_relative", "course_root", "course_root_relative",
                 "other_submission", "other_autograded"):
        assert f"('{name}', 'BLOCKED')" in text, f"{name} was not blocked"
    assert "('own_folder', 'DONE')" in text, "a learner may still write files in their own working folder"


def test_no_submission_was_changed_or_deleted(hostile_class):
    course, _, before, _ = hostile_class
    after = {p: sha(p) for p in (course.root / "submitted").rglob("*") if p.is_file() and not p.is_symlink()}
    assert after == before
    assert (course.root / "submitted" / "linker" / ASSIGNMENT / "data.csv").is_symlink()


def test_learner_code_cannot_read_solutions_gradebook_or_grader_environment(hostile_class):
    course, *_ = hostile_class
    text = autograded_text(course, "writer")
    for name in ("read_source", "read_repo_solutions", "read_gradebook"):
        assert f"('{name}', 'BLOCKED')" in text, f"{name} was not blocked"
    assert TOKEN not in text
    assert "TOKEN None" in text
    assert "JUPYTERHUB_API_TOKEN" not in text.split("ENV", 1)[1].split("\n", 1)[0]


def test_learner_code_has_no_network(hostile_class):
    course, _, _, accepted = hostile_class
    assert "('network', 'BLOCKED')" in autograded_text(course, "writer")
    assert accepted == []


# -- one learner's trouble is recorded, everyone else is graded -------------------------

def test_the_rest_of_the_class_is_graded(hostile_class):
    course, report, *_ = hostile_class
    perfect, s = score(course, "perfect")
    assert s.auto_score == s.max_auto_score > 0
    assert score(course, "blank")[1].auto_score == 0
    assert 0 < score(course, "typical")[1].auto_score < s.max_auto_score
    graded = set(report.graded)
    assert graded == {"perfect", "blank", "typical", "writer", "leaker", "looper", "stubborn", "exiter",
                      "flooder", "deleter", "tamperer"}
    # the hostile writer answered q1 correctly and is scored for it
    assert score(course, "writer")[0]["q1_bunrui_test_all"] == 2


@pytest.mark.parametrize("student, kind", [("looper", "時間内に終わりませんでした"),
                                           ("stubborn", "時間切れが続いたため"),
                                           ("exiter", "カーネル）が終了しました"),
                                           ("flooder", "出力が多すぎた")])
def test_runaway_code_is_stopped_recorded_and_earlier_answers_still_count(hostile_class, student, kind):
    course, report, *_ = hostile_class
    outcome = report.outcome(student)
    assert outcome.graded
    assert any(kind in n for n in outcome.notes), outcome.notes
    cells, _ = score(course, student)
    assert cells["q1_bunrui_test_all"] == 2, "q1 ran before the runaway cell and must still count"
    assert cells["q2_gap_test"] == 0


def test_an_interrupted_loop_does_not_stop_later_answers(hostile_class):
    course, *_ = hostile_class
    cells, _ = score(course, "looper")
    assert cells["q3_junban_test_all"] == 2 and cells["q4_shudan_test"] == 2


def test_output_flood_is_capped(hostile_class):
    course, *_ = hostile_class
    path = course.root / "autograded" / "flooder" / ASSIGNMENT / NOTEBOOK
    assert path.stat().st_size < 2_000_000, "500 000 characters per cell are kept, not the whole flood"
    assert "出力が多すぎるため" in autograded_text(course, "flooder")


def test_tampered_and_deleted_test_cells_are_restored_and_recorded(hostile_class):
    course, report, *_ = hostile_class
    cells, _ = score(course, "tamperer")
    assert cells["q3_junban_test_start"] == 0 and cells["q3_junban_test_all"] == 0, "the real tests must run"
    assert any("q3_junban_test_start が書きかえられていました" in n for n in report.outcome("tamperer").notes)
    assert any("q4_shudan_test が消されていました" in n for n in report.outcome("deleter").notes)
    assert "q4_shudan_test" in score(course, "deleter")[0]


def test_broken_json_and_symlinks_are_not_graded_but_reported(hostile_class):
    course, report, *_ = hostile_class
    broken, linker = report.outcome("broken"), report.outcome("linker")
    assert not broken.graded and any("壊れていて読めません" in n for n in broken.notes)
    assert not linker.graded and any("シンボリックリンク" in n for n in linker.notes)
    assert not (course.root / "autograded" / "linker").exists()
    summary = report.summary()
    assert "broken" in summary and "そのまま残してあります" in summary


# -- feedback without hidden tests (#917) ------------------------------------------------

def test_feedback_has_no_hidden_test_lines(hostile_class):
    course, report, *_ = hostile_class
    secrets = source_secrets(course.root / "source" / ASSIGNMENT / NOTEBOOK)
    assert len(secrets) > 10
    files = sorted((course.root / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))
    assert {f.parent.parent.name for f in files} == set(report.graded)
    for f in files:
        text = html_text(f)
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{f.parent.parent.name}: {leaked[:2]}"
        assert "BEGIN HIDDEN TESTS" not in text


def test_feedback_keeps_the_japanese_hints(hostile_class):
    course, *_ = hostile_class
    text = html_text(course.root / "feedback" / "typical" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html"))
    assert "符号が逆です" in text


def test_a_learner_who_echoes_the_tests_sees_a_note_instead(hostile_class):
    course, *_ = hostile_class
    raw = autograded_text(course, "leaker")
    assert "NEXT CELL" in raw and "with checks.grading" in raw, "the leaker really printed the hidden tests"
    text = html_text(course.root / "feedback" / "leaker" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html"))
    assert "採点用のテストの内容なので表示しません" in text


def test_plain_nbgrader_autograde_in_a_class_folder_is_sandboxed_too(tmp_path):
    """The settings live in the course's nbgrader_config.py: `nbgrader autograde` (CLI) gets them as well."""
    from chiiki_iot.classroom.classroom_course import ClassCourse

    course = ClassCourse.create(tmp_path / "course", [MODULE], timeout=NO_RUNAWAY_TIMEOUT_S)
    course.generate(ASSIGNMENT)
    place(course, "writer", with_answers(course, q1_bunrui=hostile_writer(course.root, 9)))
    course.autograde(ASSIGNMENT, student="writer")  # nbgrader's own command line
    with sqlite3.connect(course.root / "gradebook.db") as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    assert not {"pwned", "pwned2"} & tables
    assert not (course.root / "pwned.txt").exists()
    assert "('read_source', 'BLOCKED')" in autograded_text(course, "writer")
