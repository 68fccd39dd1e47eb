"""graph_to_dot: the DOT text parsed back into nodes and edges and checked structurally."""

from __future__ import annotations

import re
import sys

import pytest

import ember
from ember.autograd.graph_dot import DotGraph, graph_to_dot

_NODE = re.compile(r'^\t("[^"]+"|\d+) \[(.*)\]$')
_EDGE = re.compile(r'^\t("[^"]+"|\d+) -> ("[^"]+"|\d+)(?: \[(.*)\])?$')
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^ ]+)')


class Dot:
    """A parsed digraph: nodes by id (attrs dict), edges as (tail, head, attrs)."""

    def __init__(self, text: str) -> None:
        lines = text.splitlines()
        assert lines[0] == "digraph {" and lines[-1] == "}"
        assert lines[1] == '\tgraph [size="12,12"]'
        assert lines[2].startswith("\tnode [") and "shape=box" in lines[2] and "style=filled" in lines[2]
        self.nodes: dict[str, dict[str, str]] = {}
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        for line in lines[3:-1]:
            m = _EDGE.match(line)
            if m:
                self.edges.append((m[1], m[2], self._attrs(m[3] or "")))
                continue
            m = _NODE.match(line)
            assert m, f"not a node or edge line: {line!r}"
            assert m[1] not in self.nodes, f"node {m[1]} written twice"
            self.nodes[m[1]] = self._attrs(m[2])
        for a, b, _ in self.edges:
            assert a in self.nodes and b in self.nodes, f"edge {a} -> {b} to an undeclared node"

    @staticmethod
    def _attrs(text: str) -> dict[str, str]:
        out = {}
        for k, v in _ATTR.findall(text):
            if v.startswith('"'):
                v = re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], v[1:-1])
            out[k] = v
        return out

    def label(self, node: str) -> str:
        return self.nodes[node].get("label", "")

    def by_label(self, label: str) -> list[str]:
        return [n for n in self.nodes if self.label(n) == label]

    def one(self, label: str) -> str:
        found = self.by_label(label)
        assert len(found) == 1, f"{label!r}: {found}"
        return found[0]

    def fill(self, color: str) -> list[str]:
        return [n for n, a in self.nodes.items() if a.get("fillcolor") == color]

    def inputs_of(self, node: str) -> list[str]:
        return [a for a, b, attrs in self.edges if b == node and "dir" not in attrs]

    def has_edge(self, a: str, b: str, **attrs: str) -> bool:
        return any(x == a and y == b and all(at.get(k) == v for k, v in attrs.items()) for x, y, at in self.edges)


def test_chain_nodes_edges_and_names():
    w = ember.ones(2, 3, requires_grad=True)
    b = ember.zeros(3, requires_grad=True)
    x = ember.ones(2, 3)
    y = ((w * x).sin() + b).exp()
    text = graph_to_dot(y, params={"w": w, "b": b})
    assert isinstance(text, str) and isinstance(text, DotGraph)
    dot = Dot(text)
    out = dot.one("\n (2, 3)")
    assert dot.nodes[out]["fillcolor"] == "darkolivegreen1"
    exp, add = dot.one("ExpBackward0"), dot.one("AddBackward0")
    sin, mul = dot.one("SinBackward0"), dot.one("MulBackward0")
    assert dot.has_edge(exp, out)
    assert dot.inputs_of(exp) == [add]
    assert dot.inputs_of(sin) == [mul]
    leaf_w, leaf_b = dot.one("w\n (2, 3)"), dot.one("b\n (3)")
    assert {dot.nodes[n]["fillcolor"] for n in (leaf_w, leaf_b)} == {"lightblue"}
    acc = dot.by_label("AccumulateGrad")
    assert len(acc) == 2
    # leaf -> AccumulateGrad -> consumer
    (acc_w,) = [a for a in acc if dot.inputs_of(a) == [leaf_w]]
    (acc_b,) = [a for a in acc if dot.inputs_of(a) == [leaf_b]]
    assert dot.inputs_of(mul) == [acc_w]  # x does not require grad: no node for it
    assert sorted(dot.inputs_of(add)) == sorted([sin, acc_b])
    assert not dot.fill("orange")  # show_saved is off
    assert len(dot.nodes) == 9


def test_unnamed_leaves_zero_d_and_shared_inputs():
    x = ember.tensor(2.0, requires_grad=True)
    y = x * x + x  # x used three times: one leaf box, one AccumulateGrad
    dot = Dot(graph_to_dot(y))
    assert len(dot.by_label("\n ()")) == 2  # the output is 0-d too (green)
    leaves = dot.fill("lightblue")
    assert len(leaves) == 1 and dot.label(leaves[0]) == "\n ()"
    (acc,) = dot.by_label("AccumulateGrad")
    mul, add = dot.one("MulBackward0"), dot.one("AddBackward0")
    assert dot.inputs_of(mul) == [acc, acc]  # both edges of x * x are drawn
    assert sorted(dot.inputs_of(add)) == sorted([mul, acc])


