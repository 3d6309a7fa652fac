"""Check a file against a 自治体標準オープンデータセット schema: headers, values, rules.

:func:`check_standard` reads (if given a path), maps old/new headers, normalises
every known column (keeping the original in ``<列>_raw`` wherever a value
changed, or its text did: ``139.90`` becomes the number 139.9), validates with
pandera, compares parts with totals (SUM-01), and returns one report that names
row, column, rule and reason for every problem. No row is ever dropped.
It checks the dataset's schema and values; the file-level machine-readability
rules (L1-08 機種依存文字, L2-04 choice variants, L2-02 omitted repeats …) are
:func:`~chiiki_iot.opendata.check_readability`'s.

>>> csv = "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,設置位置\\n92011,1,栃木県,宇都宮市,市役所,1階\\n"
>>> checked = check_standard(csv.encode("cp932"), "AED")
>>> checked.df.loc[0, "全国地方公共団体コード"], checked.df.loc[0, "全国地方公共団体コード_raw"]
('092011', '92011')
>>> "L3-06" in checked.report.rules()
True
"""
from __future__ import annotations

from dataclasses import dataclass
import numpy as np
import pandas as pd

from . import lgcode
from .consistency import check_sums
from .normalize import KINDS, _column_regexes, normalize_column
from .reader import Table, read_csv, read_table
from .report import Report
from .schemas import DatasetSchema, combined_columns, dataset as get_dataset, detect, header_key, match_columns, \
    pandera_schema


@dataclass
class Checked:
    """Result of :func:`check_standard`."""

    df: pd.DataFrame
    report: Report
    dataset: DatasetSchema | None

    @property
    def ok(self) -> bool:
        return self.report.ok

    def __repr__(self) -> str:
        name = self.dataset.name if self.dataset else "（データセット不明）"
        return f"<Checked {name}: {len(self.df)}行。{self.report.summary()}>"


def _as_table(data) -> Table:
    if isinstance(data, Table):
        return data
    if isinstance(data, pd.DataFrame):
        df = data.copy()
        for c in df.columns:
            if df[c].dtype != "str":
                df[c] = df[c].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA
                                  else str(v)).astype("str")
            elif df[c].hasnans:  # a text column with None / NaN in it: an empty cell, as in a file
                df[c] = df[c].fillna("")
        df.columns = [str(c) for c in df.columns]
        return Table(df.reset_index(drop=True), Report())
    if isinstance(data, (bytes, bytearray)):
        return read_csv(data)
    return read_table(data)


def _copy_on_write() -> bool:
    """pandas ≥ 3 always copies on write (2.x only with ``mode.copy_on_write`` set to True)."""
    try:
        return int(pd.__version__.split(".")[0]) >= 3 or pd.get_option("mode.copy_on_write") is True
    except (ValueError, KeyError, pd.errors.OptionError):
        return False


_COPY_ON_WRITE = _copy_on_write()

_CANONICAL = {"Int64": r"-?(?:0|[1-9]\d*)", "Float64": r"-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?"}


def _numbers_keep_text(values: list, dtype: str) -> bool:
    """True when every value reads back as written once it is a number (no 139.90, 007, 1.0): no ``_raw`` needed.

    One regex pass over the joined column (normalised numbers hold no line breaks; ``None`` is blank).
    """
    whole = _column_regexes(_CANONICAL[dtype])[0]
    try:
        joined = "\n".join(values)
    except TypeError:                       # a missing value (None) among them
        joined = "\n".join([v or "" for v in values])
    return whole.fullmatch(joined) is not None


def _number_array(values: list, dtype: str):
    """Normal number texts (blank or ``None``: missing) as a ``Float64``/``Int64`` array.

    The same conversion as ``pd.Series(values, dtype="str").mask(lambda s: s == "").astype(dtype)``
    (numpy reads each text; missing cells hold 0 under the mask), without the string-array round trips.
    """
    arr = np.array(values, dtype=object)
    if arr.ndim != 1 or dtype not in ("Int64", "Float64"):      # never for normalised values: pandas' own path
        s = pd.Series(values, dtype="str")
        return s.mask(s == "").astype(dtype).array
    mask = ~arr.astype(bool)                # "" and None
    if dtype == "Int64":
        arr[mask] = 0
        return pd.arrays.IntegerArray(arr.astype(np.int64), mask)
    arr[mask] = "0"
    return pd.arrays.FloatingArray(arr.astype(np.float64), mask)


