"""JupyterHub for a training room: one machine, one hub, nbgrader's exchange, one formgrader per course.

``grading/jupyterhub_config.py`` calls ``configure(c, room_file)``. The room file
(JSON, written by the trainer or by ``room_file()``) says who is in the room::

    {"courses": [{"course_id": "kensyu2026", "grader": "grader-kensyu2026",
                  "course_dir": "/home/grader-kensyu2026/course", "port": 9901}],
     "trainers": ["sensei"], "learners": ["tanaka", "suzuki"],
     "exchange": "/srv/nbgrader/exchange", "config_dir": "/srv/chiiki-iot/jupyter",
     "ip": "0.0.0.0", "port": 8000, "data_dir": "/srv/chiiki-iot/hub"}

What it sets up (nbgrader's documented multi-course layout):

* users: the learners and trainers (system accounts, PAM login by default), each
  with their own single-user JupyterLab started as their own Unix user;
* groups ``nbgrader-<course>`` (learners and trainers: see the course's assignments) and
  ``formgrade-<course>`` (trainers and the grader account: open the formgrader);
* with ``"grade_on_submit": true`` in a course, a second managed service ``<course>-on-submit``
  that runs ``chiiki-iot class serve`` as the grader account (grading each submission of the
  assignments turned on with ``chiiki-iot class on-submit``, see ``on_submit``);
* one managed service per course, named like the course, running JupyterLab as the
  grader account in the course folder: its formgrader is
  ``/services/<course>/formgrader``. JupyterHub ≥ 4.1 forbids showing it inside
  JupyterLab's frame (jupyter/nbgrader#1870), so trainers open that address in its own
  browser tab (nbgrader's documented workaround; no security setting is loosened);
* a global ``nbgrader_config.py`` in ``config_dir`` (exchange, course ids in paths,
  JupyterHub groups decide who is in which course, Japan time), found by every server
  through ``JUPYTER_CONFIG_PATH``;
* optionally an operations token (``CHIIKI_IOT_OPS_TOKEN``) for scripts, e.g. starting
  every learner's server before the class begins.

Before any of that is handed to JupyterHub, ``configure`` checks that every account of the
room can reach the project's Python, the course folders, the exchange and the config
(``room_access``): a checkout in a folder they cannot enter stops the hub at once with
the folder, the accounts and the fix, instead of servers failing later one by one.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from ..checks.python_errors import enable_in_kernels
from ..curriculum.modules import repo_root
from .room_access import RoomAccessError, check_room_access
from .settings import EXCHANGE_TIMEZONE, TIMEZONE

__all__ = ["RoomAccessError", "configure", "load_room", "proxy_command", "write_server_configs"]

GLOBAL_NBGRADER_CONFIG = """\
# nbgrader settings for every server in the training room (written by chiiki_iot.classroom.hub)
from nbgrader.auth import JupyterHubAuthPlugin
c = get_config()
c.Exchange.root = {exchange!r}
c.Exchange.path_includes_course = True
c.Exchange.timezone = {exchange_tz!r}   # submission times recorded in UTC (nbgrader misreads "JST"), shown in JST
c.NbGraderAPI.timezone = {tz!r}
c.Authenticator.plugin_class = JupyterHubAuthPlugin
"""

GRADER_NBGRADER_CONFIG = """\
# the grader account's course folder (written by chiiki_iot.classroom.hub)
c = get_config()
c.CourseDirectory.root = {course_dir!r}
"""


def load_room(path: Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"教室の設定ファイル {path} がありません。grading/README.md の「JupyterHub」の手順で作ってください。")
    room = json.loads(path.read_text(encoding="utf-8"))
    room.setdefault("ip", "0.0.0.0")
    room.setdefault("port", 8000)
    room.setdefault("trainers", [])
    room.setdefault("learners", [])
    return room


def write_server_configs(room: dict) -> Path:
    """The global nbgrader config, and one per grader account (its course folder)."""
    config_dir = Path(room["config_dir"])
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "nbgrader_config.py").write_text(
        GLOBAL_NBGRADER_CONFIG.format(exchange=room["exchange"], tz=TIMEZONE, exchange_tz=EXCHANGE_TIMEZONE), encoding="utf-8")
    for course in room["courses"]:
        grader_dir = config_dir / "graders" / course["course_id"]
        grader_dir.mkdir(parents=True, exist_ok=True)
        (grader_dir / "nbgrader_config.py").write_text(
            GRADER_NBGRADER_CONFIG.format(course_dir=course["course_dir"]), encoding="utf-8")
    return config_dir


def proxy_command() -> list[str]:
    """configurable-http-proxy installed by the project's package.json (npm ci), else from PATH."""
    local = repo_root() / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return [str(local)]
    found = shutil.which("configurable-http-proxy")
    if found:
        return [found]
    raise FileNotFoundError("configurable-http-proxy が見つかりません。リポジトリで `npm ci` を実行してください。")


