"""Optional-tier nn kernels on the GPU: softmax, log-softmax (and backward), layer norm, batch norm.

Each meets the contract of its reference in :mod:`ember.backends.reference` but launches
fewer kernels: results are built in one fresh buffer with in-place (``out=``) passes, and
batch norm reduces over an ``(N, C, L)`` view with one ``einsum`` (a cuBLAS batched dot)
for the variance. Written against the NumPy-compatible part of CuPy (``self.xp``), so the
CPU stand-in in the tests checks them against the references. Empty inputs go to the
reference, which handles them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ember.backends.reference import activation as _act
from ember.backends.reference import norm as _norm

__all__ = ["NNKernels"]


class NNKernels:
    """Optional-tier overrides mixed into CupyBackend."""

    xp: ClassVar[Any]

    def softmax(self, x: Any, axis: int) -> Any:
        if x.size == 0:
            return _act.softmax(self, x, axis)
        xp = self.xp
        out = xp.subtract(x, x.max(axis=axis, keepdims=True))
        xp.exp(out, out=out)
        out /= out.sum(axis=axis, keepdims=True)
        return out

    def log_softmax(self, x: Any, axis: int) -> Any:
        if x.size == 0:
            return _act.log_softmax(self, x, axis)
        xp = self.xp
        out = xp.subtract(x, x.max(axis=axis, keepdims=True))
        out -= xp.log(xp.exp(out).sum(axis=axis, keepdims=True))
        return out

    def softmax_backward(self, grad_out: Any, out: Any, axis: int) -> Any:
        if out.size == 0:
            return _act.softmax_backward(self, grad_out, out, axis)
        gx = self.xp.multiply(grad_out, out)
        gx -= out * gx.sum(axis=axis, keepdims=True)
        return gx

    def log_softmax_backward(self, grad_out: Any, out: Any, axis: int) -> Any:
        if out.size == 0:
            return _act.log_softmax_backward(self, grad_out, out, axis)
        xp = self.xp
        gx = xp.exp(out)
        gx *= grad_out.sum(axis=axis, keepdims=True)
        xp.subtract(grad_out, gx, out=gx)
        return gx

    def layer_norm(self, x: Any, n: int, weight: Any, bias: Any, eps: float) -> tuple[Any, Any, Any]:
        if x.size == 0:
            return _norm.layer_norm(self, x, n, weight, bias, eps)
        xp = self.xp
        axes = tuple(range(x.ndim - n, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        xc = xp.subtract(x, mean)
        var = xp.square(xc).mean(axis=axes, keepdims=True)
        var += eps
        rstd = xp.sqrt(var, out=var)
        xp.reciprocal(rstd, out=rstd)
        xc *= rstd
        if weight is not None:
            xc *= weight
        if bias is not None:
            xc += bias
        return xc, mean, rstd

    def batch_norm(
        self, x: Any, running_mean: Any, running_var: Any, weight: Any, bias: Any,
        training: bool, momentum: float, eps: float,
    ) -> tuple[Any, Any, Any]:
        if x.size == 0 or not training:
            return _norm.batch_norm(self, x, running_mean, running_var, weight, bias, training, momentum, eps)
        xp = self.xp
        c = x.shape[1]
        x3 = x.reshape(x.shape[0], c, -1)
        count = x3.shape[0] * x3.shape[2]
        mean = x3.mean(axis=(0, 2))
        xc = xp.subtract(x3, mean[:, None])
        var = xp.einsum("ncl,ncl->c", xc, xc) / count
        invstd = 1.0 / xp.sqrt(var + eps)
        if running_mean is not None:
            running_mean *= 1.0 - momentum
            running_mean += (momentum * mean).astype(running_mean.dtype, copy=False)
        if running_var is not None:
            unbiased = var * (momentum * count / (count - 1) if count > 1 else float("nan"))
            running_var *= 1.0 - momentum
            running_var += unbiased.astype(running_var.dtype, copy=False)
        scale = invstd if weight is None else invstd * weight
        xc *= scale[:, None]
        if bias is not None:
            xc += bias[:, None]
        return xc.reshape(x.shape), mean, invstd.astype(x.dtype, copy=False)
