"""Japanese help for Python's own errors, in every notebook.

A learner who has never programmed meets ``NameError`` or ``SyntaxError`` in the first
hour, alone at night, in English. ``install()`` makes IPython (JupyterLab, nbgrader, nbval)
show the common beginner errors with a short Japanese explanation first: what probably
happened and what to try first. Python's own lines stay below it, as IPython formats them::

    ❌［要修正］ 「将来像」という名前の変数はありません。
    考えられること: 「将来像」を文字として書くつもりで、引用符で囲み忘れたようです。…
    まず試すこと:
      ・文字列は "..." で囲みます。例: "将来像"
      …

    Python のメッセージ（英語）:
    Cell In[3], line 1
    ----> 1 shoraizo = 将来像
    NameError: name '将来像' is not defined

The cell still ends in an error output (nbgrader and nbval see a failed cell).

One IPython custom exception handler serves every kind of error shown to a learner:

* ``CheckFailed`` of :mod:`chiiki_iot.checks`: its ``render()`` lines only (no hidden test code);
* any exception whose class sets ``learner_message_only = True`` (the kit's errors, already
  written in Japanese): its message only, no traceback;
* the beginner errors: Japanese help, then Python's own last lines (the learner's cell line
  and the error line; ``%tb`` shows everything);
* anything else: IPython's usual traceback.

Syntax errors found while compiling a cell are shown through the same code (IPython hands
them to the custom handler, or to ``showsyntaxerror``, which is wrapped too).

In a notebook without ``Checks`` (the first cell of module 00)::

    from chiiki_iot.checks.python_errors import install
    install()

The help itself is plain Python, usable and testable without IPython:

    >>> try:
    ...     exec("shoraizo = 将来像", {})
    ... except NameError as error:
    ...     print(explain(error))
    ❌［要修正］ 「将来像」という名前の変数はありません。
    考えられること: 「将来像」を文字として書くつもりで、引用符で囲み忘れたようです。...
    まず試すこと:
      ・文字列は "..." で囲みます。例: "将来像"
      ・引用符は半角の " か ' を使います（全角の “ ” は使えません）。
"""
from __future__ import annotations

import builtins
import difflib
import linecache
import os
import re
import sys
import traceback
import types
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .marks import NG

__all__ = ["PYTHON_SAYS", "Help", "explain", "install"]

PYTHON_SAYS = "Python のメッセージ（英語）:"
_INSTALLED = "_chiiki_iot_python_errors"       # shell attribute: our handler is the custom one
_PREVIOUS = "_chiiki_iot_previous_custom_exc"  # shell attribute: a handler we found and chain to
_WRAPPED = "_chiiki_iot_wraps"                 # attribute of our showsyntaxerror wrapper


@dataclass(frozen=True)
class Help:
    """What probably happened and what to try first, in Japanese (plain text, no colours)."""

    headline: str
    happened: str
    tries: tuple[str, ...]

    def lines(self) -> list[str]:
        return [f"{NG} {self.headline}", f"考えられること: {self.happened}", "まず試すこと:",
                *(f"  ・{t}" for t in self.tries)]

    def __str__(self) -> str:
        return "\n".join(self.lines())


# ---------------------------------------------------------------------------------------------
# The help for each kind of error (plain Python)
# ---------------------------------------------------------------------------------------------
def explain(error: BaseException) -> Help | None:
    """The Japanese help for ``error``, or ``None`` when it is not a beginner error we know.

    Only Python's built-in error classes get help (a library's own error classes say more
    than we could). Uses ``error.__traceback__`` when there is one, to name the keys of the
    dict or the length of the list that was used.
    """
    for cls in type(error).__mro__:
        build = _BUILDERS.get(cls)
        if build is not None:
            if type(error).__module__ != "builtins" or _japanese_message_from_toolkit(error):
                return None
            return build(error)
    return None


