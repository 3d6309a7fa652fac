"""pytest plugin: the run fails when a process it started outlives the test (or fixture) that started it.

Registered for every run by the root ``conftest.py`` (tests/ and the nbval notebooks in
courses/); ``-p process_guard`` loads it elsewhere (the file's folder on ``sys.path``).

Which processes are ours
    every descendant of the pytest process, and every process whose environment carries
    this run's token (``CHIIKI_TEST_RUN``, set at session start): a child that was
    orphaned (its parent killed, e.g. ``chiiki-iot lab``'s JupyterLab) keeps the token.
    A process once seen as ours stays ours (by pid and start time) after its parent dies.
    Nested runs append their token (``outer:inner``); each xdist worker has its own, so a
    worker never blames the other worker's processes.

Who owns a process, and when it must be gone
    * started while a module-, class-, package- or session-scoped fixture was set up: that
      fixture's scope node; gone once that scope is torn down (``nextitem`` of
      ``pytest_runtest_teardown`` says which scopes end with this item);
    * started while a collector was set up (nbval's notebook file starts the notebook's
      kernel in ``setup()``): that collector; gone when it is torn down;
    * started by a process that already has an owner (a cell's virtual board, started by
      the notebook's kernel): the same owner;
    * anything else that appears during a test (its function fixtures, the call, the
      teardown): the test; gone after its teardown;
    * anything started outside a test (collection, e.g. at import; other plugins' hooks):
      the session; gone after the last test's teardown, or at the end of the run.

What happens to a leftover
    it gets up to ``GRACE_SECONDS`` to exit (``psutil.wait_procs``: returns as soon as all
    are gone), then the test is reported as an error naming the owner, the pid and the
    command line, and the leftovers and their children are killed so that they cannot
    disturb the next test.
"""
from __future__ import annotations

import os
import signal
import uuid
from dataclasses import dataclass

import psutil
import pytest

ENV = "CHIIKI_TEST_RUN"
# the suite's grace; the guard's own tests (inner runs of deliberately leaky tests) set a shorter one
GRACE_SECONDS = float(os.environ.get("CHIIKI_TEST_GRACE_SECONDS", "5.0"))

Key = tuple  # (pid, create_time): a pid alone may be reused


@dataclass(frozen=True, eq=False)
class Owner:
    """Whose process it is (``label``, for the message) and which node's teardown ends it."""
    label: str
    node: object
    fixture: bool = False


