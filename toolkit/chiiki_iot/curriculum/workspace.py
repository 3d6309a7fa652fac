"""The learner's workspace: the curriculum as learners receive it (no solutions).

``prepare(workspace)`` runs nbgrader's ``generate_assignment`` for every module and copies
the released files into the workspace, which mirrors the repository's layout so that the
notebooks' relative links work unchanged::

    workspace/
        はじめに.md                      the start page (curriculum.start_page), opened at start
        courses/<course>/<module>/      released notebooks and data: the learner's work
        courses/yougoshu.md, ...        glossary and cheat sheet (READING_PAGES)
        courses/ict_club/               the ICT club's sessions, mentor notes and handouts (as they are:
                                        children get no score, nothing is hidden)
        hardware_kits/                  bills of materials, wiring, flashing guides
        .chiiki_iot/selfcheck/          each module's self-check key (hidden tests, model answers;
                                        compressed, see checks.answer_key)

A file the learner already has is never overwritten: their work is theirs. When a module
changed since their copy, the new version is put beside it as ``*.new.ipynb``. Every
notebook placed passes through ``learner_notebook``. The start page, the reading pages and
``hardware_kits/`` are not learner work: they are refreshed whenever they changed. A
workspace of the earlier layout (``workspace/<course>/<module>/``) is moved into
``courses/`` first, without losing a file.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import start_page
from .modules import COURSES, Module, courses_root, discover, repo_root
from .nbgrader_course import NbgraderCourse, NbgraderError
from ..checks.answer_key import WORKSPACE_MARKER, key_path
from .self_check_key import write_key
from .stored_form import kernel_metadata, notebook_bytes, stored_bytes

STATE = WORKSPACE_MARKER  # what each module's release was made from; also marks the workspace
COURSES_DIR = "courses"
HARDWARE_DIR = "hardware_kits"
# pages of courses/ a learner reads beside the modules (the curriculum map README.md is for trainers)
READING_PAGES = ("yougoshu.md", "hayamihyou.md")
# the ICT club's sessions: not nbgrader assignments (no scores, nothing hidden), placed as they are
CLUB_DIR = "ict_club"
SKIP_PARTS = {".ipynb_checkpoints", "__pycache__"}
# JupyterLab's "Run All" does not stop at an error in a cell with this tag (nor does nbval)
RUN_ON_TAG = "raises-exception"


@dataclass
class PrepareReport:
    added: list[Path] = field(default_factory=list)
    updated_beside: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # assignment id -> what nbgrader said
    moved: list[Path] = field(default_factory=list)  # learner files moved from the earlier layout (new place)


def module_dir(workspace: Path, module: Module) -> Path:
    """Where ``module``'s released files go in ``workspace``."""
    return Path(workspace) / COURSES_DIR / module.course / module.name


def learner_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A released notebook as the learner receives it: every notebook placed in the workspace passes here.

    Its ``language_info`` and ``kernelspec`` are those the kernel will report, so that opening
    it in JupyterLab does not mark it as changed. Its answer and check cells carry the
    ``raises-exception`` tag, so that "Run All" goes on past an answer not written yet (or a
    wrong one) and reaches the closing ``checks.self_check()``, which lists what is left.
    """
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and (meta.get("solution") or meta.get("grade")):
            tags = cell.metadata.setdefault("tags", [])
            if RUN_ON_TAG not in tags:
                tags.append(RUN_ON_TAG)
    return kernel_metadata(nb)


def _file_digest(path: Path) -> bytes:
    """A notebook in its stored form (what a kernel or a run filled in does not count), other files as they are."""
    if path.suffix == ".ipynb":
        try:
            return stored_bytes(nbformat.read(path, as_version=nbformat.NO_CONVERT))
        except Exception:  # not a readable notebook: its bytes (the release will report it)
            pass
    return path.read_bytes()


def _fingerprint(module: Module, digest=_file_digest) -> str:
    h = hashlib.sha256()
    for f in module.released_files():
        h.update(str(f.relative_to(module.path)).encode())
        h.update(digest(f))
    return h.hexdigest()


def _up_to_date(module: Module, state: dict) -> bool:
    """The learner has this version; a fingerprint of the earlier kind (raw bytes) is brought up to date."""
    known = state.get(module.assignment_id)
    if known is None:
        return False
    if known == _fingerprint(module):
        return True
    if known == _fingerprint(module, Path.read_bytes):
        state[module.assignment_id] = _fingerprint(module)
        return True
    return False


def prepare(workspace: Path, modules: list[Module] | None = None) -> PrepareReport:
    """Fill ``workspace`` with the release version of every module; keep the learner's files."""
    workspace = Path(workspace)
    modules = discover() if modules is None else modules
    workspace.mkdir(parents=True, exist_ok=True)
    report = PrepareReport()
    _move_earlier_layout(workspace, report)
    state_path = workspace / STATE
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    stale = [m for m in modules if not _up_to_date(m, state)]
    # a workspace made before self-grading gets its keys without its notebooks being offered again
    keyless = [m for m in modules if m not in stale and not key_path(workspace, m.course, m.name).exists()]
    if stale or keyless:
        with tempfile.TemporaryDirectory(prefix="chiiki-iot-release-") as tmp:
            course = NbgraderCourse.create(Path(tmp), stale + keyless)
            for m in _generate(course, stale + keyless, report):
                release = course.root / "release" / m.assignment_id
                if m in stale:
                    _copy_release(release, module_dir(workspace, m), report)
                    state[m.assignment_id] = _fingerprint(m)
                write_key(m, release, workspace)  # right-or-wrong for a learner alone (checks.answer_key)
    _place_club(workspace, state, report)
    _refresh_reading(workspace)
    _write_start_page(workspace, modules)
    state_path.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def _generate(course: NbgraderCourse, modules: list[Module], report: PrepareReport) -> list[Module]:
    """Release every module in one nbgrader run; if that fails, module by module, keeping the good ones."""
    try:
        course.generate("*", db=False)
        return modules
    except NbgraderError:
        pass
    done = []
    for m in modules:
        try:
            course.generate(m.assignment_id, db=False)
            done.append(m)
        except NbgraderError as e:  # one broken module must not keep the others from the learner
            report.failed[m.assignment_id] = str(e)
    return done