def _syntax(e: SyntaxError) -> Help:
    msg = e.msg or ""
    if msg == "incomplete input":  # IPython compiles cells so that an open bracket only says this
        precise = _compile_error(e)
        if precise is not None and precise.msg != msg:
            return _syntax(precise)
        return Help("かっこや引用符が閉じないまま、セルが終わっています。",
                    "開きかっこ「(」「[」「{」や \"\"\" に対応する、閉じるほうがありません。",
                    ("かっこの数が左右で同じか数えて、足りない閉じかっこを付けます。",
                     "「:」で終わる行の次の行には、字下げした中身を書きます。"))
    if isinstance(e, TabError):
        return Help("字下げ（インデント）に、タブと空白が混ざっています。",
                    "行の先頭の字下げに、タブ文字と半角スペースの両方が使われています。",
                    ("字下げをいったん消して、半角スペース 4 つで打ち直します。",
                     "JupyterLab では、行を選んで Tab キーを押すと字下げ、Shift+Tab で戻せます。"))
    if isinstance(e, IndentationError):
        if msg.startswith("unexpected indent"):
            return Help("行の先頭に、いらない字下げ（空白）があります。",
                        "if や for の中ではない行が、空白で始まっています。",
                        ("^ の行の先頭の空白を消して、左端から書き始めます。",
                         "全角の空白（　）が入っていないかも確かめます。"))
        if msg.startswith("expected an indented block"):
            return Help("「:」の次の行に、字下げが必要です。",
                        "if・for・def などの「:」で終わる行の次の行は、字下げして書きます。",
                        ("「:」の次の行の先頭に、半角スペースを 4 つ入れます。",
                         "中身がまだ決まっていないときは、pass と書いておきます。"))
        return Help("字下げ（インデント）の深さがそろっていません。",
                    "同じまとまりの行は、同じ数の空白で字下げします。",
                    ("上の行と同じ位置から書き始めるように、先頭の空白の数をそろえます（ふつうは 4 つずつ）。",
                     "全角の空白（　）が入っていないかも確かめます。"))
    if msg.startswith(("unterminated string literal", "unterminated triple-quoted string literal")):
        return Help("文字列の引用符（\" または '）が閉じていません。",
                    "文字列の始まりの引用符はありますが、終わりの引用符がありません。",
                    ("文字列の最後に、始まりと同じ引用符を付けます。例: name = \"将来像\"",
                     "始まりと終わりで \" と ' が混ざっていないか、全角の ” を使っていないか確かめます。"))
    if msg.startswith("expected ':'"):
        return Help("行の終わりに「:」（コロン）がありません。",
                    "if・for・def・while・else などの行は、最後に半角の「:」を付けます。",
                    ("^ の行の最後に、半角の「:」を付けます。例: if jinko > 1000:",
                     "全角の「：」になっていないかも確かめます。"))
    never_closed = re.match(r"'(.)' was never closed", msg)
    if never_closed:
        opening = never_closed.group(1)
        closing = {"(": ")", "[": "]", "{": "}"}.get(opening, "")
        return Help(f"かっこ「{opening}」が閉じていません。",
                    f"開きかっこ「{opening}」に対応する閉じかっこ「{closing}」がありません。",
                    (f"対応する場所に「{closing}」を付けます。",
                     "かっこの数が左右で同じか、行の終わりまで数えて確かめます。"))
    if msg.startswith("unmatched") or "does not match opening parenthesis" in msg:
        return Help("かっこの対応が合っていません。",
                    "閉じかっこが多すぎるか、開きかっこと閉じかっこの種類が違います。",
                    ("^ の位置のかっこが、どの開きかっこと対になるか確かめます。",
                     "( は ) で、[ は ] で、{ は } で閉じます。"))
    invalid = re.match(r"invalid (?:non-printable )?character (?:'.' )?\(?U\+([0-9A-Fa-f]{4,6})\)?", msg)
    if invalid:
        return _invalid_character(chr(int(invalid.group(1), 16)))
    if "forgot a comma" in msg:
        return Help("カンマ「,」が抜けているようです。",
                    "並べた値のあいだに「,」がありません。",
                    ("^ の位置の前後の値のあいだに、半角の「,」を入れます。",))
    if "Maybe you meant '=='" in msg:
        return Help("「=」と「==」を取り違えているようです。",
                    "「=」は変数に値を入れる記号、「==」は等しいかどうかを比べる記号です。",
                    ("if の条件などで比べるときは「==」を使います。",
                     "値を入れるときは、左に変数名、右に値を書きます。例: jinko = 1000"))
    if msg.startswith("invalid decimal literal"):
        return Help("数字のすぐ後ろに、文字が続いています。",
                    "変数名は数字で始められません。数字のあとに単位などの文字を付けることもできません。",
                    ("数だけを書きます（「人」「円」などの単位は書きません）。",
                     "変数名は英字で始めます。例: q1_jinko"))
    tries = ["^ の位置と、その少し前を見直します（かっこ・引用符・カンマ・「:」の抜けがないか）。"]
    if _non_ascii_outside_strings(e.text or ""):
        tries.append("日本語の文字は、文字列として \"...\" で囲みます。例: basho = \"市役所\"")
    else:
        tries.append("全角の文字（記号や空白）が混ざっていないかも確かめます。")
    return Help("書き方（文法）に誤りがあります。",
                "Python が ^ の位置のあたりで、プログラムを読めなくなりました。", tuple(tries))


