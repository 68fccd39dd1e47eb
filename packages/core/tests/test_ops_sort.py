"""sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, unique, unique_consecutive.

Values are compared with NumPy (whose sort also puts NaN last) over random shapes,
dims and layouts; where PyTorch leaves the index of tied elements unspecified the
tests check that the indices point at the returned values. Expected errors and the
printed form were captured from PyTorch 2.13.
"""

from __future__ import annotations

import math
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
raises = partial(raises_exactly, numpy_phrases=("ufunc", "numpy", "axis", "out of bounds"))
NAN = math.nan
DTYPES = [ember.uint8, ember.int32, ember.int64, ember.float32, ember.float64]



@st.composite
def array_and_dim(draw: st.DrawFn, dtypes: list[Any] = DTYPES, nan: bool = True) -> tuple[np.ndarray, int]:
    """An array with many ties (and NaN for floats) and a dim (negative ones included)."""
    dt = draw(st.sampled_from(dtypes))
    shape = draw(SHAPES)
    if dt.is_floating_point:
        el: Any = st.sampled_from([-1.5, 0.0, 1.0, 2.0, 2.0, 3.5] + ([NAN] if nan else []))
    elif dt is ember.bool:
        el = st.booleans()
    else:
        el = st.integers(0, 4)
    a = draw(hnp.arrays(NP[dt], shape, elements=el))
    nd = max(len(shape), 1)
    return a, draw(st.integers(-nd, nd - 1))


def axis_of(dim: int, a: np.ndarray, arr: np.ndarray, extra: int) -> tuple[int, int]:
    """(ember dim, NumPy axis) for a layout with ``extra`` leading dims."""
    if a.ndim == 0:
        return dim, 0
    d = dim % a.ndim + extra
    return d, d


def as1d(a: np.ndarray) -> np.ndarray:
    return a.reshape(1) if a.ndim == 0 else a


def gathered(x: np.ndarray, idx: np.ndarray, axis: int) -> np.ndarray:
    return np.take_along_axis(as1d(x), as1d(idx), axis)


def assert_same(got: np.ndarray, want: np.ndarray) -> None:
    np.testing.assert_array_equal(got, want)


# -- sort / argsort / msort ---------------------------------------------------------------------------

@PROPERTY
@given(array_and_dim(), st.booleans())
def test_sort_and_argsort_match_numpy(case: tuple[np.ndarray, int], descending: bool) -> None:
    a, dim = case
    for arr, t, extra in layouts(a):
        d, axis = axis_of(dim, a, arr, extra)
        values, indices = t.sort(d, descending=descending, stable=True)
        assert indices.dtype is ember.int64 and values.dtype is t.dtype and values.shape == t.shape
        src = as1d(arr)
        if descending:  # stable descending: NaN first, equal elements keep their order
            key = -src.astype(np.float64) if src.dtype.kind != "f" else np.where(np.isnan(src), -np.inf, -src)
            want_idx = np.argsort(key, axis=axis, kind="stable")
        else:
            want_idx = np.argsort(src, axis=axis, kind="stable")
        assert_same(indices.numpy().reshape(want_idx.shape), want_idx)
        assert_same(values.numpy().reshape(want_idx.shape), np.take_along_axis(src, want_idx, axis))
        assert_same(ember.argsort(t, d, descending, stable=True).numpy().reshape(want_idx.shape), want_idx)
        unstable = t.sort(d, descending)
        assert_same(unstable.values.numpy(), values.numpy())
        assert_same(gathered(arr, unstable.indices.numpy(), axis), as1d(unstable.values.numpy()))


def test_sort_nan_order_and_printing() -> None:
    x = ember.tensor([3.0, NAN, 1.0, 2.0, 1.0])
    r = x.sort()
    assert repr(r) == (
        "ember.return_types.sort(\nvalues=tensor([1., 1., 2., 3., nan]),\nindices=tensor([2, 4, 3, 0, 1]))"
    )
    r = x.sort(descending=True, stable=True)
    assert r.indices.tolist() == [1, 0, 3, 2, 4]
    assert x.argsort(stable=True, descending=True).tolist() == [1, 0, 3, 2, 4]
    assert ember.tensor([True, False]).sort().indices.tolist() == [1, 0]
    zero = ember.tensor(3.0).sort()
    assert zero.values.item() == 3.0 and zero.indices.shape == () and zero.indices.item() == 0
    empty = ember.zeros(2, 0).sort(1)
    assert empty.values.shape == empty.indices.shape == (2, 0)
    assert ember.tensor([[3.0, 1.0], [1.0, 2.0]]).msort().tolist() == [[1.0, 1.0], [3.0, 2.0]]
    assert ember.msort(ember.tensor(3.0)).item() == 3.0


