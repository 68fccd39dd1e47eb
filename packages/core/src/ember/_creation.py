"""Tensor factories: ``tensor``, ``from_numpy``, ``zeros``, ``arange``, ``rand``, ..."""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any, cast

import numpy as np

from ember import _dtypes as D
from ember._dtypes import dtype
from ember._random import Generator, default_generator_for
from ember._tensor import Tensor, _check_supported, resolve_device
from ember._tensor_base import check_sizes_nonneg, norm_shape, to_scalar, wrap

__all__ = [
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "zeros_like",
    "ones_like", "full_like", "empty_like", "arange", "linspace", "eye", "rand", "randn", "randint",
    "rand_like", "randn_like",
]

# The NumPy dtypes torch.from_numpy accepts, in its error message's order.
_NUMPY_TO_EMBER = {
    np.dtype(np.float64): D.float64, np.dtype(np.float32): D.float32, np.dtype(np.float16): D.float16,
    np.dtype(np.complex64): D.complex64, np.dtype(np.complex128): D.complex128,
    np.dtype(np.int64): D.int64, np.dtype(np.int32): D.int32, np.dtype(np.int16): D.int16,
    np.dtype(np.int8): D.int8, np.dtype(np.uint8): D.uint8, np.dtype(np.bool_): D.bool_,
}


def _numpy_dtype(arr: np.ndarray, op: str) -> dtype:
    dt = _NUMPY_TO_EMBER.get(arr.dtype.newbyteorder("=") if arr.dtype.byteorder == ">" else arr.dtype)
    if dt is None:
        raise TypeError(
            f"{op}(): can't convert np.ndarray of type numpy.{arr.dtype}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool."
        )
    return dt


def _infer(data: Any, op: str) -> tuple[np.ndarray, dtype]:
    """Python data as a NumPy array, with torch's dtype inference for Python scalars."""
    if isinstance(data, np.ndarray):
        return data, _numpy_dtype(data, op)
    if isinstance(data, (str, bytes, dict, set)):
        raise TypeError(f"{op}(): new(): invalid data type '{type(data).__name__}'")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.VisibleDeprecationWarning)
            arr = np.asarray(data)
    except (ValueError, np.exceptions.VisibleDeprecationWarning):
        _check_ragged(data, op, 0)
        raise TypeError(f"{op}(): could not infer a dtype for {data!r}") from None
    except OverflowError:
        raise RuntimeError(f"{op}(): value cannot be converted to type int64 without overflow") from None
    kind = arr.dtype.kind
    if kind == "b":
        return arr, D.bool_
    if kind in "iu":
        if arr.dtype == np.uint64:
            raise RuntimeError(f"{op}(): value cannot be converted to type int64 without overflow")
        if isinstance(data, np.generic) or _holds_numpy_scalars(data):
            return arr, _numpy_dtype(arr, op)
        return arr, D.int64
    if kind == "f":
        if isinstance(data, np.generic) or _holds_numpy_scalars(data):
            return arr, _numpy_dtype(arr, op)
        return arr, D.get_default_dtype()
    if kind == "c":
        return arr, D.default_complex_dtype()
    if kind == "O":
        _check_ragged(data, op, 0)
        bad = _first_bad(data)
        raise TypeError(f"{op}(): new(): invalid data type '{type(bad).__name__}'")
    raise TypeError(f"{op}(): new(): invalid data type '{arr.dtype}'")


def _holds_numpy_scalars(data: Any) -> bool:
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return isinstance(data, np.generic)


def _check_ragged(data: Any, op: str, depth: int) -> None:
    if isinstance(data, (list, tuple)) and data:
        lengths = [len(x) if isinstance(x, (list, tuple)) else None for x in data]
        first = lengths[0]
        for n in lengths[1:]:
            if n != first:
                raise ValueError(f"{op}(): expected sequence of length {first} at dim {depth + 1} (got {n})")
        for x in data:
            _check_ragged(x, op, depth + 1)


def _first_bad(data: Any) -> Any:
    if isinstance(data, (list, tuple)):
        for x in data:
            bad = _first_bad(x)
            if bad is not None:
                return bad
        return None
    return None if to_scalar(data) is not None or isinstance(data, Tensor) else data


