"""Benchmark: read + normalise + validate a 100,000-row 自治体標準 file, as a ratio to pandas.read_csv.

    .venv/bin/python bench/bench_opendata.py [--rows 100000] [--repeat 5]

The file is an AED設置箇所一覧 (08) in UTF-8, made from the practice source
(made-up data, every ID and name distinct, coordinates and phone numbers varied).
Both sides read the same file in the same run, interleaved; the best of
``--repeat`` runs of each is compared. Goal (issue 5): at most 3× ``pandas.read_csv``.
"""
from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

import pandas as pd

from chiiki_iot import opendata as od


def make_file(path: Path, rows: int) -> None:
    header, base = od.practice._read_clean("aed_clean")
    k = {c: i for i, c in enumerate(header)}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for i in range(rows):
        r = list(base[i % len(base)])
        r[k["ID"]] = f"A{i + 1:06d}"
        r[k["名称"]] = f"{r[k['名称']]}{i // len(base) + 1}号館"
        r[k["緯度"]] = f"{36.0 + (i % 9973) * 0.0001:.6f}"
        r[k["経度"]] = f"{139.5 + (i % 7919) * 0.0001:.6f}"
        r[k["電話番号"]] = f"028-{i % 1000:03d}-{i % 10000:04d}"
        w.writerow(r)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "aed_100k.csv"
        make_file(path, args.rows)
        checked = od.check_standard(od.read_csv(path), "AED設置箇所一覧")     # warm-up and sanity check
        assert len(checked.df) == args.rows and checked.report.ok, checked.report.summary()
        t_pandas, t_read, t_all = [], [], []
        for _ in range(args.repeat):          # interleaved, so a busy machine slows both sides alike
            t_pandas.append(timed(lambda: pd.read_csv(path)))
            t_read.append(timed(lambda: od.read_csv(path)))
            t_all.append(timed(lambda: od.check_standard(od.read_csv(path), "AED設置箇所一覧")))
        t_pandas, t_read, t_all = min(t_pandas), min(t_read), min(t_all)
        size = path.stat().st_size / 1e6
    ratio = t_all / t_pandas
    print(f"file: {args.rows:,} rows × {len(checked.df.columns)} columns, {size:.1f} MB (UTF-8), best of {args.repeat}")
    print(f"pandas.read_csv                          {t_pandas * 1000:8.1f} ms   1.00×")
    print(f"od.read_csv (decode, structure, strings) {t_read * 1000:8.1f} ms   {t_read / t_pandas:.2f}×")
    print(f"read + normalise + validate              {t_all * 1000:8.1f} ms   {ratio:.2f}×")
    print(f"goal ≤ 3.00×: {'met' if ratio <= 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
