"""A class course: the nbgrader course of ``NbgraderCourse`` plus what a class needs.

``ClassCourse.create(root, modules)`` lays out the nbgrader course (each module an
assignment), writes the class settings into ``nbgrader_config.py`` (sandboxed
autograde, feedback without hidden tests, Japan time, the exchange) and records the
modules' titles and learning objectives in ``class.json`` for exports.
Every step after that is nbgrader's own app or API, run on this folder.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..curriculum.modules import COURSE_NAMES, Module
from ..curriculum.nbgrader_course import COURSE_ID, NbgraderCourse
from ..curriculum.rules import graded_questions
from ..jst import now_jst
from .autograde import ClassReport, autograde_class
from .feedback import leaked_lines, source_secrets
from .sanitise import page_scripts, unsafe_markup
from .roster import Learner
from .settings import class_config

CLASS_FILE = "class.json"
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")  # nbgrader's own, release_feedback reads them


class ClassError(RuntimeError):
    """A class step cannot go on; the message says, in Japanese, what to do."""


@dataclass
class ClassCourse(NbgraderCourse):
    """An nbgrader course folder set up for running a class."""

    @classmethod
    def create(cls, root: Path, modules: list[Module], timeout: int = 60, course_id: str = COURSE_ID,
               exchange: Path | None = None, extra_config: str = "") -> "ClassCourse":
        root = Path(root).resolve()
        if (root / CLASS_FILE).exists():
            raise ClassError(f"{root} にはもうクラスがあります。続きの作業はそのフォルダで行ってください"
                             "（作り直す場合は別のフォルダを指定してください。成績簿を消さないためです）。")
        if not modules:
            raise ClassError("課題にするモジュールが見つかりません。courses/ のフォルダを確かめてください。")
        course = super().create(root, modules, timeout=timeout, course_id=course_id,
                                extra_config=class_config(root, exchange) + extra_config)
        info = {"course_id": course_id, "created": now_jst(), "exchange": str(exchange) if exchange else None,
                "assignments": [_assignment_info(m) for m in modules]}
        (root / CLASS_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
        return course

    @classmethod
    def open(cls, root: Path) -> "ClassCourse":
        root = Path(root).resolve()
        path = root / CLASS_FILE
        if not path.exists():
            raise ClassError(f"{root} はクラスのフォルダではありません（{CLASS_FILE} がありません）。"
                             "`chiiki-iot class setup フォルダ` で作るか、--course でフォルダを指定してください。")
        info = json.loads(path.read_text(encoding="utf-8"))
        return cls(root, info["course_id"])

    # -- facts ----------------------------------------------------------------
    @property
    def info(self) -> dict:
        return json.loads((self.root / CLASS_FILE).read_text(encoding="utf-8"))

    @property
    def assignments(self) -> list[str]:
        return [a["assignment"] for a in self.info["assignments"]]

    def check_assignment(self, assignment: str) -> str:
        if assignment not in self.assignments:
            raise ClassError(f"課題「{assignment}」はこのクラスにありません。あるもの: {', '.join(self.assignments)}")
        return assignment

    def on_submit_assignments(self) -> list[str]:
        """Assignments graded as soon as a learner submits (``chiiki-iot class on-submit``)."""
        return list(self.info.get("grade_on_submit", []))

    def set_on_submit(self, assignment: str, on: bool) -> None:
        """Turn grading on submit on or off for one assignment (read live by ``chiiki-iot class serve``)."""
        self.check_assignment(assignment)
        info = self.info
        chosen = [a for a in info.get("grade_on_submit", []) if a != assignment] + ([assignment] if on else [])
        info["grade_on_submit"] = chosen
        path = self.root / CLASS_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(info, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        temporary.replace(path)   # the service never reads a half-written file

    # -- roster -----------------------------------------------------------------
    def add_learners(self, learners: list[Learner]) -> tuple[int, int]:
        """Add or update learners in the gradebook; (added, updated). Nobody is removed."""
        from nbgrader.api import Gradebook, MissingEntry

        added = updated = 0
        with Gradebook(self.db_url, course_id=self.course_id) as gb:
            for learner in learners:
                try:
                    gb.find_student(learner.id)
                    updated += 1
                except MissingEntry:
                    added += 1
                gb.update_or_create_student(learner.id, first_name=learner.first_name or None,
                                            last_name=learner.last_name or None, email=learner.email or None)
        return added, updated

    def learners(self) -> list[Learner]:
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url, course_id=self.course_id) as gb:
            return [Learner(s.id, s.last_name or "", s.first_name or "", s.email or "") for s in gb.students]

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    # -- release / collect (nbgrader's exchange) ------------------------------
    def release(self, assignment: str) -> str:
        """generate_assignment, then release_assignment to the exchange (if one is set)."""
        self.check_assignment(assignment)
        self.generate(assignment)
        if not self.info.get("exchange"):
            return "exchange なし: release/ に配布版を作りました（JupyterHub の外では、このフォルダを配ってください）。"
        result = self.api().release_assignment(assignment)
        _raise_unless(result, f"課題 {assignment} を配布できませんでした")
        return f"課題 {assignment} を配布しました。学習者は Assignments の画面で Fetch できます。"

    def collect(self, assignment: str) -> list[str]:
        """nbgrader collect: the newest submission of every learner into submitted/."""
        self.check_assignment(assignment)
        if not self.info.get("exchange"):
            raise ClassError("このクラスには exchange（JupyterHub での受け渡し）がありません。"
                             "提出物は submitted/<ID>/<課題>/ に置いてください。")
        result = self.api().collect(assignment)
        _raise_unless(result, f"課題 {assignment} の提出物を回収できませんでした")
        base = self.root / "submitted"
        return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir()) if base.is_dir() else []

    # -- grading --------------------------------------------------------------
    def autograde_class(self, assignment: str, **kw) -> ClassReport:
        self.check_assignment(assignment)
        return autograde_class(self.root, assignment, **kw)

    def feedback(self, assignment: str, release: bool | None = None, student: str | None = None) -> "FeedbackReport":
        """generate_feedback (hidden tests removed), check every learner's page, release the good ones
        (``student``: that learner's only, as grading on submit does).

        One learner never stops the class: a page that still carries a hidden-test line or code
        that could run, or that nbgrader could not make, is moved to ``feedback_withheld/`` (or
        missing) for that learner only, with the reason in Japanese; everyone else gets theirs.
        Learners' other submitted files are not copied into ``feedback/`` (only the notebooks'
        pages are ever returned, with nbgrader's ``timestamp.txt`` and ``submission_secret.txt``
        that ``release_feedback`` needs), so no file or folder a learner submits can block the step.
        """
        self.check_assignment(assignment)
        # CourseDirectory.ignore "*": generate_feedback copies none of the learner's other files
        api = self.api(CourseDirectory={"ignore": ["*", ".*"]})
        result = api.generate_feedback(assignment, student_id=student, force=True)
        students = sorted(p.parent.name for p in (self.root / "autograded").glob(f"{student or '*'}/{assignment}")
                          if p.is_dir())
        pages = [nb.stem + ".html" for nb in sorted((self.root / "source" / assignment).glob("*.ipynb"))]
        secrets = set()
        for nb in (self.root / "source" / assignment).glob("*.ipynb"):
            secrets |= source_secrets(nb)
        report = FeedbackReport(assignment)
        for student in students:
            folder = self.root / "feedback" / student / assignment
            reasons = []
            for name in pages:
                page = folder / name
                if not page.is_file():
                    reasons.append(f"{name} を作れませんでした（理由は nbgrader.log にあります）")
                    continue
                if leaked_lines(page, secrets):
                    reasons.append(f"{name} に隠しテストの行が含まれていました（学習者のコードが出力した可能性があります）")
                unsafe = unsafe_markup(page, self._template_scripts(api))
                if unsafe:
                    reasons.append(f"{name} に動くおそれのあるコード（{', '.join(sorted(set(unsafe))[:3])}）がありました")
            if reasons:
                report.withheld[student] = reasons
                if folder.exists():
                    quarantine = self.root / "feedback_withheld" / student / assignment
                    if quarantine.exists():
                        shutil.rmtree(quarantine)
                    quarantine.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(folder), quarantine)
                    if not any(folder.parent.iterdir()):
                        folder.parent.rmdir()
                continue
            for extra in folder.iterdir():  # only the notebooks' pages are returned
                if extra.name not in pages:
                    shutil.rmtree(extra) if extra.is_dir() and not extra.is_symlink() else extra.unlink()
            # release_feedback names each page by the submission's time and secret (nbgrader's own files)
            for name in NBGRADER_FILES:
                kept = self.root / "autograded" / student / assignment / name
                if kept.is_file() and not kept.is_symlink():
                    shutil.copyfile(kept, folder / name)
            report.files += [folder / name for name in pages]
        if not report.files and students:
            raise ClassError(f"課題 {assignment} のフィードバックを一人分も作れませんでした。"
                             f"{report.summary()}\nnbgrader の記録:\n{result.get('log', '')}{result.get('error', '')}")
        if release is None:
            release = bool(self.info.get("exchange"))
        if release and report.files:
            result = api.release_feedback(assignment, student_id=student)
            _raise_unless(result, f"課題 {assignment} のフィードバックを返却できませんでした")
            report.released = True
        return report

    def _template_scripts(self, api) -> set[str]:
        """The scripts the class's feedback template itself puts in every page: those of a page
        rendered, with the class's own nbgrader configuration, from a notebook with no cells."""
        if getattr(self, "_scripts", None) is None:
            import copy

            import nbformat
            import nbgrader
            from nbconvert.exporters import HTMLExporter

            from .settings import template_dirs

            config = copy.deepcopy(api.config)
            # what nbgrader's GenerateFeedback adds when the configuration leaves it unset
            if "template_name" not in config.HTMLExporter:
                config.HTMLExporter.template_name = "feedback"
            if "extra_template_basedirs" not in config.HTMLExporter:
                config.HTMLExporter.extra_template_basedirs = template_dirs()[1:]
            config.HTMLExporter.extra_template_paths = [str(
                Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader" / "static"
                / "node_modules" / "bootstrap" / "dist" / "css")]
            exporter = HTMLExporter(config=config)
            body, _ = exporter.from_notebook_node(nbformat.v4.new_notebook(), resources={
                "nbgrader": {"notebook": "x", "score": 0, "max_score": 0, "late_penalty": 0}, "chiiki_iot": {}})
            self._scripts = set(page_scripts(body)[1])
        return self._scripts


