"""The grader's side of the judge: start it, feed it the course's code and the learner's answers.

``SafeExecute`` routes each code cell of a notebook it autogrades by its nbgrader role:

* a **test cell** (``grade`` and not ``solution``) runs only in the judge; its outputs there
  become the cell's outputs, which nbgrader scores;
* a **locked cell** (the set-up cells, restored from the gradebook) runs in the learner's
  kernel *and* in the judge, so the judge has the course's own imports, data and ``checks``;
* every **other cell** is the learner's: it runs only in the learner's kernel. Afterwards the
  names it bound that a later judge cell uses (and no locked cell defines) are carried to the
  judge as data (``answer_transfer``).

Files: the judge's working folder holds the course's own files of the assignment (from
``source/``), mounted read-only; before each test cell, files the learner's notebook made or
submitted are copied in, except those the course ships (a learner cannot replace the course's
data for the judge).
"""
from __future__ import annotations

import ast
import asyncio
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .sandbox import Sandbox

TEST, LOCKED, LEARNER = "test", "locked", "learner"
JUDGE_COMMAND = [sys.executable, "-I", "-m", "chiiki_iot.classroom.judge"]
INSIDE_JUDGE = Path("/home/judge")
MAX_LINE = 64 * 1024 * 1024          # one protocol message (a test's outputs, an answer)
MAX_SYNC_FILES = 2_000               # learner files copied to the judge before a test
MAX_SYNC_BYTES = 128 * 1024 * 1024

# Defined once in the learner's kernel: carry a named answer, or call a learner function, as data.
# ``answer_transfer`` is sent as source text, not imported there: a ``chiiki_iot`` folder among the
# learner's files would be imported instead of the toolkit (and would only spoil their own answers).
KERNEL_HELPERS = '''
_chiiki_iot_transfer = {{"__name__": "_chiiki_iot_transfer"}}
exec({source!r}, _chiiki_iot_transfer)

def _chiiki_iot_answer(name):
    return _chiiki_iot_transfer["encode"](get_ipython().user_ns[name], name=name)

def _chiiki_iot_call(name, payload):
    import base64, pickle
    args, kwargs = pickle.loads(base64.b64decode(payload))
    return _chiiki_iot_transfer["encode"](get_ipython().user_ns[name](*args, **kwargs))
'''


def kernel_helpers() -> str:
    from . import answer_transfer

    return KERNEL_HELPERS.format(source=Path(answer_transfer.__file__).read_text(encoding="utf-8"))


class JudgeFailed(RuntimeError):
    """The judge stopped, or did not answer in time (Japanese message: the trainer reads it in the report)."""


def cell_role(cell) -> str:
    info = cell.get("metadata", {}).get("nbgrader", {})
    if info.get("grade") and not info.get("solution"):
        return TEST
    if info.get("locked") and not info.get("solution"):
        return LOCKED
    return LEARNER


def _python(source: str) -> ast.Module | None:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def names_bound(source: str) -> set[str]:
    """Names a cell binds at module level (assignments, imports, defs, loops, ``with``, and
    names it changes in place: ``df["x"] = ...``, ``items.append(...)``)."""
    tree = _python(source)
    if tree is None:
        return set()
    bound: set[str] = set()

    def base(node):
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(base(node))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Attribute):
            bound.add(base(node.value.func.value))
        elif isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    bound.discard(None)
    return bound


def names_used(source: str) -> set[str]:
    tree = _python(source)
    if tree is None:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@dataclass
class NotebookPlan:
    """Which of the learner's names each learner cell hands to the judge."""

    roles: list[str]
    handed: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, nb) -> "NotebookPlan":
        roles = [cell_role(c) if c.cell_type == "code" else "" for c in nb.cells]
        locked_bound: set[str] = set()
        for cell, role in zip(nb.cells, roles):
            if role == LOCKED:
                locked_bound |= names_bound(cell.source)
        plan = cls(roles)
        needed: set[str] = set()
        for index in range(len(nb.cells) - 1, -1, -1):  # from the end: what later judge cells use
            cell, role = nb.cells[index], roles[index]
            if role in (TEST, LOCKED):
                needed |= names_used(cell.source)
            elif role == LEARNER:
                handed = sorted((names_bound(cell.source) & needed) - locked_bound)
                if handed:
                    plan.handed[index] = handed
        return plan


def course_file_map(folder: Path | None) -> dict[str, Path]:
    """The course's own files of an assignment (no notebooks, hidden files or links), by relative path."""
    found: dict[str, Path] = {}
    if folder is None or not Path(folder).is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink()]
        for name in filenames:
            path = here / name
            if not (name.startswith(".") or name.endswith(".ipynb") or path.is_symlink() or not path.is_file()):
                found[str(path.relative_to(folder))] = path
    return found


