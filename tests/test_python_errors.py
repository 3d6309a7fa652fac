"""Japanese help for Python's own errors (chiiki_iot.checks.python_errors).

The message-building is tested in plain Python (fast); the display is tested in ONE real
ipykernel shared by this file (kernels are slow to start), driven over Jupyter messaging as
JupyterLab and nbgrader drive it.
"""
from __future__ import annotations

import codeop
import linecache
import re
import uuid

import pytest
from jupyter_client import KernelManager

from chiiki_iot.checks import CheckFailed
from chiiki_iot.checks.marks import NG
from chiiki_iot.checks.python_errors import PYTHON_SAYS, explain, install

ANSI = re.compile(r"\x1b\[[0-9;]*m")


# ---------------------------------------------------------------------------------------------
# The help, in plain Python
# ---------------------------------------------------------------------------------------------
def help_for(code: str, flags: int = 0):
    """Run ``code`` as a notebook cell would (``__main__``, source in linecache); the help of its error."""
    filename = f"<cell-{uuid.uuid4().hex}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    try:
        exec(compile(code, filename, "exec", flags), {"__name__": "__main__"})
    except Exception as error:
        return explain(error)
    finally:
        linecache.cache.pop(filename, None)
    raise AssertionError(f"no error from {code!r}")


UNIT_CASES = [
    # code, words of the headline, words that must appear somewhere in the help
    ('x = "将来像', "引用符", "始まりと同じ引用符"),
    ("x = '''abc", "引用符", "終わりの引用符"),
    ("if 1 > 0\n    x = 1", "「:」（コロン）がありません", "if jinko > 1000:"),
    ('print("a"', "かっこ「(」が閉じていません", "「)」を付けます"),
    ("x = [1, 2", "かっこ「[」が閉じていません", "「]」を付けます"),
    ("x = (1, 2]", "かっこの対応が合っていません", "( は ) で"),
    ('print（"a"）', "全角の文字「（」", "半角の「(」に直します"),
    ("x = ”abc”", "全角の文字「”」", "半角の「\"」に直します"),
    ('print("a"、"b")', "全角の文字「、」", "半角の「,」に直します"),
    ("x = 1\u3000+ 2", "全角の空白（全角スペース）", "半角スペースに直します"),
    ("x = １２", "全角の文字「１」", "半角の「1」に直します"),
    ("x = 3人", "文法", "文字列として \"...\" で囲みます"),
    ("x = 1\n    y = 2", "いらない字下げ", "左端から"),
    ("if True:\nx = 1", "字下げが必要です", "pass"),
    ("if True:\n    a = 1\n  b = 2", "深さがそろっていません", "4 つずつ"),
    ("if True:\n\ta = 1\n        b = 2", "タブと空白が混ざっています", "半角スペース 4 つ"),
    ('print("a" "b" 1)', "カンマ", "「,」を入れます"),
    ("if x = 1:\n    pass", "「=」と「==」", "「==」を使います"),
    ("shoraizo = 将来像", "「将来像」という名前の変数はありません", '文字列は "..." で囲みます。例: shoraizo = "将来像"'),
    ("total = jinko_2020 + 1", "変数「jinko_2020」がまだありません", "上のセル"),
    ("jinko = 5\ntotal = jinkou + 1", "変数「jinkou」がまだありません", "もしかして「jinko」ですか？"),
    ("df = pd.DataFrame()", "「pd」がまだ使えるようになっていません", "準備のセル"),
    ('"人口" + 100', "文字列と数を", "f\"人口は{jinko}人\""),
    ('100 + "人"', "文字列と数を", "int(\"100\")"),
    ("len(5)", "型（種類）", "print(type(値))"),
    ("print = 1\nprint(2)", "関数ではない", "上書き"),
    ("def f(a):\n    return a\nf(1, 2)", "引数", "help(関数名)"),
    ("x = None\nx[0]", "[ ] を付けて中身を取り出せません", "None"),
    ("for i in 5:\n    pass", "for で 1 つずつ取り出せません", "range(5)"),
    ('"3" < 4', "比べられない", "int()・float()"),
    ('d = {"人口": 1, "世帯": 2}\nd["面積"]', "キー '面積' が見つかりません", "「d」にあるキー: '人口'、'世帯'"),
    ('d = {"人口": 1}\nd["人口 "]', "キー '人口 ' が見つかりません", "もしかして '人口' ですか？"),
    ("xs = [1, 2, 3]\nxs[3]", "範囲の外", "「xs」の長さは 3 なので、使える番号は 0〜2 です。"),
    ("xs = []\nxs[0]", "範囲の外", "「xs」は空です（長さ 0）"),
    ('"abc".appendd("d")', "「str」型の値には「.appendd」がありません", "print(type(値))"),
    ('x = [3, 1].sort()\nx.append(1)', "値が None", "append・sort"),
    ("import math\nmath.sqr(2)", "モジュール「math」に「sqr」はありません", "もしかして「.sqrt」ですか？"),
    ('int("12人")', "文字列 '12人' を、数に変えられません", "単位を取り除いて"),
    ('int("1.5")', "数に変えられません", "float() で数にします"),
    ('float("1,234")', "文字列 '1,234' を、数に変えられません", "replace"),
    ("a, b = [1, 2, 3]", "変数の数と、右側の値の数が合っていません", "そろえます"),
    ('b"\\x93\\xfa".decode("utf-8")', "文字コード", "encoding=\"cp932\""),
    ("1 / 0", "0 で割り算をしました", "if kensu != 0:"),
    ("import panda_s_not_here", "モジュール「panda_s_not_here」が見つかりません", "./academy lab"),
    ("from microbit import display", "ボードの中の MicroPython", "board.exec"),
    ('open("no_such_file_here.csv")', "ファイル「no_such_file_here.csv」が見つかりません", "拡張子"),
]


