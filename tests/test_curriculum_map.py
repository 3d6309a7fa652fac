"""courses/README.md (the curriculum map) agrees with the modules on disk."""
from __future__ import annotations

import json
import re

from chiiki_iot.curriculum.modules import AUDIENCES

from conftest import MODULES, REPO

MAP = (REPO / "courses" / "README.md").read_text(encoding="utf-8")
ROWS = [line for line in MAP.splitlines() if line.startswith("|")]


def row_of(module):
    rows = [r for r in ROWS if f"`{module.name}`" in r]
    assert len(rows) == 1, f"courses/README.md に {module.name} の行がちょうど1つ必要です（今は {len(rows)} 行）"
    return rows[0]


def test_every_module_is_on_the_map_with_its_hours_and_audiences():
    for m in MODULES:
        meta, row = m.metadata, row_of(m)
        minutes = meta["minutes"]
        assert f"{minutes['teaching'] + minutes['exercises']}分" in row, f"{m.name}: 所要時間が metadata と違います"
        assert meta["title"] in row, f"{m.name}: 題名が metadata と違います"
        for a in meta["audiences"]:
            assert AUDIENCES[a] in row, f"{m.name}: 対象「{AUDIENCES[a]}」が地図にありません"
        assert "予定" not in row, f"{m.name} はできているのに「予定」のままです"


def test_planned_rows_are_not_written_modules():
    written = {m.name[:2] + m.course for m in MODULES}
    for heading, course in (("ロジカルシンキング", "logical_thinking"), ("センサー実習", "sensors"),
                            ("オープンデータ（", "open_data")):
        section = MAP.split(f"### {heading}")[1].split("###")[0]
        for row in (r for r in section.splitlines() if r.startswith("| 0") or r.startswith("| 1")):
            if "予定" in row:
                assert row[2:4] + course not in written, f"{course} {row[2:4]} はできています: 地図を更新してください"


def test_every_sensor_lab_links_to_wiring_that_exists():
    """Each lab says which parts it needs and links to the wiring in hardware_kits/."""
    labs = [m for m in MODULES if m.course == "sensors"]
    assert labs, "courses/sensors/ にモジュールがありません"
    for m in labs:
        nb = json.loads((m.path / f"{m.name}.ipynb").read_text(encoding="utf-8"))
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        targets = re.findall(r"\]\((\.\./[^)#]*hardware_kits/[^)#]*)", text)
        assert any(t.endswith("wiring.md") for t in targets), f"{m.name}: hardware_kits の配線図へのリンクがありません"
        for t in targets:
            assert (m.path / t).resolve().is_file(), f"{m.name}: リンク先 {t} がありません"


GLOSSARY, CHEAT_SHEET = REPO / "courses" / "yougoshu.md", REPO / "courses" / "hayamihyou.md"


def test_every_module_notebook_links_to_the_glossary_and_the_cheat_sheet():
    """A learner alone at night finds the 用語集 and the 早見表 from the first cell of every notebook."""
    # the 地域ICTクラブ sessions (courses/ict_club, for children) are not modules: tests/test_ict_club.py checks them
    notebooks = sorted(p for p in (REPO / "courses").glob("*/*/*.ipynb") if p.parts[-3] != "ict_club")
    assert len(notebooks) >= len(MODULES)
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        first = "".join(nb["cells"][0]["source"])
        targets = re.findall(r"\]\(([^)#\s]+\.md)\)", first)
        for wanted in (GLOSSARY, CHEAT_SHEET):
            found = [t for t in targets if (path.parent / t).resolve() == wanted]
            assert found, (f"{path.relative_to(REPO)}: 最初のセルに {wanted.name} へのリンクがありません"
                           f"（例: [用語集](../../yougoshu.md) ・ [早見表（印刷用）](../../hayamihyou.md)）")
        for t in targets:
            assert (path.parent / t).resolve().is_file(), f"{path.relative_to(REPO)}: リンク先 {t} がありません"


def test_the_glossary_and_the_cheat_sheet_exist_and_the_cheat_sheet_fits_one_page():
    glossary, sheet = GLOSSARY.read_text(encoding="utf-8"), CHEAT_SHEET.read_text(encoding="utf-8")
    assert "](hayamihyou.md)" in glossary and "](yougoshu.md)" in sheet, "用語集と早見表は互いにリンクします"
    assert len(sheet.splitlines()) <= 60, "早見表は印刷して A4 1枚に収まる長さ（60行まで）にしてください"
    for term in ("セル", "カーネル", "変数", "DataFrame", "MECE", "KPI", "しきい値", "LPWA", "MQTT", "機械判読", "CC BY"):
        assert term in glossary, f"用語集に「{term}」がありません"
