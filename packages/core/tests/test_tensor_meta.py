"""Tensor metadata and the Python protocols: shape, size, strides, item, len, iteration, bool/int/float.

Expected values, exception types and messages were checked against PyTorch 2.13 for
the same expressions (``torch.`` read as ``ember.``); torch is not imported here.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import ember

pytestmark = pytest.mark.filterwarnings("error")


# -- shape, Size, dim, numel -------------------------------------------------------------------

def test_shape_is_a_size_that_prints_like_torch() -> None:
    t = ember.ones(2, 3)
    assert isinstance(t.shape, ember.Size)
    assert isinstance(t.shape, tuple)
    assert repr(t.shape) == "ember.Size([2, 3])"
    assert str(t.shape) == "ember.Size([2, 3])"
    assert t.shape == (2, 3)
    assert t.shape == ember.Size([2, 3])
    assert t.shape[0] == 2
    assert t.shape[-1] == 3
    assert repr(t.shape[1:]) == "ember.Size([3])"
    assert t.shape.numel() == 6
    assert repr(ember.tensor(5).shape) == "ember.Size([])"


def test_size_arithmetic_stays_a_size() -> None:
    s = ember.Size([2, 3])
    assert repr(s + (4,)) == "ember.Size([2, 3, 4])"  # noqa: RUF005 (testing +)
    assert repr(s + ember.Size([4])) == "ember.Size([2, 3, 4])"
    assert repr((1,) + s) == "ember.Size([1, 2, 3])"  # noqa: RUF005
    assert repr(s * 2) == "ember.Size([2, 3, 2, 3])"
    assert repr(2 * s) == "ember.Size([2, 3, 2, 3])"
    assert repr(s[::-1]) == "ember.Size([3, 2])"
    assert s.count(2) == 1
    assert s.index(3) == 1
    with pytest.raises(TypeError):
        s + [4]  # noqa: RUF005 (torch: can only concatenate tuple (not list))


def test_size_construction() -> None:
    assert ember.Size() == ()
    assert ember.Size([ember.tensor(2), np.int64(3)]) == (2, 3)
    assert ember.Size([True]) == (1,)
    assert ember.Size([-1]) == (-1,)  # torch allows it; view() reads it as "infer"
    assert all(type(d) is int for d in ember.Size([np.int64(3)]))
    with pytest.raises(TypeError, match=re.escape("ember.Size() takes an iterable of 'int' (item 0 is 'float')")):
        ember.Size([2.5])
    with pytest.raises(TypeError, match=re.escape("(item 1 is 'str')")):
        ember.Size([1, "a"])


def test_size_dim_ndim_numel() -> None:
    t = ember.ones(2, 3)
    assert t.size() == ember.Size([2, 3])
    assert repr(t.size()) == "ember.Size([2, 3])"
    assert t.size(1) == 3
    assert t.size(-1) == 3
    assert t.size(0) == 2
    assert t.dim() == 2
    assert t.ndimension() == 2
    assert t.ndim == 2
    assert t.numel() == 6
    assert t.nelement() == 6
    assert ember.numel(t) == 6
    s = ember.tensor(5)
    assert (s.dim(), s.ndim, s.numel(), s.size()) == (0, 0, 1, ())
    assert ember.ones(0, 3).numel() == 0


@pytest.mark.parametrize(
    ("make", "dim", "exc", "message"),
    [
        (lambda: ember.ones(2, 3), 2, IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
        (lambda: ember.ones(2, 3), -3, IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got -3)"),
        (lambda: ember.ones(2, 3), "a", TypeError, "argument 'dim' must be int, not str"),
        (lambda: ember.tensor(5), 0, IndexError, "Dimension specified as 0 but tensor has no dimensions"),
        (lambda: ember.tensor(5), -1, IndexError, "Dimension specified as -1 but tensor has no dimensions"),
        (lambda: ember.tensor(5), 1, IndexError, "Dimension specified as 1 but tensor has no dimensions"),
    ],
)
@pytest.mark.parametrize("method", ["size", "stride"])
def test_size_and_stride_of_a_bad_dim(make: Any, dim: Any, exc: type[Exception], message: str, method: str) -> None:
    with pytest.raises(exc, match=re.escape(message)):
        getattr(make(), method)(dim)


# -- layout: strides, offsets, pointers ------------------------------------------------------------

def test_strides_and_contiguity() -> None:
    t = ember.ones(2, 3)
    assert t.stride() == (3, 1)
    assert t.stride(0) == 3
    assert t.stride(-1) == 1
    assert t.is_contiguous()
    tt = t.t()
    assert tt.stride() == (1, 3)
    assert not tt.is_contiguous()
    assert ember.tensor(5).stride() == ()
    assert ember.ones(4, 3, 2).stride() == (6, 2, 1)


def test_storage_offset_and_data_ptr_of_views() -> None:
    base = ember.ones(4, 3)
    assert base.storage_offset() == 0
    rows = base[1:]
    assert rows.storage_offset() == 3
    col = base[1:, 1]
    assert col.storage_offset() == 4
    assert col.stride() == (3,)
    assert rows.data_ptr() == base.data_ptr() + 3 * base.element_size()
    assert col.data_ptr() == base.data_ptr() + 4 * base.element_size()
    assert base.t().data_ptr() == base.data_ptr()


def test_data_ptr_is_the_address_of_the_first_element() -> None:
    a = np.arange(6.0)
    t = ember.from_numpy(a)
    assert t.data_ptr() == a.ctypes.data
    assert t[2:].data_ptr() == a[2:].ctypes.data
    assert t.numpy().ctypes.data == t.data_ptr()


@pytest.mark.parametrize(
    ("dtype", "size"),
    [
        (ember.bool, 1), (ember.uint8, 1), (ember.int8, 1), (ember.int16, 2), (ember.int32, 4),
        (ember.int64, 8), (ember.float16, 2), (ember.float32, 4), (ember.float64, 8),
        (ember.complex64, 8), (ember.complex128, 16),
    ],
)
def test_element_size(dtype: ember.dtype, size: int) -> None:
    t = ember.zeros(2, 3, dtype=dtype)
    assert t.element_size() == size
    assert t.itemsize == size
    assert t.nbytes == 6 * size


# -- Python values -------------------------------------------------------------------------------

def test_item() -> None:
    assert ember.tensor(2.5).item() == 2.5
    assert ember.tensor([2.5]).item() == 2.5
    assert ember.tensor([[7]]).item() == 7
    assert ember.tensor(True).item() is True
    assert ember.tensor(1 + 2j).item() == 1 + 2j
    assert type(ember.tensor(3).item()) is int
    assert type(ember.tensor(3, dtype=ember.int8).item()) is int
    assert type(ember.tensor(3.0, dtype=ember.float16).item()) is float
    assert type(ember.tensor(3.0).item()) is float
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        ember.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="a Tensor with 0 elements cannot be converted to Scalar"):
        ember.tensor([]).item()


def test_tolist() -> None:
    assert ember.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert ember.tensor(5.0).tolist() == 5.0
    assert ember.tensor([True]).tolist() == [True]
    assert type(ember.tensor([1.0]).tolist()[0]) is float
    assert type(ember.tensor([1]).tolist()[0]) is int
    assert ember.tensor([]).tolist() == []
    assert ember.zeros(2, 0).tolist() == [[], []]
    assert ember.ones(3, 2).t().tolist() == [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]


def test_len_and_iteration() -> None:
    t = ember.tensor([[1, 2], [3, 4], [5, 6]])
    assert len(t) == 3
    assert len(ember.ones(0, 3)) == 0
    rows = list(t)
    assert len(rows) == 3
    assert all(isinstance(r, ember.Tensor) and r.shape == (2,) for r in rows)
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4], [5, 6]]
    scalars = list(ember.tensor([1, 2, 3]))
    assert [s.shape for s in scalars] == [(), (), ()]
    assert repr(scalars) == "[tensor(1), tensor(2), tensor(3)]"
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(ember.tensor(5))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(ember.tensor(5))


def test_iteration_yields_views() -> None:
    t = ember.zeros(2, 3)
    for i, row in enumerate(t):
        assert row.data_ptr() == t.data_ptr() + 3 * i * t.element_size()
        row.fill_(i + 1)
    assert t.tolist() == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]
    first = t[0]
    first[0] = 9.0
    assert t[0, 0].item() == 9.0


def test_bool_int_float_complex_of_one_element_tensors() -> None:
    assert bool(ember.tensor([1])) is True
    assert bool(ember.tensor(0.0)) is False
    assert bool(ember.tensor([[2]])) is True
    assert int(ember.tensor(3.7)) == 3
    assert int(ember.tensor([-3.7])) == -3
    assert float(ember.tensor(3)) == 3.0
    assert float(ember.tensor([[2]])) == 2.0
    assert complex(ember.tensor(2.0)) == 2 + 0j
    assert int(ember.tensor(1 + 0j)) == 1
    assert float(ember.tensor(2 + 0j)) == 2.0
    if ember.tensor([1, 2]).sum() > 2:  # a tensor in an if statement
        pass


def test_bool_of_several_or_no_values_is_ambiguous() -> None:
    with pytest.raises(RuntimeError, match=r"^Boolean value of Tensor with more than one value is ambiguous$"):
        bool(ember.tensor([1, 2]))
    with pytest.raises(RuntimeError, match=r"^Boolean value of Tensor with no values is ambiguous$"):
        bool(ember.tensor([]))


@pytest.mark.parametrize("convert", [int, float, complex])
@pytest.mark.parametrize("values", [[1.0, 2.0], []])
def test_int_float_complex_of_several_values_is_a_value_error(convert: Any, values: list[float]) -> None:
    with pytest.raises(ValueError, match=r"^only one element tensors can be converted to Python scalars$"):
        convert(ember.tensor(values))


def test_int_and_float_of_a_complex_tensor() -> None:
    with pytest.raises(RuntimeError, match="value cannot be converted to type int64 without overflow"):
        int(ember.tensor(1 + 2j))
    with pytest.raises(RuntimeError, match="value cannot be converted to type double without overflow"):
        float(ember.tensor(1 + 2j))


def test_index_protocol() -> None:
    items = [10, 20, 30]
    assert items[ember.tensor(1)] == 20
    assert items[ember.tensor([2])] == 30
    assert range(5)[ember.tensor(2, dtype=ember.int8)] == 2
    assert items[ember.tensor(True)] == 20
    with pytest.raises(TypeError, match="only integer tensors of a single element can be converted to an index"):
        items[ember.tensor(1.0)]
    with pytest.raises(TypeError, match="only integer tensors of a single element can be converted to an index"):
        items[ember.tensor([1, 2])]


def test_format() -> None:
    assert f"{ember.tensor(2.5):.2f}" == "2.50"
    assert f"{ember.tensor(3):>3}" == "  3"
    assert format(ember.tensor([1.0, 2.0]), "") == "tensor([1., 2.])"
    assert f"{ember.tensor([1.0, 2.0])}" == "tensor([1., 2.])"
    with pytest.raises(TypeError, match=r"unsupported format string passed to Tensor\.__format__"):
        f"{ember.tensor([2.5]):.2f}"


def test_contains() -> None:
    t = ember.tensor([1, 2])
    assert 2 in t
    assert 5 not in t
    assert ember.tensor(2) in t
    with pytest.raises(RuntimeError, match=re.escape("Tensor.__contains__ only supports Tensor or scalar, but you passed in a <class 'str'>")):
        "a" in t  # noqa: B015


def test_predicates() -> None:
    assert not ember.tensor([1, 2]).is_floating_point()
    assert ember.tensor([1.0]).is_floating_point()
    assert ember.tensor([1.0], dtype=ember.float16).is_floating_point()
    assert not ember.tensor([1.0]).is_complex()
    assert ember.tensor([1j]).is_complex()
    assert ember.is_tensor(ember.ones(1))
    assert not ember.is_tensor([1])
    assert ember.is_floating_point(ember.ones(2))
    assert ember.ones(2).is_cpu
    assert not ember.ones(2).is_cuda


def test_tensors_hash_by_identity() -> None:
    a, b = ember.ones(2), ember.ones(2)
    assert len({a, b, a}) == 2


# -- repr end to end (the formatter itself is tested in test_printing.py) ----------------------------

@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: ember.tensor([[8, 2, 3], [1, 2, 3]]), "tensor([[8, 2, 3],\n        [1, 2, 3]])"),
        (lambda: ember.tensor([12.0, -12.0]), "tensor([ 12., -12.])"),
        (lambda: ember.tensor([1, 2], dtype=ember.int32), "tensor([1, 2], dtype=ember.int32)"),
        (lambda: ember.tensor([1.0, 2.0], dtype=ember.float64), "tensor([1., 2.], dtype=ember.float64)"),
        (lambda: ember.tensor([1.5], dtype=ember.float16), "tensor([1.5000], dtype=ember.float16)"),
        (lambda: ember.arange(3, dtype=ember.uint8), "tensor([0, 1, 2], dtype=ember.uint8)"),
        (lambda: ember.tensor([], dtype=ember.int64), "tensor([], dtype=ember.int64)"),
        (lambda: ember.tensor(7), "tensor(7)"),
        (lambda: ember.tensor([1e10, 1.0]), "tensor([1.0000e+10, 1.0000e+00])"),
        (lambda: ember.tensor([0.1, 1000.0]), "tensor([1.0000e-01, 1.0000e+03])"),
        (lambda: ember.zeros(2, 0), "tensor([], size=(2, 0))"),
    ],
)
def test_repr_of_real_tensors(make: Any, expected: str) -> None:
    t = make()
    assert repr(t) == expected
    assert str(t) == expected


def test_print(capsys: pytest.CaptureFixture[str]) -> None:
    print(ember.tensor([[8, 2, 3], [1, 2, 3]]))
    assert capsys.readouterr().out == "tensor([[8, 2, 3],\n        [1, 2, 3]])\n"


def test_repr_suffix_follows_the_default_dtype() -> None:
    default = ember.get_default_dtype()
    try:
        ember.set_default_dtype(ember.float64)
        assert repr(ember.tensor([1.0, 2.0])) == "tensor([1., 2.])"
        assert repr(ember.tensor([1.0, 2.0], dtype=ember.float32)) == "tensor([1., 2.], dtype=ember.float32)"
    finally:
        ember.set_default_dtype(default)
