"""Convolution, pooling, normalization, softmax, dropout, embedding and resampling for ``F``.

Most names are core's ops (``ember.conv2d`` ...) under ``torch.nn.functional``'s names,
re-exported unchanged. Written here, by composing core ops (so autograd needs no new
rule): ``softmin``, ``lp_pool1d/2d/3d`` (power-average pooling through ``avg_pool``),
``unfold``/``fold`` (im2col/col2im as a convolution, and its transpose, with a one-hot
kernel per window position, so the fast conv kernels do the gathering) and the
deprecated ``upsample``/``upsample_nearest``/``upsample_bilinear``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import ember
from ember import Tensor
from ember._nnops import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d,
    adaptive_max_pool3d_with_indices,
    alpha_dropout,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    batch_norm,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    embedding,
    embedding_bag,
    feature_alpha_dropout,
    group_norm,
    instance_norm,
    interpolate,
    layer_norm,
    log_softmax,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool2d_with_indices,
    max_pool3d,
    max_pool3d_with_indices,
    normalize,
    one_hot,
    pad,
    pixel_shuffle,
    pixel_unshuffle,
    rms_norm,
    softmax,
)
from ember._nnops.activation import check_tensor, softmax_dim

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "max_pool3d",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices",
    "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "softmax", "log_softmax", "softmin",
    "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
    "layer_norm", "batch_norm", "group_norm", "instance_norm", "rms_norm", "normalize",
    "embedding", "embedding_bag", "one_hot",
    "pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
    "pixel_shuffle", "pixel_unshuffle", "unfold", "fold",
]


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: ember.dtype | None = None) -> Tensor:
    """``softmax(-input, dim)``: weights that favour the smallest entries.

    >>> F.softmin(ember.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    check_tensor(input, "softmin")
    if dim is None:
        dim = softmax_dim(input.ndim, "softmin", _stacklevel)
    return softmax(-input, dim, dtype=dtype)


# -- power-average pooling ------------------------------------------------------------------------

def _lp_pool(n: int, input: Tensor, norm_type: float, kernel_size: Any, stride: Any, ceil_mode: bool) -> Tensor:
    check_tensor(input, f"lp_pool{n}d")
    pools = {1: (max_pool1d, avg_pool1d), 2: (max_pool2d, avg_pool2d), 3: (max_pool3d, avg_pool3d)}
    max_pool, avg_pool = pools[n]
    if norm_type == float("inf"):
        return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    ks = [kernel_size] * n if isinstance(kernel_size, int) else list(kernel_size)
    count = 1
    for k in ks:
        count *= int(k)
    if stride is not None:
        out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    # torch's gradient is 0 (not inf * 0) where a window's power sum is 0: root only the nonzero sums.
    zero = out == 0
    return ember.where(zero, 0.0, ember.where(zero, 1.0, out).mul(count).pow(1.0 / norm_type))


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling ``(sum over window of x**p) ** (1/p)`` over ``(N, C, L)`` input.

    >>> F.lp_pool1d(ember.tensor([[[3.0, 4.0]]]), 2, 2)
    tensor([[[5.]]])
    """
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over ``(N, C, H, W)`` input (see :func:`lp_pool1d`)."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over ``(N, C, D, H, W)`` input (see :func:`lp_pool1d`)."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# -- deprecated resampling wrappers ---------------------------------------------------------------

def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of :func:`interpolate` (warns, as torch)."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode='nearest')``."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# -- im2col / col2im ------------------------------------------------------------------------------

def _pair(value: Any, name: str) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    if isinstance(value, Sequence) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        if len(value) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")
        return (int(value[0]), int(value[1]))
    raise TypeError(f"{name} must be an int or a tuple of two ints, not {type(value).__name__}")


def _window_params(kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple[tuple[int, int], ...]:
    k, d, p, s = (_pair(kernel_size, "kernel_size"), _pair(dilation, "dilation"),
                  _pair(padding, "padding"), _pair(stride, "stride"))
    if min(k) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {k[0]} "
                           f"kernel_width: {k[1]}")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {d[0]} "
                           f"dilation_width: {d[1]}")
    if min(p) < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {p[0]} pad_width: {p[1]}")
    if min(s) <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {s[0]} "
                           f"stride_width: {s[1]}")
    return k, d, p, s


def _one_hot_kernel(input: Tensor, k: tuple[int, int]) -> Tensor:
    """``(kh*kw, 1, kh, kw)`` weight whose output channel ``i`` picks window position ``i``."""
    kk = k[0] * k[1]
    return ember.eye(kk, dtype=input.dtype, device=input.device).reshape(kk, 1, k[0], k[1])


def _blocks(size: tuple[int, int], k: tuple[int, int], d: tuple[int, int], p: tuple[int, int],
            s: tuple[int, int]) -> tuple[int, int]:
    return tuple((size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2))  # type: ignore[return-value]


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Extract sliding local blocks (im2col): ``(N, C, H, W)`` -> ``(N, C*kh*kw, L)``.

    >>> F.unfold(ember.arange(4.0).reshape(1, 1, 2, 2), 2)
    tensor([[[0.],
             [1.],
             [2.],
             [3.]]])
    """
    check_tensor(input, "unfold")
    k, d, p, s = _window_params(kernel_size, dilation, padding, stride)
    batched = input.ndim == 4
    if input.ndim not in (3, 4) or any(n == 0 for n in input.shape[-3:]):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    x = input if batched else input.unsqueeze(0)
    n, c, h, w = x.shape
    blocks = _blocks((h, w), k, d, p, s)
    if min(blocks) < 1:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, {d[1]}), "
            f"padding=({p[0]}, {p[1]}), calculated shape of the array of sliding blocks as ({blocks[0]}, "
            f"{blocks[1]}), but its components must be at least one.")
    cols = conv2d(x.reshape(n * c, 1, h, w), _one_hot_kernel(input, k), None, s, p, d)
    out = cols.reshape(n, c * k[0] * k[1], blocks[0] * blocks[1])
    return out if batched else out.squeeze(0)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """Sum sliding local blocks back into an image (col2im): ``(N, C*kh*kw, L)`` -> ``(N, C, H, W)``.

    Overlapping positions add up, so ``fold(unfold(x))`` scales each pixel by its block count.

    >>> F.fold(ember.ones(1, 4, 1), (2, 2), 2)
    tensor([[[[1., 1.],
              [1., 1.]]]])
    """
    check_tensor(input, "fold")
    size = _pair(output_size, "output_size")
    k, d, p, s = _window_params(kernel_size, dilation, padding, stride)
    batched = input.ndim == 3
    if input.ndim not in (2, 3) or any(n == 0 for n in input.shape[-2:]):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    x = input if batched else input.unsqueeze(0)
    n, ckk, length = x.shape
    kk = k[0] * k[1]
    if ckk % kk:
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={ckk} and kernel_size=({k[0]}, {k[1]}).")
    blocks = _blocks(size, k, d, p, s)
    if min(blocks) < 1 or blocks[0] * blocks[1] != length:
        raise RuntimeError(
            f"Given output_size=({size[0]}, {size[1]}), kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, {d[1]}), "
            f"padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), expected size of input's dimension 2 to match "
            f"the calculated number of sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, "
            f"but got input.size(2)={length}.")
    c = ckk // kk
    # conv_transpose reaches (blocks-1)*s - 2p + d*(k-1) + 1; output_padding (< stride) makes up the rest.
    extra = tuple(size[i] - ((blocks[i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + 1) for i in range(2))
    out = conv_transpose2d(x.reshape(n * c, kk, blocks[0], blocks[1]), _one_hot_kernel(input, k), None,
                           s, p, extra, 1, d).reshape(n, c, size[0], size[1])
    return out if batched else out.squeeze(0)