def _duplicate_message(v: str, df, index, header_row: int) -> str:
    same = df["ID"].astype(str) == str(df.at[index, "ID"])
    code = None
    if "全国地方公共団体コード" in df.columns:
        code = df.at[index, "全国地方公共団体コード"]
        same &= df["全国地方公共団体コード"].astype(str) == str(code)
    others = [header_row + 1 + df.index.get_loc(j) for j in df.index[same.to_numpy()] if j != index]
    rows = "・".join(str(r) for r in others[:5]) + ("行目など" if len(others) > 5 else "行目")
    if code is not None:
        return (f"ID「{v}」が、同じ全国地方公共団体コード（{code or '空欄'}）の{rows}と重複しています。"
                "同じ団体の中では1件ごとに違うIDにしてください（別の団体のIDとは重なってもかまいません）。")
    return f"ID「{v}」が{rows}と重複しています。1件ごとに違うIDにしてください。"


def _messages(rule: str, column: str, value, spec, df, index, header_row: int = 0) -> str:
    v = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    if rule == "STD-03":
        return f"必須項目「{column}」が空欄です。値を入力してください。"
    if rule == "STD-05":
        return _duplicate_message(v, df, index, header_row)
    if rule == "STD-08":
        lo, hi = spec.range
        return f"{v} は日本の範囲（{lo}〜{hi}）の外です。緯度と経度が入れ替わっていないか、度分秒のままでないか確かめてください。"
    if rule == "STD-07":
        code = df.at[index, "全国地方公共団体コード"]
        name = df.at[index, "地方公共団体名"]
        return (f"全国地方公共団体コード {code}（{lgcode.prefecture_of(str(code))}）と地方公共団体名「{name}」の都道府県が合いません。"
                "どちらが正しいか確かめてください。")
    if rule == "L3-06" and spec is not None and spec.kind == "lgcode":
        return lgcode.repair_lgcode(v).message or f"「{v}」は全国地方公共団体コードとして正しくありません。"
    desc = KINDS[spec.kind].description if spec is not None else ""
    return f"「{v}」は「{desc}」の形ではありません。定義書の形式に合わせてください。"


