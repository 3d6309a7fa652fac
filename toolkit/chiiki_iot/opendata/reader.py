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

from .encoding import Decoded, decode_bytes, encoding_report
from .report import Report


class OpenDataError(ValueError):
    """A file the toolkit cannot read at all; the message is Japanese and says what to do."""


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
    return path.read_bytes(), str(path)


def _sniff_sep(text: str) -> str:
    for line in text[:65536].splitlines()[:20]:
        if line.strip():
            return "\t" if line.count("\t") > line.count(",") else ","
    return ","


@dataclass
class _Scan:
    newline: str            # "\r\n", "\n", "mixed" or "" over every record end
    starts: np.ndarray      # byte offset where each record starts
    ends: np.ndarray        # byte offset where each record ends (line break excluded)
    fields: np.ndarray      # number of fields in each record
    first_sep: np.ndarray   # byte offset of the first separator (or end)


def _scan(buf: bytes, sep: str) -> _Scan:
    """Records and field counts of a UTF-8 CSV buffer, quotes respected (numpy, no Python loop)."""
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
    newline = "" if not len(ended) else "\r\n" if ended.all() else "\n" if not ended.any() else "mixed"
    return _Scan(newline, starts, ends, fields, first)


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
        again = np.flatnonzero((df.iloc[:, 0] == header[0]).to_numpy() & (df.iloc[:, 1] == header[1]).to_numpy())
        for i in again:
            report.add("L1-02", "表の途中に項目名と同じ行があります。複数の表がつながっていないか確かめてください。",
                       severity="warning", row=i, file_row=header_row + 1 + i, value=df.iat[i, 0])
    for col in df.columns:
        if len(df) and header and col.startswith("列") and (df[col] == "").all():
            report.add("L1-03", f"列「{col}」は項目名も値も空です。空白列は削除してください。", severity="warning", column=col)


def _frame_from_rows(rows: list[list[str]], width: int, report: Report, header_row: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Slow exact path: pad short rows, keep extra fields in extra columns, report both."""
    extra = max((len(r) for r in rows), default=width) - width
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
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if (encoding or "utf-8").lower() in ("utf-8", "utf8", "utf-8-sig") and not utf16 and b"\x00" not in data:
        bom = data.startswith(codecs.BOM_UTF8)
        try:
            return _parse(data[3:] if bom else data, name, "utf-8", bom, sep, encoding_report("utf-8", bom))
        except UnicodeDecodeError:
            pass
    decoded: Decoded = decode_bytes(data, encoding)
    text = decoded.text.replace("\r", "\n") if decoded.newline == "\r" else decoded.text
    table = _parse(text.encode("utf-8"), name, decoded.encoding, decoded.bom, sep, Report(decoded.report))
    if decoded.newline == "\r":
        table.newline = "\r"
    return table


def _parse(buf: bytes, name: str, encoding: str, bom: bool, sep: str | None, report: Report) -> Table:
    """Parse UTF-8 ``buf``; raises UnicodeDecodeError if ``buf`` is not UTF-8 after all."""
    sep = sep or _sniff_sep(buf[:65536].decode("utf-8", errors="ignore"))
    scan = _scan(buf, sep)
    n = len(scan.starts)
    if n == 0:
        report.add("L3-01", "ファイルが空です。", severity="error")
        return Table(pd.DataFrame(), report, encoding, bom, "", sep, 1, name)

    width_mode = int(np.bincount(scan.fields).argmax())
    head_end = int(scan.ends[min(n, 30) - 1])
    head_rows = list(csv.reader(io.StringIO(buf[:head_end].decode("utf-8")), delimiter=sep))
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
    else:
        rows = list(csv.reader(io.StringIO(buf[int(scan.starts[h]):].decode("utf-8")), delimiter=sep))[1:]
        df, blank, note = _frame_from_rows(rows, width, report, header_row)
        extra_names = [f"列{i + 1}" for i in range(width, df.shape[1])]
        if extra_names:
            report.add("L1-15", f"項目名のない値を列 {', '.join(extra_names)} に入れました。", severity="error",
                       column=extra_names[0])
        df.columns = header + extra_names
    _row_checks(df, blank, note, report, header_row, list(df.columns))
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
    """
    import openpyxl

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
        report.add("L1-12", f"セル {rng.coord} が結合されています。結合を解除し、同じ値を各セルに入力してください。",
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
    counts = [sum(1 for c in r if c) for r in rows]
    h = _header_index(rows[:30], max(counts))
    header_row = h + 1
    for j in range(h):
        report.add("L3-01", "項目名の前にある行です（表題や空白行）。項目名を1行目にしてください。データとしては読んでいません。",
                   severity="warning", file_row=j + 1, value=",".join(c for c in rows[j] if c) or "（空白行）")
    if h:
        report.add("L3-01", f"1行目から項目名が始まっていません。{header_row}行目を項目名として読みました。", severity="warning",
                   file_row=header_row)
    header_cells = rows[h]
    width = len(header_cells)
    while width > 1 and header_cells[width - 1] == "" and all(r[width - 1] == "" for r in rows[h + 1:]):
        width -= 1
    header = _clean_header(header_cells[:width], report, header_row)
    body = [r[:width] for r in rows[h + 1:]]
    df, blank, note = _frame_from_rows(body, width, report, header_row)
    df.columns = header
    _row_checks(df, blank, note, report, header_row, header)
    return Table(df, report, None, False, "", ",", header_row, name, ws.title)


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
