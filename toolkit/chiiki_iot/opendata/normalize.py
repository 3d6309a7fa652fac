"""Normalise the values of Japanese open-data columns, reporting every change.

Each column of a standard dataset has a *kind* (``lgcode``, ``date``, ``kana``,
``phone``, ``integer`` …; see :data:`KINDS`). A kind knows what a clean value
looks like (``pattern``), how to repair a value (``fix``) and which rule a
repair or a failure belongs to.

Where NFKC is safe (codes, numbers, dates, phone numbers) it is applied; names
and free text are never NFKC-normalised (``㈱`` would become ``(株)``,
``①`` would become ``1``), only stripped of cosmetic spaces.

>>> normalize_value("０２８－６２３－１２３４", "phone").value
'028-623-1234'
>>> normalize_value("ｶｸｳｼ ﾔｸｼｮ", "kana").value
'カクウシ ヤクショ'
>>> normalize_value("令和5年4月1日", "date").value
'2023-04-01'
>>> normalize_value("1,200人", "integer").value
'1200'
>>> nfkc("ＡＢＣ１２３　ﾃﾞｼﾞﾀﾙ")
'ABC123 デジタル'
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import jaconv

from . import lgcode, wareki

# -- character-level helpers ---------------------------------------------------

HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u30fc\uff70\u2500\u2501\ufe63"
"""Characters that stand for a hyphen in phone numbers, postcodes and 番地 (ー and ｰ included)."""
TILDES = "\u007e\u301c\uff5e\u223c\u223e"
"""Wave dash 〜, fullwidth tilde ～, tilde operator ∼ … (the cp932/shift_jis tilde trap)."""
_HYPHEN_RE = re.compile(f"[{re.escape(HYPHENS)}]")
_TILDE_RE = re.compile(f"[{re.escape(TILDES)}]")
_SPACE = " \t\u3000\r\n"


def nfkc(text: str) -> str:
    """NFKC: full-width ASCII → half-width, half-width kana → full-width. Use only on codes, numbers, keys."""
    return unicodedata.normalize("NFKC", text)


def unify_hyphens(text: str) -> str:
    """Replace every hyphen look-alike (‐ − ― ー ｰ －) with ``-``. For numbers and 番地, never for names."""
    return _HYPHEN_RE.sub("-", text)


def unify_tildes(text: str, to: str = "～") -> str:
    """Replace every tilde look-alike (~ 〜 ～ ∼) with one character (default ～, as cp932 writes it)."""
    return _TILDE_RE.sub(to, text)


def to_zenkaku_katakana(text: str) -> str:
    """Half-width kana and hiragana → full-width katakana; ASCII and digits untouched."""
    return jaconv.hira2kata(jaconv.h2z(text, kana=True, ascii=False, digit=False))


@lru_cache(maxsize=1)
def _machine_dependent_re() -> re.Pattern:
    # cp932 rows that are NEC special characters (0x87..) and NEC/IBM extensions
    # (0xED.., 0xEE.., 0xFA..–0xFC..): not in JIS X 0208, shown wrongly elsewhere.
    chars = []
    for cp in range(0x2000, 0xFFFF):
        c = chr(cp)
        try:
            b = c.encode("cp932")
        except UnicodeEncodeError:
            continue
        if len(b) == 2 and (b[0] == 0x87 or b[0] in (0xED, 0xEE) or 0xFA <= b[0] <= 0xFC):
            chars.append(c)
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


def machine_dependent_chars(text: str) -> list[str]:
    """The 機種依存文字 in ``text`` (rule L1-08): ①, Ⅰ, ㈱, ㍻, 髙, 﨑 …"""
    return _machine_dependent_re().findall(text)


# -- value-level fixes ----------------------------------------------------------

@dataclass(frozen=True)
class Fixed:
    """Result of normalising one value.

    ``value`` is the normalised text (``None`` means "no usable value": the cell
    becomes missing, and the original stays in the ``_raw`` column). ``notes``
    are ``(rule, severity, message)`` tuples.
    """

    value: str | None
    notes: tuple[tuple[str, str, str], ...] = ()


def _strip(text: str) -> tuple[str, list]:
    stripped = text.strip(_SPACE)
    return stripped, ([("L1-06", "fixed", "前後の空白・改行を取り除きました。")] if stripped != text else [])


def fix_text(text: str) -> Fixed:
    value, notes = _strip(text)
    if "\n" in value or "\r" in value:
        notes.append(("L1-14", "warning", "セルの中に改行があります。1行にまとめてください。"))
    return Fixed(value, tuple(notes))


_KANA_OK = re.compile(r"[\u30a1-\u30fa\u30fc\u30fb\u30fd\u30fe 0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000()（）・ー\-－]*")


def fix_kana(text: str) -> Fixed:
    value, notes = _strip(text)
    kata = to_zenkaku_katakana(value)
    if kata != value:
        notes.append(("STD-04", "fixed", "半角カナやひらがなを全角カタカナに直しました。"))
    if not _KANA_OK.fullmatch(kata):
        notes.append(("STD-04", "error", "カナの列に漢字などカナ以外の文字があります。読みを全角カタカナで入力してください。"))
    return Fixed(kata, tuple(notes))


def fix_lgcode(text: str) -> Fixed:
    r = lgcode.repair_lgcode(text)
    if r.status == "blank":
        return Fixed("")
    if r.status == "error":
        return Fixed(None, (("L3-06", "error", r.message),))
    return Fixed(r.code, (("L3-06", "fixed", r.message),) if r.status == "fixed" else ())


def fix_id(text: str) -> Fixed:
    value = nfkc(text).strip()
    return Fixed(value, (("STD-04", "fixed", "全角文字や空白を直しました。"),) if value != text else ())


def fix_date(text: str) -> Fixed:
    value, notes = _strip(text)
    if not value:
        return Fixed("", tuple(notes))
    try:
        iso = wareki.to_iso(value)
    except wareki.WarekiError as e:
        return Fixed(None, tuple(notes) + (("L3-05", "error", str(e)),))
    if wareki.is_wareki(value):
        notes.append(("L3-05", "fixed", f"和暦を西暦に直しました（{value} → {iso}）。"))
    elif iso != value:
        notes.append(("L3-05", "fixed", f"日付を YYYY-MM-DD の形にそろえました（{value} → {iso}）。"))
    return Fixed(iso, tuple(notes))


_TIME = re.compile(r"^(\d{1,2})(?::(\d{1,2})|時(?:(\d{1,2})分|半)?)$")


def fix_time(text: str) -> Fixed:
    value, notes = _strip(text)
    if not value:
        return Fixed("", tuple(notes))
    t = nfkc(value).replace(" ", "")
    m = _TIME.match(t) or re.match(r"^(\d{2})(\d{2})$", t)
    if not m:
        return Fixed(None, tuple(notes) + (("STD-04", "error", f"「{value}」を時刻として読めません。09:00 のように hh:mm で入力してください。"),))
    h = int(m.group(1))
    groups = [g for g in m.groups()[1:] if g]
    mi = int(groups[0]) if groups else (30 if t.endswith("半") else 0)
    if h > 24 or mi > 59 or (h == 24 and mi):
        return Fixed(None, tuple(notes) + (("STD-04", "error", f"「{value}」はありえない時刻です。"),))
    out = f"{h:02d}:{mi:02d}"
    if out != value:
        notes.append(("STD-04", "fixed", f"時刻を hh:mm にそろえました（{value} → {out}）。"))
    return Fixed(out, tuple(notes))


_DMS = re.compile(r"^(\d+(?:\.\d+)?)度(?:(\d+(?:\.\d+)?)分)?(?:(\d+(?:\.\d+)?)秒)?$")


def fix_coordinate(text: str) -> Fixed:
    value, notes = _strip(text)
    if not value:
        return Fixed("", tuple(notes))
    t = nfkc(value).replace(" ", "").replace("°", "度").replace("′", "分").replace("″", "秒")
    m = _DMS.match(t)
    if m:
        deg = float(m[1]) + float(m[2] or 0) / 60 + float(m[3] or 0) / 3600
        out = f"{deg:.6f}"
        return Fixed(out, tuple(notes) + (("STD-04", "fixed", f"度分秒を10進数の度に直しました（{value} → {out}）。"),))
    if t != value:
        notes.append(("STD-04", "fixed", "全角の数字や記号を半角に直しました。"))
    try:
        float(t)
    except ValueError:
        return Fixed(None, tuple(notes) + (("STD-04", "error", f"「{value}」を緯度・経度の数値として読めません。35.681236 のように10進数で入力してください。"),))
    return Fixed(t, tuple(notes))


_PHONE = re.compile(r"^(?:0\d{1,4}-\d{1,4}-\d{3,4}|0\d{9,10}|0120-\d{3}-\d{3}|#\d{4})$")


def fix_phone(text: str) -> Fixed:
    value, notes = _strip(text)
    if not value:
        return Fixed("", tuple(notes))
    t = unify_hyphens(nfkc(value)).replace(" ", "")
    t = re.sub(r"-+", "-", re.sub(r"[()]", "-", t)).strip("-")
    if t != value:
        notes.append(("STD-04", "fixed", f"電話番号の全角数字・ハイフンをそろえました（{value} → {t}）。"))
    if not _PHONE.match(t):
        notes.append(("STD-04", "error", f"「{value}」は電話番号の形ではありません。028-123-4567 のように入力してください。"))
    return Fixed(t, tuple(notes))


def fix_postcode(text: str) -> Fixed:
    value, notes = _strip(text)
    if not value:
        return Fixed("", tuple(notes))
    t = unify_hyphens(nfkc(value)).replace("〒", "").replace(" ", "")
    if re.fullmatch(r"\d{7}", t):
        t = f"{t[:3]}-{t[3:]}"
    if t != value:
        notes.append(("STD-04", "fixed", f"郵便番号を 123-4567 の形にそろえました（{value} → {t}）。"))
    if not re.fullmatch(r"\d{3}-\d{4}", t):
        notes.append(("STD-04", "error", f"「{value}」は郵便番号の形ではありません。123-4567 のように入力してください。"))
    return Fixed(t, tuple(notes))


_UNITS = r"(?:人|名|台|基|件|戸|世帯|箇所|か所|ヶ所|ケ所|カ所|円|%|㎡|m2|平方メートル|床|室)"
_SPECIAL = {"-", "―", "—", "‐", "*", "＊", "※", "…", "x", "X", "×", "秘匿", "不明", "ー", "－", "−"}


# what can be wrong with a number written as text (keys of parse_number's second result)
NUMBER_PROBLEMS = {"unit": "単位", "comma": "桁区切りのカンマ", "fullwidth": "全角の数字", "zeros": "小数点以下の0",
                   "spaces": "空白"}


def parse_number(value: str, integer: bool = False) -> tuple[str | None, tuple[str, ...]]:
    """A stripped, non-blank value as a plain number, and what keeps it from being one.

    Returns ``(number, problems)``: ``number`` is ``None`` when the value cannot be
    read as a number; ``problems`` are keys of :data:`NUMBER_PROBLEMS` (empty when
    the value is already plain). Both checkers use this one rule (L2-01):
    :func:`~chiiki_iot.opendata.check_standard` fixes, ``check_readability`` asks.

    >>> parse_number("1,200人")
    ('1200', ('unit', 'comma'))
    """
    t = nfkc(value).replace(" ", "")
    t = unify_hyphens(t) if t[:1] in HYPHENS else t
    stripped = re.sub(rf"{_UNITS}$", "", t)
    unit = t[len(stripped):]
    number = stripped.replace(",", "")
    pattern = r"-?\d+" if integer else r"-?\d+(?:\.\d+)?"
    if integer and re.fullmatch(r"-?\d+\.0+", number):
        number = number.split(".")[0]
    if not re.fullmatch(pattern, number):
        return None, ()
    if number == value:
        return number, ()
    problems = tuple(k for k, cond in (("unit", unit), ("comma", "," in stripped),
                                       ("fullwidth", t != value.replace(" ", "")),
                                       ("zeros", number != stripped.replace(",", ""))) if cond)
    return number, problems or ("spaces",)


def _fix_number(text: str, integer: bool) -> Fixed:
    value, notes = _strip(text)
    if not value:
        return Fixed("", tuple(notes))
    if value in _SPECIAL:
        return Fixed(None, tuple(notes) + (("L3-03", "warning", f"数値の列に記号「{value}」があります。空欄として扱います。記号の意味をメタデータに書くか、空欄にしてください。"),))
    number, problems = parse_number(value, integer)
    if number is None:
        return Fixed(None, tuple(notes) + (("L2-01", "error", f"「{value}」を{'整数' if integer else '数値'}として読めません。数字だけを入力してください。"),))
    if problems:
        done = "・".join(NUMBER_PROBLEMS[p] for p in problems)
        notes.append(("L2-01", "fixed", f"{done}を直しました（{value} → {number}）。"))
    return Fixed(number, tuple(notes))


def fix_integer(text: str) -> Fixed:
    return _fix_number(text, True)


def fix_number(text: str) -> Fixed:
    return _fix_number(text, False)


_YES = {"有", "有り", "あり", "アリ", "○", "◯", "〇", "はい", "可", "1", "true", "True", "TRUE", "yes", "Yes"}
_NO = {"無", "無し", "なし", "ナシ", "×", "✕", "いいえ", "不可", "0", "false", "False", "FALSE", "no", "No"}


def fix_flag(text: str) -> Fixed:
    """統制語彙 有/無."""
    value, notes = _strip(text)
    t = nfkc(value)
    if value in ("", "有", "無"):
        return Fixed(value, tuple(notes))
    if t in _YES or t in _NO:
        out = "有" if t in _YES else "無"
        return Fixed(out, tuple(notes) + (("L2-04", "fixed", f"選択肢の表記を「{out}」にそろえました（{value} → {out}）。"),))
    return Fixed(value, tuple(notes) + (("L2-04", "error", f"「{value}」は選択肢（有・無）にありません。「有」か「無」で入力してください。"),))


def fix_flag01(text: str) -> Fixed:
    """Flags written 1 or blank (災害種別_洪水 …)."""
    value, notes = _strip(text)
    t = nfkc(value)
    if value in ("", "1"):
        return Fixed(value, tuple(notes))
    if t in _YES or t in _NO:
        out = "1" if t in _YES else ""
        return Fixed(out, tuple(notes) + (("L2-04", "fixed", f"選択肢の表記を「{out or '空欄'}」にそろえました（対象なら1、対象外なら空欄）。"),))
    return Fixed(value, tuple(notes) + (("L2-04", "error", f"「{value}」は選択肢にありません。対象なら 1、対象外なら空欄にしてください。"),))


def fix_url(text: str) -> Fixed:
    value, notes = _strip(text)
    if value and not re.fullmatch(r"https?://[^\s]+", value):
        notes.append(("STD-04", "error", f"「{value}」はURLの形ではありません。https:// から入力してください。"))
    return Fixed(value, tuple(notes))


def fix_email(text: str) -> Fixed:
    value, notes = _strip(text)
    t = nfkc(value)
    if t != value:
        notes.append(("STD-04", "fixed", "全角の文字を半角に直しました。"))
    if t and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", t):
        notes.append(("STD-04", "error", f"「{value}」はメールアドレスの形ではありません。"))
    return Fixed(t, tuple(notes))


def fix_corporate_number(text: str) -> Fixed:
    value, notes = _strip(text)
    t = nfkc(value).replace("-", "").replace(" ", "")
    if t != value:
        notes.append(("STD-04", "fixed", "全角数字や区切りを直しました。"))
    if t and not re.fullmatch(r"\d{13}", t):
        notes.append(("STD-04", "error", f"「{value}」は13桁の法人番号ではありません。"))
    return Fixed(t, tuple(notes))


# -- kinds ------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    """How one kind of column is normalised.

    ``pattern``: a value that fully matches it is already normal (skipped fast).
    ``dtype``: pandas dtype after normalisation (``None`` keeps strings).
    """

    name: str
    fix: Callable[[str], Fixed]
    pattern: str
    dtype: str | None = None
    description: str = ""


_TEXT_CLEAN = r"(?:[^\s\u3000]|[^\s\u3000][^\r\n]*[^\s\u3000])?"

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("text", fix_text, _TEXT_CLEAN, description="文字列（前後の空白を除くだけ。名称もこれ）"),
    Kind("kana", fix_kana, r"[\u30a1-\u30fa\u30fc\u30fb0-9]+(?:[ \u3000][\u30a1-\u30fa\u30fc\u30fb0-9]+)*", description="文字列（全角カナ）"),
    Kind("lgcode", fix_lgcode, r"\d{6}", description="全国地方公共団体コード（6桁、検査数字つき）"),
    Kind("id", fix_id, r"[0-9A-Za-z_\-]+", description="ID（半角英数字）"),
    Kind("date", fix_date, r"\d{4}-\d{2}-\d{2}", description="日付（YYYY-MM-DD）"),
    Kind("time", fix_time, r"(?:[01]\d|2[0-3]):[0-5]\d|24:00", description="時刻（hh:mm）"),
    Kind("coordinate", fix_coordinate, r"-?\d{1,3}\.\d+", "Float64", description="緯度・経度（10進数の度）"),
    Kind("phone", fix_phone, r"0\d{1,4}-\d{1,4}-\d{3,4}", description="電話番号（ハイフン区切り）"),
    Kind("postcode", fix_postcode, r"\d{3}-\d{4}", description="郵便番号（123-4567）"),
    Kind("integer", fix_integer, r"-?\d+", "Int64", description="整数（単位・カンマなし）"),
    Kind("number", fix_number, r"-?\d+(?:\.\d+)?", "Float64", description="数値（単位・カンマなし）"),
    Kind("flag", fix_flag, r"[有無]", description="統制語彙（有・無）"),
    Kind("flag01", fix_flag01, r"1", description="該当なら1、該当しなければ空欄"),
    Kind("url", fix_url, r"https?://[!-~]+", description="URL"),
    Kind("email", fix_email, r"[^@\s]+@[^@\s]+\.[^@\s]+", description="メールアドレス"),
    Kind("corporate_number", fix_corporate_number, r"\d{13}", description="法人番号（13桁）"),
)}


def normalize_value(value, kind: str) -> Fixed:
    """Normalise one value as ``kind`` (see :data:`KINDS`)."""
    text = "" if value is None else str(value)
    if kind not in KINDS:
        raise KeyError(f"種類 '{kind}' はありません。使えるもの: {', '.join(KINDS)}")
    return KINDS[kind].fix(text)


# -- column-level -------------------------------------------------------------------

@lru_cache(maxsize=64)
def _column_regexes(pattern: str) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    one = rf"(?>(?:{pattern})?)"
    return (re.compile(rf"{one}(?:\n{one})*+", re.ASCII),          # every line clean (one pass, no backtracking)
            re.compile(rf"^(?!(?:{pattern})?$).*$", re.M | re.ASCII),  # the lines that are not
            re.compile(rf"(?:{pattern})?", re.ASCII))


_WS = " \t\u3000"


def _text_suspects(values: list[str]) -> list[str]:
    """Values with cosmetic spaces around them or line breaks inside (cheap substring tests first)."""
    joined = "\n".join(values)
    if joined.count("\n") == len(values) - 1 and "\r" not in joined:
        if not any(c in joined for c in _WS):
            return []
        if not any(s in joined for s in (" \n", "\n ", "\u3000\n", "\n\u3000", "\t\n", "\n\t")) \
                and joined[:1] not in _WS and joined[-1:] not in _WS:
            return []
    return [v for v in values if v != v.strip(_SPACE) or "\n" in v or "\r" in v]


def _pattern_suspects(values: list[str], pattern: str) -> list[str]:
    whole, lines, single = _column_regexes(pattern)
    joined = "\n".join(values)
    if joined.count("\n") != len(values) - 1 or "\r" in joined:   # some values hold line breaks
        return [v for v in values if not single.fullmatch(v)]
    if whole.fullmatch(joined):
        return []
    out, line, last = [], 0, 0
    for m in lines.finditer(joined):
        line += joined.count("\n", last, m.start())
        last = m.start()
        out.append(values[line])
    return out


def suspect_rows(values: list[str], pattern: str) -> list[int]:
    """Positions of values that do not fully match ``pattern`` (a blank value always matches).

    Patterns are ASCII (``\\d`` is 0-9 only, so a full-width ０ is a suspect). Each
    distinct value is checked once, all of them in one regex pass over one joined
    string, which is fast on 100,000 rows.
    """
    # few distinct values (codes, flags, times …): check each once; many: check all in place
    if not any(values):                        # an empty column: nothing to check
        return []
    if pattern == _TEXT_CLEAN:                 # cheap substring tests: worth deduplicating only when very repetitive
        distinct = list(set(values)) if len(set(values[:2000])) < 1000 else values
    else:
        # a regex pass costs more than hashing: deduplicate unless the first 20,000 values are nearly all
        # different (IDs); coordinates and phone numbers repeat over a long period
        head = set(values[:20000])
        if len(values) <= 20000:
            distinct = list(head) if len(head) < len(values) else values
        elif len(head) > 18000:
            distinct = values
        else:
            distinct = list(set(values))
    bad = set(_text_suspects(distinct) if pattern == _TEXT_CLEAN else _pattern_suspects(distinct, pattern))
    if not bad:
        return []
    return [i for i, v in enumerate(values) if v in bad]


def normalize_column(values: list[str], kind: str) -> tuple[list[str | None], dict[int, tuple]]:
    """Normalise a list of strings; returns the new values and ``{position: notes}``.

    Only values that do not already look normal are passed to the kind's ``fix``,
    and each distinct value is fixed once.
    """
    k = KINDS[kind]
    out: list[str | None] = list(values)
    notes: dict[int, tuple] = {}
    cache: dict[str, Fixed] = {}
    for i in suspect_rows(values, k.pattern):
        v = values[i]
        fixed = cache.get(v)
        if fixed is None:
            fixed = cache[v] = k.fix(v)
        out[i] = fixed.value
        if fixed.notes:
            notes[i] = fixed.notes
    return out, notes
