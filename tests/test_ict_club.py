"""The 地域ICTクラブ sessions (courses/ict_club/) follow the club's conventions.

The conventions are written for people in courses/ict_club/README.md and checked by
``chiiki_iot.curriculum.club.check_session`` (``chiiki-iot check-notebooks`` uses it for any
notebook with ``metadata.chiiki_club``). This file checks every session, then builds
deliberately broken copies of session 01 in a temp dir and shows that each rule catches
its flaw: furigana, minutes, sections, mentor notes, stored outputs, text forms, large
type, no grading, short code cells.
"""
from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from kanji_lists import KYOIKU

from chiiki_iot.curriculum import club
from chiiki_iot.curriculum.modules import discover
from chiiki_iot.curriculum.rules import check_notebook

from conftest import REPO

CLUB = REPO / "courses" / "ict_club"
SESSIONS = sorted(p for p in CLUB.iterdir() if p.is_dir() and re.match(r"^\d{2}_[a-z0-9_]+$", p.name))
FIRST = CLUB / "01_hajimete_no_led"


def _notebook(session):
    return session / f"{session.name}.ipynb"


def test_there_are_sessions_and_each_has_its_notebook_and_mentor_notes():
    assert len(SESSIONS) >= 4
    for s in SESSIONS:
        assert _notebook(s).is_file(), f"{s.name}: {s.name}.ipynb がありません"
        assert (s / "mentor_notes.md").is_file(), f"{s.name}: mentor_notes.md がありません"


def test_the_track_readme_lists_every_session():
    readme = (CLUB / "README.md").read_text(encoding="utf-8")
    for s in SESSIONS:
        rows = [r for r in readme.splitlines() if r.startswith(f"| `{s.name}`")]
        assert len(rows) == 1, f"courses/ict_club/README.md のセッション一覧に `{s.name}` の行がちょうど1つ必要です"
        total = sum(nbformat.read(_notebook(s), as_version=4).metadata["chiiki_club"]["minutes"].values())
        assert f"{total}分" in rows[0], f"{s.name}: 一覧の時間が metadata（合計 {total}分）と違います"


