"""Radio budgets by calculation: LoRa time on air, Japan's 920 MHz limits, duty cycle, battery life.

Time on air
    The LoRa modem's own formula, as Semtech publishes it for its LoRa transceivers
    (SX1276/77/78/79 datasheet, section 4.1.1 "LoRa Modem" — packet structure and time on
    air; also application note AN1200.13 "LoRa Modem Designer's Guide")::

        T_sym      = 2**SF / BW
        T_preamble = (n_preamble + 4.25) * T_sym
        n_payload  = 8 + max(ceil((8*PL - 4*SF + 28 + 16*CRC - 20*IH) / (4*(SF - 2*DE))) * (CR + 4), 0)
        T_packet   = T_preamble + n_payload * T_sym

    PL is the payload in bytes (for LoRaWAN: the whole PHY payload, i.e. the application
    data plus 13 bytes of header and MIC when there are no MAC options), CR is 1..4 for
    coding rates 4/5..4/8, CRC = 1 when the payload CRC is on, IH = 1 for implicit header
    mode, DE = 1 when low data rate optimisation is on (the datasheet asks for it when a
    symbol lasts 16 ms or more: SF11 and SF12 at 125 kHz).

Japan's 920 MHz band
    The transmit-time rules of the 920 MHz band are technical conditions set by MIC notices
    and collected in ARIB STD-T108. ``JP920_SHORT_CS`` and ``JP920_LONG_CS`` hold the two
    rows of the table in 平成31年総務省告示第123号 (920 MHz land mobile stations): after
    carrier sense of at least 128 µs a transmission may last at most 0.4 s and is followed
    by a 2 ms pause, with at most 360 s of transmission per hour (its note 1); after
    carrier sense of at least 5 ms, at most 4 s with a 50 ms pause. Licence-free
    specified low-power stations (特定小電力無線局) have their own notice (平成元年郵政省告示
    第49号) with channel-dependent conditions; check the current text before relying on a
    number, and let a certified (技適) module enforce it.

Battery life
    ``battery_life_days`` is a deliberately simple model: constant currents in each state,
    a fixed usable fraction of the nominal capacity (for self-discharge, cold and the
    cut-off voltage), no retries and no receive windows. Its purpose is to compare designs
    (how often, how long on air, how deep the sleep), not to promise a date.

>>> round(lora_time_on_air_s(12, sf=7) * 1000, 3)
41.216
>>> round(lora_time_on_air_s(12, sf=9) * 1000, 3)
144.384
>>> round(battery_life_days(2400, sleep_ua=10, tx_ma=40, tx_s=0.5, per_day=24))
5143
"""
from __future__ import annotations

import math

__all__ = [
    "JP920_SHORT_CS", "JP920_LONG_CS", "LORAWAN_OVERHEAD_BYTES",
    "lora_symbol_time_s", "needs_low_data_rate_optimize", "lora_time_on_air_s",
    "max_messages_per_hour", "duty_cycle", "average_current_ma", "battery_life_days",
]

#: 平成31年総務省告示第123号, the row for carrier sense of 128 µs or more (note 1: 360 s per hour).
JP920_SHORT_CS = {"carrier_sense_s": 128e-6, "max_tx_s": 0.4, "pause_s": 0.002, "hourly_total_s": 360.0}
#: 平成31年総務省告示第123号, the row for carrier sense of 5 ms or more.
JP920_LONG_CS = {"carrier_sense_s": 5e-3, "max_tx_s": 4.0, "pause_s": 0.05, "hourly_total_s": None}
#: LoRaWAN MHDR (1) + DevAddr (4) + FCtrl (1) + FCnt (2) + FPort (1) + MIC (4), without MAC options.
LORAWAN_OVERHEAD_BYTES = 13


def lora_symbol_time_s(sf: int, bw_hz: float = 125_000) -> float:
    """Duration of one LoRa symbol: ``2**sf / bw_hz`` seconds.

    >>> lora_symbol_time_s(7) * 1000
    1.024
    """
    if not 6 <= int(sf) <= 12:
        raise ValueError(f"spreading factor must be 6..12, not {sf}")
    if bw_hz <= 0:
        raise ValueError("bandwidth must be positive (Hz)")
    return (2 ** int(sf)) / bw_hz


def needs_low_data_rate_optimize(sf: int, bw_hz: float = 125_000) -> bool:
    """True when a symbol lasts 16 ms or more (the datasheet then requires DE = 1).

    >>> [sf for sf in range(7, 13) if needs_low_data_rate_optimize(sf)]
    [11, 12]
    """
    return lora_symbol_time_s(sf, bw_hz) >= 0.016 - 1e-12


