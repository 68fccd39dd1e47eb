"""CupyBackend's optional-tier overrides against the references, on geometries beyond the kit's samples.

Runs on the NumPy stand-in (see _standin), so padding, ceil mode, dilation, groups, ties,
NaN and integer inputs are checked on every machine.
"""

from __future__ import annotations

import _standin
import numpy as np
import pytest

import ember
from ember.backends import OPTIONAL_KERNELS

_standin.register()
BK = ember.backends.get_backend("cudasim")
RNG = np.random.default_rng(0)


def ref(name: str):
    return lambda *a, **k: OPTIONAL_KERNELS[name].reference(BK, *a, **k)


@pytest.mark.parametrize("shape, kernel, stride, pad, dil, ceil", [
    ((2, 3, 9, 9), (3, 3), (2, 2), (1, 1), (1, 1), False),    # ResNet's stem pool
    ((2, 3, 8, 7), (3, 2), (2, 3), (1, 1), (1, 1), True),
    ((1, 2, 10, 10), (3, 3), (1, 1), (1, 1), (2, 2), False),
    ((2, 4, 11), (4,), (3,), (2,), (1,), True),
    ((1, 2, 5, 6, 7), (2, 3, 2), (2, 1, 2), (1, 1, 0), (1, 1, 2), False),
    ((3, 6, 6), (2, 2), (2, 2), (0, 0), (1, 1), False),
])
@pytest.mark.parametrize("kind", ["float", "ties", "nan", "int", "neg_inf"])
def test_max_pool_values_and_indices(shape, kernel, stride, pad, dil, ceil, kind) -> None:
    if kind == "ties":
        x = np.round(RNG.standard_normal(shape)).astype(np.float32)
    elif kind == "int":
        x = RNG.integers(-5, 5, shape).astype(np.int64)
    else:
        x = RNG.standard_normal(shape).astype(np.float32)
        if kind == "nan":
            x[x > 1.2] = np.nan
        elif kind == "neg_inf":
            x[...] = -np.inf
    got_v, got_i = BK.max_pool(x, kernel, stride, pad, dil, ceil)
    want_v, want_i = ref("max_pool")(x, kernel, stride, pad, dil, ceil)
    np.testing.assert_array_equal(got_v, want_v)
    np.testing.assert_array_equal(got_i, want_i)
    g = RNG.standard_normal(got_v.shape).astype(np.float32)
    np.testing.assert_allclose(
        BK.max_pool_backward(g, got_i, shape[len(shape) - len(kernel):], kernel, stride, pad, dil),
        ref("max_pool_backward")(g, want_i, shape[len(shape) - len(kernel):]), rtol=1e-6, atol=1e-6,
    )


@pytest.mark.parametrize("shape, kernel, stride, pad, ceil, include, div", [
    ((2, 3, 9, 9), (3, 3), (2, 2), (1, 1), False, True, None),
    ((2, 3, 8, 7), (3, 2), (2, 3), (1, 1), True, False, None),
    ((2, 4, 11), (4,), (3,), (2,), True, True, 3),
    ((1, 2, 5, 6, 7), (2, 3, 2), (2, 1, 2), (1, 1, 0), False, False, None),
])
@pytest.mark.parametrize("dt", [np.float32, np.float64, np.float16])
def test_avg_pool_and_backward(shape, kernel, stride, pad, ceil, include, div, dt) -> None:
    x = RNG.standard_normal(shape).astype(dt)
    tol = 2e-3 if dt == np.float16 else 1e-6
    got = BK.avg_pool(x, kernel, stride, pad, ceil, include, div)
    np.testing.assert_allclose(got, ref("avg_pool")(x, kernel, stride, pad, ceil, include, div), rtol=tol, atol=tol)
    assert got.dtype == dt
    g = RNG.standard_normal(got.shape).astype(dt)
    size = shape[len(shape) - len(kernel):]
    np.testing.assert_allclose(
        BK.avg_pool_backward(g, size, kernel, stride, pad, ceil, include, div),
        ref("avg_pool_backward")(g, size, kernel, stride, pad, ceil, include, div), rtol=tol, atol=tol,
    )


