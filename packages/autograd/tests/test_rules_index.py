"""Indexing, gather and scatter rules: gradchecked in float64 over contiguous, transposed and
step-sliced inputs with repeated indices, gradgradchecked, in-place forms against finite
differences, ``x[key] = v`` on non-leaves and views, grad_fn names as torch prints them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.autograd._rules import RULES

LAYOUTS = ("contiguous", "transposed", "strided")
HAS_SUM = "sum" in RULES  # the reduce family's rule (value-tensor gradients are sums)


def make(shape, seed, layout="contiguous", lo=-2.0, hi=2.0):
    """A float64 leaf of ``shape`` with distinct values, laid out as asked."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    vals = rng.permutation(np.linspace(lo, hi, max(n, 1)))[:n].reshape(shape) + rng.uniform(-0.01, 0.01, shape)
    if layout == "transposed" and len(shape) == 2:
        t = ember.tensor(np.ascontiguousarray(vals.T), dtype=ember.float64).t()
    elif layout == "strided" and len(shape) >= 1:
        big = np.zeros((*shape[:-1], 2 * shape[-1]))
        big[..., ::2] = vals
        t = ember.tensor(big, dtype=ember.float64)[..., ::2]
    else:
        t = ember.tensor(vals, dtype=ember.float64)
    return t.detach().requires_grad_()


def i64(v):
    return ember.tensor(v, dtype=ember.int64)


def check(fn, *inputs, second=True):
    assert gradcheck(fn, inputs)
    if second:
        assert gradgradcheck(fn, inputs)


def node(t):
    return type(t.grad_fn).__name__


# -- x[key] ----------------------------------------------------------------------------------

IDX = [0, 2, 0]  # repeated

GETITEM_KEYS = {
    "int": (1, "SelectBackward0"),
    "negative_int": (-1, "SelectBackward0"),
    "step_slice": (slice(0, 3, 2), "SliceBackward0"),
    "full_slice": (slice(None), "SliceBackward0"),
    "col": ((slice(None), 1), "SelectBackward0"),
    "row_then_slice": ((1, slice(1, None)), "SliceBackward0"),
    "full_slices": ((slice(None), slice(None)), "AliasBackward0"),
    "ellipsis": (Ellipsis, "AliasBackward0"),
    "new_axis": ((Ellipsis, None), "UnsqueezeBackward0"),
    "none_first": ((None, slice(1, 3)), "SliceBackward0"),
    "slice_then_none": ((slice(1, 3), None), "UnsqueezeBackward0"),
    "tensor_repeats": ("IDX", "IndexBackward0"),
    "list_repeats": ([0, 2, 0], "IndexBackward0"),
    "cols_repeats": ((slice(None), "IDX2"), "IndexBackward0"),
    "int_and_tensor": ((1, "IDX2"), "IndexBackward0"),
    "tensor_and_int": (("IDX", 2), "IndexBackward0"),
    "broadcast_pair": (("IDXCOL", "IDX2"), "IndexBackward0"),
    "mask": ("MASK", "IndexBackward0"),
    "row_mask": ("ROWMASK", "IndexBackward0"),
    "true": (True, "IndexBackward0"),
    "zero_d_index": ("ZERO_D", "SelectBackward0"),
    "int_and_zero_d_index": ((1, "ZERO_D"), "SelectBackward0"),
    "one_tuple_full_slice": ((slice(None),), "AliasBackward0"),
    "slice_past_the_end": (slice(0, 10), "SliceBackward0"),
    "empty": ("EMPTY", "IndexBackward0"),
}


def _resolve(k):
    table = {
        "IDX": i64(IDX), "IDX2": i64([3, 1, 3]), "IDXCOL": i64([[0], [2]]), "ZERO_D": i64(1),
        "MASK": ember.tensor([[True, False, True, False], [False, False, True, True], [True, True, False, False]]),
        "ROWMASK": ember.tensor([True, False, True]), "EMPTY": ember.tensor([], dtype=ember.int64),
    }
    if isinstance(k, str):
        return table[k]
    if isinstance(k, tuple):
        return tuple(_resolve(v) for v in k)
    return k


