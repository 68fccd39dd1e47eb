"""The Tensor's storage slots and the helpers every op family shares.

A tensor is one native array of its backend plus metadata. Op families live in
mixins (``_ops_*.py``) that subclass :class:`TensorBase`; ``_tensor.py`` joins
them into :class:`ember.Tensor`. Results are built with :func:`wrap`, which
skips ``__init__`` (the legacy ``ember.Tensor(4, 3)`` constructor) entirely.
"""

from __future__ import annotations

import operator
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from ember import _dtypes as D
from ember._device import device
from ember._dtypes import dtype

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__ = ["TensorBase", "wrap", "Scalar", "SCALAR_TYPES"]

Scalar = bool | int | float | complex
SCALAR_TYPES = (bool, int, float, complex)

_new = object.__new__
_tensor_cls: type = object  # set to ember.Tensor by _tensor.py


class TensorBase:
    """Storage and metadata shared by every tensor; see :class:`ember.Tensor`."""

    __slots__ = (
        "__weakref__",
        "_backend",         # the backend instance that made _data
        "_base",            # the tensor this is a view of (None for non-views)
        "_data",            # the backend's native array
        "_device",          # interned ember device
        "_dtype",           # ember dtype
        "_grad_fn",         # autograd node that produced this tensor (None for leaves)
        "_meta",            # autograd's per-tensor extras (.grad, hooks, retain_grad)
        "_requires_grad",   # leaf flag; non-leaves require grad through _grad_fn
        "_version",         # [int] shared with views; None until first needed
        "_view_ver",        # a view's: the shared version when it was made (unset on non-views)
    )

    _data: Any
    _dtype: dtype
    _device: device
    _backend: Any
    _base: Tensor | None
    _version: list[int] | None
    _view_ver: int
    _requires_grad: bool
    _grad_fn: Any
    _meta: Any


#: ``_view_ver`` of a ``detach()`` result: a view made "after" any history its base may gain,
#: so autograd never hands it that history.
DETACHED = sys.maxsize


def wrap(data: Any, dt: dtype, dev: device, backend: Any, base: TensorBase | None = None) -> Tensor:
    """A new tensor around a native array (no copy, no checks). ``base`` makes it a view."""
    t: Any = _new(_tensor_cls)
    t._data = data
    t._dtype = dt
    t._device = dev
    t._backend = backend
    t._requires_grad = False
    t._grad_fn = None
    t._meta = None
    if base is None:
        t._base = None
        t._version = None
    else:
        # Views share their base's version counter, so an in-place write through
        # either is seen by autograd's saved-tensor check on both.
        root = base._base if base._base is not None else base
        if root._version is None:
            root._version = [0]
        t._base = root
        t._version = root._version
        t._view_ver = root._version[0]
    return t


def broadcasts_to(have: tuple[int, ...], want: tuple[int, ...]) -> bool:
    """Whether shape ``have`` broadcasts to exactly ``want`` (no dim of ``want`` grows)."""
    if len(have) > len(want):
        return False
    return all(a == 1 or a == b for a, b in zip(reversed(have), reversed(want[len(want) - len(have):]), strict=True))


def like(t: TensorBase, data: Any, dt: dtype | None = None) -> Tensor:
    """A new (non-view) tensor on ``t``'s device and backend."""
    return wrap(data, t._dtype if dt is None else dt, t._device, t._backend)


def bump_version(t: TensorBase) -> None:
    """Record an in-place write (autograd compares versions of saved tensors)."""
    if t._version is None:
        t._version = [1]
    else:
        t._version[0] += 1


def check_writable(t: TensorBase, op: str) -> None:
    """In-place writes need a real view on backends without strided views."""
    if t._base is not None and not t._backend.strided_views:
        raise RuntimeError(
            f"{op}(): the {t._backend.name!r} backend has no strided views, so this view is a copy "
            "and writing to it would not reach its base; write to the base tensor, or clone() first"
        )


def array_overlaps(backend: Any, data: Any) -> bool:
    """torch's ``has_internal_overlap``: some dim of size > 1 has stride 0 (an expanded view)."""
    if not backend.strided_views:
        return False
    return any(s == 0 and n > 1 for n, s in zip(data.shape, backend.strides(data), strict=True))


def check_no_overlap(t: TensorBase, op: str) -> None:
    """Refuse an elementwise write into a tensor whose elements share memory, as PyTorch does.

    Only views can overlap (fresh tensors never do), so non-views skip the stride query.
    """
    if t._base is not None and array_overlaps(t._backend, t._data):
        raise overlap_error(op)


