"""Convolutions: ``conv1d/2d/3d``, ``conv_transpose1d/2d/3d`` and their gradient helpers.

The public ops follow ``torch.nn.functional`` (and ``torch.conv2d``): the same
signatures, defaults, result dtypes and errors. Each checks its arguments and
calls one optional-tier kernel (:mod:`ember.backends.reference.conv`):

* ``conv`` for ``convNd``;
* ``conv_backward_input`` for ``conv_transposeNd`` (a transposed convolution *is*
  the input gradient of a convolution, with ``output_padding`` choosing the size);
* ``conv_backward_weight`` for the weight gradient.

The gradient helpers ``conv{1,2,3}d_input(input_size, weight, grad_output, ...)``
and ``conv{1,2,3}d_weight(input, weight_size, grad_output, ...)`` mirror
``torch.nn.grad``; they are module-level functions for the autograd package (and
``ember.nn.grad``), not part of ``ember.*``, as in torch. Unlike torch's they also
accept ``padding='same'``/``'valid'``, so a derivative rule can pass the forward
call's arguments through unchanged. Derivatives of a transposed convolution
``y = conv_transposeNd(x, w)``: ``dx = convNd(dy, w)`` and
``dw = convNd_weight(dy, w.shape, x)`` (same stride, padding, dilation, groups).

Kernels take symmetric padding; ``padding='same'`` with an even effective kernel
needs one more zero after than before. Core then pads both sides by the larger
amount and drops the first output position of that dim (the result is identical
to PyTorch's extra zero at the end), and the gradient helpers pad ``grad_output``
with one leading zero to match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._special_cases import no_kernel
from ember._tensor_base import TensorBase, device_error, like
from ember.backends._optional import kernel
from ember.backends.reference.conv import conv_output_shape, zeros

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = [  # what `import ember` re-exports (torch.conv2d, ... exist too)
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
]

#: The gradient helpers (``torch.nn.grad``'s names), exported from here only.
GRAD_HELPERS = ("conv1d_input", "conv2d_input", "conv3d_input", "conv1d_weight", "conv2d_weight", "conv3d_weight")

IntArg = int | Sequence[int]
PadArg = int | Sequence[int] | str
Ints = tuple[int, ...]

# c10's element type names in the bias dtype error ("Input type (float) and bias type (double) ...").
_C10 = {
    D.float32: "float", D.float64: "double", D.float16: "c10::Half", D.bfloat16: "c10::BFloat16",
    D.int64: "long int", D.int32: "int", D.int16: "short int", D.int8: "signed char", D.uint8: "unsigned char",
    D.complex64: "c10::complex<float>", D.complex128: "c10::complex<double>", D.bool_: "bool",
}
_LEGACY = {
    D.float32: "FloatTensor", D.float64: "DoubleTensor", D.float16: "HalfTensor", D.bfloat16: "BFloat16Tensor",
    D.int64: "LongTensor", D.int32: "IntTensor", D.int16: "ShortTensor", D.int8: "CharTensor",
    D.uint8: "ByteTensor", D.bool_: "BoolTensor", D.complex64: "ComplexFloatTensor",
    D.complex128: "ComplexDoubleTensor",
}
_AXES = {1: ("width",), 2: ("height", "width"), 3: ("depth", "height", "width")}


# -- argument checks ----------------------------------------------------------------------------------

def _shape(t: TensorBase) -> list[int]:
    return list(t._data.shape)


def _tensor(op: str, name: str, value: Any, optional: bool = False) -> None:
    if isinstance(value, TensorBase) or (optional and value is None):
        return
    raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(value).__name__}")


def _ints(op: str, name: str, value: Any, d: int) -> Ints:
    """``value`` (an int or a sequence of 1 or ``d`` ints) as ``d`` ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * d
    if not isinstance(value, (tuple, list)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        got = type(value).__name__ if not isinstance(value, (tuple, list)) else "a sequence holding non-ints"
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not {got}")
    if len(value) == 1:
        return (value[0],) * d
    if len(value) != d:
        raise RuntimeError(
            f"{op}(): expected {name} to be a single integer value or a list of {d} values to match the "
            f"convolution dimensions, but got {name}={list(value)}"
        )
    return tuple(value)


def _groups(op: str, groups: Any) -> int:
    if not isinstance(groups, int) or isinstance(groups, bool):
        raise TypeError(f"{op}(): argument 'groups' must be int, not {type(groups).__name__}")
    if groups <= 0:
        raise RuntimeError(f"{op}(): non-positive groups is not supported")
    return groups


def _params(op: str, d: int, stride: Any, dilation: Any, groups: Any) -> tuple[Ints, Ints, int]:
    st, dil, g = _ints(op, "stride", stride, d), _ints(op, "dilation", dilation, d), _groups(op, groups)
    if any(s <= 0 for s in st):
        raise RuntimeError(f"{op}(): non-positive stride is not supported")
    if any(v <= 0 for v in dil):
        raise RuntimeError(f"{op}(): non-positive dilation is not supported")
    return st, dil, g


def _padding(op: str, padding: Any, d: int) -> Ints:
    pad = _ints(op, "padding", padding, d)
    if any(p < 0 for p in pad):
        raise RuntimeError(f"{op}(): negative padding is not supported")
    return pad


def _same_padding(kernel: Ints, dilation: Ints) -> tuple[Ints, Ints]:
    """('same') the symmetric padding to use (the larger side) and which dims drop their first output."""
    totals = [dl * (k - 1) for k, dl in zip(kernel, dilation, strict=True)]
    return tuple(t - t // 2 for t in totals), tuple(t % 2 for t in totals)


def _resolve_padding(op: str, padding: Any, d: int, stride: Ints, kernel: Ints, dilation: Ints) -> tuple[Ints, Ints]:
    """``(symmetric padding, dims whose first output is dropped)`` for an int, tuple, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * d, (0,) * d
        if padding != "same":
            raise RuntimeError(f"{op}(): Invalid padding string: {padding!r}")
        if any(s != 1 for s in stride):
            raise RuntimeError(f"{op}(): padding='same' is not supported for strided convolutions")
        return _same_padding(kernel, dilation)
    return _padding(op, padding, d), (0,) * d


def _inputs(op: str, d: int, input: Any, weight: Any, bias: Any) -> bool:
    """Type, device, dimension and dtype checks shared by every op; returns whether input is batched."""
    _tensor(op, "input", input)
    _tensor(op, "weight", weight)
    _tensor(op, "bias", bias, optional=True)
    for other in (weight, bias):
        if other is not None and (other._device is not input._device or other._backend is not input._backend):
            raise device_error(op, input, other)
    ndim = input._data.ndim
    if ndim not in (d + 1, d + 2):
        raise RuntimeError(
            f"{op}(): Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {op}, "
            f"but got input of size: {_shape(input)}"
        )
    if weight._data.ndim != d + 2:
        raise RuntimeError(
            f"{op}(): Expected {weight._data.ndim}-dimensional input for {weight._data.ndim}-dimensional weight "
            f"{_shape(weight)}, but got {ndim}-dimensional input of size {_shape(input)} instead"
        )
    dt = input._dtype
    if weight._dtype is not dt:
        raise RuntimeError(
            f"{op}(): Input type (ember.{_LEGACY[dt]}) and weight type (ember.{_LEGACY[weight._dtype]}) "
            "should be the same"
        )
    if bias is not None and bias._dtype is not dt:
        raise RuntimeError(f"{op}(): Input type ({_C10[dt]}) and bias type ({_C10[bias._dtype]}) should be the same")
    if dt is D.bool_:
        raise no_kernel(op, dt)
    return ndim == d + 2


def _weight_groups(op: str, weight: TensorBase, groups: int) -> None:
    w0 = weight._data.shape[0]
    if w0 < groups or w0 == 0:
        raise RuntimeError(
            f"{op}(): Given groups={groups}, expected weight to be at least {groups} at dimension 0, "
            f"but got weight of size {_shape(weight)} instead"
        )
    if w0 % groups:
        raise RuntimeError(
            f"{op}(): Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{_shape(weight)}] instead"
        )


def _bias(op: str, bias: TensorBase | None, weight: TensorBase, cout: int, transposed: bool) -> None:
    if bias is not None and tuple(bias._data.shape) != (cout,):
        given = "Given transposed=1, weight" if transposed else "Given weight"
        raise RuntimeError(
            f"{op}(): {given} of size {_shape(weight)}, expected bias to be 1-dimensional with {cout} elements, "
            f"but got bias of size {_shape(bias)} instead"
        )


def _spatial(op: str, xshape: Ints, padded: Sequence[int], kernel: Sequence[int]) -> None:
    if any(p < k for p, k in zip(padded, kernel, strict=True)):
        raise RuntimeError(
            f"{op}(): Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater than actual input size"
        )
    if any(n == 0 for n in xshape[2:]):
        raise RuntimeError(
            f"{op}(): Only zero batch or zero channel inputs are supported, but got input shape: {list(xshape)}"
        )


def _batched(t: TensorBase, batched: bool) -> Any:
    """``t``'s native array with a batch dim (unbatched inputs get one of size 1)."""
    data = t._data
    return data if batched else t._backend.reshape(data, (1, *data.shape), None)


def _finish(t: TensorBase, out: Any, batched: bool) -> Tensor:
    return like(t, out if batched else t._backend.reshape(out, tuple(out.shape[1:]), None))


def _drop_first(bk: Any, out: Any, drop: Ints) -> Any:
    """``out`` without the first position of each spatial dim flagged in ``drop`` ('same', even kernels)."""
    if not any(drop):
        return out
    key = (slice(None), slice(None), *(slice(1, None) if f else slice(None) for f in drop))
    return bk.copy(bk.getitem(out, key))


def _lead_zero(bk: Any, grad: Any, drop: Ints) -> Any:
    """Inverse of :func:`_drop_first` for gradients: one leading zero on each flagged dim."""
    if not any(drop):
        return grad
    shape = (*grad.shape[:2], *(n + f for n, f in zip(grad.shape[2:], drop, strict=True)))
    out = zeros(bk, grad, shape)
    bk.setitem(out, (slice(None), slice(None), *(slice(f, None) for f in drop)), grad)
    return out



# -- convolution ---------------------------------------------------------------------------------------

def _conv(
    op: str, d: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any, groups: Any,
) -> Tensor:
    batched = _inputs(op, d, input, weight, bias)
    st, dil, g = _params(op, d, stride, dilation, groups)
    ksize = tuple(weight._data.shape[2:])
    pad, drop = _resolve_padding(op, padding, d, st, ksize, dil)
    _weight_groups(op, weight, g)
    xshape = tuple(input._data.shape) if batched else (1, *input._data.shape)
    wshape = _shape(weight)
    if xshape[1] != wshape[1] * g:
        raise RuntimeError(
            f"{op}(): Given groups={g}, weight of size {wshape}, expected input{list(xshape)} to have "
            f"{wshape[1] * g} channels, but got {xshape[1]} channels instead"
        )
    _bias(op, bias, weight, wshape[0], False)
    padded = [n + 2 * p - f for n, p, f in zip(xshape[2:], pad, drop, strict=True)]
    _spatial(op, xshape, padded, [dl * (k - 1) + 1 for k, dl in zip(ksize, dil, strict=True)])
    bk = input._backend
    out = kernel(bk, "conv")(
        _batched(input, batched), weight._data, None if bias is None else bias._data, st, pad, dil, g,
    )
    return _finish(input, _drop_first(bk, out, drop), batched)


def conv1d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntArg = 1, padding: PadArg = 0,
    dilation: IntArg = 1, groups: int = 1,
) -> Tensor:
    """1-D convolution (cross-correlation) over ``(N, C, L)`` or unbatched ``(C, L)`` input.

    Args:
        input: ``(N, C, L)`` or ``(C, L)``.
        weight: ``(Cout, C // groups, k)``.
        bias: ``(Cout,)`` or None.
        stride, dilation: an int or a 1-tuple.
        padding: an int, a 1-tuple, ``'valid'`` (none) or ``'same'`` (output as long as input; stride 1).
        groups: split channels into this many independent groups.

    >>> ember.conv1d(ember.ones(1, 1, 5), ember.ones(1, 1, 3)).tolist()
    [[[3.0, 3.0, 3.0]]]
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntArg = 1, padding: PadArg = 0,
    dilation: IntArg = 1, groups: int = 1,
) -> Tensor:
    """2-D convolution over ``(N, C, H, W)`` or unbatched ``(C, H, W)`` input; see :func:`conv1d`.

    >>> ember.conv2d(ember.ones(1, 1, 4, 4), ember.ones(2, 1, 3, 3), padding=1).shape
    ember.Size([1, 2, 4, 4])
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntArg = 1, padding: PadArg = 0,
    dilation: IntArg = 1, groups: int = 1,
) -> Tensor:
    """3-D convolution over ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)`` input; see :func:`conv1d`.

    >>> ember.conv3d(ember.ones(1, 1, 3, 3, 3), ember.ones(1, 1, 3, 3, 3)).shape
    ember.Size([1, 1, 1, 1, 1])
    """
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


