"""Elementwise ops against live PyTorch: values, dtypes and exception types.

Inputs are seeded random arrays (NaN and infinities included for floating dtypes) on
shapes that broadcast, 0-d and empty. Each case runs the same call on ember and on
torch and compares what comes back (see ``_compat_helpers.compare``).
"""

from __future__ import annotations

import itertools
import math
import zlib
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from _compat_helpers import (  # noqa: E402
    COMPLEX,
    DTYPES,
    FLOATING,
    INTEGRAL,
    compare,
    pair,
    params,
    random_array,
)

pytestmark = pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental:UserWarning")

BINARY_OPS = (
    "add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "maximum", "minimum", "atan2",
    "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
)
DIVISIONS = ("div", "floor_divide", "remainder")
SHIFTS = ("bitwise_left_shift", "bitwise_right_shift")
SHAPE_PAIRS = {
    "nonempty": [((), ()), ((3,), ()), ((), (2, 3)), ((2, 1, 3), (4, 1)), ((4,), (4,)), ((3, 1), (1, 5))],
    # results with no elements: nothing is computed, so nothing can fail (torch's rule)
    "empty": [((0, 3), (1, 3)), ((2, 0), (2, 1)), ((0,), ())],
}
UNARY_OPS = (
    "neg", "abs", "sign", "floor", "ceil", "trunc", "round", "frac", "square", "bitwise_not",
    "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "relu",
    "reciprocal", "isnan", "isinf", "isfinite", "logical_not",
)
UNARY_SHAPES = [(), (7,), (2, 3), (0,), (2, 0, 3)]


