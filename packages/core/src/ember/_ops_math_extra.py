"""``MathExtraMixin``: special functions and composite elementwise math.

erf/erfc/erfinv, exp2, fmod, lerp, nan_to_num, isclose/allclose/equal,
logaddexp/logaddexp2, hypot, copysign and xlogy. None of these is a backend
kernel: each is composed from required-tier kernels (the error functions in
``_special_functions``), after the same promotion and checks as ``_elementwise``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember import _special_functions as S
from ember._dtypes import dtype, result_type
from ember._elementwise import broadcast_for
from ember._inplace import inplace
from ember._special_cases import INT_MAX, INT_MIN, no_kernel, storable, tname, wrap_int
from ember._tensor_base import TensorBase, cast, device_error, like, to_scalar

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = []  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = (
    "erf", "erfc", "erfinv", "exp2", "fmod", "lerp", "nan_to_num", "isclose", "allclose", "equal",
    "logaddexp", "logaddexp2", "hypot", "copysign", "xlogy",
)

_LN2 = math.log(2.0)
_FLOAT_MAX = {
    D.float16: 65504.0, D.bfloat16: 3.3895313892515355e38, D.float32: 3.4028234663852886e38,
    D.float64: 1.7976931348623157e308,
}
# c10's type names, which lerp's dtype message uses.
_C_TYPE = {
    D.float16: "c10::Half", D.bfloat16: "c10::BFloat16", D.float32: "float", D.float64: "double",
    D.complex64: "c10::complex<float>", D.complex128: "c10::complex<double>", D.int64: "long int",
    D.int32: "int", D.int16: "short int", D.int8: "signed char", D.uint8: "unsigned char", D.bool_: "bool",
}


# -- helpers -----------------------------------------------------------------------------------

def _float_data(t: TensorBase, op: str) -> tuple[Any, dtype]:
    """``t``'s data as a floating array: bool and integers become the default float; complex is refused."""
    dt = t._dtype
    if dt.category == D.COMPLEX:
        raise no_kernel(op, dt)
    if dt.category < D.FLOATING:
        dt = D.get_default_dtype()
        return t._backend.astype(t._data, dt), dt
    return t._data, dt


def _special(t: TensorBase, fn: Any, op: str) -> Tensor:
    """An error function of ``t``, computed in float64 (where the backend has it) and rounded once."""
    x, dt = _float_data(t, op)
    bk = t._backend
    work = D.float64 if D.float64 in bk.dtypes else D.float32
    if dt is not work:
        x = bk.astype(x, work)
    out = fn(bk, x, work, t._device.index)
    return like(t, out if dt is work else bk.astype(out, dt), dt)


