"""The trainer's progress view: who submitted what, where each submission stands, and a chart.

Read from the course folder (``submitted/``, ``autograded/``, ``feedback/``), the
latest autograde reports (``reports/``) and nbgrader's gradebook (manual grading left,
due dates and extensions). A submission is *late* when its ``timestamp.txt`` is after the
assignment's due date (plus the learner's extension): nbgrader's own rule, see ``duedates``.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..jst import JST

# the order is the order of the workflow (and of the chart's colours)
STATUSES = ("未提出", "提出済み（未採点）", "採点できず", "手動採点待ち", "採点済み", "返却済み")
COLOURS = ("#d9d9d9", "#9ecae1", "#d62728", "#ff7f0e", "#6baed6", "#2ca02c")


@dataclass
class Progress:
    learners: list[str]
    assignments: list[str]
    status: dict[tuple[str, str], str]
    submitted_at: dict[tuple[str, str], str]
    due: dict[str, str] = field(default_factory=dict)          # assignment -> "2026-12-01 17:00" (JST) or ""
    late: dict[tuple[str, str], str] = field(default_factory=dict)  # (learner, assignment) -> "2時間5分" or ""

    def counts(self, assignment: str) -> Counter:
        return Counter(self.status[(s, assignment)] for s in self.learners)

    def late_learners(self, assignment: str) -> list[str]:
        return [s for s in self.learners if self.late.get((s, assignment))]


def read_progress(course) -> Progress:
    from nbgrader.api import Gradebook, MissingEntry

    from .duedates import due_dates, extensions, late_text, lateness, shown, submitted_at

    root = course.root
    assignments = course.assignments
    on_roster = [lr.id for lr in course.learners()]
    submitted_ids = {p.name for p in (root / "submitted").glob("*") if p.is_dir()}
    learners = on_roster + sorted(submitted_ids - set(on_roster))
    failed = set()
    for a in assignments:
        report = root / "reports" / f"autograde-{a}.json"
        if report.exists():
            data = json.loads(report.read_text(encoding="utf-8"))
            failed |= {(o["student"], a) for o in data["outcomes"] if not o["graded"]}
    status, when, late = {}, {}, {}
    due = due_dates(course)
    extra = extensions(course)
    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        for a in assignments:
            for s in learners:
                sub_dir = root / "submitted" / s / a
                key = (s, a)
                at = submitted_at(sub_dir) if sub_dir.is_dir() else None
                when[key] = shown(at)
                late[key] = late_text(lateness(at, due[a], extra.get(key)))
                if not sub_dir.is_dir():
                    status[key] = "未提出"
                elif key in failed:
                    status[key] = "採点できず"
                elif not (root / "autograded" / s / a).is_dir():
                    status[key] = "提出済み（未採点）"
                else:
                    try:
                        manual = gb.find_submission(a, s).needs_manual_grade
                    except MissingEntry:
                        manual = False
                    if manual:
                        status[key] = "手動採点待ち"
                    elif (root / "feedback" / s / a).is_dir():
                        status[key] = "返却済み"
                    else:
                        status[key] = "採点済み"
    return Progress(learners, assignments, status, when, {a: shown(d) for a, d in due.items()}, late)


def progress_rows(p: Progress) -> list[list]:
    """One row per learner; per assignment: the status, when it was submitted (JST), how late."""
    header = ["学習者ID"]
    for a in p.assignments:
        due = f"締め切り {p.due[a]}" if p.due.get(a) else "締め切りなし"
        header += [a, f"{a} 提出日時", f"{a} 締め切り後の提出（{due}）"]
    rows = [header]
    for s in p.learners:
        row = [s]
        for a in p.assignments:
            late = p.late.get((s, a), "")
            row += [p.status[(s, a)], p.submitted_at[(s, a)], f"遅れ {late}" if late else ""]
        rows.append(row)
    return rows


def progress_text(p: Progress) -> str:
    lines = []
    for a in p.assignments:
        c = p.counts(a)
        lines.append(f"{a}: " + "、".join(f"{st} {c[st]}人" for st in STATUSES if c[st]))
        if p.due.get(a):
            late = p.late_learners(a)
            lines.append(f"  締め切り {p.due[a]}（日本時間）: 締め切り後の提出 {len(late)}人"
                         + ("（" + "、".join(f"{s} {p.late[(s, a)]}遅れ" for s in late) + "）" if late else ""))
    todo = [(s, a) for (s, a), st in p.status.items() if st in ("採点できず", "提出済み（未採点）", "手動採点待ち")]
    if todo:
        lines.append("手が必要な提出:")
        lines += [f"  {s} / {a}: {p.status[(s, a)]}" for s, a in sorted(todo)]
    missing = [(s, a) for (s, a), st in p.status.items() if st == "未提出"]
    if missing:
        lines.append(f"未提出: {len(missing)} 件（一覧は export の「提出状況」シートにあります）")
    return "\n".join(lines)


def progress_chart(p: Progress, path: Path) -> Path:
    """A stacked bar per assignment: how many learners are at each status."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plots import use_japanese_font

    use_japanese_font()
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.6 * len(p.assignments)))
    left = [0] * len(p.assignments)
    labels = [a.split("-", 1)[-1] + (f"\n締め切り {p.due[a][5:]}" if p.due.get(a) else "") for a in p.assignments]
    for status, colour in zip(STATUSES, COLOURS):
        values = [p.counts(a)[status] for a in p.assignments]
        ax.barh(labels, values, left=left, color=colour, label=status)
        left = [x + v for x, v in zip(left, values)]
    ax.set_xlabel("学習者の数")
    ax.set_xlim(0, max(1, len(p.learners)))
    ax.invert_yaxis()
    ax.set_title(f"提出と採点の状況（{datetime.now(JST):%Y-%m-%d %H:%M} 時点・{len(p.learners)}人）")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35 if len(p.assignments) < 3 else -0.15), ncol=3,
              frameon=False)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
