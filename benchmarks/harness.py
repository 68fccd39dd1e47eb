"""The benchmark harness: workloads, interleaved timing, statistics and correctness checks.

A :class:`Workload` is a name plus one *setup* per implementation ("ember",
"numpy", "torch"). A setup builds its inputs and returns a zero-argument
*thunk*, the call that is timed. :func:`run_workload` then

1. calls every thunk once and checks the outputs agree (``assert_allclose``
   against NumPy), so wrong code is never timed;
2. warms each thunk up and picks its inner loop count so one sample lasts at
   least ``Plan.sample_ns`` (1 ms) and holds at least ``Workload.min_calls`` calls;
3. takes samples round-robin over the implementations, rotating who goes
   first each round, so drift in machine load hits all of them alike;
4. reports the median, quartiles and minimum per implementation, and the
   median of the per-round ratios (paired samples, robust to load drift).

Times are per call and include the harness's own call overhead (a
``functools.partial`` call, see :func:`call_overhead_ns`); nothing is
subtracted.

The module imports NumPy, so a program that wants to choose OpenBLAS's thread
count must call :func:`machine.configure_threads` before importing it.
"""

from __future__ import annotations

import functools
import gc
import itertools
import math
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from machine import CpuMeter, blas_threads

__all__ = [
    "IMPLEMENTATIONS", "Thunk", "Setup", "Target", "Workload", "Plan", "QUICK", "FULL", "Stats",
    "Result", "MismatchError", "check_agreement", "op_workload", "convert", "optional_torch", "available_impls",
    "run_workload", "call_overhead_ns", "STEP_CALLS", "STEP_WARM_CALLS",
]

#: Implementation names, in the order tables show them.
IMPLEMENTATIONS = ("ember", "numpy", "torch")

Thunk = Callable[[], Any]
Setup = Callable[[], Thunk]


@dataclass(frozen=True)
class Target:
    """A goal on a ratio of medians: ``numerator / denominator <= max_ratio``."""

    numerator: str
    denominator: str
    max_ratio: float

    @property
    def key(self) -> str:
        """The ratio's name, e.g. ``"ember/torch"``."""
        return f"{self.numerator}/{self.denominator}"

    def describe(self) -> str:
        return f"{self.key} <= {self.max_ratio:g}"


@dataclass(frozen=True)
class Workload:
    """One benchmark: a name and a setup per implementation.

    Args:
        name: ``group.item`` (``"tiny.add"``); ``run.py --only`` matches it.
        setups: implementation name -> setup returning the thunk to time.
        flops: floating-point operations per call, to report GFLOP/s.
        target: the goal this workload checks, if any.
        rtol, atol: tolerances of the agreement check.
        quick: whether ``--quick`` runs include it.
        settle_s: seconds to sleep before each sample. Multi-threaded BLAS and
            OpenMP pools keep their threads spinning for a while after a call
            (OpenBLAS for ~0.1 s); without a pause, the pool of the
            implementation timed before steals cores from the next one. Skipped
            when the pools have one thread (nothing spins, and every sample would
            start from an idle, cache-cold core).
        min_calls: calls per sample at the least, back to back. Training steps use
            several: a training loop runs its step again and again, and a lone call
            timed right after another library's step measures caches that library
            just evicted (Ember's MLP step: 1.02x NumPy in blocks of 5, 1.24x when
            each call follows a PyTorch one), as ``torch.utils.benchmark``'s
            ``blocked_autorange`` and ``timeit`` also time blocks.
        warm_calls: untimed calls right before each sample. A sample of a training
            step then times the loop's steady state rather than its first steps
            after another library ran: at 2 threads the first one or two calls after a
            PyTorch step run 1.3-1.8x slower for every library (its OpenMP pool and
            caches), which no training loop sees.
        description: one line for tables and ``--list``.
    """

    name: str
    setups: Mapping[str, Setup]
    flops: float | None = None
    target: Target | None = None
    rtol: float = 1e-6
    atol: float = 0.0
    quick: bool = True
    settle_s: float = 0.0
    min_calls: int = 1
    warm_calls: int = 0
    description: str = ""


#: ``Workload.min_calls`` of training-step workloads: timed as a loop runs them, back to back.
STEP_CALLS = 8
#: ``Workload.warm_calls`` of training-step workloads.
STEP_WARM_CALLS = 2


# -- building workloads from one expression -------------------------------------------------

