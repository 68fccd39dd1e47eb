"""Indexing: ``x[key]`` reads (views for basic keys) and ``x[key] = value`` writes.

Keys are normalised here, once, into what the backend protocol promises a
kernel: a tuple of ints, slices, None and native int64/bool index arrays, with
Ellipsis expanded and every index bounds-checked, so no backend error ever
reaches the user and a failed write leaves the tensor unchanged.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._dtypes import result_type
from ember._elementwise import broadcast_for
from ember._inplace import write_out
from ember._ops_scatter import as_int64, fill_scalar, first_bad, index_range, need_tensor, write
from ember._special_cases import no_kernel, storable, tname
from ember._tensor_base import (
    TensorBase,
    array_overlaps,
    bump_version,
    cast,
    check_writable,
    device_error,
    like,
    overlap_error,
    read_only_error,
    to_scalar,
    wrap,
)

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = ["searchsorted", "bucketize"]  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = (
    "index_put", "index_put_", "masked_fill", "masked_scatter", "masked_select", "nonzero", "argwhere", "bincount",
)


def _as_index_tensor(t: TensorBase, obj: Any) -> TensorBase:
    """A list/tuple used as an index becomes an int64 or bool tensor on ``t``'s device."""
    from ember._creation import tensor

    # An empty list indexes nothing; torch reads it as an empty long index, not a float tensor.
    idx = tensor(obj, device=t._device, dtype=D.int64 if len(obj) == 0 else None)
    if idx._dtype not in (D.bool_, D.uint8, D.int32, D.int64):
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return idx


def _sequence_as_tuple(key: list[Any]) -> bool:
    """torch's legacy rule: a short list holding a tensor, sequence, slice, ``...`` or None is a tuple."""
    return len(key) < 32 and any(
        isinstance(k, (TensorBase, list, tuple, slice)) or k is None or k is Ellipsis for k in key
    )


def normalize_key(t: TensorBase, key: Any) -> tuple[tuple[Any, ...], bool]:
    """The backend key for ``t[key]`` and whether it is basic (gives a view)."""
    if isinstance(key, list) and _sequence_as_tuple(key):
        warnings.warn(
            "Using a non-tuple sequence for multidimensional indexing is deprecated (as in PyTorch); use "
            "x[tuple(seq)] instead of x[seq]", UserWarning, stacklevel=3,
        )
        key = tuple(key)
    if not isinstance(key, tuple):
        key = (key,)
    shape = t._data.shape
    # How many dims the key consumes: everything but None, Ellipsis and bools; masks consume their ndim.
    consumed = 0
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, bool):
            continue
        if isinstance(k, TensorBase) and k._dtype in (D.bool_, D.uint8):
            consumed += max(k._data.ndim, 1) if k._data.ndim else 0
        else:
            consumed += 1
    if consumed > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    out: list[Any] = []
    spans: list[int] = []  # input dims each item consumes; -1 marks an int (its dim disappears)
    basic = True
    dim = 0
    seen_ellipsis = False
    for k in key:
        if k is Ellipsis:
            if seen_ellipsis:
                raise IndexError("an index can only have a single ellipsis ('...')")
            seen_ellipsis = True
            span = len(shape) - consumed
            out.extend([slice(None)] * span)
            spans.extend([1] * span)
            dim += span
        elif k is None:
            out.append(None)
            spans.append(0)
        elif isinstance(k, bool):
            # x[True] adds a dim of size 1, x[False] one of size 0 (torch and NumPy agree).
            out.append(t._backend.full((), k, D.bool_, t._device.index))
            spans.append(0)
            basic = False
        elif isinstance(k, slice):
            if k.step is not None and operator.index(k.step) <= 0:
                raise ValueError("step must be greater than zero")
            out.append(slice(*(None if v is None else _int(v) for v in (k.start, k.stop, k.step))))
            spans.append(1)
            dim += 1
        elif isinstance(k, (TensorBase, list, tuple)):
            idx = _as_index_tensor(t, k) if not isinstance(k, TensorBase) else k
            if idx._device is not t._device:
                raise device_error("index", t, idx)
            basic = False
            if idx._dtype in (D.bool_, D.uint8):
                mask = idx._data if idx._dtype is D.bool_ else idx._backend.astype(idx._data, D.bool_)
                for j, n in enumerate(idx._data.shape):
                    if dim + j >= len(shape) or shape[dim + j] != n:
                        raise IndexError(
                            f"The shape of the mask {list(idx._data.shape)} at index {j} does not match the "
                            f"shape of the indexed tensor {list(shape)} at index {dim + j}"
                        )
                out.append(mask)
                spans.append(idx._data.ndim)
                dim += idx._data.ndim
            elif idx._dtype in (D.int64, D.int32):
                out.append(_checked_indices(idx, shape[dim], dim))
                spans.append(1)
                dim += 1
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        else:
            i = _int(k)
            n = shape[dim]
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {n}")
            out.append(i)
            spans.append(-1)
            dim += 1
    if not basic:
        _check_index_shapes(t, out)
    if not basic and -1 in spans:
        return _ints_first(out, spans), basic
    return tuple(out), basic


