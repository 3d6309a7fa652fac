"""A class with hostile and broken submissions, autograded in parallel with the real nbgrader.

One class (17 learners) is graded once by ``chiiki-iot``'s parallel, sandboxed autograde;
each test checks one promise of the threat model in ``grading/README.md``:
learner code cannot write the gradebook, the course folder or another learner's files,
cannot read the source notebooks (solutions, hidden tests) or the grader's environment,
has no network; a crash, infinite loops, an output flood, tampered or deleted test
cells, a symlink or a notebook that is not JSON are recorded for that learner while
everyone else is graded; no submission is changed; no feedback shows hidden tests.
Issue #17 added, to the same class: learner outputs that would run script in the trainer's
formgrader or in the feedback page (XSS), hidden-test lines hidden in attributes, comments,
scripts, entities, zero-width and full-width characters or split over lines, submitted files
that used to stop feedback for everyone, output caps (update_display_data, per notebook),
size caps of /dev/shm and /dev, and grading as root without the trainer's permission.
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
def fill(folder, files=3, mb=40):  # several files: each stays under the 64 MB file-size limit
    try:
        for i in range(files):
            with open(f"{{folder}}/fill{{i}}", "wb") as f:
                for _ in range(mb):
                    f.write(b"\\0" * 1048576)
    finally:
        for i in range(files):
            try:
                os.remove(f"{{folder}}/fill{{i}}")
            except OSError:
                pass
attempt("fill_dev_shm", lambda: fill("/dev/shm"))
def ipc_folder():  # where the kernel's ipc sockets are (its connection file says)
    import json
    from ipykernel.connect import get_connection_file
    return os.path.dirname(json.load(open(get_connection_file()))["ip"])
attempt("fill_ipc", lambda: fill(ipc_folder()))
attempt("write_dev", lambda: open("/dev/pwned", "w").write("x"))
print("ENV", sorted(os.environ))
print("TOKEN", os.environ.get("JUPYTERHUB_API_TOKEN"))
print("ATTEMPTS", sorted(results.items()))
{CORRECT_Q1}
'''


# The test cells never run in the learner's kernel (the judge runs them), so a learner can only
# print hidden-test lines they guessed: this one is easy to guess from the visible checks("q1_bunrui").
GUESSED = 'with checks.grading("q1_bunrui"):'
GUESSED_EXPR = """("with checks." + 'grading("q1_bunrui"):')"""  # built at run time: not in the cell's source

LEAKER = f'''
import sys
ip = get_ipython()
ip.events.register("pre_run_cell", lambda info: print("NEXT CELL:\\n" + info.raw_cell))
ip.set_custom_exc((), None)          # undo the Japanese-hint handler: full tracebacks
sys.excepthook = sys.__excepthook__
print({GUESSED_EXPR})
{CORRECT_Q1}
'''

# A hidden-test line carried in forms a page can hold but a reader of its text does not see: an HTML
# attribute, a comment, a script, entities, zero-width characters and full-width (NFKC) letters.
SNEAKY = f'''
from IPython.display import HTML, display
ZW = "\\u200b"
lines = [{GUESSED_EXPR}]
attrs = "".join(f'<span title="{{ZW.join(l)}}">.</span>' for l in lines)
comment = "<!-- " + " | ".join(l.replace(" ", "&#32;") for l in lines) + " -->"
script = "<script>/* " + " ".join(l.translate({{ord("c"): "ｃ", ord("s"): "ｓ"}}) for l in lines) + " */</script>"
display(HTML(attrs + comment + script))
print("\\n".join(ZW.join(l) for l in lines))
{CORRECT_Q1}
'''

# The hidden-test line split over two output lines: no single line carries it, the page does.
SPLITTER = f'''
print({GUESSED_EXPR}[:12])
print({GUESSED_EXPR}[12:])
{CORRECT_Q1}
'''

# Three ways to cheat that worked while the tests ran in the learner's kernel (each with the typical
# wrong answers, which earn only partial marks): rebind ``checks`` so no test can fail ...
NEVER_FAILS = '''import contextlib
class _AlwaysRight:
    def __init__(self, *args, **kwargs):
        pass
    def add(self, *args, **kwargs):
        pass
    def __call__(self, *args, **kwargs):
        print("✅ 正解です")
    @contextlib.contextmanager
    def grading(self, name):
        try:
            yield
        except BaseException:
            pass
'''
REBINDER = NEVER_FAILS + "checks = _AlwaysRight()\n"
# ... wrap every later cell in try/except with an IPython input transformer ...
HOOKER = '''
def _never_fail(lines):
    return ["try:\\n"] + ["    " + line for line in lines] + ["\\nexcept BaseException:\\n    pass\\n"]
get_ipython().input_transformers_post.append(_never_fail)
'''
# ... or submit a chiiki_iot package of one's own that the set-up cell imports instead of the toolkit.
SHADOW_PACKAGE = {
    "chiiki_iot/__init__.py": "",
    "chiiki_iot/plots.py": "def use_japanese_font():\n    pass\n",
    "chiiki_iot/checks/__init__.py": NEVER_FAILS + '''Checks = _AlwaysRight
class _Anything:
    def __getattr__(self, name):
        return lambda *args, **kwargs: (lambda value: [])
expect = _Anything()
def quick_check(*args, **kwargs):
    print("✅")
''',
}
CHEATS = ("rebinder", "hooker", "shadower")


# Script in the outputs (XSS): HTML with <script> and onerror=, SVG with a script, JavaScript,
# Markdown with raw HTML, crafted image data and metadata. Then the learner's own name in bold.
XSS = f'''
from IPython.display import HTML, SVG, Javascript, Markdown, display
display(HTML('<img src=x onerror="window.PWNED=1"><script>window.PWNED=2</script><b>太字のXSSテスト</b>'
             '<a href="javascript:window.PWNED=3">link</a>'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>window.PWNED=4</script><circle r="5"/></svg>'))
display(Javascript("window.PWNED = 5"))
display(Markdown('<img src=y onerror="window.PWNED=6"> マークダウン'))
display({{"image/png": 'iVBORw0KGgo=" onerror="window.PWNED=7'}}, raw=True)
display({{"image/png": "iVBORw0KGgo=", "text/plain": "png"}}, raw=True,
        metadata={{"image/png": {{"width": "1 onerror=window.PWNED=8"}}}})
{CORRECT_Q1}
'''

# One display updated with a 3 MB image (update_display_data used to bypass the per-cell cap).
BIG_UPDATE = '''kpi["ギャップ"] = kpi["目標"] - kpi["現状"]
handle = display({"text/plain": "small"}, raw=True, display_id=True)
handle.update({"image/png": "QUFB" * 750_000, "text/plain": "big"}, raw=True)
'''
# Cells the learner added, each just under the per-cell cap: together over the per-notebook cap.
NEARLY_FULL_CELL = 'display({"image/png": "QUFB" * 110_000, "text/plain": "figure"}, raw=True)'

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

    place(course, "sneaky", with_answers(course, q1_bunrui=SNEAKY))
    typical = typical_answers()
    place(course, "rebinder", with_answers(course, **{**typical, "q1_bunrui": REBINDER + typical["q1_bunrui"]}))
    place(course, "hooker", with_answers(course, **{**typical, "q1_bunrui": HOOKER + typical["q1_bunrui"]}))
    shadower = place(course, "shadower", with_answers(course, **typical))
    for name, text in SHADOW_PACKAGE.items():
        (shadower / name).parent.mkdir(parents=True, exist_ok=True)
        (shadower / name).write_text(text, encoding="utf-8")
    place(course, "splitter", with_answers(course, q1_bunrui=SPLITTER))
    xss = with_answers(course, q1_bunrui=XSS, q2_gap=BIG_UPDATE,
                       q5_jibun_no_chiiki='<script>window.PWNED=9</script><img src=z onerror="window.PWNED=10"> 将来像')
    xss.cells.append(nbformat.v4.new_markdown_cell('<img src=w onerror="window.PWNED=11"> 追加のメモ'))
    xss.cells += [nbformat.v4.new_code_cell(NEARLY_FULL_CELL) for _ in range(14)]
    place(course, "xss", xss)
    # files a learner may submit beside the notebook: a page holding a guessable hidden-test line,
    # and a folder named like the notebook's feedback page (nbgrader's generate_feedback copied both)
    files = place(course, "files", with_answers(course))
    (files / "notes.html").write_text('<p>with checks.grading("q1_bunrui"):</p>', encoding="utf-8")
    (files / NOTEBOOK.replace(".ipynb", ".html")).mkdir()
    (files / NOTEBOOK.replace(".ipynb", ".html") / "x.txt").write_text("x", encoding="utf-8")

    before = {p: sha(p) for p in (course.root / "submitted").rglob("*") if p.is_file() and not p.is_symlink()}
    import os
    os.environ["JUPYTERHUB_API_TOKEN"] = TOKEN  # as in a hub: the grader's own secret
    try:
        # the suite runs as root (CI containers): the trainer's explicit permission
        report = course.autograde_class(ASSIGNMENT, workers=3, allow_root=True)
    finally:
        del os.environ["JUPYTERHUB_API_TOKEN"]
    feedback = course.feedback(ASSIGNMENT, release=False)
    report.feedback = feedback
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
                      "flooder", "deleter", "tamperer", "sneaky", "splitter", "xss", "files", *CHEATS}
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
    assert {f.parent.parent.name for f in files} == set(report.graded) - {"splitter"}  # withheld, see below
    for f in files:
        text = html_text(f)
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{f.parent.parent.name}: {leaked[:2]}"
        assert "BEGIN HIDDEN TESTS" not in text


def test_feedback_keeps_the_japanese_hints(hostile_class):
    course, *_ = hostile_class
    text = html_text(course.root / "feedback" / "typical" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html"))
    assert "符号が逆です" in text


def test_hidden_tests_never_enter_the_learners_kernel(hostile_class):
    """The leaker's hook printed every cell its kernel ran: set-up and answer cells, never a test cell."""
    course, *_ = hostile_class
    raw = autograded_text(course, "leaker")
    echoed = raw.split("NEXT CELL:")[1:]
    assert echoed, "the leaker's hook really ran"
    secrets = source_secrets(course.root / "source" / ASSIGNMENT / NOTEBOOK)
    seen = [s for s in secrets if any(s in e for e in echoed)]
    assert not seen, f"hidden-test lines reached the learner's kernel: {seen[:2]}"
    assert not any('checks("q' in e for e in echoed), "a test cell ran in the learner's kernel"