def _compile_error(e: SyntaxError) -> SyntaxError | None:
    """The error plain ``compile`` finds in the same cell (its message names the open bracket)."""
    source = "".join(linecache.getlines(e.filename)) if isinstance(e.filename, str) else ""
    try:
        compile(source or e.text or "", e.filename or "<cell>", "exec", dont_inherit=True)
    except SyntaxError as precise:
        return precise
    except Exception:
        return None
    return None


# Full-width and Japanese punctuation a learner types with the IME on, and what Python wants.
_HALF_WIDTH = {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "『": '"', "』": '"',
               "、": ",", "。": ".", "・": ".", "ー": "-", "〜": "~", "￥": "\\", "　": " "}


def _invalid_character(char: str) -> Help:
    fix = _HALF_WIDTH.get(char) or unicodedata.normalize("NFKC", char)
    shown = "全角スペース" if char == "\u3000" else char
    wide = unicodedata.east_asian_width(char) in ("F", "W") or char in _HALF_WIDTH
    if wide and fix != char:
        fix_shown = "半角スペース" if fix == " " else f"半角の「{fix}」"
        headline = "全角の空白（全角スペース）が入っています。" if char == "\u3000" else f"全角の文字「{shown}」が入っています。"
        return Help(headline,
                    "プログラムの部分（文字列の外）には、半角の英数字と記号しか書けません。"
                    "日本語入力（IME）がオンのまま打つと、全角になります。",
                    (f"^ の位置の「{shown}」を、{fix_shown}に直します。",
                     "日本語入力をオフにしてから、その部分を打ち直します。",
                     "日本語を書きたいときは、文字列として \"...\" で囲みます。"))
    return Help(f"使えない文字（U+{ord(char):04X}）が入っています。",
                "目に見えない文字や、Python で使えない記号が入っています。ほかの文書からの貼り付けでよく起きます。",
                ("^ の位置の文字を消して、半角で打ち直します。",
                 "日本語を書きたいときは、文字列として \"...\" で囲みます。"))


def _non_ascii_outside_strings(text: str) -> bool:
    code = re.sub(r"\"[^\"]*\"|'[^']*'|#.*", "", text)
    return any(ord(c) > 127 for c in code)


# Names a notebook's set-up cell imports: a NameError on one means that cell has not run.
_IMPORTS = {"pd": "import pandas as pd", "np": "import numpy as np", "plt": "import matplotlib.pyplot as plt",
            "od": "import chiiki_iot.opendata as od", "math": "import math", "random": "import random",
            "checks": "checks = Checks(...)", "Checks": "from chiiki_iot.checks import Checks",
            "expect": "from chiiki_iot.checks import expect"}


def _name_error(e: NameError) -> Help:
    name = getattr(e, "name", None) or _quoted(str(e)) or "?"
    if isinstance(e, UnboundLocalError):
        return Help(f"関数の中の変数「{name}」に、まだ値が入っていません。",
                    "関数の中で値を入れる変数は、その関数の中で値を入れる前には使えません。",
                    (f"関数の中で「{name}」を使う前に、値を入れます。",
                     "関数の外の値を使うときは、引数として渡します。"))
    if any(ord(c) > 127 for c in name):
        return Help(f"「{name}」という名前の変数はありません。",
                    f"「{name}」を文字として書くつもりで、引用符で囲み忘れたようです。"
                    "引用符がないと、Python は変数の名前だと思って探します。",
                    (f"文字列は \"...\" で囲みます。例: {_quote_in_line(e, name)}",
                     "引用符は半角の \" か ' を使います（全角の “ ” は使えません）。"))
    if name in _IMPORTS:
        return Help(f"「{name}」がまだ使えるようになっていません。",
                    f"「{name}」は、準備のセル（{_IMPORTS[name]}）を実行すると使えるようになります。"
                    "そのセルがまだ実行されていないようです。",
                    ("ノートブックの最初にある準備のセルから順に、Shift+Enter で実行します。",
                     "カーネルを再起動したあとは、準備のセルからもう一度実行します。"))
    tries = ["上のセル（最初の準備のセルから順に）を Shift+Enter で実行してから、このセルをもう一度実行します。"]
    suggestion = _did_you_mean(e)
    tries.append(f"名前の綴りと大文字・小文字を確かめます。もしかして「{suggestion}」ですか？" if suggestion
                 else "名前の綴りと大文字・小文字を確かめます。")
    tries.append(f"文字として書くつもりなら、\"{name}\" のように引用符で囲みます。")
    return Help(f"変数「{name}」がまだありません。",
                f"「{name}」を作るセルをまだ実行していないか、名前の綴りが違うようです。"
                "カーネルを再起動すると、それまでの変数はすべて消えます。", tuple(tries))


