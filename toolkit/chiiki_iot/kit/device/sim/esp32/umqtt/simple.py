"""``umqtt.simple`` for the virtual ESP32: the ``MQTTClient`` API of micropython-lib.

Written for the kit (MQTT 3.1.1, QoS 0 and 1, clean sessions), so a lab's device code
publishes to the kit's broker exactly as it does on a real ESP32 with ``umqtt.simple``.
"""
import select
import socket
import struct


class MQTTException(Exception):
    pass


class MQTTClient:
    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0, ssl=None):
        if isinstance(client_id, str):
            client_id = client_id.encode()
        self.client_id = client_id
        self.server = server
        self.port = port or (8883 if ssl else 1883)
        self.user = user
        self.pswd = password
        self.keepalive = keepalive
        self.ssl = ssl
        self.sock = None
        self.pid = 0
        self.cb = None
        self.lw = None

    # ------------------------------------------------------------ wire helpers
    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise OSError(-1)  # the broker closed the connection
            buf += chunk
        return buf

    def _write(self, data):
        while data:
            data = data[self.sock.send(data):]

    @staticmethod
    def _b(s):
        return s.encode() if isinstance(s, str) else bytes(s)

    def _str(self, s):
        s = self._b(s)
        return struct.pack("!H", len(s)) + s

    @staticmethod
    def _len(n):
        out = bytearray()
        while True:
            b = n & 0x7F
            n >>= 7
            out.append(b | 0x80 if n else b)
            if not n:
                return bytes(out)

    def _recv_len(self):
        n = sh = 0
        while True:
            b = self._read(1)[0]
            n |= (b & 0x7F) << sh
            if not b & 0x80:
                return n
            sh += 7

    # ------------------------------------------------------------ API
    def set_callback(self, f):
        self.cb = f

    def set_last_will(self, topic, msg, retain=False, qos=0):
        self.lw = (topic, msg, retain, qos)

    def connect(self, clean_session=True):
        self.sock = socket.socket()
        self.sock.connect(socket.getaddrinfo(self.server, self.port)[0][-1])
        flags = clean_session << 1
        payload = self._str(self.client_id)
        if self.lw:
            topic, msg, retain, qos = self.lw
            flags |= 0x04 | (qos << 3) | (retain << 5)
            payload += self._str(topic) + self._str(msg)
        if self.user:
            flags |= 0xC0
            payload += self._str(self.user) + self._str(self.pswd or "")
        var = b"\x00\x04MQTT\x04" + bytes([flags]) + struct.pack("!H", self.keepalive)
        body = var + payload
        self._write(b"\x10" + self._len(len(body)) + body)
        resp = self._read(4)
        if resp[0] != 0x20 or resp[1] != 0x02:
            raise MQTTException("bad CONNACK")
        if resp[3] != 0:
            raise MQTTException(resp[3])
        return resp[2] & 1

    def disconnect(self):
        self._write(b"\xe0\x00")
        self.sock.close()

    def ping(self):
        self._write(b"\xc0\x00")

    def publish(self, topic, msg, retain=False, qos=0):
        body = self._str(topic)
        if qos:
            self.pid += 1
            pid = self.pid
            body += struct.pack("!H", pid)
        body += self._b(msg)
        self._write(bytes([0x30 | qos << 1 | retain]) + self._len(len(body)) + body)
        if qos == 1:
            while True:
                op = self.wait_msg()
                if op == 0x40:
                    self._read(1)
                    if struct.unpack("!H", self._read(2))[0] == pid:
                        return
        elif qos == 2:
            raise MQTTException("QoS 2 is not supported")

    def subscribe(self, topic, qos=0):
        if self.cb is None:
            raise MQTTException("set_callback() first")
        self.pid += 1
        body = struct.pack("!H", self.pid) + self._str(topic) + bytes([qos])
        self._write(b"\x82" + self._len(len(body)) + body)
        while True:
            op = self.wait_msg()
            if op == 0x90:
                resp = self._read(4)
                if resp[3] == 0x80:
                    raise MQTTException(resp[3])
                return

    def wait_msg(self):
        """Read one packet; a PUBLISH goes to the callback. Returns the packet type byte."""
        op = self._read(1)[0]
        if op == 0xD0:  # PINGRESP
            self._read(1)
            return None
        if op & 0xF0 != 0x30:
            return op
        sz = self._recv_len()
        topic = self._read(struct.unpack("!H", self._read(2))[0])
        sz -= len(topic) + 2
        if op & 6:
            pid = struct.unpack("!H", self._read(2))[0]
            sz -= 2
        msg = self._read(sz)
        self.cb(topic, msg)
        if op & 6 == 2:
            self._write(b"\x40\x02" + struct.pack("!H", pid))
        return op

    def check_msg(self):
        """Like ``wait_msg`` if a packet is waiting, else None at once."""
        p = select.poll()
        p.register(self.sock, select.POLLIN)
        if not p.poll(0):
            return None
        return self.wait_msg()
