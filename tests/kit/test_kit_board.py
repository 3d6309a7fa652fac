"""The Board API on the virtual kit: the real MicroPython unix port behind a real pty."""
from __future__ import annotations

import math
import os
import signal

import pytest

from chiiki_iot.kit import BoardFileError, BoardTimeoutError, DeviceError
from kit_fixtures import (  # noqa: F401
    FAILURE_BOUND_S, alive, esp32, kernel_sigint, make_board, make_kit, microbit, when_printed)


def test_exec_returns_what_the_board_printed_and_state_persists(esp32):
    assert esp32.exec("x = 20\nprint('x is', x)") == "x is 20\n"
    # one persistent interpreter: the variable is still there on the next call
    assert esp32.exec("print(x + 1)") == "21\n"


def test_eval_returns_python_values(esp32):
    assert esp32.eval("1 + 1") == 2
    assert esp32.eval("7 / 2") == 3.5
    assert esp32.eval("'温度'") == "温度"
    assert esp32.eval("[1, (2, 3), {'a': None, 'b': True}]") == [1, (2, 3), {"a": None, "b": True}]
    assert esp32.eval("b'\\x00\\xff'") == b"\x00\xff"
    assert esp32.eval("float('inf')") == math.inf
    assert math.isnan(esp32.eval("float('nan')"))


def test_it_is_real_micropython(esp32):
    assert esp32.eval("__import__('sys').implementation.name") == "micropython"


def test_an_exception_on_the_board_becomes_a_japanese_device_error(esp32):
    with pytest.raises(DeviceError) as info:
        esp32.exec("print('before')\nundefined_name")
    err = info.value
    assert err.exc_type == "NameError"
    assert "undefined_name" in err.exc_message
    assert "つづり" in str(err)  # the Japanese hint for NameError
    assert "Traceback" in err.traceback
    assert err.output == "before\n"


def test_on_output_receives_text_as_it_arrives(esp32):
    seen = []
    text = esp32.exec("for i in range(3):\n print('行', i)", on_output=seen.append)
    assert "".join(seen) == text == "行 0\n行 1\n行 2\n"


def test_files_round_trip_in_folders_on_esp32(esp32):
    source = b"def hello():\n    return 'hi'\n" * 100  # several 512-byte chunks
    assert esp32.put(source, "/lib/greet.py") == "/lib/greet.py"
    assert esp32.get("/lib/greet.py") == source
    assert "lib/" in esp32.ls()
    assert "greet.py" in esp32.ls("/lib")
    # the board's root is the kit's flash folder on the host, not the host's root
    assert (esp32.kit.flash / "lib" / "greet.py").read_bytes() == source
    assert esp32.eval("__import__('greet').hello()") == "hi"
    esp32.rm("/lib/greet.py")
    assert "greet.py" not in esp32.ls("/lib")


def test_put_copies_a_host_file_under_its_own_name(esp32, tmp_path):
    path = tmp_path / "settings.txt"
    path.write_text("ssid=lab\n", encoding="utf-8")
    assert esp32.put(path) == "settings.txt"
    assert esp32.eval("open('settings.txt').read()") == "ssid=lab\n"


def test_missing_file_is_a_japanese_file_error(esp32):
    with pytest.raises(BoardFileError, match="ありません"):
        esp32.get("no_such_file.csv")


def test_microbit_files_are_flat_and_small(microbit):
    microbit.put(b"print('main')\n", "main.py")
    assert "main.py" in microbit.ls()
    assert microbit.get("main.py") == b"print('main')\n"
    with pytest.raises(BoardFileError, match="フォルダがありません"):
        microbit.put(b"x", "/lib/driver.py")
    with pytest.raises(BoardFileError, match="大きすぎます"):
        microbit.put(b"#" * 30_000, "big.py")
    # the virtual micro:bit's os is the micro:bit's: no stat, no mkdir
    assert microbit.eval("hasattr(__import__('os'), 'stat')") is False
    microbit.rm("main.py")
    assert "main.py" not in microbit.ls()


def test_soft_reset_forgets_variables_and_keeps_files(make_board):
    b = make_board("esp32")
    b.exec("kept_in_ram = 1")
    b.put(b"1", "kept_on_flash.txt")
    b.reset()
    with pytest.raises(DeviceError, match="NameError"):
        b.exec("kept_in_ram")
    assert "kept_on_flash.txt" in b.ls()
    assert b.kit.relay.restart_count == 1  # the unix port ended and was rebooted


def test_a_runaway_loop_times_out_and_is_interrupted_not_reset(esp32):
    esp32.exec("before = 'still here'")
    with pytest.raises(BoardTimeoutError, match="中断しました"):
        esp32.exec("while True:\n    pass", timeout=0.5)
    assert esp32.eval("before") == "still here"


def test_a_flood_of_output_is_interrupted(esp32):
    with pytest.raises(BoardTimeoutError):
        esp32.exec("while True:\n    print('x' * 200)", timeout=0.5)
    assert esp32.eval("1 + 1") == 2


def test_interrupt_from_another_thread_stops_a_running_call(esp32):
    stop = when_printed("running", esp32.interrupt)  # from another thread, once the loop has started
    with pytest.raises(DeviceError) as info:
        esp32.exec("import time\nprint('running')\nwhile True:\n    time.sleep_ms(10)",
                   timeout=FAILURE_BOUND_S, on_output=stop)
    stop.join()
    assert info.value.exc_type == "KeyboardInterrupt"
    assert esp32.eval("2 + 2") == 4


def test_a_ctrl_c_right_after_the_last_calls_ctrl_c_still_stops_the_board(esp32):
    """The relay mutes a second Ctrl-C within 0.2 s of a call's first (a second SIGINT before
    the first is handled ends the unix port), but only within that call: a new call's stop
    button works at once, however soon it follows."""
    with pytest.raises(BoardTimeoutError):
        esp32.exec("while True:\n    pass", timeout=0.5)  # the first Ctrl-C
    stop = when_printed("running", esp32.interrupt)
    with pytest.raises(DeviceError, match="KeyboardInterrupt"):
        esp32.exec("print('running')\nwhile True:\n    pass", timeout=FAILURE_BOUND_S, on_output=stop)
    stop.join()
    assert esp32.eval("1 + 2") == 3


def test_stopping_the_kernel_interrupts_the_board(esp32, kernel_sigint):
    # Jupyter's stop button is SIGINT to the kernel: the same signal, sent to ourselves
    esp32.exec("n = 5")
    stop = when_printed("counting", lambda: os.kill(os.getpid(), signal.SIGINT))  # once the loop runs
    with pytest.raises(KeyboardInterrupt):
        esp32.exec("while True:\n    n += 1\n    if n == 6:\n        print('counting')",
                   timeout=FAILURE_BOUND_S, on_output=stop)
    stop.join()
    assert not esp32.kit.relay.in_call  # the board's loop was stopped then, not by the next call's resync
    assert esp32.eval("n") > 5  # the loop ran, was interrupted, and its state is kept
    assert esp32.eval("'ok'") == "ok"


def test_closing_a_kit_ends_its_interpreter_and_port(make_kit):
    k = make_kit("esp32")
    pid, port = k.relay.pid, k.port
    assert alive(pid) and os.path.exists(port)
    k.close()
    assert not alive(pid)
    assert not os.path.exists(port)
