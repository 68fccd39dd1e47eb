"""Views and reshaping (view, reshape, permute, expand, narrow, diagonal, unfold, ...),
splitting (split, tensor_split, hsplit, ...) and joining (cat, stack).

Views share memory with their base on strided backends and report true
strides (PyTorch's, computed here where the backend might choose others);
:func:`view_of` marks them so in-place writes reach both.
"""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._dtypes import result_type
from ember._special_cases import tname as _tname
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
    "chunk", "split", "unbind", "clone", "unflatten", "movedim", "moveaxis", "narrow", "tensor_split",
    "hsplit", "vsplit", "dsplit", "diagonal", "broadcast_to", "adjoint",
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
        """All dims reversed (a view); PyTorch deprecates it for other than 2-D tensors and warns."""
        nd = self._data.ndim
        if nd != 2:
            warnings.warn(_T_0D if nd == 0 else _T_ND, UserWarning, stacklevel=2)
        return self.permute(tuple(range(nd))[::-1])  # a method call, so autograd records it (PermuteBackward0)

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped (a batch of transposed matrices); a view."""
        return _matrix_transpose(self, "tensor.mT", "Tensor.mT", conj=False)

    @property
    def H(self) -> Tensor:
        """Conjugate transpose of a matrix (a view for real dtypes; complex ones are conjugated copies)."""
        nd = self._data.ndim
        if nd == 0:
            warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, stacklevel=2)
            return _conj(self, self)  # type: ignore[arg-type]
        if nd != 2:
            hint = " For batches of matrices, consider using tensor.mH" if nd > 2 else ""
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D tensor.{hint}")
        return self.adjoint()  # a method call, so autograd records it

    @property
    def mH(self) -> Tensor:
        """Conjugate transpose of the last two dims (a batch of adjoint matrices)."""
        if self._data.ndim >= 2:
            return self.adjoint()  # a method call, so autograd records it
        return _matrix_transpose(self, "tensor.mH", "Tensor.mH", conj=True)

    def adjoint(self) -> Tensor:
        """``self.mH``: the conjugate transpose of the last two dims."""
        return _matrix_transpose(self, "tensor.adjoint()", "adjoint()", conj=True)

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

    # -- more views: unflatten, movedim, narrow, tensor_split, unfold, diagonal --------------------

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        """Split dim ``dim`` into ``sizes`` (one of them may be -1); a view.

        >>> ember.arange(6).unflatten(0, (2, -1)).shape
        ember.Size([2, 3])
        """
        d = norm_dim(dim, self._data.ndim, "unflatten")
        sizes = int_list(sizes, "unflatten", "sizes", 2, allow_int=False)
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        if not self._data.ndim:
            raise RuntimeError("unflatten got an unexpected error: Dimension specified as 0 but tensor has no dimensions")
        shape = tuple(self._data.shape)
        try:
            sizes = infer_shape(sizes, shape[d], "unflatten")
        except RuntimeError as exc:
            if "is invalid for input of size" not in str(exc):
                raise RuntimeError(f"unflatten got an unexpected error: {str(exc).split(': ', 1)[1]}") from None
            raise RuntimeError(
                f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
                f"({shape[d]}) in the input tensor"
            ) from None
        new_shape = (*shape[:d], *sizes, *shape[d + 1 :])
        bk = self._backend
        if not bk.strided_views:
            return view_of(self, bk.reshape(self._data, new_shape, None))
        # Splitting one dim is always a view; its strides are torch's (NumPy may pick others for 1s and 0s).
        strides = bk.strides(self._data)
        inner = [strides[d] * math.prod(sizes[i + 1 :]) for i in range(len(sizes))]
        return _strided_view(self, new_shape, (*strides[:d], *inner, *strides[d + 1 :]), 0)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        """Move dims ``source`` to positions ``destination`` (ints or sequences), keeping the others in order; a view.

        >>> ember.zeros(2, 3, 4).movedim(0, -1).shape
        ember.Size([3, 4, 2])
        """
        nd = self._data.ndim
        if isinstance(source, (list, tuple)) is not isinstance(destination, (list, tuple)):
            raise TypeError(
                f"movedim(): expected source and destination both ints or both sequences of ints, got "
                f"{type(source).__name__} and {type(destination).__name__}"
            )
        src = int_list(source, "movedim", "source", 1)
        dst = int_list(destination, "movedim", "destination", 2)
        if len(src) != len(dst):
            raise RuntimeError(
                f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain the same "
                f"number of dims as destination ({list(dst)} dims)"
            )
        s = [norm_dim(d, nd, "movedim") for d in src]
        t = [norm_dim(d, nd, "movedim") for d in dst]
        for name, given, normed in (("source", src, s), ("destination", dst, t)):
            if len(set(normed)) != len(normed):
                raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
        if nd == 0:
            return view_of(self, self._data)
        perm = [-1] * nd
        for a, b in zip(s, t, strict=True):
            perm[b] = a
        rest = iter(i for i in range(nd) if i not in s)
        perm = [p if p != -1 else next(rest) for p in perm]
        return view_of(self, self._backend.permute_dims(self._data, tuple(perm)))

    moveaxis = movedim

    def narrow(self, dim: int, start: Any, length: int) -> Tensor:
        """Elements ``start .. start + length - 1`` along ``dim`` (``start`` may be negative or a 0-d tensor); a view.

        >>> ember.arange(5).narrow(0, 1, 3)
        tensor([1, 2, 3])
        """
        if isinstance(start, TensorBase):
            if start._data.ndim or start._dtype.category != D.INTEGRAL:
                raise RuntimeError("narrow(): start must be an 0-dim integral Tensor.")
            start = start.item()  # type: ignore[attr-defined]
        start = _index_arg(start, "narrow", "start")
        length = _index_arg(length, "narrow", "length")
        if not self._data.ndim:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        if length < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        d = norm_dim(dim, self._data.ndim, "narrow")
        size = self._data.shape[d]
        if not -size <= start <= size:
            raise IndexError(f"narrow(): start out of range (expected to be in range of [{-size}, {size}], but got {start})")
        if start < 0:
            start += size
        if start > size - length:
            raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({size}).")
        return _slice_view(self, d, start, start + length)

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """Views split along ``dim``: into ``sections`` nearly equal parts, or at the given indices.

        >>> [t.tolist() for t in ember.arange(5).tensor_split(2)]
        [[0, 1, 2], [3, 4]]
        """
        if not self._data.ndim:
            raise RuntimeError(
                "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
            )
        arg = indices_or_sections
        sections = None
        if isinstance(arg, TensorBase):
            if arg._dtype is not D.int64:
                raise RuntimeError(
                    f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got {_tname(arg._dtype)}"
                )
            if arg._data.ndim > 1:
                raise RuntimeError(
                    "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional "
                    f"tensor, but got a tensor with {arg._data.ndim} dims"
                )
            values = arg.tolist()  # type: ignore[attr-defined]
            if arg._data.ndim == 0:
                sections = values
            else:
                indices = tuple(values)
        elif isinstance(arg, (list, tuple)):
            indices = int_list(arg, "tensor_split", "indices", 1)
        else:
            if isinstance(arg, bool) or not _is_int(arg):
                raise TypeError(
                    f"tensor_split(): argument 'indices_or_sections' must be int, tuple of ints or Tensor, "
                    f"not {type(arg).__name__}"
                )
            sections = operator.index(arg)
        d = norm_dim(dim, self._data.ndim, "tensor_split")
        size = self._data.shape[d]
        if sections is not None:
            if sections <= 0:
                raise RuntimeError(f"tensor_split(): number of sections must be larger than 0, got {sections}")
            each, extra = divmod(size, sections)
            bounds = [i * each + min(i, extra) for i in range(sections + 1)]
            return tuple(_slice_view(self, d, bounds[i], bounds[i + 1]) for i in range(sections))
        out, start = [], 0
        for stop in (*indices, size):
            # Python slice semantics, as torch's slice(): negatives wrap, bounds clamp, stop >= start.
            a, b, _ = slice(start, stop).indices(size)
            out.append(_slice_view(self, d, a, max(a, b)))
            start = stop
        return tuple(out)

    def hsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        """``tensor_split`` along dim 1 (dim 0 for 1-D tensors); an int must divide that dim."""
        return _nsplit(self, indices_or_sections, "hsplit", 1, 1 if self._data.ndim > 1 else 0)

    def vsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        """``tensor_split`` along dim 0 of a tensor with at least 2 dims."""
        return _nsplit(self, indices_or_sections, "vsplit", 2, 0)

    def dsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        """``tensor_split`` along dim 2 of a tensor with at least 3 dims."""
        return _nsplit(self, indices_or_sections, "dsplit", 3, 2)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        """Sliding windows of ``size`` elements, ``step`` apart, along ``dimension`` (a new last dim); a view.

        >>> ember.arange(5).unfold(0, 2, 2)
        tensor([[0, 1],
                [2, 3]])
        """
        nd = self._data.ndim
        d = norm_dim(dimension, nd, "unfold")
        size = _index_arg(size, "unfold", "size", 2)
        step = _index_arg(step, "unfold", "step", 3)
        shape = tuple(self._data.shape)
        bk = self._backend
        strides = tuple(bk.strides(self._data))
        most = shape[d] if nd else 1
        if size > most:
            raise RuntimeError(f"unfold(): maximum size for tensor at dimension {d} is {most} but size is {size}")
        if size < 0:
            raise RuntimeError(f"unfold(): size is {size} but must be >= 0")
        if step <= 0:
            raise RuntimeError(f"unfold(): step is {step} but must be > 0")
        if nd:
            new_shape = (*shape[:d], (shape[d] - size) // step + 1, *shape[d + 1 :], size)
            new_strides = (*strides[:d], step * strides[d], *strides[d + 1 :], strides[d])
        else:
            new_shape, new_strides = (size,), (1,)
        return _strided_view(self, new_shape, new_strides, 0)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The diagonal over dims ``dim1``/``dim2`` (above it for ``offset > 0``) as a new last dim; a view.

        >>> ember.arange(9).view(3, 3).diagonal(1)
        tensor([1, 5])
        """
        offset = _index_arg(offset, "diagonal", "offset", 1)
        nd = self._data.ndim
        a, b = norm_dim(dim1, nd, "diagonal"), norm_dim(dim2, nd, "diagonal")
        if a == b:
            raise RuntimeError(f"diagonal(): diagonal dimensions cannot be identical {dim1}, {dim2}")
        shape = tuple(self._data.shape)
        bk = self._backend
        strides = tuple(bk.strides(self._data))
        if offset >= 0:
            n = max(min(shape[a], shape[b] - offset), 0)
        else:
            n = max(min(shape[a] + offset, shape[b]), 0)
        start = 0 if n == 0 else offset * strides[b] if offset >= 0 else -offset * strides[a]
        keep = [i for i in range(nd) if i not in (a, b)]
        new_shape = (*(shape[i] for i in keep), n)
        new_strides = (*(strides[i] for i in keep), strides[a] + strides[b])
        return _strided_view(self, new_shape, new_strides, start)

    def broadcast_to(self, size: Any) -> Tensor:
        """``self.expand(size)``: a view broadcast to ``size``."""
        return self.expand(size)


