"""``ember.nn`` re-exports every layer of ``ember.nn.modules`` by name, so type checkers see them.

mypy does not resolve ``from ember.nn.modules import *`` inside the ember.nn <->
ember.nn.modules import cycle (``nn.Linear`` became an unknown attribute for typed user
code), so ``ember/nn/__init__.py`` names each one; this keeps that list complete.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ember.nn
import ember.nn.modules


def test_the_explicit_reexports_are_exactly_the_modules_all() -> None:
    tree = ast.parse(Path(ember.nn.__file__).read_text(encoding="utf-8"))
    named = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "ember.nn.modules"
        for alias in node.names
    }
    assert named == set(ember.nn.modules.__all__)
    assert set(ember.nn.__all__) == {"functional", "init", "utils", "modules", *ember.nn.modules.__all__}
    for name in ember.nn.modules.__all__:
        assert getattr(ember.nn, name) is getattr(ember.nn.modules, name)
