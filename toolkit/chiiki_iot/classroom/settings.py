"""The class settings added to a course's ``nbgrader_config.py``, and loading nbgrader's API.

They make every nbgrader run in the course folder safe and Japanese, whoever starts
it (``chiiki-iot class``, ``nbgrader`` on the command line, or the formgrader):
sandboxed execution, learner outputs made inert (no script runs in the formgrader or the
feedback page), feedback without hidden tests and in Japanese, Japan time.

Times are *shown* in Japan time (``NbGraderAPI.timezone``) but the exchange *records*
submission times in UTC (``EXCHANGE_TIMEZONE``): with ``Exchange.timezone = "Asia/Tokyo"``
nbgrader writes ``2026-12-01 16:30:00.000000 JST`` into ``timestamp.txt`` and its own
``parse_utc`` then reads that as 16:30 UTC, nine hours late - every submission made in the
nine hours before a due date would count as late (measured with nbgrader 0.9.6).
"""
from __future__ import annotations

from pathlib import Path

from ..jst import JST

TIMEZONE = JST.key
EXCHANGE_TIMEZONE = "UTC"   # what nbgrader writes into timestamp.txt (see above)
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"   # holds feedback/ (nbgrader's template name)

AUTOGRADE_PREPROCESSORS = [
    "chiiki_iot.classroom.execute.SafeExecute",     # in place of nbgrader.preprocessors.Execute
    "chiiki_iot.classroom.sanitise.SanitiseOutputs",  # learner outputs inert before formgrader / feedback see them
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
    "chiiki_iot.classroom.feedback.FeedbackFacts",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

CLASS_CONFIG = '''
# --- class operations (chiiki_iot.classroom.settings): safe autograde, feedback without hidden tests, JST ---
c.Autograde.autograde_preprocessors = {autograde!r}
c.GenerateFeedback.preprocessors = {feedback!r}
c.SafeExecute.max_output_bytes = {max_output}
c.SafeExecute.max_timeouts = 2
c.NbGraderAPI.timezone = {tz!r}
c.Exchange.timezone = {exchange_tz!r}
c.Exchange.path_includes_course = True
c.NbGrader.logfile = {logfile!r}
'''
FEEDBACK_TEMPLATE_CONFIG = '''# the learner's feedback page in Japanese: nbgrader renders feedback with the template named
# "feedback" (its API and the formgrader force that name); the first folder's "feedback" comes
# before nbgrader's, whose folder stays listed for the formgrader's own "formgrade" template
c.HTMLExporter.extra_template_basedirs = {template_dirs!r}
c.HTMLExporter.filters = {{"chiiki_clean_html": "chiiki_iot.classroom.sanitise.clean_page_html"}}
'''


PAGE_FILTERS = {"chiiki_clean_html": "chiiki_iot.classroom.sanitise.clean_page_html"}


def template_dirs() -> list[str]:
    """Ours (the Japanese ``feedback``) first, then nbgrader's (``formgrade``, its CSS)."""
    import nbgrader

    nbgrader_templates = Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader" / "templates"
    return [str(TEMPLATE_DIR), str(nbgrader_templates)]


def feedback_template_config() -> str:
    """The ``nbgrader_config.py`` lines that make feedback pages Japanese (``templates/feedback``)."""
    return FEEDBACK_TEMPLATE_CONFIG.format(template_dirs=template_dirs())


def class_config(root: Path, exchange: Path | None = None, max_output: int = 500_000) -> str:
    text = CLASS_CONFIG.format(autograde=AUTOGRADE_PREPROCESSORS, feedback=FEEDBACK_PREPROCESSORS,
                               tz=TIMEZONE, exchange_tz=EXCHANGE_TIMEZONE, max_output=max_output,
                               logfile=str(Path(root) / "nbgrader.log")) + feedback_template_config()
    if exchange is not None:
        text += f"c.Exchange.root = {str(exchange)!r}\n"
    return text
