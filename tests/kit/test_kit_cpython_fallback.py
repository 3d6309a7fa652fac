"""The CPython fallback engine (for Windows and Linux aarch64), forced here on a machine that
has the MicroPython wheel, so both engines run the same device modules side by side.

The whole kit suite also passes with ``CHIIKI_KIT_ENGINE=cpython`` (except the test that
checks it is real MicroPython).
"""
from __future__ import annotations

import signal
import subprocess
import sys

import pandas as pd
import pytest

from chiiki_iot.kit import BoardTimeoutError, KitError, Noise, Ramp, Sine, connect
from chiiki_iot.kit.virtual.engine import choose_engine
from kit_fixtures import FAILURE_BOUND_S, make_board, make_kit, when_printed  # noqa: F401


def test_connect_says_which_engine_runs(monkeypatch, capsys):
    monkeypatch.setenv("CHIIKI_KIT_ENGINE", "cpython")
    b = connect("virtual", speed=0)
    try:
        assert "CPython 代替エンジン" in capsys.readouterr().out
        assert b.eval("__import__('sys').implementation.name") == "cpython"
        assert b.eval("1 + 1") == 2
    finally:
        b.close()


@pytest.mark.parametrize("profile, names", [("microbit_v2", ["accel_x", "accel_y", "accel_z"]),
                                            ("esp32", ["temperature", "humidity", "distance_cm"])])
def test_both_engines_give_the_same_samples(make_board, profile, names):
    frames = []
    for engine in ("unix", "cpython"):
        b = make_board(profile, engine=engine)
        b.scenario(accel_x=Sine(0, 700, period=1.5) + Noise(30, seed=5, step=0.05),
                   temperature=Ramp(15, 25, duration=5) + Noise(0.3, seed=6),
                   distance_cm=Sine(150, 40, period=4))
        frames.append(b.stream(names, rate_hz=20, n=60, progress=False))
    pd.testing.assert_frame_equal(frames[0], frames[1])


def test_mpremote_and_interrupt_on_the_fallback(make_board):
    b = make_board("esp32", engine="cpython")
    r = subprocess.run([sys.executable, "-m", "mpremote", "connect", b.kit.port, "exec", "print(6 * 7)"],
                       capture_output=True, text=True, timeout=60)
    # the Board holds the port: mpremote must be refused, as with a real board
    assert r.returncode != 0
    b.close()
    r = subprocess.run([sys.executable, "-m", "mpremote", "connect", b.kit.port, "exec", "print(6 * 7)"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == "42\n", r.stderr
    b.reconnect()
    b.exec("x = 'kept'")
    with pytest.raises(BoardTimeoutError):
        b.exec("while True:\n    pass", timeout=0.5)
    assert b.eval("x") == "kept"


@pytest.mark.parametrize("link", ["pty", "socket"])
def test_the_fallback_answers_ctrl_c_even_if_started_with_sigint_ignored(make_board, link):
    """A board always answers Ctrl-C. The fallback's process inherits SIGINT ignored when the
    relay starts it from a Jupyter kernel between cells (ipykernel ignores SIGINT there; a
    soft reboot restarts the interpreter at any time) or from a program started in the
    background; CPython then has no KeyboardInterrupt unless the engine takes SIGINT itself."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        b = make_board("esp32", engine="cpython", link=link)  # the relay starts the interpreter now
    finally:
        signal.signal(signal.SIGINT, previous)
    b.exec("kept = 1")
    with pytest.raises(BoardTimeoutError):
        b.exec("while True:\n    pass", timeout=0.5)
    assert b.eval("kept") == 1


def test_unknown_engine_is_a_japanese_error():
    with pytest.raises(KitError, match="エンジン"):
        choose_engine("wasm")


# ---------------------------------------------------------------- the socket link (Windows)
# Windows has no pseudo-terminal: the virtual kit serves socket://127.0.0.1:N and runs the
# fallback engine on pipes. Forced here; CHIIKI_KIT_LINK=socket runs the whole suite so.

def test_socket_link_serves_the_same_board(make_board):
    from chiiki_iot.kit import BoardDisconnectedError

    b = make_board("esp32", link="socket", speed=1)
    assert b.port.startswith("socket://127.0.0.1:") and b.kit.engine == "cpython"
    assert b.eval("[1, 2.5, 'x']") == [1, 2.5, "x"]
    b.exec("kept = 1")
    with pytest.raises(BoardTimeoutError):
        b.exec("while True:\n    print('x' * 200)", timeout=0.5)  # a flood, stopped by Ctrl-C
    assert b.eval("kept") == 1
    b.reset()
    assert b.eval("'kept' in globals()") is False
    pull = when_printed("running", b.kit.unplug)  # pulled while the loop runs
    with pytest.raises(BoardDisconnectedError):
        b.exec("import time\nprint('running')\nwhile True:\n    time.sleep_ms(10)",
               timeout=FAILURE_BOUND_S, on_output=pull)
    pull.join()


def test_socket_link_is_held_by_one_program_at_a_time(make_board):
    from chiiki_iot.kit import Board, PortBusyError

    b = make_board("microbit_v2", link="socket")
    with pytest.raises(PortBusyError):
        Board(b.port, "microbit_v2", connect_timeout=FAILURE_BOUND_S)  # refused at once: the bound is never reached
    b.close()
    r = subprocess.run([sys.executable, "-m", "mpremote", "connect", b.kit.port, "exec", "print(6 * 7)"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == "42\n", r.stderr


def test_socket_link_gives_the_samples_of_the_pty_link(make_board):
    frames = []
    for link, engine in (("pty", "unix"), ("socket", "cpython")):
        b = make_board("microbit_v2", link=link, engine=engine)
        b.scenario(accel_x=Sine(0, 700, period=1.5) + Noise(30, seed=5, step=0.05))
        frames.append(b.stream(["accel_x", "accel_y", "accel_z"], rate_hz=20, n=40, progress=False))
    pd.testing.assert_frame_equal(frames[0], frames[1])
