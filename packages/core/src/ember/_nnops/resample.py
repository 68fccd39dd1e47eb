"""Resampling: ``pad``, ``interpolate``, ``pixel_shuffle``, ``pixel_unshuffle`` with
``torch.nn.functional``'s signatures, argument order and errors.

``pad`` and ``interpolate`` call the optional-tier kernels of
:mod:`ember.backends.reference.resample`; the pixel shuffles are reshape/permute
compositions.
"""

from __future__ import annotations

import math
import operator
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._nnops.activation import check_tensor
from ember._special_cases import no_kernel
from ember._tensor_base import TensorBase, like
from ember.backends._optional import kernel

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__ = ["pad", "interpolate", "pixel_shuffle", "pixel_unshuffle"]

_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _int_tuple(value: Any, op: str, name: str, position: int) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be tuple of ints, not {type(value).__name__}")
    for pos, v in enumerate(value):
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError(
                f"{op}(): argument '{name}' (position {position}) must be tuple of ints, but found element of type "
                f"{type(v).__name__} at pos {pos}"
            )
    return tuple(operator.index(v) for v in value)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, front, back)`` starts
    with the last dim, as in PyTorch. Negative padding crops (constant mode).

    >>> ember.pad(ember.tensor([[1, 2]]), (1, 0), value=9)
    tensor([[9, 1, 2]])
    """
    check_tensor(input, "pad")
    pads = _int_tuple(pad, "pad", "pad", 2)
    shape = tuple(input._data.shape)
    ndim = len(shape)
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pads) // 2
    if k > ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but got padding length "
            f"{len(pads)} and input of dimension {ndim}"
        )
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    # pairs in dim order: the last dim's pair comes first in ``pad``
    pairs = tuple((pads[2 * (k - 1 - j)], pads[2 * (k - 1 - j) + 1]) for j in range(k))
    first = ndim - k
    if mode == "constant":
        for j, (b, a) in enumerate(pairs):
            if shape[first + j] + b + a < 0:
                raise RuntimeError(
                    f"pad(): padding {(b, a)} makes dimension {first + j} of size {shape[first + j]} negative"
                )
        fill = 0 if value is None else value
        out = kernel(input._backend, "pad")(input._data, pairs, "constant", fill)
        return like(input, out)
    if value is not None:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if not 1 <= k <= 3 or ndim not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pads)} is not supported for {ndim}D input tensor.")
    lead = 1 if ndim == k + 2 else 0  # the batch dim may be empty; no other dim may
    if any(s == 0 for s in shape[lead:]):
        raise RuntimeError(
            f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero "
            f"dimensions for input, but got: {list(shape)}"
        )
    for j, (b, a) in enumerate(pairs):
        n = shape[first + j]
        if mode == "reflect" and (b >= n or a >= n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input dimension, but got: padding "
                f"({b}, {a}) at dimension {first + j} of input {list(shape)}"
            )
        kept = n - max(-b, 0) - max(-a, 0)  # circular pads wrap within the part left after cropping
        if mode == "circular" and (b > kept or a > kept):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n + b + a <= 0:
            raise RuntimeError(
                f"pad(): padding {(b, a)} leaves dimension {first + j} of size {n} with {n + b + a} elements"
            )
    return like(input, kernel(input._backend, "pad")(input._data, pairs, mode, None))


# -- interpolate ------------------------------------------------------------------------

_ALL_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_LINEAR_NDIM = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}


def _per_dim(value: Any, dim: int, what: str, input_shape: tuple[int, ...], name: str) -> list[Any]:
    if isinstance(value, (tuple, list)):
        if len(value) != dim:
            raise ValueError(
                f"Input and {what} must have the same number of spatial dimensions, but got input with spatial "
                f"dimensions of {list(input_shape[2:])} and {name} of {'shape ' if what == 'scale_factor' else ''}"
                f"{tuple(value)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and {name} in "
                f"({'s' if what == 'scale_factor' else 'o'}1, {'s' if what == 'scale_factor' else 'o'}2, ...,"
                f"{'s' if what == 'scale_factor' else 'o'}K) format."
            )
        return list(value)
    return [value] * dim


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of ``(N, C, *spatial)`` input to ``size`` or by ``scale_factor``.

    Modes: ``nearest``, ``nearest-exact``, ``linear`` (3-d input), ``bilinear`` and ``bicubic``
    (4-d), ``trilinear`` (5-d) and ``area``, with PyTorch's coordinate mapping for
    ``align_corners`` and for a given ``scale_factor``.

    >>> ember.interpolate(ember.tensor([[[1.0, 2.0]]]), scale_factor=2, mode="linear")
    tensor([[[1.0000, 1.2500, 1.7500, 2.0000]]])
    """
    check_tensor(input, "interpolate")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | "
                "trilinear"
            )
    elif align_corners is None:
        align_corners = False
    shape = tuple(input._data.shape)
    dim = len(shape) - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    scales: list[Any]
    if size is not None:
        out_size: list[Any] | None = _per_dim(size, dim, "output", shape, "output size")
        scales = [None] * max(dim, 0)
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    elif scale_factor is not None:
        scales = [float(s) for s in _per_dim(scale_factor, dim, "scale_factor", shape, "scale_factor")]
        out_size = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if mode == "area" and out_size is None:
        recompute_scale_factor = True
    if out_size is None:
        out_size = [math.floor(float(shape[i + 2]) * scales[i]) for i in range(dim)]
        if recompute_scale_factor:
            scales = [None] * dim
    if antialias and not (mode in ("bilinear", "bicubic") and len(shape) == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D tensor as input"
        )
    need = _LINEAR_NDIM.get(mode)
    if mode not in ("nearest", "nearest-exact", "area", *_LINEAR_NDIM) or not 3 <= len(shape) <= 5:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {len(shape)}D) for the modes: "
            f"{_ALL_MODES} (got {mode})"
        )
    if need is not None and need != len(shape):
        raise NotImplementedError(f"Got {len(shape)}D input, but {mode} mode needs {need}D input")
    if antialias:
        raise NotImplementedError(
            "interpolate(): antialias=True is not supported by Ember yet; resize with antialias=False or "
            "smooth the input first"
        )
    sizes = []
    for s in out_size:
        if isinstance(s, bool) or not hasattr(s, "__index__"):
            raise TypeError(f"interpolate(): size must be int or a sequence of ints, got {type(s).__name__}")
        sizes.append(operator.index(s))
    names = ("D", "H", "W")[3 - dim:]
    if any(n <= 0 for n in shape[2:]) or any(n <= 0 for n in sizes):
        raise RuntimeError(
            "Input and output sizes should be greater than 0, but got input ("
            + ", ".join(f"{c}: {n}" for c, n in zip(names, shape[2:], strict=True)) + ") and output ("
            + ", ".join(f"{c}: {n}" for c, n in zip(names, sizes, strict=True)) + ")"
        )
    if shape[1] == 0:
        raise RuntimeError(f"Non-empty {len(shape)}D data tensor expected but got a tensor with sizes {list(shape)}")
    if input._dtype.category != D.FLOATING:
        raise no_kernel("interpolate", input._dtype)
    kind = "linear" if mode in ("bilinear", "trilinear") else mode
    bk = input._backend
    x = input._data
    half = input._dtype in (D.float16, D.bfloat16)
    if half:
        x = bk.astype(x, D.float32)
    out = kernel(bk, "interpolate")(x, tuple(sizes), kind, align_corners, tuple(scales))
    if half:
        out = bk.astype(out, input._dtype)
    return like(input, out)


