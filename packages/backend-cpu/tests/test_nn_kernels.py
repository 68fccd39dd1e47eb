"""The NumPy backend's nn kernel overrides agree with the reference kernels they replace.

Every optional kernel with a CPU override is run on its conformance samples and on
random hypothesis inputs (empty and non-contiguous included) through both the
override and the reference; results must match to rounding and keep the dtype.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from ember.backends._optional import OPTIONAL_KERNELS
from ember_cpu._nn import NNKernels

BK = ember.tensor([1.0])._backend
OVERRIDES = sorted(name for name in vars(NNKernels) if name in OPTIONAL_KERNELS)


def _as_tuple(r: object) -> tuple:
    return r if isinstance(r, tuple) else (r,)


def _same(got: object, ref: object) -> None:
    for a, b in zip(_as_tuple(got), _as_tuple(ref), strict=True):
        if b is None:
            assert a is None
            continue
        assert a.dtype == b.dtype
        assert a.shape == b.shape
        tol = 1e-5 if a.dtype == np.float32 else 1e-11
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, equal_nan=True)


def test_overrides_exist() -> None:
    assert {"softmax", "log_softmax", "softmax_backward", "log_softmax_backward", "layer_norm",
            "batch_norm"} <= set(OVERRIDES)


@pytest.mark.parametrize("name", OVERRIDES)
def test_override_matches_reference_on_samples(name: str) -> None:
    k = OPTIONAL_KERNELS[name]
    assert k.samples is not None
    rng = np.random.default_rng(0)
    for args, kwargs in k.samples(BK, rng):
        # Kernels that write into arguments (batch_norm's running stats) get their own copies.
        ref_args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
        got = getattr(BK, name)(*args, **kwargs)
        ref = k.reference(BK, *ref_args, **kwargs)
        _same(got, ref)
        for a, b in zip(args, ref_args, strict=True):
            if isinstance(a, np.ndarray):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


FLOATS = st.sampled_from([np.float32, np.float64])
SHAPES = hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5)


@st.composite
def arrays(draw: st.DrawFn, min_dims: int = 1) -> np.ndarray:
    dt = draw(FLOATS)
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=4, min_side=0, max_side=5))
    a = draw(hnp.arrays(dt, shape, elements=st.floats(-20, 20, width=32)))
    if draw(st.booleans()) and a.ndim >= 2:
        a = a.swapaxes(0, -1)  # non-contiguous
    if draw(st.booleans()):
        a = a[..., ::2]
    return a


@settings(max_examples=40, deadline=None)
@given(arrays(), st.data())
def test_softmax_family_matches_reference(x: np.ndarray, data: st.DataObject) -> None:
    axis = data.draw(st.integers(0, x.ndim - 1))
    for name in ("softmax", "log_softmax"):
        out = getattr(BK, name)(x, axis)
        _same(out, OPTIONAL_KERNELS[name].reference(BK, x, axis))
        g = np.ones_like(x) * 0.5
        back = name + "_backward"
        _same(getattr(BK, back)(g, out, axis), OPTIONAL_KERNELS[back].reference(BK, g, out, axis))


@settings(max_examples=40, deadline=None)
@given(arrays(min_dims=2), st.data(), st.booleans())
def test_norms_match_reference(x: np.ndarray, data: st.DataObject, affine: bool) -> None:
    n = data.draw(st.integers(1, x.ndim))
    nshape = x.shape[x.ndim - n:]
    w = np.linspace(0.5, 1.5, int(np.prod(nshape))).reshape(nshape).astype(x.dtype) if affine else None
    b = np.linspace(-1, 1, int(np.prod(nshape))).reshape(nshape).astype(x.dtype) if affine else None
    _same(BK.layer_norm(x, n, w, b, 1e-5), OPTIONAL_KERNELS["layer_norm"].reference(BK, x, n, w, b, 1e-5))
    c = x.shape[1]
    rm, rv = np.zeros(c, x.dtype), np.ones(c, x.dtype)
    rm2, rv2 = rm.copy(), rv.copy()
    cw = np.linspace(0.5, 1.5, c).astype(x.dtype) if affine else None
    training = data.draw(st.booleans())
    got = BK.batch_norm(x, rm, rv, cw, None, training, 0.1, 1e-5)
    ref = OPTIONAL_KERNELS["batch_norm"].reference(BK, x, rm2, rv2, cw, None, training, 0.1, 1e-5)
    _same(got, ref)
    np.testing.assert_allclose(rm, rm2, rtol=1e-5, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(rv, rv2, rtol=1e-5, atol=1e-6, equal_nan=True)


def test_float32_stays_float32_and_no_warnings() -> None:
    x = np.array([[1e30, -1e30, 0.0], [np.inf, 1.0, 2.0]], np.float32)
    with np.errstate(all="raise"):
        out = BK.softmax(x, 1)
        log = BK.log_softmax(x, 1)
    assert out.dtype == np.float32 and log.dtype == np.float32
    np.testing.assert_allclose(out[0], [1.0, 0.0, 0.0])
    assert np.isnan(out[1]).all()
