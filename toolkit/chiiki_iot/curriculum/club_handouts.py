"""Printable handouts of the 地域ICTクラブ sessions: one self-contained HTML page per notebook.

``write_handouts(dest)`` reads each session notebook of ``courses/ict_club/`` and writes
``dest/NN_romaji.html`` (plus ``dest/index.html``), ready to print on A4 from any browser
(``chiiki-iot club-handouts``). A page holds, in the notebook's order: the cover (title, what
the child makes, time, things to use), then the ``##`` sections — the warm-up, the steps
(つくる) and みせあう running on from the cover, then 「もっとやってみよう」 (the 発展 levels) on a
new page — each code cell as a large code box, and last, on a page of its own, the
「メンターのかたへ」 box (声かけ・つまずき・ペア) with the sources (出典) under it.

The Markdown is rendered by ``mistune`` (CommonMark, raw HTML kept), so the notebooks' own
HTML — ``<ruby>漢字<rt>かんじ</rt></ruby>`` furigana and the large-type ``<div style=…>`` — is
printed as written. The pages carry no JavaScript: ``<script>`` elements, ``on…=`` handlers
and ``javascript:`` links are dropped, and a Content-Security-Policy forbids scripts anyway.
The print CSS sets large type (body 16pt, the notebooks' ``1.3em`` blocks about 21pt, code
17pt) at a 1.5 line height, black on white, and page breaks only before the 発展 levels and before the mentor box,
so a session prints on a few A4 sheets (a heading is kept with what follows it, a code box is
never split). Links to files beside the
notebooks (the tactile LED board) are rewritten relative to ``dest``.
"""
from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .club import CLUB_KEY, SECTIONS, visible_text
from .modules import courses_root

SESSION_NAME = re.compile(r"^\d{2}_[a-z0-9_]+$")
INDEX = "index.html"
# the CSS class of each ``##`` section, in the order of club.SECTIONS
SECTION_CLASSES = dict(zip(SECTIONS, ("warmup", "make", "show", "levels", "mentor"), strict=True))
SOURCES_HEADING = re.compile(r"^###\s*出典")

CSS = """\
@page { size: A4; margin: 12mm 13mm 13mm; }
html { font-size: 16pt; }
body {
  font-family: "IPAexGothic", "IPAGothic", "Noto Sans CJK JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN",
    "Yu Gothic", "Meiryo", sans-serif;
  font-size: 16pt; line-height: 1.5; color: #000; background: #fff; margin: 0;
}
h1 { font-size: 30pt; line-height: 1.3; margin: 0 0 8pt; padding-bottom: 4pt; border-bottom: 4pt solid #000; }
h2 { font-size: 24pt; line-height: 1.3; margin: 0 0 6pt; padding-left: 10pt; border-left: 12pt solid #000;
     break-after: avoid; }
h3 { font-size: 20pt; line-height: 1.3; margin: 10pt 0 2pt; break-after: avoid; }
p { margin: 4pt 0 6pt; }
ul, ol { margin: 4pt 0 6pt; }
p, li { orphans: 2; widows: 2; }
rt { font-size: 0.6em; }
a { color: #000; text-decoration: underline; }
strong { font-weight: bold; }
section.part { margin-top: 18pt; }
section.part.levels, section.part.mentor { break-before: page; margin-top: 0; }
pre, pre.code {
  font-family: "Noto Sans Mono CJK JP", "IPAGothic", "DejaVu Sans Mono", "Liberation Mono", monospace;
  font-size: 17pt; line-height: 1.4; color: #000; background: #fff;
  border: 3pt solid #000; border-radius: 6pt; padding: 6pt 10pt; margin: 6pt 0 10pt;
  white-space: pre-wrap; overflow-wrap: anywhere; break-inside: avoid;
}
pre code { font-size: 1em; border: none; padding: 0; }
code { font-family: "Noto Sans Mono CJK JP", "IPAGothic", "DejaVu Sans Mono", monospace; font-size: 1em;
       border: 1pt solid #000; border-radius: 3pt; padding: 0 3pt; }
.code-label { font-size: 16pt; font-weight: bold; margin: 8pt 0 0; break-after: avoid; }
.code-label + pre { margin-top: 2pt; }
aside.mentor-box { border: 5pt double #000; border-radius: 8pt; padding: 4pt 14pt 10pt; margin-top: 6pt; }
aside.mentor-box h2 { border-left: none; padding-left: 0; }
aside.mentor-box .for-whom { font-weight: bold; margin: 0; }
.sources { margin-top: 14pt; }
table { border-collapse: collapse; margin: 8pt 0; }
th, td { border: 1.5pt solid #000; padding: 4pt 8pt; text-align: left; vertical-align: top; }
img, svg { max-width: 100%; }
.facts { margin: 8pt 0 12pt; }
footer { margin-top: 12pt; padding-top: 6pt; border-top: 2pt solid #000; font-size: 16pt; }
@media print {
  /* the notebooks' large-type blocks keep their size; at their 1.9 line height a session needs a third more sheets */
  div[style*="line-height"] { line-height: 1.5 !important; }
}
@media screen {
  body { max-width: 190mm; margin: 0 auto; padding: 10mm; }
  section.part { margin-top: 14mm; padding-top: 8mm; border-top: 2pt dashed #000; }
}
"""