def check_standard(data, dataset: str | DatasetSchema | None = None) -> Checked:
    """Read (path, bytes, :class:`Table` or DataFrame), normalise and validate against a standard dataset.

    ``dataset`` is a name (``"AED設置箇所一覧"``, ``"AED"``, ``"08"``) or ``None`` to recognise it from the headers.

    This is the schema-and-values check: headers against the definition (STD-01, STD-02, STD-06),
    every defined column normalised to its kind (codes L3-06, dates L3-05, numbers L2-01, the
    defined choices 有・無 / 1・空欄 L2-04, …; originals kept in ``<列>_raw``) and validated
    (STD-03 … STD-08), and parts are compared with their totals where the definition makes
    them add up (SUM-01: 男性 + 女性 = 総人口, age groups, トイレの内訳; a 秘匿 mark or blank in a
    part makes it 合計 ≤ 総数). The dataset used is noted as STD-00; an ID must be unique within
    its 全国地方公共団体コード (STD-05). The reader's findings (encoding, title rows, blank and
    note rows …) come first.

    :func:`~chiiki_iot.opendata.check_readability` is the other half: the file-level
    machine-readability rules for any file. 機種依存文字 (L1-08), choices written in several
    ways in other columns (L2-04) and values left out because they repeat the row above
    (L2-02) are reported there, not here; combine both reports to report every flaw
    (course module 04). A flaw both can see has one rule ID in both.
    """
    table = _as_table(data)
    df = table.df.copy(deep=not _COPY_ON_WRITE)     # with copy-on-write a shallow copy is already independent
    report = Report(table.report)
    header_row = table.header_row
    # blank rows and note rows are kept and already reported by the reader: their cells are not data
    not_data = table.non_data_rows()

    if isinstance(dataset, DatasetSchema):
        ds = dataset
    elif dataset is not None:
        ds = get_dataset(dataset)
    else:
        ds = detect(df.columns)
        if ds is None:
            report.add("STD-00", "項目名から、どの自治体標準オープンデータセットか判定できませんでした。"
                       "check_standard(…, dataset=\"AED設置箇所一覧\") のように指定してください。", severity="error")
            return Checked(df, report, None)
        report.add("STD-00", f"項目名から「{ds.name}」（No.{ds.number}）として確認します。違うときは "
                   f"check_standard(…, dataset=\"…\") で指定してください。", severity="info")

    # -- headers: combine old columns, then rename aliases and spellings
    keys = {header_key(c): c for c in df.columns}
    for new, olds in combined_columns().items():
        present = [keys.get(header_key(o)) for o in olds]
        if new in ds.columns and all(present) and not any(v[0] == new for v in match_columns(df.columns, ds).values()):
            pos = list(df.columns).index(present[0])
            first, *rest = [df[c].fillna("").astype(str) for c in present]
            df.insert(pos, new, first.str.cat(rest))
            report.add("STD-02", f"旧形式の「{'」と「'.join(present)}」をつないで「{new}」を作りました（元の列も残しています）。",
                       severity="info", column=new)
    mapping = match_columns(df.columns, ds)
    renames = {}
    for col, (field_name, how) in mapping.items():
        if how == "alias":
            report.add("STD-02", f"旧形式などの項目名「{col}」を「{field_name}」として読みました。", severity="info",
                       column=field_name, value=col)
        elif how == "spelling":
            report.add("STD-02", f"項目名「{col}」を「{field_name}」として読みました（表記のゆれ）。", severity="info",
                       column=field_name, value=col)
        if how:
            renames[col] = field_name
    df = df.rename(columns=renames)
    known = {v[0] for v in mapping.values()}
    combined_from = {c for olds in combined_columns().values() for c in olds}
    for col in df.columns:
        if col not in known and col not in combined_columns() and header_key(col) not in {header_key(c) for c in combined_from}:
            report.add("STD-06", f"項目「{col}」は「{ds.name}」の定義にありません。独自の項目なら意味をメタデータに書いてください。",
                       severity="info", column=col)
    for name in ds.required:
        if name not in df.columns:
            report.add("STD-01", f"必須項目「{name}」の列がありません。列を追加してください。", severity="error", column=name)

    # -- values
    errors_at: set[tuple[int, str]] = set()
    for col in [c for c in list(df.columns) if c in known or c in combined_columns()]:
        spec = ds.field(col)
        if spec is None:
            continue
        original = df[col].astype(str).tolist()
        out, notes = normalize_column(original, spec.kind)
        kind = KINDS[spec.kind]
        for i, ns in notes.items():
            if i in not_data:
                if kind.dtype is None:
                    out[i] = original[i]          # a note stays as written (the reader reported it)
                continue
            for rule, severity, message in ns:
                report.add(rule, message, severity=severity, row=i, file_row=header_row + 1 + i, column=col,
                           value=original[i], fixed=out[i] if severity == "fixed" else None)
                if severity == "error":
                    errors_at.add((i, col))
        changed = any(out[i] != original[i] for i in notes)
        if not changed and kind.dtype:
            # a number whose text the number type does not keep (139.90 → 139.9, 007 → 7): keep the original
            changed = not _numbers_keep_text(out, kind.dtype)
        if changed or kind.dtype:
            if changed:
                df.insert(list(df.columns).index(col) + 1, f"{col}_raw", df[col].astype(str))
            if kind.dtype:                      # values are normal numbers or blank/missing by now
                df[col] = pd.Series(_number_array(out, kind.dtype), index=df.index)
            else:
                df[col] = pd.Series(out, index=df.index, dtype="str")

    # -- pandera
    import pandera.pandas as pa

    checked_cols = [c for c in df.columns if c in known or (ds.field(c) is not None and not c.endswith("_raw"))]
    schema = pandera_schema(ds, checked_cols, formats=False)
    try:
        schema.validate(df[checked_cols], lazy=True, inplace=True)   # df[...] is already a new frame
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        seen_frame_rows: set[int] = set()
        for rec in fc.itertuples(index=False):
            rule, column, idx = rec.check, rec.column, rec.index
            if rule == "STD-05" and column != "ID":        # the per-code check fails on every column of the row
                continue
            if rule not in ("STD-03", "STD-04", "STD-05", "STD-07", "STD-08", "L3-05", "L3-06", "L2-04", "L2-01"):
                report.add("STD-04", f"検証で想定外の結果がありました（{rule}）。", severity="error", column=column)
                continue
            if idx is None or (isinstance(idx, float) and np.isnan(idx)):
                continue
            i = int(idx)
            if rule == "STD-07":
                if i in seen_frame_rows:
                    continue
                seen_frame_rows.add(i)
                column = "地方公共団体名"
            if (i, column) in errors_at or i in not_data:
                continue
            spec = ds.field(column)
            value = df.at[i, f"{column}_raw"] if f"{column}_raw" in df.columns else df.at[i, column]
            report.add(rule, _messages(rule, column, rec.failure_case, spec, df, i, header_row), severity="error", row=i,
                       file_row=header_row + 1 + i, column=column, value=value)
            errors_at.add((i, column))

    # -- parts against totals (男性 + 女性 = 総人口 …), where the definition says they add up
    report.extend(check_sums(df, ds, skip_rows=not_data, first_row=header_row + 1))
    lgcode.check_existence(df, report, header_row=header_row, skip_rows=not_data)  # issue 16: codes that exist (CODE-01/02, lgcode.py)
    return Checked(df, report, ds)
