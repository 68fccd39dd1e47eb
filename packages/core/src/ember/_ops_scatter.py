"""Gather and scatter along a dim: index_select, gather, take_along_dim, take, scatter and its
reductions, index_add / index_copy / index_fill, put_.

Every op validates its arguments and bounds-checks its indices (kernels assume valid
ones) before it touches memory, so a failed in-place op leaves its target unchanged.
Out-of-place forms clone and run the in-place body on the clone. Reads go through the
required-tier ``take`` / ``take_along_axis`` kernels, accumulating writes through
``scatter_add`` / ``scatter_reduce``, plain writes through ``setitem`` with a key of
broadcast ``arange`` arrays (NumPy's fancy indexing, where the last duplicate wins).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._elementwise import broadcast_for
from ember._special_cases import INT_MAX, INT_MIN, no_kernel, storable, tname
from ember._tensor_base import (
    TensorBase,
    bump_version,
    check_no_overlap,
    check_writable,
    device_error,
    like,
    norm_dim,
    read_only_error,
    to_scalar,
)

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = []  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = (
    "index_select", "gather", "take_along_dim", "take", "scatter", "scatter_add", "scatter_reduce",
    "index_add", "index_copy", "index_fill", "put",
)

_INDEX_INT = (D.int32, D.int64)
_REDUCE_ALIASES = {"sum": "sum", "prod": "prod", "mean": "mean", "amax": "amax", "amin": "amin",
                   "max": "amax", "min": "amin"}  # torch also takes max/min (undocumented)


# -- argument helpers (shared with _ops_index) ---------------------------------------------------

def need_tensor(op: str, value: Any, name: str, owner: TensorBase, position: int) -> TensorBase:
    """``value`` as a tensor on ``owner``'s device, with torch's TypeError otherwise."""
    if not isinstance(value, TensorBase):
        raise TypeError(
            f"{op}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}"
        )
    if value._device is not owner._device or value._backend is not owner._backend:
        raise device_error(op, owner, value)
    return value


def index_range(idx: TensorBase) -> tuple[int, int] | None:
    """``(min, max)`` of a non-empty integer index tensor (None when empty)."""
    if not idx._data.size:
        return None
    bk = idx._backend
    return int(bk.item(bk.min(idx._data, None, False))), int(bk.item(bk.max(idx._data, None, False)))


def first_bad(idx: TensorBase, size: int, negative: bool) -> int | None:
    """An index outside ``[0, size)`` (``[-size, size)`` with ``negative``), or None."""
    r = index_range(idx)
    if r is None:
        return None
    lo, hi = r
    if hi >= size:
        return hi
    if lo < (-size if negative else 0):
        return lo
    return None


def as_int64(idx: TensorBase, size: int | None = None) -> Any:
    """The native int64 index array; with ``size``, negative indices wrapped into ``[0, size)``."""
    bk = idx._backend
    data = idx._data if idx._dtype is D.int64 else bk.astype(idx._data, D.int64)
    if size is not None and data.size:
        data = bk.where(bk.less(data, 0), bk.add(data, size), data)
    return data


def fill_scalar(t: TensorBase, value: Any, op: str, name: str = "value") -> Any:
    """A Python number or 0-d tensor as a 0-d native array of ``t``'s dtype (c10's overflow rule)."""
    if isinstance(value, TensorBase):
        if value._data.ndim:
            raise RuntimeError(
                f"{op} only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        s: Any = value._backend.item(value._data)
    else:
        s = to_scalar(value)
        if s is None:
            raise TypeError(f"{op}(): argument '{name}' must be Number or Tensor, not {type(value).__name__}")
    return t._backend.full((), storable(s, t._dtype, op), t._dtype, t._device.index)


def write(t: TensorBase, op: str, body: Callable[[Any], None]) -> Tensor:
    """Run ``body(array)`` on ``t``'s data (1-d for a 0-d tensor) in place, then bump the version.

    Call only after every check has passed: this is the one place memory changes.
    """
    check_writable(t, op)
    check_no_overlap(t, op)
    bk, x = t._backend, t._data
    try:
        if x.ndim == 0:
            work = bk.reshape(bk.copy(x), (1,), None)
            body(work)
            bk.copy_into(x, bk.reshape(work, (), None))
        else:
            body(x)
    except ValueError as exc:  # memory the backend marks read-only
        raise read_only_error(op) from exc
    bump_version(t)
    return t  # type: ignore[return-value]


def _shape1(t: TensorBase) -> tuple[int, ...]:
    """torch's ``ensure_nonempty``: a 0-d tensor counts as shape ``(1,)``."""
    return tuple(t._data.shape) or (1,)