@pytest.mark.parametrize("name", sorted(GETITEM_KEYS))
def test_getitem(name):
    key, expected = GETITEM_KEYS[name]
    key = _resolve(key)
    for layout in LAYOUTS:
        x = make((3, 4), 1, layout)
        y = x[key]
        assert node(y) == expected
        if y.numel() and name not in ("empty",):
            check(lambda t: t[key], x, second=layout == "transposed")
    # the gradient against NumPy: ones scattered back, repeats counted
    x = make((3, 4), 2)
    y = x[key]
    y.backward(ember.ones_like(y))
    want = np.zeros((3, 4))
    np.add.at(want, _np_key(key), 1.0)
    np.testing.assert_allclose(x.grad.numpy(), want)


def _np_key(k):
    if isinstance(k, tuple):
        return tuple(_np_key(v) for v in k)
    if isinstance(k, ember.Tensor):
        return k.numpy()
    if k is True:
        return None  # x[True] reads every element once, like x[None]
    return k


def test_getitem_zero_d_and_views_of_views():
    x = make((), 3)
    for key, name in (((), "AliasBackward0"), (None, "UnsqueezeBackward0"), (Ellipsis, "AliasBackward0")):
        assert node(x[key]) == name
        check(lambda t, key=key: t[key] * 1, x)
    x = make((3, 4), 4, "strided")
    check(lambda t: t[1:, ::2][i64([1, 0, 1])][:, 0], x)


def test_getitem_result_is_a_view_with_history():
    x = make((3, 4), 5)
    y = x * 1
    v = y[1]
    assert v._base is y and node(v) == "SelectBackward0"
    assert node(y[i64([0])]) == "IndexBackward0" and y[i64([0])]._base is None


# -- x[key] = value --------------------------------------------------------------------------

SETITEM_CASES = {
    # key, value shape (None: a Python number), node name
    "int_row": (1, (4,), "CopySlices"),
    "slice_broadcast_value": (slice(0, 3, 2), (1, 4), "CopySlices"),
    "column": ((slice(None), 2), (3,), "CopySlices"),
    "number_basic": ((0, slice(1, 3)), None, "CopySlices"),
    "tensor_unique": ("IDXU", (2, 4), "IndexPutBackward0"),
    "tensor_broadcast_value": ("IDXU", (4,), "IndexPutBackward0"),
    "extra_leading_ones": ("IDXU", (1, 1, 4), "IndexPutBackward0"),
    "int_and_tensor": ((1, "IDX2U"), (2,), "IndexPutBackward0"),
    "mask": ("MASK", (6,), "IndexPutBackward0"),
    "mask_number": ("MASK", None, "IndexPutBackward0"),
    "zero_d_value": ("IDXU", (), "IndexPutBackward0"),
    "zero_d_index": ("ZERO_D", (4,), "CopySlices"),
    "ellipsis_number": (Ellipsis, None, "FillBackward3"),
}


def _resolve_set(k):
    table = {
        "IDXU": i64([2, 0]), "IDX2U": i64([3, 1]), "ZERO_D": i64(2),
        "MASK": ember.tensor([[True, False, True, False], [False, False, True, True], [True, True, False, False]]),
    }
    if isinstance(k, str):
        return table[k]
    if isinstance(k, tuple):
        return tuple(_resolve_set(v) for v in k)
    return k


