"""From cards to code: a micro:bit program built from cards chosen in menus, no typing.

A child lines up cards: an 「いつ」 card (when), optionally one 「もし」 card (if), then
「する」 cards (do). The model turns them into short MicroPython with comments a child can
read, the bridge from blocks to Python:

>>> program = from_cards([("ボタンAがおされたら", None), ("ハートをひょうじ", None)])
>>> print(program.to_micropython())
# カードから つくった プログラム
from microbit import *
<BLANKLINE>
# ずっと くりかえす
while True:
    # ボタンAがおされたら
    if button_a.was_pressed():
        display.show(Image.HEART)  # ハートを ひょうじ
    sleep(20)  # すこし まつ（ボタンを よむ すきま）
<BLANKLINE>

Cards may be named by their label (``"ボタンAがおされたら"``) or their key (``"button_a"``);
an option by its label (``"ド"``) or its value (``"c4"``). A card list that is not a program
yet raises ``CardError`` whose message says, in simple Japanese, what to choose next.

In a notebook, ``card_builder()`` shows the menus, the chosen cards and the code side by
side, a 「ためす」 button (a quick run on a fresh virtual board with buttons pressed for
you, or a run on the board you pass) and a 「コードでつづける」 button that puts the code
into a new cell.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from .errors import KitError

if TYPE_CHECKING:  # pragma: no cover
    from .board import Board
    from .trial import ProgramRun


class CardError(KitError):
    """Cards that are not a program yet; the message says what to choose next."""


@dataclass(frozen=True)
class Card:
    """One card: ``kind`` is ``"when"`` (いつ), ``"if"`` (もし) or ``"do"`` (する).

    ``label`` is what the menu shows; ``says`` is a short description for screen readers;
    ``options`` are ``(label, value)`` pairs (the first is the default).
    """

    key: str
    kind: str
    label: str
    says: str
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def default(self):
        return self.options[0][1] if self.options else None

    def option_label(self, value) -> str:
        return next((lab for lab, v in self.options if v == value), str(value))

    def text(self, option=None) -> str:
        """The card as chosen, e.g. 「明るさが 100 より大きいなら」, 「まつ（1びょう）」."""
        if not self.options:
            return self.label
        shown = self.option_label(self.default if option is None else option)
        if "○" in self.label:
            return self.label.replace("○", f" {shown} ")
        return f"{self.label.split('（')[0]}（{shown}）"


_NOTES = (("ド", "c4"), ("レ", "d4"), ("ミ", "e4"), ("ファ", "f4"), ("ソ", "g4"), ("ラ", "a4"),
          ("シ", "b4"), ("高いド", "c5"))

CARDS: dict[str, Card] = {c.key: c for c in (
    # いつ
    Card("start", "when", "はじめたとき", "プログラムが はじまったときに 1回だけ うごかします。"),
    Card("button_a", "when", "ボタンAがおされたら", "ボタンAを おすたびに うごかします。"),
    Card("button_b", "when", "ボタンBがおされたら", "ボタンBを おすたびに うごかします。"),
    Card("logo", "when", "ロゴにさわったら", "まえの ロゴに ゆびで さわったときに うごかします。"),
    Card("shake", "when", "ゆらしたら", "micro:bit を ふったときに うごかします。"),
    Card("forever", "when", "ずっと", "なんども なんども くりかえして うごかします。"),
    # もし
    Card("light_above", "if", "明るさが○より大きいなら",
         "まわりの 明るさが えらんだ 数より 大きいときだけ うごかします（0 から 255）。",
         (("100", 100), ("50", 50), ("150", 150), ("200", 200))),
    Card("temp_above", "if", "温度が○より高いなら",
         "温度（ど）が えらんだ 数より 高いときだけ うごかします。",
         (("25", 25), ("20", 20), ("28", 28), ("30", 30))),
    # する
    Card("heart", "do", "ハートをひょうじ", "LED に ハートの 絵を 出します。"),
    Card("smile", "do", "にこにこをひょうじ", "LED に にこにこ顔を 出します。"),
    Card("number", "do", "数字をひょうじ", "LED に 数字を 出します。「かぞえた数」を えらぶと、かぞえた 数が 出ます。",
         (("かぞえた数", "kazu"),) + tuple((str(n), n) for n in range(10))),
    Card("scroll", "do", "文字をながす", "LED に 文字を 右から 左へ ながします（ローマ字と 数字）。",
         tuple((t, t) for t in ("HELLO", "HI", "OK", "YES", "NO", "GO!"))),
    Card("tone", "do", "音をならす（ド・レ・ミ…）", "えらんだ 音を 1つ ならします。", _NOTES),
    Card("wait", "do", "まつ（1びょう）", "えらんだ 時間だけ まちます。", (("1びょう", 1), ("0.5びょう", 0.5), ("2びょう", 2))),
    Card("count", "do", "かぞえる（+1）", "かぞえた数を 1 ふやします。"),
    Card("clear", "do", "けす", "LED を ぜんぶ けします。"),
)}

KINDS = {"when": "いつ", "if": "もし", "do": "する"}
_LOOP_PAUSE_MS = 20


def _card(name) -> Card:
    """The card named by its key or its label (spaces ignored); CardError if none."""
    if isinstance(name, Card):
        return name
    text = str(name).replace(" ", "").replace("　", "")
    for c in CARDS.values():
        if text in (c.key, c.label.replace(" ", ""), c.label.split("（")[0]):
            return c
    names = "、".join(f"「{c.label}」" for c in CARDS.values())
    raise CardError(f"「{name}」という カードは ありません。つかえる カード: {names}")


def _option(card: Card, option):
    """The option's value for ``card`` (given by value, its label or its text); CardError if not one."""
    if option is None or option == "":
        return card.default
    if card.key == "scroll":
        text = str(option).strip()
        if not text or len(text) > 20 or not all(" " <= ch <= "~" for ch in text):
            raise CardError("「文字をながす」の 文字は、ローマ字・数字・記号で 20 文字までに してね"
                            "（micro:bit の LED には かな・漢字は 出せません）。")
        return text
    if not card.options:
        return None
    for label, value in card.options:
        if option == value or str(option) == label or str(option) == str(value):
            return value
    choices = "、".join(lab for lab, _ in card.options)
    raise CardError(f"「{card.text()}」では「{option}」は えらべません。えらべるのは: {choices}")


