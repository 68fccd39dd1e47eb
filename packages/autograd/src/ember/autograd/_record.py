"""The recorder: wraps every op that has a rule so that calls on tensors that require grad
record a node (see ``_rules`` for the rule contract).

Hot path of a wrapped op: read the thread's grad mode, look for a tensor argument
that requires grad, and call the plain op when there is none. Otherwise the op
runs with recording off (so the ops it is made of are not recorded again) and a
node is attached to its floating outputs.
"""

from __future__ import annotations

import inspect
import operator
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from ember import _dispatch
from ember._tensor import Tensor
from ember._tensor_base import TensorBase, wrap
from ember.autograd._grad_mode import STATE
from ember.autograd._graph import FREED_MESSAGE, Node, edge, meta_of, next_seq, saved_version, shell
from ember.autograd._rules import FUNCTION_RULES, RULES, Rule, load_all, sum_to_size
from ember.autograd._views import (
    copy_slices,
    mark_gained,
    refresh_view,
    regenerate_views,
    register_view,
)

__all__ = ["install", "RuleNode", "Binding", "INSTALLED", "version_error", "rebase_history", "entry_tensor"]

FLOATING = 2
_RELEASED = object()  # stands for a tensor argument dropped after backward
_LIST_TYPES = (list, tuple)


class Binding:
    """Where each parameter of an op's signature sits in a call's ``args`` / ``kwargs``."""

    __slots__ = ("defaults", "getter", "index", "inputs", "max_pos", "names", "node_cls", "save_idx", "varpos")

    def __init__(self, fn: Callable[..., Any], rule: Rule) -> None:
        self.index: dict[str, int] = {}
        self.defaults: dict[str, Any] = {}
        self.varpos: int | None = None
        params = list(inspect.signature(fn).parameters.values())
        self.names = tuple(p.name for p in params)
        for i, p in enumerate(params):
            if p.kind is p.VAR_POSITIONAL:
                self.varpos = i
                self.index[p.name] = i
            elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and self.varpos is None:
                self.index[p.name] = i
            if p.default is not p.empty:
                self.defaults[p.name] = p.default
        if params and params[0].name != "self" and not rule.function and "self" in rule.inputs:
            self.index["self"] = 0  # operator methods name their first parameter differently
        missing = [n for n in rule.inputs if n not in self.index and n not in self.names]
        if missing:
            raise RuntimeError(
                f"rule {rule.op!r} ({rule.family}) names inputs {missing} that "
                f"{getattr(fn, '__qualname__', fn)} does not have (parameters: {self.names})"
            )
        # (position or -1, name, default) of each differentiable input, for the recording path
        self.inputs = tuple((self.index.get(n, -1), n, self.defaults.get(n)) for n in rule.inputs)
        positions = [i for i, _, _ in self.inputs]
        # Fast path: every input given by position (x * y): one C-level itemgetter call.
        self.max_pos = max(positions) if positions and min(positions) >= 0 else None
        if self.max_pos is not None and self.varpos is not None and self.max_pos >= self.varpos:
            self.max_pos = None
        getter = operator.itemgetter(*positions) if self.max_pos is not None else None
        self.getter = (lambda args, g=getter: (g(args),)) if len(positions) == 1 and getter else getter
        self.save_idx = tuple(rule.inputs.index(n) for n in rule.save)
        self.node_cls = None if callable(rule.node) else node_class(rule, self, rule.node)

    def value(self, args: tuple[Any, ...], kwargs: dict[str, Any], name: str) -> Any:
        i = self.index.get(name)
        if i is not None:
            if i == self.varpos:
                return args[i:]
            if i < len(args):
                return args[i]
        if name in kwargs:
            return kwargs[name]
        if name in self.defaults:
            return self.defaults[name]
        raise AttributeError(f"the op has no argument {name!r} (parameters: {self.names})")

    def bind_inputs(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        n = len(args)
        if self.max_pos is not None and n > self.max_pos:
            return self.getter(args)  # type: ignore[misc]
        varpos = self.varpos
        return tuple(
            (args[i:] if i == varpos else args[i]) if 0 <= i < n else kwargs.get(name, default)
            for i, name, default in self.inputs
        )


def _shape(v: Any) -> Any:
    if v is None:
        return None
    return tuple(v._data.shape) if isinstance(v, TensorBase) else v[0]


def _dtype(v: Any) -> Any:
    if v is None:
        return None
    return v._dtype if isinstance(v, TensorBase) else v[1]


def version_error(t: Any, node: Node | None, output_nr: int, now: int, expected: int) -> RuntimeError:
    desc = f"[{_type_name(t)} [{', '.join(str(s) for s in t._data.shape)}]]"
    if node is not None:
        desc += f", which is output {output_nr} of {node.name()},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"{desc} is at version {now}; expected version {expected} instead. Hint: enable anomaly detection to "
        "find the operation that failed to compute its gradient, with "
        "ember.autograd.set_detect_anomaly(True, check_nan=False)."
    )


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "bfloat16": "BFloat16Tensor", "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}


