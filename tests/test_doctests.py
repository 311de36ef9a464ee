"""Every module's doctests run in the suite: an example in a docstring is a test."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import l10n

MODULES = sorted(m.name for m in pkgutil.walk_packages(l10n.__path__, "l10n.") if m.name != "l10n.__main__")


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
