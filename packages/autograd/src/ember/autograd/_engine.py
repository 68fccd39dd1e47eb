"""The backward engine: ``Tensor.backward`` and ``ember.autograd.grad``.

A walk in two passes, both iterative (no recursion, so a 100,000-op chain is
fine): the first finds every node reachable from the outputs and counts each
node's consumers; the second runs a node once all of its consumers have
passed it their gradients (among ready nodes, the one created last first, like
PyTorch's sequence numbers), accumulating into leaves' ``.grad`` at
``AccumulateGrad`` nodes (or capturing for ``grad()``).
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heappop, heappush
from typing import Any

from ember._tensor_base import TensorBase, is_dense, wrap
from ember.autograd._grad_mode import STATE
from ember.autograd._graph import AccumulateGrad, Node, edge, meta_of
from ember.autograd._record import entry_tensor
from ember.autograd._views import refresh_view

__all__ = ["backward", "grad", "run_backward"]

Edge = tuple[Node, int]


def _as_tuple(x: Any) -> tuple[Any, ...]:
    if x is None:
        return ()
    if isinstance(x, TensorBase):
        return (x,)
    return tuple(x)


def _make_grads(outputs: Sequence[Any], grad_outputs: Sequence[Any]) -> list[Any]:
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs, strict=True)):
        if g is None:
            if out.requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._dtype.category < 2:
                    raise RuntimeError(
                        f"grad can be implicitly created only for real scalar outputs but got {out._dtype}"
                    )
                bk = out._backend  # ones_like(out), straight from the backend
                g = wrap(bk.full(out._data.shape, 1, out._dtype, out._device.index), out._dtype, out._device, bk)
        else:
            if not isinstance(g, TensorBase):
                raise TypeError(
                    f"gradients can be either Tensors or None, but got {type(g).__name__}"
                )
            if tuple(g._data.shape) != tuple(out._data.shape):
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of ember.Size({list(g._data.shape)}) "
                    f"and output[{i}] has a shape of ember.Size({list(out._data.shape)})."
                )
            if g._dtype.category != out._dtype.category:
                raise RuntimeError(
                    f"For complex Tensors, both grad_output and output are required to have the same dtype. "
                    f"Mismatch in dtype: grad_output[{i}] has a dtype of {g._dtype} and output[{i}] has a dtype "
                    f"of {out._dtype}."
                )
        grads.append(g)
    return grads


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Accumulate d(tensors)/d(leaves) into the leaves' ``.grad`` (``Tensor.backward``)."""
    outputs = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(grads)} gradients for {len(outputs)} tensors")
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    grads_l = _make_grads(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(outputs, grads_l, retain_graph, create_graph, inputs, accumulate=True)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple[Any, ...]:
    """The gradients of ``outputs`` with respect to ``inputs`` (nothing is accumulated into ``.grad``)."""
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                             materialize_grads)
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    gos = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outs)
    if len(gos) != len(outs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(gos)} for {len(outs)} outputs")
    for i, out in enumerate(outs):
        if not isinstance(out, TensorBase):
            raise TypeError(f"grad(): outputs must be Tensors, got {type(out).__name__}")
        if not (out._requires_grad or out._grad_fn is not None or (out._base is not None and refresh_view(out))):
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    for t in ins:
        if not isinstance(t, TensorBase):
            raise TypeError(f"grad(): inputs must be Tensors, got {type(t).__name__}")
        if not (t._requires_grad or t._grad_fn is not None or (t._base is not None and refresh_view(t))):
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads_l = _make_grads(outs, gos)
    if retain_graph is None:
        retain_graph = create_graph
    result = run_backward(outs, grads_l, retain_graph, create_graph, ins, accumulate=False)
    final = []
    for t, g in zip(ins, result, strict=True):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
            if materialize_grads:
                from ember import zeros_like

                g = zeros_like(t)
        final.append(g)
    return tuple(final)


