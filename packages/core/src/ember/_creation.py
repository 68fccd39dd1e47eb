"""Tensor factories: ``tensor``, ``from_numpy``, ``zeros``, ``arange``, ``rand``, ...

Argument checking follows torch: the same exception types, and messages that
name the function and the offending argument.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import numpy as np

from ember import _dtypes as D
from ember._dtypes import dtype
from ember._random import Generator, default_generator_for
from ember._special_cases import no_kernel, storable
from ember._tensor import Tensor, _check_supported, dtype_arg, resolve_device
from ember._tensor_base import check_sizes_nonneg, norm_shape, to_scalar, wrap

__all__ = [
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "zeros_like",
    "ones_like", "full_like", "empty_like", "arange", "linspace", "eye", "rand", "randn", "randint",
    "rand_like", "randn_like", "from_dlpack",
]

# The NumPy dtypes Ember tensors can hold (torch's list, less the unsigned types above uint8).
_NUMPY_TO_EMBER = {
    np.dtype(np.float64): D.float64, np.dtype(np.float32): D.float32, np.dtype(np.float16): D.float16,
    np.dtype(np.complex64): D.complex64, np.dtype(np.complex128): D.complex128,
    np.dtype(np.int64): D.int64, np.dtype(np.int32): D.int32, np.dtype(np.int16): D.int16,
    np.dtype(np.int8): D.int8, np.dtype(np.uint8): D.uint8, np.dtype(np.bool_): D.bool_,
}
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_HOST = {D.BOOL: np.bool_, D.INTEGRAL: np.int64, D.FLOATING: np.float64, D.COMPLEX: np.complex128}


def _numpy_dtype(arr: np.ndarray | np.generic, op: str) -> dtype:
    dt = _NUMPY_TO_EMBER.get(arr.dtype.newbyteorder("=") if arr.dtype.byteorder == ">" else arr.dtype)
    if dt is None:
        raise TypeError(
            f"{op}(): can't convert np.ndarray of type numpy.{arr.dtype.type.__name__}. The only supported "
            "types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint8, and bool."
        )
    return dt


# -- tensor(): Python data to an array and a dtype ------------------------------------------------

def _infer(data: Any, op: str) -> tuple[np.ndarray, dtype, bool]:
    """``data`` as a NumPy array, its dtype by torch's inference, and whether it came from Python.

    Plain nested lists of Python numbers take NumPy's C path; anything unusual (ragged
    lists, strings, None, ints beyond int64, numpy scalars or tensors inside lists) is
    walked in Python by :func:`_scan`, which gives torch's errors and dtype rules.
    """
    if isinstance(data, np.ndarray):
        return data, _numpy_dtype(data, op), False
    if isinstance(data, (str, bytes)):
        raise TypeError(f"{op}(): new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, np.generic):
        return np.asarray(data), _numpy_dtype(data, op), False
    lead = data
    while isinstance(lead, (list, tuple)) and lead:
        lead = lead[0]
    if not isinstance(lead, (np.generic, np.ndarray, Tensor)):
        try:
            arr = np.asarray(data)  # ragged lists raise ValueError (NumPy >= 1.24)
        except (ValueError, TypeError, OverflowError):
            arr = None
        if arr is not None and arr.dtype.kind in "bifc":
            inferred = {"b": D.bool_, "i": D.int64, "f": D.get_default_dtype()}.get(arr.dtype.kind)
            return arr, inferred or D.default_complex_dtype(), True
    inferred, big = _scan(data, op)
    host = _HOST[inferred.category]
    if big and host is not np.float64 and host is not np.complex128:
        host = object  # checked against the target dtype by tensor()
    return np.asarray(_plain(data), dtype=host), inferred, True


def _is_seq(x: Any) -> bool:
    return isinstance(x, (list, tuple, range)) or (isinstance(x, np.ndarray) and x.ndim > 0)


def _scan(data: Any, op: str) -> tuple[dtype, bool]:
    """Check nested data the way torch does; return its dtype and whether it holds ints beyond int64."""
    shape = []
    x = data
    while _is_seq(x):
        shape.append(len(x))
        if not len(x):
            break
        x = x[0]
    found: list[dtype] = []
    big = False

    def visit(x: Any, dim: int) -> None:
        nonlocal big
        if isinstance(x, np.ndarray) and x.ndim and dim < len(shape):
            # A whole NumPy array inside the lists: check its shape, not its elements one by one.
            if x.ndim != len(shape) - dim:
                raise TypeError(
                    f"{op}(): expected {len(shape) - dim} more dimensions at dim {dim}, got an array with {x.ndim}"
                )
            for i, n in enumerate(x.shape):
                if n != shape[dim + i]:
                    raise ValueError(f"{op}(): expected sequence of length {shape[dim + i]} at dim {dim + i} (got {n})")
            dt = _numpy_dtype(x, op)
            found.append(dt if not found else D.promote_types(found[-1], dt))
            return
        if dim < len(shape):
            if not _is_seq(x):
                raise TypeError(
                    f"{op}(): expected a sequence of length {shape[dim]} at dim {dim}, got "
                    f"{type(x).__name__} ({x!r}); nested lists must be rectangular"
                )
            if len(x) != shape[dim]:
                raise ValueError(f"{op}(): expected sequence of length {shape[dim]} at dim {dim} (got {len(x)})")
            for v in x:
                visit(v, dim + 1)
            return
        if _is_seq(x):
            raise TypeError(
                f"{op}(): expected a number at dim {dim}, got a {type(x).__name__}; nested lists must be "
                "rectangular"
            )
        dt = _leaf_dtype(x, op)
        if type(x) is int and not _INT64_MIN <= x <= _INT64_MAX:
            big = True
        found.append(dt if not found else D.promote_types(found[-1], dt))

    first = data
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    if isinstance(first, str) and first is not data:
        # torch reads the shape along the first elements and takes a str there for one more dim
        raise ValueError(f"{op}(): too many dimensions 'str'")
    visit(data, 0)
    return (found[-1] if found else D.get_default_dtype()), big


def _leaf_dtype(x: Any, op: str) -> dtype:
    if isinstance(x, (str, bytes, np.str_, np.bytes_)):
        raise TypeError(f"{op}(): new(): invalid data type '{type(x).__name__}'")
    if isinstance(x, Tensor):
        if x._data.size != 1:
            raise ValueError(f"{op}(): only one element tensors can be converted to Python scalars")
        return x._dtype
    if isinstance(x, (np.generic, np.ndarray)):  # a NumPy scalar or 0-d array
        return _numpy_dtype(x, op)
    if isinstance(x, (bool, int, float, complex)):
        return D.scalar_dtype(x)
    raise RuntimeError(f"{op}(): Could not infer dtype of {type(x).__name__}")


def _plain(data: Any) -> Any:
    """Nested lists of Python scalars (tensors and NumPy scalars unwrapped)."""
    if isinstance(data, np.ndarray) and data.ndim:
        return data
    if _is_seq(data):
        return [_plain(x) for x in data]
    if isinstance(data, (Tensor, np.generic, np.ndarray)):
        return data.item()
    return data


def _check_fits(arr: np.ndarray, dt: dtype, op: str) -> np.ndarray:
    """torch's overflow check for Python data given an explicit dtype; returns a castable array."""
    kind = arr.dtype.kind
    if kind == "O":  # Python ints beyond int64
        if dt.category in (D.BOOL, D.INTEGRAL):
            raise ValueError(f"{op}(): Overflow when unpacking long long: a value does not fit in int64")
        return arr.astype(_HOST[dt.category])
    if kind == "c" and dt is D.bool_:
        return arr != 0  # torch: a complex number is True when non-zero
    if kind == "c" and dt.category != D.COMPLEX:
        raise TypeError(f"{op}(): can't convert complex values to {dt}: must be real number, not complex")
    if dt.category != D.INTEGRAL or kind not in "if" or not arr.size or (kind == "i" and dt is D.int64):
        return arr
    bits = dt.itemsize * 8
    hi = (1 << (bits - 1)) - 1 if dt.is_signed else (1 << bits) - 1
    lo = -hi - 1 if dt.is_signed else -hi  # unsigned types take negative ints down to -max, which wrap
    if kind == "f":
        # c10 compares the float itself with the limits as doubles: 127.5 does not fit int8,
        # no negative float fits an unsigned type (and 2.0**63 passes for int64, as in torch).
        bad = not np.isfinite(arr).all() or arr.min() < float(lo if dt.is_signed else 0) or arr.max() > float(hi)
    else:
        bad = arr.min() < lo or arr.max() > hi
    if bad:
        raise RuntimeError(f"{op}(): value cannot be converted to type {dt.name} without overflow")
    return arr


