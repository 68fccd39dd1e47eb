"""Fast NumPy overrides of optional-tier nn kernels: softmax, log-softmax, layer norm, batch norm.

Each meets the contract of its reference in :mod:`ember.backends.reference` (same
arguments, same results up to rounding) but works in place on one fresh buffer
instead of allocating a temporary per step, and keeps float32 in float32.
Empty inputs go to the reference, which handles them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.backends.reference import activation as _act
from ember.backends.reference import norm as _norm
from ember_cpu._quiet import quiet

__all__ = ["NNKernels"]


class NNKernels:
    """Optional-tier overrides mixed into NumpyBackend."""

    @quiet
    def softmax(self, x: np.ndarray, axis: int) -> np.ndarray:
        if x.size == 0:
            return _act.softmax(self, x, axis)
        out = np.subtract(x, x.max(axis=axis, keepdims=True))
        np.exp(out, out=out)
        out /= out.sum(axis=axis, keepdims=True)
        return out

    @quiet
    def log_softmax(self, x: np.ndarray, axis: int) -> np.ndarray:
        if x.size == 0:
            return _act.log_softmax(self, x, axis)
        out = np.subtract(x, x.max(axis=axis, keepdims=True))
        lse = np.log(np.exp(out).sum(axis=axis, keepdims=True))
        out -= lse
        return out

    @quiet
    def softmax_backward(self, grad_out: np.ndarray, out: np.ndarray, axis: int) -> np.ndarray:
        if out.size == 0:
            return _act.softmax_backward(self, grad_out, out, axis)
        gx = np.multiply(grad_out, out)
        dot = gx.sum(axis=axis, keepdims=True)
        gx -= out * dot
        return gx

    @quiet
    def log_softmax_backward(self, grad_out: np.ndarray, out: np.ndarray, axis: int) -> np.ndarray:
        if out.size == 0:
            return _act.log_softmax_backward(self, grad_out, out, axis)
        gx = np.exp(out)
        gx *= grad_out.sum(axis=axis, keepdims=True)
        np.subtract(grad_out, gx, out=gx)
        return gx

    @quiet
    def layer_norm(self, x: np.ndarray, n: int, weight: Any, bias: Any, eps: float) -> tuple[Any, Any, Any]:
        if x.size == 0:
            return _norm.layer_norm(self, x, n, weight, bias, eps)
        axes = tuple(range(x.ndim - n, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        xc = np.subtract(x, mean)
        var = np.square(xc).mean(axis=axes, keepdims=True)
        var += eps
        rstd = np.sqrt(var, out=var)
        np.reciprocal(rstd, out=rstd)
        xc *= rstd
        if weight is not None:
            xc *= weight
        if bias is not None:
            xc += bias
        return xc, mean, rstd

    @quiet
    def batch_norm(
        self, x: np.ndarray, running_mean: Any, running_var: Any, weight: Any, bias: Any,
        training: bool, momentum: float, eps: float,
    ) -> tuple[Any, Any, Any]:
        if x.size == 0 or not training:
            return _norm.batch_norm(self, x, running_mean, running_var, weight, bias, training, momentum, eps)
        c = x.shape[1]
        # (N, C, L) view: one mean pass, one centring pass, one dot-product pass for the variance.
        x3 = x.reshape(x.shape[0], c, -1)
        count = x3.shape[0] * x3.shape[2]
        mean = x3.mean(axis=(0, 2))
        xc = np.subtract(x3, mean[:, None])
        var = np.einsum("ncl,ncl->c", xc, xc) / count
        invstd = 1.0 / np.sqrt(var + eps)
        if running_mean is not None:
            running_mean *= 1.0 - momentum
            running_mean += momentum * mean
        if running_var is not None:
            running_var *= 1.0 - momentum
            running_var += (momentum * count / (count - 1) if count > 1 else np.nan) * var
        scale = invstd if weight is None else invstd * weight
        xc *= scale[:, None]
        if bias is not None:
            xc += bias[:, None]
        return xc.reshape(x.shape), mean, invstd.astype(x.dtype, copy=False)
