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

import zmq
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Any, DottedObjectName, Instance, List, Type, Unicode

from .sandbox import Sandbox


INSIDE_HOME = Path("/home/learner")
INSIDE_IPC = Path("/run/chiiki-ipc")


class QuickReadyClient(AsyncKernelClient):
    """A kernel client that sees a new kernel ready sooner, without skipping any check.

    A kernel forked by a warm zygote is up in milliseconds, but jupyter_client's ``wait_for_ready``
    then spends most of a second waiting: its sockets retry a connection every 100 ms (zmq's default)
    while the kernel binds, and it always waits 0.2 s more on IOPub after the kernel is ready. Here
    the sockets retry every 10 ms and the final drain of IOPub waits 0.02 s; the checks are the
    same (a ``kernel_info`` reply on shell and a message on IOPub, so no output is lost).
    """

    def _context_default(self):
        context = super()._context_default()
        context.setsockopt(zmq.RECONNECT_IVL, 10)
        return context

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        import asyncio
        import time
        from queue import Empty

        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)   # IOPub is connected
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(msg)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
            await asyncio.sleep(0)
        while True:   # drain what IOPub still holds from the kernel_info requests
            try:
                await self.iopub_channel.get_msg(timeout=0.02)
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready


class SandboxedKernelManager(AsyncKernelManager):
    """``AsyncKernelManager`` whose kernel process runs under ``bwrap``."""

    client_class = DottedObjectName("chiiki_iot.classroom.kernel.QuickReadyClient")
    client_factory = Type(QuickReadyClient, klass=AsyncKernelClient)

    sandbox = Instance(Sandbox, allow_none=True)
    hidden_paths = List(Unicode(), help="grader paths that must not be visible inside (checked before start)")
    jail_root = Unicode(help="where per-kernel folders are made (default: the system temp folder)")
    zygote = Any(None, help="a warm_pool.ZygoteProcess to fork the kernel from (None: start it with bwrap)")

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
        if self.zygote is not None and self.zygote.workdir_inside == INSIDE_HOME / workdir.name:
            return await self._pre_start_from_zygote(workdir, **kw)
        self.zygote = None
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

    async def _pre_start_from_zygote(self, workdir: Path, **kw: t.Any):
        """The kernel will be forked by the (cleaned) zygote: the learner's files go into its working folder."""
        self._jail = Path(tempfile.mkdtemp(prefix="chiiki-iot-kernel-", dir=self.jail_root or None))
        _copy_learner_files(workdir, self.zygote.outside(self.zygote.workdir_inside))
        self.connection_file = str(self._jail / "kernel.json")
        self._socket_name = f"k{self.zygote.forks + 1}"   # never the name of an earlier kernel in this sandbox
        self.ip = str(INSIDE_IPC / self._socket_name)
        self.kernel_spec.interrupt_mode = "message"
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: t.Any) -> None:
        if self.zygote is not None:
            return await self._launch_from_zygote(kernel_cmd, **kw)
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

    async def _launch_from_zygote(self, kernel_cmd: list[str], **kw: t.Any) -> None:
        args = kernel_cmd[kernel_cmd.index("ipykernel_launcher") + 1:] if "ipykernel_launcher" in kernel_cmd else []
        if "-f" in args:   # the child writes its own connection file inside
            i = args.index("-f")
            del args[i:i + 2]
        connection = json.loads(Path(self.connection_file).read_text(encoding="utf-8"))
        env = {**(self.sandbox or Sandbox.find()).kernel_env(), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
        child = ZygoteChild(self.zygote, self.zygote.fork(connection=connection, args=args, env=env))
        provisioner = self.provisioner

        async def launched(cmd, **kwargs):
            provisioner.process, provisioner.pid, provisioner.pgid = child, child.pid, None
            provisioner.cwd = str(self.zygote.workdir_inside)
            return provisioner.connection_info

        provisioner.launch_kernel = launched
        await super()._async_launch_kernel(kernel_cmd, **kw)
        self.sandbox_pid = self.zygote.sandbox_pid
        self.ip = str(self.zygote.outside(INSIDE_IPC / self._socket_name))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.remove_jail()

    def remove_jail(self) -> None:
        """Delete the per-kernel folder (sockets, connection file, the learner's file copy)."""
        if self._jail is not None:
            shutil.rmtree(self._jail, ignore_errors=True)
            self._jail = None


class ZygoteChild:
    """A forked kernel as ``jupyter_client``'s local provisioner expects a ``Popen``."""

    stdin = stdout = stderr = None

    def __init__(self, zygote, pid: int):
        self.zygote = zygote
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.zygote.poll(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        self.zygote.signal(self.pid, signum)

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)


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
