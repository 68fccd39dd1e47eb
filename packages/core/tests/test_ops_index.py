"""Indexing: ``x[key]`` reads (views for basic keys) and ``x[key] = value`` writes.

Property tests compare reads and writes with NumPy doing the same on a copy;
basic keys mix ints, slices with steps, None and Ellipsis. Expected errors and
the strides of ``None`` dims were captured from PyTorch 2.13.
"""

from __future__ import annotations

import math
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

PROPERTY = settings(max_examples=80, deadline=None)
FEWER = settings(max_examples=40, deadline=None)

NUMPY_PHRASES = ("numpy", "out of bounds for uint8", "could not broadcast", "boolean index did not match", "Python integer")

raises = partial(raises_exactly, numpy_phrases=NUMPY_PHRASES)


def positive_steps(key: Any) -> Any:
    """torch has no negative slice steps: flip any that hypothesis drew."""
    def fix(k: Any) -> Any:
        if isinstance(k, slice) and k.step is not None and k.step < 0:
            return slice(k.start, k.stop, -k.step)
        return k
    return tuple(fix(k) for k in key) if isinstance(key, tuple) else fix(key)


@st.composite
def basic_case(draw: st.DrawFn) -> tuple[tuple[int, ...], Any]:
    shape = draw(SHAPES)
    key = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True).map(positive_steps))
    if shape == () and not isinstance(key, tuple) and key is not None and key is not Ellipsis:
        key = (key,)
    return shape, key


def has_none(key: Any) -> bool:
    return key is None or (isinstance(key, tuple) and any(k is None for k in key))


# -- reads -------------------------------------------------------------------------------------------

@PROPERTY
@given(basic_case())
def test_basic_reads_match_numpy_and_are_views(case: tuple[tuple[int, ...], Any]) -> None:
    shape, key = case
    a, x = numbered(shape)
    out = x[key]
    expected = a[key]
    assert tuple(out.shape) == np.shape(expected)
    np.testing.assert_array_equal(out.numpy(), expected)
    assert out.dtype is ember.float64
    if out.numel():
        # a view: same storage, the offset and (without None) the strides NumPy computes too
        k = key if isinstance(key, tuple) else (key,)
        view = a[k if Ellipsis in k else (*k, Ellipsis)]  # an array even when every dim is indexed
        offset = (view.__array_interface__["data"][0] - a.__array_interface__["data"][0]) // 8
        assert out.storage_offset() == offset
        assert out.data_ptr() == x.data_ptr() + 8 * offset
        if not has_none(key):
            assert out.stride() == tuple(s // 8 for s in view.strides)
        out.fill_(-1.0)
        expected_after = a.copy()
        expected_after[key] = -1.0
        np.testing.assert_array_equal(x.numpy(), expected_after)  # the write went through to x


@PROPERTY
@given(SHAPES.filter(lambda s: len(s) >= 1), st.data())
def test_boolean_mask_reads_match_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    a, x = numbered(shape)
    lead = data.draw(st.integers(1, len(shape)))
    mask = data.draw(hnp.arrays(np.bool_, shape[:lead]))
    m = ember.tensor(mask)
    expected = a[mask]
    for out in (x[m], x[mask.tolist()] if lead == 1 else x[m]):
        assert tuple(out.shape) == expected.shape
        np.testing.assert_array_equal(out.numpy(), expected)
    # a mask after a slice, and a uint8 mask (torch's legacy byte masks)
    np.testing.assert_array_equal(x[..., None][m].numpy(), a[..., None][mask])
    if lead == 1 and len(shape) >= 2:
        np.testing.assert_array_equal(x[:, ember.ones(shape[1], dtype=ember.bool)].numpy(), a)
    result = x[m]
    if result.numel():
        result.fill_(-5.0)  # an advanced read is a copy
        assert not (x == -5.0).any().item()


@PROPERTY
@given(SHAPES.filter(lambda s: len(s) >= 1 and s[0] > 0), st.data())
def test_integer_array_reads_match_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    a, x = numbered(shape)
    n = shape[0]
    idx = data.draw(st.lists(st.integers(-n, n - 1), max_size=5))
    expected = a[np.array(idx, dtype=np.int64)]
    for key in (ember.tensor(idx, dtype=ember.int64), idx if idx else ember.tensor([], dtype=ember.int64),
                ember.tensor(idx, dtype=ember.int32)):
        out = x[key]
        assert tuple(out.shape) == expected.shape
        np.testing.assert_array_equal(out.numpy(), expected)
    if len(shape) >= 2 and shape[1] > 0:
        cols = data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=1, max_size=3))
        np.testing.assert_array_equal(x[:, cols].numpy(), a[:, cols])
        np.testing.assert_array_equal(x[1:, ember.tensor(cols)].numpy(), a[1:, cols])


# key -> (shape, values) printed by torch for x = arange(24.).reshape(2, 3, 4). torch applies ints
# first (as views), then tensor indices, so ints never move the advanced dims the way NumPy's do.
MIXED_KEYS: list[tuple[Any, tuple[int, ...], list[Any]]] = [
    ((1, slice(None), [0, 2]), (3, 2), [[12.0, 14.0], [16.0, 18.0], [20.0, 22.0]]),
    ((0, None, [1, 0, 1]), (1, 3, 4), [[[4.0, 5.0, 6.0, 7.0], [0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]]),
    (([0, 1], 0, [1, 2]), (2,), [1.0, 14.0]),
    (([1, 0], slice(None), 2), (2, 3), [[14.0, 18.0, 22.0], [2.0, 6.0, 10.0]]),
    ((slice(None), 1, "mask"), (2, 3), [[4.0, 6.0, 7.0], [16.0, 18.0, 19.0]]),
    ((1, [[0, 1], [2, 0]]), (2, 2, 4), [
        [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0]], [[20.0, 21.0, 22.0, 23.0], [12.0, 13.0, 14.0, 15.0]]
    ]),
]


