"""chiiki_iot.sensing.pilot: the numbers of a small sensor pilot and PilotPlan.check() (lab 10)."""
from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from chiiki_iot.kpi import CostModel, Indicator
from chiiki_iot.kpi.findings import Findings
from chiiki_iot.sensing import pilot as p
from chiiki_iot.sensing import radio_budget as rb

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "courses" / "sensors" / "10_jissho_wo_sekkei" / "data"


# ----------------------------------------------------------------------------- arithmetic
@pytest.mark.parametrize("sites, per_site, spare, expected", [
    (12, 1, 0.1, 14),      # 13.2 -> 14: rounded up
    (28, 1, 0.0, 28),
    (10, 1, 0.1, 11),      # 11.000000000000002 must not become 12
    (30, 1, 0.1, 33),      # 33.00000000000001 must not become 34
    (97, 1, 0.05, 102),
    (5, 2, 0.1, 11),
])
def test_devices_needed_rounds_up_without_float_noise(sites, per_site, spare, expected):
    assert p.devices_needed(sites, per_site, spare) == expected


def test_devices_needed_rejects_nonsense():
    with pytest.raises(ValueError):
        p.devices_needed(0)
    with pytest.raises(ValueError):
        p.devices_needed(3, spare_ratio=1.5)


def test_messages_and_data_volume():
    assert p.messages_per_day(30) == 48
    assert p.messages_per_day(360) == 4
    assert p.data_mb_per_month(14, 30, 8) == pytest.approx(14 * 48 * 30 * 8 / 1_000_000)
    assert p.data_mb_per_month(1, 60, 1000, days=1) == pytest.approx(0.024)
    with pytest.raises(ValueError):
        p.messages_per_day(0)


# ----------------------------------------------------------------------------- the plan
def outcome():
    return Indicator(name="水田の見回りの回数", unit="回/週", baseline=7, baseline_year=2024, target=3, target_year=2025,
                     direction="低いほど良い", accumulation="時点の値", stage="初期")


def output():
    return Indicator(name="データが届いた割合", unit="%", baseline=0, baseline_year=2024, target=95, target_year=2025,
                     direction="高いほど良い", accumulation="時点の値", stage="output")


def good_plan(**changes) -> p.PilotPlan:
    plan = p.PilotPlan(
        title="みずほ町", problem="見回りの負担", quantity="水位", sensor="超音波", placement="水尻の角",
        sites=12, interval_min=30, shortest_event_min=60, payload_bytes=8, network="lorawan", gateways=1,
        battery_mah=3000, days=120, device_yen=30_000, install_yen_per_site=2_000, cloud_yen_per_month=3_000,
        battery_yen=800, annual_benefit_yen=312_000, kpis=[output(), outcome()],
    )
    return replace(plan, **changes) if changes else plan


def test_a_good_plan_has_no_findings_and_the_lab_numbers():
    plan = good_plan()
    report = plan.check()
    assert isinstance(report, Findings) and report.ok, str(report)
    assert plan.devices() == 14 and plan.per_day() == 48
    assert plan.tx_s() == pytest.approx(rb.lora_time_on_air_s(8 + 13, sf=10))
    assert plan.battery_days() == pytest.approx(
        rb.battery_life_days(3000, sleep_ua=10, tx_ma=40, tx_s=plan.tx_s(), per_day=48, wake_ma=15, wake_s=1))
    assert plan.initial_cost() == 594_000
    assert plan.running_cost_per_year() == 65_200
    model = plan.cost_model(years=5)
    assert isinstance(model, CostModel) and model.bc_ratio() == pytest.approx(1_560_000 / 920_000)


def findings(plan):
    return "\n".join(plan.check().findings)


def test_interval_must_be_at_most_half_the_shortest_event():
    assert "半分より長い" in findings(good_plan(interval_min=40))
    assert "半分より長い" not in findings(good_plan(interval_min=30))


