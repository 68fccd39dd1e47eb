"""``ember.nn.functional``'s ops: core's ops re-exported under torch.nn.functional's names and
signatures, and the ones written in ember.nn (softmin, lp_pool1d/2d/3d, unfold/fold, the deprecated
upsample wrappers) against NumPy references, with gradcheck and torch's errors (captured from torch 2.13)."""

from __future__ import annotations

import inspect
import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck

PROPERTY = settings(max_examples=20, deadline=None)

CORE = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d", "softmax", "log_softmax",
    "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
    "layer_norm", "batch_norm", "group_norm", "instance_norm", "rms_norm", "normalize",
    "embedding", "embedding_bag", "one_hot", "pad", "interpolate", "pixel_shuffle", "pixel_unshuffle",
]

# torch.nn.functional's parameter lists (torch 2.13), for the ops whose signature torch exposes.
SIGNATURES = {
    "dropout": ["input", "p", "training", "inplace"],
    "alpha_dropout": ["input", "p", "training", "inplace"],
    "softmax": ["input", "dim", "_stacklevel", "dtype"],
    "softmin": ["input", "dim", "_stacklevel", "dtype"],
    "layer_norm": ["input", "normalized_shape", "weight", "bias", "eps"],
    "batch_norm": ["input", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"],
    "interpolate": ["input", "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor", "antialias"],
    "upsample": ["input", "size", "scale_factor", "mode", "align_corners"],
    "upsample_nearest": ["input", "size", "scale_factor"],
    "upsample_bilinear": ["input", "size", "scale_factor"],
    "lp_pool1d": ["input", "norm_type", "kernel_size", "stride", "ceil_mode"],
    "lp_pool2d": ["input", "norm_type", "kernel_size", "stride", "ceil_mode"],
    "unfold": ["input", "kernel_size", "dilation", "padding", "stride"],
    "fold": ["input", "output_size", "kernel_size", "dilation", "padding", "stride"],
    "max_pool2d": ["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"],
}


@pytest.mark.parametrize("name", CORE)
def test_core_ops_are_reexported(name: str) -> None:
    assert getattr(F, name) is getattr(ember, name)
    assert name in F.__all__


@pytest.mark.parametrize(("name", "params"), sorted(SIGNATURES.items()))
def test_signatures_follow_torch(name: str, params: list[str]) -> None:
    sig = inspect.signature(getattr(F, name))
    positional = [p.name for p in sig.parameters.values() if p.kind is not p.KEYWORD_ONLY]
    assert positional == params


def test_dropout_defaults_follow_torch() -> None:
    defaults = {k: v.default for k, v in inspect.signature(F.dropout).parameters.items()}
    assert (defaults["p"], defaults["training"], defaults["inplace"]) == (0.5, True, False)


# -- softmin ----------------------------------------------------------------------------------------

def test_softmin() -> None:
    arr = np.random.default_rng(0).normal(size=(3, 4)) * 30
    for dim in (0, 1, -1):
        e = np.exp(-arr - (-arr).max(axis=dim, keepdims=True))
        np.testing.assert_allclose(F.softmin(ember.tensor(arr), dim).numpy(), e / e.sum(axis=dim, keepdims=True),
                                   rtol=1e-12)
    out = F.softmin(ember.tensor(arr, dtype=ember.float32), 1, dtype=ember.float64)
    assert out.dtype == ember.float64
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin has been deprecated"):
        F.softmin(ember.ones(2, 3))
    assert gradcheck(lambda t: F.softmin(t, 1), (ember.tensor(arr / 30, requires_grad=True),))


# -- power-average pooling --------------------------------------------------------------------------

def _windows(x: np.ndarray, k: tuple[int, ...], s: tuple[int, ...]) -> np.ndarray:
    """(N, C, *out, *k) windows of ``x`` (no padding, floor mode)."""
    d = len(k)
    view = np.lib.stride_tricks.sliding_window_view(x, k, axis=tuple(range(2, 2 + d)))
    return view[(..., *[slice(None, None, st_) for st_ in s], *[slice(None)] * d)]


@PROPERTY
@given(
    d=st.sampled_from([1, 2, 3]), p=st.sampled_from([1.0, 2.0, 3.0, 1.5]),
    k=st.integers(1, 3), s=st.one_of(st.none(), st.integers(1, 2)), seed=st.integers(0, 2**16),
)
def test_lp_pool_matches_numpy(d: int, p: float, k: int, s: int | None, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.1, 2.0, size=(2, 2, *([4] * d)))
    fn = {1: F.lp_pool1d, 2: F.lp_pool2d, 3: F.lp_pool3d}[d]
    out = fn(ember.tensor(x), p, k, s)
    w = _windows(x, (k,) * d, ((s or k),) * d)
    expected = (w ** p).sum(axis=tuple(range(-d, 0))) ** (1 / p)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10)


