"""Derivative rules of indexing, gather and scatter: ``x[key]``, ``x[key] = v``, the ops of
``_ops_index`` and ``_ops_scatter`` and their in-place forms.

Every op here is linear in its differentiable inputs (except ``scatter_reduce`` with
``prod`` / ``amax`` / ``amin``), and every backward is written with ops that have
rules themselves (``put``, ``take``, ``gather``, ``scatter_add``, ``index_select``,
``index_add``, ``masked_*``, ``x[key]``), so all rules support double backward.
``scatter_reduce(..., 'prod')`` follows PyTorch: its gradient is exact, its double
backward is not where two zeros meet at one position.

``x[key] = v`` is recorded through ``Tensor._setitem_`` (defined here: the original
``__setitem__`` that returns ``self``, so the in-place recorder can rebase its history);
``__setitem__`` calls it.
"""

from __future__ import annotations

import math
from typing import Any

import ember
from ember import _dtypes as D
from ember._ops_index import _sequence_as_tuple
from ember._tensor import Tensor
from ember._tensor_base import TensorBase
from ember.autograd._rules import composite, no_derivative, nondifferentiable, rule

_ORIGINAL_SETITEM = Tensor.__setitem__


def _setitem_(self: Any, key: Any, value: Any) -> Any:
    """``self[key] = value`` returning ``self`` (the form autograd records)."""
    _ORIGINAL_SETITEM(self, key, value)
    return self


def _setitem(self: Any, key: Any, value: Any) -> None:
    type(self)._setitem_(self, key, value)


_setitem_.__name__ = _setitem_.__qualname__ = "_setitem_"
_setitem.__name__ = "__setitem__"
_setitem.__qualname__ = "Tensor.__setitem__"
_setitem.__doc__ = _ORIGINAL_SETITEM.__doc__
if "_setitem_" not in vars(Tensor):
    Tensor._setitem_ = _setitem_  # type: ignore[attr-defined]
    Tensor.__setitem__ = _setitem  # type: ignore[method-assign]


# -- helpers ---------------------------------------------------------------------------------

def _zeros(shape: Any, like: Any) -> Any:
    return ember.zeros(tuple(shape), dtype=like.dtype, device=like.device)


def _key(key: Any) -> Any:
    """A key as ``__getitem__`` reads it (a short list holding a sequence is a tuple, as in torch)."""
    if isinstance(key, list) and _sequence_as_tuple(key):
        return tuple(key)
    return key


def _is_advanced(key: Any, bools: bool = True) -> bool:
    """Whether ``key`` has an index tensor, list or (with ``bools``) a Python bool; a 0-d integer
    tensor counts as an int, as torch reads it (one position, ``SelectBackward0``)."""
    items = key if isinstance(key, tuple) else (key,)
    for k in items:
        if isinstance(k, TensorBase):
            if k._data.ndim or k._dtype not in (D.int64, D.int32):
                return True
        elif isinstance(k, (list, tuple)) or (bools and isinstance(k, bool)):
            return True
    return False


def _positions(shape: tuple[int, ...], like: Any) -> Any:
    """int64 tensor of ``shape`` holding each element's flat position."""
    return ember.arange(math.prod(shape), device=like.device).reshape(shape)