def test_network_limits_are_checked():
    text = findings(good_plan(network="sigfox", gateways=0, payload_bytes=16))
    assert "上限 12 バイト" in text
    assert "1日 140 回" in findings(good_plan(network="sigfox", gateways=0, interval_min=5, shortest_event_min=10))
    # LoRa: 12 bytes of data + 13 of header at SF10 take 0.41 s > 0.4 s
    assert "0.4 秒を超えます" in findings(good_plan(payload_bytes=12))
    assert "ゲートウェイ" in findings(good_plan(gateways=0))


def test_power_and_battery_are_checked():
    assert "電池では長く持ちません" in findings(good_plan(network="wifi"))
    assert "実証の 120 日に足りません" in findings(good_plan(sleep_ua=8000))
    assert "battery_mah" in findings(good_plan(battery_mah=None))
    mains = good_plan(network="wifi", power="mains", battery_mah=None)
    assert mains.battery_days() is None and mains.check().ok


def test_spares_days_and_placement_are_checked():
    assert "予備" in findings(good_plan(spare_ratio=0))
    assert "1週間" in findings(good_plan(days=5))
    assert "置き場所" in findings(good_plan(placement=" "))


def test_kpis_need_an_output_an_outcome_and_baselines():
    assert "KPI（指標）がありません" in findings(good_plan(kpis=[]))
    assert "アウトカムの指標" in findings(good_plan(kpis=[output()]))
    assert "アウトプットの指標" in findings(good_plan(kpis=[outcome()]))
    no_base = Indicator(name="生残率", unit="%", target=80, target_year=2019, direction="高いほど良い", stage="最終")
    assert "KPI「生残率」: 基準値" in findings(good_plan(kpis=[output(), no_base]))


def test_running_cost_counts_battery_changes_at_least_yearly():
    short = good_plan(network="lte_m", gateways=0)            # about 146 days on 3000 mAh
    changes = 365 / short.battery_days()
    assert changes > 2
    assert short.running_cost_per_year() == pytest.approx(12 * (14 * 300 + 3_000) + 14 * 800 * changes)


def test_unknown_network_and_bad_values_are_refused():
    with pytest.raises(ValueError, match="lte_m"):
        good_plan(network="5g")
    with pytest.raises(ValueError):
        good_plan(power="solar")
    with pytest.raises(ValueError):
        good_plan(interval_min=0)


def test_to_frame_is_the_one_page_summary():
    table = good_plan().to_frame()
    assert list(table.columns) == ["項目", "内容"]
    text = "\n".join(table["内容"])
    assert "14 台" in text and "594,000 円" in text and "7回/週（2024年）→3回/週（2025年）" in text
    assert "価格がまだ" in "\n".join(good_plan(device_yen=0, install_yen_per_site=0, gateways=0, network="lte_m").to_frame()["内容"])


# ----------------------------------------------------------------------------- the lab's data
def test_case_table_numbers_from_the_documents():
    jirei = pd.read_csv(DATA / "jirei.csv").set_index("key")
    assert jirei.loc["toyu", "場所の数"] == 97          # 延べ97センサー (kerosene trial)
    assert jirei.loc["awabi", "場所の数"] == 28 and jirei.loc["awabi", "間隔_分"] == 60
    assert {p.devices_needed(r["場所の数"], r["1か所の台数"], r["予備の割合"]) for _, r in jirei.iterrows()} == {14, 22, 102, 31, 33, 6}


def test_the_week_generator_reproduces_the_shipped_files(tmp_path):
    import importlib.util
    import shutil

    shutil.copy(DATA / "make_week.py", tmp_path / "make_week.py")
    spec = importlib.util.spec_from_file_location("make_week_copy", tmp_path / "make_week.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main()
    for name in ("suiden_1shukan.csv", "todokanakatta.csv", "suiden_1shukan.meta.yml"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_the_week_has_four_days_outside_the_target_depth():
    week = pd.read_csv(DATA / "suiden_1shukan.csv")
    half_hourly = week[week["t"] % 1800 == 0]
    depth = half_hourly["depth_cm"].round(1)
    days = set((half_hourly["t"][(depth < 3.0) | (depth > 8.0)] // 86400).astype(int))
    assert days == {1, 3, 4, 6}           # Tuesday, Thursday, Friday, Sunday
    assert math.isclose(len(pd.read_csv(DATA / "todokanakatta.csv")) / 336, 10 / 336)
