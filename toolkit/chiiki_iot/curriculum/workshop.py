"""Workshop timetables in the curriculum map (``courses/README.md``), read and checked.

A *track* is a ``### `` heading followed by a line ``<!-- workshop: <id> -->``. Its ``#### ``
sub-headings are its *sessions*, in the order they happen:

* a **day** in the room (heading with ``日目`` or ``当日``): a table with the columns
  ``時刻 | 内容 | モジュール | 分``; every row is one slot (``9:15–10:35``), slots follow each other
  without gaps, a slot whose ``モジュール`` cell names a module (`` `course/NN_name` ``) is content,
  a row whose 内容 says 休憩 or 昼休み is a break, anything else (はじめに, ふりかえり) is neither;
* **self-study** (heading with ``事前学習``, ``事後学習`` or ``自習``): a table with the columns
  ``モジュール | 内容 | 分`` (no times).

A module may be split over several slots (``08`` before and after a break); its slots add up to
the module's minutes. ``check_track`` compares a track with the modules' own metadata
(``minutes``, ``requires``), so the map cannot drift from the notebooks:

>>> text = '''### 例
... <!-- workshop: example -->
... #### 1日目
... | 時刻 | 内容 | モジュール | 分 |
... |---|---|---|---|
... | 9:00–9:10 | はじめに | | 10 |
... | 9:10–10:30 | Jupyter | `logical_thinking/00_hajimete_no_jupyter` | 80 |
... '''
>>> [(s.name, [(x.start, x.module, x.minutes) for x in s.slots]) for s in read_tracks(text)[0].sessions]
[('1日目', [('9:00', None, 10), ('9:10', 'logical_thinking/00_hajimete_no_jupyter', 80)])]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .modules import Module

MAX_CONTENT_MINUTES = 330      # module content a day in the room (5.5 hours)
MAX_WITHOUT_BREAK = 120        # minutes in the room between two breaks
TRACK_MARK = re.compile(r"<!--\s*workshop:\s*([\w-]+)\s*-->")
MODULE_REF = re.compile(r"`((?:logical_thinking|sensors|open_data)/\d{2}_[a-z0-9_]+)`")
TIME_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[–\-〜~]\s*(\d{1,2}):(\d{2})$")
BREAK_WORDS = ("休憩", "昼休み")


@dataclass(frozen=True)
class Slot:
    """One row of a session's table."""

    label: str
    minutes: int
    module: str | None = None          # "course/NN_name" when the row is module content
    start: str | None = None           # "9:15" (days only)
    end: str | None = None

    @property
    def is_break(self) -> bool:
        return self.module is None and any(w in self.label for w in BREAK_WORDS)


@dataclass
class Session:
    name: str
    slots: list[Slot] = field(default_factory=list)

    @property
    def in_room(self) -> bool:
        """A day with a trainer (``1日目``, ``当日``), as opposed to self-study before or after."""
        return not any(w in self.name for w in ("事前学習", "事後学習", "自習")) and \
            any(w in self.name for w in ("日目", "当日"))

    @property
    def content_minutes(self) -> int:
        return sum(s.minutes for s in self.slots if s.module)

    def modules(self) -> list[str]:
        """The modules of this session, each once, in the order they start."""
        return list(dict.fromkeys(s.module for s in self.slots if s.module))


@dataclass
class Track:
    id: str
    title: str
    sessions: list[Session] = field(default_factory=list)

    @property
    def days(self) -> list[Session]:
        return [s for s in self.sessions if s.in_room]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def read_tracks(markdown: str) -> list[Track]:
    """Every workshop track of a curriculum map, with its sessions and their tables."""
    tracks: list[Track] = []
    track: Track | None = None
    session: Session | None = None
    header: list[str] | None = None
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("### ") or line.startswith("## "):
            mark = TRACK_MARK.search(lines[i + 1]) if i + 1 < len(lines) and line.startswith("### ") else None
            track = Track(mark.group(1), line[4:].strip()) if mark else None
            if track:
                tracks.append(track)
            session, header = None, None
        elif line.startswith("#### ") and track is not None:
            session = Session(line[5:].strip())
            track.sessions.append(session)
            header = None
        elif line.startswith("|") and session is not None:
            cells = _cells(line)
            if header is None:
                header = cells
            elif not set("".join(cells)) <= set("-: "):
                session.slots.append(_slot(dict(zip(header, cells)), line))
        else:
            header = None      # a table ends at the first line that is not a table row
    return tracks


