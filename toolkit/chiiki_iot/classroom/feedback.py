"""Feedback without hidden tests (jupyter/nbgrader#917).

nbgrader's ``autograde`` restores the hidden tests into the autograded notebook,
and ``generate_feedback`` renders that notebook to HTML, hidden tests included.
The course configuration adds ``HideGraderSecrets`` to
``GenerateFeedback.preprocessors``, so every feedback file, whoever generates it
(the CLI or the formgrader), is rendered from a notebook where:

* the ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` regions and the mark
  schemes are removed from the cells, and
* any output line that repeats a line of those regions (a traceback, or learner
  code that printed the test while it ran) is replaced by a Japanese note.

``leaked_lines`` checks finished HTML files (used by the class workflow after generating
feedback, and by the tests) in every form the page carries a line: the visible text and the
raw HTML (attributes, comments, scripts), with HTML entities and ``%``/``\\u`` escapes decoded,
NFKC-normalised, and with whitespace and invisible characters (zero-width spaces, joiners,
soft hyphens, variation selectors, fillers ...) removed. Output lines are scrubbed with the
same canonical form.

The page itself is Japanese. nbgrader renders feedback with the nbconvert template
named ``feedback`` (``NbGraderAPI.generate_feedback``, used by the formgrader and by
``chiiki-iot class feedback``, forces that name), looked up in
``HTMLExporter.extra_template_basedirs``, which ``GenerateFeedback`` fills with its own
folder only when the configuration leaves it unset. The course configuration sets it to
``settings.TEMPLATE_DIR`` (whose ``feedback/`` is the Japanese page, adapted from nbgrader's) followed
by nbgrader's own folder (the formgrader needs its ``formgrade`` template from there), so the
CLI, the formgrader and the class workflow all render the Japanese page. ``FeedbackFacts`` gives that
template the submission time, the due date and how late the submission was (Japan time).
"""
from __future__ import annotations

import html
import re
import unicodedata
import urllib.parse
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from ..curriculum.rules import HIDDEN_BEGIN, HIDDEN_END

MARK_BEGIN, MARK_END = "=== BEGIN MARK SCHEME ===", "=== END MARK SCHEME ==="
REGIONS = [(HIDDEN_BEGIN, HIDDEN_END), (MARK_BEGIN, MARK_END)]
HIDDEN_NOTE = "（採点用のテストの内容なので表示しません）"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MIN_SECRET = 6  # shorter lines ("pass", "])") are too common to mean anything


def split_regions(source: str) -> tuple[str, list[str]]:
    """``source`` without hidden-test / mark-scheme regions, and the lines removed."""
    kept, removed, inside = [], [], None
    for line in source.split("\n"):
        if inside is None:
            starts = [end for begin, end in REGIONS if begin in line]
            if starts:
                inside = starts[0]
                continue
            kept.append(line)
        elif inside in line:
            inside = None
        else:
            removed.append(line)
    return "\n".join(kept).rstrip("\n"), removed


def secret_lines(lines) -> set[str]:
    return {ln.strip() for ln in lines if len(ln.strip()) >= MIN_SECRET and not ln.strip().startswith("#")}


MARKERS = {HIDDEN_BEGIN, HIDDEN_END, MARK_BEGIN, MARK_END}
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cn", "Cs", "Mn", "Me", "Zl", "Zp", "Zs"}
INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e", "\u034f"}

def _drop_table() -> dict[int, None]:
    """Whitespace and invisible characters (BMP, and the astral tag / variation-selector blocks)."""
    codes = [*range(0x10000), *range(0xE0000, 0xE01F0), *range(0x1D173, 0x1D17B)]
    return {c: None for c in codes if chr(c).isspace() or chr(c) in INVISIBLE_LETTERS
            or unicodedata.category(chr(c)) in INVISIBLE_CATEGORIES}


_DROP = _drop_table()
JS_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2}))")


