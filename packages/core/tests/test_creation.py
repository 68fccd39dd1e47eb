"""Tensor factories: ``tensor``, ``as_tensor``, ``from_numpy``, ``zeros``..., ``arange``, ``linspace``, ``eye``.

Every expected value, dtype, exception type and message fragment below was checked
against PyTorch 2.13 for the same call (``torch.`` read as ``ember.``); torch is not
imported here. Where Ember differs on purpose the test says so.
"""

from __future__ import annotations

import importlib.util
import re
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP

import ember

pytestmark = pytest.mark.filterwarnings("error")


def check(t: ember.Tensor, values: Any, dtype: ember.dtype, shape: tuple[int, ...] | None = None) -> None:
    """``t`` holds exactly ``values`` with dtype ``dtype`` (and ``shape``, when given)."""
    assert isinstance(t, ember.Tensor)
    assert t.dtype is dtype
    expected = np.asarray(values)
    assert t.shape == (expected.shape if shape is None else shape)
    assert t.tolist() == expected.tolist()


# -- ember.tensor: dtype inference ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "dtype", "shape"),
    [
        (3, ember.int64, ()),
        (3.5, ember.float32, ()),
        (True, ember.bool, ()),
        (1 + 2j, ember.complex64, ()),
        ([1, 2], ember.int64, (2,)),
        ([1.0, 2.0], ember.float32, (2,)),
        ([True, False], ember.bool, (2,)),
        ([1, 2.5], ember.float32, (2,)),  # int and float: the default float
        ([1, True], ember.int64, (2,)),  # bool and int: int64
        ([True, 1.5], ember.float32, (2,)),
        ([1, 2 + 1j], ember.complex64, (2,)),
        ([[1, 2], [3, 4]], ember.int64, (2, 2)),
        ((1, 2), ember.int64, (2,)),
        ([(1, 2), (3, 4)], ember.int64, (2, 2)),
        (range(3), ember.int64, (3,)),
        ([], ember.float32, (0,)),
        ([[]], ember.float32, (1, 0)),
        ([[], []], ember.float32, (2, 0)),
        (-(2**63), ember.int64, ()),
    ],
)
def test_tensor_infers_the_dtype_like_torch(data: Any, dtype: ember.dtype, shape: tuple[int, ...]) -> None:
    t = ember.tensor(data)
    assert t.dtype is dtype
    assert t.shape == shape


def test_tensor_values_and_repr() -> None:
    check(ember.tensor([[1, 2], [3, 4]]), [[1, 2], [3, 4]], ember.int64)
    check(ember.tensor([1, 2.5]), [1.0, 2.5], ember.float32)
    assert repr(ember.tensor([[1, 2], [3, 4]])) == "tensor([[1, 2],\n        [3, 4]])"
    assert repr(ember.tensor(3.5)) == "tensor(3.5000)"
    assert repr(ember.tensor([True, False])) == "tensor([ True, False])"
    assert repr(ember.tensor([[]])) == "tensor([], size=(1, 0))"
    assert repr(ember.tensor([1 + 2j])) == "tensor([1.+2.j])"


def test_python_floats_follow_the_default_dtype() -> None:
    ember.set_default_dtype(ember.float64)
    assert ember.tensor([1.0, 2.0]).dtype is ember.float64
    assert ember.tensor(1 + 1j).dtype is ember.complex128  # complex follows the default float
    assert ember.tensor([1, 2]).dtype is ember.int64  # ints do not


def test_tensor_with_an_explicit_dtype() -> None:
    check(ember.tensor([1, 2], dtype=ember.float64), [1.0, 2.0], ember.float64)
    check(ember.tensor([1.5, 2.7, -1.7], dtype=ember.int64), [1, 2, -1], ember.int64)  # truncates
    check(ember.tensor([[1.0], [2.0]], dtype=ember.bool), [[True], [True]], ember.bool)
    check(ember.tensor([-1], dtype=ember.uint8), [255], ember.uint8)  # negatives wrap, like torch
    check(ember.tensor(2**63, dtype=ember.float64), 9.223372036854775808e18, ember.float64)
    check(ember.tensor([2.5, 2**70]), [2.5, float(2**70)], ember.float32)
    # Python float overflow to inf is silent in torch (no NumPy warning may leak: filterwarnings).
    assert ember.tensor(1e40, dtype=ember.float32).item() == float("inf")


def test_tensor_accepts_python_types_as_dtypes() -> None:
    assert ember.tensor([1, 2], dtype=float).dtype is ember.float64
    assert ember.tensor([1, 2], dtype=int).dtype is ember.int64
    assert ember.tensor([1, 2], dtype=bool).dtype is ember.bool
    assert ember.tensor([1, 2], dtype=complex).dtype is ember.complex128


def test_tensor_from_numpy_keeps_the_array_dtype_and_copies() -> None:
    a = np.array([1, 2], dtype=np.int32)
    t = ember.tensor(a)
    check(t, [1, 2], ember.int32)
    a[0] = 9
    assert t.tolist() == [1, 2]  # a copy
    assert ember.tensor(np.array([1.0, 2.0])).dtype is ember.float64
    assert ember.tensor(np.array(5)).dtype is ember.int64
    assert ember.tensor(np.array([1, 2]), dtype=ember.float32).dtype is ember.float32


