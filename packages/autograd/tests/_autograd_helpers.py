"""Helpers shared by the autograd rule tests: float64 leaves in several memory layouts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import ember

F64 = ember.float64


def leaf(values: np.ndarray, layout: str = "contiguous") -> Any:
    """A float64 leaf holding ``values``: 'transposed' stores them with the dims reversed (a permuted
    view), 'strided' in every other element of a last dim twice as long; else contiguous."""
    if layout == "transposed":
        rev = tuple(range(values.ndim))[::-1]
        t = ember.tensor(np.ascontiguousarray(values.transpose(rev)), dtype=F64).permute(*rev)
    elif layout == "strided":
        big = np.zeros((*values.shape[:-1], 2 * values.shape[-1]))
        big[..., ::2] = values
        t = ember.tensor(big, dtype=F64)[..., ::2]
    else:
        t = ember.tensor(values, dtype=F64)
    return t.detach().requires_grad_()


def expanded(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn`` applied to its input broadcast along a new leading dim (an expanded view)."""
    return lambda t: fn(t.expand(2, *t.shape))


def first(out: Any) -> Any:
    """The first result of an op returning a tuple or list; the result itself otherwise."""
    return out[0] if isinstance(out, (tuple, list)) else out
