"""Examples in the toolkit's docstrings are documentation: they must stay true."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import chiiki_iot

# Device-side MicroPython modules are package data, not importable under CPython.
MODULES = sorted(m.name for m in pkgutil.walk_packages(chiiki_iot.__path__, "chiiki_iot.")
                 if ".device" not in m.name and ".virtual.device" not in m.name)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_logic_and_kpi_packages_document_with_examples():
    for name in ("chiiki_iot.logic", "chiiki_iot.logic.mece", "chiiki_iot.kpi", "chiiki_iot.kpi.cost",
                 "chiiki_iot.checks.expect"):
        assert doctest.testmod(importlib.import_module(name)).attempted > 0, f"{name} has no examples"
