"""``chiiki-iot lab``: JupyterLab on the curriculum, with the Japanese UI.

Learners get the workspace (release versions, no solutions); trainers with
``--trainer`` get ``courses/`` itself (solutions, hidden tests, trainer notes).
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import psutil

from .curriculum.modules import courses_root, repo_root
from .curriculum.workspace import prepare

TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"
URL = re.compile(r"(https?://(?:127\.0\.0\.1|localhost)\S*/lab\S*)")
# SIGTERM (kill, systemd, the desktop logging out) and SIGHUP (the terminal window closed)
# stop JupyterLab as Ctrl+C does.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
# JupyterLab asks its kernels to shut down, waits up to 5 s each, then kills them.
SHUTDOWN_SECONDS = 30
# what JupyterLab's shutdown leaves (a kernel's virtual board) gets this long, then is killed
LEFTOVER_SECONDS = 3


class StopRequested(Exception):
    """A stop signal arrived (SIGTERM, SIGHUP): end JupyterLab as for Ctrl+C."""


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
    with stop_signals_raise() as signals:
        proc = None
        try:
            # its own session: Ctrl+C and a closing terminal reach only us, and we stop it in order
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, bufsize=1, start_new_session=True)
            signals.arm()  # a stop signal that came while it was starting takes effect now
            announced = False
            for line in proc.stdout:
                sys.stderr.write(line)
                match = URL.search(line)
                if match and not announced:
                    announced = True
                    print(f"\nJupyterLab を起動しました。ブラウザでこのURLを開いてください:\n  {match.group(1)}\n"
                          "終了するには、この画面で Ctrl+C を押します。\n", flush=True)
            return proc.wait()
        except (KeyboardInterrupt, StopRequested):
            with ignoring_stop_signals():
                if proc is not None:
                    _say("JupyterLab を終了しています（開いているノートブックのカーネルと仮想キットも止めます）…")
                    stop_tree(proc)
                _say("JupyterLab を終了しました。")
            return 0
        except BaseException:
            if proc is not None:
                with ignoring_stop_signals():
                    stop_tree(proc)
            raise


def _say(text: str) -> None:
    """Print, unless the terminal is gone (SIGHUP: the window was closed)."""
    try:
        print(text, flush=True)
    except OSError:
        pass


def _drain(stream) -> None:
    """Keep JupyterLab's shutdown log flowing (a full pipe would stall its shutdown)."""
    try:
        for line in stream:
            try:
                sys.stderr.write(line)
            except OSError:
                pass
    except (OSError, ValueError):
        pass


class stop_signals_raise:
    """Within the block, SIGTERM and SIGHUP raise ``StopRequested``, Ctrl+C ``KeyboardInterrupt`` (main thread only).

    Until ``arm()`` (JupyterLab started and its handle kept), a signal is only noted, so
    that no JupyterLab can start unseen; ``arm()`` raises it then.
    """

    def __enter__(self):
        self.previous = {}
        self.armed = False
        self.pending = None
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, *STOP_SIGNALS):
                if signum == signal.SIGINT and signal.getsignal(signum) is not signal.default_int_handler:
                    continue  # Ctrl+C ignored (started in the background) or handled by the caller
                self.previous[signum] = signal.signal(signum, self._on_signal)
        return self

    def _on_signal(self, signum, frame):
        if not self.armed:
            self.pending = signum
            return
        self._raise(signum)

    @staticmethod
    def _raise(signum):
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise StopRequested(signum)

    def arm(self) -> None:
        self.armed = True
        if self.pending is not None:
            self._raise(self.pending)

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        return False


class ignoring_stop_signals:
    """While JupyterLab shuts down, a second Ctrl+C or SIGTERM does not cut the shutdown short."""

    def __enter__(self):
        self.previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, *STOP_SIGNALS):
                self.previous[signum] = signal.signal(signum, signal.SIG_IGN)
        return self

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        return False


def stop_tree(proc: subprocess.Popen, shutdown_seconds: float = SHUTDOWN_SECONDS,
              leftover_seconds: float = LEFTOVER_SECONDS) -> None:
    """End JupyterLab (SIGTERM: it shuts its kernels down), then whatever of its tree is left.

    The tree (kernels, the virtual boards they started, terminals) is taken before JupyterLab
    ends, since its children then lose their parent. Bounded: at most about
    ``shutdown_seconds + leftover_seconds`` plus a few seconds for SIGKILL.
    """
    try:
        tree = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        tree = []
    drain = None
    if proc.stdout is not None and not proc.stdout.closed:
        drain = threading.Thread(target=_drain, args=(proc.stdout,), name="jupyterlab-log", daemon=True)
        drain.start()
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=shutdown_seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    kill_leftovers(tree, leftover_seconds)
    if drain is not None:
        drain.join(timeout=5)  # at EOF once JupyterLab and its kernels (which share the pipe) are gone


def kill_leftovers(procs: list[psutil.Process], grace_seconds: float) -> None:
    """Give ``procs`` ``grace_seconds`` to end by themselves, then kill those still running."""
    _, alive = psutil.wait_procs(procs, timeout=grace_seconds)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=10)
