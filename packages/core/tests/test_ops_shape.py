"""Views and reshaping (view, reshape, permute, expand, ...) and joining/splitting.

Views must share memory with their base and report the strides, storage
offsets and contiguity PyTorch reports for the same ops (numbers captured from
PyTorch 2.13 and pasted below). Property tests compare values with NumPy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import SHAPES, numbered, raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

PROPERTY = settings(max_examples=60, deadline=None)

NUMPY_PHRASES = ("cannot reshape array", "axis", "numpy", "all the input array dimensions", "need at least one array")

raises = partial(raises_exactly, numpy_phrases=NUMPY_PHRASES)


def same(out: ember.Tensor, expected: np.ndarray) -> None:
    assert tuple(out.shape) == expected.shape
    np.testing.assert_array_equal(out.numpy(), expected)


def shares_memory(view: ember.Tensor, base: ember.Tensor) -> bool:
    """Writing through ``view`` shows in ``base`` (checked by writing, not by pointers)."""
    if view.numel() == 0:
        return True
    before = base.clone()
    view.fill_(-7.0)
    changed = bool((base != before).any())
    base.copy_(before)
    return changed


# -- views: true strides, offsets and contiguity ---------------------------------------------------
# (shape, stride, storage_offset, is_contiguous) printed by torch for x = arange(24.).reshape(2, 3, 4)

VIEWS: dict[str, tuple[Callable[[ember.Tensor], ember.Tensor], tuple[Any, ...]]] = {
    "x": (lambda x: x, ((2, 3, 4), (12, 4, 1), 0, True)),
    "view": (lambda x: x.view(6, 4), ((6, 4), (4, 1), 0, True)),
    "view -1": (lambda x: x.view(-1), ((24,), (1,), 0, True)),
    "t": (lambda x: x[0].t(), ((4, 3), (1, 4), 0, False)),
    "transpose": (lambda x: x.transpose(0, 2), ((4, 3, 2), (1, 4, 12), 0, False)),
    "permute": (lambda x: x.permute(2, 0, 1), ((4, 2, 3), (1, 12, 4), 0, False)),
    "slice": (lambda x: x[1:, ::2, 1:3], ((1, 2, 2), (12, 8, 1), 13, False)),
    "int": (lambda x: x[1], ((3, 4), (4, 1), 12, True)),
    "int2": (lambda x: x[1, 2], ((4,), (1,), 20, True)),
    "int3": (lambda x: x[1, 2, 3], ((), (), 23, True)),
    "none": (lambda x: x[None, :, None], ((1, 2, 1, 3, 4), (24, 12, 12, 4, 1), 0, True)),
    "none last": (lambda x: x[:, ::2, 1:][..., None], ((2, 2, 3, 1), (12, 8, 1, 1), 1, False)),
    "ellipsis": (lambda x: x[..., 1], ((2, 3), (12, 4), 1, False)),
    "expand": (lambda x: x[:, 0:1, :].expand(2, 3, 4), ((2, 3, 4), (12, 0, 1), 0, False)),
    "expand new": (lambda x: x[0, 0].expand(3, 4), ((3, 4), (0, 1), 0, False)),
    "unsqueeze": (lambda x: x.unsqueeze(1), ((2, 1, 3, 4), (12, 12, 4, 1), 0, True)),
    "squeeze": (lambda x: x[:, :1].squeeze(1), ((2, 4), (12, 1), 0, False)),
    "flatten": (lambda x: x.flatten(1), ((2, 12), (12, 1), 0, True)),
    "T": (lambda x: x[0].T, ((4, 3), (1, 4), 0, False)),
    "mT": (lambda x: x.mT, ((2, 4, 3), (12, 1, 4), 0, False)),
    "reshape view": (lambda x: x.reshape(4, 6), ((4, 6), (6, 1), 0, True)),
    "narrow step": (lambda x: x[:, 1, ::3], ((2, 2), (12, 3), 4, False)),
    "chunk": (lambda x: x.chunk(2, 2)[1], ((2, 3, 2), (12, 4, 1), 2, False)),
    "split": (lambda x: x.split([1, 2], 1)[1], ((2, 2, 4), (12, 4, 1), 4, False)),
    "unbind": (lambda x: x.unbind(1)[2], ((2, 4), (12, 1), 8, False)),
    "t 1-d": (lambda x: x[0, 0].t(), ((4,), (1,), 0, True)),
    "squeeze all": (lambda x: x[:1, :, :1].squeeze(), ((3,), (4,), 0, False)),
    "unsqueeze of transpose": (lambda x: x.transpose(0, 2).unsqueeze(0), ((1, 4, 3, 2), (4, 1, 4, 12), 0, False)),
    "size-1 dims": (lambda x: x[:, :1, :1], ((2, 1, 1), (12, 4, 1), 0, False)),
    "detach": (lambda x: x.detach(), ((2, 3, 4), (12, 4, 1), 0, True)),
    "step then transpose": (lambda x: x[:, :, 1::2].transpose(0, 2), ((2, 3, 2), (2, 4, 12), 1, False)),
    "empty slice": (lambda x: x[:, 3:], ((2, 0, 4), (12, 4, 1), None, True)),  # torch: offset 12
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_views_report_torch_strides_and_share_memory(name: str) -> None:
    make, (shape, stride, offset, contiguous) = VIEWS[name]
    x = ember.arange(24, dtype=ember.float32).reshape(2, 3, 4)
    v = make(x)
    assert tuple(v.shape) == shape
    assert v.stride() == stride
    assert v.is_contiguous() is contiguous
    if offset is not None:
        assert v.storage_offset() == offset
        assert v.data_ptr() == x.data_ptr() + offset * 4
    if offset is not None:
        # the values are the storage (0, 1, 2, ...) read with torch's strides and offset
        storage = np.arange(24, dtype=np.float32)
        expected = np.lib.stride_tricks.as_strided(storage[offset:], shape, tuple(4 * n for n in stride))
        np.testing.assert_array_equal(v.numpy(), expected)
    if name not in ("expand", "expand new"):  # expanded views are read-only
        assert shares_memory(v, x)


def test_writes_through_views_reach_the_base_and_back() -> None:
    x = ember.zeros(3, 4)
    x.view(12)[5] = 1.0
    x.t()[3, 2] = 2.0
    x.transpose(0, 1)[0].fill_(3.0)
    x.permute(1, 0)[1, 0] = 4.0
    x[:, 2:][1].add_(5.0)
    x.unsqueeze(0)[0, 2, 1] = 6.0
    expected = np.zeros((3, 4))
    expected.reshape(12)[5] = 1.0
    expected.T[3, 2] = 2.0
    expected.T[0] = 3.0
    expected.T[1, 0] = 4.0
    expected[:, 2:][1] += 5.0
    expected[2, 1] = 6.0
    np.testing.assert_array_equal(x.numpy(), expected)
    e = ember.ones(3, 1)
    big = e.expand(3, 4)
    e[1, 0] = 9.0  # writing the base shows through its expanded view
    assert big[1].tolist() == [9.0] * 4


def test_contiguous_and_clone() -> None:
    x = ember.arange(6.0).reshape(2, 3)
    assert x.contiguous() is x
    t = x.t()
    c = t.contiguous()
    assert c is not t and c.is_contiguous() and c.stride() == (2, 1)
    np.testing.assert_array_equal(c.numpy(), x.numpy().T)
    assert not shares_memory(c, x)
    k = x.clone()
    assert k.stride() == (3, 1) and not shares_memory(k, x)
    np.testing.assert_array_equal(ember.clone(t).numpy(), x.numpy().T)
    assert ember.zeros(2, 0, 3).transpose(0, 2).is_contiguous()  # every empty tensor is


# -- reshaping, property-based ----------------------------------------------------------------------

@st.composite
def reshape_target(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape with the same number of elements: shuffled dims, adjacent merges, extra 1s, maybe a -1."""
    dims = list(draw(st.permutations(list(shape))))
    i = 0
    while i < len(dims) - 1:
        if draw(st.booleans()):
            dims[i : i + 2] = [dims[i] * dims[i + 1]]
        i += 1
    for _ in range(draw(st.integers(0, 2))):
        dims.insert(draw(st.integers(0, len(dims))), 1)
    if dims and math.prod(shape) > 0 and draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