def rng_for(*key: Any) -> np.random.Generator:
    """A generator seeded from the case's id, so every case has its own fixed data."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def operand_b(rng: np.random.Generator, shape: tuple[int, ...], dtype: str, op: str, group: str) -> np.ndarray:
    b = random_array(rng, shape, dtype)
    if op in SHIFTS and dtype in INTEGRAL:
        b = (np.abs(b.astype(np.int64)) % 8).astype(dtype)  # shifts by 0..7 (wider ones: test_shift_amounts)
    if op in DIVISIONS and dtype in (*INTEGRAL, "bool"):
        if group == "nonempty":
            b = np.where(b == 0, np.ones_like(b), b)  # integer division by zero: see test_compat_errors
        elif b.size:
            b.reshape(-1)[0] = 0  # ...but a zero divisor with an empty result is no error in torch
    return b


# -- binary ops, both operands of one dtype ---------------------------------------------------------

BINARY_BUGS: dict[tuple[str, str, str], str] = {}


@pytest.mark.parametrize(
    ("op", "dtype", "group"),
    params(itertools.product(BINARY_OPS, DTYPES, SHAPE_PAIRS), BINARY_BUGS),
)
def test_binary_same_dtype(op: str, dtype: str, group: str) -> None:
    rng = rng_for(op, dtype, group)
    for sa, sb in SHAPE_PAIRS[group]:
        (ea, ta), (eb, tb) = pair(random_array(rng, sa, dtype)), pair(operand_b(rng, sb, dtype, op, group))
        compare(lambda m, x, y: getattr(m, op)(x, y), (ea, eb), (ta, tb), f"{op}({dtype}{sa}, {dtype}{sb})")


# -- binary ops across dtypes -------------------------------------------------------------------------

MIXED_OPS = ("add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "maximum", "eq", "lt",
             "logical_xor", "bitwise_and", "bitwise_left_shift", "atan2")


@pytest.mark.parametrize(("a", "b"), [(a, b) for a, b in itertools.product(DTYPES, DTYPES) if a != b])
def test_binary_mixed_dtypes(a: str, b: str) -> None:
    rng = rng_for(a, b)
    for op in MIXED_OPS:
        for sa, sb in [((3,), (3,)), ((2, 1), (4,)), ((), (2, 2))]:
            (ea, ta), (eb, tb) = pair(random_array(rng, sa, a)), pair(operand_b(rng, sb, b, op, "nonempty"))
            if torch.result_type(ta, tb) == torch.complex32:
                continue  # torch computes in complex32, which Ember has not on purpose
            compare(lambda m, x, y, op=op: getattr(m, op)(x, y), (ea, eb), (ta, tb), f"{op}({a}{sa}, {b}{sb})")


# -- binary ops with Python scalars -----------------------------------------------------------------

SCALAR_OPS = ("add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "eq", "ne", "lt", "ge",
              "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift")
SCALARS = (True, False, 0, 3, -2, 2.5, -0.0, 1.5e-3, math.nan, math.inf, -math.inf, 1 + 2j, -0.5j)


@pytest.mark.parametrize(("op", "dtype"), list(itertools.product(SCALAR_OPS, DTYPES)))
def test_binary_with_python_scalar(op: str, dtype: str) -> None:
    rng = rng_for(op, dtype)
    for shape in [(5,), ()]:
        ea, ta = pair(random_array(rng, shape, dtype))
        for s in SCALARS:
            if dtype in COMPLEX and op in ("add", "sub") and isinstance(s, float) and math.isinf(s):
                # torch computes `self + alpha * other` with a complex alpha, so 1 * (inf+0j)
                # gives inf+nanj and x + inf has a NaN imaginary part; Ember's is the exact sum.
                continue
            if dtype == "float16" and isinstance(s, complex):
                continue  # torch's complex32 again (see test_compat_promotion)
            compare(lambda m, x, s=s: getattr(m, op)(x, s), (ea,), (ta,), f"{op}({dtype}{shape}, {s!r})")
            compare(lambda m, x, s=s: getattr(m, op)(s, x), (ea,), (ta,), f"{op}({s!r}, {dtype}{shape})")


# Scalars beyond the tensor dtype's range: torch wraps integers, saturates or raises.
EXTREME_SCALARS = (300, -129, 70000, 2**40, -(2**63), 70000.0, 1e300)
EXTREME_OPS = ("add", "mul", "floor_divide", "pow", "eq", "bitwise_and")
_POW_HALF = "pow(float16 tensor, exponent beyond float16's range) returns a value; torch raises RuntimeError 'value cannot be converted to type c10::Half without overflow'"
_MUL_HALF = "float16 tensor * scalar beyond float16's range: the scalar is rounded to float16 (inf) before multiplying, so 0 * 70000 is nan; torch computes float16 ops in float32 (0 * 70000 = 0)"
EXTREME_BUGS = {
    **{("pow", "float16", s): _POW_HALF for s in (70000, 2**40, -(2**63), 70000.0, 1e300)},
    **{("mul", "float16", s): _MUL_HALF for s in (70000, 2**40, -(2**63), 70000.0)},
}


@pytest.mark.parametrize(
    ("op", "dtype", "scalar"),
    params(itertools.product(EXTREME_OPS, DTYPES, EXTREME_SCALARS), EXTREME_BUGS),
)
def test_binary_with_out_of_range_scalar(op: str, dtype: str, scalar: Any) -> None:
    if dtype == "complex64" and op == "add" and scalar == 1e300:
        pytest.skip("torch's x + alpha * other gives inf+nanj here (see test_binary_with_python_scalar)")
    ea, ta = pair(np.array([1, 2, 0, 5], dtype=dtype))
    compare(lambda m, x: getattr(m, op)(x, scalar), (ea,), (ta,), f"{op}({dtype}, {scalar!r})")


@pytest.mark.parametrize("dtype", INTEGRAL)
def test_shift_amounts(dtype: str) -> None:
    """Shifts by 0 up to beyond the type's width, by tensors and by scalars."""
    a = np.array([1, 3, 100, 7, 0, 127], dtype=dtype)
    if dtype != "uint8":
        a[1::2] *= -1
    amounts = np.array([0, 1, 7, 8, 15, 31, 63, 64, 100] if dtype != "uint8" else [0, 1, 7, 8, 9, 100])
    for op in SHIFTS:
        for amount in amounts:
            ea, ta = pair(a)
            compare(lambda m, x, op=op, n=int(amount): getattr(m, op)(x, n), (ea,), (ta,), f"{op}({dtype}, {amount})")
        b = np.resize(amounts, a.shape).astype(dtype)
        (ea, ta), (eb, tb) = pair(a), pair(b)
        compare(lambda m, x, y, op=op: getattr(m, op)(x, y), (ea, eb), (ta, tb), f"{op}({dtype}, {b})")


