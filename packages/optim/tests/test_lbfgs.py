"""LBFGS: convergence on Rosenbrock (fixed step and strong Wolfe), iterates on a quadratic against an
independent NumPy port of PyTorch's algorithm, and trajectories recorded from PyTorch 2.13."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ember
from ember.optim.lbfgs import LBFGS, _cubic_interpolate


# -- an independent NumPy port of torch.optim.LBFGS (Python-float scalars, flat float64 vector) -----
def np_cubic(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
             bounds: tuple[float, float] | None = None) -> float:
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    disc = d1 * d1 - g1 * g2
    if disc < 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(disc)
    if x1 <= x2:
        pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return float(min(max(pos, lo), hi))


def np_strong_wolfe(fg: Callable[[np.ndarray], tuple[float, np.ndarray]], x: np.ndarray, t: float,
                    d: np.ndarray, f: float, g: np.ndarray, gtd: float, max_ls: int,
                    c1: float = 1e-4, c2: float = 0.9, tol: float = 1e-9) -> tuple[float, np.ndarray, float, int]:
    d_norm = np.abs(d).max()
    f_new, g_new = fg(x + t * d)
    evals, gtd_new = 1, g_new @ d
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done, it = False, 0
    br: list[float] = []
    bf: list[float] = []
    bg: list[np.ndarray] = []
    bgtd: list[float] = []
    while it < max_ls:
        if f_new > f + c1 * t * gtd or (it > 1 and f_new >= f_prev):
            br, bf, bg, bgtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            br, bf, bg, done = [t], [f_new], [g_new], True
            break
        if gtd_new >= 0:
            br, bf, bg, bgtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        new_t = np_cubic(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = new_t
        f_new, g_new = fg(x + t * d)
        evals, gtd_new, it = evals + 1, g_new @ d, it + 1
    if it == max_ls:
        br, bf, bg = [0.0, t], [f, f_new], [g, g_new]
    insuf = False
    low, high = (0, 1) if bf[0] <= bf[-1] else (1, 0)
    while not done and it < max_ls:
        if abs(br[1] - br[0]) * d_norm < tol:
            break
        t = np_cubic(br[0], bf[0], bgtd[0], br[1], bf[1], bgtd[1])
        hi, lo = max(br), min(br)
        eps = 0.1 * (hi - lo)
        if min(hi - t, t - lo) < eps:
            if insuf or t >= hi or t <= lo:
                t = hi - eps if abs(t - hi) < abs(t - lo) else lo + eps
                insuf = False
            else:
                insuf = True
        else:
            insuf = False
        f_new, g_new = fg(x + t * d)
        evals, gtd_new, it = evals + 1, g_new @ d, it + 1
        if f_new > f + c1 * t * gtd or f_new >= bf[low]:
            br[high], bf[high], bg[high], bgtd[high] = t, f_new, g_new, gtd_new
            low, high = (0, 1) if bf[0] <= bf[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (br[high] - br[low]) >= 0:
                br[high], bf[high], bg[high], bgtd[high] = br[low], bf[low], bg[low], bgtd[low]
            br[low], bf[low], bg[low], bgtd[low] = t, f_new, g_new, gtd_new
    return bf[low], bg[low], br[low], evals


class NumpyLBFGS:
    """torch.optim.LBFGS's ``step`` on a flat NumPy vector; ``fg(x) -> (loss, grad)``."""

    def __init__(self, x: np.ndarray, lr: float = 1.0, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        self.x = x.astype(np.float64).copy()
        self.lr, self.max_iter, self.hist = lr, max_iter, history_size
        self.max_eval = max_eval if max_eval is not None else max_iter * 5 // 4
        self.tol_grad, self.tol_change, self.ls = tolerance_grad, tolerance_change, line_search_fn
        self.func_evals = self.n_iter = 0
        self.dirs: list[np.ndarray] = []
        self.stps: list[np.ndarray] = []
        self.ro: list[float] = []
        self.h_diag = 1.0
        self.d = self.prev_g = np.zeros(0)
        self.t = 0.0

    def step(self, fg: Callable[[np.ndarray], tuple[float, np.ndarray]]) -> float:
        orig, g = fg(self.x)
        loss, evals = orig, 1
        self.func_evals += 1
        if np.abs(g).max() <= self.tol_grad:
            return orig
        n = 0
        while n < self.max_iter:
            n += 1
            self.n_iter += 1
            if self.n_iter == 1:
                self.d, self.dirs, self.stps, self.ro, self.h_diag = -g, [], [], [], 1.0
            else:
                y, s = g - self.prev_g, self.d * self.t
                ys = y @ s
                if ys > 1e-10:
                    if len(self.dirs) == self.hist:
                        self.dirs.pop(0)
                        self.stps.pop(0)
                        self.ro.pop(0)
                    self.dirs.append(y)
                    self.stps.append(s)
                    self.ro.append(1.0 / ys)
                    self.h_diag = ys / (y @ y)
                q = -g
                al = [0.0] * len(self.dirs)
                for i in reversed(range(len(self.dirs))):
                    al[i] = (self.stps[i] @ q) * self.ro[i]
                    q = q - al[i] * self.dirs[i]
                r = q * self.h_diag
                for i in range(len(self.dirs)):
                    be = (self.dirs[i] @ r) * self.ro[i]
                    r = r + (al[i] - be) * self.stps[i]
                self.d = r
            self.prev_g, prev_loss = g.copy(), loss
            t = min(1.0, 1.0 / np.abs(g).sum()) * self.lr if self.n_iter == 1 else self.lr
            self.t = t
            gtd = g @ self.d
            if gtd > -self.tol_change:
                break
            if self.ls == "strong_wolfe":
                loss, g, t, ls_evals = np_strong_wolfe(fg, self.x, t, self.d, loss, g, gtd,
                                                        max_ls=self.max_eval - evals)
                self.x = self.x + t * self.d
            else:
                self.x = self.x + t * self.d
                ls_evals = 0
                if n != self.max_iter:
                    loss, g = fg(self.x)
                    ls_evals = 1
            self.t = t
            evals += ls_evals
            self.func_evals += ls_evals
            if n == self.max_iter or evals >= self.max_eval or np.abs(g).max() <= self.tol_grad:
                break
            if np.abs(self.d * t).max() <= self.tol_change or abs(loss - prev_loss) < self.tol_change:
                break
        return orig


# -- problems --------------------------------------------------------------------------------------
def quadratic_problem() -> tuple[np.ndarray, np.ndarray]:
    """A fixed, moderately conditioned SPD system (the same data was used to record PyTorch)."""
    m = np.cos(np.arange(36.0).reshape(6, 6) * 0.7) + 0.1 * np.arange(6.0)
    return m.T @ m + 0.5 * np.eye(6), np.sin(np.arange(6.0) + 1.0)


X0 = np.array([0.5, -1.0, 2.0, 0.0, 1.0, -0.5])


def ember_quadratic(dtype: Any, **options: Any) -> tuple[LBFGS, list[ember.Tensor], Callable[[], ember.Tensor]]:
    a, b = quadratic_problem()
    at, bt = ember.tensor(a, dtype=dtype), ember.tensor(b, dtype=dtype)
    w = ember.tensor(X0[:4].reshape(2, 2), dtype=dtype, requires_grad=True)
    v = ember.tensor(X0[4:], dtype=dtype, requires_grad=True)
    opt = LBFGS([w, v], **options)

    def closure() -> ember.Tensor:
        opt.zero_grad()
        x = ember.cat([w.reshape(-1), v])
        loss = 0.5 * (x @ at @ x) - bt @ x
        loss.backward()
        return loss

    return opt, [w, v], closure


def flat(params: list[ember.Tensor]) -> np.ndarray:
    return np.concatenate([p.detach().numpy().reshape(-1) for p in params]).astype(np.float64)


def rosenbrock(x: ember.Tensor) -> ember.Tensor:
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


# -- against the NumPy port ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [
        {"line_search_fn": "strong_wolfe"},
        {"line_search_fn": "strong_wolfe", "history_size": 2, "max_iter": 6},
        {"line_search_fn": "strong_wolfe", "max_iter": 30, "max_eval": 12},
        {"lr": 0.2, "history_size": 4, "max_iter": 7},
        {"lr": 0.05, "history_size": 1},
        {"lr": 0.3, "tolerance_change": 1e-3},
    ],
    ids=str,
)
def test_quadratic_iterates_match_numpy_port(options: dict[str, Any]) -> None:
    a, b = quadratic_problem()
    opt, params, closure = ember_quadratic(ember.float64, **options)
    ref = NumpyLBFGS(X0, **options)

    def fg(x: np.ndarray) -> tuple[float, np.ndarray]:
        return float(0.5 * x @ a @ x - b @ x), a @ x - b

    for _ in range(5):
        loss = opt.step(closure)
        ref_loss = ref.step(fg)
        assert loss.item() == pytest.approx(ref_loss, rel=1e-9, abs=1e-12)
        np.testing.assert_allclose(flat(params), ref.x, rtol=1e-8, atol=1e-10)
        state = opt.state[params[0]]
        assert (state["func_evals"], state["n_iter"]) == (ref.func_evals, ref.n_iter)


