"""The examples in the docstrings are part of the documentation: they must stay true."""
import doctest
import importlib

import pytest

MODULES = ["chiiki_iot.kpi", "chiiki_iot.kpi.indicator", "chiiki_iot.kpi.audit", "chiiki_iot.kpi.progress",
           "chiiki_iot.kpi.cost", "chiiki_iot.kpi.logic_model", "chiiki_iot.kpi.plan"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
