"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, nanmedian,
mode, unique and unique_consecutive.

Everything is built on the backend's ``argsort`` (NaN sorts as the largest value,
as in PyTorch) and ``take_along_axis``; an order statistic is a sort followed by
picking one position per slice, so no Python loop ever runs over elements or
batch items. Where PyTorch's choice among equal elements is unspecified (the
index ``median``, ``kthvalue`` and ``topk`` return for ties), Ember returns the
one a stable sort gives.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._ops_reduce import _named, values_indices
from ember._special_cases import no_kernel
from ember._tensor_base import TensorBase, like, norm_dim

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = []  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = (
    "sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique",
    "unique_consecutive",
)


def _axis(t: TensorBase, dim: Any, op: str) -> int:
    """``dim`` checked and made non-negative; a 0-d tensor is handled as its 1-element 1-d view."""
    return norm_dim(dim, t._data.ndim, op)


def _check_sortable(t: TensorBase, op: str) -> None:
    if t._dtype.category == D.COMPLEX:
        raise RuntimeError(f"{op}(): Sort does not support complex dtypes")


def _order(t: TensorBase, axis: int, descending: bool, stable: bool = True) -> Any:
    """int64 positions sorting ``t`` along ``axis`` (0-d data seen as 1-d)."""
    x = t._data if t._data.ndim else t._backend.reshape(t._data, (1,), None)
    return t._backend.argsort(x, axis, descending, stable)


def _pick(t: TensorBase, order: Any, pos: Any, axis: int, keepdim: bool) -> values_indices:
    """(value, index) at sorted position ``pos`` (an int64 array with a size-1 ``axis``) per slice."""
    bk = t._backend
    x = t._data if t._data.ndim else bk.reshape(t._data, (1,), None)
    indices = bk.take_along_axis(order, pos, axis)
    values = bk.take_along_axis(x, indices, axis)
    if not keepdim or t._data.ndim == 0:
        shape = tuple(n for d, n in enumerate(t._data.shape) if d != axis)
        values, indices = bk.reshape(values, shape, None), bk.reshape(indices, shape, None)
    return values_indices(like(t, values), like(t, indices, D.int64))


def _empty_dim(t: TensorBase, axis: int, op: str) -> None:
    if t._data.ndim and t._data.shape[axis] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {axis} to have non-zero size.")


def _slice(ndim: int, axis: int, part: slice) -> tuple[Any, ...]:
    return tuple(part if d == axis else slice(None) for d in range(ndim))


