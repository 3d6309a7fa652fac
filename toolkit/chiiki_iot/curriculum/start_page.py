"""The learner's start page, ``workspace/はじめに.md``: where to begin, how the pieces work, every module.

Written by ``curriculum.workspace.prepare`` at every start (it is not learner work) and opened,
rendered, when ``chiiki-iot lab`` starts. Its links are relative to the workspace root, whose
layout mirrors the repository (``courses/<course>/<module>/``, ``hardware_kits/``).
"""
from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote

from .modules import COURSE_NAMES, Module

FILE_NAME = "はじめに.md"
FIRST_MODULE = ("logical_thinking", "00_hajimete_no_jupyter")
GLOSSARY = "courses/yougoshu.md"
CHEAT_SHEET = "courses/hayamihyou.md"
HARDWARE = "hardware_kits/README.md"


def link(path: str) -> str:
    """A Markdown link target for a workspace path (Japanese and spaces percent-encoded)."""
    return quote(str(PurePosixPath(path)))


def module_path(module: Module) -> str:
    """The module's main notebook, relative to the workspace root."""
    return f"courses/{module.course}/{module.name}/{module.main_notebook.name}"


def _title(module: Module) -> str:
    try:
        return module.metadata.get("title") or module.name
    except Exception:  # a broken notebook still gets a line (its release failed; prepare says so)
        return module.name


def club_sessions(present: set[str]) -> list[tuple[str, str]]:
    """(path, title) of the ICT club sessions among the workspace paths ``present``."""
    import json

    from .modules import courses_root

    out = []
    for path in sorted(p for p in present if p.startswith("courses/ict_club/") and p.endswith(".ipynb")
                       and p.count("/") == 3 and not p.endswith(".new.ipynb")):
        source = courses_root().parent / path
        try:
            title = json.loads(source.read_text(encoding="utf-8"))["metadata"]["chiiki_club"]["title"]
        except (OSError, ValueError, KeyError):
            title = PurePosixPath(path).stem
        out.append((path, title))
    return out


def render(modules: list[Module], present: set[str]) -> str:
    """The page's Markdown. ``present``: the workspace paths that exist (only those are linked)."""
    def ref(path: str, text: str) -> str:
        return f"[{text}]({link(path)})" if path in present else text

    first = next((m for m in modules if (m.course, m.name) == FIRST_MODULE), None)
    lines = [
        "# はじめに ― 地域IoTアカデミーの学習用フォルダ",
        "",
        "ようこそ。このページは、ここで学ぶときの地図です。プログラミングがはじめての方も、"
        "上から順に読めば進められます。",
        "",
        "## 最初にすること",
        "",
    ]
    if first is not None:
        lines.append(f"1. {ref(module_path(first), 'モジュール 00「' + _title(first) + '」')} を開きます。"
                     "Jupyter の使い方と、Python のいちばん基本を、手を動かしながら学びます。")
    else:
        lines.append("1. 下の一覧のいちばん上のモジュールを開きます。")
    lines += [
        "2. そのあとは、下の一覧から、研修や自分の目的に合うコースを選んで、番号の順に進みます。",
        "",
        "## ノートブックの開き方",
        "",
        "- この下の一覧のリンクをクリックすると、ノートブック（拡張子 `.ipynb`）が開きます。",
        "- 左側のファイルブラウザ（フォルダの絵）からも開けます。`courses` の中に、コースごと・"
        "モジュールごとのフォルダがあります。",
        "- セルを選んで **Shift + Enter** を押すと、そのセルが実行され、次のセルへ進みます。",
        "- 書いた内容は自動で保存されます。自分で保存するときは **Ctrl + S**（Mac は **⌘ + S**）です。",
        "- あなたが書いたノートブックは、次に起動したときも上書きされません。教材が新しくなったときは、"
        "同じフォルダに `….new.ipynb` という名前で新しい版が置かれます。",
        "",
        "## 答えが合っているかの確かめ方",
        "",
        "- 演習には、答えを書くセルのすぐ下に「確かめのセル」があります。答えを書いたら、"
        "確かめのセルも実行してください。",
        "- 合っていれば合格の印が、違っていれば、どこを見直せばよいかが日本語で表示されます。"
        "まだ書いていないときは、書くところが残っていることを知らせます。",
        "- 何度やり直しても構いません。直したら、答えのセルと確かめのセルをもう一度実行します。",
        "- 赤い枠のエラーが出ても、こわれたわけではありません。いちばん上に、日本語で「考えられること」と"
        "「まず試すこと」が出ます（その下は Python の英語のメッセージです）。",
        "- 文章で答える課題は、自分の答えを書いて保存したあと、最後のまとめのチェックに出る "
        "`checks.model_answer(...)` で、解答例と採点基準を見られます。",
        "",
        "## 困ったときに見るページ",
        "",
        f"- {ref(GLOSSARY, '用語集')}: 出てくることばの意味（カーネル、セル、変数など）",
        f"- {ref(CHEAT_SHEET, '早見表')}: よく使う操作と書き方の一覧",
        f"- {ref(HARDWARE, '機材のページ')}: micro:bit・ESP32 の部品表、配線、書き込み手順"
        "（機材がなくても、センサー実習は仮想キットで進められます）",
        "",
        "## モジュールの一覧",
    ]
    for course in dict.fromkeys(m.course for m in modules):
        lines += ["", f"### {COURSE_NAMES.get(course, course)}", ""]
        for m in (m for m in modules if m.course == course):
            lines.append(f"- {ref(module_path(m), m.name[:2] + ' ' + _title(m))}")
    club = club_sessions(present)
    if club:
        lines += ["", "### 地域ICTクラブ（子どもと大人がいっしょに。メンターといっしょに進めます）", ""]
        lines += [f"- {ref(path, PurePosixPath(path).stem[:2] + ' ' + title)}" for path, title in club]
    lines += ["", "---", "",
              "このページは、学習用フォルダを準備するたびに作り直されます。メモは自分のノートブックに書いてください。", ""]
    return "\n".join(lines)
