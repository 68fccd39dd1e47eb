"""Gather and scatter along a dim: index_select, gather, take_along_dim, take, scatter and its
reductions, index_add / index_copy / index_fill, put_.

Property tests compare values with NumPy doing the same (np.take_along_axis, np.put_along_axis,
ufunc.at, ...) over shapes from 0-d to 4-d, empty ones included, several dtypes, and inputs that
are strided views (every dim stepped) rather than fresh tensors. Expected errors were captured
from PyTorch 2.13.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP, SHAPES, STRICT, on_strict, raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

PROPERTY = settings(max_examples=40, deadline=None)
NUMPY_PHRASES = ("numpy", "could not broadcast", "out of bounds for axis", "shape mismatch: indexing arrays")
raises = partial(raises_exactly, numpy_phrases=NUMPY_PHRASES)

DTYPES = st.sampled_from([ember.float32, ember.float64, ember.int64, ember.int32, ember.uint8, ember.int16])
SUM_DTYPES = st.sampled_from([ember.float64, ember.int64, ember.int32, ember.float32])


def values(shape: tuple[int, ...], dt: ember.dtype, seed: int = 0) -> np.ndarray:
    """Small distinct-ish values of ``dt`` (exact in every dtype used here)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 50, size=shape).astype(NP[dt])


def as_view(a: np.ndarray, strided: bool) -> ember.Tensor:
    """``a`` as a fresh tensor, or as a view that steps over every dim of a larger tensor."""
    if not strided or a.ndim == 0:
        return ember.tensor(a)
    big = np.zeros(tuple(2 * n + 1 for n in a.shape), dtype=a.dtype)
    key = tuple(slice(1, None, 2) for _ in a.shape)
    big[key] = a
    view = ember.tensor(big)[key]
    assert view._base is not None
    return view


@st.composite
def gather_case(draw: st.DrawFn) -> tuple[tuple[int, ...], int, np.ndarray]:
    """(input shape, dim, index) with index no larger than the input apart from ``dim``."""
    shape = draw(SHAPES)
    nd = max(len(shape), 1)
    dim = draw(st.integers(-nd, nd - 1))
    d = dim % nd
    full = shape or (1,)
    ishape = tuple(
        draw(st.integers(0, 4)) if k == d else draw(st.integers(0, full[k])) for k in range(nd)
    )
    if full[d] == 0:
        ishape = tuple(0 if k == d else n for k, n in enumerate(ishape))
    hi = max(full[d] - 1, 0)
    idx = np.array(draw(st.lists(st.integers(0, hi), min_size=math.prod(ishape), max_size=math.prod(ishape))),
                   dtype=np.int64).reshape(ishape)
    if not shape and draw(st.booleans()):
        idx = idx.reshape(()) if idx.size == 1 else idx
    return shape, dim, idx


def sliced(a: np.ndarray, ishape: tuple[int, ...], d: int) -> np.ndarray:
    return a[tuple(slice(None) if k == d else slice(0, n) for k, n in enumerate(ishape))]


# -- reads -------------------------------------------------------------------------------------------

@PROPERTY
@given(gather_case(), DTYPES, st.booleans(), st.sampled_from([ember.int64, ember.int32]))
def test_gather_matches_take_along_axis(case: Any, dt: ember.dtype, strided: bool, idt: ember.dtype) -> None:
    shape, dim, idx = case
    a = values(shape, dt)
    x = as_view(a, strided)
    out = x.gather(dim, ember.tensor(idx, dtype=idt))
    a1, i1 = a.reshape(shape or (1,)), idx.reshape(idx.shape or (1,))
    d = dim % a1.ndim
    expected = np.take_along_axis(sliced(a1, i1.shape, d), i1, d).reshape(idx.shape) if idx.size else np.zeros(idx.shape)
    assert out.dtype is dt and tuple(out.shape) == idx.shape
    np.testing.assert_array_equal(out.numpy(), expected.astype(NP[dt]))
    np.testing.assert_array_equal(ember.gather(x, dim, ember.tensor(idx)).numpy(), out.numpy())