@pytest.mark.parametrize("code, headline, advice", UNIT_CASES, ids=[c[0][:30] for c in UNIT_CASES])
def test_each_beginner_error_gets_its_japanese_help(code, headline, advice):
    help_ = help_for(code)
    assert help_ is not None, code
    lines = help_.lines()
    assert lines[0].startswith(f"{NG} ") and headline in lines[0], lines
    assert lines[1].startswith("考えられること: ") and lines[2] == "まず試すこと:", lines
    assert 1 <= len(help_.tries) <= 3 and all(t.startswith("  ・") for t in lines[3:]), lines
    assert advice in str(help_), str(help_)
    assert "\x1b" not in str(help_)


@pytest.mark.parametrize("code, headline", [('print("a"', "かっこ「(」が閉じていません"),
                                            ('x = """abc', "引用符"), ("x = [1,\n2", "かっこ「[」が閉じていません")])
def test_incomplete_input_as_ipython_compiles_a_cell_names_what_is_left_open(code, headline):
    help_ = help_for(code, codeop.PyCF_DONT_IMPLY_DEDENT)  # the flag IPython compiles cells with
    assert headline in help_.headline, str(help_)


def test_a_modules_own_error_classes_and_unknown_errors_get_no_help():
    import json
    with pytest.raises(json.JSONDecodeError) as info:
        json.loads("{")
    assert explain(info.value) is None  # a library's own subclass: its message says more
    assert explain(RuntimeError("boom")) is None
    assert explain(CheckFailed("q1", ["ヒント"])) is None


def test_a_builtin_error_the_toolkit_raised_in_japanese_gets_no_more_help():
    from chiiki_iot.checks import Checks
    with pytest.raises(KeyError) as info:
        Checks("t").question("q9")
    assert explain(info.value) is None


def test_outside_ipython_install_does_nothing():
    assert install() is False


# ---------------------------------------------------------------------------------------------
# In a real kernel
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """One ipykernel for this file, with the help installed (twice: notebooks call it in every set-up cell)."""
    folder = tmp_path_factory.mktemp("python_errors")
    # Unix sockets, not TCP ports: a port picked and freed can be taken by another worker's kernel.
    km = KernelManager(kernel_name="python3", transport="ipc", ip=str(folder / "kernel-ipc"))
    km.start_kernel(cwd=str(folder))
    kc = None
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        reply, _ = run(kc, "from chiiki_iot.checks.python_errors import install\nprint(install(), install())")
        assert reply["status"] == "ok", reply
        yield kc
    finally:
        if kc is not None:
            kc.stop_channels()
        km.shutdown_kernel(now=True)


