"""Reference kernels: embedding lookup, its dense backward, max-norm renormalization, embedding bags.

``indices`` are int64 arrays already bounds-checked by core; ``weight`` is a
``(num_embeddings, embedding_dim)`` array.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ember._dtypes import float32, float64, int64
from ember.backends._optional import optional_kernel
from ember.backends.reference.resample import arange_on, zeros_on

__all__ = ["embedding", "embedding_backward", "embedding_renorm_", "embedding_bag", "embedding_bag_backward"]

Samples = Iterator[tuple[tuple[Any, ...], dict[str, Any]]]


def _weights(bk: Any, rng: Any, n: int = 7, d: int = 3, dt: Any = float32) -> Any:
    return bk.asarray(rng.standard_normal((n, d)) * 2, dt, None, None)


def _idx(bk: Any, rng: Any, shape: tuple[int, ...], high: int = 7) -> Any:
    return bk.asarray(rng.integers(0, high, shape), int64, None, None)


def _embedding_samples(bk: Any, rng: Any) -> Samples:
    for shape in ((5,), (2, 3), (), (0, 2)):
        yield (_weights(bk, rng), _idx(bk, rng, shape)), {}


def _embedding_backward_samples(bk: Any, rng: Any) -> Samples:
    for shape, pad, freq in (((6,), None, False), ((2, 5), 3, False), ((4, 4), None, True), ((0,), 1, True)):
        g = bk.asarray(rng.standard_normal((*shape, 3)), float64, None, None)
        yield (g, _idx(bk, rng, shape), 7, pad, freq), {}


def _renorm_samples(bk: Any, rng: Any) -> Samples:
    for shape, max_norm, p in (((5,), 1.0, 2.0), ((2, 3), 2.5, 1.0), ((4,), 0.5, float("inf"))):
        yield (_weights(bk, rng), _idx(bk, rng, shape), max_norm, p), {}


@optional_kernel(samples=_embedding_samples)
def embedding(bk: Any, weight: Any, indices: Any) -> Any:
    """Rows of ``weight`` at ``indices`` (any shape): shape ``indices.shape + (embedding_dim,)``."""
    rows = bk.take(weight, bk.reshape(indices, (-1,), None), 0)
    return bk.reshape(rows, (*indices.shape, weight.shape[1]), None)


@optional_kernel(samples=_embedding_backward_samples)
def embedding_backward(
    bk: Any, grad_out: Any, indices: Any, num_weights: int, padding_idx: int | None, scale_grad_by_freq: bool
) -> Any:
    """Dense gradient of ``embedding`` for ``weight``: ``(num_weights, embedding_dim)`` in ``grad_out``'s
    dtype, the sum of the ``grad_out`` rows of every lookup of each row. Lookups of ``padding_idx``
    (non-negative, or None) contribute nothing; with ``scale_grad_by_freq`` each lookup's row is divided
    by how often its index occurs in ``indices``."""
    dim = grad_out.shape[-1]
    dt = bk.ember_dtype(grad_out.dtype)
    idx = bk.reshape(indices, (-1,), None)
    g = bk.reshape(grad_out, (idx.shape[0], dim), None)
    if scale_grad_by_freq:
        counts = zeros_on(bk, g, (num_weights,), dt)
        bk.scatter_add(counts, 0, idx, bk.add(zeros_on(bk, g, tuple(idx.shape), dt), 1))
        g = bk.divide(g, bk.reshape(bk.take(counts, idx, 0), (-1, 1), None))
    if padding_idx is not None:
        keep = bk.not_equal(bk.reshape(idx, (-1, 1), None), padding_idx)
        g = bk.multiply(g, bk.astype(keep, dt))
    out = zeros_on(bk, g, (num_weights, dim), dt)
    bk.scatter_add(out, 0, bk.broadcast_to(bk.reshape(idx, (-1, 1), None), tuple(g.shape)), g)
    return out


@optional_kernel(samples=_renorm_samples)
def embedding_renorm_(bk: Any, weight: Any, indices: Any, max_norm: float, norm_type: float) -> None:
    """In place, scale each distinct row of ``weight`` named in ``indices`` whose ``norm_type``-norm
    exceeds ``max_norm`` by ``max_norm / (norm + 1e-7)``, as PyTorch does (rows are renormalized once
    however often they occur). ``norm_type`` may be ``inf``."""
    rows_idx = bk.unique(bk.reshape(indices, (-1,), None))[0]
    if rows_idx.shape[0] == 0:
        return
    dt = bk.ember_dtype(weight.dtype)
    rows = bk.take(weight, rows_idx, 0)
    mag = bk.abs(rows)
    if norm_type == float("inf"):
        norm = bk.max(mag, 1, True)
    elif norm_type == 0:
        norm = bk.sum(bk.astype(bk.not_equal(mag, 0), dt), 1, True, dt)
    else:
        norm = bk.pow(bk.sum(bk.pow(mag, float(norm_type)), 1, True, dt), 1.0 / norm_type)
    scale = bk.where(bk.greater(norm, max_norm), bk.divide(max_norm, bk.add(norm, 1e-7)),
                     bk.add(bk.multiply(norm, 0), 1))
    bk.setitem(weight, (rows_idx,), bk.multiply(rows, scale))


# -- embedding bags -------------------------------------------------------------------

def _bag_samples(bk: Any, rng: Any) -> Samples:
    idx = _idx(bk, rng, (8,))
    offsets = bk.asarray([0, 3, 3, 6], int64, None, None)
    for mode in ("sum", "mean", "max"):
        yield (_weights(bk, rng), idx, offsets, mode, None, None), {}
    psw = bk.asarray(rng.standard_normal(8), float32, None, None)
    yield (_weights(bk, rng), idx, offsets, "sum", psw, 2), {}


def _bag_backward_samples(bk: Any, rng: Any) -> Samples:
    for (w, idx, offsets, mode, psw, pad), _ in _bag_samples(bk, rng):
        _, arg = embedding_bag(bk, w, idx, offsets, mode, psw, pad)
        g = bk.asarray(rng.standard_normal((offsets.shape[0], w.shape[1])), float32, None, None)
        yield (g, idx, offsets, arg, w.shape[0], mode, psw, pad), {}


def _bag_of(bk: Any, indices: Any, offsets: Any) -> Any:
    """The bag number of every index: ``searchsorted(offsets, position, 'right') - 1``."""
    pos = arange_on(bk, indices, indices.shape[0], int64)
    return bk.subtract(bk.searchsorted(offsets, pos, "right"), 1)


def _lookup_weights(bk: Any, indices: Any, psw: Any, padding_idx: int | None, dt: Any) -> Any:
    """Per-lookup multipliers: ``per_sample_weights`` (or 1), 0 for ``padding_idx``; None if all 1."""
    w = psw
    if padding_idx is not None:
        keep = bk.astype(bk.not_equal(indices, padding_idx), dt)
        w = keep if w is None else bk.multiply(w, keep)
    return w


def _bag_counts(bk: Any, bags: Any, n_bags: int, indices: Any, padding_idx: int | None, dt: Any) -> Any:
    ones = bk.add(zeros_on(bk, indices, tuple(indices.shape), dt), 1)
    if padding_idx is not None:
        ones = bk.astype(bk.not_equal(indices, padding_idx), dt)
    counts = zeros_on(bk, indices, (n_bags,), dt)
    bk.scatter_add(counts, 0, bags, ones)
    return counts


@optional_kernel(samples=_bag_samples)
def embedding_bag(
    bk: Any, weight: Any, indices: Any, offsets: Any, mode: str, per_sample_weights: Any, padding_idx: int | None
) -> tuple[Any, Any]:
    """Reduce the embeddings of each bag: ``(out, argmax)``, ``out`` of shape ``(B, embedding_dim)``.

    ``indices`` is 1-D; bag ``b`` holds ``indices[offsets[b]:offsets[b + 1]]`` (the last bag runs to
    the end); ``offsets`` is 1-D int64, non-decreasing, starting at 0. ``mode`` is ``"sum"``,
    ``"mean"`` or ``"max"``; empty bags give zeros. ``per_sample_weights`` (``"sum"`` only, or None)
    multiplies each looked-up row; lookups of ``padding_idx`` are skipped (and not counted by
    ``"mean"``). ``argmax`` (``"max"`` only, else None) is the int64 ``(B, embedding_dim)`` index into
    ``weight`` of each maximum (-1 for an empty bag), for the backward.
    """
    n_bags, dim = offsets.shape[0], weight.shape[1]
    dt = bk.ember_dtype(weight.dtype)
    bags = _bag_of(bk, indices, offsets)
    rows = bk.take(weight, indices, 0)
    cols = (bags.shape[0], dim)
    bag_idx = bk.broadcast_to(bk.reshape(bags, (-1, 1), None), cols)
    if mode == "max":
        neg_inf = bk.add(zeros_on(bk, weight, cols, dt), float("-inf"))
        if padding_idx is not None:  # padded lookups must not win
            rows = bk.where(bk.reshape(bk.not_equal(indices, padding_idx), (-1, 1), None), rows, neg_inf)
        out = bk.add(zeros_on(bk, weight, (n_bags, dim), dt), float("-inf"))
        bk.scatter_reduce(out, 0, bag_idx, rows, "amax")
        # The first lookup (in order) attaining each maximum; ``n`` (past the end) where there is none.
        n = indices.shape[0]
        pos = bk.broadcast_to(bk.reshape(arange_on(bk, indices, n, int64), (-1, 1), None), cols)
        hit = bk.logical_and(bk.equal(rows, bk.take(out, bags, 0)), bk.not_equal(rows, neg_inf))
        past = bk.add(zeros_on(bk, indices, cols, int64), n)
        first = bk.add(zeros_on(bk, indices, (n_bags, dim), int64), n)
        bk.scatter_reduce(first, 0, bag_idx, bk.where(hit, pos, past), "amin")
        empty = bk.equal(first, n)
        minus_one = bk.subtract(zeros_on(bk, indices, (1,), int64), 1)
        argmax = bk.take(bk.concat([indices, minus_one], 0), bk.reshape(first, (-1,), None), 0)
        out = bk.where(empty, zeros_on(bk, weight, (n_bags, dim), dt), out)
        return out, bk.reshape(argmax, (n_bags, dim), None)
    mult = _lookup_weights(bk, indices, per_sample_weights, padding_idx, dt)
    if mult is not None:
        rows = bk.multiply(rows, bk.reshape(mult, (-1, 1), None))
    out = zeros_on(bk, weight, (n_bags, dim), dt)
    bk.scatter_add(out, 0, bag_idx, rows)
    if mode == "mean":
        counts = _bag_counts(bk, bags, n_bags, indices, padding_idx, dt)
        out = bk.divide(out, bk.reshape(bk.clip(counts, 1, None), (-1, 1), None))
    return out, None


@optional_kernel(samples=_bag_backward_samples)
def embedding_bag_backward(
    bk: Any, grad_out: Any, indices: Any, offsets: Any, argmax: Any, num_weights: int, mode: str,
    per_sample_weights: Any, padding_idx: int | None,
) -> Any:
    """Dense gradient of ``embedding_bag`` for ``weight`` (``(num_weights, embedding_dim)``), given the
    forward's ``argmax`` (for ``"max"``). Each lookup receives its bag's gradient row, times its
    per-sample weight (``"sum"``) or divided by the bag's count (``"mean"``); padded lookups get nothing.
    """
    dim = grad_out.shape[1]
    dt = bk.ember_dtype(grad_out.dtype)
    out = zeros_on(bk, grad_out, (num_weights, dim), dt)
    if mode == "max":
        valid = bk.greater_equal(argmax, 0)
        target = bk.where(valid, argmax, 0)
        cols = arange_on(bk, grad_out, dim, int64)
        flat = bk.reshape(bk.add(bk.multiply(target, dim), bk.reshape(cols, (1, -1), None)), (-1,), None)
        src = bk.reshape(bk.where(valid, grad_out, bk.multiply(grad_out, 0)), (-1,), None)
        flat_out = bk.reshape(out, (-1,), None)
        bk.scatter_add(flat_out, 0, flat, src)
        return bk.reshape(flat_out, (num_weights, dim), None)
    bags = _bag_of(bk, indices, offsets)
    rows = bk.take(grad_out, bags, 0)
    mult = _lookup_weights(bk, indices, per_sample_weights, padding_idx, dt)
    if mode == "mean":
        counts = bk.clip(_bag_counts(bk, bags, offsets.shape[0], indices, padding_idx, dt), 1, None)
        inv = bk.take(bk.divide(1.0, counts), bags, 0)
        mult = inv if mult is None else bk.multiply(mult, inv)
    if mult is not None:
        rows = bk.multiply(rows, bk.reshape(mult, (-1, 1), None))
    bk.scatter_add(out, 0, bk.broadcast_to(bk.reshape(indices, (-1, 1), None), tuple(rows.shape)), rows)
    return out
