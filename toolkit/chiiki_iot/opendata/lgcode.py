"""全国地方公共団体コード: 6 digits = 都道府県 (2) + 市区町村 (3) + 検査数字 (1).

The check digit (総務省): multiply digits 1–5 by 6, 5, 4, 3, 2, sum, take the
remainder r of division by 11; the check digit is the last digit of 11 − r.

:func:`repair_lgcode` reads what real files contain and says what it did:

>>> check_digit("13101")
'6'
>>> repair_lgcode("131016").code           # valid as it is
'131016'
>>> r = repair_lgcode("92011")             # Excel dropped the leading zero
>>> r.code, r.status
('092011', 'fixed')
>>> repair_lgcode("13101").code            # 5-digit form: check digit added
'131016'
>>> r = repair_lgcode("131017")
>>> r.status, r.message
('error', '検査数字が違います（131017 の最後の桁は 6 のはずです）。コードを確かめてください。')
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# JIS X 0401 都道府県コード
PREFECTURES: dict[str, str] = {
    "01": "北海道", "02": "青森県", "03": "岩手県", "04": "宮城県", "05": "秋田県", "06": "山形県",
    "07": "福島県", "08": "茨城県", "09": "栃木県", "10": "群馬県", "11": "埼玉県", "12": "千葉県",
    "13": "東京都", "14": "神奈川県", "15": "新潟県", "16": "富山県", "17": "石川県", "18": "福井県",
    "19": "山梨県", "20": "長野県", "21": "岐阜県", "22": "静岡県", "23": "愛知県", "24": "三重県",
    "25": "滋賀県", "26": "京都府", "27": "大阪府", "28": "兵庫県", "29": "奈良県", "30": "和歌山県",
    "31": "鳥取県", "32": "島根県", "33": "岡山県", "34": "広島県", "35": "山口県", "36": "徳島県",
    "37": "香川県", "38": "愛媛県", "39": "高知県", "40": "福岡県", "41": "佐賀県", "42": "長崎県",
    "43": "熊本県", "44": "大分県", "45": "宮崎県", "46": "鹿児島県", "47": "沖縄県",
}


def check_digit(code5: str) -> str:
    """Check digit of a 5-digit code (``"13101"`` → ``"6"``)."""
    if not (len(code5) == 5 and code5.isascii() and code5.isdigit()):
        raise ValueError(f"5桁の数字を渡してください: {code5!r}")
    s = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2)))
    return str(11 - s % 11)[-1]


def with_check_digit(code5: str) -> str:
    """5-digit code → 6-digit code (``"01100"`` → ``"011002"``)."""
    return code5 + check_digit(code5)


def is_valid(code: str) -> bool:
    """True for a 6-digit code with a known prefecture and a correct check digit."""
    return (isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit()
            and code[:2] in PREFECTURES and check_digit(code[:5]) == code[5])


def prefecture_of(code: str) -> str | None:
    """Prefecture name for a 5- or 6-digit code (``"092011"`` → ``"栃木県"``)."""
    return PREFECTURES.get(str(code)[:2])


@dataclass(frozen=True)
class LgCodeResult:
    """Outcome of :func:`repair_lgcode`.

    ``status`` is ``"ok"`` (valid as given), ``"fixed"`` (repaired: see
    ``message``), ``"error"`` (cannot be repaired; ``code`` is ``None``) or
    ``"blank"``.

    ``message`` says what was repaired (for a checker that fixes, like
    ``check_standard``); ``problem`` says the same as what is wrong with the
    value as written (for a checker that only reports, like ``check_readability``).
    """

    original: str
    code: str | None
    status: str
    message: str = ""
    problem: str = ""


_FLOAT_TAIL = re.compile(r"\.0+$")


def repair_lgcode(value) -> LgCodeResult:
    """Validate a 全国地方公共団体コード and repair what can be repaired safely.

    Repairs (each reported in ``message``): full-width digits and spaces, an
    Excel float tail (``92011.0``), a lost leading zero (``92011`` → ``092011``,
    ``1100`` → ``011002``), a missing check digit (``13101`` → ``131016``).
    A wrong check digit is never "repaired": it is an error.
    """
    original = "" if value is None else str(value)
    text = unicodedata.normalize("NFKC", original).strip()
    if text.lower() in ("", "nan", "<na>", "none"):
        return LgCodeResult(original, None, "blank", "コードが空欄です。")
    notes: list[tuple[str, str]] = []        # (what was done, what was wrong)
    if text != original:
        notes.append(("全角数字や空白を直しました", "全角の数字や空白があります"))
    if _FLOAT_TAIL.search(text) and text.replace(".", "", 1).isdigit():
        text = _FLOAT_TAIL.sub("", text)
        notes.append(("数値として保存された「.0」を外しました", "数値として保存された「.0」がついています"))
    if not (text.isascii() and text.isdigit()):
        return LgCodeResult(original, None, "error",
                            f"「{original}」は数字だけのコードではありません。6桁の数字（例: 131016）で入力してください。")

    candidates: list[tuple[str, tuple[str, str] | None]] = []   # (code6, (what was done, what was wrong))
    if len(text) == 6:
        if text[:2] not in PREFECTURES:
            return LgCodeResult(original, None, "error",
                                f"先頭2桁 {text[:2]} は都道府県コード（01〜47）ではありません。コードを確かめてください。")
        if check_digit(text[:5]) != text[5]:
            return LgCodeResult(original, None, "error",
                                f"検査数字が違います（{text} の最後の桁は {check_digit(text[:5])} のはずです）。コードを確かめてください。")
        candidates.append((text, None))
    elif len(text) == 5:
        if "0" + text[:1] in PREFECTURES and is_valid("0" + text):
            candidates.append(("0" + text, ("先頭の0が落ちていたので補いました", "先頭の0が落ちています")))
        if text[:2] in PREFECTURES:
            candidates.append((with_check_digit(text), ("5桁のコードに検査数字を付けました", "検査数字（6桁目）がありません")))
    elif len(text) == 4:
        if "0" + text[:1] in PREFECTURES:
            candidates.append((with_check_digit("0" + text), ("先頭の0を補い、検査数字を付けました", "先頭の0と検査数字がありません")))
    if not candidates:
        return LgCodeResult(original, None, "error",
                            f"「{original}」は{len(text)}桁です。全国地方公共団体コードは検査数字を含めて6桁です。")
    if len(candidates) > 1:
        # municipal parts are 000 (the prefecture itself) or 100–799: drop readings outside that
        candidates = [c for c in candidates if c[0][2:5] == "000" or "100" <= c[0][2:5] <= "799"] or candidates
    if len(candidates) > 1:
        options = "、".join(c for c, _ in candidates)
        return LgCodeResult(original, None, "error",
                            f"「{original}」は {options} のどれとも読めるため、自動では直せません。正しいコードを確かめてください。")
    code, note = candidates[0]
    if note:
        notes.append(note)
    if not notes:
        return LgCodeResult(original, code, "ok")
    return LgCodeResult(original, code, "fixed", "、".join(d for d, _ in notes) + f"（{original} → {code}）。",
                        "、".join(w for _, w in notes) + f"（{original} は {code} のはずです）。")


# -- codes that exist ---------------------------------------------------------------
#
# municipalities.csv (package data, beside this module) lists every 都道府県, 市区町村 and
# 政令市の区 with its code, and the codes retired since the list began with their successors.
# Its sidecar municipalities.meta.yml says where it comes from and as of when (``as_of``).

from datetime import date
from functools import lru_cache
from pathlib import Path

#: Codes of the made-up towns in the course's practice files: they exist nowhere and are not reported.
PRACTICE_CODES: dict[str, str] = {"099996": "栃木県架空市（練習用の架空の団体）"}

_LIST = Path(__file__).with_name("municipalities.csv")


@dataclass(frozen=True)
class Municipality:
    """One entry of the shipped list (see :func:`lookup`).

    ``retired`` is the date the code stopped being used (``""`` while it is current);
    ``successors`` the codes that replaced it, the main one first.
    """

    code: str
    prefecture: str
    name: str
    kana: str = ""
    valid_from: str = ""
    retired: str = ""
    successors: tuple[str, ...] = ()
    note: str = ""

    @property
    def current(self) -> bool:
        return not self.retired

    @property
    def full_name(self) -> str:
        """``"栃木県宇都宮市"``; a prefecture is named once (``"東京都"``)."""
        return self.name if self.name == self.prefecture else self.prefecture + self.name


@lru_cache(maxsize=1)
def municipalities() -> dict[str, Municipality]:
    """Every code in the shipped list (current and retired), keyed by the 6-digit code."""
    import csv

    with _LIST.open(encoding="utf-8", newline="") as f:
        return {r["code"]: Municipality(r["code"], r["prefecture"], r["name"], r["kana"], r["valid_from"],
                                        r["retired"], tuple(r["successor"].split()), r["note"])
                for r in csv.DictReader(f)}


@lru_cache(maxsize=1)
def list_info() -> dict:
    """The list's sidecar: ``source``, ``license``, ``as_of`` (a :class:`datetime.date`) …"""
    import yaml

    meta = yaml.safe_load(_LIST.with_suffix(".meta.yml").read_text(encoding="utf-8"))
    if not isinstance(meta.get("as_of"), date):
        meta["as_of"] = date.fromisoformat(str(meta["as_of"]))
    return meta


