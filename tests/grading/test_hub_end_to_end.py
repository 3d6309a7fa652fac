"""A training room on a real JupyterHub (PyPI) with its real proxy (npm), on loopback.

Three people: the trainer ``sensei`` and two learners. The trainer releases through the
course's formgrader service, the learners fetch, answer and submit through the hub (their
own single-user servers, as their own Unix users), the trainer collects through the
formgrader, autogrades and returns feedback with ``chiiki-iot class`` (as the course's
grader account, i.e. what the trainer types in the service's terminal), and each learner
fetches feedback through the hub and sees only their own. Before the trainer does anything,
the course's ``<course>-on-submit`` service has already graded each submission and returned
that learner's feedback (grading on submit), which each learner fetches through the hub.

The Unix accounts exist only inside a private mount namespace (``unshare``): the hub
runs with copies of /etc/passwd and /etc/group that list them, so the machine's own
accounts are never touched. Needs root, as a hub that starts servers for several Unix
users does.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import psutil
import pytest

from chiiki_iot.classroom.classroom_course import ClassCourse
from chiiki_iot.classroom.feedback import html_text, source_secrets
from chiiki_iot.classroom.roster import Learner
from chiiki_iot.lab import kill_leftovers
from class_helpers import ASSIGNMENT, MODULE, NOTEBOOK, REPO, answers_of_source, typical_answers

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="JupyterHub の教室（複数の Unix ユーザー）のテストには root が必要です")

COURSE_ID = "kensyu"
USERS = {"grader-kensyu": 62001, "sensei": 62002, "learner1": 62003, "learner2": 62004}
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, token, method="GET", data=None, form=False, timeout=60):
    headers = {"Authorization": f"token {token}"}
    body = None
    if data is not None:
        if form:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw[:1] in (b"{", b"[") else raw.decode("utf-8", "replace"))
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def log_tail(log: Path | None, chars: int = 6000) -> str:
    if log is None or not log.exists():
        return ""
    return f"\n--- {log} (last {chars} characters) ---\n" + log.read_text(encoding="utf-8", errors="replace")[-chars:]


def wait_for(check, seconds, what, hub: subprocess.Popen | None = None, log: Path | None = None):
    """Poll ``check`` until truthy; fail at once (with the hub's log) if the hub has exited."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        if hub is not None and hub.poll() is not None:
            raise AssertionError(f"JupyterHub が終了しました（終了コード {hub.returncode}）。{what} を待てません。"
                                 f"ログの最後を読んで原因を直してください:{log_tail(log)}")
        try:
            last = check()
            if last:
                return last
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            last = e
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}: {last!r}{log_tail(log)}")


def blocked_ancestor(path: Path):
    """(first folder others cannot enter, its child on the way to ``path``), or None."""
    for parent in reversed(path.parents):
        if parent != Path("/") and not os.stat(parent).st_mode & 0o001:
            return parent, path.relative_to(parent).parts[0]
    return None


def namespace_script(room: Path) -> str:
    """Mount the room's passwd/group over /etc; let other users run this Python if it lives under /root."""
    lines = ["set -e", f"mount --bind {room}/passwd /etc/passwd", f"mount --bind {room}/group /etc/group"]
    blocked = blocked_ancestor(Path(sys.executable).resolve())
    if blocked:
        folder, child = blocked
        stash = room / "stash"
        lines += [f"mkdir -p {stash}", f"mount --bind {folder / child} {stash}",
                  f"mount -t tmpfs -o mode=755 tmpfs {folder}", f"mkdir -p {folder / child}",
                  f"mount --bind {stash} {folder / child}"]
    return "\n".join(lines)


