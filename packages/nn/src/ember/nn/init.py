"""nn.init: parameter initialisation with PyTorch's formulas (being written)."""

from __future__ import annotations

__all__: list[str] = []
