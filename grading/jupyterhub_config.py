"""JupyterHub for a 地域IoTアカデミー training room (one machine, nbgrader exchange, one formgrader per course).

Start (as root, from the repository, after `./academy test` or `./academy lab` made .venv and `npm ci`):

    CHIIKI_IOT_ROOM=/srv/chiiki-iot/room.json .venv/bin/jupyterhub -f grading/jupyterhub_config.py

Everything room-specific (courses, trainers, learners, exchange, ports) is in the room file;
see grading/README.md (「JupyterHub で教室を動かす」) and chiiki_iot/classroom/hub.py.
Before starting, it checks that every account of the room can reach the project's Python,
the course folders and the exchange; if not, it stops with what to fix.
"""
import os
import sys
from pathlib import Path

from chiiki_iot.classroom.hub import RoomAccessError, configure

c = get_config()  # noqa: F821  (provided by JupyterHub)
try:
    configure(c, Path(os.environ.get("CHIIKI_IOT_ROOM", "/srv/chiiki-iot/room.json")))
except (RoomAccessError, FileNotFoundError) as e:
    # SystemExit passes through JupyterHub's config loading: the message alone, no traceback
    sys.exit(f"JupyterHub を起動できません。\n{e}")