# -- transposed convolution -------------------------------------------------------------------------------

def _conv_transpose(
    op: str, d: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any, output_padding: Any,
    groups: Any, dilation: Any,
) -> Tensor:
    batched = _inputs(op, d, input, weight, bias)
    st, dil, g = _params(op, d, stride, dilation, groups)
    if isinstance(padding, str):
        raise TypeError(f"{op}(): argument 'padding' must be tuple of ints, not str")
    pad = _padding(op, padding, d)
    opad = _ints(op, "output_padding", output_padding, d)
    if any(p < 0 for p in opad):
        raise RuntimeError(f"{op}(): negative output_padding is not supported")
    if any(p >= s and p >= dl for p, s, dl in zip(opad, st, dil, strict=True)):
        # torch runs 1-d convolutions as 2-d ones with a unit height, and says so.
        names = _AXES[max(d, 2)]
        rows = ((0,) if d == 1 else (), (1,) if d == 1 else (), (1,) if d == 1 else ())
        parts = [
            f"{label}_{axis}: {v}"
            for label, extra, values in zip(("output_padding", "stride", "dilation"), rows, (opad, st, dil), strict=True)
            for axis, v in zip(names, (*extra, *values), strict=True)
        ]
        raise RuntimeError(f"{op}(): output padding must be smaller than either stride or dilation, but got {' '.join(parts)}")
    _weight_groups(op, weight, g)
    xshape = tuple(input._data.shape) if batched else (1, *input._data.shape)
    wshape = _shape(weight)
    if xshape[1] != wshape[0]:
        raise RuntimeError(
            f"{op}(): Given transposed=1, weight of size {wshape}, expected input{list(xshape)} to have "
            f"{wshape[0]} channels, but got {xshape[1]} channels instead"
        )
    cout = wshape[1] * g
    _bias(op, bias, weight, cout, True)
    ksize = wshape[2:]
    size = [
        (n - 1) * s - 2 * p + dl * (k - 1) + o + 1
        for n, s, p, dl, k, o in zip(xshape[2:], st, pad, dil, ksize, opad, strict=True)
    ]
    if any(n == 0 for n in xshape[2:]):
        raise RuntimeError(
            f"{op}(): Only zero batch or zero channel inputs are supported, but got input shape: {list(xshape)}"
        )
    if any(n < 0 for n in size):
        raise RuntimeError(
            f"{op}(): Given input size per channel: ({' x '.join(map(str, xshape[2:]))}). Calculated output size "
            f"per channel: ({' x '.join(map(str, size))}). Output size is too small"
        )
    bk = input._backend
    out = kernel(bk, "conv_backward_input")(_batched(input, batched), weight._data, (xshape[0], cout, *size), st, pad, dil, g)
    if bias is not None:
        out = bk.add(out, bk.reshape(bias._data, (1, cout) + (1,) * d, None))
    return _finish(input, out, batched)


