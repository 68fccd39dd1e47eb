"""ember.optim: optimizers and learning-rate schedulers with PyTorch's update rules.

>>> import ember, ember.optim
>>> w = ember.zeros(3, requires_grad=True)
>>> opt = ember.optim.SGD([w], lr=0.1)
"""

from __future__ import annotations

from ember.optim import lr_scheduler
from ember.optim.adadelta import Adadelta
from ember.optim.adagrad import Adagrad
from ember.optim.adam import Adam
from ember.optim.adamax import Adamax
from ember.optim.adamw import AdamW
from ember.optim.lbfgs import LBFGS
from ember.optim.nadam import NAdam
from ember.optim.optimizer import Optimizer
from ember.optim.radam import RAdam
from ember.optim.rmsprop import RMSprop
from ember.optim.sgd import SGD

__all__: list[str] = [
    "Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta", "LBFGS",
    "lr_scheduler",
]
