"""Shared setup for the core tests.

pytest runs with ``--import-mode=importlib`` and this folder has no ``__init__.py``,
so nothing puts it on ``sys.path``; adding it here lets test modules import
``_core_helpers`` however pytest is started (from the repository root, or from an
empty folder against installed wheels as the ``wheels`` nox session does).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

import ember

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

# CI (CI=true) runs one fixed, reproducible set of hypothesis examples; local runs keep exploring.
if os.environ.get("CI"):
    settings.register_profile("ci", derandomize=True, database=None)
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _restore_default_dtype() -> Iterator[None]:
    """The default dtype is process-global: give every test the one it started with."""
    saved = ember.get_default_dtype()
    yield
    ember.set_default_dtype(saved)
