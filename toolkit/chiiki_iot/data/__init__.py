"""Datasets that ship with the toolkit, each with its provenance.

Every dataset is a pair of files in this folder:

* ``NAME.csv`` — UTF-8 (no BOM), header on row 1, one record per row (the
  machine-readability rules the open-data course teaches);
* ``NAME.meta.yml`` — where it comes from::

      title: 地域IoT実装計画のKPI（7団体）
      source: 総務省「地域IoT実装のための計画策定・推進体制構築支援事業」事例集（2019年4月）
      pages: pp.18-33
      synthetic: false          # true for made-up practice data
      notes: 数値は原文と照合済み。
      columns:                  # optional: column -> dtype ("str" keeps leading zeros)
        全国地方公共団体コード: str

>>> from chiiki_iot.data import load
>>> df = load("casebook_municipalities")        # doctest: +SKIP
>>> df.attrs["source"]                          # doctest: +SKIP
'総務省「…」事例集（2019年4月） pp.18-33'
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).parent


@dataclass(frozen=True)
class DatasetInfo:
    """Provenance of one shipped dataset."""

    name: str
    title: str
    source: str
    synthetic: bool
    pages: str = ""
    notes: str = ""

    @property
    def citation(self) -> str:
        """The source as it should be printed under a table or a plot."""
        text = f"{self.source} {self.pages}".strip()
        return f"（練習用の架空データ）{text}" if self.synthetic else text


def names() -> list[str]:
    """Names of every dataset that ships with the toolkit."""
    return sorted(p.name[: -len(".csv")] for p in HERE.glob("*.csv"))


def _meta(name: str) -> dict:
    meta_path = HERE / f"{name}.meta.yml"
    if not (HERE / f"{name}.csv").exists() or not meta_path.exists():
        raise KeyError(f"データセット '{name}' はありません。使えるもの: {', '.join(names())}")
    return yaml.safe_load(meta_path.read_text(encoding="utf-8"))


def info(name: str) -> DatasetInfo:
    """Provenance of dataset ``name`` (raises KeyError with the known names)."""
    meta = _meta(name)
    return DatasetInfo(
        name=name,
        title=meta["title"],
        source=meta["source"],
        synthetic=bool(meta.get("synthetic", False)),
        pages=str(meta.get("pages", "") or ""),
        notes=str(meta.get("notes", "") or ""),
    )


def load(name: str):
    """Read dataset ``name`` into a DataFrame; ``df.attrs`` carries title and citation."""
    import pandas as pd

    meta = _meta(name)
    about = info(name)
    df = pd.read_csv(HERE / f"{name}.csv", encoding="utf-8", dtype=meta.get("columns") or None)
    df.attrs.update(title=about.title, source=about.citation, synthetic=about.synthetic)
    return df
