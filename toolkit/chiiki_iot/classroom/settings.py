"""The class settings added to a course's ``nbgrader_config.py``, and loading nbgrader's API.

They make every nbgrader run in the course folder safe and Japanese, whoever starts
it (``chiiki-iot class``, ``nbgrader`` on the command line, or the formgrader):
sandboxed execution, feedback without hidden tests, Japan time.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

TIMEZONE = "Asia/Tokyo"

AUTOGRADE_PREPROCESSORS = [
    "chiiki_iot.classroom.execute.SafeExecute",     # in place of nbgrader.preprocessors.Execute
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
FEEDBACK_PREPROCESSORS = [
    "nbgrader.preprocessors.GetGrades",
    "chiiki_iot.classroom.feedback.HideGraderSecrets",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

CLASS_CONFIG = '''
# --- class operations (chiiki_iot.classroom.settings): safe autograde, feedback without hidden tests, JST ---
c.Autograde.autograde_preprocessors = {autograde!r}
c.GenerateFeedback.preprocessors = {feedback!r}
c.SafeExecute.max_output_bytes = {max_output}
c.SafeExecute.max_timeouts = 2
c.NbGraderAPI.timezone = {tz!r}
c.Exchange.timezone = {tz!r}
c.Exchange.path_includes_course = True
c.NbGrader.logfile = {logfile!r}
'''


def class_config(root: Path, exchange: Path | None = None, max_output: int = 500_000) -> str:
    text = CLASS_CONFIG.format(autograde=AUTOGRADE_PREPROCESSORS, feedback=FEEDBACK_PREPROCESSORS,
                               tz=TIMEZONE, max_output=max_output, logfile=str(Path(root) / "nbgrader.log"))
    if exchange is not None:
        text += f"c.Exchange.root = {str(exchange)!r}\n"
    return text


@contextmanager
def in_folder(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def nbgrader_api(root: Path, **overrides):
    """nbgrader's ``NbGraderAPI`` for the course in ``root``, with its config files loaded.

    ``overrides``: ``{"SafeExecute": {"sandbox": False}}`` style settings applied last.
    """
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.apps.baseapp import NbGrader
    from traitlets.config import Config

    root = Path(root).resolve()
    if "JUPYTERHUB_API_TOKEN" not in os.environ:
        # nbgrader's JupyterHubAuthPlugin (set for the whole room) only decides which courses a
        # *learner's* server lists; outside a hub server the trainer's steps need no hub login.
        overrides.setdefault("Authenticator", {}).setdefault("plugin_class", "nbgrader.auth.base.NoAuthPlugin")
    with in_folder(root):
        app = NbGrader()
        app.initialize([], root=str(root))
        extra = Config(overrides)
        app.update_config(extra)
        app.coursedir.update_config(extra)
        api = NbGraderAPI(app.coursedir, parent=app)
    return api
