"""Decode Japanese text files in a safe order and say what was found.

Order (rule L3-08 asks publishers to state encoding and BOM; many don't):

1. a UTF-16 BOM → ``utf-16``; without a BOM, UTF-16 only when at least 5% of the
   bytes at one parity are NUL (every ASCII character of UTF-16LE text is ``xx 00``),
   the whole file decodes strictly, and the text has no control characters and reads
   as Japanese text (almost any even-length byte string would "decode" as UTF-16);
2. a UTF-8 BOM → ``utf-8-sig`` (the BOM is removed, so the first header is clean);
3. ``utf-8``, strict, over the whole file;
4. ``cp932`` (Windows "Shift_JIS" from Japanese Excel), strict, over the whole file.
   ``shift_jis`` is never used: it cannot decode ① or 髙 and maps 0x8160 to a
   different tilde.

If nothing decodes strictly (a file with mixed encodings), the codec with the
fewest bad bytes is used with U+FFFD replacement, and every affected line is
reported as an error, so nothing is silently lost.

>>> d = decode_bytes("全国地方公共団体コード\\r\\n".encode("cp932"))
>>> d.encoding, d.bom, d.newline
('cp932', False, '\\r\\n')
>>> decode_bytes(b"\\xef\\xbb\\xbfID\\n").text
'ID\\n'
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from .report import Report

_ALIASES = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "s-jis": "cp932",
            "ms932": "cp932", "windows-31j": "cp932", "cp932": "cp932",
            "utf8": "utf-8", "utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf_8": "utf-8",
            "utf-16": "utf-16", "utf16": "utf-16"}

LABELS = {"utf-8": "UTF-8", "cp932": "cp932（WindowsのShift_JIS）", "utf-16": "UTF-16"}


@dataclass(frozen=True)
class Decoded:
    """Text of a file and how it was stored."""

    text: str
    encoding: str          # "utf-8", "cp932" or "utf-16" (the codec that decoded it)
    bom: bool              # True if the file started with a byte order mark
    newline: str           # "\r\n", "\n", "\r", "mixed" or "" (from the first 1 MB; read_csv checks every line)
    report: Report = field(default_factory=Report, compare=False)

    @property
    def label(self) -> str:
        """Japanese description, e.g. ``UTF-8（BOMあり）``."""
        return f"{LABELS.get(self.encoding, self.encoding)}（BOM{'あり' if self.bom else 'なし'}）"


def encoding_report(encoding: str, bom: bool) -> Report:
    """The L3-08 note that says which encoding and BOM a file had."""
    report = Report()
    label = f"{LABELS.get(encoding, encoding)}（BOM{'あり' if bom else 'なし'}）"
    report.add("L3-08", f"文字コードは {label} でした。公開するときは文字コードとBOMの有無を明記してください。",
               severity="info")
    return report


def _newline(text: str | bytes) -> str:
    """Line break style of ``text`` (bytes are fine for any ASCII-compatible encoding)."""
    cr_, lf_ = ("\r", "\n") if isinstance(text, str) else (b"\r", b"\n")
    lf, cr = text.count(lf_), text.count(cr_)            # one-character counts are fast on big files
    if not lf and not cr:
        return ""
    if not cr:
        return "\n"
    if not lf:
        return "\r"
    if lf == cr and text.count(cr_ + lf_) == lf:
        return "\r\n"
    return "mixed"


_NOT_TEXT = {
    "pdf": "PDFファイル",
    "zip": "ZIP形式のファイル（拡張子を .csv に変えたExcelファイル（.xlsx）の可能性があります）",
    "ole": "古いOffice形式のファイル（Excel 97-2003 の .xls など）",
    "html": "Webページ（HTML）",
    "xml": "XMLファイル",
    "binary": "文字ではないデータ（バイナリファイル）",
}

_CONTROL = bytes(range(0x20)).translate(None, b"\t\n\r\x0c\x1a")   # bytes that never occur in text


def sniff_format(data: bytes) -> str | None:
    """What ``data`` is when it is not a text table: ``"pdf"``, ``"zip"``, ``"ole"``, ``"html"``, ``"xml"``, ``"binary"``.

    ``None`` for text (CSV, TSV, also UTF-16 with or without BOM). Looks at the first
    bytes only, except for files with NUL bytes (a sample of 64 KB is counted).

    >>> sniff_format(b"%PDF-1.7 ..."), sniff_format(b"PK\\x03\\x04..."), sniff_format(b"ID,name\\n1,a\\n")
    ('pdf', 'zip', None)
    """
    head = data[:1024]
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    start = head.lstrip()
    if start.startswith(b"%PDF-"):
        return "pdf"
    if start.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if start.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    low = start[:200].lower()
    if low.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<table", b"<meta", b"<!--")) or (
            low.startswith(b"<?xml") and b"<html" in start.lower()):
        return "html"
    if low.startswith(b"<?xml"):
        return "xml"
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
            and _utf16_without_bom(data) is None:
        sample = data[:65536]
        if len(sample.translate(None, _CONTROL)) < 0.9 * len(sample):      # more than 10% control bytes
            return "binary"
    return None


def not_text_message(kind: str) -> str:
    """Japanese description of what :func:`sniff_format` found and what to do."""
    what = _NOT_TEXT[kind]
    if kind == "zip":
        todo = ("Excelファイルなら、拡張子を .xlsx に直して read_excel（または read_table）で読むか、"
                "Excelで開いて「CSV UTF-8（コンマ区切り）」で保存し直してください。")
    elif kind == "ole":
        todo = "Excelで開いて .xlsx か「CSV UTF-8（コンマ区切り）」で保存し直してください。"
    elif kind == "html":
        todo = ("Webページを「名前を付けて保存」したファイルは表になりません。ページにあるCSVのリンクからファイルを"
                "ダウンロードするか、表をExcelに貼り付けて「CSV UTF-8（コンマ区切り）」で保存してください。")
    elif kind == "pdf":
        todo = "PDFは機械が直接読み取れません。元のExcelなどから「CSV UTF-8（コンマ区切り）」で保存したファイルを用意してください。"
    else:
        todo = "元のソフトで「CSV UTF-8（コンマ区切り）」として保存し直してください。"
    return f"中身はCSV（文字の表）ではなく、{what}です（ルール L1-01）。{todo}"


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` for UTF-16 text without a BOM, else ``None``.

    UTF-16 text of a table has many NUL bytes (``,`` is ``2C 00`` in little-endian), mostly
    at one parity, which gives the byte order to try first. The whole file must then decode
    strictly, hold no control characters, and read as characters a Japanese table has.
    """
    sample = data[:65536]
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    # ASCII (commas, line breaks, digits) is a good share of any table, and in UTF-16 each ASCII character has
    # a NUL byte: a few stray NULs in a UTF-8 or cp932 file are not UTF-16. The other parity has NULs too
    # (一 is U+4E00, 　 is U+3000), so the reading decides: binary data read as UTF-16 has control characters,
    # and the wrong byte order turns "," and line breaks into characters no Japanese table has.
    if len(data) % 2 or max(odd, even) < max(1, len(sample) // 40):
        return None
    for enc in (("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le")):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if not _CONTROL_TEXT.search(text) and _plausibility(text[:20000]) >= 0.8:
            return enc
    return None


_CONTROL_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\ud800-\udfff]")