class SortMixin(TensorBase):
    """Sorting and order statistics as Tensor methods."""

    __slots__ = ()

    def sort(self, dim: Any = -1, descending: bool = False, *, stable: bool = False) -> Any:
        """Values sorted along ``dim`` and the indices that sort them; NaN sorts last
        (first when ``descending``). ``stable`` keeps equal elements in order.

        >>> ember.tensor([3.0, 1.0, 2.0]).sort()
        ember.return_types.sort(
        values=tensor([1., 2., 3.]),
        indices=tensor([1, 2, 0]))
        """
        axis = _axis(self, dim, "sort")
        _check_sortable(self, "sort")
        bk = self._backend
        if self._data.ndim == 0:
            pair = values_indices(like(self, bk.copy(self._data)), like(self, bk.full((), 0, D.int64, None), D.int64))
            return _named("sort", pair)
        order = bk.argsort(self._data, axis, bool(descending), bool(stable))
        values = bk.take_along_axis(self._data, order, axis)
        return _named("sort", values_indices(like(self, values), like(self, order, D.int64)))

    def argsort(self, dim: Any = -1, descending: bool = False, stable: bool = False) -> Tensor:
        """The int64 indices that sort ``self`` along ``dim`` (see :meth:`sort`).

        >>> ember.tensor([3.0, 1.0, 2.0]).argsort()
        tensor([1, 2, 0])
        """
        axis = _axis(self, dim, "argsort")
        _check_sortable(self, "argsort")
        order = _order(self, axis, bool(descending), bool(stable))
        if self._data.ndim == 0:
            order = self._backend.reshape(order, (), None)
        return like(self, order, D.int64)

    def msort(self) -> Tensor:
        """Values sorted along the first dim."""
        return self.sort(0).values

    def topk(self, k: Any, dim: Any = -1, largest: bool = True, sorted: bool = True) -> Any:
        """The ``k`` largest (``largest=False``: smallest) values along ``dim`` and their indices,
        in sorted order; NaN counts as the largest value.

        >>> ember.tensor([1.0, 3.0, 2.0]).topk(2)
        ember.return_types.topk(
        values=tensor([3., 2.]),
        indices=tensor([1, 2]))
        """
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError(f"topk(): argument 'k' (position 1) must be int, not {type(k).__name__}")
        axis = _axis(self, dim, "topk")
        size = self._data.shape[axis] if self._data.ndim else 1
        if not 0 <= k <= size:
            raise RuntimeError("topk(): selected index k out of range")
        if self._dtype is D.bool_:
            raise RuntimeError("topk(): topk does not support bool dtypes")
        if self._dtype.category == D.COMPLEX:
            raise RuntimeError("topk(): topk does not support complex dtypes")
        bk = self._backend
        order = _order(self, axis, bool(largest))
        if self._data.ndim == 0:
            pair = values_indices(like(self, bk.copy(self._data)), like(self, bk.full((), 0, D.int64, None), D.int64))
            return _named("topk", pair)
        order = bk.getitem(order, _slice(self._data.ndim, axis, slice(0, k)))
        values = bk.take_along_axis(self._data, order, axis)
        return _named("topk", values_indices(like(self, values), like(self, bk.copy(order), D.int64)))

    def kthvalue(self, k: Any, dim: Any = -1, keepdim: bool = False) -> Any:
        """The ``k``-th smallest value (1-based) along ``dim`` and its index.

        >>> ember.tensor([3.0, 1.0, 2.0]).kthvalue(2)
        ember.return_types.kthvalue(
        values=tensor(2.),
        indices=tensor(2))
        """
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError(f"kthvalue(): argument 'k' (position 1) must be int, not {type(k).__name__}")
        axis = _axis(self, dim, "kthvalue")
        _empty_dim(self, axis, "kthvalue")
        size = self._data.shape[axis] if self._data.ndim else 1
        if not 1 <= k <= size:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
        if self._dtype is D.bool_ or self._dtype.category == D.COMPLEX:
            raise no_kernel("kthvalue", self._dtype)
        return _named("kthvalue", _at_position(self, axis, keepdim, k - 1))

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The lower median (NaN if any element is NaN); with ``dim``, ``(values, indices)``.

        >>> ember.tensor([3.0, 1.0, 2.0, 4.0]).median()
        tensor(2.)
        """
        return _median(self, dim, keepdim, "median", skip_nan=False)

    def nanmedian(self, dim: Any = None, keepdim: bool = False) -> Any:
        """:meth:`median` of the non-NaN elements (NaN where all are NaN)."""
        return _median(self, dim, keepdim, "nanmedian", skip_nan=True)

    def mode(self, dim: Any = -1, keepdim: bool = False) -> Any:
        """The most frequent value along ``dim`` (the smallest among equally frequent ones)
        and the index of its last occurrence.

        >>> ember.tensor([1, 2, 2, 3]).mode()
        ember.return_types.mode(
        values=tensor(2),
        indices=tensor(2))
        """
        axis = _axis(self, dim, "mode")
        _empty_dim(self, axis, "mode")
        if self._dtype.category == D.COMPLEX:
            raise no_kernel("mode", self._dtype)
        bk = self._backend
        x = self._data if self._data.ndim else bk.reshape(self._data, (1,), None)
        order = bk.argsort(x, axis, False, True)
        s = bk.take_along_axis(x, order, axis)
        starts = _run_starts(bk, s, axis, self._dtype)
        # run id of each sorted element, then the length of the run it belongs to
        run = bk.subtract(bk.cumulative_sum(starts, axis, D.int64), 1)
        counts = bk.full(tuple(x.shape), 0, D.int64, self._device.index)
        bk.scatter_add(counts, axis, run, bk.full(tuple(x.shape), 1, D.int64, self._device.index))
        length = bk.take_along_axis(counts, run, axis)
        # argmax finds the first (smallest) longest run; its last element is the last occurrence
        first = bk.argmax(length, axis, True)
        pos = bk.subtract(bk.add(first, bk.take_along_axis(length, first, axis)), 1)
        return _named("mode", _pick(self, order, pos, axis, keepdim))

    def unique(
        self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim: Any = None
    ) -> Any:
        """The sorted distinct values (slices along ``dim`` when given), optionally with the index
        of each element's value (``return_inverse``) and each value's count (``return_counts``).

        >>> ember.tensor([3, 1, 2, 1]).unique(return_counts=True)
        (tensor([1, 2, 3]), tensor([2, 1, 1]))
        """
        if self._dtype.category == D.COMPLEX:
            raise no_kernel("unique", self._dtype)
        bk = self._backend
        if dim is None:
            values, inverse, counts = bk.unique(self._data)
            inverse = bk.reshape(inverse, tuple(self._data.shape), None)
            return _unique_result(self, values, inverse, counts, return_inverse, return_counts)
        axis = _axis(self, dim, "unique")
        return _unique_dim(self, axis, return_inverse, return_counts, consecutive=False)

    def unique_consecutive(
        self, return_inverse: bool = False, return_counts: bool = False, dim: Any = None
    ) -> Any:
        """Collapse each run of equal consecutive elements (slices along ``dim``) to one.

        >>> ember.tensor([1, 1, 2, 1]).unique_consecutive()
        tensor([1, 2, 1])
        """
        if self._dtype.category == D.COMPLEX:
            raise no_kernel("unique", self._dtype)
        if dim is None:
            flat = like(self, self._backend.reshape(self._data, (-1,), None))
            values, inverse, counts = _unique_dim(flat, 0, True, True, consecutive=True, raw=True)
            inverse = self._backend.reshape(inverse, tuple(self._data.shape), None)
            return _unique_result(self, values, inverse, counts, return_inverse, return_counts)
        axis = _axis(self, dim, "unique_consecutive")
        return _unique_dim(self, axis, return_inverse, return_counts, consecutive=True)


def _at_position(t: TensorBase, axis: int, keepdim: bool, k: int) -> values_indices:
    """(value, index) of the ``k``-th smallest element (0-based) along ``axis``."""
    bk = t._backend
    order = _order(t, axis, False)
    shape = list(order.shape)
    shape[axis] = 1
    pos = bk.full(tuple(shape), k, D.int64, t._device.index)
    return _pick(t, order, pos, axis, keepdim)


def _median(t: TensorBase, dim: Any, keepdim: bool, op: str, skip_nan: bool) -> Any:
    if t._dtype is D.bool_ or t._dtype.category == D.COMPLEX:
        raise no_kernel(op, t._dtype)
    bk = t._backend
    if dim is None:
        if t._data.size == 0:
            return like(t, bk.full((), math.nan, t._dtype, t._device.index))
        flat = like(t, bk.reshape(t._data, (-1,), None))
        return _median(flat, 0, False, op, skip_nan).values
    axis = _axis(t, dim, op)
    _empty_dim(t, axis, op)
    x = t._data if t._data.ndim else bk.reshape(t._data, (1,), None)
    n = x.shape[axis]
    order = bk.argsort(x, axis, False, True)
    if t._dtype.category == D.FLOATING:
        # NaN sorts last: n - nans is the first NaN's sorted position (median), or the count
        # of the others, whose lower median nanmedian takes (position 0 if all are NaN)
        nans = bk.sum(bk.isnan(x), axis, True, D.int64)
        others = bk.subtract(n, nans)
        if skip_nan:
            pos = bk.floor_divide(bk.maximum(bk.subtract(others, 1), 0), 2)
        else:
            pos = bk.where(bk.greater(nans, 0), others, bk.full((), (n - 1) // 2, D.int64, t._device.index))
    else:
        shape = list(x.shape)
        shape[axis] = 1
        pos = bk.full(tuple(shape), (n - 1) // 2, D.int64, t._device.index)
    return _named(op, _pick(t, order, pos, axis, keepdim))


def _run_starts(bk: Any, s: Any, axis: int, dt: Any) -> Any:
    """Bool array, True where a run of equal elements begins along ``axis`` (NaNs equal each other)."""
    ndim = s.ndim
    head = bk.getitem(s, _slice(ndim, axis, slice(0, -1)))
    tail = bk.getitem(s, _slice(ndim, axis, slice(1, None)))
    differs = bk.not_equal(tail, head)
    if dt.category == D.FLOATING:
        differs = bk.logical_and(differs, bk.logical_not(bk.logical_and(bk.isnan(tail), bk.isnan(head))))
    first_shape = list(s.shape)
    first_shape[axis] = 1
    return bk.concat([bk.full(tuple(first_shape), True, D.bool_, None), differs], axis)


def _unique_result(
    t: TensorBase, values: Any, inverse: Any, counts: Any, return_inverse: bool, return_counts: bool
) -> Any:
    out = like(t, values)
    if not return_inverse and not return_counts:
        return out
    result = [out]
    if return_inverse:
        result.append(like(t, inverse, D.int64))
    if return_counts:
        result.append(like(t, counts, D.int64))
    return tuple(result)


def _unique_dim(
    t: TensorBase, axis: int, return_inverse: bool, return_counts: bool, *, consecutive: bool, raw: bool = False
) -> Any:
    """Distinct slices along ``axis``: slices are rows of a 2-D view, sorted lexicographically
    (unless ``consecutive``) and split where a row differs from the one before it."""
    bk = t._backend
    x = t._data if t._data.ndim else bk.reshape(t._data, (1,), None)
    n = x.shape[axis]
    moved = bk.permute_dims(x, (axis, *(d for d in range(x.ndim) if d != axis)))
    rest = tuple(moved.shape[1:])
    rows = bk.reshape(moved, (n, math.prod(rest)), None)
    index = t._device.index
    if n == 0:
        empty = bk.full((0,), 0, D.int64, index)
        values = bk.permute_dims(moved, _inverse_perm(axis, x.ndim))
        return (values, empty, empty) if raw else _unique_result(t, values, empty, empty, return_inverse, return_counts)
    order = bk.arange(0, n, 1, D.int64, index)
    if not consecutive:
        # lexicographic: stable sorts by each column, last column first (one kernel call per column)
        for j in range(rows.shape[1] - 1, -1, -1):
            col = bk.take(bk.getitem(rows, (slice(None), j)), order, 0)
            order = bk.take(order, bk.argsort(col, 0, False, True), 0)
        rows = bk.take(rows, order, 0)
    if n > 1:
        differs = bk.any(bk.not_equal(bk.getitem(rows, (slice(1, None),)), bk.getitem(rows, (slice(0, -1),))), 1, False)
        starts = bk.concat([bk.full((1,), True, D.bool_, index), differs], 0)
    else:
        starts = bk.full((1,), True, D.bool_, index)
    group = bk.subtract(bk.cumulative_sum(starts, 0, D.int64), 1)
    (first,) = bk.nonzero(starts)
    counts = bk.subtract(bk.concat([bk.getitem(first, (slice(1, None),)), bk.full((1,), n, D.int64, index)], 0), first)
    inverse = bk.full((n,), 0, D.int64, index)
    bk.setitem(inverse, (order,), group)
    kept = bk.take(rows, first, 0)
    values = bk.reshape(kept, (kept.shape[0], *rest), None)
    values = bk.copy(bk.permute_dims(values, _inverse_perm(axis, x.ndim)))
    if raw:
        return values, inverse, counts
    return _unique_result(t, values, inverse, counts, return_inverse, return_counts)


def _inverse_perm(axis: int, ndim: int) -> tuple[int, ...]:
    """The permutation undoing ``(axis, *others)``."""
    perm = (axis, *(d for d in range(ndim) if d != axis))
    inv = [0] * ndim
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)
