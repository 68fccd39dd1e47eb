"""ember.optim.lr_scheduler: every scheduler's learning-rate sequence over 50 steps against the
closed form PyTorch documents (written out independently here) and against sequences recorded
from PyTorch 2.13; state_dict round trips; the call-order and deprecation warnings; errors."""

from __future__ import annotations

import math
import pickle
import warnings
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

import pytest

import ember
from ember.optim.lr_scheduler import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)
from ember.optim.optimizer import Optimizer
from ember.optim.sgd import SGD

N_STEPS = 50


class _BetasOptimizer(Optimizer):
    """An Adam-shaped optimizer (``betas`` in its defaults) for beta1 cycling; its step does nothing."""

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999)) -> None:
        super().__init__(params, {"lr": lr, "betas": betas})

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        return None


def make_opt(lrs: tuple[float, ...] = (0.1,), kind: str = "sgd") -> Optimizer:
    groups = [{"params": [ember.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "sgd":
        return SGD(groups, lr=lrs[0], momentum=0.9)
    return _BetasOptimizer(groups, lr=lrs[0], betas=(0.9, 0.999))


def momenta(opt: Optimizer) -> list[float]:
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def run(
    make: Callable[[Optimizer], Any],
    n: int = N_STEPS,
    lrs: tuple[float, ...] = (0.1,),
    kind: str = "sgd",
    metrics: list[float] | None = None,
) -> tuple[list[list[float]], list[list[float]]]:
    """Drive a scheduler the way a training loop does; the lrs and momenta after init and each step."""
    opt = make_opt(lrs, kind)
    sched = make(opt)
    out, moms = [list(sched.get_last_lr())], [momenta(opt)]
    for i in range(n):
        opt.step()
        if metrics is not None:
            sched.step(metrics[i])
        else:
            sched.step()
        out.append(list(sched.get_last_lr()))
        moms.append(momenta(opt))
    return out, moms


METRICS = [1.0, 0.9, 0.9, 0.95, 0.91, 0.9, 0.89999, 0.8, 0.8, 0.8,
           0.8, 0.8, 0.8, 0.7, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75] * 3

# name -> (factory, run kwargs, whether momentum was recorded); the same configurations
# were run under PyTorch to record TORCH_SEQUENCES.
_CASES: dict[str, tuple[Callable[[Optimizer], Any], dict[str, Any], bool]] = {
    "lambda": (lambda o: LambdaLR(o, lambda e: 0.95**e + 0.01 * (e % 3)), {"lrs": (0.1, 0.03)}, False),
    "multiplicative": (lambda o: MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 0.99), {}, False),
    "step": (lambda o: StepLR(o, step_size=7, gamma=0.5), {"lrs": (0.1, 0.05)}, False),
    "multistep": (lambda o: MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3), {}, False),
    "constant": (lambda o: ConstantLR(o, factor=0.25, total_iters=8), {}, False),
    "linear": (lambda o: LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=10), {"lrs": (0.1, 0.02)}, False),
    "exponential": (lambda o: ExponentialLR(o, gamma=0.93), {}, False),
    "cosine": (lambda o: CosineAnnealingLR(o, T_max=12, eta_min=0.01), {"lrs": (0.1, 0.05)}, False),
    "warm_restarts_mult2": (lambda o: CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.001), {}, False),
    "warm_restarts_mult1": (lambda o: CosineAnnealingWarmRestarts(o, T_0=7), {}, False),
    "cyclic_triangular": (lambda o: CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4, step_size_down=6), {}, True),
    "cyclic_triangular2": (
        lambda o: CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=5, mode="triangular2",
                           base_momentum=0.7, max_momentum=0.95),
        {"lrs": (0.1, 0.1)}, True,
    ),
    "cyclic_exp_range": (
        lambda o: CyclicLR(o, base_lr=0.001, max_lr=0.01, step_size_up=3, mode="exp_range", gamma=0.97),
        {"kind": "adam"}, True,
    ),
    "cyclic_nomom": (lambda o: CyclicLR(o, base_lr=0.001, max_lr=0.01, step_size_up=3, cycle_momentum=False), {}, False),
    "onecycle_cos": (lambda o: OneCycleLR(o, max_lr=0.5, total_steps=60), {}, True),
    "onecycle_linear_three": (
        lambda o: OneCycleLR(o, max_lr=[0.5, 0.2], epochs=6, steps_per_epoch=10, anneal_strategy="linear",
                             three_phase=True, pct_start=0.25),
        {"lrs": (0.1, 0.1)}, True,
    ),
    "onecycle_adam": (
        lambda o: OneCycleLR(o, max_lr=0.01, total_steps=55, div_factor=10.0, final_div_factor=100.0),
        {"kind": "adam"}, True,
    ),
    "polynomial": (lambda o: PolynomialLR(o, total_iters=20, power=2.0), {}, False),
    "sequential": (
        lambda o: SequentialLR(o, [ConstantLR(o, factor=0.5, total_iters=3), ExponentialLR(o, gamma=0.9),
                                   StepLR(o, step_size=4, gamma=0.5)], milestones=[5, 20]),
        {}, False,
    ),
    "sequential_warmup_cos": (
        lambda o: SequentialLR(o, [LinearLR(o, start_factor=0.1, total_iters=5), CosineAnnealingLR(o, T_max=30)],
                               milestones=[5]),
        {}, False,
    ),
    "chained": (lambda o: ChainedScheduler([ConstantLR(o, factor=0.1, total_iters=4), ExponentialLR(o, gamma=0.9)]), {}, False),
    "plateau_min_rel": (lambda o: ReduceLROnPlateau(o, patience=2), {"metrics": METRICS}, False),
    "plateau_min_abs_cooldown": (
        lambda o: ReduceLROnPlateau(o, factor=0.5, patience=1, threshold=0.05, threshold_mode="abs", cooldown=2,
                                    min_lr=[0.01, 0.02]),
        {"lrs": (0.1, 0.08), "metrics": METRICS}, False,
    ),
    "plateau_max_rel": (
        lambda o: ReduceLROnPlateau(o, mode="max", factor=0.3, patience=0, threshold=0.01, min_lr=1e-4, eps=1e-3),
        {"metrics": METRICS}, False,
    ),
    "plateau_max_abs": (
        lambda o: ReduceLROnPlateau(o, mode="max", factor=0.7, patience=3, threshold=0.0, threshold_mode="abs"),
        {"metrics": [-m for m in METRICS]}, False,
    ),
}


def _flat(rows: list[list[float]]) -> list[Any]:
    return [r[0] for r in rows] if all(len(r) == 1 for r in rows) else rows


def _rows_close(actual: list[Any], expected: list[Any], rel: float, abs_: float = 1e-15) -> None:
    assert len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        a_list = a if isinstance(a, list) else [a]
        e_list = e if isinstance(e, list) else [e]
        assert a_list == pytest.approx(e_list, rel=rel, abs=abs_), f"step {i}: {a_list} != {e_list}"


@pytest.mark.parametrize("name", list(_CASES))
def test_sequence_matches_recorded_pytorch(name: str) -> None:
    make, kwargs, with_momentum = _CASES[name]
    lrs, moms = run(make, **kwargs)
    expected = TORCH_SEQUENCES[name]
    if with_momentum:
        expected, expected_moms = expected
        _rows_close(_flat(moms), expected_moms, rel=1e-12)
    assert len(lrs) == N_STEPS + 1
    _rows_close(_flat(lrs), expected, rel=1e-12)


# -- the closed forms PyTorch documents, written out independently ---------------------------------
def _cos(lo: float, hi: float, cur: float, period: float) -> float:
    return lo + (hi - lo) * (1 + math.cos(math.pi * cur / period)) / 2


def _warm_restart(e: int, t0: int, mult: int) -> tuple[int, int]:
    """(T_cur, T_i) at epoch e: cycles of length t0, t0*mult, t0*mult**2, ..."""
    start, length = 0, t0
    while e >= start + length:
        start += length
        length *= mult
    return e - start, length


def _cyclic_frac(e: int, up: float, down: float) -> float:
    pos = e % (up + down)
    return pos / up if pos <= up else 1 - (pos - up) / down