def test_a_learner_who_prints_a_guessed_test_line_sees_a_note_instead(hostile_class):
    course, *_ = hostile_class
    assert GUESSED in autograded_text(course, "leaker")
    text = html_text(course.root / "feedback" / "leaker" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html"))
    assert "採点用のテストの内容なので表示しません" in text and GUESSED not in text


@pytest.mark.parametrize("cheat", CHEATS)
def test_cheating_in_the_learners_kernel_scores_no_more_than_the_honest_wrong_answer(hostile_class, cheat):
    """Rebinding checks, a hook around every cell or a shadowing package: the tests run in the judge,
    with the course's own checks, so the cheat's typical wrong answers score what they are worth."""
    course, report, *_ = hostile_class
    honest, honest_total = score(course, "typical")
    cheated, cheated_total = score(course, cheat)
    assert cheated_total.auto_score <= honest_total.auto_score < honest_total.max_auto_score, (cheated, honest)
    assert cheated == honest
    assert "符号が逆です" in autograded_text(course, cheat), "the cheat's learner sees the real hint"


def test_plain_nbgrader_autograde_in_a_class_folder_is_sandboxed_too(tmp_path):
    """The settings live in the course's nbgrader_config.py: `nbgrader autograde` (CLI) gets them as well."""
    from chiiki_iot.classroom.classroom_course import ClassCourse

    course = ClassCourse.create(tmp_path / "course", [MODULE], timeout=NO_RUNAWAY_TIMEOUT_S)
    course.generate(ASSIGNMENT)
    place(course, "writer", with_answers(course, q1_bunrui=hostile_writer(course.root, 9)))
    import os
    if os.geteuid() == 0:  # as root, nbgrader's own command line is refused unless the trainer allows it
        refused = course.run("autograde", ASSIGNMENT, "--force", "--create", "--student", "writer", check=False)
        assert "root（管理者）のままでは採点しません" in refused
        assert not (course.root / "autograded" / "writer" / ASSIGNMENT / NOTEBOOK).exists()
    # nbgrader's own command line; the permission is the setting nbgrader_config.py would hold
    course.run("autograde", ASSIGNMENT, "--force", "--create", "--student", "writer", "--SafeExecute.allow_root=True")
    with sqlite3.connect(course.root / "gradebook.db") as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    assert not {"pwned", "pwned2"} & tables
    assert not (course.root / "pwned.txt").exists()
    assert "('read_source', 'BLOCKED')" in autograded_text(course, "writer")


# -- what a learner's outputs can do in a browser, hidden tests in any form, caps (#17) ------------

def readings(raw: str) -> list[str]:
    """A page as a browser or a reader of its source may read it: raw and without tags, %-decoded,
    entities decoded, NFKC, without whitespace and invisible characters (categories C, Z, M)."""
    import html
    import re
    import unicodedata
    import urllib.parse

    out = []
    for form in (raw, re.sub(r"<[^>]*>", "", raw)):
        for text in (form, urllib.parse.unquote(form)):
            text = unicodedata.normalize("NFKC", html.unescape(html.unescape(text)))
            out.append("".join(ch for ch in text if unicodedata.category(ch)[0] not in "CZM"))
    return out


def squeezed(line: str) -> str:
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", line) if unicodedata.category(ch)[0] not in "CZM")


def active_content(page: str) -> list[str]:
    """Event handlers, javascript: URLs, SVG/iframes and scripts that carry the learner's payload."""
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        in_script = False

        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name.startswith("on"):
                    found.append(f"<{tag} {name}>")
                if "javascript:" in (value or "").replace(" ", "").lower():
                    found.append(f"<{tag} {name}=javascript:>")
            if tag in ("svg", "iframe", "object", "embed"):
                found.append(f"<{tag}>")
            self.in_script = tag == "script"

        def handle_endtag(self, tag):
            self.in_script = False

        def handle_data(self, data):
            if self.in_script and "PWNED" in data:
                found.append("<script>…PWNED…</script>")

    Parser().feed(page)
    return found


def test_learner_outputs_are_inert_in_the_trainers_view(hostile_class):
    """The formgrader renders the autograded notebook (nbconvert's classic page): nothing the learner
    displayed can run there, in the trainer's logged-in browser; what they showed is still there as text."""
    from nbconvert.exporters import HTMLExporter

    course, *_ = hostile_class
    nb = course.autograded_notebook("xss", ASSIGNMENT, NOTEBOOK)
    page, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    assert active_content(page) == []
    text = html_text_of(page)
    assert "太字のXSSテスト" in text and "マークダウン" in text and "追加のメモ" in text
    mimes = {m for c in nb.cells for o in c.get("outputs", []) for m in o.get("data", {})}
    assert mimes <= {"text/plain", "text/html", "image/png"}, mimes


def html_text_of(page: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)))


