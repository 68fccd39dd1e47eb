"""F's losses and the nn loss modules: values against NumPy references for every reduction (hypothesis
over shapes where natural), gradients by gradcheck (float64), large-logit stability, torch's errors and
warnings (messages captured from torch 2.13), and the modules' attributes, buffers and reprs."""

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

PROPERTY = settings(max_examples=20, deadline=None)
REDUCTIONS = ["none", "mean", "sum"]


def _t(a: Any, grad: bool = False) -> ember.Tensor:
    return ember.tensor(np.asarray(a), requires_grad=grad)


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    return {"none": loss, "mean": np.mean(loss) if loss.size else np.float64(np.nan), "sum": np.sum(loss)}[reduction]


def _close(actual: ember.Tensor, expected: Any, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    a = actual.detach().numpy()
    e = np.asarray(expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True)


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _logsig(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0, -x)


# -- regression losses ------------------------------------------------------------------------------

def _smooth(d: np.ndarray, beta: float) -> np.ndarray:
    a = np.abs(d)
    return a if beta == 0 else np.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta)


def _huber(d: np.ndarray, delta: float) -> np.ndarray:
    a = np.abs(d)
    return np.where(a < delta, 0.5 * a * a, delta * (a - 0.5 * delta))


ELEMENTWISE: dict[str, tuple[Callable[..., Any], Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "mse": (F.mse_loss, lambda x, y: (x - y) ** 2),
    "l1": (F.l1_loss, lambda x, y: np.abs(x - y)),
    "smooth_l1": (lambda x, y, **k: F.smooth_l1_loss(x, y, beta=0.6, **k), lambda x, y: _smooth(x - y, 0.6)),
    "smooth_l1_beta0": (lambda x, y, **k: F.smooth_l1_loss(x, y, beta=0.0, **k), lambda x, y: _smooth(x - y, 0.0)),
    "huber": (lambda x, y, **k: F.huber_loss(x, y, delta=1.4, **k), lambda x, y: _huber(x - y, 1.4)),
    "soft_margin": (F.soft_margin_loss, lambda x, y: np.logaddexp(0, -x * y)),
    "kl_div_log_target": (lambda x, y, **k: F.kl_div(x, y, log_target=True, **k), lambda x, y: np.exp(y) * (y - x)),
    "poisson": (F.poisson_nll_loss, lambda x, y: np.exp(x) - y * x),
    "bce_logits": (F.binary_cross_entropy_with_logits, lambda x, y: -(y * _logsig(x) + (1 - y) * _logsig(-x))),
}


@PROPERTY
@given(
    name=st.sampled_from(sorted(ELEMENTWISE)),
    reduction=st.sampled_from(REDUCTIONS),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    seed=st.integers(0, 2**16),
    transposed=st.booleans(),
)
def test_elementwise_losses_match_numpy(name: str, reduction: str, shape: tuple[int, ...], seed: int,
                                        transposed: bool) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape) * 2
    y = rng.normal(size=shape) if name not in ("bce_logits",) else rng.uniform(size=shape)
    fn, ref = ELEMENTWISE[name]
    xt, yt = _t(x), _t(y)
    if transposed and x.ndim >= 2:
        xt = _t(np.ascontiguousarray(x.swapaxes(0, 1))).transpose(0, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warning
        out = fn(xt, yt, reduction=reduction)
    _close(out, _reduce(ref(x, y), reduction))


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_losses_gradcheck(name: str) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 4)) * 2
    y = rng.uniform(size=(3, 4)) if name == "bce_logits" else rng.normal(size=(3, 4))
    fn = ELEMENTWISE[name][0]
    assert gradcheck(lambda a, b: fn(a, b, reduction="sum"), (_t(x, True), _t(y, True)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss])