def _check_index_shapes(t: TensorBase, key: list[Any]) -> None:
    """Index tensors must broadcast together (torch's IndexError, not NumPy's)."""
    arrays = [k for k in key if not isinstance(k, (int, slice)) and k is not None and k.ndim]
    if len(arrays) < 2:
        return
    bk = t._backend
    bool_native = bk.native_dtype(D.bool_)
    shapes = [
        (int(bk.item(bk.sum(a, None, False, D.int64))),) if a.dtype == bool_native else tuple(a.shape)
        for a in arrays
    ]
    try:
        broadcast_for("", *shapes)
    except RuntimeError:
        raise IndexError(
            "shape mismatch: indexing tensors could not be broadcast together with shapes "
            + ", ".join(str(list(s)) for s in shapes)
        ) from None


class _TwoStep(tuple):
    """A key PyTorch applies in two steps: ``(basic_key, advanced_key)``.

    torch takes ints (with slices and None) as a view first and only then applies
    tensor indices to that view; NumPy treats ints next to arrays as advanced
    indices, which moves the result's dims when they are not adjacent
    (``x[1, :, [0, 2]]``). Splitting the key keeps PyTorch's layout.
    """

    __slots__ = ()


def _ints_first(out: list[Any], spans: list[int]) -> _TwoStep:
    first: list[Any] = []
    then: list[Any] = []
    for k, span in zip(out, spans, strict=True):
        if span == -1:
            first.append(k)
        elif k is None or isinstance(k, slice):
            first.append(k)
            then.append(slice(None))
        else:  # an index array: its dims stay whole in the first step
            first.extend([slice(None)] * span)
            then.append(k)
    return _TwoStep((tuple(first), tuple(then)))


def _int(v: Any) -> int:
    if isinstance(v, TensorBase) and v._data.ndim == 0 and v._dtype.category == D.INTEGRAL:
        return int(v._backend.item(v._data))
    try:
        return operator.index(v)
    except TypeError:
        # torch answers a str key with a TypeError (it tries to build a tensor from it), others IndexError
        raise (TypeError if isinstance(v, str) else IndexError)(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
            f"indices (got {type(v).__name__})"
        ) from None


def _checked_indices(idx: TensorBase, size: int, dim: int) -> Any:
    bk = idx._backend
    data = idx._data if idx._dtype is D.int64 else bk.astype(idx._data, D.int64)
    if data.size:
        lo = int(bk.item(bk.min(data, None, False)))
        hi = int(bk.item(bk.max(data, None, False)))
        bad = hi if hi >= size else lo if lo < -size else None
        if bad is not None:
            raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    return data