# no script at all, even if something slipped through: inline styles and images only
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: file:"

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>|<script\b[^>]*/?>", re.I | re.S)
_HANDLER = re.compile(r"""\s+on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_JS_URL = re.compile(r"""(\b(?:href|src|action|formaction)\s*=\s*["']?)\s*javascript:[^"'\s>]*""", re.I)
_LINK = re.compile(r"""(\b(?:href|src)=")([^"]*)(")""")


def _markdown():
    import mistune

    return mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])


def no_script(markup: str) -> str:
    """``markup`` without ``<script>`` elements, ``on…=`` handlers or ``javascript:`` URLs; the rest as is.

    >>> no_script('<ruby>発展<rt>はってん</rt></ruby><script>alert(1)</script><a href="javascript:x" onclick="y">a</a>')
    '<ruby>発展<rt>はってん</rt></ruby><a href="">a</a>'
    """
    markup = _SCRIPT.sub("", markup)
    markup = _HANDLER.sub("", markup)
    return _JS_URL.sub(r"\1", markup)


def session_dirs(sessions: Iterable[str | Path] | None = None) -> list[Path]:
    """The session folders: all of ``courses/ict_club/NN_romaji/`` (sorted), or those named.

    ``sessions`` may hold folder names (``"05_dobutsu_sensor"``), folders or notebooks.
    """
    club = courses_root() / "ict_club"
    if sessions is None:
        return sorted(p for p in club.iterdir()
                      if p.is_dir() and SESSION_NAME.match(p.name) and (p / f"{p.name}.ipynb").is_file())
    out = []
    for s in sessions:
        p = Path(s)
        if p.suffix == ".ipynb":
            p = p.parent
        elif not p.is_absolute() and len(p.parts) == 1 and not p.is_dir():
            p = club / p
        if not (p / f"{p.name}.ipynb").is_file():
            raise FileNotFoundError(f"セッションのノートブック {p / (p.name + '.ipynb')} がありません")
        out.append(p)
    return out


def _relink(markup: str, source_dir: Path, dest: Path) -> str:
    """Relative ``href``/``src`` targets (files beside the notebook) made relative to ``dest``."""
    def fix(m: re.Match) -> str:
        url = m.group(2)
        parts = urlsplit(url)
        if not url or parts.scheme or parts.netloc or url.startswith(("#", "/")):
            return m.group(0)
        target = (source_dir / unquote(parts.path)).resolve()
        try:
            new = Path(os.path.relpath(target, dest.resolve())).as_posix()
            new = quote(new)
        except ValueError:  # another drive (Windows): an absolute file URL
            new = target.as_uri()
        if parts.fragment:
            new += "#" + parts.fragment
        return m.group(1) + html.escape(new, quote=True) + m.group(3)

    return _LINK.sub(fix, markup)


def _code_box(source: str) -> str:
    return ('<p class="code-label" aria-hidden="true">コード</p>\n'
            f'<pre class="code"><code class="language-python">{html.escape(source.rstrip())}</code></pre>\n')


def _split_sources(source: str) -> tuple[str, str]:
    """A mentor cell split before its ``### 出典``: (the box, the sources); ``<div>`` wrappers kept balanced."""
    lines = source.splitlines()
    at = next((i for i, line in enumerate(lines) if SOURCES_HEADING.match(line)), None)
    if at is None:
        return source, ""
    before, after = lines[:at], lines[at:]
    opened = [line for line in before if re.match(r"\s*<div\b", line)]
    unclosed = max(0, len(opened) - sum(line.count("</div") for line in before))
    reopen = opened[len(opened) - unclosed:] if unclosed else []
    before += [""] + ["</div>"] * unclosed
    after = reopen + [""] + after
    return "\n".join(before), "\n".join(after)


def _heading_kind(line: str) -> str:
    text = visible_text(line[3:])
    return next((cls for name, cls in SECTION_CLASSES.items() if name in text), "other")


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n"
            f"{body}</body>\n</html>\n")


