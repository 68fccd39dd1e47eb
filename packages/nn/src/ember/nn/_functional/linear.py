"""``F.linear`` and ``F.bilinear``: affine and bilinear maps over the last dimension.

Both are compositions of core ops (``addmm``/``matmul``, ``mul``, ``sum``), so their
gradients come from the core ops' rules. A 2-D ``F.linear`` with a bias is one
``addmm`` (one BLAS call and one node in the graph), the hot path of an MLP.
"""

from __future__ import annotations

import math
from typing import Any

import ember
from ember import Tensor

__all__ = ["linear", "bilinear"]


def _is_tensor(value: Any, op: str, name: str, position: int) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` over the last dim of ``input``: ``(*, in) -> (*, out)``.

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)`` or ``(in_features,)`` (then the out dim is dropped).
        bias: ``(out_features,)`` (anything broadcastable to the result), or None.

    >>> linear(ember.ones(2, 3), ember.ones(4, 3), ember.zeros(4)).tolist()
    [[3.0, 3.0, 3.0, 3.0], [3.0, 3.0, 3.0, 3.0]]
    """
    _is_tensor(input, "linear", "input", 1)
    _is_tensor(weight, "linear", "weight", 2)
    shape = input.shape
    wshape = weight.shape
    if shape and len(wshape) in (1, 2) and shape[-1] != wshape[-1]:
        m2 = f"{wshape[-1]}x{wshape[0]}" if len(wshape) == 2 else f"{wshape[0]}x1"
        raise RuntimeError(
            f"linear(): mat1 and mat2 shapes cannot be multiplied ({math.prod(shape[:-1])}x{shape[-1]} and {m2})"
        )
    if bias is not None:
        _is_tensor(bias, "linear", "bias", 3)
        if len(shape) == 2 and len(wshape) == 2:
            return ember.addmm(bias, input, weight.T)
        return ember.matmul(input, weight.T if len(wshape) == 2 else weight) + bias
    return ember.matmul(input, weight.T if len(wshape) == 2 else weight)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]``.

    Args:
        input1: ``(*, in1_features)``.
        input2: ``(*, in2_features)`` with the same leading dims as ``input1``.
        weight: ``(out_features, in1_features, in2_features)``.
        bias: ``(out_features,)`` or None.

    Computed as one matmul ``input1 @ weight`` (viewed ``(in1, out * in2)``) followed by a
    product with ``input2`` summed over ``in2``: no per-output loop.

    >>> bilinear(ember.ones(2, 3), ember.ones(2, 4), ember.ones(5, 3, 4)).shape
    ember.Size([2, 5])
    """
    op = "bilinear"
    _is_tensor(input1, op, "input1", 1)
    _is_tensor(input2, op, "input2", 2)
    _is_tensor(weight, op, "weight", 3)
    s1, s2, sw = input1.shape, input2.shape, weight.shape
    if len(sw) != 3:
        raise RuntimeError(f"{op}(): weight must be three-dimensional, but got {len(sw)} dimensions")
    if len(s1) != len(s2):
        raise RuntimeError(f"{op}(): input dimensions do not match: got {len(s1)} and {len(s2)}")
    for d, (a, b) in enumerate(zip(s1[:-1], s2[:-1], strict=True)):
        if a != b:
            raise RuntimeError(f"{op}(): input batch dimensions do not match at dim {d}: got {a} and {b}")
    if not s1:
        raise RuntimeError(f"{op}(): input dimensions must be at least 1, but got 0")
    out, in1, in2 = sw
    if s1[-1] != in1:
        raise RuntimeError(f"{op}(): input1 size does not match weight size: got {s1[-1]} but expected {in1}")
    if s2[-1] != in2:
        raise RuntimeError(f"{op}(): input2 size does not match weight size: got {s2[-1]} but expected {in2}")
    if bias is not None:
        _is_tensor(bias, op, "bias", 4)
        if bias.dim() != 1 or bias.shape[0] != out:
            got = bias.shape[-1] if bias.dim() else bias.dim()
            raise RuntimeError(f"{op}(): bias size does not match weight size: got {got} but expected {out}")
    lead = s1[:-1]
    # (*, in1) @ (in1, out * in2) -> (*, out, in2), then contract in2 against input2.
    t = ember.matmul(input1, weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(*lead, out, in2)
    y = (t * input2.unsqueeze(-2)).sum(-1)
    if bias is not None:
        y = y + bias
    return y
