"""normal, bernoulli and the in-place samplers: distributions, reproducibility, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember


def test_normal_number_arguments_give_size_and_moments() -> None:
    ember.manual_seed(1)
    x = ember.normal(2.0, 3.0, size=(20000,))
    assert x.dtype is ember.float32 and x.shape == (20000,)
    v = x.numpy().astype(np.float64)
    assert abs(v.mean() - 2.0) < 0.1 and abs(v.std() - 3.0) < 0.1


def test_normal_tensor_arguments_broadcast() -> None:
    out = ember.normal(ember.zeros(2, 1), ember.ones(3))
    assert out.shape == (2, 3) and out.dtype is ember.float32
    assert ember.normal(ember.full((4,), 5.0), 0.0).tolist() == [5.0] * 4  # std 0: exactly the mean


def test_bernoulli_frequency_and_dtype() -> None:
    ember.manual_seed(2)
    p = ember.full((20000,), 0.3, dtype=ember.float64)
    s = ember.bernoulli(p)
    assert s.dtype is ember.float64 and set(np.unique(s.numpy())) <= {0.0, 1.0}
    assert abs(s.mean().item() - 0.3) < 0.02
    assert ember.bernoulli(ember.zeros(5)).tolist() == [0.0] * 5
    assert ember.bernoulli(ember.ones(5)).tolist() == [1.0] * 5


def test_in_place_samplers() -> None:
    ember.manual_seed(3)
    x = ember.empty(10000)
    assert x.uniform_(2, 3) is x
    assert x.min().item() >= 2 and x.max().item() < 3
    y = ember.empty(20000, dtype=ember.float64).normal_(1, 2).numpy()
    assert abs(y.mean() - 1) < 0.1 and abs(y.std() - 2) < 0.1
    z = ember.zeros(1000, dtype=ember.int64).bernoulli_(0.5)
    assert set(np.unique(z.numpy())) == {0, 1}


def test_same_seed_same_samples() -> None:
    def draw() -> list[list[float]]:
        ember.manual_seed(7)
        return [ember.normal(0.0, 1.0, size=(3,)).tolist(), ember.bernoulli(ember.full((3,), 0.5)).tolist(),
                ember.empty(3).uniform_().tolist()]

    assert draw() == draw()
    g1, g2 = ember.Generator().manual_seed(5), ember.Generator().manual_seed(5)
    assert ember.empty(4).normal_(generator=g1).tolist() == ember.empty(4).normal_(generator=g2).tolist()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: ember.normal(0.0, -1.0, size=(2,)), RuntimeError, "normal expects std >= 0.0"),
        (lambda: ember.normal(ember.zeros(2), -1.0), RuntimeError, "normal expects std >= 0.0"),
        (lambda: ember.normal(0.0, 1.0), TypeError, "give the output size"),
        (lambda: ember.ones(3).uniform_(2, 1), RuntimeError, "found from=2 > to=1"),
        (lambda: ember.ones(3).normal_(0, -1), RuntimeError, "std >= 0.0"),
        (lambda: ember.ones(3, dtype=ember.int64).uniform_(), NotImplementedError, "uniform_"),
        (lambda: ember.bernoulli(ember.tensor([0.5, 2.0])), RuntimeError, r"\[0, 1\]"),
        (lambda: ember.bernoulli(ember.tensor([1, 0])), NotImplementedError, "bernoulli"),
        (lambda: ember.bernoulli([0.5]), TypeError, "must be Tensor"),
    ],
)
def test_bad_arguments_raise_torchs_types(call, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_failed_in_place_sampling_leaves_target_unchanged() -> None:
    x = ember.ones(3)
    with pytest.raises(RuntimeError):
        x.uniform_(2, 1)
    assert x.tolist() == [1.0, 1.0, 1.0]
