"""Shared setup for the core tests.

pytest runs with ``--import-mode=importlib`` and this folder has no ``__init__.py``,
so nothing puts it on ``sys.path``; adding it here lets test modules import
``_core_helpers`` however pytest is started (from the repository root, or from an
empty folder against installed wheels as the ``wheels`` nox session does).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import ember
from ember.testing._suite import setup_suite

setup_suite(__file__)


@pytest.fixture(autouse=True)
def _restore_default_dtype() -> Iterator[None]:
    """The default dtype is process-global: give every test the one it started with."""
    saved = ember.get_default_dtype()
    yield
    ember.set_default_dtype(saved)
