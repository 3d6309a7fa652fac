"""`chiiki-iot lab` and the learner workspace, with a real JupyterLab server on loopback."""
from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest

from chiiki_iot.curriculum.modules import Module
from chiiki_iot.curriculum.workspace import module_dir, prepare

from conftest import MODULES, REPO


LAB_URL = re.compile(r"^\s*(http://localhost:(\d+)/lab\S*\?token=(\S+))\s*$")


class Lab:
    """``chiiki-iot lab --port 0`` (the server picks a free port and prints it in its URL).

    ``out`` collects all it writes to the terminal (stdout and stderr). ``options``: more
    arguments (``--trainer``, ``--courses``); ``env``: more environment variables.
    """

    def __init__(self, workspace, options=(), env=None):
        # started as a terminal starts a command, with Ctrl+C (SIGINT) at its default: a test run
        # started with SIGINT ignored (a background job) would pass that on, and the lab, as
        # Python does, keeps an ignored SIGINT ignored (see lab.stop_signals_raise)
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # reset to default in the child
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "chiiki_iot.cli", "lab", "--no-browser", "--port", "0",
                                          "--workspace", str(workspace), *options],
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                         env={**os.environ, **(env or {})})
        finally:
            signal.signal(signal.SIGINT, previous)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.out: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.port = self.token = None
        deadline = time.monotonic() + 120
        while self.url is None:
            assert time.monotonic() < deadline, "no URL was printed within 120 s"
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            assert line is not None, f"chiiki-iot lab exited before printing its URL: {self.out}"
            match = LAB_URL.match(line)
            if match:
                self.url, self.port, self.token = match.group(1), int(match.group(2)), match.group(3)
        self.base = f"http://localhost:{self.port}"

    def _read(self):
        for line in self.proc.stdout:
            self.out.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def tree(self) -> list[psutil.Process]:
        """chiiki-iot lab and every process under it."""
        me = psutil.Process(self.proc.pid)
        return [me, *me.children(recursive=True)]

    def api(self, path, method="GET", data=None):
        body = json.dumps(data).encode() if data is not None else None
        req = urllib.request.Request(f"{self.base}/api/{path}?token={self.token}", data=body, method=method,
                                     headers={"Content-Type": "application/json"})
        with get_when_up(req) as resp:
            return json.load(resp)

    def run_in_new_kernel(self, code: str) -> None:
        """Start a kernel through the REST API and run ``code`` in it (Jupyter messaging over its websocket)."""
        import websocket

        kernel = self.api("kernels", "POST", {})
        ws = websocket.create_connection(f"ws://localhost:{self.port}/api/kernels/{kernel['id']}/channels"
                                         f"?token={self.token}", timeout=120)
        try:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                           "session": uuid.uuid4().hex, "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            while True:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") == msg_id and msg["msg_type"] == "execute_reply":
                    assert msg["content"]["status"] == "ok", msg["content"]
                    return
        finally:
            ws.close()

    def stop(self):
        """Finalizer: whatever a test did, nothing of this lab stays."""
        if self.proc.poll() is None:
            tree = self.tree()
            self.proc.terminate()
            _, alive = psutil.wait_procs(tree, timeout=60)
            for p in alive:
                p.kill()
            psutil.wait_procs(alive, timeout=10)
        self.proc.wait(timeout=10)


@pytest.fixture
def lab(tmp_path):
    started = []

    def start(workspace=None, options=(), env=None):
        started.append(Lab(workspace or tmp_path / "ws", options, env))
        return started[-1]

    yield start
    for one in started:
        one.stop()


