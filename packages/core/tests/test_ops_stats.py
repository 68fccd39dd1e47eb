"""var/std (+ var_mean/std_mean), logsumexp, cumsum/cumprod, count_nonzero, nansum/nanmean, aminmax.

Property tests compare with NumPy over random shapes (0-d and size-0 dims
included), dims and layouts (transposed, step-sliced, expanded); expected errors
and warnings were captured from PyTorch 2.13.
"""

from __future__ import annotations

import math
import warnings
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP, SHAPES, layouts, raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
PROPERTY = settings(max_examples=40, deadline=None)
raises = partial(raises_exactly, numpy_phrases=("ufunc", "numpy", "axis", "zero-size array"))
NAN, INF = math.nan, math.inf
DOF_WARNING = "degrees of freedom is <= 0"



def shift(dim: Any, ndim: int, extra: int) -> Any:
    """``dim`` of an ``ndim``-d array, for the same dims of a view with ``extra`` leading dims."""
    if dim is None or not extra:
        return dim
    if isinstance(dim, tuple):
        return tuple(d % ndim + extra for d in dim)
    return dim % ndim + extra


@st.composite
def array_and_dim(draw: st.DrawFn, dtypes: list[Any], multi: bool = True, allow_none: bool = True) -> Any:
    dt = draw(st.sampled_from(dtypes))
    shape = draw(SHAPES)
    if dt is ember.bool:
        el: Any = st.booleans()
    elif dt.is_floating_point:
        el = st.integers(-8, 8).map(lambda v: v / 4)
    else:
        el = st.integers(-3, 3) if dt.is_signed else st.integers(0, 3)
    a = draw(hnp.arrays(NP[dt], shape, elements=el))
    nd = max(len(shape), 1)
    one = st.integers(-nd, nd - 1) if shape else st.sampled_from([0, -1])
    choices = [one]
    if allow_none:
        choices.append(st.none())
    if multi and shape:
        choices.append(st.lists(one, min_size=1, max_size=nd, unique_by=lambda d: d % nd).map(tuple))
    return a, draw(st.one_of(*choices)), draw(st.booleans())


def np_axes(dim: Any, ndim: int) -> Any:
    if dim is None or ndim == 0:
        return None
    return tuple(d % ndim for d in (dim if isinstance(dim, tuple) else (dim,)))


def reduced_count(shape: tuple[int, ...], axes: Any) -> int:
    return math.prod(shape if axes is None else [shape[d] for d in axes])


# -- var / std ------------------------------------------------------------------------------------

@PROPERTY
@given(array_and_dim([ember.float32, ember.float64]), st.sampled_from([None, 0, 1, 2, 0.5]))
def test_var_std_match_numpy(case: Any, correction: Any) -> None:
    a, dim, keepdim = case
    for arr, t, extra in layouts(a):
        d = shift(dim, a.ndim, extra)
        axes = np_axes(d, arr.ndim)
        ddof = 1 if correction is None else correction
        n = reduced_count(arr.shape, axes)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            v = t.var(d, keepdim=keepdim, correction=correction)
            s = ember.std(t, dim=d, keepdim=keepdim, correction=correction)
        assert any(DOF_WARNING in str(w.message) for w in caught) == (n - ddof <= 0)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mean = arr.mean(axis=axes, keepdims=True) if arr.size else arr
            ss = ((arr - mean) ** 2).sum(axis=axes, keepdims=keepdim)
            want = np.asarray(ss / max(0.0, n - ddof), dtype=arr.dtype)
            if arr.size == 0:
                want = np.full(want.shape, NAN, arr.dtype)
        assert v.dtype is t.dtype and tuple(v.shape) == want.shape
        np.testing.assert_allclose(v.numpy(), want, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(s.numpy(), np.sqrt(want), rtol=1e-5, atol=1e-6)


def test_var_overloads_and_special_cases() -> None:
    x = ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]])
    assert x.var().item() == pytest.approx(4.6667, abs=1e-4)
    assert x.var(1, False).tolist() == pytest.approx([0.6667, 1.5556], abs=1e-4)
    assert x.var(1, unbiased=False, keepdim=True).shape == (2, 1)
    assert x.var(1, True, True).shape == (2, 1)
    assert ember.tensor([1.0, 2.0]).var(False).item() == 0.25
    assert x.var(1, correction=-1).tolist() == pytest.approx([0.5, 1.1667], abs=1e-4)
    assert ember.tensor([1j, 2]).var().item() == pytest.approx(2.5)
    assert ember.tensor([1j, 2]).std().dtype is ember.float32
    assert ember.tensor([60000.0, -60000.0], dtype=ember.float16).var().item() == INF  # float32 sum, float16 result
    with pytest.warns(UserWarning, match=DOF_WARNING):
        assert x.var(1, correction=3).tolist() == [INF, INF]
    with pytest.warns(UserWarning, match=DOF_WARNING):
        assert math.isnan(ember.tensor(1.0).var().item())
    with pytest.warns(UserWarning, match="std"):
        ember.zeros(0, 3).std(0)


