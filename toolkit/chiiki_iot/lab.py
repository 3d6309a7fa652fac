"""``chiiki-iot lab``: JupyterLab on the curriculum, with the Japanese UI.

Learners get the workspace (release versions, no solutions); trainers with
``--trainer`` get ``courses/`` itself (solutions, hidden tests, trainer notes).

Each launch is configured for its mode, without touching ``~/.jupyter``: command-line
options, and a per-mode configuration folder put first on ``JUPYTER_CONFIG_PATH``.

============================  ===========================================  =====================================
                              learner                                      trainer (``--trainer``)
============================  ===========================================  =====================================
opens                         ``はじめに.md`` (rendered), in the workspace  ``courses/``
nbgrader's tools              off (lab plugins and server extensions)      on
Markdown opens as             the rendered preview                         JupyterLab's default
saving a notebook             as it is                                     in stored form (``stored_form``)
on screen                     —                                  a 講師用（解答つき） banner
layout, config, log           ``<workspace>/.chiiki_iot/``                 ``<jupyter data dir>/chiiki_iot/trainer/``
============================  ===========================================  =====================================

JupyterLab's own (English) log goes to ``jupyterlab.log`` there; the terminal shows only
the Japanese lines (and, if JupyterLab cannot start, the end of its log).
"""
from __future__ import annotations

import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import psutil

from .checks.marks import NG
from .checks.python_errors import enable_in_kernels
from .curriculum.modules import courses_root, repo_root
from .curriculum.start_page import FILE_NAME as START_PAGE
from .curriculum.workspace import prepare

TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"
# nbgrader's instructor and course tools: they need an nbgrader course, which a learner workspace is not
NBGRADER_LAB_PLUGINS = ("@jupyter/nbgrader", "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                        "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:create-assignment",
                        "@jupyter/nbgrader:validate-assignment", "@jupyter/nbgrader:menu")
NBGRADER_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.validate_assignment",
                              "nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list")
