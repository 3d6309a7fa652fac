"""Read real municipal CSV and Excel files without losing a row.

:func:`read_csv` decodes strictly (see :mod:`.encoding`), finds the header row
(skipping title rows, rule L3-01), reads every cell as a string (codes keep
their leading zeros, blanks stay ``""`` and are never turned into 0 or NaN),
and reports blank rows, note rows, ragged rows, unnamed and duplicate headers.

>>> t = read_csv("全国地方公共団体コード,ID,名称\\r\\n092011,001,中央公民館\\r\\n".encode("cp932"))
>>> t.encoding, t.df.loc[0, "全国地方公共団体コード"]
('cp932', '092011')

``Table.df`` row ``i`` is the record on row ``t.header_row + 1 + i`` of the file
as Excel shows it; the report uses both numbers.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .encoding import Decoded, decode_bytes, encoding_report, not_text_message, sniff_format
from .report import Report


class OpenDataError(ValueError):
    """A file the toolkit cannot read at all; the message is Japanese and says what to do."""

    learner_message_only = True  # a notebook shows the message alone (checks.python_errors)


@dataclass
class Table:
    """A file read into strings, plus everything noticed while reading it."""

    df: pd.DataFrame
    report: Report
    encoding: str | None = None      # None for Excel files
    bom: bool = False
    newline: str = ""
    sep: str = ","
    header_row: int = 1              # 1-based row of the header, as Excel shows it
    source: str = ""
    sheet: str | None = None
    extra: dict = field(default_factory=dict)

    def file_row(self, index: int) -> int:
        """Excel-style row number of DataFrame row ``index``."""
        return self.header_row + 1 + int(index)

    def non_data_rows(self) -> set[int]:
        """DataFrame rows that are not records: blank rows (L1-03) and note rows (L1-04).

        The reader keeps them (no row is dropped) and reports them; every check
        (:func:`~chiiki_iot.opendata.check_standard`, :func:`~chiiki_iot.opendata.check_readability`)
        skips their cells, so a trailing 「※…」 note is never read as a code, number or date.
        """
        return non_data_rows(self.report)

    def __repr__(self) -> str:
        where = f"シート「{self.sheet}」" if self.sheet else f"文字コード {self.encoding}（BOM{'あり' if self.bom else 'なし'}）"
        return (f"<Table {self.source or '(bytes)'}: {len(self.df)}行 × {self.df.shape[1]}列、{where}、"
                f"項目名は{self.header_row}行目。{self.report.summary()}>")


# -- helpers ---------------------------------------------------------------------

NON_DATA_RULES = ("L1-03", "L1-04")     # blank rows and note rows, reported by the reader with their row


def non_data_rows(report: Report) -> set[int]:
    """Rows the reader reported as blank rows or note rows (see :meth:`Table.non_data_rows`)."""
    return {i.row for i in report if i.rule in NON_DATA_RULES and i.row is not None}


def missing_file_error(path) -> OpenDataError:
    """The error for a path that does not exist (the same for every reading function)."""
    return OpenDataError(f"ファイルが見つかりません: {path}。パスを確かめてください。")


def _source_bytes(source) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), ""
    if hasattr(source, "read"):
        data = source.read()
        return (data.encode("utf-8") if isinstance(data, str) else data), getattr(source, "name", "")
    path = Path(source)
    if not path.exists():
        raise missing_file_error(path)
    try:
        return path.read_bytes(), str(path)
    except IsADirectoryError:
        raise OpenDataError(f"{path} はフォルダーです。読み込むファイルのパスを指定してください。") from None
    except PermissionError:
        raise OpenDataError(f"ファイル {path} を読む権限がありません。ファイルの場所や権限を確かめてください。") from None
    except OSError as e:
        raise OpenDataError(f"ファイル {path} を開けませんでした（{type(e).__name__}）。ほかのソフトで開いたままに"
                            "なっていないか、パスが正しいか確かめてください。") from None


def _file_label(name: str) -> str:
    """How messages name the input: ``ファイル「x.csv」`` or, for bytes, ``このデータ``."""
    return f"ファイル「{name}」" if name else "このデータ"


def _sniff_sep(text: str) -> str:
    for line in text[:65536].splitlines()[:20]:
        if line.strip():
            return "\t" if line.count("\t") > line.count(",") else ","
    return ","


@dataclass
class _Scan:
    newline: str            # "\r\n", "\n", "\r", "mixed" or "" over every record end
    starts: np.ndarray      # byte offset where each record starts
    ends: np.ndarray        # byte offset where each record ends (line break excluded)
    fields: np.ndarray      # number of fields in each record
    first_sep: np.ndarray   # byte offset of the first separator (or end)
    crlf: np.ndarray = None     # per line break (record end): it was CR+LF
    cr_only: np.ndarray = None  # per line break: it was a bare CR (old Mac), read as a line break
    open_quote: int = -1        # byte offset of a double quote that is never closed (-1: all closed)


def _bare_cr_to_lf(buf: bytes) -> tuple[bytes, np.ndarray | None]:
    """Turn every CR that is a line break on its own (not before LF, not inside quotes) into LF.

    Old Mac exporters end lines with a bare CR, and files pasted together mix CR with
    CR+LF and LF. pandas takes a bare CR as a line break and Python's ``csv`` module
    stops on it; making it LF gives every part of the reader the same rows. Returns the
    buffer (same length, same offsets) and the positions changed (``None`` if none, the
    usual case: two fast byte counts).
    """
    n_cr = buf.count(b"\r")
    if not n_cr or n_cr == buf.count(b"\r\n"):
        return buf, None
    b = np.frombuffer(buf, dtype=np.uint8)
    cr = np.flatnonzero(b == 13)
    lone = cr[b[np.minimum(cr + 1, len(b) - 1)] != 10]           # a CR as the last byte is compared with itself
    if b'"' in buf:
        quotes = np.flatnonzero(b == 34)
        lone = lone[(np.searchsorted(quotes, lone) & 1) == 0]      # a CR inside a quoted cell is the cell's text
    if not lone.size:
        return buf, None
    fixed = b.copy()
    fixed[lone] = 10
    return fixed.tobytes(), lone


def _scan(buf: bytes, sep: str, cr_only: np.ndarray | None = None) -> _Scan:
    """Records and field counts of a UTF-8 CSV buffer, quotes respected (numpy, no Python loop).

    ``cr_only``: positions of the LFs that were bare CRs in the file (see :func:`_bare_cr_to_lf`).
    """
    b = np.frombuffer(buf, dtype=np.uint8)
    quotes = np.flatnonzero(b == 34) if b'"' in buf else np.empty(0, dtype=np.intp)
    nl = np.flatnonzero(b == 10)
    seps = np.flatnonzero(b == ord(sep))
    if quotes.size:
        nl = nl[(np.searchsorted(quotes, nl) & 1) == 0]
        seps = seps[(np.searchsorted(quotes, seps) & 1) == 0]
    ends = nl
    if len(b) and (not nl.size or nl[-1] != len(b) - 1):
        ends = np.append(nl, len(b))
    starts = np.concatenate(([0], nl + 1))[: len(ends)]
    cr = np.zeros(len(ends), dtype=bool)
    has = ends > starts
    cr[has] = b[ends[has] - 1] == 13
    ends = ends - cr
    lo = np.searchsorted(seps, starts)
    hi = np.searchsorted(seps, ends)
    fields = hi - lo + 1
    first = np.where(hi > lo, seps[np.minimum(lo, max(len(seps) - 1, 0))] if seps.size else ends, ends)
    ended = cr[: len(nl)]
    lone = np.isin(nl, cr_only) if cr_only is not None else np.zeros(len(nl), dtype=bool)
    kinds = int(ended.any()) + int(lone.any()) + int((~ended & ~lone).any())
    newline = "" if not len(ended) else "mixed" if kinds > 1 else "\r\n" if ended.all() else "\r" if lone.all() else "\n"
    open_quote = -1
    if len(quotes) % 2 and (quotes[-1] == 0 or b[quotes[-1] - 1] in (10, 13, ord(sep))):
        open_quote = int(quotes[-1])        # starts a quoted cell (a " inside a value, as in 5"inch, is just a character)
    return _Scan(newline, starts, ends, fields, first, ended, lone, open_quote)


_ENDING_NAMES = {"crlf": "CR+LF（Windowsの標準）", "lf": "LF（Mac・Linuxの標準）", "cr": "CRのみ（古いMacの形式）"}


def _report_line_endings(scan: _Scan, report: Report, label: str) -> None:
    """READ-01: a file whose lines end in a bare CR, or in more than one way, with counts and first rows."""
    if scan.newline not in ("\r", "mixed"):
        return
    masks = {"crlf": scan.crlf, "lf": ~scan.crlf & ~scan.cr_only, "cr": scan.cr_only}
    counts = {k: int(m.sum()) for k, m in masks.items() if m.any()}
    todo = ("テキストエディタ（メモ帳など）で改行コードを CR+LF か LF の一方にそろえて保存し直してください"
            "（Excelなら「CSV UTF-8（コンマ区切り）」で保存し直すと CR+LF にそろいます）。")
    if scan.newline == "\r":
        report.add("READ-01", f"{label}の改行コードは {_ENDING_NAMES['cr']} です（{counts['cr']}行）。"
                   f"すべての行を読み込みましたが、CRのみの改行を1行として扱えないソフトがあります。{todo}",
                   severity="warning", file_row=1)
        return
    main = max(counts, key=counts.get)
    listed = "、".join(f"{_ENDING_NAMES[k]} {n}行" for k, n in counts.items())
    where = []
    first_row = None
    for kind in counts:
        if kind == main:
            continue
        rows = np.flatnonzero(masks[kind])[:5] + 1            # record i is row i + 1 as Excel shows it
        first_row = int(rows[0]) if first_row is None else min(first_row, int(rows[0]))
        more = " など" if counts[kind] > len(rows) else ""
        where.append(f"{_ENDING_NAMES[kind].split('（')[0]}で終わる行は {'・'.join(map(str, rows))}行目{more}")
    cell = ("セルの中の改行がCRのみで書かれていた場合は、そこで行が分かれて読まれています（項目の数が足りない行として"
            "L1-14 に出ます）。") if "cr" in counts else ""
    report.add("READ-01", f"{label}は改行コードが混在しています（{listed}）。{'、'.join(where)}です。"
               f"すべての行を読み込みました。{cell}{todo}", severity="warning", file_row=first_row)


def _csv_rows(text: str, sep: str, label: str, first_row: int = 1) -> list[list[str]]:
    """``csv.reader`` over ``text``; a file it cannot parse is an :class:`OpenDataError` with the row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        return list(reader)
    except csv.Error:
        row = first_row + max(reader.line_num - 1, 0)
        raise OpenDataError(f"{label}の {row}行目付近をCSVとして読めませんでした。ダブルクォーテーション（\"）で始めたセルが"
                            "閉じられていないか、とても長いセルがないか確かめ、Excelなどで開いて保存し直してください。") from None