@pytest.mark.parametrize("name", sorted(SETITEM_CASES))
def test_setitem_on_non_leaf(name):
    key, vshape, expected = SETITEM_CASES[name]
    key = _resolve_set(key)
    x = make((3, 4), 6, "transposed")

    def fn(t, v=None):
        y = t * 1
        y[key] = 0.75 if v is None else v
        return y

    if vshape is None:
        y = fn(x)
        assert node(y) == expected
        assert type(y.grad_fn.next_functions[0][0]).__name__ == "MulBackward0"
        check(fn, x)
        return
    v = make(vshape, 7)
    y = fn(x, v)
    assert node(y) == expected
    check(fn, x, v)
    # the same gradients as the out-of-place equivalent (a mask and where)
    g = make((3, 4), 8).detach()
    gx, gv = ember.autograd.grad(fn(x, v), (x, v), g)
    mask = ember.zeros(3, 4, dtype=ember.bool)
    mask[key] = True
    np.testing.assert_allclose(gx.numpy(), np.where(mask.numpy(), 0.0, g.numpy()))
    np.testing.assert_allclose(gv.numpy(), _sum_to(g.numpy()[_np_key(key)], vshape))


def _sum_to(a, shape):
    """``a`` summed down to ``shape`` (the gradient of a value broadcast to ``a.shape``)."""
    if len(shape) > a.ndim:
        a = a.reshape((1,) * (len(shape) - a.ndim) + a.shape)
    a = a.sum(axis=tuple(range(a.ndim - len(shape))))
    return a.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True).reshape(shape)


def test_setitem_value_into_plain_tensor_and_leaf_error():
    v = make((4,), 9)

    def fn(v):
        z = ember.zeros(3, 4, dtype=ember.float64)
        z[i64([0, 2])] = v
        z[1] = v * 2
        return z

    z = fn(v)
    assert z.requires_grad and node(z) == "CopySlices"
    check(fn, v)
    x = ember.zeros(3, 4, dtype=ember.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"a leaf Variable that requires grad is being used in an in-place operation\."):
        x[0] = 1.0
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0][1] = 1.0


def test_setitem_through_views_of_a_non_leaf():
    x = make((3, 4), 11)
    v = make((2,), 12)

    def fn(t, v):
        y = t * 1
        y[0][1:3] = v           # a write into a view of y: CopySlices on y
        y.t()[3][i64([2])] = v[0]  # an advanced write into a transposed view
        return y

    y = fn(x, v)
    assert node(y) == "CopySlices"
    # The engine's CopySlices / AsStridedBackward0 nodes are first-order only.
    check(fn, x, v, second=False)


def test_setitem_without_grad_is_plain():
    x = ember.zeros(2, 3)
    x[0] = 1.0
    assert x.grad_fn is None and not x.requires_grad
    with ember.no_grad():
        y = make((2, 3), 13) * 1
        y[0] = 5.0
    assert y.grad_fn is None


# -- gather-like reads -----------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS)
def test_index_select(layout):
    x = make((3, 4), 14, layout)
    assert node(x.index_select(0, i64(IDX))) == "IndexSelectBackward0"
    check(lambda t: t.index_select(0, i64(IDX)), x, second=layout == "contiguous")
    check(lambda t: ember.index_select(t, -1, i64([3, 3, 1])), x, second=False)
    check(lambda t: t.index_select(1, index=i64(2)), x, second=False)


def test_index_select_zero_d():
    x = make((), 15)
    check(lambda t: t.index_select(0, i64([0])), x)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_gather(layout):
    x = make((3, 4), 16, layout)
    idx = i64([[0, 2, 0, 1], [2, 2, 1, 0]])
    assert node(x.gather(0, idx)) == "GatherBackward0"
    check(lambda t: t.gather(0, idx), x, second=layout == "contiguous")
    check(lambda t: ember.gather(t, 1, i64([[3, 3], [0, 1]])), x, second=False)  # smaller than self in dim 0
    check(lambda t: t.gather(dim=-1, index=i64([[1], [1], [0]])), x, second=False)


def test_take_and_take_along_dim():
    for layout in LAYOUTS:
        x = make((3, 4), 17, layout)
        assert node(x.take(i64([0]))) == "TakeBackward0"
        check(lambda t: t.take(i64([[0, 11], [-1, 5]])), x, second=layout == "strided")
        assert node(x.take_along_dim(i64([[0, 1, 0, 1]]), 0)) == "GatherBackward0"
        check(lambda t: t.take_along_dim(i64([[0, 2, -1, 0]]), 0), x, second=layout == "transposed")
        check(lambda t: ember.take_along_dim(t, i64([5, 5, -2])), x, second=False)
    # self broadcast against the indices: (3, 1) with (3, 2) along dim 0
    x = make((3, 1), 18)
    check(lambda t: t.take_along_dim(i64([[0, 2], [1, 1]]), 0), x)