def _type_name(t: Any) -> str:
    return f"ember.{_TYPE_NAMES.get(t._dtype.name, 'Tensor')}"


class RuleNode(Node):
    """A node whose backward is a registered rule; one subclass per (rule, node name).

    The node is also the ``ctx`` its rule receives: ``ctx.<param>`` reads the call's
    arguments (``__getattr__`` runs only for names that are not the node's own).
    """

    __slots__ = ("_args", "_inputs", "_kwargs", "_n_outputs", "_out", "_saved", "freed")

    rule: Rule
    binding: Binding
    has_lists: bool
    _args: tuple[Any, ...] | None  # the call's arguments (tensors replaced by _RELEASED after release)
    _inputs: tuple[Any, ...]  # the rule's inputs (tensors; _InputMeta after release)
    _kwargs: dict[str, Any]
    _n_outputs: int  # the length of a tuple result; 0 for a single tensor
    _out: Any  # (shell, version counter, version) of the output (a tuple of those), or None
    _saved: tuple[tuple[Any, list[int], int], ...] | None
    freed: bool

    @property
    def rule_multi(self) -> bool:
        """Whether this call returned a tuple of outputs (set per node: one op may return either)."""
        return self._n_outputs > 0

    def __getattr__(self, name: str) -> Any:
        if name[:1] == "_":  # unset optional slots (hook tables) and dunders: not arguments
            raise AttributeError(name)
        return self.arg(name)

    def arg(self, name: str) -> Any:
        """The argument the op was called with for parameter ``name`` (or its default)."""
        node = self
        args = self._args
        if args is None:
            raise RuntimeError(FREED_MESSAGE)
        value = node.binding.value(args, self._kwargs, name)
        if value is _RELEASED or (value.__class__ in _LIST_TYPES and _RELEASED in value):
            raise RuntimeError(FREED_MESSAGE)
        return value

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """One bool per rule input: whether a gradient for it is wanted."""
        node = self
        nf = node.next_functions
        if not node.has_lists:
            return tuple([e[0] is not None for e in nf])
        out, k = [], 0
        for v in node._inputs:
            if v.__class__ in _LIST_TYPES:
                out.append(any(e[0] is not None for e in nf[k:k + len(v)]))
                k += len(v)
            else:
                out.append(nf[k][0] is not None)
                k += 1
        return tuple(out)

    @property
    def result(self) -> Any:
        """The op's output (a tuple for multi-output ops); rules must ask with ``save_output=True``."""
        out = self._out
        if out is None:
            if self._args is None:
                raise RuntimeError(FREED_MESSAGE)
            raise RuntimeError(f"rule {self.rule.op!r} reads ctx.result without save_output=True")
        node = self
        multi = node.rule_multi
        outs = out if multi else (out,)
        res: list[Any] = []
        for i, (t, ver, expected) in enumerate(outs):
            if t is None:
                res.append(None)
                continue
            if ver[0] != expected:
                raise version_error(t, node, i, ver[0], expected)
            if STATE.enabled:  # create_graph: the output, connected to this node
                t = wrap(t._data, t._dtype, t._device, t._backend)
                t._grad_fn = node
                if i:
                    meta_of(t).output_nr = i
            res.append(t)
        return tuple(res) if multi else res[0]

    def output(self) -> Any:
        """The op's (single) output as saved, version-checked, with no history: what a fast
        backward reads (``ctx.result`` is the Ember-op rules' form)."""
        out = self._out
        if out is None:
            if self._args is None:
                raise RuntimeError(FREED_MESSAGE)
            raise RuntimeError(f"rule {self.rule.op!r} reads its output without save_output=True")
        t, ver, expected = out
        if ver[0] != expected:
            raise version_error(t, self, 0, ver[0], expected)
        return t

    def _input(self, name: str) -> Any:
        if self.freed:  # a node whose saved tensors were released keeps nothing else either
            raise RuntimeError(FREED_MESSAGE)
        return self._inputs[self.rule.inputs.index(name)]

    def input_shape(self, name: str) -> Any:
        """The shape of tensor input ``name`` (a list of shapes for a list input), even after the
        release of a node that saved no tensors (it can run again)."""
        v = self._input(name)
        return [_shape(x) for x in v] if v.__class__ in _LIST_TYPES else _shape(v)

    def input_device(self, name: str) -> Any:
        v = self._input(name)
        return v._device if isinstance(v, TensorBase) else v[2]

    def input_dtype(self, name: str) -> Any:
        v = self._input(name)
        return [_dtype(x) for x in v] if v.__class__ in _LIST_TYPES else _dtype(v)



    def _check_saved(self) -> None:
        """PyTorch's errors for a node released by an earlier backward or whose saved tensors
        were modified in place since."""
        if self.freed:
            raise RuntimeError(FREED_MESSAGE)
        saved = self._saved
        if saved is not None:
            for t, ver, expected in saved:
                if ver[0] != expected:
                    fn = t._grad_fn
                    nr = 0 if t._meta is None else t._meta.output_nr
                    raise version_error(t, fn, nr, ver[0], expected)

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        ctx = self
        self._check_saved()
        rule = self.rule
        if rule.fast is not None and not create_graph and not self._n_outputs and grads[0] is not None:
            fast = self._apply_fast(grads[0])
            if fast is not None:
                return tuple([entry_tensor(e) for e in fast])
        res = rule.backward(ctx, *grads)
        if res.__class__ is not tuple:
            res = tuple(res) if isinstance(res, list) else (res,)
        if len(res) != len(rule.inputs):
            raise RuntimeError(
                f"derivative rule of {rule.op!r} ({rule.family}) returned {len(res)} gradients for "
                f"{len(rule.inputs)} inputs {rule.inputs}"
            )
        if not self.has_lists:
            return tuple(_fit(g, inp, rule) for g, inp in zip(res, self._inputs, strict=True))
        flat: list[Any] = []
        for g, inp in zip(res, self._inputs, strict=True):
            if inp.__class__ in _LIST_TYPES:
                gs = [None] * len(inp) if g is None else list(g)
                flat.extend(_fit(gi, ti, rule) for gi, ti in zip(gs, inp, strict=True))
            else:
                flat.append(_fit(g, inp, rule))
        return tuple(flat)

    def apply_fast(self, e: Any) -> tuple[Any, ...] | None:
        """The engine's fast path: the rule's raw backward on gradient entry ``e`` (a tensor, or
        a raw ``(array, ref)`` pair; see ``_engine``), giving one entry or None per input; None
        where the raw backward does not apply (the engine then calls :meth:`apply`)."""
        self._check_saved()
        return self._apply_fast(e)

    def _apply_fast(self, e: Any) -> tuple[Any, ...] | None:
        """The rule's raw backward (see ``_rules.fast``) on entry ``e``; None where it does not apply.

        Fresh arrays go out as raw ``(array, ref)`` pairs, never wrapped in a tensor; ``e``
        itself where the rule passes the gradient through; views of it (``views=True``
        rules) as tensors whose base is the incoming gradient, so leaves know to check them.
        """
        if self.has_lists or self._n_outputs:
            return None
        if e.__class__ is tuple:
            gd, ref = e
        else:
            gd, ref = e._data, e
        dt = ref._dtype
        if dt.category != FLOATING:
            return None
        inputs = self._inputs
        for v in inputs:  # kernels get operands of one dtype
            if isinstance(v, TensorBase):
                if v._dtype is not dt:
                    return None
            elif v.__class__ is _InputMeta and v[1] is not dt:
                return None
        rule = self.rule
        res = rule.fast(self, gd, ref, *inputs)  # type: ignore[misc]
        if res is NotImplemented:
            return None
        views = rule.fast_views
        base = None
        out: list[Any] = []
        for r, v, edge_ in zip(res, inputs, self.next_functions, strict=True):
            if r is None or edge_[0] is None:
                out.append(None)
                continue
            shape = v._data.shape if isinstance(v, TensorBase) else v[0]
            if r is gd and gd.shape == shape:
                out.append(e)
                continue
            if r.shape != shape:  # broadcasting summed away: new memory
                r = _sum_to(ref._backend, r, tuple(shape), dt)
            elif views:
                if base is None:
                    base = entry_tensor(e)
                out.append(wrap(r, dt, ref._device, ref._backend, base))
                continue
            out.append((r, ref))
        return tuple(out)

    def release(self) -> None:
        if self._saved is not None or self._out is not None:
            # It can never run again: drop every reference at once (arg() then raises FREED).
            self.freed = True
            self._saved = self._out = self._args = None
            self._inputs = ()
            if self._kwargs:
                self._kwargs = {}
            return
        args = self._args
        if args is not None:
            self._args = tuple([
                _RELEASED if isinstance(a, TensorBase) else (_released(a) if a.__class__ in _LIST_TYPES else a)
                for a in args
            ])
            if self._kwargs:
                self._kwargs = {k: _released(v) for k, v in self._kwargs.items()}
        self._inputs = tuple([
            _InputMeta((tuple(v._data.shape), v._dtype, v._device)) if isinstance(v, TensorBase)
            else ([_meta_only(x) for x in v] if v.__class__ in _LIST_TYPES else v)
            for v in self._inputs
        ])

    def num_outputs(self) -> int:
        return self._n_outputs or 1

    @property
    def metadata(self) -> dict[str, Any]:
        return {}


