"""nn.AdaptiveLogSoftmaxWithLoss: output, loss, log_prob and predict against a NumPy reference built from
the module's own weights, gradients by gradcheck (float64), torch's constructor and forward errors
(messages from torch 2.13), its printed structure and parameter names."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn as nn
from ember.autograd import gradcheck


def _log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def _model(in_features: int, n_classes: int, cutoffs: list[int], div_value: float, head_bias: bool,
           seed: int) -> nn.AdaptiveLogSoftmaxWithLoss:
    asm = nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs, div_value=div_value, head_bias=head_bias,
                                        dtype=ember.float64)
    rng = np.random.default_rng(seed)
    with ember.no_grad():
        for p in asm.parameters():
            p.copy_(ember.tensor(rng.normal(size=tuple(p.shape))))
    return asm


def _reference_log_prob(asm: nn.AdaptiveLogSoftmaxWithLoss, x: np.ndarray) -> np.ndarray:
    """Full ``(N, n_classes)`` log-probabilities, one class range at a time, from the module's weights."""
    head = x @ asm.head.weight.detach().numpy().T
    if asm.head.bias is not None:
        head = head + asm.head.bias.detach().numpy()
    head_lp = _log_softmax(head)
    short = asm.cutoffs[0]
    out = np.empty((x.shape[0], asm.n_classes))
    out[:, :short] = head_lp[:, :short]
    for i, (lo, hi) in enumerate(zip(asm.cutoffs[:-1], asm.cutoffs[1:], strict=True)):
        w1, w2 = (layer.weight.detach().numpy() for layer in asm.tail[i])
        out[:, lo:hi] = _log_softmax(x @ w1.T @ w2.T) + head_lp[:, short + i:short + i + 1]
    return out


# A deep cluster can get 0 hidden features (8 // 4 ** 2): torch allows it, with init's warning.
@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
@settings(max_examples=15, deadline=None)
@given(st.integers(1, 6), st.integers(4, 12), st.data(), st.sampled_from([2.0, 4.0]), st.booleans(),
       st.integers(0, 2**16))
