"""The learner's workspace: the curriculum as learners receive it (no solutions).

``prepare(workspace)`` runs nbgrader's ``generate_assignment`` for every module
and copies the released files into ``workspace/<course>/<module>/``. A file the
learner already has is never overwritten: their work is theirs. When a module
changed since their copy, the new version is put beside it as ``*.new.ipynb``.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .modules import Module, courses_root, discover
from .nbgrader_course import NbgraderCourse, NbgraderError

STATE = ".chiiki_iot_workspace.json"


@dataclass
class PrepareReport:
    added: list[Path] = field(default_factory=list)
    updated_beside: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # assignment id -> what nbgrader said


def _fingerprint(module: Module) -> str:
    h = hashlib.sha256()
    for f in module.released_files():
        h.update(str(f.relative_to(module.path)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def prepare(workspace: Path, modules: list[Module] | None = None) -> PrepareReport:
    """Fill ``workspace`` with the release version of every module; keep the learner's files."""
    workspace = Path(workspace)
    modules = discover() if modules is None else modules
    workspace.mkdir(parents=True, exist_ok=True)
    state_path = workspace / STATE
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    report = PrepareReport()
    todo = [m for m in modules if state.get(m.assignment_id) != _fingerprint(m)]
    if todo:
        with tempfile.TemporaryDirectory(prefix="chiiki-iot-release-") as tmp:
            course = NbgraderCourse.create(Path(tmp), todo)
            for m in _generate(course, todo, report):
                _copy_release(course.root / "release" / m.assignment_id, workspace / m.course / m.name, report)
                state[m.assignment_id] = _fingerprint(m)
    guide = courses_root() / "README.md"
    if guide.exists():
        shutil.copy2(guide, workspace / "README.md")
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


def _copy_release(release: Path, dest: Path, report: PrepareReport) -> None:
    for f in sorted(p for p in release.rglob("*") if p.is_file()):
        target = dest / f.relative_to(release)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copy2(f, target)
            report.added.append(target)
        elif target.read_bytes() == f.read_bytes():
            report.kept.append(target)
        else:
            beside = target.with_name(target.stem + ".new" + target.suffix)
            shutil.copy2(f, beside)
            report.updated_beside.append(beside)
