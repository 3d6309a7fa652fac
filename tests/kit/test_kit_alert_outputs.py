"""The ESP32 kit's alert outputs (LED on GPIO2, passive buzzer on GPIO25), as the alert labs use them."""
from __future__ import annotations

from kit_fixtures import esp32  # noqa: F401
from test_kit_hardware_docs import wiring_module


def test_alert_led_and_buzzer_have_their_own_pins():
    wiring = wiring_module().ESP32
    pins = [v for k, v in wiring.items() if not k.endswith(("_addr", "_dry", "_wet"))]
    assert wiring["led"] == 2 and wiring["buzzer"] == 25
    assert len(pins) == len(set(pins)), "two parts on one GPIO"


def test_alert_led_and_buzzer_work_on_the_virtual_esp32(esp32):
    esp32.exec("import kit_wiring\nfrom machine import Pin, PWM\n"
               "led = Pin(kit_wiring.ESP32['led'], Pin.OUT)\n"
               "bz = PWM(Pin(kit_wiring.ESP32['buzzer']), freq=880, duty_u16=0)\n"
               "led.on()\nbz.duty_u16(32768)")
    assert esp32.eval("led.value()") == 1
    assert esp32.eval("bz.freq(), bz.duty_u16()") == (880, 32768)
    esp32.exec("led.off()\nbz.duty_u16(0)")
    assert esp32.eval("led.value()") == 0
