"""Make the practice event log of the wildlife lab (練習用の架空データ).

Run from anywhere: ``python make_kenchi_log.py``. It writes, next to itself,
``kenchi_log.csv`` (+ ``kenchi_log.meta.yml``) and ``sensors.csv``; the same files every
time (fixed seed). Nothing here was measured: the pattern follows what the lab teaches
(animals at night near the woods, people by day on the farm road, a sunny bank that
triggers a PIR at midday, a sensor whose battery ran out, a typhoon day, two box traps).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from chiiki_iot.data import write_meta
from chiiki_iot.jst import JST

HERE = Path(__file__).resolve().parent
SEED = 20240901
DAYS = pd.date_range("2024-09-01", "2024-09-28", freq="D", tz=JST)
TYPHOON_DAY = "2024-09-16"                       # 台風: 動物も人も出歩かなかった日（という設定）
P2_OFF = ("2024-09-15 09:40:00", "2024-09-18 10:20:00")   # P2 の電池切れ（という設定）
ONE_DAY = ("2024-09-20 12:00:00", "2024-09-21 12:00:00")  # 通知の演習で使う1日（手で決めた夜）

SENSORS = pd.DataFrame([
    ("P1", "人感", "田んぼの北・林との境（山側）"),
    ("P2", "人感", "田んぼの東・沢沿いのけもの道"),
    ("P3", "人感", "農道の入口（集落側）"),
    ("P4", "人感", "用水路の土手（南向き・草地に向けて設置）"),
    ("W1", "わな", "箱わな1（林との境）"),
    ("W2", "わな", "箱わな2（沢沿い）"),
], columns=["センサーID", "種類", "置いた場所"])

# The night of 9/20 -> 9/21, written by hand so the notification rules can be checked.
HAND_NIGHT = [
    ("2024-09-20 20:05:12", "P1"), ("2024-09-20 20:31:40", "P1"), ("2024-09-20 21:10:03", "P1"),
    ("2024-09-20 21:41:27", "P1"), ("2024-09-20 22:20:55", "P1"), ("2024-09-20 23:50:10", "P1"),
    ("2024-09-21 00:32:44", "P1"), ("2024-09-21 01:05:30", "P1"), ("2024-09-21 03:12:09", "P1"),
    ("2024-09-20 20:48:15", "P2"), ("2024-09-20 21:20:33", "P2"), ("2024-09-21 02:40:00", "P2"),
    ("2024-09-21 05:40:12", "P3"),
]
TRAPS = [("2024-09-12 02:14:37", "W1"), ("2024-09-20 23:41:05", "W1"),
         ("2024-09-25 14:05:12", "W1"),   # 昼: 見回りの人が触れた？（という設定）
         ("2024-09-22 03:28:50", "W2")]


def visits(rng, day, n, start_h, end_h):
    """``n`` animal visits between start_h and end_h (hours after the day's 00:00, may pass 24)."""
    out = []
    for _ in range(n):
        t = day + pd.Timedelta(hours=float(rng.uniform(start_h, end_h)))
        # one visit, a few events: the board's 30 s hold-off keeps them apart
        for _ in range(1 + rng.poisson(1.2)):
            out.append(t)
            t = t + pd.Timedelta(seconds=float(rng.uniform(45, 300)))
    return out


def make(rng) -> pd.DataFrame:
    rows = []
    for i, day in enumerate(DAYS):
        ripening = i / (len(DAYS) - 1)                  # rice ripens: more visits later in the month
        for t in visits(rng, day, rng.poisson(1.5 + 3.5 * ripening), 19, 28.5):
            rows.append((t, "P1", "人感"))
        for t in visits(rng, day, rng.poisson(0.8 + 1.7 * ripening), 20, 28):
            rows.append((t, "P2", "人感"))
        for _ in range(rng.integers(6, 15)):           # people and cars on the farm road
            h = rng.choice([rng.uniform(5.5, 8.5), rng.uniform(8.5, 16), rng.uniform(16, 18.5)], p=[0.4, 0.3, 0.3])
            rows.append((day + pd.Timedelta(hours=float(h)), "P3", "人感"))
        for t in visits(rng, day, rng.binomial(1, 0.25), 21, 27):
            rows.append((t, "P3", "人感"))
        if rng.random() < 0.5:                          # a sunny, windy day: the warm grass bank moves
            for _ in range(rng.integers(3, 11)):
                rows.append((day + pd.Timedelta(hours=float(rng.uniform(10.5, 15.5))), "P4", "人感"))
        for t in visits(rng, day, rng.binomial(1, 0.3), 19, 28):
            rows.append((t, "P4", "人感"))
    log = pd.DataFrame(rows, columns=["時刻", "センサーID", "種類"])
    log["時刻"] = log["時刻"].dt.floor("s")
    lo, hi = (pd.Timestamp(x, tz=JST) for x in ONE_DAY)
    night = (log["時刻"] >= lo + pd.Timedelta(hours=6)) & (log["時刻"] < hi - pd.Timedelta(hours=6))
    log = log[~night]                                   # 18:00-06:00 of that night comes from HAND_NIGHT
    typhoon = log["時刻"].dt.strftime("%Y-%m-%d") == TYPHOON_DAY
    off_lo, off_hi = (pd.Timestamp(x, tz=JST) for x in P2_OFF)
    p2_off = (log["センサーID"] == "P2") & (log["時刻"] >= off_lo) & (log["時刻"] < off_hi)
    beyond = log["時刻"] >= DAYS[-1] + pd.Timedelta(days=1)
    log = log[~typhoon & ~p2_off & ~beyond]
    extra = [(pd.Timestamp(t, tz=JST), s, "人感") for t, s in HAND_NIGHT]
    extra += [(pd.Timestamp(t, tz=JST), s, "わな") for t, s in TRAPS]
    for day in DAYS:                                    # heartbeats: every sensor at noon
        for j, sensor in enumerate(SENSORS["センサーID"]):
            t = day + pd.Timedelta(hours=12, seconds=int(rng.integers(0, 50)) + 60 * j)
            if sensor == "P2" and off_lo <= t < off_hi:
                continue
            extra.append((t, sensor, "生存"))
    log = pd.concat([log, pd.DataFrame(extra, columns=log.columns)], ignore_index=True)
    log = log.sort_values(["時刻", "センサーID"], kind="stable").reset_index(drop=True)
    return log


def main() -> None:
    log = make(np.random.default_rng(SEED))
    out = log.copy()
    out["時刻"] = out["時刻"].map(lambda t: t.isoformat())
    out.to_csv(HERE / "kenchi_log.csv", index=False, encoding="utf-8")
    SENSORS.to_csv(HERE / "sensors.csv", index=False, encoding="utf-8")
    meta = {
        "title": "獣検知センサー・罠センサーのイベントの記録 4週間分（練習用の架空データ）",
        "synthetic": True,
        "source": "練習用の架空データ（make_kenchi_log.py で生成。乱数の種を固定しているので、いつも同じ内容）",
        "notes": ("実在の地域・センサーの記録ではありません。長野県塩尻市の獣検知センサー・罠捕獲センサーの取り組み"
                  "（総務省九州総合通信局「九州におけるIoT実装の推進（総務省IoT関連施策）」令和2年2月）を参考に、"
                  "教材のために作りました。1行が1件のイベントです（ボードで30秒のホールドオフをかけた後）。"),
        "columns": {
            "時刻": "イベントの時刻（ISO 8601、日本時間 +09:00）",
            "センサーID": "P1〜P4 は人感センサー（PIR）、W1・W2 は箱わなのスイッチ（sensors.csv）",
            "種類": "人感 = 動きを検知 / わな = 罠が閉じた / 生存 = 毎日正午の生存通知（ハートビート）",
        },
        "period": "2024-09-01 〜 2024-09-28（日本時間）",
        "rows": int(len(log)),
    }
    write_meta(HERE / "kenchi_log.csv", meta)


if __name__ == "__main__":
    main()
