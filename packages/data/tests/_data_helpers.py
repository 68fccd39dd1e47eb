"""Datasets and callables the worker tests send to worker processes (importable, so picklable)."""

from __future__ import annotations

import os
import random
import time
from typing import Any

import numpy as np

import ember
from ember.utils.data import Dataset, IterableDataset, get_worker_info


class Squares(Dataset[Any]):
    """``(i, i*i as float32 tensor)``: easy to check batch by batch."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __getitem__(self, i: int) -> tuple[int, Any]:
        return i, ember.tensor([float(i * i)])

    def __len__(self) -> int:
        return self.n


class WorkerSeen(Dataset[Any]):
    """Each sample records the worker that loaded it, its seed and its first random draws."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, i: int) -> dict[str, Any]:
        info = get_worker_info()
        return {
            "index": i,
            "worker": -1 if info is None else info.id,
            "seed": -1 if info is None else info.seed,
            "pid": os.getpid(),
            "initialized": os.environ.get("EMBER_DATA_TEST_INIT", ""),
        }


def record_init(worker_id: int) -> None:
    """A worker_init_fn that leaves its worker id where every sample can see it."""
    os.environ["EMBER_DATA_TEST_INIT"] = f"init-{worker_id}"


class FirstDraws(Dataset[Any]):
    """The first ember and Python ``random`` draws in the process that loads sample 0 of a worker."""

    def __len__(self) -> int:
        return 2

    def __getitem__(self, i: int) -> tuple[Any, float, float]:
        return ember.rand(2), random.random(), float(np.random.rand())


class ShardedRange(IterableDataset[int]):
    """``range(start, end)`` split into contiguous shards, one per worker (torch's docs example)."""

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end

    def __iter__(self) -> Any:
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per_worker = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per_worker
        return iter(range(lo, min(lo + per_worker, self.end)))


class UnshardedRange(IterableDataset[int]):
    """Every worker iterates all of ``range(n)`` (no sharding): shows each has its own copy."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self) -> Any:
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n


class FailsAt(Dataset[Any]):
    """Raises ``error(message)`` when asked for sample ``bad``."""

    def __init__(self, n: int, bad: int, error: type[Exception] = ValueError) -> None:
        self.n, self.bad, self.error = n, bad, error

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if i == self.bad:
            raise self.error(f"sample {i} is broken")
        return i


class DiesAt(Dataset[Any]):
    """The loading process exits abruptly (no exception, no cleanup) at sample ``bad``."""

    def __init__(self, n: int, bad: int) -> None:
        self.n, self.bad = n, bad

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if i == self.bad:
            os._exit(7)
        return i


class Slow(Dataset[Any]):
    """Takes ``delay`` seconds per sample."""

    def __init__(self, n: int, delay: float) -> None:
        self.n, self.delay = n, delay

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        time.sleep(self.delay)
        return i


class CountsLoads(Dataset[Any]):
    """Returns the pid of the loading process: shows whether workers are reused across epochs."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, i: int) -> int:
        return os.getpid()
