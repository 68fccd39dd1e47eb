"""Pooling: max, average, adaptive average and adaptive max, in 1, 2 and 3 dims.

Signatures, defaults, result dtypes and errors follow ``torch.nn.functional``
(``stride=None`` means ``kernel_size``; ``(C, *spatial)`` input is unbatched).
Each op checks its arguments, then calls one N-d optional-tier kernel of
:mod:`ember.backends.reference.pool`. The ``*_backward`` functions at the end
(not re-exported by ``import ember``) compute input gradients for the autograd
package's rules, from the forward's arguments and, for max pooling, its indices.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._special_cases import no_kernel, tname
from ember._tensor_base import TensorBase, like
from ember.backends._optional import kernel
from ember.backends.reference.pool import pool_output_size

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = [  # what `import ember` re-exports
    "max_pool1d", "max_pool2d", "max_pool3d",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices",
]

Ints = tuple[int, ...]
_WORDS = {1: "one", 2: "two", 3: "three"}
_AXES = {1: ("",), 2: ("H", "W"), 3: ("T", "H", "W")}


# -- argument checks ------------------------------------------------------------------------------

def _tensor(input: Any, op: str) -> TensorBase:
    if not isinstance(input, TensorBase):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input


def _ints(value: Any, n: int, name: str, op: str, omittable: bool = False) -> Ints:
    """An int or a sequence of 1 or ``n`` ints, as a tuple of ``n`` ints (PyTorch's ``_pair``)."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    for v in items:
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not {type(v).__name__}")
    if len(items) not in (1, n):
        either = "either be omitted, a single int," if omittable else "either be a single int,"
        raise RuntimeError(f"{op}(): {name} must {either} or a tuple of {_WORDS[n]} ints, got {list(items)}")
    ints = tuple(operator.index(v) for v in items)
    return ints * n if len(ints) == 1 else ints


def _named(values: Ints, label: str) -> str:
    """``kH: 0 kW: 0`` in PyTorch's wording of pooling argument errors."""
    axes = _AXES[len(values)]
    return " ".join(f"{label}{a}: {v}" for a, v in zip(axes, values, strict=True)) if axes[0] else f"{label}: {values[0]}"


def _non_batch(shape: Ints, n: int) -> int:
    """The first non-batch dim: ``(N, C, *spatial)`` has one batch dim, ``(C, *spatial)`` none."""
    return 1 if len(shape) == n + 2 else 0


def _check_input(x: TensorBase, n: int, op: str) -> None:
    """``n + 1`` or ``n + 2`` dims; every dim but the batch dim non-empty."""
    shape = tuple(x._data.shape)
    if len(shape) not in (n + 1, n + 2) or 0 in shape[_non_batch(shape, n):]:
        raise RuntimeError(
            f"{op}(): Expected {n + 1}D or {n + 2}D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got: {list(shape)}"
        )


def _window_args(
    x: TensorBase, n: int, op: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
) -> tuple[Ints, Ints, Ints, Ints]:
    """Checked ``(kernel, stride, padding, dilation)``, in PyTorch's order of checks."""
    kernel = _ints(kernel_size, n, "kernel_size", op)
    strides = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) else _ints(
        stride, n, "stride", op, omittable=True
    )
    pads = _ints(padding, n, "padding", op)
    dils = _ints(dilation, n, "dilation", op)
    if 0 in strides:
        raise RuntimeError(f"{op}(): stride should not be zero")
    for k, p, d in zip(kernel, pads, dils, strict=True):
        if p < 0:
            raise RuntimeError(f"{op}(): pad must be non-negative, but got pad: {p}")
        if p > ((k - 1) * d + 1) // 2:
            raise RuntimeError(
                f"{op}(): pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    if min(kernel) <= 0:
        raise RuntimeError(f"{op}(): kernel size should be greater than zero, but got {_named(kernel, 'k')}")
    if min(strides) <= 0:
        raise RuntimeError(f"{op}(): stride should be greater than zero, but got {_named(strides, 'd')}")
    if min(dils) <= 0:
        raise RuntimeError(f"{op}(): dilation should be greater than zero, but got {_named(dils, 'dilation')}")
    _check_input(x, n, op)
    shape = tuple(x._data.shape)
    size = shape[len(shape) - n:]
    out = tuple(
        pool_output_size(s, k, st, p, d, ceil_mode) for s, k, st, p, d in zip(size, kernel, strides, pads, dils, strict=True)
    )
    if min(out) < 1:
        planes = shape[len(shape) - n - 1]
        raise RuntimeError(
            f"{op}(): Given input size: ({'x'.join(map(str, (planes, *size)))}). "
            f"Calculated output size: ({'x'.join(map(str, (planes, *out)))}). Output size is too small"
        )
    return kernel, strides, pads, dils


def _check_dtype(x: TensorBase, op: str, *, ints: bool, int64_only: bool = False) -> None:
    dt = x._dtype
    if dt.is_floating_point:
        return
    if ints and dt.category == D.INTEGRAL and (dt is D.int64 or not int64_only):
        return
    raise no_kernel(op, dt)


def _output_size(x: TensorBase, n: int, output_size: Any, op: str) -> Ints:
    """Adaptive pools: ``output_size`` (an int or ``n`` ints or Nones) checked against ``x``."""
    shape = tuple(x._data.shape)
    if len(shape) not in (n + 1, n + 2):
        raise RuntimeError(f"{op}(): Expected {n + 1}D or {n + 2}D tensor, but got {list(shape)}")
    items = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * n
    if len(items) != n:
        raise RuntimeError(f"{op}(): output_size must be {n} ints (or None), got {list(items)}")
    size = shape[len(shape) - n:]
    out = []
    for v, s in zip(items, size, strict=True):
        if v is None:
            out.append(s)
        elif isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError(f"{op}(): argument 'output_size' must be tuple of ints, not {type(v).__name__}")
        else:
            out.append(operator.index(v))
    if min(out) < 0:
        raise RuntimeError(
            f"{op}(): elements of output_size must be greater than or equal to 0 but received {tuple(out)}"
        )
    for d in range(len(shape) - n, len(shape)):
        if shape[d] == 0:
            raise RuntimeError(
                f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes "
                f"{list(shape)} with dimension {d} being empty"
            )
    return tuple(out)


# -- max pooling ----------------------------------------------------------------------------------

def _needs_grad(input: Any) -> bool:
    """Whether autograd may record an op on ``input`` (then max pooling keeps its indices)."""
    return isinstance(input, TensorBase) and (input._requires_grad or input._grad_fn is not None)


def _max_pool(
    n: int, input: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool, op: str,
    with_indices: bool = True,
) -> Any:
    x = _tensor(input, op)
    _check_dtype(x, op, ints=True)
    window = _window_args(x, n, op, kernel_size, stride, padding, dilation, ceil_mode)
    values, indices = kernel(x._backend, "max_pool")(x._data, *window, bool(ceil_mode), with_indices)
    if not with_indices:
        return like(x, values)
    return like(x, values), like(x, indices, D.int64)


def max_pool1d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> Any:
    """1-d max pooling over ``(N, C, L)`` or ``(C, L)``; with ``return_indices``, ``(values, indices)``.

    >>> ember.max_pool1d(ember.tensor([[1., 3., 2., 5.]]), 2)
    tensor([[3., 5.]])
    """
    if return_indices or _needs_grad(input):  # autograd's rule reads the indices: one forward only
        out = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
        return out if return_indices else out[0]
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool1d", False)


def max_pool2d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> Any:
    """2-d max pooling over ``(N, C, H, W)`` or ``(C, H, W)``; padding is -inf (never chosen).

    Indices are flat positions ``h * W + w`` within each input plane, as in PyTorch.

    >>> ember.max_pool2d(ember.arange(16.).view(1, 4, 4), 2)
    tensor([[[ 5.,  7.],
             [13., 15.]]])
    """
    if return_indices or _needs_grad(input):  # autograd's rule reads the indices: one forward only
        out = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
        return out if return_indices else out[0]
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d", False)


def max_pool3d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> Any:
    """3-d max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""
    if return_indices or _needs_grad(input):  # autograd's rule reads the indices: one forward only
        out = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
        return out if return_indices else out[0]
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d", False)


def max_pool1d_with_indices(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """:func:`max_pool1d` that always returns ``(values, indices)``."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool1d")


