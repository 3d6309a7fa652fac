"""MQTT for the labs: the embedded broker the toolkit starts itself, or the room's broker.

Which broker, in order:

1. a room broker (e.g. mosquitto on the trainer's PC) named by ``CHIIKI_MQTT_HOST``
   (with ``CHIIKI_MQTT_PORT``, ``CHIIKI_MQTT_USER``, ``CHIIKI_MQTT_PASSWORD``), which a
   trainer sets once for the room (see ``hardware_kits/README.md``);
2. otherwise the embedded broker: amqtt (pure Python, from PyPI) in a background thread of
   this kernel, on 127.0.0.1 for virtual boards, or on every interface (``lan=True``) so
   real boards on the room's Wi-Fi can reach it.

>>> from chiiki_iot.kit import mqtt
>>> room = mqtt.broker()                          # doctest: +SKIP
>>> mqtt.configure_board(board, room)             # writes kit_config.py on the board   # doctest: +SKIP
>>> mqtt.collect(room, "chiiki/#", count=3)       # doctest: +SKIP
[('chiiki/room1/temperature', b'22.5'), ...]

The embedded broker can also require a user name and password and speak TLS only, with a
certificate made for the lab (``lab_certificates``: a one-room certificate authority and a
server certificate for this computer's addresses, made with ``cryptography``):

>>> guarded = mqtt.EmbeddedBroker(users={"kominkan-01": "a-long-passphrase"}, tls=True)   # doctest: +SKIP
>>> room = guarded.start()                                       # doctest: +SKIP
>>> mqtt.try_connect(room)                                       # doctest: +SKIP
ConnectResult(ok=False, ... 'ユーザー名とパスワードがないので、ブローカーが断りました。')
>>> mqtt.try_connect(room.login("kominkan-01", "a-long-passphrase"))   # doctest: +SKIP
ConnectResult(ok=True, ...)
"""
from __future__ import annotations

import asyncio
import datetime
import ipaddress
import logging
import os
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import KitError

if TYPE_CHECKING:  # pragma: no cover
    from .board import Board


@dataclass(frozen=True)
class BrokerSettings:
    """Where a broker listens, as boards and the host must be told."""

    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None
    embedded: bool = False
    tls: bool = False                 # speak TLS (MQTT over TLS, usually port 8883)
    cafile: str | None = None         # the certificate authority to trust (None: the system's)

    def __str__(self) -> str:
        kind = "組み込みブローカー" if self.embedded else "ブローカー"
        extra = "（TLS）" if self.tls else ""
        return f"MQTT {kind} {self.host}:{self.port}{extra}"

    def __repr__(self) -> str:  # never print a password into a notebook's output
        hidden = "'********'" if self.password else "None"
        return (f"BrokerSettings(host={self.host!r}, port={self.port!r}, username={self.username!r}, "
                f"password={hidden}, embedded={self.embedded!r}, tls={self.tls!r}, cafile={self.cafile!r})")

    def login(self, username: str | None, password: str | None) -> "BrokerSettings":
        """The same broker with these credentials (``None``: connect without any)."""
        return replace(self, username=username, password=password)

    def without_tls(self) -> "BrokerSettings":
        """The same broker, dialled without TLS (to show that a TLS-only broker refuses it)."""
        return replace(self, tls=False, cafile=None)


def settings_from_env() -> BrokerSettings | None:
    """The room's broker, if the trainer configured one (``CHIIKI_MQTT_HOST`` ...)."""
    host = os.environ.get("CHIIKI_MQTT_HOST")
    if not host:
        return None
    tls = os.environ.get("CHIIKI_MQTT_TLS", "").lower() in ("1", "true", "yes")
    return BrokerSettings(host, int(os.environ.get("CHIIKI_MQTT_PORT", "8883" if tls else "1883")),
                          os.environ.get("CHIIKI_MQTT_USER") or None,
                          os.environ.get("CHIIKI_MQTT_PASSWORD") or None,
                          tls=tls, cafile=os.environ.get("CHIIKI_MQTT_CAFILE") or None)


@dataclass(frozen=True)
class LabCertificates:
    """A certificate authority made for one lab and a server certificate it signed (PEM files).

    Clients trust ``cafile``; the broker presents ``certfile`` and keeps ``keyfile`` secret.
    """

    cafile: str
    certfile: str
    keyfile: str
    hosts: tuple[str, ...]


