"""The backend protocol: every kernel core calls, with its contract.

A backend owns one device type (``"cpu"``, ``"cuda"``, or a new one) and
implements these kernels on its native arrays (``numpy.ndarray``,
``cupy.ndarray``, ...). Core does all argument checking, dtype promotion,
broadcasting checks and error messages before it calls a kernel, so a kernel
may assume well-formed input:

* ``x``, ``a``, ``b`` are native arrays of this backend, on one device.
* For binary elementwise kernels both operands already have the result dtype
  (or one is a Python scalar representable in it) and broadcast together.
* ``dtype`` arguments are :class:`ember.dtype` objects the backend declared in
  :attr:`Backend.dtypes`; ``axis`` arguments are normalised non-negative ints
  or tuples of them; ``shape`` arguments are tuples of non-negative ints.
* ``index`` is the device index (``None`` for a device type without indices).

Most kernels use the array-API standard's names and semantics, so
:class:`ember.backends.ArrayAPIBackend` implements this whole tier for any
array-API namespace; subclass it and override what your library does faster.

Views. A backend with ``strided_views = True`` promises that ``reshape`` (when
possible), ``permute_dims``, ``broadcast_to``, ``as_strided`` and basic
``getitem`` return arrays sharing memory with their input, and implements
``strides``, ``storage_offset`` and ``data_ptr``. A backend with
``strided_views = False`` may return copies; core then gives tensors copying
views and raises a clear error on in-place writes through a view.

Optional hooks (looked up with ``getattr``; a backend without them gets the default):

* ``unavailable_reason() -> str | None``: why ``device_count()`` is 0 (no driver, no
  device, a missing library, and what to install); core appends it to the error
  raised when such a device is asked for. Default: no reason given.
* ``transfer(x, src, dst, index, non_blocking) -> array | None``: ``x`` (an array of
  backend ``src``) as an array of backend ``dst`` on device ``index``; called on the
  destination's backend, then the source's, by ``Tensor.to``/``copy_``. Return None to
  decline. Default: a copy through a NumPy array on the host (``non_blocking`` ignored).
* ``pin_memory(host) -> numpy.ndarray`` / ``is_pinned(host) -> bool`` on the ``cuda``
  backend: a page-locked copy of a NumPy array, and whether one is. Default:
  ``Tensor.pin_memory`` needs a cuda backend; ``is_pinned`` is False.
* ``generator_state(gen)`` / ``set_generator_state(gen, state)``: see :mod:`ember._random`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

from ember._dtypes import dtype

__all__ = ["Backend", "REQUIRED_KERNELS", "UNARY_KERNELS", "BINARY_KERNELS"]

Array = Any  # a backend's native array type
Shape = tuple[int, ...]
Axis = int | tuple[int, ...] | None

#: Elementwise one-operand kernels ``f(x) -> array`` with array-API semantics.
#: The result has ``x``'s dtype, except ``isnan/isinf/isfinite/logical_not``
#: (bool) and ``abs`` of complex (the real dtype). ``round`` rounds half to even.
#: Floating-point errors (log(0), 0/0, overflow) give inf/nan silently, as in PyTorch:
#: a kernel must not warn or raise for them. 0-d inputs give 0-d arrays, not scalars.
UNARY_KERNELS: tuple[str, ...] = (
    "abs", "negative", "sign", "exp", "expm1", "log", "log1p", "log2", "log10",
    "sqrt", "square", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
    "tanh", "asinh", "acosh", "atanh", "floor", "ceil", "round", "trunc",
    "logical_not", "bitwise_invert", "isnan", "isinf", "isfinite", "real", "imag", "conj",
)

#: Elementwise two-operand kernels ``f(a, b) -> array`` with array-API
#: semantics and broadcasting. Comparisons and ``logical_*`` return bool.
#: ``divide`` is true division on floating input; ``floor_divide`` and
#: ``remainder`` follow Python's sign convention (the result of ``remainder``
#: has the divisor's sign), as PyTorch's do.
BINARY_KERNELS: tuple[str, ...] = (
    "add", "subtract", "multiply", "divide", "floor_divide", "remainder", "pow",
    "maximum", "minimum", "atan2", "equal", "not_equal", "less", "less_equal",
    "greater", "greater_equal", "logical_and", "logical_or", "logical_xor",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
)


@runtime_checkable
class Backend(Protocol):
    """What core needs from a backend: the required tier of kernels.

    Class attributes identify and describe the backend; methods are kernels.
    Unary and binary elementwise kernels are listed in :data:`UNARY_KERNELS`
    and :data:`BINARY_KERNELS` rather than spelled out one by one here.
    """

    #: The backend's name, unique per device type (``"numpy"``).
    name: ClassVar[str]
    #: The device type it serves (``"cpu"``, ``"cuda"``, ``"mydev"``).
    device_type: ClassVar[str]
    #: Default choice among several backends of one device type: highest wins.
    priority: ClassVar[int]
    #: Whether this device type has indices (``cuda:1``); ``cpu`` does not.
    indexed: ClassVar[bool]
    #: Whether views share memory (see the module docstring).
    strided_views: ClassVar[bool]
    #: The dtypes this backend supports.
    dtypes: frozenset[dtype]

    # -- devices ------------------------------------------------------------
    def device_count(self) -> int:
        """How many devices of this type are usable (1 for ``cpu``)."""
        ...

    # -- dtypes --------------------------------------------------------------
    def native_dtype(self, dt: dtype) -> Any:
        """The native dtype object for an Ember dtype in :attr:`dtypes`."""
        ...

    def ember_dtype(self, native: Any) -> dtype:
        """The Ember dtype of a native dtype; ``TypeError`` if it has none."""
        ...

    # -- allocation and host copies ------------------------------------------
    def asarray(self, obj: Any, dt: dtype, index: int | None, copy: bool | None) -> Array:
        """An array of dtype ``dt`` from a scalar, nested sequences or a NumPy array.

        ``copy=True`` always copies, ``None`` copies only when needed (dtype
        change or host-to-device), ``False`` never copies.
        """
        ...

    def from_numpy(self, arr: Any, index: int | None) -> Array:
        """Wrap a NumPy array; shares memory when the device is the host (else copies)."""
        ...

    def from_dlpack(self, obj: Any, index: int | None) -> Array:
        """An array sharing memory with any object that implements ``__dlpack__`` on this device."""
        ...

    def to_numpy(self, x: Array) -> Any:
        """A NumPy array with ``x``'s values; shares memory when the device is the host."""
        ...

    def empty(self, shape: Shape, dt: dtype, index: int | None) -> Array:
        """An uninitialised C-contiguous array."""
        ...

    def full(self, shape: Shape, value: bool | int | float | complex, dt: dtype, index: int | None) -> Array:
        """A C-contiguous array filled with ``value``."""
        ...

    def arange(self, start: float, stop: float, step: float, dt: dtype, index: int | None) -> Array:
        """Values ``start, start+step, ...`` below ``stop`` (above it for negative steps)."""
        ...

    def linspace(self, start: float, stop: float, num: int, dt: dtype, index: int | None) -> Array:
        """``num`` evenly spaced values from ``start`` to ``stop`` inclusive."""
        ...

    def eye(self, n: int, m: int, dt: dtype, index: int | None) -> Array:
        """An ``n x m`` array with ones on the main diagonal."""
        ...

    def astype(self, x: Array, dt: dtype) -> Array:
        """``x`` converted to ``dt`` (a new array; float to int truncates towards zero)."""
        ...

    def copy(self, x: Array) -> Array:
        """A C-contiguous copy of ``x`` that shares no memory with it."""
        ...

    def copy_into(self, dst: Array, src: Array | bool | int | float | complex) -> None:
        """Write ``src`` (broadcast to ``dst``'s shape, cast to its dtype) into ``dst`` in place."""
        ...

    def item(self, x: Array) -> bool | int | float | complex:
        """The Python scalar held by a one-element array."""
        ...

    def tolist(self, x: Array) -> Any:
        """Nested Python lists of Python scalars (a scalar for 0-d arrays)."""
        ...

    # -- layout ---------------------------------------------------------------
    def strides(self, x: Array) -> Shape:
        """Strides in elements (strided backends only)."""
        ...

    def storage_offset(self, x: Array) -> int:
        """Offset in elements of ``x``'s first element from its storage's start."""
        ...

    def data_ptr(self, x: Array) -> int:
        """Address of ``x``'s first element."""
        ...

    # -- elementwise (see UNARY_KERNELS / BINARY_KERNELS) ---------------------
    def where(self, cond: Array, a: Array, b: Array) -> Array:
        """``a`` where ``cond`` is true, else ``b`` (broadcast; a and b share a dtype)."""
        ...

    def clip(self, x: Array, lo: Array | float | None, hi: Array | float | None) -> Array:
        """``min(max(x, lo), hi)``; either bound may be None. ``lo > hi`` gives ``hi``."""
        ...

    # -- reductions -------------------------------------------------------------
    def sum(self, x: Array, axis: Axis, keepdims: bool, dt: dtype) -> Array:
        """Sum over ``axis`` (None: all), accumulated and returned in ``dt``."""
        ...

    def prod(self, x: Array, axis: Axis, keepdims: bool, dt: dtype) -> Array:
        """Product over ``axis``, accumulated and returned in ``dt``."""
        ...

    def mean(self, x: Array, axis: Axis, keepdims: bool) -> Array:
        """Mean over ``axis`` of a floating or complex array, in its dtype."""
        ...

    def max(self, x: Array, axis: Axis, keepdims: bool) -> Array:
        """Maximum over ``axis``; NaN propagates. Core never passes an empty reduction."""
        ...

    def min(self, x: Array, axis: Axis, keepdims: bool) -> Array:
        """Minimum over ``axis``; NaN propagates."""
        ...

    def argmax(self, x: Array, axis: int | None, keepdims: bool) -> Array:
        """int64 index of the first maximum along ``axis`` (None: of the flattened array); NaN counts as maximal."""
        ...

    def argmin(self, x: Array, axis: int | None, keepdims: bool) -> Array:
        """int64 index of the first minimum; NaN counts as minimal."""
        ...

    def all(self, x: Array, axis: Axis, keepdims: bool) -> Array:
        """Logical AND over ``axis`` (bool result)."""
        ...

    def any(self, x: Array, axis: Axis, keepdims: bool) -> Array:
        """Logical OR over ``axis`` (bool result)."""
        ...

    # -- scans and sorting ------------------------------------------------------------
    def cumulative_sum(self, x: Array, axis: int, dt: dtype) -> Array:
        """Inclusive running sum along ``axis``, accumulated and returned in ``dt``."""
        ...

    def cumulative_prod(self, x: Array, axis: int, dt: dtype) -> Array:
        """Inclusive running product along ``axis``, accumulated and returned in ``dt``."""
        ...

    def sort(self, x: Array, axis: int, descending: bool, stable: bool) -> Array:
        """Values sorted along ``axis``; NaN sorts as the largest value (last ascending, first descending)."""
        ...

    def argsort(self, x: Array, axis: int, descending: bool, stable: bool) -> Array:
        """int64 indices that sort ``x`` along ``axis`` (same NaN rule as :meth:`sort`). With ``stable``,
        equal elements keep their order, in both directions."""
        ...

    def searchsorted(self, sorted_seq: Array, values: Array, side: str) -> Array:
        """int64 insertion points of ``values`` (any shape) into the 1-D ascending ``sorted_seq``;
        ``side`` is ``"left"`` (first suitable index) or ``"right"`` (last)."""
        ...

    def unique(self, x: Array) -> tuple[Array, Array, Array]:
        """``(values, inverse, counts)`` of the flattened ``x``: sorted distinct values, the int64 index
        into ``values`` of every element (flattened shape), and the int64 count of each value."""
        ...

    # -- linear algebra -----------------------------------------------------------
    # Float and complex square matrices with any leading batch dimensions; core checks shapes
    # and dtypes. For singular (inv, solve) or non-positive-definite (cholesky) input a kernel
    # raises ValueError (numpy.linalg.LinAlgError is one) or returns non-finite values; core
    # reports either as ember.linalg.LinAlgError.
    def matmul(self, a: Array, b: Array) -> Array:
        """Matrix product with NumPy/array-API broadcasting of batch dimensions (same dtype)."""
        ...

    def linalg_inv(self, x: Array) -> Array:
        """Inverse of each ``(..., n, n)`` matrix."""
        ...

    def linalg_det(self, x: Array) -> Array:
        """Determinant of each ``(..., n, n)`` matrix (shape ``(...)``)."""
        ...

    def linalg_solve(self, a: Array, b: Array) -> Array:
        """``X`` with ``a @ X == b`` for ``a (..., n, n)`` and ``b (..., n, k)`` (batch dims broadcast)."""
        ...

    def linalg_svd(self, x: Array, full_matrices: bool) -> tuple[Array, Array, Array]:
        """``(U, S, Vh)`` of each ``(..., m, n)`` matrix; ``S`` is real, descending."""
        ...

    def linalg_qr(self, x: Array, mode: str) -> tuple[Array, Array]:
        """``(Q, R)`` of each ``(..., m, n)`` matrix; ``mode`` is ``"reduced"`` or ``"complete"``."""
        ...

    def linalg_cholesky(self, x: Array, upper: bool) -> Array:
        """Lower (or, with ``upper``, upper) Cholesky factor of each Hermitian positive-definite matrix."""
        ...

    def linalg_eigh(self, x: Array, uplo: str) -> tuple[Array, Array]:
        """``(eigenvalues, eigenvectors)`` of each Hermitian matrix, using the ``uplo`` (``"L"``/``"U"``)
        triangle; eigenvalues are real and ascending, eigenvectors are the columns."""
        ...

    # -- shape and views ------------------------------------------------------------
    def reshape(self, x: Array, shape: Shape, copy: bool | None) -> Array:
        """``x`` in a new shape; ``copy=False`` must return a view or raise ``ValueError``."""
        ...

    def permute_dims(self, x: Array, axes: Shape) -> Array:
        """Axes reordered (a view on strided backends)."""
        ...

    def broadcast_to(self, x: Array, shape: Shape) -> Array:
        """``x`` broadcast to ``shape`` (a view). Writable if the backend can (core refuses writes
        where two elements share memory, as PyTorch does, but allows ``fill_`` and distinct slices);
        a read-only view is acceptable and makes such writes raise a clear error."""
        ...

    def as_strided(self, x: Array, shape: Shape, strides: Shape, offset: int) -> Array:
        """A view of ``x``'s storage with the given shape, element strides and offset
        relative to ``x``'s first element (strided backends only)."""
        ...

    def concat(self, arrays: Sequence[Array], axis: int) -> Array:
        """Join same-dtype arrays along an existing axis."""
        ...

    def stack(self, arrays: Sequence[Array], axis: int) -> Array:
        """Join same-shape, same-dtype arrays along a new axis."""
        ...

    # -- indexing ------------------------------------------------------------------------
    def getitem(self, x: Array, key: tuple[Any, ...]) -> Array:
        """NumPy-style indexing with ints, slices (positive steps), None, and native int64 or
        bool index arrays, already bounds-checked by core; core expands Ellipsis, so keys never
        hold one. Keys of ints, slices and None give views (0-d arrays, not scalars, for all-int keys)."""
        ...

    def setitem(self, x: Array, key: tuple[Any, ...], value: Array | bool | int | float | complex) -> None:
        """In-place ``x[key] = value``; ``value`` already has ``x``'s dtype and broadcasts."""
        ...

    def nonzero(self, x: Array) -> tuple[Array, ...]:
        """int64 index arrays, one per dimension, of the non-zero elements in C order."""
        ...

    def take(self, x: Array, indices: Array, axis: int) -> Array:
        """Elements of ``x`` at int64 ``indices`` (bounds-checked by core) along ``axis``."""
        ...

    def take_along_axis(self, x: Array, indices: Array, axis: int) -> Array:
        """``out[..., i, ...] = x[..., indices[..., i, ...], ...]`` along ``axis``; ``indices`` is int64,
        bounds-checked, and has ``x``'s number of dimensions and (except along ``axis``) its shape."""
        ...

    def scatter_add(self, x: Array, axis: int, indices: Array, src: Array) -> None:
        """In place, ``x[..., indices[i], ...] += src[..., i, ...]`` along ``axis``,
        accumulating repeated indices (``indices`` has ``src``'s shape)."""
        ...

    def scatter_reduce(self, x: Array, axis: int, indices: Array, src: Array, reduce: str) -> None:
        """Like :meth:`scatter_add` with ``reduce`` in ``"sum"``, ``"prod"``, ``"amax"``, ``"amin"``:
        in place, ``x[..., indices[i], ...] = reduce(x[..., indices[i], ...], src[..., i, ...])``,
        combining every element that hits one position (NaN propagates through amax/amin)."""
        ...

    # -- random numbers -----------------------------------------------------------------------
    def new_generator(self, seed: int, index: int | None) -> Any:
        """A native random generator seeded with ``seed`` (a 64-bit unsigned int)."""
        ...

    def uniform(self, gen: Any, shape: Shape, dt: dtype, index: int | None) -> Array:
        """Uniform samples in ``[0, 1)`` of a floating dtype."""
        ...

    def normal(self, gen: Any, shape: Shape, dt: dtype, index: int | None) -> Array:
        """Standard normal samples of a floating dtype."""
        ...

    def integers(self, gen: Any, low: int, high: int, shape: Shape, dt: dtype, index: int | None) -> Array:
        """Uniform integers in ``[low, high)`` of dtype ``dt``."""
        ...


#: Every kernel name a backend must provide (checked at registration).
REQUIRED_KERNELS: tuple[str, ...] = (
    *(
        name for name, value in vars(Backend).items()
        if callable(value) and not name.startswith("_")
    ),
    *UNARY_KERNELS,
    *BINARY_KERNELS,
)
