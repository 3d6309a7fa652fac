"""Consistency inside a row: parts against their total (rule SUM-01).

A standard dataset says which columns add up (``sums`` in ``standard_datasets.yml``):
男性 + 女性 = 総人口, the age groups of each sex = 男性 / 女性, 男性トイレ数（小便器・和式・洋式）=
男性トイレ総数 … Only those are checked: 世帯数 is not a part of 総人口.

A part left blank or written as a 秘匿 mark (「-」「*」「X」「…」「秘匿」…) is not known, so its row
is checked only as 合計 ≤ 総数. A row whose total is not known is not checked.

>>> import pandas as pd
>>> from chiiki_iot.opendata.schemas import dataset
>>> df = pd.DataFrame({"地域名": ["本町", "緑町"], "総人口": ["300", "500"], "男性": ["140", "X"], "女性": ["150", "260"]})
>>> r = check_sums(df, dataset("地域・年齢別人口"))
>>> print(r.issues[0].message)
「男性」＋「女性」の合計 290 が「総人口」300 と合いません（差 -10）。内訳と総数のどちらが正しいか確かめて直してください。
>>> len(r)      # 緑町: 男性 is 秘匿 (X), 260 ≤ 500
1
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .normalize import normalize_column
from .report import Report
from .schemas import DatasetSchema, SumRule

_AGE = re.compile(r"^(?:(\d+)-(\d+)歳|(\d+)歳以上|(年齢不詳))")


def _numbers(df: pd.DataFrame, col: str) -> pd.Series:
    """The column as Int64 (already numeric after check_standard; read from text otherwise)."""
    s = df[col]
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype("Float64").round().astype("Int64")
    out, _ = normalize_column(s.astype(str).tolist(), "integer")
    return pd.to_numeric(pd.Series([v if v else None for v in out], index=df.index, dtype=object),
                         errors="coerce").astype("Int64")


def _raw(df: pd.DataFrame, col: str, i) -> str:
    v = df.at[i, f"{col}_raw"] if f"{col}_raw" in df.columns else df.at[i, col]
    return "" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v).strip()


def _age_gaps(parts: list[str]) -> str | None:
    """``None`` when the age groups run from 0 to an open 「N歳以上」 without a gap, else what is wrong (Japanese)."""
    by_rest: dict[str, list[tuple[int, float]]] = {}
    for c in parts:
        m = _AGE.match(c)
        if not m or m[4]:
            continue
        rest = c[m.end():]
        lo, hi = (int(m[1]), int(m[2])) if m[1] else (int(m[3]), float("inf"))
        by_rest.setdefault(rest, []).append((lo, hi))
    if not by_rest:
        return "年齢階級の列がありません"
    for rest, groups in by_rest.items():
        groups.sort()
        expect = 0
        for lo, hi in groups:
            if lo != expect:
                return f"{expect}歳から{lo - 1}歳の列がありません" if lo > expect else f"{lo}歳からの列が重なっています"
            expect = hi + 1
        if expect != float("inf"):
            return f"「{expect - 1}歳」より上の年齢（「{expect}歳以上」など）の列がありません"
    return None


def _fmt(n) -> str:
    return f"{int(n):,}"


def _parts_label(parts: list[str]) -> str:
    if len(parts) <= 3:
        return "＋".join(f"「{p}」" for p in parts)
    return f"「{parts[0]}」〜「{parts[-1]}」（{len(parts)}列）"


def _check_rule(df: pd.DataFrame, rule: SumRule, report: Report, skip: set, first_row: int) -> None:
    columns = [str(c) for c in df.columns]
    if rule.total not in columns or (rule.unless and all(c in columns for c in rule.unless)):
        return
    parts = [p for p in rule.part_columns(columns) if not p.endswith("_raw")]
    if not parts:
        return
    if rule.age_groups:
        gap = _age_gaps(parts)
        if gap:
            report.add("SUM-01", f"年齢階級の列が0歳から「N歳以上」までそろっていないため（{gap}）、年齢階級の合計と「{rule.total}」"
                       "が合うかは確かめていません。定義書どおり、すべての年齢階級の列をそろえてください。",
                       severity="info", column=rule.total)
            return
    total = _numbers(df, rule.total)
    values = pd.DataFrame({p: _numbers(df, p) for p in parts}, index=df.index)
    known = values.sum(axis=1, skipna=True).astype("Int64")
    unknown = values.isna()
    partial = unknown.any(axis=1)
    has_unknown_age = any(_AGE.match(p) and _AGE.match(p)[4] for p in parts)
    label = _parts_label(parts)
    # candidates: the total is known and (all parts known and sum ≠ total) or (some unknown and sum > total)
    bad = total.notna() & (((~partial) & (known != total)) | (partial & (known > total)))
    for pos in np.flatnonzero(bad.fillna(False).to_numpy(dtype=bool)):
        i = df.index[pos]
        if pos in skip:
            continue
        t, k = int(total.iloc[pos]), int(known.iloc[pos])
        where = dict(severity="error", row=i, file_row=first_row + pos, column=rule.total, value=_raw(df, rule.total, i))
        if partial.iloc[pos]:
            marks = [f"「{p}」の{('「' + _raw(df, p, i) + '」') if _raw(df, p, i) else '空欄'}"
                     for p in parts if unknown.at[i, p]]
            report.add("SUM-01", f"値のない内訳（{'、'.join(marks[:3])}{' など' if len(marks) > 3 else ''}）を除いても、"
                       f"{label}の合計 {_fmt(k)} が「{rule.total}」{_fmt(t)} を超えています。"
                       "内訳と総数のどちらが正しいか確かめて直してください。", **where)
        elif rule.age_groups and not has_unknown_age and k < t:
            where["severity"] = "warning"
            report.add("SUM-01", f"{label}の合計 {_fmt(k)} が「{rule.total}」{_fmt(t)} より {_fmt(t - k)} 少なくなっています。"
                       "年齢不詳の人がいるなら「年齢不詳の…」の列を加え、いなければ内訳と総数を確かめて直してください。", **where)
        else:
            report.add("SUM-01", f"{label}の合計 {_fmt(k)} が「{rule.total}」{_fmt(t)} と合いません（差 {k - t:+,}）。"
                       "内訳と総数のどちらが正しいか確かめて直してください。", **where)


def check_sums(df: pd.DataFrame, ds: DatasetSchema, *, skip_rows=(), first_row: int = 2) -> Report:
    """Check every ``sums`` rule of ``ds`` on ``df`` (columns already named as in the definition); return SUM-01 findings.

    ``skip_rows``: positions that are not records (blank or note rows); ``first_row``: the file's row
    number of the first data row (2 when the header is row 1). Values may be numbers (after
    :func:`~chiiki_iot.opendata.check_standard`) or text as read (``"1,200"`` is read as 1200).
    """
    report = Report()
    skip = set(skip_rows)
    for rule in ds.sums:
        _check_rule(df, rule, report, skip, first_row)
    return report


__all__ = ["check_sums"]
