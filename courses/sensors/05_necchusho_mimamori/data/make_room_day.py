"""Make the practice trace of module sensors-05: one summer day in a club room (made-up data).

    python make_room_day.py      # writes bukatsu_room_day_synthetic.csv and .meta.yml here

Everything written here is **made up** (練習用の架空データ): a martial-arts hall of a fictional
junior high school (架空市立中学校 格技場, no air conditioning) on a summer-holiday day, with a
club practising 9:00–12:00 and 13:00–16:30. Room air temperature and humidity come from daily
sine curves, plus the warmth and moisture of about 30 people while the club practises, plus a
little seeded noise; the outdoor values (the weather station's kind of reading) likewise.
The file has the shape the kit's logger writes (``Board.stream(..., csv=...)``): ``t`` = seconds
since the start of the recording (00:00 Japan time), one row every 5 minutes.
The same seed always gives the same bytes.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from chiiki_iot.data import write_meta

HERE = Path(__file__).parent
NAME = "bukatsu_room_day_synthetic"
SEED = 20240805
STEP_S = 300
STARTED_AT = "2024-08-05T00:00:00+09:00"


def daily(t_h, lo, hi, peak_h):
    """A daily sine between ``lo`` and ``hi`` with its maximum at ``peak_h``."""
    return (lo + hi) / 2 + (hi - lo) / 2 * math.cos(2 * math.pi * (t_h - peak_h) / 24)


def practising(t_h):
    """0..1: how much of the club is in the hall (ramps of 15 minutes at both ends)."""
    level = 0.0
    for start, end in ((9.0, 12.0), (13.0, 16.5)):
        if start <= t_h < end:
            level = min(1.0, (t_h - start) / 0.25, (end - t_h) / 0.25)
    return max(0.0, level)


def rows():
    rng = np.random.default_rng(SEED)
    for i in range(24 * 3600 // STEP_S):
        t = i * STEP_S
        h = t / 3600
        people = practising(h)
        warm = 0.0 if h < 9 else min(1.0, (h - 9) / 4) * (1 if h < 17 else max(0.0, 1 - (h - 17) / 5))
        room_t = daily(h, 25.6, 34.2, 15.0) + 1.4 * people + 0.5 * warm + rng.normal(0, 0.08)
        room_rh = daily(h, 54.0, 78.0, 4.0) + 8.0 * people + rng.normal(0, 0.4)
        out_t = daily(h, 25.4, 35.2, 14.0) + rng.normal(0, 0.15)
        out_rh = daily(h, 46.0, 86.0, 3.5) + rng.normal(0, 0.8)
        yield t, round(room_t, 2), round(room_rh, 1), round(out_t, 1), round(out_rh, 1)


def main() -> None:
    lines = ["t,temperature,humidity,outdoor_temperature,outdoor_humidity"]
    lines += [",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in r) for r in rows()]
    (HERE / f"{NAME}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    meta = {
        "title": "架空市立中学校 格技場（冷房なし）の夏の1日の気温と湿度（5分ごと、24時間、練習用の架空データ）",
        "source": "練習用の架空データ（make_room_day.py で式から作成。実在の学校・測定ではありません）",
        "synthetic": True,
        "notes": ("実測ではありません。室内の気温・湿度は1日の正弦波に、部活動（9:00〜12:00、13:00〜16:30、約30人）の"
                  "熱と湿気、乱数（シード固定）を足して作りました。屋外の値も同じように作った架空の値です。"
                  " t は記録開始（日本時間 0時）からの秒数。"),
        "columns": {"t": "秒（記録開始からの経過時間）", "temperature": "°C（室内・BME280 を想定）",
                    "humidity": "%RH（室内）", "outdoor_temperature": "°C（屋外・日かげ）",
                    "outdoor_humidity": "%RH（屋外）"},
        "sessions": [{"board": "（架空）micro:bit V2 + BME280", "profile": "microbit_v2", "virtual": True,
                      "started_at": STARTED_AT, "rate_hz": round(1 / STEP_S, 6)}],
    }
    write_meta(HERE / f"{NAME}.csv", meta)


if __name__ == "__main__":
    main()