@PROPERTY
@given(SHAPES, st.data())
def test_reshape_and_view_match_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    a, x = numbered(shape)
    target = data.draw(reshape_target(shape))
    expected = a.reshape(target)
    same(x.reshape(target), expected)
    same(ember.reshape(x, target), expected)
    v = x.view(*target)
    same(v, expected)
    assert v.is_contiguous() and shares_memory(v, x)
    same(x.reshape_as(ember.tensor(expected)), expected)
    same(x.view_as(ember.tensor(expected)), expected)
    # a non-contiguous input: reshape copies where a view is impossible, values still match
    if a.ndim >= 2:
        same(x.transpose(0, -1).reshape(target), a.swapaxes(0, -1).reshape(target))


@PROPERTY
@given(SHAPES, st.data())
def test_permute_transpose_t_match_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    a, x = numbered(shape)
    nd = a.ndim
    perm = data.draw(st.permutations(range(nd)))
    signed = [p - nd if data.draw(st.booleans()) else p for p in perm]
    out = x.permute(*signed)
    same(out, a.transpose(perm))
    same(ember.permute(x, signed), a.transpose(perm))
    assert shares_memory(out, x)
    if nd:
        d0, d1 = data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd - 1))
        out = x.transpose(d0, d1)
        same(out, np.swapaxes(a, d0, d1))
        same(ember.transpose(x, d0, d1), np.swapaxes(a, d0, d1))
        same(x.swapaxes(d0, d1), np.swapaxes(a, d0, d1))
        assert shares_memory(out, x)
    if nd <= 2:
        same(x.t(), a.T)
        same(ember.t(x), a.T)
        assert shares_memory(x.t(), x)


