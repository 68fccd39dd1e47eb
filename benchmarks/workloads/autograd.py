"""Autograd overhead: forward + backward of a 10-op chain on tiny tensors and of an MLP.

- ``autograd.chain10``: ten ops on 4x4 float32 tensors that require grad (mul, add,
  sin, scalar mul, exp, sub, tanh, square, scalar add, sum), then ``backward()``. At
  this size the arithmetic is nothing: what is timed is recording and walking the
  graph. NumPy is the same chain with a hand-derived backward (no bookkeeping at all,
  PERF-NOTES.md's floor). The issue's target: Ember no slower than PyTorch.
- ``autograd.mlp``: a 784-256-256-10 MLP on a batch of 128, written with raw ops
  (``x @ w + b``, ``relu``, ``log_softmax``, cross-entropy as ``-(logp * onehot).sum() / n``),
  forward + ``backward()``. NumPy is the hand-written forward and backward (softmax minus
  one-hot, three GEMM pairs). The issue's target: Ember within 1.2x of NumPy.

Each step clears the gradients first (``p.grad = None``, as ``zero_grad()`` does) and
returns the first input's gradient, which the agreement check compares.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
from harness import STEP_CALLS, STEP_WARM_CALLS, Target, Thunk, Workload, optional_torch

__all__ = ["workloads", "CHAIN_TARGET", "MLP_TARGET"]

#: The issue's goals.
CHAIN_TARGET = Target("ember", "torch", 1.0)
MLP_TARGET = Target("ember", "numpy", 1.2)
# Multi-threaded BLAS pools spin after a call; see matmul.py.
SETTLE_S = 0.12

SIZES = (784, 256, 256, 10)
BATCH = 128


# -- the 10-op chain -------------------------------------------------------------------------------

def _chain_inputs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    return rng.standard_normal((4, 4), dtype=np.float32), rng.standard_normal((4, 4), dtype=np.float32)


def _chain(a: Any, b: Any) -> Any:
    """The ten ops, written once for Ember and PyTorch (same method names)."""
    y = a * b
    y = y + a
    y = y.sin()
    y = y * 0.5
    y = y.exp()
    y = y - b
    y = y.tanh()
    y = y * y
    y = y + 1.0
    return y.sum()


def _chain_numpy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Forward, then the hand-derived backward of :func:`_chain`; returns d/da."""
    y1 = a * b
    y2 = y1 + a
    y3 = np.sin(y2)
    y5 = np.exp(y3 * np.float32(0.5))
    y7 = np.tanh(y5 - b)
    _ = (y7 * y7 + np.float32(1.0)).sum()
    g6 = 2 * y7 * (1 - y7 * y7)          # through square and tanh (the sum's gradient is ones)
    g2 = g6 * y5 * np.float32(0.5) * np.cos(y2)  # through exp, the scalar mul and sin
    _gb = g2 * a - g6                    # b's gradient: from the mul and the sub
    return g2 + g2 * b                   # a's: from the add and the mul


def _chain_setups() -> dict[str, Callable[[], Thunk]]:
    def ember_setup() -> Thunk:
        import ember

        a, b = (ember.from_numpy(x).requires_grad_() for x in _chain_inputs())

        def step() -> Any:
            a.grad = b.grad = None
            _chain(a, b).backward()
            return a.grad

        return step

    def numpy_setup() -> Thunk:
        a, b = _chain_inputs()
        return lambda: _chain_numpy(a, b)

    def torch_setup() -> Thunk:
        torch = optional_torch()
        a, b = (torch.from_numpy(x).requires_grad_() for x in _chain_inputs())

        def step() -> Any:
            a.grad = b.grad = None
            _chain(a, b).backward()
            return a.grad

        return step

    return {"ember": ember_setup, "numpy": numpy_setup, "torch": torch_setup}


# -- the MLP ---------------------------------------------------------------------------------------