# Characters a Japanese table is made of; used to choose between UTF-8 and cp932 for one line.
_PLAUSIBLE = re.compile("[\u0020-\u007e\u00a0-\u00ff\u2000-\u206f\u2100-\u22ff\u2460-\u24ff\u2500-\u257f"
                        "\u25a0-\u26ff\u3000-\u30ff\u3200-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                        "\uff01-\uff9f\uffe0-\uffe5\U00020000-\U0003134f\t\r\n]")


def _plausibility(text: str) -> float:
    """Share of ``text``'s non-ASCII characters that a Japanese table would contain (1.0 for ASCII only)."""
    rest = [c for c in text if not c.isascii()]
    if not rest:
        return 1.0
    return sum(1 for c in rest if _PLAUSIBLE.match(c)) / len(rest)


def _lenient(data: bytes) -> tuple[str, str, int]:
    """Best effort decode: the candidate codec with the fewest replacement characters."""
    best = None
    for enc in ("utf-8", "cp932"):
        text = data.decode(enc, errors="replace")
        bad = text.count("\ufffd") - data.decode(enc, errors="ignore").count("\ufffd")
        if best is None or bad < best[2]:
            best = (text, enc, bad)
    return best


_JAPANESE_TEXT = re.compile(
    "[\x00-\x7f\u00a0-\u00ff\u2000-\u206f\u2150-\u218f\u2190-\u22ff\u2460-\u24ff\u2500-\u257f"
    "\u25a0-\u26ff\u3000-\u30ff\u3200-\u33ff\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]*")


