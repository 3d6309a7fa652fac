"""Benchmark: the test suite's two speed levers, each against its alternative in the same run.

    PATH=.venv/bin:$PATH .venv/bin/python bench/bench_suite.py round-trip [--modules 3]
    PATH=.venv/bin:$PATH .venv/bin/python bench/bench_suite.py workers [--workers 0 2 3] [-- PYTEST ARGS]

``round-trip``: the nbgrader round trip of the first N modules (generate, three pseudo-learners
autograded, feedback), done the old way (nbgrader's command line: one process per step and a
gradebook per module, feedback for every learner) and the suite's way (one course and gradebook,
nbgrader's in-process API, feedback for the learner whose page is read). Alternating order,
same machine, same minute; prints both and the ratio.

``workers``: the same pytest selection (default: the whole suite) with each ``-n`` value in turn;
prints wall-clock seconds and the ratio to the first. Run it on a quiet machine: it takes the
whole suite's time once per value.

Results are also saved to ``bench/results/suite.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from chiiki_iot.curriculum.modules import discover  # noqa: E402
from chiiki_iot.curriculum.nbgrader_course import NbgraderCourse, in_folder, succeeded  # noqa: E402
from chiiki_iot.kit.env import GRADING_KIT_ENV  # noqa: E402

os.environ.update(GRADING_KIT_ENV)  # sensor labs on the fast-forwarded virtual kit, as the suite runs them


def submissions(course: NbgraderCourse, module) -> None:
    from test_nbgrader_round_trip import typical_wrong

    a = module.assignment_id
    course.submit("perfect", a, {p.name: nbformat.read(p, as_version=4) for p in module.notebooks})
    course.submit("blank", a, {})
    course.submit("typical", a, typical_wrong(module, course.root / "release" / a)[1])


def by_command_line(modules, base: Path) -> None:
    for m in modules:
        course = NbgraderCourse.create(base / m.assignment_id, [m])
        course.generate(m.assignment_id)
        submissions(course, m)
        course.autograde(m.assignment_id)
        course.generate_feedback(m.assignment_id)


def in_process(modules, base: Path) -> None:
    course = NbgraderCourse.create(base / "course", [])
    api = course.api()
    for m in modules:
        course.add_source(m)
        with in_folder(course.root):
            succeeded(api.generate_assignment(m.assignment_id), "generate")
        submissions(course, m)
        with in_folder(course.root):
            succeeded(api.autograde(m.assignment_id, "*"), "autograde")
            succeeded(api.generate_feedback(m.assignment_id, "typical"), "feedback")


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def bench_round_trip(n: int) -> dict:
    modules = discover(REPO / "courses")[:n]
    seconds = {"command_line": 0.0, "in_process": 0.0}
    for i in range(2):  # alternate the order, sum both rounds
        order = (by_command_line, in_process) if i == 0 else (in_process, by_command_line)
        for fn in order:
            with tempfile.TemporaryDirectory() as tmp:
                key = "command_line" if fn is by_command_line else "in_process"
                seconds[key] += timed(fn, modules, Path(tmp))
    result = {"modules": n, **{k: round(v, 1) for k, v in seconds.items()},
              "ratio": round(seconds["command_line"] / seconds["in_process"], 2)}
    print(f"round trip of {n} modules, two rounds: command line {result['command_line']} s, "
          f"in process {result['in_process']} s, ratio {result['ratio']}")
    return result


def bench_workers(workers: list[int], pytest_args: list[str]) -> dict:
    rows = []
    for n in workers:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", str(n),
                               *pytest_args], cwd=REPO, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        last = (proc.stdout.strip().splitlines() or [""])[-1]
        rows.append({"workers": n, "seconds": round(seconds, 1), "result": last})
        print(f"-n {n}: {seconds:7.1f} s  ratio to -n {workers[0]}: {rows[0]['seconds'] / seconds:5.2f}   {last}",
              flush=True)
    return {"selection": pytest_args or ["(whole suite)"], "runs": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    rt = sub.add_parser("round-trip")
    rt.add_argument("--modules", type=int, default=3)
    wk = sub.add_parser("workers")
    wk.add_argument("--workers", type=int, nargs="+", default=[0, 2, 3])
    wk.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()
    result = bench_round_trip(args.modules) if args.what == "round-trip" else bench_workers(args.workers, args.pytest_args)
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "suite.json"
    saved = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    saved[args.what] = result
    path.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