@PROPERTY
@given(SHAPES.filter(lambda s: len(s) >= 1), st.data(), DTYPES, st.booleans())
def test_index_select_and_take_along_dim(shape: tuple[int, ...], data: st.DataObject, dt: ember.dtype, strided: bool) -> None:
    a = values(shape, dt)
    x = as_view(a, strided)
    d = data.draw(st.integers(0, len(shape) - 1))
    n = shape[d]
    picks = data.draw(st.lists(st.integers(0, n - 1), max_size=5)) if n else []
    out = x.index_select(d, ember.tensor(picks, dtype=ember.int64))
    np.testing.assert_array_equal(out.numpy(), np.take(a, np.array(picks, dtype=np.int64), axis=d))
    out32 = ember.index_select(x, d - len(shape), ember.tensor(picks, dtype=ember.int32))
    np.testing.assert_array_equal(out32.numpy(), out.numpy())
    # take_along_dim: indices broadcast against the input in the other dims; negatives count from the end
    ishape = tuple(data.draw(st.sampled_from([1, m])) if k != d else data.draw(st.integers(0, 3))
                   for k, m in enumerate(shape))
    if n == 0:
        ishape = tuple(0 if k == d else m for k, m in enumerate(ishape))
    idx = np.array(data.draw(st.lists(st.integers(-n, max(n - 1, 0)), min_size=math.prod(ishape),
                                      max_size=math.prod(ishape))), dtype=np.int64).reshape(ishape)
    got = x.take_along_dim(ember.tensor(idx), d)
    ones_at_d = [tuple(1 if k == d else m for k, m in enumerate(s)) for s in (shape, ishape)]
    bshape = tuple(n if k == d else m for k, m in enumerate(np.broadcast_shapes(*ones_at_d)))
    expected = np.take_along_axis(np.broadcast_to(a, bshape), idx, d) if idx.size and a.size else None
    if expected is not None:
        np.testing.assert_array_equal(got.numpy(), expected)
    # with dim=None: flat positions
    flat = np.array(data.draw(st.lists(st.integers(-a.size, a.size - 1), max_size=4)) if a.size else [], dtype=np.int64)
    np.testing.assert_array_equal(x.take_along_dim(ember.tensor(flat)).numpy(), a.ravel()[flat])
    np.testing.assert_array_equal(ember.take(x, ember.tensor(flat.reshape(-1, 1))).numpy(), a.ravel()[flat].reshape(-1, 1))


def test_zero_dim_reads() -> None:
    z = ember.tensor(5.0)
    assert z.index_select(0, ember.tensor(0)).shape == ()
    assert z.index_select(0, ember.tensor([0])).tolist() == 5.0
    assert z.gather(0, ember.tensor(0)).tolist() == 5.0
    assert z.gather(0, ember.tensor([0, 0])).tolist() == [5.0, 5.0]
    assert ember.arange(3.0).gather(0, ember.tensor(1)).tolist() == 1.0
    assert z.take(ember.tensor(0)).tolist() == 5.0
    assert ember.arange(12.0).reshape(3, 4).index_select(1, ember.tensor(2)).tolist() == [[2.0], [6.0], [10.0]]
    assert ember.zeros(0, 2).index_select(1, ember.tensor([1])).shape == (0, 1)
    assert ember.zeros(0).take(ember.tensor([], dtype=ember.int64)).shape == (0,)


# -- scatter ---------------------------------------------------------------------------------------

def full_index(idx: np.ndarray, d: int) -> tuple[np.ndarray, ...]:
    """NumPy index tuple sending idx[i0, .., ik, ..] to (i0, .., idx[...], ..)."""
    key = list(np.indices(idx.shape, sparse=True))
    key[d] = idx
    return tuple(key)


