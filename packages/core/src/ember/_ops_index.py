"""Indexing: ``x[key]`` reads (views for basic keys) and ``x[key] = value`` writes.

Keys are normalised here, once, into what the backend protocol promises a
kernel: a tuple of ints, slices, None and native int64/bool index arrays, with
Ellipsis expanded and every index bounds-checked, so no backend error ever
reaches the user and a failed write leaves the tensor unchanged.
"""

from __future__ import annotations

import operator
import warnings
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._special_cases import storable
from ember._tensor_base import (
    TensorBase,
    array_overlaps,
    bump_version,
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

__all__: list[str] = []  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = ()


def _as_index_tensor(t: TensorBase, obj: Any) -> TensorBase:
    """A list/tuple used as an index becomes an int64 or bool tensor on ``t``'s device."""
    from ember._creation import tensor

    # An empty list indexes nothing; torch reads it as an empty long index, not a float tensor.
    idx = tensor(obj, device=t._device, dtype=D.int64 if len(obj) == 0 else None)
    if idx._dtype is not D.bool_ and idx._dtype.category != D.INTEGRAL:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return idx


def normalize_key(t: TensorBase, key: Any) -> tuple[tuple[Any, ...], bool]:
    """The backend key for ``t[key]`` and whether it is basic (gives a view)."""
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
            elif idx._dtype.category == D.INTEGRAL:
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
    if not basic and -1 in spans:
        return _ints_first(out, spans), basic
    return tuple(out), basic


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