def test_quadratic_converges_to_the_solution() -> None:
    a, b = quadratic_problem()
    opt, params, closure = ember_quadratic(ember.float64, line_search_fn="strong_wolfe")
    for _ in range(3):
        opt.step(closure)
    # it stops on tolerance_change (the loss is flat near the minimum), as PyTorch does
    np.testing.assert_allclose(flat(params), np.linalg.solve(a, b), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["wolfe_float64", "plain_float64", "wolfe_float32", "plain_float32"])
def test_quadratic_matches_recorded_pytorch(name: str) -> None:
    kind, dt = name.split("_")
    dtype = ember.float64 if dt == "float64" else ember.float32
    options = ({"line_search_fn": "strong_wolfe", "history_size": 3, "max_iter": 8} if kind == "wolfe"
               else {"lr": 0.2, "history_size": 4, "max_iter": 7})
    opt, params, closure = ember_quadratic(dtype, **options)
    for step, (x, func_evals, n_iter) in enumerate(TORCH_QUADRATIC[name]):
        opt.step(closure)
        state = opt.state[params[0]]
        if dtype is ember.float64:
            np.testing.assert_allclose(flat(params), x, rtol=1e-9, atol=1e-9)
            assert (state["func_evals"], state["n_iter"]) == (func_evals, n_iter)
        elif step == 0:
            np.testing.assert_allclose(flat(params), x, rtol=1e-5, atol=1e-5)
            assert (state["func_evals"], state["n_iter"]) == (func_evals, n_iter)
        else:
            # Near the minimum float32 losses differ from PyTorch's in the last bits (BLAS
            # summation order), which steers later line searches: only the solution must agree.
            np.testing.assert_allclose(flat(params), x, rtol=1e-3, atol=1e-3)


