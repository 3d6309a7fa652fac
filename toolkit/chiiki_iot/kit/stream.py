"""Sampling on the board into a pandas DataFrame, with a CSV logger, a live plot and a progress bar.

The board runs the sampling loop itself and prints one line per sample
(``<microseconds> <value> <value> ...``); the host parses lines as they arrive. So the
sample times come from the board's clock (the virtual clock on the virtual kit), not
from when the lines happened to cross the USB cable.
"""
from __future__ import annotations

import datetime as _dt
import math
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..data import read_meta, write_meta
from .errors import BoardDisconnectedError, BoardResetError, BoardTimeoutError, KitError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .board import Board

# Runs on the board. ``t`` (us since the first sample) accumulates tick differences and
# long waits are cut into 60 s sleeps, because ticks_us() wraps after 2**30 us (about
# 18 minutes) on 32-bit boards and ticks_diff() only spans half of that.
BOARD_LOOP = """\
import kit_sensors as _K, time as _T
def _kit_stream(names, n, dur, period):
    f = _K.reader(names)
    t = 0
    prev = _T.ticks_us()
    i = 0
    while (n < 0 or i < n) and (dur < 0 or t < dur):
        print(t, *f())
        i += 1
        while True:
            now = _T.ticks_us()
            t += _T.ticks_diff(now, prev)
            prev = now
            d = i * period - t
            if d <= 0:
                break
            _T.sleep_us(d if d < 60000000 else 60000000)
_kit_stream({names!r}, {n}, {dur}, {period})
"""


def _num(token: bytes):
    if b"." in token or b"e" in token or b"n" in token:
        return float(token)
    return int(token)


class CsvLogger:
    """Append samples to a CSV file as they arrive; a ``.meta.yml`` beside it says what they are.

    Each chunk of lines is written and flushed at once, so a crash or a pulled cable
    loses nothing already received. An existing file with the same columns is continued:
    its ``t`` goes on from the last row plus the time the file was left untouched.
    """

    def __init__(self, path: str | os.PathLike, columns: Sequence[str], meta: dict):
        self.path = Path(path)
        header = ",".join(columns)
        self.t_offset = 0.0
        self.count = 0
        if self.path.exists() and self.path.stat().st_size > 0:
            with self.path.open(encoding="utf-8") as f:
                first = f.readline().strip()
                last = first
                for line in f:
                    if line.strip():
                        last = line.strip()
            if first != header:
                raise KitError(
                    f"{self.path.name} の列（{first}）が今回の列（{header}）と違うので、続きを書けません。"
                    "別のファイル名を csv= に指定してください。"
                )
            if last != first:
                gap = max(0.0, time.time() - self.path.stat().st_mtime)
                self.t_offset = float(last.split(",", 1)[0]) + gap
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(header + "\n", encoding="utf-8")
        self._add_session(meta)
        self._f = self.path.open("a", encoding="utf-8", newline="")

    def _add_session(self, session: dict) -> None:
        meta = read_meta(self.path)
        sessions = meta.get("sessions", [])
        sessions.append(session)
        meta.update(
            title=meta.get("title") or f"{session['board']} のセンサー記録",
            source=session["board"],
            # made up by a scenario (virtual kit) or measured on a real board
            synthetic=any(s.get("virtual") for s in sessions),
            sessions=sessions,
        )
        write_meta(self.path, meta)

    def write(self, lines: list[str]) -> None:
        if lines:
            self._f.write("".join(lines))
            self._f.flush()
            self.count += len(lines)

    def close(self) -> None:
        self._f.close()


class LivePlot:
    """A matplotlib figure that follows the samples while they arrive.

    With the ipympl backend (``%matplotlib widget``) the figure itself updates; with the
    inline backend the displayed image is replaced about once a second.
    """

    MAX_POINTS = 3000

    def __init__(self, names: Sequence[str], title: str, interval_s: float = 0.5):
        import matplotlib.pyplot as plt

        from ..plots import use_japanese_font
        from .scenario import QUANTITIES

        use_japanese_font()
        self.fig, self.ax = plt.subplots(figsize=(8, 3.5))
        self.lines = []
        for name in names:
            q = QUANTITIES.get(name)
            label = f"{q.label} [{q.unit}]" if q else name
            (line,) = self.ax.plot([], [], label=label)
            self.lines.append(line)
        self.ax.set_xlabel("時間 [秒]")
        self.ax.set_title(title)
        self.ax.legend(loc="upper left")
        self.interval_s = interval_s
        self.updates = 0
        self._last = 0.0
        backend = plt.get_backend().lower()
        self._live_canvas = "ipympl" in backend or "widget" in backend
        self._handle = None
        if not self._live_canvas:
            try:
                from IPython import get_ipython
                from IPython.display import display

                if get_ipython() is not None:
                    self._handle = display(self.fig, display_id=True)
                    self.interval_s = max(self.interval_s, 1.0)
            except ImportError:  # pragma: no cover - IPython ships with Jupyter
                pass

    def finish(self, rows: list[tuple]) -> None:
        """Draw the last samples. In a notebook with the inline backend the displayed image
        is the figure; closing it stops IPython from showing it a second time."""
        self.update(rows, force=True)
        if self._handle is not None:
            import matplotlib.pyplot as plt

            plt.close(self.fig)

    def update(self, rows: list[tuple], force: bool = False) -> None:
        now = time.monotonic()
        if not rows or (not force and now - self._last < self.interval_s):
            return
        self._last = now
        recent = rows[-self.MAX_POINTS:]
        t = [r[0] for r in recent]
        for i, line in enumerate(self.lines, start=1):
            line.set_data(t, [r[i] for r in recent])
        self.ax.relim()
        self.ax.autoscale_view()
        self.updates += 1
        if self._live_canvas:
            self.fig.canvas.draw_idle()
            self.fig.canvas.flush_events()
        elif self._handle is not None:
            self._handle.update(self.fig)
        else:
            self.fig.canvas.draw()


