"""``ember.linalg``: PyTorch's ``torch.linalg`` (being written)."""

from __future__ import annotations

__all__: list[str] = []
