"""``ember.nn``: Module, Parameter, layers, losses, ``nn.init`` and ``nn.functional``, as torch.nn.

>>> import ember.nn as nn
>>> nn.Linear(4, 2)
Linear(in_features=4, out_features=2, bias=True)
"""

from __future__ import annotations

from ember.nn import functional, init, modules, utils
from ember.nn.modules import *  # noqa: F403

__all__ = ["functional", "init", "utils", "modules", *modules.__all__]