def test_tensor_from_numpy_scalars_and_lists_of_them() -> None:
    assert ember.tensor(np.float64(2.5)).dtype is ember.float64
    assert ember.tensor(np.float32(2.5)).dtype is ember.float32
    assert ember.tensor(np.int32(2)).dtype is ember.int32
    assert ember.tensor([np.float64(2.5)]).dtype is ember.float64
    assert ember.tensor([np.bool_(True)]).dtype is ember.bool
    # torch promotes the elements' dtypes: int32 with a Python int is int64, float16 with a
    # Python float is the default float32.
    assert ember.tensor([np.int32(1), 2]).dtype is ember.int64
    assert ember.tensor([np.float16(1), 2.0]).dtype is ember.float32
    assert ember.tensor([np.int32(1), 2.0]).dtype is ember.float32
    assert ember.tensor([np.float64(1)], dtype=ember.float16).dtype is ember.float16


def test_tensor_from_a_list_of_numpy_arrays() -> None:
    rows = [np.array([1.0, 2.0], dtype=np.float32), np.array([3.0, 4.0], dtype=np.float32)]
    check(ember.tensor(rows), [[1.0, 2.0], [3.0, 4.0]], ember.float32)  # the arrays' dtype, as in torch
    big = ember.tensor([np.zeros(200_000, dtype=np.int32), np.ones(200_000, dtype=np.int32)])
    assert (big.shape, big.dtype) == ((2, 200_000), ember.int32)  # whole arrays, not element by element
    with pytest.raises(ValueError, match=_literal("expected sequence of length 2 at dim 1 (got 3)")):
        ember.tensor([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match=_literal("expected sequence of length 2 at dim 1 (got 3)")):
        ember.tensor([[1, 2], np.zeros(3)])


def test_tensor_from_a_list_of_one_element_tensors() -> None:
    t = ember.tensor([ember.tensor(1.0), ember.tensor(2.0)])
    check(t, [1.0, 2.0], ember.float32)
    ints = [ember.tensor(1, dtype=ember.int32), ember.tensor(2, dtype=ember.int32)]
    assert ember.tensor(ints).dtype is ember.int32
    assert ember.tensor([ember.tensor(1, dtype=ember.int32), 2.5]).dtype is ember.float32
    assert ember.tensor([ember.tensor([1.0]), ember.tensor([2.0])]).shape == (2,)  # scalars, as in torch
    assert ember.tensor([[ember.tensor(1.0)]]).shape == (1, 1)
    with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
        ember.tensor([ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])])


def test_tensor_of_a_tensor_copies_and_warns_like_torch() -> None:
    src = ember.tensor([1.0, 2.0])
    with pytest.warns(UserWarning, match=r"sourceTensor\.detach\(\)\.clone\(\)"):
        t = ember.tensor(src)
    assert t.tolist() == [1.0, 2.0]
    assert t.data_ptr() != src.data_ptr()
    with pytest.warns(UserWarning):
        assert ember.tensor(src, dtype=ember.int64).dtype is ember.int64


def test_tensor_device_argument() -> None:
    assert ember.tensor([1, 2], device="cpu").device == ember.device("cpu")
    assert ember.tensor([1, 2], device=ember.device("cpu")).device == ember.device("cpu")


# -- ember.tensor: bad input ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "exc", "message"),
    [
        ([[1, 2], [3]], ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
        ([[1], [2, 3]], ValueError, "expected sequence of length 1 at dim 1 (got 2)"),
        ([[1], []], ValueError, "expected sequence of length 1 at dim 1 (got 0)"),
        ([[[1, 2]], [[1, 2, 3]]], ValueError, "expected sequence of length 2 at dim 2 (got 3)"),
        # A number where its siblings are lists, or the reverse: TypeError in torch too.
        ([[1, 2], 3], TypeError, "at dim 1"),
        ([1, [2, 3]], TypeError, "at dim 1"),
        ([[1, 2], [3, [4]]], TypeError, "at dim 2"),
        ("abc", TypeError, "new(): invalid data type 'str'"),
        (b"abc", TypeError, "invalid data type 'bytes'"),
        ([1, "a"], TypeError, "new(): invalid data type 'str'"),
        ([[1, 2], [3, "a"]], TypeError, "invalid data type 'str'"),
        ([b"a"], TypeError, "invalid data type 'bytes'"),
        (None, RuntimeError, "Could not infer dtype of NoneType"),
        ([None], RuntimeError, "Could not infer dtype of NoneType"),
        ([[1, None]], RuntimeError, "Could not infer dtype of NoneType"),
        ({1: 2}, RuntimeError, "Could not infer dtype of dict"),
        ({1}, RuntimeError, "Could not infer dtype of set"),
        ([1, object()], RuntimeError, "Could not infer dtype of object"),
        (2**63, ValueError, "Overflow when unpacking long long"),
        (2**64, ValueError, "Overflow when unpacking long long"),
        (-(2**63) - 1, ValueError, "Overflow when unpacking long long"),
    ],
)
def test_tensor_rejects_bad_data(data: Any, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=_literal(message)):
        ember.tensor(data)


