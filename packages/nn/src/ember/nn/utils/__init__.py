"""ember.nn.utils: gradient clipping, parameter vectors, RNN sequence packing (being written)."""

from __future__ import annotations

__all__: list[str] = []
