"""``microbit`` of a virtual micro:bit V2, after the API of micro:bit MicroPython V2
(microbit-foundation/micropython-microbit-stubs).

Sensors read the virtual world (``_world``); outputs (display, pins, sound) are kept so
a lab can check them: ``display.history``, ``pin0.written``, ``audio.played``.
Models, not measurements: ``display.read_light_level()`` is ``lux / 4`` (0..255);
gestures follow the order of CODAL's posture rules with a 200 mg tilt tolerance; text
shown on the display is kept as text (``display.text``), not drawn with the LED font.
A loop that only polls an input (``while not button_a.is_pressed(): pass``) spends
``POLL_US`` of board time per poll, so board time passes as it does on a real board.
"""
import math

import _hw
import _panel
import _world
import time

# ------------------------------------------------------------------ time
_every = []  # [period_us, next_us, callback]


def _run_due():
    now = time._now_us()
    for job in _every:
        while job[1] <= now:
            job[1] += job[0]
            job[2]()


def sleep(ms):
    """Sleep ``ms`` milliseconds of board time; ``run_every`` callbacks run when due."""
    end = time._now_us() + int(ms * 1000)
    while _every:
        nxt = min(j[1] for j in _every)
        if nxt > end:
            break
        time.sleep_us(nxt - time._now_us())
        _run_due()
    time.sleep_us(end - time._now_us())


def running_time():
    return time._read() // 1000


POLL_US = 1000  # board time one poll of an input costs in a loop that does nothing else


def _poll_cost(obj):
    """Board time moves only when a program sleeps; a busy loop that polls a button, the
    logo or a gesture would freeze it (and the button would never be pressed). So a poll
    that follows a poll of the same input at the same board time costs ``POLL_US``
    (waiting in real time as a sleep does). Loops paced by ``sleep()`` are not affected."""
    now = time._now_us()
    if now == obj._polled_at:
        time.sleep_us(POLL_US)
        now = time._now_us()
    obj._polled_at = now


def run_every(callback=None, days=0, h=0, min=0, s=0, ms=0):
    period = int((((days * 24 + h) * 60 + min) * 60 + s) * 1000000 + ms * 1000)

    def register(f):
        _every.append([period, time._now_us() + period, f])
        return f

    return register(callback) if callback else register


def temperature():
    return int(round(_world.value("temperature")))


def scale(value, from_, to):
    r = to[0] + (value - from_[0]) * (to[1] - to[0]) / (from_[1] - from_[0])
    return int(round(r)) if isinstance(to[0], int) and isinstance(to[1], int) else r


_volume = 255


def set_volume(v):
    global _volume
    _volume = max(0, min(255, int(v)))


def reset():
    import sys

    sys.exit()  # the virtual kit reboots the board


def panic(n=0):
    display.show(Image.SAD)
    raise RuntimeError("micro:bit panic %d" % n)


# ------------------------------------------------------------------ images and display
class Image:
    def __init__(self, *args):
        if not args:
            self._w, self._h, self._px = 5, 5, bytearray(25)
        elif isinstance(args[0], str):
            rows = args[0].replace("\n", ":").strip(":").split(":")
            self._w = max(len(r) for r in rows)
            self._h = len(rows)
            self._px = bytearray(self._w * self._h)
            for y, row in enumerate(rows):
                for x, ch in enumerate(row):
                    self._px[y * self._w + x] = int(ch)
        else:
            self._w, self._h = args[0], args[1]
            self._px = bytearray(args[2]) if len(args) > 2 else bytearray(self._w * self._h)

    def width(self):
        return self._w

    def height(self):
        return self._h

    def get_pixel(self, x, y):
        return self._px[y * self._w + x]

    def set_pixel(self, x, y, value):
        if not 0 <= value <= 9:
            raise ValueError("brightness out of bounds")
        self._px[y * self._w + x] = value

    def copy(self):
        return Image(self._w, self._h, self._px)

    def fill(self, value):
        for i in range(len(self._px)):
            self._px[i] = value

    def invert(self):
        return Image(self._w, self._h, bytes(9 - v for v in self._px))

    def crop(self, x, y, w, h):
        out = Image(w, h)
        for j in range(h):
            for i in range(w):
                if 0 <= x + i < self._w and 0 <= y + j < self._h:
                    out._px[j * w + i] = self.get_pixel(x + i, y + j)
        return out

    def blit(self, src, x, y, w, h, xdest=0, ydest=0):
        for j in range(h):
            for i in range(w):
                if 0 <= xdest + i < self._w and 0 <= ydest + j < self._h:
                    v = src.get_pixel(x + i, y + j) if 0 <= x + i < src._w and 0 <= y + j < src._h else 0
                    self.set_pixel(xdest + i, ydest + j, v)

    def shift_left(self, n):
        return self.crop(n, 0, self._w, self._h)

    def shift_right(self, n):
        return self.crop(-n, 0, self._w, self._h)

    def shift_up(self, n):
        return self.crop(0, n, self._w, self._h)

    def shift_down(self, n):
        return self.crop(0, -n, self._w, self._h)

    def __add__(self, other):
        return Image(self._w, self._h, bytes(min(9, a + b) for a, b in zip(self._px, other._px)))

    def __mul__(self, k):
        return Image(self._w, self._h, bytes(min(9, int(v * k)) for v in self._px))

    def __eq__(self, other):
        return isinstance(other, Image) and self._w == other._w and bytes(self._px) == bytes(other._px)

    def rows(self):
        return ":".join("".join(str(self._px[y * self._w + x]) for x in range(self._w)) for y in range(self._h))

    def __repr__(self):
        return "Image('%s:')" % self.rows()

    def __str__(self):
        return "Image(\n" + "".join("    '%s:'\n" % r for r in self.rows().split(":")) + ")"