def test_var_mean_and_std_mean() -> None:
    x = ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]])
    v, m = ember.var_mean(x, 1)
    assert v.tolist() == pytest.approx([1.0, 2.3333], abs=1e-4) and m.tolist() == pytest.approx([2.0, 5.3333], abs=1e-4)
    s, m = ember.std_mean(x, dim=1, correction=0)
    assert s.tolist() == pytest.approx([0.8165, 1.2472], abs=1e-4)
    v, m = ember.var_mean(x, keepdim=True)
    assert v.shape == m.shape == (1, 1)
    v, m = ember.var_mean(x, (0, 1))
    assert v.shape == m.shape == ()
    with raises(TypeError, "var_mean()", "list"):
        ember.var_mean([1.0, 2.0])


def test_var_errors() -> None:
    x = ember.tensor([[1.0, 2.0]])
    for t in (ember.tensor([1, 2]), ember.tensor([True])):
        with raises(RuntimeError, "std and var only support floating point and complex dtypes"):
            t.var()
        with raises(RuntimeError, "std and var only support floating point and complex dtypes"):
            t.std()
    with raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 5)"):
        x.var(5)
    with raises(TypeError, "var()", "unbiased or correction"):
        x.var(1, False, correction=1)


# -- logsumexp ------------------------------------------------------------------------------------

@PROPERTY
@given(array_and_dim([ember.int32, ember.float32, ember.float64], allow_none=False))
def test_logsumexp_matches_numpy(case: Any) -> None:
    a, dim, keepdim = case
    for arr, t, extra in layouts(a):
        d = shift(dim, a.ndim, extra)
        axes = np_axes(d, arr.ndim)
        with np.errstate(divide="ignore"):
            want = np.log(np.exp(arr.astype(np.float64)).sum(axis=axes, keepdims=keepdim and arr.ndim > 0))
        got = t.logsumexp(d, keepdim)
        assert got.dtype is (t.dtype if t.dtype.is_floating_point else ember.float32)
        assert tuple(got.shape) == np.shape(want)
        # float32 results against a float64 reference: a few float32 ulps
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-6 if got.dtype is ember.float64 else 4e-6)


def test_logsumexp_is_stable_and_handles_infinities() -> None:
    big = ember.tensor([1000.0, 1000.0])
    assert big.logsumexp(0).item() == pytest.approx(1000 + math.log(2))
    assert ember.tensor([INF, INF]).logsumexp(0).item() == INF
    assert ember.tensor([-INF, -INF]).logsumexp(0).item() == -INF
    assert ember.tensor([-INF, 0.0]).logsumexp(0).item() == 0.0
    assert math.isnan(ember.tensor([NAN, 0.0]).logsumexp(0).item())
    assert ember.zeros(2, 0).logsumexp(1).tolist() == [-INF, -INF]
    assert ember.tensor([True]).logsumexp(0).item() == 1.0
    assert ember.tensor([[1.0, 2.0]]).logsumexp(1, True).shape == (1, 1)
    with raises(TypeError):
        ember.tensor([1.0]).logsumexp()  # dim is required


