"""Elementwise math, comparisons and matrix products.

Every binary op goes through :func:`binary` and every unary op through
:func:`unary`; the tables below say which backend kernel each op uses and how
its result dtype follows from its inputs (PyTorch's rules).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._dtypes import dtype, result_type
from ember._ops_index import storable
from ember._tensor_base import (
    SCALAR_TYPES,
    TensorBase,
    bump_version,
    cast,
    check_writable,
    device_error,
    like,
    to_scalar,
)

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__ = ["MathMixin", "binary", "unary", "broadcast_shapes", "where", "write_out"]

# Result-dtype kinds of binary ops.
SAME = 0      # the promoted dtype (add, mul, ...)
PRED = 1      # bool (comparisons, logical ops)
TRUEDIV = 2   # the promoted dtype, or the default float for integer inputs
INTEGRAL = 3  # bitwise ops: integer or bool inputs only


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast shape, with PyTorch's error when sizes disagree.

    Dims are compared from the right, as PyTorch does, and a mismatch names the
    dim of the broadcast result (``a`` is the shapes before, ``b`` the offender).

    >>> ember.broadcast_shapes((2, 1), (1, 3))
    ember.Size([2, 3])
    """
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for shape in shapes:
        for j in range(ndim - 1, ndim - len(shape) - 1, -1):
            n = shape[j - ndim + len(shape)]
            if n < 0:
                raise ValueError(f"broadcast_shapes(): negative size {n} in shape {tuple(shape)}")
            if out[j] == 1:
                out[j] = n
            elif n != 1 and n != out[j]:
                raise RuntimeError(
                    f"The size of tensor a ({out[j]}) must match the size of tensor b ({n}) at "
                    f"non-singleton dimension {j}"
                )
    return tuple(out)


def _bool_misuse(op: str, both: bool = False) -> RuntimeError:
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


def _no_kernel(op: str, dt: dtype) -> NotImplementedError:
    """PyTorch has no kernel for this op and dtype: NotImplementedError (a RuntimeError), as in torch."""
    return NotImplementedError(f"{op}(): not implemented for '{_tname(dt)}'")


_SCALAR_CATEGORY = {bool: D.BOOL, int: D.INTEGRAL, float: D.FLOATING, complex: D.COMPLEX}


def binary(a: TensorBase, b: Any, kernel: str, op: str, kind: int = SAME, reflected: bool = False) -> Tensor:
    """Apply a binary kernel with PyTorch's promotion; ``b`` may be a tensor or a scalar."""
    bk = a._backend
    s: Any = None
    if isinstance(b, TensorBase):
        if b._device is not a._device or b._backend is not bk:
            raise device_error(op, a, b) if not reflected else device_error(op, b, a)
        if a._dtype is b._dtype:
            common = a._dtype
            xa, xb = a._data, b._data
        else:
            common = result_type(a, b)
            if kind == TRUEDIV and common.category < D.FLOATING:
                # straight to floats: int8(-1) / uint8(1) is -1.0, not 255.0 via uint8
                common = D.get_default_dtype()
            xa, xb = cast(a, common), cast(b, common)
    elif _SCALAR_CATEGORY.get(type(b), 9) <= a._dtype.category:
        # A Python scalar of the tensor's category or lower never changes its dtype.
        common = a._dtype
        xa = a._data
        xb = s = b
        if type(b) is int and common.category == D.INTEGRAL and not _INT_MIN[common] <= b <= _INT_MAX[common]:
            xb = s = _int_scalar(b, common, op, kernel, kind, reflected)
    else:
        s = to_scalar(b)
        if s is None:
            raise TypeError(
                f"{op}(): expected other to be a Tensor or a Python number, got {type(b).__name__}"
            )
        common = result_type(a, s)
        if type(s) is int and common.category == D.INTEGRAL and not _INT_MIN[common] <= s <= _INT_MAX[common]:
            s = _int_scalar(s, common, op, kernel, kind, reflected)
        xa, xb = cast(a, common), s
    if kind == TRUEDIV:
        if common.category < D.FLOATING:
            common = D.get_default_dtype()
            xa = bk.astype(xa, common) if not isinstance(xa, SCALAR_TYPES) else xa
            xb = bk.astype(xb, common) if not isinstance(xb, SCALAR_TYPES) else xb
    elif kind == INTEGRAL and common.category > D.INTEGRAL:
        raise _no_kernel(op, common)
    if reflected:
        xa, xb = xb, xa
    if kernel in _CHECKED_KERNELS:
        special = _check_binary(a, b, xa, xb, common, kernel, op, reflected)
        if special is not None:
            return like(a, special, D.bool_ if kind == PRED else common)
    fn = getattr(bk, kernel)
    try:
        out = fn(xa, xb)
    except (ValueError, TypeError) as exc:
        shapes = [tuple(a._data.shape)]
        if isinstance(b, TensorBase):
            shapes.append(tuple(b._data.shape))
        broadcast_shapes(*(shapes[::-1] if reflected else shapes))
        raise _no_kernel(op, common) from exc
    return like(a, out, D.bool_ if kind == PRED else common)


