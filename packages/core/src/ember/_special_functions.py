"""erf, erfc and erfinv on native floating arrays, composed from required-tier kernels.

The array API (and so the backend protocol) has no error function, so these are
written with elementwise kernels only: W. J. Cody's rational Chebyshev
approximations for erf/erfc ("Rational Chebyshev approximations for the error
function", Math. Comp. 1969; the coefficients of Netlib's CALERF), accurate to a
few float64 ulps, and for erfinv M. Giles' single-precision approximation refined
by Newton steps on erf (or on log erfc in the tails, where erf is flat).

Every branch is evaluated on inputs clipped into its own interval and the answer
picked with ``where``, so no branch sees values that would overflow, and NaN
propagates through all of them.
"""

from __future__ import annotations

import math
from typing import Any

from ember._dtypes import dtype

__all__ = ["erf", "erfc", "erfinv"]

_THRESH = 0.46875  # erf's small-argument interval ends here
_XBIG = 27.3  # erfc is below the smallest float64 subnormal beyond this
_SQRPI = 0.56418958354775628695  # 1 / sqrt(pi)
_TWO_OVER_SQRTPI = 1.1283791670955126

# erf on [0, 0.46875]: x * A(x^2) / B(x^2)
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
# erfc on [0.46875, 4]: exp(-x^2) * C(x) / D(x)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
# erfc beyond 4: exp(-x^2) / x * (1/sqrt(pi) - z P(z) / Q(z)), z = 1/x^2
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)

# Giles' erfinv, central (w < 5) and tail polynomials, highest degree first.
_GILES_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_GILES_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
               -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _ratio(bk: Any, z: Any, num: tuple[float, ...], den: tuple[float, ...], n: int) -> Any:
    """Cody's nested evaluation of ``num(z) / den(z)``: the last coefficient of ``num`` leads,
    ``den`` is monic, and both run over ``n`` inner steps."""
    xnum = bk.multiply(z, num[-1])
    xden = z
    for i in range(n):
        xnum = bk.multiply(bk.add(xnum, num[i]), z)
        xden = bk.multiply(bk.add(xden, den[i]), z)
    return bk.divide(bk.add(xnum, num[n]), bk.add(xden, den[n]))


def _erf_small(bk: Any, x: Any) -> Any:
    """erf(x) for |x| <= 0.46875 (odd, so -0.0 and the sign are kept)."""
    return bk.multiply(x, _ratio(bk, bk.multiply(x, x), _A, _B, 3))


def _times_exp_neg_square(bk: Any, r: Any, y: Any) -> Any:
    """r * exp(-y*y) without the rounding error of y*y: y is split into a 4-bit head and a tail.
    exp(-head^2) is applied as two halves so that only the final product can be subnormal."""
    head = bk.divide(bk.trunc(bk.multiply(y, 16.0)), 16.0)
    tail = bk.multiply(bk.subtract(y, head), bk.add(y, head))
    half = bk.exp(bk.multiply(bk.multiply(head, head), -0.5))
    return bk.multiply(bk.multiply(bk.multiply(r, bk.exp(bk.negative(tail))), half), half)


def _erfc_tail(bk: Any, y: Any, zero: Any) -> Any:
    """erfc(y) for y = |x| > 0.46875 (values below are computed at the threshold and discarded)."""
    mid = _ratio(bk, bk.clip(y, _THRESH, 4.0), _C, _D, 7)
    yb = bk.clip(y, 4.0, _XBIG)
    z = bk.divide(1.0, bk.multiply(yb, yb))
    big = bk.divide(bk.subtract(_SQRPI, bk.multiply(z, _ratio(bk, z, _P, _Q, 4))), yb)
    r = _times_exp_neg_square(bk, bk.where(bk.less_equal(y, 4.0), mid, big), bk.clip(y, 0.0, _XBIG))
    return bk.where(bk.greater_equal(y, _XBIG), zero, r)


