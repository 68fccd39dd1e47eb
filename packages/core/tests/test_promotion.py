"""Type promotion: PyTorch's rules, as tables captured from PyTorch 2.13.

Every expected dtype below was printed by torch (``torch.promote_types``,
``torch.result_type`` and real ops) for the same operands and pasted here, so
these tests need no torch at run time. Codes: b=bool, u8=uint8, i8..i64,
f16=float16, bf16=bfloat16, f32, f64, c64=complex64, c128=complex128.

One deliberate difference: torch answers complex32 ("c32") for a complex
0-d tensor or Python complex with a float16 tensor; Ember has no complex32 and
answers complex64, the smallest complex dtype it has.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import raises_exactly

import ember

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

CODES = {
    "b": ember.bool, "u8": ember.uint8, "i8": ember.int8, "i16": ember.int16, "i32": ember.int32,
    "i64": ember.int64, "f16": ember.float16, "bf16": ember.bfloat16, "f32": ember.float32,
    "f64": ember.float64, "c64": ember.complex64, "c128": ember.complex128,
    "c32": ember.complex64,  # torch's complex32; see the module docstring
}
# dtypes the NumPy backend can hold (it has no bfloat16)
TENSOR_CODES = ["b", "u8", "i8", "i16", "i32", "i64", "f16", "f32", "f64", "c64", "c128"]


def parse_table(text: str) -> dict[tuple[str, str], str]:
    lines = [line.split() for line in text.strip().splitlines()]
    cols = lines[0]
    return {(row[0], col): cell for row in lines[1:] for col, cell in zip(cols, row[1:], strict=True)}


# torch.promote_types(row, col)
PROMOTE = parse_table("""
          b    u8    i8   i16   i32   i64   f16  bf16   f32   f64   c64  c128
    b     b    u8    i8   i16   i32   i64   f16  bf16   f32   f64   c64  c128
   u8    u8    u8   i16   i16   i32   i64   f16  bf16   f32   f64   c64  c128
   i8    i8   i16    i8   i16   i32   i64   f16  bf16   f32   f64   c64  c128
  i16   i16   i16   i16   i16   i32   i64   f16  bf16   f32   f64   c64  c128
  i32   i32   i32   i32   i32   i32   i64   f16  bf16   f32   f64   c64  c128
  i64   i64   i64   i64   i64   i64   i64   f16  bf16   f32   f64   c64  c128
  f16   f16   f16   f16   f16   f16   f16   f16   f32   f32   f64   c64  c128
 bf16  bf16  bf16  bf16  bf16  bf16  bf16   f32  bf16   f32   f64   c64  c128
  f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f64   c64  c128
  f64   f64   f64   f64   f64   f64   f64   f64   f64   f64   f64  c128  c128
  c64   c64   c64   c64   c64   c64   c64   c64   c64   c64  c128   c64  c128
 c128  c128  c128  c128  c128  c128  c128  c128  c128  c128  c128  c128  c128
""")

# torch.result_type(0-d tensor of the row's dtype, 1-d tensor of the column's dtype):
# the dimensioned tensor wins unless the 0-d one is of a higher category.
ZERO_DIM_WITH_DIMENSIONED = parse_table("""
          b    u8    i8   i16   i32   i64   f16  bf16   f32   f64   c64  c128
    b     b    u8    i8   i16   i32   i64   f16  bf16   f32   f64   c64  c128
   u8    u8    u8    i8   i16   i32   i64   f16  bf16   f32   f64   c64  c128
   i8    i8    u8    i8   i16   i32   i64   f16  bf16   f32   f64   c64  c128
  i16   i16    u8    i8   i16   i32   i64   f16  bf16   f32   f64   c64  c128
  i32   i32    u8    i8   i16   i32   i64   f16  bf16   f32   f64   c64  c128
  i64   i64    u8    i8   i16   i32   i64   f16  bf16   f32   f64   c64  c128
  f16   f16   f16   f16   f16   f16   f16   f16  bf16   f32   f64   c64  c128
 bf16  bf16  bf16  bf16  bf16  bf16  bf16   f16  bf16   f32   f64   c64  c128
  f32   f32   f32   f32   f32   f32   f32   f16  bf16   f32   f64   c64  c128
  f64   f64   f64   f64   f64   f64   f64   f16  bf16   f32   f64   c64  c128
  c64   c64   c64   c64   c64   c64   c64   c32   c64   c64  c128   c64  c128
 c128  c128  c128  c128  c128  c128  c128   c32   c64   c64  c128   c64  c128
