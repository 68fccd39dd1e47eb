"""nn.Module basics: registration, iteration, modes, gradients, conversions, printing, Parameter/Buffer.

Expected strings were captured from torch 2.13 (``torch`` spelled ``ember``).
"""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn


class Leaf(nn.Module):
    def __init__(self, n: int, multi: bool = False) -> None:
        super().__init__()
        self.n = n
        self.multi = multi
        self.w = nn.Parameter(ember.ones(n))

    def extra_repr(self) -> str:
        return f"n={self.n}\nmulti=True" if self.multi else f"n={self.n}"

    def forward(self, x):
        return x * self.w


class Block2(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.l = nn.Linear(3, 4, bias=False)


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = Leaf(2)
        self.b = Leaf(3, multi=True)
        self.seq = nn.Sequential(Leaf(1), nn.Sequential(OrderedDict(inner=Leaf(4))), nn.Flatten(), nn.Unflatten(1, (2, 3)))
        self.ml = nn.ModuleList([Leaf(5), Leaf(5), Leaf(5), Leaf(6), Block2()])
        self.md = nn.ModuleDict({"x": Leaf(7), "y": nn.Linear(2, 3)})
        self.empty = nn.ModuleList()
        self.none = None


BLOCK_REPR = """Block(
  (a): Leaf(n=2)
  (b): Leaf(
    n=3
    multi=True
  )
  (seq): Sequential(
    (0): Leaf(n=1)
    (1): Sequential(
      (inner): Leaf(n=4)
    )
    (2): Flatten(start_dim=1, end_dim=-1)
    (3): Unflatten(dim=1, unflattened_size=(2, 3))
  )
  (ml): ModuleList(
    (0-2): 3 x Leaf(n=5)
    (3): Leaf(n=6)
    (4): Block2(
      (l): Linear(in_features=3, out_features=4, bias=False)
    )
  )
  (md): ModuleDict(
    (x): Leaf(n=7)
    (y): Linear(in_features=2, out_features=3, bias=True)
  )
  (empty): ModuleList()
)"""


def test_repr_matches_torch_layout():
    assert repr(Block()) == BLOCK_REPR
    assert str(Block()) == BLOCK_REPR
    assert repr(nn.Module()) == "Module()"
    assert repr(nn.Sequential()) == "Sequential()"


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = Leaf(4)
        self.fc2 = nn.Linear(4, 2)
        self.register_buffer("steps", ember.zeros((), dtype=ember.int64))
        self.register_buffer("scratch", ember.ones(2), persistent=False)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def test_registration_and_iteration():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["fc1.weight", "fc1.bias", "act.w", "fc2.weight", "fc2.bias"]
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules(prefix="m")] == ["m", "m.fc1", "m.act", "m.fc2"]
    assert [n for n, _ in net.named_parameters(prefix="m", recurse=False)] == []
    assert [n for n, _ in net.fc1.named_parameters(prefix="fc1")] == ["fc1.weight", "fc1.bias"]
    assert list(net.children()) == [net.fc1, net.act, net.fc2]
    assert next(iter(net.modules())) is net
    assert all(isinstance(p, nn.Parameter) for p in net.parameters())
    assert net.fc1.weight is net.fc1._parameters["weight"]
    assert net.get_submodule("fc1") is net.fc1
    assert net.get_submodule("") is net
    assert net.get_parameter("fc2.bias") is net.fc2.bias
    assert net.get_buffer("steps") is net.steps
    assert sum(p.numel() for p in net.parameters()) == 3 * 4 + 4 + 4 + 4 * 2 + 2


def test_shared_parameters_and_modules_deduplicated():
    m = nn.Module()
    lin = nn.Linear(2, 2)
    m.a = lin
    m.b = lin
    m.extra = lin.weight
    assert [n for n, _ in m.named_parameters()] == ["extra", "a.bias"]  # the shared weight once, first name
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == [
        "extra", "a.weight", "a.bias", "b.weight", "b.bias",
    ]
    assert [n for n, _ in m.named_modules()] == ["", "a"]
    assert [n for n, _ in m.named_modules(remove_duplicate=False)] == ["", "a", "b"]
    assert len(list(m.children())) == 1
    assert list(m.state_dict()) == ["extra", "a.weight", "a.bias", "b.weight", "b.bias"]


