"""Ultrasonic distance sensor (HC-SR04 family): distance in cm from the echo pulse.

Sound travels 343 m/s at 20 degC; the echo pulse lasts for the way there and back, so
one microsecond of pulse is 0.01715 cm of distance.
"""
import machine
import time

CM_PER_US = 0.01715


def _write(pin, v):
    if hasattr(pin, "write_digital"):
        pin.write_digital(v)
    else:
        pin.value(v)


class HCSR04:
    """``HCSR04(trig, echo).distance_cm()``; pins are ESP32 ``Pin`` or micro:bit pins."""

    def __init__(self, trig, echo, timeout_us=30000):
        self.trig = trig
        self.echo = echo
        self.timeout_us = timeout_us
        _write(trig, 0)

    def distance_cm(self):
        _write(self.trig, 0)
        time.sleep_us(2)
        _write(self.trig, 1)
        time.sleep_us(10)
        _write(self.trig, 0)
        t = machine.time_pulse_us(self.echo, 1, self.timeout_us)
        if t < 0:
            raise OSError(110, "no echo from the distance sensor (out of range or not wired)")
        return round(t * CM_PER_US, 1)
