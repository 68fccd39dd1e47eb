"""Derivative rules of views, reshaping, splitting, joining and copying rearrangements
(``_ops_shape``, ``_ops_layout``, ``_ops_join``).

Every backward is written with ops of this family (reshape, permute, narrow, cat,
diagonal, diag_embed, ...) plus ``sum`` and ``index_add``, so all rules support
double backward (``create_graph=True``) wherever those ops are recorded.

Node names are PyTorch's: a reshape that can view its input records
``ViewBackward0``, one that must copy ``UnsafeViewBackward0``; ``tensor_split`` and
``narrow`` record ``SliceBackward0``. In-place writes through any of these views
are handled by the engine (``CopySlices``): view rules only map gradients.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence
from typing import Any

import ember
from ember._ops_shape import infer_shape
from ember._tensor import Tensor
from ember._tensor_base import norm_dim, norm_shape
from ember.autograd._rules import composite, nondifferentiable, rule, sum_to_size

# -- helpers ---------------------------------------------------------------------------------------


def _zeros(shape: Sequence[int], like: Any) -> Any:
    return ember.zeros(tuple(shape), dtype=like.dtype, device=like.device)


def _pad_to(t: Any, dim: int, size: int) -> Any:
    """``t`` cut or zero-extended at the end of ``dim`` to ``size``."""
    have = t.shape[dim]
    if have > size:
        return t.narrow(dim, 0, size)
    if have < size:
        shape = list(t.shape)
        shape[dim] = size - have
        return ember.cat([t, _zeros(shape, t)], dim)
    return t


def _place(g: Any, shape: Sequence[int], dim: int, start: int) -> Any:
    """A zero tensor of ``shape`` with ``g`` written at ``start`` along ``dim`` (the backward of a slice)."""
    shape = list(shape)
    n, stop = shape[dim], start + g.shape[dim]
    if start == 0 and stop == n:
        return g
    parts = []
    if start:
        parts.append(_zeros([*shape[:dim], start, *shape[dim + 1:]], g))
    parts.append(g)
    if stop < n:
        parts.append(_zeros([*shape[:dim], n - stop, *shape[dim + 1:]], g))
    return ember.cat(parts, dim)


def _diagonal_backward(grad: Any, shape: Sequence[int], offset: int, dim1: int, dim2: int) -> Any:
    """A zero tensor of ``shape`` whose ``offset``-th diagonal over ``dim1``/``dim2`` is ``grad``."""
    nd = len(shape)
    a, b = dim1 % nd, dim2 % nd
    out = grad.diag_embed(offset, a, b)  # (..., n + |offset|, ...) at dims a and b: the rest is zeros
    return _pad_to(_pad_to(out, a, shape[a]), b, shape[b])


def _fill_none(grads: Sequence[Any], shapes: Sequence[Sequence[int]]) -> list[Any]:
    """One gradient per output (``shapes``), zeros for outputs that got none.

    The engine passes gradients up to the last output that received one, so ``grads``
    may be shorter (or, for a one-piece split, longer with ``None``) than ``shapes``.
    """
    ref = next(g for g in grads if g is not None)
    grads = [*grads[: len(shapes)], *[None] * (len(shapes) - len(grads))]
    return [g if g is not None else _zeros(s, ref) for g, s in zip(grads, shapes, strict=True)]


def _slices_backward(grads: Sequence[Any], shape: Sequence[int], dim: int,
                     bounds: Sequence[tuple[int, int]]) -> Any:
    """The input gradient of views ``[start:stop]`` along ``dim`` (one cat when they tile the dim)."""
    shapes = [[*shape[:dim], b - a, *shape[dim + 1:]] for a, b in bounds]
    gs = _fill_none(grads, shapes)
    tiles = bounds[0][0] == 0 and bounds[-1][1] == shape[dim] and all(
        bounds[i][1] == bounds[i + 1][0] for i in range(len(bounds) - 1)
    )
    if tiles:
        return gs[0] if len(gs) == 1 else ember.cat(gs, dim)
    total = None
    for g, (a, _) in zip(gs, bounds, strict=True):  # overlapping pieces (decreasing indices) add up
        placed = _place(g, shape, dim, a)
        total = placed if total is None else total + placed
    return total


def _in_dim(shape: Sequence[int], dim: int, op: str) -> int:
    return norm_dim(dim, len(shape), op)


def _as_int(v: Any) -> int:
    return int(v.item()) if isinstance(v, Tensor) else operator.index(v)


# -- reshaping views -------------------------------------------------------------------------------

def _can_view(x: Any, shape: tuple[int, ...]) -> bool:
    """Whether ``x`` reshapes to ``shape`` without a copy (as the op itself decided)."""
    if x.is_contiguous():
        return True
    try:
        x._backend.reshape(x._data, shape, False)
    except ValueError:
        return False
    return True


def _reshape_node(ctx: Any) -> str:
    x = ctx.self
    shape = infer_shape(norm_shape(ctx.shape, "reshape"), x._data.size, "reshape")
    return "ViewBackward0" if _can_view(x, shape) else "UnsafeViewBackward0"


def _reshape_grad(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.reshape(ctx.input_shape("self")),)


rule("view", inputs=("self",), node="ViewBackward0")(_reshape_grad)
rule("reshape", inputs=("self",), node=_reshape_node)(_reshape_grad)
rule("unflatten", inputs=("self",), node="ViewBackward0")(_reshape_grad)
rule("squeeze", inputs=("self",), node=lambda ctx: (
    "SqueezeBackward0" if ctx.dim is None else
    "SqueezeBackward2" if isinstance(ctx.dim, (tuple, list)) else "SqueezeBackward1"))(_reshape_grad)
rule("unsqueeze", inputs=("self",))(_reshape_grad)


# -- dim reorderings --------------------------------------------------------------------------------

@rule("permute", inputs=("self",))
def permute(ctx: Any, grad: Any) -> tuple[Any, ...]:
    nd = len(ctx.input_shape("self"))
    dims = [norm_dim(d, nd, "permute") for d in norm_shape(ctx.dims, "permute", "dims")]
    inverse = [0] * nd
    for i, d in enumerate(dims):
        inverse[d] = i
    return (grad.permute(inverse),)


@rule("transpose", inputs=("self",), aliases=("swapaxes", "swapdims"))
def transpose(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.transpose(ctx.dim0, ctx.dim1),)


@rule("t", inputs=("self",), node="TBackward0")
def t(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.t(),)


@rule("adjoint", inputs=("self",),
      node=lambda ctx: "ConjBackward0" if ctx.self.is_complex() else "TransposeBackward0")
def adjoint(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.adjoint(),)


@rule("movedim", inputs=("self",), node="PermuteBackward0", aliases=("moveaxis",))
def movedim(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.movedim(ctx.destination, ctx.source),)


@rule("expand", inputs=("self",))
def expand(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (sum_to_size(grad, ctx.input_shape("self")),)


@rule("contiguous", inputs=("self",), node="CloneBackward0")
def contiguous(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad,)  # the recorder records nothing when the op returns its input


@rule("clone", inputs=("self",))
def clone(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad,)


# -- slicing views -------------------------------------------------------------------------------

def _split_sizes(arg: Any, n: int) -> list[int]:
    if isinstance(arg, (list, tuple)):
        return [operator.index(s) for s in arg]
    step = operator.index(arg)
    return [min(step, n - i) for i in range(0, n, step)] if n else [0]


def _bounds(sizes: Sequence[int]) -> list[tuple[int, int]]:
    out, start = [], 0
    for s in sizes:
        out.append((start, start + s))
        start += s
    return out


@rule("split", inputs=("self",), node=lambda ctx: (
    "SplitWithSizesBackward0" if isinstance(ctx.split_size_or_sections, (list, tuple)) else "SplitBackward0"))
def split(ctx: Any, *grads: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    d = _in_dim(shape, ctx.dim, "split")
    return (_slices_backward(grads, shape, d, _bounds(_split_sizes(ctx.split_size_or_sections, shape[d]))),)


@rule("tensor_split", inputs=("self",), node="SliceBackward0")
def tensor_split(ctx: Any, *grads: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    d = _in_dim(shape, ctx.dim, "tensor_split")
    size = shape[d]
    arg = ctx.indices_or_sections
    if isinstance(arg, Tensor):
        arg = arg.tolist()
    if isinstance(arg, (list, tuple)):
        bounds, start = [], 0
        for stop in (*arg, size):
            a, b, _ = slice(start, stop).indices(size)
            bounds.append((a, max(a, b)))
            start = stop
    else:
        each, extra = divmod(size, operator.index(arg))
        edges = [i * each + min(i, extra) for i in range(operator.index(arg) + 1)]
        bounds = list(itertools.pairwise(edges))
    return (_slices_backward(grads, shape, d, bounds),)


@rule("unbind", inputs=("self",))
def unbind(ctx: Any, *grads: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    d = _in_dim(shape, ctx.dim, "unbind")
    rest = [*shape[:d], *shape[d + 1:]]
    return (ember.stack(_fill_none(grads, [rest] * shape[d]), d),)


@rule("narrow", inputs=("self",), node="SliceBackward0")
def narrow(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    d = _in_dim(shape, ctx.dim, "narrow")
    start = _as_int(ctx.start)
    return (_place(grad, shape, d, start + shape[d] if start < 0 else start),)


@rule("unfold", inputs=("self",))
def unfold(ctx: Any, grad: Any) -> tuple[Any, ...]:
    """Overlap-add of the windows: one ``index_add`` of every window element at its source position."""
    shape = ctx.input_shape("self")
    size, step = operator.index(ctx.size), operator.index(ctx.step)
    if not shape:  # a 0-d input unfolds into 0 or 1 element
        return (grad.sum().reshape(()),)
    d = _in_dim(shape, ctx.dimension, "unfold")
    n = grad.shape[d]
    where = (ember.arange(n, device=grad.device) * step).unsqueeze(1) + ember.arange(size, device=grad.device)
    g = grad.movedim(-1, d + 1).flatten(d, d + 1)  # (..., n * size, ...) in window order
    return (_zeros(shape, grad).index_add(d, where.reshape(-1), g),)


@rule("diagonal", inputs=("self",))
def diagonal(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (_diagonal_backward(grad, ctx.input_shape("self"), operator.index(ctx.offset), ctx.dim1, ctx.dim2),)


# -- joining ----------------------------------------------------------------------------------------

@rule("cat", function=True, inputs=("tensors",))
def cat(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shapes = ctx.input_shape("tensors")
    # cat skips legacy empty 1-D inputs (shape (0,)) unless all are: they get zero gradients
    kept = [i for i, s in enumerate(shapes) if s != (0,)] or [0]
    d = norm_dim(ctx.dim, len(shapes[kept[0]]), "cat")
    pieces = dict(zip(kept, grad.split([shapes[i][d] for i in kept], d), strict=True))
    return ([pieces[i] if i in pieces else _zeros(s, grad) for i, s in enumerate(shapes)],)


@rule("stack", function=True, inputs=("tensors",))
def stack(ctx: Any, grad: Any) -> tuple[Any, ...]:
    d = norm_dim(ctx.dim, grad.ndim, "stack")
    return (list(grad.unbind(d)),)


@rule("block_diag", function=True, inputs=("tensors",))
def block_diag(ctx: Any, grad: Any) -> tuple[Any, ...]:
    out, r, c = [], 0, 0
    for s in ctx.input_shape("tensors"):
        n, m = s if len(s) == 2 else (1, s[0]) if s else (1, 1)  # 1-D blocks are rows, 0-d ones 1 x 1
        out.append(grad.narrow(0, r, n).narrow(1, c, m).reshape(s))
        r, c = r + n, c + m
    return (out,)


# -- copying rearrangements --------------------------------------------------------------------------

def _repeat_backward(grad: Any, shape: Sequence[int], reps: Sequence[int]) -> Any:
    """Sum the tiles: ``grad`` seen as ``(r0, n0, r1, n1, ...)`` summed over the ``r`` dims."""
    padded = (1,) * (len(reps) - len(shape)) + tuple(shape)
    split = tuple(x for r, n in zip(reps, padded, strict=True) for x in (r, n))
    tiles = tuple(range(0, len(split), 2))
    return grad.reshape(split).sum(dim=tiles).reshape(tuple(shape))


def _reps(sizes: tuple[Any, ...]) -> tuple[int, ...]:
    return tuple(norm_shape(sizes, "repeat", "repeats"))


@rule("repeat", inputs=("self",))
def repeat(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (_repeat_backward(grad, ctx.input_shape("self"), _reps(ctx.sizes)),)


@rule("tile", inputs=("self",), node="RepeatBackward0")
def tile(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    dims = _reps(ctx.dims)
    return (_repeat_backward(grad, shape, (1,) * (len(shape) - len(dims)) + dims),)


@rule("repeat_interleave", inputs=("self",),
      node=lambda ctx: "IndexSelectBackward0" if isinstance(ctx.repeats, Tensor) else "ViewBackward0")
def repeat_interleave(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shape = tuple(ctx.input_shape("self"))
    if ctx.dim is None:
        src, d = (_numel(shape),), 0
    else:
        src, d = shape, _in_dim(shape, ctx.dim, "repeat_interleave")
    repeats = ctx.repeats
    n = src[d]
    if not isinstance(repeats, Tensor):
        r = operator.index(repeats)
        g = grad.reshape((*src[:d], n, r, *src[d + 1:])).sum(d + 1)
    else:
        counts = repeats.reshape(-1).expand(n) if repeats.numel() == 1 else repeats
        index = ember.repeat_interleave(counts.to(ember.int64))
        g = _zeros(src, grad).index_add(d, index, grad)
    return (g.reshape(shape),)


def _numel(shape: Sequence[int]) -> int:
    out = 1
    for s in shape:
        out *= s
    return out


@rule("flip", inputs=("self",))
def flip(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.flip(*ctx.dims),)


@rule("fliplr", inputs=("self",), node="FlipBackward0")
def fliplr(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.fliplr(),)


@rule("flipud", inputs=("self",), node="FlipBackward0")
def flipud(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.flipud(),)


@rule("roll", inputs=("self",))
def roll(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shifts = ctx.shifts
    back = [-s for s in shifts] if isinstance(shifts, (list, tuple)) else -shifts
    return (grad.roll(back, ctx.dims),)


@rule("rot90", inputs=("self",))
def rot90(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.rot90(-operator.index(ctx.k), ctx.dims),)


@rule("tril", inputs=("self",), inplace=("tril_",))
def tril(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.tril(ctx.diagonal),)


@rule("triu", inputs=("self",), inplace=("triu_",))
def triu(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.triu(ctx.diagonal),)


@rule("diag", inputs=("self",),
      node=lambda ctx: "DiagEmbedBackward0" if ctx.self.ndim == 1 else "DiagonalBackward0_copy")
def diag(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    k = operator.index(ctx.diagonal)
    if len(shape) == 1:
        return (grad.diagonal(k),)
    return (_diagonal_backward(grad, shape, k, 0, 1),)


@rule("diag_embed", inputs=("self",))
def diag_embed(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.diagonal(operator.index(ctx.offset), ctx.dim1, ctx.dim2),)


@rule("diagflat", inputs=("self",), node="DiagEmbedBackward0")
def diagflat(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.diagonal(operator.index(ctx.offset)).reshape(ctx.input_shape("self")),)


@rule("trace", inputs=("self",))
def trace(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    return (_diagonal_backward(grad.expand(min(shape)), shape, 0, 0, 1),)


# Made of recorded ops: view_as/reshape_as call view/reshape, expand_as/broadcast_to call expand,
# flatten calls reshape, chunk calls split, hsplit/vsplit/dsplit call tensor_split.
composite("view_as", "reshape_as", "flatten", "expand_as", "broadcast_to", "chunk", "hsplit", "vsplit",
          "dsplit", family="shape")
# Functions made of recorded views, cat and stack (PyTorch's node names follow: CatBackward0,
# ExpandBackward0, UnsqueezeBackward0, StackBackward0), and the function form of repeat_interleave.
composite("hstack", "vstack", "row_stack", "dstack", "column_stack", "meshgrid", "broadcast_tensors",
          "atleast_1d", "atleast_2d", "atleast_3d", "cartesian_prod", "repeat_interleave",
          function=True, family="shape")
nondifferentiable("tril_indices", "triu_indices", family="shape")
