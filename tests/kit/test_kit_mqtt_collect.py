"""mqtt.collect: what a lab notebook (and its hidden tests) call several times, so it must be quick."""
from __future__ import annotations

import time

import paho.mqtt.publish as publish

from chiiki_iot.kit import mqtt


def test_collect_returns_as_soon_as_it_has_the_messages():
    with mqtt.EmbeddedBroker() as room:
        for _ in range(3):  # several calls in a row, as a notebook makes them
            t0 = time.monotonic()
            got = mqtt.collect(room, "chiiki/#", count=2, timeout=10, start=lambda: publish.multiple(
                [("chiiki/a/b/level", b"1", 1, False), ("chiiki/a/b/level", b"2", 1, False)],
                hostname=room.host, port=room.port))
            assert got == [("chiiki/a/b/level", b"1"), ("chiiki/a/b/level", b"2")]
            assert time.monotonic() - t0 < 0.8  # the paho network loop is ended at once, not after its 1 s select


def test_collect_gives_what_arrived_when_the_time_is_up():
    with mqtt.EmbeddedBroker() as room:
        t0 = time.monotonic()
        got = mqtt.collect(room, "chiiki/#", count=5, timeout=0.5, start=lambda: publish.single(
            "chiiki/a/b/level", b"only one", qos=1, hostname=room.host, port=room.port))
        assert got == [("chiiki/a/b/level", b"only one")]
        assert 0.4 < time.monotonic() - t0 < 1.3
