"""``power`` of a virtual micro:bit: sleeping passes board time."""
import sys

import time


def off():
    sys.exit()


def deep_sleep(ms=None, wake_on=None, run_every=True):
    time.sleep_ms(ms or 0)
