"""Make the practice log of module 03: three days of an aquaculture tank, with a gap (made-up data).

    python make_suisou.py        # writes suisou_log.csv and suisou_log.meta.yml here

Everything written here is **made up** (練習用の架空データ): no real tank was measured.
The files have the shape the sensor labs' logger writes (``Board.stream(..., csv=...)``):

* ``suisou_log.csv``: header ``t,water_temp,salinity,do_mg_l``; ``t`` = seconds since the
  start of the recording; one row per measurement;
* ``suisou_log.meta.yml``: beside it, among others ``sessions[].started_at`` in ISO 8601 with
  the UTC offset of the computer that recorded it (here a server running in UTC, +00:00).

The story: a device in an on-land tank measures water temperature, salinity and dissolved
oxygen with a simple loop, "measure and send (2.4 s), then sleep 600 s", so a row comes every
602.4 s, not every 600 s. On the second afternoon the network drops for about 4.7 hours; the
logger is reconnected and continues the same file (a second session; ``t`` jumps over the
gap). In the third night the aerator stops for 35 minutes and the dissolved oxygen dips.
The same seed always gives the same bytes.
"""
from __future__ import annotations

import csv
import io
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from chiiki_iot.data import write_meta
from chiiki_iot.jst import JST

HERE = Path(__file__).parent
SEED = 20250715
PERIOD_S = 602.4                                                       # 600 s sleep + 2.4 s measuring
START = datetime(2025, 7, 14, 23, 5, 10, tzinfo=timezone.utc)          # 2025-07-15 08:05:10 JST
END = datetime(2025, 7, 18, 8, 0, 0, tzinfo=JST)
LOST = datetime(2025, 7, 16, 13, 40, 0, tzinfo=JST)                    # the network drops ...
BACK = datetime(2025, 7, 16, 18, 22, 37, tzinfo=JST)                   # ... and the logger restarts
AERATOR_OFF = (datetime(2025, 7, 17, 2, 40, 0, tzinfo=JST), 35 * 60)   # start, seconds
MADE_UP = "練習用の架空データです。実在の養殖場・測定ではありません。"


def _values(at: datetime, rng: np.random.Generator) -> tuple[float, float, float]:
    jst = at.astimezone(JST)
    hour = jst.hour + jst.minute / 60 + jst.second / 3600
    days = (at - START).total_seconds() / 86400
    temp = 19.2 + 0.15 * days + 0.45 * math.cos(2 * math.pi * (hour - 15) / 24) + rng.normal(0, 0.04)
    sal = 33.2 - 0.05 * days + rng.normal(0, 0.04)
    do = 7.4 - 0.1 * (temp - 19.2) + 0.15 * math.cos(2 * math.pi * (hour - 14) / 24) + rng.normal(0, 0.06)
    off, dur = AERATOR_OFF
    since = (at - off).total_seconds()
    if 0 <= since < dur:                       # the aerator stopped: oxygen falls
        do -= 3.6 * (1 - math.exp(-since / 600))
    elif dur <= since < dur + 1800:            # running again: it recovers in about half an hour
        do -= 3.6 * (1 - math.exp(-dur / 600)) * math.exp(-(since - dur) / 400)
    return round(temp, 2), round(sal, 2), round(do, 2)


def main() -> None:
    rng = np.random.default_rng(SEED)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["t", "water_temp", "salinity", "do_mg_l"])
    sessions = []
    for begin, until in ((START, LOST), (BACK, END)):
        # the logger continues a file: t goes on from the file's start by the computer's clock
        offset = (begin - START).total_seconds()
        sessions.append({
            "board": "（架空）ESP32 水質センサー",
            "profile": "esp32",
            "virtual": False,
            "started_at": begin.astimezone(timezone.utc).isoformat(timespec="seconds"),
            "rate_hz": round(1 / 600, 6),
        })
        i = 0
        while True:
            board_t = i * PERIOD_S + float(rng.uniform(0.0, 0.003))   # the board's clock: a few ms late
            at = begin + timedelta(seconds=board_t)
            if at >= until:
                break
            temp, sal, do = _values(at, rng)
            w.writerow([f"{offset + board_t:.6f}", f"{temp:.2f}", f"{sal:.2f}", f"{do:.2f}"])
            i += 1
    (HERE / "suisou_log.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")
    meta = {
        "title": "架空の陸上養殖場 2番水槽の水質の記録（練習用の架空データ）",
        "source": "練習用の架空データ（make_suisou.py で生成。センサー実習のロガーと同じ形）",
        "synthetic": True,
        "notes": (MADE_UP + " t は最初の記録開始からの秒数。water_temp は水温 [°C]、salinity は塩分 [‰]、"
                  "do_mg_l は溶存酸素 [mg/L]。ループは「測って送る（約2.4秒）→ 600秒待つ」なので、"
                  "1行はおよそ 602.4 秒ごとです。2日目の午後に通信が切れ、つなぎ直して同じファイルに続けて記録しています"
                  "（sessions が2つ）。"),
        "columns": {"t": "秒", "water_temp": "°C（水温）", "salinity": "‰（塩分）", "do_mg_l": "mg/L（溶存酸素）"},
        "sessions": sessions,
    }
    write_meta(HERE / "suisou_log.csv", meta)


if __name__ == "__main__":
    main()
