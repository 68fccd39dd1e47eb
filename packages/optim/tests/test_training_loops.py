"""Seed-style training loops: the classic temperature regression, with SGD and Adam, and checkpoints."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import ember
import ember.optim as optim

T_C = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
T_U = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]


def model(t_u, w, b):
    return w * t_u + b


def loss_fn(t_p, t_c):
    return ((t_p - t_c) ** 2).mean()


def training_loop(n_epochs, optimizer, params, t_u, t_c):
    loss = None
    for _ in range(n_epochs):
        t_p = model(t_u, *params)
        loss = loss_fn(t_p, t_c)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss


def least_squares():
    """The exact minimiser, for the converged runs."""
    x = 0.1 * np.array(T_U)
    a = np.stack([x, np.ones_like(x)], axis=1)
    (w, b), *_ = np.linalg.lstsq(a, np.array(T_C), rcond=None)
    return w, b, float(np.mean((a @ [w, b] - T_C) ** 2))


def test_sgd_temperature_regression(device):
    t_c, t_un = ember.tensor(T_C, device=device), 0.1 * ember.tensor(T_U, device=device)
    w = ember.ones((), requires_grad=True, device=device)
    b = ember.zeros((), requires_grad=True, device=device)
    opt = optim.SGD([w, b], lr=1e-2)
    loss = training_loop(5000, opt, [w, b], t_un, t_c)
    assert w.item() == pytest.approx(5.3671, abs=1e-3)
    assert b.item() == pytest.approx(-17.3012, abs=1e-3)
    assert loss.item() == pytest.approx(2.927647, abs=1e-5)
    assert w.is_leaf and w.requires_grad


def test_adam_temperature_regression_reaches_the_least_squares_fit(device):
    t_c, t_un = ember.tensor(T_C, device=device), 0.1 * ember.tensor(T_U, device=device)
    params = ember.tensor([1.0, 0.0], requires_grad=True, device=device)
    opt = optim.Adam([params], lr=1e-1)
    for _ in range(5000):
        loss = loss_fn(model(t_un, params[0], params[1]), t_c)
        opt.zero_grad()
        loss.backward()
        opt.step()
    w_ls, b_ls, loss_ls = least_squares()
    assert params[0].item() == pytest.approx(w_ls, abs=2e-3)  # 5.3677
    assert params[1].item() == pytest.approx(b_ls, abs=1e-2)  # -17.3048
    assert loss.item() == pytest.approx(loss_ls, abs=1e-5)  # 2.927645
    assert opt.state[params]["step"].item() == 5000.0


def test_unnormalised_input_diverges_with_sgd_as_in_the_book():
    # with t_u not scaled the gradient for w is ~50x larger: lr=1e-2 blows up (the book's lesson)
    t_c, t_u = ember.tensor(T_C), ember.tensor(T_U)
    w = ember.ones((), requires_grad=True)
    b = ember.zeros((), requires_grad=True)
    loss = training_loop(100, optim.SGD([w, b], lr=1e-2), [w, b], t_u, t_c)
    assert not np.isfinite(loss.item()) or loss.item() > 1e10


@pytest.mark.parametrize("cls,kw", [(optim.SGD, dict(lr=1e-2, momentum=0.9)), (optim.Adam, dict(lr=1e-1))])
def test_checkpoint_mid_training_resumes_identically(cls, kw):
    t_c, t_un = ember.tensor(T_C), 0.1 * ember.tensor(T_U)
    w = ember.ones((), requires_grad=True)
    b = ember.zeros((), requires_grad=True)
    opt = cls([w, b], **kw)
    training_loop(300, opt, [w, b], t_un, t_c)
    checkpoint = pickle.dumps({"w": w.item(), "b": b.item(), "optim": opt.state_dict()})
    final = training_loop(300, opt, [w, b], t_un, t_c)

    saved = pickle.loads(checkpoint)
    w2 = ember.tensor(saved["w"], requires_grad=True)
    b2 = ember.tensor(saved["b"], requires_grad=True)
    opt2 = cls([w2, b2], **kw)
    opt2.load_state_dict(saved["optim"])
    final2 = training_loop(300, opt2, [w2, b2], t_un, t_c)
    assert (w2.item(), b2.item(), final2.item()) == (w.item(), b.item(), final.item())


def test_linear_model_with_closure_and_weight_decay():
    # y = x @ W.T + c fitted by full-batch AdamW with a closure; the loss must fall steadily
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((64, 5)))
    true_w = rng.standard_normal((2, 5))
    y = x @ ember.tensor(true_w).T
    weight = ember.zeros((2, 5), dtype=ember.float64, requires_grad=True)
    bias = ember.zeros(2, dtype=ember.float64, requires_grad=True)
    opt = optim.AdamW([{"params": [weight]}, {"params": [bias], "weight_decay": 0.0}], lr=0.05, weight_decay=1e-4)

    def closure():
        opt.zero_grad()
        loss = ((x @ weight.T + bias - y) ** 2).mean()
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(300)]
    assert losses[-1] < 1e-3 * losses[0]
    np.testing.assert_allclose(weight.detach().numpy(), true_w, atol=0.02)
