"""The fused optimizer-update kernels (optional tier ``adam_update`` / ``sgd_update``).

The CPU backend's chunked, threaded override is checked against the reference (which
is composed of required-tier kernels) on the registered samples, across chunk
boundaries and odd sizes with the thread pool forced on, on non-contiguous arrays,
and through ``ember.optim`` (the same trajectory with and without the override).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
import ember.optim as optim
import ember_cpu._optim as cpu_optim
import ember_cpu._threads as cpu_threads
from ember.backends import OPTIONAL_KERNELS, get_backend
from ember_cpu._optim import OptimKernels

BK = get_backend("cpu")
ADAM_REF = OPTIONAL_KERNELS["adam_update"].reference
SGD_REF = OPTIONAL_KERNELS["sgd_update"].reference
TOL = {np.dtype(np.float32): 2e-6, np.dtype(np.float64): 1e-13}


def close(got: Any, want: Any) -> None:
    if want is None:
        assert got is None
        return
    assert got.dtype == want.dtype and got.shape == want.shape
    tol = TOL[want.dtype]
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def copies(arrays: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(None if a is None else a.copy() for a in arrays)


@pytest.fixture
def many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny chunks (4 float64 / 8 float32 elements) and two threads from the first element."""
    monkeypatch.setattr(cpu_optim, "_CHUNK_BYTES", 32)
    monkeypatch.setattr(cpu_optim, "_MIN_CHUNK_BYTES", 32)
    monkeypatch.setattr(cpu_optim, "_PARALLEL_MIN", 0)
    monkeypatch.setattr(cpu_optim, "_WORKERS", 2)
    monkeypatch.setattr(cpu_threads, "_WORKERS", 2)


@pytest.mark.parametrize("name", ["adam_update", "sgd_update"])
def test_override_matches_reference_on_samples(name: str) -> None:
    entry = OPTIONAL_KERNELS[name]
    runs = zip(entry.samples(BK, np.random.default_rng(3)), entry.samples(BK, np.random.default_rng(3)), strict=True)
    for n, ((args, kwargs), (args2, kwargs2)) in enumerate(runs):
        want = entry.reference(BK, *args, **kwargs)
        got = getattr(BK, name)(*args2, **kwargs2)
        # the kernel writes in place and returns the arrays it was given
        assert all(g is a for g, a in zip(got, (args2[0], *args2[2:]), strict=True)), n
        assert all(w is a for w, a in zip(want, (args[0], *args[2:]), strict=True)), n
        for g, w in zip(got, want, strict=True):
            close(g, w)


adam_options = st.fixed_dictionaries({
    "step": st.integers(1, 30).map(float),
    "lr": st.sampled_from([1e-3, 0.1, 0.0]),
    "beta1": st.sampled_from([0.9, 0.0, 0.7]),
    "beta2": st.sampled_from([0.999, 0.5]),
    "eps": st.sampled_from([1e-8, 1e-3]),
    "weight_decay": st.sampled_from([0.0, 0.1]),
    "amsgrad": st.booleans(),
    "maximize": st.booleans(),
    "decoupled": st.booleans(),
})
sizes = st.sampled_from([1, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 1027])
dtypes = st.sampled_from([np.float32, np.float64])


def adam_inputs(rng: np.random.Generator, shape: Any, dt: Any, amsgrad: bool) -> tuple[Any, ...]:
    p, g, m = (np.asarray(rng.standard_normal(shape), dt) for _ in range(3))
    v = np.asarray(np.abs(rng.standard_normal(shape)), dt)
    mx = np.asarray(np.abs(rng.standard_normal(shape)), dt) if amsgrad else None
    return p, g, m, v, mx


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(options=adam_options, n=sizes, dt=dtypes, seed=st.integers(0, 2**16))
def test_adam_chunk_boundaries_and_threads(many_chunks: None, options: dict[str, Any], n: int, dt: Any, seed: int) -> None:
    arrays = adam_inputs(np.random.default_rng(seed), (n,), dt, options["amsgrad"])
    want = ADAM_REF(BK, *copies(arrays), **options)
    got = BK.adam_update(*arrays, **options)
    for g, w in zip(got, want, strict=True):
        close(g, w)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    momentum=st.sampled_from([0.0, 0.9]), dampening=st.sampled_from([0.0, 0.3]), nesterov=st.booleans(),
    weight_decay=st.sampled_from([0.0, 0.01]), maximize=st.booleans(), first=st.booleans(),
    n=sizes, dt=dtypes, seed=st.integers(0, 2**16),
)
def test_sgd_chunk_boundaries_and_threads(
    many_chunks: None, momentum: float, dampening: float, nesterov: bool, weight_decay: float, maximize: bool,
    first: bool, n: int, dt: Any, seed: int,
) -> None:
    if nesterov and (momentum == 0 or dampening != 0):
        nesterov = False  # PyTorch's SGD rejects these combinations
    rng = np.random.default_rng(seed)
    p, g, buf = (rng.standard_normal(n).astype(dt) for _ in range(3))
    arrays = (p, g, buf if momentum != 0 else None)
    kw = dict(first=first, lr=0.1, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
              nesterov=nesterov, maximize=maximize)
    want = SGD_REF(BK, *copies(arrays), **kw)
    got = BK.sgd_update(*arrays, **kw)
    for a, b in zip(got, want, strict=True):
        close(a, b)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_large_parameter_default_chunking(dt: Any) -> None:
    # above the threading threshold with the real chunk sizes: an odd size (last chunk partial)
    options = dict(step=4.0, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01, amsgrad=True,
                   maximize=False, decoupled=True)
    arrays = adam_inputs(np.random.default_rng(1), (3 * cpu_optim._CHUNK_BYTES // 4 + 13,), dt, True)
    want = ADAM_REF(BK, *copies(arrays), **options)
    got = BK.adam_update(*arrays, **options)
    for g, w in zip(got, want, strict=True):
        close(g, w)


@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3)])
def test_zero_d_and_empty(shape: tuple[int, ...]) -> None:
    options = dict(step=1.0, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1, amsgrad=True,
                   maximize=True, decoupled=False)
    arrays = adam_inputs(np.random.default_rng(2), shape, np.float32, True)
    want = ADAM_REF(BK, *copies(arrays), **options)
    for g, w in zip(BK.adam_update(*arrays, **options), want, strict=True):
        close(g, w)


