"""Convolutions against live PyTorch: values, shapes, dtypes, gradients and error messages.

``ember.conv{1,2,3}d`` / ``conv_transpose{1,2,3}d`` against ``torch.nn.functional``'s,
the gradient helpers (``ember._nnops.conv.conv2d_input`` ...) against ``torch.nn.grad``,
and misuse: the same exception type, and torch's message inside Ember's (Ember prefixes
the op's name and writes ``ember.FloatTensor`` where torch writes ``torch.FloatTensor``).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import ember
from ember._nnops import conv as C

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # torch's 'same' with even kernels


def _configs() -> list[tuple[Any, ...]]:
    rng = np.random.default_rng(0)
    out = []
    for d, groups, stride, dilation, padding in itertools.product((1, 2, 3), (1, 2), (1, 2), (1, 2), (0, 1, "same", "valid")):
        if padding == "same" and stride != 1:
            continue
        k = tuple(int(v) for v in rng.integers(1, 4, d))
        spatial = tuple(int(v) for v in rng.integers(6, 9, d)) if d < 3 else (5, 6, 5)
        out.append((d, (2, 2 * groups, *spatial), (2 * groups, 2, *k), stride, padding, dilation, groups))
    return out


@pytest.mark.parametrize(("d", "xs", "ws", "stride", "padding", "dilation", "groups"), _configs())
def test_conv_and_gradients_match_torch(d: int, xs: Any, ws: Any, stride: int, padding: Any, dilation: int, groups: int) -> None:
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = getattr(F, f"conv{d}d")(tx, tw, torch.tensor(b), stride, padding, dilation, groups)
    ey = getattr(ember, f"conv{d}d")(ember.tensor(x), ember.tensor(w), ember.tensor(b), stride, padding, dilation, groups)
    assert tuple(ey.shape) == tuple(ty.shape)
    np.testing.assert_allclose(ey.numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    gy = rng.standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(gy))
    gx = getattr(C, f"conv{d}d_input")(xs, ember.tensor(w), ember.tensor(gy), stride, padding, dilation, groups)
    gw = getattr(C, f"conv{d}d_weight")(ember.tensor(x), ws, ember.tensor(gy), stride, padding, dilation, groups)
    np.testing.assert_allclose(gx.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gw.numpy(), tw.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize(("stride", "padding", "output_padding", "groups", "dilation"), [
    (1, 0, 0, 1, 1), (2, 1, 1, 1, 1), (3, 0, 2, 2, 1), (1, 1, 1, 1, 2), (2, 2, 1, 2, 2),
])
def test_conv_transpose_matches_torch(d: int, stride: int, padding: int, output_padding: int, groups: int, dilation: int) -> None:
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((2, 2 * groups, *(4,) * d)), rng.standard_normal((2 * groups, 3, *(3,) * d)), rng.standard_normal(3 * groups)
    args = (stride, padding, output_padding, groups, dilation)
    ty = getattr(F, f"conv_transpose{d}d")(torch.tensor(x), torch.tensor(w), torch.tensor(b), *args)
    ey = getattr(ember, f"conv_transpose{d}d")(ember.tensor(x), ember.tensor(w), ember.tensor(b), *args)
    assert tuple(ey.shape) == tuple(ty.shape)
    np.testing.assert_allclose(ey.numpy(), ty.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "complex64"])
def test_dtypes_match_torch(dtype: str) -> None:
    x = np.arange(2 * 3 * 6 * 6).reshape(2, 3, 6, 6) % 7
    w = np.arange(4 * 3 * 3 * 3).reshape(4, 3, 3, 3) % 5 - 2
    ty = F.conv2d(torch.tensor(x).to(getattr(torch, dtype)), torch.tensor(w).to(getattr(torch, dtype)), padding=1)
    ey = ember.conv2d(ember.tensor(x).to(getattr(ember, dtype)), ember.tensor(w).to(getattr(ember, dtype)), padding=1)
    assert str(ey.dtype).removeprefix("ember.") == str(ty.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ey.numpy().astype(np.complex128), ty.numpy().astype(np.complex128), rtol=1e-3)


MISUSES = {
    "channels": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 3, 3, 3)),
    "channels_unbatched": lambda m: m.conv2d(m.ones(4, 8, 8), m.ones(8, 3, 3, 3)),
    "input_dims": lambda m: m.conv2d(m.ones(8, 8), m.ones(8, 4, 3, 3)),
    "groups_divisible": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 2, 3, 3), groups=3),
    "weight_empty": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(0, 4, 3, 3)),
    "groups_zero": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 4, 3, 3), groups=0),
    "stride_zero": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 4, 3, 3), stride=0),
    "padding_negative": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 4, 3, 3), padding=-1),
    "dilation_zero": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 4, 3, 3), dilation=0),
    "stride_length": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 4, 3, 3), stride=(1, 1, 1)),
    "same_strided": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 4, 3, 3), padding="same", stride=2),
    "padding_string": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 4, 3, 3), padding="foo"),
    "kernel_too_big": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 4, 9, 9)),
    "bias_size": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 4, 3, 3), m.ones(7)),
    "bias_dtype": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 4, 3, 3), m.ones(8, dtype=m.float64)),
    "bool": lambda m: m.conv1d(m.ones(2, 4, 8, dtype=m.bool), m.ones(4, 4, 3, dtype=m.bool)),
    "zero_spatial": lambda m: m.conv2d(m.ones(2, 4, 0, 8), m.ones(4, 4, 1, 1), padding=1),
    "transpose_channels": lambda m: m.conv_transpose2d(m.ones(2, 4, 8, 8), m.ones(5, 3, 3, 3)),
    "transpose_output_padding": lambda m: m.conv_transpose2d(m.ones(2, 4, 8, 8), m.ones(4, 3, 3, 3), stride=2, output_padding=2),
    "transpose_output_padding_1d": lambda m: m.conv_transpose1d(m.ones(2, 4, 5), m.ones(4, 3, 3), stride=2, output_padding=2),
    "transpose_bias": lambda m: m.conv_transpose2d(m.ones(2, 4, 8, 8), m.ones(4, 3, 3, 3), m.ones(4)),
    "transpose_negative_output_padding": lambda m: m.conv_transpose2d(m.ones(2, 4, 8, 8), m.ones(4, 3, 3, 3), output_padding=-1),
    "stride_float": lambda m: m.conv2d(m.ones(2, 4, 8, 8), m.ones(8, 4, 3, 3), stride=1.5),
    "weight_list": lambda m: m.conv2d(m.ones(2, 4, 8, 8), [1]),
}


@pytest.mark.parametrize("name", sorted(MISUSES))
def test_misuse_matches_torch(name: str) -> None:
    with pytest.raises(Exception) as expected:
        MISUSES[name](torch)
    with pytest.raises(Exception) as got:
        MISUSES[name](ember)
    want_type = next(t for t in type(expected.value).__mro__ if t.__module__ == "builtins")
    assert isinstance(got.value, want_type), (type(got.value), type(expected.value), str(got.value))
    if want_type is RuntimeError and "invalid combination" not in str(expected.value):
        message = str(got.value).split("(): ", 1)[1]
        assert str(expected.value).split(" or input should be")[0].replace("torch.", "ember.") in message \
            or name in ("bool",), (str(expected.value), message)
