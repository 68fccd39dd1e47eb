"""Setup for the PyTorch compatibility tests: opt-in collection and the helpers' import path.

These tests compare Ember with a live torch, so they run only when asked for:

    nox -s compat                 # installs torch==2.13.0 and runs `pytest tests/compat`
    pytest tests/compat           # or any file or test id inside this folder
    EMBER_COMPAT=1 pytest tests   # along with the other root tests

``pytest tests/`` (the ``root`` and ``wheels`` nox sessions, or a developer's plain
run) skips this folder without importing anything from it, whether or not torch is
installed: it is an optional session, like ``cuda`` and ``bench``. Each module also
starts with ``pytest.importorskip("torch")``, so asking for these tests where torch
is missing reports skips rather than import errors.

pytest runs with ``--import-mode=importlib`` and this folder has no ``__init__.py``;
adding it to ``sys.path`` lets the modules import ``_compat_helpers`` however pytest
is started. This file must not import torch.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))


def _asked_for(config: pytest.Config) -> bool:
    """Whether the command line names this folder or something inside it."""
    start = config.invocation_params.dir
    for arg in config.args:
        path = (start / arg.split("::", 1)[0]).resolve()
        if path == _HERE or _HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if os.environ.get("EMBER_COMPAT") == "1" or _asked_for(config):
        return None  # let pytest decide as usual
    return True