_INT_MAX = {d: 2 ** (8 * d.itemsize - d.is_signed) - 1 for d in (D.uint8, D.int8, D.int16, D.int32, D.int64)}
_INT_MIN = {d: -(2 ** (8 * d.itemsize - 1)) if d.is_signed else 0 for d in _INT_MAX}


def _wrap_int(value: int, dt: dtype, op: str) -> int:
    """A Python int outside ``dt``'s range, wrapped as a C cast would (PyTorch: uint8 + 300 == 44, u8 < -1)."""
    if not -(2**63) <= value < 2**64:
        raise OverflowError(f"{op}(): the Python number {value} is too large for any tensor dtype")
    bits = 8 * dt.itemsize
    wrapped = value % 2**bits
    return wrapped - 2**bits if dt.is_signed and wrapped >= 2 ** (bits - 1) else wrapped


def _int_scalar(value: int, dt: dtype, op: str, kernel: str, kind: int, reflected: bool) -> int:
    """A Python int outside an integer tensor's range, handled as PyTorch does for this op."""
    if kind == TRUEDIV:
        return value  # true division computes in floats, where the value fits
    if kernel == "pow" and not reflected:
        raise RuntimeError(f"value cannot be converted to type {dt.name}_t without overflow")
    return _wrap_int(value, dt, op)


# Kernels that need a dtype check or a special case before the backend sees them.
_ORDERED = ("less", "less_equal", "greater", "greater_equal")
_CHECKED_KERNELS = frozenset({
    "subtract", "floor_divide", "remainder", "pow", "maximum", "minimum", "atan2",
    "bitwise_left_shift", "bitwise_right_shift", *_ORDERED,
})


def _check_binary(
    a: TensorBase, b: Any, xa: Any, xb: Any, common: dtype, kernel: str, op: str, reflected: bool
) -> Any:
    """PyTorch's refusals and integer special cases; a native result when the kernel is bypassed."""
    cat = common.category
    bk = a._backend
    if kernel == "subtract":
        a_bool = a._dtype is D.bool_
        b_bool = b._dtype is D.bool_ if isinstance(b, TensorBase) else isinstance(b, bool)
        if a_bool or b_bool:
            raise _bool_misuse("sub", a_bool and b_bool)
    elif cat == D.COMPLEX:
        if kernel in ("maximum", "minimum"):
            raise RuntimeError(f"{op}(): {kernel} not implemented for complex tensors.")
        if kernel != "pow":
            raise _no_kernel(op, common)
    elif cat == D.BOOL:
        if kernel in ("floor_divide", "remainder", "bitwise_left_shift", "bitwise_right_shift"):
            raise _no_kernel(op, common)
        if kernel == "pow":
            if isinstance(b, TensorBase) or reflected:
                raise _no_kernel(op, common)
            # x ** True is x, x ** False is all True (torch keeps bool for a bool exponent).
            return bk.copy(xa) if xb else bk.logical_or(xa, True)
    elif cat == D.INTEGRAL:
        if kernel in ("floor_divide", "remainder"):
            _check_int_divisor(bk, xb)
        elif kernel == "pow":
            if isinstance(xb, SCALAR_TYPES):
                if not reflected and type(xb) is int and xb < 0:
                    raise RuntimeError("Integers to negative integer powers are not allowed.")
            elif common.is_signed:
                return _int_pow(bk, xa, xb, common, a._device.index)
    return None


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


# name -> (kernel, kind). Method names follow torch; dunders map onto these.
BINARY_OPS: dict[str, tuple[str, int]] = {
    "add": ("add", SAME), "sub": ("subtract", SAME), "mul": ("multiply", SAME),
    "div": ("divide", TRUEDIV), "floor_divide": ("floor_divide", SAME),
    "remainder": ("remainder", SAME), "pow": ("pow", SAME), "maximum": ("maximum", SAME),
    "minimum": ("minimum", SAME), "atan2": ("atan2", TRUEDIV),
    "eq": ("equal", PRED), "ne": ("not_equal", PRED), "lt": ("less", PRED), "le": ("less_equal", PRED),
    "gt": ("greater", PRED), "ge": ("greater_equal", PRED),
    "logical_and": ("logical_and", PRED), "logical_or": ("logical_or", PRED),
    "logical_xor": ("logical_xor", PRED),
    "bitwise_and": ("bitwise_and", INTEGRAL), "bitwise_or": ("bitwise_or", INTEGRAL),
    "bitwise_xor": ("bitwise_xor", INTEGRAL),
    "bitwise_left_shift": ("bitwise_left_shift", INTEGRAL),
    "bitwise_right_shift": ("bitwise_right_shift", INTEGRAL),
}

