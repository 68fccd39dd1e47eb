"""multi_margin_loss, multilabel_margin_loss, triplet_margin_with_distance_loss, pairwise_distance and
gumbel_softmax (functional and module forms): values against loop-by-loop NumPy references (hypothesis
over shapes), gradients by gradcheck (float64), reductions, torch's errors (messages from torch 2.13),
module attributes, buffers and reprs, and gumbel_softmax's distribution and straight-through gradient."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck

PROPERTY = settings(max_examples=20, deadline=None)
REDUCTIONS = ["none", "mean", "sum"]


def _t(a: Any, grad: bool = False) -> ember.Tensor:
    return ember.tensor(np.asarray(a), requires_grad=grad)


def _close(actual: ember.Tensor, expected: Any, rtol: float = 1e-10) -> None:
    a = actual.detach().numpy()
    e = np.asarray(expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=1e-12)


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    return {"none": loss, "mean": np.mean(loss), "sum": np.sum(loss)}[reduction]


# -- references (one sample, one class at a time) ------------------------------------------------

def _multi_margin_ref(x: np.ndarray, y: np.ndarray, p: int, margin: float, w: np.ndarray | None) -> np.ndarray:
    out = np.zeros(x.shape[0])
    for n in range(x.shape[0]):
        for i in range(x.shape[1]):
            if i != y[n]:
                z = margin - x[n, y[n]] + x[n, i]
                if z > 0:
                    out[n] += z**p * (1.0 if w is None else w[y[n]])
    return out / x.shape[1]


def _multilabel_ref(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.zeros(x.shape[0])
    for n in range(x.shape[0]):
        listed = []
        for k in y[n]:
            if k < 0:
                break
            listed.append(int(k))
        for j in listed:
            for i in range(x.shape[1]):
                if i not in listed:
                    out[n] += max(0.0, 1.0 - (x[n, j] - x[n, i]))
    return out / x.shape[1]


# -- multi_margin_loss ------------------------------------------------------------------------------

@PROPERTY
@given(st.integers(1, 4), st.integers(1, 5), st.sampled_from([1, 2]), st.floats(0.0, 2.0), st.booleans(),
       st.sampled_from(REDUCTIONS), st.integers(0, 2**16))
def test_multi_margin_matches_reference(n: int, c: int, p: int, margin: float, weighted: bool, reduction: str,
                                        seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(n, c)), rng.integers(0, c, n)
    w = rng.uniform(0.5, 2.0, c) if weighted else None
    out = F.multi_margin_loss(_t(x), _t(y), p=p, margin=margin, weight=None if w is None else _t(w),
                              reduction=reduction)
    _close(out, _reduce(_multi_margin_ref(x, y, p, margin, w), reduction))
    module = nn.MultiMarginLoss(p=p, margin=margin, weight=None if w is None else _t(w), reduction=reduction)
    _close(module(_t(x), _t(y)), _reduce(_multi_margin_ref(x, y, p, margin, w), reduction))


def test_multi_margin_unbatched_shapes_follow_target() -> None:
    x = np.array([0.1, 0.5, 0.2])
    expected = _multi_margin_ref(x[None], np.array([1]), 1, 1.0, None)
    assert F.multi_margin_loss(_t(x), _t(1), reduction="none").shape == ()
    _close(F.multi_margin_loss(_t(x), _t([1]), reduction="none"), expected)
    _close(F.multi_margin_loss(_t(x), _t(1)), expected[0])
    assert F.multi_margin_loss(_t(0.5), _t(0)).item() == 0.0  # one class: nothing to beat


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin_gradcheck(p: int, reduction: str) -> None:
    x = _t(np.random.default_rng(1).normal(size=(4, 5)), grad=True)
    y, w = _t([0, 4, 2, 2]), _t(np.random.default_rng(2).uniform(0.5, 2, 5))
    assert gradcheck(lambda v: F.multi_margin_loss(v, y, p=p, margin=0.7, weight=w, reduction=reduction), (x,))


def test_multi_margin_gradient_is_zero_at_the_hinge() -> None:
    # z == 0 exactly (margin 1, x[i] - x[y] == -1) counts nothing, as torch's `z > 0` kernel.
    x = _t([[1.0, 0.0, 0.5]], grad=True)
    F.multi_margin_loss(x, _t([0]), margin=1.0).backward()
    assert x.grad is not None
    _close(x.grad, [[-1 / 3, 0.0, 1 / 3]])


X4 = _t(np.random.default_rng(0).normal(size=(2, 4)))


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: F.multi_margin_loss(X4, _t([3, 0]), p=3), ValueError, "^only p == 1 and p == 2 supported$"),
    (lambda: F.multi_margin_loss(X4, _t([4, 0])), RuntimeError, "^target out of range"),
    (lambda: F.multi_margin_loss(X4, _t([-1, 0])), RuntimeError, "^target out of range.*class -1 for 4 classes"),
    (lambda: F.multi_margin_loss(X4, _t([1, 0, 1])), RuntimeError,
     r"^multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples \(batch "
     r"size\). Expected target size \[2\], but got \[3\]. Input has shape \[2, 4\].$"),
    (lambda: F.multi_margin_loss(X4, _t([[1, 0]])), RuntimeError, r"Expected target size \[2\], but got \[1, 2\]"),
    (lambda: F.multi_margin_loss(X4[None], _t([1])), RuntimeError,
     r"^Expected non-empty vector or matrix with optional 0-dim batch size, but got: \[1, 2, 4\]$"),
    (lambda: F.multi_margin_loss(ember.zeros(2, 0), _t([0, 0])), RuntimeError, r"but got: \[2, 0\]$"),
    (lambda: F.multi_margin_loss(ember.zeros(0), _t(np.zeros(0, np.int64))), RuntimeError, r"but got: \[0\]$"),
    (lambda: F.multi_margin_loss(X4, _t([1, 0]), weight=ember.ones(3, dtype=ember.float64)), RuntimeError,
     r"^inconsistent weight size, expected 4 but got \[3\]$"),
    (lambda: F.multi_margin_loss(X4, _t([1, 0]), weight=ember.ones(2, 2)), ValueError,
     "^weight must be one-dimensional$"),
    (lambda: F.multi_margin_loss(X4.float(), _t([1, 0]), weight=ember.ones(4, dtype=ember.float64)), RuntimeError,
     "^expected scalar type Float but found Double$"),
    (lambda: F.multi_margin_loss(X4, _t([1, 0]), reduction="bad"), ValueError,
     "^bad is not a valid value for reduction$"),
    (lambda: F.multi_margin_loss(X4, _t([1.0, 0.0])), RuntimeError, "^expected scalar type Long but found Double$"),
    (lambda: F.multi_margin_loss(X4.long(), _t([1, 0])), NotImplementedError, "multi_margin_loss.*'Long'"),
    (lambda: nn.MultiMarginLoss(p=3), ValueError, "^only p == 1 and p == 2 supported$"),
    (lambda: nn.MultiMarginLoss(weight=ember.ones(2, 2)), ValueError,
     "^MultiMarginLoss: expected weight to be None or 1D tensor, got 2D instead$"),
])
def test_multi_margin_errors(call: Any, exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        call()


def test_multi_margin_module_state() -> None:
    w = ember.ones(3)
    m = nn.MultiMarginLoss(p=2, margin=0.5, weight=w)
    assert (m.p, m.margin, m.reduction) == (2, 0.5, "mean")
    assert list(m.state_dict()) == ["weight"] and m.weight is w
    assert repr(m) == "MultiMarginLoss()"
    assert "weight" not in nn.MultiMarginLoss().state_dict()
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.MultiMarginLoss(size_average=False).reduction == "sum"


# -- multilabel_margin_loss -------------------------------------------------------------------------

@st.composite
def _multilabel(draw: Any) -> tuple[np.ndarray, np.ndarray]:
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    rows = []
    for _ in range(n):
        # Target indices (duplicates allowed), a -1 ending them (or none), then arbitrary entries >= -1.
        k = draw(st.integers(0, c))
        row = [draw(st.integers(0, c - 1)) for _ in range(k)]
        if k < c:
            row += [-1] + [draw(st.integers(-1, c - 1)) for _ in range(c - k - 1)]
        rows.append(row)
    x = np.random.default_rng(draw(st.integers(0, 2**16))).normal(size=(n, c))
    return x, np.array(rows, dtype=np.int64)


@PROPERTY
@given(_multilabel(), st.sampled_from(REDUCTIONS))
def test_multilabel_margin_matches_reference(case: tuple[np.ndarray, np.ndarray], reduction: str) -> None:
    x, y = case
    expected = _reduce(_multilabel_ref(x, y), reduction)
    _close(F.multilabel_margin_loss(_t(x), _t(y), reduction=reduction), expected)
    _close(nn.MultiLabelMarginLoss(reduction=reduction)(_t(x), _t(y)), expected)


def test_multilabel_margin_torch_example_and_unbatched() -> None:
    # torch's documentation example: 0.85.
    x, y = _t([[0.1, 0.2, 0.4, 0.8]]), _t([[3, 0, -1, 1]])
    _close(F.multilabel_margin_loss(x, y), 0.85)
    out = F.multilabel_margin_loss(x[0], y[0], reduction="none")
    assert out.shape == ()
    _close(out, 0.85)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_gradcheck(reduction: str) -> None:
    x = _t(np.random.default_rng(3).normal(size=(3, 4)), grad=True)
    y = _t([[3, 0, -1, 1], [1, 1, 2, 3], [-1, 0, 0, 0]])
    assert gradcheck(lambda v: F.multilabel_margin_loss(v, y, reduction=reduction), (x,))


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: F.multilabel_margin_loss(X4, _t([[4, 0, -1, 1], [1, 2, 3, -1]])), RuntimeError,
     "^argument #2 'target' is out of range"),
    (lambda: F.multilabel_margin_loss(X4, _t([[0, -1, 7, 1], [1, 2, 3, -1]])), RuntimeError,
     "argument #2 'target' is out of range.*class 7 for 4 classes"),
    (lambda: F.multilabel_margin_loss(X4, _t([[-2, 0, -1, 1], [1, 2, 3, -1]])), RuntimeError,
     "'target' is out of range.*class -2"),
    (lambda: F.multilabel_margin_loss(X4, _t([[0, 1, 2], [0, 1, 2]])), RuntimeError,
     r"^inconsistent target size: \[2, 3\] for input of size: \[2, 4\]$"),
    (lambda: F.multilabel_margin_loss(X4, _t([0, 1, 2, 3])), RuntimeError,
     r"^inconsistent target size: \[4\] for input of size: \[2, 4\]$"),
    (lambda: F.multilabel_margin_loss(X4[0], _t([[0, 1, 2, 3]] * 2)), RuntimeError,
     r"^inconsistent target size: \[2, 4\] for input of size: \[4\]$"),
    (lambda: F.multilabel_margin_loss(X4[None], _t([[[0, 1, 2, 3]] * 2])), RuntimeError,
     r"^Expected non-empty vector or matrix with optional 0-dim batch size, but got: \[1, 2, 4\]$"),
    (lambda: F.multilabel_margin_loss(X4, _t([[0.0] * 4] * 2)), RuntimeError,
     "^expected scalar type Long but found Double$"),
    (lambda: F.multilabel_margin_loss(X4, _t([[0] * 4] * 2), reduction="x"), ValueError,
     "^x is not a valid value for reduction$"),
    (lambda: F.multilabel_margin_loss(X4.long(), _t([[0] * 4] * 2)), NotImplementedError,
     "multilabel_margin_loss.*'Long'"),
])
def test_multilabel_margin_errors(call: Any, exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        call()


def test_multilabel_margin_module() -> None:
    m = nn.MultiLabelMarginLoss(reduction="sum")
    assert m.reduction == "sum" and repr(m) == "MultiLabelMarginLoss()" and not list(m.state_dict())


# -- pairwise_distance and triplet_margin_with_distance_loss ----------------------------------------

@PROPERTY
@given(st.integers(1, 4), st.integers(1, 5), st.sampled_from([1.0, 1.5, 2.0, 3.0]), st.booleans(),
       st.integers(0, 2**16))
def test_pairwise_distance_matches_reference(n: int, d: int, p: float, keepdim: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    expected = (np.abs(a - b + 1e-6) ** p).sum(-1, keepdims=keepdim) ** (1 / p)
    _close(F.pairwise_distance(_t(a), _t(b), p=p, keepdim=keepdim), expected)
    _close(nn.PairwiseDistance(p=p, keepdim=keepdim)(_t(a), _t(b)), expected)
    # Broadcasting a single vector against the batch.
    _close(F.pairwise_distance(_t(a), _t(b[0]), p=p), (np.abs(a - b[0] + 1e-6) ** p).sum(-1) ** (1 / p))


def test_pairwise_distance_gradcheck_and_module() -> None:
    a = _t(np.random.default_rng(4).normal(size=(3, 4)), grad=True)
    b = _t(np.random.default_rng(5).normal(size=(3, 4)), grad=True)
    assert gradcheck(lambda u, v: F.pairwise_distance(u, v, p=1.5), (a, b))
    m = nn.PairwiseDistance(p=1.0, eps=0.0, keepdim=True)
    assert (m.norm, m.eps, m.keepdim) == (1.0, 0.0, True) and repr(m) == "PairwiseDistance()"


def _triplet_ref(a: np.ndarray, p: np.ndarray, n: np.ndarray, dist: Any, margin: float, swap: bool) -> np.ndarray:
    d_pos, d_neg = dist(a, p), dist(a, n)
    if swap:
        d_neg = np.minimum(d_neg, dist(p, n))
    return np.maximum(margin + d_pos - d_neg, 0.0)


def _l2(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.sqrt(((u - v + 1e-6) ** 2).sum(-1))


def _cosine_distance_np(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return 1 - (u * v).sum(-1) / np.sqrt((u * u).sum(-1) * (v * v).sum(-1))


def _cosine_distance(u: ember.Tensor, v: ember.Tensor) -> ember.Tensor:
    return 1 - (u * v).sum(-1) / ((u * u).sum(-1) * (v * v).sum(-1)).sqrt()


@PROPERTY
@given(st.integers(1, 5), st.integers(1, 4), st.floats(0.1, 3.0), st.booleans(), st.booleans(),
       st.sampled_from(REDUCTIONS), st.integers(0, 2**16))
def test_triplet_with_distance_matches_reference(n: int, d: int, margin: float, swap: bool, cosine: bool,
                                                 reduction: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, p, ng = (rng.normal(size=(n, d)) for _ in range(3))
    expected = _reduce(_triplet_ref(a, p, ng, _cosine_distance_np if cosine else _l2, margin, swap), reduction)
    fn = _cosine_distance if cosine else None
    out = F.triplet_margin_with_distance_loss(_t(a), _t(p), _t(ng), distance_function=fn, margin=margin,
                                              swap=swap, reduction=reduction)
    _close(out, expected)
    module = nn.TripletMarginWithDistanceLoss(distance_function=fn, margin=margin, swap=swap, reduction=reduction)
    _close(module(_t(a), _t(p), _t(ng)), expected)
    if not cosine:  # the default distance is triplet_margin_loss's p=2 one
        _close(F.triplet_margin_loss(_t(a), _t(p), _t(ng), margin=margin, swap=swap, reduction=reduction),
               expected)


@pytest.mark.parametrize("swap", [False, True])
def test_triplet_with_distance_gradcheck(swap: bool) -> None:
    rng = np.random.default_rng(6)
    a, p, ng = (_t(rng.normal(size=(4, 3)), grad=True) for _ in range(3))
    assert gradcheck(lambda x, y, z: F.triplet_margin_with_distance_loss(x, y, z, margin=2.0, swap=swap), (a, p, ng))
    assert gradcheck(lambda x, y, z: F.triplet_margin_with_distance_loss(
        x, y, z, distance_function=_cosine_distance, margin=1.5, swap=swap, reduction="none"), (a, p, ng))


def test_triplet_with_distance_errors_and_module() -> None:
    a = ember.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"^The anchor, positive, and negative tensors are expected to have the "
                                           r"same number of dimensions, but got: anchor 2D, positive 2D, and "
                                           r"negative 1D inputs$"):
        F.triplet_margin_with_distance_loss(a, a, ember.ones(3))
    with pytest.raises(ValueError, match=r"^margin must be greater than 0, got -1$"):
        F.triplet_margin_with_distance_loss(a, a, a, margin=-1)
    with pytest.raises(ValueError, match=r"^bad is not a valid value for reduction$"):
        F.triplet_margin_with_distance_loss(a, a, a, reduction="bad")
    with pytest.raises(ValueError, match=r"^TripletMarginWithDistanceLoss: expected margin to be greater than 0, "
                                         r"got 0 instead$"):
        nn.TripletMarginWithDistanceLoss(margin=0)
    m = nn.TripletMarginWithDistanceLoss(swap=True)
    assert isinstance(m.distance_function, nn.PairwiseDistance) and (m.margin, m.swap) == (1.0, True)
    assert repr(m) == "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)"
    custom = nn.TripletMarginWithDistanceLoss(distance_function=_cosine_distance)
    assert custom.distance_function is _cosine_distance and repr(custom) == "TripletMarginWithDistanceLoss()"


# -- gumbel_softmax ---------------------------------------------------------------------------------

def test_gumbel_softmax_is_a_reproducible_softmax_sample() -> None:
    logits = _t(np.random.default_rng(7).normal(size=(3, 4)))
    ember.manual_seed(0)
    a = F.gumbel_softmax(logits, tau=0.5)
    ember.manual_seed(0)
    b = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.shape == (3, 4) and a.dtype == ember.float64
    np.testing.assert_allclose(a.numpy().sum(1), 1.0, rtol=1e-12)
    assert (a.numpy() > 0).all()
    # Along another dim.
    c = F.gumbel_softmax(logits, dim=0)
    np.testing.assert_allclose(c.numpy().sum(0), 1.0, rtol=1e-12)


def test_gumbel_max_frequencies_follow_softmax() -> None:
    # argmax(logits + Gumbel noise) is distributed as softmax(logits) (the Gumbel-max trick).
    logits = np.array([0.5, -1.0, 1.5])
    ember.manual_seed(1)
    draws = F.gumbel_softmax(_t(np.tile(logits, (20000, 1))), hard=True).numpy()
    assert set(np.unique(draws)) <= {0.0, 1.0} and (draws.sum(1) == 1).all()
    expected = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(draws.mean(0), expected, atol=0.015)


def test_gumbel_softmax_hard_is_straight_through() -> None:
    x = _t(np.random.default_rng(8).normal(size=(5, 4)), grad=True)
    upstream = _t(np.random.default_rng(9).normal(size=(5, 4)))
    ember.manual_seed(3)
    hard = F.gumbel_softmax(x, tau=0.7, hard=True)
    (hard * upstream).sum().backward()
    hard_grad = x.grad.numpy().copy()
    x.grad = None
    ember.manual_seed(3)
    soft = F.gumbel_softmax(x, tau=0.7)
    (soft * upstream).sum().backward()
    # One-hot at the soft sample's argmax, the soft sample's gradient.
    np.testing.assert_array_equal(hard.detach().numpy(), np.eye(4)[soft.detach().numpy().argmax(1)])
    np.testing.assert_allclose(hard_grad, x.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_gumbel_softmax_errors_and_warning() -> None:
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect."):
        F.gumbel_softmax(ember.zeros(2, 3), eps=1e-5)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.gumbel_softmax(ember.zeros(2, 3), dim=2)
    with pytest.raises(TypeError, match="gumbel_softmax"):
        F.gumbel_softmax([1.0, 2.0])  # type: ignore[arg-type]
