"""From cards to code (``kit.cards``): cards chosen in menus become MicroPython that runs on
the real MicroPython virtual micro:bit; the widget shows the code, tries it, and hands it on
to a new cell; cards that are not a program yet get a friendly message, never a traceback."""
from __future__ import annotations


import pytest

from chiiki_iot.kit import Constant, Pulses
from chiiki_iot.kit.cards import CARDS, CardError, Rule, Program, card_builder, from_cards, try_program
from chiiki_iot.kit.microbit_view import MicrobitView
from chiiki_iot.kit.trial import image_name, run_program
from kit_fixtures import FAILURE_BOUND_S, ipython, make_board, make_kit  # noqa: F401

A_HEART = [("ボタンAがおされたら", None), ("ハートをひょうじ", None)]


def _images(run):
    return [image_name(what) for kind, what in run.display if kind == "image"]


def test_button_a_then_heart_shows_a_heart_after_a_press_of_a_and_not_before():
    code = from_cards(A_HEART).to_micropython()
    assert "from microbit import *" in code and "while True:" in code and "button_a.was_pressed()" in code
    press = Pulses(at=[2.0], width=0.2)
    before = run_program(code, seconds=1.9, button_a=press)
    after = run_program(code, seconds=3, button_a=press)
    assert before.ended == after.ended == "time"
    assert before.display == []
    assert _images(after) == ["HEART"]


def test_every_card_kind_makes_code_that_runs_on_the_virtual_board():
    cards = [
        ("はじめたとき", None), ("文字をながす", "HI"), ("数字をひょうじ", 7),
        ("ボタンAがおされたら", None), ("かぞえる（+1）", None), ("数字をひょうじ", "かぞえた数"),
        ("ボタンBがおされたら", None), ("にこにこをひょうじ", None), ("音をならす", "ミ"),
        ("ゆらしたら", None), ("ハートをひょうじ", None), ("まつ", "0.5びょう"), ("けす", None),
        ("ロゴにさわったら", None), ("音をならす", "高いド"),
        ("ずっと", None), ("明るさが○より大きいなら", 200), ("temp_above", 28), ("にこにこをひょうじ", None),
    ]
    with pytest.raises(CardError, match="すぐ あと"):  # two もし cards on one いつ
        from_cards(cards)
    del cards[-2]
    cards += [("ずっと", None), ("温度が○より高いなら", 28), ("けす", None)]
    program = from_cards(cards)
    assert {s.card for s in program.cards()} == set(CARDS)  # the test uses every card there is
    code = program.to_micropython()
    compile(code, "cards", "exec")
    run, text = try_program(code)  # A at 1 and 4 s, B at 2, a shake at 3, the logo at 5
    assert run.ended == "time", text
    assert run.shown[:2] == ["HI", "7"]
    assert [s for s in run.shown if s.isdigit()][1:] == ["1", "2"]  # counted each press of A
    assert _images(run) == ["HAPPY", "HEART"]  # B, then the shake
    assert [note for note, _ms in run.played] == ["e4", "c5"]  # B, then the logo
    assert "ボタンA" in text and "絵 HEART" in text
    # the もし cards read the sensors: bright and warm
    warm, _ = try_program(code, seconds=4, light=Constant(1000), temperature=Constant(30))
    assert _images(warm)[:1] == ["HAPPY"]
    cool, _ = try_program(code, seconds=4, light=Constant(100), temperature=Constant(20))
    assert _images(cool) == []


def test_a_program_built_from_rules_matches_the_cards():
    built = Program([Rule("button_a", ["heart"])])
    assert built.to_micropython() == from_cards(A_HEART).to_micropython()
    assert from_cards(A_HEART).describe() == "ボタンAがおされたら → ハートをひょうじ"


