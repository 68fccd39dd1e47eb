"""DataLoader with worker processes: same batches as in-process, seeding, sharding, errors, shutdown.

Kept few and small: every test starts real processes (2 workers at most).
"""

from __future__ import annotations

import gc
import os
import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _data_helpers import (
    CountsLoads,
    FailsAt,
    FirstDraws,
    ShardedRange,
    Slow,
    Squares,
    UnshardedRange,
    WorkerSeen,
    record_init,
)

import ember
from ember.utils.data import DataLoader, TensorDataset, get_worker_info

HERE = Path(__file__).resolve().parent


def flat(loader: DataLoader[Any]) -> list[Any]:
    return [(b[0].tolist(), b[1].tolist()) for b in loader]


def base_seed_of(seed: int) -> int:
    """The base seed a loader with ``generator=Generator().manual_seed(seed)`` gives its workers."""
    g = ember.Generator().manual_seed(seed)
    return int(ember.empty((), dtype=ember.int64).random_(generator=g).item())


def test_workers_give_the_same_batches_in_the_same_order_as_the_main_process() -> None:
    def run(workers: int) -> list[Any]:
        g = ember.Generator().manual_seed(0)
        return flat(DataLoader(Squares(11), batch_size=3, shuffle=True, generator=g, num_workers=workers))

    in_process = run(0)
    assert sorted(i for ids, _ in in_process for i in ids) == list(range(11))
    assert run(2) == in_process
    assert get_worker_info() is None  # the main process is no worker


def test_tensor_batches_cross_the_process_boundary() -> None:
    x = ember.randn(9, 3)
    y = ember.arange(9)
    got = list(DataLoader(TensorDataset(x, y), batch_size=4, num_workers=2))
    assert [b[1].tolist() for b in got] == [[0, 1, 2, 3], [4, 5, 6, 7], [8]]
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in got]), x.numpy())
    assert got[0][0].dtype == ember.float32 and got[0][1].dtype == ember.int64


def test_worker_init_fn_worker_info_and_seeds() -> None:
    g = ember.Generator().manual_seed(3)
    loader = DataLoader(WorkerSeen(), batch_size=None, num_workers=2, worker_init_fn=record_init, generator=g)
    samples = list(loader)
    base = base_seed_of(3)
    # Round robin: samples 0 and 2 go to worker 0, 1 and 3 to worker 1.
    assert [s["index"] for s in samples] == [0, 1, 2, 3]
    assert [s["worker"] for s in samples] == [0, 1, 0, 1]
    assert [s["initialized"] for s in samples] == ["init-0", "init-1", "init-0", "init-1"]
    assert [s["seed"] for s in samples] == [base, base + 1, base, base + 1]
    assert len({s["pid"] for s in samples}) == 2 and os.getpid() not in {s["pid"] for s in samples}


def test_each_worker_seeds_ember_random_and_numpy_from_base_seed_plus_id() -> None:
    def run() -> list[Any]:
        g = ember.Generator().manual_seed(11)
        return list(DataLoader(FirstDraws(), batch_size=None, num_workers=2, generator=g))

    first, second = run(), run()
    base = base_seed_of(11)
    for worker_id, (draw, py_draw, _) in enumerate(first):
        ember.manual_seed(base + worker_id)
        np.testing.assert_array_equal(draw.numpy(), ember.rand(2).numpy())
        random.seed(base + worker_id)
        assert py_draw == random.random()
    assert first[0][2] != first[1][2]  # NumPy streams differ between workers
    assert [(d.tolist(), p, n) for d, p, n in first] == [(d.tolist(), p, n) for d, p, n in second]


def test_iterable_dataset_sharded_with_get_worker_info() -> None:
    loader = DataLoader(ShardedRange(0, 10), batch_size=2, num_workers=2)
    batches = [b.tolist() for b in loader]
    # Worker 0 holds 0..4, worker 1 holds 5..9; batches alternate between them.
    assert batches == [[0, 1], [5, 6], [2, 3], [7, 8], [4], [9]]


def test_iterable_dataset_without_sharding_is_read_by_every_worker() -> None:
    items = list(DataLoader(UnshardedRange(3), batch_size=None, num_workers=2))
    assert sorted(items) == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize("error", [ValueError, KeyError])
