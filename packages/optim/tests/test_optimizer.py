"""The Optimizer base: parameter groups, errors, zero_grad, step/closure, hooks, state dicts."""

from __future__ import annotations

import copy
import pickle
import re

import numpy as np
import pytest

import ember
import ember.optim as optim
from ember.optim.optimizer import Optimizer, required


def leaf(*values):
    return ember.tensor(list(values), requires_grad=True)


# -- construction and parameter groups ---------------------------------------------------------------
def test_empty_parameter_list():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.Adam(iter([]))


def test_single_tensor_is_not_an_iterable_of_params():
    with pytest.raises(TypeError, match=re.escape("params argument given to the optimizer should be an iterable of Tensors or dicts, but got ember.Tensor")):
        optim.SGD(leaf(1.0), lr=0.1)


def test_non_leaf_and_non_tensor_params():
    w = leaf(1.0, 2.0)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([w * 2], lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is int"):
        optim.SGD([w, 3], lr=0.1)
    with pytest.raises(TypeError, match=re.escape("param_group must be a dict, but got <class 'list'>")):
        optim.SGD([{"params": [w]}], lr=0.1).add_param_group([w])


def test_param_in_two_groups_and_sets():
    w = leaf(1.0)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        optim.SGD([{"params": [w]}, {"params": [w], "lr": 0.5}], lr=0.1)
    with pytest.raises(TypeError, match="optimizer parameters need to be organized in ordered collections"):
        optim.SGD([{"params": {w}}], lr=0.1)
    with pytest.warns(UserWarning, match="optimizer contains a parameter group with duplicate parameters"):
        optim.SGD([w, w], lr=0.1)


def test_groups_take_defaults_and_override_them():
    a, b = leaf(1.0), leaf(2.0)
    opt = optim.SGD([{"params": a}, {"params": [b], "lr": 0.5, "momentum": 0.9}], lr=0.1)
    g0, g1 = opt.param_groups
    assert g0["params"] == [a] and g0["lr"] == 0.1 and g0["momentum"] == 0
    assert g1["params"][0] is b and g1["lr"] == 0.5 and g1["momentum"] == 0.9
    a.grad = ember.tensor([1.0])
    b.grad = ember.tensor([1.0])
    opt.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(1.5)


def test_add_param_group_later_and_required_option():
    a, b = leaf(1.0), leaf(2.0)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})

    class Needs(Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": required})

    with pytest.raises(ValueError, match="parameter group didn't specify a value of required optimization parameter lr"):
        Needs([a])
    assert Needs([{"params": [a], "lr": 1.0}]).param_groups[0]["lr"] == 1.0


def test_named_parameters():
    a, b = leaf(1.0), leaf(2.0)
    opt = optim.SGD([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    with pytest.raises(ValueError, match="all optimizer param groups should be with/without names"):
        opt.add_param_group({"params": [leaf(3.0)]})


def test_repr():
    opt = optim.SGD([leaf(1.0)], lr=0.1)
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n")
    assert "    lr: 0.1\n" in text and text.endswith(")")


# -- the step ------------------------------------------------------------------------------------------
def test_step_updates_the_same_objects_in_place_without_history():
    w = leaf(1.0, 2.0)
    data_before = w._data
    opt = optim.SGD([w], lr=0.5, momentum=0.9)
    (w * w).sum().backward()
    opt.step()
    assert w._data is data_before  # the very array the model holds
    assert w.is_leaf and w.grad_fn is None and w.requires_grad
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 0.0])
    buf = opt.state[w]["momentum_buffer"]
    assert not buf.requires_grad


def test_step_bumps_the_version_counter():
    w = leaf(1.0, 2.0)
    saved = (w * w).sum()  # mul saves w for backward
    w.grad = ember.ones(2)
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        saved.backward()


def test_closure_is_evaluated_with_grad_and_its_loss_returned():
    w = leaf(3.0)
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0
    assert w.item() == pytest.approx(3.0 - 0.1 * 6.0)
    assert opt.step() is None


def test_zero_grad():
    w = leaf(1.0, 2.0)
    opt = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad
    np.testing.assert_array_equal(grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert w.grad is None
    opt.zero_grad()  # nothing to clear


def test_step_hooks():
    w = leaf(1.0)
    opt = optim.SGD([w], lr=0.1)
    calls = []

    def pre(o, args, kwargs):
        calls.append(("pre", o is opt, args[1:], dict(kwargs)))

    def post(o, args, kwargs):
        calls.append(("post", w.item()))

    h1 = opt.register_step_pre_hook(pre)
    h2 = opt.register_step_post_hook(post)
    w.grad = ember.tensor([1.0])
    opt.step()
    assert calls == [("pre", True, (), {}), ("post", pytest.approx(0.9))]
    h1.remove()
    h2.remove()
    opt.step()
    assert len(calls) == 2


def test_pre_hook_can_replace_arguments_and_bad_results_raise():
    w = leaf(2.0)
    opt = optim.SGD([w], lr=0.1)
    w.grad = ember.tensor([1.0])
    opt.register_step_pre_hook(lambda o, args, kwargs: (args, {"closure": lambda: 42}))
    assert opt.step() == 42
    opt2 = optim.SGD([leaf(1.0)], lr=0.1)
    opt2.register_step_pre_hook(lambda o, args, kwargs: "nope")
    with pytest.raises(RuntimeError, match="must return None or a tuple of \\(new_args, new_kwargs\\), but got nope"):
        opt2.step()


def test_base_step_raises():
    class Bare(Optimizer):
        pass

    with pytest.raises(NotImplementedError):
        Bare([leaf(1.0)], {}).step()


# -- state dicts ------------------------------------------------------------------------------------
def train(opt, params, steps, seed):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        for p in params:
            p.grad = ember.tensor(rng.standard_normal(tuple(p.shape)))
        opt.step()


def make(cls, **kw):
    rng = np.random.default_rng(0)
    a = ember.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    b = ember.tensor(rng.standard_normal(4), requires_grad=True)
    c = ember.tensor(rng.standard_normal(()), requires_grad=True)
    return [a, b, c], cls([{"params": [a, b]}, {"params": [c], "lr": 0.02}], **kw)


def test_state_dict_structure():
    params, opt = make(optim.SGD, lr=0.1, momentum=0.9)
    train(opt, params, 2, seed=1)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.02 and sd["param_groups"][0]["momentum"] == 0.9
    assert set(sd["state"]) == {0, 1, 2}
    assert set(sd["state"][0]) == {"momentum_buffer"}
    assert sd["state"][0]["momentum_buffer"] is opt.state[params[0]]["momentum_buffer"]


OPTIMIZERS = [
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (optim.Adam, dict(lr=0.05, amsgrad=True)),
    (optim.AdamW, dict(lr=0.05)),
    (optim.Adamax, dict(lr=0.05)),
    (optim.NAdam, dict(lr=0.05)),
    (optim.RAdam, dict(lr=0.05, betas=(0.9, 0.9))),
]


@pytest.mark.parametrize("cls,kw", OPTIMIZERS, ids=lambda x: getattr(x, "__name__", ""))
def test_restored_mid_training_continues_identically(cls, kw):
    params, opt = make(cls, **kw)
    train(opt, params, 7, seed=1)
    # snapshot: parameters and optimizer state (through a pickle round trip, as a checkpoint would)
    saved_params = [p.detach().clone() for p in params]
    saved = pickle.loads(pickle.dumps(opt.state_dict()))
    train(opt, params, 9, seed=2)
    expected = [p.detach().numpy().copy() for p in params]

    params2 = [ember.tensor(p.numpy(), requires_grad=True) for p in saved_params]
    opt2 = cls([{"params": params2[:2]}, {"params": params2[2:], "lr": 0.5}], **kw)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[1]["lr"] == 0.02  # group options come from the state dict
    train(opt2, params2, 9, seed=2)
    for p, e in zip(params2, expected, strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), e)


@pytest.mark.parametrize("cls,kw", OPTIMIZERS, ids=lambda x: getattr(x, "__name__", ""))
def test_loaded_state_shares_no_buffers(cls, kw):
    params, opt = make(cls, **kw)
    train(opt, params, 3, seed=1)
    params2 = [ember.tensor(p.detach().numpy(), requires_grad=True) for p in params]
    opt2 = cls([{"params": params2[:2]}, {"params": params2[2:]}], **kw)
    sd = opt.state_dict()
    opt2.load_state_dict(sd)
    before = {k: {n: v.numpy().copy() for n, v in s.items()} for k, s in opt2.state_dict()["state"].items()}
    train(opt, params, 3, seed=5)  # the original keeps training: the copy must not move
    after = opt2.state_dict()["state"]
    for k, s in before.items():
        for n, v in s.items():
            assert after[k][n] is not opt.state_dict()["state"][k][n]
            np.testing.assert_array_equal(after[k][n].numpy(), v)
    # the loaded optimizer's groups hold its own parameters
    assert opt2.param_groups[0]["params"][0] is params2[0]


def test_load_state_dict_casts_buffers_to_the_param_dtype_but_keeps_step():
    p64 = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    opt = optim.Adam([p64], lr=0.1)
    p64.grad = ember.tensor([1.0, 1.0], dtype=ember.float64)
    opt.step()
    p32 = ember.tensor([1.0, 2.0], dtype=ember.float32, requires_grad=True)
    opt32 = optim.Adam([p32], lr=0.1)
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[p32]["exp_avg"].dtype == ember.float32
    assert opt32.state[p32]["step"].dtype == ember.float32 and opt32.state[p32]["step"].item() == 1.0


def test_load_state_dict_errors():
    _, opt = make(optim.SGD, lr=0.1)
    other = optim.SGD([leaf(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="loaded state dict has a different number of parameter groups"):
        other.load_state_dict(opt.state_dict())
    other = optim.SGD([{"params": [leaf(1.0)]}, {"params": [leaf(2.0)]}], lr=0.1)
    with pytest.raises(ValueError, match="loaded state dict contains a parameter group that doesn't match the size of optimizer's group"):
        other.load_state_dict(opt.state_dict())


def test_state_dict_hooks():
    _, opt = make(optim.SGD, lr=0.1)
    seen = []
    opt.register_state_dict_pre_hook(lambda o: seen.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    sd = opt.state_dict()
    assert seen == ["pre"] and sd["extra"] == 1
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("load_pre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("load_post"), prepend=True)
    opt.load_state_dict(sd)
    assert seen[-2:] == ["load_pre", "load_post"]


def test_deepcopy_and_pickle_of_an_optimizer():
    params, opt = make(optim.Adam, lr=0.1)
    train(opt, params, 2, seed=1)
    clone = copy.deepcopy(opt)
    assert clone.param_groups[0]["lr"] == 0.1 and len(clone.state) == 3
    restored = pickle.loads(pickle.dumps(opt))
    assert isinstance(restored, optim.Adam) and restored.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
