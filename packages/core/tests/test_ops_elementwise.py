"""Elementwise arithmetic, comparisons, unary math and matrix products.

Property tests compare Ember with NumPy computing the same thing in the dtype
PyTorch would use (``ember.result_type``, itself pinned by test_promotion.py),
over random broadcastable shapes that include 0-d tensors and size-0 dims.
Expected error types and messages were captured from PyTorch 2.13.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP, raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

# A NumPy RuntimeWarning escaping an op (divide by zero, invalid value, ...) is a failure here.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

PROPERTY = settings(max_examples=60, deadline=None)

NUMPY_PHRASES = (
    "operands could not be broadcast", "ufunc", "numpy", "casting rule", "Python integer",
    "cannot reshape array", "axis",
)

raises = partial(raises_exactly, numpy_phrases=NUMPY_PHRASES)

INTS = [ember.uint8, ember.int8, ember.int32, ember.int64]
FLOATS = [ember.float32, ember.float64]


def elements(dt: ember.dtype) -> st.SearchStrategy[Any]:
    """Values that keep NumPy quiet (no overflow to inf) and include exact ties."""
    if dt is ember.bool:
        return st.booleans()
    if dt is ember.uint8:
        return st.integers(0, 20)
    if dt.is_floating_point:
        exact = st.integers(-16, 16).map(lambda v: v / 4)
        width = 32 if dt is not ember.float64 else 64
        # no magnitudes below 1e-3 but 0: dividing by them would overflow float32 (and warn in NumPy)
        return st.one_of(exact, st.floats(-100, 100, width=width).filter(lambda v: v == 0 or abs(v) >= 1e-3))
    return st.integers(-20, 20)


def arrays(dt: ember.dtype, shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(NP[dt], shape, elements=elements(dt))


def assert_matches(out: ember.Tensor, expected: np.ndarray, dt: ember.dtype) -> None:
    """``out`` has dtype ``dt``, the expected shape and values (floats to a few ulps)."""
    assert out.dtype is dt
    assert tuple(out.shape) == expected.shape
    got = out.numpy()
    assert got.dtype == NP[dt]
    with np.errstate(all="ignore"):  # the reference may overflow to inf in a narrower dtype, as torch does
        reference = expected.astype(NP[dt])
    if dt.is_floating_point or dt.is_complex:
        rtol = 1e-12 if dt in (ember.float64, ember.complex128) else 2e-6
        np.testing.assert_allclose(got, reference, rtol=rtol, atol=rtol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, reference)


BROADCAST_PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=3)


# -- binary ops ------------------------------------------------------------------------------
# name: (ember op, NumPy op, dtypes it takes, result kind); "div" gives floats, "pred" bools.

NUMERIC = [ember.bool, *INTS, *FLOATS]
BINARY: dict[str, tuple[Callable[..., Any], Callable[..., Any], list[ember.dtype], str]] = {
    "add": (operator.add, np.add, NUMERIC, "same"),
    "sub": (operator.sub, np.subtract, [*INTS, *FLOATS], "same"),
    "mul": (operator.mul, np.multiply, NUMERIC, "same"),
    "truediv": (operator.truediv, np.true_divide, [*INTS, *FLOATS], "div"),
    "floordiv": (operator.floordiv, np.floor_divide, [*INTS, *FLOATS], "same"),
    "mod": (operator.mod, np.remainder, [*INTS, *FLOATS], "same"),
    "maximum": (ember.maximum, np.maximum, NUMERIC, "same"),
    "minimum": (ember.minimum, np.minimum, NUMERIC, "same"),
    "eq": (operator.eq, np.equal, NUMERIC, "pred"),
    "ne": (operator.ne, np.not_equal, NUMERIC, "pred"),
    "lt": (operator.lt, np.less, NUMERIC, "pred"),
    "le": (operator.le, np.less_equal, NUMERIC, "pred"),
    "gt": (operator.gt, np.greater, NUMERIC, "pred"),
    "ge": (operator.ge, np.greater_equal, NUMERIC, "pred"),
    "logical_and": (ember.logical_and, np.logical_and, NUMERIC, "pred"),
    "logical_or": (ember.logical_or, np.logical_or, NUMERIC, "pred"),
    "logical_xor": (ember.logical_xor, np.logical_xor, NUMERIC, "pred"),
    "and": (operator.and_, np.bitwise_and, [ember.bool, *INTS], "same"),
    "or": (operator.or_, np.bitwise_or, [ember.bool, *INTS], "same"),
    "xor": (operator.xor, np.bitwise_xor, [ember.bool, *INTS], "same"),
    "atan2": (ember.atan2, np.arctan2, FLOATS, "div"),
}
DIVISIONS = {"truediv", "floordiv", "mod"}


@st.composite
def binary_case(draw: st.DrawFn) -> tuple[str, np.ndarray, np.ndarray]:
    name = draw(st.sampled_from(sorted(BINARY)))
    dtypes = BINARY[name][2]
    shapes = draw(BROADCAST_PAIRS).input_shapes
    a = draw(arrays(draw(st.sampled_from(dtypes)), shapes[0]))
    b = draw(arrays(draw(st.sampled_from(dtypes)), shapes[1]))
    if name in DIVISIONS:
        b = np.where(b == 0, np.ones_like(b), b)  # integer division by zero is an error; tested below
    return name, a, b


def expected_dtype(kind: str, common: ember.dtype) -> ember.dtype:
    if kind == "pred":
        return ember.bool
    if kind == "div" and not common.is_floating_point:
        return ember.get_default_dtype()
    return common


@PROPERTY
@given(binary_case())
def test_binary_ops_match_numpy(case: tuple[str, np.ndarray, np.ndarray]) -> None:
    name, a, b = case
    op, np_op, _, kind = BINARY[name]
    x, y = ember.tensor(a), ember.tensor(b)
    common = ember.result_type(x, y)
    compute = expected_dtype("div" if kind == "div" else "same", common)
    expected = np_op(a.astype(NP[compute]), b.astype(NP[compute]))
    assert_matches(op(x, y), expected, expected_dtype(kind, common))


SCALARS = st.one_of(st.integers(-5, 5), st.sampled_from([0.5, -2.25, 3.0, True, False]))


@PROPERTY
@given(
    st.sampled_from(["add", "sub", "mul", "truediv", "maximum", "eq", "lt", "ge"]),
    st.sampled_from([*INTS, *FLOATS]),
    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
    SCALARS,
    st.booleans(),
    st.data(),
)
def test_binary_ops_with_python_scalars(
    name: str, dt: ember.dtype, shape: tuple[int, ...], scalar: Any, reflected: bool, data: st.DataObject
) -> None:
    op, np_op, _, kind = BINARY[name]
    if name == "sub" and isinstance(scalar, bool):
        scalar = int(scalar)  # bool subtraction is refused; tested below
    a = data.draw(arrays(dt, shape))
    if name == "truediv":  # keep divisors non-zero (division by zero is tested on its own)
        if reflected:
            a = np.where(a == 0, np.ones_like(a), a)
        elif scalar == 0:
            scalar = 2
    if name == "maximum":
        x, y = ember.tensor(a), ember.tensor(scalar)  # maximum takes tensors only: a 0-d one
        out = ember.maximum(x, y) if not reflected else ember.maximum(y, x)
        common = ember.result_type(x, y)
        assert out.dtype is common
        np.testing.assert_array_equal(out.numpy(), np.maximum(a.astype(NP[common]), np.array(scalar).astype(NP[common])))
        return
    x = ember.tensor(a)
    common = ember.result_type(x, scalar)
    compute = expected_dtype("div" if kind == "div" else "same", common)
    s = np.array(scalar).astype(NP[compute])  # wraps like a C cast (uint8 - 1 == 255), as torch does
    expected = np_op(s, a.astype(NP[compute])) if reflected else np_op(a.astype(NP[compute]), s)
    out = op(scalar, x) if reflected else op(x, scalar)
    assert_matches(out, expected, expected_dtype(kind, common))


INPLACE: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "add_": (lambda x, y: x.add_(y), np.add), "sub_": (lambda x, y: x.sub_(y), np.subtract),
    "mul_": (lambda x, y: x.mul_(y), np.multiply), "div_": (lambda x, y: x.div_(y), np.true_divide),
    "+=": (operator.iadd, np.add), "-=": (operator.isub, np.subtract), "*=": (operator.imul, np.multiply),
    "/=": (operator.itruediv, np.true_divide),
}


@PROPERTY
@given(
    st.sampled_from(sorted(INPLACE)),
    st.sampled_from(FLOATS),
    st.data(),
)
def test_inplace_ops_match_numpy_and_write_in_place(name: str, dt: ember.dtype, data: st.DataObject) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
    other_shape = data.draw(
        hnp.broadcastable_shapes(shape, min_dims=0, max_dims=len(shape), min_side=0).filter(
            lambda s: ember.broadcast_shapes(shape, s) == shape  # a size-0 dim cannot grow a size-1 one
        )
    )
    a = data.draw(arrays(dt, shape))
    b = data.draw(arrays(data.draw(st.sampled_from([*INTS, *FLOATS])), other_shape))
    b = np.where(b == 0, np.ones_like(b), b)
    x, y = ember.tensor(a), ember.tensor(b)
    common = NP[ember.result_type(x, y)]  # computed in the promoted dtype, then stored as x's
    ptr, stride = x.data_ptr(), x.stride()
    inplace_op, np_op = INPLACE[name]
    assert inplace_op(x, y) is x
    assert x.data_ptr() == ptr and x.stride() == stride
    assert_matches(x, np_op(a.astype(common), b.astype(common)), dt)


def test_inplace_through_a_view_reaches_the_base() -> None:
    base = ember.zeros(3, 4)
    col = base[:, 1]
    col.add_(ember.tensor([1.0, 2.0, 3.0]))
    col *= 2
    row = base[2]
    row -= 1
    np.testing.assert_array_equal(
        base.numpy(), [[0, 2, 0, 0], [0, 4, 0, 0], [-1, 5, -1, -1]]
    )


def test_add_alpha_and_out() -> None:
    x = ember.tensor([1, 2])
    y = ember.tensor([10, 20])
    assert ember.add(x, y, alpha=2).tolist() == [21, 42]
    assert x.sub(y, alpha=3).tolist() == [-29, -58]
    assert ember.sub(x, 1, alpha=2).tolist() == [-1, 0]
    out = ember.empty(2, dtype=ember.int64)
    r = ember.add(x, y, alpha=2, out=out)
    assert r is out
    assert out.tolist() == [21, 42]
    resized = ember.empty(0)
    assert ember.mul(ember.ones(2, 3), 2.0, out=resized) is resized
    assert resized.shape == (2, 3)
    wrong = ember.zeros(5)
    with pytest.warns(UserWarning, match="was resized"):
        ember.add(ember.ones(2), 1.0, out=wrong)
    assert wrong.tolist() == [2.0, 2.0]
    fx = ember.tensor([1.0, 2.0])
    assert fx.add(fx, alpha=0.5).tolist() == [1.5, 3.0]
    y.add_(x, alpha=-1)
    assert y.tolist() == [9, 18]


def test_add_alpha_is_applied_in_the_result_dtype() -> None:
    # int8 * 3 would wrap; torch scales in the promoted dtype (int64)
    out = ember.tensor([0]).add(ember.tensor([100], dtype=ember.int8), alpha=3)
    assert out.dtype is ember.int64
    assert out.tolist() == [300]


def test_add_alpha_errors() -> None:
    i = ember.tensor([1, 2])
    with raises(RuntimeError, "For integral input tensors, argument alpha must not be a floating point number"):
        ember.add(i, i, alpha=1.5)
    with raises(TypeError, "alpha", "str"):
        ember.add(i, i, alpha="x")
    with raises(RuntimeError, "For integral input tensors, argument alpha must not be a floating point number"):
        i.add(2, alpha=1.5)
    with raises(RuntimeError, "For integral input tensors, argument alpha must not be a floating point number"):
        i.sub(i, alpha=1.0)
    with raises(RuntimeError, "Boolean alpha only supported for Boolean results"):
        i.add(i, alpha=True)
    b = ember.tensor([True, False])
    assert b.add(b, alpha=2).tolist() == [True, False] and b.add(b, alpha=2).dtype is ember.bool
    assert i.tolist() == [1, 2]


def test_reflected_operators() -> None:
    x = ember.tensor([1.0, 2.0, 4.0])
    assert (10 - x).tolist() == [9.0, 8.0, 6.0]
    assert (8 / x).tolist() == [8.0, 4.0, 2.0]
    assert (7 // x).tolist() == [7.0, 3.0, 1.0]
    assert (7 % x).tolist() == [0.0, 1.0, 3.0]
    assert (2**x).tolist() == [2.0, 4.0, 16.0]
    assert (3 * x).tolist() == [3.0, 6.0, 12.0]
    assert (1 + x).tolist() == [2.0, 3.0, 5.0]
    b = ember.tensor([True, False])
    assert (True & b).tolist() == [True, False]
    assert (False | b).tolist() == [True, False]
    assert (True ^ b).tolist() == [False, True]
    assert (-x).tolist() == [-1.0, -2.0, -4.0]
    assert (+x).tolist() == x.tolist() and (+x) is not x
    assert (~ember.tensor([0, 5], dtype=ember.int8)).tolist() == [-1, -6]
    assert (~b).tolist() == [False, True]
    assert (ember.tensor([1, 8]) << 2).tolist() == [4, 32]
    assert (ember.tensor([1, 8]) >> 2).tolist() == [0, 2]


def test_operators_with_non_numbers_follow_python() -> None:
    x = ember.ones(2)
    assert (x == None) is False  # noqa: E711  (torch answers False too)
    assert (x != "a") is True
    assert (x == [1, 1]) is False
    with raises(TypeError, "unsupported operand type(s) for +: 'Tensor' and 'str'"):
        x + "a"
    with raises(TypeError, "'<' not supported between instances of 'Tensor' and 'NoneType'"):
        x < None  # noqa: B015
    with raises(TypeError):
        "a" + x
    with raises(TypeError, "add()", "str"):
        ember.add(x, "a")
    with raises(TypeError, "maximum()", "'input'", "int"):
        ember.maximum(1, x)
    with raises(TypeError, "add()", "'input'", "int"):
        ember.add(1, 2)
    with raises(TypeError, "mul()", "list"):
        x.mul([1, 2])
    with raises(TypeError):
        x @ 2


# -- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("a", "b", "sa", "sb", "dim"),
    [
        ((2, 3), (2, 4), 3, 4, 1),
        ((3,), (4,), 3, 4, 0),
        ((2, 3, 1), (4, 2), 3, 4, 1),  # the dim of the broadcast result, as torch counts
        ((4, 2), (2, 3, 1), 4, 3, 1),
        ((2, 3), (4, 5), 3, 5, 1),  # the rightmost mismatch is reported
        ((5, 0), (3,), 0, 3, 1),
    ],
)
def test_broadcast_mismatch_message(a: tuple[int, ...], b: tuple[int, ...], sa: int, sb: int, dim: int) -> None:
    msg = f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at non-singleton dimension {dim}"
    x, y = ember.ones(a), ember.ones(b)
    for op in (operator.add, operator.mul, operator.lt, ember.maximum, ember.atan2, ember.logical_and):
        with raises(RuntimeError, msg):
            op(x, y)


def test_failed_inplace_ops_leave_the_target_unchanged() -> None:
    x = ember.tensor([1.0, 2.0, 3.0])
    with raises(RuntimeError, "output with shape [3] doesn't match the broadcast shape [2, 3]"):
        x.add_(ember.ones(2, 3))
    with raises(RuntimeError, "The size of tensor a (3) must match the size of tensor b (2)"):
        x.mul_(ember.ones(2))
    with raises(RuntimeError, "more than one element of the written-to tensor refers to a single memory location"):
        ember.ones(3).expand(2, 3).add_(1)
    with raises(RuntimeError, "result type ComplexFloat can't be cast"):
        x.add_(1j)
    assert x.tolist() == [1.0, 2.0, 3.0]
    i = ember.tensor([4, 5])
    with raises(RuntimeError, "ZeroDivisionError"):
        i.__ifloordiv__(ember.tensor([1, 0]))
    assert i.tolist() == [4, 5]


@pytest.mark.parametrize(
    "op",
    [lambda a, b: a // b, lambda a, b: a % b, lambda a, b: a.div(b, rounding_mode="floor"),
     lambda a, b: a.div(b, rounding_mode="trunc"), ember.floor_divide, ember.remainder],
)
@pytest.mark.parametrize("dt", [ember.uint8, ember.int32, ember.int64])
def test_integer_division_by_zero_raises(op: Any, dt: ember.dtype) -> None:
    x = ember.tensor([3, 4], dtype=dt)
    for divisor in (0, ember.tensor([1, 0], dtype=dt), ember.tensor(0, dtype=dt)):
        with raises(RuntimeError, "ZeroDivisionError"):
            op(x, divisor)


def test_integer_division_rounding_matches_torch() -> None:
    a = ember.tensor([7, -7, 7, -7, 0])
    b = ember.tensor([2, 2, -2, -2, 3])
    assert (a // b).tolist() == [3, -4, -4, 3, 0]
    assert (a % b).tolist() == [1, 1, -1, -1, 0]
    assert a.div(b, rounding_mode="trunc").tolist() == [3, -3, -3, 3, 0]
    assert a.div(b, rounding_mode="floor").tolist() == [3, -4, -4, 3, 0]
    assert a.div(-2, rounding_mode="trunc").tolist() == [-3, 3, -3, 3, 0]
    f = ember.tensor([7.0, -7.0])
    assert f.div(2, rounding_mode="trunc").tolist() == [3.0, -3.0]
    assert f.div(2, rounding_mode="floor").tolist() == [3.0, -4.0]
    with raises(RuntimeError, "rounding_mode", "'bad'"):
        a.div(b, rounding_mode="bad")


def test_integer_powers() -> None:
    base = ember.tensor([-2, -1, 0, 1, 2, 3])
    # torch's answers for negative integer exponents given as tensors
    assert (base ** ember.tensor(-1)).tolist() == [0, -1, 0, 1, 0, 0]
    assert (base ** ember.tensor(-2)).tolist() == [0, 1, 0, 1, 0, 0]
    assert (ember.tensor(2) ** ember.tensor([-1, -2, 0, 1])).tolist() == [0, 0, 1, 2]
    assert (ember.tensor([0, 1, -1]) ** ember.tensor([-3, -3, -3])).tolist() == [0, 1, -1]
    assert (2 ** ember.tensor([-1, 3])).tolist() == [0, 8]
    assert (base**2).tolist() == [4, 1, 0, 1, 4, 9]
    with raises(RuntimeError, "Integers to negative integer powers are not allowed."):
        base**-1
    b = ember.tensor([True, False])
    assert (b**True).tolist() == [True, False] and (b**True).dtype is ember.bool
    assert (b**False).tolist() == [True, True]
    assert (b**2).dtype is ember.int64


def test_bool_subtraction_and_negation_are_refused() -> None:
    b = ember.tensor([True, False])
    i = ember.tensor([1, 2])
    two = "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()`"
    one = "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask"
    for f in (lambda: b - b, lambda: b - True, lambda: False - b, lambda: b.sub(b), lambda: ember.sub(b, b)):
        with raises(RuntimeError, two):
            f()
    for f in (lambda: b - 1, lambda: i - b, lambda: i - True, lambda: 1 - b, lambda: i.sub(b, alpha=2),
              lambda: ember.ones(2) - ember.tensor(True)):
        with raises(RuntimeError, one):
            f()
    for f in (lambda: -b, lambda: b.neg(), lambda: ember.neg(b), lambda: b.neg_()):
        with raises(RuntimeError, "Negation, the `-` operator, on a bool tensor is not supported."):
            f()
    assert b.tolist() == [True, False]


@pytest.mark.parametrize(
    ("make", "exc", "fragment"),
    [
        (lambda: ember.tensor([1.5]) & ember.tensor([1.0]), NotImplementedError, "bitwise_and(): not implemented for 'Float'"),
        (lambda: ember.tensor([1]) | 1.5, NotImplementedError, "not implemented for 'Float'"),
        (lambda: ember.tensor([1.5]).bitwise_xor(ember.tensor([1])), NotImplementedError, "'Float'"),
        (lambda: ember.tensor([1j]) << ember.tensor([1j]), NotImplementedError, "'ComplexFloat'"),
        (lambda: ember.tensor([1.5]).bitwise_not(), NotImplementedError, "bitwise_not(): not implemented for 'Float'"),
        (lambda: ~ember.tensor([1.5]), TypeError, "~ (operator.invert) is only implemented on integer and Boolean-type"),
        (lambda: ember.tensor([True]) // ember.tensor([True]), NotImplementedError, "'Bool'"),
        (lambda: ember.tensor([True]) % True, NotImplementedError, "'Bool'"),
        (lambda: ember.tensor([True]) ** ember.tensor([True]), NotImplementedError, "'Bool'"),
        (lambda: ember.tensor([1j]) // 2, NotImplementedError, "floor_divide(): not implemented for 'ComplexFloat'"),
        (lambda: ember.tensor([1j]) % ember.tensor([1j]), NotImplementedError, "'ComplexFloat'"),
        (lambda: ember.tensor([1j]) < 1, NotImplementedError, "lt(): not implemented for 'ComplexFloat'"),
        (lambda: ember.tensor([1j], dtype=ember.complex128).ge(ember.tensor([1.0])), NotImplementedError, "'ComplexDouble'"),
        (lambda: ember.maximum(ember.tensor([1j]), ember.tensor([1j])), RuntimeError, "maximum not implemented for complex tensors."),
        (lambda: ember.minimum(ember.tensor([1.0]), ember.tensor([1j])), RuntimeError, "minimum not implemented for complex tensors."),
        (lambda: ember.atan2(ember.tensor([1j]), ember.tensor([1j])), NotImplementedError, "atan2(): not implemented"),
        (lambda: ember.tensor([True]).abs(), NotImplementedError, "abs(): not implemented for 'Bool'"),
        (lambda: ember.tensor([1j]).floor(), NotImplementedError, "floor(): not implemented for 'ComplexFloat'"),
        (lambda: ember.tensor([1j]).ceil(), NotImplementedError, "'ComplexFloat'"),
        (lambda: ember.tensor([1j]).trunc(), NotImplementedError, "'ComplexFloat'"),
        (lambda: ember.tensor([1j]).round(), NotImplementedError, "'ComplexFloat'"),
        (lambda: ember.tensor([1j]).sign(), NotImplementedError, "'ComplexFloat'"),
        (lambda: ember.tensor([True]).floor(), NotImplementedError, "floor(): not implemented for 'Bool'"),
        (lambda: ember.tensor([True]).round(), NotImplementedError, "'Bool'"),
        (lambda: ember.tensor([1, 2]).frac(), NotImplementedError, "frac(): not implemented for 'Long'"),
        (lambda: ember.tensor([1j]).clamp(0, 1), NotImplementedError, "clamp is not supported for complex types"),
        (lambda: ember.tensor([True]).clamp(False, True), NotImplementedError, "clamp(): not implemented for 'Bool'"),
        (lambda: ember.tensor([True]).relu(), RuntimeError, "Boolean inputs not supported for relu"),
        (lambda: ember.tensor([1j]).relu(), NotImplementedError, "clamp is not supported for complex types"),
        (lambda: ember.tensor([True]) @ ember.tensor([True]), NotImplementedError, "matmul(): not implemented for 'Bool'"),
    ],
)
def test_unsupported_dtypes_raise_like_torch(make: Any, exc: type[BaseException], fragment: str) -> None:
    with raises(exc, fragment):
        make()


def test_clamp() -> None:
    x = ember.tensor([-2.0, 0.5, 3.0, float("nan")])
    np.testing.assert_array_equal(x.clamp(-1, 1).numpy(), [-1.0, 0.5, 1.0, np.nan])
    np.testing.assert_array_equal(x.clamp(min=0).numpy(), [0.0, 0.5, 3.0, np.nan])
    np.testing.assert_array_equal(ember.clamp(x, max=ember.tensor(1.0)).numpy(), [-2.0, 0.5, 1.0, np.nan])
    assert ember.tensor([1.0, 5.0]).clamp(3, 2).tolist() == [2.0, 2.0]  # min > max gives max
    i = ember.tensor([-5, 5])
    assert i.clamp(-1, 1).dtype is ember.int64
    assert i.clamp(-1.5, 1).dtype is ember.float32
    assert i.clamp_(-1, 1) is i and i.tolist() == [-1, 1]
    with raises(RuntimeError, "At least one of 'min' or 'max' must not be None"):
        i.clamp()


# -- unary math ---------------------------------------------------------------------------------
# name: (NumPy reference, low, high) on the domain where both are finite.

UNARY: dict[str, tuple[Callable[..., Any], float, float]] = {
    "neg": (np.negative, -50, 50), "abs": (np.abs, -50, 50), "sign": (np.sign, -5, 5),
    "floor": (np.floor, -50, 50), "ceil": (np.ceil, -50, 50), "trunc": (np.trunc, -50, 50),
    "round": (np.round, -50, 50), "square": (np.square, -50, 50), "exp": (np.exp, -20, 20),
    "expm1": (np.expm1, -20, 20), "log": (np.log, 0.01, 100), "log1p": (np.log1p, -0.99, 100),
    "log2": (np.log2, 0.01, 100), "log10": (np.log10, 0.01, 100), "sqrt": (np.sqrt, 0, 100),
    "rsqrt": (lambda a: 1 / np.sqrt(a), 0.01, 100), "sin": (np.sin, -10, 10), "cos": (np.cos, -10, 10),
    "tan": (np.tan, -1.4, 1.4), "asin": (np.arcsin, -1, 1), "acos": (np.arccos, -1, 1),
    "atan": (np.arctan, -50, 50), "sinh": (np.sinh, -10, 10), "cosh": (np.cosh, -10, 10),
    "tanh": (np.tanh, -10, 10), "asinh": (np.arcsinh, -50, 50), "acosh": (np.arccosh, 1, 50),
    "atanh": (np.arctanh, -0.99, 0.99), "sigmoid": (lambda a: 1 / (1 + np.exp(-a)), -30, 30),
    "relu": (lambda a: np.maximum(a, 0), -5, 5), "reciprocal": (lambda a: 1 / a, 0.5, 50),
    "frac": (lambda a: a - np.trunc(a), -50, 50),
    "isnan": (np.isnan, -5, 5), "isinf": (np.isinf, -5, 5), "isfinite": (np.isfinite, -5, 5),
}
KEEPS_INTEGERS = {"neg", "abs", "sign", "floor", "ceil", "trunc", "round", "square", "relu"}
GIVES_BOOL = {"isnan", "isinf", "isfinite"}


@PROPERTY
@given(st.sampled_from(sorted(UNARY)), st.sampled_from(FLOATS), st.data())
def test_unary_float_ops_match_numpy(name: str, dt: ember.dtype, data: st.DataObject) -> None:
    np_fn, lo, hi = UNARY[name]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    width = 64 if dt is ember.float64 else 32
    lo, hi = (lo, hi) if width == 64 else (float(np.float32(lo)), float(np.float32(hi)))
    a = data.draw(hnp.arrays(NP[dt], shape, elements=st.floats(lo, hi, width=width)))
    out = getattr(ember.tensor(a), name)()
    expected = np_fn(a)
    assert_matches(out, expected, ember.bool if name in GIVES_BOOL else dt)
    assert_matches(getattr(ember, name)(ember.tensor(a)), expected, ember.bool if name in GIVES_BOOL else dt)


@PROPERTY
@given(st.sampled_from(sorted(set(UNARY) - {"frac"})), st.sampled_from([ember.int32, ember.int64, ember.uint8]), st.data())
def test_unary_ops_on_integers(name: str, dt: ember.dtype, data: st.DataObject) -> None:
    np_fn, lo, hi = UNARY[name]
    if dt is ember.uint8 and name in ("neg", "sign"):
        lo = 0
    ilo, ihi = int(np.ceil(lo)), int(np.floor(hi))
    if dt is ember.uint8:
        ilo = max(ilo, 0)
    if name == "reciprocal":
        ilo = 1
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4))
    a = data.draw(hnp.arrays(NP[dt], shape, elements=st.integers(ilo, ihi)))
    out = getattr(ember.tensor(a), name)()
    if name in GIVES_BOOL:
        assert_matches(out, np_fn(a), ember.bool)
    elif name in KEEPS_INTEGERS:
        assert_matches(out, np_fn(a) if name != "relu" else np.maximum(a, 0), dt)
    else:  # integers become the default float first
        assert_matches(out, np_fn(a.astype(np.float32)), ember.float32)


def test_round_is_half_to_even_with_decimals() -> None:
    x = ember.tensor([0.5, 1.5, 2.5, -0.5, -1.5])
    assert x.round().tolist() == [0.0, 2.0, 2.0, -0.0, -2.0]
    np.testing.assert_allclose(ember.tensor([1.2345, 12.5]).round(decimals=2).numpy(), [1.23, 12.5])


def test_sigmoid_is_stable_and_handles_complex() -> None:
    x = ember.tensor([-1000.0, 0.0, 1000.0])
    assert x.sigmoid().tolist() == [0.0, 0.5, 1.0]
    z = ember.tensor([1 + 2j, -0.5j])
    np.testing.assert_allclose(z.sigmoid().numpy(), 1 / (1 + np.exp(-np.array([1 + 2j, -0.5j]))), rtol=1e-6)


def test_complex_unary_math() -> None:
    a = np.array([1 + 2j, -0.5 + 0.25j], dtype=np.complex128)
    z = ember.tensor(a)
    for name, fn in [("exp", np.exp), ("log", np.log), ("sqrt", np.sqrt), ("sin", np.sin), ("tanh", np.tanh)]:
        assert_matches(getattr(z, name)(), fn(a), ember.complex128)
    assert_matches(z.abs(), np.abs(a), ember.float64)


def test_inplace_unary() -> None:
    x = ember.tensor([-1.0, 4.0])
    assert x.abs_() is x and x.tolist() == [1.0, 4.0]
    assert x.sqrt_() is x and x.tolist() == [1.0, 2.0]
    assert x.neg_() is x and x.tolist() == [-1.0, -2.0]
    i = ember.tensor([1, 4])
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        i.sqrt_()
    assert i.tolist() == [1, 4]


# -- matrix products ---------------------------------------------------------------------------

@st.composite
def matmul_shapes(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    n, k, m = draw(st.integers(0, 4)), draw(st.integers(0, 4)), draw(st.integers(0, 4))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, min_side=0, max_side=3))
    kind = draw(st.sampled_from(["1x1", "1x2", "2x1", "nd"]))
    if kind == "1x1":
        return (k,), (k,)
    if kind == "1x2":
        return (k,), (*batch.input_shapes[1], k, m)
    if kind == "2x1":
        return (*batch.input_shapes[0], n, k), (k,)
    return (*batch.input_shapes[0], n, k), (*batch.input_shapes[1], k, m)


@PROPERTY
@given(matmul_shapes(), st.sampled_from([ember.float64, ember.float32, ember.int64]), st.data())
def test_matmul_matches_numpy(shapes: tuple[tuple[int, ...], tuple[int, ...]], dt: ember.dtype, data: st.DataObject) -> None:
    a = data.draw(hnp.arrays(NP[dt], shapes[0], elements=st.integers(-5, 5)))
    b = data.draw(hnp.arrays(NP[dt], shapes[1], elements=st.integers(-5, 5)))
    x, y = ember.tensor(a), ember.tensor(b)
    expected = np.matmul(a, b)
    assert_matches(x @ y, np.asarray(expected), dt)
    assert_matches(ember.matmul(x, y), np.asarray(expected), dt)
    if len(shapes[0]) == 2 and len(shapes[1]) == 2:
        assert_matches(ember.mm(x, y), expected, dt)
        assert_matches(x.mm(y), expected, dt)
    if len(shapes[0]) == 3 and len(shapes[1]) == 3 and shapes[0][0] == shapes[1][0]:
        assert_matches(ember.bmm(x, y), expected, dt)


@pytest.mark.parametrize(
    ("a", "b", "exc", "fragment"),
    [
        ((2, 3), (2, 3), RuntimeError, "matmul(): mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
        ((3,), (4, 2), RuntimeError, "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x2)"),
        ((2, 2, 3), (3, 3, 2), RuntimeError, "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
        ((), (2,), RuntimeError, "both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
        ((3,), (4,), RuntimeError, "(1x3 and 4x1)"),
        ((2, 3), (4,), RuntimeError, "(2x3 and 4x1)"),
    ],
)
def test_matmul_shape_errors(a: tuple[int, ...], b: tuple[int, ...], exc: type[BaseException], fragment: str) -> None:
    with raises(exc, fragment):
        ember.ones(a) @ ember.ones(b)


def test_mm_bmm_errors() -> None:
    with raises(RuntimeError, "mm(): mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"):
        ember.mm(ember.ones(2, 3), ember.ones(2, 3))
    with raises(RuntimeError, "mm(): self must be a matrix"):
        ember.mm(ember.ones(1, 2, 3), ember.ones(3, 2))
    with raises(RuntimeError, "mm(): mat2 must be a matrix"):
        ember.ones(2, 3).mm(ember.ones(3))
    with raises(TypeError, "mm(): argument 'mat2' must be Tensor, not int"):
        ember.mm(ember.ones(2, 2), 2)
    with raises(RuntimeError, "bmm(): batch1 and batch2 must be 3D tensors"):
        ember.bmm(ember.ones(2, 3), ember.ones(3, 2))
    with raises(RuntimeError, "bmm(): batch1 and batch2 must have the same batch size, got 2 and 3"):
        ember.bmm(ember.ones(2, 2, 3), ember.ones(3, 3, 2))
    with raises(RuntimeError, "expected m1 and m2 to have the same dtype, but got: ember.float32 != ember.int64"):
        ember.ones(2, 2) @ ember.ones(2, 2, dtype=ember.int64)
    with raises(TypeError, "matmul(): argument 'other' must be Tensor, not list"):
        ember.matmul(ember.ones(2), [1.0, 2.0])


# -- where, broadcast_shapes ----------------------------------------------------------------------

@PROPERTY
@given(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, min_side=0, max_side=3), st.data())
def test_where_matches_numpy(shapes: Any, data: st.DataObject) -> None:
    c = data.draw(hnp.arrays(np.bool_, shapes.input_shapes[0]))
    a = data.draw(arrays(ember.float32, shapes.input_shapes[1]))
    b = data.draw(arrays(ember.int64, shapes.input_shapes[2]))
    out = ember.where(ember.tensor(c), ember.tensor(a), ember.tensor(b))
    dt = ember.result_type(ember.tensor(a), ember.tensor(b))
    assert_matches(out, np.where(c, a.astype(NP[dt]), b.astype(NP[dt])), dt)
    assert_matches(ember.tensor(a).where(ember.tensor(c), ember.tensor(b)), np.where(c, a.astype(NP[dt]), b.astype(NP[dt])), dt)
    assert ember.broadcast_shapes(*shapes.input_shapes) == shapes.result_shape


def test_where_errors() -> None:
    with raises(RuntimeError, "where(): expected condition to be a boolean tensor, but got a tensor with dtype Long"):
        ember.where(ember.tensor([1, 0]), 1.0, 0.0)
    with raises(RuntimeError, "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"):
        ember.where(ember.ones(2, dtype=ember.bool), ember.ones(3), 0.0)
    with raises(TypeError, "where(): argument 'condition' must be Tensor"):
        ember.where([True], 1.0, 0.0)


def test_broadcast_shapes() -> None:
    assert ember.broadcast_shapes((2, 1), (1, 3)) == (2, 3)
    assert ember.broadcast_shapes((5, 1, 0), (4, 1)) == (5, 4, 0)
    assert ember.broadcast_shapes() == ()
    with raises(RuntimeError, "The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1"):
        ember.broadcast_shapes((2, 3), (4, 5))
    with raises(ValueError, "negative size -1"):
        ember.broadcast_shapes((2, -1))


def test_out_of_range_python_ints_follow_torch() -> None:
    u = ember.tensor([0, 200], dtype=ember.uint8)
    # like a C cast: -1 is 255 for uint8, 200 is -56 for int8 (torch compares after the cast too)
    assert (u < -1).tolist() == [True, True]
    assert (u == -1).tolist() == [False, False]
    assert u.eq(-56).tolist() == [False, True]
    assert (ember.tensor([0], dtype=ember.int8) < 200).tolist() == [False]
    assert (u + 300).tolist() == [44, 244]
    assert (300 - u).tolist() == [44, 100]
    assert (u // -1).tolist() == [0, 0]
    assert ember.tensor([1], dtype=ember.uint8).div(-1, rounding_mode="trunc").tolist() == [0]
    # true division computes in floats, where -1 is just -1
    out = u / -1
    assert out.dtype is ember.float32 and out.tolist() == [-0.0, -200.0]
    with raises(RuntimeError, "value cannot be converted to type uint8_t without overflow"):
        ember.tensor([3], dtype=ember.uint8) ** 300
    with raises(RuntimeError, "Integers to negative integer powers are not allowed."):
        ember.tensor([True]) ** -2
    with raises(OverflowError, "add()", "too large"):
        ember.zeros(1, dtype=ember.int64) + 2**64


def test_shifts() -> None:
    x = ember.tensor([1, 2, 8], dtype=ember.int16)
    assert (x << 2).tolist() == [4, 8, 32]
    assert (300 >> x).tolist() == [150, 75, 1]
    assert (1 << x).tolist() == [2, 4, 256]
    assert ember.bitwise_left_shift(x, ember.tensor(1)).tolist() == [2, 4, 16]
    with raises(NotImplementedError, "bitwise_left_shift(): not implemented for 'Bool'"):
        ember.tensor([True]) << ember.tensor([True])
    with raises(NotImplementedError, "'Float'"):
        ember.tensor([1.0]) >> 1


def test_where_and_clamp_check_python_numbers() -> None:
    c = ember.tensor([True, False])
    u8 = ember.tensor([1, 2], dtype=ember.uint8)
    with raises(RuntimeError, "value cannot be converted to type uint8_t without overflow"):
        ember.where(c, u8, 300)
    with raises(RuntimeError, "value cannot be converted to type uint8_t without overflow"):
        u8.clamp(0, 300)
    assert ember.where(c, ember.tensor([1, 2], dtype=ember.int8), -1).tolist() == [1, -1]
    assert u8.clamp(-5, 1).tolist() == [1, 1]  # -5 wraps to 251 > max: max wins, as in torch
    with raises(TypeError, "clamp(): argument 'min' must be Tensor or Number, not str"):
        u8.clamp("a")
    with raises(TypeError, "where(): argument 'other' must be Tensor or Number, not str"):
        ember.where(c, u8, "a")
    assert ember.where(c, np.float64(1.5), 0).tolist() == [1.5, 0.0]


def test_float_edge_cases_are_silent_like_torch() -> None:
    import warnings

    x = ember.tensor([1.0, -1.0, 0.0])  # loads the backend first, so its import cannot reset filters below
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = x / 0
        logs = ember.tensor([-1.0, 0.0]).log()
        roots = ember.tensor([-4.0]).sqrt()
    np.testing.assert_array_equal(out.numpy(), [np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(logs.numpy(), [np.nan, -np.inf])
    assert np.isnan(roots.item())


@pytest.mark.parametrize(
    ("name", "number", "kwargs", "data", "expected", "dtype"),
    [  # torch.<name>(number, tensor) answers, printed by torch
        ("add", 2, {}, [1, 2, -3], [3, 4, -1], ember.int64),
        ("sub", 1, {"alpha": 2}, [1.0, 2.0, -3.0], [-1.0, -3.0, 7.0], ember.float32),
        ("mul", 2.5, {}, [1, 2, -3], [2.5, 5.0, -7.5], ember.float32),
        ("div", 6, {}, [1, 2, -3], [6.0, 3.0, -2.0], ember.float32),
        ("div", 7, {"rounding_mode": "floor"}, [2, 3, -3], [3, 2, -3], ember.int64),
        ("div", 7, {"rounding_mode": "trunc"}, [2, 3, -3], [3, 2, -2], ember.int64),
        ("floor_divide", 7, {}, [2, 3, -3], [3, 2, -3], ember.int64),
        ("remainder", 7, {}, [2, 3, -3], [1, 1, -2], ember.int64),
        ("pow", 2, {}, [0, 3, -1], [1, 8, 0], ember.int64),
        ("bitwise_and", 6, {}, [3, 5, 12], [2, 4, 4], ember.int64),
    ],
)
def test_arithmetic_functions_take_a_number_as_input(
    name: str, number: Any, kwargs: dict[str, Any], data: list[Any], expected: list[Any], dtype: ember.dtype
) -> None:
    out = getattr(ember, name)(number, ember.tensor(data), **kwargs)
    assert out.dtype is dtype
    assert out.tolist() == expected
