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
