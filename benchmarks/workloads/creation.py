"""Tensor creation on tiny shapes: ``ones`` and ``tensor(nested list)``, 4x4 float32.

Reported beside the tiny ops, with no target: a training loop makes a few
tensors per step, a test suite makes thousands. There are no inputs to share,
so each implementation gets a plain setup that returns the creation call.
"""

from __future__ import annotations

import functools

import numpy as np
from harness import Thunk, Workload, optional_torch

__all__ = ["workloads"]

ROWS = [[float(4 * i + j) for j in range(4)] for i in range(4)]


def _ones_ember() -> Thunk:
    import ember

    return functools.partial(ember.ones, 4, 4)


def _ones_numpy() -> Thunk:
    return functools.partial(np.ones, (4, 4), np.float32)


def _ones_torch() -> Thunk:
    return functools.partial(optional_torch().ones, 4, 4)


def _tensor_ember() -> Thunk:
    import ember

    return functools.partial(ember.tensor, ROWS)


def _tensor_numpy() -> Thunk:
    return functools.partial(np.array, ROWS, np.float32)


def _tensor_torch() -> Thunk:
    return functools.partial(optional_torch().tensor, ROWS)


def workloads() -> list[Workload]:
    """``create.ones`` and ``create.tensor``."""
    return [
        Workload(
            "create.ones", {"ember": _ones_ember, "numpy": _ones_numpy, "torch": _ones_torch},
            description="ones(4, 4) (numpy: np.ones((4, 4), float32))",
        ),
        Workload(
            "create.tensor", {"ember": _tensor_ember, "numpy": _tensor_numpy, "torch": _tensor_torch},
            description="tensor(ROWS), a 4x4 nested list of floats (numpy: np.array(ROWS, float32))",
        ),
    ]
