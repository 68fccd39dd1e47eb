"""F's activations and their nn modules: values against NumPy references over hypothesis shapes and
dtypes (0-d, empty, non-contiguous), gradients by gradcheck (float64) and at the breakpoints torch's
kernels define, large-input stability, in-place forms, torch's reprs (captured from torch 2.13) and
torch's errors."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck

PROPERTY = settings(max_examples=25, deadline=None)

ALPHA, SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
_erf = np.vectorize(math.erf, otypes=[np.float64])


def _sig(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.where(x * beta > threshold, x, np.log1p(np.exp(x * beta)) / beta)


def _elu(x: np.ndarray, a: float = 1.0) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.where(x > 0, x, a * np.expm1(x))


# name -> (F function with its arguments, NumPy reference)
CASES: dict[str, tuple[Callable[[Any], Any], Callable[[np.ndarray], np.ndarray]]] = {
    "relu": (F.relu, lambda x: np.maximum(x, 0)),
    "relu6": (F.relu6, lambda x: np.clip(x, 0, 6)),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 2.0), lambda x: np.clip(x, -0.5, 2.0)),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    "elu": (lambda x: F.elu(x, 0.7), lambda x: _elu(x, 0.7)),
    "selu": (F.selu, lambda x: SCALE * _elu(x, ALPHA)),
    "celu": (lambda x: F.celu(x, 2.0), lambda x: np.maximum(x, 0) + np.minimum(0, 2.0 * np.expm1(x / 2.0))),
    "gelu": (F.gelu, lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))),
    "silu": (F.silu, lambda x: x * _sig(x)),
    "mish": (F.mish, lambda x: x * np.tanh(_softplus(x))),
    "sigmoid": (F.sigmoid, _sig),
    "tanh": (F.tanh, np.tanh),
    "softplus": (lambda x: F.softplus(x, 2.0, 5.0), lambda x: _softplus(x, 2.0, 5.0)),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x))),
    "hardswish": (F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    "hardsigmoid": (F.hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    "hardshrink": (lambda x: F.hardshrink(x, 0.7), lambda x: np.where(np.abs(x) > 0.7, x, 0)),
    "softshrink": (lambda x: F.softshrink(x, 0.7),
                   lambda x: np.where(x > 0.7, x - 0.7, np.where(x < -0.7, x + 0.7, 0))),
    "tanhshrink": (F.tanhshrink, lambda x: x - np.tanh(x)),
    "logsigmoid": (F.logsigmoid, lambda x: -np.logaddexp(0, -x)),
    "threshold": (lambda x: F.threshold(x, 0.3, -7.0), lambda x: np.where(x > 0.3, x, -7.0)),
    "prelu": (lambda x: F.prelu(x, ember.tensor([0.3], dtype=x.dtype)), lambda x: np.where(x > 0, x, 0.3 * x)),
    "rrelu_eval": (lambda x: F.rrelu(x, 0.1, 0.3), lambda x: np.where(x >= 0, x, 0.2 * x)),
}

DTYPES = {"float32": (ember.float32, np.float32, 1e-5), "float64": (ember.float64, np.float64, 1e-12)}


def _layout(arr: np.ndarray, how: str) -> ember.Tensor:
    """``arr`` as an ember tensor that is contiguous, transposed, step-sliced or expanded."""
    if how == "transposed" and arr.ndim >= 2:
        return ember.from_numpy(np.ascontiguousarray(arr.swapaxes(0, -1))).transpose(0, -1)
    if how == "sliced" and arr.ndim >= 1:
        doubled = np.repeat(arr, 2, axis=-1)
        return ember.from_numpy(doubled)[..., ::2]
    if how == "expanded" and arr.ndim >= 1 and arr.shape[0] > 0:
        return ember.from_numpy(np.ascontiguousarray(arr[:1])).expand(*arr.shape)
    return ember.from_numpy(arr.copy())


@PROPERTY
@given(
    name=st.sampled_from(sorted(CASES)),
    dt=st.sampled_from(sorted(DTYPES)),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    how=st.sampled_from(["contiguous", "transposed", "sliced", "expanded"]),
    data=st.data(),
)
def test_values_match_numpy(name: str, dt: str, shape: tuple[int, ...], how: str, data: st.DataObject) -> None:
    edt, npdt, tol = DTYPES[dt]
    arr = data.draw(hnp.arrays(npdt, shape, elements=st.floats(-8, 8, width=32)))
    if how == "expanded" and arr.ndim:
        arr = np.broadcast_to(arr[:1], arr.shape).copy()
    x = _layout(arr, how)
    assert tuple(x.shape) == arr.shape
    fn, ref = CASES[name]
    out = fn(x)
    assert out.dtype == edt and tuple(out.shape) == arr.shape
    np.testing.assert_allclose(out.numpy(), ref(arr.astype(np.float64)).astype(npdt), rtol=tol * 10, atol=tol * 10)


@pytest.mark.parametrize("name", sorted(set(CASES) - {"threshold", "hardshrink"}))
def test_gradcheck(name: str) -> None:
    # Points away from every breakpoint (0, +-0.7, +-3, 6, the thresholds) so finite differences hold.
    x = ember.tensor([-4.1, -2.2, -0.45, -0.1, 0.2, 0.55, 1.3, 2.6, 4.4, 7.1], dtype=ember.float64,
                     requires_grad=True)
    assert gradcheck(CASES[name][0], (x,))


def test_gradcheck_prelu_per_channel_weight() -> None:
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.normal(size=(2, 3, 4)) + 0.05, requires_grad=True)
    w = ember.tensor([0.1, 0.25, -0.5], dtype=ember.float64, requires_grad=True)
    assert gradcheck(F.prelu, (x, w))
    out = F.prelu(x, w).detach().numpy()
    xn = x.detach().numpy()
    np.testing.assert_allclose(out, np.where(xn > 0, xn, xn * np.array([0.1, 0.25, -0.5])[:, None]))


def test_glu_values_and_gradcheck() -> None:
    rng = np.random.default_rng(1)
    arr = rng.normal(size=(3, 4, 2))
    out = F.glu(ember.tensor(arr), 1).numpy()
    np.testing.assert_allclose(out, arr[:, :2] * _sig(arr[:, 2:]))
    np.testing.assert_allclose(F.glu(ember.tensor(arr)).numpy(), arr[..., :1] * _sig(arr[..., 1:]))
    assert gradcheck(lambda t: F.glu(t, 1), (ember.tensor(arr, requires_grad=True),))


@pytest.mark.parametrize(("fn", "x", "expected"), [
    # torch's kernels: gradient 0 at relu's 0 and at both ends of hardtanh/relu6, the slope
    # (not 1) at leaky_relu's 0, hardswish's -0.5 ... 1 and hardsigmoid's open interval.
    (F.relu, [-1.0, 0.0, 1.0], [0.0, 0.0, 1.0]),
    (F.hardtanh, [-1.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
    (F.relu6, [-1.0, 0.0, 1.0, 6.0], [0.0, 0.0, 1.0, 0.0]),
    (lambda t: F.leaky_relu(t, 0.1), [0.0], [0.1]),
    (F.hardswish, [-3.0, -2.9, 0.0, 2.9, 3.0, -6.0, 6.0], [0.0, -0.4667, 0.5, 1.4667, 1.0, 0.0, 1.0]),
    (F.hardsigmoid, [-3.0, -2.9, 0.0, 2.9, 3.0], [0.0, 1 / 6, 1 / 6, 1 / 6, 0.0]),
    (F.elu, [0.0], [1.0]),
    (F.logsigmoid, [0.0], [0.5]),
    (lambda t: F.threshold(t, 0.5, 2.0), [0.5, 0.6], [0.0, 1.0]),
])
def test_breakpoint_gradients(fn: Callable[[Any], Any], x: list[float], expected: list[float]) -> None:
    t = ember.tensor(x, requires_grad=True)
    fn(t).sum().backward()
    assert t.grad is not None
    np.testing.assert_allclose(t.grad.numpy(), expected, atol=1e-4)


@pytest.mark.parametrize("fn", [F.softplus, F.logsigmoid, F.elu, F.selu, F.celu, F.silu, F.mish, F.gelu])
def test_large_inputs_are_finite_with_finite_gradients(fn: Callable[[Any], Any]) -> None:
    x = ember.tensor([-1e4, -800.0, -100.0, 100.0, 800.0, 1e4], requires_grad=True)
    out = fn(x)
    out.sum().backward()
    assert np.isfinite(out.detach().numpy()).all()
    assert x.grad is not None and np.isfinite(x.grad.numpy()).all()


def test_logsigmoid_and_softplus_large_values() -> None:
    x = ember.tensor([-1000.0, -50.0, 50.0, 1000.0], dtype=ember.float64)
    np.testing.assert_allclose(F.logsigmoid(x).numpy(), [-1000.0, -50.0, -np.exp(-50.0), 0.0], rtol=1e-12)
    np.testing.assert_allclose(F.softplus(x).numpy(), [0.0, np.log1p(np.exp(-50.0)), 50.0, 1000.0], rtol=1e-12)


@pytest.mark.parametrize(("name", "call"), [
    ("relu", lambda t: F.relu(t, inplace=True)), ("relu_", F.relu_),
    ("relu6", lambda t: F.relu6(t, inplace=True)), ("hardtanh_", lambda t: F.hardtanh_(t, -0.5, 2.0)),
    ("leaky_relu_", lambda t: F.leaky_relu_(t, 0.2)), ("elu_", lambda t: F.elu_(t, 0.7)),
    ("selu_", F.selu_), ("celu_", lambda t: F.celu_(t, 2.0)), ("silu", lambda t: F.silu(t, inplace=True)),
    ("mish", lambda t: F.mish(t, inplace=True)), ("hardswish", lambda t: F.hardswish(t, inplace=True)),
    ("hardsigmoid", lambda t: F.hardsigmoid(t, inplace=True)),
    ("threshold_", lambda t: F.threshold_(t, 0.3, -7.0)), ("rrelu_", lambda t: F.rrelu_(t, 0.1, 0.3)),
])
def test_inplace_forms_write_into_input(name: str, call: Callable[[Any], Any]) -> None:
    base = name.rstrip("_")
    key = {"relu6": "relu6", "hardtanh": "hardtanh", "rrelu": "rrelu_eval"}.get(base, base)
    arr = np.linspace(-5, 8, 12)
    x = ember.tensor(arr)
    out = call(x)
    assert out is x
    np.testing.assert_allclose(x.numpy(), CASES[key][1](arr), rtol=1e-12, atol=1e-12)


def test_inplace_through_autograd_on_non_leaf() -> None:
    a = ember.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    b = a * 2
    F.relu(b, inplace=True)
    b.sum().backward()
    assert a.grad is not None
    np.testing.assert_allclose(a.grad.numpy(), [0.0, 2.0, 2.0])


def test_rrelu_training_slopes_in_range() -> None:
    ember.manual_seed(0)
    x = -ember.ones(1000)
    out = F.rrelu(x, 0.1, 0.3, training=True).numpy()
    assert (out <= -0.1).all() and (out >= -0.3).all() and out.std() > 0.01


def test_integer_inputs() -> None:
    assert F.relu(ember.tensor([-1, 2])).tolist() == [0, 2]
    assert F.relu6(ember.tensor([1, 7])).tolist() == [1, 6]
    assert F.threshold(ember.tensor([1, 7]), 2, 0).tolist() == [0, 7]
    assert F.relu6(ember.tensor([1, 7])).dtype == ember.int64


@pytest.mark.parametrize(("call", "exc", "message"), [
    (lambda: F.leaky_relu(ember.tensor([1, 2])), NotImplementedError, "not implemented for 'Long'"),
    (lambda: F.softplus(ember.tensor([1, 2])), NotImplementedError, "not implemented for 'Long'"),
    (lambda: F.relu(ember.tensor([True])), RuntimeError, "Boolean inputs not supported for relu"),
    (lambda: F.relu([1.0]), TypeError, "must be Tensor, not list"),
    (lambda: F.hardtanh(ember.ones(2), 1.0, -1.0), ValueError, "min_val cannot be greater than max_val"),
    (lambda: F.softshrink(ember.ones(2), -0.5), RuntimeError,
     "lambda must be in range [0, 3.40282e+38] for input dtype Float, but found -0.5"),
    (lambda: F.glu(ember.ones(3, 3)), RuntimeError, "Halving dimension must be even, but dimension 1 is size 3"),
    (lambda: F.glu(ember.tensor(1.0)), RuntimeError, "glu does not support scalars because halving size must be even"),
    (lambda: F.prelu(ember.ones(2, 3), ember.ones(2)), RuntimeError,
     "Mismatch of parameter numbers and input channel size. Found parameter numbers = 2 and channel size = 3."),
    (lambda: F.prelu(ember.ones(2, 3), ember.ones(1, 3)), RuntimeError,
     "prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = 2"),
    (lambda: F.prelu(ember.ones(2, dtype=ember.float64), ember.ones(1)), RuntimeError,
     "prelu: Type promoting not supported. Got Double and Float"),
    (lambda: F.celu(ember.ones(2), 0.0), RuntimeError, "ZeroDivisionError: alpha cannot be 0 for CELU"),
    (lambda: F.gelu(ember.ones(2), approximate="foo"), RuntimeError,
     "approximate argument must be either none or tanh."),
])
def test_errors(call: Callable[[], Any], exc: type[Exception], message: str) -> None:
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


def test_inplace_on_leaf_requiring_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="leaf"):
        F.relu(ember.ones(2, requires_grad=True), inplace=True)


# -- modules ----------------------------------------------------------------------------------------

REPRS = [  # captured from torch 2.13
    (nn.ReLU(), "ReLU()"), (nn.ReLU(inplace=True), "ReLU(inplace=True)"), (nn.ReLU6(True), "ReLU6(inplace=True)"),
    (nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
    (nn.LeakyReLU(0.2, True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
    (nn.PReLU(), "PReLU(num_parameters=1)"), (nn.PReLU(3), "PReLU(num_parameters=3)"),
    (nn.ELU(), "ELU(alpha=1.0)"), (nn.ELU(inplace=True), "ELU(alpha=1.0, inplace=True)"),
    (nn.SELU(True), "SELU(inplace=True)"), (nn.CELU(2.0, True), "CELU(alpha=2.0, inplace=True)"),
    (nn.GELU(), "GELU(approximate='none')"), (nn.GELU("tanh"), "GELU(approximate='tanh')"),
    (nn.SiLU(True), "SiLU(inplace=True)"), (nn.Mish(), "Mish()"), (nn.Sigmoid(), "Sigmoid()"), (nn.Tanh(), "Tanh()"),
    (nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)"), (nn.Softplus(2, 10), "Softplus(beta=2, threshold=10)"),
    (nn.Softsign(), "Softsign()"), (nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
    (nn.Hardtanh(-2, 2, True), "Hardtanh(min_val=-2, max_val=2, inplace=True)"),
    (nn.Hardswish(True), "Hardswish()"), (nn.Hardsigmoid(), "Hardsigmoid()"),
    (nn.Hardshrink(), "Hardshrink(0.5)"), (nn.Softshrink(0.3), "Softshrink(0.3)"), (nn.Tanhshrink(), "Tanhshrink()"),
    (nn.LogSigmoid(), "LogSigmoid()"), (nn.GLU(), "GLU(dim=-1)"),
    (nn.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20)"),
    (nn.Threshold(0.1, 20, True), "Threshold(threshold=0.1, value=20, inplace=True)"),
    (nn.Softmax(), "Softmax(dim=None)"), (nn.Softmax(1), "Softmax(dim=1)"), (nn.LogSoftmax(-1), "LogSoftmax(dim=-1)"),
    (nn.Softmin(0), "Softmin(dim=0)"), (nn.Softmax2d(), "Softmax2d()"),
    (nn.RReLU(0.1, 0.3, True), "RReLU(lower=0.1, upper=0.3, inplace=True)"),
]


@pytest.mark.parametrize(("module", "text"), REPRS, ids=[t for _, t in REPRS])
def test_module_repr(module: nn.Module, text: str) -> None:
    assert repr(module) == text


MODULES = [
    (nn.ReLU(), "relu"), (nn.ReLU6(), "relu6"), (nn.Hardtanh(-0.5, 2.0), "hardtanh"), (nn.LeakyReLU(0.2), "leaky_relu"),
    (nn.ELU(0.7), "elu"), (nn.SELU(), "selu"), (nn.CELU(2.0), "celu"), (nn.GELU(), "gelu"),
    (nn.GELU("tanh"), "gelu_tanh"), (nn.SiLU(), "silu"), (nn.Mish(), "mish"), (nn.Sigmoid(), "sigmoid"),
    (nn.Tanh(), "tanh"), (nn.Softplus(2.0, 5.0), "softplus"), (nn.Softsign(), "softsign"),
    (nn.Hardswish(), "hardswish"), (nn.Hardsigmoid(), "hardsigmoid"), (nn.Hardshrink(0.7), "hardshrink"),
    (nn.Softshrink(0.7), "softshrink"), (nn.Tanhshrink(), "tanhshrink"), (nn.LogSigmoid(), "logsigmoid"),
    (nn.Threshold(0.3, -7.0), "threshold"), (nn.PReLU(init=0.3, dtype=ember.float64), "prelu"),
]


@pytest.mark.parametrize(("module", "name"), MODULES, ids=[n for _, n in MODULES])
def test_module_forward_matches_functional_reference(module: nn.Module, name: str) -> None:
    arr = np.linspace(-9, 9, 24).reshape(2, 3, 4)
    out = module(ember.tensor(arr))
    np.testing.assert_allclose(out.detach().numpy(), CASES[name][1](arr), rtol=1e-10, atol=1e-12)


def test_softmax_modules() -> None:
    arr = np.random.default_rng(2).normal(size=(2, 3, 4, 5))
    x = ember.tensor(arr)
    e = np.exp(arr - arr.max(1, keepdims=True))
    sm = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(nn.Softmax(1)(x).numpy(), sm, rtol=1e-12)
    np.testing.assert_allclose(nn.Softmax2d()(x).numpy(), sm, rtol=1e-12)
    np.testing.assert_allclose(nn.LogSoftmax(1)(x).numpy(), np.log(sm), rtol=1e-12)
    en = np.exp(-arr - (-arr).max(-1, keepdims=True))
    np.testing.assert_allclose(nn.Softmin(-1)(x).numpy(), en / en.sum(-1, keepdims=True), rtol=1e-12)
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D instead"):
        nn.Softmax2d()(ember.ones(2, 2))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.Softmax()(ember.ones(2, 2))
    assert any("Implicit dimension choice for softmax" in str(w.message) for w in caught)


def test_prelu_module_parameter_and_training() -> None:
    m = nn.PReLU(3, init=0.1, dtype=ember.float64)
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    assert m.weight.tolist() == [0.1, 0.1, 0.1] and m.weight.dtype == ember.float64
    x = ember.tensor(-np.ones((2, 3, 2)))
    m(x).sum().backward()
    assert m.weight.grad is not None
    np.testing.assert_allclose(m.weight.grad.numpy(), [-4.0, -4.0, -4.0])


def test_rrelu_module_follows_training_mode() -> None:
    m = nn.RReLU(0.1, 0.3)
    x = -ember.ones(200)
    m.eval()
    np.testing.assert_allclose(m(x).numpy(), -0.2 * np.ones(200), rtol=1e-6)
    m.train()
    assert m(x).numpy().std() > 0.01


def test_module_errors() -> None:
    with pytest.raises(AssertionError, match=r"max_val \(-1\) must be greater than min_val \(1\)"):
        nn.Hardtanh(1, -1)
    with pytest.warns(FutureWarning, match="`min_value` is deprecated"):
        assert nn.Hardtanh(min_value=-2.0).min_val == -2.0