def conv_transpose1d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntArg = 1, padding: IntArg = 0,
    output_padding: IntArg = 0, groups: int = 1, dilation: IntArg = 1,
) -> Tensor:
    """1-D transposed convolution ("deconvolution") over ``(N, Cin, L)`` or ``(Cin, L)`` input.

    The gradient of :func:`conv1d` with respect to its input, as an op: the output length is
    ``(L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1``.

    Args:
        weight: ``(Cin, Cout // groups, k)`` (input channels first, unlike :func:`conv1d`).
        bias: ``(Cout,)`` or None.
        output_padding: extra positions at the end of each dim (smaller than stride or dilation).

    >>> ember.conv_transpose1d(ember.ones(1, 1, 3), ember.ones(1, 1, 2), stride=2).tolist()
    [[[1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]]
    """
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntArg = 1, padding: IntArg = 0,
    output_padding: IntArg = 0, groups: int = 1, dilation: IntArg = 1,
) -> Tensor:
    """2-D transposed convolution over ``(N, Cin, H, W)`` or ``(Cin, H, W)``; see :func:`conv_transpose1d`.

    >>> ember.conv_transpose2d(ember.ones(1, 4, 8, 8), ember.ones(4, 3, 3, 3), stride=2, output_padding=1).shape
    ember.Size([1, 3, 18, 18])
    """
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntArg = 1, padding: IntArg = 0,
    output_padding: IntArg = 0, groups: int = 1, dilation: IntArg = 1,
) -> Tensor:
    """3-D transposed convolution over ``(N, Cin, D, H, W)`` or ``(Cin, D, H, W)``; see :func:`conv_transpose1d`.

    >>> ember.conv_transpose3d(ember.ones(1, 2, 2, 2, 2), ember.ones(2, 1, 2, 2, 2)).shape
    ember.Size([1, 1, 3, 3, 3])
    """
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups, dilation)


