"""``kit.trial.program_runs``: the format check of a board program runs it on a fresh,
fast-forwarded virtual board, so a program that crashes there is not passed as fine."""
from __future__ import annotations

import time

from chiiki_iot.kit import Pulses
from chiiki_iot.kit.trial import program_runs

KAZOERU = '''
from microbit import *
count = 0
display.show(count)
while True:
    if button_a.was_pressed():
        count += 1
        display.show(count)
'''


def test_a_correct_program_passes_quickly():
    check = program_runs(name="kazoeru", button_a=Pulses(at=[0.5, 1.0], width=0.1))
    started = time.monotonic()
    assert check(KAZOERU) == []
    assert time.monotonic() - started < 5  # board time is fast-forwarded (about 0.1 s here)


def test_a_misspelt_method_that_crashes_on_the_board_is_a_japanese_problem():
    problems = program_runs(name="kazoeru")(KAZOERU.replace("was_pressed", "was_presed"))
    text = "\n".join(problems)
    assert "6 行目でエラーになりました" in problems[0]
    assert "AttributeError" in problems[0] and "was_presed" in problems[0]
    assert "6 行目: if button_a.was_presed():" in problems  # the learner's own line
    assert "つづり" in text and "`was_pressed` ではありませんか" in text


def test_a_crash_only_after_a_press_is_found_with_a_press_in_the_scenario():
    code = KAZOERU.replace("        display.show(count)", "        display.shw(count)")
    assert program_runs(name="kazoeru")(code) == []  # never pressed: the line never ran
    problems = program_runs(name="kazoeru", button_a=Pulses(at=[0.5], width=0.1))(code)
    assert "8 行目" in problems[0] and "`show` ではありませんか" in problems[-1]


def test_a_syntax_error_names_the_line():
    code = KAZOERU.replace("while True:", "while True")
    problems = program_runs(name="kazoeru")(code)
    assert problems[0].startswith("kazoeru の 5 行目の書き方（文法）に誤りがあります")
    assert "5 行目: while True" in problems
    assert "コロン" in problems[-1]


def test_an_error_in_a_function_called_after_the_program_names_its_line():
    code = "import kit_sensors\n\ndef kazoeru(byou):\n    return byou / 0\n"
    problems = program_runs(name="pir_count.py", board_module=False, contains=["def kazoeru"],
                            then="kazoeru(1)")(code)
    assert "4 行目でエラーになりました" in problems[0] and "ZeroDivisionError" in problems[0]
    assert "4 行目: return byou / 0" in problems
    assert "0 で割ろうとしました" in problems[-1]


def test_what_is_checked_before_running():
    check = program_runs(name="pir_count.py", board_module=False, contains={"def kazoeru": "kazoeru がありません。"})
    assert "ファイル pir_count.py がまだありません" in check(None)[0]
    assert "ひな形" in check("def kazoeru(byou):\n    # ここに答えを書いてください\n    ...\n")[0]
    assert check("import time\n\ndef kazoete(byou):\n    return 0\n") == ["kazoeru がありません。"]
    assert "ボードのモジュール" in program_runs()("x = 1\nprint(x, x, x, x, x)\n")[0]
    assert "まだ `...` のまま" in program_runs()(...)[0]


def test_trying_a_program_that_crashes_shows_the_line_and_what_it_means():
    from chiiki_iot.kit.trial import run_program

    text = run_program("from microbit import *\nx = 0\nprint(1 / x)\n", seconds=1).describe()
    assert "エラーで止まりました: ZeroDivisionError" in text
    assert "3 行目: print(1 / x)" in text and "0 で割ろうとしました" in text
