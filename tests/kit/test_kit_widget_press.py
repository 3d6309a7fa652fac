"""The sliders' 「ボタン A を押す」 reaches ``button_a.was_pressed()`` and ``get_presses()``
on the virtual board, whether the board is idle or runs a program (``board.start``)."""
from __future__ import annotations

import time

from chiiki_iot.kit.widgets import sliders
from kit_fixtures import FAILURE_BOUND_S, make_board, make_kit  # noqa: F401


def _press_button(board):
    """The widget's press button for button A (clicked as a learner's click would)."""
    (press,) = sliders(board, ["button_a"]).children
    return press


def test_a_press_while_idle_is_seen_by_was_pressed_and_get_presses(make_board):
    b = make_board("microbit_v2")
    press = _press_button(b)
    # the learner has already asked once: the next press comes at that same board time
    # (an idle board's clock does not move), so the new source starts at that instant
    b.exec("from microbit import *\nbutton_a.was_pressed()\nbutton_a.get_presses()")
    press.click()
    assert b.eval("button_a.was_pressed()") is True
    assert b.eval("button_a.get_presses()") == 1
    assert b.eval("button_a.was_pressed()") is False  # counted once, not again
    press.click()  # a second press, later
    assert b.eval("button_a.get_presses()") == 1
    assert b.eval("button_a.was_pressed()") is True


def test_a_press_while_a_program_runs_is_counted_by_it(make_board):
    b = make_board("microbit_v2", speed=1)
    press = _press_button(b)
    seen = []
    # a loop that reads only was_pressed(): nothing else would make the board look at the world
    b.start("from microbit import *\nn = 0\nprint('ready')\nwhile True:\n"
            "    if button_a.was_pressed():\n        n += 1\n        print('pressed', n)\n    sleep(20)\n",
            on_output=seen.append)
    try:
        deadline = time.monotonic() + FAILURE_BOUND_S  # bounds a failure only
        while "ready" not in "".join(seen) and time.monotonic() < deadline:
            time.sleep(0.05)
        press.click()
        while "pressed 1" not in "".join(seen) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        out = b.stop()
    assert "pressed 1" in out
    assert "pressed 2" not in out