def _literal(text: str) -> str:
    return re.escape(text)


def test_ragged_list_is_a_value_error_naming_tensor() -> None:
    with pytest.raises(ValueError, match=r"^tensor\(\): expected sequence of length 2 at dim 1 \(got 1\)$"):
        ember.tensor([[1, 2], [3]])


@pytest.mark.parametrize(
    ("data", "dtype", "message"),
    [
        ([300], ember.uint8, "value cannot be converted to type uint8 without overflow"),
        (300, ember.uint8, "value cannot be converted to type uint8 without overflow"),
        ([-300], ember.uint8, "value cannot be converted to type uint8 without overflow"),
        ([-129], ember.int8, "value cannot be converted to type int8 without overflow"),
        ([2**40], ember.int32, "value cannot be converted to type int32 without overflow"),
        ([300.0], ember.uint8, "value cannot be converted to type uint8 without overflow"),
        ([1e20], ember.int64, "value cannot be converted to type int64 without overflow"),
        (float("nan"), ember.int64, "value cannot be converted to type int64 without overflow"),
        (float("inf"), ember.int64, "value cannot be converted to type int64 without overflow"),
    ],
)
def test_tensor_with_a_dtype_too_small_for_the_values(data: Any, dtype: ember.dtype, message: str) -> None:
    with pytest.raises(RuntimeError, match=message):
        ember.tensor(data, dtype=dtype)


def test_tensor_values_at_the_edge_of_the_dtype_fit() -> None:
    check(ember.tensor([-255, 255], dtype=ember.uint8), [1, 255], ember.uint8)
    check(ember.tensor([-128, 127], dtype=ember.int8), [-128, 127], ember.int8)
    check(ember.tensor([2**63 - 1]), [2**63 - 1], ember.int64)
    # NumPy data is not range-checked, as in torch: it wraps.
    check(ember.tensor(np.array([300]), dtype=ember.uint8), [44], ember.uint8)


def test_tensor_rejects_complex_values_for_a_real_dtype() -> None:
    with pytest.raises(TypeError, match="complex"):
        ember.tensor([1 + 2j], dtype=ember.float32)


@pytest.mark.parametrize("bad", ["float32", np.float32, 5, ember.device("cpu")])
def test_tensor_rejects_a_bad_dtype_argument(bad: Any) -> None:
    with pytest.raises(TypeError, match=r"tensor\(\): argument 'dtype' must be ember\.dtype"):
        ember.tensor([1, 2], dtype=bad)


def test_dtype_given_as_a_string_gets_a_hint() -> None:
    with pytest.raises(TypeError, match=r"use ember\.float32"):
        ember.zeros(2, dtype="float32")


def test_tensor_of_numpy_arrays_with_unsupported_dtypes() -> None:
    # torch also lists uint16/32/64, which Ember does not have.
    message = (
        "can't convert np.ndarray of type numpy.str_. The only supported types are: float64, float32, "
        "float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool."
    )
    with pytest.raises(TypeError, match=_literal(message)):
        ember.tensor(np.array(["a"]))
    with pytest.raises(TypeError, match=_literal("numpy.object_")):
        ember.tensor(np.array([[1, 2], [3, 4]], dtype=object))
    with pytest.raises(TypeError, match=_literal("numpy.uint16")):
        ember.tensor(np.array([1], dtype=np.uint16))


def test_tensor_requires_grad_needs_a_floating_dtype() -> None:
    # Checked before ember-autograd is reached, so the message is the same installed or not.
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require gradients"):
        ember.tensor([1], requires_grad=True)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require gradients"):
        ember.zeros(2, dtype=ember.int64, requires_grad=True)


# -- as_tensor and from_numpy ---------------------------------------------------------------------

def test_from_numpy_shares_memory_both_ways() -> None:
    a = np.zeros(3)
    t = ember.from_numpy(a)
    assert t.dtype is ember.float64
    a[0] = 5.0  # a write in NumPy shows in the tensor
    assert t.tolist() == [5.0, 0.0, 0.0]
    t[1] = 7.0  # and a write in the tensor shows in NumPy
    assert a.tolist() == [5.0, 7.0, 0.0]
    t.fill_(1.0)
    assert a.tolist() == [1.0, 1.0, 1.0]
    assert t.data_ptr() == a.ctypes.data


@pytest.mark.parametrize(("np_dtype", "dtype"), [(n, e) for e, n in NP.items()])
def test_from_numpy_dtypes(np_dtype: Any, dtype: ember.dtype) -> None:
    assert ember.from_numpy(np.zeros(2, dtype=np_dtype)).dtype is dtype


