"""AdamW (``ember.optim.AdamW``): Adam with decoupled weight decay."""

from __future__ import annotations

from typing import Any

from ember._tensor import Tensor
from ember.optim.adam import Adam
from ember.optim.optimizer import ParamsT

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): ``p *= 1 - lr * wd`` before the Adam update.

    Same arguments as :class:`Adam`, but ``weight_decay`` defaults to 1e-2 and is always decoupled.

    >>> opt = AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)  # doctest: +SKIP
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
            capturable=capturable, differentiable=differentiable, fused=fused, decoupled_weight_decay=True,
        )

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        # loading any state into AdamW keeps the decay decoupled
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
