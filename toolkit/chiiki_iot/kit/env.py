"""The names of the kit's environment variables, in one place (host side).

What a trainer or a test sets (the host reads them):

======================  =====================================================================
``CHIIKI_KIT_BOARD``    which board ``connect()`` uses when none is named: ``virtual``,
                        ``virtual:esp32``, ``microbit``, ``esp32``, ``auto`` or a port
``CHIIKI_KIT_PROFILE``  the virtual board's kind (``microbit_v2`` or ``esp32``); on a
                        virtual board, also what its firmware says it is
``CHIIKI_KIT_SPEED``    the virtual clock: 1 = real time, 0 = never wait (tests, grading)
``CHIIKI_KIT_ENGINE``   the virtual kit's interpreter: ``auto``, ``unix`` (MicroPython) or
                        ``cpython`` (the fallback)
``CHIIKI_KIT_LINK``     how the virtual board is served: ``pty`` or ``socket``
``CHIIKI_KIT_WIFI``     the access points a virtual ESP32 sees (comma separated; read on the
                        board only)
======================  =====================================================================

What the host hands to a virtual board's firmware when it starts it:

======================  =====================================================================
``CHIIKI_KIT_HOSTDIR``  the host folder the board mounts at ``/.kit``
``CHIIKI_KIT_WORLD``    the board's path of the world file (what the sensors measure)
``CHIIKI_KIT_RADIO``    the address of the shared micro:bit radio
``CHIIKI_KIT_NAME``     the virtual kit's name
``CHIIKI_KIT_BOOT``     ``raw`` when the board restarts in the raw REPL (skip ``main.py``)
``CHIIKI_KIT_PATH``     the simulated modules' folders (CPython fallback)
``CHIIKI_KIT_STDIO``    ``pipe`` when the CPython fallback talks over pipes (socket link)
======================  =====================================================================

The board side (``device/`` and ``virtual/cpython_repl.py``, which run as the board's
firmware and cannot import the host's modules) spells the same names out.
This module imports nothing, so the repository's ``conftest.py`` can use it early.

>>> from chiiki_iot.kit.env import ENV_BOARD
>>> ENV_BOARD
'CHIIKI_KIT_BOARD'
"""

ENV_BOARD = "CHIIKI_KIT_BOARD"
ENV_PROFILE = "CHIIKI_KIT_PROFILE"
ENV_SPEED = "CHIIKI_KIT_SPEED"
ENV_ENGINE = "CHIIKI_KIT_ENGINE"
ENV_LINK = "CHIIKI_KIT_LINK"
ENV_WIFI = "CHIIKI_KIT_WIFI"
ENV_HOSTDIR = "CHIIKI_KIT_HOSTDIR"
ENV_WORLD = "CHIIKI_KIT_WORLD"
ENV_RADIO = "CHIIKI_KIT_RADIO"
ENV_NAME = "CHIIKI_KIT_NAME"
ENV_BOOT = "CHIIKI_KIT_BOOT"
ENV_PATH = "CHIIKI_KIT_PATH"
ENV_STDIO = "CHIIKI_KIT_STDIO"

# Graders, tests and nbval run the sensor labs on the virtual kit with its clock never waiting:
# the same samples on every run, whatever board is plugged into the machine.
GRADING_KIT_ENV = {ENV_BOARD: "virtual", ENV_SPEED: "0"}