def test_from_numpy_keeps_strides() -> None:
    a = np.arange(6.0).reshape(2, 3)
    assert ember.from_numpy(a).stride() == (3, 1)
    t = ember.from_numpy(a.T)
    assert t.stride() == (1, 3)
    assert not t.is_contiguous()
    s = ember.from_numpy(np.array([1, 2, 3])[::2])
    assert s.tolist() == [1, 3]
    assert s.stride() == (2,)
    assert ember.from_numpy(np.array(5.0)).shape == ()


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.array([1], dtype=np.uint16), "can't convert np.ndarray of type numpy.uint16. The only supported types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool."),
        (np.array([1], dtype=np.uint64), "can't convert np.ndarray of type numpy.uint64."),
        (np.array(["a"]), "can't convert np.ndarray of type numpy.str_."),
        (np.array([object()]), "can't convert np.ndarray of type numpy.object_."),
        (np.array([1], dtype=np.longdouble), "can't convert np.ndarray of type numpy.longdouble."),
    ],
)
def test_from_numpy_rejects_unsupported_dtypes(array: np.ndarray, message: str) -> None:
    with pytest.raises(TypeError, match=r"^from_numpy\(\): " + _literal(message)):
        ember.from_numpy(array)


def test_from_numpy_bad_input() -> None:
    with pytest.raises(TypeError, match=_literal("expected np.ndarray (got list)")):
        ember.from_numpy([1, 2])
    with pytest.raises(ValueError, match="At least one stride in the given numpy array is negative"):
        ember.from_numpy(np.array([1, 2, 3])[::-1])
    with pytest.raises(ValueError, match="byte order different from the native byte order"):
        ember.from_numpy(np.array([1, 2], dtype=">i4"))


def test_from_numpy_of_a_read_only_array_warns() -> None:
    a = np.arange(3.0)
    a.flags.writeable = False
    with pytest.warns(UserWarning, match="not writable"):
        t = ember.from_numpy(a)
    assert t.tolist() == [0.0, 1.0, 2.0]


def test_as_tensor_shares_when_it_can() -> None:
    a = np.array([1, 2])
    t = ember.as_tensor(a)
    assert t.dtype is ember.int64
    assert t.data_ptr() == a.ctypes.data
    t2 = ember.as_tensor(a, device="cpu")
    assert t2.data_ptr() == a.ctypes.data
    assert ember.as_tensor(a, dtype=ember.int64).data_ptr() == a.ctypes.data
    converted = ember.as_tensor(a, dtype=ember.float32)  # a dtype change copies
    check(converted, [1.0, 2.0], ember.float32)
    assert converted.data_ptr() != a.ctypes.data
    x = ember.ones(2)
    assert ember.as_tensor(x) is x
    assert ember.as_tensor(x, dtype=ember.float32) is x
    assert ember.as_tensor(x, dtype=ember.float64).dtype is ember.float64


def test_as_tensor_of_python_data_and_errors() -> None:
    check(ember.as_tensor([1, 2]), [1, 2], ember.int64)
    check(ember.as_tensor([1, 2], dtype=ember.float32), [1.0, 2.0], ember.float32)
    check(ember.as_tensor(3), 3, ember.int64)
    with pytest.raises(TypeError, match=_literal("invalid data type 'str'")):
        ember.as_tensor("a")
    with pytest.raises(ValueError, match="negative"):
        ember.as_tensor(np.arange(3)[::-1])


# -- zeros, ones, full, empty ------------------------------------------------------------------------

@pytest.mark.parametrize("factory", [ember.zeros, ember.ones, ember.empty])
def test_size_spellings(factory: Any) -> None:
    for args in [(2, 3), ((2, 3),), ([2, 3],), (ember.Size([2, 3]),), (np.int64(2), 3), (ember.tensor(2), 3)]:
        t = factory(*args)
        assert t.shape == (2, 3)
        assert t.dtype is ember.float32
        assert t.is_contiguous()
    assert factory(size=(2, 3)).shape == (2, 3)
    assert factory(()).shape == ()
    assert factory(0).shape == (0,)
    assert factory(2, dtype=ember.int32).dtype is ember.int32
    assert factory(2, dtype=int).dtype is ember.int64
    assert factory(2, dtype=bool).dtype is ember.bool
    assert factory(2, device="cpu").device == ember.device("cpu")
    assert factory(2).requires_grad is False


def test_zeros_and_ones_values() -> None:
    check(ember.zeros(2, 3), [[0.0] * 3] * 2, ember.float32)
    check(ember.ones(2, 2, dtype=ember.bool), [[True, True], [True, True]], ember.bool)
    check(ember.ones(3, dtype=ember.int8), [1, 1, 1], ember.int8)
    assert repr(ember.zeros(2, 0)) == "tensor([], size=(2, 0))"


@pytest.mark.parametrize("factory", [ember.zeros, ember.ones, ember.empty, ember.rand, ember.randn])
def test_size_errors(factory: Any) -> None:
    name = factory.__name__
    with pytest.raises(RuntimeError, match=r"Trying to create tensor with negative dimension -1: \[2, -1\]"):
        factory(2, -1)
    with pytest.raises(RuntimeError, match="negative dimension"):
        factory((-1,))
    with pytest.raises(TypeError, match=rf"{name}\(\): argument 'size' must be"):
        factory(2.5)
    with pytest.raises(TypeError, match="argument 'size'"):
        factory("a")
    with pytest.raises(TypeError, match="bool"):
        factory(True)
    with pytest.raises(TypeError, match=_literal(f'{name}() missing 1 required positional argument: "size"')):
        factory()
    with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
        factory((2, 3), 4)
    with pytest.raises(TypeError, match="multiple values for argument 'size'"):
        factory(2, size=(2,))
    with pytest.raises(TypeError, match=rf"{name}\(\): argument 'dtype' must be ember\.dtype, not str"):
        factory(2, dtype="float32")


