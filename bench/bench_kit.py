"""Benchmark of the kit layer on the virtual kit (a script, not a test).

    .venv/bin/python bench/bench_kit.py            # about 30 s
    .venv/bin/python bench/bench_kit.py --json     # machine-readable

Everything is measured in one run, on one virtual micro:bit (real MicroPython unix port
behind a pty), so the figures are ratios against the alternatives on the same machine:

* per-call round trip: ``mpremote connect PORT resume exec`` (a process per call, what
  micropython-magic does per cell) vs mpremote's ``SerialTransport.exec`` kept open (the
  floor) vs ``Board.exec``;
* bulk output: a board-side loop printing three numbers per line read by
  ``SerialTransport.exec`` (the floor) vs ``Board.stream`` of the 3-axis accelerometer
  into a DataFrame (the board also reads the simulated sensor for every sample).

* emulated real firmware (``--emulated``, issue 15): ``Board.exec`` on the micro:bit V1's
  MicroPython 1.0.1 (uflash; no raw-paste) under ``qemu-system-arm -M microbit`` and on MicroPython
  v1.29 ``ports/qemu`` under ``-M mps2-an385``, host->board bytes paced at 115200 baud, against a
  bare raw-REPL exec (write the code and Ctrl-D, read ``OK`` and the two EOFs and ``>``) on the same
  link, in the same run.

Goals (issue 3): Board.exec >= 100x faster than mpremote per call and within 2x of the bare
transport; stream >= 10,000 samples/s and >= 70 % of the bare line rate.
Goal (issue 15): Board.exec within 1.5x of the bare raw-REPL exec on each emulated firmware.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mpremote.transport_serial import SerialTransport

from chiiki_iot.kit import Board, Noise, Sine
from chiiki_iot.kit.stream import max_rate_at_baud
from chiiki_iot.kit.virtual import VirtualKit

AXES = ["accel_x", "accel_y", "accel_z"]


def per_call(fn, n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bare_raw_repl_exec(port: str, calls: int) -> float:
    """Median seconds of a bare raw-REPL exec of ``pass`` on ``port`` (no raw-paste, no kit)."""
    import serial

    ser = serial.Serial(port, 115200, timeout=2)

    def read_until(marker: bytes) -> None:
        buf = b""
        while marker not in buf:
            buf = (buf + ser.read(ser.in_waiting or 1))[-64:]

    ser.write(b"\r\x03\r\x01")
    read_until(b"raw REPL; CTRL-B to exit\r\n>")

    def call() -> None:
        ser.write(b"pass\x04")
        read_until(b"\x04\x04>")

    call()
    try:
        return per_call(call, calls)
    finally:
        ser.close()


def emulated(calls: int) -> dict:
    """Board.exec vs a bare raw-REPL exec on each emulated firmware, at 115200 baud."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "kit"))
    from qemu_boards import QemuBoard  # the tests' QEMU runner and its paced serial link

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for firmware in ("microbit_v1", "mps2"):
            bares, boards = [], []
            with QemuBoard(firmware, Path(tmp)) as q:
                # alternating rounds on the same link, so that a busy moment of the machine (QEMU
                # shares it) weighs on both sides alike
                for _ in range(3):
                    bares.append(bare_raw_repl_exec(q.port, calls))
                    b = Board(q.port, "microbit_v2")
                    try:
                        b.exec("pass")
                        boards.append(per_call(lambda: b.exec("pass"), calls))
                        b.exec("x = 0\n" * 20)  # long enough to try raw-paste: does the firmware have it?
                        paste = not b._repl.paste_less
                    finally:
                        b.close()
            bare, board = statistics.median(bares), statistics.median(boards)
            out[firmware] = {"bare_raw_repl_exec_s": bare, "board_exec_s": board, "raw_paste": paste,
                             "ratio": board / bare}
    return out


