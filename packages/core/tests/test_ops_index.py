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
