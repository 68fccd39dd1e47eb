"""Attention: F.scaled_dot_product_attention, F.multi_head_attention_forward and nn.MultiheadAttention
against NumPy references (weights loaded through load_state_dict), gradients by finite differences,
masks (causal, padding, bool and float), need_weights/average_attn_weights, batch_first, and
PyTorch 2.13's exception types and messages for misuse."""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck

PROPERTY = settings(max_examples=40, deadline=None)


def _np(t: ember.Tensor) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def tol(dt: type | np.dtype) -> dict[str, float]:
    return {"rtol": 1e-4, "atol": 1e-5} if np.dtype(dt) == np.float32 else {"rtol": 1e-10, "atol": 1e-12}


# -- NumPy references ---------------------------------------------------------------------------------------

def np_softmax(s: np.ndarray, safe: bool) -> np.ndarray:
    """Softmax over the last axis; ``safe``: a row that is all -inf gives zeros (torch's SDPA)."""
    if s.shape[-1] == 0:
        return s.copy()
    dead = np.all(s == -np.inf, axis=-1, keepdims=True)
    if safe:
        s = np.where(dead, 0.0, s)
    with np.errstate(invalid="ignore"):
        e = np.exp(s - s.max(-1, keepdims=True))
        w = e / e.sum(-1, keepdims=True)
    return np.where(dead, 0.0, w) if safe else w


def np_sdpa(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None, causal: bool = False,
            scale: float | None = None) -> np.ndarray:
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    s = q @ np.swapaxes(k, -1, -2) * scale
    L, S = q.shape[-2], k.shape[-2]
    if causal:
        s = np.where(np.tril(np.ones((L, S), bool)), s, -np.inf)
    elif mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    return (np_softmax(s, safe=mask is not None) @ v).astype(q.dtype)


