"""Elementwise ops: dtype promotion, the op tables and the helpers every op goes through.

Every binary op goes through :func:`binary` and every unary op through
:func:`unary`; the tables below say which backend kernel each op uses and how
its result dtype follows from its inputs (PyTorch's rules). The integer and
bool special cases they defer to are in ``_special_cases``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._dtypes import result_type
from ember._special_cases import (
    CHECKED_KERNELS,
    INT_MAX,
    INT_MIN,
    bool_misuse,
    check_binary,
    int_scalar,
    no_kernel,
    storable,
    tname,
    wrap_int,
)
from ember._tensor_base import (
    SCALAR_TYPES,
    TensorBase,
    cast,
    device_error,
    like,
    to_scalar,
)

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__ = [
    "SAME", "PRED", "TRUEDIV", "INTEGRAL", "KEEP", "TO_FLOAT", "TO_BOOL", "BINARY_OPS", "UNARY_OPS",
    "broadcast_shapes", "broadcast_for", "binary", "unary", "where", "tensor_or_number", "operand_scalar",
    "int_trunc_divide", "alpha_scaled", "binary_method", "unary_method", "operator_method", "is_operand",
]

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
    return broadcast_for("", *shapes)


def broadcast_for(op: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    """:func:`broadcast_shapes` whose error names ``op`` (``add(): The size of tensor a ...``)."""
    prefix = f"{op}(): " if op else ""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for shape in shapes:
        for j in range(ndim - 1, ndim - len(shape) - 1, -1):
            n = shape[j - ndim + len(shape)]
            if n < 0:
                raise ValueError(f"{op or 'broadcast_shapes'}(): negative size {n} in shape {tuple(shape)}")
            if out[j] == 1:
                out[j] = n
            elif n != 1 and n != out[j]:
                raise RuntimeError(
                    f"{prefix}The size of tensor a ({out[j]}) must match the size of tensor b ({n}) at "
                    f"non-singleton dimension {j}"
                )
    return tuple(out)


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
        if type(b) is int and common.category == D.INTEGRAL and not INT_MIN[common] <= b <= INT_MAX[common]:
            xb = s = int_scalar(b, common, op, kernel, kind == TRUEDIV, reflected)
    else:
        s = to_scalar(b)
        if s is None:
            if isinstance(b, np.ndarray):  # t + ndarray: the array joins as a CPU tensor, as in torch
                from ember._creation import as_tensor

                return binary(a, as_tensor(b), kernel, op, kind, reflected)
            raise TypeError(
                f"{op}(): expected other to be a Tensor or a Python number, got {type(b).__name__}"
            )
        common = result_type(a, s)
        if type(s) is int and common.category == D.INTEGRAL and not INT_MIN[common] <= s <= INT_MAX[common]:
            s = int_scalar(s, common, op, kernel, kind == TRUEDIV, reflected)
        xa, xb = cast(a, common), s
    if kind == TRUEDIV:
        if common.category < D.FLOATING:
            common = D.get_default_dtype()
            xa = bk.astype(xa, common) if not isinstance(xa, SCALAR_TYPES) else xa
            xb = bk.astype(xb, common) if not isinstance(xb, SCALAR_TYPES) else xb
    elif kind == INTEGRAL and common.category > D.INTEGRAL:
        raise no_kernel(op, common)
    if reflected:
        xa, xb = xb, xa
    if kernel in CHECKED_KERNELS:
        special = check_binary(a, b, xa, xb, common, kernel, op, reflected)
        if special is not None:
            return like(a, special, D.bool_ if kind == PRED else common)
    fn = getattr(bk, kernel)
    try:
        out = fn(xa, xb)
    except (ValueError, TypeError) as exc:
        shapes = [tuple(a._data.shape)]
        if isinstance(b, TensorBase):
            shapes.append(tuple(b._data.shape))
        broadcast_for(op, *(shapes[::-1] if reflected else shapes))
        raise no_kernel(op, common) from exc
    return like(a, out, D.bool_ if kind == PRED else common)


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
        raise no_kernel(op, dt)
    elif kernel in _ROUNDING and dt.category == D.INTEGRAL:
        return like(a, a._backend.copy(x))  # integers are already whole (NumPy would give floats)
    elif dt is D.bool_:
        if kernel == "negative":
            raise bool_misuse("neg")
        if kernel == "sign":
            return like(a, a._backend.copy(x))
        if kernel == "square":  # torch squares bools as int64 (pow with the int 2)
            dt = D.int64
            x = a._backend.astype(x, dt)
    elif kernel == "abs" and dt.category == D.COMPLEX:
        dt = dt.to_real()
    bk = a._backend
    out = getattr(bk, kernel)(x)
    if kernel == "sign" and dt.category == D.FLOATING:
        out = bk.where(bk.isnan(x), bk.full((), 0, dt, a._device.index), out)  # torch: sign(nan) is 0
    return like(a, out, dt)


# -- ternary -------------------------------------------------------------------------------------
_ONE_ARG: Any = object()  # where(condition) alone: the default that tells the one-argument form apart


def where(condition: TensorBase, input: Any = _ONE_ARG, other: Any = _ONE_ARG) -> Any:
    """``input`` where ``condition`` is true, else ``other`` (broadcast, promoted);
    ``where(condition)`` alone is ``condition.nonzero(as_tuple=True)``.

    >>> ember.where(ember.tensor([True, False]), 1.0, 0.0)
    tensor([1., 0.])
    """
    if not isinstance(condition, TensorBase):
        raise TypeError(f"where(): argument 'condition' must be Tensor, not {type(condition).__name__}")
    if input is _ONE_ARG and other is _ONE_ARG:
        return condition.nonzero(as_tuple=True)  # type: ignore[attr-defined]
    if input is _ONE_ARG or other is _ONE_ARG:
        raise TypeError("where(): expected 1 or 3 arguments (condition, input, other), got 2")
    if condition._dtype is not D.bool_:
        raise RuntimeError(
            "where(): expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{tname(condition._dtype)}"
        )
    values = [tensor_or_number(v, name, "where") for v, name in ((input, "input"), (other, "other"))]
    for t in values:
        if isinstance(t, TensorBase) and t._device is not condition._device:
            raise device_error("where", condition, t)
    dt = result_type(*values)
    bk = condition._backend
    xs = [cast(v, dt) if isinstance(v, TensorBase) else bk.full((), storable(v, dt, "where"), dt, condition._device.index)
          for v in values]
    broadcast_for("where", tuple(condition._data.shape), *(tuple(x.shape) for x in xs))
    return like(condition, bk.where(condition._data, xs[0], xs[1]), dt)


def tensor_or_number(value: Any, name: str, op: str) -> Any:
    """A tensor, or a Python number (NumPy scalars converted); a TypeError naming the argument otherwise."""
    if isinstance(value, TensorBase):
        return value
    s = to_scalar(value)
    if s is None:
        raise TypeError(f"{op}(): argument '{name}' must be Tensor or Number, not {type(value).__name__}")
    return s


# -- helpers of add/sub/div (alpha=, rounding_mode="trunc") -------------------------------------

def operand_scalar(other: Any, op: str) -> Any:
    s = to_scalar(other)
    if s is None:
        raise TypeError(f"{op}(): expected other to be a Tensor or a Python number, got {type(other).__name__}")
    return s


def int_trunc_divide(a: Any, b: Any) -> Tensor:
    """Integer division rounded towards zero, exactly (no detour through floats)."""
    q = binary(a, b, "floor_divide", "div")
    r = binary(a, b, "remainder", "div")
    b_negative: Any
    if isinstance(b, TensorBase):
        b_negative = b < 0  # type: ignore[operator]  # Tensor defines <
    else:  # the divisor as the integer dtype holds it (torch wraps out-of-range ints)
        s: Any = to_scalar(b)
        dt = q._dtype
        if type(s) is int and not INT_MIN[dt] <= s <= INT_MAX[dt]:
            s = wrap_int(s, dt, "div")
        b_negative = s < 0
    # floor and trunc differ by one where the division is inexact and the signs differ.
    fix = (r != 0) & ((a < 0) ^ b_negative)
    return like(q, q._backend.add(q._data, q._backend.astype(fix._data, q._dtype)), q._dtype)


def alpha_scaled(self: TensorBase, other: Any, alpha: Any, op: str) -> Any:
    """``alpha * other`` for add/sub, computed in the result dtype as PyTorch does."""
    a = to_scalar(alpha)
    if a is None:
        raise TypeError(f"{op}(): argument 'alpha' must be Number, not {type(alpha).__name__}")
    is_tensor = isinstance(other, TensorBase)
    s = None if is_tensor else to_scalar(other)
    if not is_tensor and s is None:
        return other  # binary() reports the bad operand
    if is_tensor and op == "sub" and (self._dtype is D.bool_ or other._dtype is D.bool_):
        raise bool_misuse("sub", self._dtype is other._dtype)
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


# -- Tensor methods from the tables (MathMixin binds them) -------------------------------------

# Ops whose torch signature takes only a Tensor as ``other`` (no Python numbers).
TENSOR_ONLY = frozenset({"maximum", "minimum", "atan2", "logical_and", "logical_or", "logical_xor"})


def binary_method(name: str, doc: str) -> Any:
    kernel, kind = BINARY_OPS[name]
    tensor_only = name in TENSOR_ONLY

    def method(self: TensorBase, other: Any) -> Tensor:
        if tensor_only and not isinstance(other, TensorBase):
            raise TypeError(f"{name}(): argument 'other' must be Tensor, not {type(other).__name__}")
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


OPERAND_TYPES = (TensorBase, bool, int, float, complex)


def is_operand(other: Any) -> bool:
    """Whether an operator should handle ``other``: tensors, numbers, NumPy scalars and arrays
    (arrays join as CPU tensors); anything else gets ``NotImplemented`` so Python tries the other side."""
    return (
        isinstance(other, OPERAND_TYPES) or to_scalar(other) is not None or hasattr(other, "__array__")
    )


def operator_method(kernel: str, op: str, kind: int = SAME, reflected: bool = False) -> Callable[[Any, Any], Any]:
    def method(self: TensorBase, other: Any) -> Any:
        if not isinstance(other, OPERAND_TYPES) and not is_operand(other):
            return NotImplemented
        return binary(self, other, kernel, op, kind, reflected)

    method.__name__ = method.__qualname__ = f"__{'r' if reflected else ''}{op}__"
    return method



_dispatch_install(globals(), ["where"])  # ember-autograd records it (see _dispatch)