def is_dense(shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
    """Whether a strided layout covers a block of memory exactly once (PyTorch's
    "non-overlapping and dense": some order of the dims is C-contiguous)."""
    expected = 1
    for stride, n in sorted(zip(strides, shape, strict=True)):
        if n != 1:
            if stride != expected:
                return False
            expected *= n
    return True


def check_partial_overlap(t: TensorBase, other: Any, op: str) -> None:
    """PyTorch's refusal of an in-place op whose tensor operand shares part of the written
    tensor's memory (``t[1:] += t[:-1]``, ``t += t.T``, ``t += t[0]``). The same view is fine;
    layouts that are not dense are not checked (torch: "too hard" to tell)."""
    if not isinstance(other, TensorBase) or other is t or other._data is t._data:
        return
    root = t._base if t._base is not None else t
    if (other._base if other._base is not None else other) is not root:
        return
    bk = t._backend
    if not bk.strided_views or not t._data.size or not other._data.size:
        return
    spans = []
    for x in (t, other):
        shape, strides = tuple(x._data.shape), tuple(bk.strides(x._data))
        if not is_dense(shape, strides):
            return
        start = int(bk.storage_offset(x._data))
        spans.append((start, start + sum(st * (n - 1) for st, n in zip(strides, shape, strict=True)), shape, strides))
    (a0, a1, ashape, ast), (b0, b1, bshape, bst) = spans
    if a1 < b0 or b1 < a0 or (a0 == b0 and ashape == bshape and ast == bst):
        return
    raise RuntimeError(
        f"{op}(): unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
        "single memory location. Please clone() the tensor before performing the operation."
    )


def overlap_error(op: str) -> RuntimeError:
    return RuntimeError(
        f"{op}(): unsupported operation: more than one element of the written-to tensor refers to a "
        "single memory location. Please clone() the tensor before performing the operation."
    )


def read_only_error(op: str) -> RuntimeError:
    """A write into memory the backend marks read-only (from_numpy of a non-writable array)."""
    return RuntimeError(
        f"{op}(): this tensor's memory is read-only (for example from_numpy() of a non-writable NumPy "
        "array); clone() it first"
    )


def device_error(op: str, a: TensorBase, b: TensorBase) -> RuntimeError:
    if a._device is b._device:
        return RuntimeError(
            f"{op}(): expected all tensors on one backend, got {a._backend.name!r} and "
            f"{b._backend.name!r} for device {a._device}; tensors made before ember.backends.use() "
            "keep their backend"
        )
    return RuntimeError(
        f"{op}(): expected all tensors to be on the same device, but found at least two devices, "
        f"{a._device} and {b._device}; move one with .to()"
    )


def check_same_device(op: str, tensors: Any) -> None:
    first = None
    for t in tensors:
        if first is None:
            first = t
        elif t._device is not first._device or t._backend is not first._backend:
            raise device_error(op, first, t)


def to_scalar(value: Any) -> Scalar | None:
    """A Python scalar from a Python or NumPy scalar; None if ``value`` is not one."""
    if isinstance(value, SCALAR_TYPES):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return value.item()
    return None


def cast(t: TensorBase, dt: dtype) -> Any:
    """``t``'s native array in dtype ``dt`` (no copy when it already is)."""
    return t._data if t._dtype is dt else t._backend.astype(t._data, dt)


# -- argument normalisation -----------------------------------------------------

def norm_dim(dim: Any, ndim: int, op: str) -> int:
    """A dimension argument made non-negative, with PyTorch's IndexError when out of range."""
    if isinstance(dim, bool):  # an int to Python, but torch refuses it as a dim
        raise TypeError(f"{op}(): argument 'dim' must be int, not bool")
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}") from None
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not lo <= d <= hi:
        raise IndexError(f"{op}(): Dimension out of range (expected to be in range of [{lo}, {hi}], but got {d})")
    if not ndim:
        return 0  # a 0-d tensor's dims -1 and 0 both name the tensor itself
    return d + ndim if d < 0 else d


def norm_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """``dim`` as a sorted tuple of distinct non-negative dims (None: every dim)."""
    if dim is None:
        return None
    dims = (dim,) if not isinstance(dim, (tuple, list)) else tuple(dim)
    out = tuple(norm_dim(d, ndim, op) for d in dims)
    if len(set(out)) != len(out):
        repeated = next(d for i, d in enumerate(out) if d in out[:i])  # torch names the dim, not the list
        raise RuntimeError(f"{op}(): dim {repeated} appears multiple times in the list of dims")
    return out


def norm_shape(args: tuple[Any, ...], op: str, name: str = "size") -> tuple[int, ...]:
    """Sizes given as ``f(2, 3)`` or ``f((2, 3))`` / ``f([2, 3])`` / ``f(ember.Size)``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    for s in args:
        if type(s) is not int:
            break
    else:
        return args  # the common case: plain ints
    try:
        if any(isinstance(s, bool) for s in args):
            raise TypeError
        shape = tuple(operator.index(s) for s in args)
    except TypeError:
        bad = next(s for s in args if not _is_index(s))
        raise TypeError(
            f"{op}(): argument '{name}' must be a sequence of ints, but got {type(bad).__name__} ({bad!r})"
        ) from None
    return shape


def check_sizes_nonneg(shape: tuple[int, ...], op: str) -> tuple[int, ...]:
    for s in shape:
        if s < 0:
            raise RuntimeError(f"{op}(): Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def _is_index(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    try:
        operator.index(x)
    except TypeError:
        return False
    return True


def default_float() -> dtype:
    return D.get_default_dtype()
