"""Graphs are freed: a training loop's intermediates and nodes die after backward by reference
counting alone (the garbage collector is off), memory stays flat over many steps, and
``retain_graph`` / ``create_graph`` keep exactly what they promise."""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import ember
import ember.autograd as autograd

BATCH, D_IN, HIDDEN, CLASSES = 32, 12, 24, 5


@pytest.fixture
def no_gc():
    """The garbage collector off: whatever dies here dies by reference counting. Tests call
    gc.collect() after a warm-up step (first calls fill caches, which may hold cycles)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class Model:
    """A two-layer MLP written with raw ops, trained by SGD (a training loop's graph)."""

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.x = ember.tensor(rng.standard_normal((BATCH, D_IN), dtype=np.float32))
        onehot = np.zeros((BATCH, CLASSES), dtype=np.float32)
        onehot[np.arange(BATCH), rng.integers(0, CLASSES, BATCH)] = 1
        self.target = ember.tensor(onehot)
        self.params = [
            ember.tensor(rng.standard_normal((D_IN, HIDDEN), dtype=np.float32) * 0.3, requires_grad=True),
            ember.zeros(HIDDEN, requires_grad=True),
            ember.tensor(rng.standard_normal((HIDDEN, CLASSES), dtype=np.float32) * 0.3, requires_grad=True),
            ember.zeros(CLASSES, requires_grad=True),
        ]

    def forward(self) -> tuple[ember.Tensor, list[ember.Tensor]]:
        w1, b1, w2, b2 = self.params
        pre = self.x @ w1 + b1
        h = pre.relu()
        logits = h @ w2 + b2
        logp = logits.log_softmax(dim=1)
        loss = -(logp * self.target).sum(dim=1).mean()
        return loss, [pre, h, logits, logp]

    def sgd(self, lr: float = 0.1) -> None:
        with ember.no_grad():
            for p in self.params:
                p -= lr * p.grad
                p.grad = None

    def step(self) -> float:
        loss, _ = self.forward()
        loss.backward()
        self.sgd()
        return loss.item()


def graph_nodes(t: ember.Tensor) -> list:
    """Every node reachable from ``t.grad_fn`` (AccumulateGrad included)."""
    seen, stack = {}, [t.grad_fn]
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen[id(n)] = n
        stack.extend(e[0] for e in n.next_functions)
    return list(seen.values())


def alive(refs: list) -> int:
    return sum(r() is not None for r in refs)


def test_training_step_frees_its_graph_without_gc(no_gc):
    model = Model()
    model.step()  # warm-up: first-call caches are not garbage
    gc.collect()
    for _ in range(3):
        loss, inter = model.forward()
        t_refs = [weakref.ref(t) for t in inter]
        nodes = graph_nodes(loss)
        assert len(nodes) >= 12 and {type(n).__name__ for n in nodes} >= {
            "MeanBackward0", "SumBackward1", "LogSoftmaxBackward0", "ReluBackward0", "AccumulateGrad"}
        n_refs = [weakref.ref(n) for n in nodes]
        del inter, nodes
        assert alive(t_refs) == len(t_refs)  # saved by the graph until backward
        loss.backward()
        # Saved tensors are released by backward even while the loss (and so its nodes) lives.
        assert alive(t_refs) == 0
        assert alive(n_refs) == len(n_refs)
        model.sgd()
        del loss
        assert alive(n_refs) == 0  # AccumulateGrad nodes too: leaves hold them weakly
    assert all(p.grad is None and p.is_leaf for p in model.params)
    assert gc.collect() == 0  # no reference cycles were left for the collector


def test_memory_stays_flat_over_many_steps(no_gc):
    model = Model(1)
    losses = [model.step() for _ in range(5)]
    gc.collect()
    tracemalloc.start()
    try:
        # Warm-up under tracing: blocks allocated before start() and freed later never count
        # down, while their replacements count up, for about the first hundred steps here.
        for _ in range(150):
            model.step()
        # A full collection also empties the interpreter's free lists (tuples, floats...), which
        # otherwise keep filling for hundreds of steps; it must find no garbage (no cycles).
        assert gc.collect() == 0
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        model.step()
        one_step_peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.reset_peak()
        for i in range(200):
            losses.append(model.step())
            # Free lists emptied again (and no cycles were made meanwhile): every step for the
            # first 20, whose peak is checked, then every 20 steps.
            if i < 20 or i % 20 == 19:
                assert gc.collect() == 0
            if i == 19:
                peak = tracemalloc.get_traced_memory()[1]
        current = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # A graph is tens of KiB here (activations of 32x24 float32, their gradients, nodes):
    # keeping one graph per step would add megabytes over 200 steps.
    assert one_step_peak > 8 * 1024  # the measurement does see NumPy's buffers
    assert current - base < 8 * 1024, f"grew by {current - base} bytes over 200 steps"
    assert peak - base < one_step_peak + 8 * 1024, (peak - base, one_step_peak)
    assert losses[-1] < losses[0]  # it does train


def test_retain_graph_keeps_saved_tensors_until_the_last_backward(no_gc):
    model = Model(2)
    model.step()
    gc.collect()
    loss, inter = model.forward()
    t_refs = [weakref.ref(t) for t in inter]
    del inter
    loss.backward(retain_graph=True)
    assert alive(t_refs) == len(t_refs)
    first = [p.grad.clone() for p in model.params]
    loss.backward(retain_graph=True)
    for p, g in zip(model.params, first, strict=True):
        np.testing.assert_allclose(p.grad.numpy(), 2 * g.numpy(), rtol=1e-6)
    assert alive(t_refs) == len(t_refs)
    loss.backward()  # the last one frees
    assert alive(t_refs) == 0
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()
    n_refs = [weakref.ref(n) for n in graph_nodes(loss)]
    del loss
    assert alive(n_refs) == 0


def _penalty_step(model: Model) -> None:
    loss, _ = model.forward()
    grads = autograd.grad(loss, model.params, create_graph=True)
    sum((g * g).sum() for g in grads).backward()
    model.sgd()


def test_grad_frees_and_create_graph_retains(no_gc):
    model = Model(3)
    _penalty_step(model)  # warm-up of the double-backward path
    gc.collect()
    loss, inter = model.forward()
    t_refs = [weakref.ref(t) for t in inter]
    del inter
    grads = autograd.grad(loss, model.params)
    assert alive(t_refs) == 0 and all(not g.requires_grad for g in grads)
    assert all(p.grad is None for p in model.params)

    loss, inter = model.forward()
    t_refs = [weakref.ref(t) for t in inter]
    del inter
    grads = autograd.grad(loss, model.params, create_graph=True)  # retain_graph defaults to True
    assert alive(t_refs) == len(t_refs) and all(g.requires_grad for g in grads)
    penalty = sum((g * g).sum() for g in grads)
    penalty.backward()  # through the gradients' graph into the forward graph
    assert all(p.grad is not None for p in model.params)
    g_refs = [weakref.ref(g) for g in grads]
    n_refs = [weakref.ref(n) for n in graph_nodes(penalty) + graph_nodes(loss)]
    del grads, penalty, loss
    assert alive(g_refs) == 0 and alive(n_refs) == 0 and alive(t_refs) == 0
    model.sgd()
    for _ in range(3):
        _penalty_step(model)
    assert gc.collect() == 0


def test_no_grad_forward_records_nothing(no_gc):
    model = Model(4)
    with ember.no_grad():
        loss, inter = model.forward()
    assert loss.grad_fn is None and all(t.grad_fn is None for t in inter)
    refs = [weakref.ref(t) for t in inter]
    del inter
    assert alive(refs) == 0  # nothing but our list held them