def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: Any, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, a scalar, a NumPy array or a tensor).

    Python ints give int64, floats the default float dtype, bools bool.

    >>> ember.tensor([[8, 2, 3], [1, 2, 3]])
    tensor([[8, 2, 3],
            [1, 2, 3]])
    """
    dev, backend = resolve_device(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() rather "
            "than ember.tensor(sourceTensor).", UserWarning, stacklevel=2,
        )
        src = data.detach().to(dev, dtype) if dtype is not None else data.detach().to(dev)
        return _finish(src.clone(), requires_grad)
    if dtype is not None and not isinstance(dtype, D.dtype):
        raise TypeError(f"tensor(): argument 'dtype' must be ember.dtype, not {type(dtype).__name__}")
    arr, inferred = _infer(data, "tensor")
    dt = dtype or inferred
    _check_supported(backend, dt, "tensor")
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return _finish(wrap(backend.asarray(arr, dt, dev.index, True), dt, dev, backend), requires_grad)


def as_tensor(data: Any, dtype: dtype | None = None, device: Any = None) -> Tensor:
    """Like :func:`tensor`, but shares memory with a tensor or NumPy array when it can."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (device or dtype) else data
    if isinstance(data, np.ndarray) and device in (None, "cpu") and dtype in (None, _NUMPY_TO_EMBER.get(data.dtype)):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A CPU tensor sharing memory with ``ndarray``: writes through either show in both.

    >>> a = numpy.ones(3); t = ember.from_numpy(a); t[0] = 5; a[0]
    5.0
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy(): expected np.ndarray (got {type(ndarray).__name__})")
    dt = _numpy_dtype(ndarray, "from_numpy")
    if ndarray.dtype.byteorder == ">":
        raise ValueError(
            "from_numpy(): given numpy array has byte order different from the native byte order. "
            "Conversion between byte orders is currently not supported."
        )
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative strides are "
            "not currently supported. (You can probably work around this by making a copy of your array  "
            "with array.copy().) "
        )
    if not ndarray.flags.writeable:
        warnings.warn(
            "The given NumPy array is not writable, and Ember does not support non-writable tensors. "
            "Writing to this tensor will raise. You may want to copy the array first.",
            UserWarning, stacklevel=2,
        )
    dev, backend = resolve_device("cpu")
    return wrap(backend.from_numpy(ndarray, None), dt, dev, backend)


def _factory(size: tuple[Any, ...], op: str, dt: dtype | None, device: Any) -> tuple[tuple[int, ...], dtype, Any, Any]:
    shape = check_sizes_nonneg(norm_shape(size, op), op)
    dev, backend = resolve_device(device)
    dt = D.get_default_dtype() if dt is None else dt
    if not isinstance(dt, D.dtype):
        raise TypeError(f"{op}(): argument 'dtype' must be ember.dtype, not {type(dt).__name__}")
    _check_supported(backend, dt, op)
    return shape, dt, dev, backend