@PROPERTY
@given(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=2), st.data())
def test_squeeze_unsqueeze_match_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    a, x = numbered(shape)
    nd = a.ndim
    same(x.squeeze(), np.squeeze(a))
    if nd:
        dims = data.draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=nd, unique_by=lambda d: d % nd))
        # torch leaves a named dim alone unless its size is 1 (NumPy would raise)
        drop = {d % nd for d in dims if shape[d] == 1}
        expected = a.reshape([n for i, n in enumerate(shape) if i not in drop])
        same(x.squeeze(tuple(dims)), expected)
        one = dims[0]
        same(x.squeeze(one), a.reshape([n for i, n in enumerate(shape) if not (i == one % nd and n == 1)]))
        assert shares_memory(x.squeeze(one), x)
    pos = data.draw(st.integers(-nd - 1, nd))
    out = x.unsqueeze(pos)
    same(out, np.expand_dims(a, pos))
    same(ember.unsqueeze(x, pos), np.expand_dims(a, pos))
    assert shares_memory(out, x)


@PROPERTY
@given(SHAPES, st.data())
def test_flatten_matches_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    a, x = numbered(shape)
    nd = a.ndim
    if nd == 0:
        same(x.flatten(), a.reshape(1))
        return
    s = data.draw(st.integers(-nd, nd - 1))
    e = data.draw(st.integers(s % nd, nd - 1))
    if data.draw(st.booleans()):
        e -= nd
    lo, hi = s % nd, e % nd
    expected = a.reshape((*shape[:lo], math.prod(shape[lo : hi + 1]), *shape[hi + 1 :]))
    same(x.flatten(s, e), expected)
    same(ember.flatten(x, s, e), expected)
    same(x.flatten(), a.reshape(-1))


@PROPERTY
@given(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), st.data())
def test_expand_matches_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    a, x = numbered(shape)
    lead = data.draw(st.lists(st.integers(0, 3), max_size=2))
    tail = [data.draw(st.integers(0, 3)) if n == 1 else (n if data.draw(st.booleans()) else -1) for n in shape]
    target = (*lead, *tail)
    expected = np.broadcast_to(a, tuple(n if n != -1 else m for n, m in zip(target, (*lead, *shape), strict=True)))
    out = x.expand(*target)
    same(out, expected)
    same(x.expand(target), expected)
    same(x.expand_as(ember.zeros(expected.shape)), expected)
    # Strides of dims that hold more than one element are torch's: 0 where expanded, else kept.
    # (For size-1 dims of a genuine expansion NumPy reports 0 where torch keeps a nominal stride.)
    for i, n in enumerate(expected.shape):
        if n > 1 and out.numel():
            kept = i >= len(lead) and shape[i - len(lead)] == n
            assert out.stride(i) == (x.stride(i - len(lead)) if kept else 0)
    if expected.shape == (*[1] * len(lead), *shape) and out.numel():  # nothing grows: a writable view
        assert out.stride()[len(lead):] == x.stride()
        assert shares_memory(out, x)


# -- joining and splitting ----------------------------------------------------------------------------