@PROPERTY
@given(gather_case(), DTYPES, st.booleans(), st.data())
def test_scatter_and_scatter_add_match_numpy(case: Any, dt: ember.dtype, strided: bool, data: st.DataObject) -> None:
    shape, dim, idx = case
    a = values(shape, dt, 1)
    a1, i1 = a.reshape(shape or (1,)), idx.reshape(idx.shape or (1,))
    d = dim % a1.ndim
    extra = data.draw(st.integers(0, 2))
    src = values(tuple(n + extra for n in i1.shape), dt, 2)
    part = src[tuple(slice(0, n) for n in i1.shape)]
    # scatter_: a strided view is written through to its base; last duplicate wins, as NumPy's
    x = as_view(a, strided)
    version = x._version[0] if x._version else 0
    x.scatter_(dim, ember.tensor(idx), ember.tensor(src))
    expected = a1.copy()
    if idx.size:
        expected[full_index(i1, d)] = part
    np.testing.assert_array_equal(x.numpy().reshape(a1.shape), expected)
    assert x._version[0] == version + 1
    # a Python number
    y = ember.tensor(a).scatter(dim, ember.tensor(idx), 7)
    expected = a1.copy()
    if idx.size:
        expected[full_index(i1, d)] = 7
    np.testing.assert_array_equal(y.numpy().reshape(a1.shape), expected)
    # scatter_add sums repeated positions
    y = ember.scatter_add(as_view(a, strided), dim, ember.tensor(idx), ember.tensor(src))
    expected = a1.copy()
    np.add.at(expected, full_index(i1, d), part)
    np.testing.assert_array_equal(y.numpy().reshape(a1.shape), expected)
    x = ember.tensor(a)
    assert x.scatter_add_(dim, ember.tensor(idx), ember.tensor(src)) is x
    np.testing.assert_array_equal(x.numpy().reshape(a1.shape), expected)


UFUNCS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def reduce_reference(a: np.ndarray, idx: np.ndarray, src: np.ndarray, d: int, reduce: str, include_self: bool) -> np.ndarray:
    """scatter_reduce by definition, one element at a time (sizes here are tiny)."""
    out = a.copy()
    groups: dict[tuple[int, ...], list[Any]] = {}
    for pos in np.ndindex(*idx.shape):
        target = list(pos)
        target[d] = int(idx[pos])
        groups.setdefault(tuple(target), []).append(src[pos])
    for target, vals in groups.items():
        items = ([a[target]] if include_self else []) + vals
        if reduce == "mean":
            total = np.sum(np.array(items, dtype=a.dtype))
            out[target] = total // len(items) if a.dtype.kind in "iu" else total / len(items)
        else:
            out[target] = UFUNCS[reduce].reduce(np.array(items, dtype=a.dtype))
    return out


@PROPERTY
@given(gather_case(), SUM_DTYPES, st.sampled_from(["sum", "prod", "mean", "amax", "amin"]), st.booleans(), st.booleans())
def test_scatter_reduce_matches_definition(case: Any, dt: ember.dtype, reduce: str, include_self: bool, strided: bool) -> None:
    shape, dim, idx = case
    a = values(shape, dt, 3) - (10 if dt is not ember.uint8 else 0)
    a = a.astype(NP[dt])
    a1, i1 = a.reshape(shape or (1,)), idx.reshape(idx.shape or (1,))
    d = dim % a1.ndim
    src = (values(i1.shape, dt, 4) % 7).astype(NP[dt]) - 3
    x = as_view(a, strided)
    out = x.scatter_reduce(dim, ember.tensor(idx), ember.tensor(src.reshape(i1.shape)), reduce, include_self=include_self)
    expected = reduce_reference(a1, i1, src, d, reduce, include_self)
    if dt.is_floating_point:
        np.testing.assert_allclose(out.numpy().reshape(a1.shape), expected, rtol=1e-6)
    else:
        np.testing.assert_array_equal(out.numpy().reshape(a1.shape), expected)
    np.testing.assert_array_equal(x.numpy(), a)  # out of place: the input is untouched
    x.scatter_reduce_(dim, ember.tensor(idx), ember.tensor(src.reshape(i1.shape)), reduce, include_self=include_self)
    np.testing.assert_array_equal(x.numpy(), out.numpy())


