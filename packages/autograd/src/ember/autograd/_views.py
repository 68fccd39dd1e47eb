"""In-place writes and views (PyTorch's ``CopySlices`` and view regeneration).

After ``v.mul_(w)`` where ``v`` is a view of ``base``, ``base``'s new history is
a ``CopySlices`` node: its gradient is the incoming gradient with the view's
region replaced by what the in-place op's rule gives for the view's old
value; the other inputs of the op get theirs as usual. ``v`` itself becomes an
``AsStridedBackward0`` view of the new ``base``.

Every other view of ``base`` that was recorded (its base had history when it was
made) is registered on the base (weak references in ``Meta.views``); when the
base's history changes (an in-place write through the base or any of its views)
those views get a fresh ``AsStridedBackward0`` of the new history, as PyTorch
regenerates a view's ``grad_fn`` after its base's version changed. (PyTorch does
that lazily on reading ``grad_fn``; doing it at the write keeps every reader of
``_grad_fn`` correct at no cost on the op hot path.)

Both nodes run on raw arrays for a first-order backward; under
``create_graph=True`` they use recorded ops (``take`` / ``index_put`` with the
view's flat indices), so second derivatives flow through in-place writes.
"""

from __future__ import annotations

import weakref
from typing import Any

from ember._tensor_base import wrap
from ember.autograd._graph import Node, edge, meta_of, next_seq, saved_version

__all__ = [
    "copy_slices", "CopySlices", "AsStridedBackward0", "register_view", "regenerate_views", "mark_gained",
    "refresh_view",
]

_NOT_CONTIGUOUS = (
    "in-place operation through a view of a non-contiguous tensor that requires grad is not supported "
    "by ember.autograd; clone() the base first"
)


def _c_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    out, step = [], 1
    for s in reversed(shape):
        out.append(step)
        step *= max(s, 1)
    return tuple(reversed(out))


def _check_contiguous(base: Any) -> None:
    bk = base._backend
    shape = tuple(base._data.shape)
    if not bk.strided_views or any(
        st != c for st, c, n in zip(bk.strides(base._data), _c_strides(shape), shape, strict=True) if n > 1
    ):
        raise RuntimeError(_NOT_CONTIGUOUS)


class _Geometry:
    """Where a view's elements sit in its (C-contiguous) base: shape, strides, offset."""

    __slots__ = ("base_shape", "dtype", "offset", "overlaps", "shape", "strides")

    def __init__(self, view: Any, base: Any) -> None:
        bk = view._backend
        self.base_shape = tuple(base._data.shape)
        self.shape = tuple(view._data.shape)
        self.strides = tuple(bk.strides(view._data))
        self.offset = int(bk.storage_offset(view._data)) - int(bk.storage_offset(base._data))
        self.dtype = base._dtype
        self.overlaps = any(s == 0 and n > 1 for s, n in zip(self.strides, self.shape, strict=True))

    def region(self, t: Any) -> Any:
        """The view's elements inside contiguous ``t`` of the base's shape (a native view)."""
        return t._backend.as_strided(t._data, self.shape, self.strides, self.offset)

    def flat_index(self, like: Any) -> Any:
        """The view's elements as flat (C-order) positions in its base: an int64 tensor, view-shaped."""
        import ember

        idx = ember.full((), self.offset, dtype=ember.int64, device=like.device)
        nd = len(self.shape)
        for k, (n, st) in enumerate(zip(self.shape, self.strides, strict=True)):
            shape = [1] * nd
            shape[k] = n
            idx = idx + ember.arange(n, dtype=ember.int64, device=like.device).reshape(shape) * st
        return idx.expand(self.shape) if nd else idx


def _fresh(g: Any) -> Any:
    """A contiguous copy of ``g`` we may write into."""
    return wrap(g._backend.copy(g._data), g._dtype, g._device, g._backend)


def _zeros(n: int, like: Any) -> Any:
    import ember

    return ember.zeros(n, dtype=like.dtype, device=like.device)


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