def np_mha(q: np.ndarray, k: np.ndarray, v: np.ndarray, w_in: np.ndarray | tuple[np.ndarray, ...],
           b_in: np.ndarray | None, w_out: np.ndarray, b_out: np.ndarray | None, heads: int,
           attn_mask: np.ndarray | None = None, key_padding_mask: np.ndarray | None = None, safe: bool = False,
           bias_kv: tuple[np.ndarray, np.ndarray] | None = None,
           zero_attn: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Batch-first multi-head attention written out head by head: ``(N, L, E)`` -> output, per-head weights.

    ``w_in`` is the packed ``(3E, E)`` projection or a ``(w_q, w_k, w_v)`` triple (kdim/vdim).
    """
    E = q.shape[-1] if isinstance(w_in, np.ndarray) else w_in[0].shape[0]
    hd = E // heads
    w_q, w_k, w_v = (w_in[:E], w_in[E:2 * E], w_in[2 * E:]) if isinstance(w_in, np.ndarray) else w_in
    b_in = np.zeros(3 * E) if b_in is None else b_in
    qp, kp, vp = q @ w_q.T + b_in[:E], k @ w_k.T + b_in[E:2 * E], v @ w_v.T + b_in[2 * E:]
    N, L = q.shape[0], q.shape[1]
    extra = []
    if bias_kv is not None:
        extra.append((np.broadcast_to(bias_kv[0].reshape(1, 1, E), (N, 1, E)),
                      np.broadcast_to(bias_kv[1].reshape(1, 1, E), (N, 1, E))))
    if zero_attn:
        extra.append((np.zeros((N, 1, E)), np.zeros((N, 1, E))))
    S0 = kp.shape[1]
    for ek, ev in extra:
        kp, vp = np.concatenate([kp, ek], 1), np.concatenate([vp, ev], 1)
    S = kp.shape[1]
    bias = np.zeros((N, heads, L, S))
    if attn_mask is not None:
        am = np.where(attn_mask, -np.inf, 0.0) if attn_mask.dtype == bool else attn_mask
        am = am.reshape(N, heads, L, S0) if am.ndim == 3 else am
        bias[..., :S0] += am
    if key_padding_mask is not None:
        kpm = np.where(key_padding_mask, -np.inf, 0.0) if key_padding_mask.dtype == bool else key_padding_mask
        bias[..., :S0] += kpm[:, None, None, :]
    out = np.zeros((N, L, E))
    weights = np.zeros((N, heads, L, S))
    for h in range(heads):
        sl = slice(h * hd, (h + 1) * hd)
        s = qp[:, :, sl] @ np.swapaxes(kp[:, :, sl], 1, 2) / math.sqrt(hd) + bias[:, h]
        w = np_softmax(s, safe)
        weights[:, h] = w
        out[:, :, sl] = w @ vp[:, :, sl]
    out = out @ w_out.T + (0 if b_out is None else b_out)
    return out, weights


# -- scaled_dot_product_attention: values ------------------------------------------------------------------

@st.composite
def sdpa_case(draw: st.DrawFn) -> dict:
    dt = draw(st.sampled_from([np.float32, np.float64]))
    batch = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    L, S, E, Ev = draw(st.integers(0, 4)), draw(st.integers(0, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    q = rng.standard_normal((*batch, L, E)).astype(dt)
    k = rng.standard_normal((*batch, S, E)).astype(dt)
    v = rng.standard_normal((*batch, S, Ev)).astype(dt)
    kind = draw(st.sampled_from(["none", "causal", "bool", "float", "bool_rows", "float_bcast"]))
    mask = None
    if kind == "bool":
        mask = rng.random((L, S)) > 0.5
    elif kind == "bool_rows":  # broadcast over the keys: whole rows on or off
        mask = rng.random((*(1,) * len(batch), L, 1)) > 0.5
    elif kind == "float":
        mask = rng.standard_normal((L, S)).astype(dt)
        if L and S:
            mask[0] = -np.inf  # a fully masked row
    elif kind == "float_bcast":
        mask = rng.standard_normal((S,)).astype(dt)
    layout = draw(st.sampled_from(["plain", "transposed", "stepped"]))
    return {"q": q, "k": k, "v": v, "mask": mask, "causal": kind == "causal", "layout": layout,
            "scale": draw(st.sampled_from([None, 0.5]))}


def _layout(a: np.ndarray, layout: str) -> ember.Tensor:
    """An ember tensor holding ``a``, as a transposed or step-sliced (non-contiguous) view if asked."""
    if layout == "transposed":
        return ember.tensor(np.ascontiguousarray(np.swapaxes(a, -1, -2))).mT
    if layout == "stepped":
        wide = np.repeat(a, 2, axis=-1)
        return ember.tensor(wide)[..., ::2]
    return ember.tensor(a)


@PROPERTY
@given(sdpa_case())
def test_sdpa_matches_numpy(case: dict) -> None:
    q, k, v, mask = case["q"], case["k"], case["v"], case["mask"]
    tq, tk, tv = (_layout(a, case["layout"]) for a in (q, k, v))
    tm = None if mask is None else ember.tensor(mask)
    out = F.scaled_dot_product_attention(tq, tk, tv, attn_mask=tm, is_causal=case["causal"], scale=case["scale"])
    expected = np_sdpa(q, k, v, mask, case["causal"], case["scale"])
    assert out.shape == expected.shape
    assert out.dtype == tq.dtype
    np.testing.assert_allclose(_np(out), expected, **tol(q.dtype))


def test_sdpa_fully_masked_row_gives_zeros_and_finite_grads() -> None:
    rng = np.random.default_rng(0)
    q = ember.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    k = ember.tensor(rng.standard_normal((2, 5, 4)), requires_grad=True)
    v = ember.tensor(rng.standard_normal((2, 5, 2)), requires_grad=True)
    mask = np.ones((3, 5), bool)
    mask[1] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=ember.tensor(mask))
    np.testing.assert_array_equal(_np(out)[:, 1], 0.0)
    out.sum().backward()
    for t in (q, k, v):
        assert t.grad is not None and np.isfinite(_np(t.grad)).all()
    np.testing.assert_array_equal(_np(q.grad)[:, 1], 0.0)


def test_sdpa_causal_is_top_left_aligned() -> None:
    v = ember.arange(3.0).view(1, 3, 1)
    out = F.scaled_dot_product_attention(ember.ones(1, 5, 2), ember.ones(1, 3, 2), v, is_causal=True)
    np.testing.assert_allclose(_np(out).ravel(), [0.0, 0.5, 1.0, 1.0, 1.0])
    out = F.scaled_dot_product_attention(ember.ones(1, 3, 2), ember.ones(1, 5, 2), ember.arange(5.0).view(1, 5, 1),
                                         is_causal=True)
    np.testing.assert_allclose(_np(out).ravel(), [0.0, 0.5, 1.0])


def test_sdpa_float32_mask_with_float64_query_and_broadcast_batch() -> None:
    rng = np.random.default_rng(1)
    q, k, v = rng.standard_normal((2, 1, 3, 4)), rng.standard_normal((3, 5, 4)), rng.standard_normal((3, 5, 2))
    m = rng.standard_normal((3, 5)).astype(np.float32)
    out = F.scaled_dot_product_attention(ember.tensor(q), ember.tensor(k), ember.tensor(v), ember.tensor(m))
    assert out.shape == (2, 3, 3, 2) and out.dtype == ember.float64
    np.testing.assert_allclose(_np(out), np_sdpa(q, k, v, m.astype(np.float64)), rtol=1e-10)


@pytest.mark.parametrize(("hq", "hk", "hv"), [(6, 3, 3), (6, 2, 3), (4, 1, 4), (2, 2, 2)])
def test_sdpa_grouped_query_attention(hq: int, hk: int, hv: int) -> None:
    rng = np.random.default_rng(2)
    q, k, v = rng.standard_normal((2, hq, 3, 4)), rng.standard_normal((2, hk, 5, 4)), rng.standard_normal((2, hv, 5, 3))
    out = F.scaled_dot_product_attention(ember.tensor(q), ember.tensor(k), ember.tensor(v), enable_gqa=True)
    expected = np_sdpa(q, np.repeat(k, hq // hk, axis=1), np.repeat(v, hq // hv, axis=1))
    np.testing.assert_allclose(_np(out), expected, rtol=1e-10)


def test_sdpa_dropout() -> None:
    S, p = 8, 0.25
    q, k = ember.zeros(64, 4, 2), ember.zeros(64, S, 2)  # uniform weights 1/S
    v = ember.eye(S)  # the output is the (dropped-out) weight matrix itself
    ember.manual_seed(0)
    out = _np(F.scaled_dot_product_attention(q, k, v, dropout_p=p))
    kept = 1.0 / (S * (1 - p))
    assert np.all(np.isclose(out, 0.0) | np.isclose(out, kept))
    assert 0.65 < np.isclose(out, kept).mean() < 0.85
    ember.manual_seed(0)
    np.testing.assert_array_equal(_np(F.scaled_dot_product_attention(q, k, v, dropout_p=p)), out)  # seeded
    np.testing.assert_array_equal(_np(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0)), 0.0)
    np.testing.assert_allclose(_np(F.scaled_dot_product_attention(q, k, v, dropout_p=0.0)), 1.0 / S)


@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float", "dead_row", "gqa"])
def test_sdpa_gradcheck(kind: str) -> None:
    rng = np.random.default_rng(3)
    hk = 1 if kind == "gqa" else 2
    q = ember.tensor(rng.standard_normal((1, 2, 3, 2)), requires_grad=True)
    k = ember.tensor(rng.standard_normal((1, hk, 4, 2)), requires_grad=True)
    v = ember.tensor(rng.standard_normal((1, hk, 4, 3)), requires_grad=True)
    inputs: list[ember.Tensor] = [q, k, v]
    kwargs: dict = {"is_causal": kind == "causal", "enable_gqa": kind == "gqa"}
    if kind == "bool":
        kwargs["attn_mask"] = ember.tensor(rng.random((3, 4)) > 0.4) | ember.eye(3, 4, dtype=ember.bool)
    if kind in ("float", "dead_row"):
        m = rng.standard_normal((3, 4))
        if kind == "dead_row":
            m[2] = -np.inf
        inputs.append(ember.tensor(m, requires_grad=kind == "float"))
    assert gradcheck(lambda *xs: F.scaled_dot_product_attention(*xs, **kwargs), tuple(inputs))


# -- scaled_dot_product_attention: errors ------------------------------------------------------------------

def _raises(exc: type[BaseException], message: str) -> Any:
    """``pytest.raises`` for an exception type and a literal (not regex) part of the message."""
    return pytest.raises(exc, match=re.escape(message))


def test_sdpa_errors() -> None:
    q, k, v = ember.randn(2, 3, 4), ember.randn(2, 5, 4), ember.randn(2, 5, 6)
    with _raises(TypeError, "argument 'query' (position 1) must be Tensor, not ndarray"):
        F.scaled_dot_product_attention(np.zeros((2, 3)), k, v)  # type: ignore[arg-type]
    with _raises(TypeError, "argument 'attn_mask' (position 4) must be Tensor, not float"):
        F.scaled_dot_product_attention(q, k, v, 0.0)  # type: ignore[arg-type]
    with _raises(RuntimeError, "at least 2 dimensional, but got query.dim: 1 key.dim: 3"):
        F.scaled_dot_product_attention(q[0, 0], k, v)
    with _raises(RuntimeError, "same dtype, but got query.dtype: float key.dtype: float and value.dtype: "
                                           "double instead"):
        F.scaled_dot_product_attention(q, k, v.double())
    with _raises(RuntimeError, "expected floating-point query, key and value, but got ember.int64"):
        F.scaled_dot_product_attention(q.long(), k.long(), v.long())
    with _raises(RuntimeError, "query's embedding size 4 does not match key's 3"):
        F.scaled_dot_product_attention(q, k[..., :3], v)
    with _raises(RuntimeError, "key and value must have the same sequence length"):
        F.scaled_dot_product_attention(q, k, v[:, :4])
    with _raises(RuntimeError, "Explicit attn_mask should not be set when is_causal=True"):
        F.scaled_dot_product_attention(q, k, v, ember.ones(3, 5, dtype=ember.bool), is_causal=True)
    with _raises(RuntimeError, "attn_mask dtype to be bool or float or to match query dtype, but got "
                                           "attn_mask.dtype: long int and  query.dtype: float"):
        F.scaled_dot_product_attention(q, k, v, ember.zeros(3, 5, dtype=ember.int64))
    with _raises(RuntimeError, "attn_mask.dtype: double and  query.dtype: float"):
        F.scaled_dot_product_attention(q, k, v, ember.zeros(3, 5, dtype=ember.float64))
    with _raises(RuntimeError, "Number of heads in key and value must divide the number of heads in query"):
        F.scaled_dot_product_attention(ember.randn(1, 6, 3, 4), ember.randn(1, 4, 5, 4), ember.randn(1, 4, 5, 4),
                                       enable_gqa=True)
    with _raises(IndexError, "enable_gqa=True needs a head dimension"):
        F.scaled_dot_product_attention(q[0], k[0], v[0], enable_gqa=True)
    with _raises(RuntimeError, "dropout probability has to be between 0 and 1, but got 1.5"):
        F.scaled_dot_product_attention(q, k, v, dropout_p=1.5)


# -- MultiheadAttention ------------------------------------------------------------------------------------

def _load_mha(mha: nn.MultiheadAttention, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random float64 weights for every parameter, loaded through load_state_dict; returns them."""
    weights = {name: rng.standard_normal(tuple(p.shape)) * 0.5 for name, p in mha.state_dict().items()}
    result = mha.load_state_dict({name: ember.tensor(w) for name, w in weights.items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    return weights


def _seq_first(a: np.ndarray, batch_first: bool) -> np.ndarray:
    return a if batch_first else np.ascontiguousarray(a.swapaxes(0, 1))


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("masks", ["none", "bool", "float", "padding", "both", "3d"])
@pytest.mark.parametrize("attention", ["self", "cross"])
def test_mha_matches_numpy(batch_first: bool, masks: str, attention: str) -> None:
    rng = np.random.default_rng(10)
    N, L, E, H = 2, 4, 6, 3
    S = L if attention == "self" else 5
    mha = nn.MultiheadAttention(E, H, batch_first=batch_first, dtype=ember.float64)
    w = _load_mha(mha, rng)
    q = rng.standard_normal((N, L, E))
    k = q if attention == "self" else rng.standard_normal((N, S, E))
    v = q if attention == "self" else rng.standard_normal((N, S, E))
    am = kpm = None
    if masks in ("bool", "both"):
        am = rng.random((L, S)) > 0.6
        am[:, 0] = False
    if masks == "float":
        am = rng.standard_normal((L, S))
    if masks == "3d":
        am = rng.standard_normal((N * H, L, S))
    if masks in ("padding", "both"):
        kpm = rng.random((N, S)) > 0.6
        kpm[:, 0] = False
    tq = ember.tensor(_seq_first(q, batch_first))
    tk = tq if attention == "self" else ember.tensor(_seq_first(k, batch_first))
    tv = tq if attention == "self" else ember.tensor(_seq_first(v, batch_first))
    t_am = None if am is None else ember.tensor(am)
    t_kpm = None if kpm is None else ember.tensor(kpm)
    out, weights = np_mha(q, k, v, w["in_proj_weight"], w["in_proj_bias"], w["out_proj.weight"], w["out_proj.bias"],
                          H, am, kpm)
    got, got_w = mha(tq, tk, tv, key_padding_mask=t_kpm, attn_mask=t_am)
    np.testing.assert_allclose(_np(got), _seq_first(out, batch_first), rtol=1e-10, atol=1e-12)
    assert got_w is not None
    np.testing.assert_allclose(_np(got_w), weights.mean(1), rtol=1e-10, atol=1e-12)
    _, per_head = mha(tq, tk, tv, key_padding_mask=t_kpm, attn_mask=t_am, average_attn_weights=False)
    assert per_head is not None
    np.testing.assert_allclose(_np(per_head), weights, rtol=1e-10, atol=1e-12)
    fast, none = mha(tq, tk, tv, key_padding_mask=t_kpm, attn_mask=t_am, need_weights=False)
    assert none is None
    np.testing.assert_allclose(_np(fast), _np(got), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_unbatched_matches_batched(need_weights: bool) -> None:
    rng = np.random.default_rng(11)
    mha = nn.MultiheadAttention(4, 2, batch_first=True, dtype=ember.float64)
    _load_mha(mha, rng)
    q, k = ember.tensor(rng.standard_normal((3, 4))), ember.tensor(rng.standard_normal((5, 4)))
    kpm = ember.tensor(np.array([0.0, -np.inf, 0.0, 0.0, -np.inf]))  # float, as attn_mask (no warning)
    am = ember.tensor(rng.standard_normal((2, 3, 5)))  # unbatched 3-d mask: (num_heads, L, S)
    out, w = mha(q, k, k, key_padding_mask=kpm, attn_mask=am, need_weights=need_weights)
    out_b, w_b = mha(q[None], k[None], k[None], key_padding_mask=kpm[None], attn_mask=am, need_weights=need_weights)
    assert out.shape == (3, 4)
    np.testing.assert_allclose(_np(out), _np(out_b)[0], rtol=1e-12)
    if need_weights:
        assert w is not None and w_b is not None and w.shape == (3, 5)
        np.testing.assert_allclose(_np(w), _np(w_b)[0], rtol=1e-12)


@pytest.mark.parametrize(("add_bias_kv", "add_zero_attn", "kdim"), [(True, False, None), (False, True, None),
                                                                      (True, True, None), (False, False, 3),
                                                                      (True, True, 5)])
def test_mha_bias_kv_zero_attn_and_kdim_vdim(add_bias_kv: bool, add_zero_attn: bool, kdim: int | None) -> None:
    rng = np.random.default_rng(12)
    N, L, S, E, H = 2, 3, 4, 4, 2
    vdim = None if kdim is None else kdim + 1
    mha = nn.MultiheadAttention(E, H, add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn, kdim=kdim, vdim=vdim,
                                batch_first=True, dtype=ember.float64)
    w = _load_mha(mha, rng)
    q = rng.standard_normal((N, L, E))
    k, v = rng.standard_normal((N, S, kdim or E)), rng.standard_normal((N, S, vdim or E))
    am = rng.random((L, S)) > 0.7
    am[:, 0] = False
    kpm = np.zeros((N, S), bool)
    kpm[1, -1] = True
    w_in = w["in_proj_weight"] if kdim is None else (w["q_proj_weight"], w["k_proj_weight"], w["v_proj_weight"])
    bias_kv = (w["bias_k"], w["bias_v"]) if add_bias_kv else None
    out, weights = np_mha(q, k, v, w_in, w["in_proj_bias"], w["out_proj.weight"], w["out_proj.bias"], H, am, kpm,
                          bias_kv=bias_kv, zero_attn=add_zero_attn)
    got, got_w = mha(ember.tensor(q), ember.tensor(k), ember.tensor(v), key_padding_mask=ember.tensor(kpm),
                     attn_mask=ember.tensor(am), average_attn_weights=False)
    np.testing.assert_allclose(_np(got), out, rtol=1e-10, atol=1e-12)
    assert got_w is not None
    np.testing.assert_allclose(_np(got_w), weights, rtol=1e-10, atol=1e-12)


def test_mha_parameters_init_and_repr() -> None:
    ember.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    assert [(n, tuple(p.shape)) for n, p in mha.named_parameters()] == [
        ("in_proj_weight", (24, 8)), ("in_proj_bias", (24,)), ("out_proj.weight", (8, 8)), ("out_proj.bias", (8,))]
    bound = math.sqrt(6.0 / (8 + 24))  # xavier_uniform_ with fan_in 8, fan_out 24
    w = _np(mha.in_proj_weight)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    np.testing.assert_array_equal(_np(mha.in_proj_bias), 0.0)
    np.testing.assert_array_equal(_np(mha.out_proj.bias), 0.0)
    assert repr(mha) == ("MultiheadAttention(\n"
                         "  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n)")
    mha = nn.MultiheadAttention(8, 2, bias=False, add_bias_kv=True, kdim=3, vdim=5)
    assert [(n, tuple(p.shape)) for n, p in mha.named_parameters()] == [
        ("q_proj_weight", (8, 8)), ("k_proj_weight", (8, 3)), ("v_proj_weight", (8, 5)), ("bias_k", (1, 1, 8)),
        ("bias_v", (1, 1, 8)), ("out_proj.weight", (8, 8))]
    assert mha.in_proj_weight is None and mha.in_proj_bias is None and mha.head_dim == 4
    assert "bias=False" in repr(mha)


def test_mha_gradients_gradcheck() -> None:
    rng = np.random.default_rng(13)
    L, S, N, E, H = 3, 4, 2, 4, 2

    def t(*shape: int) -> ember.Tensor:
        return ember.tensor(rng.standard_normal(shape), requires_grad=True)

    q, k, v = t(L, N, E), t(S, N, E), t(S, N, E)
    w_in, b_in, w_out, b_out, bias_k, bias_v = t(3 * E, E), t(3 * E), t(E, E), t(E), t(1, 1, E), t(1, 1, E)
    am = ember.tensor(rng.standard_normal((L, S)))
    kpm = ember.tensor(np.array([[0.0, 0.0, -np.inf, 0.0], [0.0, 0.0, 0.0, 0.0]]))

    def run(q: ember.Tensor, k: ember.Tensor, v: ember.Tensor, *params: ember.Tensor) -> tuple[ember.Tensor, ...]:
        out, w = F.multi_head_attention_forward(
            q, k, v, E, H, params[0], params[1], params[4], params[5], True, 0.0, params[2], params[3],
            key_padding_mask=kpm, attn_mask=am, average_attn_weights=False)
        assert w is not None
        return out, w

    assert gradcheck(run, (q, k, v, w_in, b_in, w_out, b_out, bias_k, bias_v))


def test_mha_module_backward_reaches_every_parameter() -> None:
    mha = nn.MultiheadAttention(6, 3, add_bias_kv=True, kdim=4, vdim=5, batch_first=True)
    x, k, v = ember.randn(2, 3, 6), ember.randn(2, 4, 4), ember.randn(2, 4, 5)
    out, w = mha(x, k, v, attn_mask=ember.triu(ember.ones(3, 4, dtype=ember.bool), 1))
    assert w is not None
    (out.square().sum() + w.sum()).backward()
    for name, p in mha.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape and np.isfinite(_np(p.grad)).all(), name


def test_mha_causal_hint_and_fully_masked_rows() -> None:
    rng = np.random.default_rng(14)
    mha = nn.MultiheadAttention(4, 2, batch_first=True, dtype=ember.float64)
    _load_mha(mha, rng)
    x = ember.tensor(rng.standard_normal((2, 5, 4)))
    causal = nn.Transformer.generate_square_subsequent_mask(5, dtype=ember.float64)
    ref, _ = mha(x, x, x, attn_mask=causal)
    for need_weights in (True, False):
        hinted, _ = mha(x, x, x, attn_mask=causal, is_causal=True, need_weights=need_weights)
        np.testing.assert_allclose(_np(hinted), _np(ref), rtol=1e-12)
    # torch: need_weights=True uses a plain softmax (a fully padded sequence gives NaN),
    # need_weights=False the SDPA path (zeros from attention, so the output is out_proj.bias).
    kpm = ember.tensor(np.array([[True] * 5, [False] * 5]))
    out, _ = mha(x, x, x, key_padding_mask=kpm)
    assert np.isnan(_np(out)[0]).all() and np.isfinite(_np(out)[1]).all()
    out, _ = mha(x, x, x, key_padding_mask=kpm, need_weights=False)
    assert mha.out_proj.bias is not None
    np.testing.assert_allclose(_np(out)[0], np.broadcast_to(_np(mha.out_proj.bias), (5, 4)), rtol=1e-12)


def test_mha_dropout_in_training_only() -> None:
    mha = nn.MultiheadAttention(4, 1, dropout=0.5, batch_first=True)
    x = ember.zeros(1, 64, 4)  # uniform weights 1/64
    _, w = mha(x, x, x)
    assert w is not None
    values = _np(w)
    assert np.all(np.isclose(values, 0.0) | np.isclose(values, 2.0 / 64))  # torch returns the dropped weights
    assert 0.35 < np.isclose(values, 0.0).mean() < 0.65
    mha.eval()
    _, w = mha(x, x, x)
    assert w is not None
    np.testing.assert_allclose(_np(w), 1.0 / 64, rtol=1e-6)


def test_mha_errors() -> None:
    with _raises(ValueError, "embed_dim and num_heads must be greater than 0, got embed_dim=0 and num_heads=3"):
        nn.MultiheadAttention(0, 3)
    with _raises(AssertionError, "embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(8, 3)
    mha = nn.MultiheadAttention(4, 2)
    x = ember.randn(3, 2, 4)
    with _raises(RuntimeError, "Need attn_mask if specifying the is_causal hint"):
        mha(x, x, x, is_causal=True)
    with _raises(AssertionError, "was expecting embedding dimension of 4, but got 5"):
        mha(ember.randn(3, 2, 5), ember.randn(3, 2, 5), ember.randn(3, 2, 5))
    with _raises(AssertionError, "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found 2-D"):
        mha(x, x[0], x[0])
    with _raises(AssertionError, "query should be unbatched 2D or batched 3D tensor but received 4-D query tensor"):
        mha(x[None], x[None], x[None])
    with _raises(AssertionError, "key shape"):
        mha(x, x, ember.randn(4, 2, 4))
    with _raises(RuntimeError, "The shape of the 2D attn_mask is ember.Size([3, 4]), but should be (3, 3)."):
        mha(x, x, x, attn_mask=ember.zeros(3, 4))
    with _raises(RuntimeError, "The shape of the 3D attn_mask is ember.Size([2, 3, 3]), but should be (4, 3, 3)."):
        mha(x, x, x, attn_mask=ember.zeros(2, 3, 3))
    with _raises(AssertionError, "only bool and floating types of key_padding_mask are supported"):
        mha(x, x, x, key_padding_mask=ember.zeros(2, 3, dtype=ember.int64))
    with _raises(AssertionError, "Expected key_padded_mask.shape[1] to be 3, but got 4"):
        mha(x, x, x, key_padding_mask=ember.zeros(2, 4, dtype=ember.bool))
    with _raises(AssertionError, "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D"):
        mha(x, x, x, attn_mask=ember.zeros(1, 2, 3, 3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mha(x, x, x, key_padding_mask=ember.zeros(2, 3, dtype=ember.bool), attn_mask=ember.zeros(3, 3))
    assert any("Support for mismatched key_padding_mask and attn_mask is deprecated" in str(w.message) for w in caught)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_mha_property_against_numpy(data: st.DataObject) -> None:
    dt = data.draw(st.sampled_from([np.float32, np.float64]))
    N, L, S = data.draw(st.integers(0, 3)), data.draw(st.integers(0, 4)), data.draw(st.integers(0, 4))
    H = data.draw(st.integers(1, 3))
    E = H * data.draw(st.integers(1, 3))
    batch_first, need_weights = data.draw(st.booleans()), data.draw(st.booleans())
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    mha = nn.MultiheadAttention(E, H, batch_first=batch_first, dtype=ember.float32 if dt == np.float32 else ember.float64)
    w = {name: rng.standard_normal(tuple(p.shape)).astype(dt) for name, p in mha.state_dict().items()}
    mha.load_state_dict({name: ember.tensor(a) for name, a in w.items()})
    q, kv = rng.standard_normal((N, L, E)).astype(dt), rng.standard_normal((N, S, E)).astype(dt)
    kpm = rng.random((N, S)) > 0.7
    kpm[:, :1] = False  # no sequence entirely padded (torch's need_weights path gives NaN there)
    tq, tkv = ember.tensor(_seq_first(q, batch_first)), ember.tensor(_seq_first(kv, batch_first))
    if not batch_first and data.draw(st.booleans()):  # a non-contiguous query: a transposed batch-first copy
        tq = ember.tensor(np.ascontiguousarray(q)).transpose(0, 1)
    out, weights = np_mha(q.astype(np.float64), kv.astype(np.float64), kv.astype(np.float64), w["in_proj_weight"],
                          w["in_proj_bias"], w["out_proj.weight"], w["out_proj.bias"], H, key_padding_mask=kpm)
    got, got_w = mha(tq, tkv, tkv, key_padding_mask=ember.tensor(kpm), need_weights=need_weights)
    assert got.dtype == tq.dtype and got.shape == tq.shape
    np.testing.assert_allclose(_np(got), _seq_first(out, batch_first), **tol(dt))
    if need_weights:
        assert got_w is not None
        np.testing.assert_allclose(_np(got_w), weights.mean(1), **tol(dt))
    else:
        assert got_w is None
