"""ICT club session 08, the way two real clubs run it: each club's own mosquitto, bridged.

The island club's broker (``broker_shima.conf``, as shipped) dials the mainland club's broker
(``broker_hondo.conf``, as shipped, password required from outside) and the two share
``chiiki/ictclub/#`` both ways. Each club's notebook helper (``tsunagu.Tsunagu``) talks only to
its own broker and sends only its own virtual micro:bit's temperature; both must end with the
same table (the shared chart) holding both clubs' readings. Only the addresses, ports, file
paths and the placeholder password of the shipped files are replaced.
"""
from __future__ import annotations

import os
import pwd
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from chiiki_iot.kit import connect
from chiiki_iot.kit.club import set_sensor
from chiiki_iot.kit.mqtt import BrokerSettings
from debian_programs import MOSQUITTO, MOSQUITTO_PASSWD

SESSION = Path(__file__).resolve().parents[1] / "courses" / "ict_club" / "08_futatsu_no_club"
PASSWORD = "kaeru-123"

pytestmark = MOSQUITTO.skip_unless_present


@pytest.fixture(scope="module")
def tsunagu_module():
    sys.path.insert(0, str(SESSION))
    try:
        import tsunagu
        yield tsunagu
    finally:
        sys.path.remove(str(SESSION))
        sys.modules.pop("tsunagu", None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def shipped_config(name: str, replacements: dict[str, str], tmp: Path) -> Path:
    """The shipped file with whole option lines replaced (each must exist in it), run as this user."""
    text = (SESSION / name).read_text(encoding="utf-8")
    for pattern, line in replacements.items():
        text, n = re.subn(pattern, line, text, flags=re.M)
        assert n == 1, f"{name}: {pattern!r} should match one line"
    # as root mosquitto would switch to the 'mosquitto' account, which cannot read pytest's tmp files
    text += f"\nuser {pwd.getpwuid(os.getuid()).pw_name}\n"
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def bridged_brokers(tmp_path):
    """Both clubs' brokers, the island's bridged to the mainland's (where the notebooks connect)."""
    mosquitto = MOSQUITTO.require()
    passwd = tmp_path / "hondo_passwd"
    subprocess.run([MOSQUITTO_PASSWD.require(), "-b", "-c", str(passwd), "shima", PASSWORD], check=True)
    hondo_local, hondo_remote, shima_local = free_port(), free_port(), free_port()
    hondo_conf = shipped_config("broker_hondo.conf", {
        r"^listener 1883 127\.0\.0\.1$": f"listener {hondo_local} 127.0.0.1",
        r"^listener 18830$": f"listener {hondo_remote} 127.0.0.1",
        r"^password_file hondo_passwd$": f"password_file {passwd}",
    }, tmp_path)
    shima_conf = shipped_config("broker_shima.conf", {
        r"^listener 1883 127\.0\.0\.1$": f"listener {shima_local} 127.0.0.1",
        r"^address .*$": f"address 127.0.0.1:{hondo_remote}",
        r"^remote_password .*$": f"remote_password {PASSWORD}",
    }, tmp_path)
    procs = []
    try:
        for conf, port in ((hondo_conf, hondo_local), (shima_conf, shima_local)):
            log = open(tmp_path / (conf.stem + ".log"), "wb")
            procs.append(subprocess.Popen([mosquitto, "-c", str(conf), "-v"], stdout=log, stderr=subprocess.STDOUT))
            log.close()
            deadline = time.monotonic() + 10
            while not listening(port):
                assert procs[-1].poll() is None, (tmp_path / (conf.stem + ".log")).read_text(errors="replace")
                assert time.monotonic() < deadline, f"{conf.name}: mosquitto did not listen on {port}"
                time.sleep(0.05)
        yield SimpleNamespace(shima=BrokerSettings("127.0.0.1", shima_local),
                              hondo=BrokerSettings("127.0.0.1", hondo_local),
                              hondo_remote_port=hondo_remote, logs=tmp_path)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def wait_for_bridge(brokers: SimpleNamespace, timeout: float = 20.0) -> None:
    """Publish on the island until the mainland hears it (the bridge connects a moment after start)."""
    import paho.mqtt.client as paho

    shima, hondo = brokers.shima, brokers.hondo
    heard = []
    listener = paho.Client(paho.CallbackAPIVersion.VERSION2)
    listener.on_message = lambda _c, _u, msg: heard.append(msg.topic)
    listener.connect(hondo.host, hondo.port)
    listener.subscribe("chiiki/ictclub/bridge-check")
    listener.loop_start()
    sender = paho.Client(paho.CallbackAPIVersion.VERSION2)
    sender.connect(shima.host, shima.port)
    sender.loop_start()
    try:
        deadline = time.monotonic() + timeout
        while not heard:
            assert time.monotonic() < deadline, (
                "the bridge did not carry a message in 20 s:\n" + (brokers.logs / "broker_shima.log").read_text(errors="replace"))
            sender.publish("chiiki/ictclub/bridge-check", b"1", qos=1)
            time.sleep(0.2)
    finally:
        for c in (listener, sender):
            c.disconnect()
            c.loop_stop()


def test_two_clubs_share_readings_through_bridged_brokers(bridged_brokers, tsunagu_module, capsys):
    wait_for_bridge(bridged_brokers)
    with connect("virtual", quiet=True) as shima_board, connect("virtual", quiet=True) as hondo_board:
        shima = tsunagu_module.Tsunagu(broker=bridged_brokers.shima)
        hondo = tsunagu_module.Tsunagu(broker=bridged_brokers.hondo)
        try:
            for t_shima, t_hondo in ((29, 24), (31, 25)):
                set_sensor(shima_board, temperature=t_shima)
                set_sensor(hondo_board, temperature=t_hondo)
                shima.okuru(shima_board, "shima")       # each club sends only its own board
                hondo.okuru(hondo_board, "hondo")
                assert hondo.matsu("shima", timeout=10) is not None
                assert shima.matsu("hondo", timeout=10) is not None
            for net in (shima, hondo):                   # the shared chart's table, the same at both clubs
                with net._new:
                    net._new.wait_for(lambda n=net: len(n.todoita) == 4, timeout=10)
            table_shima, table_hondo = shima.hyo(), hondo.hyo()
            assert table_shima.to_dict() == table_hondo.to_dict()
            assert list(table_shima.columns) == ["しまの クラブ", "ほんどの クラブ"]
            assert table_shima.values.tolist() == [[29, 24], [31, 25]]
            capsys.readouterr()
            shima.yomu()
            assert "さいごは しまの ほうが 6ど たかい です。" in capsys.readouterr().out
        finally:
            shima.owari()
            hondo.owari()


def test_the_mainland_broker_refuses_a_bridge_without_the_password(bridged_brokers):
    """The port the island dials needs the password: an anonymous client there is refused."""
    import paho.mqtt.client as paho

    outsider = paho.Client(paho.CallbackAPIVersion.VERSION2)
    answers = []
    outsider.on_connect = lambda _c, _u, _f, reason, _p: answers.append(reason)
    outsider.connect("127.0.0.1", bridged_brokers.hondo_remote_port)
    outsider.loop_start()
    try:
        deadline = time.monotonic() + 10
        while not answers and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        outsider.disconnect()
        outsider.loop_stop()
    assert answers and answers[0].is_failure, answers


def test_a_club_without_a_broker_gets_told_what_to_do(tsunagu_module):
    with pytest.raises(ConnectionError, match="ブローカーが 動いているか"):
        tsunagu_module.Tsunagu(broker=BrokerSettings("127.0.0.1", free_port()), timeout=2)


def test_waiting_for_a_club_that_never_sends_ends_with_advice(tsunagu_module):
    net = tsunagu_module.Tsunagu()          # the embedded broker, as in the session
    try:
        with pytest.raises(TimeoutError, match="相手の クラブは 送りましたか"):
            net.matsu("hondo", timeout=0.5)
    finally:
        net.owari()
