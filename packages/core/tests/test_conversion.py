"""Conversions: ``numpy()``, ``__array__``, ``to``/``type``/``float()``..., and ``fill_``/``zero_``/``copy_``.

Expected values, exception types and messages were checked against PyTorch 2.13 for
the same expressions (``torch.`` read as ``ember.``); torch is not imported here.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP

import ember

pytestmark = pytest.mark.filterwarnings("error")


# -- NumPy -------------------------------------------------------------------------------------

def test_numpy_shares_memory_both_ways() -> None:
    t = ember.ones(3)
    a = t.numpy()
    assert isinstance(a, np.ndarray)
    assert a.ctypes.data == t.data_ptr()
    a[0] = 5.0
    assert t.tolist() == [5.0, 1.0, 1.0]
    t[1] = 7.0
    assert a.tolist() == [5.0, 7.0, 1.0]


def test_numpy_keeps_dtype_shape_and_strides() -> None:
    for dtype, np_dtype in NP.items():
        assert ember.ones(2, dtype=dtype).numpy().dtype == np_dtype
    t = ember.ones(3, 2).t()
    assert t.numpy().strides == (4, 8)
    assert t.numpy().shape == (2, 3)
    scalar = ember.tensor(5.0).numpy()
    assert type(scalar) is np.ndarray
    assert scalar.shape == ()
    assert ember.tensor([1.5, -2.5]).numpy().tolist() == [1.5, -2.5]


def test_np_asarray_uses_array_protocol() -> None:
    t = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    a = np.asarray(t)
    assert a.dtype == np.float32
    assert a.ctypes.data == t.data_ptr()  # no copy
    a[0, 0] = 9.0
    assert t[0, 0].item() == 9.0
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    c = np.array(t, copy=True)
    c[0, 0] = -1.0
    assert t[0, 0].item() == 9.0
    assert np.array(ember.ones(3, 2).t()).strides == (4, 8)
    np.testing.assert_array_equal(np.asarray(ember.arange(3)), [0, 1, 2])


# -- to / type / shorthands --------------------------------------------------------------------

def test_to_returns_self_when_nothing_changes() -> None:
    t = ember.ones(2)
    assert t.to(ember.float32) is t
    assert t.to("cpu") is t
    assert t.to(ember.device("cpu")) is t
    assert t.to(ember.ones(1)) is t
    assert t.to(dtype=ember.float32, device="cpu") is t
    assert t.to(None) is t
    assert t.cpu() is t
    assert t.float() is t
    assert t.type(ember.float32) is t


def test_to_copy_makes_a_new_tensor() -> None:
    t = ember.ones(2)
    c = t.to(ember.float32, copy=True)
    assert c is not t
    assert c.data_ptr() != t.data_ptr()
    assert c.tolist() == [1.0, 1.0]
    assert t.to(ember.float64, False, True).dtype is ember.float64  # (dtype, non_blocking, copy)


def test_to_dtype_spellings() -> None:
    t = ember.ones(2)
    assert t.to(ember.float64).dtype is ember.float64
    assert t.to("cpu", ember.float64).dtype is ember.float64
    assert t.to("cpu", dtype=ember.float64).dtype is ember.float64
    assert t.to(device="cpu").dtype is ember.float32
    assert t.to(dtype=ember.int32).dtype is ember.int32
    assert t.to(ember.ones(1, dtype=ember.int16)).dtype is ember.int16
    assert t.to(float).dtype is ember.float64  # Python types, as torch accepts
    assert t.to(int).dtype is ember.int64
    assert t.to(bool).dtype is ember.bool


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([1.7, -1.7], ember.int64, [1, -1]),  # truncation towards zero
        ([1.7, 0.0], ember.bool, [True, False]),
        ([300], ember.uint8, [44]),  # integer casts wrap, as in torch
        ([-1], ember.uint8, [255]),
        ([True, False], ember.float32, [1.0, 0.0]),
        ([1, 2], ember.complex64, [1 + 0j, 2 + 0j]),
    ],
)
def test_to_dtype_casts_like_torch(values: list[Any], dtype: ember.dtype, expected: list[Any]) -> None:
    t = ember.tensor(values).to(dtype)
    assert t.dtype is dtype
    assert t.tolist() == expected


def test_to_dtype_copies_and_leaves_the_source_alone() -> None:
    t = ember.tensor([1.5, 2.5])
    d = t.to(ember.float64)
    d[0] = 9.0
    assert t.tolist() == [1.5, 2.5]


def test_to_errors() -> None:
    t = ember.ones(2)
    with pytest.raises(RuntimeError, match=r"Invalid device string: 'float64': it names a dtype"):
        t.to("float64")
    with pytest.raises(TypeError, match=r"to\(\): argument 'dtype' must be ember\.dtype, not str"):
        t.to(dtype="float64")
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        t.to(foo=1)
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        t.to(5.0)
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        t.to([1])


def test_type_names() -> None:
    assert ember.ones(2).type() == "ember.FloatTensor"
    expected = {
        ember.float64: "ember.DoubleTensor", ember.float16: "ember.HalfTensor", ember.int64: "ember.LongTensor",
        ember.int32: "ember.IntTensor", ember.int16: "ember.ShortTensor", ember.int8: "ember.CharTensor",
        ember.uint8: "ember.ByteTensor", ember.bool: "ember.BoolTensor",
        ember.complex64: "ember.ComplexFloatTensor", ember.complex128: "ember.ComplexDoubleTensor",
    }
    for dtype, name in expected.items():
        assert ember.ones(2, dtype=dtype).type() == name


def test_type_casts() -> None:
    t = ember.tensor([1.5, -2.5])
    assert t.type(ember.int64).tolist() == [1, -2]
    assert t.type("ember.IntTensor").dtype is ember.int32
    assert t.type("torch.DoubleTensor").dtype is ember.float64  # torch spellings carry over
    with pytest.raises(ValueError, match="invalid type: 'foo'"):
        t.type("foo")
    with pytest.raises(ValueError, match=r"invalid type: 'numpy\.IntTensor'"):
        t.type("numpy.IntTensor")
    with pytest.raises(TypeError, match=r"type\(\): dtype must be a str or an ember\.dtype, not int"):
        t.type(5)


@pytest.mark.parametrize(
    ("method", "dtype", "values"),
    [
        ("float", ember.float32, [1.5, -2.0, 0.0]),
        ("double", ember.float64, [1.5, -2.0, 0.0]),
        ("half", ember.float16, [1.5, -2.0, 0.0]),
        ("long", ember.int64, [1, -2, 0]),
        ("int", ember.int32, [1, -2, 0]),
        ("short", ember.int16, [1, -2, 0]),
        ("char", ember.int8, [1, -2, 0]),
        ("bool", ember.bool, [True, True, False]),
        ("cfloat", ember.complex64, [1.5 + 0j, -2 + 0j, 0j]),
        ("cdouble", ember.complex128, [1.5 + 0j, -2 + 0j, 0j]),
    ],
)
def test_dtype_shorthands(method: str, dtype: ember.dtype, values: list[Any]) -> None:
    t = getattr(ember.tensor([1.5, -2.0, 0.0]), method)()
    assert t.dtype is dtype
    assert t.tolist() == values


def test_byte_shorthand_and_shorthand_errors() -> None:
    assert ember.tensor([1.5, 300.0]).byte().dtype is ember.uint8
    assert ember.tensor([1]).float().tolist() == [1.0]
    with pytest.raises(TypeError):
        ember.tensor([1.5]).float(5)


# -- fill_, zero_, copy_ ----------------------------------------------------------------------------

def test_fill_and_zero() -> None:
    t = ember.ones(3)
    assert t.fill_(2) is t
    assert t.tolist() == [2.0, 2.0, 2.0]
    assert ember.ones(3).fill_(2.7).tolist() == pytest.approx([2.7] * 3)
    assert ember.ones(3, dtype=ember.int64).fill_(2.7).tolist() == [2, 2, 2]
    assert ember.ones(3, dtype=ember.bool).fill_(0).tolist() == [False] * 3
    assert ember.ones(3).fill_(ember.tensor(5)).tolist() == [5.0] * 3  # a 0-d tensor value
    assert ember.zeros(2).fill_(ember.tensor(2.5, dtype=ember.float64)).tolist() == [2.5, 2.5]
    assert ember.zeros(2, dtype=ember.int64).fill_(ember.tensor(2.5)).tolist() == [2, 2]
    assert ember.zeros(2, dtype=ember.int64).fill_(np.float32(2.5)).tolist() == [2, 2]
    assert ember.zeros(2, dtype=ember.int64).fill_(True).tolist() == [1, 1]
    z = ember.ones(2, 3)
    assert z.zero_() is z
    assert z.tolist() == [[0.0] * 3] * 2
    assert ember.ones(2, dtype=ember.bool).zero_().tolist() == [False, False]


@pytest.mark.parametrize(
    ("dtype", "value", "expected"),
    [
        (ember.uint8, -1, 255),  # negatives down to -max wrap, as in torch
        (ember.uint8, -255, 1),
        (ember.int8, -128, -128),
        (ember.int64, -(2**63), -(2**63)),
        (ember.float16, 65504.0, 65504.0),
        (ember.float32, float("inf"), float("inf")),
        (ember.bool, 5, True),
        (ember.bool, 1 + 2j, True),
        (ember.float32, 1 + 0j, 1.0),
        (ember.complex64, 1 + 2j, 1 + 2j),
    ],
)
def test_fill_values_at_the_edges(dtype: ember.dtype, value: Any, expected: Any) -> None:
    assert ember.zeros(2, dtype=dtype).fill_(value).tolist() == [expected, expected]


@pytest.mark.parametrize(
    ("dtype", "value", "message"),
    [
        (ember.uint8, 300, "value cannot be converted to type uint8_t without overflow"),
        (ember.uint8, -256, "value cannot be converted to type uint8_t without overflow"),
        (ember.int8, 128, "value cannot be converted to type int8_t without overflow"),
        (ember.int64, 2**63, "value cannot be converted to type int64_t without overflow"),
        (ember.int32, float("inf"), "value cannot be converted to type int without overflow"),
        (ember.int8, float("nan"), "value cannot be converted to type int8_t without overflow"),
        (ember.float32, 1e40, "value cannot be converted to type float without overflow"),
        (ember.float16, 1e6, "value cannot be converted to type c10::Half without overflow"),
        (ember.int64, 1 + 2j, "value cannot be converted to type int64_t without overflow"),
        (ember.float32, 1 + 2j, "value cannot be converted to type float without overflow"),
    ],
)
def test_fill_rejects_values_that_do_not_fit(dtype: ember.dtype, value: Any, message: str) -> None:
    t = ember.ones(2, dtype=dtype)
    with pytest.raises(RuntimeError, match=re.escape(message)):
        t.fill_(value)
    assert t.tolist() == ember.ones(2, dtype=dtype).tolist()  # a failed fill_ leaves its target alone


def test_float16_overflow_raises_in_fill_and_full_but_saturates_in_indexed_writes() -> None:
    # torch 2.13: fill_/full raise (c10's check); x[i] = v rounds to 65504 or inf instead.
    # ...except on one-element tensors, where torch's scalar fast path saturates too.
    for make in (lambda: ember.zeros(2, dtype=ember.float16).fill_(70000.0),
                 lambda: ember.full((2,), 65519.0, dtype=ember.float16)):
        with pytest.raises(RuntimeError, match=re.escape("c10::Half without overflow")):
            make()
    assert ember.zeros(1, dtype=ember.float16).fill_(70000.0).tolist() == [float("inf")]
    assert ember.full((), 65519.0, dtype=ember.float16).item() == 65504.0
    x = ember.zeros(3, dtype=ember.float16)
    x[0] = 70000.0
    x[1] = 65519.0
    assert x.tolist() == [float("inf"), 65504.0, 0.0]


@pytest.mark.parametrize(("dtype", "value"), [(ember.int8, 127.5), (ember.int8, -128.7), (ember.uint8, -1.0)])
def test_floats_are_range_checked_before_truncation(dtype: ember.dtype, value: float) -> None:
    with pytest.raises(RuntimeError, match="without overflow"):
        ember.zeros(2, dtype=dtype).fill_(value)


def test_fill_errors() -> None:
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions"):
        ember.ones(3).fill_(ember.tensor([5]))
    with pytest.raises(TypeError, match=r"fill_\(\): argument 'value' must be Number, not str"):
        ember.ones(3).fill_("a")
    with pytest.raises(TypeError, match="must be Number, not NoneType"):
        ember.ones(3).fill_(None)
    with pytest.raises(TypeError, match="must be Number, not list"):
        ember.ones(3).fill_([1])


def test_fill_of_read_only_memory_is_a_clear_error() -> None:
    a = np.arange(3.0)
    a.flags.writeable = False
    with pytest.warns(UserWarning, match="not writable"):
        t = ember.from_numpy(a)
    with pytest.raises(RuntimeError, match=r"fill_\(\): this tensor's memory is read-only"):
        t.fill_(1.0)
    assert a.tolist() == [0.0, 1.0, 2.0]


def test_fill_and_zero_write_through_views() -> None:
    t = ember.zeros(2, 2)
    t[:, 0].fill_(7)
    assert t.tolist() == [[7.0, 0.0], [7.0, 0.0]]
    u = ember.ones(2, 2)
    u.t().zero_()
    assert u.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    a = np.zeros(3)
    ember.from_numpy(a)[1:].fill_(4.0)
    assert a.tolist() == [0.0, 4.0, 4.0]


def test_copy_broadcasts_and_casts() -> None:
    t = ember.zeros(2, 3)
    assert t.copy_(ember.tensor([1.0, 2.0, 3.0])) is t
    assert t.tolist() == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
    assert ember.zeros(2, 3).copy_(ember.tensor(7)).tolist() == [[7.0] * 3] * 2
    assert ember.zeros(2, 2).copy_(ember.tensor([[1.0], [2.0]])).tolist() == [[1.0, 1.0], [2.0, 2.0]]
    assert ember.zeros(2, 3, dtype=ember.int64).copy_(ember.tensor([1.7, 2.2, -3.9])).tolist() == [[1, 2, -3]] * 2
    assert ember.zeros(3).copy_(ember.tensor([True, False, True])).tolist() == [1.0, 0.0, 1.0]
    assert ember.zeros(3).copy_(ember.tensor([1, 2, 3])).dtype is ember.float32
    assert ember.ones(2, dtype=ember.bool).copy_(ember.tensor([0.0, 2.0])).tolist() == [False, True]
    assert ember.zeros(3, dtype=ember.uint8).copy_(ember.tensor([300, -1, 2])).tolist() == [44, 255, 2]
    assert ember.ones(2).copy_(ember.tensor([5.0])).tolist() == [5.0, 5.0]
    assert ember.zeros(0).copy_(ember.ones(0)).tolist() == []
    assert ember.zeros(2).copy_(ember.ones(2), non_blocking=True).tolist() == [1.0, 1.0]
    same = ember.ones(2)
    assert same.copy_(same) is same


def test_copy_into_a_view_writes_the_base() -> None:
    t = ember.zeros(2, 2)
    t[0].copy_(ember.tensor([7.0, 8.0]))
    assert t.tolist() == [[7.0, 8.0], [0.0, 0.0]]
    a = np.zeros((2, 2))
    ember.from_numpy(a).t().copy_(ember.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert a.tolist() == [[1.0, 3.0], [2.0, 4.0]]


def test_copy_errors() -> None:
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        ember.zeros(2, 3).copy_(ember.ones(3, 2))
    with pytest.raises(RuntimeError, match=re.escape("output with shape [3] doesn't match the broadcast shape [2, 3]")):
        ember.zeros(3).copy_(ember.ones(2, 3))
    with pytest.raises(TypeError, match=r"copy_\(\): argument 'src' must be Tensor, not list"):
        ember.zeros(3).copy_([1, 2, 3])
    with pytest.raises(TypeError, match="must be Tensor, not ndarray"):
        ember.zeros(3).copy_(np.ones(3))
    target = ember.zeros(3)
    with pytest.raises(RuntimeError):
        target.copy_(ember.ones(2, 3))
    assert target.tolist() == [0.0, 0.0, 0.0]  # a failed copy_ leaves its target alone


def test_deepcopy_copies_data_and_keeps_backend() -> None:
    import copy

    t = ember.arange(6.0).view(2, 3)
    d = copy.deepcopy(t)
    assert d.tolist() == t.tolist() and d.data_ptr() != t.data_ptr()
    assert d._backend is t._backend and d.device == t.device and d.dtype is t.dtype
    d[0, 0] = 9
    assert t[0, 0].item() == 0.0
    shared = copy.deepcopy([t, t])
    assert shared[0] is shared[1]  # the memo keeps one copy per original


def test_pickle_round_trip_rebuilds_on_the_active_backend() -> None:
    import pickle

    for t in (ember.arange(6.0).view(2, 3).t(), ember.tensor([1, 2], dtype=ember.int16), ember.tensor(True)):
        back = pickle.loads(pickle.dumps(t))
        assert back.tolist() == t.tolist() and back.dtype is t.dtype and back.shape == t.shape
        assert back._backend is t._backend
        assert back.is_contiguous()  # values travel, not the layout
