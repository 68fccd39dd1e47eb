"""F.ctc_loss and nn.CTCLoss: values against a brute-force enumeration of every alignment (hypothesis over
batch, lengths, classes and blank) and a few numbers captured from torch 2.13, both target layouts,
reductions, zero_infinity, unbatched input, gradients by gradcheck (float64) and torch's errors."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck

PROPERTY = settings(max_examples=25, deadline=None)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def _brute_nll(lp: np.ndarray, target: list[int], blank: int) -> float:
    """``-log`` of the summed probability of every path of ``lp`` (T, C) that collapses to ``target``."""
    steps, classes = lp.shape
    total = -math.inf
    for path in itertools.product(range(classes), repeat=steps):
        collapsed = [k for k, _ in itertools.groupby(path) if k != blank]
        if collapsed == target:
            total = np.logaddexp(total, sum(lp[t, k] for t, k in enumerate(path)))
    return -float(total)


def _brute(lp: np.ndarray, targets: np.ndarray, il: list[int], tl: list[int], blank: int) -> np.ndarray:
    return np.array([_brute_nll(lp[:il[n], n], list(targets[n, :tl[n]]), blank) for n in range(lp.shape[1])])


def _t(a: Any, grad: bool = False) -> ember.Tensor:
    return ember.tensor(np.asarray(a), requires_grad=grad)


def _close(actual: ember.Tensor, expected: Any, rtol: float = 1e-10) -> None:
    np.testing.assert_allclose(actual.detach().numpy(), np.asarray(expected), rtol=rtol, atol=1e-12)


@st.composite
def _cases(draw: Any) -> tuple[np.ndarray, np.ndarray, list[int], list[int], int]:
    steps = draw(st.integers(1, 5))
    batch = draw(st.integers(1, 3))
    classes = draw(st.integers(2, 3))
    blank = draw(st.integers(0, classes - 1))
    labels = [k for k in range(classes) if k != blank]
    il = [draw(st.integers(0, steps)) for _ in range(batch)]
    tl = [draw(st.integers(0, 3)) for _ in range(batch)]
    width = max(tl) + draw(st.integers(0, 1))
    targets = np.array([[draw(st.sampled_from(labels)) for _ in range(width)] for _ in range(batch)],
                       dtype=np.int64).reshape(batch, width)
    seed = draw(st.integers(0, 2**16))
    lp = _log_softmax(np.random.default_rng(seed).normal(size=(steps, batch, classes)) * 2)
    return lp, targets, il, tl, blank


@PROPERTY
@given(_cases())
def test_matches_brute_force_enumeration(case: tuple[np.ndarray, np.ndarray, list[int], list[int], int]) -> None:
    lp, targets, il, tl, blank = case
    expected = _brute(lp, targets, il, tl, blank)
    _close(F.ctc_loss(_t(lp), _t(targets), il, tl, blank=blank, reduction="none"), expected)
    # The concatenated layout (1-D targets) and tensor lengths give the same losses.
    flat = np.concatenate([targets[n, :tl[n]] for n in range(len(tl))]).astype(np.int64)
    _close(F.ctc_loss(_t(lp), _t(flat), _t(il), _t(tl), blank=blank, reduction="none"), expected)
    _close(F.ctc_loss(_t(lp), _t(targets), tuple(il), tuple(tl), blank=blank, reduction="sum"), expected.sum())
    _close(F.ctc_loss(_t(lp), _t(targets), il, tl, blank=blank),
           np.mean(expected / np.maximum(np.array(tl), 1)))


def test_labels_equal_to_blank_and_repeats_follow_torch_recursion() -> None:
    lp = _log_softmax(np.random.default_rng(3).normal(size=(5, 1, 3)))
    # A repeated label needs a blank between its copies: 2 labels + 1 blank fit in 3 steps, not 2.
    assert math.isinf(F.ctc_loss(_t(lp[:2]), _t([[1, 1]]), [2], [2], reduction="sum").item())
    _close(F.ctc_loss(_t(lp[:3]), _t([[1, 1]]), [3], [2], reduction="sum"), _brute(lp[:3], np.array([[1, 1]]),
                                                                                    [3], [2], 0))


def test_values_captured_from_torch() -> None:
    # Reference numbers printed by torch 2.13 (F.ctc_loss on these float64 inputs).
    lp = _t(_log_softmax(np.random.default_rng(7).normal(size=(8, 3, 5))))
    tg, il, tl = _t([[1, 2, 2, 4], [3, 3, 0, 0], [4, 1, 2, 0]]), _t([8, 6, 5]), _t([4, 2, 3])
    _close(F.ctc_loss(lp, tg, il, tl, reduction="none"), [9.949206511510383, 8.408874179560355, 5.511307462986377])
    _close(F.ctc_loss(lp, tg, il, tl), 2.8429470684399667)
    _close(F.ctc_loss(lp, tg, il, tl, reduction="sum"), 23.869388154057116)
    _close(F.ctc_loss(lp, tg, il, tl, blank=4, reduction="none"),
           [6.911829371142048, 8.156798063011141, 5.304236860517311])
    out32 = F.ctc_loss(lp.float(), tg, il, tl, reduction="none")
    assert out32.dtype == ember.float32
    _close(out32, [9.949206352233887, 8.408873558044434, 5.511307239532471], rtol=1e-5)


def test_gradient_through_log_softmax_matches_torch() -> None:
    x = _t(np.random.default_rng(7).normal(size=(8, 3, 5)), grad=True)
    tg, il, tl = _t([[1, 2, 2, 4], [3, 3, 0, 0], [4, 1, 2, 0]]), _t([8, 6, 5]), _t([4, 2, 3])
    F.ctc_loss(x.log_softmax(2), tg, il, tl).backward()
    assert x.grad is not None
    # torch 2.13's x.grad[:, 1] for the same computation (sample 1 has 6 steps: the last two get nothing).
    expected = [
        [-0.05245628956390827, 0.02764825253298927, 0.09944792789113906, -0.08863830467180005, 0.013998413811579997],
        [-0.007553754361879118, 0.035493738158347804, 0.012641700850811578, -0.09310191884926453, 0.05252023420198426],
        [-0.06355456478684114, 0.030511330887561337, 0.07632569859375679, -0.0714710712794055, 0.028188606584928513],
        [-0.04405255237638638, 0.008194918028224913, 0.02929214350673697, -0.015945889769026462, 0.022511380610450958],
        [-0.09660263656368333, 0.05734685666033303, 0.07337447827038028, -0.04466433087822316, 0.010545632511193174],
        [-0.01866854102880499, 0.027216962430440795, 0.05246308887855501, -0.09128391487508619, 0.03027240459489538],
        [0.0] * 5, [0.0] * 5,
    ]
    _close(x.grad[:, 1], expected, rtol=1e-9)


def test_gradient_is_minus_the_state_posterior() -> None:
    # d loss / d log_probs[t, c] = -(posterior mass of the alignments emitting c at t): it sums to -1 per step.
    lp = _t(_log_softmax(np.random.default_rng(1).normal(size=(6, 2, 4))), grad=True)
    F.ctc_loss(lp, _t([[1, 2, 3], [2, 2, 0]]), [6, 5], [3, 2], reduction="sum").backward()
    assert lp.grad is not None
    g = lp.grad.numpy()
    assert (g <= 1e-15).all()
    np.testing.assert_allclose(g.sum(2), [[-1.0, -1.0]] * 5 + [[-1.0, 0.0]], rtol=1e-12)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_gradcheck(reduction: str) -> None:
    x = _t(np.random.default_rng(2).normal(size=(5, 3, 4)), grad=True)
    tg = _t([[1, 2, 2], [3, 1, 0], [2, 0, 0]])

    def fn(v: ember.Tensor) -> ember.Tensor:
        return F.ctc_loss(v.log_softmax(2), tg, [5, 4, 3], [3, 2, 1], reduction=reduction)

    assert gradcheck(fn, (x,))
    # Straight on the log-probabilities too (the recursion, without the softmax's normalisation).
    assert gradcheck(lambda v: F.ctc_loss(v, tg, [5, 4, 3], [3, 2, 1], reduction=reduction), (x,))


def test_gradcheck_concatenated_targets_and_unbatched() -> None:
    x = _t(np.random.default_rng(4).normal(size=(4, 2, 3)), grad=True)
    assert gradcheck(lambda v: F.ctc_loss(v.log_softmax(2), _t([1, 2, 2]), [4, 3], [2, 1]), (x,))
    y = _t(np.random.default_rng(5).normal(size=(4, 3)), grad=True)
    assert gradcheck(lambda v: F.ctc_loss(v.log_softmax(1), _t([1, 2]), _t(4), _t(2), reduction="none"), (y,))


def test_zero_infinity() -> None:
    lp = _t(_log_softmax(np.random.default_rng(6).normal(size=(3, 2, 3))), grad=True)
    tg = _t([[1, 1, 1], [2, 1, 0]])  # sample 0 needs 5 steps for 1,_,1,_,1: infeasible in 3
    raw = F.ctc_loss(lp, tg, [3, 3], [3, 2], reduction="none")
    assert math.isinf(raw[0].item()) and math.isfinite(raw[1].item())
    out = F.ctc_loss(lp, tg, [3, 3], [3, 2], reduction="none", zero_infinity=True)
    _close(out, [0.0, raw[1].item()])
    F.ctc_loss(lp, tg, [3, 3], [3, 2], zero_infinity=True).backward()
    assert lp.grad is not None
    g = lp.grad.numpy()
    assert np.isfinite(g).all()
    assert (g[:, 0] == 0).all() and (g[:, 1] != 0).any()
    # Without zero_infinity the infeasible sample's gradient is zero as well, never nan.
    lp.grad = None
    F.ctc_loss(lp, tg, [3, 3], [3, 2], reduction="none").sum().backward()
    assert np.isfinite(lp.grad.numpy()).all()


def test_empty_inputs_and_targets() -> None:
    lp = _t(_log_softmax(np.random.default_rng(8).normal(size=(4, 3, 3))))
    out = F.ctc_loss(lp, _t([[1], [1], [2]]), [0, 0, 4], [0, 1, 0], reduction="none")
    # No steps and no labels: probability 1; no steps but a label: impossible; no labels: all blanks.
    assert out[0].item() == 0.0 and math.isinf(out[1].item())
    _close(out[2], -lp.numpy()[:, 2, 0].sum())
    _close(F.ctc_loss(lp, _t(np.zeros(0, dtype=np.int64)), [4, 2, 1], [0, 0, 0], reduction="none"),
           -np.array([lp.numpy()[:k, n, 0].sum() for n, k in enumerate([4, 2, 1])]))


def test_unbatched_input() -> None:
    lp = _log_softmax(np.random.default_rng(9).normal(size=(5, 4)))
    expected = _brute_nll(lp, [1, 3], 0)
    out = F.ctc_loss(_t(lp), _t([1, 3]), _t(5), _t(2), reduction="none")
    assert out.shape == ()
    _close(out, expected)
    _close(F.ctc_loss(_t(lp), _t([[1, 3]]), (5,), (2,)), expected / 2)
    _close(F.ctc_loss(_t(lp), _t([1, 3]), [5], [2], reduction="sum"), expected)


def test_module() -> None:
    m = nn.CTCLoss(blank=2, reduction="sum", zero_infinity=True)
    assert (m.blank, m.reduction, m.zero_infinity) == (2, "sum", True)
    assert repr(m) == "CTCLoss()" and not list(m.state_dict())
    lp = _t(_log_softmax(np.random.default_rng(10).normal(size=(4, 2, 3))))
    tg, il, tl = _t([[1, 0], [0, 0]]), _t([4, 3]), _t([2, 1])
    _close(m(lp, tg, il, tl), F.ctc_loss(lp, tg, il, tl, blank=2, reduction="sum", zero_infinity=True))
    assert nn.CTCLoss()(lp, tg, il, tl).item() == F.ctc_loss(lp, tg, il, tl).item()


_LP = _t(_log_softmax(np.random.default_rng(0).normal(size=(6, 3, 4))))
_TG, _IL, _TL = _t([[1, 2, 2], [3, 1, 0], [2, 0, 0]]), _t([6, 5, 4]), _t([3, 2, 1])
_CHECK = r" \(while checking arguments for ctc_loss_allocate_outputs\)"


@pytest.mark.parametrize(("args", "kwargs", "exc", "match"), [
    # Messages as torch 2.13 raises them (its 'got 5-dimensional' for 4-d input is reported as the real rank).
    ((_LP, _TG, _IL, _TL), {"reduction": "bad"}, ValueError, "bad is not a valid value for reduction"),
    ((_LP, _TG, _t([7, 5, 4]), _TL), {}, RuntimeError,
     "Expected input_lengths to have value at most 6, but got value 7" + _CHECK),
    ((_LP, _TG, _t([-1, 2, 1]), _TL), {}, RuntimeError,
     "Expected input_lengths to have value at least 0, but got value -1" + _CHECK),
    ((_LP, _TG, _IL, _t([-1, 2, 1])), {}, RuntimeError,
     "Expected target_lengths to have value at least 0, but got value -1" + _CHECK),
    ((_LP, _TG, _IL, _t([4, 2, 1])), {}, RuntimeError,
     "Expected tensor to have size at least 4 at dimension 1, but got size 3 for argument #2 'targets'" + _CHECK),
    ((_LP, _TG[:2], _IL, _TL), {}, RuntimeError,
     "Expected tensor to have size 3 at dimension 0, but got size 2 for argument #2 'targets'" + _CHECK),
    ((_LP, _TG.reshape(-1)[:5], _IL, _TL), {}, RuntimeError,
     "Expected tensor to have size 6 at dimension 0, but got size 5 for argument #2 'targets'" + _CHECK),
    ((_LP, _TG[None], _IL, _TL), {}, RuntimeError,
     "Expected 1 to 2 dimensions, but got 3-dimensional tensor for argument #2 'targets'" + _CHECK),
    ((_LP[None], _TG, _IL, _TL), {}, RuntimeError,
     "Expected 3-dimensional tensor, but got 4-dimensional tensor for argument #1 'log_probs'" + _CHECK),
    ((_LP, _TG, _IL[:2], _TL), {}, RuntimeError, "^input_lengths must be of size batch_size$"),
    ((_LP, _TG, _IL, _TL[:2]), {}, RuntimeError, "^target_lengths must be of size batch_size$"),
    ((_LP[0], _TG, _IL, _TL), {}, RuntimeError, "^input_lengths must be of size batch_size$"),
    ((_LP, _TG, _IL.float(), _TL), {}, RuntimeError, "^input_lengths must be integral$"),
    ((_LP, _TG, _IL, _TL.float()), {}, RuntimeError, "^target_lengths must be integral$"),
    ((_LP, _TG, _IL, _TL), {"blank": 4}, RuntimeError, "^blank must be in label range$"),
    ((_LP, _TG, _IL, _TL), {"blank": -1}, RuntimeError, "^blank must be in label range$"),
    ((_LP.long(), _TG, _IL, _TL), {}, NotImplementedError, "ctc_loss.*'Long'"),
    ((_LP.half(), _TG, _IL, _TL), {}, NotImplementedError, "ctc_loss.*'Half'"),
    ((_LP, _TG, 6, 3), {}, TypeError, "ctc_loss\\(\\): input_lengths must be a Tensor or a tuple of ints"),
    ((_LP, _TG, (6, 5, 4), 3), {}, TypeError, "target_lengths must be a Tensor or a tuple of ints, but got int"),
    # torch does not check label values (its CPU kernel reads out of bounds): Ember raises.
    ((_LP, _t([[1, 2, 4], [3, 1, 0], [2, 0, 0]]), _IL, _TL), {}, RuntimeError,
     "ctc_loss\\(\\): target label 4 is out of range for 4 classes"),
    ((_LP, _t([[1, 2, 2], [3, 1, 0], [-2, 0, 0]]), _IL, _TL), {}, RuntimeError, "target label -2 is out of range"),
])
def test_errors(args: tuple[Any, ...], kwargs: dict[str, Any], exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        F.ctc_loss(*args, **kwargs)


def test_labels_past_target_length_are_not_checked() -> None:
    # Padding after a sample's target length is never read, whatever it holds (torch's padded layout).
    out = F.ctc_loss(_LP, _t([[1, 2, 2], [3, 1, 99], [2, -5, 0]]), _IL, _TL, reduction="none")
    _close(out, F.ctc_loss(_LP, _TG, _IL, _TL, reduction="none").numpy())