def configure(c, room_file: Path, check_access: bool = True) -> dict:
    """Fill JupyterHub's config object ``c`` for the room described in ``room_file``.

    Raises ``RoomAccessError`` (its message says what to fix) when a room account cannot
    reach what its server needs; ``check_access=False`` skips that (accounts that exist
    only on another machine, e.g. in a unit test of the configuration).
    """
    room = load_room(room_file)
    enable_in_kernels()  # the learners' kernels explain Python's errors in Japanese, as chiiki-iot lab's do
    config_dir = write_server_configs(room)
    if check_access:
        check_room_access(room)
    bin_dir = str(Path(sys.executable).parent)
    path = bin_dir + os.pathsep + "/usr/local/bin:/usr/bin:/bin"

    c.JupyterHub.bind_url = f"http://{room['ip']}:{room['port']}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = int(room.get("hub_api_port", 8081))
    c.ConfigurableHTTPProxy.command = proxy_command()
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(room.get('proxy_api_port', 8001))}"
    data_dir = Path(room.get("data_dir", "."))
    data_dir.mkdir(parents=True, exist_ok=True)
    c.JupyterHub.db_url = f"sqlite:///{data_dir / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(data_dir / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(data_dir / "jupyterhub.pid")

    c.Authenticator.allowed_users = set(room["learners"]) | set(room["trainers"])
    c.Authenticator.admin_users = set(room["trainers"])
    c.Spawner.cmd = [str(Path(bin_dir) / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab"
    c.Spawner.environment = {"JUPYTER_CONFIG_PATH": str(config_dir), "PATH": path, "TZ": TIMEZONE,
                             "LANG": "C.UTF-8"}
    c.Spawner.http_timeout = int(room.get("spawn_timeout", 60))
    c.Spawner.start_timeout = int(room.get("spawn_timeout", 60))

    groups, roles, services = {}, [], []
    roles.append({"name": "server", "scopes": ["inherit"]})
    for course in room["courses"]:
        cid, grader = course["course_id"], course["grader"]
        groups[f"nbgrader-{cid}"] = {"users": sorted(set(room["learners"]) | set(room["trainers"]))}
        groups[f"formgrade-{cid}"] = {"users": sorted(set(room["trainers"]) | {grader})}
        roles.append({"name": f"formgrade-{cid}", "groups": [f"formgrade-{cid}"],
                      "scopes": [f"access:services!service={cid}", "list:services", f"read:services!service={cid}"]})
        roles.append({"name": f"nbgrader-{cid}", "groups": [f"nbgrader-{cid}"],
                      "scopes": ["list:services", f"read:services!service={cid}"]})
        # the course's service (nbgrader's JupyterHubAuthPlugin) reads who is in which course and
        # adds learners to its own nbgrader-<course> group; nothing more
        roles.append({"name": f"service-{cid}", "services": [cid],
                      "scopes": ["list:users", "read:users", "list:groups", "read:groups",
                                 f"groups!group=nbgrader-{cid}"]})
        services.append({
            "name": cid,
            "url": f"http://127.0.0.1:{int(course['port'])}",
            "command": [str(Path(bin_dir) / "jupyterhub-singleuser"), f"--ServerApp.root_dir={course['course_dir']}"],
            "user": grader,
            "cwd": course["course_dir"],
            "environment": {"JUPYTERHUB_DEFAULT_URL": "/lab", "PATH": path, "TZ": TIMEZONE, "LANG": "C.UTF-8",
                            "JUPYTER_CONFIG_PATH": os.pathsep.join(
                                [str(config_dir / "graders" / cid), str(config_dir)])},
            "oauth_no_confirm": True,
        })
        if course.get("grade_on_submit"):
            # grading on submit (chiiki-iot class serve) as the grader account; which assignments, the
            # trainer decides with `chiiki-iot class on-submit` in the course's terminal
            services.append({
                "name": f"{cid}-on-submit",
                "command": [str(Path(bin_dir) / "chiiki-iot"), "class", "serve", "--course", course["course_dir"],
                            *(["--workers", str(int(course["grade_on_submit_workers"]))]
                              if course.get("grade_on_submit_workers") else [])],
                "user": grader,
                "cwd": course["course_dir"],
                "environment": {"PATH": path, "TZ": TIMEZONE, "LANG": "C.UTF-8"},
            })
    token = os.environ.get("CHIIKI_IOT_OPS_TOKEN")
    if token:
        services.append({"name": "chiiki-iot-ops", "api_token": token})
        roles.append({"name": "chiiki-iot-ops", "services": ["chiiki-iot-ops"],
                      "scopes": ["admin:users", "admin:servers", "tokens", "admin:groups", "list:services",
                                 "read:services"]})
    c.JupyterHub.load_groups = groups
    c.JupyterHub.load_roles = roles
    c.JupyterHub.services = services
    return room