def test_setattr_moves_between_kinds_and_delattr():
    m = nn.Module()
    m.x = nn.Parameter(ember.ones(1))
    assert "x" in m._parameters
    m.x = None  # still a parameter slot
    assert m._parameters["x"] is None and m.x is None
    with pytest.raises(TypeError, match=r"cannot assign 'ember\.nn\.modules\.linear\.Linear' as parameter 'x'"):
        m.x = nn.Linear(1, 1)
    del m.x
    m.x = nn.Linear(1, 1)
    assert "x" not in m._parameters and m._modules["x"] is m.x
    with pytest.raises(TypeError, match=r"cannot assign 'ember\.FloatTensor' as child module 'x'"):
        m.x = nn.Buffer(ember.zeros(2))
    del m.x
    m.x = nn.Buffer(ember.zeros(2), persistent=False)
    assert "x" not in m._modules and "x" in m._buffers and "x" in m._non_persistent_buffers_set
    m.x = ember.ones(3)  # plain tensors assigned to a buffer name stay buffers
    assert m._buffers["x"].shape == (3,)
    assert "x" in m._non_persistent_buffers_set
    m.y = ember.ones(1)  # a plain tensor is an ordinary attribute
    assert "y" in m.__dict__ and "y" not in m._buffers
    del m.x
    assert "x" not in m._buffers and "x" not in m._non_persistent_buffers_set
    del m.y
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'x'"):
        _ = m.x
    m.z = 5
    del m.z
    assert not hasattr(m, "z")


def test_dir_lists_registered_names():
    net = Net()
    d = dir(net)
    for name in ("fc1", "act", "steps", "scratch", "forward", "training", "state_dict"):
        assert name in d
    assert d == sorted(d)
    s = nn.Sequential(nn.Linear(1, 1))
    assert "0" not in dir(s)


def test_call_runs_forward_and_missing_forward_errors():
    net = Net()
    x = ember.randn(5, 3)
    out = net(x)
    ref = (x.numpy() @ net.fc1.weight.detach().numpy().T + net.fc1.bias.detach().numpy()) * 1.0
    ref = ref @ net.fc2.weight.detach().numpy().T + net.fc2.bias.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-5, atol=1e-6)
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'):
        nn.Module()(1)


def test_train_eval_apply_requires_grad():
    net = Net()
    assert net.training and net.fc1.training
    assert net.eval() is net
    assert not net.training and not net.fc1.training and not net.act.training
    net.train()
    assert all(m.training for m in net.modules())
    net.fc1.train(False)
    assert not net.fc1.training and net.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("x")  # type: ignore[arg-type]
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Leaf", "Linear", "Net"]
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    assert all(p.requires_grad for p in net.parameters())


