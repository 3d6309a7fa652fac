"""The toolkit keeps the layers of the design: the import contracts in pyproject.toml hold.

The contracts (``[tool.importlinter]``) are checked by import-linter, on the toolkit as it is
and on a copy with one forbidden import added, to show that a broken rule fails by its name.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import chiiki_iot

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with the project's contracts, on the ``chiiki_iot`` found in ``package_parent``."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", str(CONFIG)], cwd=package_parent,
                          env=env, capture_output=True, text=True, timeout=120)


def test_the_toolkit_keeps_every_import_contract():
    result = lint_imports(Path(chiiki_iot.__file__).parents[1])
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert result.returncode == 0, f"broken contracts: {broken}\n{result.stdout}{result.stderr}"


def test_a_forbidden_import_breaks_its_contract_by_name(tmp_path):
    copy = tmp_path / "chiiki_iot"
    shutil.copytree(Path(chiiki_iot.__file__).parent, copy,
                    ignore=shutil.ignore_patterns("__pycache__", "*.csv", "*.yml"))
    with (copy / "kit" / "connect.py").open("a", encoding="utf-8") as f:
        f.write("\nfrom chiiki_iot import opendata  # forbidden: kit is independent of opendata\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "kit, opendata and logic never import one another BROKEN" in result.stdout, result.stdout
    assert "chiiki_iot.kit.connect -> chiiki_iot.opendata" in result.stdout, result.stdout
