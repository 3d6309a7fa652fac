"""``machine`` of a micro:bit: ``time_pulse_us`` reads the simulated distance sensor."""
import sys

import _hw
import time


def time_pulse_us(pin, pulse_level, timeout_us=1000000):
    us = _hw.echo_us(getattr(pin, "name", pin))
    if us < 0 or us > timeout_us:
        time.sleep_us(timeout_us)
        return -2 if us < 0 else -1
    time.sleep_us(us)
    return us


def unique_id():
    return b"\x9a\x6e\x2b\x11\x00\x00\x00\x01"


def reset():
    sys.exit()


def freq():
    return 64000000


def disable_irq():
    return 0


def enable_irq(state=0):
    pass
