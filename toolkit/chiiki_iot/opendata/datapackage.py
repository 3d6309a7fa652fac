"""Frictionless Data Package (``datapackage.json``) beside a published CSV, for portals that read it.

:func:`~chiiki_iot.opendata.publish` writes it with ``datapackage=True``; this module
builds the descriptor (the table schema: field names and types, the CSV dialect, the
encoding and whether there is a BOM, title, licence, publisher) and checks the package
with the ``frictionless`` library. Problems are reported as rule PUB-01 in Japanese.

>>> import pandas as pd
>>> d = resource_descriptor(pd.DataFrame({"全国地方公共団体コード": ["092011"], "定員": [50]}), "spots.csv")
>>> [(f["name"], f["type"]) for f in d["schema"]["fields"]]
[('全国地方公共団体コード', 'string'), ('定員', 'integer')]
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .reader import OpenDataError
from .report import Report

FILENAME = "datapackage.json"

#: Data Package ``licenses`` entries for :data:`~chiiki_iot.opendata.publish.LICENSES`
#: (``name`` is an Open Definition licence ID; PDL1.0 has none, so ``other-at`` = other, attribution).
LICENSE_ENTRIES = {
    "CC BY 4.0": {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                  "title": "Creative Commons Attribution 4.0"},
    "CC BY 2.1 JP": {"name": "CC-BY-2.1-JP", "path": "https://creativecommons.org/licenses/by/2.1/jp/",
                     "title": "Creative Commons Attribution 2.1 Japan"},
    "CC0 1.0": {"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/",
                "title": "CC0 1.0 Universal"},
    "PDL1.0": {"name": "other-at", "title": "公共データ利用規約（第1.0版）"},
}

#: encodings as Python (and so frictionless) reads them
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "cp932": "cp932", "shift_jis": "cp932"}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _slug(text: str, default: str) -> str:
    """A Data Package ``name``: lower-case ASCII letters, digits, ``-``, ``_``, ``.``."""
    s = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return s or default


def field_type(series: pd.Series, name: str = "") -> str:
    """Table Schema type of one output column (codes and IDs stay ``string`` to keep leading zeros)."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series) or (name in ("緯度", "経度") and _all_numbers(series)):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date" if (series.dropna().dt.normalize() == series.dropna()).all() else "datetime"
    values = [str(v) for v in series.dropna() if str(v) != ""]
    if values and all(_ISO_DATE.match(v) for v in values):
        return "date"
    return "string"


def _all_numbers(series: pd.Series) -> bool:
    values = [str(v) for v in series.dropna() if str(v) != ""]
    return bool(values) and pd.to_numeric(pd.Series(values), errors="coerce").notna().all()


def resource_descriptor(out: pd.DataFrame, csv_name: str, *, encoding: str = "utf-8", bom: bool = True,
                        title: str = "", description: str = "") -> dict:
    """The ``resources`` entry for a CSV written from ``out`` by :func:`~chiiki_iot.opendata.write_csv`."""
    fields = [{"name": str(c), "type": field_type(out[c], str(c))} for c in out.columns]
    d = {
        "name": _slug(Path(csv_name).stem, "data"),
        "path": csv_name,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": ENCODINGS.get(encoding.lower(), encoding),
        "bom": bool(bom and encoding.lower().startswith("utf")),
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True,
                    "header": True},
        "schema": {"fields": fields, "missingValues": [""]},
    }
    if title:
        d["title"] = title
    if description:
        d["description"] = description
    return d