class IndexMixin(TensorBase):
    """``__getitem__`` / ``__setitem__`` with PyTorch's semantics."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Tensor:
        if key is None:
            return self.unsqueeze(0)  # type: ignore[attr-defined]  # x[None], the common case
        if self._data.ndim == 0:
            _check_zero_dim_key(key)
        nkey, basic = normalize_key(self, key)
        bk = self._backend
        if isinstance(nkey, _TwoStep):
            return like(self, bk.getitem(bk.getitem(self._data, nkey[0]), nkey[1]))
        if basic:
            if None in nkey and bk.strided_views:
                data = _with_new_dims(bk, self._data, nkey)
            else:
                data = bk.getitem(self._data, nkey)
            return wrap(data, self._dtype, self._device, bk, base=self)
        return like(self, bk.getitem(self._data, nkey))

    def __setitem__(self, key: Any, value: Any) -> None:
        check_writable(self, "__setitem__")
        if self._data.ndim == 0:
            _check_zero_dim_key(key)
        nkey, basic = normalize_key(self, key)
        bk = self._backend
        if self._base is not None and array_overlaps(bk, self._data):
            # An expanded tensor: PyTorch writes through a slice whose elements are distinct,
            # refuses one where they share memory, and only warns for advanced indexing.
            if not basic:
                warnings.warn(
                    "Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor "
                    "before performing this operation.", UserWarning, stacklevel=2,
                )
            elif array_overlaps(bk, bk.getitem(*_read_key(self._data, nkey, bk))):
                raise overlap_error("__setitem__")
        if isinstance(value, TensorBase):
            if value._device is not self._device:
                raise device_error("index_put_", self, value)
            target = bk.getitem(*_read_key(self._data, nkey, bk))
            _check_broadcast(tuple(value._data.shape), tuple(target.shape))
            src = value._data
            if value._dtype is not self._dtype:
                if value._dtype.category == D.COMPLEX and self._dtype.category != D.COMPLEX:
                    warnings.warn(
                        "Casting complex values to real discards the imaginary part", UserWarning, stacklevel=2
                    )
                    src = bk.real(src)
                src = bk.astype(src, self._dtype)
        else:
            s = to_scalar(value)
            if s is None:
                raise TypeError(
                    f"__setitem__(): can't assign a {type(value).__name__} to a {self._dtype} tensor; "
                    "expected a Tensor or a Python number"
                )
            if isinstance(s, int) and not -(2**63) <= s < 2**63:
                raise ValueError("Overflow when unpacking long long")  # torch's words: x[i] = 2**63
            src = bk.full((), storable(s, self._dtype, "__setitem__", saturate_half=True), self._dtype, self._device.index)
        try:
            if isinstance(nkey, _TwoStep):
                part = bk.getitem(self._data, nkey[0])  # a view on strided backends
                bk.setitem(part, nkey[1], src)
                if not bk.strided_views:  # a copy elsewhere: write it back
                    bk.setitem(self._data, nkey[0], part)
            else:
                bk.setitem(self._data, nkey, src)
        except ValueError as exc:  # memory the backend marks read-only
            raise read_only_error("__setitem__") from exc
        bump_version(self)


    # -- index_put ----------------------------------------------------------------------------
    def index_put_(self, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
        """``self[indices] = values`` for a tuple of index tensors; with ``accumulate``,
        ``self[indices] += values`` where repeated positions all add up.

        >>> ember.zeros(3).index_put_((ember.tensor([0, 0, 2]),), ember.tensor(1.0), accumulate=True)
        tensor([2., 0., 1.])
        """
        return self._index_put("index_put_", indices, values, accumulate)

    def _index_put(self, op: str, indices: Any, values: Any, accumulate: bool) -> Tensor:
        if not isinstance(indices, (tuple, list)):
            raise TypeError(
                f"{op}(): argument 'indices' (position 1) must be tuple of Tensors, not {type(indices).__name__}"
            )
        for k, i in enumerate(indices):
            if not isinstance(i, TensorBase):
                raise TypeError(f"{op}(): expected Tensor as element {k} in argument 0, but got {type(i).__name__}")
        if not isinstance(values, TensorBase):
            raise TypeError(f"{op}(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
        if values._device is not self._device or values._backend is not self._backend:
            raise device_error(op, self, values)
        if values._dtype is not self._dtype:
            raise RuntimeError(
                f"Index put requires the source and destination dtypes match, got {tname(self._dtype)} for the "
                f"destination and {tname(values._dtype)} for the source."
            )
        ndim = self._data.ndim
        if sum(0 if i._dtype in (D.bool_, D.uint8) else 1 for i in indices) > ndim:
            raise IndexError(f"too many indices for tensor of dimension {ndim} (got {len(indices)})")
        if not accumulate:
            self[tuple(indices)] = values
            return self  # type: ignore[return-value]
        check_writable(self, op)
        if self._base is not None and array_overlaps(self._backend, self._data):
            raise overlap_error(op)
        nkey, _ = normalize_key(self, tuple(indices))
        return _accumulate(self, indices, nkey, values)

    def index_put(self, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
        """Out-of-place :meth:`index_put_`."""
        return like(self, self._backend.copy(self._data))._index_put("index_put", indices, values, accumulate)

    # -- masks ----------------------------------------------------------------------------------
    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        """In place, set the elements where the bool ``mask`` (broadcast to ``self``) is True to ``value``."""
        op = "masked_fill_"
        m = _bool_mask(op, self, mask, _CPP_NAMES)
        v = fill_scalar(self, value, op)
        _mask_fits(op, self, m)
        bk = self._backend
        return write(self, op, lambda x: bk.copy_into(x, bk.where(m._data, v, x)))

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        """``value`` where ``mask`` is True, else ``self`` (``self`` and ``mask`` broadcast).

        >>> ember.tensor([1.0, 2.0, 3.0]).masked_fill(ember.tensor([True, False, True]), 0.0)
        tensor([0., 2., 0.])
        """
        op = "masked_fill_"
        m = _bool_mask(op, self, mask, _CPP_NAMES)
        v = fill_scalar(self, value, op)
        broadcast_for("", tuple(m._data.shape), tuple(self._data.shape))
        return like(self, self._backend.where(m._data, v, self._data))

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        """In place, copy ``source``'s leading elements, in order, to where ``mask`` is True."""
        op = "masked_scatter_"
        m = _bool_mask(op, self, mask, None)
        if not isinstance(source, TensorBase):
            raise TypeError(f"{op}(): argument 'source' (position 2) must be Tensor, not {type(source).__name__}")
        if source._device is not self._device or source._backend is not self._backend:
            raise device_error(op, self, source)
        if source._dtype is not self._dtype:
            raise RuntimeError(
                "masked_scatter: expected self and source to have same dtypes but got "
                f"{tname(self._dtype)} and {tname(source._dtype)}"
            )
        _mask_fits(op, self, m)
        bk = self._backend
        shape = tuple(self._data.shape)
        mb = bk.broadcast_to(m._data, shape)
        count = int(bk.item(bk.sum(mb, None, False, D.int64)))
        if count > source._data.size:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        vals = bk.getitem(bk.reshape(source._data, (-1,), None), (slice(0, count),))
        key = (mb if mb.ndim else bk.reshape(mb, (1,), None),)
        return write(self, op, lambda x: bk.setitem(x, key, vals))

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        """Out-of-place :meth:`masked_scatter_` (``self`` and ``mask`` broadcast).

        >>> ember.zeros(3).masked_scatter(ember.tensor([True, False, True]), ember.tensor([1.0, 2.0]))
        tensor([1., 0., 2.])
        """
        m = _bool_mask("masked_scatter_", self, mask, None)
        shape = broadcast_for("", tuple(m._data.shape), tuple(self._data.shape))
        bk = self._backend
        return like(self, bk.copy(bk.broadcast_to(self._data, shape))).masked_scatter_(mask, source)

    def masked_select(self, mask: Tensor) -> Tensor:
        """The elements where ``mask`` is True, as a 1-d tensor (``self`` and ``mask`` broadcast).

        >>> ember.tensor([[1, 2], [3, 4]]).masked_select(ember.tensor([True, False]))
        tensor([1, 3])
        """
        if not isinstance(mask, TensorBase):
            raise TypeError(f"masked_select(): argument 'mask' (position 1) must be Tensor, not {type(mask).__name__}")
        if mask._dtype is not D.bool_:
            raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {tname(mask._dtype)}")
        if mask._device is not self._device or mask._backend is not self._backend:
            raise device_error("masked_select", self, mask)
        shape = broadcast_for("", tuple(mask._data.shape), tuple(self._data.shape))
        bk = self._backend
        return like(self, bk.getitem(bk.broadcast_to(self._data, shape), (bk.broadcast_to(mask._data, shape),)))

    # -- where the non-zeros are -----------------------------------------------------------------
    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or with ``as_tuple``
        one 1-d tensor per dim (a 0-d tensor counts as 1-d).

        >>> ember.tensor([[0, 1], [2, 0]]).nonzero()
        tensor([[0, 1],
                [1, 0]])
        """
        bk, x = self._backend, self._data
        if x.ndim == 0:
            n = int(bk.item(x) != 0)
            if as_tuple:
                return (like(self, bk.full((n,), 0, D.int64, self._device.index), D.int64),)
            return like(self, bk.empty((n, 0), D.int64, self._device.index), D.int64)
        arrays = bk.nonzero(x)
        if as_tuple:
            return tuple(like(self, a, D.int64) for a in arrays)
        return like(self, bk.stack(arrays, 1), D.int64)

    def argwhere(self) -> Tensor:
        """:meth:`nonzero` as one ``(n, ndim)`` tensor."""
        out: Tensor = self.nonzero()
        return out

    def bincount(self, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
        """How often each value ``0..max`` occurs in this 1-d non-negative integer tensor (or the
        sum of ``weights`` at its positions); at least ``minlength`` bins.

        >>> ember.tensor([0, 1, 1, 3]).bincount()
        tensor([1, 2, 0, 1])
        """
        op = "bincount"
        if self._dtype.category != D.INTEGRAL:
            raise no_kernel(op, self._dtype)
        if self._data.ndim != 1:
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        minlength = operator.index(minlength)
        if minlength < 0:
            raise RuntimeError("minlength should be >= 0")
        bk, devidx = self._backend, self._device.index
        w = None
        if weights is not None:
            w = need_tensor(op, weights, "weights", self, 1)
            if w._data.ndim != 1 or w._data.shape[0] != self._data.shape[0]:
                raise RuntimeError("weights should be 1-d and have the same length as input")
        r = index_range(self)
        if r is None:  # torch gives int64 zeros for empty input, weights or not
            return like(self, bk.full((minlength,), 0, D.int64, devidx), D.int64)
        if r[0] < 0:
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        n = max(r[1] + 1, minlength)
        i = as_int64(self)
        if w is None:
            out = bk.full((n,), 0, D.int64, devidx)
            bk.scatter_add(out, 0, i, bk.full(tuple(i.shape), 1, D.int64, devidx))
            return like(self, out, D.int64)
        dt = D.float32 if w._dtype is D.float32 else D.float64
        src = w._data
        if w._dtype.category == D.COMPLEX:
            warnings.warn("Casting complex values to real discards the imaginary part", UserWarning, stacklevel=2)
            src = bk.real(src)
        out = bk.full((n,), 0, dt, devidx)
        bk.scatter_add(out, 0, i, src if w._dtype is dt else bk.astype(src, dt))
        return like(self, out, dt)


# -- search ------------------------------------------------------------------------------------

def searchsorted(
    sorted_sequence: Tensor, input: Any, *, out_int32: bool = False, right: bool = False,
    side: str | None = None, sorter: Tensor | None = None, out: Tensor | None = None,
) -> Tensor:
    """Where ``input``'s values would go in the last dim of ``sorted_sequence`` to keep it sorted.

    A 1-d sequence serves every value; an N-d one needs ``input`` with the same leading dims
    (each row searched on its own). ``right`` / ``side='right'`` gives the last suitable
    position instead of the first; ``sorter`` sorts an unsorted sequence (as from argsort).

    >>> ember.searchsorted(ember.tensor([1, 3, 5, 7]), ember.tensor([3, 6, 9]))
    tensor([1, 3, 4])
    """
    op = "searchsorted"
    if not isinstance(sorted_sequence, TensorBase):
        raise TypeError(
            f"{op}(): argument 'sorted_sequence' (position 1) must be Tensor, not {type(sorted_sequence).__name__}"
        )
    seq = sorted_sequence
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"searchsorted(): side can only be 'left' or 'right' but got {side}")
        if side == "left" and right:
            raise RuntimeError(
                "searchsorted(): side and right can't be set to opposites, got side of left while right was True"
            )
    values = _values_tensor(op, seq, input)
    if seq._data.ndim == 0:
        raise RuntimeError("searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension")
    sshape, vshape = tuple(seq._data.shape), tuple(values._data.shape)
    if len(sshape) > 1 and sshape[:-1] != vshape[:-1]:
        raise RuntimeError(
            "searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
            f"tensor and input value tensor must match, but we got boundaries tensor {list(sshape)} and input "
            f"value tensor {list(vshape)}"
        )
    dt = result_type(seq, values)
    for d in (seq._dtype, values._dtype):
        if d.category in (D.BOOL, D.COMPLEX):
            raise no_kernel(op, d)
    out_dt = D.int32 if out_int32 else D.int64
    if out is not None and isinstance(out, TensorBase) and out._dtype is not out_dt:
        raise RuntimeError(
            "searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) or Long(int64) depending on "
            f"whether out_int32 flag is True, but we got output tensor's dtype {tname(out._dtype)} and out_int32 "
            f"flag is {bool(out_int32)}"
        )
    bk = seq._backend
    s, v = cast(seq, dt), cast(values, dt)
    if sorter is not None:
        srt = need_tensor(op, sorter, "sorter", seq, 5)
        if srt._dtype is not D.int64:
            raise RuntimeError(f"searchsorted(): sorter must be a tensor of long dtype but got dtype {tname(srt._dtype)}")
        if tuple(srt._data.shape) != sshape:
            raise RuntimeError(
                f"searchsorted(): boundary and sorter must have the same size, but got boundary tensor "
                f"{list(sshape)}and got sorter tensor {list(srt._data.shape)}"
            )
        if first_bad(srt, sshape[-1], negative=False) is not None:
            raise RuntimeError("searchsorted(): sorter index out of range")
        if srt._data.size:
            s = bk.take_along_axis(s, srt._data, len(sshape) - 1)
    use_right = bool(right) or side == "right"
    result = _search(bk, s, v, use_right, seq._device.index)
    res = like(seq, result if out_dt is D.int64 else bk.astype(result, out_dt), out_dt)
    return res if out is None else write_out(res, out, op)


def bucketize(
    input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False, out: Tensor | None = None
) -> Tensor:
    """The bucket of each element of ``input`` among the 1-d ascending ``boundaries``
    (``searchsorted(boundaries, input)``, with the same ``right`` rule).

    >>> ember.bucketize(ember.tensor([3, 6, 9]), ember.tensor([1, 3, 5, 7]))
    tensor([1, 3, 4])
    """
    if not isinstance(boundaries, TensorBase):
        raise TypeError(
            f"bucketize(): argument 'boundaries' (position 2) must be Tensor, not {type(boundaries).__name__}"
        )
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"bucketize(): boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def _values_tensor(op: str, seq: TensorBase, value: Any) -> TensorBase:
    if isinstance(value, TensorBase):
        if value._device is not seq._device or value._backend is not seq._backend:
            raise device_error(op, seq, value)
        return value
    s = to_scalar(value)
    if s is None:
        raise TypeError(f"{op}(): argument 'input' (position 2) must be Tensor or Number, not {type(value).__name__}")
    dt = D.scalar_dtype(s)
    return wrap(seq._backend.full((), s, dt, seq._device.index), dt, seq._device, seq._backend)


def _search(bk: Any, s: Any, v: Any, right: bool, devidx: int | None) -> Any:
    """int64 insertion points of ``v`` in the rows of the sorted ``s`` (1-d, or matching leading dims)."""
    side = "right" if right else "left"
    if s.ndim == 1:
        return bk.searchsorted(s, v, side)
    n, m = s.shape[-1], v.shape[-1]
    if not n or not m:
        return bk.full(tuple(v.shape), 0, D.int64, devidx)
    # Every row at once: stable-sort the row's sequence and values together; a value's answer is
    # how many sequence elements precede it. Values go first for "left" (equal sequence elements
    # then sort after them, so only smaller ones count) and last for "right".
    axis = s.ndim - 1
    both = bk.concat([s, v] if right else [v, s], axis)
    order = bk.argsort(both, axis, False, True)
    is_seq = bk.less(order, n) if right else bk.greater_equal(order, m)
    before = bk.cumulative_sum(bk.astype(is_seq, D.int64), axis, D.int64)
    where_is = bk.argsort(order, axis, False, True)  # the inverse permutation
    first = n if right else 0
    pos = bk.getitem(where_is, (*(slice(None),) * axis, slice(first, first + m)))
    return bk.take_along_axis(before, pos, axis)


def _bool_mask(op: str, t: TensorBase, mask: Any, names: dict[str, str] | None) -> TensorBase:
    if not isinstance(mask, TensorBase):
        raise TypeError(f"{op.rstrip('_')}(): argument 'mask' (position 1) must be Tensor, not {type(mask).__name__}")
    if mask._dtype is not D.bool_:
        shown = names[mask._dtype.name] if names is not None else tname(mask._dtype)
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype {shown}")
    if mask._device is not t._device or mask._backend is not t._backend:
        raise device_error(op, t, mask)
    return mask


def _mask_fits(op: str, t: TensorBase, mask: TensorBase) -> None:
    """An in-place masked op cannot grow ``t``: the mask must broadcast to ``t``'s shape."""
    shape = tuple(t._data.shape)
    full = broadcast_for("", shape, tuple(mask._data.shape))
    if full != shape:
        raise RuntimeError(f"{op}(): output with shape {list(shape)} doesn't match the broadcast shape {list(full)}")