# -- gradient helpers (torch.nn.grad) -------------------------------------------------------------------------

def _grad_checks(
    op: str, d: int, x_shape: Ints, w_shape: Ints, grad_output: TensorBase, stride: Any, padding: Any,
    dilation: Any, groups: Any,
) -> tuple[Ints, Ints, Ints, Ints, int]:
    """Validate a gradient helper's sizes; returns ``(stride, padding, dropped dims, dilation, groups)``."""
    st, dil, g = _params(op, d, stride, dilation, groups)
    if len(x_shape) != d + 2 or len(w_shape) != d + 2 or grad_output._data.ndim != d + 2:
        raise RuntimeError(
            f"{op}(): expected {d + 2}-dimensional input size, weight size and grad_output, but got input of size "
            f"{list(x_shape)}, weight of size {list(w_shape)} and grad_output of size {_shape(grad_output)}"
        )
    pad, drop = _resolve_padding(op, padding, d, st, w_shape[2:], dil)
    if w_shape[0] == 0 or w_shape[0] % g or x_shape[1] != w_shape[1] * g:
        raise RuntimeError(
            f"{op}(): weight of size {list(w_shape)} does not fit input of size {list(x_shape)} with groups={g}"
        )
    # The output of the forward call (with 'same', the dropped first positions are not counted).
    out = tuple(o - f for o, f in zip(conv_output_shape(x_shape[2:], w_shape[2:], st, pad, dil), drop, strict=True))
    expected = [x_shape[0], w_shape[0], *out]
    if any(o <= 0 for o in out) or _shape(grad_output) != expected:
        raise RuntimeError(
            f"{op}(): expected grad_output of size {expected} for input of size {list(x_shape)} and weight of "
            f"size {list(w_shape)}, but got grad_output of size {_shape(grad_output)}"
        )
    return st, pad, drop, dil, g