@dataclass(frozen=True)
class Step:
    """A card as chosen, with its option (``None``: the card's default)."""

    card: str
    option: Any = None

    @classmethod
    def of(cls, item) -> "Step":
        """A Step from ``Step``, ``(card, option)`` or a bare card name; names become keys."""
        if isinstance(item, Step):
            card, option = item.card, item.option
        elif isinstance(item, (tuple, list)):
            if not 1 <= len(item) <= 2:
                raise CardError(f"カードは (カード, えらんだもの) の 2つ組で わたしてね: {item!r}")
            card, option = item[0], item[1] if len(item) == 2 else None
        else:
            card, option = item, None
        c = _card(card)
        return cls(c.key, _option(c, option))

    @property
    def info(self) -> Card:
        return CARDS[self.card]

    @property
    def text(self) -> str:
        return self.info.text(self.option)


@dataclass
class Rule:
    """「いつ」 ``when``, optionally 「もし」 ``condition``, then the 「する」 ``actions``."""

    when: str
    actions: list[Step] = field(default_factory=list)
    condition: Step | None = None

    def __post_init__(self):
        self.when = Step.of(self.when).card
        self.actions = [Step.of(a) for a in self.actions]
        if self.condition is not None:
            self.condition = Step.of(self.condition)


@dataclass
class Program:
    """Rules in order; ``to_micropython()`` writes them as one micro:bit program."""

    rules: list[Rule] = field(default_factory=list)

    def cards(self) -> list[Step]:
        """The cards in order, as a child laid them out."""
        out: list[Step] = []
        for r in self.rules:
            out.append(Step(r.when))
            if r.condition is not None:
                out.append(r.condition)
            out.extend(r.actions)
        return out

    def describe(self) -> str:
        """The program in words (one line per rule), for a screen reader or a mentor."""
        lines = []
        for r in self.rules:
            head = CARDS[r.when].label + (f"、もし {r.condition.text}" if r.condition else "")
            lines.append(f"{head} → " + "、".join(a.text for a in r.actions))
        return "\n".join(lines)

    def problems(self) -> list[str]:
        """What is missing, in simple Japanese (empty when the program is complete)."""
        if not self.rules:
            return ["まだ カードが ありません。まず「いつ」の カード（たとえば「ボタンAがおされたら」）を えらんで、"
                    "「おく」を おしてね。"]
        out = []
        for r in self.rules:
            card = CARDS[r.when]
            if card.kind != "when":
                out.append(f"「{card.label}」は「いつ」の カードでは ありません。さいしょに「いつ」の カードを おいてね。")
            if r.condition is not None and r.condition.info.kind != "if":
                out.append(f"「{r.condition.text}」は「もし」の カードでは ありません。")
            wrong = [a.text for a in r.actions if a.info.kind != "do"]
            if wrong:
                out.append(f"「{'」「'.join(wrong)}」は「する」の カードでは ありません。")
            if not r.actions:
                after = f"「{r.condition.text}」" if r.condition else f"「{card.label}」"
                out.append(f"{after}の あとに「する」の カードが ありません。「ハートをひょうじ」などを えらんで、"
                           "「おく」を おしてね。")
        return out

    def to_micropython(self) -> str:
        """The program as MicroPython for micro:bit, with comments; CardError if incomplete."""
        problems = self.problems()
        if problems:
            raise CardError("\n".join(problems))
        steps = [a for r in self.rules for a in r.actions]
        lines = ["# カードから つくった プログラム", "from microbit import *"]
        if any(a.card == "tone" for a in steps):
            lines.append("import music")
        if any(a.card == "count" or (a.card == "number" and a.option == "kazu") for a in steps):
            lines += ["", "kazu = 0  # かぞえた数（さいしょは 0）"]
        groups: dict[str, list[Rule]] = {}
        for r in self.rules:  # one `if` per 「いつ」: was_pressed() must be asked only once a turn
            groups.setdefault(r.when, []).append(r)
        if "start" in groups:
            lines += ["", "# はじめたとき"]
            lines += _rules_body(groups.pop("start"), 0)
        if groups:
            lines += ["", "# ずっと くりかえす", "while True:"]
            for when, rules in groups.items():
                if when == "forever":
                    lines.append("    # ずっと")
                    lines += _rules_body(rules, 1)
                else:
                    lines += [f"    # {CARDS[when].label}", f"    if {_WHEN[when]}:"]
                    lines += _rules_body(rules, 2)
                    if when == "logo":  # a touch lasts: once per touch, as a press of a button
                        lines += ["        while pin_logo.is_touched():  # ゆびが はなれるまで まつ",
                                  "            sleep(10)"]
            lines.append(f"    sleep({_LOOP_PAUSE_MS})  # すこし まつ（ボタンを よむ すきま）")
        return "\n".join(lines) + "\n"


