"""Ops that rearrange elements into new memory: tile, repeat, repeat_interleave, flip, roll,
rot90, tril/triu, diag, diag_embed, diagflat and trace.

Unlike the views in ``_ops_shape``, every result here owns fresh memory, as in
PyTorch. Each op is a few whole-array backend kernels (broadcast + reshape,
strided copy, concat, where, take, setitem with index arrays): nothing loops
over elements.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._inplace import inplace
from ember._ops_shape import _index_arg, _is_int, int_list, int_varargs
from ember._special_cases import no_kernel
from ember._tensor_base import TensorBase, check_same_device, check_sizes_nonneg, like, norm_dim

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = []  # module-level functions live in _ops_join

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = (
    "tile", "flip", "fliplr", "flipud", "roll", "rot90", "tril", "triu", "diag", "diag_embed", "diagflat",
    "trace",
)


class LayoutMixin(TensorBase):
    """Copying rearrangements as Tensor methods."""

    __slots__ = ()

    def repeat(self, *sizes: Any) -> Tensor:
        """Tile ``self`` ``sizes[i]`` times along each dim (PyTorch's repeat, NumPy's tile); a copy.

        ``sizes`` needs at least one entry per dim; extra leading entries add dims.

        >>> ember.tensor([1, 2]).repeat(2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]])
        """
        reps = int_varargs(sizes, "repeat", "repeats")
        if len(reps) < self._data.ndim:
            raise RuntimeError(
                "repeat(): Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
            )
        return _repeat(self, reps, "repeat")

    def tile(self, *dims: Any) -> Tensor:
        """Like :meth:`repeat`, but missing leading entries of ``dims`` count as 1.

        >>> ember.tensor([[1, 2]]).tile(2)
        tensor([[1, 2, 1, 2]])
        """
        reps = int_varargs(dims, "tile", "dims")
        return _repeat(self, (1,) * (self._data.ndim - len(reps)) + reps, "tile")

    def repeat_interleave(self, repeats: Any, dim: int | None = None, *, output_size: int | None = None) -> Tensor:
        """Repeat each element (or each slice along ``dim``) ``repeats`` times, in place order; a copy.

        ``repeats`` is an int or a 0-d / 1-d integer tensor with one count per slice; without
        ``dim`` the input is flattened first.

        >>> ember.tensor([1, 2]).repeat_interleave(2)
        tensor([1, 1, 2, 2])
        """
        if isinstance(repeats, TensorBase):
            return _interleave_tensor(self, repeats, dim, output_size)
        if not _is_int(repeats):
            raise TypeError(f"repeat_interleave(): argument 'repeats' must be int or Tensor, not {type(repeats).__name__}")
        r = int(repeats)
        t, d = _interleave_dim(self, dim, int_repeats=True)
        if r < 0:
            raise RuntimeError("repeat_interleave(): Repeats must be non-negative")
        shape = tuple(t._data.shape)
        if output_size is not None and output_size != shape[d] * r:
            raise RuntimeError(
                f"repeat_interleave: Invalid output_size, expected {shape[d] * r} but got {output_size}"
            )
        bk = t._backend
        spread = bk.broadcast_to(bk.reshape(t._data, (*shape[: d + 1], 1, *shape[d + 1 :]), None),
                                 (*shape[: d + 1], r, *shape[d + 1 :]))
        return like(self, bk.reshape(spread, (*shape[:d], shape[d] * r, *shape[d + 1 :]), True))

    def flip(self, *dims: Any) -> Tensor:
        """Reverse the order of elements along ``dims``; a copy.

        >>> ember.arange(3).flip(0)
        tensor([2, 1, 0])
        """
        ds = int_varargs(dims, "flip", "dims")
        nd = self._data.ndim
        seen: list[int] = []
        for d in ds:
            n = norm_dim(d, nd, "flip")
            if n in seen:
                raise RuntimeError(f"flip(): dim {n} appears multiple times in the list of dims")
            seen.append(n)
        return like(self, _flipped(self, seen))

    def fliplr(self) -> Tensor:
        """``flip(1)`` of a tensor with at least 2 dims (left/right in the matrix picture)."""
        if self._data.ndim < 2:
            raise RuntimeError("fliplr(): Input must be >= 2-d.")
        return like(self, _flipped(self, [1]))

    def flipud(self) -> Tensor:
        """``flip(0)`` of a tensor with at least 1 dim (up/down)."""
        if self._data.ndim < 1:
            raise RuntimeError("flipud(): Input must be >= 1-d.")
        return like(self, _flipped(self, [0]))

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Shift elements cyclically by ``shifts`` along ``dims`` (the flattened tensor without dims); a copy.

        >>> ember.arange(4).roll(1)
        tensor([3, 0, 1, 2])
        """
        sh = int_list(shifts, "roll", "shifts", 1)
        ds = () if dims is None else int_list(dims, "roll", "dims", 2)
        if not sh:
            raise RuntimeError("roll(): `shifts` required")
        bk = self._backend
        shape = tuple(self._data.shape)
        if not ds and len(sh) == 1:
            flat = bk.reshape(self._data, (self._data.size,), None)
            return like(self, bk.reshape(_rolled(bk, flat, sh[0], 0, True), shape, None))
        if len(sh) != len(ds):
            raise RuntimeError(f"roll(): shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
        if not shape:
            raise IndexError(f"roll(): Dimension specified as {ds[0]} but tensor has no dimensions")
        data = self._data
        for i, (s, d) in enumerate(zip(sh, ds, strict=True)):
            data = _rolled(bk, data, s, norm_dim(d, len(shape), "roll"), i == len(sh) - 1 and data is self._data)
        return like(self, data)

    def rot90(self, k: int = 1, dims: Any = (0, 1)) -> Tensor:
        """Rotate by ``k`` quarter turns in the plane of ``dims``, from the first dim towards the second.

        >>> ember.tensor([[1, 2], [3, 4]]).rot90()
        tensor([[2, 4],
                [1, 3]])
        """
        k = _index_arg(k, "rot90", "k")
        ds = int_list(dims, "rot90", "dims", 2)
        nd = self._data.ndim
        if len(ds) != 2:
            raise RuntimeError(f"rot90(): expected total rotation dims == 2, but got dims = {len(ds)}")
        if nd < 2:
            raise RuntimeError(f"rot90(): expected total dims >= 2, but got total dims = {nd}")
        a, b = norm_dim(ds[0], nd, "rot90"), norm_dim(ds[1], nd, "rot90")
        if a == b:
            raise RuntimeError(f"rot90(): expected rotation dims to be different, but got dim0 = {ds[0]} and dim1 = {ds[1]}")
        k %= 4
        if k == 2:
            return like(self, _flipped(self, [a, b]))
        if k == 0:
            return like(self, self._backend.copy(self._data))
        # As torch: flip one dim, then swap the two (the result keeps the swapped strides).
        axes = list(range(nd))
        axes[a], axes[b] = b, a
        flipped = _flipped(self, [b if k == 1 else a])
        return like(self, self._backend.permute_dims(flipped, tuple(axes)))

    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle of each matrix (last two dims) on and below ``diagonal``; the rest zeroed."""
        return like(self, _triangle(self, diagonal, True, "tril"))

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle of each matrix on and above ``diagonal``; the rest zeroed."""
        return like(self, _triangle(self, diagonal, False, "triu"))

    def tril_(self, diagonal: int = 0) -> Tensor:
        """In-place :meth:`tril`."""
        return _triangle_(self, diagonal, True, "tril_")

    def triu_(self, diagonal: int = 0) -> Tensor:
        """In-place :meth:`triu`."""
        return _triangle_(self, diagonal, False, "triu_")

    def diag(self, diagonal: int = 0) -> Tensor:
        """A 1-D tensor as the ``diagonal``-th diagonal of a square matrix, or a matrix's diagonal as a 1-D copy.

        >>> ember.tensor([1, 2]).diag()
        tensor([[1, 0],
                [0, 2]])
        """
        k = _diagonal_arg(diagonal, "diag", 1)
        nd = self._data.ndim
        if nd not in (1, 2):
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")
        if nd == 1:
            return like(self, _embedded(self, k, -2, -1))
        return like(self, self._backend.copy(self.diagonal(k)._data))  # type: ignore[attr-defined]

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        """Matrices whose ``offset``-th diagonal over dims ``dim1``/``dim2`` holds the last dim of ``self``.

        >>> ember.tensor([[1, 2]]).diag_embed().shape
        ember.Size([1, 2, 2])
        """
        k = _diagonal_arg(offset, "diag_embed", 1, "offset")
        nd = self._data.ndim + 1
        a, b = norm_dim(dim1, nd, "diag_embed"), norm_dim(dim2, nd, "diag_embed")
        if a == b:
            raise RuntimeError(f"diag_embed(): diagonal dimensions cannot be identical {dim1}, {dim2}")
        return like(self, _embedded(self, k, a, b))

    def diagflat(self, offset: int = 0) -> Tensor:
        """The flattened input as the ``offset``-th diagonal of a square matrix."""
        k = _diagonal_arg(offset, "diagflat", 1, "offset")
        flat = self.reshape(-1)  # type: ignore[attr-defined]
        return like(self, _embedded(flat, k, -2, -1))

    def trace(self) -> Tensor:
        """Sum of a matrix's main diagonal (integers sum to int64).

        >>> ember.tensor([[1, 2], [3, 4]]).trace()
        tensor(5)
        """
        if self._data.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self._data.ndim}")
        if self._dtype is D.bool_:
            raise no_kernel("trace", self._dtype, "convert the tensor to an integer dtype first")
        dt = D.int64 if self._dtype.category == D.INTEGRAL else self._dtype
        return like(self, self._backend.sum(self.diagonal()._data, None, False, dt), dt)  # type: ignore[attr-defined]


