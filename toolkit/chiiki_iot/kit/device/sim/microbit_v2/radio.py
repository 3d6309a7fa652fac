"""``radio`` of a virtual micro:bit: packets travel through the kit's air (a UDP hub).

Every virtual board started by the same notebook shares the air; channel, group and
address must match to receive, and at most ``queue`` packets wait, as on a micro:bit.
"""
import socket
import struct
import time
import uos

RATE_1MBIT = 1
RATE_2MBIT = 2
_DEFAULTS = {"length": 32, "queue": 3, "channel": 7, "power": 6, "address": 0x75626974,
             "group": 0, "data_rate": RATE_1MBIT}
_conf = dict(_DEFAULTS)
_sock = None
_queue = []
_hub = None


def _hub_addr():
    host, port = (uos.getenv("CHIIKI_KIT_RADIO") or "127.0.0.1:0").split(":")
    return socket.getaddrinfo(host, int(port))[0][-1]


def on():
    global _sock, _hub
    if _sock is None:
        _hub = _hub_addr()
        _sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        _sock.bind(socket.getaddrinfo("127.0.0.1", 0)[0][-1])
        _sock.setblocking(False)
        _sock.sendto(b"H", _hub)  # tell the air we are listening


def off():
    global _sock
    if _sock is not None:
        _sock.close()
        _sock = None
    _queue.clear()


def reset():
    _conf.clear()
    _conf.update(_DEFAULTS)


def config(**kwargs):
    for k, v in kwargs.items():
        if k not in _DEFAULTS:
            raise ValueError("unknown argument '%s'" % k)
    if not 1 <= kwargs.get("length", 32) <= 251 or not 0 <= kwargs.get("channel", 7) <= 83 \
            or not 0 <= kwargs.get("power", 6) <= 7 or not 0 <= kwargs.get("group", 0) <= 255:
        raise ValueError("value out of range for argument")
    _conf.update(kwargs)


def _check_on():
    if _sock is None:
        raise ValueError("radio is not enabled")


def send_bytes(message):
    _check_on()
    head = struct.pack("<BBI", _conf["channel"], _conf["group"], _conf["address"])
    _sock.sendto(b"P" + head + bytes(message)[:_conf["length"]], _hub)
    time.sleep_us(200)  # time on air


def send(message):
    send_bytes(b"\x01\x00\x01" + message.encode())


def _pump():
    while True:
        try:
            data, _ = _sock.recvfrom(512)
        except OSError:
            return
        if data[:1] != b"P" or len(data) < 7:
            continue
        ch, grp, addr = struct.unpack("<BBI", data[1:7])
        if (ch, grp, addr) != (_conf["channel"], _conf["group"], _conf["address"]):
            continue
        if len(_queue) < _conf["queue"]:
            _queue.append((data[7:], -50, time.ticks_us()))


def receive_full():
    _check_on()
    _pump()
    return _queue.pop(0) if _queue else None


def receive_bytes():
    full = receive_full()
    return full[0] if full else None


def receive_bytes_into(buffer):
    msg = receive_bytes()
    if msg is None:
        return None
    n = min(len(buffer), len(msg))
    buffer[:n] = msg[:n]
    return n


def receive():
    msg = receive_bytes()
    if msg is None:
        return None
    if msg[:3] != b"\x01\x00\x01":
        raise ValueError("received packet is not a string")
    return msg[3:].decode()
