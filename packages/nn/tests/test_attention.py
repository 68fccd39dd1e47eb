"""Attention: F.scaled_dot_product_attention, F.multi_head_attention_forward and nn.MultiheadAttention
against NumPy references (weights loaded through load_state_dict), gradients by finite differences,
masks (causal, padding, bool and float), need_weights/average_attn_weights, batch_first, and
PyTorch 2.13's exception types and messages for misuse."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
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


def np_mha(q: np.ndarray, k: np.ndarray, v: np.ndarray, w_in: np.ndarray, b_in: np.ndarray | None, w_out: np.ndarray,
           b_out: np.ndarray | None, heads: int, attn_mask: np.ndarray | None = None,
           key_padding_mask: np.ndarray | None = None, safe: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Batch-first multi-head attention written out head by head: ``(N, L, E)`` -> output, per-head weights."""
    E = q.shape[-1]
    hd = E // heads
    b_in = np.zeros(3 * E) if b_in is None else b_in
    qp, kp, vp = q @ w_in[:E].T + b_in[:E], k @ w_in[E:2 * E].T + b_in[E:2 * E], v @ w_in[2 * E:].T + b_in[2 * E:]
    N, L, S = q.shape[0], q.shape[1], k.shape[1]
    bias = np.zeros((N, heads, L, S))
    if attn_mask is not None:
        am = np.where(attn_mask, -np.inf, 0.0) if attn_mask.dtype == bool else attn_mask
        bias = bias + (am.reshape(N, heads, L, S) if am.ndim == 3 else am)
    if key_padding_mask is not None:
        kpm = np.where(key_padding_mask, -np.inf, 0.0) if key_padding_mask.dtype == bool else key_padding_mask
        bias = bias + kpm[:, None, None, :]
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
