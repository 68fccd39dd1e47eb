"""erf/erfc/erfinv, exp2, fmod, lerp, nan_to_num, isclose/allclose/equal, logaddexp(2),
hypot, copysign, xlogy.

Values are compared with Python's math module (the error functions) and NumPy;
expected errors and sign conventions were captured from PyTorch 2.13.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP, SHAPES, raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
PROPERTY = settings(max_examples=40, deadline=None)
raises = partial(raises_exactly, numpy_phrases=("ufunc", "numpy", "casting rule"))
INF, NAN = math.inf, math.nan


def layouts(a: np.ndarray) -> list[tuple[np.ndarray, ember.Tensor]]:
    """``a``'s values as a contiguous, a transposed, a step-sliced and an expanded tensor
    (each paired with the NumPy array holding the same values)."""
    out = [(a, ember.tensor(a))]
    if a.ndim >= 2:  # a permuted view of the transposed copy holds a's values non-contiguously
        back = tuple(reversed(range(a.ndim)))
        out.append((a, ember.tensor(np.ascontiguousarray(a.transpose(back))).permute(*back)))
    if a.ndim:
        big = np.repeat(a, 2, axis=-1)
        out.append((a, ember.tensor(big)[..., ::2]))
        out.append((np.broadcast_to(a, (2, *a.shape)), ember.tensor(a).expand(2, *a.shape)))
    return out


def ulp_close(got: np.ndarray, want: np.ndarray, ulps: float) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    tol = ulps * np.spacing(np.abs(want)) + 1e-322  # subnormal results carry fewer bits
    bad = ~same & ~(np.abs(got - want) <= tol)
    assert not bad.any(), list(zip(got[bad][:5], want[bad][:5], strict=True))


# -- error functions ------------------------------------------------------------------------------

POINTS = np.concatenate([
    np.linspace(-30, 30, 20001), np.geomspace(1e-300, 30, 3000), -np.geomspace(1e-300, 30, 3000),
    [0.0, -0.0, 0.46875, -0.46875, 4.0, -4.0, 26.5, 27.3, 5e-324],
])


def test_erf_and_erfc_match_math_to_a_few_ulps() -> None:
    x = ember.tensor(POINTS, dtype=ember.float64)
    ulp_close(x.erf().numpy(), np.array([math.erf(v) for v in POINTS]), 4)
    ulp_close(x.erfc().numpy(), np.array([math.erfc(v) for v in POINTS]), 8)
    assert math.copysign(1, ember.tensor(-0.0, dtype=ember.float64).erf().item()) == -1


def test_erf_special_values() -> None:
    x = ember.tensor([INF, -INF, NAN], dtype=ember.float64)
    np.testing.assert_array_equal(x.erf().numpy(), [1.0, -1.0, NAN])
    np.testing.assert_array_equal(x.erfc().numpy(), [0.0, 2.0, NAN])


def test_erfinv_inverts_erf() -> None:
    y = np.concatenate([np.linspace(-1, 1, 20001)[1:-1], 1 - np.geomspace(1.2e-16, 0.5, 500),
                        -1 + np.geomspace(1.2e-16, 0.5, 500), np.geomspace(1e-300, 0.5, 500)])
    r = ember.tensor(y, dtype=ember.float64).erfinv().numpy()
    # erf has slope <= 2/sqrt(pi): the round trip lands within a few ulps of y (relative in the
    # tails, where 1 - |y| is what the inverse resolves)
    back = np.array([math.erf(v) for v in r])
    ulp_close(back, y, 8)
    tail = np.abs(y) > 0.5
    np.testing.assert_allclose(np.array([math.erfc(abs(v)) for v in r[tail]]), 1 - np.abs(y[tail]), rtol=1e-13)
    # known values
    np.testing.assert_allclose(ember.tensor([0.5, 0.9], dtype=ember.float64).erfinv().numpy(),
                               [0.4769362762044699, 1.1630871536766743], rtol=2e-16)


def test_erfinv_special_values() -> None:
    r = ember.tensor([1.0, -1.0, 1.5, -2.0, NAN, 0.0, -0.0]).erfinv().numpy()
    np.testing.assert_array_equal(r[:5], [INF, -INF, NAN, NAN, NAN])
    assert r[5] == 0 and math.copysign(1, r[6]) == -1


@pytest.mark.parametrize("dt", [ember.float16, ember.float32])
def test_error_functions_in_narrow_floats_round_the_float64_answer(dt: ember.dtype) -> None:
    y = np.linspace(-0.999, 0.999, 501)
    x = np.linspace(-5, 5, 501)
    for name, pts in (("erf", x), ("erfc", x), ("erfinv", y)):
        t = ember.tensor(pts, dtype=dt)
        got = getattr(t, name)()
        assert got.dtype is dt
        want = getattr(ember.tensor(t.numpy().astype(np.float64)), name)().numpy().astype(NP[dt])
        np.testing.assert_array_equal(got.numpy(), want)


def test_error_functions_dtypes_and_errors() -> None:
    assert ember.tensor([1, 2]).erf().dtype is ember.float32
    assert ember.tensor([True]).erfinv().dtype is ember.float32
    for name in ("erf", "erfc", "erfinv"):
        with raises(NotImplementedError, name, "ComplexFloat"):
            getattr(ember.tensor([1j]), name)()
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        ember.tensor([0, 1]).erfinv_()
    t = ember.tensor([0.5])
    assert t.erf_() is t and t.item() == pytest.approx(math.erf(0.5))
    out = ember.empty(1)
    assert ember.erfc(ember.tensor([0.5]), out=out) is out and out.item() == pytest.approx(math.erfc(0.5))


@PROPERTY
@given(hnp.arrays(np.float64, SHAPES, elements=st.floats(-6, 6)))
def test_error_functions_any_shape_and_layout(a: np.ndarray) -> None:
    for arr, t in layouts(a):
        ulp_close(t.erf().numpy(), np.vectorize(math.erf, otypes=[float])(arr), 4)
        ulp_close(t.erfc().numpy(), np.vectorize(math.erfc, otypes=[float])(arr), 8)
        y = np.tanh(arr)
        back = np.vectorize(math.erf, otypes=[float])(ember.tensor(y).erfinv().numpy())
        ulp_close(back, y, 8)


# -- exp2, fmod and the sign conventions of the division family -------------------------------------

def test_exp2() -> None:
    assert ember.tensor([1, 3]).exp2().tolist() == [2.0, 8.0]
    assert ember.tensor(3).exp2().dtype is ember.float32
    a = np.linspace(-10, 10, 41)
    np.testing.assert_allclose(ember.tensor(a).exp2().numpy(), np.exp2(a), rtol=1e-15)
    assert ember.tensor([1.5], dtype=ember.float16).exp2().dtype is ember.float16
    np.testing.assert_allclose(ember.tensor([1j]).exp2().numpy(), [2 ** 1j], rtol=1e-6)
    t = ember.tensor([2.0])
    assert t.exp2_() is t and t.item() == 4.0


SIGNS = ([-7, 7, -7, 7, 0, -6], [3, -3, -3, 3, 5, 3])


@pytest.mark.parametrize("dt", [ember.int8, ember.int32, ember.int64, ember.float32, ember.float64])
def test_division_family_sign_conventions(dt: ember.dtype) -> None:
    a, b = (ember.tensor(v, dtype=dt) for v in SIGNS)
    na, nb = (np.array(v, dtype=NP[dt]) for v in SIGNS)
    np.testing.assert_array_equal(a.fmod(b).numpy(), np.fmod(na, nb))  # dividend's sign
    np.testing.assert_array_equal(a.remainder(b).numpy(), np.remainder(na, nb))  # divisor's sign
    np.testing.assert_array_equal(a.floor_divide(b).numpy(), np.floor_divide(na, nb))
    assert a.fmod(b).tolist() == [-1, 1, -1, 1, 0, 0]
    assert a.remainder(b).tolist() == [2, -2, -1, 1, 0, 0]


def test_fmod_floats_are_exact() -> None:
    a = np.array([-1e-20, 1e300, -5.5, 5.5, -0.0, 7.0, INF, 5.0, -5.0, 3.0])
    b = np.array([1.0, 3.0, 2.0, -2.0, 3.0, 0.0, 2.0, INF, INF, NAN])
    got = ember.tensor(a).fmod(ember.tensor(b)).numpy()
    with np.errstate(all="ignore"):
        want = np.fmod(a, b)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def test_fmod_scalars_promotion_and_errors() -> None:
    assert ember.tensor([-7, 7]).fmod(2.5).tolist() == [-2.0, 2.0]
    assert ember.tensor([7], dtype=ember.uint8).fmod(3).dtype is ember.uint8
    assert ember.tensor([-128], dtype=ember.int8).fmod(-1).tolist() == [0]
    with raises(RuntimeError, "ZeroDivisionError"):
        ember.tensor([-7, 7]).fmod(ember.tensor([0, 1]))
    with raises(RuntimeError, "ZeroDivisionError"):
        ember.fmod(ember.tensor([1]), 0)
    assert ember.zeros(0, dtype=ember.int64).fmod(0).shape == (0,)
    np.testing.assert_array_equal(ember.tensor([-7.0, 7.0]).fmod(0).numpy(), [NAN, NAN])
    with raises(NotImplementedError, "fmod", "Bool"):
        ember.tensor([True]).fmod(ember.tensor([True]))
    with raises(NotImplementedError, "fmod", "ComplexFloat"):
        ember.tensor([1j]).fmod(2)
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        ember.tensor([5, 6]).fmod_(2.5)
    with raises(RuntimeError, "The size of tensor a (2) must match the size of tensor b (3)"):
        ember.tensor([1.0, 2.0]).fmod(ember.tensor([1.0, 2.0, 3.0]))


@PROPERTY
@given(st.sampled_from([ember.int16, ember.int64, ember.float32, ember.float64]), SHAPES, st.data())
def test_fmod_matches_numpy(dt: ember.dtype, shape: tuple[int, ...], data: st.DataObject) -> None:
    a = data.draw(hnp.arrays(NP[dt], shape, elements=st.integers(-50, 50)))
    b = data.draw(hnp.arrays(NP[dt], shape[-1:] if shape else (), elements=st.integers(-9, 9).filter(bool)))
    for arr, t in layouts(a):
        np.testing.assert_array_equal(t.fmod(ember.tensor(b)).numpy(), np.fmod(arr, b))


# -- lerp, nan_to_num --------------------------------------------------------------------------------

def _np_lerp(a: np.ndarray, b: np.ndarray, w: Any) -> np.ndarray:
    return np.where(np.abs(w) < 0.5, a + w * (b - a), b - (b - a) * (1 - w))


@PROPERTY
@given(SHAPES, st.data())
def test_lerp_matches_torch_formula(shape: tuple[int, ...], data: st.DataObject) -> None:
    floats = st.floats(-100, 100, width=32)
    a = data.draw(hnp.arrays(np.float32, shape, elements=floats))
    b = data.draw(hnp.arrays(np.float32, shape, elements=floats))
    w = data.draw(hnp.arrays(np.float32, shape, elements=st.floats(-1, 2, width=32)))
    for arr, t in layouts(a):
        end = np.broadcast_to(b, arr.shape)
        np.testing.assert_array_equal(t.lerp(ember.tensor(np.ascontiguousarray(end)), 0.25).numpy(),
                                      _np_lerp(arr, end, np.float32(0.25)))
    np.testing.assert_array_equal(ember.tensor(a).lerp(ember.tensor(b), ember.tensor(w)).numpy(), _np_lerp(a, b, w))


def test_lerp_endpoints_broadcasting_and_errors() -> None:
    a, b = ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])
    assert a.lerp(b, 0).tolist() == [1.0, 2.0] and a.lerp(b, 1).tolist() == [3.0, 4.0]
    assert a.lerp(b, 2).tolist() == [5.0, 6.0]
    assert ember.lerp(a, ember.tensor([[3.0], [4.0]]), 0.5).tolist() == [[2.0, 2.5], [2.5, 3.0]]
    assert ember.tensor([1j]).lerp(ember.tensor([2.0 + 0j]), 0.5).tolist() == [1 + 0.5j]
    with raises(RuntimeError, "output with shape [2] doesn't match the broadcast shape [2, 2]"):
        a.lerp_(ember.tensor([[3.0], [4.0]]), 0.5)
    with raises(NotImplementedError, '"lerp_kernel_scalar" not implemented for \'Long\''):
        ember.tensor([1, 2]).lerp(ember.tensor([3, 4]), 0.5)
    with raises(RuntimeError, "expected dtype float for `end` but got dtype double"):
        a.lerp(b.double(), 0.5)
    with raises(RuntimeError, "expected dtype float for `weight` but got dtype double"):
        a.lerp(b, ember.tensor([0.5], dtype=ember.float64))
    with raises(TypeError, "lerp()", "'end'", "float"):
        a.lerp(3.0, 0.5)
    c = a.clone()
    assert c.lerp_(b, 0.5) is c and c.tolist() == [2.0, 3.0]


def test_nan_to_num() -> None:
    x = ember.tensor([NAN, INF, -INF, 1.0])
    f32 = np.finfo(np.float32)
    assert x.nan_to_num().tolist() == [0.0, float(f32.max), float(f32.min), 1.0]
    assert x.nan_to_num(nan=1.0, posinf=2.0, neginf=-3.0).tolist() == [1.0, 2.0, -3.0, 1.0]
    assert ember.tensor([INF]).nan_to_num(posinf=1e300).tolist() == [INF]
    half = x.half().nan_to_num()
    assert half.dtype is ember.float16 and half.tolist() == [0.0, 65504.0, -65504.0, 1.0]
    assert ember.tensor([1, 2]).nan_to_num(nan=2.5).tolist() == [1, 2]
    z = ember.tensor([complex(NAN, INF)]).nan_to_num()
    assert z.tolist() == [complex(0, float(f32.max))]
    a = np.array([[NAN, 1.0], [INF, -INF]])
    for arr, t in layouts(a):
        np.testing.assert_array_equal(t.nan_to_num(posinf=9.0).numpy(), np.nan_to_num(arr, posinf=9.0))
    y = x.clone()
    assert y.nan_to_num_() is y and y.tolist()[0] == 0.0
    with raises(TypeError, "nan_to_num()", "'nan'"):
        x.nan_to_num(nan="a")


# -- closeness ----------------------------------------------------------------------------------------

@PROPERTY
@given(st.sampled_from([ember.float32, ember.float64, ember.int32]), SHAPES, st.data())
def test_isclose_matches_numpy(dt: ember.dtype, shape: tuple[int, ...], data: st.DataObject) -> None:
    if dt.is_floating_point:
        el: Any = st.sampled_from([0.0, 1.0, 1.000001, 1.1, -1.0, INF, -INF, NAN, 1e-9])
    else:
        el = st.integers(-3, 3)
    a = data.draw(hnp.arrays(NP[dt], shape, elements=el))
    b = data.draw(hnp.arrays(NP[dt], shape, elements=el))
    equal_nan = data.draw(st.booleans())
    for arr, t in layouts(a):
        other = np.ascontiguousarray(np.broadcast_to(b, arr.shape))
        got = t.isclose(ember.tensor(other), equal_nan=equal_nan)
        assert got.dtype is ember.bool
        np.testing.assert_array_equal(got.numpy(), np.isclose(arr, other, equal_nan=equal_nan))
    assert ember.allclose(ember.tensor(a), ember.tensor(b), equal_nan=equal_nan) == bool(
        np.allclose(a, b, equal_nan=equal_nan))


def test_isclose_tolerances_and_errors() -> None:
    assert ember.tensor([10]).isclose(ember.tensor([11]), rtol=0.1, atol=0).tolist() == [True]
    assert ember.tensor([True]).isclose(ember.tensor([True])).tolist() == [True]
    assert ember.tensor([1.0, 2.0]).isclose(ember.tensor([[1.0], [2.0]])).tolist() == [[True, False], [False, True]]
    assert ember.tensor([1 + 1j]).isclose(ember.tensor([1 + 1.000001j])).tolist() == [True]
    with raises(RuntimeError, "Long did not match Float"):
        ember.tensor([1, 2]).isclose(ember.tensor([1.0, 2.0]))
    with raises(TypeError, "isclose()", "'other'", "float"):
        ember.tensor([1.0]).isclose(1.0)
    with raises(RuntimeError, "rtol must be greater than or equal to zero, but got -1"):
        ember.tensor([1.0]).isclose(ember.tensor([1.0]), rtol=-1)
    with raises(RuntimeError, "atol must be greater than or equal to zero, but got -1"):
        ember.tensor([1.0]).isclose(ember.tensor([1.0]), atol=-1)
    with raises(TypeError, "isclose()", "'rtol'"):
        ember.tensor([1.0]).isclose(ember.tensor([1.0]), rtol="a")
    with raises(RuntimeError, "The size of tensor a (2) must match the size of tensor b (3)"):
        ember.allclose(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0, 3.0]))
    assert ember.allclose(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0000001])) is True


def test_equal() -> None:
    assert ember.equal(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0])) is True
    assert ember.tensor([1, 2]).equal(ember.tensor([1.0, 2.0])) is True
    assert ember.tensor([1, 2]).equal(ember.tensor([[1, 2]])) is False
    assert ember.tensor([NAN]).equal(ember.tensor([NAN])) is False
    assert ember.zeros(0).equal(ember.zeros(0)) is True
    t = ember.arange(6).reshape(2, 3)
    assert t.t().equal(ember.tensor(t.numpy().T.copy())) is True
    with raises(TypeError, "equal()", "'other'", "int"):
        ember.tensor([1]).equal(1)


# -- logaddexp, hypot, copysign, xlogy ---------------------------------------------------------------------

@PROPERTY
@given(SHAPES, st.data())
def test_binary_composites_match_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    el = st.one_of(st.floats(-800, 800), st.sampled_from([0.0, -0.0, INF, -INF, NAN, 1e-310]))
    a = data.draw(hnp.arrays(np.float64, shape, elements=el))
    b = data.draw(hnp.arrays(np.float64, shape, elements=el))
    for arr, t in layouts(a):
        other = np.ascontiguousarray(np.broadcast_to(b, arr.shape))
        o = ember.tensor(other)
        with np.errstate(all="ignore"):
            lae, lae2 = np.logaddexp(arr, other), np.logaddexp2(arr, other)
        np.testing.assert_allclose(t.logaddexp(o).numpy(), lae, rtol=1e-14)
        np.testing.assert_allclose(t.logaddexp2(o).numpy(), lae2, rtol=1e-14)
        np.testing.assert_allclose(t.hypot(o).numpy(), np.hypot(arr, other), rtol=1e-15, atol=2e-323)  # a few subnormal ulps
        got = t.copysign(o).numpy()
        want = np.copysign(arr, np.where(np.isnan(other), np.abs(other), other))  # NaN counts as positive
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
        with np.errstate(all="ignore"):
            xl = np.where(np.isnan(other), NAN, np.where(arr == 0, 0.0, arr * np.log(other)))
        np.testing.assert_array_equal(t.xlogy(o).numpy(), xl)


def test_binary_composites_dtypes_and_errors() -> None:
    one, two = ember.tensor([1.0]), ember.tensor([2.0])
    assert one.logaddexp(two).item() == pytest.approx(math.log(math.e + math.e**2))
    assert ember.tensor([1.0], dtype=ember.float64).logaddexp(ember.tensor([2])).dtype is ember.float64
    # log(e^1j + e^2j) = 1.5j + log(2 cos 0.5)
    assert ember.tensor([1j]).logaddexp(ember.tensor([2j])).tolist()[0] == pytest.approx(
        complex(math.log(2 * math.cos(0.5)), 1.5), rel=1e-6)
    assert ember.tensor([3.0]).hypot(ember.tensor([4.0])).tolist() == [5.0]
    big = ember.tensor([1e300], dtype=ember.float64)
    assert big.hypot(big).item() == pytest.approx(
        math.hypot(1e300, 1e300))
    assert ember.tensor([1, 2]).copysign(ember.tensor([-1, 1])).tolist() == [-1.0, 2.0]
    assert ember.tensor([1, 2]).copysign(-1).tolist() == [-1.0, -2.0]
    assert ember.tensor([0, 1]).xlogy(ember.tensor([0, 2])).dtype is ember.float32
    assert ember.tensor([0.0, 1.0]).xlogy(3).tolist()[1] == pytest.approx(math.log(3))
    for name in ("logaddexp", "logaddexp2", "hypot"):
        with raises(NotImplementedError, name, "Long"):
            getattr(ember.tensor([1]), name)(ember.tensor([2]))
        with raises(TypeError, f"{name}()", "'other'", "float"):
            getattr(one, name)(2.0)
    for name in ("copysign", "xlogy"):
        with raises(NotImplementedError, name, "ComplexFloat"):
            getattr(ember.tensor([1j]), name)(1.0)
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        ember.tensor([1]).copysign_(-1)
    t = ember.tensor([3.0])
    assert t.hypot_(ember.tensor([4.0])) is t and t.tolist() == [5.0]
    out = ember.empty(1)
    assert ember.xlogy(one, two, out=out) is out and out.item() == pytest.approx(math.log(2))
