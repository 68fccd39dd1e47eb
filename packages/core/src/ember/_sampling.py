"""Sampling from distributions: ``normal``, ``bernoulli``, ``randperm``, ``multinomial``,
``randint_like`` and the in-place ``uniform_``, ``normal_``, ``bernoulli_``, ``random_``,
``exponential_``, ``geometric_``, ``log_normal_``, ``cauchy_``, all composed from the
backend's ``uniform``/``normal``/``integers`` kernels and drawn from a
:class:`ember.Generator`, so one seed reproduces them on one backend."""

from __future__ import annotations

import math
import warnings
from typing import Any

from ember import _dtypes as D
from ember._creation import (
    _EXACT_INT,
    _finish,
    _generator,
    _int_arg,
    _int_range,
    _not_for,
    _number,
    randint,
)
from ember._elementwise import broadcast_for
from ember._inplace import inplace
from ember._special_cases import no_kernel, tname
from ember._tensor import Tensor, dtype_arg, resolve_device
from ember._tensor_base import TensorBase, check_sizes_nonneg, like, norm_shape, wrap

__all__ = [
    "normal", "bernoulli", "randperm", "multinomial", "randint_like",
    "uniform_", "normal_", "bernoulli_", "random_", "exponential_", "geometric_", "log_normal_",
    "cauchy_",
]


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


# -- helpers for the samplers below --------------------------------------------------------------

def _native(t: TensorBase, generator: Any, op: str) -> Any:
    """The native generator for ``t``'s device and backend."""
    return _generator(generator, t._device, op).native(t._backend, t._device)


def _wide(bk: Any) -> D.dtype:
    """The widest float the backend has: where samplers that are not dtype-bound compute."""
    return D.float64 if D.float64 in bk.dtypes else D.float32


def _continuous_only(t: TensorBase, op: str, name: str) -> None:
    if t._dtype.category != D.FLOATING:
        raise RuntimeError(
            f"{op}(): {name} distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {tname(t._dtype)}"
        )


def _positive(value: Any, op: str, name: str, shown: str) -> float:
    v = _number(value, op, name)
    if not v > 0:
        raise RuntimeError(f"{op} expects {shown} > 0.0, but found {shown}={v}")
    return float(v)


# -- permutations and categorical draws -----------------------------------------------------------

