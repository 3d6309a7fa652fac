"""Shared fixtures: the repo's course modules and helpers to build test notebooks."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings


from chiiki_iot.curriculum.modules import discover

REPO = Path(__file__).resolve().parents[1]
MODULES = discover(REPO / "courses")

# Property tests explore the same examples on every run: CI is reproducible, and a failure seen
# once is seen again. (HYPOTHESIS_PROFILE=explore searches afresh, for local bug hunting.)
# No per-example deadline (hypothesis' default is 200 ms of wall clock): a busy machine must not
# turn a correct property into a DeadlineExceeded failure.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# nbgrader and jupyter resolve tools by name: make this interpreter's bin/ first on PATH.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")



def module_ids(modules):
    return [m.assignment_id for m in modules]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
