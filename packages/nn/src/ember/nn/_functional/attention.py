"""Attention: ``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward``.

Both are compositions of differentiable Ember ops (matmul, softmax, where, dropout), so
autograd needs no rule of its own for them. Heads are kept as a separate axis,
``(N, H, L, head_dim)``, rather than torch's ``(N * H, L, head_dim)``: the packed in-projection
then splits into query, key and value by a reshape and a permute (views, no copies), and every
mask broadcasts over the head axis instead of being expanded.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import ember
from ember._nnops import dropout, pad, softmax
from ember._tensor_base import TensorBase

if TYPE_CHECKING:
    from ember import Tensor
    from ember._dtypes import dtype as DType

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_NEG_INF = float("-inf")

# c10's C++ type names, which torch's attention errors print ("float", "long int").
_CPP_NAMES = {
    "bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int",
    "int64": "long int", "float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float",
    "float64": "double", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>",
}


def _cpp(dt: DType) -> str:
    return _CPP_NAMES.get(dt.name, dt.name)


def _check_tensor(value: Any, op: str, name: str, position: int, optional: bool = False) -> None:
    if optional and value is None:
        return
    if not isinstance(value, TensorBase):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}")


def _linear(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """``x @ weight.T + bias`` (F.linear), one BLAS call for 2-d input."""
    if bias is not None and x.dim() == 2:
        return bias.addmm(x, weight.mT)
    out = x.matmul(weight.mT)
    return out if bias is None else out + bias


def _check_sdpa(query: Any, key: Any, value: Any, attn_mask: Any, dropout_p: float, is_causal: bool,
                enable_gqa: bool) -> None:
    op = "scaled_dot_product_attention"
    if not 0.0 <= dropout_p <= 1.0:  # torch.dropout's RuntimeError (F.dropout's is a ValueError)
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    for position, (name, t) in enumerate((("query", query), ("key", key), ("value", value)), 1):
        _check_tensor(t, op, name, position)
    _check_tensor(attn_mask, op, "attn_mask", 4, optional=True)
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead.")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_cpp(query.dtype)} key.dtype: {_cpp(key.dtype)} and value.dtype: {_cpp(value.dtype)} instead.")
    if not query.dtype.is_floating_point:
        raise RuntimeError(
            f"{op}(): expected floating-point query, key and value, but got {query.dtype}")
    if not query.device == key.device == value.device:
        raise RuntimeError(
            f"{op}(): expected query, key and value on one device, got {query.device}, {key.device} "
            f"and {value.device}; move them with .to()")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(
            f"{op}(): query's embedding size {query.shape[-1]} does not match key's {key.shape[-1]} "
            f"(query {list(query.shape)}, key {list(key.shape)})")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"{op}(): key and value must have the same sequence length, got key {list(key.shape)} "
            f"and value {list(value.shape)}")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if attn_mask is not None and attn_mask.dtype not in (ember.bool, ember.float32, query.dtype):
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: "
            f"{_cpp(attn_mask.dtype)} and  query.dtype: {_cpp(query.dtype)} instead.")
    if enable_gqa:
        for name, t in (("query", query), ("key", key), ("value", value)):
            if t.dim() < 3:
                raise IndexError(
                    f"{op}(): enable_gqa=True needs a head dimension (-3), but {name} is {t.dim()}-d "
                    f"(Dimension out of range (expected to be in range of [-{t.dim()}, {t.dim() - 1}], but got -3))")
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hk == 0 or hv == 0 or hq % hk or hq % hv:
            raise RuntimeError(
                "Number of heads in key and value must divide the number of heads in query, got "
                f"{hq} query heads, {hk} key heads and {hv} value heads")


def _softmax_rows(scores: Tensor, safe: bool) -> Tensor:
    """Softmax over the last axis; with ``safe``, a row masked out entirely gives zeros, not NaN.

    The dead rows are zeroed *before* the softmax too, so their gradient is zero rather than
    NaN (softmax's backward multiplies by the NaN output otherwise).
    """
    if safe and scores.numel():
        dead = (scores == _NEG_INF).all(-1, keepdim=True)
        if bool(dead.any()):
            scores = ember.where(dead, 0.0, scores)
            return ember.where(dead, 0.0, softmax(scores, -1))
    return softmax(scores, -1)


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """``softmax(query @ key.T * scale + mask) @ value`` over the last two axes, as torch's.

    Args:
        query: ``(..., L, E)``; key: ``(..., S, E)``; value: ``(..., S, Ev)``; leading axes broadcast.
        attn_mask: a bool mask where ``True`` means *take part* (the inverse of MultiheadAttention's
            masks), or a float mask added to the scores; broadcastable to ``(..., L, S)``.
        dropout_p: dropout on the attention weights, always applied (pass 0.0 in eval mode).
        is_causal: position ``i`` attends to keys ``0..i`` (top-left aligned); excludes ``attn_mask``.
        scale: defaults to ``1 / sqrt(E)``.
        enable_gqa: key/value heads (axis -3) are repeated to match query's heads.

    Returns:
        ``(..., L, Ev)``. A query row whose keys are all masked out gives zeros.

    >>> q = k = v = ember.ones(1, 2, 3, 4)
    >>> scaled_dot_product_attention(q, k, v, is_causal=True).shape
    ember.Size([1, 2, 3, 4])
    """
    _check_sdpa(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa)
    if enable_gqa:
        hq = query.shape[-3]
        if key.shape[-3] != hq:
            key = key.repeat_interleave(hq // key.shape[-3], -3)
        if value.shape[-3] != hq:
            value = value.repeat_interleave(hq // value.shape[-3], -3)
    factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    # Scaling the query (L*E values) is cheaper than scaling the scores (L*S) when S > E.
    scores = (query * factor).matmul(key.mT)
    L, S = query.shape[-2], key.shape[-2]
    if is_causal:
        keep = ember.ones((L, S), dtype=ember.bool, device=query.device).tril()
        scores = ember.where(keep, scores, _NEG_INF)
    elif attn_mask is not None:
        if attn_mask.dtype == ember.bool:
            scores = ember.where(attn_mask, scores, _NEG_INF)
        else:
            scores = scores + (attn_mask if attn_mask.dtype == scores.dtype else attn_mask.to(scores.dtype))
    weights = _softmax_rows(scores, safe=attn_mask is not None)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return weights.matmul(value)


# --- multi_head_attention_forward --------------------------------------------------------------


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                     attn_mask: Tensor | None, num_heads: int) -> bool:
    """torch's ``_mha_shape_check``: whether the input is batched (3-d) or not (2-d)."""
    if query.dim() not in (2, 3):
        raise AssertionError(
            f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query tensor")
    batched = query.dim() == 3
    n = query.dim()
    which = f"{'batched' if batched else 'unbatched'} ({n}-D) `query`"
    if key.dim() != n or value.dim() != n:
        raise AssertionError(
            f"For {which}, expected `key` and `value` to be {n}-D"
            f" but found {key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != n - 1:
        raise AssertionError(
            f"For {which}, expected `key_padding_mask` to be `None` or {n - 1}-D"
            f" but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(
                f"For {which}, expected `attn_mask` to be `None`, 2-D or 3-D"
                f" but found {attn_mask.dim()}-D tensor instead")
        if not batched and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
    return batched


def canonical_mask(mask: Tensor | None, mask_name: str, other_type: DType | None, other_name: str,
                   target_type: DType, check_other: bool = True) -> Tensor | None:
    """torch's ``_canonical_mask``: a bool mask (True = masked out) becomes an additive float mask.

    Float masks pass through; other dtypes are an AssertionError; a dtype that differs from the
    other mask's warns (torch deprecates mixing them).
    """
    if mask is None:
        return None
    if not isinstance(mask, TensorBase):
        raise TypeError(f"{mask_name} must be a Tensor or None, not {type(mask).__name__}")
    if mask.dtype != ember.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=3)
    if mask.dtype == ember.bool:
        zeros = ember.zeros(tuple(mask.shape), dtype=target_type, device=mask.device)
        return zeros.masked_fill(mask, _NEG_INF)
    return mask


def _dtype_of(t: Tensor | None) -> DType | None:
    return None if t is None else t.dtype


def _in_projection(query: Tensor, key: Tensor, value: Tensor, embed_dim: int,
                   in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, use_separate: bool,
                   q_w: Tensor | None, k_w: Tensor | None, v_w: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
    """Project query, key and value (each ``(seq, N, *)``) to ``(seq, N, E)``."""
    E = embed_dim
    if not use_separate:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        w, b = in_proj_weight, in_proj_bias
        if key is value:
            if query is key:  # self-attention: one matmul, then three views
                q, k, v = _linear(query, w, b).unflatten(-1, (3, E)).unbind(-2)
                return q, k, v
            w_q, w_kv = w.split([E, 2 * E])
            b_q, b_kv = (None, None) if b is None else b.split([E, 2 * E])
            k, v = _linear(key, w_kv, b_kv).unflatten(-1, (2, E)).unbind(-2)
            return _linear(query, w_q, b_q), k, v
        w_q, w_k, w_v = w.chunk(3)
        b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
        return _linear(query, w_q, b_q), _linear(key, w_k, b_k), _linear(value, w_v, b_v)
    for name, t in (("q", q_w), ("k", k_w), ("v", v_w)):
        if t is None:
            raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
    assert q_w is not None and k_w is not None and v_w is not None  # narrowed above, for mypy
    Eq, Ek, Ev = query.shape[-1], key.shape[-1], value.shape[-1]
    for name, t, want in (("query", q_w, (Eq, Eq)), ("key", k_w, (Eq, Ek)), ("value", v_w, (Eq, Ev))):
        if tuple(t.shape) != want:
            raise AssertionError(f"expecting {name} weights shape of {want}, but got {t.shape}")
    b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
    for name, bias in (("query", b_q), ("key", b_k), ("value", b_v)):
        if bias is not None and tuple(bias.shape) != (Eq,):
            raise AssertionError(f"expecting {name} bias shape of {(Eq,)}, but got {bias.shape}")
    return _linear(query, q_w, b_q), _linear(key, k_w, b_k), _linear(value, v_w, b_v)


def _heads(x: Tensor, bsz: int, num_heads: int, head_dim: int) -> Tensor:
    """``(seq, N, H * hd)`` to ``(N, H, seq, hd)``, a view."""
    return x.unflatten(-1, (num_heads, head_dim)).permute(1, 2, 0, 3)


def _static(t: Tensor, name: str, bsz: int, num_heads: int, head_dim: int) -> Tensor:
    if t.size(0) != bsz * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got {t.size(0)}")
    if t.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {t.size(2)}")
    return t.unflatten(0, (bsz, num_heads))


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """The forward of :class:`ember.nn.MultiheadAttention`, as torch's function of that name.

    Shapes are sequence-first: query ``(L, N, E)`` or unbatched ``(L, E)``, key/value
    ``(S, N, E_k)``. Mask semantics: bool ``True`` is masked out; float masks are added.
    ``attn_mask`` is ``(L, S)`` or ``(N * num_heads, L, S)``, ``key_padding_mask`` ``(N, S)``.

    Returns:
        ``(attn_output, attn_weights)``: ``(L, N, E)`` and, with ``need_weights``, ``(N, L, S)``
        (averaged over heads) or ``(N, num_heads, L, S)``; otherwise ``None``.
    """
    op = "multi_head_attention_forward"
    for position, (name, t) in enumerate((("query", query), ("key", key), ("value", value)), 1):
        _check_tensor(t, op, name, position)
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask", _dtype_of(attn_mask), "attn_mask",
                                      query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module method "
            "`generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # SDPA builds the causal mask itself
    else:
        attn_mask = canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False  # the merged mask is no longer causal
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(
                f"key's sequence and batch dims {key.shape[:2]} do not match value's {value.shape[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    q, k, v = _in_projection(query, key, value, embed_dim, in_proj_weight, in_proj_bias,
                             use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = ember.cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = ember.cat([v, bias_v.expand(1, bsz, embed_dim)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    qh = _heads(q, bsz, num_heads, head_dim)  # (N, H, L, hd)
    kh = _heads(k, bsz, num_heads, head_dim) if static_k is None else _static(static_k, "static_k", bsz,
                                                                               num_heads, head_dim)
    vh = _heads(v, bsz, num_heads, head_dim) if static_v is None else _static(static_v, "static_v", bsz,
                                                                               num_heads, head_dim)
    if add_zero_attn:
        kh = ember.cat([kh, ember.zeros((bsz, num_heads, 1, head_dim), dtype=kh.dtype, device=kh.device)], dim=2)
        vh = ember.cat([vh, ember.zeros((bsz, num_heads, 1, head_dim), dtype=vh.dtype, device=vh.device)], dim=2)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = kh.shape[2]

    # One additive mask that broadcasts against the (N, H, L, S) scores.
    mask: Tensor | None = None
    if attn_mask is not None:
        mask = attn_mask if attn_mask.shape[0] == 1 else attn_mask.unflatten(0, (bsz, num_heads))
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got {key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(
                f"Expected key_padded_mask.shape[1] to be {src_len}, but got {key_padding_mask.shape[1]}")
        kpm = key_padding_mask.view(bsz, 1, 1, src_len)
        mask = kpm if mask is None else mask + kpm

    if not training:
        dropout_p = 0.0
    weights: Tensor | None = None
    if need_weights:
        scores = (qh * (1.0 / math.sqrt(head_dim))).matmul(kh.mT)
        if mask is not None:
            scores = scores + mask
        weights = softmax(scores, -1)  # torch's plain softmax here: a fully masked row is NaN
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p, True)  # torch returns the dropped-out weights
        attn = weights.matmul(vh)
        if average_attn_weights:
            weights = weights.mean(dim=1)
    else:
        attn = scaled_dot_product_attention(qh, kh, vh, mask, dropout_p, is_causal)
    out = _linear(attn.permute(2, 0, 1, 3).reshape(tgt_len * bsz, embed_dim), out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if not is_batched:
        out = out.squeeze(1)
        if weights is not None:
            weights = weights.squeeze(0)
    return out, weights