def session_html(notebook: Path | str, dest: Path | str = ".") -> str:
    """The printable page of one session notebook (links relative to ``dest``)."""
    import nbformat

    notebook, dest = Path(notebook), Path(dest)
    nb = nbformat.read(notebook, as_version=4)
    meta = nb.metadata.get(CLUB_KEY) or {}
    md = _markdown()

    def render(source: str) -> str:
        return _relink(no_script(md(source)), notebook.parent, dest)

    # parts: (kind, [html chunks]); the cover is everything before the first ``##``
    parts: list[tuple[str, list[str]]] = [("cover", [])]
    sources: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            if cell.source.strip():
                parts[-1][1].append(_code_box(cell.source))
            continue
        if cell.cell_type != "markdown":
            continue
        text = cell.source
        first = next((line for line in text.splitlines() if line.startswith("## ")), None)
        if first is not None and not text.split(first, 1)[0].strip():
            parts.append((_heading_kind(first), []))
        elif first is not None:  # a heading in mid-cell: the text before it stays in the current part
            head, rest = text.split(first, 1)
            parts[-1][1].append(render(head))
            parts.append((_heading_kind(first), []))
            text = first + rest
        if parts[-1][0] == "mentor":
            text, tail = _split_sources(text)
            if tail:
                sources.append(render(tail))
        parts[-1][1].append(render(text))

    kit = {"virtual_kit": "パソコンの 中の micro:bit（<ruby>仮想<rt>かそう</rt></ruby>キット）",
           "microbit_v2": "micro:bit V2", "esp32": "ESP32", "none": "なし"}
    minutes = meta.get("minutes") or {}
    total = sum(v for v in minutes.values() if isinstance(v, int))
    facts = []
    if meta.get("ages"):
        facts.append(f"<strong>たいしょう:</strong> {html.escape(str(meta['ages']))}")
    if meta.get("kit"):
        facts.append("<strong>つかえるもの:</strong> " + "、".join(kit.get(k, html.escape(k)) for k in meta["kit"]))
    body = []
    for kind, chunks in parts:
        inner = "".join(chunks)
        if kind == "cover":
            fact_list = "".join(f"<li>{f}</li>" for f in facts)
            body.append(f'<header class="cover">\n{inner}<ul class="facts">{fact_list}</ul>\n</header>\n')
        elif kind == "mentor":
            note = '<p class="for-whom">（おとなの メンターが 読む ところです）</p>\n'
            inner = inner.replace("</h2>\n", "</h2>\n" + note, 1) if "</h2>" in inner else note + inner
            box = f'<aside class="mentor-box" aria-label="メンターのかたへ">\n{inner}</aside>\n'
            tail = f'<div class="sources">\n{"".join(sources)}</div>\n' if sources else ""
            body.append(f'<section class="part mentor">\n{box}{tail}</section>\n')
        else:
            body.append(f'<section class="part {kind}">\n{inner}</section>\n')
    body.append(f"<footer>この プリントは <code>{html.escape(notebook.name)}</code> から 作りました"
                f"（<code>chiiki-iot club-handouts</code>）。{'合計 ' + str(total) + '分。' if total else ''}</footer>\n")
    title = str(meta.get("title") or notebook.stem)
    number = notebook.stem.split("_", 1)[0]
    return _page(f"{number} {title} ― 地域ICTクラブ", "".join(body))


