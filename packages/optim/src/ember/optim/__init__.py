"""ember.optim: optimizers and learning-rate schedulers with PyTorch's update rules.

>>> import ember, ember.optim
>>> w = ember.zeros(3, requires_grad=True)
>>> opt = ember.optim.SGD([w], lr=0.1)
"""

from __future__ import annotations

from ember.optim.optimizer import Optimizer
from ember.optim.sgd import SGD

__all__: list[str] = ["Optimizer", "SGD"]