def _fit_shape(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` with the extra leading size-1 dims of a broadcast value restored (the engine sums the rest)."""
    extra = len(shape) - g.dim()
    if extra > 0:
        return g.reshape((1,) * extra + tuple(g.shape))
    return g


def _pad_to(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` zero-padded at the end of each dim up to ``shape`` (a src larger than its index)."""
    gshape = tuple(g.shape)
    if gshape == shape:
        return g
    if not gshape:  # a 0-d index: the gradient of a 0-d or (1, ...) source
        return g.reshape(shape) if math.prod(shape) == 1 else _pad_to(g.reshape((1,) * len(shape)), shape)
    out = _zeros(shape, g)
    out[tuple(slice(0, n) for n in gshape)] = g
    return out


def _src_view(src: Any, index: Any) -> Any:
    """The part of ``src`` a scatter reads: its leading ``index.shape`` block."""
    ishape = tuple(index.shape)
    if tuple(src.shape) == ishape or not ishape:
        return src
    return src[tuple(slice(0, n) for n in ishape)]


# -- x[key] and x[key] = value -----------------------------------------------------------------

def _getitem_node(ctx: Any) -> str:
    key = _key(ctx.key)
    if key is None:
        return "UnsqueezeBackward0"
    if _is_advanced(key):
        return "IndexBackward0"
    if isinstance(key, slice):
        return "SliceBackward0"
    items = key if isinstance(key, tuple) else (key,)
    shape = tuple(ctx.arg("self").shape)
    # torch applies the key left to right, skipping full slices; the node is the last op applied.
    name = "AliasBackward0"
    dim = 0
    n_used = sum(1 for k in items if k is not None and k is not Ellipsis)
    for k in items:
        if k is Ellipsis:
            dim += len(shape) - n_used
        elif k is None:
            name = "UnsqueezeBackward0"
        elif isinstance(k, slice):
            start, stop, step = k.indices(shape[dim])
            if not (start == 0 and stop == shape[dim] and step == 1):
                name = "SliceBackward0"
            dim += 1
        else:
            name = "SelectBackward0"
            dim += 1
    return name


@rule("__getitem__", inputs=("self",), node=_getitem_node)
def getitem(ctx: Any, grad: Any) -> tuple[Any, ...]:
    """The gradient scattered back to where the key read (repeated advanced indices accumulate)."""
    key = _key(ctx.key)
    shape = ctx.input_shape("self")
    if not _is_advanced(key):
        out = _zeros(shape, grad)
        out[key] = grad
        return (out,)
    items = key if isinstance(key, tuple) else (key,)
    if all(isinstance(k, TensorBase) for k in items):  # index tensors only: no position table needed
        return (_zeros(shape, grad).index_put(items, grad, accumulate=True),)
    pos = _positions(shape, grad)[key]
    return (_zeros(shape, grad).put(pos, grad, accumulate=True),)


def _index_put_node(ctx: Any) -> str:
    key = _key(ctx.indices)
    if isinstance(key, list):
        key = tuple(key)
    if key is Ellipsis and not isinstance(ctx.values, TensorBase):
        return "FillBackward3"  # torch fills: x[...] = number
    return "IndexPutBackward0" if _is_advanced(key, bools=False) else "CopySlices"


@rule("index_put", inputs=("self", "values"), node=_index_put_node, inplace=("index_put_", "_setitem_"))
def index_put(ctx: Any, grad: Any) -> tuple[Any, ...]:
    """``self[key] = values`` (``+=`` with ``accumulate``); ``x[key] = v`` is recorded with this rule."""
    key = _key(ctx.indices)
    if isinstance(key, list):
        key = tuple(key)
    need = ctx.needs_input_grad
    gx = gv = None
    if need[0]:
        if ctx.accumulate:
            gx = grad
        else:
            mask = ember.zeros(tuple(grad.shape), dtype=ember.bool, device=grad.device)
            mask[key] = True
            gx = grad.masked_fill(mask, 0)
    if need[1]:
        gv = _fit_shape(grad[key], ctx.input_shape("values"))
    return gx, gv


# -- gather-like reads -------------------------------------------------------------------------

@rule("index_select", inputs=("self",))
def index_select(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    if not shape:
        return (grad.reshape(()),)
    return (_zeros(shape, grad).index_add(ctx.dim, ctx.index.reshape(-1), grad),)


@rule("gather", inputs=("self",))
def gather(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (_zeros(ctx.input_shape("self"), grad).scatter_add(ctx.dim, ctx.index, grad),)


@rule("take", inputs=("self",))
def take(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (_zeros(ctx.input_shape("self"), grad).put(ctx.index, grad, accumulate=True),)


@rule("take_along_dim", inputs=("self",), node="GatherBackward0")
def take_along_dim(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    idx, dim = ctx.indices, ctx.dim
    if dim is None:
        return (_zeros(shape, grad).put(idx.reshape(-1), grad.reshape(-1), accumulate=True),)
    d = dim % len(shape)
    size = shape[d]
    gshape = tuple(grad.shape)  # the broadcast shape with idx's size along d
    full = (*gshape[:d], size, *gshape[d + 1:])
    idx = idx.expand(gshape)
    idx = ember.where(idx < 0, idx + size, idx)
    return (_zeros(full, grad).scatter_add(d, idx, grad),)


@rule("masked_select", inputs=("self",))
def masked_select(ctx: Any, grad: Any) -> tuple[Any, ...]:
    mask = ctx.mask
    full = tuple(ember.broadcast_shapes(ctx.input_shape("self"), tuple(mask.shape)))
    return (_zeros(full, grad).masked_scatter(mask, grad),)


# -- scatter-like writes -----------------------------------------------------------------------

def _scatter_node(ctx: Any) -> str:
    if ctx.reduce is not None:
        return "NotImplemented"
    return "ScatterBackward0" if isinstance(ctx.src, TensorBase) else "ScatterBackward1"


@rule("scatter", inputs=("self", "src"), node=_scatter_node, inplace=("scatter_",))
def scatter(ctx: Any, grad: Any) -> tuple[Any, ...]:
    """Positions written lose their gradient; each src element gets the gradient where it was
    written (as torch: with repeated positions every writer gets it, though only one wins)."""
    if ctx.reduce is not None:
        raise RuntimeError("derivative for aten::scatter is not implemented")
    dim, index = ctx.dim, ctx.index
    need = ctx.needs_input_grad
    gx = grad.scatter(dim, index, 0.0) if need[0] else None
    gs = _pad_to(grad.gather(dim, index), ctx.input_shape("src")) if need[1] else None
    return gx, gs


@rule("scatter_add", inputs=("self", "src"), inplace=("scatter_add_",))
def scatter_add(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    gs = _pad_to(grad.gather(ctx.dim, ctx.index), ctx.input_shape("src")) if need[1] else None
    return (grad if need[0] else None), gs


_REDUCE = {"sum": "sum", "prod": "prod", "mean": "mean", "amax": "amax", "amin": "amin", "max": "amax", "min": "amin"}


@rule("scatter_reduce", inputs=("self", "src"), save=("self", "src"), save_output=True,
      inplace=("scatter_reduce_",))
def scatter_reduce(ctx: Any, grad: Any) -> tuple[Any, ...]:
    """PyTorch's gradients: ``amax``/``amin`` split evenly among the values equal to the result,
    ``prod`` exact with zeros, ``mean`` divided by the count; ``include_self=False`` gives the
    positions ``index`` hits no gradient to ``self``.

    One deliberate difference: with ``include_self=False`` PyTorch still counts an excluded
    ``self`` value among the ties of ``amax``/``amin`` (so part of the gradient is lost);
    here it is not counted, and the gradients of a position always add up to its gradient.
    """
    dim, index, mode, include = ctx.dim, ctx.index, _REDUCE[ctx.reduce], ctx.include_self
    need = ctx.needs_input_grad
    src_shape = ctx.input_shape("src")
    gx = gs = None
    if mode == "sum":
        gx = grad
        if need[1]:
            gs = grad.gather(dim, index)
    elif mode == "mean":
        ones = ember.ones_like(grad) if include else ember.zeros_like(grad)
        n = ones.scatter_add(dim, index, ember.ones(tuple(index.shape), dtype=grad.dtype, device=grad.device))
        n = n.masked_fill(n == 0, 1)
        gx = grad / n
        if need[1]:
            gs = gx.gather(dim, index)
    elif mode == "prod":
        self_, result = ctx.self, ctx.result
        src = _src_view(ctx.src, index)
        if need[0]:
            prod_src = ember.ones_like(grad).scatter_reduce(dim, index, src, "prod")
            gx = grad * prod_src
        if need[1]:
            zero = src == 0
            n_zeros = ember.zeros_like(grad).scatter_add(dim, index, zero.to(grad.dtype)).gather(dim, index)
            single = zero & (n_zeros == 1)
            others = self_.scatter_reduce(dim, index, src.masked_fill(single, 1), "prod", include_self=include)
            gs = ember.where(single, (grad * others).gather(dim, index),
                             (grad * result).gather(dim, index) / src.masked_fill(zero, 1))
    else:  # amax / amin: split among every value equal to the result
        self_, result = ctx.self, ctx.result
        src = _src_view(ctx.src, index)
        self_wins = self_ == result
        if not include:
            self_wins = self_wins & (ember.zeros_like(self_wins).scatter(dim, index, True) == 0)
        src_wins = src == result.gather(dim, index)
        count = self_wins.to(grad.dtype).scatter_add(dim, index, src_wins.to(grad.dtype))
        share = grad / count
        gx = ember.where(self_wins, share, ember.zeros_like(share))
        if need[1]:
            gs = ember.where(src_wins, share.gather(dim, index), ember.zeros_like(src_wins, dtype=grad.dtype))
        return (gx if need[0] else None), (None if gs is None else _pad_to(gs, src_shape))
    if gx is not None and not include:
        gx = gx.scatter(dim, index, 0.0)
    return (gx if need[0] else None), (None if gs is None else _pad_to(gs, src_shape))


@rule("index_add", inputs=("self", "source"), inplace=("index_add_",))
def index_add(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    gs = None
    if need[1]:
        shape = ctx.input_shape("source")
        gs = grad.index_select(ctx.dim, ctx.index.reshape(-1)) if grad.dim() else grad
        alpha = ctx.alpha
        if alpha != 1:
            gs = gs * alpha
        gs = gs.reshape(shape)
    return (grad if need[0] else None), gs


@rule("index_copy", inputs=("self", "source"), inplace=("index_copy_",))
def index_copy(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    dim, index = ctx.dim, ctx.index.reshape(-1)
    gx = grad.index_fill(dim, index, 0) if need[0] else None
    gs = None
    if need[1]:
        gs = (grad.index_select(dim, index) if grad.dim() else grad).reshape(ctx.input_shape("source"))
    return gx, gs


@rule("index_fill", inputs=("self", "value"),
      node=lambda ctx: "IndexFillBackward1" if isinstance(ctx.value, TensorBase) else "IndexFillBackward0",
      inplace=("index_fill_",))
def index_fill(ctx: Any, grad: Any) -> tuple[Any, ...]:
    filled = grad.index_fill(ctx.dim, ctx.index, 0)
    need = ctx.needs_input_grad
    return (filled if need[0] else None), ((grad - filled).sum() if need[1] else None)


@rule("put", inputs=("self", "source"), inplace=("put_",))
def put(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    index = ctx.index
    gx = gs = None
    if need[0]:
        gx = grad if ctx.accumulate else grad.put(index, _zeros(tuple(index.shape), grad))
    if need[1]:
        gs = grad.take(index).reshape(ctx.input_shape("source"))
    return gx, gs


@rule("masked_fill", inputs=("self", "value"),
      node=lambda ctx: "MaskedFillBackward1" if isinstance(ctx.value, TensorBase) else "MaskedFillBackward0",
      inplace=("masked_fill_",))
def masked_fill(ctx: Any, grad: Any) -> tuple[Any, ...]:
    mask = ctx.mask
    need = ctx.needs_input_grad
    gx = grad.masked_fill(mask, 0) if need[0] else None
    gv = None
    if need[1]:
        gv = ember.where(mask, grad, ember.zeros_like(grad)).sum()
    return gx, gv


@rule("masked_scatter", inputs=("self", "source"), inplace=("masked_scatter_",))
def masked_scatter(ctx: Any, grad: Any) -> tuple[Any, ...]:
    mask = ctx.mask
    need = ctx.needs_input_grad
    gx = grad.masked_fill(mask, 0) if need[0] else None
    gs = None
    if need[1]:
        shape = ctx.input_shape("source")
        picked = grad.masked_select(mask)
        k = picked.numel()
        gs = _zeros((math.prod(shape),), grad)
        gs = gs.put(ember.arange(k, device=grad.device), picked).reshape(shape)
    return gx, gs


rule("bincount", inputs=("weights",), node="NotImplemented")(no_derivative("derivative for aten::bincount is not implemented"))

# x[key] = value calls the recorded _setitem_ (the index_put rule).
composite("__setitem__", family="index")
nondifferentiable("nonzero", "argwhere", "searchsorted", "bucketize", family="index")