# caffe2's type names, which masked_fill_'s mask error uses.
_CPP_NAMES = {
    "uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int", "int64": "long int",
    "float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float", "float64": "double",
    "complex64": "c10::complex<float>", "complex128": "c10::complex<double>", "bool": "bool",
}


def _accumulate(t: TensorBase, indices: Any, nkey: tuple[Any, ...], values: TensorBase) -> Tensor:
    """``index_put_(..., accumulate=True)``: one ``scatter_add`` over the flattened indexed dims."""
    bk, devidx = t._backend, t._device.index
    shape = tuple(t._data.shape)
    parts: list[tuple[Any, int | None]] = []  # (int64 index array, the dim it indexes or None)
    dim = 0
    for i, k in zip(indices, nkey, strict=True):
        if i._dtype in (D.bool_, D.uint8):
            if k.ndim == 0:  # a 0-d mask adds a dim of size 1 (True) or 0 (False) and consumes none
                parts.append((bk.full((int(bool(bk.item(k))),), 0, D.int64, devidx), None))
                continue
            for j, a in enumerate(bk.nonzero(k)):
                parts.append((a, dim + j))
            dim += k.ndim
        else:
            parts.append((as_int64(wrap(k, D.int64, t._device, bk), shape[dim]), dim))
            dim += 1
    lead, rest = shape[:dim], shape[dim:]
    strides = [1] * len(lead)
    for j in range(len(lead) - 2, -1, -1):
        strides[j] = strides[j + 1] * lead[j + 1]
    bshape = broadcast_for("", *(tuple(a.shape) for a, _ in parts)) if parts else ()
    lin = bk.full(bshape, 0, D.int64, devidx)
    for a, at in parts:
        lin = bk.add(lin, bk.multiply(a, 0 if at is None else strides[at]))
    target = bshape + rest
    vshape = tuple(values._data.shape)
    _check_broadcast(vshape, target)
    count = math.prod(bshape)
    if not count or not math.prod(rest):
        return write(t, "index_put_", lambda x: None)
    v = values._data
    if len(vshape) > len(target):  # leading size-1 dims of the value are dropped, as torch does
        v = bk.reshape(v, vshape[len(vshape) - len(target):], None)
    src = bk.reshape(bk.broadcast_to(v, target), (count, *rest), None)
    idx = bk.broadcast_to(bk.reshape(lin, (count,) + (1,) * len(rest), None), (count, *rest))
    flat_shape = (math.prod(lead), *rest)

    def body(x: Any) -> None:
        try:
            work = bk.reshape(x, flat_shape, False) if bk.strided_views else None
        except ValueError:
            work = None  # not viewable flat: add into a copy and write it back
        if work is not None:
            bk.scatter_add(work, 0, idx, src)
            return
        copy = bk.reshape(bk.copy(x), flat_shape, None)
        bk.scatter_add(copy, 0, idx, src)
        bk.copy_into(x, bk.reshape(copy, tuple(x.shape), None))

    return write(t, "index_put_", body)


