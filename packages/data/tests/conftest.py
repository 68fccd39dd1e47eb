"""Shared setup for the data tests.

pytest runs with ``--import-mode=importlib`` and this folder has no ``__init__.py``,
so nothing puts it on ``sys.path``; adding it here lets test modules (and worker
processes started with "spawn", which inherit ``sys.path``) import ``_data_helpers``.
"""

from __future__ import annotations

from ember.testing._suite import setup_suite

setup_suite(__file__)
