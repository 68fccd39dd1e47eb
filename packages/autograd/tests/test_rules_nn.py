"""Every nn rule (convolution, pooling, softmax, dropout, normalization, embedding, padding,
interpolation, pixel shuffles), gradchecked in float64 over contiguous and non-contiguous inputs,
and gradgradchecked where the second derivative exists."""

from __future__ import annotations

import numpy as np
import pytest
from _autograd_helpers import first as _first

import ember
import ember.autograd
from ember.autograd import gradcheck, gradgradcheck

LAYOUTS = ("contiguous", "transposed", "strided")


def make(shape, seed, layout="contiguous", lo=-1.0, hi=1.0):
    """A float64 leaf of ``shape``; 'transposed' swaps the last two dims of its storage, 'strided'
    takes every other element of the last dim."""
    rng = np.random.default_rng(seed)
    shape = tuple(shape)
    if layout == "transposed" and len(shape) >= 2:
        arr = rng.uniform(lo, hi, size=(*shape[:-2], shape[-1], shape[-2]))
        t = ember.tensor(arr, dtype=ember.float64).transpose(-1, -2)
    elif layout == "strided" and shape:
        arr = rng.uniform(lo, hi, size=(*shape[:-1], shape[-1] * 2))
        t = ember.tensor(arr, dtype=ember.float64)[..., ::2]
    else:
        t = ember.tensor(rng.uniform(lo, hi, size=shape), dtype=ember.float64)
    assert tuple(t.shape) == shape
    return t.detach().requires_grad_()


def distinct(shape, seed, layout="contiguous"):
    """Like :func:`make` with well separated values (max pooling needs no near-ties)."""
    n = int(np.prod(shape))
    perm = np.random.default_rng(seed).permutation(n).astype(np.float64) * 0.37
    x = make(shape, seed, layout)
    with ember.no_grad():
        x.copy_(ember.tensor(perm.reshape(shape), dtype=ember.float64))
    return x


def check(fn, inputs, second=True):
    assert gradcheck(fn, inputs)
    if second:
        assert gradgradcheck(fn, inputs)


def grad_fn_name(t):
    return type(t.grad_fn).__name__


# -- convolution ----------------------------------------------------------------------------------

CONV_CASES = [
    # (d, input shape, weight shape, kwargs)
    (1, (2, 2, 5), (3, 2, 3), {}),
    (1, (2, 4, 6), (4, 2, 2), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}),
    (1, (2, 5), (3, 2, 2), {"padding": "same"}),
    (2, (1, 2, 4, 4), (2, 2, 2, 3), {"padding": (1, 0), "stride": (1, 2)}),
    (2, (1, 2, 4, 3), (2, 1, 2, 2), {"groups": 2, "dilation": (2, 1)}),
    (2, (1, 4, 4), (2, 1, 2, 2), {"padding": "same"}),
    (3, (1, 1, 3, 3, 3), (2, 1, 2, 2, 2), {"padding": 1, "stride": 2}),
]
CONV = {1: ember.conv1d, 2: ember.conv2d, 3: ember.conv3d}
CONV_T = {1: ember.conv_transpose1d, 2: ember.conv_transpose2d, 3: ember.conv_transpose3d}


@pytest.mark.parametrize("case", range(len(CONV_CASES)))
def test_conv(case):
    d, xs, ws, kw = CONV_CASES[case]
    layout = LAYOUTS[case % 3]
    x, w, b = make(xs, 1, layout), make(ws, 2, LAYOUTS[(case + 1) % 3]), make((ws[0],), 3)
    y = CONV[d](x, w, b, **kw)
    assert grad_fn_name(y) == "ConvolutionBackward0"
    check(lambda x, w, b: CONV[d](x, w, b, **kw), (x, w, b), second=d < 3)


def test_conv_positional_no_bias_and_expanded_weight():
    x, w = make((1, 2, 5), 4), make((1, 2, 3), 5)
    check(lambda x, w: ember.conv1d(x, w.expand(3, 2, 3), None, 1, 1), (x, w))


