"""The virtual ESP32: machine, dht, network and umqtt.simple, with the kit's sensors wired in."""
from __future__ import annotations

import pytest

from chiiki_iot.kit import DeviceError, Pulses, Ramp, mqtt
from kit_fixtures import esp32, make_board, make_kit  # noqa: F401


def test_pins_keep_what_the_program_wrote(esp32):
    esp32.exec("from machine import Pin\nled = Pin(2, Pin.OUT)\nled.on()")
    assert esp32.eval("Pin(2).value()") == 1
    esp32.exec("led.off()")
    assert esp32.eval("led()") == 0
    assert esp32.eval("Pin(15, Pin.IN, Pin.PULL_UP).value()") == 1


def test_time_is_the_boards_virtual_clock(esp32):
    d = esp32.eval("(lambda t: (__import__('time').sleep_ms(250), __import__('time').ticks_diff("
                   "__import__('time').ticks_ms(), t))[1])(__import__('time').ticks_ms())")
    assert d == 250
    assert esp32.eval("__import__('utime').ticks_ms() >= 0") is True


def test_i2c_scan_finds_the_kit_sensors(esp32):
    esp32.exec("from machine import I2C, Pin\ni2c = I2C(0, scl=Pin(22), sda=Pin(21))")
    assert esp32.eval("i2c.scan()") == [0x68, 0x76]  # MPU-6050 and BME280
    assert esp32.eval("i2c.readfrom_mem(0x76, 0xD0, 1)") == b"\x60"  # BME280 chip id
    with pytest.raises(DeviceError, match="OSError"):
        esp32.exec("i2c.readfrom_mem(0x40, 0, 1)")  # nothing there: ENODEV, as on a board


def test_bme280_driver_reads_the_world_through_registers(make_board):
    b = make_board("esp32")
    b.scenario(temperature=-3.25, pressure=996.4, humidity=87.5)
    b.exec("import bme280, machine\nbme = bme280.BME280(machine.I2C(0))")
    t, p, h = b.eval("bme.read()")
    assert t == pytest.approx(-3.25, abs=0.01)
    assert p == pytest.approx(996.4, abs=0.01)
    assert h == pytest.approx(87.5, abs=0.1)


def test_dht22_on_its_pin_and_nowhere_else(make_board):
    b = make_board("esp32")
    b.scenario(temperature=31.27, humidity=64.04)
    b.exec("import dht, machine\nd = dht.DHT22(machine.Pin(4))\nd.measure()")
    assert b.eval("d.temperature(), d.humidity()") == (31.3, 64.0)
    with pytest.raises(DeviceError, match="ETIMEDOUT|116"):
        b.exec("dht.DHT22(machine.Pin(5)).measure()")  # not wired there: times out like a real one


def test_ultrasonic_distance_through_time_pulse_us(make_board):
    b = make_board("esp32")
    b.scenario(distance_cm=Ramp(120, 40, duration=10))
    b.exec("import hcsr04, machine\ns = hcsr04.HCSR04(machine.Pin(5), machine.Pin(18))")
    assert b.eval("s.distance_cm()") == pytest.approx(120, abs=0.1)
    b.exec("import time\ntime.sleep(10)")
    assert b.eval("s.distance_cm()") == pytest.approx(40, abs=0.1)
    assert b.read("distance_cm") == pytest.approx(40, abs=0.1)


def test_soil_light_and_pir_through_adc_and_pins(make_board):
    b = make_board("esp32")
    b.scenario(soil_moisture=25, light=500, motion=Pulses(at=[0.0], width=5))
    assert b.read("soil_moisture") == pytest.approx(25, abs=0.2)
    assert b.read("light") == pytest.approx(500, abs=2)
    assert b.read("motion") == 1
    assert b.eval("__import__('machine').ADC(__import__('machine').Pin(34)).read() < 4096") is True


def test_wifi_joins_the_lab_access_point_only(esp32):
    esp32.exec("import network\nw = network.WLAN(network.STA_IF)\nw.active(True)\nw.connect('other-ap', 'x')")
    assert esp32.eval("w.isconnected()") is False
    assert esp32.eval("w.status() == network.STAT_NO_AP_FOUND") is True
    esp32.exec("w.connect('chiiki-iot-lab', 'secret')")
    assert esp32.eval("w.isconnected()") is True
    assert esp32.eval("w.ifconfig()[0]") == "192.168.4.2"


def test_umqtt_publishes_to_the_embedded_broker(make_board):
    b = make_board("esp32")
    with mqtt.EmbeddedBroker() as room:
        mqtt.configure_board(b, room)
        b.exec("import kit_config as C\nfrom umqtt.simple import MQTTClient\n"
               "c = MQTTClient(C.CLIENT_ID, C.MQTT_HOST, C.MQTT_PORT)\nc.connect()")
        code = "for i in range(3):\n    c.publish(b'chiiki/room1/temperature', str(20 + i), qos=1)"
        got = mqtt.collect(room, "chiiki/#", count=3, start=lambda: b.exec(code))
        assert got == [("chiiki/room1/temperature", b"20"), ("chiiki/room1/temperature", b"21"),
                       ("chiiki/room1/temperature", b"22")]
        # and the other way: the host publishes, the board's callback receives
        import paho.mqtt.publish as publish

        b.exec("got = []\nc.set_callback(lambda t, m: got.append((t, m)))\nc.subscribe(b'chiiki/room1/led')")
        publish.single("chiiki/room1/led", b"on", hostname=room.host, port=room.port)
        b.exec("c.wait_msg()", timeout=10)
        assert b.eval("got") == [(b"chiiki/room1/led", b"on")]
        b.exec("c.disconnect()")


def test_room_broker_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHIIKI_MQTT_HOST", "192.168.10.5")
    monkeypatch.setenv("CHIIKI_MQTT_PORT", "1884")
    s = mqtt.broker()
    assert (s.host, s.port, s.embedded) == ("192.168.10.5", 1884, False)


def test_unknown_sensor_names_get_the_list_in_japanese(esp32):
    from chiiki_iot.kit import ScenarioError

    with pytest.raises(ScenarioError, match="使える名前.*distance_cm"):
        esp32.read("co2")
    with pytest.raises(ScenarioError, match="使える名前"):
        esp32.stream(["temperature", "co2"], n=3, progress=False)
    with pytest.raises(ScenarioError, match="センサー名 co2"):
        esp32.scenario(co2=400)
