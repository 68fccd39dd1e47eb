"""Activation functions of ``torch.nn.functional``, composed from Ember ops.

Every function here is a composition of differentiable core ops, so autograd needs no
rule of its own. Two conventions keep values and gradients exactly torch's:

* piecewise functions select with ``where`` (never ``clamp``/``maximum``), so the
  gradient at a breakpoint is the one torch's kernel gives (``hardtanh``'s is 0 at
  ``min_val``/``max_val``, ``leaky_relu``'s is ``negative_slope`` at 0);
* a branch that could overflow is fed only the inputs it is selected for
  (``_only(mask, x)``), so the unselected branch never makes ``inf`` and its zero
  gradient never turns into ``0 * inf = nan``.

In-place forms (``inplace=True``, ``relu_`` ...) compute the result and write it back
with ``copy_``, which autograd records like torch's in-place kernels.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import ember
from ember import Tensor
from ember import _dtypes as D
from ember._nnops.activation import check_tensor
from ember._special_cases import no_kernel

__all__ = [
    "threshold", "threshold_", "relu", "relu_", "relu6", "hardtanh", "hardtanh_", "elu", "elu_",
    "selu", "selu_", "celu", "celu_", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_", "glu",
    "gelu", "logsigmoid", "hardshrink", "tanhshrink", "softsign", "softplus", "softshrink", "tanh",
    "sigmoid", "hardsigmoid", "silu", "mish", "hardswish", "gumbel_softmax",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# -- helpers --------------------------------------------------------------------------------------

def _float(input: Any, op: str) -> Tensor:
    """``input`` checked to be a floating tensor (torch has no integer kernel for ``op``)."""
    check_tensor(input, op)
    if input.dtype.category != D.FLOATING:
        raise no_kernel(op, input.dtype)
    return input


def _real(input: Any, op: str) -> Tensor:
    """``input`` checked to be a real, non-bool tensor (ops with integer kernels, like relu)."""
    check_tensor(input, op)
    if input.dtype == ember.bool:
        raise RuntimeError(f"Boolean inputs not supported for {op}")
    if input.dtype.category == D.COMPLEX:
        raise no_kernel(op, input.dtype)
    return input


def _only(mask: Tensor, x: Tensor, fill: float = 0.0) -> Tensor:
    """``x`` where ``mask`` holds, else ``fill``: keeps a branch's input finite where it is unused."""
    return ember.where(mask, x, fill)


def _write(input: Tensor, result: Tensor, inplace: bool) -> Tensor:
    """``result``, or ``input`` overwritten with it when ``inplace``."""
    if inplace:
        return input.copy_(result)
    return result


# -- rectifiers and clamps ------------------------------------------------------------------------

def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``input`` where ``input > threshold``, else ``value``.

    >>> F.threshold(ember.tensor([1.0, 3.0]), 2.0, 0.0)
    tensor([0., 3.])
    """
    return _threshold(input, threshold, value, inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place :func:`threshold`."""
    return _threshold(input, threshold, value, True)