def entry_tensor(e: Any) -> Any:
    """A gradient entry of the engine as a tensor: a raw ``(array, ref)`` pair is wrapped
    (the array is new memory of ``ref``'s dtype, device and backend); a tensor or None as is."""
    if e.__class__ is tuple:
        arr, ref = e
        return wrap(arr, ref._dtype, ref._device, ref._backend)
    return e


def _released(a: Any) -> Any:
    if isinstance(a, TensorBase):
        return _RELEASED
    if a.__class__ in _LIST_TYPES and any(isinstance(x, TensorBase) for x in a):
        return (_RELEASED,)
    return a


class _InputMeta(tuple[Any, ...]):
    """(shape, dtype, device) of a released tensor input; not a list input (its class is not tuple)."""

    __slots__ = ()


def _meta_only(v: Any) -> Any:
    return _InputMeta((tuple(v._data.shape), v._dtype, v._device)) if isinstance(v, TensorBase) else v


def _sum_to(bk: Any, r: Any, shape: tuple[int, ...], dt: Any) -> Any:
    """Native ``r`` summed over the dims broadcasting added or expanded, down to ``shape``."""
    rshape = tuple(r.shape)
    lead = len(rshape) - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and rshape[i + lead] != 1)
    if axes:
        r = bk.sum(r, axes, True, dt)
    return bk.reshape(r, shape, None) if tuple(r.shape) != shape else r