def _onecycle(e: int, phases: list[tuple[float, float, float]], anneal: str) -> float:
    """phases: (end_step, start value, end value); the last phase takes everything after."""
    start = 0.0
    for i, (end, a, b) in enumerate(phases):
        if e <= end or i == len(phases) - 1:
            pct = (e - start) / (end - start)
            if anneal == "cos":
                return b + (a - b) / 2 * (1 + math.cos(math.pi * pct))
            return a + (b - a) * pct
        start = end
    raise AssertionError("unreachable")


def _plateau(metrics: list[float], lr0: float, mode: str, factor: float, patience: int, threshold: float,
             threshold_mode: str, cooldown: int, min_lr: float, eps: float = 1e-8) -> list[float]:
    best = math.inf if mode == "min" else -math.inf
    bad = cool = 0
    lr, out = lr0, [lr0]
    for m in metrics:
        if mode == "min":
            better = m < (best * (1 - threshold) if threshold_mode == "rel" else best - threshold)
        else:
            better = m > (best * (1 + threshold) if threshold_mode == "rel" else best + threshold)
        if better:
            best, bad = m, 0
        else:
            bad += 1
        if cool > 0:
            cool -= 1
            bad = 0
        if bad > patience:
            new = max(lr * factor, min_lr)
            if lr - new > eps:
                lr = new
            cool, bad = cooldown, 0
        out.append(lr)
    return out


