"""A board error reached from the PC reads as one Japanese message: the board's error, the
line of the code that was sent, what it means and what to try. Notebooks show kit errors
as that message alone (``learner_message_only``), without a traceback through the toolkit."""
from __future__ import annotations

import re

import pytest

from chiiki_iot.kit import BoardTimeoutError, DeviceError, KitError
from kit_fixtures import microbit  # noqa: F401

JAPANESE = re.compile(r"[ぁ-んァ-ヶ一-龯]")


def test_kit_errors_are_shown_as_their_message_only():
    assert KitError.learner_message_only is True
    assert DeviceError.learner_message_only is True  # every kit error inherits it
    assert BoardTimeoutError.learner_message_only is True


def test_a_division_by_zero_on_the_board_names_the_error_and_the_line(microbit):
    with pytest.raises(DeviceError) as info:
        microbit.exec("x = 1\ny = x / 0\nprint(y)")
    e = info.value
    head = str(e).split("--- ボードのトレースバック ---")[0]
    assert JAPANESE.search(head)
    assert "ZeroDivisionError" in head.splitlines()[0]
    assert e.line == 2
    assert "2 行目 → y = x / 0" in head
    assert "0 で割ろうとしました" in head
    assert "もう一度実行してください" in head
    assert "Traceback" in str(e)  # the board's own traceback stays, below the explanation


def test_a_misspelt_name_on_the_board_is_probably_a_typo(microbit):
    with pytest.raises(DeviceError) as info:
        microbit.exec("from microbit import *\nif button_a.was_presed():\n    print('A')")
    head = str(info.value).split("---")[0]
    assert "AttributeError" in head and "was_presed" in head
    assert "2 行目 → if button_a.was_presed():" in head
    assert "つづり" in head and "`was_pressed` ではありませんか" in head


def test_the_line_is_the_learners_not_the_kits_own_module(microbit):
    with pytest.raises(DeviceError) as info:  # raised inside the kit's driver, called from line 3
        microbit.exec("import kit_sensors\n\nkit_sensors.read('no_such_sensor')")
    assert "kit_sensors.py" in info.value.traceback
    assert info.value.line == 3
    assert "3 行目 → kit_sensors.read('no_such_sensor')" in str(info.value)