# -- scans ------------------------------------------------------------------------------------------

@PROPERTY
@given(array_and_dim([ember.bool, ember.uint8, ember.int32, ember.int64, ember.float64], multi=False,
                     allow_none=False))
def test_cumsum_cumprod_match_numpy(case: Any) -> None:
    a, dim, _ = case
    for arr, t, extra in layouts(a):
        d = shift(dim, a.ndim, extra)
        axis = d % arr.ndim if arr.ndim else None
        acc = np.int64 if arr.dtype.kind in "biu" else arr.dtype
        want_sum = np.cumsum(arr, axis=axis, dtype=acc).reshape(arr.shape)
        want_prod = np.cumprod(arr, axis=axis, dtype=acc).reshape(arr.shape)
        got = t.cumsum(d)
        assert got.dtype is (ember.int64 if not t.dtype.is_floating_point else t.dtype)
        np.testing.assert_array_equal(got.numpy(), want_sum)
        np.testing.assert_array_equal(ember.cumprod(t, d).numpy(), want_prod)
        np.testing.assert_array_equal(t.cumsum(d, dtype=ember.float64).numpy(), np.cumsum(
            arr.astype(np.float64), axis=axis).reshape(arr.shape))


def test_scans_dtypes_in_place_and_errors() -> None:
    assert ember.tensor([1, 2, 3], dtype=ember.int32).cumsum(0).dtype is ember.int64
    assert ember.tensor([200, 2], dtype=ember.uint8).cumprod(0).tolist() == [200, 400]
    assert ember.tensor([1.5, 2.5]).cumsum(0, dtype=ember.int64).tolist() == [1, 3]
    assert ember.tensor(5).cumsum(-1).tolist() == 5
    t = ember.tensor([1, 2, 3], dtype=ember.int32)
    assert t.cumsum_(0) is t and t.dtype is ember.int32 and t.tolist() == [1, 3, 6]
    f = ember.tensor([1.0, 2.0, 3.0])[::2]
    base = f._base
    f.cumprod_(0)
    assert f.tolist() == [1.0, 3.0] and base is not None and base.tolist() == [1.0, 2.0, 3.0]
    out = ember.empty(3, dtype=ember.int64)
    assert ember.cumsum(ember.tensor([1, 2, 3]), 0, out=out) is out and out.tolist() == [1, 3, 6]
    with raises(NotImplementedError, "cumsum_", "Bool"):
        ember.tensor([True, True]).cumsum_(0)
    with raises(RuntimeError, "Bad in-place call"):
        ember.tensor([1, 2]).cumsum_(0, dtype=ember.float32)
    with raises(IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)"):
        ember.tensor(5).cumsum(1)
    with raises(TypeError):
        ember.tensor([1]).cumsum()  # dim is required


# -- count_nonzero, nansum, nanmean -------------------------------------------------------------------

@PROPERTY
@given(array_and_dim([ember.bool, ember.int32, ember.float64]))
def test_count_nonzero_matches_numpy(case: Any) -> None:
    a, dim, _ = case
    for arr, t, extra in layouts(a):
        d = shift(dim, a.ndim, extra)
        axes = np_axes(d, arr.ndim)
        got = t.count_nonzero(d)
        assert got.dtype is ember.int64
        np.testing.assert_array_equal(got.numpy(), np.count_nonzero(arr, axis=axes))