def _closed(name: str) -> list[Any]:
    """The documented closed form of each case's schedule, epoch 0..N_STEPS, per param group."""
    E = range(N_STEPS + 1)
    def per_group(bases: tuple[float, ...], f: Callable[[int, float], float]) -> list[Any]:
        return _flat([[f(e, b) for b in bases] for e in E])
    if name == "lambda":
        return per_group((0.1, 0.03), lambda e, b: b * (0.95**e + 0.01 * (e % 3)))
    if name == "multiplicative":
        return per_group((0.1,), lambda e, b: b * math.prod(0.9 if k % 2 else 0.99 for k in range(1, e + 1)))
    if name == "step":
        return per_group((0.1, 0.05), lambda e, b: b * 0.5 ** (e // 7))
    if name == "multistep":
        return per_group((0.1,), lambda e, b: b * 0.3 ** bisect_right([5, 12, 12, 30], e))
    if name == "constant":
        return per_group((0.1,), lambda e, b: b * (0.25 if e < 8 else 1.0))
    if name == "linear":
        return per_group((0.1, 0.02), lambda e, b: b * (0.2 + 0.7 * min(e, 10) / 10))
    if name == "exponential":
        return per_group((0.1,), lambda e, b: b * 0.93**e)
    if name == "cosine":
        return per_group((0.1, 0.05), lambda e, b: _cos(0.01, b, e, 12))
    if name == "warm_restarts_mult2":
        return per_group((0.1,), lambda e, b: _cos(0.001, b, *_warm_restart(e, 5, 2)))
    if name == "warm_restarts_mult1":
        return per_group((0.1,), lambda e, b: _cos(0.0, b, *_warm_restart(e, 7, 1)))
    if name in ("cyclic_triangular", "cyclic_nomom"):
        up, down, lo, hi = (4, 6, 0.01, 0.1) if name == "cyclic_triangular" else (3, 3, 0.001, 0.01)
        return per_group((lo,), lambda e, b: b + (hi - b) * _cyclic_frac(e, up, down))
    if name == "cyclic_triangular2":
        return per_group((0.01, 0.02), lambda e, b: b + (0.1 - b) * _cyclic_frac(e, 5, 5) / 2 ** (e // 10))
    if name == "cyclic_exp_range":
        return per_group((0.001,), lambda e, b: b + (0.01 - b) * _cyclic_frac(e, 3, 3) * 0.97**e)
    if name == "onecycle_cos":
        return per_group((0.5,), lambda e, m: _onecycle(e, [(17.0, m / 25, m), (59, m, m / 25 / 1e4)], "cos"))
    if name == "onecycle_linear_three":
        return per_group((0.5, 0.2), lambda e, m: _onecycle(
            e, [(14.0, m / 25, m), (28.0, m, m / 25), (59, m / 25, m / 25 / 1e4)], "linear"))
    if name == "onecycle_adam":
        return per_group((0.01,), lambda e, m: _onecycle(e, [(15.5, m / 10, m), (54, m, m / 10 / 100)], "cos"))
    if name == "polynomial":
        return per_group((0.1,), lambda e, b: b * (1 - min(e, 20) / 20) ** 2)
    if name == "sequential":
        return per_group((0.1,), lambda e, b: b * 0.5 if e < 3 else b if e < 5
                         else b * 0.9 ** (e - 5) if e < 20 else b * 0.5 ** ((e - 20) // 4))
    if name == "sequential_warmup_cos":
        return per_group((0.1,), lambda e, b: b * (0.1 + 0.9 * e / 5) if e < 5 else _cos(0.0, b, e - 5, 30))
    if name == "chained":
        return per_group((0.1,), lambda e, b: b * (0.1 if e < 4 else 1.0) * 0.9**e)
    if name == "plateau_min_rel":
        return _plateau(METRICS[:N_STEPS], 0.1, "min", 0.1, 2, 1e-4, "rel", 0, 0.0)
    if name == "plateau_min_abs_cooldown":
        a = _plateau(METRICS[:N_STEPS], 0.1, "min", 0.5, 1, 0.05, "abs", 2, 0.01)
        b = _plateau(METRICS[:N_STEPS], 0.08, "min", 0.5, 1, 0.05, "abs", 2, 0.02)
        return [[x, y] for x, y in zip(a, b, strict=True)]
    if name == "plateau_max_rel":
        return _plateau(METRICS[:N_STEPS], 0.1, "max", 0.3, 0, 0.01, "rel", 0, 1e-4, eps=1e-3)
    if name == "plateau_max_abs":
        return _plateau([-m for m in METRICS[:N_STEPS]], 0.1, "max", 0.7, 3, 0.0, "abs", 0, 0.0)
    raise KeyError(name)


@pytest.mark.parametrize("name", list(_CASES))
def test_sequence_matches_documented_closed_form(name: str) -> None:
    make, kwargs, _ = _CASES[name]
    lrs, _ = run(make, **kwargs)
    _rows_close(_flat(lrs), _closed(name), rel=1e-9, abs_=1e-12)


@pytest.mark.parametrize(
    ("name", "base", "top", "frac_scale"),
    [
        ("cyclic_triangular", (0.8,), (0.9,), lambda e: _cyclic_frac(e, 4, 6)),
        ("cyclic_triangular2", (0.7, 0.7), (0.95, 0.95), lambda e: _cyclic_frac(e, 5, 5) / 2 ** (e // 10)),
        ("cyclic_exp_range", (0.8,), (0.9,), lambda e: _cyclic_frac(e, 3, 3) * 0.97**e),
    ],
)
def test_cyclic_momentum_closed_form(name: str, base: tuple[float, ...], top: tuple[float, ...],
                                     frac_scale: Callable[[int], float]) -> None:
    make, kwargs, _ = _CASES[name]
    _, moms = run(make, **kwargs)
    expected = [[t - (t - b) * frac_scale(e) for b, t in zip(base, top, strict=True)] for e in range(N_STEPS + 1)]
    _rows_close(moms, expected, rel=1e-9)


def test_onecycle_momentum_closed_form_adam_betas() -> None:
    make, _, _ = _CASES["onecycle_adam"]
    opt = make_opt(kind="adam")
    sched = make(opt)
    for e in range(N_STEPS + 1):
        if e:
            opt.step()
            sched.step()
        expected = _onecycle(e, [(15.5, 0.95, 0.85), (54, 0.85, 0.95)], "cos")
        assert opt.param_groups[0]["betas"][0] == pytest.approx(expected, rel=1e-9)
        assert opt.param_groups[0]["betas"][1] == 0.999


# -- state dicts ------------------------------------------------------------------------------------
class _Halving:
    """A callable object: its ``__dict__`` travels in LambdaLR's state dict (plain functions do not)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, epoch: int) -> float:
        return self.rate**epoch


@pytest.mark.parametrize("name", [n for n in _CASES if not n.startswith("plateau")])
def test_state_dict_round_trip_resumes_identically(name: str) -> None:
    make, kwargs, _ = _CASES[name]
    lrs = kwargs.get("lrs", (0.1,))
    kind = kwargs.get("kind", "sgd")
    opt, reference = make_opt(lrs, kind), None
    sched = make(opt)
    for _ in range(17):
        opt.step()
        sched.step()
    saved_opt = pickle.loads(pickle.dumps(opt.state_dict()))
    saved = pickle.loads(pickle.dumps(sched.state_dict()))
    assert "optimizer" not in saved
    opt2 = make_opt(lrs, kind)
    sched2 = make(opt2)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    assert sched2.get_last_lr() == sched.get_last_lr()
    reference = []
    resumed = []
    for _ in range(20):
        opt.step()
        sched.step()
        opt2.step()
        sched2.step()
        reference.append((sched.get_last_lr(), momenta(opt)))
        resumed.append((sched2.get_last_lr(), momenta(opt2)))
    assert resumed == reference


def test_plateau_state_dict_round_trip() -> None:
    opt = make_opt()
    sched = ReduceLROnPlateau(opt, patience=1, cooldown=1)
    for m in METRICS[:9]:
        sched.step(m)
    opt2 = make_opt()
    opt2.load_state_dict(opt.state_dict())
    sched2 = ReduceLROnPlateau(opt2)
    sched2.load_state_dict(pickle.loads(pickle.dumps(sched.state_dict())))
    assert (sched2.patience, sched2.cooldown, sched2.best) == (1, 1, sched.best)
    for m in METRICS[9:]:
        sched.step(m)
        sched2.step(m)
        assert sched2.get_last_lr() == sched.get_last_lr()


def test_lambda_state_dict_saves_callable_objects_not_functions() -> None:
    opt = make_opt((0.1, 0.2))
    sched = LambdaLR(opt, [_Halving(0.5), lambda e: 1.0])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.5}, None]
    other = LambdaLR(make_opt((0.1, 0.2)), [_Halving(0.9), lambda e: 1.0])
    other.load_state_dict(sd)
    assert other.lr_lambdas[0].rate == 0.5  # type: ignore[attr-defined]
    assert "lr_lambdas" in sd  # loading does not consume the caller's dict


def test_resume_with_last_epoch_needs_initial_lr() -> None:
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(make_opt(), step_size=3, last_epoch=4)
    opt = make_opt()
    opt.param_groups[0]["initial_lr"] = 0.1
    sched = StepLR(opt, step_size=3, gamma=0.5, last_epoch=4)
    assert sched.last_epoch == 5


# -- warnings ----------------------------------------------------------------------------------------
def test_warns_when_scheduler_steps_before_optimizer() -> None:
    opt = make_opt()
    sched = StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        sched.step()


def test_no_warning_in_the_right_order() -> None:
    opt = make_opt()
    sched = ExponentialLR(opt, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.step()
            sched.step()
    assert sched.get_last_lr() == [pytest.approx(0.0125)]
    assert opt._opt_called is True  # type: ignore[attr-defined]


def test_warns_when_optimizer_step_is_replaced_after_construction() -> None:
    opt = make_opt()
    sched = StepLR(opt, step_size=2)
    opt.step = lambda closure=None: None  # type: ignore[method-assign]
    with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler"):
        sched.step()


def test_optimizer_step_is_wrapped_once_and_still_steps() -> None:
    w = ember.tensor([1.0], requires_grad=True)
    opt = SGD([w], lr=0.5)
    StepLR(opt, step_size=1)
    wrapped = opt.step
    StepLR(opt, step_size=1)
    assert opt.step is wrapped
    w.grad = ember.tensor([2.0])
    opt.step()
    assert w.item() == 0.0


def test_get_lr_outside_step_warns() -> None:
    sched = StepLR(make_opt(), step_size=2)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()


def test_step_with_epoch_uses_closed_form_and_warns() -> None:
    opt = make_opt()
    sched = StepLR(opt, step_size=3, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        sched.step(7)
    assert sched.get_last_lr() == [pytest.approx(0.1 * 0.5**2)]
    assert opt.param_groups[0]["lr"] == pytest.approx(0.025)


def test_warm_restarts_fractional_epochs() -> None:
    opt = make_opt()
    sched = CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2, eta_min=0.001)
    for epoch in (0.5, 3.25, 6.0, 14.9, 16.0):
        sched.step(epoch)
        n = int(math.log(epoch / 5 * (2 - 1) + 1, 2)) if epoch >= 5 else 0
        t_cur = epoch - 5 * (2**n - 1)
        assert sched.get_last_lr()[0] == pytest.approx(_cos(0.001, 0.1, t_cur, 5 * 2**n), rel=1e-12)
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        sched.step(-1)


# -- Tensor learning rates ---------------------------------------------------------------------------
def test_tensor_lr_is_updated_in_place() -> None:
    lr = ember.tensor(0.1, dtype=ember.float64)
    opt = SGD([ember.zeros(2, requires_grad=True)], lr=lr)
    sched = ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr
    assert lr.item() == pytest.approx(0.05)
    last = sched.get_last_lr()[0]
    assert isinstance(last, ember.Tensor) and last is not lr


# -- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "exc", "message"),
    [
        (lambda o: StepLR(object(), 3), TypeError, "object is not an Optimizer"),  # type: ignore[arg-type]
        (lambda o: ReduceLROnPlateau(object()), TypeError, "object is not an Optimizer"),  # type: ignore[arg-type]
        (lambda o: ConstantLR(o, factor=1.5), ValueError, "Constant multiplicative factor expected to be between 0 and 1."),
        (lambda o: LinearLR(o, start_factor=0), ValueError, "Starting multiplicative factor expected to be greater than 0"),
        (lambda o: LinearLR(o, end_factor=2), ValueError, "Ending multiplicative factor expected to be between 0 and 1."),
        (lambda o: LambdaLR(o, [lambda e: 1.0] * 2), ValueError, "Expected 1 lr_lambdas, but got 2"),
        (lambda o: MultiplicativeLR(o, 0.5), TypeError, "lr_lambda should be a function, but got float"),  # type: ignore[arg-type]
        (lambda o: CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "Expected positive integer T_0, but got 0"),
        (lambda o: CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "Expected integer T_mult >= 1, but got 0"),
        (lambda o: CyclicLR(o, 0.1, 1.0, mode="bogus"), ValueError, "mode is invalid and scale_fn is None"),  # type: ignore[arg-type]
        (lambda o: CyclicLR(o, [0.1, 0.2], 1.0), ValueError, "base_lr must have the same length as optimizer.param_groups"),
        (lambda o: CyclicLR(Optimizer([ember.zeros(1)], {"lr": 0.1}), 0.1, 1.0),
         ValueError, "optimizer must support momentum or beta1"),
        (lambda o: OneCycleLR(o, 0.1), ValueError, "You must define either total_steps OR"),
        (lambda o: OneCycleLR(o, 0.1, total_steps=0), ValueError, "Expected positive integer total_steps, but got 0"),
        (lambda o: OneCycleLR(o, 0.1, total_steps=10, pct_start=1), ValueError, "Expected float between 0 and 1 pct_start"),
        (lambda o: OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="exp"), ValueError,  # type: ignore[arg-type]
         "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
        (lambda o: ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
        (lambda o: ReduceLROnPlateau(o, mode="avg"), ValueError, "mode avg is unknown!"),  # type: ignore[arg-type]
        (lambda o: ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode x is unknown!"),  # type: ignore[arg-type]
        (lambda o: ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), ValueError, "expected 1 min_lrs, got 2"),
        (lambda o: SequentialLR(o, [], []), ValueError, "SequentialLR expects at least one scheduler"),
        (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(o, 3)], []), ValueError,
         "number of schedulers 2 and the number of milestones to be equal to 0"),
        (lambda o: SequentialLR(o, [ReduceLROnPlateau(o)], []), ValueError, "does not support `ReduceLROnPlateau`"),
        (lambda o: SequentialLR(make_opt(), [StepLR(o, 2)], []), ValueError, "expects all schedulers to belong to the same optimizer"),
        (lambda o: ChainedScheduler([]), ValueError, "ChainedScheduler expects at least one scheduler to be chained"),
        (lambda o: ChainedScheduler([object()]), TypeError, "ChainedScheduler at index 0 should have `optimizer` as its attribute."),  # type: ignore[list-item]
    ],
)
def test_errors(build: Callable[[Optimizer], Any], exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        build(make_opt())


def test_onecycle_stepping_past_total_steps_raises() -> None:
    opt = make_opt()
    sched = OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match=r"Tried to step 4 times\. The specified number of total steps is 3"):
        sched.step()


def test_plateau_group_added_later() -> None:
    opt = make_opt()
    sched = ReduceLROnPlateau(opt, patience=0, min_lr=[0.05])
    opt.add_param_group({"params": [ember.zeros(1, requires_grad=True)], "lr": 0.2})
    sched.step(1.0)
    with pytest.raises(RuntimeError, match=r"differs from when `ReduceLROnPlateau` was initialized \(1\)"):
        sched.step(2.0)
    sched2 = ReduceLROnPlateau(make_opt(), patience=0, min_lr=0.01)
    sched2.optimizer.add_param_group({"params": [ember.zeros(1, requires_grad=True)], "lr": 0.2})
    sched2.step(1.0)
    sched2.step(2.0)
    assert sched2.get_last_lr() == [pytest.approx(0.01), pytest.approx(0.02)]


def test_base_class_contract() -> None:
    class Halve(LRScheduler):
        def get_lr(self) -> list[Any]:
            return [b * 0.5**self.last_epoch for b in self.base_lrs]

    opt = make_opt((0.4,))
    sched = Halve(opt)
    assert sched.last_epoch == 0 and sched.get_last_lr() == [0.4]
    assert opt.param_groups[0]["initial_lr"] == 0.4
    opt.step()
    sched.step()
    assert sched.get_last_lr() == [0.2]

    class Missing(LRScheduler):
        pass

    with pytest.raises(NotImplementedError):
        Missing(make_opt())


# Recorded with PyTorch 2.13 (torch.optim.lr_scheduler, see _CASES for each configuration):
# per case, the learning rates after construction and after each of the 50 steps
# (and, for the momentum-cycling cases, the momentum / beta1 values alongside).
TORCH_SEQUENCES: dict[str, Any] = {
    'lambda': [[0.1, 0.03], [0.096, 0.0288], [0.09225, 0.027674999999999998],
     [0.0857375, 0.025721249999999994], [0.082450625, 0.024735187499999995],
     [0.07937809374999999, 0.023813428124999994], [0.07350918906249998, 0.022052756718749993],
     [0.07083372960937498, 0.02125011888281249], [0.06834204312890622, 0.020502612938671866],
     [0.0630249409724609, 0.018907482291738272], [0.060873693923837874, 0.01826210817715136],
     [0.05888000922764597, 0.01766400276829379], [0.05403600876626367, 0.0162108026298791],
     [0.052334208327950486, 0.015700262498385145], [0.05076749791155295, 0.015230249373465884],
     [0.046329123015975304, 0.013898736904792592], [0.04501266686517654, 0.013503800059552961],
     [0.04381203352191771, 0.013143610056575312], [0.039721431845821824, 0.011916429553746546],
     [0.03873536025353073, 0.011620608076059217], [0.03784859224085419, 0.011354577672256257],
     [0.03405616262881148, 0.010216848788643445], [0.0333533544973709, 0.01000600634921127],
     [0.03273568677250236, 0.009820706031750708], [0.02919890243387724, 0.008759670730163172],
     [0.02873895731218338, 0.008621687193655013], [0.028352009446574206, 0.008505602833972262],
     [0.025034408974245494, 0.007510322692273647], [0.02478268852553322, 0.007434806557659965],
     [0.024593554099256554, 0.007378066229776966], [0.02146387639429373, 0.006439162918288117],
     [0.021390682574579042, 0.006417204772373712], [0.021371148445850086, 0.006411344533755026],
     [0.018402591023557582, 0.0055207773070672745], [0.018482461472379703, 0.005544738441713911],
     [0.018608338398760717, 0.005582501519628215], [0.01577792147882268, 0.004733376443646803],
     [0.015989025404881545, 0.004796707621464464], [0.016239574134637468, 0.00487187224039124],
     [0.013527595427905593, 0.004058278628371678], [0.013851215656510313, 0.004155364696953094],
     [0.014208654873684796, 0.0042625964621054386], [0.011598222130000557, 0.0034794666390001667],
     [0.012018311023500528, 0.0036054933070501583], [0.012467395472325503, 0.0037402186416976503],
     [0.009944025698709225, 0.0029832077096127673], [0.010446824413773764, 0.0031340473241321287],
     [0.010974483193085076, 0.0032923449579255228], [0.00852575903343082, 0.002557727710029246],
     [0.00909947108175928, 0.0027298413245277838], [0.009694497527671316, 0.0029083492583013943]],
    'multiplicative': [0.1, 0.09000000000000001, 0.08910000000000001, 0.08019000000000001, 0.07938810000000002,
     0.07144929000000001, 0.07073479710000001, 0.06366131739000001, 0.06302470421610001,
     0.05672223379449001, 0.05615501145654511, 0.0505395103108906, 0.05003411520778169,
     0.04503070368700352, 0.04458039665013348, 0.040122356985120136, 0.039721133415268936,
     0.03574902007374205, 0.035391529873004625, 0.031852376885704164, 0.03153385311684712,
     0.028380467805162412, 0.028096663127110788, 0.02528699681439971, 0.02503412684625571,
     0.02253071416163014, 0.022305407020013837, 0.020074866318012453, 0.019874117654832327,
     0.017886705889349094, 0.017707838830455604, 0.015937054947410045, 0.015777684397935945,
     0.01419991595814235, 0.014057916798560928, 0.012652125118704834, 0.012525603867517787,
     0.011273043480766009, 0.011160313045958348, 0.010044281741362513, 0.009943838923948888,
     0.008949455031554, 0.008859960481238459, 0.007973964433114614, 0.007894224788783467,
     0.007104802309905121, 0.00703375428680607, 0.006330378858125463, 0.0062670750695442085,
     0.0056403675625897876, 0.0055839638869638894],
    'step': [[0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.1, 0.05],
     [0.05, 0.025], [0.05, 0.025], [0.05, 0.025], [0.05, 0.025], [0.05, 0.025], [0.05, 0.025],
     [0.05, 0.025], [0.025, 0.0125], [0.025, 0.0125], [0.025, 0.0125], [0.025, 0.0125],
     [0.025, 0.0125], [0.025, 0.0125], [0.025, 0.0125], [0.0125, 0.00625], [0.0125, 0.00625],
     [0.0125, 0.00625], [0.0125, 0.00625], [0.0125, 0.00625], [0.0125, 0.00625], [0.0125, 0.00625],
     [0.00625, 0.003125], [0.00625, 0.003125], [0.00625, 0.003125], [0.00625, 0.003125],
     [0.00625, 0.003125], [0.00625, 0.003125], [0.00625, 0.003125], [0.003125, 0.0015625],
     [0.003125, 0.0015625], [0.003125, 0.0015625], [0.003125, 0.0015625], [0.003125, 0.0015625],
     [0.003125, 0.0015625], [0.003125, 0.0015625], [0.0015625, 0.00078125], [0.0015625, 0.00078125],
     [0.0015625, 0.00078125], [0.0015625, 0.00078125], [0.0015625, 0.00078125],
     [0.0015625, 0.00078125], [0.0015625, 0.00078125], [0.00078125, 0.000390625],
     [0.00078125, 0.000390625]],
    'multistep': [0.1, 0.1, 0.1, 0.1, 0.1, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.0026999999999999997,
     0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997,
     0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997,
     0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997,
     0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997,
     0.0026999999999999997, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998],
    'constant': [0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
     0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
     0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
    'linear': [[0.020000000000000004, 0.004], [0.027000000000000007, 0.0054],
     [0.03400000000000001, 0.0068000000000000005], [0.04100000000000001, 0.0082],
     [0.04800000000000001, 0.009600000000000001], [0.05500000000000001, 0.011000000000000001],
     [0.062000000000000006, 0.012400000000000001], [0.069, 0.0138], [0.07600000000000001, 0.0152],
     [0.083, 0.0166], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018],
     [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018],
     [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018],
     [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018],
     [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018],
     [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018],
     [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018], [0.09, 0.018]],
    'exponential': [0.1, 0.09300000000000001, 0.08649000000000001, 0.08043570000000001, 0.07480520100000002,
     0.06956883693000002, 0.06469901834490002, 0.06017008706075702, 0.05595818096650403,
     0.052041108298848754, 0.04839823071792934, 0.04501035456767429, 0.0418596297479371,
     0.0389294556655815, 0.036204393768990796, 0.033670086205161445, 0.03131318017080015,
     0.02912125755884414, 0.02708276952972505, 0.0251869756626443, 0.0234238873662592,
     0.021784215250621058, 0.020259320183077585, 0.018841167770262155, 0.017522286026343804,
     0.016295726004499737, 0.015155025184184757, 0.014094173421291824, 0.013107581281801397,
     0.0121900505920753, 0.011336747050630029, 0.010543174757085928, 0.009805152524089913,
     0.009118791847403619, 0.008480476418085366, 0.00788684306881939, 0.0073347640540020334,
     0.006821330570221892, 0.00634383743030636, 0.0058997688101849145, 0.005486784993471971,
     0.005102710043928933, 0.004745520340853908, 0.0044133339169941345, 0.0041044005428045455,
     0.0038170925048082276, 0.003549896029471652, 0.0033014033074086364, 0.003070305075890032,
     0.00285538372057773, 0.002655506860137289],
    'cosine': [[0.1, 0.05], [0.09846666218300808, 0.04931851652578137],
     [0.09397114317029975, 0.04732050807568878], [0.08681980515339464, 0.04414213562373095],
     [0.07750000000000001, 0.04], [0.06664685702961345, 0.035176380902050414],
     [0.055000000000000014, 0.03], [0.04335314297038658, 0.024823619097949584],
     [0.032500000000000015, 0.020000000000000004], [0.023180194846605367, 0.01585786437626905],
     [0.01602885682970026, 0.012679491924311226], [0.011533337816991932, 0.010681483474218637],
     [0.01, 0.01], [0.011533337816991927, 0.010681483474218633],
     [0.016028856829700254, 0.012679491924311222], [0.023180194846605343, 0.01585786437626904],
     [0.03249999999999997, 0.019999999999999987], [0.04335314297038656, 0.02482361909794958],
     [0.05499999999999997, 0.029999999999999985], [0.06664685702961338, 0.035176380902050386],
     [0.07749999999999996, 0.03999999999999997], [0.08681980515339459, 0.04414213562373092],
     [0.09397114317029968, 0.04732050807568874], [0.09846666218300802, 0.049318516525781335],
     [0.09999999999999995, 0.04999999999999997], [0.09846666218300802, 0.049318516525781335],
     [0.0939711431702997, 0.047320508075688744], [0.0868198051533946, 0.04414213562373093],
     [0.07749999999999999, 0.03999999999999999], [0.0666468570296134, 0.03517638090205039],
     [0.05500000000000002, 0.030000000000000006], [0.043353142970386574, 0.024823619097949584],
     [0.03250000000000002, 0.020000000000000007], [0.023180194846605336, 0.015857864376269036],
     [0.01602885682970025, 0.01267949192431122], [0.011533337816991925, 0.010681483474218633],
     [0.01, 0.01], [0.011533337816991927, 0.010681483474218633],
     [0.01602885682970026, 0.012679491924311224], [0.02318019484660537, 0.015857864376269046],
     [0.0325000000000001, 0.02000000000000003], [0.043353142970386616, 0.02482361909794959],
     [0.05500000000000015, 0.030000000000000047], [0.06664685702961362, 0.03517638090205047],
     [0.07750000000000021, 0.04000000000000006], [0.08681980515339494, 0.044142135623731045],
     [0.0939711431703, 0.04732050807568885], [0.09846666218300838, 0.04931851652578146],
     [0.10000000000000031, 0.05000000000000009], [0.0984666621830084, 0.04931851652578147],
     [0.09397114317030002, 0.047320508075688855]],
    'warm_restarts_mult2': [0.1, 0.0905463412215599, 0.0657963412215599, 0.03520365877844011, 0.010453658778440109, 0.1,
     0.09757729755661011, 0.0905463412215599, 0.07959536998847742, 0.0657963412215599, 0.0505,
     0.03520365877844011, 0.021404630011522586, 0.010453658778440109, 0.0034227024433899004, 0.1,
     0.09939057285945932, 0.09757729755661011, 0.09460482294732421, 0.0905463412215599,
     0.0855017856687341, 0.07959536998847742, 0.07297252973710756, 0.0657963412215599,
     0.05824350601949144, 0.0505, 0.04275649398050859, 0.03520365877844011, 0.02802747026289244,
     0.021404630011522586, 0.0154982143312659, 0.010453658778440109, 0.0063951770526757944,
     0.0034227024433899004, 0.001609427140540686, 0.1, 0.09984740801978985, 0.09939057285945932,
     0.098632311059685, 0.09757729755661011, 0.0962320368593087, 0.09460482294732421,
     0.09270568813552757, 0.0905463412215599, 0.08814009529720154, 0.0855017856687341,
     0.0826476783923441, 0.07959536998847742, 0.07636367895343947, 0.07297252973710756,
     0.06944282990207196],
    'warm_restarts_mult1': [0.1, 0.09504844339512096, 0.08117449009293669, 0.06112604669781572, 0.03887395330218429,
     0.018825509907063328, 0.004951556604879049, 0.1, 0.09504844339512096, 0.08117449009293669,
     0.06112604669781572, 0.03887395330218429, 0.018825509907063328, 0.004951556604879049, 0.1,
     0.09504844339512096, 0.08117449009293669, 0.06112604669781572, 0.03887395330218429,
     0.018825509907063328, 0.004951556604879049, 0.1, 0.09504844339512096, 0.08117449009293669,
     0.06112604669781572, 0.03887395330218429, 0.018825509907063328, 0.004951556604879049, 0.1,
     0.09504844339512096, 0.08117449009293669, 0.06112604669781572, 0.03887395330218429,
     0.018825509907063328, 0.004951556604879049, 0.1, 0.09504844339512096, 0.08117449009293669,
     0.06112604669781572, 0.03887395330218429, 0.018825509907063328, 0.004951556604879049, 0.1,
     0.09504844339512096, 0.08117449009293669, 0.06112604669781572, 0.03887395330218429,
     0.018825509907063328, 0.004951556604879049, 0.1, 0.09504844339512096],
    'cyclic_triangular': ([0.01, 0.03250000000000002, 0.055, 0.07750000000000001, 0.09999999999999999, 0.085,
      0.06999999999999999, 0.055000000000000014, 0.039999999999999994, 0.025000000000000015, 0.01,
      0.03250000000000002, 0.05500000000000005, 0.07749999999999996, 0.09999999999999999, 0.085,
      0.06999999999999999, 0.05499999999999998, 0.04000000000000003, 0.025000000000000015, 0.01,
      0.03250000000000002, 0.05500000000000005, 0.07749999999999996, 0.09999999999999999, 0.085,
      0.06999999999999999, 0.05499999999999998, 0.04000000000000003, 0.025000000000000015, 0.01,
      0.032499999999999925, 0.05500000000000005, 0.07749999999999996, 0.09999999999999995, 0.085,
      0.07000000000000006, 0.05499999999999998, 0.04000000000000003, 0.02499999999999995, 0.01,
      0.032499999999999925, 0.05500000000000005, 0.07749999999999996, 0.09999999999999995, 0.085,
      0.07000000000000006, 0.05499999999999998, 0.04000000000000003, 0.02499999999999995, 0.01],
     [0.9, 0.875, 0.8500000000000001, 0.8250000000000001, 0.8, 0.8166666666666667,
      0.8333333333333334, 0.85, 0.8666666666666667, 0.8833333333333333, 0.9, 0.875, 0.85,
      0.8250000000000001, 0.8, 0.8166666666666667, 0.8333333333333334, 0.8500000000000001,
      0.8666666666666667, 0.8833333333333333, 0.9, 0.875, 0.85, 0.8250000000000001, 0.8,
      0.8166666666666667, 0.8333333333333334, 0.8500000000000001, 0.8666666666666667,
      0.8833333333333333, 0.9, 0.8750000000000001, 0.85, 0.8250000000000001, 0.8,
      0.8166666666666667, 0.8333333333333333, 0.8500000000000001, 0.8666666666666667,
      0.8833333333333334, 0.9, 0.8750000000000001, 0.85, 0.8250000000000001, 0.8,
      0.8166666666666667, 0.8333333333333333, 0.8500000000000001, 0.8666666666666667,
      0.8833333333333334, 0.9]),
    'cyclic_triangular2': ([[0.01, 0.02], [0.028000000000000018, 0.03600000000000002], [0.046, 0.05199999999999999],
      [0.06400000000000002, 0.068], [0.08199999999999999, 0.08399999999999999], [0.1, 0.1],
      [0.08199999999999999, 0.08399999999999999], [0.06400000000000002, 0.068],
      [0.046, 0.05199999999999999], [0.028000000000000018, 0.03600000000000002], [0.01, 0.02],
      [0.01900000000000001, 0.028000000000000008], [0.028000000000000018, 0.03600000000000002],
      [0.036999999999999984, 0.043999999999999984], [0.046, 0.05199999999999999],
      [0.05500000000000001, 0.06], [0.046, 0.05199999999999999],
      [0.036999999999999984, 0.043999999999999984], [0.028000000000000018, 0.03600000000000002],
      [0.01900000000000001, 0.028000000000000008], [0.01, 0.02],
      [0.014500000000000006, 0.024000000000000004], [0.01900000000000001, 0.028000000000000008],
      [0.023499999999999993, 0.031999999999999994], [0.027999999999999997, 0.036], [0.0325, 0.04],
      [0.027999999999999997, 0.036], [0.023499999999999993, 0.031999999999999994],
      [0.01900000000000001, 0.028000000000000008], [0.014500000000000006, 0.024000000000000004],
      [0.01, 0.02], [0.012249999999999994, 0.021999999999999992],
      [0.014500000000000006, 0.024000000000000004], [0.016749999999999998, 0.025999999999999995],
      [0.01900000000000001, 0.028000000000000008], [0.02125, 0.03],
      [0.01900000000000001, 0.028000000000000008], [0.016749999999999998, 0.025999999999999995],
      [0.014500000000000006, 0.024000000000000004], [0.012249999999999994, 0.021999999999999992],
      [0.01, 0.02], [0.011124999999999996, 0.020999999999999998],
      [0.012250000000000002, 0.022000000000000002], [0.013374999999999998, 0.023],
      [0.014500000000000006, 0.024000000000000004], [0.015625, 0.025],
      [0.014500000000000006, 0.024000000000000004], [0.013374999999999998, 0.023],
      [0.012250000000000002, 0.022000000000000002], [0.011124999999999996, 0.020999999999999998],
      [0.01, 0.02]],
     [[0.95, 0.95], [0.8999999999999999, 0.8999999999999999], [0.85, 0.85],
      [0.7999999999999999, 0.7999999999999999], [0.75, 0.75], [0.7, 0.7], [0.75, 0.75],
      [0.7999999999999999, 0.7999999999999999], [0.85, 0.85],
      [0.8999999999999999, 0.8999999999999999], [0.95, 0.95],
      [0.9249999999999999, 0.9249999999999999], [0.8999999999999999, 0.8999999999999999],
      [0.875, 0.875], [0.85, 0.85], [0.825, 0.825], [0.85, 0.85], [0.875, 0.875],
      [0.8999999999999999, 0.8999999999999999], [0.9249999999999999, 0.9249999999999999],
      [0.95, 0.95], [0.9375, 0.9375], [0.9249999999999999, 0.9249999999999999], [0.9125, 0.9125],
      [0.8999999999999999, 0.8999999999999999], [0.8875, 0.8875],
      [0.8999999999999999, 0.8999999999999999], [0.9125, 0.9125],
      [0.9249999999999999, 0.9249999999999999], [0.9375, 0.9375], [0.95, 0.95], [0.94375, 0.94375],
      [0.9375, 0.9375], [0.9312499999999999, 0.9312499999999999],
      [0.9249999999999999, 0.9249999999999999], [0.91875, 0.91875],
      [0.9249999999999999, 0.9249999999999999], [0.9312499999999999, 0.9312499999999999],
      [0.9375, 0.9375], [0.94375, 0.94375], [0.95, 0.95], [0.9468749999999999, 0.9468749999999999],
      [0.94375, 0.94375], [0.9406249999999999, 0.9406249999999999], [0.9375, 0.9375],
      [0.934375, 0.934375], [0.9375, 0.9375], [0.9406249999999999, 0.9406249999999999],
      [0.94375, 0.94375], [0.9468749999999999, 0.9468749999999999], [0.95, 0.95]]),
    'cyclic_exp_range': ([0.001, 0.003910000000000002, 0.006645399999999999, 0.009214057000000001, 0.006311756860000003,
      0.003576202077099998, 0.001, 0.003423948534343394, 0.0057024601566261724,
      0.007842079527891087, 0.005424544761369565, 0.0031459042092642445, 0.001,
      0.0030190812704967225, 0.004917017664763646, 0.0066992607022311025, 0.004685521920776115,
      0.0027874781315764133, 0.001, 0.002681838174000243, 0.004262766057560489,
      0.005747324613750502, 0.004069936583558663, 0.002488919243025943, 0.001,
      0.0024009241157631174, 0.003717792784580441, 0.004954388501564545, 0.003557171231011737,
      0.0022402280470406955, 0.001, 0.0021669305694605907, 0.0032638453047535397,
      0.004293894918416403, 0.003130052047242605, 0.002033075242912666, 0.001,
      0.0019720204960565276, 0.0028857197623496584, 0.003743722254218755, 0.0027742737243947936,
      0.0018605227563314771, 0.001, 0.0018096658614322912, 0.002570751771178628,
      0.0032854438270649117, 0.0024779203415019706, 0.0017167913656284636, 0.001,
      0.001674428995919814, 0.0023083922520844465],
     [0.9, 0.8676666666666667, 0.8372733333333334, 0.8087327000000001, 0.8409804793333333,
      0.8713755324766668, 0.9, 0.8730672385072956, 0.8477504427041537, 0.8239768941345436,
      0.8508383915403382, 0.876156619897064, 0.9, 0.8775657636611476, 0.8564775815026262,
      0.8366748810863212, 0.8590497564358209, 0.8801391318713732, 0.9, 0.8813129091777752,
      0.8637470438048835, 0.8472519487361055, 0.8658895935160149, 0.8834564528552673, 0.9,
      0.8844341764915209, 0.8698023023935507, 0.8560623499826162, 0.8715869863220919,
      0.8862196883662146, 0.9, 0.8870341047837712, 0.8748461632805162, 0.8634011675731511,
      0.8763327550306378, 0.8885213861898593, 0.9, 0.8891997722660386, 0.8790475581961149,
      0.8695141971753472, 0.8802858475067246, 0.8904386360407613, 0.9, 0.8910037126507524,
      0.8825472025424597, 0.8746061796992788, 0.8835786628722003, 0.8920356514930171, 0.9,
      0.8925063444897798, 0.8854623083101728]),
    'cyclic_nomom': [0.001, 0.004000000000000002, 0.006999999999999999, 0.010000000000000002, 0.007000000000000004,
     0.003999999999999998, 0.001, 0.004000000000000005, 0.006999999999999996, 0.010000000000000002,
     0.006999999999999996, 0.004000000000000005, 0.001, 0.003999999999999998, 0.007000000000000004,
     0.010000000000000002, 0.007000000000000004, 0.003999999999999998, 0.001, 0.00399999999999999,
     0.007000000000000011, 0.010000000000000002, 0.007000000000000011, 0.00399999999999999, 0.001,
     0.004000000000000005, 0.006999999999999996, 0.010000000000000002, 0.006999999999999996,
     0.004000000000000005, 0.001, 0.004000000000000005, 0.006999999999999996, 0.010000000000000002,
     0.006999999999999996, 0.004000000000000005, 0.001, 0.004000000000000005, 0.006999999999999996,
     0.010000000000000002, 0.006999999999999996, 0.004000000000000005, 0.001, 0.004000000000000022,
     0.006999999999999979, 0.010000000000000002, 0.006999999999999979, 0.004000000000000022, 0.001,
     0.00399999999999999, 0.007000000000000011],
    'onecycle_cos': ([0.020000000000000018, 0.02408645607586357, 0.03620666494295466, 0.055947887424892595,
      0.08263785986704181, 0.11536768726897845, 0.15302279461363077, 0.19432088238270007,
      0.23785559372880755, 0.28214440627119247, 0.3256791176172999, 0.36697720538636913,
      0.4046323127310215, 0.43736214013295815, 0.46405211257510737, 0.48379333505704536,
      0.49591354392413645, 0.5, 0.49930095209149783, 0.49720771772545586, 0.49373200311754367,
      0.4888932458737294, 0.4827185062873024, 0.47524231600673683, 0.4665064849207059,
      0.4565598673402244, 0.445458088785525, 0.4332632349055847, 0.42004350426999204,
      0.40587282697488153, 0.3908304511958474, 0.3750005, 0.3584715008956504, 0.34133589075057447,
      0.32368949884755166, 0.30563101096814466, 0.2872614175017774, 0.2686834486665125, 0.250001,
      0.23131855133348753, 0.21274058249822253, 0.19437098903185537, 0.17631250115244834,
      0.15866610924942562, 0.14153049910434962, 0.12500150000000004, 0.10917154880415254,
      0.09412917302511849, 0.07995849573000788, 0.0667387650944153, 0.05454391121447502],
     [0.95, 0.9491486549841951, 0.9466236114702178, 0.9425108567864806, 0.9369504458610329,
      0.9301317318189628, 0.9222869177888269, 0.9136831495036041, 0.9046134179731651,
      0.8953865820268349, 0.8863168504963959, 0.8777130822111731, 0.8698682681810371,
      0.863049554138967, 0.8574891432135193, 0.8533763885297821, 0.8508513450158048, 0.85,
      0.850139810140941, 0.8505584586887436, 0.8512536043909088, 0.8522213597106929,
      0.8534563125677898, 0.854951556604879, 0.856698729810778, 0.8586880612842003,
      0.8609084258765984, 0.8633474064085087, 0.865991363111454, 0.8688255099070633,
      0.8718339970968189, 0.875, 0.878305813044122, 0.8817329487816802, 0.8852622412794547,
      0.8888739533021842, 0.8925478866911912, 0.8962634953206787, 0.8999999999999999,
      0.9037365046793212, 0.9074521133088087, 0.9111260466978157, 0.9147377587205452,
      0.9182670512183198, 0.9216941869558779, 0.9249999999999999, 0.9281660029031811,
      0.9311744900929366, 0.934008636888546, 0.9366525935914912, 0.9390915741234015]),
    'onecycle_linear_three': ([[0.02, 0.008], [0.054285714285714284, 0.021714285714285714],
      [0.08857142857142856, 0.03542857142857143], [0.12285714285714285, 0.04914285714285714],
      [0.1571428571428571, 0.06285714285714286], [0.19142857142857142, 0.07657142857142857],
      [0.22571428571428567, 0.09028571428571427], [0.26, 0.10400000000000001],
      [0.29428571428571426, 0.11771428571428572], [0.3285714285714286, 0.13142857142857145],
      [0.3628571428571429, 0.14514285714285716], [0.39714285714285713, 0.15885714285714286],
      [0.4314285714285714, 0.17257142857142857], [0.46571428571428575, 0.1862857142857143],
      [0.5, 0.2], [0.46571428571428575, 0.1862857142857143],
      [0.43142857142857144, 0.1725714285714286], [0.39714285714285713, 0.15885714285714286],
      [0.3628571428571429, 0.14514285714285716], [0.32857142857142857, 0.13142857142857145],
      [0.2942857142857143, 0.11771428571428573], [0.26, 0.10400000000000001],
      [0.22571428571428576, 0.0902857142857143], [0.1914285714285714, 0.07657142857142857],
      [0.15714285714285714, 0.06285714285714286], [0.12285714285714289, 0.049142857142857155],
      [0.08857142857142863, 0.03542857142857145], [0.05428571428571427, 0.021714285714285714],
      [0.020000000000000018, 0.008000000000000007], [0.019354903225806453, 0.0077419612903225805],
      [0.018709806451612902, 0.007483922580645162], [0.018064709677419355, 0.007225883870967742],
      [0.017419612903225808, 0.0069678451612903225], [0.016774516129032257, 0.006709806451612904],
      [0.01612941935483871, 0.006451767741935484], [0.015484322580645162, 0.0061937290322580645],
      [0.014839225806451613, 0.005935690322580645], [0.014194129032258064, 0.005677651612903225],
      [0.013549032258064517, 0.005419612903225807], [0.012903935483870966, 0.005161574193548388],
      [0.012258838709677419, 0.004903535483870968], [0.01161374193548387, 0.0046454967741935485],
      [0.010968645161290322, 0.004387458064516129], [0.010323548387096773, 0.004129419354838709],
      [0.009678451612903226, 0.0038713806451612905], [0.009033354838709678, 0.0036133419354838717],
      [0.008388258064516128, 0.0033553032258064512], [0.00774316129032258, 0.0030972645161290325],
      [0.007098064516129031, 0.0028392258064516137], [0.006452967741935484, 0.002581187096774194],
      [0.005807870967741933, 0.0023231483870967745]],
     [[0.95, 0.95], [0.9428571428571428, 0.9428571428571428],
      [0.9357142857142857, 0.9357142857142857], [0.9285714285714285, 0.9285714285714285],
      [0.9214285714285714, 0.9214285714285714], [0.9142857142857143, 0.9142857142857143],
      [0.9071428571428571, 0.9071428571428571], [0.8999999999999999, 0.8999999999999999],
      [0.8928571428571428, 0.8928571428571428], [0.8857142857142857, 0.8857142857142857],
      [0.8785714285714286, 0.8785714285714286], [0.8714285714285714, 0.8714285714285714],
      [0.8642857142857143, 0.8642857142857143], [0.8571428571428571, 0.8571428571428571],
      [0.85, 0.85], [0.8571428571428571, 0.8571428571428571],
      [0.8642857142857142, 0.8642857142857142], [0.8714285714285714, 0.8714285714285714],
      [0.8785714285714286, 0.8785714285714286], [0.8857142857142857, 0.8857142857142857],
      [0.8928571428571428, 0.8928571428571428], [0.8999999999999999, 0.8999999999999999],
      [0.9071428571428571, 0.9071428571428571], [0.9142857142857143, 0.9142857142857143],
      [0.9214285714285714, 0.9214285714285714], [0.9285714285714285, 0.9285714285714285],
      [0.9357142857142857, 0.9357142857142857], [0.9428571428571428, 0.9428571428571428],
      [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95],
      [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95],
      [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95],
      [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95]]),
    'onecycle_adam': ([0.0009999999999999992, 0.0010921152643637733, 0.0013646898477089608, 0.0018065645145672552,
      0.0023996488641594097, 0.0031196619535286685, 0.003937126362198309, 0.004818575001229404,
      0.005727921259774207, 0.0066279363951642425, 0.007481773682009354, 0.008254476921464483,
      0.008914411552117559, 0.00943455977265062, 0.00979362665380022, 0.009976911955263528,
      0.009995843157726192, 0.009962629919942683, 0.009896424472993319, 0.009797667403204416,
      0.009667015922581648, 0.009505339495172583, 0.009313714050926899, 0.009093414825560074,
      0.008845907874070113, 0.008572840314383408, 0.0082760293660567, 0.00795745025698074,
      0.007619223078564577, 0.007263598676877015, 0.006892943673637388, 0.006509724716738485,
      0.00611649206511179, 0.00571586261717506, 0.005310502495805105, 0.004903109305729932,
      0.0044963941814143435, 0.0040930637449073885, 0.0036958020937191867, 0.0033072529385948304,
      0.002930002010055578, 0.0025665598507888365, 0.002219345108400788, 0.0018906684397156264,
      0.0015827171337356187, 0.0012975405555936718, 0.0010370365083664972, 0.0008029386035082493,
      0.000596804723952326, 0.0004200066566574724, 0.0002737209635919101],
     [0.95, 0.9489764970626247, 0.9459478905810115, 0.9410381720603638, 0.9344483459537842,
      0.9264482005163481, 0.9173652626422409, 0.9075713888752288, 0.8974675415580643,
      0.8874673733870639, 0.8779802924221183, 0.8693947008726168, 0.8620620938653605,
      0.8562826691927709, 0.8522930371799975, 0.8502565338304052, 0.8500416100327708,
      0.8503740748754486, 0.8510367920621289, 0.8520253513192751, 0.8533331739481317,
      0.854951556604879, 0.856869729219951, 0.8590749266710703, 0.8615524737330319,
      0.8642858827389048, 0.8672569633027357, 0.8704459433735662, 0.8738316008151694,
      0.8773914046358657, 0.8811016649285547, 0.8849376905231383, 0.8888739533021842,
      0.8928842580863356, 0.8969419169589078, 0.9010199268695702, 0.9050911493351917,
      0.909128491041968, 0.913105084146955, 0.9169944650791307, 0.9207707506500943,
      0.9244088103024141, 0.9278844333493415, 0.9311744900929366, 0.9342570857483922,
      0.9371117061502134, 0.9397193542706056, 0.9420626766415591, 0.944126078839316,
      0.9458958292626879, 0.9473601505145954]),
    'polynomial': [0.1, 0.09025, 0.081, 0.07225, 0.064, 0.05625, 0.048999999999999995, 0.04225000000000001,
     0.036000000000000004, 0.03025000000000001, 0.025000000000000005, 0.02025, 0.016000000000000007,
     0.012250000000000002, 0.009000000000000005, 0.006250000000000002, 0.003999999999999999,
     0.0022500000000000016, 0.0009999999999999998, 0.0002500000000000005, 0.0, 0.0, 0.0, 0.0, 0.0,
     0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
     0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    'sequential': [0.05, 0.05, 0.05, 0.1, 0.1, 0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002,
     0.06561000000000002, 0.05904900000000002, 0.05314410000000002, 0.04782969000000002,
     0.043046721000000024, 0.03874204890000002, 0.03486784401000002, 0.03138105960900001,
     0.028242953648100012, 0.025418658283290013, 0.022876792454961013, 0.1, 0.1, 0.1, 0.1, 0.05,
     0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.0125, 0.00625, 0.00625,
     0.00625, 0.00625, 0.003125, 0.003125, 0.003125, 0.003125, 0.0015625, 0.0015625, 0.0015625,
     0.0015625, 0.00078125, 0.00078125, 0.00078125],
    'sequential_warmup_cos': [0.010000000000000002, 0.028000000000000004, 0.046000000000000006, 0.064, 0.082, 0.1,
     0.09972609476841367, 0.09890738003669028, 0.09755282581475767, 0.09567727288213003,
     0.09330127018922194, 0.09045084971874737, 0.0871572412738697, 0.0834565303179429,
     0.07938926261462365, 0.07499999999999998, 0.07033683215379001, 0.06545084971874737,
     0.06039558454088796, 0.05522642316338268, 0.05000000000000001, 0.04477357683661733,
     0.03960441545911203, 0.03454915028125263, 0.02966316784621, 0.025000000000000012,
     0.02061073738537635, 0.016543469682057107, 0.012842758726130301, 0.009549150281252635,
     0.006698729810778067, 0.004322727117869953, 0.002447174185242324, 0.0010926199633097158,
     0.00027390523158633, 0.0, 0.0002739052315863355, 0.0010926199633097377, 0.0024471741852423673,
     0.004322727117870044, 0.006698729810778194, 0.009549150281252814, 0.012842758726130546,
     0.01654346968205741, 0.020610737385376752, 0.02500000000000048, 0.029663167846210557,
     0.03454915028125331, 0.0396044154591128, 0.04477357683661819, 0.05000000000000099],
    'chained': [0.010000000000000002, 0.009000000000000003, 0.008100000000000003, 0.007290000000000003,
     0.06561000000000003, 0.059049000000000025, 0.05314410000000002, 0.04782969000000002,
     0.043046721000000024, 0.03874204890000002, 0.03486784401000002, 0.03138105960900001,
     0.028242953648100012, 0.025418658283290013, 0.022876792454961013, 0.020589113209464913,
     0.01853020188851842, 0.01667718169966658, 0.015009463529699923, 0.013508517176729932,
     0.01215766545905694, 0.010941898913151246, 0.009847709021836121, 0.00886293811965251,
     0.007976644307687259, 0.007178979876918534, 0.006461081889226681, 0.005814973700304013,
     0.005233476330273611, 0.00471012869724625, 0.004239115827521626, 0.0038152042447694634,
     0.003433683820292517, 0.0030903154382632653, 0.002781283894436939, 0.002503155504993245,
     0.0022528399544939205, 0.0020275559590445286, 0.0018248003631400759, 0.0016423203268260682,
     0.0014780882941434613, 0.0013302794647291152, 0.0011972515182562037, 0.0010775263664305832,
     0.000969773729787525, 0.0008727963568087724, 0.0007855167211278952, 0.0007069650490151057,
     0.0006362685441135952, 0.0005726416897022357, 0.0005153775207320121],
    'plateau_min_rel': [0.1, 0.1, 0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002,
     0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002,
     0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002,
     0.0010000000000000002, 0.00010000000000000003, 0.00010000000000000003, 0.00010000000000000003,
     1.0000000000000004e-05, 1.0000000000000004e-05, 1.0000000000000004e-05, 1.0000000000000004e-06,
     1.0000000000000004e-06, 1.0000000000000004e-06, 1.0000000000000005e-07, 1.0000000000000005e-07,
     1.0000000000000005e-07, 1.0000000000000005e-08, 1.0000000000000005e-08, 1.0000000000000005e-08,
     1.0000000000000005e-08, 1.0000000000000005e-08, 1.0000000000000005e-08, 1.0000000000000005e-08,
     1.0000000000000005e-08, 1.0000000000000005e-08, 1.0000000000000005e-08, 1.0000000000000005e-08,
     1.0000000000000005e-08, 1.0000000000000005e-08, 1.0000000000000005e-08, 1.0000000000000005e-08,
     1.0000000000000005e-08, 1.0000000000000005e-08, 1.0000000000000005e-08, 1.0000000000000005e-08,
     1.0000000000000005e-08, 1.0000000000000005e-08, 1.0000000000000005e-08],
    'plateau_min_abs_cooldown': [[0.1, 0.08], [0.1, 0.08], [0.1, 0.08], [0.1, 0.08], [0.05, 0.04], [0.05, 0.04], [0.05, 0.04],
     [0.05, 0.04], [0.05, 0.04], [0.05, 0.04], [0.025, 0.02], [0.025, 0.02], [0.025, 0.02],
     [0.025, 0.02], [0.025, 0.02], [0.025, 0.02], [0.0125, 0.02], [0.0125, 0.02], [0.0125, 0.02],
     [0.0125, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02],
     [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02],
     [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02],
     [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02],
     [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02], [0.01, 0.02],
     [0.01, 0.02], [0.01, 0.02]],
    'plateau_max_rel': [0.1, 0.1, 0.03, 0.009, 0.0026999999999999997, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
     0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998],
    'plateau_max_abs': [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.06999999999999999, 0.06999999999999999, 0.06999999999999999,
     0.06999999999999999, 0.06999999999999999, 0.06999999999999999, 0.048999999999999995,
     0.048999999999999995, 0.048999999999999995, 0.048999999999999995, 0.048999999999999995,
     0.048999999999999995, 0.0343, 0.0343, 0.0343, 0.0343, 0.024009999999999997,
     0.024009999999999997, 0.024009999999999997, 0.024009999999999997, 0.016806999999999996,
     0.016806999999999996, 0.016806999999999996, 0.016806999999999996, 0.011764899999999997,
     0.011764899999999997, 0.011764899999999997, 0.011764899999999997, 0.008235429999999997,
     0.008235429999999997, 0.008235429999999997, 0.008235429999999997, 0.005764800999999997,
     0.005764800999999997, 0.005764800999999997, 0.005764800999999997, 0.004035360699999998,
     0.004035360699999998, 0.004035360699999998, 0.004035360699999998, 0.0028247524899999983,
     0.0028247524899999983, 0.0028247524899999983, 0.0028247524899999983, 0.0019773267429999985],
}
