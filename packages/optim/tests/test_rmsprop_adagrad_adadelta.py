"""RMSprop, Adagrad and Adadelta against NumPy implementations of PyTorch's documented update rules.

Each trajectory test feeds the same gradients (a fixed noise sequence plus a term in the current
parameter, so weight decay and the update interact) to Ember and to the reference for 25 steps.
"""

from __future__ import annotations

import copy
import itertools
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.optim.adadelta import Adadelta
from ember.optim.adagrad import Adagrad
from ember.optim.rmsprop import RMSprop

STEPS = 25
SHAPES: list[tuple[int, ...]] = [(3, 4), (5,), (), (0, 2)]
TOL = {ember.float64: 1e-6, ember.float32: 1e-5}
DTYPES = {ember.float64: np.float64, ember.float32: np.float32}


# -- NumPy references (float64, written from the pseudo-code in PyTorch's docs) -------------------
def ref_rmsprop(p: np.ndarray, g: np.ndarray, st: dict[str, Any], *, lr: float = 1e-2, alpha: float = 0.99,
                eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                maximize: bool = False) -> np.ndarray:
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * p
    st["v"] = alpha * st.get("v", 0.0) + (1 - alpha) * g * g
    v_tilde = st["v"]
    if centered:
        st["g_ave"] = alpha * st.get("g_ave", 0.0) + (1 - alpha) * g
        v_tilde = v_tilde - st["g_ave"] ** 2
    if momentum > 0:
        st["b"] = momentum * st.get("b", 0.0) + g / (np.sqrt(v_tilde) + eps)
        return p - lr * st["b"]
    return p - lr * g / (np.sqrt(v_tilde) + eps)


def ref_adagrad(p: np.ndarray, g: np.ndarray, st: dict[str, Any], *, lr: float = 1e-2, lr_decay: float = 0.0,
                weight_decay: float = 0.0, initial_accumulator_value: float = 0.0, eps: float = 1e-10,
                maximize: bool = False) -> np.ndarray:
    st["t"] = t = st.get("t", 0) + 1
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    st["sum"] = st.get("sum", initial_accumulator_value) + g * g
    return p - clr * g / (np.sqrt(st["sum"]) + eps)


def ref_adadelta(p: np.ndarray, g: np.ndarray, st: dict[str, Any], *, lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0.0, maximize: bool = False) -> np.ndarray:
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * p
    st["v"] = rho * st.get("v", 0.0) + (1 - rho) * g * g
    dx = np.sqrt(st.get("u", 0.0) + eps) / np.sqrt(st["v"] + eps) * g
    st["u"] = rho * st.get("u", 0.0) + (1 - rho) * dx * dx
    return p - lr * dx


REFS: dict[type, Callable[..., np.ndarray]] = {RMSprop: ref_rmsprop, Adagrad: ref_adagrad, Adadelta: ref_adadelta}


def _grad(p: np.ndarray, noise: np.ndarray) -> np.ndarray:
    return noise + 0.5 * p


def trajectory(cls: type, options: dict[str, Any], dtype: Any = ember.float64, shapes: list[tuple[int, ...]] = SHAPES,
               seed: int = 0, steps: int = STEPS, noncontiguous: bool = False) -> None:
    """Run ``cls`` and its NumPy reference side by side; assert every step's parameters agree."""
    rng = np.random.default_rng(seed)
    np_dtype = DTYPES[dtype]
    starts = [rng.standard_normal(s) for s in shapes]
    noise = [[rng.standard_normal(s) for s in shapes] for _ in range(steps)]
    params = []
    for a in starts:
        if noncontiguous and a.ndim == 2:
            # a leaf whose storage is transposed (strides reversed)
            t = ember.tensor(a.T.astype(np_dtype).copy()).t().detach().requires_grad_()
        else:
            t = ember.tensor(a.astype(np_dtype), requires_grad=True)
        params.append(t)
    opt = cls(params, **options)
    ref_params = [a.astype(np_dtype).astype(np.float64) for a in starts]
    ref_states: list[dict[str, Any]] = [{} for _ in shapes]
    tol = TOL[dtype]
    for step in range(steps):
        for i, p in enumerate(params):
            g = _grad(p.detach().numpy().astype(np.float64), noise[step][i]).astype(np_dtype)
            p.grad = ember.tensor(g.T.copy()).t() if noncontiguous and g.ndim == 2 else ember.tensor(g)
            ref_params[i] = REFS[cls](ref_params[i], g.astype(np.float64), ref_states[i], **options)
        opt.step()
        for i, p in enumerate(params):
            np.testing.assert_allclose(p.detach().numpy(), ref_params[i], rtol=tol, atol=tol,
                                       err_msg=f"{cls.__name__}({options}) step {step + 1}, param {i}")
    for p in params:
        assert p.dtype is dtype and p.is_leaf and p.grad_fn is None