# -- helpers ------------------------------------------------------------------------------------------

def _diagonal_arg(value: Any, op: str, pos: int, name: str = "diagonal") -> int:
    if not _is_int(value):
        raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be int, not {type(value).__name__}")
    return operator.index(value)


def _repeat(t: TensorBase, reps: tuple[int, ...], op: str) -> Tensor:
    """``t`` (padded with leading 1s to ``len(reps)`` dims) tiled ``reps`` times: one broadcast, one copy."""
    shape = (1,) * (len(reps) - t._data.ndim) + tuple(t._data.shape)
    out_shape = check_sizes_nonneg(tuple(r * n for r, n in zip(reps, shape, strict=True)), op)
    bk = t._backend
    # (n0, n1) seen as (1, n0, 1, n1), broadcast to (r0, n0, r1, n1), then copied into (r0*n0, r1*n1).
    spread = bk.broadcast_to(
        bk.reshape(t._data, tuple(x for n in shape for x in (1, n)), None),
        tuple(x for r, n in zip(reps, shape, strict=True) for x in (r, n)),
    )
    return like(t, bk.reshape(spread, out_shape, True))


def _flipped(t: TensorBase, dims: list[int]) -> Any:
    """A fresh C-contiguous array of ``t`` reversed along ``dims``."""
    bk = t._backend
    shape = tuple(t._data.shape)
    dims = [d for d in dims if shape and shape[d] > 1]  # reversing 0 or 1 elements changes nothing
    if not dims or not t._data.size:
        return bk.copy(t._data)
    if bk.strided_views:
        # One copy through a negatively strided window that starts at the last element.
        strides = list(bk.strides(t._data))
        start = 0
        for d in dims:
            start += (shape[d] - 1) * strides[d]
            strides[d] = -strides[d]
        return bk.copy(bk.as_strided(t._data, shape, tuple(strides), start))
    data = t._data
    for d in dims:
        data = bk.take(data, bk.arange(shape[d] - 1, -1, -1, D.int64, t._device.index), d)
    return data