def test_lp_pool_inf_and_gradcheck() -> None:
    x = np.random.default_rng(1).normal(size=(1, 2, 6))
    np.testing.assert_allclose(F.lp_pool1d(ember.tensor(x), float("inf"), 2).numpy(),
                               np.abs(x).reshape(1, 2, 3, 2).max(-1))
    xp = ember.tensor(np.abs(x) + 0.1, requires_grad=True)
    assert gradcheck(lambda t: F.lp_pool1d(t, 2.0, 2), (xp,))
    assert gradcheck(lambda t: F.lp_pool2d(t.reshape(1, 1, 2, 6), 3.0, (2, 2), stride=1), (xp,))
    zero = ember.zeros(1, 1, 4, requires_grad=True)
    F.lp_pool1d(zero, 2.0, 2).sum().backward()
    assert zero.grad is not None and np.isfinite(zero.grad.numpy()).all()


# -- unfold / fold ----------------------------------------------------------------------------------

def _unfold_ref(x: np.ndarray, k: tuple[int, int], d: tuple[int, int], p: tuple[int, int],
                s: tuple[int, int]) -> np.ndarray:
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    oh = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out = np.zeros((n, c, k[0], k[1], oh, ow))
    for i, j in itertools.product(range(k[0]), range(k[1])):
        out[:, :, i, j] = xp[:, :, i * d[0]: i * d[0] + s[0] * (oh - 1) + 1: s[0],
                             j * d[1]: j * d[1] + s[1] * (ow - 1) + 1: s[1]]
    return out.reshape(n, c * k[0] * k[1], oh * ow)


def _fold_ref(cols: np.ndarray, size: tuple[int, int], k: tuple[int, int], d: tuple[int, int],
              p: tuple[int, int], s: tuple[int, int]) -> np.ndarray:
    n = cols.shape[0]
    c = cols.shape[1] // (k[0] * k[1])
    oh = (size[0] + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (size[1] + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    blocks = cols.reshape(n, c, k[0], k[1], oh, ow)
    out = np.zeros((n, c, size[0] + 2 * p[0], size[1] + 2 * p[1]))
    for i, j in itertools.product(range(k[0]), range(k[1])):
        out[:, :, i * d[0]: i * d[0] + s[0] * (oh - 1) + 1: s[0],
            j * d[1]: j * d[1] + s[1] * (ow - 1) + 1: s[1]] += blocks[:, :, i, j]
    return out[:, :, p[0]: p[0] + size[0], p[1]: p[1] + size[1]]


PAIRS = st.tuples(st.integers(1, 2), st.integers(1, 3))


@PROPERTY
@given(k=PAIRS, d=PAIRS, p=st.tuples(st.integers(0, 1), st.integers(0, 2)), s=PAIRS,
       hw=st.tuples(st.integers(4, 6), st.integers(5, 7)), batched=st.booleans(), seed=st.integers(0, 2**16))
def test_unfold_fold_match_numpy(k: Any, d: Any, p: Any, s: Any, hw: Any, batched: bool, seed: int) -> None:
    assume(all(hw[i] + 2 * p[i] >= d[i] * (k[i] - 1) + 1 for i in range(2)))  # at least one block
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 3, *hw))
    cols = _unfold_ref(x, k, d, p, s)
    xt = ember.tensor(x) if batched else ember.tensor(x[0])
    out = F.unfold(xt, k, d, p, s)
    np.testing.assert_allclose(out.numpy(), cols if batched else cols[0], rtol=1e-12, atol=1e-12)
    folded = F.fold(ember.tensor(cols) if batched else ember.tensor(cols[0]), hw, k, d, p, s)
    expected = _fold_ref(cols, hw, k, d, p, s)
    np.testing.assert_allclose(folded.numpy(), expected if batched else expected[0], rtol=1e-12, atol=1e-12)


