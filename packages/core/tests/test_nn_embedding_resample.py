"""embedding, embedding_bag, one_hot, pad, interpolate and pixel (un)shuffle against NumPy
references, with PyTorch 2.13's exception types and messages."""

from __future__ import annotations

from functools import partial
from itertools import pairwise

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
INDEX_SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


# -- embedding -------------------------------------------------------------------------------

@PROPERTY
@given(INDEX_SHAPES, st.sampled_from([ember.int64, ember.int32]), st.booleans())
def test_embedding_and_one_hot(shape: tuple[int, ...], idt: ember.dtype, strided: bool) -> None:
    rng = np.random.default_rng(sum(shape) + 7)
    idx = rng.integers(0, 6, shape)
    w = rng.standard_normal((6, 3)).astype(np.float32)
    weight = ember.tensor(w)
    t = ember.tensor(idx, dtype=idt)
    if strided and idx.ndim:
        doubled = np.repeat(idx, 2, axis=-1)
        t, idx = ember.tensor(doubled, dtype=idt)[..., ::2], doubled[..., ::2]
    got = ember.embedding(t, weight)
    assert got.dtype is ember.float32 and tuple(got.shape) == (*idx.shape, 3)
    np.testing.assert_array_equal(got.numpy(), w[idx])
    hot = ember.one_hot(t.long(), 6)
    assert hot.dtype is ember.int64
    np.testing.assert_array_equal(hot.numpy(), np.eye(6, dtype=np.int64)[idx])
    if idx.size:
        np.testing.assert_array_equal(ember.one_hot(t.long()).numpy(), np.eye(idx.max() + 1, dtype=np.int64)[idx])


def test_embedding_max_norm_renormalizes_in_place() -> None:
    w = np.arange(15.0).reshape(5, 3)
    weight = ember.tensor(w)
    out = ember.embedding(ember.tensor([1, 1, 4]), weight, max_norm=2.0)
    expected = w.copy()
    for r in (1, 4):
        norm = np.linalg.norm(w[r])
        expected[r] = w[r] * 2.0 / (norm + 1e-7)
    np.testing.assert_allclose(weight.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(out.numpy(), expected[[1, 1, 4]], rtol=1e-12)
    ember.embedding(ember.tensor([0]), weight, max_norm=1.0, norm_type=1.0)
    np.testing.assert_allclose(np.abs(weight.numpy()[0]).sum(), min(3.0, 1.0), rtol=1e-6)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag(mode: str) -> None:
    rng = np.random.default_rng(5)
    w = rng.standard_normal((6, 4))
    idx = np.array([1, 2, 5, 0, 2, 2, 3])
    offsets = np.array([0, 3, 3, 5])
    reduce = {"sum": np.sum, "mean": np.mean, "max": np.max}[mode]
    bounds = [*offsets, len(idx)]
    expected = np.stack([reduce(w[idx[s:e]], axis=0) if e > s else np.zeros(4)
                         for s, e in pairwise(bounds)])
    got = ember.embedding_bag(ember.tensor(idx), ember.tensor(w), ember.tensor(offsets), mode=mode)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)
    two_d = ember.embedding_bag(ember.tensor(idx[:6].reshape(2, 3)), ember.tensor(w), mode=mode)
    np.testing.assert_allclose(two_d.numpy(), reduce(w[idx[:6].reshape(2, 3)], axis=1), rtol=1e-12)
    last = ember.embedding_bag(ember.tensor(idx), ember.tensor(w), ember.tensor([0, 3, 6]), mode=mode,
                               include_last_offset=True)
    np.testing.assert_allclose(last.numpy(), np.stack([reduce(w[idx[0:3]], 0), reduce(w[idx[3:6]], 0)]), rtol=1e-12)
    padded = ember.embedding_bag(ember.tensor(idx), ember.tensor(w), ember.tensor(offsets), mode=mode, padding_idx=2)
    rows = [idx[s:e][idx[s:e] != 2] for s, e in pairwise(bounds)]
    np.testing.assert_allclose(padded.numpy(), np.stack([reduce(w[r], 0) if len(r) else np.zeros(4) for r in rows]),
                               rtol=1e-12)


def test_embedding_bag_per_sample_weights() -> None:
    w = np.arange(12.0).reshape(4, 3)
    psw = np.array([0.5, 2.0, -1.0])
    got = ember.embedding_bag(ember.tensor([0, 1, 3]), ember.tensor(w), ember.tensor([0, 2]), mode="sum",
                              per_sample_weights=ember.tensor(psw))
    np.testing.assert_allclose(got.numpy(), [0.5 * w[0] + 2 * w[1], -w[3]])


