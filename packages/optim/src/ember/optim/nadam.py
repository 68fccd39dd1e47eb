"""NAdam (``ember.optim.NAdam``): Adam with Nesterov momentum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.optim import _functional as F
from ember.optim.adam import check_adam_args, fresh_step
from ember.optim.optimizer import (
    Optimizer,
    ParamsT,
    check_nonnegative,
    evaluate_closure,
    to_float,
    use_grad,
    zeros,
)

__all__ = ["NAdam"]


def _one(p: Tensor) -> Tensor:
    """A fresh ``mu_product``: a 0-d float32 one (whatever the parameter's dtype, as in PyTorch)."""
    return ember.tensor(1.0, dtype=ember.float32)


class NAdam(Optimizer):
    """NAdam (Dozat), PyTorch's formulation with the ``momentum_decay`` schedule.

    ``mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))``; with ``m``, ``v`` as in Adam,
    ``p -= lr * (1 - mu_t) / (1 - prod mu) * g / d + lr * mu_{t+1} / (1 - prod mu * mu_{t+1}) * m / d``
    where ``d = sqrt(v / (1 - beta2**t)) + eps``.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 2e-3).
        betas: decay rates of the moments (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay (default 0).
        momentum_decay: the ``psi`` of the momentum schedule (default 4e-3).
        decoupled_weight_decay: decay the weights directly (as AdamW does) instead of the gradient.
        maximize: maximize the objective instead of minimizing it.

    >>> opt = NAdam(model.parameters())  # doctest: +SKIP
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        check_nonnegative(momentum_decay=momentum_decay)
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize, "foreach": foreach,
            "capturable": capturable, "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    _group_defaults = (
        ("maximize", False), ("foreach", None), ("capturable", False), ("differentiable", False),
        ("decoupled_weight_decay", False),
    )
    _tensor_counters = ("step", "mu_product")

    @use_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns ``closure()``'s loss when a closure is given."""
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, (steps, mu_products, exp_avgs, exp_avg_sqs) = self._gather(
                group, step=fresh_step, mu_product=_one, exp_avg=zeros, exp_avg_sq=zeros
            )
            beta1, beta2 = group["betas"]
            F.nadam(
                params, grads, exp_avgs, exp_avg_sqs, mu_products, steps, beta1=to_float(beta1),
                beta2=to_float(beta2), lr=to_float(group["lr"]), weight_decay=to_float(group["weight_decay"]),
                momentum_decay=group["momentum_decay"], eps=group["eps"],
                decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"],
            )
        return loss
