"""``machine`` of a virtual ESP32: Pin, ADC, I2C, PWM and friends, wired to simulated sensors.

Follows the ESP32 port's API (docs.micropython.org, "Quick reference for the ESP32").
What the pins read comes from ``_hw`` (the sensors of the kit's wiring table); what the
program writes is kept, so a lab can check it (``Pin(2).value()`` after ``Pin(2).on()``).
"""
import sys

import _hw
import time

_state = {}  # GPIO number -> level written by the program
_polled = {}  # GPIO number -> board time of its last read
POLL_US = 1000  # board time one read of a pin costs in a loop that does nothing else


def _poll_cost(pin):
    """A busy loop that only reads a pin (``while Pin(0).value(): pass``) would freeze board
    time, which moves when a program sleeps; so a read that follows a read of the same pin
    at the same board time costs ``POLL_US``. Loops paced by sleeps are not affected."""
    now = time._now_us()
    if _polled.get(pin) == now:
        time.sleep_us(POLL_US)
        now = time._now_us()
    _polled[pin] = now


class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_UP = 2
    PULL_DOWN = 1
    IRQ_RISING = 1
    IRQ_FALLING = 2

    def __init__(self, id, mode=-1, pull=-1, value=None):
        self.id = id
        self.mode = mode
        self.pull = pull
        self._irq = None
        if value is not None:
            self.value(value)

    def init(self, mode=-1, pull=-1, value=None):
        self.__init__(self.id, mode, pull, value)

    def value(self, v=None):
        if v is None:
            _poll_cost(self.id)
            driven = _hw.digital(self.id)
            if driven is not None:
                return driven
            return _state.get(self.id, 1 if self.pull == Pin.PULL_UP else 0)
        _state[self.id] = 1 if v else 0

    __call__ = value

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)

    def irq(self, handler=None, trigger=IRQ_RISING):
        """Stored; the virtual kit does not call pin interrupts (poll with value())."""
        self._irq = (handler, trigger)

    def __repr__(self):
        return "Pin(%d)" % self.id


class Signal:
    def __init__(self, pin, invert=False):
        self.pin, self.invert = pin, invert

    def value(self, v=None):
        if v is None:
            return self.pin.value() ^ self.invert
        self.pin.value((1 if v else 0) ^ self.invert)

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)


class ADC:
    ATTN_0DB = 0
    ATTN_2_5DB = 1
    ATTN_6DB = 2
    ATTN_11DB = 3
    WIDTH_9BIT = 0
    WIDTH_10BIT = 1
    WIDTH_11BIT = 2
    WIDTH_12BIT = 3

    def __init__(self, pin, atten=ATTN_0DB):
        self.pin = pin if isinstance(pin, Pin) else Pin(pin)
        self._atten = atten
        self._bits = 12

    def atten(self, atten):
        self._atten = atten

    def width(self, width):
        self._bits = 9 + width

    def read_u16(self):
        return int(_hw.analog_fraction(self.pin.id) * 65535)

    def read(self):
        return self.read_u16() >> (16 - self._bits)

    def read_uv(self):
        return int(_hw.analog_fraction(self.pin.id) * 3300000)


class I2C:
    """Hardware I2C; every bus of the virtual ESP32 reaches the same simulated devices."""

    def __init__(self, id=0, *, scl=None, sda=None, freq=400000, timeout=50000):
        self.id, self.scl, self.sda, self.freq = id, scl, sda, freq

    def init(self, scl=None, sda=None, freq=400000):
        pass

    def scan(self):
        return _hw.BUS.scan()

    def readfrom(self, addr, n, stop=True):
        return _hw.BUS.readfrom(addr, n)

    def readfrom_into(self, addr, buf, stop=True):
        buf[:] = _hw.BUS.readfrom(addr, len(buf))

    def writeto(self, addr, buf, stop=True):
        return _hw.BUS.writeto(addr, buf)

    def readfrom_mem(self, addr, reg, n, addrsize=8):
        return _hw.BUS.readfrom_mem(addr, reg, n)

    def readfrom_mem_into(self, addr, reg, buf, addrsize=8):
        buf[:] = _hw.BUS.readfrom_mem(addr, reg, len(buf))

    def writeto_mem(self, addr, reg, buf, addrsize=8):
        _hw.BUS.writeto_mem(addr, reg, buf)


SoftI2C = I2C


class PWM:
    def __init__(self, pin, freq=5000, duty=None, duty_u16=None):
        self.pin = pin
        self._freq = freq
        self._duty_u16 = duty_u16 if duty_u16 is not None else (duty or 512) * 64

    def freq(self, f=None):
        if f is None:
            return self._freq
        self._freq = f

    def duty(self, d=None):
        if d is None:
            return self._duty_u16 // 64
        self._duty_u16 = d * 64

    def duty_u16(self, d=None):
        if d is None:
            return self._duty_u16
        self._duty_u16 = d

    def deinit(self):
        pass


def time_pulse_us(pin, pulse_level, timeout_us=1000000):
    """Echo length from the simulated distance sensor; -2 (timeout) where nothing is wired."""
    us = _hw.echo_us(pin.id if isinstance(pin, Pin) else pin)
    if us < 0 or us > timeout_us:
        time.sleep_us(timeout_us)
        return -2 if us < 0 else -1
    time.sleep_us(us)
    return us


def freq(hz=None):
    return 160000000 if hz is None else None


def unique_id():
    return b"\x24\x0a\xc4\x00\x00\x01"


def reset():
    sys.exit()  # the virtual kit reboots the board


def soft_reset():
    sys.exit()


def lightsleep(ms=None):
    time.sleep_ms(ms or 0)


deepsleep = lightsleep


def idle():
    pass


def disable_irq():
    return 0


def enable_irq(state=0):
    pass
