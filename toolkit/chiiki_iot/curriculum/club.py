"""Conventions of the 地域ICTクラブ sessions (``courses/ict_club/``), checked mechanically.

A club session is not an nbgrader module: children get no score. Its notebook carries
``metadata.chiiki_club`` (not ``chiiki_iot``); ``rules.check_notebook`` hands such a
notebook to ``check_session`` here. The conventions are written for people in
``courses/ict_club/README.md``; each rule has a short id:

==================  ===========================================================
rule                what it asks
==================  ===========================================================
club-metadata       ``chiiki_club`` has title, minutes {warmup: 5, make, show}
                    (total ≤ 60), ages, made_thing, kit, levels = 3, sources;
                    no ``chiiki_iot`` key and no nbgrader cells (no scores)
front-matter        first cell: ``# title``, the total「NN分」, the made thing,
                    a keyboard-only note (Shift + Enter)
sections            ``##`` ウォームアップ → つくる → みせあう → もっとやってみよう →
                    メンターのかたへ; ``###`` レベル1〜3; the mentor box has
                    声かけ, つまずき, ペア (with a visually impaired child)
large-type          every Markdown cell with body text sets ``font-size`` ≥ 1.2em
furigana            every kanji outside grades 1–4 of the 学年別漢字配当表 has
                    ``<ruby>…<rt>…</rt></ruby>`` (code and ``<rt>`` excluded)
outputs             no stored outputs or execution counts
kernelspec          kernel ``python3``
code-length         a code cell has at most 5 lines
text-form           a cell that changes the board (``board.exec``, ``%%board``,
                    ``board.scenario``) also calls ``tell(board)`` (``run`` does it)
mentor-notes        ``mentor_notes.md`` beside the notebook
licence             the mentor box carries ``CLUB_LICENCE_NOTE`` (the modules' licence
                    line in words a child can read without furigana)
short-sentences     (warning) a sentence of more than 60 characters
==================  ===========================================================

The grade lists come from the PyPI package ``kanji-lists`` (``KYOIKU.REIWA2``: the
学年別漢字配当表 of 文部科学省 in force from 2020, 1,026 kanji; grades 1–4 = 642). Without
it the furigana rule is a warning that says how to install it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .headings import section_problems
from .modules import KITS

CLUB_KEY = "chiiki_club"
# README.md: ライセンス. Only kanji of grades 1–4, so the furigana rule needs no ruby here.
CLUB_LICENCE_NOTE = ("📄 この 教材の 文と 図は [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/deed.ja)、"
                     "コードは [MIT](https://opensource.org/license/mit) です。")
REQUIRED = ("title", "minutes", "ages", "made_thing", "kit", "levels", "sources")
SECTIONS = ("ウォームアップ", "つくる", "みせあう", "もっとやってみよう", "メンターのかたへ")
MENTOR_PARTS = ("声かけ", "つまずき", "ペア")
MAX_MINUTES, WARMUP_MINUTES, MAX_CODE_LINES, MAX_SENTENCE = 60, 5, 5, 60
CHANGES_BOARD = re.compile(r"board\.exec\(|^%%board|board\.scenario\(", re.M)
TELLS = re.compile(r"\b(tell|run)\(")
KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
FONT_SIZE = re.compile(r"font-size:\s*([0-9.]+)em")


@lru_cache(maxsize=1)
def kanji_grades_1_to_4() -> frozenset[str]:
    """The 642 kanji of grades 1–4 (学年別漢字配当表, 文部科学省, 2020), from ``kanji-lists``."""
    from kanji_lists import KYOIKU

    table = KYOIKU.REIWA2
    return frozenset().union(*(getattr(table, f"GRADE{g}") for g in (1, 2, 3, 4)))


def strip_code(markdown: str) -> str:
    """Markdown without fenced code blocks, inline code spans and HTML comments."""
    text = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", markdown, flags=re.S | re.M)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return re.sub(r"(`+)(?!`).+?(?<!`)\1(?!`)", "", text, flags=re.S)


def visible_text(markdown: str) -> str:
    """What a reader sees, ruby readings and tags removed (``<ruby>漢字<rt>かんじ</rt></ruby>`` -> 漢字)."""
    text = re.sub(r"<rt>.*?</rt>|<rp>.*?</rp>", "", markdown, flags=re.S)
    return re.sub(r"<[^>]+>", "", text)


def needs_ruby(markdown: str) -> list[str]:
    """Kanji outside grades 1–4 that are not inside a ``<ruby>`` base, in order, each once.

    >>> needs_ruby("<ruby>温度<rt>おんど</rt></ruby>を 測ります。`print(温度)`")
    ['測']
    """
    text = strip_code(markdown)
    text = re.sub(r"<ruby>.*?</ruby>", "", text, flags=re.S)   # the base is covered, the reading is kana
    text = re.sub(r"<[^>]+>", "", text)
    known = kanji_grades_1_to_4()
    return list(dict.fromkeys(c for c in KANJI.findall(text) if c not in known))


def long_sentences(markdown: str, limit: int = MAX_SENTENCE) -> list[str]:
    """Sentences (ending in 。！？ or a line end) longer than ``limit`` visible characters."""
    text = visible_text(strip_code(markdown))
    text = re.sub(r"\]\([^)]*\)|\|", " ", text)
    parts = re.split(r"(?<=[。！？])|\n", text)
    return [p.strip() for p in parts if len(p.strip()) > limit]


def check_session(path: Path | str, nb=None, *, warnings: bool = False) -> list:
    """All violations of the club conventions in one session notebook (see the module docstring)."""
    import nbformat

    from .rules import Violation

    path = Path(path)
    name = str(path)
    if nb is None:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as e:
            return [Violation(name, "format", f"ノートブックとして読めません: {e}")]
    out: list = []

    def bad(rule: str, message: str, severity: str = "error") -> None:
        out.append(Violation(name, rule, message, severity))

    meta = nb.metadata.get(CLUB_KEY)
    if not isinstance(meta, dict):
        bad("club-metadata", f"notebook metadata に '{CLUB_KEY}' がありません（courses/ict_club/README.md の「約束ごと」）")
        meta = {}
    for key in REQUIRED:
        if meta and not meta.get(key):
            bad("club-metadata", f"{CLUB_KEY}.{key} が空か、ありません")
    minutes = meta.get("minutes") or {}
    if meta:
        if not all(isinstance(minutes.get(k), int) and minutes[k] > 0 for k in ("warmup", "make", "show")):
            bad("club-metadata", f"{CLUB_KEY}.minutes は {{'warmup': 5, 'make': 分, 'show': 分}}（正の整数）にしてください")
        elif minutes["warmup"] != WARMUP_MINUTES:
            bad("club-metadata", f"ウォームアップは {WARMUP_MINUTES}分 です（今は {minutes['warmup']}分）")
        total = sum(v for v in minutes.values() if isinstance(v, int))
        if total > MAX_MINUTES:
            bad("club-metadata", f"合計 {total}分 は長すぎます（クラブの 1 回は {MAX_MINUTES}分 まで）")
        if meta.get("levels") != 3:
            bad("club-metadata", f"{CLUB_KEY}.levels は 3 です（発展 レベル1〜3）")
        for k in meta.get("kit") or []:
            if k not in KITS:
                bad("club-metadata", f"kit の '{k}' は使えません（使えるもの: {', '.join(KITS)}）")
    if "chiiki_iot" in nb.metadata:
        bad("club-metadata", "クラブのセッションに 'chiiki_iot' を書かないでください（nbgrader の課題になってしまいます）")
    for i, c in enumerate(nb.cells):
        if c.metadata.get("nbgrader"):
            bad("club-metadata", f"セル {i + 1}: nbgrader のセルがあります（こどもに点数はつけません）")

    cells = nb.cells
    markdown = [c for c in cells if c.cell_type == "markdown"]
    first = cells[0] if cells else None
    if first is None or first.cell_type != "markdown":
        bad("front-matter", "最初のセルは Markdown の表紙（タイトル・つくるもの・時間・キーボードだけで進むには）にしてください")
    else:
        seen = visible_text(first.source)
        title = visible_text(str(meta.get("title", "")))
        if title and not seen.lstrip().startswith(f"# {title}"):
            bad("front-matter", f"表紙は '# {title}' で始めてください（metadata の title と同じ）")
        total = sum(v for v in minutes.values() if isinstance(v, int))
        if total and f"{total}分" not in seen.replace(" ", ""):
            bad("front-matter", f"表紙に合計の時間「{total}分」がありません")
        made = visible_text(str(meta.get("made_thing", "")))
        if made and made not in seen:
            bad("front-matter", f"表紙に つくるもの「{made}」がありません（metadata の made_thing と同じ文）")
        if "Shift" not in seen or "Enter" not in seen:
            bad("front-matter", "表紙に キーボードだけで進む方法（Shift + Enter、Esc と ↑↓）がありません")

    headings = [visible_text(line[3:]).strip() for c in markdown for line in c.source.splitlines()
                if line.startswith("## ")]
    missing, misordered = section_problems(headings, SECTIONS)
    for section in missing:
        bad("sections", f"「## {section}…」の見出しがありません（{' → '.join(SECTIONS)}）")
    if misordered:
        bad("sections", f"見出しの順番は {' → '.join(SECTIONS)} にしてください")
    subheads = [visible_text(line[4:]) for c in markdown for line in c.source.splitlines() if line.startswith("### ")]
    for level in (1, 2, 3):
        if not any(f"レベル{level}" in h for h in subheads):
            bad("sections", f"「### レベル{level}」がありません（もっとやってみよう は レベル1〜3）")
    mentor = "\n".join(visible_text(c.source) for c in markdown if "メンターのかたへ" in visible_text(c.source))
    for part in MENTOR_PARTS:
        if part not in mentor:
            bad("sections", f"メンターのかたへ に「{part}」がありません（声かけ・つまずき・ペア）")
    if mentor and CLUB_LICENCE_NOTE not in "\n".join(c.source for c in markdown):
        bad("licence", f"メンターのかたへ の さいご（出典の下）に、次の1行をそのまま入れてください: {CLUB_LICENCE_NOTE}")
    if mentor and not re.search(r"見えにくい|見えない|視覚", mentor):
        bad("sections", "メンターのかたへ の ペア に、見える子と見えにくい子の組み方を書いてください")

    for i, c in enumerate(cells):
        if c.cell_type != "markdown":
            continue
        body = [ln for ln in c.source.splitlines() if ln.strip() and not ln.startswith("#")]
        sizes = [float(s) for s in FONT_SIZE.findall(c.source)]
        if body and not any(s >= 1.2 for s in sizes):
            bad("large-type", f"セル {i + 1}: 本文を <div style=\"font-size:1.3em\"> で大きくしてください")
        try:
            missing = needs_ruby(c.source)
        except ImportError:
            bad("furigana", "kanji-lists が入っていないので、ふりがなを確かめられません"
                "（pip install -e '.[test]'）", "warning")
            missing = []
        if missing:
            bad("furigana", f"セル {i + 1}: ふりがな（<ruby>漢字<rt>かんじ</rt></ruby>）がない漢字: {''.join(missing)}")
        for s in long_sentences(c.source):
            bad("short-sentences", f"セル {i + 1}: 長い文（{len(s)}字）: {s[:30]}…", "warning")

    for i, c in enumerate(cells):
        if c.cell_type != "code":
            continue
        if c.get("outputs") or c.get("execution_count"):
            bad("outputs", f"セル {i + 1} に出力が保存されています（出力を消してから保存してください）")
        lines = [ln for ln in c.source.splitlines() if ln.strip()]
        if len(lines) > MAX_CODE_LINES:
            bad("code-length", f"セル {i + 1}: コードは {MAX_CODE_LINES} 行までにします（今は {len(lines)} 行）")
        if CHANGES_BOARD.search(c.source) and not TELLS.search(c.source):
            bad("text-form", f"セル {i + 1}: ボードを変えるセルでは tell(board) で、ようすを文字でも出してください")
    if not any(c.cell_type == "code" and TELLS.search(c.source) for c in cells):
        bad("text-form", "run(board, …) か tell(board) が 1 つもありません（ボードのようすを文字で出します）")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        bad("kernelspec", f"kernelspec は python3 にしてください（今は {kernel!r}）")
    if not (path.parent / "mentor_notes.md").is_file():
        bad("mentor-notes", f"{path.parent.name}/mentor_notes.md がありません（メンター用の準備・声かけ・つまずき・ペア）")
    return out if warnings else [v for v in out if not v.is_warning]
