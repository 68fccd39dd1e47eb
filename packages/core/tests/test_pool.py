"""Pooling: max (with indices), average, adaptive average and adaptive max, 1-3 dims.

Values and indices are compared with loop-by-loop NumPy transcriptions of PyTorch's
CPU kernels (first maximum wins, the last NaN wins, padding is never chosen, average
divisors with count_include_pad / divisor_override / ceil_mode), for the public ops
(the backend's kernels) and for the reference kernels themselves. Gradients are
checked against central finite differences in float64. Expected errors were captured
from PyTorch 2.13.
"""

from __future__ import annotations

import itertools
import math
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember._nnops import pool as P
from ember.backends._optional import OPTIONAL_KERNELS

PROPERTY = settings(max_examples=40, deadline=None)
raises = partial(raises_exactly, numpy_phrases=("numpy", "ufunc", "axis", "broadcast"))

MAX = {1: ember.max_pool1d, 2: ember.max_pool2d, 3: ember.max_pool3d}
AVG = {1: ember.avg_pool1d, 2: ember.avg_pool2d, 3: ember.avg_pool3d}
ADAPTIVE_AVG = {1: ember.adaptive_avg_pool1d, 2: ember.adaptive_avg_pool2d, 3: ember.adaptive_avg_pool3d}
ADAPTIVE_MAX = {1: ember.adaptive_max_pool1d, 2: ember.adaptive_max_pool2d, 3: ember.adaptive_max_pool3d}


# -- loop transcriptions of PyTorch's kernels (tests only) ---------------------------------------

