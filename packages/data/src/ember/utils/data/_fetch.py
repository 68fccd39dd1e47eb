"""Fetchers: one batch (or one sample) from a dataset, given what the sampler yielded.

The same code runs in the main process (``num_workers=0``) and in workers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ember
from ember.utils.data._collate import default_collate
from ember.utils.data._dataset import TensorDataset

__all__ = ["DatasetKind", "MapDatasetFetcher", "IterableDatasetFetcher", "create_fetcher"]


class DatasetKind:
    Map = 0
    Iterable = 1


class MapDatasetFetcher:
    """``collate_fn([dataset[i] for i in batch])``; ``dataset.__getitems__(batch)`` where defined."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable[[Any], Any], drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        # A TensorDataset collated by default_collate is one gather per tensor: the same
        # batch as stacking the samples one by one (tuples collate to a list), without the
        # per-sample Python loop.
        self._gather = auto_collation and collate_fn is default_collate and type(dataset) is TensorDataset

    def fetch(self, possibly_batched_index: Any) -> Any:
        if self.auto_collation:
            if self._gather and len(possibly_batched_index) > 0:
                index = ember.tensor(possibly_batched_index, dtype=ember.int64)
                return [t[index.to(t.device)] for t in self.dataset.tensors]
            getitems = getattr(self.dataset, "__getitems__", None)
            if getitems:
                data = getitems(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


class IterableDatasetFetcher:
    """The next ``batch_size`` items of the dataset's iterator (or the next one item), collated."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable[[Any], Any], drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index: Any) -> Any:
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def create_fetcher(
    kind: int, dataset: Any, auto_collation: bool, collate_fn: Callable[[Any], Any], drop_last: bool
) -> MapDatasetFetcher | IterableDatasetFetcher:
    cls = MapDatasetFetcher if kind == DatasetKind.Map else IterableDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)
