"""Helpers shared by the optimizer trajectory tests (NumPy references against Ember)."""

from __future__ import annotations

from typing import Any

import numpy as np

import ember


def random_data(dtype: Any, shapes: list[tuple[int, ...]], seed: int, steps: int) -> tuple[list[Any], list[list[Any]]]:
    """Random starting parameters of ``shapes`` and ``steps`` lists of gradients for them."""
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads_seq = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(steps)]
    return params, grads_seq


def run_optimizer(cls: Any, params: list[Any], grads_seq: list[list[Any]], **kw: Any) -> tuple[list[Any], Any]:
    """Step a ``cls`` optimizer over tensors made from ``params`` with the given gradients."""
    ps = [ember.tensor(p, requires_grad=True) for p in params]
    opt = cls(ps, **kw)
    for grads in grads_seq:
        for p, g in zip(ps, grads, strict=True):
            p.grad = ember.tensor(g)
        opt.step()
    return ps, opt


def check_close(got: list[Any], expected: list[Any], dtype: Any) -> None:
    """Each tensor of ``got`` has ``dtype`` and matches its NumPy reference."""
    tol = 1e-6 if dtype == np.float64 else 1e-5
    for g, e in zip(got, expected, strict=True):
        a = g.detach().numpy()
        assert a.dtype == dtype
        np.testing.assert_allclose(a, e, rtol=tol, atol=tol)