def _rolled(bk: Any, data: Any, shift: int, d: int, must_copy: bool) -> Any:
    n = data.shape[d]
    k = shift % n if n else 0
    if not k:
        return bk.copy(data) if must_copy else data
    lead = (slice(None),) * d
    return bk.concat([bk.getitem(data, (*lead, slice(n - k, n))), bk.getitem(data, (*lead, slice(0, n - k)))], d)


def _triangle(t: TensorBase, diagonal: Any, lower: bool, op: str) -> Any:
    k = _diagonal_arg(diagonal, op, 1)
    if t._data.ndim < 2:
        raise RuntimeError(f"{op.rstrip('_')}: input tensor must have at least 2 dimensions")
    bk = t._backend
    n, m = t._data.shape[-2:]
    index = t._device.index
    rows = bk.reshape(bk.arange(0, n, 1, D.int64, index), (n, 1), None)
    offsets = bk.subtract(bk.arange(0, m, 1, D.int64, index), rows)  # column - row
    keep = bk.less_equal(offsets, k) if lower else bk.greater_equal(offsets, k)
    return bk.where(keep, t._data, bk.full((), 0, t._dtype, index))


def _triangle_(t: TensorBase, diagonal: Any, lower: bool, op: str) -> Tensor:
    result = _triangle(t, diagonal, lower, op)
    if not t._data.size:
        return t  # type: ignore[return-value]  # nothing to write (an empty expanded view may be read-only)
    return inplace(t, like(t, result), op)