def test_scatter_reduce_special_values() -> None:
    # integer means floor, as torch's do
    got = ember.tensor([-1, 2, 3]).scatter_reduce(0, ember.tensor([0, 0]), ember.tensor([-2, -2]), "mean")
    assert got.tolist() == [-2, 2, 3]
    got = ember.tensor([5, 5, 5]).scatter_reduce(0, ember.tensor([0, 0]), ember.tensor([-1, -2]), "mean", include_self=False)
    assert got.tolist() == [-2, 5, 5]
    got = ember.tensor([5, 5, 5], dtype=ember.uint8).scatter_reduce(
        0, ember.tensor([0, 0]), ember.tensor([7, 9], dtype=ember.uint8), "amin", include_self=False)
    assert got.tolist() == [7, 5, 5]
    got = ember.zeros(3).scatter_reduce(0, ember.tensor([0, 0]), ember.tensor([math.nan, 1.0]), "amax")
    assert math.isnan(got[0].item())
    got = ember.zeros(3, dtype=ember.complex64).scatter_reduce(0, ember.tensor([0, 0]), ember.ones(2, dtype=ember.complex64), "mean")
    assert got[0].item() == pytest.approx(2 / 3)
    b = ember.zeros(3, dtype=ember.bool).scatter_add(0, ember.tensor([0, 0]), ember.tensor([True, True]))
    assert b.tolist() == [True, False, False]
    # scatter with reduce= (the legacy form): add / multiply, with a warning for tensor sources
    with pytest.warns(UserWarning, match="scatter_reduce"):
        got = ember.zeros(3, 4).scatter(0, ember.tensor([[0, 0], [0, 0]]), ember.ones(2, 2), reduce="add")
    assert got[0].tolist() == [2.0, 2.0, 0.0, 0.0]
    got = ember.full((3, 4), 2.0).scatter(0, ember.tensor([[0, 0], [0, 0]]), 3.0, reduce="multiply")
    assert got[0].tolist() == [18.0, 18.0, 2.0, 2.0]
    # a float value into an integer tensor truncates
    assert ember.zeros(3, dtype=ember.int64).scatter(0, ember.tensor([1]), 5.7).tolist() == [0, 5, 0]
    # 0-d
    assert ember.tensor(1.0).scatter(0, ember.tensor(0), ember.tensor(5.0)).tolist() == 5.0
    assert ember.zeros(3).scatter(0, ember.tensor(1), 5.0).tolist() == [0.0, 5.0, 0.0]


# -- index_add / index_copy / index_fill --------------------------------------------------------------

@PROPERTY
@given(SHAPES.filter(lambda s: len(s) >= 1), st.data(), SUM_DTYPES, st.booleans())
def test_index_add_copy_fill_match_numpy(shape: tuple[int, ...], data: st.DataObject, dt: ember.dtype, strided: bool) -> None:
    a = values(shape, dt, 5)
    d = data.draw(st.integers(0, len(shape) - 1))
    n = shape[d]
    picks = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=5)) if n else [], dtype=np.int64)
    sshape = tuple(len(picks) if k == d else m for k, m in enumerate(shape))
    src = values(sshape, dt, 6)
    alpha = data.draw(st.sampled_from([1, 2, -1]))
    x = as_view(a, strided)
    x.index_add_(d, ember.tensor(picks), ember.tensor(src), alpha=alpha)
    expected = a.copy()
    key = (slice(None),) * d + (picks,)
    np.add.at(expected, key, (src * alpha).astype(NP[dt]))
    np.testing.assert_array_equal(x.numpy(), expected)
    np.testing.assert_array_equal(
        ember.index_add(ember.tensor(a), d, ember.tensor(picks, dtype=ember.int32), ember.tensor(src), alpha=alpha).numpy(), expected)
    # index_copy with distinct positions
    unique = np.unique(picks)
    usrc = values(tuple(len(unique) if k == d else m for k, m in enumerate(shape)), dt, 7)
    expected = a.copy()
    expected[(slice(None),) * d + (unique,)] = usrc
    x = as_view(a, strided)
    x.index_copy_(d, ember.tensor(unique), ember.tensor(usrc))
    np.testing.assert_array_equal(x.numpy(), expected)
    np.testing.assert_array_equal(ember.index_copy(ember.tensor(a), d, ember.tensor(unique), ember.tensor(usrc)).numpy(), expected)
    # index_fill accepts negative positions
    neg = picks - n
    expected = a.copy()
    expected[(slice(None),) * d + (neg,)] = 9
    np.testing.assert_array_equal(ember.tensor(a).index_fill(d, ember.tensor(neg), 9).numpy(), expected)
    x = as_view(a, strided)
    x.index_fill_(d, ember.tensor(neg), ember.tensor(9))
    np.testing.assert_array_equal(x.numpy(), expected)


