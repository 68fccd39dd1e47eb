"""dtypes as objects, and PyTorch's type-promotion rules as tables.

A :class:`dtype` is a small immutable object (``ember.float32``). Backends map
it to their native dtype; core never needs one.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = [
    "dtype", "bool_", "uint8", "int8", "int16", "int32", "int64", "float16",
    "bfloat16", "float32", "float64", "complex64", "complex128",
    "ALL_DTYPES", "get_default_dtype", "set_default_dtype", "promote_types",
    "result_type", "scalar_dtype", "dtype_from_name",
]

# Categories order the kinds of number: a higher category always wins promotion.
BOOL, INTEGRAL, FLOATING, COMPLEX = 0, 1, 2, 3


class dtype:
    """The element type of a tensor, e.g. ``ember.float32``.

    >>> ember.float32.itemsize, ember.float32.is_floating_point
    (4, True)
    """

    __slots__ = ("_bits", "category", "is_signed", "itemsize", "name")

    name: str
    itemsize: int
    category: int
    is_signed: bool

    def __init__(self, name: str, itemsize: int, category: int, is_signed: bool) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "itemsize", itemsize)
        object.__setattr__(self, "category", category)
        object.__setattr__(self, "is_signed", is_signed)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"ember.dtype is immutable; cannot set {key!r}")

    @property
    def is_floating_point(self) -> bool:
        return self.category == FLOATING

    @property
    def is_complex(self) -> bool:
        return self.category == COMPLEX

    def to_real(self) -> dtype:
        """The real dtype of a complex dtype (complex64 -> float32); other dtypes unchanged."""
        return _COMPLEX_TO_REAL.get(self, self)

    def to_complex(self) -> dtype:
        """The complex dtype holding this floating dtype (float32 -> complex64)."""
        if self.category == COMPLEX:
            return self
        if self.category != FLOATING:
            raise TypeError(f"to_complex(): expected a floating dtype, got {self}")
        return _REAL_TO_COMPLEX[self]

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (dtype_from_name, (self.name,))  # unpickles to the same interned object


bool_ = dtype("bool", 1, BOOL, False)
uint8 = dtype("uint8", 1, INTEGRAL, False)
int8 = dtype("int8", 1, INTEGRAL, True)
int16 = dtype("int16", 2, INTEGRAL, True)
int32 = dtype("int32", 4, INTEGRAL, True)
int64 = dtype("int64", 8, INTEGRAL, True)
float16 = dtype("float16", 2, FLOATING, True)
bfloat16 = dtype("bfloat16", 2, FLOATING, True)
float32 = dtype("float32", 4, FLOATING, True)
float64 = dtype("float64", 8, FLOATING, True)
complex64 = dtype("complex64", 8, COMPLEX, True)
complex128 = dtype("complex128", 16, COMPLEX, True)

ALL_DTYPES: tuple[dtype, ...] = (
    bool_, uint8, int8, int16, int32, int64,
    float16, bfloat16, float32, float64, complex64, complex128,
)
_BY_NAME = {d.name: d for d in ALL_DTYPES}
# torch's aliases: ember.float is float32, ember.long is int64, ...
ALIASES = {
    "half": float16, "float": float32, "double": float64, "cfloat": complex64,
    "cdouble": complex128, "short": int16, "int": int32, "long": int64,
}
_COMPLEX_TO_REAL = {complex64: float32, complex128: float64}
_REAL_TO_COMPLEX = {float16: complex64, bfloat16: complex64, float32: complex64, float64: complex128}


def dtype_from_name(name: str) -> dtype:
    """Look a dtype up by its name or torch alias (``"float32"``, ``"long"``)."""
    try:
        return _BY_NAME[name] if name in _BY_NAME else ALIASES[name]
    except KeyError:
        raise TypeError(
            f"unknown dtype {name!r}; expected one of {', '.join(_BY_NAME)}"
        ) from None


# ---------------------------------------------------------------------------
# Promotion between two dtypes (torch.promote_types), written as rules and
# expanded into a table once, so the hot path is one dict lookup.

_INT_ORDER = (int8, int16, int32, int64)


def _promote_rule(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if a.category != b.category:
        lo, hi = (a, b) if a.category < b.category else (b, a)
        if hi.category == COMPLEX and lo.category == FLOATING:
            # complex64 + float64 keeps float64's precision: complex128
            return complex128 if lo is float64 or hi is complex128 else complex64
        return hi
    if a.category == INTEGRAL:
        if a is uint8 or b is uint8:
            other = b if a is uint8 else a
            # uint8 with a signed type needs the next signed type that holds 0..255
            return int16 if other is int8 else other
        return max(a, b, key=_INT_ORDER.index)
    if a.category == FLOATING:
        if {a, b} == {float16, bfloat16}:
            return float32
        return max(a, b, key=lambda d: d.itemsize)
    return max(a, b, key=lambda d: d.itemsize)


_PROMOTE = {(a, b): _promote_rule(a, b) for a in ALL_DTYPES for b in ALL_DTYPES}


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype both can be cast to safely, by PyTorch's table.

    >>> ember.promote_types(ember.uint8, ember.int8)
    ember.int16
    """
    for position, (name, value) in enumerate((("type1", type1), ("type2", type2)), 1):
        if not isinstance(value, dtype):
            raise TypeError(
                f"promote_types(): argument '{name}' (position {position}) must be ember.dtype, "
                f"not {type(value).__name__}"
            )
    return _PROMOTE[type1, type2]