@pytest.mark.parametrize(("key", "shape", "values"), MIXED_KEYS)
def test_ints_mixed_with_tensor_indices_follow_torch(key: Any, shape: tuple[int, ...], values: list[Any]) -> None:
    x = ember.arange(24.0).reshape(2, 3, 4)
    key = tuple(ember.tensor([True, False, True, True]) if k == "mask" else k for k in key)
    out = x[key]
    assert tuple(out.shape) == shape
    assert out.tolist() == values
    # a write reaches exactly the elements the read returned (x holds each element's flat position)
    y = x.clone()
    y[key] = -1.0
    expected = np.arange(24.0)
    expected[np.array(values, dtype=np.int64).ravel()] = -1.0
    np.testing.assert_array_equal(y.numpy().ravel(), expected)


def test_writes_with_ints_and_tensor_indices_follow_torch() -> None:
    y = ember.zeros(2, 3, 4)
    y[1, :, [0, 2]] = ember.tensor([1.0, 2.0])  # the value broadcasts over torch's (3, 2) layout
    assert y[1].tolist() == [[1.0, 0.0, 2.0, 0.0]] * 3
    assert y[0].sum().item() == 0.0
    y[[0, 1], 0, [1, 2]] = ember.tensor([5.0, 6.0])
    assert y[0, 0, 1].item() == 5.0 and y[1, 0, 2].item() == 6.0


def test_none_dims_report_torch_strides() -> None:
    x = ember.arange(24.0).reshape(2, 3, 4)
    # torch: a new dim's stride is the next dim's size * stride (1 at the end)
    assert x[None].stride() == (24, 12, 4, 1)
    assert x[:, None].stride() == (12, 12, 4, 1)
    assert x[..., None].stride() == (12, 4, 1, 1)
    assert x[None, None].stride() == (24, 24, 12, 4, 1)
    assert x[:, ::2, None, 1:].stride() == (12, 8, 4, 1)  # the size before the later slice counts
    assert x.transpose(0, 2)[None, :, None].stride() == (4, 1, 12, 4, 12)
    assert x[1, None, 2].stride() == (12, 1)
    assert x[1, None, 2].storage_offset() == 20
    assert ember.tensor(5.0)[None].stride() == (1,)
    assert ember.tensor(5.0)[None].shape == (1,)


def test_scalar_keys() -> None:
    x = ember.arange(12).reshape(3, 4)
    assert x[ember.tensor(1)].tolist() == [4, 5, 6, 7]  # a 0-d integer tensor acts as an int
    assert x[1, ember.tensor(-1)].item() == 7
    assert x[True].shape == (1, 3, 4)
    assert x[False].shape == (0, 3, 4)
    assert x[np.int64(2), 1].item() == 9
    z = ember.tensor(3.5)
    assert z[()].item() == 3.5 and z[...].item() == 3.5 and z[None].tolist() == [3.5]


# -- writes ------------------------------------------------------------------------------------------

@PROPERTY
@given(basic_case(), st.data())
def test_basic_writes_match_numpy(case: tuple[tuple[int, ...], Any], data: st.DataObject) -> None:
    shape, key = case
    a, x = numbered(shape)
    target = a[key]
    target_shape = np.shape(target)
    kind = data.draw(st.sampled_from(["scalar", "tensor", "int tensor"]))
    if kind == "scalar":
        value: Any = data.draw(st.sampled_from([-1.5, 7, True]))
        np_value: Any = float(value)
    else:
        vshape = data.draw(hnp.broadcastable_shapes(target_shape, min_dims=0, min_side=0).filter(
            lambda s: len(s) <= len(target_shape) and np.broadcast_shapes(s, target_shape) == target_shape
        ))
        np_value = np.full(vshape, -2.0) + np.arange(math.prod(vshape)).reshape(vshape)
        value = ember.tensor(np_value if kind == "tensor" else np_value.astype(np.int64))
    expected = a.copy()
    expected[key] = np_value
    x[key] = value
    np.testing.assert_array_equal(x.numpy(), expected)
    assert x.dtype is ember.float64


@PROPERTY
@given(SHAPES.filter(lambda s: len(s) >= 1), st.data())
def test_mask_and_index_writes_match_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    a, x = numbered(shape)
    mask = data.draw(hnp.arrays(np.bool_, shape))
    expected = a.copy()
    how = data.draw(st.sampled_from(["scalar", "values", "one"]))
    count = int(mask.sum())
    if how == "scalar":
        expected[mask] = 9.0
        x[ember.tensor(mask)] = 9.0
    elif how == "values":
        values = np.arange(count, dtype=np.float64) + 100
        expected[mask] = values
        x[ember.tensor(mask)] = ember.tensor(values)
    else:
        expected[mask] = 42.0
        x[ember.tensor(mask)] = ember.tensor([42.0])  # broadcasts
    np.testing.assert_array_equal(x.numpy(), expected)
    if shape[0]:
        rows = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=3, unique_by=lambda i: i % shape[0]))
        expected[rows] = -3.0
        x[ember.tensor(rows)] = -3.0
        np.testing.assert_array_equal(x.numpy(), expected)