def _type_error(e: TypeError) -> Help:
    msg = str(e)
    types_ = re.findall(r"'(\w+)'", msg)
    check_type = "print(type(値)) で、値の型（種類）を確かめます。"
    if "can only concatenate str" in msg or re.search(r"for \+: '(str|int|float)' and '(str|int|float)'", msg) \
            and "str" in types_:
        return Help("文字列と数を、そのまま + でつなぐことはできません。",
                    "\"人口\" + 100 のように、文字列（str）と数（int・float）を足そうとしました。",
                    ("文字としてつなぐなら、f\"人口は{jinko}人\" のように書くか、str(数) で文字列にします。",
                     "数として計算するなら、int(\"100\") や float(\"1.5\") で数にします。"))
    if "unsupported operand type" in msg:
        return Help("この組み合わせの値どうしでは、計算できません。",
                    "型の違う値（文字列と数、None と数など）を計算しようとしました。",
                    (check_type, "CSV から読んだ数が、文字列のままのことがあります。int()・float() で数にします。"))
    if "object is not callable" in msg:
        kind = types_[0] if types_ else "?"
        return Help(f"「{kind}」型の値は関数ではないので、( ) を付けて呼び出せません。",
                    "関数の名前（print・sum など）を変数名に使って上書きしたか、かけ算の * が抜けています。",
                    ("関数と同じ名前を変数に使っていないか確かめ、変数名を変えます（上書きしたらカーネルを再起動します）。",
                     "2(3+4) ではなく 2*(3+4) のように、かけ算の * を書きます。"))
    if re.search(r"missing \d+ required|positional argument|unexpected keyword argument|takes no arguments", msg):
        return Help("関数に渡した値（引数）の数か名前が、合っていません。",
                    "関数が受け取る値の数・名前と、かっこの中に書いた値が違います。",
                    ("かっこの中の値の数と順番を確かめます。",
                     "関数の使い方は、help(関数名) を実行すると表示されます。"))
    if "not subscriptable" in msg:
        none = "NoneType" in msg
        return Help("この値には [ ] を付けて中身を取り出せません。",
                    "値が None（何もない）です。値を返さない関数（append・sort など）の結果を入れたようです。"
                    if none else f"「{types_[0] if types_ else '?'}」型の値は、[ ] で中身を取り出せません。",
                    (check_type, "その値を作った行を見直します。"))
    if "not iterable" in msg:
        return Help("この値は for で 1 つずつ取り出せません。",
                    "for で回せるのは、リスト・文字列・range() などです。数はそのままでは回せません。",
                    ("決まった回数だけくり返すときは range() を使います。例: for i in range(5):", check_type))
    if "not supported between instances" in msg:
        return Help("比べられない組み合わせの値を、比べようとしました。",
                    "文字列と数のように、型の違う値を < や > で比べました。",
                    ("数として比べるなら、int()・float() で両方を数にそろえます。", check_type))
    return Help("値の型（種類）が、この使い方に合っていません。",
                "文字列・数・リストなど、型の違う値を組み合わせたようです。",
                (check_type, "英語のメッセージに、どの型（str・int など）が問題かが書いてあります。"))


