"""Samplers: orders, lengths, reproducibility and argument checks (torch's rules)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)


def gen(seed: int) -> ember.Generator:
    return ember.Generator().manual_seed(seed)


def test_sequential_sampler() -> None:
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4]
    assert len(s) == 5


def test_random_sampler_is_a_permutation_reproducible_with_a_generator() -> None:
    a = list(RandomSampler(range(50), generator=gen(0)))
    assert sorted(a) == list(range(50))
    assert a != list(range(50))
    assert a == list(RandomSampler(range(50), generator=gen(0)))
    assert a != list(RandomSampler(range(50), generator=gen(1)))
    # The generator's stream continues: a second epoch is a different permutation.
    s = RandomSampler(range(50), generator=gen(0))
    assert list(s) == a and list(s) != a


def test_random_sampler_without_generator_follows_manual_seed() -> None:
    ember.manual_seed(3)
    a = list(RandomSampler(range(30)))
    b = list(RandomSampler(range(30)))
    ember.manual_seed(3)
    assert list(RandomSampler(range(30))) == a
    assert a != b  # each epoch draws a new seed from the default generator


def test_random_sampler_num_samples_without_replacement_repeats_whole_permutations() -> None:
    s = RandomSampler(range(4), num_samples=10, generator=gen(0))
    out = list(s)
    assert len(out) == len(s) == 10
    assert sorted(out[:4]) == sorted(out[4:8]) == [0, 1, 2, 3]
    assert len(set(out[8:])) == 2


def test_random_sampler_with_replacement() -> None:
    s = RandomSampler(range(3), replacement=True, num_samples=3000, generator=gen(0))
    out = np.array(list(s))
    assert out.shape == (3000,) and out.min() >= 0 and out.max() <= 2
    counts = np.bincount(out, minlength=3)
    assert (np.abs(counts - 1000) < 150).all(), counts  # ~6 sigma
    assert list(RandomSampler(range(3), True, 20, gen(4))) == list(RandomSampler(range(3), True, 20, gen(4)))


def test_random_sampler_argument_errors() -> None:
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got replacement=0"):
        RandomSampler(range(3), replacement=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler([])


def test_subset_random_sampler() -> None:
    idx = [10, 20, 30, 40, 50]
    out = list(SubsetRandomSampler(idx, generator=gen(0)))
    assert sorted(out) == idx and len(SubsetRandomSampler(idx)) == 5
    assert out == list(SubsetRandomSampler(idx, generator=gen(0)))


def test_weighted_random_sampler_follows_the_weights() -> None:
    w = [0.0, 1.0, 3.0, 0.0]
    out = np.array(list(WeightedRandomSampler(w, 4000, generator=gen(0))))
    assert set(out.tolist()) <= {1, 2}
    assert abs((out == 2).mean() - 0.75) < 0.04
    assert len(WeightedRandomSampler(w, 7)) == 7


def test_weighted_random_sampler_without_replacement_never_repeats() -> None:
    s = WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 6, replacement=False, generator=gen(1))
    out = list(s)
    assert sorted(out) == [0, 1, 2, 3, 4, 5]
    assert s.weights.dtype == ember.float64
    assert out == list(WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 6, False, gen(1)))


def test_weighted_random_sampler_argument_errors() -> None:
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=True"):
        WeightedRandomSampler([1.0], True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="replacement should be a boolean value, but got replacement=1"):
        WeightedRandomSampler([1.0], 1, replacement=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(1, 2\)"):
        WeightedRandomSampler([[1.0, 2.0]], 1)  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("drop_last", "expected"),
    [(False, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]), (True, [[0, 1, 2], [3, 4, 5], [6, 7, 8]])],
)
def test_batch_sampler(drop_last: bool, expected: list[list[int]]) -> None:
    s = BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=drop_last)
    assert list(s) == expected
    assert len(s) == len(expected)
    assert list(BatchSampler(range(4), 2, False)) == [[0, 1], [2, 3]]  # any iterable of indices


def test_batch_sampler_argument_errors() -> None:
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match=r"batch_size=2\.0"):
        BatchSampler(range(3), 2.0, False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=None"):
        BatchSampler(range(3), 2, None)  # type: ignore[arg-type]