RMSPROP_OPTIONS: list[dict[str, Any]] = [
    {},
    {"lr": 0.05, "alpha": 0.9},
    {"eps": 1e-3},
    {"weight_decay": 0.1},
    {"momentum": 0.9},
    {"centered": True},
    {"centered": True, "momentum": 0.5, "weight_decay": 0.05},
    {"maximize": True, "momentum": 0.3},
]
ADAGRAD_OPTIONS: list[dict[str, Any]] = [
    {},
    {"lr": 0.3},
    {"lr_decay": 0.05},
    {"weight_decay": 0.1},
    {"initial_accumulator_value": 0.5},
    {"eps": 1e-3},
    {"maximize": True, "lr_decay": 0.01, "weight_decay": 0.02, "initial_accumulator_value": 0.1},
]
ADADELTA_OPTIONS: list[dict[str, Any]] = [
    {},
    {"lr": 0.5},
    {"rho": 0.5},
    {"eps": 1e-4},
    {"weight_decay": 0.1},
    {"maximize": True, "rho": 0.95, "weight_decay": 0.01},
]
ALL_CASES = (
    [(RMSprop, o) for o in RMSPROP_OPTIONS]
    + [(Adagrad, o) for o in ADAGRAD_OPTIONS]
    + [(Adadelta, o) for o in ADADELTA_OPTIONS]
)


@pytest.mark.parametrize(("cls", "options"), ALL_CASES, ids=lambda x: getattr(x, "__name__", repr(x)))
@pytest.mark.parametrize("dtype", [ember.float64, ember.float32], ids=str)
def test_trajectory_matches_numpy(cls: type, options: dict[str, Any], dtype: Any) -> None:
    trajectory(cls, options, dtype)


@pytest.mark.parametrize("cls", [RMSprop, Adagrad, Adadelta])
def test_trajectory_noncontiguous_params_and_grads(cls: type) -> None:
    options = {"momentum": 0.9, "centered": True} if cls is RMSprop else {}
    trajectory(cls, options, ember.float64, shapes=[(3, 4), (2, 5)], noncontiguous=True)


@settings(max_examples=12, deadline=None)
@given(
    which=st.sampled_from([RMSprop, Adagrad, Adadelta]),
    shapes=st.lists(st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple), min_size=1, max_size=3),
    dtype=st.sampled_from([ember.float32, ember.float64]),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    wd=st.sampled_from([0.0, 0.01, 0.3]),
    seed=st.integers(0, 2**16),
)
def test_trajectory_property(which: type, shapes: list[tuple[int, ...]], dtype: Any,
                             flags: tuple[bool, bool, bool], wd: float, seed: int) -> None:
    a, b, maximize = flags
    options: dict[str, Any] = {"weight_decay": wd, "maximize": maximize}
    if which is RMSprop:
        options.update(centered=a, momentum=0.8 if b else 0.0)
    elif which is Adagrad:
        options.update(lr_decay=0.02 if a else 0.0, initial_accumulator_value=0.2 if b else 0.0)
    else:
        options.update(rho=0.7 if a else 0.9, lr=0.5 if b else 1.0)
    trajectory(which, options, dtype, shapes=shapes, seed=seed, steps=20)


