"""BME280 temperature / pressure / humidity over I2C, forced mode.

Integer compensation formulas from the Bosch BME280 datasheet (section 4.2.3 and the
reference code in section 8). Works with an ESP32 ``machine.I2C`` and with the
micro:bit's ``i2c`` module. The virtual kit's simulated BME280 uses the same
``compensate_*`` functions, so the driver is tested against them.
"""
import time

CHIP_ID = 0x60
REG_ID = 0xD0
REG_CALIB_A = 0x88  # 26 bytes
REG_CALIB_B = 0xE1  # 7 bytes
REG_CTRL_HUM = 0xF2
REG_CTRL_MEAS = 0xF4
REG_DATA = 0xF7  # 8 bytes: pressure, temperature (20 bit each), humidity (16 bit)


class Bus:
    """Register access on ``machine.I2C`` (ESP32) or ``microbit.i2c``."""

    def __init__(self, i2c, addr):
        self.i2c = i2c
        self.addr = addr
        self._mem = hasattr(i2c, "readfrom_mem")

    def read(self, reg, n):
        if self._mem:
            return self.i2c.readfrom_mem(self.addr, reg, n)
        self.i2c.write(self.addr, bytes([reg]), True)
        return self.i2c.read(self.addr, n)

    def write(self, reg, value):
        if self._mem:
            self.i2c.writeto_mem(self.addr, reg, bytes([value]))
        else:
            self.i2c.write(self.addr, bytes([reg, value]))


def _s16(lo, hi):
    v = lo | hi << 8
    return v - 65536 if v > 32767 else v


def _s12(v):
    return v - 4096 if v > 2047 else v


def parse_calibration(a, b):
    """Calibration dict from the 26 bytes at 0x88 and the 7 bytes at 0xE1."""
    c = {"T1": a[0] | a[1] << 8, "T2": _s16(a[2], a[3]), "T3": _s16(a[4], a[5]),
         "P1": a[6] | a[7] << 8}
    for i in range(8):
        c["P%d" % (i + 2)] = _s16(a[8 + 2 * i], a[9 + 2 * i])
    c["H1"] = a[25]
    c["H2"] = _s16(b[0], b[1])
    c["H3"] = b[2]
    c["H4"] = _s12(b[3] << 4 | (b[4] & 0x0F))
    c["H5"] = _s12(b[5] << 4 | b[4] >> 4)
    c["H6"] = b[6] - 256 if b[6] > 127 else b[6]
    return c


def compensate_t(c, adc_t):
    """(temperature in 0.01 degC, t_fine)."""
    var1 = (((adc_t >> 3) - (c["T1"] << 1)) * c["T2"]) >> 11
    d = (adc_t >> 4) - c["T1"]
    var2 = (((d * d) >> 12) * c["T3"]) >> 14
    t_fine = var1 + var2
    return (t_fine * 5 + 128) >> 8, t_fine


def compensate_p(c, adc_p, t_fine):
    """Pressure in Pa * 256 (0 if the calibration is invalid)."""
    var1 = t_fine - 128000
    var2 = var1 * var1 * c["P6"]
    var2 = var2 + ((var1 * c["P5"]) << 17)
    var2 = var2 + (c["P4"] << 35)
    var1 = ((var1 * var1 * c["P3"]) >> 8) + ((var1 * c["P2"]) << 12)
    var1 = (((1 << 47) + var1) * c["P1"]) >> 33
    if var1 == 0:
        return 0
    p = 1048576 - adc_p
    p = (((p << 31) - var2) * 3125) // var1
    var1 = (c["P9"] * (p >> 13) * (p >> 13)) >> 25
    var2 = (c["P8"] * p) >> 19
    return ((p + var1 + var2) >> 8) + (c["P7"] << 4)


def compensate_h(c, adc_h, t_fine):
    """Relative humidity in % * 1024."""
    v = t_fine - 76800
    v = ((((adc_h << 14) - (c["H4"] << 20) - (c["H5"] * v)) + 16384) >> 15) * (
        ((((((v * c["H6"]) >> 10) * (((v * c["H3"]) >> 11) + 32768)) >> 10) + 2097152) * c["H2"] + 8192) >> 14)
    v = v - (((((v >> 15) * (v >> 15)) >> 7) * c["H1"]) >> 4)
    v = 0 if v < 0 else v
    v = 419430400 if v > 419430400 else v
    return v >> 12


class BME280:
    """``BME280(i2c).read()`` -> (temperature degC, pressure hPa, humidity %RH)."""

    def __init__(self, i2c, addr=0x76):
        self.bus = Bus(i2c, addr)
        try:
            chip = self.bus.read(REG_ID, 1)[0]
        except OSError:
            raise OSError(19, "BME280 not found at 0x%02x" % addr)
        if chip != CHIP_ID:
            raise OSError(19, "not a BME280 at 0x%02x (id 0x%02x)" % (addr, chip))
        self.calib = parse_calibration(self.bus.read(REG_CALIB_A, 26), self.bus.read(REG_CALIB_B, 7))

    def read_raw(self):
        """One forced-mode measurement: (adc_t, adc_p, adc_h)."""
        self.bus.write(REG_CTRL_HUM, 0x01)  # humidity oversampling x1
        self.bus.write(REG_CTRL_MEAS, 0x25)  # temperature x1, pressure x1, forced mode
        time.sleep_ms(10)  # max. measurement time at x1 oversampling is 9.3 ms
        d = self.bus.read(REG_DATA, 8)
        adc_p = d[0] << 12 | d[1] << 4 | d[2] >> 4
        adc_t = d[3] << 12 | d[4] << 4 | d[5] >> 4
        adc_h = d[6] << 8 | d[7]
        return adc_t, adc_p, adc_h

    def read(self):
        c = self.calib
        adc_t, adc_p, adc_h = self.read_raw()
        t, t_fine = compensate_t(c, adc_t)
        p = compensate_p(c, adc_p, t_fine)
        h = compensate_h(c, adc_h, t_fine)
        return t / 100, round(p / 25600, 2), round(h / 1024, 1)
