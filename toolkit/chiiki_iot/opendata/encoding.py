"""Decode Japanese text files in a safe order and say what was found.

Order (rule L3-08 asks publishers to state encoding and BOM; many don't):

1. a UTF-16 BOM → ``utf-16`` (UTF-16 is tried only with a BOM: almost any
   even-length byte string would "decode" as UTF-16);
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
        # cp932 bytes can be valid UTF-8 by accident (e.g. 﨑① → 핇@): only Japanese-looking text counts
        kinds.append("utf-8" if _JAPANESE_TEXT.fullmatch(as_utf8) else "cp932")
    if "utf-8" not in kinds or "cp932" not in kinds:
        return None
    main = "utf-8" if kinds.count("utf-8") >= kinds.count("cp932") else "cp932"
    other = "cp932" if main == "utf-8" else "utf-8"
    parts, report = [], Report()
    report.add("L3-08", f"文字コードが混在しています（主に {LABELS[main]}、一部の行が {LABELS[other]}）。"
               "行ごとに読み分けましたが、元のファイルを1つの文字コードで保存し直してください。", severity="error")
    for lineno, (line, kind) in enumerate(zip(lines, kinds), start=1):
        enc = main if kind == "ascii" else kind
        text = line.decode(enc, errors="replace")
        if kind == other:
            report.add("L3-08", f"この行は {LABELS[other]} で書かれていました。", severity="error", file_row=lineno,
                       value=text.strip()[:40])
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
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            candidates = ["utf-16"]
        elif data.startswith(codecs.BOM_UTF8):
            candidates = ["utf-8-sig"]
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
        name = "utf-8" if enc == "utf-8-sig" else enc
        if "\x00" in text:
            report.add("L3-08", "NUL文字（\\x00）が含まれています。BOMのないUTF-16の可能性があります。"
                       "Excelで「CSV UTF-8（コンマ区切り）」として保存し直してください。", severity="error")
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