def main() -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--emulated", action="store_true",
                    help="only the emulated firmware (QEMU): Board.exec vs a bare raw-REPL exec")
    ap.add_argument("--cli-calls", type=int, default=15)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--lines", type=int, default=5000)
    ap.add_argument("--samples", type=int, default=20000)
    args = ap.parse_args()

    if args.emulated:
        r = emulated(min(args.calls, 200))
        if args.json:
            print(json.dumps(r, indent=2))
        else:
            print("firmware (QEMU, 115200 baud)   bare raw-REPL exec   Board.exec   ratio  (goal <= 1.5x)")
            for fw, x in r.items():
                print(f"{fw:12s} {'raw-paste' if x['raw_paste'] else 'no raw-paste':14s}"
                      f"   {x['bare_raw_repl_exec_s'] * 1e3:10.3f} ms    {x['board_exec_s'] * 1e3:8.3f} ms"
                      f"   {x['ratio']:5.2f}x [{'ok' if x['ratio'] <= 1.5 else 'MISSED'}]")
        return r

    kit = VirtualKit("microbit_v2", speed=0)
    r: dict = {"engine": kit.engine_label, "python": sys.version.split()[0]}
    try:
        port = kit.port
        # 1. a process per call (micropython-magic's way)
        cmd = [sys.executable, "-m", "mpremote", "connect", port, "resume", "exec", "pass"]
        subprocess.run(cmd, check=True, capture_output=True)
        r["mpremote_cli_call_s"] = per_call(lambda: subprocess.run(cmd, check=True, capture_output=True),
                                            args.cli_calls)

        # 2. the floor: mpremote's transport kept open
        t = SerialTransport(port, timeout=2)
        t.enter_raw_repl(soft_reset=False)
        t.exec("pass")
        r["bare_transport_call_s"] = per_call(lambda: t.exec("pass"), args.calls)
        loop = f"for i in range({args.lines}):\n print(i, i*2, i*3)"
        rates = []
        for _ in range(3):
            t0 = time.perf_counter()
            out = t.exec(loop)
            rates.append(out.count(b"\n") / (time.perf_counter() - t0))
        r["bare_transport_lines_per_s"] = statistics.median(rates)
        t.close()

        # 3. the Board
        b = Board(port, kit.profile, kit=kit)
        b.exec("pass")
        r["board_exec_call_s"] = per_call(lambda: b.exec("pass"), args.calls)
        b.scenario(accel_x=Sine(0, 800, 2.0) + Noise(30, seed=1, step=0.001),
                   accel_y=Noise(30, seed=2, step=0.001), accel_z=-1000)
        b.stream(AXES, n=1000, progress=False)
        rates, frames = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            df = b.stream(AXES, n=args.samples, progress=False)
            rates.append(len(df) / (time.perf_counter() - t0))
            frames.append(df)
        r["stream_samples_per_s"] = statistics.median(rates)
        df = frames[-1]
        assert len(df) == args.samples and list(df.columns) == ["t", *AXES]
        lines = [f"{round(row.t * 1e6)} {row.accel_x} {row.accel_y} {row.accel_z}" for row in df.head(2000).itertuples()]
        bytes_per_line = sum(len(x) + 1 for x in lines) / len(lines)
        r["stream_bytes_per_line"] = round(bytes_per_line, 1)
        r["uart_115200_max_samples_per_s"] = max_rate_at_baud(115200, round(bytes_per_line))
        b.close()
    finally:
        kit.close()

    r["ratio_mpremote_cli_over_board_exec"] = r["mpremote_cli_call_s"] / r["board_exec_call_s"]
    r["ratio_board_exec_over_bare"] = r["board_exec_call_s"] / r["bare_transport_call_s"]
    r["ratio_stream_over_bare_lines"] = r["stream_samples_per_s"] / r["bare_transport_lines_per_s"]
    r["goals_met"] = {
        "exec >= 100x faster than mpremote CLI": r["ratio_mpremote_cli_over_board_exec"] >= 100,
        "exec within 2x of bare transport": r["ratio_board_exec_over_bare"] <= 2,
        "stream >= 10,000 samples/s": r["stream_samples_per_s"] >= 10_000,
        "stream >= 70% of bare line rate": r["ratio_stream_over_bare_lines"] >= 0.7,
    }
    if args.json:
        print(json.dumps(r, indent=2, ensure_ascii=False))
    else:
        print(f"engine: {r['engine']}")
        print(f"mpremote CLI per call (median):      {r['mpremote_cli_call_s'] * 1e3:8.1f} ms")
        print(f"bare SerialTransport.exec (median):  {r['bare_transport_call_s'] * 1e3:8.3f} ms")
        print(f"Board.exec (median):                 {r['board_exec_call_s'] * 1e3:8.3f} ms")
        print(f"  -> {r['ratio_mpremote_cli_over_board_exec']:.0f}x faster than mpremote CLI, "
              f"{r['ratio_board_exec_over_bare']:.2f}x the bare transport")
        print(f"bare transport, {args.lines} lines:      {r['bare_transport_lines_per_s']:8.0f} lines/s")
        print(f"Board.stream 3-axis into DataFrame:  {r['stream_samples_per_s']:8.0f} samples/s "
              f"({r['ratio_stream_over_bare_lines']:.0%} of the bare line rate)")
        print(f"one sample on the wire: {r['stream_bytes_per_line']} bytes -> a 115200-baud UART carries "
              f"at most {r['uart_115200_max_samples_per_s']} samples/s")
        for goal, ok in r["goals_met"].items():
            print(f"  [{'ok' if ok else 'MISSED'}] {goal}")
    return r


if __name__ == "__main__":
    main()
