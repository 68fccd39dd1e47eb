"""Convolutions: conv1d/2d/3d, conv_transpose1d/2d/3d, the gradient helpers and the reference kernels.

Values are checked against a direct NumPy formulation (a loop over kernel offsets,
written here independently of the kernels), gradients also against central finite
differences in float64, and the reference kernels on an array-API-strict backend,
which has no NumPy behaviour to lean on.
"""

from __future__ import annotations

import itertools
import math
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import STRICT, raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember._nnops import conv as C
from ember.backends._optional import OPTIONAL_KERNELS

raises = partial(raises_exactly, numpy_phrases=("operands could not", "cannot reshape", "axis"))

CONV = {1: ember.conv1d, 2: ember.conv2d, 3: ember.conv3d}
TRANSPOSE = {1: ember.conv_transpose1d, 2: ember.conv_transpose2d, 3: ember.conv_transpose3d}
GRAD_INPUT = {1: C.conv1d_input, 2: C.conv2d_input, 3: C.conv3d_input}
GRAD_WEIGHT = {1: C.conv1d_weight, 2: C.conv2d_weight, 3: C.conv3d_weight}


# -- the NumPy formulation the tests trust -------------------------------------------------------------

def np_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: tuple[int, ...], pads: list[tuple[int, int]],
            dilation: tuple[int, ...], groups: int) -> np.ndarray:
    """Cross-correlation with (before, after) zero padding per spatial dim, one term per kernel offset."""
    n, _c = x.shape[:2]
    cout, cg = w.shape[:2]
    kernel = w.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0), *pads])
    out = tuple((L - dl * (k - 1) - 1) // s + 1 for L, k, s, dl in zip(xp.shape[2:], kernel, stride, dilation, strict=True))
    res = np.zeros((n, cout, *out), np.result_type(x, w))
    og = cout // groups
    for offset in itertools.product(*(range(k) for k in kernel)):
        key = tuple(slice(i * dl, i * dl + s * (o - 1) + 1, s) for i, dl, s, o in zip(offset, dilation, stride, out, strict=True))
        patch = xp[(slice(None), slice(None), *key)]
        for g in range(groups):
            wk = w[(slice(g * og, (g + 1) * og), slice(None), *offset)]
            res[:, g * og:(g + 1) * og] += np.einsum("oc,nc...->no...", wk, patch[:, g * cg:(g + 1) * cg])
    if b is not None:
        res += b.reshape(1, cout, *(1,) * len(kernel))
    return res


def np_conv_input_grad(gy: np.ndarray, w: np.ndarray, xshape: tuple[int, ...], stride: tuple[int, ...],
                       padding: tuple[int, ...], dilation: tuple[int, ...], groups: int) -> np.ndarray:
    """The adjoint of :func:`np_conv` in its input (symmetric padding): scatter each offset's term back."""
    n, c = xshape[:2]
    cout, cg = w.shape[:2]
    kernel, out = w.shape[2:], gy.shape[2:]
    og = cout // groups
    gx = np.zeros((n, c, *(L + 2 * p for L, p in zip(xshape[2:], padding, strict=True))), np.result_type(gy, w))
    for offset in itertools.product(*(range(k) for k in kernel)):
        key = tuple(slice(i * dl, i * dl + s * (o - 1) + 1, s) for i, dl, s, o in zip(offset, dilation, stride, out, strict=True))
        for g in range(groups):
            wk = w[(slice(g * og, (g + 1) * og), slice(None), *offset)]
            gx[(slice(None), slice(g * cg, (g + 1) * cg), *key)] += np.einsum("oc,no...->nc...", wk, gy[:, g * og:(g + 1) * og])
    return gx[(slice(None), slice(None), *(slice(p, p + L) for p, L in zip(padding, xshape[2:], strict=True)))]


def np_conv_weight_grad(gy: np.ndarray, x: np.ndarray, wshape: tuple[int, ...], stride: tuple[int, ...],
                        padding: tuple[int, ...], dilation: tuple[int, ...], groups: int) -> np.ndarray:
    cout, cg = wshape[:2]
    kernel, out = wshape[2:], gy.shape[2:]
    og = cout // groups
    xp = np.pad(x, [(0, 0), (0, 0), *((p, p) for p in padding)])
    gw = np.zeros(wshape, np.result_type(gy, x))
    for offset in itertools.product(*(range(k) for k in kernel)):
        key = tuple(slice(i * dl, i * dl + s * (o - 1) + 1, s) for i, dl, s, o in zip(offset, dilation, stride, out, strict=True))
        patch = xp[(slice(None), slice(None), *key)]
        for g in range(groups):
            m = math.prod(out)
            gyg = gy[:, g * og:(g + 1) * og].reshape(gy.shape[0], og, m)
            pg = patch[:, g * cg:(g + 1) * cg].reshape(gy.shape[0], cg, m)
            gw[(slice(g * og, (g + 1) * og), slice(None), *offset)] = np.einsum("nom,ncm->oc", gyg, pg)
    return gw


def t(a: np.ndarray) -> ember.Tensor:
    return ember.from_numpy(np.array(a))


def tup(v: Any, d: int) -> tuple[int, ...]:
    return (v,) * d if isinstance(v, int) else tuple(v) if len(v) == d else tuple(v) * d


# -- values ---------------------------------------------------------------------------------------------------

CASES = [
    # input shape, weight shape, stride, padding, dilation, groups
    ((2, 3, 9), (4, 3, 3), 1, 0, 1, 1),
    ((2, 4, 10), (6, 2, 4), 2, 1, 2, 2),
    ((1, 2, 5), (3, 2, 1), 3, (2,), 1, 1),
    ((2, 3, 7, 8), (5, 3, 3, 3), 1, 1, 1, 1),
    ((1, 4, 9, 7), (4, 1, 3, 2), (2, 1), (0, 2), (1, 2), 4),
    ((3, 6, 8, 8), (4, 3, 2, 3), (3, 2), (2, 0), (2, 1), 2),
    ((0, 2, 5, 5), (3, 2, 3, 3), 1, 1, 1, 1),
    ((2, 0, 5, 5), (3, 0, 3, 3), 1, 0, 1, 1),
    ((2, 2, 5, 6, 4), (3, 2, 2, 3, 2), (1, 2, 1), (1, 0, 1), (1, 1, 2), 1),
    ((1, 4, 6, 5, 5), (2, 2, 3, 1, 2), 2, 0, 1, 2),
]


@pytest.mark.parametrize(("xs", "ws", "stride", "padding", "dilation", "groups"), CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_conv_matches_numpy(xs: Any, ws: Any, stride: Any, padding: Any, dilation: Any, groups: int, with_bias: bool) -> None:
    rng = np.random.default_rng(0)
    d = len(xs) - 2
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    bias = b if with_bias else None
    got = CONV[d](t(x), t(w), t(b) if with_bias else None, stride, padding, dilation, groups)
    want = np_conv(x, w, bias, tup(stride, d), [(p, p) for p in tup(padding, d)], tup(dilation, d), groups)
    assert got.dtype == ember.float64 and tuple(got.shape) == want.shape and got.is_contiguous()
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("xs", "ws", "stride", "padding", "dilation", "groups"), CASES)
def test_gradient_helpers_match_numpy(xs: Any, ws: Any, stride: Any, padding: Any, dilation: Any, groups: int) -> None:
    rng = np.random.default_rng(1)
    d = len(xs) - 2
    s, p, dl = tup(stride, d), tup(padding, d), tup(dilation, d)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    gy = rng.standard_normal(np_conv(x, w, None, s, [(q, q) for q in p], dl, groups).shape)
    gx = GRAD_INPUT[d](xs, t(w), t(gy), stride, padding, dilation, groups)
    gw = GRAD_WEIGHT[d](t(x), ws, t(gy), stride, padding, dilation, groups)
    np.testing.assert_allclose(gx.numpy(), np_conv_input_grad(gy, w, xs, s, p, dl, groups), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gw.numpy(), np_conv_weight_grad(gy, x, ws, s, p, dl, groups), rtol=1e-12, atol=1e-12)
    assert gx.is_contiguous() and gw.is_contiguous()


def _directional_check(f: Any, a: np.ndarray, grad: np.ndarray, rng: np.random.Generator) -> None:
    """Central differences of ``f`` along random directions against ``<grad, direction>``."""
    for _ in range(3):
        v = rng.standard_normal(a.shape)
        eps = 1e-6
        numeric = (f(a + eps * v) - f(a - eps * v)) / (2 * eps)
        assert math.isclose(numeric, float(np.sum(grad * v)), rel_tol=1e-6, abs_tol=1e-8)


@pytest.mark.parametrize(("xs", "ws", "stride", "padding", "dilation", "groups"), [
    *[c for c in CASES if c[0][0] and c[0][1]],
    ((2, 3, 8), (2, 3, 4), 1, "same", 1, 1),
    ((1, 4, 7, 6), (4, 2, 2, 3), 1, "same", (1, 3), 2),
    ((1, 2, 4, 5, 3), (2, 2, 2, 2, 1), 1, "same", 1, 1),
    ((2, 2, 6, 6), (2, 2, 3, 3), 1, "valid", 1, 1),
])
def test_gradients_match_finite_differences(xs: Any, ws: Any, stride: Any, padding: Any, dilation: Any, groups: int) -> None:
    rng = np.random.default_rng(2)
    d = len(xs) - 2
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    y = CONV[d](t(x), t(w), None, stride, padding, dilation, groups)
    r = rng.standard_normal(tuple(y.shape))

    def loss(xv: np.ndarray, wv: np.ndarray) -> float:
        return float(np.sum(CONV[d](t(xv), t(wv), None, stride, padding, dilation, groups).numpy() * r))

    gx = GRAD_INPUT[d](xs, t(w), t(r), stride, padding, dilation, groups).numpy()
    gw = GRAD_WEIGHT[d](t(x), ws, t(r), stride, padding, dilation, groups).numpy()
    _directional_check(lambda xv: loss(xv, w), x, gx, rng)
    _directional_check(lambda wv: loss(x, wv), w, gw, rng)


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("kernel", [2, 3, 4])
@pytest.mark.parametrize("dilation", [1, 2])
def test_same_padding_keeps_the_size_and_pads_like_torch(d: int, kernel: int, dilation: int) -> None:
    rng = np.random.default_rng(3)
    xs, ws = (2, 3, *(6,) * d), (4, 3, *(kernel,) * d)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    total = dilation * (kernel - 1)
    # PyTorch puts the odd zero after: total // 2 before, the rest after.
    want = np_conv(x, w, None, (1,) * d, [(total // 2, total - total // 2)] * d, (dilation,) * d, 1)
    got = CONV[d](t(x), t(w), padding="same", dilation=dilation)
    assert tuple(got.shape) == xs[:1] + ws[:1] + xs[2:]
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(CONV[d](t(x), t(w), padding="valid").numpy(),
                               np_conv(x, w, None, (1,) * d, [(0, 0)] * d, (1,) * d, 1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_unbatched_input(d: int) -> None:
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((3, *(5,) * d)), rng.standard_normal((2, 3, *(2,) * d)), rng.standard_normal(2)
    got = CONV[d](t(x), t(w), t(b), 1, 1)
    want = np_conv(x[None], w, b, (1,) * d, [(1, 1)] * d, (1,) * d, 1)[0]
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    tw = rng.standard_normal((3, 2, *(3,) * d))
    got_t = TRANSPOSE[d](t(x), t(tw), None, 2, 1, 1)
    want_t = np_conv_input_grad(x[None], tw, (1, 2, *(10,) * d), (2,) * d, (1,) * d, (1,) * d, 1)[0]
    np.testing.assert_allclose(got_t.numpy(), want_t, rtol=1e-12, atol=1e-12)


def test_non_contiguous_inputs() -> None:
    rng = np.random.default_rng(5)
    base = rng.standard_normal((6, 3, 9, 20))
    x_np = base[::2].transpose(0, 1, 3, 2)[:, :, ::2]      # (3, 3, 10, 9), sliced with steps and transposed
    w_np = rng.standard_normal((3, 4, 3, 2)).transpose(1, 0, 2, 3)   # (4, 3, 3, 2)
    b_np = rng.standard_normal(1)
    x = ember.from_numpy(base)[::2].transpose(2, 3)[:, :, ::2]
    w = ember.from_numpy(w_np.transpose(1, 0, 2, 3).copy()).transpose(0, 1)
    bias = ember.from_numpy(b_np).expand(4)
    assert not x.is_contiguous() and not w.is_contiguous()
    got = ember.conv2d(x, w, bias, 2, 1)
    want = np_conv(x_np, w_np, np.repeat(b_np, 4), (2, 2), [(1, 1)] * 2, (1, 1), 1)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    gy = rng.standard_normal(want.shape)
    gy_t = ember.from_numpy(gy.transpose(0, 1, 3, 2).copy()).transpose(2, 3)
    np.testing.assert_allclose(C.conv2d_input(x_np.shape, w, gy_t, 2, 1).numpy(),
                               np_conv_input_grad(gy, w_np, x_np.shape, (2, 2), (1, 1), (1, 1), 1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(C.conv2d_weight(x, w_np.shape, gy_t, 2, 1).numpy(),
                               np_conv_weight_grad(gy, x_np, w_np.shape, (2, 2), (1, 1), (1, 1), 1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dt", [ember.float32, ember.float16, ember.int64, ember.int32, ember.complex128])
def test_result_dtype_is_the_input_dtype(dt: ember.dtype) -> None:
    x = ember.arange(2 * 3 * 5 * 5).reshape(2, 3, 5, 5).to(dt)
    w = ember.ones(4, 3, 2, 2, dtype=dt)
    b = ember.ones(4, dtype=dt)
    y = ember.conv2d(x, w, b)
    assert y.dtype == dt
    want = np_conv(np.arange(150.0).reshape(2, 3, 5, 5), np.ones((4, 3, 2, 2)), np.ones(4), (1, 1), [(0, 0)] * 2, (1, 1), 1)
    np.testing.assert_allclose(y.numpy().astype(np.complex128), want, rtol=2e-3 if dt is ember.float16 else 1e-6)
    assert ember.conv_transpose2d(y, w).dtype == dt


# -- transposed convolution ------------------------------------------------------------------------------------------

TRANSPOSE_CASES = [
    # input shape, weight shape (Cin, Cout/g, *k), stride, padding, output_padding, groups, dilation
    ((2, 3, 5), (3, 2, 3), 1, 0, 0, 1, 1),
    ((2, 4, 5), (4, 1, 3), 2, 1, 1, 2, 1),
    ((1, 2, 4, 3), (2, 3, 3, 2), (2, 3), (1, 0), (1, 2), 1, 1),
    ((2, 4, 3, 3), (4, 2, 2, 2), 1, 0, (0, 1), 2, (1, 2)),
    ((0, 2, 3, 3), (2, 1, 3, 3), 2, 1, 0, 1, 1),
    ((1, 2, 2, 3, 2), (2, 2, 2, 2, 3), (2, 1, 2), (0, 1, 1), (1, 0, 0), 1, 1),
]


@pytest.mark.parametrize(("xs", "ws", "stride", "padding", "output_padding", "groups", "dilation"), TRANSPOSE_CASES)
def test_conv_transpose_is_the_input_gradient(
    xs: Any, ws: Any, stride: Any, padding: Any, output_padding: Any, groups: int, dilation: Any,
) -> None:
    rng = np.random.default_rng(6)
    d = len(xs) - 2
    s, p, op, dl = tup(stride, d), tup(padding, d), tup(output_padding, d), tup(dilation, d)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[1] * groups)
    size = tuple((n - 1) * si - 2 * pi + di * (k - 1) + oi + 1 for n, si, pi, di, k, oi in zip(xs[2:], s, p, dl, ws[2:], op, strict=True))
    got = TRANSPOSE[d](t(x), t(w), t(b), stride, padding, output_padding, groups, dilation)
    want = np_conv_input_grad(x, w, (xs[0], ws[1] * groups, *size), s, p, dl, groups)
    want = want + b.reshape(1, -1, *(1,) * d)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


def test_conv_transpose_sizes_like_torch() -> None:
    x = ember.ones(2, 4, 8, 8)
    assert ember.conv_transpose2d(x, ember.ones(4, 3, 3, 3)).shape == (2, 3, 10, 10)
    assert ember.conv_transpose2d(x, ember.ones(4, 3, 3, 3), groups=2).shape == (2, 6, 10, 10)
    assert ember.conv_transpose2d(x, ember.ones(4, 3, 3, 3), stride=2, output_padding=1).shape == (2, 3, 18, 18)
    assert ember.conv_transpose2d(x, ember.ones(4, 3, 3, 3), stride=2, dilation=2, output_padding=1).shape == (2, 3, 20, 20)
    assert ember.conv_transpose2d(x, ember.ones(4, 3, 3, 3), dilation=2, output_padding=1).shape == (2, 3, 13, 13)
    assert ember.conv_transpose2d(x, ember.ones(4, 3, 3, 3), padding=5).shape == (2, 3, 0, 0)


# -- property test ---------------------------------------------------------------------------------------------------------

@st.composite
def conv_setups(draw: st.DrawFn) -> tuple[Any, ...]:
    d = draw(st.integers(1, 3))
    groups = draw(st.integers(1, 2))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    n = draw(st.integers(0, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(d))
    lows = [max(1, dl * (k - 1) + 1 - 2 * p) for k, dl, p in zip(kernel, dilation, padding, strict=True)]
    spatial = tuple(draw(st.integers(lo, lo + (4 if d < 3 else 2))) for lo in lows)
    bias = draw(st.booleans())
    return d, (n, cg * groups, *spatial), (og * groups, cg, *kernel), stride, padding, dilation, groups, bias


@settings(max_examples=40, deadline=None)
@given(conv_setups(), st.sampled_from([np.float32, np.float64]))
def test_property_conv_and_gradients(setup: tuple[Any, ...], dtype: Any) -> None:
    d, xs, ws, stride, padding, dilation, groups, with_bias = setup
    rng = np.random.default_rng(7)
    x, w, b = (rng.standard_normal(s).astype(dtype) for s in (xs, ws, ws[:1]))
    tol = 1e-4 if dtype == np.float32 else 1e-11
    y = CONV[d](t(x), t(w), t(b) if with_bias else None, stride, padding, dilation, groups)
    want = np_conv(x, w, b if with_bias else None, stride, [(p, p) for p in padding], dilation, groups)
    assert y.numpy().dtype == dtype and y.numpy().shape == want.shape
    np.testing.assert_allclose(y.numpy(), want, rtol=tol, atol=tol)
    gy = rng.standard_normal(want.shape).astype(dtype)
    gx = GRAD_INPUT[d](xs, t(w), t(gy), stride, padding, dilation, groups).numpy()
    gw = GRAD_WEIGHT[d](t(x), ws, t(gy), stride, padding, dilation, groups).numpy()
    assert gx.dtype == dtype and gw.dtype == dtype
    np.testing.assert_allclose(gx, np_conv_input_grad(gy, w, xs, stride, padding, dilation, groups), rtol=tol, atol=tol)
    np.testing.assert_allclose(gw, np_conv_weight_grad(gy, x, ws, stride, padding, dilation, groups), rtol=tol, atol=tol)


# -- the reference kernels, on a backend without NumPy's behaviour ---------------------------------------------------------

KERNELS = ("conv", "conv_backward_input", "conv_backward_weight")


@pytest.mark.parametrize("name", KERNELS)
def test_reference_kernels_on_array_api_strict(name: str) -> None:
    bk = STRICT
    kernel = OPTIONAL_KERNELS[name]
    assert kernel.samples is not None
    count = 0
    for args, kwargs in kernel.samples(bk, np.random.default_rng(8)):
        host = [np.asarray(bk.to_numpy(a)) if hasattr(a, "shape") else a for a in args]
        got = np.asarray(bk.to_numpy(kernel.reference(bk, *args, **kwargs)))
        if name == "conv":
            x, w, b, s, p, dl, g = host
            want = np_conv(x, w, b, s, [(q, q) for q in p], dl, g)
        elif name == "conv_backward_input":
            gy, w, shape, s, p, dl, g = host
            want = np_conv_input_grad(gy, w, shape, s, p, dl, g)
        else:
            gy, x, shape, s, p, dl, g = host
            want = np_conv_weight_grad(gy, x, shape, s, p, dl, g)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        count += 1
    assert count >= 8


def test_reference_kernels_have_contracts() -> None:
    for name in KERNELS:
        doc = OPTIONAL_KERNELS[name].reference.__doc__ or ""
        assert "Args:" in doc and "Returns:" in doc


def test_grad_helpers_are_not_in_the_ember_namespace() -> None:
    for name in C.GRAD_HELPERS:
        assert callable(getattr(C, name))
        assert not hasattr(ember, name)
    for name in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"):
        assert getattr(ember, name) is getattr(C, name)


# -- errors (wording checked against torch 2.13) -----------------------------------------------------------------------------

X = ember.ones(2, 4, 8, 8)
W = ember.ones(8, 4, 3, 3)

ERRORS = [
    (lambda: ember.conv2d(X, ember.ones(8, 3, 3, 3)), RuntimeError,
     "Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 8, 8] to have 3 channels, but got 4 channels instead"),
    (lambda: ember.conv2d(ember.ones(4, 8, 8), ember.ones(8, 3, 3, 3)), RuntimeError,
     "expected input[1, 4, 8, 8] to have 3 channels, but got 4 channels instead"),
    (lambda: ember.conv2d(ember.ones(8, 8), W), RuntimeError,
     "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [8, 8]"),
    (lambda: ember.conv1d(ember.ones(2, 4, 8, 8), W), RuntimeError,
     "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [2, 4, 8, 8]"),
    (lambda: ember.conv2d(X, ember.ones(8, 4, 3)), RuntimeError, "3-dimensional weight [8, 4, 3]"),
    (lambda: ember.conv2d(X, ember.ones(8, 2, 3, 3), groups=3), RuntimeError,
     "Given groups=3, expected weight to be divisible by 3 at dimension 0, but got weight of size [[8, 2, 3, 3]] instead"),
    (lambda: ember.conv2d(X, ember.ones(0, 4, 3, 3)), RuntimeError,
     "Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size [0, 4, 3, 3] instead"),
    (lambda: ember.conv2d(X, W, groups=0), RuntimeError, "non-positive groups is not supported"),
    (lambda: ember.conv2d(X, W, stride=0), RuntimeError, "non-positive stride is not supported"),
    (lambda: ember.conv2d(X, W, padding=-1), RuntimeError, "negative padding is not supported"),
    (lambda: ember.conv2d(X, W, dilation=0), RuntimeError, "non-positive dilation is not supported"),
    (lambda: ember.conv2d(X, W, stride=(1, 1, 1)), RuntimeError,
     "expected stride to be a single integer value or a list of 2 values to match the convolution dimensions, "
     "but got stride=[1, 1, 1]"),
    (lambda: ember.conv2d(X, W, padding=(1, 1, 1)), RuntimeError, "expected padding to be a single integer value"),
    (lambda: ember.conv2d(X, W, padding="same", stride=2), RuntimeError,
     "padding='same' is not supported for strided convolutions"),
    (lambda: ember.conv2d(X, W, padding="foo"), RuntimeError, "Invalid padding string: 'foo'"),
    (lambda: ember.conv2d(X, ember.ones(8, 4, 9, 9)), RuntimeError,
     "Calculated padded input size per channel: (8 x 8). Kernel size: (9 x 9). Kernel size can't be greater than actual input size"),
    (lambda: ember.conv2d(X, W, padding=(0, 1), dilation=(4, 1)), RuntimeError,
     "Calculated padded input size per channel: (8 x 10). Kernel size: (9 x 3)."),
    (lambda: ember.conv2d(ember.ones(2, 4, 0, 8), ember.ones(4, 4, 1, 1), padding=1), RuntimeError,
     "Only zero batch or zero channel inputs are supported, but got input shape: [2, 4, 0, 8]"),
    (lambda: ember.conv2d(X, W, ember.ones(7)), RuntimeError,
     "Given weight of size [8, 4, 3, 3], expected bias to be 1-dimensional with 8 elements, but got bias of size [7] instead"),
    (lambda: ember.conv2d(X, W.double()), RuntimeError,
     "Input type (ember.FloatTensor) and weight type (ember.DoubleTensor) should be the same"),
    (lambda: ember.conv2d(X, W, ember.ones(8, dtype=ember.float64)), RuntimeError,
     "Input type (float) and bias type (double) should be the same"),
    (lambda: ember.conv2d(X.long(), W.long(), ember.ones(8)), RuntimeError,
     "Input type (long int) and bias type (float) should be the same"),
    (lambda: ember.conv2d(X.bool(), W.bool()), NotImplementedError, "conv2d(): not implemented for 'Bool'"),
    (lambda: ember.conv2d(X, W, stride=1.5), TypeError, "argument 'stride' must be tuple of ints, not float"),
    (lambda: ember.conv2d(X, W, stride=True), TypeError, "argument 'stride' must be tuple of ints, not bool"),
    (lambda: ember.conv2d(X, W, groups=1.0), TypeError, "argument 'groups' must be int, not float"),
    (lambda: ember.conv2d(X, [1]), TypeError, "argument 'weight' must be Tensor, not list"),
    (lambda: ember.conv2d([1], W), TypeError, "argument 'input' must be Tensor, not list"),
    (lambda: ember.conv2d(X, W, [1.0]), TypeError, "argument 'bias' must be Tensor, not list"),
    # transposed
    (lambda: ember.conv_transpose2d(X, ember.ones(5, 3, 3, 3)), RuntimeError,
     "Given transposed=1, weight of size [5, 3, 3, 3], expected input[2, 4, 8, 8] to have 5 channels, but got 4 channels instead"),
    (lambda: ember.conv_transpose2d(X, ember.ones(4, 3, 3, 3), groups=3), RuntimeError,
     "Given groups=3, expected weight to be divisible by 3 at dimension 0"),
    (lambda: ember.conv_transpose2d(X, ember.ones(4, 3, 3, 3), stride=2, output_padding=2), RuntimeError,
     "output padding must be smaller than either stride or dilation, but got output_padding_height: 2 "
     "output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1 dilation_width: 1"),
    (lambda: ember.conv_transpose1d(ember.ones(2, 4, 5), ember.ones(4, 3, 3), stride=2, output_padding=2), RuntimeError,
     "but got output_padding_height: 0 output_padding_width: 2 stride_height: 1 stride_width: 2 "
     "dilation_height: 1 dilation_width: 1"),
    (lambda: ember.conv_transpose2d(X, ember.ones(4, 3, 3, 3), output_padding=-1), RuntimeError,
     "negative output_padding is not supported"),
    (lambda: ember.conv_transpose2d(X, ember.ones(4, 3, 3, 3), padding="same"), TypeError,
     "conv_transpose2d(): argument 'padding' must be tuple of ints, not str"),
    (lambda: ember.conv_transpose2d(X, ember.ones(4, 3, 3, 3), bias=ember.ones(4)), RuntimeError,
     "Given transposed=1, weight of size [4, 3, 3, 3], expected bias to be 1-dimensional with 3 elements, "
     "but got bias of size [4] instead"),
    (lambda: ember.conv_transpose2d(ember.ones(8, 8), ember.ones(4, 3, 3, 3)), RuntimeError,
     "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: [8, 8]"),
    (lambda: ember.conv_transpose2d(X, ember.ones(4, 3, 3, 3), padding=6), RuntimeError, "Output size is too small"),
    (lambda: ember.conv_transpose2d(X.bool(), ember.ones(4, 3, 3, 3).bool()), NotImplementedError, "not implemented for 'Bool'"),
    # gradient helpers
    (lambda: C.conv2d_input((2, 4, 8, 8), W, ember.ones(2, 8, 5, 5)), RuntimeError,
     "conv2d_input(): expected grad_output of size [2, 8, 6, 6]"),
    (lambda: C.conv2d_input((2, 4, 11, 11), W, ember.ones(2, 8, 4, 4), stride=2), RuntimeError,
     "expected grad_output of size [2, 8, 5, 5]"),
    (lambda: C.conv2d_weight(X, (8, 4, 3, 3), ember.ones(2, 8, 5, 6)), RuntimeError,
     "conv2d_weight(): expected grad_output of size [2, 8, 6, 6]"),
    (lambda: C.conv2d_input((4, 8, 8), W, ember.ones(8, 6, 6)), RuntimeError, "4-dimensional"),
    (lambda: C.conv2d_weight(X, (8, 3, 3, 3), ember.ones(2, 8, 6, 6)), RuntimeError, "does not fit input"),
    (lambda: C.conv2d_input((2, 4, 8, 8), W, ember.ones(2, 8, 6, 6, dtype=ember.float64)), RuntimeError,
     "expected scalar type"),
    (lambda: C.conv2d_input(5, W, ember.ones(2, 8, 6, 6)), TypeError, "argument 'input_size' must be a sequence of ints"),
]


@pytest.mark.parametrize(("call", "exc", "message"), ERRORS)
def test_errors(call: Any, exc: type[Exception], message: str) -> None:
    with raises(exc, message):
        call()


def test_grad_helper_sizes_beyond_the_last_window_get_zero() -> None:
    rng = np.random.default_rng(9)
    w, gy = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal((1, 3, 4, 4))
    for size in (9, 10):   # both give a 4x4 output with stride 2
        gx = C.conv2d_input((1, 2, size, size), t(w), t(gy), stride=2).numpy()
        want = np_conv_input_grad(gy, w, (1, 2, size, size), (2, 2), (0, 0), (1, 1), 1)
        np.testing.assert_allclose(gx, want, rtol=1e-12, atol=1e-12)
    assert np.all(gx[..., 9, :] == 0)