_IMAGES = {
    "HEART": "09090:99999:99999:09990:00900", "HEART_SMALL": "00000:09090:09990:00900:00000",
    "HAPPY": "00000:09090:00000:90009:09990", "SMILE": "00000:00000:00000:90009:09990",
    "SAD": "00000:09090:00000:09990:90009", "CONFUSED": "00000:09090:00000:09090:90909",
    "ANGRY": "90009:09090:00000:99999:90909", "ASLEEP": "00000:99099:00000:09990:00000",
    "SURPRISED": "09090:00000:00900:09090:00900", "SILLY": "90009:00000:99999:00909:00999",
    "FABULOUS": "99999:99099:00000:09090:09990", "MEH": "09090:00000:00090:00900:09000",
    "YES": "00000:00009:00090:90900:09000", "NO": "90009:09090:00900:09090:90009",
    "SQUARE": "99999:90009:90009:90009:99999", "SQUARE_SMALL": "00000:09990:09090:09990:00000",
    "TRIANGLE": "00000:00900:09090:99999:00000", "TRIANGLE_LEFT": "90000:99000:90900:90090:99999",
    "DIAMOND": "00900:09090:90009:09090:00900", "DIAMOND_SMALL": "00000:00900:09090:00900:00000",
    "TARGET": "00900:09990:99099:09990:00900", "CHESSBOARD": "09090:90909:09090:90909:09090",
    "ARROW_N": "00900:09990:90909:00900:00900", "ARROW_S": "00900:00900:90909:09990:00900",
    "ARROW_E": "00900:00090:99999:00090:00900", "ARROW_W": "00900:09000:99999:09000:00900",
    "ARROW_NE": "00999:00099:00909:09000:90000", "ARROW_NW": "99900:99000:90900:00090:00009",
    "ARROW_SE": "90000:09000:00909:00099:00999", "ARROW_SW": "00009:00090:90900:99000:99900",
}
for _name, _rows in _IMAGES.items():
    setattr(Image, _name, Image(_rows))
Image.ALL_ARROWS = [getattr(Image, "ARROW_" + d) for d in ("N", "NE", "E", "SE", "S", "SW", "W", "NW")]


class _Display:
    """The 5x5 LED display; ``history`` keeps what was shown (at most 200 entries).

    Every change is also written for the host's picture of the board (``_panel``)."""

    def __init__(self):
        self._img = Image()
        self._on = True
        self.text = ""
        self.history = []
        _panel.leds(self._img, self._on)

    def _log(self, kind, what):
        self.history.append((kind, what))
        if len(self.history) > 200:
            self.history.pop(0)

    def show(self, image, delay=400, wait=True, loop=False, clear=False):
        if isinstance(image, (int, float)):
            image = str(image)
        if isinstance(image, Image):
            self._img = image.copy()
            self._log("image", image.rows())
            _panel.leds(self._img, self._on)
        elif isinstance(image, str):
            self.text = image
            self._log("text", image)
            _panel.text("show", image, self._img, self._on)
            if wait:
                sleep(delay * len(image))
        else:
            for item in image:
                self.show(item, delay, wait=wait)
                if isinstance(item, Image) and wait:
                    sleep(delay)
        if clear:
            self.clear()

    def scroll(self, text, delay=150, wait=True, loop=False, monospace=False):
        text = str(text)
        self.text = text
        self._log("scroll", text)
        _panel.text("scroll", text, self._img, self._on)
        if wait:
            sleep(delay * (6 * len(text) + 5))

    def clear(self):
        self._img = Image()
        _panel.leds(self._img, self._on)

    def get_pixel(self, x, y):
        return self._img.get_pixel(x, y)

    def set_pixel(self, x, y, value):
        self._img.set_pixel(x, y, value)
        _panel.leds(self._img, self._on)

    def on(self):
        self._on = True
        _panel.leds(self._img, self._on)

    def off(self):
        self._on = False
        _panel.leds(self._img, self._on)

    def is_on(self):
        return self._on

    def read_light_level(self):
        return max(0, min(255, int(_world.value("light") / 4)))

    def image(self):
        """What the LEDs show now (virtual kit only)."""
        return self._img.copy()


