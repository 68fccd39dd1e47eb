"""Reductions: sum, mean, prod, max/min (with indices), argmax/argmin, all/any,
var/std (and var_mean/std_mean), logsumexp, cumsum/cumprod, count_nonzero, nansum/nanmean, aminmax."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, NamedTuple

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._dtypes import dtype
from ember._inplace import inplace
from ember._special_cases import no_kernel
from ember._tensor_base import TensorBase, like, norm_dim, norm_dims, to_scalar

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = ["values_indices", "var_mean", "std_mean"]  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = (
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "all", "any",
    "var", "std", "logsumexp", "cumsum", "cumprod", "count_nonzero", "nansum", "nanmean", "aminmax",
)


class values_indices(NamedTuple):
    """``(values, indices)`` as returned by ``max(dim)``, ``min(dim)`` and friends."""

    values: Tensor
    indices: Tensor


class aminmax_result(NamedTuple):
    """``(min, max)`` as returned by :meth:`Tensor.aminmax`."""

    min: Tensor
    max: Tensor

    def __repr__(self) -> str:
        return f"ember.return_types.aminmax(\nmin={self.min!r},\nmax={self.max!r})"


def _empty_check(t: TensorBase, axes: tuple[int, ...] | None, op: str) -> None:
    """max/min/argmax over an empty extent has no identity; PyTorch refuses it.

    A full reduction of an empty tensor is a RuntimeError for max/min/amax/amin
    and an IndexError for argmax/argmin; an empty reduced dim is an IndexError.
    """
    shape = t._data.shape
    if axes is None:
        if t._data.size == 0:
            if op in ("argmax", "argmin"):
                raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
            raise RuntimeError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return
    for d in axes:
        if shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


def _axes(t: TensorBase, dim: Any, op: str) -> tuple[int, ...] | None:
    """``dim`` checked and made non-negative; a 0-d tensor has no axis to name (dim 0 and -1 mean itself)."""
    axes = norm_dims(dim, t._data.ndim, op)
    return axes if t._data.ndim else None


def _no_complex(t: TensorBase, op: str) -> None:
    if t._dtype.category == D.COMPLEX:
        raise NotImplementedError(  # torch's type for a dtype it has no kernel for
            f"{op}(): not implemented for complex tensors ({t._dtype}): complex numbers have no ordering; "
            "reduce .abs() or .real instead"
        )


def _accumulate_dtype(t: TensorBase, dt: dtype | None, op: str) -> dtype:
    """sum/prod of bool and integer tensors accumulate in int64, as in PyTorch."""
    if dt is not None:
        if not isinstance(dt, dtype):
            raise TypeError(f"{op}(): argument 'dtype' must be ember.dtype, not {type(dt).__name__}")
        return dt
    return D.int64 if t._dtype.category <= D.INTEGRAL else t._dtype


def _cast_input(t: TensorBase, dt: dtype) -> Any:
    """``t``'s data in the requested ``dtype=`` (torch casts the input first; complex to real warns)."""
    x = t._data
    if t._dtype is dt:
        return x
    bk = t._backend
    if t._dtype.category == D.COMPLEX and dt.category != D.COMPLEX:
        warnings.warn("Casting complex values to real discards the imaginary part", UserWarning, stacklevel=3)
        x = bk.real(x)
    return bk.astype(x, dt)