def test_index_ops_on_zero_dim_and_casts() -> None:
    assert ember.zeros(()).index_add(0, ember.tensor(0), ember.ones(())).tolist() == 1.0
    assert ember.zeros(()).index_copy(0, ember.tensor(0), ember.tensor(5.0)).tolist() == 5.0
    assert ember.zeros(3).index_copy(0, ember.tensor(1), ember.tensor(5.0)).tolist() == [0.0, 5.0, 0.0]
    assert ember.zeros(()).index_fill(0, ember.tensor([0, 0]), 1.0).tolist() == 1.0
    assert ember.zeros(3, dtype=ember.int64).index_add(0, ember.tensor([0, 0]), ember.ones(2, dtype=ember.int64), alpha=2.5).tolist() == [4, 0, 0]
    assert ember.zeros(3, dtype=ember.bool).index_add(0, ember.tensor([0, 0]), ember.ones(2, dtype=ember.bool)).tolist() == [True, False, False]
    assert ember.zeros(3, dtype=ember.int64).index_fill(0, ember.tensor([1]), 2.5).tolist() == [0, 2, 0]
    assert ember.zeros(3).index_fill(0, ember.tensor([1]), ember.tensor(2)).tolist() == [0.0, 2.0, 0.0]


# -- put_ / put ---------------------------------------------------------------------------------------

@PROPERTY
@given(SHAPES, st.data(), DTYPES, st.booleans(), st.booleans())
def test_put_matches_numpy(shape: tuple[int, ...], data: st.DataObject, dt: ember.dtype, strided: bool, accumulate: bool) -> None:
    a = values(shape, dt, 8)
    n = a.size
    idx = np.array(data.draw(st.lists(st.integers(-n, n - 1), max_size=6)) if n else [], dtype=np.int64)
    if not accumulate:
        idx = idx[np.unique(idx % max(n, 1), return_index=True)[1]] if idx.size else idx
    src = values(idx.shape, dt, 9)
    expected = a.copy().ravel()
    if accumulate:
        np.add.at(expected, idx, src)
    else:
        expected[idx] = src
    x = as_view(a, strided)
    x.put_(ember.tensor(idx), ember.tensor(src), accumulate=accumulate)
    np.testing.assert_array_equal(x.numpy().ravel(), expected)
    y = ember.put(ember.tensor(a), ember.tensor(idx.reshape(-1, 1)), ember.tensor(src), accumulate)
    np.testing.assert_array_equal(y.numpy().ravel(), expected)


def test_writes_reach_the_base_of_transposed_views() -> None:
    base = ember.zeros(3, 2)
    view = base.t()
    view.put_(ember.tensor([0, 1, 1]), ember.tensor([1.0, 2.0, 3.0]), accumulate=True)
    assert base.tolist() == [[1.0, 0.0], [5.0, 0.0], [0.0, 0.0]]
    view.scatter_(1, ember.tensor([[2], [0]]), ember.tensor([[7.0], [8.0]]))
    assert base.t().tolist() == [[1.0, 5.0, 7.0], [8.0, 0.0, 0.0]]
    view.index_fill_(1, ember.tensor([1]), -1.0)
    assert base[1].tolist() == [-1.0, -1.0]
    assert base._version[0] == 3


# -- errors ------------------------------------------------------------------------------------------

