"""Where ember-autograd hooks into core's module-level functions.

Tensor methods are recorded by ember-autograd wrapping them on the class (they
are looked up on every call, including by ``ember.<name>`` function forms).
Module-level functions (``ember.cat``, ``ember.conv2d``, ``ember.linalg.inv``,
...) may already be bound elsewhere by ``from ember import cat``, so each is
replaced by a small dispatcher that calls the recorder ember-autograd put in
:data:`RECORDERS` under the function's op name, or the plain function when
there is none (ember-autograd not loaded, or no rule: then the function is a
composition of recorded ops).

>>> from ember._dispatch import OPS
>>> OPS["cat"].__name__
'cat'
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["RECORDERS", "OPS", "install"]

#: Recording wrappers by op name, filled by ember-autograd.
RECORDERS: dict[str, Callable[..., Any]] = {}
#: Every dispatched module-level function by op name: the undecorated original.
OPS: dict[str, Callable[..., Any]] = {}


def _dispatcher(op: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    recorders = RECORDERS

    @functools.wraps(fn)
    def dispatch(*args: Any, **kwargs: Any) -> Any:
        recorder = recorders.get(op)
        if recorder is None:
            return fn(*args, **kwargs)
        return recorder(*args, **kwargs)

    dispatch.__ember_op__ = op  # type: ignore[attr-defined]
    return dispatch


def install(namespace: dict[str, Any], names: list[str] | tuple[str, ...], prefix: str = "") -> None:
    """Replace each function ``names`` in a module's ``namespace`` by its dispatcher.

    The op name is ``prefix + name`` (``"linalg."`` for ``ember.linalg``).
    """
    for name in names:
        fn = namespace[name]
        if not callable(fn) or isinstance(fn, type):
            continue
        op = prefix + name
        if op in OPS:
            raise RuntimeError(f"op {op!r} is dispatched twice")
        OPS[op] = fn
        namespace[name] = _dispatcher(op, fn)