class ReduceMixin(TensorBase):
    """Reductions as Tensor methods."""

    __slots__ = ()

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
        """Sum over ``dim`` (an int, a tuple, or None for every element).

        >>> ember.tensor([[1, 2], [3, 4]]).sum(dim=0)
        tensor([4, 6])
        """
        axes = _axes(self, dim, "sum") or None  # torch: dim=() reduces every dim
        dt = _accumulate_dtype(self, dtype, "sum")
        x = self._data if dtype is None else _cast_input(self, dt)
        return like(self, self._backend.sum(x, axes, keepdim, dt), dt)

    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
        """Product over ``dim`` (an int or None for every element)."""
        axes = None if dim is None else (norm_dim(dim, self._data.ndim, "prod"),)
        axes = axes if self._data.ndim else None
        dt = _accumulate_dtype(self, dtype, "prod")
        x = self._data if dtype is None else _cast_input(self, dt)
        return like(self, self._backend.prod(x, axes, keepdim, dt), dt)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
        """Arithmetic mean over ``dim``; needs a floating or complex dtype, as in PyTorch."""
        x = self
        if dtype is not None:
            dt = _accumulate_dtype(self, dtype, "mean")
            if dt.category < D.FLOATING:
                raise RuntimeError(
                    "mean(): could not infer output dtype. Optional dtype must be either a floating point or "
                    f"complex dtype. Got: {_TORCH_NAMES[dt.name]}"
                )
            x = like(self, _cast_input(self, dt), dt)
        elif x._dtype.category < D.FLOATING:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or "
                f"complex dtype. Got: {_TORCH_NAMES[x._dtype.name]}"
            )
        axes = _axes(x, dim, "mean") or None
        bk = x._backend
        shape = x._data.shape
        if x._data.size == 0 and any(shape[d] == 0 for d in (range(len(shape)) if axes is None else axes)):
            # The mean of nothing is NaN (0/0), as in torch; NumPy would also warn.
            out = tuple(1 if axes is None or d in axes else n for d, n in enumerate(shape)) if keepdim else tuple(
                n for d, n in enumerate(shape) if axes is not None and d not in axes
            )
            nan = complex(math.nan, math.nan) if x._dtype.category == D.COMPLEX else math.nan
            return like(x, bk.full(out, nan, x._dtype, x._device.index))
        return like(x, bk.mean(x._data, axes, keepdim))

    def _extreme(self, dim: Any, keepdim: bool, kernel: str, arg_kernel: str, op: str) -> Any:
        if dim is None:
            _empty_check(self, None, op)
            _no_complex(self, op)
            return like(self, getattr(self._backend, kernel)(self._data, None, False))
        axis = norm_dim(dim, self._data.ndim, op)
        _empty_check(self, (axis,) if self._data.ndim else (), op)
        if self._dtype.category == D.COMPLEX:
            raise RuntimeError(f"{op}(): does not support complex input")
        values = getattr(self._backend, kernel)(self._data, axis if self._data.ndim else None, keepdim)
        indices = getattr(self._backend, arg_kernel)(self._data, axis if self._data.ndim else None, keepdim)
        return values_indices(like(self, values), like(self, indices, D.int64))

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The largest element, or ``(values, indices)`` along ``dim``; with a tensor, :meth:`maximum`.

        >>> ember.tensor([[1, 5], [7, 2]]).max(dim=1)
        ember.return_types.max(
        values=tensor([5, 7]),
        indices=tensor([1, 0]))
        """
        if isinstance(dim, TensorBase):
            return self.maximum(dim)  # type: ignore[attr-defined]
        r = self._extreme(dim, keepdim, "max", "argmax", "max")
        return r if dim is None else _named("max", r)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The smallest element, or ``(values, indices)`` along ``dim``; with a tensor, :meth:`minimum`."""
        if isinstance(dim, TensorBase):
            return self.minimum(dim)  # type: ignore[attr-defined]
        r = self._extreme(dim, keepdim, "min", "argmin", "min")
        return r if dim is None else _named("min", r)

    def _a_extreme(self, dim: Any, keepdim: bool, kernel: str, op: str) -> Tensor:
        axes = _axes(self, dim, op) or None
        _empty_check(self, axes, op)
        if self._data.size:  # torch returns an empty complex result rather than refusing it
            _no_complex(self, op)
        return like(self, getattr(self._backend, kernel)(self._data, axes, keepdim))

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Maximum over one or more dims (every dim when ``dim`` is empty)."""
        return self._a_extreme(dim, keepdim, "max", "amax")

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Minimum over one or more dims (every dim when ``dim`` is empty)."""
        return self._a_extreme(dim, keepdim, "min", "amin")

    def _arg(self, dim: Any, keepdim: bool, kernel: str, op: str) -> Tensor:
        # torch 2.13's order: dim's type (argument parsing), then the dtype, then dim's range
        if dim is not None and (isinstance(dim, bool) or not hasattr(dim, "__index__")):
            raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
        if self._dtype.category == D.COMPLEX:
            raise RuntimeError(f"{op}(): does not support complex input")
        if self._dtype is D.bool_:
            raise RuntimeError(f"{op}(): does not support bool input")
        if dim is None:
            _empty_check(self, None, op)
            out = getattr(self._backend, kernel)(self._data, None, False)
            if keepdim:
                out = self._backend.reshape(out, (1,) * self._data.ndim, None)
            return like(self, out, D.int64)
        axis = norm_dim(dim, self._data.ndim, op)
        _empty_check(self, (axis,) if self._data.ndim else (), op)
        return like(self, getattr(self._backend, kernel)(self._data, axis if self._data.ndim else None, keepdim), D.int64)

    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Index of the first maximum (of the flattened tensor when ``dim`` is None)."""
        return self._arg(dim, keepdim, "argmax", "argmax")

    def argmin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Index of the first minimum (of the flattened tensor when ``dim`` is None)."""
        return self._arg(dim, keepdim, "argmin", "argmin")

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Whether every element (along ``dim``) is non-zero, as a bool tensor."""
        axes = _axes(self, dim, "all")
        return _logical(self, self._backend.all(self._data, axes, keepdim))

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Whether any element (along ``dim``) is non-zero, as a bool tensor."""
        axes = _axes(self, dim, "any")
        return _logical(self, self._backend.any(self._data, axes, keepdim))

    # -- moments -------------------------------------------------------------------------------
    def var(
        self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: Any = None
    ) -> Tensor:
        """Variance over ``dim`` with ``correction`` (default 1; ``unbiased=False`` means 0).

        Fewer elements than ``correction + 1`` warn and give inf or NaN, as in PyTorch.

        >>> ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]]).var(1)
        tensor([1.0000, 2.3333])
        """
        return _variance(self, dim, unbiased, keepdim, correction, "var")

    def std(
        self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: Any = None
    ) -> Tensor:
        """Standard deviation: the square root of :meth:`var`, with the same arguments."""
        v = _variance(self, dim, unbiased, keepdim, correction, "std")
        return like(v, v._backend.sqrt(v._data))

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        """``log(sum(exp(self)))`` over ``dim``, shifted by the maximum so nothing overflows;
        integer input gives the default float.

        >>> ember.tensor([[1.0, 2.0]]).logsumexp(1)
        tensor([2.3133])
        """
        axes = _axes(self, dim, "logsumexp") or None
        bk = self._backend
        dt = self._dtype if self._dtype.category >= D.FLOATING else D.get_default_dtype()
        x = self._data if dt is self._dtype else bk.astype(self._data, dt)
        shape = tuple(x.shape)
        reduced = range(len(shape)) if axes is None else axes
        if x.size == 0:  # the sum of no exponentials is 0, whose log is -inf
            return like(self, bk.full(_reduced_shape(shape, axes, keepdim), -math.inf, dt, self._device.index), dt)
        if dt.category == D.COMPLEX:  # no ordering to shift by
            return like(self, bk.log(bk.sum(bk.exp(x), axes, keepdim, dt)), dt)
        m = bk.max(x, axes, True)
        m = bk.where(bk.isinf(m), bk.full((), 0, dt, self._device.index), m)  # all -inf (or an inf): no shift
        out = bk.add(bk.log(bk.sum(bk.exp(bk.subtract(x, m)), axes, True, dt)), m)
        if not keepdim:
            out = bk.reshape(out, tuple(n for d, n in enumerate(shape) if d not in reduced), None)
        return like(self, out, dt)

    # -- scans -------------------------------------------------------------------------------
    def cumsum(self, dim: Any, *, dtype: dtype | None = None) -> Tensor:
        """Running sum along ``dim``; bool and integer input accumulate in int64, as in PyTorch.

        >>> ember.tensor([1, 2, 3]).cumsum(0)
        tensor([1, 3, 6])
        """
        return _scan(self, dim, dtype, "cumulative_sum", "cumsum")

    def cumprod(self, dim: Any, *, dtype: dtype | None = None) -> Tensor:
        """Running product along ``dim`` (bool and integer input accumulate in int64)."""
        return _scan(self, dim, dtype, "cumulative_prod", "cumprod")

    def cumsum_(self, dim: Any, *, dtype: dtype | None = None) -> Tensor:
        """In-place :meth:`cumsum`, accumulated in this tensor's own dtype."""
        return _scan_(self, dim, dtype, "cumulative_sum", "cumsum_")

    def cumprod_(self, dim: Any, *, dtype: dtype | None = None) -> Tensor:
        """In-place :meth:`cumprod`, accumulated in this tensor's own dtype."""
        return _scan_(self, dim, dtype, "cumulative_prod", "cumprod_")

    # -- counting and NaN-skipping reductions ---------------------------------------------------------
    def count_nonzero(self, dim: Any = None) -> Tensor:
        """The number of non-zero elements (NaN counts) over ``dim``, as int64.

        >>> ember.tensor([[0, 1], [2, 0]]).count_nonzero(0)
        tensor([1, 1])
        """
        axes = _axes(self, dim, "count_nonzero") or None
        bk = self._backend
        return like(self, bk.sum(bk.not_equal(self._data, 0), axes, False, D.int64), D.int64)

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
        """:meth:`sum` treating NaN as zero.

        >>> ember.tensor([float("nan"), 1.0]).nansum()
        tensor(1.)
        """
        if self._dtype.category == D.COMPLEX:
            raise RuntimeError("nansum(): does not support complex inputs")
        axes = _axes(self, dim, "nansum") or None
        dt = _accumulate_dtype(self, dtype, "nansum")
        x = self._data if dtype is None else _cast_input(self, dt)
        bk = self._backend
        if dt.category == D.FLOATING:
            x = bk.where(bk.isnan(x), bk.full((), 0, dt, self._device.index), x)
        return like(self, bk.sum(x, axes, keepdim, dt), dt)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
        """:meth:`mean` of the non-NaN elements (NaN where there are none)."""
        if self._dtype.category < D.FLOATING:
            raise RuntimeError(
                "nanmean(): expected input to have floating point or complex dtype but got "
                f"{_TORCH_NAMES[self._dtype.name]}"
            )
        total = self.nansum(dim, keepdim, dtype=dtype)
        bk = self._backend
        axes = _axes(self, dim, "nanmean") or None
        count = bk.sum(bk.logical_not(bk.isnan(self._data)), axes, keepdim, total._dtype.to_real()
                       if total._dtype.category == D.COMPLEX else total._dtype)
        return like(total, bk.divide(total._data, bk.astype(count, total._dtype)))

    def aminmax(self, *, dim: Any = None, keepdim: bool = False) -> aminmax_result:
        """``(min, max)`` over ``dim`` (every element when None) in one call.

        >>> ember.tensor([[1, 5], [7, 2]]).aminmax(dim=1)
        ember.return_types.aminmax(
        min=tensor([1, 2]),
        max=tensor([5, 7]))
        """
        if self._dtype.category == D.COMPLEX:
            raise no_kernel("aminmax", self._dtype)
        bk = self._backend
        shape = tuple(self._data.shape)
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(
                    "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity."
                )
            axes: tuple[int, ...] | None = None
        else:
            axis = norm_dim(dim, len(shape), "aminmax")
            if shape and shape[axis] == 0:
                raise IndexError(f"aminmax(): Expected reduction dim {axis} to have non-zero size.")
            axes = (axis,) if shape else None
        lo, hi = bk.min(self._data, axes, keepdim), bk.max(self._data, axes, keepdim)
        if keepdim and axes is None and shape:  # keepdim with no dim keeps every dim, as size 1
            lo, hi = (bk.reshape(v, (1,) * len(shape), None) for v in (lo, hi))
        return aminmax_result(like(self, lo), like(self, hi))