# -- unary ops ----------------------------------------------------------------------------------------

UNARY_BUGS: dict[tuple[str, str, str], str] = {}


def _unary_cases() -> list[tuple[str, str, str]]:
    cases = []
    for op, dt in itertools.product(UNARY_OPS, DTYPES):
        cases.append((op, dt, "finite"))
        if dt in FLOATING or dt in COMPLEX:
            cases.append((op, dt, "special"))  # NaN, +inf and -inf among the values
    return cases


@pytest.mark.parametrize(("op", "dtype", "data"), params(_unary_cases(), UNARY_BUGS))
def test_unary(op: str, dtype: str, data: str) -> None:
    rng = rng_for(op, dtype, data)
    for shape in UNARY_SHAPES:
        arr = random_array(rng, shape, dtype, special=data == "special")
        if data == "special" and arr.size and dtype in COMPLEX:
            arr.reshape(-1)[: 3] = np.array([complex(math.nan, 1), complex(math.inf, 0), complex(0, -math.inf)])[: arr.size]
        ea, ta = pair(arr)
        compare(lambda m, x: getattr(m, op)(x), (ea,), (ta,), f"{op}({dtype}{shape})")
        compare(lambda m, x: getattr(x, op)(), (ea,), (ta,), f"Tensor.{op}({dtype}{shape})")


ROUND_BUGS: dict[tuple[str, int], str] = {}


@pytest.mark.parametrize(("dtype", "decimals"), params(itertools.product(DTYPES, (0, 2, -1)), ROUND_BUGS))
def test_round_decimals(dtype: str, decimals: int) -> None:
    ea, ta = pair(random_array(rng_for("round", dtype), (9,), dtype, scale=300.0))
    compare(lambda m, x: m.round(x, decimals=decimals), (ea,), (ta,), f"round({dtype}, decimals={decimals})")


# -- div's rounding modes, clamp, where ------------------------------------------------------------

@pytest.mark.parametrize(("mode", "dtype"), list(itertools.product(("trunc", "floor"), DTYPES)))
def test_div_rounding_mode(mode: str, dtype: str) -> None:
    rng = rng_for("div", mode, dtype)
    for sa, sb in [((6,), (6,)), ((2, 3), (3,)), ((), (4,))]:
        a = random_array(rng, sa, dtype)
        (ea, ta), (eb, tb) = pair(a), pair(operand_b(rng, sb, dtype, "div", "nonempty"))
        compare(lambda m, x, y: m.div(x, y, rounding_mode=mode), (ea, eb), (ta, tb), f"div({dtype}, {mode})")
        for s in (2, -3, 2.5, -0.5, True):
            compare(lambda m, x, s=s: m.div(x, s, rounding_mode=mode), (ea,), (ta,), f"div({dtype}, {s!r}, {mode})")