def canonical(text: str) -> str:
    """``text`` as its characters read: entities decoded (repeatedly), NFKC, no whitespace, no invisible characters."""
    text = ANSI.sub("", text)
    for _ in range(4):  # &amp;#119; -> &#119; -> w
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return unicodedata.normalize("NFKC", text).translate(_DROP)


def _js_unescape(text: str) -> str:
    return JS_ESCAPE.sub(lambda m: chr(int(next(g for g in m.groups() if g), 16)), text)


def views(text: str) -> list[str]:
    """Every canonical reading of a page or output: raw, tags removed, %-decoded, JS-unescaped."""
    tagless = re.sub(r"<[^>]*>", "", text)
    forms = {text, tagless}
    for form in list(forms):
        forms.add(urllib.parse.unquote(form))
        forms.add(_js_unescape(form))
    return [canonical(f) for f in forms]


def canonical_secrets(secrets) -> set[str]:
    return {c for c in (canonical(s) for s in secrets) if len(c) >= MIN_SECRET}


def _scrub(text: str, secrets: set[str]) -> str:
    """Lines of ``text`` that carry a secret (in any reading) replaced by the Japanese note."""
    wanted = canonical_secrets(secrets | MARKERS)
    if not any(w in v for v in views(text) for w in wanted):
        return text
    out = []
    for line in text.split("\n"):
        found = any(w in v for v in views(line) for w in wanted)
        out.append(HIDDEN_NOTE if found else line)
    return "\n".join(out)


class HideGraderSecrets(Preprocessor):
    """Remove hidden tests and mark schemes from cells, and their lines from outputs."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        secrets: set[str] = set()
        for cell in nb.cells:
            cell.source, removed = split_regions(cell.source)
            secrets |= secret_lines(removed)
        if secrets:
            for cell in nb.cells:
                for out in cell.get("outputs", []):
                    if "text" in out:
                        out["text"] = _scrub(out["text"], secrets)
                    if "traceback" in out:
                        out["traceback"] = [_scrub(t, secrets) for t in out["traceback"]]
                    if "evalue" in out:
                        out["evalue"] = _scrub(out["evalue"], secrets)
                    for mime, value in list(out.get("data", {}).items()):
                        if isinstance(value, str):
                            out["data"][mime] = _scrub(value, secrets)
        return nb, resources


class FeedbackFacts(Preprocessor):
    """Put the submission time, the due date and the lateness (Japan time) in ``resources["chiiki_iot"]``."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry

        from .duedates import late_text, lateness, shown, submitted_at

        info = resources.get("nbgrader", {})
        folder = resources.get("metadata", {}).get("path") or ""
        submitted = submitted_at(Path(folder)) if folder else None
        due = extension = None
        try:
            with Gradebook(info["db_url"]) as gb:
                assignment = gb.find_assignment(info["assignment"])
                due = assignment.duedate
                try:
                    extension = gb.find_submission(info["assignment"], info["student"]).extension
                except MissingEntry:
                    pass
        except (KeyError, MissingEntry):
            pass
        if due is not None:
            from datetime import timezone

            due = due.replace(tzinfo=timezone.utc)
        resources["chiiki_iot"] = {"submitted": shown(submitted), "due": shown(due),
                                   "late": late_text(lateness(submitted, due, extension))}
        return nb, resources


def html_text(path: Path) -> str:
    """The visible text of an HTML file (tags removed, entities decoded)."""
    raw = Path(path).read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", "", raw, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def leaked_lines(html_file: Path, secrets: set[str]) -> list[str]:
    """Secret lines that a feedback file carries in any form (see ``views``)."""
    pages = views(Path(html_file).read_text(encoding="utf-8", errors="replace"))
    return sorted(s for s in secrets if (c := canonical(s)) and len(c) >= MIN_SECRET and any(c in p for p in pages))


def source_secrets(source_notebook: Path) -> set[str]:
    """Hidden-test and mark-scheme lines of an instructor notebook."""
    import nbformat

    nb = nbformat.read(source_notebook, as_version=4)
    lines: list[str] = []
    for cell in nb.cells:
        lines += split_regions(cell.source)[1]
    return secret_lines(lines)
