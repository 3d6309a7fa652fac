"""The virtual kit: real MicroPython (unix port) behind a pseudo-terminal.

``VirtualKit`` starts one virtual board and serves it on a pty path; ``python -m
chiiki_iot.kit.virtual`` does the same from a terminal, for outside tools (mpremote, Thonny).
"""
from .kit import VirtualKit
from .radio import RadioAir

__all__ = ["VirtualKit", "RadioAir"]