def test_sort_errors() -> None:
    with raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 5)"):
        ember.tensor([[1.0, 2.0]]).sort(5)
    with raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 5)"):
        ember.tensor([[1.0, 2.0]]).argsort(5)
    for fn in (lambda t: t.sort(), lambda t: t.argsort()):
        with raises(RuntimeError, "Sort does not support complex dtypes"):
            fn(ember.tensor([1j]))


# -- topk / kthvalue ----------------------------------------------------------------------------------------

@PROPERTY
@given(array_and_dim([ember.int32, ember.float32, ember.float64]), st.booleans(), st.data())
def test_topk_matches_numpy(case: tuple[np.ndarray, int], largest: bool, data: st.DataObject) -> None:
    a, dim = case
    for arr, t, extra in layouts(a):
        d, axis = axis_of(dim, a, arr, extra)
        size = as1d(arr).shape[axis]
        k = data.draw(st.integers(0, size))
        values, indices = t.topk(k, d, largest)
        if arr.ndim == 0:  # torch gives the element back for any valid k, 0 included
            assert values.shape == indices.shape == () and indices.item() == 0
            assert_same(values.numpy(), arr)
            continue
        src = as1d(arr)
        full = np.sort(src, axis=axis)  # NaN last, as the largest value
        if largest:
            full = np.flip(full, axis)
        want = np.take(full, np.arange(k), axis=axis)
        assert_same(as1d(values.numpy()), want)
        assert_same(gathered(arr, indices.numpy(), axis), as1d(values.numpy()))
        # indices are distinct positions along the dim
        idx = np.sort(as1d(indices.numpy()), axis=axis)
        if k > 1:
            assert (np.diff(idx, axis=axis) > 0).all()


def test_topk_ties_nan_and_errors() -> None:
    r = ember.tensor([1.0, 3.0, 3.0, 2.0, NAN]).topk(2)
    assert math.isnan(r.values.tolist()[0]) and r.values.tolist()[1] == 3.0 and r.indices.tolist()[0] == 4
    assert repr(ember.tensor([1.0, 3.0, 2.0]).topk(2)).startswith("ember.return_types.topk(\nvalues=")
    assert ember.tensor([1.0, 3.0, 3.0, 2.0, NAN]).topk(2, largest=False).indices.tolist() == [0, 3]
    assert ember.tensor([1.0, 3.0]).topk(0).values.shape == (0,)
    assert ember.tensor(1.0).topk(1).indices.item() == 0
    for k in (3, -1):
        with raises(RuntimeError, "selected index k out of range"):
            ember.tensor([1.0, 3.0]).topk(k)
    with raises(TypeError, "topk()", "'k'", "float"):
        ember.tensor([1.0, 2.0]).topk(1.0)
    with raises(RuntimeError, "topk does not support bool dtypes"):
        ember.tensor([True, False]).topk(1)
    with raises(RuntimeError, "topk does not support complex dtypes"):
        ember.tensor([1j]).topk(1)
    with raises(IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 2)"):
        ember.tensor([1.0]).topk(1, 2)


@PROPERTY
@given(array_and_dim([ember.int32, ember.float32, ember.float64]), st.booleans(), st.data())
def test_kthvalue_matches_numpy(case: tuple[np.ndarray, int], keepdim: bool, data: st.DataObject) -> None:
    a, dim = case
    for arr, t, extra in layouts(a):
        d, axis = axis_of(dim, a, arr, extra)
        src = as1d(arr)
        if src.shape[axis] == 0:
            continue
        k = data.draw(st.integers(1, src.shape[axis]))
        values, indices = t.kthvalue(k, d, keepdim)
        want = np.take(np.sort(src, axis=axis), [k - 1], axis=axis)
        if not keepdim or arr.ndim == 0:
            want = np.squeeze(want, axis)
        assert values.shape == want.shape == indices.shape
        assert_same(values.numpy(), want)
        idx = indices.numpy() if keepdim and arr.ndim else np.expand_dims(indices.numpy(), axis)
        assert_same(np.take_along_axis(src, as1d(idx), axis).reshape(want.shape), want)


