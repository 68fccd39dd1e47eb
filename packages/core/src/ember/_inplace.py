"""Writing results into existing tensors: ``out=`` arguments and in-place ops.

Ops compute out of place and these functions copy the result back, so the
casting rule, the shape checks and the version bump live in one place.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from ember._dtypes import FLOATING, dtype, result_type
from ember._special_cases import tname
from ember._tensor_base import (
    TensorBase,
    broadcasts_to,
    bump_version,
    check_no_overlap,
    check_writable,
    device_error,
    read_only_error,
    to_scalar,
)
from ember.backends._optional import kernel

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__ = ["can_cast", "write_out", "inplace", "inplace_arith", "check_inplace_result"]


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
            f"{op}(): result type {tname(result._dtype)} can't be cast to the desired output type "
            f"{tname(out._dtype)}"
        )
    check_writable(out, op)
    check_no_overlap(out, op)
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
    try:
        out._backend.copy_into(out._data, result._data)
    except ValueError as exc:
        raise read_only_error(op) from exc
    bump_version(out)
    return out  # type: ignore[return-value]


def inplace(t: TensorBase, result: TensorBase, op: str) -> Tensor:
    """Write an out-of-place result back into ``t`` (PyTorch's in-place casting rule)."""
    if not can_cast(result._dtype, t._dtype):
        raise RuntimeError(
            f"{op}(): result type {tname(result._dtype)} can't be cast to the desired output type "
            f"{tname(t._dtype)}"
        )
    if tuple(result._data.shape) != tuple(t._data.shape):
        raise RuntimeError(
            f"{op}(): output with shape {list(t._data.shape)} doesn't match the broadcast shape "
            f"{list(result._data.shape)}"
        )
    check_writable(t, op)
    check_no_overlap(t, op)
    try:
        t._backend.copy_into(t._data, result._data)
    except ValueError as exc:  # memory the backend marks read-only
        raise read_only_error(op) from exc
    bump_version(t)
    return t  # type: ignore[return-value]


def inplace_arith(t: TensorBase, other: Any, name: str, op: str) -> Tensor | None:
    """``t = name(t, other)`` written straight into ``t`` by the backend's ``binary_into``, for
    the common case (a real floating ``t``; ``other`` a Python number or a tensor of ``t``'s
    dtype and device that broadcasts to ``t``'s shape). None: take the general path."""
    dt = t._dtype
    if dt.category != FLOATING:
        return None
    if isinstance(other, TensorBase):
        if other._dtype is not dt or other._device is not t._device or other._backend is not t._backend:
            return None
        src = other._data
        have, want = tuple(src.shape), tuple(t._data.shape)
        if have != want and not broadcasts_to(have, want):
            return None
    elif type(other) is float or type(other) is int:
        src = other
    else:
        return None
    check_writable(t, op)
    check_no_overlap(t, op)
    try:
        kernel(t._backend, "binary_into")(name, t._data, src)
    except ValueError as exc:  # memory the backend marks read-only (checked before any write)
        raise read_only_error(op) from exc
    bump_version(t)
    return t  # type: ignore[return-value]



def check_inplace_result(t: TensorBase, other: Any, op: str) -> None:
    """Refuse ``t op= other`` early when the promoted result could not be stored in ``t``."""
    operand = other if isinstance(other, TensorBase) else to_scalar(other)
    if operand is None:
        return  # the op itself reports the bad operand
    rt = result_type(t, operand)
    if not can_cast(rt, t._dtype):
        raise RuntimeError(f"{op}(): result type {tname(rt)} can't be cast to the desired output type {tname(t._dtype)}")
