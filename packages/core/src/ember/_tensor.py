"""``ember.Tensor``: metadata, conversions and the Python protocols.

The op families are mixins (``_ops_math``, ``_ops_reduce``, ``_ops_shape``,
``_ops_index``); this module joins them and adds what is about the tensor as
an object: shape and strides, dtype and device conversions, printing, and the
bridge to the autograd package.
"""

from __future__ import annotations

import copy
import importlib
import math
import operator
from collections.abc import Iterator
from typing import Any

import numpy as np

from ember import _dtypes as D
from ember import _printing, _tensor_base
from ember._device import device
from ember._dtypes import dtype
from ember._errors import MissingPackageError
from ember._inplace import inplace
from ember._nnops._methods import NNMixin
from ember._ops_complex import ComplexMixin
from ember._ops_index import IndexMixin
from ember._ops_layout import LayoutMixin
from ember._ops_linalg import LinalgMixin
from ember._ops_math import MathMixin
from ember._ops_math_extra import MathExtraMixin
from ember._ops_reduce import ReduceMixin
from ember._ops_scatter import ScatterMixin
from ember._ops_shape import ShapeMixin
from ember._ops_sort import SortMixin
from ember._special_cases import storable
from ember._tensor_base import (
    DETACHED,
    bump_version,
    check_partial_overlap,
    check_writable,
    like,
    norm_dim,
    read_only_error,
    to_scalar,
    wrap,
)

__all__ = ["Tensor", "Size", "resolve_device", "autograd_module"]


class Size(tuple[int, ...]):
    """A tensor's shape: a tuple of ints that prints as ``ember.Size([2, 3])``.

    >>> ember.Size([2, 3]) + (4,)
    ember.Size([2, 3, 4])
    """

    __slots__ = ()

    def __new__(cls, sizes: Any = ()) -> Size:
        out = []
        for i, s in enumerate(sizes):
            try:
                out.append(operator.index(s))
            except TypeError:
                raise TypeError(
                    f"ember.Size() takes an iterable of 'int' (item {i} is '{type(s).__name__}')"
                ) from None
        return tuple.__new__(cls, out)

    def __repr__(self) -> str:
        return f"ember.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        return math.prod(self)

    def __getitem__(self, key: Any) -> Any:
        out = tuple.__getitem__(self, key)
        return _size(out) if isinstance(key, slice) else out

    # Concatenation and repetition stay Sizes, as torch.Size's do.
    def __add__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n: Any) -> Any:
        out = tuple.__mul__(self, n)
        return out if out is NotImplemented else _size(out)

    __rmul__ = __mul__


def _size(shape: tuple[int, ...]) -> Size:
    """A Size from ints already known to be valid (the hot path of ``.shape``)."""
    return tuple.__new__(Size, shape)


_CPU = device("cpu")


def resolve_device(spec: Any) -> tuple[device, Any]:
    """The concrete device (with its index) and the active backend for a user's device argument."""
    if spec is None:
        from ember._plugins import registry

        active = registry.backend_if_active("cpu")
        if active is not None:
            return _CPU, active  # the hot path of every factory call
    from ember._device import as_device
    from ember._plugins import registry

    dev = as_device("cpu" if spec is None else spec)
    assert dev is not None
    backend = registry.backend(dev.type)
    if backend.indexed:
        index = 0 if dev.index is None else dev.index
        count = backend.device_count()
        if index >= count:
            why = backend.unavailable_reason() if count == 0 and hasattr(backend, "unavailable_reason") else None
            raise RuntimeError(
                f"{dev.type} device index {index} is out of range: the {backend.name!r} backend sees {count} "
                f"{dev.type} device(s)" + (f": {why}" if why else "")
            )
        dev = device(dev.type, index)
    elif dev.index not in (None, 0):
        raise RuntimeError(f"device {dev}: the {dev.type!r} device type has no device {dev.index}")
    else:
        dev = device(dev.type)
    return dev, backend


def _moved(t: Tensor, dev: device, backend: Any, non_blocking: bool) -> Tensor:
    """``t``'s values on ``dev``: through a backend's optional ``transfer`` hook (destination's, then
    source's; it may return None to decline), else through a NumPy array on the host."""
    for bk in (backend, t._backend):
        hook = getattr(bk, "transfer", None)
        if hook is not None:
            data = hook(t._data, t._backend, backend, dev.index, non_blocking)
            if data is not None:
                return wrap(data, t._dtype, dev, backend)
    out = wrap(backend.from_numpy(t._backend.to_numpy(t._data), dev.index), t._dtype, dev, backend)
    if dev.type == "cpu" and t._device.type == "cpu":
        out = like(out, backend.copy(out._data))
    return out


