"""Reference convolution kernels: N-d convolution and its input and weight gradients.

Layout is channels-first, ``(N, C, *spatial)`` with 1, 2 or 3 spatial dims, as in
PyTorch. Every kernel is written with the required tier only: one strided slice
per kernel offset (``getitem``), stacked into an unrolled "columns" array, and
one batched ``matmul`` over the groups. The Python loop runs over the ``prod(kernel)``
offsets, never over batch items or pixels.

Shared argument conventions (core validates them before calling):

* ``stride``, ``padding``, ``dilation``: tuples of one int per spatial dim;
  strides and dilations >= 1; paddings >= 0 and symmetric (the same number of
  implicit zeros before and after that dim). Asymmetric padding (``'same'`` with
  an even kernel) is core's business: it pads by the larger amount and drops the
  first output position.
* ``groups`` >= 1 divides both the input channels ``C`` and the output channels
  ``Cout``; weights are ``(Cout, C // groups, *kernel)``.
* ``x``, ``w``, ``bias`` and ``grad_out`` share one dtype (any numeric dtype the
  backend supports; core refuses bool). Results have that dtype.
* Sizes may be zero (an empty batch, zero input channels per group); a spatial
  output size is always >= 1 for ``conv`` (core checks the kernel fits).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from typing import Any

from ember.backends._optional import optional_kernel

__all__ = ["conv", "conv_backward_input", "conv_backward_weight", "conv_output_shape", "zeros"]

Array = Any
Ints = tuple[int, ...]


def conv_output_shape(spatial: Sequence[int], kernel: Sequence[int], stride: Ints, padding: Ints, dilation: Ints) -> Ints:
    """Spatial output sizes: ``(L + 2p - d*(k-1) - 1) // s + 1`` per dim (may be <= 0 for bad input)."""
    return tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, s, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True)
    )


# -- helpers (required tier only) --------------------------------------------------------------------

def zeros(bk: Any, like: Array, shape: Ints) -> Array:
    """A writable zero array of ``shape`` with ``like``'s dtype, on ``like``'s device.

    A kernel does not know its device index, so it cannot call ``bk.full``; a product
    over an empty inner dimension is zeros by definition, made where its operands live.
    """
    empty = bk.getitem(like, (slice(0, 0),) * len(like.shape))
    n = math.prod(shape)
    left = bk.reshape(empty, (1, 0), None)
    right = bk.broadcast_to(bk.reshape(empty, (0, 1), None), (0, n))
    return bk.reshape(bk.matmul(left, right), shape, None)


def _padded(bk: Any, x: Array, padding: Ints) -> Array:
    """``x`` with ``padding[i]`` zeros before and after spatial dim ``i`` (``x`` itself if none)."""
    if not any(padding):
        return x
    shape = (*x.shape[:2], *(n + 2 * p for n, p in zip(x.shape[2:], padding, strict=True)))
    out = zeros(bk, x, shape)
    bk.setitem(out, _interior(x.shape[2:], padding), x)
    return out


def _interior(spatial: Sequence[int], padding: Ints) -> tuple[slice, ...]:
    """The key selecting the unpadded region of a padded ``(N, C, *spatial)`` array."""
    return (slice(None), slice(None), *(slice(p, p + n) for n, p in zip(spatial, padding, strict=True)))


def _windows(kernel: Ints, out: Ints, stride: Ints, dilation: Ints) -> Iterator[tuple[slice, ...]]:
    """For each kernel offset (C order), the key of the input positions it meets in a padded array."""
    for offset in itertools.product(*(range(k) for k in kernel)):
        yield (slice(None), slice(None), *(
            slice(i * d, i * d + s * (o - 1) + 1 if o else i * d, s)
            for i, o, s, d in zip(offset, out, stride, dilation, strict=True)
        ))


