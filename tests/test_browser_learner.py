"""A new learner, and a trainer, in a real browser: headless Chromium driving ``chiiki-iot lab``.

The learner: a fresh workspace, the first module's notebook opened in JupyterLab (Japanese UI),
the kernel started, Run All, then a typical wrong answer (the module's
``typical_wrong_answer.yml``) typed into an answer cell and checked: the Japanese hint
listed under ``feedback`` must be on the page.

The trainer: ``chiiki-iot lab --trainer`` opens ``courses/`` itself; opening a course notebook,
starting its kernel and letting JupyterLab autosave must change no file under ``courses/``.

A child with a screen reader: from the start page, the keyboard alone (Tab to the 地域ICTクラブ
session's link, Enter, then Shift+Enter cell by cell) runs club session 01 through みせあう; what
the board shows must be in the accessibility tree as text (「LED: ハートの形…」 and the ●○ rows).

Debian's Chromium (``/usr/bin/chromium``), which ``./academy test`` installs; Playwright never
downloads a browser here. Without Chromium the tests are skipped, except in CI (``CI`` set),
where they fail. On a failure, a screenshot goes to the test's tmp dir and its path is printed.
Every process started here (the lab and its kernels, Chromium) is stopped on success, failure
and SIGTERM/SIGHUP; the lab also gets SIGTERM if this process dies (Linux: PR_SET_PDEATHSIG).
"""
from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import psutil
import pytest
import yaml

from chiiki_iot.curriculum.modules import courses_root
from chiiki_iot.curriculum.start_page import FILE_NAME as START_PAGE

from chromium import CHROMIUM_ARGS, require_chromium, skip_without_chromium
from conftest import MODULES, REPO

TIMEOUT_MS = 120_000  # one wait on a loaded two-core machine; every wait is for an event
FIRST_MODULE = "00_hajimete_no_jupyter"
FALLBACK_MODULE = "01_shoraizo_mondai_kadai"
CLUB_SESSION = "01_hajimete_no_led.ipynb"  # the first 地域ICTクラブ session
BUTTON_SESSION = "02_button_de_kawaru.ipynb"  # the club session whose board a child presses on the screen
# the board in words as the club helpers print it, matched in an aria snapshot (lines joined by spaces;
# written without ": ", which the snapshot's YAML would take for a mapping): after any board change,
# and after micro:bit's Image.HEART
BOARD_IN_WORDS = re.compile(r"【ボードのようす】\s+LED:\s.*?(?:[●○◐]{5}\s+){4}[●○◐]{5}")
HEART_IN_WORDS = re.compile(r"LED:\sハートの形です.*?○●○●○\s+●●●●●\s+●●●●●\s+○●●●○\s+○○●○○")
# the URL with its token, in whatever message chiiki-iot lab wraps it
URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1):(\d+)/lab[^\s?]*\?(?:\S*&)?token=([0-9A-Za-z]+)")
# settings a test lab reads instead of the user's (JUPYTERLAB_SETTINGS_DIR): autosave every
# second, no news or update checks (the network is closed)
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": True, "autosaveInterval": 1},
    "@jupyterlab/apputils-extension/notification": {"checkForUpdates": False, "fetchNews": "false"},
}

pytestmark = skip_without_chromium  # skipped only with no Chromium and no CI (tests/chromium.py)


# ---------------------------------------------------------------------------------- the module
def first_module():
    """Module 00 when it is complete (notebook and typical wrong answer), else logical_thinking 01."""
    by_name = {m.name: m for m in MODULES if m.course == "logical_thinking"}
    for name in (FIRST_MODULE, FALLBACK_MODULE):
        m = by_name.get(name)
        if m is not None and m.main_notebook.exists() and m.typical_wrong_answer.exists():
            return m
    raise AssertionError(f"neither {FIRST_MODULE} nor {FALLBACK_MODULE} is a complete module")