# ---------------------------------------------------------------------------
# The default dtype is process-global, as in torch: set_default_dtype in the
# main thread also affects worker threads.

_default = {"float": float32}
_lock = threading.Lock()


def get_default_dtype() -> dtype:
    """The dtype Python floats become (float32 unless changed)."""
    return _default["float"]


def set_default_dtype(d: dtype) -> None:
    """Set the dtype Python floats become; only float32/float64 (and float16/bfloat16) are allowed.

    >>> ember.set_default_dtype(ember.float64)
    """
    if not isinstance(d, dtype) or d.category != FLOATING:
        raise TypeError(f"set_default_dtype(): only floating-point types are supported as the default type, got {d}")
    with _lock:
        _default["float"] = d


def default_complex_dtype() -> dtype:
    return complex128 if _default["float"] is float64 else complex64


def scalar_dtype(value: Any) -> dtype:
    """The dtype a Python scalar would have as a tensor (bool, int64, default float, complex)."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default["float"]
    if isinstance(value, complex):
        return default_complex_dtype()
    raise TypeError(f"expected a Python scalar (bool, int, float, complex), got {type(value).__name__}")


def _combine_categories(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """c10's combine_categories: a lower-priority operand only counts if its category is higher."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == COMPLEX:
        return higher
    if lower.category == COMPLEX:
        return higher.to_complex() if higher.category == FLOATING else lower
    if higher.category == FLOATING:
        return higher
    if higher is bool_ or lower.category == FLOATING:
        return _PROMOTE[higher, lower]
    return higher


def result_type(*operands: Any) -> dtype:
    """The dtype of an op's result by PyTorch's rules.

    Dimensioned tensors outrank 0-d tensors, which outrank Python scalars; a
    lower-ranked operand changes the result only when its category (bool <
    integer < floating < complex) is higher, so ``int32_tensor + 2`` stays int32
    and ``int32_tensor + 2.5`` becomes the default float dtype.

    >>> ember.result_type(ember.tensor([1, 2], dtype=ember.int32), 2.5)
    ember.float32
    """
    dim: dtype | None = None
    zero: dtype | None = None
    wrapped: dtype | None = None
    for op in operands:
        d = getattr(op, "_dtype", None)
        if d is None:
            if isinstance(op, dtype):
                dim = op if dim is None else _PROMOTE[dim, op]
                continue
            s = scalar_dtype(op)
            wrapped = s if wrapped is None else _PROMOTE[wrapped, s]
        elif op._data.ndim:
            dim = d if dim is None else _PROMOTE[dim, d]
        else:
            zero = d if zero is None else _PROMOTE[zero, d]
    out = _combine_categories(dim, _combine_categories(zero, wrapped))
    if out is None:
        raise TypeError("result_type(): expected at least one tensor or scalar")
    return out