def test_zero_grad_none_and_zeros():
    net = Net()
    net(ember.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    for p in net.parameters():
        assert p.grad is not None and p.grad.shape == p.shape
        assert not p.grad.numpy().any()
    net(ember.randn(4, 3)).sum().backward()
    g = net.fc1.weight.grad
    net.zero_grad(set_to_none=False)
    assert net.fc1.weight.grad is g  # zeroed in place
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_and_casts_keep_parameter_objects():
    net = Net()
    w = net.fc1.weight
    net(ember.randn(2, 3)).sum().backward()
    assert net.double() is net
    assert net.fc1.weight is w and w.dtype == ember.float64 and w.requires_grad and w.is_leaf
    assert w.grad.dtype == ember.float64
    assert net.steps.dtype == ember.int64  # integer buffers are not cast
    net.float()
    assert w.dtype == ember.float32 and net.scratch.dtype == ember.float32
    net.to(ember.float64)
    assert w.dtype == ember.float64
    net.to("cpu", ember.float32)
    assert w.dtype == ember.float32
    net.to(dtype=ember.float64)
    assert w.dtype == ember.float64
    net.to(ember.zeros(1, dtype=ember.float32))
    assert w.dtype == ember.float32
    net.half()
    assert w.dtype == ember.float16
    net.type(ember.float32)
    assert w.dtype == ember.float32 and net.steps.dtype == ember.float32  # type() casts everything
    net.cpu()
    assert w.device == ember.device("cpu")
    with pytest.raises(TypeError, match=r"nn.Module.to only accepts floating point or complex dtypes, but got "
                                        r"desired dtype=ember.int64"):
        net.to(ember.int64)
    out = net(ember.randn(2, 3))
    assert out.dtype == ember.float32


PARAM_REPR = "Parameter containing:\ntensor([1., 1.], requires_grad=True)"


def test_parameter_and_buffer():
    p = nn.Parameter(ember.ones(2))
    assert repr(p) == PARAM_REPR and str(p) == PARAM_REPR
    assert isinstance(p, nn.Parameter) and isinstance(p, ember.Tensor)
    assert p.requires_grad and p.is_leaf
    assert repr(nn.Parameter()) == "Parameter containing:\ntensor([], requires_grad=True)"
    assert repr(nn.Parameter(ember.ones(2), requires_grad=False)) == "Parameter containing:\ntensor([1., 1.])"
    src = ember.zeros(3)
    q = nn.Parameter(src)
    with ember.no_grad():
        q.add_(1)
    assert src.tolist() == [1.0, 1.0, 1.0]  # shares memory
    assert not isinstance(p * 2, nn.Parameter)
    with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype can require gradients"):
        nn.Parameter(ember.ones(2, dtype=ember.int64))
    b = nn.Buffer(ember.ones(2))
    assert isinstance(b, nn.Buffer) and b.persistent and not b.requires_grad
    assert not nn.Buffer(ember.ones(2), persistent=False).persistent
    assert copy.deepcopy(p).__class__ is nn.Parameter
    assert pickle.loads(pickle.dumps(p)).requires_grad


def test_module_deepcopy_and_pickle():
    net = Net()
    net2 = copy.deepcopy(net)
    assert net2.fc1.weight is not net.fc1.weight
    np.testing.assert_array_equal(net2.fc1.weight.detach().numpy(), net.fc1.weight.detach().numpy())
    x = ember.randn(2, 3)
    np.testing.assert_array_equal(net2(x).detach().numpy(), net(x).detach().numpy())
    net3 = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(net3(x).detach().numpy(), net(x).detach().numpy())
    assert "scratch" in net3._non_persistent_buffers_set
    h = net3.register_forward_hook(lambda m, a, o: o * 0)
    assert not net3(x).detach().numpy().any()
    h.remove()


# -- errors (messages from torch 2.13) ------------------------------------------------------------


def test_registration_errors():
    m = nn.Module()
    cases = [
        (lambda: m.register_buffer("a.b", None), KeyError, 'buffer name can\'t contain "."'),
        (lambda: m.register_buffer("", None), KeyError, 'buffer name can\'t be empty string ""'),
        (lambda: m.register_buffer(1, None), TypeError, "buffer name should be a string. Got int"),
        (lambda: m.register_buffer("x", 3), TypeError,
         "cannot assign 'int' object to buffer 'x' (ember Tensor or None required)"),
        (lambda: m.register_parameter("a.b", None), KeyError, 'parameter name can\'t contain "."'),
        (lambda: m.register_parameter("x", ember.ones(1)), TypeError,
         "cannot assign 'ember.FloatTensor' object to parameter 'x' (ember.nn.Parameter or None required)"),
        (lambda: m.add_module("a.b", None), KeyError, "module name can't contain \".\", got: a.b"),
        (lambda: m.add_module("x", 3), TypeError, "int is not a Module subclass"),
        (lambda: m.add_module("", None), KeyError, 'module name can\'t be empty string ""'),
        (lambda: m.get_submodule("foo"), AttributeError, "Module has no attribute `foo`"),
        (lambda: m.get_parameter("foo"), AttributeError, "Module has no attribute `foo`"),
        (lambda: m.register_parameter("training", None), KeyError, "attribute 'training' already exists"),
        (lambda: m.nope, AttributeError, "'Module' object has no attribute 'nope'"),
    ]
    for fn, exc, msg in cases:
        with pytest.raises(exc) as info:
            fn()
        text = info.value.args[0]
        assert text == msg, (text, msg)
    m.p = nn.Parameter(ember.ones(1))
    with pytest.raises(TypeError) as info:
        m.p = ember.ones(1)
    assert str(info.value) == "cannot assign 'ember.FloatTensor' as parameter 'p' (ember.nn.Parameter or None expected)"
    m.c = nn.Linear(1, 1)
    with pytest.raises(TypeError) as info:
        m.c = 3
    assert str(info.value) == "cannot assign 'int' as child module 'c' (ember.nn.Module or None expected)"
    m.register_buffer("bb", ember.ones(1))
    with pytest.raises(TypeError) as info:
        m.bb = 3
    assert str(info.value) == "cannot assign 'int' as buffer 'bb' (ember.nn.Buffer, ember.Tensor or None expected)"
    with pytest.raises(AttributeError, match=r"^`weight` is not an nn.Module$"):
        m.get_submodule("c.weight")
    with pytest.raises(AttributeError, match=r"^Linear has no attribute `nope`$"):
        m.get_parameter("c.nope")
    with pytest.raises(AttributeError, match=r"^`bb` is not an nn.Parameter$"):
        m.get_parameter("bb")
    with pytest.raises(AttributeError, match=r"^`p` is not a buffer$"):
        m.get_buffer("p")
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'q'"):
        leaf = nn.Parameter(ember.ones(1))
        nonleaf = leaf * 2
        nonleaf.__class__ = nn.Parameter
        m.register_parameter("q", nonleaf)


def test_assignment_before_init_errors():
    class Bad(nn.Module):
        def __init__(self) -> None:
            self.x = nn.Parameter(ember.ones(1))

    class Bad2(nn.Module):
        def __init__(self) -> None:
            self.x = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"^cannot assign parameters before Module.__init__\(\) call$"):
        Bad()
    with pytest.raises(AttributeError, match=r"^cannot assign module before Module.__init__\(\) call$"):
        Bad2()
