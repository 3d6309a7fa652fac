"""Benchmark: autograding a 40-learner class, stock sequential nbgrader vs chiiki-iot's parallel sandboxed autograde.

Usage (from the repository root, in the project's environment):

    PATH=.venv/bin:$PATH .venv/bin/python bench/bench_autograde.py [--learners 40] [--workers 2 3 4]

All runs happen in the same process, one after another, on the same submissions
(the exemplar module; learners cycle through a perfect, a typical-wrong, a half-right
and a blank answer), each in its own fresh course folder:

* ``stock``       ``nbgrader autograde ASSIGNMENT``: one process, learners one by one, no sandbox;
* ``safe-1``      ``autograde_class(workers=1)``: sandboxed, with the judge, warm starts, sequential;
* ``safe-N``      ``autograde_class(workers=N)``: the same, N learners at a time;
* ``cold-N``      ``safe-N`` without warm starts (``SafeExecute.warm_start = False``: every kernel and
                  judge started with its own bwrap and imports), to show what the warm pool saves.

The runs are interleaved for ``--rounds`` rounds and the fastest time of each kept, so
that other load on a shared machine disturbs all of them alike. It prints wall-clock
seconds and the ratios stock / safe-N and safe-1 / safe-N (a ratio, not an absolute time,
is what carries over between machines), checks that every run wrote the same scores as
stock nbgrader, and saves the figures to ``bench/results/autograde.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "grading"))
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

from class_helpers import ASSIGNMENT, MODULE, NOTEBOOK, place, typical_answers, with_answers  # noqa: E402

from chiiki_iot.classroom.classroom_course import ClassCourse  # noqa: E402
from chiiki_iot.curriculum.nbgrader_course import NbgraderCourse  # noqa: E402


def submissions(course, n: int) -> dict:
    release = nbformat.read(course.root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    kinds = [with_answers(course), with_answers(course, **typical_answers()),
             with_answers(course, q2_gap="kpi['ギャップ'] = 0"), release]
    return {f"learner{i + 1:02d}": kinds[i % len(kinds)] for i in range(n)}


def scores(course, students) -> dict:
    return {s: sorted((c.grade_id, c.score) for c in course.scores(ASSIGNMENT, s).cells) for s in students}


def run_stock(base: Path, n: int) -> tuple[float, dict]:
    course = NbgraderCourse.create(base / "stock", [MODULE], timeout=60)
    course.generate(ASSIGNMENT)
    subs = submissions(course, n)
    for name, nb in subs.items():
        place(course, name, nb)
    started = time.perf_counter()
    course.autograde(ASSIGNMENT)
    return time.perf_counter() - started, scores(course, subs)


def run_safe(base: Path, n: int, workers: int, warm: bool = True) -> tuple[float, dict]:
    course = ClassCourse.create(base / f"{'safe' if warm else 'cold'}{workers}", [MODULE], timeout=60,
                                extra_config="" if warm else "c.SafeExecute.warm_start = False\n")
    course.generate(ASSIGNMENT)
    subs = submissions(course, n)
    for name, nb in subs.items():
        place(course, name, nb)
    started = time.perf_counter()
    # allow_root: the bench may run as root (CI containers); a class refuses root unless told
    report = course.autograde_class(ASSIGNMENT, workers=workers, allow_root=True)
    elapsed = time.perf_counter() - started
    assert len(report.graded) == n, report.summary()
    return elapsed, scores(course, subs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="*", default=[2, (os.cpu_count() or 1) + 1])
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds of all runs, interleaved; the fastest of each is kept (other load on the machine)")
    args = parser.parse_args()
    configs = ["stock", *[f"safe-{w}" for w in sorted(set([1, *args.workers]))], f"cold-{max(args.workers)}"]
    results = {"learners": args.learners, "cpus": os.cpu_count(), "rounds": args.rounds,
               "load_average_at_start": os.getloadavg(), "seconds": {k: [] for k in configs}}
    reference = None
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        for r in range(args.rounds):
            for config in configs:
                base = Path(tmp) / f"r{r}"
                if config == "stock":
                    t, got = run_stock(base, args.learners)
                else:
                    t, got = run_safe(base, args.learners, int(config.split("-")[1]), warm=config.startswith("safe"))
                reference = reference or got
                assert got == reference, f"{config} scores differ from the first run"
                results["seconds"][config].append(round(t, 1))
                print(f"round {r + 1}: {config:7s} {t:6.1f} s   (load average {os.getloadavg()[0]:.1f})", flush=True)
            shutil.rmtree(Path(tmp) / f"r{r}", ignore_errors=True)
    best = {k: min(v) for k, v in results["seconds"].items()}
    results["fastest"] = best
    results["ratios"] = {f"stock / {k}": round(best["stock"] / best[k], 2) for k in best if k != "stock"}
    results["ratios"].update({f"safe-1 / {k}": round(best["safe-1"] / best[k], 2)
                              for k in best if k.startswith("safe-") and k != "safe-1"})
    cold = next(k for k in best if k.startswith("cold-"))
    results["ratios"][f"{cold} / safe-{cold.split('-')[1]}"] = round(best[cold] / best[f"safe-{cold.split('-')[1]}"], 2)
    results["load_average_at_end"] = os.getloadavg()
    print(json.dumps(results, indent=1, ensure_ascii=False))
    out = REPO / "bench" / "results" / "autograde.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"same scores in every run (stock nbgrader included); saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
