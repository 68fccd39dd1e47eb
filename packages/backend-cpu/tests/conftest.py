"""Shared setup for the CPU backend tests."""

from __future__ import annotations

import os

from hypothesis import settings

# CI (CI=true) runs one fixed, reproducible set of hypothesis examples; local runs keep exploring.
if os.environ.get("CI"):
    settings.register_profile("ci", derandomize=True, database=None)
    settings.load_profile("ci")
