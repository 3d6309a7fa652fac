"""The examples in the docstrings are part of the documentation: they must stay true."""
import doctest
import importlib

import pytest

MODULES = ["chiiki_iot.logic", "chiiki_iot.logic.tree", "chiiki_iot.logic.mece", "chiiki_iot.logic.render",
           "chiiki_iot.logic.casebook", "chiiki_iot.logic.editor", "chiiki_iot.logic.options"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
