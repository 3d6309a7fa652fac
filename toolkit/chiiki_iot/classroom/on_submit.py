"""Grade on submit: a learner presses Submit, and seconds later their feedback is ready to fetch.

``chiiki-iot class serve`` (in a JupyterHub room: the course's ``<course>-on-submit`` service,
run as the grader account) watches nbgrader's exchange for new submissions of the
assignments the trainer turned on (``chiiki-iot class on-submit 課題名``). Each one is
queued; a few workers (the class's own autograde workers: nbgrader loaded once) take them
in order, and for that one learner: collect the submission, autograde it in the sandbox
with the judge, make the feedback page, check it, and release it to that learner only.

The queue is fair: in the order submissions arrived, one place per learner (a learner who
submits again while waiting keeps their place, and the newest submission is the one graded).
A submission whose folder in the exchange belongs to another Unix account than the learner
it names is refused (nbgrader's own collect only warns), so nobody can be graded, or get
feedback, in someone else's name.

Every submission handled is logged in ``reports/on_submit.jsonl`` (times, score, what
happened) and shown on the trainer's screen in Japanese; the gradebook is updated at once,
so ``chiiki-iot class view 課題名 --watch 30`` shows the class live.
"""
from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..jst import now_jst
from .autograde import EVENT_NOTES, _read_result, _start_worker, default_workers, stop_worker
from .sandbox import Sandbox, refuse_root

POLL_SECONDS = 0.2
LOG_NAME = "on_submit.jsonl"


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: str
    timestamp: str   # as nbgrader wrote it into the folder's name
    folder: Path
    seen: float      # time.monotonic() when the service saw it complete

    @property
    def key(self) -> tuple[str, str]:
        return self.student, self.assignment


@dataclass
class Handled:
    """What happened to one submission (one line of ``reports/on_submit.jsonl``)."""

    student: str
    assignment: str
    submitted: str
    status: str                     # returned / withheld / not_graded / refused
    seconds: float                  # from the service seeing the submission to its feedback released
    waited: float                   # of which in the queue
    score: float | None = None
    max_score: float | None = None
    notes: list[str] = field(default_factory=list)
    finished: str = ""
    stages: dict = field(default_factory=dict)   # seconds of collect / autograde / feedback

    def line(self) -> str:
        what = {"returned": "採点してフィードバックを返却しました",
                "withheld": "採点しましたが、フィードバックは配っていません（feedback_withheld/ にあります）",
                "not_graded": "採点できませんでした",
                "refused": "採点しませんでした"}[self.status]
        points = f"、{self.score:g} / {self.max_score:g} 点" if self.score is not None else ""
        text = f"{self.student}（{self.assignment}）: {what}（{self.seconds:.1f} 秒{points}）"
        return text + "".join(f"\n  ・{n}" for n in self.notes)


class FairQueue:
    """First come, first served, one place per learner and assignment (the newest submission kept)."""

    def __init__(self):
        self._items: OrderedDict[tuple[str, str], Submission] = OrderedDict()
        self._ready = threading.Condition()

    def put(self, item: Submission) -> None:
        with self._ready:
            self._items[item.key] = item   # an existing key keeps its place
            self._ready.notify()

    def get(self, timeout: float) -> Submission | None:
        with self._ready:
            if not self._items and not self._ready.wait(timeout):
                return None
            if not self._items:
                return None
            _, item = self._items.popitem(last=False)
            return item

    def __len__(self) -> int:
        with self._ready:
            return len(self._items)


def complete_submissions(inbound: Path, assignments: set[str]) -> list[tuple[str, str, str, Path]]:
    """(student, assignment, timestamp, folder) of the finished submissions in the exchange's inbound.

    nbgrader writes ``submission_secret.txt`` last and then opens the folder to everyone
    (mode 0777): a folder that is not yet both is still being copied.
    """
    found = []
    try:
        entries = list(os.scandir(inbound))
    except OSError:
        return found
    for entry in entries:
        parts = entry.name.split("+")
        if len(parts) != 4 or parts[1] not in assignments:
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat().st_mode & 0o777 != 0o777:
                continue
            if not os.path.isfile(os.path.join(entry.path, "submission_secret.txt")):
                continue
        except OSError:
            continue
        found.append((parts[0], parts[1], parts[2], Path(entry.path)))
    return found


