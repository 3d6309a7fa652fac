# モジュール 04（しきい値とアラート）でボードに送る道具（micro:bit V2 と ESP32 の MicroPython）。
# ノートブックが、あなたのアラートのプログラムより先に、この中身をボードで実行します（b.exec）。
#
#   level_now(height)  水位（cm）= height − 距離を5回読んだ中央値（反射が返らなかった読みは除きます）
#   alert_on(level)    アラートを入れる: "ON 水位" と表示（print）し、見せて、高い音を鳴らします
#   alert_off(level)   アラートを切る:   "OFF 水位" と表示（print）し、消して、低い音を鳴らします
#
# micro:bit V2: 画面に ×（Image.NO）を出し、内蔵スピーカーで鳴らします。
# ESP32: GPIO2 の LED をつけ、GPIO25 の圧電ブザー（パッシブ型）で鳴らします（hardware_kits/esp32/wiring.md）。
# 入るときは高い音、切れるときは低い音なので、画面を見なくてもアラートの変化が分かります。
import time

import kit_sensors

try:
    from microbit import Image, display
    import music

    def _show(on):
        if on:
            display.show(Image.NO)
        else:
            display.clear()

    def _beep(freq, ms):
        music.pitch(freq, ms)

except ImportError:
    from machine import PWM, Pin
    import kit_wiring

    _led = Pin(kit_wiring.ESP32.get("led", 2), Pin.OUT)
    _buzzer = PWM(Pin(kit_wiring.ESP32.get("buzzer", 25)), freq=880, duty_u16=0)

    def _show(on):
        _led.value(1 if on else 0)

    def _beep(freq, ms):
        _buzzer.freq(freq)
        _buzzer.duty_u16(32768)
        time.sleep_ms(ms)
        _buzzer.duty_u16(0)


def level_now(height):
    readings = []
    for _ in range(5):
        try:
            readings.append(kit_sensors.read("distance_cm"))
        except OSError:          # 反射が返らなかった（波・範囲外）: この1回は使わない
            pass
    if not readings:
        raise OSError("5回とも反射が返りません。センサーの向きと配線を確かめてください")
    readings.sort()
    return round(height - readings[len(readings) // 2], 1)


def alert_on(level):
    print("ON", level)
    _show(True)
    _beep(880, 200)


def alert_off(level):
    print("OFF", level)
    _show(False)
    _beep(440, 100)
