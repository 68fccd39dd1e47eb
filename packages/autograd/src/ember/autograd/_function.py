"""``ember.autograd.Function``: custom ops with a hand-written backward.

>>> class Exp(ember.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         y = x.exp()
...         ctx.save_for_backward(y)
...         return y
...     @staticmethod
...     def backward(ctx, grad):
...         (y,) = ctx.saved_tensors
...         return grad * y
>>> Exp.apply(ember.zeros(2, requires_grad=True)).sum().backward()
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from ember._tensor_base import TensorBase, wrap
from ember.autograd._grad_mode import STATE, no_grad
from ember.autograd._graph import FREED_MESSAGE, Node, edge, meta_of, next_seq, saved_version
from ember.autograd._record import check_inplace_target, version_error
from ember.autograd._rules import sum_to_size

__all__ = ["Function", "FunctionCtx", "once_differentiable", "BackwardCFunction", "Error", "ONCE_DIFFERENTIABLE_ERROR"]


def _requires_grad(t: TensorBase) -> bool:
    """``t.requires_grad`` (a Tensor property; TensorBase holds only the fields)."""
    return t._requires_grad or t._grad_fn is not None


class FunctionCtx:
    """The ``ctx`` of a custom Function's forward and backward."""

    def __init__(self) -> None:
        self.needs_input_grad: tuple[bool, ...] = ()
        self._saved: tuple[tuple[Any, list[int], int], ...] | None = ()
        self._non_differentiable: set[int] = set()
        self._dirty: set[int] = set()
        self._materialize = True
        self._freed = False

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep ``tensors`` (or None) for backward; in-place changes to them are detected."""
        saved: list[tuple[Any, list[int], int]] = []
        for t in tensors:
            if t is None:
                saved.append((None, [0], 0))
            elif not isinstance(t, TensorBase):
                raise TypeError(f"save_for_backward can only save variables, but argument {len(saved)} is not a Tensor or None")
            else:
                v = saved_version(t)  # makes the tensor's version counter if it has none yet
                saved.append((t, cast("list[int]", t._version), v))
        self._saved = tuple(saved)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        if self._freed or self._saved is None:
            raise RuntimeError(FREED_MESSAGE)
        out = []
        for t, ver, expected in self._saved:
            if t is not None and ver[0] != expected:
                m = t._meta
                raise version_error(t, t._grad_fn, 0 if m is None else m.output_nr, ver[0], expected)
            out.append(t)
        return tuple(out)

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """Outputs that never require grad (their gradient is always None)."""
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors: Any) -> None:
        """Inputs that forward modified in place (they are rebased onto this function's node)."""
        self._dirty.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """Whether None output gradients reach backward as zeros (the default) or as None."""
        self._materialize = value


class BackwardCFunction(Node):
    """The node of one ``Function.apply`` call."""

    __slots__ = ("ctx", "n_outputs", "out_meta", "shapes")
    function: type[Function]
    ctx: FunctionCtx
    n_outputs: int
    out_meta: tuple[tuple[tuple[int, ...], Any, Any], ...]  # (shape, dtype, device) of each output
    shapes: tuple[tuple[int, ...] | None, ...]  # each input's shape (None: not a tensor)

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        ctx = self.ctx
        if ctx._materialize:
            from ember import zeros

            grads = [
                g if g is not None else zeros(shape, dtype=dt, device=dev)
                for g, (shape, dt, dev) in zip(grads, self.out_meta, strict=True)
            ]
        res = self.function.backward(ctx, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n = len(self.next_functions)
        if len(res) < n or any(r is not None for r in res[n:]):
            raise RuntimeError(
                f"function {type(self).__name__} returned an incorrect number of gradients (expected {n}, got {len(res)})"
            )
        out = []
        for g, shape in zip(res[:n], self.shapes, strict=True):
            if g is not None and shape is not None and tuple(g._data.shape) != shape:
                g = sum_to_size(g, shape)
            out.append(g)
        return tuple(out)

    def release(self) -> None:
        self.ctx._saved = None
        self.ctx._freed = True

    def num_outputs(self) -> int:
        return self.n_outputs


class _FunctionMeta(type):
    _backward_cls: type[BackwardCFunction]

    def __init__(cls, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> None:
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(f"{name}Backward", (BackwardCFunction,), {
            "__slots__": (), "function": cls, "__module__": cls.__module__,
        })


class Function(metaclass=_FunctionMeta):
    """Base class of custom differentiable ops: define ``forward(ctx, *args)`` and
    ``backward(ctx, *grads)`` as static methods and call ``.apply(*args)``."""

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom autograd.Function to use it "
            "with backward mode AD."
        )

    vjp = backward

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        ctx = FunctionCtx()
        tensors = [a for a in args if isinstance(a, TensorBase)]
        record = STATE.enabled and any(_requires_grad(t) for t in tensors)
        ctx.needs_input_grad = tuple(isinstance(a, TensorBase) and _requires_grad(a) and record for a in args)
        separate = cls.setup_context is not Function.setup_context
        with no_grad():
            if separate:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        if not record:
            return out
        node = cls._backward_cls.__new__(cls._backward_cls)
        node._seq = next_seq()
        node.next_functions = tuple(edge(a) if isinstance(a, TensorBase) else (None, 0) for a in args)
        node._hooks = None
        node.shapes = tuple(tuple(a._data.shape) if isinstance(a, TensorBase) else None for a in args)
        node.ctx = ctx
        multi = isinstance(out, tuple)
        outs = list(out) if multi else [out]
        node.n_outputs = len(outs)
        node.out_meta = tuple(
            (tuple(o._data.shape), o._dtype, o._device) if isinstance(o, TensorBase) else ((), None, None) for o in outs
        )
        input_ids = {id(a) for a in tensors}
        for i, o in enumerate(outs):
            if not isinstance(o, TensorBase):
                continue
            if id(o) in ctx._non_differentiable or o._dtype.category < 2:
                continue
            if id(o) in ctx._dirty:
                check_inplace_target(o)
            elif id(o) in input_ids:
                o = outs[i] = wrap(o._data, o._dtype, o._device, o._backend, base=o)  # an alias, not the input
            o._grad_fn = node
            if i or o._meta is not None:
                meta_of(o).output_nr = i
        return tuple(outs) if multi else outs[0]


ONCE_DIFFERENTIABLE_ERROR = "trying to differentiate twice a function that was marked with @once_differentiable"


class Error(Node):
    """PyTorch's ``DelayedError`` (printed ``<Error>``): the history of what a
    ``@once_differentiable`` backward returned under ``create_graph=True``;
    differentiating through it raises."""

    __slots__ = ("message", "n_outputs")

    message: str
    n_outputs: int

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        raise RuntimeError(self.message)

    def num_outputs(self) -> int:
        return self.n_outputs


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a Function's backward without recording; under ``create_graph=True`` its results
    carry an ``Error`` node, so differentiating them again raises PyTorch's error."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            outputs = fn(ctx, *args)
        if not STATE.enabled:
            return outputs
        needs = [a for a in args if isinstance(a, TensorBase) and _requires_grad(a)]
        if not needs:
            return outputs
        multi = isinstance(outputs, tuple)
        outs = list(outputs) if multi else [outputs]
        node = Error.__new__(Error)
        node._seq = next_seq()
        node._hooks = None
        node.next_functions = tuple(edge(a) for a in needs)
        node.message = ONCE_DIFFERENTIABLE_ERROR
        node.n_outputs = len(outs)
        for i, o in enumerate(outs):
            if isinstance(o, TensorBase) and o._dtype.category >= 2:
                o = outs[i] = wrap(o._data, o._dtype, o._device, o._backend)
                o._grad_fn = node
                if i:
                    meta_of(o).output_nr = i
        return tuple(outs) if multi else outs[0]

    return wrapper