def _fit(g: Any, inp: Any, rule: Rule) -> Any:
    """A rule's gradient made to match its input: broadcast dims summed away, the input's dtype."""
    if g is None or inp is None:
        return None
    if not isinstance(g, TensorBase):
        raise TypeError(f"derivative rule of {rule.op!r} returned {type(g).__name__}, expected a Tensor or None")
    if isinstance(inp, TensorBase):
        shape, dt = inp._data.shape, inp._dtype
    else:
        shape, dt = inp[0], inp[1]
    if g._data.shape != shape:
        g = sum_to_size(g, shape)
    if g._dtype is not dt:
        if dt.category < FLOATING:
            return None
        if g._dtype.category > dt.category:  # a real input's gradient is the real part (as PyTorch)
            g = g.real
        if g._dtype is not dt:
            g = g.to(dt)
    return g


_NODE_CLASSES: dict[tuple[int, str], type[RuleNode]] = {}


def node_class(rule: Rule, binding: Binding, name: str) -> type[RuleNode]:
    key = (id(binding), name)
    cls = _NODE_CLASSES.get(key)
    if cls is None:
        cls = _NODE_CLASSES[key] = type(name, (RuleNode,), {
            "__slots__": (), "__module__": "ember.autograd", "rule": rule, "binding": binding,
            "has_lists": False, "_fast": rule.fast,
        })
    return cls