def _logical(t: TensorBase, out: Any) -> Tensor:
    """all/any give bool, except for uint8 input, which keeps uint8 (PyTorch's legacy rule)."""
    if t._dtype is D.uint8:
        return like(t, t._backend.astype(out, D.uint8), D.uint8)
    return like(t, out, D.bool_)


# torch's ScalarType names, which its dtype messages use.
_TORCH_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
    "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
    "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}


class _ReturnType(values_indices):
    """A (values, indices) pair that prints as ``ember.return_types.<op>(...)``."""

    _op = "max"

    def __repr__(self) -> str:
        return f"ember.return_types.{self._op}(\nvalues={self.values!r},\nindices={self.indices!r})"


_RETURN_TYPES: dict[str, type] = {}


def _named(op: str, pair: values_indices) -> values_indices:
    cls = _RETURN_TYPES.get(op)
    if cls is None:
        cls = _RETURN_TYPES[op] = type(op, (_ReturnType,), {"_op": op, "__slots__": ()})
    return cls(*pair)


def _reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None, keepdim: bool) -> tuple[int, ...]:
    """The result shape of reducing ``axes`` (None: every dim) of ``shape``."""
    if keepdim:
        return tuple(1 if axes is None or d in axes else n for d, n in enumerate(shape))
    return tuple(n for d, n in enumerate(shape) if axes is not None and d not in axes)