def lora_time_on_air_s(payload_bytes: int, sf: int, bw_hz: float = 125_000, *, coding_rate: int = 1,
                       preamble: int = 8, crc: bool = True, explicit_header: bool = True,
                       low_data_rate_optimize: bool | None = None) -> float:
    """Seconds one LoRa packet of ``payload_bytes`` stays on air (Semtech's formula, above).

    ``coding_rate`` 1..4 means 4/5..4/8. ``low_data_rate_optimize=None`` switches it on
    when the datasheet requires it (symbols of 16 ms or more).

    >>> round(lora_time_on_air_s(12, sf=12) * 1000, 3)   # SF12, 125 kHz: DE on
    1155.072
    >>> round(lora_time_on_air_s(12, sf=12, low_data_rate_optimize=False) * 1000, 3)
    991.232
    """
    if payload_bytes < 0:
        raise ValueError("payload must be 0 bytes or more")
    if not 1 <= coding_rate <= 4:
        raise ValueError("coding_rate is 1..4 (4/5..4/8)")
    t_sym = lora_symbol_time_s(sf, bw_hz)
    de = needs_low_data_rate_optimize(sf, bw_hz) if low_data_rate_optimize is None else low_data_rate_optimize
    ih = 0 if explicit_header else 1
    numerator = 8 * payload_bytes - 4 * sf + 28 + 16 * int(bool(crc)) - 20 * ih
    n_payload = 8 + max(math.ceil(numerator / (4 * (sf - 2 * int(bool(de))))) * (coding_rate + 4), 0)
    return (preamble + 4.25) * t_sym + n_payload * t_sym


def max_messages_per_hour(time_on_air_s: float, *, hourly_total_s: float | None = 360.0,
                          pause_s: float = 0.002, max_tx_s: float | None = 0.4) -> int:
    """How many packets of ``time_on_air_s`` fit in one hour under a transmit-time rule.

    Defaults: the short-carrier-sense row of ``JP920_SHORT_CS``. Returns 0 if one packet
    is longer than ``max_tx_s`` (it may not be sent at all that way). Carrier sense time
    itself is not counted; in a busy channel there are fewer chances.

    >>> max_messages_per_hour(lora_time_on_air_s(12, sf=10))
    1246
    >>> max_messages_per_hour(lora_time_on_air_s(12, sf=12))
    0
    """
    if max_tx_s is not None and time_on_air_s > max_tx_s:
        return 0
    by_time = math.floor(3600 / (time_on_air_s + pause_s))
    if hourly_total_s is None:
        return by_time
    return min(by_time, math.floor(hourly_total_s / time_on_air_s + 1e-9))


def duty_cycle(time_on_air_s: float, per_day: float) -> float:
    """Fraction of the day the transmitter is on (0..1).

    >>> round(duty_cycle(0.5, 24) * 100, 3)   # percent
    0.014
    """
    return time_on_air_s * per_day / 86400


def average_current_ma(*, sleep_ua: float, per_day: float, phases: list[tuple[float, float]]) -> float:
    """Average current (mA) of a node that wakes ``per_day`` times and sleeps otherwise.

    ``phases`` lists what one wake-up costs: ``(current_mA, seconds)`` pairs (measure,
    transmit, join Wi-Fi ...). During the rest of the day the node draws ``sleep_ua``
    microamps.

    >>> round(average_current_ma(sleep_ua=10, per_day=24, phases=[(40, 0.5)]), 4)
    0.0156
    """
    awake_s = per_day * sum(s for _, s in phases)
    if awake_s > 86400:
        raise ValueError("the node would be awake longer than a day")
    charge_mas = per_day * sum(ma * s for ma, s in phases) + sleep_ua / 1000 * (86400 - awake_s)
    return charge_mas / 86400


def battery_life_days(capacity_mah: float, *, sleep_ua: float, tx_ma: float, tx_s: float, per_day: float,
                      wake_ma: float = 0.0, wake_s: float = 0.0, usable: float = 0.8) -> float:
    """Days a battery of ``capacity_mah`` lasts (the simple model of the module docstring).

    Each of the ``per_day`` wake-ups spends ``wake_s`` seconds at ``wake_ma`` (measuring)
    and ``tx_s`` seconds at ``tx_ma`` (sending); ``usable`` is the part of the nominal
    capacity the node can really use.

    >>> round(battery_life_days(2400, sleep_ua=10, tx_ma=40, tx_s=0.5, per_day=24, wake_ma=15, wake_s=1))
    4057
    >>> round(battery_life_days(2400, sleep_ua=10, tx_ma=40, tx_s=0.5, per_day=24 * 60))  # every minute
    233
    """
    phases = [(tx_ma, tx_s)] + ([(wake_ma, wake_s)] if wake_s else [])
    ma = average_current_ma(sleep_ua=sleep_ua, per_day=per_day, phases=phases)
    return capacity_mah * usable / ma / 24
