"""Outside tools drive the virtual kit through its pty path, as they drive a real board."""
from __future__ import annotations

import subprocess
import sys

import pytest

from kit_fixtures import ipython, make_kit  # noqa: F401


def mpremote(port, *args, timeout=60):
    return subprocess.run([sys.executable, "-m", "mpremote", "connect", port, *args],
                          capture_output=True, text=True, timeout=timeout)


def test_mpremote_exec_with_its_default_soft_reset(make_kit):
    kit = make_kit("esp32")
    r = mpremote(kit.port, "exec", "print(6 * 7)")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "42\n"
    assert kit.relay.restart_count == 1  # mpremote soft-reset the board first; the relay emulated it


def test_mpremote_soft_reset_clears_state_and_resume_keeps_it(make_kit):
    kit = make_kit("esp32")
    assert mpremote(kit.port, "resume", "exec", "kept = 'yes'").returncode == 0
    r = mpremote(kit.port, "resume", "eval", "kept")
    assert r.stdout.strip() == "yes"
    r = mpremote(kit.port, "eval", "'kept' in globals()")  # default: soft reset first
    assert r.stdout.strip() == "False"


def test_mpremote_fs_commands_on_the_virtual_esp32(make_kit, tmp_path):
    kit = make_kit("esp32")
    src = tmp_path / "hello.py"
    src.write_text("print('hello from a file')\n", encoding="utf-8")
    assert mpremote(kit.port, "fs", "cp", str(src), ":hello.py").returncode == 0
    ls = mpremote(kit.port, "fs", "ls")
    assert "hello.py" in ls.stdout
    assert (kit.flash / "hello.py").exists()
    assert mpremote(kit.port, "exec", "import hello").stdout == "hello from a file\n"


def test_mpremote_fs_fails_on_the_virtual_microbit_as_on_a_real_one(make_kit):
    # the micro:bit's os has no ilistdir/stat; mpremote's fs needs them
    kit = make_kit("microbit_v2")
    r = mpremote(kit.port, "fs", "ls")
    assert r.returncode != 0


def test_micropython_magic_cells_run_on_the_virtual_kit(make_kit, ipython, capsys):
    kit = make_kit("esp32")
    shell = ipython
    shell.run_line_magic("load_ext", "micropython_magic")
    shell.run_cell_magic("micropython", f"--select {kit.port}", "x = 6 * 7\nprint('answer', x)")
    assert "answer 42" in capsys.readouterr().out
    # micropython-magic resumes (no soft reset): the cell's variable is still on the board
    assert shell.run_line_magic("mpy", "--eval x") == 42
