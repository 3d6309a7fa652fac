"""Warm starts for autograding: one sandboxed zygote per kind (kernel, judge) and assignment, per grading process.

Starting a learner's kernel and the judge costs about a second of CPU each, nearly all of it
importing ipykernel, IPython, pandas, matplotlib and the toolkit, the same for every learner.
A zygote (``zygote``) imports them once inside its sandbox and forks a fresh child for each
notebook; the grader cleans the sandbox between learners. This module keeps those zygotes
(at most one of each kind, for the assignment being graded) and talks to them.

When a zygote cannot be used (it did not start, it started threads while importing, it died,
or a clean left a process behind) ``zygote_for`` returns None and the caller starts its
process the ordinary way: warm starts only ever save time, never change what is graded.
"""
from __future__ import annotations

import ast
import atexit
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .sandbox import Sandbox

KERNEL, JUDGE = "kernel", "judge"
# what every kernel or judge imports, whatever the notebook
BASE_MODULES = {KERNEL: ["ipykernel.kernelapp", "ipykernel.ipkernel", "matplotlib_inline.backend_inline"],
                JUDGE: ["IPython.core.interactiveshell", "IPython.utils.capture", "chiiki_iot.classroom.judge"]}
BACKEND = {KERNEL: "module://matplotlib_inline.backend_inline", JUDGE: "Agg"}
START_TIMEOUT_S = 120


class ZygoteUnavailable(RuntimeError):
    pass


def setup_imports(sources: list[str]) -> list[str]:
    """Top-level modules the given (course) cells import, that this environment has."""
    found: list[str] = []
    for source in sources:
        try:
            from IPython.core.inputtransformer2 import TransformerManager

            tree = ast.parse(TransformerManager().transform_cell(source))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            for name in names:
                if name not in found and _importable(name):
                    found.append(name)
    return found


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


class ZygoteProcess:
    """One zygote: its sandbox, its protocol pipes, and where the grader reaches its folders."""

    def __init__(self, sandbox: Sandbox, kind: str, assignment: str, modules: list[str],
                 read_only: dict[str, Path] | None, inside_home: Path):
        from .kernel import INSIDE_IPC, _child_pid

        self.kind = kind
        self.key: tuple = ()
        self.workdir_inside = inside_home / assignment
        self.ipc_inside = INSIDE_IPC
        self.folder = Path(tempfile.mkdtemp(prefix=f"chiiki-iot-zygote-{kind}-"))
        empty = self.folder / "empty"
        empty.mkdir()
        self.lock = threading.Lock()
        self.forks = 0
        info_read, info_write = os.pipe()
        env = {**sandbox.kernel_env(), "MPLBACKEND": BACKEND[kind]}
        command = sandbox.wrap([sys.executable, "-I", "-m", "chiiki_iot.classroom.zygote", kind, *modules],
                               workdir=self.workdir_inside, inputs=empty, ipc=INSIDE_IPC, info_fd=info_write,
                               env=env, read_only_in_workdir=read_only)
        try:
            self.proc = subprocess.Popen(command, cwd=self.folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, pass_fds=(info_write,), text=True,
                                         encoding="utf-8")
        finally:
            os.close(info_write)
        pid = _child_pid(info_read)
        if pid is None:
            self.stop()
            raise ZygoteUnavailable("bwrap did not start the zygote's sandbox")
        self.sandbox_pid = pid
        self.root = Path(f"/proc/{pid}/root")
        ready = self._read(START_TIMEOUT_S)
        if not ready.get("ready") or ready.get("threads", 1) != 1:
            self.stop()
            raise ZygoteUnavailable(f"the zygote is not ready to fork: {ready}")

    # -- protocol ---------------------------------------------------------------------
    def _read(self, timeout: float) -> dict:
        import select

        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            raise ZygoteUnavailable("the zygote did not answer")
        return json.loads(line)

    def request(self, message: dict, timeout: float = 60) -> dict:
        with self.lock:
            if self.proc.poll() is not None:
                raise ZygoteUnavailable("the zygote has stopped")
            try:
                self.proc.stdin.write(json.dumps(message) + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                raise ZygoteUnavailable(f"the zygote has stopped ({e})") from None
            return self._read(timeout)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    # -- what the grader does with it ---------------------------------------------------
    def outside(self, inside: Path) -> Path:
        """An inside path as the grader reaches it (through the sandbox's root)."""
        return self.root / Path(inside).relative_to("/")

    def clean(self) -> None:
        """Nothing of the previous learner is left: processes, files, IPC objects."""
        reply = self.request({"op": "clean", "paths": [str(self.workdir_inside), "/tmp", "/dev/shm",
                                                      str(self.ipc_inside)]})
        if reply.get("left"):
            raise ZygoteUnavailable(f"processes survived the clean: {reply['left']}")
        for d in ("/tmp/home", "/tmp/matplotlib", "/tmp/ipython"):   # what inside_sandbox made at start
            self.outside(Path(d)).mkdir(parents=True, exist_ok=True)

    def fork(self, **request) -> int:
        self.forks += 1
        return int(self.request({"op": "fork", "cwd": str(self.workdir_inside), **request})["pid"])

    def poll(self, pid: int) -> int | None:
        try:
            return self.request({"op": "poll", "pid": pid}, timeout=10)["returncode"]
        except ZygoteUnavailable:
            return -9   # the zygote is gone, and with it the sandbox and every child

    def signal(self, pid: int, signum: int) -> None:
        try:
            self.request({"op": "signal", "pid": pid, "signal": int(signum)}, timeout=10)
        except ZygoteUnavailable:
            pass

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()   # bwrap: the whole sandbox goes with it
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)


_POOL: dict[str, ZygoteProcess] = {}
_POOL_LOCK = threading.Lock()


def zygote_for(kind: str, assignment: str, modules: list[str], read_only: dict[str, Path] | None = None) -> ZygoteProcess | None:
    """This process's zygote of ``kind`` for ``assignment``, cleaned and ready to fork; None if none can be used."""
    from .judge_client import INSIDE_JUDGE
    from .kernel import INSIDE_HOME

    modules = [m for m in dict.fromkeys(BASE_MODULES[kind] + list(modules))]
    key = (kind, assignment, tuple(modules), tuple(sorted((read_only or {}).items())))
    with _POOL_LOCK:
        zygote = _POOL.get(kind)
        if zygote is not None and (zygote.key != key or not zygote.alive):
            _POOL.pop(kind).stop()
            zygote = None
        try:
            if zygote is None:
                zygote = ZygoteProcess(Sandbox.find(), kind, assignment, modules, read_only,
                                       INSIDE_HOME if kind == KERNEL else INSIDE_JUDGE)
                zygote.key = key
                _POOL[kind] = zygote
            zygote.clean()
            return zygote
        except (ZygoteUnavailable, OSError, ValueError):
            if zygote is not None:
                zygote.stop()
            _POOL.pop(kind, None)
            return None


@atexit.register
def stop_all() -> None:
    with _POOL_LOCK:
        for zygote in _POOL.values():
            zygote.stop()
        _POOL.clear()
