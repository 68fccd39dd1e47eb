"""SGD against a NumPy implementation of PyTorch's documented rule, every option combination."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from _optim_helpers import check_close as check
from _optim_helpers import random_data, run_optimizer
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.optim as optim

SHAPES = [(4, 3), (6,), ()]


def ref_sgd(params, grads_seq, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
            maximize=False):
    """PyTorch's pseudo-code: g negated for maximize, b_1 = g_1, b_t = mu b_{t-1} + (1 - tau) g_t; Nesterov: g + mu b."""
    ps = [p.astype(np.float64).copy() for p in params]
    bufs = [None] * len(ps)
    for grads in grads_seq:
        for i, (p, g) in enumerate(zip(ps, grads, strict=True)):
            g = -g.astype(np.float64) if maximize else g.astype(np.float64)
            if weight_decay:
                g = g + weight_decay * p
            if momentum:
                bufs[i] = g.copy() if bufs[i] is None else momentum * bufs[i] + (1 - dampening) * g
                g = g + momentum * bufs[i] if nesterov else bufs[i]
            p -= lr * g
    return ps, bufs


def data(dtype, seed=0, steps=22):
    return random_data(dtype, SHAPES, seed, steps)


def run(params, grads_seq, **kw):
    return run_optimizer(optim.SGD, params, grads_seq, **kw)


OPTIONS = [
    dict(zip(("momentum", "dampening", "weight_decay", "nesterov", "maximize"), v, strict=True))
    for v in itertools.product([0.0, 0.9], [0.0, 0.3], [0.0, 0.05], [False, True], [False, True])
    if not (v[3] and (v[0] == 0 or v[1] != 0))  # Nesterov needs momentum and no dampening
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_sgd_trajectory(dtype, opts):
    params, grads_seq = data(dtype)
    ps, opt = run(params, grads_seq, lr=0.03, **opts)
    expected, bufs = ref_sgd(params, grads_seq, lr=0.03, **opts)
    check(ps, expected, dtype)
    if opts["momentum"]:
        check([opt.state[p]["momentum_buffer"] for p in ps], bufs, dtype)
    else:
        assert all(len(opt.state[p]) == 0 for p in ps)


def test_first_step_buffer_is_the_gradient_not_dampened():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    p.grad = ember.tensor([1.0, -1.0])
    opt.step()
    buf = opt.state[p]["momentum_buffer"]
    np.testing.assert_array_equal(buf.numpy(), [1.0, -1.0])
    assert buf is not p.grad  # a copy, not the gradient itself
    p.grad = ember.tensor([1.0, 1.0])
    opt.step()
    np.testing.assert_allclose(buf.numpy(), [0.9 + 0.5, -0.9 + 0.5])


def test_defaults():
    p = ember.zeros(2, requires_grad=True)
    opt = optim.SGD([p])
    assert opt.defaults == {
        "lr": 1e-3, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False, "maximize": False,
        "foreach": None, "differentiable": False, "fused": None,
    }
    p.grad = ember.ones(2)
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [-1e-3, -1e-3])


@settings(max_examples=15, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple),
    dtype=st.sampled_from([np.float64, np.float32]),
    grad_kind=st.sampled_from(["plain", "transposed", "strided", "expanded"]),
    nesterov=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_sgd_shapes_and_noncontiguous_grads(shape, dtype, grad_kind, nesterov, seed):
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(shape).astype(dtype)
    grads_seq = [[rng.standard_normal(shape).astype(dtype)] for _ in range(20)]
    if grad_kind == "expanded":
        grads_seq = [[np.broadcast_to(g.reshape(-1)[:1].reshape((1,) * len(shape)) if g.size else g, shape).copy()]
                     for (g,) in grads_seq]
    p = ember.tensor(p0, requires_grad=True)
    opt = optim.SGD([p], lr=0.05, momentum=0.8, nesterov=nesterov, weight_decay=0.01)
    for (g,) in grads_seq:
        if grad_kind == "transposed" and len(shape) >= 2:
            gt = ember.tensor(np.ascontiguousarray(np.swapaxes(g, 0, 1))).transpose(0, 1)
        elif grad_kind == "strided" and len(shape) >= 1:
            big = np.repeat(g, 2, axis=0)
            gt = ember.tensor(big)[::2]
        elif grad_kind == "expanded" and g.size:
            gt = ember.tensor(g.reshape(-1)[:1].reshape((1,) * len(shape))).expand(*shape)
        else:
            gt = ember.tensor(g)
        p.grad = gt
        opt.step()
    expected, _ = ref_sgd([p0], grads_seq, lr=0.05, momentum=0.8, nesterov=nesterov, weight_decay=0.01)
    check([p], expected, dtype)


def test_argument_errors():
    p = [ember.zeros(2, requires_grad=True)]
    cases = [
        (dict(lr=-1.0), "Invalid learning rate: -1.0"),
        (dict(momentum=-0.5), "Invalid momentum value: -0.5"),
        (dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
        (dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        (dict(nesterov=True, momentum=0.9, dampening=0.1), "Nesterov momentum requires a momentum and zero dampening"),
        (dict(lr=ember.tensor([0.1, 0.2])), "Tensor lr must be 1-element"),
    ]
    for kw, msg in cases:
        with pytest.raises(ValueError, match=re.escape(msg)):
            optim.SGD(p, **kw)
    with pytest.raises(RuntimeError, match=re.escape("`fused` and `foreach` cannot be `True` together.")):
        optim.SGD(p, fused=True, foreach=True)


def test_tensor_lr():
    params, grads_seq = data(np.float64, seed=3)
    ps, _ = run(params, grads_seq, lr=ember.tensor(0.02), momentum=0.5)
    check(ps, ref_sgd(params, grads_seq, lr=0.02, momentum=0.5)[0], np.float64)
