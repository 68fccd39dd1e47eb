"""Views and reshaping (view, reshape, permute, expand, ...) and joining (cat, stack, split).

Views share memory with their base on strided backends and report true
strides; :func:`view_of` marks them so in-place writes reach both.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ember._dtypes import result_type
from ember._tensor_base import (
    TensorBase,
    cast,
    check_same_device,
    like,
    norm_dim,
    norm_dims,
    norm_shape,
    wrap,
)

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = ["cat", "stack"]  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = (
    "reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose", "swapaxes", "swapdims", "t",
    "chunk", "split", "unbind", "clone",
)


def view_of(t: TensorBase, data: Any) -> Tensor:
    """A tensor viewing ``t``'s memory (or, on non-strided backends, a copying view)."""
    return wrap(data, t._dtype, t._device, t._backend, base=t)


def infer_shape(shape: tuple[int, ...], numel: int, op: str) -> tuple[int, ...]:
    """Resolve one ``-1`` in ``shape`` and check the element count."""
    infer = [i for i, s in enumerate(shape) if s == -1]
    if len(infer) > 1:
        raise RuntimeError(f"{op}(): only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"{op}(): invalid shape dimension {s}")
    known = math.prod(s for s in shape if s != -1)
    if infer:
        if known == 0 or numel % known:
            raise RuntimeError(f"{op}(): shape '{list(shape)}' is invalid for input of size {numel}")
        shape = (*shape[: infer[0]], numel // known, *shape[infer[0] + 1 :])
    elif known != numel:
        raise RuntimeError(f"{op}(): shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class ShapeMixin(TensorBase):
    """Reshaping, views and splitting as Tensor methods."""

    __slots__ = ()

    def view(self, *shape: Any) -> Tensor:
        """The same memory seen with a new shape; fails if the strides do not allow it.

        >>> ember.arange(6).view(2, -1)
        tensor([[0, 1, 2],
                [3, 4, 5]])
        """
        shape = infer_shape(norm_shape(shape, "view"), self._data.size, "view")
        try:
            data = self._backend.reshape(self._data, shape, False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension "
                "spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
        return view_of(self, data)

    def view_as(self, other: TensorBase) -> Tensor:
        """``self.view(other.shape)``."""
        return self.view(tuple(other._data.shape))

    def reshape(self, *shape: Any) -> Tensor:
        """A view with a new shape when the strides allow it, otherwise a copy."""
        shape = infer_shape(norm_shape(shape, "reshape"), self._data.size, "reshape")
        try:
            return view_of(self, self._backend.reshape(self._data, shape, False))
        except ValueError:
            return like(self, self._backend.reshape(self._data, shape, True))

    def reshape_as(self, other: TensorBase) -> Tensor:
        """``self.reshape(other.shape)``."""
        return self.reshape(tuple(other._data.shape))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims ``start_dim..end_dim`` into one (a view when possible)."""
        shape = tuple(self._data.shape)
        if not shape:
            return self.reshape(1)
        s = norm_dim(start_dim, len(shape), "flatten")
        e = norm_dim(end_dim, len(shape), "flatten")
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        return self.reshape(*shape[:s], math.prod(shape[s : e + 1]), *shape[e + 1 :])

    def squeeze(self, dim: Any = None) -> Tensor:
        """Remove size-1 dims (all of them, or those in ``dim``; other sizes are left alone)."""
        shape = tuple(self._data.shape)
        dims = norm_dims(dim, len(shape), "squeeze")
        keep = [n for i, n in enumerate(shape) if n != 1 or (dims is not None and i not in dims)]
        return view_of(self, self._backend.reshape(self._data, tuple(keep), None))

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dim at ``dim`` (``-1`` appends)."""
        old = self._data.shape
        d = norm_dim(dim, len(old) + 1, "unsqueeze")
        shape = (*old[:d], 1, *old[d:])
        bk = self._backend
        data = bk.reshape(self._data, shape, None)
        if self._base is not None and len(old) > 1 and bk.strided_views:
            # torch gives the new dim the stride size * stride of the dim it precedes (1 at the
            # end); NumPy picks its own for non-contiguous input (only views can be that, so fresh
            # tensors skip the stride queries). Only that size-1 dim can differ.
            strides = bk.strides(self._data)
            want = (*strides[:d], old[d] * strides[d] if d < len(old) else 1, *strides[d:])
            if tuple(bk.strides(data)) != want:
                data = bk.as_strided(self._data, shape, want, 0)
        return view_of(self, data)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder dims; a view.

        >>> ember.zeros(2, 3, 4).permute(2, 0, 1).shape
        ember.Size([4, 2, 3])
        """
        dims = norm_shape(dims, "permute", "dims")
        ndim = self._data.ndim
        if len(dims) != ndim:
            raise RuntimeError(
                f"permute(): number of dimensions in the tensor input does not match the length of the "
                f"desired ordering of dimensions i.e. input.dim() = {ndim} is not equal to len(dims) = {len(dims)}"
            )
        axes = tuple(norm_dim(d, ndim, "permute") for d in dims)
        if len(set(axes)) != ndim:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return view_of(self, self._backend.permute_dims(self._data, axes))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims; a view."""
        ndim = self._data.ndim
        axes = list(range(ndim))
        a, b = norm_dim(dim0, ndim, "transpose"), norm_dim(dim1, ndim, "transpose")
        if ndim:
            axes[a], axes[b] = axes[b], axes[a]
        return view_of(self, self._backend.permute_dims(self._data, tuple(axes)))

    swapaxes = swapdims = transpose

    def t(self) -> Tensor:
        """Transpose of a tensor with at most 2 dims."""
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
        return self.transpose(0, -1) if self._data.ndim == 2 else view_of(self, self._data)

    @property
    def T(self) -> Tensor:
        """All dims reversed (a view)."""
        return view_of(self, self._backend.permute_dims(self._data, tuple(range(self._data.ndim))[::-1]))

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped (a batch of transposed matrices)."""
        if self._data.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
        return self.transpose(-2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to ``sizes`` without copying (``-1`` keeps a size); a read-only view."""
        sizes = norm_shape(sizes, "expand")
        shape = tuple(self._data.shape)
        if len(sizes) < len(shape):
            raise RuntimeError(
                f"expand(): the number of sizes provided ({len(sizes)}) must be greater or equal to the "
                f"number of dimensions in the tensor ({len(shape)})"
            )
        lead = len(sizes) - len(shape)
        target = []
        for i, n in enumerate(sizes):
            have = shape[i - lead] if i >= lead else None
            if n == -1:
                if have is None:
                    raise RuntimeError(f"expand(): -1 is not allowed in a leading, non-existing dimension {i}")
                n = have
            elif have is not None and have != 1 and have != n:
                raise RuntimeError(
                    f"The expanded size of the tensor ({n}) must match the existing size ({have}) at "
                    f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}"
                )
            target.append(n)
        if tuple(target[lead:]) == shape and all(n == 1 for n in target[:lead]):
            # Nothing grows: a plain (writable) view, with torch's strides for the new leading 1s.
            return view_of(self, self._backend.reshape(self._data, tuple(target), None))
        return view_of(self, self._backend.broadcast_to(self._data, tuple(target)))

    def expand_as(self, other: TensorBase) -> Tensor:
        """``self.expand(other.shape)``."""
        return self.expand(tuple(other._data.shape))

    def contiguous(self) -> Tensor:
        """``self`` if C-contiguous, else a contiguous copy."""
        if self.is_contiguous():
            return self  # type: ignore[return-value]
        return like(self, self._backend.copy(self._data))

    def is_contiguous(self) -> bool:
        """Whether the elements are laid out in C order without gaps."""
        if self._data.size == 0:
            return True  # nothing to lay out: PyTorch calls every empty tensor contiguous
        expected = 1
        for n, s in zip(reversed(self._data.shape), reversed(self._backend.strides(self._data)), strict=True):
            if n != 1 and s != expected:
                return False
            expected *= n
        return True

    def clone(self) -> Tensor:
        """A copy that shares no memory with ``self``."""
        return like(self, self._backend.copy(self._data))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """Split into ``chunks`` views of ``ceil(size / chunks)`` (the last may be smaller, or fewer returned)."""
        chunks = _index_arg(chunks, "chunk", "chunks")
        if self._data.ndim == 0:
            raise RuntimeError("chunk(): chunk expects at least a 1-dimensional tensor")
        if chunks <= 0:
            raise RuntimeError(f"chunk(): number of chunks must be greater than 0, got {chunks}")
        d = norm_dim(dim, self._data.ndim, "chunk")
        size = self._data.shape[d]
        if size == 0:  # torch gives `chunks` empty pieces here, not one
            return self.split([0] * chunks, d)
        return self.split(-(-size // chunks), d)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """Split into views of ``split_size`` along ``dim``, or of the given list of sizes."""
        if self._data.ndim == 0:
            raise RuntimeError("split(): expected a tensor with at least one dimension, got a 0-d tensor")
        d = norm_dim(dim, self._data.ndim, "split")
        size = self._data.shape[d]
        if isinstance(split_size_or_sections, (list, tuple)):
            sizes = [_index_arg(s, "split", "split_size_or_sections") for s in split_size_or_sections]
            if sum(sizes) != size or any(s < 0 for s in sizes):
                raise RuntimeError(
                    f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
                    f"dimension {d}), but got split_sizes={sizes}"
                )
        else:
            step = _index_arg(split_size_or_sections, "split", "split_size_or_sections")
            if step <= 0 and size:
                raise RuntimeError(f"split(): split_size must be positive, got {step}")
            sizes = [min(step, size - i) for i in range(0, size, step)] if size else [0]
        out, start = [], 0
        lead = (slice(None),) * d
        for n in sizes:
            out.append(view_of(self, self._backend.getitem(self._data, (*lead, slice(start, start + n)))))
            start += n
        return tuple(out)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """Views of each slice along ``dim`` (the dim removed)."""
        if self._data.ndim == 0:
            raise IndexError(f"unbind(): Dimension specified as {dim} but tensor has no dimensions")
        d = norm_dim(dim, self._data.ndim, "unbind")
        lead = (slice(None),) * d
        return tuple(view_of(self, self._backend.getitem(self._data, (*lead, i))) for i in range(self._data.shape[d]))


def _index_arg(value: Any, op: str, name: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(value).__name__}") from None


def _tensors_arg(tensors: Any, op: str) -> list[TensorBase]:
    if isinstance(tensors, TensorBase) or not isinstance(tensors, Sequence):
        raise TypeError(f"{op}(): argument 'tensors' must be tuple of Tensors, not {type(tensors).__name__}")
    if not tensors:
        # torch's types: cat raises ValueError here, stack RuntimeError
        raise (ValueError if op == "cat" else RuntimeError)(f"{op}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, TensorBase):
            raise TypeError(f"{op}(): expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    check_same_device(op, tensors)
    return list(tensors)


def cat(tensors: Sequence[TensorBase], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim (dtypes promoted; legacy empty 1-D tensors skipped).

    >>> ember.cat([ember.zeros(1, 2), ember.ones(2, 2)]).shape
    ember.Size([3, 2])
    """
    ts = _tensors_arg(tensors, "cat")
    dt = result_type(*(t._dtype for t in ts))
    parts = [t for t in ts if not (t._data.ndim == 1 and t._data.shape[0] == 0)] or ts[:1]
    ref = parts[0]
    if ref._data.ndim == 0:
        raise RuntimeError("cat(): zero-dimensional tensor (at position 0) cannot be concatenated")
    d = norm_dim(dim, ref._data.ndim, "cat")
    for i, t in enumerate(ts):
        if t._data.ndim == 1 and t._data.shape[0] == 0 and t is not ref:
            continue
        if t._data.ndim != ref._data.ndim:
            raise RuntimeError(
                f"cat(): Tensors must have same number of dimensions: got {ref._data.ndim} and {t._data.ndim}"
            )
        for j, (a, b) in enumerate(zip(ref._data.shape, t._data.shape, strict=True)):
            if j != d and a != b:
                raise RuntimeError(
                    f"cat(): Sizes of tensors must match except in dimension {d}. Expected size {a} but got "
                    f"size {b} for tensor number {i} in the list."
                )
    return like(ref, ref._backend.concat([cast(t, dt) for t in parts], d), dt)


def stack(tensors: Sequence[TensorBase], dim: int = 0) -> Tensor:
    """Join equal-shape tensors along a new dim.

    >>> ember.stack([ember.zeros(2), ember.ones(2)], dim=1).shape
    ember.Size([2, 2])
    """
    ts = _tensors_arg(tensors, "stack")
    shape = tuple(ts[0]._data.shape)
    for i, t in enumerate(ts):
        if tuple(t._data.shape) != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                f"{list(t._data.shape)} at entry {i}"
            )
    d = norm_dim(dim, len(shape) + 1, "stack")
    dt = result_type(*(t._dtype for t in ts))
    return like(ts[0], ts[0]._backend.stack([cast(t, dt) for t in ts], d), dt)
