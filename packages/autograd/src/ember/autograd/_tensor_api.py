"""The tensor side of autograd: core's bridge functions and the methods ember-autograd adds.

Core's ``Tensor`` calls :func:`set_requires_grad`, :func:`set_grad` and ``backward``
(:func:`install` makes ``Tensor.backward`` call the engine directly); it adds
``register_hook``, ``retain_grad``, ``retains_grad``, ``detach_``, ``data`` and
``register_post_accumulate_grad_hook``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from ember._tensor import Tensor
from ember._tensor_base import TensorBase, wrap
from ember.autograd._engine import backward as _engine_backward
from ember.autograd._graph import RemovableHandle, meta_of
from ember.autograd._views import refresh_view

__all__ = ["set_requires_grad", "set_grad", "install"]


def set_requires_grad(t: Any, flag: bool) -> None:
    """``t.requires_grad_(flag)``: only floating and complex tensors can require gradients."""
    if not flag:
        t.requires_grad_(False)
        return
    if t._dtype.category < 2:
        raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
    if t._grad_fn is None:
        t._requires_grad = True


def set_grad(t: Any, value: Any) -> None:
    """``t.grad = value`` with PyTorch's checks."""
    if value is not None:
        if not isinstance(value, TensorBase):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
        if value._dtype is not t._dtype:
            raise RuntimeError("assigned grad has data of a different type")
        if value._device is not t._device:
            raise RuntimeError("assigned grad has data located on a different device")
        if tuple(value._data.shape) != tuple(t._data.shape):
            raise RuntimeError("assigned grad has data of a different size")
    meta_of(t).grad = value


def register_hook(self: Any, hook: Callable[..., Any]) -> RemovableHandle:
    """Run ``hook(grad)`` when this tensor's gradient is computed; it may return a new gradient."""
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self._grad_fn is not None:
        m = self._meta
        return self._grad_fn.add_tensor_hook(0 if m is None else m.output_nr, hook)
    m = meta_of(self)
    if m.hooks is None:
        m.hooks = {}
    h = RemovableHandle(m.hooks)
    m.hooks[h.id] = hook
    return h


def retain_grad(self: Any) -> None:
    """Keep this non-leaf's ``.grad`` after backward (a no-op on leaves)."""
    if not self.requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self._grad_fn is None:
        return
    m = meta_of(self)
    if m.retains_grad:
        return
    m.retains_grad = True
    node = self._grad_fn
    node.hooks().retain[m.output_nr] = weakref.ref(self)


def _retains_grad(self: Any) -> bool:
    return self._meta is not None and self._meta.retains_grad and self._grad_fn is not None


def detach_(self: Any) -> Any:
    """Make this tensor a leaf that does not require grad, in place."""
    if self._base is not None and (self._base._grad_fn is not None or self._base._requires_grad):
        raise RuntimeError(
            "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) "
            "for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and "
            "hence detach_() cannot be called on these gradients. To fix this error, please refer to the "
            "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
        )
    self._grad_fn = None
    self._requires_grad = False
    if self._meta is not None:
        self._meta.output_nr = 0
    return self


_core_detach = Tensor.detach


def detach(self: Any) -> Any:
    """A tensor sharing this one's memory, outside any autograd graph (in-place writes to it
    are not recorded into this tensor's history)."""
    t = _core_detach(self)  # a view that never takes the history self may gain later
    if self._grad_fn is not None or self._requires_grad:
        meta_of(t).detached = True
    return t


def _get_data(self: Any) -> Any:
    """The same values with no history (shares memory; writes through it are not recorded)."""
    t = wrap(self._data, self._dtype, self._device, self._backend)
    return t


def _set_data(self: Any, value: Any) -> None:
    if not isinstance(value, TensorBase):
        raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
    self._data = value._data
    self._dtype = value._dtype
    self._device = value._device
    self._backend = value._backend


def backward(self: Any, gradient: Any = None, retain_graph: Any = None, create_graph: bool = False,
             inputs: Any = None) -> None:
    """Accumulate gradients of this tensor into the leaves' ``.grad``."""
    _engine_backward(self, gradient, retain_graph, create_graph, inputs)


def _requires_grad(self: Any) -> bool:
    """Whether gradients are recorded for ops on this tensor."""
    if self._requires_grad or self._grad_fn is not None:
        return True
    return self._base is not None and refresh_view(self)


def _set_requires_grad(self: Any, flag: bool) -> None:
    self.requires_grad_(flag)


def _grad_fn(self: Any) -> Any:
    """The autograd node that produced this tensor (None for leaves)."""
    fn = self._grad_fn
    if fn is None and self._base is not None and refresh_view(self):
        fn = self._grad_fn
    return fn


def _is_leaf(self: Any) -> bool:
    """True for tensors not produced by a recorded op."""
    return _grad_fn(self) is None


def install() -> None:
    # Core's Tensor.backward looks this package up on every call; with it installed, call it directly.
    backward.__doc__ = Tensor.backward.__doc__
    Tensor.backward = backward  # type: ignore[method-assign]
    # A view made before its base gained history (by an in-place write) takes that history when
    # it is next looked at, as in PyTorch (see _views.refresh_view).
    Tensor.requires_grad = property(_requires_grad, _set_requires_grad)  # type: ignore[method-assign,assignment]
    Tensor.grad_fn = property(_grad_fn)  # type: ignore[method-assign,assignment]
    Tensor.is_leaf = property(_is_leaf)  # type: ignore[method-assign,assignment]
    Tensor.register_hook = register_hook  # type: ignore[attr-defined]
    Tensor.retain_grad = retain_grad  # type: ignore[attr-defined]
    Tensor.retains_grad = property(_retains_grad)  # type: ignore[attr-defined]
    Tensor.detach_ = detach_  # type: ignore[attr-defined]
    Tensor.detach = detach  # type: ignore[method-assign]
    Tensor.data = property(_get_data, _set_data)  # type: ignore[attr-defined]
