"""Derivative rules of the neural-network ops (``ember._nnops``): convolutions, pooling, softmax,
dropout, normalization, embeddings, padding, interpolation and pixel shuffles.

First-order gradients come from the optional-tier backward kernels (what a backend speeds up).
Every rule here also supports higher orders (``create_graph=True``), by one of three devices:

* a linear op's backward ``grad -> L^T grad`` runs as :class:`_Adjoint`, a Function whose own
  backward applies ``L`` again through recorded ops (pooling, padding, interpolation, embedding);
* convolution gradients run as :class:`_ConvInput` / :class:`_ConvWeight`, whose backwards are
  convolutions and each other, so every order is differentiable;
* softmax, the normalizations and ``embedding_bag`` write their backward with Ember ops under
  ``create_graph=True`` (the kernels otherwise).

Max pooling on an input that may need a gradient runs the ``*_with_indices`` op, so backward
uses the forward's own indices (one forward pass, as in PyTorch). The dropout family is made of one
recorded op, ``dropout_with_multiplier``, whose second output is the forward's own mask.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import ember
from ember import _dtypes as D
from ember._nnops import conv as _conv
from ember._nnops import pool as _pool
from ember._nnops import resample as _resample
from ember._nnops.embedding import embedding as _lookup  # the dispatchers: calls are recorded
from ember._tensor_base import like, norm_dim
from ember.autograd._function import Function
from ember.autograd._grad_mode import STATE
from ember.autograd._rules import composite, nondifferentiable, rule
from ember.backends._optional import kernel

_HALF = (D.float16, D.bfloat16)


def _arg(ctx: Any, name: str, default: Any = None) -> Any:
    """``ctx.<name>``, or ``default`` for an op whose signature lacks it (``avg_pool1d``'s divisor)."""
    return ctx.arg(name) if name in ctx.binding.names else default


def _k(t: Any, name: str) -> Any:
    return kernel(t._backend, name)


class _Adjoint(Function):
    """``adjoint(grad)`` for the backward of a linear op ``op``; its own backward is ``op`` again."""

    @staticmethod
    def forward(ctx: Any, grad: Any, adjoint: Callable[[Any], Any], op: Callable[[Any], Any]) -> Any:
        ctx.op = op
        return adjoint(grad)

    @staticmethod
    def backward(ctx: Any, gg: Any) -> tuple[Any, None, None]:
        return ctx.op(gg), None, None


def _adjoint(grad: Any, adjoint: Callable[[Any], Any], op: Callable[[Any], Any]) -> Any:
    if not STATE.enabled:  # no create_graph: just the kernel
        return adjoint(grad)
    return _Adjoint.apply(grad, adjoint, op)


# -- convolution ---------------------------------------------------------------------------------

_CONV: dict[int, Callable[..., Any]] = {1: _conv.conv1d, 2: _conv.conv2d, 3: _conv.conv3d}
_CONV_INPUT: dict[int, Callable[..., Any]] = {1: _conv.conv1d_input, 2: _conv.conv2d_input, 3: _conv.conv3d_input}
_CONV_WEIGHT: dict[int, Callable[..., Any]] = {1: _conv.conv1d_weight, 2: _conv.conv2d_weight, 3: _conv.conv3d_weight}


class _ConvGrad(Function):
    """A convolution gradient ``helper(other, grad)``, differentiable in ``other`` and ``grad``: its
    backward is the partner gradient (of the other operand) and a convolution."""

    partner: type[_ConvGrad]  # the Function of the other operand's gradient
    helper: Callable[..., Any]  # (other, grad, shape, d, params) -> the convNd_* helper's result
    conv: Callable[..., Any]  # (other, gg, d, params) -> the gradient in ``grad``: a forward convolution

    @classmethod
    def forward(cls, ctx: Any, other: Any, grad: Any, shape: tuple[int, ...], d: int,
                params: tuple[Any, ...]) -> Any:
        ctx.save_for_backward(other, grad)
        ctx.args = (shape, d, params)
        return cls.helper(other, grad, shape, d, params)

    @classmethod
    def backward(cls, ctx: Any, gg: Any) -> tuple[Any, ...]:
        other, grad = ctx.saved_tensors
        _, d, params = ctx.args
        need = ctx.needs_input_grad
        go = cls.partner.apply(gg, grad, tuple(other.shape), d, params) if need[0] else None
        gd = cls.conv(other, gg, d, params) if need[1] else None
        return go, gd, None, None, None


class _ConvInput(_ConvGrad):
    """``convNd_input(x_shape, weight, grad)``, differentiable in ``weight`` and ``grad``."""

    @staticmethod
    def helper(weight: Any, grad: Any, x_shape: tuple[int, ...], d: int, params: tuple[Any, ...]) -> Any:
        return _CONV_INPUT[d](x_shape, weight, grad, *params)

    @staticmethod
    def conv(weight: Any, gg: Any, d: int, params: tuple[Any, ...]) -> Any:
        return _CONV[d](gg, weight, None, *params)


class _ConvWeight(_ConvGrad):
    """``convNd_weight(input, w_shape, grad)``, differentiable in ``input`` and ``grad``."""

    @staticmethod
    def helper(input: Any, grad: Any, w_shape: tuple[int, ...], d: int, params: tuple[Any, ...]) -> Any:
        return _CONV_WEIGHT[d](input, w_shape, grad, *params)

    @staticmethod
    def conv(input: Any, gg: Any, d: int, params: tuple[Any, ...]) -> Any:
        return _CONV[d](input, gg, None, *params)


_ConvInput.partner, _ConvWeight.partner = _ConvWeight, _ConvInput


def _conv_grad(fn: type[_ConvGrad], other: Any, grad: Any, shape: tuple[int, ...], d: int,
               params: tuple[Any, ...]) -> Any:
    if not STATE.enabled:  # first order: the helper itself, no Function bookkeeping
        return fn.helper(other, grad, shape, d, params)
    return fn.apply(other, grad, shape, d, params)


def _bias_grad(grad: Any, batched: bool) -> Any:
    dims = (0, *range(2, grad.dim())) if batched else tuple(range(1, grad.dim()))
    return grad.sum(dims)


def _conv_rule(d: int) -> None:
    @rule(f"conv{d}d", function=True, inputs=("input", "weight", "bias"), save=("input", "weight"),
          node="ConvolutionBackward0")
    def backward(ctx: Any, grad: Any) -> tuple[Any, ...]:
        x, w = ctx.input, ctx.weight
        need = ctx.needs_input_grad
        batched = x.dim() == d + 2
        g, xb = (grad, x) if batched else (grad.unsqueeze(0), x.unsqueeze(0))
        params = (ctx.stride, ctx.padding, ctx.dilation, ctx.groups)
        gx = gw = None
        if need[0]:
            gx = _conv_grad(_ConvInput, w, g, tuple(xb.shape), d, params)
            gx = gx if batched else gx.squeeze(0)
        if need[1]:
            gw = _conv_grad(_ConvWeight, xb, g, tuple(w.shape), d, params)
        return gx, gw, _bias_grad(grad, batched) if need[2] else None


def _ints(v: Any, d: int) -> tuple[int, ...]:
    return tuple(v) * (d if len(v) == 1 else 1) if isinstance(v, (tuple, list)) else (v,) * d


def _conv_transpose_rule(d: int) -> None:
    @rule(f"conv_transpose{d}d", function=True, inputs=("input", "weight", "bias"), save=("input", "weight"),
          node="ConvolutionBackward0")
    def backward(ctx: Any, grad: Any) -> tuple[Any, ...]:
        # y = conv_transpose(x, w) is conv's input gradient: dx = conv(dy, w), dw = conv_weight(dy, w.shape, x).
        x, w = ctx.input, ctx.weight
        need = ctx.needs_input_grad
        batched = x.dim() == d + 2
        g, xb = (grad, x) if batched else (grad.unsqueeze(0), x.unsqueeze(0))
        stride, pad, dil = _ints(ctx.stride, d), _ints(ctx.padding, d), _ints(ctx.dilation, d)
        # An output_padding >= stride (allowed below the dilation) makes conv(dy) longer than x: the extra
        # positions are cropped from dx, and x is zero-padded to match them for dw.
        extra = [
            (g.shape[2 + i] + 2 * pad[i] - dil[i] * (w.shape[2 + i] - 1) - 1) // stride[i] + 1 - xb.shape[2 + i]
            for i in range(d)
        ]
        params = (stride, pad, dil, ctx.groups)
        gx = gw = None
        if need[0]:
            gx = _CONV[d](g, w, None, *params)
            for i, e in enumerate(extra):
                if e:
                    gx = gx.narrow(2 + i, 0, xb.shape[2 + i])
            gx = gx if batched else gx.squeeze(0)
        if need[1]:
            if any(extra):
                xb = _resample.pad(xb, [v for e in reversed(extra) for v in (0, e)])
            gw = _conv_grad(_ConvWeight, g, xb, tuple(w.shape), d, params)
        return gx, gw, _bias_grad(grad, batched) if need[2] else None


for _d in (1, 2, 3):
    _conv_rule(_d)
    _conv_transpose_rule(_d)


# -- pooling -------------------------------------------------------------------------------------

def _gather_at(gg: Any, indices: Any, d: int) -> Any:
    """``gg`` (input-shaped) read at max-pool ``indices`` (flat within each plane): the pooled shape."""
    lead = tuple(gg.shape[:gg.dim() - d])
    flat = gg.reshape(*lead, -1)
    return flat.gather(-1, indices.reshape(*lead, -1)).reshape(tuple(indices.shape))


# ``max_poolNd`` and ``adaptive_max_poolNd`` are compositions: on an input that may need a gradient
# they call the ``*_with_indices`` op, whose rule takes the forward's own indices.

def _max_pool_rule(d: int) -> None:
    def adjoint_of(ctx: Any, grad: Any, indices: Any) -> tuple[Any]:
        x = ctx.input
        args = (ctx.kernel_size, ctx.stride, ctx.padding, ctx.dilation, ctx.ceil_mode)

        def adjoint(g: Any) -> Any:
            return _pool.max_pool_backward(g, x, indices, *args, dims=d)

        return (_adjoint(grad, adjoint, lambda gg: _gather_at(gg, indices, d)),)

    node = f"MaxPool{d}DWithIndicesBackward0"

    # max_pool{d}d itself calls the recorded *_with_indices op when its input may need a gradient.
    composite(f"max_pool{d}d", function=True, family="nn")

    @rule(f"max_pool{d}d_with_indices", function=True, inputs=("input",), save=("input",), save_output=True,
          node=node)
    def with_indices(ctx: Any, grad: Any, *_: Any) -> tuple[Any]:
        return adjoint_of(ctx, grad, ctx.result[1])


def _adaptive_max_rule(d: int) -> None:
    def adjoint_of(ctx: Any, grad: Any, indices: Any) -> tuple[Any]:
        x = ctx.input

        def adjoint(g: Any) -> Any:
            return _pool.adaptive_max_pool_backward(g, x, indices, dims=d)

        return (_adjoint(grad, adjoint, lambda gg: _gather_at(gg, indices, d)),)

    node = f"AdaptiveMaxPool{d}DBackward0"

    composite(f"adaptive_max_pool{d}d", function=True, family="nn")  # made of the *_with_indices op

    @rule(f"adaptive_max_pool{d}d_with_indices", function=True, inputs=("input",), save=("input",),
          save_output=True, node=node)
    def with_indices(ctx: Any, grad: Any, *_: Any) -> tuple[Any]:
        return adjoint_of(ctx, grad, ctx.result[1])


_AVG: dict[int, Callable[..., Any]] = {1: _pool.avg_pool1d, 2: _pool.avg_pool2d, 3: _pool.avg_pool3d}
_ADAPTIVE_AVG: dict[int, Callable[..., Any]] = {
    1: _pool.adaptive_avg_pool1d, 2: _pool.adaptive_avg_pool2d, 3: _pool.adaptive_avg_pool3d,
}


def _avg_pool_rule(d: int) -> None:
    @rule(f"avg_pool{d}d", function=True, inputs=("input",), node=f"AvgPool{d}DBackward0")
    def backward(ctx: Any, grad: Any) -> tuple[Any]:
        shape, dt = ctx.input_shape("input"), ctx.input_dtype("input")
        args = (ctx.kernel_size, ctx.stride, ctx.padding, ctx.ceil_mode, ctx.count_include_pad)
        divisor = _arg(ctx, "divisor_override")
        shell = ember.zeros((), dtype=dt, device=grad.device).expand(shape)  # the helper reads only its shape

        def adjoint(g: Any) -> Any:
            return _pool.avg_pool_backward(g, shell, *args, divisor, dims=d)

        def op(gg: Any) -> Any:
            return _AVG[d](gg, *args, divisor) if d > 1 else _AVG[d](gg, *args)

        return (_adjoint(grad, adjoint, op),)


def _adaptive_avg_rule(d: int) -> None:
    @rule(f"adaptive_avg_pool{d}d", function=True, inputs=("input",), node=f"AdaptiveAvgPool{d}DBackward0")
    def backward(ctx: Any, grad: Any) -> tuple[Any]:
        shape = ctx.input_shape("input")
        size = ctx.output_size

        def adjoint(g: Any) -> Any:
            spatial = tuple(shape[len(shape) - d:])
            return like(g, _k(g, "adaptive_avg_pool_backward")(g._data, spatial))

        return (_adjoint(grad, adjoint, lambda gg: _ADAPTIVE_AVG[d](gg, size)),)


for _d in (1, 2, 3):
    _max_pool_rule(_d)
    _adaptive_max_rule(_d)
    _avg_pool_rule(_d)
    _adaptive_avg_rule(_d)


# -- softmax -------------------------------------------------------------------------------------

def _softmax_grad(grad: Any, out: Any, dim: Any, log: bool) -> Any:
    """Gradient of (log_)softmax from its result ``out``: a kernel, or Ember ops under create_graph."""
    if dim is None:  # F.softmax's implicit (deprecated) dim; the forward has warned
        dim = 0 if out.dim() in (0, 1, 3) else 1
    axis = norm_dim(dim, out.dim(), "softmax")
    if STATE.enabled:
        if log:
            return grad - out.exp() * grad.sum(axis, keepdim=True)
        return out * (grad - (grad * out).sum(axis, keepdim=True))
    bk = out._backend
    g, y = grad._data, out._data
    if y.ndim == 0:
        g, y = bk.reshape(g, (1,), None), bk.reshape(y, (1,), None)
    half = out._dtype in _HALF
    if half:
        g, y = bk.astype(g, D.float32), bk.astype(y, D.float32)
    res = kernel(bk, "log_softmax_backward" if log else "softmax_backward")(g, y, axis)
    if half:
        res = bk.astype(res, out._dtype)
    return like(out, bk.reshape(res, tuple(out._data.shape), None))


def _softmax_rules(name: str, log: bool) -> None:
    node = "LogSoftmaxBackward0" if log else "SoftmaxBackward0"

    @rule(name, inputs=("self",), save_output=True, node=node)
    def method(ctx: Any, grad: Any) -> tuple[Any]:
        return (_softmax_grad(grad, ctx.result, ctx.dim, log),)

    @rule(name, function=True, inputs=("input",), save_output=True, node=node)
    def function(ctx: Any, grad: Any) -> tuple[Any]:
        return (_softmax_grad(grad, ctx.result, ctx.dim, log),)


_softmax_rules("softmax", False)
_softmax_rules("log_softmax", True)


# -- dropout -------------------------------------------------------------------------------------

@rule("dropout_with_multiplier", function=True, inputs=("input",), save_output=True,
      node=lambda ctx: "AddBackward0" if ctx.alpha else "MulBackward0")
def dropout_with_multiplier(ctx: Any, grad: Any, grad_multiplier: Any = None) -> tuple[Any]:
    """The output is ``input * multiplier`` (plus a constant for alpha dropout); the multiplier is
    random, not a function of the input (its gradient is dropped)."""
    return (None if grad is None else grad * ctx.result[1].detach(),)


composite("dropout", "feature_dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
          "feature_alpha_dropout", function=True, family="nn")


# -- normalization -------------------------------------------------------------------------------

def _compute(x: Any) -> Any:
    """``x`` in the dtype its normalization was computed in (float32 for half precision)."""
    return x.float() if x.dtype in _HALF else x


def _stats(x: Any, dims: tuple[int, ...], eps: float) -> tuple[Any, Any]:
    """(mean, 1 / sqrt(biased var + eps)) over ``dims``, keeping them."""
    mean = x.mean(dims, keepdim=True)
    xc = x - mean
    return mean, ((xc * xc).mean(dims, keepdim=True) + eps).rsqrt()


def _normalized_grad(gxhat: Any, xhat: Any, rstd: Any, dims: tuple[int, ...]) -> Any:
    """Input gradient of ``xhat = (x - mean) * rstd`` over ``dims``, given ``d loss / d xhat``."""
    return rstd * (gxhat - gxhat.mean(dims, keepdim=True) - xhat * (gxhat * xhat).mean(dims, keepdim=True))


def _native(t: Any) -> Any:
    return None if t is None else t._data


@rule("layer_norm", function=True, inputs=("input", "weight", "bias"), save=("input", "weight"),
      node="NativeLayerNormBackward0")
def layer_norm(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, w = _compute(ctx.input), ctx.weight
    w = None if w is None else _compute(w)
    n = len(ctx.normalized_shape)
    dims = tuple(range(x.dim() - n, x.dim()))
    batch = tuple(range(x.dim() - n))
    need = ctx.needs_input_grad
    if x.numel() == 0:
        return grad, grad.sum(batch) if need[1] else None, grad.sum(batch) if need[2] else None
    mean, rstd = _stats(x, dims, ctx.eps)
    g = _compute(grad)
    if STATE.enabled:
        xhat = (x - mean) * rstd
        gx = _normalized_grad(g if w is None else g * w, xhat, rstd, dims) if need[0] else None
        gw = (g * xhat).sum(batch) if need[1] else None
    else:
        gx, gw, _ = _k(x, "layer_norm_backward")(g._data, x._data, mean._data, rstd._data, _native(w), n)
        gx, gw = like(g, gx), like(g, gw)
    return gx if need[0] else None, gw if need[1] else None, g.sum(batch) if need[2] else None


def _channel(t: Any, ndim: int) -> Any:
    return t.reshape(-1, *(1,) * (ndim - 2))


@rule("batch_norm", function=True, inputs=("input", "weight", "bias"), save=("input", "weight"),
      node="NativeBatchNormBackward0")
def batch_norm(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, w = _compute(ctx.input), ctx.weight
    w = None if w is None else _compute(w).reshape(-1)
    dims = (0, *range(2, x.dim()))
    need = ctx.needs_input_grad
    g = _compute(grad)
    if x.numel() == 0:
        return g, g.sum(dims) if need[1] else None, g.sum(dims) if need[2] else None
    training = bool(ctx.training)
    if training:
        mean, invstd = _stats(x, dims, ctx.eps)
    else:  # the running statistics are constants
        rm, rv = _compute(ctx.running_mean).reshape(-1), _compute(ctx.running_var).reshape(-1)
        mean, invstd = _channel(rm, x.dim()), _channel((rv + ctx.eps).rsqrt(), x.dim())
    if STATE.enabled:
        xhat = (x - mean) * invstd
        gxhat = g if w is None else g * _channel(w, x.dim())
        gx = None
        if need[0]:
            gx = _normalized_grad(gxhat, xhat, invstd, dims) if training else gxhat * invstd
        gw = (g * xhat).sum(dims) if need[1] else None
    else:
        gx, gw, _ = _k(x, "batch_norm_backward")(
            g._data, x._data, _native(w), mean.reshape(-1)._data, invstd.reshape(-1)._data, training,
        )
        gx, gw = like(g, gx), like(g, gw)
    wshape = None if ctx.weight is None else tuple(ctx.weight.shape)
    if gw is not None and wshape is not None:
        gw = gw.reshape(wshape)
    gb = g.sum(dims) if need[2] else None
    if gb is not None and ctx.input_shape("bias") is not None:
        gb = gb.reshape(ctx.input_shape("bias"))
    return gx if need[0] else None, gw if need[1] else None, gb


@rule("group_norm", function=True, inputs=("input", "weight", "bias"), save=("input", "weight"),
      node="NativeGroupNormBackward0")
def group_norm(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, w = _compute(ctx.input), ctx.weight
    w = None if w is None else _compute(w)
    groups = ctx.num_groups
    dims = (0, *range(2, x.dim()))
    need = ctx.needs_input_grad
    g = _compute(grad)
    if x.numel() == 0:
        return g, g.sum(dims) if need[1] else None, g.sum(dims) if need[2] else None
    shape = tuple(x.shape)
    xg = x.reshape(shape[0], groups, -1)
    mean, rstd = _stats(xg, (2,), ctx.eps)
    if STATE.enabled:
        xhat = ((xg - mean) * rstd).reshape(shape)
        gx = None
        if need[0]:
            gxhat = g if w is None else g * _channel(w, x.dim())
            gx = _normalized_grad(gxhat.reshape(shape[0], groups, -1), xhat.reshape(shape[0], groups, -1), rstd,
                                  (2,)).reshape(shape)
        gw = (g * xhat).sum(dims) if need[1] else None
    else:
        gx, gw, _ = _k(x, "group_norm_backward")(
            g._data, x._data, mean.reshape(shape[0], groups)._data, rstd.reshape(shape[0], groups)._data,
            _native(w), groups,
        )
        gx, gw = like(g, gx), like(g, gw)
    return gx if need[0] else None, gw if need[1] else None, g.sum(dims) if need[2] else None


@rule("rms_norm", function=True, inputs=("input", "weight"), save=("input", "weight"), node="FusedRmsNormBackward0")
def rms_norm(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, w = _compute(ctx.input), ctx.weight
    w = None if w is None else _compute(w)
    n = len(ctx.normalized_shape)
    dims = tuple(range(x.dim() - n, x.dim()))
    batch = tuple(range(x.dim() - n))
    need = ctx.needs_input_grad
    g = _compute(grad)
    if x.numel() == 0:
        return g, g.sum(batch) if need[1] else None
    eps = ctx.eps
    if eps is None:
        eps = {D.float16: 2.0**-10, D.bfloat16: 2.0**-7, D.float32: 2.0**-23}.get(ctx.input.dtype, 2.0**-52)
    rstd = ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    if STATE.enabled:
        xhat = x * rstd
        gx = None
        if need[0]:
            gxhat = g if w is None else g * w
            gx = rstd * (gxhat - xhat * (gxhat * xhat).mean(dims, keepdim=True))
        gw = (g * xhat).sum(batch) if need[1] else None
        return gx, gw
    gx, gw = _k(x, "rms_norm_backward")(g._data, x._data, rstd._data, _native(w), n)
    return like(g, gx) if need[0] else None, like(g, gw) if need[1] else None


composite("instance_norm", "normalize", function=True, family="nn")


# -- embeddings ----------------------------------------------------------------------------------

def _as_int64(idx: Any) -> Any:
    return idx if idx.dtype is D.int64 else idx.long()


@rule("embedding", function=True, inputs=("weight",), node="EmbeddingBackward0")
def embedding(ctx: Any, grad: Any) -> tuple[Any]:
    idx = _as_int64(ctx.input)
    num = ctx.input_shape("weight")[0]
    pad = ctx.padding_idx
    pad = None if pad is None else (pad + num if pad < 0 else pad)
    scale = bool(ctx.scale_grad_by_freq)

    def adjoint(g: Any) -> Any:
        return like(g, _k(g, "embedding_backward")(g._data, idx._data, num, pad, scale))

    def op(gg: Any) -> Any:  # each lookup reads its row, weighted as the gradient was
        out = _lookup(idx, gg)
        if scale:  # divided by how often each row is looked up
            ones = ember.ones(*idx.shape, 1, dtype=gg.dtype, device=gg.device)
            counts = like(gg, _k(gg, "embedding_backward")(ones._data, idx._data, num, None, False))
            out = out / _lookup(idx, counts)
        if pad is not None:
            out = out * (idx != pad).unsqueeze(-1).to(gg.dtype)
        return out

    return (_adjoint(grad, adjoint, op),)


def _bags(ctx: Any) -> tuple[Any, Any, Any, int | None]:
    """(1-D int64 indices, offsets, per-sample weights or None, padding_idx), as the forward used them."""
    idx, psw = ctx.input, ctx.per_sample_weights
    num = ctx.input_shape("weight")[0]
    if idx.dim() == 2:
        rows, length = idx.shape
        offs = ember.arange(0, rows * length, max(length, 1), dtype=ember.int64, device=idx.device)[:rows]
        idx = idx.reshape(-1)
        psw = None if psw is None else psw.reshape(-1)
    else:
        offs = _as_int64(ctx.offsets)
    if ctx.include_last_offset and offs.numel():
        last = int(offs[-1].item())
        offs, idx = offs[:-1], idx[:last]
        psw = None if psw is None else psw[:last]
    pad = ctx.padding_idx
    return _as_int64(idx), offs, psw, None if pad is None else (pad + num if pad < 0 else pad)


@rule("embedding_bag", function=True, inputs=("weight", "per_sample_weights"), save=("weight", "per_sample_weights"),
      node="EmbeddingBagBackward0")
def embedding_bag(ctx: Any, grad: Any) -> tuple[Any, Any]:
    """Kernel gradients; under create_graph, index_add/index_select compositions (every order)."""
    w = ctx.weight
    idx, offs, psw, pad = _bags(ctx)
    mode = ctx.mode
    num, dim = w.shape
    need = ctx.needs_input_grad
    bag = ember.searchsorted(offs, ember.arange(idx.shape[0], device=idx.device), right=True) - 1
    keep = None if pad is None else (idx != pad).to(grad.dtype)
    argmax: Any = None
    if mode == "max":  # which row won each (bag, column): the forward again
        argmax = like(idx, _k(w, "embedding_bag")(w._data, idx._data, offs._data, "max", None, pad)[1])
    gw = gp = None
    if need[0] and not STATE.enabled:
        gw = like(grad, _k(grad, "embedding_bag_backward")(
            grad._data, idx._data, offs._data, None if argmax is None else argmax._data, num, mode,
            None if psw is None else psw.to(grad.dtype)._data, pad,
        ))
    elif need[0] and mode == "max":
        valid = argmax >= 0
        target = ember.where(valid, argmax * dim + ember.arange(dim, device=idx.device), ember.zeros_like(argmax))
        flat = ember.zeros(num * dim, dtype=grad.dtype, device=grad.device)
        gw = flat.index_add(0, target.reshape(-1), (grad * valid.to(grad.dtype)).reshape(-1)).reshape(num, dim)
    elif need[0]:
        scale = keep
        if psw is not None:
            scale = psw if scale is None else psw * scale
        if mode == "mean":
            ones = ember.ones(idx.shape[0], dtype=grad.dtype, device=grad.device) if keep is None else keep
            counts = ember.zeros(offs.shape[0], dtype=grad.dtype, device=grad.device).index_add(0, bag, ones)
            per = 1 / counts.clamp(min=1).index_select(0, bag)
            scale = per if scale is None else scale * per
        rows = grad.index_select(0, bag)
        rows = rows if scale is None else rows * scale.unsqueeze(1)
        gw = ember.zeros(num, dim, dtype=grad.dtype, device=grad.device).index_add(0, idx, rows)
    if need[1]:
        gp = (grad.index_select(0, bag) * w.index_select(0, idx)).sum(1)
        gp = gp if keep is None else gp * keep
        if tuple(gp.shape) != tuple(ctx.input_shape("per_sample_weights")):  # 2-D input, or cropped
            full = ember.zeros(math.prod(ctx.input_shape("per_sample_weights")), dtype=gp.dtype, device=gp.device)
            gp = ember.cat([gp, full[gp.shape[0]:]]).reshape(ctx.input_shape("per_sample_weights"))
    return gw, gp


nondifferentiable("one_hot", family="nn")


# -- padding, interpolation, pixel shuffles ------------------------------------------------------

def _pad_pairs(pad: Any) -> tuple[tuple[int, int], ...]:
    k = len(pad) // 2
    return tuple((int(pad[2 * (k - 1 - j)]), int(pad[2 * (k - 1 - j) + 1])) for j in range(k))


def _pad_node(ctx: Any) -> str:
    mode = ctx.mode
    k = len(ctx.pad) // 2
    if mode == "constant":
        return "ConstantPadNdBackward0"
    return {"reflect": "Reflection", "replicate": "Replication", "circular": "Circular"}[mode] + f"Pad{k}DBackward0"


@rule("pad", function=True, inputs=("input",), node=_pad_node)
def pad(ctx: Any, grad: Any) -> tuple[Any]:
    shape = ctx.input_shape("input")
    pads, mode = ctx.pad, ctx.mode
    pairs = _pad_pairs(pads)

    def adjoint(g: Any) -> Any:
        return like(g, _k(g, "pad_backward")(g._data, tuple(shape), pairs, mode))

    return (_adjoint(grad, adjoint, lambda gg: _resample.pad(gg, pads, mode, 0.0 if mode == "constant" else None)),)


_UPSAMPLE = {"nearest": "Nearest", "nearest-exact": "NearestExact", "linear": "Linear", "bilinear": "Bilinear",
             "trilinear": "Trilinear", "bicubic": "Bicubic"}


def _interpolate_node(ctx: Any) -> str:
    d = ctx.input.dim() - 2
    if ctx.mode == "area":
        return f"AdaptiveAvgPool{d}DBackward0"
    return f"Upsample{_UPSAMPLE.get(ctx.mode, 'Nearest')}{d}DBackward0"


def _interpolate_args(ctx: Any, dim: int) -> tuple[str, Any, tuple[Any, ...]]:
    """(kernel mode, align_corners, scales) exactly as ``interpolate`` passed them to its kernel."""
    mode = ctx.mode
    align = ctx.align_corners
    if mode in ("nearest", "area", "nearest-exact"):
        align = None
    elif align is None:
        align = False
    scales: list[Any] = [None] * dim
    factor = ctx.scale_factor
    if ctx.size is None and factor is not None and not (mode == "area" or ctx.recompute_scale_factor):
        scales = [float(s) for s in (factor if isinstance(factor, (tuple, list)) else [factor] * dim)]
    kind = "linear" if mode in ("bilinear", "trilinear") else mode
    return kind, align, tuple(scales)


@rule("interpolate", function=True, inputs=("input",), node=_interpolate_node)
def interpolate(ctx: Any, grad: Any) -> tuple[Any]:
    shape = ctx.input_shape("input")
    dim = len(shape) - 2
    kind, align, scales = _interpolate_args(ctx, dim)
    call = (ctx.size, ctx.scale_factor, ctx.mode, ctx.align_corners, ctx.recompute_scale_factor)

    def adjoint(g: Any) -> Any:
        bk, data = g._backend, g._data
        half = g.dtype in _HALF
        if half:
            data = bk.astype(data, D.float32)
        out = _k(g, "interpolate_backward")(data, tuple(shape[2:]), kind, align, scales)
        return like(g, bk.astype(out, g.dtype) if half else out)

    return (_adjoint(grad, adjoint, lambda gg: _resample.interpolate(gg, *call)),)


@rule("pixel_shuffle", function=True, inputs=("input",), node="PixelShuffleBackward0")
def pixel_shuffle(ctx: Any, grad: Any) -> tuple[Any]:
    return (_resample.pixel_unshuffle(grad, ctx.upscale_factor),)


@rule("pixel_unshuffle", function=True, inputs=("input",), node="PixelUnshuffleBackward0")
def pixel_unshuffle(ctx: Any, grad: Any) -> tuple[Any]:
    return (_resample.pixel_shuffle(grad, ctx.downscale_factor),)


del _d
