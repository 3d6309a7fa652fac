"""Fast checks of the room configuration and of the refusal to grade without a sandbox."""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config

from chiiki_iot.classroom import sandbox as sandbox_module
from chiiki_iot.classroom.autograde import autograde_class
from chiiki_iot.classroom.hub import RoomAccessError, configure
from chiiki_iot.classroom.room_access import check_room_access
from chiiki_iot.classroom.sandbox import Sandbox, SandboxConfigError, SandboxUnavailable
from chiiki_iot.cli import main
from class_helpers import ASSIGNMENT, MODULE, REPO, place, with_answers


def test_without_a_sandbox_nothing_is_graded_and_the_trainer_is_told_why(tmp_path, monkeypatch, capsys):
    """Fault injected with a mock: no usable bwrap on this machine."""
    from chiiki_iot.classroom.classroom_course import ClassCourse

    monkeypatch.setattr(sandbox_module, "_bwrap_candidates", lambda: [])
    sandbox_module._find.cache_clear()
    try:
        course = ClassCourse.create(tmp_path / "c", [MODULE])
        course.generate(ASSIGNMENT)
        place(course, "tanaka", with_answers(course))
        with pytest.raises(SandboxUnavailable, match="採点を止めました"):
            autograde_class(course.root, ASSIGNMENT)
        assert main(["class", "autograde", ASSIGNMENT, "--course", str(course.root)]) == 1
        err = capsys.readouterr().err
        assert "bubblewrap" in err and "--unsafe-no-sandbox" in err
        assert not (course.root / "autograded").exists(), "nothing may run unsandboxed by default"
    finally:
        sandbox_module._find.cache_clear()


def test_a_course_inside_the_python_environment_is_refused():
    sandbox = Sandbox.find()
    inside = sandbox.read_only_paths()[0] / "course"
    with pytest.raises(SandboxConfigError, match="見える場所"):
        sandbox.check_hidden([inside])


def test_room_configuration_groups_roles_and_formgrader_service(tmp_path):
    room = {"courses": [{"course_id": "kensyu", "grader": "grader-kensyu", "course_dir": str(tmp_path / "course"),
                         "port": 9901}],
            "trainers": ["sensei"], "learners": ["tanaka", "suzuki"], "exchange": "/srv/nbgrader/exchange",
            "config_dir": str(tmp_path / "jupyter"), "data_dir": str(tmp_path / "hub")}
    (tmp_path / "room.json").write_text(json.dumps(room), encoding="utf-8")
    c = Config()
    configure(c, tmp_path / "room.json", check_access=False)  # these accounts exist only in the room file
    groups = c.JupyterHub.load_groups
    assert groups["nbgrader-kensyu"]["users"] == ["sensei", "suzuki", "tanaka"]
    assert groups["formgrade-kensyu"]["users"] == ["grader-kensyu", "sensei"]
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert "access:services!service=kensyu" in roles["formgrade-kensyu"]["scopes"]
    assert not any("access:services" in s for s in roles["nbgrader-kensyu"]["scopes"]), "learners cannot open the formgrader"
    service = c.JupyterHub.services[0]
    assert service["name"] == "kensyu" and service["user"] == "grader-kensyu"
    text = (tmp_path / "jupyter" / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "path_includes_course = True" in text and "JupyterHubAuthPlugin" in text
    assert "c.NbGraderAPI.timezone = 'Asia/Tokyo'" in text, "times are shown in Japan time"
    assert "c.Exchange.timezone = 'UTC'" in text, "submission times recorded in UTC: nbgrader reads '... JST' as UTC"


def test_z2jh_values_mount_the_exchange_and_configure_nbgrader_like_the_room():
    values = yaml.safe_load((REPO / "grading" / "z2jh" / "values.yaml").read_text(encoding="utf-8"))
    mounts = values["singleuser"]["storage"]["extraVolumeMounts"]
    assert {"name": "nbgrader-exchange", "mountPath": "/srv/nbgrader/exchange"} in mounts
    config = values["singleuser"]["extraFiles"]["nbgrader-global-config"]["stringData"]
    for line in ('c.Exchange.root = "/srv/nbgrader/exchange"', "c.Exchange.path_includes_course = True",
                 'c.Exchange.timezone = "UTC"', 'c.NbGraderAPI.timezone = "Asia/Tokyo"',
                 "c.Authenticator.plugin_class = JupyterHubAuthPlugin"):
        assert line in config
    pvc = yaml.safe_load((REPO / "grading" / "z2jh" / "exchange-pvc.yaml").read_text(encoding="utf-8"))
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]


