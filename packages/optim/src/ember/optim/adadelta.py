"""Adadelta (``ember.optim.Adadelta``): PyTorch's formulation."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

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
from ember.optim.rmsprop import check_real, fresh_scalar_step, penalized_grad

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    """Adadelta as PyTorch implements it.

    ``v = rho * v + (1 - rho) * g**2``; ``dx = sqrt(u + eps) / sqrt(v + eps) * g``;
    ``u = rho * u + (1 - rho) * dx**2``; ``p -= lr * dx``.
    ``weight_decay`` adds ``wd * p`` to the gradient; ``maximize`` negates it.

    Args:
        params: tensors or parameter groups to optimize.
        lr: coefficient that scales delta before it is applied (default 1.0).
        rho: decay of the running averages (default 0.9).
        eps: added inside the square roots (default 1e-6).
        weight_decay: L2 penalty (default 0).
        maximize: maximize the objective instead of minimizing it.

    >>> opt = Adadelta([w], rho=0.95)  # doctest: +SKIP
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative(eps=eps, weight_decay=weight_decay)
        defaults = {
            "lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
            "capturable": capturable, "foreach": foreach, "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))

    @use_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns ``closure()``'s loss when a closure is given."""
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, (steps, square_avgs, acc_deltas) = self._gather(
                group, partial(check_real, "Adadelta"), step=fresh_scalar_step, square_avg=zeros, acc_delta=zeros
            )
            adadelta(
                params, grads, square_avgs, acc_deltas, steps,
                lr=to_float(group["lr"]), rho=group["rho"], eps=group["eps"],
                weight_decay=group["weight_decay"], maximize=group["maximize"],
            )
        return loss


def adadelta(
    params: list[Tensor],
    grads: list[Tensor],
    square_avgs: list[Tensor],
    acc_deltas: list[Tensor],
    state_steps: list[Tensor],
    *,
    lr: float,
    rho: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """The Adadelta update on lists of tensors (params and state buffers updated in place)."""
    for param, grad, square_avg, acc_delta, step in zip(
        params, grads, square_avgs, acc_deltas, state_steps, strict=True
    ):
        step.add_(1)
        grad = penalized_grad(param, grad, maximize, weight_decay)
        square_avg.mul_(rho).add_(grad * grad, alpha=1 - rho)
        std = square_avg.add(eps).sqrt_()
        delta = acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
        acc_delta.mul_(rho).add_(delta * delta, alpha=1 - rho)
        param.add_(delta, alpha=-lr)
