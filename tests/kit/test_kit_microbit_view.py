"""The board view (``kit.microbit_view``): a micro:bit a child can see and press, on the real
MicroPython of the virtual kit. Its buttons and tilt reach the program; its LEDs and its
text match ``display`` after each step and while a program runs; closing it stops its thread."""
from __future__ import annotations

import threading

import pytest

from chiiki_iot.kit import club
from chiiki_iot.kit.microbit_view import (BoardState, MicrobitView, SoundEvent, describe_leds, describe_sound,
                                          pressed_words, read_shown)
from kit_fixtures import FAILURE_BOUND_S, make_board, make_kit  # noqa: F401

HEART = ["09090", "99999", "99999", "09990", "00900"]


def _display_rows(board) -> list[str]:
    """What the board's own ``display`` says, row by row (asked over the REPL)."""
    return board.eval("[''.join(str(display.get_pixel(x, y)) for x in range(5)) for y in range(5)]")


@pytest.fixture
def viewed(make_board):
    """A virtual micro:bit and its board view (closed after the test): ``(board, view)``."""
    b = make_board()
    view = MicrobitView(b)
    try:
        yield b, view
    finally:
        view.close()


def test_button_a_on_the_view_reaches_was_pressed_and_get_presses(viewed):
    b, view = viewed
    b.exec("from microbit import *\nbutton_a.was_pressed()\nbutton_a.get_presses()")
    view.button_a.click()  # what a child's click runs
    assert b.eval("button_a.was_pressed()") is True
    assert b.eval("button_a.get_presses()") == 1
    assert b.eval("button_a.was_pressed()") is False
    assert "ボタンA を おしました" in view.text
    view.button_b.click()
    assert b.eval("button_b.is_pressed()") is True
    assert b.eval("button_b.get_presses()") == 1
    view.logo.click()
    assert b.eval("pin_logo.is_touched()") is True
    assert b.eval("pin_logo.was_touched()") is True
    assert "ロゴに さわりました" in view.text


def test_tilt_shake_light_and_temperature_reach_the_sensors(viewed):
    b, view = viewed
    b.exec("from microbit import *")
    view.tilt_x.value = 600
    view.tilt_y.value = -300
    assert b.eval("(accelerometer.get_x(), accelerometer.get_y())") == (600, -300)
    assert b.eval("accelerometer.current_gesture()") == "right"
    assert "右に 600" in view.text
    view.flat.click()
    assert b.eval("accelerometer.get_x()") == 0
    view.shake.click()
    # gestures are sampled every 20 ms of board time: a program looks after a short sleep
    assert b.eval("sleep(100) or accelerometer.was_gesture('shake')") is True
    view.light.value = 200
    assert b.eval("display.read_light_level()") == 200
    view.temperature.value = 33
    assert b.eval("temperature()") == 33


def test_leds_and_their_text_match_display_after_each_step(viewed):
    b, view = viewed
    assert describe_leds(view.state) == "LED: ぜんぶ きえています"
    b.exec("from microbit import *\ndisplay.show(Image.HEART)")
    state = view.refresh()
    assert state.rows() == HEART == _display_rows(b)
    assert "LED: ハートの形です（25こ のうち 16こ が ついています）" in view.text
    assert "○●○●○\n●●●●●" in view.text  # the rows for a screen reader
    assert view.leds_html.value.count("background:#ff3030") == 16  # lit LEDs, full red
    b.exec("display.set_pixel(0, 0, 4)\ndisplay.set_pixel(2, 1, 0)")
    state = view.refresh()
    assert state.rows() == _display_rows(b) == ["49090", "99099", "99999", "09990", "00900"]
    assert view.text.splitlines()[:2] == ["LED: 25こ のうち 16こ が ついています", "◐●○●○"]
    # a real board is read with board.eval: the same state
    assert MicrobitView(b, source="eval").state == state
    b.exec("display.scroll('Hi')")
    view.refresh()
    assert view.text.startswith("LED: 文字「Hi」を 流しています")
    b.exec("display.off()")
    assert view.refresh().on is False and view.text.startswith("LED: 画面が オフです")


def test_a_running_programs_display_and_sound_reach_the_view(make_board):
    b = make_board(speed=1)
    view = MicrobitView(b)
    seen = threading.Event()
    view.on_change(lambda s: seen.set() if s.rows() == HEART else None)
    b.start("from microbit import *\nimport music\nsleep(200)\ndisplay.show(Image.HEART)\n"
            "music.pitch(262, 100)\nwhile True:\n    sleep(50)\n")
    try:
        # only the view's own thread looks at the board (the REPL is busy with the program)
        assert view.wait_for(lambda s: s.rows() == HEART and s.sounds, FAILURE_BOUND_S)
        assert seen.is_set()
        assert b.running
        assert view.wait_for(lambda s: "音: 1こ 鳴りました → ド（262Hz） 0.1秒" == view.last_event, FAILURE_BOUND_S)
        assert view.audio.value[:4] == b"RIFF"  # a WAV for the browser
    finally:
        b.stop()


