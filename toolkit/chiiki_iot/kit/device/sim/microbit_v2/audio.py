"""``audio`` of a virtual micro:bit V2 (also ``microbit.audio``): what was played is kept,
and written for the host's picture of the board (``_panel``)."""
import _panel
import time

played = []


class Sound:
    GIGGLE = "giggle"
    HAPPY = "happy"
    HELLO = "hello"
    MYSTERIOUS = "mysterious"
    SAD = "sad"
    SLIDE = "slide"
    SOARING = "soaring"
    SPRING = "spring"
    TWINKLE = "twinkle"
    YAWN = "yawn"


class SoundEffect:
    WAVEFORM_SINE = 0
    WAVEFORM_SAWTOOTH = 1
    WAVEFORM_TRIANGLE = 2
    WAVEFORM_SQUARE = 3
    WAVEFORM_NOISE = 4

    def __init__(self, freq_start=500, freq_end=2500, duration=500, vol_start=255, vol_end=0,
                 waveform=WAVEFORM_SQUARE, fx=None, shape=None):
        self.freq_start, self.freq_end, self.duration = freq_start, freq_end, duration
        self.vol_start, self.vol_end, self.waveform, self.fx, self.shape = vol_start, vol_end, waveform, fx, shape

    def copy(self):
        return SoundEffect(self.freq_start, self.freq_end, self.duration, self.vol_start,
                           self.vol_end, self.waveform, self.fx, self.shape)


class AudioFrame:
    def __init__(self, duration=-1, rate=7812):
        self.rate = rate
        self.data = bytearray(32)


_playing_until = 0


def play(source, wait=True, pin=None, return_pin=None):
    global _playing_until
    ms = getattr(source, "duration", 1000) if not isinstance(source, str) else 1000
    played.append(source)
    if isinstance(source, str):
        _panel.sound("sound", source, ms)
    elif isinstance(source, SoundEffect):
        _panel.sound("effect", [source.freq_start, source.freq_end], ms)
    _playing_until = time._now_us() + ms * 1000
    if wait:
        time.sleep_ms(ms)


def is_playing():
    return time._now_us() < _playing_until


def stop():
    global _playing_until
    _playing_until = 0
