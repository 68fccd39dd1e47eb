"""Module-level joining functions: hstack/vstack/dstack/column_stack, meshgrid, broadcast_tensors,
atleast_*d, block_diag, cartesian_prod, repeat_interleave(counts), tril/triu_indices.

Values are compared with NumPy (dtypes promoted as ember.promote_types says); the
functions PyTorch answers with views (meshgrid, broadcast_tensors, atleast_*d) must
share memory and report the strides torch 2.13 printed for the same calls.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP, raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

PROPERTY = settings(max_examples=40, deadline=None)
raises = partial(raises_exactly, numpy_phrases=("axis", "numpy", "need at least one array", "all the input"))

DTYPES = [ember.bool, ember.uint8, ember.int32, ember.int64, ember.float16, ember.float32, ember.float64,
          ember.complex64]


def make(shape: tuple[int, ...], dt: ember.dtype, layout: str, start: int = 0) -> tuple[np.ndarray, ember.Tensor]:
    """Distinct values ``start, start + 1, ...`` in ``shape`` and ``dt``, as a contiguous,
    transposed or step-sliced tensor."""
    n = math.prod(shape)
    a = np.arange(start, start + n).reshape(shape)
    a = (a % 2 if dt is ember.bool else a).astype(NP[dt])
    if layout == "transposed" and a.ndim >= 2:
        return a, ember.tensor(np.ascontiguousarray(a.swapaxes(0, -1))).transpose(0, -1)
    if layout == "stepped" and a.ndim >= 1:
        big = np.zeros((*shape[:-1], 2 * shape[-1]), a.dtype)
        big[..., ::2] = a
        return a, ember.tensor(big)[..., ::2]
    return a, ember.tensor(a)


def same(out: ember.Tensor, expected: np.ndarray) -> None:
    assert tuple(out.shape) == expected.shape, (tuple(out.shape), expected.shape)
    np.testing.assert_array_equal(out.numpy(), expected)


def promoted(tensors: list[ember.Tensor]) -> ember.dtype:
    dt = tensors[0].dtype
    for t in tensors[1:]:
        dt = ember.promote_types(dt, t.dtype)
    return dt


def shares_memory(view: ember.Tensor, base: ember.Tensor) -> bool:
    """Writing ``base`` shows through every element of ``view`` (expanded views cannot be written themselves)."""
    if view.numel() == 0:
        return True
    before = base.clone()
    try:
        for value in (0, 1):
            base.fill_(value)
            if not bool((view == value).all()):
                return False
        return True
    finally:
        base.copy_(before)


@st.composite
def stack_case(draw: st.DrawFn, join_axis: Callable[[int], int], min_dims: int = 0, max_dims: int = 3) -> list[tuple[np.ndarray, ember.Tensor]]:
    """Tensors whose shapes agree except along the axis the function joins (after atleast_*d)."""
    nd = draw(st.integers(min_dims, max_dims))
    base = list(draw(hnp.array_shapes(min_dims=nd, max_dims=nd, min_side=0, max_side=3))) if nd else []
    out = []
    for i in range(draw(st.integers(1, 3))):
        shape = list(base)
        axis = join_axis(nd)
        if 0 <= axis < nd:
            shape[axis] = draw(st.integers(0, 3))
        dt = draw(st.sampled_from(DTYPES))
        out.append(make(tuple(shape), dt, draw(st.sampled_from(["contiguous", "transposed", "stepped"])), 10 * i))
    return out


def check_join(fn: Any, np_fn: Any, case: list[tuple[np.ndarray, ember.Tensor]]) -> None:
    tensors = [t for _, t in case]
    out = fn(tensors)
    dt = promoted(tensors)
    assert out.dtype is dt
    expected = np_fn([a.astype(NP[dt]) for a, _ in case])
    same(out, expected)
    target = ember.zeros(1, dtype=dt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the resize warning of a non-empty out=
        assert fn(tuple(tensors), out=target) is target
    same(target, expected)


@PROPERTY
@given(stack_case(lambda nd: 0 if nd <= 1 else 1))
def test_hstack_matches_numpy(case: Any) -> None:
    check_join(ember.hstack, np.hstack, case)


@PROPERTY
@given(stack_case(lambda nd: 0 if nd >= 2 else -1, max_dims=3))
def test_vstack_and_row_stack_match_numpy(case: Any) -> None:
    if case[0][0].ndim < 2:
        case = [(a, t) for a, t in case if a.shape == case[0][0].shape]
    check_join(ember.vstack, np.vstack, case)
    check_join(ember.row_stack, np.vstack, case)


@PROPERTY
@given(stack_case(lambda nd: 2 if nd >= 3 else -1))
def test_dstack_matches_numpy(case: Any) -> None:
    if case[0][0].ndim < 3:
        case = [(a, t) for a, t in case if a.shape == case[0][0].shape]
    check_join(ember.dstack, np.dstack, case)


@PROPERTY
@given(stack_case(lambda nd: 1 if nd >= 2 else -1))
def test_column_stack_matches_numpy(case: Any) -> None:
    if case[0][0].ndim < 2:
        case = [(a, t) for a, t in case if a.shape == case[0][0].shape]
    check_join(ember.column_stack, np.column_stack, case)


def test_column_stack_mixes_vectors_and_matrices() -> None:
    a, b = np.arange(5), np.arange(10).reshape(5, 2)
    same(ember.column_stack([ember.tensor(a), ember.tensor(b)]), np.column_stack([a, b]))
    same(ember.hstack([ember.tensor(1.0), ember.tensor(2)]), np.array([1.0, 2.0], np.float32))


# -- views of several tensors ------------------------------------------------------------------------------

@PROPERTY
@given(st.lists(st.tuples(st.sampled_from([None, 0, 1, 2, 3]), st.sampled_from(["contiguous", "stepped"])),
                min_size=1, max_size=4),
       st.sampled_from(DTYPES), st.sampled_from(["ij", "xy"]))
def test_meshgrid_matches_numpy_and_views_its_inputs(specs: Any, dt: ember.dtype, indexing: str) -> None:
    pairs = [make(() if n is None else (n,), dt, layout, 10 * i) for i, (n, layout) in enumerate(specs)]
    grids = ember.meshgrid(*(t for _, t in pairs), indexing=indexing)
    expected = np.meshgrid(*(a.reshape(-1) for a, _ in pairs), indexing=indexing)
    assert isinstance(grids, tuple) and len(grids) == len(expected)
    for g, e, (_, t) in zip(grids, expected, pairs, strict=True):
        same(g, e)
        assert g.dtype is dt
        assert shares_memory(g, t)
    for g, e in zip(ember.meshgrid([t for _, t in pairs], indexing=indexing), expected, strict=True):
        same(g, e)


def test_meshgrid_strides_and_default_indexing_warning() -> None:
    v, w = ember.arange(5), ember.arange(3)
    with pytest.warns(UserWarning, match="torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument."):
        a, b = ember.meshgrid(v, w)
    assert (a.shape, a.stride(), b.stride()) == ((5, 3), (1, 0), (0, 1))  # 'ij', as torch's default
    a, b = ember.meshgrid(v, w, indexing="xy")
    assert (a.shape, a.stride(), b.stride()) == ((3, 5), (0, 1), (1, 0))
    a, b, c = ember.meshgrid(v, w, ember.arange(2), indexing="xy")
    assert (a.stride(), b.stride(), c.stride()) == ((0, 1, 0), (1, 0, 0), (0, 0, 1))
    a, b = ember.meshgrid(v, ember.tensor(3), indexing="ij")
    assert (a.shape, a.stride(), b.stride()) == ((5, 1), (1, 1), (0, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.meshgrid(v, indexing="ij")


@PROPERTY
@given(st.lists(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3), min_size=1, max_size=3),
       st.data())
def test_broadcast_tensors_matches_numpy(shapes: list[tuple[int, ...]], data: st.DataObject) -> None:
    # squash sizes so the shapes broadcast: each dim is its own size or 1
    target = data.draw(hnp.array_shapes(min_dims=3, max_dims=3, min_side=0, max_side=3))
    shapes = [tuple(n if data.draw(st.booleans()) else 1 for n in target[3 - len(s):]) for s in shapes]
    pairs = [make(s, data.draw(st.sampled_from(DTYPES)), data.draw(st.sampled_from(["contiguous", "stepped"])), 10 * i)
             for i, s in enumerate(shapes)]
    outs = ember.broadcast_tensors(*(t for _, t in pairs))
    expected = np.broadcast_arrays(*(a for a, _ in pairs))
    for o, e, (_, t) in zip(outs, expected, pairs, strict=True):
        same(o, e)
        assert o.dtype is t.dtype
        assert shares_memory(o, t)
        if tuple(t.shape) == e.shape:
            assert o is t  # torch hands back a tensor that already has the shape


@PROPERTY
@given(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3), st.sampled_from(DTYPES),
       st.sampled_from(["contiguous", "transposed", "stepped"]))
def test_atleast_nd_match_numpy(shape: tuple[int, ...], dt: ember.dtype, layout: str) -> None:
    a, t = make(shape, dt, layout)
    for n, np_fn in ((1, np.atleast_1d), (2, np.atleast_2d), (3, np.atleast_3d)):
        fn = getattr(ember, f"atleast_{n}d")
        out = fn(t)
        same(out, np_fn(a))
        assert shares_memory(out, t)
        if a.ndim >= n:
            assert out is t
        both = fn(t, t)
        assert isinstance(both, tuple) and len(both) == 2
        same(both[1], np_fn(a))
        assert len(fn([t])) == 1 and fn() == ()


def test_atleast_strides_match_torch() -> None:
    v = ember.arange(5)
    assert ember.atleast_2d(v[::2]).stride() == (6, 2)
    assert ember.atleast_3d(v).stride() == (5, 1, 1)
    assert ember.atleast_3d(ember.arange(12).reshape(3, 4).t()).stride() == (1, 4, 1)
    assert ember.atleast_3d(ember.tensor(1.0)).stride() == (1, 1, 1)


# -- new tensors from several inputs -----------------------------------------------------------------------

@PROPERTY
@given(st.lists(st.tuples(hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3), st.sampled_from(DTYPES),
                          st.sampled_from(["contiguous", "transposed", "stepped"])), min_size=1, max_size=4))
def test_block_diag_places_blocks_on_the_diagonal(specs: Any) -> None:
    pairs = [make(s, dt, layout, 10 * i) for i, (s, dt, layout) in enumerate(specs)]
    out = ember.block_diag(*(t for _, t in pairs))
    dt = promoted([t for _, t in pairs])
    assert out.dtype is dt
    blocks = [a.reshape(1, -1) if a.ndim < 2 else a for a, _ in pairs]
    expected = np.zeros((sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)), NP[dt])
    r = c = 0
    for b in blocks:
        expected[r : r + b.shape[0], c : c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    same(out, expected)
    assert out._base is None


def test_block_diag_of_nothing_is_one_empty_row() -> None:
    out = ember.block_diag()
    assert out.shape == (1, 0) and out.dtype is ember.get_default_dtype()


@PROPERTY
@given(st.lists(st.integers(0, 3), min_size=1, max_size=3), st.sampled_from(DTYPES))
def test_cartesian_prod_matches_itertools_product(sizes: list[int], dt: ember.dtype) -> None:
    pairs = [make((n,), dt, "stepped", 10 * i) for i, n in enumerate(sizes)]
    out = ember.cartesian_prod(*(t for _, t in pairs))
    rows = list(itertools.product(*(a.tolist() for a, _ in pairs)))
    if len(sizes) == 1:
        assert out is pairs[0][1]
        return
    expected = np.array(rows, NP[dt]).reshape(len(rows), len(sizes))
    same(out, expected)


@PROPERTY
@given(st.integers(0, 6), st.integers(0, 6), st.integers(-7, 7), st.sampled_from([ember.int64, ember.int32]))
def test_tril_triu_indices_match_numpy(row: int, col: int, offset: int, dt: ember.dtype) -> None:
    for fn, np_fn in ((ember.tril_indices, np.tril_indices), (ember.triu_indices, np.triu_indices)):
        out = fn(row, col, offset, dtype=dt)
        assert out.dtype is dt
        same(out, np.array(np_fn(row, offset, col), NP[dt]).reshape(2, -1))
    same(ember.tril_indices(row, col), np.array(np.tril_indices(row, 0, col)).reshape(2, -1))


@PROPERTY
@given(st.lists(st.integers(0, 4), max_size=6), st.sampled_from([ember.int64, ember.int32]))
def test_repeat_interleave_of_counts_lists_each_index(counts: list[int], dt: ember.dtype) -> None:
    out = ember.repeat_interleave(ember.tensor(counts, dtype=dt))
    assert out.dtype is dt
    same(out, np.repeat(np.arange(len(counts)), counts).astype(NP[dt]))
    same(ember.repeat_interleave(ember.tensor(counts, dtype=dt), output_size=sum(counts)), out.numpy())


# -- errors --------------------------------------------------------------------------------------------------

v5 = lambda: ember.arange(5)  # noqa: E731
m12 = lambda: ember.arange(12).reshape(3, 4)  # noqa: E731

ERRORS: list[tuple[Callable[[], Any], type[BaseException], list[str]]] = [
    (lambda: ember.hstack([v5(), m12()]), RuntimeError, ["Tensors must have same number of dimensions: got 1 and 2"]),
    (lambda: ember.hstack([]), RuntimeError, ["hstack expects a non-empty TensorList"]),
    (lambda: ember.vstack([]), RuntimeError, ["vstack expects a non-empty TensorList"]),
    (lambda: ember.dstack([]), RuntimeError, ["dstack expects a non-empty TensorList"]),
    (lambda: ember.column_stack([]), RuntimeError, ["column_stack expects a non-empty TensorList"]),
    (lambda: ember.hstack(v5()), TypeError, ["hstack(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"]),
    (lambda: ember.hstack([v5(), 3]), TypeError, ["expected Tensor as element 1 in argument 0, but got int"]),
    (lambda: ember.vstack([v5(), ember.zeros(3)]), RuntimeError, [
        "Sizes of tensors must match except in dimension 0. Expected size 5 but got size 3 for tensor number 1 in the list."
    ]),
    (lambda: ember.meshgrid(v5(), ember.arange(3.0), indexing="ij"), RuntimeError, ["meshgrid expects all tensors to have the same dtype"]),
    (lambda: ember.meshgrid(indexing="ij"), RuntimeError, ["meshgrid expects a non-empty TensorList"]),
    (lambda: ember.meshgrid([], indexing="ij"), RuntimeError, ["meshgrid expects a non-empty TensorList"]),
    (lambda: ember.meshgrid(v5(), indexing="foo"), RuntimeError, ['torch.meshgrid: indexing must be one of "xy" or "ij", but received: foo']),
    (lambda: ember.meshgrid(v5(), 3, indexing="ij"), TypeError, ["expected Tensor as element 1 in argument 0, but got int"]),
    (lambda: ember.meshgrid(v5(), ember.zeros(2, 2, dtype=ember.int64), indexing="ij"), RuntimeError, [
        "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got"
    ]),
    (lambda: ember.broadcast_tensors(v5(), ember.zeros(3)), RuntimeError, [
        "The size of tensor a (5) must match the size of tensor b (3) at non-singleton dimension 0"
    ]),
    (lambda: ember.broadcast_tensors([v5(), v5()]), TypeError, ["expected Tensor as element 0 in argument 0, but got list"]),
    (lambda: ember.broadcast_tensors(v5(), 3), TypeError, ["expected Tensor as element 1 in argument 0, but got int"]),
    (lambda: ember.atleast_1d(3), TypeError, ["atleast_1d()", "int"]),
    (lambda: ember.atleast_2d(v5(), 3), TypeError, ["expected Tensor as element 1 in argument 0, but got int"]),
    (lambda: ember.block_diag(m12(), ember.zeros(2, 3, 4)), RuntimeError, [
        "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input 1 has 3 dimensions"
    ]),
    (lambda: ember.cartesian_prod(v5(), ember.arange(2.0)), RuntimeError, ["meshgrid expects all tensors to have the same dtype"]),
    (lambda: ember.cartesian_prod(v5(), m12()), RuntimeError, ["Expect a 1D vector, but got shape [3, 4]"]),
    (lambda: ember.cartesian_prod(ember.tensor(1), v5()), RuntimeError, ["Expect a 1D vector, but got shape []"]),
    (lambda: ember.cartesian_prod(), RuntimeError, ["meshgrid expects a non-empty TensorList"]),
    (lambda: ember.tril_indices(3, 4, dtype=ember.float32), NotImplementedError, ['"tril_indices" not implemented for \'Float\'']),
    (lambda: ember.triu_indices(3, 4, dtype=ember.bool), NotImplementedError, ['"triu_indices" not implemented for \'Bool\'']),
    (lambda: ember.tril_indices(-1, 4), RuntimeError, ["row must be non-negative, got-1"]),
    (lambda: ember.triu_indices(3, -4), RuntimeError, ["col must be non-negative, got-4"]),
    (lambda: ember.tril_indices(3.0, 4), TypeError, ["tril_indices(): argument 'row' (position 1) must be int, not float"]),
    (lambda: ember.repeat_interleave(3), TypeError, ["repeat_interleave(): argument 'input' (position 1) must be Tensor, not int"]),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case: int) -> None:
    call, exc, fragments = ERRORS[case]
    with raises(exc, *fragments):
        call()
