"""One autograde worker: a process that autogrades learners one after another.

Started by ``chiiki_iot.classroom.autograde`` as
``python -m chiiki_iot.classroom.worker COURSE_ROOT [--unsafe-no-sandbox] [--allow-root] [--cold] [--timeout S]``.
It reads one JSON request per line on stdin (``{"assignment": ..., "student": ...}``;
with ``"on_submit": true`` it also collects that learner's submission first and returns
their feedback after, see ``on_submit``) and answers each with one line
``@@chiiki-iot-result {json}`` on the result pipe. It grades with
nbgrader's own ``NbGraderAPI.autograde`` (nbgrader is imported once per worker, not once
per learner). Learner code runs in the sandboxed kernel, never in this process.
"""
from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

from .worker_protocol import RESULT, RESULT_FD  # results go to an inherited pipe, not to stdout


def sqlite_with_busy_timeout(db_url: str, seconds: int = 120) -> str:
    """Several workers share one sqlite gradebook: wait for its lock instead of failing."""
    if db_url.startswith("sqlite:") and "timeout=" not in db_url:
        return db_url + ("&" if "?" in db_url else "?") + f"timeout={seconds}"
    return db_url


def main(argv: list[str]) -> int:
    from .execute import EVENTS
    from ..curriculum.nbgrader_course import in_folder, nbgrader_api

    root = Path(argv[0]).resolve()
    overrides: dict = {}
    if "--unsafe-no-sandbox" in argv:
        overrides.setdefault("SafeExecute", {})["sandbox"] = False
    if "--allow-root" in argv:
        overrides.setdefault("SafeExecute", {})["allow_root"] = True
    if "--cold" in argv:   # too few learners per worker for warm starts to pay off
        overrides.setdefault("SafeExecute", {})["warm_start"] = False
    if "--timeout" in argv:
        overrides.setdefault("Execute", {})["timeout"] = int(argv[argv.index("--timeout") + 1])
    api = nbgrader_api(root, **overrides)
    from .classroom_course import CLASS_FILE, ClassCourse
    from .on_submit import grade_one

    course = ClassCourse.open(root) if (root / CLASS_FILE).exists() else None
    api.coursedir.db_url = sqlite_with_busy_timeout(api.coursedir.db_url)
    out = os.fdopen(int(os.environ[RESULT_FD]), "w", encoding="utf-8") if RESULT_FD in os.environ else sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        EVENTS.clear()
        started = time.monotonic()
        try:
            if request.get("on_submit"):  # collect, autograde, feedback for this one learner
                result = grade_one(course, api, request["assignment"], request["student"])
            else:
                with in_folder(root):
                    result = api.autograde(request["assignment"], request["student"], force=True, create=True)
        except BaseException:  # noqa: BLE001 - report, keep serving the class
            result = {"success": False, "error": traceback.format_exc(), "log": ""}
        result = {**result, "student": request["student"], "assignment": request["assignment"],
                  "success": bool(result.get("success")), "log": result.get("log", ""),
                  "error": result.get("error", ""), "events": list(EVENTS),
                  "seconds": round(time.monotonic() - started, 3)}
        out.write(RESULT + json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