def test_non_contiguous_state_and_broadcast_grad(many_chunks: None) -> None:
    rng = np.random.default_rng(4)
    options = dict(step=2.0, lr=0.01, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.1, amsgrad=False,
                   maximize=False, decoupled=False)

    def inputs() -> tuple[Any, ...]:
        r = np.random.default_rng(5)
        p = r.standard_normal((6, 5))
        m = r.standard_normal((5, 6)).T  # transposed: not C-contiguous
        v = np.abs(r.standard_normal((12, 5)))[::2]  # stepped slice
        g = np.broadcast_to(r.standard_normal(5), (6, 5))  # stride-0 rows
        return p, g, m, v, None

    want = ADAM_REF(BK, *inputs(), **options)
    arrays = inputs()
    got = BK.adam_update(*arrays, **options)
    assert got[1] is arrays[2] and got[2] is arrays[3]
    for g, w in zip(got, want, strict=True):
        close(g, w)
    # a contiguous parameter with a broadcast gradient takes the chunked path
    p = rng.standard_normal((40, 3))
    g = np.broadcast_to(rng.standard_normal(3), (40, 3))
    kw = dict(first=False, lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=True, maximize=False)
    buf = rng.standard_normal((40, 3))
    want = SGD_REF(BK, p.copy(), g, buf.copy(), **kw)
    got = BK.sgd_update(p, g, buf, **kw)
    for a, b in zip(got, want, strict=True):
        close(a, b)


def test_overflow_is_silent_on_pool_threads(many_chunks: None) -> None:
    # g * g overflows float32 to inf on every thread: PyTorch gives inf/nan without a warning
    p = np.ones(100, np.float32)
    g = np.full(100, 1e30, np.float32)
    m, v = np.zeros(100, np.float32), np.zeros(100, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BK.adam_update(p, g, m, v, None, step=1.0, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0,
                       amsgrad=False, maximize=False, decoupled=False)
    assert np.isinf(v).all()


# -- through ember.optim: the override and the reference give the same trajectory -------------------
def trajectory(make: Any, dt: Any, steps: int = 12) -> list[np.ndarray]:
    rng = np.random.default_rng(8)
    params = [ember.tensor(rng.standard_normal(s), dtype=dt, requires_grad=True) for s in [(3, 4), (70,), ()]]
    opt = make(params)
    for _ in range(steps):
        for p in params:
            p.grad = ember.tensor(rng.standard_normal(tuple(p.shape)), dtype=dt)
        opt.step()
    return [p.detach().numpy().copy() for p in params]


OPTIMIZERS = [
    lambda ps: optim.Adam(ps, lr=0.05),
    lambda ps: optim.Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.1, maximize=True),
    lambda ps: optim.AdamW(ps, lr=0.05, amsgrad=True),
    lambda ps: optim.SGD(ps, lr=0.05),
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.2, weight_decay=0.01),
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, maximize=True),
]


@pytest.mark.parametrize("dt", [ember.float32, ember.float64])
@pytest.mark.parametrize("make", OPTIMIZERS)
def test_optimizer_same_with_reference_kernel(monkeypatch: pytest.MonkeyPatch, make: Any, dt: Any) -> None:
    fused = trajectory(make, dt)
    monkeypatch.delattr(OptimKernels, "adam_update")
    monkeypatch.delattr(OptimKernels, "sgd_update")
    assert not hasattr(BK, "adam_update")
    reference = trajectory(make, dt)
    tol = 1e-5 if dt == ember.float32 else 1e-12
    for a, b in zip(fused, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_optimizer_updates_parameters_in_place_and_bumps_versions() -> None:
    p = ember.zeros(5, requires_grad=True)
    p.grad = ember.ones(5)
    data = p._data
    opt = optim.Adam([p], lr=0.1)
    before = p._version[0] if p._version else 0
    opt.step()
    assert p._data is data and p._version is not None and p._version[0] > before
    np.testing.assert_allclose(p.detach().numpy(), -0.1 * np.ones(5), rtol=1e-5)
    state = opt.state[p]
    np.testing.assert_allclose(state["exp_avg"].numpy(), 0.1 * np.ones(5), rtol=1e-6)
    assert float(state["step"]) == 1.0
