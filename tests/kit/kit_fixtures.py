"""Fixtures for the kit layer: virtual boards running the real MicroPython unix port.

Test modules import what they use (``from kit_fixtures import make_board``); a
``conftest.py`` here would shadow the one in ``tests/`` that other tests import by name.
Every kit started here is closed at the end of its scope, and the teardown checks that
its interpreter process really ended.
"""
from __future__ import annotations

import os

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
