"""default_collate / default_convert: every element type, against hand-built batches."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator, Mapping
from types import MappingProxyType

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert

Point = namedtuple("Point", ["x", "y"])


class Fixed(Mapping[str, int]):
    """A read-only mapping whose constructor takes no data."""

    def __getitem__(self, key: str) -> int:
        return {"only": 7}[key]

    def __iter__(self) -> Iterator[str]:
        return iter(["only"])

    def __len__(self) -> int:
        return 1


def same(actual: object, expected: np.ndarray, dtype: ember.dtype) -> None:
    assert isinstance(actual, ember.Tensor)
    assert actual.dtype == dtype, (actual.dtype, dtype)
    np.testing.assert_array_equal(actual.numpy(), expected)


def test_tensors_are_stacked_along_a_new_first_dim() -> None:
    a, b = ember.tensor([[1.0, 2.0]]), ember.tensor([[3.0, 4.0]])
    same(default_collate([a, b]), np.array([[[1.0, 2.0]], [[3.0, 4.0]]]), ember.float32)
    same(default_collate([ember.tensor(1), ember.tensor(2)]), np.array([1, 2]), ember.int64)


def test_tensors_of_unequal_shape_are_an_error() -> None:
    with pytest.raises(RuntimeError):
        default_collate([ember.zeros(2), ember.zeros(3)])


def test_python_numbers() -> None:
    same(default_collate([1.5, 2.0]), np.array([1.5, 2.0]), ember.float64)
    same(default_collate([1, 2, 3]), np.array([1, 2, 3]), ember.int64)
    same(default_collate([True, False]), np.array([True, False]), ember.bool)


def test_numpy_arrays_and_scalars() -> None:
    arrays = [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)]
    same(default_collate(arrays), np.array([[1, 2], [3, 4]]), ember.int32)
    same(default_collate([np.float32(1.5), np.float32(2.5)]), np.array([1.5, 2.5]), ember.float32)
    same(default_collate([np.float64(1.0), np.float64(2.0)]), np.array([1.0, 2.0]), ember.float64)
    same(default_collate([np.int16(3), np.int16(4)]), np.array([3, 4]), ember.int16)
    same(default_collate([np.bool_(True), np.bool_(False)]), np.array([True, False]), ember.bool)


def test_numpy_string_arrays_are_refused() -> None:
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_strings_and_bytes_stay_lists() -> None:
    assert default_collate(["a", "bc"]) == ["a", "bc"]
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]


def test_mappings_are_collated_per_key() -> None:
    out = default_collate([{"x": 1.0, "s": "a"}, {"x": 2.0, "s": "b"}])
    assert type(out) is dict and list(out) == ["x", "s"]
    same(out["x"], np.array([1.0, 2.0]), ember.float64)
    assert out["s"] == ["a", "b"]
    # An immutable mapping is rebuilt from a dict of the collated values...
    frozen = default_collate([MappingProxyType({"k": 1}), MappingProxyType({"k": 2})])
    assert type(frozen) is MappingProxyType
    same(frozen["k"], np.array([1, 2]), ember.int64)
    # ...and one that cannot be comes back as a plain dict.
    fixed = default_collate([Fixed(), Fixed()])
    assert type(fixed) is dict
    same(fixed["only"], np.array([7, 7]), ember.int64)


def test_namedtuples_keep_their_type() -> None:
    out = default_collate([Point(1, ember.tensor([1.0])), Point(2, ember.tensor([2.0]))])
    assert type(out) is Point
    same(out.x, np.array([1, 2]), ember.int64)
    same(out.y, np.array([[1.0], [2.0]]), ember.float32)


def test_tuples_and_lists_are_transposed() -> None:
    out = default_collate([(ember.tensor([1.0]), 0), (ember.tensor([2.0]), 1)])
    assert type(out) is list and len(out) == 2  # tuples come back as lists (torch's rule)
    same(out[0], np.array([[1.0], [2.0]]), ember.float32)
    same(out[1], np.array([0, 1]), ember.int64)
    nested = default_collate([[1, [2.0, "a"]], [3, [4.0, "b"]]])
    same(nested[0], np.array([1, 3]), ember.int64)
    same(nested[1][0], np.array([2.0, 4.0]), ember.float64)
    assert nested[1][1] == ("a", "b")  # strings come back as the transposed tuple, as in torch


def test_unequal_size_lists_are_a_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])


def test_unsupported_types_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class 'object'>"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="found <class 'NoneType'>"):
        default_collate([None, None])


def test_default_convert() -> None:
    assert default_convert(0) == 0
    same(default_convert(np.array([0, 1])), np.array([0, 1]), ember.int64)
    same(default_convert(np.float32(2.0)), np.array(2.0), ember.float32)
    p = default_convert(Point(np.array(0), np.array(1)))
    assert type(p) is Point
    same(p.y, np.array(1), ember.int64)
    converted = default_convert((np.array([1.0]), "s"))
    assert type(converted) is list and converted[1] == "s"
    d = default_convert({"a": np.array([1, 2]), "b": [np.int8(3)]})
    same(d["a"], np.array([1, 2]), ember.int64)
    same(d["b"][0], np.array(3), ember.int8)
    strings = np.array(["x"])
    assert default_convert(strings) is strings
    t = ember.ones(2)
    assert default_convert(t) is t