class JudgeProcess:
    """One judge for one notebook: forked by a warm zygote, or a sandboxed ``chiiki_iot.classroom.judge``."""

    def __init__(self, sandbox: Sandbox | None, course_files: Path | None, assignment: str, zygote=None):
        self.sandbox = sandbox
        self.course_files = course_files
        self.assignment = assignment
        self.zygote = zygote
        self.proc: asyncio.subprocess.Process | None = None
        self.reader: asyncio.StreamReader | None = None
        self.writer = None
        self.folder = Path(tempfile.mkdtemp(prefix="chiiki-iot-judge-"))
        files = course_file_map(course_files)
        self.trusted: set[Path] = {Path(rel) for rel in files}
        self.course_file_paths = files
        self.synced: dict[Path, tuple[int, int]] = {}
        self.workdir: Path | None = None   # the judge's working folder as the grader reaches it

    async def start(self) -> None:
        if self.zygote is not None:
            return await self._start_from_zygote()
        if self.sandbox is None:
            inputs = self.folder / "inputs"
            for rel, path in self.course_file_paths.items():
                (inputs / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, inputs / rel)
            inputs.mkdir(exist_ok=True)
            self.workdir = inputs
            self.proc = await asyncio.create_subprocess_exec(
                *JUDGE_COMMAND, cwd=inputs, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL, limit=MAX_LINE,
                env={**_plain_env(), "MPLBACKEND": "Agg"})
            self.reader, self.writer = self.proc.stdout, self.proc.stdin
            return
        from .kernel import INSIDE_IPC, _child_pid

        inside = INSIDE_JUDGE / self.assignment
        nothing = self.folder / "nothing"   # the working folder starts empty: course files are bound read-only
        nothing.mkdir()
        info_read, info_write = os.pipe()
        command = self.sandbox.wrap(JUDGE_COMMAND, workdir=inside, inputs=nothing, ipc=INSIDE_IPC,
                                    info_fd=info_write, env={**self.sandbox.kernel_env(), "MPLBACKEND": "Agg"},
                                    read_only_in_workdir=self.course_file_paths)
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *command, cwd=self.folder, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL, pass_fds=(info_write,), limit=MAX_LINE)
        finally:
            os.close(info_write)
        self.reader, self.writer = self.proc.stdout, self.proc.stdin
        pid = await asyncio.get_running_loop().run_in_executor(None, _child_pid, info_read)
        if pid is None:
            raise JudgeFailed("判定役の分離環境（bwrap）が起動しませんでした")
        self.workdir = Path(f"/proc/{pid}/root{inside}")

    async def _start_from_zygote(self) -> None:
        """A judge forked by the warm zygote (already cleaned), reached on a Unix socket in its sandbox."""
        socket_inside = self.zygote.ipc_inside / f"j{self.zygote.forks + 1}"
        env = {**self.zygote_env(), "MPLBACKEND": "Agg"}
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, lambda: self.zygote.fork(socket=str(socket_inside), env=env))
        self.reader, self.writer = await asyncio.open_unix_connection(str(self.zygote.outside(socket_inside)),
                                                                      limit=MAX_LINE)
        self.workdir = self.zygote.outside(self.zygote.workdir_inside)

    def zygote_env(self) -> dict[str, str]:
        return (self.sandbox or Sandbox.find()).kernel_env()

    async def request(self, message: dict, timeout: float, on_call=None) -> dict:
        """Send one request; serve the judge's calls of learner functions until its answer."""
        if self.writer is None or (self.proc is not None and self.proc.returncode is not None):
            raise JudgeFailed("判定役が動いていません")
        self.writer.write((json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8"))
        await self.writer.drain()
        while True:
            try:
                line = await asyncio.wait_for(self.reader.readline(), timeout)
            except (asyncio.TimeoutError, ValueError) as e:  # ValueError: a line over MAX_LINE
                raise JudgeFailed(f"判定役が時間内に答えませんでした（{type(e).__name__}）") from None
            if not line:
                raise JudgeFailed("判定役が途中で終了しました")
            reply = json.loads(line)
            if reply.get("op") != "call":
                return reply
            answer = await on_call(reply) if on_call else {"op": "raise", "ename": "RuntimeError", "evalue": ""}
            self.writer.write((json.dumps(answer, ensure_ascii=False) + "\n").encode("utf-8"))
            await self.writer.drain()

    def sync_from(self, learner_dir: Path | None) -> None:
        """Copy the learner's new or changed files (not the course's own, no links) into the judge."""
        if learner_dir is None or self.workdir is None:
            return
        count = size = 0
        for dirpath, dirnames, filenames in os.walk(learner_dir, followlinks=False):
            here = Path(dirpath)
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink()]
            for name in filenames:
                path = here / name
                rel = path.relative_to(learner_dir)
                if name.startswith(".") or name.endswith(".ipynb") or rel in self.trusted or path.is_symlink():
                    continue
                try:
                    stat = path.stat()
                except OSError:
                    continue
                count, size = count + 1, size + stat.st_size
                if count > MAX_SYNC_FILES or size > MAX_SYNC_BYTES:
                    return
                if self.synced.get(rel) == (stat.st_size, stat.st_mtime_ns) or not path.is_file():
                    continue
                target = self.workdir / rel
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
                except OSError:
                    continue
                self.synced[rel] = (stat.st_size, stat.st_mtime_ns)

    async def close(self) -> None:
        if self.writer is not None:
            try:
                self.writer.close()
            except (OSError, RuntimeError):
                pass
        if self.proc is not None and self.proc.returncode is None:
            try:
                await asyncio.wait_for(self.proc.wait(), 2)
            except (asyncio.TimeoutError, OSError):
                self.proc.kill()
                await self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _plain_env() -> dict[str, str]:
    """The unsandboxed judge's environment: the few variables it needs, the grading kit's settings."""
    from ..kit.env import GRADING_KIT_ENV
    from ..jst import JST

    keep = ("PATH", "HOME", "LANG")
    return {**{k: os.environ[k] for k in keep if k in os.environ}, "TZ": JST.key, **GRADING_KIT_ENV}