def test_conv_third_order():
    x, w = make((1, 1, 4), 6), make((1, 1, 2), 7)
    y = ember.conv1d(x, w)
    (gx,) = ember.autograd.grad((y * y).sum(), (x,), create_graph=True)
    (gw,) = ember.autograd.grad(gx.pow(2).sum(), (w,), create_graph=True)
    (gxx,) = ember.autograd.grad(gw.sum(), (x,))
    assert gxx is not None and tuple(gxx.shape) == (1, 1, 4)


CONV_T_CASES = [
    (1, (2, 2, 3), (2, 3, 3), {}),
    (1, (1, 4, 3), (4, 1, 2), {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}),
    (1, (2, 3), (2, 2, 3), {"stride": 1, "dilation": 2, "output_padding": 1}),
    (2, (1, 2, 2, 3), (2, 2, 2, 2), {"stride": (2, 1), "padding": (0, 1), "output_padding": (1, 0)}),
    (3, (1, 1, 2, 2, 2), (1, 2, 2, 1, 2), {"stride": 2}),
]


@pytest.mark.parametrize("case", range(len(CONV_T_CASES)))
def test_conv_transpose(case):
    d, xs, ws, kw = CONV_T_CASES[case]
    x, w = make(xs, 8, LAYOUTS[case % 3]), make(ws, 9)
    b = make((ws[1] * kw.get("groups", 1),), 10)
    y = CONV_T[d](x, w, b, **kw)
    assert grad_fn_name(y) == "ConvolutionBackward0"
    check(lambda x, w, b: CONV_T[d](x, w, b, **kw), (x, w, b), second=d < 3)


# -- pooling --------------------------------------------------------------------------------------