@functools.cache
def optional_torch() -> Any:
    """The ``torch`` module, or None when it cannot be imported."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def available_impls() -> tuple[str, ...]:
    """The implementations this process can run (torch only when importable)."""
    return tuple(name for name in IMPLEMENTATIONS if name != "torch" or optional_torch() is not None)


def convert(impl: str, array: np.ndarray) -> Any:
    """A private copy of ``array`` as the native type of ``impl`` (same dtype and values)."""
    data = np.array(array, copy=True)
    if impl == "numpy":
        return data
    if impl == "ember":
        import ember

        return ember.from_numpy(data)
    if impl == "torch":
        return optional_torch().from_numpy(data)
    raise ValueError(f"convert(): unknown implementation {impl!r}; expected one of {IMPLEMENTATIONS}")


def op_workload(
    name: str,
    op: Callable[..., Any],
    inputs: Callable[[], Sequence[np.ndarray]],
    *,
    spellings: Mapping[str, Callable[..., Any]] | None = None,
    impls: Sequence[str] = IMPLEMENTATIONS,
    **options: Any,
) -> Workload:
    """A workload that applies one expression to the same inputs in every implementation.

    Args:
        op: the timed expression, e.g. ``lambda a, b: a + b``.
        inputs: returns the NumPy inputs; each implementation gets its own copy.
        spellings: per-implementation replacements of ``op`` where the APIs differ
            (``{"numpy": lambda a: a.T}`` beside ``lambda a: a.t()``).
        options: passed on to :class:`Workload`.

    Example::

        op_workload("tiny.add", lambda a, b: a + b, lambda: [np.ones((4, 4))] * 2)
    """
    spellings = dict(spellings or {})

    def setup_for(impl: str) -> Setup:
        fn = spellings.get(impl, op)

        def setup() -> Thunk:
            return functools.partial(fn, *(convert(impl, x) for x in inputs()))

        return setup

    return Workload(name, {impl: setup_for(impl) for impl in impls}, **options)


# -- statistics ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Stats:
    """Summary of samples: for times, nanoseconds per call; for ratios, plain numbers.

    ``ci_low``/``ci_high`` bound the median with about 95% confidence, without
    assuming a distribution (order statistics of the binomial(n, 1/2) ranks).
    """

    median: float
    q1: float
    q3: float
    min: float
    ci_low: float
    ci_high: float
    samples: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        ordered = sorted(values)
        n = len(ordered)
        if n < 2:
            v = ordered[0]
            return cls(v, v, v, v, v, v, n)
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        # 1-based ranks n/2 - 1.96 sqrt(n)/2 and 1 + n/2 + 1.96 sqrt(n)/2 (normal
        # approximation to the binomial), rounded outwards and clipped to the samples.
        half = 0.98 * math.sqrt(n)
        lo = max(0, math.floor(n / 2 - half) - 1)
        hi = min(n - 1, math.ceil(n / 2 + half))
        return cls(statistics.median(ordered), q1, q3, ordered[0], ordered[lo], ordered[hi], n)

    @property
    def spread(self) -> float:
        """Half the interquartile range relative to the median (0.02 means about +-2%)."""
        return (self.q3 - self.q1) / 2 / self.median if self.median else 0.0


@dataclass(frozen=True)
class Result:
    """What :func:`run_workload` measured for one workload."""

    workload: Workload
    times: dict[str, Stats]            # implementation -> ns per call
    loops: dict[str, int]              # implementation -> calls per sample
    ratios: dict[str, Stats]           # "ember/torch" -> per-round ratios of ember to torch
    other_cpu: float | None            # share of the machine other processes used meanwhile
    error: str | None = None           # set when the agreement check failed (nothing timed)
    samples: dict[str, list[float]] = field(default_factory=dict)  # ns per call, in round order

    def gflops(self, impl: str) -> float | None:
        if self.workload.flops is None or impl not in self.times:
            return None
        return self.workload.flops / self.times[impl].median  # flop per ns == GFLOP/s

    def target_met(self) -> bool | None:
        """Whether the workload's target holds on the median paired ratio (None: no target)."""
        target = self.workload.target
        if target is None or target.key not in self.ratios:
            return None
        return self.ratios[target.key].median <= target.max_ratio

    def target_verdict(self) -> str | None:
        """``"met"``, ``"missed"``, or ``"unclear"`` when the limit lies inside the ratio's CI.

        On a busy machine the confidence interval of a ratio's median can straddle
        the limit; then the median alone would flip between runs, so the verdict
        says so instead.
        """
        met = self.target_met()
        if met is None or self.workload.target is None:
            return None
        ratio = self.ratios[self.workload.target.key]
        if ratio.ci_low < self.workload.target.max_ratio < ratio.ci_high:
            return "unclear"
        return "met" if met else "missed"


# -- timing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """How long to measure: sample length and the number of interleaved rounds."""

    sample_ns: int = 1_000_000          # each sample runs the thunk for at least this long
    budget_ns: int = 3_000_000_000      # rounds are added until they fill this budget...
    min_rounds: int = 21                # ...but never fewer...
    max_rounds: int = 300               # ...or more than these
    warmup_rounds: int = 3              # interleaved rounds taken and thrown away first


FULL = Plan()
QUICK = Plan(budget_ns=250_000_000, min_rounds=11, max_rounds=40, warmup_rounds=1)


class MismatchError(AssertionError):
    """Implementations of a workload disagree (or one raised); the workload is not timed."""


