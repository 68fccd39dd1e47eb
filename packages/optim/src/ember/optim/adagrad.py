"""Adagrad (``ember.optim.Adagrad``): PyTorch's formulation, with learning-rate decay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ember
from ember._tensor import Tensor
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
from ember.optim.rmsprop import check_real, fresh_scalar_step, penalized_grad, scalar_step

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    """Adagrad as PyTorch implements it.

    At step ``t``: ``clr = lr / (1 + (t - 1) * lr_decay)``, ``s += g**2``,
    ``p -= clr * g / (sqrt(s) + eps)``; ``s`` starts at ``initial_accumulator_value``.
    ``weight_decay`` adds ``wd * p`` to the gradient; ``maximize`` negates it.
    State is created for every parameter at construction (as in PyTorch).

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay (default 0).
        weight_decay: L2 penalty (default 0).
        initial_accumulator_value: starting value of the squared-gradient sums (default 0).
        eps: added to the denominator (default 1e-10).
        maximize: maximize the objective instead of minimizing it.

    >>> opt = Adagrad([w], lr=0.1, lr_decay=1e-3)  # doctest: +SKIP
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        check_nonnegative(
            lr_decay=lr_decay, weight_decay=weight_decay, initial_accumulator_value=initial_accumulator_value, eps=eps
        )
        defaults = {
            "lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
            "maximize": maximize, "differentiable": differentiable, "fused": fused,
        }
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:
            for p in group["params"]:
                check_real("Adagrad", p)
                state = self.state[p]
                state["step"] = scalar_step()
                state["sum"] = ember.full_like(p, group["initial_accumulator_value"])

    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("fused", None))

    def share_memory(self) -> None:
        """Kept for PyTorch compatibility: Ember's CPU buffers need no sharing step."""

    @use_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns ``closure()``'s loss when a closure is given."""
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            # the state was made at construction (lazy=False: the initialisers are not called)
            params, grads, (sums, steps) = self._gather(group, lazy=False, sum=zeros, step=fresh_scalar_step)
            adagrad(
                params, grads, sums, steps,
                lr=to_float(group["lr"]), weight_decay=group["weight_decay"],
                lr_decay=group["lr_decay"], eps=group["eps"], maximize=group["maximize"],
            )
        return loss


def adagrad(
    params: list[Tensor],
    grads: list[Tensor],
    state_sums: list[Tensor],
    state_steps: list[Tensor],
    *,
    lr: float,
    weight_decay: float,
    lr_decay: float,
    eps: float,
    maximize: bool,
) -> None:
    """The Adagrad update on lists of tensors (params and state buffers updated in place)."""
    for param, grad, state_sum, step_t in zip(params, grads, state_sums, state_steps, strict=True):
        step = to_float(step_t.add_(1))
        grad = penalized_grad(param, grad, maximize, weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        state_sum.add_(grad * grad)
        std = state_sum.sqrt().add_(eps)
        param.add_(grad.div(std), alpha=-clr)
