"""Per-op overhead on tiny tensors: 4x4 float32, no autograd.

At this size the arithmetic is a few nanoseconds; what is measured is the cost
of getting from Python to the kernel and back (argument checks, dtype
promotion, allocating the result object). The issue's target: Ember at most
2x PyTorch's eager overhead on add, mul, matmul and sum. The scalar operand and
view ops are reported beside them, with no target.
"""

from __future__ import annotations

import numpy as np
from harness import Target, Workload, op_workload

__all__ = ["workloads", "SHAPE", "TARGET"]

SHAPE = (4, 4)
#: The issue's goal: per-op overhead at most 2x PyTorch's eager overhead.
TARGET = Target("ember", "torch", 2.0)


def _one() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.standard_normal(SHAPE, dtype=np.float32)]


def _two() -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    return [rng.standard_normal(SHAPE, dtype=np.float32) for _ in range(2)]


def workloads() -> list[Workload]:
    """The tiny-op workloads: ``tiny.*`` (targeted), ``scalar.*`` and ``view.*`` (reported)."""
    return [
        op_workload("tiny.add", lambda a, b: a + b, _two, target=TARGET, description="a + b"),
        op_workload("tiny.mul", lambda a, b: a * b, _two, target=TARGET, description="a * b"),
        # Sums are rounded differently by each library's reduction order.
        op_workload(
            "tiny.matmul", lambda a, b: a @ b, _two, target=TARGET, rtol=1e-5, atol=1e-6,
            description="a @ b",
        ),
        op_workload(
            "tiny.sum", lambda a: a.sum(), _one, target=TARGET, rtol=1e-5, atol=1e-6,
            description="a.sum()",
        ),
        op_workload("scalar.add", lambda a: a + 1.0, _one, description="a + 1.0 (Python float)"),
        op_workload("scalar.mul", lambda a: a * 2, _one, description="a * 2 (Python int)"),
        op_workload(
            "view.t", lambda a: a.t(), _one, spellings={"numpy": lambda a: a.T},
            description="a.t() (numpy: a.T)",
        ),
        op_workload("view.index", lambda a: a[1], _one, description="a[1]"),
        op_workload(
            "view.view", lambda a: a.view(16), _one, spellings={"numpy": lambda a: a.reshape(16)},
            description="a.view(16) (numpy: a.reshape(16))",
        ),
    ]
