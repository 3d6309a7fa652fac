"""Autograde a whole class: sandboxed, in parallel across learners, one report per learner.

``autograde_class(root, assignment, workers=N)`` starts ``N`` worker processes
(``chiiki_iot.classroom.worker``), each running nbgrader's own autograde for one
learner at a time, all writing to the course's sqlite gradebook (short
transactions; the workers wait for its lock). A learner whose notebook crashes,
loops, floods output, was tampered with or is not valid JSON is recorded with a
Japanese note; everyone else is graded. No submission is ever changed or deleted.

Before grading, each submission is checked:

* a symbolic link anywhere in it: not graded (a link could make the grader copy
  its own files into the learner's folder);
* a notebook that is not valid JSON, or is larger than ``MAX_NOTEBOOK_BYTES``: not graded;
* test cells deleted, changed or re-labelled compared with the release: noted
  (nbgrader restores them from the gradebook and grades with the real tests).
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from ..jst import now_jst
from ..kit.env import GRADING_KIT_ENV
from .sandbox import Sandbox, refuse_root, running_as_root
from .worker_protocol import RESULT, RESULT_FD

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
# warm starts (warm_pool) pay for their zygotes from about the third learner a worker grades
WARM_START_MIN_LEARNERS = 3

EVENT_NOTES = {
    "timeout": "{where} が時間内に終わりませんでした（無限ループになっていないか確かめてください）。",
    "too_many_timeouts": "時間切れが続いたため、残りのセルは実行せずに 0点として採点しました。",
    "kernel_died": "実行中に Python（カーネル）が終了しました（{where}）。それより後のセルは 0点です。",
    "output_flood": "出力が多すぎたため、途中までだけ記録しました（{detail}）。",
    "unsandboxed": "分離なし（--unsafe-no-sandbox）で採点しました。",
    "judge_stopped": "採点のテストを実行するプロセス（判定役）が止まったため、残りのテストは 0点です（{detail}）。",
    "judge_setup_error": "{detail}（教材の準備のセルの問題です。講師は教材を確かめてください）。",
}


@dataclass
class LearnerOutcome:
    """What happened to one learner's submission."""

    student: str
    assignment: str
    graded: bool
    notes: list[str] = field(default_factory=list)   # Japanese, for the trainer
    seconds: float = 0.0
    log: str = ""

    @property
    def status(self) -> str:
        if not self.graded:
            return "採点できませんでした"
        return "採点済み（注意あり）" if self.notes else "採点済み"


@dataclass
class ClassReport:
    assignment: str
    started: str
    finished: str = ""
    workers: int = 1
    sandboxed: bool = True
    as_root: bool = False   # graded as root, with the trainer's explicit permission (--allow-root)
    outcomes: list[LearnerOutcome] = field(default_factory=list)

    def outcome(self, student: str) -> LearnerOutcome:
        return next(o for o in self.outcomes if o.student == student)

    @property
    def graded(self) -> list[str]:
        return [o.student for o in self.outcomes if o.graded]

    def summary(self) -> str:
        lines = [f"課題 {self.assignment}: {len(self.outcomes)} 人の提出のうち {len(self.graded)} 人を採点しました"
                 f"（並列数 {self.workers}、{'分離あり' if self.sandboxed else '分離なし'}"
                 f"{'、root で採点（--allow-root）' if self.as_root else ''}）。"]
        for o in self.outcomes:
            if o.notes or not o.graded:
                lines.append(f"  {o.student}: {o.status}")
                lines += [f"    ・{n}" for n in o.notes]
        if any(not o.graded for o in self.outcomes):
            lines.append("採点できなかった提出物はそのまま残してあります。内容を確かめ、必要なら学習者に出し直してもらってから、"
                         "もう一度 autograde を実行してください（採点済みの人はやり直しません。--student で一人だけ採点できます）。")
        return "\n".join(lines)

    def save(self, root: Path) -> Path:
        path = Path(root) / "reports" / f"autograde-{self.assignment}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")
        return path


def submitted_students(root: Path, assignment: str) -> list[str]:
    base = Path(root) / "submitted"
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir()) if base.is_dir() else []


def preflight(root: Path, assignment: str, student: str) -> tuple[bool, list[str]]:
    """(may be graded, Japanese notes) for one submission, without changing it."""
    folder = Path(root) / "submitted" / student / assignment
    notes: list[str] = []
    links = [p for p in folder.rglob("*") if p.is_symlink()]
    if links:
        names = ", ".join(str(p.relative_to(folder)) for p in links[:3])
        return False, [f"提出物にシンボリックリンク（{names}）があります。講師のファイルを読まれるおそれがあるため採点しませんでした。"
                       "提出物を確かめ、ふつうのファイルで出し直してもらってください。"]
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        return False, ["提出物にノートブック（.ipynb）がありません。学習者に提出し直してもらってください。"]
    release = Path(root) / "release" / assignment
    for nb_path in notebooks:
        if nb_path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return False, [f"{nb_path.name} が大きすぎます（{nb_path.stat().st_size // 1024 // 1024} MB）。"
                           "出力を消して（「すべての出力をクリア」）保存し、出し直してもらってください。"]
        try:
            submitted = nbformat.read(nb_path, as_version=4)
        except Exception as e:  # noqa: BLE001 - any parse failure means "broken notebook"
            return False, [f"{nb_path.name} が壊れていて読めません（{type(e).__name__}）。"
                           "学習者の手元で開けるか確かめ、保存し直して提出してもらってください。提出物はそのまま残してあります。"]
        released = release / nb_path.name
        if released.exists():
            notes += tampered_cells(nbformat.read(released, as_version=4), submitted, nb_path.name)
    return True, notes


