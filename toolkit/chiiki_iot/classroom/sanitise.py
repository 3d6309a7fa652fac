"""Learner outputs made inert before any trainer view or feedback page renders them.

A learner's code can display HTML (``<script>``, ``onerror=``), SVG with scripts,
JavaScript, Markdown with raw HTML, or send crafted image data and metadata. The
formgrader (the trainer, logged in to JupyterHub) and the feedback page render
the *autograded* notebook, so ``SanitiseOutputs`` runs in
``Autograde.autograde_preprocessors`` right after execution and rewrites that copy:

* ``text/html`` is cleaned with ``nh3`` (the Rust ``ammonia`` sanitiser): no scripts,
  styles, comments, event handlers, images or ``javascript:`` links; tables and text stay;
* ``image/png`` / ``image/jpeg`` / ``image/gif`` stay only if they are plain base64;
* every other MIME type (SVG, JavaScript, Markdown, LaTeX, widgets, JSON, ...) is
  dropped and kept as text, so the trainer still sees what the learner showed;
* output metadata keeps only numeric ``width`` / ``height``; stream names are
  ``stdout`` / ``stderr``;
* Markdown cells the learner wrote (any Markdown cell that is not, word for word, a
  cell of the released notebook) have their raw HTML escaped (shown as text) and
  their attachments removed; cell tags that are not simple words are removed;
* notebook-level widget state is removed.

``unsafe_markup(html)`` checks a finished page (feedback) for what must never be
there: event-handler attributes, ``javascript:`` URLs and scripts other than the
page template's own.
"""
from __future__ import annotations

import base64
import binascii
import html.parser
import json
import re
from pathlib import Path

import nh3
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

SAFE_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"img", "map", "area"}
SAFE_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items() if tag in SAFE_TAGS}
# the trainer's headings keep their ids (the ¶ links of the page point at them)
PAGE_ATTRIBUTES = {**{tag: set(a) for tag, a in nh3.ALLOWED_ATTRIBUTES.items()},
                   **{f"h{n}": {"id"} for n in range(1, 7)}}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
TEXT_NOTE = "（この出力（{mime}）は安全のため、文字だけを表示しています）\n"
TAG = re.compile(r"^[\w\-]{1,64}$")
RAW_HTML = re.compile(r"<(?=[A-Za-z!/?])")
BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")


def clean_html(value: str) -> str:
    """``value`` with only inert HTML left (nh3 / ammonia)."""
    return nh3.clean(value, tags=set(SAFE_TAGS), attributes=SAFE_ATTRIBUTES, url_schemes={"http", "https"},
                     strip_comments=True, link_rel="noopener noreferrer nofollow")


def clean_page_html(value: str) -> str:
    """Rendered Markdown of the feedback page (the ``chiiki_clean_html`` template filter): the trainer's
    text keeps its images and links, and no script, style, comment or event handler gets through."""
    return nh3.clean(value, attributes=PAGE_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     strip_comments=True, link_rel="noopener noreferrer nofollow")


def _plain_base64(value) -> bool:
    if not isinstance(value, str) or not BASE64.match(value):
        return False
    try:
        base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _as_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)


def sanitise_output(out) -> None:
    """Make one notebook output inert, in place."""
    if out.get("output_type") == "stream" and out.get("name") not in ("stdout", "stderr"):
        out["name"] = "stdout"
    if "data" not in out:
        return
    data, kept, dropped = out["data"], {}, []
    for mime, value in data.items():
        if mime == "text/plain":
            kept[mime] = _as_text(value)
        elif mime == "text/html":
            kept[mime] = clean_html(_as_text(value))
        elif mime in IMAGE_TYPES and _plain_base64(value):
            kept[mime] = value
        else:
            dropped.append((mime, _as_text(value)))
    readable = [text for mime, text in dropped if mime in ("text/markdown", "text/latex")]
    if readable:  # IPython's text/plain of these is only "<IPython.core.display.Markdown object>"
        kept["text/plain"] = readable[0]
    elif dropped and "text/plain" not in kept:
        mime, text = dropped[0]
        kept["text/plain"] = TEXT_NOTE.format(mime=mime) + (text if not mime.startswith("image/") else "")
    out["data"] = kept
    meta = {}
    for mime, m in (out.get("metadata") or {}).items():
        if mime in IMAGE_TYPES and isinstance(m, dict):
            size = {k: v for k, v in m.items() if k in ("width", "height") and isinstance(v, int)
                    and not isinstance(v, bool)}
            if size:
                meta[mime] = size
    out["metadata"] = meta


class SanitiseOutputs(Preprocessor):
    """Rewrite the autograded notebook so that nothing a learner wrote can run in a browser."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        trusted = _released_markdown(resources)
        for cell in nb.cells:
            tags = cell.get("metadata", {}).get("tags")
            if tags is not None:
                cell.metadata["tags"] = [t for t in tags if isinstance(t, str) and TAG.match(t)] \
                    if isinstance(tags, list) else []
            if cell.cell_type == "markdown" and cell.source not in trusted:
                cell.source = RAW_HTML.sub("&lt;", cell.source)
                cell.pop("attachments", None)
            for out in cell.get("outputs", []):
                sanitise_output(out)
        nb.metadata.pop("widgets", None)
        return nb, resources


def _released_markdown(resources: dict) -> set[str]:
    """Markdown cells of the released notebook (the trainer's own text, left as written)."""
    import nbformat

    path = Path(resources.get("metadata", {}).get("path") or ".").resolve()
    name = resources.get("nbgrader", {}).get("notebook")
    if "autograded" not in path.parts or not name:
        return set()
    idx = len(path.parts) - 1 - path.parts[::-1].index("autograded")
    release = Path(*path.parts[:idx]) / "release" / path.name / f"{name}.ipynb"
    try:
        nb = nbformat.read(release, as_version=4)
    except (OSError, ValueError):
        return set()
    return {c.source for c in nb.cells if c.cell_type == "markdown"}


class _Markup(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href") and value \
                    and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "vbscript:")):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag in ("script", "iframe", "object", "embed", "base", "frame"):
            self._in_script = tag == "script"
            self.scripts.append(tag + "|" + json.dumps(sorted((k, v or "") for k, v in attrs)))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and self.scripts:
            self.scripts[-1] += data


def page_scripts(text: str) -> tuple[list[str], list[str]]:
    parser = _Markup()
    parser.feed(text)
    parser.close()
    return parser.problems, parser.scripts


def unsafe_markup(page: Path | str, template_scripts: set[str] = frozenset()) -> list[str]:
    """What in a finished HTML page could run code: event handlers, ``javascript:`` URLs, and
    script / iframe / object elements that are not among ``template_scripts`` (the page
    template's own, from ``page_scripts`` of a page rendered from the released notebook)."""
    text = Path(page).read_text(encoding="utf-8") if isinstance(page, Path) else page
    problems, scripts = page_scripts(text)
    return problems + [s.split("|", 1)[0] for s in scripts if s not in template_scripts]
