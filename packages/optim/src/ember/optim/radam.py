"""RAdam (``ember.optim.RAdam``): Adam with the variance rectification term."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ember._tensor import Tensor
from ember.optim import _functional as F
from ember.optim.adam import check_adam_args, fresh_step
from ember.optim.optimizer import Optimizer, ParamsT, evaluate_closure, to_float, use_grad, zeros

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (Liu et al.), PyTorch's formulation.

    ``rho_inf = 2 / (1 - beta2) - 1``, ``rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)``;
    while ``rho_t <= 5`` the step is ``p -= lr * m / (1 - beta1**t)`` (momentum SGD), after
    that the bias-corrected Adam step scaled by the rectification
    ``r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))``.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        betas: decay rates of the moments (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay (default 0).
        decoupled_weight_decay: decay the weights directly (as AdamW does) instead of the gradient.
        maximize: maximize the objective instead of minimizing it.

    >>> opt = RAdam(model.parameters())  # doctest: +SKIP
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
            "foreach": foreach, "capturable": capturable, "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    _group_defaults = (
        ("foreach", None), ("maximize", False), ("differentiable", False), ("decoupled_weight_decay", False),
        ("capturable", False),
    )
    _tensor_counters = ("step",)

    @use_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns ``closure()``'s loss when a closure is given."""
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, (steps, exp_avgs, exp_avg_sqs) = self._gather(
                group, step=fresh_step, exp_avg=zeros, exp_avg_sq=zeros
            )
            beta1, beta2 = group["betas"]
            F.radam(
                params, grads, exp_avgs, exp_avg_sqs, steps, beta1=to_float(beta1), beta2=to_float(beta2),
                lr=to_float(group["lr"]), weight_decay=to_float(group["weight_decay"]), eps=group["eps"],
                decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"],
            )
        return loss
