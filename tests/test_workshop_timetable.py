"""The workshop timetables of courses/README.md fit the day and respect every prerequisite.

Minutes and prerequisites come from the notebooks (``chiiki_iot.minutes``, ``chiiki_iot.requires``)
through ``curriculum.workshop``; nothing here repeats them. The second half breaks a copy of
the map in the ways a trainer editing it could, and shows each is caught.
"""
from __future__ import annotations

import re

import pytest

from chiiki_iot.curriculum.workshop import MAX_CONTENT_MINUTES, check_track, read_tracks

from conftest import MODULES, REPO

MAP = (REPO / "courses" / "README.md").read_text(encoding="utf-8")
TRACKS = {t.id: t for t in read_tracks(MAP)}
DAYS = {"municipal-2days": 2, "keikaku-1day": 1}


def test_the_map_has_the_two_day_workshop_and_the_one_day_planning_track():
    assert set(DAYS) <= set(TRACKS), f"courses/README.md の時間割: {sorted(TRACKS)}"


@pytest.mark.parametrize("track_id", sorted(DAYS))
def test_track_fits_the_days_and_takes_prerequisites_first(track_id):
    problems = check_track(TRACKS[track_id], MODULES, days=DAYS[track_id])
    assert not problems, "\n".join(problems)


def test_two_day_workshop_starts_with_module_00_and_ends_with_the_plan():
    track = TRACKS["municipal-2days"]
    first, last = track.days[0].modules()[0], track.days[-1].modules()[-1]
    assert first == "logical_thinking/00_hajimete_no_jupyter", "プログラムを書いたことがない人は 00 から始めます"
    assert last == "logical_thinking/08_keikaku_wo_kaku", "2日間の研修は、自分の町の計画（08）で終わります"


def test_every_module_of_a_track_requires_only_modules_of_the_track():
    """Self-study counts, but a prerequisite nowhere in the track (before or after) is a gap."""
    for track in TRACKS.values():
        taken = {m for s in track.sessions for m in s.modules()}
        by_ref = {f"{m.course}/{m.name}": m for m in MODULES}
        for ref in taken:
            assert set(by_ref[ref].metadata["requires"]) <= taken, f"{track.title}: {ref}"


def test_stated_day_totals_match_the_tables():
    """「1日目のモジュール: 310分」 under a day's table is what its rows add up to."""
    for track in TRACKS.values():
        for session in track.sessions:
            label = session.name.split(" ")[0]
            stated = re.findall(rf"^{re.escape(label)}のモジュール: (\d+)分", MAP, flags=re.M)
            if session.in_room:
                assert stated, f"{track.title} {session.name}: 表の下に「{label}のモジュール: N分」がありません"
                assert int(stated[0]) == session.content_minutes <= MAX_CONTENT_MINUTES, session.name


# --- a broken copy of the map is caught -------------------------------------------------------

def _problems(text, track_id="municipal-2days"):
    return check_track({t.id: t for t in read_tracks(text)}[track_id], MODULES, days=DAYS[track_id])


def test_a_module_after_the_module_that_needs_it_is_reported():
    row = "| 1 | `logical_thinking/04_kaiketsusaku` | ロジカルシンキング 04 解決策の検討（ICT とそれ以外を並べて選ぶ） | 75 |\n"
    assert row in MAP
    broken = MAP.replace(row, "", 1)
    broken = broken.replace("| 6 | `open_data/04_hyojun_dataset`", row + "| 6 | `open_data/04_hyojun_dataset`", 1)
    problems = _problems(broken)
    assert any("08_keikaku_wo_kaku の前提 logical_thinking/04_kaiketsusaku が、それより前にありません" in p
               for p in problems), problems


def test_a_skipped_prerequisite_is_reported():
    broken = MAP.replace("| 2 | `logical_thinking/05_kpi_logic_model`", "| 2 | `open_data/05_shukei_to_zu`", 1)
    problems = _problems(broken)
    assert any("06_kpi_progress_pdca の前提 logical_thinking/05_kpi_logic_model が、それより前にありません" in p
               for p in problems), problems


def test_a_day_over_330_minutes_is_reported():
    broken = MAP.replace("| 2 | `logical_thinking/05_kpi_logic_model`", "| 2 | `logical_thinking/99_nai`", 1)
    day1 = "| 15:45–16:05 | ふりかえりと、2日目までの自習の説明 | | 20 |"
    broken = broken.replace(day1, "| 15:45–17:05 | ロジカルシンキング 05 | `logical_thinking/05_kpi_logic_model` | 80 |", 1)
    problems = _problems(broken)
    assert any("モジュールの時間が合計 390 分です" in p for p in problems), problems


def test_minutes_that_differ_from_the_notebook_are_reported():
    broken = MAP.replace("| 9:15–10:35 | ロジカルシンキング 00 はじめての Jupyter と Python | `logical_thinking/00_hajimete_no_jupyter` | 80 |",
                         "| 9:15–10:35 | ロジカルシンキング 00 はじめての Jupyter と Python | `logical_thinking/00_hajimete_no_jupyter` | 60 |", 1)
    problems = _problems(broken)
    assert any("00_hajimete_no_jupyter は 60 分になっていますが、ノートブックの所要時間は 80 分です" in p for p in problems), problems
    assert any("9:15–10:35 で 80 分ですが、分の列は 60 分です" in p for p in problems), problems


def test_a_gap_in_the_clock_and_a_long_stretch_without_a_break_are_reported():
    broken = MAP.replace("| 14:30–14:40 | 休憩 | | 10 |", "| 14:30–14:40 | 質疑 | | 10 |", 1)
    broken = broken.replace("| 10:35–10:45 | 休憩 | | 10 |", "| 10:40–10:45 | 休憩 | | 5 |", 1)
    problems = _problems(broken)
    assert any("始まり 10:40 が、前の行の終わり 10:35 と合いません" in p for p in problems), problems
    assert any("休憩がありません" in p for p in problems), problems


def test_a_module_missing_from_the_track_is_reported_by_its_dependant():
    broken = re.sub(r"\| 10:50–12:30 \|[^\n]*\n", "| 10:50–12:30 | 自由討議 | | 100 |\n", MAP, count=1)
    problems = _problems(broken)
    assert any("08_keikaku_wo_kaku の前提 logical_thinking/07_hiyo_taikoka" in p for p in problems), problems
