"""Shared setup for the data tests.

pytest runs with ``--import-mode=importlib`` and this folder has no ``__init__.py``,
so nothing puts it on ``sys.path``; adding it here lets test modules (and worker
processes started with "spawn", which inherit ``sys.path``) import ``_data_helpers``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import settings

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

# CI (CI=true) runs one fixed, reproducible set of hypothesis examples; local runs keep exploring.
if os.environ.get("CI"):
    settings.register_profile("ci", derandomize=True, database=None)
    settings.load_profile("ci")