@st.composite
def cat_case(draw: st.DrawFn, *, stack: bool) -> tuple[list[np.ndarray], int]:
    base = list(draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3)))
    nd = len(base)
    dim = draw(st.integers(-nd - 1, nd) if stack else st.integers(-nd, nd - 1))
    arrays = []
    for _ in range(draw(st.integers(1, 4))):
        shape = list(base)
        if not stack:
            shape[dim % nd] = draw(st.integers(0, 3))
        dt = draw(st.sampled_from([np.float32, np.float64, np.int32, np.int64, np.bool_]))
        arrays.append(np.arange(math.prod(shape)).reshape(shape).astype(dt))
    return arrays, dim


def promoted(arrays: list[np.ndarray]) -> Any:
    dt = ember.tensor(arrays[0]).dtype
    for a in arrays[1:]:
        dt = ember.promote_types(dt, ember.tensor(a).dtype)
    return dt


@PROPERTY
@given(cat_case(stack=False))
def test_cat_matches_numpy(case: tuple[list[np.ndarray], int]) -> None:
    arrays, dim = case
    tensors = [ember.tensor(a) for a in arrays]
    dt = promoted(arrays)
    out = ember.cat(tensors, dim)
    assert out.dtype is dt
    expected = np.concatenate([a.astype(out.numpy().dtype) for a in arrays], axis=dim)
    same(out, expected)
    same(ember.cat(tuple(tensors), dim=dim), expected)
    same(ember.concat(tensors, dim), expected)


@PROPERTY
@given(cat_case(stack=True))
def test_stack_matches_numpy(case: tuple[list[np.ndarray], int]) -> None:
    arrays, dim = case
    out = ember.stack([ember.tensor(a) for a in arrays], dim)
    assert out.dtype is promoted(arrays)
    same(out, np.stack([a.astype(out.numpy().dtype) for a in arrays], axis=dim))


