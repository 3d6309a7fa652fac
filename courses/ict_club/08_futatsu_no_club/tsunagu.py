"""セッション08「ふたつのクラブでつながる」の道具: 2つのクラブの micro:bit の温度を、MQTT で送って 見せあう。

micro:bit には Wi-Fi がないので、クラブの パソコンが micro:bit の値を読んで MQTT ブローカーへ送ります
（パソコンが「ゆうびん屋さん」、ブローカーが「ゆうびん局」）。1台のパソコンで2つのクラブのまねをするときは、
このファイルがブローカー（chiiki_iot.kit.mqtt の組み込みブローカー）を起動し、``owari()`` で止めます。
本当に2つのクラブでつなぐときは、両方のパソコンで ``CHIIKI_MQTT_HOST`` にブローカーを指定します
（そのブローカーは起動も停止もしません）: 2つのクラブで同じブローカーを使うか、それぞれのクラブの
ブローカー（mosquitto）を ``broker_shima.conf`` と ``broker_hondo.conf`` のように「ブリッジ」でつなぎます。
相手のクラブの知らせは ``matsu("hondo")`` で待てます。

>>> net = Tsunagu()                  # doctest: +SKIP
>>> net.okuru(board, "shima")        # doctest: +SKIP
>>> net.yomu()                       # doctest: +SKIP
>>> net.owari()                      # doctest: +SKIP
"""
from __future__ import annotations

import json
import threading
import time

import pandas as pd

from chiiki_iot.kit import mqtt

TOPIC = "chiiki/ictclub/{club}/ondo"
NAMAE = {"shima": "しまの クラブ", "hondo": "ほんどの クラブ"}


class Tsunagu:
    """MQTT で2つのクラブをつなぐ: ブローカー・受け取る係・送る係。"""

    def __init__(self, timeout: float = 5.0, broker: mqtt.BrokerSettings | None = None):
        import paho.mqtt.client as paho

        self.timeout = timeout
        self.settings = broker or mqtt.settings_from_env()
        self._broker = None
        if self.settings is None:                       # 教室のブローカーがなければ、このパソコンの中に起動
            self._broker = mqtt.EmbeddedBroker()
            self.settings = self._broker.start()
        self.todoita: list[dict] = []
        self._kaisu: dict[str, int] = {}
        self._new = threading.Condition()
        self._client = paho.Client(paho.CallbackAPIVersion.VERSION2)
        if self.settings.username:
            self._client.username_pw_set(self.settings.username, self.settings.password)
        self._client.on_message = self._uketoru
        subscribed = threading.Event()
        self._client.on_subscribe = lambda *a: subscribed.set()
        try:
            self._client.connect(self.settings.host, self.settings.port)
        except OSError as e:
            self.owari(quiet=True)
            raise ConnectionError(
                f"{self.settings} に つながりません（{e}）。ブローカーが 動いているか、"
                "CHIIKI_MQTT_HOST の アドレスが 正しいか、メンターに 見てもらってください。") from None
        self._client.subscribe(TOPIC.format(club="+"))
        self._client.loop_start()
        if not subscribed.wait(timeout):
            self.owari()
            raise RuntimeError(f"{self.settings} で受け取りの準備ができませんでした。メンターを呼んでください。")
        print(f"じゅんびが できました（{self.settings}）。トピック: {TOPIC.format(club='＋')}")

    def _uketoru(self, _client, _userdata, msg) -> None:
        try:
            data = json.loads(msg.payload)
        except ValueError:
            return                                      # 形がちがうメッセージは すてる
        with self._new:
            self.todoita.append({"topic": msg.topic, **data})
            self._new.notify_all()

    def okuru(self, board, club: str) -> dict:
        """``board`` の温度を読み、``club`` のトピックへ送って、とどくまで待つ。"""
        board.exec("from microbit import temperature")
        ondo = board.eval("temperature()")
        n = self._kaisu.get(club, 0) + 1
        self._kaisu[club] = n
        data = {"club": club, "n": n, "ondo": ondo}
        mae = len(self.todoita)
        self._client.publish(TOPIC.format(club=club), json.dumps(data), qos=1)
        with self._new:
            self._new.wait_for(lambda: len(self.todoita) > mae, timeout=self.timeout)
        print(f"おくりました: {TOPIC.format(club=club)} ← {json.dumps(data, ensure_ascii=False)}")
        return data

    def matsu(self, club: str, timeout: float = 30.0):
        """``club`` からの知らせが とどくまで待ち、その温度を返す（2つのクラブで本当につなぐとき）。"""
        with self._new:
            ok = self._new.wait_for(lambda: self.saigo(club) is not None, timeout=timeout)
        if not ok:
            raise TimeoutError(f"{NAMAE.get(club, club)}の 知らせが {timeout:g}秒 待っても とどきません。"
                               "相手の クラブは 送りましたか？ メンターに ブローカーの つながりを 見てもらってください。")
        print(f"とどきました: {NAMAE.get(club, club)} {self.saigo(club):g}ど")
        return self.saigo(club)

    def saigo(self, club: str):
        """``club`` から最後にとどいた温度（まだなければ None）。"""
        for d in reversed(self.todoita):
            if d.get("club") == club:
                return d["ondo"]
        return None

    def hyo(self) -> pd.DataFrame:
        """とどいた温度の表（行: 何回め、列: クラブ）。"""
        if not self.todoita:
            return pd.DataFrame()
        df = pd.DataFrame(self.todoita)
        hyo = df.pivot_table(index="n", columns="club", values="ondo", aggfunc="last")
        hyo = hyo[sorted(hyo.columns, key=lambda c: (list(NAMAE).index(c) if c in NAMAE else len(NAMAE), c))]
        return hyo.rename(columns=NAMAE).rename_axis(index="なんかいめ", columns=None)

    def yomu(self) -> None:
        """表を、スクリーンリーダーで読みやすい短い文で言う。"""
        print(f"とどいた メッセージ: {len(self.todoita)}こ")
        for n, row in self.hyo().iterrows():
            parts = [f"{name} {v:g}ど" for name, v in row.items() if pd.notna(v)]
            print(f"{n}かいめ: " + "、".join(parts))
        a, b = self.saigo("shima"), self.saigo("hondo")
        if a is not None and b is not None:
            if a == b:
                print(f"さいごは おなじ {a:g}ど です。")
            else:
                print(f"さいごは {'しま' if a > b else 'ほんど'}の ほうが {abs(a - b):g}ど たかい です。")

    def zu(self):
        """2つのクラブの温度の折れ線グラフ（同じ内容は yomu() の文でも読めます）。"""
        import matplotlib.pyplot as plt
        from chiiki_iot.plots import use_japanese_font

        use_japanese_font()
        fig, ax = plt.subplots(figsize=(7, 4))
        hyo = self.hyo()
        for (name, col), mark in zip(hyo.items(), ("o-", "s--")):
            ax.plot(hyo.index, col, mark, label=name, linewidth=3, markersize=10)
        ax.set_xlabel("なんかいめ", fontsize=14)
        ax.set_ylabel("おんど（ど）", fontsize=14)
        ax.legend(fontsize=14)
        ax.grid(True)
        ax.set_xticks(list(hyo.index))
        plt.show()
        self.yomu()

    def owari(self, quiet: bool = False) -> None:
        """受け取りを止め、このパソコンで起動したブローカーも止める。"""
        self._client.disconnect()
        self._client.loop_stop()
        if self._broker is not None:
            self._broker.stop()
            self._broker = None
        if not quiet:
            print("おわりました。MQTT の つながりを とじました。")
