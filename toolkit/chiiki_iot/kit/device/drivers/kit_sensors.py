"""One name for each lab quantity, on micro:bit V2, ESP32 and the virtual kit.

``read("temperature")`` returns one value; ``reader(["accel_x", "accel_y"])`` returns a
function that reads them all with one call per device (used by ``Board.stream``).
Sensors are wired as in ``kit_wiring``; a driver is started the first time it is used,
so a sensor that is not connected only fails when it is read.
"""
import kit_wiring

try:
    import microbit as _mb
except ImportError:
    _mb = None

BOARD = "microbit_v2" if _mb else "esp32"
WIRING = kit_wiring.MICROBIT_V2 if _mb else kit_wiring.ESP32
_devices = {}


def _device(key, make):
    d = _devices.get(key)
    if d is None:
        d = _devices[key] = make()
    return d


def _pin(name):
    if _mb:
        return getattr(_mb, WIRING[name])
    import machine

    return machine.Pin(WIRING[name])


def _i2c():
    if _mb:
        _mb.i2c.init(sda=_mb.pin20, scl=_mb.pin19)
        return _mb.i2c
    import machine

    return machine.I2C(0, scl=machine.Pin(WIRING["i2c_scl"]), sda=machine.Pin(WIRING["i2c_sda"]), freq=100000)


def _bme():
    import bme280

    return _device("bme", lambda: bme280.BME280(_device("i2c", _i2c), WIRING["bme280_addr"])).read()


def _distance():
    import hcsr04

    d = _device("hcsr04", lambda: hcsr04.HCSR04(_pin("hcsr04_trig"), _pin("hcsr04_echo")))
    return (d.distance_cm(),)


def _soil_raw():
    if _mb:
        return _pin("soil").read_analog()
    import machine

    adc = _device("soil_adc", lambda: machine.ADC(machine.Pin(WIRING["soil"]), atten=machine.ADC.ATTN_11DB))
    return adc.read_u16()


def _soil():
    import soil

    raw = _soil_raw()
    return soil.percent(raw, WIRING["soil_dry"], WIRING["soil_wet"]), raw


def _motion():
    if _mb:
        return (_pin("pir").read_digital(),)
    import machine

    return (_device("pir", lambda: machine.Pin(WIRING["pir"], machine.Pin.IN)).value(),)


if _mb:
    GROUPS = {
        "accel": _mb.accelerometer.get_values,
        "board_temperature": lambda: (_mb.temperature(),),
        "light_level": lambda: (_mb.display.read_light_level(),),
        "sound": lambda: (_mb.microphone.sound_level(),),
        "heading": lambda: (_mb.compass.heading(),),
        "buttons": lambda: (int(_mb.button_a.is_pressed()), int(_mb.button_b.is_pressed())),
    }
    NAMES = {"board_temperature": ("board_temperature", 0), "light_level": ("light_level", 0),
             "sound": ("sound", 0), "heading": ("heading", 0),
             "button_a": ("buttons", 0), "button_b": ("buttons", 1)}
else:
    def _accel():
        import mpu6050

        return _device("mpu", lambda: mpu6050.MPU6050(_device("i2c", _i2c), WIRING["mpu6050_addr"])).values()

    def _dht():
        import dht
        import machine

        d = _device("dht", lambda: dht.DHT22(machine.Pin(WIRING["dht22"])))
        d.measure()
        return d.temperature(), d.humidity()

    def _light():
        import machine

        adc = _device("light_adc", lambda: machine.ADC(machine.Pin(WIRING["light"]), atten=machine.ADC.ATTN_11DB))
        # TEMT6000: about 0.005 V per lux (10 kOhm load); 11 dB attenuation reads up to 3.3 V
        return (round(adc.read_u16() * 3.3 / 65535 / 0.005),)

    GROUPS = {"accel": _accel, "dht": _dht, "light": _light}
    NAMES = {"dht_temperature": ("dht", 0), "dht_humidity": ("dht", 1), "light": ("light", 0)}

GROUPS.update({"bme": _bme, "distance": _distance, "soil": _soil, "motion": _motion})
NAMES.update({"accel_x": ("accel", 0), "accel_y": ("accel", 1), "accel_z": ("accel", 2),
              "temperature": ("bme", 0), "pressure": ("bme", 1), "humidity": ("bme", 2),
              "distance_cm": ("distance", 0), "soil_moisture": ("soil", 0), "soil_raw": ("soil", 1),
              "motion": ("motion", 0)})


def names():
    """The sensor names this board knows."""
    return sorted(NAMES)


def read(name):
    group, i = NAMES[name]
    return GROUPS[group]()[i]


def _size(group):
    return 1 + max(i for g, i in NAMES.values() if g == group)


def reader(names):
    """A function returning a tuple with one value per name, reading each device once."""
    plan = [NAMES[n] for n in names]
    groups = []
    for g, _ in plan:
        if g not in groups:
            groups.append(g)
    fns = [GROUPS[g] for g in groups]
    if len(fns) == 1 and [i for _, i in plan] == list(range(_size(groups[0]))):
        return fns[0]  # the device gives exactly these values, in this order
    idx = [(groups.index(g), i) for g, i in plan]

    def read_all():
        vals = [f() for f in fns]
        return tuple(vals[gi][i] for gi, i in idx)

    return read_all
