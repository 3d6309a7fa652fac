"""Japan Standard Time: the one time zone of the toolkit.

Class operations (due dates, submission times, reports), the sensor helpers and the
generators of the courses' practice data all use :data:`JST` (pandas takes it as ``tz=``);
where only a name will do (nbgrader's config, the ``TZ`` variable) that is ``JST.key``.
This module is the bottom layer of the toolkit: it imports nothing from it.

>>> from datetime import datetime
>>> JST.key
'Asia/Tokyo'
>>> datetime(2026, 12, 1, 17, 0, tzinfo=JST).isoformat()
'2026-12-01T17:00:00+09:00'
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def now_jst() -> str:
    """Now in Japan time, ISO 8601 to the second (``2026-12-01T16:30:00+09:00``)."""
    return datetime.now(JST).isoformat(timespec="seconds")
