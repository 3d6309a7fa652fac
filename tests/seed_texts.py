"""The seed documents beside the repository (``../shared/seeds/``), for tests that check a shipped
figure or quote against its source.

Text is compared with all whitespace removed (``flat``): the seeds were extracted from PDFs and
break lines anywhere. CI always has ``shared/`` beside the clone, so a missing seed fails there;
elsewhere the test is skipped.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def flat(text: str) -> str:
    return re.sub(r"\s", "", text)


def seed_text(prefix: str) -> str:
    """The flattened text of seed ``<prefix>_*.txt``."""
    files = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not files:
        message = f"seed {prefix} is not beside the repository ({SEEDS})"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must check every shipped figure against its source")
        pytest.skip(message + "; provenance is checked where the seeds are (CI)")
    return flat(files[0].read_text(encoding="utf-8"))