class _Sink:
    """Turns the board's lines into rows, CSV lines, plot points and progress."""

    def __init__(self, names, logger, plot, bar):
        self.ncols = len(names) + 1
        self.rows: list[tuple] = []
        self.skipped: list[bytes] = []
        self.logger, self.plot, self.bar = logger, plot, bar
        self.t_offset = logger.t_offset if logger else 0.0
        self._partial = b""

    def __call__(self, data: bytes) -> None:
        data = self._partial + data
        lines = data.split(b"\n")
        self._partial = lines.pop()
        rows, csv = self.rows, []
        before = len(rows)
        t_offset, ncols = self.t_offset, self.ncols
        for line in lines:
            parts = line.split()
            if len(parts) != ncols:
                if line.strip():
                    self.skipped.append(line)
                continue
            try:
                t = int(parts[0]) / 1e6 + t_offset
                values = [_num(p) for p in parts[1:]]
            except ValueError:
                self.skipped.append(line)
                continue
            rows.append((t, *values))
            if self.logger is not None:
                csv.append(f"{t:.6f}," + ",".join(p.decode() for p in parts[1:]) + "\n")
        if self.logger is not None:
            self.logger.write(csv)
        if self.bar is not None:
            self.bar.update(len(rows) - before)
        if self.plot is not None:
            self.plot.update(rows)


def _frame(names: Sequence[str], rows: list[tuple], attrs: dict) -> "pd.DataFrame":
    import pandas as pd

    df = pd.DataFrame.from_records(rows, columns=["t", *names])
    df.attrs.update(attrs)
    return df


def capture(board: "Board", names: list[str], *, rate_hz: float | None, n: int | None,
            duration_s: float | None, csv, plot: bool, progress: bool | None,
            timeout: float | None) -> "pd.DataFrame":
    """``Board.stream`` (see there)."""
    if rate_hz is not None and rate_hz <= 0:
        raise KitError("rate_hz は 0 より大きい数（1 秒あたりの回数）にしてください。")
    if n is None and duration_s is not None and rate_hz is not None:
        n = max(1, round(duration_s * rate_hz))
    period_us = round(1e6 / rate_hz) if rate_hz else 0
    dur_us = round(duration_s * 1e6) if duration_s is not None else -1
    code = BOARD_LOOP.format(names=list(names), n=-1 if n is None else int(n), dur=dur_us, period=period_us)

    speed = board.speed
    board_seconds = duration_s if duration_s is not None else (n / rate_hz if n and rate_hz else None)
    real_seconds = board_seconds / speed if board_seconds is not None and speed > 0 else 0.0
    if timeout is None and (n is not None or duration_s is not None):
        timeout = 2 * real_seconds + 30 + (n or 0) / 1000
    if progress is None:
        progress = n is None and duration_s is None or real_seconds >= 5

    started = _dt.datetime.now().astimezone()
    attrs = {
        "board": board.label,
        "profile": board.profile.name,
        "virtual": board.is_virtual,
        "started_at": started.isoformat(timespec="seconds"),
        "rate_hz": rate_hz,
    }
    if board.is_virtual:
        attrs["scenario"] = {name: board.kit.world.spec(name) for name in names if name in _world_names()}
    logger = CsvLogger(csv, ["t", *names], dict(attrs)) if csv is not None else None
    live = LivePlot(names, board.label) if plot else None
    if live is not None:
        board.plot = live  # the figure stays reachable after a notebook has shown it
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, unit="件", desc="受信中", leave=True)
    sink = _Sink(names, logger, live, bar)
    if logger is not None:
        attrs["csv"] = str(logger.path)

    def partial() -> "pd.DataFrame":
        return _frame(names, sink.rows, attrs)

    try:
        board.run_streaming(code, sink, timeout=timeout, sensors=names)
    except KeyboardInterrupt:
        print(f"停止しました。受け取った {len(sink.rows)} 件を返します。")
        return partial()
    except BoardDisconnectedError:
        e = BoardDisconnectedError(board.port, saved=str(logger.path) if logger else None, count=len(sink.rows))
        e.partial = partial()
        raise e from None
    except (BoardTimeoutError, BoardResetError) as e:
        e.partial = partial()
        raise
    finally:
        if bar is not None:
            bar.close()
        if logger is not None:
            logger.close()
        if live is not None:
            live.finish(sink.rows)
    attrs["skipped_lines"] = len(sink.skipped)
    return partial()


def _world_names() -> set[str]:
    from .scenario import QUANTITIES

    return set(QUANTITIES)


def max_rate_at_baud(baud: int, bytes_per_line: int) -> float:
    """Samples per second a UART at ``baud`` can carry (8N1: 10 bits per byte)."""
    return math.floor(baud / 10 / bytes_per_line * 10) / 10
