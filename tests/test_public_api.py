"""The l10n package uses only the public API of the libraries it imports.

A private name (``_something``) of polib, markdown-it or any other third-party library
can change or vanish in a patch release; this walk over every module's syntax tree
fails on one, wherever it is used:

- ``from lib import _name``, ``import lib._module``, ``from lib._module import name``;
- ``lib._name`` (also deeper, ``lib.Class._name``, ``lib.f()._name``) where ``lib`` is a
  name bound by importing a third-party module or one of its objects;
- ``obj._name`` on any other object when l10n itself defines no ``_name`` (a function,
  class, module or class variable, or ``self._name``): that is how a private attribute
  of a library's object looks (``entry._index`` on a polib entry, read or written).

Dunder names (``__dict__``) are not private in this sense, nor are the documented
namedtuple methods (``_replace``, ``_asdict``, ``_fields``, ``_make``).
"""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "l10n"
MODULES = sorted(PACKAGE.rglob("*.py"))
PUBLIC_UNDERSCORE = {"_replace", "_asdict", "_fields", "_make", "_field_defaults"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _third_party(module: str | None, level: int) -> bool:
    if level or not module:
        return False  # relative: l10n's own
    top = module.split(".")[0]
    return top != "l10n" and top not in sys.stdlib_module_names


def _root(node: ast.expr) -> ast.expr:
    """The start of a chain like ``a.b().c[0].d``: ``a``."""
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def own_names(trees: list[ast.Module]) -> set[str]:
    """The private names l10n defines itself: functions, classes, variables, ``self`` attributes."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[0])
            elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                  and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return {n for n in names if _private(n)}


def violations(tree: ast.Module, own: set[str], where: str = "<module>") -> list[str]:
    """Every use of a third-party private name in ``tree``, as ``where:line: what``."""
    found: list[str] = []
    imported: set[str] = set()  # names bound to third-party modules or their objects
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _third_party(alias.name, 0):
                    imported.add(alias.asname or alias.name.split(".")[0])
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"{where}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and _third_party(node.module, node.level):
            for alias in node.names:
                imported.add(alias.asname or alias.name)
                if _private(alias.name) or any(_private(p) for p in node.module.split(".")):
                    found.append(f"{where}:{node.lineno}: from {node.module} import {alias.name}")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)) or node.attr in PUBLIC_UNDERSCORE:
            continue
        root = _root(node.value)
        if isinstance(root, ast.Name) and root.id in imported:
            found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
        elif node.attr not in own and not (isinstance(root, ast.Name) and root.id in sys.stdlib_module_names):
            found.append(f"{where}:{node.lineno}: {ast.unparse(node)} (no such name in l10n)")
    return found


def test_the_package_uses_no_private_name_of_a_library() -> None:
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in MODULES}
    own = own_names(list(trees.values()))
    found = [v for path, tree in trees.items()
             for v in violations(tree, own, str(path.relative_to(PACKAGE.parent)))]
    assert found == []


def test_every_module_is_walked() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in MODULES}
    assert {"__init__.py", "pofile.py", "catalog.py", "engines/deepl.py"} <= names


@pytest.mark.parametrize("source", [
    "import polib\npolib._POFileParser('')",
    "import polib\npolib.POFile._BaseFile",
    "import polib\npolib.pofile('x')._meta",
    "import polib as p\np._escape('x')",
    "from polib import _escape",
    "from polib import POEntry as E\nE._private",
    "import markdown_it._private",
    "from markdown_it._compat import x",
    "def f(entry):\n    entry._index = 1",
    "def f(entry):\n    return entry._index",
])
def test_private_uses_are_found(source: str) -> None:
    tree = ast.parse(textwrap.dedent(source))
    assert violations(tree, own_names([tree])), source


@pytest.mark.parametrize("source", [
    "import polib\npolib.POEntry(msgid='a').msgstr",
    "import ctypes\nctypes._SimpleCData",  # the standard library is not this test's business
    "class A:\n    def __init__(self):\n        self._x = 1\n    def f(self, other):\n        return other._x",
    "_CACHE = {}\ndef f(module):\n    return module._CACHE",
    "import deepl.http_client as _http\n_http.max_network_retries",
    "from collections import namedtuple\nP = namedtuple('P', 'a')\nP(1)._replace(a=2)",
    "import polib\npolib.__version__",
])
def test_public_uses_pass(source: str) -> None:
    tree = ast.parse(source)
    assert violations(tree, own_names([tree])) == [], source