def _time_loop(thunk: Thunk, loops: int) -> int:
    """Nanoseconds for ``loops`` calls of ``thunk``, with the garbage collector paused (as timeit)."""
    it = itertools.repeat(None, loops)
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for _ in it:
            thunk()
        return time.perf_counter_ns() - start
    finally:
        if enabled:
            gc.enable()


def _calibrate(thunk: Thunk, sample_ns: int, min_calls: int = 1) -> tuple[int, int]:
    """The loop count (at least ``min_calls``) that makes one sample last at least ``sample_ns``,
    and that sample's time."""
    loops = min_calls
    while True:
        elapsed = _time_loop(thunk, loops)
        if elapsed >= sample_ns:
            return loops, elapsed
        # Jump close to the goal, but at most 10x per step in case the first calls were odd.
        grow = sample_ns * 1.2 / max(elapsed, 1)
        loops = max(loops + 1, int(loops * min(grow, 10.0)))


def check_agreement(workload: Workload, thunks: Mapping[str, Thunk]) -> None:
    """Raise :class:`MismatchError` unless every output matches the reference (NumPy's).

    Outputs are compared with ``strict=True``: shapes and dtypes must match too.
    """
    outputs: dict[str, np.ndarray] = {}
    for impl, thunk in thunks.items():
        try:
            outputs[impl] = _as_numpy(thunk())
        except Exception as exc:
            raise MismatchError(f"{workload.name}: {impl} raised {type(exc).__name__}: {exc}") from exc
    ref = "numpy" if "numpy" in outputs else next(iter(outputs))
    for impl, out in outputs.items():
        if impl == ref:
            continue
        try:
            np.testing.assert_allclose(
                out, outputs[ref], rtol=workload.rtol, atol=workload.atol, strict=True,
                err_msg=f"{workload.name}: {impl} disagrees with {ref}",
            )
        except AssertionError as exc:
            raise MismatchError(str(exc).strip()) from None


def _as_numpy(value: Any) -> np.ndarray:
    """An output as an ndarray; tensors that require grad are detached first (torch refuses)."""
    detach = getattr(value, "detach", None)
    return np.asarray(detach() if callable(detach) else value)


def run_workload(workload: Workload, plan: Plan, impls: Sequence[str] | None = None) -> Result:
    """Check, warm up and time ``workload``'s implementations, interleaved.

    Args:
        impls: which implementations to run (default: every one it defines that
            this process can run).
    """
    wanted = available_impls() if impls is None else tuple(impls)
    names = [impl for impl in IMPLEMENTATIONS if impl in workload.setups and impl in wanted]
    if not names:
        return Result(workload, {}, {}, {}, None, error=f"{workload.name}: no implementation to run")
    thunks: dict[str, Thunk] = {}
    try:
        for impl in names:
            try:
                thunks[impl] = workload.setups[impl]()
            except Exception as exc:
                message = f"{workload.name}: {impl} setup raised {type(exc).__name__}: {exc}"
                raise MismatchError(message) from exc
        check_agreement(workload, thunks)
    except MismatchError as exc:
        return Result(workload, {}, {}, {}, None, error=str(exc))

    gc.collect()
    loops: dict[str, int] = {}
    estimate = 0
    settle_s = workload.settle_s if blas_threads() > 1 else 0.0
    for impl in names:
        loops[impl], elapsed = _calibrate(thunks[impl], plan.sample_ns, workload.min_calls)
        # A sample's cost: its calls, the untimed warm-up calls before it, and the pause.
        estimate += elapsed * (loops[impl] + workload.warm_calls) // loops[impl] + int(settle_s * 1e9)
    rounds = min(plan.max_rounds, max(plan.min_rounds, plan.budget_ns // max(estimate, 1)))

    samples: dict[str, list[float]] = {impl: [] for impl in names}
    with CpuMeter() as meter:
        for r in range(plan.warmup_rounds + rounds):
            shift = r % len(names)
            for impl in names[shift:] + names[:shift]:
                if settle_s:
                    time.sleep(settle_s)
                if workload.warm_calls:
                    _time_loop(thunks[impl], workload.warm_calls)
                per_call = _time_loop(thunks[impl], loops[impl]) / loops[impl]
                if r >= plan.warmup_rounds:
                    samples[impl].append(per_call)

    times = {impl: Stats.of(values) for impl, values in samples.items()}
    first = names[0]
    ratios = {
        f"{first}/{other}": Stats.of([a / b for a, b in zip(samples[first], samples[other], strict=True)])
        for other in names[1:]
    }
    return Result(workload, times, loops, ratios, meter.other_share, samples=samples)


def call_overhead_ns(plan: Plan = QUICK) -> float:
    """Median time of the harness timing a no-op shaped like a tiny-op thunk (partial of 2 args)."""
    thunk = functools.partial(_noop, None, None)
    loops, _ = _calibrate(thunk, plan.sample_ns)
    return statistics.median(_time_loop(thunk, loops) / loops for _ in range(15))


def _noop(a: Any, b: Any) -> None:
    return None