def test_writes_cast_to_the_target_dtype_with_torch_rules() -> None:
    i = ember.zeros(3, dtype=ember.int64)
    i[0] = 1.7  # truncates towards zero
    i[1] = -2.9
    i[2] = True
    assert i.tolist() == [1, -2, 1]
    i[:] = ember.tensor([1.5, 2.5, -3.5])
    assert i.tolist() == [1, 2, -3]
    u = ember.zeros(2, dtype=ember.uint8)
    u[0] = -1  # torch wraps -255..-1 into uint8
    u[1] = 255
    assert u.tolist() == [255, 255]
    b = ember.zeros(2, dtype=ember.bool)
    b[0] = 5
    assert b.tolist() == [True, False]
    h = ember.zeros(2, dtype=ember.float16)
    h[0] = 70000.0  # float16 saturates to inf, as in torch
    assert h[0].item() == float("inf")
    f = ember.zeros(2)
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        f[:] = ember.tensor([1 + 2j, 3 - 1j])
    assert f.tolist() == [1.0, 3.0]
    f[0] = 2 + 0j
    assert f.tolist() == [2.0, 3.0]
    c = ember.zeros(2, dtype=ember.complex64)
    c[0] = 1j
    assert c.tolist() == [1j, 0j]


@pytest.mark.parametrize(
    ("dtype", "value", "exc", "fragment"),
    [
        (ember.uint8, 256, RuntimeError, "value cannot be converted to type uint8_t without overflow"),
        (ember.uint8, -256, RuntimeError, "uint8_t"),
        (ember.int8, 128, RuntimeError, "value cannot be converted to type int8_t without overflow"),
        (ember.int32, 2**31, RuntimeError, "type int without overflow"),
        (ember.int64, float("nan"), RuntimeError, "value cannot be converted to type int64_t without overflow"),
        (ember.int64, float("inf"), RuntimeError, "int64_t"),
        (ember.int32, 1e10, RuntimeError, "type int without overflow"),
        (ember.float32, 1e39, RuntimeError, "value cannot be converted to type float without overflow"),
        (ember.float32, 1j, RuntimeError, "value cannot be converted to type float without overflow"),
        (ember.int64, 2**63, ValueError, "Overflow when unpacking long long"),
        (ember.float32, "a", TypeError, "can't assign a str"),
        (ember.float32, [1.0, 2.0], TypeError, "can't assign a list"),
        (ember.float32, None, TypeError, "NoneType"),
    ],
)
def test_bad_scalar_writes_raise_and_change_nothing(dtype: ember.dtype, value: Any, exc: type[BaseException], fragment: str) -> None:
    x = ember.zeros(3, dtype=dtype)
    with raises(exc, fragment):
        x[1] = value
    assert x.tolist() == ember.zeros(3, dtype=dtype).tolist()


def test_failed_writes_leave_the_target_unchanged() -> None:
    x = ember.arange(12).reshape(3, 4)
    before = x.numpy().copy()
    with raises(RuntimeError, "shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [4]"):
        x[0] = ember.tensor([1, 2, 3])
    with raises(RuntimeError, "value tensor of shape [2, 4] cannot be broadcast to indexing result of shape [3, 4]"):
        x[:] = ember.ones(2, 4, dtype=ember.int64)
    with raises(RuntimeError, "value tensor of shape [2, 4] cannot be broadcast to indexing result of shape [4]"):
        x[1] = ember.ones(2, 4, dtype=ember.int64)
    with raises(RuntimeError, "shape mismatch: value tensor of shape [3]"):
        x[x > 9] = ember.tensor([100, 200, 300])
    with raises(IndexError, "index 5 is out of bounds for dimension 0 with size 3"):
        x[5] = 0
    with raises(IndexError, "index 7 is out of bounds for dimension 0 with size 3"):
        x[ember.tensor([0, 7])] = 0
    with raises(IndexError, "index 4 is out of bounds for dimension 1 with size 4"):
        x[0, [1, 4]] = 0
    with raises(IndexError, "too many indices for tensor of dimension 2"):
        x[0, 0, 0] = 1
    with raises(IndexError, "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0"):
        x[ember.tensor([True, False])] = 0
    with raises(RuntimeError, "value cannot be converted to type int64_t without overflow"):
        x[0] = float("nan")
    np.testing.assert_array_equal(x.numpy(), before)
    # x[1] = v leading size-1 dims of the value are dropped, as torch does
    x[1] = ember.full((1, 1, 4), 7, dtype=ember.int64)
    assert x[1].tolist() == [7, 7, 7, 7]