def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        if t._dtype.category not in (D.FLOATING, D.COMPLEX):
            raise RuntimeError(
                f"Only Tensors of floating point and complex dtype can require gradients, got {t._dtype}"
            )
        t.requires_grad_(True)
    return t


def tensor(data: Any, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, a scalar, a NumPy array or a tensor).

    Python ints give int64, floats the default float dtype, bools bool.

    >>> ember.tensor([[8, 2, 3], [1, 2, 3]])
    tensor([[8, 2, 3],
            [1, 2, 3]])
    """
    dt = dtype_arg(dtype, "tensor")
    dev, backend = resolve_device(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than ember.tensor(sourceTensor).",
            UserWarning, stacklevel=2,
        )
        src = data.detach().to(dev, dt) if dt is not None else data.detach().to(dev)
        return _finish(src.clone(), requires_grad)
    arr, inferred, from_python = _infer(data, "tensor")
    dt = dt or inferred
    if from_python:
        arr = _check_fits(arr, dt, "tensor")
    _check_supported(backend, dt, "tensor")
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("="))
    with np.errstate(over="ignore", invalid="ignore"):  # float overflow gives inf, as in torch
        native = backend.asarray(arr, dt, dev.index, True)
    return _finish(wrap(native, dt, dev, backend), requires_grad)


def as_tensor(data: Any, dtype: dtype | None = None, device: Any = None) -> Tensor:
    """Like :func:`tensor`, but shares memory with a tensor or NumPy array when it can.

    >>> a = numpy.zeros(2); ember.as_tensor(a).data_ptr() == a.ctypes.data
    True
    """
    dt = dtype_arg(dtype, "as_tensor")
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dt)
    if isinstance(data, np.ndarray):
        return _from_numpy(data, "as_tensor").to(device=device, dtype=dt)
    return tensor(data, dtype=dt, device=device)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A CPU tensor sharing memory with ``ndarray``: writes through either show in both.

    >>> a = numpy.ones(3); t = ember.from_numpy(a); t[0] = 5; a[0]
    5.0
    """
    return _from_numpy(ndarray, "from_numpy")