X = "ember.arange(12.0).reshape(3, 4)"
ERRORS: list[tuple[str, type[BaseException], str]] = [
    ("x.index_select(0, ember.tensor([[0]]))", IndexError, "index_select(): Index is supposed to be a vector"),
    ("x.index_select(0, ember.tensor([0.0]))", RuntimeError, "index_select(): Expected dtype int32 or int64 for index"),
    ("x.index_select(0, ember.tensor([5]))", IndexError, "index out of range in self"),
    ("x.index_select(0, ember.tensor([-1]))", IndexError, "index out of range in self"),
    ("x.index_select(2, ember.tensor([0]))", IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("x.index_select(0, [0])", TypeError, "index_select(): argument 'index' (position 2) must be Tensor, not list"),
    ("ember.tensor(5.0).index_select(0, ember.tensor([0, 0]))", RuntimeError, "Index to scalar can have only 1 value, got 2 value(s)"),
    ("ember.zeros(0, 2).index_select(0, ember.tensor([0]))", RuntimeError, "index_select(): self indexing axis dim should be positive"),
    ("x.gather(0, ember.tensor([0]))", RuntimeError, "Index tensor must have the same number of dimensions as input tensor"),
    ("x.gather(0, ember.zeros(2, 5, dtype=ember.int64))", RuntimeError,
     "Size does not match at dimension 1 expected index [2, 5] to be no larger than self [3, 4] apart from dimension 0"),
    ("x.gather(1, ember.tensor([[0, 7]]))", RuntimeError, "index 7 is out of bounds for dimension 1 with size 4"),
    ("x.gather(1, ember.tensor([[0, -1]]))", RuntimeError, "index -1 is out of bounds for dimension 1 with size 4"),
    ("x.gather(1, ember.zeros(2, 2))", RuntimeError, "gather(): Expected dtype int32/int64 for index"),
    ("x.scatter(0, ember.tensor([[0]]), ember.ones(1, 1, dtype=ember.float64))", RuntimeError,
     "scatter(): Expected self.dtype to be equal to src.dtype"),
    ("x.scatter(0, ember.tensor([[0, 1], [2, 0]]), ember.ones(1, 2))", RuntimeError,
     "Expected index [2, 2] to be no larger than self [3, 4] apart from dimension 0 and to be no larger size than src [1, 2]"),
    ("x.scatter(0, ember.zeros(2, 5, dtype=ember.int64), 1.0)", RuntimeError,
     "Expected index [2, 5] to be no larger than self [3, 4] apart from dimension 0"),
    ("x.scatter(0, ember.tensor([[3]]), ember.ones(1, 1))", RuntimeError, "index 3 is out of bounds for dimension 0 with size 3"),
    ("x.scatter(0, ember.tensor([0]), ember.ones(1))", RuntimeError, "Index tensor must have the same number of dimensions as self tensor"),
    ("x.scatter(0, ember.tensor([[0.0]]), ember.ones(1, 1))", RuntimeError, "scatter(): Expected dtype int32/int64 for index"),
    ("x.scatter(0, ember.tensor([[0]]), 1.0, reduce='sum')", RuntimeError, "reduce argument must be either add or multiply"),
    ("x.scatter_add(0, ember.tensor([[0]]), 1.0)", TypeError, "scatter_add(): argument 'src' (position 3) must be Tensor, not float"),
    ("x.scatter_reduce(0, ember.tensor([[0]]), ember.ones(1, 1), 'foo')", RuntimeError,
     "reduce argument must be either sum, prod, mean, amax or amin, got foo"),
    ("ember.zeros(3, dtype=ember.bool).scatter_reduce(0, ember.tensor([0]), ember.ones(1, dtype=ember.bool), 'mean')",
     NotImplementedError, "not implemented for 'Bool'"),
    ("ember.zeros(3, dtype=ember.complex64).scatter_reduce(0, ember.tensor([0]), ember.ones(1, dtype=ember.complex64), 'amax')",
     NotImplementedError, "not implemented for 'ComplexFloat'"),
    ("x.index_add(0, ember.tensor([0, 0]), ember.ones(2, 4, dtype=ember.float64))", RuntimeError,
     "index_add_(): self (Float) and source (Double) must have the same scalar type"),
    ("x.index_add(0, ember.tensor([0, 0]), ember.ones(2, 3))", RuntimeError,
     "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = [3, 4] source.shape = [2, 3]"),
    ("x.index_add(0, ember.tensor([0, 0]), ember.ones(3, 4))", RuntimeError,
     "index_add_(): Number of indices (2) should be equal to source.size(dim): (3), for dim: 0"),
    ("x.index_add(0, ember.tensor([[0, 0]]), ember.ones(2, 4))", IndexError,
     "index_add_(): Index is supposed to be a vector, but got dim: 2 with type: Long and size: [1, 2]"),
    ("x.index_add(0, ember.tensor([0.0]), ember.ones(1, 4))", RuntimeError, "index_add_(): Expected dtype int32/int64 for index but got: Float"),
    ("x.index_add(0, ember.tensor([3]), ember.ones(1, 4))", RuntimeError, "index 3 is out of bounds for dimension 0 with size 3"),
    ("x.index_add(0, ember.tensor([-1]), ember.ones(1, 4))", RuntimeError, "index -1 is out of bounds for dimension 0 with size 3"),
    ("x.index_copy(0, ember.tensor([0]), ember.ones(1, 4, dtype=ember.float64))", RuntimeError,
     "index_copy_(): self and source expected to have the same dtype, but got (self) Float and (source) Double"),
    ("x.index_copy(0, ember.tensor([0]), ember.ones(2, 4))", IndexError,
     "index_copy_(): Number of indices (1) should be equal to source.size(dim) (2)"),
    ("ember.zeros(3, 4, 5).index_copy(0, ember.tensor([0]), ember.ones(1, 4, 6))", RuntimeError,
     "Destination slice shape: 4 5 at dimension 0 and source slice shape: 4 6 at dimension 0."),
    ("x.index_copy(0, ember.tensor([0]), ember.ones(1, 4, 1))", IndexError,
     "Source dimensionality (3), destination dimensionality (2)"),
    ("x.index_copy(0, ember.tensor([0], dtype=ember.int32), ember.ones(1, 4))", RuntimeError,
     "index_copy_(): Expected a long tensor for index, but got Int"),
    ("x.index_copy(0, ember.tensor([-1]), ember.ones(1, 4))", IndexError,
     "index_copy_(): index -1 is out of bounds for dimension 0 with size 3"),
    ("x.index_copy(0, ember.tensor([[0]]), ember.ones(1, 4))", IndexError, "index_copy_(): Index should have dimension 1 or 0 (got 2)"),
    ("x.index_fill(1, ember.tensor([0]), ember.tensor([5.0]))", RuntimeError,
     "index_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s)."),
    ("x.index_fill(1, ember.tensor([4]), 5)", IndexError, "index 4 is out of bounds for dimension 1 with size 4"),
    ("x.index_fill(1, ember.tensor([0], dtype=ember.int32), 5)", IndexError, "index_fill_(): Expected dtype int64 for index."),
    ("x.index_fill(1, ember.tensor([[0]]), 5)", RuntimeError, "Index has to be a vector/scalar"),
    ("ember.zeros(3, dtype=ember.uint8).index_fill(0, ember.tensor([1]), 300)", RuntimeError,
     "value cannot be converted to type uint8_t without overflow"),
    ("x.index_fill(0, ember.tensor([1]), 1j)", RuntimeError, "index_fill_(): Converting complex Scalar to non-complex type is not supported"),
    ("x.take(ember.tensor([12]))", IndexError, "out of range: tried to access index 12 on a tensor of 12 elements."),
    ("x.take(ember.tensor([-13]))", IndexError, "out of range: tried to access index -13 on a tensor of 12 elements."),
    ("x.take(ember.tensor([1], dtype=ember.int32))", RuntimeError, "take(): Expected a long tensor for index, but got Int"),
    ("ember.zeros(0).take(ember.tensor([0]))", IndexError, "take(): tried to take from an empty tensor"),
    ("x.take_along_dim(ember.tensor([0]), 1)", RuntimeError,
     "take_along_dim(): input and indices should have the same number of dimensions, but got 2 dimensions for input, and 1 dimensions for indices"),
    ("x.take_along_dim(ember.tensor([[1]], dtype=ember.int32), 1)", RuntimeError, "take_along_dim(): dtype of indices should be Long but got Int"),
    ("x.take_along_dim(ember.zeros(2, 2, dtype=ember.int64), 1)", RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"),
    ("x.take_along_dim(ember.tensor([[4]]), 1)", RuntimeError, "index 4 is out of bounds for dimension 1 with size 4"),
    ("x.put_(ember.tensor([0, 1]), ember.tensor([1.0, 2.0, 3.0]))", IndexError,
     "put_(): Expected source and index to have the same number of elements, but got source.numel() = 3, index.numel() = 2"),
    ("x.put_(ember.tensor([0, 1]), ember.tensor([1, 2]))", RuntimeError,
     "put_(): self and source expected to have the same dtype, but got self.dtype = Float and source.dtype = Long"),
    ("x.put_(ember.tensor([12]), ember.tensor([1.0]))", IndexError, "out of range: tried to access index 12 on a tensor of 12 elements."),
    ("x.put_(ember.tensor([1], dtype=ember.int32), ember.tensor([1.0]))", RuntimeError, "put_(): Expected a long tensor for index, but got Int"),
]


@pytest.mark.parametrize(("expr", "exc", "fragment"), ERRORS)
def test_errors_match_torch_and_change_nothing(expr: str, exc: type[BaseException], fragment: str) -> None:
    x = ember.arange(12.0).reshape(3, 4)
    version = x._version[0] if x._version else 0
    with raises(exc, fragment):
        eval(expr, {"ember": ember, "x": x})
    in_place = expr.replace("x.scatter(", "x.scatter_(").replace("x.index_add(", "x.index_add_(").replace(
        "x.index_copy(", "x.index_copy_(").replace("x.index_fill(", "x.index_fill_(")
    if in_place != expr:  # the in-place form fails the same way and leaves x as it was
        with raises(exc, fragment):
            eval(in_place, {"ember": ember, "x": x})
    assert x.tolist() == ember.arange(12.0).reshape(3, 4).tolist()
    assert (x._version[0] if x._version else 0) == version


def test_in_place_writes_refuse_expanded_tensors() -> None:
    x = ember.zeros(1, 3).expand(2, 3)
    with raises(RuntimeError, "more than one element of the written-to tensor refers to a single memory location"):
        x.scatter_(0, ember.tensor([[0, 1, 0]]), 1.0)
    with raises(RuntimeError, "single memory location"):
        x.index_add_(1, ember.tensor([0]), ember.ones(2, 1))
    assert x.tolist() == [[0.0] * 3] * 2


def test_ops_work_on_a_backend_without_strided_views() -> None:
    """Only protocol kernels are used: a plain array-API backend (copying views) gives the same values."""
    bk = STRICT

    def strict(t: ember.Tensor) -> ember.Tensor:
        return on_strict(t)

    def run(fn: Any, *args: ember.Tensor) -> np.ndarray:
        return np.asarray(bk.to_numpy(fn(*(strict(a) for a in args))._data))

    x = ember.arange(12.0).reshape(3, 4)
    i2 = ember.tensor([[1, 1], [0, 2]])
    cases: list[tuple[Any, tuple[ember.Tensor, ...]]] = [
        (lambda t, i: t.gather(1, i), (x, i2)),
        (lambda t, i: t.index_select(1, i), (x, ember.tensor([3, 0]))),
        (lambda t, i: t.take(i), (x, ember.tensor([0, -1]))),
        (lambda t, i: t.take_along_dim(i, 1), (x, ember.tensor([[0], [-1], [3]]))),
        (lambda t, i: t.scatter(0, i, 5.0), (x, i2)),
        (lambda t, i, s: t.scatter_add(1, i, s), (x, i2, ember.ones(2, 2))),
        (lambda t, i, s: t.scatter_reduce(1, i, s, "mean", include_self=False), (x, i2, ember.ones(2, 2))),
        (lambda t, i, s: t.index_add(0, i, s), (x, ember.tensor([0, 0]), ember.ones(2, 4))),
        (lambda t, i, s: t.index_copy(0, i, s), (x, ember.tensor([2]), ember.ones(1, 4))),
        (lambda t, i: t.index_fill(1, i, -1.0), (x, ember.tensor([1, -1]))),
        (lambda t, i, s: t.put(i, s, accumulate=True), (x, ember.tensor([0, 5, 5]), ember.ones(3))),
    ]
    for fn, args in cases:
        np.testing.assert_array_equal(run(fn, *args), fn(*args).numpy())