def wrong_answer_and_hint(module):
    """(grade id, typical wrong answer, Japanese hint) of the first answer whose hint the yml lists.

    A ``feedback`` line belongs to the answer whose hidden tests (``checks.grading("<id>")``
    in the instructor's notebook) contain it.
    """
    typical = yaml.safe_load(module.typical_wrong_answer.read_text(encoding="utf-8"))
    source = nbformat.read(module.main_notebook, as_version=4)
    for grade_id, answer in typical["answers"].items():
        tests = "".join(c.source for c in source.cells if f'checks.grading("{grade_id}")' in c.source)
        hints = [h for h in typical.get("feedback", []) if h in tests]
        if hints:
            return grade_id, answer.rstrip("\n"), hints[0]
    raise AssertionError(f"no feedback line of {module.typical_wrong_answer} belongs to an answer")


# ---------------------------------------------------------------------------------- the lab
def _die_with_parent():
    """In the child: SIGTERM when the test process dies (chiiki-iot lab then stops JupyterLab)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Lab:
    """``chiiki-iot lab`` in its own session, its URL read from its output."""

    def __init__(self, args: list[str], home: Path, started: list):
        settings = home / "settings"
        for plugin, values in SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        # this lab's own settings, layout and per-user state (trainer mode keeps its state in the
        # Jupyter data dir): nothing of another session or of a lab another test runs meanwhile
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"), JUPYTER_DATA_DIR=str(home / "jupyter-data"))
        self.proc = subprocess.Popen([sys.executable, "-m", "chiiki_iot.cli", "lab", "--no-browser", "--port", "0",
                                      *args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=env, start_new_session=True, preexec_fn=_die_with_parent)
        started.append(self)  # stopped by the fixture from now on, whatever happens next
        self.out: list[str] = []
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        match = None
        while match is None:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"chiiki-iot lab printed no URL within {TIMEOUT_MS // 1000} s:\n"
                                     + "".join(self.out)) from None
            assert line is not None, "chiiki-iot lab ended before printing its URL:\n" + "".join(self.out)
            match = URL.search(line)
        self.port, self.token = int(match.group(1)), match.group(2)
        self.base = f"http://localhost:{self.port}"
        # the URL is printed a moment before the server accepts connections
        while True:
            try:
                self.contents("", content=False)
                break
            except urllib.error.URLError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.2)

    def _read(self):
        for line in self.proc.stdout:
            self.out.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def url(self, path: str) -> str:
        return f"{self.base}/lab/tree/{urllib.parse.quote(path)}?token={self.token}"

    def contents(self, path: str = "", content: bool = True) -> dict:
        url = f"{self.base}/api/contents/{urllib.parse.quote(path)}?content={int(content)}&token={self.token}"
        with urllib.request.urlopen(url, timeout=60) as resp:
            return json.load(resp)

    def find(self, name: str, depth: int = 5) -> str:
        """The server path of the file called ``name`` (breadth first): layouts may move, names stay."""
        todo = [("", 0)]
        while todo:
            path, level = todo.pop(0)
            for entry in self.contents(path)["content"]:
                if entry["type"] == "directory" and level < depth and not entry["name"].startswith("."):
                    todo.append((entry["path"], level + 1))
                elif entry["name"] == name:
                    return entry["path"]
        raise AssertionError(f"{name} is not in the lab's folder")

    def stop(self) -> None:
        """SIGTERM (chiiki-iot lab stops JupyterLab and its kernels), then whatever is left is killed."""
        if self.proc.poll() is None:
            try:
                tree = [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(recursive=True)]
            except psutil.NoSuchProcess:
                tree = []
            self.proc.terminate()
            _, alive = psutil.wait_procs(tree, timeout=60)
            for p in alive:
                with contextlib.suppress(psutil.NoSuchProcess):
                    p.kill()
            psutil.wait_procs(alive, timeout=10)
        self.proc.wait(timeout=10)


@contextlib.contextmanager
def stop_signals_unwind():
    """Within the block, SIGTERM and SIGHUP end the run as Ctrl+C does: every finalizer runs."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        def handler(signum, frame):
            raise KeyboardInterrupt(signal.Signals(signum).name)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@pytest.fixture
