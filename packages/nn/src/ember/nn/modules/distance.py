"""Distance modules of torch.nn (``nn.PairwiseDistance``).

>>> import ember.nn as nn
>>> nn.PairwiseDistance(eps=0.0)(ember.tensor([[3.0, 4.0]]), ember.tensor([[0.0, 0.0]]))
tensor([5.])
"""

from __future__ import annotations

from ember import Tensor
from ember.nn._functional.loss import pairwise_distance
from ember.nn.modules.module import Module

__all__ = ["PairwiseDistance"]


class PairwiseDistance(Module):
    """``||x1 - x2 + eps||_p`` over the last dim (see :func:`ember.nn.functional.pairwise_distance`)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
