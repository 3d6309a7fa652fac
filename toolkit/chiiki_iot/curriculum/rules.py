"""Notebook conventions, checked mechanically.

``check_notebook(path)`` returns a list of ``Violation`` (empty = the notebook
follows every rule). Each rule has a short id so a failing test says which
rule broke, where, and what to do:

==================  ===========================================================
rule                what it asks
==================  ===========================================================
metadata            ``metadata.chiiki_iot`` has title, objectives, keypoints,
                    minutes, audiences, kit, prerequisites, sources
front-matter        first cell: ``# title``, 学習目標 (each objective), 所要時間,
                    前提, 使うもの
sections            ``##`` headings 導入 → 解説 → 例題 → 演習 → まとめ → 出典,
                    まとめ lists every keypoint
outputs             no stored outputs or execution counts
kernelspec          kernel ``python3`` (runs in any environment)
grade-id            nbgrader grade ids unique
points              every graded cell (tests, manual answers, tasks) has points > 0
answer-tests        every autograded answer is followed by test cells with a
                    visible ``checks("<id>")`` and a hidden test block, and the
                    notebook declares ``checks.add("<id>", ...)``
hidden-wrapped      hidden tests run inside ``with checks.grading(...)`` so a
                    learner never sees hidden code in a traceback
manual-rubric       a manually graded task has a mark scheme; a manually graded
                    answer shows its 採点基準 in the cell just before it
objective-map       ``metadata.chiiki_iot.objective_map`` says which learning
                    objectives each graded question assesses: every graded
                    question (the id in ``checks("...")`` for autograded answers,
                    the grade_id for manually graded ones) and only those, each
                    with valid objective numbers (1 = first objective); every
                    question assesses at least one objective and every objective
                    is assessed by at least one question.
requires            ``metadata.chiiki_iot.requires`` lists the modules to take
                    before this one (``"course/NN_name"``, may be empty); the
                    workshop timetables (``curriculum.workshop``) are checked
                    against it
licence             the first cell carries ``LICENCE_NOTE`` (content CC BY 4.0,
                    code MIT)
rubric-list         a 採点基準 is a list, one point per line (not items run
                    together with ／), courses/STYLE.md
desu-masu           a paragraph of prose (not a list, table, quote or heading) does
                    not mix です・ます sentences with plain ones (…た。 …だ。 …である。)
wording             no word of ``WORDING`` (表記ゆれ and words a municipal office
                    does not use, courses/STYLE.md) in any cell or in the metadata
episodes            no explanation stretch longer than ``EPISODE_LIMIT`` (1,500)
                    characters of prose without a check (``episode_stretches``):
                    a graded cell, a ``checks(...)`` / ``checks.self_check()``
                    cell, or a quick check (tag ``quick-check``, calls
                    ``quick_check``, ungraded)
==================  ===========================================================

A notebook with ``metadata.chiiki_club`` is a 地域ICTクラブ session (``courses/ict_club/``): it is
checked against the club's own rules instead (``curriculum.club``; no grading, furigana, text forms).

``check_notebook(path)`` returns the errors; ``check_notebook(path, warnings=True)``
adds the warnings (``Violation.severity == "warning"``), which ``chiiki-iot
check-notebooks`` prints as 注意 without failing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .headings import section_problems
from .modules import AUDIENCES, KITS, courses_root

REQUIRED_META = ("title", "objectives", "keypoints", "minutes", "audiences", "kit", "prerequisites", "sources")
SECTIONS = ("導入", "解説", "例題", "演習", "まとめ", "出典")
FRONT_MATTER = ("学習目標", "所要時間", "前提", "使うもの")
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
REQUIRES_REF = re.compile(r"^(logical_thinking|sensors|open_data)/\d{2}_[a-z0-9_]+$")

# The licence line every module notebook carries in its first cell (README.md: ライセンス).
LICENCE_NOTE = ("> 📄 ライセンス: この教材の文章と図は [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/deed.ja)、"
                "コードは [MIT](https://opensource.org/license/mit) です（引用した資料とデータは、それぞれの出典の条件に従います）。")

# 表記ゆれ and words a municipal reader trips on: pattern -> (what was written, what to write).
# courses/STYLE.md (用語と表記) explains each; the 地域ICTクラブ sessions (children's wording) are not checked.
WORDING: dict[str, tuple[str, str]] = {
    r"持ち主": ("持ち主", "所管課（データや業務を所管する課）"),
    r"見張": ("見張り・見張る", "監視・監視する"),
    r"とび値|飛び値": ("とび値", "外れ値"),
    r"損益分岐": ("損益分岐点", "判断が変わる値（スイッチング値）"),
    r"何でツリー|「何で」|・何で[ をの]": ("何でツリー・「何で」（「なんで」と読まれます）", "要素分解ツリー・「要素分解」"),
    r"まちが": ("まちがい・まちがえる", "間違い・間違える"),
    r"(?<![たま])ちが(?=[いうっわえ])": ("ちがい・ちがう", "違い・違う"),
}


QUESTION_ID = re.compile(r"""checks\(\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Violation:
    notebook: str
    rule: str
    message: str
    severity: str = "error"   # "error" fails the checks; "warning" is reported only

    @property
    def is_warning(self) -> bool:
        return self.severity == "warning"

    def __str__(self) -> str:
        mark = "（注意）" if self.is_warning else ""
        return f"{self.notebook}: [{self.rule}]{mark} {self.message}"


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_autograded_answer(cell) -> bool:
    m = _nbgrader(cell)
    return cell.cell_type == "code" and m.get("solution", False) and not m.get("grade", False)


def _is_test(cell) -> bool:
    m = _nbgrader(cell)
    return cell.cell_type == "code" and m.get("grade", False) and not m.get("solution", False)


def _visible_part(source: str) -> str:
    return re.sub(rf"{re.escape(HIDDEN_BEGIN)}.*?{re.escape(HIDDEN_END)}", "", source, flags=re.S)


def hidden_parts(source: str) -> list[str]:
    return re.findall(rf"{re.escape(HIDDEN_BEGIN)}(.*?){re.escape(HIDDEN_END)}", source, flags=re.S)


def graded_questions(nb) -> dict[str, str]:
    """grade_id of every graded cell -> the question it grades.

    An autograder test cell grades the question named in its ``checks("...")``
    (several test cells may grade one question); a manually graded answer or task
    is its own question (its grade_id). Exports and the ``objective-map`` rule use this.
    """
    out = {}
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if not meta.get("grade") or not meta.get("grade_id"):
            continue
        found = QUESTION_ID.search(cell.source) if not meta.get("solution") and not meta.get("task") else None
        out[meta["grade_id"]] = found.group(1) if found else meta["grade_id"]
    return out


def check_notebook(path: Path | str, *, warnings: bool = False) -> list[Violation]:
    """All convention violations of one notebook (and, with ``warnings=True``, the warnings)."""
    path = Path(path)
    name = str(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as e:  # not JSON, not a notebook
        return [Violation(name, "format", f"ノートブックとして読めません: {e}")]
    if "chiiki_club" in nb.metadata:  # a 地域ICTクラブ session: its own rules, no grading (curriculum.club)
        from .club import check_session

        return check_session(path, nb, warnings=warnings)
    out: list[Violation] = []

    def bad(rule: str, message: str, severity: str = "error") -> None:
        out.append(Violation(name, rule, message, severity))

    meta = nb.metadata.get("chiiki_iot")
    if not isinstance(meta, dict):
        bad("metadata", "notebook metadata に 'chiiki_iot' がありません（title, objectives, … を書いてください）")
        meta = {}
    else:
        for key in REQUIRED_META:
            if not meta.get(key):
                bad("metadata", f"chiiki_iot.{key} が空か、ありません")
        minutes = meta.get("minutes") or {}
        if not all(isinstance(minutes.get(k), int) and minutes[k] > 0 for k in ("teaching", "exercises")):
            bad("metadata", "chiiki_iot.minutes は {'teaching': 分, 'exercises': 分}（正の整数）にしてください")
        for a in meta.get("audiences") or []:
            if a not in AUDIENCES:
                bad("metadata", f"audiences の '{a}' は使えません（使えるもの: {', '.join(AUDIENCES)}）")
        for k in meta.get("kit") or []:
            if k not in KITS:
                bad("metadata", f"kit の '{k}' は使えません（使えるもの: {', '.join(KITS)}）")

    cells = nb.cells
    first = cells[0] if cells else None
    if first is None or first.cell_type != "markdown":
        bad("front-matter", "最初のセルは Markdown の表紙（タイトル・学習目標・所要時間・前提・使うもの）にしてください")
    else:
        text = first.source
        if meta.get("title") and not text.lstrip().startswith(f"# {meta['title']}"):
            bad("front-matter", f"表紙は '# {meta.get('title')}' で始めてください（metadata の title と同じ）")
        for word in FRONT_MATTER:
            if word not in text:
                bad("front-matter", f"表紙に「{word}」がありません")
        for obj in meta.get("objectives") or []:
            if obj not in text:
                bad("front-matter", f"学習目標「{obj}」が表紙にありません（metadata と同じ文にしてください）")
        minutes = meta.get("minutes") or {}
        total = sum(v for v in minutes.values() if isinstance(v, int))
        if total and f"{total}分" not in text.replace(" ", ""):
            bad("front-matter", f"所要時間の合計「{total}分」が表紙にありません")

    headings = [line[3:].strip() for c in cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")]
    missing, misordered = section_problems(headings, SECTIONS)
    for section in missing:
        bad("sections", f"「## …{section}」の見出しがありません（導入→解説→例題→演習→まとめ→出典）")
    if misordered:
        bad("sections", "見出しの順番は 導入→解説→例題→演習→まとめ→出典 にしてください")
    summary = "\n".join(c.source for c in cells if c.cell_type == "markdown" and "まとめ" in c.source)
    for kp in meta.get("keypoints") or []:
        if kp not in summary:
            bad("sections", f"キーポイント「{kp}」が「まとめ」にありません")

    for i, c in enumerate(cells):
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count")):
            bad("outputs", f"セル {i + 1} に出力が保存されています（出力を消してから保存してください）")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        bad("kernelspec", f"kernelspec は python3 にしてください（今は {kernel!r}）")

    ids: dict[str, int] = {}
    for i, c in enumerate(cells):
        m = _nbgrader(c)
        gid = m.get("grade_id")
        if not m:
            continue
        if not gid:
            bad("grade-id", f"セル {i + 1}: nbgrader のセルに grade_id がありません")
            continue
        if gid in ids:
            bad("grade-id", f"grade_id '{gid}' がセル {ids[gid] + 1} と {i + 1} で重なっています")
        ids[gid] = i
        if m.get("grade") and not (isinstance(m.get("points"), (int, float)) and m["points"] > 0):
            bad("points", f"セル {i + 1}（{gid}）: 採点セルの points が 0 かありません")
        if m.get("grade") and (m.get("task") or (m.get("solution") and c.cell_type == "markdown")):
            if "=== BEGIN MARK SCHEME ===" not in c.source and not _rubric_just_before(cells, i):
                bad("manual-rubric", f"セル {i + 1}（{gid}）: 手で採点する課題に採点基準（MARK SCHEME / 採点基準）がありません")

    all_source = "\n".join(c.source for c in cells if c.cell_type == "code")
    for i, c in enumerate(cells):
        if not _is_autograded_answer(c):
            continue
        gid = _nbgrader(c).get("grade_id", f"cell{i + 1}")
        tests = []
        for d in cells[i + 1:]:
            if _is_autograded_answer(d):
                break
            if _is_test(d):
                tests.append(d)
        visible = any(re.search(rf"""checks\(\s*["']{re.escape(gid)}["']""", _visible_part(t.source)) for t in tests)
        hidden = any(hidden_parts(t.source) for t in tests)
        if not tests:
            bad("answer-tests", f"答えのセル '{gid}' の後にテストセルがありません")
        if tests and not visible:
            bad("answer-tests", f"答えのセル '{gid}' に見えるテスト checks(\"{gid}\") がありません")
        if tests and not hidden:
            bad("answer-tests", f"答えのセル '{gid}' に隠しテスト（{HIDDEN_BEGIN}）がありません")
        if not re.search(rf"""checks\.add\(\s*["']{re.escape(gid)}["']""", all_source):
            bad("answer-tests", f"checks.add(\"{gid}\", ...) で答えの形を宣言してください")
    for i, c in enumerate(cells):
        if c.cell_type != "code":
            continue
        if c.source.count(HIDDEN_BEGIN) != c.source.count(HIDDEN_END):
            bad("hidden-wrapped", f"セル {i + 1}: BEGIN/END HIDDEN TESTS の数が合いません")
        for part in hidden_parts(c.source):
            body = [ln for ln in part.strip().splitlines() if ln.strip() and not ln.strip().startswith("#")]
            if body and not body[0].lstrip().startswith("with checks.grading("):
                bad("hidden-wrapped", f"セル {i + 1}: 隠しテストは 'with checks.grading(\"...\"):' の中に書いてください")
            elif any(not ln.startswith((" ", "\t")) for ln in body[1:]):
                bad("hidden-wrapped", f"セル {i + 1}: 隠しテストの全行を 'with checks.grading(...)' の中に入れてください")

    _check_requires(path, meta, bad)
    if first is not None and LICENCE_NOTE not in first.source:
        bad("licence", f"最初のセルにライセンスの1行がありません。表紙の用語集のリンクの下に、次の1行をそのまま入れてください: {LICENCE_NOTE}")
    _check_wording(nb, bad)
    _check_objective_map(nb, meta, bad)
    _check_episodes(path, nb, bad)
    return out if warnings else [v for v in out if not v.is_warning]


def _check_requires(path: Path, meta: dict, bad) -> None:
    """``requires``: the modules to take before this one, as ``"course/NN_name"``."""
    if "requires" not in meta:
        bad("requires", "chiiki_iot.requires がありません。先に学ぶモジュールを "
                        "[\"logical_thinking/01_shoraizo_mondai_kadai\"] の形で書いてください（なければ []）。")
        return
    requires = meta["requires"]
    if not isinstance(requires, list):
        bad("requires", f"chiiki_iot.requires はリストにしてください（今は {type(requires).__name__}）")
        return
    courses = courses_root()   # the repo's modules, also for a copy of a notebook elsewhere
    own = f"{path.resolve().parent.parent.name}/{path.resolve().parent.name}"
    for ref in requires:
        if not isinstance(ref, str) or not REQUIRES_REF.match(ref):
            bad("requires", f"requires の {ref!r} は \"コース/NN_名前\"（例: \"logical_thinking/01_shoraizo_mondai_kadai\"）にしてください")
        elif not (courses / ref).is_dir():
            bad("requires", f"requires の {ref} というモジュールのフォルダがありません")
        elif ref == own:
            bad("requires", f"requires に自分自身（{ref}）があります")


def wording_problems(text: str) -> list[tuple[str, str, str]]:
    """The words of ``WORDING`` found in ``text``: (found, written form, preferred form).

    >>> wording_problems("外れ値を所管課に返します。")
    []
    >>> [w[2] for w in wording_problems("とび値を持ち主に返します。値がちがいます。")]
    ['所管課（データや業務を所管する課）', '外れ値', '違い・違う']
    """
    found = []
    for pattern, (written, preferred) in WORDING.items():
        for m in re.finditer(pattern, text):
            found.append((text[max(0, m.start() - 8):m.end() + 8].replace("\n", " "), written, preferred))
    return found


_POLITE_END = re.compile(r"(ます|ません|です|でした|ました|ましょう|ください|でしょう|ますか|ですか|ませんか|ましょうか)$")
_PLAIN_END = re.compile(r"(る|た|だ|ない|である|ず|つ|しまう)$")


def mixed_style_sentences(markdown: str) -> list[str]:
    r"""Plain-style sentences (…た。 …だ。) in a prose paragraph that otherwise uses です・ます.

    Lists, tables, quotes and headings are left alone (a list item may end in a noun or in plain
    style), and so is text inside 「」 and （）, which quotes or explains.

    >>> mixed_style_sentences("水は足りていた。田が乾いてしまいます。")
    ['水は足りていた']
    >>> mixed_style_sentences("- 水は足りていた。\n\n田が乾いてしまいます。「足りていた。」と言います。")
    []
    """
    found = []
    for paragraph in re.split(r"\n\s*\n", markdown):
        lines = [ln for ln in paragraph.splitlines()
                 if ln.strip() and not re.match(r"\s*([|#>$]|[-*+] |\d+\. |[a-z]\. |```)", ln)]
        text = " ".join(lines).replace("**", "")
        previous = None
        while previous != text:
            previous = text
            text = re.sub(r"「[^「」]*」|『[^『』]*』|（[^（）]*）|`[^`]*`", "", text)
        sentences = [s.strip() for s in text.split("。")[:-1] if s.strip()]
        polite = [s for s in sentences if _POLITE_END.search(s)]
        plain = [s for s in sentences if not _POLITE_END.search(s) and _PLAIN_END.search(s)]
        if polite and plain:
            found += plain
    return found


def _check_wording(nb, bad) -> None:
    """``wording``: the 表記 of courses/STYLE.md in every cell and in the metadata the map shows."""
    meta = nb.metadata.get("chiiki_iot") or {}
    texts = [(f"セル {i + 1}", c.source) for i, c in enumerate(nb.cells)]
    texts += [("metadata", str({k: meta.get(k) for k in ("title", "objectives", "keypoints", "prerequisites")}))]
    for i, c in enumerate(nb.cells):
        if c.cell_type == "markdown" and re.search(r"採点基準[^\n]*（\d+点）[^\n]*／", c.source):
            bad("rubric-list", f"セル {i + 1}: 採点基準は「／」でつながず、1行に1つの観点の箇条書き（- …（1点））にしてください"
                               "（courses/STYLE.md）")
        if c.cell_type == "markdown" and "BEGIN SOLUTION" not in c.source:
            for sentence in mixed_style_sentences(c.source):
                bad("desu-masu", f"セル {i + 1}: です・ます の段落に「…{sentence[-30:]}。」があります。"
                                 "段落の中は です・ます にそろえてください（courses/STYLE.md）")
    for where, text in texts:
        for context, written, preferred in wording_problems(text):
            bad("wording", f"{where}: 「{written}」ではなく「{preferred}」と書きます（courses/STYLE.md）: …{context}…")


def _check_objective_map(nb, meta: dict, bad) -> None:
    """``objective-map``: which learning objectives each graded question assesses."""
    questions = list(dict.fromkeys(graded_questions(nb).values()))
    if not questions:
        return
    objectives = [o for o in (meta.get("objectives") or []) if isinstance(o, str)]
    n = len(objectives)
    example = ", ".join(f'"{q}": [1]' for q in questions[:2])
    how = (f"書き方: metadata の chiiki_iot に \"objective_map\": {{{example}, ...}}。キーは採点する問題"
           f"（自動採点は checks(\"…\") の ID、手で採点する問題は grade_id）、値はその問題が測る学習目標の番号のリスト"
           f"（学習目標の1番目が 1）。採点する問題: {', '.join(questions)}")
    if "objective_map" not in meta:
        bad("objective-map", f"chiiki_iot.objective_map がありません。学習目標別の成績に使います。{how}")
        return
    mapping = meta["objective_map"]
    if not isinstance(mapping, dict):
        bad("objective-map", f"chiiki_iot.objective_map は辞書にしてください（今は {type(mapping).__name__}）。{how}")
        return
    missing = [q for q in questions if q not in mapping]
    if missing:
        bad("objective-map", f"objective_map に採点する問題 {', '.join(missing)} がありません。それぞれが測る学習目標の番号"
                             f"（1〜{n}）のリストを書いてください（例: \"{missing[0]}\": [1]）。")
    extra = [q for q in mapping if q not in questions]
    if extra:
        bad("objective-map", f"objective_map の {', '.join(extra)} は採点する問題ではありません。消すか、ID を直してください"
                             f"（採点する問題: {', '.join(questions)}。自動採点は checks(\"…\") の ID、手で採点する問題は grade_id）。")
    assessed: set[int] = set()
    for q, numbers in mapping.items():
        if q in extra:
            continue
        if not isinstance(numbers, list):
            bad("objective-map", f"objective_map の \"{q}\" は学習目標の番号のリストにしてください（例: [1] や [1, 3]。今は {numbers!r}）。")
            continue
        wrong = [x for x in numbers if isinstance(x, bool) or not isinstance(x, int) or not 1 <= x <= n]
        if wrong:
            bad("objective-map", f"objective_map の \"{q}\" の {', '.join(map(repr, wrong))} は学習目標の番号ではありません。"
                                 f"1〜{n} の整数にしてください（このノートブックの学習目標は {n} 個です）。")
        elif len(set(numbers)) != len(numbers):
            bad("objective-map", f"objective_map の \"{q}\" に同じ番号が2回あります（{numbers}）。1回ずつにしてください。")
        elif not numbers:
            bad("objective-map", f"問題 \"{q}\" はどの学習目標も測っていません（objective_map が []）。学習目標別の成績では"
                                 "「（学習目標の対応なし）」に入ります。測る学習目標の番号を書くか、問題か学習目標を見直してください。")
        assessed |= {x for x in numbers if isinstance(x, int) and not isinstance(x, bool)}
    for i, text in enumerate(objectives, start=1):
        if i not in assessed:
            bad("objective-map", f"学習目標 {i}「{text}」を測る採点の問題がありません（学習目標別の成績に出ません）。"
                                 f"この目標を測る問題の objective_map に {i} を加えるか、この目標を測る演習を加えてください。")


def _rubric_just_before(cells, i: int) -> bool:
    """A manually graded answer shows its 採点基準 (rubric) in the cell just before it."""
    return i > 0 and "採点基準" in cells[i - 1].source


# --- episodes: no long explanation without a check (issue #13) ---------------------------------

EPISODE_LIMIT = 1500          # characters of prose, about 15 minutes of reading and trying
QUICK_CHECK_TAG = "quick-check"
_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", re.S | re.M)
_CALL = re.compile(r"^[^#\n]*\b(checks(\.self_check)?|quick_check)\s*\(", re.M)
_SUMMARY = re.compile(r"^##\s.*まとめ", re.M)


def prose_length(markdown: str) -> int:
    r"""Characters a learner reads in a Markdown cell: no code blocks, HTML tags, URLs or markup, no spaces.

    Links and images count by their text, tables by the text in their cells.

    >>> prose_length("## 見出し\n\n**課題**は [所管課](https://example.jp/a) に。\n```python\nx = 1\n```\n| a | b |\n|---|---|\n| 1 | 2 |")
    15
    """
    text = _FENCE.sub("", markdown)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"https?://\S+", "", text)
    text = re.sub(r"^[\s:|-]*\|[\s:|-]*$", "", text, flags=re.M)   # the |---|---| line of a table
    text = re.sub(r"[#*_`>|]", "", text)
    return len(re.sub(r"\s+", "", text))


def is_quick_check(cell) -> bool:
    """A code cell tagged ``quick-check`` (the ``episodes`` rule also wants it to call ``quick_check``)."""
    return cell.cell_type == "code" and QUICK_CHECK_TAG in (cell.get("metadata", {}).get("tags") or [])


def _is_check(cell) -> bool:
    """A cell after which the learner has had feedback: graded, a format/self-check, or a quick check."""
    m = _nbgrader(cell)
    if m.get("grade") or m.get("solution") or m.get("task"):
        return True
    if cell.cell_type != "code":
        return False
    calls = {g for g, _ in _CALL.findall(_visible_part(cell.source))}
    return bool(calls & {"checks", "checks.self_check"}) or (is_quick_check(cell) and "quick_check" in calls)


def episode_stretches(nb) -> list[tuple[int, int, int]]:
    """The explanation stretches of a notebook: (first cell, last cell, characters), cells numbered from 1.

    A stretch is the Markdown prose (``prose_length``) read between two checks. Counting starts
    after the front matter (the first cell: title, 学習目標, 所要時間, 前提, 使うもの) and stops at the
    ``## …まとめ`` heading (まとめ and 出典 recap, they do not explain anything new). Code cells
    (examples) add no characters; a check (``_is_check``) ends the stretch.
    """
    out: list[tuple[int, int, int]] = []
    start, last, chars = 0, 0, 0
    for number, cell in enumerate(nb.cells[1:], start=2):
        if cell.cell_type == "markdown" and _SUMMARY.search(cell.source):
            break
        if _is_check(cell):
            if chars:
                out.append((start, last, chars))
            start, last, chars = 0, 0, 0
            continue
        if cell.cell_type == "markdown":
            n = prose_length(cell.source)
            if n:
                start, last, chars = start or number, number, chars + n
    if chars:
        out.append((start, last, chars))
    return out


def _check_episodes(path: Path, nb, bad) -> None:
    """``episodes``: no explanation stretch longer than ``EPISODE_LIMIT`` characters without a check."""
    for number, cell in enumerate(nb.cells, start=1):
        if is_quick_check(cell):
            if "quick_check" not in {g for g, _ in _CALL.findall(cell.source)}:
                bad("episodes", f"セル {number}: タグ quick-check のセルが quick_check(...) を呼んでいません。"
                                "答えをその場で確かめられるよう、quick_check(kotae, 正解, \"理由\", choices=[...]) を書いてください。")
            if _nbgrader(cell):
                bad("episodes", f"セル {number}: 小テスト（quick-check）は採点しません。nbgrader の設定を外してください。")
    for first, last, chars in episode_stretches(nb):
        if chars > EPISODE_LIMIT:
            where = f"セル {first}" if first == last else f"セル {first}〜{last}"
            bad("episodes", f"{where}: 確認のない説明が {chars:,}字続いています（{EPISODE_LIMIT:,}字まで。約15分）。"
                            "途中の見出しのところで説明を分け、小テスト（タグ quick-check のコードセルで "
                            "quick_check(...) を呼ぶ、採点しない1問）を入れてください（courses/STYLE.md）。")