def _slot(row: dict, line: str) -> Slot:
    ref = MODULE_REF.search(row.get("モジュール", ""))
    minutes = re.sub(r"\D", "", row.get("分", ""))
    start = end = None
    times = TIME_RANGE.match(row.get("時刻", "").replace(" ", ""))
    if times:
        start, end = f"{int(times[1])}:{times[2]}", f"{int(times[3])}:{times[4]}"
    return Slot(row.get("内容", line), int(minutes) if minutes else 0, ref.group(1) if ref else None, start, end)


def _minutes_of(clock: str) -> int:
    h, m = clock.split(":")
    return int(h) * 60 + int(m)


def check_track(track: Track, modules: list[Module], *, days: int | None = None) -> list[str]:
    """What is wrong with a track, in Japanese (empty: it fits and respects every prerequisite).

    ``modules`` are the course modules (``curriculum.modules.discover()``): each slot's minutes
    are compared with the module's ``minutes`` metadata, and every module's ``requires``
    must come in an earlier session or earlier the same session.
    """
    by_ref = {f"{m.course}/{m.name}": m for m in modules}
    problems: list[str] = []
    where = f"「{track.title}」"
    if days is not None and len(track.days) != days:
        problems.append(f"{where}: 研修の日は {days} 日のはずですが、{len(track.days)} 日あります")
    done: set[str] = set()
    for session in track.sessions:
        if not session.slots:
            problems.append(f"{where} {session.name}: 表がありません")
        totals: dict[str, int] = {}
        for slot in session.slots:
            if slot.module:
                if slot.module not in by_ref:
                    problems.append(f"{where} {session.name}: {slot.module} というモジュールはありません")
                    continue
                totals[slot.module] = totals.get(slot.module, 0) + slot.minutes
        for ref, minutes in totals.items():
            meta = by_ref[ref].metadata
            want = sum(v for v in (meta.get("minutes") or {}).values() if isinstance(v, int))
            if minutes != want:
                problems.append(f"{where} {session.name}: {ref} は {minutes} 分になっていますが、"
                                f"ノートブックの所要時間は {want} 分です")
        for ref in session.modules():
            if ref not in by_ref:
                continue
            if ref in done:
                problems.append(f"{where} {session.name}: {ref} は前にもあります")
            for need in by_ref[ref].metadata.get("requires") or []:
                if need not in done:
                    problems.append(f"{where} {session.name}: {ref} の前提 {need} が、それより前にありません")
            done.add(ref)
        if session.in_room:
            problems += _check_day(f"{where} {session.name}", session)
    return problems


def _check_day(where: str, session: Session) -> list[str]:
    problems = []
    if session.content_minutes > MAX_CONTENT_MINUTES:
        problems.append(f"{where}: モジュールの時間が合計 {session.content_minutes} 分です"
                        f"（1日 {MAX_CONTENT_MINUTES} 分まで。事前学習・事後学習に回してください）")
    previous_end, run = None, 0
    for slot in session.slots:
        if slot.start is None:
            problems.append(f"{where}: 「{slot.label}」に時刻（9:00–9:15 の形）がありません")
            continue
        length = _minutes_of(slot.end) - _minutes_of(slot.start)
        if length != slot.minutes:
            problems.append(f"{where}: 「{slot.label}」は {slot.start}–{slot.end} で {length} 分ですが、"
                            f"分の列は {slot.minutes} 分です")
        if previous_end is not None and slot.start != previous_end:
            problems.append(f"{where}: 「{slot.label}」の始まり {slot.start} が、前の行の終わり {previous_end} と合いません")
        previous_end = slot.end
        run = 0 if slot.is_break else run + slot.minutes
        if run > MAX_WITHOUT_BREAK:
            problems.append(f"{where}: 「{slot.label}」まで {run} 分、休憩がありません（{MAX_WITHOUT_BREAK} 分までに休憩を）")
    return problems