def test_full_infers_the_dtype_from_the_value() -> None:
    check(ember.full((2, 2), 7), [[7, 7], [7, 7]], ember.int64)
    check(ember.full((2, 2), 7.0), [[7.0, 7.0], [7.0, 7.0]], ember.float32)
    check(ember.full((2,), True), [True, True], ember.bool)
    check(ember.full((2,), 1 + 1j), [1 + 1j, 1 + 1j], ember.complex64)
    check(ember.full([2], 7), [7, 7], ember.int64)
    check(ember.full((2,), ember.tensor(3.0)), [3.0, 3.0], ember.float32)  # a 0-d tensor is a number
    check(ember.full((2,), ember.tensor(3)), [3, 3], ember.int64)
    check(ember.full((2,), np.float32(3)), [3.0, 3.0], ember.float32)
    check(ember.full((2,), np.int32(3)), [3, 3], ember.int64)
    check(ember.full((2,), 3.7, dtype=ember.int64), [3, 3], ember.int64)
    check(ember.full((2,), -1, dtype=ember.bool), [True, True], ember.bool)
    check(ember.full((2,), -1, dtype=ember.uint8), [255, 255], ember.uint8)
    check(ember.full((2,), True, dtype=ember.int64), [1, 1], ember.int64)
    check(ember.full(size=(1,), fill_value=2), [2], ember.int64)
    # Deliberately lenient: torch insists on a tuple for size, Ember also takes one int.
    check(ember.full(2, 7), [7, 7], ember.int64)


def test_full_errors() -> None:
    with pytest.raises(TypeError, match=r"full\(\): argument 'fill_value' must be Number, not str"):
        ember.full((2,), "a")
    with pytest.raises(TypeError, match="must be Number, not NoneType"):
        ember.full((2,), None)
    with pytest.raises(TypeError, match="must be Number, not Tensor"):
        ember.full((2,), ember.tensor([3.0, 4.0]))
    with pytest.raises(RuntimeError, match=r"negative dimension -2: \[-2\]"):
        ember.full((-2,), 1)
    with pytest.raises(RuntimeError, match="value cannot be converted to type uint8_t without overflow"):
        ember.full((2,), 300, dtype=ember.uint8)
    with pytest.raises(RuntimeError, match="value cannot be converted to type float without overflow"):
        ember.full((2,), 1e40)
    with pytest.raises(RuntimeError, match="value cannot be converted to type int64_t without overflow"):
        ember.full((2,), 1e20, dtype=ember.int64)
    with pytest.raises(OverflowError, match="int too big to convert"):  # torch's type and words
        ember.full((2,), 2**63)


# -- *_like --------------------------------------------------------------------------------------

def test_like_factories_copy_shape_dtype_and_device() -> None:
    src = ember.ones(2, 3, dtype=ember.int32)
    check(ember.zeros_like(src), [[0] * 3] * 2, ember.int32)
    check(ember.ones_like(src, dtype=ember.float64), [[1.0] * 3] * 2, ember.float64)
    check(ember.full_like(src, 2.7), [[2] * 3] * 2, ember.int32)  # the value takes input's dtype
    check(ember.full_like(ember.ones(2), 7), [7.0, 7.0], ember.float32)
    e = ember.empty_like(src)
    assert (e.shape, e.dtype, e.device) == ((2, 3), ember.int32, ember.device("cpu"))
    assert ember.zeros_like(src, device="cpu").device == ember.device("cpu")
    assert ember.zeros_like(ember.tensor(5.0)).shape == ()
    assert ember.rand_like(ember.ones(2, 3)).shape == (2, 3)
    assert ember.randn_like(ember.ones(2), dtype=ember.float64).dtype is ember.float64


def test_like_factories_preserve_a_dense_layout() -> None:
    # torch's default memory_format=preserve_format: a permuted dense input keeps its strides,
    # anything else (a strided slice, an expanded tensor) gets C-contiguous strides.
    t = ember.ones(3, 2).t()
    assert t.stride() == (1, 2)
    for like in (ember.zeros_like, ember.ones_like, ember.empty_like, ember.rand_like, ember.randn_like):
        assert like(t).stride() == (1, 2)
    assert ember.full_like(t, 3).stride() == (1, 2)
    assert ember.zeros_like(ember.ones(2, 1, 3).permute(2, 0, 1)).stride() == (1, 3, 3)
    assert ember.zeros_like(ember.ones(3, 2)[::2]).stride() == (2, 1)
    assert ember.empty_like(ember.ones(4, 3)[:, ::2]).stride() == (2, 1)
    assert ember.zeros_like(ember.ones(1, 3).expand(4, 3)).stride() == (3, 1)
    values = ember.full_like(t, 5)
    assert values.tolist() == [[5, 5, 5], [5, 5, 5]]