def _size(op: str, name: str, value: Any) -> Ints:
    if not isinstance(value, (tuple, list)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise TypeError(f"{op}(): argument '{name}' must be a sequence of ints, not {type(value).__name__}")
    if any(v < 0 for v in value):
        raise RuntimeError(f"{op}(): {name} must not hold negative sizes, got {list(value)}")
    return tuple(value)


def _grad_operands(op: str, name: str, t: Any, grad_output: Any) -> None:
    """A gradient helper's tensor ``name`` and ``grad_output``: tensors on one device, one non-bool dtype."""
    _tensor(op, name, t)
    _tensor(op, "grad_output", grad_output)
    if t._device is not grad_output._device or t._backend is not grad_output._backend:
        raise device_error(op, grad_output, t)
    if t._dtype is not grad_output._dtype:
        raise RuntimeError(f"{op}(): expected scalar type {grad_output._dtype} but found {t._dtype}")
    if t._dtype is D.bool_:
        raise no_kernel(op, t._dtype)


def _conv_input(
    op: str, d: int, input_size: Any, weight: Any, grad_output: Any, stride: Any, padding: Any, dilation: Any,
    groups: Any,
) -> Tensor:
    _grad_operands(op, "weight", weight, grad_output)
    x_shape = _size(op, "input_size", input_size)
    st, pad, drop, dil, g = _grad_checks(op, d, x_shape, tuple(weight._data.shape), grad_output, stride, padding, dilation, groups)
    bk = grad_output._backend
    grad = _lead_zero(bk, grad_output._data, drop)
    return like(grad_output, kernel(bk, "conv_backward_input")(grad, weight._data, x_shape, st, pad, dil, g))


def _conv_weight(
    op: str, d: int, input: Any, weight_size: Any, grad_output: Any, stride: Any, padding: Any, dilation: Any,
    groups: Any,
) -> Tensor:
    _grad_operands(op, "input", input, grad_output)
    w_shape = _size(op, "weight_size", weight_size)
    st, pad, drop, dil, g = _grad_checks(op, d, tuple(input._data.shape), w_shape, grad_output, stride, padding, dilation, groups)
    bk = grad_output._backend
    grad = _lead_zero(bk, grad_output._data, drop)
    return like(grad_output, kernel(bk, "conv_backward_weight")(grad, input._data, w_shape, st, pad, dil, g))


def conv1d_input(
    input_size: Sequence[int], weight: Tensor, grad_output: Tensor, stride: IntArg = 1, padding: PadArg = 0,
    dilation: IntArg = 1, groups: int = 1,
) -> Tensor:
    """Gradient of :func:`conv1d` with respect to its input (``torch.nn.grad.conv1d_input``).

    Args:
        input_size: the input's shape ``(N, C, L)``; an ``L`` up to ``stride - 1`` beyond the
            smallest that gives ``grad_output``'s length is allowed (those positions get 0).
        weight: ``(Cout, C // groups, k)``.
        grad_output: ``(N, Cout, O)``, the gradient of the loss with respect to the output.
        stride, padding, dilation, groups: the forward call's (``padding`` may be ``'same'``).
    """
    return _conv_input("conv1d_input", 1, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv2d_input(
    input_size: Sequence[int], weight: Tensor, grad_output: Tensor, stride: IntArg = 1, padding: PadArg = 0,
    dilation: IntArg = 1, groups: int = 1,
) -> Tensor:
    """Gradient of :func:`conv2d` with respect to its input; see :func:`conv1d_input`."""
    return _conv_input("conv2d_input", 2, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv3d_input(
    input_size: Sequence[int], weight: Tensor, grad_output: Tensor, stride: IntArg = 1, padding: PadArg = 0,
    dilation: IntArg = 1, groups: int = 1,
) -> Tensor:
    """Gradient of :func:`conv3d` with respect to its input; see :func:`conv1d_input`."""
    return _conv_input("conv3d_input", 3, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv1d_weight(
    input: Tensor, weight_size: Sequence[int], grad_output: Tensor, stride: IntArg = 1, padding: PadArg = 0,
    dilation: IntArg = 1, groups: int = 1,
) -> Tensor:
    """Gradient of :func:`conv1d` with respect to its weight (``torch.nn.grad.conv1d_weight``).

    Args:
        input: the forward input ``(N, C, L)``.
        weight_size: the weight's shape ``(Cout, C // groups, k)``.
        grad_output: ``(N, Cout, O)``, the gradient of the loss with respect to the output.
        stride, padding, dilation, groups: the forward call's (``padding`` may be ``'same'``).
    """
    return _conv_weight("conv1d_weight", 1, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv2d_weight(
    input: Tensor, weight_size: Sequence[int], grad_output: Tensor, stride: IntArg = 1, padding: PadArg = 0,
    dilation: IntArg = 1, groups: int = 1,
) -> Tensor:
    """Gradient of :func:`conv2d` with respect to its weight; see :func:`conv1d_weight`."""
    return _conv_weight("conv2d_weight", 2, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv3d_weight(
    input: Tensor, weight_size: Sequence[int], grad_output: Tensor, stride: IntArg = 1, padding: PadArg = 0,
    dilation: IntArg = 1, groups: int = 1,
) -> Tensor:
    """Gradient of :func:`conv3d` with respect to its weight; see :func:`conv1d_weight`."""
    return _conv_weight("conv3d_weight", 3, input, weight_size, grad_output, stride, padding, dilation, groups)


_dispatch_install(globals(), __all__)  # ember-autograd records these (see _dispatch)