def start_lab(tmp_path):
    labs = []

    def start(*args: str) -> Lab:
        return Lab(list(args), tmp_path / f"lab{len(labs)}", labs)

    with stop_signals_unwind():
        try:
            yield start
        finally:
            for one in labs:
                one.stop()


# ---------------------------------------------------------------------------------- the browser
@pytest.fixture(scope="module")
def browser():
    chromium_path = require_chromium()  # in CI without Chromium: fails, saying how it should have got there
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with stop_signals_unwind(), sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, tmp_path):
    """A fresh browser context (Japanese locale); on a failure, a screenshot into ``tmp_path``."""
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@contextlib.contextmanager
def screenshot_on_failure(page, tmp_path: Path):
    try:
        yield
    except BaseException:
        shot = tmp_path / "failure.png"
        with contextlib.suppress(Exception):
            page.screenshot(path=str(shot), full_page=True, timeout=30_000)
            print(f"\nスクリーンショット / screenshot: {shot}")
        raise


def open_notebook(page, lab: Lab, path: str):
    """Open ``path`` in JupyterLab and wait until its kernel is ready."""
    page.goto(lab.url(path))
    return notebook_on_show(page, path.rsplit("/", 1)[-1])


def notebook_on_show(page, name: str):
    """The panel of notebook ``name``, which JupyterLab shows now, once its kernel is ready for a Shift+Enter."""
    from playwright.sync_api import expect

    # this notebook's own panel: JupyterLab restores the tabs opened before, which stay in the page (hidden),
    # and may show one of them for a moment; the current tab names the panel it shows (data-id)
    tab = page.locator(".lm-TabBar-tab.jp-mod-current").filter(has_text=name)
    expect(tab).to_have_count(1)
    panel = page.locator(f"[id='{tab.get_attribute('data-id')}']")
    expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute("data-status", "idle")
    # "idle" comes before the kernel has answered all of JupyterLab's start-up requests; a Shift+Enter in
    # that moment moves on without running the cell. The debugger button is enabled once it has.
    expect(panel.locator('.jp-DebuggerBugButton[aria-disabled="false"]')).to_have_count(1)
    return panel


