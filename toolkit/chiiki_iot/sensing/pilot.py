"""Planning a small sensor pilot (小さな実証): devices, sampling, data, network, battery, cost, KPI.

The capstone sensor lab (courses/sensors/10_jissho_wo_sekkei) turns a local problem into a
pilot plan whose numbers can be checked: how many devices, how often they measure, how much
data that makes, whether the network can carry it, how long the battery lasts, what it costs
in the first year and after, and which indicators (KPI) the pilot's data will feed.

* the arithmetic of the plan: :func:`devices_needed`, :func:`messages_per_day`,
  :func:`data_mb_per_month`; radio time on air and battery life come from
  :mod:`chiiki_iot.sensing.radio_budget` (one implementation for the whole course);
* :data:`NETWORKS`: planning assumptions for four kinds of network (目安, not a vendor's
  specification — check the current conditions of the service you would use);
* :class:`PilotPlan`: the plan as one object; ``check()`` returns Japanese findings
  (:class:`chiiki_iot.kpi.findings.Findings`), ``cost_model()`` a
  :class:`chiiki_iot.kpi.CostModel`, ``to_frame()`` the one-page summary.

>>> devices_needed(12, spare_ratio=0.1)      # 12 fields, 10% spare: 13.2 -> 14 devices
14
>>> messages_per_day(30)
48.0
>>> round(data_mb_per_month(14, 30, 8), 3)    # 14 devices, every 30 min, 8 bytes, 30 days
0.161
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from chiiki_iot.kpi import CostModel, Indicator, audit
from chiiki_iot.kpi.findings import Findings

from . import radio_budget as rb

__all__ = ["Network", "NETWORKS", "PilotPlan", "devices_needed", "messages_per_day", "data_mb_per_month"]

MB = 1_000_000  # bytes in a megabyte, as network plans count them (10^6)


def devices_needed(sites: int, per_site: int = 1, spare_ratio: float = 0.1) -> int:
    """Devices to buy: ``sites × per_site``, plus ``spare_ratio`` spares, rounded **up**.

    >>> devices_needed(28, spare_ratio=0)
    28
    >>> devices_needed(97, spare_ratio=0.05)
    102
    """
    if sites < 1 or per_site < 1:
        raise ValueError("場所の数（sites）と1か所の台数（per_site）は 1 以上にしてください。")
    if not 0 <= spare_ratio < 1:
        raise ValueError("予備の割合（spare_ratio）は 0 以上 1 未満の小数にしてください（10% なら 0.1）。")
    return math.ceil(sites * per_site * (1 + spare_ratio) - 1e-9)


def messages_per_day(interval_min: float) -> float:
    """Measurements (= messages) a day at one every ``interval_min`` minutes."""
    if interval_min <= 0:
        raise ValueError("測る間隔（分）は 0 より大きくしてください。")
    return 24 * 60 / interval_min


def data_mb_per_month(devices: int, interval_min: float, payload_bytes: int, days: int = 30) -> float:
    """Application data of all devices in ``days`` days, in MB (10^6 bytes), without protocol overhead."""
    return devices * messages_per_day(interval_min) * days * payload_bytes / MB


@dataclass(frozen=True)
class Network:
    """Planning assumptions for one kind of network (目安; verify with the provider).

    ``tx_s=None`` means the time on air is computed for each payload (LoRa, with
    :func:`chiiki_iot.sensing.radio_budget.lora_time_on_air_s` at ``lora_sf``).
    """

    label: str
    max_payload_bytes: int | None
    max_per_day: int | None
    tx_ma: float
    tx_s: float | None
    needs_mains: bool
    gateway_yen: float
    monthly_yen_per_device: float
    monthly_yen_per_gateway: float
    note: str
    lora_sf: int | None = None


#: Four kinds of network, with planning values for this course (2026年時点の目安, assumptions).
NETWORKS: dict[str, Network] = {
    "lte_m": Network(
        label="LTE-M（携帯電話の回線）", max_payload_bytes=None, max_per_day=None, tx_ma=150, tx_s=8.0,
        needs_mains=False, gateway_yen=0, monthly_yen_per_device=300, monthly_yen_per_gateway=0,
        note="携帯電話のエリアならどこでも。端末ごとに回線の月額がかかる。送信の電流が大きい"),
    "lorawan": Network(
        label="LoRaWAN（920MHz・自前のゲートウェイ）", max_payload_bytes=None, max_per_day=None, tx_ma=40, tx_s=None,
        needs_mains=False, gateway_yen=150_000, monthly_yen_per_device=0, monthly_yen_per_gateway=1_500,
        note="ゲートウェイから見通しのよい範囲。920MHz 帯の送信時間の制限（1回 0.4 秒まで・1時間 360 秒まで）がある",
        lora_sf=10),
    "sigfox": Network(
        label="LPWA（Sigfox 型: 12 バイト・1日140回まで）", max_payload_bytes=12, max_per_day=140, tx_ma=40, tx_s=6.0,
        needs_mains=False, gateway_yen=0, monthly_yen_per_device=100, monthly_yen_per_gateway=0,
        note="事業者の基地局のエリアで。1回に送れるのは 12 バイト、1日 140 回まで。提供状況は事業者に確かめる"),
    "wifi": Network(
        label="Wi-Fi（施設の無線LAN）", max_payload_bytes=None, max_per_day=None, tx_ma=120, tx_s=3.0,
        needs_mains=True, gateway_yen=10_000, monthly_yen_per_device=0, monthly_yen_per_gateway=0,
        note="電源と無線LAN のある建物の中・近くで。電池では長く持たない"),
}


def _network(key: str) -> Network:
    try:
        return NETWORKS[key]
    except KeyError:
        raise ValueError(f"通信 {key!r} はありません。使えるもの: {', '.join(NETWORKS)}") from None


@dataclass(kw_only=True)
class PilotPlan:
    """A small sensor pilot, with the numbers that can be checked.

    What and where: ``problem`` (the local problem, and which case it follows),
    ``quantity`` (what is measured), ``sensor`` (which part), ``placement`` (where, and
    why there), ``sites`` × ``per_site`` devices plus ``spare_ratio`` spares.
    How often: ``interval_min`` (minutes between measurements) and
    ``shortest_event_min`` (the shortest change the pilot must not miss).
    Network and power: ``network`` (a key of :data:`NETWORKS`), ``gateways``,
    ``payload_bytes`` per message, ``power`` ("battery" or "mains"), ``battery_mah``,
    ``sleep_ua`` (sleep current, µA), ``wake_ma``/``wake_s`` (measuring, per wake-up).
    Time and money: ``days`` of the pilot, ``device_yen`` per device,
    ``install_yen_per_site``, ``other_initial_yen``, ``cloud_yen_per_month``,
    ``battery_yen`` per battery change, ``annual_benefit_yen`` (benefit in money a year).
    Indicators: ``kpis`` (:class:`chiiki_iot.kpi.Indicator`, with ``stage`` "output" or
    an outcome stage).
    """

    title: str
    problem: str
    quantity: str
    sensor: str
    placement: str
    sites: int
    interval_min: float
    shortest_event_min: float
    payload_bytes: int
    network: str
    days: int
    per_site: int = 1
    spare_ratio: float = 0.1
    gateways: int = 0
    power: str = "battery"
    battery_mah: float | None = None
    sleep_ua: float = 10.0
    wake_ma: float = 15.0
    wake_s: float = 1.0
    device_yen: float = 0.0
    install_yen_per_site: float = 0.0
    other_initial_yen: float = 0.0
    cloud_yen_per_month: float = 0.0
    battery_yen: float = 0.0
    annual_benefit_yen: float = 0.0
    kpis: Sequence[Indicator] = field(default_factory=list)

    def __post_init__(self) -> None:
        _network(self.network)
        if self.power not in ("battery", "mains"):
            raise ValueError('power は "battery"（電池）か "mains"（商用電源）にしてください。')
        for name in ("interval_min", "shortest_event_min"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} は 0 より大きい分数にしてください。")
        if self.payload_bytes < 1 or self.days < 1:
            raise ValueError("payload_bytes（1回に送るバイト数）と days（実証の日数）は 1 以上にしてください。")
        devices_needed(self.sites, self.per_site, self.spare_ratio)  # validates the counts
        self.kpis = list(self.kpis)

    # ------------------------------------------------------------------ numbers
    @property
    def net(self) -> Network:
        return _network(self.network)

    def devices(self) -> int:
        return devices_needed(self.sites, self.per_site, self.spare_ratio)

    def per_day(self) -> float:
        return messages_per_day(self.interval_min)

    def data_mb_per_month(self) -> float:
        return data_mb_per_month(self.devices(), self.interval_min, self.payload_bytes)

    def tx_s(self) -> float:
        """Seconds on air per message (LoRa: computed from the payload and the LoRaWAN header)."""
        n = self.net
        if n.tx_s is not None:
            return n.tx_s
        return rb.lora_time_on_air_s(self.payload_bytes + rb.LORAWAN_OVERHEAD_BYTES, sf=n.lora_sf)

    def battery_days(self) -> float | None:
        """Days one battery lasts (:func:`radio_budget.battery_life_days`); None on mains power."""
        if self.power == "mains" or not self.battery_mah:
            return None
        n = self.net
        return rb.battery_life_days(self.battery_mah, sleep_ua=self.sleep_ua, tx_ma=n.tx_ma, tx_s=self.tx_s(),
                                    per_day=self.per_day(), wake_ma=self.wake_ma, wake_s=self.wake_s)

    def initial_cost(self) -> float:
        """Devices + installation + gateways + other initial costs (円)."""
        return (self.devices() * self.device_yen + self.sites * self.install_yen_per_site
                + self.gateways * self.net.gateway_yen + self.other_initial_yen)

    def running_cost_per_year(self) -> float:
        """Network and cloud fees for 12 months, plus battery changes (円/年).

        Batteries are changed at least once a year, more often when they last less.
        """
        n = self.net
        monthly = self.devices() * n.monthly_yen_per_device + self.gateways * n.monthly_yen_per_gateway \
            + self.cloud_yen_per_month
        life = self.battery_days()
        changes = 0.0 if life is None else max(1.0, 365 / life)
        return 12 * monthly + self.devices() * self.battery_yen * changes

    def cost_model(self, years: int = 5) -> CostModel:
        """The plan's money as a :class:`chiiki_iot.kpi.CostModel` (円)."""
        return CostModel(initial_cost=self.initial_cost(), annual_benefit=self.annual_benefit_yen,
                         annual_running_cost=self.running_cost_per_year(), years=years, unit="円", name=self.title)

    # ------------------------------------------------------------------ check
    def check(self) -> Findings:
        """Japanese findings: sampling, network limits, power, spares, gateways and the KPI."""
        f: list[str] = []
        n = self.net
        if not self.placement.strip():
            f.append("置き場所とその理由が書かれていません。どこに置くと、何が分かるかを書きましょう。")
        if self.interval_min > self.shortest_event_min / 2:
            f.append(f"測る間隔 {self.interval_min:g} 分は、見逃したくない変化（{self.shortest_event_min:g} 分）の半分より長いです。"
                     f"変化の間に2回以上測れるよう、{self.shortest_event_min / 2:g} 分以下にしましょう。")
        if n.max_payload_bytes is not None and self.payload_bytes > n.max_payload_bytes:
            f.append(f"1回の送信 {self.payload_bytes} バイトは、{n.label} の上限 {n.max_payload_bytes} バイトを超えます。"
                     "送る値を減らすか、通信を変えましょう。")
        if n.max_per_day is not None and self.per_day() > n.max_per_day:
            f.append(f"1日 {self.per_day():g} 回の送信は、{n.label} の上限（1日 {n.max_per_day} 回）を超えます。")
        if n.tx_s is None:
            toa = self.tx_s()
            per_hour = rb.max_messages_per_hour(toa, **{k: v for k, v in rb.JP920_SHORT_CS.items() if k != "carrier_sense_s"})
            if per_hour == 0:
                f.append(f"1回の送信時間 {toa:.2f} 秒が 0.4 秒を超えます（920MHz 帯の送信時間の制限）。"
                         "送るバイト数を減らすか、拡散率（SF）の小さい設定にしましょう。")
            elif self.per_day() / 24 > per_hour:
                f.append(f"1時間 {self.per_day() / 24:g} 回の送信は、920MHz 帯の1時間あたりの送信時間の制限（{per_hour} 回）を超えます。")
        if n.gateway_yen and self.gateways < 1:
            f.append(f"{n.label} には中継の機器（ゲートウェイ・アクセスポイント）が要ります。gateways を 1 以上にしましょう。")
        if self.power == "battery":
            if n.needs_mains:
                f.append(f"{n.label} は電池では長く持ちません。電源のある場所に置くか、低消費電力の通信（LPWA）にしましょう。")
            if not self.battery_mah:
                f.append("電池で動かすのに、電池の容量（battery_mah）がありません。")
            else:
                life = self.battery_days()
                if life < self.days:
                    f.append(f"電池が約 {life:.0f} 日でなくなり、実証の {self.days} 日に足りません。"
                             "大きな電池にする、測る間隔を長くする、眠っているときの電流を小さくする、のどれかを考えましょう。")
        if self.spare_ratio == 0:
            f.append("予備の台数がありません。故障や設置の失敗に備えて、1割ほど予備を持ちましょう。")
        if self.days < 7:
            f.append(f"実証が {self.days} 日では、曜日や天気による違いが見えません。少なくとも1週間にしましょう。")
        f += self._kpi_findings()
        return Findings("実証の計画の確認", f, mark="△ ")

    def _kpi_findings(self) -> list[str]:
        out = []
        if not self.kpis:
            return ["KPI（指標）がありません。アウトプットとアウトカムの指標を、基準値と目標値つきで決めましょう。"]
        stages = {k.stage for k in self.kpis}
        if "output" not in stages:
            out.append("アウトプットの指標（例: データが届いた割合、動いた台数）がありません。実証が計画どおり動いたかを測りましょう。")
        if not stages & {"outcome_initial", "outcome_intermediate", "outcome_final"}:
            out.append("アウトカムの指標（地域や人に起きる変化、例: 見回りの回数、被害の面積）がありません。"
                       "センサーの台数やデータの量だけでは、実証の成果は分かりません。")
        for finding in audit(self.kpis, require_source=False).findings:
            if finding.severity == "error":
                out.append(f"KPI「{finding.indicator}」: {finding.message}")
        return out

    # ------------------------------------------------------------------ summary
    def to_frame(self):
        """The one-page summary as a two-column table (項目, 内容)."""
        import pandas as pd

        n = self.net
        life = self.battery_days()
        rows = [
            ("計画", self.title), ("解きたい問題", self.problem), ("測る量", self.quantity), ("センサー", self.sensor),
            ("置き場所と理由", self.placement),
            ("台数", f"{self.sites} か所 × {self.per_site} 台 + 予備 {self.spare_ratio:.0%} = {self.devices()} 台"),
            ("測る間隔", f"{self.interval_min:g} 分ごと（1日 {self.per_day():g} 回）。見逃したくない変化: {self.shortest_event_min:g} 分"),
            ("データ量", f"1回 {self.payload_bytes} バイト、全体で月に約 {self.data_mb_per_month():.3f} MB"),
            ("通信", f"{n.label}（ゲートウェイ {self.gateways} 台）"),
            ("電源", "商用電源" if life is None else f"電池 {self.battery_mah:g} mAh、約 {life:,.0f} 日"),
            ("実証の期間", f"{self.days} 日"),
            ("初期費用", f"{self.initial_cost():,.0f} 円" if self.initial_cost() else "（端末などの価格がまだ入っていません）"),
            ("運用費（年）", f"{self.running_cost_per_year():,.0f} 円"),
        ]
        rows += [(f"KPI（{k.stage and _STAGE_JA.get(k.stage, k.stage)}）", k.describe()) for k in self.kpis]
        return pd.DataFrame(rows, columns=["項目", "内容"])


_STAGE_JA = {"output": "アウトプット", "outcome_initial": "初期アウトカム", "outcome_intermediate": "中間アウトカム",
             "outcome_final": "最終アウトカム", "input": "インプット", "activity": "活動", "impact": "インパクト"}