def lab_certificates(folder: str | Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost"), *,
                     days: int = 30, organisation: str = "chiiki-iot lab") -> LabCertificates:
    """Make a lab certificate authority and a server certificate for ``hosts`` in ``folder``.

    Made with ``cryptography`` (EC P-256 keys, SHA-256). For a lab on one computer or one
    room only: a real deployment gets its server certificate from the vendor's or the
    office's certificate authority, and its private key never leaves the server.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    valid_from, valid_to = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=days)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} CA")])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(valid_from).not_valid_after(valid_to)
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))

    names: list[x509.GeneralName] = []
    for h in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            names.append(x509.DNSName(h))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                                     x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(valid_from).not_valid_after(valid_to)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))

    cafile, certfile, keyfile = folder / "lab-ca.pem", folder / "broker-cert.pem", folder / "broker-key.pem"
    cafile.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.touch(mode=0o600)
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return LabCertificates(str(cafile), str(certfile), str(keyfile), tuple(hosts))


def write_password_file(path: str | Path, users: dict[str, str]) -> Path:
    """A password file for the broker: one ``user:hash`` line each, hashed with Argon2 (never the password).

    The same idea as mosquitto's ``mosquitto_passwd``; amqtt's ``FileAuthPlugin`` reads it.
    """
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    hasher = PasswordHash((Argon2Hasher(),))
    for user, password in users.items():
        if not user or ":" in user or not password:
            raise KitError(f"ユーザー名「{user}」: ユーザー名は空でなく「:」を含まない名前に、パスワードは空でないものにしてください。")
    path = Path(path)
    path.touch(mode=0o600)
    path.write_text("".join(f"{u}:{hasher.hash(p)}\n" for u, p in users.items()), encoding="utf-8")
    return path


class EmbeddedBroker:
    """An amqtt broker running in a background thread with its own event loop.

    ``port=0`` picks a free port. By default anonymous clients are allowed: it is a lab
    broker, reachable from this computer only unless ``lan=True``.

    ``users={"name": "password", ...}`` makes it refuse every client without a listed user
    name and its password (amqtt's ``FileAuthPlugin`` over an Argon2 password file, as
    mosquitto's ``password_file`` with ``allow_anonymous false``). ``tls=True`` makes it speak
    TLS only, with a certificate made for the lab (``lab_certificates``); pass a
    ``LabCertificates`` to use your own. ``settings`` then carries ``tls`` and the ``cafile``
    clients must trust, but no credentials: ``settings.login(user, password)`` adds them.
    """

    def __init__(self, port: int = 0, *, lan: bool = False, users: dict[str, str] | None = None,
                 tls: "bool | LabCertificates" = False):
        self.bind_host = "0.0.0.0" if lan else "127.0.0.1"
        self._requested_port = port
        self.port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broker = None
        self._thread: threading.Thread | None = None
        self.users = dict(users) if users is not None else None
        self._tls = tls
        self.certificates: LabCertificates | None = tls if isinstance(tls, LabCertificates) else None
        self._private: tempfile.TemporaryDirectory | None = None   # made here: key, certificates, password hashes

    @property
    def settings(self) -> BrokerSettings:
        host = lan_address() if self.bind_host == "0.0.0.0" else "127.0.0.1"
        certs = self.certificates
        return BrokerSettings(host, self.port, embedded=True, tls=certs is not None,
                              cafile=certs.cafile if certs else None)

    def _config(self) -> dict:
        listener = {"type": "tcp", "bind": f"{self.bind_host}:{self._requested_port}"}
        plugins: dict = {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}}
        if self.users is not None or self._tls:
            self._private = tempfile.TemporaryDirectory(prefix="chiiki-mqtt-")   # key and password hashes: 0700
        if self._tls and self.certificates is None:
            hosts = ("127.0.0.1", "localhost") + ((lan_address(),) if self.bind_host == "0.0.0.0" else ())
            self.certificates = lab_certificates(self._private.name, tuple(dict.fromkeys(hosts)))
        if self.certificates is not None:
            listener.update(ssl=True, certfile=self.certificates.certfile, keyfile=self.certificates.keyfile)
        if self.users is not None:
            pw = write_password_file(Path(self._private.name) / "passwd", self.users)
            plugins = {"amqtt.plugins.authentication.FileAuthPlugin": {"password_file": str(pw)}}
        return {"listeners": {"default": listener}, "plugins": plugins}

    def start(self, timeout: float = 10.0) -> BrokerSettings:
        from amqtt.broker import Broker

        ready = threading.Event()
        failure: list[BaseException] = []
        config = self._config()
        if self.certificates is not None or self.users is not None:
            _quiet_refusals()

        secured = self.certificates is not None or self.users is not None

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            if secured:
                loop.set_exception_handler(_ignore_refused_clients)
            try:
                self._broker = Broker(config, loop=loop)
                loop.run_until_complete(self._broker.start())
                server = self._broker._servers["default"].instance  # amqtt keeps the asyncio server here
                self.port = server.sockets[0].getsockname()[1]
            except BaseException as e:  # noqa: BLE001 - reported to the starting thread
                failure.append(e)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._broker.shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="kit-mqtt-broker", daemon=True)
        self._thread.start()
        if not ready.wait(timeout) or failure:
            raise KitError(
                f"MQTT ブローカーを起動できませんでした（{failure[0] if failure else 'タイムアウト'}）。"
                "ポートが使われていないか確かめるか、CHIIKI_MQTT_HOST で教室のブローカーを指定してください。"
            )
        return self.settings

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        if self._private is not None:
            if self.certificates is not None and self.certificates.keyfile.startswith(self._private.name):
                self.certificates = None        # made for this run; a restart makes new ones
            self._private.cleanup()
            self._private = None

    def __enter__(self) -> BrokerSettings:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


_EMBEDDED: EmbeddedBroker | None = None


def broker(*, lan: bool = False) -> BrokerSettings:
    """The room's broker if configured, else the embedded one (started on first use)."""
    global _EMBEDDED
    room = settings_from_env()
    if room is not None:
        return room
    if _EMBEDDED is None:
        _EMBEDDED = EmbeddedBroker(lan=lan)
        _EMBEDDED.start()
        import atexit

        atexit.register(_EMBEDDED.stop)
    return _EMBEDDED.settings


def lan_address() -> str:
    """This computer's address on the room's network (what real boards must dial)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # no packet is sent; this only picks the outgoing interface
        return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        s.close()


def configure_board(board: "Board", settings: BrokerSettings, *, ssid: str = "chiiki-iot-lab",
                    password: str = "", client_id: str | None = None) -> str:
    """Write ``kit_config.py`` (Wi-Fi and broker) on the board; lab code imports it.

    A virtual board reaches the host's own addresses, so it is given 127.0.0.1 for an
    embedded broker on this computer.
    """
    host = settings.host
    if board.is_virtual and settings.embedded:
        host = "127.0.0.1"
    client_id = client_id or (board.kit.name if board.is_virtual else f"kit-{board.port.rsplit('/', 1)[-1]}")
    text = (
        "# Written by chiiki_iot.kit.mqtt.configure_board(): Wi-Fi and MQTT settings for the labs.\n"
        f"WIFI_SSID = {ssid!r}\nWIFI_PASSWORD = {password!r}\n"
        f"MQTT_HOST = {host!r}\nMQTT_PORT = {settings.port!r}\n"
        f"MQTT_USER = {settings.username!r}\nMQTT_PASSWORD = {settings.password!r}\n"
        f"MQTT_SSL = {settings.tls!r}\n"
        f"CLIENT_ID = {client_id!r}\n"
    )
    return board.put(text.encode(), "kit_config.py")


def collect(settings: BrokerSettings, topic: str, *, count: int = 1, timeout: float = 10.0,
            start=None) -> list[tuple[str, bytes]]:
    """Subscribe to ``topic``, call ``start()`` once subscribed, return the first ``count`` messages."""
    import paho.mqtt.client as paho

    got: list[tuple[str, bytes]] = []
    subscribed = threading.Event()
    done = threading.Event()
    client = paho.Client(paho.CallbackAPIVersion.VERSION2)
    if settings.username:
        client.username_pw_set(settings.username, settings.password)
    client.on_subscribe = lambda *a: subscribed.set()

    def on_message(_c, _u, msg):
        got.append((msg.topic, msg.payload))
        if len(got) >= count:
            done.set()

    client.on_message = on_message
    refused: list[str] = []

    def on_connect(_c, _u, _flags, reason_code, _props):
        if reason_code.is_failure:
            refused.append(_connack_reason(reason_code, settings))
            subscribed.set()

    client.on_connect = on_connect
    if settings.tls:
        client.tls_set(ca_certs=settings.cafile)
    try:
        client.connect(settings.host, settings.port)
    except ssl.SSLError as e:
        raise KitError(f"{settings} と TLS でつなげません: {_tls_reason(e)}") from None
    except OSError as e:
        raise KitError(
            f"{settings} につながりません（{e}）。ブローカーが動いているか、アドレスとポートを確かめてください。"
        ) from None
    client.subscribe(topic)
    client.loop_start()
    try:
        if not subscribed.wait(timeout) or refused:
            raise KitError(refused[0] if refused else f"{settings} で {topic} を購読できませんでした。")
        if start is not None:
            start()
        deadline = time.monotonic() + timeout
        done.wait(max(0.0, deadline - time.monotonic()))
    finally:
        client.disconnect()  # first: the network loop then ends at once (loop_stop alone waits ~1 s)
        client.loop_stop()
    return got[:count]


@dataclass(frozen=True)
class ConnectResult:
    """What happened when a client tried to connect (``try_connect``), said in Japanese."""

    ok: bool
    message: str
    settings: BrokerSettings

    def __str__(self) -> str:
        return ("✅ つながりました: " if self.ok else "⛔ 断られました: ") + self.message

    def _repr_pretty_(self, p, cycle) -> None:   # IPython shows the Japanese sentence
        p.text(str(self))


def _connack_reason(reason_code, settings: BrokerSettings) -> str:
    sent = (f"ユーザー名「{settings.username}」とパスワードを送りましたが、ユーザー名かパスワードが違います"
            if settings.username else "ユーザー名とパスワードを送っていません（匿名の接続）")
    return f"ブローカーが接続を断りました（返事: {reason_code}）。この接続は{sent}。"


def _tls_reason(e: BaseException) -> str:
    if isinstance(e, ssl.SSLCertVerificationError):
        return ("ブローカーの証明書を確かめられません（信頼する認証局の証明書 cafile が違うか、ありません）。"
                f"相手が本物のブローカーだと確かめられないので、こちらからつなぐのをやめました（{e.verify_message}）。")
    return f"TLS のやりとりに失敗しました（{e}）。"


def try_connect(settings: BrokerSettings, *, timeout: float = 5.0, client_id: str | None = None) -> ConnectResult:
    """Try to connect as ``settings`` says (credentials, TLS) and say in Japanese what happened.

    Never raises for a refusal: a lab shows refused and accepted clients side by side.

    >>> mqtt.try_connect(room.login(None, None))      # doctest: +SKIP
    ⛔ 断られました: ブローカーが接続を断りました（返事: Not authorized）。この接続はユーザー名とパスワードを送っていません（匿名の接続）。
    """
    import paho.mqtt.client as paho

    done = threading.Event()
    outcome: dict = {}
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id or "")
    if settings.username:
        client.username_pw_set(settings.username, settings.password)

    def on_connect(_c, _u, _flags, reason_code, _props):
        outcome["connack"] = reason_code
        done.set()

    def on_disconnect(*_a):
        done.set()

    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    how = "TLS で" if settings.tls else "TLS を使わずに"
    try:
        if settings.tls:
            client.tls_set(ca_certs=settings.cafile)
        client.connect(settings.host, settings.port, keepalive=10)
    except ssl.SSLError as e:
        return ConnectResult(False, _tls_reason(e), settings)
    except OSError as e:
        return ConnectResult(False, f"{settings} に届きません（{e}）。アドレスとポートを確かめてください。", settings)
    client.loop_start()
    try:
        done.wait(timeout)
    finally:
        client.disconnect()
        client.loop_stop()
    rc = outcome.get("connack")
    if rc is None:
        plain = "" if settings.tls else ("このブローカーは TLS でしか話さないので、暗号化していない接続は最初のやりとりで切られます。"
                                         "（パスワードを送っていても、暗号化していない通信は途中で読まれるおそれがあります。）")
        return ConnectResult(False, f"{how}つなぎましたが、ブローカーから返事がないまま接続が切れました。{plain}", settings)
    if rc.is_failure:
        return ConnectResult(False, _connack_reason(rc, settings), settings)
    who = f"ユーザー「{settings.username}」" if settings.username else "匿名"
    secure = "TLS で暗号化し、ブローカーの証明書を確かめたうえで" if settings.tls else "暗号化せずに"
    return ConnectResult(True, f"{secure}、{who}として接続が認められました（返事: {rc}）。", settings)


def _quiet_refusals() -> None:
    """The broker's log of refused clients is for a trainer's terminal, not a learner's notebook."""
    for name in ("amqtt", "transitions"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.CRITICAL)


def _ignore_refused_clients(loop: asyncio.AbstractEventLoop, context: dict) -> None:
    """A refused client (no TLS, no password) hangs up on the broker: not an error of the broker."""
    if isinstance(context.get("exception"), (ConnectionError, ssl.SSLError)):
        return
    loop.default_exception_handler(context)
