"""Every 地域ICTクラブ session has its braille-ready text in courses/ict_club/handouts/.

``handouts/NN_romaji.txt`` (one per session folder ``NN_romaji/``) is read by braille
translation software and printed in large type (handouts/README.md): UTF-8, not empty,
every line at most 32 characters, no tabs, no table characters, no emoji. A session folder
without its text fails here, so a new session cannot be added without one.
"""
from __future__ import annotations

import re

import pytest

from conftest import REPO

CLUB = REPO / "courses" / "ict_club"
HANDOUTS = CLUB / "handouts"
SESSIONS = sorted(p for p in CLUB.iterdir() if p.is_dir() and re.match(r"^\d{2}_[a-z0-9_]+$", p.name))
MAX_LINE = 32
# table rules and box drawing: | ｜ ┃ ─ ┼ …
TABLE = re.compile(r"[|｜\u2500-\u257f]")
# emoji and pictographs: ✅ ⏳ ⚠ ☀ 🐗 …, and the emoji modifiers/joiners
EMOJI = re.compile("[\U0001f000-\U0001faff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]")


def text_problems(path) -> list[str]:
    """What keeps ``path`` from being a braille-ready text (empty list: nothing)."""
    if not path.is_file():
        return [f"{path.name} がありません（点訳用テキスト）"]
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        return [f"{path.name}: UTF-8 ではありません（{e.reason}）"]
    if not text.strip():
        return [f"{path.name}: 中身がありません"]
    problems = []
    for n, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE:
            problems.append(f"{path.name} {n}行目: {len(line)}文字（{MAX_LINE}文字まで）: {line!r}")
        if "\t" in line:
            problems.append(f"{path.name} {n}行目: タブがあります")
        if TABLE.search(line):
            problems.append(f"{path.name} {n}行目: 表の文字 {TABLE.search(line).group()!r} があります")
        if EMOJI.search(line):
            problems.append(f"{path.name} {n}行目: 絵文字 {EMOJI.search(line).group()!r} があります")
    return problems


def test_there_are_sessions():
    assert len(SESSIONS) >= 8


@pytest.mark.parametrize("session", SESSIONS, ids=[s.name for s in SESSIONS])
def test_every_session_has_a_braille_ready_text(session):
    problems = text_problems(HANDOUTS / f"{session.name}.txt")
    assert not problems, "\n" + "\n".join(problems)


def test_every_text_belongs_to_a_session():
    names = {s.name for s in SESSIONS}
    strays = [p.name for p in HANDOUTS.glob("*.txt") if p.stem not in names]
    assert not strays, f"セッションのフォルダがない点訳用テキスト: {strays}"


@pytest.mark.parametrize("content, found", [
    (None, "がありません"),
    ("".encode("utf-8"), "中身がありません"),
    (" \n\n".encode("utf-8"), "中身がありません"),
    ("あかるさ\n".encode("shift_jis"), "UTF-8 ではありません"),
    (("あ" * 33 + "\n").encode("utf-8"), "33文字"),
    ("1.\tつなぎます\n".encode("utf-8"), "タブ"),
    ("| レベル | かず |\n".encode("utf-8"), "表の文字"),
    ("できました ✅\n".encode("utf-8"), "絵文字"),
    ("どうぶつ 🐗\n".encode("utf-8"), "絵文字"),
])
def test_a_broken_text_is_reported(tmp_path, content, found):
    path = tmp_path / "09_atarashii.txt"
    if content is not None:
        path.write_bytes(content)
    problems = text_problems(path)
    assert any(found in p for p in problems), problems


def test_a_good_text_passes(tmp_path):
    path = tmp_path / "09_atarashii.txt"
    path.write_text("あたらしい セッション\n（セッション 09、55ふん）\n\n" + "あ" * 32 + "\n", encoding="utf-8")
    assert text_problems(path) == []