def test_a_real_board_is_mirrored_by_eval_between_cells(make_board):
    """On a real micro:bit the view asks ``board.eval`` from the notebook's event loop, so a
    cell's own calls to the board are never interrupted (played here by the virtual board)."""
    import asyncio
    import time

    b = make_board()
    yes = ["00000", "00009", "00090", "90900", "09000"]

    async def notebook():
        view = MicrobitView(b, source="eval", interval=0.05)
        assert view.button_a.disabled is False  # a virtual board: its buttons still work
        b.exec("from microbit import *\ndisplay.show(Image.YES)")  # a cell: the loop waits meanwhile
        deadline = time.monotonic() + FAILURE_BOUND_S
        while view.state.rows() != yes and time.monotonic() < deadline:
            await asyncio.sleep(0.02)  # between cells
        assert view.polling
        view.close()
        return view

    view = asyncio.run(notebook())
    assert view.state.rows() == yes and "チェック（はい）の形" in view.text
    assert not view.polling


def test_closing_the_view_or_the_board_stops_its_polling(make_board):
    b = make_board()
    view = MicrobitView(b)
    thread = view._thread
    assert thread.is_alive() and view.polling
    view.close()
    assert not thread.is_alive() and not view.polling
    again = MicrobitView(b)
    newer = MicrobitView(b)  # a cell run again: the older view stops
    assert not again.polling and newer.polling
    b.close()
    newer._thread.join(FAILURE_BOUND_S)
    assert not newer.polling
    assert "ボードとの接続が切れました" in newer.text
    assert not [t for t in threading.enumerate() if t.name == "kit-microbit-view"]


def test_text_forms():
    assert describe_sound(SoundEvent(1, "note", "c4", 500)) == "音: ド（c4） 0.5秒"
    assert describe_sound(SoundEvent(1, "pitch", 880, 500)) == "音: 高いラ（880Hz） 0.5秒"
    assert describe_sound(SoundEvent(1, "pitch", 450, -1)) == "音: 450Hz の音"
    assert describe_sound(SoundEvent(1, "sound", "happy", 1000)) == "音: うれしい音"
    assert describe_leds(BoardState(on=False)) == "LED: 画面が オフです"
    assert pressed_words("a") == "ボタンA を おしました"
    assert pressed_words("B", 3) == "ボタンB を 3回 おしました"
    assert pressed_words("logo", 2) == "ロゴに 2回 さわりました"


def test_read_shown_gives_what_was_shown_and_played_since_the_last_look(make_board):
    b = make_board()
    b.exec("from microbit import *\nimport music\ndisplay.scroll('Hi')\nmusic.play(['c4:4', 'r'])\n"
           "audio.play(Sound.HAPPY)")
    first = read_shown(b)
    assert first.texts == (("scroll", "Hi"),)
    assert [(s.kind, s.a, s.ms) for s in first.sounds] == [("note", "c4", 500), ("note", "r", 500),
                                                          ("sound", "happy", None)]
    b.exec("display.show('OK')\nmusic.pitch(440, 200)")
    again = read_shown(b, first.mark)
    assert again.texts == (("show", "OK"),) and [(s.kind, s.a) for s in again.sounds] == [("pitch", 440)]
    assert read_shown(b, again.mark) == type(again)(mark=again.mark)  # nothing new


def test_the_club_helpers_say_the_board_in_the_views_words(viewed, capsys):
    """``kit.club`` (the ICT club notebooks) and the board view read and word the board the same way."""
    b, view = viewed
    club.run(b, "display.scroll('Hi')\ndisplay.show(Image.HAPPY)\nmusic.play('c4:4')")
    said = capsys.readouterr().out.splitlines()
    state = view.refresh()
    assert said == ["【ボードのようす】", describe_leds(state), *view.text.splitlines()[1:6],
                    "文字: 「Hi」を 流しました（2文字）", "音: 1こ 鳴りました → ド（c4） 0.5秒"]
    assert said[1] == "LED: にこにこの顔の形です（25こ のうち 7こ が ついています）"
    assert club.lit(b) == state.lit == 7
    club.tell(b)
    assert capsys.readouterr().out.splitlines()[-1] == "音: 新しく 鳴った音は ありません"
    club.press(b, "A", times=3)
    assert capsys.readouterr().out == "（ボタンA を 3回 おしました）\n"
    assert b.eval("button_a.get_presses()") == 3
    club.set_sensor(b, light=800, temperature=30)
    club.set_sensor(b, light=100)
    assert b.eval("(display.read_light_level(), temperature())") == (25, 30)