CLAMP_BOUNDS = [(-1, 1), (0.5, None), (None, -2), (2, 1), (-1.5, 2.5), (True, None), (math.nan, None)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_clamp_with_scalar_bounds(dtype: str) -> None:
    ea, ta = pair(random_array(rng_for("clamp", dtype), (3, 4), dtype))
    for lo, hi in CLAMP_BOUNDS:
        compare(lambda m, x, lo=lo, hi=hi: m.clamp(x, lo, hi), (ea,), (ta,), f"clamp({dtype}, {lo}, {hi})")


CLAMP_TENSOR_BUGS = {("bool",): "clamp(bool tensor, min=bool tensor) raises NotImplementedError; torch returns the bool result"}


@pytest.mark.parametrize("dtype", params([(d,) for d in DTYPES], CLAMP_TENSOR_BUGS))
def test_clamp_with_tensor_bounds(dtype: str) -> None:
    rng = rng_for("clamp_t", dtype)
    (ea, ta), (el, tl), (eh, th) = (pair(random_array(rng, s, dtype)) for s in ((3, 4), (4,), (3, 1)))
    compare(lambda m, x, lo: m.clamp(x, min=lo), (ea, el), (ta, tl), f"clamp({dtype}, min=tensor)")
    compare(lambda m, x, lo, hi: m.clamp(x, lo, hi), (ea, el, eh), (ta, tl, th), f"clamp({dtype}, tensors)")


@pytest.mark.parametrize("dtype", DTYPES)
def test_where(dtype: str) -> None:
    rng = rng_for("where", dtype)
    for sc, sa, sb in [((5,), (5,), (5,)), ((2, 3), (3,), ()), ((), (2,), (2, 1)), ((0, 2), (2,), (1,))]:
        (ec, tc), (ea, ta), (eb, tb) = pair(rng.random(sc) < 0.5), pair(random_array(rng, sa, dtype)), pair(
            random_array(rng, sb, dtype))
        compare(lambda m, c, x, y: m.where(c, x, y), (ec, ea, eb), (tc, ta, tb), f"where({dtype}{sa}, {dtype}{sb})")
        for s in (0, 1.5, True, 2j):
            compare(lambda m, c, x, s=s: m.where(c, x, s), (ec, ea), (tc, ta), f"where({dtype}, {s!r})")


# -- in-place ops ---------------------------------------------------------------------------------------

INPLACE_METHODS = ("add_", "sub_", "mul_", "div_", "pow_", "clamp_", "abs_", "neg_", "exp_", "sqrt_")
INPLACE_BUGS: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize(("op", "dtype"), params(itertools.product(INPLACE_METHODS, DTYPES), INPLACE_BUGS))
def test_inplace_method(op: str, dtype: str) -> None:
    rng = rng_for(op, dtype)
    a = random_array(rng, (2, 3), dtype)
    b = operand_b(rng, (3,), dtype, "div", "nonempty")
    (ea, ta), (eb, tb) = pair(a), pair(b)

    def run(m: Any, x: Any, y: Any) -> Any:
        x = x.clone()
        if op == "clamp_":
            r = x.clamp_(0, 1)
        elif op in ("abs_", "neg_", "exp_", "sqrt_"):
            r = getattr(x, op)()
        else:
            r = getattr(x, op)(y)
        assert r is x, f"{op} must return self"
        return x

    compare(run, (ea, eb), (ta, tb), f"{dtype}.{op}")


INPLACE_OPERATORS = ("__iadd__", "__isub__", "__imul__", "__itruediv__", "__ifloordiv__", "__imod__",
                     "__ipow__", "__iand__", "__ior__", "__ixor__")
INPLACE_OTHER = ("tensor", "int", "float")
INPLACE_OPERATOR_BUGS: dict[tuple[str, str, str], str] = {}


@pytest.mark.parametrize(
    ("op", "dtype", "other"),
    params(itertools.product(INPLACE_OPERATORS, DTYPES, INPLACE_OTHER), INPLACE_OPERATOR_BUGS),
)
def test_inplace_operator(op: str, dtype: str, other: str) -> None:
    rng = rng_for(op, dtype, other)
    (ea, ta) = pair(random_array(rng, (2, 3), dtype))
    (eb, tb) = pair(operand_b(rng, (3,), dtype, "div", "nonempty"))
    value = {"int": 2, "float": 1.5}.get(other)

    def run(m: Any, x: Any, y: Any) -> Any:
        x = x.clone()
        r = getattr(x, op)(y if value is None else value)
        assert r is x, f"{op} must return self"
        return x

    compare(run, (ea, eb), (ta, tb), f"{dtype} {op} {other}")
