"""The graph's objects: nodes (``grad_fn``), per-tensor extras and saved tensors.

A node is made by the recorder for each recorded call: its class is named like
PyTorch's (``MulBackward0``), ``next_functions`` holds ``(node, output_nr)``
edges to the nodes of its inputs (``AccumulateGrad`` for leaves), and its
``apply`` runs the op's derivative rule. Nothing here holds a reference from an
input back to its consumers, so a graph dies with its last output.
"""

from __future__ import annotations

import itertools
import sys
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from ember._tensor_base import TensorBase, wrap
from ember.utils.hooks import RemovableHandle

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__ = [
    "Meta", "Node", "Hooks", "AccumulateGrad", "RemovableHandle", "accumulator", "edge", "meta_of",
    "shell", "saved_version", "FREED_MESSAGE", "next_seq", "LEAF_SEQ",
]

#: Sequence numbers of nodes, in creation order (PyTorch's ``sequence_nr``): among nodes that
#: are ready, the engine runs the one made last first. ``next_seq()`` is one C-level call.
next_seq = itertools.count().__next__
#: Leaves' ``AccumulateGrad`` nodes run as soon as they are ready (PyTorch: UINT64_MAX).
LEAF_SEQ = sys.maxsize

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second "
    "time or if you need to access saved tensors after calling backward."
)


class Meta:
    """Autograd's extras of one tensor (``Tensor._meta``): made on first need."""

    __slots__ = ("acc", "detached", "gained", "grad", "hooks", "name", "output_nr", "retains_grad", "views")

    def __init__(self) -> None:
        self.grad: Tensor | None = None
        self.retains_grad = False
        self.hooks: dict[int, Callable[..., Any]] | None = None  # leaf tensor hooks, by handle id
        self.acc: Any = None            # weakref to the leaf's AccumulateGrad
        self.output_nr = 0              # which output of its grad_fn this tensor is
        self.name: str | None = None
        self.views: list[Any] | None = None  # on a base: weakrefs of its recorded views (see _views)
        self.detached = False           # a detach() view: in-place writes to it are not recorded
        self.gained: int | None = None  # on a base: the version at which an in-place write gave it history

    def __deepcopy__(self, memo: dict[int, Any]) -> Meta:
        import copy

        new = Meta()
        new.grad = None if self.grad is None else copy.deepcopy(self.grad, memo)
        new.retains_grad = self.retains_grad
        return new


def meta_of(t: TensorBase) -> Meta:
    m = t._meta
    if m is None:
        m = t._meta = Meta()
    return m




class Hooks:
    """A node's hook tables (made on the first registration; most nodes have none)."""

    __slots__ = ("post", "pre", "retain", "tensor_pre")

    def __init__(self) -> None:
        self.pre: dict[int, Any] = {}
        self.post: dict[int, Any] = {}
        self.tensor_pre: dict[int, dict[int, Any]] = {}  # output_nr -> hooks of that output tensor
        self.retain: dict[int, Any] = {}  # output_nr -> weakref of a tensor that retains its grad


class Node:
    """A backward function of the graph (PyTorch's ``torch.autograd.graph.Node``)."""

    # ``_hooks`` is None until a hook is registered; ``_seq`` is the node's sequence number
    # (set where nodes are made, read with getattr); ``_trace`` (anomaly mode) is an optional
    # slot left unset otherwise, read with getattr.
    __slots__ = ("__weakref__", "_hooks", "_seq", "_trace", "next_functions")

    next_functions: tuple[tuple[Node | None, int], ...]
    _hooks: Hooks | None
    _seq: int
    _trace: str
    #: The raw backward the engine may call with :meth:`apply_fast` (rule nodes that have one).
    _fast: ClassVar[Any] = None

    def name(self) -> str:
        """The node's class name, as in ``<MulBackward0>``."""
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def hooks(self) -> Hooks:
        h = self._hooks
        if h is None:
            h = self._hooks = Hooks()
        return h

    def register_hook(self, fn: Callable[..., Any]) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node; it may return new grad_inputs."""
        table = self.hooks().post
        h = RemovableHandle(table)
        table[h.id] = fn
        return h

    def register_prehook(self, fn: Callable[..., Any]) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node; it may return new grad_outputs."""
        table = self.hooks().pre
        h = RemovableHandle(table)
        table[h.id] = fn
        return h

    def add_tensor_hook(self, output_nr: int, fn: Callable[..., Any]) -> RemovableHandle:
        hooks = self.hooks().tensor_pre.setdefault(output_nr, {})
        h = RemovableHandle(hooks)
        hooks[h.id] = fn
        return h

    @property
    def metadata(self) -> dict[str, Any]:
        return {}

    # Overridden: grads per output in, grads per next_function out.
    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        raise NotImplementedError

    def release(self) -> None:
        """Drop saved tensors (after a backward without ``retain_graph``)."""

    def num_outputs(self) -> int:
        return 1


class AccumulateGrad(Node):
    """The node of a leaf: adds the incoming gradient to ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.next_functions = ()
        self._hooks = None
        self._seq = LEAF_SEQ
        self.variable = variable

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        return ()


def accumulator(t: TensorBase) -> AccumulateGrad:
    """The leaf's one ``AccumulateGrad`` (kept alive by the graphs that use it)."""
    m = meta_of(t)
    ref = m.acc
    acc = None if ref is None else ref()
    if acc is None:
        acc = AccumulateGrad(t)  # type: ignore[arg-type]
        m.acc = weakref.ref(acc)
    return acc


def edge(t: TensorBase) -> tuple[Node | None, int]:
    fn = t._grad_fn
    if fn is not None:
        m = t._meta
        return fn, (0 if m is None else m.output_nr)
    if t._requires_grad:
        return accumulator(t), 0
    return None, 0


def saved_version(t: TensorBase) -> int:
    v = t._version
    if v is None:
        if t._base is None:
            t._version = v = [0]
        else:  # views share their base's counter (made when the view was)
            v = t._version = t._base._version
            if v is None:
                v = t._base._version = t._version = [0]
    return v[0]




def shell(t: TensorBase) -> Tensor:
    """A history-free alias of ``t`` (what a node saves of its own outputs: no reference cycle)."""
    return wrap(t._data, t._dtype, t._device, t._backend)