def _variance(t: TensorBase, dim: Any, unbiased: Any, keepdim: bool, correction: Any, op: str) -> Tensor:
    """var and std's shared body: two passes (mean, then squared deviations) in float32 or wider."""
    if isinstance(dim, bool):  # var(False): the legacy (unbiased) overload
        if unbiased is not None:
            keepdim = bool(unbiased)
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}(): pass either unbiased or correction, not both")
    if correction is None:
        corr: float = 0 if unbiased is False else 1
    else:
        c = to_scalar(correction)
        if c is None or isinstance(c, complex):
            raise TypeError(f"{op}(): argument 'correction' must be Number, not {type(correction).__name__}")
        corr = c  # a real number here
    if t._dtype.category < D.FLOATING:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    axes = _axes(t, dim, op) or None
    bk = t._backend
    dt = t._dtype
    real = dt.to_real() if dt.category == D.COMPLEX else dt
    work = D.float32 if real in (D.float16, D.bfloat16) else real  # half types accumulate in float32
    x = t._data
    if work is not real:
        x = bk.astype(x, work)
    shape = tuple(x.shape)
    n = math.prod(shape[d] for d in (range(len(shape)) if axes is None else axes))
    dof = max(0.0, n - corr)
    if dof <= 0:
        warnings.warn(
            f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction factor "
            "(input numel divided by output numel).", UserWarning, stacklevel=3,
        )
    if x.size == 0:
        out = bk.full(_reduced_shape(shape, axes, keepdim), math.nan, work, t._device.index)
    else:
        dev = bk.subtract(x, bk.mean(x, axes, True))
        sq = bk.multiply(bk.real(dev), bk.real(dev)) if dt.category == D.COMPLEX else bk.multiply(dev, dev)
        if dt.category == D.COMPLEX:
            sq = bk.add(sq, bk.multiply(bk.imag(dev), bk.imag(dev)))
        out = bk.divide(bk.sum(sq, axes, keepdim, work), dof)
    return like(t, out if work is real else bk.astype(out, real), real)


