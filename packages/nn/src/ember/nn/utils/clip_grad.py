"""Gradient clipping, as ``torch.nn.utils.clip_grad``: ``clip_grad_norm_`` and ``clip_grad_value_``.

The total norm is one ``vector_norm`` per (device, dtype) group over the concatenated gradients,
then one more over those group norms; there is no per-element Python work and no foreach API.

>>> p = nn.Parameter(ember.ones(4)); p.grad = ember.full((4,), 3.0)
>>> nn.utils.clip_grad_norm_([p], max_norm=1.0)
tensor(6.)
"""

from __future__ import annotations

import functools
import types
import warnings
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import ember
from ember._tensor import Tensor
from ember.autograd import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]

_F = TypeVar("_F", bound=Callable[..., Any])
TensorOrTensors = Tensor | Iterable[Tensor]


def _no_grad(fn: _F) -> _F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with no_grad():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _grouped(tensors: list[Tensor]) -> dict[tuple[Any, Any], list[Tensor]]:
    groups: dict[tuple[Any, Any], list[Tensor]] = {}
    for t in tensors:
        groups.setdefault((t.device, t.dtype), []).append(t)
    return groups


@_no_grad
def get_total_norm(
    tensors: TensorOrTensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach: bool | None = None
) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` seen as one vector (``'inf'`` for the max norm).

    ``error_if_nonfinite`` raises when that norm is nan or inf. ``foreach`` is accepted for
    torch compatibility; the computation is vectorised either way.
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return ember.tensor(0.0)
    first_device = tensors[0].device
    if norm_type == 0.0:
        # torch's total "0-norm" counts the tensors that have a nonzero element
        norms = [ember.linalg.vector_norm(t, 0.0).to(first_device) for t in tensors]
    else:
        # For p != 0 the norm of per-tensor norms equals the norm of all elements at once.
        norms = []
        for group in _grouped(tensors).values():
            flat = group[0].reshape(-1) if len(group) == 1 else ember.cat([t.reshape(-1) for t in group])
            norms.append(ember.linalg.vector_norm(flat, norm_type).to(first_device))
    if len(norms) == 1 and norm_type != 0.0:
        total = norms[0]
    else:
        total = ember.linalg.vector_norm(ember.stack(norms), norm_type)
    if error_if_nonfinite and bool(total.isnan().logical_or(total.isinf())):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return total


@_no_grad
def clip_grads_with_norm_(
    parameters: TensorOrTensors, max_norm: float, total_norm: Tensor, foreach: bool | None = None
) -> None:
    """Scale every gradient in place by ``min(max_norm / (total_norm + 1e-6), 1)``."""
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    coef = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
    per_device: dict[Any, Tensor] = {}
    for g in grads:
        c = per_device.get(g.device)
        if c is None:
            c = per_device[g.device] = coef.to(g.device)
        g.mul_(c)


@_no_grad
def clip_grad_norm_(
    parameters: TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients of ``parameters`` in place so their total norm is at most ``max_norm``.

    Returns the total norm before clipping (a 0-d tensor).
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(
    parameters: TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Deprecated alias of :func:`clip_grad_norm_` (warns with FutureWarning, as torch does)."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters: TensorOrTensors, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient in place to ``[-clip_value, clip_value]``."""
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