def max_pool2d_with_indices(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """:func:`max_pool2d` that always returns ``(values, indices)``."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")


def max_pool3d_with_indices(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """:func:`max_pool3d` that always returns ``(values, indices)``."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d")


# -- average pooling ------------------------------------------------------------------------------

def _avg_pool(
    n: int, input: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
    count_include_pad: bool, divisor_override: Any, op: str,
) -> Tensor:
    x = _tensor(input, op)
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not hasattr(divisor_override, "__index__"):
            raise TypeError(
                f"{op}(): argument 'divisor_override' must be int, not {type(divisor_override).__name__}"
            )
        divisor_override = operator.index(divisor_override)
        if divisor_override == 0:
            raise RuntimeError(f"{op}(): divisor must be not zero")
    window = _window_args(x, n, op, kernel_size, stride, padding, 1, ceil_mode)
    _check_dtype(x, op, ints=True, int64_only=True)
    kernel_size, strides, pads, _ = window
    out = kernel(x._backend, "avg_pool")(
        x._data, kernel_size, strides, pads, bool(ceil_mode), bool(count_include_pad), divisor_override
    )
    return like(x, out)


def avg_pool1d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """1-d average pooling over ``(N, C, L)`` or ``(C, L)`` (zero padding).

    >>> ember.avg_pool1d(ember.tensor([[1., 3., 2., 6.]]), 2)
    tensor([[2., 4.]])
    """
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, "avg_pool1d")


