"""Derivative rules of reductions and scans (``ember._ops_reduce``): sum, mean, prod, nansum,
nanmean, max/min (full, along a dim, and against a tensor), amax/amin, aminmax, var/std and
var_mean/std_mean, logsumexp, cumsum/cumprod (and their in-place forms).

Every rule is written with Ember tensor ops, so all of them support double backward
(given the shape and index families' rules for ``reshape``, ``expand``, ``flip``,
``cat``, ``scatter``). Like PyTorch, ``cumprod``'s backward for an input with zeros
takes an O(n) path that is first-order only when no graph is being built, and an O(n^2)
path that is differentiable again under ``create_graph=True``.
"""

from __future__ import annotations

import math
from typing import Any

import ember
from ember._tensor_base import TensorBase, norm_dim, norm_dims
from ember.autograd._grad_mode import is_grad_enabled
from ember.autograd._rules import nondifferentiable, rule

__all__ = ["unreduce", "select_backward", "evenly_distribute"]


# -- helpers shared with the sort family -----------------------------------------------------

def reduced_axes(shape: tuple[int, ...], dim: Any, op: str) -> tuple[int, ...] | None:
    """The reduced dims of ``shape`` named by ``dim`` (None: every dim, also for ``()`` and 0-d)."""
    if dim is None or not shape:
        return None
    return norm_dims(dim, len(shape), op) or None


def unreduce(grad: Any, shape: tuple[int, ...], axes: tuple[int, ...] | None) -> Any:
    """``grad`` of a reduction over ``axes`` with size-1 dims put back, broadcastable to ``shape``."""
    kept = tuple(1 if axes is None or d in axes else n for d, n in enumerate(shape))
    return grad if tuple(grad.shape) == kept else grad.reshape(kept)


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    return math.prod(shape[d] for d in (range(len(shape)) if axes is None else axes))


def _zeros(t: Any) -> Any:
    return ember.zeros_like(t)


def evenly_distribute(grad: Any, x: Any, value: Any) -> Any:
    """A full max/min/median's gradient: ``grad`` shared evenly among the elements equal to
    ``value`` (the NaNs when ``value`` is NaN), as PyTorch's ``evenly_distribute_backward``."""
    mask = x.isnan() if bool(value.isnan()) else x == value
    return ember.where(mask, grad / mask.sum(), _zeros(x))


def select_backward(grad: Any, indices: Any, dim: Any, shape: tuple[int, ...], keepdim: bool) -> Any:
    """Gradient of a value-selecting reduction along ``dim`` (max, kthvalue, median, mode):
    ``grad`` put at ``indices``, zero elsewhere."""
    if not shape:
        return grad
    d = norm_dim(dim, len(shape), "backward")
    if not keepdim:
        grad, indices = grad.unsqueeze(d), indices.unsqueeze(d)
    return ember.zeros(shape, dtype=grad.dtype, device=grad.device).scatter(d, indices, grad)


def _scale_by_count(grad: Any, x: Any, result: Any, axes: tuple[int, ...] | None) -> Any:
    """amax/amin's gradient: ``grad`` shared evenly among the ties of each reduced slice."""
    shape = tuple(x.shape)
    mask = x == unreduce(result, shape, axes)
    count = mask.sum() if axes is None else mask.sum(axes, keepdim=True)
    return (unreduce(grad, shape, axes) / count) * mask


# -- sums and means ---------------------------------------------------------------------------

def _dim_variant(base: str) -> Any:
    def name(ctx: Any) -> str:
        return f"{base}Backward0" if ctx.dim is None else f"{base}Backward1"

    return name