def test_learner_outputs_are_inert_in_their_feedback(hostile_class):
    course, report, *_ = hostile_class
    page = (course.root / "feedback" / "xss" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")).read_text(encoding="utf-8")
    assert active_content(page) == []
    assert "太字のXSSテスト" in html_text_of(page)
    assert "xss" not in report.feedback.withheld


def test_hidden_tests_in_any_form_never_reach_released_feedback(hostile_class):
    course, report, *_ = hostile_class
    secrets = {squeezed(s) for s in source_secrets(course.root / "source" / ASSIGNMENT / NOTEBOOK)}
    secrets = {s for s in secrets if len(s) >= 6}
    raw = autograded_text(course, "sneaky") + autograded_text(course, "splitter")
    assert "\u200b".join("with checks.grading") in raw, "the sneaky learner really carried the hidden tests"
    for f in (course.root / "feedback").rglob("*"):
        if f.is_file():
            pages = readings(f.read_text(encoding="utf-8", errors="replace"))
            leaked = [s for s in secrets if any(s in p for p in pages)]
            assert not leaked, f"{f.relative_to(course.root)}: {leaked[:2]}"


def test_a_learner_whose_page_still_carries_hidden_tests_is_withheld_alone(hostile_class):
    """The line-by-line scrub cannot see a line split over two output lines; the page check can:
    that learner's page is withheld, the trainer is told who and why, everyone else gets theirs."""
    course, report, *_ = hostile_class
    fb = report.feedback
    assert set(fb.withheld) == {"splitter"}, fb.withheld
    assert "隠しテスト" in " ".join(fb.withheld["splitter"])
    assert not (course.root / "feedback" / "splitter").exists()
    assert (course.root / "feedback_withheld" / "splitter" / ASSIGNMENT).is_dir()
    summary = fb.summary()
    assert "splitter" in summary and "配っていません" in summary and "ほかの人には影響ありません" in summary
    assert {f.parent.parent.name for f in fb.files} == set(report.graded) - {"splitter"}
    # the sneaky learner's encoded copies were scrubbed line by line: their page is kept, with the note
    assert "採点用のテストの内容なので表示しません" in html_text(
        course.root / "feedback" / "sneaky" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html"))


def test_files_a_learner_submits_do_not_block_anyones_feedback(hostile_class):
    """notes.html with a guessable hidden-test line and a folder named like the feedback page used
    to stop generate_feedback / the check for the whole class."""
    course, report, *_ = hostile_class
    folder = course.root / "feedback" / "files" / ASSIGNMENT
    assert (folder / NOTEBOOK.replace(".ipynb", ".html")).is_file()
    assert not (folder / "notes.html").exists(), "only the notebook's page is returned"
    assert "files" not in report.feedback.withheld


def test_output_caps_hold_for_every_output_type(hostile_class):
    """A 3 MB update_display_data, and added cells each under the per-cell cap but together over the
    per-notebook cap, are cut (bytes, every output type)."""
    course, report, *_ = hostile_class
    path = course.root / "autograded" / "xss" / ASSIGNMENT / NOTEBOOK
    assert path.stat().st_size < 5_500_000, path.stat().st_size
    nb = nbformat.read(path, as_version=4)
    q2 = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q2_gap")
    assert len(nbformat.writes(nbformat.v4.new_notebook(cells=[q2]))) < 600_000
    assert "出力が多すぎるため" in autograded_text(course, "xss")
    assert any("出力が多すぎた" in n for n in report.outcome("xss").notes)
    assert score(course, "xss")[0]["q1_bunrui_test_all"] == 2


def test_every_writable_place_in_the_sandbox_is_size_capped(hostile_class):
    course, *_ = hostile_class
    text = autograded_text(course, "writer")
    for name in ("fill_dev_shm", "fill_ipc", "write_dev"):  # /tmp and the working folder: 256 MB tmpfs, as before
        assert f"('{name}', 'BLOCKED')" in text, f"{name} was not blocked"


def test_grading_as_root_is_refused_without_the_trainers_permission(hostile_class, monkeypatch, capsys):
    import os

    from chiiki_iot.classroom.autograde import autograde_class
    from chiiki_iot.classroom.sandbox import GradingAsRootRefused
    from chiiki_iot.cli import main

    course, report, *_ = hostile_class
    assert report.as_root == (os.geteuid() == 0), "a run as root is recorded"
    if report.as_root:
        assert "root で採点" in report.summary()
        assert '"as_root": true' in (course.root / "reports" / f"autograde-{ASSIGNMENT}.json").read_text(encoding="utf-8")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    with pytest.raises(GradingAsRootRefused, match="採点用のアカウント"):
        autograde_class(course.root, ASSIGNMENT, students=["perfect"])
    assert main(["class", "autograde", ASSIGNMENT, "--course", str(course.root), "--student", "perfect"]) == 1
    err = capsys.readouterr().err
    assert "root（管理者）のままでは採点しません" in err and "sudo -u" in err and "--allow-root" in err