def _from_numpy(ndarray: np.ndarray, op: str) -> Tensor:
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"{op}(): expected np.ndarray (got {type(ndarray).__name__})")
    dt = _numpy_dtype(ndarray, op)
    if ndarray.dtype.byteorder == ">":
        raise ValueError(
            f"{op}(): given numpy array has byte order different from the native byte order. "
            "Conversion between byte orders is currently not supported."
        )
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(
            f"{op}(): At least one stride in the given numpy array is negative, and tensors with negative "
            "strides are not currently supported. (You can probably work around this by making a copy of "
            "your array  with array.copy().) "
        )
    if not ndarray.flags.writeable:
        warnings.warn(
            "The given NumPy array is not writable, and Ember does not support non-writable tensors. "
            "Writing to this tensor will raise. You may want to copy the array first.",
            UserWarning, stacklevel=3,
        )
    dev, backend = resolve_device("cpu")
    return wrap(backend.from_numpy(ndarray, None), dt, dev, backend)


# -- shapes and fills --------------------------------------------------------------------------------

def _sizes(op: str, sizes: tuple[Any, ...], size: Any) -> tuple[int, ...]:
    """The shape from ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(size=(2, 3))``."""
    if size is None and sizes:
        for s in sizes:
            if type(s) is not int or s < 0:
                break
        else:
            return sizes  # the common case: non-negative plain ints
    if size is not None:
        if sizes:
            raise TypeError(f"{op}() got multiple values for argument 'size'")
        sizes = (size,)
    if not sizes:
        raise TypeError(f'{op}() missing 1 required positional argument: "size"')
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        pass
    elif len(sizes) > 1 and isinstance(sizes[0], (tuple, list)):
        raise TypeError(f"{op}() takes 1 positional argument but {len(sizes)} were given (a size tuple or ints)")
    else:
        for s in sizes:
            if isinstance(s, bool):
                raise TypeError(f"{op}(): argument 'size' must be tuple of ints, not bool")
    return check_sizes_nonneg(norm_shape(sizes, op), op)


