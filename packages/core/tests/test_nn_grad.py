"""Backward kernels of the nn optional tier against float64 central finite differences.

Each backward kernel (through the active backend's override, and the reference
itself) must give the gradient of ``sum(forward(inputs) * grad_out)``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pytest

import ember
from ember.backends._optional import OPTIONAL_KERNELS, kernel

BK = ember.tensor([1.0])._backend
RNG = np.random.default_rng(1234)


def numgrad(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, g: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d/dx of sum(f(x) * g) by central differences (x is perturbed in place and restored)."""
    out = np.zeros_like(x)
    flat, grad = x.reshape(-1), out.reshape(-1)
    for i in range(flat.size):
        v = flat[i]
        flat[i] = v + h
        up = np.sum(f(x) * g)
        flat[i] = v - h
        down = np.sum(f(x) * g)
        flat[i] = v
        grad[i] = (up - down) / (2 * h)
    return out


def close(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def both(name: str) -> list[Callable[..., object]]:
    """The active backend's kernel and the reference (the same function when not overridden)."""
    return [kernel(BK, name), partial(OPTIONAL_KERNELS[name].reference, BK)]


def randn(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize(("shape", "axis"), [((5,), 0), ((3, 4), 1), ((2, 3, 4), 0), ((2, 3, 4), 2)])
def test_softmax_backward(name: str, shape: tuple[int, ...], axis: int) -> None:
    x, g = randn(*shape) * 3, randn(*shape)
    fwd = OPTIONAL_KERNELS[name].reference
    expected = numgrad(lambda a: fwd(BK, a, axis), x, g)
    for back in both(name + "_backward"):
        close(back(g, fwd(BK, x, axis), axis), expected)


def _affine_grads(forward: Callable[..., np.ndarray], args: list[np.ndarray | None], g: np.ndarray,
                  got: tuple[np.ndarray, ...], which: tuple[int, ...]) -> None:
    """Check ``got[k]`` against finite differences in argument ``which[k]`` of ``forward(*args)``."""
    for k, pos in enumerate(which):
        if args[pos] is None:
            continue

        def f(a: np.ndarray, pos: int = pos) -> np.ndarray:
            new = list(args)
            new[pos] = a
            return forward(*new)

        close(got[k], numgrad(f, np.array(args[pos]), g))


@pytest.mark.parametrize(("shape", "n", "affine"), [((4, 5), 1, True), ((2, 3, 4), 2, True), ((3, 4), 1, False)])
def test_layer_norm_backward(shape: tuple[int, ...], n: int, affine: bool) -> None:
    x, g = randn(*shape), randn(*shape)
    w = randn(*shape[-n:]) if affine else None
    b = randn(*shape[-n:]) if affine else None
    ref = OPTIONAL_KERNELS["layer_norm"].reference
    for back in both("layer_norm_backward"):
        _, mean, rstd = ref(BK, x, n, w, b, 1e-5)
        gx, gw, gb = back(g, x, mean, rstd, w, n)
        _affine_grads(lambda x_, w_, b_: ref(BK, x_, n, w_, b_, 1e-5)[0], [x, w, b], g, (gx, gw, gb), (0, 1, 2))
        if not affine:  # the weight/bias gradients are still those of a unit weight and zero bias
            ones, zeros = np.ones(shape[-n:]), np.zeros(shape[-n:])
            _affine_grads(lambda x_, w_, b_: ref(BK, x_, n, w_, b_, 1e-5)[0], [x, ones, zeros], g, (gx, gw, gb),
                          (0, 1, 2))


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 2, 2, 3)])
def test_batch_norm_backward(shape: tuple[int, ...], training: bool) -> None:
    c = shape[1]
    x, g, w, b = randn(*shape), randn(*shape), randn(c), randn(c)
    rm, rv = randn(c), np.abs(randn(c)) + 0.5
    ref = OPTIONAL_KERNELS["batch_norm"].reference

    def fwd(x_: np.ndarray, w_: np.ndarray, b_: np.ndarray) -> np.ndarray:
        return ref(BK, x_, None if training else rm, None if training else rv, w_, b_, training, 0.1, 1e-5)[0]

    for back in both("batch_norm_backward"):
        _, mean, invstd = ref(BK, x, None if training else rm, None if training else rv, w, b, training, 0.1, 1e-5)
        _affine_grads(fwd, [x, w, b], g, back(g, x, w, mean, invstd, training), (0, 1, 2))


@pytest.mark.parametrize(("shape", "groups"), [((2, 4, 3), 2), ((3, 6, 2, 2), 3), ((2, 3), 1), ((2, 4, 2), 4)])
def test_group_norm_backward(shape: tuple[int, ...], groups: int) -> None:
    c = shape[1]
    x, g, w, b = randn(*shape), randn(*shape), randn(c), randn(c)
    ref = OPTIONAL_KERNELS["group_norm"].reference
    for back in both("group_norm_backward"):
        _, mean, rstd = ref(BK, x, groups, w, b, 1e-5)
        _affine_grads(lambda x_, w_, b_: ref(BK, x_, groups, w_, b_, 1e-5)[0], [x, w, b], g,
                      back(g, x, mean, rstd, w, groups), (0, 1, 2))