# learner mode: Markdown (the start page, the glossary, the hardware pages) opens rendered
LEARNER_SETTINGS = {"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}}}
TRAINER_BANNER = "講師用（解答つき）"
TRAINER_BANNER_CSS = f"""/* chiiki-iot lab --trainer: this JupyterLab shows solutions and hidden tests */
body::after {{
  content: "{TRAINER_BANNER}";
  position: fixed; top: 0; left: 50%; transform: translateX(-50%); z-index: 100000;
  padding: 2px 14px; border-radius: 0 0 6px 6px; pointer-events: none;
  background: #b3261e; color: #ffffff; font-size: 13px; font-weight: bold;
}}
"""
LOG_NAME = "jupyterlab.log"
FAILURE_LINES = 20
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


def trainer_state_dir() -> Path:
    """Trainer mode's JupyterLab layout, configuration and log: per user, never inside ``courses/``."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "chiiki_iot" / "trainer"


def learner_state_dir(workspace: Path) -> Path:
    """Learner mode's JupyterLab layout, configuration and log: a hidden folder of the workspace."""
    return Path(workspace) / ".chiiki_iot"


def workspaces_dir(state: Path, trainer: bool) -> Path:
    """Where JupyterLab keeps this mode's layout (open tabs): learner and trainer never restore each other's.

    ``JUPYTERLAB_WORKSPACES_DIR``, when set, is honoured with one subfolder per mode.
    """
    chosen = os.environ.get("JUPYTERLAB_WORKSPACES_DIR")
    if chosen:
        return Path(chosen) / ("trainer" if trainer else "learner")
    return state / "workspaces"


def write_launch_config(config_dir: Path, trainer: bool) -> None:
    """The per-launch Jupyter configuration folder (put first on ``JUPYTER_CONFIG_PATH``; ``~/.jupyter`` is left alone).

    Learner mode: nbgrader's JupyterLab plugins disabled (``labconfig/page_config.json``) and
    Markdown opened rendered (``labconfig/default_setting_overrides.json``). Trainer mode: the
    講師用 banner (``custom/custom.css``, served by ``--LabApp.custom_css``).
    """
    if config_dir.exists():
        shutil.rmtree(config_dir)
    labconfig = config_dir / "labconfig"
    labconfig.mkdir(parents=True)
    if trainer:
        css = config_dir / "custom" / "custom.css"
        css.parent.mkdir()
        css.write_text(trainer_css(), encoding="utf-8")
    else:
        _write_json(labconfig / "page_config.json",
                    {"disabledExtensions": {name: True for name in NBGRADER_LAB_PLUGINS}})
        _write_json(labconfig / "default_setting_overrides.json", LEARNER_SETTINGS)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def trainer_css() -> str:
    """The trainer banner, after the user's own ``custom.css`` (JupyterLab serves only one)."""
    from jupyter_core.paths import jupyter_config_dir

    own = Path(jupyter_config_dir()) / "custom" / "custom.css"
    mine = own.read_text(encoding="utf-8", errors="replace") + "\n" if own.is_file() else ""
    return '@charset "UTF-8";\n' + mine + TRAINER_BANNER_CSS


def lab_command(root: Path, trainer: bool, state: Path, port: int | None = None, open_browser: bool = True,
                extra: list[str] | None = None) -> tuple[list[str], dict]:
    """The JupyterLab command line and environment of one launch (configuration written under ``state``)."""
    config_dir = state / "jupyter_config"
    write_launch_config(config_dir, trainer)
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [str(config_dir), os.environ.get("JUPYTER_CONFIG_PATH")]))
    args = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}",
            f"--LabApp.workspaces_dir={workspaces_dir(state, trainer)}"]
    if trainer:
        # a course notebook is saved in its stored form: opening or running it changes no file
        args += ["--ContentsManager.pre_save_hook=chiiki_iot.curriculum.stored_form.pre_save_hook",
                 "--LabApp.custom_css=True",
                 "--ServerApp.tornado_settings=" + repr({"static_custom_path": [str(config_dir / "custom")]})]
    else:
        # the learner workspace is not an nbgrader course: its instructor tools only fail there
        args.append("--ServerApp.jpserver_extensions=" + repr({name: False for name in NBGRADER_SERVER_EXTENSIONS}))
        start = "/lab/tree/" + quote(START_PAGE)
        args += [f"--LabApp.default_url={start}", f"--ServerApp.default_url={start}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # containers and hub images often run as root; Jupyter refuses that unless asked
        args.append("--allow-root")
    if port is not None:
        args.append(f"--port={port}")
    if not open_browser:
        args.append("--no-browser")
    return args + (extra or []), env


def run(trainer: bool = False, workspace: Path | None = None, port: int | None = None,
        open_browser: bool = True, extra: list[str] | None = None, courses: Path | None = None) -> int:
    """Start JupyterLab and print its URL in Japanese; return its exit code.

    JupyterLab's own (English) log goes to a file; the terminal shows only what a learner needs.
    """
    set_japanese_ui_default()
    enable_in_kernels()  # Japanese help for errors from the first cell on, set-up cell run or not
    if trainer:
        root = Path(courses) if courses else courses_root()
        state = trainer_state_dir()
        print(f"講師用モード: {root} を開きます（解答・隠しテスト・講師ノートを含みます。学習者には見せないでください）。")
    else:
        root = Path(workspace) if workspace else default_workspace()
        state = learner_state_dir(root)
        print(f"学習用フォルダを準備しています: {root}", flush=True)
        report = prepare(root)
        if report.moved:
            print(f"  フォルダの並びが新しくなったため、{len(report.moved)} 個のファイルを courses フォルダの中へ移しました"
                  "（中身はそのままです）。")
        if report.added:
            print(f"  新しく {len(report.added)} 個のファイルを置きました。")
        for p in report.updated_beside:
            print(f"  更新版があります: {p.name}（あなたのファイルはそのままです）")
        for assignment in report.failed:
            print(f"  {assignment} は配布版を作れなかったため、置いていません。講師に知らせてください"
                  f"（講師は chiiki-iot check-notebooks で原因を確かめられます）。")
    state.mkdir(parents=True, exist_ok=True)
    log_path = state / LOG_NAME
    args, env = lab_command(root, trainer, state, port, open_browser, extra)
    print("JupyterLab を起動しています（少しお待ちください）…", flush=True)
    with stop_signals_raise() as signals, open(log_path, "w", encoding="utf-8", errors="replace") as log:
        proc = None
        try:
            # its own session: Ctrl+C and a closing terminal reach only us, and we stop it in order
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, bufsize=1, start_new_session=True, env=env)
            signals.arm()  # a stop signal that came while it was starting takes effect now
            announced = False
            recent: collections.deque[str] = collections.deque(maxlen=FAILURE_LINES)
            for line in proc.stdout:
                log.write(line)
                log.flush()
                recent.append(line)
                match = URL.search(line)
                if match and not announced:
                    announced = True
                    print(f"\nJupyterLab を起動しました。ブラウザでこのURLを開いてください:\n  {match.group(1)}\n"
                          "終了するには、この画面で Ctrl+C を押します。\n"
                          f"（JupyterLab の記録は {log_path} に書いています。困ったときは講師に見せてください）\n",
                          flush=True)
            code = proc.wait()
            if not announced:
                _explain_failure(code, recent, log_path)
            return code
        except (KeyboardInterrupt, StopRequested):
            with ignoring_stop_signals():
                if proc is not None:
                    _say("JupyterLab を終了しています（開いているノートブックのカーネルと仮想キットも止めます）…")
                    stop_tree(proc, sink=log)
                _say("JupyterLab を終了しました。")
            return 0
        except BaseException:
            if proc is not None:
                with ignoring_stop_signals():
                    stop_tree(proc, sink=log)
            raise


