"""The registry of benchmark workloads.

Each module here has a ``workloads()`` function returning its
:class:`harness.Workload` list; add a module to :data:`MODULES` to register it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from harness import Workload

from workloads import autograd, conv, creation, matmul, nn, optim, pool, tiny_ops

__all__ = ["MODULES", "all_workloads", "select"]

MODULES = (tiny_ops, creation, matmul, pool, conv, autograd, optim, nn)


def all_workloads() -> list[Workload]:
    """Every registered workload, in table order; names are unique."""
    found = [w for module in MODULES for w in module.workloads()]
    names = [w.name for w in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate workload names: {', '.join(duplicates)}")
    return found


def select(workloads: Sequence[Workload], patterns: Sequence[str] | None, quick: bool) -> list[Workload]:
    """The workloads named by ``patterns`` (exact names, groups like ``tiny``, or globs).

    With no patterns: all of them, or only those marked ``quick`` when ``quick``.
    Raises ValueError for a pattern that matches nothing, listing the names.
    """
    if not patterns:
        return [w for w in workloads if w.quick or not quick]
    chosen: list[Workload] = []
    for pattern in patterns:
        hits = [w for w in workloads if _matches(w.name, pattern)]
        if not hits:
            known = ", ".join(w.name for w in workloads)
            raise ValueError(f"--only {pattern!r} matches no workload; known workloads: {known}")
        chosen.extend(w for w in hits if w not in chosen)
    return chosen


def _matches(name: str, pattern: str) -> bool:
    return name == pattern or name.startswith(pattern + ".") or fnmatch.fnmatchcase(name, pattern)