@pytest.mark.parametrize(
    ("key", "exc", "fragment"),
    [
        (3, IndexError, "index 3 is out of bounds for dimension 0 with size 3"),
        (-4, IndexError, "index -4 is out of bounds for dimension 0 with size 3"),
        ((0, 4), IndexError, "index 4 is out of bounds for dimension 1 with size 4"),
        ((0, 0, 0), IndexError, "too many indices for tensor of dimension 2"),
        ((slice(None), slice(None), slice(None)), IndexError, "too many indices for tensor of dimension 2"),
        ((..., 0, 0, None, 0), IndexError, "too many indices for tensor of dimension 2"),
        (1.5, IndexError, "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got float)"),
        ("a", TypeError, "(got str)"),
        ({}, IndexError, "(got dict)"),
        ((0, 1.0), IndexError, "(got float)"),
        ([0, 5], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
        ([-4], IndexError, "index -4 is out of bounds for dimension 0 with size 3"),
        ("tensor_oob", IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
        ("mask_bad", IndexError, "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0"),
        ("mask_bad_2", IndexError, "The shape of the mask [3, 3] at index 1 does not match the shape of the indexed tensor [3, 4] at index 1"),
        ("float_tensor", IndexError, "tensors used as indices must be long, int, byte or bool tensors"),
        ([0.5, 1.5], IndexError, "tensors used as indices must be long, int, byte or bool tensors"),
        ((Ellipsis, Ellipsis), IndexError, "an index can only have a single ellipsis ('...')"),
        (slice(None, None, -1), ValueError, "step must be greater than zero"),
        (slice(None, None, 0), ValueError, "step must be greater than zero"),
    ],
)
def test_index_errors(key: Any, exc: type[BaseException], fragment: str) -> None:
    x = ember.arange(12).reshape(3, 4)
    key = {
        "tensor_oob": ember.tensor([0, 5]),
        "mask_bad": ember.tensor([True, False]),
        "mask_bad_2": ember.ones(3, 3, dtype=ember.bool),
        "float_tensor": ember.tensor([1.0]),
    }.get(key, key) if isinstance(key, str) and key != "a" else key
    with raises(exc, fragment):
        x[key]


def test_zero_dim_index_errors() -> None:
    z = ember.tensor(1.0)
    with raises(IndexError, "invalid index of a 0-dim tensor. Use `tensor.item()` in Python"):
        z[0]
    with raises(IndexError, "invalid index of a 0-dim tensor"):
        z[0] = 2.0
    assert z.item() == 1.0


# -- advanced indexing: layout rules and errors -------------------------------------------------------

@FEWER
@given(st.data())
def test_separated_and_adjacent_index_tensors_match_numpy(data: st.DataObject) -> None:
    """Index tensors separated by a slice put their dims first; adjacent ones stay in place (NumPy's rule,
    which torch shares once ints are applied first)."""
    shape = data.draw(hnp.array_shapes(min_dims=3, max_dims=4, min_side=1, max_side=4))
    a, x = numbered(shape)
    bshape = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    i = data.draw(hnp.arrays(np.int64, bshape, elements=st.integers(-shape[0], shape[0] - 1)))
    j = data.draw(hnp.arrays(np.int64, bshape, elements=st.integers(-shape[2], shape[2] - 1)))
    k = data.draw(hnp.arrays(np.int64, bshape, elements=st.integers(-shape[1], shape[1] - 1)))
    for key in [(i, slice(None), j), (slice(None), k, j), (i, k), (Ellipsis, j, slice(None)) if len(shape) == 4 else (i,),
                (i, None, k), (slice(1, None), k, j)]:
        ekey = tuple(ember.tensor(v) if isinstance(v, np.ndarray) else v for v in key)
        expected = a[key]
        out = x[ekey]
        assert tuple(out.shape) == expected.shape, key
        np.testing.assert_array_equal(out.numpy(), expected)
        # writes: a broadcast tensor value, then a scalar
        y, b = x.clone(), a.copy()
        value = np.arange(expected.shape[-1] if expected.ndim else 1, dtype=np.float64) - 50
        y[ekey] = ember.tensor(value)
        b[key] = value
        np.testing.assert_array_equal(y.numpy(), b)


def test_index_tensor_rules_follow_torch() -> None:
    x = ember.arange(24.0).reshape(2, 3, 4)
    with raises(IndexError, "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]"):
        x[ember.tensor([0, 1]), ember.tensor([0, 1, 2])]
    with raises(IndexError, "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]"):
        x[ember.tensor([0, 1]), ember.tensor([0, 1, 2])] = 1.0
    with raises(IndexError, "shapes [2], [3]"):  # a mask counts as its number of True elements
        x[ember.tensor([0, 1]), ember.tensor([True, True, True])]
    assert x[ember.tensor([0, 1]), ember.tensor([True, False, False])].tolist() == [[0.0, 1.0, 2.0, 3.0], [12.0, 13.0, 14.0, 15.0]]
    for dt in (ember.int8, ember.int16, ember.float32):
        with raises(IndexError, "tensors used as indices must be long, int, byte or bool tensors"):
            x[ember.tensor([1, 0], dtype=dt)]
    assert x[ember.tensor([1, 0], dtype=ember.int32)].shape == (2, 3, 4)
    assert x[ember.tensor([1, 0], dtype=ember.uint8)].shape == (1, 3, 4)  # a byte tensor is a mask
    # torch's legacy rule: a list holding sequences or tensors is a tuple of indices
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        assert x[[[0, 1], [1, 0]]].tolist() == x[[0, 1], [1, 0]].tolist()
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        assert x[[ember.tensor(0), ember.tensor(1)]].tolist() == x[0, 1].tolist()
    assert x[[1, 0]].shape == (2, 3, 4)  # a plain list of ints is one index tensor
    assert x[ember.tensor([1, 0]), :, True].shape == (2, 3, 4)
    assert x[None, ember.tensor([1, 0]), :, ember.tensor([0, 0])].shape == (2, 1, 3)
    y = x.clone()
    before = y.numpy().copy()
    with raises(RuntimeError, "shape mismatch: value tensor of shape [2] cannot be broadcast to indexing result of shape [2, 3]"):
        y[ember.tensor([0, 1]), :, ember.tensor([0, 1])] = ember.tensor([1.0, 2.0])
    with raises(IndexError, "index 4 is out of bounds for dimension 2 with size 4"):
        y[ember.tensor([0, 1]), :, ember.tensor([0, 4])] = 0.0
    np.testing.assert_array_equal(y.numpy(), before)


# -- index_put ---------------------------------------------------------------------------------------

@FEWER
@given(SHAPES.filter(lambda s: len(s) >= 1 and s[0] > 0), st.data(), st.booleans())
def test_index_put_accumulate_matches_add_at(shape: tuple[int, ...], data: st.DataObject, strided: bool) -> None:
    a, x = numbered(shape)
    if strided:  # a view that steps over the first dim of a larger tensor
        big = ember.zeros(2 * shape[0], *shape[1:], dtype=ember.float64)
        big[::2] = x
        x = big[::2]
    nidx = data.draw(st.integers(1, len(shape)))
    count = data.draw(st.integers(0, 5))
    idx = [np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=count, max_size=count)) if n else [], dtype=np.int64)
           for n in shape[:nidx]]
    if any(n == 0 for n in shape[:nidx]):
        idx = [np.zeros(0, dtype=np.int64) for _ in idx]
    target = a[tuple(idx)].shape
    vshape = data.draw(st.sampled_from([target, target[-1:] if target else (), ()]))
    v = np.arange(math.prod(vshape), dtype=np.float64).reshape(vshape) + 1
    expected = a.copy()
    np.add.at(expected, tuple(idx), np.broadcast_to(v, target))
    version = x._version[0] if x._version else 0
    x.index_put_(tuple(ember.tensor(i) for i in idx), ember.tensor(v), accumulate=True)
    np.testing.assert_array_equal(x.numpy(), expected)
    assert x._version[0] == version + 1
    got = ember.index_put(ember.tensor(a), [ember.tensor(i) for i in idx], ember.tensor(v), True)
    np.testing.assert_array_equal(got.numpy(), expected)


