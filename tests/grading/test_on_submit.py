"""Grading on submit: learners submit with nbgrader's own exchange (``ExchangeSubmit``, what the
Assignments tab runs), the class's service grades each submission in the sandbox and returns that
learner's feedback, which they fetch with nbgrader's ``ExchangeFetchFeedback``.

One class (logical_thinking-01, an exchange, no hub: the hub's own run is in
``test_hub_end_to_end.py``), one service running in a thread with one worker.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import nbformat
import pytest

from chiiki_iot.classroom.classroom_course import ClassCourse
from chiiki_iot.classroom.commands import run as class_command
from chiiki_iot.classroom.feedback import html_text, source_secrets
from chiiki_iot.classroom.on_submit import FairQueue, OnSubmitService, Submission
from class_helpers import ASSIGNMENT, MODULE, NOTEBOOK, answers_of_source, learner_notebook, typical_answers

COURSE_ID = "kensyu"
WAIT_S = 120   # a bound on failure only


def nbgrader_exchange(step: str, home: Path, student: str) -> None:
    """nbgrader's own submit or fetch_feedback as the learner's Assignments tab runs it (in-process,
    with the learner's own cache, where their submission secret is kept)."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchFeedback, ExchangeSubmit
    from traitlets.config import Config

    from chiiki_iot.curriculum.nbgrader_course import in_folder

    config = Config()
    config.Exchange.root = str(home.parent.parent / "exchange")
    config.Exchange.path_includes_course = True
    config.Exchange.cache = str(home / "cache")
    config.CourseDirectory.course_id = COURSE_ID
    config.CourseDirectory.assignment_id = ASSIGNMENT
    config.CourseDirectory.student_id = student
    step_class = {"submit": ExchangeSubmit, "fetch_feedback": ExchangeFetchFeedback}[step]
    with in_folder(home):
        step_class(coursedir=CourseDirectory(config=config), authenticator=Authenticator(config=config),
                   config=config).start()


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    base = tmp_path_factory.mktemp("on_submit")
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)
    course = ClassCourse.create(base / "course", [MODULE], course_id=COURSE_ID, exchange=exchange)
    course.release(ASSIGNMENT)
    course.set_on_submit(ASSIGNMENT, True)
    service = OnSubmitService(course, workers=1, allow_root=True, out=open(os.devnull, "w"))
    service.start()   # its workers are this fixture's processes
    thread = threading.Thread(target=service.serve, daemon=True)
    thread.start()
    try:
        yield {"base": base, "course": course, "service": service, "thread": thread}
    finally:
        service.stop.set()
        thread.join(timeout=60)


def submit(room, student: str, answers: dict[str, str]) -> None:
    home = room["base"] / "homes" / student
    folder = home / COURSE_ID / ASSIGNMENT
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(room["course"].root / "release" / ASSIGNMENT, folder)
    nbformat.write(learner_notebook(room["course"], answers), folder / NOTEBOOK)
    nbgrader_exchange("submit", home, student)


def handled(room) -> list[dict]:
    log = room["course"].root / "reports" / "on_submit.jsonl"
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def wait_handled(room, student: str, count: int = 1) -> dict:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        mine = [h for h in handled(room) if h["student"] == student]
        if len(mine) >= count:
            return mine[count - 1]
        time.sleep(0.1)
    raise AssertionError(f"{student}'s submission was not handled: {handled(room)}")


def fetched_feedback(room, student: str) -> list[str]:
    home = room["base"] / "homes" / student
    nbgrader_exchange("fetch_feedback", home, student)
    return [html_text(p) for p in sorted((home / COURSE_ID / ASSIGNMENT / "feedback").glob("*/*.html"))]


@pytest.fixture(scope="module")
def graded(room):
    submit(room, "tanaka", answers_of_source())
    submit(room, "suzuki", {**answers_of_source(), **typical_answers()})
    return {s: wait_handled(room, s) for s in ("tanaka", "suzuki")}