display = _Display()


# ------------------------------------------------------------------ buttons and pins
class _Button:
    def __init__(self, name):
        self._name = name
        self._since_was = (0, 0)  # _world.mark() of the last question: before any world
        self._since_count = (0, 0)
        self._polled_at = -1

    def is_pressed(self):
        _poll_cost(self)
        return _world.value(self._name) >= 0.5

    def was_pressed(self):
        _poll_cost(self)
        n = _world.presses(self._name, self._since_was)
        self._since_was = _world.mark()  # after presses(), which may take in a new world
        return n > 0

    def get_presses(self):
        _poll_cost(self)
        n = _world.presses(self._name, self._since_count)
        self._since_count = _world.mark()
        return n


button_a = _Button("button_a")
button_b = _Button("button_b")


class MicroBitPin:
    NO_PULL = 0
    PULL_UP = 1
    PULL_DOWN = 2
    RESISTIVE = 0
    CAPACITIVE = 1

    def __init__(self, name):
        self.name = name
        self.written = None  # last value written (digital 0/1, or ("analog", v))
        self._polled_at = -1
        self._pull = MicroBitPin.NO_PULL
        self._since_touch = (0, 0)  # _world.mark() of the last was_touched()/get_touches()
        self._period_us = 20000

    def read_digital(self):
        driven = _hw.digital(self.name)
        if driven is not None:
            return driven
        if isinstance(self.written, int):
            return self.written
        return 1 if self._pull == MicroBitPin.PULL_UP else 0

    def write_digital(self, value):
        self.written = 1 if value else 0

    def read_analog(self):
        return int(_hw.analog_fraction(self.name) * 1023)

    def write_analog(self, value):
        self.written = ("analog", int(value))

    def set_analog_period(self, period):
        self._period_us = int(period * 1000)

    def set_analog_period_microseconds(self, period):
        self._period_us = int(period)

    def get_analog_period_microseconds(self):
        return self._period_us

    def set_pull(self, value):
        self._pull = value

    def get_pull(self):
        return self._pull

    def get_mode(self):
        return "write_digital" if isinstance(self.written, int) else "unused"

    def is_touched(self):
        _poll_cost(self)
        return self.name == "pin_logo" and _world.value("touch_logo") >= 0.5

    def was_touched(self):
        """Touched since the last question (the logo only: the world's ``touch_logo``)."""
        return self.get_touches() > 0

    def get_touches(self):
        """How many touches since the last question (the logo only)."""
        _poll_cost(self)
        if self.name != "pin_logo":
            return 0
        n = _world.presses("touch_logo", self._since_touch)
        self._since_touch = _world.mark()
        return n

    def set_touch_mode(self, value):
        pass

    def __repr__(self):
        return "<MicroBitPin %s>" % self.name


for _n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20):
    globals()["pin%d" % _n] = MicroBitPin("pin%d" % _n)
pin_logo = MicroBitPin("pin_logo")
pin_speaker = MicroBitPin("pin_speaker")


# ------------------------------------------------------------------ motion and field
class _History:
    """Detection in the background, with what happened since the last look
    (accelerometer gestures, microphone events). ``_poll()`` updates ``_history``."""

    def _was(self, name):
        self._poll()
        if name in self._history:
            self._history = []
            return True
        return False

    def _take(self):
        self._poll()
        h, self._history = tuple(self._history), []
        return h


