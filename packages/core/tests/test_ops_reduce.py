"""Reductions: sum, mean, prod, max/min, amax/amin, argmax/argmin, all/any.

Property tests compare Ember with NumPy over random shapes (0-d and size-0
dims included), dims and keepdim; expected errors were captured from PyTorch 2.13.
"""

from __future__ import annotations

import warnings
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP, SHAPES, raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

PROPERTY = settings(max_examples=60, deadline=None)

NUMPY_PHRASES = ("ufunc", "numpy", "axis", "zero-size array", "casting rule", "Mean of empty")

raises = partial(raises_exactly, numpy_phrases=NUMPY_PHRASES)


DTYPES = [ember.bool, ember.uint8, ember.int32, ember.int64, ember.float32, ember.float64]


@st.composite
def tensor_and_dims(draw: st.DrawFn, *, multi: bool = True) -> tuple[np.ndarray, Any, bool]:
    """An array, a ``dim`` argument (None, an int or a tuple, negatives included) and keepdim."""
    dt = draw(st.sampled_from(DTYPES))
    shape = draw(SHAPES)
    if dt is ember.bool:
        elements: st.SearchStrategy[Any] = st.booleans()
    elif dt is ember.uint8:
        elements = st.integers(0, 3)
    elif dt.is_floating_point:
        elements = st.integers(-8, 8).map(lambda v: v / 4)  # exact sums in any order
    else:
        elements = st.integers(-3, 3)
    a = draw(hnp.arrays(NP[dt], shape, elements=elements))
    ndim = len(shape)
    choices = [st.none()]
    if ndim:
        one = st.integers(-ndim, ndim - 1)
        choices.append(one)
        if multi:
            choices.append(st.lists(one, min_size=1, max_size=ndim, unique_by=lambda d: d % ndim).map(tuple))
    else:
        choices.append(st.sampled_from([0, -1]))
    return a, draw(st.one_of(*choices)), draw(st.booleans())


def np_axes(dim: Any, ndim: int) -> Any:
    if dim is None:
        return None
    dims = dim if isinstance(dim, tuple) else (dim,)
    return tuple(d % ndim for d in dims) if ndim else None


def check(out: ember.Tensor, expected: Any, dt: ember.dtype) -> None:
    expected = np.asarray(expected)
    assert out.dtype is dt
    assert tuple(out.shape) == expected.shape
    if dt.is_floating_point:
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6, equal_nan=True)
    else:
        np.testing.assert_array_equal(out.numpy(), expected)


def accumulate(dt: ember.dtype) -> ember.dtype:
    return ember.int64 if not dt.is_floating_point else dt


@PROPERTY
@given(tensor_and_dims())
def test_sum_matches_numpy(case: tuple[np.ndarray, Any, bool]) -> None:
    a, dim, keepdim = case
    x = ember.tensor(a)
    dt = accumulate(x.dtype)
    axes = np_axes(dim, a.ndim)
    expected = np.sum(a, axis=axes, keepdims=keepdim if dim is not None else False, dtype=NP[dt])
    if dim is None:
        check(x.sum(), expected, dt)
        check(ember.sum(x), expected, dt)
    else:
        check(x.sum(dim, keepdim), expected, dt)
        check(ember.sum(x, dim=dim, keepdim=keepdim), expected, dt)


@PROPERTY
@given(tensor_and_dims(multi=False))
def test_prod_matches_numpy(case: tuple[np.ndarray, Any, bool]) -> None:
    a, dim, keepdim = case
    x = ember.tensor(a)
    dt = accumulate(x.dtype)
    if dim is None:
        check(x.prod(), np.prod(a, dtype=NP[dt]), dt)
    else:
        check(x.prod(dim, keepdim), np.prod(a, axis=np_axes(dim, a.ndim), keepdims=keepdim, dtype=NP[dt]), dt)


@PROPERTY
@given(tensor_and_dims())
def test_mean_matches_numpy(case: tuple[np.ndarray, Any, bool]) -> None:
    a, dim, keepdim = case
    a = a.astype(np.float64)
    x = ember.tensor(a)
    axes = np_axes(dim, a.ndim)
    reduced = a.shape if axes is None else [a.shape[d] for d in axes]
    if a.size == 0 and 0 in reduced:  # the mean of nothing is NaN, without NumPy's warning
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's "Mean of empty slice"
            expected = np.mean(a, axis=axes, keepdims=keepdim and dim is not None)
    else:
        expected = np.mean(a, axis=axes, keepdims=keepdim and dim is not None)
    check(x.mean() if dim is None else x.mean(dim, keepdim), expected, ember.float64)


