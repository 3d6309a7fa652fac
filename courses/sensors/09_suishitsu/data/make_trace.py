"""Make the practice water-quality trace of module 09 (made-up data, reproducible).

    python make_trace.py      # writes suishitsu_4suiso.csv (+ .meta.yml) and events.csv here

Everything written here is **made up** (練習用の架空データ). The setting follows the Shimabara
abalone case in 総務省九州総合通信局「九州におけるIoT実装の推進」（平成30年8月）: an unmanned
land-based facility whose tanks are measured once an hour (water temperature, salinity,
dissolved oxygen) and sent to the cloud. No real measurements of that facility are used;
the numbers below (normal levels, daily cycles, faults) are this course's assumptions.

What is in the trace:

* 4 tanks (T01-T04) x 28 days (2025-07-01 00:00 to 2025-07-28 23:00, Japan time), one row
  per tank and hour that *arrived*: hours lost in transmission have no row at all;
* columns ``time`` (ISO 8601 with +09:00), ``tank``, ``temp_c`` (°C), ``salinity_psu``
  (practical salinity), ``do_mgl`` (dissolved oxygen, mg/L), rounded to 0.01 like the sensor;
* normal behaviour: a daily cycle (water a little warmer in the afternoon; oxygen lower at
  night when the abalone are active), slow weather-like wandering, sensor noise;
* injected events, listed in ``events.csv`` (the ground truth): a night-time pump stop
  (oxygen falls), a chiller fault (temperature drifts up), a fouled oxygen probe (slow drift
  down, then cleaned), stuck values, single-hour spikes, lost hours, and heavy rain that
  lowers the salinity of the intake water in every tank (a real change, not a fault).

The same seed always gives the same bytes.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from chiiki_iot.data import write_meta
from chiiki_iot.jst import JST

HERE = Path(__file__).parent
SEED = 20250701
START = datetime(2025, 7, 1, 0, 0, tzinfo=JST)
HOURS = 28 * 24
TANKS = ["T01", "T02", "T03", "T04"]
MADE_UP = "練習用の架空データです。実在の施設の測定値ではありません。"

# tank: (mean temperature, mean salinity, mean oxygen)
NORMAL = {"T01": (19.6, 33.45, 7.25), "T02": (20.1, 33.30, 7.05), "T03": (19.8, 33.55, 7.15), "T04": (20.3, 33.40, 7.20)}


def h(day: int, hour: int) -> int:
    """Hour index of 2025-07-<day> <hour>:00 JST."""
    return (day - 1) * 24 + hour


# The ground truth: (id, tank, variable, kind, first hour, last hour, what happened)
EVENTS = [
    ("E01", "T04", "salinity_psu", "値の張り付き", h(3, 0), h(3, 14),
     "塩分計の値が同じ数のまま動かない（変換器の不具合という設定）"),
    ("E02", "T01", "temp_c", "値の張り付き", h(5, 9), h(6, 4),
     "水温計の値が同じ数のまま動かない（通信装置が古い値を送り続けたという設定）"),
    ("E03", "T01", "do_mgl", "スパイク", h(8, 14), h(8, 14),
     "溶存酸素計に気泡がつき、1時間だけ高すぎる値"),
    ("E04", "T02", "do_mgl", "ポンプ停止", h(10, 1), h(10, 10),
     "夜中の1時に給水ポンプが止まり、溶存酸素がゆっくり下がる。朝8時に作業員が着いて再起動"),
    ("E05", "T01", "all", "欠測", h(12, 10), h(12, 17), "通信障害で8時間分が届かない"),
    ("E06", "T01", "salinity_psu", "大雨（環境の変化）", h(12, 4), h(13, 8), "大雨で取水した海水の塩分が下がる"),
    ("E07", "T02", "salinity_psu", "大雨（環境の変化）", h(12, 4), h(13, 8), "大雨で取水した海水の塩分が下がる"),
    ("E08", "T03", "salinity_psu", "大雨（環境の変化）", h(12, 4), h(13, 8), "大雨で取水した海水の塩分が下がる"),
    ("E09", "T04", "salinity_psu", "大雨（環境の変化）", h(12, 4), h(13, 8), "大雨で取水した海水の塩分が下がる"),
    ("E10", "T03", "temp_c", "冷却機の故障", h(15, 13), h(16, 3),
     "冷却機が止まって水温が少しずつ上がる。夜に修理して戻る"),
    ("E11", "T04", "do_mgl", "センサーの汚れ", h(17, 0), h(25, 10),
     "溶存酸素計の膜が汚れて、実際より低い値がだんだん大きくなる。25日10時に清掃"),
    ("E12", "T03", "all", "欠測", h(19, 20), h(20, 3), "通信障害で8時間分が届かない"),
    ("E13", "T03", "salinity_psu", "スパイク", h(20, 6), h(20, 6), "塩分計に気泡がつき、1時間だけ低すぎる値"),
    ("E14", "T02", "temp_c", "スパイク", h(22, 11), h(22, 11), "通信の誤りで1時間だけありえない水温"),
    ("E15", "T02", "all", "欠測", h(24, 3), h(24, 4), "通信障害で2時間分が届かない"),
    ("E16", "T01", "all", "欠測", h(26, 15), h(26, 15), "通信障害で1時間分が届かない"),
]


def _wander(rng: np.random.Generator, sd: float, smooth_h: int) -> np.ndarray:
    """Slow weather-like wandering: smoothed random walk, mean 0."""
    steps = rng.normal(0, 1, HOURS + smooth_h)
    kernel = np.ones(smooth_h) / smooth_h
    x = np.convolve(np.cumsum(steps) * 0.15, kernel, mode="valid")[:HOURS]
    x = x - x.mean()
    return x / (x.std() or 1) * sd


def _tank(tank: str, rng: np.random.Generator) -> dict[str, np.ndarray]:
    t_mean, s_mean, o_mean = NORMAL[tank]
    hour = np.arange(HOURS) % 24
    temp = (t_mean + 0.35 * np.cos(2 * np.pi * (hour - 15) / 24) + _wander(rng, 0.25, 72)
            + rng.normal(0, 0.03, HOURS))
    sal = s_mean + _wander(rng, 0.12, 96) + rng.normal(0, 0.05, HOURS)
    # oxygen: lower at night (abalone feed and breathe at night), a little lower when warmer
    oxy = (o_mean - 0.25 * np.cos(2 * np.pi * (hour - 3) / 24) - 0.15 * (temp - t_mean)
           + _wander(rng, 0.08, 48) + rng.normal(0, 0.06, HOURS))
    return {"temp_c": temp, "salinity_psu": sal, "do_mgl": oxy}


def _inject(data: dict[str, dict[str, np.ndarray]]) -> dict[str, set[int]]:
    """Apply the events to the clean signals; return the lost hours of each tank."""
    lost: dict[str, set[int]] = {t: set() for t in TANKS}
    idx = np.arange(HOURS)
    # heavy rain: salinity of the intake falls and comes back (every tank, same shape)
    centre, width = h(12, 18), 7.0
    dip = 1.8 * np.exp(-0.5 * ((idx - centre) / width) ** 2)
    for t in TANKS:
        data[t]["salinity_psu"] = data[t]["salinity_psu"] - dip
    # E01 / E02 stuck values (rounded to the sensor's resolution, as the sensor would send)
    for tank, var, a, b in (("T04", "salinity_psu", h(3, 0), h(3, 14)), ("T01", "temp_c", h(5, 9), h(6, 4))):
        data[tank][var][a:b + 1] = round(float(data[tank][var][a]), 2)
    # E03 oxygen spike
    data["T01"]["do_mgl"][h(8, 14)] = 12.8
    # E04 pump stop at 01:00: oxygen falls 0.36 mg/L an hour, the water warms a little;
    # restarted at 08:00, oxygen climbs back 1.1 mg/L an hour
    a, restart = h(10, 1), h(10, 8)
    fall = np.zeros(HOURS)
    for i in range(a, restart + 1):
        fall[i] = 0.36 * (i - a + 1)
    drop_at_restart = fall[restart]
    for i in range(restart + 1, HOURS):
        fall[i] = max(0.0, drop_at_restart - 1.1 * (i - restart))
    data["T02"]["do_mgl"] = data["T02"]["do_mgl"] - fall
    data["T02"]["temp_c"] = data["T02"]["temp_c"] + 0.06 * fall
    # E10 chiller fault from 13:00: +0.33 degC an hour until repaired at 22:00, then -0.6 an hour
    a, fixed = h(15, 13), h(15, 22)
    warm = np.zeros(HOURS)
    for i in range(a, fixed + 1):
        warm[i] = 0.33 * (i - a + 1)
    top = warm[fixed]
    for i in range(fixed + 1, HOURS):
        warm[i] = max(0.0, top - 0.6 * (i - fixed))
    data["T03"]["temp_c"] = data["T03"]["temp_c"] + warm
    data["T03"]["do_mgl"] = data["T03"]["do_mgl"] - 0.15 * warm
    # E11 fouled oxygen probe: reads low by 0.22 mg/L a day more, cleaned at 25th 10:00
    a, cleaned = h(17, 0), h(25, 10)
    for i in range(a, cleaned):
        data["T04"]["do_mgl"][i] -= 0.22 * (i - a) / 24
    # E13 salinity spike (air bubble in the conductivity cell), E14 impossible temperature
    data["T03"]["salinity_psu"][h(20, 6)] = 21.3
    data["T02"]["temp_c"][h(22, 11)] = 38.5
    # lost hours
    for _id, tank, var, kind, first, last, _what in EVENTS:
        if kind == "欠測":
            lost[tank] |= set(range(first, last + 1))
    return lost


def main() -> None:
    rng = np.random.default_rng(SEED)
    data = {t: _tank(t, rng) for t in TANKS}
    lost = _inject(data)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["time", "tank", "temp_c", "salinity_psu", "do_mgl"])
    for i in range(HOURS):
        at = (START + timedelta(hours=i)).isoformat()
        for t in TANKS:
            if i in lost[t]:
                continue
            d = data[t]
            w.writerow([at, t, f"{d['temp_c'][i]:.2f}", f"{d['salinity_psu'][i]:.2f}", f"{d['do_mgl'][i]:.2f}"])
    (HERE / "suishitsu_4suiso.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")
    meta = {
        "title": "陸上養殖の水槽4つの水質（1時間ごと・4週間）（練習用の架空データ）",
        "source": "練習用の架空データ（make_trace.py で生成）",
        "synthetic": True,
        "recorded": False,
        "notes": (MADE_UP + " 設定は 総務省九州総合通信局「九州におけるIoT実装の推進」（平成30年8月）の島原市の事例"
                  "（無人の新設施設で水温・塩分濃度・溶存酸素を1時間に1回測ってクラウドへ送る）にならいました。"
                  "水槽の数・ふつうの値・1日の変化・故障の起き方は、この教材の仮定です。"
                  " 届かなかった時間は行がありません。正解の出来事は events.csv にあります。"),
        "units": {"time": "ISO 8601（日本時間 +09:00）", "tank": "水槽の名前", "temp_c": "水温 [°C]",
                  "salinity_psu": "塩分 [PSU（実用塩分）]", "do_mgl": "溶存酸素 [mg/L]"},
        "period": {"start": START.isoformat(), "end": (START + timedelta(hours=HOURS - 1)).isoformat(),
                   "interval": "1時間"},
        "seed": SEED,
    }
    write_meta(HERE / "suishitsu_4suiso.csv", meta)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["event_id", "tank", "variable", "kind", "start", "end", "what"])
    for eid, tank, var, kind, first, last, what in EVENTS:
        w.writerow([eid, tank, var, kind, (START + timedelta(hours=first)).isoformat(),
                    (START + timedelta(hours=last)).isoformat(), what])
    (HERE / "events.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")


if __name__ == "__main__":
    main()