@PROPERTY
@given(array_and_dim([ember.float32, ember.float64]), st.data())
def test_nansum_nanmean_match_numpy(case: Any, data: st.DataObject) -> None:
    a, dim, keepdim = case
    a = a.copy()
    if a.size:
        a[data.draw(hnp.arrays(np.bool_, a.shape))] = NAN
    for arr, t, extra in layouts(a):
        d = shift(dim, a.ndim, extra)
        axes = np_axes(d, arr.ndim)
        kd = keepdim and arr.ndim > 0
        np.testing.assert_allclose(t.nansum(d, keepdim).numpy(), np.nansum(arr, axis=axes, keepdims=kd), rtol=1e-6)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's "Mean of empty slice"
            want = np.nanmean(arr, axis=axes, keepdims=kd)
        np.testing.assert_allclose(ember.nanmean(t, d, keepdim).numpy(), want, rtol=1e-6)


def test_nan_reductions_dtypes_and_errors() -> None:
    assert ember.tensor([1, 2]).nansum().tolist() == 3
    assert ember.tensor([True, True]).nansum().dtype is ember.int64
    assert ember.tensor([1, 2]).nansum(dtype=ember.float32).dtype is ember.float32
    assert ember.tensor([1.0, NAN], dtype=ember.float16).nansum().item() == 1.0
    assert math.isnan(ember.tensor([NAN]).nanmean().item())
    assert ember.tensor([1.0, 2.0]).nanmean(dtype=ember.float64).dtype is ember.float64
    assert ember.tensor([[0, 1], [2, 0]]).count_nonzero((0, 1)).item() == 2
    with raises(RuntimeError, "nansum", "complex"):
        ember.tensor([1j]).nansum()
    with raises(RuntimeError, "nanmean(): expected input to have floating point or complex dtype but got Long"):
        ember.tensor([1, 2]).nanmean()
    with raises(RuntimeError, "dim 0 appears multiple times in the list of dims"):
        ember.tensor([[0, 1], [2, 0]]).count_nonzero((0, 0))


# -- aminmax --------------------------------------------------------------------------------------------

@PROPERTY
@given(array_and_dim([ember.bool, ember.int32, ember.float64], multi=False))
def test_aminmax_matches_numpy(case: Any) -> None:
    a, dim, keepdim = case
    for arr, t, extra in layouts(a):
        d = shift(dim, a.ndim, extra)
        if d is None and arr.size == 0:
            continue
        axis = None if d is None or arr.ndim == 0 else d % arr.ndim
        if axis is not None and arr.shape[axis] == 0:
            continue
        lo, hi = t.aminmax(dim=d, keepdim=keepdim)
        kd = keepdim and (axis is not None or d is None)
        np.testing.assert_array_equal(lo.numpy(), np.min(arr, axis=axis, keepdims=kd) if arr.size or axis is not None
                                      else arr)
        np.testing.assert_array_equal(hi.numpy(), np.max(arr, axis=axis, keepdims=kd))
        assert lo.dtype is hi.dtype is t.dtype


def test_aminmax_result_errors_and_nan() -> None:
    r = ember.tensor([[1, 5], [7, 2]]).aminmax(dim=1)
    assert r.min.tolist() == [1, 2] and r.max.tolist() == [5, 7]
    assert repr(r) == "ember.return_types.aminmax(\nmin=tensor([1, 2]),\nmax=tensor([5, 7]))"
    lo, hi = ember.tensor([1.0, NAN]).aminmax()
    assert math.isnan(lo.item()) and math.isnan(hi.item())
    assert ember.zeros(2, 3).aminmax(keepdim=True).min.shape == (1, 1)
    assert ember.zeros(0, 3).aminmax(dim=1).max.shape == (0,)
    with raises(RuntimeError, "aminmax(): cannot compute aminmax over an empty dimension"):
        ember.zeros(0).aminmax()
    with raises(IndexError, "Expected reduction dim 0 to have non-zero size."):
        ember.zeros(0, 3).aminmax(dim=0)
    with raises(NotImplementedError, "aminmax", "ComplexFloat"):
        ember.tensor([1j]).aminmax()
    with raises(TypeError):
        ember.tensor([1.0]).aminmax(0)  # dim is keyword-only, as in torch