def out_size(size: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    eff = d * (k - 1) + 1
    o = (size + 2 * p - eff + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= size + p:
        o -= 1
    return o


def np_max_pool(x: np.ndarray, k: tuple, s: tuple, p: tuple, d: tuple, ceil: bool) -> tuple[np.ndarray, np.ndarray]:
    n = len(k)
    batch, size = x.shape[:-n], x.shape[-n:]
    out = tuple(out_size(*a, ceil) for a in zip(size, k, s, p, d, strict=True))
    values = np.empty(batch + out, x.dtype)
    indices = np.empty(batch + out, np.int64)
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    for b in np.ndindex(*batch):
        for o in np.ndindex(*out):
            start = [oi * si - pi for oi, si, pi in zip(o, s, p, strict=True)]
            first = [st_ + (-(st_) + di - 1) // di * di if st_ < 0 else st_ for st_, di in zip(start, d, strict=True)]
            # PyTorch's initial index: the first element not left of the plane (past its end
            # when the window holds padding only).
            best, where = lowest, sum(f * math.prod(size[i + 1:]) for i, f in enumerate(first))
            for j in np.ndindex(*k):
                pos = [st_ + ji * di for st_, ji, di in zip(start, j, d, strict=True)]
                if not all(0 <= q < L for q, L in zip(pos, size, strict=True)):
                    continue
                v = x[b + tuple(pos)]
                if v > best or (x.dtype.kind == "f" and np.isnan(v)):
                    best, where = v, int(np.ravel_multi_index(pos, size))
            values[b + o], indices[b + o] = best, where
    return values, indices


def np_avg_pool(x: np.ndarray, k: tuple, s: tuple, p: tuple, ceil: bool, include: bool, override: Any) -> np.ndarray:
    n = len(k)
    batch, size = x.shape[:-n], x.shape[-n:]
    out = tuple(out_size(*a, 1, ceil) for a in zip(size, k, s, p, strict=True))
    result = np.empty(batch + out, x.dtype)
    for b in np.ndindex(*batch):
        for o in np.ndindex(*out):
            lo = [oi * si - pi for oi, si, pi in zip(o, s, p, strict=True)]
            hi = [min(l_ + ki, L + pi) for l_, ki, L, pi in zip(lo, k, size, p, strict=True)]
            pool = math.prod(h - l_ for l_, h in zip(lo, hi, strict=True))
            lo = [max(l_, 0) for l_ in lo]
            hi = [min(h, L) for h, L in zip(hi, size, strict=True)]
            region = x[b + tuple(slice(l_, h) for l_, h in zip(lo, hi, strict=True))]
            div = override if override is not None else pool if include else region.size
            total = region.sum(dtype=np.float64)
            result[b + o] = math.trunc(total / div) if x.dtype.kind == "i" else total / div
    return result


def windows(size: int, out: int) -> list[tuple[int, int]]:
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def np_adaptive(x: np.ndarray, out: tuple, how: str) -> tuple[np.ndarray, np.ndarray]:
    n = len(out)
    batch, size = x.shape[:-n], x.shape[-n:]
    values = np.empty(batch + out, x.dtype)
    indices = np.zeros(batch + out, np.int64)
    wins = [windows(L, o) for L, o in zip(size, out, strict=True)]
    for b in np.ndindex(*batch):
        for o in np.ndindex(*out):
            bounds = [wins[d][o[d]] for d in range(n)]
            if how == "avg":
                values[b + o] = x[b + tuple(slice(lo, hi) for lo, hi in bounds)].mean(dtype=np.float64)
                continue
            best, where = -np.inf, None
            for pos in itertools.product(*(range(lo, hi) for lo, hi in bounds)):
                v = x[b + pos]
                if where is None or v > best or np.isnan(v):
                    best, where = v, int(np.ravel_multi_index(pos, size))
            values[b + o], indices[b + o] = best, where
    return values, indices


# -- strategies ---------------------------------------------------------------------------------

@st.composite
def max_cases(draw: st.DrawFn, ints: bool = True) -> tuple[np.ndarray, tuple, tuple, tuple, tuple, bool]:
    n = draw(st.integers(1, 3))
    k = tuple(draw(st.integers(1, 3)) for _ in range(n))
    d = tuple(draw(st.integers(1, 2)) for _ in range(n))
    s = tuple(draw(st.integers(1, 3)) for _ in range(n))
    p = tuple(draw(st.integers(0, ((ki - 1) * di + 1) // 2)) for ki, di in zip(k, d, strict=True))
    ceil = draw(st.booleans())
    size = tuple(draw(st.integers(max(1, (ki - 1) * di + 1 - 2 * pi), 6)) for ki, di, pi in zip(k, d, p, strict=True))
    batch = draw(st.sampled_from([(), (2,), (0, 2), (2, 3)] if n < 3 else [(), (1,), (2, 1)]))
    if not batch:
        batch = (2,)  # unbatched: (C, *spatial)
    dt = draw(st.sampled_from([np.float32, np.float64, np.int64] if ints else [np.float32, np.float64]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, batch + size).astype(dt)  # small ints: many ties
    if dt != np.int64 and draw(st.booleans()):
        x[rng.random(x.shape) < 0.1] = np.nan
        x[rng.random(x.shape) < 0.1] = -np.inf
    return x, k, s, p, d, ceil


def check(out: ember.Tensor, expected: np.ndarray) -> None:
    assert out.dtype is ember.from_numpy(np.empty(0, expected.dtype)).dtype
    assert tuple(out.shape) == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6, atol=1e-6, equal_nan=True)


# -- max pooling ---------------------------------------------------------------------------------

@PROPERTY
@given(max_cases())
def test_max_pool_matches_torch_loops(case: tuple) -> None:
    x, k, s, p, d, ceil = case
    n = len(k)
    values, indices = MAX[n](ember.from_numpy(x), k, s, p, d, ceil, return_indices=True)
    ev, ei = np_max_pool(x, k, s, p, d, ceil)
    check(values, ev)
    assert indices.dtype is ember.int64
    np.testing.assert_array_equal(indices.numpy(), ei)
    check(MAX[n](ember.from_numpy(x), k, s, p, d, ceil), ev)  # the values-only path


@PROPERTY
@given(max_cases())
def test_max_pool_reference_kernel(case: tuple) -> None:
    x, k, s, p, d, ceil = case
    bk = ember.from_numpy(x)._backend
    values, indices = OPTIONAL_KERNELS["max_pool"].reference(bk, x, k, s, p, d, ceil)
    ev, ei = np_max_pool(x, k, s, p, d, ceil)
    np.testing.assert_array_equal(values, ev)
    np.testing.assert_array_equal(indices, ei)


def test_max_pool_ties_nan_and_padding() -> None:
    nan, inf = math.nan, math.inf
    x = ember.tensor([[1.0, nan, 2.0, nan, 0.0]])
    assert MAX[1](x, 5, return_indices=True)[1].tolist() == [[3]]  # last NaN, as torch
    x = ember.tensor([[2.0, 2.0, 1.0, 2.0]])
    assert MAX[1](x, 4, return_indices=True)[1].tolist() == [[0]]  # first maximum
    x = ember.tensor([[-inf, -inf, -inf]])
    v, i = MAX[1](x, 2, stride=1, padding=1, return_indices=True)
    assert v.tolist() == [[-inf] * 4] and i.tolist() == [[0, 0, 1, 2]]  # padding never chosen
    x = ember.tensor([[[-(2**63), -(2**63)]]])
    assert MAX[2](x, (1, 2), stride=1, padding=(0, 1), return_indices=True)[1].tolist() == [[[0, 0, 1]]]


def test_max_pool_shapes_and_defaults() -> None:
    x = ember.arange(16.0).view(1, 4, 4)
    assert MAX[2](x, 2).tolist() == [[[5.0, 7.0], [13.0, 15.0]]]  # stride defaults to kernel_size
    assert MAX[2](x, 2, ()).shape == (1, 2, 2)
    assert tuple(MAX[2](ember.ones(0, 3, 4, 4), 2).shape) == (0, 3, 2, 2)
    assert tuple(MAX[2](ember.ones(1, 1, 5, 5), 2, ceil_mode=True).shape) == (1, 1, 3, 3)
    _v, i = P.max_pool2d_with_indices(x, 2)
    assert i.dtype is ember.int64 and i.tolist() == [[[5, 7], [13, 15]]]
    assert MAX[1](ember.tensor([[1.0, 3.0, 2.0, 5.0]]), 2).tolist() == [[3.0, 5.0]]


@pytest.mark.parametrize("layout", ["transposed", "stepped", "expanded"])
def test_max_and_avg_pool_non_contiguous(layout: str) -> None:
    base = np.random.default_rng(3).standard_normal((2, 3, 9, 8))
    t = ember.from_numpy(base.copy())
    if layout == "transposed":
        t, a = t.transpose(2, 3), base.transpose(0, 1, 3, 2)
    elif layout == "stepped":
        t, a = t[:, ::2, 1::2, ::3], base[:, ::2, 1::2, ::3]
    else:
        t, a = t[:, :1].expand(2, 4, 9, 8), np.broadcast_to(base[:, :1], (2, 4, 9, 8))
    assert not t.is_contiguous()
    k = (2, 2) if layout != "stepped" else (2, 1)
    v, i = MAX[2](t, k, 1, 1 if layout != "stepped" else (1, 0), return_indices=True)
    ev, ei = np_max_pool(np.ascontiguousarray(a), k, (1, 1), (1, 1) if layout != "stepped" else (1, 0), (1, 1), False)
    check(v, ev)
    np.testing.assert_array_equal(i.numpy(), ei)
    check(AVG[2](t, k, 1, 0, True, False), np_avg_pool(np.ascontiguousarray(a), k, (1, 1), (0, 0), True, False, None))


# -- average pooling -----------------------------------------------------------------------------

@st.composite
def avg_cases(draw: st.DrawFn) -> tuple:
    x, k, s, p, _, ceil = draw(max_cases())
    x = np.nan_to_num(x, nan=0.5, neginf=-2.0)
    p = tuple(min(pi, ki // 2) for pi, ki in zip(p, k, strict=True))  # no dilation: padding up to half the kernel
    include = draw(st.booleans())
    override = draw(st.sampled_from([None, None, 3, -2])) if len(k) > 1 else None
    return x, k, s, p, ceil, include, override


@PROPERTY
@given(avg_cases())
def test_avg_pool_matches_torch_loops(case: tuple) -> None:
    x, k, s, p, ceil, include, override = case
    n = len(k)
    args = (k, s, p, ceil, include) + ((override,) if n > 1 else ())
    expected = np_avg_pool(x, k, s, p, ceil, include, override)
    check(AVG[n](ember.from_numpy(x), *args), expected)
    bk = ember.from_numpy(x)._backend
    ref = OPTIONAL_KERNELS["avg_pool"].reference(bk, x, k, s, p, ceil, include, override)
    np.testing.assert_allclose(ref, expected, rtol=1e-6, atol=1e-6)
    assert ref.dtype == x.dtype


def test_avg_pool_known_values() -> None:
    ones = ember.ones(1, 1, 5, 5)
    out = AVG[2](ones, 3, stride=2, padding=1, ceil_mode=True)
    np.testing.assert_allclose(out.numpy()[0, 0, 0], [4 / 9, 6 / 9, 4 / 9], rtol=1e-6)
    assert AVG[2](ones, 3, 2, 1, True, False).tolist() == [[[[1.0] * 3] * 3]]
    assert AVG[2](ones, 3, 2, 1, True, True, 2)[0, 0, 1, 1].item() == 4.5
    assert AVG[2](ember.tensor([[[[-1, -2], [0, 0]]]]), 2).tolist() == [[[[0]]]]  # int64 truncates to zero
    assert AVG[1](ember.tensor([[1.0, 3.0, 2.0, 6.0]]), 2).tolist() == [[2.0, 4.0]]
    half = AVG[2](ember.ones(1, 4, 4, dtype=ember.float16), 2)
    assert half.dtype is ember.float16


# -- adaptive pooling ----------------------------------------------------------------------------

@st.composite
def adaptive_cases(draw: st.DrawFn) -> tuple[np.ndarray, tuple, Any]:
    n = draw(st.integers(1, 3))
    size = tuple(draw(st.integers(1, 7)) for _ in range(n))
    out = tuple(draw(st.integers(0 if n > 1 else 1, 8)) for _ in range(n))
    batch = draw(st.sampled_from([(2,), (0, 2), (2, 2)]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.integers(-3, 4, batch + size).astype(draw(st.sampled_from([np.float32, np.float64])))
    if draw(st.booleans()):
        x[rng.random(x.shape) < 0.1] = np.nan
    arg: Any = out
    if n > 1 and draw(st.booleans()):
        arg = tuple(None if i == 0 else o for i, o in enumerate(out))
        out = (size[0], *out[1:])
    return x, out, arg


@PROPERTY
@given(adaptive_cases())
def test_adaptive_pools_match_torch_loops(case: tuple) -> None:
    x, out, arg = case
    n = len(out)
    ev, _ = np_adaptive(x, out, "avg")
    check(ADAPTIVE_AVG[n](ember.from_numpy(x), arg), ev)
    mv, mi = np_adaptive(x, out, "max")
    v, i = ADAPTIVE_MAX[n](ember.from_numpy(x), arg, return_indices=True)
    check(v, mv)
    np.testing.assert_array_equal(i.numpy(), mi)
    bk = ember.from_numpy(x)._backend
    np.testing.assert_allclose(
        OPTIONAL_KERNELS["adaptive_avg_pool"].reference(bk, x, out), ev, rtol=1e-5, atol=1e-6, equal_nan=True
    )
    rv, ri = OPTIONAL_KERNELS["adaptive_max_pool"].reference(bk, x, out)
    np.testing.assert_array_equal(rv, mv)
    np.testing.assert_array_equal(ri, mi)


def test_adaptive_known_values() -> None:
    x = ember.tensor([[1.0, 2.0, 3.0, 4.0, 5.0]])
    np.testing.assert_allclose(ADAPTIVE_AVG[1](x, 2).numpy(), [[2.0, 4.0]])  # windows [0, 3) and [2, 5)
    assert ADAPTIVE_MAX[1](ember.tensor([[1.0, 3.0, 2.0, 5.0, 4.0]]), 2).tolist() == [[3.0, 5.0]]
    assert tuple(ADAPTIVE_AVG[2](ember.ones(2, 3, 8, 8), (None, 3)).shape) == (2, 3, 8, 3)
    assert tuple(ADAPTIVE_AVG[2](ember.ones(2, 0, 4, 4), 2).shape) == (2, 0, 2, 2)
    v, i = P.adaptive_max_pool2d_with_indices(ember.arange(16.0).view(1, 4, 4), 1)
    assert v.tolist() == [[[15.0]]] and i.tolist() == [[[15]]]


# -- gradients: finite differences in float64 ----------------------------------------------------

def numeric_grad(f: Any, x: np.ndarray, g: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for pos in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[pos] += eps
        down[pos] -= eps
        grad[pos] = ((f(up) - f(down)) * g).sum() / (2 * eps)
    return grad


@pytest.mark.parametrize(("n", "k", "s", "p", "d", "ceil"), [
    (1, 3, 2, 1, 1, True), (2, 2, 2, 0, 1, False), (2, 3, 2, 1, 1, False), (2, 3, 1, 1, 1, True),
    (2, (2, 3), (1, 2), (1, 0), (2, 1), True), (3, 2, 1, 1, 1, False),
])
def test_max_pool_backward_finite_differences(n: int, k: Any, s: Any, p: Any, d: Any, ceil: bool) -> None:
    rng = np.random.default_rng(n)
    x = rng.permutation(2 * 4**n).reshape((2,) + (4,) * n).astype(np.float64)  # distinct values: no ties
    v, i = MAX[n](ember.from_numpy(x), k, s, p, d, ceil, return_indices=True)
    g = rng.standard_normal(tuple(v.shape))
    backward = getattr(P, f"max_pool{n}d_backward")
    grad = backward(ember.from_numpy(g), ember.from_numpy(x), i, k, s, p, d, ceil)
    expected = numeric_grad(lambda a: MAX[n](ember.from_numpy(a), k, s, p, d, ceil).numpy(), x, g, eps=1e-3)
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(backward(ember.from_numpy(g), ember.from_numpy(x), None, k, s, p, d, ceil).numpy(), expected)
    bk = ember.from_numpy(x)._backend
    ref = OPTIONAL_KERNELS["max_pool_backward"].reference(bk, g, i.numpy(), x.shape[1:])
    np.testing.assert_allclose(ref, expected, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(("n", "k", "s", "p", "ceil", "include", "override"), [
    (1, 3, 2, 1, True, True, None), (2, 2, 2, 0, False, True, None), (2, 3, 2, 1, True, False, None),
    (2, 3, 1, 1, False, True, 4), (2, (3, 2), (2, 1), (1, 1), True, True, None), (3, 2, 1, 1, True, False, None),
])
def test_avg_pool_backward_finite_differences(n: int, k: Any, s: Any, p: Any, ceil: bool, include: bool, override: Any) -> None:
    rng = np.random.default_rng(n)
    x = rng.standard_normal((2,) + (4,) * n)
    extra = (override,) if n > 1 else ()
    y = AVG[n](ember.from_numpy(x), k, s, p, ceil, include, *extra)
    g = rng.standard_normal(tuple(y.shape))
    backward = getattr(P, f"avg_pool{n}d_backward")
    grad = backward(ember.from_numpy(g), ember.from_numpy(x), k, s, p, ceil, include, *extra)
    expected = numeric_grad(lambda a: AVG[n](ember.from_numpy(a), k, s, p, ceil, include, *extra).numpy(), x, g)
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-6, atol=1e-8)
    bk = ember.from_numpy(x)._backend
    kt, st_, pt = P._ints(k, n, "k", "t"), P._ints(s, n, "s", "t"), P._ints(p, n, "p", "t")
    ref = OPTIONAL_KERNELS["avg_pool_backward"].reference(bk, g, x.shape[1:], kt, st_, pt, ceil, include, override)
    np.testing.assert_allclose(ref, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(("size", "out"), [((7,), (3,)), ((6, 5), (3, 2)), ((4, 4), (4, 4)), ((5, 3), (7, 2)),
                                           ((3, 4, 5), (2, 2, 3)), ((6, 6), (1, 1))])
def test_adaptive_backward_finite_differences(size: tuple, out: tuple) -> None:
    n = len(size)
    rng = np.random.default_rng(n)
    x = rng.permutation(2 * math.prod(size)).reshape((2, *size)).astype(np.float64)
    g = rng.standard_normal((2, *out))
    xt, gt = ember.from_numpy(x), ember.from_numpy(g)
    grad = getattr(P, f"adaptive_avg_pool{n}d_backward")(gt, xt)
    expected = numeric_grad(lambda a: ADAPTIVE_AVG[n](ember.from_numpy(a), out).numpy(), x, g)
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-6, atol=1e-8)
    _, i = ADAPTIVE_MAX[n](xt, out, return_indices=True)
    grad = getattr(P, f"adaptive_max_pool{n}d_backward")(gt, xt, i)
    expected = numeric_grad(lambda a: ADAPTIVE_MAX[n](ember.from_numpy(a), out).numpy(), x, g, eps=1e-3)
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-7, atol=1e-9)
    bk = xt._backend
    ref = OPTIONAL_KERNELS["adaptive_avg_pool_backward"].reference(bk, g, size)
    np.testing.assert_allclose(ref, getattr(P, f"adaptive_avg_pool{n}d_backward")(gt, xt).numpy(), rtol=1e-7)


# -- errors (PyTorch 2.13's types and wording) ---------------------------------------------------

X = ember.ones(2, 3, 8, 8)


@pytest.mark.parametrize(("call", "exc", "fragment"), [
    (lambda: ember.max_pool2d(X, 3, padding=2), RuntimeError,
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1"),
    (lambda: ember.avg_pool2d(X, 3, padding=2), RuntimeError, "pad should be at most half of effective kernel size"),
    (lambda: ember.max_pool2d(X, 0), RuntimeError, "stride should not be zero"),
    (lambda: ember.max_pool2d(X, 2, 0), RuntimeError, "stride should not be zero"),
    (lambda: ember.max_pool2d(X, 0, 1), RuntimeError, "kernel size should be greater than zero, but got kH: 0 kW: 0"),
    (lambda: ember.max_pool2d(X, 2, -1), RuntimeError, "stride should be greater than zero, but got dH: -1 dW: -1"),
    (lambda: ember.max_pool2d(X, 2, dilation=0), RuntimeError, "dilation should be greater than zero"),
    (lambda: ember.max_pool2d(X, 2, padding=-1), RuntimeError, "pad must be non-negative, but got pad: -1"),
    (lambda: ember.max_pool2d(X, 9), RuntimeError,
     "Given input size: (3x8x8). Calculated output size: (3x0x0). Output size is too small"),
    (lambda: ember.avg_pool3d(X, 9), RuntimeError, "Output size is too small"),
    (lambda: ember.max_pool2d(X[0, 0], 2), RuntimeError, "Expected 3D or 4D (batch mode) tensor"),
    (lambda: ember.max_pool1d(X, 2), RuntimeError, "Expected 2D or 3D (batch mode) tensor"),
    (lambda: ember.max_pool2d(ember.ones(2, 0, 4, 4), 2), RuntimeError, "with optional 0 dim batch size"),
    (lambda: ember.max_pool2d(ember.ones(0, 4, 4), 2), RuntimeError, "but got: [0, 4, 4]"),
    (lambda: ember.max_pool2d(X, 2.0), TypeError, "argument 'kernel_size' must be tuple of ints, not float"),
    (lambda: ember.max_pool2d(X, True), TypeError, "must be tuple of ints, not bool"),
    (lambda: ember.max_pool2d(X, (2, 2, 2)), RuntimeError, "kernel_size must either be a single int, or a tuple of two ints"),
    (lambda: ember.max_pool2d(X, 2, (1, 1, 1)), RuntimeError, "stride must either be omitted"),
    (lambda: ember.max_pool2d(X, 2, padding=(1, 1, 1)), RuntimeError, "padding must either be a single int"),
    (lambda: ember.max_pool2d(X.bool(), 2), NotImplementedError, "not implemented for 'Bool'"),
    (lambda: ember.max_pool2d(X.to(ember.complex64), 2), NotImplementedError, "'ComplexFloat'"),
    (lambda: ember.avg_pool2d(X.int(), 2), NotImplementedError, "not implemented for 'Int'"),
    (lambda: ember.avg_pool2d(X, 2, divisor_override=0), RuntimeError, "divisor must be not zero"),
    (lambda: ember.avg_pool2d(X, 2, divisor_override=2.5), TypeError, "'divisor_override' must be int, not float"),
    (lambda: ember.adaptive_avg_pool2d(X.long(), 2), RuntimeError, "could not infer output dtype"),
    (lambda: ember.adaptive_avg_pool2d(X.to(ember.complex64), 2), NotImplementedError, "'ComplexFloat'"),
    (lambda: ember.adaptive_max_pool2d(X.long(), 2), NotImplementedError, "not implemented for 'Long'"),
    (lambda: ember.adaptive_avg_pool2d(X, (1, 2, 3)), RuntimeError, "output_size must be 2"),
    (lambda: ember.adaptive_avg_pool2d(X, -1), RuntimeError, "elements of output_size must be greater than or equal to 0"),
    (lambda: ember.adaptive_max_pool3d(X, -1), RuntimeError, "elements of output_size must be greater than or equal to 0"),
    (lambda: ember.adaptive_avg_pool2d(X, 2.0), TypeError, "must be tuple of ints, not float"),
    (lambda: ember.adaptive_avg_pool2d(X[0, 0], 2), RuntimeError, "Expected 3D or 4D tensor, but got [8, 8]"),
    (lambda: ember.adaptive_max_pool2d(ember.ones(2, 3, 0, 4), 2), RuntimeError,
     "non-zero size for non-batch dimensions, but input has sizes [2, 3, 0, 4] with dimension 2 being empty"),
    (lambda: ember.max_pool2d([[1.0]], 2), TypeError, "argument 'input' (position 1) must be Tensor, not list"),
    (lambda: ember.avg_pool1d(np.ones((2, 4)), 2), TypeError, "must be Tensor, not ndarray"),
])
def test_errors(call: Any, exc: type[BaseException], fragment: str) -> None:
    with raises(exc, fragment):
        call()


def test_backward_helpers_are_not_reexported() -> None:
    assert "max_pool2d_backward" not in ember.__all__ and not hasattr(ember, "max_pool2d_backward")
    for name in P.__all__:
        assert getattr(ember, name) is getattr(P, name)
