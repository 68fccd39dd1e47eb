"""Transformer layers and stacks against a NumPy reference (weights loaded through load_state_dict),
gradients by finite differences, masks (causal, padding) and causal-mask detection, torch's
parameter names and printed layout, and a small Transformer-encoder classifier trained a few steps."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck
from ember.nn.modules.transformer import _detect_is_causal_mask

_erf = np.vectorize(math.erf)


def _np(t: ember.Tensor) -> np.ndarray:
    return np.asarray(t.detach().numpy())


# -- NumPy reference ---------------------------------------------------------------------------------------

def np_softmax_safe(s: np.ndarray) -> np.ndarray:
    dead = np.all(s == -np.inf, axis=-1, keepdims=True)
    s = np.where(dead, 0.0, s)
    e = np.exp(s - s.max(-1, keepdims=True))
    return np.where(dead, 0.0, e / e.sum(-1, keepdims=True))


def np_attention(q: np.ndarray, kv: np.ndarray, p: dict[str, np.ndarray], prefix: str, heads: int,
                 attn_mask: np.ndarray | None, kpm: np.ndarray | None) -> np.ndarray:
    """Batch-first multi-head attention (the need_weights=False path): ``(N, L, E)``, ``(N, S, E)``."""
    E = q.shape[-1]
    hd = E // heads
    w, b = p[prefix + "in_proj_weight"], p[prefix + "in_proj_bias"]
    qp, kp, vp = q @ w[:E].T + b[:E], kv @ w[E:2 * E].T + b[E:2 * E], kv @ w[2 * E:].T + b[2 * E:]
    bias = np.zeros((q.shape[0], 1, q.shape[1], kv.shape[1]))
    if attn_mask is not None:
        bias = bias + (np.where(attn_mask, -np.inf, 0.0) if attn_mask.dtype == bool else attn_mask)
    if kpm is not None:
        bias = bias + np.where(kpm, -np.inf, 0.0)[:, None, None, :]
    out = np.empty_like(qp)
    for h in range(heads):
        sl = slice(h * hd, (h + 1) * hd)
        s = qp[..., sl] @ np.swapaxes(kp[..., sl], 1, 2) / math.sqrt(hd) + bias[:, 0]
        out[..., sl] = np_softmax_safe(s) @ vp[..., sl]
    return out @ p[prefix + "out_proj.weight"].T + p[prefix + "out_proj.bias"]


def np_layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(x.var(-1, keepdims=True) + eps) * w + b


ACTIVATIONS = {"relu": lambda x: np.maximum(x, 0.0), "gelu": lambda x: 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))}


def np_feed_forward(x: np.ndarray, p: dict[str, np.ndarray], act: str) -> np.ndarray:
    h = ACTIVATIONS[act](x @ p["linear1.weight"].T + p["linear1.bias"])
    return h @ p["linear2.weight"].T + p["linear2.bias"]


def np_encoder_layer(x: np.ndarray, p: dict[str, np.ndarray], heads: int, act: str, norm_first: bool,
                     attn_mask: np.ndarray | None = None, kpm: np.ndarray | None = None) -> np.ndarray:
    def ln(y: np.ndarray, i: int) -> np.ndarray:
        return np_layer_norm(y, p[f"norm{i}.weight"], p[f"norm{i}.bias"])

    def sa(y: np.ndarray) -> np.ndarray:
        return np_attention(y, y, p, "self_attn.", heads, attn_mask, kpm)

    if norm_first:
        x = x + sa(ln(x, 1))
        return x + np_feed_forward(ln(x, 2), p, act)
    x = ln(x + sa(x), 1)
    return ln(x + np_feed_forward(x, p, act), 2)


def np_decoder_layer(x: np.ndarray, mem: np.ndarray, p: dict[str, np.ndarray], heads: int, act: str,
                     norm_first: bool, tgt_mask: np.ndarray | None = None,
                     memory_kpm: np.ndarray | None = None) -> np.ndarray:
    def ln(y: np.ndarray, i: int) -> np.ndarray:
        return np_layer_norm(y, p[f"norm{i}.weight"], p[f"norm{i}.bias"])

    def sa(y: np.ndarray) -> np.ndarray:
        return np_attention(y, y, p, "self_attn.", heads, tgt_mask, None)

    def ca(y: np.ndarray) -> np.ndarray:
        return np_attention(y, mem, p, "multihead_attn.", heads, None, memory_kpm)

    if norm_first:
        x = x + sa(ln(x, 1))
        x = x + ca(ln(x, 2))
        return x + np_feed_forward(ln(x, 3), p, act)
    x = ln(x + sa(x), 1)
    x = ln(x + ca(x), 2)
    return ln(x + np_feed_forward(x, p, act), 3)


def _load(module: nn.Module, rng: np.random.Generator) -> dict[str, np.ndarray]:
    weights = {name: rng.standard_normal(tuple(t.shape)) * 0.4 for name, t in module.state_dict().items()}
    module.load_state_dict({name: ember.tensor(w) for name, w in weights.items()})
    return weights


def _seq_first(a: np.ndarray, batch_first: bool) -> np.ndarray:
    return a if batch_first else np.ascontiguousarray(a.swapaxes(0, 1))


# -- layers against NumPy ----------------------------------------------------------------------------------

@pytest.mark.parametrize("act", ["relu", "gelu"])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "causal", "padding", "both"])
def test_encoder_layer_matches_numpy(act: str, norm_first: bool, batch_first: bool, masks: str) -> None:
    rng = np.random.default_rng(0)
    N, L, E, H = 2, 5, 6, 2
    layer = nn.TransformerEncoderLayer(E, H, dim_feedforward=7, activation=act, norm_first=norm_first,
                                       batch_first=batch_first, dtype=ember.float64).eval()
    p = _load(layer, rng)
    x = rng.standard_normal((N, L, E))
    am = np.triu(np.ones((L, L), bool), 1) if masks in ("causal", "both") else None
    kpm = None
    if masks in ("padding", "both"):
        kpm = np.zeros((N, L), bool)
        kpm[1, 3:] = True
    got = layer(ember.tensor(_seq_first(x, batch_first)), src_mask=None if am is None else ember.tensor(am),
                src_key_padding_mask=None if kpm is None else ember.tensor(kpm))
    expected = np_encoder_layer(x, p, H, act, norm_first, am, kpm)
    np.testing.assert_allclose(_np(got), _seq_first(expected, batch_first), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_matches_numpy(norm_first: bool, batch_first: bool) -> None:
    rng = np.random.default_rng(1)
    N, T, S, E, H = 2, 4, 5, 6, 3
    layer = nn.TransformerDecoderLayer(E, H, dim_feedforward=8, norm_first=norm_first, batch_first=batch_first,
                                       dtype=ember.float64).eval()
    p = _load(layer, rng)
    tgt, mem = rng.standard_normal((N, T, E)), rng.standard_normal((N, S, E))
    causal = nn.Transformer.generate_square_subsequent_mask(T, dtype=ember.float64)
    kpm = np.zeros((N, S), bool)
    kpm[0, -2:] = True
    got = layer(ember.tensor(_seq_first(tgt, batch_first)), ember.tensor(_seq_first(mem, batch_first)),
                tgt_mask=causal, memory_key_padding_mask=ember.tensor(kpm), tgt_is_causal=True)
    expected = np_decoder_layer(tgt, mem, p, H, "relu", norm_first, _np(causal), kpm)
    np.testing.assert_allclose(_np(got), _seq_first(expected, batch_first), rtol=1e-10, atol=1e-10)


def test_encoder_stack_is_layer_copies_then_norm() -> None:
    rng = np.random.default_rng(2)
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, dtype=ember.float64)
    encoder = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(4, dtype=ember.float64)).eval()
    p = _load(encoder, rng)
    assert len(encoder.layers) == 3 and encoder.num_layers == 3
    assert encoder.layers[0] is not layer and encoder.layers[0].linear1.weight is not encoder.layers[1].linear1.weight
    x = rng.standard_normal((3, 5, 4))
    mask = nn.Transformer.generate_square_subsequent_mask(5, dtype=ember.float64)
    expected = x
    for i in range(3):
        sub = {k[len(f"layers.{i}."):]: v for k, v in p.items() if k.startswith(f"layers.{i}.")}
        expected = np_encoder_layer(expected, sub, 2, "relu", False, _np(mask))
    expected = np_layer_norm(expected, p["norm.weight"], p["norm.bias"])
    got = encoder(ember.tensor(_seq_first(x, False)), mask=mask)
    np.testing.assert_allclose(_np(got), _seq_first(expected, False), rtol=1e-10, atol=1e-10)
    # the causal hint (detected or given) changes nothing but the path taken
    np.testing.assert_allclose(_np(encoder(ember.tensor(_seq_first(x, False)), mask=mask, is_causal=True)),
                               _np(got), rtol=1e-12)


def test_decoder_stack_and_transformer() -> None:
    rng = np.random.default_rng(3)
    model = nn.Transformer(d_model=4, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=6,
                           dropout=0.0, batch_first=True, dtype=ember.float64).eval()
    p = _load(model, rng)
    src, tgt = rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 3, 4))
    memory = src
    for i in range(2):
        pre = f"encoder.layers.{i}."
        memory = np_encoder_layer(memory, {k[len(pre):]: v for k, v in p.items() if k.startswith(pre)}, 2, "relu",
                                  False)
    memory = np_layer_norm(memory, p["encoder.norm.weight"], p["encoder.norm.bias"])
    causal = np.triu(np.full((3, 3), -np.inf), 1)
    out = tgt
    for i in range(2):
        pre = f"decoder.layers.{i}."
        out = np_decoder_layer(out, memory, {k[len(pre):]: v for k, v in p.items() if k.startswith(pre)}, 2, "relu",
                               False, causal)
    out = np_layer_norm(out, p["decoder.norm.weight"], p["decoder.norm.bias"])
    got = model(ember.tensor(src), ember.tensor(tgt), tgt_mask=model.generate_square_subsequent_mask(3,
                                                                                                        dtype=ember.float64))
    np.testing.assert_allclose(_np(got), out, rtol=1e-10, atol=1e-10)


def test_unbatched_input() -> None:
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True).eval()
    x = ember.randn(5, 4)
    np.testing.assert_allclose(_np(layer(x)), _np(layer(x[None]))[0], rtol=1e-5, atol=1e-6)


# -- gradients ---------------------------------------------------------------------------------------------

def test_decoder_layer_gradcheck_inputs() -> None:
    layer = nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, activation="gelu", dtype=ember.float64).eval()
    rng = np.random.default_rng(4)
    tgt = ember.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    mem = ember.tensor(rng.standard_normal((4, 2, 4)), requires_grad=True)
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64)
    kpm = ember.tensor(np.array([[False, False, False, True], [False] * 4]))
    assert gradcheck(lambda t, m: layer(t, m, tgt_mask=mask, memory_key_padding_mask=kpm), (tgt, mem))


def test_encoder_layer_parameter_grads_match_finite_differences() -> None:
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, norm_first=True, dtype=ember.float64).eval()
    x = ember.tensor(np.random.default_rng(5).standard_normal((3, 2, 4)))
    kpm = ember.tensor(np.array([[False, False, True], [False] * 3]))
    weights = ember.tensor(np.random.default_rng(6).standard_normal((3, 2, 4)))

    def loss() -> ember.Tensor:
        return (layer(x, src_key_padding_mask=kpm) * weights).sum()

    layer.zero_grad()
    loss().backward()
    eps = 1e-6
    for name, param in layer.named_parameters():
        assert param.grad is not None, name
        flat = param.data.view(-1)
        grad = _np(param.grad).reshape(-1)
        for i in (0, flat.numel() // 2, flat.numel() - 1):
            old = float(flat[i])
            with ember.no_grad():
                flat[i] = old + eps
                up = float(loss())
                flat[i] = old - eps
                down = float(loss())
                flat[i] = old
            assert grad[i] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-7), (name, i)


# -- masks and causal detection ----------------------------------------------------------------------------

def test_generate_square_subsequent_mask() -> None:
    m = nn.Transformer.generate_square_subsequent_mask(4)
    assert m.dtype == ember.float32 and m.shape == (4, 4)
    np.testing.assert_array_equal(_np(m), np.triu(np.full((4, 4), -np.inf, np.float32), 1))
    assert nn.Transformer.generate_square_subsequent_mask(2, dtype=ember.float64).dtype == ember.float64


def test_detect_is_causal_mask() -> None:
    causal = nn.Transformer.generate_square_subsequent_mask(4)
    assert _detect_is_causal_mask(causal) is True
    assert _detect_is_causal_mask(causal, size=4) is True
    assert _detect_is_causal_mask(causal, size=3) is False  # sizes differ
    assert _detect_is_causal_mask(ember.zeros(4, 4)) is False
    assert _detect_is_causal_mask(ember.zeros(4, 4), is_causal=True) is True  # the hint wins
    assert _detect_is_causal_mask(causal, is_causal=False) is False
    assert _detect_is_causal_mask(None) is False


def test_bool_and_float_masks_agree() -> None:
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True).eval()
    x = ember.randn(2, 5, 4)
    bool_mask = ember.triu(ember.ones(5, 5, dtype=ember.bool), 1)
    kpm = ember.tensor(np.array([[False] * 5, [False, False, False, True, True]]))
    a = layer(x, src_mask=bool_mask, src_key_padding_mask=kpm)
    b = layer(x, src_mask=nn.Transformer.generate_square_subsequent_mask(5),
              src_key_padding_mask=ember.where(kpm, float("-inf"), 0.0))
    np.testing.assert_allclose(_np(a), _np(b), rtol=1e-5, atol=1e-6)


# -- structure, printing, dropout, errors ------------------------------------------------------------------

ENCODER_LAYER_REPR = """TransformerEncoderLayer(
  (self_attn): MultiheadAttention(
    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
  )
  (linear1): Linear(in_features=8, out_features=16, bias=True)
  (dropout): Dropout(p=0.1, inplace=False)
  (linear2): Linear(in_features=16, out_features=8, bias=True)
  (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
  (dropout1): Dropout(p=0.1, inplace=False)
  (dropout2): Dropout(p=0.1, inplace=False)
)"""


def test_reprs_and_state_dict_keys_match_torch() -> None:
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    assert repr(layer) == ENCODER_LAYER_REPR
    stack = repr(nn.TransformerEncoder(layer, 2, enable_nested_tensor=False))
    assert stack.startswith("TransformerEncoder(\n  (layers): ModuleList(\n    (0-1): 2 x TransformerEncoderLayer(\n")
    with_gelu = repr(nn.TransformerEncoderLayer(8, 2, 16, activation=nn.GELU()))
    assert with_gelu.endswith("  (activation): GELU(approximate='none')\n)")
    assert list(nn.TransformerDecoderLayer(4, 2, 8).state_dict()) == [
        "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
        "multihead_attn.in_proj_weight", "multihead_attn.in_proj_bias", "multihead_attn.out_proj.weight",
        "multihead_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
        "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "norm3.weight", "norm3.bias"]
    no_bias = nn.TransformerEncoderLayer(4, 2, 8, bias=False)
    assert all("bias" not in name for name, _ in no_bias.named_parameters())
    assert layer.activation_relu_or_gelu == 1
    assert nn.TransformerEncoderLayer(8, 2, activation="gelu").activation_relu_or_gelu == 2
    assert nn.TransformerEncoderLayer(8, 2, activation=F.silu).activation_relu_or_gelu == 0


def test_transformer_init_is_xavier_uniform() -> None:
    ember.manual_seed(0)
    model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=32)
    w = _np(model.encoder.layers[0].linear1.weight)  # (32, 8): xavier bound sqrt(6 / 40)
    assert np.abs(w).max() <= math.sqrt(6 / 40) and np.abs(w).max() > 0.9 * math.sqrt(6 / 40)
    np.testing.assert_array_equal(_np(model.decoder.norm.weight), 1.0)


def test_dropout_only_in_training() -> None:
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = ember.randn(4, 2, 8)
    ember.manual_seed(1)
    a = _np(layer(x))
    assert not np.allclose(a, _np(layer(x)))
    ember.manual_seed(1)
    np.testing.assert_array_equal(_np(layer(x)), a)
    layer.eval()
    np.testing.assert_array_equal(_np(layer(x)), _np(layer(x)))


def test_errors() -> None:
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not swish"):
        nn.TransformerDecoderLayer(8, 2, activation="swish")
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.TransformerEncoderLayer(8, 3)
    model = nn.Transformer(d_model=4, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(ember.randn(5, 2, 4), ember.randn(3, 3, 4))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
        model(ember.randn(5, 2, 4), ember.randn(3, 2, 6))
    layer = nn.TransformerEncoderLayer(4, 2, 8)
    with pytest.raises(AssertionError, match="only bool and floating types of src_key_padding_mask are supported"):
        layer(ember.randn(3, 2, 4), src_key_padding_mask=ember.zeros(2, 3, dtype=ember.int64))
    with pytest.raises(RuntimeError, match=re.escape("The shape of the 2D attn_mask is ember.Size([2, 2])")):
        layer(ember.randn(3, 2, 4), src_mask=ember.zeros(2, 2))
    with pytest.warns(UserWarning, match="Support for mismatched src_key_padding_mask and src_mask is deprecated"):
        layer(ember.randn(3, 2, 4), src_mask=ember.zeros(3, 3), src_key_padding_mask=ember.zeros(2, 3, dtype=ember.bool))


# -- a small Transformer-encoder classifier ----------------------------------------------------------------

class EncoderClassifier(nn.Module):
    def __init__(self, vocab: int, d_model: int, classes: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model, padding_idx=0)
        layer = nn.TransformerEncoderLayer(d_model, nhead=2, dim_feedforward=32, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(d_model))
        self.head = nn.Linear(d_model, classes)

    def forward(self, tokens: ember.Tensor) -> ember.Tensor:
        padding = tokens == 0
        h = self.encoder(self.embed(tokens), src_key_padding_mask=padding)
        keep = (~padding).unsqueeze(-1).to(h.dtype)
        return self.head((h * keep).sum(1) / keep.sum(1))


def test_encoder_classifier_trains() -> None:
    ember.manual_seed(0)
    model = EncoderClassifier(vocab=12, d_model=16, classes=3)
    rng = np.random.default_rng(7)
    tokens = rng.integers(1, 12, size=(8, 6))
    tokens[::2, 4:] = 0  # padded sequences
    tokens_t = ember.tensor(tokens)
    labels = ember.tensor(tokens[:, 0] % 3)
    losses = []
    for _ in range(15):  # plain SGD by hand: ember-nn does not depend on ember-optim
        model.zero_grad()
        loss = F.cross_entropy(model(tokens_t), labels)
        loss.backward()
        with ember.no_grad():
            for name, p in model.named_parameters():
                assert p.grad is not None and np.isfinite(_np(p.grad)).all(), name
                p.sub_(p.grad * 0.1)
        losses.append(float(loss))
    assert model(tokens_t).shape == (8, 3)
    assert losses[-1] < 0.7 * losses[0]
    model.eval()
    with ember.no_grad():
        assert np.isfinite(_np(model(tokens_t))).all()