def stop_hub(hub: subprocess.Popen) -> None:
    """Stop the hub and everything it started: configurable-http-proxy and the single-user
    servers run in sessions of their own, so the hub's process group alone does not reach them."""
    try:
        tree = psutil.Process(hub.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        tree = []
    try:
        os.killpg(hub.pid, signal.SIGTERM)  # JupyterHub stops its proxy, services and servers
        hub.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(hub.pid, signal.SIGKILL)
    hub.wait(timeout=30)
    kill_leftovers(tree, 10)


def kill_room_processes():
    """Anything still running as the room's test accounts (started by this test only)."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.stat(f"/proc/{pid}").st_uid in USERS.values():
                os.kill(int(pid), signal.SIGKILL)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass


@pytest.fixture(scope="module")
def room():
    base = Path(tempfile.mkdtemp(prefix="chiiki-room-", dir="/tmp"))
    base.chmod(0o755)
    homes = base / "home"
    passwd = Path("/etc/passwd").read_text() + "".join(
        f"{u}:x:{uid}:{uid}::{homes / u}:/bin/sh\n" for u, uid in USERS.items())
    group = Path("/etc/group").read_text() + "".join(f"{u}:x:{uid}:\n" for u, uid in USERS.items())
    (base / "passwd").write_text(passwd)
    (base / "group").write_text(group)
    for u, uid in USERS.items():
        (homes / u).mkdir(parents=True)
        os.chown(homes / u, uid, uid)
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)

    course_dir = homes / "grader-kensyu" / "course"
    course = ClassCourse.create(course_dir, [MODULE], timeout=30, course_id=COURSE_ID, exchange=exchange)
    course.generate(ASSIGNMENT)
    course.add_learners([Learner("learner1", "一", "学"), Learner("learner2", "二", "学")])
    course.set_on_submit(ASSIGNMENT, True)   # graded on submit by the course's <course>-on-submit service
    for p in [course_dir, *course_dir.rglob("*")]:
        os.chown(p, USERS["grader-kensyu"], USERS["grader-kensyu"])

    port, service_port = free_port(), free_port()
    room_file = base / "room.json"
    room_file.write_text(json.dumps({
        "courses": [{"course_id": COURSE_ID, "grader": "grader-kensyu", "course_dir": str(course_dir),
                     "port": service_port, "grade_on_submit": True, "grade_on_submit_workers": 1}],
        "trainers": ["sensei"], "learners": ["learner1", "learner2"],
        "exchange": str(exchange), "config_dir": str(base / "jupyter"), "data_dir": str(base / "hub"),
        "ip": "127.0.0.1", "port": port, "hub_api_port": free_port(), "proxy_api_port": free_port(),
    }), encoding="utf-8")
    ops = secrets.token_hex(16)
    env = dict(os.environ, CHIIKI_IOT_ROOM=str(room_file), CHIIKI_IOT_OPS_TOKEN=ops,
               PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    (base / "hub").mkdir()
    log = (base / "hub" / "hub.log").open("w")
    script = namespace_script(base) + f"\nexec {VENV_BIN / 'jupyterhub'} -f {REPO / 'grading' / 'jupyterhub_config.py'}\n"
    hub = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                           cwd=base / "hub", env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: call(f"{url}/hub/api/", ops)[0] == 200, 90, "the hub", hub, base / "hub" / "hub.log")
        yield {"url": url, "ops": ops, "course": course, "hub": hub, "base": base, "homes": homes,
               "exchange": exchange, "log": base / "hub" / "hub.log"}
    finally:
        stop_hub(hub)
        kill_room_processes()
        log.close()
        if os.environ.get("CHIIKI_IOT_KEEP_ROOM"):
            print(f"room kept at {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


def as_user(room, user, *command, check=True):
    """Run a command as one of the room's accounts, inside the hub's namespace (e.g. the grader's terminal)."""
    uid = USERS[user]
    env = {"HOME": str(room["homes"] / user), "PATH": f"{VENV_BIN}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "JUPYTER_CONFIG_PATH": str(room["base"] / "jupyter")}
    args = ["nsenter", "--target", str(room["hub"].pid), "--mount", "--", "setpriv", f"--reuid={uid}",
            f"--regid={uid}", "--clear-groups", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *command]
    proc = subprocess.run(args, capture_output=True, text=True, cwd="/", timeout=600)
    if check:
        assert proc.returncode == 0, f"{command} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def tokens(room):
    out = {}
    for user in ("sensei", "learner1", "learner2"):
        status, body = call(f"{room['url']}/hub/api/users/{user}/tokens", room["ops"], "POST",
                            {"expires_in": 3600, "note": "e2e"})
        assert status in (200, 201), body
        out[user] = body["token"]
        status, body = call(f"{room['url']}/hub/api/users/{user}/server", room["ops"], "POST", {})
        assert status in (201, 202), body
    for user in out:
        wait_for(lambda: call(f"{room['url']}/hub/api/users/{user}", room["ops"])[1]["servers"].get("", {}).get("ready"),
                 120, f"{user}'s server", room["hub"], room["log"])
    return out


@pytest.fixture(scope="module")
def lesson(room, tokens):
    """The whole lesson, step by step through the hub; returns what each step answered."""
    url, steps = room["url"], {}
    formgrader = f"{url}/services/{COURSE_ID}/formgrader/api"
    wait_for(lambda: call(f"{formgrader}/status", tokens["sensei"])[0] == 200, 90, "the formgrader service",
             room["hub"], room["log"])

    steps["release"] = call(f"{formgrader}/assignment/{ASSIGNMENT}/release", tokens["sensei"], "POST", {})
    answers = {"learner1": answers_of_source(), "learner2": {**answers_of_source(), **typical_answers()}}
    for learner in ("learner1", "learner2"):
        user = f"{url}/user/{learner}"
        ids = {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT}
        steps[f"fetch-{learner}"] = call(f"{user}/assignments/fetch", tokens[learner], "POST", ids, form=True)
        path = f"{COURSE_ID}/{ASSIGNMENT}/{NOTEBOOK}"
        status, model = call(f"{user}/api/contents/{path}?content=1", tokens[learner])
        assert status == 200, model
        nb = nbformat.from_dict(model["content"])
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in answers[learner]:
                cell.source = answers[learner][gid]
        status, body = call(f"{user}/api/contents/{path}", tokens[learner], "PUT",
                            {"type": "notebook", "format": "json", "content": nb})
        assert status == 200, body
        steps[f"submit-{learner}"] = call(f"{user}/assignments/submit", tokens[learner], "POST", ids, form=True)
        steps[f"submitted-{learner}"] = time.monotonic()

    # graded on submit: each learner's feedback is ready without the trainer doing anything
    log = room["course"].root / "reports" / "on_submit.jsonl"
    for learner in ("learner1", "learner2"):
        steps[f"on_submit-{learner}"] = wait_for(
            lambda: next((json.loads(line) for line in (log.read_text(encoding="utf-8").splitlines() if log.exists() else [])
                          if json.loads(line)["student"] == learner), None),
            120, f"{learner}'s submission graded on submit", room["hub"], room["log"])
        steps[f"on_submit_ready-{learner}"] = time.monotonic()
        steps[f"on_submit_feedback-{learner}"] = call(
            f"{url}/user/{learner}/assignments/fetch_feedback", tokens[learner], "POST",
            {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT}, form=True)
        steps[f"on_submit_pages-{learner}"] = [html_text(p) for p in feedback_files(room, learner)]

    steps["collect"] = call(f"{formgrader}/assignment/{ASSIGNMENT}/collect", tokens["sensei"], "POST", {})
    course = str(room["course"].root)
    steps["autograde"] = as_user(room, "grader-kensyu", str(VENV_BIN / "chiiki-iot"), "class", "autograde",
                                 ASSIGNMENT, "--course", course, "--workers", "1")
    steps["feedback"] = as_user(room, "grader-kensyu", str(VENV_BIN / "chiiki-iot"), "class", "feedback",
                                ASSIGNMENT, "--course", course)
    for learner in ("learner1", "learner2"):
        steps[f"fetch_feedback-{learner}"] = call(f"{url}/user/{learner}/assignments/fetch_feedback", tokens[learner],
                                                  "POST", {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT},
                                                  form=True)
    return steps


def feedback_files(room, learner):
    return sorted((room["homes"] / learner / COURSE_ID / ASSIGNMENT / "feedback").glob("*/*.html"))


def test_trainer_releases_through_the_formgrader_service(lesson):
    status, body = lesson["release"]
    assert status == 200 and body["success"], body


def test_learners_fetch_and_submit_through_the_hub(room, lesson):
    for learner in ("learner1", "learner2"):
        status, body = lesson[f"submit-{learner}"]
        assert status == 200 and body["success"], body
        mine = [a for a in body["value"] if a["assignment_id"] == ASSIGNMENT and a["status"] == "submitted"]
        assert mine and all(a["student_id"] == learner for a in mine), body
        fetched = room["homes"] / learner / COURSE_ID / ASSIGNMENT / NOTEBOOK
        assert fetched.stat().st_uid == USERS[learner], "the learner's server runs as the learner"


def test_trainer_collects_and_autogrades_in_the_sandbox(room, lesson):
    status, body = lesson["collect"]
    assert status == 200 and body["success"], body
    assert "2 人の提出のうち 2 人を採点しました" in lesson["autograde"].stdout
    course = room["course"]
    perfect = course.scores(ASSIGNMENT, "learner1")
    assert perfect.auto_score == perfect.max_auto_score > 0
    assert 0 < course.scores(ASSIGNMENT, "learner2").auto_score < perfect.max_auto_score


def test_submission_times_are_recorded_in_utc_and_read_right(room, lesson):
    """nbgrader 0.9 reads '... JST' as UTC (9 hours off): the room records UTC, and it means what it says."""
    from datetime import datetime, timedelta, timezone

    from chiiki_iot.classroom.duedates import parse_timestamp

    stamp = (room["course"].root / "submitted" / "learner1" / ASSIGNMENT / "timestamp.txt").read_text()
    assert stamp.endswith(" UTC"), stamp
    assert abs(parse_timestamp(stamp) - datetime.now(timezone.utc)) < timedelta(minutes=30), stamp


def test_each_learner_sees_only_their_own_feedback(room, lesson):
    secrets_ = source_secrets(room["course"].root / "source" / ASSIGNMENT / NOTEBOOK)
    texts = {}
    for learner in ("learner1", "learner2"):
        status, body = lesson[f"fetch_feedback-{learner}"]
        assert status == 200, body
        files = feedback_files(room, learner)
        assert len(files) == 1, files
        texts[learner] = html_text(files[0])
        assert not [s for s in secrets_ if s in texts[learner]], "hidden tests reached a learner"
        assert "あなたの答え" in texts[learner] and "提出日時" in texts[learner], "the Japanese feedback page"
        assert "Student's answer" not in texts[learner]
    assert "符号が逆です" in texts["learner2"] and "符号が逆です" not in texts["learner1"]
    # the exchange's feedback folder cannot be listed by a learner: feedback is found only by its own hash
    probe = as_user(room, "learner2", str(VENV_BIN / "python"), "-c",
                    f"import os; os.listdir({str(room['exchange'] / COURSE_ID / 'feedback')!r})", check=False)
    assert probe.returncode != 0 and "PermissionError" in probe.stderr


def test_graded_on_submit_each_learner_gets_only_their_own_feedback(room, lesson):
    """Before the trainer collects anything: the course's on-submit service graded each submission
    in the sandbox and returned that learner's page, which they fetched through the hub."""
    secrets_ = source_secrets(room["course"].root / "source" / ASSIGNMENT / NOTEBOOK)
    for learner in ("learner1", "learner2"):
        handled = lesson[f"on_submit-{learner}"]
        assert handled["status"] == "returned", handled
        status, body = lesson[f"on_submit_feedback-{learner}"]
        assert status == 200 and body["success"], body
        pages = lesson[f"on_submit_pages-{learner}"]
        assert len(pages) == 1, pages
        assert not [s for s in secrets_ if s in pages[0]], "hidden tests reached a learner"
    assert lesson["on_submit-learner1"]["score"] == lesson["on_submit-learner1"]["max_score"] > 0
    assert 0 < lesson["on_submit-learner2"]["score"] < lesson["on_submit-learner2"]["max_score"]
    assert "符号が逆です" in lesson["on_submit_pages-learner2"][0]
    assert "符号が逆です" not in lesson["on_submit_pages-learner1"][0]


def test_learners_cannot_open_the_formgrader(room, tokens, lesson):
    status, _ = call(f"{room['url']}/services/{COURSE_ID}/formgrader/api/status", tokens["learner1"])
    assert status == 403, status


def test_formgrader_page_opens_in_its_own_tab(room, tokens, lesson):
    """JupyterHub >= 4.1 forbids framing (#1870): the page itself works when opened directly."""
    status, page = call(f"{room['url']}/services/{COURSE_ID}/formgrader/manage_assignments", tokens["sensei"])
    assert status == 200 and "Manage Assignments" in page, (status, page[:300])
