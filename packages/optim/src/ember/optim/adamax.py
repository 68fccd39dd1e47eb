"""Adamax (``ember.optim.Adamax``): Adam with the infinity norm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ember._tensor import Tensor
from ember.optim import _functional as F
from ember.optim.adam import check_adam_args, fresh_step
from ember.optim.optimizer import Optimizer, ParamsT, evaluate_closure, to_float, use_grad, zeros

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax: ``m = lerp(m, g, 1 - beta1)``, ``u = max(beta2 * u, |g| + eps)``, ``p -= lr / (1 - beta1**t) * m / u``.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 2e-3).
        betas: decay rates of the first moment and the infinity norm (default (0.9, 0.999)).
        eps: added to ``|g|`` (default 1e-8).
        weight_decay: L2 penalty added to the gradient (default 0).
        maximize: maximize the objective instead of minimizing it.

    >>> opt = Adamax(model.parameters())  # doctest: +SKIP
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
            "maximize": maximize, "differentiable": differentiable, "capturable": capturable,
        }
        super().__init__(params, defaults)

    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))
    _tensor_counters = ("step",)

    @use_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns ``closure()``'s loss when a closure is given."""
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, (steps, exp_avgs, exp_infs) = self._gather(
                group, step=fresh_step, exp_avg=zeros, exp_inf=zeros
            )
            beta1, beta2 = group["betas"]
            F.adamax(
                params, grads, exp_avgs, exp_infs, steps, eps=group["eps"], beta1=to_float(beta1),
                beta2=to_float(beta2), lr=to_float(group["lr"]), weight_decay=to_float(group["weight_decay"]),
                maximize=group["maximize"],
            )
        return loss
