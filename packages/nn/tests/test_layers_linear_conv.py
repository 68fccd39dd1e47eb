"""Identity, Linear, Bilinear, Conv1d/2d/3d, ConvTranspose1d/2d/3d and F.linear/F.bilinear: values against
NumPy references with weights loaded through ``load_state_dict``, gradients by gradcheck, default
initialisation, ``repr`` strings captured from torch 2.13, and torch's errors."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck


def _np(t: ember.Tensor) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _load(module: nn.Module, rng: np.random.Generator, dtype: Any = np.float64) -> dict[str, np.ndarray]:
    """Random NumPy arrays for every parameter, loaded with ``load_state_dict``; returns them."""
    arrays = {k: rng.standard_normal(tuple(v.shape)).astype(dtype) for k, v in module.state_dict().items()}
    result = module.load_state_dict({k: ember.from_numpy(a.copy()) for k, a in arrays.items()})
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
    return arrays


# -- Identity, Linear, Bilinear ------------------------------------------------------------------------

def test_identity() -> None:
    x = ember.randn(2, 3)
    assert nn.Identity(54, unused_argument1=0.1)(x) is x
    assert repr(nn.Identity()) == "Identity()"


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.integers(0, 3), max_size=3), st.integers(1, 5), st.integers(1, 5), st.booleans(),
    st.sampled_from([np.float32, np.float64]),
)
def test_linear_values(lead: list[int], fin: int, fout: int, bias: bool, dtype: Any) -> None:
    rng = np.random.default_rng(len(lead) + fin * 7 + fout)
    m = nn.Linear(fin, fout, bias=bias, dtype=ember.float64 if dtype == np.float64 else ember.float32)
    p = _load(m, rng, dtype)
    x = rng.standard_normal((*lead, fin)).astype(dtype)
    ref = x @ p["weight"].T + (p["bias"] if bias else 0)
    out = m(ember.from_numpy(x))
    assert out.dtype == (ember.float64 if dtype == np.float64 else ember.float32)
    np.testing.assert_allclose(_np(out), ref, rtol=1e-5, atol=1e-5)


def test_linear_non_contiguous_input_and_grads() -> None:
    rng = np.random.default_rng(0)
    m = nn.Linear(4, 3, dtype=ember.float64)
    p = _load(m, rng)
    base = rng.standard_normal((4, 6))
    x = ember.from_numpy(base.copy()).T[::2]  # (3, 4), transposed and strided
    out = m(x)
    np.testing.assert_allclose(_np(out), base.T[::2] @ p["weight"].T + p["bias"])
    g = rng.standard_normal((3, 3))
    out.backward(ember.from_numpy(g))
    np.testing.assert_allclose(_np(m.weight.grad), g.T @ base.T[::2])
    np.testing.assert_allclose(_np(m.bias.grad), g.sum(0))


def test_linear_gradcheck() -> None:
    m = nn.Linear(3, 2, dtype=ember.float64)
    x = ember.randn(2, 2, 3, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: m(x), (x, m.weight, m.bias))
    assert gradcheck(lambda x, w: F.linear(x, w), (ember.randn(3, dtype=ember.float64, requires_grad=True),
                                                     ember.randn(3, dtype=ember.float64, requires_grad=True)))


def test_linear_default_init() -> None:
    ember.manual_seed(0)
    m = nn.Linear(50, 400)
    bound = 1 / math.sqrt(50)
    w, b = _np(m.weight), _np(m.bias)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)  # U(-bound, bound)
    assert m.weight.requires_grad and isinstance(m.weight, nn.Parameter)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert nn.Linear(2, 3, bias=False).bias is None
    assert nn.Linear(2, 3, dtype=ember.float64).weight.dtype == ember.float64


def test_linear_errors() -> None:
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 5x4\)"):
        F.linear(ember.ones(2, 3), ember.ones(4, 5))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(12x3 and 5x4\)"):
        F.linear(ember.ones(6, 2, 3), ember.ones(4, 5))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(1x3 and 5x4\)"):
        nn.Linear(5, 4)(ember.ones(3))
    with pytest.raises(TypeError, match=r"linear\(\): argument 'weight' \(position 2\) must be Tensor, not list"):
        F.linear(ember.ones(2), [1.0, 2.0])  # type: ignore[arg-type]


@pytest.mark.parametrize("lead", [(), (4,), (2, 3)])
def test_bilinear_values(lead: tuple[int, ...]) -> None:
    rng = np.random.default_rng(1)
    m = nn.Bilinear(2, 3, 4, dtype=ember.float64)
    p = _load(m, rng)
    x1, x2 = rng.standard_normal((*lead, 2)), rng.standard_normal((*lead, 3))
    ref = np.einsum("...i,oij,...j->...o", x1, p["weight"], x2) + p["bias"]
    np.testing.assert_allclose(_np(m(ember.from_numpy(x1), ember.from_numpy(x2))), ref, rtol=1e-12)


def test_bilinear_gradcheck_and_init() -> None:
    m = nn.Bilinear(2, 3, 2, dtype=ember.float64)
    x1 = ember.randn(2, 2, dtype=ember.float64, requires_grad=True)
    x2 = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda a, b, w, c: m(a, b), (x1, x2, m.weight, m.bias))
    ember.manual_seed(0)
    w = _np(nn.Bilinear(16, 3, 200).weight)
    assert np.abs(w).max() <= 0.25 and w.std() == pytest.approx(0.25 / math.sqrt(3), rel=0.05)
    assert nn.Bilinear(2, 3, 4, bias=False).bias is None


def test_bilinear_errors() -> None:
    with pytest.raises(RuntimeError, match="bilinear\\(\\): input2 size does not match weight size: got 4 but expected 5"):
        F.bilinear(ember.ones(2, 3), ember.ones(2, 4), ember.ones(5, 3, 5))
    with pytest.raises(RuntimeError, match="input batch dimensions do not match at dim 0: got 2 and 3"):
        F.bilinear(ember.ones(2, 3), ember.ones(3, 4), ember.ones(5, 3, 4))
    with pytest.raises(RuntimeError, match="bias size does not match weight size: got 4 but expected 5"):
        F.bilinear(ember.ones(2, 3), ember.ones(2, 4), ember.ones(5, 3, 4), ember.ones(4))


# -- convolution references ---------------------------------------------------------------------------------

_NP_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _conv_ref(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: tuple[int, ...],
              pads: list[tuple[int, int]], dilation: tuple[int, ...], groups: int, mode: str = "zeros") -> np.ndarray:
    d = w.ndim - 2
    x = np.pad(x, [(0, 0), (0, 0), *pads], mode=_NP_MODE[mode])  # type: ignore[call-overload]
    eff = [dl * (k - 1) + 1 for dl, k in zip(dilation, w.shape[2:], strict=True)]
    win = sliding_window_view(x, eff, axis=tuple(range(2, 2 + d)))
    win = win[(..., *[slice(None, None, dl) for dl in dilation])]
    win = win[(slice(None), slice(None), *[slice(None, None, s) for s in stride])]
    o, k = "pqr"[:d], "xyz"[:d]
    cin, cout = w.shape[1], w.shape[0] // groups
    outs = [
        np.einsum(f"nc{o}{k},fc{k}->nf{o}", win[:, g * cin:(g + 1) * cin], w[g * cout:(g + 1) * cout])
        for g in range(groups)
    ]
    out = np.concatenate(outs, axis=1)
    return out if b is None else out + b.reshape(1, -1, *([1] * d))


def _conv_transpose_ref(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: tuple[int, ...],
                        padding: tuple[int, ...], output_padding: tuple[int, ...], dilation: tuple[int, ...],
                        groups: int) -> np.ndarray:
    d = w.ndim - 2
    n, cin = x.shape[:2]
    cing, coutg = cin // groups, w.shape[1]
    ins, ks = x.shape[2:], w.shape[2:]
    full = [(i - 1) * s + dl * (k - 1) + 1 + op for i, s, dl, k, op in zip(ins, stride, dilation, ks, output_padding, strict=True)]
    out = np.zeros((n, coutg * groups, *full))
    i = "pqr"[:d]
    for g in range(groups):
        xg, wg = x[:, g * cing:(g + 1) * cing], w[g * cing:(g + 1) * cing]
        for kk in itertools.product(*(range(k) for k in ks)):
            contrib = np.einsum(f"nc{i},cf->nf{i}", xg, wg[(slice(None), slice(None), *kk)])
            where = tuple(slice(k * dl, k * dl + (size - 1) * s + 1, s)
                          for k, dl, size, s in zip(kk, dilation, ins, stride, strict=True))
            out[(slice(None), slice(g * coutg, (g + 1) * coutg), *where)] += contrib
    crop = tuple(slice(p, f - p) for p, f in zip(padding, full, strict=True))
    out = out[(slice(None), slice(None), *crop)]
    return out if b is None else out + b.reshape(1, -1, *([1] * d))


CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
CONVT = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}


@settings(max_examples=25, deadline=None)
@given(
    d=st.sampled_from([1, 2, 3]), groups=st.sampled_from([1, 2]), k=st.integers(1, 3), s=st.integers(1, 2),
    dl=st.integers(1, 2), p=st.integers(0, 2), mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    bias=st.booleans(), batch=st.integers(1, 2),
)
def test_conv_values(d: int, groups: int, k: int, s: int, dl: int, p: int, mode: str, bias: bool, batch: int) -> None:
    rng = np.random.default_rng(d * 100 + k * 10 + p)
    size = 5 if d < 3 else 4
    m = CONV[d](2 * groups, 3 * groups, k, stride=s, padding=p, dilation=dl, groups=groups,
                bias=bias, padding_mode=mode, dtype=ember.float64)
    w = _load(m, rng)
    x = rng.standard_normal((batch, 2 * groups, *([size] * d)))
    if dl * (k - 1) + 1 > size + 2 * p:  # the dilated kernel overhangs the padded input
        with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
            m(ember.from_numpy(x))
        return
    ref = _conv_ref(x, w["weight"], w.get("bias"), (s,) * d, [(p, p)] * d, (dl,) * d, groups, mode)
    np.testing.assert_allclose(_np(m(ember.from_numpy(x))), ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "circular"])
@pytest.mark.parametrize(("k", "dl"), [(3, 1), (4, 1), (2, 3)])
def test_conv_same_padding(mode: str, k: int, dl: int) -> None:
    rng = np.random.default_rng(3)
    m = nn.Conv2d(2, 3, (k, 3), padding="same", dilation=(dl, 1), padding_mode=mode, dtype=ember.float64)
    w = _load(m, rng)
    x = rng.standard_normal((2, 2, 7, 6))
    total = dl * (k - 1)
    ref = _conv_ref(x, w["weight"], w["bias"], (1, 1), [(total // 2, total - total // 2), (1, 1)], (dl, 1), 1, mode)
    out = m(ember.from_numpy(x))
    assert out.shape == (2, 3, 7, 6)
    np.testing.assert_allclose(_np(out), ref, rtol=1e-10, atol=1e-10)


def test_conv_valid_unbatched_and_non_contiguous() -> None:
    rng = np.random.default_rng(4)
    m = nn.Conv2d(3, 2, 3, padding="valid", dtype=ember.float64)
    w = _load(m, rng)
    base = rng.standard_normal((6, 5, 3))
    x = ember.from_numpy(base.copy()).permute(2, 0, 1)  # (3, 6, 5) non-contiguous, unbatched
    ref = _conv_ref(np.ascontiguousarray(base.transpose(2, 0, 1))[None], w["weight"], w["bias"], (1, 1),
                    [(0, 0), (0, 0)], (1, 1), 1)[0]
    np.testing.assert_allclose(_np(m(x)), ref, rtol=1e-10)


@pytest.mark.parametrize(("d", "mode"), [(1, "zeros"), (2, "reflect"), (2, "zeros"), (3, "replicate")])
def test_conv_gradcheck(d: int, mode: str) -> None:
    m = CONV[d](2, 2, 2, padding=1, padding_mode=mode, dtype=ember.float64)
    x = ember.randn(1, 2, *([3] * d), dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: m(x), (x, m.weight, m.bias))


def test_conv_default_init() -> None:
    ember.manual_seed(0)
    m = nn.Conv2d(16, 200, 3)
    bound = 1 / math.sqrt(16 * 9)
    w, b = _np(m.weight), _np(m.bias)
    assert m.weight.shape == (200, 16, 3, 3) and np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)
    assert nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape == (4, 3, 3, 3)
    assert nn.Conv2d(4, 6, 3, groups=2).weight.shape == (6, 2, 3, 3)
    assert nn.Conv1d(2, 3, 3, bias=False).bias is None


@settings(max_examples=20, deadline=None)
@given(
    d=st.sampled_from([1, 2, 3]), groups=st.sampled_from([1, 2]), k=st.integers(1, 3), s=st.integers(1, 3),
    dl=st.integers(1, 2), p=st.integers(0, 1), op=st.integers(0, 2), bias=st.booleans(),
)
def test_conv_transpose_values(d: int, groups: int, k: int, s: int, dl: int, p: int, op: int, bias: bool) -> None:
    op = min(op, max(s, dl) - 1)
    rng = np.random.default_rng(d * 100 + k * 10 + s)
    m = CONVT[d](2 * groups, 2 * groups, k, stride=s, padding=p, output_padding=op, groups=groups, bias=bias,
                 dilation=dl, dtype=ember.float64)
    w = _load(m, rng)
    x = rng.standard_normal((2, 2 * groups, *([3] * d)))
    ref = _conv_transpose_ref(x, w["weight"], w.get("bias"), (s,) * d, (p,) * d, (op,) * d, (dl,) * d, groups)
    np.testing.assert_allclose(_np(m(ember.from_numpy(x))), ref, rtol=1e-10, atol=1e-10)


def test_conv_transpose_output_size() -> None:
    rng = np.random.default_rng(5)
    m = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, dtype=ember.float64)
    w = _load(m, rng)
    x = rng.standard_normal((1, 2, 4, 4))
    for size, opad in (([7, 8], (0, 1)), ([1, 3, 8, 7], (1, 0)), (ember.Size([8, 8]), (1, 1))):
        out = m(ember.from_numpy(x), output_size=size)
        assert out.shape[-2:] == tuple(size)[-2:]
        ref = _conv_transpose_ref(x, w["weight"], w["bias"], (2, 2), (1, 1), opad, (1, 1), 1)
        np.testing.assert_allclose(_np(out), ref, rtol=1e-10)
    with pytest.raises(ValueError, match=r"requested an output size of \[9, 8\], but valid sizes range from \[7, 7\] to \[8, 8\]"):
        m(ember.from_numpy(x), output_size=[9, 8])
    with pytest.raises(ValueError, match=r"ConvTranspose2D: for 4D input, output_size must have 2 or 4 elements \(got 3\)"):
        m(ember.from_numpy(x), output_size=[1, 8, 8])
    assert nn.ConvTranspose1d(2, 2, 3, stride=2)(ember.ones(2, 4), output_size=[10]).shape == (2, 10)


def test_conv_transpose_gradcheck() -> None:
    m = nn.ConvTranspose2d(2, 2, 2, stride=2, output_padding=1, dtype=ember.float64)
    x = ember.randn(1, 2, 2, 2, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: m(x), (x, m.weight, m.bias))


def test_conv_constructor_errors() -> None:
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        nn.Conv2d(2, 2, 3, groups=0)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 2, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv2d(2, 3, 3, groups=2)
    with pytest.raises(ValueError, match="Invalid padding string 'full', should be one of"):
        nn.Conv1d(2, 3, 3, padding="full")
    with pytest.raises(ValueError, match="padding='same' is not supported for strided convolutions"):
        nn.Conv2d(2, 3, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"padding_mode must be one of .* but got padding_mode='mirror'"):
        nn.Conv2d(2, 3, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect")
    with pytest.raises(RuntimeError, match=r"expected input.* to have 4 channels, but got 3 channels instead"):
        nn.Conv2d(4, 2, 3)(ember.ones(1, 3, 5, 5))


REPRS = [
    (lambda: nn.Linear(3, 4), "Linear(in_features=3, out_features=4, bias=True)"),
    (lambda: nn.Linear(3, 4, bias=False), "Linear(in_features=3, out_features=4, bias=False)"),
    (lambda: nn.Bilinear(2, 3, 4), "Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)"),
    (lambda: nn.Conv1d(2, 4, 3), "Conv1d(2, 4, kernel_size=(3,), stride=(1,))"),
    (lambda: nn.Conv2d(1, 6, 5), "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))"),
    (lambda: nn.Conv2d(2, 4, 3, stride=2, padding=1, dilation=2, groups=2, bias=False, padding_mode="reflect"),
     "Conv2d(2, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(2, 2), groups=2, bias=False, "
     "padding_mode=reflect)"),
    (lambda: nn.Conv2d(2, 4, 3, padding="same"), "Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=same)"),
    (lambda: nn.Conv3d(2, 4, (1, 2, 3), padding=(0, 1, 1)),
     "Conv3d(2, 4, kernel_size=(1, 2, 3), stride=(1, 1, 1), padding=(0, 1, 1))"),
    (lambda: nn.ConvTranspose1d(2, 4, 3), "ConvTranspose1d(2, 4, kernel_size=(3,), stride=(1,))"),
    (lambda: nn.ConvTranspose2d(2, 4, 3, stride=2, output_padding=1, groups=2),
     "ConvTranspose2d(2, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1), groups=2)"),
    (lambda: nn.ConvTranspose2d(2, 4, 3, dilation=2, bias=False),
     "ConvTranspose2d(2, 4, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2), bias=False)"),
    (lambda: nn.ConvTranspose3d(2, 4, 3, padding=1),
     "ConvTranspose3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=(1, 1, 1))"),
]


@pytest.mark.parametrize(("make", "text"), REPRS)
def test_reprs(make: Any, text: str) -> None:
    assert repr(make()) == text
