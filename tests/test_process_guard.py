"""The process guard (tests/process_guard.py) on deliberately leaky inner test runs.

Each inner run is a separate pytest process (``runpytest_subprocess``) with only the guard
loaded; the outer test checks that the run failed, which test or fixture it named, and
that the leftovers were really killed.
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import psutil
import pytest

pytest_plugins = ["pytester"]

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def inner(pytester, monkeypatch):
    """Run inner test files with the guard; returns (result, output)."""
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    monkeypatch.setenv("CHIIKI_TEST_GRACE_SECONDS", "1")  # every leftover here is a plain sleep: it never needs 5 s

    def run(*args, **files):
        pytester.makepyfile(**{name: textwrap.dedent(src) for name, src in files.items()})
        result = pytester.runpytest_subprocess("-p", "process_guard", "-p", "no:cacheprovider", "-rA", *args,
                                               timeout=180)
        return result, result.stdout.str() + result.stderr.str()

    return run


def reported_pids(output: str) -> list[int]:
    """The pids the guard named (each once: with CI set, pytest's summary repeats the message in full)."""
    return sorted({int(pid) for pid in re.findall(r"pid (\d+): ", output)})


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_test_that_leaves_a_process_running_fails_by_name_and_the_process_is_killed(inner):
    result, out = inner(test_leaky="""
        import subprocess

        def test_starts_sleep_and_forgets_it():
            subprocess.Popen(["sleep", "60"])

        def test_stops_what_it_started():
            proc = subprocess.Popen(["sleep", "60"])
            proc.terminate()
            proc.wait()

        def test_asks_it_to_stop_and_does_not_wait():
            subprocess.Popen(["sleep", "60"]).terminate()   # gone within the grace period: fine
    """)
    result.assert_outcomes(passed=3, errors=1)
    assert "ERROR at teardown of test_starts_sleep_and_forgets_it" in out
    assert "テスト test_leaky.py::test_starts_sleep_and_forgets_it が起動したプロセス" in out
    assert "sleep 60" in out and "止めました" in out
    pids = reported_pids(out)
    assert len(pids) == 1 and not running(pids[0]), "the leftover was killed"
    assert "test_stops_what_it_started" not in out.split("ERROR at teardown")[1].split("short test summary")[0]


def test_an_orphan_whose_parent_exited_is_still_found(inner):
    """Double fork: the direct child starts a new session and exits; the grandchild goes to init."""
    result, out = inner(test_orphan="""
        import subprocess, sys

        def test_daemonizes_a_sleep():
            subprocess.run([sys.executable, "-c",
                            "import subprocess; subprocess.Popen(['sleep', '61'], start_new_session=True)"],
                           check=True)

        def test_next():
            pass
    """)
    result.assert_outcomes(passed=2, errors=1)
    assert "テスト test_orphan.py::test_daemonizes_a_sleep が起動したプロセス" in out and "sleep 61" in out
    pids = reported_pids(out)
    assert len(pids) == 1 and not running(pids[0])


def test_a_module_fixture_owns_its_process_until_the_module_ends(inner):
    result, out = inner(test_a_modules="""
        import subprocess
        import pytest

        @pytest.fixture(scope="module")
        def server():
            proc = subprocess.Popen(["sleep", "62"])
            yield proc
            # forgets to stop it

        @pytest.fixture(scope="module")
        def tidy_server():
            proc = subprocess.Popen(["sleep", "63"])
            yield proc
            proc.kill()
            proc.wait()

        def test_first(server, tidy_server):
            assert server.poll() is None

        def test_second(server, tidy_server):
            assert server.poll() is None   # not blamed on test_first, not killed after it

        def test_last_of_the_module():
            pass
        """, test_b_next="""
        def test_in_the_next_file():
            pass
    """)
    result.assert_outcomes(passed=4, errors=1)
    assert "ERROR at teardown of test_last_of_the_module" in out
    assert "fixture「server」（module スコープ、test_a_modules.py） が起動したプロセス" in out
    assert "sleep 62" in out and "sleep 63" not in out
    assert all(not running(pid) for pid in reported_pids(out))


def test_processes_of_the_other_xdist_worker_are_not_blamed(inner, tmp_path):
    """Worker A holds a process for a whole module while worker B's test ends and is checked."""
    flags = tmp_path / "flags"
    flags.mkdir()
    result, out = inner("-n", "2", "--dist", "loadfile", test_worker_a=f"""
        import pathlib, subprocess, time
        import pytest

        FLAGS = pathlib.Path({str(flags)!r})

        @pytest.fixture(scope="module")
        def long_running():
            proc = subprocess.Popen(["sleep", "64"])
            (FLAGS / "a_started").touch()
            yield
            proc.kill()
            proc.wait()

        def test_holds_it_until_b_was_checked(long_running):
            deadline = time.monotonic() + 120
            while not (FLAGS / "b_checked").exists():
                assert time.monotonic() < deadline
                time.sleep(0.05)
        """, test_worker_b=f"""
        import pathlib, time

        FLAGS = pathlib.Path({str(flags)!r})

        def test_1_ends_while_a_runs():
            deadline = time.monotonic() + 120
            while not (FLAGS / "a_started").exists():
                assert time.monotonic() < deadline
                time.sleep(0.05)

        def test_2_after_the_check():
            (FLAGS / "b_checked").touch()
    """)
    result.assert_outcomes(passed=3)
    assert "起動したプロセス" not in out


def test_a_run_stopped_early_does_not_blame_fixtures_pytest_tears_down_at_the_end(inner):
    """With -x the module's fixtures are torn down at session end: the guard checks after that."""
    result, out = inner("-x", test_stopped="""
        import subprocess
        import pytest

        @pytest.fixture(scope="module")
        def tidy_server():
            proc = subprocess.Popen(["sleep", "65"])
            yield proc
            proc.kill()
            proc.wait()

        def test_fails(tidy_server):
            assert False

        def test_never_runs(tidy_server):
            pass
    """)
    result.assert_outcomes(failed=1)
    assert "起動したプロセス" not in out


def test_a_process_started_while_collecting_is_reported_when_the_session_ends(inner):
    """No test owns it: it must be gone when the session's scope ends (the last test's teardown)."""
    result, out = inner(test_at_import="""
        import subprocess

        SERVER = subprocess.Popen(["sleep", "66"])   # at import time: no test owns it

        def test_uses_it():
            assert SERVER.poll() is None
    """)
    result.assert_outcomes(passed=1, errors=1)
    assert "ERROR at teardown of test_uses_it" in out
    assert "テストの収集やプラグイン（どのテストでもない時間） が起動したプロセス" in out and "sleep 66" in out
    assert all(not running(pid) for pid in reported_pids(out))