def _embedded(t: TensorBase, k: int, a: int, b: int) -> Any:
    """A zero array with ``t``'s last dim written on the ``k``-th diagonal over result dims ``a``/``b``."""
    bk = t._backend
    shape = tuple(t._data.shape)
    batch, n = shape[:-1], shape[-1]
    m = n + abs(k)
    index = t._device.index
    out = bk.full((*batch, m, m), 0, t._dtype, index)
    i = bk.arange(0, n, 1, D.int64, index)
    rows, cols = bk.add(i, max(-k, 0)), bk.add(i, max(k, 0))
    bk.setitem(out, (*(slice(None),) * len(batch), rows, cols), t._data)
    nd = len(batch) + 2
    a, b = a % nd, b % nd
    rest = iter(range(nd - 2))
    perm = tuple(nd - 2 if i == a else nd - 1 if i == b else next(rest) for i in range(nd))
    if perm == tuple(range(nd)):
        return out
    return bk.copy(bk.permute_dims(out, perm))  # torch's result is contiguous in its own layout


def _interleave_dim(t: TensorBase, dim: Any, *, int_repeats: bool) -> tuple[Any, int]:
    """The tensor to repeat along and the dim: the flattened input when ``dim`` is None."""
    if dim is None:
        return t.reshape(-1), 0  # type: ignore[attr-defined]
    nd = t._data.ndim
    d = norm_dim(dim, nd, "repeat_interleave")
    if not nd:  # torch fails here on 0-d input, each form with its own words
        if int_repeats:
            raise IndexError("repeat_interleave(): Dimension out of range (expected to be in range of [-1, 0], but got 1)")
        raise IndexError(f"repeat_interleave(): Dimension specified as {dim} but tensor has no dimensions")
    return t, d


def _interleave_tensor(t: TensorBase, repeats: TensorBase, dim: Any, output_size: Any) -> Tensor:
    check_same_device("repeat_interleave", (t, repeats))
    src, d = _interleave_dim(t, dim, int_repeats=False)
    size = src._data.shape[d]
    if repeats._data.ndim == 0 or (repeats._data.ndim == 1 and repeats._data.shape[0] == 1):
        counts = repeats._backend.broadcast_to(repeats._backend.reshape(repeats._data, (1,), None), (size,))
    elif repeats._data.ndim == 1:
        if repeats._data.shape[0] != size:
            raise RuntimeError(
                f"repeat_interleave(): repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {repeats._data.shape[0]} and input.size(0) = {size}"
            )
        counts = repeats._data
    else:
        raise RuntimeError("repeat_interleave(): repeats must be 0-dim or 1-dim tensor")
    index = interleave_index(repeats, counts, output_size)
    return like(t, src._backend.take(src._data, index, d))


def interleave_index(repeats: TensorBase, counts: Any, output_size: Any) -> Any:
    """int64 ``[0]*counts[0] + [1]*counts[1] + ...`` (``ember.repeat_interleave(counts)``) on the device."""
    if repeats._dtype not in (D.int32, D.int64):
        raise no_kernel("repeat_interleave", repeats._dtype, "repeats must be int64 or int32")
    bk = repeats._backend
    index = repeats._device.index
    if counts.shape[0] and bk.item(bk.any(bk.less(counts, 0), None, False)):
        raise RuntimeError("repeat_interleave(): repeats can not be negative")
    ends = bk.cumulative_sum(counts, 0, D.int64)
    total = int(bk.item(bk.getitem(ends, (-1,)))) if counts.shape[0] else 0
    if output_size is not None and output_size != total:
        raise RuntimeError("repeat_interleave(): allocated size does not match required size")
    # Output position p belongs to the first slice whose running count exceeds p.
    return bk.searchsorted(ends, bk.arange(0, total, 1, D.int64, index), "right")
