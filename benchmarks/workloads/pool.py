"""Max pooling, forward and forward + backward, at LeNet and ResNet sizes.

The issue's target: Ember's max-pool no slower than PyTorch's. NumPy is the
fastest hand-written version we know (shared/PERF-NOTES.md): ``np.maximum`` over
the strided slices ``x[..., i::s, j::s]`` forward; backward writes the gradient
into the same slices, each element to the first slice that equals the maximum
(PyTorch's rule for ties). Ember's forward + backward calls the op with
``return_indices=True`` and the gradient helper the autograd package uses
(``ember._nnops.pool.max_pool2d_backward``), so it measures the kernels, not
autograd's bookkeeping; PyTorch's runs ``backward()`` on a tensor that requires grad.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
from harness import Target, Thunk, Workload, optional_torch

__all__ = ["workloads", "TARGET"]

#: The issue's goal: max pooling no slower than PyTorch's.
TARGET = Target("ember", "torch", 1.0)


def _input(shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(7).standard_normal(shape, dtype=np.float32)


def _out_size(size: int, k: int, s: int, p: int) -> int:
    return (size + 2 * p - k) // s + 1


def _numpy_views(x: np.ndarray, k: int, s: int, oh: int, ow: int) -> list[np.ndarray]:
    return [x[..., i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s] for i, j in itertools.product(range(k), range(k))]


def _numpy_forward(x: np.ndarray, k: int, s: int, p: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Hand-written max pooling: -inf padding, then a running np.maximum over the k*k slices."""
    if p:
        xp = np.full((*x.shape[:-2], x.shape[-2] + 2 * p, x.shape[-1] + 2 * p), -np.inf, dtype=x.dtype)
        xp[..., p:-p, p:-p] = x
    else:
        xp = x
    oh, ow = _out_size(x.shape[-2], k, s, p), _out_size(x.shape[-1], k, s, p)
    views = _numpy_views(xp, k, s, oh, ow)
    out = np.maximum(views[0], views[1])
    for v in views[2:]:
        np.maximum(out, v, out=out)
    return out, views


def _numpy_backward(x: np.ndarray, out: np.ndarray, views: list[np.ndarray], g: np.ndarray,
                    k: int, s: int, p: int) -> np.ndarray:
    """Each window's gradient to its first maximal slice (PyTorch's tie rule), summed where windows overlap."""
    shape = (*x.shape[:-2], x.shape[-2] + 2 * p, x.shape[-1] + 2 * p)
    grad = np.zeros(shape, dtype=x.dtype)
    oh, ow = out.shape[-2:]
    gviews = _numpy_views(grad, k, s, oh, ow)
    pending = np.ones(out.shape, dtype=bool)
    for v, gv in zip(views, gviews, strict=True):
        hit = (v == out) & pending
        pending &= ~hit
        gv += np.where(hit, g, 0)
    return grad[..., p:shape[-2] - p, p:shape[-1] - p] if p else grad


def _forward(shape: tuple[int, ...], k: int, s: int, p: int) -> dict[str, Callable[[], Thunk]]:
    def ember_setup() -> Thunk:
        import ember

        x = ember.from_numpy(_input(shape))
        return lambda: ember.max_pool2d(x, k, s, p)

    def numpy_setup() -> Thunk:
        x = _input(shape)
        return lambda: _numpy_forward(x, k, s, p)[0]

    def torch_setup() -> Thunk:
        torch = optional_torch()
        x = torch.from_numpy(_input(shape))
        return lambda: torch.nn.functional.max_pool2d(x, k, s, p)

    return {"ember": ember_setup, "numpy": numpy_setup, "torch": torch_setup}


def _forward_backward(shape: tuple[int, ...], k: int, s: int, p: int) -> dict[str, Callable[[], Thunk]]:
    oh, ow = _out_size(shape[-2], k, s, p), _out_size(shape[-1], k, s, p)
    gshape = (*shape[:-2], oh, ow)

    def grad_out() -> np.ndarray:
        return np.random.default_rng(8).standard_normal(gshape, dtype=np.float32)

    def ember_setup() -> Thunk:
        import ember
        from ember._nnops.pool import max_pool2d_backward

        x = ember.from_numpy(_input(shape))
        g = ember.from_numpy(grad_out())

        def step() -> Any:
            _, indices = ember.max_pool2d(x, k, s, p, return_indices=True)
            return max_pool2d_backward(g, x, indices, k, s, p)

        return step

    def numpy_setup() -> Thunk:
        x, g = _input(shape), grad_out()

        def step() -> Any:
            out, views = _numpy_forward(x, k, s, p)
            return _numpy_backward(x, out, views, g, k, s, p)

        return step

    def torch_setup() -> Thunk:
        torch = optional_torch()
        x = torch.from_numpy(_input(shape)).requires_grad_()
        g = torch.from_numpy(grad_out())

        def step() -> Any:
            x.grad = None
            torch.nn.functional.max_pool2d(x, k, s, p).backward(g)
            return x.grad

        return step

    return {"ember": ember_setup, "numpy": numpy_setup, "torch": torch_setup}


def workloads() -> list[Workload]:
    """``pool.max2d.lenet[.fwdbwd]`` (2x2/2 on 64x6x28x28) and ``pool.max2d.resnet[.fwdbwd]``
    (3x3/2 pad 1 on 32x64x112x112, full runs only)."""
    lenet, resnet = (64, 6, 28, 28), (32, 64, 112, 112)
    return [
        Workload("pool.max2d.lenet", _forward(lenet, 2, 2, 0), target=TARGET,
                 description="max_pool2d(x, 2), x 64x6x28x28 float32"),
        Workload("pool.max2d.lenet.fwdbwd", _forward_backward(lenet, 2, 2, 0), target=TARGET,
                 description="max_pool2d(x, 2) forward + input gradient, 64x6x28x28"),
        Workload("pool.max2d.resnet", _forward(resnet, 3, 2, 1), target=TARGET, quick=False,
                 description="max_pool2d(x, 3, 2, 1), x 32x64x112x112 float32"),
        # Overlapping windows: up to four gradients summed per element, in each library's order.
        Workload("pool.max2d.resnet.fwdbwd", _forward_backward(resnet, 3, 2, 1), target=TARGET, quick=False,
                 rtol=1e-5, atol=1e-6,
                 description="max_pool2d(x, 3, 2, 1) forward + input gradient, 32x64x112x112"),
    ]