def test_masked_select():
    mask = ember.tensor([[True, False, True, True], [False, False, False, True], [True, True, False, False]])
    for layout in LAYOUTS:
        x = make((3, 4), 19, layout)
        assert node(x.masked_select(mask)) == "MaskedSelectBackward0"
        check(lambda t: t.masked_select(mask), x, second=layout == "strided")
    row = make((4,), 20)  # self broadcast with the mask
    check(lambda t: ember.masked_select(t, mask), row)


# -- scatter-like writes ---------------------------------------------------------------------

UNIQUE = [[1, 0, 2, 2], [0, 2, 1, 0]]  # no position written twice (per column)
REPEAT = [[1, 0, 2, 2], [1, 0, 2, 2]]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_scatter(layout):
    x, src = make((3, 4), 21, layout), make((2, 4), 22, layout)
    idx = i64(UNIQUE)
    assert node(x.scatter(0, idx, src)) == "ScatterBackward0"
    assert node(x.scatter(0, idx, 1.5)) == "ScatterBackward1"
    check(lambda t, s: t.scatter(0, idx, s), x, src, second=layout == "contiguous")
    check(lambda t: ember.scatter(t, 1, i64([[3], [0], [1]]), value=-2.0), x, second=False)
    big = make((3, 5), 23, layout)  # src larger than index
    check(lambda t, s: t.scatter(0, idx, s), x, big, second=False)
    check(lambda t, s: (t * 1).scatter_(0, idx, s), x, src, second=layout == "transposed")


def test_scatter_with_reduce_has_no_derivative():
    x, src = make((3, 4), 24), make((2, 4), 25)
    with pytest.warns(UserWarning):
        y = x.scatter(0, i64(UNIQUE), src, reduce="add")
    assert node(y) == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
        y.backward(ember.ones_like(y))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_scatter_add(layout):
    x, src = make((3, 4), 26, layout), make((2, 4), 27, layout)
    idx = i64(REPEAT)
    assert node(x.scatter_add(0, idx, src)) == "ScatterAddBackward0"
    check(lambda t, s: t.scatter_add(0, idx, s), x, src, second=layout == "contiguous")
    check(lambda t, s: ember.scatter_add(t, 1, i64([[0, 0], [3, 3], [1, 0]]), s), x, make((3, 3), 28), second=False)
    check(lambda t, s: (t * 1).scatter_add_(0, idx, s), x, src, second=layout == "strided")


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce(reduce, include_self):
    idx = i64(REPEAT)
    for layout in ("contiguous", "transposed"):
        x, src = make((3, 4), 29, layout, 0.5, 2.0), make((2, 4), 30, layout, 0.5, 2.0)
        y = x.scatter_reduce(0, idx, src, reduce, include_self=include_self)
        assert node(y) == "ScatterReduceBackward0"
        check(lambda t, s: t.scatter_reduce(0, idx, s, reduce, include_self=include_self), x, src,
              second=layout == "contiguous")
    big = make((3, 5), 31, "strided", 0.5, 2.0)  # src larger than index
    check(lambda t, s: ember.scatter_reduce(t, 1, i64([[0, 0], [3, 3], [1, 0]]), s, reduce, include_self=include_self),
          x, big, second=False)
    check(lambda t, s: (t * 1).scatter_reduce_(0, idx, s, reduce, include_self=include_self), x, src, second=False)


