"""Normalization ops against NumPy references over hypothesis shapes (empty and non-contiguous
inputs included), running-statistics updates, and PyTorch 2.13's errors."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest
from _core_helpers import raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
PROPERTY = settings(max_examples=40, deadline=None)
raises = partial(raises_exactly, numpy_phrases=("numpy", "ufunc", "axis "))


@st.composite
def inputs(draw: st.DrawFn, min_dims: int = 1) -> tuple[np.ndarray, ember.Tensor]:
    dt = draw(st.sampled_from([np.float32, np.float64]))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=4, min_side=0, max_side=4))
    a = draw(hnp.arrays(dt, shape, elements=st.floats(-10, 10, width=32)))
    t = ember.tensor(a)
    if draw(st.booleans()) and a.ndim >= 3:  # non-contiguous: swap two trailing dims back and forth
        t = ember.tensor(np.ascontiguousarray(a.swapaxes(-1, -2))).transpose(-1, -2)
    if draw(st.booleans()):
        a2 = np.concatenate([a, a], axis=-1)
        t = ember.tensor(a2)[..., ::2] if a.shape[-1] else t
        a = a2[..., ::2] if a.shape[-1] else a
    return a, t


def tol(a: np.ndarray) -> dict[str, float]:
    return {"rtol": 2e-4, "atol": 2e-4} if a.dtype == np.float32 else {"rtol": 1e-9, "atol": 1e-9}


def np_norm(a: np.ndarray, axes: tuple[int, ...], eps: float) -> np.ndarray:
    a64 = a.astype(np.float64)
    mean = a64.mean(axis=axes, keepdims=True)
    return (a64 - mean) / np.sqrt(a64.var(axis=axes, keepdims=True) + eps)


@PROPERTY
@given(inputs(), st.data(), st.booleans())
def test_layer_norm(pair: tuple[np.ndarray, ember.Tensor], data: st.DataObject, affine: bool) -> None:
    a, t = pair
    n = data.draw(st.integers(1, a.ndim))
    shape = a.shape[a.ndim - n:]
    w = np.linspace(0.5, 2, int(np.prod(shape))).reshape(shape).astype(a.dtype)
    b = np.linspace(-1, 1, int(np.prod(shape))).reshape(shape).astype(a.dtype)
    if a.size == 0:
        expected = a
    else:
        expected = np_norm(a, tuple(range(a.ndim - n, a.ndim)), 1e-5)
        if affine:
            expected = expected * w + b
    got = ember.layer_norm(t, shape, ember.tensor(w) if affine else None, ember.tensor(b) if affine else None)
    assert got.dtype is t.dtype and tuple(got.shape) == a.shape
    np.testing.assert_allclose(got.numpy(), expected, **tol(a))
    rms = ember.rms_norm(t, list(shape), ember.tensor(w) if affine else None, eps=1e-6)
    if a.size:
        a64 = a.astype(np.float64)
        exp_rms = a64 / np.sqrt((a64**2).mean(axis=tuple(range(a.ndim - n, a.ndim)), keepdims=True) + 1e-6)
        np.testing.assert_allclose(rms.numpy(), exp_rms * w if affine else exp_rms, **tol(a))


@PROPERTY
@given(inputs(min_dims=2), st.booleans(), st.booleans())
def test_batch_norm(pair: tuple[np.ndarray, ember.Tensor], training: bool, affine: bool) -> None:
    a, t = pair
    c = a.shape[1]
    axes = (0, *range(2, a.ndim))
    if training and a.shape[0] * math.prod(a.shape[2:]) == 1:  # torch's check counts values, not elements
        with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
            ember.batch_norm(t, None, None, training=True)
        return
    rm0, rv0 = np.linspace(-1, 1, c), np.linspace(0.5, 2, c)
    rm, rv = ember.tensor(rm0.astype(a.dtype)), ember.tensor(rv0.astype(a.dtype))
    w, b = np.linspace(0.5, 2, c).astype(a.dtype), np.linspace(-1, 1, c).astype(a.dtype)
    got = ember.batch_norm(t, rm, rv, ember.tensor(w) if affine else None, ember.tensor(b) if affine else None,
                           training, 0.2, 1e-5)
    bshape = [1] * a.ndim
    bshape[1] = c
    if a.size == 0:
        expected = a
    elif training:
        expected = np_norm(a, axes, 1e-5)
        a64 = a.astype(np.float64)
        np.testing.assert_allclose(rm.numpy(), 0.8 * rm0 + 0.2 * a64.mean(axis=axes), **tol(a))
        np.testing.assert_allclose(rv.numpy(), 0.8 * rv0 + 0.2 * a64.var(axis=axes, ddof=1), **tol(a))
    else:
        expected = (a - rm0.reshape(bshape)) / np.sqrt(rv0.reshape(bshape) + 1e-5)
    if not training or a.size == 0:
        np.testing.assert_allclose(rm.numpy(), rm0, **tol(a))
    if affine and a.size:
        expected = expected * w.reshape(bshape) + b.reshape(bshape)
    assert got.dtype is t.dtype and tuple(got.shape) == a.shape
    np.testing.assert_allclose(got.numpy(), expected, **tol(a))


@PROPERTY
@given(inputs(min_dims=2), st.data())
def test_group_and_instance_norm(pair: tuple[np.ndarray, ember.Tensor], data: st.DataObject) -> None:
    a, t = pair
    n, c = a.shape[:2]
    groups = data.draw(st.sampled_from([g for g in range(1, c + 1) if c % g == 0] or [1]))
    w = np.linspace(0.5, 2, c).astype(a.dtype)
    per_group = (c // groups) * int(np.prod(a.shape[2:]))
    if n * groups * per_group and n * per_group != 1:
        got = ember.group_norm(t, groups, ember.tensor(w))
        g = a.reshape(n, groups, -1)
        expected = np_norm(g, (2,), 1e-5).reshape(a.shape) * w.reshape([1, c] + [1] * (a.ndim - 2))
        np.testing.assert_allclose(got.numpy(), expected, **tol(a))
    if a.ndim >= 3 and int(np.prod(a.shape[2:])) > 1 and a.size:
        got = ember.instance_norm(t)
        np.testing.assert_allclose(got.numpy(), np_norm(a, tuple(range(2, a.ndim)), 1e-5), **tol(a))


def test_instance_norm_running_stats() -> None:
    x = ember.arange(24.0).reshape(2, 3, 4) ** 1.5
    rm, rv = ember.zeros(3), ember.ones(3)
    ember.instance_norm(x, rm, rv, momentum=0.5)
    a = x.numpy().astype(np.float64)
    np.testing.assert_allclose(rm.numpy(), 0.5 * a.mean(axis=2).mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(rv.numpy(), 0.5 + 0.5 * a.var(axis=2, ddof=1).mean(axis=0), rtol=1e-5)
    evaluated = ember.instance_norm(x, rm, rv, use_input_stats=False)
    np.testing.assert_allclose(evaluated.numpy(), (a - rm.numpy()[:, None]) / np.sqrt(rv.numpy()[:, None] + 1e-5),
                               rtol=1e-5)


def test_normalize_and_half() -> None:
    a = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(ember.normalize(ember.tensor(a)).numpy(), [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(ember.normalize(ember.tensor(a), p=1, dim=0).numpy(), [[1.0, 1.0], [0.0, 0.0]])
    out = ember.empty(2, 2, dtype=ember.float64)
    assert ember.normalize(ember.tensor(a), out=out) is out
    h = ember.layer_norm(ember.tensor([[1.0, 2.0, 4.0]], dtype=ember.float16), (3,))
    assert h.dtype is ember.float16
    np.testing.assert_allclose(h.numpy().astype(np.float64), np_norm(np.array([[1.0, 2.0, 4.0]]), (1,), 1e-5),
                               atol=2e-3)
    # rms_norm's default eps is the dtype's machine epsilon
    z = ember.rms_norm(ember.zeros(1, 2), (2,))
    assert z.tolist() == [[0.0, 0.0]]


def test_norm_errors() -> None:
    x = ember.randn(2, 3, 4)
    with raises(RuntimeError, "Given normalized_shape=[3], expected input with shape [*, 3], but got input of size[2, 3, 4]"):
        ember.layer_norm(x, (3,))
    with raises(RuntimeError, "expected input with shape [*3]"):
        ember.rms_norm(x, (3,))
    with raises(RuntimeError, "Expected weight to be of same shape as normalized_shape, but got weight of shape [3] "
                              "and normalized_shape = [4]"):
        ember.layer_norm(x, (4,), ember.ones(3))
    with raises(RuntimeError, "Expected normalized_shape to be at least 1-dimensional"):
        ember.layer_norm(x, ())
    with raises(TypeError, "argument 'normalized_shape' (position 2) must be tuple of ints, not int"):
        ember.layer_norm(x, 4)
    with raises(NotImplementedError, "layer_norm", "Long"):
        ember.layer_norm(ember.ones(2, 4, dtype=ember.int64), (4,))
    with raises(RuntimeError, "mixed dtype (CPU): expect parameter to have scalar type of Float"):
        ember.layer_norm(x, (4,), ember.ones(4, dtype=ember.float64))
    with raises(RuntimeError, "Expected number of channels in input to be divisible by num_groups, but got input of "
                              "shape [2, 3, 4] and num_groups=2"):
        ember.group_norm(x, 2)
    with raises(RuntimeError, "Expected weight to be a vector of size equal to the number of channels in input"):
        ember.group_norm(x, 3, ember.ones(2))
    with raises(RuntimeError, "Expected at least 2 dimensions for input tensor but received 1"):
        ember.group_norm(ember.ones(3), 1)
    with raises(ValueError, "Expected more than 1 value per channel when training"):
        ember.group_norm(ember.ones(1, 2), 2)
    with raises(RuntimeError, "running_mean must be defined in evaluation mode"):
        ember.batch_norm(x, None, None)
    with raises(RuntimeError, "running_var must be defined in evaluation mode"):
        ember.batch_norm(x, ember.zeros(3), None)
    with raises(ValueError, "Expected more than 1 value per channel when training, got input size"):
        ember.batch_norm(ember.ones(1, 3), None, None, training=True)
    with raises(RuntimeError, "running_mean should contain 3 elements not 2"):
        ember.batch_norm(x, ember.zeros(2), ember.ones(3), training=True)
    with raises(RuntimeError, "bias should contain 3 elements not 4"):
        ember.batch_norm(x, ember.zeros(3), ember.ones(3), None, ember.ones(4))
    with raises(IndexError, "Dimension out of range"):
        ember.batch_norm(ember.ones(3), None, None, training=True)
    with raises(ValueError, "Expected more than 1 spatial element when training"):
        ember.instance_norm(ember.ones(2, 3, 1))
    with raises(RuntimeError, "Expected running_mean and running_var to be defined when use_input_stats is false"):
        ember.instance_norm(x, use_input_stats=False)
    with raises(RuntimeError, "Expected a floating point or complex tensor"):
        ember.normalize(ember.ones(3, dtype=ember.int64), dim=0)
