"""The kit in a real Jupyter kernel: what a lab notebook does, run by nbclient."""
from __future__ import annotations

import nbformat
from nbclient import NotebookClient

CELLS = [
    "%load_ext chiiki_iot.kit\nfrom chiiki_iot.kit import connect, Ramp\n"
    "b = connect('virtual:esp32', speed=0)",
    "b.scenario(temperature=Ramp(20, 30, duration=10))\n"
    "df = b.stream('temperature', rate_hz=2, duration_s=10, plot=True, progress=False)\n"
    "print(len(df), df.temperature.iloc[-1])",
    "%%board\nimport machine\nprint('board says', machine.Pin(2).value())",
    "b.close()",
]


def test_a_lab_notebook_runs_on_the_virtual_kit(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    connect_out, stream_out, board_out, _ = (c.outputs for c in nb.cells)
    assert any("仮想キットを使います" in o.get("text", "") for o in connect_out)
    texts = [o.get("text", "") for o in stream_out if o.output_type == "stream"]
    assert "20 29.5\n" in texts
    images = [o for o in stream_out if o.output_type == "display_data" and "image/png" in o.get("data", {})]
    assert len(images) == 1  # the live plot, shown once (not again by the inline backend)
    assert "".join(o.text for o in board_out if o.output_type == "stream") == "board says 0\n"