class _Accelerometer(_History):
    TOLERANCE = 200  # mg tilt before a posture changes
    SAMPLE_US = 20000  # background gesture detection every 20 ms
    GESTURES = ("up", "down", "left", "right", "face up", "face down", "freefall", "3g", "6g", "8g", "shake")

    def __init__(self):
        self._range = 2
        self._last = None
        self._history = []
        self._seen_us = -20000
        self._polled_at = -1

    def _axis(self, name):
        lim = self._range * 1000
        v = int(round(_world.value(name)))
        return -lim if v < -lim else lim if v > lim else v

    def get_x(self):
        return self._axis("accel_x")

    def get_y(self):
        return self._axis("accel_y")

    def get_z(self):
        return self._axis("accel_z")

    def get_values(self):
        return self._axis("accel_x"), self._axis("accel_y"), self._axis("accel_z")

    def get_strength(self):
        x, y, z = self.get_values()
        return int(math.sqrt(x * x + y * y + z * z))

    def set_range(self, value):
        self._range = 2 if value <= 3 else 4 if value <= 6 else 8

    def _classify(self, x, y, z):
        s = math.sqrt(x * x + y * y + z * z)
        if s < 400:
            return "freefall"
        if s > 8000:
            return "8g"
        if s > 6000:
            return "6g"
        if s > 3000:
            return "3g"
        if s > 1500:
            return "shake"
        if x < -self.TOLERANCE:
            return "left"
        if x > self.TOLERANCE:
            return "right"
        if y < -self.TOLERANCE:
            return "down"
        if y > self.TOLERANCE:
            return "up"
        if z < -self.TOLERANCE:
            return "face up"
        if z > self.TOLERANCE:
            return "face down"
        return ""

    def _posture(self):
        """Gesture now; like the board's background detection (50 Hz), the history also
        gets the gestures of the board time since the last look (at most the last 60 s)."""
        _poll_cost(self)
        now = time._now_us()
        t = max(self._seen_us + self.SAMPLE_US, now - 60000000)
        while t <= now:
            g = self._classify(*(_world.value_at(n, t) for n in ("accel_x", "accel_y", "accel_z")))
            if g != self._last:
                self._last = g
                if g:
                    self._history.append(g)
            t += self.SAMPLE_US
        self._seen_us = t - self.SAMPLE_US  # the last sample taken (polls may come faster than 50 Hz)
        return self._last or ""

    def _poll(self):
        return self._posture()

    def current_gesture(self):
        return self._posture()

    def is_gesture(self, name):
        return self._posture() == name

    def was_gesture(self, name):
        return self._was(name)

    def get_gestures(self):
        return self._take()


accelerometer = _Accelerometer()


class _Compass:
    FIELD_NT = 46000  # total field strength, roughly that of Japan
    HORIZONTAL_NT = 30000

    def __init__(self):
        self._calibrated = False

    def calibrate(self):
        sleep(1000)
        self._calibrated = True

    def is_calibrated(self):
        return self._calibrated

    def clear_calibration(self):
        self._calibrated = False

    def heading(self):
        return int(round(_world.value("heading"))) % 360

    def _h(self):
        return math.radians(_world.value("heading"))

    def get_x(self):
        return int(-self.HORIZONTAL_NT * math.sin(self._h()))

    def get_y(self):
        return int(self.HORIZONTAL_NT * math.cos(self._h()))

    def get_z(self):
        return -int(math.sqrt(self.FIELD_NT ** 2 - self.HORIZONTAL_NT ** 2))

    def get_field_strength(self):
        return self.FIELD_NT


compass = _Compass()


# ------------------------------------------------------------------ sound
class SoundEvent:
    LOUD = "loud"
    QUIET = "quiet"


class _Microphone(_History):
    def __init__(self):
        self._threshold = {SoundEvent.LOUD: 128, SoundEvent.QUIET: 64}
        self._last = None
        self._history = []

    def sound_level(self):
        return max(0, min(255, int(_world.value("sound"))))

    def _event(self):
        level = self.sound_level()
        e = self._last
        if level >= self._threshold[SoundEvent.LOUD]:
            e = SoundEvent.LOUD
        elif level <= self._threshold[SoundEvent.QUIET]:
            e = SoundEvent.QUIET
        if e != self._last:
            self._last = e
            self._history.append(e)
        return e

    def _poll(self):
        return self._event()

    def current_event(self):
        return self._event()

    def is_event(self, event):
        return self._event() == event

    def was_event(self, event):
        return self._was(event)

    def get_events(self):
        return self._take()

    def set_threshold(self, event, value):
        self._threshold[event] = value


microphone = _Microphone()


class _Speaker:
    def __init__(self):
        self._on = True

    def on(self):
        self._on = True

    def off(self):
        self._on = False

    def is_on(self):
        return self._on


speaker = _Speaker()


# ------------------------------------------------------------------ buses
class _I2C:
    def init(self, freq=100000, sda=None, scl=None):
        pass

    def scan(self):
        return _hw.BUS.scan()

    def read(self, addr, n, repeat=False):
        return _hw.BUS.readfrom(addr, n)

    def write(self, addr, buf, repeat=False):
        _hw.BUS.writeto(addr, buf)


i2c = _I2C()


class _UART:
    ODD = 1
    EVEN = 0

    def __init__(self):
        self.written = b""

    def init(self, baudrate=9600, bits=8, parity=None, stop=1, tx=None, rx=None):
        pass

    def any(self):
        return False

    def read(self, n=None):
        return None

    def readline(self):
        return None

    def write(self, buf):
        self.written += buf if isinstance(buf, bytes) else buf.encode()
        return len(buf)


uart = _UART()

import audio  # noqa: E402  (audio imports microbit's pins)

Sound = audio.Sound
