"""Every sorting and order-statistic rule, gradchecked in float64 over dims, keepdim, keyword
and function forms and contiguous, transposed, step-sliced and expanded inputs; gradgradchecked;
tie and NaN behaviour of the full median; unique's refusal; what is never recorded."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _autograd_helpers import F64, expanded, leaf
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.autograd import gradcheck, gradgradcheck


def make(shape, seed, layout="contiguous"):
    """A float64 leaf of ``shape`` with distinct values (a shuffled grid), laid out as asked."""
    rng = np.random.default_rng(seed)
    n = math.prod(shape)
    values = (rng.permutation(n) - n / 2) * 0.37 + rng.uniform(-0.05, 0.05, size=n)
    return leaf(values.reshape(shape), layout)


# name: function of a (3, 4) input
CASES = {
    "sort": lambda x: x.sort(),
    "sort_dim0": lambda x: x.sort(0),
    "sort_descending": lambda x: x.sort(1, descending=True),
    "sort_stable_kw": lambda x: x.sort(dim=0, stable=True, descending=True),
    "sort_fn": lambda x: ember.sort(x, -1).values,
    "msort": lambda x: x.msort(),
    "msort_fn": lambda x: ember.msort(x),
    "topk": lambda x: x.topk(2),
    "topk_dim0_smallest": lambda x: x.topk(2, dim=0, largest=False),
    "topk_all": lambda x: ember.topk(x, 4, -1),
    "kthvalue": lambda x: x.kthvalue(2),
    "kthvalue_dim_keepdim": lambda x: x.kthvalue(3, -2, True),
    "kthvalue_fn": lambda x: ember.kthvalue(x, 1, dim=1).values,
    "median": lambda x: x.median(),
    "median_dim": lambda x: x.median(1),
    "median_keepdim": lambda x: x.median(dim=0, keepdim=True),
    "median_fn": lambda x: ember.median(x, 0).values,
    "nanmedian": lambda x: x.nanmedian(),
    "nanmedian_dim": lambda x: ember.nanmedian(x, 1, True),
    "mode": lambda x: x.mode(),
    "mode_dim0": lambda x: x.mode(0, keepdim=True),
    "mode_fn": lambda x: ember.mode(x, dim=1).values,
}


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided", "expanded"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name, layout):
    fn = CASES[name]
    if layout == "expanded":
        fn, layout = expanded(fn), "contiguous"
    x = make((3, 4), 1, layout)
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradgradcheck(name):
    x = make((3, 4), 2, "transposed")
    assert gradgradcheck(CASES[name], (x,))


def test_three_dims_zero_dim_and_empty():
    x = make((2, 3, 2), 3, "strided")
    for fn in (lambda t: t.sort(1), lambda t: t.topk(2, 1), lambda t: t.kthvalue(1, 0), lambda t: t.median(2),
               lambda t: t.nanmedian(), lambda t: t.mode(1, True), lambda t: t.msort()):
        assert gradcheck(fn, (x,))
    s = make((), 4)
    for fn in (lambda t: t.sort(), lambda t: t.sort(0, True), lambda t: t.topk(1), lambda t: t.kthvalue(1),
               lambda t: t.median(), lambda t: t.median(0), lambda t: t.nanmedian(-1), lambda t: t.mode()):
        assert gradcheck(fn, (s,))
        assert gradgradcheck(fn, (s,))
    for fn in (lambda t: t.sort(0).values, lambda t: t.topk(0, 1).values, lambda t: t.msort()):
        e = ember.zeros(0, 3, dtype=F64, requires_grad=True)
        y = fn(e)
        y.backward(ember.ones(y.shape, dtype=F64))
        assert e.grad.shape == (0, 3)


@settings(max_examples=15, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3), data=st.data())
def test_random_shapes_dims(shape, data):
    shape = tuple(shape)
    x = make(shape, data.draw(st.integers(0, 1000)), data.draw(st.sampled_from(["contiguous", "transposed", "strided"])))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = shape[dim]
    k = data.draw(st.integers(1, size))
    keepdim = data.draw(st.booleans())
    op = data.draw(st.sampled_from(["sort", "topk", "kthvalue", "median", "nanmedian", "mode"]))
    fns = {
        "sort": lambda t: t.sort(dim, descending=keepdim), "topk": lambda t: t.topk(k, dim, largest=keepdim),
        "kthvalue": lambda t: t.kthvalue(k, dim, keepdim), "median": lambda t: t.median(dim, keepdim),
        "nanmedian": lambda t: t.nanmedian(dim, keepdim), "mode": lambda t: t.mode(dim, keepdim),
    }
    assert gradcheck(fns[op], (x,))


def test_gradient_lands_on_selected_elements():
    x = ember.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]], dtype=F64, requires_grad=True)
    g = ember.tensor([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]], dtype=F64)
    x.sort(1).values.backward(g)  # sorted rows: [1, 2, 3] and [-1, 0.5, 4]
    np.testing.assert_array_equal(x.grad.numpy(), [[30, 10, 20], [50, 60, 40]])
    x.grad = None
    x.topk(2, 1).values.backward(ember.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=F64))
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 0, 2], [4, 3, 0]])
    x.grad = None
    x.kthvalue(2, 0).values.backward(ember.tensor([5.0, 6.0, 7.0], dtype=F64))
    np.testing.assert_array_equal(x.grad.numpy(), [[5, 0, 7], [0, 6, 0]])


def test_full_median_shares_ties_and_follows_nan():
    def grad_of(fn, values):
        t = ember.tensor(values, dtype=F64, requires_grad=True)
        y = fn(t)
        (y if isinstance(y, ember.Tensor) else y.values).backward()
        return t.grad.numpy()

    np.testing.assert_allclose(grad_of(lambda t: t.median(), [2.0, 1.0, 2.0, 1.0]), [0, 0.5, 0, 0.5])
    np.testing.assert_allclose(grad_of(lambda t: t.nanmedian(), [[3.0, 1.0], [3.0, 5.0]]), [[0.5, 0], [0.5, 0]])
    np.testing.assert_allclose(grad_of(lambda t: t.median(), [1.0, math.nan, 2.0]), [0, 1, 0])
    np.testing.assert_allclose(grad_of(lambda t: t.nanmedian(), [1.0, math.nan, 2.0]), [1, 0, 0])
    # along a dim: all of it to the one index returned
    for fn in (lambda t: t.median(0), lambda t: t.mode(0), lambda t: t.kthvalue(3, 0)):
        values = [2.0, 1.0, 2.0, 1.0]
        want = np.zeros(4)
        want[fn(ember.tensor(values)).indices.item()] = 1
        np.testing.assert_allclose(grad_of(fn, values), want)


def test_grad_fn_names_and_integer_outputs():
    x = make((3, 4), 5)
    names = {
        "SortBackward0": x.sort().values, "TopkBackward0": x.topk(2).values, "KthvalueBackward0": x.kthvalue(1).values,
        "MedianBackward0": x.median(), "MedianBackward1": x.median(0).values, "NanmedianBackward0": x.nanmedian(),
        "NanmedianBackward1": x.nanmedian(1).values, "ModeBackward0": x.mode().values,
        "Unique2Backward0": x.unique(), "UniqueDimBackward0": x.unique(dim=0),
        "UniqueConsecutiveBackward0": x.unique_consecutive(),
    }
    for name, y in names.items():
        assert y.grad_fn.name() == name
    assert x.msort().grad_fn.name() == "SortBackward0"
    for r in (x.sort(), x.topk(2), x.kthvalue(1), x.median(0), x.nanmedian(1), x.mode()):
        assert r.values.requires_grad and not r.indices.requires_grad and r.indices.grad_fn is None
    assert not x.argsort().requires_grad and x.argsort(0, descending=True).grad_fn is None
    values, inverse, counts = x.unique(return_inverse=True, return_counts=True)
    assert values.requires_grad and not inverse.requires_grad and not counts.requires_grad
    i = ember.tensor([3.0, 1.0]).sort()
    assert not i.values.requires_grad


@pytest.mark.parametrize("fn,op", [
    (lambda t: t.unique(), "_unique2"),
    (lambda t: t.unique(sorted=False, return_counts=True)[0], "_unique2"),
    (lambda t: ember.unique(t, dim=0), "unique_dim"),
    (lambda t: t.unique_consecutive(), "unique_consecutive"),
    (lambda t: t.unique_consecutive(dim=1), "unique_consecutive"),
])
def test_unique_backward_not_implemented(fn, op):
    x = ember.tensor([[1.0, 2.0], [1.0, 2.0]], requires_grad=True)
    y = fn(x)
    with pytest.raises(NotImplementedError, match=rf"^the derivative for '{op}' is not implemented\.$"):
        y.sum().backward()