def run(kc, code: str):
    """Execute one cell; its reply content and its iopub output messages."""
    outputs = []
    reply = kc.execute_interactive(code, timeout=60, output_hook=outputs.append, store_history=True)
    return reply["content"], outputs


def error_of(kc, code: str):
    """Run a cell that must fail: the (single) error output's ename and its traceback text without colours."""
    reply, outputs = run(kc, code)
    assert reply["status"] == "error", (code, reply)  # nbgrader and nbval count the cell as failed
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    assert len(errors) == 1, (code, outputs)
    return errors[0]["ename"], ANSI.sub("", "\n".join(errors[0]["traceback"]))


KERNEL_CASES = [
    # code, ename, Japanese headline, Python's own words
    ('x = "将来像', "SyntaxError", "文字列の引用符", "unterminated string literal"),
    ("if 1 > 0\n    x = 1", "SyntaxError", "「:」（コロン）がありません", "expected ':'"),
    ('print("a"', "SyntaxError", "かっこ「(」が閉じていません", "incomplete input"),  # IPython's compile flags
    ('print（"a"）', "SyntaxError", "全角の文字「（」", "invalid character '（' (U+FF08)"),
    ("x = 1\u3000+ 2", "SyntaxError", "全角の空白（全角スペース）", "U+3000"),
    ("x = 1\n    y = 2", "IndentationError", "いらない字下げ", "unexpected indent"),
    ("if True:\n\ta = 1\n        b = 2", "TabError", "タブと空白が混ざっています", "inconsistent use of tabs and spaces"),
    ('exec("x = (")', "SyntaxError", "かっこ「(」が閉じていません", "'(' was never closed"),
    ("shoraizo = 将来像", "NameError", "「将来像」という名前の変数はありません", "name '将来像' is not defined"),
    ("total = jinko_2020 + 1", "NameError", "変数「jinko_2020」がまだありません", "name 'jinko_2020' is not defined"),
    ('"人口" + 100', "TypeError", "文字列と数を", 'can only concatenate str (not "int") to str'),
    ('d = {"人口": 1, "世帯": 2}\nd["面積"]', "KeyError", "キー '面積' が見つかりません", "KeyError: '面積'"),
    ("xs = [1, 2, 3]\nxs[3]", "IndexError", "番号（インデックス）が、範囲の外です", "list index out of range"),
    ('"abc".appendd("d")', "AttributeError", "「str」型の値には「.appendd」がありません",
     "'str' object has no attribute 'appendd'"),
    ('int("12人")', "ValueError", "文字列 '12人' を、数に変えられません", "invalid literal for int() with base 10: '12人'"),
    ("1 / 0", "ZeroDivisionError", "0 で割り算をしました", "division by zero"),
    ("import panda_s_not_here", "ModuleNotFoundError", "モジュール「panda_s_not_here」が見つかりません",
     "No module named 'panda_s_not_here'"),
]


@pytest.mark.parametrize("code, ename, headline, python_says", KERNEL_CASES, ids=[c[1] + ":" + c[0][:20] for c in KERNEL_CASES])
def test_the_learner_sees_japanese_help_above_pythons_own_message(kernel, code, ename, headline, python_says):
    shown_ename, shown = error_of(kernel, code)
    assert shown_ename == ename
    assert f"{NG} " in shown and headline in shown, shown
    assert PYTHON_SAYS in shown and python_says in shown, shown
    assert shown.index(headline) < shown.index(PYTHON_SAYS) < shown.rindex(python_says), shown
    assert shown.count(PYTHON_SAYS) == 1, shown  # installed twice, shown once


def test_the_learners_own_line_is_shown_and_library_lines_are_left_out(kernel):
    _, shown = error_of(kernel, 'import pandas as pd\ndf = pd.DataFrame({"人口": [1]})\ndf["人口 "]')
    assert "キー '人口 ' が見つかりません" in shown and "'人口'" in shown and "もしかして '人口' ですか？" in shown
    assert 'df["人口 "]' in shown and "KeyError: '人口 '" in shown, shown  # the cell's line, Python's error line
    assert "pandas/core" not in shown and "The above exception" not in shown, shown
    assert "%tb" in shown