def _header_index(rows: list[list[str]], width: int) -> int:
    need = 1 if width <= 1 else max(2, -(-width // 2))
    for i, row in enumerate(rows):
        if sum(1 for c in row if c.strip()) >= need:
            return i
    return 0


def _clean_header(names: list[str], report: Report, header_row: int) -> list[str]:
    out: list[str] = []
    for i, raw in enumerate(names):
        name = re.sub(r"[\r\n]+", "", raw).strip(" \t\u3000")
        if name != raw:
            rule = "L1-14" if ("\n" in raw or "\r" in raw) else "L1-06"
            report.add(rule, f"{i + 1}列目の項目名の空白・改行を取り除きました（{raw!r} → {name!r}）。", severity="fixed",
                       file_row=header_row, column=name, value=raw, fixed=name)
        if not name:
            name = f"列{i + 1}"
            report.add("L1-05", f"{i + 1}列目に項目名がありません。仮に「{name}」と名付けました。内容が分かる項目名をつけてください。",
                       severity="error", file_row=header_row, column=name)
        if name in out:
            n = 2
            while f"{name}_{n}" in out or f"{name}_{n}" in names:
                n += 1
            new = f"{name}_{n}"
            report.add("L2-03", f"項目名「{name}」が重複しています。2つ目以降を「{new}」として読みました。",
                       severity="error", file_row=header_row, column=new, value=name)
            name = new
        out.append(name)
    return out


def _row_checks(df: pd.DataFrame, blank: np.ndarray, note: np.ndarray, report: Report, header_row: int,
                header: list[str]):
    for i in np.flatnonzero(blank):
        report.add("L1-03", "空白の行です。表の途中の空白行は削除してください（この行も件数に含めて残しています）。",
                   severity="warning", row=i, file_row=header_row + 1 + i)
    for i in np.flatnonzero(note & ~blank):
        report.add("L1-04", "最初のセルだけに値がある行です。表と関係のない注記なら削除し、メタデータに書いてください。",
                   severity="warning", row=i, file_row=header_row + 1 + i, column=header[0], value=df.iat[i, 0])
    if df.shape[1] >= 2 and len(df):
        # the cells are strings (never missing): compare the object arrays, the second column only if needed
        first = df.iloc[:, 0].to_numpy(dtype=object) == header[0]
        again = np.flatnonzero(first & (df.iloc[:, 1].to_numpy(dtype=object) == header[1])) if first.any() else []
        for i in again:
            report.add("L1-02", "表の途中に項目名と同じ行があります。複数の表がつながっていないか確かめてください。",
                       severity="warning", row=i, file_row=header_row + 1 + i, value=df.iat[i, 0])
    for col in df.columns:
        if len(df) and header and col.startswith("列") and (df[col] == "").all():
            report.add("L1-03", f"列「{col}」は項目名も値も空です。空白列は削除してください。", severity="warning", column=col)


def _frame_from_rows(rows: list[list[str]], width: int, report: Report, header_row: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Slow exact path: pad short rows, keep extra fields in extra columns, report both."""
    extra = max(max((len(r) for r in rows), default=width) - width, 0)     # every row short: no extra column
    blank = np.zeros(len(rows), dtype=bool)
    note = np.zeros(len(rows), dtype=bool)
    fixed_rows = []
    for i, r in enumerate(rows):
        n = len(r)
        if n == 0 or not any(r):
            blank[i] = True
            r = r + [""] * (width - n)
        elif n == 1 and width >= 3:
            note[i] = True
            r = r + [""] * (width - 1)
        elif n < width:
            report.add("L1-14", f"項目の数が足りません（{n}個、見出しは{width}個）。セルの中の改行や区切りの抜けがないか確かめてください。"
                       "足りない項目は空欄として読みました。", severity="error", row=i, file_row=header_row + 1 + i,
                       value=",".join(r)[:60])
            r = r + [""] * (width - n)
        elif n > width:
            report.add("L1-15", f"項目の数が多すぎます（{n}個、見出しは{width}個）。カンマを含む値がダブルクォーテーションで囲まれていない"
                       "可能性があります。余った値は右端の列に残しました。", severity="error", row=i,
                       file_row=header_row + 1 + i, value=",".join(r)[:60])
        if not blank[i] and r[0] and all(c == "" for c in r[1:width]) and width >= 3:
            note[i] = True
        fixed_rows.append(r + [""] * (width + extra - len(r)))
    cols = list(range(width + extra))
    df = pd.DataFrame(fixed_rows, columns=cols, dtype="str") if fixed_rows else pd.DataFrame(columns=cols, dtype="str")
    return df, blank, note


# -- public ---------------------------------------------------------------------------

def read_csv(source, *, encoding: str | None = None, sep: str | None = None) -> Table:
    """Read a CSV/TSV file (path, bytes or file object) into a :class:`Table` of strings.

    Never drops a row: blank rows, note rows and ragged rows are kept and reported.

    Encodings are tried in the order of :func:`~chiiki_iot.opendata.encoding.decode_bytes`.
    For the first candidate, UTF-8, the strict check of every byte is done by pandas'
    parser itself (it decodes every field strictly) instead of a separate pass; on the
    first undecodable byte the whole file goes through ``decode_bytes``.
    """
    data, name = _source_bytes(source)
    kind = sniff_format(data)
    if kind is not None:
        first = data[:200].split(b"\n")[0].decode("utf-8", errors="replace").strip()
        shown = f"（1行目: {first[:40]!r}）" if kind in ("html", "xml") else ""
        raise OpenDataError(f"{_file_label(name)}はCSVとして読めません{shown}。{not_text_message(kind)}")
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if (encoding or "utf-8").lower() in ("utf-8", "utf8", "utf-8-sig") and not utf16 and b"\x00" not in data:
        bom = data.startswith(codecs.BOM_UTF8)
        try:
            return _parse(data[3:] if bom else data, name, "utf-8", bom, sep, encoding_report("utf-8", bom))
        except UnicodeDecodeError:
            pass
    decoded: Decoded = decode_bytes(data, encoding)
    report = Report(decoded.report)
    text = _drop_nul(decoded.text, report, name) if "\x00" in decoded.text else decoded.text
    return _parse(text.encode("utf-8"), name, decoded.encoding, decoded.bom, sep, report)


def _drop_nul(text: str, report: Report, name: str) -> str:
    """READ-04: NUL characters (``\\x00``, never part of a table) are removed, with the rows they were on."""
    rows = []
    for m in re.finditer("\x00+", text):
        row = text.count("\n", 0, m.start()) + 1
        if not rows or rows[-1] != row:
            rows.append(row)
        if len(rows) >= 5:
            break
    n = text.count("\x00")
    report.add("READ-04", f"{_file_label(name)}に NUL文字（\\x00）が {n}個ありました（{'・'.join(map(str, rows))}行目など）。"
               "表の文字ではないため取り除いて読みました。書き出したソフトで保存し直し、内容が欠けていないか確かめてください。",
               severity="warning", file_row=rows[0])
    return text.replace("\x00", "")


_PUA_BYTES = re.compile(b"\xee|\xef[\x80-\xa3]")      # U+E000–U+F8FF in UTF-8
_PUA = re.compile("[\ue000-\uf8ff]")


def _report_gaiji(df: pd.DataFrame, header: list[str], report: Report, header_row: int, encoding: str) -> None:
    """READ-03: 外字 (user-defined characters: Unicode's private use area after decoding), each cell with its code point."""
    def code(ch: str) -> str:
        point = f"U+{ord(ch):04X}"
        if encoding == "cp932":
            try:
                return f"{point}、cp932 では {ch.encode('cp932').hex().upper()}"
            except UnicodeEncodeError:
                pass
        return point

    def add(value: str, i, col):
        chars = "・".join(code(c) for c in dict.fromkeys(_PUA.findall(value)))
        report.add("READ-03", f"外字（利用者が作った文字: {chars}）があります。ほかのパソコンでは表示されないか、別の字に見えます。"
                   "標準の文字（例: 髙→高）に置き換えてください。人名・地名などで元の字形が必要なら、標準の文字で書いたうえで"
                   "備考欄かメタデータに注記してください。", severity="error", row=i,
                   file_row=header_row if i is None else header_row + 1 + i, column=col, value=value)

    for name in header:
        if _PUA.search(name):
            add(name, None, name)
    for j, col in enumerate(df.columns):
        values = df.iloc[:, j]
        for i in np.flatnonzero(values.str.contains(_PUA, regex=True).to_numpy(dtype=bool)):
            add(values.iat[i], int(i), col)


def _parse(buf: bytes, name: str, encoding: str, bom: bool, sep: str | None, report: Report,
           cr_only: np.ndarray | None = None) -> Table:
    """Parse UTF-8 ``buf``; raises UnicodeDecodeError if ``buf`` is not UTF-8 after all.

    Bare CRs (line breaks of old Macs, or mixed in) are looked for in the first 64 KB and,
    when the quick path does not fit, in the whole file; ``cr_only`` is set on the second
    pass (see :func:`_bare_cr_to_lf`). A clean CR+LF or LF file never pays for the search:
    a bare CR outside quotes always makes pandas' row count differ from the scan's.
    """
    sep = sep or _sniff_sep(buf[:65536].decode("utf-8", errors="ignore"))
    mark = len(report.issues)
    if cr_only is None:
        head = buf[:65536]
        if head.count(b"\r") != head.count(b"\r\n"):
            buf, cr_only = _bare_cr_to_lf(buf)
            if cr_only is None:
                cr_only = np.empty(0, dtype=np.intp)          # looked: none outside quotes
    scan = _scan(buf, sep, cr_only)
    n = len(scan.starts)
    label = _file_label(name)
    if scan.open_quote >= 0:
        row = int(np.searchsorted(scan.starts, scan.open_quote, side="right"))
        raise OpenDataError(f"{label}の {row}行目付近で、ダブルクォーテーション（\"）で始まるセルが閉じられていません"
                            "（ファイル全体で \" の数が奇数です）。このままではそこからファイルの最後までが1つのセルになり、"
                            "行が失われます。その行の \" を閉じるか、値の中の \" を \"\" と2つ重ねてください"
                            "（例: 5\" は \"5\"\"\"）。Excelで開いて保存し直しても直ります。")
    if n == 0:
        report.add("L3-01", "ファイルが空です。", severity="error")
        return Table(pd.DataFrame(), report, encoding, bom, "", sep, 1, name)

    width_mode = int(np.bincount(scan.fields).argmax())
    head_end = int(scan.ends[min(n, 30) - 1])
    head_rows = _csv_rows(buf[:head_end].decode("utf-8"), sep, label)
    h = _header_index(head_rows, width_mode)
    header_row = h + 1
    for j in range(h):
        content = ",".join(c for c in head_rows[j] if c)
        report.add("L3-01", "項目名の前にある行です（表題や空白行）。項目名を1行目にしてください。データとしては読んでいません。",
                   severity="warning", file_row=j + 1, value=content or "（空白行）")
    if h:
        report.add("L3-01", f"1行目から項目名が始まっていません。{header_row}行目を項目名として読みました。", severity="warning",
                   file_row=header_row)
    raw_header = head_rows[h] if h < len(head_rows) else []
    width = len(raw_header)
    header = _clean_header(raw_header, report, header_row)

    body_fields = scan.fields[h + 1:]
    body_blank = (scan.ends[h + 1:] - scan.starts[h + 1:]) == body_fields - 1     # only separators
    regular = bool(np.all(body_fields[~body_blank] == width))
    df = None
    if regular:
        try:
            df = pd.read_csv(io.BytesIO(buf[int(scan.starts[h]):]), sep=sep, header=0, dtype="str",
                             keep_default_na=False, na_filter=False, skip_blank_lines=False, encoding="utf-8",
                             encoding_errors="strict", index_col=False)
        except UnicodeDecodeError:
            raise
        except (pd.errors.ParserError, ValueError):
            df = None
        if df is not None and (len(df) != len(body_fields) or df.shape[1] != width):
            df = None
    if df is not None:
        df.columns = header
        note = (~body_blank) & (scan.first_sep[h + 1:] > scan.starts[h + 1:]) & \
               (scan.ends[h + 1:] - scan.first_sep[h + 1:] == width - 1) & (width >= 3)
        blank = body_blank
    elif cr_only is None and b"\r" in buf:
        fixed, lone = _bare_cr_to_lf(buf)
        if lone is not None:                              # read again with every bare CR as a line break
            del report.issues[mark:]
            return _parse(fixed, name, encoding, bom, sep, report, lone)
    if df is None:
        rows = _csv_rows(buf[int(scan.starts[h]):].decode("utf-8"), sep, label, header_row)[1:]
        df, blank, note = _frame_from_rows(rows, width, report, header_row)
        extra_names = [f"列{i + 1}" for i in range(width, df.shape[1])]
        if extra_names:
            report.add("L1-15", f"項目名のない値を列 {', '.join(extra_names)} に入れました。", severity="error",
                       column=extra_names[0])
        df.columns = header + extra_names
    _row_checks(df, blank, note, report, header_row, list(df.columns))
    _report_line_endings(scan, report, label)
    rest = np.flatnonzero(~(blank | note))
    if len(rest) <= 1000 and not df.iloc[rest].ne("").to_numpy().any():      # ("" in quotes is no data either)
        what = "データの行がありません" if not len(df) else "データの行がなく、空白行か注記の行だけです"
        report.add("READ-02", f"{label}は項目名の行（{header_row}行目）だけで、{what}。書き出すときに範囲の指定やフィルターで"
                   "データが抜けていないか確かめてください。本当に0件なら、そのことをメタデータに書いてください。",
                   severity="error", file_row=header_row + 1)
    # 外字: U+E000–U+EFFF (where cp932's user-defined area lands) is one lead byte, searched at memchr speed;
    # the rest of the private use area (symbol fonts, U+F000–U+F8FF) costs a regex pass, so only up to 4 MB
    if b"\xee" in buf or (len(buf) <= 4_000_000 and _PUA_BYTES.search(buf)):
        _report_gaiji(df, header, report, header_row, encoding)
    return Table(df, report, encoding, bom, scan.newline, sep, header_row, name)


def _cell_text(v) -> str:
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ", timespec="minutes")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return str(v)


def read_excel(source, sheet: str | int | None = None) -> Table:
    """Read one sheet of an .xlsx file (the first by default) like :func:`read_csv`.

    Also reports merged cells (L1-12), hidden rows/columns (L1-13), formulas (L2-06)
    and, as information, other non-empty sheets (L1-02).

    A header of two or more rows (a group label such as 「男性」 merged over 「0～4歳」「5～9歳」…)
    is found and joined into one name per column (「男性_0～4歳」, see :mod:`.excel_header`),
    reported as L3-01; ``Table.header_row`` is its last row and ``Table.extra["header_rows"]``
    lists all its rows.
    """
    import openpyxl

    from .excel_header import JOIN, find_header

    data, name = _source_bytes(source)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        wb_f = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as e:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise OpenDataError(f"Excelファイル（.xlsx）として開けませんでした（{type(e).__name__}）。"
                            "古い .xls 形式なら、Excelで .xlsx として保存し直してください。") from e
    ws = wb.worksheets[sheet] if isinstance(sheet, int) else (wb[sheet] if sheet else wb.worksheets[0])
    ws_f = wb_f[ws.title]
    report = Report()
    others = [s.title for s in wb.worksheets if s.title != ws.title and s.max_row and
              any(c.value is not None for row in s.iter_rows() for c in row)]
    if others:
        report.add("L1-02", f"ほかにもデータのあるシートがあります（{'、'.join(others)}）。シート「{ws.title}」を読みました。",
                   severity="info")
    for rng in ws.merged_cells.ranges:
        report.add("L1-12", f"シート「{ws.title}」のセル {rng.coord} が結合されています。結合を解除し、同じ値を各セルに入力してください。",
                   severity="error", file_row=rng.min_row, value=_cell_text(ws.cell(rng.min_row, rng.min_col).value))
    hidden_rows = [r for r, d in ws.row_dimensions.items() if d.hidden]
    hidden_cols = [c for c, d in ws.column_dimensions.items() if d.hidden]
    for r in hidden_rows:
        report.add("L1-13", f"{r}行目が非表示になっています。不要なら削除し、必要なら表示してください。", severity="warning", file_row=r)
    for c in hidden_cols:
        report.add("L1-13", f"{c}列が非表示になっています。不要なら削除し、必要なら表示してください。", severity="warning")
    for row in ws_f.iter_rows():
        for c in row:
            if c.data_type == "f":
                report.add("L2-06", f"セル {c.coordinate} は数式（{str(c.value)[:30]}）です。値に変換して公開してください。",
                           severity="warning", file_row=c.row)
    rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        report.add("L3-01", f"シート「{ws.title}」にデータがありません。", severity="error")
        return Table(pd.DataFrame(), report, None, False, "", ",", 1, name, ws.title)
    width_all = max(len(r) for r in rows)
    rows = [r + [""] * (width_all - len(r)) for r in rows]
    # trailing all-empty columns are not part of the table
    while width_all > 1 and all(r[width_all - 1] == "" for r in rows):
        width_all -= 1
    rows = [r[:width_all] for r in rows]
    merged = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
    layout = find_header(rows, merged)
    h, top = layout.last, layout.first
    header_row = h + 1
    for j in range(top):
        report.add("L3-01", f"シート「{ws.title}」の{j + 1}行目は項目名の前にある行です（表題や空白行）。項目名を1行目にしてください。"
                   "データとしては読んでいません。",
                   severity="warning", file_row=j + 1, value=",".join(c for c in rows[j] if c) or "（空白行）")
    if top:
        report.add("L3-01", f"シート「{ws.title}」の1行目から項目名が始まっていません。{top + 1}行目を項目名として読みました。",
                   severity="warning", file_row=top + 1)
    if layout.joined:
        example = next((n for n in layout.names if JOIN in n), layout.names[0])
        report.add("L3-01", f"シート「{ws.title}」の{top + 1}行目から{header_row}行目の{header_row - top}行が項目名です"
                   f"（上の行はグループ名）。1行につないで「{example}」のような項目名として読みました。"
                   f"項目名は1行にまとめ、「{example}」のように1列1つの名前にしてください。",
                   severity="warning", file_row=top + 1, value=" / ".join(",".join(c for c in rows[r] if c)
                                                                          for r in range(top, h + 1)))
    header_cells = layout.names
    width = len(header_cells)
    while width > 1 and header_cells[width - 1] == "" and all(r[width - 1] == "" for r in rows[h + 1:]):
        width -= 1
    header = _clean_header(header_cells[:width], report, header_row)
    body = [r[:width] for r in rows[h + 1:]]
    df, blank, note = _frame_from_rows(body, width, report, header_row)
    df.columns = header
    _row_checks(df, blank, note, report, header_row, header)
    return Table(df, report, None, False, "", ",", header_row, name, ws.title,
                 extra={"header_rows": list(range(top + 1, header_row + 1))})


def read_table(source, **kwargs) -> Table:
    """Read ``.csv``/``.tsv``/``.txt`` with :func:`read_csv` and ``.xlsx``/``.xlsm`` with :func:`read_excel`."""
    suffix = Path(str(source)).suffix.lower() if isinstance(source, (str, Path)) else ".csv"
    if suffix in (".xlsx", ".xlsm"):
        return read_excel(source, **kwargs)
    if suffix in (".csv", ".tsv", ".txt", ""):
        return read_csv(source, **kwargs)
    if suffix == ".xls":
        raise OpenDataError("古いExcel形式（.xls）は読めません。Excelで .xlsx か CSV UTF-8 として保存し直してください。")
    raise OpenDataError(f"{suffix} は機械で読みやすい形式ではありません（ルール L1-01）。CSVかExcel（.xlsx）で用意してください。")
