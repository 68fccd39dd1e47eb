"""ember.utils.hooks.RemovableHandle: the handle every register_*_hook returns."""

from __future__ import annotations

import gc
import weakref
from collections import OrderedDict

from ember.utils.hooks import RemovableHandle


def test_remove_unregisters_once_and_ids_are_unique() -> None:
    hooks: OrderedDict[int, object] = OrderedDict()
    a, b = RemovableHandle(hooks), RemovableHandle(hooks)
    assert a.id != b.id
    hooks[a.id], hooks[b.id] = "a", "b"
    a.remove()
    a.remove()  # removing twice is a no-op
    assert list(hooks.values()) == ["b"]


def test_context_manager_and_extra_tables() -> None:
    hooks: OrderedDict[int, object] = OrderedDict()
    extra: OrderedDict[int, object] = OrderedDict()
    with RemovableHandle(hooks, extra_dict=extra) as h:
        hooks[h.id] = extra[h.id] = "hook"
    assert not hooks and not extra


def test_plain_dicts_work_and_weak_tables_are_not_kept_alive() -> None:
    plain: dict[int, object] = {}  # dicts cannot be weakly referenced: held strongly
    h = RemovableHandle(plain)
    plain[h.id] = "x"
    h.remove()
    assert plain == {}
    table: OrderedDict[int, object] = OrderedDict()
    handle = RemovableHandle(table)
    ref = weakref.ref(table)
    del table
    gc.collect()
    assert ref() is None
    handle.remove()  # the table is gone: nothing to do
