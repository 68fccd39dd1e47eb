"""Reductions: sum, mean, prod, max/min (with indices), argmax/argmin, all/any."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, NamedTuple

from ember import _dtypes as D
from ember._dtypes import dtype
from ember._tensor_base import TensorBase, like, norm_dim, norm_dims

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = ["values_indices"]  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = (
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "all", "any",
)


class values_indices(NamedTuple):
    """``(values, indices)`` as returned by ``max(dim)``, ``min(dim)`` and friends."""

    values: Tensor
    indices: Tensor


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