def _factory(shape: tuple[int, ...], op: str, dt: Any, device: Any) -> tuple[tuple[int, ...], dtype, Any, Any]:
    dev, backend = resolve_device(device)
    dt = D.get_default_dtype() if dt is None else dtype_arg(dt, op)
    if dt not in backend.dtypes:
        _check_supported(backend, dt, op)
    return shape, dt, dev, backend


def zeros(*sizes: Any, size: Any = None, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``ember.zeros(2, 3)`` or ``ember.zeros((2, 3))``.

    >>> ember.zeros(2, dtype=ember.int64)
    tensor([0, 0])
    """
    shape, dt, dev, bk = _factory(_sizes("zeros", sizes, size), "zeros", dtype, device)
    return _finish(wrap(bk.full(shape, 0, dt, dev.index), dt, dev, bk), requires_grad)


def ones(*sizes: Any, size: Any = None, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``ember.ones(2, 3)`` or ``ember.ones((2, 3))``."""
    shape, dt, dev, bk = _factory(_sizes("ones", sizes, size), "ones", dtype, device)
    return _finish(wrap(bk.full(shape, 1, dt, dev.index), dt, dev, bk), requires_grad)


def empty(*sizes: Any, size: Any = None, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor: ``ember.empty(2, 3)`` or ``ember.empty((2, 3))``."""
    shape, dt, dev, bk = _factory(_sizes("empty", sizes, size), "empty", dtype, device)
    return _finish(wrap(bk.empty(shape, dt, dev.index), dt, dev, bk), requires_grad)


def full(size: Any, fill_value: Any, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``; the dtype follows the value (bool, int64, default float).

    >>> ember.full((2,), 7)
    tensor([7, 7])
    """
    value = _number(fill_value, "full", "fill_value", zero_dim=True)
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise OverflowError(f"full(): int too big to convert: {value}")
    sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,)
    shape = check_sizes_nonneg(norm_shape(sizes, "full"), "full")
    shape, dt, dev, bk = _factory(shape, "full", dtype_arg(dtype, "full") or D.scalar_dtype(value), device)
    value = storable(value, dt, "full", saturate_half=math.prod(shape) == 1)  # torch's one-element quirk
    return _finish(wrap(bk.full(shape, value, dt, dev.index), dt, dev, bk), requires_grad)


def _like(op: str, input: Any, dtype: Any, device: Any, make: Any, requires_grad: bool) -> Tensor:
    """``make(shape, dt, device)`` shaped like ``input``, keeping its strides when it is a permuted
    dense tensor (torch's ``memory_format=preserve_format``), else C-contiguous."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    dt = dtype_arg(dtype, op) or input._dtype
    dev = input._device if device is None else device
    shape = tuple(input._data.shape)
    order = _dense_order(input)
    if order is None:
        return _finish(make(shape, dt, dev), requires_grad)
    out = make(tuple(shape[d] for d in order), dt, dev)
    inverse = sorted(range(len(order)), key=order.__getitem__)
    return _finish(out.permute(*inverse), requires_grad)


def _dense_order(t: Tensor) -> list[int] | None:
    """Dims from outermost to innermost if ``t`` is dense, non-overlapping and not C-contiguous."""
    if t._data.size == 0 or t._data.ndim < 2 or t.is_contiguous():
        return None
    shape, strides = t._data.shape, t.stride()
    order = sorted(range(len(shape)), key=lambda d: (-strides[d], d))
    expected = 1
    for d in reversed(order):
        if shape[d] != 1:
            if strides[d] != expected:
                return None
            expected *= shape[d]
    return order


def zeros_like(input: Tensor, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with ``input``'s shape (and dtype and device unless given)."""
    return _like("zeros_like", input, dtype, device, lambda s, d, v: zeros(s, dtype=d, device=v), requires_grad)


def ones_like(input: Tensor, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with ``input``'s shape (and dtype and device unless given)."""
    return _like("ones_like", input, dtype, device, lambda s, d, v: ones(s, dtype=d, device=v), requires_grad)


def empty_like(input: Tensor, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor with ``input``'s shape (and dtype and device unless given)."""
    return _like("empty_like", input, dtype, device, lambda s, d, v: empty(s, dtype=d, device=v), requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, with ``input``'s shape, dtype and device unless given."""
    value = _number(fill_value, "full_like", "fill_value", zero_dim=True)
    return _like(
        "full_like", input, dtype, device, lambda s, d, v: full(s, value, dtype=d, device=v), requires_grad
    )


# -- ranges -------------------------------------------------------------------------------------------

def _number(value: Any, op: str, name: str, *, zero_dim: bool = False) -> Any:
    """A Python number from a number, NumPy scalar or one-element (``zero_dim``: 0-d) tensor."""
    if isinstance(value, Tensor) and (value._data.ndim == 0 if zero_dim else value._data.size == 1):
        return value.item()
    s = to_scalar(value)
    if s is None:
        raise TypeError(f"{op}(): argument '{name}' must be Number, not {type(value).__name__}")
    return s


def _int_arg(value: Any, op: str, name: str) -> int:
    if isinstance(value, bool) or (isinstance(value, Tensor) and value._dtype.category != D.INTEGRAL):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(value).__name__}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"{op}(): argument '{name}' must be int, not {type(value).__name__}"
        ) from None


def _not_for(op: str, dt: dtype, allowed: tuple[int, ...]) -> None:
    if dt.category not in allowed:
        kinds = " or ".join(_CATEGORY_NAMES[c] for c in allowed)
        raise no_kernel(op, dt, f"{dt} is not supported, pass a dtype= that is {kinds}")


_CATEGORY_NAMES = {D.BOOL: "bool", D.INTEGRAL: "integer", D.FLOATING: "floating", D.COMPLEX: "complex"}


def arange(start: Any = None, end: Any = None, step: Any = 1, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` (default 0) up to but excluding ``end``, ``step`` apart.

    Integer arguments give int64; any float gives the default float dtype. The length is
    ``ceil((end - start) / step)``, so ``arange(0, 1, 0.1)`` has 10 elements.

    >>> ember.arange(5)
    tensor([0, 1, 2, 3, 4])
    """
    if end is None:
        if start is None:
            raise TypeError("arange() missing 1 required argument: 'end'")
        start, end = 0, start
    elif start is None:
        start = 0
    s, e, st = (_number(v, "arange", n) for n, v in (("start", start), ("end", end), ("step", step)))
    for v in (s, e, st):
        if isinstance(v, complex):  # torch's words (and type) for a complex bound
            raise RuntimeError(f"arange(): value cannot be converted to type double without overflow: {v!r}")
    if not all(math.isfinite(v) for v in (s, e, st)):
        raise RuntimeError(f"arange(): unsupported range: {s} -> {e}")
    if st == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if (e - s) * st < 0:
        raise RuntimeError("arange(): upper bound and lower bound inconsistent with step sign")
    inferred = D.get_default_dtype() if any(isinstance(v, float) for v in (s, e, st)) else D.int64
    dt = dtype_arg(dtype, "arange") or inferred
    _not_for("arange", dt, (D.INTEGRAL, D.FLOATING))
    dev, bk = resolve_device(device)
    _check_supported(bk, dt, "arange")
    if dt.category == D.INTEGRAL:
        # torch computes integer ranges in int64, truncating start and step towards zero; for an
        # int64 result it truncates end as well before counting, for narrower ones it counts in double.
        if dt is D.int64:
            s, e, st = int(s), int(e), int(st)
            if st == 0:
                raise ValueError("arange(): step must be nonzero (after truncating it to int64)")
        n = max(math.ceil((e - s) / st), 0)
        s, st = int(s), int(st)
        data = bk.full((n,), s, D.int64, dev.index) if st == 0 else bk.arange(s, s + n * st, st, D.int64, dev.index)
        if dt is not D.int64:
            data = bk.astype(data, dt)
    else:
        # Computed in float64 from the count, like torch, so the length never depends on rounding.
        n = max(math.ceil((e - s) / st), 0)
        data = bk.arange(0, n, 1, D.float64, dev.index)
        data = bk.astype(bk.add(bk.multiply(data, float(st)), float(s)), dt)
    return _finish(wrap(data, dt, dev, bk), requires_grad)


def linspace(start: Any, end: Any, steps: int, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    >>> ember.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    a, b = _number(start, "linspace", "start"), _number(end, "linspace", "end")
    steps = _int_arg(steps, "linspace", "steps")
    if steps < 0:
        raise RuntimeError(f"linspace(): number of steps must be non-negative, got {steps}")
    is_complex = isinstance(a, complex) or isinstance(b, complex)
    dt = dtype_arg(dtype, "linspace") or (D.default_complex_dtype() if is_complex else D.get_default_dtype())
    _not_for("linspace", dt, (D.INTEGRAL, D.FLOATING, D.COMPLEX))
    if is_complex and dt.category != D.COMPLEX:
        raise RuntimeError(f"linspace(): inferred dtype complex can't be safely cast to passed dtype {dt}")
    dev, bk = resolve_device(device)
    _check_supported(bk, dt, "linspace")
    if dt.category == D.COMPLEX:
        data = bk.asarray(np.linspace(complex(a), complex(b), steps), dt, dev.index, True)
    elif dt.category == D.INTEGRAL:
        # torch converts the endpoints to the integer dtype first (with c10's overflow check),
        # then fills from both ends towards the middle in double and truncates.
        a, b = storable(a, dt, "linspace"), storable(b, dt, "linspace")
        i = bk.arange(0, steps, 1, D.float64, dev.index)
        step = (b - a) / (steps - 1) if steps > 1 else 0.0
        from_start = bk.add(bk.multiply(i, step), float(a))
        from_end = bk.subtract(float(b), bk.multiply(bk.subtract(float(steps - 1), i), step))
        data = bk.astype(bk.where(bk.less(i, float(steps // 2)), from_start, from_end), dt)
    else:
        for endpoint in (a, b):  # a float16 endpoint beyond its range is an error, as in torch
            storable(endpoint, dt, "linspace")
        data = bk.astype(bk.linspace(float(a), float(b), steps, D.float64, dev.index), dt)
    return _finish(wrap(data, dt, dev, bk), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A 2-D tensor with ones on the diagonal and zeros elsewhere (``n`` rows, ``m`` columns).

    >>> ember.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    n = _int_arg(n, "eye", "n")
    m = n if m is None else _int_arg(m, "eye", "m")
    for name, v in (("n", n), ("m", m)):
        if v < 0:
            raise RuntimeError(f"eye(): {name} must be greater or equal to 0, got {v}")
    _, dt, dev, bk = _factory((n, m), "eye", dtype, device)
    return _finish(wrap(bk.eye(n, m, dt, dev.index), dt, dev, bk), requires_grad)


# -- random numbers ---------------------------------------------------------------------------------

def _generator(generator: Any, dev: Any, op: str) -> Generator:
    if generator is None:
        return default_generator_for(dev)
    if not isinstance(generator, Generator):
        raise TypeError(f"{op}(): argument 'generator' must be ember.Generator, not {type(generator).__name__}")
    if generator.device.type != dev.type:
        raise RuntimeError(
            f"{op}(): Expected a '{dev.type}' device type for generator but found '{generator.device.type}'"
        )
    return generator


def _random(kind: str, shape: tuple[int, ...], generator: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    shape, dt, dev, bk = _factory(shape, kind, dtype, device)
    _not_for(kind, dt, (D.FLOATING, D.COMPLEX))
    gen = _generator(generator, dev, kind).native(bk, dev)
    sample = bk.uniform if kind == "rand" else bk.normal
    if dt.category == D.FLOATING:
        return _finish(wrap(sample(gen, shape, dt, dev.index), dt, dev, bk), requires_grad)
    # Complex: independent real and imaginary parts, each N(0, 1/2) for randn as in torch,
    # so that E|z|^2 = 1.
    real = dt.to_real()
    parts = wrap(sample(gen, (*shape, 2), real, dev.index), real, dev, bk)
    if kind == "randn":
        parts = parts * math.sqrt(0.5)
    out = parts[..., 0].to(dt) + parts[..., 1].to(dt) * 1j
    return _finish(out, requires_grad)


def rand(*sizes: Any, size: Any = None, generator: Generator | None = None, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in ``[0, 1)``.

    >>> ember.manual_seed(0); ember.rand(2).shape
    ember.Size([2])
    """
    return _random("rand", _sizes("rand", sizes, size), generator, dtype, device, requires_grad)


def randn(*sizes: Any, size: Any = None, generator: Generator | None = None, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers."""
    return _random("randn", _sizes("randn", sizes, size), generator, dtype, device, requires_grad)


# Integers a floating dtype holds exactly: torch's bound for randint into float tensors.
_EXACT_INT = {D.float16: 1 << 11, D.bfloat16: 1 << 8, D.float32: 1 << 24, D.float64: 1 << 53}


def _int_range(dt: dtype) -> tuple[int, int]:
    if dt is D.bool_:
        return 0, 1
    if dt.category == D.FLOATING:
        return -_EXACT_INT[dt], _EXACT_INT[dt]
    bits = dt.itemsize * 8
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if dt.is_signed else (0, (1 << bits) - 1)


def randint(*args: Any, low: Any = None, high: Any = None, size: Any = None, generator: Generator | None = None, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform random integers in ``[low, high)``: ``randint(high, size)`` or ``randint(low, high, size)``.

    >>> ember.randint(3, 5, (4,)).dtype
    ember.int64
    """
    rest = list(args)
    if size is None:
        if not rest:
            raise TypeError("randint() missing required argument 'size'")
        size = rest.pop()
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    if len(rest) > 2:
        raise TypeError(f"randint() takes at most 3 positional arguments ({len(rest) + 1} given)")
    if len(rest) == 2:
        if low is not None or high is not None:
            raise TypeError("randint() got multiple values for 'low' or 'high'")
        low, high = rest
    elif len(rest) == 1:
        if high is None:
            high = rest[0]
        elif low is None:
            low = rest[0]
        else:
            raise TypeError("randint() got multiple values for 'low' or 'high'")
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    low = 0 if low is None else _int_arg(low, "randint", "low")
    high = _int_arg(high, "randint", "high")
    for v in (low, high):
        if not _INT64_MIN <= v <= _INT64_MAX:
            raise ValueError(f"randint(): Overflow when unpacking long long: {v} does not fit in int64")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    shape, dt, dev, bk = _factory(_sizes("randint", (), size), "randint", dtype_arg(dtype, "randint") or D.int64, device)
    _not_for("randint", dt, (D.BOOL, D.INTEGRAL, D.FLOATING))
    lo, hi = _int_range(dt)
    if low < lo:
        raise RuntimeError(f"randint(): from={low} is out of bounds for {dt} (smallest {lo})")
    if high - 1 > hi:
        raise RuntimeError(f"randint(): to - 1 = {high - 1} is out of bounds for {dt} (largest {hi})")
    gen = _generator(generator, dev, "randint").native(bk, dev)
    return _finish(wrap(bk.integers(gen, low, high, shape, dt, dev.index), dt, dev, bk), requires_grad)


def rand_like(input: Tensor, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers with ``input``'s shape, dtype and device."""
    return _like("rand_like", input, dtype, device, lambda s, d, v: rand(s, dtype=d, device=v), requires_grad)


def randn_like(input: Tensor, *, dtype: dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers with ``input``'s shape, dtype and device."""
    return _like("randn_like", input, dtype, device, lambda s, d, v: randn(s, dtype=d, device=v), requires_grad)


# DLPack device type codes (dlpack.h) for the device types Ember names.
_DLPACK_DEVICES = {1: "cpu", 2: "cuda", 3: "cuda", 13: "cuda"}  # CPU, CUDA, CUDAHost, CUDAManaged


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A tensor sharing memory with any object that implements DLPack (NumPy, PyTorch, CuPy, JAX...).

    >>> t = ember.from_dlpack(numpy.arange(3.0))   # zero-copy
    """
    if isinstance(ext_tensor, Tensor):
        return ext_tensor.detach()
    if not hasattr(ext_tensor, "__dlpack__") or not hasattr(ext_tensor, "__dlpack_device__"):
        raise TypeError(
            f"from_dlpack(): expected an object implementing __dlpack__ and __dlpack_device__, "
            f"got {type(ext_tensor).__name__}"
        )
    kind, index = ext_tensor.__dlpack_device__()
    kind = int(kind)
    if kind not in _DLPACK_DEVICES:
        raise RuntimeError(f"from_dlpack(): DLPack device type {kind} has no Ember device type")
    dev, bk = resolve_device(_DLPACK_DEVICES[kind] + ("" if kind == 1 else f":{int(index)}"))
    data = bk.from_dlpack(ext_tensor, dev.index)
    try:
        dt = bk.ember_dtype(data.dtype)
    except TypeError:
        raise TypeError(f"from_dlpack(): the {bk.name!r} backend has no dtype for {data.dtype}") from None
    return wrap(data, dt, dev, bk)
