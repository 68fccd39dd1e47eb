"""nn.init: formulas (bounds, std, fans, gains) checked against NumPy statistics and exact values."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn.init as init


def _np(t: ember.Tensor) -> np.ndarray:
    return np.asarray(t.detach().numpy())


# -- calculate_gain and fans ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "param", "gain"),
    [
        ("linear", None, 1.0), ("conv2d", None, 1.0), ("conv_transpose3d", None, 1.0), ("sigmoid", None, 1.0),
        ("tanh", None, 5.0 / 3), ("relu", None, math.sqrt(2.0)), ("selu", None, 0.75),
        ("leaky_relu", None, math.sqrt(2.0 / (1 + 0.01**2))), ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)),
        ("leaky_relu", 1, 1.0), ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)),
    ],
)
def test_calculate_gain(name: str, param: float | None, gain: float) -> None:
    assert init.calculate_gain(name, param) == pytest.approx(gain, rel=1e-12)


def test_calculate_gain_errors() -> None:
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"negative_slope 0\.1 not a valid number"):
        init.calculate_gain("leaky_relu", "0.1")  # type: ignore[arg-type]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=2, max_size=5))
def test_fan_in_and_fan_out(shape: list[int]) -> None:
    receptive = math.prod(shape[2:])
    fans = init._calculate_fan_in_and_fan_out(ember.empty(*shape))
    assert fans == (shape[1] * receptive, shape[0] * receptive)


def test_fan_errors() -> None:
    msg = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
    with pytest.raises(ValueError, match=msg):
        init.xavier_uniform_(ember.empty(5))
    with pytest.raises(ValueError, match=r"Mode fan_avg not supported, please use one of \['fan_in', 'fan_out'\]"):
        init.kaiming_uniform_(ember.empty(3, 4), mode="fan_avg")
    assert init._calculate_correct_fan(ember.empty(3, 4, 2), "FAN_OUT") == 6


# -- deterministic fills ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_constant_ones_zeros(dtype: ember.dtype) -> None:
    w = ember.empty(3, 4, dtype=dtype)
    assert init.constant_(w, 0.25) is w
    np.testing.assert_array_equal(_np(w), np.full((3, 4), 0.25))
    np.testing.assert_array_equal(_np(init.ones_(w)), np.ones((3, 4)))
    np.testing.assert_array_equal(_np(init.zeros_(w)), np.zeros((3, 4)))
    assert w.dtype is dtype


def test_fills_on_parameters_record_nothing() -> None:
    w = ember.zeros(3, 4, requires_grad=True)
    for fill in (init.ones_, init.zeros_, init.eye_, init.xavier_uniform_, init.kaiming_normal_, init.orthogonal_):
        out = fill(w)
        assert out is w and w.is_leaf and w.grad_fn is None and w.requires_grad


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2), (0, 3)])
def test_eye(shape: tuple[int, int]) -> None:
    np.testing.assert_array_equal(_np(init.eye_(ember.empty(*shape))), np.eye(*shape))


def test_eye_on_transposed_view() -> None:
    base = ember.zeros(4, 2)
    init.eye_(base.T)
    np.testing.assert_array_equal(_np(base), np.eye(2, 4).T)


def test_eye_dirac_errors() -> None:
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(ember.empty(2, 2, 2))
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
        init.dirac_(ember.empty(2, 2))
    with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
        init.dirac_(ember.empty(5, 2, 3), groups=2)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        init.orthogonal_(ember.empty(4))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.sparse_(ember.empty(4), 0.5)


def _dirac_ref(shape: tuple[int, ...], groups: int) -> np.ndarray:
    ref = np.zeros(shape)
    per = shape[0] // groups
    for g in range(groups):
        for d in range(min(per, shape[1])):
            ref[(g * per + d, d, *(s // 2 for s in shape[2:]))] = 1
    return ref


@pytest.mark.parametrize(
    ("shape", "groups"),
    [((4, 3, 3), 1), ((3, 5, 5), 1), ((6, 2, 3, 3), 2), ((4, 4, 2, 4), 1), ((6, 1, 3, 3, 3), 3), ((2, 2, 1, 2, 3), 1)],
)
def test_dirac(shape: tuple[int, ...], groups: int) -> None:
    w = ember.full(shape, 7.0)
    np.testing.assert_array_equal(_np(init.dirac_(w, groups)), _dirac_ref(shape, groups))


def test_dirac_is_identity_convolution() -> None:
    x = ember.randn(2, 3, 6, 6)
    w = init.dirac_(ember.empty(3, 3, 3, 3))
    np.testing.assert_allclose(_np(ember.conv2d(x, w, padding=1)), _np(x), atol=1e-6)


# -- random fills -------------------------------------------------------------------------------------------

def test_uniform_normal_statistics() -> None:
    g = ember.Generator().manual_seed(0)
    u = _np(init.uniform_(ember.empty(20000, dtype=ember.float64), -2.0, 3.0, generator=g))
    assert u.min() >= -2.0 and u.max() < 3.0
    assert abs(u.mean() - 0.5) < 0.05 and abs(u.std() - 5 / math.sqrt(12)) < 0.03
    n = _np(init.normal_(ember.empty(20000, dtype=ember.float64), 1.5, 0.5, generator=g))
    assert abs(n.mean() - 1.5) < 0.02 and abs(n.std() - 0.5) < 0.02


@pytest.mark.parametrize(
    "fill",
    [
        init.uniform_, init.normal_, init.trunc_normal_, init.xavier_uniform_, init.xavier_normal_,
        init.kaiming_uniform_, init.kaiming_normal_, init.orthogonal_,
        lambda t, generator=None: init.sparse_(t, 0.5, generator=generator),
    ],
)
def test_generator_makes_fills_reproducible(fill: object) -> None:
    a = fill(ember.empty(6, 5), generator=ember.Generator().manual_seed(3))  # type: ignore[operator]
    b = fill(ember.empty(6, 5), generator=ember.Generator().manual_seed(3))  # type: ignore[operator]
    c = fill(ember.empty(6, 5), generator=ember.Generator().manual_seed(4))  # type: ignore[operator]
    np.testing.assert_array_equal(_np(a), _np(b))
    assert not np.array_equal(_np(a), _np(c))


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.lists(st.integers(1, 4), max_size=2))
def test_kaiming_and_xavier_uniform_bounds(out_f: int, in_f: int, kernel: list[int]) -> None:
    shape = (out_f, in_f, *kernel)
    fan_in, fan_out = in_f * math.prod(kernel), out_f * math.prod(kernel)
    w = _np(init.kaiming_uniform_(ember.empty(*shape), a=math.sqrt(5)))
    assert np.abs(w).max() <= 1 / math.sqrt(fan_in) * (1 + 1e-6)
    w = _np(init.kaiming_uniform_(ember.empty(*shape), mode="fan_out", nonlinearity="relu"))
    assert np.abs(w).max() <= math.sqrt(6 / fan_out) * (1 + 1e-6)
    w = _np(init.xavier_uniform_(ember.empty(*shape), gain=2.0))
    assert np.abs(w).max() <= 2.0 * math.sqrt(6 / (fan_in + fan_out)) * (1 + 1e-6)


@pytest.mark.parametrize(
    ("fill", "std"),
    [
        (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), 1 / math.sqrt(3 * 400)),
        (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), math.sqrt(2 / 200)),
        (lambda t: init.kaiming_normal_(t, a=0.2), math.sqrt(2 / 1.04 / 400)),
        (lambda t: init.xavier_uniform_(t), math.sqrt(2 / 600)),
        (lambda t: init.xavier_normal_(t, gain=3.0), 3 * math.sqrt(2 / 600)),
    ],
)
def test_fill_standard_deviations(fill: object, std: float) -> None:
    ember.manual_seed(0)
    w = _np(fill(ember.empty(50, 100, 2, 2, dtype=ember.float64)))  # type: ignore[operator]
    assert abs(w.mean()) < 0.05 * std
    assert w.std() == pytest.approx(std, rel=0.03)


def test_kaiming_zero_element_warns() -> None:
    for fill in (init.kaiming_uniform_, init.kaiming_normal_):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            assert fill(ember.empty(0, 3)).shape == (0, 3)


def _truncnorm_moments(mean: float, std: float, a: float, b: float) -> tuple[float, float]:
    al, be = (a - mean) / std, (b - mean) / std
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    z = init._norm_cdf(be) - init._norm_cdf(al)
    m = mean + std * (pdf(al) - pdf(be)) / z
    var = std**2 * (1 + (al * pdf(al) - be * pdf(be)) / z - ((pdf(al) - pdf(be)) / z) ** 2)
    return m, math.sqrt(var)


@pytest.mark.parametrize(("mean", "std", "a", "b"), [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04), (1.0, 2.0, 0.5, 6.0)])
def test_trunc_normal(mean: float, std: float, a: float, b: float) -> None:
    ember.manual_seed(1)
    w = _np(init.trunc_normal_(ember.empty(40000, dtype=ember.float64), mean, std, a, b))
    assert w.min() >= a and w.max() <= b
    m, s = _truncnorm_moments(mean, std, a, b)
    assert abs(w.mean() - m) < 0.02 * std
    assert w.std() == pytest.approx(s, rel=0.02)


def test_trunc_normal_far_mean_warns() -> None:
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        w = init.trunc_normal_(ember.empty(100), mean=10.0, std=1.0, a=-1.0, b=1.0)
    assert np.all(np.isfinite(_np(w)))


@pytest.mark.parametrize(("shape", "gain"), [((3, 5), 1.0), ((5, 3), 2.0), ((4, 4), 1.0), ((6, 2, 3, 3), 0.5)])
def test_orthogonal(shape: tuple[int, ...], gain: float) -> None:
    w = _np(init.orthogonal_(ember.empty(*shape, dtype=ember.float64), gain=gain)).reshape(shape[0], -1)
    rows, cols = w.shape
    gram = w @ w.T if rows <= cols else w.T @ w
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(rows, cols)), atol=1e-10)


@pytest.mark.parametrize(("rows", "cols", "sparsity"), [(10, 4, 0.3), (7, 3, 0.0), (5, 5, 1.0), (6, 2, 0.5)])
def test_sparse(rows: int, cols: int, sparsity: float) -> None:
    ember.manual_seed(2)
    w = _np(init.sparse_(ember.empty(rows, cols, dtype=ember.float64), sparsity, std=0.5))
    zeros = (w == 0).sum(axis=0)
    np.testing.assert_array_equal(zeros, np.full(cols, math.ceil(sparsity * rows)))


def test_sparse_zero_rows_differ_between_columns() -> None:
    ember.manual_seed(0)
    w = _np(init.sparse_(ember.empty(50, 20), 0.5))
    patterns = {tuple(np.flatnonzero(w[:, j] == 0)) for j in range(20)}
    assert len(patterns) > 1


def test_deprecated_aliases() -> None:
    with pytest.warns(FutureWarning, match="`nn.init.constant` is now deprecated in favor of `nn.init.constant_`"):
        w = init.constant(ember.empty(2), 3.0)
    np.testing.assert_array_equal(_np(w), [3.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        assert init.xavier_uniform.__name__ == "xavier_uniform"
