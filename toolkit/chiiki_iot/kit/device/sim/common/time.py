"""Virtual clock of the virtual kit; replaces the built-in ``time`` module on the board.

Time on a virtual board advances when the program sleeps, and by ``QUANTUM_US`` at each
clock read that does not directly follow a sleep (so a busy-wait on ``ticks_ms()`` still
ends, and a loop paced by sleeps reads exact times). Sensor scenarios are functions of
this time, so one program gives the same samples on every machine, fast or slow.
``CHIIKI_KIT_SPEED`` says how a sleep also waits in real time: 1 = real time, 2 = twice as
fast, 0 = no real waiting (tests and grading).

Ticks wrap at 2**30, as on 32-bit boards (micro:bit, ESP32): use ``ticks_diff``.
"""
import sys

_path = sys.path[:]
sys.path.clear()
import time as _rt  # the built-in module (an empty path skips this file)

sys.path.extend(_path)
del _path
import uos

_SPEED = float(uos.getenv("CHIIKI_KIT_SPEED") or "1")
_real_sleep_us = getattr(_rt, "sleep_us", None)
if _real_sleep_us is None:  # CPython (the fallback engine): sleep in slices, so Ctrl-C is seen

    def _real_sleep_us(us):
        while us > 0:
            step = us if us < 50000 else 50000
            _rt.sleep(step / 1000000)
            us -= step
_PERIOD = 1 << 30
_HALF = _PERIOD >> 1
_MASK = _PERIOD - 1
QUANTUM_US = 5
_now = 0  # virtual microseconds since boot
_slept = False
_EPOCH = _rt.time()
_stop_us = -1  # board time at which the program is stopped (see _stop_at), -1 = never
# Board.stop() on a virtual board asks here first (a file beside the world file): the program
# stops at its next sleep, a safe point. The unix port's Ctrl-C (SIGINT) interrupts anywhere,
# even inside the garbage collector, and can leave the interpreter broken ("heap is locked").
_WORLD = uos.getenv("CHIIKI_KIT_WORLD") or ""
_STOP_FILE = _WORLD.rsplit("/", 1)[0] + "/stop" if "/" in _WORLD else ""


def _stop_at(us):
    """Stop the running program with KeyboardInterrupt (as Ctrl-C does) once board time
    reaches ``us`` (-1: never). ``chiiki_iot.kit.trial`` runs a ``while True`` program for a
    fixed board time this way: the clock stops exactly at ``us``, on every machine."""
    global _stop_us
    _stop_us = int(us)


def _check_stop():
    global _now
    if 0 <= _stop_us <= _now:
        _now = _stop_us
        raise KeyboardInterrupt


def _stop_requested():
    """The host asked the running program to stop (and the request is taken: the file goes)."""
    if not _STOP_FILE:
        return False
    try:
        uos.remove(_STOP_FILE)
    except OSError:
        return False
    return True


def _now_us():
    """Virtual microseconds since boot, without advancing the clock."""
    return _now


def _read():
    global _now, _slept
    if _slept:
        _slept = False
    else:
        _now += QUANTUM_US
        _check_stop()
    return _now


def ticks_us():
    return _read() & _MASK


def ticks_ms():
    return (_read() // 1000) & _MASK


def ticks_cpu():
    return _read() & _MASK


def ticks_diff(a, b):
    return ((a - b + _HALF) & _MASK) - _HALF


def ticks_add(t, delta):
    return (t + delta) & _MASK


def sleep_us(us):
    global _now, _slept
    us = int(us)
    if us <= 0:
        return
    if 0 <= _stop_us < _now + us:  # the run ends during this sleep
        us = max(0, _stop_us - _now)
    _now += us
    _slept = True
    if _SPEED > 0:
        _real_sleep_us(int(us / _SPEED))
    _check_stop()
    if _stop_requested():
        raise KeyboardInterrupt


def sleep_ms(ms):
    sleep_us(ms * 1000)


def sleep(seconds):
    sleep_us(seconds * 1000000)


def time():
    return _EPOCH + _read() / 1000000


def time_ns():
    return int(_EPOCH * 1000000000) + _read() * 1000


def localtime(secs=None):
    return tuple(_rt.localtime(int(time() if secs is None else secs)))[:8]


def gmtime(secs=None):
    return tuple(_rt.gmtime(int(time() if secs is None else secs)))[:8]


def mktime(t):
    return int(_rt.mktime(tuple(t[:8]) + (-1,) * (9 - len(t[:8]))))


def __getattr__(name):
    """The CPython fallback: what the board's time lacks (monotonic ...) comes from CPython's."""
    return getattr(_rt, name)