def port_is_free(port: int) -> bool:
    """Nothing listens on ``port`` (connections in TIME_WAIT do not count)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def get_when_up(url, seconds=30):
    """The server logs its URL a moment before it accepts connections: retry briefly."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return urllib.request.urlopen(url, timeout=30)
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_help_is_in_japanese_and_english():
    out = subprocess.run([sys.executable, "-m", "chiiki_iot.cli", "lab", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "日本語の画面" in out and "Japanese UI" in out and "--trainer" in out


def test_lab_starts_with_japanese_ui_and_prints_url(tmp_path, lab):
    server = lab(tmp_path / "ws")
    api = f"{server.base}/lab/api"
    settings = json.load(get_when_up(f"{api}/settings/@jupyterlab/translation-extension:plugin?token={server.token}"))
    assert settings["schema"]["properties"]["locale"]["default"] == "ja_JP"
    pack = json.load(urllib.request.urlopen(f"{api}/translations/ja_JP?token={server.token}", timeout=30))
    assert pack["data"]["jupyterlab"][""]["language"] == "ja-JP"
    server.stop()
    released = nbformat.read(module_dir(tmp_path / "ws", MODULES[0]) / MODULES[0].main_notebook.name,
                             as_version=4)
    assert "BEGIN SOLUTION" not in "".join(c.source for c in released.cells)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "Ctrl+C"])
def test_a_stop_signal_ends_jupyterlab_its_kernels_and_their_virtual_boards(lab, signum):
    """``kill <pid of chiiki-iot lab>``, closing its terminal or Ctrl+C: nothing is left behind."""
    server = lab()
    server.run_in_new_kernel("from chiiki_iot.kit.virtual import VirtualKit\n"
                             "kit = VirtualKit('microbit_v2', speed=0)")
    tree = server.tree()
    names = " ".join(" ".join(p.cmdline()) for p in tree)
    assert "jupyterlab" in names and "ipykernel" in names and "micropython" in names.lower(), names

    os.kill(server.proc.pid, signum)  # to chiiki-iot only, not to its process group
    assert server.proc.wait(timeout=90) == 0
    gone, alive = psutil.wait_procs(tree, timeout=30)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], \
        f"still running after {signal.Signals(signum).name}: {[(p.pid, p.cmdline()) for p in alive]}"
    assert port_is_free(server.port), f"port {server.port} is still taken"
    deadline = time.monotonic() + 10
    while server.lines.get(timeout=max(0.1, deadline - time.monotonic())) is not None:
        pass
    assert "JupyterLab を終了しました。" in "".join(server.out)


def test_workspace_never_overwrites_the_learners_work(tmp_path):
    courses = tmp_path / "courses"
    src = MODULES[0]
    shutil.copytree(src.path, courses / src.course / src.name)
    module = Module(src.course, courses / src.course / src.name)
    ws = tmp_path / "ws"
    report = prepare(ws, [module])
    mine = module_dir(ws, module) / module.main_notebook.name
    assert mine in report.added
    assert not (module_dir(ws, module) / "trainer_notes.md").exists()

    nb = nbformat.read(mine, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("わたしのメモ"))
    nbformat.write(nb, mine)
    assert prepare(ws, [module]).added == []  # unchanged module: nothing to do

    source = nbformat.read(module.main_notebook, as_version=4)
    source.cells.append(nbformat.v4.new_markdown_cell("教材の更新"))
    nbformat.write(source, module.main_notebook)
    report = prepare(ws, [module])
    assert "わたしのメモ" in mine.read_text(encoding="utf-8")
    assert [p.name for p in report.updated_beside] == [mine.stem + ".new.ipynb"]
    assert "教材の更新" in (mine.parent / (mine.stem + ".new.ipynb")).read_text(encoding="utf-8")


def test_a_broken_module_does_not_keep_the_others_from_the_learner(tmp_path):
    courses = tmp_path / "courses"
    good = MODULES[0]
    shutil.copytree(good.path, courses / good.course / good.name)
    broken_dir = courses / good.course / "99_broken"
    broken_dir.mkdir()
    (broken_dir / "99_broken.ipynb").write_text("{ not a notebook", encoding="utf-8")
    modules = [Module(good.course, courses / good.course / good.name), Module(good.course, broken_dir)]
    report = prepare(tmp_path / "ws", modules)
    assert list(report.failed) == [modules[1].assignment_id]
    assert (module_dir(tmp_path / "ws", modules[0]) / good.main_notebook.name) in report.added


def page_config(server) -> dict:
    """The page config JupyterLab puts into its page (what the browser app starts from)."""
    html = get_when_up(f"{server.base}/lab?token={server.token}").read().decode("utf-8")
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def custom_css(server) -> str | None:
    try:
        return urllib.request.urlopen(f"{server.base}/custom/custom.css?token={server.token}", timeout=30).read() \
            .decode("utf-8")
    except urllib.error.HTTPError as e:
        assert e.code == 404
        return None