@PROPERTY
@given(tensor_and_dims())
def test_all_any_match_numpy(case: tuple[np.ndarray, Any, bool]) -> None:
    a, dim, keepdim = case
    x = ember.tensor(a)
    dt = ember.uint8 if x.dtype is ember.uint8 else ember.bool  # torch keeps uint8 for all/any
    axes = np_axes(dim, a.ndim)
    kd = keepdim and dim is not None
    for name in ("all", "any"):
        expected = getattr(np, name)(a, axis=axes, keepdims=kd).astype(NP[dt])
        out = getattr(x, name)() if dim is None else getattr(x, name)(dim, keepdim)
        check(out, expected, dt)


@PROPERTY
@given(tensor_and_dims())
def test_amax_amin_match_numpy(case: tuple[np.ndarray, Any, bool]) -> None:
    a, dim, keepdim = case
    x = ember.tensor(a)
    axes = np_axes(dim, a.ndim)
    reduced = a.shape if axes is None else [a.shape[d] for d in axes]
    for name, fn in (("amax", np.max), ("amin", np.min)):
        args = () if dim is None else (dim, keepdim)
        if 0 in reduced:
            if dim is None:
                with raises(RuntimeError, f"{name}(): Expected reduction dim to be specified for input.numel() == 0"):
                    getattr(x, name)()
            else:
                with raises(IndexError, f"{name}(): Expected reduction dim", "to have non-zero size"):
                    getattr(x, name)(*args)
            continue
        check(getattr(x, name)(*args), fn(a, axis=axes, keepdims=keepdim and dim is not None), x.dtype)


@PROPERTY
@given(tensor_and_dims(multi=False))
def test_max_min_argmax_argmin_with_dim_match_numpy(case: tuple[np.ndarray, Any, bool]) -> None:
    a, dim, keepdim = case
    if a.dtype == np.bool_:
        a = a.astype(np.int32)  # argmax of bool is refused (tested below)
    x = ember.tensor(a)
    if dim is None:
        if a.size == 0:
            with raises(RuntimeError, "max(): Expected reduction dim to be specified for input.numel() == 0."):
                x.max()
            with raises(IndexError, "argmin(): Expected reduction dim to be specified for input.numel() == 0."):
                x.argmin()
            return
        check(x.max(), np.max(a), x.dtype)
        check(x.min(), np.min(a), x.dtype)
        check(x.argmax(), np.argmax(a), ember.int64)  # of the flattened tensor
        check(x.argmin(keepdim=keepdim), np.argmin(a, keepdims=keepdim), ember.int64)
        return
    axis = dim % a.ndim if a.ndim else None
    if a.ndim and a.shape[axis] == 0:
        with raises(IndexError, f"max(): Expected reduction dim {axis} to have non-zero size."):
            x.max(dim)
        with raises(IndexError, f"argmax(): Expected reduction dim {axis} to have non-zero size."):
            x.argmax(dim)
        return
    for name, value_fn, index_fn in (("max", np.max, np.argmax), ("min", np.min, np.argmin)):
        values, indices = getattr(x, name)(dim, keepdim)
        result = getattr(x, name)(dim=dim, keepdim=keepdim)
        assert result.values is not None and result.indices is not None
        check(values, value_fn(a, axis=axis, keepdims=keepdim), x.dtype)
        check(indices, index_fn(a, axis=axis, keepdims=keepdim), ember.int64)
        check(getattr(x, "arg" + name)(dim, keepdim), index_fn(a, axis=axis, keepdims=keepdim), ember.int64)
        check(getattr(ember, "arg" + name)(x, dim=dim), index_fn(a, axis=axis), ember.int64)


def test_max_with_dim_returns_a_named_pair() -> None:
    x = ember.tensor([[1, 5], [7, 2]])
    out = x.max(dim=1)
    assert out.values.tolist() == [5, 7]
    assert out.indices.tolist() == [1, 0]
    values, indices = ember.min(x, 0, keepdim=True)
    assert values.tolist() == [[1, 2]] and indices.tolist() == [[0, 1]]
    assert repr(out).startswith("ember.return_types.max(\nvalues=tensor([5, 7]),")
    # with a tensor, max/min are elementwise
    assert x.max(ember.tensor([[3, 3], [3, 3]])).tolist() == [[3, 5], [7, 3]]
    assert ember.min(x, ember.tensor(4)).tolist() == [[1, 4], [4, 2]]


