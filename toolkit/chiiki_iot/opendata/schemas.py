"""Schemas of the 自治体標準オープンデータセット used in the course.

Definitions live in ``standard_datasets.yml`` (package data; read its header for
sources and limits). This module loads them, matches real headers to fields
(old ↔ new names, notes such as （必須）, full-width brackets), recognises which
dataset a file is, and builds a `pandera <https://pandera.readthedocs.io>`_
schema for validation.

>>> ds = dataset("AED")
>>> ds.name, ds.number
('AED設置箇所一覧', '08')
>>> header_key("名称（必須）") == header_key("名称")
True
>>> detect(["都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称", "設置位置"]).name
'AED設置箇所一覧'
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .normalize import KINDS


@dataclass(frozen=True)
class FieldSpec:
    """One column of a standard dataset."""

    name: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    range: tuple[float, float] | None = None

    @property
    def description(self) -> str:
        return KINDS[self.kind].description


@dataclass(frozen=True)
class SumRule:
    """Parts that add up to a total in a standard dataset (rule SUM-01), e.g. 男性 + 女性 = 総人口.

    The parts are the columns ``parts`` or every column matching ``parts_regex``. ``age_groups``:
    the parts are age groups, checked only when they run from 0歳 to an open 「N歳以上」 group without
    a gap. ``unless``: the rule is skipped when all these columns are present (another rule covers it).
    """

    total: str
    parts: tuple[str, ...] = ()
    parts_regex: str = ""
    age_groups: bool = False
    unless: tuple[str, ...] = ()

    def part_columns(self, columns) -> list[str]:
        """The part columns among ``columns`` (``[]`` if a named part is missing: nothing to check)."""
        columns = [str(c) for c in columns]
        if self.parts_regex:
            return [c for c in columns if re.match(self.parts_regex, c)]
        return list(self.parts) if all(p in columns for p in self.parts) else []


@dataclass(frozen=True)
class DatasetSchema:
    """A standard dataset: its name, numbers (new and old numbering) and fields in order."""

    name: str
    number: str
    old_number: str
    fields: tuple[FieldSpec, ...]
    patterns: tuple[tuple[str, str], ...] = ()      # (regex, kind) for families of columns
    sums: tuple[SumRule, ...] = ()                   # parts that add up to a total (SUM-01)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def field(self, name: str) -> FieldSpec | None:
        for f in self.fields:
            if f.name == name:
                return f
        for rx, kind in self.patterns:
            if re.match(rx, name):
                return FieldSpec(name, kind)
        return None

    def to_frame(self):
        """The definition as a table (項目名, 種類, 必須, 別名) for a notebook."""
        import pandas as pd

        return pd.DataFrame([{"項目名": f.name, "形式": f.description, "必須": "◎" if f.required else "",
                              "旧形式などの別名": "、".join(f.aliases)} for f in self.fields])

    def __repr__(self) -> str:
        return f"<DatasetSchema No.{self.number} {self.name}: {len(self.fields)}項目（必須 {', '.join(self.required)}）>"


_NOTE = re.compile(r"[(（](必須|任意|推奨|半角|全角|[^)）]*入力[^)）]*)[)）]|[※◎○*]")


def header_key(name: str) -> str:
    """Key for matching headers: NFKC, no spaces, no notes like （必須）, ◎ or ※, lower case."""
    text = unicodedata.normalize("NFKC", str(name))
    text = _NOTE.sub("", text)
    return re.sub(r"[\s\u3000]+", "", text).lower()


@lru_cache(maxsize=1)
def _load() -> tuple[dict, dict[str, DatasetSchema]]:
    data = yaml.safe_load((Path(__file__).parent / "standard_datasets.yml").read_text(encoding="utf-8"))
    specs = data["fields"]
    out: dict[str, DatasetSchema] = {}
    for d in data["datasets"]:
        fields = tuple(
            FieldSpec(name, specs[name]["kind"], name in d["required"], tuple(specs[name].get("aliases", ())),
                      tuple(specs[name]["range"]) if "range" in specs[name] else None)
            for name in d["fields"])
        pats = tuple((p["regex"], p["kind"]) for p in d.get("patterns", ()))
        sums = tuple(SumRule(s["total"], tuple(s.get("parts", ())), s.get("parts_regex", ""), bool(s.get("age_groups")),
                             tuple(s.get("unless", ()))) for s in d.get("sums", ()))
        out[d["name"]] = DatasetSchema(d["name"], d["number"], d["old_number"], fields, pats, sums)
    return data.get("combine", {}), out


def datasets() -> list[DatasetSchema]:
    """Every standard dataset the toolkit knows."""
    return list(_load()[1].values())


def dataset(name: str) -> DatasetSchema:
    """A dataset by name, part of a name (``"AED"``), or new number (``"08"``)."""
    all_ = _load()[1]
    if name in all_:
        return all_[name]
    hits = [d for d in all_.values() if name == d.number or header_key(name) in header_key(d.name)]
    if len(hits) == 1:
        return hits[0]
    raise KeyError(f"データセット「{name}」はありません。使えるもの: {'、'.join(all_)}")


def combined_columns() -> dict[str, list[str]]:
    """Old-format column groups that make one new column (都道府県名 + 市区町村名 → 地方公共団体名)."""
    return _load()[0]


def match_columns(columns, ds: DatasetSchema) -> dict[str, tuple[str, str]]:
    """Map each given header to ``(field name, how)``; ``how`` is ``""`` (exact), ``"alias"`` or ``"spelling"``."""
    keys: dict[str, tuple[str, str]] = {}
    for f in ds.fields:
        keys.setdefault(header_key(f.name), (f.name, "spelling"))
        for a in f.aliases:
            keys.setdefault(header_key(a), (f.name, "alias"))
    out: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()
    for col in columns:
        if col in ds.columns and col not in taken:
            out[col] = (col, "")
            taken.add(col)
    for col in columns:
        if col in out:
            continue
        hit = keys.get(header_key(col))
        if hit and hit[0] not in taken:
            out[col] = hit
            taken.add(hit[0])
        elif not hit:
            spec = ds.field(col)
            if spec is not None:
                out[col] = (col, "")
    return out


def detect(columns) -> DatasetSchema | None:
    """The dataset whose fields best match ``columns`` (``None`` if fewer than 3 fields match).

    Fields shared by most datasets (the common head, address, latitude …) count
    less than fields specific to one dataset.
    """
    all_ = datasets()
    freq: dict[str, int] = {}
    for d in all_:
        for f in d.columns:
            freq[f] = freq.get(f, 0) + 1
    best, best_score, best_hits = None, 0.0, 0
    for d in all_:
        hits = match_columns(columns, d)
        names = {v[0] for v in hits.values()}
        score = sum(1.0 / freq.get(n, 1) for n in names)
        if score > best_score:
            best, best_score, best_hits = d, score, len(names)
    return best if best_hits >= 3 else None


# -- pandera -----------------------------------------------------------------------------

def _fullmatch_mask(series, pattern: str):
    """Boolean Series: value blank/missing or fully matching ``pattern`` (fast on big columns)."""
    import numpy as np
    import pandas as pd

    from .normalize import suspect_rows

    na = series.isna().to_numpy()
    values = series.astype(str).to_numpy(dtype=object)
    values[na] = ""
    ok = np.ones(len(values), dtype=bool)
    bad = suspect_rows(list(values), pattern)
    ok[bad] = False
    return pd.Series(ok, index=series.index)


def _is_missing(v) -> bool:
    """True for what ``fillna`` fills: ``None``, NaN, ``pd.NA``, ``NaT``."""
    import pandas as pd

    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def _per_value(series, fn):
    """``series.fillna("").map(fn)`` as an object array, computing ``fn`` once per distinct value.

    Columns of a standard dataset repeat a lot (one 全国地方公共団体コード, a few names): a set of the
    values and a dict lookup are several times faster than ``pd.factorize`` on Python strings, and
    a column holding a single value is one call to ``fn``.
    """
    import numpy as np

    values = series.tolist()
    out = np.empty(len(values), dtype=object)
    try:
        distinct = set(values)
    except TypeError:                                  # unhashable cells: one call per cell
        out[:] = [fn("" if _is_missing(v) else v) for v in values]
        return out
    table = {v: fn("" if _is_missing(v) else v) for v in distinct}
    if len(table) == 1:
        out.fill(next(iter(table.values())))
    elif table:
        out[:] = [table[v] for v in values]
    return out


def _valid_codes(s):
    """Bool Series (rule L3-06): blank/missing or a valid 全国地方公共団体コード, each distinct code checked once."""
    import pandas as pd

    from . import lgcode

    return pd.Series(_per_value(s, lambda v: v == "" or lgcode.is_valid(v)).astype(bool), index=s.index)


def _present(s):
    """``s.notna() & (s != "")`` as a bool Series (rule STD-03), fast on a column of strings."""
    import numpy as np
    import pandas as pd

    if s.dtype == "str":
        values = s.to_numpy(dtype=object)               # strings and NaN (the str dtype's missing value)
        try:
            ok = (values == values) & (values != "")    # NaN is the one value unequal to itself
        except (TypeError, ValueError):
            ok = None
        if isinstance(ok, np.ndarray) and ok.dtype == bool and ok.shape == (len(s),):
            return pd.Series(ok, index=s.index)
    return s.notna() & (s != "")


def pandera_schema(ds: DatasetSchema, columns=None, formats: bool = True):
    """A ``pandera.pandas.DataFrameSchema`` for ``ds`` (only for ``columns`` if given).

    ``formats=False`` leaves out the per-kind format checks; :func:`check_standard`
    uses that because its normalisation has already checked (and reported) every
    value's format.

    Checks are named by rule ID, so a failure maps to a report entry:
    ``STD-03`` required value, ``STD-04``/``L3-05``/``L3-06``/``L2-04`` format,
    ``STD-05`` unique ID (per 全国地方公共団体コード when the file has that column; 町字ID is not
    unique: many places share a 町字), ``STD-08`` coordinates inside Japan, ``STD-07``
    prefecture of the code vs 地方公共団体名.
    """
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa

    from . import lgcode

    columns = list(columns) if columns is not None else ds.columns
    format_rule = {"lgcode": "L3-06", "date": "L3-05", "flag": "L2-04", "flag01": "L2-04", "integer": "L2-01",
                   "number": "L2-01"}
    cols = {}
    for name in columns:
        spec = ds.field(name)
        if spec is None:
            continue
        kind = KINDS[spec.kind]
        checks = []
        if spec.required:
            checks.append(pa.Check(_present, name="STD-03", ignore_na=False))
        if kind.dtype is None and formats:
            checks.append(pa.Check(lambda s, p=kind.pattern: _fullmatch_mask(s, p), name=format_rule.get(spec.kind, "STD-04"),
                                   ignore_na=False))
        if spec.kind == "lgcode":
            checks.append(pa.Check(_valid_codes, name="L3-06", ignore_na=False))
        if name == "ID" and "全国地方公共団体コード" not in columns:     # with the code: a frame check below
            checks.append(pa.Check(lambda s: ~(s.duplicated(keep=False) & (s != "") & s.notna()), name="STD-05",
                                   ignore_na=False))
        if spec.range:
            lo, hi = spec.range
            checks.append(pa.Check(lambda s, lo=lo, hi=hi: s.isna() | ((s >= lo) & (s <= hi)), name="STD-08",
                                   ignore_na=False))
        if checks or kind.dtype:
            cols[name] = pa.Column(kind.dtype, checks=checks, nullable=True, required=False, coerce=False)
    frame_checks = []
    if "ID" in columns and "全国地方公共団体コード" in columns and ds.field("ID") is not None:
        # the definition: an ID is unique within its publisher (全国地方公共団体コード), so a prefecture-wide
        # file in which every town numbers from 1 is fine; only the same ID under the same code is a duplicate
        def unique_per_code(df):
            if df["ID"].dtype == "str":
                values = df["ID"].tolist()
                if len(set(values)) == len(values):       # every ID distinct (the usual case): no duplicate at all
                    return pd.Series(True, index=df.index)
            ids = df["ID"].fillna("").astype(str)
            codes = df["全国地方公共団体コード"].fillna("").astype(str)
            dup = pd.DataFrame({"c": codes, "i": ids}).duplicated(keep=False)
            return ~(dup & (ids != ""))
        frame_checks.append(pa.Check(unique_per_code, name="STD-05", ignore_na=False))
    if "全国地方公共団体コード" in columns and "地方公共団体名" in columns:
        prefs = "|".join(lgcode.PREFECTURES.values())

        def same_prefecture(df):
            pref = _per_value(df["全国地方公共団体コード"], lambda v: lgcode.PREFECTURES.get(str(v)[:2], ""))
            written = _per_value(df["地方公共団体名"], lambda v: (re.match(f"^({prefs})", str(v)) or [None, ""])[1])
            ok = (pref == "") | (written == "") | (written == pref)
            return pd.Series(np.asarray(ok, dtype=bool), index=df.index)
        frame_checks.append(pa.Check(same_prefecture, name="STD-07", ignore_na=False))
    return pa.DataFrameSchema(cols, checks=frame_checks, name=ds.name)