def _graph(roots: Sequence[Node]) -> tuple[dict[Node, int], list[Node]]:
    """Consumer counts of every node reachable from ``roots`` and a post-order (inputs first)."""
    deps: dict[Node, int] = {}
    order: list[Node] = []
    seen: set[Node] = set()
    stack: list[tuple[Node, int]] = []
    for r in roots:
        if r in seen:
            continue
        seen.add(r)
        stack.append((r, 0))
        while stack:
            node, i = stack[-1]
            nf = node.next_functions
            if i < len(nf):
                stack[-1] = (node, i + 1)
                nxt = nf[i][0]
                if nxt is None:
                    continue
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, 0))
            else:
                stack.pop()
                order.append(node)
    return deps, order


def _dependencies(roots: Sequence[Node]) -> dict[Node, int]:
    """How many edges lead into each node reachable from ``roots`` (what ``_graph`` counts,
    without the post-order: all a backward without ``inputs`` needs)."""
    deps: dict[Node, int] = {}
    rootset = set(roots)
    stack = list(rootset)
    pop, push = stack.pop, stack.append
    while stack:
        for nxt, _ in pop().next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                if nxt not in rootset:
                    push(nxt)
    return deps


def run_backward(outputs: Sequence[Any], grads: Sequence[Any], retain_graph: bool, create_graph: bool,
                 inputs: Sequence[Any] | None, accumulate: bool) -> list[Any]:
    """Run the graph behind ``outputs``; returns the gradients of ``inputs`` (when given)."""
    root_edges = [edge(o) for o in outputs]
    roots = [e[0] for e in root_edges if e[0] is not None]

    # Targets: where gradients are captured (grad(), backward(inputs=...)).
    targets: dict[tuple[Node, int], int] = {}
    captured: list[Any] = []
    needed: set[Node | None] | None = None
    if inputs is not None:
        deps, order = _graph(roots)
        for k, t in enumerate(inputs):
            captured.append(None)
            e = edge(t)
            if e[0] is not None:
                targets.setdefault((e[0], e[1]), k)
        # Only nodes with a path to a target need to run.
        target_nodes = {n for n, _ in targets}
        reaching: set[Node | None] = set()
        for node in order:  # post-order: a node's inputs come before it
            if node in target_nodes or any(e[0] in reaching for e in node.next_functions):
                reaching.add(node)
        needed = reaching
    else:
        deps = _dependencies(roots)

    buffers: dict[Node, list[Any]] = {}
    user_grads: set[int] = set()
    for (root, nr), g in zip(root_edges, grads, strict=True):
        if root is None:
            continue
        buf = buffers.get(root)
        if buf is None:
            buf = buffers[root] = [None] * root.num_outputs()
        if nr >= len(buf):
            buf.extend([None] * (nr + 1 - len(buf)))
        buf[nr] = g if buf[nr] is None else buf[nr] + g
        _mark_shared(user_grads, g)

    # Ready nodes run by sequence number, the most recently made first (PyTorch's ready queue):
    # what hooks and retain_grad observe. Entries are (-seq, tiebreak, node).
    ready: list[tuple[int, int, Node]] = []
    tie = 0
    for n in dict.fromkeys(roots):
        if n not in deps:
            tie += 1
            heappush(ready, (-n._seq, tie, n))
    state = STATE
    prev_mode = state.enabled
    state.enabled = create_graph
    anomaly = state.anomaly
    # Nodes with a raw backward take and give raw (array, ref) entries (see _record) unless
    # something must see tensors: hooks (checked per node), captures, anomaly mode, a graph.
    plain = not (targets or anomaly or create_graph)
    try:
        while ready:
            node = heappop(ready)[2]
            buf = buffers.pop(node, None)
            outs: tuple[Any, ...] = ()
            if buf is not None:
                hooked = node._hooks is not None
                if plain and not hooked and node._fast is not None and buf[0] is not None and len(buf) == 1:
                    outs = node.apply_fast(buf[0]) or node.apply(_tensors(buf, user_grads), False)  # type: ignore[attr-defined]
                    if not retain_graph:
                        node.release()
                else:
                    buf = _tensors(buf, user_grads)
                    if hooked:
                        buf = _pre_hooks(node, buf)
                    if targets:
                        for nr, g in enumerate(buf):
                            slot = targets.get((node, nr))
                            if slot is not None and not isinstance(node, AccumulateGrad):
                                captured[slot] = g if captured[slot] is None else captured[slot] + g
                    if node.__class__ is AccumulateGrad:
                        _leaf(node, buf[0], targets, captured, accumulate, create_graph, user_grads)
                        continue
                    if needed is None or node in needed:
                        outs = _apply(node, buf, create_graph) if hooked or anomaly else node.apply(buf, create_graph)
                        if not retain_graph:
                            node.release()
                n_outs = len(outs)
                if n_outs > 1 and (n_outs > 2 or outs[0] is outs[1]):
                    ids = [id(o) for o in outs if o is not None]
                    if len(set(ids)) != len(ids):  # one gradient sent two ways: leaves must copy it
                        for o in outs:
                            if o is not None:
                                _mark_shared(user_grads, o)
            nf = node.next_functions
            if len(outs) < len(nf):
                outs = (*outs, *(None,) * (len(nf) - len(outs)))
            for (nxt, nr), g in zip(nf, outs, strict=False):
                if nxt is None:
                    continue
                if g is not None:
                    nb = buffers.get(nxt)
                    if nb is None:
                        nb = buffers[nxt] = [None] * nxt.num_outputs()
                        if nr >= len(nb):
                            nb.extend([None] * (nr + 1 - len(nb)))
                        nb[nr] = g
                    else:
                        if nr >= len(nb):
                            nb.extend([None] * (nr + 1 - len(nb)))
                        old = nb[nr]
                        nb[nr] = g if old is None else _add(old, g, create_graph)
                left = deps[nxt] - 1
                if left:
                    deps[nxt] = left
                else:
                    del deps[nxt]
                    tie += 1
                    heappush(ready, (-nxt._seq, tie, nxt))
    finally:
        state.enabled = prev_mode
    if not accumulate:
        return captured
    if inputs is not None:  # backward(inputs=...) on non-leaf tensors accumulates into their .grad
        for t, g in zip(inputs, captured, strict=True):
            if g is not None and t._grad_fn is not None:
                m = meta_of(t)
                m.grad = g if m.grad is None else m.grad + g
    return captured


