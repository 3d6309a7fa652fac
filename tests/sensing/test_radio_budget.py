"""chiiki_iot.sensing.radio_budget: LoRa time on air, 920 MHz limits, battery life (lab 08_musen)."""
from __future__ import annotations

import math

import pytest

from chiiki_iot.sensing import radio_budget as rb


@pytest.mark.parametrize("sf, ms", [(7, 1.024), (9, 4.096), (10, 8.192), (12, 32.768)])
def test_symbol_time(sf, ms):
    assert rb.lora_symbol_time_s(sf) * 1000 == pytest.approx(ms)
    assert rb.lora_symbol_time_s(sf, 250_000) * 1000 == pytest.approx(ms / 2)


def test_low_data_rate_optimisation_from_16_ms_symbols():
    assert [sf for sf in range(7, 13) if rb.needs_low_data_rate_optimize(sf)] == [11, 12]
    assert [sf for sf in range(7, 13) if rb.needs_low_data_rate_optimize(sf, 250_000)] == [12]


@pytest.mark.parametrize("payload, sf, expected_ms", [
    (12, 7, 41.216),      # 8 + 4*5 = 28 payload symbols
    (12, 9, 144.384),     # the example in the lora-modulation crate's documentation
    (12, 10, 288.768),
    (25, 10, 411.648),    # 12 bytes of data + 13 bytes of LoRaWAN header: over 0.4 s
    (12, 11, 577.536),    # DE = 1 from SF11 at 125 kHz
    (12, 12, 1155.072),
    (0, 7, 25.856),       # an empty payload still has preamble and header
])
def test_time_on_air_matches_hand_calculation(payload, sf, expected_ms):
    assert rb.lora_time_on_air_s(payload, sf) * 1000 == pytest.approx(expected_ms, abs=1e-6)


def test_time_on_air_options():
    base = rb.lora_time_on_air_s(12, 12)
    assert rb.lora_time_on_air_s(12, 12, low_data_rate_optimize=False) < base
    assert rb.lora_time_on_air_s(12, 7, coding_rate=4) > rb.lora_time_on_air_s(12, 7)
    assert rb.lora_time_on_air_s(12, 7, preamble=16) == pytest.approx(rb.lora_time_on_air_s(12, 7) + 8 * 0.001024)
    assert rb.lora_time_on_air_s(12, 7, crc=False) <= rb.lora_time_on_air_s(12, 7)
    assert rb.lora_time_on_air_s(13, 7, explicit_header=False) < rb.lora_time_on_air_s(13, 7)
    assert rb.lora_time_on_air_s(12, 7, 250_000) == pytest.approx(rb.lora_time_on_air_s(12, 7) / 2)
    # time on air grows in steps of 4*(SF-2DE) bits, never shrinks with more payload
    times = [rb.lora_time_on_air_s(n, 10) for n in range(0, 60)]
    assert all(b >= a for a, b in zip(times, times[1:]))
    with pytest.raises(ValueError):
        rb.lora_time_on_air_s(12, 13)
    with pytest.raises(ValueError):
        rb.lora_time_on_air_s(12, 7, coding_rate=5)


def test_920mhz_rules_as_tabled():
    assert rb.JP920_SHORT_CS["max_tx_s"] == 0.4 and rb.JP920_SHORT_CS["hourly_total_s"] == 360
    assert rb.JP920_LONG_CS["max_tx_s"] == 4.0 and rb.JP920_LONG_CS["pause_s"] == 0.05
    toa = rb.lora_time_on_air_s(12, 10)
    assert rb.max_messages_per_hour(toa) == math.floor(360 / toa)
    assert rb.max_messages_per_hour(rb.lora_time_on_air_s(12, 11)) == 0  # 0.58 s > 0.4 s
    long = rb.max_messages_per_hour(rb.lora_time_on_air_s(12, 12), hourly_total_s=None, pause_s=0.05, max_tx_s=4)
    assert long == math.floor(3600 / (1.155072 + 0.05))


def test_duty_cycle():
    assert rb.duty_cycle(0.288768, 24) == pytest.approx(0.288768 * 24 / 86400)
    assert rb.duty_cycle(1.0, 86400) == 1.0


def test_average_current_and_battery_life():
    # asleep all day at 10 uA = 0.01 mA
    assert rb.average_current_ma(sleep_ua=10, per_day=0, phases=[]) == pytest.approx(0.01)
    avg = rb.average_current_ma(sleep_ua=10, per_day=24, phases=[(40, 0.5), (15, 1.0)])
    assert avg == pytest.approx((24 * (20 + 15) + 0.01 * (86400 - 36)) / 86400)
    days = rb.battery_life_days(2400, sleep_ua=10, tx_ma=40, tx_s=0.5, per_day=24, wake_ma=15, wake_s=1)
    assert days == pytest.approx(2400 * 0.8 / avg / 24)
    # more often, more current, fewer days; the sleep current dominates a quiet node
    assert rb.battery_life_days(2400, sleep_ua=10, tx_ma=40, tx_s=0.5, per_day=240) < days
    assert rb.battery_life_days(2400, sleep_ua=1000, tx_ma=40, tx_s=0.5, per_day=24) < 100
    with pytest.raises(ValueError):
        rb.average_current_ma(sleep_ua=1, per_day=100000, phases=[(10, 1)])
