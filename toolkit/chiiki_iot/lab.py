"""``chiiki-iot lab``: JupyterLab on the curriculum, with the Japanese UI.

Learners get the workspace (release versions, no solutions); trainers with
``--trainer`` get ``courses/`` itself (solutions, hidden tests, trainer notes).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .curriculum.modules import courses_root, repo_root
from .curriculum.workspace import prepare

TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"
URL = re.compile(r"(https?://(?:127\.0\.0\.1|localhost)\S*/lab\S*)")


def default_workspace() -> Path:
    return repo_root() / "workspace"


def set_japanese_ui_default() -> Path:
    """Make ja_JP the default JupyterLab language of this environment (users can still switch).

    JupyterLab reads defaults from ``<prefix>/share/jupyter/lab/settings/overrides.json``.
    """
    path = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    overrides = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    overrides.setdefault(TRANSLATION_PLUGIN, {})["locale"] = "ja_JP"
    path.write_text(json.dumps(overrides, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def run(trainer: bool = False, workspace: Path | None = None, port: int | None = None,
        open_browser: bool = True, extra: list[str] | None = None) -> int:
    """Start JupyterLab and print its URL in Japanese; return its exit code."""
    set_japanese_ui_default()
    if trainer:
        root = courses_root()
        print(f"講師用モード: {root} を開きます（解答・隠しテスト・講師ノートを含みます。学習者には見せないでください）。")
    else:
        root = Path(workspace) if workspace else default_workspace()
        print(f"学習用フォルダを準備しています: {root}")
        report = prepare(root)
        if report.added:
            print(f"  新しく {len(report.added)} 個のファイルを置きました。")
        for p in report.updated_beside:
            print(f"  更新版があります: {p.name}（あなたのファイルはそのままです）")
        for assignment in report.failed:
            print(f"  {assignment} は配布版を作れなかったため、置いていません。講師に知らせてください"
                  f"（講師は chiiki-iot check-notebooks で原因を確かめられます）。")
    args = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"]
    if not trainer:
        # the learner workspace is not an nbgrader course: keep the formgrader out of it
        args.append("--ServerApp.jpserver_extensions=" + repr({"nbgrader.server_extensions.formgrader": False}))
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # containers and hub images often run as root; Jupyter refuses that unless asked
        args.append("--allow-root")
    if port is not None:
        args.append(f"--port={port}")
    if not open_browser:
        args.append("--no-browser")
    args += extra or []
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    announced = False
    try:
        for line in proc.stdout:
            sys.stderr.write(line)
            match = URL.search(line)
            if match and not announced:
                announced = True
                print(f"\nJupyterLab を起動しました。ブラウザでこのURLを開いてください:\n  {match.group(1)}\n"
                      "終了するには、この画面で Ctrl+C を押します。\n", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=30)
        print("JupyterLab を終了しました。")
        return 0
