"""On a real GPU (marked ``cuda``; skipped elsewhere with the reason): the conformance kit,
ember.cuda's API, transfers and pinned memory, the fused kernels, and training on cuda tensors."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import ember
from ember.backends import OPTIONAL_KERNELS
from ember.testing.conformance import conformance_cases

pytestmark = pytest.mark.cuda

# float16 on the GPU accumulates in float32 but rounds its results to 11 bits; transcendental
# functions differ from NumPy's in the last ulps.
TOLERANCES = {
    ember.float16: (2e-3, 1e-3), ember.float32: (2e-6, 1e-5),
    "matmul": {ember.float32: (1e-4, 1e-4), ember.float16: (1e-2, 1e-2)},
}


def _cases() -> list:
    if not ember.cuda.is_available():
        return [pytest.param(None, id="conformance")]
    return [pytest.param(c, id=c.id) for c in conformance_cases("cuda", backend="cupy", tolerances=TOLERANCES)]


@pytest.mark.parametrize("case", _cases())
def test_conformance(case) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        case.run()


def test_device_api() -> None:
    assert ember.cuda.is_available() and ember.cuda.device_count() >= 1
    assert ember.cuda.current_device() == 0
    assert isinstance(ember.cuda.get_device_name(), str) and ember.cuda.get_device_name()
    assert len(ember.cuda.get_device_capability()) == 2
    with ember.cuda.device(0):
        assert ember.cuda.current_device() == 0
    ember.cuda.set_device("cuda:0")
    ember.cuda.synchronize()


def test_memory_statistics_follow_allocations() -> None:
    ember.cuda.empty_cache()
    ember.cuda.reset_peak_memory_stats()
    before = ember.cuda.memory_allocated()
    x = ember.empty(1 << 20, device="cuda")  # 4 MiB
    assert ember.cuda.memory_allocated() >= before + (4 << 20)
    assert ember.cuda.memory_reserved() >= ember.cuda.memory_allocated()
    del x
    assert ember.cuda.memory_allocated() == before
    assert ember.cuda.max_memory_allocated() >= before + (4 << 20)
    ember.cuda.empty_cache()


def test_streams_and_event_timing() -> None:
    s = ember.cuda.Stream()
    start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)
    x = ember.randn(512, 512, device="cuda")
    with ember.cuda.stream(s):
        start.record(s)
        y = x @ x
        end.record(s)
    s.synchronize()
    assert s.query() and end.query()
    assert start.elapsed_time(end) >= 0.0
    np.testing.assert_allclose(y.cpu().numpy(), x.cpu().numpy() @ x.cpu().numpy(), rtol=1e-3, atol=1e-3)
    other = ember.cuda.Stream()
    other.wait_stream(s)
    ev = s.record_event()
    ev.synchronize()
    with pytest.raises(RuntimeError, match="enable_timing"):
        ember.cuda.Event().elapsed_time(end)
    assert ember.cuda.current_stream() == ember.cuda.default_stream()


def test_transfers_pinned_memory_and_non_blocking() -> None:
    t = ember.arange(12.0).reshape(3, 4)
    assert not t.is_pinned()
    p = t.pin_memory()
    assert p.is_pinned() and p.device == ember.device("cpu") and p.tolist() == t.tolist()
    g = p.to("cuda", non_blocking=True)
    back = g.to("cpu", non_blocking=True)
    ember.cuda.synchronize()
    assert back.tolist() == t.tolist() and back.is_pinned()
    assert g.device == ember.device("cuda", 0) and g.is_cuda
    assert t.cuda().cpu().tolist() == t.tolist()
    out = ember.empty(3, 4, device="cuda")
    out.copy_(p, non_blocking=True)
    ember.cuda.synchronize()
    assert out.tolist() == t.tolist()
    with pytest.raises(RuntimeError, match=r"cuda:0 and cpu|cpu and cuda:0"):
        g + t
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        g.numpy()


@pytest.mark.skipif(ember.cuda.device_count() < 2, reason="needs two GPUs")
def test_second_gpu() -> None:
    t = ember.arange(5.0, device="cuda")
    u = t.to("cuda:1")
    assert u.device == ember.device("cuda", 1)
    assert (u * 2).cpu().tolist() == (t * 2).cpu().tolist()
    with pytest.raises(RuntimeError, match=r"cuda:0 and cuda:1|cuda:1 and cuda:0"):
        t + u


def test_views_share_gpu_memory() -> None:
    t = ember.zeros(4, 6, device="cuda")
    v = t[:, ::2].t()
    v.fill_(3.0)
    assert t.sum().item() == 36.0
    assert v.data_ptr() == t.data_ptr() and v.stride() == (2, 6) and not v.is_contiguous()


@pytest.mark.parametrize("name", ["adam_update", "sgd_update"])
def test_fused_optimizer_kernels_match_the_reference(name) -> None:
    bk = ember.backends.get_backend("cuda")
    entry = OPTIONAL_KERNELS[name]
    for (args, kwargs), (args2, kwargs2) in zip(entry.samples(bk, np.random.default_rng(1)),
                                                  entry.samples(bk, np.random.default_rng(1)), strict=True):
        assert bk._fusable(args[0], args[1])
        got = getattr(bk, name)(*args, **kwargs)
        want = entry.reference(bk, *args2, **kwargs2)
        for g, w in zip(got, want, strict=True):
            if g is not None:
                np.testing.assert_allclose(g.get(), w.get(), rtol=1e-5, atol=1e-7)


def test_float16_on_the_gpu_and_no_bfloat16() -> None:
    a = ember.randn(64, 64, device="cuda").half()
    assert (a @ a).dtype == ember.float16
    assert ember.bfloat16 not in ember.backends.get_backend("cuda").dtypes


@pytest.mark.skipif(importlib.util.find_spec("ember.nn") is None or importlib.util.find_spec("ember.optim") is None,
                    reason="needs ember-nn and ember-optim")
def test_module_cuda_trains_a_small_convnet() -> None:
    import ember.nn as nn
    import ember.optim as optim

    ember.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(4 * 4 * 4, 3)).cuda()
    assert all(p.device.type == "cuda" for p in net.parameters())
    opt = optim.Adam(net.parameters(), lr=1e-2)
    x, y = ember.randn(16, 1, 8, 8, device="cuda"), ember.randint(0, 3, (16,), device="cuda")
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] * 0.7