def run_all(page, panel, first_code_cell) -> None:
    """Run All from the 「実行」 menu, as a learner would; return when no cell is queued or running.

    In the learner's workspace the answer and check cells carry the ``raises-exception`` tag, so
    the run goes past an unanswered question to the last cell.
    """
    from playwright.sync_api import expect

    page.locator(".lm-MenuBar").first.get_by_text("実行", exact=True).click()
    page.locator(".lm-Menu-item").filter(has_text=re.compile(r"^すべてのセルを実行")).first.click()
    expect(first_code_cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"))
    prompts = panel.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt")
    expect(prompts.filter(has_text="*")).to_have_count(0)  # nothing queued or running any more
    expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute("data-status", "idle")


# ---------------------------------------------------------------------------------- the tests
def test_a_new_learner_runs_the_first_notebook_and_sees_a_japanese_hint(start_lab, page, tmp_path):
    module = first_module()
    grade_id, answer, hint = wrong_answer_and_hint(module)
    workspace = tmp_path / "workspace"
    lab = start_lab("--workspace", str(workspace))
    with screenshot_on_failure(page, tmp_path):
        learner_flow(page, lab, workspace, module, grade_id, answer, hint)


def learner_flow(page, lab, workspace, module, grade_id, answer, hint):
    from playwright.sync_api import expect

    path = lab.find(module.main_notebook.name)
    panel = open_notebook(page, lab, path)
    menubar = page.locator(".lm-MenuBar").first
    for label in ("ファイル", "編集", "表示", "実行", "カーネル"):  # the Japanese UI
        expect(menubar.get_by_text(label, exact=True)).to_be_visible()
    # no instructor tool of nbgrader in learner mode (it fails outside an nbgrader course)
    expect(menubar.get_by_text(re.compile("nbgrader", re.I))).to_have_count(0)
    # opening it did not mark the notebook as changed (its metadata is what the kernel reports)
    tab = page.locator(".lm-TabBar-tab.jp-mod-current").filter(has_text=module.main_notebook.name)
    expect(tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"))
    assert "講師用" not in page.evaluate("getComputedStyle(document.body, '::after').content")

    released = nbformat.read(workspace / path, as_version=4)
    cells = panel.locator(".jp-Notebook .jp-Cell")
    expect(cells).to_have_count(len(released.cells))
    code = [i for i, c in enumerate(released.cells) if c.cell_type == "code"]

    run_all(page, panel, cells.nth(code[0]))
    # Run All went on past the unanswered questions to the last code cell, where the self-check lists them
    closing = max(i for i in code if "checks.self_check()" in released.cells[i].source)
    cells.nth(closing).scroll_into_view_if_needed()
    expect(cells.nth(closing).locator(".jp-OutputArea")).to_contain_text("まだ終わっていない答え")

    # a typical wrong answer pasted into its answer cell; the answer and its check cells run
    at = next(i for i, c in enumerate(released.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    checks_of_it = [i for i in range(at + 1, len(released.cells)) if released.cells[i].cell_type == "code"
                    and f'checks("{grade_id}")' in released.cells[i].source]
    assert checks_of_it, f"no check cell follows the answer cell {grade_id}"
    editor = cells.nth(at).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(answer)
    expect(editor).to_contain_text(answer.splitlines()[0])
    for i in [at, *checks_of_it]:
        prompt = cells.nth(i).locator(".jp-InputPrompt")
        before = prompt.inner_text()
        prompt.click()  # selects the cell (command mode)
        page.keyboard.press("Shift+Enter")
        expect(prompt).not_to_have_text(before)
        expect(prompt).to_have_text(re.compile(r"\[\d+\]"))
    for i in checks_of_it:  # each check cell answers with the question's id (a format check does, today)
        expect(cells.nth(i).locator(".jp-OutputArea")).to_contain_text(grade_id)
    said = "\n".join(cells.nth(i).locator(".jp-OutputArea").inner_text() for i in checks_of_it)
    # the Japanese hint this typical wrong answer must get (the learner's right/wrong self-check)
    assert hint in said, (f"after the typical wrong answer of {grade_id}, its check cells do not show the hint "
                          f"「{hint}」 ({module.typical_wrong_answer.name}); they said:\n{said}")


def course_material(courses: Path) -> dict[str, str]:
    """sha256 of every file under ``courses/`` that is course material.

    In a git checkout that is every file git does not ignore: what running a notebook writes
    beside it (``.gitignore``; the suite's nbval runs do that meanwhile) is not material.
    """
    if _git(["rev-parse", "--is-inside-work-tree"]) is not None:
        listed = _git(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", str(courses)])
        files = sorted(REPO / f for f in listed.split("\0") if f)
    else:
        files = sorted(p for p in courses.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {str(f.relative_to(courses)): hashlib.sha256(f.read_bytes()).hexdigest() if f.exists() else "（なし）"
            for f in files}


def _git(args: list[str]) -> str | None:
    if shutil.which("git") is None:
        return None
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def test_a_trainer_opening_a_course_notebook_changes_nothing_in_courses(start_lab, page, tmp_path):
    module = first_module()
    courses = courses_root()
    before, git_before = course_material(courses), _git(["status", "--porcelain", "--", str(courses)])
    lab = start_lab("--trainer")
    with screenshot_on_failure(page, tmp_path):
        trainer_flow(page, lab, module)
    lab.stop()

    after = course_material(courses)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"chiiki-iot lab --trainer changed files under courses/: {changed}"
    if git_before is not None:
        assert _git(["status", "--porcelain", "--", str(courses)]) == git_before, "git status of courses/ changed"


def trainer_flow(page, lab, module):
    """Open the course notebook, let its kernel start, and wait for JupyterLab's autosave."""
    from playwright.sync_api import expect

    path = lab.find(module.main_notebook.name)
    saved = []  # JupyterLab's saves of this notebook (PUT to the contents API), as the server answered them
    is_save = lambda r: r.request.method == "PUT" and f"/api/contents/{urllib.parse.quote(path)}" in r.url  # noqa: E731
    page.on("response", lambda r: saved.append(r.status) if is_save(r) else None)
    panel = open_notebook(page, lab, path)
    # the trainer sees which mode is open
    assert "講師用" in page.evaluate("getComputedStyle(document.body, '::after').content")
    # The kernel fills in language_info, so JupyterLab autosaves (every second here) the changed
    # notebook: wait until it has, unless the server says the file cannot be written (then
    # JupyterLab does not try). No Run All here: right after opening, in trainer mode, it
    # sometimes ran no cell at all (kernel idle, every prompt still [ ]).
    if lab.contents(path, content=False)["writable"]:
        tab = page.locator(".lm-TabBar-tab.jp-mod-current").filter(has_text=module.main_notebook.name)
        expect(tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"))
        if not saved:  # the tab is clean once the save is answered: its response event may still be on its way
            saved.append(page.wait_for_event("response", is_save).status)
        assert all(200 <= status < 300 for status in saved), f"saving the course notebook failed: {saved}"
    expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute("data-status", "idle")


def test_club_sessions_by_keyboard_alone_and_by_pressing_the_screen_micro_bit(start_lab, page, tmp_path):
    """The Shimabara pair: one child with a screen reader, one who sees the board and presses it."""
    workspace = tmp_path / "workspace"
    lab = start_lab("--workspace", str(workspace))
    with screenshot_on_failure(page, tmp_path):
        keyboard_club_flow(page, lab, workspace)
        screen_board_flow(page, lab, workspace)


def screen_board_flow(page, lab, workspace):
    """A child presses ボタンA on the micro:bit drawn in the notebook; the program on the board sees the
    press and the drawn LEDs change (button → comm → kernel → real MicroPython → drawn picture)."""
    from playwright.sync_api import expect

    path = lab.find(BUTTON_SESSION)
    session = nbformat.read(workspace / path, as_version=4)
    view = next(i for i, c in enumerate(session.cells) if c.cell_type == "code" and "show_board(board)" in c.source)
    kao = next(i for i, c in enumerate(session.cells) if c.cell_type == "code" and "def kao()" in c.source)
    panel = open_notebook(page, lab, path)
    cells = panel.locator(".jp-Notebook .jp-Cell")
    # the code cells down to kao(), each clicked and run with Shift+Enter, as a sighted child with a mouse does
    # (a click also takes the keys back from a widget that the board view or the cards drew)
    for i in (i for i in range(kao + 1) if session.cells[i].cell_type == "code"):
        cells.nth(i).locator(".jp-InputPrompt").click()
        expect(cells.nth(i)).to_have_class(re.compile(r"\bjp-mod-active\b"))
        page.keyboard.press("Shift+Enter")
        expect(cells.nth(i).locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"))
    board_view = cells.nth(view).locator(".jp-OutputArea")
    leds = board_view.get_by_role("img", name=re.compile(r"^LED"))
    expect(leds).not_to_have_accessible_name(re.compile("にこにこの顔"))
    board_view.get_by_role("button", name="ボタンA", exact=True).click()  # the mouse, as a sighted child does
    expect(board_view.get_by_text("ボタンA を おしました")).to_be_visible()
    cells.nth(kao).locator(".jp-InputPrompt").click()
    page.keyboard.press("b")  # a new cell below kao(): the child calls it without pressing in code
    page.keyboard.press("Enter")
    page.keyboard.insert_text('run(board, "kao()")')
    page.keyboard.press("Shift+Enter")
    expect(cells.nth(kao + 1).locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"))
    expect(leds).to_have_accessible_name(re.compile("にこにこの顔"))


def keyboard_club_flow(page, lab, workspace):
    """No mouse: Tab and Enter on the start page, Shift+Enter in the notebook; checked as a screen reader reads it."""
    from playwright.sync_api import expect

    path = lab.find(CLUB_SESSION)
    session = nbformat.read(workspace / path, as_version=4)
    # the core of the session: up to the 発展 levels (those are for children who finish early)
    end = next(i for i, c in enumerate(session.cells)
               if c.cell_type == "markdown" and c.source.lstrip().startswith("## もっとやってみよう"))
    code = [i for i in range(end) if session.cells[i].cell_type == "code"]
    told = [i for i in code if re.match(r"\s*(run|tell)\(board", session.cells[i].source)]
    heart = next(i for i in told if "display.show(Image.HEART)" in session.cells[i].source)

    page.goto(lab.url(START_PAGE))  # the URL chiiki-iot lab prints
    # the start page lists the session as a link (by its accessible name: what a screen reader says)
    link = page.get_by_role("link", name=f"{path.split('/')[-2][:2]} {session.metadata['chiiki_club']['title']}",
                            exact=True)
    expect(link).to_be_visible()
    for _ in range(page.get_by_role("link").count() + 40):  # every link of the page, and JupyterLab's own stops
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    expect(link, "Tab never reached the session's link on the start page").to_be_focused()
    page.keyboard.press("Enter")

    panel = notebook_on_show(page, CLUB_SESSION)
    cells = panel.locator(".jp-Notebook .jp-Cell")
    expect(cells).to_have_count(len(session.cells))
    # the keys go to the notebook: it has the focus (command mode)
    expect(panel.locator(".jp-Notebook:focus-within"), "the opened session does not have the keyboard focus"
           ).to_have_count(1)

    for i in range(end):  # Shift+Enter runs the current cell and moves on, as the session's cover says
        expect(cells.nth(i)).to_have_class(re.compile(r"\bjp-mod-active\b"))
        page.keyboard.press("Shift+Enter")
        if i in code:  # a child waits for the answer before the next cell
            expect(cells.nth(i).locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"))
    expect(cells.nth(end)).to_have_class(re.compile(r"\bjp-mod-active\b"))

    # text_content: cells scrolled out of view are not rendered (content-visibility), so they have no innerText
    counts = [int(re.search(r"\d+", cells.nth(i).locator(".jp-InputPrompt").text_content()).group())
              for i in code]
    assert counts == sorted(set(counts)), f"the code cells did not run once each, in order: {counts}"
    outputs = panel.locator(".jp-Notebook .jp-OutputArea-output")
    expect(outputs.and_(page.locator('[data-mime-type="application/vnd.jupyter.stderr"]'))).to_have_count(0)
    expect(panel.locator(".jp-Notebook .jp-OutputArea").filter(has_text="うまく 動きませんでした")).to_have_count(0)

    # the accessibility tree (what a screen reader reads) has the board in words under each cell that changed it
    for i in told:
        expect(cells.nth(i).locator(".jp-OutputArea"),
               f"cell {i} ({session.cells[i].source.strip()[:40]}…) does not say the board in words"
               ).to_match_aria_snapshot(f"- text: /{BOARD_IN_WORDS.pattern}/")
    expect(cells.nth(heart).locator(".jp-OutputArea"), "after the heart, a screen reader does not hear the heart"
           ).to_match_aria_snapshot(f"- text: /{HEART_IN_WORDS.pattern}/")
