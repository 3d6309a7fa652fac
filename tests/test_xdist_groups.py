"""How the suite is shared between workers (tests/xdist_groups.py), on small inner test runs."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from xdist_groups import group_of

pytest_plugins = ["pytester"]

TESTS = Path(__file__).resolve().parent

# Two files whose tests only pass when each file's tests run in one process, in order.
SHARED_STATE = """
    import os
    import pytest
    seen = []

    def test_first():
        seen.append(os.getpid())

    @pytest.mark.parametrize("n", range(20))
    def test_later(n):
        assert seen == [os.getpid()], "test_first ran in another process"
"""


def test_a_round_trip_is_grouped_by_module_and_other_tests_by_file():
    rt = "tests/test_nbgrader_round_trip.py::test_blank_release_scores_zero[sensors-04_shikiichi_to_alert]"
    assert group_of(rt) == "tests/test_nbgrader_round_trip.py[sensors-04_shikiichi_to_alert]"
    assert group_of(rt.replace("blank_release_scores_zero", "solution_gets_full_marks")) == group_of(rt)
    hostile = "tests/grading/test_hostile_submissions.py::test_runaway_code_is_stopped[looper-loop]"
    assert group_of(hostile) == "tests/grading/test_hostile_submissions.py"
    cell = "courses/sensors/01_hajimete_no_setsuzoku/01_hajimete_no_setsuzoku.ipynb::Cell 3"
    assert group_of(cell) == "courses/sensors/01_hajimete_no_setsuzoku/01_hajimete_no_setsuzoku.ipynb"


@pytest.mark.parametrize("plugin, passes", [("xdist_groups", True), ("no:xdist_groups", False)])
def test_each_files_tests_run_together_on_one_worker(pytester, monkeypatch, plugin, passes):
    """With the plugin, both files pass on two workers; without it (xdist's plain load
    scheduling), the tests of a file are split between the workers and the check sees it."""
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    pytester.makepyfile(test_one=textwrap.dedent(SHARED_STATE), test_two=textwrap.dedent(SHARED_STATE))
    dist = ["--dist", "loadscope", "-p", "xdist_groups"] if passes else ["--dist", "load"]
    result = pytester.runpytest_subprocess("-n", "2", *dist, "-p", "no:cacheprovider", timeout=120)
    if passes:
        result.assert_outcomes(passed=42)
    else:
        assert result.ret != 0 and "test_first ran in another process" in result.stdout.str()
