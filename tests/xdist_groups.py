"""How the suite is shared between pytest-xdist workers (``-n N --dist loadscope``).

* A test file or notebook is one group (one worker): its module-scoped fixtures, such as a
  notebook's kernel under nbval or a graded class, are set up once.
* Files in ``SPLIT_BY_PARAMETER`` are grouped per parameter instead: each module's nbgrader
  round trip (four tests sharing one graded course) is its own group, so the round trips
  spread over the workers; so is each module's learner-workspace self-check run.
* The heaviest groups go first, so that no worker starts a long group while the others have
  finished everything else (the order follows the ``--durations`` of a whole run).

Groups are read from each test's node id by the scheduler below; xdist's own ``--dist loadgroup``
is not used because with pytest 9.2 it silently stops grouping (pytest-dev/pytest-xdist#1386).
"""
from __future__ import annotations

import pytest
from xdist.scheduler import LoadScopeScheduling

SPLIT_BY_PARAMETER = ("tests/test_nbgrader_round_trip.py", "tests/test_self_check_workspace.py")

HEAVIEST_FIRST = (
    "tests/grading/test_hub_end_to_end.py",
    "tests/test_nbgrader_round_trip.py",
    "tests/test_self_check_workspace.py",
    "tests/grading/",
    "tests/test_browser_learner.py",  # two labs and Chromium: about 30 s alone, a minute on a busy machine
    "tests/test_lab.py",
    "tests/kit/test_kit_emulated_firmware.py",  # real firmware in QEMU at UART pace: about 45 s
    "courses/",
    "tests/kit/",
    "tests/sensing/",
)


def group_of(nodeid: str) -> str:
    """``path`` for most tests; ``path[param]`` in the files split by parameter."""
    path = nodeid.split("::")[0]
    if path in SPLIT_BY_PARAMETER and nodeid.endswith("]"):
        return path + nodeid[nodeid.index("["):]
    return path


def rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::")[0]
    return next((i for i, prefix in enumerate(HEAVIEST_FIRST) if path.startswith(prefix)), len(HEAVIEST_FIRST))


class GroupScheduling(LoadScopeScheduling):
    """xdist's scope scheduling with the groups of ``group_of``."""

    def _split_scope(self, nodeid: str) -> str:
        return group_of(nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") == "loadscope":
        return GroupScheduling(config, log)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=rank)  # stable: each file keeps its own order