def _mixed_lines(data: bytes) -> Decoded | None:
    """A file whose lines are partly UTF-8 and partly cp932 (pasted together): read each line in its own codec.

    ``None`` when the file is not mixed (the usual case). A cp932 file can decode as
    UTF-8 only by accident, and UTF-8 text decodes as cp932 mojibake, so a file with
    both valid-UTF-8 and invalid-UTF-8 non-ASCII lines is mixed.
    """
    lines = data.splitlines(keepends=True)
    kinds = []
    for line in lines:
        if line.isascii():
            kinds.append("ascii")
            continue
        try:
            as_utf8 = line.decode("utf-8")
        except UnicodeDecodeError:
            kinds.append("cp932")
            continue
        try:
            as_cp932 = line.decode("cp932")
        except UnicodeDecodeError:                 # e.g. UTF-8 bytes of 𠮷 (not in cp932) are no cp932
            kinds.append("utf-8")
            continue
        # both decode: cp932 bytes can be valid UTF-8 by accident (e.g. 﨑① → 핇@), and UTF-8 bytes
        # often decode as cp932 mojibake (縺ゅ…, half-width kana): keep the more Japanese-looking reading
        if _JAPANESE_TEXT.fullmatch(as_utf8) and not _JAPANESE_TEXT.fullmatch(as_cp932):
            kinds.append("utf-8")
        else:
            kinds.append("utf-8" if _plausibility(as_utf8) >= _plausibility(as_cp932) else "cp932")   # valid UTF-8 wins ties
    if "utf-8" not in kinds or "cp932" not in kinds:
        return None
    main = "utf-8" if kinds.count("utf-8") >= kinds.count("cp932") else "cp932"
    other = "cp932" if main == "utf-8" else "utf-8"
    parts, report = [], Report()
    others = [n for n, k in enumerate(kinds, start=1) if k == other]
    shown = "・".join(f"{n}行目" for n in others[:10]) + (f" ほか{len(others) - 10}行" if len(others) > 10 else "")
    report.add("L3-08", f"文字コードが混在しています（主に {LABELS[main]}、{shown}が {LABELS[other]}）。"
               "行ごとに読み分けましたが、ほかのソフトでは文字化けします。元のファイルを1つの文字コード"
               "（できれば UTF-8）で保存し直してください。", severity="error")
    for lineno, (line, kind) in enumerate(zip(lines, kinds), start=1):
        enc = main if kind == "ascii" else kind
        text = line.decode(enc, errors="replace")
        if kind == other:
            bad = "（読めない文字は「\ufffd」にしました）" if "\ufffd" in text else ""
            report.add("L3-08", f"この行だけが {LABELS[other]} で書かれていました（ファイルの大部分は {LABELS[main]}）。"
                       f"この行は {LABELS[other]} として読みました{bad}。この行を入力し直すか、ファイル全体を1つの文字コードで"
                       "保存し直してください。", severity="error", file_row=lineno, value=text.strip()[:40])
        parts.append(text)
    text = "".join(parts)
    bom = text.startswith("\ufeff")
    return Decoded(text[1:] if bom else text, main, bom, _newline(text), report)


