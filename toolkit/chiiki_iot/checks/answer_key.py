"""The self-check key of a learner workspace: the hidden tests, kept out of plain sight.

A learner alone has no grader. ``chiiki-iot lab`` therefore puts, beside each module of
the learner workspace, the module's hidden tests and model answers in one compressed file
(not readable as text, so nobody meets an answer by opening a file). A notebook's
``checks("q1")`` finds the key of the folder it runs in and runs the hidden tests of that
answer, so the learner learns whether the answer is right, with the same Japanese hints
the grader gives. Where there is no key (the trainer's ``courses/``, an nbgrader class),
checks stay format-only, exactly as before.

Layout::

    <workspace>/.chiiki_iot_workspace.json         marks the workspace root
    <workspace>/.chiiki_iot/selfcheck/<course>/<module>.key

The key's content (before compression)::

    {"version": 1,
     "notebooks": {"<notebook file name>": {
         "tests": {"<test cell grade_id>": {"question": "q1", "code": "<hidden test code>"}},
         "manual": {"<grade_id>": {"model_answer": "...", "rubric": "...", "blank": "..."}}}}}

This is not security: a determined learner can decompress it. It keeps answers from being
read by accident, which is what self-study needs.
"""
from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

WORKSPACE_MARKER = ".chiiki_iot_workspace.json"
KEY_DIR = Path(".chiiki_iot") / "selfcheck"
MAGIC = b"chiiki-iot self-check key 1\n"
VERSION = 1


class DamagedKey(ValueError):
    """A key file exists but cannot be read (damaged, or from another version)."""


def encode(content: dict[str, Any]) -> bytes:
    return MAGIC + zlib.compress(json.dumps(content, ensure_ascii=False).encode("utf-8"), 9)


def decode(data: bytes) -> dict[str, Any]:
    if not data.startswith(MAGIC):
        raise DamagedKey("自己採点の答え合わせファイルの形式がちがいます。")
    try:
        content = json.loads(zlib.decompress(data[len(MAGIC):]).decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DamagedKey(f"自己採点の答え合わせファイルが壊れています（{e}）。") from None
    if content.get("version") != VERSION:
        raise DamagedKey("自己採点の答え合わせファイルの版がちがいます。")
    return content


def key_path(workspace: Path, course: str, module: str) -> Path:
    return Path(workspace) / KEY_DIR / course / f"{module}.key"


def write(workspace: Path, course: str, module: str, content: dict[str, Any]) -> Path:
    path = key_path(workspace, course, module)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode({"version": VERSION, **content}))
    return path


def workspace_of(folder: Path) -> Path | None:
    """The learner workspace that contains ``folder`` (None outside any workspace)."""
    folder = Path(folder).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / WORKSPACE_MARKER).is_file():
            return candidate
    return None


def find(folder: Path | None = None) -> dict[str, Any] | None:
    """The decoded key of the module folder ``folder`` (default: the current folder), or None."""
    folder = Path.cwd() if folder is None else Path(folder)
    root = workspace_of(folder)
    if root is None:
        return None
    folder = folder.resolve()
    path = key_path(root, folder.parent.name, folder.name)
    if not path.is_file():
        return None
    return decode(path.read_bytes())
