"""A Jupyter kernel manager that starts every kernel inside the bubblewrap sandbox.

Used by ``SafeExecute`` (nbgrader's Execute preprocessor) during autograding.
The kernel talks over ZeroMQ ipc sockets in a small tmpfs inside the sandbox
(``INSIDE_IPC``), so it needs no network and shares no writable folder with the host:
the grader connects through ``/proc/<sandbox pid>/root/...``, the pid coming from
bwrap's ``--info-fd``. Its working folder is a throw-away copy of the learner's own files.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import typing as t
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Instance, List, Unicode

from .sandbox import Sandbox


INSIDE_HOME = Path("/home/learner")
INSIDE_IPC = Path("/run/chiiki-ipc")


class SandboxedKernelManager(AsyncKernelManager):
    """``AsyncKernelManager`` whose kernel process runs under ``bwrap``."""

    sandbox = Instance(Sandbox, allow_none=True)
    hidden_paths = List(Unicode(), help="grader paths that must not be visible inside (checked before start)")
    jail_root = Unicode(help="where per-kernel folders are made (default: the system temp folder)")

    def __init__(self, **kwargs: t.Any):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self._jail: Path | None = None
        self.sandbox_pid: int | None = None   # the sandbox's first process, once started
        self.working_name = ""                # the learner's folder is INSIDE_HOME / working_name

    async def _async_pre_start_kernel(self, **kw: t.Any):
        sandbox = self.sandbox or Sandbox.find()
        sandbox.check_hidden([Path(p) for p in self.hidden_paths])
        workdir = Path(kw.get("cwd") or Path.cwd()).resolve()
        self.working_name = workdir.name
        self._jail = Path(tempfile.mkdtemp(prefix="chiiki-iot-kernel-", dir=self.jail_root or None))
        inputs = self._jail / "inputs"
        _copy_learner_files(workdir, inputs)
        self.connection_file = str(self._jail / "kernel.json")
        self.ip = str(INSIDE_IPC / "k")  # as the kernel sees it; the grader's view is set after launch
        # Signals do not cross the sandbox's process boundary: interrupt by message instead.
        self.kernel_spec.interrupt_mode = "message"
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        kw["cwd"] = str(self._jail)
        kw["env"] = {"PATH": "/usr/bin:/bin"}
        # the kernel's own stdout/stderr lead nowhere (not into the grader's streams)
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        kw["stdin"] = subprocess.DEVNULL  # bwrap's own environment; the kernel's is set by --setenv
        # inside, the kernel works in /home/learner/<assignment>: the course's real path does not exist there
        self._info_read, info_write = os.pipe()
        kw["pass_fds"] = (info_write,)
        wrapped = sandbox.wrap(cmd, workdir=INSIDE_HOME / workdir.name, inputs=inputs, ipc=INSIDE_IPC,
                               info_fd=info_write, read_only=[Path(self.connection_file)], env=sandbox.kernel_env())
        return wrapped, kw

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: t.Any) -> None:
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        except BaseException:
            os.close(self._info_read)
            raise
        finally:
            for fd in kw.get("pass_fds", ()):
                os.close(fd)
        pid = _child_pid(self._info_read)
        if pid is None:
            raise RuntimeError("bwrap did not start the sandbox (no child pid on --info-fd)")
        self.sandbox_pid = pid
        # the sockets live in the sandbox's own tmpfs: reach them through its root
        self.ip = f"/proc/{pid}/root{INSIDE_IPC}/k"

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.remove_jail()

    def remove_jail(self) -> None:
        """Delete the per-kernel folder (sockets, connection file, the learner's file copy)."""
        if self._jail is not None:
            shutil.rmtree(self._jail, ignore_errors=True)
            self._jail = None


def _child_pid(fd: int) -> int | None:
    """The sandbox's pid from bwrap's ``--info-fd`` JSON (``None`` if bwrap ended first); closes ``fd``."""
    with os.fdopen(fd, "rb") as stream:
        text, depth = b"", 0
        while True:
            ch = stream.read(1)
            if not ch:
                return None
            text += ch
            depth += {b"{": 1, b"}": -1}.get(ch, 0)
            if depth == 0 and text.strip():
                return int(json.loads(text)["child-pid"])


def _copy_learner_files(src: Path, dest: Path) -> None:
    """Regular files of the working folder, except notebooks (an autograded notebook of an
    earlier notebook in the same assignment already contains the hidden tests), hidden
    files and links (a link could point at grader files)."""
    dest.mkdir(parents=True, exist_ok=True)
    for dirpath, dirnames, filenames in os.walk(src, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink()]
        for name in filenames:
            path = here / name
            if name.startswith(".") or name.endswith(".ipynb") or path.is_symlink() or not path.is_file():
                continue
            target = dest / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
