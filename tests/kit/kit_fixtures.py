"""Fixtures for the kit layer: virtual boards running the real MicroPython unix port.

Test modules import what they use (``from kit_fixtures import make_board``); a
``conftest.py`` here would shadow the one in ``tests/`` that other tests import by name.
Every kit started here is closed at the end of its scope, and the teardown checks that
its interpreter process really ended.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from chiiki_iot.kit import Board
from chiiki_iot.kit.virtual import VirtualKit


@pytest.fixture
def make_kit():
    """Factory: ``make_kit("esp32")`` -> a VirtualKit (speed 0: board time never waits)."""
    kits = []

    def make(profile="microbit_v2", **kwargs):
        kwargs.setdefault("speed", 0)
        k = VirtualKit(profile, **kwargs)
        kits.append(k)
        return k

    yield make
    for k in kits:
        pid = k.relay.pid if k.plugged else None
        k.close()
        assert pid is None or not alive(pid), f"interpreter {pid} of {k} survived close()"


@pytest.fixture
def make_board(make_kit):
    """Factory: ``make_board("esp32")`` -> a Board on a fresh virtual kit."""
    boards = []

    def make(profile="microbit_v2", *, timeout=30.0, **kit_kwargs):
        k = make_kit(profile, **kit_kwargs)
        b = Board(k.port, k.profile, kit=k, timeout=timeout)
        boards.append(b)
        return b

    yield make
    for b in boards:
        b.close()


@pytest.fixture(scope="module")
def esp32():
    """One virtual ESP32 shared by the tests of a module that do not break it."""
    with VirtualKit("esp32", speed=0) as k:
        b = Board(k.port, k.profile, kit=k, timeout=30.0)
        yield b
        b.close()


@pytest.fixture(scope="module")
def microbit():
    """One virtual micro:bit V2 shared by the tests of a module that do not break it."""
    with VirtualKit("microbit_v2", speed=0) as k:
        b = Board(k.port, k.profile, kit=k, timeout=30.0)
        yield b
        b.close()


@pytest.fixture
def kernel_sigint():
    """SIGINT raises ``KeyboardInterrupt`` during the test, as in a Jupyter kernel running a cell.

    ipykernel ignores SIGINT between cells and installs ``default_int_handler`` around each
    one, so the stop button works however the kernel was started. A test that stands for the
    stop button does the same: a test run started with SIGINT ignored (a background job)
    would otherwise never see the signal (and a kernel client run earlier in the same worker,
    whose asyncio loop resets SIGINT, would decide whether the test passes).
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


# ---------------------------------------------------------------- faults at an event
# A fault is injected when the board has reached a known point (it printed a line, the CSV
# holds n samples), never "after 0.3 s": on a loaded machine the board may not have started
# by then, or may have finished. Bounds on waiting only stop a broken test from hanging.

FAILURE_BOUND_S = 60.0


class Trigger:
    """Runs ``action`` once, in a thread of its own (as a cable pull or a stop button comes
    from outside the call); ``fired`` tells whether the event was seen."""

    def __init__(self, action):
        self.action = action
        self.fired = threading.Event()
        self._thread: threading.Thread | None = None

    def fire(self) -> None:
        if not self.fired.is_set():
            self.fired.set()
            self._thread = threading.Thread(target=self.action, name="test-fault", daemon=True)
            self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join(FAILURE_BOUND_S)


class when_printed(Trigger):
    """An ``on_output`` callback for ``Board.exec`` that runs ``action`` once the board has
    printed ``text``::

        b.exec(LOOP, on_output=when_printed("tick", b.kit.unplug))
    """

    def __init__(self, text: str, action):
        super().__init__(action)
        self.text = text
        self._tail = ""

    def __call__(self, chunk: str) -> None:
        window = self._tail + chunk
        self._tail = window[-len(self.text):]
        if self.text in window:
            self.fire()


class when_file_has_lines(Trigger):
    """Runs ``action`` once ``path`` holds ``lines`` lines (e.g. a CSV header and samples
    written by ``stream(csv=...)``). Polls the file in a thread; after FAILURE_BOUND_S it runs
    ``action`` anyway, so an open-ended capture cannot hang the test (``fired`` stays unset)."""

    def __init__(self, path, lines: int, action):
        super().__init__(action)
        self.path, self.lines = Path(path), lines
        self._watcher = threading.Thread(target=self._watch, name="test-watch", daemon=True)
        self._watcher.start()

    def _count(self) -> int:
        try:
            return self.path.read_bytes().count(b"\n")
        except OSError:
            return 0

    def _watch(self) -> None:
        deadline = time.monotonic() + FAILURE_BOUND_S  # bounds a failure only
        while self._count() < self.lines and time.monotonic() < deadline:
            time.sleep(0.01)
        if self._count() >= self.lines:
            self.fire()
        else:
            threading.Thread(target=self.action, daemon=True).start()

    def join(self) -> None:
        self._watcher.join(FAILURE_BOUND_S + 5)
        super().join()


def alive(pid):
    """True while process ``pid`` runs (a zombie counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent counts as ended
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def ipython():
    """A real IPython shell for magics; removed afterwards so later tests see no shell."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    yield shell
    shell.history_manager.end_session() if shell.history_manager else None
    InteractiveShell.clear_instance()