def test_the_queue_is_first_come_first_served_with_one_place_per_learner():
    queue = FairQueue()
    for student, stamp in [("a", "1"), ("b", "2"), ("a", "3"), ("c", "4")]:
        queue.put(Submission(student, "x", stamp, Path("."), 0.0))
    taken = [queue.get(0) for _ in range(3)]
    assert [(s.student, s.timestamp) for s in taken] == [("a", "3"), ("b", "2"), ("c", "4")]
    assert queue.get(0) is None


def test_each_submission_is_graded_and_its_feedback_returned_to_that_learner_only(room, graded):
    assert graded["tanaka"]["status"] == "returned" and graded["tanaka"]["score"] == graded["tanaka"]["max_score"] > 0
    assert graded["suzuki"]["status"] == "returned" and 0 < graded["suzuki"]["score"] < graded["suzuki"]["max_score"]
    secrets = source_secrets(room["course"].root / "source" / ASSIGNMENT / NOTEBOOK)
    pages = {s: fetched_feedback(room, s) for s in ("tanaka", "suzuki")}
    for student, texts in pages.items():
        assert len(texts) == 1, f"{student} fetched {len(texts)} pages"
        assert "あなたの答え" in texts[0]
        assert not [s for s in secrets if s in texts[0]], "hidden tests reached a learner"
    assert "符号が逆です" in pages["suzuki"][0] and "符号が逆です" not in pages["tanaka"][0]
    assert room["course"].scores(ASSIGNMENT, "tanaka").auto_score == graded["tanaka"]["score"], "the gradebook has it"


def test_the_trainers_view_shows_each_submission_as_it_is_graded(room, graded):
    """Grading on submit writes the gradebook at once: the view (``chiiki-iot class view --watch``)
    built now has both learners, the right answers and the typical mistake's hint."""
    from chiiki_iot.classroom.class_view import read_view

    view = read_view(room["course"], ASSIGNMENT)
    assert view.graded >= 2
    assert view.state("tanaka").score == graded["tanaka"]["score"]
    gap = [h for h in view.hints_of("q2_gap") if "符号が逆です" in h.hint]
    assert gap and "suzuki" in gap[0].learners, view.hints


def test_a_new_submission_is_graded_again(room, graded):
    submit(room, "suzuki", answers_of_source())
    again = wait_handled(room, "suzuki", count=2)
    assert again["status"] == "returned" and again["score"] == again["max_score"]


def test_a_submission_made_by_another_account_in_a_learners_name_is_refused(room, graded):
    """The exchange's inbound folder is writable by everyone: 'nobody' is a real account here, and a
    folder in its name that root made is not nobody's own submission."""
    submit(room, "nobody", answers_of_source())
    refused = wait_handled(room, "nobody")
    assert refused["status"] == "refused" and "本人のアカウントで作られていません" in refused["notes"][0]
    assert not (room["course"].root / "submitted" / "nobody").exists()


def test_the_trainer_turns_it_off_per_assignment(room, graded, capsys):
    args = type("Args", (), {"class_command": "on-submit", "course": room["course"].root,
                             "assignment": ASSIGNMENT, "off": True})()
    assert class_command(args) == 0
    assert "すぐには採点しません" in capsys.readouterr().out
    before = len(handled(room))
    submit(room, "sato", answers_of_source())
    time.sleep(10 * room["service"].poll)
    assert len(handled(room)) == before and not (room["course"].root / "submitted" / "sato").exists()
    room["course"].set_on_submit(ASSIGNMENT, True)
    assert wait_handled(room, "sato")["status"] == "returned", "turned on again, the waiting submission is graded"


def test_stopping_the_service_stops_its_workers(room, graded):
    workers = [p for p, command in _children() if "chiiki_iot.classroom.worker" in command]
    assert workers, "the service's workers run while it serves"
    room["service"].stop.set()
    room["thread"].join(timeout=60)
    assert not room["thread"].is_alive()
    assert not [p for p in workers if _running(p)]


def _running(process) -> bool:
    import psutil

    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _children():
    import psutil

    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            found.append((process, " ".join(process.cmdline())))
        except psutil.Error:   # ended meanwhile
            continue
    return found
