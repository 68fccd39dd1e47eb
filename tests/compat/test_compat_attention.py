"""Attention and Transformer layers against live PyTorch: the same weights (through load_state_dict)
give the same outputs, attention weights and gradients; printed layouts and state-dict keys agree.

Covers ``F.scaled_dot_product_attention`` (masks, causal, scale, GQA),
``F.multi_head_attention_forward`` over every combination of batching, self/cross attention,
bias, ``add_bias_kv``, ``add_zero_attn``, separate projections, masks, ``need_weights`` and
``average_attn_weights``, and ``TransformerEncoderLayer``/``DecoderLayer``/``Transformer``.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pytest

import ember
import ember.nn as enn
import ember.nn.functional as EF

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _t(a: np.ndarray | None) -> Any:
    return None if a is None else torch.tensor(a)


def _e(a: np.ndarray | None) -> Any:
    return None if a is None else ember.tensor(a)


@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float", "scale", "gqa"])
def test_sdpa_matches_torch(kind: str) -> None:
    rng = np.random.default_rng(0)
    hk = 1 if kind == "gqa" else 3
    q, k, v = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, hk, 6, 5)), rng.standard_normal((2, hk, 6, 7))
    kwargs: dict[str, Any] = {"is_causal": kind == "causal", "enable_gqa": kind == "gqa"}
    if kind == "scale":
        kwargs["scale"] = 0.3
    mask = None
    if kind == "bool":
        mask = rng.random((4, 6)) > 0.5
        mask[1] = False  # a fully masked row: zeros in both
    if kind == "float":
        mask = rng.standard_normal((4, 6))
        mask[0] = -np.inf
    expected = TF.scaled_dot_product_attention(_t(q), _t(k), _t(v), attn_mask=_t(mask), **kwargs).numpy()
    got = EF.scaled_dot_product_attention(_e(q), _e(k), _e(v), attn_mask=_e(mask), **kwargs)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-11, atol=1e-12)


# (bias, add_bias_kv, add_zero_attn) in three combinations rather than all eight, to keep the run short.
_EXTRAS = [(True, False, False), (False, True, True), (True, True, False)]
_MHA_CASES = [(batched, attention, *extras, need_weights, masks, separate)
              for batched, attention, extras, need_weights, masks, separate in itertools.product(
                  [True, False], ["self", "kv", "cross"], _EXTRAS, [True, False],
                  ["none", "bool", "float", "padding", "both", "3d"], [False, True])]


@pytest.mark.parametrize(("batched", "attention", "bias", "bias_kv", "zero_attn", "need_weights", "masks", "separate"),
                         _MHA_CASES)
def test_multi_head_attention_forward_matches_torch(batched: bool, attention: str, bias: bool, bias_kv: bool,
                                                    zero_attn: bool, need_weights: bool, masks: str,
                                                    separate: bool) -> None:
    rng = np.random.default_rng(1)
    L, S, N, E, H = 4, 5, 2, 6, 3
    src = L if attention == "self" else S
    kdim = 4 if separate else E
    lead = (N,) if batched else ()
    q = rng.standard_normal((L, *lead, E))
    if attention == "self" and not separate:
        k = v = q
    elif attention == "kv" and not separate:
        k = v = rng.standard_normal((src, *lead, E))
    else:
        k, v = rng.standard_normal((src, *lead, kdim)), rng.standard_normal((src, *lead, kdim))
    params = {
        "w": rng.standard_normal((3 * E, E)), "b": rng.standard_normal(3 * E) if bias else None,
        "qw": rng.standard_normal((E, E)), "kw": rng.standard_normal((E, kdim)), "vw": rng.standard_normal((E, kdim)),
        "bk": rng.standard_normal((1, 1, E)) if bias_kv else None, "bv": rng.standard_normal((1, 1, E)) if bias_kv else None,
        "ow": rng.standard_normal((E, E)), "ob": rng.standard_normal(E) if bias else None,
    }
    am = kpm = None
    if masks in ("bool", "both"):
        am = rng.random((L, src)) > 0.6
        am[:, 0] = False
    if masks == "float":
        am = rng.standard_normal((L, src))
    if masks == "3d":
        am = rng.standard_normal((N * H if batched else H, L, src))
    if masks in ("padding", "both"):
        kpm = rng.random((*lead, src)) > 0.6
        kpm[..., 0] = False

    def run(mod: Any, conv: Any) -> Any:
        tq = conv(q)
        tk = tq if k is q else conv(k)
        tv = tk if v is k else conv(v)
        return mod.multi_head_attention_forward(
            tq, tk, tv, E, H, None if separate else conv(params["w"]), conv(params["b"]), conv(params["bk"]),
            conv(params["bv"]), zero_attn, 0.0, conv(params["ow"]), conv(params["ob"]), training=False,
            key_padding_mask=conv(kpm), need_weights=need_weights, attn_mask=conv(am),
            use_separate_proj_weight=separate, q_proj_weight=conv(params["qw"]) if separate else None,
            k_proj_weight=conv(params["kw"]) if separate else None,
            v_proj_weight=conv(params["vw"]) if separate else None, average_attn_weights=batched)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = run(TF, _t)
        got = run(EF, _e)
    np.testing.assert_allclose(got[0].numpy(), expected[0].numpy(), rtol=1e-10, atol=1e-10)
    if need_weights:
        np.testing.assert_allclose(got[1].numpy(), expected[1].numpy(), rtol=1e-10, atol=1e-12)
    else:
        assert got[1] is None and expected[1] is None


def _copy_weights(src: Any, dst: Any) -> None:
    dst.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_transformer_matches_torch(norm_first: bool, activation: str) -> None:
    torch.manual_seed(0)
    kwargs = {"d_model": 8, "nhead": 2, "num_encoder_layers": 2, "num_decoder_layers": 2, "dim_feedforward": 16,
              "dropout": 0.0, "activation": activation, "norm_first": norm_first, "batch_first": True}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's nested-tensor notice
        ref = torch.nn.Transformer(**kwargs, dtype=torch.float64).eval()
    model = enn.Transformer(**kwargs, dtype=ember.float64).eval()
    _copy_weights(ref, model)
    rng = np.random.default_rng(2)
    src, tgt = rng.standard_normal((3, 6, 8)), rng.standard_normal((3, 4, 8))
    kpm = np.zeros((3, 6), bool)
    kpm[1, 4:] = True
    src_t, tgt_t = torch.tensor(src, requires_grad=True), torch.tensor(tgt, requires_grad=True)
    expected = ref(src_t, tgt_t, tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64),
                   src_key_padding_mask=torch.tensor(kpm), memory_key_padding_mask=torch.tensor(kpm))
    src_e, tgt_e = ember.tensor(src, requires_grad=True), ember.tensor(tgt, requires_grad=True)
    got = model(src_e, tgt_e, tgt_mask=enn.Transformer.generate_square_subsequent_mask(4, dtype=ember.float64),
                src_key_padding_mask=ember.tensor(kpm), memory_key_padding_mask=ember.tensor(kpm))
    np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(), rtol=1e-9, atol=1e-10)
    expected.square().sum().backward()
    got.square().sum().backward()
    np.testing.assert_allclose(src_e.grad.numpy(), src_t.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(tgt_e.grad.numpy(), tgt_t.grad.numpy(), rtol=1e-8, atol=1e-10)
    ref_grads = {n: p.grad.numpy() for n, p in ref.named_parameters()}
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), ref_grads[name], rtol=1e-8, atol=1e-10, err_msg=name)


def test_reprs_and_keys_match_torch() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch.nn.Transformer(8, 2, 1, 1, 16)
    model = enn.Transformer(8, 2, 1, 1, 16)
    assert repr(model) == repr(ref)
    assert list(model.state_dict()) == list(ref.state_dict())
    mha_kwargs = {"bias": False, "add_bias_kv": True, "kdim": 3, "vdim": 5}
    assert repr(enn.MultiheadAttention(8, 2, **mha_kwargs)) == repr(torch.nn.MultiheadAttention(8, 2, **mha_kwargs))
    assert [(n, tuple(p.shape)) for n, p in enn.MultiheadAttention(8, 2, **mha_kwargs).named_parameters()] == [
        (n, tuple(p.shape)) for n, p in torch.nn.MultiheadAttention(8, 2, **mha_kwargs).named_parameters()]
