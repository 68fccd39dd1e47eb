"""conv operations (being written)."""

from __future__ import annotations

__all__: list[str] = []  # what `import ember` re-exports