def _explain_failure(code: int, recent, log_path: Path) -> None:
    """JupyterLab ended before it was ready: say so in Japanese, with the end of its log."""
    print(f"\n{NG} JupyterLab を起動できませんでした（終了コード {code}）。", flush=True)
    print("よくある原因: 同じポート番号をほかのプログラムが使っている、フォルダに書き込めない、"
          "インストールが途中で止まっている、など。", flush=True)
    print(f"JupyterLab の記録の最後の部分です（全体は {log_path}）:", flush=True)
    for line in recent:
        print("  | " + line.rstrip("\n"), flush=True)
    print("解決しないときは、この画面の内容を講師に見せてください。", flush=True)


def _say(text: str) -> None:
    """Print, unless the terminal is gone (SIGHUP: the window was closed)."""
    try:
        print(text, flush=True)
    except OSError:
        pass


def _drain(stream, sink) -> None:
    """Keep JupyterLab's shutdown log flowing into ``sink`` (a full pipe would stall its shutdown)."""
    try:
        for line in stream:
            try:
                sink.write(line)
                sink.flush()
            except (OSError, ValueError):
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
              leftover_seconds: float = LEFTOVER_SECONDS, sink=None) -> None:
    """End JupyterLab (SIGTERM: it shuts its kernels down), then whatever of its tree is left.

    The tree (kernels, the virtual boards they started, terminals) is taken before JupyterLab
    ends, since its children then lose their parent. Bounded: at most about
    ``shutdown_seconds + leftover_seconds`` plus a few seconds for SIGKILL. What JupyterLab
    still writes goes to ``sink`` (default: stderr).
    """
    try:
        tree = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        tree = []
    drain = None
    if proc.stdout is not None and not proc.stdout.closed:
        drain = threading.Thread(target=_drain, args=(proc.stdout, sink or sys.stderr), name="jupyterlab-log",
                                 daemon=True)
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
