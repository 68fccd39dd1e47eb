"""Adam, AdamW, Adamax, NAdam and RAdam against NumPy implementations of PyTorch's documented rules."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
from _optim_helpers import check_close as check
from _optim_helpers import random_data, run_optimizer
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.optim as optim

STEPS = 25
SHAPES = [(3, 4), (5,), ()]


# -- NumPy references (float64 arithmetic, written from the pseudo-code in PyTorch's docs) ----------
def ref_grad(p, g, lr, weight_decay, decoupled, maximize):
    """The gradient a reference step uses (decoupled weight decay scales ``p`` in place instead)."""
    g = -g if maximize else g.astype(np.float64)
    if weight_decay:
        if decoupled:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    return g


def ref_moments(m, v, g, b1, b2):
    return b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g


def ref_adam(params, grads_seq, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
             maximize=False, decoupled=False):
    b1, b2 = betas
    ps = [p.astype(np.float64).copy() for p in params]
    m = [np.zeros_like(p) for p in ps]
    v = [np.zeros_like(p) for p in ps]
    vmax = [np.zeros_like(p) for p in ps]
    for t, grads in enumerate(grads_seq, 1):
        for i, (p, g) in enumerate(zip(ps, grads, strict=False)):
            g = ref_grad(p, g, lr, weight_decay, decoupled, maximize)
            m[i], v[i] = ref_moments(m[i], v[i], g, b1, b2)
            mhat = m[i] / (1 - b1**t)
            if amsgrad:
                vmax[i] = np.maximum(vmax[i], v[i])
                vhat = vmax[i] / (1 - b2**t)
            else:
                vhat = v[i] / (1 - b2**t)
            p -= lr * mhat / (np.sqrt(vhat) + eps)
    return ps


def ref_adamax(params, grads_seq, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False):
    b1, b2 = betas
    ps = [p.astype(np.float64).copy() for p in params]
    m = [np.zeros_like(p) for p in ps]
    u = [np.zeros_like(p) for p in ps]
    for t, grads in enumerate(grads_seq, 1):
        for i, (p, g) in enumerate(zip(ps, grads, strict=False)):
            g = ref_grad(p, g, lr, weight_decay, False, maximize)
            m[i] = b1 * m[i] + (1 - b1) * g
            u[i] = np.maximum(b2 * u[i], np.abs(g) + eps)
            p -= lr * m[i] / ((1 - b1**t) * u[i])
    return ps


def ref_nadam(params, grads_seq, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
              decoupled=False, maximize=False):
    b1, b2 = betas
    ps = [p.astype(np.float64).copy() for p in params]
    m = [np.zeros_like(p) for p in ps]
    v = [np.zeros_like(p) for p in ps]
    mu_prod = [1.0 for _ in ps]
    for t, grads in enumerate(grads_seq, 1):
        for i, (p, g) in enumerate(zip(ps, grads, strict=False)):
            g = ref_grad(p, g, lr, weight_decay, decoupled, maximize)
            mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
            mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
            mu_prod[i] *= mu
            m[i], v[i] = ref_moments(m[i], v[i], g, b1, b2)
            mhat = mu_next * m[i] / (1 - mu_prod[i] * mu_next) + (1 - mu) * g / (1 - mu_prod[i])
            vhat = v[i] / (1 - b2**t)
            p -= lr * mhat / (np.sqrt(vhat) + eps)
    return ps


def ref_radam(params, grads_seq, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False,
              maximize=False):
    b1, b2 = betas
    ps = [p.astype(np.float64).copy() for p in params]
    m = [np.zeros_like(p) for p in ps]
    v = [np.zeros_like(p) for p in ps]
    rho_inf = 2 / (1 - b2) - 1
    for t, grads in enumerate(grads_seq, 1):
        for i, (p, g) in enumerate(zip(ps, grads, strict=False)):
            g = ref_grad(p, g, lr, weight_decay, decoupled, maximize)
            m[i], v[i] = ref_moments(m[i], v[i], g, b1, b2)
            mhat = m[i] / (1 - b1**t)
            rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
            if rho_t > 5:
                ell = math.sqrt(1 - b2**t) / (np.sqrt(v[i]) + eps)
                r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                p -= lr * mhat * ell * r
            else:
                p -= lr * mhat
    return ps


# -- driving Ember with the same gradients -----------------------------------------------------------
def data(dtype, seed=0, steps=STEPS, shapes=SHAPES):
    return random_data(dtype, shapes, seed, steps)


def combos(**options):
    keys = list(options)
    return [dict(zip(keys, vals, strict=False)) for vals in itertools.product(*options.values())]


DTYPES = [np.float64, np.float32]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("opts", combos(weight_decay=[0.0, 0.1], amsgrad=[False, True], maximize=[False, True]))
def test_adam_trajectory(dtype, opts):
    params, grads_seq = data(dtype)
    kw = dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, **opts)
    ps, _ = run_optimizer(optim.Adam, params, grads_seq, **kw)
    check(ps, ref_adam(params, grads_seq, **kw), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adam_defaults_trajectory(dtype):
    params, grads_seq = data(dtype, seed=1)
    ps, opt = run_optimizer(optim.Adam, params, grads_seq)
    check(ps, ref_adam(params, grads_seq), dtype)
    assert opt.defaults["lr"] == 1e-3 and opt.defaults["betas"] == (0.9, 0.999) and opt.defaults["eps"] == 1e-8


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("opts", combos(weight_decay=[0.01, 0.3], amsgrad=[False, True], maximize=[False, True]))
def test_adamw_trajectory(dtype, opts):
    params, grads_seq = data(dtype, seed=2)
    kw = dict(lr=0.05, **opts)
    ps, opt = run_optimizer(optim.AdamW, params, grads_seq, **kw)
    check(ps, ref_adam(params, grads_seq, decoupled=True, **kw), dtype)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


def test_adamw_default_weight_decay_and_adam_decoupled_flag():
    params, grads_seq = data(np.float64, seed=3)
    ps, opt = run_optimizer(optim.AdamW, params, grads_seq)
    assert opt.defaults["weight_decay"] == 1e-2
    check(ps, ref_adam(params, grads_seq, weight_decay=1e-2, decoupled=True), np.float64)
    ps2, _ = run_optimizer(optim.Adam, params, grads_seq, weight_decay=1e-2, decoupled_weight_decay=True)
    for a, b in zip(ps, ps2, strict=False):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("opts", combos(weight_decay=[0.0, 0.1], maximize=[False, True]))
def test_adamax_trajectory(dtype, opts):
    params, grads_seq = data(dtype, seed=4)
    kw = dict(lr=0.02, betas=(0.85, 0.95), **opts)
    ps, _ = run_optimizer(optim.Adamax, params, grads_seq, **kw)
    check(ps, ref_adamax(params, grads_seq, **kw), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("opts", combos(weight_decay=[0.0, 0.1], decoupled=[False, True], maximize=[False, True]))
def test_nadam_trajectory(dtype, opts):
    params, grads_seq = data(dtype, seed=5)
    opts = dict(opts)
    decoupled = opts.pop("decoupled")
    kw = dict(lr=0.01, momentum_decay=0.01, **opts)
    ps, _ = run_optimizer(optim.NAdam, params, grads_seq, decoupled_weight_decay=decoupled, **kw)
    check(ps, ref_nadam(params, grads_seq, decoupled=decoupled, **kw), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("opts", combos(weight_decay=[0.0, 0.1], decoupled=[False, True], maximize=[False, True]))
def test_radam_trajectory(dtype, opts):
    # beta2 = 0.9 makes rho_t cross 5 at step 6, so both branches of the rectification run
    params, grads_seq = data(dtype, seed=6)
    opts = dict(opts)
    decoupled = opts.pop("decoupled")
    kw = dict(lr=0.01, betas=(0.9, 0.9), **opts)
    ps, _ = run_optimizer(optim.RAdam, params, grads_seq, decoupled_weight_decay=decoupled, **kw)
    check(ps, ref_radam(params, grads_seq, decoupled=decoupled, **kw), dtype)


@pytest.mark.parametrize("cls,ref", [(optim.NAdam, ref_nadam), (optim.RAdam, ref_radam), (optim.Adamax, ref_adamax)])
def test_defaults_trajectory(cls, ref):
    params, grads_seq = data(np.float64, seed=7)
    ps, _ = run_optimizer(cls, params, grads_seq)
    check(ps, ref(params, grads_seq), np.float64)


def test_radam_default_betas_stay_unrectified_early():
    # with beta2 = 0.999, rho_t <= 5 for the first 5 steps: the update is lr * m_hat (momentum SGD)
    params, grads_seq = data(np.float64, seed=8, steps=5)
    ps, _ = run_optimizer(optim.RAdam, params, grads_seq, lr=0.1)
    check(ps, ref_radam(params, grads_seq, lr=0.1), np.float64)


@settings(max_examples=15, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple),
    dtype=st.sampled_from(DTYPES),
    transposed=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_adam_shapes_and_noncontiguous_grads(shape, dtype, transposed, seed):
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(shape).astype(dtype)
    grads_seq = [[rng.standard_normal(shape).astype(dtype)] for _ in range(21)]
    p = ember.tensor(p0, requires_grad=True)
    opt = optim.Adam([p], lr=0.05, amsgrad=True)
    for (g,) in grads_seq:
        if transposed and len(shape) >= 2:
            g_t = ember.tensor(np.ascontiguousarray(np.swapaxes(g, 0, 1))).transpose(0, 1)
        else:
            g_t = ember.tensor(g)
        p.grad = g_t
        opt.step()
    check([p], ref_adam([p0], grads_seq, lr=0.05, amsgrad=True), dtype)


def test_state_layout_matches_pytorch():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    p.grad = ember.tensor([0.1, 0.2])
    for cls, keys in [
        (optim.Adam, {"step", "exp_avg", "exp_avg_sq"}),
        (optim.Adamax, {"step", "exp_avg", "exp_inf"}),
        (optim.NAdam, {"step", "mu_product", "exp_avg", "exp_avg_sq"}),
        (optim.RAdam, {"step", "exp_avg", "exp_avg_sq"}),
    ]:
        opt = cls([p])
        opt.step()
        opt.step()
        state = opt.state[p]
        assert set(state) == keys
        assert state["step"].dtype == ember.float32 and state["step"].shape == () and state["step"].item() == 2.0
    opt = optim.Adam([p], amsgrad=True)
    opt.step()
    assert set(opt.state[p]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}


def test_params_without_grad_are_skipped():
    a = ember.tensor([1.0], requires_grad=True)
    b = ember.tensor([2.0], requires_grad=True)
    a.grad = ember.tensor([1.0])
    opt = optim.Adam([a, b], lr=0.1)
    opt.step()
    assert b.item() == 2.0 and b not in opt.state
    assert a.item() == pytest.approx(0.9)


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW, optim.Adamax, optim.NAdam, optim.RAdam])
def test_argument_errors(cls):
    p = [ember.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match=re.escape("Invalid learning rate: -0.1")):
        cls(p, lr=-0.1)
    with pytest.raises(ValueError, match=re.escape("Invalid epsilon value: -1")):
        cls(p, eps=-1)
    with pytest.raises(ValueError, match=re.escape("Invalid beta parameter at index 0: 1.0")):
        cls(p, betas=(1.0, 0.9))
    with pytest.raises(ValueError, match=re.escape("Invalid beta parameter at index 1: -0.5")):
        cls(p, betas=(0.9, -0.5))
    with pytest.raises(ValueError, match=re.escape("Invalid weight_decay value: -0.1")):
        cls(p, weight_decay=-0.1)
    with pytest.raises(ValueError, match=re.escape("Tensor lr must be 1-element")):
        cls(p, lr=ember.tensor([0.1, 0.2]))


def test_nadam_momentum_decay_error_and_adam_fused_foreach():
    p = [ember.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match=re.escape("Invalid momentum_decay value: -1")):
        optim.NAdam(p, momentum_decay=-1)
    with pytest.raises(RuntimeError, match=re.escape("`fused` and `foreach` cannot be `True` together.")):
        optim.Adam(p, fused=True, foreach=True)
    with pytest.raises(ValueError, match=re.escape("betas must be either both floats or both Tensors")):
        optim.Adam(p, betas=(0.9, ember.tensor(0.99)))


def test_tensor_lr_and_betas():
    params, grads_seq = data(np.float64, seed=9)
    ps, _ = run_optimizer(optim.Adam, params, grads_seq, lr=ember.tensor(0.01),
                      betas=(ember.tensor(0.8), ember.tensor(0.99)))
    check(ps, ref_adam(params, grads_seq, lr=0.01, betas=(0.8, 0.99)), np.float64)