def _other_tensor(other: Any, op: str) -> TensorBase:
    if not isinstance(other, TensorBase):
        raise TypeError(f"{op}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    return other


def _operands(a: TensorBase, b: Any, op: str, *, float_result: bool = False) -> tuple[Any, Any, dtype]:
    """Both operands as native arrays of the promoted dtype (the default float for integer
    results when ``float_result``), after device and broadcast checks."""
    bk = a._backend
    if isinstance(b, TensorBase):
        if b._device is not a._device or b._backend is not bk:
            raise device_error(op, a, b)
        broadcast_for(op, tuple(a._data.shape), tuple(b._data.shape))
        dt = result_type(a, b)
        if float_result and dt.category < D.FLOATING:
            dt = D.get_default_dtype()
        return cast(a, dt), cast(b, dt), dt
    s = to_scalar(b)
    if s is None:
        raise TypeError(f"{op}(): argument 'other' must be Tensor or Number, not {type(b).__name__}")
    dt = result_type(a, s)
    if float_result and dt.category < D.FLOATING:
        dt = D.get_default_dtype()
    if type(s) is int and dt.category == D.INTEGRAL and not INT_MIN[dt] <= s <= INT_MAX[dt]:
        s = wrap_int(s, dt, op)  # as torch's C cast of the scalar
    return cast(a, dt), bk.full((), storable(s, dt, op), dt, a._device.index), dt


def _signbit(bk: Any, x: Any) -> Any:
    """Whether the sign bit of a real floating array is set (-0.0 included; NaN counts as positive)."""
    zero_negative = bk.logical_and(bk.equal(x, 0), bk.less(bk.divide(1.0, x), 0))
    return bk.logical_or(bk.less(x, 0), zero_negative)


def _check_tolerance(value: Any, name: str) -> float:
    if isinstance(value, bool) or to_scalar(value) is None or isinstance(to_scalar(value), complex):
        raise TypeError(f"isclose(): argument '{name}' must be float, not {type(value).__name__}")
    v = float(to_scalar(value))  # type: ignore[arg-type]  # a real number here
    if v < 0:
        raise RuntimeError(f"{name} must be greater than or equal to zero, but got {value}")
    return v


class MathExtraMixin(TensorBase):
    """Special functions and composite elementwise math as Tensor methods."""

    __slots__ = ()

    # -- error functions -------------------------------------------------------------------
    def erf(self) -> Tensor:
        """The error function (integer input gives the default float).

        >>> ember.tensor([0.0, 0.5]).erf()
        tensor([0.0000, 0.5205])
        """
        return _special(self, S.erf, "erf")

    def erfc(self) -> Tensor:
        """The complementary error function ``1 - erf(x)``, accurate where erf is close to 1."""
        return _special(self, S.erfc, "erfc")

    def erfinv(self) -> Tensor:
        """The inverse error function on [-1, 1] (+-inf at +-1, NaN outside)."""
        return _special(self, S.erfinv, "erfinv")

    def erf_(self) -> Tensor:
        """In-place :meth:`erf`."""
        return inplace(self, self.erf(), "erf_")

    def erfc_(self) -> Tensor:
        """In-place :meth:`erfc`."""
        return inplace(self, self.erfc(), "erfc_")

    def erfinv_(self) -> Tensor:
        """In-place :meth:`erfinv`."""
        return inplace(self, self.erfinv(), "erfinv_")

    # -- exp2, fmod ----------------------------------------------------------------------------
    def exp2(self) -> Tensor:
        """``2 ** self`` (integer input gives the default float).

        >>> ember.tensor([1, 3]).exp2()
        tensor([2., 8.])
        """
        dt = self._dtype if self._dtype.category >= D.FLOATING else D.get_default_dtype()
        bk = self._backend
        return like(self, bk.pow(bk.full((), 2, dt, self._device.index), cast(self, dt)), dt)

    def exp2_(self) -> Tensor:
        """In-place :meth:`exp2`."""
        return inplace(self, self.exp2(), "exp2_")

    def fmod(self, other: Any) -> Tensor:
        """C's remainder: ``self - trunc(self / other) * other``; the result has the dividend's sign.

        Integer division by zero raises, as in PyTorch (``remainder`` takes the divisor's sign).

        >>> ember.tensor([-7, 7]).fmod(3)
        tensor([-1,  1])
        """
        xa, xb, dt = _operands(self, other, "fmod")
        bk = self._backend
        if dt.category in (D.BOOL, D.COMPLEX):
            raise no_kernel("fmod", dt)
        if dt.category == D.INTEGRAL:
            if xa.size and xb.size and bk.item(bk.any(bk.equal(xb, 0), None, False)):
                raise RuntimeError("ZeroDivisionError")
            r = bk.remainder(xa, xb)
            # Python's modulus and C's differ by the divisor where the signs of the operands differ.
            fix = bk.logical_and(bk.not_equal(r, 0), bk.logical_xor(bk.less(xa, 0), bk.less(xb, 0)))
            return like(self, bk.where(fix, bk.subtract(r, xb), r), dt)
        # remainder of magnitudes is exact (no sign correction happens), then the dividend's sign
        r = bk.remainder(bk.abs(xa), bk.abs(xb))
        return like(self, bk.where(_signbit(bk, xa), bk.negative(r), r), dt)

    def fmod_(self, other: Any) -> Tensor:
        """In-place :meth:`fmod`."""
        return inplace(self, self.fmod(other), "fmod_")

    # -- lerp, nan_to_num ------------------------------------------------------------------------
    def lerp(self, end: Any, weight: Any) -> Tensor:
        """Linear interpolation ``self + weight * (end - self)`` (scalar or tensor ``weight``).

        Computed as PyTorch does, from the nearer end, so ``weight`` 0 gives ``self`` and 1 gives ``end``.

        >>> ember.tensor([0.0, 10.0]).lerp(ember.tensor([10.0, 20.0]), 0.5)
        tensor([ 5., 15.])
        """
        if not isinstance(end, TensorBase):
            raise TypeError(f"lerp(): argument 'end' (position 1) must be Tensor, not {type(end).__name__}")
        dt = self._dtype
        bk = self._backend
        shapes = [tuple(self._data.shape), tuple(end._data.shape)]
        for name, t in (("end", end), ("weight", weight)):
            if isinstance(t, TensorBase):
                if t._device is not self._device or t._backend is not bk:
                    raise device_error("lerp", self, t)
                if t._dtype is not dt:
                    raise RuntimeError(
                        f"expected dtype {_C_TYPE[dt]} for `{name}` but got dtype {_C_TYPE[t._dtype]}"
                    )
        w: Any
        if isinstance(weight, TensorBase):
            shapes.append(tuple(weight._data.shape))
            kernel = "lerp_kernel_tensor"
            w = weight._data
        else:
            s = to_scalar(weight)
            if s is None:
                raise TypeError(f"lerp(): argument 'weight' must be Tensor or Number, not {type(weight).__name__}")
            kernel = "lerp_kernel_scalar"
            w = s
        broadcast_for("lerp", *shapes)
        if dt.category < D.FLOATING:
            raise NotImplementedError(f'"{kernel}" not implemented for \'{tname(dt)}\'')
        if not isinstance(weight, TensorBase):
            w = bk.full((), storable(w, dt, "lerp"), dt, self._device.index)
        a, b = self._data, end._data
        diff = bk.subtract(b, a)
        near_start = bk.less(bk.abs(w), 0.5)
        from_start = bk.add(a, bk.multiply(w, diff))
        from_end = bk.subtract(b, bk.multiply(diff, bk.subtract(1, w)))
        return like(self, bk.where(near_start, from_start, from_end), dt)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        """In-place :meth:`lerp`."""
        return inplace(self, self.lerp(end, weight), "lerp_")

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
        """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default the dtype's
        largest and smallest finite values); integer and bool tensors are returned as a copy.

        >>> ember.tensor([float("nan"), float("inf"), 1.0]).nan_to_num(posinf=9.0)
        tensor([0., 9., 1.])
        """
        values = []
        for name, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
            if v is not None and (to_scalar(v) is None or isinstance(to_scalar(v), complex)):
                raise TypeError(f"nan_to_num(): argument '{name}' must be float, not {type(v).__name__}")
            values.append(None if v is None else float(to_scalar(v)))  # type: ignore[arg-type]
        dt = self._dtype
        bk = self._backend
        if dt.category < D.FLOATING:
            return like(self, bk.copy(self._data))
        if dt.category == D.COMPLEX:
            real_dt = dt.to_real()
            re, im = (bk.astype(_nan_to_num(bk, part, real_dt, values, self._device.index), dt)
                      for part in (bk.real(self._data), bk.imag(self._data)))
            return like(self, bk.add(re, bk.multiply(im, 1j)), dt)  # each part replaced on its own
        return like(self, _nan_to_num(bk, self._data, dt, values, self._device.index), dt)

    def nan_to_num_(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
        """In-place :meth:`nan_to_num`."""
        return inplace(self, self.nan_to_num(nan, posinf, neginf), "nan_to_num_")

    # -- closeness -----------------------------------------------------------------------------
    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
        """Elementwise ``|self - other| <= atol + rtol * |other|`` (equal infinities are close;
        NaNs only with ``equal_nan``). Both tensors must have one dtype.

        >>> ember.tensor([1.0, 2.0]).isclose(ember.tensor([1.0, 2.1]))
        tensor([ True, False])
        """
        other = _other_tensor(other, "isclose")
        if other._dtype is not self._dtype:
            raise RuntimeError(f"{tname(self._dtype)} did not match {tname(other._dtype)}")
        rtol_f = _check_tolerance(rtol, "rtol")
        atol_f = _check_tolerance(atol, "atol")
        if other._device is not self._device or other._backend is not self._backend:
            raise device_error("isclose", self, other)
        broadcast_for("isclose", tuple(self._data.shape), tuple(other._data.shape))
        bk = self._backend
        a, b = self._data, other._data
        close = bk.equal(a, b)
        floating = self._dtype.category >= D.FLOATING
        if equal_nan and floating:
            close = bk.logical_or(close, bk.logical_and(bk.isnan(a), bk.isnan(b)))
        if rtol_f == 0 and atol_f == 0:
            return like(self, close, D.bool_)
        if not floating:
            dt = D.get_default_dtype()
            a, b = bk.astype(a, dt), bk.astype(b, dt)
        diff = bk.abs(bk.subtract(a, b))
        allowed = bk.add(bk.abs(bk.multiply(b, rtol_f)), atol_f)
        within = bk.logical_and(bk.isfinite(diff), bk.less_equal(diff, allowed))
        return like(self, bk.logical_or(close, within), D.bool_)

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        """Whether every element is :meth:`isclose` to ``other`` (a Python bool)."""
        close = self.isclose(other, rtol, atol, equal_nan)
        return bool(close._backend.item(close._backend.all(close._data, None, False)))

    def equal(self, other: Any) -> bool:
        """Whether both tensors have one shape and equal elements (a Python bool; NaN is unequal).

        >>> ember.tensor([1, 2]).equal(ember.tensor([1.0, 2.0]))
        True
        """
        other = _other_tensor(other, "equal")
        if other._device is not self._device or other._backend is not self._backend:
            raise device_error("equal", self, other)
        if tuple(self._data.shape) != tuple(other._data.shape):
            return False
        dt = result_type(self, other)
        bk = self._backend
        return bool(bk.item(bk.all(bk.equal(cast(self, dt), cast(other, dt)), None, False)))

    # -- two-operand composites -------------------------------------------------------------------
    def logaddexp(self, other: Any) -> Tensor:
        """``log(exp(self) + exp(other))`` without overflow.

        >>> ember.tensor([0.0]).logaddexp(ember.tensor([0.0]))
        tensor([0.6931])
        """
        return _logaddexp(self, other, "logaddexp", base2=False)

    def logaddexp2(self, other: Any) -> Tensor:
        """``log2(2**self + 2**other)`` without overflow."""
        return _logaddexp(self, other, "logaddexp2", base2=True)

    def hypot(self, other: Any) -> Tensor:
        """``sqrt(self**2 + other**2)`` without overflow or underflow (floating tensors only)."""
        xa, xb, dt = _operands(self, _other_tensor(other, "hypot"), "hypot")
        if dt.category != D.FLOATING:
            raise no_kernel("hypot", dt)
        bk = self._backend
        a, b = bk.abs(xa), bk.abs(xb)
        big, small = bk.maximum(a, b), bk.minimum(a, b)
        ratio = bk.divide(small, bk.where(bk.equal(big, 0), bk.full((), 1, dt, self._device.index), big))
        r = bk.multiply(big, bk.sqrt(bk.add(bk.multiply(ratio, ratio), 1)))
        inf = bk.full((), math.inf, dt, self._device.index)
        return like(self, bk.where(bk.logical_or(bk.isinf(a), bk.isinf(b)), inf, r), dt)

    def hypot_(self, other: Any) -> Tensor:
        """In-place :meth:`hypot`."""
        return inplace(self, self.hypot(other), "hypot_")

    def copysign(self, other: Any) -> Tensor:
        """``|self|`` with the sign of ``other`` (-0.0 counts as negative); integers give floats."""
        xa, xb, dt = _operands(self, other, "copysign", float_result=True)
        if dt.category == D.COMPLEX:
            raise no_kernel("copysign", dt)
        bk = self._backend
        mag = bk.abs(xa)
        return like(self, bk.where(_signbit(bk, xb), bk.negative(mag), mag), dt)

    def copysign_(self, other: Any) -> Tensor:
        """In-place :meth:`copysign`."""
        return inplace(self, self.copysign(other), "copysign_")

    def xlogy(self, other: Any) -> Tensor:
        """``self * log(other)``, with 0 where ``self`` is 0 (unless ``other`` is NaN).

        >>> ember.tensor([0.0, 2.0]).xlogy(ember.tensor([0.0, 1.0]))
        tensor([0., 0.])
        """
        xa, xb, dt = _operands(self, other, "xlogy", float_result=True)
        if dt.category == D.COMPLEX:
            raise no_kernel("xlogy", dt)
        bk = self._backend
        index = self._device.index
        out = bk.where(bk.equal(xa, 0), bk.full((), 0, dt, index), bk.multiply(xa, bk.log(xb)))
        return like(self, bk.where(bk.isnan(xb), bk.full((), math.nan, dt, index), out), dt)

    def xlogy_(self, other: Any) -> Tensor:
        """In-place :meth:`xlogy`."""
        return inplace(self, self.xlogy(other), "xlogy_")


def _nan_to_num(bk: Any, x: Any, dt: dtype, values: list[float | None], index: int | None) -> Any:
    nan, posinf, neginf = values
    top = _FLOAT_MAX[dt]

    def const(v: float) -> Any:  # beyond the dtype's range it becomes infinity, as torch's cast does
        return bk.full((), v if abs(v) <= top or math.isnan(v) else math.copysign(math.inf, v), dt, index)

    out = bk.where(bk.isnan(x), const(nan), x)  # type: ignore[arg-type]  # nan is never None
    out = bk.where(bk.logical_and(bk.isinf(x), bk.greater(x, 0)), const(top if posinf is None else posinf), out)
    return bk.where(bk.logical_and(bk.isinf(x), bk.less(x, 0)), const(-top if neginf is None else neginf), out)


def _logaddexp(self: TensorBase, other: Any, op: str, base2: bool) -> Tensor:
    xa, xb, dt = _operands(self, _other_tensor(other, op), op)
    if dt.category < D.FLOATING:
        raise no_kernel(op, dt)
    bk = self._backend
    if dt.category == D.COMPLEX:
        first = bk.greater_equal(bk.real(xa), bk.real(xb))
    else:
        first = bk.greater_equal(xa, xb)
    big = bk.where(first, xa, xb)
    # exp of the smaller minus the larger is at most 1: nothing overflows
    d = bk.where(first, bk.subtract(xb, xa), bk.subtract(xa, xb))
    if base2:
        out = bk.add(big, bk.divide(bk.log1p(bk.pow(bk.full((), 2, dt, self._device.index), d)), _LN2))
    else:
        out = bk.add(big, bk.log1p(bk.exp(d)))
    if dt.category == D.FLOATING:
        # equal infinities: inf - inf is NaN above, but the answer is that infinity
        out = bk.where(bk.logical_and(bk.isinf(xa), bk.equal(xa, xb)), xa, out)
    return like(self, out, dt)