def randperm(n: int, *, generator: Any = None, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1``.

    Sorting random 62-bit keys gives every permutation (ties are vanishingly rare and
    broken by position), one kernel call instead of a Python shuffle loop.

    >>> ember.randperm(4).sort().values
    tensor([0, 1, 2, 3])
    """
    n = _int_arg(n, "randperm", "n")
    check_sizes_nonneg((n,), "randperm")
    dt = dtype_arg(dtype, "randperm") or D.int64
    dev, bk = resolve_device(device)
    _not_for("randperm", dt, (D.INTEGRAL, D.FLOATING))
    high = _int_range(dt)[1] if dt.category == D.INTEGRAL else _EXACT_INT[dt]
    if n - 1 > high:
        raise RuntimeError(f"randperm(): n cannot be greater than {high + 1} for {dt}, got n={n}")
    gen = _generator(generator, dev, "randperm").native(bk, dev)
    keys = bk.integers(gen, 0, 1 << 62, (n,), D.int64, dev.index)
    perm = bk.argsort(keys, 0, False, True)
    if dt is not D.int64:
        perm = bk.astype(perm, dt)
    return _finish(wrap(perm, dt, dev, bk), requires_grad)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Tensor:
    """int64 indices drawn from the categories of each row of ``input`` (unnormalised weights).

    ``input`` is 1-D (one distribution) or 2-D (one per row). Without replacement the
    categories are ordered by ``p / Exponential(1)`` (the exponential-race form of
    Gumbel-top-k), so one draw of shape ``input.shape`` and one sort serve all samples;
    with replacement each sample is an inverse-CDF lookup (one ``searchsorted`` over all rows).

    >>> ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 2, replacement=True)
    tensor([1, 1])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, int):
        try:
            if isinstance(num_samples, (bool, float)):
                raise TypeError
            import operator

            num_samples = operator.index(num_samples)
        except TypeError:
            raise TypeError(
                "multinomial(): argument 'num_samples' (position 2) must be int, not "
                f"{type(num_samples).__name__}"
            ) from None
    ndim = input._data.ndim
    if ndim not in (1, 2):
        raise RuntimeError(f"multinomial(): prob_dist must be 1 or 2 dim, got a {ndim}-d tensor")
    if input._dtype.category != D.FLOATING:
        raise RuntimeError(
            f"multinomial(): multinomial only supports floating-point dtypes for input, got: {tname(input._dtype)}"
        )
    if num_samples <= 0:
        raise RuntimeError(f"multinomial(): cannot sample n_sample <= 0 samples, got num_samples={num_samples}")
    shape = tuple(input._data.shape)
    cats = shape[-1]
    if not replacement and num_samples > cats:
        raise RuntimeError(
            f"multinomial(): cannot sample n_sample > prob_dist.size(-1) samples without replacement "
            f"(num_samples={num_samples}, {cats} categories)"
        )
    if cats > 1 << 24:
        raise RuntimeError(f"multinomial(): number of categories cannot exceed 2^24, got {cats}")
    bk, dev = input._backend, input._device
    rows = shape[0] if ndim == 2 else 1
    out_shape = (rows, num_samples) if ndim == 2 else (num_samples,)
    if rows == 0:
        return wrap(bk.empty(out_shape, D.int64, dev.index), D.int64, dev, bk)
    wdt = _wide(bk)
    p = bk.reshape(bk.astype(input._data, wdt), (rows, cats), None)
    bad = bk.logical_or(bk.logical_not(bk.isfinite(p)), bk.less(p, 0))
    if bool(bk.item(bk.any(bad, None, False))):
        raise RuntimeError("multinomial(): probability tensor contains either `inf`, `nan` or element < 0")
    if bool(bk.item(bk.any(bk.less_equal(bk.sum(p, 1, False, wdt), 0), None, False))):
        raise RuntimeError("multinomial(): invalid multinomial distribution (sum of probabilities <= 0)")
    gen = _generator(generator, dev, "multinomial").native(bk, dev)
    if not replacement:
        u = bk.uniform(gen, (rows, cats), wdt, dev.index)
        race = bk.negative(bk.log1p(bk.negative(u)))  # Exponential(1) arrival times
        # Zero-weight categories come last, in random order (torch picks them once the rest run out).
        keys = bk.where(bk.greater(p, 0), bk.divide(p, race), bk.subtract(bk.negative(u), 1.0))
        order = bk.argsort(keys, 1, True, True)
        picked = bk.getitem(order, (slice(None), slice(0, num_samples)))
    else:
        cdf = bk.cumulative_sum(p, 1, wdt)
        total = bk.getitem(cdf, (slice(None), slice(cats - 1, cats)))
        # Rows are laid end to end (row r's CDF shifted by r) so one 1-D searchsorted serves all.
        shift = bk.reshape(bk.arange(0, rows, 1, wdt, dev.index), (rows, 1), None)
        flat_cdf = bk.reshape(bk.add(bk.divide(cdf, total), shift), (rows * cats,), None)
        u = bk.add(bk.uniform(gen, (rows, num_samples), wdt, dev.index), shift)
        hits = bk.searchsorted(flat_cdf, u, "right")
        row_start = bk.reshape(bk.arange(0, rows * cats, cats, D.int64, dev.index), (rows, 1), None)
        local = bk.subtract(hits, row_start)
        # Rounding can push a draw past the last category with weight: pull it back there.
        positions = bk.arange(0, cats, 1, D.int64, dev.index)
        last = bk.max(bk.where(bk.greater(p, 0), positions, bk.full((), -1, D.int64, dev.index)), 1, True)
        picked = bk.minimum(local, last)
    if bk.ember_dtype(picked.dtype) is not D.int64:
        picked = bk.astype(picked, D.int64)
    return wrap(bk.reshape(picked, out_shape, None), D.int64, dev, bk)