def index_html(pages: list[tuple[Path, Path]], dest: Path | str = ".") -> str:
    """The index page: one row per (notebook, written page)."""
    import nbformat

    dest = Path(dest)
    rows = []
    for notebook, page in pages:
        meta = nbformat.read(notebook, as_version=4).metadata.get(CLUB_KEY) or {}
        minutes = meta.get("minutes") or {}
        total = sum(v for v in minutes.values() if isinstance(v, int))
        split = "・".join(f"{label}{minutes[k]}" for k, label in
                          (("warmup", "ウォームアップ"), ("make", "つくる"), ("show", "みせあう")) if k in minutes)
        rows.append(
            f'<tr><td><a href="{quote(page.name)}">{html.escape(notebook.stem.split("_", 1)[0])} '
            f'{html.escape(str(meta.get("title") or notebook.stem))}</a></td>'
            f'<td>{html.escape(str(meta.get("made_thing", "")))}</td>'
            f'<td>{total}分（{html.escape(split)}）</td><td>{html.escape(str(meta.get("ages", "")))}</td></tr>\n')
    handouts = _relink('<a href="handouts/README.md">', courses_root() / "ict_club", dest)
    body = (
        "<h1>地域ICTクラブ ― セッションの プリント</h1>\n"
        "<p>ブラウザで ひらいて 印刷します（Ctrl + P、用紙は A4）。「もっとやってみよう」と「メンターのかたへ」から ページが かわります。"
        "さいごの ページは「メンターのかたへ」です（おとなの メンター用）。</p>\n"
        f"<p>目の 見えにくい 子の ための さわってわかる LED の 図と 点訳用テキストは、{handouts}"
        "courses/ict_club/handouts/</a> に あります。</p>\n"
        "<table>\n<thead><tr><th>セッション</th><th>つくるもの</th><th>時間</th><th>たいしょう</th></tr></thead>\n"
        f"<tbody>\n{''.join(rows)}</tbody>\n</table>\n"
        "<footer><code>chiiki-iot club-handouts</code> で 作りました。</footer>\n")
    return _page("地域ICTクラブ ― セッションの プリント", body)


def write_handouts(dest: Path | str, sessions: Iterable[str | Path] | None = None) -> list[Path]:
    """Write one printable page per session into ``dest`` (created if needed), and ``index.html``.

    ``sessions``: folder names, folders or notebooks (default: every session of
    ``courses/ict_club/``). Returns the session pages in order, then the index page.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, Path]] = []
    for folder in session_dirs(sessions):
        notebook = folder / f"{folder.name}.ipynb"
        page = dest / f"{folder.name}.html"
        page.write_text(session_html(notebook, dest), encoding="utf-8")
        written.append((notebook, page))
    index = dest / INDEX
    index.write_text(index_html(written, dest), encoding="utf-8")
    return [page for _, page in written] + [index]
