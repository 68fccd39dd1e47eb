"""Fused optimizer updates on the GPU: one CUDA kernel per parameter per step.

PyTorch's single-tensor Adam is about a dozen elementwise passes over a parameter and its
state; here one ``cupy.ElementwiseKernel`` reads the gradient and the state once and writes
parameter and state once (CuPy compiles each kernel on first use and caches it on disk).
The arithmetic is the reference's (:mod:`ember.backends.reference.optim`), in the same order,
so results agree to rounding. float32 and float64 arrays take the fused path; other dtypes
(float16 parameters) use the reference composed from the required tier.
"""

from __future__ import annotations

import math
from typing import Any

from ember.backends.reference import optim as _ref
from ember_cuda import _runtime

__all__ = ["OptimKernels", "ADAM_BODY", "SGD_BODY"]

# Scalars arrive as T (the parameter's dtype). `decay` is 1 unless AdamW's decoupled decay
# applies; `wd` is 0 unless the coupled (Adam) decay applies (then skipped, as the reference does); `sign` is -1 to maximize.
ADAM_BODY = """
p = p * decay;
T gi = sign * g;
if (wd != (T)0) gi = gi + p * wd;
T d = gi - m;
m = (w < (T)0.5) ? m + d * w : gi - d * ((T)1 - w);
v = v * beta2 + (gi * gi) * ((T)1 - beta2);
T vv = v;
{AMSGRAD}
T denom = sqrt(vv) / bc2_sqrt + eps;
p = p + (m * neg_step) / denom;
"""
_ADAM_PARAMS = "T g, T decay, T sign, T wd, T w, T beta2, T bc2_sqrt, T eps, T neg_step"

SGD_BODY = """
T gi = sign * g;
if (wd != (T)0) gi = gi + p * wd;
{MOMENTUM}
p = p + gi * neg_lr;
"""
_SGD_MOMENTUM = """
buf = first ? gi : buf * momentum + gi * keep;
gi = nesterov ? gi + buf * momentum : buf;
"""
_SGD_PARAMS = "T g, T sign, T wd, T neg_lr"

_kernels: dict[str, Any] = {}


def _kernel(name: str) -> Any:
    """The compiled ElementwiseKernel ``name`` (built on first use)."""
    k = _kernels.get(name)
    if k is None:
        ek = _runtime.cupy.ElementwiseKernel
        if name == "adam":
            k = ek(_ADAM_PARAMS, "T p, T m, T v", ADAM_BODY.replace("{AMSGRAD}", ""), "ember_adam")
        elif name == "adam_amsgrad":
            k = ek(_ADAM_PARAMS, "T p, T m, T v, T mx", ADAM_BODY.replace("{AMSGRAD}", "mx = max(mx, v); vv = mx;"),
                   "ember_adam_amsgrad")
        elif name == "sgd":
            k = ek(_SGD_PARAMS, "T p", SGD_BODY.replace("{MOMENTUM}", ""), "ember_sgd")
        else:
            k = ek(f"{_SGD_PARAMS}, T momentum, T keep, bool first, bool nesterov", "T p, T buf",
                   SGD_BODY.replace("{MOMENTUM}", _SGD_MOMENTUM), "ember_sgd_momentum")
        _kernels[name] = k
    return k


class OptimKernels:
    """Optional-tier overrides mixed into CupyBackend."""

    #: Whether the fused CUDA kernels may run (False in the CPU stand-in used by the tests).
    fused_kernels: bool = True

    def _fusable(self, *arrays: Any) -> bool:
        dt = arrays[0].dtype
        return self.fused_kernels and dt.kind == "f" and dt.itemsize >= 4 and all(
            a is None or a.dtype == dt for a in arrays
        )

    def adam_update(
        self, param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, max_exp_avg_sq: Any | None, *,
        step: float, lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
        amsgrad: bool, maximize: bool, decoupled: bool,
    ) -> tuple[Any, Any, Any, Any | None]:
        if not self._fusable(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq if amsgrad else None) or not param.size:
            return _ref.adam_update(
                self, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step=step, lr=lr, beta1=beta1,
                beta2=beta2, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                decoupled=decoupled,
            )
        decay = 1 - lr * weight_decay if weight_decay != 0 and decoupled else 1.0
        wd = 0.0 if decoupled else weight_decay
        t = param.dtype.type
        scalars = (t(decay), t(-1.0 if maximize else 1.0), t(wd), t(1 - beta1), t(beta2),
                   t(math.sqrt(1 - beta2**step)), t(eps), t(-(lr / (1 - beta1**step))))
        if amsgrad:
            _kernel("adam_amsgrad")(grad, *scalars, param, exp_avg, exp_avg_sq, max_exp_avg_sq)
        else:
            _kernel("adam")(grad, *scalars, param, exp_avg, exp_avg_sq)
        return param, exp_avg, exp_avg_sq, max_exp_avg_sq

    def sgd_update(
        self, param: Any, grad: Any, momentum_buffer: Any | None, *, first: bool, lr: float, momentum: float,
        dampening: float, weight_decay: float, nesterov: bool, maximize: bool,
    ) -> tuple[Any, Any | None]:
        if not self._fusable(param, grad, momentum_buffer if momentum != 0 else None) or not param.size:
            return _ref.sgd_update(
                self, param, grad, momentum_buffer, first=first, lr=lr, momentum=momentum, dampening=dampening,
                weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
            )
        t = param.dtype.type
        base = (grad, t(-1.0 if maximize else 1.0), t(weight_decay), t(-lr))
        if momentum != 0:
            _kernel("sgd_momentum")(*base, t(momentum), t(1 - dampening), bool(first), bool(nesterov),
                                    param, momentum_buffer)
        else:
            _kernel("sgd")(*base, param)
        return param, momentum_buffer
