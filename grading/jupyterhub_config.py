"""JupyterHub for a 地域IoTアカデミー training room (one machine, nbgrader exchange, one formgrader per course).

Start (as root, from the repository, after `./academy test` or `./academy lab` made .venv and `npm ci`):

    CHIIKI_IOT_ROOM=/srv/chiiki-iot/room.json .venv/bin/jupyterhub -f grading/jupyterhub_config.py

Everything room-specific (courses, trainers, learners, exchange, ports) is in the room file;
see grading/README.md (「JupyterHub で教室を動かす」) and chiiki_iot/classroom/hub.py.
"""
import os
from pathlib import Path

from chiiki_iot.classroom.hub import configure

c = get_config()  # noqa: F821  (provided by JupyterHub)
configure(c, Path(os.environ.get("CHIIKI_IOT_ROOM", "/srv/chiiki-iot/room.json")))
