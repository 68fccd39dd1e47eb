"""Softmax, log-softmax and the dropout family (``ember.softmax``, ``ember.dropout``, ...).

Each op checks its arguments with PyTorch's errors, then calls one optional-tier
kernel (:mod:`ember.backends.reference.activation`). Dropout masks come from an
:class:`ember.Generator` (the default one unless ``generator=`` is given), so
``ember.manual_seed`` makes them reproducible.
"""

from __future__ import annotations

import operator
import warnings
from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._dtypes import dtype as DType
from ember._special_cases import no_kernel, tname
from ember._tensor_base import TensorBase, like, norm_dim, wrap
from ember.backends._optional import kernel

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__ = [
    "softmax", "log_softmax", "dropout", "alpha_dropout", "feature_alpha_dropout", "feature_dropout",
    "dropout1d", "dropout2d", "dropout3d",
]

_HALF = (D.float16, D.bfloat16)

def check_tensor(value: Any, op: str, name: str = "input", position: int = 1) -> None:
    """PyTorch's TypeError for a non-tensor argument."""
    if not isinstance(value, TensorBase):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}")


def softmax_dim(ndim: int, op: str, stacklevel: int) -> int:
    """``torch.nn.functional``'s implicit dim (deprecated, with its warning): 0 for 0-, 1- and 3-d input."""
    warnings.warn(
        f"Implicit dimension choice for {op} has been deprecated. Change the call to include dim=X as an argument.",
        UserWarning, stacklevel=stacklevel + 1,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax_like(input: Any, dim: Any, dtype: Any, op: str, name: str, stacklevel: int = 3) -> Tensor:
    """``softmax``/``log_softmax`` of ``input`` along ``dim``, computed in ``dtype`` when given."""
    check_tensor(input, op)
    if dim is None:
        dim = softmax_dim(input._data.ndim, op, stacklevel)
    axis = norm_dim(dim, input._data.ndim, op)
    if dtype is not None and not isinstance(dtype, DType):
        raise TypeError(f"{op}(): argument 'dtype' must be ember.dtype, not {type(dtype).__name__}")
    dt = input._dtype if dtype is None else dtype
    if dt.category != D.FLOATING:
        raise no_kernel(op, dt)
    bk = input._backend
    x = input._data if input._dtype is dt else bk.astype(input._data, dt)
    zero_d = x.ndim == 0
    if zero_d:
        x = bk.reshape(x, (1,), None)
    if dt in _HALF:  # accumulate half precision in float32, as PyTorch does
        out = bk.astype(kernel(bk, name)(bk.astype(x, D.float32), axis), dt)
    else:
        out = kernel(bk, name)(x, axis)
    if zero_d:
        out = bk.reshape(out, (), None)
    return like(input, out, dt)


def _dtype_or_stacklevel(_stacklevel: Any, dtype: Any) -> Any:
    """``torch.softmax(x, 0, torch.float64)`` passes the dtype third; F.softmax's third is _stacklevel."""
    return _stacklevel if isinstance(_stacklevel, DType) and dtype is None else dtype


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: DType | None = None) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed stably; ``dtype`` casts the input first.

    >>> ember.softmax(ember.tensor([1.0, 1.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    return softmax_like(input, dim, _dtype_or_stacklevel(_stacklevel, dtype), "softmax", "softmax")


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: DType | None = None) -> Tensor:
    """``log(softmax(x, dim))``, computed stably (no overflow, no log of 0 for large inputs).

    >>> ember.log_softmax(ember.tensor([0.0, 0.0]), dim=0)
    tensor([-0.6931, -0.6931])
    """
    return softmax_like(input, dim, _dtype_or_stacklevel(_stacklevel, dtype), "log_softmax", "log_softmax")


# -- dropout ------------------------------------------------------------------------

def check_p(p: Any, op: str) -> float:
    """The dropout probability as a float, with F.dropout's ValueError outside [0, 1]."""
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        try:
            p = operator.index(p) if not hasattr(p, "__float__") else float(p)
        except TypeError:
            raise TypeError(f"{op}(): argument 'p' must be float, not {type(p).__name__}") from None
    if not 0.0 <= p <= 1.0:  # NaN fails too
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def _dropout(input: Any, p: float, training: bool, inplace: bool, feature: bool, alpha: bool, op: str,
             generator: Any) -> Tensor:
    """Shared body of the dropout family (``feature``: one draw per (N, C) channel)."""
    if feature and input._data.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not training or p == 0 or input._data.size == 0:
        return input  # PyTorch returns the input itself
    dt, bk, dev = input._dtype, input._backend, input._device
    if dt.category == D.COMPLEX:
        raise no_kernel("bernoulli_", dt)
    if p == 1:  # PyTorch's shortcut, for alpha dropout too
        result = input * wrap(bk.full((), 0, dt, dev.index), dt, dev, bk)
    elif dt.category != D.FLOATING:
        raise RuntimeError(f"{op}(): result type Float can't be cast to the desired output type {tname(dt)}")
    else:
        result = dropout_with_multiplier(input, p, feature, alpha, generator)[0]
    return input.copy_(result) if inplace else result


def dropout_with_multiplier(input: Tensor, p: float, feature: bool, alpha: bool,
                            generator: Any) -> tuple[Tensor, Tensor]:
    """``(output, multiplier)`` of one dropout draw, ``0 < p < 1``: the output's derivative with respect
    to the input is the multiplier (``mask / (1 - p)``, or alpha dropout's scale where kept), which
    broadcasts to the input (one value per channel with ``feature``). The dropout family is made of
    this op, so ember-autograd's rule for it sees the very mask the forward drew."""
    from ember._creation import _generator  # lazily: _creation imports the Tensor class

    bk, dev, shape = input._backend, input._device, tuple(input._data.shape)
    mask_shape = shape[:2] + (1,) * (len(shape) - 2) if feature else shape
    gen = _generator(generator, dev, "dropout").native(bk, dev)
    out, multiplier = kernel(bk, "alpha_dropout" if alpha else "dropout")(input._data, p, mask_shape, gen, dev.index)
    return like(input, out), like(input, multiplier)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
            generator: Any = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` (when ``training``).

    >>> ember.dropout(ember.ones(4), p=0.0)
    tensor([1., 1., 1., 1.])
    """
    check_tensor(input, "dropout")
    p = check_p(p, "dropout")
    return _dropout(input, p, training, inplace, False, False, "dropout", generator)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False, *,
                  generator: Any = None) -> Tensor:
    """Dropout for SELU networks: dropped units take SELU's saturation value and an affine map keeps
    the mean and variance (a no-op unless ``training``, as in ``torch.nn.functional``)."""
    check_tensor(input, "alpha_dropout")
    p = check_p(p, "alpha_dropout")
    return _dropout(input, p, training, inplace, False, True, "alpha_dropout", generator)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False, *,
                          generator: Any = None) -> Tensor:
    """Alpha dropout of whole channels (one draw per ``input[n, c]``)."""
    check_tensor(input, "feature_alpha_dropout")
    p = check_p(p, "feature_alpha_dropout")
    return _dropout(input, p, training, inplace, True, True, "feature_alpha_dropout", generator)


def feature_dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
                    generator: Any = None) -> Tensor:
    """Dropout of whole channels: one draw per ``input[n, c]`` (``torch.feature_dropout``)."""
    check_tensor(input, "feature_dropout")
    p = check_p(p, "feature_dropout")
    return _dropout(input, p, training, inplace, True, False, "feature_dropout", generator)


def _channel_note(n: int, lo: int) -> str:
    return (
        f"Note that dropout{n}d exists to provide channel-wise dropout on inputs with {n} spatial "
        f"dimension{'s' if n > 1 else ''}, a channel dimension, and an optional batch dimension "
        f"(i.e. {lo}D or {lo + 1}D inputs)."
    )


def _batched_feature_dropout(input: Any, p: float, training: bool, inplace: bool, batched: bool, op: str,
                             generator: Any) -> Tensor:
    """Feature dropout of an input that has no batch dim unless ``batched`` (one is added and removed)."""
    if not training or p == 0 or input._data.size == 0:
        return input
    x = input if batched else input.unsqueeze(0)
    out = _dropout(x, p, training, False, True, False, op, generator)
    if not batched:
        out = out.squeeze(0)
    return input.copy_(out) if inplace else out


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator: Any = None) -> Tensor:
    """Channel-wise dropout of ``(N, C, L)`` or ``(C, L)`` input."""
    check_tensor(input, "dropout1d")
    p = check_p(p, "dropout1d")
    ndim = input._data.ndim
    if ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. {_channel_note(1, 2)}")
    return _batched_feature_dropout(input, p, training, inplace, ndim == 3, "dropout1d", generator)


def _deprecated_ndim(n: int, ndim: int) -> None:
    warnings.warn(
        f"dropout{n}d: Received a {ndim}-D input to dropout{n}d, which is deprecated and will result in an "
        "error in a future release. To retain the behavior and silence this warning, please use dropout "
        f"instead. {_channel_note(n, n + 1)}",
        UserWarning, stacklevel=3,
    )


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator: Any = None) -> Tensor:
    """Channel-wise dropout of ``(N, C, H, W)`` input (3-d input is taken as ``(N, C, L)``, as in PyTorch)."""
    check_tensor(input, "dropout2d")
    p = check_p(p, "dropout2d")
    ndim = input._data.ndim
    if ndim not in (3, 4):
        _deprecated_ndim(2, ndim)
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning, stacklevel=2,
        )
    return _dropout(input, p, training, inplace, True, False, "dropout2d", generator)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator: Any = None) -> Tensor:
    """Channel-wise dropout of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input."""
    check_tensor(input, "dropout3d")
    p = check_p(p, "dropout3d")
    ndim = input._data.ndim
    if ndim not in (4, 5):
        _deprecated_ndim(3, ndim)
    return _batched_feature_dropout(input, p, training, inplace, ndim == 5, "dropout3d", generator)


_dispatch_install(globals(), [*__all__, "dropout_with_multiplier"])  # ember-autograd records these (see _dispatch)