def write_datapackage(csv_path: Path, resource: dict, *, title: str, publisher: str, license: str,
                      source: str = "", updated: str = "") -> Path:
    """Write (or update) ``datapackage.json`` beside ``csv_path`` with ``resource`` in it.

    Other CSVs already described in the same folder's ``datapackage.json`` are kept;
    an entry for the same file is replaced.
    """
    path = Path(csv_path).with_name(FILENAME)
    package: dict = {}
    if path.exists():
        try:
            package = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise OpenDataError(f"{path} は JSON として読めません（{e}）。ファイルを直すか削除してから、もう一度書き出してください。") from None
    resources = [r for r in package.get("resources", []) if r.get("path") != resource["path"]]
    names = {r.get("name") for r in resources}
    base, n = resource["name"], 2
    while resource["name"] in names:
        resource = {**resource, "name": f"{base}-{n}"}
        n += 1
    resources.append(resource)
    package.setdefault("name", _slug(Path(csv_path).parent.name, "dataset"))
    package.setdefault("title", title)
    package["profile"] = "tabular-data-package"
    package["licenses"] = [LICENSE_ENTRIES[license]]
    package["contributors"] = [{"title": publisher, "role": "publisher"}]
    if source:
        package["sources"] = [{"title": source}]
    if updated:
        package["updated"] = updated          # the date the data was last updated (as in .meta.yml)
    package["resources"] = resources
    path.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _message(e, where: str) -> tuple[str, dict]:
    t = e.type
    row, field, cell = getattr(e, "row_number", None), getattr(e, "field_name", None), getattr(e, "cell", None)
    at = {"file_row": row, "column": field, "value": cell}
    if t in ("type-error", "constraint-error"):
        m = re.search(r'type is "([a-z]+)', str(getattr(e, "note", "")))
        ftype = m.group(1) if m else "定義"
        return (f"{where}の{row}行目・列「{field}」の値「{cell}」は、datapackage.json の型（{ftype}）として読めません。"
                "値を直すか、その列の type を string にしてください。"), at
    if t in ("missing-label", "extra-label", "incorrect-label", "blank-label", "duplicate-label"):
        label = getattr(e, "label", "") or ""
        got = f"CSV は「{label}」" if label else "CSV にその列がありません"
        want = f"fields は「{field}」" if field else "fields にその列がありません"
        return (f"{where}の項目名（1行目）が datapackage.json の fields と合いません（{got}、{want}）。"
                "CSV の項目名か fields の name を同じにしてください。"), {"file_row": 1, "column": label or field or None}
    if t in ("missing-cell", "extra-cell"):
        return (f"{where}の{row}行目の項目の数が fields の数と合いません。"
                "区切りのカンマや、セルの中の改行を確かめてください。"), at
    if t == "encoding-error":
        return (f"{where}を datapackage.json の encoding で読めません。encoding を実際の文字コード"
                "（utf-8 か cp932）にしてください。"), {}
    if t in ("scheme-error", "source-error", "format-error"):
        return f"{where}を開けません（{t}）。path のファイル名と場所を確かめてください。", {}
    note = str(getattr(e, "note", "") or "")[:120]
    return (f"datapackage.json の書き方に誤りがあります（{t}: {note}）。"
            "publish(…, datapackage=True) で書き出し直すか、その箇所を直してください。"), {}


def check_datapackage(path) -> Report:
    """Validate a ``datapackage.json`` (descriptor and every CSV it lists) with ``frictionless``.

    Every problem is a PUB-01 finding naming the file, the row and the column.
    An empty report means the package is valid.
    """
    path = Path(path)
    report = Report()
    if not path.exists():
        raise OpenDataError(f"{path} がありません。publish(…, datapackage=True) で書き出してください。")
    try:
        from frictionless import validate
    except ImportError:  # pragma: no cover - frictionless is a dependency
        raise OpenDataError("frictionless が入っていません。pip install frictionless で入れてください。") from None
    try:
        result = validate(str(path))
    except Exception as e:  # a descriptor frictionless refuses outright
        report.add("PUB-01", f"{path.name} を検証できませんでした（{type(e).__name__}: {str(e)[:120]}）。"
                   "JSON の書き方を確かめるか、publish(…, datapackage=True) で書き出し直してください。", severity="error")
        return report
    for e in result.errors:
        message, at = _message(e, path.name)
        report.add("PUB-01", message, severity="error", **at)
    for task in result.tasks:
        where = f"{task.name or task.place}（{task.place}）" if task.place else path.name
        for e in task.errors:
            message, at = _message(e, where)
            report.add("PUB-01", message, severity="error", **at)
    return report
