"""The embedded broker with a password and TLS (sensors/11_security): who is refused, who gets in.

Every refusal is a real one: the broker is amqtt with its FileAuthPlugin (Argon2 password file)
and a TLS-only listener whose certificate was made for the test by ``lab_certificates``
(``cryptography``); clients are paho (the host) and the virtual ESP32's umqtt.simple.
"""
from __future__ import annotations

import os
import socket
import ssl

import paho.mqtt.publish as publish
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes

from chiiki_iot.kit import DeviceError, KitError, mqtt
from kit_fixtures import make_board, make_kit  # noqa: F401

USER, PASSWORD = "kominkan-01", "lab-passphrase-4f9c"


@pytest.fixture(scope="module")
def guarded():
    """A TLS-only broker that knows one user: (broker, settings without credentials)."""
    broker = mqtt.EmbeddedBroker(users={USER: PASSWORD}, tls=True)
    room = broker.start()
    yield broker, room
    broker.stop()


def test_anonymous_client_is_refused(guarded):
    _, room = guarded
    r = mqtt.try_connect(room)
    assert not r.ok
    assert "Not authorized" in r.message and "匿名" in r.message
    assert str(r).startswith("⛔ 断られました")


def test_wrong_password_is_refused(guarded):
    _, room = guarded
    r = mqtt.try_connect(room.login(USER, "not-the-password"))
    assert not r.ok and "ユーザー名かパスワードが違います" in r.message
    assert not mqtt.try_connect(room.login("someone-else", PASSWORD)).ok


def test_client_without_tls_is_refused_even_with_the_right_password(guarded):
    _, room = guarded
    r = mqtt.try_connect(room.login(USER, PASSWORD).without_tls())
    assert not r.ok and "TLS でしか話さない" in r.message


def test_plain_mqtt_bytes_get_no_connack(guarded):
    """Below paho: a plain MQTT CONNECT on the TLS port is answered by a hang-up, never a CONNACK."""
    _, room = guarded
    connect = b"\x10\x10\x00\x04MQTT\x04\x02\x00\x3c\x00\x04test"
    with socket.create_connection((room.host, room.port), timeout=5) as s:
        s.sendall(connect)
        try:
            reply = s.recv(4)
        except (ConnectionResetError, socket.timeout):
            reply = b""
    assert not reply.startswith(b"\x20"), f"a plain client got a CONNACK: {reply!r}"


def test_client_that_does_not_trust_the_lab_ca_stops_itself(guarded):
    _, room = guarded
    r = mqtt.try_connect(mqtt.BrokerSettings(room.host, room.port, USER, PASSWORD, tls=True, cafile=None))
    assert not r.ok and "証明書を確かめられません" in r.message


def test_right_user_over_tls_is_accepted_and_messages_flow(guarded):
    _, room = guarded
    login = room.login(USER, PASSWORD)
    r = mqtt.try_connect(login)
    assert r.ok and "TLS" in r.message and USER in r.message
    got = mqtt.collect(login, "chiiki/kakuu-machi/#", count=1, timeout=10, start=lambda: publish.single(
        "chiiki/kakuu-machi/kominkan/temperature", b"21.5", hostname=login.host, port=login.port,
        auth={"username": USER, "password": PASSWORD}, tls={"ca_certs": login.cafile}))
    assert got == [("chiiki/kakuu-machi/kominkan/temperature", b"21.5")]


def test_collect_says_in_japanese_why_it_was_refused(guarded):
    _, room = guarded
    with pytest.raises(KitError, match="断りました"):
        mqtt.collect(room, "chiiki/#", count=1, timeout=10)
    with pytest.raises(KitError, match="証明書を確かめられません"):
        mqtt.collect(mqtt.BrokerSettings(room.host, room.port, USER, PASSWORD, tls=True), "chiiki/#", count=1, timeout=10)


def test_lab_certificate_names_this_computer_and_is_signed_by_the_lab_ca(guarded):
    broker, room = guarded
    certs = broker.certificates
    assert room.tls and room.cafile == certs.cafile
    ca = x509.load_pem_x509_certificate(open(certs.cafile, "rb").read())
    cert = x509.load_pem_x509_certificate(open(certs.certfile, "rb").read())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "127.0.0.1" in [str(ip) for ip in names.get_values_for_type(x509.IPAddress)]
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256()))
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # the same check a client makes: the server certificate chains to the lab CA for 127.0.0.1
    ctx = ssl.create_default_context(cafile=certs.cafile)
    with socket.create_connection((room.host, room.port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_password_file_keeps_hashes_not_passwords(tmp_path):
    path = mqtt.write_password_file(tmp_path / "passwd", {USER: PASSWORD})
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"{USER}:$argon2") and PASSWORD not in text
    assert path.stat().st_mode & 0o077 == 0, "the password file is readable by others"
    with pytest.raises(KitError, match="ユーザー名"):
        mqtt.write_password_file(tmp_path / "bad", {"a:b": "x"})


def test_settings_never_show_the_password(guarded):
    _, room = guarded
    login = room.login(USER, PASSWORD)
    assert PASSWORD not in repr(login) and PASSWORD not in str(login)
    assert "（TLS）" in str(login)


def test_room_broker_with_tls_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHIIKI_MQTT_HOST", "192.0.2.10")
    monkeypatch.setenv("CHIIKI_MQTT_TLS", "1")
    monkeypatch.setenv("CHIIKI_MQTT_CAFILE", "/etc/chiiki/room-ca.pem")
    monkeypatch.delenv("CHIIKI_MQTT_PORT", raising=False)
    s = mqtt.settings_from_env()
    assert (s.host, s.port, s.tls, s.cafile) == ("192.0.2.10", 8883, True, "/etc/chiiki/room-ca.pem")


def test_broker_stops_and_removes_its_key():
    broker = mqtt.EmbeddedBroker(users={USER: PASSWORD}, tls=True)
    broker.start()
    keyfile = broker.certificates.keyfile
    broker.stop()
    assert not os.path.exists(keyfile) and broker.certificates is None


def test_virtual_esp32_with_the_password_gets_in_and_a_wrong_one_is_refused(make_board):
    """Password only (the virtual ESP32's umqtt speaks no TLS): the board's kit_config carries the login."""
    broker = mqtt.EmbeddedBroker(users={USER: PASSWORD})
    room = broker.start()
    try:
        esp = make_board("esp32")
        mqtt.configure_board(esp, room.login(USER, PASSWORD))
        assert esp.eval("__import__('kit_config').MQTT_SSL") is False
        esp.exec("import kit_config as C\nfrom umqtt.simple import MQTTClient")
        got = mqtt.collect(room.login(USER, PASSWORD), "chiiki/#", count=1, timeout=10, start=lambda: esp.exec(
            "c = MQTTClient(C.CLIENT_ID, C.MQTT_HOST, C.MQTT_PORT, user=C.MQTT_USER, password=C.MQTT_PASSWORD)\n"
            "c.connect()\nc.publish(b'chiiki/kakuu-machi/kominkan/temperature', b'22.0')"))
        assert got == [("chiiki/kakuu-machi/kominkan/temperature", b"22.0")]
        for login in ("user='kominkan-01', password='wrong'", ""):
            with pytest.raises(DeviceError) as refused:
                esp.exec(f"MQTTClient('other', C.MQTT_HOST, C.MQTT_PORT{', ' + login if login else ''}).connect()")
            assert refused.value.exc_type == "MQTTException" and "5" in refused.value.exc_message
    finally:
        broker.stop()
