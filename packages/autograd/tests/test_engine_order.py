"""Execution order of the backward walk: ready nodes run by sequence number, the node made
last first (PyTorch's ready queue), which hook call order and ``retain_grad`` timing show.
Expected orders were read off live PyTorch 2.13."""

from __future__ import annotations

import ember
import ember.autograd as autograd


def _hook(order, name):
    return lambda g: order.append(name)


def test_ready_nodes_run_newest_first_not_in_edge_order():
    x = ember.ones(2, requires_grad=True)
    order: list[str] = []
    y1, y2, y3 = x * 2, x * 3, x * 4
    for name, t in (("y1", y1), ("y2", y2), ("y3", y3)):
        t.register_hook(_hook(order, name))
    ((y2 + y1) + y3).sum().backward()  # edges give y3, then y1 before y2 in a LIFO stack
    assert order == ["y3", "y2", "y1"]


def test_chain_and_branch_then_leaf():
    x = ember.ones(2, requires_grad=True)
    order: list[str] = []
    a, b = x * 2, x * 3
    c = b * 5
    for name, t in (("a", a), ("b", b), ("c", c), ("x", x)):
        t.register_hook(_hook(order, name))
    (a + c).sum().backward()
    assert order == ["c", "b", "a", "x"]


def test_retain_grad_is_set_before_older_nodes_run():
    x = ember.ones(2, requires_grad=True)
    y1, y2 = x * 2, x * 3
    y2.retain_grad()
    seen: list[bool] = []
    y1.register_hook(lambda g: seen.append(y2.grad is not None))
    (y1 + y2).sum().backward()
    assert seen == [True]


def test_leaf_accumulates_as_soon_as_ready():
    # AccumulateGrad has the highest priority: x's hook runs before the older y's node.
    x = ember.ones(2, requires_grad=True)
    w = ember.ones(2, requires_grad=True)
    order: list[str] = []
    y = w * 2
    z = x * 3
    y.register_hook(_hook(order, "y"))
    z.register_hook(_hook(order, "z"))
    x.register_hook(_hook(order, "x"))
    w.register_hook(_hook(order, "w"))
    (y + z).sum().backward()
    assert order == ["z", "x", "y", "w"]


def test_custom_function_nodes_are_ordered_too():
    class Twice(autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = ember.ones(2, requires_grad=True)
    order: list[str] = []
    a = Twice.apply(x)
    b = x * 3
    a.register_hook(_hook(order, "a"))
    b.register_hook(_hook(order, "b"))
    (a + b).sum().backward()
    assert order == ["b", "a"]
    assert x.grad.tolist() == [5.0, 5.0]
