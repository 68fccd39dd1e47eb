"""RMSprop (``ember.optim.RMSprop``): PyTorch's formulation, with momentum and the centered variant."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
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

__all__ = ["RMSprop", "rmsprop", "penalized_grad"]


def scalar_step() -> Tensor:
    """A fresh ``step`` counter: a 0-d tensor of PyTorch's scalar dtype (float64 iff that is the default)."""
    dt = ember.float64 if ember.get_default_dtype() is ember.float64 else ember.float32
    return ember.zeros((), dtype=dt)


def fresh_scalar_step(p: Tensor) -> Tensor:
    """:func:`scalar_step` as a :data:`~ember.optim.optimizer.StateInit` (the parameter is not used)."""
    return scalar_step()


def check_real(name: str, p: Tensor) -> None:
    """The element-wise rules here are written for real parameters."""
    if p.is_complex():
        raise TypeError(f"{name}: complex parameters are not supported, got one of dtype {p.dtype}")


def penalized_grad(param: Tensor, grad: Tensor, maximize: bool, weight_decay: float) -> Tensor:
    """The gradient to use: negated for ``maximize``, plus ``weight_decay * param`` (L2 penalty)."""
    grad = -grad if maximize else grad
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    return grad


class RMSprop(Optimizer):
    """RMSprop as PyTorch implements it.

    ``v = alpha * v + (1 - alpha) * g**2``; with ``centered`` also ``a = lerp(a, g, 1 - alpha)`` and
    ``v~ = v - a**2``; then ``p -= lr * g / (sqrt(v~) + eps)``, or with momentum
    ``b = momentum * b + g / (sqrt(v~) + eps)`` and ``p -= lr * b``.
    ``weight_decay`` adds ``wd * p`` to the gradient; ``maximize`` negates it.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the squared-gradient average (default 0.99).
        eps: added to the denominator (default 1e-8).
        weight_decay: L2 penalty (default 0).
        momentum: momentum factor (default 0).
        centered: normalise by the gradient's estimated variance instead of its second moment.
        maximize: maximize the objective instead of minimizing it.

    >>> opt = RMSprop([w], lr=0.01, momentum=0.9, centered=True)  # doctest: +SKIP
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonnegative(eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = {
            "lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
            "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
            "maximize": maximize, "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    _group_defaults = (
        ("momentum", 0), ("centered", False), ("foreach", None), ("maximize", False),
        ("differentiable", False), ("capturable", False),
    )

    @use_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns ``closure()``'s loss when a closure is given."""
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, (steps, square_avgs, buffers, grad_avgs) = self._gather(
                group, partial(check_real, "RMSprop"), step=fresh_scalar_step, square_avg=zeros,
                momentum_buffer=zeros if group["momentum"] > 0 else None,
                grad_avg=zeros if group["centered"] else None,
            )
            rmsprop(
                params, grads, square_avgs, grad_avgs, buffers, steps,
                lr=to_float(group["lr"]), alpha=group["alpha"], eps=group["eps"],
                weight_decay=group["weight_decay"], momentum=group["momentum"],
                centered=group["centered"], maximize=group["maximize"],
            )
        return loss


def rmsprop(
    params: list[Tensor],
    grads: list[Tensor],
    square_avgs: list[Tensor],
    grad_avgs: list[Tensor],
    momentum_buffer_list: list[Tensor],
    state_steps: list[Tensor],
    *,
    lr: float,
    alpha: float,
    eps: float,
    weight_decay: float,
    momentum: float,
    centered: bool,
    maximize: bool,
) -> None:
    """The RMSprop update on lists of tensors (params and state buffers updated in place)."""
    for i, param in enumerate(params):
        square_avg = square_avgs[i]
        state_steps[i].add_(1)
        grad = penalized_grad(param, grads[i], maximize, weight_decay)
        square_avg.mul_(alpha).add_(grad * grad, alpha=1 - alpha)
        if centered:
            grad_avg = grad_avgs[i].lerp_(grad, 1 - alpha)
            avg = square_avg.sub(grad_avg * grad_avg).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg.add_(eps)
        if momentum > 0:
            buf = momentum_buffer_list[i]
            buf.mul_(momentum).add_(grad.div(avg))
            param.add_(buf, alpha=-lr)
        else:
            param.add_(grad.div(avg), alpha=-lr)