def test_embedding_errors() -> None:
    w = ember.randn(5, 3)
    with raises(IndexError, "index out of range in self"):
        ember.embedding(ember.tensor([5]), w)
    with raises(IndexError, "index out of range in self"):
        ember.embedding(ember.tensor([-1]), w)
    with raises(RuntimeError, "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                              "Long, Int"):
        ember.embedding(ember.tensor([1.0]), w)
    with raises(RuntimeError, "'weight' must be 2-D"):
        ember.embedding(ember.tensor([1]), ember.ones(5))
    with raises(AssertionError, "Padding_idx must be within num_embeddings"):
        ember.embedding(ember.tensor([1]), w, padding_idx=5)
    with raises(AssertionError, "Padding_idx must be within num_embeddings"):
        ember.embedding(ember.tensor([1]), w, padding_idx=-6)
    with raises(RuntimeError, "Class values must be smaller than num_classes."):
        ember.one_hot(ember.tensor([0, 2]), 2)
    with raises(RuntimeError, "Class values must be non-negative."):
        ember.one_hot(ember.tensor([0, -1]), 3)
    with raises(RuntimeError, "one_hot is only applicable to index tensor of type LongTensor."):
        ember.one_hot(ember.tensor([0, 1], dtype=ember.int32), 3)
    with raises(RuntimeError, "Can not infer total number of classes from empty tensor."):
        ember.one_hot(ember.tensor([], dtype=ember.int64))
    with raises(ValueError, "offsets has to be a 1D Tensor but got None"):
        ember.embedding_bag(ember.tensor([1, 2]), w)
    with raises(ValueError, "mode has to be one of sum, mean or max"):
        ember.embedding_bag(ember.tensor([1, 2]), w, ember.tensor([0]), mode="foo")
    with raises(NotImplementedError, "per_sample_weights is only supported for mode='sum' (got mode='mean')"):
        ember.embedding_bag(ember.tensor([1, 2]), w, ember.tensor([0]), per_sample_weights=ember.ones(2))
    with raises(RuntimeError, "offsets[0] has to be 0"):
        ember.embedding_bag(ember.tensor([1, 2]), w, ember.tensor([1]))
    with raises(RuntimeError, "offsets[-1] can not be greater than input's length 2 but got offsets[-1] of 3"):
        ember.embedding_bag(ember.tensor([1, 2]), w, ember.tensor([0, 3]))


# -- pad -------------------------------------------------------------------------------------

NP_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@PROPERTY
@given(st.sampled_from(list(NP_MODES)), st.integers(1, 3), st.data())
def test_pad_matches_numpy(mode: str, k: int, data: st.DataObject) -> None:
    ndim = data.draw(st.integers(k + 1, k + 2)) if mode != "constant" else data.draw(st.integers(k, 4))
    low = 0 if mode == "constant" else 1
    shape = tuple(data.draw(st.integers(low, 4)) for _ in range(ndim))
    if mode != "constant" and ndim == k + 2:
        shape = (data.draw(st.integers(0, 2)), *shape[1:])
    a = np.arange(float(np.prod(shape))).reshape(shape)
    limit = {"constant": 3, "reflect": 0, "replicate": 3, "circular": 0}[mode]
    pairs = []
    for n in shape[ndim - k:]:
        hi = limit if mode in ("constant", "replicate") else (n - 1 if mode == "reflect" else n)
        pairs.append((data.draw(st.integers(0, hi)), data.draw(st.integers(0, hi))))
    flat = tuple(v for pair in reversed(pairs) for v in pair)
    t = ember.tensor(a)
    if data.draw(st.booleans()) and ndim >= 2:
        t = ember.tensor(np.ascontiguousarray(a.swapaxes(0, 1))).transpose(0, 1)
    kwargs = {"value": 2.5} if mode == "constant" else {}
    got = ember.pad(t, flat, mode=mode, **kwargs)
    full = [(0, 0)] * (ndim - k) + pairs
    np_kwargs = {"constant_values": 2.5} if mode == "constant" else {}
    np.testing.assert_array_equal(got.numpy(), np.pad(a, full, mode=NP_MODES[mode], **np_kwargs))


def test_pad_negative_and_dtypes() -> None:
    x = ember.arange(12.0).view(1, 3, 4)
    np.testing.assert_array_equal(ember.pad(x, (-1, -2)).numpy(), x.numpy()[..., 1:2])
    assert ember.pad(ember.ones(2, 3, dtype=ember.int64), (1, 1), value=1.5).tolist()[0] == [1, 1, 1, 1, 1]
    assert ember.pad(x, (-1, 1), mode="circular").tolist()[0][0] == [1.0, 2.0, 3.0, 1.0]
    assert ember.pad(x, (-1, 1), mode="reflect").tolist()[0][0] == [1.0, 2.0, 3.0, 2.0]
    assert ember.pad(x, (0, 0, 1, 0), value=-1.0).shape == (1, 4, 4)


def test_pad_errors() -> None:
    x = ember.arange(12.0).view(1, 3, 4)
    with raises(RuntimeError, "Padding length must be divisible by 2"):
        ember.pad(x, (1,))
    with raises(RuntimeError, "Padding length should be less than or equal to two times the input dimension but got "
                              "padding length 8 and input of dimension 3"):
        ember.pad(x, (1,) * 8)
    with raises(RuntimeError, "Argument #4: Padding size should be less than the corresponding input dimension, but "
                              "got: padding (4, 1) at dimension 2 of input [1, 3, 4]"):
        ember.pad(x, (4, 1), mode="reflect")
    with raises(RuntimeError, "Padding value causes wrapping around more than once."):
        ember.pad(x, (5, 1), mode="circular")
    with raises(NotImplementedError, "Unrecognised padding mode foo"):
        ember.pad(x, (1, 1), mode="foo")
    with raises(RuntimeError, 'Padding mode "reflect" doesn\'t take in value argument'):
        ember.pad(x, (1, 1), mode="reflect", value=2)
    with raises(NotImplementedError, "Padding size 2 is not supported for 1D input tensor."):
        ember.pad(ember.ones(4), (1, 1), mode="reflect")
    with raises(RuntimeError, "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other non-zero "
                              "dimensions for input, but got: [2, 0, 4]"):
        ember.pad(ember.ones(2, 0, 4), (1, 1), mode="replicate")
    with raises(TypeError, "must be tuple of ints, but found element of type float at pos 0"):
        ember.pad(x, (1.5, 1))
    with raises(RuntimeError, "negative"):
        ember.pad(x, (-3, -2))


# -- interpolate ---------------------------------------------------------------------------------

def np_linear_1d(a: np.ndarray, out: int, align: bool) -> np.ndarray:
    """PyTorch's linear interpolation along the last axis (independent NumPy version)."""
    n = a.shape[-1]
    j = np.arange(out, dtype=np.float64)
    if align:
        src = j * ((n - 1) / (out - 1) if out > 1 else 0.0)
    else:
        src = np.maximum((j + 0.5) * (n / out) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(int), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = src - i0
    return a[..., i0] * (1 - lam) + a[..., i1] * lam


@PROPERTY
@given(st.integers(1, 6), st.integers(1, 9), st.booleans(), st.integers(0, 2))
def test_interpolate_linear_and_nearest(n: int, out: int, align: bool, batch: int) -> None:
    a = np.random.default_rng(n * 31 + out).standard_normal((batch, 2, n))
    t = ember.tensor(a)
    got = ember.interpolate(t, size=out, mode="linear", align_corners=align)
    np.testing.assert_allclose(got.numpy(), np_linear_1d(a, out, align), rtol=1e-12, atol=1e-12)
    near = ember.interpolate(t, size=out)
    src = np.minimum(np.floor(np.arange(out) * np.float32(n / out)).astype(int), n - 1)
    if out == 2 * n:
        src = np.arange(out) // 2
    np.testing.assert_array_equal(near.numpy(), a[..., src])
    # bilinear is linear along each axis in turn
    a2 = np.random.default_rng(n).standard_normal((1, 1, n, n + 1))
    got2 = ember.interpolate(ember.tensor(a2).transpose(2, 3).transpose(2, 3), size=(out, out + 1), mode="bilinear",
                             align_corners=align)
    expected2 = np_linear_1d(np_linear_1d(a2, out + 1, align).swapaxes(-1, -2), out, align).swapaxes(-1, -2)
    np.testing.assert_allclose(got2.numpy(), expected2, rtol=1e-10, atol=1e-12)


def test_interpolate_known_values() -> None:
    # values printed by torch 2.13
    x = ember.arange(5.0).view(1, 1, 5)
    np.testing.assert_allclose(ember.interpolate(x, scale_factor=1.7, mode="linear").numpy().ravel(),
                               [0.0, 0.3824, 0.9706, 1.5588, 2.1471, 2.7353, 3.3235, 3.9118], atol=1e-4)
    assert ember.interpolate(x, scale_factor=0.6).tolist()[0][0] == [0.0, 1.0, 3.0]
    assert ember.interpolate(x, scale_factor=0.6, mode="nearest-exact").tolist()[0][0] == [0.0, 2.0, 4.0]
    assert ember.interpolate(x, scale_factor=1.7).tolist()[0][0] == [0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 4.0]
    np.testing.assert_allclose(ember.interpolate(x, size=2, mode="area").numpy().ravel(), [1.0, 3.0])
    cubic = ember.interpolate(ember.ones(1, 2, 3, 4), size=(6, 7), mode="bicubic")
    np.testing.assert_allclose(cubic.numpy(), 1.0, rtol=1e-6)  # the cubic weights sum to 1
    h = ember.interpolate(ember.ones(1, 1, 2, 2, dtype=ember.float16), size=3, mode="bilinear")
    assert h.dtype is ember.float16 and h.shape == (1, 1, 3, 3)
    assert ember.interpolate(ember.ones(0, 3, 4), size=6, mode="linear").shape == (0, 3, 6)


def test_interpolate_errors() -> None:
    x = ember.arange(12.0).view(1, 3, 4)
    with raises(ValueError, "either size or scale_factor should be defined"):
        ember.interpolate(x)
    with raises(ValueError, "only one of size or scale_factor should be defined"):
        ember.interpolate(x, size=6, scale_factor=2)
    with raises(ValueError, "Input and output must have the same number of spatial dimensions, but got input with "
                            "spatial dimensions of [4] and output size of (6, 2)."):
        ember.interpolate(x, size=(6, 2))
    with raises(ValueError, "scale_factor of shape (2, 2)"):
        ember.interpolate(x, scale_factor=(2, 2))
    with raises(NotImplementedError, "Got 3D input, but bilinear mode needs 4D input"):
        ember.interpolate(x, size=6, mode="bilinear")
    with raises(NotImplementedError, "Input Error: Only 3D, 4D and 5D input Tensors supported (got 3D)", "(got foo)"):
        ember.interpolate(x, size=6, mode="foo")
    with raises(ValueError, "align_corners option can only be set with the interpolating modes"):
        ember.interpolate(x, size=6, align_corners=True)
    with raises(RuntimeError, "Input and output sizes should be greater than 0, but got input (W: 4) and output (W: 0)"):
        ember.interpolate(x, size=0)
    with raises(ValueError, "Anti-alias option is restricted to bilinear, bicubic"):
        ember.interpolate(x, size=6, antialias=True)
    with raises(NotImplementedError, "interpolate", "Long"):
        ember.interpolate(x.long(), size=6)
    with raises(ValueError, "recompute_scale_factor is not meaningful with an explicit size."):
        ember.interpolate(x, size=6, mode="linear", recompute_scale_factor=True)
    with raises(RuntimeError, "Non-empty 3D data tensor expected but got a tensor with sizes [1, 0, 4]"):
        ember.interpolate(ember.ones(1, 0, 4), size=6, mode="linear")


# -- pixel shuffle -------------------------------------------------------------------------------

@PROPERTY
@given(st.integers(1, 3), st.integers(0, 2), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2))
def test_pixel_shuffle_roundtrip(r: int, n: int, c: int, h: int, lead: int) -> None:
    shape = (*(2,) * (lead - 1), n, c * r * r, h, h + 1)
    a = np.arange(float(np.prod(shape))).reshape(shape)
    got = ember.pixel_shuffle(ember.tensor(a), r)
    lead_shape = shape[:-3]
    expected = a.reshape(*lead_shape, c, r, r, h, h + 1)
    m = len(lead_shape)
    expected = expected.transpose(*range(m), m, m + 3, m + 1, m + 4, m + 2).reshape(*lead_shape, c, h * r, (h + 1) * r)
    np.testing.assert_array_equal(got.numpy(), expected)
    np.testing.assert_array_equal(ember.pixel_unshuffle(got, r).numpy(), a)


def test_pixel_shuffle_errors() -> None:
    with raises(RuntimeError, "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                              "upscale_factor, but input.size(-3)=7 is not divisible by 4"):
        ember.pixel_shuffle(ember.ones(1, 7, 2, 3), 2)
    with raises(RuntimeError, "pixel_shuffle expects input to have at least 3 dimensions, but got input with 2 "
                              "dimension(s)"):
        ember.pixel_shuffle(ember.ones(7, 2), 2)
    with raises(RuntimeError, "pixel_unshuffle expects height to be divisible by downscale_factor, but "
                              "input.size(-2)=3 is not divisible by 2"):
        ember.pixel_unshuffle(ember.ones(1, 2, 3, 4), 2)
    with raises(RuntimeError, "pixel_shuffle expects a positive upscale_factor, but got 0"):
        ember.pixel_shuffle(ember.ones(1, 2, 4, 4), 0)
