"""Random numbers: ``manual_seed``, ``Generator``, ``rand``, ``randn``, ``randint``.

Ember's streams are not torch's (different bit generators), so these tests check
reproducibility, ranges, dtypes and rough moments; argument errors were checked
against PyTorch 2.13 for the same calls.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import ember

pytestmark = pytest.mark.filterwarnings("error")


# -- seeding --------------------------------------------------------------------------------------

def test_same_seed_same_numbers() -> None:
    ember.manual_seed(0)
    a, b = ember.rand(5), ember.randn(5)
    ember.manual_seed(0)
    assert ember.rand(5).tolist() == a.tolist()
    assert ember.randn(5).tolist() == b.tolist()
    ember.manual_seed(1)
    assert ember.rand(5).tolist() != a.tolist()


def test_the_stream_advances() -> None:
    ember.manual_seed(0)
    first, second = ember.rand(4), ember.rand(4)
    assert first.tolist() != second.tolist()
    ember.manual_seed(0)
    assert ember.rand(4).tolist() == first.tolist()
    assert ember.rand(4).tolist() == second.tolist()


def test_manual_seed_returns_the_cpu_generator() -> None:
    g = ember.manual_seed(7)
    assert isinstance(g, ember.Generator)
    assert g.device == ember.device("cpu")
    assert g.initial_seed() == 7
    assert ember.initial_seed() == 7
    assert repr(g) == "<ember.Generator object for device cpu>"


@pytest.mark.parametrize(
    ("seed", "stored"),
    [(0, 0), (-1, 2**64 - 1), (2**64 - 1, 2**64 - 1), (-(2**63), 2**63), (np.int64(5), 5), (True, 1)],
)
def test_seed_range_and_wraparound(seed: Any, stored: int) -> None:
    # torch stores seeds as uint64: negative seeds wrap, as here.
    assert ember.manual_seed(seed).initial_seed() == stored


@pytest.mark.parametrize(
    ("seed", "exc", "message"),
    [
        (2**64, ValueError, "Overflow when unpacking long long"),
        (-(2**63) - 1, ValueError, "Overflow when unpacking long long"),
        # Deliberately stricter than torch, which calls int(seed) (1.5 -> 1, "a" -> ValueError).
        (1.5, TypeError, "manual_seed expected a long, but got float"),
        ("a", TypeError, "manual_seed expected a long, but got str"),
        (None, TypeError, "manual_seed expected a long, but got NoneType"),
    ],
)
def test_bad_seeds(seed: Any, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=re.escape(message)):
        ember.manual_seed(seed)
    with pytest.raises(exc, match=re.escape(message)):
        ember.Generator().manual_seed(seed)


def test_seed_draws_a_fresh_seed() -> None:
    s1 = ember.seed()
    assert ember.initial_seed() == s1
    s2 = ember.seed()
    assert s1 != s2
    ember.manual_seed(0)


# -- Generator objects -----------------------------------------------------------------------------

def test_generator_objects_are_independent_and_reproducible() -> None:
    g = ember.Generator().manual_seed(42)
    assert isinstance(g, ember.Generator)
    a = ember.rand(4, generator=g)
    ember.rand(100)  # the default generator does not disturb g
    b = ember.rand(4, generator=g)
    h = ember.Generator().manual_seed(42)
    assert ember.rand(4, generator=h).tolist() == a.tolist()
    assert ember.rand(4, generator=h).tolist() == b.tolist()
    assert a.tolist() != b.tolist()


def test_a_generator_and_the_default_with_the_same_seed_agree() -> None:
    ember.manual_seed(3)
    expected = ember.randn(3).tolist()
    assert ember.randn(3, generator=ember.Generator().manual_seed(3)).tolist() == expected


def test_reseeding_a_generator_restarts_it() -> None:
    g = ember.Generator().manual_seed(5)
    first = ember.randint(0, 1000, (6,), generator=g).tolist()
    g.manual_seed(5)
    assert ember.randint(0, 1000, (6,), generator=g).tolist() == first
    assert g.manual_seed(5) is g  # chains


def test_generator_construction() -> None:
    assert ember.Generator().device == ember.device("cpu")
    assert ember.Generator("cpu").device == ember.device("cpu")
    assert ember.Generator(device="cpu").device == ember.device("cpu")
    assert ember.Generator(ember.device("cpu")).device == ember.device("cpu")
    assert ember.Generator(None).device == ember.device("cpu")
    assert ember.Generator().initial_seed() == 67280421310721  # torch's default seed
    with pytest.raises(RuntimeError, match="Invalid device string"):
        ember.Generator("cuda:x")


def test_generator_argument_errors() -> None:
    with pytest.raises(TypeError, match=r"rand\(\): argument 'generator' must be ember\.Generator, not int"):
        ember.rand(2, generator=5)
    with pytest.raises(TypeError, match=r"argument 'generator' must be ember\.Generator"):
        ember.randint(5, (2,), generator=np.random.default_rng())
    with pytest.raises(RuntimeError, match="Expected a 'cpu' device type for generator but found 'cuda'"):
        ember.randn(2, generator=ember.Generator("cuda"))


# -- rand / randn ------------------------------------------------------------------------------------

def test_rand_range_shape_and_dtype() -> None:
    ember.manual_seed(0)
    t = ember.rand(1000)
    assert t.dtype is ember.float32
    assert t.shape == (1000,)
    a = t.numpy()
    assert a.min() >= 0.0
    assert a.max() < 1.0
    assert 0.45 < a.mean() < 0.55
    assert ember.rand(2, 3).shape == (2, 3)
    assert ember.rand((2, 3)).shape == (2, 3)
    assert ember.rand([2, 3]).shape == (2, 3)
    assert ember.rand(size=(2,)).shape == (2,)
    assert ember.rand(()).shape == ()
    assert ember.rand(0).shape == (0,)
    assert ember.rand(2, dtype=ember.float64).dtype is ember.float64
    assert ember.rand(2, dtype=ember.float16).dtype is ember.float16
    assert ember.rand(2, dtype=float).dtype is ember.float64


def test_randn_moments() -> None:
    ember.manual_seed(0)
    a = ember.randn(20000, dtype=ember.float64).numpy()
    assert abs(a.mean()) < 0.05
    assert 0.95 < a.std() < 1.05
    assert ember.randn(2, 3).shape == (2, 3)
    assert ember.randn(2).dtype is ember.float32


def test_complex_rand_and_randn() -> None:
    ember.manual_seed(0)
    u = ember.rand(4000, dtype=ember.complex64)
    assert u.dtype is ember.complex64
    a = u.numpy()
    assert 0.0 <= a.real.min() <= a.real.max() < 1.0
    assert 0.0 <= a.imag.min() <= a.imag.max() < 1.0
    z = ember.randn(20000, dtype=ember.complex128).numpy()
    # torch draws real and imaginary parts with variance 1/2 each, so E|z|^2 = 1.
    assert 0.45 < z.real.var() < 0.55
    assert 0.45 < z.imag.var() < 0.55


@pytest.mark.parametrize("fn", [ember.rand, ember.randn])
@pytest.mark.parametrize("dtype", [ember.int64, ember.int32, ember.uint8, ember.bool])
def test_rand_and_randn_need_floating_dtypes(fn: Any, dtype: ember.dtype) -> None:
    # NotImplementedError is a RuntimeError, and what torch raises here.
    with pytest.raises(NotImplementedError, match=re.escape(str(dtype))):
        fn(2, dtype=dtype)


def test_rand_size_errors() -> None:
    with pytest.raises(RuntimeError, match=re.escape("negative dimension -1: [-1]")):
        ember.rand(-1)
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        ember.rand()
    with pytest.raises(TypeError, match="argument 'size'"):
        ember.randn(2.5)


# -- randint -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "kwargs", "low", "high", "shape"),
    [
        ((5, (3,)), {}, 0, 5, (3,)),
        ((3, 7, (1000,)), {}, 3, 7, (1000,)),
        ((-5, 5, (2, 3)), {}, -5, 5, (2, 3)),
        ((5, [2, 3]), {}, 0, 5, (2, 3)),
        ((5, ember.Size([2, 3])), {}, 0, 5, (2, 3)),
        ((5,), {"size": (3,)}, 0, 5, (3,)),
        ((1, 5), {"size": (3,)}, 1, 5, (3,)),
        ((), {"high": 5, "size": (3,)}, 0, 5, (3,)),
        ((), {"low": 2, "high": 5, "size": (3,)}, 2, 5, (3,)),
        ((3,), {"high": 5, "size": (3,)}, 3, 5, (3,)),
        ((np.int64(4), (3,)), {}, 0, 4, (3,)),
        ((ember.tensor(4), (3,)), {}, 0, 4, (3,)),
        ((5, ()), {}, 0, 5, ()),
    ],
)
def test_randint_signatures(args: tuple[Any, ...], kwargs: dict[str, Any], low: int, high: int, shape: tuple[int, ...]) -> None:
    t = ember.randint(*args, **kwargs)
    assert t.dtype is ember.int64
    assert t.shape == shape
    if t.numel():
        assert low <= t.numpy().min() and t.numpy().max() < high


def test_randint_covers_the_whole_half_open_range() -> None:
    ember.manual_seed(0)
    values = set(ember.randint(3, 7, (2000,)).tolist())
    assert values == {3, 4, 5, 6}
    assert set(ember.randint(-2**62, 2**62, (10,)).numpy() // 2**60) <= set(range(-4, 4))


@pytest.mark.parametrize(
    ("dtype", "low", "high"),
    [(ember.int32, 0, 10), (ember.uint8, 0, 256), (ember.int8, -128, 128), (ember.bool, 0, 2),
     (ember.float32, 0, 10), (ember.float64, -3, 3)],
)
def test_randint_dtypes(dtype: ember.dtype, low: int, high: int) -> None:
    t = ember.randint(low, high, (50,), dtype=dtype)
    assert t.dtype is dtype
    a = t.numpy().astype(np.float64)
    assert low <= a.min() and a.max() < high
    assert np.all(a == np.floor(a))


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "message"),
    [
        ((5, 5, (3,)), {}, RuntimeError, "random_ expects 'from' to be less than 'to', but got from=5 >= to=5"),
        ((5, 3, (3,)), {}, RuntimeError, "random_ expects 'from' to be less than 'to', but got from=5 >= to=3"),
        ((0, (3,)), {}, RuntimeError, "random_ expects 'from' to be less than 'to', but got from=0 >= to=0"),
        ((5,), {}, TypeError, "randint(): argument 'size' must be tuple of ints, not int"),
        ((5, 3), {}, TypeError, "randint(): argument 'size' must be tuple of ints, not int"),
        ((5, "a"), {}, TypeError, "argument 'size' must be tuple of ints, not str"),
        ((5, 3, 2), {}, TypeError, "argument 'size' must be tuple of ints, not int"),
        ((1, 2, 3, (2,)), {}, TypeError, "at most 3 positional arguments"),
        ((), {}, TypeError, "missing required argument 'size'"),
        (((3,),), {}, TypeError, "missing required argument 'high'"),
        ((2.5, (3,)), {}, TypeError, "randint(): argument 'high' must be int, not float"),
        ((0.5, 3, (3,)), {}, TypeError, "argument 'low' must be int, not float"),
        ((5, (-1,)), {}, RuntimeError, "negative dimension -1: [-1]"),
        ((5, (2.5,)), {}, TypeError, "argument 'size'"),
        ((-(2**63) - 1, 0, (2,)), {}, ValueError, "Overflow when unpacking long long"),
        ((0, 300, (3,)), {"dtype": ember.uint8}, RuntimeError, "to - 1 = 299 is out of bounds for ember.uint8"),
        ((-1, 3, (3,)), {"dtype": ember.uint8}, RuntimeError, "from=-1 is out of bounds for ember.uint8"),
        ((0, 3, (2,)), {"dtype": ember.bool}, RuntimeError, "out of bounds for ember.bool"),
        ((0, 2**30, (2,)), {"dtype": ember.float16}, RuntimeError, "out of bounds for ember.float16"),
        ((0, 3, (2,)), {"dtype": ember.complex64}, NotImplementedError, "ember.complex64"),
        ((0, 3, (2,)), {"dtype": "int32"}, TypeError, "argument 'dtype' must be ember.dtype"),
        ((0, 3, (2,)), {"foo": 1}, TypeError, "unexpected keyword argument 'foo'"),
    ],
)
def test_randint_errors(args: tuple[Any, ...], kwargs: dict[str, Any], exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=re.escape(message)):
        ember.randint(*args, **kwargs)


# -- RNG state -------------------------------------------------------------------------------------

def test_get_and_set_rng_state_replay_every_sampler() -> None:
    ember.manual_seed(11)
    ember.rand(3)  # a stream already in use
    state = ember.get_rng_state()
    assert state.dtype is ember.uint8 and state.ndim == 1 and state.device == ember.device("cpu")

    def draw() -> list[Any]:
        return [
            ember.rand(4).tolist(), ember.randn(3, dtype=ember.float64).tolist(),
            ember.randint(0, 100, (5,)).tolist(), ember.randperm(6).tolist(),
            ember.multinomial(ember.tensor([0.2, 0.3, 0.5]), 2).tolist(),
            ember.empty(3).exponential_().tolist(),
        ]

    first = draw()
    ember.set_rng_state(state)
    assert draw() == first
    ember.set_rng_state(state)
    assert ember.get_rng_state().tolist() == state.tolist()  # restoring, then reading, round-trips


def test_state_of_an_unused_generator_and_after_reseeding() -> None:
    g = ember.Generator().manual_seed(5)
    state = g.get_state()  # no native stream yet: the seed alone
    a = ember.rand(3, generator=g).tolist()
    assert g.set_state(state) is g
    assert ember.rand(3, generator=g).tolist() == a
    g.manual_seed(6)
    assert g.initial_seed() == 6
    g.set_state(state)
    assert g.initial_seed() == 5


def test_state_moves_between_generators_and_survives_save_and_load(tmp_path: Any) -> None:
    g = ember.Generator().manual_seed(9)
    ember.randn(7, generator=g)
    path = tmp_path / "rng.ember"
    ember.save({"rng": g.get_state()}, str(path))
    expected = ember.randn(5, generator=g).tolist()
    h = ember.Generator().set_state(ember.load(str(path))["rng"])
    assert ember.randn(5, generator=h).tolist() == expected


def test_the_state_is_json_not_pickle() -> None:
    import json

    ember.manual_seed(0)
    ember.rand(1)
    doc = json.loads(bytes(ember.get_rng_state().tolist()))
    assert doc["seed"] == 0 and doc["device"] == "cpu"
    assert [s[:2] for s in doc["streams"]] == [["numpy", None]]


@pytest.mark.parametrize(
    ("state", "exc", "message"),
    [
        ([1, 2], TypeError, "RNG state must be an ember.uint8 tensor (from get_state()), got list"),
        (ember.zeros(3), TypeError, "RNG state must be an ember.uint8 tensor (from get_state()), got a ember.float32 tensor"),
        (ember.zeros(3, dtype=ember.uint8), RuntimeError, "expected an RNG state made by get_state(), got 3 bytes"),
        (ember.tensor(list(b'{"format": "other"}'), dtype=ember.uint8), RuntimeError, "expected an RNG state"),
        (ember.tensor(list(b"\xff\xfe"), dtype=ember.uint8), RuntimeError, "expected an RNG state"),
    ],
)
def test_bad_states(state: Any, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=re.escape(message)):
        ember.set_rng_state(state)
    with pytest.raises(exc, match=re.escape(message)):
        ember.Generator().set_state(state)


def test_a_state_of_another_device_type_is_refused() -> None:
    state = ember.Generator("cuda").get_state()  # no stream drawn: needs no CUDA backend
    with pytest.raises(RuntimeError, match="the state is of a 'cuda' generator, this generator is for 'cpu'"):
        ember.set_rng_state(state)


def test_a_corrupt_native_state_is_reported() -> None:
    import json

    ember.manual_seed(0)
    ember.rand(1)
    doc = json.loads(bytes(ember.get_rng_state().tolist()))
    doc["streams"][0][2] = {"bit_generator": "MT19937"}
    ember.set_rng_state(ember.tensor(list(json.dumps(doc).encode()), dtype=ember.uint8))
    with pytest.raises(RuntimeError, match="the 'numpy' backend rejected the saved generator state"):
        ember.rand(1)
    ember.manual_seed(0)
