"""MQTT for the labs: the embedded broker the toolkit starts itself, or the room's broker.

Which broker, in order:

1. a room broker (e.g. mosquitto on the trainer's PC) named by ``CHIIKI_MQTT_HOST``
   (with ``CHIIKI_MQTT_PORT``, ``CHIIKI_MQTT_USER``, ``CHIIKI_MQTT_PASSWORD``), which a
   trainer sets once for the room (see ``hardware_kits/README.md``);
2. otherwise the embedded broker: amqtt (pure Python, from PyPI) in a background thread of
   this kernel, on 127.0.0.1 for virtual boards, or on every interface (``lan=True``) so
   real boards on the room's Wi-Fi can reach it.

>>> from chiiki_iot.kit import mqtt
>>> room = mqtt.broker()                          # doctest: +SKIP
>>> mqtt.configure_board(board, room)             # writes kit_config.py on the board   # doctest: +SKIP
>>> mqtt.collect(room, "chiiki/#", count=3)       # doctest: +SKIP
[('chiiki/room1/temperature', b'22.5'), ...]
"""
from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import KitError

if TYPE_CHECKING:  # pragma: no cover
    from .board import Board


@dataclass(frozen=True)
class BrokerSettings:
    """Where a broker listens, as boards and the host must be told."""

    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None
    embedded: bool = False

    def __str__(self) -> str:
        kind = "組み込みブローカー" if self.embedded else "ブローカー"
        return f"MQTT {kind} {self.host}:{self.port}"


def settings_from_env() -> BrokerSettings | None:
    """The room's broker, if the trainer configured one (``CHIIKI_MQTT_HOST`` ...)."""
    host = os.environ.get("CHIIKI_MQTT_HOST")
    if not host:
        return None
    return BrokerSettings(host, int(os.environ.get("CHIIKI_MQTT_PORT", "1883")),
                          os.environ.get("CHIIKI_MQTT_USER") or None,
                          os.environ.get("CHIIKI_MQTT_PASSWORD") or None)


class EmbeddedBroker:
    """An amqtt broker running in a background thread with its own event loop.

    ``port=0`` picks a free port. Anonymous clients are allowed: it is a lab broker,
    reachable from this computer only unless ``lan=True``.
    """

    def __init__(self, port: int = 0, *, lan: bool = False):
        self.bind_host = "0.0.0.0" if lan else "127.0.0.1"
        self._requested_port = port
        self.port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broker = None
        self._thread: threading.Thread | None = None

    @property
    def settings(self) -> BrokerSettings:
        host = lan_address() if self.bind_host == "0.0.0.0" else "127.0.0.1"
        return BrokerSettings(host, self.port, embedded=True)

    def start(self, timeout: float = 10.0) -> BrokerSettings:
        from amqtt.broker import Broker

        ready = threading.Event()
        failure: list[BaseException] = []
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.bind_host}:{self._requested_port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                self._broker = Broker(config, loop=loop)
                loop.run_until_complete(self._broker.start())
                server = self._broker._servers["default"].instance  # amqtt keeps the asyncio server here
                self.port = server.sockets[0].getsockname()[1]
            except BaseException as e:  # noqa: BLE001 - reported to the starting thread
                failure.append(e)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._broker.shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="kit-mqtt-broker", daemon=True)
        self._thread.start()
        if not ready.wait(timeout) or failure:
            raise KitError(
                f"MQTT ブローカーを起動できませんでした（{failure[0] if failure else 'タイムアウト'}）。"
                "ポートが使われていないか確かめるか、CHIIKI_MQTT_HOST で教室のブローカーを指定してください。"
            )
        return self.settings

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> BrokerSettings:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


_EMBEDDED: EmbeddedBroker | None = None


def broker(*, lan: bool = False) -> BrokerSettings:
    """The room's broker if configured, else the embedded one (started on first use)."""
    global _EMBEDDED
    room = settings_from_env()
    if room is not None:
        return room
    if _EMBEDDED is None:
        _EMBEDDED = EmbeddedBroker(lan=lan)
        _EMBEDDED.start()
        import atexit

        atexit.register(_EMBEDDED.stop)
    return _EMBEDDED.settings


def lan_address() -> str:
    """This computer's address on the room's network (what real boards must dial)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # no packet is sent; this only picks the outgoing interface
        return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        s.close()


def configure_board(board: "Board", settings: BrokerSettings, *, ssid: str = "chiiki-iot-lab",
                    password: str = "", client_id: str | None = None) -> str:
    """Write ``kit_config.py`` (Wi-Fi and broker) on the board; lab code imports it.

    A virtual board reaches the host's own addresses, so it is given 127.0.0.1 for an
    embedded broker on this computer.
    """
    host = settings.host
    if board.is_virtual and settings.embedded:
        host = "127.0.0.1"
    client_id = client_id or (board.kit.name if board.is_virtual else f"kit-{board.port.rsplit('/', 1)[-1]}")
    text = (
        "# Written by chiiki_iot.kit.mqtt.configure_board(): Wi-Fi and MQTT settings for the labs.\n"
        f"WIFI_SSID = {ssid!r}\nWIFI_PASSWORD = {password!r}\n"
        f"MQTT_HOST = {host!r}\nMQTT_PORT = {settings.port!r}\n"
        f"MQTT_USER = {settings.username!r}\nMQTT_PASSWORD = {settings.password!r}\n"
        f"CLIENT_ID = {client_id!r}\n"
    )
    return board.put(text.encode(), "kit_config.py")


def collect(settings: BrokerSettings, topic: str, *, count: int = 1, timeout: float = 10.0,
            start=None) -> list[tuple[str, bytes]]:
    """Subscribe to ``topic``, call ``start()`` once subscribed, return the first ``count`` messages."""
    import paho.mqtt.client as paho

    got: list[tuple[str, bytes]] = []
    subscribed = threading.Event()
    done = threading.Event()
    client = paho.Client(paho.CallbackAPIVersion.VERSION2)
    if settings.username:
        client.username_pw_set(settings.username, settings.password)
    client.on_subscribe = lambda *a: subscribed.set()

    def on_message(_c, _u, msg):
        got.append((msg.topic, msg.payload))
        if len(got) >= count:
            done.set()

    client.on_message = on_message
    try:
        client.connect(settings.host, settings.port)
    except OSError as e:
        raise KitError(
            f"{settings} につながりません（{e}）。ブローカーが動いているか、アドレスとポートを確かめてください。"
        ) from None
    client.subscribe(topic)
    client.loop_start()
    try:
        if not subscribed.wait(timeout):
            raise KitError(f"{settings} で {topic} を購読できませんでした。")
        if start is not None:
            start()
        deadline = time.monotonic() + timeout
        done.wait(max(0.0, deadline - time.monotonic()))
    finally:
        client.disconnect()  # first: the network loop then ends at once (loop_stop alone waits ~1 s)
        client.loop_stop()
    return got[:count]