KERNEL_LANGUAGE_INFO = {"name": "python", "version": "3.11.7", "mimetype": "text/x-python",
                        "file_extension": ".py", "codemirror_mode": {"name": "ipython", "version": 3},
                        "pygments_lexer": "ipython3", "nbconvert_exporter": "python"}


def test_trainer_mode_saves_an_opened_course_notebook_unchanged_and_shows_the_trainer_marker(tmp_path, lab):
    """Opening a course notebook fills its metadata; the save that follows leaves the file under courses/ as it was."""
    courses = tmp_path / "courses"
    src = MODULES[1]
    shutil.copytree(src.path, courses / src.course / src.name)
    notebook = courses / src.course / src.name / src.main_notebook.name
    before = notebook.read_bytes()
    server = lab(options=["--trainer", "--courses", str(courses)], env={"JUPYTER_DATA_DIR": str(tmp_path / "data")})

    path = f"contents/{src.course}/{src.name}/{notebook.name}"
    model = server.api(path)
    nb = model["content"]
    nb["metadata"]["language_info"] = KERNEL_LANGUAGE_INFO  # as the kernel reports it on opening
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                                "version_minor": 0}}
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "実行した\n"}]
    code["execution_count"] = 1
    code["metadata"]["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00.000Z"}
    server.api(path, "PUT", {"type": "notebook", "format": "json", "content": nb})
    assert notebook.read_bytes() == before, "the save wrote what the kernel and the run filled in into courses/"

    nb["cells"][0]["source"] += "\n講師の追記"  # a real edit is kept
    server.api(path, "PUT", {"type": "notebook", "format": "json", "content": nb})
    assert "講師の追記" in notebook.read_text(encoding="utf-8")
    assert "iopub.status.busy" not in notebook.read_text(encoding="utf-8")

    config = page_config(server)
    assert not [p for p in config["disabledExtensions"] if "nbgrader" in p]
    assert "講師用" in (custom_css(server) or "")
    assert not Path(config["workspacesDir"]).is_relative_to(courses)


def test_learner_mode_is_quiet_japanese_without_nbgrader_tools_and_opens_the_start_page(tmp_path, lab):
    ws = tmp_path / "ws"
    server = lab(ws)
    config = page_config(server)
    disabled = set(config["disabledExtensions"])
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:assignment-list",
            "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:validate-assignment"} <= disabled
    with pytest.raises(urllib.error.HTTPError):  # the formgrader's server extension is not loaded
        urllib.request.urlopen(f"{server.base}/formgrader?token={server.token}", timeout=30)
    assert custom_css(server) is None or "講師用" not in custom_css(server)
    assert Path(config["workspacesDir"]).is_relative_to(ws)
    viewers = json.load(get_when_up(f"{server.base}/lab/api/settings/@jupyterlab/docmanager-extension:plugin"
                                    f"?token={server.token}"))
    assert viewers["schema"]["properties"]["defaultViewers"]["default"] == {"markdown": "Markdown Preview"}
    assert "/lab/tree/" + urllib.parse.quote("はじめに.md") in server.url
    assert (ws / "はじめに.md").is_file()

    server.stop()
    out = "".join(server.out)
    assert server.url in out
    english_log = [line for line in server.out if re.match(r"\s*\[[IWEC] \d|.*(ServerApp|LabApp)\]", line)]
    assert not english_log, f"server log lines on the terminal: {english_log[:5]}"
    assert "[I " in (ws / ".chiiki_iot" / "jupyterlab.log").read_text(encoding="utf-8")


def test_a_failed_start_is_explained_in_japanese_with_the_end_of_the_log(tmp_path):
    out = subprocess.run([sys.executable, "-m", "chiiki_iot.cli", "lab", "--no-browser", "--port", "0",
                          "--workspace", str(tmp_path / "ws"), "--trainer", "--courses", str(tmp_path / "nowhere")],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "JUPYTER_DATA_DIR": str(tmp_path / "data")})
    assert out.returncode != 0
    assert "JupyterLab を起動できませんでした" in out.stdout
    assert "  | " in out.stdout  # the last log lines, marked off
