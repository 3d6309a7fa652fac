"""`chiiki-iot lab` and the learner workspace, with a real JupyterLab server on loopback."""
from __future__ import annotations

import json
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import nbformat

from chiiki_iot.curriculum.modules import Module
from chiiki_iot.curriculum.workspace import prepare

from conftest import MODULES, REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def test_lab_starts_with_japanese_ui_and_prints_url(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "chiiki_iot.cli", "lab", "--no-browser", "--port", str(port),
                             "--workspace", str(tmp_path / "ws")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()
    try:
        url, deadline = None, time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                assert proc.poll() is None, "chiiki-iot lab exited before printing its URL"
                continue
            if line.strip().startswith(f"http://localhost:{port}/lab"):
                url = line.strip()
        assert url, "no URL was printed"
        token = url.split("token=")[1]
        api = url.split("/lab?")[0] + "/lab/api"
        settings = json.load(get_when_up(f"{api}/settings/@jupyterlab/translation-extension:plugin?token={token}"))
        assert settings["schema"]["properties"]["locale"]["default"] == "ja_JP"
        pack = json.load(urllib.request.urlopen(f"{api}/translations/ja_JP?token={token}", timeout=30))
        assert pack["data"]["jupyterlab"][""]["language"] == "ja-JP"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    released = nbformat.read(tmp_path / "ws" / MODULES[0].course / MODULES[0].name / MODULES[0].main_notebook.name,
                             as_version=4)
    assert "BEGIN SOLUTION" not in "".join(c.source for c in released.cells)


def test_workspace_never_overwrites_the_learners_work(tmp_path):
    courses = tmp_path / "courses"
    src = MODULES[0]
    shutil.copytree(src.path, courses / src.course / src.name)
    module = Module(src.course, courses / src.course / src.name)
    ws = tmp_path / "ws"
    report = prepare(ws, [module])
    mine = ws / module.course / module.name / module.main_notebook.name
    assert mine in report.added
    assert not (ws / module.course / module.name / "trainer_notes.md").exists()

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
    assert (tmp_path / "ws" / good.course / good.name / good.main_notebook.name) in report.added
