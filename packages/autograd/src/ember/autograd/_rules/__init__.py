"""Derivative rules: how to write one (the contract every ``_rules/<family>.py`` follows).

A rule says how to turn the gradient of an op's output(s) into gradients of its
input(s). It is registered against the op's name; at ``import ember.autograd``
the recorder wraps that op (the ``ember.Tensor`` method, or the module-level
function in ``ember._dispatch``) so that every call on tensors that require
grad records a node whose backward is the rule.

Worked example::

    from ember.autograd._rules import rule

    @rule("mul", inputs=("self", "other"), save=("self", "other"),
          aliases=("multiply", "__mul__", "__rmul__"), inplace=("mul_", "__imul__"))
    def mul(ctx, grad):
        # ctx.<param> is the argument the op was called with, bound by the op's parameter
        # name: here tensors, or a Python number for ``x * 2``.
        return (grad * ctx.other if ctx.needs_input_grad[0] else None,
                grad * ctx.self if ctx.needs_input_grad[1] else None)

    @rule("cat", function=True, inputs=("tensors",))
    def cat(ctx, grad):
        dim = ctx.dim  # a non-tensor argument (its default when the caller left it out)
        sizes = [t.shape[dim] for t in ctx.tensors]
        return (list(grad.split(sizes, dim)),)  # a list-of-tensors input gets a list of grads

    @rule("sort", inputs=("self",), save_output=True, node="SortBackward0")
    def sort(ctx, grad_values, grad_indices):  # one grad per output; None where none flowed
        values, indices = ctx.result
        ...

The contract:

- ``@rule(op, inputs=..., ...)`` registers ``backward(ctx, *grads)``. ``op`` is a
  Tensor method name (``"mul"``, ``"sum"``, ``"__getitem__"``) or, with
  ``function=True``, a key of ``ember._dispatch.OPS`` (``"cat"``, ``"conv2d"``,
  ``"linalg.inv"``). ``inputs`` names the differentiable parameters in the op's
  signature (``"self"`` for the tensor a method is called on); the rule returns
  a tuple with one entry per name in ``inputs``: a tensor, ``None`` (no
  gradient: the input is a number, an integer tensor, or
  ``ctx.needs_input_grad[i]`` is False), or for a list-of-tensors parameter a
  list of those.
- ``backward`` gets one gradient per output of the op: one for a single tensor,
  one per element for tuple results (``None`` for an output that got no
  gradient, and always for integer outputs such as indices). Integer and bool
  outputs are never recorded; an op whose outputs are all integer/bool records
  nothing.
- Gradients may come back in the output's shape and dtype: the engine sums a
  gradient over broadcast dimensions down to the input's shape
  (:func:`sum_to_size`) and casts it to the input's dtype. Return exactly the
  input's shape otherwise.
- Write the backward with Ember tensor ops (``grad * ctx.other``,
  ``ember.where(...)``), never on native arrays: under ``create_graph=True``
  the engine runs the rule with recording on, which is what gives
  second-order gradients. Without it, rules run under ``no_grad``.
- ``ctx`` is the node itself (no extra object per call). ``ctx.<param>`` (or
  ``ctx.arg("param")`` for names that clash with the node's own attributes:
  ``name``, ``next_functions``, ``metadata``, ``rule``, ``binding``, ``apply``) is the value
  the op was called with, whether passed by position or keyword, else the
  default. ``*args`` parameters (``view(*shape)``) come back as a tuple.
  ``ctx.needs_input_grad`` is a tuple of bools, one per ``inputs`` name.
  ``ctx.result`` is the op's output (tuple for multi-output ops) when the rule
  says ``save_output=True``; ``ctx.input_shape(name)`` / ``ctx.input_dtype(name)`` /
  ``ctx.input_device(name)``
  work even for tensors the rule does not save.
- ``save=(...)`` names the tensor inputs whose VALUES the backward reads. They
  are checked against in-place modification (PyTorch's "modified by an
  inplace operation" error) and released after backward. Tensor arguments not
  named in ``save`` are released at backward time: reading them afterwards
  raises the "backward through the graph a second time" error.
- ``node="MulBackward0"`` names the grad_fn class (default: the op's name in
  CamelCase + ``Backward0``); it may be a function of ``ctx`` returning the name
  (``pow`` gives ``PowBackward0`` for a number exponent, ``PowBackward1`` for a
  tensor).
- ``aliases`` are other names bound to the same op with the same signature
  (``multiply``, ``__mul__``); methods that are the very same function object
  on the class are found automatically. ``inplace`` names in-place variants
  (``mul_``, ``__imul__``): the engine records them as the out-of-place op on
  the tensor's previous value and rebases the tensor's history, including
  writes through views (PyTorch's CopySlices).
- ``composite(op, ...)`` declares an op that needs no rule because its
  implementation is made of recorded ops; the coverage test gradchecks it.
  ``nondifferentiable(op, ...)`` declares ops with no gradient (comparisons,
  ``argmax``, ``nonzero``): they are never recorded.
- ``@fast(op)`` adds an optional raw backward to a single-output rule, for speed:
  ``backward(ctx, gd, ref, *inputs)`` computes on native arrays with the kernels of
  ``ref._backend`` when no graph of the backward is built (``create_graph=False``).
  ``gd`` is the output's gradient as a native array, and ``ref`` a tensor with its dtype
  (real floating), device and backend; every tensor input has that same dtype (the
  engine checks; otherwise, and under ``create_graph=True``, the Ember-op rule runs).
  ``inputs`` are the rule's inputs as recorded (tensors, numbers, None); read only the
  tensors the rule saves (the others may be released), and the output through
  ``ctx.output()``. Return one native array (in the output's shape, or the input's),
  ``gd`` itself, or None per input, or ``NotImplemented`` to run the Ember-op rule for
  this call. ``views=True`` says the arrays may share memory with ``gd`` (leaves then
  copy them unless they can keep them); without it, every array returned other than
  ``gd`` must be new memory, which the engine hands on without wrapping it in a tensor.
  The two paths must agree: the tests compare them for every fast rule.
- Tests: each family's ``tests/test_rules_<family>.py`` gradchecks every rule in
  float64 with :func:`ember.autograd.gradcheck` over broadcast and
  non-contiguous (transposed, sliced, expanded) inputs, and gradgradchecks
  those with second derivatives.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from ember._tensor_base import TensorBase

__all__ = [
    "Rule", "rule", "fast", "composite", "nondifferentiable", "RULES", "FUNCTION_RULES", "COMPOSITES",
    "FUNCTION_COMPOSITES", "NONDIFFERENTIABLE", "sum_to_size", "load_all", "FAMILIES", "no_derivative",
]

#: Rule modules, loaded in this order by :func:`load_all` (a missing one is skipped); ``fast``
#: holds raw backwards of the hottest rules of the others (see ``fast``), so it comes last.
FAMILIES = ("elementwise", "reduce", "shape", "index", "linalg", "nn", "sort", "fast")


class Rule:
    """One registered derivative rule (see the module docstring)."""

    __slots__ = (
        "aliases",
        "backward",
        "family",
        "fast",
        "fast_views",
        "function",
        "inplace",
        "inputs",
        "node",
        "op",
        "save",
        "save_output",
    )

    def __init__(self, op: str, function: bool, inputs: tuple[str, ...], save: tuple[str, ...],
                 save_output: bool, node: str | Callable[..., str] | None, backward: Callable[..., Any],
                 aliases: tuple[str, ...], inplace: tuple[str, ...], family: str) -> None:
        self.op = op
        self.function = function
        self.inputs = inputs
        self.save = save
        self.save_output = save_output
        self.node = node if node is not None else default_node_name(op)
        self.backward = backward
        self.aliases = aliases
        self.inplace = inplace
        self.family = family
        self.fast: Callable[..., Any] | None = None  # the raw backward (see ``fast``)
        self.fast_views = False

    def __repr__(self) -> str:
        kind = "function" if self.function else "method"
        return f"<Rule {kind} {self.op!r} inputs={self.inputs}>"


#: Method rules by method name, function rules by ``ember._dispatch.OPS`` key.
RULES: dict[str, Rule] = {}
FUNCTION_RULES: dict[str, Rule] = {}
#: Ops made of recorded ops (no rule needed), by family.
COMPOSITES: dict[str, str] = {}
FUNCTION_COMPOSITES: dict[str, str] = {}
#: Ops without a gradient, by family.
NONDIFFERENTIABLE: dict[str, str] = {}


def default_node_name(op: str) -> str:
    base = op.rsplit(".", 1)[-1].strip("_")
    return "".join(part[:1].upper() + part[1:] for part in base.split("_")) + "Backward0"


def _family(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__module__", "").rsplit(".", 1)[-1]


def rule(op: str, *, inputs: Sequence[str], save: Sequence[str] = (), save_output: bool = False,
         function: bool = False, node: str | Callable[..., str] | None = None,
         aliases: Sequence[str] = (), inplace: Sequence[str] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``backward(ctx, *grads)`` as the derivative rule of ``op`` (see the module docstring)."""
    table = FUNCTION_RULES if function else RULES
    unknown = set(save) - set(inputs)
    if unknown:
        raise ValueError(f"rule {op!r}: save names {sorted(unknown)} that are not among inputs {tuple(inputs)}")

    def register(backward: Callable[..., Any]) -> Callable[..., Any]:
        r = Rule(op, function, tuple(inputs), tuple(save), save_output, node, backward, tuple(aliases),
                 tuple(inplace), _family(backward))
        for name in dict.fromkeys((op, *aliases, *inplace)):  # an in-place-only op lists itself
            if name in table:
                raise RuntimeError(f"op {name!r} has two derivative rules ({table[name].family} and {r.family})")
            table[name] = r
        return backward

    return register


