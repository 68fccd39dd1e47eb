"""Shared setup for the nn tests."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

import ember

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