def _add(a: Any, b: Any, create_graph: bool) -> Any:
    """Two gradients of one output summed: on arrays when no graph is built and dtypes agree
    (a raw entry stays raw), else as tensors."""
    if a.__class__ is tuple and b.__class__ is tuple:
        ref = a[1]
        return ref._backend.add(a[0], b[0]), ref
    a, b = entry_tensor(a), entry_tensor(b)
    if create_graph or a._dtype is not b._dtype or a._backend is not b._backend:
        return a + b
    return wrap(a._backend.add(a._data, b._data), a._dtype, a._device, a._backend)


def _tensors(buf: list[Any], user_grads: set[int]) -> list[Any]:
    """A node's gradient entries as tensors (a raw pair the engine marked shared stays so)."""
    out = []
    for e in buf:
        if e.__class__ is tuple:
            t = entry_tensor(e)
            if id(e) in user_grads:
                user_grads.add(id(t))
            e = t
        out.append(e)
    return out


def _pre_hooks(node: Node, buf: list[Any]) -> list[Any]:
    table = node.hooks()
    hooks = table.tensor_pre
    if hooks:
        for nr, fns in hooks.items():
            for fn in list(fns.values()):
                if nr < len(buf) and buf[nr] is not None:
                    new = fn(buf[nr])
                    if new is not None:
                        buf[nr] = new
    retain = table.retain
    if retain:
        for nr, ref in retain.items():
            t = ref()
            if t is not None and nr < len(buf) and buf[nr] is not None and t._grad_fn is node:
                m = meta_of(t)
                g = buf[nr]
                if m.grad is None:
                    m.grad = g if g.requires_grad else g.clone()
                else:
                    m.grad = m.grad + g
    pre = table.pre
    if pre:
        for fn in list(pre.values()):
            new = fn(tuple(buf))
            if new is not None:
                buf = list(new)
    return buf