def _key_error(e: KeyError) -> Help:
    key = e.args[0] if e.args else None
    tries: list[str] = []
    found = _container_in_failing_line(e, lambda obj: _keys_of(obj) is not None)
    if found:
        name, obj = found
        keys = _keys_of(obj) or []
        if key not in keys:
            shown = "、".join(repr(k) for k in keys[:12]) + ("、…" if len(keys) > 12 else "")
            tries.append(f"「{name}」にあるキー: {shown or '（空です）'}")
            close = difflib.get_close_matches(str(key), [str(k) for k in keys], n=1, cutoff=0.6)
            if close:
                tries.append(f"もしかして {close[0]!r} ですか？")
    tries.append("キーは、全角・半角、大文字・小文字、前後の空白まで同じでないと、別のものになります。")
    return Help(f"キー {key!r} が見つかりません。",
                "辞書（dict）やデータの表（列名）に、その名前のキーがありません。", tuple(tries[:3]))


def _index_error(e: IndexError) -> Help:
    tries = ["len(値) で長さを確かめます。番号は 0 から「長さ − 1」までです。",
             "最後の要素は [-1] で取り出せます。"]
    found = _container_in_failing_line(e, lambda obj: isinstance(obj, (list, tuple, str)))
    if found:
        name, obj = found
        n = len(obj)
        if n:
            tries[0] = f"「{name}」の長さは {n} なので、使える番号は 0〜{n - 1} です。"
        else:
            tries = [f"「{name}」は空です（長さ 0）。まだ中身が入っていないようです。",
                     "中身を入れるセル（append など）を、先に実行します。"]
    return Help("番号（インデックス）が、範囲の外です。",
                "リストなどの番号は 0 から始まります。長さ 3 のリストで使える番号は 0・1・2 です。", tuple(tries))


def _attribute_error(e: AttributeError) -> Help:
    msg = str(e)
    attr = getattr(e, "name", None) or (_quoted(msg.split("attribute", 1)[-1]) if "attribute" in msg else None) or "?"
    if msg.startswith("'NoneType' object"):
        return Help(f"値が None（何もない）なので、「.{attr}」が使えません。",
                    "値を返さない関数やメソッドの結果を、変数に入れたようです。例: x = lst.append(1) の x は None です。",
                    ("その値を作った行を見直します（append・sort などは元のリストを変えて、None を返します）。",))
    suggestion = _did_you_mean(e)
    spell = (f"綴りと大文字・小文字を確かめます。もしかして「.{suggestion}」ですか？" if suggestion
             else "綴りと大文字・小文字を確かめます。")
    module = re.match(r"module '([\w.]+)' has no attribute", msg)
    if module:
        return Help(f"モジュール「{module.group(1)}」に「{attr}」はありません。",
                    "名前の綴りが違うか、そのモジュールにはない機能です。", (spell,))
    kind = _quoted(msg) or "?"
    return Help(f"「{kind}」型の値には「.{attr}」がありません。",
                "値の型（種類）が思っていたものと違うか、名前の綴りが違うようです。",
                (spell, "print(type(値)) で、値の型を確かめます。"))


def _value_error(e: ValueError) -> Help:
    msg = str(e)
    literal = re.match(r"(?:invalid literal for (int|float)\(\) with base \d+|could not convert string to (float)): (.*)",
                       msg, re.S)
    if literal:
        func = literal.group(1) or literal.group(2)
        text = literal.group(3)
        tries = ["カンマや「人」「円」などの単位を取り除いてから数にします。例: int(\"1,234\".replace(\",\", \"\"))"]
        if func == "int" and re.fullmatch(r"'\s*-?\d*\.\d+\s*'", text):
            tries.insert(0, "小数の文字列は int() ではなく float() で数にします。")
        tries.append("全角の数字（１２３）や、前後の空白が入っていないかも確かめます。")
        return Help(f"文字列 {text} を、数に変えられません。",
                    "数字のほかに、単位・カンマ・空白・全角の数字などが入っています。", tuple(tries[:3]))
    if "values to unpack" in msg:
        return Help("左側の変数の数と、右側の値の数が合っていません。",
                    "a, b = ... のように、いくつかの変数に一度に値を入れるときは、数をそろえます。",
                    ("左側の変数の数を、右側の値の数にそろえます。",))
    return Help("値の中身が、この使い方に合っていません。",
                "型（種類）は合っていますが、値そのもの（文字の中身や範囲）が受け付けられませんでした。",
                ("print() で値を表示して、中身を確かめます。",
                 "英語のメッセージの「:」の後ろに、問題の値が書いてあることが多いです。"))


