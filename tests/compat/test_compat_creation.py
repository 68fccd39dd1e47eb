"""Tensor creation against live PyTorch: dtype inference, lengths, values and errors.

``tensor`` on seeded random nested Python data (lists and tuples of bools, ints, floats
and complex numbers, ragged shapes never), with and without ``dtype=``; ``arange`` and
``linspace`` on random endpoints and steps; ``full`` and the other factories.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

from _compat_helpers import COMPLEX, DTYPES, compare, params  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

LEAVES: dict[str, tuple[Any, ...]] = {
    "bool": (True, False),
    "int": (0, 1, -3, 7, 255, 2**31, -(2**40), 2**62),
    "float": (0.0, -0.0, 1.5, -2.25, 1e-30, 3e38, 1e300, math.nan, math.inf, 1e5),
    "complex": (1j, 1 + 2j, complex(0, -0.5), complex(math.inf, 1)),
}


def nested(rng: random.Random, shape: list[int], kinds: list[str]) -> Any:
    if not shape:
        return rng.choice(LEAVES[rng.choice(kinds)])
    items = [nested(rng, shape[1:], kinds) for _ in range(shape[0])]
    return tuple(items) if rng.random() < 0.25 else items


def with_dtype(fn: Callable[..., Any], dtype: str | None) -> Callable[[Any, Any], Any]:
    """``fn(m, *args)`` called with ``dtype=m.<dtype>`` unless ``dtype`` is None."""
    if dtype is None:
        return lambda m, *args: fn(m, *args)
    return lambda m, *args: fn(m, *args, dtype=getattr(m, dtype))


@pytest.mark.parametrize("seed", range(300))
def test_tensor_from_nested_python_data(seed: int) -> None:
    rng = random.Random(seed)
    shape = [rng.randint(0, 3) for _ in range(rng.randint(0, 3))]
    kinds = rng.sample(list(LEAVES), rng.randint(1, 3))
    data = nested(rng, shape, kinds)
    dtype = rng.choice([None, None, *DTYPES])
    if "complex" in kinds and dtype is not None and dtype not in COMPLEX:
        dtype = None  # complex values into real dtypes: test_tensor_conversions
    if "float" in kinds and dtype == "uint8":
        dtype = None  # negative floats into uint8: test_tensor_conversions
    compare(with_dtype(lambda m, d, **kw: m.tensor(d, **kw), dtype), (data,), (data,), f"tensor({data!r}, dtype={dtype})")


CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "complex_into_bool": lambda m: m.tensor([1j, 0j, 2 + 0j], dtype=m.bool),
    "complex_into_float": lambda m: m.tensor([1j], dtype=m.float32),
    "complex_with_zero_imag_into_float": lambda m: m.tensor([1 + 0j], dtype=m.float64),
    "complex_into_int": lambda m: m.tensor([1j], dtype=m.int64),
    "complex_into_uint8": lambda m: m.tensor([2j], dtype=m.uint8),
    "float_into_int": lambda m: m.tensor([2.7, -2.7], dtype=m.int32),
    "float_into_bool": lambda m: m.tensor([0.0, 0.5, -0.0], dtype=m.bool),
    "nan_into_bool": lambda m: m.tensor([math.nan], dtype=m.bool),
    "nan_into_int": lambda m: m.tensor([math.nan], dtype=m.int16),
    "huge_float_into_float16": lambda m: m.tensor([1e10], dtype=m.float16),
    "huge_int_into_float16": lambda m: m.tensor([2**40], dtype=m.float16),
    "negative_into_uint8": lambda m: m.tensor([-1], dtype=m.uint8),
    "negative_float_into_uint8": lambda m: m.tensor([-1.0], dtype=m.uint8),
    "small_negative_float_into_uint8": lambda m: m.tensor(-0.5, dtype=m.uint8),
    "float_above_uint8_max": lambda m: m.tensor([255.9], dtype=m.uint8),
    "float_above_int8_max": lambda m: m.tensor([127.5], dtype=m.int8),
    "float_above_int16_max": lambda m: m.tensor([32767.5], dtype=m.int16),
    "float_below_int8_min": lambda m: m.tensor([-128.5], dtype=m.int8),
    "large_negative_into_uint8": lambda m: m.tensor([-256], dtype=m.uint8),
    "int8_bounds": lambda m: m.tensor([-128, 127], dtype=m.int8),
    "int8_overflow": lambda m: m.tensor([128], dtype=m.int8),
    "int64_bounds": lambda m: m.tensor([-(2**63), 2**63 - 1]),
    "beyond_int64": lambda m: m.tensor([2**63]),
    "beyond_int64_into_float": lambda m: m.tensor([2**70], dtype=m.float32),
    "numpy_scalars_in_list": lambda m: m.tensor([np.float32(1.5), 2]),
    "numpy_int16_in_list": lambda m: m.tensor([np.int16(3), 2]),
    "numpy_bool_in_list": lambda m: m.tensor([np.bool_(True), False]),
    "numpy_float16_scalar": lambda m: m.tensor(np.float16(2.5)),
    "numpy_int8_array": lambda m: m.tensor(np.arange(3, dtype=np.int8)),
    "numpy_arrays_in_list": lambda m: m.tensor([np.arange(2, dtype=np.int16), np.arange(2, dtype=np.int16)]),
    "numpy_mixed_arrays_in_list": lambda m: m.tensor([np.arange(2, dtype=np.int16), np.arange(2.0)]),
    "0d_tensors_in_list": lambda m: m.tensor([m.tensor(1, dtype=m.int8), m.tensor(2, dtype=m.int8)]),
    "0d_tensor_and_float_in_list": lambda m: m.tensor([m.tensor(1, dtype=m.int8), 2.5]),
    "0d_float64_tensor_in_list": lambda m: m.tensor([m.tensor(1.0, dtype=m.float64), 2]),
    "range": lambda m: m.tensor(range(4)),
    "empty_list": lambda m: m.tensor([]),
    "nested_empty_lists": lambda m: m.tensor([[], []]),
    "as_tensor_list": lambda m: m.as_tensor([1, 2.5]),
    "as_tensor_numpy": lambda m: m.as_tensor(np.arange(3, dtype=np.int16)),
    "as_tensor_dtype": lambda m: m.as_tensor([1, 2], dtype=m.float64),
}
CONVERSION_BUGS: dict[tuple[str], str] = {}


@pytest.mark.parametrize("name", params([(n,) for n in CONVERSIONS], CONVERSION_BUGS))
def test_tensor_conversions(name: str) -> None:
    compare(lambda m: CONVERSIONS[name](m), (), (), name)


# -- ranges -------------------------------------------------------------------------------------

def _number(rng: random.Random, kind: str) -> int | float:
    if kind == "int" or (kind == "mixed" and rng.random() < 0.5):
        return rng.randint(-20, 20)
    return round(rng.uniform(-20, 20), rng.randint(0, 3))


@pytest.mark.parametrize("seed", range(250))
def test_arange(seed: int) -> None:
    rng = random.Random(seed)
    kind = rng.choice(["int", "float", "mixed"])
    start, end, step = _number(rng, kind), _number(rng, kind), _number(rng, kind)
    if rng.random() < 0.25:
        step = rng.choice([0.1, 0.3, -0.1, 0.7, 1 / 3, 2.5, -0.25])
    args = rng.choice([(end,), (start, end), (start, end, step)])
    dtypes: list[str | None] = [None, "float32", "float64", "float16"]
    if all(isinstance(a, int) for a in args):
        dtypes += ["int64", "int32", "int16", "int8", "uint8"]  # float arguments: test_arange_table
    dtype = rng.choice(dtypes)
    compare(with_dtype(lambda m, *a, **kw: m.arange(*a, **kw), dtype), args, args, f"arange{args}, dtype={dtype}")


ARANGE_TABLE = [
    (0, 5, 0.5, "int64"), (0.5, 5.5, 1, "int32"), (-2.7, 3, 1.5, "int64"), (-2.7, 3, 1.5, "int16"),
    (0, 5, 0.5, "uint8"), (1, 2.5, 0.25, "int8"), (10, 0, -1.5, "int64"), (10, 0, -1.5, "int32"),
    (0, 300, 7, "uint8"), (0, 10, 3, "float16"), (0, 1, 0.1, "float32"), (-1, 1, 0.3, "float64"),
    (0, 1, 0.1, None), (1e-3, 2e-3, 1e-4, None), (0, 1e6, 1e5, "float16"),
]
ARANGE_BUGS: dict[tuple[Any, Any, Any, str], str] = {}


@pytest.mark.parametrize(("start", "end", "step", "dtype"), params(ARANGE_TABLE, ARANGE_BUGS))
def test_arange_table(start: Any, end: Any, step: Any, dtype: str | None) -> None:
    args = (start, end, step)
    compare(with_dtype(lambda m, *a, **kw: m.arange(*a, **kw), dtype), args, args, f"arange{args}, dtype={dtype}")


@pytest.mark.parametrize("seed", range(200))
def test_linspace(seed: int) -> None:
    rng = random.Random(seed)
    start = rng.choice([0, 1, -5, 2.5, -1e3, 1e-3, 3j, 1 + 1j, 10**6])
    end = rng.choice([0, 1, 7, -2.5, 1e3, 100, 2j, 10**6 + 3])
    steps = rng.choice([0, 1, 2, 3, 5, 10, 50, 101])
    dtype = rng.choice([None, None, "float32", "float64", "float16", "complex64", "complex128"])
    if dtype == "float16" and max(abs(start), abs(end)) > 65504:
        dtype = "float32"  # endpoints beyond float16's range: test_linspace_table
    args = (start, end, steps)
    compare(with_dtype(lambda m, *a, **kw: m.linspace(*a, **kw), dtype), args, args, f"linspace{args}, dtype={dtype}")


LINSPACE_TABLE = [
    (0, 10, 5, "int64"), (-1.5, 1.5, 4, "int8"), (0, 255, 4, "uint8"), (0.9, 5.1, 3, "int64"),
    (0, 7, 8, "int16"), (10, 0, 4, "int32"), (0, 100, 7, "int64"), (-3, 3, 7, "int8"), (0, 1, 5, "int64"),
    (1.7, 9.2, 5, "int64"), (2.5, 1, 10, "int32"), (2.5, 100, 101, "int32"), (2.5, -2.5, 5, "uint8"),
    (0, 1000, 7, "float16"), (0, 1, 4, "complex128"), (0, 1 + 1j, 4, None), (3, 7, 1, None), (3, 7, 0, None),
    (10**6, 1, 10, "float16"), (-5, 10**6, 3, "float16"),
]
LINSPACE_BUGS: dict[tuple[Any, Any, int, str], str] = {}


@pytest.mark.parametrize(("start", "end", "steps", "dtype"), params(LINSPACE_TABLE, LINSPACE_BUGS))
def test_linspace_table(start: Any, end: Any, steps: int, dtype: str | None) -> None:
    args = (start, end, steps)
    compare(with_dtype(lambda m, *a, **kw: m.linspace(*a, **kw), dtype), args, args, f"linspace{args}, dtype={dtype}")


# -- full and the other factories ---------------------------------------------------------------

FILL_VALUES: dict[str, Any] = {
    "True": True, "False": False, "0": 0, "7": 7, "-2**40": -(2**40), "int64_max": 2**63 - 1,
    "1.5": 1.5, "127.5": 127.5, "-1.0": -1.0, "nan": math.nan, "-inf": -math.inf, "70000.0": 70000.0, "1e10": 1e10, "1j": 1j,
    "2+0j": 2 + 0j, "np.float32": np.float32(1.5), "np.int16": np.int16(3), "np.float64": np.float64(2.0),
    "np.uint8": np.uint8(3), "np.complex128": np.complex128(1j),
}
# torch quirks with NumPy scalars, not asserted: torch.full(size, np.bool_(True)) is float32
# 1.0 and torch.full(size, np.complex64(1j)) drops the imaginary part; Ember keeps both.
FULL_BUGS: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize(("value", "dtype"), params(itertools.product(FILL_VALUES, [None, *DTYPES]), FULL_BUGS))
def test_full(value: str, dtype: str | None) -> None:
    fill = FILL_VALUES[value]
    for size in [(2, 3), (), (0,), [4]]:
        compare(with_dtype(lambda m, s, **kw: m.full(s, fill, **kw), dtype), (size,), (size,),
                f"full({size}, {fill!r}, dtype={dtype})")


FILL_INPLACE_BUGS: dict[tuple[str], str] = {}


@pytest.mark.parametrize("value", params([(v,) for v in ("1.5", "70000.0", "1e10", "-inf")], FILL_INPLACE_BUGS))
def test_fill_and_full_like_float16(value: str) -> None:
    fill = FILL_VALUES[value]
    compare(lambda m: m.zeros(3, dtype=m.float16).fill_(fill), (), (), f"fill_({fill!r})")
    compare(lambda m: m.full_like(m.zeros(3, dtype=m.float16), fill), (), (), f"full_like({fill!r})")


FACTORIES: dict[str, Callable[[Any], Any]] = {
    "zeros": lambda m: m.zeros(2, 3),
    "zeros_tuple_dtype": lambda m: m.zeros((2, 3), dtype=m.int16),
    "zeros_0d": lambda m: m.zeros(()),
    "zeros_size_keyword": lambda m: m.ones(size=(2,)),
    "ones_list_bool": lambda m: m.ones([2, 3], dtype=m.bool),
    "python_float_dtype": lambda m: m.zeros(2, dtype=float),
    "python_int_dtype": lambda m: m.zeros(2, dtype=int),
    "python_bool_dtype": lambda m: m.ones(2, dtype=bool),
    "python_complex_dtype": lambda m: m.ones(2, dtype=complex),
    "eye": lambda m: m.eye(3),
    "eye_rectangular": lambda m: m.eye(2, 4, dtype=m.int64),
    "eye_empty": lambda m: m.eye(0, 3),
    "full_like": lambda m: m.full_like(m.ones(2, dtype=m.int8), 7),
    "full_like_float_into_int": lambda m: m.full_like(m.ones(2, dtype=m.int8), 7.9),
    "zeros_like_dtype": lambda m: m.zeros_like(m.ones(2, dtype=m.int8), dtype=m.float64),
    "ones_like_bool": lambda m: m.ones_like(m.ones(2, 3, dtype=m.bool)),
    "full_0d_int_tensor": lambda m: m.full((2,), m.tensor(3)),
    "full_0d_float64_tensor": lambda m: m.full((2,), m.tensor(3.5, dtype=m.float64)),
    "arange_numpy_int": lambda m: m.arange(np.int32(5)),
    "arange_0d_tensor": lambda m: m.arange(m.tensor(4)),
    "arange_float_0d_tensor": lambda m: m.arange(m.tensor(2.5)),
    "linspace_0d_tensors": lambda m: m.linspace(m.tensor(0.0), m.tensor(1.0), 5),
    "rand_shape_dtype": lambda m: m.rand(2, 3, dtype=m.float64).shape,
    "randn_complex": lambda m: m.randn(4, dtype=m.complex64).dtype,
    "randint_dtype": lambda m: m.randint(0, 5, (3,)).dtype,
}


@pytest.mark.parametrize("name", list(FACTORIES))
def test_factories(name: str) -> None:
    fn = FACTORIES[name]
    got, want = fn(ember), fn(torch)
    if isinstance(want, torch.Tensor):
        compare(lambda m: fn(m), (), (), name)
    else:  # shapes and dtypes of random factories
        assert repr(got) == repr(want).replace("torch.", "ember."), name


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_default_dtype_follows_set_default_dtype(dtype: str) -> None:
    """Python floats and complex numbers follow the default dtype in both libraries."""
    saved_e, saved_t = ember.get_default_dtype(), torch.get_default_dtype()
    try:
        ember.set_default_dtype(getattr(ember, dtype))
        torch.set_default_dtype(getattr(torch, dtype))
        for data in ([1.5, 2], [1j], 2.5, [[True, 0.5]]):
            compare(lambda m, d: m.tensor(d), (data,), (data,), f"tensor({data!r}) with default {dtype}")
        compare(lambda m: m.arange(0, 1, 0.25), (), (), "arange")
        compare(lambda m: m.linspace(0, 1j, 3), (), (), "linspace complex")
        compare(lambda m: m.full((2,), 1.5), (), (), "full")
        compare(lambda m: m.ones(2, dtype=m.int64) / 2, (), (), "int / int")
        assert str(ember.result_type(ember.ones(2, dtype=ember.int32), 2.5).name) == str(
            torch.result_type(torch.ones(2, dtype=torch.int32), 2.5)).removeprefix("torch.")
    finally:
        ember.set_default_dtype(saved_e)
        torch.set_default_dtype(saved_t)