_WHEN = {
    "button_a": "button_a.was_pressed()",
    "button_b": "button_b.was_pressed()",
    "logo": "pin_logo.is_touched()",
    "shake": 'accelerometer.was_gesture("shake")',
}


def _condition(step: Step) -> str:
    if step.card == "light_above":
        return f"display.read_light_level() > {step.option}"
    return f"temperature() > {step.option}"


def _quote(text: str) -> str:
    """A string literal in double quotes, as children see it in MakeCode and the micro:bit docs."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _action(step: Step) -> str:
    o, card = step.option, step.card
    if card == "number":
        return "display.show(kazu)  # かぞえた数を ひょうじ" if o == "kazu" else f"display.show({o})  # 数字 {o} を ひょうじ"
    if card == "scroll":
        return f"display.scroll({_quote(o)})  # 文字を ながす"
    if card == "tone":
        return f"music.play({_quote(o + ':4')})  # {CARDS['tone'].option_label(o)} の 音を ならす"
    if card == "wait":
        return f"sleep({round(float(o) * 1000)})  # {CARDS['wait'].option_label(o)} まつ（1000 で 1びょう）"
    return {
        "heart": "display.show(Image.HEART)  # ハートを ひょうじ",
        "smile": "display.show(Image.HAPPY)  # にこにこを ひょうじ",
        "count": "kazu = kazu + 1  # かぞえる（1 ふやす）",
        "clear": "display.clear()  # LED を けす",
    }[card]


def _rules_body(rules: list[Rule], depth: int) -> list[str]:
    pad = "    " * depth
    out = []
    for r in rules:
        inner = pad
        if r.condition is not None:
            out.append(f"{pad}if {_condition(r.condition)}:  # もし {r.condition.text}")
            inner = pad + "    "
        out += [inner + _action(a) for a in r.actions]
    return out


def from_cards(cards: Iterable) -> Program:
    """A ``Program`` from cards in order: ``(card, option)`` pairs, ``Step``s or card names.

    An 「いつ」 card starts a rule; one 「もし」 card may follow it; then its 「する」 cards.
    Raises ``CardError`` (what to choose next) for cards in an order that is not a program.
    The program may still be incomplete: ``problems()`` says what is missing.
    """
    rules: list[Rule] = []
    for item in cards:
        step = Step.of(item)
        card = step.info
        if card.kind == "when":
            rules.append(Rule(step.card))
        elif not rules:
            raise CardError(f"「{step.text}」の まえに「いつ」の カードが いります。さいしょに「はじめたとき」や"
                            "「ボタンAがおされたら」を おいてね。")
        elif card.kind == "if":
            r = rules[-1]
            if r.actions or r.condition is not None:
                raise CardError(f"「もし」の カード「{step.text}」は、「いつ」の カードの すぐ あとに おいてね"
                                f"（1つの「いつ」に「もし」は 1まい）。")
            r.condition = step
        else:
            rules[-1].actions.append(step)
    return Program(rules)


def to_micropython(cards: Iterable) -> str:
    """``from_cards(cards).to_micropython()``."""
    return from_cards(cards).to_micropython()


# ---------------------------------------------------------------- trying a program out
# The quick check presses the buttons for the child: the same every time.
TRY_SECONDS = 6.0
TRY_EVENTS = ((1.0, "ボタンA"), (2.0, "ボタンB"), (3.0, "ゆらす"), (4.0, "ボタンA"), (5.0, "ロゴにさわる"))


def try_scenario() -> dict:
    """The sources of the quick check (``TRY_EVENTS``) for ``run_program``."""
    from .scenario import Pulses, Steps

    at = {}
    for t, what in TRY_EVENTS:
        at.setdefault(what, []).append(t)
    return {
        "button_a": Pulses(at=at["ボタンA"], width=0.2),
        "button_b": Pulses(at=at["ボタンB"], width=0.2),
        "touch_logo": Pulses(at=at["ロゴにさわる"], width=0.2),
        "accel_x": Steps({t: v for s in at["ゆらす"] for t, v in ((s, 2500.0), (s + 0.3, 0.0))}),
    }


def try_program(code: str, seconds: float = TRY_SECONDS, **sources) -> tuple["ProgramRun", str]:
    """Run ``code`` on a fresh fast-forwarded virtual micro:bit with the quick check's
    presses (or ``sources``); return the run and what happened, in Japanese."""
    from .trial import run_program

    run = run_program(code, seconds=seconds, profile="microbit_v2", **(sources or try_scenario()))
    if sources:
        lead = f"ためしに {seconds:g}びょう うごかしました。"
    else:
        events = "、".join(f"{t:g}びょうで {what}" for t, what in TRY_EVENTS if t < seconds)
        lead = f"ためしに {seconds:g}びょう うごかしました（{events}）。"
    return run, lead + "\n" + run.describe()


# ---------------------------------------------------------------- the widget
class CardBuilder:
    """Menus of cards, the chosen cards and the code side by side, and buttons.

    Everything a button does is also a method (``add``, ``undo``, ``clear``, ``run``,
    ``stop``, ``continue_in_code``), so a mentor can script it and tests can check it.
    ``message`` (text) is what the last action said; ``code`` the current program or None.
    """

    def __init__(self, board: "Board | None" = None, cards: Iterable = ()):
        import ipywidgets as w

        self.board = board
        self.steps: list[Step] = [Step.of(c) for c in cards]
        self.message = ""
        self.last_run: "ProgramRun | None" = None
        big = {"font_size": "16px"}

        self.pickers: dict[str, tuple] = {}
        rows = []
        for kind, name in KINDS.items():
            cards_of = [c for c in CARDS.values() if c.kind == kind]
            menu = w.Dropdown(options=[(c.label, c.key) for c in cards_of], description=name,
                              style={"description_width": "3em"}, layout=w.Layout(width="20em"))
            option = w.Dropdown(description="", layout=w.Layout(width="9em"))
            put = w.Button(description="おく", button_style="info",
                           tooltip=f"えらんだ「{name}」の カードを ならべます", style=big)
            menu.observe(lambda _ch, m=menu, o=option: self._menu_changed(m, o), names="value")
            self._menu_changed(menu, option)
            put.on_click(lambda _b, m=menu, o=option: self.add(m.value, o.value if o.options else None))
            self.pickers[kind] = (menu, option, put)
            rows.append(w.HBox([menu, option, put]))
        self.buttons = {
            "undo": w.Button(description="1まい もどす", tooltip="さいごに おいた カードを とります", style=big),
            "clear": w.Button(description="ぜんぶ けす", tooltip="ならべた カードを ぜんぶ とります", style=big),
            "run": w.Button(description="ためす", button_style="success", icon="play",
                            tooltip="プログラムを ボードで うごかします", style=big),
            "stop": w.Button(description="とめる", icon="stop", tooltip="うごいている プログラムを とめます", style=big),
            "code": w.Button(description="コードでつづける", button_style="warning",
                             tooltip="このコードを 新しい セルに 入れて、文字で つづけます", style=big),
        }
        for name, b in self.buttons.items():
            b.on_click(lambda _b, n=name: self._click(n))
        self.chosen = w.HTML()
        self.code_view = w.HTML()
        self.result = w.HTML()
        left = w.VBox([w.HTML("<b style='font-size:1.2em'>カード</b>"), *rows, self.chosen,
                       w.HBox([self.buttons["undo"], self.buttons["clear"]])],
                      layout=w.Layout(width="50%"))
        right = w.VBox([w.HTML("<b style='font-size:1.2em'>MicroPython の コード</b>"), self.code_view],
                       layout=w.Layout(width="50%"))
        large = w.HTML("<style>.chiiki-cards select, .chiiki-cards label, .chiiki-cards button"
                       " { font-size: 16px; }</style>")  # large type by default (CSS only, no JavaScript)
        self.widget = w.VBox([large, w.HBox([left, right]),
                              w.HBox([self.buttons["run"], self.buttons["stop"], self.buttons["code"]]),
                              self.result])
        self.widget.add_class("chiiki-cards")
        self._refresh()

    # ------------------------------------------------------------ what the buttons do
    def add(self, card, option=None) -> None:
        """Put a card (its key or label) at the end, with its option."""
        try:
            self.steps.append(Step.of((card, option)))
        except CardError as e:
            self._say(str(e))
            return
        self._refresh()

    def undo(self) -> None:
        """Take the last card away."""
        if self.steps:
            self.steps.pop()
        self._refresh()

    def clear(self) -> None:
        """Take all the cards away."""
        self.steps.clear()
        self._refresh()

    @property
    def program(self) -> Program:
        return from_cards(self.steps)

    @property
    def code(self) -> str | None:
        """The MicroPython of the cards, or None while they are not a program yet."""
        try:
            return self.program.to_micropython()
        except CardError:
            return None

    def next_step(self) -> str:
        """What to choose next (empty when the cards are a program)."""
        try:
            self.program.to_micropython()
        except CardError as e:
            return str(e)
        return ""

    def run(self) -> str:
        """「ためす」: a quick check on a fresh virtual board, or a run on ``board``."""
        code = self.code
        if code is None:
            return self._say(self.next_step())
        if self.board is None:
            self._say("ためしています…")
            self.last_run, text = try_program(code)
            return self._say(text)
        self.stop(quiet=True)
        self.board.start(code)
        return self._say("ボードで うごいています。ボタンを おしたり、ゆらしたり してみてね。"
                         "おわったら「とめる」を おしてね。")

    def stop(self, quiet: bool = False) -> str:
        """「とめる」: stop the program started on ``board``; say what it printed."""
        if self.board is None or not self.board.running:
            return self.message if quiet else self._say("いま うごいている プログラムは ありません。")
        try:
            out = self.board.stop()
        except KitError as e:
            return self._say(f"プログラムが とまりました: {e}")
        if quiet:
            return out
        return self._say("とめました。" + (f" print した 文字: {out.strip()}" if out.strip() else ""))

    def continue_in_code(self) -> str:
        """「コードでつづける」: put the code into a new cell (IPython ``set_next_input``)."""
        code = self.code
        if code is None:
            return self._say(self.next_step())
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - notebooks always have IPython
            get_ipython = lambda: None  # noqa: E731
        shell = get_ipython()
        if shell is None:
            return self._say("ノートブックの 中で つかってね。コードは 右に あります。")
        # %%board: the new cell runs on the board (the PC's Python has no microbit module)
        shell.extension_manager.load_extension("chiiki_iot.kit")
        shell.set_next_input(BOARD_CELL + code, replace=False)
        return self._say("コードを 新しい セルに 入れます（1行目の %%board は「ボードで うごかす」の しるし）。"
                         "セルが 見えないときは、つぎの セルを 実行（Shift + Enter）してみてね。"
                         "コードを かえて、実行すると ボードで うごきます。")

    # ------------------------------------------------------------ showing
    def _click(self, name: str) -> None:
        action = {"undo": self.undo, "clear": self.clear, "run": self.run, "stop": self.stop,
                  "code": self.continue_in_code}[name]
        try:
            action()
        except KitError as e:  # the board said no: say it, never a traceback
            self._say(str(e))

    def _menu_changed(self, menu, option) -> None:
        card = CARDS[menu.value]
        menu.tooltip = f"{card.label}: {card.says}"
        option.options = [lab for lab, _ in card.options]
        option.disabled = not card.options
        option.tooltip = f"{card.label} で つかう ものを えらびます" if card.options else ""

    def _say(self, text: str) -> str:
        self.message = text
        self.result.value = (f"<pre role='status' style='font-size:1.1em;white-space:pre-wrap'>"
                             f"{html.escape(text)}</pre>")
        return text

    def _refresh(self) -> None:
        try:
            program = from_cards(self.steps)
            problem = ""
        except CardError as e:
            program, problem = None, str(e)
        items = []
        for s in self.steps:
            card = s.info
            indent = "" if card.kind == "when" else "margin-left:1.5em;"
            items.append(f"<li style='{indent}' title='{html.escape(card.says)}'>"
                         f"{KINDS[card.kind]}: {html.escape(s.text)}</li>")
        self.chosen.value = ("<ol aria-label='ならべた カード' style='font-size:1.2em'>" + "".join(items) + "</ol>"
                             if items else "<p style='font-size:1.2em'>（まだ カードが ありません）</p>")
        code = None
        if program is not None:
            try:
                code = program.to_micropython()
            except CardError as e:
                problem = str(e)
        if code is None:
            self.code_view.value = (f"<p role='status' style='font-size:1.2em'>つぎは: {html.escape(problem)}</p>")
            self._say(problem)
        else:
            self.code_view.value = (f"<pre aria-label='MicroPython の コード' style='font-size:1.1em'>"
                                    f"{html.escape(code)}</pre>")
            self._say("コードが できました。「ためす」で うごかして みよう。")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


BOARD_CELL = "%%board\n"


def card_builder(board: "Board | None" = None, cards: Iterable = ()) -> CardBuilder:
    """The card builder widget. ``board``: run 「ためす」 there (virtual or real; default:
    a quick check on a fresh virtual board). ``cards``: cards to start with."""
    return CardBuilder(board, cards)
