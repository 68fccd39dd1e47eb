"""ember.nn.functional's activations, losses and composed ops against live PyTorch: the same
float64 inputs give the same values and input gradients (for a random upstream gradient), and
the same misuse raises the same exception type with the same message."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ember
import ember.nn.functional as EF

torch = pytest.importorskip("torch")
from _compat_helpers import value_and_grad  # noqa: E402  (it imports torch)

TF = torch.nn.functional

_rng = np.random.default_rng(0)
X = _rng.normal(size=(4, 5)) * 3
X[0, :3] = [0.0, -3.0, 3.0]  # breakpoints of relu/hardtanh/hardswish ...
P = _rng.uniform(0.01, 0.99, size=(4, 5))
T = _rng.uniform(0, 1, size=(4, 5))
Y = np.array([0, 4, -100, 2])
YK = _rng.integers(0, 5, size=(2, 3, 2))
YK[0, 0, 0] = -100
XK = _rng.normal(size=(2, 5, 3, 2))
W = _rng.uniform(0.5, 2, size=5)
S = np.sign(_rng.normal(size=4))
V = _rng.normal(size=(4, 5))
DATA = {"X": X, "P": P, "XK": XK}

ACTIVATIONS = ["relu", "relu6", "hardtanh", "elu", "selu", "celu", "leaky_relu", "gelu", "silu", "mish", "softplus",
               "logsigmoid", "hardsigmoid", "hardswish", "hardshrink", "softshrink", "tanhshrink", "softsign",
               "sigmoid", "tanh"]
# (id, expression over F, lib and x, input array)
CASES = [(a, f"F.{a}(x)", "X") for a in ACTIVATIONS] + [
    ("gelu_tanh", "F.gelu(x, approximate='tanh')", "X"),
    ("softplus_beta", "F.softplus(x, beta=2, threshold=3)", "X"),
    ("elu_alpha", "F.elu(x, 0.5)", "X"), ("celu_alpha", "F.celu(x, 2.0)", "X"),
    ("threshold", "F.threshold(x, 0.5, -2.0)", "X"), ("glu", "F.glu(x, 0)", "X"),
    ("prelu", "F.prelu(x, lib.tensor(W))", "X"), ("prelu_shared", "F.prelu(x, lib.tensor([0.3], dtype=lib.float64))", "X"),
    ("logsigmoid_large", "F.logsigmoid(x * 100)", "X"), ("softplus_large", "F.softplus(x * 100)", "X"),
    ("mse", "F.mse_loss(x, lib.tensor(V))", "X"), ("mse_none", "F.mse_loss(x, lib.tensor(V), reduction='none')", "X"),
    ("mse_weight", "F.mse_loss(x, lib.tensor(V), weight=lib.tensor(T))", "X"),
    ("l1_sum", "F.l1_loss(x, lib.tensor(V), reduction='sum')", "X"),
    ("smooth_l1", "F.smooth_l1_loss(x, lib.tensor(V), beta=0.7)", "X"),
    ("huber", "F.huber_loss(x, lib.tensor(V), delta=1.3)", "X"),
    ("huber_weight", "F.huber_loss(x, lib.tensor(V), delta=1.3, weight=lib.tensor(T))", "X"),
    ("ce", "F.cross_entropy(x, lib.tensor(Y))", "X"),
    ("ce_weight", "F.cross_entropy(x, lib.tensor(Y), weight=lib.tensor(W))", "X"),
    ("ce_smooth", "F.cross_entropy(x, lib.tensor(Y), label_smoothing=0.2)", "X"),
    ("ce_smooth_weight", "F.cross_entropy(x, lib.tensor(Y), weight=lib.tensor(W), label_smoothing=0.2)", "X"),
    ("ce_smooth_weight_sum",
     "F.cross_entropy(x, lib.tensor(Y), weight=lib.tensor(W), label_smoothing=0.2, reduction='sum')", "X"),
    ("ce_smooth_none",
     "F.cross_entropy(x, lib.tensor(Y), weight=lib.tensor(W), label_smoothing=0.2, reduction='none')", "X"),
    ("ce_large_logits", "F.cross_entropy(x * 1000, lib.tensor(Y))", "X"),
    ("ce_probs", "F.cross_entropy(x, lib.tensor(T))", "X"),
    ("ce_probs_weight_smooth", "F.cross_entropy(x, lib.tensor(T), weight=lib.tensor(W), label_smoothing=0.1)", "X"),
    ("ce_probs_none", "F.cross_entropy(x, lib.tensor(T), reduction='none')", "X"),
    ("ce_kdim", "F.cross_entropy(x, lib.tensor(YK), weight=lib.tensor(W))", "XK"),
    ("ce_kdim_none", "F.cross_entropy(x, lib.tensor(YK), reduction='none', label_smoothing=0.3)", "XK"),
    ("ce_unbatched", "F.cross_entropy(x[1], lib.tensor(3))", "X"),
    ("nll", "F.nll_loss(x, lib.tensor(Y), weight=lib.tensor(W))", "X"),
    ("bce", "F.binary_cross_entropy(x, lib.tensor(T), weight=lib.tensor(W))", "P"),
    ("bce_none", "F.binary_cross_entropy(x, lib.tensor(T), reduction='none')", "P"),
    ("bce_logits", "F.binary_cross_entropy_with_logits(x, lib.tensor(T), pos_weight=lib.tensor(W))", "X"),
    ("bce_logits_large",
     "F.binary_cross_entropy_with_logits(x * 50, lib.tensor(T), weight=lib.tensor(W), reduction='sum')", "X"),
    ("kl_batchmean", "F.kl_div(x, lib.tensor(T), reduction='batchmean')", "X"),
    ("kl_log_target", "F.kl_div(x, lib.tensor(V), reduction='sum', log_target=True)", "X"),
    ("cosine_embedding", "F.cosine_embedding_loss(x, lib.tensor(V), lib.tensor(S), margin=0.1)", "X"),
    ("margin_ranking", "F.margin_ranking_loss(x[:, 0], lib.tensor(V[:, 0]), lib.tensor(S), margin=0.3)", "X"),
    ("triplet", "F.triplet_margin_loss(x, lib.tensor(V), lib.tensor(T), margin=2.0)", "X"),
    ("triplet_swap_p1", "F.triplet_margin_loss(x, lib.tensor(V), lib.tensor(T), p=1, swap=True, margin=3.0)", "X"),
    ("hinge_embedding", "F.hinge_embedding_loss(x[:, 0], lib.tensor(S), margin=2.0)", "X"),
    ("soft_margin", "F.soft_margin_loss(x[:, 0], lib.tensor(S))", "X"),
    ("multilabel_soft_margin", "F.multilabel_soft_margin_loss(x, lib.tensor(T), weight=lib.tensor(W))", "X"),
    ("poisson_full", "F.poisson_nll_loss(x, lib.tensor(T) * 4, full=True)", "X"),
    ("poisson_linear", "F.poisson_nll_loss(x, lib.tensor(T) * 4, log_input=False)", "P"),
    ("gaussian_full", "F.gaussian_nll_loss(x, lib.tensor(V), lib.tensor(T), full=True)", "X"),
    ("gaussian_per_sample", "F.gaussian_nll_loss(x, lib.tensor(V), lib.tensor(T[:, 0]))", "X"),
    ("softmin", "F.softmin(x, 1)", "X"),
    ("lp_pool1d", "F.lp_pool1d(x.reshape(1, 4, 5), 3, 2)", "P"),
    ("lp_pool2d", "F.lp_pool2d(x.reshape(1, 1, 4, 5), 2, (2, 2), stride=1)", "X"),
    ("unfold", "F.unfold(x.reshape(1, 1, 4, 5), 2, padding=1, stride=2)", "X"),
    ("fold", "F.fold(x.reshape(1, 4, 5), (2, 6), 2, stride=(1, 1), padding=(0, 0))", "X"),
]


def _run(lib: Any, F: Any, src: str, arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return value_and_grad(lib, F, src, arr, {"W": W, "T": T, "V": V, "Y": Y, "YK": YK, "S": S})


@pytest.mark.parametrize(("src", "data"), [(s, d) for _, s, d in CASES], ids=[c[0] for c in CASES])
def test_values_and_gradients_match_torch(src: str, data: str) -> None:
    t_out, t_grad = _run(torch, TF, src, DATA[data])
    e_out, e_grad = _run(ember, EF, src, DATA[data])
    assert e_out.shape == t_out.shape
    np.testing.assert_allclose(e_out, t_out, rtol=1e-10, atol=1e-10, equal_nan=True)
    # torch's hardsigmoid backward multiplies by the float literal 1.0f / 6.0f even for float64.
    rtol = 1e-7 if "hardsigmoid" in src else 1e-9
    np.testing.assert_allclose(e_grad, t_grad, rtol=rtol, atol=1e-10, equal_nan=True)


ERRORS = [
    "F.cross_entropy(lib.ones(3, 4), lib.tensor([0, 1, 4]))",
    "F.cross_entropy(lib.ones(3, 4), lib.tensor([0, 1]))",
    "F.cross_entropy(lib.ones(3, 4), lib.ones(3, 5))",
    "F.cross_entropy(lib.ones(3, 4), lib.tensor([0, 1, 3]), weight=lib.ones(3))",
    "F.cross_entropy(lib.ones(2, 3, 4), lib.zeros(2, 5, dtype=lib.int64))",
    "F.nll_loss(lib.ones(2, 3, 4, 5), lib.zeros(2, 4, dtype=lib.int64))",
    "F.binary_cross_entropy(lib.tensor([1.5]), lib.rand(1))",
    "F.glu(lib.ones(3, 3))",
    "F.prelu(lib.ones(2, 3), lib.ones(2))",
    "F.unfold(lib.ones(1, 2, 3, 3), 4)",
    "F.fold(lib.ones(1, 8, 5), (3, 3), 2)",
    "F.triplet_margin_loss(lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3, 1))",
    "F.mse_loss(lib.ones(2), lib.ones(2), reduction='foo')",
]


@pytest.mark.parametrize("src", ERRORS)
def test_errors_match_torch(src: str) -> None:
    caught = []
    for lib, F in ((torch, TF), (ember, EF)):
        with pytest.raises(Exception) as info:  # any type: compared with torch's below
            eval(src, {"F": F, "lib": lib})
        caught.append(info.value)
    t_exc, e_exc = caught
    assert isinstance(e_exc, type(t_exc)) or type(e_exc).__name__ == type(t_exc).__name__
    assert str(e_exc) == str(t_exc).replace("torch.", "ember.")