@pytest.mark.parametrize("shape, out", [((2, 3, 8, 6), (4, 3)), ((2, 3, 7, 6), (3, 4)), ((2, 5, 12), (4,))])
def test_adaptive_pools(shape, out) -> None:
    x = RNG.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(BK.adaptive_avg_pool(x, out), ref("adaptive_avg_pool")(x, out), rtol=1e-6, atol=1e-6)
    got_v, got_i = BK.adaptive_max_pool(x, out)
    want_v, want_i = ref("adaptive_max_pool")(x, out)
    np.testing.assert_array_equal(got_v, want_v)
    np.testing.assert_array_equal(got_i, want_i)
    g = RNG.standard_normal(got_v.shape).astype(np.float32)
    np.testing.assert_allclose(BK.adaptive_avg_pool_backward(g, shape[2:]), ref("adaptive_avg_pool_backward")(g, shape[2:]),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("xs, ws, stride, pad, dil, groups", [
    ((2, 4, 9, 9), (6, 4, 3, 3), (1, 1), (1, 1), (1, 1), 1),
    ((2, 4, 9, 8), (6, 2, 3, 2), (2, 1), (1, 0), (1, 2), 2),
    ((1, 6, 10, 10), (6, 1, 3, 3), (2, 2), (1, 1), (1, 1), 6),     # depthwise
    ((3, 2, 13), (4, 2, 5), (3,), (2,), (2,), 1),
    ((1, 2, 5, 6, 5), (4, 1, 2, 3, 2), (1, 2, 1), (1, 1, 0), (1, 1, 2), 2),
    ((2, 3, 7, 7), (5, 3, 7, 7), (1, 1), (0, 0), (1, 1), 1),        # kernel as big as the input
])
@pytest.mark.parametrize("bias", [True, False])
def test_conv_forward_and_gradients(xs, ws, stride, pad, dil, groups, bias) -> None:
    x = RNG.standard_normal(xs)
    w = RNG.standard_normal(ws)
    b = RNG.standard_normal(ws[0]) if bias else None
    y = BK.conv(x, w, b, stride, pad, dil, groups)
    np.testing.assert_allclose(y, ref("conv")(x, w, b, stride, pad, dil, groups), rtol=1e-10, atol=1e-10)
    g = RNG.standard_normal(y.shape)
    np.testing.assert_allclose(BK.conv_backward_input(g, w, xs, stride, pad, dil, groups),
                               ref("conv_backward_input")(g, w, xs, stride, pad, dil, groups), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(BK.conv_backward_weight(g, x, ws, stride, pad, dil, groups),
                               ref("conv_backward_weight")(g, x, ws, stride, pad, dil, groups), rtol=1e-10, atol=1e-10)


def test_batch_norm_training_updates_running_stats_like_the_reference() -> None:
    x = RNG.standard_normal((4, 3, 5, 2))
    w, b = RNG.standard_normal(3), RNG.standard_normal(3)
    rm1, rv1 = np.zeros(3), np.ones(3)
    rm2, rv2 = rm1.copy(), rv1.copy()
    got = BK.batch_norm(x, rm1, rv1, w, b, True, 0.1, 1e-5)
    want = ref("batch_norm")(x, rm2, rv2, w, b, True, 0.1, 1e-5)
    for a, c in zip((*got, rm1, rv1), (*want, rm2, rv2), strict=True):
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-12)


def test_scatter_reduce_amax_amin_propagate_nan_and_prod_matches_numpy() -> None:
    idx = np.array([[0, 1, 0, 2]])
    for reduce, ufunc in (("amax", np.maximum), ("amin", np.minimum), ("prod", np.multiply), ("sum", np.add)):
        x = np.array([[1.0, np.nan, 3.0]])
        src = np.array([[5.0, 2.0, np.nan, -1.0]])
        want = x.copy()
        ufunc.at(want, (np.zeros_like(idx), idx), src)
        BK.scatter_reduce(x, 1, idx, src, reduce)
        np.testing.assert_array_equal(x, want)


def test_rng_state_is_two_ints_and_replays() -> None:
    g = ember.Generator("cudasim").manual_seed(7)
    state = g.get_state()
    a = ember.randn(5, generator=g, device="cudasim").tolist()
    b = ember.rand(3, generator=g, device="cudasim").tolist()
    assert a != ember.randn(5, generator=g, device="cudasim").tolist()  # draws advance
    g.set_state(state)
    assert ember.randn(5, generator=g, device="cudasim").tolist() == a
    assert ember.rand(3, generator=g, device="cudasim").tolist() == b


def test_tensors_move_between_cpu_and_the_stand_in_and_mixing_devices_raises() -> None:
    t = ember.arange(6.0).reshape(2, 3)
    s = t.to("cudasim")
    assert s.device == ember.device("cudasim", 0)
    assert (s * 2).cpu().tolist() == (t * 2).tolist()
    with pytest.raises(RuntimeError, match=r"cudasim:0 and cpu|cpu and cudasim:0"):
        s + t