def _edges(inputs: tuple[Any, ...]) -> tuple[tuple[tuple[Node | None, int], ...], bool, bool]:
    """The inputs' edges, whether an input is a list of tensors, and whether any edge is live."""
    edges = []
    lists = live = False
    for v in inputs:
        if isinstance(v, TensorBase):
            fn = v._grad_fn
            if fn is not None:
                m = v._meta
                edges.append((fn, 0 if m is None else m.output_nr))
                live = True
            elif v._requires_grad or (v._base is not None and refresh_view(v)):
                edges.append(edge(v))
                live = True
            else:
                edges.append(_NO_EDGE)
        elif v.__class__ in _LIST_TYPES:
            lists = True
            for x in v:
                e = edge(x) if isinstance(x, TensorBase) else _NO_EDGE
                edges.append(e)
                live = live or e[0] is not None
        else:
            edges.append(_NO_EDGE)
    return tuple(edges), lists, live


_NO_EDGE = (None, 0)


def _clean_inputs(inputs: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        v if isinstance(v, TensorBase) else
        ([x if isinstance(x, TensorBase) else None for x in v] if v.__class__ in _LIST_TYPES else None)
        for v in inputs
    )


def make_node(rule: Rule, binding: Binding, args: tuple[Any, ...], kwargs: dict[str, Any],
              inputs: tuple[Any, ...], edges: tuple[tuple[Node | None, int], ...], lists: bool) -> RuleNode:
    cls = binding.node_cls
    if cls is None:
        probe = _Probe.__new__(_Probe)
        probe._args, probe._kwargs, probe.binding = args, kwargs, binding
        cls = node_class(rule, binding, rule.node(probe))  # type: ignore[operator]
    node = cls.__new__(cls)
    node._seq = next_seq()
    node.next_functions = edges
    node._hooks = None
    node._args = args
    node._kwargs = kwargs
    node._out = None
    node._n_outputs = 0
    node._inputs = _clean_inputs(inputs) if lists else inputs
    node.freed = False
    if lists and not cls.has_lists:
        cls.has_lists = True  # a rule's list-of-tensors input is one on every call
    if binding.save_idx:
        saved = []
        for k in binding.save_idx:
            t = inputs[k]
            if isinstance(t, TensorBase):
                ver = t._version or _new_version(t)
                saved.append((t, ver, ver[0]))
            elif t.__class__ in _LIST_TYPES:
                saved.extend((x, x._version or _new_version(x), saved_version(x)) for x in t if isinstance(x, TensorBase))
        node._saved = tuple(saved)
    else:
        node._saved = None
    if STATE.anomaly:
        node._trace = "".join(traceback.format_stack()[:-3])
    return node


