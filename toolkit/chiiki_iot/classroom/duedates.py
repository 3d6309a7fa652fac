"""Due dates (Japan time) in nbgrader's gradebook, and which submissions came in after them.

The due date is nbgrader's own ``Assignment.duedate`` (stored in UTC in the gradebook, set
through nbgrader's ``Gradebook.update_or_create_assignment``), so the formgrader shows it,
``nbgrader collect --before-duedate`` uses it and a late-penalty plugin, if a trainer
configures one, sees it. The trainer types Japan time::

    >>> parse_due("2026-12-01 17:00").isoformat()
    '2026-12-01T17:00:00+09:00'

A submission is late when its ``timestamp.txt`` (written by nbgrader's ``submit``) is after
the due date, plus any extension nbgrader granted to that learner - nbgrader's own rule
(``SubmittedAssignment.total_seconds_late``). Timestamps are read here rather than from the
gradebook because nbgrader reads a ``... JST`` timestamp as UTC (its ``parse_utc`` does not
know the abbreviation): classes set up before this module wrote such timestamps.

    >>> late_text(timedelta(hours=26, minutes=5))
    '1日2時間5分'
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..jst import JST

FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S",
           "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H時%M分", "%Y年%m月%d日%H時%M分")
SHOWN = "%Y-%m-%d %H:%M"
NUMERIC_TZ = re.compile(r"^[+-]\d{4}$")


class DueDateError(ValueError):
    """A due date the trainer typed could not be read; the message says how to write it."""


def parse_due(text: str) -> datetime:
    """A due date typed in Japan time (``"2026-12-01 17:00"``) as an aware datetime in JST.

    A date without a time is refused (is it 0:00 or 23:59?); a time with an explicit UTC
    offset (``2026-12-01T17:00+09:00``) is taken as written.
    """
    raw = " ".join(str(text).split())
    try:
        when = datetime.fromisoformat(raw)
        if when.tzinfo is not None:
            return when.astimezone(JST)
    except ValueError:
        pass
    for fmt in FORMATS:
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=JST)
        except ValueError:
            continue
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"):
        try:
            datetime.strptime(raw, fmt)
        except ValueError:
            continue
        raise DueDateError(f"締め切り「{text}」に時刻がありません。時刻も書いてください（例: \"{raw} 17:00\"、日本時間）。")
    raise DueDateError(f"締め切り「{text}」を読めません。\"2026-12-01 17:00\" のように 年-月-日 時:分（日本時間）で書いてください。")


def shown(when: datetime | None) -> str:
    """``2026-12-01 17:00`` in Japan time, or "" for none."""
    return when.astimezone(JST).strftime(SHOWN) if when else ""


def _utc(naive_utc: datetime | None) -> datetime | None:
    return naive_utc.replace(tzinfo=timezone.utc) if naive_utc else None


def set_due(course, assignment: str, when: datetime | None) -> None:
    """Write (or, with ``None``, remove) the assignment's due date in nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        gb.update_or_create_assignment(assignment, duedate=when)


def due_dates(course) -> dict[str, datetime | None]:
    """Every assignment of the class -> its due date (aware, JST) or None."""
    from nbgrader.api import Gradebook, MissingEntry

    out: dict[str, datetime | None] = {}
    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        for a in course.assignments:
            try:
                due = _utc(gb.find_assignment(a).duedate)
            except MissingEntry:
                due = None
            out[a] = due.astimezone(JST) if due else None
    return out


def extensions(course) -> dict[tuple[str, str], timedelta]:
    """(learner, assignment) -> an extension nbgrader granted (``Gradebook.grant_extension``)."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        for a in course.assignments:
            try:
                subs = gb.assignment_submissions(a)
            except Exception:  # noqa: BLE001 - the assignment is not in the gradebook yet
                continue
            for sub in subs:
                if sub.extension:
                    out[(sub.student.id, a)] = sub.extension
    return out


def parse_timestamp(text: str) -> datetime | None:
    """A ``timestamp.txt`` written by nbgrader's submit, as an aware datetime (None if unreadable).

    ``2026-12-01 08:30:00.000000 UTC`` and zone names go through nbgrader's own ``parse_utc``;
    ``... JST`` (which ``parse_utc`` takes for UTC) and ``+0900`` (which it takes for 900 seconds)
    are read as what they say.
    """
    from nbgrader.utils import parse_utc

    text = text.strip()
    if not text:
        return None
    parts = text.split(" ")
    try:
        if len(parts) == 3 and parts[2].upper() == "JST":
            return datetime.fromisoformat(" ".join(parts[:2])).replace(tzinfo=JST)
        if len(parts) == 3 and NUMERIC_TZ.match(parts[2]):
            return datetime.strptime(" ".join(parts[:2]) + " " + parts[2], "%Y-%m-%d %H:%M:%S.%f %z")
        return _utc(parse_utc(text))
    except (ValueError, OverflowError):
        return None


def submitted_at(folder: Path) -> datetime | None:
    """When the submission in ``folder`` was made (its ``timestamp.txt``), or None."""
    path = Path(folder) / "timestamp.txt"
    if not path.is_file():
        return None
    return parse_timestamp(path.read_text(encoding="utf-8", errors="replace"))


def lateness(submitted: datetime | None, due: datetime | None, extension: timedelta | None = None) -> timedelta | None:
    """How late a submission is (None when on time, not submitted, or no due date)."""
    if submitted is None or due is None:
        return None
    late = submitted - (due + (extension or timedelta(0)))
    return late if late > timedelta(0) else None


def late_text(late: timedelta | None) -> str:
    """``1日2時間5分`` (rounded up to the minute); "" when not late."""
    if not late:
        return ""
    minutes = -(-int(late.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}日" if days else "", f"{hours}時間" if hours else "", f"{mins}分" if mins else ""]
    return "".join(parts) or "1分"