def test_ties_give_the_first_index_and_nan_propagates() -> None:
    x = ember.tensor([[3, 1, 3], [0, 0, 0]])
    assert x.argmax(1).tolist() == [0, 0]
    assert x.max(1).indices.tolist() == [0, 0]
    f = ember.tensor([1.0, float("nan"), 3.0])
    assert np.isnan(f.max().item()) and np.isnan(f.amin().item())
    assert f.argmax().item() == 1
    assert f.max(0).indices.item() == 1


def test_zero_dim_reductions() -> None:
    x = ember.tensor(5.0)
    for dim in (0, -1):
        assert x.sum(dim).item() == 5.0
        assert x.max(dim).values.item() == 5.0 and x.max(dim).indices.item() == 0
        assert x.argmax(dim, keepdim=True).shape == ()
    assert x.sum(0, keepdim=True).shape == ()
    with raises(IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)"):
        x.sum(1)


def test_empty_dim_list_reduces_everything_for_sum_and_mean() -> None:
    x = ember.arange(6.0).reshape(2, 3)
    assert x.sum(()).item() == 15.0
    assert x.sum([]).item() == 15.0
    assert x.mean(()).item() == 2.5
    assert x.amax(()).item() == 5.0
    # torch's all/any with an empty dim list reduce nothing
    assert x.all(()).tolist() == [[False, True, True], [True, True, True]]


def test_empty_reductions() -> None:
    empty = ember.ones(2, 0)
    assert empty.sum().item() == 0.0
    assert empty.sum(1).tolist() == [0.0, 0.0]
    assert empty.prod(1).tolist() == [1.0, 1.0]
    assert empty.all(1).tolist() == [True, True]
    assert empty.any().item() is False
    assert np.isnan(empty.mean().item())
    assert empty.max(0).values.shape == (0,)  # the reduced dim is not the empty one
    assert ember.ones(0, dtype=ember.complex64).mean().tolist() != ember.ones(0, dtype=ember.complex64).mean().tolist()


@pytest.mark.parametrize(
    ("call", "exc", "fragments"),
    [
        (lambda x: x.sum(2), IndexError, ["Dimension out of range (expected to be in range of [-2, 1], but got 2)"]),
        (lambda x: x.mean(-3), IndexError, ["Dimension out of range (expected to be in range of [-2, 1], but got -3)"]),
        (lambda x: x.max(5), IndexError, ["max()", "but got 5"]),
        (lambda x: x.argmin(2), IndexError, ["argmin()", "Dimension out of range"]),
        (lambda x: x.amax((0, 2)), IndexError, ["Dimension out of range"]),
        (lambda x: x.all(-3), IndexError, ["Dimension out of range"]),
        (lambda x: x.prod(2), IndexError, ["Dimension out of range"]),
        (lambda x: x.sum((0, 0)), RuntimeError, ["appears multiple times in the list of dims"]),
        (lambda x: x.sum((1, -1)), RuntimeError, ["appears multiple times in the list of dims"]),
        (lambda x: x.sum("a"), TypeError, ["sum()", "'dim'", "str"]),
        (lambda x: x.amax(1.0), TypeError, ["'dim'", "float"]),
        (lambda x: x.sum(dtype="float"), TypeError, ["'dtype'", "str"]),
        (lambda x: x.long().mean(), RuntimeError, [
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long"
        ]),
        (lambda x: x.bool().mean(1), RuntimeError, ["Got: Bool"]),
        (lambda x: x.bool().argmax(), RuntimeError, ["argmax(): does not support bool input"]),
        (lambda x: x.cfloat().argmin(0), RuntimeError, ["argmin(): does not support complex input"]),
        (lambda x: x.cfloat().max(1), RuntimeError, ["max(): does not support complex input"]),
        (lambda x: x.cfloat().max(), NotImplementedError, ["max(): not implemented for complex tensors"]),
        (lambda x: x.cfloat().amin(0), NotImplementedError, ["amin(): not implemented for complex tensors"]),
    ],
)
def test_reduction_errors(call: Any, exc: type[BaseException], fragments: list[str]) -> None:
    with raises(exc, *fragments):
        call(ember.ones(2, 3))


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_full_reduction_of_empty_tensor_is_a_runtime_error(name: str) -> None:
    with raises(
        RuntimeError,
        f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
        "Specify the reduction dim with the 'dim' argument.",
    ):
        getattr(ember.ones(0, 3), name)()


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_reduction_of_empty_tensor_is_an_index_error(name: str) -> None:
    with raises(IndexError, f"{name}(): Expected reduction dim to be specified for input.numel() == 0."):
        getattr(ember.ones(0), name)()
    with raises(IndexError, f"{name}(): Expected reduction dim 0 to have non-zero size."):
        getattr(ember.ones(0, 2), name)(0)
    assert getattr(ember.ones(0, 2), name)(1).shape == (0,)
