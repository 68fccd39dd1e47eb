"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict (behaviour and reprs from torch 2.13)."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn


class Scale(nn.Module):
    def __init__(self, k: float) -> None:
        super().__init__()
        self.k = k

    def forward(self, x):
        return x * self.k

    def extra_repr(self) -> str:
        return f"k={self.k}"


def test_sequential_forward_indexing_slicing():
    s = nn.Sequential(Scale(2), Scale(3), Scale(5))
    assert s(ember.ones(2)).tolist() == [30.0, 30.0]
    assert len(s) == 3
    assert s[0].k == 2 and s[-1].k == 5
    with pytest.raises(IndexError, match="index 3 is out of range"):
        s[3]
    with pytest.raises(IndexError, match="index -4 is out of range"):
        s[-4]
    sub = s[1:]
    assert type(sub) is nn.Sequential and [m.k for m in sub] == [3, 5]
    assert list(sub._modules) == ["1", "2"]  # slicing keeps the names, as torch
    assert sub[0] is s[1]
    assert [m.k for m in s] == [2, 3, 5]
    s[1] = Scale(7)
    assert s(ember.ones(1)).tolist() == [70.0]


def test_sequential_ordered_dict_and_mutation():
    s = nn.Sequential(OrderedDict([("a", Scale(1)), ("b", Scale(2))]))
    assert s.a.k == 1 and s[1] is s.b
    assert repr(s) == "Sequential(\n  (a): Scale(k=1)\n  (b): Scale(k=2)\n)"
    t = nn.Sequential(Scale(1))
    assert t.append(Scale(2)) is t
    t.extend([Scale(3), Scale(4)])
    t.insert(0, Scale(0))
    t.insert(-1, Scale(9))
    assert [m.k for m in t] == [0, 1, 2, 3, 9, 4]
    popped = t.pop(1)
    assert popped.k == 1 and [m.k for m in t] == [0, 2, 3, 9, 4]
    assert list(t._modules) == ["0", "1", "2", "3", "4"]  # renumbered
    del t[1:3]
    assert [m.k for m in t] == [0, 9, 4]
    with pytest.raises(IndexError, match="Index out of range: 9"):
        t.insert(9, Scale(1))
    with pytest.raises(AssertionError):
        t.insert(0, 3)  # type: ignore[arg-type]
    u = t + nn.Sequential(Scale(8))
    assert [m.k for m in u] == [0, 9, 4, 8]
    with pytest.raises(ValueError, match="add operator supports only objects of Sequential class"):
        t.__add__([Scale(1)])  # type: ignore[arg-type]
    t += nn.Sequential(Scale(6))
    assert [m.k for m in t] == [0, 9, 4, 6]
    d = nn.Sequential(Scale(1), Scale(2)) * 2
    assert [m.k for m in d] == [1, 2, 1, 2] and d[0] is d[2]
    e = nn.Sequential(Scale(1))
    e *= 3
    assert len(e) == 3 and len(list(e.modules())) == 2  # the same module three times
    with pytest.raises(ValueError, match="Non-positive multiplication factor 0"):
        e * 0


def test_module_list():
    ml = nn.ModuleList([Scale(1), Scale(2)])
    ml.append(Scale(3)).extend([Scale(4)])
    ml.insert(1, Scale(9))
    assert [m.k for m in ml] == [1, 9, 2, 3, 4]
    assert ml[-1].k == 4 and isinstance(ml[1:3], nn.ModuleList) and [m.k for m in ml[1:3]] == [9, 2]
    assert ml.pop(1).k == 9 and list(ml._modules) == ["0", "1", "2", "3"]
    del ml[0]
    assert [m.k for m in ml] == [2, 3, 4]
    ml[0] = Scale(5)
    assert ml[0].k == 5
    with pytest.raises(IndexError, match="index 3 is out of range"):
        ml[3]
    with pytest.raises(TypeError, match=r"ModuleList\.extend should be called with an iterable, but got int"):
        ml.extend(3)  # type: ignore[arg-type]
    both = ml + nn.ModuleList([Scale(6)])
    assert [m.k for m in both] == [5, 3, 4, 6]
    ml += [Scale(7)]
    assert len(ml) == 4
    holder = nn.Module()
    holder.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert [n for n, _ in holder.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]
    assert len(list(holder.parameters())) == 6


MODULE_LIST_REPR = """ModuleList(
  (0-2): 3 x Scale(k=1)
  (3): Scale(k=2)
  (4-5): 2 x Sequential(
    (0): Scale(k=3)
  )
  (6): Scale(k=1)
)"""


def test_module_list_repr_compresses_runs():
    ml = nn.ModuleList([Scale(1), Scale(1), Scale(1), Scale(2), nn.Sequential(Scale(3)),
                        nn.Sequential(Scale(3)), Scale(1)])
    assert repr(ml) == MODULE_LIST_REPR
    assert repr(nn.ModuleList()) == "ModuleList()"