# Unary result kinds.
KEEP = 0       # same dtype as the input (neg, abs, floor, ...)
TO_FLOAT = 1   # integer and bool inputs become the default float (exp, sin, ...)
TO_BOOL = 2    # bool result (isnan, logical_not)

UNARY_OPS: dict[str, tuple[str, int]] = {
    "neg": ("negative", KEEP), "abs": ("abs", KEEP), "sign": ("sign", KEEP),
    "floor": ("floor", KEEP), "ceil": ("ceil", KEEP), "trunc": ("trunc", KEEP),
    "square": ("square", KEEP), "bitwise_not": ("bitwise_invert", KEEP),
    "exp": ("exp", TO_FLOAT), "expm1": ("expm1", TO_FLOAT), "log": ("log", TO_FLOAT),
    "log1p": ("log1p", TO_FLOAT), "log2": ("log2", TO_FLOAT), "log10": ("log10", TO_FLOAT),
    "sqrt": ("sqrt", TO_FLOAT), "sin": ("sin", TO_FLOAT), "cos": ("cos", TO_FLOAT),
    "tan": ("tan", TO_FLOAT), "asin": ("asin", TO_FLOAT), "acos": ("acos", TO_FLOAT),
    "atan": ("atan", TO_FLOAT), "sinh": ("sinh", TO_FLOAT), "cosh": ("cosh", TO_FLOAT),
    "tanh": ("tanh", TO_FLOAT), "asinh": ("asinh", TO_FLOAT), "acosh": ("acosh", TO_FLOAT),
    "atanh": ("atanh", TO_FLOAT),
    "isnan": ("isnan", TO_BOOL), "isinf": ("isinf", TO_BOOL), "isfinite": ("isfinite", TO_BOOL),
    "logical_not": ("logical_not", TO_BOOL),
}


# Dtype categories PyTorch has no kernel for, per unary kernel (NumPy would answer or leak a message).
_UNARY_REFUSED: dict[str, tuple[int, ...]] = {
    "abs": (D.BOOL,), "sign": (D.COMPLEX,), "floor": (D.BOOL, D.COMPLEX), "ceil": (D.BOOL, D.COMPLEX),
    "trunc": (D.BOOL, D.COMPLEX), "round": (D.BOOL, D.COMPLEX), "bitwise_invert": (D.FLOATING, D.COMPLEX),
}


_ROUNDING = frozenset({"floor", "ceil", "trunc", "round"})


def unary(a: TensorBase, kernel: str, op: str, kind: int = KEEP) -> Tensor:
    """Apply a unary kernel; see :data:`UNARY_OPS` for the dtype rule of each op."""
    dt = a._dtype
    x = a._data
    if kind == TO_FLOAT:
        if dt.category < D.FLOATING:
            dt = D.get_default_dtype()
            x = a._backend.astype(x, dt)
    elif kind == TO_BOOL:
        dt = D.bool_
    elif dt.category in _UNARY_REFUSED.get(kernel, ()):
        raise _no_kernel(op, dt)
    elif kernel in _ROUNDING and dt.category == D.INTEGRAL:
        return like(a, a._backend.copy(x))  # integers are already whole (NumPy would give floats)
    elif dt is D.bool_:
        if kernel == "negative":
            raise _bool_misuse("neg")
        if kernel == "sign":
            return like(a, a._backend.copy(x))
        if kernel == "square":  # torch squares bools as int64 (pow with the int 2)
            dt = D.int64
            x = a._backend.astype(x, dt)
    elif kernel == "abs" and dt.category == D.COMPLEX:
        dt = dt.to_real()
    return like(a, getattr(a._backend, kernel)(x), dt)


def can_cast(src: dtype, dst: dtype) -> bool:
    """PyTorch's in-place rule: never to a lower category (float into int, anything into bool)."""
    return src.category <= dst.category


def write_out(result: TensorBase, out: TensorBase, op: str) -> Tensor:
    """Store ``result`` into the user's ``out=`` tensor (resizing an empty one), returning ``out``."""
    if not isinstance(out, TensorBase):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if out._device is not result._device:
        raise device_error(op, result, out)
    if not can_cast(result._dtype, out._dtype):
        raise RuntimeError(
            f"{op}(): result type {_tname(result._dtype)} can't be cast to the desired output type "
            f"{_tname(out._dtype)}"
        )
    check_writable(out, op)
    shape = tuple(result._data.shape)
    if tuple(out._data.shape) != shape:
        if out._data.size:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape {list(out._data.shape)}, "
                f"which does not match the required output shape {list(shape)}.",
                UserWarning, stacklevel=3,
            )
        if out._base is not None:
            raise RuntimeError(f"{op}(): cannot resize out=, a view of another tensor")
        out._data = out._backend.empty(shape, out._dtype, out._device.index)
    out._backend.copy_into(out._data, result._data)
    bump_version(out)
    return out  # type: ignore[return-value]


