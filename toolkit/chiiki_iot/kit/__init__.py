"""The kit layer: one ``Board`` API over real micro:bit V2 / ESP32 boards and the virtual kit.

>>> from chiiki_iot.kit import connect
>>> b = connect()            # a board on USB, else the virtual kit (it says which)   # doctest: +SKIP
>>> b.eval("1+1")            # doctest: +SKIP
2

Modules: ``connect`` (choosing the board), ``board`` (the ``Board`` API), ``transport``
(the raw-REPL session), ``stream`` (sampling into pandas, CSV logger, live plot),
``scenario`` (what virtual sensors measure), ``virtual`` (the virtual kit), ``mqtt``
(the embedded broker), ``magic`` (``%%board``), ``widgets`` (sliders), ``microbit_view``
(the micro:bit on the screen: live LEDs, buttons to press, sound, text), ``errors``, ``env``
(the names of the ``CHIIKI_KIT_*`` environment variables).
"""
from .board import Board
from .connect import connect, current_board
from .errors import (
    BoardDisconnectedError,
    BoardFileError,
    BoardNotFoundError,
    BoardNotRespondingError,
    BoardResetError,
    BoardTimeoutError,
    DeviceError,
    KitError,
    NotMicroPythonError,
    PortBusyError,
    PortPermissionError,
    ScenarioError,
)
from .scenario import Constant, Noise, Pulses, Ramp, Replay, Scenario, Sine, Steps

__all__ = [
    "Board", "connect", "current_board",
    "Scenario", "Constant", "Ramp", "Sine", "Noise", "Steps", "Pulses", "Replay",
    "KitError", "BoardNotFoundError", "PortBusyError", "PortPermissionError", "NotMicroPythonError",
    "BoardDisconnectedError", "BoardTimeoutError", "BoardNotRespondingError", "BoardResetError", "BoardFileError",
    "DeviceError", "ScenarioError",
]


def load_ipython_extension(ipython):
    """``%load_ext chiiki_iot.kit`` registers ``%board`` and ``%%board``."""
    from .magic import load_ipython_extension as _load

    _load(ipython)