def _var_mean(
    input: Any, dim: Any, unbiased: Any, keepdim: bool, correction: Any, op: str
) -> tuple[Tensor, Tensor]:
    if not isinstance(input, ReduceMixin):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if isinstance(dim, bool):  # var_mean(x, False): the legacy (unbiased) overload
        dim, unbiased, keepdim = None, dim, bool(unbiased) if unbiased is not None else keepdim
    spread = _variance(input, dim, unbiased, keepdim, correction, op[:3])
    if op == "std_mean":
        spread = like(spread, spread._backend.sqrt(spread._data))
    mean = input.mean(dim, keepdim)
    if dim is None and keepdim:  # mean() ignores keepdim without a dim; var keeps size-1 dims
        mean = like(mean, mean._backend.reshape(mean._data, tuple(spread._data.shape), None))
    return spread, mean


def var_mean(
    input: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: Any = None
) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` over the same dims, with :meth:`Tensor.var`'s arguments.

    >>> ember.var_mean(ember.tensor([1.0, 2.0, 3.0]))
    (tensor(1.), tensor(2.))
    """
    return _var_mean(input, dim, unbiased, keepdim, correction, "var_mean")


def std_mean(
    input: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: Any = None
) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` over the same dims, with :meth:`Tensor.std`'s arguments."""
    return _var_mean(input, dim, unbiased, keepdim, correction, "std_mean")


def _scan_axis(t: TensorBase, dim: Any, op: str) -> tuple[Any, int]:
    """The data to scan (0-d seen as 1-d) and the axis."""
    axis = norm_dim(dim, t._data.ndim, op) if t._data.ndim else (norm_dim(dim, 0, op) and 0)
    x = t._data
    if x.ndim == 0:
        x = t._backend.reshape(x, (1,), None)
    return x, axis


def _scan(t: TensorBase, dim: Any, dtype: dtype | None, kernel: str, op: str) -> Tensor:
    x, axis = _scan_axis(t, dim, op)
    dt = _accumulate_dtype(t, dtype, op)
    if dt is not t._dtype:
        x = t._backend.astype(x, dt) if dtype is None else _cast_input(like(t, x), dt)
    out = getattr(t._backend, kernel)(x, axis, dt)
    if t._data.ndim == 0:
        out = t._backend.reshape(out, (), None)
    return like(t, out, dt)


def _scan_(t: TensorBase, dim: Any, dtype: dtype | None, kernel: str, op: str) -> Tensor:
    if dtype is not None and dtype is not t._dtype:
        raise RuntimeError(
            f"{op}(): Bad in-place call: input tensor dtype {t._dtype} and output tensor dtype {dtype} should match"
        )
    if t._dtype is D.bool_:
        raise no_kernel(op, t._dtype)
    x, axis = _scan_axis(t, dim, op)
    out = getattr(t._backend, kernel)(x, axis, t._dtype)
    if t._data.ndim == 0:
        out = t._backend.reshape(out, (), None)
    return inplace(t, like(t, out), op)


_dispatch_install(globals(), ["var_mean", "std_mean"])  # ember-autograd records these (see _dispatch)
