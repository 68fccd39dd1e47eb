"""Writes through expanded views follow PyTorch: distinct elements may be written, overlapping ones not."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest

import ember

OVERLAP = "more than one element of the written-to tensor refers to a single memory location"


def _expanded() -> tuple[ember.Tensor, ember.Tensor]:
    base = ember.ones(3)
    return base, base.expand(2, 3)


# (what, write, base afterwards) — captured from torch 2.13 for the same ops
ALLOWED: list[tuple[str, Callable[[ember.Tensor], object], list[float]]] = [
    ("row", lambda e: e.__setitem__(0, 5), [5.0, 5.0, 5.0]),
    ("element", lambda e: e.__setitem__((0, 1), 5), [1.0, 5.0, 1.0]),
    ("fill_", lambda e: e.fill_(2), [2.0, 2.0, 2.0]),
    ("zero_", lambda e: e.zero_(), [0.0, 0.0, 0.0]),
]
REFUSED: list[tuple[str, Callable[[ember.Tensor], object]]] = [
    ("add_", lambda e: e.add_(1)),
    ("mul_", lambda e: e.mul_(2)),
    ("iadd", lambda e: e.__iadd__(1)),
    ("copy_", lambda e: e.copy_(ember.zeros(2, 3))),
    ("whole slice", lambda e: e.__setitem__(slice(None), 3)),
    ("out=", lambda e: ember.add(ember.ones(2, 3), 1, out=e)),
]


@pytest.mark.parametrize(("what", "write", "expected"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_distinct_elements_can_be_written(what: str, write: Callable[[ember.Tensor], object], expected: list[float]) -> None:
    base, e = _expanded()
    write(e)
    assert base.tolist() == expected
    assert e.tolist() == [expected, expected]


@pytest.mark.parametrize(("what", "write"), REFUSED, ids=[r[0] for r in REFUSED])
def test_overlapping_writes_are_refused_and_change_nothing(what: str, write: Callable[[ember.Tensor], object]) -> None:
    base, e = _expanded()
    with pytest.raises(RuntimeError, match=OVERLAP):
        write(e)
    assert base.tolist() == [1.0, 1.0, 1.0]


def test_advanced_index_write_warns_like_torch() -> None:
    base, e = _expanded()
    with pytest.warns(UserWarning, match="index_put_ on expanded tensors is deprecated"):
        e[e > 0] = 7
    assert base.tolist() == [7.0, 7.0, 7.0]


def test_expanded_views_report_true_layout() -> None:
    b = ember.arange(6.0)[2:]
    e = b.expand(3, 4)
    assert (e.stride(), e.storage_offset(), e.data_ptr()) == ((0, 1), 2, b.data_ptr())
    assert ember.arange(3.0).view(3, 1).expand(3, 2).stride() == (1, 0)


def test_read_only_memory_gets_its_own_message() -> None:
    a = np.arange(3.0)
    a.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = ember.from_numpy(a)
    for write in (lambda: t.__setitem__(0, 1), lambda: t.add_(1), lambda: t.expand(2, 3).fill_(1)):
        with pytest.raises(RuntimeError, match="read-only"):
            write()
    assert a.tolist() == [0.0, 1.0, 2.0]
