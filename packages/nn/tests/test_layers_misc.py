"""Dropout, Embedding/EmbeddingBag, padding, pixel-shuffle and upsampling layers: values against NumPy,
training/eval behaviour, gradients, and ``repr`` strings captured from torch 2.13."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.autograd import gradcheck


def _np(t: ember.Tensor) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _t(a: np.ndarray) -> ember.Tensor:
    return ember.from_numpy(np.ascontiguousarray(a))


# -- dropout ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layer", [nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout,
                                   nn.FeatureAlphaDropout])
def test_dropout_is_identity_in_eval_mode(layer: Any) -> None:
    x = ember.randn(2, 3, 4, 4, 2) if layer is nn.Dropout3d else ember.randn(2, 3, 4, 4)
    if layer is nn.Dropout1d:
        x = ember.randn(2, 3, 4)
    m = layer(0.5).eval()
    np.testing.assert_array_equal(_np(m(x)), _np(x))


def test_dropout_training_scales_survivors() -> None:
    ember.manual_seed(0)
    x = ember.ones(200, 100)
    out = _np(nn.Dropout(0.3)(x))
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.02


def test_channel_dropout_zeroes_whole_channels() -> None:
    ember.manual_seed(1)
    for layer, shape in ((nn.Dropout1d, (20, 30, 5)), (nn.Dropout2d, (20, 30, 3, 3)), (nn.Dropout3d, (20, 30, 2, 2, 2))):
        out = _np(layer(0.5)(ember.ones(*shape))).reshape(20, 30, -1)
        per_channel = out.min(axis=-1) == out.max(axis=-1)
        assert per_channel.all() and set(np.unique(out)) <= {0.0, 2.0}
        assert 0.35 < (out[..., 0] == 0).mean() < 0.65


def test_dropout_inplace_and_errors() -> None:
    x = ember.ones(50, 50)
    assert nn.Dropout(0.5, inplace=True)(x) is x
    assert (_np(x) == 0).any()
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1\\.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got -0\\.1"):
        nn.Dropout2d(-0.1)


def test_alpha_dropout_keeps_moments() -> None:
    ember.manual_seed(2)
    out = _np(nn.AlphaDropout(0.2)(ember.randn(100000, dtype=ember.float64)))
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02


# -- embedding ---------------------------------------------------------------------------------------------------

def test_embedding_lookup_and_grad() -> None:
    rng = np.random.default_rng(0)
    m = nn.Embedding(6, 3, padding_idx=2, dtype=ember.float64)
    w = rng.standard_normal((6, 3))
    m.load_state_dict({"weight": _t(w)})
    idx = np.array([[0, 2, 5], [2, 1, 0]])
    out = m(_t(idx))
    np.testing.assert_array_equal(_np(out), w[idx])
    g = rng.standard_normal((2, 3, 3))
    out.backward(_t(g))
    ref = np.zeros_like(w)
    np.add.at(ref, idx, g)
    ref[2] = 0  # padding_idx gets no gradient
    np.testing.assert_allclose(_np(m.weight.grad), ref, rtol=1e-12)


def test_embedding_init_and_padding_row() -> None:
    ember.manual_seed(0)
    m = nn.Embedding(1000, 20, padding_idx=-1)
    w = _np(m.weight)
    assert m.padding_idx == 999 and (w[999] == 0).all()
    assert abs(w[:999].std() - 1) < 0.03  # N(0, 1)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.EmbeddingBag(5, 2, padding_idx=-6)


def test_embedding_max_norm_renormalizes_in_place() -> None:
    w = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    m = nn.Embedding.from_pretrained(_t(w), max_norm=1.0)
    out = _np(m(_t(np.array([0, 1]))))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    np.testing.assert_allclose(_np(m.weight)[2], [6.0, 8.0])  # not looked up: unchanged


def test_embedding_from_pretrained() -> None:
    w = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    m = nn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad and m(ember.tensor([1])).tolist() == [[3.0, 4.0]]
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be 2-dimensional"):
        nn.Embedding.from_pretrained(ember.ones(3))
    with pytest.raises(AssertionError, match="Shape of weight does not match num_embeddings and embedding_dim"):
        nn.Embedding(3, 2, _weight=ember.ones(2, 2))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag(mode: str) -> None:
    rng = np.random.default_rng(1)
    w = rng.standard_normal((10, 3))
    m = nn.EmbeddingBag(10, 3, mode=mode, dtype=ember.float64)
    m.load_state_dict({"weight": _t(w)})
    reduce = {"sum": np.sum, "mean": np.mean, "max": np.max}[mode]
    idx = np.array([1, 2, 4, 5, 4, 3, 2, 9])
    offsets = np.array([0, 4, 4])
    bags = [idx[0:4], idx[4:4], idx[4:]]
    ref = np.stack([reduce(w[b], axis=0) if len(b) else np.zeros(3) for b in bags])
    np.testing.assert_allclose(_np(m(_t(idx), _t(offsets))), ref, rtol=1e-12)
    idx2 = idx.reshape(2, 4)
    np.testing.assert_allclose(_np(m(_t(idx2))), reduce(w[idx2], axis=1), rtol=1e-12)


def test_embedding_bag_per_sample_weights_and_from_pretrained() -> None:
    w = np.arange(12.0).reshape(4, 3)
    m = nn.EmbeddingBag.from_pretrained(_t(w), mode="sum", freeze=False)
    assert m.weight.requires_grad
    out = m(_t(np.array([0, 1, 3])), _t(np.array([0, 2])), per_sample_weights=_t(np.array([1.0, 2.0, 0.5])))
    np.testing.assert_allclose(_np(out), [w[0] + 2 * w[1], 0.5 * w[3]])


# -- padding -------------------------------------------------------------------------------------------------------

_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
PADS = [
    (nn.ZeroPad1d, 1, "constant", 2), (nn.ZeroPad2d, 2, "constant", (1, 2, 0, 3)), (nn.ZeroPad3d, 3, "constant", 1),
    (nn.ReflectionPad1d, 1, "reflect", (2, 1)), (nn.ReflectionPad2d, 2, "reflect", 2),
    (nn.ReflectionPad3d, 3, "reflect", (1, 0, 1, 1, 0, 1)), (nn.ReplicationPad1d, 1, "replicate", 3),
    (nn.ReplicationPad2d, 2, "replicate", (0, 1, 2, 3)), (nn.ReplicationPad3d, 3, "replicate", 1),
    (nn.CircularPad1d, 1, "circular", (1, 2)), (nn.CircularPad2d, 2, "circular", 1),
    (nn.CircularPad3d, 3, "circular", (1, 1, 0, 2, 1, 0)),
]


def _np_pad(x: np.ndarray, pad: tuple[int, ...], mode: str, value: float = 0.0) -> np.ndarray:
    d = len(pad) // 2
    widths = [(0, 0)] * (x.ndim - d) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(d))]
    if mode == "constant":
        return np.pad(x, widths, constant_values=value)
    return np.pad(x, widths, mode=_MODES[mode])  # type: ignore[call-overload]


@pytest.mark.parametrize(("layer", "d", "mode", "pad"), PADS)
def test_padding_layers(layer: Any, d: int, mode: str, pad: Any) -> None:
    x = np.random.default_rng(d).standard_normal((2, 3, *([4] * d)))
    m = layer(pad)
    full = pad if isinstance(pad, tuple) else (pad,) * (2 * d)
    np.testing.assert_array_equal(_np(m(_t(x))), _np_pad(x, full, mode))
    np.testing.assert_array_equal(_np(m(_t(x[0]))), _np_pad(x[0], full, mode))  # unbatched


def test_constant_pad_and_errors() -> None:
    x = np.arange(6.0).reshape(1, 2, 3)
    np.testing.assert_array_equal(_np(nn.ConstantPad2d((1, 0, 2, 1), 3.5)(_t(x))), _np_pad(x, (1, 0, 2, 1), "constant", 3.5))
    np.testing.assert_array_equal(_np(nn.ConstantPad1d(1, -1.0)(_t(x))), _np_pad(x, (1, 1), "constant", -1.0))
    np.testing.assert_array_equal(_np(nn.ConstantPad3d(1, 2.0)(_t(x[None]))), _np_pad(x[None], (1,) * 6, "constant", 2.0))
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        nn.CircularPad2d(1)(ember.ones(3, 3))


def test_padding_gradcheck() -> None:
    x = ember.randn(1, 2, 3, 3, dtype=ember.float64, requires_grad=True)
    for m in (nn.ReflectionPad2d(1), nn.ReplicationPad2d((1, 0, 2, 1)), nn.CircularPad2d(1), nn.ZeroPad2d(1)):
        assert gradcheck(m, (x,))


# -- pixel shuffle and upsampling -----------------------------------------------------------------------------------

def test_pixel_shuffle_round_trip() -> None:
    x = np.random.default_rng(0).standard_normal((2, 8, 3, 4))
    out = _np(nn.PixelShuffle(2)(_t(x)))
    ref = x.reshape(2, 2, 2, 2, 3, 4).transpose(0, 1, 4, 2, 5, 3).reshape(2, 2, 6, 8)
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(_np(nn.PixelUnshuffle(2)(_t(out))), x)


def test_upsample_nearest_and_bilinear() -> None:
    x = np.random.default_rng(1).standard_normal((1, 2, 3, 4))
    np.testing.assert_array_equal(_np(nn.Upsample(scale_factor=2)(_t(x))), x.repeat(2, axis=2).repeat(2, axis=3))
    np.testing.assert_array_equal(_np(nn.UpsamplingNearest2d(size=(6, 8))(_t(x))), x.repeat(2, axis=2).repeat(2, axis=3))
    # align_corners=True: output pixel i samples input position i * (in - 1) / (out - 1)
    out = _np(nn.UpsamplingBilinear2d(size=(5, 7))(_t(x)))
    ys, xs = np.linspace(0, 2, 5), np.linspace(0, 3, 7)
    y0, x0 = np.minimum(ys.astype(int), 1), np.minimum(xs.astype(int), 2)
    wy, wx = (ys - y0)[:, None], (xs - x0)[None, :]
    g = lambda a, b: x[:, :, a][:, :, :, b]  # noqa: E731
    ref = (g(y0, x0) * (1 - wy) * (1 - wx) + g(y0 + 1, x0) * wy * (1 - wx)
           + g(y0, x0 + 1) * (1 - wy) * wx + g(y0 + 1, x0 + 1) * wy * wx)
    np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6)
    assert nn.Upsample(size=(4, 5), mode="bilinear")(_t(x)).shape == (1, 2, 4, 5)
    assert nn.Upsample(scale_factor=(2, 1), mode="nearest")(_t(x)).shape == (1, 2, 6, 4)


def test_upsample_gradcheck() -> None:
    x = ember.randn(1, 1, 2, 3, dtype=ember.float64, requires_grad=True)
    assert gradcheck(nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), (x,))
    assert gradcheck(nn.PixelShuffle(1), (x,))


REPRS = [
    (lambda: nn.Dropout(), "Dropout(p=0.5, inplace=False)"),
    (lambda: nn.Dropout(0.2, inplace=True), "Dropout(p=0.2, inplace=True)"),
    (lambda: nn.Dropout2d(0.3), "Dropout2d(p=0.3, inplace=False)"),
    (lambda: nn.AlphaDropout(0.1), "AlphaDropout(p=0.1, inplace=False)"),
    (lambda: nn.Embedding(10, 3), "Embedding(10, 3)"),
    (lambda: nn.Embedding(10, 3, padding_idx=0, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True),
     "Embedding(10, 3, padding_idx=0, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True)"),
    (lambda: nn.Embedding(10, 3, padding_idx=-1), "Embedding(10, 3, padding_idx=9)"),
    (lambda: nn.EmbeddingBag(10, 3), "EmbeddingBag(10, 3, mode='mean')"),
    (lambda: nn.EmbeddingBag(10, 3, mode="max", padding_idx=2, max_norm=2.0, include_last_offset=True),
     "EmbeddingBag(10, 3, max_norm=2.0, mode='max', padding_idx=2)"),
    (lambda: nn.ZeroPad1d(2), "ZeroPad1d((2, 2))"),
    (lambda: nn.ZeroPad2d((1, 2, 3, 4)), "ZeroPad2d((1, 2, 3, 4))"),
    (lambda: nn.ConstantPad1d(2, 3.5), "ConstantPad1d(padding=(2, 2), value=3.5)"),
    (lambda: nn.ConstantPad3d(1, 2), "ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=2)"),
    (lambda: nn.ReflectionPad2d(1), "ReflectionPad2d((1, 1, 1, 1))"),
    (lambda: nn.ReplicationPad1d((1, 2)), "ReplicationPad1d((1, 2))"),
    (lambda: nn.CircularPad2d((1, 1, 2, 2)), "CircularPad2d((1, 1, 2, 2))"),
    (lambda: nn.Upsample(scale_factor=2), "Upsample(scale_factor=2.0, mode='nearest')"),
    (lambda: nn.Upsample(size=(4, 5), mode="bilinear", align_corners=True), "Upsample(size=(4, 5), mode='bilinear')"),
    (lambda: nn.UpsamplingNearest2d(scale_factor=2), "UpsamplingNearest2d(scale_factor=2.0, mode='nearest')"),
    (lambda: nn.UpsamplingBilinear2d(size=4), "UpsamplingBilinear2d(size=4, mode='bilinear')"),
    (lambda: nn.PixelShuffle(2), "PixelShuffle(upscale_factor=2)"),
    (lambda: nn.PixelUnshuffle(3), "PixelUnshuffle(downscale_factor=3)"),
]


@pytest.mark.parametrize(("make", "text"), REPRS)
def test_reprs(make: Any, text: str) -> None:
    assert repr(make()) == text