@PROPERTY
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=7), st.data())
def test_split_and_chunk_match_slicing(shape: tuple[int, ...], data: st.DataObject) -> None:
    a, x = numbered(shape)
    nd = a.ndim
    dim = data.draw(st.integers(-nd, nd - 1))
    axis = dim % nd
    size = shape[axis]

    def parts(sizes: list[int]) -> list[np.ndarray]:
        edges = np.cumsum([0, *sizes])
        return [np.take(a, range(edges[i], edges[i + 1]), axis=axis) for i in range(len(sizes))]

    step = data.draw(st.integers(1, 8))
    expected = parts([min(step, size - i) for i in range(0, size, step)] or [0])
    got = x.split(step, dim)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        same(g, e)
        assert shares_memory(g, x)
    sizes = data.draw(st.lists(st.integers(0, size), min_size=1, max_size=4).filter(lambda s: sum(s) == size)) if size < 6 else [size]
    for g, e in zip(ember.split(x, sizes, dim), parts(sizes), strict=True):
        same(g, e)
    chunks = data.draw(st.integers(1, 8))
    per = -(-size // chunks)  # torch: ceil(size / chunks) each, fewer chunks if needed
    expected = parts([min(per, size - i) for i in range(0, size, per)] if size else [0] * chunks)
    got = x.chunk(chunks, dim)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        same(g, e)
    for g, e in zip(x.unbind(dim), [np.take(a, i, axis=axis) for i in range(size)], strict=True):
        same(g, e)


def test_cat_skips_legacy_empty_1d_tensors() -> None:
    out = ember.cat([ember.ones(2, 3), ember.empty(0), ember.zeros(1, 3)])
    assert out.shape == (3, 3)
    np.testing.assert_array_equal(out.numpy(), np.concatenate([np.ones((2, 3)), np.zeros((1, 3))]))


# -- errors --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("call", "exc", "fragments"),
    [
        (lambda x: x.t().view(6), RuntimeError, [
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across "
            "two contiguous subspaces). Use .reshape(...) instead."
        ]),
        (lambda x: x.view(4), RuntimeError, ["view()", "shape '[4]' is invalid for input of size 6"]),
        (lambda x: x.reshape(5), RuntimeError, ["reshape()", "shape '[5]' is invalid for input of size 6"]),
        (lambda x: x.view(-1, -1), RuntimeError, ["only one dimension can be inferred"]),
        (lambda x: x.view(-1, 4), RuntimeError, ["shape '[-1, 4]' is invalid for input of size 6"]),
        (lambda x: x.view(-2, 3), RuntimeError, ["invalid shape dimension -2"]),
        (lambda x: x.view(2.0, 3), TypeError, ["view()", "float"]),
        (lambda x: x.reshape("a"), TypeError, ["reshape()", "str"]),
        (lambda x: x.permute(0), RuntimeError, ["permute()", "input.dim() = 2 is not equal to len(dims) = 1"]),
        (lambda x: x.permute(0, 0), RuntimeError, ["permute(): duplicate dims are not allowed."]),
        (lambda x: x.permute(0, 2), IndexError, ["Dimension out of range (expected to be in range of [-2, 1], but got 2)"]),
        (lambda x: x.transpose(0, 2), IndexError, ["transpose()", "Dimension out of range"]),
        (lambda x: x.squeeze(2), IndexError, ["squeeze()", "but got 2"]),
        (lambda x: x.unsqueeze(3), IndexError, ["unsqueeze()", "[-3, 2], but got 3"]),
        (lambda x: x.flatten(0, 2), IndexError, ["flatten()", "Dimension out of range"]),
        (lambda x: x.flatten(1, 0), RuntimeError, ["flatten() has invalid args: start_dim cannot come after end_dim"]),
        (lambda x: ember.ones(2, 2, 2).t(), RuntimeError, ["t() expects a tensor with <= 2 dimensions, but self is 3D"]),
        (lambda x: ember.ones(3).mT, RuntimeError, ["only supported on matrices or batches of matrices"]),
        (lambda x: ember.ones(3).expand(2, 4), RuntimeError, [
            "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  "
            "Target sizes: [2, 4].  Tensor sizes: [3]"
        ]),
        (lambda x: x.expand(3), RuntimeError, ["the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)"]),
        (lambda x: ember.ones(3).expand(-1, 3), RuntimeError, ["-1", "leading, non-existing dimension 0"]),
        (lambda x: ember.cat([x, ember.ones(3, 2)]), RuntimeError, [
            "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list."
        ]),
        (lambda x: ember.cat([x, ember.ones(3)]), RuntimeError, ["Tensors must have same number of dimensions: got 2 and 1"]),
        (lambda x: ember.cat([x, x], 2), IndexError, ["cat()", "Dimension out of range"]),
        (lambda x: ember.cat([]), ValueError, ["cat(): expected a non-empty list of Tensors"]),
        (lambda x: ember.cat(x), TypeError, ["cat(): argument 'tensors' must be tuple of Tensors, not Tensor"]),
        (lambda x: ember.cat([x, 1]), TypeError, ["expected Tensor as element 1 in argument 0, but got int"]),
        (lambda x: ember.cat([ember.tensor(1.0), ember.tensor(2.0)]), RuntimeError, [
            "zero-dimensional tensor (at position 0) cannot be concatenated"
        ]),
        (lambda x: ember.stack([x, ember.ones(3, 3)]), RuntimeError, [
            "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 3] at entry 1"
        ]),
        (lambda x: ember.stack([x, x], 3), IndexError, ["stack()", "[-3, 2], but got 3"]),
        (lambda x: ember.stack([]), RuntimeError, ["stack(): expected a non-empty list of Tensors"]),
        (lambda x: x.chunk(0), RuntimeError, ["chunk()", "greater than 0, got 0"]),
        (lambda x: x.split(0), RuntimeError, ["split()", "got 0"]),
        (lambda x: x.split([1, 2]), RuntimeError, [
            "split_with_sizes expects split_sizes to sum exactly to 2 (input tensor's size at dimension 0), but got split_sizes=[1, 2]"
        ]),
        (lambda x: ember.tensor(1.0).split(1), RuntimeError, ["split()", "0-d"]),
        (lambda x: ember.tensor(1.0).chunk(1), RuntimeError, ["chunk expects at least a 1-dimensional tensor"]),
        (lambda x: ember.tensor(1.0).unbind(0), IndexError, ["Dimension specified as 0 but tensor has no dimensions"]),
        (lambda x: x.chunk(1.5), TypeError, ["chunk(): argument 'chunks' must be int, not float"]),
        (lambda x: x.split("a"), TypeError, ["split()", "must be int, not str"]),
    ],
)
def test_shape_errors(call: Any, exc: type[BaseException], fragments: list[str]) -> None:
    x = ember.arange(6.0).reshape(2, 3)
    with raises(exc, *fragments):
        call(x)
    assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_expanded_views_refuse_inplace_writes() -> None:
    base = ember.ones(3)
    e = base.expand(2, 3)
    with raises(RuntimeError, "more than one element of the written-to tensor refers to a single memory location"):
        e.mul_(2)
    assert base.tolist() == [1.0, 1.0, 1.0]
