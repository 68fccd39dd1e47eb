"""normal, bernoulli and the in-place samplers: distributions, reproducibility, errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from _core_helpers import SHAPES
from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- randperm ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [0, 1, 2, 7, 1000])
@pytest.mark.parametrize("dtype", [None, ember.int32, ember.int16, ember.float32, ember.float64])
def test_randperm_is_a_permutation(n: int, dtype) -> None:
    p = ember.randperm(n, dtype=dtype)
    assert p.dtype is (ember.int64 if dtype is None else dtype) and p.shape == (n,)
    assert sorted(p.numpy().astype(np.int64).tolist()) == list(range(n))


def test_randperm_is_uniform_and_reproducible() -> None:
    ember.manual_seed(0)
    # every one of the 6 permutations of 3 items shows up about equally often
    counts: dict[tuple[int, ...], int] = {}
    for _ in range(600):
        key = tuple(ember.randperm(3).tolist())
        counts[key] = counts.get(key, 0) + 1
    assert len(counts) == 6 and min(counts.values()) > 60
    g = ember.Generator().manual_seed(4)
    a = ember.randperm(50, generator=g).tolist()
    assert ember.randperm(50, generator=ember.Generator().manual_seed(4)).tolist() == a
    assert ember.randperm(50, generator=g).tolist() != a


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: ember.randperm(-1), RuntimeError, r"negative dimension -1: \[-1\]"),
        (lambda: ember.randperm(3.0), TypeError, "randperm(): argument 'n' must be int, not float"),
        (lambda: ember.randperm(3, dtype=ember.bool), NotImplementedError, "'Bool'"),
        (lambda: ember.randperm(3, dtype=ember.complex64), NotImplementedError, "'ComplexFloat'"),
        (lambda: ember.randperm(2050, dtype=ember.float16), RuntimeError, "n cannot be greater than 2049"),
        (lambda: ember.randperm(300, dtype=ember.int8), RuntimeError, "n cannot be greater than 128"),
        (lambda: ember.randperm(3, requires_grad=True), RuntimeError, "floating point and complex"),
        (lambda: ember.randperm(3, generator=1), TypeError, "argument 'generator' must be ember.Generator"),
    ],
)
def test_randperm_errors(call, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message) if "\\" not in message else message):
        call()


# -- multinomial -------------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(0, 4), cats=st.integers(1, 6), replacement=st.booleans(), two_d=st.booleans(),
    dtype=st.sampled_from([ember.float32, ember.float64, ember.float16]), data=st.data(),
)
def test_multinomial_properties(rows: int, cats: int, replacement: bool, two_d: bool, dtype, data) -> None:
    rows = rows if two_d else 1
    weights = np.array(
        data.draw(st.lists(st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0]), min_size=cats, max_size=cats),
                           min_size=rows, max_size=rows)), dtype=np.float64,
    ).reshape(rows, cats)
    weights[:, data.draw(st.integers(0, cats - 1))] = 2.0  # every row has some weight
    n = data.draw(st.integers(1, 8 if replacement else cats))
    arg = ember.tensor(weights, dtype=dtype)
    if data.draw(st.booleans()):  # a non-contiguous input: the transpose of a transposed copy
        arg = ember.tensor(weights.T.copy(), dtype=dtype).t()
    if not two_d:
        arg = arg[0]
    out = ember.multinomial(arg, n, replacement)
    assert out.dtype is ember.int64
    assert out.shape == ((rows, n) if two_d else (n,))
    got = out.numpy().reshape(rows, n)
    for r in range(rows):
        positive = set(np.flatnonzero(weights[r]).tolist())
        picks = got[r].tolist()
        assert all(0 <= i < cats for i in picks)
        if replacement:
            assert set(picks) <= positive
        else:
            assert len(set(picks)) == n  # no category twice
            head = picks[: len(positive)]
            assert set(head) <= positive  # zero-weight categories only once the others run out


def test_multinomial_frequencies() -> None:
    ember.manual_seed(0)
    p = np.array([0.1, 0.0, 0.2, 0.7])
    with_repl = ember.multinomial(ember.tensor(p), 40000, True).numpy()
    assert np.allclose(np.bincount(with_repl, minlength=4) / 40000, p, atol=0.01)
    batch = ember.tensor(np.tile(p, (20000, 1)))
    first_two = ember.multinomial(batch, 2).numpy()
    assert np.allclose(np.bincount(first_two[:, 0], minlength=4) / 20000, p, atol=0.015)
    # P(second = 0) = 0.2 * 0.1/0.8 + 0.7 * 0.1/0.3
    assert abs((first_two[:, 1] == 0).mean() - (0.2 * 0.1 / 0.8 + 0.7 * 0.1 / 0.3)) < 0.015
    # rows are independent distributions
    rows = ember.multinomial(ember.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 5.0]]), 3, True)
    assert rows.tolist() == [[0, 0, 0], [2, 2, 2]]
    assert ember.tensor([0.0, 1.0]).multinomial(1).tolist() == [1]


def test_multinomial_is_reproducible() -> None:
    w = ember.rand(3, 10)
    for replacement in (False, True):
        a = ember.multinomial(w, 5, replacement, generator=ember.Generator().manual_seed(2))
        b = ember.multinomial(w, 5, replacement, generator=ember.Generator().manual_seed(2))
        assert a.tolist() == b.tolist()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: ember.multinomial(ember.tensor([0.2, 0.3, 0.5]), 4), RuntimeError,
         "cannot sample n_sample > prob_dist.size(-1) samples without replacement"),
        (lambda: ember.multinomial(ember.tensor([0.2, -0.1]), 1), RuntimeError,
         "probability tensor contains either `inf`, `nan` or element < 0"),
        (lambda: ember.multinomial(ember.tensor([0.2, float("inf")]), 1), RuntimeError, "`inf`, `nan` or element < 0"),
        (lambda: ember.multinomial(ember.tensor([0.2, float("nan")]), 1, True), RuntimeError, "`inf`, `nan`"),
        (lambda: ember.multinomial(ember.tensor([[1.0, 1.0], [0.0, 0.0]]), 1), RuntimeError,
         "invalid multinomial distribution (sum of probabilities <= 0)"),
        (lambda: ember.multinomial(ember.tensor(1.0), 1), RuntimeError, "prob_dist must be 1 or 2 dim"),
        (lambda: ember.multinomial(ember.ones(2, 2, 2), 1), RuntimeError, "prob_dist must be 1 or 2 dim"),
        (lambda: ember.multinomial(ember.tensor([1, 2]), 1), RuntimeError,
         "multinomial only supports floating-point dtypes for input, got: Long"),
        (lambda: ember.multinomial(ember.ones(3), 0), RuntimeError, "cannot sample n_sample <= 0 samples"),
        (lambda: ember.multinomial(ember.ones(3), -1), RuntimeError, "cannot sample n_sample <= 0 samples"),
        (lambda: ember.multinomial(ember.ones(3), 2.0), TypeError,
         "multinomial(): argument 'num_samples' (position 2) must be int, not float"),
        (lambda: ember.multinomial([0.5], 1), TypeError, "argument 'input' (position 1) must be Tensor"),
        (lambda: ember.multinomial(ember.ones(3), 1, generator=3), TypeError, "must be ember.Generator, not int"),
    ],
)
def test_multinomial_errors(call, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_multinomial_empty_batch() -> None:
    assert ember.multinomial(ember.ones(0, 3), 2).shape == (0, 2)


# -- random_ and the in-place distributions ----------------------------------------------------------

_INT_DTYPES = [ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64]


@settings(max_examples=30, deadline=None)
@given(
    dtype=st.sampled_from([*_INT_DTYPES, ember.float16, ember.float32, ember.float64]),
    shape=SHAPES, view=st.sampled_from(["plain", "transposed", "stepped"]), low=st.integers(0, 5),
    width=st.integers(1, 20),
)
def test_random_fills_views_within_range(dtype, shape, view, low: int, width: int) -> None:
    base = ember.zeros((*shape, 2) if view == "stepped" else shape, dtype=dtype)
    if view == "stepped":
        target = base[..., ::2]
    elif view == "transposed" and len(shape) >= 2:
        target = base.transpose(0, -1)
    else:
        target = base
    assert target.random_(low, low + width) is target
    got = target.numpy().astype(np.float64)
    if got.size:
        assert got.min() >= low and got.max() < low + width and np.all(got == np.floor(got))
    if view == "stepped":  # the other half of the storage is untouched
        assert not base[..., 1::2].numpy().any()


@pytest.mark.parametrize(
    ("dtype", "top"),
    [(ember.float32, 2**24), (ember.float64, 2**53), (ember.float16, 2**11), (ember.int8, 127),
     (ember.uint8, 255), (ember.int64, 2**63 - 1), (ember.bool, 1)],
)
def test_random_defaults_span_the_dtype(dtype, top: int) -> None:
    ember.manual_seed(0)
    x = ember.empty(4000, dtype=dtype).random_()
    vals = x.numpy().astype(object if dtype is ember.int64 else np.float64)
    assert min(vals) >= 0 and max(vals) <= top
    assert max(vals) > top // 4  # the upper part of the range is reached
    y = ember.empty(2000).random_(7)  # random_(to)
    assert set(y.numpy().astype(int).tolist()) == set(range(7))
    z = ember.empty(2000, dtype=ember.int16).random_(30000, None)  # random_(from_, None): up to the top
    assert z.numpy().min() >= 30000 and z.numpy().max() > 32000


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: ember.empty(3).random_(5, 2), RuntimeError, "random_ expects 'from' to be less than 'to', but got from=5 >= to=2"),
        (lambda: ember.empty(3).random_(-5), RuntimeError, "got from=0 >= to=-5"),
        (lambda: ember.empty(3, dtype=ember.int8).random_(0, 300), RuntimeError, "to - 1 is out of bounds for ember.int8"),
        (lambda: ember.empty(3, dtype=ember.int8).random_(-300, 3), RuntimeError, "from is out of bounds for ember.int8"),
        (lambda: ember.empty(3, dtype=ember.uint8).random_(-1, 3), RuntimeError, "from is out of bounds for ember.uint8"),
        (lambda: ember.empty(3, dtype=ember.bool).random_(0, 3), RuntimeError, "to - 1 is out of bounds for ember.bool"),
        (lambda: ember.empty(3, dtype=ember.complex64).random_(), NotImplementedError, "'ComplexFloat'"),
        (lambda: ember.empty(3).random_(1.5), TypeError, "random_(): argument 'to' must be int, not float"),
        (lambda: ember.empty(3).random_(1.5, 3), TypeError, "random_(): argument 'from' must be int, not float"),
        (lambda: ember.empty(3).exponential_(0), RuntimeError, "exponential_ expects lambda > 0.0, but found lambda=0"),
        (lambda: ember.empty(3).exponential_(-1), RuntimeError, "found lambda=-1"),
        (lambda: ember.empty(3, dtype=ember.int64).exponential_(), RuntimeError,
         "Exponential distribution is a continuous probability distribution. dtype must be a floating point but you specified Long"),
        (lambda: ember.empty(3).geometric_(0), RuntimeError, "geometric_ expects p to be in (0, 1), but got p=0"),
        (lambda: ember.empty(3).geometric_(1), RuntimeError, "but got p=1"),
        (lambda: ember.empty(3).geometric_(1.5), RuntimeError, "but got p=1.5"),
        (lambda: ember.empty(3, dtype=ember.bool).geometric_(0.5), NotImplementedError, "'Bool'"),
        (lambda: ember.empty(3).log_normal_(1, 0), RuntimeError, "log_normal_ expects std > 0.0, but found std=0"),
        (lambda: ember.empty(3, dtype=ember.int64).log_normal_(), NotImplementedError, "'Long'"),
        (lambda: ember.empty(3).cauchy_(0, -1), RuntimeError, "cauchy_ expects sigma > 0.0, but found sigma=-1"),
        (lambda: ember.empty(3, dtype=ember.int64).cauchy_(), RuntimeError,
         "Cauchy distribution is a continuous probability distribution"),
        (lambda: ember.randint_like(ember.empty(3), 5, 2), RuntimeError, "from=5 >= to=2"),
        (lambda: ember.randint_like(ember.empty(3, dtype=ember.int8), 500), RuntimeError, "out of bounds for ember.int8"),
    ],
)
def test_in_place_sampler_errors(call, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_random_warns_outside_the_exact_float_range() -> None:
    with pytest.warns(UserWarning, match="cannot hold every integer"):
        ember.empty(3).random_(0, 2**25)


def test_distribution_moments() -> None:
    ember.manual_seed(5)
    n = 40000
    e = ember.empty(n, dtype=ember.float64).exponential_(2.0).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.5) < 0.02
    g = ember.empty(n, dtype=ember.int64).geometric_(0.25).numpy()
    assert g.min() >= 1 and abs(g.mean() - 4.0) < 0.1
    assert ember.empty(5).geometric_(0.999).min().item() >= 1
    ln = np.log(ember.empty(n, dtype=ember.float64).log_normal_(1.0, 0.5).numpy())
    assert abs(ln.mean() - 1.0) < 0.02 and abs(ln.std() - 0.5) < 0.02
    c = ember.empty(n, dtype=ember.float64).cauchy_(3.0, 2.0).numpy()
    assert abs(np.median(c) - 3.0) < 0.1
    assert abs(np.median(np.abs(c - 3.0)) - 2.0) < 0.1  # the half-width at half-maximum
    f16 = ember.empty(1000, dtype=ember.float16).exponential_()
    assert f16.dtype is ember.float16 and np.isfinite(f16.numpy()).all()


def test_in_place_samplers_write_through_views_and_are_reproducible() -> None:
    base = ember.zeros(4, 6)
    view = base[:, ::3]
    view.exponential_()
    assert (base.numpy()[:, ::3] > 0).all() and not base.numpy()[:, 1::3].any()
    for method, args in [("random_", (0, 9)), ("exponential_", ()), ("geometric_", (0.3,)),
                         ("log_normal_", ()), ("cauchy_", ())]:
        a = getattr(ember.empty(5), method)(*args, generator=ember.Generator().manual_seed(1)).tolist()
        b = getattr(ember.empty(5), method)(*args, generator=ember.Generator().manual_seed(1)).tolist()
        assert a == b, method


def test_randint_like() -> None:
    x = ember.empty(2, 3, dtype=ember.int16)
    r = ember.randint_like(x, 5)
    assert r.shape == (2, 3) and r.dtype is ember.int16
    assert r.numpy().min() >= 0 and r.numpy().max() < 5
    r = ember.randint_like(ember.empty(500), 2, 5, dtype=ember.float64)
    assert r.dtype is ember.float64 and set(r.numpy().tolist()) == {2.0, 3.0, 4.0}
    g1, g2 = ember.Generator().manual_seed(3), ember.Generator().manual_seed(3)
    assert ember.randint_like(x, 9, generator=g1).tolist() == ember.randint_like(x, 9, generator=g2).tolist()
