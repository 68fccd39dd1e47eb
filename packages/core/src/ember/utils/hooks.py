"""``RemovableHandle``: what every ``register_*_hook`` in Ember returns (torch.utils.hooks's).

>>> from ember.utils.hooks import RemovableHandle
>>> hooks = {}
>>> handle = RemovableHandle(hooks)
>>> hooks[handle.id] = print
>>> handle.remove()
>>> hooks
{}
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["RemovableHandle"]


def _ref(table: Any) -> Callable[[], Any]:
    """A weak reference to a hook table when it allows one (plain dicts do not: held strongly)."""
    try:
        return weakref.ref(table)
    except TypeError:
        return lambda: table


class RemovableHandle:
    """Unregisters one hook: ``handle.remove()``, or leaving ``with handle:``.

    ``hooks_dict`` is the table the hook is stored in under ``handle.id``; ``extra_dict``
    (one table or a list) holds per-hook extras removed with it. Tables that can be weakly
    referenced are, so a handle does not keep its module or node alive.
    """

    next_id: int = 0

    def __init__(self, hooks_dict: Any, *, extra_dict: Any = None) -> None:
        self.hooks_dict_ref = _ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        extras = [] if extra_dict is None else extra_dict if isinstance(extra_dict, list) else [extra_dict]
        self.extra_dict_ref = tuple(_ref(d) for d in extras)

    def remove(self) -> None:
        """Unregister the hook (a no-op when already removed)."""
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            table = ref()
            if table is not None and self.id in table:
                del table[self.id]

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