def tampered_cells(released, submitted, name: str) -> list[str]:
    """Locked cells (tests, set-up) that the learner deleted or changed."""
    def by_id(nb):
        cells = {}
        for c in nb.cells:
            m = c.get("metadata", {}).get("nbgrader", {})
            if isinstance(m, dict) and m.get("grade_id"):
                cells.setdefault(m["grade_id"], c)
        return cells

    sub = by_id(submitted)
    notes = []
    for gid, cell in by_id(released).items():
        meta = cell.metadata.nbgrader
        if not meta.get("locked"):
            continue
        if gid not in sub:
            notes.append(f"{name}: 変更できないセル {gid} が消されていました（元に戻して採点しました）。")
        elif sub[gid].source != cell.source:
            notes.append(f"{name}: 変更できないセル {gid} が書きかえられていました（元のテストで採点しました）。")
        elif any(sub[gid].metadata.get("nbgrader", {}).get(k) != meta.get(k) for k in ("points", "grade", "solution", "locked")):
            notes.append(f"{name}: セル {gid} の採点の設定が書きかえられていました（元に戻して採点しました）。")
    return notes


def default_workers() -> int:
    """Kernels wait on I/O between cells, so one more worker than cores keeps the CPUs busy."""
    return (os.cpu_count() or 1) + 1


def autograde_class(root: Path, assignment: str, students: list[str] | None = None,
                    workers: int | None = None, sandbox: bool = True, timeout: int | None = None,
                    regrade: bool = True, allow_root: bool = False) -> ClassReport:
    """Autograde every (or the given) learner's submission of ``assignment``.

    As root it refuses (``GradingAsRootRefused``) unless ``allow_root``; a run as root is
    recorded in the report (``as_root``) and in nbgrader.log.
    """
    root = Path(root).resolve()
    if sandbox:
        Sandbox.find()  # fail now, in Japanese, before anything runs
    refuse_root(allow_root)
    students = submitted_students(root, assignment) if students is None else list(students)
    if not regrade:
        students = [s for s in students if not (root / "autograded" / s / assignment).exists()]
    report = ClassReport(assignment, now_jst(), sandboxed=sandbox, as_root=running_as_root())
    todo = queue.Queue()
    for student in students:
        ok, notes = preflight(root, assignment, student)
        outcome = LearnerOutcome(student, assignment, graded=False, notes=notes)
        report.outcomes.append(outcome)
        if ok:
            todo.put(outcome)
    n = max(1, min(workers or default_workers(), todo.qsize() or 1))
    report.workers = n
    args = [sys.executable, "-m", "chiiki_iot.classroom.worker", str(root)]
    if not sandbox:
        args.append("--unsafe-no-sandbox")
    if timeout:
        args += ["--timeout", str(timeout)]
    if allow_root:
        args.append("--allow-root")
    if todo.qsize() < WARM_START_MIN_LEARNERS * n:
        args.append("--cold")   # starting the warm zygotes would cost more than it saves
    threads = [threading.Thread(target=_serve, args=(args, todo, root), daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report.finished = now_jst()
    report.save(root)
    return report


def _serve(args: list[str], todo: queue.Queue, root: Path) -> None:
    """One worker process; restarted if it dies, so one learner cannot stop the class."""
    proc = None
    try:
        while True:
            try:
                outcome = todo.get_nowait()
            except queue.Empty:
                return
            if proc is None or proc.poll() is not None:
                proc = _start_worker(args, root)
            started = time.monotonic()
            proc.stdin.write(json.dumps({"assignment": outcome.assignment, "student": outcome.student}) + "\n")
            proc.stdin.flush()
            result = _read_result(proc)
            if result is None:
                outcome.notes.append("採点の途中で採点用のプロセスが止まりました。もう一度 autograde を実行してください。")
                outcome.seconds = round(time.monotonic() - started, 3)
                proc = None
                continue
            _record(outcome, result)
    finally:
        if proc is not None:
            stop_worker(proc)


def stop_worker(proc: subprocess.Popen, seconds: float = 60) -> None:
    """Let a worker finish its learner and exit (its input closed); kill it after ``seconds``."""
    if proc.poll() is not None:
        return
    proc.stdin.close()
    proc.results.close()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _start_worker(args: list[str], root: Path) -> subprocess.Popen:
    """A worker whose results come back on a private pipe (not stdout, which kernels could write to)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(GRADING_KIT_ENV)  # for kernels started without the sandbox (--unsafe-no-sandbox)
    read_fd, write_fd = os.pipe()
    env[RESULT_FD] = str(write_fd)
    log_path = root / "reports" / "autograde-workers.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log:  # the worker's own errors, for whoever debugs
        proc = subprocess.Popen(args, cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=log, text=True, encoding="utf-8", pass_fds=(write_fd,))
    os.close(write_fd)
    proc.results = os.fdopen(read_fd, "r", encoding="utf-8")
    return proc


def _read_result(proc: subprocess.Popen) -> dict | None:
    for line in proc.results:
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT):])
    return None


def _record(outcome: LearnerOutcome, result: dict) -> None:
    outcome.graded = bool(result["success"])
    outcome.seconds = result["seconds"]
    outcome.log = result.get("log", "") + result.get("error", "")
    seen = set()
    for event in result.get("events", []):
        note = EVENT_NOTES.get(event["kind"], event.get("detail", "")).format(
            where=event.get("where") or "セル", detail=event.get("detail", ""))
        if note not in seen:
            seen.add(note)
            outcome.notes.append(note)
    if not outcome.graded:
        outcome.notes.append("nbgrader が採点を終えられませんでした。nbgrader.log か reports/ の記録を確かめてください。")