def test_module_dict():
    md = nn.ModuleDict({"b": Scale(1), "a": Scale(2)})
    assert list(md) == ["b", "a"]  # insertion order (torch does not sort ModuleDict)
    md["c"] = Scale(3)
    assert "c" in md and len(md) == 3 and md["c"].k == 3
    assert list(md.keys()) == ["b", "a", "c"]
    assert [m.k for m in md.values()] == [1, 2, 3]
    assert [k for k, _ in md.items()] == ["b", "a", "c"]
    assert md.pop("a").k == 2 and "a" not in md
    del md["b"]
    assert list(md) == ["c"]
    md.update([("x", Scale(4)), ("y", Scale(5))])
    assert list(md) == ["c", "x", "y"]
    with pytest.raises(ValueError, match="ModuleDict update sequence element #0 has length 1; 2 is required"):
        md.update([("z",)])
    with pytest.raises(TypeError, match=r"ModuleDict\.update should be called with an iterable of key/value pairs, but got int"):
        md.update(3)  # type: ignore[arg-type]
    assert repr(md) == "ModuleDict(\n  (c): Scale(k=3)\n  (x): Scale(k=4)\n  (y): Scale(k=5)\n)"
    md.clear()
    assert len(md) == 0


PARAM_LIST_REPR = """ParameterList(
    (0): Parameter containing: [ember.float32 of size 2x3]
    (1): Parameter containing: [ember.float64 of size 3]
    (2): Object of type: str
)"""
PARAM_DICT_REPR = """ParameterDict(
    (a): Parameter containing: [ember.FloatTensor of size 1x4]
    (b): Parameter containing: [ember.FloatTensor of size 2]
)"""


def test_parameter_list():
    pl = nn.ParameterList([nn.Parameter(ember.ones(2, 3)), ember.zeros(3, dtype=ember.float64), "s"])
    assert repr(pl) == PARAM_LIST_REPR
    assert repr(nn.ParameterList()) == "ParameterList()"
    assert isinstance(pl[1], nn.Parameter) and pl[1].requires_grad  # tensors are wrapped
    assert pl[-1] == "s" and len(pl) == 3
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    sl = pl[0:2]
    assert isinstance(sl, nn.ParameterList) and sl[0] is pl[0]
    pl.append(ember.ones(1))
    assert len(list(pl.parameters())) == 3
    with pytest.raises(TypeError, match=r"ParameterList\.extend should be called with an iterable, but got Tensor"):
        pl.extend(ember.ones(2))
    with pytest.raises(RuntimeError, match=r"ParameterList should not be called\."):
        pl(1)
    with pytest.raises(IndexError, match="index 4 is out of range"):
        pl[4]


def test_parameter_dict():
    pd = nn.ParameterDict({"b": nn.Parameter(ember.ones(2)), "a": ember.zeros(1, 4)})
    assert list(pd) == ["a", "b"]  # a plain dict is added in sorted order, as torch does
    assert repr(pd) == PARAM_DICT_REPR
    one = nn.ParameterDict({"a": nn.Parameter(ember.ones(2))})
    assert repr(one) == "ParameterDict(  (a): Parameter containing: [ember.FloatTensor of size 2])"
    assert isinstance(pd["a"], nn.Parameter)
    assert pd.get("zz", 5) == 5 and "a" in pd
    pd["c"] = ember.ones(3)
    assert list(pd.keys()) == ["a", "b", "c"] and [n for n, _ in pd.named_parameters()] == ["a", "b", "c"]
    k, v = pd.popitem()
    assert k == "c" and v.shape == (3,) and "c" not in pd
    assert pd.setdefault("d", ember.ones(1)).shape == (1,)
    assert list(reversed(pd)) == ["d", "b", "a"]
    merged = pd | nn.ParameterDict(OrderedDict(e=ember.ones(1)))
    assert list(merged) == ["a", "b", "d", "e"] and merged["a"] is pd["a"]
    assert pd.pop("d").shape == (1,)
    with pytest.raises(TypeError, match="Index given to ParameterDict cannot be used as a key as it is not a string"):
        nn.ParameterDict()[1] = ember.ones(1)  # type: ignore[index]
    with pytest.raises(RuntimeError, match=r"ParameterDict should not be called\."):
        pd(1)
    assert list(pd.fromkeys(["x", "y"], nn.Parameter(ember.ones(1)))) == ["x", "y"]
    pd.clear()
    assert len(pd) == 0


def test_containers_train_and_grads():
    model = nn.Sequential(nn.Linear(3, 4), nn.ModuleList([nn.Linear(4, 4)]), nn.ModuleDict({"o": nn.Linear(4, 1)}))
    model.eval()
    assert not model[1][0].training and not model[2]["o"].training
    x = ember.randn(5, 3)
    y = model[2]["o"](model[1][0](model[0](x)))
    y.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    w0 = model[0].weight.detach().numpy()
    np.testing.assert_allclose(model[0](x).detach().numpy(), x.numpy() @ w0.T + model[0].bias.detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_flatten_unflatten():
    x = ember.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    np.testing.assert_array_equal(nn.Flatten(1, 2)(x).numpy(), x.numpy().reshape(2, 12, 5))
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)
    assert nn.Unflatten(-1, [5, -1])(ember.zeros(2, 10)).shape == (2, 5, 2)
    assert repr(nn.Flatten(0, 2)) == "Flatten(start_dim=0, end_dim=2)"
    assert repr(nn.Unflatten(-1, [2, 2])) == "Unflatten(dim=-1, unflattened_size=[2, 2])"
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints, but found element of type float at pos 1"):
        nn.Unflatten(1, (2, 2.0))
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints, but found type int"):
        nn.Unflatten(1, 4)
    x.requires_grad_()
    nn.Flatten()(x).sum().backward()
    assert x.grad.shape == x.shape