def _mlp_inputs() -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Input batch, one-hot targets, and (w1, b1, w2, b2, w3, b3) with PyTorch Linear's init scale."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal((BATCH, SIZES[0]), dtype=np.float32)
    onehot = np.zeros((BATCH, SIZES[-1]), dtype=np.float32)
    onehot[np.arange(BATCH), rng.integers(0, SIZES[-1], BATCH)] = 1
    params = []
    for fan_in, fan_out in itertools.pairwise(SIZES):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return x, onehot, params


def _mlp_loss(x: Any, onehot: Any, params: list[Any]) -> Any:
    """Forward with raw ops (Ember and PyTorch spell them alike); mean cross-entropy."""
    w1, b1, w2, b2, w3, b3 = params
    h = (x @ w1 + b1).relu()
    h = (h @ w2 + b2).relu()
    logits = h @ w3 + b3
    return -(logits.log_softmax(dim=1) * onehot).sum() / x.shape[0]


def _mlp_numpy(x: np.ndarray, onehot: np.ndarray, params: list[np.ndarray]) -> np.ndarray:
    """Hand-written forward and backward; returns w1's gradient (all six are computed)."""
    w1, b1, w2, b2, w3, b3 = params
    z1 = x @ w1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ w2 + b2
    h2 = np.maximum(z2, 0)
    z3 = h2 @ w3 + b3
    shifted = z3 - z3.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    _loss = -((shifted - np.log(s)) * onehot).sum() / x.shape[0]
    g3 = (e / s - onehot) / np.float32(x.shape[0])
    _gw3, _gb3 = h2.T @ g3, g3.sum(axis=0)
    g2 = (g3 @ w3.T) * (z2 > 0)
    _gw2, _gb2 = h1.T @ g2, g2.sum(axis=0)
    g1 = (g2 @ w2.T) * (z1 > 0)
    _gb1 = g1.sum(axis=0)
    return x.T @ g1


def _mlp_setups() -> dict[str, Callable[[], Thunk]]:
    def ember_setup() -> Thunk:
        import ember

        x, onehot, params = _mlp_inputs()
        xt, ot = ember.from_numpy(x), ember.from_numpy(onehot)
        ps = [ember.from_numpy(p).requires_grad_() for p in params]

        def step() -> Any:
            for p in ps:
                p.grad = None
            _mlp_loss(xt, ot, ps).backward()
            return ps[0].grad

        return step

    def numpy_setup() -> Thunk:
        x, onehot, params = _mlp_inputs()
        return lambda: _mlp_numpy(x, onehot, params)

    def torch_setup() -> Thunk:
        torch = optional_torch()
        x, onehot, params = _mlp_inputs()
        xt, ot = torch.from_numpy(x), torch.from_numpy(onehot)
        ps = [torch.from_numpy(p).requires_grad_() for p in params]

        def step() -> Any:
            for p in ps:
                p.grad = None
            _mlp_loss(xt, ot, ps).backward()
            return ps[0].grad

        return step

    return {"ember": ember_setup, "numpy": numpy_setup, "torch": torch_setup}


def _mlp_flops() -> float:
    """Forward GEMMs, and two per layer backward but the input gradient of the first."""
    gemm = [2.0 * BATCH * i * o for i, o in itertools.pairwise(SIZES)]
    return 3 * sum(gemm) - gemm[0]


def workloads() -> list[Workload]:
    """``autograd.chain10`` (target: ember <= torch) and ``autograd.mlp`` (target: ember <= 1.2x numpy)."""
    return [
        Workload(
            "autograd.chain10", _chain_setups(), target=CHAIN_TARGET, rtol=1e-5, atol=1e-6,
            description="10 ops on 4x4 float32 + backward (numpy: hand-derived backward)",
        ),
        Workload(
            "autograd.mlp", _mlp_setups(), flops=_mlp_flops(), target=MLP_TARGET, rtol=1e-4, atol=1e-6,
            settle_s=SETTLE_S, min_calls=STEP_CALLS, warm_calls=STEP_WARM_CALLS,
            description="MLP 784-256-256-10, batch 128, forward + backward (numpy: by hand)",
        ),
    ]
