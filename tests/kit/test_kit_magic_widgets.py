"""The %%board magic, board.start()/stop() and the sliders, in a real IPython shell."""
from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from chiiki_iot.kit import connect, current_board
from chiiki_iot.kit.widgets import sliders
from kit_fixtures import ipython, make_board, make_kit  # noqa: F401


@pytest.fixture
def shell(ipython):
    ipython.run_line_magic("load_ext", "chiiki_iot.kit")
    return ipython


def test_board_magic_chooses_the_board_and_runs_cells(shell, capsys, monkeypatch):
    monkeypatch.setenv("CHIIKI_KIT_SPEED", "0")
    b = shell.run_line_magic("board", "virtual:esp32")
    try:
        assert current_board() is b and b.profile.name == "esp32"
        shell.run_cell_magic("board", "", "from machine import Pin\nPin(2).on()\nprint('LED', Pin(2).value())")
        assert "LED 1" in capsys.readouterr().out
        assert b.eval("Pin(2).value()") == 1  # the cell ran on the board in use
        # the comment form, for editors
        result = shell.run_cell("# %%board\nprint('from a comment magic')")
        assert result.success
        assert "from a comment magic" in capsys.readouterr().out
        shell.run_cell_magic("board", "--save main.py", "print('boot')\n")
        assert b.get("main.py") == b"print('boot')\n"
        with pytest.raises(UsageError, match="NameError"):
            shell.run_cell_magic("board", "", "no_such_name")
        with pytest.raises(UsageError, match="中断しました"):
            shell.run_cell_magic("board", "--timeout 0.5", "while True:\n    pass")
    finally:
        b.close()


def test_start_runs_a_program_while_sliders_change_the_world(make_board):
    import time

    b = make_board("microbit_v2", speed=1)
    box = sliders(b, ["temperature", "button_a"])
    temperature, press = box.children
    seen = []

    def wait_for(text):
        deadline = time.monotonic() + 30  # bounds a failure only; no speed is asserted
        while text not in "".join(seen) and time.monotonic() < deadline:
            time.sleep(0.05)

    b.start("from microbit import *\nwhile True:\n    print(temperature())\n    sleep(50)", on_output=seen.append)
    wait_for("22\n")
    temperature.value = 35.0  # what a learner's drag does; the notebook stays free meanwhile
    wait_for("35\n")
    assert b.running
    with pytest.raises(Exception, match="board.stop"):
        b.eval("1")
    out = b.stop()
    readings = [int(x) for x in out.split()]
    assert readings[0] == 22 and readings[-1] == 35
    assert not b.running
    press.click()
    assert b.eval("button_a.is_pressed()") is True
    assert b.eval("1 + 1") == 2
