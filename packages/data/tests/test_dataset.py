"""Datasets: TensorDataset, ConcatDataset, ChainDataset, Subset, random_split (torch's rules)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.utils.data import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)


class Items(Dataset[int]):
    def __init__(self, items: list[int]) -> None:
        self.items = items

    def __getitem__(self, i: int) -> int:
        return self.items[i]

    def __len__(self) -> int:
        return len(self.items)


class Stream(IterableDataset[int]):
    def __init__(self, items: list[int]) -> None:
        self.items = items

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def test_tensor_dataset_indexes_every_tensor_along_dim0() -> None:
    x = ember.arange(12.0).reshape(4, 3)
    y = ember.tensor([5, 6, 7, 8])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    xi, yi = ds[2]
    np.testing.assert_array_equal(xi.numpy(), [6.0, 7.0, 8.0])
    assert yi.item() == 7 and yi.dtype == ember.int64
    _, ys = ds[1:3]  # slices pass through, as in torch
    np.testing.assert_array_equal(ys.numpy(), [6, 7])
    assert ds.tensors[0] is x


def test_tensor_dataset_rejects_mismatched_first_dims() -> None:
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(ember.zeros(3), ember.zeros(4))


def test_base_dataset_needs_getitem_and_add_concatenates() -> None:
    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        Dataset()[0]
    both = Items([1, 2]) + Items([3])
    assert isinstance(both, ConcatDataset)
    assert [both[i] for i in range(len(both))] == [1, 2, 3]


def test_concat_dataset_cumulative_sizes_and_negative_indices() -> None:
    ds = ConcatDataset([Items([0, 1]), Items([]), Items([2, 3, 4])])
    assert ds.cumulative_sizes == [2, 2, 5]
    assert len(ds) == 5
    assert [ds[i] for i in range(5)] == [0, 1, 2, 3, 4]
    assert [ds[i] for i in range(-5, 0)] == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        ds[-6]
    with pytest.raises(IndexError):
        ds[5]


def test_concat_dataset_rejects_empty_and_iterable() -> None:
    with pytest.raises(AssertionError, match="should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Items([1]), Stream([2])])


def test_chain_dataset_and_iterable_add() -> None:
    chained = Stream([1, 2]) + Stream([3])
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [1, 2, 3]
    assert len(chained) == 3
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        list(ChainDataset([Items([1])]))


def test_subset_maps_indices_and_batches_through_getitems() -> None:
    base = Items([10, 11, 12, 13, 14])
    sub = Subset(base, [4, 0, 2])
    assert len(sub) == 3
    assert [sub[i] for i in range(3)] == [14, 10, 12]
    assert sub.__getitems__([2, 0]) == [12, 14]
    nested = Subset(sub, [1, 2])  # the inner Subset's __getitems__ is used
    assert nested.__getitems__([0, 1]) == [10, 12]


def test_subset_subclass_overriding_getitem_only_is_refused() -> None:
    class Doubled(Subset[int]):
        def __getitem__(self, idx):  # type: ignore[no-untyped-def]
            return 2 * super().__getitem__(idx)

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Doubled(Items([1]), [0])


def test_random_split_lengths_are_disjoint_and_cover_the_dataset() -> None:
    g = ember.Generator().manual_seed(0)
    parts = random_split(range(10), [3, 7], generator=g)
    assert [len(p) for p in parts] == [3, 7]
    seen = [i for p in parts for i in p.indices]
    assert sorted(seen) == list(range(10))
    again = random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(0))
    assert [list(p.indices) for p in again] == [list(p.indices) for p in parts]
    other = random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(1))
    assert [list(p.indices) for p in other] != [list(p.indices) for p in parts]


def test_random_split_follows_the_default_generator() -> None:
    ember.manual_seed(5)
    a = [list(p.indices) for p in random_split(range(20), [0.5, 0.5])]
    ember.manual_seed(5)
    b = [list(p.indices) for p in random_split(range(20), [0.5, 0.5])]
    assert a == b


@pytest.mark.parametrize(
    ("n", "fractions", "expected"),
    [
        # floor(frac * n), then the remainder one at a time from the first split (torch's rule).
        (10, [0.3, 0.3, 0.4], [3, 3, 4]),
        (11, [0.3, 0.3, 0.4], [4, 3, 4]),
        (7, [1 / 3, 1 / 3, 1 / 3], [3, 2, 2]),
        (5, [0.25, 0.25, 0.25, 0.25], [2, 1, 1, 1]),
    ],
)
def test_random_split_fractions(n: int, fractions: list[float], expected: list[int]) -> None:
    parts = random_split(range(n), fractions, generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == expected


def test_random_split_fraction_errors_and_warnings() -> None:
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(10), [3, 6])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(range(10), [0.5, 1.5, -1.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = random_split(range(2), [0.9, 0.05, 0.05])
    assert [len(p) for p in parts] == [2, 0, 0]
    assert any("Length of split at index 1 is 0" in str(w.message) for w in caught)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=5), st.integers(0, 2**32))
def test_random_split_is_a_partition(lengths: list[int], seed: int) -> None:
    n = sum(lengths)
    parts = random_split(Items(list(range(n))), lengths, generator=ember.Generator().manual_seed(seed))
    assert [len(p) for p in parts] == lengths
    assert sorted(i for p in parts for i in p.indices) == list(range(n))
