"""Integer and bool special cases of the elementwise ops, and PyTorch's refusals.

NumPy answers many things PyTorch refuses (bool subtraction, integer division by
zero, complex floor division) and refuses one thing PyTorch answers (negative
integer powers). :func:`check_binary` runs before the backend kernel for the ops
in :data:`CHECKED_KERNELS`; the helpers here also build the errors the other op
modules raise, so each message is written once.
"""

from __future__ import annotations

import math
from typing import Any

from ember import _dtypes as D
from ember._dtypes import dtype
from ember._tensor_base import SCALAR_TYPES, TensorBase

__all__ = [
    "storable",
    "tname", "no_kernel", "bool_misuse", "INT_MIN", "INT_MAX", "wrap_int", "int_scalar",
    "CHECKED_KERNELS", "check_binary",
]


def tname(dt: dtype) -> str:
    """torch's ScalarType name, used in its casting errors (Float, Long, ...)."""
    return {
        "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
        "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
        "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
    }[dt.name]


def no_kernel(op: str, dt: dtype, hint: str = "") -> NotImplementedError:
    """PyTorch has no kernel for this op and dtype: NotImplementedError (a RuntimeError), as in torch.

    This is PyTorch's answer for a dtype an op does not support, not a missing feature.
    """
    return NotImplementedError(f"{op}(): not implemented for '{tname(dt)}'" + (f"; {hint}" if hint else ""))


def bool_misuse(op: str, both: bool = False) -> RuntimeError:
    if op == "sub" and both:
        return RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    if op == "sub":
        return RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return RuntimeError(
        "Negation, the `-` operator, on a bool tensor is not supported. "
        "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
    )


# -- Python ints outside an integer dtype's range --------------------------------------------

INT_MAX = {d: 2 ** (8 * d.itemsize - d.is_signed) - 1 for d in (D.uint8, D.int8, D.int16, D.int32, D.int64)}
INT_MIN = {d: -(2 ** (8 * d.itemsize - 1)) if d.is_signed else 0 for d in INT_MAX}


def wrap_int(value: int, dt: dtype, op: str) -> int:
    """A Python int outside ``dt``'s range, wrapped as a C cast would (PyTorch: uint8 + 300 == 44, u8 < -1)."""
    if not -(2**63) <= value < 2**64:
        raise OverflowError(f"{op}(): the Python number {value} is too large for any tensor dtype")
    bits = 8 * dt.itemsize
    wrapped = value % 2**bits
    return wrapped - 2**bits if dt.is_signed and wrapped >= 2 ** (bits - 1) else wrapped


def int_scalar(value: int, dt: dtype, op: str, kernel: str, truediv: bool, reflected: bool) -> int:
    """A Python int outside an integer tensor's range, handled as PyTorch does for this op."""
    if truediv:
        return value  # true division computes in floats, where the value fits
    if kernel == "pow" and not reflected:
        raise RuntimeError(f"{op}(): value cannot be converted to type {_C_NAMES[dt]} without overflow")
    return wrap_int(value, dt, op)


# -- checks before a binary kernel -------------------------------------------------------------

# Kernels that need a dtype check or a special case before the backend sees them.
_ORDERED = ("less", "less_equal", "greater", "greater_equal")
CHECKED_KERNELS = frozenset({
    "subtract", "floor_divide", "remainder", "pow", "maximum", "minimum", "atan2",
    "bitwise_left_shift", "bitwise_right_shift", *_ORDERED,
})


def check_binary(
    a: TensorBase, b: Any, xa: Any, xb: Any, common: dtype, kernel: str, op: str, reflected: bool
) -> Any:
    """PyTorch's refusals and integer special cases; a native result when the kernel is bypassed."""
    cat = common.category
    bk = a._backend
    if kernel == "subtract":
        a_bool = a._dtype is D.bool_
        b_bool = b._dtype is D.bool_ if isinstance(b, TensorBase) else isinstance(b, bool)
        if a_bool or b_bool:
            raise bool_misuse("sub", a_bool and b_bool)
    elif cat == D.COMPLEX:
        if kernel in ("maximum", "minimum"):
            raise RuntimeError(f"{op}(): {kernel} not implemented for complex tensors.")
        if kernel != "pow":
            raise no_kernel(op, common)
    elif cat == D.BOOL:
        if kernel in ("floor_divide", "remainder", "bitwise_left_shift", "bitwise_right_shift"):
            raise no_kernel(op, common)
        if kernel == "pow":
            if isinstance(b, TensorBase) or reflected:
                raise no_kernel(op, common)
            # x ** True is x, x ** False is all True (torch keeps bool for a bool exponent).
            return bk.copy(xa) if xb else bk.logical_or(xa, True)
    elif cat == D.INTEGRAL:
        if kernel in ("floor_divide", "remainder") and _nonempty(xa) and _nonempty(xb):
            _check_int_divisor(bk, xb)  # xb is the divisor (operands are already swapped); empty results skip
        elif kernel == "pow":
            if isinstance(xb, SCALAR_TYPES):
                if not reflected and type(xb) is int and xb < 0:
                    raise RuntimeError("Integers to negative integer powers are not allowed.")
            elif common.is_signed:
                return _int_pow(bk, xa, xb, common, a._device.index)
    return None