def test_param_groups_with_their_own_options() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(4), rng.standard_normal((2, 2))
    pa, pb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    opt = RMSprop([{"params": [pa]}, {"params": [pb], "lr": 0.1, "centered": True, "momentum": 0.5}],
                  lr=0.02, alpha=0.9)
    sa: dict[str, Any] = {}
    sb: dict[str, Any] = {}
    for _ in range(STEPS):
        ga, gb = _grad(a, 1.0), _grad(b, -0.5)
        pa.grad, pb.grad = ember.tensor(ga), ember.tensor(gb)
        opt.step()
        a = ref_rmsprop(a, ga, sa, lr=0.02, alpha=0.9)
        b = ref_rmsprop(b, gb, sb, lr=0.1, alpha=0.9, centered=True, momentum=0.5)
    np.testing.assert_allclose(pa.detach().numpy(), a, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(pb.detach().numpy(), b, rtol=1e-6, atol=1e-6)


# -- behaviour shared with PyTorch ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("cls", "options", "keys"),
    [
        (RMSprop, {}, {"step", "square_avg"}),
        (RMSprop, {"momentum": 0.9, "centered": True}, {"step", "square_avg", "momentum_buffer", "grad_avg"}),
        (Adagrad, {}, {"step", "sum"}),
        (Adadelta, {}, {"step", "square_avg", "acc_delta"}),
    ],
)
def test_state_layout_matches_pytorch(cls: type, options: dict[str, Any], keys: set[str]) -> None:
    w = ember.ones(3, requires_grad=True)
    opt = cls([w], **options)
    w.grad = ember.full((3,), 0.5)
    opt.step()
    opt.step()
    state = opt.state[w]
    assert set(state) == keys
    assert state["step"].dtype is ember.float32 and state["step"].shape == () and state["step"].item() == 2.0
    sd = opt.state_dict()
    assert list(sd["state"]) == [0] and sd["param_groups"][0]["params"] == [0]


@pytest.mark.parametrize(("cls", "options"), [(RMSprop, {"momentum": 0.9, "centered": True}),
                                              (Adagrad, {"lr_decay": 0.1}), (Adadelta, {"weight_decay": 0.1})])
def test_state_dict_round_trip_continues_identically(cls: type, options: dict[str, Any]) -> None:
    rng = np.random.default_rng(1)
    start = rng.standard_normal((3, 2))
    noise = [rng.standard_normal((3, 2)) for _ in range(20)]
    w = ember.tensor(start, requires_grad=True)
    opt = cls([w], **options)

    def step(param: ember.Tensor, o: Any, n: np.ndarray) -> None:
        param.grad = ember.tensor(_grad(param.detach().numpy(), n))
        o.step()

    for n in noise[:10]:
        step(w, opt, n)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))
    w2 = ember.tensor(w.detach().numpy().copy(), requires_grad=True)
    opt2 = cls([w2], **options)
    opt2.load_state_dict(saved)
    for key, value in opt.state[w].items():
        assert opt2.state[w2][key] is not value  # loading copies: no shared buffers
    for n in noise[10:]:
        step(w, opt, n)
        step(w2, opt2, n)
    np.testing.assert_array_equal(w2.detach().numpy(), w.detach().numpy())


@pytest.mark.parametrize("cls", [RMSprop, Adagrad, Adadelta])
def test_step_updates_in_place_and_skips_params_without_grad(cls: type) -> None:
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    frozen = ember.tensor([3.0], requires_grad=True)
    opt = cls([w, frozen])
    version = w._version if hasattr(w, "_version") else None
    w.grad = ember.tensor([0.5, -0.5])
    held = w
    opt.step()
    assert held is w and w.is_leaf and w.requires_grad
    assert (w.detach().numpy() != np.array([1.0, 2.0])).all()
    assert frozen.item() == 3.0
    if version is not None:
        assert w._version > version
    assert len(opt.state[frozen]) == (2 if cls is Adagrad else 0)  # Adagrad builds state up front