class _Probe:
    """Reads a call's arguments by name for a node-name function, before the node exists."""

    __slots__ = ("_args", "_kwargs", "binding")

    _args: tuple[Any, ...]
    _kwargs: dict[str, Any]
    binding: Binding

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.binding.value(self._args, self._kwargs, name)

    def arg(self, name: str) -> Any:
        return self.binding.value(self._args, self._kwargs, name)


def _new_version(t: TensorBase) -> list[int]:
    saved_version(t)
    return t._version  # type: ignore[return-value]


def _finish(node: RuleNode, rule: Rule, out: Any) -> Any:
    """Attach ``node`` to the floating outputs of ``out``; save them if the rule asks."""
    if isinstance(out, TensorBase):
        out._grad_fn = node
        base = out._base
        if base is not None and base._grad_fn is not None:
            register_view(out, base)
        if rule.save_output:
            ver = _version_of(out)
            node._out = (shell(out), ver, ver[0])
        return out
    node._n_outputs = len(out)
    saved: list[Any] = []
    for i, t in enumerate(out):
        if isinstance(t, TensorBase) and t._dtype.category >= FLOATING:
            t._grad_fn = node
            if i:
                meta_of(t).output_nr = i
            base = t._base
            if base is not None and base._grad_fn is not None:
                register_view(t, base)
            if rule.save_output:
                ver = _version_of(t)
                saved.append((shell(t), ver, ver[0]))
        elif rule.save_output:
            saved.append((t if isinstance(t, TensorBase) else None, [0], 0) if isinstance(t, TensorBase) else (None, [0], 0))
    if rule.save_output:
        node._out = tuple(saved)
    return out


def _version_of(t: TensorBase) -> list[int]:
    if t._version is None:
        saved_version(t)
    return t._version  # type: ignore[return-value]


def _differentiable(out: Any) -> bool:
    if isinstance(out, TensorBase):
        return out._dtype.category >= FLOATING
    if isinstance(out, tuple):
        return any(isinstance(t, TensorBase) and t._dtype.category >= FLOATING for t in out)
    return False


