"""DataLoader in the main process: batching, order, len, iterable datasets and argument checks."""

from __future__ import annotations

import multiprocessing
import warnings
from typing import Any

import numpy as np
import pytest
from _data_helpers import Squares, UnshardedRange

import ember
from ember.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
    default_collate,
)


def values(batches: list[Any], field: int = 0) -> list[list[Any]]:
    return [b[field].tolist() for b in batches]


def test_tensor_dataset_batches_in_order() -> None:
    x = ember.arange(20.0).reshape(10, 2)
    y = ember.arange(10)
    batches = list(DataLoader(TensorDataset(x, y), batch_size=4))
    assert len(batches) == 3
    for b, rows in zip(batches, ([0, 1, 2, 3], [4, 5, 6, 7], [8, 9]), strict=True):
        assert type(b) is list and len(b) == 2
        assert b[0].dtype == ember.float32 and b[1].dtype == ember.int64
        np.testing.assert_array_equal(b[0].numpy(), np.arange(20.0).reshape(10, 2)[rows])
        np.testing.assert_array_equal(b[1].numpy(), rows)


def test_tensor_dataset_gather_equals_collating_samples() -> None:
    # The gather fast path must give exactly what default_collate of the samples gives.
    ds = TensorDataset(ember.randn(7, 2, 3), ember.randint(0, 5, (7,)), ember.rand(7) > 0.5)
    idx = [6, 0, 3, -1]
    fast = next(iter(DataLoader(ds, batch_sampler=[idx])))
    slow = default_collate([ds[i] for i in idx])
    for f, s in zip(fast, slow, strict=True):
        assert f.dtype == s.dtype and f.shape == s.shape
        np.testing.assert_array_equal(f.numpy(), s.numpy())


def test_drop_last_and_len() -> None:
    ds = Squares(10)
    assert len(DataLoader(ds, batch_size=3)) == 4
    assert len(DataLoader(ds, batch_size=3, drop_last=True)) == 3
    assert values(list(DataLoader(ds, batch_size=3, drop_last=True))) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert values(list(DataLoader(ds, batch_size=3)))[-1] == [9]
    assert len(DataLoader(ds)) == 10


def test_samples_of_python_values_are_collated() -> None:
    (first,) = list(DataLoader(Squares(3), batch_size=3))
    assert first[0].dtype == ember.int64
    np.testing.assert_array_equal(first[1].numpy(), [[0.0], [1.0], [4.0]])


def test_batch_size_none_converts_without_batching() -> None:
    class NumpyItems(Dataset[Any]):
        def __len__(self) -> int:
            return 3

        def __getitem__(self, i: int) -> Any:
            return np.full(2, i, dtype=np.int32)

    loader = DataLoader(NumpyItems(), batch_size=None)
    items = list(loader)
    assert len(loader) == 3 and len(items) == 3
    assert all(isinstance(t, ember.Tensor) and t.dtype == ember.int32 for t in items)
    np.testing.assert_array_equal(items[2].numpy(), [2, 2])


def test_shuffle_is_reproducible_with_a_generator_and_manual_seed() -> None:
    ds = Squares(12)

    def epoch(**kw: Any) -> list[int]:
        return [i for b in DataLoader(ds, batch_size=5, shuffle=True, **kw) for i in b[0].tolist()]

    a = epoch(generator=ember.Generator().manual_seed(0))
    assert sorted(a) == list(range(12)) and a != list(range(12))
    assert a == epoch(generator=ember.Generator().manual_seed(0))
    ember.manual_seed(1)
    b = epoch()
    ember.manual_seed(1)
    assert epoch() == b


def test_custom_sampler_and_batch_sampler() -> None:
    ds = Squares(6)
    assert values(list(DataLoader(ds, batch_size=2, sampler=[5, 3, 1]))) == [[5, 3], [1]]
    batches = list(DataLoader(ds, batch_sampler=[[0, 5], [2]]))
    assert values(batches) == [[0, 5], [2]]
    loader = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 4, False))
    assert loader.batch_size is None and len(loader) == 2