def test_worker_exception_is_reraised_with_worker_id_and_traceback(error: type[Exception]) -> None:
    it = iter(DataLoader(FailsAt(6, bad=2, error=error), batch_size=1, num_workers=2))
    assert [next(it).item(), next(it).item()] == [0, 1]  # what came before is delivered first
    with pytest.raises(error) as info:
        next(it)
    message = str(info.value)
    assert f"Caught {error.__name__} in DataLoader worker process 0." in message
    assert "Original Traceback (most recent call last):" in message
    assert "_data_helpers.py" in message and "sample 2 is broken" in message
    assert next(it).item() == 3  # the loader goes on, as torch's does


def test_timeout_raises_instead_of_waiting() -> None:
    loader = DataLoader(Slow(2, delay=5.0), batch_size=None, num_workers=1, timeout=0.5)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.5 seconds"):
        next(iter(loader))
    assert time.monotonic() - start < 4.0


def test_a_dying_worker_is_reported_not_waited_for() -> None:
    # In a child interpreter with a hard time limit: a hang fails the test instead of freezing it.
    script = textwrap.dedent(
        """
        from _data_helpers import DiesAt
        from ember.utils.data import DataLoader
        seen = []
        try:
            for batch in DataLoader(DiesAt(8, bad=3), batch_size=None, num_workers=2):
                seen.append(int(batch))
        except RuntimeError as e:
            print("RAISED", e)
        print("SEEN", seen)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "RAISED DataLoader worker (pid(s) " in done.stdout
    assert "exited unexpectedly with exit code(s) 7" in done.stdout
    seen = eval(done.stdout.split("SEEN", 1)[1])
    assert seen == list(range(len(seen))) and len(seen) <= 3


def test_persistent_workers_are_reused_across_epochs() -> None:
    loader = DataLoader(CountsLoads(), batch_size=None, num_workers=2, persistent_workers=True)
    first_iter = iter(loader)
    first = list(first_iter)
    second_iter = iter(loader)
    second = list(second_iter)
    assert second_iter is first_iter
    assert len(set(first)) == 2 and set(first) == set(second)
    # An epoch abandoned half-way leaves stale batches behind: the next epoch must not see them.
    it = iter(loader)
    next(it)
    assert len(list(iter(loader))) == 4

    fresh = DataLoader(CountsLoads(), batch_size=None, num_workers=2)
    assert set(fresh).isdisjoint(set(fresh))  # new processes every epoch


def test_persistent_workers_keep_the_data_right_across_epochs() -> None:
    g = ember.Generator().manual_seed(2)
    loader = DataLoader(Squares(7), batch_size=2, shuffle=True, generator=g, num_workers=2, persistent_workers=True)
    for _ in range(2):
        ids = [i for b in loader for i in b[0].tolist()]
        assert sorted(ids) == list(range(7))


def test_out_of_order_delivery_still_delivers_everything() -> None:
    loader = DataLoader(Squares(9), batch_size=2, num_workers=2, in_order=False)
    assert sorted(i for b in loader for i in b[0].tolist()) == list(range(9))


def test_spawn_context() -> None:
    loader = DataLoader(Squares(5), batch_size=2, num_workers=1, multiprocessing_context="spawn")
    assert flat(loader) == flat(DataLoader(Squares(5), batch_size=2))


def test_workers_stop_when_the_iterator_is_collected() -> None:
    it = iter(DataLoader(Squares(40), batch_size=1, num_workers=2))
    next(it)
    workers = list(it._workers)  # type: ignore[attr-defined]
    assert all(w.is_alive() for w in workers)
    del it
    gc.collect()
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)


def test_keyboard_interrupt_shuts_the_workers_down() -> None:
    it = iter(DataLoader(Slow(4, delay=0.2), batch_size=None, num_workers=2))
    workers = list(it._workers)  # type: ignore[attr-defined]

    def interrupted(timeout: float) -> Any:
        raise KeyboardInterrupt

    it._try_get_data = interrupted  # type: ignore[attr-defined]  # as if Ctrl-C hit the wait
    with pytest.raises(KeyboardInterrupt):
        next(it)
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)


def test_a_batch_that_cannot_be_pickled_is_an_error_not_a_hang() -> None:
    loader = DataLoader(Squares(2), batch_size=None, num_workers=1, collate_fn=lambda item: (lambda: item))
    with pytest.raises(Exception, match="in DataLoader worker process 0") as info:
        next(iter(loader))
    assert "pickle" in str(info.value).lower()
