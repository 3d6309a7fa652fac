"""The trainer's view of a class during the workshop: one self-contained Japanese HTML page.

``chiiki-iot class view <assignment>`` writes ``exports/view-<assignment>.html``: per question the
share right and the hints most often triggered (the class's typical mistakes), who is stuck where
(the first question not yet right and the hint that learner got) and progress over the session.
The numbers are those of ``item_analysis``, read afresh from the gradebook and the autograded
notebooks every time the page is built, so grades that arrive (grade-on-submit, or an
``autograde`` run) show on the next build:

* ``chiiki-iot class view <assignment> --watch 30`` rebuilds the page every 30 seconds until Ctrl-C;
  the page reloads itself in the browser (``<meta http-equiv="refresh">``, no JavaScript);
* in a notebook, ``class_view("クラスのフォルダ", "課題名")`` returns the view; run the cell again to refresh.

The page is rendered by jinja2 with autoescaping: hints can contain what a learner typed, and are
only ever text. The page has no script at all (``sanitise.unsafe_markup`` finds nothing in it).
"""
from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from ..jst import JST

from .item_analysis import ALL_RIGHT, ClassView, analyse

TEMPLATE_DIR = Path(__file__).parent / "templates" / "class_view"
REFRESH = 30


def read_view(course, assignment: str) -> ClassView:
    """The view of ``assignment`` as the gradebook and the autograded notebooks are now."""
    from .export import read_gradebook
    from .progress import read_progress

    course.check_assignment(assignment)
    return analyse(course, assignment, read_gradebook(course), read_progress(course))


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def render_view(view: ClassView, refresh: int | None = REFRESH, page: bool = True, rebuild: str = "") -> str:
    """The HTML of ``view``: a whole page (``page=True``, reloading every ``refresh`` seconds) or a fragment
    for a notebook output. ``rebuild`` is the command that rebuilds the page, shown on it."""
    return _environment().get_template("view.html.j2").render(v=view, refresh=refresh, page=page,
                                                              rebuild=rebuild, all_right=ALL_RIGHT)


def write_view(course, assignment: str, path: Path | None = None, refresh: int | None = REFRESH,
               view: ClassView | None = None) -> Path:
    """Write the view (built now, unless given) atomically, so a browser never reloads half a page."""
    path = Path(path or course.root / "exports" / f"view-{assignment}.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    rebuild = f"chiiki-iot class view {assignment} --course {course.root}"
    text = render_view(view or read_view(course, assignment), refresh=refresh, rebuild=rebuild)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def watch(course, assignment: str, path: Path | None = None, every: int = REFRESH, rounds: int | None = None,
          say=print) -> Path:
    """Rebuild the page every ``every`` seconds (``rounds`` times, or until Ctrl-C)."""
    done = 0
    written = None
    try:
        while rounds is None or done < rounds:
            written = write_view(course, assignment, path, refresh=every)
            done += 1
            say(f"{datetime.now(JST):%H:%M:%S} 更新しました: {written}")
            if rounds is None or done < rounds:
                time.sleep(every)
    except KeyboardInterrupt:
        say("更新を止めました。")
    return written


def summary_text(view: ClassView) -> str:
    """A few Japanese lines for the terminal."""
    lines = [f"課題 {view.assignment}: 提出 {view.submitted}人・採点済み {view.graded}人（{len(view.learners)}人中、"
             f"{view.built_at} 時点）"]
    for s in view.stats:
        share = "—" if s.share is None else f"{s.share:g}%"
        top = view.hints_of(s.question)[:1]
        lines.append(f"  {s.question}: 正解 {s.right}/{s.graded}人（{share}）"
                     + (f"、手動採点待ち {s.waiting}人" if s.waiting else "")
                     + (f"、いちばん多いヒント（{top[0].count}人）: {top[0].hint}" if top else ""))
    stuck = [s for s in view.learners if s.stuck_at]
    if stuck:
        lines.append("まだ正解でない問題がある人: " + "、".join(f"{s.learner}（{s.stuck_at}）" for s in stuck))
    return "\n".join(lines)


class NotebookView:
    """What ``class_view`` returns: shows itself as the view in a notebook (run the cell again to refresh)."""

    def __init__(self, view: ClassView):
        self.view = view

    def _repr_html_(self) -> str:
        return render_view(self.view, refresh=None, page=False)

    def __repr__(self) -> str:
        return summary_text(self.view)


def class_view(course_folder, assignment: str) -> NotebookView:
    """The trainer's view of ``assignment`` in a notebook, read now from the class folder.

    Example (a cell in the trainer's notebook; run it again to see new grades)::

        from chiiki_iot.classroom.class_view import class_view
        class_view("~/kensyu2026", "logical_thinking-01_shoraizo_mondai_kadai")
    """
    from .classroom_course import ClassCourse

    return NotebookView(read_view(ClassCourse.open(Path(course_folder).expanduser()), assignment))
