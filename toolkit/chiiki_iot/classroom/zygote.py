"""A warm parent inside the sandbox: imports a notebook's libraries once, then forks one child per notebook.

Run by ``warm_pool`` as ``python -I -m chiiki_iot.classroom.zygote KIND MODULE...`` inside a
bubblewrap sandbox of its own (``KIND`` is ``kernel`` or ``judge``). It never runs a learner's
code itself: it imports the modules (ipykernel or the judge, and what the assignment's set-up
cells import: pandas, matplotlib, the toolkit ...), then, asked by the grader, forks

* a **kernel** (``ipykernel``'s ``IPKernelApp`` on the connection the grader gives), or
* a **judge** (``judge.Judge`` on a Unix socket the grader connects to),

so a learner's kernel starts with everything already imported, in a few milliseconds of
CPU instead of a second. Each child serves one notebook of one learner and is never reused.
Between two learners the grader asks the zygote to ``clean``: every other process in the
sandbox is killed, the writable places (working folder, ``/tmp``, ``/dev/shm``, the socket
folder) are emptied and System V IPC objects removed, so nothing of one learner reaches the
next. The zygote cannot be traced nor its memory opened by its children
(``PR_SET_DUMPABLE`` 0); its protocol pipes are closed in every child.

Protocol (one JSON object per line each way, on the pipes it was started with):
``{"op": "fork", ...}`` -> ``{"pid": N}``; ``{"op": "poll", "pid": N}`` -> ``{"returncode": R|null}``;
``{"op": "signal", "pid": N, "signal": S}`` -> ``{}``; ``{"op": "clean", "paths": [...]}`` -> ``{"left": [...]}``.
At start it answers ``{"ready": true, "threads": T}`` (a zygote with threads must not fork: the
grader then starts processes the ordinary way).
"""
from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import stat
import sys
import threading
import time
from pathlib import Path

from .judge import not_dumpable


class Zygote:
    def __init__(self, kind: str, requests, replies):
        self.kind = kind
        self.requests = requests
        self.replies = replies
        self.children: dict[int, int | None] = {}

    def send(self, message: dict) -> None:
        self.replies.write(json.dumps(message) + "\n")
        self.replies.flush()

    def serve(self) -> None:
        for line in self.requests:
            request = json.loads(line)
            op = request.get("op")
            if op == "fork":
                self.send({"pid": self.fork(request)})
            elif op == "poll":
                self.send({"returncode": self.poll(int(request["pid"]))})
            elif op == "signal":
                pid = int(request["pid"])
                if pid in self.children and self.children[pid] is None:
                    try:
                        os.kill(pid, int(request["signal"]))
                    except ProcessLookupError:
                        pass
                    if int(request["signal"]) == signal.SIGKILL:
                        self.reap_soon(pid)   # the grader's next poll finds it gone, without waiting
                self.send({})
            elif op == "clean":
                self.send({"left": self.clean([Path(p) for p in request.get("paths", [])])})

    # -- children ---------------------------------------------------------------
    def fork(self, request: dict) -> int:
        listener = None
        if self.kind == "judge":   # listening before the fork: the grader may connect at once
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(request["socket"])
            listener.listen(1)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                self.become_child(request, listener)
            except BaseException:  # noqa: BLE001 - a child never returns into the zygote's loop
                code = 70
            os._exit(code)
        if listener is not None:
            listener.close()
        self.children[pid] = None
        return pid

    def become_child(self, request: dict, listener) -> None:
        os.setsid()
        for fd in (self.requests.fileno(), self.replies.fileno()):
            os.close(fd)   # the zygote's protocol is not the child's
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        os.environ.clear()
        os.environ.update(request.get("env", {}))
        os.chdir(request["cwd"])
        if self.kind == "kernel":
            path = Path("/tmp") / f"kernel-{os.getpid()}.json"
            path.write_text(json.dumps(request["connection"]), encoding="utf-8")
            from ipykernel.kernelapp import IPKernelApp

            app = IPKernelApp.instance()
            app.initialize(["-f", str(path), *request.get("args", [])])
            app.start()
        else:
            from .judge import Judge

            connection, _ = listener.accept()
            listener.close()
            Judge(connection.makefile("r", encoding="utf-8"), connection.makefile("w", encoding="utf-8")).serve()

    def poll(self, pid: int) -> int | None:
        if pid not in self.children:
            return -1
        if self.children[pid] is None:
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, status = pid, 0
            if done == pid:
                self.children[pid] = os.waitstatus_to_exitcode(status)
        return self.children[pid]

    def reap_soon(self, pid: int, seconds: float = 2.0) -> None:
        deadline = time.monotonic() + seconds
        while self.poll(pid) is None and time.monotonic() < deadline:
            time.sleep(0.001)

    # -- between learners ------------------------------------------------------------
    def clean(self, paths: list[Path]) -> list[int]:
        """Kill every other process of the sandbox (but its init), empty ``paths``, drop SysV IPC."""
        left: list[int] = []
        for _ in range(50):
            try:
                os.kill(-1, signal.SIGKILL)   # all we may signal, but ourselves and the namespace's init
            except ProcessLookupError:
                pass
            self.reap()
            left = [pid for pid in _live_pids() if pid not in (1, os.getpid())]
            if not left:
                break
            time.sleep(0.01)
        for path in paths:
            _empty(path)
        _remove_sysv_ipc()
        return left

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.children:
                self.children[pid] = os.waitstatus_to_exitcode(status)


def _live_pids() -> list[int]:
    live = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            live.append(int(name))
    return live


def _empty(folder: Path) -> None:
    """Remove what is inside ``folder``, staying on its own file system: a mount inside it (the
    read-only course files bound into the judge's folder, the checkout and its Python bound under
    ``/tmp`` when the project lives there) is neither entered nor touched."""
    try:
        device = os.lstat(folder).st_dev
    except OSError:
        return
    visited = []
    for dirpath, dirnames, filenames in os.walk(folder, topdown=True):
        inside = []
        for name in dirnames:
            path = os.path.join(dirpath, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                filenames.append(name)   # the link itself goes, never what it points to
            elif st.st_dev == device and not os.path.ismount(path):
                try:
                    os.chmod(path, 0o700)   # a learner's folder made unreadable is still emptied
                except OSError:
                    pass
                inside.append(name)
        dirnames[:] = inside
        for name in filenames:
            path = os.path.join(dirpath, name)
            try:
                if os.lstat(path).st_dev == device:
                    os.unlink(path)
            except OSError:
                continue
        visited.append(dirpath)
    for dirpath in reversed(visited[1:]):   # deepest first; a folder holding a mount stays
        try:
            os.rmdir(dirpath)
        except OSError:
            continue


def _remove_sysv_ipc() -> None:
    """Shared memory segments, semaphores and message queues outlive their processes: remove them all."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    ipc_rmid = 0
    for kind, remove in (("shm", lambda i: libc.shmctl(i, ipc_rmid, None)),
                         ("sem", lambda i: libc.semctl(i, 0, ipc_rmid)),
                         ("msg", lambda i: libc.msgctl(i, ipc_rmid, None))):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 1 and fields[1].isdigit():
                remove(int(fields[1]))


def main(argv: list[str]) -> int:
    kind, modules = argv[0], argv[1:]
    not_dumpable()
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    sys.stdin = open(0, "r", encoding="utf-8", closefd=False)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module that fails here fails the same way in the child
            continue
    zygote = Zygote(kind, requests, replies)
    zygote.send({"ready": True, "threads": threading.active_count()})
    zygote.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