def test_like_factories_errors() -> None:
    with pytest.raises(TypeError, match=_literal("zeros_like(): argument 'input' (position 1) must be Tensor, not list")):
        ember.zeros_like([1, 2])
    with pytest.raises(TypeError, match=r"ones_like.*must be Tensor, not ndarray"):
        ember.ones_like(np.zeros(2))
    with pytest.raises(TypeError, match=r"full_like\(\): argument 'fill_value' must be Number, not str"):
        ember.full_like(ember.ones(2), "a")
    with pytest.raises(NotImplementedError, match="int64"):
        ember.rand_like(ember.ones(2, dtype=ember.int64))


# -- arange -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "kwargs", "values", "dtype"),
    [
        ((5,), {}, [0, 1, 2, 3, 4], ember.int64),
        ((5.0,), {}, [0.0, 1.0, 2.0, 3.0, 4.0], ember.float32),
        ((1, 4), {}, [1, 2, 3], ember.int64),
        ((0, 10, 3), {}, [0, 3, 6, 9], ember.int64),
        ((10, 0, -3), {}, [10, 7, 4, 1], ember.int64),
        ((-5, -1), {}, [-5, -4, -3, -2], ember.int64),
        ((1, 2.5, 0.5), {}, [1.0, 1.5, 2.0], ember.float32),
        ((5, 0, -1.5), {}, [5.0, 3.5, 2.0, 0.5], ember.float32),
        ((-1.0, 1.0, 0.5), {}, [-1.0, -0.5, 0.0, 0.5], ember.float32),
        ((0, 10, 2.5), {}, [0.0, 2.5, 5.0, 7.5], ember.float32),
        ((0.5, 2), {}, [0.5, 1.5], ember.float32),
        ((0, 0), {}, [], ember.int64),
        ((1, 1, -1), {}, [], ember.int64),
        ((True,), {}, [0], ember.int64),
        ((np.int64(3),), {}, [0, 1, 2], ember.int64),
        ((ember.tensor(3),), {}, [0, 1, 2], ember.int64),
        ((5,), {"dtype": ember.float64}, [0.0, 1.0, 2.0, 3.0, 4.0], ember.float64),
        ((5,), {"dtype": ember.float16}, [0.0, 1.0, 2.0, 3.0, 4.0], ember.float16),
        ((5,), {"dtype": ember.uint8}, [0, 1, 2, 3, 4], ember.uint8),
        ((1, 10, 3), {"dtype": ember.float32}, [1.0, 4.0, 7.0], ember.float32),
        ((5,), {"end": 8}, [5, 6, 7], ember.int64),
        ((), {"start": 2, "end": 5}, [2, 3, 4], ember.int64),
        ((), {"end": 5}, [0, 1, 2, 3, 4], ember.int64),
        ((0, 1), {"step": 0.25}, [0.0, 0.25, 0.5, 0.75], ember.float32),
    ],
)
def test_arange(args: tuple[Any, ...], kwargs: dict[str, Any], values: list[Any], dtype: ember.dtype) -> None:
    check(ember.arange(*args, **kwargs), values, dtype, (len(values),))


def test_arange_length_is_ceil_of_the_span_over_the_step() -> None:
    t = ember.arange(0, 1, 0.1)
    assert len(t) == 10  # not 11: torch computes the length in double, then the values
    assert t.dtype is ember.float32
    np.testing.assert_allclose(t.numpy(), np.arange(10) * 0.1, rtol=1e-6)
    assert ember.arange(0, 1, 0.1, dtype=ember.float64).tolist() == [i * 0.1 for i in range(10)]
    assert ember.arange(0, 1e-7, 1e-8).shape == (10,)
    assert ember.arange(2**40, 2**40 + 3).tolist() == [2**40, 2**40 + 1, 2**40 + 2]
    assert ember.arange(300, dtype=ember.uint8)[-3:].tolist() == [41, 42, 43]  # wraps like torch


@pytest.mark.parametrize(
    ("args", "dtype", "values"),
    [
        # torch computes integer ranges in int64 with start and step truncated towards zero; for an
        # int64 result it truncates end before counting too, for narrower ones it counts in double.
        ((0.5, 5.5), ember.int64, [0, 1, 2, 3, 4]),
        ((0.5, 5.5), ember.int32, [0, 1, 2, 3, 4]),
        ((0, 5, 1.5), ember.int64, [0, 1, 2, 3, 4]),
        ((0, 5, 1.5), ember.int32, [0, 1, 2, 3]),
        ((0, 5, 1.5), ember.int16, [0, 1, 2, 3]),
        ((-2.5, 2), ember.int64, [-2, -1, 0, 1]),
        ((-2.5, 2), ember.int32, [-2, -1, 0, 1, 2]),
        ((0.9, 3.9, 1.0), ember.int32, [0, 1, 2]),
        ((0, 1, 0.3), ember.int32, [0, 0, 0, 0]),
        ((0, 5, 0.5), ember.uint8, [0] * 10),
        ((5, 0, -1.5), ember.int32, [5, 4, 3, 2]),
        ((5.5,), ember.int64, [0, 1, 2, 3, 4]),
    ],
)
def test_arange_with_an_integer_dtype_and_float_arguments(args: tuple[Any, ...], dtype: ember.dtype, values: list[int]) -> None:
    check(ember.arange(*args, dtype=dtype), values, dtype, (len(values),))


