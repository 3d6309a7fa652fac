"""和暦 (Japanese era) dates and 年度 (fiscal years, April–March).

Accepted date forms (full-width digits and spaces are fine):

* 和暦: ``令和5年4月1日``, ``令和元年5月1日``, ``令和五年四月一日``, ``R5.4.1``,
  ``H31.4.30``, ``h31/4/30``, ``平31.4.30``, ``昭和64年1月7日``, with an optional
  weekday such as ``（土）``;
* 西暦: ``2023-04-01``, ``2023/4/1``, ``2023.4.1``, ``2023年4月1日``, ``20230401``.

A date outside its era (``平成31年5月1日``, ``昭和64年1月8日``) is an error, with a
Japanese message that names the right era. 明治 is accepted from 明治6年 on
(before 1873 Japan used the lunisolar calendar).

Plans written before May 2019 named later years in 平成, as the government did
in documents of that time (``平成32年度`` = 令和2年度 = 2020年度). Where only a
year is given (a 年度) such names are read, with a note in
:attr:`FiscalYear.note`; a full date such as ``平成32年4月1日`` is still an error.

>>> parse_date("R5.4.1")
datetime.date(2023, 4, 1)
>>> to_iso("令和元年五月一日")
'2019-05-01'
>>> to_wareki(parse_date("2019-04-30"))
'平成31年4月30日'
>>> fy = parse_fiscal_year("令和5年度")
>>> fy.start, fy.end
(datetime.date(2023, 4, 1), datetime.date(2024, 3, 31))
>>> fy = parse_fiscal_year("平成32年度")
>>> fy.label, fy.wareki
('2020年度', '令和2年度')
>>> print(fy.note)
「平成32年度」は改元（2019年5月1日）の前の文書での書き方です。令和2年度（2020年度）として読みました。
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta


class WarekiError(ValueError):
    """A date or fiscal year that cannot be read; the message is Japanese and says what to do."""

    learner_message_only = True  # a notebook shows the message alone (checks.python_errors)


@dataclass(frozen=True)
class Era:
    name: str      # 令和
    letter: str    # R
    start: date    # first day of the era

    @property
    def first_year(self) -> int:
        return self.start.year


ERAS: tuple[Era, ...] = (
    Era("令和", "R", date(2019, 5, 1)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("明治", "M", date(1868, 10, 23)),
)
_MEIJI_SOLAR = date(1873, 1, 1)   # Gregorian calendar adopted on 明治6年1月1日
# eras whose later years were named in documents written before the era change (平成32年度 = 2020年度)
_NAMED_PAST_END = ("平成",)


def _era_end(era: Era) -> date | None:
    i = ERAS.index(era)
    return None if i == 0 else ERAS[i - 1].start - timedelta(days=1)


def _era_of(d: date) -> Era:
    for era in ERAS:
        if d >= era.start:
            return era
    raise WarekiError(f"{d.isoformat()} は明治より前の日付のため、和暦にできません。")


_ERA_KEYS: dict[str, Era] = {}
for _e in ERAS:
    _ERA_KEYS[_e.name] = _e
    _ERA_KEYS[_e.name[0]] = _e
    _ERA_KEYS[_e.letter] = _e
    _ERA_KEYS[_e.letter.lower()] = _e

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                 "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"[0-9〇零一二三四五六七八九十百千]+"


def kanji_to_int(text: str) -> int:
    """Arabic or kanji numerals to int: ``"三十一"`` → 31, ``"二〇二三"`` → 2023, ``"12"`` → 12."""
    if text.isascii() and text.isdigit():
        return int(text)
    if not text or any(c not in _KANJI_DIGITS and c not in _KANJI_UNITS for c in text):
        raise WarekiError(f"「{text}」を数として読めません。")
    if not any(c in _KANJI_UNITS for c in text):          # positional: 二〇二三
        return int("".join(str(_KANJI_DIGITS[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in _KANJI_DIGITS:
            if digit is not None:
                raise WarekiError(f"「{text}」を数として読めません。")
            digit = _KANJI_DIGITS[c]
        else:
            total += (1 if digit is None else digit) * _KANJI_UNITS[c]
            digit = None
    return total + (digit or 0)


_WEEKDAY = re.compile(r"[(（][月火水木金土日祝・曜休]+[)）]$")
_ERA_RE = "|".join(sorted(map(re.escape, _ERA_KEYS), key=len, reverse=True))
_WAREKI_DATE = re.compile(
    rf"^(?P<era>{_ERA_RE})(?P<y>元|{_NUM})(?:年(?P<m1>{_NUM})月(?P<d1>{_NUM})日|[./\-](?P<m2>\d+)[./\-](?P<d2>\d+))$")
_WESTERN_DATE = re.compile(
    rf"^(?P<y>\d{{4}}|[〇零一二三四五六七八九]{{4}})(?:年(?P<m1>{_NUM})月(?P<d1>{_NUM})日|[./\-](?P<m2>\d{{1,2}})[./\-](?P<d2>\d{{1,2}}))$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WAREKI_FY = re.compile(rf"^(?P<era>{_ERA_RE})(?P<y>元|{_NUM})年度$")
_WESTERN_FY = re.compile(r"^(?:(?P<y>\d{4})年度|FY(?P<y2>\d{4}))$", re.IGNORECASE)


def _clean(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = re.sub(r"\s+", "", text)
    return _WEEKDAY.sub("", text)


def _era_year(era: Era, y: str) -> int:
    n = 1 if y == "元" else kanji_to_int(y)
    if n < 1:
        raise WarekiError(f"{era.name}{n}年はありません。和暦の年は1（元年）から数えます。")
    return era.first_year + n - 1


def _make_date(year: int, month: int, day: int, original: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise WarekiError(f"「{original}」は存在しない日付です（{year}年{month}月{day}日）。月と日を確かめてください。") from None


def parse_date(value) -> date:
    """Read a 和暦 or 西暦 date; raise :class:`WarekiError` (Japanese message) if it cannot be read."""
    original = str(value)
    text = _clean(value)
    if not text:
        raise WarekiError("日付が空欄です。")
    m = _WAREKI_DATE.match(text)
    if m:
        era = _ERA_KEYS[m["era"]]
        year = _era_year(era, m["y"])
        month = kanji_to_int(m["m1"] or m["m2"])
        day = kanji_to_int(m["d1"] or m["d2"])
        d = _make_date(year, month, day, original)
        end = _era_end(era)
        if d < era.start or (end is not None and d > end):
            right = _era_of(d)
            raise WarekiError(f"「{original}」は{era.name}の期間にありません。{d.year}年{d.month}月{d.day}日は"
                              f"{to_wareki(d)}です（{right.name}）。元号を確かめてください。")
        if era.name == "明治" and d < _MEIJI_SOLAR:
            raise WarekiError(f"「{original}」は明治5年以前（旧暦）の日付のため、西暦に自動で変換できません。")
        return d
    m = _WESTERN_DATE.match(text)
    if m:
        return _make_date(kanji_to_int(m["y"]), kanji_to_int(m["m1"] or m["m2"]),
                          kanji_to_int(m["d1"] or m["d2"]), original)
    m = _COMPACT.match(text)
    if m:
        return _make_date(int(m[1]), int(m[2]), int(m[3]), original)
    if re.fullmatch(rf"(?:{_ERA_RE})?(?:元|{_NUM})年(?:{_NUM}月)?", text):
        raise WarekiError(f"「{original}」には日がありません。年月日をそろえて入力してください（例: 2023-04-01）。")
    raise WarekiError(f"「{original}」を日付として読めません。2023-04-01 や 令和5年4月1日 の形で入力してください。")


def to_iso(value) -> str:
    """``parse_date(value).isoformat()`` (``YYYY-MM-DD``)."""
    return parse_date(value).isoformat()


def is_wareki(value) -> bool:
    """True if ``value`` is written with an era name or letter (so rule L3-05 applies)."""
    text = _clean(value)
    return bool(_WAREKI_DATE.match(text) or _WAREKI_FY.match(text))


def to_wareki(d: date, style: str = "kanji") -> str:
    """Format a date in 和暦: ``style="kanji"`` → ``令和元年5月1日``; ``"short"`` → ``R1.5.1``."""
    era = _era_of(d)
    n = d.year - era.first_year + 1
    if style == "short":
        return f"{era.letter}{n}.{d.month}.{d.day}"
    if style != "kanji":
        raise ValueError("style は 'kanji' か 'short' です。")
    return f"{era.name}{'元' if n == 1 else n}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class FiscalYear:
    """A Japanese fiscal year (年度): April 1 of ``year`` to March 31 of the next year.

    ``note`` is ``""`` unless :func:`parse_fiscal_year` read the year in an unusual way
    (``平成32年度``, written before the era change); it does not take part in ``==``.
    """

    year: int
    note: str = field(default="", compare=False)

    def __repr__(self) -> str:
        return f"FiscalYear(year={self.year}" + (f", note={self.note!r})" if self.note else ")")

    @property
    def start(self) -> date:
        return date(self.year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.year}年度"

    @property
    def wareki(self) -> str:
        """The usual 和暦 name: the era in force on April 1 (令和元年度 for 2019)."""
        era = _era_of(self.start) if self.year != 2019 else ERAS[0]
        n = self.year - era.first_year + 1
        return f"{era.name}{'元' if n == 1 else n}年度"

    def __contains__(self, d: date) -> bool:
        return self.start <= d <= self.end


def fiscal_year(d: date) -> FiscalYear:
    """The fiscal year a date belongs to (2024-03-31 → 2023年度)."""
    return FiscalYear(d.year if d.month >= 4 else d.year - 1)


def parse_fiscal_year(value) -> FiscalYear:
    """Read ``令和5年度``, ``R5年度``, ``平成31年度``, ``令和元年度``, ``2023年度`` or ``FY2023``.

    ``平成32年度`` and later (written before the era change) are read as 令和2年度 … with a
    :attr:`FiscalYear.note` that says so.
    """
    original = str(value)
    text = _clean(value)
    m = _WAREKI_FY.match(text)
    if m:
        era = _ERA_KEYS[m["era"]]
        fy = FiscalYear(_era_year(era, m["y"]))
        end = _era_end(era)
        if end is not None and fy.start > end and era.name in _NAMED_PAST_END:
            change = end + timedelta(days=1)
            return FiscalYear(fy.year, f"「{original}」は改元（{change.year}年{change.month}月{change.day}日）の前の"
                                       f"文書での書き方です。{fy.wareki}（{fy.label}）として読みました。")
        if fy.end < era.start or (end is not None and fy.start > end):
            raise WarekiError(f"「{original}」は{era.name}の期間にありません（{fy.label} は {fy.wareki} です）。")
        return fy
    m = _WESTERN_FY.match(text)
    if m:
        return FiscalYear(int(m["y"] or m["y2"]))
    raise WarekiError(f"「{original}」を年度として読めません。令和5年度 や 2023年度 の形で入力してください。")