def test_scatter_reduce_prod_with_zeros():
    x = ember.tensor([[2.0, 0.0, 3.0]], dtype=ember.float64, requires_grad=True)
    src = ember.tensor([[0.0, 5.0, 2.0], [4.0, 0.5, 0.0]], dtype=ember.float64, requires_grad=True)
    idx = i64([[0, 0, 0], [0, 0, 0]])
    assert gradcheck(lambda t, s: t.scatter_reduce(0, idx, s, "prod"), (x, src))
    gx, gs = ember.autograd.grad(x.scatter_reduce(0, idx, src, "prod"), (x, src), ember.ones(1, 3, dtype=ember.float64))
    np.testing.assert_allclose(gx.numpy(), [[0.0, 2.5, 0.0]])
    np.testing.assert_allclose(gs.numpy(), [[8.0, 0.0, 0.0], [0.0, 0.0, 6.0]])


@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_scatter_reduce_ties_split_evenly(reduce):
    x = ember.tensor([3.0, 1.0, 3.0], dtype=ember.float64, requires_grad=True)
    src = ember.tensor([3.0, 3.0, 1.0, 1.0], dtype=ember.float64, requires_grad=True)
    idx = i64([0, 0, 1, 2])
    for include_self in (True, False):
        y = x.scatter_reduce(0, idx, src, reduce, include_self=include_self)
        gx, gs = ember.autograd.grad(y, (x, src), ember.tensor([6.0, 4.0, 2.0], dtype=ember.float64))
        if reduce == "amax":
            # pos 0: value 3 held by self (if included) and two src; pos 1: self 1 and src 1 tie;
            # pos 2: max(3, 1) = 3 from self (src wins alone without self)
            want_x = [2.0, 2.0, 2.0] if include_self else [0.0, 0.0, 0.0]
            want_s = [2.0, 2.0, 2.0, 0.0] if include_self else [3.0, 3.0, 4.0, 2.0]
        else:
            want_x = [0.0, 2.0, 0.0] if include_self else [0.0, 0.0, 0.0]
            want_s = [0.0, 0.0, 2.0, 2.0] if include_self else [3.0, 3.0, 4.0, 2.0]
            if include_self:
                want_x[0], want_s[0], want_s[1] = 2.0, 2.0, 2.0  # min(3, 3, 3) at pos 0
        np.testing.assert_allclose(gx.numpy(), want_x)
        np.testing.assert_allclose(gs.numpy(), want_s)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_index_add(layout):
    x, src = make((3, 4), 32, layout), make((3, 2), 33, layout)
    assert node(x.index_add(0, i64(IDX), make((3, 4), 34))) == "IndexAddBackward0"
    check(lambda t, s: t.index_add(0, i64(IDX), s.t().reshape(3, 2).repeat(1, 2)), x, src, second=layout == "contiguous")
    check(lambda t, s: ember.index_add(t, 1, i64([3, 3]), s, alpha=-1.5), x, src, second=False)
    check(lambda t, s: (t * 1).index_add_(1, i64([0, 0]), s, alpha=2), x, src, second=layout == "strided")


def test_index_copy_and_index_fill():
    for layout in LAYOUTS:
        x, src = make((3, 4), 35, layout), make((3, 2), 36, layout)
        assert node(x.index_copy(1, i64([3, 0]), src)) == "IndexCopyBackward0"
        check(lambda t, s: t.index_copy(1, i64([3, 0]), s), x, src, second=layout == "contiguous")
        check(lambda t, s: (t * 1).index_copy_(1, i64([2, 1]), s), x, src, second=False)
        assert node(x.index_fill(0, i64([0]), 1.0)) == "IndexFillBackward0"
        check(lambda t: t.index_fill(1, i64([0, 0, -1]), 2.5), x, second=layout == "transposed")
        v = ember.tensor(0.5, dtype=ember.float64, requires_grad=True)
        assert node(x.index_fill(0, i64([0]), v)) == "IndexFillBackward1"
        check(lambda t, v: ember.index_fill(t, 0, i64([2, 2, 0]), v), x, v, second=HAS_SUM and layout == "strided")
        check(lambda t, v: (t * 1).index_fill_(0, i64([1]), v), x, v, second=False)


