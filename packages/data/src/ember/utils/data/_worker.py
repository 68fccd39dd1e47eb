"""What runs inside a DataLoader worker process, and what it sends back.

A worker reads ``(task index, sampler output)`` pairs from its own index pipe,
fetches and collates the batch, and puts ``(task index, batch)`` on the shared
result queue. Batches cross the process boundary pickled (ember tensors pickle
as a host copy of their values; ``ember.save`` files never use pickle, but
these bytes only travel between our own processes). An exception becomes an
:class:`ExceptionWrapper` holding its type and traceback text, re-raised in the
main process.
"""

from __future__ import annotations

import os
import random
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from typing import Any, NoReturn

import numpy as np

import ember
from ember.utils.data._fetch import DatasetKind, create_fetcher

__all__ = ["WorkerInfo", "get_worker_info", "ExceptionWrapper"]

# How often a blocked worker checks that its parent is alive, and how often the main
# process checks that its workers are (torch: 5 s; shorter so a dead worker is reported fast).
MP_STATUS_CHECK_INTERVAL = 1.0


@dataclass(frozen=True)
class WorkerInfo:
    """What :func:`get_worker_info` returns inside a worker.

    Attributes:
        id: this worker's id, ``0 .. num_workers - 1``.
        num_workers: how many workers the DataLoader runs.
        seed: the seed of this worker's ember and ``random`` generators (``base_seed + id``).
        dataset: this process's copy of the dataset.
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The :class:`WorkerInfo` of this DataLoader worker process, or ``None`` in the main process.

    An :class:`IterableDataset` calls it in ``__iter__`` to give each worker its own shard:

    >>> info = get_worker_info()
    >>> start, step = (0, 1) if info is None else (info.id, info.num_workers)
    """
    return _worker_info


class KeyErrorMessage(str):
    """A str that is its own repr: ``KeyError`` reprs its argument, which would mangle a traceback."""

    __slots__ = ()

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception's type and formatted traceback, picklable, re-raised elsewhere by :meth:`reraise`."""

    def __init__(self, exc_info: Any = None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type: type[BaseException] = exc_info[0]
        # The text, not the traceback object: tracebacks do not pickle and hold frames alive.
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self) -> NoReturn:
        """Raise an exception of the original type whose message holds the original traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # A type that cannot be built from one message: say what it was.
            raise RuntimeError(msg) from None
        raise exception


@dataclass(frozen=True)
class IterableDatasetStopIteration:
    """Sent by a worker whose copy of an iterable dataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Sent to persistent workers at the start of a new epoch (and echoed back)."""


def generate_state(base_seed: int, worker_id: int) -> list[int]:
    """A 4-word NumPy seed for ``worker_id``, mixing both inputs (torch's ``_generate_state``).

    Seeding NumPy with ``base_seed + worker_id`` would give workers overlapping
    streams; this hash (from NumPy's SeedSequence) does not.
    """
    init_a, mult_a, init_b, mult_b = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
    mix_l, mix_r, xshift, mask = 0xCA01F9DD, 0x4973F715, 16, 0xFFFFFFFF
    entropy = [worker_id, base_seed & mask, base_seed >> 32, 0]
    hash_const_a = init_a

    def hash_(value: int) -> int:
        nonlocal hash_const_a
        value = (value ^ hash_const_a) & mask
        hash_const_a = (hash_const_a * mult_a) & mask
        value = (value * hash_const_a) & mask
        return (value ^ (value >> xshift)) & mask

    def mix(x: int, y: int) -> int:
        result = (((mix_l * x) & mask) - ((mix_r * y) & mask)) & mask
        return (result ^ (result >> xshift)) & mask

    pool = [hash_(e) for e in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))
    hash_const_b = init_b
    state = []
    for value in pool:
        value = (value ^ hash_const_b) & mask
        hash_const_b = (hash_const_b * mult_b) & mask
        value = (value * hash_const_b) & mask
        state.append((value ^ (value >> xshift)) & mask)
    return state


def _pickled(data: Any, where: str) -> bytes:
    """``data`` pickled here, so a batch that cannot be pickled is reported, not lost.

    ``Queue.put`` pickles in a background thread that only prints its errors: the
    main process would wait for that batch forever.
    """
    try:
        return bytes(ForkingPickler.dumps(data))
    except Exception:
        return bytes(ForkingPickler.dumps(ExceptionWrapper(where=where)))


def worker_loop(
    dataset_kind: int,
    dataset: Any,
    index_conn: Any,
    data_queue: Any,
    done_event: Any,
    auto_collation: bool,
    collate_fn: Any,
    drop_last: bool,
    base_seed: int,
    init_fn: Any,
    worker_id: int,
    num_workers: int,
) -> None:
    """The body of a worker process (the target of ``multiprocessing.Process``)."""
    global _worker_info
    try:
        seed = base_seed + worker_id
        random.seed(seed)
        ember.manual_seed(seed)
        np.random.seed(generate_state(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=where)  # reported with the first task
        iteration_end = False
        parent = os.getppid()
        while os.getppid() == parent:  # the parent died: nobody will read what we send
            try:
                if not index_conn.poll(MP_STATUS_CHECK_INTERVAL):
                    if done_event.is_set():  # shut down, whether or not our None arrives
                        break
                    continue
                r = index_conn.recv()
            except (EOFError, OSError):  # the main process closed our pipe, or died
                break
            if isinstance(r, ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                fetcher = create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:  # shutdown, or this worker's iterable is exhausted
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            data: Any
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    assert fetcher is not None
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == DatasetKind.Iterable:
                        data = IterableDatasetStopIteration(worker_id)
                        iteration_end = True  # ignore the tasks already queued to us
                    else:
                        data = ExceptionWrapper(where=where)
            data_queue.put((idx, _pickled(data, where)))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C and shuts the workers down
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