def test_arange_float16_values_match_torch() -> None:
    t = ember.arange(0.0, 1.0, 0.1, dtype=ember.float16)
    expected = [0.0, 0.1, 0.2, 0.3, 0.3999, 0.5, 0.6001, 0.7002, 0.7998, 0.8999]
    np.testing.assert_allclose(t.numpy().astype(np.float64), expected, atol=1e-4)


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "message"),
    [
        ((0, 5, 0), {}, RuntimeError, "step must be nonzero"),
        ((0, 5, -1), {}, RuntimeError, "upper bound and lower bound inconsistent with step sign"),
        ((5, 0), {}, RuntimeError, "upper bound and lower bound inconsistent with step sign"),
        ((0, float("inf")), {}, RuntimeError, "unsupported range: 0 -> inf"),
        ((float("nan"),), {}, RuntimeError, "unsupported range: 0 -> nan"),
        (("a",), {}, TypeError, "arange(): argument 'end' must be Number, not str"),
        ((0, None, 2), {"end": None}, TypeError, "end"),
        ((), {}, TypeError, "missing 1 required argument: 'end'"),
        ((0, "b"), {}, TypeError, "argument 'end' must be Number, not str"),
        ((0, 5, [1]), {}, TypeError, "argument 'step' must be Number, not list"),
        ((1 + 1j,), {}, RuntimeError, "cannot be converted to type double"),
        ((0, 1, 0.3), {"dtype": ember.int64}, ValueError, "step must be nonzero"),
        ((5,), {"dtype": ember.bool}, NotImplementedError, "ember.bool"),
        ((3,), {"dtype": ember.complex64}, NotImplementedError, "ember.complex64"),
        ((3,), {"dtype": "int64"}, TypeError, "argument 'dtype' must be ember.dtype"),
    ],
)
def test_arange_errors(args: tuple[Any, ...], kwargs: dict[str, Any], exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=_literal(message)):
        ember.arange(*args, **kwargs)


def test_arange_requires_grad_without_autograd() -> None:
    # Without ember-autograd installed this must fail with the install hint, not a TypeError.
    if importlib.util.find_spec("ember.autograd") is None:
        with pytest.raises(RuntimeError, match="pip install ember-autograd"):
            ember.arange(3.0, requires_grad=True)
    else:
        assert ember.arange(3.0, requires_grad=True).requires_grad


# -- linspace and eye ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "kwargs", "values", "dtype"),
    [
        ((0, 1, 5), {}, [0.0, 0.25, 0.5, 0.75, 1.0], ember.float32),
        ((0, 1, 1), {}, [0.0], ember.float32),
        ((0, 1, 0), {}, [], ember.float32),
        ((10, 0, 3), {}, [10.0, 5.0, 0.0], ember.float32),
        ((0, 10, 5), {"dtype": ember.int64}, [0, 2, 5, 7, 10], ember.int64),
        ((0, 1), {"steps": 3}, [0.0, 0.5, 1.0], ember.float32),
        ((ember.tensor(0.0), ember.tensor(1.0), 3), {}, [0.0, 0.5, 1.0], ember.float32),
        ((0, 1, np.int64(3)), {}, [0.0, 0.5, 1.0], ember.float32),
        ((0, 1, ember.tensor(3)), {}, [0.0, 0.5, 1.0], ember.float32),
        ((0, 1, 3), {"dtype": ember.complex64}, [0j, 0.5 + 0j, 1 + 0j], ember.complex64),
        ((1 + 1j, 2, 3), {}, [1 + 1j, 1.5 + 0.5j, 2 + 0j], ember.complex64),
    ],
)
def test_linspace(args: tuple[Any, ...], kwargs: dict[str, Any], values: list[Any], dtype: ember.dtype) -> None:
    t = ember.linspace(*args, **kwargs)
    assert t.dtype is dtype
    assert t.shape == (len(values),)
    np.testing.assert_allclose(np.asarray(t.tolist()), np.asarray(values), rtol=1e-6)