class ProcessGuard:
    def __init__(self, config: pytest.Config):
        self.config = config
        self.token = uuid.uuid4().hex
        self.me = os.getpid()
        self.mine: dict[Key, Owner] = {}
        self.procs: dict[Key, psutil.Process] = {}
        self.foreign: set[Key] = set()
        self.ignored: set[Key] = set()
        self.previous_env: str | None = None
        self.session_owner: Owner | None = None
        self.current: Owner | None = None
        self.session_leaks: list[str] = []
        self.active = False

    # ------------------------------------------------------------------ finding our processes
    def _ours(self) -> dict[Key, tuple[psutil.Process, int]]:
        """Our live processes now: key -> (process, ppid). Zombies count as ended."""
        table: dict[int, tuple[psutil.Process, int, float]] = {}
        for p in psutil.process_iter(["ppid", "create_time", "status"]):
            info = p.info
            if info["ppid"] is None or info["create_time"] is None or info["status"] == psutil.STATUS_ZOMBIE:
                continue
            table[p.pid] = (p, info["ppid"], info["create_time"])
        children: dict[int, list[int]] = {}
        for pid, (_, ppid, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        descendants, todo = set(), list(children.get(self.me, []))
        while todo:
            pid = todo.pop()
            if pid not in descendants:
                descendants.add(pid)
                todo.extend(children.get(pid, []))
        ours = {}
        for pid, (proc, ppid, created) in table.items():
            key = (pid, created)
            if pid == self.me or key in self.foreign:
                continue
            if pid in descendants or key in self.mine or self._has_token(proc):
                ours[key] = (proc, ppid)
            else:
                self.foreign.add(key)  # not ours now, never ours later: its environment is fixed
        return ours

    def _has_token(self, proc: psutil.Process) -> bool:
        try:
            value = proc.environ().get(ENV, "")
        except (psutil.Error, OSError):
            return False
        return self.token in value.split(":")

    def absorb(self, default: Owner) -> dict[Key, tuple[psutil.Process, int]]:
        """Give every new process an owner: its nearest owned ancestor's, else ``default``."""
        ours = self._ours()
        by_pid = {key[0]: key for key in ours}
        for key, (proc, ppid) in ours.items():
            if key in self.mine or key in self.ignored:
                continue
            owner, seen = default, set()
            while ppid in by_pid and ppid not in seen:
                seen.add(ppid)
                parent = by_pid[ppid]
                if parent in self.mine:
                    owner = self.mine[parent]
                    break
                ppid = ours[parent][1]
            self.mine[key] = owner
            self.procs[key] = proc
        return ours

    # ------------------------------------------------------------------ checking an ending scope
    def leftovers(self, ending: set, ours=None) -> list[tuple[Owner, int, str]]:
        """(owner, pid, command line) of the ending nodes' processes still running after a grace period.

        Those are killed (with their children) before this returns. ``ours``: a fresh ``_ours()``.
        """
        ours = self._ours() if ours is None else ours
        found = []
        for key, owner in list(self.mine.items()):
            if owner.node in ending:
                if key in ours:
                    found.append((owner, self.procs[key]))
                del self.mine[key]  # checked now: gone, or reported and killed below
                self.procs.pop(key, None)
        if not found:
            return []
        _, alive = psutil.wait_procs([p for _, p in found], timeout=GRACE_SECONDS)
        alive = {id(p) for p in alive if _running(p)}
        left = [(o, p) for o, p in found if id(p) in alive]
        named = [(o, p.pid, _cmdline(p)) for o, p in left]
        _kill([p for _, p in left])
        return named

    def message(self, left, where: str) -> str:
        lines = []
        for owner in dict.fromkeys(o for o, _, _ in left):
            procs = [(pid, cmd) for o, pid, cmd in left if o is owner]
            lines.append(f"{owner.label} が起動したプロセスが、"
                         + ("そのスコープの後片付けの後も" if owner.fixture else "終わった後も")
                         + f"動いています（{GRACE_SECONDS:g} 秒待っても終わりませんでした。{where}）:")
            lines += [f"  pid {pid}: {cmd}" for pid, cmd in procs]
        lines.append("残っていたプロセスは止めました（SIGKILL）。起動したプロセスは、起動したテストや fixture の"
                     "後片付けで止め、終わるまで待ってください（terminate() のあと wait()、with 文、"
                     "子プロセスがあればプロセスグループごと）。")
        return "\n".join(lines)

    # ------------------------------------------------------------------ hooks
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        # xdist's controller runs no test: each of its workers guards its own processes
        self.active = not self.config.pluginmanager.has_plugin("dsession")
        if not self.active:
            return
        self.previous_env = os.environ.get(ENV)
        os.environ[ENV] = f"{self.previous_env}:{self.token}" if self.previous_env else self.token
        self.session_owner = self.current = Owner("テストの収集やプラグイン（どのテストでもない時間）", session,
                                                  fixture=True)
        self.ignored = set(self._ours())  # already running before the session: not ours to judge

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item):
        if self.active:
            self.absorb(self.session_owner)
            self._watch_collectors(item)
            self.current = Owner(f"テスト {item.nodeid}", item)
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        if not self.active or fixturedef.scope == "function":
            return (yield)
        self.absorb(self.current)
        try:
            return (yield)
        finally:
            node = request.node
            self.absorb(Owner(f"fixture「{fixturedef.argname}」（{fixturedef.scope} スコープ、{node.nodeid or 'セッション'}）",
                              node, fixture=True))

    def _watch_collectors(self, item: pytest.Item) -> None:
        """Wrap ``setup()`` of the item's collectors (before pytest calls it) to own what it starts."""
        guard = self
        for col in item.listchain()[:-1]:
            if getattr(col, "_process_guard_watched", False):
                continue
            col._process_guard_watched = True
            original = col.setup

            def setup(col=col, original=original):
                guard.absorb(guard.current)
                try:
                    return original()
                finally:
                    guard.absorb(Owner(f"{col.nodeid or 'セッション'} の準備（setup()）", col, fixture=True))

            col.setup = setup

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None):
        if not self.active:
            return (yield)
        error = result = None
        try:
            result = yield
        except BaseException as e:  # noqa: BLE001 - re-raised below, with what we found added
            error = e
        ours = self.absorb(self.current)
        staying = set(nextitem.listchain()) if nextitem is not None else set()
        left = self.leftovers({n for n in item.listchain() if n not in staying}, ours)
        self.current = self.session_owner
        if left:
            msg = self.message(left, f"テスト {item.nodeid} の後片付けのあとで確かめました")
            if error is None:
                pytest.fail(msg, pytrace=False)
            error.add_note(msg)
        if error is not None:
            raise error
        return result

    @pytest.hookimpl(trylast=True)  # after pytest's own, which tears down what -x or Ctrl+C left set up
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.active:
            return
        ours = self.absorb(self.session_owner)
        left = self.leftovers({o.node for o in self.mine.values()}, ours)
        if left:
            self.session_leaks.append(self.message(left, "テストの実行の終わりに確かめました"))
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for text in self.session_leaks:
            terminalreporter.section("残ったプロセス", sep="=", red=True)
            terminalreporter.line(text)

    def pytest_unconfigure(self) -> None:
        if not self.active:
            return
        if self.previous_env is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = self.previous_env


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _cmdline(proc: psutil.Process) -> str:
    try:
        return " ".join(proc.cmdline()) or proc.name()
    except psutil.Error:
        return "（終了済み）"


def _kill(procs: list[psutil.Process]) -> None:
    """SIGKILL the processes and their descendants; wait (bounded) until they are gone."""
    victims = {}
    for proc in procs:
        try:
            for p in [proc, *proc.children(recursive=True)]:
                victims[p.pid] = p
        except psutil.Error:
            continue
    for p in victims.values():
        try:
            p.send_signal(signal.SIGKILL)
        except psutil.Error:
            pass
    psutil.wait_procs(list(victims.values()), timeout=GRACE_SECONDS)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ProcessGuard(config), "process_guard_instance")