def lookup(code) -> Municipality | None:
    """The municipality (or prefecture) a 6-digit code stands for, retired ones included; ``None`` if unknown.

    >>> lookup("092011").full_name
    '栃木県宇都宮市'
    >>> m = lookup("403059")
    >>> m.name, m.retired, m.successors
    ('那珂川町', '2018-10-01', ('402311',))
    >>> lookup("099990") is None
    True
    """
    return municipalities().get(str(code).strip())


def existence_problem(code) -> tuple[str, str] | None:
    """``(rule, Japanese message)`` if a well-formed code does not exist (CODE-01) or was retired (CODE-02).

    Codes that are not 6 valid digits are left to :func:`repair_lgcode` (rule L3-06) and
    give ``None`` here, as do current codes and the practice codes (:data:`PRACTICE_CODES`).

    >>> existence_problem("131016") is None
    True
    >>> print(existence_problem("221317")[1])
    全国地方公共団体コード 221317（静岡県浜松市中区）は 2024-01-01 に廃止されました。今のコード 221384（静岡県浜松市中央区）に直してください。データが廃止より前の時点のものなら、そのままでかまいません。
    """
    code = str(code).strip()
    if not is_valid(code) or code in PRACTICE_CODES:
        return None
    m = lookup(code)
    as_of = list_info()["as_of"].isoformat()
    if m is None:
        return ("CODE-01",
                f"全国地方公共団体コード {code} の団体はありません（{prefecture_of(code)}のコードとしては形式が正しいのですが、"
                f"{as_of} 時点の一覧にありません）。総務省「全国地方公共団体コード」で正しいコードを確かめてください。")
    if m.current:
        return None
    if m.successors:
        names = " または ".join(f"{s}（{lookup(s).full_name if lookup(s) else '不明'}）" for s in m.successors)
        todo = f"今のコード {names}に直してください。"
    else:
        todo = "今の団体のコードに直してください。"
    note = f"{m.note.split('。', 1)[1]}。" if "。" in m.note and len(m.successors) > 1 else ""
    return ("CODE-02",
            f"全国地方公共団体コード {code}（{m.full_name}）は {m.retired} に廃止されました。{note}{todo}"
            "データが廃止より前の時点のものなら、そのままでかまいません。")


