"""hardware_kits/ says what the package does: wiring tables, drivers, guides."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from chiiki_iot.kit.board import DRIVERS_DIR
from chiiki_iot.kit.profiles import PROFILES

REPO = Path(__file__).resolve().parents[2]
KITS = REPO / "hardware_kits"
ROW = re.compile(r"^\|\s*`(?P<key>\w+)`\s*\|\s*`(?P<value>[^`]+)`\s*\|")


def wiring_module():
    spec = importlib.util.spec_from_file_location("kit_wiring", DRIVERS_DIR / "kit_wiring.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("profile, table", [("microbit_v2", "MICROBIT_V2"), ("esp32", "ESP32")])
def test_wiring_tables_match_the_driver_the_boards_use(profile, table):
    text = (KITS / profile / "wiring.md").read_text(encoding="utf-8")
    documented = {}
    for line in text.splitlines():
        m = ROW.match(line)
        if m:
            v = m["value"]
            documented[m["key"]] = int(v, 0) if re.fullmatch(r"0x[0-9a-fA-F]+|\d+", v) else v
    assert documented == getattr(wiring_module(), table)


def test_every_driver_is_documented_and_nothing_is_copied():
    text = (KITS / "drivers.md").read_text(encoding="utf-8")
    drivers = sorted(p.name for p in DRIVERS_DIR.glob("*.py"))
    assert drivers and all(f"`{name}`" in text for name in drivers)
    copies = [p for p in KITS.rglob("*.py")]
    assert copies == [], "drivers live in the package only; hardware_kits/ says how to upload them"


def test_each_profile_has_its_guides():
    for profile in PROFILES.values():
        for name in ("README.md", "bom.md", "wiring.md", "flashing.md"):
            assert (KITS / profile.name / name).exists()
        assert (REPO / profile.guide).exists()  # the path NotMicroPythonError sends people to


def test_docs_are_japanese_and_cite_their_cases():
    text = (KITS / "README.md").read_text(encoding="utf-8")
    assert "です" in text and "ます" in text
    for source in ("「九州におけるIoT実装の推進（総務省IoT関連施策）」（令和2年2月）", "「Society5.0時代の地方」（平成31年1月）"):
        assert source in text
