"""Shared setup for the optim tests.

pytest runs with ``--import-mode=importlib`` and this folder has no ``__init__.py``,
so nothing puts it on ``sys.path``; adding it here lets test modules import
``_optim_helpers`` however pytest is started.
"""

from __future__ import annotations

import os
import sys
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


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=pytest.mark.cuda)])
def device(request: pytest.FixtureRequest) -> str:
    """Every device a test runs on: "cpu" always, "cuda" (marked cuda) where a GPU is usable."""
    if request.param == "cuda" and not ember.cuda.is_available():
        pytest.skip("needs a CUDA GPU (ember-cuda[cuda12] with an NVIDIA driver and device)")
    return str(request.param)