def test_the_curriculum_map_points_to_the_track():
    assert "ict_club/" in (REPO / "courses" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("session", SESSIONS, ids=[s.name for s in SESSIONS])
def test_session_follows_the_club_conventions(session):
    problems = club.check_session(_notebook(session))
    assert not problems, "\n" + "\n".join(str(p) for p in problems)


@pytest.mark.parametrize("session", SESSIONS, ids=[s.name for s in SESSIONS])
def test_furigana_and_length(session):
    """The two checks the issue names, spelled out: ruby on every kanji above grade 4, ≤ 60 minutes."""
    nb = nbformat.read(_notebook(session), as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            missing = club.needs_ruby(cell.source)
            assert not missing, f"{session.name} セル {i + 1}: ふりがながない漢字 {''.join(missing)}"
    minutes = nb.metadata["chiiki_club"]["minutes"]
    assert minutes["warmup"] == 5 and sum(minutes.values()) <= 60, f"{session.name}: {minutes}"


def test_club_sessions_are_not_graded_modules():
    """No nbgrader for children: discover() (nbgrader, the round trip, the self-check) never sees them."""
    assert all(m.course != "ict_club" for m in discover(REPO / "courses"))
    for s in SESSIONS:
        nb = nbformat.read(_notebook(s), as_version=4)
        assert "chiiki_iot" not in nb.metadata
        assert not any(c.metadata.get("nbgrader") for c in nb.cells)


def test_the_grade_list_is_the_2020_table():
    known = club.kanji_grades_1_to_4()
    assert len(known) == 642
    assert known == set().union(*(getattr(KYOIKU.REIWA2, f"GRADE{g}") for g in (1, 2, 3, 4)))
    assert {"火", "岡", "潟", "茨"} <= known          # 2020: the prefecture kanji moved to grade 4
    assert not {"仮", "域", "測", "視"} & known


def test_ruby_reading_and_code_are_not_counted():
    assert club.needs_ruby("<ruby>仮想<rt>かそう</rt></ruby>キット") == []
    assert club.needs_ruby("`display.show(測定)` と\n```python\n# 視覚\n```\n") == []
    assert club.needs_ruby("<ruby>温度<rt>おんど</rt></ruby>を 測ります。視覚") == ["測", "視"]


# --- deliberately broken sessions ----------------------------------------------------

def _copy(tmp_path, mentor_notes=True):
    folder = tmp_path / FIRST.name
    folder.mkdir()
    if mentor_notes:
        shutil.copy(FIRST / "mentor_notes.md", folder)
    return folder / f"{FIRST.name}.ipynb", nbformat.read(_notebook(FIRST), as_version=4)


def _rules(path, nb):
    nbformat.write(nb, path)
    found = check_notebook(path)      # the same entry point as the suite and `chiiki-iot check-notebooks`
    return {v.rule for v in found}, "\n".join(str(v) for v in found)


def _first_markdown_after(nb, heading):
    """The Markdown cell under the ``## …heading…`` line."""
    return next(c for c in nb.cells if c.cell_type == "markdown" and any(
        ln.startswith("## ") and heading in club.visible_text(ln) for ln in c.source.splitlines()))


def test_the_unbroken_copy_passes(tmp_path):
    path, nb = _copy(tmp_path)
    assert _rules(path, nb) == (set(), "")


def test_kanji_without_ruby_is_reported(tmp_path):
    path, nb = _copy(tmp_path)
    _first_markdown_after(nb, "ウォームアップ").source += "\n\n<div style=\"font-size:1.3em\">\n\n温度を 測定します。\n\n</div>"
    rules, text = _rules(path, nb)
    assert rules == {"furigana"} and "測" in text and "温" not in text.split("漢字:")[-1]


@pytest.mark.parametrize("minutes, shown", [({"warmup": 5, "make": 40, "show": 20}, "65分"),
                                            ({"warmup": 10, "make": 25, "show": 10}, "ウォームアップは 5分")])
def test_minutes_over_60_or_a_longer_warmup_are_reported(tmp_path, minutes, shown):
    path, nb = _copy(tmp_path)
    nb.metadata["chiiki_club"]["minutes"] = minutes
    rules, text = _rules(path, nb)
    assert "club-metadata" in rules and shown in text


@pytest.mark.parametrize("section", club.SECTIONS)
def test_a_missing_section_is_reported(tmp_path, section):
    path, nb = _copy(tmp_path)
    cell = _first_markdown_after(nb, section)
    cell.source = "\n".join(ln for ln in cell.source.splitlines()
                            if not (ln.startswith("## ") and section in club.visible_text(ln)))
    rules, text = _rules(path, nb)
    assert "sections" in rules and section in text


def test_a_mentor_box_without_pairing_is_reported(tmp_path):
    path, nb = _copy(tmp_path)
    cell = _first_markdown_after(nb, "メンターのかたへ")
    cell.source = cell.source.replace("ペア", "くみ").replace("見えにくい", "").replace("見える", "")
    rules, text = _rules(path, nb)
    assert rules == {"sections"} and "ペア" in text


def test_a_session_without_the_licence_line_is_reported(tmp_path):
    path, nb = _copy(tmp_path)
    for cell in nb.cells:
        cell.source = cell.source.replace(club.CLUB_LICENCE_NOTE, "")
    rules, text = _rules(path, nb)
    assert rules == {"licence"} and "CC BY 4.0" in text


def test_missing_mentor_notes_are_reported(tmp_path):
    path, nb = _copy(tmp_path, mentor_notes=False)
    assert _rules(path, nb)[0] == {"mentor-notes"}


def test_a_stored_output_is_reported(tmp_path):
    path, nb = _copy(tmp_path)
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.outputs = [nbformat.v4.new_output("stream", text="LED: ハート\n")]
    cell.execution_count = 1
    assert _rules(path, nb)[0] == {"outputs"}


def test_a_board_change_without_a_text_form_is_reported(tmp_path):
    path, nb = _copy(tmp_path)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "Image.HEART" in c.source)
    cell.source = 'board.exec("display.show(Image.HEART)")'
    rules, text = _rules(path, nb)
    assert rules == {"text-form"} and "tell(board)" in text
    cell.source += "\ntell(board)"
    assert _rules(path, nb)[0] == set()


def test_small_type_is_reported(tmp_path):
    path, nb = _copy(tmp_path)
    cell = _first_markdown_after(nb, "みせあう")
    cell.source = re.sub(r"<div style=[^>]*>|</div>", "", cell.source)
    assert _rules(path, nb)[0] == {"large-type"}


def test_grading_a_child_is_reported(tmp_path):
    path, nb = _copy(tmp_path)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "check(" in c.source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "kodomo", "points": 1, "solution": False}
    nb.metadata["chiiki_iot"] = {"title": "はじめてのLED"}
    rules, text = _rules(path, nb)
    assert rules == {"club-metadata"} and "nbgrader" in text and "chiiki_iot" in text


def test_a_long_code_cell_is_reported(tmp_path):
    path, nb = _copy(tmp_path)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "Image.HEART" in c.source)
    cell.source = "\n".join(['run(board, "display.show(Image.HEART)")'] * 6)
    assert _rules(path, nb)[0] == {"code-length"}


def test_check_notebooks_command_passes_on_the_club(capsys):
    from chiiki_iot.cli import main

    assert main(["check-notebooks", str(CLUB)]) == 0, capsys.readouterr().out
