"""Shared setup for the CUDA backend tests: ``_standin`` importable, the ``cuda`` marker's skip."""

from __future__ import annotations

import pytest

from ember.testing._suite import setup_suite

setup_suite(__file__)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``cuda`` skip, saying why, where no CUDA device is usable."""
    import ember

    if ember.cuda.is_available():
        return
    from ember_cuda import unavailable_reason

    skip = pytest.mark.skip(reason=f"needs a CUDA GPU: {unavailable_reason()}")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)
