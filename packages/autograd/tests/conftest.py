"""Shared setup for the autograd tests.

pytest runs with ``--import-mode=importlib`` and this folder has no ``__init__.py``,
so nothing puts it on ``sys.path``; adding it here lets test modules import
``_autograd_helpers`` however pytest is started.
"""

from __future__ import annotations

from ember.testing._suite import device, setup_suite

__all__ = ["device"]  # the fixture, for every test module here

setup_suite(__file__)