def _apply(node: Node, buf: list[Any], create_graph: bool) -> tuple[Any, ...]:
    if STATE.anomaly:
        from ember.autograd._anomaly import checked_apply

        outs = checked_apply(node, buf, create_graph)
    else:
        outs = node.apply(buf, create_graph)
    post = node._hooks.post if node._hooks is not None else None
    if post:
        for fn in list(post.values()):
            new = fn(outs, tuple(buf))
            if new is not None:
                outs = tuple(new)
    return outs


def _leaf(node: AccumulateGrad, g: Any, targets: dict[tuple[Node, int], int], captured: list[Any],
          accumulate: bool, create_graph: bool, user_grads: set[int]) -> None:
    t = node.variable
    m = t._meta
    if m is not None and m.hooks:
        for fn in list(m.hooks.values()):
            new = fn(g)
            if new is not None:
                g = new
    if targets:
        k = targets.get((node, 0))
        if k is None:
            return
        if not accumulate:
            captured[k] = g if captured[k] is None else captured[k] + g
            return
    base = g._base
    accumulate_grad(t, g, create_graph, id(g) in user_grads or (base is not None and id(base) in user_grads))


def _mark_shared(user_grads: set[int], g: Any) -> None:
    """Remember that gradient entry ``g`` (and the memory it views) is seen elsewhere: a leaf must copy it."""
    user_grads.add(id(g))
    if g.__class__ is not tuple and g._base is not None:
        user_grads.add(id(g._base))


def accumulate_grad(t: Any, g: Any, create_graph: bool, shared: bool) -> None:
    """Add ``g`` into the leaf's ``.grad`` (PyTorch's AccumulateGrad: in place when it can)."""
    m = meta_of(t)
    old = m.grad
    if old is None:
        if not create_graph:
            if g._grad_fn is not None or g._requires_grad:
                g = g.detach()
            if shared or (g._base is not None and not _keepable_view(g, t)):
                g = g.clone()
        m.grad = g
    elif create_graph or old.requires_grad or g.requires_grad:
        m.grad = old + g
    elif old._base is None and tuple(old._data.shape) == tuple(g._data.shape):
        old.add_(g)
    else:
        m.grad = old + g


def _keepable_view(g: Any, t: Any) -> bool:
    """Whether the leaf may keep ``g``, a view of a gradient nobody else sees, as its ``.grad``
    without a copy: PyTorch's layout contract (dense, with the variable's strides); a
    broadcast or otherwise overlapping view is always copied."""
    bk = g._backend
    if not bk.strided_views:
        return True  # "views" there are copies
    strides = bk.strides(g._data)
    return strides == bk.strides(t._data) and is_dense(tuple(g._data.shape), tuple(strides))


def _batched_grad(outputs: Any, inputs: Any, grad_outputs: Any, retain_graph: bool | None, create_graph: bool,
                  allow_unused: bool | None, materialize_grads: bool) -> tuple[Any, ...]:
    """``grad(..., is_grads_batched=True)``: one vector-Jacobian product per slice of the grad_outputs'
    leading dim, stacked (torch vectorises this with vmap; Ember has none, so it runs one backward each)."""
    from ember import stack

    gos = _as_tuple(grad_outputs) if grad_outputs is not None else ()
    if not gos or any(not isinstance(g, TensorBase) or g._data.ndim == 0 for g in gos):
        raise RuntimeError(
            "grad(): is_grads_batched=True needs grad_outputs: one tensor per output, each with a leading batch dim"
        )
    sizes = {g._data.shape[0] for g in gos}
    if len(sizes) != 1:
        raise RuntimeError(f"grad(): is_grads_batched=True needs one batch size, got leading dims {sorted(sizes)}")
    n = sizes.pop()
    keep = create_graph if retain_graph is None else retain_graph
    rows = [
        grad(outputs, inputs, tuple(g[b] for g in gos), retain_graph=keep or b < n - 1, create_graph=create_graph,
             allow_unused=allow_unused, materialize_grads=materialize_grads)
        for b in range(n)
    ]
    ins = _as_tuple(inputs)
    if not rows:  # an empty batch: empty gradients of the inputs' shapes
        from ember import empty

        return tuple(empty((0, *t.shape), dtype=t.dtype, device=t.device) for t in ins)
    return tuple(
        None if any(r[i] is None for r in rows) else stack([r[i] for r in rows]) for i in range(len(ins))
    )