def _threshold(input: Tensor, limit: float, value: float, inplace: bool) -> Tensor:
    _real(input, "threshold")
    return _write(input, ember.where(input > limit, input, value).to(input.dtype), inplace)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(input, 0)``, elementwise (gradient 0 at 0, as torch).

    >>> F.relu(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    _real(input, "relu")
    if inplace:
        return input.copy_(input.relu())
    return input.relu()


def relu_(input: Tensor) -> Tensor:
    """In-place :func:`relu`."""
    return relu(input, inplace=True)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """``input`` clamped to ``[min_val, max_val]``; the gradient is 0 at and beyond both ends, as torch.

    >>> F.hardtanh(ember.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    _real(input, "hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    out = ember.where(input <= min_val, min_val, ember.where(input >= max_val, max_val, input))
    return _write(input, out.to(input.dtype), inplace)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place :func:`hardtanh`."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(input, 0), 6)`` (``hardtanh(input, 0, 6)``).

    >>> F.relu6(ember.tensor([-1.0, 3.0, 9.0]))
    tensor([0., 3., 6.])
    """
    _real(input, "relu6")
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``input`` where positive, else ``negative_slope * input``.

    >>> F.leaky_relu(ember.tensor([-2.0, 2.0]), 0.5)
    tensor([-1.,  2.])
    """
    _float(input, "leaky_relu")
    return _write(input, ember.where(input > 0, input, input * negative_slope), inplace)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place :func:`leaky_relu`."""
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``leaky_relu`` with a learned slope: one for all channels, or one per channel (dim 1).

    >>> F.prelu(ember.tensor([[-2.0, 2.0]]), ember.tensor([0.25]))
    tensor([[-0.5000,  2.0000]])
    """
    _float(input, "prelu")
    check_tensor(weight, "prelu", "weight", 2)
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    if weight.dtype != input.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_TNAME.get(input.dtype, input.dtype)} and "
                           f"{_TNAME.get(weight.dtype, weight.dtype)}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError("Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{weight.numel()} and channel size = {channels}.")
    w = weight
    if weight.numel() != 1:
        w = weight.reshape(channels, *([1] * (input.ndim - 2)))
    elif weight.ndim == 1 and input.ndim == 0:
        w = weight.reshape(())
    return ember.where(input > 0, input, w * input)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: slopes drawn from ``U(lower, upper)`` when training, else their mean.

    >>> F.rrelu(ember.tensor([-3.0, 1.0]), 0.25, 0.25)
    tensor([-0.7500,  1.0000])
    """
    _float(input, "rrelu")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    slope = ember.empty_like(input).uniform_(lower, upper)  # a fresh tensor: never recorded
    return _write(input, ember.where(input >= 0, input, input * slope), inplace)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:
    """In-place :func:`rrelu`."""
    return rrelu(input, lower, upper, training, inplace=True)


# -- exponential units ----------------------------------------------------------------------------

def _elu(input: Tensor, alpha: float, scale: float, input_scale: float) -> Tensor:
    pos = input > 0
    neg = alpha * (_only(~pos, input) * input_scale).expm1()
    out = ember.where(pos, input, neg)
    return out * scale if scale != 1.0 else out


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``input`` where positive, else ``alpha * (exp(input) - 1)``.

    >>> F.elu(ember.tensor([0.0, 1.0]))
    tensor([0., 1.])
    """
    _float(input, "elu")
    return _write(input, _elu(input, alpha, 1.0, 1.0), inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place :func:`elu`."""
    return elu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(input, alpha)`` with the self-normalising constants.

    >>> F.selu(ember.tensor([1.0]))
    tensor([1.0507])
    """
    _float(input, "selu")
    return _write(input, _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


def selu_(input: Tensor) -> Tensor:
    """In-place :func:`selu`."""
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    >>> F.celu(ember.tensor([1.0]), 2.0)
    tensor([1.])
    """
    _float(input, "celu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _write(input, _elu(input, alpha, 1.0, 1.0 / alpha), inplace)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place :func:`celu`."""
    return celu(input, alpha, inplace=True)


# -- smooth gates ---------------------------------------------------------------------------------

def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-input))`` (``ember.sigmoid``)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent (``ember.tanh``)."""
    return input.tanh()


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)``, or its tanh approximation with ``approximate='tanh'``.

    >>> F.gelu(ember.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8413])
    """
    _float(input, "gelu")
    if approximate == "none":
        return 0.5 * input * (1.0 + (input * (1.0 / math.sqrt(2.0))).erf())
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1.0 + inner.tanh())
    raise RuntimeError("approximate argument must be either none or tanh.")


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``.

    >>> F.softplus(ember.tensor([0.0, 100.0]))
    tensor([  0.6931, 100.0000])
    """
    _float(input, "softplus")
    scaled = input * beta
    linear = scaled > threshold
    soft = _only(~linear, scaled).exp().log1p() / beta
    return ember.where(linear, input, soft)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))``, stable for large ``|x|`` (``-softplus(-x)`` split at 0).

    >>> F.logsigmoid(ember.tensor([0.0, -100.0]))
    tensor([  -0.6931, -100.0000])
    """
    _float(input, "log_sigmoid_forward")
    neg = input < 0
    x_neg = _only(neg, input)
    x_pos = _only(~neg, input)
    # x < 0: x - log1p(exp(x)); x >= 0: -log1p(exp(-x)). exp never sees a positive argument.
    return ember.where(neg, x_neg - x_neg.exp().log1p(), -(-x_pos).exp().log1p())


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (swish).

    >>> F.silu(ember.tensor([0.0]))
    tensor([0.])
    """
    _float(input, "silu")
    return _write(input, input * input.sigmoid(), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``.

    >>> F.mish(ember.tensor([0.0]))
    tensor([0.])
    """
    _float(input, "mish")
    return _write(input, input * softplus(input).tanh(), inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """Piecewise-linear sigmoid: 0 below -3, 1 above 3, ``x / 6 + 1/2`` between.

    >>> F.hardsigmoid(ember.tensor([-4.0, 0.0, 4.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    _float(input, "hardsigmoid")
    out = ember.where(input <= -3.0, 0.0, ember.where(input >= 3.0, 1.0, input / 6.0 + 0.5))
    return _write(input, out.to(input.dtype), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``.

    >>> F.hardswish(ember.tensor([-4.0, 0.0, 4.0]))
    tensor([-0., 0., 4.])
    """
    _float(input, "hardswish")
    # Breakpoints as torch's backward: slope x/3 + 1/2 strictly inside (-3, 3), 0 at -3, 1 at 3.
    out = ember.where(input <= -3.0, input * 0.0, ember.where(input < 3.0, input * (input + 3.0) / 6.0, input))
    return _write(input, out, inplace)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: halves ``a, b`` of ``input`` along ``dim``, ``a * sigmoid(b)``.

    >>> F.glu(ember.tensor([1.0, 0.0]))
    tensor([0.5000])
    """
    _float(input, "glu")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim + input.ndim if dim < 0 else dim
    if not 0 <= d < input.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.ndim}, {input.ndim - 1}], "
                         f"but got {dim})")
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    a, b = input.split(size // 2, d)
    return a * b.sigmoid()


# -- shrinkage ------------------------------------------------------------------------------------

def _lambd(input: Tensor, lambd: float) -> None:
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, 3.40282e+38] for input dtype {_TNAME[input.dtype]}, "
                           f"but found {lambd}")


_TNAME = {ember.float32: "Float", ember.float64: "Double", ember.float16: "Half", ember.bfloat16: "BFloat16"}


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0.

    >>> F.hardshrink(ember.tensor([-1.0, 0.2, 1.0]))
    tensor([-1.,  0.,  1.])
    """
    _float(input, "hardshrink")
    return ember.where((input >= -lambd) & (input <= lambd), input * 0.0, input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    >>> F.softshrink(ember.tensor([-1.0, 0.2, 1.0]))
    tensor([-0.5000,  0.0000,  0.5000])
    """
    _float(input, "softshrink")
    _lambd(input, lambd)
    return ember.where(input > lambd, input - lambd, ember.where(input < -lambd, input + lambd, input * 0.0))


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``.

    >>> F.tanhshrink(ember.tensor([0.0]))
    tensor([0.])
    """
    _float(input, "tanhshrink")
    return input - input.tanh()


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``.

    >>> F.softsign(ember.tensor([1.0]))
    tensor([0.5000])
    """
    _float(input, "softsign")
    return input / (1.0 + input.abs())


# -- sampling -------------------------------------------------------------------------------------

def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """A sample of the Gumbel-softmax (concrete) distribution: ``softmax((logits + g) / tau)``, ``g ~ Gumbel(0, 1)``.

    ``hard=True`` returns the one-hot of each sample's argmax along ``dim``, with the soft
    sample's gradient (straight-through: ``y_hard - y_soft.detach() + y_soft``). ``eps`` is
    deprecated and unused, as in torch. Draws from Ember's RNG (``ember.manual_seed``).

    >>> F.gumbel_softmax(ember.tensor([[0.0, 50.0]]), hard=True)
    tensor([[0., 1.]])
    """
    check_tensor(logits, "gumbel_softmax", "logits", 1)
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -ember.empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.argmax(dim, keepdim=True)
    y_hard = ember.zeros_like(logits).scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
