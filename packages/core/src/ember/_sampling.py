"""Sampling from distributions: ``normal``, ``bernoulli`` and the in-place ``uniform_``,
``normal_``, ``bernoulli_``, all composed from the backend's ``uniform``/``normal`` kernels
and drawn from a :class:`ember.Generator`, so one seed reproduces them."""

from __future__ import annotations

from typing import Any

from ember import _dtypes as D
from ember._creation import _generator, _number
from ember._elementwise import broadcast_for
from ember._inplace import inplace
from ember._special_cases import no_kernel
from ember._tensor import Tensor, resolve_device
from ember._tensor_base import TensorBase, check_sizes_nonneg, like, norm_shape, wrap

__all__ = ["normal", "bernoulli", "uniform_", "normal_", "bernoulli_"]


def _draw(kind: str, shape: tuple[int, ...], dt: D.dtype, like_of: TensorBase, generator: Any, op: str) -> Tensor:
    """Raw samples (``"uniform"`` in [0, 1) or ``"normal"``) on ``like_of``'s device and backend."""
    bk, dev = like_of._backend, like_of._device
    gen = _generator(generator, dev, op).native(bk, dev)
    return wrap(getattr(bk, kind)(gen, shape, dt, dev.index), dt, dev, bk)


def _check_std(std: Any, op: str = "normal") -> None:
    low = std.min().item() if isinstance(std, Tensor) and std.numel() else std
    if isinstance(low, (int, float)) and low < 0:
        raise RuntimeError(f"{op} expects std >= 0.0, but found std {low}")


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None, dtype: Any = None, device: Any = None) -> Tensor:
    """Normal samples with the given mean and std (tensors broadcast; numbers need ``size``).

    >>> ember.normal(0.0, 2.0, size=(3,)).shape
    ember.Size([3])
    """
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    _check_std(std)
    if not tensors:
        if size is None:
            raise TypeError("normal(): with a number mean and std, give the output size: normal(mean, std, size)")
        m, s = _number(mean, "normal", "mean"), _number(std, "normal", "std")
        shape = check_sizes_nonneg(norm_shape((size,), "normal"), "normal")
        dev, bk = resolve_device(device)
        dt = D.get_default_dtype() if dtype is None else dtype
        ref = wrap(bk.empty((), dt, dev.index), dt, dev, bk)
        return _draw("normal", shape, dt, ref, generator, "normal") * s + m
    ref = tensors[0]
    if ref._dtype.category != D.FLOATING:
        raise no_kernel("normal", ref._dtype)
    shape = broadcast_for("normal", *(tuple(t._data.shape) for t in tensors))
    return _draw("normal", shape, ref._dtype, ref, generator, "normal") * std + mean


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:
    """0/1 samples, 1 with probability ``input`` (or ``p``), in ``input``'s dtype."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' must be Tensor, not {type(input).__name__}")
    probs = input if p is None else p
    if input._dtype.category != D.FLOATING:
        raise no_kernel("bernoulli", input._dtype)
    if isinstance(probs, Tensor) and probs.numel() and not bool(((probs >= 0) & (probs <= 1)).all()):
        raise RuntimeError("bernoulli(): expected all probabilities in [0, 1]")
    if not isinstance(probs, Tensor) and not 0 <= _number(probs, "bernoulli", "p") <= 1:
        raise RuntimeError(f"bernoulli(): expected 0 <= p <= 1, but got p={probs}")
    u = _draw("uniform", tuple(input._data.shape), input._dtype, input, generator, "bernoulli")
    hits = u < probs
    return like(input, input._backend.astype(hits._data, input._dtype))


def uniform_(t: TensorBase, low: float = 0.0, high: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill ``t`` in place with uniform samples from ``[low, high)``."""
    if t._dtype.category != D.FLOATING:
        raise no_kernel("uniform_", t._dtype)
    if low > high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={low} > to={high}")
    u = _draw("uniform", tuple(t._data.shape), t._dtype, t, generator, "uniform_")
    return inplace(t, u * (high - low) + low, "uniform_")


def normal_(t: TensorBase, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill ``t`` in place with normal samples."""
    if t._dtype.category != D.FLOATING:
        raise no_kernel("normal_", t._dtype)
    _check_std(std)
    n = _draw("normal", tuple(t._data.shape), t._dtype, t, generator, "normal_")
    return inplace(t, n * std + mean, "normal_")


def bernoulli_(t: TensorBase, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """Fill ``t`` in place with 0/1 samples, 1 with probability ``p``."""
    if t._dtype.category == D.FLOATING:
        return inplace(t, bernoulli(t, p, generator=generator), "bernoulli_")  # type: ignore[arg-type]
    probs = like(t, t._backend.full(tuple(t._data.shape), 0.5, D.float32, t._device.index), D.float32)
    return inplace(t, bernoulli(probs, p, generator=generator).to(t._dtype), "bernoulli_")
