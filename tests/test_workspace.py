"""The learner workspace (``curriculum.workspace.prepare``): layout, links, upgrades, and notebooks that open unchanged."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from chiiki_iot.curriculum import start_page
from chiiki_iot.curriculum.modules import Module
from chiiki_iot.curriculum.stored_form import stored_bytes
from chiiki_iot.curriculum.workspace import STATE, _fingerprint, module_dir, prepare

from conftest import MODULES, REPO

LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|(?:src|href)=[\"']([^\"']+)[\"']")


def copy_module(tmp_path, src: Module) -> Module:
    dest = tmp_path / "courses" / src.course / src.name
    shutil.copytree(src.path, dest, ignore=shutil.ignore_patterns("output", ".ipynb_checkpoints"))
    return Module(src.course, dest)


def kernel_filled(path: Path) -> None:
    """Save ``path`` as JupyterLab would after its kernel started (no fix on the saving side)."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7", "mimetype": "text/x-python",
                                    "file_extension": ".py", "codemirror_mode": {"name": "ipython", "version": 3},
                                    "pygments_lexer": "ipython3", "nbconvert_exporter": "python"}
    nbformat.write(nb, path)


@pytest.mark.parametrize("module", MODULES, ids=[m.assignment_id for m in MODULES])
def test_course_notebooks_are_stored_in_canonical_form(module):
    """What ``chiiki-iot lab --trainer`` writes back for an unchanged notebook is byte for byte what is stored."""
    for path in module.notebooks:
        assert path.read_bytes() == stored_bytes(nbformat.read(path, as_version=nbformat.NO_CONVERT)), \
            f"{path}: not in stored form (nbformat.write of the notebook without outputs and kernel-filled metadata)"


def test_a_course_notebook_the_kernel_filled_in_is_no_update_for_the_learner(tmp_path):
    module = copy_module(tmp_path, MODULES[1])
    ws = tmp_path / "ws"
    prepare(ws, [module])
    mine = module_dir(ws, module) / module.main_notebook.name
    nb = nbformat.read(mine, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("わたしのメモ"))
    nbformat.write(nb, mine)

    kernel_filled(module.main_notebook)  # a trainer opened it and it was saved
    report = prepare(ws, [module])
    assert report.updated_beside == [] and report.added == []


def test_workspace_notebooks_carry_the_language_info_their_kernel_reports(tmp_path):
    """JupyterLab sets language_info from kernel_info_reply; equal values leave the notebook unchanged (no dot)."""
    from jupyter_client.manager import start_new_kernel

    module = copy_module(tmp_path, MODULES[1])
    prepare(tmp_path / "ws", [module])
    nb = nbformat.read(module_dir(tmp_path / "ws", module) / module.main_notebook.name, as_version=4)
    km, kc = start_new_kernel(kernel_name=nb.metadata.kernelspec.name)
    try:
        reply = kc.kernel_info(reply=True, timeout=60)["content"]
        spec = km.kernel_spec
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert nb.metadata.language_info == reply["language_info"]
    assert nb.metadata.kernelspec == {"name": km.kernel_name, "display_name": spec.display_name,
                                      "language": spec.language}


def test_a_workspace_of_the_earlier_layout_moves_into_courses_without_losing_a_file(tmp_path):
    module = copy_module(tmp_path, MODULES[1])
    ws = tmp_path / "ws"
    prepare(ws, [module])
    # the earlier layout: ws/<course>/<module>/, the curriculum map as ws/README.md, fingerprints of raw bytes
    shutil.move(ws / "courses" / module.course, ws / module.course)
    old = ws / module.course / module.name
    mine = old / module.main_notebook.name
    nb = nbformat.read(mine, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("わたしのメモ"))
    nbformat.write(nb, mine)
    (old / "jibun_no_memo.txt").write_text("自分のファイル", encoding="utf-8")
    (ws / module.course / "sakuhin.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()), encoding="utf-8")
    (ws / "courses" / module.course / module.name).mkdir(parents=True)
    (ws / "courses" / module.course / module.name / "jibun_no_memo.txt").write_text("別の中身", encoding="utf-8")
    shutil.copy(REPO / "courses" / "README.md", ws / "README.md")
    (ws / STATE).write_text(json.dumps({module.assignment_id: _fingerprint(module, Path.read_bytes)}), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (ws / module.course).rglob("*") if p.is_file()}

    report = prepare(ws, [module])
    new = module_dir(ws, module)
    assert not (ws / module.course).exists() and not (ws / "README.md").exists()
    assert "わたしのメモ" in (new / module.main_notebook.name).read_text(encoding="utf-8")
    assert (new / "jibun_no_memo.txt").read_text(encoding="utf-8") == "別の中身"
    assert (new / "jibun_no_memo.old.txt").read_text(encoding="utf-8") == "自分のファイル"
    after = {p.read_bytes() for p in (ws / "courses").rglob("*") if p.is_file()}
    assert set(before.values()) <= after, "a learner file was lost"
    assert (ws / "courses" / module.course / "sakuhin.ipynb").is_file()
    assert report.updated_beside == [] and report.added == []  # nothing to release again


def links(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    return [a or b for a, b in LINK.findall(text)]


def test_every_relative_link_in_the_workspace_resolves_inside_it(tmp_path):
    ws = tmp_path / "ws"
    report = prepare(ws, MODULES)
    assert not report.failed
    pages = [p for p in ws.rglob("*") if p.suffix in (".ipynb", ".md") and ".chiiki_iot" not in p.parts]
    assert (ws / start_page.FILE_NAME) in pages and (ws / "hardware_kits" / "README.md") in pages
    broken, checked = [], 0
    for page in pages:
        for target in links(page):
            url = urlparse(target)
            if url.scheme or url.netloc or not url.path:  # web links, mail, anchors within the page
                continue
            checked += 1
            resolved = (page.parent / unquote(url.path)).resolve()
            if not resolved.is_relative_to(ws.resolve()) or not resolved.exists():
                broken.append(f"{page.relative_to(ws)}: {target}")
    assert not broken, f"{len(broken)} links lead nowhere in the workspace:\n" + "\n".join(broken)
    assert checked > 40

    start = (ws / start_page.FILE_NAME).read_text(encoding="utf-8")
    for m in MODULES:
        assert start_page.link(start_page.module_path(m)) in start and m.metadata["title"] in start


def test_the_club_sessions_are_placed_and_a_childs_work_is_kept(tmp_path):
    """The ICT club's sessions reach the workspace as they are (nothing is hidden from children), are
    listed on the start page, and a session a child changed is neither overwritten nor offered again."""
    club = REPO / "courses" / "ict_club"
    sessions = sorted(club.glob("*/*.ipynb"))
    assert sessions, "no club session"
    prepare(tmp_path, MODULES[:1])
    placed = tmp_path / "courses" / "ict_club" / sessions[0].relative_to(club)
    assert placed.exists() and (placed.parent / "mentor_notes.md").exists()
    page = (tmp_path / start_page.FILE_NAME).read_text(encoding="utf-8")
    title = json.loads(sessions[0].read_text(encoding="utf-8"))["metadata"]["chiiki_club"]["title"]
    assert title in page and start_page.link(placed.relative_to(tmp_path).as_posix()) in page
    nb = nbformat.read(placed, as_version=4)
    nb.cells[0].source += "\nわたしの なまえ: たろう"
    nbformat.write(nb, placed)
    report = prepare(tmp_path, MODULES[:1])
    assert "たろう" in placed.read_text(encoding="utf-8")
    assert not [p for p in report.updated_beside if "ict_club" in p.parts], report.updated_beside
