"""The virtual world around a virtual board: what each sensor would measure now.

The host writes the world file (``CHIIKI_KIT_WORLD``, JSON) and bumps a generation file
next to it. Each quantity has a source (see ``_sources``) and a revision; a quantity's
scenario time starts when the board first sees its revision. The board looks for a new
generation at most every ``CHECK_US`` of virtual time, and at once on ``reload()``.
"""
import json

import time
import uos
import _sources

CHECK_US = 100000
_PATH = uos.getenv("CHIIKI_KIT_WORLD") or ""
_gen = None
_next_check = 0
_fns = {}  # name -> f(t)
_specs = {}  # name -> spec
_t0 = {}  # name -> virtual us when this revision started
_revs = {}
_loads = 0  # how many times a new world was taken in
_load_no = {}  # name -> _loads when its current revision was taken in


def _read_gen():
    try:
        with open(_PATH + ".gen") as f:
            return f.read()
    except OSError:
        return None


def reload():
    """Read the world file now (the host calls this after changing a scenario)."""
    global _gen, _next_check, _loads
    now = time._now_us()
    _next_check = now + CHECK_US
    gen = _read_gen()
    if gen is None or gen == _gen:
        return
    try:
        with open(_PATH) as f:
            world = json.load(f)
    except (OSError, ValueError):
        return  # the host is writing it; try again at the next check
    _gen = gen
    _loads += 1
    for name, entry in world["sources"].items():
        rev = entry["rev"]
        if _revs.get(name) != rev:
            _revs[name] = rev
            _specs[name] = entry["spec"]
            _fns[name] = _sources.make(entry["spec"])
            _t0[name] = now
            _load_no[name] = _loads


def t_of(name):
    """Scenario time (s) of ``name`` now."""
    return (time._now_us() - _t0.get(name, 0)) / 1000000


def value(name, default=0):
    """What the world says quantity ``name`` is now."""
    now = time._now_us()
    if now >= _next_check:
        reload()
    f = _fns.get(name)
    if f is None:
        return default
    return f((now - _t0[name]) / 1000000)


def value_at(name, t_us, default=0):
    """What quantity ``name`` was (or is) at virtual time ``t_us`` (not before its source was set)."""
    f = _fns.get(name)
    if f is None:
        return default
    t0 = _t0[name]
    return f((max(t_us, t0) - t0) / 1000000)


def mark():
    """Now, for a later ``presses(name, mark)``: (board time, how many worlds were taken in)."""
    return (time._now_us(), _loads)


def presses(name, since):
    """Rising edges of ``name`` (button, PIR) after ``since`` (a ``mark()``), up to now.

    Looks for a new world as ``value()`` does, so a loop that only asks ``was_pressed()``
    sees a press the host has just set. A source taken in after the mark is new since then:
    its edges count from its scenario time 0 on, an edge at 0 included. Board time alone
    cannot tell: an idle board's clock stands still, so a press set by the sliders may
    start at the very board time of the previous question.
    """
    now = time._now_us()
    if now >= _next_check:
        reload()
    spec = _specs.get(name)
    if spec is None:
        return 0
    since_us, since_loads = since
    t0 = _t0[name]
    lo = (since_us - t0) / 1000000
    if _load_no[name] > since_loads and lo > -1e-9:
        lo = -1e-9
    return _sources.rising_edges(spec, lo, (now - t0) / 1000000)


reload()
