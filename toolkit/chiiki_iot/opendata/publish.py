"""Publish your own dataset: a CSV with its encoding stated, a metadata sidecar, a licence, a check.

>>> import pandas as pd, tempfile, pathlib
>>> df = pd.DataFrame({"名称": ["架空公園"], "緯度": [36.5], "経度": [139.9]})
>>> out = pathlib.Path(tempfile.mkdtemp()) / "spots.csv"
>>> p = publish(df, out, title="おすすめスポット（練習）", publisher="架空市", license="CC BY 4.0", synthetic=True)
>>> p.encoding_label
'UTF-8（BOMあり）'
>>> out.read_bytes()[:3] == b"\\xef\\xbb\\xbf"
True

The sidecar ``spots.meta.yml`` uses the same keys as the toolkit's own
datasets (``title``, ``source``, ``synthetic``, ``notes``, ``columns``) plus
``license``, ``publisher``, ``encoding``, ``bom`` and ``updated``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ..data import write_meta
from .encoding import LABELS, encode_text
from .reader import OpenDataError
from .report import Report

LICENSES = {
    "CC BY 4.0": "クリエイティブ・コモンズ 表示 4.0 国際（https://creativecommons.org/licenses/by/4.0/deed.ja）",
    "CC BY 2.1 JP": "クリエイティブ・コモンズ 表示 2.1 日本（https://creativecommons.org/licenses/by/2.1/jp/）",
    "CC0 1.0": "CC0 1.0 全世界 パブリック・ドメイン提供（https://creativecommons.org/publicdomain/zero/1.0/deed.ja）",
    "PDL1.0": "公共データ利用規約（第1.0版）（CC BY 4.0 と互換）",
}


@dataclass
class Published:
    """What :func:`publish` wrote, and the machine-readability check of the written file."""

    csv_path: Path
    meta_path: Path
    encoding: str
    bom: bool
    report: Report
    datapackage_path: Path | None = None     # datapackage.json, with publish(…, datapackage=True)

    @property
    def encoding_label(self) -> str:
        return f"{LABELS.get(self.encoding, self.encoding)}（BOM{'あり' if self.bom else 'なし'}）"


def _frame_for_output(df: pd.DataFrame, keep_raw: bool) -> pd.DataFrame:
    out = df.copy()
    if not keep_raw:
        out = out[[c for c in out.columns if not str(c).endswith("_raw")]]
    for c in out.columns:
        if c in ("緯度", "経度") and pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].map(lambda x: "" if pd.isna(x) else f"{x:.6f}")
    return out


def write_csv(df: pd.DataFrame, path, *, encoding: str = "utf-8", bom: bool = True, keep_raw: bool = False) -> Path:
    """Write ``df`` as CSV (header on row 1, CRLF, missing values blank, ``_raw`` columns dropped).

    ``encoding`` is ``"utf-8"`` (default, with BOM so Excel opens it) or ``"cp932"``.
    A character that ``encoding`` cannot hold is an error naming its row and column.
    """
    out = _frame_for_output(df, keep_raw)
    text = out.to_csv(index=False, lineterminator="\r\n", na_rep="")
    try:
        data = encode_text(text, encoding, bom)
    except UnicodeEncodeError as e:
        bad = e.object[e.start:e.end]
        where = ""
        for i, row in out.astype(str).iterrows():
            for col, v in row.items():
                if bad in v:
                    where = f"{i + 2}行目・列「{col}」"
                    break
            if where:
                break
        raise OpenDataError(f"文字「{bad}」は {encoding} で保存できません（{where}）。"
                            "UTF-8 で保存するか、その文字を置き換えてください。") from None
    path = Path(path)
    path.write_bytes(data)
    return path


def publish(df: pd.DataFrame, path, *, title: str, publisher: str, license: str, description: str = "",
            source: str = "", synthetic: bool = False, dataset: str | None = None, encoding: str = "utf-8",
            bom: bool = True, updated: date | None = None, datapackage: bool = False) -> Published:
    """Write ``path`` (CSV) and ``<name>.meta.yml``, then check the written file.

    ``license`` must be one of :data:`LICENSES`. ``dataset`` (e.g. ``"観光施設一覧"``)
    also validates the file against that 自治体標準オープンデータセット schema.
    ``datapackage=True`` also writes a Frictionless Data Package, ``datapackage.json`` beside
    the CSV (the table schema, CSV dialect, encoding and BOM, licence; see :mod:`.datapackage`),
    and validates it with ``frictionless``: problems are in the report as PUB-01.
    """
    if license not in LICENSES:
        raise OpenDataError(f"ライセンス「{license}」は選べません。次から選んでください: {'、'.join(LICENSES)}")
    if not title.strip() or not publisher.strip():
        raise OpenDataError("title（データの名前）と publisher（公開する団体）を入力してください。")
    csv_path = write_csv(df, path, encoding=encoding, bom=bom and encoding.lower().startswith("utf"))  # cp932 has no BOM
    out = _frame_for_output(df, keep_raw=False)
    numeric = {c for c in out.columns if pd.api.types.is_numeric_dtype(out[c])}
    meta = {
        "title": title,
        "source": source or publisher,
        "synthetic": bool(synthetic),
        "notes": description,
        "publisher": publisher,
        "license": license,
        "license_text": LICENSES[license],
        "encoding": LABELS.get(encoding, encoding).split("（")[0],
        "bom": bool(bom and encoding.lower().startswith("utf")),
        "newline": "CRLF",
        "updated": (updated or date.today()).isoformat(),
        "rows": int(len(out)),
        "columns": {str(c): "str" for c in out.columns if c not in numeric},
    }
    if dataset:
        meta["dataset"] = dataset
    meta_path = write_meta(csv_path, meta)
    dp_path = None
    if datapackage:
        from .datapackage import resource_descriptor, write_datapackage

        resource = resource_descriptor(out, csv_path.name, encoding=encoding, bom=meta["bom"], title=title,
                                       description=description)
        dp_path = write_datapackage(csv_path, resource, title=title, publisher=publisher, license=license,
                                    source=meta["source"], updated=meta["updated"])

    from .readability import check_readability

    report = check_readability(csv_path)
    if dataset:
        from .validate import check_standard

        checked = check_standard(csv_path, dataset)
        report.extend(i for i in checked.report if i.rule.startswith("STD") or i.severity == "error")
    if dp_path is not None:
        from .datapackage import check_datapackage

        report.extend(check_datapackage(dp_path))
    return Published(csv_path, meta_path, "utf-8" if encoding.lower().startswith("utf") else encoding,
                     meta["bom"], report, dp_path)
