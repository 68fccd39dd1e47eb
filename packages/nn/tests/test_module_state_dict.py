"""Module.state_dict / load_state_dict: keys, detaching, strictness, torch's messages, atomic failure."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn


class S(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(2, 2)
        self.register_buffer("rb", ember.ones(2))
        self.register_buffer("np", ember.ones(1), persistent=False)
        self.register_parameter("none_p", None)
        self.register_buffer("none_b", None)


class N(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.seq = nn.Sequential(nn.Linear(2, 2))


def test_state_dict_keys_order_and_detaching():
    s = S()
    sd = s.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["rb", "lin.weight", "lin.bias"]  # own entries first, persistent buffers only
    assert not sd["lin.weight"].requires_grad
    assert not isinstance(sd["lin.weight"], nn.Parameter)
    kept = s.state_dict(keep_vars=True)
    assert kept["lin.weight"] is s.lin.weight
    assert list(s.state_dict(prefix="pre.")) == ["pre.rb", "pre.lin.weight", "pre.lin.bias"]
    dest: dict = {}
    assert s.state_dict(destination=dest) is dest and len(dest) == 3
    # detached entries share memory with the parameters, as in torch
    with ember.no_grad():
        s.lin.bias.fill_(7.0)
    assert sd["lin.bias"].tolist() == [7.0, 7.0]


def test_round_trip_between_models_gives_same_outputs():
    a, b = N(), N()
    res = b.load_state_dict(a.state_dict())
    assert repr(res) == "<All keys matched successfully>"
    assert res.missing_keys == [] and res.unexpected_keys == []
    x = ember.randn(3, 2)
    np.testing.assert_array_equal(a.seq(a.fc(x)).detach().numpy(), b.seq(b.fc(x)).detach().numpy())
    assert b.fc.weight is not a.fc.weight  # copied, not aliased


def test_load_from_numpy_arrays_and_copy_casts():
    s = S()
    w = np.arange(4, dtype=np.float64).reshape(2, 2)
    r = s.load_state_dict({"lin.weight": ember.from_numpy(w), "lin.bias": ember.zeros(2), "rb": ember.full((2,), 5.0)})
    assert r.missing_keys == [] and r.unexpected_keys == []
    assert s.lin.weight.dtype == ember.float32 and s.lin.weight.tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert s.rb.tolist() == [5.0, 5.0]
    assert isinstance(s.lin.weight, nn.Parameter) and s.lin.weight.requires_grad


def test_non_strict_reports_keys():
    lin = nn.Linear(4, 2)
    r = lin.load_state_dict({"weight": ember.zeros(2, 4), "extra": ember.zeros(1)}, strict=False)
    assert r.missing_keys == ["bias"] and r.unexpected_keys == ["extra"]
    assert repr(r) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['extra'])"
    assert not lin.weight.detach().numpy().any()
    r = nn.Linear(1, 1).load_state_dict({"weight": ember.zeros(1, 1)}, strict=False)
    assert str(r) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])"


# messages captured from torch 2.13 (torch.Size printed as ember.Size)
LOAD_ERRORS = [
    ({"weight": ember.zeros(2, 3), "bias": ember.zeros(2)}, True,
     "Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param with shape "
     "ember.Size([2, 3]) from checkpoint, the shape in current model is ember.Size([2, 4])."),
    ({"weight": ember.zeros(2, 4)}, True,
     'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". '),
    ({"weight": ember.zeros(2, 4), "bias": ember.zeros(2), "extra": ember.zeros(1), "foo.bar": ember.zeros(1)}, True,
     'Error(s) in loading state_dict for Linear:\n\tUnexpected key(s) in state_dict: "extra", "foo.bar". '),
    ({"weight": ember.zeros(3, 4), "extra": ember.zeros(1)}, False,
     "Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param with shape "
     "ember.Size([3, 4]) from checkpoint, the shape in current model is ember.Size([2, 4])."),
    ({"weight": 3, "bias": ember.zeros(2)}, True,
     'Error(s) in loading state_dict for Linear:\n\tWhile copying the parameter named "weight", expected ember.Tensor '
     "or Tensor-like object from checkpoint but received <class 'int'>"),
    ({"weight": ember.zeros(3, 4), "bias": ember.zeros(1)}, True,
     "Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param with shape "
     "ember.Size([3, 4]) from checkpoint, the shape in current model is ember.Size([2, 4]).\n\tsize mismatch for "
     "bias: copying a param with shape ember.Size([1]) from checkpoint, the shape in current model is ember.Size([2])."),
]


@pytest.mark.parametrize(("sd", "strict", "msg"), LOAD_ERRORS)
def test_load_errors_match_torch(sd, strict, msg):
    lin = nn.Linear(4, 2)
    with pytest.raises(RuntimeError) as info:
        lin.load_state_dict(sd, strict=strict)
    assert str(info.value) == msg


def test_nested_unexpected_keys_in_torch_order():
    n = N()
    sd = {"fc.weight": ember.zeros(2, 2), "fc.bias": ember.zeros(2), "seq.0.weight": ember.zeros(2, 2),
          "seq.0.bias": ember.zeros(2), "seq.0.extra": ember.zeros(1), "seq.1.weight": ember.zeros(1),
          "fc": ember.zeros(1)}
    with pytest.raises(RuntimeError) as info:
        n.load_state_dict(sd)
    assert str(info.value) == (
        'Error(s) in loading state_dict for N:\n\tUnexpected key(s) in state_dict: "fc", "seq.1.weight", "seq.0.extra". '
    )
    r = n.load_state_dict(sd, strict=False)
    assert r.unexpected_keys == ["fc", "seq.1.weight", "seq.0.extra"] and r.missing_keys == []
    with pytest.raises(TypeError, match=r"^Expected state_dict to be dict-like, got <class 'list'>\.$"):
        n.load_state_dict([1])  # type: ignore[arg-type]


def test_failed_load_leaves_model_unchanged():
    n = N()
    before = {k: v.clone() for k, v in n.state_dict().items()}
    bad = {k: ember.full(tuple(v.shape), 9.0) for k, v in before.items()}
    bad["seq.0.bias"] = ember.zeros(5)  # one bad shape after good entries
    with pytest.raises(RuntimeError, match=r"size mismatch for seq\.0\.bias"):
        n.load_state_dict(bad)
    for k, v in n.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k].numpy())
    bad.pop("seq.0.bias")  # missing key, strict: also nothing copied
    with pytest.raises(RuntimeError, match='Missing key'):
        n.load_state_dict(bad)
    for k, v in n.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k].numpy())


def test_assign_replaces_parameters_and_keeps_requires_grad():
    lin = nn.Linear(2, 2)
    lin.bias.requires_grad_(False)
    w = ember.ones(2, 2, dtype=ember.float64)
    lin.load_state_dict({"weight": w, "bias": ember.zeros(2)}, assign=True)
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.dtype == ember.float64
    assert lin.weight.requires_grad and not lin.bias.requires_grad
    with ember.no_grad():
        w.add_(1.0)
    assert lin.weight.tolist() == [[2.0, 2.0], [2.0, 2.0]]  # assigned, not copied
    s = S()
    new_rb = ember.full((2,), 3.0)
    s.load_state_dict({"lin.weight": ember.zeros(2, 2), "lin.bias": ember.zeros(2), "rb": new_rb}, assign=True)
    assert s.rb is new_rb


def test_non_persistent_buffers_are_not_loaded_or_expected():
    s = S()
    sd = s.state_dict()
    sd["np"] = ember.zeros(1)
    r = s.load_state_dict(sd, strict=False)
    assert r.unexpected_keys == ["np"]
    assert s.np.tolist() == [1.0]


def test_state_dict_hooks():
    s = S()
    calls = []
    h = s.register_state_dict_hook(lambda m, sd, prefix, meta: calls.append(list(sd)))
    s.state_dict()
    assert calls == [["rb", "lin.weight", "lin.bias"]]
    h.remove()
    s.state_dict()
    assert len(calls) == 1

    def clear_unexpected(module, keys):
        keys.unexpected_keys.clear()

    s.register_load_state_dict_post_hook(clear_unexpected)
    sd = s.state_dict()
    sd["junk"] = ember.zeros(1)
    assert s.load_state_dict(sd, strict=False).unexpected_keys == []
    assert repr(s.load_state_dict(sd)) == "<All keys matched successfully>"  # strict check follows the hooks


class Extra(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.l = nn.Linear(1, 1)
        self.v = 3

    def get_extra_state(self):
        return {"v": self.v}

    def set_extra_state(self, state):
        self.v = state["v"]


def test_extra_state_round_trip():
    e = Extra()
    sd = e.state_dict()
    assert list(sd) == ["_extra_state", "l.weight", "l.bias"]  # torch's order
    e2 = Extra()
    e2.v = 0
    assert repr(e2.load_state_dict(sd)) == "<All keys matched successfully>"
    assert e2.v == 3
    sd.pop("_extra_state")
    assert e2.load_state_dict(sd, strict=False).missing_keys == ["_extra_state"]
    holder = nn.Sequential(Extra())
    assert next(iter(holder.state_dict())) == "0._extra_state"
