"""Printable handouts of the 地域ICTクラブ sessions (``chiiki-iot club-handouts``).

Every session gets one self-contained HTML page (and there is an index): the furigana
``<ruby>``/``<rt>`` of the notebooks survive, nothing runs (no ``<script>``), the Markdown is
rendered. Then one page is printed to PDF in Debian's Chromium (Playwright's ``page.pdf()``):
only 「もっとやってみよう」 and the mentor box start a new sheet (the other sections run on), so
session 01 prints on 3 to 10 A4 sheets (9 when measured), its text shows the session title and
a furigana reading, and no text on it is smaller than 16pt (the readings in ``<rt>`` aside). Chromium discovery and the
skip/fail rule are tests/chromium.py's (skipped without Chromium, failed in CI).
"""
from __future__ import annotations

import re

import nbformat
import pytest

from chiiki_iot.cli import main
from chiiki_iot.curriculum.club_handouts import no_script, session_dirs, write_handouts

from chromium import CHROMIUM_ARGS, require_chromium, skip_without_chromium

PT = 96 / 72  # CSS px per pt


@pytest.fixture(scope="module")
def handouts(tmp_path_factory):
    dest = tmp_path_factory.mktemp("handouts_print")
    return dest, write_handouts(dest)


def _meta(folder):
    return nbformat.read(folder / f"{folder.name}.ipynb", as_version=4).metadata["chiiki_club"]


def test_every_session_has_a_page_and_the_index_lists_it(handouts):
    dest, written = handouts
    sessions = session_dirs()
    assert len(sessions) >= 8
    assert written == [dest / f"{s.name}.html" for s in sessions] + [dest / "index.html"]
    index = (dest / "index.html").read_text(encoding="utf-8")
    for s in sessions:
        page = (dest / f"{s.name}.html").read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and _meta(s)["title"] in page, s.name
        assert f'href="{s.name}.html"' in index


def test_furigana_survive_and_nothing_runs(handouts):
    dest, _ = handouts
    for s in session_dirs():
        page = (dest / f"{s.name}.html").read_text(encoding="utf-8")
        assert "<ruby>" in page and "<rt>" in page and "</rt></ruby>" in page, s.name
        assert "<ruby>発展<rt>はってん</rt></ruby>" in page, s.name  # the levels heading, as written
        assert "<script" not in page.lower() and "javascript:" not in page.lower(), s.name
        assert "Content-Security-Policy" in page
        # Markdown is rendered, the notebooks' own HTML kept
        assert "<h2>" in page and "<strong>" in page and '<div style="font-size:1.3em' in page, s.name
        assert "**" not in re.sub(r"<pre.*?</pre>", "", page, flags=re.S), s.name
        for kind in ("warmup", "make", "show", "levels", "mentor"):
            assert f'<section class="part {kind}">' in page, (s.name, kind)
        assert '<aside class="mentor-box"' in page and "声かけ" in page
        assert page.count('<pre class="code">') >= 3, s.name
    assert "<script" not in (dest / "index.html").read_text(encoding="utf-8").lower()


def test_no_script_drops_scripts_only():
    assert no_script('<div style="font-size:1.3em"><ruby>塩尻<rt>しおじり</rt></ruby>'
                     '<script type="text/javascript">x()</script><img src="a.svg" onerror="x()"></div>') == (
        '<div style="font-size:1.3em"><ruby>塩尻<rt>しおじり</rt></ruby><img src="a.svg"></div>')


def test_the_command_writes_into_handouts_print_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["club-handouts"]) == 0
    assert (tmp_path / "handouts_print" / "index.html").is_file()
    assert (tmp_path / "handouts_print" / "01_hajimete_no_led.html").is_file()
    assert "index.html" in capsys.readouterr().out
    assert main(["club-handouts", "--out", str(tmp_path / "other")]) == 0
    assert len(list((tmp_path / "other").glob("*.html"))) == len(session_dirs()) + 1


# ------------------------------------------------------------------------------ printed, in Chromium
@skip_without_chromium
@pytest.mark.timeout(60)
def test_a_page_prints_to_pdf_with_its_title_and_furigana(handouts, tmp_path):
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    dest, _written = handouts
    # a session whose cover (first cell) has furigana: its reading is on the first printed page
    folder = next((s for s in session_dirs()
                   if "<rt>" in nbformat.read(s / f"{s.name}.ipynb", as_version=4).cells[0].source),
                  session_dirs()[0])
    html_page = dest / f"{folder.name}.html"
    reading = re.search(r"<rt>(.+?)</rt>", html_page.read_text(encoding="utf-8")).group(1)
    title = _meta(folder)["title"]

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="ja-JP")
            page.set_default_timeout(30_000)
            page.goto(html_page.as_uri())
            page.emulate_media(media="print")
            text = page.inner_text("body")
            # the forced page breaks, as Chromium computes them for print
            breaks = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('section.part')]
                .map(s => [s.className.replace('part ', ''), getComputedStyle(s).breakBefore]))""")
            # the smallest computed font size of any text outside <rt>, in px
            smallest = page.evaluate("""() => {
                const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                let min = Infinity, where = '';
                while (w.nextNode()) {
                    const n = w.currentNode;
                    if (!n.textContent.trim() || n.parentElement.closest('rt')) continue;
                    const px = parseFloat(getComputedStyle(n.parentElement).fontSize);
                    if (px < min) { min = px; where = n.textContent.trim().slice(0, 30); }
                }
                return [min, where];
            }""")
            pdf = page.pdf(path=str(tmp_path / f"{folder.name}.pdf"), format="A4", prefer_css_page_size=True)
        finally:
            browser.close()

    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert pdf.startswith(b"%PDF") and pages >= 1
    assert breaks == {"warmup": "auto", "make": "auto", "show": "auto", "levels": "page", "mentor": "page"}, breaks
    # the cover and the steps, then the levels, then the mentor box: at least 3 sheets; and compact
    # (session 01 measured 9 sheets; a page break before every section gave 12)
    assert 3 <= pages <= 10, f"3 to 10 A4 sheets expected for {folder.name}, got {pages}"
    assert title in text
    assert reading in text, f"the furigana reading {reading!r} is not in the rendered text"
    assert smallest[0] >= 16 * PT - 0.01, f"text smaller than 16pt ({smallest[0] / PT:.1f}pt): {smallest[1]!r}"