@dataclass
class FeedbackReport:
    """Feedback pages made and checked for one assignment; who was withheld and why (Japanese)."""

    assignment: str
    files: list[Path] = field(default_factory=list)
    withheld: dict[str, list[str]] = field(default_factory=dict)
    released: bool = False

    def summary(self) -> str:
        lines = [f"課題 {self.assignment}: {len({f.parent.parent.name for f in self.files})} 人分のフィードバックを"
                 f"{'返却しました' if self.released else '作りました'}（隠しテストと動くコードがないことを確かめ済みです）。"]
        if self.withheld:
            lines.append(f"次の {len(self.withheld)} 人のフィードバックは配っていません（feedback_withheld/ にあります。ほかの人には影響ありません）:")
            for student, reasons in self.withheld.items():
                lines.append(f"  {student}: " + "。".join(reasons) + "。")
            lines.append("提出物と feedback_withheld/ の中身を確かめてください。問題が学習者の提出物にあるときは、出し直してもらってから "
                         "autograde と feedback をもう一度実行します。隠しテストが出力されていた場合は、その人には点数だけを伝えてください。")
        return "\n".join(lines)


def _raise_unless(result: dict, what: str) -> None:
    if not result.get("success"):
        raise ClassError(f"{what}。nbgrader の記録:\n{result.get('log', '')}{result.get('error', '')}")


def _assignment_info(module: Module) -> dict:
    """Title, objectives and which question serves which objective (for exports)."""
    meta = module.metadata
    return {"assignment": module.assignment_id, "course": module.course,
            "course_name": COURSE_NAMES.get(module.course, module.course), "module": module.name,
            "title": meta.get("title", module.name), "objectives": list(meta.get("objectives", [])),
            "objective_map": dict(meta.get("objective_map", {})),
            "questions": question_of_cells(module)}


def question_of_cells(module: Module) -> dict[str, str]:
    """grade_id of every graded cell -> the question it grades (test cells name it in ``checks("...")``).

    The same reading as the ``objective-map`` rule (``curriculum.rules.graded_questions``).
    """
    import nbformat

    out = {}
    for path in module.notebooks:
        out.update(graded_questions(nbformat.read(path, as_version=4)))
    return out