def _unicode_decode_error(e: UnicodeDecodeError) -> Help:
    return Help("ファイルの文字コードが違うようです。",
                f"ファイルを {e.encoding} として読もうとしましたが、読めない文字がありました。"
                "自治体のオープンデータの CSV には、Shift_JIS（cp932）で保存されたものが多くあります。",
                ("chiiki_iot.opendata の read_csv(\"ファイル.csv\") で読むと、文字コードを自動で判別します。",
                 "pandas で読むときは、pd.read_csv(\"ファイル.csv\", encoding=\"cp932\") のように指定します。"))


def _zero_division_error(e: ZeroDivisionError) -> Help:
    return Help("0 で割り算をしました。",
                "割る数が 0 です。件数や人口が 0 のままか、データが空なのかもしれません。",
                ("割る数を print() で表示して確かめます。",
                 "0 のときは計算しないように、if で分けます。例: if kensu != 0:"))


_ENVIRONMENT = ("ターミナルで ./academy lab を実行して JupyterLab を起動し直し、"
                "カーネルは「Python 3 (ipykernel)」を選びます。")


# Modules that exist only inside the board's MicroPython, not in the notebook's Python.
_DEVICE_MODULES = ("microbit", "machine", "neopixel", "utime", "music", "radio", "speech", "network", "esp32")


def _module_not_found_error(e: ModuleNotFoundError) -> Help:
    name = e.name or _quoted(str(e)) or "?"
    if name.split(".")[0] in _DEVICE_MODULES:
        return Help(f"「{name}」は、ボードの中の MicroPython で使うモジュールです。",
                    "ノートブックの Python（パソコン側）には、ボード用のモジュールはありません。",
                    ("ボードで動かすコードは、教材の説明どおり board.exec(\"...\") でボードに送ります。",
                     "実機がないときは、仮想キットのボードに送ります。"))
    ours = name.split(".")[0] in ("chiiki_iot", "pandas", "numpy", "matplotlib", "ipywidgets", "serial", "mpremote")
    tries = [_ENVIRONMENT, "JupyterHub で学習しているときは、講師（管理者）に「" + name + " がない」と伝えます。"]
    spelling = "名前の綴りを確かめます（例: pandas、matplotlib.pyplot）。"
    tries.insert(len(tries) if ours else 0, spelling)
    return Help(f"モジュール「{name}」が見つかりません。",
                f"いま動いている Python（{sys.executable}）に「{name}」が入っていません。"
                "研修用とは別の環境（カーネル）で動いているか、名前の綴りが違うようです。", tuple(tries))


def _file_not_found_error(e: FileNotFoundError) -> Help:
    name = e.filename if e.filename is not None else "?"
    return Help(f"ファイル「{name}」が見つかりません。",
                f"ファイルの名前か置き場所が違うようです。ファイルは、いまのフォルダ（{os.getcwd()}）から探されます。",
                ("ファイル名の綴りと拡張子（.csv など）を確かめます。",
                 "左のファイル一覧で、ノートブックと同じフォルダにあるか確かめます。"))


_BUILDERS: dict[type, Callable[[Any], Help]] = {
    SyntaxError: _syntax, NameError: _name_error, TypeError: _type_error, KeyError: _key_error,
    IndexError: _index_error, AttributeError: _attribute_error, UnicodeDecodeError: _unicode_decode_error,
    ValueError: _value_error, ZeroDivisionError: _zero_division_error,
    ModuleNotFoundError: _module_not_found_error, FileNotFoundError: _file_not_found_error,
}


# ---------------------------------------------------------------------------------------------
# Small helpers of the help
# ---------------------------------------------------------------------------------------------
def _quoted(text: str) -> str | None:
    m = re.search(r"'([^']*)'", text)
    return m.group(1) if m else None


def _did_you_mean(e: NameError | AttributeError) -> str | None:
    """A defined name close to the missing one (what Python itself prints as "Did you mean")."""
    name = getattr(e, "name", None)
    if not isinstance(name, str):
        return None
    try:
        if isinstance(e, NameError):
            tb = e.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            if tb is None:
                return None
            frame = tb.tb_frame
            candidates = {*frame.f_locals, *frame.f_globals, *dir(builtins)}
        else:
            candidates = set(dir(e.obj))
    except Exception:
        return None
    candidates = [c for c in candidates if isinstance(c, str) and (name.startswith("_") or not c.startswith("_"))]
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    return close[0] if close else None


def _failing_line(e: BaseException) -> tuple[types.FrameType, str] | None:
    tb, found = e.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__") == "__main__":
            found = tb
        tb = tb.tb_next
    if found is None:
        return None
    return found.tb_frame, linecache.getline(found.tb_frame.f_code.co_filename, found.tb_lineno)


