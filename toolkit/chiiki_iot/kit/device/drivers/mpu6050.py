"""MPU-6050 accelerometer (GY-521 module) over I2C, +-2 g range, in milli-g."""
REG_PWR_MGMT_1 = 0x6B
REG_ACCEL_CONFIG = 0x1C
REG_ACCEL = 0x3B  # X, Y, Z high/low bytes, big-endian
REG_WHO_AM_I = 0x75
LSB_PER_G = 16384  # +-2 g


def _s16(hi, lo):
    v = hi << 8 | lo
    return v - 65536 if v > 32767 else v


class MPU6050:
    """``MPU6050(i2c).values()`` -> (x, y, z) in mg, like ``microbit.accelerometer.get_values()``."""

    def __init__(self, i2c, addr=0x68):
        self.i2c = i2c
        self.addr = addr
        try:
            who = i2c.readfrom_mem(addr, REG_WHO_AM_I, 1)[0]
        except OSError:
            raise OSError(19, "MPU-6050 not found at 0x%02x" % addr)
        if who != 0x68:
            raise OSError(19, "not an MPU-6050 at 0x%02x" % addr)
        i2c.writeto_mem(addr, REG_PWR_MGMT_1, b"\x00")  # wake up
        i2c.writeto_mem(addr, REG_ACCEL_CONFIG, b"\x00")  # +-2 g

    def values(self):
        d = self.i2c.readfrom_mem(self.addr, REG_ACCEL, 6)
        return (_s16(d[0], d[1]) * 1000 // LSB_PER_G,
                _s16(d[2], d[3]) * 1000 // LSB_PER_G,
                _s16(d[4], d[5]) * 1000 // LSB_PER_G)