_T_0D = "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
_T_ND = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will "
    "throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
    "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor."
)


def _index_arg(value: Any, op: str, name: str, pos: int | None = None) -> int:
    where = f"'{name}'" if pos is None else f"'{name}' (position {pos})"
    if isinstance(value, bool):  # an int to Python, never one to torch's argument parser
        raise TypeError(f"{op}(): argument {where} must be int, not bool")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{op}(): argument {where} must be int, not {type(value).__name__}") from None


def _is_int(value: Any) -> bool:
    try:
        operator.index(value)
    except TypeError:
        return False
    return not isinstance(value, bool)


def int_list(value: Any, op: str, name: str, pos: int, *, allow_int: bool = True) -> tuple[int, ...]:
    """torch's ``int[]`` argument: a sequence of ints (or one int), with its TypeError otherwise."""
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            if not _is_int(v):
                raise TypeError(
                    f"{op}(): argument '{name}' (position {pos}) must be tuple of ints, but found element of "
                    f"type {type(v).__name__} at pos {i}"
                )
        return tuple(operator.index(v) for v in value)
    if not allow_int or not _is_int(value):
        raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be tuple of ints, not {type(value).__name__}")
    return (operator.index(value),)


def int_varargs(args: tuple[Any, ...], op: str, name: str) -> tuple[int, ...]:
    """Ints given as ``f(1, 2)`` or ``f((1, 2))``, as torch's ``int[]`` varargs methods take them."""
    return int_list(args[0] if len(args) == 1 else args, op, name, 1)