def inplace(t: TensorBase, result: TensorBase, op: str) -> Tensor:
    """Write an out-of-place result back into ``t`` (PyTorch's in-place casting rule)."""
    if not can_cast(result._dtype, t._dtype):
        raise RuntimeError(
            f"{op}(): result type {_tname(result._dtype)} can't be cast to the desired output type "
            f"{_tname(t._dtype)}"
        )
    if tuple(result._data.shape) != tuple(t._data.shape):
        raise RuntimeError(
            f"{op}(): output with shape {list(t._data.shape)} doesn't match the broadcast shape "
            f"{list(result._data.shape)}"
        )
    check_writable(t, op)
    try:
        t._backend.copy_into(t._data, result._data)
    except ValueError as exc:  # read-only memory: an expanded (broadcast) view
        raise RuntimeError(
            f"{op}(): unsupported operation: more than one element of the written-to tensor refers to "
            "a single memory location. Please clone() the tensor before performing the operation."
        ) from exc
    bump_version(t)
    return t  # type: ignore[return-value]


def _tname(dt: dtype) -> str:
    """torch's ScalarType name, used in its casting errors (Float, Long, ...)."""
    return {
        "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
        "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
        "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
    }[dt.name]


def where(condition: TensorBase, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` is true, else ``other`` (broadcast, promoted).

    >>> ember.where(ember.tensor([True, False]), 1.0, 0.0)
    tensor([1., 0.])
    """
    if not isinstance(condition, TensorBase):
        raise TypeError(f"where(): argument 'condition' must be Tensor, not {type(condition).__name__}")
    if condition._dtype is not D.bool_:
        raise RuntimeError(
            "where(): expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_tname(condition._dtype)}"
        )
    values = [_tensor_or_number(v, name, "where") for v, name in ((input, "input"), (other, "other"))]
    for t in values:
        if isinstance(t, TensorBase) and t._device is not condition._device:
            raise device_error("where", condition, t)
    dt = result_type(*values)
    bk = condition._backend
    xs = [cast(v, dt) if isinstance(v, TensorBase) else bk.full((), storable(v, dt, "where"), dt, condition._device.index)
          for v in values]
    broadcast_shapes(tuple(condition._data.shape), *(tuple(x.shape) for x in xs))
    return like(condition, bk.where(condition._data, xs[0], xs[1]), dt)


def matmul(a: TensorBase, b: TensorBase, op: str = "matmul") -> Tensor:
    """Matrix product with broadcasting of batch dimensions (PyTorch's matmul)."""
    if not isinstance(b, TensorBase):
        raise TypeError(f"{op}(): argument 'other' must be Tensor, not {type(b).__name__}")
    if b._device is not a._device or b._backend is not a._backend:
        raise device_error(op, a, b)
    sa, sb = a._data.shape, b._data.shape
    if not sa or not sb:
        raise RuntimeError(f"{op}(): both arguments to matmul need to be at least 1D, but they are {len(sa)}D and {len(sb)}D")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"{op}(): expected m1 and m2 to have the same dtype, but got: {a._dtype} != {b._dtype}")
    if a._dtype is D.bool_:
        raise _no_kernel(op, a._dtype)
    if sa[-1] != sb[-2 if len(sb) > 1 else 0]:
        m1 = "x".join(map(str, sa if len(sa) > 1 else (1, sa[0])))
        m2 = "x".join(map(str, sb if len(sb) > 1 else (sb[0], 1)))
        raise RuntimeError(f"{op}(): mat1 and mat2 shapes cannot be multiplied ({m1} and {m2})")
    if len(sa) > 2 or len(sb) > 2:
        broadcast_shapes(tuple(sa[:-2]), tuple(sb[:-2]))
    return like(a, a._backend.matmul(a._data, b._data))


def _binary_method(name: str, doc: str) -> Any:
    kernel, kind = BINARY_OPS[name]

    def method(self: TensorBase, other: Any) -> Tensor:
        return binary(self, other, kernel, name, kind)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    return method


def unary_method(name: str) -> Any:
    kernel, kind = UNARY_OPS[name]

    def method(self: TensorBase) -> Tensor:
        return unary(self, kernel, name, kind)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Elementwise {name} (PyTorch's torch.{name})."
    return method


_OPERAND_TYPES = (TensorBase, bool, int, float, complex)


def _is_operand(other: Any) -> bool:
    """Whether an operator should handle ``other`` (NumPy arrays too, so they get a clear TypeError)."""
    return (
        isinstance(other, _OPERAND_TYPES) or to_scalar(other) is not None or hasattr(other, "__array__")
    )


def _operator(kernel: str, op: str, kind: int = SAME, reflected: bool = False) -> Callable[[Any, Any], Any]:
    def method(self: TensorBase, other: Any) -> Any:
        if not isinstance(other, _OPERAND_TYPES) and not _is_operand(other):
            return NotImplemented
        return binary(self, other, kernel, op, kind, reflected)

    method.__name__ = method.__qualname__ = f"__{'r' if reflected else ''}{op}__"
    return method


class MathMixin(TensorBase):
    """Arithmetic, comparisons and elementwise math as Tensor methods and operators."""

    __slots__ = ()

    # -- arithmetic with torch's extra arguments ----------------------------------
    def add(self, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
        """``self + alpha * other``, promoted and broadcast.

        >>> ember.tensor([1, 2]).add(ember.tensor([10, 20]), alpha=2)
        tensor([21, 42])
        """
        if alpha.__class__ is not int or alpha != 1:  # alpha=True and alpha=1.0 have their own rules
            other = _scaled(self, other, alpha, "add")
        r = binary(self, other, "add", "add")
        return r if out is None else write_out(r, out, "add")

    def sub(self, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
        """``self - alpha * other``."""
        if alpha.__class__ is not int or alpha != 1:  # alpha=True and alpha=1.0 have their own rules
            other = _scaled(self, other, alpha, "sub")
        r = binary(self, other, "subtract", "sub")
        return r if out is None else write_out(r, out, "sub")

    subtract = sub

    def mul(self, other: Any, *, out: Any = None) -> Tensor:
        """Elementwise product."""
        r = binary(self, other, "multiply", "mul")
        return r if out is None else write_out(r, out, "mul")

    multiply = mul

    def div(self, other: Any, *, rounding_mode: str | None = None, out: Any = None) -> Tensor:
        """True division; ``rounding_mode`` "trunc" or "floor" rounds the quotient."""
        if rounding_mode is None:
            r = binary(self, other, "divide", "div", TRUEDIV)
        elif rounding_mode == "floor":
            r = binary(self, other, "floor_divide", "div")
        elif rounding_mode == "trunc":
            promoted = result_type(self, other if isinstance(other, TensorBase) else _operand_scalar(other, "div"))
            if promoted.category < D.FLOATING:
                r = _int_trunc_divide(self, other)
            else:
                r = unary(binary(self, other, "divide", "div", TRUEDIV), "trunc", "div")
        else:
            raise ValueError(
                f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
            )
        return r if out is None else write_out(r, out, "div")

    divide = true_divide = div

    def pow(self, exponent: Any, *, out: Any = None) -> Tensor:
        """``self ** exponent``; integer tensors to negative integer powers raise, as in PyTorch."""
        r = binary(self, exponent, "pow", "pow")
        return r if out is None else write_out(r, out, "pow")

    floor_divide = _binary_method("floor_divide", "Division rounded towards negative infinity.")
    remainder = _binary_method("remainder", "Python-style modulus: the result has the divisor's sign.")
    maximum = _binary_method("maximum", "Elementwise maximum (NaN propagates).")
    minimum = _binary_method("minimum", "Elementwise minimum (NaN propagates).")
    atan2 = _binary_method("atan2", "Elementwise arctangent of ``self / other`` with quadrant.")
    arctan2 = atan2
    eq = _binary_method("eq", "Elementwise ``==`` as a bool tensor.")
    ne = _binary_method("ne", "Elementwise ``!=`` as a bool tensor.")
    lt = _binary_method("lt", "Elementwise ``<`` as a bool tensor.")
    le = _binary_method("le", "Elementwise ``<=`` as a bool tensor.")
    gt = _binary_method("gt", "Elementwise ``>`` as a bool tensor.")
    ge = _binary_method("ge", "Elementwise ``>=`` as a bool tensor.")
    not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge
    logical_and = _binary_method("logical_and", "Elementwise logical AND (bool result).")
    logical_or = _binary_method("logical_or", "Elementwise logical OR (bool result).")
    logical_xor = _binary_method("logical_xor", "Elementwise logical XOR (bool result).")
    bitwise_and = _binary_method("bitwise_and", "Elementwise bitwise AND of integer or bool tensors.")
    bitwise_or = _binary_method("bitwise_or", "Elementwise bitwise OR of integer or bool tensors.")
    bitwise_xor = _binary_method("bitwise_xor", "Elementwise bitwise XOR of integer or bool tensors.")
    bitwise_left_shift = _binary_method("bitwise_left_shift", "Elementwise ``<<``.")
    bitwise_right_shift = _binary_method("bitwise_right_shift", "Elementwise ``>>``.")

    # -- unary elementwise (kernels and dtype rules in UNARY_OPS) -------------------------
    neg = unary_method("neg")
    abs = unary_method("abs")
    sign = unary_method("sign")
    floor = unary_method("floor")
    ceil = unary_method("ceil")
    trunc = unary_method("trunc")
    square = unary_method("square")
    bitwise_not = unary_method("bitwise_not")
    exp = unary_method("exp")
    expm1 = unary_method("expm1")
    log = unary_method("log")
    log1p = unary_method("log1p")
    log2 = unary_method("log2")
    log10 = unary_method("log10")
    sqrt = unary_method("sqrt")
    sin = unary_method("sin")
    cos = unary_method("cos")
    tan = unary_method("tan")
    asin = unary_method("asin")
    acos = unary_method("acos")
    atan = unary_method("atan")
    sinh = unary_method("sinh")
    cosh = unary_method("cosh")
    tanh = unary_method("tanh")
    asinh = unary_method("asinh")
    acosh = unary_method("acosh")
    atanh = unary_method("atanh")
    isnan = unary_method("isnan")
    isinf = unary_method("isinf")
    isfinite = unary_method("isfinite")
    logical_not = unary_method("logical_not")
    negative, absolute = neg, abs
    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh

    # -- operators --------------------------------------------------------------------
    # An operand that is neither a tensor nor a number gives NotImplemented, so Python
    # answers as it does for torch: ``t == None`` is False, ``t + "s"`` a TypeError.
    __add__ = __radd__ = _operator("add", "add")
    __sub__ = _operator("subtract", "sub")
    __rsub__ = _operator("subtract", "sub", reflected=True)
    __mul__ = __rmul__ = _operator("multiply", "mul")
    __truediv__ = _operator("divide", "div", TRUEDIV)
    __rtruediv__ = _operator("divide", "div", TRUEDIV, reflected=True)
    __floordiv__ = _operator("floor_divide", "floor_divide")
    __rfloordiv__ = _operator("floor_divide", "floor_divide", reflected=True)
    __mod__ = _operator("remainder", "remainder")
    __rmod__ = _operator("remainder", "remainder", reflected=True)
    __rpow__ = _operator("pow", "pow", reflected=True)
    __and__ = __rand__ = _operator("bitwise_and", "bitwise_and", INTEGRAL)
    __or__ = __ror__ = _operator("bitwise_or", "bitwise_or", INTEGRAL)
    __xor__ = __rxor__ = _operator("bitwise_xor", "bitwise_xor", INTEGRAL)
    __lshift__ = _operator("bitwise_left_shift", "bitwise_left_shift", INTEGRAL)
    __rshift__ = _operator("bitwise_right_shift", "bitwise_right_shift", INTEGRAL)
    __rlshift__ = _operator("bitwise_left_shift", "bitwise_left_shift", INTEGRAL, reflected=True)
    __rrshift__ = _operator("bitwise_right_shift", "bitwise_right_shift", INTEGRAL, reflected=True)
    __eq__ = _operator("equal", "eq", PRED)
    __ne__ = _operator("not_equal", "ne", PRED)
    __lt__ = _operator("less", "lt", PRED)
    __le__ = _operator("less_equal", "le", PRED)
    __gt__ = _operator("greater", "gt", PRED)
    __ge__ = _operator("greater_equal", "ge", PRED)

    def __pow__(self, other: Any) -> Tensor:
        if not _is_operand(other):
            return NotImplemented
        return self.pow(other)

    def __matmul__(self, other: Any) -> Tensor:
        if not isinstance(other, TensorBase):
            return NotImplemented
        return matmul(self, other)

    __hash__ = object.__hash__  # tensors hash by identity, as in PyTorch

    def __neg__(self) -> Tensor:
        return unary(self, "negative", "neg")

    def __pos__(self) -> Tensor:
        return like(self, self._backend.copy(self._data))

    def __abs__(self) -> Tensor:
        return unary(self, "abs", "abs")

    def __invert__(self) -> Tensor:
        if self._dtype is D.bool_:
            return unary(self, "logical_not", "bitwise_not", TO_BOOL)
        if self._dtype.category > D.INTEGRAL:
            raise TypeError(
                f"~ (operator.invert) is only implemented on integer and Boolean-type tensors, got {self._dtype}"
            )
        return unary(self, "bitwise_invert", "bitwise_not")

    # -- in-place ----------------------------------------------------------------------
    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """In-place :meth:`add`."""
        return inplace(self, self.add(other, alpha=alpha), "add_")

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """In-place :meth:`sub`."""
        return inplace(self, self.sub(other, alpha=alpha), "sub_")

    def mul_(self, other: Any) -> Tensor:
        """In-place :meth:`mul`."""
        return inplace(self, binary(self, other, "multiply", "mul_"), "mul_")

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """In-place :meth:`div`."""
        return inplace(self, self.div(other, rounding_mode=rounding_mode), "div_")

    def pow_(self, exponent: Any) -> Tensor:
        """In-place :meth:`pow`."""
        return inplace(self, self.pow(exponent), "pow_")

    def __iadd__(self, other: Any) -> Tensor:
        return inplace(self, binary(self, other, "add", "add_"), "add_")

    def __isub__(self, other: Any) -> Tensor:
        return inplace(self, binary(self, other, "subtract", "sub_"), "sub_")

    def __imul__(self, other: Any) -> Tensor:
        return inplace(self, binary(self, other, "multiply", "mul_"), "mul_")

    def __itruediv__(self, other: Any) -> Tensor:
        return inplace(self, binary(self, other, "divide", "div_", TRUEDIV), "div_")

    def __ifloordiv__(self, other: Any) -> Tensor:
        return inplace(self, binary(self, other, "floor_divide", "floor_divide_"), "floor_divide_")

    def __imod__(self, other: Any) -> Tensor:
        return inplace(self, binary(self, other, "remainder", "remainder_"), "remainder_")

    def __ipow__(self, other: Any) -> Tensor:
        return inplace(self, self.pow(other), "pow_")

    def __iand__(self, other: Any) -> Tensor:
        return inplace(self, self & other, "bitwise_and_")

    def __ior__(self, other: Any) -> Tensor:
        return inplace(self, self | other, "bitwise_or_")

    def __ixor__(self, other: Any) -> Tensor:
        return inplace(self, self ^ other, "bitwise_xor_")

    # -- matrix products --------------------------------------------------------------------
    def matmul(self, other: Any) -> Tensor:
        """Matrix product with PyTorch's rules for 1-D operands and batch broadcasting."""
        return matmul(self, other)

    def mm(self, mat2: Any) -> Tensor:
        """Product of two 2-D matrices (no broadcasting)."""
        if not isinstance(mat2, TensorBase):
            raise TypeError(f"mm(): argument 'mat2' must be Tensor, not {type(mat2).__name__}")
        if self._data.ndim != 2:
            raise RuntimeError(f"mm(): self must be a matrix, got a {self._data.ndim}-D tensor")
        if mat2._data.ndim != 2:
            raise RuntimeError(f"mm(): mat2 must be a matrix, got a {mat2._data.ndim}-D tensor")
        return matmul(self, mat2, "mm")

    def bmm(self, mat2: Any) -> Tensor:
        """Batched product of two 3-D tensors with equal batch sizes."""
        if not isinstance(mat2, TensorBase):
            raise TypeError(f"bmm(): argument 'mat2' must be Tensor, not {type(mat2).__name__}")
        if self._data.ndim != 3 or mat2._data.ndim != 3:
            raise RuntimeError(f"bmm(): batch1 and batch2 must be 3D tensors, got {self._data.ndim}D and {mat2._data.ndim}D")
        if self._data.shape[0] != mat2._data.shape[0]:
            raise RuntimeError(f"bmm(): batch1 and batch2 must have the same batch size, got {self._data.shape[0]} and {mat2._data.shape[0]}")
        return matmul(self, mat2, "bmm")

    # -- clamp --------------------------------------------------------------------------------
    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit values to ``[min, max]`` (scalars or tensors); ``min > max`` gives ``max``."""
        if min is None and max is None:
            raise RuntimeError("clamp(): At least one of 'min' or 'max' must not be None")
        min, max = (None if b is None else _tensor_or_number(b, name, "clamp") for b, name in ((min, "min"), (max, "max")))
        dt = result_type(self, *(b for b in (min, max) if b is not None))
        if dt is D.bool_:
            raise _no_kernel("clamp", dt)
        if dt.category == D.COMPLEX:
            raise NotImplementedError("clamp(): clamp is not supported for complex types")
        args: list[Any] = []
        for b in (min, max):
            if isinstance(b, TensorBase):
                if b._device is not self._device:
                    raise device_error("clamp", self, b)
                args.append(cast(b, dt))
            else:
                args.append(None if b is None else storable(b, dt, "clamp"))
        x = cast(self, dt)
        lo, hi = args
        bk = self._backend
        # maximum then minimum: NaN propagates and min > max gives max, as in PyTorch.
        y = x if lo is None else bk.maximum(x, lo)
        return like(self, y if hi is None else bk.minimum(y, hi), dt)

    clip = clamp

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """In-place :meth:`clamp`."""
        return inplace(self, self.clamp(min, max), "clamp_")

    clip_ = clamp_

    # -- composites ------------------------------------------------------------------------------
    def reciprocal(self) -> Tensor:
        """``1 / self`` (integer input gives the default float)."""
        return binary(self, 1, "divide", "reciprocal", TRUEDIV, reflected=True)

    def rsqrt(self) -> Tensor:
        """``1 / sqrt(self)``."""
        return unary(self, "sqrt", "rsqrt", TO_FLOAT).reciprocal()

    def sigmoid(self) -> Tensor:
        """The logistic function ``1 / (1 + exp(-self))``."""
        # Written with exp(-|x|) so large inputs of either sign never overflow.
        x = self._data
        dt = self._dtype
        bk = self._backend
        if dt.category < D.FLOATING:
            dt = D.get_default_dtype()
            x = bk.astype(x, dt)
        elif dt.category == D.COMPLEX:  # no ordering to split on: the textbook formula
            return like(self, bk.divide(1, bk.add(bk.exp(bk.negative(x)), 1)), dt)
        e = bk.exp(bk.negative(bk.abs(x)))
        pos = bk.divide(1, bk.add(e, 1))
        return like(self, bk.where(bk.greater_equal(x, 0), pos, bk.multiply(e, pos)), dt)

    def relu(self) -> Tensor:
        """``max(self, 0)``."""
        if self._dtype is D.bool_:
            raise RuntimeError("relu(): Boolean inputs not supported for relu")
        if self._dtype.category == D.COMPLEX:
            raise NotImplementedError("relu(): clamp is not supported for complex types")
        return like(self, self._backend.maximum(self._data, 0))

    def round(self, *, decimals: int = 0) -> Tensor:
        """Round half to even; ``decimals`` rounds to that many places."""
        if decimals == 0:
            return unary(self, "round", "round")
        scale = 10.0 ** decimals
        return unary(self * scale, "round", "round") / scale

    def frac(self) -> Tensor:
        """The fractional part ``self - trunc(self)``, keeping the sign."""
        if self._dtype.category != D.FLOATING:
            raise _no_kernel("frac", self._dtype)
        return self - unary(self, "trunc", "frac")

    def abs_(self) -> Tensor:
        """In-place :meth:`abs`."""
        return inplace(self, unary(self, "abs", "abs_"), "abs_")

    def neg_(self) -> Tensor:
        """In-place :meth:`neg`."""
        return inplace(self, unary(self, "negative", "neg_"), "neg_")

    def exp_(self) -> Tensor:
        """In-place :meth:`exp`."""
        return inplace(self, unary(self, "exp", "exp_", TO_FLOAT), "exp_")

    def sqrt_(self) -> Tensor:
        """In-place :meth:`sqrt`."""
        return inplace(self, unary(self, "sqrt", "sqrt_", TO_FLOAT), "sqrt_")


def _tensor_or_number(value: Any, name: str, op: str) -> Any:
    """A tensor, or a Python number (NumPy scalars converted); a TypeError naming the argument otherwise."""
    if isinstance(value, TensorBase):
        return value
    s = to_scalar(value)
    if s is None:
        raise TypeError(f"{op}(): argument '{name}' must be Tensor or Number, not {type(value).__name__}")
    return s


def _operand_scalar(other: Any, op: str) -> Any:
    s = to_scalar(other)
    if s is None:
        raise TypeError(f"{op}(): expected other to be a Tensor or a Python number, got {type(other).__name__}")
    return s


def _int_trunc_divide(a: Any, b: Any) -> Tensor:
    """Integer division rounded towards zero, exactly (no detour through floats)."""
    q = binary(a, b, "floor_divide", "div")
    r = binary(a, b, "remainder", "div")
    b_negative: Any
    if isinstance(b, TensorBase):
        b_negative = b < 0  # type: ignore[operator]  # Tensor defines <
    else:  # the divisor as the integer dtype holds it (torch wraps out-of-range ints)
        s: Any = to_scalar(b)
        dt = q._dtype
        if type(s) is int and not _INT_MIN[dt] <= s <= _INT_MAX[dt]:
            s = _wrap_int(s, dt, "div")
        b_negative = s < 0
    # floor and trunc differ by one where the division is inexact and the signs differ.
    fix = (r != 0).logical_and((a < 0).logical_xor(b_negative))
    return like(q, q._backend.add(q._data, q._backend.astype(fix._data, q._dtype)), q._dtype)


def _scaled(self: TensorBase, other: Any, alpha: Any, op: str) -> Any:
    """``alpha * other`` for add/sub, computed in the result dtype as PyTorch does."""
    a = to_scalar(alpha)
    if a is None:
        raise TypeError(f"{op}(): argument 'alpha' must be Number, not {type(alpha).__name__}")
    is_tensor = isinstance(other, TensorBase)
    s = None if is_tensor else to_scalar(other)
    if not is_tensor and s is None:
        return other  # binary() reports the bad operand
    if is_tensor and op == "sub" and (self._dtype is D.bool_ or other._dtype is D.bool_):
        raise _bool_misuse("sub", self._dtype is other._dtype)
    common = result_type(self, other if is_tensor else s)
    if common.category < D.FLOATING and isinstance(a, float):
        raise RuntimeError(f"{op}(): For integral input tensors, argument alpha must not be a floating point number.")
    if isinstance(a, bool) and common is not D.bool_:
        raise RuntimeError(f"{op}(): Boolean alpha only supported for Boolean results.")
    if not is_tensor:
        return s * a  # type: ignore[operator]  # s is a number here
    if other._dtype is not common:
        # keep other's rank: a 0-d operand must stay 0-d for the promotion that follows
        other = like(other, cast(other, common), common)
    if common is D.bool_:
        return other if a else like(other, other._backend.logical_and(other._data, False))
    return binary(other, a, "multiply", op)