def record(rule: Rule, binding: Binding, fn: Callable[..., Any], args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> Any:
    """Run ``fn`` with recording off, then attach a node for ``rule`` to its result."""
    state = STATE
    state.enabled = False
    try:
        out = fn(*args, **kwargs)
    finally:
        state.enabled = True
    if isinstance(out, TensorBase):
        if out._dtype.category < FLOATING:
            return out
    elif not _differentiable(out):
        return out
    inputs = binding.bind_inputs(args, kwargs)
    for v in inputs:
        if v is out:
            return out  # the op returned its input (x.to(x.dtype), x.contiguous())
    edges, lists, live = _edges(inputs)
    if edges and not live:
        return out  # no differentiable input requires grad (only an integer index did, say)
    node = make_node(rule, binding, args, kwargs, inputs, edges, lists)
    if out.__class__ is not Tensor or out._base is not None or rule.save_output:
        return _finish(node, rule, out)
    out._grad_fn = node  # _finish's common case: one tensor, not a view, nothing to save
    return out


def _any_needs_grad(values: Iterable[Any]) -> bool:
    """Whether a tensor among ``values`` (or inside a list/tuple among them) is part of a graph."""
    for a in values:
        if isinstance(a, TensorBase):
            if a._requires_grad or a._grad_fn is not None or (a._base is not None and refresh_view(a)):
                return True
        elif a.__class__ in _LIST_TYPES:
            for x in a:
                if isinstance(x, TensorBase) and (
                    x._requires_grad or x._grad_fn is not None or (x._base is not None and refresh_view(x))
                ):
                    return True
    return False


def _needs_grad(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    return _any_needs_grad(args) or (bool(kwargs) and _any_needs_grad(kwargs.values()))


def make_recorder(fn: Callable[..., Any], rule: Rule, binding: Binding) -> Callable[..., Any]:
    state = STATE

    def recorder(*args: Any, **kwargs: Any) -> Any:
        if state.enabled:
            slow = bool(kwargs)
            for a in args:
                if isinstance(a, TensorBase):
                    if a._requires_grad or a._grad_fn is not None or (a._base is not None and refresh_view(a)):
                        return record(rule, binding, fn, args, kwargs)
                elif a.__class__ in _LIST_TYPES:
                    slow = True
            if slow and _needs_grad(args, kwargs):
                return record(rule, binding, fn, args, kwargs)
        return fn(*args, **kwargs)

    _dress(recorder, fn)
    return recorder


def make_inplace_recorder(fn: Callable[..., Any], rule: Rule, binding: Binding, name: str) -> Callable[..., Any]:
    state = STATE
    saves_self = "self" in rule.save

    def recorder(self: Any, *args: Any, **kwargs: Any) -> Any:
        base = self._base
        if base is not None and state.enabled:
            refresh_view(self)  # a view made before its base gained history: give it that history
        if not state.enabled or not (
            self._requires_grad or self._grad_fn is not None or _needs_grad(args, kwargs)
            or (base is not None and (base._grad_fn is not None or base._requires_grad))
        ):
            return fn(self, *args, **kwargs)
        if base is not None and is_detached_view(self):  # a detach() result is not part of base's history
            base = None
            if not (self._requires_grad or self._grad_fn is not None or _needs_grad(args, kwargs)):
                return fn(self, *args, **kwargs)
        check_inplace_target(self)
        old = self
        if saves_self:
            old = _value_copy(self)  # the rule reads self's value from before the write
        full = (old, *args)
        inputs = binding.bind_inputs(full, kwargs)
        edges, lists, _ = _edges(inputs)
        node = make_node(rule, binding, full, kwargs, inputs, edges, lists)
        state.enabled = False
        try:
            result = fn(self, *args, **kwargs)
        finally:
            state.enabled = True
        if result is not self:
            return result
        if all(e[0] is None for e in node.next_functions) and (
            base is None or (base._grad_fn is None and not base._requires_grad)
        ):
            return result  # nothing that requires grad is involved
        rebase_history(self, node, rule)
        return self

    _dress(recorder, fn)
    return recorder


def _value_copy(t: Any) -> Any:
    """A copy of ``t``'s values with ``t``'s place in the graph (what an in-place op read)."""
    c = wrap(t._backend.copy(t._data), t._dtype, t._device, t._backend)
    c._grad_fn = t._grad_fn
    c._requires_grad = t._requires_grad
    if t._meta is not None and t._grad_fn is not None:
        meta_of(c).output_nr = t._meta.output_nr
    return c


_MULTI_VIEW = (
    "Output {nr} of {op} is a view and is being modified inplace. This view is the output of a function that "
    "returns multiple views. Such functions do not allow the output views to be modified inplace. You should "
    "replace the inplace operation by an out-of-place one."
)
_NO_GRAD_VIEW = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this "
    "use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view "
    "and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both "
    "outside (if you want the inplace to be tracked)."
)


#: The view functions with several outputs whose outputs PyTorch refuses to write in place
#: (``tensor_split``/``hsplit`` are made of slices there, and allowed).
_MULTI_VIEW_OPS = {"UnbindBackward0": "Unbind", "SplitBackward0": "Split", "SplitWithSizesBackward0": "SplitWithSizes"}


def is_detached_view(t: Any) -> bool:
    """A ``detach()`` result: shares its base's memory, but writes to it are not part of any history."""
    m = t._meta
    return m is not None and m.detached


def check_inplace_target(t: Any) -> None:
    """PyTorch's refusals of in-place writes (grad mode on): into leaves that require grad and
    their views, into outputs of multi-output view functions, into views made under no_grad."""
    fn = t._grad_fn
    if fn is None and t._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = t._base
    if base is None or not STATE.enabled or is_detached_view(t):
        return
    if fn is None:
        if base._grad_fn is not None or base._requires_grad:
            raise RuntimeError(_NO_GRAD_VIEW)
        return
    op = _MULTI_VIEW_OPS.get(type(fn).__name__)
    if op is not None:
        nr = 0 if t._meta is None else t._meta.output_nr
        raise RuntimeError(_MULTI_VIEW.format(nr=nr, op=op))
    if base._grad_fn is None and base._requires_grad:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )


