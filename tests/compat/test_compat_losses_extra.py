"""The losses added for issue 5 against live PyTorch: multi_margin_loss, multilabel_margin_loss,
triplet_margin_with_distance_loss, pairwise_distance and ctc_loss give the same float64 values and
input gradients (for a random upstream gradient), their modules print the same, and the same misuse
raises the same exception type with the same message (or, where Ember adds detail, starts with it)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ember
import ember.nn as enn
import ember.nn.functional as EF

torch = pytest.importorskip("torch")
from _compat_helpers import value_and_grad  # noqa: E402  (it imports torch)

TF = torch.nn.functional

_rng = np.random.default_rng(5)
X = _rng.normal(size=(4, 5))
X[0, 1] = X[0, 3] - 1.0  # exactly on multi_margin's hinge (margin 1, target 3)
Y = np.array([3, 4, 0, 2])
YML = np.array([[3, 0, -1, 1, 2], [1, 1, 4, -1, 0], [0, 1, 2, 3, 4], [-1, 2, 3, 4, 0]])
W = _rng.uniform(0.5, 2, size=5)
V = _rng.normal(size=(4, 5))
U = _rng.normal(size=(4, 5))
# CTC: T=7, N=4, C=5 logits; padded and concatenated targets, one infeasible sample (index 3).
LOGITS = _rng.normal(size=(7, 4, 5))
TG = np.array([[1, 2, 2], [3, 0, 0], [4, 1, 4], [2, 2, 2]])
IL, TL = np.array([7, 5, 0, 4]), np.array([3, 1, 0, 3])
FLAT = np.array([1, 2, 2, 3, 2, 2, 2])
DATA = {"X": X, "LOGITS": LOGITS}

CASES = [
    ("multi_margin", "F.multi_margin_loss(x, lib.tensor(Y))", "X"),
    ("multi_margin_p2_weight", "F.multi_margin_loss(x, lib.tensor(Y), p=2, margin=0.6, weight=lib.tensor(W))", "X"),
    ("multi_margin_none", "F.multi_margin_loss(x, lib.tensor(Y), weight=lib.tensor(W), reduction='none')", "X"),
    ("multi_margin_sum", "F.multi_margin_loss(x, lib.tensor(Y), p=2, reduction='sum')", "X"),
    ("multi_margin_unbatched", "F.multi_margin_loss(x[1], lib.tensor(2), reduction='none')", "X"),
    ("multilabel_margin", "F.multilabel_margin_loss(x, lib.tensor(YML))", "X"),
    ("multilabel_margin_none", "F.multilabel_margin_loss(x, lib.tensor(YML), reduction='none')", "X"),
    ("multilabel_margin_unbatched", "F.multilabel_margin_loss(x[1], lib.tensor(YML[1]))", "X"),
    ("pairwise_distance", "F.pairwise_distance(x, lib.tensor(V), p=1.5, keepdim=True)", "X"),
    ("triplet_distance", "F.triplet_margin_with_distance_loss(x, lib.tensor(V), lib.tensor(U), margin=2.0)", "X"),
    ("triplet_distance_swap_none",
     "F.triplet_margin_with_distance_loss(x, lib.tensor(V), lib.tensor(U), swap=True, reduction='none')", "X"),
    ("triplet_distance_l1", "F.triplet_margin_with_distance_loss(x, lib.tensor(V), lib.tensor(U), "
     "distance_function=lambda a, b: (a - b).abs().sum(-1), margin=3.0, reduction='sum')", "X"),
    ("ctc_mean", "F.ctc_loss(x.log_softmax(2), lib.tensor(TG), lib.tensor(IL), lib.tensor(TL), zero_infinity=True)",
     "LOGITS"),
    ("ctc_none", "F.ctc_loss(x.log_softmax(2), lib.tensor(TG), lib.tensor(IL), lib.tensor(TL), reduction='none', "
     "zero_infinity=True)", "LOGITS"),
    ("ctc_sum_flat_blank", "F.ctc_loss(x.log_softmax(2), lib.tensor(FLAT), tuple(IL.tolist()), tuple(TL.tolist()), "
     "blank=4, reduction='sum', zero_infinity=True)", "LOGITS"),
    ("ctc_unbatched", "F.ctc_loss(x[:, 0].log_softmax(1), lib.tensor(TG[0]), lib.tensor(7), lib.tensor(3))",
     "LOGITS"),
]


def _run(lib: Any, F: Any, src: str, arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return value_and_grad(lib, F, src, arr, {"Y": Y, "YML": YML, "W": W, "V": V, "U": U, "TG": TG, "IL": IL, "TL": TL, "FLAT": FLAT})


@pytest.mark.parametrize(("src", "data"), [(s, d) for _, s, d in CASES], ids=[c[0] for c in CASES])
def test_values_and_gradients_match_torch(src: str, data: str) -> None:
    t_out, t_grad = _run(torch, TF, src, DATA[data])
    e_out, e_grad = _run(ember, EF, src, DATA[data])
    assert e_out.shape == t_out.shape
    np.testing.assert_allclose(e_out, t_out, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(e_grad, t_grad, rtol=1e-9, atol=1e-10)


def test_ctc_values_on_raw_log_probs_and_float32() -> None:
    # Without a log_softmax torch's gradient is exp(log_probs) - posterior (not the loss's derivative), so only
    # values are compared here; ctc_loss's docstring explains the difference.
    for dtype in ("float64", "float32"):
        outs = [F.ctc_loss(lib.tensor(LOGITS, dtype=getattr(lib, dtype)), lib.tensor(TG), lib.tensor(IL),
                           lib.tensor(TL), reduction="none").numpy()
                for lib, F in ((torch, TF), (ember, EF))]
        np.testing.assert_allclose(outs[1], outs[0], rtol=1e-10 if dtype == "float64" else 1e-5)


def test_module_reprs_match_torch() -> None:
    for src in ("nn.CTCLoss(blank=3, zero_infinity=True)", "nn.MultiMarginLoss(p=2, margin=0.5)",
                "nn.MultiLabelMarginLoss(reduction='sum')", "nn.TripletMarginWithDistanceLoss(swap=True)",
                "nn.TripletMarginWithDistanceLoss(distance_function=lambda a, b: a - b)",
                "nn.PairwiseDistance(p=1.0, keepdim=True)"):
        assert repr(eval(src, {"nn": enn})) == repr(eval(src, {"nn": torch.nn})), src


ERRORS = [
    "F.multi_margin_loss(lib.ones(2, 4), lib.tensor([1, 0]), p=3)",
    "F.multi_margin_loss(lib.ones(2, 4), lib.tensor([1, 0, 1]))",
    "F.multi_margin_loss(lib.ones(1, 2, 4), lib.tensor([1]))",
    "F.multi_margin_loss(lib.ones(2, 4), lib.tensor([1, 0]), weight=lib.ones(3))",
    "F.multi_margin_loss(lib.ones(2, 4), lib.tensor([1, 0]), weight=lib.ones(2, 2))",
    "F.multi_margin_loss(lib.ones(2, 4), lib.tensor([1.0, 0.0]))",
    "F.multi_margin_loss(lib.ones(2, 4), lib.tensor([1, 0]), reduction='bad')",
    "F.multilabel_margin_loss(lib.ones(2, 4), lib.tensor([[0, 1, 2], [0, 1, 2]]))",
    "F.multilabel_margin_loss(lib.ones(2, 0), lib.zeros(2, 0, dtype=lib.int64))",
    "F.multilabel_margin_loss(lib.ones(2, 4), lib.ones(2, 4))",
    "F.triplet_margin_with_distance_loss(lib.ones(2, 3), lib.ones(2, 3), lib.ones(3))",
    "F.triplet_margin_with_distance_loss(lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3), margin=0)",
    "nn.TripletMarginWithDistanceLoss(margin=-1.0)",
    "nn.MultiMarginLoss(weight=lib.ones(2, 2))",
    "F.ctc_loss(lib.zeros(6, 3, 4), lib.ones(3, 2, dtype=lib.int64), lib.tensor([7, 5, 4]), lib.tensor([2, 2, 1]))",
    "F.ctc_loss(lib.zeros(6, 3, 4), lib.ones(3, 2, dtype=lib.int64), lib.tensor([6, 5, 4]), lib.tensor([3, 2, 1]))",
    "F.ctc_loss(lib.zeros(6, 3, 4), lib.ones(3, 2, dtype=lib.int64), lib.tensor([6, 5]), lib.tensor([2, 2, 1]))",
    "F.ctc_loss(lib.zeros(6, 3, 4), lib.ones(3, 2, dtype=lib.int64), lib.tensor([6, 5, 4]), lib.tensor([-1, 2, 1]))",
    "F.ctc_loss(lib.zeros(6, 3, 4), lib.ones(4, dtype=lib.int64), lib.tensor([6, 5, 4]), lib.tensor([2, 2, 1]))",
    "F.ctc_loss(lib.zeros(6, 3, 4), lib.ones(2, 2, dtype=lib.int64), lib.tensor([6, 5, 4]), lib.tensor([2, 2, 1]))",
    "F.ctc_loss(lib.zeros(6, 3, 4), lib.ones(1, 3, 2, dtype=lib.int64), lib.tensor([6, 5, 4]), lib.tensor([2, 2, 1]))",
    "F.ctc_loss(lib.zeros(6, 3, 4), lib.ones(3, 2, dtype=lib.int64), lib.tensor([6., 5, 4]), lib.tensor([2, 2, 1]))",
    "F.ctc_loss(lib.zeros(6, 3, 4), lib.ones(3, 2, dtype=lib.int64), lib.tensor([6, 5, 4]), lib.tensor([2, 2, 1]), "
    "blank=4)",
    "F.ctc_loss(lib.zeros(6, 3, 4), lib.ones(3, 2, dtype=lib.int64), (6, 5, 4), (2, 2, 1), reduction='x')",
]
# Ember adds the offending value to these messages (torch's text is the start).
PREFIX_ERRORS = [
    "F.multi_margin_loss(lib.ones(2, 4), lib.tensor([4, 0]))",
    "F.multilabel_margin_loss(lib.ones(2, 4), lib.tensor([[0, -1, 7, 1], [1, 2, 3, -1]]))",
]


def _raise_both(src: str) -> tuple[BaseException, BaseException]:
    caught = []
    for lib, F, nn in ((torch, TF, torch.nn), (ember, EF, enn)):
        with pytest.raises(Exception) as info:  # any type: compared with torch's below
            eval(src, {"F": F, "lib": lib, "nn": nn})
        caught.append(info.value)
    return caught[0], caught[1]


@pytest.mark.parametrize("src", ERRORS)
def test_errors_match_torch(src: str) -> None:
    t_exc, e_exc = _raise_both(src)
    assert isinstance(e_exc, type(t_exc))
    assert str(e_exc) == str(t_exc)


@pytest.mark.parametrize("src", PREFIX_ERRORS)
def test_detailed_errors_start_with_torchs(src: str) -> None:
    t_exc, e_exc = _raise_both(src)
    assert isinstance(e_exc, type(t_exc))
    assert str(e_exc).startswith(str(t_exc))


def test_adaptive_log_softmax_matches_torch() -> None:
    rng = np.random.default_rng(11)
    x_np, target = rng.normal(size=(7, 8)), np.array([0, 9, 4, 2, 7, 5, 3])
    results = []
    for lib, nn in ((torch, torch.nn), (ember, enn)):
        asm = nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[3, 6], div_value=2.0, head_bias=True).double()
        weights = np.random.default_rng(12)
        with lib.no_grad():
            for p in asm.parameters():
                p.copy_(lib.tensor(weights.normal(size=tuple(p.shape))))
        x = lib.tensor(x_np, requires_grad=True)
        out = asm(x, lib.tensor(target))
        out.loss.backward()
        results.append([out.output.detach().numpy(), x.grad.numpy(), asm.head.weight.grad.numpy(),
                        asm.log_prob(x).detach().numpy(), asm.predict(x).numpy()])
    for t_val, e_val in zip(*results, strict=True):
        np.testing.assert_allclose(e_val, t_val, rtol=1e-10, atol=1e-12)
