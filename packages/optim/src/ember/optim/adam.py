"""Adam (``ember.optim.Adam``): adaptive moment estimation with bias corrections and optional AMSGrad."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.optim import _functional as F
from ember.optim.optimizer import (
    Optimizer,
    ParamsT,
    check_lr,
    check_nonnegative,
    evaluate_closure,
    to_float,
    use_grad,
    zeros,
)

__all__ = ["Adam", "check_adam_args", "new_step", "check_fused_foreach"]


def check_adam_args(lr: Any, betas: tuple[Any, Any], eps: float, weight_decay: float) -> None:
    """PyTorch's argument checks shared by the Adam family (same order, types and messages)."""
    check_lr(lr)
    check_nonnegative(eps=eps)
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    check_nonnegative(weight_decay=weight_decay)


def check_fused_foreach(fused: bool | None, foreach: bool | None, differentiable: bool) -> None:
    if fused and differentiable:
        raise RuntimeError("`fused` does not support `differentiable`")
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def new_step() -> Tensor:
    """A fresh ``state["step"]``: a 0-d float32 CPU tensor, as in PyTorch."""
    return ember.tensor(0.0, dtype=ember.float32)


def fresh_step(p: Tensor) -> Tensor:
    """:func:`new_step` as a :data:`~ember.optim.optimizer.StateInit` (the parameter is not used)."""
    return new_step()


class Adam(Optimizer):
    """Adam (Kingma & Ba), PyTorch's formulation.

    ``m = lerp(m, g, 1 - beta1)``, ``v = beta2 * v + (1 - beta2) * g * g``;
    ``p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``
    (``v`` replaced by its running maximum with ``amsgrad``). ``weight_decay`` adds
    ``wd * p`` to the gradient, or with ``decoupled_weight_decay`` (AdamW) scales
    ``p`` by ``1 - lr * wd`` first.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        betas: decay rates of the first and second moments (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay (default 0).
        amsgrad: use the AMSGrad variant.
        maximize: maximize the objective instead of minimizing it.
        decoupled_weight_decay: decay the weights directly (AdamW).

    >>> opt = Adam(model.parameters(), lr=1e-3)  # doctest: +SKIP
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        check_adam_args(lr, betas, eps, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
            "maximize": maximize, "foreach": foreach, "capturable": capturable,
            "differentiable": differentiable, "fused": fused, "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)
        check_fused_foreach(fused, foreach, differentiable)

    _group_defaults = (
        ("amsgrad", False), ("maximize", False), ("foreach", None), ("capturable", False),
        ("differentiable", False), ("decoupled_weight_decay", False), ("fused", None),
    )
    _tensor_counters = ("step",)

    @use_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns ``closure()``'s loss when a closure is given."""
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, (steps, exp_avgs, exp_avg_sqs, max_exp_avg_sqs) = self._gather(
                group, step=fresh_step, exp_avg=zeros, exp_avg_sq=zeros,
                max_exp_avg_sq=zeros if group["amsgrad"] else None,
            )
            beta1, beta2 = group["betas"]
            F.adam(
                params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps,
                amsgrad=group["amsgrad"], beta1=to_float(beta1), beta2=to_float(beta2), lr=to_float(group["lr"]),
                weight_decay=to_float(group["weight_decay"]), eps=group["eps"], maximize=group["maximize"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
            )
        return loss