def _consts(bk: Any, dt: dtype, index: int | None) -> tuple[Any, Any]:
    return bk.full((), 0.0, dt, index), bk.full((), 1.0, dt, index)


def erf(bk: Any, x: Any, dt: dtype, index: int | None) -> Any:
    """erf of a floating array of dtype ``dt`` (computed in ``dt``)."""
    zero, _ = _consts(bk, dt, index)
    y = bk.abs(x)
    small = _erf_small(bk, bk.clip(x, -_THRESH, _THRESH))
    big = bk.add(bk.subtract(0.5, _erfc_tail(bk, y, zero)), 0.5)
    big = bk.where(bk.less(x, 0.0), bk.negative(big), big)
    return bk.where(bk.less_equal(y, _THRESH), small, big)


def erfc(bk: Any, x: Any, dt: dtype, index: int | None) -> Any:
    """erfc of a floating array of dtype ``dt``; relative accuracy is kept deep in the right tail."""
    zero, _ = _consts(bk, dt, index)
    y = bk.abs(x)
    small = bk.subtract(1.0, _erf_small(bk, bk.clip(x, -_THRESH, _THRESH)))
    tail = _erfc_tail(bk, y, zero)
    big = bk.where(bk.less(x, 0.0), bk.subtract(2.0, tail), tail)
    return bk.where(bk.less_equal(y, _THRESH), small, big)


def _horner(bk: Any, w: Any, coeffs: tuple[float, ...]) -> Any:
    p = bk.add(bk.multiply(w, coeffs[0]), coeffs[1])
    for c in coeffs[2:]:
        p = bk.add(bk.multiply(p, w), c)
    return p


def erfinv(bk: Any, y: Any, dt: dtype, index: int | None) -> Any:
    """erfinv of a floating array of dtype ``dt``: +-inf at +-1, NaN outside [-1, 1], -0.0 kept."""
    _, one = _consts(bk, dt, index)
    a = bk.abs(y)
    ac = bk.clip(a, 0.0, 1.0)
    w = bk.negative(bk.log(bk.multiply(bk.subtract(1.0, ac), bk.add(ac, 1.0))))
    central = _horner(bk, bk.subtract(bk.clip(w, 0.0, 5.0), 2.5), _GILES_CENTRAL)
    tail = _horner(bk, bk.subtract(bk.sqrt(bk.clip(w, 5.0, 1e4)), 3.0), _GILES_TAIL)
    t = bk.clip(bk.multiply(bk.where(bk.less(w, 5.0), central, tail), ac), 0.0, 10.0)
    inner = bk.less_equal(ac, 0.5)
    c = bk.subtract(1.0, ac)  # exact for ac in [0.5, 1] (Sterbenz), where it is used
    log_c = bk.log(bk.where(inner, one, c))
    for _ in range(4):  # the deep tail (1 - a ~ 1e-16) needs four from the polynomial's start
        d = bk.multiply(bk.exp(bk.negative(bk.multiply(t, t))), _TWO_OVER_SQRTPI)
        # Newton on erf(t) = a near 0; on log erfc(t) = log(1 - a) in the tails, which is
        # nearly linear in t^2 and so converges from the rough start the polynomial gives.
        step_inner = bk.divide(bk.subtract(erf(bk, t, dt, index), ac), d)
        e = erfc(bk, t, dt, index)
        step_tail = bk.multiply(bk.subtract(log_c, bk.log(e)), bk.divide(e, d))
        t = bk.clip(bk.subtract(t, bk.where(inner, step_inner, step_tail)), 0.0, 10.0)
    inf = bk.full((), math.inf, dt, index)
    nan = bk.full((), math.nan, dt, index)
    t = bk.where(bk.equal(a, 1.0), inf, t)
    t = bk.where(bk.greater(a, 1.0), nan, bk.where(bk.isnan(a), nan, t))
    signed = bk.where(bk.less(y, 0.0), bk.negative(t), t)
    return bk.where(bk.equal(a, 0.0), y, signed)  # erfinv(+-0) is +-0