def test_collate_fn_is_used() -> None:
    loader = DataLoader(Squares(4), batch_size=2, collate_fn=lambda batch: [i for i, _ in batch])
    assert list(loader) == [[0, 1], [2, 3]]


def test_iterable_dataset_batches_and_len() -> None:
    loader = DataLoader(UnshardedRange(7), batch_size=3)
    assert values_of(loader) == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(loader) == 3
    dropped = DataLoader(UnshardedRange(7), batch_size=3, drop_last=True)
    assert values_of(dropped) == [[0, 1, 2], [3, 4, 5]] and len(dropped) == 2
    single = DataLoader(UnshardedRange(3), batch_size=None)
    assert list(single) == [0, 1, 2] and len(single) == 3


def values_of(loader: DataLoader[Any]) -> list[list[int]]:
    return [b.tolist() for b in loader]


def test_pin_memory_without_an_accelerator_warns_and_returns_the_batch() -> None:
    loader = DataLoader(TensorDataset(ember.arange(4.0)), batch_size=2, pin_memory=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        batches = list(loader)
    assert values(batches) == [[0.0, 1.0], [2.0, 3.0]]
    assert any("pinned memory won't be used" in str(w.message) for w in caught)


def test_attributes_are_frozen_after_init() -> None:
    loader = DataLoader(Squares(3))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        loader.batch_size = 2
    loader.num_workers = 0  # others may change


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"num_workers": -1}, ValueError, "num_workers option should be non-negative"),
        ({"timeout": -1}, ValueError, "timeout option should be non-negative"),
        ({"prefetch_factor": 2}, ValueError, "prefetch_factor option could only be specified in multiprocessing"),
        ({"num_workers": 1, "prefetch_factor": -1}, ValueError, "prefetch_factor option should be non-negative"),
        ({"persistent_workers": True}, ValueError, "persistent_workers option needs num_workers > 0"),
        ({"sampler": [0], "shuffle": True}, ValueError, "sampler option is mutually exclusive with shuffle"),
        ({"batch_sampler": [[0]], "batch_size": 2}, ValueError, "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"),
        ({"batch_sampler": [[0]], "shuffle": True}, ValueError, "batch_sampler option is mutually exclusive"),
        ({"batch_sampler": [[0]], "sampler": [0]}, ValueError, "batch_sampler option is mutually exclusive"),
        ({"batch_sampler": [[0]], "drop_last": True}, ValueError, "batch_sampler option is mutually exclusive"),
        ({"batch_size": None, "drop_last": True}, ValueError, "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"),
        ({"multiprocessing_context": "spawn"}, ValueError, "multiprocessing_context can only be used with multi-process loading"),
        ({"num_workers": 1, "multiprocessing_context": "bogus"}, ValueError, "should specify a valid start method in"),
        ({"num_workers": 1, "multiprocessing_context": 3}, TypeError, "multiprocessing_context option should be a valid context object"),
    ],
)
def test_argument_conflicts(kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        DataLoader(Squares(3), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shuffle": True}, "expected unspecified shuffle option, but got shuffle=True"),
        ({"sampler": [0]}, r"expected unspecified sampler option, but got sampler=\[0\]"),
        ({"batch_sampler": [[0]]}, r"expected unspecified batch_sampler option, but got batch_sampler=\[\[0\]\]"),
    ],
)
def test_iterable_dataset_argument_conflicts(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=f"DataLoader with IterableDataset: {message}"):
        DataLoader(UnshardedRange(3), **kwargs)


def test_defaults_match_torch() -> None:
    loader = DataLoader(Squares(3))
    assert loader.batch_size == 1 and loader.num_workers == 0 and loader.prefetch_factor is None
    assert isinstance(loader.sampler, SequentialSampler) and loader.collate_fn is default_collate
    assert isinstance(DataLoader(Squares(3), shuffle=True).sampler, RandomSampler)
    assert DataLoader(Squares(3), num_workers=1).prefetch_factor == 2
    ctx = DataLoader(Squares(3), num_workers=1, multiprocessing_context="spawn").multiprocessing_context
    assert ctx is multiprocessing.get_context("spawn")