def _strided_view(t: TensorBase, shape: tuple[int, ...], strides: tuple[int, ...], offset: int) -> Tensor:
    """A view of ``t``'s memory with torch's strides (an empty tensor's memory holds nothing to stride over)."""
    if not t._data.size:
        strides, offset = (0,) * len(shape), 0
    return view_of(t, t._backend.as_strided(t._data, shape, strides, offset))


def _slice_view(t: TensorBase, d: int, start: int, stop: int) -> Tensor:
    return view_of(t, t._backend.getitem(t._data, (*(slice(None),) * d, slice(start, stop))))


def _nsplit(t: TensorBase, arg: Any, op: str, min_dims: int, d: int) -> tuple[Tensor, ...]:
    """hsplit/vsplit/dsplit: torch's dimension and divisibility checks, then :meth:`tensor_split`."""
    nd = t._data.ndim
    if nd < min_dims:
        raise RuntimeError(
            f"torch.{op} requires a tensor with at least {min_dims} dimension, but got a tensor with {nd} dimensions!"
        )
    if not isinstance(arg, (list, tuple)):
        sections = _index_arg(arg, op, "sections")
        size = t._data.shape[d]
        if sections == 0 or size % sections:
            raise RuntimeError(
                f"torch.{op} attempted to split along dimension {d}, but the size of the dimension {size} is "
                f"not divisible by the split_size {sections}!"
            )
        arg = sections
    return t.tensor_split(arg, d)  # type: ignore[attr-defined]


def _matrix_transpose(t: ShapeMixin, name: str, deprecated: str, *, conj: bool) -> Tensor:
    """mT / mH / adjoint(): 0-D tensors pass through with torch's deprecation warning."""
    nd = t._data.ndim
    if nd == 0:
        hint = "Consider using x.conj()." if conj else "This function is the identity in these cases."
        warnings.warn(f"{deprecated} is deprecated on 0-D tensors. {hint}", UserWarning, stacklevel=3)
        return _conj(t, t) if conj else t  # type: ignore[arg-type, return-value]
    if nd < 2:
        raise RuntimeError(f"{name} is only supported on matrices or batches of matrices. Got {nd}-D tensor.")
    v = t.transpose(-2, -1)
    return _conj(t, v) if conj else v


def _conj(t: TensorBase, v: Tensor) -> Tensor:
    """``v`` conjugated when ``t`` is complex (a copy: Ember has no lazy conjugate views)."""
    return like(v, v._backend.conj(v._data)) if t._dtype.category == D.COMPLEX else v


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


_dispatch_install(globals(), ["cat", "stack"])  # ember-autograd records these (see _dispatch)
