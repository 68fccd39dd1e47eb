"""A small shared thread pool for kernels that split large arrays into blocks.

NumPy's ufunc loops release the GIL, so blocks of one large elementwise or pooling
kernel run concurrently on several cores (PyTorch parallelises the same kernels with
OpenMP). The pool has ``OMP_NUM_THREADS`` threads if that is set (as PyTorch and
OpenBLAS read it), else one per usable core; with one, everything runs inline.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from typing import Any

from ember_cpu._quiet import enter_quiet, leave_quiet

__all__ = ["_workers", "_WORKERS", "_PARALLEL_MIN", "_in_parallel", "_shared_out"]

_executor: Any = None


def _workers() -> int:
    """Pool threads: ``OMP_NUM_THREADS`` if set, else the usable cores."""
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    except (KeyError, ValueError):
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


_WORKERS = _workers()
#: Below this many elements of work one thread is faster than handing blocks out.
_PARALLEL_MIN = 1 << 18


def _quietly(block: Callable[[int, int], None], lo: int, hi: int) -> None:
    """``block(lo, hi)`` on a pool thread, with NumPy's floating-point errors ignored there too.

    NumPy's error state is a context variable, which a pool thread does not inherit from
    the caller, so without this an overflow in a block would warn where PyTorch is silent.
    """
    token = enter_quiet()
    try:
        block(lo, hi)
    finally:
        leave_quiet(token)


def _pool() -> Any:
    global _executor
    if _executor is None:
        from concurrent.futures import ThreadPoolExecutor

        _executor = ThreadPoolExecutor(_WORKERS - 1, thread_name_prefix="ember-cpu")
    return _executor


def _in_parallel(block: Callable[[int, int], None], rows: int, work: int, min_work: int = _PARALLEL_MIN) -> None:
    """``block(lo, hi)`` over ``range(rows)`` in contiguous chunks, one per thread when ``work >= min_work``.

    The calling thread runs the last chunk itself while the pool runs the others.
    """
    if _WORKERS < 2 or rows < 2 or work < min_work:
        block(0, rows)
        return
    executor = _pool()
    chunks = min(_WORKERS, rows)
    bounds = [rows * i // chunks for i in range(chunks + 1)]
    pairs = list(itertools.pairwise(bounds))
    futures = [executor.submit(_quietly, block, lo, hi) for lo, hi in pairs[:-1]]
    try:
        block(*pairs[-1])
    finally:
        for future in futures:
            future.result()


def _shared_out(block: Callable[[int, int], None], rows: int, work: int, min_work: int = _PARALLEL_MIN) -> None:
    """``block(i, i + 1)`` for every ``i`` in ``range(rows)``, rows handed out one at a time to the threads.

    The calling thread starts at once and pool threads join as they wake, each taking the
    next row until none is left; a pool thread that has not started by then is cancelled.
    So a slow wake-up (tens of microseconds on a busy machine) costs nothing but its share
    of the rows, where a fixed split would wait for it.
    """
    if _WORKERS < 2 or rows < 2 or work < min_work:
        block(0, rows)
        return
    rows_left = itertools.count()  # next() on a count is atomic under the GIL

    def take(lo: int, hi: int) -> None:
        for i in rows_left:
            if i >= rows:
                return
            block(i, i + 1)

    executor = _pool()
    futures = [executor.submit(_quietly, take, 0, rows) for _ in range(min(_WORKERS, rows) - 1)]
    try:
        take(0, rows)
    finally:
        for future in futures:
            if not future.cancel():
                future.result()
