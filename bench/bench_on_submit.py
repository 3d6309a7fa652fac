"""Benchmark: grading on submit, from a learner's Submit to their feedback ready to fetch.

Usage (from the repository root, in the project's environment; as root add --allow-root):

    PATH=.venv/bin:$PATH .venv/bin/python bench/bench_on_submit.py [--learners 6] [--burst 12] [--allow-root]

One class (the exemplar module) with an exchange, no hub: learners submit with nbgrader's own
``nbgrader submit`` (what the Assignments tab runs), the class's on-submit service
(``chiiki-iot class serve``, here in-process with its default workers) grades and returns.

* ``single``: learners submit one after another, each after the previous feedback is out;
  for each: seconds from the end of their ``nbgrader submit`` to the feedback released, with the
  service's own split (collect / autograde / feedback). The first is reported apart (cold).
* ``trainer``: the alternative in the same run: the trainer collects, autogrades and returns
  feedback for one new submission with the class commands (``collect``, ``autograde --student``,
  ``feedback``), timed the same way.
* ``burst``: a room submitting at once (``--burst`` learners, their submits started together);
  each learner's wait, the time until the last feedback, and whether feedback came out in the
  order of submission (the queue is first come, first served).

Figures go to ``bench/results/on_submit.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "grading"))
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

from class_helpers import ASSIGNMENT, MODULE, NOTEBOOK, answers_of_source, learner_notebook, typical_answers  # noqa: E402

from chiiki_iot.classroom.classroom_course import ClassCourse  # noqa: E402
from chiiki_iot.classroom.on_submit import OnSubmitService  # noqa: E402

COURSE_ID = "bench"


def submit_command(base: Path, course: ClassCourse, student: str, answers: dict) -> tuple[list[str], Path]:
    home = base / "homes" / student
    folder = home / COURSE_ID / ASSIGNMENT
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(course.root / "release" / ASSIGNMENT, folder)
    nbformat.write(learner_notebook(course, answers), folder / NOTEBOOK)
    return [sys.executable, "-m", "nbgrader", "submit", ASSIGNMENT, "--course", COURSE_ID, "--student", student,
            f"--Exchange.root={base / 'exchange'}", "--Exchange.path_includes_course=True",
            f"--Exchange.cache={home / 'cache'}"], home


def handled(course: ClassCourse) -> list[dict]:
    log = course.root / "reports" / "on_submit.jsonl"
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def wait_for(course: ClassCourse, count: int, seconds: float = 300) -> list[dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = handled(course)
        if len(done) >= count:
            return done
        time.sleep(0.02)
    raise SystemExit(f"only {len(handled(course))} of {count} submissions were handled in {seconds} s")


def answers_for(i: int) -> dict:
    return answers_of_source() if i % 2 == 0 else {**answers_of_source(), **typical_answers()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=6, help="one-at-a-time submissions (the first is cold)")
    parser.add_argument("--burst", type=int, default=12, help="learners submitting at once")
    parser.add_argument("--allow-root", action="store_true")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="bench-on-submit-"))
    (base / "exchange").mkdir()
    (base / "exchange").chmod(0o1777)
    course = ClassCourse.create(base / "course", [MODULE], course_id=COURSE_ID, exchange=base / "exchange")
    course.release(ASSIGNMENT)
    course.set_on_submit(ASSIGNMENT, True)
    service = OnSubmitService(course, allow_root=args.allow_root, out=open(os.devnull, "w"))
    thread = threading.Thread(target=service.run, daemon=True)
    thread.start()
    results: dict = {"module": ASSIGNMENT, "cpus": os.cpu_count(), "workers": service.workers}
    try:
        time.sleep(3)   # the service's workers load nbgrader (as they have long before a class submits)
        single = []
        for i in range(args.learners):
            command, home = submit_command(base, course, f"single{i:02d}", answers_for(i))
            subprocess.run(command, cwd=home, check=True, capture_output=True)
            submitted = time.monotonic()
            record = wait_for(course, i + 1)[-1]
            single.append({"seconds": round(time.monotonic() - submitted, 3), "status": record["status"],
                           "stages": record.get("stages", {})})
        results["single_cold"] = single[0]
        warm = [s["seconds"] for s in single[1:]]
        results["single"] = {"median_s": round(statistics.median(warm), 3), "max_s": max(warm), "runs": single[1:]}

        # the alternative: the trainer's commands for one new submission
        service.course.set_on_submit(ASSIGNMENT, False)
        command, home = submit_command(base, course, "manual", answers_for(1))
        subprocess.run(command, cwd=home, check=True, capture_output=True)
        started = time.monotonic()
        chiiki = [sys.executable, "-m", "chiiki_iot.cli", "class"]
        for step in (["collect", ASSIGNMENT], ["autograde", ASSIGNMENT, "--student", "manual"]
                     + (["--allow-root"] if args.allow_root else []), ["feedback", ASSIGNMENT]):
            subprocess.run(chiiki + step + ["--course", str(course.root)], check=True, capture_output=True)
        results["trainer_commands_s"] = round(time.monotonic() - started, 3)
        service.course.set_on_submit(ASSIGNMENT, True)

        before = len(handled(course))
        commands = [submit_command(base, course, f"burst{i:02d}", answers_for(i)) for i in range(args.burst)]
        started = time.monotonic()
        procs = [subprocess.Popen(c, cwd=h, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c, h in commands]
        for p in procs:
            p.wait()
        records = wait_for(course, before + args.burst)[before:]
        order = [r["student"] for r in records]
        stamps = {r["student"]: r["submitted"] for r in records}
        by_submit = sorted(order, key=lambda s: stamps[s])
        displacement = max(abs(order.index(s) - by_submit.index(s)) for s in order)
        results["burst"] = {"learners": args.burst, "last_feedback_s": round(time.monotonic() - started, 3),
                            "wait_median_s": round(statistics.median(r["seconds"] for r in records), 3),
                            "wait_max_s": max(r["seconds"] for r in records),
                            "out_of_submission_order_by_at_most": displacement,
                            "all_returned": all(r["status"] == "returned" for r in records)}
    finally:
        service.stop.set()
        thread.join(timeout=60)
        shutil.rmtree(base, ignore_errors=True)
    results["ratio_trainer_over_on_submit"] = round(results["trainer_commands_s"] / results["single"]["median_s"], 2)
    print(json.dumps(results, ensure_ascii=False, indent=1))
    out = REPO / "bench" / "results" / "on_submit.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