def owner_problem(student: str, folder: Path) -> str | None:
    """Why a submission is not the named learner's own (None when it is, or the learner has no account)."""
    try:
        expected = pwd.getpwnam(student).pw_uid
    except KeyError:
        return None   # no Unix account of that name (a class without a hub): nothing to compare
    if folder.stat().st_uid != expected:
        return (f"この提出は {student} 本人のアカウントで作られていません（ほかの人が {student} の名前で"
                "提出した可能性があります）。採点も返却もしていません。")
    return None


class OnSubmitService:
    """Watch the exchange, grade each new submission of the enabled assignments, return its feedback."""

    def __init__(self, course, workers: int | None = None, allow_root: bool = False, sandbox: bool = True,
                 poll: float = POLL_SECONDS, out=None):
        self.course = course
        self.root = Path(course.root).resolve()
        self.workers = workers or max(1, default_workers() - 1)
        self.allow_root = allow_root
        self.sandbox = sandbox
        self.poll = poll
        self.out = out or sys.stdout
        self.queue = FairQueue()
        self.stop = threading.Event()
        self.handled: dict[tuple[str, str], str] = self._already_collected()
        self._print = threading.Lock()

    # -- the exchange -------------------------------------------------------------
    @property
    def inbound(self) -> Path:
        return Path(self.course.info["exchange"]) / self.course.course_id / "inbound"

    def _already_collected(self) -> dict[tuple[str, str], str]:
        """Submissions collected before the service started are not graded again."""
        done = {}
        for stamp in self.root.glob("submitted/*/*/timestamp.txt"):
            done[(stamp.parent.parent.name, stamp.parent.name)] = stamp.read_text(encoding="utf-8").strip()
        return done

    def scan(self) -> int:
        """Queue the newest complete submission of each learner that is not handled yet."""
        enabled = set(self.course.on_submit_assignments())
        newest: dict[tuple[str, str], tuple[str, Path]] = {}
        for student, assignment, stamp, folder in complete_submissions(self.inbound, enabled):
            key = (student, assignment)
            if key not in newest or stamp > newest[key][0]:
                newest[key] = (stamp, folder)
        queued = 0
        for key, (stamp, folder) in newest.items():
            if self.handled.get(key, "") >= stamp:
                continue
            self.handled[key] = stamp
            self.queue.put(Submission(key[0], key[1], stamp, folder, time.monotonic()))
            queued += 1
        return queued

    # -- running ------------------------------------------------------------------
    def start(self) -> None:
        """Check the sandbox and root rule, start the workers (nbgrader loaded before any submission)."""
        if self.sandbox:
            Sandbox.find()
        refuse_root(self.allow_root)
        args = [sys.executable, "-m", "chiiki_iot.classroom.worker", str(self.root)]
        if not self.sandbox:
            args.append("--unsafe-no-sandbox")
        if self.allow_root:
            args.append("--allow-root")
        self._threads = [threading.Thread(target=self._work, args=(args, _start_worker(args, self.root)), daemon=True)
                         for _ in range(self.workers)]
        for t in self._threads:
            t.start()

    def serve(self, until=None) -> None:
        """Watch the exchange until ``stop`` is set (or ``until()`` is true); then stop the workers."""
        try:
            while not self.stop.is_set() and not (until and until()):
                self.scan()
                self.stop.wait(self.poll)
        finally:
            self.stop.set()
            for t in self._threads:
                t.join()

    def run(self, until=None) -> None:
        self.start()
        self.serve(until)

    def _work(self, args: list[str], proc) -> None:
        try:
            while not self.stop.is_set():
                item = self.queue.get(timeout=0.2)
                if item is None:
                    continue
                if proc is None or proc.poll() is not None:
                    proc = _start_worker(args, self.root)
                try:
                    handled = self._handle(proc, item)
                except Exception as e:  # noqa: BLE001 - one submission never stops the service
                    handled = Handled(item.student, item.assignment, item.timestamp, "not_graded",
                                      round(time.monotonic() - item.seen, 3), 0.0, notes=[
                                          f"採点の途中で問題が起きました（{type(e).__name__}: {e}）。"
                                          f"chiiki-iot class autograde {item.assignment} --student {item.student} "
                                          "で採点し直してください。"], finished=now_jst())
                    proc.kill()
                    proc = None
                self._report(handled)
        finally:
            if proc is not None:
                stop_worker(proc, 30)

    def _handle(self, proc, item: Submission) -> Handled:
        taken = time.monotonic()
        handled = Handled(item.student, item.assignment, item.timestamp, "not_graded", 0.0,
                          round(taken - item.seen, 3))
        problem = owner_problem(item.student, item.folder)
        if problem:
            handled.status, handled.notes = "refused", [problem]
        else:
            proc.stdin.write(json.dumps({"assignment": item.assignment, "student": item.student,
                                         "on_submit": True}) + "\n")
            proc.stdin.flush()
            result = _read_result(proc)
            if result is None:
                handled.notes.append("採点の途中で採点用のプロセスが止まりました。"
                                     f"chiiki-iot class autograde {item.assignment} --student {item.student} で採点し直してください。")
            else:
                handled.notes += _notes(result)
                handled.status = result.get("feedback", "not_graded") if result.get("success") else "not_graded"
                handled.score, handled.max_score = result.get("score"), result.get("max_score")
                handled.stages = result.get("stages", {})
        handled.seconds = round(time.monotonic() - item.seen, 3)
        handled.finished = now_jst()
        return handled

    def _report(self, handled: Handled) -> None:
        log = self.root / "reports" / LOG_NAME
        log.parent.mkdir(parents=True, exist_ok=True)
        with self._print:
            with log.open("a", encoding="utf-8") as f:
                f.write(json.dumps(asdict(handled), ensure_ascii=False) + "\n")
            print(handled.line(), file=self.out, flush=True)