def randint_like(input: Tensor, low: Any = 0, high: Any = None, *, generator: Any = None, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Random integers in ``[low, high)`` with ``input``'s shape (and dtype and device unless given).

    ``randint_like(x, high)`` or ``randint_like(x, low, high)``.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"randint_like(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if high is None:
        low, high = 0, low
    return randint(
        low, high, tuple(input._data.shape), generator=generator,
        dtype=input._dtype if dtype is None else dtype,
        device=input._device if device is None else device, requires_grad=requires_grad,
    )


# -- in-place samplers ------------------------------------------------------------------------------

_UNSET: Any = object()


def random_(t: TensorBase, from_: Any = _UNSET, to: Any = _UNSET, *, generator: Any = None) -> Tensor:
    """Fill ``t`` with integers from ``[from_, to)``: ``random_()``, ``random_(to)`` or ``random_(from_, to)``.

    Without ``to`` the range ends at the dtype's largest value (for floats, the largest
    integer the mantissa holds exactly, ``2**24`` for float32), inclusive.
    """
    if to is _UNSET:
        from_, to = (0, None) if from_ is _UNSET else (0, from_)
    dt = t._dtype
    if dt.category == D.COMPLEX:
        raise no_kernel("random_", dt, "random_ fills integer, floating and bool tensors")
    low = _int_arg(from_, "random_", "from")
    lo, hi = (0, _EXACT_INT[dt]) if dt.category == D.FLOATING else _int_range(dt)
    if to is None:
        if low > hi:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={hi + 1}")
        high = hi + 1
    else:
        high = _int_arg(to, "random_", "to")
        if low >= high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if dt.category == D.FLOATING:
        lo = -_EXACT_INT[dt]
        if low < lo or high - 1 > hi:
            warnings.warn(
                f"random_(): [{low}, {high}) is outside [-(2^{hi.bit_length() - 1}), 2^{hi.bit_length() - 1}]: "
                f"{dt} cannot hold every integer there, so some values are rounded",
                UserWarning, stacklevel=3,
            )
        if low < -(1 << 63) or high - 1 >= 1 << 63:
            raise RuntimeError(f"random_(): [{low}, {high}) does not fit in int64, which the sampler draws")
    else:
        if low < lo:
            raise RuntimeError(f"random_(): from is out of bounds for {dt}: from={low}, smallest {lo}")
        if high - 1 > hi:
            raise RuntimeError(f"random_(): to - 1 is out of bounds for {dt}: to - 1 = {high - 1}, largest {hi}")
    bk, dev = t._backend, t._device
    sample = bk.integers(_native(t, generator, "random_"), low, high, tuple(t._data.shape), dt, dev.index)
    return inplace(t, like(t, sample), "random_")


def exponential_(t: TensorBase, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill ``t`` with Exponential(``lambd``) samples: ``-log(1 - U) / lambd``."""
    _continuous_only(t, "exponential_", "Exponential")
    rate = _positive(lambd, "exponential_", "lambd", "lambda")
    bk, dev = t._backend, t._device
    u = bk.uniform(_native(t, generator, "exponential_"), tuple(t._data.shape), t._dtype, dev.index)
    value = bk.divide(bk.negative(bk.log1p(bk.negative(u))), rate)
    return inplace(t, like(t, value), "exponential_")


def geometric_(t: TensorBase, p: float, *, generator: Any = None) -> Tensor:
    """Fill ``t`` with Geometric(``p``) samples: the number of trials up to the first success (>= 1)."""
    if t._dtype.category not in (D.INTEGRAL, D.FLOATING):
        raise no_kernel("geometric_", t._dtype, "geometric_ fills integer and floating tensors")
    prob = _number(p, "geometric_", "p")
    if not 0 < prob < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={prob}")
    bk, dev = t._backend, t._device
    wdt = _wide(bk)
    u = bk.uniform(_native(t, generator, "geometric_"), tuple(t._data.shape), wdt, dev.index)
    trials = bk.ceil(bk.divide(bk.log1p(bk.negative(u)), math.log1p(-prob)))
    value = bk.astype(bk.maximum(trials, bk.full((), 1.0, wdt, dev.index)), t._dtype)
    return inplace(t, like(t, value), "geometric_")


def log_normal_(t: TensorBase, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Tensor:
    """Fill ``t`` with samples whose logarithm is Normal(``mean``, ``std``)."""
    if t._dtype.category != D.FLOATING:
        raise no_kernel("log_normal_", t._dtype, "log_normal_ fills floating tensors")
    m = float(_number(mean, "log_normal_", "mean"))
    s = _positive(std, "log_normal_", "std", "std")
    bk, dev = t._backend, t._device
    n = bk.normal(_native(t, generator, "log_normal_"), tuple(t._data.shape), t._dtype, dev.index)
    return inplace(t, like(t, bk.exp(bk.add(bk.multiply(n, s), m))), "log_normal_")


def cauchy_(t: TensorBase, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill ``t`` with Cauchy(``median``, ``sigma``) samples: ``median + sigma * tan(pi * (U - 1/2))``."""
    _continuous_only(t, "cauchy_", "Cauchy")
    m = float(_number(median, "cauchy_", "median"))
    s = _positive(sigma, "cauchy_", "sigma", "sigma")
    bk, dev = t._backend, t._device
    u = bk.uniform(_native(t, generator, "cauchy_"), tuple(t._data.shape), t._dtype, dev.index)
    value = bk.add(bk.multiply(bk.tan(bk.multiply(bk.subtract(u, 0.5), math.pi)), s), m)
    return inplace(t, like(t, value), "cauchy_")
