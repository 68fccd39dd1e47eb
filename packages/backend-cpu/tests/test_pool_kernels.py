"""The NumPy backend's pooling overrides agree with the reference kernels they replace.

Each override is compared with ``ember.backends.reference.pool``'s kernel on the
kernel's conformance samples and on random geometry (strides, padding, dilation,
ceil_mode, ties, NaN, -inf, non-contiguous input); results keep the input's dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.backends._optional import OPTIONAL_KERNELS
from ember_cpu import NumpyBackend

POOL_KERNELS = (
    "max_pool", "max_pool_backward", "avg_pool", "avg_pool_backward",
    "adaptive_avg_pool", "adaptive_avg_pool_backward", "adaptive_max_pool",
)
PROPERTY = settings(max_examples=60, deadline=None)


@pytest.fixture(scope="module")
def bk() -> NumpyBackend:
    return NumpyBackend()


def same(override: Any, reference: Any, exact: bool) -> None:
    override = override if isinstance(override, tuple) else (override,)
    reference = reference if isinstance(reference, tuple) else (reference,)
    assert len(override) == len(reference)
    for o, r in zip(override, reference, strict=True):
        assert isinstance(o, np.ndarray) and o.shape == r.shape and o.dtype == r.dtype
        if exact:
            np.testing.assert_array_equal(o, r)
        else:
            tol = 2e-3 if o.dtype == np.float16 else 1e-5  # overlapping windows: sums in another order
            np.testing.assert_allclose(o, r, rtol=tol, atol=tol / 10, equal_nan=True)


@pytest.mark.parametrize("name", POOL_KERNELS)
def test_overrides_match_reference_on_samples(bk: NumpyBackend, name: str) -> None:
    entry = OPTIONAL_KERNELS[name]
    assert entry.samples is not None and callable(getattr(bk, name))
    count = 0
    for args, kwargs in entry.samples(bk, np.random.default_rng(0)):
        same(getattr(bk, name)(*args, **kwargs), entry.reference(bk, *args, **kwargs), exact=name in ("max_pool", "adaptive_max_pool"))
        count += 1
    assert count >= 5


@st.composite
def geometry(draw: st.DrawFn, dilate: bool = True) -> tuple[tuple[int, ...], ...]:
    n = draw(st.integers(1, 3))
    k = tuple(draw(st.integers(1, 4)) for _ in range(n))
    d = tuple(draw(st.integers(1, 3)) if dilate else 1 for _ in range(n))
    s = tuple(draw(st.integers(1, 4)) for _ in range(n))
    p = tuple(draw(st.integers(0, ((ki - 1) * di + 1) // 2)) for ki, di in zip(k, d, strict=True))
    size = tuple(
        draw(st.integers(max(1, (ki - 1) * di + 1 - 2 * pi), 11)) for ki, di, pi in zip(k, d, p, strict=True)
    )
    batch = draw(st.sampled_from([(3,), (2, 2), (0, 3)]))
    return batch + size, k, s, p, d


def values(draw: st.DrawFn, shape: tuple[int, ...], dtype: Any, specials: bool) -> np.ndarray:
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.integers(-4, 5, shape).astype(dtype)  # ties everywhere
    if specials and x.dtype.kind == "f":
        x[rng.random(shape) < 0.08] = np.nan
        x[rng.random(shape) < 0.15] = -np.inf
    if draw(st.booleans()) and x.ndim >= 2:  # non-contiguous: the last two dims swapped back and forth
        x = np.swapaxes(np.ascontiguousarray(np.swapaxes(x, -1, -2)), -1, -2)
    return x


@PROPERTY
@given(st.data())
def test_max_pool_and_backward_match_reference(bk: NumpyBackend, data: st.DataObject) -> None:
    shape, k, s, p, d = data.draw(geometry())
    ceil = data.draw(st.booleans())
    dtype = data.draw(st.sampled_from([np.float32, np.float64, np.float16, np.int64, np.int8]))
    x = values(data.draw, shape, dtype, specials=True)
    ref = OPTIONAL_KERNELS["max_pool"].reference
    got = bk.max_pool(x, k, s, p, d, ceil)
    same(got, ref(bk, x, k, s, p, d, ceil), exact=True)
    np.testing.assert_array_equal(bk.max_pool(x, k, s, p, d, ceil, False)[0], got[0])
    if x.dtype.kind == "f":
        g = np.random.default_rng(1).standard_normal(got[0].shape).astype(x.dtype)
        n = len(k)
        fast = bk.max_pool_backward(g, got[1], shape[-n:], kernel_size=k, stride=s, padding=p, dilation=d)
        same(fast, OPTIONAL_KERNELS["max_pool_backward"].reference(bk, g, got[1], shape[-n:]), exact=False)


@PROPERTY
@given(st.data())
def test_avg_pool_and_backward_match_reference(bk: NumpyBackend, data: st.DataObject) -> None:
    shape, k, s, p, _ = data.draw(geometry(dilate=False))
    ceil, include = data.draw(st.booleans()), data.draw(st.booleans())
    override = data.draw(st.sampled_from([None, 2, -3]))
    dtype = data.draw(st.sampled_from([np.float32, np.float64, np.int64]))
    x = values(data.draw, shape, dtype, specials=False)
    args = (k, s, p, ceil, include, override)
    same(bk.avg_pool(x, *args), OPTIONAL_KERNELS["avg_pool"].reference(bk, x, *args), exact=False)
    if x.dtype.kind == "f":
        y = bk.avg_pool(x, *args)
        g = np.random.default_rng(2).standard_normal(y.shape).astype(x.dtype)
        n = len(k)
        same(
            bk.avg_pool_backward(g, shape[-n:], *args),
            OPTIONAL_KERNELS["avg_pool_backward"].reference(bk, g, shape[-n:], *args), exact=False,
        )


@PROPERTY
@given(st.data())
def test_adaptive_pools_match_reference(bk: NumpyBackend, data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 3))
    size = tuple(data.draw(st.integers(1, 8)) for _ in range(n))
    # Mostly sizes that divide evenly (the fast path), some that do not (the fallback).
    out = tuple(data.draw(st.sampled_from([o for o in range(1, s + 1) if s % o == 0] + [max(1, s - 1)])) for s in size)
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    x = values(data.draw, data.draw(st.sampled_from([(2,), (0, 2), (2, 3)])) + size, dtype, specials=True)
    same(bk.adaptive_avg_pool(x, out), OPTIONAL_KERNELS["adaptive_avg_pool"].reference(bk, x, out), exact=False)
    same(bk.adaptive_max_pool(x, out), OPTIONAL_KERNELS["adaptive_max_pool"].reference(bk, x, out), exact=True)
    g = np.random.default_rng(3).standard_normal(x.shape[: x.ndim - n] + out).astype(dtype)
    same(
        bk.adaptive_avg_pool_backward(g, size),
        OPTIONAL_KERNELS["adaptive_avg_pool_backward"].reference(bk, g, size), exact=False,
    )


def test_float32_stays_float32(bk: NumpyBackend) -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    v, i = bk.max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
    assert v.dtype == np.float32 and i.dtype == np.int64
    assert bk.avg_pool(x, (3, 3), (2, 2), (1, 1), True, False, None).dtype == np.float32
    assert bk.adaptive_avg_pool(x, (1, 1)).dtype == np.float32
    assert bk.adaptive_avg_pool(x.astype(np.float16), (3, 3)).dtype == np.float16
    g = np.ones((2, 3, 4, 4), np.float32)
    assert bk.max_pool_backward(g, i, (8, 8), kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1)).dtype == np.float32
    assert bk.avg_pool_backward(g, (8, 8), (2, 2), (2, 2), (0, 0), False, True, None).dtype == np.float32
    assert bk.adaptive_avg_pool_backward(g, (8, 8)).dtype == np.float32


def test_max_pool_2x2_first_maximum_and_gradient(bk: NumpyBackend) -> None:
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 0.0, 3.0]]]], dtype=np.float32)
    v, i = bk.max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
    assert v.tolist() == [[[[3.0, 3.0]]]] and i.tolist() == [[[[1, 2]]]]
    grad = bk.max_pool_backward(np.ones_like(v), i, (2, 4), kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1))
    assert grad.tolist() == [[[[0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]]


def test_large_input_pooled_in_parallel_blocks(bk: NumpyBackend) -> None:
    # Above the threading threshold (2**18 outputs): blocks of planes run on several threads.
    x = np.random.default_rng(5).integers(-20, 20, (16, 40, 56, 56)).astype(np.float32)
    x[3, 7, 10, 10] = np.nan
    args = (x, (3, 3), (2, 2), (1, 1), (1, 1), False)
    same(bk.max_pool(*args), OPTIONAL_KERNELS["max_pool"].reference(bk, *args), exact=True)
