"""2-D convolution, forward and forward + both gradients, float32.

Shapes: a ResNet-style 3x3 layer (N=32, 64 -> 64 channels, 56x56, padding 1), the
layer PERF-NOTES.md measured, and LeNet's two 5x5 layers (batch 64). The issue's
target: ResNet conv2d forward + backward at most 2x PyTorch's CPU time.

"Forward + backward" is the output and both gradients for a given output gradient:
PyTorch through ``torch.autograd.grad``; Ember through ``conv2d`` and the gradient
helpers its autograd rule calls (``conv2d_input``, ``conv2d_weight``; the same
kernels); NumPy through the fastest hand-written formulation we know
(PERF-NOTES.md): windows copied into a ``(C, kh, kw | N, Ho, Wo)`` buffer and one
GEMM, the weight gradient from that buffer, the input gradient as a transposed
convolution (stride 1, large layers) or col2im (small layers). Thunks return a
small strided sample of all three results (the agreement check compares it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from harness import Target, Thunk, Workload, optional_torch
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["workloads", "TARGET"]

#: The issue's goal: conv2d forward + backward at most 2x PyTorch's CPU time.
TARGET = Target("ember", "torch", 2.0)
# Multi-threaded BLAS / OpenMP pools spin after a call; see matmul.py.
SETTLE_S = 0.12

Layer = tuple[int, int, int, int, int, int]  # N, Cin, H(=W), Cout, k, padding
RESNET: Layer = (32, 64, 56, 64, 3, 1)
LENET1: Layer = (64, 1, 32, 6, 5, 0)
LENET2: Layer = (64, 6, 14, 16, 5, 0)


def _inputs(layer: Layer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, c, h, co, k, p = layer
    rng = np.random.default_rng(h * 1000 + c)
    ho = h + 2 * p - k + 1
    scale = 1.0 / np.sqrt(c * k * k)
    return (
        rng.standard_normal((n, c, h, h), dtype=np.float32),
        (rng.standard_normal((co, c, k, k)) * scale).astype(np.float32),
        rng.standard_normal((n, co, ho, ho), dtype=np.float32),
    )


def _sample(y: Any, gx: Any, gw: Any, cat: Callable[[list[Any]], Any]) -> Any:
    """A strided sample of the three results, flattened into one array (cheap: views, then ~10^5 elements)."""
    return cat([y[:, :, ::8, ::8].reshape(-1), gx[:, :, ::8, ::8].reshape(-1), gw.reshape(-1)])


# -- hand-written NumPy ------------------------------------------------------------------------------------

def _np_unroll(x: np.ndarray, k: int, p: int) -> np.ndarray:
    n, c, h, _ = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else x
    ho = h + 2 * p - k + 1
    cols = np.empty((c, k, k, n, ho, ho), x.dtype)
    np.copyto(cols, sliding_window_view(xp, (k, k), axis=(2, 3)).transpose(1, 4, 5, 0, 2, 3))
    return cols.reshape(c * k * k, n * ho * ho)


def _np_conv(x: np.ndarray, w: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    co, k = w.shape[0], w.shape[2]
    cols = _np_unroll(x, k, p)
    ho = x.shape[2] + 2 * p - k + 1
    y = (w.reshape(co, -1) @ cols).reshape(co, x.shape[0], ho, ho).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(y), cols


def _np_forward(layer: Layer) -> Thunk:
    x, w, _ = _inputs(layer)
    p = layer[5]
    return lambda: _np_conv(x, w, p)[0]


def _np_step(layer: Layer) -> Thunk:
    x, w, gy = _inputs(layer)
    n, c, h, co, k, p = layer

    def step() -> np.ndarray:
        y, cols = _np_conv(x, w, p)
        g2 = np.ascontiguousarray(gy.transpose(1, 0, 2, 3)).reshape(co, -1)     # (Cout, N*Ho*Wo)
        gw = np.ascontiguousarray((cols @ g2.T).T).reshape(w.shape)   # faster orientation (see ember_cpu._conv)
        if c * k * k * g2.shape[1] > 1 << 22:
            # Transposed convolution: pad by k-1-p, flipped weights with in/out swapped.
            wt = np.ascontiguousarray(w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
            gx = _np_conv(gy, wt, k - 1 - p)[0]
        else:
            gcols = (w.reshape(co, -1).T @ g2).reshape(c, k, k, n, h + 2 * p - k + 1, -1)
            acc = np.zeros((c, n, h + 2 * p, h + 2 * p), x.dtype)
            ho = gcols.shape[4]
            for i in range(k):
                for j in range(k):
                    acc[:, :, i:i + ho, j:j + ho] += gcols[:, i, j]
            gx = np.ascontiguousarray(acc[:, :, p:p + h, p:p + h].transpose(1, 0, 2, 3))
        return _sample(y, gx, gw, np.concatenate)

    return step


# -- Ember and PyTorch -------------------------------------------------------------------------------------------

def _ember_forward(layer: Layer) -> Thunk:
    import ember

    x, w, _ = (ember.from_numpy(a) for a in _inputs(layer))
    p = layer[5]
    return lambda: ember.conv2d(x, w, padding=p)


def _ember_step(layer: Layer) -> Thunk:
    import ember
    from ember._nnops.conv import conv2d_input, conv2d_weight

    x, w, gy = (ember.from_numpy(a) for a in _inputs(layer))
    p = layer[5]

    def step() -> Any:
        y = ember.conv2d(x, w, padding=p)
        gw = conv2d_weight(x, w.shape, gy, padding=p)
        gx = conv2d_input(x.shape, w, gy, padding=p)
        return _sample(y, gx, gw, ember.cat)

    return step


def _torch_forward(layer: Layer) -> Thunk:
    torch = optional_torch()
    x, w, _ = (torch.from_numpy(a) for a in _inputs(layer))
    p = layer[5]
    return lambda: torch.nn.functional.conv2d(x, w, padding=p)


def _torch_step(layer: Layer) -> Thunk:
    torch = optional_torch()
    x, w, gy = (torch.from_numpy(a) for a in _inputs(layer))
    x.requires_grad_(True)
    w.requires_grad_(True)
    p = layer[5]

    def step() -> Any:
        y = torch.nn.functional.conv2d(x, w, padding=p)
        gx, gw = torch.autograd.grad(y, (x, w), gy)
        return _sample(y.detach(), gx, gw, torch.cat)

    return step


def _pair(name: str, layer: Layer, quick: bool, target: Target | None, what: str) -> list[Workload]:
    n, c, h, co, k, p = layer
    ho = h + 2 * p - k + 1
    flops = 2.0 * n * co * c * k * k * ho * ho
    shape = f"N={n}, {c}->{co}, {h}x{h}, {k}x{k}" + (f" pad {p}" if p else "")
    # float32 sums of C*k*k (forward, input gradient) and N*Ho*Wo (weight gradient) products,
    # added in different orders by each library.
    tol = {"rtol": 2e-3, "atol": 2e-3 * float(np.sqrt(n * ho * ho))}
    return [
        Workload(
            f"conv.{name}", {"ember": lambda: _ember_forward(layer), "numpy": lambda: _np_forward(layer),
                             "torch": lambda: _torch_forward(layer)},
            flops=flops, quick=quick, settle_s=SETTLE_S, description=f"conv2d forward, {what} ({shape})", **tol,
        ),
        Workload(
            f"conv.{name}_fb", {"ember": lambda: _ember_step(layer), "numpy": lambda: _np_step(layer),
                                "torch": lambda: _torch_step(layer)},
            flops=3 * flops, target=target, quick=quick, settle_s=SETTLE_S,
            description=f"conv2d forward + input and weight gradients, {what} ({shape})", **tol,
        ),
    ]


def workloads() -> list[Workload]:
    """``conv.resnet`` / ``conv.resnet_fb`` (targeted; full runs only) and LeNet's two layers."""
    return [
        *_pair("lenet1", LENET1, True, None, "LeNet conv1"),
        *_pair("lenet2", LENET2, True, None, "LeNet conv2"),
        *_pair("resnet", RESNET, False, TARGET, "ResNet 3x3 layer"),
    ]
