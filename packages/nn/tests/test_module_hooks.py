"""Module forward pre-hooks, forward hooks and full backward (pre-)hooks, with torch's semantics.

Expected values were captured from torch 2.13 running the same code.
"""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as nn


class M(nn.Module):
    def __init__(self, log: list) -> None:
        super().__init__()
        self.log = log

    def forward(self, x, scale=1.0):
        self.log.append(("fwd", scale))
        return x * scale


def test_forward_hooks_order_kwargs_prepend_and_removal():
    log: list = []
    m = M(log)
    m.register_forward_pre_hook(lambda mod, args: log.append("pre1"))
    h2 = m.register_forward_pre_hook(lambda mod, args, kw: (args, {"scale": 3.0}), with_kwargs=True)
    m.register_forward_pre_hook(lambda mod, args: log.append("pre0"), prepend=True)
    m.register_forward_hook(lambda mod, args, out: out + 1)
    m.register_forward_hook(lambda mod, args, kw, out: log.append(("post_kw", kw)), with_kwargs=True)
    h6 = m.register_forward_hook(lambda mod, args, out: out * 2, prepend=True)
    assert m(ember.ones(1), scale=2.0).tolist() == [7.0]
    assert log == ["pre0", "pre1", ("fwd", 3.0), ("post_kw", {"scale": 3.0})]
    log.clear()
    h2.remove()
    h6.remove()
    h6.remove()  # removing twice is a no-op
    assert m(ember.ones(1), scale=2.0).tolist() == [3.0]
    assert log == ["pre0", "pre1", ("fwd", 2.0), ("post_kw", {"scale": 2.0})]
    log.clear()
    m.register_forward_pre_hook(lambda mod, args: args[0] * 10)  # a non-tuple result becomes (result,)
    assert m(ember.ones(1)).tolist() == [11.0]
    assert log == ["pre0", "pre1", ("fwd", 1.0), ("post_kw", {})]
    assert sorted(m._forward_pre_hooks_with_kwargs) == []  # removed with its handle
    assert len(m._forward_hooks) == 2


def test_handle_context_manager_and_always_call():
    log: list = []
    m = M(log)
    with m.register_forward_hook(lambda mod, a, o: o * 0):
        assert m(ember.ones(1)).tolist() == [0.0]
    assert m(ember.ones(1)).tolist() == [1.0]

    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    b = Boom()
    calls: list = []
    b.register_forward_hook(lambda mod, args, out: calls.append(("always", out)), always_call=True)
    b.register_forward_hook(lambda mod, args, out: calls.append(("never", out)))
    with pytest.raises(ValueError, match="boom"):
        b(ember.ones(1))
    assert calls == [("always", None)]


def test_bad_pre_hook_result():
    m = M([])
    m.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
    with pytest.raises(RuntimeError) as info:
        m(ember.ones(1))
    assert str(info.value) == "forward pre-hook must return None or a tuple of (new_args, new_kwargs), but got 5."


class Two(nn.Module):
    def forward(self, a, b, k=2.0):
        return a * b * k, a + b


class P(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(ember.tensor([2.0, 3.0]))

    def forward(self, x):
        return x * self.w


def _lists(t):
    return None if t is None else t.tolist()


def test_full_backward_hook_grad_input_and_output():
    rec: list = []
    m = Two()
    m.register_full_backward_hook(lambda mod, gi, go: rec.append((gi, go)))
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([3.0, 4.0])
    o1, o2 = m(a, b, 3)
    (o1.sum() + 2 * o2.sum()).backward()
    (gi, go), = rec
    # torch: ((tensor([11., 14.]), tensor([0., 0.]), None), (tensor([1., 1.]), tensor([2., 2.])))
    assert [_lists(g) for g in gi] == [[11.0, 14.0], [0.0, 0.0], None]
    assert [_lists(g) for g in go] == [[1.0, 1.0], [2.0, 2.0]]
    np.testing.assert_allclose(a.grad.numpy(), [11.0, 14.0])
    o1, _ = m(ember.tensor([1.0, 2.0]), b)
    assert not o1.requires_grad


def test_full_backward_hook_when_no_input_requires_grad():
    rec: list = []
    p = P()
    p.register_full_backward_hook(lambda mod, gi, go: rec.append((gi, go)))
    with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are computed with respect to module"):
        p(ember.ones(2)).sum().backward()
    (gi, go), = rec
    assert gi == (None,)
    assert [g.tolist() for g in go] == [[1.0, 1.0]]
    assert p.w.grad.tolist() == [1.0, 1.0]


def test_backward_hook_replaces_grad_input_and_pre_hook_grad_output():
    p2 = P()
    p2.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 10,))
    x = ember.ones(2, requires_grad=True)
    p2(x).sum().backward()
    assert x.grad.tolist() == [20.0, 30.0]
    assert p2.w.grad.tolist() == [1.0, 1.0]  # parameter gradients are not touched

    p3 = P()
    p3.register_full_backward_pre_hook(lambda mod, go: (go[0] * 5,))
    x = ember.ones(2, requires_grad=True)
    p3(x).sum().backward()
    assert x.grad.tolist() == [10.0, 15.0]
    assert p3.w.grad.tolist() == [5.0, 5.0]

    p4 = P()
    p4.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input, got 2, but expected 1"):
        p4(x).sum().backward()


def test_backward_hook_in_a_model_and_removal():
    seen: list = []
    inner = P()
    model = nn.Sequential(inner, P())
    h = inner.register_full_backward_hook(lambda mod, gi, go: seen.append((gi[0].tolist(), go[0].tolist())))
    x = ember.ones(2, requires_grad=True)
    model(x).sum().backward()
    # d(sum(x*w1*w2))/d(inner out) = w2 = [2, 3]; d/dx = w1*w2 = [4, 9]
    assert seen == [([4.0, 9.0], [2.0, 3.0])]
    h.remove()
    model(x).sum().backward()
    assert len(seen) == 1
    assert x.grad.tolist() == [8.0, 18.0]