# ---------------------------------------------------------------- can the room's accounts reach their folders?
# A real non-root account of every Linux machine stands for the learners, trainers and graders.
ACCOUNT = "nobody"


@pytest.fixture
def open_base():
    """A folder everyone may enter (pytest's own tmp_path lies under a 0700 folder)."""
    base = Path(tempfile.mkdtemp(prefix="chiiki-access-", dir="/tmp"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def a_room(base: Path, course_dir: Path, exchange_mode=0o1777) -> dict:
    course_dir.mkdir(parents=True, exist_ok=True)
    course_dir.chmod(0o777)  # the grader's course folder (without chown, so that no root is needed)
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(exchange_mode)
    (base / "jupyter").mkdir()
    room = {"courses": [{"course_id": "kensyu", "grader": ACCOUNT, "course_dir": str(course_dir), "port": 9901}],
            "trainers": [ACCOUNT], "learners": [ACCOUNT], "exchange": str(exchange),
            "config_dir": str(base / "jupyter"), "data_dir": str(base / "hub")}
    (base / "room.json").write_text(json.dumps(room), encoding="utf-8")
    return room


def test_a_room_whose_accounts_reach_their_folders_passes(open_base):
    check_room_access(a_room(open_base, open_base / "course"), environment=False)


def test_a_course_folder_under_a_0700_folder_stops_the_room_naming_folder_account_and_fix(open_base):
    """Deliberately broken: the course lies in a folder only root may enter (like a clone under /root)."""
    locked = open_base / "locked"
    room = a_room(open_base, locked / "course")
    locked.chmod(0o700)
    with pytest.raises(RoomAccessError) as raised:
        check_room_access(room, environment=False)
    text = str(raised.value)
    assert f"{locked}（drwx------ root:root）に、アカウント {ACCOUNT} が入れません" in text, text
    assert f"コース kensyu のフォルダ {locked / 'course'}" in text
    assert f"`chmod o+x {locked}`" in text and "もう一度 JupyterHub を起動してください" in text
    # the hub's configuration stops with the same message before JupyterHub starts anything
    with pytest.raises(RoomAccessError, match=re.escape(f"`chmod o+x {locked}`")):
        configure(Config(), open_base / "room.json")


def test_an_exchange_the_learners_cannot_write_is_named_with_its_fix(open_base):
    room = a_room(open_base, open_base / "course", exchange_mode=0o755)
    with pytest.raises(RoomAccessError) as raised:
        check_room_access(room, environment=False)
    text = str(raised.value)
    assert f"{room['exchange']}（drwxr-xr-x root:root）を、アカウント {ACCOUNT} が使えません" in text, text
    assert f"`chmod 1777 {room['exchange']}`" in text


def test_an_account_missing_from_the_machine_is_named(open_base):
    room = a_room(open_base, open_base / "course")
    room["learners"].append("chiiki-no-such-learner")
    with pytest.raises(RoomAccessError, match="アカウント chiiki-no-such-learner がこのマシンにありません"):
        check_room_access(room, environment=False)


def test_the_python_environment_is_checked_for_every_account(open_base):
    """The project's Python must be reachable by the room's accounts: judged exactly as the kernel would."""
    room = a_room(open_base, open_base / "course")
    blocked = [p for p in Path(os.path.realpath(Path(os.__file__))).parents
               if p != Path("/") and not os.stat(p).st_mode & 0o001]
    if blocked:  # e.g. Python under /root on this machine: named with both fixes
        with pytest.raises(RoomAccessError) as raised:
            check_room_access(room)
        assert f"`chmod o+x {blocked[-1]}`" in str(raised.value) and "clone し直し" in str(raised.value)
    else:
        check_room_access(room)
