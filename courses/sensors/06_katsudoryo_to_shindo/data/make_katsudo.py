"""Make the practice traces of module sensors-06 (made-up data, reproducible).

    python make_katsudo.py     # writes the two CSV files and their .meta.yml here

Everything written here is **made up** (練習用の架空データ). No real person was measured.

* ``katsudo_raw_20min_synthetic.csv``: 20 minutes of a 3-axis accelerometer worn on the chest
  (a micro:bit in a pouch hanging from the neck, upright: gravity on the -y axis), 10 samples
  per second, in milli-g as the kit reports it: 5 minutes sitting, 5 walking, 5 reclining (the
  board tilted: gravity shared by y and z), 5 light housework. Sensor noise of 2 mg is added.
* ``katsudo_week_synthetic.csv``: one week (Monday 2024-07-01 00:00 Japan time to Sunday 23:59),
  one value per minute for three fictional residents A, B, C: the lab's activity measure, the
  per-minute mean of ``| |a| - 1 g |`` in m/s² (what ``per_minute`` of the raw data gives).
  Asleep (22:00-6:00) and sitting still the value stays near the sensor's noise floor (about
  0.016 m/s²); walking minutes are much higher. A and B rest (nap) after lunch at 13 h, C at 15 h.

The same seed always gives the same bytes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from chiiki_iot.data import write_meta

HERE = Path(__file__).parent
SEED = 20240701
RATE_HZ = 10
STARTED_AT = "2024-07-01T00:00:00+09:00"


def raw_20min(rng):
    n = 20 * 60 * RATE_HZ
    t = np.arange(n) / RATE_HZ
    minute = t // 60
    x = np.zeros(n)
    y = np.full(n, -1000.0)
    z = np.zeros(n)
    walk = (minute >= 5) & (minute < 10)
    y[walk] += 280 * np.sin(2 * np.pi * 1.8 * t[walk]) + 60 * np.sin(2 * np.pi * 3.6 * t[walk])
    x[walk] += 120 * np.sin(2 * np.pi * 0.9 * t[walk])
    z[walk] += 90 * np.sin(2 * np.pi * 1.8 * t[walk] + 1.0)
    lie = (minute >= 10) & (minute < 15)
    y[lie], z[lie] = -500.0, -866.0                     # reclining: the board tilted by 60 degrees
    work = minute >= 15
    y[work] += 90 * np.sin(2 * np.pi * 0.8 * t[work])
    x[work] += 70 * np.sin(2 * np.pi * 0.8 * t[work] + 0.5)
    for a in (x, y, z):
        a += rng.normal(0, 2.0, n)
    return t, np.rint(x).astype(int), np.rint(y).astype(int), np.rint(z).astype(int)


# Chance (per waking minute) of a walking minute, by hour; the hour of the after-lunch rest differs.
HOURLY = {6: 0.6, 7: 1.3, 8: 1.4, 9: 1.4, 10: 1.3, 11: 1.1, 12: 0.8, 13: 1.0, 14: 1.0, 15: 1.0,
          16: 1.1, 17: 1.0, 18: 0.8, 19: 0.7, 20: 0.6, 21: 0.4}
RESIDENTS = {  # name: (chance of walking per waking minute, walking level m/s², rest hour, weekend factor)
    "A": (0.055, (0.6, 1.8), 13, 1.25),
    "B": (0.009, (0.3, 0.9), 13, 1.0),
    "C": (0.03, (0.5, 1.5), 15, 1.1),
}


def week(rng):
    minutes = np.arange(7 * 24 * 60)
    hour = (minutes // 60) % 24
    day = minutes // 1440
    out = {}
    for name, (p, (lo, hi), rest_hour, weekend) in RESIDENTS.items():
        day_factor = rng.normal(1.0, 0.25, 7).clip(0.5, 1.6)
        day_factor[5:] *= weekend
        awake = (hour >= 6) & (hour < 22)
        chance = np.array([HOURLY.get(h, 0.0) for h in hour]) * p * day_factor[day]
        chance[hour == rest_hour] *= 0.1
        walking = awake & (rng.random(len(minutes)) < chance)
        resting = awake & (hour == rest_hour) & (rng.random(len(minutes)) < 0.7)   # a nap after lunch
        v = np.where(awake & ~resting, 0.018 + np.abs(rng.normal(0, 0.004, len(minutes))),
                     0.015 + np.abs(rng.normal(0, 0.002, len(minutes))))
        v[walking] = rng.uniform(lo, hi, walking.sum())
        out[name] = v
    return minutes * 60, out


def main() -> None:
    rng = np.random.default_rng(SEED)
    t, x, y, z = raw_20min(rng)
    lines = ["t,accel_x,accel_y,accel_z"] + [f"{a:.1f},{b},{c},{d}" for a, b, c, d in zip(t, x, y, z)]
    (HERE / "katsudo_raw_20min_synthetic.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_meta(HERE / "katsudo_raw_20min_synthetic.csv", {
        "title": "胸につけた加速度センサーの20分間の記録（10回/秒、練習用の架空データ）",
        "source": "練習用の架空データ（make_katsudo.py で式と乱数から作成。実在の人の測定ではありません）",
        "synthetic": True,
        "notes": ("0〜5分 座っている、5〜10分 歩く、10〜15分 もたれて休む（ボードが傾き、重力が y と z に分かれる）、"
                  "15〜20分 軽い家事。センサーの雑音（2 mg）を足しています。"),
        "columns": {"t": "秒（記録開始からの経過時間）", "accel_x": "mg", "accel_y": "mg（首から下げて立てたとき、重力は −y）",
                    "accel_z": "mg"},
        "sessions": [{"board": "（架空）micro:bit V2", "profile": "microbit_v2", "virtual": True,
                      "started_at": "2024-07-01T10:00:00+09:00", "rate_hz": RATE_HZ}],
    })
    seconds, residents = week(rng)
    lines = ["t,A,B,C"] + [f"{s}," + ",".join(f"{residents[k][i]:.4f}" for k in "ABC") for i, s in enumerate(seconds)]
    (HERE / "katsudo_week_synthetic.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_meta(HERE / "katsudo_week_synthetic.csv", {
        "title": "架空の住民3人（A・B・C）の1週間の活動量（1分ごと、練習用の架空データ）",
        "source": "練習用の架空データ（make_katsudo.py で乱数から作成。実在の人・仮設住宅の測定ではありません）",
        "synthetic": True,
        "notes": ("値はこの教材の活動量の定義（| |a| − 1 g | の1分間の平均、m/s²）。寝ている時間（22時〜6時）と"
                  "じっとしている時間はセンサーの雑音の大きさ（約 0.016 m/s²）に近く、歩いた分は大きくなります。"
                  "A と B は13時、C は15時に休む設定です。t は記録開始（2024-07-01 月曜 0時、日本時間）からの秒数。"),
        "columns": {"t": "秒（記録開始からの経過時間。各分の始まり）", "A": "m/s²（住民 A の1分間の活動量）",
                    "B": "m/s²（住民 B）", "C": "m/s²（住民 C）"},
        "sessions": [{"board": "（架空）見守り端末", "virtual": True, "started_at": STARTED_AT, "rate_hz": round(1 / 60, 6)}],
    })


if __name__ == "__main__":
    main()
