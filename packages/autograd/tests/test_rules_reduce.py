"""Every reduction and scan rule, gradchecked in float64 over dims, keepdim, keyword and
function forms and contiguous, transposed, step-sliced and expanded inputs; gradgradchecked;
ties, zeros, NaN and degrees-of-freedom edge cases against values worked out with NumPy."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from _autograd_helpers import F64, expanded
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.autograd import grad as autograd_grad
from ember.autograd import gradcheck, gradgradcheck


def make(shape, seed, layout="contiguous", lo=-2.0, hi=2.0):
    """A float64 leaf of ``shape`` with distinct values, laid out as asked."""
    rng = np.random.default_rng(seed)
    if layout == "transposed":
        t = ember.tensor(rng.uniform(lo, hi, size=shape[::-1]), dtype=F64).permute(*range(len(shape))[::-1])
    elif layout == "strided":
        big = rng.uniform(lo, hi, size=(*shape[:-1], 2 * shape[-1]))
        t = ember.tensor(big, dtype=F64)[..., ::2]
    else:
        t = ember.tensor(rng.uniform(lo, hi, size=shape), dtype=F64)
    return t.detach().requires_grad_()


# name: (function of a (2, 3) input, gradgradcheck too)
CASES = {
    "sum": (lambda x: x.sum(), True),
    "sum_dim": (lambda x: x.sum(1), True),
    "sum_dims_keepdim": (lambda x: x.sum(dim=(0, 1), keepdim=True), True),
    "sum_neg_dim_keepdim": (lambda x: x.sum(-1, True), True),
    "sum_empty_dims": (lambda x: x.sum(()), True),
    "sum_fn": (lambda x: ember.sum(x, dim=0), True),
    "mean": (lambda x: x.mean(), True),
    "mean_dim": (lambda x: x.mean(0), True),
    "mean_dims": (lambda x: x.mean((1, 0)), True),
    "mean_keepdim": (lambda x: x.mean(1, keepdim=True), True),
    "mean_fn": (lambda x: ember.mean(x, 1), True),
    "prod": (lambda x: x.prod(), True),
    "prod_dim": (lambda x: x.prod(1), True),
    "prod_keepdim": (lambda x: x.prod(0, keepdim=True), True),
    "prod_fn": (lambda x: ember.prod(x, dim=-1), True),
    "nansum": (lambda x: x.nansum(), True),
    "nansum_dim": (lambda x: x.nansum(1, keepdim=True), True),
    "nanmean": (lambda x: x.nanmean(), True),
    "nanmean_dim": (lambda x: ember.nanmean(x, dim=0), True),
    "max": (lambda x: x.max(), True),
    "max_dim": (lambda x: x.max(1), True),
    "max_dim_keepdim": (lambda x: x.max(dim=0, keepdim=True), True),
    "max_fn": (lambda x: ember.max(x, 1).values, True),
    "min": (lambda x: x.min(), True),
    "min_dim": (lambda x: x.min(-1), True),
    "max_tensor": (lambda x: x.max(x.flip(1)), True),
    "min_tensor": (lambda x: ember.min(x, x * 0.5), True),
    "amax": (lambda x: x.amax(), True),
    "amax_dim": (lambda x: x.amax(1), True),
    "amax_dims_keepdim": (lambda x: x.amax((0, 1), True), True),
    "amin_dim": (lambda x: ember.amin(x, dim=0), True),
    "aminmax": (lambda x: x.aminmax(), True),
    "aminmax_dim": (lambda x: x.aminmax(dim=1), True),
    "aminmax_keepdim": (lambda x: ember.aminmax(x, dim=0, keepdim=True), True),
    "aminmax_max_only": (lambda x: x.aminmax(dim=1).max, True),
    "var": (lambda x: x.var(), True),
    "var_dim": (lambda x: x.var(1), True),
    "var_keepdim": (lambda x: x.var(0, keepdim=True), True),
    "var_unbiased_false": (lambda x: x.var(1, unbiased=False), True),
    "var_correction": (lambda x: x.var(dim=(0, 1), correction=0.5), True),
    "var_legacy": (lambda x: x.var(False), True),
    "std": (lambda x: x.std(), True),
    "std_dim": (lambda x: x.std(1, keepdim=True), True),
    "std_correction": (lambda x: ember.std(x, 0, correction=0), True),
    "var_mean": (lambda x: ember.var_mean(x, 1), True),
    "var_mean_full_keepdim": (lambda x: ember.var_mean(x, keepdim=True, correction=0), True),
    "var_mean_mean_only": (lambda x: ember.var_mean(x, 0)[1], True),
    "std_mean": (lambda x: ember.std_mean(x, (0, 1)), True),
    "std_mean_dim": (lambda x: ember.std_mean(x, dim=1, unbiased=False, keepdim=True), True),
    "logsumexp": (lambda x: x.logsumexp(1), True),
    "logsumexp_dims": (lambda x: x.logsumexp((0, 1)), True),
    "logsumexp_keepdim": (lambda x: ember.logsumexp(x, 0, keepdim=True), True),
    "cumsum": (lambda x: x.cumsum(0), True),
    "cumsum_last": (lambda x: x.cumsum(dim=-1), True),
    "cumsum_fn": (lambda x: ember.cumsum(x, 1), True),
    "cumprod": (lambda x: x.cumprod(1), True),
    "cumprod_first": (lambda x: ember.cumprod(x, dim=0), True),
}


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided", "expanded"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name, layout):
    fn, _ = CASES[name]
    if layout == "expanded":
        fn, layout = expanded(fn), "contiguous"
    x = make((2, 3), 1, layout)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degrees-of-freedom warnings of the expanded var cases
        assert gradcheck(fn, (x,))


@pytest.mark.parametrize("name", sorted(n for n, (_, second) in CASES.items() if second))
def test_gradgradcheck(name):
    fn, _ = CASES[name]
    x = make((2, 3), 2, "transposed")
    assert gradgradcheck(fn, (x,))


def test_three_dims_and_zero_dim():
    x = make((2, 2, 3), 3, "strided")
    for fn in (lambda t: t.sum((0, 2)), lambda t: t.mean((2, 0), True), lambda t: t.amax((0, 2)),
               lambda t: t.var((0, 2)), lambda t: t.logsumexp((1, 2)), lambda t: t.max(1), lambda t: t.prod(1),
               lambda t: t.cumprod(2), lambda t: ember.std_mean(t, (0, 1))):
        assert gradcheck(fn, (x,))
    s = make((), 4)
    for fn in (lambda t: t.sum(), lambda t: t.sum(0), lambda t: t.mean(-1), lambda t: t.prod(), lambda t: t.prod(0),
               lambda t: t.max(), lambda t: t.max(0), lambda t: t.min(0, True), lambda t: t.amax(), lambda t: t.aminmax(),
               lambda t: t.logsumexp(0), lambda t: t.cumsum(0), lambda t: t.cumprod(0), lambda t: t.nansum(),
               lambda t: t.nanmean()):
        assert gradcheck(fn, (s,))
        assert gradgradcheck(fn, (s,))


def test_empty_inputs_give_empty_gradients():
    for fn in (lambda t: t.sum(0), lambda t: t.sum(1), lambda t: t.mean(0), lambda t: t.prod(1), lambda t: t.prod(),
               lambda t: t.nansum(0), lambda t: t.cumsum(0), lambda t: t.cumprod(1), lambda t: t.logsumexp(0)):
        x = ember.zeros(0, 3, dtype=F64, requires_grad=True)
        y = fn(x)
        y.backward(ember.ones(y.shape, dtype=F64))
        assert x.grad.shape == (0, 3)


@settings(max_examples=15, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=0, max_size=3), data=st.data())
def test_random_shapes_dims_keepdim(shape, data):
    shape = tuple(shape)
    x = make(shape, data.draw(st.integers(0, 1000)))
    nd = len(shape)
    dims = tuple(data.draw(st.sets(st.integers(0, nd - 1), min_size=1))) if nd else (0,)
    dim = dims[0]
    keepdim = data.draw(st.booleans())
    op = data.draw(st.sampled_from(["sum", "mean", "amax", "amin", "logsumexp", "var", "nansum", "max", "prod",
                                    "cumsum", "cumprod"]))
    fns = {
        "sum": lambda t: t.sum(dims, keepdim), "mean": lambda t: t.mean(dims, keepdim),
        "amax": lambda t: t.amax(dims, keepdim), "amin": lambda t: t.amin(dims, keepdim),
        "logsumexp": lambda t: t.logsumexp(dims, keepdim), "var": lambda t: t.var(dims, correction=0, keepdim=keepdim),
        "nansum": lambda t: t.nansum(dims, keepdim), "max": lambda t: t.max(dim, keepdim),
        "prod": lambda t: t.prod(dim, keepdim), "cumsum": lambda t: t.cumsum(dim), "cumprod": lambda t: t.cumprod(dim),
    }
    assert gradcheck(fns[op], (x,))


# -- grad_fn names and what is not recorded ---------------------------------------------------

def test_grad_fn_names():
    x = make((2, 3), 5)
    names = {
        "SumBackward0": x.sum(), "SumBackward1": x.sum(0), "MeanBackward0": x.mean(), "MeanBackward1": x.mean(1),
        "ProdBackward0": x.prod(), "ProdBackward1": x.prod(0), "NansumBackward0": x.nansum(),
        "DivBackward0": x.nanmean(), "MaxBackward1": x.max(), "MaxBackward0": x.max(0).values,
        "MinBackward1": x.min(), "MinBackward0": x.min(1).values, "MaximumBackward0": x.max(x),
        "MinimumBackward0": x.min(x), "AmaxBackward0": x.amax(), "AminBackward0": x.amin(0),
        "AminmaxBackward0": x.aminmax().max, "VarBackward0": x.var(1), "StdBackward0": x.std(),
        "VarMeanBackward0": ember.var_mean(x)[0], "StdMeanBackward0": ember.std_mean(x, 1)[1],
        "LogsumexpBackward0": x.logsumexp(1), "CumsumBackward0": x.cumsum(0), "CumprodBackward0": x.cumprod(1),
    }
    for name, y in names.items():
        assert y.grad_fn.name() == name
    assert repr(x.sum()).endswith("grad_fn=<SumBackward0>)")
    assert x.sum(dtype=ember.float32).grad_fn.name() == "SumBackward0"


def test_integer_outputs_and_nondifferentiable_ops_not_recorded():
    x = make((2, 3), 6)
    r = x.max(1)
    assert r.values.requires_grad and not r.indices.requires_grad and r.indices.grad_fn is None
    for y in (x.argmax(), x.argmin(1), x.all(), x.any(0), x.count_nonzero(), (x > 0).sum(), ember.argmax(x, 1)):
        assert not y.requires_grad and y.grad_fn is None


# -- values at ties, zeros, NaN, and degenerate spreads ---------------------------------------

def grad_of(fn, values, grad_out=None):
    x = ember.tensor(values, dtype=F64, requires_grad=True)
    y = fn(x)
    y.backward(ember.ones(y.shape, dtype=F64) if grad_out is None else ember.tensor(grad_out, dtype=F64))
    return x.grad.numpy()


def test_ties_share_or_pick_like_torch():
    np.testing.assert_allclose(grad_of(lambda t: t.max(), [1.0, 3.0, 3.0, 3.0]), [0, 1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(grad_of(lambda t: t.min(), [[1.0, 3.0], [1.0, 2.0]]), [[0.5, 0], [0.5, 0]])
    # along a dim the gradient goes to the one index returned (the first)
    np.testing.assert_allclose(grad_of(lambda t: t.max(1).values, [[1.0, 3.0, 3.0]]), [[0, 1, 0]])
    np.testing.assert_allclose(grad_of(lambda t: t.amax(1), [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], [1.0, 4.0]),
                               [[0, 0.5, 0.5], [2, 2, 0]])
    mn_mx = lambda t: (lambda r: r.min * 2 + r.max * 3)(t.aminmax())  # noqa: E731
    np.testing.assert_allclose(grad_of(mn_mx, [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), [[0, 1.5, 1.5], [0, 0, 2]])
    np.testing.assert_allclose(grad_of(lambda t: t.max(t * 0 + 2), [1.0, 2.0, 3.0]), [0, 0.5, 1])


def test_nan_handling():
    nan = math.nan
    np.testing.assert_allclose(grad_of(lambda t: t.max(), [1.0, nan, 2.0]), [0, 1, 0])
    assert np.isnan(grad_of(lambda t: t.amax(), [1.0, nan, 2.0])).all()  # as torch: 0 ties, grad / 0 * mask
    np.testing.assert_allclose(grad_of(lambda t: t.nansum(), [1.0, nan, 2.0]), [1, 0, 1])
    np.testing.assert_allclose(grad_of(lambda t: t.nanmean(1), [[1.0, nan, 2.0, 4.0], [nan, nan, 3.0, nan]]),
                               [[1 / 3, 0, 1 / 3, 1 / 3], [0, 0, 1, 0]])
    x = make((2, 3), 7)
    with ember.no_grad():
        x[0, 1] = nan
    assert gradcheck(lambda t: t.nansum(1), (x,)) and gradcheck(lambda t: t.nanmean(0), (x,))


def _exclusive_products(a, axis):
    """NumPy reference: the product of every other element along ``axis``, element by element."""
    out = np.empty_like(a)
    for idx in np.ndindex(a.shape):
        line = a[(*idx[:axis], slice(None), *idx[axis + 1:])]
        out[idx] = np.prod(np.delete(line, idx[axis]))
    return out


@pytest.mark.parametrize("values", [
    [[0.0, 2.0, 3.0], [1.5, -1.0, 2.0]],  # one zero
    [[0.0, 2.0, 0.0], [0.0, 2.0, 3.0]],  # two zeros in a row
    [[0.0, 0.0, 0.0], [4.0, 0.5, 2.0]],  # all zeros in a row
])
def test_prod_with_zeros(values):
    a = np.array(values)
    for dim in (0, 1):
        np.testing.assert_allclose(grad_of(lambda t, d=dim: t.prod(d), values), _exclusive_products(a, dim))
        x = ember.tensor(values, dtype=F64, requires_grad=True)
        assert gradcheck(lambda t, d=dim: t.prod(d), (x,))
        assert gradgradcheck(lambda t, d=dim: t.prod(d), (x,))
    full = np.array([np.prod(np.delete(a.ravel(), i)) for i in range(a.size)]).reshape(a.shape)
    np.testing.assert_allclose(grad_of(lambda t: t.prod(), values), full)
    assert gradgradcheck(lambda t: t.prod(), (ember.tensor(values, dtype=F64, requires_grad=True),))


def _cumprod_grad(a, g, axis):
    """NumPy reference: d(sum(g * cumprod(a)))/da by brute force products."""
    a, g = np.moveaxis(a, axis, -1), np.moveaxis(g, axis, -1)
    n = a.shape[-1]
    out = np.zeros_like(a)
    for k in range(n):
        for i in range(k, n):
            others = np.concatenate([a[..., :k], a[..., k + 1:i + 1]], axis=-1)
            out[..., k] += g[..., i] * np.prod(others, axis=-1)
    return np.moveaxis(out, -1, axis)


@pytest.mark.parametrize("values", [
    [[0.0, 2.0, 3.0, 0.5], [1.5, -1.0, 0.0, 2.0]],
    [[2.0, 0.0, 3.0, 0.0], [0.0, 0.0, 1.0, 2.0]],
    [[1.0, 2.0, 3.0, 4.0], [0.5, 0.0, 1.5, 2.0]],
])
def test_cumprod_with_zeros_both_paths(values):
    a = np.array(values)
    g = np.arange(8.0).reshape(2, 4) - 3
    for dim in (0, 1):
        want = _cumprod_grad(a, g, dim)
        x = ember.tensor(values, dtype=F64, requires_grad=True)
        go = ember.tensor(g, dtype=F64)
        np.testing.assert_allclose(grad_of(lambda t, d=dim: t.cumprod(d), values, g), want)  # O(n) path
        (exact,) = autograd_grad(x.cumprod(dim), x, go, create_graph=True)  # O(n^2) path
        np.testing.assert_allclose(exact.detach().numpy(), want)
        assert gradcheck(lambda t, d=dim: t.cumprod(d), (x,))
        assert gradgradcheck(lambda t, d=dim: t.cumprod(d), (x,))


def test_var_std_degenerate_like_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(grad_of(lambda t: t.var(), [3.0])).all()
        assert np.isnan(grad_of(lambda t: t.std(), [3.0])).all()
        np.testing.assert_array_equal(grad_of(lambda t: t.var(1, correction=2), [[3.0, 3.0], [1.0, 2.0]]),
                                      [[np.nan, np.nan], [-np.inf, np.inf]])
        np.testing.assert_array_equal(grad_of(lambda t: t.var(correction=3), [1.0, 2.0, 4.0]), [np.inf] * 3)
        # along a dim a negative dof just scales: 2 / (3 - 4) * (x - mean)
        np.testing.assert_allclose(grad_of(lambda t: t.var(1, correction=4), [[1.0, 2.0, 4.0]]), [[8 / 3, 2 / 3, -10 / 3]])
    # a zero standard deviation has a zero gradient
    np.testing.assert_allclose(grad_of(lambda t: t.std(1), [[3.0, 3.0], [1.0, 2.0]]),
                               [[0, 0], [-1 / math.sqrt(2), 1 / math.sqrt(2)]])


def test_var_matches_numpy_formula():
    a = np.random.default_rng(8).normal(size=(3, 4))
    g = np.random.default_rng(9).normal(size=(4,))
    for corr in (0, 1, 2):
        want = 2 / (3 - corr) * g * (a - a.mean(0, keepdims=True))
        np.testing.assert_allclose(grad_of(lambda t, c=corr: t.var(0, correction=c), a.tolist(), g), want)
        std = a.std(0, ddof=corr)
        np.testing.assert_allclose(grad_of(lambda t, c=corr: t.std(0, correction=c), a.tolist(), g), want / (2 * std))


# -- dtypes and in-place forms ----------------------------------------------------------------

def test_grad_dtype_follows_input():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    x.sum(dtype=F64).backward()
    assert x.grad.dtype == ember.float32
    np.testing.assert_array_equal(x.grad.numpy(), [1, 1])
    y = ember.tensor([[1.0, 2.0]], dtype=F64, requires_grad=True)
    y.cumsum(1, dtype=ember.float32).sum().backward()
    assert y.grad.dtype == F64
    np.testing.assert_array_equal(y.grad.numpy(), [[2, 1]])
    z = ember.tensor([1.0, 4.0], dtype=F64, requires_grad=True)
    z.prod(dtype=ember.float32).backward()
    assert z.grad.dtype == F64
    np.testing.assert_array_equal(z.grad.numpy(), [4, 1])


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_inplace_scans_match_out_of_place(op):
    x = make((2, 3), 10, "transposed")

    def inplace(t):
        h = t * 1.5
        return getattr(h, op + "_")(1)

    def outplace(t):
        return getattr(t * 1.5, op)(1)

    assert inplace(x).grad_fn.name() == outplace(x).grad_fn.name()
    assert gradcheck(inplace, (x,))
    (a,) = autograd_grad(inplace(x).sum(), x)
    (b,) = autograd_grad(outplace(x).sum(), x)
    np.testing.assert_allclose(a.numpy(), b.numpy())


def test_max_min_with_a_tensor_argument():
    a, b = make((2, 3), 11, "transposed"), make((3,), 12)
    for fn in (lambda p, q: p.max(q), lambda p, q: ember.min(p, q)):
        assert gradcheck(fn, (a, b))
        assert gradgradcheck(fn, (a, b))
    p = ember.tensor([1.0, 2.0, 3.0], dtype=F64, requires_grad=True)
    q = ember.tensor([1.0, 3.0, 2.0], dtype=F64, requires_grad=True)
    p.max(q).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), [0.5, 0, 1])
    np.testing.assert_array_equal(q.grad.numpy(), [0.5, 1, 0])
