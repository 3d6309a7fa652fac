"""Japanese text in matplotlib figures, with a font installed from PyPI.

>>> from chiiki_iot.plots import use_japanese_font
>>> use_japanese_font()          # doctest: +SKIP
'IPAexGothic'
"""
from __future__ import annotations


def use_japanese_font() -> str:
    """Make matplotlib draw Japanese (matplotlib-fontja's IPAexGothic); return the font name.

    No system font is assumed: the font file ships inside the matplotlib-fontja wheel.
    """
    import matplotlib
    import matplotlib_fontja  # noqa: F401  (registers the font and sets rcParams)

    matplotlib_fontja.japanize()
    return matplotlib.rcParams["font.family"][0]
