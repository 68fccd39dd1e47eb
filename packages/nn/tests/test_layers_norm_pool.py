"""Pooling and normalization layers: values against NumPy references (weights and buffers loaded through
``load_state_dict``), running-statistics rules, gradcheck, and ``repr`` strings captured from torch 2.13."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

import ember
import ember.nn as nn
from ember.autograd import gradcheck


def _np(t: ember.Tensor) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _t(a: np.ndarray) -> ember.Tensor:
    return ember.from_numpy(np.ascontiguousarray(a))


# -- pooling --------------------------------------------------------------------------------------------------

def _windows(x: np.ndarray, k: tuple[int, ...], s: tuple[int, ...], p: tuple[int, ...], dl: tuple[int, ...],
             fill: float) -> np.ndarray:
    d = len(k)
    x = np.pad(x, [(0, 0), (0, 0), *[(q, q) for q in p]], constant_values=fill)
    eff = [a * (b - 1) + 1 for a, b in zip(dl, k, strict=True)]
    win = sliding_window_view(x, eff, axis=tuple(range(2, 2 + d)))
    win = win[(..., *[slice(None, None, a) for a in dl])]
    return win[(slice(None), slice(None), *[slice(None, None, a) for a in s])]


POOLS = {1: (nn.MaxPool1d, nn.AvgPool1d), 2: (nn.MaxPool2d, nn.AvgPool2d), 3: (nn.MaxPool3d, nn.AvgPool3d)}


@settings(max_examples=25, deadline=None)
@given(d=st.sampled_from([1, 2, 3]), k=st.integers(1, 3), s=st.sampled_from([None, 1, 2]), p=st.integers(0, 1),
       dl=st.integers(1, 2))
def test_max_pool(d: int, k: int, s: int | None, p: int, dl: int) -> None:
    p = min(p, k // 2)
    rng = np.random.default_rng(d * 10 + k)
    x = rng.standard_normal((2, 3, *([6] * d)))
    m = POOLS[d][0](k, s, p, dl)
    stride = k if s is None else s
    axes = tuple(range(-d, 0))
    ref = _windows(x, (k,) * d, (stride,) * d, (p,) * d, (dl,) * d, -np.inf).max(axis=axes)
    np.testing.assert_array_equal(_np(m(_t(x))), ref)


def test_max_pool_return_indices_and_ceil_mode() -> None:
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    out, idx = nn.MaxPool2d(2, return_indices=True, ceil_mode=True)(_t(x))
    np.testing.assert_array_equal(_np(out)[0, 0], [[6, 8, 9], [16, 18, 19], [21, 23, 24]])
    np.testing.assert_array_equal(_np(idx)[0, 0], [[6, 8, 9], [16, 18, 19], [21, 23, 24]])
    assert idx.dtype == ember.int64
    out, idx = nn.AdaptiveMaxPool2d(2, return_indices=True)(_t(x))
    np.testing.assert_array_equal(_np(out)[0, 0], [[12, 14], [22, 24]])
    np.testing.assert_array_equal(_np(idx)[0, 0], [[12, 14], [22, 24]])


@pytest.mark.parametrize(("d", "count_include_pad", "divisor"), [(2, True, None), (2, False, None), (2, True, 3),
                                                                  (3, True, None), (3, False, 5)])
def test_avg_pool(d: int, count_include_pad: bool, divisor: int | None) -> None:
    rng = np.random.default_rng(d)
    x = rng.standard_normal((2, 2, *([5] * d)))
    m = POOLS[d][1](3, 2, 1, count_include_pad=count_include_pad, divisor_override=divisor)
    axes = tuple(range(-d, 0))
    sums = _windows(x, (3,) * d, (2,) * d, (1,) * d, (1,) * d, 0.0).sum(axis=axes)
    counts = _windows(np.ones((1, 1, *x.shape[2:])), (3,) * d, (2,) * d, (1,) * d, (1,) * d, 0.0).sum(axis=axes)
    ref = sums / (divisor if divisor else (3**d if count_include_pad else counts))
    np.testing.assert_allclose(_np(m(_t(x))), ref, rtol=1e-12)


def test_avg_pool1d() -> None:
    x = np.arange(14.0).reshape(2, 7)
    np.testing.assert_allclose(_np(nn.AvgPool1d(3, 2)(_t(x))), sliding_window_view(x, 3, axis=1)[:, ::2].mean(-1))
    out = nn.AvgPool1d(2, padding=1, count_include_pad=False)(_t(x[None]))
    np.testing.assert_allclose(_np(out)[0, 0], [0.0, 1.5, 3.5, 5.5])


def _adaptive_ref(x: np.ndarray, out: tuple[int, ...], reduce: Any) -> np.ndarray:
    d = len(out)
    result = np.empty((*x.shape[:2], *out))
    sizes = x.shape[2:]
    for idx in np.ndindex(*out):
        sl = tuple(slice(math.floor(i * n / o), math.ceil((i + 1) * n / o))
                   for i, n, o in zip(idx, sizes, out, strict=True))
        result[(..., *idx)] = reduce(x[(..., *sl)], axis=tuple(range(-d, 0)))
    return result


@pytest.mark.parametrize(("layer", "size", "out", "reduce"), [
    (nn.AdaptiveAvgPool1d, (7,), 3, np.mean), (nn.AdaptiveAvgPool2d, (7, 5), (3, 2), np.mean),
    (nn.AdaptiveAvgPool2d, (6, 6), 1, np.mean), (nn.AdaptiveAvgPool3d, (4, 5, 3), 2, np.mean),
    (nn.AdaptiveMaxPool1d, (7,), 4, np.max), (nn.AdaptiveMaxPool2d, (7, 5), (3, 2), np.max),
    (nn.AdaptiveMaxPool3d, (4, 5, 3), (2, 3, 1), np.max),
])
def test_adaptive_pools(layer: Any, size: tuple[int, ...], out: Any, reduce: Any) -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, *size))
    full = out if isinstance(out, tuple) else (out,) * len(size)
    np.testing.assert_allclose(_np(layer(out)(_t(x))), _adaptive_ref(x, full, reduce), rtol=1e-12)


def test_adaptive_avg_pool_none_keeps_dim() -> None:
    x = np.random.default_rng(1).standard_normal((1, 2, 4, 6))
    np.testing.assert_allclose(_np(nn.AdaptiveAvgPool2d((None, 3))(_t(x))), _adaptive_ref(x, (4, 3), np.mean))


def test_pool_gradcheck() -> None:
    x = ember.randn(1, 2, 4, 4, dtype=ember.float64, requires_grad=True)
    for m in (nn.MaxPool2d(2), nn.AvgPool2d(3, 1, 1), nn.AdaptiveAvgPool2d((3, 2)), nn.AdaptiveMaxPool2d(3)):
        assert gradcheck(m, (x,))


# -- batch norm -------------------------------------------------------------------------------------------------

def _bn_ref(x: np.ndarray, w: np.ndarray | None, b: np.ndarray | None, eps: float) -> tuple[np.ndarray, ...]:
    axes = (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if w is not None:
        y = y * w.reshape(shape)
    if b is not None:
        y = y + b.reshape(shape)
    n = x.size // x.shape[1]
    return y, mean, var * n / (n - 1)


@pytest.mark.parametrize(("layer", "shape"), [(nn.BatchNorm1d, (5, 3)), (nn.BatchNorm1d, (4, 3, 6)),
                                              (nn.BatchNorm2d, (4, 3, 5, 5)), (nn.BatchNorm3d, (2, 3, 2, 3, 4))])
def test_batch_norm_training_and_eval(layer: Any, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    m = layer(3, momentum=0.2, dtype=ember.float64)
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    m.load_state_dict({"weight": _t(w), "bias": _t(b), "running_mean": _t(rm), "running_var": _t(rv),
                       "num_batches_tracked": ember.tensor(3)})
    x = rng.standard_normal(shape)
    y, mean, var = _bn_ref(x, w, b, 1e-5)
    np.testing.assert_allclose(_np(m(_t(x))), y, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_np(m.running_mean), 0.8 * rm + 0.2 * mean, rtol=1e-12)
    np.testing.assert_allclose(_np(m.running_var), 0.8 * rv + 0.2 * var, rtol=1e-12)
    assert m.num_batches_tracked.item() == 4 and m.num_batches_tracked.dtype == ember.int64
    m.eval()
    shape_c = (1, -1) + (1,) * (len(shape) - 2)
    rm2, rv2 = _np(m.running_mean).reshape(shape_c), _np(m.running_var).reshape(shape_c)
    ref = (x - rm2) / np.sqrt(rv2 + 1e-5) * w.reshape(shape_c) + b.reshape(shape_c)
    np.testing.assert_allclose(_np(m(_t(x))), ref, rtol=1e-10)
    assert m.num_batches_tracked.item() == 4  # eval mode does not count


def test_batch_norm_momentum_none_is_cumulative_average() -> None:
    rng = np.random.default_rng(1)
    m = nn.BatchNorm2d(2, momentum=None, dtype=ember.float64)
    xs = [rng.standard_normal((3, 2, 2, 2)) * (i + 1) for i in range(3)]
    for x in xs:
        m(_t(x))
    means = [_bn_ref(x, None, None, 1e-5)[1] for x in xs]
    variances = [_bn_ref(x, None, None, 1e-5)[2] for x in xs]
    np.testing.assert_allclose(_np(m.running_mean), np.mean(means, axis=0), rtol=1e-12)
    np.testing.assert_allclose(_np(m.running_var), np.mean(variances, axis=0), rtol=1e-12)
    assert m.num_batches_tracked.item() == 3


def test_batch_norm_without_running_stats() -> None:
    rng = np.random.default_rng(2)
    m = nn.BatchNorm1d(4, affine=False, track_running_stats=False, dtype=ember.float64)
    assert m.running_mean is None and m.weight is None and list(m.state_dict()) == []
    x = rng.standard_normal((6, 4))
    m.eval()  # no running statistics: batch statistics even in eval mode
    np.testing.assert_allclose(_np(m(_t(x))), _bn_ref(x, None, None, 1e-5)[0], rtol=1e-10)
    assert [n for n, _ in nn.BatchNorm2d(3).named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    m = nn.BatchNorm2d(3, bias=False)
    assert m.bias is None and [n for n, _ in m.named_parameters()] == ["weight"]


def test_batch_norm_reset_and_errors() -> None:
    m = nn.BatchNorm2d(2)
    m(ember.randn(3, 2, 2, 2))
    m.reset_running_stats()
    assert _np(m.running_mean).tolist() == [0, 0] and _np(m.running_var).tolist() == [1, 1]
    assert m.num_batches_tracked.item() == 0
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        m(ember.randn(2, 2, 2))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(2)(ember.randn(2, 2, 2, 2))
    with pytest.raises(ValueError, match=r"expected 5D input \(got 4D input\)"):
        nn.BatchNorm3d(2)(ember.randn(2, 2, 2, 2))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(2)(ember.randn(1, 2))


def test_batch_norm_gradcheck() -> None:
    m = nn.BatchNorm2d(2, dtype=ember.float64)
    with ember.no_grad():
        m.weight.uniform_(0.5, 1.5)
        m.bias.normal_()
    x = ember.randn(2, 2, 2, 2, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: m(x), (x, m.weight, m.bias))


# -- instance, layer, group and RMS norm --------------------------------------------------------------------------

def _norm_over(x: np.ndarray, axes: tuple[int, ...], eps: float) -> np.ndarray:
    return (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)


@pytest.mark.parametrize(("layer", "shape"), [(nn.InstanceNorm1d, (2, 3, 5)), (nn.InstanceNorm2d, (2, 3, 4, 4)),
                                              (nn.InstanceNorm2d, (3, 4, 4)), (nn.InstanceNorm3d, (2, 3, 2, 2, 3))])
def test_instance_norm(layer: Any, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape)
    m = layer(3, affine=True, track_running_stats=True, dtype=ember.float64)
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    m.load_state_dict({"weight": _t(w), "bias": _t(b), "running_mean": ember.zeros(3, dtype=ember.float64),
                       "running_var": ember.ones(3, dtype=ember.float64), "num_batches_tracked": ember.tensor(0)})
    batched = x if len(shape) == m._no_batch_dim + 1 else x[None]
    spatial = tuple(range(2, batched.ndim))
    c = (1, -1) + (1,) * len(spatial)
    ref = _norm_over(batched, spatial, 1e-5) * w.reshape(c) + b.reshape(c)
    np.testing.assert_allclose(_np(m(_t(x))), ref.reshape(shape), rtol=1e-10, atol=1e-12)
    n = math.prod(batched.shape[2:])
    mean = batched.mean(axis=spatial).mean(0)
    var = (batched.var(axis=spatial) * n / (n - 1)).mean(0)
    np.testing.assert_allclose(_np(m.running_mean), 0.1 * mean, rtol=1e-10)
    np.testing.assert_allclose(_np(m.running_var), 0.9 + 0.1 * var, rtol=1e-10)


def test_instance_norm_defaults_and_checks() -> None:
    m = nn.InstanceNorm2d(3)
    assert m.weight is None and m.running_mean is None
    x = np.random.default_rng(4).standard_normal((2, 3, 3, 3))
    np.testing.assert_allclose(_np(m(_t(x))), _norm_over(x, (2, 3), 1e-5), rtol=1e-10)
    with pytest.warns(UserWarning, match="input's size at dim=1 does not match num_features"):
        nn.InstanceNorm2d(4)(ember.randn(2, 3, 3, 3))
    with pytest.raises(ValueError, match=r"expected input's size at dim=1 to match num_features \(4\), but got: 3\."):
        nn.InstanceNorm2d(4, affine=True)(ember.randn(2, 3, 3, 3))
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        nn.InstanceNorm2d(3)(ember.randn(3, 3))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.integers(1, 2), st.booleans(), st.booleans())
def test_layer_norm(lead: list[int], nd: int, affine: bool, bias: bool) -> None:
    rng = np.random.default_rng(len(lead) * 3 + nd)
    normalized = (3, 2)[:nd]
    x = rng.standard_normal((*lead, *normalized))
    m = nn.LayerNorm(normalized if nd > 1 else normalized[0], eps=1e-6, elementwise_affine=affine, bias=bias,
                     dtype=ember.float64)
    params = {k: rng.standard_normal(tuple(v.shape)) for k, v in m.state_dict().items()}
    m.load_state_dict({k: _t(v) for k, v in params.items()})
    ref = _norm_over(x, tuple(range(-nd, 0)), 1e-6) * params.get("weight", 1.0) + params.get("bias", 0.0)
    np.testing.assert_allclose(_np(m(_t(x))), ref, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("groups", "shape"), [(2, (3, 4, 5)), (1, (2, 4, 2, 3)), (4, (2, 4)), (2, (1, 4, 2, 2, 2))])
def test_group_norm(groups: int, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape)
    m = nn.GroupNorm(groups, 4, dtype=ember.float64)
    w, b = rng.standard_normal(4), rng.standard_normal(4)
    m.load_state_dict({"weight": _t(w), "bias": _t(b)})
    if x.ndim == 2 and groups == 4:
        x = x[..., None].repeat(2, -1)  # one value per group would be degenerate
    g = x.reshape(x.shape[0], groups, -1)
    c = (1, -1) + (1,) * (x.ndim - 2)
    ref = _norm_over(g, (2,), 1e-5).reshape(x.shape) * w.reshape(c) + b.reshape(c)
    np.testing.assert_allclose(_np(m(_t(x))), ref, rtol=1e-10, atol=1e-12)


def test_group_norm_errors() -> None:
    with pytest.raises(ValueError, match=r"num_channels \(5\) must be divisible by num_groups \(2\)"):
        nn.GroupNorm(2, 5)
    assert nn.GroupNorm(2, 4, affine=False).weight is None
    assert nn.GroupNorm(2, 4, bias=False).bias is None


@pytest.mark.parametrize(("eps", "affine"), [(None, True), (1e-3, False)])
def test_rms_norm(eps: float | None, affine: bool) -> None:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 2, 4))
    m = nn.RMSNorm([2, 4], eps=eps, elementwise_affine=affine, dtype=ember.float64)
    w = rng.standard_normal((2, 4))
    if affine:
        m.load_state_dict({"weight": _t(w)})
    e = np.finfo(np.float64).eps if eps is None else eps
    ref = x / np.sqrt((x**2).mean(axis=(1, 2), keepdims=True) + e) * (w if affine else 1.0)
    np.testing.assert_allclose(_np(m(_t(x))), ref, rtol=1e-10)


def test_norm_gradcheck() -> None:
    x = ember.randn(2, 4, 3, dtype=ember.float64, requires_grad=True)
    for m in (nn.LayerNorm(3, dtype=ember.float64), nn.GroupNorm(2, 4, dtype=ember.float64),
              nn.RMSNorm(3, dtype=ember.float64)):
        with ember.no_grad():
            for p in m.parameters():
                p.normal_()
        assert gradcheck(lambda x, *ps, m=m: m(x), (x, *m.parameters()))
    assert gradcheck(nn.InstanceNorm1d(4), (x,))


REPRS = [
    (lambda: nn.MaxPool1d(2), "MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
    (lambda: nn.MaxPool2d(3, 2, 1, dilation=2, return_indices=True, ceil_mode=True),
     "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)"),
    (lambda: nn.MaxPool3d((1, 2, 2)),
     "MaxPool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2), padding=0, dilation=1, ceil_mode=False)"),
    (lambda: nn.AvgPool1d(2), "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))"),
    (lambda: nn.AvgPool2d(3, 1, 1, ceil_mode=True, count_include_pad=False, divisor_override=2),
     "AvgPool2d(kernel_size=3, stride=1, padding=1)"),
    (lambda: nn.AvgPool3d(2), "AvgPool3d(kernel_size=2, stride=2, padding=0)"),
    (lambda: nn.AdaptiveAvgPool1d(3), "AdaptiveAvgPool1d(output_size=3)"),
    (lambda: nn.AdaptiveAvgPool2d((1, 1)), "AdaptiveAvgPool2d(output_size=(1, 1))"),
    (lambda: nn.AdaptiveAvgPool2d((None, 7)), "AdaptiveAvgPool2d(output_size=(None, 7))"),
    (lambda: nn.AdaptiveMaxPool2d(2, return_indices=True), "AdaptiveMaxPool2d(output_size=2)"),
    (lambda: nn.BatchNorm1d(3), "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
    (lambda: nn.BatchNorm2d(4, eps=1e-3, momentum=None, affine=False, track_running_stats=False),
     "BatchNorm2d(4, eps=0.001, momentum=None, affine=False, bias=False, track_running_stats=False)"),
    (lambda: nn.LayerNorm(5), "LayerNorm((5,), eps=1e-05, elementwise_affine=True, bias=True)"),
    (lambda: nn.LayerNorm((2, 3), eps=1e-6, elementwise_affine=False),
     "LayerNorm((2, 3), eps=1e-06, elementwise_affine=False, bias=False)"),
    (lambda: nn.LayerNorm(4, bias=False), "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=False)"),
    (lambda: nn.GroupNorm(2, 4, affine=False, eps=1e-3), "GroupNorm(2, 4, eps=0.001, affine=False, bias=False)"),
    (lambda: nn.InstanceNorm1d(3),
     "InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)"),
    (lambda: nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
     "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
    (lambda: nn.RMSNorm(4), "RMSNorm((4,), eps=None, elementwise_affine=True)"),
    (lambda: nn.RMSNorm([2, 3], eps=1e-5, elementwise_affine=False), "RMSNorm((2, 3), eps=1e-05, elementwise_affine=False)"),
]


@pytest.mark.parametrize(("make", "text"), REPRS)
def test_reprs(make: Any, text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert repr(make()) == text
