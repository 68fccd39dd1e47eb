"""Normalization: ``layer_norm``, ``batch_norm``, ``group_norm``, ``instance_norm``, ``rms_norm``,
``normalize``, with ``torch.nn.functional``'s signatures and errors.

Each checks shapes and dtypes, then calls one optional-tier kernel
(:mod:`ember.backends.reference.norm`); ``instance_norm`` and ``normalize`` are
compositions. float16/bfloat16 input is normalized in float32 and cast back,
as PyTorch accumulates it.
"""

from __future__ import annotations

import math
import operator
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._nnops.activation import check_tensor
from ember._special_cases import no_kernel, tname
from ember._tensor_base import TensorBase, bump_version, check_same_device, like, norm_dim
from ember.backends._optional import kernel

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__ = ["layer_norm", "batch_norm", "group_norm", "instance_norm", "rms_norm", "normalize"]

_HALF = (D.float16, D.bfloat16)
# Machine epsilon per floating dtype (torch.finfo(dtype).eps): rms_norm's default eps.
_EPS = {D.float16: 2.0**-10, D.bfloat16: 2.0**-7, D.float32: 2.0**-23, D.float64: 2.0**-52}


def _shape_list(normalized_shape: Any, op: str) -> tuple[int, ...]:
    if isinstance(normalized_shape, int) and not isinstance(normalized_shape, bool):
        raise TypeError(f"{op}(): argument 'normalized_shape' (position 2) must be tuple of ints, not int")
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(
            f"{op}(): argument 'normalized_shape' (position 2) must be tuple of ints, "
            f"not {type(normalized_shape).__name__}"
        )
    out = []
    for pos, s in enumerate(normalized_shape):
        if isinstance(s, bool) or not hasattr(s, "__index__"):
            raise TypeError(
                f"{op}(): argument 'normalized_shape' (position 2) must be tuple of ints, but found element "
                f"of type {type(s).__name__} at pos {pos}"
            )
        out.append(operator.index(s))
    return tuple(out)


def _params(input: TensorBase, op: str, **params: Any) -> None:
    """Parameters must be tensors on input's device, of its dtype (float32 allowed for half input)."""
    for name, p in params.items():
        if p is None:
            continue
        check_tensor(p, op, name)
        check_same_device(op, (input, p))
        if p._dtype is not input._dtype and not (input._dtype in _HALF and p._dtype is D.float32):
            raise RuntimeError(
                f"{op}(): mixed dtype (CPU): expect parameter to have scalar type of {tname(input._dtype)}, "
                f"but {name} is {tname(p._dtype)}"
            )


def _floating(input: TensorBase, op: str) -> None:
    if input._dtype.category != D.FLOATING:
        raise no_kernel(op, input._dtype)


def _data(t: TensorBase | None, compute: D.dtype) -> Any:
    """``t``'s array in the compute dtype (None stays None)."""
    if t is None:
        return None
    return t._data if t._dtype is compute else t._backend.astype(t._data, compute)


def _compute(input: TensorBase) -> D.dtype:
    return D.float32 if input._dtype in _HALF else input._dtype


def _finish(input: TensorBase, out: Any, compute: D.dtype) -> Tensor:
    if compute is not input._dtype:
        out = input._backend.astype(out, input._dtype)
    return like(input, out)


def _trailing_check(input: TensorBase, shape: tuple[int, ...], op: str, star: str) -> None:
    if not shape:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, "
            "but got normalized_shape = []"
        )
    in_shape = tuple(input._data.shape)
    if len(shape) > len(in_shape) or in_shape[len(in_shape) - len(shape):] != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [{star}{', '.join(map(str, shape))}], "
            f"but got input of size{list(in_shape)}"
        )