# -- Rosenbrock ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "options"),
    [("rosen_wolfe", {"line_search_fn": "strong_wolfe", "history_size": 10}),
     ("rosen_plain", {"lr": 0.1, "max_iter": 30, "history_size": 5})],
)
def test_rosenbrock_matches_recorded_pytorch(name: str, options: dict[str, Any]) -> None:
    x = ember.tensor([-1.5, 2.0], dtype=ember.float64, requires_grad=True)
    opt = LBFGS([x], **options)

    def closure() -> ember.Tensor:
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    for expected, func_evals, n_iter in TORCH_ROSENBROCK[name]:
        opt.step(closure)
        # Fixed steps along this valley amplify last-bit differences (PyTorch's add with alpha
        # uses fused multiply-adds): after ~80 iterations the two trajectories part, so the
        # fixed-step record stops at 60.
        np.testing.assert_allclose(x.detach().numpy(), expected, rtol=1e-7, atol=1e-12)
        assert (opt.state[x]["func_evals"], opt.state[x]["n_iter"]) == (func_evals, n_iter)


@pytest.mark.parametrize(
    ("options", "steps"),
    [({"line_search_fn": "strong_wolfe"}, 5), ({"lr": 0.5, "history_size": 10, "max_iter": 200}, 1)],
    ids=["strong_wolfe", "fixed_step"],
)
@pytest.mark.parametrize("dtype", [ember.float64, ember.float32], ids=str)
def test_rosenbrock_converges(options: dict[str, Any], steps: int, dtype: Any) -> None:
    x = ember.tensor([-1.5, 2.0], dtype=dtype, requires_grad=True)
    opt = LBFGS([x], **options)

    def closure() -> ember.Tensor:
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    first = opt.step(closure).item()
    for _ in range(steps - 1):
        opt.step(closure)
    with ember.no_grad():
        final = rosenbrock(x).item()
    assert first > 10 and final < 1e-6
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 1.0], atol=2e-3)
    assert x.is_leaf and x.grad_fn is None and x.dtype is dtype