def test_unfold_fold_gradcheck_and_noncontiguous() -> None:
    rng = np.random.default_rng(2)
    x = ember.tensor(rng.normal(size=(1, 2, 4, 5)), requires_grad=True)
    assert gradcheck(lambda t: F.unfold(t, (2, 3), padding=1, stride=(2, 1)), (x,))
    cols = ember.tensor(rng.normal(size=(1, 8, 6)), requires_grad=True)
    assert gradcheck(lambda t: F.fold(t, (3, 4), 2), (cols,))
    xt = ember.tensor(rng.normal(size=(1, 2, 5, 4))).transpose(2, 3)
    np.testing.assert_allclose(F.unfold(xt, 2).numpy(), _unfold_ref(xt.numpy(), (2, 2), (1, 1), (0, 0), (1, 1)))
    assert tuple(F.unfold(ember.zeros(0, 2, 3, 3), 2).shape) == (0, 8, 4)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: F.unfold(ember.ones(1, 2, 3, 3, 3), 2), "Expected 3D or 4D (batch mode) tensor with possibly 0 batch "
     "size and other non-zero dimensions for input, but got: [1, 2, 3, 3, 3]"),
    (lambda: F.unfold(ember.ones(1, 2, 3, 3), (2, 2, 2)), "It is expected kernel_size equals to 2, but got size 3"),
    (lambda: F.unfold(ember.ones(1, 2, 3, 3), 2, stride=0),
     "stride should be greater than zero, but got stride_height: 0 stride_width: 0"),
    (lambda: F.unfold(ember.ones(1, 2, 3, 3), 4), "Given input with spatial size (3, 3), kernel_size=(4, 4), "
     "dilation=(1, 1), padding=(0, 0), calculated shape of the array of sliding blocks as (0, 0), but its "
     "components must be at least one."),
    (lambda: F.fold(ember.ones(1, 7, 4), (3, 3), 2), "Expected size of input's dimension 1 to be divisible by the "
     "product of kernel_size, but got input.size(1)=7 and kernel_size=(2, 2)."),
    (lambda: F.fold(ember.ones(1, 8, 5), (3, 3), 2), "Given output_size=(3, 3), kernel_size=(2, 2), dilation=(1, 1), "
     "padding=(0, 0), stride=(1, 1), expected size of input's dimension 2 to match the calculated number of sliding "
     "blocks 2 * 2 = 4, but got input.size(2)=5."),
    (lambda: F.fold(ember.ones(1, 8, 5, 1), (3, 3), 2), "Expected 2D or 3D (batch mode) tensor for input with "
     "possibly 0 batch size and non-zero dimensions for input, but got: [1, 8, 5, 1]"),
    (lambda: F.fold(ember.ones(1, 8, 1), (3, 3), 2, padding=-1),
     "padding should be non-negative, but got pad_height: -1 pad_width: -1"),
])
def test_unfold_fold_errors(call: Any, message: str) -> None:
    with pytest.raises(RuntimeError) as info:
        call()
    assert str(info.value) == message


# -- deprecated upsampling --------------------------------------------------------------------------

def test_upsample_wrappers_warn_and_delegate() -> None:
    x = ember.tensor(np.arange(4.0).reshape(1, 1, 2, 2))
    with pytest.warns(UserWarning, match="`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate`"):
        up = F.upsample(x, scale_factor=2)
    np.testing.assert_array_equal(up.numpy(), np.arange(4.0).reshape(2, 2).repeat(2, 0).repeat(2, 1)[None, None])
    with pytest.warns(UserWarning, match="upsample_nearest` is deprecated"):
        near = F.upsample_nearest(x, size=4)
    np.testing.assert_array_equal(near.numpy(), up.numpy())
    with pytest.warns(UserWarning, match="upsample_bilinear` is deprecated"):
        bil = F.upsample_bilinear(x, size=(3, 3))
    # align_corners=True: the corners stay, the centre is the mean of the four inputs.
    np.testing.assert_allclose(bil.numpy()[0, 0], [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]])