def test_linspace_values_and_default_dtype() -> None:
    t = ember.linspace(-1, 1, 4, dtype=ember.float64)
    np.testing.assert_allclose(t.numpy(), [-1.0, -1 / 3, 1 / 3, 1.0])
    ember.set_default_dtype(ember.float64)
    assert ember.linspace(0, 1, 3).dtype is ember.float64


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "message"),
    [
        ((0, 1, -1), {}, RuntimeError, "number of steps must be non-negative"),
        ((0, 1), {}, TypeError, "steps"),
        ((0, 1, 2.5), {}, TypeError, "linspace(): argument 'steps' must be int, not float"),
        ((0, 1, True), {}, TypeError, "argument 'steps' must be int, not bool"),
        (("a", 1, 3), {}, TypeError, "linspace(): argument 'start' must be Number, not str"),
        ((0, None, 3), {}, TypeError, "argument 'end' must be Number, not NoneType"),
        ((1 + 1j, 2, 3), {"dtype": ember.float32}, RuntimeError, "can't be safely cast"),
        ((0, 1, 3), {"dtype": ember.bool}, NotImplementedError, "ember.bool"),
    ],
)
def test_linspace_errors(args: tuple[Any, ...], kwargs: dict[str, Any], exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=_literal(message)):
        ember.linspace(*args, **kwargs)


def test_eye() -> None:
    check(ember.eye(3), np.eye(3).tolist(), ember.float32)
    check(ember.eye(2, 3), [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], ember.float32)
    check(ember.eye(3, 2), [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], ember.float32)
    check(ember.eye(n=2, m=3), [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], ember.float32)
    check(ember.eye(2, dtype=ember.int64), [[1, 0], [0, 1]], ember.int64)
    check(ember.eye(2, dtype=ember.bool), [[True, False], [False, True]], ember.bool)
    check(ember.eye(np.int64(2)), [[1.0, 0.0], [0.0, 1.0]], ember.float32)
    assert ember.eye(0).shape == (0, 0)
    assert repr(ember.eye(0)) == "tensor([], size=(0, 0))"
    assert ember.eye(3, 2).stride() == (2, 1)


@pytest.mark.parametrize(
    ("args", "exc", "message"),
    [
        ((-1,), RuntimeError, "n must be greater or equal to 0, got -1"),
        ((2, -1), RuntimeError, "m must be greater or equal to 0, got -1"),
        ((2.5,), TypeError, "eye(): argument 'n' must be int, not float"),
        (("a",), TypeError, "eye(): argument 'n' must be int, not str"),
        ((True,), TypeError, "argument 'n' must be int, not bool"),
        ((2, 3.0), TypeError, "argument 'm' must be int, not float"),
    ],
)
def test_eye_errors(args: tuple[Any, ...], exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=_literal(message)):
        ember.eye(*args)


# -- the legacy ember.Tensor constructor -----------------------------------------------------------

def test_legacy_tensor_constructor_with_sizes() -> None:
    t = ember.Tensor(4, 3)
    assert isinstance(t, ember.Tensor)
    assert t.shape == (4, 3)
    assert t.dtype is ember.float32
    assert ember.Tensor(ember.Size([2, 3])).shape == (2, 3)  # a Size is a shape, not data
    assert ember.Tensor(3).shape == (3,)
    assert ember.Tensor(np.int64(3)).shape == (3,)
    assert ember.Tensor(2, device="cpu").shape == (2,)
    check(ember.Tensor(), [], ember.float32)


def test_legacy_tensor_constructor_with_data_uses_the_default_dtype() -> None:
    check(ember.Tensor([1, 2]), [1.0, 2.0], ember.float32)
    check(ember.Tensor((2, 3)), [2.0, 3.0], ember.float32)  # a plain tuple is data
    check(ember.Tensor([True]), [1.0], ember.float32)
    check(ember.Tensor([[1, 2], [3, 4]]), [[1.0, 2.0], [3.0, 4.0]], ember.float32)
    check(ember.Tensor(np.array([1, 2])), [1.0, 2.0], ember.float32)
    check(ember.Tensor(np.array([1.0, 2.0])), [1.0, 2.0], ember.float32)
    ember.set_default_dtype(ember.float64)
    assert ember.Tensor([1, 2]).dtype is ember.float64
    assert ember.Tensor(2).dtype is ember.float64


def test_legacy_tensor_constructor_aliases_a_tensor() -> None:
    src = ember.tensor([1, 2])
    t = ember.Tensor(src)
    check(t, [1, 2], ember.int64)  # same dtype, as in torch
    assert t.data_ptr() == src.data_ptr()


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "message"),
    [
        ((2, -1), {}, RuntimeError, "negative dimension -1: [2, -1]"),
        ((2.5,), {}, TypeError, "new(): data must be a sequence (got float)"),
        ((True,), {}, TypeError, "new(): data must be a sequence (got bool)"),
        (("a",), {}, TypeError, "invalid data type 'str'"),
        (([1, 2], 3), {}, TypeError, "got (list, int)"),
        ((2, 3.0), {}, TypeError, "got (int, float)"),
        ((2, 3), {"dtype": ember.float64}, TypeError, "dtype"),
    ],
)
def test_legacy_tensor_constructor_errors(args: tuple[Any, ...], kwargs: dict[str, Any], exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=_literal(message)):
        ember.Tensor(*args, **kwargs)


def test_factories_are_exported() -> None:
    for name in ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "zeros_like",
                 "ones_like", "full_like", "empty_like", "arange", "linspace", "eye", "rand", "randn",
                 "randint", "rand_like", "randn_like", "manual_seed", "Generator", "Tensor", "Size"]:
        assert name in ember.__all__
        assert callable(getattr(ember, name))