def _read_key(data: Any, nkey: Any, bk: Any) -> tuple[Any, Any]:
    """``(array, key)`` such that ``bk.getitem(array, key)`` reads what ``nkey`` selects."""
    if isinstance(nkey, _TwoStep):
        return bk.getitem(data, nkey[0]), nkey[1]
    return data, nkey


def _check_zero_dim_key(key: Any) -> None:
    if key is not None and key is not Ellipsis and not isinstance(key, (tuple, TensorBase, bool)):
        raise IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ "
            "to convert a 0-dim tensor to a number"
        )


def _with_new_dims(bk: Any, data: Any, key: tuple[Any, ...]) -> Any:
    """A basic read with ``None`` in the key, its new dims given the strides PyTorch reports.

    torch indexes left to right and unsqueezes at each ``None``, so a new dim's
    stride is size * stride of the input dim that comes next (1 if none does);
    NumPy would report 0. A reshape that inserts the 1s usually lands on exactly
    these strides (and is cheap); when it does not, the view is built with ``as_strided``.
    """
    plain = bk.getitem(data, tuple(k for k in key if k is not None))
    if not plain.size:
        return bk.getitem(data, key)  # strides of an empty view carry no information
    shape, strides = data.shape, bk.strides(data)
    out_shape: list[int] = []
    out_strides: list[int] = []
    rest = iter(zip(plain.shape, bk.strides(plain), strict=True))
    dim = 0
    for k in key:
        if k is None:
            out_shape.append(1)
            out_strides.append(shape[dim] * strides[dim] if dim < len(shape) else 1)
            continue
        dim += 1
        if isinstance(k, slice):
            n, st = next(rest)
            out_shape.append(n)
            out_strides.append(st)
    for n, st in rest:  # dims the key does not name
        out_shape.append(n)
        out_strides.append(st)
    view = bk.reshape(plain, tuple(out_shape), None)
    if tuple(bk.strides(view)) == tuple(out_strides):
        return view
    return bk.as_strided(plain, tuple(out_shape), tuple(out_strides), 0)


def _check_broadcast(src: tuple[int, ...], dst: tuple[int, ...]) -> None:
    ok = len(src) <= len(dst) or all(n == 1 for n in src[: len(src) - len(dst)])
    if ok:
        for a, b in zip(reversed(src), reversed(dst), strict=False):
            if a != 1 and a != b:
                ok = False
                break
    if not ok:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(src)} cannot be broadcast to indexing result of shape {list(dst)}")