_autograd: Any = None


def autograd_module(feature: str = "requires_grad=True") -> Any:
    """``ember.autograd``, imported on first use; a clear error naming ``feature`` if it is not installed."""
    global _autograd
    if _autograd is not None:  # on the hot path of ``p.grad = None`` (zero_grad)
        return _autograd
    try:
        autograd = _autograd = importlib.import_module("ember.autograd")
    except ModuleNotFoundError as exc:
        if exc.name not in ("ember.autograd",):
            raise
        raise MissingPackageError(
            f"{feature} needs the autograd package: pip install ember-autograd"
        ) from None
    return autograd


_TYPE_NAMES = {
    D.float32: "FloatTensor", D.float64: "DoubleTensor", D.float16: "HalfTensor",
    D.bfloat16: "BFloat16Tensor", D.int64: "LongTensor", D.int32: "IntTensor", D.int16: "ShortTensor",
    D.int8: "CharTensor", D.uint8: "ByteTensor", D.bool_: "BoolTensor",
    D.complex64: "ComplexFloatTensor", D.complex128: "ComplexDoubleTensor",
}


class Tensor(
    MathMixin, MathExtraMixin, ComplexMixin, ReduceMixin, SortMixin, LinalgMixin, ShapeMixin, LayoutMixin,
    IndexMixin, ScatterMixin, NNMixin,
):
    """A multi-dimensional array on a device, with PyTorch's API.

    Build tensors with :func:`ember.tensor`, :func:`ember.zeros` and friends;
    ``ember.Tensor(4, 3)`` is PyTorch's legacy constructor (an uninitialised
    float tensor of that shape) and ``ember.Tensor([1, 2])`` copies data.
    """

    __slots__ = ()

    def __new__(cls, *args: Any, device: Any = None) -> Tensor:
        from ember._creation import empty, tensor

        dt = D.get_default_dtype()
        if not args:
            return empty(0, dtype=dt, device=device)
        if len(args) == 1 and isinstance(args[0], Size):
            return empty(args[0], dtype=dt, device=device)
        if len(args) == 1 and isinstance(args[0], Tensor):
            # torch's legacy constructor aliases a tensor argument (same memory, same dtype).
            src = args[0].detach()
            return src if device is None else src.to(device)
        if all(_is_size(a) for a in args):
            return empty(*args, dtype=dt, device=device)
        if len(args) == 1:
            if to_scalar(args[0]) is not None:
                raise TypeError(f"Tensor(): new(): data must be a sequence (got {type(args[0]).__name__})")
            return tensor(args[0], dtype=dt, device=device)
        kinds = ", ".join(type(a).__name__ for a in args)
        raise TypeError(
            f"Tensor(): expected sizes (ints), an ember.Size, or one sequence of data, got ({kinds})"
        )

    def __init__(self, *args: Any, device: Any = None) -> None:
        pass  # all work happens in __new__

    # -- metadata -------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """The size of each dimension, as an :class:`ember.Size`."""
        return _size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of one dimension."""
        if dim is None:
            return _size(self._data.shape)
        return self._data.shape[_dim_of(self, dim, "size")]

    def dim(self) -> int:
        """The number of dimensions."""
        return int(self._data.ndim)

    ndimension = dim

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return int(self._data.ndim)

    def numel(self) -> int:
        """The number of elements."""
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self) -> dtype:
        """The element type, e.g. ``ember.float32``."""
        return self._dtype

    @property
    def device(self) -> device:
        """Where the data lives, e.g. ``device(type='cpu')``."""
        return self._device

    @property
    def is_cuda(self) -> bool:
        return self._device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self._device.type == "cpu"

    def stride(self, dim: int | None = None) -> Any:
        """Steps in elements between neighbours along each dimension (or one dimension)."""
        strides = tuple(self._backend.strides(self._data))
        return strides if dim is None else strides[_dim_of(self, dim, "stride")]

    def storage_offset(self) -> int:
        """Offset in elements of the first element from the start of the storage."""
        return int(self._backend.storage_offset(self._data))

    def data_ptr(self) -> int:
        """Address of the first element."""
        return int(self._backend.data_ptr(self._data))

    def element_size(self) -> int:
        """Bytes per element."""
        return self._dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self._dtype.itemsize * int(self._data.size)

    def is_floating_point(self) -> bool:
        return self._dtype.category == D.FLOATING

    def is_complex(self) -> bool:
        return self._dtype.category == D.COMPLEX

    # -- Python values -----------------------------------------------------------------
    def item(self) -> Any:
        """The Python number held by a one-element tensor."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._backend.item(self._data)

    def tolist(self) -> Any:
        """Nested lists of Python numbers (a number for 0-d tensors)."""
        return self._backend.tolist(self._data)

    def numpy(self, *, force: bool = False) -> Any:
        """A NumPy array sharing memory with a CPU tensor; ``force=True`` copies from other devices."""
        if self._device.type != "cpu" and not force:
            raise TypeError(
                f"can't convert {self._device} device type tensor to numpy. Use Tensor.cpu() to copy the "
                "tensor to host memory first."
            )
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if self._dtype is D.bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        return self._backend.to_numpy(self._data)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        import numpy as np

        arr = self._backend.to_numpy(self._data)
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return np.array(arr, copy=True) if copy else arr

    # -- copying and pickling ----------------------------------------------------------------
    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        """A tensor with its own copy of the data (same class, dtype, device and backend).

        ``copy.deepcopy(model)`` relies on this. Like PyTorch, only leaves can be copied.
        """
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment; detach() it first"
            )
        hit = memo.get(id(self))
        if hit is not None:
            return hit
        new = like(self, self._backend.copy(self._data))
        if type(self) is not Tensor:
            new.__class__ = type(self)  # subclasses (nn.Parameter) add no storage slots
        new._requires_grad = self._requires_grad
        memo[id(self)] = new
        if self._meta is not None:  # autograd's extras (.grad, ...) copy themselves
            new._meta = copy.deepcopy(self._meta, memo)
        extra = getattr(self, "__dict__", None)
        if extra:
            new.__dict__.update(copy.deepcopy(extra, memo))
        return new

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickle as (class, host copy of the values, dtype, device, requires_grad).

        For in-process use (multiprocessing, ``copy``); files go through ``ember.save``,
        which never unpickles. The backend is looked up again when unpickling.
        """
        host = np.array(self._backend.to_numpy(self._data), order="C", copy=True)
        return (_rebuild, (type(self), host, self._dtype.name, str(self._device), self.requires_grad))

    # -- sampling in place (ember._sampling) ---------------------------------------------------------
    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with uniform samples from ``[from_, to)``."""
        from ember._sampling import uniform_

        return uniform_(self, from_, to, generator=generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with normal samples."""
        from ember._sampling import normal_

        return normal_(self, mean, std, generator=generator)

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """Fill with 0/1 samples, 1 with probability ``p``."""
        from ember._sampling import bernoulli_

        return bernoulli_(self, p, generator=generator)

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Tensor:
        """0/1 samples, 1 with probability ``self`` (or ``p``)."""
        from ember._sampling import bernoulli

        return bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Tensor:
        """int64 category indices drawn with the weights in each row (see ``ember.multinomial``)."""
        from ember._sampling import multinomial

        return multinomial(self, num_samples, replacement, generator=generator)

    def random_(self, *args: Any, generator: Any = None, **kwargs: Any) -> Tensor:
        """Fill with integers: ``random_()``, ``random_(to)`` or ``random_(from_, to)``."""
        from ember._sampling import random_

        return random_(self, *args, generator=generator, **kwargs)

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with Exponential(``lambd``) samples."""
        from ember._sampling import exponential_

        return exponential_(self, lambd, generator=generator)

    def geometric_(self, p: float, *, generator: Any = None) -> Tensor:
        """Fill with Geometric(``p``) samples (trials up to the first success)."""
        from ember._sampling import geometric_

        return geometric_(self, p, generator=generator)

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Tensor:
        """Fill with log-normal samples (``log`` of them is Normal(``mean``, ``std``))."""
        from ember._sampling import log_normal_

        return log_normal_(self, mean, std, generator=generator)

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with Cauchy(``median``, ``sigma``) samples."""
        from ember._sampling import cauchy_

        return cauchy_(self, median, sigma, generator=generator)

    # -- DLPack ----------------------------------------------------------------------------------
    def __dlpack__(self, **kwargs: Any) -> Any:
        """A DLPack capsule sharing this tensor's memory (``np.from_dlpack(t)``, ``torch.from_dlpack(t)``)."""
        if self.requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        return self._data.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple[Any, int]:
        """The DLPack ``(device_type, device_id)`` of this tensor's memory."""
        return self._data.__dlpack_device__()

    # NumPy defers its binary operators to the tensor (ndarray + tensor, np.float64(2) * tensor).
    __array_priority__ = 1000

    def __array_wrap__(self, array: Any, context: Any = None, return_scalar: bool = False) -> Any:
        """NumPy ufuncs applied to a CPU tensor return a tensor (``np.exp(t)``), as in PyTorch."""
        from ember._creation import from_numpy

        arr = np.asarray(array)
        try:
            return from_numpy(arr if arr.flags.writeable else arr.copy())
        except (TypeError, ValueError):  # a dtype or layout tensors cannot hold: stay NumPy
            return array

    def __len__(self) -> int:
        if not self._data.ndim:
            raise TypeError("len() of a 0-d tensor")
        return int(self._data.shape[0])

    def __iter__(self) -> Iterator[Tensor]:
        if not self._data.ndim:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __contains__(self, element: Any) -> bool:
        if not isinstance(element, Tensor) and to_scalar(element) is None:
            raise RuntimeError(
                "Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                f"{type(element)}."
            )
        return bool((self == element).any())

    def _one(self) -> Any:
        if self._data.size != 1:
            # torch raises ValueError here (but RuntimeError from item() and bool()).
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._backend.item(self._data)

    def _real(self, kind: str) -> Any:
        value = self._one()
        if isinstance(value, complex):
            if value.imag:
                raise RuntimeError(f"value cannot be converted to type {kind} without overflow")
            return value.real
        return value

    def __bool__(self) -> bool:
        n = self._data.size
        if n != 1:
            what = "no values" if n == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {what} is ambiguous")
        return bool(self._backend.item(self._data))

    def __int__(self) -> int:
        return int(self._real("int64"))

    def __float__(self) -> float:
        return float(self._real("double"))

    def __complex__(self) -> complex:
        return complex(self._one())

    def __index__(self) -> int:
        if self._dtype.category not in (D.INTEGRAL, D.BOOL) or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._backend.item(self._data))

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __repr__(self) -> str:
        suffixes = []
        if self._grad_fn is not None:
            suffixes.append(("grad_fn", f"<{type(self._grad_fn).__name__}>"))
        elif self._requires_grad:
            suffixes.append(("requires_grad", "True"))
        values = self._backend.to_numpy(self._data if self._dtype is not D.bfloat16 else self._backend.astype(self._data, D.float32))
        return _printing.format_tensor(values, self._dtype, self._device, suffixes)

    __str__ = __repr__

    # -- dtype and device conversions ------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """A tensor with another dtype and/or device (``self`` when nothing changes, unless ``copy=True``).

        Accepts ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``
        and the keywords ``device``, ``dtype``, ``copy``, ``non_blocking``.
        """
        dev_arg, dt = kwargs.pop("device", None), kwargs.pop("dtype", None)
        copy = bool(kwargs.pop("copy", False))
        non_blocking = bool(kwargs.pop("non_blocking", False))
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument {next(iter(kwargs))!r}")
        for a in args:
            if a is None:
                continue
            if isinstance(a, dtype) or (isinstance(a, type) and a in _PY_DTYPES):
                dt = a
            elif isinstance(a, Tensor):
                dev_arg, dt = a._device, a._dtype
            elif isinstance(a, str) and (a in D.ALIASES or a in _DTYPE_NAMES):
                raise RuntimeError(f"Invalid device string: '{a}': it names a dtype; pass ember.{a} instead")
            elif isinstance(a, (str, device, int)) and not isinstance(a, bool):
                dev_arg = a
            elif isinstance(a, bool):
                copy = a if len(args) > 1 else copy
            else:
                raise TypeError(
                    f"to() received an invalid combination of arguments: expected a dtype, a device or a "
                    f"tensor, got {type(a).__name__} ({a!r})"
                )
        dt = dtype_arg(dt, "to")
        out = self
        if dev_arg is not None:
            dev, backend = resolve_device(dev_arg)
            if dev is not self._device or backend is not self._backend:
                out = _moved(self, dev, backend, non_blocking)
                copy = False
        if dt is not None and dt is not out._dtype:
            _check_supported(out._backend, dt, "to")
            out = like(out, out._backend.astype(out._data, dt), dt)
            copy = False
        if copy:
            out = out.clone()
        return out

    def pin_memory(self, device: Any = None) -> Tensor:
        """A copy of this CPU tensor in page-locked host memory (needs a CUDA backend and device)."""
        if self._device.type != "cpu":
            raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
        from ember._plugins import registry

        return like(self, registry.backend("cuda").pin_memory(self._backend.to_numpy(self._data)))

    def is_pinned(self, device: Any = None) -> bool:
        """Whether this tensor lives in page-locked host memory (see :meth:`pin_memory`)."""
        from ember._plugins import registry

        accel = registry.backend_if_active("cuda")
        pinned = getattr(accel, "is_pinned", None)
        return self._device.type == "cpu" and pinned is not None and bool(pinned(self._backend.to_numpy(self._data)))

    def cpu(self) -> Tensor:
        """This tensor on the CPU (``self`` if already there)."""
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Tensor:
        """This tensor on a CUDA device (``cuda:0`` by default)."""
        return self.to("cuda" if device is None else device if not isinstance(device, int) else f"cuda:{device}")

    def type(self, dtype: Any = None) -> Any:
        """The type name (``'ember.FloatTensor'``) with no argument, else a cast like :meth:`to`."""
        if dtype is None:
            return f"ember.{_TYPE_NAMES[self._dtype]}"
        if isinstance(dtype, str):
            prefix, _, name = dtype.rpartition(".")
            matches = [d for d, n in _TYPE_NAMES.items() if n == name]
            if prefix not in ("ember", "torch") or not matches:
                raise ValueError(f"invalid type: {dtype!r}")
            dtype = matches[0]
        if not isinstance(dtype, D.dtype):
            raise TypeError(f"type(): dtype must be a str or an ember.dtype, not {type(dtype).__name__}")
        return self.to(dtype)

    # -- in-place basics ---------------------------------------------------------------------
    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value`` (a number or a one-element tensor)."""
        if isinstance(value, Tensor):
            if value._data.ndim:
                raise RuntimeError(
                    f"fill_ only supports 0-dimension value tensor but got tensor with {value._data.ndim} dimensions."
                )
            value = value.item()
        s = to_scalar(value)
        if s is None:
            raise TypeError(f"fill_(): argument 'value' must be Number, not {type(value).__name__}")
        # torch saturates float16 on one-element tensors only (its scalar fast path); so do we
        s = storable(s, self._dtype, "fill_", saturate_half=self._data.size == 1)
        check_writable(self, "fill_")
        try:
            self._backend.copy_into(self._data, s)
        except ValueError as exc:  # fill_ may write an expanded view (as in torch), not read-only memory
            raise read_only_error("fill_") from exc
        bump_version(self)
        return self

    def zero_(self) -> Tensor:
        """Set every element to zero."""
        return self.fill_(0)

    def copy_(self, src: Any, non_blocking: bool = False) -> Tensor:
        """Copy ``src``'s values (broadcast, cast, from any device) into this tensor."""
        if not isinstance(src, Tensor):
            raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
        if src._device is not self._device or src._backend is not self._backend:
            src = src.to(self._device, non_blocking=non_blocking)
        check_partial_overlap(self, src, "copy_")
        from ember._elementwise import broadcast_shapes

        out_shape = broadcast_shapes(tuple(self._data.shape), tuple(src._data.shape))
        if out_shape != tuple(self._data.shape):
            raise RuntimeError(
                f"copy_(): output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                f"{list(out_shape)}"
            )
        return inplace(self, like(self, self._backend.broadcast_to(
            src._data if src._dtype is self._dtype else self._backend.astype(src._data, self._dtype),
            tuple(self._data.shape))), "copy_")

    # -- autograd bridge (the engine lives in ember-autograd) ------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether gradients are recorded for ops on this tensor."""
        return self._requires_grad or self._grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` on a leaf in place; needs ember-autograd to be installed."""
        if requires_grad:
            autograd_module().set_requires_grad(self, True)
        elif self._grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
            )
        else:
            self._requires_grad = False
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op."""
        return self._grad_fn is None

    @property
    def grad_fn(self) -> Any:
        """The autograd node that produced this tensor (None for leaves)."""
        return self._grad_fn

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (None until a backward pass reaches this leaf)."""
        return None if self._meta is None else self._meta.grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is None and self._meta is None:
            return  # nothing to clear, so no need for the autograd package
        autograd_module("setting .grad").set_grad(self, value)

    def backward(self, gradient: Any = None, retain_graph: Any = None, create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate gradients of this tensor into the leaves' ``.grad`` (needs ember-autograd)."""
        autograd_module("backward()").backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """A tensor sharing this one's memory, outside any autograd graph."""
        t = wrap(self._data, self._dtype, self._device, self._backend, base=self)
        t._view_ver = DETACHED
        return t


    # -- dtype shorthands (last: their names shadow builtins in annotations below them) --
    def float(self) -> Tensor:
        return self.to(D.float32)

    def double(self) -> Tensor:
        return self.to(D.float64)

    def half(self) -> Tensor:
        return self.to(D.float16)

    def bfloat16(self) -> Tensor:
        return self.to(D.bfloat16)

    def long(self) -> Tensor:
        return self.to(D.int64)

    def int(self) -> Tensor:
        return self.to(D.int32)

    def short(self) -> Tensor:
        return self.to(D.int16)

    def char(self) -> Tensor:
        return self.to(D.int8)

    def byte(self) -> Tensor:
        return self.to(D.uint8)

    def bool(self) -> Tensor:
        return self.to(D.bool_)

    def cfloat(self) -> Tensor:
        return self.to(D.complex64)

    def cdouble(self) -> Tensor:
        return self.to(D.complex128)


def _is_size(a: Any) -> bool:
    """An int-like size argument (ints, NumPy ints, 0-d integer tensors; not bools)."""
    if isinstance(a, Tensor):
        return a._dtype.category == D.INTEGRAL and a._data.ndim == 0
    return isinstance(a, (int, np.integer)) and not isinstance(a, bool)


def _dim_of(t: Tensor, dim: Any, op: str) -> int:
    """``dim`` normalised for size(dim)/stride(dim); torch's IndexError on 0-d tensors."""
    if t._data.ndim == 0 and not isinstance(dim, str):
        raise IndexError(f"{op}(): Dimension specified as {dim} but tensor has no dimensions")
    return norm_dim(dim, t._data.ndim, op)


# Python types torch accepts as dtypes (``ember.zeros(2, dtype=float)`` is float64).
_PY_DTYPES = {bool: D.bool_, int: D.int64, float: D.float64, complex: D.complex128}
_DTYPE_NAMES = frozenset(d.name for d in D.ALL_DTYPES)


def dtype_arg(value: Any, op: str) -> dtype | None:
    """A user's ``dtype=`` argument as an ember dtype (None stays None); TypeError otherwise."""
    if value is None or isinstance(value, dtype):
        return value
    hit = _PY_DTYPES.get(value) if isinstance(value, type) else None
    if hit is not None:
        return hit
    hint = f"; use ember.{value}" if isinstance(value, str) and (value in _DTYPE_NAMES or value in D.ALIASES) else ""
    raise TypeError(f"{op}(): argument 'dtype' must be ember.dtype, not {type(value).__name__}{hint}")


def _rebuild(cls: type, host: Any, dtype_name: str, device_name: str, requires_grad: bool) -> Tensor:
    """Inverse of ``Tensor.__reduce_ex__``."""
    dev, backend = resolve_device(device_name)
    dt = D.dtype_from_name(dtype_name)
    t = wrap(backend.asarray(host, dt, dev.index, True), dt, dev, backend)
    if cls is not Tensor:
        t.__class__ = cls
    if requires_grad:
        t.requires_grad_(True)
    return t


def _check_supported(backend: Any, dt: dtype, op: str) -> None:
    if dt not in backend.dtypes:
        raise TypeError(
            f"{op}(): the {backend.name!r} backend does not support {dt}; it supports "
            f"{', '.join(sorted(d.name for d in backend.dtypes))}"
        )


_tensor_base._tensor_cls = Tensor
