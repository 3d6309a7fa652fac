"""Make the practice paddy-water week of module 10 (made-up data, reproducible).

    python make_week.py     # writes suiden_1shukan.csv (+ .meta.yml) and todokanakatta.csv here

Everything written here is **made up** (練習用の架空データ). The setting follows the paddy
sensors of 新潟市 in 総務省九州総合通信局「九州におけるIoT実装の推進（総務省IoT関連施策）」（令和2年2月）
(sensors measure the water level and temperature; farmers get e-mails and patrol less), in a
fictional town with 12 paddy fields. One field's week is simulated every 10 minutes:

* the water depth falls by evaporation and seepage (faster in the daytime), rain raises it;
* the farmer gets an alert when the depth leaves 3.0-8.0 cm and acts about an hour later
  (opens the inlet when too shallow, the outlet when too deep), as the pilot intends;
* one planned irrigation on Friday morning overfills the field a little;
* the water temperature follows the day (cooler at dawn, warmest mid-afternoon).

``suiden_1shukan.csv``: ``t`` (seconds from Monday 2 June 2025 00:00 JST), ``depth_cm``
(water depth above the soil) and ``water_temp_c``. ``todokanakatta.csv``: the numbers of the
half-hourly messages (0 = the first, at t = 0) that the network lost in this made-up week.
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
SEED = 20250602
START = datetime(2025, 6, 2, 0, 0, tzinfo=JST)
STEP_S = 600
STEPS = 7 * 24 * 6          # one week at 10-minute steps
LOW, HIGH = 3.0, 8.0        # the pilot's target depth (cm), this course's assumption
DELAY_STEPS = 6             # the farmer acts about an hour after the alert
MESSAGES = 7 * 48           # half-hourly messages in the week
MADE_UP = "練習用の架空データです。実在の水田の測定値ではありません。"


def _rain(step: int) -> float:
    """cm of rain water added in this 10-minute step (Thursday afternoon shower)."""
    thursday_14h = (3 * 24 + 14) * 6
    return 0.55 if thursday_14h <= step < thursday_14h + 6 else 0.0


def simulate(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    depth = np.zeros(STEPS)
    d = 5.2
    pending = None            # (step at which the farmer acts, what)
    flow = []                 # remaining (cm per step) of inflow/outflow in progress
    friday_8h = (4 * 24 + 8) * 6
    for i in range(STEPS):
        hour = (i % 144) / 6
        sun = max(0.0, math.sin(math.pi * (hour - 6) / 12)) if 6 <= hour <= 18 else 0.0
        d -= 0.0045 + 0.0125 * sun
        d += _rain(i)
        if i == friday_8h:
            flow += [0.5] * 6                                   # planned irrigation: +3 cm in an hour
        if flow:
            d += flow.pop(0)
        if pending is None and not flow and (d < LOW or d > HIGH):
            pending = (i + DELAY_STEPS, "in" if d < LOW else "out")
        if pending is not None and i == pending[0]:
            flow = [0.35] * 12 if pending[1] == "in" else [-0.4] * 6   # +4.2 cm in 2 h / -2.4 cm in 1 h
            pending = None
        depth[i] = d
    noisy = depth + rng.normal(0, 0.08, STEPS)                  # ripples on the surface
    hours = np.arange(STEPS) / 6 % 24
    temp = 21.5 + 3.0 * np.sin(2 * np.pi * (hours - 9) / 24) + rng.normal(0, 0.1, STEPS)
    return np.round(noisy, 2), np.round(temp, 2)


def main() -> None:
    rng = np.random.default_rng(SEED)
    depth, temp = simulate(rng)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["t", "depth_cm", "water_temp_c"])
    for i in range(STEPS):
        w.writerow([i * STEP_S, f"{depth[i]:.2f}", f"{temp[i]:.2f}"])
    (HERE / "suiden_1shukan.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")
    lost = sorted(int(x) for x in rng.choice(np.arange(MESSAGES), size=10, replace=False))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["message_no"])
    for m in lost:
        w.writerow([m])
    (HERE / "todokanakatta.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")
    meta = {
        "title": "架空のみずほ町の水田1枚の1週間（水深と水温、10分ごと）（練習用の架空データ）",
        "source": "練習用の架空データ（make_week.py で生成）",
        "synthetic": True,
        "recorded": False,
        "notes": (MADE_UP + " 設定は 総務省九州総合通信局「九州におけるIoT実装の推進（総務省IoT関連施策）」（令和2年2月）の"
                  "新潟市の水田センサー（水位・水温を測り、農業者にメールで知らせ、見回りを減らす）にならいました。"
                  "水深の目安 3〜8 cm、農家が知らせを受けて約1時間後に水を入れる・抜くという動き、木曜の雨、金曜の水入れは、この教材の仮定です。"
                  " todokanakatta.csv は、30分ごとの送信のうち、通信で届かなかったことにする送信の番号（0 から）です。"),
        "units": {"t": "2025-06-02 00:00（日本時間）からの秒数", "depth_cm": "水深 [cm]（田面からの水の深さ）",
                  "water_temp_c": "水温 [°C]"},
        "start": START.isoformat(),
        "step_s": STEP_S,
        "target_depth_cm": [LOW, HIGH],
        "seed": SEED,
    }
    write_meta(HERE / "suiden_1shukan.csv", meta)


if __name__ == "__main__":
    main()