def test_kthvalue_errors() -> None:
    r = ember.tensor([[3.0, 1.0], [0.0, 5.0]]).kthvalue(1, 0, True)
    assert r.values.tolist() == [[0.0, 1.0]] and r.indices.tolist() == [[1, 0]]
    assert repr(ember.tensor([3.0, 1.0, 2.0]).kthvalue(2)) == (
        "ember.return_types.kthvalue(\nvalues=tensor(2.),\nindices=tensor(2))"
    )
    assert math.isnan(ember.tensor([3.0, 1.0, 2.0, NAN]).kthvalue(4).values.item())
    for k in (0, 3):
        with raises(RuntimeError, "kthvalue(): selected number k out of range for dimension 0"):
            ember.tensor([3.0, 1.0]).kthvalue(k)
    with raises(IndexError, "kthvalue(): Expected reduction dim 0 to have non-zero size."):
        ember.zeros(0).kthvalue(1)
    with raises(NotImplementedError, "kthvalue", "Bool"):
        ember.tensor([True]).kthvalue(1)
    with raises(NotImplementedError, "kthvalue", "ComplexFloat"):
        ember.tensor([1j]).kthvalue(1)


# -- median / nanmedian / mode ---------------------------------------------------------------------------------

def lower_median(a: np.ndarray, axis: int, skip_nan: bool) -> np.ndarray:
    """NumPy's sort, then the lower middle (of the non-NaN elements with ``skip_nan``)."""
    s = np.sort(a, axis=axis)
    n = a.shape[axis]
    if a.dtype.kind == "f":
        nans = np.isnan(a).sum(axis=axis, keepdims=True)
        pos = np.maximum(n - nans - 1, 0) // 2 if skip_nan else np.where(nans > 0, n - nans, (n - 1) // 2)
    else:
        pos = np.full(np.take(a, [0], axis=axis).shape, (n - 1) // 2)
    return np.take_along_axis(s, pos, axis)


@PROPERTY
@given(array_and_dim([ember.int32, ember.float32, ember.float64]), st.booleans())
def test_median_and_nanmedian_match_numpy(case: tuple[np.ndarray, int], keepdim: bool) -> None:
    a, dim = case
    for arr, t, extra in layouts(a):
        d, axis = axis_of(dim, a, arr, extra)
        src = as1d(arr)
        for name, skip in (("median", False), ("nanmedian", True)):
            if arr.size:
                whole = getattr(t, name)()
                assert_same(whole.numpy(), lower_median(src.reshape(-1), 0, skip)[0])
            if src.shape[axis] == 0:
                continue
            values, indices = getattr(ember, name)(t, d, keepdim)
            want = lower_median(src, axis, skip)
            if not keepdim or arr.ndim == 0:
                want = np.squeeze(want, axis)
            assert values.shape == want.shape and indices.dtype is ember.int64
            assert_same(values.numpy(), want)
            idx = indices.numpy() if keepdim and arr.ndim else np.expand_dims(indices.numpy(), axis)
            assert_same(np.take_along_axis(src, as1d(idx), axis).reshape(want.shape), want)


def test_median_special_cases_and_errors() -> None:
    assert ember.tensor([3.0, 1.0, 2.0, 4.0]).median().item() == 2.0
    assert math.isnan(ember.tensor([3.0, NAN, 2.0, 4.0]).median().item())
    assert ember.tensor([3.0, NAN, 2.0, 4.0]).nanmedian().item() == 3.0
    assert math.isnan(ember.tensor([NAN, NAN]).nanmedian().item())
    assert math.isnan(ember.zeros(0).median().item())
    r = ember.tensor([[3.0, 1.0, 2.0, 4.0], [1.0, NAN, 1.0, 1.0]]).median(1)
    assert r.values.tolist()[0] == 2.0 and math.isnan(r.values.tolist()[1]) and r.indices.tolist() == [2, 1]
    assert repr(r).startswith("ember.return_types.median(\nvalues=")
    r = ember.tensor([[3.0, NAN, 2.0, 4.0], [NAN, NAN, NAN, 1.0]]).nanmedian(1)
    assert r.values.tolist() == [3.0, 1.0] and r.indices.tolist() == [0, 3]
    assert repr(r).startswith("ember.return_types.nanmedian(")
    assert ember.zeros(0, 2).median(1).values.shape == (0,)
    assert ember.tensor(5.0).median(0).indices.item() == 0
    with raises(IndexError, "median(): Expected reduction dim 1 to have non-zero size."):
        ember.zeros(2, 0).median(1)
    for name in ("median", "nanmedian"):
        with raises(NotImplementedError, name, "Bool"):
            getattr(ember.tensor([True]), name)()
        with raises(NotImplementedError, name, "ComplexFloat"):
            getattr(ember.tensor([1j]), name)()


def np_mode(a: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Most frequent value per slice (smallest among ties) and its count, by brute force."""
    moved = np.moveaxis(a, axis, -1)
    eq = moved[..., :, None] == moved[..., None, :]
    counts = eq.sum(-1)
    best = counts.max(-1, keepdims=True)
    candidates = np.where(counts == best, moved, np.iinfo(np.int64).max)
    return candidates.min(-1), best[..., 0]


@PROPERTY
@given(array_and_dim([ember.int32, ember.int64, ember.uint8]), st.booleans())
def test_mode_matches_brute_force(case: tuple[np.ndarray, int], keepdim: bool) -> None:
    a, dim = case
    for arr, t, extra in layouts(a):
        d, axis = axis_of(dim, a, arr, extra)
        src = as1d(arr)
        if src.shape[axis] == 0:
            continue
        values, indices = t.mode(d, keepdim)
        want, _ = np_mode(src.astype(np.int64), axis)
        got = values.numpy() if not keepdim or arr.ndim == 0 else np.squeeze(values.numpy(), axis)
        assert_same(got.astype(np.int64), want.reshape(got.shape))
        idx = indices.numpy() if keepdim and arr.ndim else np.expand_dims(indices.numpy(), axis)
        picked = np.take_along_axis(src, as1d(idx), axis)
        assert_same(picked.reshape(got.shape), got)
        # the index is the value's last occurrence along the dim
        positions = np.arange(src.shape[axis]).reshape([-1 if i == axis else 1 for i in range(src.ndim)])
        last = np.where(src == np.expand_dims(want.reshape(got.shape) if got.ndim == want.ndim else want, axis)
                        .astype(src.dtype), positions, -1).max(axis)
        assert_same(np.squeeze(idx, axis).reshape(last.shape), last)


def test_mode_examples_and_errors() -> None:
    r = ember.tensor([[1, 2, 2, 3], [3, 3, 1, 1]]).mode(1)
    assert r.values.tolist() == [2, 1] and r.indices.tolist() == [2, 3]
    assert repr(ember.tensor([1, 2, 2, 3]).mode()) == "ember.return_types.mode(\nvalues=tensor(2),\nindices=tensor(2))"
    assert ember.tensor([True, False, True]).mode().values.item() is True
    assert ember.tensor(1.0).mode().indices.item() == 0
    assert math.isnan(ember.tensor([NAN, NAN, 1.0]).mode().values.item())
    with raises(IndexError, "mode(): Expected reduction dim 0 to have non-zero size."):
        ember.zeros(0).mode()
    with raises(NotImplementedError, "mode", "ComplexFloat"):
        ember.tensor([1j]).mode()


# -- unique / unique_consecutive -----------------------------------------------------------------------------------

@PROPERTY
@given(array_and_dim([ember.bool, ember.int32, ember.float64]))
def test_unique_matches_numpy(case: tuple[np.ndarray, int]) -> None:
    a, _ = case
    for arr, t, _extra in layouts(a):
        values, inverse, counts = t.unique(return_inverse=True, return_counts=True)
        res = np.unique_all(arr.reshape(-1))  # NaNs are distinct, as in torch
        assert_same(values.numpy(), res.values)
        assert_same(counts.numpy(), res.counts)
        assert inverse.shape == t.shape
        assert_same(values.numpy()[inverse.numpy()], arr)
        assert_same(ember.unique(t).numpy(), res.values)


@PROPERTY
@given(array_and_dim([ember.int32, ember.float64], nan=False))
def test_unique_dim_matches_numpy(case: tuple[np.ndarray, int]) -> None:
    a, dim = case
    if a.ndim == 0:
        return
    for arr, t, extra in layouts(a):
        d, axis = axis_of(dim, a, arr, extra)
        values, inverse, counts = t.unique(dim=d, return_inverse=True, return_counts=True)
        if arr.size == 0:
            assert values.shape[axis] <= 1
            continue
        want, want_inv, want_counts = np.unique(arr, axis=axis, return_inverse=True, return_counts=True)
        assert_same(values.numpy(), want)
        assert_same(inverse.numpy(), want_inv.reshape(-1))
        assert_same(counts.numpy(), want_counts)


def np_unique_consecutive(a: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    moved = np.moveaxis(a, axis, 0).reshape(a.shape[axis], -1)
    starts = np.ones(len(moved), bool)
    starts[1:] = (moved[1:] != moved[:-1]).any(axis=1)
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    counts = np.diff(np.append(first, len(moved)))
    return np.take(a, first, axis=axis), group, counts


@PROPERTY
@given(array_and_dim([ember.int32, ember.float64]))
def test_unique_consecutive_matches_numpy(case: tuple[np.ndarray, int]) -> None:
    a, dim = case
    for arr, t, extra in layouts(a):
        values, inverse, counts = t.unique_consecutive(return_inverse=True, return_counts=True)
        flat = arr.reshape(-1)
        want, group, want_counts = np_unique_consecutive(flat, 0) if flat.size else (flat, flat, flat)
        assert_same(values.numpy(), want)
        assert_same(inverse.numpy(), group.reshape(arr.shape))
        assert_same(counts.numpy(), want_counts)
        if a.ndim and arr.shape[axis_of(dim, a, arr, extra)[1]] and arr.size:
            d, axis = axis_of(dim, a, arr, extra)
            v, i, c = ember.unique_consecutive(t, return_inverse=True, return_counts=True, dim=d)
            wv, wi, wc = np_unique_consecutive(arr, axis)
            assert_same(v.numpy(), wv)
            assert_same(i.numpy(), wi)
            assert_same(c.numpy(), wc)


def test_unique_examples_and_errors() -> None:
    x = ember.tensor([3, 1, 2, 1, 3])
    assert x.unique().tolist() == [1, 2, 3]
    v, i, c = x.unique(return_inverse=True, return_counts=True)
    assert i.tolist() == [2, 0, 1, 0, 2] and c.tolist() == [2, 1, 2]
    assert x.unique(sorted=False).tolist() == [1, 2, 3]
    v, i = ember.tensor(5).unique(return_inverse=True)
    assert v.tolist() == [5] and i.shape == ()
    v, i, c = ember.zeros(0).unique(return_inverse=True, return_counts=True)
    assert v.shape == i.shape == c.shape == (0,) and i.dtype is ember.int64
    v, i, c = ember.tensor([[1, 2], [1, 2], [0, 5]]).unique(dim=0, return_inverse=True, return_counts=True)
    assert v.tolist() == [[0, 5], [1, 2]] and i.tolist() == [1, 1, 0] and c.tolist() == [1, 2]
    assert ember.tensor([[1, 2, 1], [1, 2, 1]]).unique(dim=1).tolist() == [[1, 2], [1, 2]]
    v, c = ember.tensor([NAN, NAN, 1.0]).unique(return_counts=True)
    assert c.tolist() == [1, 1, 1]
    v, c = ember.tensor([NAN, NAN, 1.0]).unique_consecutive(return_counts=True)
    assert c.tolist() == [1, 1, 1]
    v, i, c = ember.tensor([1, 1, 2, 2, 3, 1, 1, 2]).unique_consecutive(return_inverse=True, return_counts=True)
    assert v.tolist() == [1, 2, 3, 1, 2] and i.tolist() == [0, 0, 1, 1, 2, 3, 3, 4] and c.tolist() == [2, 2, 1, 2, 1]
    v, c = ember.tensor([[1, 2], [1, 2], [0, 5], [1, 2]]).unique_consecutive(dim=0, return_counts=True)
    assert v.tolist() == [[1, 2], [0, 5], [1, 2]] and c.tolist() == [2, 1, 1]
    with raises(IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 3)"):
        ember.tensor([1, 2]).unique(dim=3)
    with raises(NotImplementedError, "unique", "ComplexFloat"):
        ember.tensor([1j]).unique()
    with raises(NotImplementedError, "unique", "ComplexFloat"):
        ember.tensor([1j, 1j]).unique_consecutive()