def zeros(*size: Any, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros.  ``ember.zeros(2, 3)`` or ``ember.zeros((2, 3))``."""
    shape, dt, dev, bk = _factory(size, "zeros", dtype, device)
    return _finish(wrap(bk.full(shape, 0, dt, dev.index), dt, dev, bk), requires_grad)


def ones(*size: Any, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    shape, dt, dev, bk = _factory(size, "ones", dtype, device)
    return _finish(wrap(bk.full(shape, 1, dt, dev.index), dt, dev, bk), requires_grad)


def empty(*size: Any, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor."""
    shape, dt, dev, bk = _factory(size, "empty", dtype, device)
    return _finish(wrap(bk.empty(shape, dt, dev.index), dt, dev, bk), requires_grad)


def full(size: Any, fill_value: Any, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``; the dtype follows the value (bool, int64, default float)."""
    value = to_scalar(fill_value)
    if value is None:
        raise TypeError(f"full(): argument 'fill_value' must be Number, not {type(fill_value).__name__}")
    shape, dt, dev, bk = _factory((size,) if not isinstance(size, (tuple, list)) else tuple(size), "full",
                                  dtype or D.scalar_dtype(value), device)
    return _finish(wrap(bk.full(shape, value, dt, dev.index), dt, dev, bk), requires_grad)


def _like(input: Tensor, dt: dtype | None, device: Any) -> tuple[tuple[int, ...], dtype, Any]:
    if not isinstance(input, Tensor):
        raise TypeError(f"expected a Tensor as 'input', got {type(input).__name__}")
    return tuple(input._data.shape), dt or input._dtype, input._device if device is None else device


def zeros_like(input: Tensor, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with ``input``'s shape (and dtype and device unless given)."""
    shape, dt, dev = _like(input, dtype, device)
    return zeros(shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with ``input``'s shape (and dtype and device unless given)."""
    shape, dt, dev = _like(input, dtype, device)
    return ones(shape, dtype=dt, device=dev, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor with ``input``'s shape."""
    shape, dt, dev = _like(input, dtype, device)
    return empty(shape, dtype=dt, device=dev, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, with ``input``'s shape, dtype and device unless given."""
    shape, dt, dev = _like(input, dtype, device)
    return full(shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` (default 0) up to but excluding ``end``, ``step`` apart.

    Integer arguments give int64; any float gives the default float dtype.

    >>> ember.arange(5)
    tensor([0, 1, 2, 3, 4])
    """
    if end is None:
        start, end = 0, start
    vals = [to_scalar(v) if not isinstance(v, Tensor) else v.item() for v in (start, end, step)]
    if not all(isinstance(v, (int, float)) for v in vals):
        raise TypeError(f"arange(): start, end and step must be real numbers, got {start!r}, {end!r}, {step!r}")
    s, e, st = cast(list[float], vals)
    if st == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if (e - s) * st < 0 if e != s else False:
        raise RuntimeError("arange(): upper bound and larger bound inconsistent with step sign")
    if not all(math.isfinite(v) for v in (s, e, st)):
        raise RuntimeError(f"arange(): unsupported range: {s} -> {e}")
    inferred = D.get_default_dtype() if any(isinstance(v, float) for v in vals) else D.int64
    dt = dtype or inferred
    n = max(math.ceil((e - s) / st), 0)
    dev, bk = resolve_device(device)
    _check_supported(bk, dt, "arange")
    if dt.category == D.INTEGRAL and inferred is D.int64:
        data = bk.arange(s, s + n * st, st, dt, dev.index)
    else:
        # Computed in float64 from the count, like torch, so the length never depends on rounding.
        data = bk.astype(bk.arange(0, n, 1, D.float64, dev.index), D.float64)
        data = bk.astype(bk.add(bk.multiply(data, float(st)), float(s)), dt)
    return _finish(wrap(data, dt, dev, bk), requires_grad)


def linspace(start: Any, end: Any, steps: int, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    steps = operator.index(steps)
    if steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    dev, bk = resolve_device(device)
    dt = dtype or D.get_default_dtype()
    _check_supported(bk, dt, "linspace")
    data = bk.linspace(float(start), float(end), steps, D.float64, dev.index)
    return _finish(wrap(bk.astype(data, dt), dt, dev, bk), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A 2-D tensor with ones on the diagonal and zeros elsewhere."""
    n = operator.index(n)
    m = n if m is None else operator.index(m)
    if n < 0 or m < 0:
        raise RuntimeError(f"eye(): n and m must be non-negative, got n={n}, m={m}")
    _, dt, dev, bk = _factory((n, m), "eye", dtype, device)
    return _finish(wrap(bk.eye(n, m, dt, dev.index), dt, dev, bk), requires_grad)


def _random(kind: str, size: tuple[Any, ...], generator: Generator | None, dtype: dtype | None, device: Any, requires_grad: bool) -> Tensor:
    shape, dt, dev, bk = _factory(size, kind, dtype, device)
    if dt.category != D.FLOATING:
        raise RuntimeError(f"{kind}(): \"{kind}_cpu\" not implemented for '{dt}': needs a floating dtype")
    gen = (generator or default_generator_for(dev)).native(bk, dev)
    data = bk.uniform(gen, shape, dt, dev.index) if kind == "rand" else bk.normal(gen, shape, dt, dev.index)
    return _finish(wrap(data, dt, dev, bk), requires_grad)


def rand(*size: Any, generator: Generator | None = None, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in ``[0, 1)``.

    >>> ember.manual_seed(0); ember.rand(2).shape
    ember.Size([2])
    """
    return _random("rand", size, generator, dtype, device, requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers."""
    return _random("randn", size, generator, dtype, device, requires_grad)


def randint(*args: Any, generator: Generator | None = None, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """Uniform random integers in ``[low, high)``: ``randint(high, size)`` or ``randint(low, high, size)``."""
    low = kwargs.pop("low", 0)
    high = kwargs.pop("high", None)
    size = kwargs.pop("size", None)
    if kwargs:
        raise TypeError(f"randint() got an unexpected keyword argument {next(iter(kwargs))!r}")
    rest = list(args)
    if size is None and rest and isinstance(rest[-1], (tuple, list)):
        size = rest.pop()
    if len(rest) == 2:
        low, high = rest
    elif len(rest) == 1:
        if high is None:
            high = rest[0]
        else:
            low = rest[0]
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: expected randint(high, size) or randint(low, high, size)")
    low, high = operator.index(low), operator.index(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    shape, dt, dev, bk = _factory(tuple(size), "randint", dtype or D.int64, device)
    gen = (generator or default_generator_for(dev)).native(bk, dev)
    return _finish(wrap(bk.integers(gen, low, high, shape, dt, dev.index), dt, dev, bk), requires_grad)


def rand_like(input: Tensor, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers with ``input``'s shape, dtype and device."""
    shape, dt, dev = _like(input, dtype, device)
    return rand(shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers with ``input``'s shape, dtype and device."""
    shape, dt, dev = _like(input, dtype, device)
    return randn(shape, dtype=dt, device=dev, requires_grad=requires_grad)
