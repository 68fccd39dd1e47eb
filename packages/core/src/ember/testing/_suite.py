"""Setup that every Ember package's test suite shares (their ``conftest.py`` files use it).

Imports pytest, so it is not imported by :mod:`ember.testing` itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path

import pytest

import ember

__all__ = ["setup_suite", "device"]


def setup_suite(conftest: str) -> None:
    """Put the calling ``conftest.py``'s folder on ``sys.path`` (pytest runs with
    ``--import-mode=importlib``, and helper modules there must import however pytest is
    started, from the repository or from an empty folder against installed wheels), and under
    CI (``CI`` set) load, where hypothesis is installed, a profile that runs one fixed, reproducible set of examples
    (local runs keep exploring)."""
    here = str(Path(conftest).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    # By name, and only where installed: hypothesis is a test dependency of most suites (not of
    # ember-core, nor of the CUDA backend's).
    if os.environ.get("CI") and importlib.util.find_spec("hypothesis") is not None:
        settings = importlib.import_module("hypothesis").settings
        settings.register_profile("ci", derandomize=True, database=None)
        settings.load_profile("ci")


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=pytest.mark.cuda)])
def device(request: pytest.FixtureRequest) -> str:
    """Every device a test runs on: "cpu" always, "cuda" (marked cuda) where a GPU is usable."""
    if request.param == "cuda" and not ember.cuda.is_available():
        pytest.skip("needs a CUDA GPU (ember-cuda[cuda12] with an NVIDIA driver and device)")
    return str(request.param)
