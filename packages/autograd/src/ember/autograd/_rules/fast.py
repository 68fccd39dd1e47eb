"""Raw backwards of the hottest rules, for ``backward()`` without ``create_graph``.

Each function here is the same derivative as its family's Ember-op rule, computed on
native arrays with the backend's kernels (one kernel call per arithmetic step, no
tensor wrapping, dispatch or promotion in between); see ``fast`` in the package
docstring for the contract. The Ember-op rules stay the reference: they run under
``create_graph=True`` (so higher-order gradients work), for complex and mixed-dtype
calls, and wherever a function here returns ``NotImplemented``;
``tests/test_rules_fast.py`` checks that both paths agree.

One deliberate difference: ``relu``'s raw backward multiplies by the 0/1 mask
(``grad * (result > 0)``, 5x faster than a select on the CPU backend), so a NaN or
infinite incoming gradient where the input was negative stays NaN instead of becoming 0.
"""

from __future__ import annotations

import math
from typing import Any

from ember._tensor_base import TensorBase, norm_dim, norm_shape, wrap
from ember.autograd._rules import fast
from ember.autograd._rules.nn import _softmax_grad
from ember.autograd._rules.reduce import reduced_axes

__all__: list[str] = []


def _a(v: Any) -> Any:
    """A tensor input's native array; numbers as they are (kernels take Python scalars)."""
    return v._data if isinstance(v, TensorBase) else v


def _shape(v: Any) -> tuple[int, ...]:
    """A tensor input's shape, also once released (then it is (shape, dtype, device))."""
    return tuple(v._data.shape) if isinstance(v, TensorBase) else tuple(v[0])


def _need(ctx: Any, i: int) -> bool:
    return ctx.next_functions[i][0] is not None


def _alpha(ctx: Any) -> Any:
    kw = ctx._kwargs  # alpha is keyword-only (and absent from the operator forms)
    return kw.get("alpha", 1) if kw else 1


# -- arithmetic ------------------------------------------------------------------------------

@fast("add")
def add(ctx: Any, gd: Any, ref: Any, x: Any, y: Any) -> tuple[Any, ...]:
    if ctx.next_functions[1][0] is None:
        return gd, None
    alpha = _alpha(ctx)
    return gd, (gd if alpha == 1 else ref._backend.multiply(gd, alpha))


@fast("sub")
def sub(ctx: Any, gd: Any, ref: Any, x: Any, y: Any) -> tuple[Any, ...]:
    alpha = _alpha(ctx)
    bk = ref._backend
    if not _need(ctx, 1):
        return gd, None
    return gd, (bk.negative(gd) if alpha == 1 else bk.multiply(gd, -alpha))


@fast("__rsub__")
def rsub(ctx: Any, gd: Any, ref: Any, x: Any, y: Any) -> tuple[Any, ...]:
    return ref._backend.negative(gd), (gd if _need(ctx, 1) else None)