def _released_bytes(f: Path) -> bytes:
    if f.suffix == ".ipynb":
        return notebook_bytes(learner_notebook(nbformat.read(f, as_version=nbformat.NO_CONVERT)))
    return f.read_bytes()


def _same_content(target: Path, release: bytes, suffix: str) -> bool:
    """The learner's file holds the release (for notebooks: apart from outputs and what the kernel filled in)."""
    if target.read_bytes() == release:
        return True
    if suffix != ".ipynb":
        return False
    try:
        mine = nbformat.read(target, as_version=nbformat.NO_CONVERT)
    except Exception:
        return False
    return stored_bytes(mine) == stored_bytes(nbformat.reads(release.decode("utf-8"), as_version=nbformat.NO_CONVERT))


def _copy_release(release: Path, dest: Path, report: PrepareReport) -> None:
    _place(sorted(p for p in release.rglob("*") if p.is_file()), release, dest, report)


def _place(files: list[Path], base: Path, dest: Path, report: PrepareReport) -> None:
    """Put ``files`` (under ``base``) into ``dest`` as learner files: added when missing, kept when the
    learner's copy holds the same, otherwise the new version beside it (``*.new.*``)."""
    for f in files:
        target = dest / f.relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        content = _released_bytes(f)
        if not target.exists():
            target.write_bytes(content)
            report.added.append(target)
        elif _same_content(target, content, f.suffix):
            report.kept.append(target)
        else:
            beside = target.with_name(target.stem + ".new" + target.suffix)
            beside.write_bytes(content)
            report.updated_beside.append(beside)


def _club_files() -> list[Path]:
    """The ICT club track's files (sessions, mentor notes, handouts), not what running them wrote."""
    club = courses_root() / CLUB_DIR
    if not club.is_dir():
        return []
    return sorted(f for f in club.rglob("*")
                  if f.is_file() and not (SKIP_PARTS | {"output"}) & set(f.relative_to(club).parts))


def _place_club(workspace: Path, state: dict, report: PrepareReport) -> None:
    """The club sessions, into ``courses/ict_club/`` of the workspace, when they changed since the last time."""
    files = _club_files()
    if not files:
        return
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(courses_root()).as_posix().encode())
        h.update(_file_digest(f))
    if state.get(CLUB_DIR) != h.hexdigest():
        _place(files, courses_root() / CLUB_DIR, workspace / COURSES_DIR / CLUB_DIR, report)
        state[CLUB_DIR] = h.hexdigest()


def _copy_if_changed(source: Path, target: Path) -> None:
    if not target.exists() or target.read_bytes() != source.read_bytes():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _refresh_reading(workspace: Path) -> None:
    """The glossary, the cheat sheet and ``hardware_kits/`` (Markdown, images): refreshed when they changed."""
    for name in READING_PAGES:
        page = courses_root() / name
        if page.is_file():
            _copy_if_changed(page, workspace / COURSES_DIR / name)
    kits = repo_root() / HARDWARE_DIR
    if kits.is_dir():
        for f in sorted(kits.rglob("*")):
            if f.is_file() and not SKIP_PARTS & set(f.relative_to(kits).parts):
                _copy_if_changed(f, workspace / HARDWARE_DIR / f.relative_to(kits))


def _write_start_page(workspace: Path, modules: list[Module]) -> None:
    present = {p.relative_to(workspace).as_posix() for p in workspace.rglob("*")
               if p.is_file() and not SKIP_PARTS & set(p.parts)}
    page = workspace / start_page.FILE_NAME
    text = start_page.render(modules, present)
    if not page.exists() or page.read_text(encoding="utf-8") != text:
        page.write_text(text, encoding="utf-8")


def _move_earlier_layout(workspace: Path, report: PrepareReport) -> None:
    """Move ``workspace/<course>/…`` (the layout before ``courses/``) to ``workspace/courses/<course>/…``.

    Every file moves, the learner's own ones too. Where the new place already holds a file:
    the same bytes, the old copy goes; different bytes, the old one moves in beside it as
    ``<name>.old<suffix>`` (``.old2`` …). The curriculum map the earlier layout copied to
    ``workspace/README.md`` is removed if unchanged.
    """
    for course in COURSES:
        old = workspace / course
        if not old.is_dir() or old.is_symlink():
            continue
        new = workspace / COURSES_DIR / course
        for f in sorted(p for p in old.rglob("*") if p.is_file()):
            target = new / f.relative_to(old)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() and f.read_bytes() == target.read_bytes():
                f.unlink()
                continue
            n = 1
            while target.exists():
                target = target.with_name(f"{f.stem}.old{'' if n == 1 else n}{f.suffix}")
                n += 1
            f.rename(target)
            report.moved.append(target)
        for d in sorted((p for p in old.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            if not any(d.iterdir()):
                d.rmdir()
        if not any(old.iterdir()):
            old.rmdir()
    guide, copied = courses_root() / "README.md", workspace / "README.md"
    if copied.is_file() and guide.is_file() and copied.read_bytes() == guide.read_bytes():
        copied.unlink()
