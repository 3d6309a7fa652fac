"""Benchmark: each sensor lab run top to bottom on the virtual kit, fast-forwarded vs real time.

    PATH=.venv/bin:$PATH .venv/bin/python bench/bench_sensor_labs.py [--labs 01 05] [--json]

Every notebook in ``courses/sensors/`` is executed with nbclient in its own folder (the
instructor's version, solutions in place) twice in the same run, in alternating order: once
with the virtual kit's clock never waiting (``CHIIKI_KIT_SPEED=0``: what graders, nbval and learners' ``tamesu``
trials use) and once at real speed (``CHIIKI_KIT_SPEED=1``: what a learner on the virtual kit
sees when a cell sleeps or streams for N seconds). It prints wall-clock seconds per lab and the
ratio real / fast-forwarded, and saves them to ``bench/results/sensor_labs.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from chiiki_iot.kit.env import ENV_BOARD, ENV_SPEED

REPO = Path(__file__).resolve().parents[1]
LABS = sorted((REPO / "courses" / "sensors").glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb"))


def run(notebook: Path, speed: str) -> float:
    """Execute ``notebook`` in its own folder (as nbval does); seconds of wall clock."""
    nb = nbformat.read(notebook, as_version=4)
    os.environ.update({ENV_BOARD: "virtual", ENV_SPEED: speed})
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labs", nargs="*", help="lab numbers (01 ... 10); default all")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    labs = [p for p in LABS if not args.labs or p.name[:2] in args.labs]
    rows, fast, real = [], 0.0, 0.0
    for i, nb in enumerate(labs):
        order = ("0", "1") if i % 2 == 0 else ("1", "0")
        seconds = {speed: run(nb, speed) for speed in order}
        fast, real = fast + seconds["0"], real + seconds["1"]
        rows.append({"lab": nb.parent.name, "fast_s": round(seconds["0"], 1), "real_s": round(seconds["1"], 1),
                     "ratio": round(seconds["1"] / seconds["0"], 2)})
        if not args.json:
            r = rows[-1]
            print(f"{r['lab']:30s} fast-forwarded {r['fast_s']:6.1f} s   real time {r['real_s']:6.1f} s   "
                  f"ratio {r['ratio']:5.2f}", flush=True)
    total = {"fast_s": round(fast, 1), "real_s": round(real, 1), "ratio": round(real / fast, 2)}
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "sensor_labs.json").write_text(json.dumps({"labs": rows, "total": total}, indent=1), encoding="utf-8")
    if args.json:
        json.dump({"labs": rows, "total": total}, sys.stdout, indent=1)
    else:
        print(f"{'all':30s} fast-forwarded {total['fast_s']:6.1f} s   real time {total['real_s']:6.1f} s   "
              f"ratio {total['ratio']:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
