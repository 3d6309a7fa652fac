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

``title``, ``source`` and ``synthetic`` are required: a table either says it is made up or
cites where it comes from. Every sidecar in the project (these datasets, the courses'
practice data, the kit's logger, ``opendata.publish``) is written by :func:`write_meta`,
which checks those keys first, and read by :func:`read_meta`.

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
REQUIRED = {
    "title": "データの名前",
    "source": "出典。自分で作ったデータなら、その作り方",
    "synthetic": "練習用の架空データなら true、実測や公的な統計なら false",
}


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


def _sidecar(path: str | Path) -> Path:
    path = Path(path)
    return path if path.name.endswith(".meta.yml") else path.with_suffix(".meta.yml")


def read_meta(path: str | Path) -> dict:
    """The ``.meta.yml`` sidecar of data file ``path`` (or the sidecar itself) as a dict; ``{}`` if there is none."""
    sidecar = _sidecar(path)
    return (yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}) if sidecar.exists() else {}


def write_meta(path: str | Path, meta: dict) -> Path:
    """Write ``meta`` as the ``.meta.yml`` sidecar of data file ``path``; returns the sidecar's path.

    The keys of :data:`REQUIRED` are checked first: a missing or empty one raises
    ``ValueError`` (in Japanese) and nothing is written. Keys keep their order.

    >>> import tempfile
    >>> csv = Path(tempfile.mkdtemp()) / "kion.csv"
    >>> write_meta(csv, {"title": "気温", "source": "練習用の架空データ", "synthetic": True}).name
    'kion.meta.yml'
    >>> read_meta(csv)["synthetic"]
    True
    >>> write_meta(csv, {"title": "気温"})
    Traceback (most recent call last):
    ValueError: kion.meta.yml に必要な項目がありません: source（出典。自分で作ったデータなら、その作り方）、synthetic（練習用の架空データなら true、実測や公的な統計なら false）
    """
    sidecar = _sidecar(path)
    missing = [f"{key}（{what}）" for key, what in REQUIRED.items()
               if meta.get(key) is None or str(meta[key]).strip() == ""]
    if missing:
        raise ValueError(f"{sidecar.name} に必要な項目がありません: {'、'.join(missing)}")
    if not isinstance(meta["synthetic"], bool):
        raise ValueError(f"{sidecar.name} の synthetic は true か false にしてください（{REQUIRED['synthetic']}）。")
    sidecar.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return sidecar


def _meta(name: str) -> dict:
    meta = read_meta(HERE / f"{name}.csv")
    if not (HERE / f"{name}.csv").exists() or not meta:
        raise KeyError(f"データセット '{name}' はありません。使えるもの: {', '.join(names())}")
    return meta


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