def _nonempty(x: Any) -> bool:
    """False for a native array with no elements (Python scalars count as one element)."""
    return isinstance(x, SCALAR_TYPES) or bool(x.size)


def _check_int_divisor(bk: Any, divisor: Any) -> None:
    """Integer division by zero is an error in PyTorch (NumPy would warn and return 0)."""
    if isinstance(divisor, SCALAR_TYPES):
        zero = divisor == 0
    else:
        zero = bk.item(bk.any(bk.equal(divisor, 0), None, False))
    if zero:
        raise RuntimeError("ZeroDivisionError")


def _int_pow(bk: Any, base: Any, exp: Any, dt: dtype, index: int | None) -> Any:
    """Integer ``base ** exp`` with PyTorch's answer for negative exponents (NumPy refuses them).

    A negative power of an integer truncates towards zero: 1 for base 1, +-1 for
    base -1 by the exponent's parity, and 0 otherwise (0 ** -1 included, as in torch).
    """
    negative = bk.less(exp, 0)
    if not bk.item(bk.any(negative, None, False)):
        return bk.pow(base, exp)
    one = bk.full((), 1, dt, index)
    zero = bk.full((), 0, dt, index)
    minus_one_power = bk.subtract(one, bk.multiply(bk.remainder(exp, 2), 2))  # 1 or -1
    tiny = bk.where(bk.equal(base, 1), one, bk.where(bk.equal(base, -1), minus_one_power, zero))
    return bk.where(negative, tiny, bk.pow(base, bk.maximum(exp, zero)))


# c10's names for element types in its overflow errors ("cannot be converted to type int").
_C_NAMES = {
    D.uint8: "uint8_t", D.int8: "int8_t", D.int16: "int16_t", D.int32: "int", D.int64: "int64_t",
    D.float16: "c10::Half", D.bfloat16: "c10::BFloat16", D.float32: "float", D.float64: "double",
}
_FLOAT_MAX = {D.float16: 65504.0, D.bfloat16: 3.3895313892515355e38, D.float32: 3.4028234663852886e38}


def storable(s: Any, dt: dtype, op: str, *, saturate_half: bool = False) -> Any:
    """Python scalar ``s`` as an element of ``dt``, by c10's overflow rule (NumPy would warn,
    wrap or raise its own error instead).

    Integers must fit ``dt``; an unsigned type also takes integers down to -max, which wrap
    (uint8 -1 is 255), but never negative floats. Floats are range-checked before they are
    truncated (127.5 does not fit int8). NaN, infinity and non-zero imaginary parts never
    become integers or reals, and a finite float beyond a float type's range is an error,
    except with ``saturate_half`` (indexed writes, ``x[i] = v``), where float16 rounds to
    its largest value or infinity, as PyTorch's indexing does.
    """
    if dt is D.bool_ or dt.category == D.COMPLEX:
        return s
    overflow = RuntimeError(f"value cannot be converted to type {_C_NAMES[dt]} without overflow")
    if isinstance(s, complex):
        if s.imag:
            raise overflow
        s = s.real
    if dt.category == D.INTEGRAL:
        hi = INT_MAX[dt]
        lo = INT_MIN[dt] if dt.is_signed else -hi  # unsigned also takes ints down to -max, which wrap
        if isinstance(s, float):
            # c10 compares with the limits as doubles (so 2.0**63 passes for int64, as in torch)
            if not math.isfinite(s) or not float(lo if dt.is_signed else 0) <= s <= float(hi):
                raise overflow
            s = int(s)  # truncates towards zero, like a C cast
            if s > hi:  # only 2.0**63 into int64 gets here: it wraps, as the C cast does in torch
                return lo
        if not lo <= s <= hi:
            raise overflow
        return s if dt.is_signed else s & hi
    limit = _FLOAT_MAX.get(dt)
    if limit is not None and math.isfinite(s) and abs(s) > limit:
        if dt is not D.float16 or not saturate_half:
            raise overflow
        # float16 rounds to nearest: up to 65519.99 lands on 65504, beyond on infinity.
        return math.copysign(math.inf, s) if abs(s) >= 65520.0 else math.copysign(limit, s)
    return s
