"""Make the practice data of sensors 02 (made-up data, reproducible).

    python make_sensor_a.py     # writes kousei_hikaku.csv, sensor_a_kominkan.csv and their .meta.yml here

Everything written here is **made up** (練習用の架空データ). "Sensor A" is an imaginary
temperature sensor whose reading is off by a gain and an offset (larger than a good BME280's,
so that calibration shows clearly), with a little random noise and a 0.01 °C step:

    reading = GAIN * true + OFFSET + noise(sd NOISE_SD), rounded to 0.01

* ``kousei_hikaku.csv``: sensor A next to a reference thermometer (0.1 °C step) in three rooms,
  ten readings a minute apart in each: a cool room and a warm room (for a two-point
  calibration) and a room in between (to check the calibration).
* ``sensor_a_kominkan.csv``: what sensor A logs over one day in a community-centre room, in
  the shape the kit's logger writes (``t`` seconds, ``temperature``); the true temperature is
  the kit's trace ``room_day_synthetic`` (itself made up from a formula).

The same seed always gives the same bytes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from chiiki_iot.data import write_meta
from chiiki_iot.kit.scenario import TRACES_DIR

HERE = Path(__file__).parent
SEED = 20260402
GAIN, OFFSET, NOISE_SD = 0.97, 1.4, 0.05
MADE_UP = "練習用の架空データです。実在のセンサー・施設・測定ではありません。"
ROOMS = [("涼しい部屋", 15.0), ("暖かい部屋", 30.0), ("確かめの部屋", 22.0)]


def sensor_a(true, rng):
    return np.round(GAIN * np.asarray(true) + OFFSET + rng.normal(0, NOISE_SD, np.shape(true)), 2)


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = []
    for room, base in ROOMS:
        true = base + np.cumsum(rng.normal(0, 0.02, 10))          # the room drifts a little
        ref = np.round(true + rng.normal(0, 0.03, 10), 1)          # reference thermometer, 0.1 °C step
        raw = sensor_a(true, rng)
        rows += [{"場面": room, "分": m, "基準温度計_℃": r, "センサーA_℃": a} for m, (r, a) in enumerate(zip(ref, raw))]
    hikaku = pd.DataFrame(rows)
    path = HERE / "kousei_hikaku.csv"
    hikaku.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    write_meta(path, {
        "title": "センサーAと基準の温度計の比べ（3つの部屋、1分ごとに10回）（練習用の架空データ）",
        "source": "練習用の架空データ（make_sensor_a.py で生成）",
        "synthetic": True,
        "notes": MADE_UP + " 涼しい部屋・暖かい部屋で2点校正の式を作り、確かめの部屋で式を確かめるための記録です。",
        "columns": {"場面": "部屋", "分": "測り始めてからの分", "基準温度計_℃": "基準の温度計（0.1 ℃刻み）[°C]",
                    "センサーA_℃": "センサーAの読み（0.01 ℃刻み）[°C]"},
    })

    trace = pd.read_csv(TRACES_DIR / "room_day_synthetic.csv")
    day = pd.DataFrame({"t": trace["t"].astype(float), "temperature": sensor_a(trace["temperature"], rng)})
    path = HERE / "sensor_a_kominkan.csv"
    day.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.2f")
    write_meta(path, {
        "title": "公民館の一室の気温をセンサーAで測った記録（5分ごと、24時間、校正前）（練習用の架空データ）",
        "source": "練習用の架空データ（make_sensor_a.py で生成。キットのトレース room_day_synthetic を本当の気温とした）",
        "synthetic": True,
        "notes": MADE_UP + " t は記録を始めてからの秒数、temperature はセンサーAの読み（校正前）[°C]。",
        "columns": {"t": "秒（開始からの経過時間）", "temperature": "°C（センサーAの読み、校正前）"},
    })


if __name__ == "__main__":
    main()
