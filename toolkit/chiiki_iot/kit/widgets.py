"""Sliders for the virtual world, like the sensor panel of the micro:bit simulator.

    from chiiki_iot.kit.widgets import sliders
    sliders(board, ["temperature", "light"])      # drag: the board reads the new value

Each move sets a ``Constant`` source; a program running on the board (``board.start``)
sees it within 0.1 s of board time. Buttons (``button_a``...) become press buttons that
hold the button down for 0.3 s. ``set_world`` and ``press`` are the same moves without a
widget (the board view ``microbit_view`` uses them too).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from .errors import ScenarioError
from .scenario import QUANTITIES, Pulses, Scenario

if TYPE_CHECKING:  # pragma: no cover
    from .board import Board


PRESS_S = 0.3  # how long a press button holds the button down (board time)


def set_world(board: "Board", **sources) -> None:
    """Give the virtual board new sources now (what a slider move or a press does).

    An idle board takes them in at once; a running program (``board.start``) sees them
    at its next look at the world (within 0.1 s of board time).
    """
    board.kit.set_scenario(Scenario(**sources))
    if not board.running:  # idle: the board takes it now; a running program polls for it
        board.exec("import _world\n_world.reload()")


def press(board: "Board", name: str, times: int = 1) -> float:
    """Press ``button_a``, ``button_b`` or ``touch_logo`` ``times`` times, each for ``PRESS_S``
    seconds with as long a pause between; returns how long (board seconds) the presses take."""
    set_world(board, **{name: Pulses(at=tuple(2 * PRESS_S * i for i in range(times)), width=PRESS_S)})
    return 2 * PRESS_S * times


def sliders(board: "Board", names: Iterable[str] | None = None):
    """An ipywidgets box of sliders (and press buttons) for ``names`` (default: all)."""
    import ipywidgets as w

    if board.kit is None:
        raise ScenarioError("スライダーは仮想キットで使います。実機では本物のセンサーを動かしてください。")
    kit = board.kit

    def apply(**sources) -> None:
        set_world(board, **sources)

    controls = []
    for name in names or QUANTITIES:
        if name not in QUANTITIES:
            raise ScenarioError(f"センサー名 {name} はありません。使える名前: {', '.join(QUANTITIES)}")
        q = QUANTITIES[name]
        if name.startswith("button_") or name == "touch_logo":
            b = w.Button(description=f"{q.label} を押す")
            b.on_click(lambda _b, n=name: press(board, n))
            controls.append(b)
            continue
        spec = kit.world.spec(name)
        value = spec["v"] if spec["k"] == "const" else q.default
        s = w.FloatSlider(value=value, min=q.lo, max=q.hi, step=q.step,
                          description=f"{q.label} [{q.unit}]", continuous_update=True,
                          style={"description_width": "14em"}, layout=w.Layout(width="36em"))
        s.observe(lambda change, n=name: apply(**{n: change["new"]}), names="value")
        controls.append(s)
    return w.VBox(controls)
