"""The NumPy backend's convolution overrides against the reference kernels, on every code path.

Paths: unrolled GEMM and shift-GEMM forward; weight gradient from the cache and
recomputed; input gradient by col2im and by transposed convolution. The limits
that choose a path are module globals, patched here to force each one.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import ember
from ember.backends._optional import OPTIONAL_KERNELS
from ember_cpu import _conv

KERNELS = ("conv", "conv_backward_input", "conv_backward_weight")


@pytest.fixture
def bk() -> Any:
    backend = ember.ones(1)._backend
    assert type(backend).__name__ == "NumpyBackend"
    return backend


@pytest.fixture(params=["default", "shift_gemm_and_transposed_input"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param != "default":
        monkeypatch.setattr(_conv, "UNROLL_LIMIT", 0)
        monkeypatch.setattr(_conv, "COL2IM_LIMIT", 0)
    _conv.ConvKernels._conv_cache.clear()
    yield request.param
    _conv.ConvKernels._conv_cache.clear()


EXTRA = [
    # (input shape, weight shape, stride, padding, dilation, groups): stride-1 cases reach the transposed path
    ((2, 3, 6, 7), (4, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1),
    ((2, 4, 6, 7), (4, 2, 3, 2), (1, 1), (2, 1), (2, 1), 2),
    ((1, 2, 9), (3, 2, 5), (1,), (2,), (1,), 1),
    ((2, 2, 4, 4, 5), (2, 1, 2, 3, 3), (1, 1, 1), (1, 1, 2), (1, 1, 1), 2),
    ((2, 3, 5, 5), (2, 3, 1, 1), (1, 1), (1, 1), (1, 1), 1),      # padding > dilation*(k-1): col2im
    ((0, 3, 5, 5), (2, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1),
    ((2, 0, 5, 5), (2, 0, 3, 3), (1, 1), (0, 0), (1, 1), 1),
]


def _extra_samples(bk: Any, name: str, dtype: Any = np.float64) -> Iterator[tuple[Any, ...]]:
    rng = np.random.default_rng(11)
    for xs, ws, s, p, dl, g in EXTRA:
        out = tuple((n + 2 * q - d * (k - 1) - 1) // st + 1 for n, k, st, q, d in zip(xs[2:], ws[2:], s, p, dl, strict=True))
        x, w, b = (rng.standard_normal(v).astype(dtype) for v in (xs, ws, ws[:1]))
        gy = rng.standard_normal((xs[0], ws[0], *out)).astype(dtype)
        if name == "conv":
            yield (x, w, b, s, p, dl, g)
        elif name == "conv_backward_input":
            yield (gy, w, xs, s, p, dl, g)
        else:
            yield (gy, x, ws, s, p, dl, g)


def _all_samples(bk: Any, name: str) -> Iterator[tuple[Any, ...]]:
    samples = OPTIONAL_KERNELS[name].samples
    assert samples is not None
    for args, _ in samples(bk, np.random.default_rng(10)):
        yield args
    yield from _extra_samples(bk, name)


@pytest.mark.parametrize("name", KERNELS)
def test_override_matches_reference(bk: Any, path: str, name: str) -> None:
    reference = OPTIONAL_KERNELS[name].reference
    for args in _all_samples(bk, name):
        got = getattr(bk, name)(*args)
        want = reference(bk, *args)
        assert got.shape == want.shape and got.dtype == want.dtype
        assert got.flags.c_contiguous
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("name", KERNELS)
@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int64, np.complex64])
def test_dtypes_are_kept(bk: Any, path: str, name: str, dtype: Any) -> None:
    reference = OPTIONAL_KERNELS[name].reference
    for args in _extra_samples(bk, name, dtype):
        got = getattr(bk, name)(*args)
        assert got.dtype == dtype, "no silent widening (float32 stays float32)"
        want = reference(bk, *(a.astype(np.complex128) if isinstance(a, np.ndarray) else a for a in args))
        tol = {np.float16: 2e-2, np.float32: 1e-4, np.complex64: 1e-4}.get(dtype, 1e-12)
        np.testing.assert_allclose(got.astype(np.complex128), want, rtol=tol, atol=tol * 10)


def test_non_contiguous_arguments(bk: Any, path: str) -> None:
    rng = np.random.default_rng(12)
    x = rng.standard_normal((3, 4, 14, 9)).transpose(0, 1, 3, 2)[::2, :, ::2]      # (2, 4, 5, 14)
    w = rng.standard_normal((3, 4, 3, 4)).transpose(1, 0, 3, 2)[::2, :2, :, ::-1]   # (2, 2, 4, 3), negative strides
    b = np.broadcast_to(np.array([0.5]), (2,))
    args = (x, w, b, (1, 1), (1, 1), (1, 1), 2)
    np.testing.assert_allclose(bk.conv(*args), OPTIONAL_KERNELS["conv"].reference(bk, *args), rtol=1e-11)
    gy = rng.standard_normal((2, 2, 28, 4)).transpose(0, 1, 3, 2)[:, :, :, ::2]   # (2, 2, 4, 14)
    assert gy.shape == bk.conv(*args).shape and not gy.flags.c_contiguous
    for name, a in (("conv_backward_input", (gy, w, x.shape)), ("conv_backward_weight", (gy, x, w.shape))):
        full = (*a, (1, 1), (1, 1), (1, 1), 2)
        np.testing.assert_allclose(getattr(bk, name)(*full), OPTIONAL_KERNELS[name].reference(bk, *full), rtol=1e-11)


def test_weight_gradient_reuses_the_forward_columns(bk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_conv, "_MIN_CACHED", 0)
    rng = np.random.default_rng(13)
    x, w = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((4, 3, 3, 3))
    gy = rng.standard_normal((2, 4, 8, 8))
    params = ((1, 1), (1, 1), (1, 1), 1)
    cache = _conv.ConvKernels._conv_cache
    cache.clear()
    bk.conv(x, w, None, *params)
    unrolls = []
    real = _conv._unroll
    monkeypatch.setattr(_conv, "_unroll", lambda *a: unrolls.append(1) or real(*a))
    got = bk.conv_backward_weight(gy, x, w.shape, *params)
    assert unrolls == [], "the cached columns were used"
    np.testing.assert_allclose(got, OPTIONAL_KERNELS["conv_backward_weight"].reference(bk, gy, x, w.shape, *params), rtol=1e-11)
    bk.conv_backward_weight(gy, x, w.shape, *params)
    assert unrolls == [1], "an entry serves one backward pass"


def test_cache_misses_on_changes(bk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_conv, "_MIN_CACHED", 0)
    rng = np.random.default_rng(14)
    x, w = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((4, 3, 3, 3))
    gy = rng.standard_normal((2, 4, 8, 8))
    params = ((1, 1), (1, 1), (1, 1), 1)
    reference = OPTIONAL_KERNELS["conv_backward_weight"].reference
    cache = _conv.ConvKernels._conv_cache
    # Changed in place after the forward pass: recomputed, so still right.
    bk.conv(x, w, None, *params)
    x += 1.0
    np.testing.assert_allclose(bk.conv_backward_weight(gy, x, w.shape, *params), reference(bk, gy, x, w.shape, *params), rtol=1e-11)
    # Other parameters: a miss.
    bk.conv(x, w, None, *params)
    gy2 = rng.standard_normal((2, 4, 6, 6))
    np.testing.assert_allclose(
        bk.conv_backward_weight(gy2, x, w.shape, (1, 1), (0, 0), (1, 1), 1),
        reference(bk, gy2, x, w.shape, (1, 1), (0, 0), (1, 1), 1), rtol=1e-11,
    )
    # Entries die with their input.
    y = rng.standard_normal((2, 3, 8, 8))
    bk.conv(y, w, None, *params)
    assert len(cache._entries) >= 1
    del y
    gc.collect()
    assert all(entry[0]() is not None for entry in cache._entries.values())
    # Over the byte limit nothing is kept.
    cache.clear()
    monkeypatch.setattr(cache, "limit", 0)
    bk.conv(x, w, None, *params)
    assert not cache._entries


def test_cache_keeps_at_most_its_limit(bk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_conv, "_MIN_CACHED", 0)
    cache = _conv.ConvKernels._conv_cache
    cache.clear()
    rng = np.random.default_rng(15)
    w = rng.standard_normal((2, 3, 3, 3))
    xs = [rng.standard_normal((1, 3, 6, 6)) for _ in range(4)]
    one = 3 * 9 * 36 * 8
    monkeypatch.setattr(cache, "limit", 2 * one)
    for x in xs:
        bk.conv(x, w, None, (1, 1), (1, 1), (1, 1), 1)
    assert sum(e[3].nbytes for e in cache._entries.values()) <= 2 * one
    assert set(cache._entries) == {id(xs[2]), id(xs[3])}, "oldest dropped first"
    cache.clear()


def test_small_buffers_are_not_cached(bk: Any) -> None:
    cache = _conv.ConvKernels._conv_cache
    cache.clear()
    x, w = np.ones((1, 2, 6, 6)), np.ones((2, 2, 3, 3))
    bk.conv(x, w, None, (1, 1), (1, 1), (1, 1), 1)
    assert not cache._entries
    big = np.ones((4, 8, 16, 16))
    bk.conv(big, np.ones((2, 8, 3, 3)), None, (1, 1), (1, 1), (1, 1), 1)
    assert list(cache._entries) == [id(big)]
    cache.clear()


def test_no_floating_point_warnings(bk: Any, path: str) -> None:
    x = np.full((1, 1, 4, 4), np.inf, np.float32)
    x[0, 0, 0, 0] = np.nan
    w = np.array([[[[1e38, -1e38], [0.0, 1.0]]]], np.float32)
    gy = np.full((1, 1, 3, 3), 1e38, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bk.conv(x, w, None, (1, 1), (0, 0), (1, 1), 1)
        bk.conv_backward_input(gy, w, x.shape, (1, 1), (0, 0), (1, 1), 1)
        bk.conv_backward_weight(gy, x, w.shape, (1, 1), (0, 0), (1, 1), 1)


def test_public_ops_use_the_override(bk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    for name in KERNELS:
        real = getattr(type(bk), name)
        monkeypatch.setattr(type(bk), name, lambda self, *a, _r=real, _n=name: calls.append(_n) or _r(self, *a))
    from ember._nnops import conv as C

    x, w = ember.ones(1, 2, 5, 5), ember.ones(3, 2, 3, 3)
    ember.conv2d(x, w)
    ember.conv_transpose2d(ember.ones(1, 3, 3, 3), w)
    C.conv2d_weight(x, (3, 2, 3, 3), ember.ones(1, 3, 3, 3))
    C.conv2d_input((1, 2, 5, 5), w, ember.ones(1, 3, 3, 3))
    assert calls == ["conv", "conv_backward_input", "conv_backward_weight", "conv_backward_input"]
