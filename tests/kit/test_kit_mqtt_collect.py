"""mqtt.collect: what a lab notebook (and its hidden tests) call several times, so it must be quick.

No wall-clock upper bounds: "quick" is asserted by what ends the call. collect() is given a
timeout far longer than any test may take, so it can only return because it had its messages;
and its paho network loop must have been told to disconnect before ``loop_stop()`` (which
alone would wait out the loop's 1 s ``select``).
"""
from __future__ import annotations

import threading
import time

import paho.mqtt.client as paho_client
import paho.mqtt.publish as publish
import pytest

from chiiki_iot.kit import mqtt
from kit_fixtures import FAILURE_BOUND_S


@pytest.fixture
def paho_spy(monkeypatch):
    """Watches the paho clients collect() makes: whether each was still connected when its
    network loop was stopped, and an event per message handed to collect's on_message."""
    spy = {"connected_at_loop_stop": [], "received": threading.Event()}
    real_loop_stop = paho_client.Client.loop_stop
    real_on_message = paho_client.Client.on_message

    def loop_stop(self):
        spy["connected_at_loop_stop"].append(self.is_connected())
        return real_loop_stop(self)

    def set_on_message(self, func):
        def on_message(client, userdata, msg):
            func(client, userdata, msg)
            spy["received"].set()  # after collect has taken the message

        real_on_message.fset(self, on_message if func is not None else None)

    monkeypatch.setattr(paho_client.Client, "loop_stop", loop_stop)
    monkeypatch.setattr(paho_client.Client, "on_message", property(real_on_message.fget, set_on_message))
    return spy


def collect_in_thread(*args, **kwargs):
    """collect() in a thread, so that a collect that waits for its (long) timeout fails the
    test instead of hanging it. FAILURE_BOUND_S bounds a failure only; no speed is asserted."""
    result: dict = {}

    def run():
        try:
            result["got"] = mqtt.collect(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 - re-raised in the test
            result["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(FAILURE_BOUND_S)
    assert not thread.is_alive(), "collect() did not return when its messages had arrived"
    if "error" in result:
        raise result["error"]
    return result["got"]


def test_collect_returns_as_soon_as_it_has_the_messages(paho_spy):
    with mqtt.EmbeddedBroker() as room:
        for _ in range(3):  # several calls in a row, as a notebook makes them
            got = collect_in_thread(room, "chiiki/#", count=2, timeout=3600, start=lambda: publish.multiple(
                [("chiiki/a/b/level", b"1", 1, False), ("chiiki/a/b/level", b"2", 1, False)],
                hostname=room.host, port=room.port))
            assert got == [("chiiki/a/b/level", b"1"), ("chiiki/a/b/level", b"2")]
        # the paho network loop is ended at once (disconnect() wakes its select), not by
        # loop_stop() alone, which waits for the loop's 1 s select to run out
        assert paho_spy["connected_at_loop_stop"] == [False, False, False]


def test_collect_gives_what_arrived_when_the_time_is_up(paho_spy):
    started = []

    def start():
        publish.single("chiiki/a/b/level", b"only one", qos=1, hostname=room.host, port=room.port)
        # the one message has reached collect before its time starts running
        assert paho_spy["received"].wait(FAILURE_BOUND_S)
        started.append(time.monotonic())

    with mqtt.EmbeddedBroker() as room:
        got = mqtt.collect(room, "chiiki/#", count=5, timeout=0.5, start=start)
        waited = time.monotonic() - started[0]
        assert got == [("chiiki/a/b/level", b"only one")]
        assert waited >= 0.5  # it waited out its timeout for the four that never came
