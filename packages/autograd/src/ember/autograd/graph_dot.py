"""See the graph behind a tensor: Graphviz DOT text in torchviz's style.

:func:`graph_to_dot` walks ``grad_fn.next_functions`` from a tensor (iteratively: a
100,000-op chain is fine) and draws, as torchviz's ``make_dot`` does:

- the output tensor(s): green boxes labelled with their shape;
- one grey box per backward node, named as PyTorch names it (``MulBackward0``,
  ``AccumulateGrad``), with an edge from each input's node to its consumer;
- leaves: blue boxes with their shape and, when ``params`` names them, their name;
- with ``show_saved=True``: what each node saved for backward (orange boxes with the
  saved argument's name, ``self``, ``other``, ``result``, and its shape; undirected edges);
- a view's base tensor, joined to the view by a dotted edge.

The result is a ``str`` (the DOT source) with :meth:`DotGraph.render`, :meth:`DotGraph.pipe`
and :meth:`DotGraph.save`; the first two need the optional ``graphviz`` package
(``pip install 'ember-autograd[graphviz]'``) and Graphviz's ``dot`` program.

>>> import ember
>>> from ember.autograd import graph_to_dot
>>> w = ember.ones(2, requires_grad=True)
>>> print(graph_to_dot(w * 2, params={"w": w}).splitlines()[0])
digraph {
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

from ember._tensor_base import TensorBase
from ember.autograd._function import BackwardCFunction
from ember.autograd._graph import AccumulateGrad

__all__ = ["graph_to_dot", "DotGraph"]

_NODE_ATTR = 'align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled'
_OUTPUT, _VIEW_BASE, _LEAF, _SAVED = "darkolivegreen1", "darkolivegreen3", "lightblue", "orange"
_INSTALL_HINT = "pip install 'ember-autograd[graphviz]'"


class DotGraph(str):
    """Graphviz DOT source (a ``str``) that can render itself with the optional ``graphviz`` package."""

    __slots__ = ()

    @property
    def source(self) -> str:
        """The DOT text (as ``graphviz.Digraph.source``)."""
        return str(self)

    def save(self, filename: str) -> str:
        """Write the DOT text to ``filename``; returns the path (no Graphviz needed)."""
        with open(filename, "w", encoding="utf-8") as f:
            f.write(self)
        return filename

    def render(self, filename: str = "graph", format: str = "png", cleanup: bool = True,
               view: bool = False) -> str:
        """Render to ``filename.<format>`` (``"png"``, ``"svg"``, ``"pdf"`` ...); returns the file's path.

        Raises:
            ImportError: the ``graphviz`` package is not installed (install the extra).
        """
        src = _graphviz().Source(str(self))
        return str(src.render(filename, format=format, cleanup=cleanup, view=view))

    def pipe(self, format: str = "svg") -> bytes:
        """The rendered image as bytes (``"svg"``, ``"png"`` ...), nothing written to disk."""
        return bytes(_graphviz().Source(str(self)).pipe(format=format))

    def _repr_svg_(self) -> str:  # Jupyter shows the picture when it can
        return self.pipe("svg").decode("utf-8")


def _graphviz() -> Any:
    try:
        graphviz = importlib.import_module("graphviz")
    except ImportError as exc:
        raise ImportError(
            "rendering a graph needs the optional graphviz package (and Graphviz's dot program): "
            f"{_INSTALL_HINT}; graph_to_dot() itself returns DOT text without it"
        ) from exc
    return graphviz


def graph_to_dot(tensor: Any, params: Mapping[str, Any] | None = None, show_saved: bool = False) -> DotGraph:
    """The autograd graph that produced ``tensor`` (or a tuple of tensors) as Graphviz DOT text.

    Args:
        tensor: an output tensor, or a tuple/list of them.
        params: names for leaf tensors, e.g. ``dict(model.named_parameters())``.
        show_saved: also draw the tensors each node saved for backward.

    Returns:
        A :class:`DotGraph` (``str``): ``graph_to_dot(y).render("graph", format="svg")`` draws it.

    Raises:
        TypeError: ``tensor`` or a value of ``params`` is not a tensor.
    """
    outputs = tuple(tensor) if isinstance(tensor, (tuple, list)) else (tensor,)
    for t in outputs:
        if not isinstance(t, TensorBase):
            raise TypeError(f"graph_to_dot(): expected a Tensor or a tuple of Tensors, got {type(t).__name__}")
    names: dict[int, str] = {}
    for name, value in (params or {}).items():
        if not isinstance(value, TensorBase):
            raise TypeError(f"graph_to_dot(): params[{name!r}] is {type(value).__name__}, expected a Tensor")
        names[id(value)] = name
    return DotGraph("\n".join(_DotWriter(names, show_saved).lines(outputs)) + "\n")


def _size(t: Any) -> str:
    return "(" + ", ".join(str(int(s)) for s in t.shape) + ")"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _DotWriter:
    """One walk over the graph, writing nodes and edges once each (torchviz's layout and colours)."""

    def __init__(self, names: dict[int, str], show_saved: bool) -> None:
        self.names = names
        self.show_saved = show_saved
        self.seen: set[int] = set()
        self.body: list[str] = []
        self.keep: list[Any] = []  # objects whose id() is used, alive until the text is written

    def lines(self, outputs: tuple[Any, ...]) -> list[str]:
        for t in outputs:
            self._tensor(t, _OUTPUT)
        return ["digraph {", '\tgraph [size="12,12"]', f"\tnode [{_NODE_ATTR}]", *self.body, "}"]

    def _label(self, t: Any, name: str | None = None) -> str:
        if not name:
            name = self.names.get(id(t), "")
        return f"{name}\n {_size(t)}"

    def _node(self, obj: Any, label: str, fill: str | None = None) -> None:
        self.keep.append(obj)
        attrs = f"label={_quote(label)}" + (f" fillcolor={fill}" if fill else "")
        self.body.append(f"\t{id(obj)} [{attrs}]")

    def _edge(self, a: Any, b: Any, attrs: str = "") -> None:
        self.body.append(f"\t{id(a)} -> {id(b)}" + (f" [{attrs}]" if attrs else ""))

    def _tensor(self, t: Any, fill: str) -> None:
        """An output (or a view's base) tensor, the graph behind it, and its base when it is a view."""
        if id(t) in self.seen:
            return
        self.seen.add(id(t))
        self._node(t, self._label(t), fill)
        fn = t._grad_fn
        if fn is not None:
            self._graph(fn)
            self._edge(fn, t)
        base = t._base
        if base is not None:
            self._tensor(base, _VIEW_BASE)
            self._edge(base, t, "style=dotted")

    def _graph(self, root: Any) -> None:
        stack = [root]
        while stack:
            fn = stack.pop()
            if id(fn) in self.seen:
                continue
            self.seen.add(id(fn))
            if self.show_saved:
                for name, saved in _saved_tensors(fn):
                    # One box per saved slot (its own id): a saved leaf keeps its own blue box too.
                    slot = f'"{id(fn)}_saved_{name}"'
                    self.keep.append(saved)
                    self.body.append(f"\t{slot} [label={_quote(self._label(saved, name))} fillcolor={_SAVED}]")
                    self.body.append(f"\t{id(fn)} -> {slot} [dir=none]")
            if isinstance(fn, AccumulateGrad):
                var = fn.variable
                if id(var) not in self.seen:
                    self.seen.add(id(var))
                    self._node(var, self._label(var), _LEAF)
                self._edge(var, fn)
            self._node(fn, fn.name())
            for nxt, _ in fn.next_functions:
                if nxt is not None:
                    self._edge(nxt, fn)
                    stack.append(nxt)


def _saved_tensors(fn: Any) -> Iterator[tuple[str, Any]]:
    """``(name, tensor)`` for what ``fn`` keeps for backward (nothing once the graph was freed)."""
    rule = getattr(type(fn), "rule", None)
    if rule is not None:  # a rule node: the arguments named in the rule's ``save``, and ``result``
        for name in rule.save:
            try:
                value = fn.arg(name)
            except RuntimeError:  # released after backward
                continue
            if isinstance(value, TensorBase):
                yield name, value
            elif isinstance(value, (tuple, list)):
                yield from ((f"{name}[{i}]", v) for i, v in enumerate(value) if isinstance(v, TensorBase))
        out = getattr(fn, "_out", None) if rule.save_output else None
        if out is not None:
            entries = out if getattr(fn, "rule_multi", False) else (out,)
            for i, entry in enumerate(entries):
                t = entry[0]
                if isinstance(t, TensorBase):
                    yield ("result" if len(entries) == 1 else f"result{i}"), t
        return
    if isinstance(fn, BackwardCFunction):  # a custom Function's node: ctx.saved_tensors
        try:
            ctx: Any = getattr(fn, "ctx", None)
            saved = ctx.saved_tensors
        except RuntimeError:
            return
        for i, t in enumerate(saved):
            if isinstance(t, TensorBase):
                yield f"saved_tensors[{i}]", t