@pytest.mark.parametrize(("shape", "n"), [((4, 5), 1), ((2, 3, 4), 2)])
def test_rms_norm_backward(shape: tuple[int, ...], n: int) -> None:
    x, g, w = randn(*shape), randn(*shape), randn(*shape[-n:])
    ref = OPTIONAL_KERNELS["rms_norm"].reference
    for back in both("rms_norm_backward"):
        _, rstd = ref(BK, x, n, w, 1e-6)
        _affine_grads(lambda x_, w_: ref(BK, x_, n, w_, 1e-6)[0], [x, w], g, back(g, x, rstd, w, n), (0, 1))


PADS = [
    ((2, 5), ((1, 2),), "constant"), ((2, 4), ((-1, 2),), "constant"), ((2, 3, 4), ((2, -1),), "reflect"),
    ((1, 2, 3, 4), ((1, 2), (3, 3)), "reflect"), ((1, 2, 3, 4), ((2, 1), (0, 3)), "replicate"),
    ((2, 3, 4), ((3, 4),), "circular"), ((1, 3, 5), ((-1, 2),), "circular"),
    ((1, 1, 3, 3, 3), ((1, 1), (2, 0), (0, 2)), "reflect"),
]


@pytest.mark.parametrize(("shape", "pads", "mode"), PADS)
def test_pad_backward(shape: tuple[int, ...], pads: tuple[tuple[int, int], ...], mode: str) -> None:
    x = randn(*shape)
    ref = OPTIONAL_KERNELS["pad"].reference
    g = randn(*ref(BK, x, pads, mode, 0.0).shape)
    expected = numgrad(lambda a: ref(BK, a, pads, mode, 0.0), x, g)
    for back in both("pad_backward"):
        close(back(g, shape, pads, mode), expected)


INTERP = [
    ((1, 2, 5), (8,), "linear", False, (None,)), ((1, 2, 5), (3,), "linear", True, (None,)),
    ((2, 1, 4, 3), (7, 5), "linear", False, (None, None)), ((1, 2, 4, 4), (6, 3), "nearest", None, (1.5, 0.75)),
    ((1, 1, 5), (3,), "nearest-exact", None, (None,)), ((1, 2, 3, 4), (5, 6), "bicubic", False, (None, None)),
    ((1, 2, 4, 5), (7, 3), "bicubic", True, (None, None)), ((1, 2, 7), (3,), "area", None, (None,)),
    ((1, 1, 2, 3, 2), (3, 4, 4), "linear", False, (None, None, None)), ((1, 1, 6), (13,), "linear", False, (2.2,)),
]


@pytest.mark.parametrize(("shape", "size", "mode", "align", "scales"), INTERP)
def test_interpolate_backward(shape: tuple[int, ...], size: tuple[int, ...], mode: str, align: bool | None,
                              scales: tuple[float | None, ...]) -> None:
    x = randn(*shape)
    ref = OPTIONAL_KERNELS["interpolate"].reference
    g = randn(*shape[:2], *size)
    expected = numgrad(lambda a: ref(BK, a, size, mode, align, scales), x, g)
    for back in both("interpolate_backward"):
        close(back(g, shape[2:], mode, align, scales), expected)


@pytest.mark.parametrize(("shape", "pad", "freq"), [((6,), None, False), ((2, 5), 3, False), ((4, 4), None, True),
                                                     ((0,), 1, True), ((3, 2), 0, True)])
def test_embedding_backward(shape: tuple[int, ...], pad: int | None, freq: bool) -> None:
    idx = RNG.integers(0, 7, shape)
    g = randn(*shape, 3)
    expected = np.zeros((7, 3))
    rows = g.reshape(-1, 3).copy()
    flat = idx.reshape(-1)
    if freq:
        rows /= np.bincount(flat, minlength=7)[flat][:, None]
    if pad is not None:
        rows[flat == pad] = 0
    np.add.at(expected, flat, rows)
    for back in both("embedding_backward"):
        close(back(g, idx, 7, pad, freq), expected)
    if pad is None and not freq:  # then it is the true derivative
        w = randn(7, 3)
        emb = OPTIONAL_KERNELS["embedding"].reference
        close(expected, numgrad(lambda a: emb(BK, a, idx), w, g))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("pad", [None, 2])
def test_embedding_bag_backward(mode: str, pad: int | None) -> None:
    idx = RNG.integers(0, 5, 9)
    offsets = np.array([0, 3, 3, 7])
    psw = randn(9) if mode == "sum" else None
    w, g = randn(5, 3), randn(4, 3)
    ref = OPTIONAL_KERNELS["embedding_bag"].reference
    expected = numgrad(lambda a: ref(BK, a, idx, offsets, mode, psw, pad)[0], w, g)
    _, arg = ref(BK, w, idx, offsets, mode, psw, pad)
    for back in both("embedding_bag_backward"):
        close(back(g, idx, offsets, arg, 5, mode, psw, pad), expected)