def test_weighted_mse_l1(fn: Callable[..., Any], reduction: str) -> None:
    rng = np.random.default_rng(4)
    x, y, w = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.uniform(0.5, 2, size=(3, 4))
    loss = ((x - y) ** 2 if fn is F.mse_loss else np.abs(x - y)) * w
    expected = loss.sum() / w.sum() if reduction == "mean" else _reduce(loss, reduction)
    _close(fn(_t(x), _t(y), reduction=reduction, weight=_t(w)), expected)
    with pytest.raises(ValueError, match=r"Weights and input must have the same size\."):
        fn(_t(x), _t(y), weight=_t(w[0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_huber_means_over_elements(reduction: str) -> None:
    rng = np.random.default_rng(5)
    x, y, w = rng.normal(size=(5,)) * 3, rng.normal(size=(5,)), rng.uniform(0.5, 2, size=(5,))
    _close(F.huber_loss(_t(x), _t(y), reduction, 0.8, _t(w)), _reduce(_huber(x - y, 0.8) * w, reduction))


def test_target_size_warning_and_broadcast() -> None:
    with pytest.warns(UserWarning, match=r"Using a target size \(ember.Size\(\[3, 1\]\)\) that is different to the "
                                         r"input size \(ember.Size\(\[3\]\)\)"):
        out = F.l1_loss(ember.zeros(3), ember.ones(3, 1))
    assert tuple(out.shape) == () and out.item() == 1.0


def test_legacy_size_average_and_reduce() -> None:
    x, y = _t([1.0, 3.0]), _t([0.0, 0.0])
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, please use "
                                         "reduction='sum' instead."):
        assert F.mse_loss(x, y, size_average=False).item() == 10.0
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert F.mse_loss(x, y, reduce=False).tolist() == [1.0, 9.0]
    with pytest.warns(UserWarning):
        assert nn.MSELoss(size_average=True).reduction == "mean"


# -- classification ---------------------------------------------------------------------------------

def _ce_ref(x: np.ndarray, y: np.ndarray, w: np.ndarray | None, ignore: int, reduction: str,
            smoothing: float = 0.0, log_probs: bool = False) -> np.ndarray:
    """torch's cross_entropy/nll_loss for (N, C, *) logits and class indices, written on NumPy."""
    logp = x if log_probs else _log_softmax(x, 1)
    c = x.shape[1]
    lp = np.moveaxis(logp, 1, -1).reshape(-1, c)
    t = y.reshape(-1)
    keep = t != ignore
    safe = np.where(keep, t, 0)
    wc = np.ones(c) if w is None else w
    wt = wc[safe] * keep
    nll = -lp[np.arange(len(t)), safe] * wt
    smooth = -(lp * wc).sum(-1) * keep
    if reduction == "none":
        out = (1 - smoothing) * nll + smoothing / c * smooth
        return out.reshape(y.shape)
    if reduction == "sum":
        return (1 - smoothing) * nll.sum() + smoothing / c * smooth.sum()
    with np.errstate(invalid="ignore"):  # every target ignored: 0 / 0 is torch's nan too
        return (1 - smoothing) * nll.sum() / wt.sum() + smoothing / c * smooth.sum() / wt.sum()


@PROPERTY
@given(
    reduction=st.sampled_from(REDUCTIONS),
    spatial=st.lists(st.integers(1, 3), min_size=0, max_size=2),
    n=st.integers(1, 4), c=st.integers(1, 5),
    weighted=st.booleans(), ignore=st.booleans(),
    smoothing=st.sampled_from([0.0, 0.25]),
    seed=st.integers(0, 2**16),
)
def test_cross_entropy_indices_matches_numpy(reduction: str, spatial: list[int], n: int, c: int, weighted: bool,
                                             ignore: bool, smoothing: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c, *spatial)) * 3
    y = rng.integers(0, c, size=(n, *spatial))
    if ignore:
        y.reshape(-1)[0] = -100
    w = rng.uniform(0.5, 2, size=c) if weighted else None
    out = F.cross_entropy(_t(x), _t(y), None if w is None else _t(w), reduction=reduction,
                          label_smoothing=smoothing)
    _close(out, _ce_ref(x, y, w, -100, reduction, smoothing), rtol=1e-9)
    nll = F.nll_loss(_t(x), _t(y), None if w is None else _t(w), reduction=reduction)
    _close(nll, _ce_ref(x, y, w, -100, reduction, log_probs=True), rtol=1e-9)


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_gradcheck(reduction: str, smoothing: float) -> None:
    rng = np.random.default_rng(7)
    x = _t(rng.normal(size=(4, 3, 2)), True)
    y = _t(np.array([[0, 2], [1, -100], [2, 2], [0, 1]]))
    w = _t(rng.uniform(0.5, 2, size=3))
    assert gradcheck(lambda a: F.cross_entropy(a, y, w, reduction=reduction, label_smoothing=smoothing), (x,))
    probs = _t(rng.dirichlet(np.ones(3), size=(4, 2)).transpose(0, 2, 1))
    assert gradcheck(lambda a: F.cross_entropy(a, probs, w, reduction=reduction, label_smoothing=smoothing), (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probabilities(reduction: str) -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(size=(3, 4, 2))
    p = rng.dirichlet(np.ones(4), size=(3, 2)).transpose(0, 2, 1)
    w = rng.uniform(0.5, 2, size=4)
    for smoothing in (0.0, 0.2):
        q = p * (1 - smoothing) + smoothing / 4
        loss = -(_log_softmax(x, 1) * q * w[:, None]).sum(1)
        expected = loss.sum() / 6 if reduction == "mean" else _reduce(loss, reduction)
        _close(F.cross_entropy(_t(x), _t(p), _t(w), reduction=reduction, label_smoothing=smoothing), expected)


def test_cross_entropy_unbatched_and_empty() -> None:
    x = np.array([1.0, 2.0, 0.5])
    expected = -_log_softmax(x, 0)[1]
    _close(F.cross_entropy(_t(x), _t(1)), expected)
    _close(F.cross_entropy(_t(x), _t([1]), reduction="none"), expected)
    assert math.isnan(F.cross_entropy(ember.zeros(0, 3), ember.zeros(0, dtype=ember.int64)).item())
    all_ignored = F.cross_entropy(ember.zeros(2, 3), ember.tensor([-100, -100]))
    assert math.isnan(all_ignored.item())
    assert F.cross_entropy(ember.zeros(2, 3), ember.tensor([-100, -100]), reduction="sum").item() == 0.0


def test_cross_entropy_large_logits_are_stable() -> None:
    x = _t([[1000.0, 0.0, -1000.0], [-5000.0, 5000.0, 0.0]], True)
    y = _t([2, 1])
    loss = F.cross_entropy(x, y, reduction="none")
    _close(loss, [2000.0, 0.0])
    loss.sum().backward()
    assert x.grad is not None
    _close(x.grad, [[1.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    x32 = ember.tensor([[1e4, -1e4]], dtype=ember.float32)
    assert F.cross_entropy(x32, ember.tensor([1])).item() == 2e4


def test_cross_entropy_uint8_target() -> None:
    x = np.random.default_rng(9).normal(size=(3, 4))
    _close(F.cross_entropy(_t(x), ember.tensor([0, 3, 1], dtype=ember.uint8)),
           _ce_ref(x, np.array([0, 3, 1]), None, -100, "mean"))


@pytest.mark.parametrize(("call", "exc", "message"), [
    (lambda: F.cross_entropy(ember.ones(3, 4), ember.tensor([0, 1, 3]), reduction="foo"), ValueError,
     "foo is not a valid value for reduction"),
    (lambda: F.cross_entropy(ember.ones(3, 4), ember.tensor([0, 1, 4])), IndexError, "Target 4 is out of bounds."),
    (lambda: F.cross_entropy(ember.ones(3, 4), ember.tensor([0, 1, -1])), IndexError, "Target -1 is out of bounds."),
    (lambda: F.cross_entropy(ember.ones(3, 4), ember.tensor([0, 1])), ValueError,
     "Expected input batch_size (3) to match target batch_size (2)."),
    (lambda: F.cross_entropy(ember.ones(3, 4), ember.tensor([0.0, 1.0, 2.0])), RuntimeError,
     "expected target dtype to be Long or Byte, but got Float"),
    (lambda: F.cross_entropy(ember.ones(3, 4), ember.ones(3, 5)), RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    (lambda: F.cross_entropy(ember.ones(3, 4), ember.tensor([0, 1, 3]), weight=ember.ones(3)), RuntimeError,
     "weight tensor should be defined either for all 4 classes or no classes but got weight tensor of shape: [3]"),
    (lambda: F.cross_entropy(ember.ones(3, 4), ember.tensor([0, 1, 3]), label_smoothing=1.5), RuntimeError,
     "label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
    (lambda: F.cross_entropy(ember.ones(2, 3, 4), ember.zeros(2, 5, dtype=ember.int64)), RuntimeError,
     "Expected target size [2, 4], got [2, 5]"),
    (lambda: F.cross_entropy(ember.ones(4), ember.tensor([2, 1])), ValueError,
     "For 1D input, 1D target must have size 1, but got target size: 2"),
    (lambda: F.cross_entropy(ember.ones(3, 4), ember.ones(3, 4, dtype=ember.int64)), RuntimeError,
     "Expected floating point type for target with class probabilities, got Long"),
    (lambda: F.cross_entropy(ember.ones(3, 4), ember.ones(3, 4), ignore_index=1), RuntimeError,
     "ignore_index is not supported for floating point target"),
    (lambda: F.cross_entropy(ember.ones(3, 4, dtype=ember.int32), ember.tensor([0, 1, 3])), NotImplementedError,
     "not implemented for 'Int'"),
    (lambda: F.nll_loss(ember.ones(3, 4), ember.tensor([0, 1, 3], dtype=ember.int32)), RuntimeError,
     "expected target dtype to be Long or Byte, but got Int"),
    (lambda: F.nll_loss(ember.ones(2, 3, 4, 5), ember.zeros(2, 4, 4, dtype=ember.int64)), RuntimeError,
     "size mismatch (got input: [2, 3, 4, 5] , target: [2, 4, 4]"),
    (lambda: F.nll_loss(ember.ones(2, 3, 4, 5), ember.zeros(2, 4, dtype=ember.int64)), RuntimeError,
     "only batches of spatial targets supported (3D tensors) but got targets of dimension: 2"),
    (lambda: F.nll_loss(ember.tensor(1.0), ember.tensor(0)), ValueError, "Expected 1 or more dimensions (got 0)"),
    (lambda: F.nll_loss([1.0], ember.tensor(0)), TypeError, "must be Tensor, not list"),
])
def test_classification_errors(call: Callable[[], Any], exc: type[Exception], message: str) -> None:
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


# -- binary -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction: str) -> None:
    rng = np.random.default_rng(10)
    p, t, w = rng.uniform(0.01, 0.99, size=(3, 4)), rng.uniform(size=(3, 4)), rng.uniform(0.5, 2, size=4)
    loss = -w * (t * np.log(p) + (1 - t) * np.log(1 - p))
    _close(F.binary_cross_entropy(_t(p), _t(t), _t(w), reduction=reduction), _reduce(loss, reduction))
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, _t(w), reduction=reduction),
                     (_t(p, True), _t(t, True)))


def test_binary_cross_entropy_clamps_log_at_minus_100() -> None:
    p = _t([0.0, 1.0, 0.0, 1.0], True)
    loss = F.binary_cross_entropy(p, _t([1.0, 0.0, 0.0, 1.0]), reduction="none")
    _close(loss, [100.0, 100.0, 0.0, 0.0])
    loss.sum().backward()
    assert p.grad is not None and np.isfinite(p.grad.numpy()).all()


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_weights(reduction: str) -> None:
    rng = np.random.default_rng(11)
    x, t = rng.normal(size=(3, 4)) * 4, rng.uniform(size=(3, 4))
    w, pw = rng.uniform(0.5, 2, size=(3, 1)), rng.uniform(0.5, 3, size=4)
    loss = -w * (pw * t * _logsig(x) + (1 - t) * _logsig(-x))
    out = F.binary_cross_entropy_with_logits(_t(x), _t(t), _t(w), reduction=reduction, pos_weight=_t(pw))
    _close(out, _reduce(loss, reduction))
    assert gradcheck(lambda a, b, c: F.binary_cross_entropy_with_logits(a, b, reduction=reduction, pos_weight=c),
                     (_t(x, True), _t(t, True), _t(pw, True)))


def test_bce_with_logits_large_logits() -> None:
    x = _t([1000.0, -1000.0, 50.0, -50.0], True)
    loss = F.binary_cross_entropy_with_logits(x, _t([0.0, 1.0, 1.0, 0.0]), reduction="none")
    _close(loss, [1000.0, 1000.0, np.log1p(np.exp(-50.0)), np.log1p(np.exp(-50.0))], rtol=1e-12)
    loss.sum().backward()
    assert x.grad is not None
    _close(x.grad, [1.0, -1.0, -1.0 / (1 + np.exp(50.0)), 1.0 / (1 + np.exp(50.0))], rtol=1e-9)


@pytest.mark.parametrize(("call", "exc", "message"), [
    (lambda: F.binary_cross_entropy(ember.rand(3), ember.rand(2)), ValueError,
     "Using a target size (ember.Size([2])) that is different to the input size (ember.Size([3])) is deprecated. "
     "Please ensure they have the same size."),
    (lambda: F.binary_cross_entropy(ember.tensor([1.5]), ember.rand(1)), RuntimeError,
     "all elements of input should be between 0 and 1"),
    (lambda: F.binary_cross_entropy_with_logits(ember.rand(3), ember.rand(2)), ValueError,
     "Target size (ember.Size([2])) must be the same as input size (ember.Size([3]))"),
])
def test_binary_errors(call: Callable[[], Any], exc: type[Exception], message: str) -> None:
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


# -- distributions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "batchmean"])
def test_kl_div(reduction: str) -> None:
    rng = np.random.default_rng(12)
    x = _log_softmax(rng.normal(size=(3, 4)), 1)
    t = rng.dirichlet(np.ones(4), size=3)
    t[0, 0] = 0.0
    loss = np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), 0.0) - t * x
    expected = loss.sum() / 3 if reduction == "batchmean" else _reduce(loss, reduction)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = F.kl_div(_t(x), _t(t), reduction=reduction)
    assert any("'batchmean' divides only by the batch size" in str(w.message) for w in caught) == (reduction == "mean")
    _close(out, expected)
    assert gradcheck(lambda a: F.kl_div(a, _t(t), reduction="sum"), (_t(x, True),))
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.kl_div(_t(x), _t(t), reduction="foo")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_poisson_nll_loss(reduction: str) -> None:
    rng = np.random.default_rng(13)
    x, t = rng.uniform(0.1, 3, size=(6,)), np.array([0.0, 0.5, 1.0, 2.0, 5.0, 9.0])
    stirling = np.where(t > 1, t * np.log(np.where(t > 1, t, 1)) - t + 0.5 * np.log(2 * np.pi * np.maximum(t, 1)), 0)
    _close(F.poisson_nll_loss(_t(x), _t(t), full=True, reduction=reduction),
           _reduce(np.exp(x) - t * x + stirling, reduction))
    _close(F.poisson_nll_loss(_t(x), _t(t), log_input=False, eps=1e-3, reduction=reduction),
           _reduce(x - t * np.log(x + 1e-3), reduction))
    assert gradcheck(lambda a: F.poisson_nll_loss(a, _t(t), log_input=False, reduction=reduction), (_t(x, True),))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_loss(reduction: str) -> None:
    rng = np.random.default_rng(14)
    x, t = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    var = rng.uniform(0.5, 2, size=(3, 4))
    var[0, 0] = 1e-9  # clamped at eps
    v = np.maximum(var, 1e-6)
    loss = 0.5 * (np.log(v) + (x - t) ** 2 / v) + 0.5 * np.log(2 * np.pi)
    _close(F.gaussian_nll_loss(_t(x), _t(t), _t(var), full=True, reduction=reduction), _reduce(loss, reduction))
    # one variance per sample (one dim short), and a float
    v1 = rng.uniform(0.5, 2, size=3)
    loss1 = 0.5 * (np.log(v1[:, None]) + (x - t) ** 2 / v1[:, None])
    _close(F.gaussian_nll_loss(_t(x), _t(t), _t(v1), reduction=reduction), _reduce(loss1, reduction))
    _close(F.gaussian_nll_loss(_t(x), _t(t), 2.0, reduction=reduction),
           _reduce(0.5 * (np.log(2.0) + (x - t) ** 2 / 2.0), reduction))
    assert gradcheck(lambda a, b: F.gaussian_nll_loss(a, _t(t), b, reduction=reduction),
                     (_t(x, True), _t(v1, True)))
    with pytest.raises(ValueError, match="var has negative entry/entries"):
        F.gaussian_nll_loss(_t(x), _t(t), -1.0)
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(_t(x), _t(t), _t(np.ones(4)))


# -- margins and embeddings -------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_loss(reduction: str) -> None:
    rng = np.random.default_rng(15)
    a, b, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), np.array([1, -1, 1, -1, -1])
    cos = (a * b).sum(1) / np.sqrt(((a * a).sum(1) + 1e-12) * ((b * b).sum(1) + 1e-12))
    loss = np.where(y == 1, 1 - cos, np.maximum(cos - 0.1, 0))
    _close(F.cosine_embedding_loss(_t(a), _t(b), _t(y), 0.1, reduction=reduction), _reduce(loss, reduction))
    assert gradcheck(lambda p, q: F.cosine_embedding_loss(p, q, _t(y), 0.1, reduction=reduction),
                     (_t(a, True), _t(b, True)))
    with pytest.raises(RuntimeError, match=r"1D target tensor expects 2D input tensors, but found inputs with sizes "
                                           r"\[5, 3, 1\] and \[5, 3, 1\]."):
        F.cosine_embedding_loss(_t(a[..., None]), _t(b[..., None]), _t(y))
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected, multi-target not supported"):
        F.cosine_embedding_loss(_t(a), _t(b), _t(y[:, None]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_hinge_soft_margin(reduction: str) -> None:
    rng = np.random.default_rng(16)
    a, b, y = rng.normal(size=6), rng.normal(size=6), np.array([1.0, -1, 1, -1, 1, -1])
    _close(F.margin_ranking_loss(_t(a), _t(b), _t(y), 0.3, reduction=reduction),
           _reduce(np.maximum(-y * (a - b) + 0.3, 0), reduction))
    _close(F.hinge_embedding_loss(_t(a), _t(y), 0.5, reduction=reduction),
           _reduce(np.where(y == 1, a, np.maximum(0.5 - a, 0)), reduction))
    assert gradcheck(lambda p, q: F.margin_ranking_loss(p, q, _t(y), 0.3, reduction=reduction),
                     (_t(a, True), _t(b, True)))
    with pytest.raises(RuntimeError, match="All input tensors should have same dimension"):
        F.margin_ranking_loss(_t(a), _t(b[:, None]), _t(y))


@pytest.mark.parametrize(("p", "swap"), [(2.0, False), (1.0, True), (3.0, False)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_triplet_margin_loss(reduction: str, p: float, swap: bool) -> None:
    rng = np.random.default_rng(17)
    a, pos, neg = (rng.normal(size=(4, 3)) for _ in range(3))

    def dist(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return (np.abs(u - v + 1e-6) ** p).sum(-1) ** (1 / p)

    dneg = np.minimum(dist(a, neg), dist(pos, neg)) if swap else dist(a, neg)
    loss = np.maximum(dist(a, pos) - dneg + 2.0, 0)
    _close(F.triplet_margin_loss(_t(a), _t(pos), _t(neg), 2.0, p, swap=swap, reduction=reduction),
           _reduce(loss, reduction))
    assert gradcheck(lambda *xs: F.triplet_margin_loss(*xs, 2.0, p, swap=swap, reduction=reduction),
                     (_t(a, True), _t(pos, True), _t(neg, True)))


def test_triplet_errors() -> None:
    with pytest.raises(ValueError, match="margin must be greater than 0, got 0"):
        F.triplet_margin_loss(ember.ones(2, 3), ember.ones(2, 3), ember.ones(2, 3), margin=0)
    with pytest.raises(RuntimeError, match="anchor 2D, positive 2D, and negative 3D inputs"):
        F.triplet_margin_loss(ember.ones(2, 3), ember.ones(2, 3), ember.ones(2, 3, 1))
    with pytest.raises(ValueError, match="TripletMarginLoss: expected margin to be greater than 0, got 0 instead"):
        nn.TripletMarginLoss(margin=0)


def test_multilabel_soft_margin_loss() -> None:
    rng = np.random.default_rng(18)
    x, t, w = rng.normal(size=(3, 4)), rng.integers(0, 2, size=(3, 4)).astype(float), rng.uniform(size=4)
    loss = (-(t * _logsig(x) + (1 - t) * _logsig(-x)) * w).mean(-1)
    for reduction in REDUCTIONS:
        _close(F.multilabel_soft_margin_loss(_t(x), _t(t), _t(w), reduction=reduction), _reduce(loss, reduction))


def test_regression_errors() -> None:
    with pytest.raises(RuntimeError, match=r"smooth_l1_loss does not support negative values for beta\."):
        F.smooth_l1_loss(ember.ones(2), ember.ones(2), beta=-1.0)
    with pytest.raises(RuntimeError, match=r"huber_loss does not support non-positive values for delta\."):
        F.huber_loss(ember.ones(2), ember.ones(2), delta=0.0)
    with pytest.raises(ValueError, match="bar is not a valid value for reduction"):
        F.l1_loss(ember.ones(2), ember.ones(2), reduction="bar")


# -- modules ----------------------------------------------------------------------------------------

def test_loss_modules_reprs_attributes_and_buffers() -> None:
    for cls in (nn.L1Loss, nn.MSELoss, nn.SmoothL1Loss, nn.HuberLoss, nn.CrossEntropyLoss, nn.NLLLoss, nn.BCELoss,
                nn.BCEWithLogitsLoss, nn.KLDivLoss, nn.CosineEmbeddingLoss, nn.MarginRankingLoss,
                nn.TripletMarginLoss, nn.HingeEmbeddingLoss, nn.SoftMarginLoss, nn.PoissonNLLLoss,
                nn.GaussianNLLLoss, nn.MultiLabelSoftMarginLoss):
        m = cls()
        assert repr(m) == f"{cls.__name__}()"
        assert m.reduction == "mean" and m.state_dict() == {}
    ce = nn.CrossEntropyLoss(weight=ember.ones(3), ignore_index=2, label_smoothing=0.1, reduction="sum")
    assert (ce.ignore_index, ce.label_smoothing, ce.reduction) == (2, 0.1, "sum")
    assert list(ce.state_dict()) == ["weight"] and [n for n, _ in ce.named_buffers()] == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=ember.ones(3)).state_dict()) == ["pos_weight"]
    assert ce.double().weight.dtype == ember.float64
    assert (nn.SmoothL1Loss(beta=0.5).beta, nn.HuberLoss(delta=2.0).delta, nn.KLDivLoss(log_target=True).log_target) \
        == (0.5, 2.0, True)
    tm = nn.TripletMarginLoss(margin=2.0, p=1.0, swap=True)
    assert (tm.margin, tm.p, tm.eps, tm.swap) == (2.0, 1.0, 1e-6, True)


def test_loss_modules_forward_match_functional() -> None:
    rng = np.random.default_rng(19)
    x, y = _t(rng.normal(size=(4, 3))), _t(rng.normal(size=(4, 3)))
    p, t = _t(rng.uniform(0.1, 0.9, size=(4, 3))), _t(rng.uniform(size=(4, 3)))
    idx, w, s = _t([0, 2, 1, -100]), _t(rng.uniform(0.5, 2, size=3)), _t([1.0, -1.0, 1.0, -1.0])
    pairs: list[tuple[nn.Module, tuple[Any, ...], ember.Tensor]] = [
        (nn.L1Loss(reduction="sum"), (x, y), F.l1_loss(x, y, reduction="sum")),
        (nn.MSELoss(), (x, y), F.mse_loss(x, y)),
        (nn.SmoothL1Loss(beta=0.3), (x, y), F.smooth_l1_loss(x, y, beta=0.3)),
        (nn.HuberLoss(delta=0.4), (x, y), F.huber_loss(x, y, delta=0.4)),
        (nn.CrossEntropyLoss(w, label_smoothing=0.2), (x, idx), F.cross_entropy(x, idx, w, label_smoothing=0.2)),
        (nn.NLLLoss(w, reduction="none"), (x, idx), F.nll_loss(x, idx, w, reduction="none")),
        (nn.BCELoss(w), (p, t), F.binary_cross_entropy(p, t, w)),
        (nn.BCEWithLogitsLoss(pos_weight=w), (x, t), F.binary_cross_entropy_with_logits(x, t, pos_weight=w)),
        (nn.KLDivLoss(reduction="batchmean", log_target=True), (x, y),
         F.kl_div(x, y, reduction="batchmean", log_target=True)),
        (nn.CosineEmbeddingLoss(0.2), (x, y, s), F.cosine_embedding_loss(x, y, s, 0.2)),
        (nn.MarginRankingLoss(0.1), (x[:, 0], y[:, 0], s), F.margin_ranking_loss(x[:, 0], y[:, 0], s, 0.1)),
        (nn.HingeEmbeddingLoss(), (x[:, 0], s), F.hinge_embedding_loss(x[:, 0], s)),
        (nn.SoftMarginLoss(), (x[:, 0], s), F.soft_margin_loss(x[:, 0], s)),
        (nn.TripletMarginLoss(), (x, y, p), F.triplet_margin_loss(x, y, p)),
        (nn.PoissonNLLLoss(full=True), (x, t), F.poisson_nll_loss(x, t, full=True)),
        (nn.GaussianNLLLoss(full=True), (x, y, p), F.gaussian_nll_loss(x, y, p, full=True)),
        (nn.MultiLabelSoftMarginLoss(w), (x, t), F.multilabel_soft_margin_loss(x, t, w)),
    ]
    for module, args, expected in pairs:
        _close(module(*args), expected.numpy())


def test_mse_loss_module_trains_a_parameter() -> None:
    w = nn.Parameter(ember.zeros(3))
    loss = nn.MSELoss()(w * 2.0, ember.tensor([2.0, 4.0, 6.0]))
    loss.backward()
    assert w.grad is not None
    _close(w.grad, [-8.0 / 3, -16.0 / 3, -8.0], rtol=1e-6)
