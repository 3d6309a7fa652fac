"""Every made-up trace a sensor lab ships is exactly what its generator (data/make_*.py) writes.

So the data can be rebuilt and reviewed from code, and a hand edit to a shipped CSV or its
.meta.yml (which labels it as synthetic) is caught.
"""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GENERATORS = sorted((REPO / "courses" / "sensors").glob("*/data/make_*.py"))


def test_every_lab_with_data_has_a_generator():
    with_csv = {p.parent.parent.name for p in (REPO / "courses" / "sensors").glob("*/data/*.csv")}
    assert with_csv and with_csv <= {g.parent.parent.name for g in GENERATORS}


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda p: p.parent.parent.name)
def test_the_generator_rebuilds_the_shipped_files(generator, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(generator.parent, copy)
    before = {p.name: p.stat().st_mtime_ns for p in copy.iterdir()}
    spec = importlib.util.spec_from_file_location(f"gen_{generator.parent.parent.name}", copy / generator.name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()
    written = [p for p in copy.iterdir() if p.is_file() and p.stat().st_mtime_ns != before.get(p.name)]
    assert written, f"{generator.name} wrote nothing"
    for p in written:
        assert p.name in before, f"{generator.name} writes {p.name}, which the lab does not ship"
        assert p.read_bytes() == (generator.parent / p.name).read_bytes(), f"{p.name} differs from its generator's output"


def test_every_shipped_table_says_where_it_comes_from():
    """Each CSV has a .meta.yml (or is described in one beside it) that labels it made-up or cites its source."""
    for csv in sorted((REPO / "courses" / "sensors").glob("*/data/*.csv")):
        metas = sorted(csv.parent.glob("*.meta.yml"))
        own = csv.with_suffix(".meta.yml")
        described = [m for m in metas if m == own or csv.name in m.read_text(encoding="utf-8")]
        assert described, f"{csv.relative_to(REPO)}: .meta.yml がありません"
        text = "\n".join(m.read_text(encoding="utf-8") for m in described)
        assert "架空" in text or "出典" in text, f"{csv.relative_to(REPO)}: 架空のデータか、出典が書かれていません"