def test_the_widget_buttons_update_the_code_and_run_it():
    b = card_builder()
    menu, option, put = b.pickers["when"]
    assert b.code is None and "いつ" in b.code_view.value
    menu.value = "button_a"
    assert "ボタンAを おすたびに" in menu.tooltip  # the card's description for a screen reader
    put.click()
    menu, option, put = b.pickers["do"]
    menu.value = "tone"
    assert not option.disabled and option.options[0] == "ド"
    option.value = "ソ"
    put.click()
    assert [s.text for s in b.steps] == ["ボタンAがおされたら", "音をならす（ソ）"]
    assert 'music.play("g4:4")' in b.code_view.value.replace("&quot;", '"')
    b.buttons["run"].click()
    assert b.last_run is not None and b.last_run.ended == "time"
    assert [n for n, _ in b.last_run.played] == ["g4", "g4"]  # A pressed twice in the quick check
    assert "鳴らした音: 2 回" in b.message and "鳴らした音" in b.result.value
    b.buttons["undo"].click()
    assert b.code is None and "「する」の カード" in b.code_view.value
    b.buttons["clear"].click()
    assert b.steps == [] and "まだ カードが ありません" in b.message


def test_the_widget_runs_the_program_on_a_board_it_is_given(make_board):
    board = make_board("microbit_v2")
    b = card_builder(board, cards=A_HEART)
    board.scenario(button_a=Pulses(at=[0.0], width=0.3))  # pressed as the program starts
    view = MicrobitView(board, sound=False)  # the LEDs as the child sees them, read while the program runs
    try:
        b.buttons["run"].click()
        assert board.running and "とめる" in b.message
        assert view.wait_for(lambda s: s.lit > 0, timeout=FAILURE_BOUND_S), "the heart never reached the LEDs"
    finally:
        view.close()
    b.buttons["stop"].click()
    assert not board.running and "とめました" in b.message
    assert board.eval("[k for k, w in display.history]") == ["image"]
    assert board.eval("display.image() == Image.HEART") is True


def test_stopping_a_virtual_program_waits_for_its_sleep_instead_of_interrupting_the_interpreter(make_board):
    """The unix port's Ctrl-C (SIGINT) lands anywhere, even in its garbage collector, and could leave
    the board broken ("heap is locked", lost names): stop() asks the program to stop at its next sleep."""
    board = make_board("microbit_v2")
    board.start(from_cards(A_HEART).to_micropython())  # longer than a plain write: raw-paste, Ctrl-C is a SIGINT
    board.stop()
    assert board.kit.relay.sigints == 0
    assert not (board.kit.host_dir / "stop").exists()  # the request was taken, nothing left for the next program
    assert board.eval("display.image() is not None") is True


def test_a_virtual_program_that_never_sleeps_is_still_stopped(make_board):
    board = make_board("microbit_v2")
    board.start("from microbit import *\nn = 0\nwhile True:\n    n = n + 1  # never sleeps: the stop request is never taken\n")
    board.stop()
    assert board.kit.relay.sigints == 1 and not (board.kit.host_dir / "stop").exists()
    assert board.eval("n") > 0


def test_continue_in_code_puts_the_code_into_the_next_cell(ipython):
    b = card_builder(cards=A_HEART)
    b.buttons["code"].click()
    assert b.code == from_cards(A_HEART).to_micropython()
    assert ipython.rl_next_input == "%%board\n" + b.code  # the new cell runs on the board
    assert "board" in ipython.magics_manager.magics["cell"]
    assert "新しい セル" in b.message


def test_cards_that_are_not_a_program_yet_say_what_to_choose_next(ipython):
    b = card_builder(cards=[("ボタンAがおされたら", None)])
    ipython.rl_next_input = None
    for name in ("run", "code"):
        b.buttons[name].click()  # no traceback: a message
        assert "「ボタンAがおされたら」の あとに「する」の カードが ありません" in b.message
    assert ipython.rl_next_input is None and b.last_run is None
    b.add("ジャンプする")
    assert "「ジャンプする」という カードは ありません" in b.message and len(b.steps) == 1
    b.add("文字をながす", "こんにちは")
    assert "かな・漢字は 出せません" in b.message and len(b.steps) == 1
    with pytest.raises(CardError, match="まえに「いつ」の カードが いります"):
        from_cards([("ハートをひょうじ", None)])
    with pytest.raises(CardError, match="まだ カードが ありません"):
        from_cards([]).to_micropython()
    b2 = card_builder(cards=[])
    b2.add("heart")
    assert "まえに「いつ」の カード" in b2.message and "まえに「いつ」" in b2.code_view.value

