"""ember.optim: optimizers and learning-rate schedulers with PyTorch's update rules (being written)."""

from __future__ import annotations

__all__: list[str] = []