def test_index_put_masks_and_plain_writes() -> None:
    x = ember.zeros(2, 2)
    x.index_put_((ember.tensor([[True, False], [True, True]]),), ember.tensor([1.0, 2.0, 3.0]), accumulate=True)
    assert x.tolist() == [[1.0, 0.0], [2.0, 3.0]]
    x.index_put_((ember.tensor([[True, False], [True, True]]),), ember.tensor(1.0), accumulate=True)
    assert x.tolist() == [[2.0, 0.0], [3.0, 4.0]]
    y = ember.zeros(3, 2).index_put((ember.tensor([0, 0]),), ember.tensor([1.0, 2.0]), accumulate=True)
    assert y.tolist() == [[2.0, 4.0], [0.0, 0.0], [0.0, 0.0]]
    z = ember.zeros(3).index_put((ember.tensor([0, 1]),), ember.tensor(5.0))
    assert z.tolist() == [5.0, 5.0, 0.0]
    assert ember.zeros(3).index_put_((ember.tensor(1),), ember.tensor(1.0), accumulate=True).tolist() == [0.0, 1.0, 0.0]
    t = ember.zeros(2, 3).t()  # not viewable flat: accumulates into a copy, then writes back
    t.index_put_((ember.tensor([1, 1]), ember.tensor([0, 0])), ember.tensor([1.0, 2.0]), accumulate=True)
    assert t.tolist() == [[0.0, 0.0], [3.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize(
    ("call", "exc", "fragment"),
    [
        (lambda x: x.index_put(ember.tensor([0, 1]), ember.tensor(5.0)), TypeError,
         "argument 'indices' (position 1) must be tuple of Tensors, not Tensor"),
        (lambda x: x.index_put((ember.tensor([0, 1]),), 5.0), TypeError, "argument 'values' (position 2) must be Tensor, not float"),
        (lambda x: x.index_put((None, ember.tensor([1])), ember.tensor(1.0)), TypeError,
         "expected Tensor as element 0 in argument 0, but got NoneType"),
        (lambda x: x.index_put((ember.tensor([0]),), ember.tensor(5, dtype=ember.int64), accumulate=True), RuntimeError,
         "Index put requires the source and destination dtypes match, got Float for the destination and Long for the source."),
        (lambda x: x.index_put_((ember.tensor([3]),), ember.tensor(1.0), accumulate=True), IndexError,
         "index 3 is out of bounds for dimension 0 with size 3"),
        (lambda x: x.index_put_((ember.tensor([0]), ember.tensor([0]), ember.tensor([0])), ember.tensor(1.0)), IndexError,
         "too many indices for tensor of dimension 2 (got 3)"),
        (lambda x: x.index_put_((ember.tensor([0, 1]),), ember.tensor([1.0, 2.0, 3.0]), accumulate=True), RuntimeError,
         "shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2, 4]"),
        (lambda x: x.index_put_((ember.tensor([0.0]),), ember.tensor(1.0)), IndexError,
         "tensors used as indices must be long, int, byte or bool tensors"),
    ],
)
def test_index_put_errors_change_nothing(call: Any, exc: type[BaseException], fragment: str) -> None:
    x = ember.arange(12.0).reshape(3, 4)
    with raises(exc, fragment):
        call(x)
    assert x.tolist() == ember.arange(12.0).reshape(3, 4).tolist()


# -- masked ops -------------------------------------------------------------------------------------

@FEWER
@given(SHAPES, st.data(), st.sampled_from([ember.float64, ember.int64, ember.uint8, ember.bool]))
def test_masked_ops_match_numpy(shape: tuple[int, ...], data: st.DataObject, dt: ember.dtype) -> None:
    a = np.arange(math.prod(shape)).reshape(shape).astype(NP_TYPES[dt])
    x = ember.tensor(a)
    mshape = data.draw(hnp.broadcastable_shapes(shape, min_dims=0, max_dims=len(shape) + 1, min_side=0))
    mask = data.draw(hnp.arrays(np.bool_, mshape))
    m = ember.tensor(mask)
    full = np.broadcast_shapes(shape, mshape)
    fill = data.draw(st.sampled_from([1, True, 0]))
    np.testing.assert_array_equal(x.masked_fill(m, fill).numpy(), np.where(mask, np.array(fill, dtype=a.dtype), a))
    np.testing.assert_array_equal(ember.masked_select(x, m).numpy(), np.broadcast_to(a, full)[np.broadcast_to(mask, full)])
    count = int(np.broadcast_to(mask, full).sum())
    src = np.arange(count + data.draw(st.integers(0, 2))).astype(a.dtype)[::-1].copy()
    expected = np.broadcast_to(a, full).copy()
    expected[np.broadcast_to(mask, full)] = src[:count]
    np.testing.assert_array_equal(x.masked_scatter(m, ember.tensor(src)).numpy(), expected)
    if full == shape:  # in place, through a strided view, when the mask fits
        base = ember.zeros(tuple(2 * n for n in shape), dtype=dt)
        key = tuple(slice(None, None, 2) for _ in shape)
        view = base[key] if shape else base
        view.copy_(x)
        view.masked_fill_(m, ember.tensor(fill))
        np.testing.assert_array_equal(base[key].numpy() if shape else base.numpy(), np.where(mask, np.array(fill, dtype=a.dtype), a))
        view.copy_(x)
        view.masked_scatter_(m, ember.tensor(src))
        np.testing.assert_array_equal(view.numpy(), expected)


NP_TYPES = {ember.float64: np.float64, ember.int64: np.int64, ember.uint8: np.uint8, ember.bool: np.bool_}


@pytest.mark.parametrize(
    ("call", "exc", "fragment"),
    [
        (lambda x: x.masked_fill((x > 5).to(ember.uint8), -1), RuntimeError,
         "masked_fill_ only supports boolean masks, but got mask with dtype unsigned char"),
        (lambda x: x.masked_fill_((x > 5).to(ember.int64), -1), RuntimeError, "but got mask with dtype long int"),
        (lambda x: x.masked_fill(x > 5, ember.tensor([1.0])), RuntimeError,
         "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s)."),
        (lambda x: x.masked_fill(ember.ones(3, dtype=ember.bool), -1), RuntimeError,
         "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
        (lambda x: x[0].masked_fill_(ember.ones(3, 4, dtype=ember.bool), -1), RuntimeError,
         "output with shape [4] doesn't match the broadcast shape [3, 4]"),
        (lambda x: x.masked_fill(x > 5, 1j), RuntimeError, "value cannot be converted to type float without overflow"),
        (lambda x: x.masked_fill([True], 1.0), TypeError, "argument 'mask' (position 1) must be Tensor, not list"),
        (lambda x: x.masked_scatter(x > 0, ember.arange(3.0)), RuntimeError, "Number of elements of source < number of ones in mask"),
        (lambda x: x.masked_scatter_(x > 0, ember.arange(12)), RuntimeError,
         "masked_scatter: expected self and source to have same dtypes but got Float and Long"),
        (lambda x: x.masked_scatter_((x > 0).to(ember.uint8), ember.arange(12.0)), RuntimeError,
         "masked_scatter_ only supports boolean masks, but got mask with dtype Byte"),
        (lambda x: x.masked_select((x > 5).to(ember.uint8)), RuntimeError, "masked_select: expected BoolTensor for mask"),
    ],
)
def test_masked_errors_change_nothing(call: Any, exc: type[BaseException], fragment: str) -> None:
    x = ember.arange(12.0).reshape(3, 4)
    with raises(exc, fragment):
        call(x)
    assert x.tolist() == ember.arange(12.0).reshape(3, 4).tolist()


def test_masked_fill_values_cast_like_torch() -> None:
    assert ember.arange(3).masked_fill(ember.tensor([True, False, True]), 2.7).tolist() == [2, 1, 2]
    assert ember.arange(3).masked_fill(ember.tensor([True, False, True]), ember.tensor(2.5)).tolist() == [2, 1, 2]
    assert ember.zeros(4).masked_fill(ember.ones(3, 4, dtype=ember.bool), -1).shape == (3, 4)
    assert ember.tensor(3.0).masked_select(ember.tensor(True)).tolist() == [3.0]
    with raises(RuntimeError, "value cannot be converted to type uint8_t without overflow"):
        ember.zeros(3, dtype=ember.uint8).masked_fill(ember.tensor([True, False, True]), 300)


# -- nonzero / argwhere / where(condition) -------------------------------------------------------------

@FEWER
@given(SHAPES, st.data(), st.sampled_from([np.float64, np.int32, np.bool_, np.complex128]))
def test_nonzero_matches_numpy(shape: tuple[int, ...], data: st.DataObject, npdt: Any) -> None:
    a = data.draw(hnp.arrays(npdt, shape, elements=st.sampled_from([0, 1, 2]).map(lambda v: npdt(v))))
    x = ember.tensor(a)
    a1 = a.reshape(shape or (1,))
    expected = np.argwhere(a1)[:, :len(shape)]
    out = x.nonzero()
    assert out.dtype is ember.int64 and tuple(out.shape) == expected.shape
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(ember.argwhere(x).numpy(), out.numpy())
    for got, want in zip(ember.where(x) if npdt is np.bool_ else x.nonzero(as_tuple=True), np.nonzero(a1), strict=True):
        np.testing.assert_array_equal(got.numpy(), want)
    if a.ndim == 2:  # a transposed (non-contiguous) input
        np.testing.assert_array_equal(ember.nonzero(x.t()).numpy(), np.argwhere(a.T))


def test_nonzero_zero_dim_and_special_values() -> None:
    assert ember.tensor(3).nonzero().shape == (1, 0)
    assert ember.tensor(0).nonzero().shape == (0, 0)
    assert [t.tolist() for t in ember.tensor(3).nonzero(as_tuple=True)] == [[0]]
    assert [t.tolist() for t in ember.where(ember.tensor(0.0))] == [[]]
    assert ember.tensor([math.nan, 0.0, -0.0]).nonzero().tolist() == [[0]]
    assert ember.tensor([1j, 0]).nonzero().tolist() == [[0]]
    assert ember.where(ember.tensor([True, False]), 1.0, 0.0).tolist() == [1.0, 0.0]  # the 3-argument form stays
    with raises(TypeError, "where()"):
        ember.where(ember.tensor([True]), ember.tensor([1.0]))


# -- searchsorted / bucketize ------------------------------------------------------------------------

@FEWER
@given(st.data(), st.sampled_from([np.float64, np.int64, np.float32]), st.booleans(), st.booleans())
def test_searchsorted_matches_numpy_row_by_row(data: st.DataObject, npdt: Any, right: bool, use_sorter: bool) -> None:
    lead = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3))
    n = data.draw(st.integers(0, 5))
    m = data.draw(st.integers(0, 5))
    elements = st.integers(-4, 4).map(npdt)
    seq = np.sort(data.draw(hnp.arrays(npdt, (*lead, n), elements=elements)), axis=-1)
    vals = data.draw(hnp.arrays(npdt, (*lead, m), elements=elements))
    side = "right" if right else "left"
    expected = np.zeros((*lead, m), dtype=np.int64)
    for row in np.ndindex(*lead):
        expected[row] = np.searchsorted(seq[row], vals[row], side=side)
    kwargs: dict[str, Any] = {"right": right} if data.draw(st.booleans()) else {"side": side}
    s = ember.tensor(seq)
    if use_sorter:  # scramble each row and pass the permutation that sorts it back
        perm = np.argsort(data.draw(hnp.arrays(np.float64, (*lead, n), elements=st.floats(0, 1))), axis=-1)
        scrambled = np.take_along_axis(seq, perm, -1)
        s, kwargs["sorter"] = ember.tensor(scrambled), ember.tensor(np.argsort(perm, axis=-1))
    out = ember.searchsorted(s, ember.tensor(vals), **kwargs)
    assert out.dtype is ember.int64
    np.testing.assert_array_equal(out.numpy(), expected)
    if not lead:
        np.testing.assert_array_equal(ember.bucketize(ember.tensor(vals), ember.tensor(seq), right=right).numpy(), expected)
        # any shape of values against a 1-d sequence, also as int32
        v2 = vals.reshape(1, m, 1)
        out32 = ember.searchsorted(ember.tensor(seq), ember.tensor(v2), out_int32=True, right=right)
        assert out32.dtype is ember.int32
        np.testing.assert_array_equal(out32.numpy(), expected.reshape(1, m, 1))


def test_searchsorted_details() -> None:
    seq = ember.tensor([1.0, 3.0, 5.0, 7.0])
    assert ember.searchsorted(seq, 4).tolist() == 2 and ember.searchsorted(seq, 4).shape == ()
    assert ember.searchsorted(seq, ember.tensor([3, 4])).tolist() == [1, 2]  # promoted together
    assert ember.searchsorted(ember.tensor([1, 3, 5]), ember.tensor([3.5, 4.0])).tolist() == [2, 2]
    assert ember.searchsorted(ember.tensor([]), ember.tensor([3.0])).tolist() == [0]
    assert ember.searchsorted(seq, ember.tensor([math.nan])).tolist() == [4]
    assert ember.searchsorted(ember.tensor([[1.0, 2.0], [3.0, 4.0]]).t(), ember.tensor([[2.0], [3.0]])).tolist() == [[1], [1]]
    out = ember.empty(0, dtype=ember.int64)
    assert ember.searchsorted(seq, ember.tensor([3.0]), out=out) is out and out.tolist() == [1]
    assert ember.bucketize(3, seq).tolist() == 1
    assert ember.bucketize(ember.tensor([3.0, 6.0, 9.0]), seq, out_int32=True).dtype is ember.int32


@pytest.mark.parametrize(
    ("call", "exc", "fragment"),
    [
        (lambda s: ember.searchsorted(s, ember.tensor([3.0]), side="left", right=True), RuntimeError,
         "searchsorted(): side and right can't be set to opposites, got side of left while right was True"),
        (lambda s: ember.searchsorted(s, ember.tensor([3.0]), side="foo"), RuntimeError,
         "searchsorted(): side can only be 'left' or 'right' but got foo"),
        (lambda s: ember.searchsorted(s.reshape(2, 2), ember.tensor([[3.0, 4.0, 5.0]])), RuntimeError,
         "but we got boundaries tensor [2, 2] and input value tensor [1, 3]"),
        (lambda s: ember.searchsorted(s, ember.tensor([3.0]), sorter=ember.tensor([1, 2])), RuntimeError,
         "searchsorted(): boundary and sorter must have the same size, but got boundary tensor [4]and got sorter tensor [2]"),
        (lambda s: ember.searchsorted(s, ember.tensor([3.0]), sorter=ember.tensor([1.0, 2, 0, 3])), RuntimeError,
         "searchsorted(): sorter must be a tensor of long dtype but got dtype Float"),
        (lambda s: ember.searchsorted(s, ember.tensor([3.0]), sorter=ember.tensor([1, 2, 0, 4])), RuntimeError,
         "searchsorted(): sorter index out of range"),
        (lambda s: ember.searchsorted(ember.tensor(1.0), ember.tensor([3.0])), RuntimeError,
         "searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension"),
        (lambda s: ember.searchsorted(ember.tensor([False, True]), ember.tensor([True])), NotImplementedError, "'Bool'"),
        (lambda s: ember.searchsorted(s, ember.tensor([3.0]), out_int32=True, out=ember.empty(0, dtype=ember.int64)), RuntimeError,
         "output tensor's dtype is wrong, it can only be Int(int32) or Long(int64)"),
        (lambda s: ember.bucketize(ember.tensor([3.0]), s.reshape(2, 2)), RuntimeError,
         "boundaries tensor must be 1 dimension, but got dim(2)"),
        (lambda s: ember.searchsorted([1, 2], ember.tensor([3.0])), TypeError, "'sorted_sequence' (position 1) must be Tensor, not list"),
    ],
)
def test_searchsorted_errors(call: Any, exc: type[BaseException], fragment: str) -> None:
    with raises(exc, fragment):
        call(ember.tensor([1.0, 3.0, 5.0, 7.0]))


# -- bincount ------------------------------------------------------------------------------------------

@FEWER
@given(st.lists(st.integers(0, 9), max_size=12), st.integers(0, 12), st.sampled_from([None, np.float32, np.float64, np.int64]),
       st.sampled_from([ember.int64, ember.int32, ember.uint8]))
def test_bincount_matches_numpy(data: list[int], minlength: int, wdt: Any, dt: ember.dtype) -> None:
    a = np.array(data, dtype=np.int64)
    x = ember.tensor(a, dtype=dt)
    if wdt is None:
        out = x.bincount(minlength=minlength)
        assert out.dtype is ember.int64
        np.testing.assert_array_equal(out.numpy(), np.bincount(a, minlength=minlength))
        return
    w = (np.arange(len(a)) % 5).astype(wdt) + 1
    out = ember.bincount(x, ember.tensor(w), minlength)
    if len(a):
        assert out.dtype is (ember.float32 if wdt is np.float32 else ember.float64)
    np.testing.assert_array_equal(out.numpy(), np.bincount(a, weights=w.astype(np.float64), minlength=minlength))


@pytest.mark.parametrize(
    ("call", "exc", "fragment"),
    [
        (lambda: ember.bincount(ember.tensor([-1, 1])), RuntimeError, "bincount only supports 1-d non-negative integral inputs."),
        (lambda: ember.bincount(ember.tensor([[1]])), RuntimeError, "bincount only supports 1-d non-negative integral inputs."),
        (lambda: ember.bincount(ember.tensor(1)), RuntimeError, "bincount only supports 1-d non-negative integral inputs."),
        (lambda: ember.bincount(ember.tensor([1.0])), NotImplementedError, "not implemented for 'Float'"),
        (lambda: ember.bincount(ember.tensor([True])), NotImplementedError, "not implemented for 'Bool'"),
        (lambda: ember.bincount(ember.tensor([3]), minlength=-1), RuntimeError, "minlength should be >= 0"),
        (lambda: ember.bincount(ember.tensor([3, 1]), weights=ember.tensor([1.0])), RuntimeError,
         "weights should be 1-d and have the same length as input"),
    ],
)
def test_bincount_errors(call: Any, exc: type[BaseException], fragment: str) -> None:
    with raises(exc, fragment):
        call()


def test_bincount_empty_and_complex_weights() -> None:
    assert ember.bincount(ember.tensor([], dtype=ember.int64), minlength=3).tolist() == [0, 0, 0]
    empty = ember.bincount(ember.tensor([], dtype=ember.int64), weights=ember.tensor([]), minlength=2)
    assert empty.dtype is ember.int64 and empty.tolist() == [0, 0]  # torch's answer for empty input
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        out = ember.bincount(ember.tensor([1]), weights=ember.tensor([1 + 2j]))
    assert out.dtype is ember.float64 and out.tolist() == [0.0, 1.0]
