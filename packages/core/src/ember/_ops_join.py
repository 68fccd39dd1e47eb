"""Module-level joining, broadcasting and index functions: hstack, vstack, dstack, column_stack,
meshgrid, broadcast_tensors, atleast_1d/2d/3d, block_diag, cartesian_prod, repeat_interleave,
tril_indices and triu_indices.

These take several tensors (or none), so they are functions rather than Tensor
methods. Like PyTorch's, ``meshgrid``, ``broadcast_tensors`` and ``atleast_*``
return views of their inputs; the stacking functions copy.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._elementwise import broadcast_for
from ember._inplace import write_out
from ember._ops_layout import interleave_index
from ember._ops_shape import _index_arg, cat, stack
from ember._special_cases import tname
from ember._tensor_base import TensorBase, cast, check_same_device, like, wrap

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = [  # what `import ember` re-exports
    "hstack", "vstack", "row_stack", "dstack", "column_stack", "meshgrid", "broadcast_tensors",
    "atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "cartesian_prod", "repeat_interleave",
    "tril_indices", "triu_indices",
]


def _tensor_list(tensors: Any, op: str) -> list[Tensor]:
    """A non-empty list of same-device tensors (torch's ``TensorList`` argument)."""
    if isinstance(tensors, TensorBase) or not isinstance(tensors, Sequence):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not {type(tensors).__name__}")
    _check_tensors(tensors)
    if not tensors:
        raise RuntimeError(f"{op}(): {op} expects a non-empty TensorList")
    check_same_device(op, tensors)
    return list(tensors)


def _check_tensors(tensors: Sequence[Any]) -> None:
    for i, t in enumerate(tensors):
        if not isinstance(t, TensorBase):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")


def _varargs(tensors: tuple[Any, ...]) -> tuple[Any, ...]:
    """``f(a, b)`` or ``f([a, b])``, as torch's Python wrappers accept both."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(tensors[0])
    return tensors


def _finish(result: Tensor, out: Any, op: str) -> Tensor:
    return result if out is None else write_out(result, out, op)


# -- stacking -----------------------------------------------------------------------------------------

def hstack(tensors: Sequence[Tensor], *, out: Tensor | None = None) -> Tensor:
    """Join along dim 1 (dim 0 when the tensors are 1-D), after :func:`atleast_1d`.

    >>> ember.hstack([ember.tensor([1, 2]), ember.tensor([3])])
    tensor([1, 2, 3])
    """
    ts = [_at_least(t, 1) for t in _tensor_list(tensors, "hstack")]
    return _finish(cat(ts, 0 if ts[0]._data.ndim == 1 else 1), out, "hstack")


def vstack(tensors: Sequence[Tensor], *, out: Tensor | None = None) -> Tensor:
    """Join along dim 0 after :func:`atleast_2d` (1-D tensors become rows).

    >>> ember.vstack([ember.tensor([1, 2]), ember.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    """
    ts = [_at_least(t, 2) for t in _tensor_list(tensors, "vstack")]
    return _finish(cat(ts, 0), out, "vstack")


row_stack = vstack


def dstack(tensors: Sequence[Tensor], *, out: Tensor | None = None) -> Tensor:
    """Join along dim 2 after :func:`atleast_3d` (depth-wise).

    >>> ember.dstack([ember.tensor([1, 2]), ember.tensor([3, 4])]).shape
    ember.Size([1, 2, 2])
    """
    ts = [_at_least(t, 3) for t in _tensor_list(tensors, "dstack")]
    return _finish(cat(ts, 2), out, "dstack")


def column_stack(tensors: Sequence[Tensor], *, out: Tensor | None = None) -> Tensor:
    """Join along dim 1, with 0-d and 1-d tensors as columns.

    >>> ember.column_stack([ember.tensor([1, 2]), ember.tensor([3, 4])])
    tensor([[1, 3],
            [2, 4]])
    """
    ts = _tensor_list(tensors, "column_stack")
    cols = [t.reshape(t.numel(), 1) if t._data.ndim <= 1 else t for t in ts]
    return _finish(cat(cols, 1), out, "column_stack")


# -- views of several tensors ---------------------------------------------------------------------

def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 0-d/1-d tensors, as expanded views of them.

    ``indexing="ij"`` (the default, with PyTorch's warning when not given) puts tensor ``i``
    along dim ``i``; ``"xy"`` swaps the first two dims (Cartesian, as NumPy's default).

    >>> xs, ys = ember.meshgrid(ember.arange(2), ember.arange(3), indexing="ij")
    >>> xs.shape
    ember.Size([2, 3])
    """
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
            UserWarning, stacklevel=2,
        )
        indexing = "ij"
    ts = list(_varargs(tensors))
    _check_tensors(ts)
    if not ts:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for a, b in itertools.pairwise(ts):
        if a._dtype is not b._dtype:
            raise RuntimeError(f"meshgrid expects all tensors to have the same dtype, got {a._dtype} and {b._dtype}")
        if a._device is not b._device or a._backend is not b._backend:
            raise RuntimeError(f"meshgrid expects all tensors to have the same device, got {a._device} and {b._device}")
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    for t in ts:
        if t._data.ndim > 1:
            raise RuntimeError(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a "
                f"{t._data.ndim}-D tensor of shape {list(t._data.shape)}"
            )
    shape = tuple(t._data.size for t in ts)
    n = len(ts)
    grids = [ts[i].view(*(-1 if j == i else 1 for j in range(n))).expand(shape) for i in range(n)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors broadcast to one shape (expanded views; a tensor already that shape is returned as is).

    >>> [t.shape for t in ember.broadcast_tensors(ember.zeros(3, 1), ember.zeros(4))]
    [ember.Size([3, 4]), ember.Size([3, 4])]
    """
    _check_tensors(tensors)
    check_same_device("broadcast_tensors", tensors)
    shape = broadcast_for("broadcast_tensors", *(tuple(t._data.shape) for t in tensors))
    return tuple(t if tuple(t._data.shape) == shape else t.expand(shape) for t in tensors)


def _at_least(t: Tensor, n: int) -> Tensor:
    nd = t._data.ndim
    if nd >= n:
        return t
    if nd == 0:
        return t.reshape((1,) * n)
    if n == 2 or nd == 2:  # (k,) -> (1, k) for 2-D; (a, b) -> (a, b, 1) for 3-D
        return t.unsqueeze(0) if n == 2 else t.unsqueeze(-1)
    return t.unsqueeze(0).unsqueeze(-1)  # (k,) -> (1, k, 1)


def _atleast(tensors: tuple[Any, ...], n: int) -> Any:
    if len(tensors) == 1 and isinstance(tensors[0], TensorBase):
        return _at_least(tensors[0], n)  # type: ignore[arg-type]
    if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)):
        raise TypeError(f"atleast_{n}d(): argument 'input' must be Tensor or tuple of Tensors, not {type(tensors[0]).__name__}")
    ts = _varargs(tensors)
    _check_tensors(ts)
    return tuple(_at_least(t, n) for t in ts)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least 1 dim (0-d becomes shape ``(1,)``); one tensor in, one out.

    >>> ember.atleast_1d(ember.tensor(5))
    tensor([5])
    """
    return _atleast(tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least 2 dims (1-d ``(k,)`` becomes ``(1, k)``)."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least 3 dims (``(k,)`` becomes ``(1, k, 1)``, ``(a, b)`` becomes ``(a, b, 1)``)."""
    return _atleast(tensors, 3)


# -- new tensors from several inputs ---------------------------------------------------------------------

def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix with the (at most 2-D) tensors as blocks, dtypes promoted.

    >>> ember.block_diag(ember.tensor([[1]]), ember.tensor([2, 3]))
    tensor([[1, 0, 0],
            [0, 2, 3]])
    """
    _check_tensors(tensors)
    if not tensors:
        from ember._creation import empty

        return empty(1, 0)
    check_same_device("block_diag", tensors)
    blocks = []
    for i, t in enumerate(tensors):
        nd = t._data.ndim
        if nd > 2:
            raise RuntimeError(
                f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has {nd} dimensions"
            )
        blocks.append(t.reshape(1, -1 if nd else 1) if nd < 2 else t)
    dt = D.result_type(*(t._dtype for t in blocks))
    rows = sum(b._data.shape[0] for b in blocks)
    cols = sum(b._data.shape[1] for b in blocks)
    first = blocks[0]
    bk = first._backend
    out = bk.full((rows, cols), 0, dt, first._device.index)
    r = c = 0
    for b in blocks:  # one strided write per block
        n, m = b._data.shape
        bk.setitem(out, (slice(r, r + n), slice(c, c + m)), cast(b, dt))
        r, c = r + n, c + m
    return like(first, out, dt)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All combinations of the elements of 1-D tensors, one per row (a single tensor is returned as is).

    >>> ember.cartesian_prod(ember.tensor([1, 2]), ember.tensor([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]])
    """
    _check_tensors(tensors)
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"cartesian_prod(): Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None) -> Tensor:
    """``input.repeat_interleave(repeats, dim)``; with a tensor alone, ``[i] * input[i]`` for each ``i``.

    >>> ember.repeat_interleave(ember.tensor([1, 0, 2]))
    tensor([0, 2, 2])
    """
    if not isinstance(input, TensorBase):
        raise TypeError(f"repeat_interleave(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if repeats is not None:
        return input.repeat_interleave(repeats, dim, output_size=output_size)  # type: ignore[attr-defined]
    if dim is not None:
        raise TypeError("repeat_interleave(): missing argument 'repeats' (dim= needs an input and repeats)")
    if input._data.ndim != 1:
        raise RuntimeError("repeat_interleave(): repeat_interleave only accept 1D vector as repeat")
    index = interleave_index(input, input._data, output_size)
    return like(input, index if input._dtype is D.int64 else input._backend.astype(index, input._dtype))


def _tri_indices(row: Any, col: Any, offset: Any, dtype: Any, device: Any, lower: bool) -> Tensor:
    from ember._tensor import _check_supported, dtype_arg, resolve_device

    op = "tril_indices" if lower else "triu_indices"
    row, col, offset = (_index_arg(v, op, n, i) for i, (n, v) in enumerate((("row", row), ("col", col), ("offset", offset)), 1))
    dt = dtype_arg(dtype, op) or D.int64
    if dt not in (D.int32, D.int64):
        raise NotImplementedError(f"{op}(): \"{op}\" not implemented for '{tname(dt)}'; pass dtype=ember.int64 or ember.int32")
    if row < 0:
        raise RuntimeError(f"{op}(): row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"{op}(): col must be non-negative, got{col}")
    dev, bk = resolve_device(device)
    _check_supported(bk, dt, op)
    r = bk.reshape(bk.arange(0, row, 1, D.int64, dev.index), (row, 1), None)
    diff = bk.subtract(bk.arange(0, col, 1, D.int64, dev.index), r)  # column - row
    keep = bk.less_equal(diff, offset) if lower else bk.greater_equal(diff, offset)
    data = bk.stack(list(bk.nonzero(keep)), 0)  # row-major order, as torch lists them
    return wrap(data if dt is D.int64 else bk.astype(data, dt), dt, dev, bk)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """The 2 x N (row, column) indices of the lower triangle of a ``row x col`` matrix, row by row.

    >>> ember.tril_indices(2, 2)
    tensor([[0, 1, 1],
            [0, 0, 1]])
    """
    return _tri_indices(row, col, offset, dtype, device, True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """The 2 x N (row, column) indices of the upper triangle of a ``row x col`` matrix, row by row.

    >>> ember.triu_indices(2, 2)
    tensor([[0, 0, 1],
            [0, 1, 1]])
    """
    return _tri_indices(row, col, offset, dtype, device, False)


_dispatch_install(globals(), __all__)  # ember-autograd records these (see _dispatch)
