"""Learning-rate schedulers with PyTorch's semantics (``torch.optim.lr_scheduler``).

Each scheduler reproduces PyTorch's *chainable* update (``get_lr`` derives the next rate
from the optimizer's current one, so schedulers compose) and, where PyTorch has one, its
closed form (used when ``step(epoch)`` is given an explicit epoch).

>>> import ember
>>> from ember.optim import SGD
>>> from ember.optim.lr_scheduler import StepLR
>>> opt = SGD([ember.zeros(2, requires_grad=True)], lr=0.1)
>>> sched = StepLR(opt, step_size=2, gamma=0.5)
>>> for _ in range(4):
...     opt.step()
...     sched.step()
>>> sched.get_last_lr()
[0.025]
"""

from __future__ import annotations

from ember.optim.lr_scheduler._base import LRScheduler
from ember.optim.lr_scheduler._composite import ChainedScheduler, ReduceLROnPlateau, SequentialLR
from ember.optim.lr_scheduler._cyclic import CyclicLR, OneCycleLR
from ember.optim.lr_scheduler._simple import (
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "SequentialLR",
    "CosineAnnealingLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "CyclicLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "PolynomialLR",
]