def fast(op: str, *, function: bool = False, views: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give the registered rule of ``op`` (and so its aliases and in-place forms) a raw backward
    ``backward(ctx, g, *inputs)`` for ``create_graph=False`` (see the module docstring)."""
    table = FUNCTION_RULES if function else RULES

    def register(backward: Callable[..., Any]) -> Callable[..., Any]:
        r = table.get(op)
        if r is None:
            raise RuntimeError(f"fast backward for {op!r}: no rule registered for it")
        if r.fast is not None:
            raise RuntimeError(f"op {op!r} has two fast backwards")
        r.fast = backward
        r.fast_views = views
        return backward

    return register


def composite(*ops: str, function: bool = False, family: str = "") -> None:
    """Declare ops whose implementation is made of recorded ops (they need no rule)."""
    table = FUNCTION_COMPOSITES if function else COMPOSITES
    for op in ops:
        table[op] = family


def nondifferentiable(*ops: str, family: str = "") -> None:
    """Declare ops that have no gradient (their results never require grad)."""
    for op in ops:
        NONDIFFERENTIABLE[op] = family


def no_derivative(message: str, exc: type[Exception] = RuntimeError) -> Callable[..., tuple[Any, ...]]:
    """The backward of an op PyTorch records but cannot differentiate: it raises ``exc(message)``,
    PyTorch's exception type and words for that op (``floor_divide``, ``unique``, ...)."""

    def backward(ctx: Any, *grads: Any) -> tuple[Any, ...]:
        raise exc(message)

    return backward


def sum_to_size(grad: Any, shape: Sequence[int]) -> Any:
    """``grad`` summed over the dimensions that broadcasting added or expanded, down to ``shape``."""
    gshape = tuple(grad.shape)
    shape = tuple(shape)
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1
    )
    if dims:
        grad = grad.sum(dim=dims, keepdim=True)
    return grad.reshape(shape) if lead or tuple(grad.shape) != shape else grad


def load_all() -> None:
    """Import every rule family module (registering its rules)."""
    for family in FAMILIES:
        try:
            importlib.import_module(f"{__name__}.{family}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{family}":
                raise


def is_differentiable_tensor(value: Any) -> bool:
    return isinstance(value, TensorBase) and value._dtype.category >= 2
