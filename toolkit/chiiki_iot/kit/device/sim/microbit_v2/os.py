"""``os`` of a micro:bit: ``listdir``, ``remove``, ``size`` and ``uname`` only.

The micro:bit's filesystem has no folders and no ``stat``, so tools that need them
(``mpremote fs``) fail here as they do on a real micro:bit.
"""
import uos as _os


class _Uname(tuple):
    sysname = property(lambda s: s[0])
    nodename = property(lambda s: s[1])
    release = property(lambda s: s[2])
    version = property(lambda s: s[3])
    machine = property(lambda s: s[4])


def listdir():
    return [n for n in _os.listdir("/") if not n.startswith(".")]


def remove(filename):
    _os.remove(filename)


def size(filename):
    return _os.stat(filename)[6]


def uname():
    return _Uname(("microbit", "microbit", "2.1.2", "micro:bit (virtual kit) with MicroPython unix port",
                   "micro:bit (virtual) with nRF52833"))