# -- behaviour --------------------------------------------------------------------------------------
def test_returns_first_loss_and_stops_at_optimum() -> None:
    a, b = quadratic_problem()
    opt, params, closure = ember_quadratic(ember.float64, line_search_fn="strong_wolfe")
    first = opt.step(closure)
    assert first.item() == pytest.approx(0.5 * X0 @ a @ X0 - b @ X0)
    for _ in range(3):
        opt.step(closure)
    evals = opt.state[params[0]]["func_evals"]
    opt.tolerance_grad = None  # unused attribute: the group option is what counts
    opt.param_groups[0]["tolerance_grad"] = 1.0
    opt.step(closure)  # gradient already below tolerance: one evaluation, no iteration
    assert opt.state[params[0]]["func_evals"] == evals + 1


def test_state_dict_round_trip_continues_identically() -> None:
    opt, params, closure = ember_quadratic(ember.float64, lr=0.2, history_size=3, max_iter=4)
    opt.step(closure)
    opt.step(closure)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))
    assert set(saved["state"][0]) >= {"d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad",
                                      "prev_loss", "func_evals", "n_iter"}
    opt2, params2, closure2 = ember_quadratic(ember.float64, lr=0.2, history_size=3, max_iter=4)
    for p, q in zip(params2, params, strict=True):
        p.detach().copy_(q.detach())
    opt2.load_state_dict(saved)
    assert opt2.state[params2[0]]["d"] is not opt.state[params[0]]["d"]
    for _ in range(3):
        opt.step(closure)
        opt2.step(closure2)
    np.testing.assert_array_equal(flat(params2), flat(params))


def test_parameter_without_grad_is_left_alone() -> None:
    x = ember.tensor([3.0, -1.0], dtype=ember.float64, requires_grad=True)
    unused = ember.tensor([7.0], dtype=ember.float64, requires_grad=True)
    opt = LBFGS([x, unused], line_search_fn="strong_wolfe")

    def closure() -> ember.Tensor:
        opt.zero_grad()
        loss = ((x - 1.0) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 1.0], atol=1e-6)
    assert unused.item() == 7.0


def test_cubic_interpolate_matches_numpy_port() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        x1, x2 = rng.uniform(-2, 2, 2)
        f1, g1, f2, g2 = rng.standard_normal(4)
        bounds = (min(x1, x2) - 0.5, max(x1, x2) + 0.5) if rng.random() < 0.5 else None
        got = _cubic_interpolate(
            float(x1), float(f1), ember.tensor(g1), float(x2), float(f2), ember.tensor(g2), bounds=bounds
        )
        assert float(got) == pytest.approx(np_cubic(x1, f1, g1, x2, f2, g2, bounds), rel=1e-12, abs=1e-12)