MAX_POOL_CASES = [
    ("max_pool1d", (2, 2, 7), dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool1d", (2, 6), dict(kernel_size=2, dilation=2, ceil_mode=True)),
    ("max_pool2d", (1, 2, 5, 4), dict(kernel_size=2, stride=1)),
    ("max_pool2d", (2, 5, 5), dict(kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True)),
    ("max_pool3d", (1, 1, 3, 4, 3), dict(kernel_size=2, stride=1)),
    ("max_pool2d_with_indices", (1, 1, 4, 4), dict(kernel_size=2)),
    ("max_pool1d_with_indices", (1, 2, 6), dict(kernel_size=2)),
    ("max_pool3d_with_indices", (1, 2, 2, 2, 3), dict(kernel_size=2, padding=1)),
    ("adaptive_max_pool1d", (2, 2, 7), dict(output_size=3)),
    ("adaptive_max_pool2d", (1, 2, 5, 4), dict(output_size=(2, 3))),
    ("adaptive_max_pool3d", (1, 3, 3, 3), dict(output_size=2)),
    ("adaptive_max_pool2d_with_indices", (1, 1, 4, 5), dict(output_size=2)),
]
MAX_NODES = {"max": "MaxPool{}DWithIndicesBackward0", "adaptive": "AdaptiveMaxPool{}DBackward0"}


@pytest.mark.parametrize("case", range(len(MAX_POOL_CASES)))
def test_max_pools(case):
    name, shape, kw = MAX_POOL_CASES[case]
    fn = getattr(ember, name)
    x = distinct(shape, 11 + case, LAYOUTS[case % 3])
    out = fn(x, **kw)
    d = int(name.split("pool")[1][0])
    assert grad_fn_name(_first(out)) == MAX_NODES[name.split("_")[0]].format(d)
    if isinstance(out, tuple):
        assert not out[1].requires_grad and out[1].grad_fn is None
    check(lambda x: _first(fn(x, **kw)), (x,))


def test_max_pool_return_indices_and_values_only_agree():
    x = distinct((1, 2, 4, 4), 30)
    values, indices = ember.max_pool2d(x, 2, return_indices=True)
    values.sum().backward()
    g1 = x.grad.clone()
    x.grad = None
    ember.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(g1.numpy(), x.grad.numpy())
    flat = g1.reshape(1, 2, 16).numpy()
    assert (np.take_along_axis(flat, indices.reshape(1, 2, 4).numpy(), -1) == 1).all()
    assert flat.sum() == 8


AVG_CASES = [
    ("avg_pool1d", (2, 2, 7), dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool1d", (2, 5), dict(kernel_size=2, ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d", (1, 2, 5, 4), dict(kernel_size=2, stride=1, padding=1, count_include_pad=False)),
    ("avg_pool2d", (2, 4, 4), dict(kernel_size=3, stride=2, padding=1, divisor_override=2)),
    ("avg_pool3d", (1, 1, 3, 4, 3), dict(kernel_size=2, stride=1, ceil_mode=True)),
    ("adaptive_avg_pool1d", (2, 2, 7), dict(output_size=3)),
    ("adaptive_avg_pool2d", (1, 2, 5, 4), dict(output_size=(2, None))),
    ("adaptive_avg_pool3d", (1, 3, 3, 4), dict(output_size=2)),
]


@pytest.mark.parametrize("case", range(len(AVG_CASES)))
def test_avg_pools(case):
    name, shape, kw = AVG_CASES[case]
    fn = getattr(ember, name)
    x = make(shape, 40 + case, LAYOUTS[case % 3])
    d = int(name.split("pool")[1][0])
    prefix = "Adaptive" if name.startswith("adaptive") else ""
    assert grad_fn_name(fn(x, **kw)) == f"{prefix}AvgPool{d}DBackward0"
    check(lambda x: fn(x, **kw), (x,))


def test_avg_pool_positional_and_integer_output_not_recorded():
    x = make((1, 1, 6), 50, "strided")
    check(lambda x: ember.avg_pool1d(x, 2, 2, 1, False, False), (x,))
    i = ember.ones(1, 1, 4, 4, dtype=ember.int64)
    assert ember.avg_pool2d(i, 2).grad_fn is None


# -- softmax --------------------------------------------------------------------------------------

SOFTMAX = {
    "softmax_method": (lambda x: x.softmax(1), "SoftmaxBackward0"),
    "softmax_function": (lambda x: ember.softmax(x, dim=-1), "SoftmaxBackward0"),
    "softmax_positional_dtype": (lambda x: ember.softmax(x, 0, ember.float64), "SoftmaxBackward0"),
    "log_softmax_method": (lambda x: x.log_softmax(dim=0), "LogSoftmaxBackward0"),
    "log_softmax_function": (lambda x: ember.log_softmax(x, 1), "LogSoftmaxBackward0"),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(SOFTMAX))
def test_softmax(name, layout):
    fn, node = SOFTMAX[name]
    x = make((3, 4), 60, layout, -3, 3)
    assert grad_fn_name(fn(x)) == node
    check(fn, (x,))


def test_softmax_zero_d_implicit_dim_and_float32_input():
    x = make((), 61)
    check(lambda x: x.softmax(0), (x,))
    check(lambda x: ember.log_softmax(x, 0), (x,))
    y = make((2, 3), 62)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = ember.softmax(y)
    out.backward(ember.ones(2, 3, dtype=ember.float64))
    np.testing.assert_allclose(y.grad.numpy(), 0, atol=1e-12)
    z = ember.randn(2, 3).requires_grad_()
    w = ember.randn(2, 3, dtype=ember.float64)
    ember.softmax(z, 1, dtype=ember.float64).backward(w)
    s = ember.softmax(z.detach().double(), 1).numpy()
    expected = s * (w.numpy() - (w.numpy() * s).sum(1, keepdims=True))
    assert z.grad.dtype == ember.float32
    np.testing.assert_allclose(z.grad.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_softmax_backward_matches_numpy():
    x = make((2, 5), 63, "transposed", -2, 2)
    g = np.random.default_rng(0).standard_normal((2, 5))
    ember.log_softmax(x, 1).backward(ember.tensor(g, dtype=ember.float64))
    s = np.exp(x.detach().numpy())
    s /= s.sum(1, keepdims=True)
    np.testing.assert_allclose(x.grad.numpy(), g - s * g.sum(1, keepdims=True), rtol=1e-12)


# -- dropout --------------------------------------------------------------------------------------

DROPOUTS = {
    "dropout": (lambda x, **k: ember.dropout(x, 0.4, **k), (3, 4), "MulBackward0"),
    "feature_dropout": (lambda x, **k: ember.feature_dropout(x, 0.5, True, **k), (2, 3, 2), "MulBackward0"),
    "dropout1d": (lambda x, **k: ember.dropout1d(x, p=0.5, **k), (3, 4), "SqueezeBackward1"),  # unbatched, as torch
    "dropout1d_batched": (lambda x, **k: ember.dropout1d(x, p=0.5, **k), (2, 3, 2), "MulBackward0"),
    "dropout2d": (lambda x, **k: ember.dropout2d(x, 0.5, **k), (2, 2, 2, 2), "MulBackward0"),
    "dropout3d": (lambda x, **k: ember.dropout3d(x, 0.5, **k), (2, 2, 1, 2), "SqueezeBackward1"),  # unbatched
    "alpha_dropout": (lambda x, **k: ember.alpha_dropout(x, 0.3, True, **k), (3, 4), "AddBackward0"),
    "feature_alpha_dropout": (lambda x, **k: ember.feature_alpha_dropout(x, 0.5, training=True, **k), (2, 3, 2),
                              "AddBackward0"),
}


@pytest.mark.parametrize("name", sorted(DROPOUTS))
def test_dropout_uses_the_forward_mask(name):
    fn, shape, node = DROPOUTS[name]
    x = make(shape, 70, "transposed")
    with ember.no_grad():
        x[..., 0] = 0.0  # zeros in the input: the mask cannot be read off the output
    gen = ember.Generator().manual_seed(3)
    out = fn(x, generator=gen)
    assert grad_fn_name(out) == node
    g = ember.tensor(np.random.default_rng(1).standard_normal(shape), dtype=ember.float64)
    out.backward(g)
    # the same draw, replayed on ones: the mask (plus the shift, for alpha dropout)
    ones = ember.ones(shape, dtype=ember.float64)
    zeros = ember.zeros(shape, dtype=ember.float64)
    mask = fn(ones, generator=ember.Generator().manual_seed(3)) - fn(zeros, generator=ember.Generator().manual_seed(3))
    np.testing.assert_allclose(x.grad.numpy(), (g * mask).numpy(), rtol=1e-12)
    # gradcheck with a fixed generator seed per call (the mask is the same in every evaluation)
    check(lambda x: fn(x, generator=ember.Generator().manual_seed(5)), (x,))


def test_dropout_p_one_and_eval():
    x = make((2, 3), 71)
    y = ember.dropout(x, 1.0)
    y.backward(ember.ones(2, 3, dtype=ember.float64))
    np.testing.assert_array_equal(x.grad.numpy(), 0)
    assert ember.dropout(x, 0.5, training=False) is x


# -- normalization --------------------------------------------------------------------------------

def test_layer_norm():
    x, w, b = make((2, 3, 4), 80, "transposed"), make((3, 4), 81), make((3, 4), 82, "strided")
    assert grad_fn_name(ember.layer_norm(x, (3, 4), w, b)) == "NativeLayerNormBackward0"
    check(lambda x, w, b: ember.layer_norm(x, (3, 4), w, b), (x, w, b))
    check(lambda x: ember.layer_norm(x, [4], eps=1e-3), (x,))
    check(lambda x, b: ember.layer_norm(x, (4,), None, b.expand(4)), (x, make((1,), 83)))


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm(training):
    x, w, b = make((3, 2, 2), 84, "strided"), make((2,), 85), make((2,), 86)
    rm, rv = ember.zeros(2, dtype=ember.float64), ember.ones(2, dtype=ember.float64) * 1.5

    def f(x, w, b):
        return ember.batch_norm(x, rm.clone(), rv.clone(), w, b, training, 0.1, 1e-3)

    assert grad_fn_name(f(x, w, b)) == "NativeBatchNormBackward0"
    check(f, (x, w, b))
    x2 = make((4, 3), 87, "transposed")
    check(lambda x: ember.batch_norm(x, None, None, training=True), (x2,))


def test_batch_norm_running_stats_get_no_grad():
    rm = ember.zeros(2, dtype=ember.float64, requires_grad=True)
    x = make((3, 2), 88)
    ember.batch_norm(x, rm, None, training=True).sum().backward()
    assert rm.grad is None and x.grad is not None


def test_group_norm():
    x, w, b = make((2, 4, 3), 89, "transposed"), make((4,), 90), make((4,), 91)
    assert grad_fn_name(ember.group_norm(x, 2, w, b)) == "NativeGroupNormBackward0"
    check(lambda x, w, b: ember.group_norm(x, 2, w, b, 1e-3), (x, w, b))
    check(lambda x: ember.group_norm(x, num_groups=4), (make((2, 4, 2, 2), 92, "strided"),))


def test_rms_norm():
    x, w = make((2, 3, 4), 93, "strided"), make((4,), 94)
    check(lambda x, w: ember.rms_norm(x, (4,), w), (x, w))
    check(lambda x: ember.rms_norm(x, [3, 4], eps=1e-4), (x,))


def test_instance_norm_and_normalize_composites():
    x, w, b = make((2, 2, 3), 95, "transposed"), make((2,), 96), make((2,), 97)
    check(lambda x, w, b: ember.instance_norm(x, weight=w, bias=b), (x, w, b))
    check(lambda x: ember.normalize(x, p=2.0, dim=1), (make((3, 4), 98, "strided"),))


def test_norm_create_graph_matches_kernel_gradients():
    x, w, b = make((3, 2, 2), 99), make((2,), 100), make((2,), 101)
    for f in (lambda x, w, b: ember.batch_norm(x, None, None, w, b, training=True),
              lambda x, w, b: ember.group_norm(x, 1, w, b),
              lambda x, w, b: ember.layer_norm(x, (2,), w, b),
              lambda x, w, b: ember.rms_norm(x, (2,), w) + b):
        g = ember.tensor(np.random.default_rng(2).standard_normal((3, 2, 2)), dtype=ember.float64)
        plain = ember.autograd.grad(f(x, w, b), (x, w, b), g)
        graph = ember.autograd.grad(f(x, w, b), (x, w, b), g, create_graph=True)
        for p, q in zip(plain, graph, strict=True):
            np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12)


# -- embeddings -----------------------------------------------------------------------------------

def test_embedding():
    idx = ember.tensor([[0, 2, 2], [3, 0, 1]])
    w = make((4, 3), 110, "transposed")
    assert grad_fn_name(ember.embedding(idx, w)) == "EmbeddingBackward0"
    check(lambda w: ember.embedding(idx, w), (w,))
    check(lambda w: ember.embedding(idx.int(), w, max_norm=None, norm_type=2.0), (w,))


@pytest.mark.parametrize("kw", [dict(padding_idx=-2), dict(scale_grad_by_freq=True),
                                dict(padding_idx=0, scale_grad_by_freq=True)])
def test_embedding_modified_gradient_is_differentiable(kw):
    # padding_idx and scale_grad_by_freq change the gradient, not the forward (so no gradcheck of the
    # forward): check that the gradient, as a function of grad_output, has the right derivative.
    idx = ember.tensor([[0, 2, 2], [3, 0, 1]])
    w = make((4, 3), 112)
    g = make((2, 3, 3), 113, "strided")

    def weight_grad(g):
        (gw,) = ember.autograd.grad(ember.embedding(idx, w, **kw), (w,), g, create_graph=True)
        return gw

    assert gradcheck(weight_grad, (g,))


def test_embedding_gradient_values():
    idx = ember.tensor([0, 2, 2, 1])
    w = make((3, 2), 111)
    ember.embedding(idx, w, padding_idx=1, scale_grad_by_freq=True).backward(ember.ones(4, 2, dtype=ember.float64))
    np.testing.assert_array_equal(w.grad.numpy(), [[1, 1], [0, 0], [1, 1]])


def test_one_hot_not_recorded():
    assert ember.one_hot(ember.tensor([0, 2])).grad_fn is None


# -- padding, interpolation, pixel shuffles -------------------------------------------------------

PADS = [
    ((2, 3), (1, 2), "constant", 0.5),
    ((2, 3, 4), (-1, 1, 2, 0), "constant", None),
    ((2, 5), (2, 1), "reflect", None),
    ((1, 2, 3, 3), (1, 2, 2, 1), "reflect", None),
    ((2, 3), (2, 2), "replicate", None),
    ((1, 1, 2, 2, 3), (1, 0, 1, 1, 0, 2), "replicate", None),
    ((1, 2, 4), (2, 1), "circular", None),
    ((2, 3, 3), (1, 1, 2, 0), "circular", None),
]


@pytest.mark.parametrize("case", range(len(PADS)))
def test_pad(case):
    shape, pads, mode, value = PADS[case]
    x = make(shape, 120 + case, LAYOUTS[case % 3])
    out = ember.pad(x, pads, mode, value)
    k = len(pads) // 2
    expected = "ConstantPadNdBackward0" if mode == "constant" else {
        "reflect": "Reflection", "replicate": "Replication", "circular": "Circular"}[mode] + f"Pad{k}DBackward0"
    assert grad_fn_name(out) == expected
    check(lambda x: ember.pad(x, pads, mode=mode, value=value), (x,))


INTERPOLATIONS = [
    ((1, 2, 3), dict(scale_factor=2, mode="nearest"), "UpsampleNearest1DBackward0"),
    ((1, 1, 3, 2), dict(size=(4, 5), mode="nearest-exact"), "UpsampleNearestExact2DBackward0"),
    ((1, 1, 2, 2, 2), dict(scale_factor=1.5), "UpsampleNearest3DBackward0"),
    ((1, 2, 4), dict(size=6, mode="linear", align_corners=True), "UpsampleLinear1DBackward0"),
    ((1, 1, 3, 3), dict(scale_factor=(1.5, 2), mode="bilinear"), "UpsampleBilinear2DBackward0"),
    ((1, 1, 2, 2, 3), dict(size=(3, 3, 2), mode="trilinear"), "UpsampleTrilinear3DBackward0"),
    ((1, 1, 3, 3), dict(size=(4, 5), mode="bicubic", align_corners=False), "UpsampleBicubic2DBackward0"),
    ((1, 1, 4, 4), dict(scale_factor=2, mode="bicubic", align_corners=True), "UpsampleBicubic2DBackward0"),
    ((1, 2, 5, 4), dict(size=(3, 2), mode="area"), "AdaptiveAvgPool2DBackward0"),
    ((1, 1, 5), dict(scale_factor=0.5, mode="linear", recompute_scale_factor=True), "UpsampleLinear1DBackward0"),
]


@pytest.mark.parametrize("case", range(len(INTERPOLATIONS)))
def test_interpolate(case):
    shape, kw, node = INTERPOLATIONS[case]
    x = make(shape, 130 + case, LAYOUTS[case % 3])
    assert grad_fn_name(ember.interpolate(x, **kw)) == node
    check(lambda x: ember.interpolate(x, **kw), (x,))


def test_pixel_shuffles():
    x = make((1, 8, 2, 1), 140, "transposed")
    assert grad_fn_name(ember.pixel_shuffle(x, 2)) == "PixelShuffleBackward0"
    check(lambda x: ember.pixel_shuffle(x, 2), (x,))
    y = make((2, 1, 4, 2), 141, "strided")
    assert grad_fn_name(ember.pixel_unshuffle(y, 2)) == "PixelUnshuffleBackward0"
    check(lambda y: ember.pixel_unshuffle(y, downscale_factor=2), (y,))


BAGS = [
    # (input, offsets, kwargs)
    ([0, 2, 2, 3, 1, 0], [0, 2, 2, 5], dict(mode="sum")),
    ([0, 2, 2, 3, 1, 0], [0, 3], dict(mode="mean")),
    ([0, 2, 3, 3, 1, 0], [0, 1, 4], dict(mode="max")),
    ([[0, 2, 1], [3, 3, 0]], None, dict(mode="mean")),
    ([0, 2, 2, 3, 1], [0, 2, 5], dict(mode="sum", include_last_offset=True)),
]


@pytest.mark.parametrize("case", range(len(BAGS)))
def test_embedding_bag(case):
    data, offsets, kw = BAGS[case]
    idx = ember.tensor(data)
    offs = None if offsets is None else ember.tensor(offsets)
    w = distinct((4, 3), 150 + case, LAYOUTS[case % 3])
    assert grad_fn_name(ember.embedding_bag(idx, w, offs, **kw)) == "EmbeddingBagBackward0"
    check(lambda w: ember.embedding_bag(idx, w, offs, **kw), (w,))


def test_embedding_bag_per_sample_weights_and_padding():
    idx, offs = ember.tensor([0, 2, 2, 3, 1]), ember.tensor([0, 2])
    w, p = make((4, 3), 160), make((5,), 161, "strided")
    check(lambda w, p: ember.embedding_bag(idx, w, offs, mode="sum", per_sample_weights=p), (w, p))
    idx2 = ember.tensor([[0, 2], [3, 1]])
    check(lambda w, p: ember.embedding_bag(idx2, w, mode="sum", per_sample_weights=p.reshape(2, 2)),
          (w, make((4,), 162)))
    # padding_idx changes only the gradient; compare it with NumPy
    g = ember.tensor(np.random.default_rng(3).standard_normal((2, 3)), dtype=ember.float64)
    w.grad = None
    ember.embedding_bag(idx, w, offs, mode="mean", padding_idx=2).backward(g)
    expected = np.zeros((4, 3))
    expected[0] += g.numpy()[0]          # bag 0 = [0, 2(pad)]: one counted lookup
    expected[3] += g.numpy()[1] / 2      # bag 1 = [2(pad), 3, 1]: two counted lookups
    expected[1] += g.numpy()[1] / 2
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_create_graph_matches_kernel(mode):
    idx, offs = ember.tensor([0, 2, 2, 3, 1, 0]), ember.tensor([0, 2, 2])
    w = distinct((4, 3), 163)
    g = ember.tensor(np.random.default_rng(4).standard_normal((3, 3)), dtype=ember.float64)
    plain = ember.autograd.grad(ember.embedding_bag(idx, w, offs, mode=mode, padding_idx=2), (w,), g)[0]
    graph = ember.autograd.grad(ember.embedding_bag(idx, w, offs, mode=mode, padding_idx=2), (w,), g,
                                create_graph=True)[0]
    np.testing.assert_allclose(plain.numpy(), graph.detach().numpy(), rtol=1e-12)


# -- dtypes, saved tensors ------------------------------------------------------------------------

def test_half_precision_gradients_follow_the_input_dtype():
    rng = np.random.default_rng(5)
    xs = rng.standard_normal((2, 4))
    x = ember.tensor(xs, dtype=ember.float16).requires_grad_()
    w = ember.ones(4, requires_grad=True)  # float32 weight with float16 input, as PyTorch allows
    ember.layer_norm(x, (4,), w).sum().backward()
    assert x.grad.dtype == ember.float16 and w.grad.dtype == ember.float32
    np.testing.assert_allclose(x.grad.float().numpy(), 0, atol=1e-2)
    x.grad = None
    g = rng.standard_normal((2, 4))
    x.softmax(1).backward(ember.tensor(g, dtype=ember.float16))
    s = np.exp(xs) / np.exp(xs).sum(1, keepdims=True)
    expected = s * (g - (g * s).sum(1, keepdims=True))
    assert x.grad.dtype == ember.float16
    np.testing.assert_allclose(x.grad.float().numpy(), expected, atol=2e-2)


def test_saved_input_modified_in_place_is_detected():
    x = make((1, 1, 4), 170)
    w = make((1, 1, 2), 171)
    h = x * 1
    y = ember.conv1d(h, w)
    with ember.no_grad():
        h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_second_backward_through_freed_graph_raises():
    x = make((2, 3), 172)
    y = ember.layer_norm(x, (3,)).pow(2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_inplace_dropout_records_the_mask():
    x = ember.ones(4, dtype=ember.float64, requires_grad=True)
    h = x * 1
    y = ember.dropout(h, 0.5, inplace=True, generator=ember.Generator().manual_seed(0))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    assert y is h and y.grad_fn.name() == "CopyBackwards"


def test_inplace_dropout_on_a_leaf_that_requires_grad_raises():
    x = ember.ones(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        ember.dropout(x, 0.5, inplace=True)
