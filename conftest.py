"""Settings for every test run, whether it collects tests/, courses/ (nbval) or one notebook."""
import os
import sys
from pathlib import Path

from chiiki_iot.checks.python_errors import enable_in_kernels
from chiiki_iot.kit.env import GRADING_KIT_ENV

# Sensor labs run on the virtual kit with its clock never waiting, as graders do: the same
# samples on every run, whatever board happens to be plugged into the test machine.
os.environ.update(GRADING_KIT_ENV)

# Every kernel of this environment explains Python's errors in Japanese, as `chiiki-iot lab` sets it
# up for learners: the suite's notebooks run as a learner's do, whichever test ran first.
enable_in_kernels()

# No test, fixture or notebook may leave a process running (tests/process_guard.py).
_TESTS = str(Path(__file__).resolve().parent / "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
pytest_plugins = ["process_guard", "xdist_groups"]  # xdist_groups: how the suite is shared between workers