def _notes(result: dict) -> list[str]:
    notes = []
    for event in result.get("events", []):
        note = EVENT_NOTES.get(event["kind"], event.get("detail", "")).format(
            where=event.get("where") or "セル", detail=event.get("detail", ""))
        if note not in notes:
            notes.append(note)
    notes += result.get("feedback_notes", [])
    return notes


def grade_one(course, api, assignment: str, student: str) -> dict:
    """In a worker: collect one learner's newest submission, autograde it, release their feedback.

    Returns the worker's result fields: ``success``, ``log``, ``error``, ``feedback``
    (returned / withheld / not_graded), ``feedback_notes``, ``score`` and ``max_score``.
    """
    from ..curriculum.nbgrader_course import in_folder

    stages: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name):
        nonlocal clock
        now = time.monotonic()
        stages[name] = round(now - clock, 3)
        clock = now

    with in_folder(course.root):
        collected = course.api(CourseDirectory={"student_id": student}).collect(assignment)
        lap("collect")
        if not collected.get("success"):
            return {"success": False, "log": collected.get("log", ""), "error": collected.get("error", ""),
                    "feedback": "not_graded", "stages": stages}
        result = api.autograde(assignment, student, force=True, create=True)
        lap("autograde")
    out = {"success": bool(result.get("success")), "log": result.get("log", ""), "error": result.get("error", ""),
           "stages": stages}
    if not out["success"]:
        return {**out, "feedback": "not_graded"}
    report = course.feedback(assignment, student=student)
    lap("feedback")
    s = course.scores(assignment, student)
    out.update(score=s.auto_score, max_score=s.max_auto_score,
               feedback="withheld" if student in report.withheld else "returned",
               feedback_notes=report.withheld.get(student, []))
    return out