class CopySlices(Node):
    """The history of a base tensor after an in-place write through one of its views."""

    __slots__ = ("fn", "geom")

    fn: Node
    geom: _Geometry

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        g = grads[0]
        geom = self.geom
        if create_graph:  # recorded ops: the result is differentiable again
            idx = geom.flat_index(g).reshape(-1)
            flat = g.reshape(-1)
            gv = flat.take(idx).reshape(geom.shape)
            inner = self.fn.apply([gv], create_graph)
            g_old = inner[0] if inner else None
            values = g_old.reshape(-1) if g_old is not None else _zeros(idx.shape[0], g)
            res = flat.index_put((idx,), values).reshape(geom.base_shape)
            return (res, *inner[1:])
        res = _fresh(g)
        region = geom.region(res)
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
    """A view's history after an in-place write to its base: its elements of the new base."""

    __slots__ = ("geom",)

    geom: _Geometry

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        g = grads[0]
        geom = self.geom
        if create_graph or geom.overlaps:  # expanded views accumulate; recorded under create_graph
            idx = geom.flat_index(g).reshape(-1)
            zeros = _zeros(_numel(geom.base_shape), g)
            return (zeros.index_put((idx,), g.reshape(-1), accumulate=True).reshape(geom.base_shape),)
        bk = g._backend
        out = wrap(bk.full(geom.base_shape, 0, g._dtype, g._device.index), g._dtype, g._device, bk)
        bk.copy_into(geom.region(out), g._data)
        return (out,)


_VIEW_INPUT = Node.__new__(Node)
_VIEW_INPUT.next_functions = ()
_VIEW_INPUT._hooks = None
_VIEW_INPUT._seq = -1


def _as_strided(view: Any, base: Any, geom: _Geometry) -> None:
    vn = AsStridedBackward0.__new__(AsStridedBackward0)
    vn._seq = next_seq()
    vn.next_functions = (edge(base),)
    vn._hooks = None
    vn.geom = geom
    view._grad_fn = vn
    if view._meta is not None:
        view._meta.output_nr = 0


def register_view(view: Any, base: Any) -> None:
    """Remember a recorded view of ``base`` (a root tensor with history) for regeneration."""
    m = meta_of(base)
    views = m.views
    if views is None:
        m.views = [weakref.ref(view)]
        return
    views.append(weakref.ref(view))
    n = len(views)
    if n >= 16 and n & (n - 1) == 0:  # at powers of two: drop the dead ones
        views[:] = [r for r in views if r() is not None]


def regenerate_views(base: Any, skip: Any = None) -> None:
    """Give every live recorded view of ``base`` (but ``skip``) an ``AsStridedBackward0`` of its new history."""
    m = base._meta
    if m is None or not m.views:
        return
    live = [r for r in m.views if r() is not None]
    m.views = live
    if base._grad_fn is None and not base._requires_grad:
        return
    for r in live:
        v = r()
        if v is None or v is skip or v._base is not base:
            continue
        _check_contiguous(base)
        _as_strided(v, base, _Geometry(v, base))


def mark_gained(root: Any) -> None:
    """Before an in-place write gives history-less ``root`` its first history: stamp the version,
    so that views made of it before (by plain, unrecorded ops) can be given that history later."""
    if root._grad_fn is None and not root._requires_grad:
        saved_version(root)
        meta_of(root).gained = root._version[0]


def refresh_view(view: Any) -> bool:
    """Give ``view`` its base's history if the base gained one through an in-place write after the
    view was made (PyTorch regenerates such a view's ``grad_fn`` when it is read); whether it did."""
    base = view._base
    if base is None or view._grad_fn is not None or view._requires_grad:
        return False
    m = base._meta
    if m is None or m.gained is None or (base._grad_fn is None and not base._requires_grad):
        return False
    made = getattr(view, "_view_ver", -1)
    vm = view._meta
    if made >= m.gained or (vm is not None and vm.detached):
        return False
    _check_contiguous(base)
    _as_strided(view, base, _Geometry(view, base))
    register_view(view, base)  # later writes to the base regenerate it right away
    return True


def copy_slices(view: Any, base: Any, node: Node) -> None:
    """Rebase ``base`` (and ``view``) after ``node`` recorded an in-place write into ``view``."""
    _check_contiguous(base)
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
    _as_strided(view, base, geom)
    regenerate_views(base, skip=view)