def rebase_history(t: Any, node: RuleNode, rule: Rule) -> None:
    """Make ``node`` the producer of ``t`` after an in-place write (CopySlices for views);
    the other recorded views of the same base get the new history."""
    base = t._base
    if base is not None and not is_detached_view(t):
        mark_gained(base)
        copy_slices(t, base, node)
    else:
        mark_gained(t)
        t._grad_fn = node
        m = t._meta
        if m is not None:
            m.output_nr = 0
            if m.views:
                regenerate_views(t)
    if rule.save_output:
        ver = _version_of(t)
        node._out = (shell(t), ver, ver[0])


def _dress(recorder: Callable[..., Any], fn: Callable[..., Any]) -> None:
    recorder.__name__ = getattr(fn, "__name__", "op")
    recorder.__qualname__ = getattr(fn, "__qualname__", recorder.__name__)
    recorder.__doc__ = fn.__doc__
    recorder.__wrapped__ = fn  # type: ignore[attr-defined]
    recorder.__ember_recorded__ = True  # type: ignore[attr-defined]


#: What install() wrapped: method name -> original function, function op -> rule.
INSTALLED: dict[str, Callable[..., Any]] = {}


def install() -> None:
    """Wrap every op that has a rule (Tensor methods on the class, functions via ``_dispatch``)."""
    load_all()
    _bindings: dict[int, Binding] = {}
    originals: dict[int, list[str]] = {}
    for name, value in list(vars_of_tensor().items()):
        originals.setdefault(id(value), []).append(name)
    for name, rule in list(RULES.items()):
        if name in INSTALLED:
            continue
        fn = INSTALLED.get(name) or _original(name)
        if fn is None:
            raise RuntimeError(f"rule {name!r} ({rule.family}): ember.Tensor has no method {name!r}")
        # Aliases and in-place forms are bound by the primary op's parameter names (same positions).
        binding = _bindings.get(id(rule))
        if binding is None:
            binding = _bindings[id(rule)] = Binding(_original(rule.op) or fn, rule)
        is_inplace = name in rule.inplace
        for same in originals.get(id(fn), [name]):  # every name bound to this very function
            if same in INSTALLED or (same != name and same in RULES and RULES[same] is not rule):
                continue
            INSTALLED[same] = fn
            wrapped = make_inplace_recorder(fn, rule, binding, same) if is_inplace else make_recorder(fn, rule, binding)
            setattr(Tensor, same, wrapped)
    for op, rule in FUNCTION_RULES.items():
        fn = _dispatch.OPS.get(op)
        if fn is None:
            raise RuntimeError(f"rule {op!r} ({rule.family}): no dispatched function {op!r} in ember._dispatch.OPS")
        _dispatch.RECORDERS[op] = make_recorder(fn, rule, Binding(fn, rule))


def vars_of_tensor() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for klass in reversed(Tensor.__mro__):
        for k, v in vars(klass).items():
            if callable(v) and not isinstance(v, type):
                out[k] = v
    return out


def _original(name: str) -> Callable[..., Any] | None:
    fn = vars_of_tensor().get(name)
    return getattr(fn, "__wrapped__", fn) if fn is not None else None
