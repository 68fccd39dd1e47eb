"""Shared setup for the CUDA backend tests: ``_standin`` importable, the ``cuda`` marker's skip."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


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
