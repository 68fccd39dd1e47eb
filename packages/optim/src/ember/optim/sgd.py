"""Stochastic gradient descent (``ember.optim.SGD``), with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ember._tensor import Tensor
from ember.optim import _functional as F
from ember.optim.optimizer import Optimizer, ParamsT, check_lr, evaluate_closure, to_float, use_grad

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's formulation).

    With momentum ``mu`` the buffer is ``b = g`` on the first step and
    ``b = mu * b + (1 - dampening) * g`` afterwards; the update is ``p -= lr * b``
    (``g + mu * b`` with ``nesterov``). ``weight_decay`` adds ``wd * p`` to the gradient,
    ``maximize`` negates it.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        momentum: momentum factor (default 0).
        dampening: dampening for momentum (default 0).
        weight_decay: L2 penalty (default 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and zero dampening).
        maximize: maximize the objective instead of minimizing it.

    >>> opt = SGD([w], lr=0.1, momentum=0.9)  # doctest: +SKIP
    >>> loss(w).backward(); opt.step(); opt.zero_grad()  # doctest: +SKIP
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float | Tensor = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
            "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
            "differentiable": differentiable, "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        if fused and differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    _group_defaults = (
        ("nesterov", False), ("maximize", False), ("foreach", None), ("differentiable", False), ("fused", False),
    )

    @use_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns ``closure()``'s loss when a closure is given."""
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, _ = self._gather(group)
            momentum = group["momentum"]
            buffers: list[Tensor | None] = (
                [self.state[p].get("momentum_buffer") for p in params] if momentum != 0 else []
            )
            F.sgd(
                params, grads, buffers if momentum != 0 else [None] * len(params),
                weight_decay=to_float(group["weight_decay"]), momentum=momentum, lr=to_float(group["lr"]),
                dampening=group["dampening"], nesterov=group["nesterov"], maximize=group["maximize"],
            )
            if momentum != 0:
                for p, buf in zip(params, buffers, strict=True):
                    self.state[p]["momentum_buffer"] = buf
        return loss
