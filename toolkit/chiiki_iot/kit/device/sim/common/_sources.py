"""Scenario sources: deterministic functions of scenario time (seconds) -> value.

Shared by the virtual board (MicroPython) and the host (CPython previews), so a
scenario means the same thing on both sides. A source is described by a small dict
(``spec``) that the host writes into the world file; ``make(spec)`` returns a function.
"""
import math

_M32 = 0xFFFFFFFF


def _hash(seed, i):
    """A 32-bit integer hash of (seed, i) (lowbias32): the same on every interpreter."""
    x = (seed * 0x9E3779B1 + i * 0x85EBCA77 + 0x165667B1) & _M32
    x ^= x >> 16
    x = (x * 0x7FEB352D) & _M32
    x ^= x >> 15
    x = (x * 0x846CA68B) & _M32
    x ^= x >> 16
    return x


def gauss(seed, i):
    """Standard normal number number ``i`` of stream ``seed`` (Box-Muller)."""
    u1 = (_hash(seed, 2 * i) + 1) / 4294967297.0
    u2 = _hash(seed, 2 * i + 1) / 4294967296.0
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def _index(ts, t):
    """Index of the last ts[i] <= t (ts sorted), -1 if t is before ts[0]."""
    lo, hi = 0, len(ts)
    while lo < hi:
        mid = (lo + hi) // 2
        if ts[mid] <= t:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


def make(spec):
    """A function f(t) for the source described by ``spec``."""
    k = spec["k"]
    if k == "const":
        v = spec["v"]
        return lambda t: v
    if k == "ramp":
        a, b, t0, d = spec["a"], spec["b"], spec.get("t0", 0), spec["d"]

        def ramp(t):
            if t <= t0:
                return a
            if t >= t0 + d:
                return b
            return a + (b - a) * (t - t0) / d

        return ramp
    if k == "sine":
        m, amp, p, ph = spec["m"], spec["a"], spec["p"], spec.get("ph", 0)
        w = 2 * math.pi / p
        return lambda t: m + amp * math.sin(w * (t - ph))
    if k == "noise":
        sd, seed, dt, m = spec["s"], spec["seed"], spec.get("dt", 0.1), spec.get("m", 0)
        return lambda t: m + sd * gauss(seed, int(t // dt))
    if k == "steps":
        ts, vs, v0 = spec["t"], spec["v"], spec["v0"]

        def steps(t):
            i = _index(ts, t)
            return v0 if i < 0 else vs[i]

        return steps
    if k == "pulses":
        ts, w, hi, lo = spec["t"], spec["w"], spec.get("hi", 1), spec.get("lo", 0)

        def pulses(t):
            i = _index(ts, t)
            return hi if i >= 0 and t < ts[i] + w else lo

        return pulses
    if k == "replay":
        ts, vs, hold, loop = spec["t"], spec["v"], spec.get("hold", False), spec.get("loop", False)
        span = ts[-1] - ts[0]

        def replay(t):
            if loop and span > 0 and t > ts[-1]:
                t = ts[0] + (t - ts[0]) % span
            i = _index(ts, t)
            if i < 0:
                return vs[0]
            if i >= len(ts) - 1 or hold:
                return vs[i]
            f = (t - ts[i]) / (ts[i + 1] - ts[i])
            return vs[i] + (vs[i + 1] - vs[i]) * f

        return replay
    if k == "sum":
        fs = [make(p) for p in spec["parts"]]
        if len(fs) == 2:
            f0, f1 = fs
            return lambda t: f0(t) + f1(t)
        return lambda t: sum(f(t) for f in fs)
    raise ValueError("unknown source kind: " + str(k))


def rising_edges(spec, t0, t1):
    """How many times a pulses/steps source went from low to high in (t0, t1]."""
    k = spec["k"]
    if k == "pulses":
        return sum(1 for t in spec["t"] if t0 < t <= t1)
    if k == "steps":
        f = make(spec)
        return sum(1 for t in spec["t"] if t0 < t <= t1 and f(t) and not f(t - 1e-9))
    return 0
