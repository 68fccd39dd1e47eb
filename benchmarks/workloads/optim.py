"""Optimizer step: Adam over ResNet-18's parameter list (62 tensors, 11.7M float32 values).

- ``optim.adam``: one ``Adam.step()`` (lr 1e-3, default betas and eps) with fixed
  gradients. NumPy is a hand-written in-place update per parameter (the floor a NumPy
  backend can reach without fused kernels); PyTorch is ``torch.optim.Adam`` with its
  CPU default (``foreach=None``, which on CPU tensors picks the per-parameter loop).
  The issue's target: Ember within 1.3x of PyTorch's default.
- ``optim.adam_forloop`` / ``optim.adam_foreach``: the same with PyTorch forced to
  ``foreach=False`` and ``foreach=True`` (multi-tensor kernels).

Every step changes the state, so each thunk returns a copy of the first parameter; the
agreement check runs on the first step, when all implementations start from the same
values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from harness import Target, Thunk, Workload, optional_torch

__all__ = ["workloads", "ADAM_TARGET", "resnet18_shapes"]

ADAM_TARGET = Target("ember", "torch", 1.3)
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8


def resnet18_shapes() -> list[tuple[int, ...]]:
    """torchvision's resnet18 parameter shapes, in ``model.parameters()`` order (11,689,512 values)."""
    shapes: list[tuple[int, ...]] = [(64, 3, 7, 7), (64,), (64,)]
    c_in = 64
    for c in (64, 128, 256, 512):
        for block in range(2):
            ci = c_in if block == 0 else c
            shapes += [(c, ci, 3, 3), (c,), (c,), (c, c, 3, 3), (c,), (c,)]
            if block == 0 and ci != c:
                shapes += [(c, ci, 1, 1), (c,), (c,)]
        c_in = c
    return [*shapes, (1000, 512), (1000,)]


def _inputs() -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(21)
    shapes = resnet18_shapes()
    params = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    grads = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    return params, grads


def _numpy_setup() -> Thunk:
    params, grads = _inputs()
    exp_avgs = [np.zeros_like(p) for p in params]
    exp_avg_sqs = [np.zeros_like(p) for p in params]
    b1, b2 = BETAS
    step = [0]

    def run() -> np.ndarray:
        step[0] += 1
        t = step[0]
        bc1, bc2_sqrt = 1 - b1**t, (1 - b2**t) ** 0.5
        for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs, strict=True):
            tmp = np.subtract(g, m)
            tmp *= 1 - b1
            m += tmp
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp /= bc2_sqrt
            tmp += EPS
            np.divide(m, tmp, out=tmp)
            tmp *= -LR / bc1
            p += tmp
        return params[0].copy()

    return run


def _ember_setup() -> Thunk:
    import ember
    import ember.optim

    params, grads = _inputs()
    ps = [ember.from_numpy(p).requires_grad_() for p in params]
    for p, g in zip(ps, grads, strict=True):
        p.grad = ember.from_numpy(g)
    opt = ember.optim.Adam(ps, lr=LR, betas=BETAS, eps=EPS)

    def run() -> np.ndarray:
        opt.step()
        return ps[0].detach().numpy().copy()

    return run


def _torch_setup(foreach: bool | None) -> Callable[[], Thunk]:
    def setup() -> Thunk:
        torch = optional_torch()
        params, grads = _inputs()
        ps = [torch.from_numpy(p).requires_grad_() for p in params]
        for p, g in zip(ps, grads, strict=True):
            p.grad = torch.from_numpy(g)
        opt = torch.optim.Adam(ps, lr=LR, betas=BETAS, eps=EPS, foreach=foreach)

        def run() -> Any:
            opt.step()
            return ps[0].detach().numpy().copy()

        return run

    return setup


def workloads() -> list[Workload]:
    """The three Adam-step workloads (not in ``--quick``: each holds ~190 MB per implementation)."""
    common = dict(rtol=1e-5, atol=1e-6, quick=False)
    return [
        Workload(
            "optim.adam",
            {"ember": _ember_setup, "numpy": _numpy_setup, "torch": _torch_setup(None)},
            target=ADAM_TARGET,
            description="Adam.step() over ResNet-18's 62 params (11.7M), torch default (CPU: for-loop)",
            **common,  # type: ignore[arg-type]
        ),
        Workload(
            "optim.adam_forloop",
            {"ember": _ember_setup, "torch": _torch_setup(False)},
            description="Adam.step() over ResNet-18's params, torch foreach=False",
            **common,  # type: ignore[arg-type]
        ),
        Workload(
            "optim.adam_foreach",
            {"ember": _ember_setup, "torch": _torch_setup(True)},
            description="Adam.step() over ResNet-18's params, torch foreach=True",
            **common,  # type: ignore[arg-type]
        ),
    ]
