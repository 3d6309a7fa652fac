"""Simulated sensors wired to a virtual board as ``kit_wiring`` says.

Each model turns a quantity of the virtual world (``_world``) into what the real part
puts on its wires: I2C registers (BME280, MPU-6050), an echo pulse (HC-SR04), an
analog voltage (soil moisture, TEMT6000), a digital level (PIR). The lab drivers in
``device/drivers`` then read them exactly as they read the real parts.
"""
import uos

import _world
import bme280
import kit_wiring

PROFILE = uos.getenv("CHIIKI_KIT_PROFILE") or "microbit_v2"
WIRING = kit_wiring.MICROBIT_V2 if PROFILE == "microbit_v2" else kit_wiring.ESP32


def _clip(v, lo, hi):
    return lo if v < lo else hi if v > hi else v


class BME280Model:
    """Registers of a BME280; a forced measurement latches the world's T, p and RH."""

    # Calibration of the datasheet's compensation example (T, P) and typical humidity values.
    CALIB = {"T1": 27504, "T2": 26435, "T3": -1000, "P1": 36477, "P2": -10685, "P3": 3024,
             "P4": 2855, "P5": 140, "P6": -7, "P7": 15500, "P8": -14600, "P9": 6000,
             "H1": 75, "H2": 370, "H3": 0, "H4": 313, "H5": 50, "H6": 30}

    def __init__(self):
        r = self.regs = bytearray(256)
        c = self.CALIB
        r[0xD0] = bme280.CHIP_ID

        def put16(addr, v):
            v &= 0xFFFF
            r[addr] = v & 0xFF
            r[addr + 1] = v >> 8

        for i, k in enumerate(("T1", "T2", "T3", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9")):
            put16(0x88 + 2 * i, c[k])
        r[0xA1] = c["H1"]
        put16(0xE1, c["H2"])
        r[0xE3] = c["H3"]
        r[0xE4] = (c["H4"] >> 4) & 0xFF
        r[0xE5] = (c["H4"] & 0x0F) | ((c["H5"] & 0x0F) << 4)
        r[0xE6] = (c["H5"] >> 4) & 0xFF
        r[0xE7] = c["H6"] & 0xFF

    @staticmethod
    def _search(f, target, bits, increasing=True):
        """Smallest raw value whose compensated value reaches ``target``."""
        lo, hi = 0, (1 << bits) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            v = f(mid)
            if (v < target) if increasing else (v > target):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def measure(self):
        c = self.CALIB
        t = round(_world.value("temperature") * 100)
        p = round(_world.value("pressure") * 25600)
        h = round(_clip(_world.value("humidity"), 0, 100) * 1024)
        adc_t = self._search(lambda a: bme280.compensate_t(c, a)[0], t, 20)
        t_fine = bme280.compensate_t(c, adc_t)[1]
        adc_p = self._search(lambda a: bme280.compensate_p(c, a, t_fine), p, 20, increasing=False)
        adc_h = self._search(lambda a: bme280.compensate_h(c, a, t_fine), h, 16)
        r = self.regs
        r[0xF7], r[0xF8], r[0xF9] = adc_p >> 12, (adc_p >> 4) & 0xFF, (adc_p & 0x0F) << 4
        r[0xFA], r[0xFB], r[0xFC] = adc_t >> 12, (adc_t >> 4) & 0xFF, (adc_t & 0x0F) << 4
        r[0xFD], r[0xFE] = adc_h >> 8, adc_h & 0xFF

    def read(self, reg, n):
        if reg <= 0xF7 < reg + n and self.regs[0xF4] & 0x03 == 0x03:  # normal mode: always fresh
            self.measure()
        return bytes(self.regs[reg:reg + n])

    def write(self, reg, data):
        for i, b in enumerate(data):
            self.regs[(reg + i) & 0xFF] = b
        if reg <= 0xF4 < reg + len(data) and self.regs[0xF4] & 0x03:
            self.measure()


class MPU6050Model:
    """Registers of an MPU-6050 at +-2 g: the world's acceleration, in mg."""

    def __init__(self):
        self.regs = bytearray(128)
        self.regs[0x75] = 0x68
        self.regs[0x6B] = 0x40  # asleep until woken, as after power-on

    def read(self, reg, n):
        if reg <= 0x3B < reg + n:
            r = self.regs
            for i, name in enumerate(("accel_x", "accel_y", "accel_z")):
                mg = round(_world.value(name))
                raw = _clip(-((-mg * 16384) // 1000), -32768, 32767) & 0xFFFF  # ceil: the driver floors
                r[0x3B + 2 * i] = raw >> 8
                r[0x3C + 2 * i] = raw & 0xFF
        return bytes(self.regs[reg:reg + n])

    def write(self, reg, data):
        for i, b in enumerate(data):
            self.regs[(reg + i) & 0x7F] = b


class I2CBus:
    """The devices on the board's I2C bus, addressed like ``machine.I2C``."""

    def __init__(self):
        self.devices = {WIRING["bme280_addr"]: BME280Model()}
        if "mpu6050_addr" in WIRING:
            self.devices[WIRING["mpu6050_addr"]] = MPU6050Model()
        self._ptr = {}

    def device(self, addr):
        d = self.devices.get(addr)
        if d is None:
            raise OSError(19)  # ENODEV: nothing answers at this address
        return d

    def scan(self):
        return sorted(self.devices)

    def readfrom_mem(self, addr, reg, n):
        return self.device(addr).read(reg, n)

    def writeto_mem(self, addr, reg, data):
        self.device(addr).write(reg, bytes(data))

    def writeto(self, addr, data):
        """First byte: register pointer; the rest: data written from there."""
        d = self.device(addr)
        data = bytes(data)
        if data:
            self._ptr[addr] = data[0]
            if len(data) > 1:
                d.write(data[0], data[1:])
        return len(data)

    def readfrom(self, addr, n):
        return self.device(addr).read(self._ptr.get(addr, 0), n)


BUS = I2CBus()


def echo_us(pin):
    """Length of the echo pulse on ``pin`` (-2 if nothing is wired there: a timeout)."""
    if pin != WIRING.get("hcsr04_echo"):
        return -2
    import hcsr04  # imports machine, which imports this module

    d = _clip(_world.value("distance_cm"), 2, 400)
    return int(d / hcsr04.CM_PER_US + 0.5)


def analog_fraction(pin):
    """Voltage on ``pin`` as a fraction of the ADC's full scale (0..1)."""
    if pin == WIRING.get("soil"):
        dry, wet = WIRING["soil_dry"], WIRING["soil_wet"]
        full = 1023 if PROFILE == "microbit_v2" else 65535
        pct = _clip(_world.value("soil_moisture"), 0, 100)
        return (dry - (dry - wet) * pct / 100) / full
    if pin == WIRING.get("light"):
        return _clip(_world.value("light") * 0.005 / 3.3, 0, 1)  # TEMT6000 into 10 kOhm
    return 0.0


BOOT_PIN = 0  # ESP32 DevKit boards: the BOOT button pulls GPIO0 low while it is pressed


def digital(pin):
    """Level a sensor (or a button on the board) drives on ``pin``, or None if nothing does.

    On a virtual ESP32 the world's ``button_a`` is the BOOT button on GPIO0 (pressed = 0),
    so a scenario such as ``button_a=Pulses(at=[1, 2])`` presses it.
    """
    if pin == WIRING.get("pir"):
        return 1 if _world.value("motion") >= 0.5 else 0
    if PROFILE == "esp32" and pin == BOOT_PIN:
        return 0 if _world.value("button_a") >= 0.5 else 1
    return None


def motion_edges(pin, since):
    """Rising edges of the PIR on ``pin`` after ``since`` (a ``_world.mark()``)."""
    return _world.presses("motion", since) if pin == WIRING.get("pir") else 0