def _same_shape(p: TensorBase | None, shape: tuple[int, ...], name: str) -> None:
    if p is not None and tuple(p._data.shape) != shape:
        raise RuntimeError(
            f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
            f"{list(p._data.shape)} and normalized_shape = {list(shape)}"
        )


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalize over the trailing ``normalized_shape`` dims to zero mean and unit variance, then scale
    by ``weight`` and shift by ``bias`` (each of shape ``normalized_shape``, optional).

    >>> ember.layer_norm(ember.tensor([[1.0, 3.0]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    check_tensor(input, "layer_norm")
    shape = _shape_list(normalized_shape, "layer_norm")
    _params(input, "layer_norm", weight=weight, bias=bias)
    _same_shape(weight, shape, "weight")
    _same_shape(bias, shape, "bias")
    _trailing_check(input, shape, "layer_norm", "*, ")
    _floating(input, "layer_norm")
    c = _compute(input)
    out, _, _ = kernel(input._backend, "layer_norm")(_data(input, c), len(shape), _data(weight, c), _data(bias, c),
                                                     float(eps))
    return _finish(input, out, c)


def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """Divide by the root mean square over the trailing ``normalized_shape`` dims, then scale by ``weight``.
    ``eps`` defaults to the machine epsilon of ``input``'s dtype, as in PyTorch.

    >>> ember.rms_norm(ember.tensor([[3.0, 4.0]]), (2,), eps=0.0)
    tensor([[0.8485, 1.1314]])
    """
    check_tensor(input, "rms_norm")
    shape = _shape_list(normalized_shape, "rms_norm")
    if weight is not None:
        check_tensor(weight, "rms_norm", "weight")
        check_same_device("rms_norm", (input, weight))
    _same_shape(weight, shape, "weight")
    _trailing_check(input, shape, "rms_norm", "*")
    _floating(input, "rms_norm")
    if eps is None:
        eps = _EPS[input._dtype]
    c = _compute(input)
    out, _ = kernel(input._backend, "rms_norm")(_data(input, c), len(shape), _data(weight, c), float(eps))
    return _finish(input, out, c)


def _channel_count(p: TensorBase | None, c: int, name: str) -> None:
    if p is not None and p._data.size != c:
        raise RuntimeError(f"{name} should contain {c} elements not {p._data.size}")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) of ``(N, C, *)`` input by batch statistics (``training``, which
    also updates ``running_mean``/``running_var`` in place with ``momentum``) or by the running ones.

    >>> ember.batch_norm(ember.tensor([[1.0], [3.0]]), None, None, training=True)
    tensor([[-1.0000],
            [ 1.0000]])
    """
    check_tensor(input, "batch_norm")
    if training:
        size = tuple(input._data.shape)
        norm_dim(1, len(size), "batch_norm")
        if size[0] * math.prod(size[2:]) == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    elif running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    elif running_var is None:
        raise RuntimeError("running_var must be defined in evaluation mode")
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)):
        raise TypeError(f"batch_norm(): argument 'momentum' (position 7) must be float, not {type(momentum).__name__}")
    c = input._data.shape[1] if input._data.ndim > 1 else norm_dim(1, input._data.ndim, "batch_norm")
    for name, p in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if p is not None:
            check_tensor(p, "batch_norm", name)
            check_same_device("batch_norm", (input, p))
        _channel_count(p, c, name)
    _floating(input, "batch_norm")
    _params(input, "batch_norm", weight=weight, bias=bias)
    cdt = _compute(input)
    bk = input._backend
    flat = [None if p is None else bk.reshape(p._data, (c,), None) for p in (running_mean, running_var)]
    out, _, _ = kernel(bk, "batch_norm")(
        _data(input, cdt), flat[0], flat[1], _flat(weight, c, cdt), _flat(bias, c, cdt),
        bool(training), float(momentum), float(eps),
    )
    if training and input._data.size:
        for p in (running_mean, running_var):
            if p is not None:
                bump_version(p)
    return _finish(input, out, cdt)


def _flat(p: TensorBase | None, c: int, compute: D.dtype) -> Any:
    return None if p is None else p._backend.reshape(_data(p, compute), (c,), None)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalize ``(N, C, *)`` input over each group of ``C // num_groups`` channels (and all of ``*``),
    then scale and shift per channel.

    >>> ember.group_norm(ember.tensor([[1.0, 3.0]]), 1)
    tensor([[-1.0000,  1.0000]])
    """
    check_tensor(input, "group_norm")
    size = tuple(input._data.shape)
    if len(size) < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {len(size)}")
    groups = operator.index(num_groups)
    if groups == 0:
        raise ZeroDivisionError("group_norm(): num_groups must be positive, got 0")
    if size[0] * size[1] // groups * math.prod(size[2:]) == 1 and groups > 0:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {[size[0] * size[1] // groups, groups]}"
        )
    if groups < 0 or size[1] % groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input of shape "
            f"{list(size)} and num_groups={groups}"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None:
            check_tensor(p, "group_norm", name)
            if p._data.ndim != 1 or p._data.shape[0] != size[1]:
                raise RuntimeError(
                    f"Expected {name} to be a vector of size equal to the number of channels in input, but got "
                    f"{name} of shape {list(p._data.shape)} and input of shape {list(size)}"
                )
    _floating(input, "group_norm")
    _params(input, "group_norm", weight=weight, bias=bias)
    c = _compute(input)
    out, _, _ = kernel(input._backend, "group_norm")(_data(input, c), groups, _data(weight, c), _data(bias, c),
                                                     float(eps))
    return _finish(input, out, c)


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel of each sample of ``(N, C, *)`` input separately (batch norm of the input
    seen as ``(1, N * C, *)``, as PyTorch computes it); running statistics, when given, are updated
    with the mean over the batch.

    >>> ember.instance_norm(ember.tensor([[[1.0, 3.0]]])).shape
    ember.Size([1, 1, 2])
    """
    check_tensor(input, "instance_norm")
    size = tuple(input._data.shape)
    if use_input_stats and math.prod(size[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    n, c = size[0], size[1]

    def repeat(p: Any) -> Any:
        if p is None:
            return None
        _channel_count(p, c, "running_mean" if p is running_mean else "running_var" if p is running_var else
                       "weight" if p is weight else "bias")
        return p.reshape(1, c).expand(n, c).reshape(n * c)

    stats = [repeat(running_mean), repeat(running_var)]
    stats = [None if s is None else s.clone() for s in stats]
    out = batch_norm(input.reshape(1, n * c, *size[2:]), stats[0], stats[1], repeat(weight), repeat(bias),
                     bool(use_input_stats), momentum, eps)
    if use_input_stats:
        for given, updated in ((running_mean, stats[0]), (running_var, stats[1])):
            if given is not None and updated is not None and n:
                mean = updated.reshape(n, c).mean(0).reshape(tuple(given._data.shape))
                given._backend.copy_into(given._data, mean._data)
                bump_version(given)
    return out.reshape(size)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None) -> Tensor:
    """``input`` divided by its ``p``-norm along ``dim`` (at least ``eps``).

    >>> ember.normalize(ember.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    check_tensor(input, "normalize")
    denom = input.norm(p, dim, keepdim=True).clamp(min=eps)
    result = input / denom
    if out is None:
        return result
    from ember._inplace import write_out

    return write_out(result, out, "normalize")


_dispatch_install(globals(), __all__)  # ember-autograd records these (see _dispatch)