def decode_bytes(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode ``data`` (see the module docstring for the order); never raises on bad bytes.

    ``encoding`` forces a codec; ``shift_jis`` and its aliases are read as ``cp932``.
    """
    report = Report()
    bom = False
    if encoding is not None:
        wanted = encoding.lower()
        enc = _ALIASES.get(wanted, wanted)
        if wanted in ("shift_jis", "shift-jis", "sjis", "s-jis"):
            report.add("L3-08", "shift_jis の代わりに cp932 で読みました（①や髙などを正しく読むためです）。",
                       severity="info")
        candidates = [enc]
    else:
        utf16 = _utf16_without_bom(data) if b"\x00" in data[:65536] else None
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            candidates = ["utf-16"]
        elif data.startswith(codecs.BOM_UTF8):
            candidates = ["utf-8-sig"]
        elif utf16:
            candidates = [utf16]
            order = "リトルエンディアン" if utf16 == "utf-16-le" else "ビッグエンディアン"
            report.add("L3-08", f"BOMのないUTF-16（{order}）でした。BOMがないUTF-16を読めないソフトが多いため、"
                       "Excelで「CSV UTF-8（コンマ区切り）」として保存し直してください。", severity="warning")
        else:
            candidates = ["utf-8", "cp932"]
    for enc in candidates:
        try:
            text = data.decode(enc, errors="strict")
        except (UnicodeDecodeError, LookupError):
            if enc == "utf-8" and candidates == ["utf-8", "cp932"]:
                mixed = _mixed_lines(data)
                if mixed is not None:
                    return mixed
            continue
        if enc in ("utf-8-sig", "utf-16"):
            bom = True
        elif enc == "utf-8" and text.startswith("\ufeff"):  # forced utf-8 on a file with BOM
            text, bom = text[1:], True
        name = "utf-16" if enc.startswith("utf-16") else "utf-8" if enc == "utf-8-sig" else enc
        newline = _newline(data[:1_000_000]) if name != "utf-16" else _newline(text[:500_000])
        report.extend(encoding_report(name, bom))
        return Decoded(text, name, bom, newline, report)
    if encoding is not None:
        auto = decode_bytes(data)
        report.add("L3-08", f"指定された文字コード {encoding} では読めなかったため、自動判定で {auto.label} として読みました。",
                   severity="warning")
        report.extend(auto.report)
        return Decoded(auto.text, auto.encoding, auto.bom, auto.newline, report)
    # nothing decoded strictly: keep every line, mark the bad ones
    text, enc, _ = _lenient(data)
    if text.startswith("\ufeff"):
        text, bom = text[1:], True
    decoded = Decoded(text, enc, bom, _newline(text), report)
    tried = "、".join(candidates)
    report.add("L3-08", f"どの文字コード（{tried}）でも正しく読めない部分がありました。{LABELS.get(enc, enc)} として読み、"
               "読めない文字を「\ufffd」に置き換えました。文字コードの混在が疑われます。元のファイルを一つの文字コードで保存し直してください。",
               severity="error")
    for lineno, line in enumerate(text.splitlines(), start=1):
        if "\ufffd" in line:
            report.add("L3-08", "この行に読めない文字があります。", severity="error", file_row=lineno,
                       value=line[:40])
    return decoded


def read_text(path, encoding: str | None = None) -> Decoded:
    """Read a file from disk with :func:`decode_bytes`."""
    from pathlib import Path

    return decode_bytes(Path(path).read_bytes(), encoding)


def encode_text(text: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    """Encode ``text`` for a file, strictly; ``bom`` adds a byte order mark (UTF-8/UTF-16 only).

    ``utf-16`` is written little-endian with a BOM (as Excel's 「Unicode テキスト」).
    Raises :class:`UnicodeEncodeError` if a character does not exist in ``encoding``.
    """
    enc = _ALIASES.get(encoding.lower(), encoding.lower())
    if enc == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if enc in ("utf-8", "utf-8-sig"):
        return (codecs.BOM_UTF8 if bom or enc == "utf-8-sig" else b"") + text.encode("utf-8")
    if bom:
        raise ValueError(f"{encoding} にはBOMを付けられません。")
    return text.encode(enc)