def _data1(t: TensorBase, data: Any = None) -> Any:
    data = t._data if data is None else data
    return data if data.ndim else t._backend.reshape(data, (1,), None)


def _along(bk: Any, idx: Any, axis: int, ndim: int, index: int | None) -> tuple[Any, ...]:
    """The fancy-indexing key that sends ``idx[i0, .., ik, ..]`` to position ``(i0, .., idx, ..)``."""
    key = []
    for k, n in enumerate(idx.shape):
        if k == axis:
            key.append(idx)
        else:
            r = bk.arange(0, n, 1, D.int64, index)
            key.append(bk.reshape(r, tuple(n if j == k else 1 for j in range(ndim)), None))
    return tuple(key)


def _identity(dt: D.dtype, reduce: str) -> Any:
    """The value a scatter reduction starts from when ``include_self=False``."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dt is D.bool_:
        return reduce == "amin"
    if dt.category == D.INTEGRAL:
        return INT_MIN[dt] if reduce == "amax" else INT_MAX[dt]
    return float("-inf") if reduce == "amax" else float("inf")


class ScatterMixin(TensorBase):
    """Gather and scatter methods of Tensor."""

    __slots__ = ()

    # -- reads --------------------------------------------------------------------------------
    def index_select(self, dim: int, index: Tensor) -> Tensor:
        """The slices along ``dim`` at the positions in the 1-d ``index``.

        >>> ember.tensor([[1, 2], [3, 4], [5, 6]]).index_select(0, ember.tensor([2, 0]))
        tensor([[5, 6],
                [1, 2]])
        """
        op = "index_select"
        idx = need_tensor(op, index, "index", self, 2)
        d = norm_dim(dim, self._data.ndim, op)
        if idx._data.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        if idx._dtype not in _INDEX_INT:
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        bk, n = self._backend, idx._data.size
        if self._data.ndim == 0:
            if n != 1:
                raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {n} value(s)")
        elif n and self._data.shape[d] == 0:
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
        size = _shape1(self)[d]
        bad = first_bad(idx, size, negative=False)
        if bad is not None:
            raise IndexError(f"index out of range in self: index {bad} is out of bounds for dimension {d} with size {size}")
        if self._data.ndim == 0:
            return like(self, bk.copy(self._data))
        return like(self, bk.take(self._data, bk.reshape(as_int64(idx), (n,), None), d))

    def gather(self, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
        """``out[i][j] = self[index[i][j]][j]`` for ``dim=0`` (and so on): values along ``dim``.

        ``index`` has ``self``'s number of dims and may be smaller than ``self`` in the others;
        the result has ``index``'s shape. ``sparse_grad`` is accepted for compatibility.

        >>> ember.tensor([[1, 2], [3, 4]]).gather(1, ember.tensor([[0, 0], [1, 0]]))
        tensor([[1, 1],
                [4, 3]])
        """
        op = "gather"
        idx = need_tensor(op, index, "index", self, 2)
        d = norm_dim(dim, self._data.ndim, op)
        if idx._dtype not in _INDEX_INT:
            raise RuntimeError("gather(): Expected dtype int32/int64 for index")
        xs, ishape = _shape1(self), _shape1(idx)
        if len(xs) != len(ishape):
            raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
        bk = self._backend
        if not idx._data.size:
            return like(self, bk.empty(tuple(idx._data.shape), self._dtype, self._device.index))
        for k, (a, b) in enumerate(zip(ishape, xs, strict=True)):
            if k != d and a > b:
                raise RuntimeError(
                    f"Size does not match at dimension {k} expected index {list(idx._data.shape)} to be no larger "
                    f"than self {list(self._data.shape)} apart from dimension {d}"
                )
        bad = first_bad(idx, xs[d], negative=False)
        if bad is not None:
            raise RuntimeError(f"gather(): index {bad} is out of bounds for dimension {d} with size {xs[d]}")
        x = bk.getitem(_data1(self), tuple(slice(None) if k == d else slice(0, n) for k, n in enumerate(ishape)))
        out = bk.take_along_axis(x, _data1(idx, as_int64(idx)), d)
        return like(self, out if idx._data.ndim else bk.reshape(out, (), None))

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        """Values at ``indices`` along ``dim`` (of the flattened tensor when ``dim`` is None);
        ``self`` and ``indices`` broadcast in the other dims. Negative indices count from the end.

        >>> ember.tensor([[10, 30, 20]]).take_along_dim(ember.tensor([[0, 2]]), 1)
        tensor([[10, 20]])
        """
        op = "take_along_dim"
        idx = need_tensor(op, indices, "indices", self, 1)
        if idx._dtype is not D.int64:
            raise RuntimeError(f"take_along_dim(): dtype of indices should be Long but got {tname(idx._dtype)}")
        bk = self._backend
        if dim is None:
            x = bk.reshape(self._data, (-1,), None)
            i = as_int64(idx)
            i = bk.reshape(i, (-1,), None)
            d, xs = 0, (self._data.size,)
        else:
            if self._data.ndim == 0:
                raise IndexError(f"take_along_dim(): Dimension specified as {dim} but tensor has no dimensions")
            d = norm_dim(dim, self._data.ndim, op)
            xs, ishape = tuple(self._data.shape), tuple(idx._data.shape)
            if len(xs) != len(ishape):
                raise RuntimeError(
                    f"take_along_dim(): input and indices should have the same number of dimensions, but got "
                    f"{len(xs)} dimensions for input, and {len(ishape)} dimensions for indices"
                )
            rest = broadcast_for("", xs[:d] + xs[d + 1:], ishape[:d] + ishape[d + 1:])
            x = bk.broadcast_to(self._data, (*rest[:d], xs[d], *rest[d:]))
            i = bk.broadcast_to(as_int64(idx), (*rest[:d], ishape[d], *rest[d:]))
        size = xs[d]
        bad = first_bad(idx, size, negative=True) if i.size else None
        if bad is not None:
            raise RuntimeError(f"take_along_dim(): index {bad} is out of bounds for dimension {d} with size {size}")
        if not i.size:
            return like(self, bk.empty(tuple(i.shape), self._dtype, self._device.index))
        return like(self, bk.take_along_axis(x, bk.where(bk.less(i, 0), bk.add(i, size), i), d))

    def take(self, index: Tensor) -> Tensor:
        """Elements of the flattened tensor at ``index`` (any shape; negative counts from the end).

        >>> ember.tensor([[1, 2], [3, 4]]).take(ember.tensor([0, -1]))
        tensor([1, 4])
        """
        idx = _flat_index("take", self, index)
        bk = self._backend
        flat = bk.reshape(self._data, (-1,), None)
        out = bk.take(flat, bk.reshape(as_int64(idx, flat.size), (-1,), None), 0)
        return like(self, bk.reshape(out, tuple(idx._data.shape), None))

    # -- scatter ---------------------------------------------------------------------------------
    def _scatter_checks(self, op: str, dim: int, index: Any, src: Any, value_ok: bool) -> Any:
        """Validated ``(dim, index array, src array or 0-d value)``; None when index is empty."""
        idx = need_tensor(op, index, "index", self, 2)
        d = norm_dim(dim, self._data.ndim, op)
        if idx._dtype not in _INDEX_INT:
            raise RuntimeError(f"scatter(): Expected dtype int32/int64 for index (got {tname(idx._dtype)} in {op}())")
        bk = self._backend
        source = None
        if isinstance(src, TensorBase):
            source = need_tensor(op, src, "src", self, 3)
            if source._dtype is not self._dtype:
                raise RuntimeError(
                    f"scatter(): Expected self.dtype to be equal to src.dtype (got {tname(self._dtype)} and "
                    f"{tname(source._dtype)} in {op}())"
                )
        elif not value_ok:
            raise TypeError(f"{op}(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}")
        xs, ishape = _shape1(self), _shape1(idx)
        if len(ishape) != len(xs):
            raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
        sshape = _shape1(source) if source is not None else None
        if sshape is not None and len(sshape) != len(ishape):
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        value = fill_scalar(self, src, op, "value") if source is None else None
        if not idx._data.size:
            return None
        for k, n in enumerate(ishape):
            if (k != d and n > xs[k]) or (sshape is not None and n > sshape[k]):
                also = f" and to be no larger size than src {list(source._data.shape)}" if source is not None else ""
                raise RuntimeError(
                    f"Expected index {list(idx._data.shape)} to be no larger than self {list(self._data.shape)} "
                    f"apart from dimension {d}{also}"
                )
        bad = first_bad(idx, xs[d], negative=False)
        if bad is not None:
            raise RuntimeError(f"{op}(): index {bad} is out of bounds for dimension {d} with size {xs[d]}")
        i = _data1(idx, as_int64(idx))
        if source is None:
            return d, i, bk.broadcast_to(value, tuple(i.shape))
        s = bk.getitem(_data1(source), tuple(slice(0, n) for n in ishape))
        return d, i, s

    def _scatter(self, op: str, dim: int, index: Any, src: Any, reduce: str | None, value_ok: bool) -> Tensor:
        kernel = None
        if reduce is not None:
            kernel = {"add": "sum", "multiply": "prod"}.get(reduce)
            if kernel is None:
                raise RuntimeError(f"{op}(): reduce argument must be either add or multiply, got {reduce!r}")
            if isinstance(src, TensorBase):
                warnings.warn(
                    "The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in a "
                    "future PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
                    UserWarning, stacklevel=3,
                )
        args = self._scatter_checks(op, dim, index, src, value_ok)
        if args is None:
            return write(self, op, lambda x: None)
        d, i, s = args
        bk, devidx = self._backend, self._device.index
        if kernel is None:
            return write(self, op, lambda x: bk.setitem(x, _along(bk, i, d, i.ndim, devidx), s))
        return write(self, op, lambda x: bk.scatter_reduce(x, d, i, s, kernel))

    def scatter_(self, dim: int, index: Tensor, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Tensor:
        """In place, ``self[index[i][j]][j] = src[i][j]`` for ``dim=0`` (and so on); ``src`` may be a number.

        With ``reduce='add'`` or ``'multiply'`` the values are combined instead (prefer
        :meth:`scatter_reduce_`). Where ``index`` repeats a position, the last value wins.
        """
        return self._scatter("scatter_", dim, index, _src_or_value(src, value, "scatter_"), reduce, True)

    def scatter(self, dim: int, index: Tensor, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Tensor:
        """Out-of-place :meth:`scatter_`.

        >>> ember.zeros(2, 3).scatter(0, ember.tensor([[1, 0, 1]]), 5.0)
        tensor([[0., 5., 0.],
                [5., 0., 5.]])
        """
        out = like(self, self._backend.copy(self._data))
        return out._scatter("scatter", dim, index, _src_or_value(src, value, "scatter"), reduce, True)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """In place, ``self[index[i][j]][j] += src[i][j]`` for ``dim=0``, summing repeated positions."""
        return self._scatter_reduce_impl("scatter_add_", dim, index, src, "sum", True)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """Out-of-place :meth:`scatter_add_`.

        >>> ember.zeros(3).scatter_add(0, ember.tensor([0, 0, 2]), ember.tensor([1.0, 2.0, 3.0]))
        tensor([3., 0., 3.])
        """
        return like(self, self._backend.copy(self._data))._scatter_reduce_impl("scatter_add", dim, index, src, "sum", True)

    def scatter_reduce_(self, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True) -> Tensor:
        """In place, combine ``src`` into ``self`` at ``index`` along ``dim`` with ``reduce``
        (``'sum'``, ``'prod'``, ``'mean'``, ``'amax'``, ``'amin'``); ``include_self=False``
        leaves the old values at the positions ``index`` hits out of the reduction.
        """
        return self._scatter_reduce_impl("scatter_reduce_", dim, index, src, reduce, include_self)

    def scatter_reduce(self, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True) -> Tensor:
        """Out-of-place :meth:`scatter_reduce_`.

        >>> ember.ones(2).scatter_reduce(0, ember.tensor([0, 0]), ember.tensor([2.0, 4.0]), "amax")
        tensor([4., 1.])
        """
        out = like(self, self._backend.copy(self._data))
        return out._scatter_reduce_impl("scatter_reduce", dim, index, src, reduce, include_self)

    def _scatter_reduce_impl(self, op: str, dim: int, index: Any, src: Any, reduce: Any, include_self: bool) -> Tensor:
        mode = _REDUCE_ALIASES.get(reduce) if isinstance(reduce, str) else None
        if mode is None:
            raise RuntimeError(f"{op}(): reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
        dt = self._dtype
        if (mode == "mean" and dt is D.bool_) or (mode in ("amax", "amin") and dt.category == D.COMPLEX):
            raise no_kernel(op, dt)
        args = self._scatter_checks(op, dim, index, src, value_ok=False)
        if args is None:
            return write(self, op, lambda x: None)
        d, i, s = args
        bk, devidx = self._backend, self._device.index

        def body(x: Any) -> None:
            if not include_self:
                bk.setitem(x, _along(bk, i, d, i.ndim, devidx), _identity(dt, mode))
            if mode == "sum":
                bk.scatter_add(x, d, i, s)
            elif mode != "mean":
                bk.scatter_reduce(x, d, i, s, mode)
            else:
                # Sum, then divide by how many values met at each position (self counting as one).
                counts = bk.full(tuple(x.shape), 1 if include_self else 0, D.int64, devidx)
                bk.scatter_add(x, d, i, s)
                bk.scatter_add(counts, d, i, bk.full(tuple(i.shape), 1, D.int64, devidx))
                counts = bk.maximum(counts, 1)
                if dt.category == D.INTEGRAL:  # torch floors integer means
                    bk.copy_into(x, bk.floor_divide(x, bk.astype(counts, dt)))
                else:
                    bk.copy_into(x, bk.divide(x, bk.astype(counts, dt)))

        return write(self, op, body)

    # -- index_* along one dim -------------------------------------------------------------------
    def _index_source(self, op: str, dim: int, index: Any, source: Any) -> tuple[int, TensorBase, TensorBase]:
        idx = need_tensor(op, index, "index", self, 2)
        src = need_tensor(op, source, "source", self, 3)
        return norm_dim(dim, self._data.ndim, op), idx, src

    def index_add_(self, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        """In place, ``self[..., index[i], ...] += alpha * source[..., i, ...]`` along ``dim``
        (repeated indices accumulate)."""
        op = "index_add_"
        d, idx, src = self._index_source(op, dim, index, source)
        if idx._data.ndim > 1:
            raise IndexError(
                f"index_add_(): Index is supposed to be a vector, but got dim: {idx._data.ndim} with type: "
                f"{tname(idx._dtype)} and size: {list(idx._data.shape)}"
            )
        if idx._dtype not in _INDEX_INT:
            raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: {tname(idx._dtype)}")
        if src._dtype is not self._dtype:
            raise RuntimeError(
                f"index_add_(): self ({tname(self._dtype)}) and source ({tname(src._dtype)}) must have the same "
                "scalar type"
            )
        xs, ss = tuple(self._data.shape), tuple(src._data.shape)
        if len(xs) != len(ss) or any(a != b for k, (a, b) in enumerate(zip(xs, ss, strict=True)) if k != d):
            raise RuntimeError(
                "source tensor shape must match self tensor shape, excluding the specified dimension. "
                f"Got self.shape = {list(xs)} source.shape = {list(ss)}"
            )
        n, want = idx._data.size, _shape1(src)[d]
        if n != want:
            raise RuntimeError(
                f"index_add_(): Number of indices ({n}) should be equal to source.size(dim): ({want}), for dim: {d}"
            )
        a = to_scalar(alpha)
        if a is None:
            raise TypeError(f"index_add_(): argument 'alpha' must be Number, not {type(alpha).__name__}")
        a = storable(a, self._dtype, op)
        size = _shape1(self)[d]
        bad = first_bad(idx, size, negative=False)
        if bad is not None:
            raise RuntimeError(f"index_add_(): index {bad} is out of bounds for dimension {d} with size {size}")
        if not n:
            return write(self, op, lambda x: None)
        bk = self._backend
        s = _data1(src)
        if a != 1:
            s = bk.multiply(s, bk.full((), a, self._dtype, self._device.index))
        i = bk.broadcast_to(
            bk.reshape(as_int64(idx), tuple(n if k == d else 1 for k in range(s.ndim)), None), tuple(s.shape)
        )
        return write(self, op, lambda x: bk.scatter_add(x, d, i, s))

    def index_add(self, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        """Out-of-place :meth:`index_add_`.

        >>> ember.zeros(3).index_add(0, ember.tensor([0, 0]), ember.tensor([1.0, 2.0]))
        tensor([3., 0., 0.])
        """
        return like(self, self._backend.copy(self._data)).index_add_(dim, index, source, alpha=alpha)

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        """In place, ``self[..., index[i], ...] = source[..., i, ...]`` along ``dim``."""
        op = "index_copy_"
        d, idx, src = self._index_source(op, dim, index, source)
        if idx._data.ndim > 1:
            raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx._data.ndim})")
        s1 = _shape1(src)
        n, want = idx._data.size, s1[d] if d < len(s1) else 1
        if n != want:
            raise IndexError(f"index_copy_(): Number of indices ({n}) should be equal to source.size(dim) ({want})")
        xs, ss = tuple(self._data.shape), tuple(src._data.shape)
        if xs and ss and len(xs) != len(ss):
            raise IndexError(
                "index_copy_(): When source and destination are not scalars, their dimensionality must match. "
                f"Source dimensionality ({len(ss)}), destination dimensionality ({len(xs)})"
            )
        x1 = _shape1(self)
        if len(x1) != len(s1) or x1[:d] + x1[d + 1:] != s1[:d] + s1[d + 1:]:
            show = " ".join
            raise RuntimeError(
                "index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: "
                f"{show(str(v) for v in x1[:d] + x1[d + 1:])} at dimension {d} and source slice shape: "
                f"{show(str(v) for v in s1[:d] + s1[d + 1:])} at dimension {d}."
            )
        if idx._dtype is not D.int64:
            raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {tname(idx._dtype)}")
        if src._dtype is not self._dtype:
            raise RuntimeError(
                "index_copy_(): self and source expected to have the same dtype, but got (self) "
                f"{tname(self._dtype)} and (source) {tname(src._dtype)}"
            )
        bad = first_bad(idx, x1[d], negative=False)
        if bad is not None:
            raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {d} with size {x1[d]}")
        bk = self._backend
        key = (slice(None),) * d + (bk.reshape(as_int64(idx), (n,), None),)
        s = _data1(src)
        return write(self, op, lambda x: bk.setitem(x, key, s))

    def index_copy(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        """Out-of-place :meth:`index_copy_`.

        >>> ember.zeros(3).index_copy(0, ember.tensor([2]), ember.tensor([7.0]))
        tensor([0., 0., 7.])
        """
        return like(self, self._backend.copy(self._data)).index_copy_(dim, index, source)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        """In place, set the slices along ``dim`` at ``index`` to ``value`` (a number or 0-d tensor)."""
        op = "index_fill_"
        idx = need_tensor(op, index, "index", self, 2)
        d = norm_dim(dim, self._data.ndim, op)
        if idx._dtype is not D.int64:
            raise IndexError("index_fill_(): Expected dtype int64 for index.")
        if idx._data.ndim > 1:
            raise RuntimeError("index_fill_(): Index has to be a vector/scalar")
        if isinstance(value, complex) and self._dtype.category != D.COMPLEX:
            raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is not supported")
        v = fill_scalar(self, value, op)
        size = _shape1(self)[d]
        bad = first_bad(idx, size, negative=True)
        if bad is not None:
            raise IndexError(f"index_fill_(): index {bad} is out of bounds for dimension {d} with size {size}")
        bk = self._backend
        key = (slice(None),) * d + (bk.reshape(as_int64(idx), (idx._data.size,), None),)
        return write(self, op, lambda x: bk.setitem(x, key, v))

    def index_fill(self, dim: int, index: Tensor, value: Any) -> Tensor:
        """Out-of-place :meth:`index_fill_`.

        >>> ember.zeros(2, 3).index_fill(1, ember.tensor([0, 2]), -1.0)
        tensor([[-1.,  0., -1.],
                [-1.,  0., -1.]])
        """
        return like(self, self._backend.copy(self._data)).index_fill_(dim, index, value)

    # -- flat writes ----------------------------------------------------------------------------
    def put_(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        """In place, write ``source`` at the flat positions ``index`` (summing repeats with ``accumulate``)."""
        op = "put_"
        idx = _flat_index(op, self, index)
        src = need_tensor(op, source, "source", self, 2)
        if src._data.size != idx._data.size:
            raise IndexError(
                "put_(): Expected source and index to have the same number of elements, but got "
                f"source.numel() = {src._data.size}, index.numel() = {idx._data.size}"
            )
        if src._dtype is not self._dtype:
            raise RuntimeError(
                "put_(): self and source expected to have the same dtype, but got self.dtype = "
                f"{tname(self._dtype)} and source.dtype = {tname(src._dtype)}"
            )
        bk = self._backend
        numel = self._data.size
        i = bk.reshape(as_int64(idx, numel), (-1,), None)
        s = bk.reshape(src._data, (-1,), None)

        def body(x: Any) -> None:
            try:
                flat = bk.reshape(x, (-1,), False) if bk.strided_views else None
            except ValueError:
                flat = None  # not contiguous: work on a copy and write it back
            work = flat if flat is not None else bk.reshape(bk.copy(x), (-1,), None)
            if accumulate:
                bk.scatter_add(work, 0, i, s)
            else:
                bk.setitem(work, (i,), s)
            if flat is None:
                bk.copy_into(x, bk.reshape(work, tuple(x.shape), None))

        return write(self, op, body)

    def put(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        """Out-of-place :meth:`put_`.

        >>> ember.zeros(2, 2).put(ember.tensor([3]), ember.tensor([1.0]))
        tensor([[0., 0.],
                [0., 1.]])
        """
        return like(self, self._backend.copy(self._data)).put_(index, source, accumulate)


def _flat_index(op: str, t: TensorBase, index: Any) -> TensorBase:
    """take/put_'s index: int64, within ``[-numel, numel)`` of ``t``."""
    idx = need_tensor(op, index, "index", t, 1)
    if idx._dtype is not D.int64:
        raise RuntimeError(f"{op}(): Expected a long tensor for index, but got {tname(idx._dtype)}")
    numel = t._data.size
    if not numel and idx._data.size:
        raise IndexError(f"{op}(): tried to take from an empty tensor" if op == "take" else
                         f"{op}(): tried to put into an empty tensor")
    bad = first_bad(idx, numel, negative=True)
    if bad is not None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {numel} elements.")
    return idx


def _src_or_value(src: Any, value: Any, op: str) -> Any:
    """scatter's third argument, given positionally (tensor or number) or as ``value=``."""
    if src is None and value is None:
        raise TypeError(f"{op}(): missing required argument 'src' (a Tensor) or 'value' (a number)")
    if src is not None and value is not None:
        raise TypeError(f"{op}(): give either 'src' or 'value', not both")
    return value if src is None else src