def test_errors() -> None:
    w = ember.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"LBFGS doesn't support per-parameter options \(parameter groups\)"):
        LBFGS([{"params": [w]}, {"params": [ember.zeros(1, requires_grad=True)]}])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        LBFGS([w], lr=-1)
    opt = LBFGS([w], line_search_fn="armijo")

    def closure() -> ember.Tensor:
        opt.zero_grad()
        loss = ((w - 1.0) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
    with pytest.raises(TypeError, match="requires a closure"):
        opt.step(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        opt.step()  # type: ignore[call-arg]


def test_defaults_match_pytorch() -> None:
    opt = LBFGS([ember.zeros(1, requires_grad=True)])
    assert {k: v for k, v in opt.defaults.items()} == {
        "lr": 1, "max_iter": 20, "max_eval": 25, "tolerance_grad": 1e-7, "tolerance_change": 1e-9,
        "history_size": 100, "line_search_fn": None,
    }
    assert LBFGS([ember.zeros(1, requires_grad=True)], max_iter=7).defaults["max_eval"] == 8


# Recorded with PyTorch 2.13 (torch.optim.LBFGS, float64 unless named): after each step(),
# the parameters (flattened), state["func_evals"] and state["n_iter"].
TORCH_ROSENBROCK: dict[str, Any] = {'rosen_wolfe': [([-0.08523120550524242, -0.02882464531631397], 25, 19), ([0.9997609786712734, 0.9995387882216061], 50, 38), ([0.9999834179208867, 0.9999669023996953], 52, 40), ([0.9999834179208867, 0.9999669023996953], 53, 41)], 'rosen_plain': [([-0.8329123813339928, 0.7084789366511343], 30, 30), ([0.2489001209171689, 0.05257989484467454], 60, 60)]}
TORCH_QUADRATIC: dict[str, Any] = {'wolfe_float64': [([-0.22903242815235345, 0.567582138177608, 0.23696485265794054, -0.43595339099897307, -0.370059897280357, 0.5291117720889393], 9, 8), ([-0.23084372682594592, 0.5693018141288271, 0.2352024319571302, -0.4357670385279488, -0.3713706750015608, 0.5299141670062608], 16, 14), ([-0.23084372682594592, 0.5693018141288271, 0.2352024319571302, -0.4357670385279488, -0.3713706750015608, 0.5299141670062608], 17, 15), ([-0.23084372682594592, 0.5693018141288271, 0.2352024319571302, -0.4357670385279488, -0.3713706750015608, 0.5299141670062608], 18, 16)], 'plain_float64': [([0.537380908137198, -0.8557404399114209, 1.1907723367902108, -0.5792225132097667, 0.44579013313874344, -0.18055072087208437], 7, 7), ([0.14682469322274427, 0.11856350888387385, 0.5332514475095579, -0.5575764959968809, -0.13099431448951931, 0.3347600430591476], 14, 14), ([-0.15865608344461898, 0.47967640389971494, 0.2925582355772223, -0.45827821628149973, -0.32071040365425235, 0.49783137374528524], 21, 21), ([-0.21923222861054273, 0.5511155437312552, 0.24258334864213651, -0.4415277754619163, -0.3626875428218142, 0.5255263042792468], 28, 28)], 'wolfe_float32': [([-0.22903217375278473, 0.5675827860832214, 0.23696479201316833, -0.4359535872936249, -0.37005993723869324, 0.5291123390197754], 9, 8), ([-0.2306438535451889, 0.5692654848098755, 0.23520347476005554, -0.43588000535964966, -0.3713696002960205, 0.5299695134162903], 20, 13), ([-0.2306438535451889, 0.5692654848098755, 0.23520347476005554, -0.43588000535964966, -0.3713696002960205, 0.5299695134162903], 26, 14), ([-0.2306438535451889, 0.5692654848098755, 0.23520347476005554, -0.43588000535964966, -0.3713696002960205, 0.5299695134162903], 32, 15)], 'plain_float32': [([0.5373809337615967, -0.8557403683662415, 1.1907724142074585, -0.5792229771614075, 0.4457906186580658, -0.18055091798305511], 7, 7), ([0.14683249592781067, 0.11857276409864426, 0.5332526564598083, -0.557578444480896, -0.13099825382232666, 0.33476030826568604], 14, 14), ([-0.1586490422487259, 0.4796683192253113, 0.29256343841552734, -0.4582798182964325, -0.3207034766674042, 0.49783268570899963], 21, 21), ([-0.21923606097698212, 0.5511230826377869, 0.24257837235927582, -0.4415281116962433, -0.36269405484199524, 0.5255270004272461], 28, 28)]}