# -- pixel shuffle ---------------------------------------------------------------------

def _factor(value: Any, input: TensorBase, op: str, name: str) -> int:
    if input._data.ndim < 3:
        raise RuntimeError(
            f"{op} expects input to have at least 3 dimensions, but got input with {input._data.ndim} dimension(s)"
        )
    r = operator.index(value)
    if r <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {r}")
    return r


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """``(*, C * r^2, H, W)`` to ``(*, C, H * r, W * r)``: channels become pixels (sub-pixel convolution).

    >>> ember.pixel_shuffle(ember.arange(4.0).reshape(1, 4, 1, 1), 2).shape
    ember.Size([1, 1, 2, 2])
    """
    check_tensor(input, "pixel_shuffle")
    r = _factor(upscale_factor, input, "pixel_shuffle", "upscale_factor")
    *lead, c, h, w = input._data.shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
            f"but input.size(-3)={c} is not divisible by {r * r}"
        )
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """``(*, C, H * r, W * r)`` to ``(*, C * r^2, H, W)``: the inverse of :func:`pixel_shuffle`."""
    check_tensor(input, "pixel_unshuffle")
    r = _factor(downscale_factor, input, "pixel_unshuffle", "downscale_factor")
    *lead, c, h, w = input._data.shape
    if h % r:
        raise RuntimeError(
            f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)={h} is not "
            f"divisible by {r}"
        )
    if w % r:
        raise RuntimeError(
            f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)={w} is not "
            f"divisible by {r}"
        )
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


_dispatch_install(globals(), __all__)  # ember-autograd records these (see _dispatch)