def test_index_copy_zero_d():
    x, s = make((), 37), make((), 38)
    check(lambda t, u: t.index_copy(0, i64([0]), u), x, s)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_index_put(layout):
    x = make((3, 4), 39, layout)
    v = make((2, 4), 40)
    assert node(x.index_put((i64([0, 2]),), v)) == "IndexPutBackward0"
    check(lambda t, u: t.index_put((i64([2, 0]),), u), x, v, second=layout == "contiguous")
    check(lambda t, u: t.index_put((i64([2, 2]),), u, accumulate=True), x, v, second=False)
    w = make((4,), 41)
    check(lambda t, u: ember.index_put(t, [i64([1, 1, 0])], u, True), x, w, second=False)
    mask = ember.tensor([True, False, True])
    check(lambda t, u: (t * 1).index_put_((mask,), u), x, w, second=layout == "transposed")
    check(lambda t, u: (t * 1).index_put_((i64([0, 0]), i64([1, 1])), u[0], accumulate=True), x, w, second=False)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_put(layout):
    x, src = make((3, 4), 42, layout), make((2, 2), 43, layout)
    assert node(x.put(i64([0]), make((1,), 44))) == "PutBackward0"
    check(lambda t, s: t.put(i64([[0, -1], [5, 2]]), s), x, src, second=layout == "contiguous")
    check(lambda t, s: ember.put(t, i64([1, 1, 7, 1]), s, accumulate=True), x, src, second=False)
    check(lambda t, s: (t * 1).put_(i64([3, 4, 0, 11]), s), x, src, second=layout == "strided")


def test_masked_fill():
    mask = ember.tensor([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
    row_mask = ember.tensor([True, False, False, True])
    for layout in LAYOUTS:
        x = make((3, 4), 45, layout)
        assert node(x.masked_fill(mask, 1.0)) == "MaskedFillBackward0"
        check(lambda t: t.masked_fill(mask, 1.0), x, second=layout == "contiguous")
        check(lambda t: (t * 1).masked_fill_(row_mask, -3.0), x, second=False)
        v = ember.tensor(0.25, dtype=ember.float64, requires_grad=True)
        assert node(x.masked_fill(mask, v)) == "MaskedFillBackward1"
        check(lambda t, u: ember.masked_fill(t, row_mask, u), x, v, second=HAS_SUM and layout == "transposed")
        check(lambda t, u: (t * 1).masked_fill_(mask, u), x, v, second=False)
    row = make((4,), 46)  # self broadcast with the mask
    check(lambda t: t.masked_fill(mask, 0.0), row)


def test_masked_scatter():
    mask = ember.tensor([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
    for layout in LAYOUTS:
        x, src = make((3, 4), 47, layout), make((2, 4), 48, layout)  # 8 source values, 6 used
        assert node(x.masked_scatter(mask, src)) == "MaskedScatterBackward0"
        check(lambda t, s: t.masked_scatter(mask, s), x, src, second=layout == "contiguous")
        check(lambda t, s: (t * 1).masked_scatter_(mask, s), x, src, second=False)
    row = make((4,), 49)  # self broadcast with the mask
    check(lambda t, s: ember.masked_scatter(t, mask, s), row, make((7,), 50))


# -- integer results and ops without a derivative ----------------------------------------------

def test_integer_results_are_not_recorded():
    x = make((3, 4), 51)
    for r in (x.nonzero(), x.argwhere(), *x.nonzero(as_tuple=True),
              ember.searchsorted(x.detach().reshape(-1).sort().values.requires_grad_(), x),
              ember.bucketize(x, ember.tensor([-1.0, 0.0, 1.0], dtype=ember.float64, requires_grad=True))):
        assert not r.requires_grad and r.grad_fn is None


def test_bincount_weights_have_no_derivative():
    w = make((3,), 52)
    b = ember.bincount(i64([0, 1, 1]), weights=w)
    assert b.requires_grad and node(b) == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::bincount is not implemented"):
        b.backward(ember.ones_like(b))
    assert not i64([0, 1]).bincount().requires_grad


def test_repeated_index_gradients_against_numpy():
    x = make((4, 3), 53)
    idx = i64([3, 0, 3, 3])
    g = make((4, 3), 54).detach()
    (gx,) = ember.autograd.grad(x.index_select(0, idx), (x,), g)
    want = np.zeros((4, 3))
    np.add.at(want, idx.numpy(), g.numpy())
    np.testing.assert_allclose(gx.numpy(), want)
    (gx,) = ember.autograd.grad(x.take(idx), (x,), g[0, :1].expand(4))
    want = np.zeros(12)
    np.add.at(want, idx.numpy(), g.numpy()[0, 0])
    np.testing.assert_allclose(gx.numpy().reshape(-1), want)


# -- property tests: gradients of reads are the transposed writes (NumPy's add.at) --------------

@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), data=st.data())
def test_getitem_gradient_property(shape, data):
    x = make(tuple(shape), 55, "strided")
    n = shape[0]
    rows = data.draw(st.lists(st.integers(-n, n - 1), max_size=5))
    step = data.draw(st.integers(1, 3))
    key = (i64(rows), slice(None, None, step)) if len(shape) > 1 else i64(rows)
    y = x[key]
    g = ember.tensor(np.random.default_rng(len(rows)).normal(size=tuple(y.shape)), dtype=ember.float64)
    (gx,) = ember.autograd.grad(y, (x,), g)
    want = np.zeros(shape)
    np_key = (np.array(rows, dtype=np.int64), slice(None, None, step)) if len(shape) > 1 else np.array(rows, dtype=np.int64)
    np.add.at(want, np_key, g.numpy())
    np.testing.assert_allclose(gx.numpy(), want)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=3), data=st.data())