@rule("sum", inputs=("self",), node=_dim_variant("Sum"))
def sum(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    return (unreduce(grad, shape, reduced_axes(shape, ctx.dim, "sum")).expand(shape),)


@rule("mean", inputs=("self",), node=_dim_variant("Mean"))
def mean(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    axes = reduced_axes(shape, ctx.dim, "mean")
    return ((unreduce(grad, shape, axes) / _count(shape, axes)).expand(shape),)


@rule("nansum", inputs=("self",), save=("self",))
def nansum(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    shape = tuple(x.shape)
    g = unreduce(grad, shape, reduced_axes(shape, ctx.dim, "nansum")).expand(shape)
    return (ember.where(x.isnan(), _zeros(g), g),)


# PyTorch composes nanmean as nansum / count, so its node is a DivBackward0.
@rule("nanmean", inputs=("self",), save=("self",), node="DivBackward0")
def nanmean(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    shape = tuple(x.shape)
    axes = reduced_axes(shape, ctx.dim, "nanmean")
    nan = x.isnan()
    count = (~nan).sum() if axes is None else (~nan).sum(axes, keepdim=True)
    g = (unreduce(grad, shape, axes) / count).expand(shape)
    return (ember.where(nan, _zeros(g), g),)


# -- products ---------------------------------------------------------------------------------

def _exclusive_prod(x: Any, d: int) -> Any:
    """The product of every other element of each slice along ``d`` (PyTorch's
    ``prod_safe_zeros_backward``): an exclusive cumprod forwards times one backwards."""
    n = x.shape[d]
    pos = ember.arange(n, device=x.device).reshape(tuple(n if k == d else 1 for k in range(x.ndim)))
    one = ember.ones_like(x)
    before = ember.where(pos == 0, one, x.roll(1, d)).cumprod(d)
    after = ember.where(pos == 0, one, x.flip(d).roll(1, d)).cumprod(d).flip(d)
    return before * after


def _prod_along(grad: Any, x: Any, result: Any, d: int) -> Any:
    if x.numel() == 0:
        return grad.expand(x.shape)
    if not bool((x == 0).any()):
        return grad * (result / x).conj()  # conj: PyTorch's convention for complex inputs
    return grad * _exclusive_prod(x, d).conj()


@rule("prod", inputs=("self",), save=("self",), save_output=True, node=_dim_variant("Prod"))
def prod(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    shape = tuple(x.shape)
    if not shape:
        return (grad,)
    result = ctx.result
    if ctx.dim is None:
        flat = x.reshape(-1)
        return (_prod_along(grad.reshape(1), flat, result.reshape(1), 0).reshape(shape),)
    axes = (norm_dim(ctx.dim, len(shape), "prod"),)
    return (_prod_along(unreduce(grad, shape, axes), x, unreduce(result, shape, axes), axes[0]),)


# -- max / min --------------------------------------------------------------------------------

def _extreme(kind: str) -> tuple[Any, Any]:
    title = kind.title()

    def name(ctx: Any) -> str:
        dim = ctx.dim
        if isinstance(dim, TensorBase):
            return f"{title}imumBackward0"
        return f"{title}Backward1" if dim is None else f"{title}Backward0"

    def backward(ctx: Any, grad: Any, grad_indices: Any = None) -> tuple[Any, ...]:
        x, dim = ctx.self, ctx.dim
        need = ctx.needs_input_grad
        if grad is None:
            return None, None
        if isinstance(dim, TensorBase):  # x.max(other): maximum, ties share the gradient
            wins = x > dim if kind == "max" else x < dim
            tie = x == dim
            half, zero = grad / 2, _zeros(grad)
            gx = ember.where(wins, grad, ember.where(tie, half, zero))
            gy = ember.where(wins, zero, ember.where(tie, half, grad))
            return (gx if need[0] else None, gy if need[1] else None)
        if dim is None:
            return evenly_distribute(grad, x, ctx.result), None
        return select_backward(grad, ctx.result[1], dim, tuple(x.shape), ctx.keepdim), None

    return name, backward


for _kind in ("max", "min"):
    _name, _backward = _extreme(_kind)
    rule(_kind, inputs=("self", "dim"), save=("self", "dim"), save_output=True, node=_name)(_backward)


@rule("amax", inputs=("self",), save=("self",), save_output=True)
def amax(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    return (_scale_by_count(grad, x, ctx.result, reduced_axes(tuple(x.shape), ctx.dim, "amax")),)


@rule("amin", inputs=("self",), save=("self",), save_output=True)
def amin(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    return (_scale_by_count(grad, x, ctx.result, reduced_axes(tuple(x.shape), ctx.dim, "amin")),)


@rule("aminmax", inputs=("self",), save=("self",), save_output=True)
def aminmax(ctx: Any, grad_min: Any, grad_max: Any) -> tuple[Any, ...]:
    x = ctx.self
    shape = tuple(x.shape)
    axes = None if ctx.dim is None or not shape else (norm_dim(ctx.dim, len(shape), "aminmax"),)
    lo, hi = ctx.result
    out = None
    for g, r in ((grad_min, lo), (grad_max, hi)):
        if g is not None:
            part = _scale_by_count(g, x, r, axes)
            out = part if out is None else out + part
    return (out,)


# -- variance and standard deviation ----------------------------------------------------------

def _moment_args(dim: Any, unbiased: Any, keepdim: bool, correction: Any) -> tuple[Any, bool, float]:
    """``(dim, keepdim, correction)`` as var/std read their arguments (incl. the legacy
    ``var(unbiased)`` overload)."""
    if isinstance(dim, bool):
        if unbiased is not None:
            keepdim = bool(unbiased)
        dim, unbiased = None, dim
    if correction is None:
        return dim, keepdim, 0 if unbiased is False else 1
    return dim, keepdim, float(correction)  # a real number: the forward checked it


def _var_backward(grad: Any, x: Any, dim: Any, keepdim: bool, corr: float) -> Any:
    """PyTorch's ``var_backward``: ``2 / (N - correction) * grad * (x - mean)``."""
    shape = tuple(x.shape)
    axes = reduced_axes(shape, dim, "var")
    dof = _count(shape, axes) - corr
    if axes is None:
        center = x - x.mean()
        if dof <= 0:  # 2 / 0 is inf: NaN where x equals its mean (inf * 0), inf elsewhere
            return grad * ember.where(center == 0, math.nan, math.inf)
        return (2.0 / dof) * grad * center
    scale = 2.0 / dof if dof else math.inf
    return scale * unreduce(grad, shape, axes) * (x - x.mean(axes, keepdim=True))


def _std_grad(grad: Any, result: Any) -> Any:
    g = grad / (result * 2)
    return ember.where(result == 0, _zeros(g), g)


@rule("var", inputs=("self",), save=("self",))
def var(ctx: Any, grad: Any) -> tuple[Any, ...]:
    dim, keepdim, corr = _moment_args(ctx.dim, ctx.unbiased, ctx.keepdim, ctx.correction)
    return (_var_backward(grad, ctx.self, dim, keepdim, corr),)


@rule("std", inputs=("self",), save=("self",), save_output=True)
def std(ctx: Any, grad: Any) -> tuple[Any, ...]:
    dim, keepdim, corr = _moment_args(ctx.dim, ctx.unbiased, ctx.keepdim, ctx.correction)
    return (_var_backward(_std_grad(grad, ctx.result), ctx.self, dim, keepdim, corr),)


def _moments_mean(op: str) -> Any:
    def backward(ctx: Any, grad_spread: Any, grad_mean: Any) -> tuple[Any, ...]:
        x = ctx.input
        dim, keepdim, corr = _moment_args(ctx.dim, ctx.unbiased, ctx.keepdim, ctx.correction)
        out = None
        if grad_spread is not None:
            if op == "std_mean":
                grad_spread = _std_grad(grad_spread, ctx.result[0])
            out = _var_backward(grad_spread, x, dim, keepdim, corr)
        if grad_mean is not None:
            shape = tuple(x.shape)
            axes = reduced_axes(shape, dim, op)
            part = (unreduce(grad_mean, shape, axes) / _count(shape, axes)).expand(shape)
            out = part if out is None else out + part
        return (out,)

    return backward


rule("var_mean", function=True, inputs=("input",), save=("input",), node="VarMeanBackward0")(
    _moments_mean("var_mean"))
rule("std_mean", function=True, inputs=("input",), save=("input",), save_output=True, node="StdMeanBackward0")(
    _moments_mean("std_mean"))


# -- logsumexp and scans ----------------------------------------------------------------------

@rule("logsumexp", inputs=("self",), save=("self",), save_output=True)
def logsumexp(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    shape = tuple(x.shape)
    axes = reduced_axes(shape, ctx.dim, "logsumexp")
    return (unreduce(grad, shape, axes) * (x - unreduce(ctx.result, shape, axes)).exp(),)


def _reversed_cumsum(t: Any, d: int) -> Any:
    return t.flip(d).cumsum(d).flip(d)


@rule("cumsum", inputs=("self",), inplace=("cumsum_",))
def cumsum(ctx: Any, grad: Any) -> tuple[Any, ...]:
    shape = ctx.input_shape("self")
    if not shape or math.prod(shape) <= 1:
        return (grad,)
    d = norm_dim(ctx.dim, len(shape), "cumsum")
    return (grad if shape[d] == 1 else _reversed_cumsum(grad, d),)


def _cumprod_zeros_fast(grad: Any, x: Any, out: Any, d: int) -> Any:
    """First-order gradient of cumprod where ``x`` has zeros, in O(n) per slice:
    before a slice's first zero the usual formula; at it, the product before it times the
    weighted sum of the products after it; after it, zero."""
    is_zero = x == 0
    seen = is_zero.cumsum(d)
    before = seen == 0
    first = is_zero & (seen == 1)
    after = (seen >= 1) & ~first
    one = ember.ones_like(x)
    g_before = _reversed_cumsum(out * grad, d) / ember.where(before, x, one)
    g_before = ember.where(before, g_before, _zeros(g_before))
    lead = ember.where(before, x, one).prod(d, keepdim=True)
    tail = ember.where(after, x, one).cumprod(d)
    weighted = ember.where(seen >= 1, grad * tail, _zeros(tail)).sum(d, keepdim=True)
    g_first = ember.where(first, lead * weighted, _zeros(g_before))
    return g_before + g_first


def _cumprod_zeros_exact(grad: Any, x: Any, d: int) -> Any:
    """The same gradient built as sum_i grad_i * prod_{j<=i, j!=k} x_j over an (n, n) grid of each
    slice: O(n^2), but differentiable again (used under ``create_graph=True``)."""
    n = x.shape[d]
    xm, gm = x.movedim(d, -1), grad.movedim(d, -1)
    r = ember.arange(n, device=x.device)
    k, i = r.reshape(n, 1), r.reshape(1, n)
    omit = ember.where(k == i, ember.ones_like(xm).unsqueeze(-2), xm.unsqueeze(-2))  # [..., k, j]
    partial = omit.cumprod(-1)  # [..., k, i] = prod_{j<=i, j!=k} x_j
    terms = partial * gm.unsqueeze(-2)
    g = ember.where(i >= k, terms, _zeros(terms)).sum(-1)
    return g.movedim(-1, d)


@rule("cumprod", inputs=("self",), save=("self",), save_output=True, inplace=("cumprod_",))
def cumprod(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    shape = tuple(x.shape)
    if x.numel() <= 1:
        return (grad,)
    d = norm_dim(ctx.dim, len(shape), "cumprod")
    if shape[d] == 1:
        return (grad,)
    out = ctx.result
    if not bool((x == 0).any()):
        return (_reversed_cumsum(out.conj() * grad, d) / x.conj(),)
    if is_grad_enabled():
        return (_cumprod_zeros_exact(grad, x, d),)
    return (_cumprod_zeros_fast(grad, x, out, d),)


nondifferentiable("argmax", "argmin", "all", "any", "count_nonzero", family="reduce")