def _container_in_failing_line(e: BaseException, fits: Callable[[Any], bool]) -> tuple[str, Any] | None:
    """A variable ``name[...]`` on the learner's failing line that ``fits`` (the dict, list or table used)."""
    found = _failing_line(e)
    if found is None:
        return None
    frame, line = found
    for name in re.findall(r"(?<![\w.])([^\W\d]\w*)\s*\[", line):
        for scope in (frame.f_locals, frame.f_globals):
            if name in scope:
                obj = scope[name]
                try:
                    if fits(obj):
                        return name, obj
                except Exception:
                    pass
                break
    return None


def _keys_of(obj: Any) -> list | None:
    if isinstance(obj, Mapping):
        return list(obj.keys())
    columns = getattr(obj, "columns", None)
    if columns is not None and not isinstance(obj, type):
        try:
            return list(columns)
        except TypeError:
            return None
    return None


def _quote_in_line(e: NameError, name: str) -> str:
    """The learner's own line with ``name`` quoted, or just ``"name"``."""
    found = _failing_line(e)
    line = found[1].strip() if found else ""
    if name in line and len(line) <= 60:
        return line.replace(name, f'"{name}"', 1)
    return f'"{name}"'


def _japanese_message_from_toolkit(e: BaseException) -> bool:
    """A built-in error the toolkit raised with its own Japanese message: it needs no more help."""
    tb, last = e.__traceback__, None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None or not str(last.tb_frame.f_globals.get("__name__", "")).startswith("chiiki_iot."):
        return False
    return any("\u3040" <= c <= "\u30ff" for c in str(e))  # hiragana or katakana: a Japanese sentence


# ---------------------------------------------------------------------------------------------
# IPython: one custom exception handler, and showsyntaxerror
# ---------------------------------------------------------------------------------------------
def install(shell=None) -> bool:
    """Show Japanese help for Python's errors in this IPython/Jupyter session.

    Safe to call many times (every notebook's set-up cell does). Returns ``False`` (and
    does nothing) outside IPython. Serves ``CheckFailed`` and ``learner_message_only``
    errors too, so it replaces any handler that showed only those.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
        if shell is None:
            return False
    if not (getattr(shell, _INSTALLED, False) and shell.custom_exceptions == (Exception,)):
        if shell.custom_exceptions and shell.custom_exceptions != (Exception,):
            # Someone else's handler (e.g. an older CheckFailed-only one): keep serving its errors.
            setattr(shell, _PREVIOUS, (shell.custom_exceptions, shell.CustomTB))
        shell.set_custom_exc((Exception,), _handler)
        setattr(shell, _INSTALLED, True)
    if getattr(shell.showsyntaxerror, _WRAPPED, None) is None:
        original = shell.showsyntaxerror

        def showsyntaxerror(filename=None, running_compiled_code=False):
            try:
                etype, value, tb = shell._get_exc_info()
                if filename and issubclass(etype, SyntaxError):
                    try:
                        value.filename = filename
                    except AttributeError:
                        pass
                _show_syntax_error(shell, etype, value, tb, running_compiled_code)
            except Exception:
                return original(filename, running_compiled_code)

        setattr(showsyntaxerror, _WRAPPED, original)
        shell.showsyntaxerror = showsyntaxerror
    return True


def load_ipython_extension(shell) -> None:
    """IPython extension entry point: ``%load_ext chiiki_iot.checks.python_errors``, or every
    kernel of an environment once ``enable_in_kernels()`` has run."""
    install(shell)


KERNEL_CONFIG_LINE = 'c.InteractiveShellApp.extensions.append("chiiki_iot.checks.python_errors")'


def enable_in_kernels(prefix: str | os.PathLike | None = None) -> Path | None:
    """Load this help in every IPython kernel of the environment ``prefix`` (default: this one).

    A learner who has not run a notebook's set-up cell yet (the first thing a beginner
    forgets) meets ``NameError`` before any ``Checks`` exists; with this, that error is
    explained too. IPython reads ``<prefix>/etc/ipython/ipython_kernel_config.py`` for every
    profile; the line is added once, beside whatever else the file holds. Returns the file,
    or None if the environment cannot be written (a read-only shared environment).
    """
    path = Path(sys.prefix if prefix is None else prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if KERNEL_CONFIG_LINE not in text:
            path.parent.mkdir(parents=True, exist_ok=True)
            header = "" if text else "# Written by chiiki_iot: Japanese help for Python errors in every kernel.\n"
            path.write_text(text + ("\n" if text and not text.endswith("\n") else "") + header
                            + KERNEL_CONFIG_LINE + "\n", encoding="utf-8")
    except OSError:
        return None
    return path


def _handler(shell, etype, value, tb, tb_offset=None):
    """The one custom exception handler (IPython calls it for every ``Exception``)."""
    shell._get_exc_info((etype, value, tb))  # sys.last_* for %tb and %debug, as IPython does
    try:
        stb = _learner_lines(shell, etype, value, tb)
    except Exception:  # never lose the error: fall back to IPython's own display
        stb = None
    if stb is None:
        previous = getattr(shell, _PREVIOUS, None)
        if previous is not None and isinstance(value, previous[0]):
            return previous[1](etype, value, tb, tb_offset=tb_offset)
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return None
    if stb:
        shell._showtraceback(etype, value, stb)
        if shell.call_pdb and not isinstance(value, SyntaxError):
            shell.debugger(force=True)
    return stb


def _learner_lines(shell, etype, value, tb) -> list[str] | None:
    """What the learner sees for this error (``[]``: already shown), or ``None`` for IPython's usual traceback."""
    from . import CheckFailed  # lazily: chiiki_iot.checks imports this module

    if isinstance(value, CheckFailed):
        return value.render().splitlines()
    if getattr(type(value), "learner_message_only", False):
        render = getattr(value, "render", None)
        return (render() if callable(render) else str(value)).splitlines()
    if isinstance(value, SyntaxError):
        cell_tb = _cell_frames_only(shell, tb)
        _show_syntax_error(shell, etype, value, cell_tb, running_compiled_code=cell_tb is not None)
        return []
    help_ = explain(value)
    if help_ is None:
        return None
    return _with_help(help_, _python_lines(shell, etype, value, tb))


