"""Japanese renders in plots with a font from PyPI, and the README's test command is CI's."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from chiiki_iot.plots import use_japanese_font  # noqa: E402

from conftest import REPO  # noqa: E402


def test_japanese_text_renders_without_missing_glyphs(tmp_path):
    name = use_japanese_font()
    path = font_manager.findfont(name, fallback_to_default=False)
    assert "matplotlib_fontja" in path, f"the Japanese font should come from the PyPI package, not {path}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("将来像と現状のギャップ（千人）")
        ax.bar(["観光入込客数", "宿泊客数"], [868, 900])
        fig.savefig(tmp_path / "plot.png")
        plt.close(fig)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert not missing, missing


def test_ci_runs_exactly_the_readme_test_command():
    ci = [ln.strip() for ln in (REPO / ".ci" / "run").read_text().splitlines()
          if ln.strip() and not ln.startswith("#") and not ln.startswith(("set ", "cd "))]
    assert ci == ["./academy test"]
    assert "./academy test" in (REPO / "README.md").read_text(encoding="utf-8")