def avg_pool2d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True, divisor_override: int | None = None,
) -> Tensor:
    """2-d average pooling over ``(N, C, H, W)`` or ``(C, H, W)``.

    Each window's sum is divided by ``divisor_override``, else by the window's size
    (padding included, ceil_mode's overhang not) or, without ``count_include_pad``,
    by its number of input elements. int64 input gives int64 (truncated) averages.
    """
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, "avg_pool2d")


def avg_pool3d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True, divisor_override: int | None = None,
) -> Tensor:
    """3-d average pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, "avg_pool3d")


# -- adaptive pooling -----------------------------------------------------------------------------

def _adaptive_avg(n: int, input: Any, output_size: Any, op: str) -> Tensor:
    x = _tensor(input, op)
    out = _output_size(x, n, output_size, op)
    dt = x._dtype
    if dt.category == D.COMPLEX:
        raise no_kernel(op, dt)
    if not dt.is_floating_point:
        raise RuntimeError(
            f"{op}(): could not infer output dtype. Input dtype must be either a floating point or complex "
            f"dtype. Got: {tname(dt)}"
        )
    return like(x, kernel(x._backend, "adaptive_avg_pool")(x._data, out))


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average over ``output_size`` adaptive windows of ``(N, C, L)`` or ``(C, L)``.

    Output ``i`` averages positions ``floor(i*L/out) <= j < ceil((i+1)*L/out)``.

    >>> ember.adaptive_avg_pool1d(ember.tensor([[1., 2., 3., 4., 5.]]), 2)
    tensor([[2.0000, 4.0000]])
    """
    return _adaptive_avg(1, input, output_size, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """2-d adaptive average pooling; ``output_size`` is an int or ``(H, W)`` (None keeps a dim's size)."""
    return _adaptive_avg(2, input, output_size, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """3-d adaptive average pooling; ``output_size`` is an int or ``(D, H, W)`` (None keeps a dim's size)."""
    return _adaptive_avg(3, input, output_size, "adaptive_avg_pool3d")


def _adaptive_max(n: int, input: Any, output_size: Any, op: str) -> tuple[Tensor, Tensor]:
    x = _tensor(input, op)
    out = _output_size(x, n, output_size, op)
    _check_dtype(x, op, ints=False)
    values, indices = kernel(x._backend, "adaptive_max_pool")(x._data, out)
    return like(x, values), like(x, indices, D.int64)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Maximum over ``output_size`` adaptive windows of ``(N, C, L)`` or ``(C, L)``.

    >>> ember.adaptive_max_pool1d(ember.tensor([[1., 3., 2., 5., 4.]]), 2)
    tensor([[3., 5.]])
    """
    out = adaptive_max_pool1d_with_indices(input, output_size)  # recorded with its indices
    return out if return_indices else out[0]


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """2-d adaptive max pooling; with ``return_indices``, ``(values, indices)`` (flat ``h * W + w``)."""
    out = adaptive_max_pool2d_with_indices(input, output_size)  # recorded with its indices
    return out if return_indices else out[0]


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """3-d adaptive max pooling; with ``return_indices``, ``(values, indices)``."""
    out = adaptive_max_pool3d_with_indices(input, output_size)  # recorded with its indices
    return out if return_indices else out[0]


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any, return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """:func:`adaptive_max_pool1d` that always returns ``(values, indices)``."""
    return _adaptive_max(1, input, output_size, "adaptive_max_pool1d")


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any, return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """:func:`adaptive_max_pool2d` that always returns ``(values, indices)``."""
    return _adaptive_max(2, input, output_size, "adaptive_max_pool2d")


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any, return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """:func:`adaptive_max_pool3d` that always returns ``(values, indices)``."""
    return _adaptive_max(3, input, output_size, "adaptive_max_pool3d")


# -- gradients, for the autograd package (not re-exported) ----------------------------------------

def max_pool_backward(
    grad_output: Tensor, input: Tensor, indices: Tensor | None, kernel_size: Any, stride: Any = None,
    padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False, *, dims: int,
) -> Tensor:
    """Gradient of ``max_pool{dims}d(input, ...)`` with respect to ``input``.

    ``grad_output`` has the pooled shape; ``indices`` are the forward's (None: recomputed
    from ``input``). Where windows overlap, the gradients reaching one element are summed.
    """
    op = f"max_pool{dims}d_backward"
    window = _window_args(input, dims, op, kernel_size, stride, padding, dilation, ceil_mode)
    if indices is None:
        indices = _max_pool(dims, input, kernel_size, stride, padding, dilation, ceil_mode, op)[1]
    size = tuple(input._data.shape[input._data.ndim - dims:])
    kernel_, strides, pads, dils = window
    grad = kernel(input._backend, "max_pool_backward")(
        grad_output._data, indices._data, size, kernel_size=kernel_, stride=strides, padding=pads, dilation=dils,
    )
    return like(grad_output, grad)


def max_pool1d_backward(grad_output: Tensor, input: Tensor, indices: Tensor | None, *args: Any, **kwargs: Any) -> Tensor:
    """Gradient of :func:`max_pool1d` (arguments after ``indices`` as in the forward)."""
    return max_pool_backward(grad_output, input, indices, *args, dims=1, **kwargs)


def max_pool2d_backward(grad_output: Tensor, input: Tensor, indices: Tensor | None, *args: Any, **kwargs: Any) -> Tensor:
    """Gradient of :func:`max_pool2d` (arguments after ``indices`` as in the forward)."""
    return max_pool_backward(grad_output, input, indices, *args, dims=2, **kwargs)


def max_pool3d_backward(grad_output: Tensor, input: Tensor, indices: Tensor | None, *args: Any, **kwargs: Any) -> Tensor:
    """Gradient of :func:`max_pool3d` (arguments after ``indices`` as in the forward)."""
    return max_pool_backward(grad_output, input, indices, *args, dims=3, **kwargs)


def avg_pool_backward(
    grad_output: Tensor, input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
    ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None, *, dims: int,
) -> Tensor:
    """Gradient of ``avg_pool{dims}d(input, ...)`` with respect to ``input`` (floating input)."""
    op = f"avg_pool{dims}d_backward"
    kernel_, strides, pads, _ = _window_args(input, dims, op, kernel_size, stride, padding, 1, ceil_mode)
    size = tuple(input._data.shape[input._data.ndim - dims:])
    grad = kernel(input._backend, "avg_pool_backward")(
        grad_output._data, size, kernel_, strides, pads, bool(ceil_mode), bool(count_include_pad), divisor_override
    )
    return like(grad_output, grad)


def avg_pool1d_backward(grad_output: Tensor, input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Gradient of :func:`avg_pool1d` (arguments after ``input`` as in the forward)."""
    return avg_pool_backward(grad_output, input, *args, dims=1, **kwargs)


def avg_pool2d_backward(grad_output: Tensor, input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Gradient of :func:`avg_pool2d` (arguments after ``input`` as in the forward)."""
    return avg_pool_backward(grad_output, input, *args, dims=2, **kwargs)


def avg_pool3d_backward(grad_output: Tensor, input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Gradient of :func:`avg_pool3d` (arguments after ``input`` as in the forward)."""
    return avg_pool_backward(grad_output, input, *args, dims=3, **kwargs)


def adaptive_avg_pool_backward(grad_output: Tensor, input: Tensor, *, dims: int) -> Tensor:
    """Gradient of ``adaptive_avg_pool{dims}d(input, output_size)`` with respect to ``input``."""
    size = tuple(input._data.shape[input._data.ndim - dims:])
    return like(grad_output, kernel(input._backend, "adaptive_avg_pool_backward")(grad_output._data, size))


def adaptive_max_pool_backward(grad_output: Tensor, input: Tensor, indices: Tensor, *, dims: int) -> Tensor:
    """Gradient of ``adaptive_max_pool{dims}d(input, output_size)`` from the forward's indices."""
    size = tuple(input._data.shape[input._data.ndim - dims:])
    return like(grad_output, kernel(input._backend, "max_pool_backward")(grad_output._data, indices._data, size))


def adaptive_avg_pool1d_backward(grad_output: Tensor, input: Tensor) -> Tensor:
    """Gradient of :func:`adaptive_avg_pool1d`."""
    return adaptive_avg_pool_backward(grad_output, input, dims=1)


def adaptive_avg_pool2d_backward(grad_output: Tensor, input: Tensor) -> Tensor:
    """Gradient of :func:`adaptive_avg_pool2d`."""
    return adaptive_avg_pool_backward(grad_output, input, dims=2)


def adaptive_avg_pool3d_backward(grad_output: Tensor, input: Tensor) -> Tensor:
    """Gradient of :func:`adaptive_avg_pool3d`."""
    return adaptive_avg_pool_backward(grad_output, input, dims=3)


def adaptive_max_pool1d_backward(grad_output: Tensor, input: Tensor, indices: Tensor) -> Tensor:
    """Gradient of :func:`adaptive_max_pool1d` from its indices."""
    return adaptive_max_pool_backward(grad_output, input, indices, dims=1)


def adaptive_max_pool2d_backward(grad_output: Tensor, input: Tensor, indices: Tensor) -> Tensor:
    """Gradient of :func:`adaptive_max_pool2d` from its indices."""
    return adaptive_max_pool_backward(grad_output, input, indices, dims=2)


def adaptive_max_pool3d_backward(grad_output: Tensor, input: Tensor, indices: Tensor) -> Tensor:
    """Gradient of :func:`adaptive_max_pool3d` from its indices."""
    return adaptive_max_pool_backward(grad_output, input, indices, dims=3)


_dispatch_install(globals(), __all__)  # ember-autograd records these (see _dispatch)
