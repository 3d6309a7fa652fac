"""Where each lab sensor is connected, per board. The wiring tables in
``hardware_kits/<board>/wiring.md`` are checked against these dicts by the test suite,
and the virtual kit wires its simulated sensors the same way.

Pins are micro:bit pin names ("pin0") or ESP32 GPIO numbers.
"""

MICROBIT_V2 = {
    "i2c_scl": "pin19",  # BME280 (built-in I2C bus of the edge connector)
    "i2c_sda": "pin20",
    "bme280_addr": 0x76,
    "soil": "pin0",  # capacitive soil moisture sensor, analog out
    "hcsr04_trig": "pin1",  # ultrasonic distance sensor, 3.3 V type (RCWL-1601 / HC-SR04P)
    "hcsr04_echo": "pin2",
    "pir": "pin8",  # PIR motion sensor, 3.3 V type (AM312)
    "soil_dry": 850,  # read_analog() in dry air (typical; calibrate your own sensor)
    "soil_wet": 400,  # read_analog() in water
}

ESP32 = {
    "i2c_scl": 22,  # BME280 and MPU-6050 share the I2C bus
    "i2c_sda": 21,
    "bme280_addr": 0x76,
    "mpu6050_addr": 0x68,
    "dht22": 4,
    "hcsr04_trig": 5,
    "hcsr04_echo": 18,  # 3.3 V type sensor, or a divider on a 5 V HC-SR04
    "soil": 34,  # ADC1, input only
    "light": 35,  # TEMT6000 light sensor, ADC1, input only
    "pir": 27,
    "led": 2,  # alert LED (through a 220 Ohm resistor to GND); many DevKits also have one on GPIO2
    "buzzer": 25,  # passive piezo buzzer, driven with PWM (machine.PWM)
    "soil_dry": 52000,  # ADC.read_u16() in dry air at 11 dB attenuation (typical)
    "soil_wet": 25000,  # ADC.read_u16() in water
}