""")

# tensor (op) Python scalar, for a dimensioned tensor and for a 0-d one (torch gives the same).
WITH_SCALAR = parse_table("""
        True     2   2.5    1j
    b      b   i64   f32   c64
   u8     u8    u8   f32   c64
   i8     i8    i8   f32   c64
  i16    i16   i16   f32   c64
  i32    i32   i32   f32   c64
  i64    i64   i64   f32   c64
  f16    f16   f16   f16   c32
 bf16   bf16  bf16  bf16   c64
  f32    f32   f32   f32   c64
  f64    f64   f64   f64  c128
  c64    c64   c64   c64   c64
 c128   c128  c128  c128  c128
""")
SCALARS = {"True": True, "2": 2, "2.5": 2.5, "1j": 1j}

NUMPY_PHRASES = ("operands could not be broadcast", "ufunc", "numpy", "casting rule", "Python integer")

raises = partial(raises_exactly, numpy_phrases=NUMPY_PHRASES)


def ones(code: str, shape: tuple[int, ...] = (2,)) -> ember.Tensor:
    return ember.ones(shape, dtype=CODES[code])


# -- dtype with dtype ----------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), sorted(PROMOTE))
def test_promote_types_matches_torch(a: str, b: str) -> None:
    assert ember.promote_types(CODES[a], CODES[b]) is CODES[PROMOTE[a, b]]


@pytest.mark.parametrize("a", TENSOR_CODES)
def test_dimensioned_tensors_promote_by_table(a: str) -> None:
    for b in TENSOR_CODES:
        out = ones(a) + ones(b)
        assert out.dtype is CODES[PROMOTE[a, b]], (a, b)
        assert (ones(a, ()) * ones(b, ())).dtype is CODES[PROMOTE[a, b]], (a, b)  # two 0-d tensors


@pytest.mark.parametrize("zero_d", TENSOR_CODES)
def test_zero_dim_tensor_does_not_widen_a_dimensioned_one(zero_d: str) -> None:
    for dimensioned in TENSOR_CODES:
        expected = CODES[ZERO_DIM_WITH_DIMENSIONED[zero_d, dimensioned]]
        z, d = ones(zero_d, ()), ones(dimensioned, (3,))
        assert ember.result_type(z, d) is expected, (zero_d, dimensioned)
        assert (z + d).dtype is expected, (zero_d, dimensioned)
        assert (d * z).dtype is expected, (zero_d, dimensioned)  # order does not matter
        assert (d + z).shape == (3,)


@pytest.mark.parametrize("code", [c for c in CODES if c != "c32"])
def test_tensor_with_python_scalar(code: str) -> None:
    for name, scalar in SCALARS.items():
        expected = CODES[WITH_SCALAR[code, name]]
        assert ember.result_type(CODES[code], scalar) is expected, (code, name)
        if code == "bf16":
            continue  # no bfloat16 tensors on the NumPy backend; the rule is checked above
        for shape in [(2,), ()]:
            t = ones(code, shape)
            assert (t + scalar).dtype is expected, (code, name, shape)
            assert (scalar + t).dtype is expected, (code, name, shape)  # reflected
            assert (t * scalar).dtype is expected, (code, name, shape)
            assert ember.result_type(t, scalar) is expected


def test_scalar_keeps_integer_dtype_and_value() -> None:
    x = ember.tensor([1, 2], dtype=ember.int8)
    out = x + 100
    assert out.dtype is ember.int8
    np.testing.assert_array_equal(out.numpy(), np.array([101, 102], dtype=np.int8))
    out = ember.tensor([250], dtype=ember.uint8) + 10  # wraps like a C cast, as in torch
    assert out.dtype is ember.uint8
    assert out.tolist() == [4]
    assert (300 - ember.zeros(2, dtype=ember.uint8)).tolist() == [44, 44]  # reflected wrap
    assert (ember.zeros(1, dtype=ember.int64) + 2**63).tolist() == [-(2**63)]


def test_float_scalar_follows_the_default_dtype() -> None:
    ember.set_default_dtype(ember.float64)
    assert (ember.tensor([1, 2], dtype=ember.int32) + 2.5).dtype is ember.float64
    assert (ember.tensor([1, 2], dtype=ember.float16) + 2.5).dtype is ember.float16
    assert (ember.tensor([True]) * 2.5).dtype is ember.float64
    assert (ember.tensor([1], dtype=ember.int32) + 1j).dtype is ember.complex128
    assert (ember.tensor([1, 2]) / 2).dtype is ember.float64
    assert ember.tensor([1, 2]).exp().dtype is ember.float64


def test_numpy_scalars_count_as_python_scalars() -> None:
    x = ember.tensor([1, 2], dtype=ember.int32)
    assert (x + np.int64(2)).dtype is ember.int32
    assert (x + np.float64(2.5)).dtype is ember.float32
    assert (x + np.float64(2.5)).tolist() == [3.5, 4.5]


# -- result kinds ----------------------------------------------------------------------------

INTEGER_CODES = ["b", "u8", "i8", "i16", "i32", "i64"]


@pytest.mark.parametrize("code", INTEGER_CODES)
def test_true_division_of_integers_gives_the_default_float(code: str) -> None:
    x = ember.tensor([1, 0, 1], dtype=CODES[code])
    y = ember.tensor([2, 4, 1], dtype=CODES[code])
    for out in (x / y, ember.div(x, y), x.true_divide(y), x / 2, 1 / y, y.reciprocal()):
        assert out.dtype is ember.float32
    xf, yf = x.numpy().astype(np.float64), y.numpy().astype(np.float64)  # bool: y is all True
    np.testing.assert_allclose((x / y).numpy(), xf / yf)
    np.testing.assert_allclose((1 / y).numpy(), 1 / yf)


def test_true_division_casts_each_integer_operand_straight_to_float() -> None:
    # result_type is uint8, but torch divides in float32 from each operand's own dtype
    z, d = ember.tensor(-1, dtype=ember.int8), ember.tensor([1], dtype=ember.uint8)
    assert (z / d).tolist() == [-1.0]
    np.testing.assert_allclose(ember.atan2(z, d).numpy(), [-0.7853982], rtol=1e-6)
    assert (z + d).tolist() == [0]  # other ops compute in uint8: -1 becomes 255
    assert (z < d).tolist() == [False]


@pytest.mark.parametrize("code", ["u8", "i8", "i16", "i32", "i64"])
def test_floor_and_trunc_division_keep_integers(code: str) -> None:
    dt = CODES[code]
    signed = dt.is_signed
    x = ember.tensor([7, -7, 6] if signed else [7, 9, 6], dtype=dt)
    y = ember.tensor([2, 2, -4] if signed else [2, 2, 4], dtype=dt)
    for out in (x // y, x.div(y, rounding_mode="floor"), x.div(y, rounding_mode="trunc"), x // 2):
        assert out.dtype is dt
    if signed:
        assert (x // y).tolist() == [3, -4, -2]
        assert x.div(y, rounding_mode="trunc").tolist() == [3, -3, -1]
        assert (x % y).tolist() == [1, 1, -2]  # the divisor's sign, as in Python and torch


def test_trunc_division_of_large_int64_is_exact() -> None:
    big = 2**53 + 1  # not representable in float32 or float64
    x = ember.tensor([big, -big])
    assert x.div(1, rounding_mode="trunc").tolist() == [big, -big]
    assert x.div(ember.tensor([-2, 2]), rounding_mode="trunc").tolist() == [-(big // 2), -(big // 2)]


@pytest.mark.parametrize("a", TENSOR_CODES)
def test_comparisons_give_bool(a: str) -> None:
    for b in TENSOR_CODES:
        x, y = ones(a, (2,)), ones(b, ())
        for out in (x == y, x != y, ember.eq(x, y), ember.ne(y, x)):
            assert out.dtype is ember.bool
        if "c" not in a + b:  # ordered comparisons of complex numbers are refused (tested elsewhere)
            for out in (x < y, x <= y, x > y, x >= y, ember.lt(x, y), ember.ge(x, 2.5)):
                assert out.dtype is ember.bool
    assert ember.logical_and(ones(a), ones("f32")).dtype is ember.bool
    assert ones(a).isnan().dtype is ember.bool


@pytest.mark.parametrize(
    ("code", "expected"),
    [("b", "f32"), ("u8", "f32"), ("i32", "f32"), ("i64", "f32"), ("f16", "f16"), ("f64", "f64"), ("c64", "c64")],
)
def test_floating_unary_math_of_integers_gives_the_default_float(code: str, expected: str) -> None:
    x = ember.tensor([1, 4], dtype=CODES[code])
    for name in ("exp", "log1p", "sqrt", "sin", "tanh", "sigmoid", "rsqrt"):
        assert getattr(x, name)().dtype is CODES[expected], name


@pytest.mark.parametrize(
    ("code", "expected"),
    [("i8", "i8"), ("i64", "i64"), ("f16", "f16"), ("f64", "f64"), ("c64", "f32"), ("c128", "f64")],
)
def test_abs_keeps_the_dtype_or_takes_the_real_one(code: str, expected: str) -> None:
    x = ember.tensor([-1, 2], dtype=CODES[code])
    assert x.abs().dtype is CODES[expected]
    assert abs(x).dtype is CODES[expected]
    np.testing.assert_allclose(x.abs().numpy(), [1, 2])


def test_bool_square_gives_int64_and_sign_keeps_bool() -> None:
    x = ember.tensor([True, False])
    assert x.square().dtype is ember.int64
    assert x.square().tolist() == [1, 0]
    assert x.sign().dtype is ember.bool
    assert x.sign().tolist() == [True, False]


@pytest.mark.parametrize(
    ("code", "expected"), [("b", "i64"), ("u8", "i64"), ("i32", "i64"), ("f16", "f16"), ("f32", "f32"), ("c64", "c64")]
)
def test_sum_and_prod_accumulate_integers_in_int64(code: str, expected: str) -> None:
    x = ember.tensor([[1, 1], [1, 0]], dtype=CODES[code])
    assert x.sum().dtype is CODES[expected]
    assert x.sum(0).dtype is CODES[expected]
    assert x.prod().dtype is CODES[expected]
    if code != "c64":
        assert x.sum(dtype=ember.float64).dtype is ember.float64
        assert x.sum(dtype=ember.float64).item() == 3.0


def test_reduction_dtype_argument_casts_the_input_first() -> None:
    assert ember.tensor([1.5, 2.5]).sum(dtype=ember.int64).tolist() == 3  # 1 + 2, as in torch
    assert ember.tensor([1, 2]).mean(dtype=ember.float32).item() == 1.5
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        out = ember.tensor([1 + 2j, 3 - 1j]).sum(dtype=ember.float64)
    assert out.dtype is ember.float64
    assert out.item() == 4.0
    with raises(RuntimeError, "Optional dtype must be either a floating point or complex dtype. Got: Long"):
        ember.tensor([1.5]).mean(dtype=ember.int64)


def test_where_cat_and_stack_promote() -> None:
    cond = ember.tensor([True, False])
    assert ember.where(cond, ember.tensor([1, 2], dtype=ember.int32), 2.5).dtype is ember.float32
    assert ember.where(cond, ember.tensor([1, 2], dtype=ember.int32), 2).dtype is ember.int32
    assert ember.where(cond, 1, 0).dtype is ember.int64
    assert ember.where(cond, ember.tensor([1.0], dtype=ember.float64), ember.tensor(1.0)).dtype is ember.float64
    parts = [ember.ones(2, dtype=ember.int32), ember.ones(2, dtype=ember.uint8), ember.ones(2, dtype=ember.int8)]
    assert ember.cat(parts).dtype is ember.int32
    assert ember.stack(parts).dtype is ember.int32
    assert ember.cat([ember.ones(1, dtype=ember.int64), ember.ones(1, dtype=ember.float16)]).dtype is ember.float16
    assert ember.stack([ember.ones(1, dtype=ember.uint8), ember.ones(1, dtype=ember.int8)]).dtype is ember.int16


def test_maximum_pow_and_atan2_promote() -> None:
    i32 = ember.tensor([1, 2], dtype=ember.int32)
    f64 = ember.tensor(3.0, dtype=ember.float64)  # 0-d: does not widen within the float category
    assert ember.maximum(i32, f64).dtype is ember.float64  # a higher category: the 0-d dtype counts
    assert ember.maximum(i32, f64).tolist() == [3.0, 3.0]
    assert ember.maximum(ember.ones(2), f64).dtype is ember.float32
    assert (i32**2).dtype is ember.int32
    assert (i32**0.5).dtype is ember.float32
    assert (2**i32).dtype is ember.int32
    assert (2.0**i32).dtype is ember.float32
    assert ember.atan2(i32, i32).dtype is ember.float32


# -- in-place and out= casting ----------------------------------------------------------------

# (target dtype, operation, torch's result-type name or None when it is allowed)
INPLACE_CASES = [
    ("i64", lambda t: t.add_(1.5), "Float"),
    ("i64", lambda t: t.add_(ember.ones(2)), "Float"),
    ("i64", lambda t: t.mul_(2.5), "Float"),
    ("i64", lambda t: t.sub_(ember.tensor(1.0)), "Float"),  # 0-d float still changes the category
    ("i64", lambda t: t.div_(2), "Float"),
    ("i32", lambda t: t.__iadd__(0.5), "Float"),
    ("b", lambda t: t.add_(1), "Long"),
    ("b", lambda t: t.mul_(ember.ones(2, dtype=ember.int32)), "Int"),
    ("f32", lambda t: t.add_(1j), "ComplexFloat"),
    ("f64", lambda t: t.mul_(ember.ones(2, dtype=ember.complex128)), "ComplexDouble"),
    ("u8", lambda t: t.add_(ember.ones(2, dtype=ember.float16)), "Half"),
    ("i32", lambda t: t.add_(ember.ones(2, dtype=ember.int64)), None),  # narrowing within a category is fine
    ("f32", lambda t: t.add_(ember.ones(2, dtype=ember.float64)), None),
    ("i64", lambda t: t.add_(True), None),
    ("i64", lambda t: t.__ifloordiv__(2), None),
    ("f16", lambda t: t.mul_(ember.ones(2, dtype=ember.int64)), None),
]
TORCH_NAMES = {"i64": "Long", "i32": "Int", "b": "Bool", "f32": "Float", "f64": "Double", "u8": "Byte", "f16": "Half"}


@pytest.mark.parametrize(("code", "op", "result"), INPLACE_CASES)
def test_inplace_casting_rule(code: str, op: Any, result: str | None) -> None:
    t = ember.tensor([1, 0], dtype=CODES[code])
    before = t.numpy().copy()
    if result is None:
        assert op(t) is t
        assert t.dtype is CODES[code]
        return
    with raises(
        RuntimeError, f"result type {result} can't be cast to the desired output type {TORCH_NAMES[code]}"
    ):
        op(t)
    np.testing.assert_array_equal(t.numpy(), before)  # a failed in-place op leaves its target alone
    assert t.dtype is CODES[code]


def test_issue_example_int_add_float_scalar() -> None:
    t = ember.tensor([1, 2, 3])
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        t.add_(1.5)
    assert t.tolist() == [1, 2, 3]


def test_out_argument_casting() -> None:
    x = ember.tensor([1.5, 2.5])
    out = ember.empty(2, dtype=ember.int64)
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        ember.add(x, x, out=out)
    wide = ember.empty(2, dtype=ember.float64)
    assert ember.add(x, x, out=wide) is wide
    assert wide.dtype is ember.float64
    assert wide.tolist() == [3.0, 5.0]
    same_category = ember.empty(2, dtype=ember.int32)
    ember.mul(ember.tensor([2, 3]), 4, out=same_category)
    assert same_category.tolist() == [8, 12]
    flag = ember.empty(2, dtype=ember.bool)
    with raises(RuntimeError, "result type Long can't be cast to the desired output type Bool"):
        ember.sub(ember.tensor([1, 2]), 1, out=flag)