def _columns(bk: Any, x: Array, kernel: Ints, out: Ints, stride: Ints, padding: Ints, dilation: Ints, groups: int) -> Array:
    """The unrolled input ``(N, groups, C // groups * prod(kernel), prod(out))``, ordered (c, offset)."""
    n, c = x.shape[:2]
    xp = _padded(bk, x, padding)
    cols = bk.stack([bk.getitem(xp, key) for key in _windows(kernel, out, stride, dilation)], 2)
    return bk.reshape(cols, (n, groups, c // groups * math.prod(kernel), math.prod(out)), None)


def _grouped_weight(bk: Any, w: Array, groups: int) -> Array:
    """``w`` as ``(groups, Cout // groups, C // groups * prod(kernel))``."""
    cout = w.shape[0]
    return bk.reshape(w, (groups, cout // groups, math.prod(w.shape[1:])), None)


def _transpose_last(bk: Any, a: Array) -> Array:
    axes = tuple(range(len(a.shape)))
    return bk.permute_dims(a, (*axes[:-2], axes[-1], axes[-2]))


# -- conformance samples ---------------------------------------------------------------------------------

_CASES: tuple[tuple[Ints, Ints, Ints, Ints, Ints, int, bool], ...] = (
    # (input shape, weight shape, stride, padding, dilation, groups, bias)
    ((2, 3, 9), (4, 3, 3), (1,), (0,), (1,), 1, True),
    ((2, 4, 10), (6, 2, 4), (2,), (1,), (2,), 2, False),
    ((2, 3, 7, 8), (5, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1, True),
    ((1, 4, 9, 7), (4, 1, 3, 2), (2, 1), (0, 2), (1, 2), 4, False),
    ((3, 6, 8, 8), (4, 3, 2, 3), (3, 2), (2, 0), (2, 1), 2, True),
    ((0, 2, 5, 5), (3, 2, 3, 3), (1, 1), (1, 1), (1, 1), 1, True),
    ((2, 2, 5, 6, 4), (3, 2, 2, 3, 2), (1, 2, 1), (1, 0, 1), (1, 1, 2), 1, True),
    ((1, 4, 6, 5, 5), (2, 2, 3, 1, 2), (2, 1, 2), (0, 1, 0), (1, 1, 1), 2, False),
)


def _float_arrays(bk: Any, rng: Any, *shapes: Ints) -> list[Array]:
    from ember._dtypes import float64

    return [bk.asarray(rng.standard_normal(s), float64, None, None) for s in shapes]


def _conv_samples(bk: Any, rng: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    for xs, ws, s, p, d, g, has_bias in _CASES:
        x, w, b = _float_arrays(bk, rng, xs, ws, (ws[0],))
        yield (x, w, b if has_bias else None, s, p, d, g), {}


def _backward_input_samples(bk: Any, rng: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    for xs, ws, s, p, d, g, _ in _CASES:
        out = conv_output_shape(xs[2:], ws[2:], s, p, d)
        # One extra row where the stride allows it: positions no window reaches (output_padding).
        shape = (*xs[:2], *(n + (1 if st > 1 else 0) for n, st in zip(xs[2:], s, strict=True)))
        grad, w = _float_arrays(bk, rng, (xs[0], ws[0], *out), ws)
        yield (grad, w, shape, s, p, d, g), {}


def _backward_weight_samples(bk: Any, rng: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    for xs, ws, s, p, d, g, _ in _CASES:
        out = conv_output_shape(xs[2:], ws[2:], s, p, d)
        grad, x = _float_arrays(bk, rng, (xs[0], ws[0], *out), xs)
        yield (grad, x, ws, s, p, d, g), {}


# -- kernels ---------------------------------------------------------------------------------------------

@optional_kernel(samples=_conv_samples)
def conv(bk: Any, x: Array, w: Array, bias: Array | None, stride: Ints, padding: Ints, dilation: Ints, groups: int) -> Array:
    """N-d cross-correlation (PyTorch's convolution), ``N, C, *spatial`` layout.

    Args:
        x: input ``(N, C, *L)``, 1 to 3 spatial dims.
        w: weight ``(Cout, C // groups, *k)``.
        bias: ``(Cout,)`` or None.
        stride, padding, dilation: one int per spatial dim (padding symmetric, zeros).
        groups: input and output channels split into this many independent groups.

    Returns:
        A new C-contiguous array ``(N, Cout, *O)`` of ``x``'s dtype, where
        ``O = (L + 2*padding - dilation*(k-1) - 1) // stride + 1`` (core guarantees ``O >= 1``);
        ``out[n, g*Cout_g + o, *i] = bias[...] + sum over c in group g, offsets j of
        w[g*Cout_g + o, c, *j] * xpad[n, g*C_g + c, *(i*stride + j*dilation)]``.
    """
    n, kernel, cout = x.shape[0], tuple(w.shape[2:]), w.shape[0]
    out = conv_output_shape(x.shape[2:], kernel, stride, padding, dilation)
    cols = _columns(bk, x, kernel, out, stride, padding, dilation, groups)
    wg = _grouped_weight(bk, w, groups)                                   # (G, Cout_g, Cg*K)
    res = bk.reshape(bk.matmul(wg, cols), (n, cout, *out), None)         # (N, G, Cout_g, M) -> (N, Cout, *O)
    if bias is not None:
        res = bk.add(res, bk.reshape(bias, (1, cout) + (1,) * len(out), None))
    return res


@optional_kernel(samples=_backward_input_samples)
def conv_backward_input(
    bk: Any, grad_out: Array, w: Array, input_shape: Ints, stride: Ints, padding: Ints, dilation: Ints, groups: int,
) -> Array:
    """Gradient of :func:`conv` with respect to its input; also transposed convolution.

    Args:
        grad_out: ``(N, Cout, *O)``, the gradient of the loss with respect to ``conv``'s output.
        w: weight ``(Cout, C // groups, *k)``.
        input_shape: ``(N, C, *L)``, the shape of the input to return a gradient for, with
            ``(O - 1) * stride + dilation * (k - 1) + 1 <= L + 2 * padding`` per dim. ``L`` may be
            larger than the windows of ``grad_out`` need: positions they do not reach get 0 (this is
            how ``output_padding`` of a transposed convolution reaches the kernel).
        stride, padding, dilation, groups: as in :func:`conv`.

    Returns:
        A new C-contiguous array of ``input_shape`` and ``grad_out``'s dtype:
        ``grad_in[n, c, *l] = sum of w[o, c', *j] * grad_out[n, o, *i]`` over every (o, i, j)
        with ``i*stride + j*dilation - padding == l`` (o in ``c``'s group, c' its index there).
    """
    kernel, out = tuple(w.shape[2:]), tuple(grad_out.shape[2:])
    n, c = input_shape[:2]
    wt = _transpose_last(bk, _grouped_weight(bk, w, groups))              # (G, Cg*K, Cout_g)
    g = bk.reshape(grad_out, (n, groups, w.shape[0] // groups, math.prod(out)), None)
    cols = bk.reshape(bk.matmul(wt, g), (n, c, math.prod(kernel), *out), None)
    padded = tuple(n + 2 * p for n, p in zip(input_shape[2:], padding, strict=True))
    grad_in = zeros(bk, grad_out, (n, c, *padded))
    full = (slice(None),) * len(out)
    for k, key in enumerate(_windows(kernel, out, stride, dilation)):
        # Windows of one offset never overlap, so a read-add-write per offset is exact.
        bk.setitem(grad_in, key, bk.add(bk.getitem(grad_in, key), bk.getitem(cols, (slice(None), slice(None), k, *full))))
    if not any(padding):
        return grad_in
    return bk.copy(bk.getitem(grad_in, _interior(input_shape[2:], padding)))


@optional_kernel(samples=_backward_weight_samples)
def conv_backward_weight(
    bk: Any, grad_out: Array, x: Array, weight_shape: Ints, stride: Ints, padding: Ints, dilation: Ints, groups: int,
) -> Array:
    """Gradient of :func:`conv` with respect to its weight.

    Args:
        grad_out: ``(N, Cout, *O)``, the gradient of the loss with respect to ``conv``'s output.
        x: the input ``(N, C, *L)`` that ``conv`` was called with.
        weight_shape: ``(Cout, C // groups, *k)``.
        stride, padding, dilation, groups: as in :func:`conv`.

    Returns:
        A new C-contiguous array of ``weight_shape`` and ``x``'s dtype:
        ``grad_w[o, c, *j] = sum over n, i of grad_out[n, o, *i] * xpad[n, g*C_g + c, *(i*stride + j*dilation)]``
        (``g`` the group of ``o``); zeros when ``N == 0``.
    """
    kernel, out = tuple(weight_shape[2:]), tuple(grad_out.shape[2:])
    n, cout = grad_out.shape[:2]
    cols = _columns(bk, x, kernel, out, stride, padding, dilation, groups)   # (N, G, Cg*K, M)
    g = bk.reshape(grad_out, (n, groups, cout // groups, math.prod(out)), None)
    per_item = bk.matmul(g, _transpose_last(bk, cols))                      # (N, G, Cout_g, Cg*K)
    total = bk.sum(per_item, 0, False, bk.ember_dtype(per_item.dtype))
    return bk.reshape(total, tuple(weight_shape), None)