def test_other_errors_keep_ipythons_full_traceback(kernel):
    ename, shown = error_of(kernel, 'def f():\n    raise RuntimeError("boom")\nf()')
    assert ename == "RuntimeError"
    assert "Traceback" in shown and "RuntimeError: boom" in shown and "f()" in shown
    assert NG not in shown and PYTHON_SAYS not in shown


def test_a_check_failure_shows_only_its_japanese_message(kernel):
    ename, shown = error_of(kernel, "from chiiki_iot.checks import CheckFailed\n"
                                    "raise CheckFailed('q1', ['ヒント: 目標から現状を引きます。'], '差')")
    assert ename == "CheckFailed"
    assert shown.splitlines() == CheckFailed("q1", ["ヒント: 目標から現状を引きます。"], "差").render().splitlines()


def test_the_toolkits_learner_facing_errors_show_only_their_japanese_message(kernel):
    ename, shown = error_of(kernel, "from chiiki_iot.logic.errors import TreeError\n"
                                    "raise TreeError('2行目: 字下げがそろっていません。前の行と同じ数の空白にしてください。')")
    assert ename == "TreeError" and "字下げがそろっていません" in shown and "Traceback" not in shown
    from chiiki_iot.kpi.errors import KPIError
    from chiiki_iot.opendata.reader import OpenDataError
    from chiiki_iot.opendata.wareki import WarekiError
    assert all(cls.learner_message_only for cls in (KPIError, OpenDataError, WarekiError))


def test_an_error_marked_learner_message_only_shows_only_its_message(kernel):
    ename, shown = error_of(kernel, "class BoardGone(Exception):\n    learner_message_only = True\n"
                                    "raise BoardGone('ボードが外れました。USB ケーブルを差し直してください。')")
    assert ename == "BoardGone"
    assert shown == "ボードが外れました。USB ケーブルを差し直してください。"


def test_installing_again_and_again_shows_the_help_once(kernel):
    reply, _ = run(kernel, "install(); install()")
    assert reply["status"] == "ok"
    _, shown = error_of(kernel, "shoraizo = 将来像")
    assert shown.count("「将来像」という名前の変数はありません") == 1 and shown.count(PYTHON_SAYS) == 1, shown
    _, shown = error_of(kernel, 'x = "将来像')
    assert shown.count("文字列の引用符") == 1 and shown.count(PYTHON_SAYS) == 1, shown


def test_a_notebook_with_checks_keeps_the_help_and_the_hint_only_check_failures(kernel):
    """``Checks(...)`` installs the same handler: the help stays, and a hidden test shows only its hint."""
    reply, _ = run(kernel, "from chiiki_iot.checks import Checks, expect\n"
                           "checks = Checks('t')\nchecks.add('q1', 'gap', expect.number())\ngap = 31")
    assert reply["status"] == "ok", reply
    try:
        _, shown = error_of(kernel, "shoraizo = 将来像")
        assert "「将来像」という名前の変数はありません" in shown, shown
        ename, shown = error_of(kernel, "with checks.grading('q1'):\n    assert gap == 32, 'ヒント: 目標から現状を引きます。'")
        assert ename == "WrongAnswer" and "ヒント: 目標から現状を引きます。" in shown
        assert "gap == 32" not in shown and "Traceback" not in shown, shown
    finally:
        run(kernel, "install()")



def test_every_kernel_of_the_environment_explains_errors_before_any_set_up_cell(tmp_path):
    """A learner who has not run the set-up cell yet still gets the Japanese help: the environment's
    kernels load it (enable_in_kernels, run by chiiki-iot lab, the hub's configure and the suite)."""
    from jupyter_client.manager import KernelManager

    from chiiki_iot.checks.python_errors import KERNEL_CONFIG_LINE, enable_in_kernels

    path = enable_in_kernels()
    enable_in_kernels()  # a second run adds nothing
    assert path is not None and path.read_text(encoding="utf-8").count(KERNEL_CONFIG_LINE) == 1
    errors = []
    km = KernelManager(kernel_name="python3", transport="ipc", ip=str(tmp_path / "k"))
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive('checks("q1_bunrui")', timeout=60,
                                       output_hook=lambda msg: errors.append(msg) if msg["msg_type"] == "error" else None)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    assert reply["content"]["status"] == "error"
    text = "\n".join(line for msg in errors for line in msg["content"]["traceback"])
    assert "準備のセル" in text and "name 'checks' is not defined" in text, text
