"""Shared fixtures: the repo's course modules and helpers to build test notebooks."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from chiiki_iot.curriculum.modules import discover

REPO = Path(__file__).resolve().parents[1]
MODULES = discover(REPO / "courses")

# nbgrader and jupyter resolve tools by name: make this interpreter's bin/ first on PATH.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


def module_ids(modules):
    return [m.assignment_id for m in modules]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
