"""Fast checks of the room configuration and of the refusal to grade without a sandbox."""
from __future__ import annotations

import json

import pytest
import yaml
from traitlets.config import Config

from chiiki_iot.classroom import sandbox as sandbox_module
from chiiki_iot.classroom.autograde import autograde_class
from chiiki_iot.classroom.hub import configure
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
    configure(c, tmp_path / "room.json")
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
