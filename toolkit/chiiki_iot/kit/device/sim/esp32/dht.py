"""``dht`` of a virtual ESP32: DHT11 / DHT22 on the pin of the kit's wiring table.

A sensor asked on a pin where none is wired times out, as a real one does
(``OSError: [Errno 116] ETIMEDOUT``).
"""
import _hw
import _world
import time


class DHTBase:
    def __init__(self, pin):
        self.pin = pin
        self._t = self._h = None

    def measure(self):
        pin = self.pin.id if hasattr(self.pin, "id") else self.pin
        time.sleep_ms(5)
        if pin != _hw.WIRING.get("dht22"):
            raise OSError(116)  # ETIMEDOUT
        t = _world.value("temperature")
        h = _world.value("humidity")
        self._t = t
        self._h = 0 if h < 0 else 100 if h > 100 else h


class DHT11(DHTBase):
    def temperature(self):
        return int(self._t)

    def humidity(self):
        return int(self._h)


class DHT22(DHTBase):
    def temperature(self):
        return round(self._t, 1)

    def humidity(self):
        return round(self._h, 1)
