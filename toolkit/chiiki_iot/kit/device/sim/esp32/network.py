"""``network`` of a virtual ESP32: Wi-Fi that joins the lab's access point.

The access points in range are named by ``CHIIKI_KIT_WIFI`` (comma separated; default
``chiiki-iot-lab``). Joining one succeeds after one second of board time; the board then
reaches the host's network (for example the kit's MQTT broker on 127.0.0.1).
"""
import time
import uos

STA_IF = 0
AP_IF = 1
STAT_IDLE = 1000
STAT_CONNECTING = 1001
STAT_GOT_IP = 1010
STAT_NO_AP_FOUND = 201
STAT_WRONG_PASSWORD = 202
AUTH_OPEN = 0
AUTH_WPA2_PSK = 3

_APS = [s for s in (uos.getenv("CHIIKI_KIT_WIFI") or "chiiki-iot-lab").split(",") if s]


class WLAN:
    def __init__(self, interface=STA_IF):
        self.interface = interface
        self._active = False
        self._status = STAT_IDLE
        self._ssid = None
        self._config = {"mac": b"\x24\x0a\xc4\x00\x00\x01", "hostname": "esp32"}

    def active(self, on=None):
        if on is None:
            return self._active
        self._active = bool(on)
        if not on:
            self._status = STAT_IDLE

    def scan(self):
        return [(s.encode(), b"\x24\x0a\xc4\x00\x00\x02", 6, -55, AUTH_WPA2_PSK, False) for s in _APS]

    def connect(self, ssid=None, key=None, *, bssid=None):
        if not self._active:
            raise OSError("Wifi Not Started")
        time.sleep_ms(1000)
        self._ssid = ssid
        self._status = STAT_GOT_IP if ssid in _APS else STAT_NO_AP_FOUND

    def disconnect(self):
        self._status = STAT_IDLE

    def isconnected(self):
        return self._status == STAT_GOT_IP

    def status(self, param=None):
        if param == "rssi":
            return -55
        return self._status

    def ifconfig(self, config=None):
        if self.isconnected():
            return ("192.168.4.2", "255.255.255.0", "192.168.4.1", "192.168.4.1")
        return ("0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0")

    def config(self, *args, **kwargs):
        if kwargs:
            self._config.update(kwargs)
            return None
        return self._config.get(args[0]) if args else None