def test_matches_reference(batch: int, n_classes: int, data: Any, div_value: float, head_bias: bool,
                           seed: int) -> None:
    cutoffs = sorted(data.draw(st.sets(st.integers(1, n_classes - 1), min_size=1, max_size=3)))
    asm = _model(8, n_classes, cutoffs, div_value, head_bias, seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(size=(batch, 8))
    target = rng.integers(0, n_classes, batch)
    full = _reference_log_prob(asm, x)
    expected = full[np.arange(batch), target]
    out = asm(ember.tensor(x), ember.tensor(target))
    np.testing.assert_allclose(out.output.detach().numpy(), expected, rtol=1e-10)
    np.testing.assert_allclose(out.loss.item(), -expected.mean(), rtol=1e-10)
    log_prob = asm.log_prob(ember.tensor(x)).detach().numpy()
    np.testing.assert_allclose(log_prob, full, rtol=1e-10)
    np.testing.assert_allclose(np.exp(log_prob).sum(1), 1.0, rtol=1e-10)
    np.testing.assert_array_equal(asm.predict(ember.tensor(x)).numpy(), full.argmax(1))


def test_unbatched_and_output_fields() -> None:
    asm = _model(6, 9, [2, 5], 2.0, False, 0)
    x = np.random.default_rng(1).normal(size=6)
    out = asm(ember.tensor(x), ember.tensor(7))
    assert out.output.shape == () and out.loss.shape == ()
    output, loss = out
    expected = _reference_log_prob(asm, x[None])[0, 7]
    np.testing.assert_allclose([output.item(), loss.item()], [expected, -expected], rtol=1e-10)


def test_predict_mixes_shortlist_and_tail_rows() -> None:
    # Bias the head so some rows pick a shortlist class and others a cluster slot.
    asm = _model(5, 10, [3], 4.0, True, 2)
    x = np.random.default_rng(3).normal(size=(40, 5)) * 3
    head_arg = (x @ asm.head.weight.detach().numpy().T + asm.head.bias.detach().numpy()).argmax(1)
    assert (head_arg >= 3).any() and (head_arg < 3).any()
    np.testing.assert_array_equal(asm.predict(ember.tensor(x)).numpy(), _reference_log_prob(asm, x).argmax(1))


def test_gradcheck() -> None:
    asm = _model(6, 9, [2, 5], 2.0, True, 4)
    x = ember.tensor(np.random.default_rng(5).normal(size=(5, 6)), requires_grad=True)
    target = ember.tensor([0, 8, 3, 1, 5])
    assert gradcheck(lambda v: asm(v, target).output, (x,))
    assert gradcheck(lambda v: asm(v, target).loss, (x,))
    assert gradcheck(lambda v: asm.log_prob(v), (x,))
    # Parameters get gradients too (head for every row, a tail only from its cluster's rows).
    asm(x, ember.tensor([0, 1, 1, 0, 1])).loss.backward()
    assert asm.head.weight.grad is not None
    assert all(layer.weight.grad is None for projection in asm.tail for layer in projection)


def test_structure_and_repr() -> None:
    ember.manual_seed(0)
    asm = nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=(3, 6), div_value=2.0, head_bias=True)
    assert (asm.cutoffs, asm.shortlist_size, asm.n_clusters, asm.head_size) == ([3, 6, 10], 3, 2, 5)
    assert [name for name, _ in asm.named_parameters()] == [
        "head.weight", "head.bias", "tail.0.0.weight", "tail.0.1.weight", "tail.1.0.weight", "tail.1.1.weight"]
    # Printed by torch 2.13 for the same constructor call.
    assert repr(asm) == """AdaptiveLogSoftmaxWithLoss(
  (head): Linear(in_features=8, out_features=5, bias=True)
  (tail): ModuleList(
    (0): Sequential(
      (0): Linear(in_features=8, out_features=4, bias=False)
      (1): Linear(in_features=4, out_features=3, bias=False)
    )
    (1): Sequential(
      (0): Linear(in_features=8, out_features=2, bias=False)
      (1): Linear(in_features=2, out_features=4, bias=False)
    )
  )
)"""
    before = asm.tail[0][0].weight.detach().numpy().copy()
    asm.reset_parameters()
    assert not np.array_equal(before, asm.tail[0][0].weight.detach().numpy())


_CUTOFF_MSG = ("^cutoffs should be a sequence of unique, positive integers sorted in an increasing order, where each "
               "value is between 1 and n_classes-1$")


@pytest.mark.parametrize(("cutoffs", "match"), [
    ([], "^cutoffs should be a sequence of length larger than 0$"), ([5, 3], _CUTOFF_MSG), ([0, 3], _CUTOFF_MSG),
    ([3, 10], _CUTOFF_MSG), ([3, 3], _CUTOFF_MSG), ([2.5], _CUTOFF_MSG),
])
def test_constructor_errors(cutoffs: list[Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs)


def test_forward_errors() -> None:
    asm = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])
    x, t = ember.randn(6, 8), ember.tensor([0, 9, 4, 2, 7, 5])
    with pytest.raises(RuntimeError, match=r"^Target values should be in \[0, 9\], but values in range \[0, 10\] "
                                           r"were found. $"):
        asm(x, ember.tensor([0, 10, 1, 1, 1, 1]))
    with pytest.raises(RuntimeError, match=r"^Target values should be in \[0, 9\], but values in range \[-1, 1\]"):
        asm(x, ember.tensor([0, -1, 1, 1, 1, 1]))
    with pytest.raises(RuntimeError, match=r"^Input and target should have the same size in the batch dimension.$"):
        asm(x, t[:3])
    with pytest.raises(RuntimeError, match=r"^1D target tensor expects 2D input tensors, but found inputs with size "):
        asm(x[None], ember.tensor([0]))
    with pytest.raises(RuntimeError, match=r"^0D or 1D target tensor expected, multi-target not supported$"):
        asm(x, t[None])
    with pytest.raises(RuntimeError, match=r"^0D target tensor expects 1D input tensors, but found inputs with size "
                                           r"ember.Size\(\[6, 8\]\)$"):
        asm(x, t[0])
