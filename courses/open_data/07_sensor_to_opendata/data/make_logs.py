"""Make the practice sensor logs of module 07 (made-up data, reproducible).

    python make_logs.py        # writes log_K1.csv … log_K4.csv, their .meta.yml and secchi.csv here

Everything written here is **made up** (練習用の架空データ). The files have the shape the
sensor labs' logger writes (``Board.stream(..., csv="….csv")`` in chiiki_iot.kit):

* ``log_<ID>.csv``: header ``t,temperature,humidity``; ``t`` = seconds since the start of
  the recording, measured by the board's own clock; one row per sample (here every 5 minutes);
* ``log_<ID>.meta.yml``: what the logger records beside it, among others ``sessions[].started_at``,
  the start time in ISO 8601 **with the UTC offset of the computer that recorded it**.

K1, K2 and K4 were "recorded" through a JupyterHub server whose clock runs in UTC (+00:00),
K3 on a staff laptop set to Japan time (+09:00). K2 misses 90 minutes (cable pulled).
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
SEED = 20240801
PERIOD_S = 300          # one sample every 5 minutes
SAMPLES = 577           # 48 hours and the first sample of the next period
MADE_UP = "練習用の架空データです。実在の施設・測定ではありません。"

# id: (where, lat, lon, indoor, started_at, mean, amplitude, hour of maximum (JST), board)
SENSORS = {
    "K1": ("架空市総合体育館 アリーナ（冷房なし）", 36.506450, 139.906900, "屋内",
           datetime(2024, 8, 1, 6, 0, 3, tzinfo=timezone.utc), 28.6, 3.6, 15.5, "ESP32"),
    "K2": ("架空市立第一小学校 体育館（冷房なし）", 36.508600, 139.909250, "屋内",
           datetime(2024, 8, 1, 6, 2, 41, tzinfo=timezone.utc), 27.4, 3.0, 15.0, "ESP32"),
    "K3": ("架空市立中学校 体育館（冷房あり）", 36.512500, 139.914200, "屋内",
           datetime(2024, 8, 1, 15, 5, 12, tzinfo=JST), 25.9, 1.2, 16.0, "ESP32"),
    "K4": ("架空市上下水道事務所の屋上（屋外の気温の基準）", 36.503500, 139.897500, "屋外",
           datetime(2024, 8, 1, 6, 0, 30, tzinfo=timezone.utc), 26.8, 5.8, 14.0, "ESP32"),
}
GAP = ("K2", datetime(2024, 8, 2, 10, 0, tzinfo=JST), datetime(2024, 8, 2, 11, 30, tzinfo=JST))


def _log(sensor: str, rng: np.random.Generator) -> tuple[str, dict]:
    where, lat, lon, indoor, started, mean, amp, peak, board = SENSORS[sensor]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["t", "temperature", "humidity"])
    for i in range(SAMPLES):
        t = i * PERIOD_S + float(rng.uniform(0.0, 0.004))      # the board's clock: a few ms late
        at = started + timedelta(seconds=t)
        hour = at.astimezone(JST).hour + at.astimezone(JST).minute / 60
        day_extra = 0.6 if at.astimezone(JST).day == 2 else 0.0
        temp = mean + day_extra + amp * math.cos(2 * math.pi * (hour - peak) / 24) + rng.normal(0, 0.15)
        hum = 64 - 1.6 * (temp - 27) + rng.normal(0, 1.0)
        if sensor == GAP[0] and GAP[1] <= at < GAP[2]:
            continue
        w.writerow([f"{t:.6f}", f"{temp:.1f}", f"{hum:.1f}"])
    meta = {
        "title": f"{sensor} {where} の温湿度の記録（練習用の架空データ）",
        "source": "練習用の架空データ（make_logs.py で生成。センサー実習のロガーと同じ形）",
        "synthetic": True,
        "notes": MADE_UP + " t は記録を始めてからの秒数（ボードの時計）。temperature は気温 [°C]、humidity は湿度 [%RH]。",
        "sessions": [{
            "board": f"（架空）{board}",
            "profile": board.lower(),
            "virtual": False,
            "started_at": started.isoformat(timespec="seconds"),
            "rate_hz": round(1 / PERIOD_S, 6),
        }],
    }
    return buf.getvalue(), meta


def main() -> None:
    rng = np.random.default_rng(SEED)
    for sensor in SENSORS:
        text, meta = _log(sensor, rng)
        (HERE / f"log_{sensor}.csv").write_text(text, encoding="utf-8", newline="")
        write_meta(HERE / f"log_{sensor}.csv", meta)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["センサーID", "設置場所", "屋内外", "緯度", "経度", "ログファイル", "備考"])
    for sensor, (where, lat, lon, indoor, *_rest) in SENSORS.items():
        w.writerow([sensor, where, indoor, f"{lat:.6f}", f"{lon:.6f}", f"log_{sensor}.csv", MADE_UP])
    (HERE / "secchi.csv").write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


if __name__ == "__main__":
    main()