@fast("neg")
def neg(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    return (ref._backend.negative(gd),)


@fast("mul")
def mul(ctx: Any, gd: Any, ref: Any, x: Any, y: Any) -> tuple[Any, ...]:
    multiply = ref._backend.multiply
    nf = ctx.next_functions
    return (multiply(gd, y._data if isinstance(y, TensorBase) else y) if nf[0][0] is not None else None,
            multiply(gd, x._data) if nf[1][0] is not None else None)


def _div(ctx: Any, gd: Any, ref: Any, x: Any, y: Any) -> tuple[Any, ...]:
    bk = ref._backend
    yd = _a(y)
    gx = bk.divide(gd, yd) if _need(ctx, 0) else None
    gy = bk.divide(bk.multiply(bk.negative(gd), _a(x)), bk.multiply(yd, yd)) if _need(ctx, 1) else None
    return gx, gy


@fast("div")
def div(ctx: Any, gd: Any, ref: Any, x: Any, y: Any) -> Any:
    if ctx._kwargs.get("rounding_mode") is not None:
        return NotImplemented  # a step function: the Ember rule gives its zeros
    return _div(ctx, gd, ref, x, y)


fast("__truediv__")(_div)


@fast("__rtruediv__")
def rtruediv(ctx: Any, gd: Any, ref: Any, x: Any, other: Any) -> tuple[Any, ...]:
    bk = ref._backend  # other / x
    xd = x._data
    gx = bk.divide(bk.multiply(bk.negative(gd), _a(other)), bk.multiply(xd, xd))
    return gx, (bk.divide(gd, xd) if _need(ctx, 1) else None)


@fast("pow")
def pow(ctx: Any, gd: Any, ref: Any, x: Any, e: Any) -> Any:
    if isinstance(e, (TensorBase, complex)):
        return NotImplemented
    bk = ref._backend
    if e == 0:
        return bk.multiply(gd, 0), None
    return bk.multiply(bk.multiply(gd, e), bk.pow(x._data, e - 1)), None


@fast("square")
def square(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    bk = ref._backend
    return (bk.multiply(bk.multiply(gd, 2), x._data),)


# -- unary functions -------------------------------------------------------------------------

@fast("exp")
def exp(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    return (ref._backend.multiply(gd, ctx.output()._data),)


@fast("log")
def log(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    return (ref._backend.divide(gd, x._data),)


@fast("sin")
def sin(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    bk = ref._backend
    return (bk.multiply(gd, bk.cos(x._data)),)


@fast("cos")
def cos(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    bk = ref._backend
    return (bk.multiply(gd, bk.negative(bk.sin(x._data))),)


@fast("tanh")
def tanh(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    bk = ref._backend
    r = ctx.output()._data
    return (bk.multiply(gd, bk.subtract(1, bk.multiply(r, r))),)


@fast("sigmoid")
def sigmoid(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    bk = ref._backend
    r = ctx.output()._data
    return (bk.multiply(bk.multiply(gd, r), bk.subtract(1, r)),)


@fast("relu")
def relu(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    bk = ref._backend
    mask = bk.astype(bk.greater(ctx.output()._data, 0), ref._dtype)
    return (bk.multiply(gd, mask),)


# -- reductions ------------------------------------------------------------------------------

def _spread(ctx: Any, gd: Any, ref: Any, shape: tuple[int, ...], op: str, scale: int) -> Any:
    """``g`` of a reduction over ``ctx.dim`` (divided by ``scale`` for a mean), as ``shape``."""
    bk = ref._backend
    axes = reduced_axes(shape, ctx.dim, op)
    if scale != 1:
        gd = bk.divide(gd, scale)
    if axes is None:  # one value everywhere: zeros plus it (no device sync for a host scalar)
        return bk.add(bk.full(shape, 0, ref._dtype, ref._device.index), gd)
    kept = tuple(1 if d in axes else n for d, n in enumerate(shape))
    if tuple(gd.shape) != kept:
        gd = bk.reshape(gd, kept, None)
    return bk.broadcast_to(gd, shape)


@fast("sum", views=True)
def sum(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    return (_spread(ctx, gd, ref, _shape(x), "sum", 1),)


@fast("mean", views=True)
def mean(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    shape = _shape(x)
    axes = reduced_axes(shape, ctx.dim, "mean")
    count = math.prod(shape[d] for d in (range(len(shape)) if axes is None else axes))
    return (_spread(ctx, gd, ref, shape, "mean", count),)


# -- views -----------------------------------------------------------------------------------

def _reshape(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    return (ref._backend.reshape(gd, _shape(x), None),)


for _op in ("view", "reshape", "unflatten", "squeeze", "unsqueeze"):
    fast(_op, views=True)(_reshape)


@fast("t", views=True)
def t(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    return (ref._backend.permute_dims(gd, (1, 0)) if gd.ndim == 2 else gd,)


@fast("transpose", views=True)
def transpose(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    nd = gd.ndim
    if nd < 2:
        return (gd,)
    d0, d1 = norm_dim(ctx.dim0, nd, "transpose"), norm_dim(ctx.dim1, nd, "transpose")
    axes = list(range(nd))
    axes[d0], axes[d1] = d1, d0
    return (ref._backend.permute_dims(gd, tuple(axes)),)


@fast("permute", views=True)
def permute(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    nd = gd.ndim
    inverse = [0] * nd
    for i, d in enumerate(norm_shape(ctx.dims, "permute", "dims")):
        inverse[norm_dim(d, nd, "permute")] = i
    return (ref._backend.permute_dims(gd, tuple(inverse)),)


# -- matrix products -------------------------------------------------------------------------

def _transposed(bk: Any, x: Any) -> bool:
    """Whether 2-D ``x`` is laid out column-major (a ``.T`` of a contiguous matrix, as
    ``nn.Linear``'s ``weight.T``)."""
    if not bk.strided_views:
        return False
    s0, s1 = bk.strides(x)
    return s0 == 1 and s1 == x.shape[0] and s1 != 1


def _mm_grads(bk: Any, gd: Any, ad: Any, bd: Any, need_a: bool, need_b: bool) -> tuple[Any, Any]:
    """Gradients of ``a @ b`` (2-D), each in its input's layout, as PyTorch's ``mm_mat2_backward``
    does: a transposed weight gets ``(g.T @ a).T``, so its ``.T`` node hands the leaf a
    contiguous gradient the leaf can keep without a copy."""
    t = bk.permute_dims
    ga = gb = None
    if need_a:
        ga = t(bk.matmul(bd, t(gd, (1, 0))), (1, 0)) if _transposed(bk, ad) else bk.matmul(gd, t(bd, (1, 0)))
    if need_b:
        gb = t(bk.matmul(t(gd, (1, 0)), ad), (1, 0)) if _transposed(bk, bd) else bk.matmul(t(ad, (1, 0)), gd)
    return ga, gb


def _mm(ctx: Any, gd: Any, ref: Any, a: Any, b: Any) -> Any:
    ad, bd = a._data, b._data
    if ad.ndim != 2 or bd.ndim != 2:
        return NotImplemented  # the Ember rule handles vectors and batches
    return _mm_grads(ref._backend, gd, ad, bd, _need(ctx, 0), _need(ctx, 1))


fast("matmul")(_mm)
fast("mm")(_mm)


@fast("addmm")
def addmm(ctx: Any, gd: Any, ref: Any, inp: Any, a: Any, b: Any) -> Any:
    """``beta * inp + alpha * (a @ b)``: ``nn.Linear``'s one node."""
    kw = ctx._kwargs
    beta, alpha = (kw.get("beta", 1), kw.get("alpha", 1)) if kw else (1, 1)
    if isinstance(beta, (complex, TensorBase)) or isinstance(alpha, (complex, TensorBase)):
        return NotImplemented
    bk = ref._backend
    ginp = (gd if beta == 1 else bk.multiply(gd, beta)) if _need(ctx, 0) else None
    gp = gd if alpha == 1 else bk.multiply(gd, alpha)
    ga, gb = _mm_grads(bk, gp, a._data, b._data, _need(ctx, 1), _need(ctx, 2))
    return ginp, ga, gb


# -- softmax ---------------------------------------------------------------------------------

def _log_softmax(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    return (_softmax_grad(wrap(gd, ref._dtype, ref._device, ref._backend), ctx.output(), ctx.dim, True)._data,)


def _softmax(ctx: Any, gd: Any, ref: Any, x: Any) -> tuple[Any, ...]:
    return (_softmax_grad(wrap(gd, ref._dtype, ref._device, ref._backend), ctx.output(), ctx.dim, False)._data,)


fast("log_softmax")(_log_softmax)
fast("log_softmax", function=True)(_log_softmax)
fast("softmax")(_softmax)
fast("softmax", function=True)(_softmax)
