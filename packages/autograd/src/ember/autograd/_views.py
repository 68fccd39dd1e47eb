"""In-place writes through views (PyTorch's ``CopySlices``).

After ``v.mul_(w)`` where ``v`` is a view of ``base``, ``base``'s new history is
a ``CopySlices`` node: its gradient is the incoming gradient with the view's
region replaced by what the in-place op's rule gives for the view's old
value; the other inputs of the op get theirs as usual. ``v`` itself becomes an
``AsStridedBackward0`` view of the new ``base``.
"""

from __future__ import annotations

from typing import Any

from ember._tensor_base import wrap
from ember.autograd._graph import Node, edge, next_seq

__all__ = ["copy_slices", "CopySlices", "AsStridedBackward0"]


def _c_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    out, step = [], 1
    for s in reversed(shape):
        out.append(step)
        step *= max(s, 1)
    return tuple(reversed(out))


class _Geometry:
    __slots__ = ("base_shape", "dtype", "offset", "shape", "strides")

    def __init__(self, view: Any, base: Any) -> None:
        bk = view._backend
        self.base_shape = tuple(base._data.shape)
        self.shape = tuple(view._data.shape)
        self.strides = tuple(bk.strides(view._data))
        self.offset = int(bk.storage_offset(view._data)) - int(bk.storage_offset(base._data))
        self.dtype = base._dtype

    def region(self, t: Any) -> Any:
        """The view's elements inside ``t`` (a fresh contiguous tensor of the base's shape)."""
        return t._backend.as_strided(t._data, self.shape, self.strides, self.offset)


def _fresh(g: Any) -> Any:
    """A contiguous copy of ``g`` we may write into."""
    return wrap(g._backend.copy(g._data), g._dtype, g._device, g._backend)


class CopySlices(Node):
    """The history of a base tensor after an in-place write through one of its views."""

    __slots__ = ("fn", "geom")

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        g = grads[0]
        res = _fresh(g)
        region = self.geom.region(res)
        gv = wrap(res._backend.copy(region), res._dtype, res._device, res._backend)
        inner = self.fn.apply([gv], create_graph)
        g_old = inner[0] if inner else None
        if g_old is None:
            res._backend.copy_into(region, 0)
        else:
            res._backend.copy_into(region, g_old._data)
        return (res, *inner[1:])

    def release(self) -> None:
        self.fn.release()


class AsStridedBackward0(Node):
    """A view's history after an in-place write through it: its elements of the new base."""

    __slots__ = ("geom",)

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        g = grads[0]
        bk = g._backend
        out = wrap(bk.full(self.geom.base_shape, 0, g._dtype, g._device.index), g._dtype, g._device, bk)
        bk.copy_into(self.geom.region(out), g._data)
        return (out,)


_VIEW_INPUT = Node.__new__(Node)
_VIEW_INPUT.next_functions = ()
_VIEW_INPUT._hooks = None
_VIEW_INPUT._seq = -1


def copy_slices(view: Any, base: Any, node: Node) -> None:
    """Rebase ``base`` (and ``view``) after ``node`` recorded an in-place write into ``view``."""
    bk = base._backend
    if not bk.strided_views or tuple(bk.strides(base._data)) != _c_strides(tuple(base._data.shape)):
        raise RuntimeError(
            "in-place operation through a view of a non-contiguous tensor that requires grad is not supported "
            "by ember.autograd; clone() the base first"
        )
    geom = _Geometry(view, base)
    cs = CopySlices.__new__(CopySlices)
    cs._seq = next_seq()
    cs.next_functions = (edge(base), *node.next_functions[1:])
    cs._hooks = None
    # The rule must produce the gradient of the view's old value (it goes into base's region),
    # whatever the view's own history was: mark that input as needed.
    node.next_functions = ((_VIEW_INPUT, 0), *node.next_functions[1:])
    cs.fn = node
    cs.geom = geom
    base._grad_fn = cs
    base._requires_grad = False
    if base._meta is not None:
        base._meta.output_nr = 0
    vn = AsStridedBackward0.__new__(AsStridedBackward0)
    vn._seq = next_seq()
    vn.next_functions = ((cs, 0),)
    vn._hooks = None
    vn.geom = geom
    view._grad_fn = vn
    if view._meta is not None:
        view._meta.output_nr = 0