@pytest.mark.parametrize("cls", [RMSprop, Adagrad, Adadelta])
def test_training_loop_with_autograd_and_closure(cls: type) -> None:
    target = ember.tensor([1.0, -2.0, 0.5])
    w = ember.zeros(3, requires_grad=True)
    opt = cls([w], lr={RMSprop: 0.05, Adagrad: 0.5, Adadelta: 1.0}[cls])
    first = None

    def closure() -> ember.Tensor:
        opt.zero_grad()
        loss = ((w - target) ** 2).sum()
        loss.backward()
        return loss

    for _ in range(300 if cls is not Adadelta else 3000):
        loss = opt.step(closure)
        first = first if first is not None else loss.item()
    assert loss.item() < 1e-2 * first
    assert w.grad_fn is None


def test_tensor_lr() -> None:
    a = np.array([1.0, -1.0, 2.0])
    w = ember.tensor(a, requires_grad=True)
    opt = RMSprop([w], lr=ember.tensor(0.05))
    st_: dict[str, Any] = {}
    for _ in range(5):
        g = _grad(a, 0.3)
        w.grad = ember.tensor(g)
        opt.step()
        a = ref_rmsprop(a, g, st_, lr=0.05)
    np.testing.assert_allclose(w.detach().numpy(), a, rtol=1e-6)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda p: RMSprop(p, lr=-1.0), "Invalid learning rate: -1.0"),
        (lambda p: RMSprop(p, eps=-1.0), "Invalid epsilon value: -1.0"),
        (lambda p: RMSprop(p, momentum=-0.5), "Invalid momentum value: -0.5"),
        (lambda p: RMSprop(p, weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
        (lambda p: RMSprop(p, alpha=-0.1), "Invalid alpha value: -0.1"),
        (lambda p: Adagrad(p, lr=-0.1), "Invalid learning rate: -0.1"),
        (lambda p: Adagrad(p, lr_decay=-0.1), "Invalid lr_decay value: -0.1"),
        (lambda p: Adagrad(p, weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
        (lambda p: Adagrad(p, initial_accumulator_value=-0.1), "Invalid initial_accumulator_value value: -0.1"),
        (lambda p: Adagrad(p, eps=-0.1), "Invalid epsilon value: -0.1"),
        (lambda p: Adadelta(p, lr=-0.1), "Invalid learning rate: -0.1"),
        (lambda p: Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
        (lambda p: Adadelta(p, eps=-0.1), "Invalid epsilon value: -0.1"),
        (lambda p: Adadelta(p, weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
        (lambda p: RMSprop(p, lr=ember.tensor([0.1, 0.2])), "Tensor lr must be 1-element"),
    ],
)
def test_invalid_hyperparameters(build: Callable[[list[ember.Tensor]], Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        build([ember.zeros(2, requires_grad=True)])


@pytest.mark.parametrize("cls", [RMSprop, Adagrad, Adadelta])
def test_defaults_match_pytorch(cls: type) -> None:
    opt = cls([ember.zeros(1, requires_grad=True)])
    expected = {
        RMSprop: {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0, "centered": False,
                  "maximize": False},
        Adagrad: {"lr": 1e-2, "lr_decay": 0, "weight_decay": 0, "initial_accumulator_value": 0, "eps": 1e-10,
                  "maximize": False},
        Adadelta: {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0, "maximize": False},
    }[cls]
    assert {k: opt.defaults[k] for k in expected} == expected


def test_deepcopy_and_options_combinations_are_independent() -> None:
    # every combination of RMSprop's switches on one small problem, float64
    for centered, momentum, maximize in itertools.product([False, True], [0.0, 0.7], [False, True]):
        trajectory(RMSprop, {"centered": centered, "momentum": momentum, "maximize": maximize},
                   shapes=[(2, 3)], seed=7, steps=20)
    w = ember.ones(2, requires_grad=True)
    opt = Adagrad([w])
    clone = copy.deepcopy(opt.state_dict())
    w.grad = ember.ones(2)
    opt.step()
    assert clone["state"][0]["sum"].sum().item() == 0.0