def test_show_saved_names_and_shapes():
    a = ember.ones(2, 3, requires_grad=True)
    b = ember.ones(3, requires_grad=True)
    y = (a * b).exp()
    dot = Dot(graph_to_dot(y, show_saved=True))
    saved = {dot.label(n) for n in dot.fill("orange")}
    assert saved == {"self\n (2, 3)", "other\n (3)", "result\n (2, 3)"}
    mul, exp = dot.one("MulBackward0"), dot.one("ExpBackward0")
    for node in dot.fill("orange"):
        owner = [x for x, y_, at in dot.edges if y_ == node and at.get("dir") == "none"]
        assert owner == ([exp] if dot.label(node).startswith("result") else [mul])
    assert len(dot.fill("lightblue")) == 2  # saved leaves keep their own leaf boxes
    y.backward(ember.ones(2, 3))  # saved tensors are released: nothing left to show
    assert not Dot(graph_to_dot(y, show_saved=True)).fill("orange")


def test_show_saved_custom_function():
    class Square(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ember.ones(4, requires_grad=True)
    dot = Dot(graph_to_dot(Square.apply(x), show_saved=True))
    (fn,) = [n for n in dot.nodes if dot.label(n) == "SquareBackward"]
    (saved,) = dot.fill("orange")
    assert dot.label(saved) == "saved_tensors[0]\n (4)"
    assert dot.has_edge(fn, saved, dir="none")


def test_tuple_of_outputs_and_views():
    x = ember.ones(3, 4, requires_grad=True)
    y = x * 2
    v = y.t()
    dot = Dot(graph_to_dot((y, x.exp())))
    greens = dot.fill("darkolivegreen1")
    assert sorted(dot.label(n) for n in greens) == ["\n (3, 4)", "\n (3, 4)"]
    assert len(dot.by_label("AccumulateGrad")) == 1  # shared by both outputs
    dot = Dot(graph_to_dot(v))
    (base,) = dot.fill("darkolivegreen3")
    (out,) = dot.fill("darkolivegreen1")
    assert dot.label(base) == "\n (3, 4)" and dot.label(out) == "\n (4, 3)"
    assert dot.has_edge(base, out, style="dotted")
    assert dot.has_edge(dot.one("MulBackward0"), base)
    tnode = [n for n in dot.nodes if dot.label(n).startswith("T") and dot.label(n).endswith("Backward0")]
    assert len(tnode) == 1 and dot.has_edge(tnode[0], out)


def test_tensor_without_history_and_leaf_output():
    dot = Dot(graph_to_dot(ember.ones(2)))
    assert len(dot.nodes) == 1 and not dot.edges
    w = ember.ones(2, requires_grad=True)
    dot = Dot(graph_to_dot(w, params={"w": w}))
    assert [dot.label(n) for n in dot.nodes] == ["w\n (2)"]


def test_long_chain_is_iterative():
    x = ember.ones(1, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    dot = Dot(graph_to_dot(y))
    assert len(dot.by_label("MulBackward0")) == 3000


def test_labels_are_escaped():
    w = ember.ones(2, requires_grad=True)
    dot = Dot(graph_to_dot(w * 2, params={'a "quoted" \\ name': w}))
    (leaf,) = dot.fill("lightblue")
    assert dot.label(leaf) == 'a "quoted" \\ name\n (2)'


def test_errors():
    with pytest.raises(TypeError, match=r"graph_to_dot\(\): expected a Tensor or a tuple of Tensors, got int"):
        graph_to_dot(3)
    w = ember.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match=r"graph_to_dot\(\): params\['w'\] is float, expected a Tensor"):
        graph_to_dot(w * 2, params={"w": 1.0})


def test_save_writes_dot_text(tmp_path):
    w = ember.ones(2, requires_grad=True)
    dot = graph_to_dot(w * 2)
    path = dot.save(str(tmp_path / "g.dot"))
    with open(path, encoding="utf-8") as f:
        assert f.read() == str(dot) == dot.source


def test_render_without_graphviz_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz -> ImportError
    dot = graph_to_dot(ember.ones(2, requires_grad=True) * 2)
    with pytest.raises(ImportError, match=r"pip install 'ember-autograd\[graphviz\]'"):
        dot.render("g", format="svg")
    with pytest.raises(ImportError, match="optional graphviz package"):
        dot.pipe("png")


def test_render_with_graphviz(tmp_path):
    graphviz = pytest.importorskip("graphviz")
    try:
        graphviz.version()
    except graphviz.ExecutableNotFound:
        pytest.skip("Graphviz's dot program is not installed")
    w = ember.ones(2, requires_grad=True)
    dot = graph_to_dot((w * 2).exp(), params={"w": w})
    svg = dot.pipe("svg").decode()
    assert "<svg" in svg and "ExpBackward0" in svg and "AccumulateGrad" in svg
    path = dot.render(str(tmp_path / "graph"), format="png")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