def test_gather_and_scatter_add_gradient_property(shape, data):
    dim = data.draw(st.integers(0, len(shape) - 1))
    ishape = [data.draw(st.integers(0, s)) if k != dim else data.draw(st.integers(0, 4)) for k, s in enumerate(shape)]
    rng = np.random.default_rng(sum(ishape))
    idx = rng.integers(0, shape[dim], size=ishape)
    x = make(tuple(shape), 56, "strided")
    g = rng.normal(size=ishape)
    (gx,) = ember.autograd.grad(x.gather(dim, i64(idx)), (x,), ember.tensor(g, dtype=ember.float64))
    want = np.zeros(shape)
    where = tuple(idx if k == dim else np.indices(ishape)[k] for k in range(len(shape)))
    np.add.at(want, where, g)
    np.testing.assert_allclose(gx.numpy(), want)
    src = make(tuple(ishape), 57) if all(ishape) else ember.zeros(ishape, dtype=ember.float64).requires_grad_()
    out = x.scatter_add(dim, i64(idx), src)
    go = rng.normal(size=shape)
    gx, gs = ember.autograd.grad(out, (x, src), ember.tensor(go, dtype=ember.float64))
    np.testing.assert_allclose(gx.numpy(), go)
    np.testing.assert_allclose(gs.numpy(), go[where])


def test_empty_indices():
    x = make((3, 4), 58)
    e = ember.tensor([], dtype=ember.int64)
    z = ember.zeros(0, 4, dtype=ember.float64)
    reads = [lambda t: t.index_select(0, e), lambda t: t.gather(0, e.reshape(0, 4)), lambda t: t.take(e),
             lambda t: t[e], lambda t: t.masked_select(t.detach() > 10), lambda t: t.take_along_dim(e.reshape(0, 4), 0)]
    writes = [lambda t: t.scatter(0, e.reshape(0, 4), z), lambda t: t.index_add(0, e, z), lambda t: t.index_fill(0, e, 1.0),
              lambda t: t.put(e, z.reshape(0)), lambda t: t.scatter_reduce(0, e.reshape(0, 4), z, "amax"),
              lambda t: t.index_put((e,), z)]
    for f in reads + writes:
        y = f(x)
        (g,) = ember.autograd.grad(y, (x,), ember.ones_like(y))
        np.testing.assert_array_equal(g.numpy(), np.zeros((3, 4)) if f in reads else np.ones((3, 4)))