def check_existence(df, report, *, header_row: int = 1, skip_rows=(), columns=None):
    """Add CODE-01 / CODE-02 findings for codes in ``df`` that do not exist or were retired.

    ``columns`` defaults to every column whose name ends in 全国地方公共団体コード (not ``_raw``).
    ``df`` row ``i`` is reported as file row ``header_row + 1 + i``; rows in ``skip_rows``
    (blank rows and notes) are skipped. Returns ``report``.
    """
    if columns is None:
        columns = [c for c in df.columns if str(c).endswith("全国地方公共団体コード")]
    skip = set(skip_rows)
    for col in columns:
        values = df[col].tolist()
        # each distinct code is looked up once (a file usually holds one or a few codes); only the rows
        # holding a code with a problem are visited
        try:
            distinct = set(values)
        except TypeError:                                   # an unhashable cell is no code
            distinct = {v for v in values if isinstance(v, str)}
        problems = {v: p for v in distinct if isinstance(v, str) and len(v) == 6
                    for p in (existence_problem(v),) if p}
        if not problems:
            continue
        for i, v in enumerate(values):
            found = problems.get(v) if isinstance(v, str) else None
            if found and i not in skip:
                rule, message = found
                report.add(rule, message, severity="error", row=df.index[i], file_row=header_row + 1 + i,
                           column=str(col), value=v)
    return report


def list_age_days(today: date | None = None) -> int:
    """Days since the shipped list's ``as_of`` date (a test fails when it is over a year)."""
    return ((today or date.today()) - list_info()["as_of"]).days
