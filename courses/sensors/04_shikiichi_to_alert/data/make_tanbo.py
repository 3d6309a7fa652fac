"""Make the practice trace of module 04: a paddy field's water level seen by an ultrasonic sensor.

    python make_tanbo.py        # writes tanbo_suii.csv and tanbo_suii.meta.yml here

Everything written here is **made up** (練習用の架空データ): no real paddy was measured.
The shape follows what the lab's logger writes (``Board.stream(..., csv=...)``): ``t`` is
seconds since the start, one row every 10 minutes, for 14 days. Because the data are made
from a formula, the *true* water level is known and travels with the trace, so an alert
rule can be checked against the ground truth:

* ``distance_cm``: what the sensor reads, from 50 cm above the soil surface
  (``level = 50 - distance``), with ripples (noise), a few lost echoes (far readings,
  the level looks very low) and a few near readings (an insect or a frog under the sensor);
* ``本当の水位_cm``: the true water depth over the soil (cm), from the formula;
* ``水不足``: 1 while the true depth is 2.0 cm or less (the water must be let in), else 0.

The model: the depth falls by evapotranspiration and seepage (faster by day), rises when the
farmer lets water in (to about 6 cm) and when it rains; twice water escapes through a hole in
the levee. The field runs short four times (about 11 h, 6 h, 2 h and 70 min; the deepest
point 1.0, 1.5, 0.6 and 1.6 cm), and twice the farmer comes just in time (the level bottoms
out at 2.3 and 2.9 cm).
The same seed always gives the same bytes.
"""
from __future__ import annotations

import csv
import io
import math
from datetime import datetime
from pathlib import Path

import numpy as np

from chiiki_iot.data import write_meta
from chiiki_iot.jst import JST

HERE = Path(__file__).parent
SEED = 20250616
MOUNT_CM = 50.0          # sensor height above the soil surface
LOW_CM = 2.0             # at or below this depth the field is short of water
PERIOD_S = 600           # one reading every 10 minutes
DAYS = 14
START = datetime(2025, 6, 16, 5, 0, 0, tzinfo=JST)
MADE_UP = "練習用の架空データです。実在の水田・測定ではありません。"

# (day, hour) the farmer starts letting water in; it flows until the depth reaches 6 cm
WATER_IN = [(2, 15.0), (5, 9.0), (8, 20.5), (11, 0.5), (11, 16.5), (13, 19.5)]
# (day, hour, mm of rain over the next 3 hours)
RAIN = [(6, 2.0, 10.0)]
# (day, hour, depth change in cm/h for 2 h): water escaping through a hole in the levee (畦)
# until the farmer blocks it
LEAK = [(11, 14.0, -2.2), (13, 17.0, -0.65)]


def true_level() -> np.ndarray:
    n = DAYS * 144
    level = np.empty(n)
    d = 5.2
    filling = False
    starts = {round((day * 24 + hour - 5) * 6) for day, hour in WATER_IN}
    for i in range(n):
        hour = (5 + i / 6) % 24
        day_hours = 5 + i / 6
        loss = 1.6 / 24 * (1 + 0.9 * math.sin(2 * math.pi * (hour - 7) / 24))    # cm per hour
        d -= loss / 6
        for day, h, mm in RAIN:
            if 0 <= day_hours - (day * 24 + h) < 3:
                d += mm / 10 / 3 / 6
        for day, h, rate in LEAK:
            if 0 <= day_hours - (day * 24 + h) < 2:
                d += rate / 6
        if i in starts:
            filling = True
        if filling:
            d += 1.4 / 6
            if d >= 6.0:
                filling = False
        if d > 8.0:
            d -= (d - 8.0) * 0.5      # the outlet
        d = max(d, 0.0)
        level[i] = d
    return level


def measure(level: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(level)
    hours = (5 + np.arange(n) / 6) % 24
    windy = 0.25 + 0.15 * (np.abs(hours - 14) < 4)                       # more ripples in the afternoon
    dist = MOUNT_CM - level + rng.normal(0, 1, n) * windy
    lost = rng.choice(np.arange(20, n - 20), size=14, replace=False)      # lost echoes: far readings
    dist[lost] = rng.uniform(62, 95, size=lost.size)
    dist[[1203, 1204]] = [88.4, 91.0]                                     # two in a row
    near = rng.choice(np.arange(20, n - 20), size=6, replace=False)       # an insect or a frog
    dist[near] = rng.uniform(18, 35, size=near.size)
    return np.round(dist, 1)


def main() -> None:
    rng = np.random.default_rng(SEED)
    level = true_level()
    dist = measure(level, rng)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["t", "distance_cm", "本当の水位_cm", "水不足"])
    for i, (d, lv) in enumerate(zip(dist, level)):
        w.writerow([i * PERIOD_S, f"{d:.1f}", f"{lv:.2f}", int(round(lv, 2) <= LOW_CM)])
    (HERE / "tanbo_suii.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")
    meta = {
        "title": "架空の水田の水位（超音波センサー、10分ごと、14日間）（練習用の架空データ）",
        "source": "練習用の架空データ（make_tanbo.py で式から生成。センサー実習のロガーと同じ形）",
        "synthetic": True,
        "notes": (MADE_UP + f" 超音波センサーを田面から {MOUNT_CM:.0f} cm の高さに下向きに付けた想定です。"
                  "水位 = 50 − distance_cm。水の出入り（入水・雨・蒸発と浸透・排水口）を式で作り、"
                  "波のゆれ（雑音）、反射が返らなかった読み（遠すぎる値）、虫やカエル（近すぎる値）を加えました。"
                  f"本当の水位が {LOW_CM} cm 以下の間を「水不足」（1）としています。"),
        "mount_height_cm": MOUNT_CM,
        "low_water_cm": LOW_CM,
        "columns": {
            "t": "秒（記録を始めてからの経過時間）",
            "distance_cm": "cm（センサーから水面まで。センサーが読んだ値）",
            "本当の水位_cm": "cm（田面からの水の深さ。式から求めた本当の値）",
            "水不足": f"1 = 本当の水位が {LOW_CM} cm 以下、0 = それより深い（正解ラベル）",
        },
        "sessions": [{
            "board": "（架空）ESP32",
            "profile": "esp32",
            "virtual": False,
            "started_at": START.isoformat(timespec="seconds"),
            "rate_hz": round(1 / PERIOD_S, 6),
        }],
    }
    write_meta(HERE / "tanbo_suii.csv", meta)


if __name__ == "__main__":
    main()