def _with_help(help_: Help | None, python: list[str]) -> list[str]:
    if help_ is None:
        return python
    return [*help_.lines(), "", PYTHON_SAYS, *python]


def _show_syntax_error(shell, etype, value, tb, running_compiled_code: bool) -> None:
    elist = traceback.extract_tb(tb) if running_compiled_code and tb is not None else []
    python = shell.SyntaxTB.structured_traceback(etype, value, elist)
    help_ = explain(value) if isinstance(value, SyntaxError) else None
    shell._showtraceback(etype, value, _with_help(help_, python))


def _python_lines(shell, etype, value, tb) -> list[str]:
    """Python's own last lines, as IPython formats them: the learner's cell lines and the error line.

    Frames inside libraries and chained exceptions are left out (``%tb`` shows them).
    """
    cell_tb = _cell_frames_only(shell, tb)
    if cell_tb is None:
        return list(shell.InteractiveTB.get_exception_only(etype, value))
    cause, suppress = value.__cause__, value.__suppress_context__
    try:
        value.__cause__, value.__suppress_context__ = None, True
        stb = shell.InteractiveTB.structured_traceback(etype, value, cell_tb, tb_offset=0)
    finally:
        value.__cause__, value.__suppress_context__ = cause, suppress
    hidden = _frame_count(tb) > _frame_count(cell_tb) + _ipython_frames(tb) or cause is not None or (
        value.__context__ is not None and not suppress)
    if hidden:
        stb = [*stb, "（ライブラリの中の行などは省いています。すべて見るには、次のセルで %tb を実行します。）"]
    return stb


def _is_cell(shell, filename: str) -> bool:
    try:
        return shell.compile.format_code_name(filename) is not None
    except Exception:
        return False


def _cell_frames_only(shell, tb) -> types.TracebackType | None:
    """A traceback of only the frames that run notebook cells (``None`` if there are none)."""
    frames = []
    while tb is not None:
        if _is_cell(shell, tb.tb_frame.f_code.co_filename):
            frames.append(tb)
        tb = tb.tb_next
    new = None
    for t in reversed(frames):
        new = types.TracebackType(new, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return new


def _frame_count(tb) -> int:
    n = 0
    while tb is not None:
        n, tb = n + 1, tb.tb_next
    return n


def _ipython_frames(tb) -> int:
    """Frames of IPython itself (its run_code), never shown by IPython either."""
    n = 0
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith("IPython."):
            n += 1
        tb = tb.tb_next
    return n
