"""Shape-family rules: views, reshaping, splitting, joining and copying rearrangements.

Every rule is gradchecked and gradgradchecked in float64 on contiguous, transposed
(permuted view) and step-sliced leaves, plus broadcast (expanded) inputs made in the
graph; grad_fn names are PyTorch's; in-place writes through views of a non-leaf reach
the base (CopySlices) with the gradients NumPy gives.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _autograd_helpers import F64
from _autograd_helpers import first as _first
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.autograd
from ember.autograd import gradcheck, gradgradcheck

# -- inputs --------------------------------------------------------------------------------------------

def leaf(shape: tuple[int, ...], layout: str = "contiguous", seed: int = 0) -> ember.Tensor:
    """A float64 leaf requiring grad: contiguous, a permuted view, or a step-2 slice."""
    a = np.random.default_rng(seed).standard_normal(shape)
    if layout == "transposed" and a.ndim >= 2:
        rev = tuple(range(a.ndim))[::-1]
        t = ember.tensor(np.ascontiguousarray(a.transpose(rev)), dtype=F64).permute(*rev)
    elif layout == "stepped" and a.ndim >= 1:
        big = np.zeros((*a.shape[:-1], 2 * a.shape[-1]))
        big[..., ::2] = a
        t = ember.tensor(big, dtype=F64)[..., ::2]
    else:
        t = ember.tensor(a, dtype=F64)
    return t.requires_grad_()


LAYOUTS = ("contiguous", "transposed", "stepped")


# (id, function of the inputs, input shapes, layouts it runs on)
S = (2, 3, 4)
CASES = [
    ("view", lambda a: a.view(2, 3, 2, 2), [S], LAYOUTS),
    ("view_flat", lambda a: a.view(-1), [S], ("contiguous",)),
    ("view_0d", lambda a: a.view(()), [(1, 1)], LAYOUTS),
    ("view_as", lambda a: a.view_as(ember.empty(2, 3, 2, 2)), [S], LAYOUTS),
    ("reshape", lambda a: a.reshape(6, -1), [S], LAYOUTS),
    ("reshape_as", lambda a: a.reshape_as(ember.empty(4, 6)), [S], LAYOUTS),
    ("reshape_empty", lambda a: a.reshape(3, 0), [(0, 3)], ("contiguous",)),
    ("flatten", lambda a: a.flatten(1), [S], LAYOUTS),
    ("flatten_all", lambda a: a.flatten(), [S], LAYOUTS),
    ("flatten_0d", lambda a: a.sum().flatten(), [(2,)], ("contiguous",)),
    ("unflatten", lambda a: a.unflatten(-1, (2, -1)), [S], LAYOUTS),
    ("squeeze", lambda a: a.squeeze(), [(1, 3, 1, 2)], LAYOUTS),
    ("squeeze_dim", lambda a: a.squeeze(-2), [(1, 3, 1, 2)], LAYOUTS),
    ("squeeze_dims", lambda a: a.squeeze((0, 2)), [(1, 3, 1, 2)], LAYOUTS),
    ("unsqueeze", lambda a: a.unsqueeze(-1), [S], LAYOUTS),
    ("unsqueeze_0", lambda a: a.unsqueeze(0), [(3,)], LAYOUTS),
    ("permute", lambda a: a.permute(2, 0, 1), [S], LAYOUTS),
    ("permute_tuple_neg", lambda a: a.permute((-1, 0, -2)), [S], LAYOUTS),
    ("transpose", lambda a: a.transpose(0, -1), [S], LAYOUTS),
    ("swapaxes", lambda a: a.swapaxes(-1, 1), [S], LAYOUTS),
    ("swapdims", lambda a: ember.swapdims(a, 0, 1), [S], LAYOUTS),
    ("t", lambda a: a.t(), [(3, 4)], LAYOUTS),
    ("t_1d", lambda a: a.t(), [(3,)], LAYOUTS),
    ("T", lambda a: a.T, [(3, 4)], LAYOUTS),
    ("mT", lambda a: a.mT, [S], LAYOUTS),
    ("H", lambda a: a.H, [(3, 4)], LAYOUTS),
    ("mH", lambda a: a.mH, [S], LAYOUTS),
    ("adjoint", lambda a: a.adjoint(), [S], LAYOUTS),
    ("movedim", lambda a: a.movedim(0, -1), [S], LAYOUTS),
    ("movedim_seq", lambda a: a.movedim((0, 1), (2, 0)), [S], LAYOUTS),
    ("moveaxis", lambda a: ember.moveaxis(a, -1, 0), [S], LAYOUTS),
    ("expand", lambda a: a.expand(2, -1, 4), [(3, 1)], LAYOUTS),
    ("expand_same", lambda a: a.expand(3, 4), [(3, 4)], LAYOUTS),
    ("expand_as", lambda a: a.expand_as(ember.empty(2, 3, 4)), [(4,)], LAYOUTS),
    ("broadcast_to", lambda a: a.broadcast_to((2, 3, 4)), [(3, 1)], LAYOUTS),
    ("expanded_input", lambda a: (a.expand(2, 3, 4) * 1).transpose(0, 2), [(3, 1)], LAYOUTS),
    ("contiguous", lambda a: a.contiguous(), [S], LAYOUTS),
    ("clone", lambda a: a.clone(), [S], LAYOUTS),
    ("chunk", lambda a: a.chunk(3, -1), [S], LAYOUTS),
    ("split", lambda a: a.split(2, -1), [(2, 3, 5)], LAYOUTS),
    ("split_sizes", lambda a: a.split([1, 3], 2), [S], LAYOUTS),
    ("split_one_piece", lambda a: a.split(4, -1), [S], LAYOUTS),
    ("split_first_only", lambda a: a.split(1, 0)[0], [S], LAYOUTS),
    ("tensor_split", lambda a: a.tensor_split(2, 1), [S], LAYOUTS),
    ("tensor_split_idx", lambda a: a.tensor_split([1, 3], -1), [S], LAYOUTS),
    ("tensor_split_overlap", lambda a: a.tensor_split([3, 1], -1), [S], LAYOUTS),
    ("tensor_split_tensor", lambda a: a.tensor_split(ember.tensor([2]), 2), [S], LAYOUTS),
    ("hsplit", lambda a: a.hsplit(3), [S], LAYOUTS),
    ("vsplit", lambda a: ember.vsplit(a, [1]), [S], LAYOUTS),
    ("dsplit", lambda a: a.dsplit(2), [S], LAYOUTS),
    ("unbind", lambda a: a.unbind(-2), [S], LAYOUTS),
    ("unbind_last_only", lambda a: a.unbind(0)[-1], [S], LAYOUTS),
    ("narrow", lambda a: a.narrow(2, -3, 2), [S], LAYOUTS),
    ("narrow_tensor_start", lambda a: a.narrow(0, ember.tensor(1), 1), [S], LAYOUTS),
    ("unfold", lambda a: a.unfold(2, 2, 1), [S], LAYOUTS),
    ("unfold_gaps", lambda a: a.unfold(-1, 1, 2), [(2, 5)], LAYOUTS),
    ("unfold_overlap", lambda a: a.unfold(0, 3, 1), [(5, 2)], LAYOUTS),
    ("unfold_0d", lambda a: a.sum().unfold(0, 1, 1), [(2,)], ("contiguous",)),
    ("diagonal", lambda a: a.diagonal(), [(3, 4)], LAYOUTS),
    ("diagonal_offset_dims", lambda a: a.diagonal(1, -1, 0), [S], LAYOUTS),
    ("diagonal_neg_offset", lambda a: a.diagonal(-1, 1, 2), [S], LAYOUTS),
    ("diagonal_empty", lambda a: a.diagonal(5), [(3, 4)], ("contiguous",)),
    ("repeat", lambda a: a.repeat(2, 1, 3), [(2, 3)], LAYOUTS),
    ("repeat_zero", lambda a: a.repeat(0, 2), [(2, 3)], ("contiguous",)),
    ("tile", lambda a: a.tile(2), [(2, 3)], LAYOUTS),
    ("tile_more", lambda a: ember.tile(a, (2, 1, 1)), [(2, 3)], LAYOUTS),
    ("repeat_interleave", lambda a: a.repeat_interleave(2, -1), [(2, 3)], LAYOUTS),
    ("repeat_interleave_flat", lambda a: a.repeat_interleave(3), [(2, 3)], LAYOUTS),
    ("repeat_interleave_tensor", lambda a: a.repeat_interleave(ember.tensor([1, 0, 2]), dim=1), [(2, 3)], LAYOUTS),
    ("repeat_interleave_tensor1", lambda a: ember.repeat_interleave(a, ember.tensor([2])), [(2, 3)], LAYOUTS),
    ("flip", lambda a: a.flip(0, -1), [S], LAYOUTS),
    ("flip_tuple", lambda a: ember.flip(a, (1,)), [S], LAYOUTS),
    ("fliplr", lambda a: a.fliplr(), [(3, 4)], LAYOUTS),
    ("flipud", lambda a: ember.flipud(a), [(3, 4)], LAYOUTS),
    ("roll_flat", lambda a: a.roll(5), [(3, 4)], LAYOUTS),
    ("roll_dims", lambda a: a.roll((1, -2), (0, -1)), [(3, 4)], LAYOUTS),
    ("roll_int_dim", lambda a: a.roll(-1, 1), [(3, 4)], LAYOUTS),
    ("rot90", lambda a: a.rot90(), [(3, 4)], LAYOUTS),
    ("rot90_k2", lambda a: a.rot90(2, (1, 2)), [S], LAYOUTS),
    ("rot90_k3", lambda a: a.rot90(-1, [-1, 0]), [S], LAYOUTS),
    ("rot90_k0", lambda a: a.rot90(4), [(3, 4)], LAYOUTS),
    ("tril", lambda a: a.tril(), [S], LAYOUTS),
    ("triu", lambda a: a.triu(-1), [(3, 4)], LAYOUTS),
    ("tril_", lambda a: (a * 1).tril_(1), [(3, 4)], LAYOUTS),
    ("triu_", lambda a: (a * 1).triu_(diagonal=2), [S], LAYOUTS),
    ("diag_vector", lambda a: a.diag(1), [(3,)], LAYOUTS),
    ("diag_matrix", lambda a: a.diag(-1), [(3, 4)], LAYOUTS),
    ("diag_embed", lambda a: a.diag_embed(), [(2, 3)], LAYOUTS),
    ("diag_embed_dims", lambda a: a.diag_embed(1, 0, 2), [(2, 3)], LAYOUTS),
    ("diagflat", lambda a: a.diagflat(-1), [(2, 2)], LAYOUTS),
    ("trace", lambda a: a.trace(), [(3, 4)], LAYOUTS),
    ("trace_tall", lambda a: ember.trace(a), [(4, 2)], LAYOUTS),
    ("atleast_1d", lambda a: ember.atleast_1d(a.sum()), [(2,)], ("contiguous",)),
    ("atleast_2d", lambda a: ember.atleast_2d(a), [(3,)], LAYOUTS),
    ("atleast_3d", lambda a: ember.atleast_3d(a, a.sum()), [(3, 2)], LAYOUTS),
    ("meshgrid", lambda a: ember.meshgrid(a, a[:2], indexing="ij"), [(3,)], LAYOUTS),
    ("meshgrid_xy", lambda a: ember.meshgrid(a, a.sum(), a, indexing="xy"), [(3,)], LAYOUTS),
    ("broadcast_tensors", lambda a, b: ember.broadcast_tensors(a, b), [(3, 1), (4,)], LAYOUTS),
]
LIST_CASES = [
    ("cat", lambda a, b: ember.cat([a, b], -1), [(2, 3), (2, 2)], LAYOUTS),
    ("cat_dim0_kw", lambda a, b: ember.cat(tensors=(a, b.t()), dim=0), [(2, 3), (3, 1)], LAYOUTS),
    ("cat_legacy_empty", lambda a, b: ember.cat([b, a, b], 1), [(2, 3), (0,)], ("contiguous",)),
    ("cat_same_twice", lambda a: ember.cat([a, a * 2, a]), [(2, 3)], LAYOUTS),
    ("cat_empty_piece", lambda a, b: ember.cat([a, b]), [(0, 3), (2, 3)], ("contiguous",)),
    ("stack", lambda a, b: ember.stack([a, b], -1), [(2, 3), (2, 3)], LAYOUTS),
    ("stack_0d", lambda a: ember.stack([a.sum(), a[0, 0]]), [(2, 3)], LAYOUTS),
    ("hstack", lambda a, b: ember.hstack([a, b]), [(2, 3), (2, 1)], LAYOUTS),
    ("vstack", lambda a, b: ember.vstack((a, b)), [(3,), (2, 3)], LAYOUTS),
    ("row_stack", lambda a, b: ember.row_stack((a, b)), [(3,), (3,)], LAYOUTS),
    ("dstack", lambda a, b: ember.dstack([a, b]), [(2, 3), (2, 3)], LAYOUTS),
    ("column_stack", lambda a, b: ember.column_stack([a, b]), [(3,), (3, 2)], LAYOUTS),
    ("cartesian_prod", lambda a, b: ember.cartesian_prod(a, b), [(3,), (2,)], LAYOUTS),
    ("unfold_backward_uses_cat", lambda a: a.narrow(1, 1, 2).diagonal(), [(2, 4)], LAYOUTS),
]


def _inputs(shapes, layout):
    return tuple(leaf(s, layout, seed=i) for i, s in enumerate(shapes))


def _params(cases):
    return [pytest.param(fn, shapes, layout, id=f"{name}-{layout}") for name, fn, shapes, layouts in cases
            for layout in layouts]


def _check(fn, shapes, layout):
    xs = _inputs(shapes, layout)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # x.T on 1-D, meshgrid's default indexing
        assert gradcheck(fn, xs)
        if layout == "contiguous":  # second derivatives do not depend on the input's layout
            assert gradgradcheck(fn, xs)


@pytest.mark.parametrize(("fn", "shapes", "layout"), _params(CASES))
def test_gradcheck(fn, shapes, layout):
    _check(fn, shapes, layout)


@pytest.mark.parametrize(("fn", "shapes", "layout"), _params(LIST_CASES))
def test_gradcheck_list_inputs(fn, shapes, layout):
    _check(fn, shapes, layout)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_block_diag_gradcheck(layout):
    a, b, c = leaf((2, 3), layout), leaf((2,), layout, 1), leaf((1, 1), layout, 2)
    s = ember.tensor(1.5, dtype=F64, requires_grad=True)
    assert gradcheck(lambda *ts: ember.block_diag(*ts), (a, b, s, c))
    assert gradgradcheck(lambda *ts: ember.block_diag(*ts), (a, b, s, c))


# -- values of the gradients (NumPy) --------------------------------------------------------------

@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_permute_reshape_gradient_is_the_inverse_layout(shape, rnd):
    perm = list(range(len(shape)))
    rnd.shuffle(perm)
    x = ember.tensor(np.random.default_rng(1).standard_normal(shape), dtype=F64, requires_grad=True)
    w = np.random.default_rng(2).standard_normal(int(np.prod(shape)))
    y = x.permute(perm).reshape(-1)
    (y * ember.tensor(w, dtype=F64)).sum().backward()
    expected = np.empty(int(np.prod(shape)))
    expected[np.arange(expected.size).reshape(shape).transpose(perm).reshape(-1)] = w
    np.testing.assert_allclose(x.grad.numpy(), expected.reshape(shape))


def test_repeat_and_expand_gradients_sum_the_copies():
    x = ember.tensor([[1.0, 2.0]], dtype=F64, requires_grad=True)
    x.repeat(3, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[6.0, 6.0]])
    x.grad = None
    x.expand(4, 2).backward(ember.ones(4, 2, dtype=F64))
    np.testing.assert_array_equal(x.grad.numpy(), [[4.0, 4.0]])


def test_unfold_gradient_counts_window_overlaps():
    x = ember.zeros(5, dtype=F64, requires_grad=True)
    x.unfold(0, 3, 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 2, 3, 2, 1])


def test_trace_and_diagonal_gradients():
    x = ember.zeros(2, 3, dtype=F64, requires_grad=True)
    x.trace().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.eye(2, 3))
    x.grad = None
    x.diagonal(1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.eye(2, 3, 1))


# -- grad_fn names (PyTorch 2.13's) -------------------------------------------------------------------

M = (3, 4)
NAMES = [
    ("view", lambda a: a.view(12), M, "ViewBackward0"),
    ("view_as", lambda a: a.view_as(ember.empty(12)), M, "ViewBackward0"),
    ("reshape_view", lambda a: a.reshape(2, 6), M, "ViewBackward0"),
    ("reshape_copy", lambda a: a.t().reshape(-1), M, "UnsafeViewBackward0"),
    ("reshape_as", lambda a: a.reshape_as(ember.empty(12)), M, "ViewBackward0"),
    ("flatten", lambda a: a.flatten(), M, "ViewBackward0"),
    ("flatten_copy", lambda a: a.t().flatten(), M, "UnsafeViewBackward0"),
    ("unflatten", lambda a: a.unflatten(1, (2, 2)), M, "ViewBackward0"),
    ("squeeze", lambda a: a[:1].squeeze(), M, "SqueezeBackward0"),
    ("squeeze_dim", lambda a: a[:1].squeeze(0), M, "SqueezeBackward1"),
    ("squeeze_dims", lambda a: a[:1].squeeze((0,)), M, "SqueezeBackward2"),
    ("unsqueeze", lambda a: a.unsqueeze(0), M, "UnsqueezeBackward0"),
    ("permute", lambda a: a.permute(1, 0), M, "PermuteBackward0"),
    ("transpose", lambda a: a.transpose(0, 1), M, "TransposeBackward0"),
    ("swapaxes", lambda a: a.swapaxes(0, 1), M, "TransposeBackward0"),
    ("swapdims", lambda a: a.swapdims(0, 1), M, "TransposeBackward0"),
    ("t", lambda a: a.t(), M, "TBackward0"),
    ("T", lambda a: a.T, M, "PermuteBackward0"),
    ("mT", lambda a: a.mT, M, "TransposeBackward0"),
    ("H", lambda a: a.H, M, "TransposeBackward0"),
    ("mH", lambda a: a.mH, M, "TransposeBackward0"),
    ("adjoint", lambda a: a.adjoint(), M, "TransposeBackward0"),
    ("movedim", lambda a: a.movedim(0, 1), M, "PermuteBackward0"),
    ("moveaxis", lambda a: a.moveaxis(0, 1), M, "PermuteBackward0"),
    ("expand", lambda a: a.expand(2, 3, 4), M, "ExpandBackward0"),
    ("expand_as", lambda a: a.expand_as(ember.empty(2, 3, 4)), M, "ExpandBackward0"),
    ("broadcast_to", lambda a: a.broadcast_to((2, 3, 4)), M, "ExpandBackward0"),
    ("contiguous", lambda a: a.t().contiguous(), M, "CloneBackward0"),
    ("clone", lambda a: a.clone(), M, "CloneBackward0"),
    ("chunk", lambda a: a.chunk(2, 1)[0], M, "SplitBackward0"),
    ("split", lambda a: a.split(2, 1)[0], M, "SplitBackward0"),
    ("split_sizes", lambda a: a.split([1, 3], 1)[0], M, "SplitWithSizesBackward0"),
    ("tensor_split", lambda a: a.tensor_split(2, 1)[0], M, "SliceBackward0"),
    ("hsplit", lambda a: a.hsplit(2)[0], M, "SliceBackward0"),
    ("vsplit", lambda a: a.vsplit([1])[0], M, "SliceBackward0"),
    ("unbind", lambda a: a.unbind(1)[0], M, "UnbindBackward0"),
    ("narrow", lambda a: a.narrow(1, 1, 2), M, "SliceBackward0"),
    ("unfold", lambda a: a.unfold(1, 2, 1), M, "UnfoldBackward0"),
    ("diagonal", lambda a: a.diagonal(), M, "DiagonalBackward0"),
    ("meshgrid", lambda a: ember.meshgrid(a[0], a[1], indexing="ij")[0], M, "ExpandBackward0"),
    ("broadcast_tensors", lambda a: ember.broadcast_tensors(a, ember.zeros(2, 3, 4))[0], M, "ExpandBackward0"),
    ("atleast_2d", lambda a: ember.atleast_2d(a[0]), M, "UnsqueezeBackward0"),
    ("atleast_3d", lambda a: ember.atleast_3d(a[0]), M, "UnsqueezeBackward0"),
    ("atleast_1d_0d", lambda a: ember.atleast_1d(a[0, 0]), M, "ViewBackward0"),
    ("repeat", lambda a: a.repeat(2, 1), M, "RepeatBackward0"),
    ("tile", lambda a: a.tile(2), M, "RepeatBackward0"),
    ("repeat_interleave", lambda a: a.repeat_interleave(2), M, "ViewBackward0"),
    ("repeat_interleave_tensor", lambda a: a.repeat_interleave(ember.tensor([1, 2, 0]), dim=0), M,
     "IndexSelectBackward0"),
    ("flip", lambda a: a.flip(0), M, "FlipBackward0"),
    ("fliplr", lambda a: a.fliplr(), M, "FlipBackward0"),
    ("flipud", lambda a: a.flipud(), M, "FlipBackward0"),
    ("roll", lambda a: a.roll(1, 0), M, "RollBackward0"),
    ("rot90", lambda a: a.rot90(), M, "Rot90Backward0"),
    ("tril", lambda a: a.tril(), M, "TrilBackward0"),
    ("triu", lambda a: a.triu(), M, "TriuBackward0"),
    ("tril_", lambda a: (a * 1).tril_(), M, "TrilBackward0"),
    ("triu_", lambda a: (a * 1).triu_(), M, "TriuBackward0"),
    ("diag_vector", lambda a: a[0].diag(), M, "DiagEmbedBackward0"),
    ("diag_matrix", lambda a: a.diag(), M, "DiagonalBackward0_copy"),
    ("diag_embed", lambda a: a.diag_embed(), M, "DiagEmbedBackward0"),
    ("diagflat", lambda a: a.diagflat(), M, "DiagEmbedBackward0"),
    ("trace", lambda a: a.trace(), M, "TraceBackward0"),
]
LIST_NAMES = [
    ("cat", lambda a: ember.cat([a, a]), M, "CatBackward0"),
    ("stack", lambda a: ember.stack([a, a]), M, "StackBackward0"),
    ("hstack", lambda a: ember.hstack([a, a]), M, "CatBackward0"),
    ("vstack", lambda a: ember.vstack([a[0], a[1]]), M, "CatBackward0"),
    ("dstack", lambda a: ember.dstack([a, a]), M, "CatBackward0"),
    ("column_stack", lambda a: ember.column_stack([a[0], a[1]]), M, "CatBackward0"),
    ("cartesian_prod", lambda a: ember.cartesian_prod(a[0], a[1]), M, "StackBackward0"),
]


def _name(fn, shape):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _first(fn(leaf(shape))).grad_fn.name()


@pytest.mark.parametrize(("fn", "shape", "name"), [pytest.param(*c[1:], id=c[0]) for c in NAMES])
def test_grad_fn_names(fn, shape, name):
    assert _name(fn, shape) == name


@pytest.mark.parametrize(("fn", "shape", "name"), [pytest.param(*c[1:], id=c[0]) for c in LIST_NAMES])
def test_grad_fn_names_list_inputs(fn, shape, name):
    assert _name(fn, shape) == name


def test_block_diag_name():
    assert ember.block_diag(leaf((2, 2)), leaf((1,))).grad_fn.name() == "BlockDiagBackward0"


def test_repr_shows_view_node():
    x = ember.tensor([[1.0, 2.0]], requires_grad=True)
    assert repr(x.view(2)) == "tensor([1., 2.], grad_fn=<ViewBackward0>)"
    assert repr(x.t()) == "tensor([[1.],\n        [2.]], grad_fn=<TBackward0>)"


def test_views_of_leaves_and_results_are_views():
    x = leaf((3, 4))
    for v in (x.view(12), x.t(), x.narrow(0, 1, 1), x.diagonal(), x.unsqueeze(0), x.expand(2, 3, 4)):
        assert v._base is x and v.requires_grad
    assert x.clone()._base is None and x.repeat(1, 1)._base is None


def test_contiguous_of_contiguous_records_nothing():
    x = leaf((3, 4))
    assert x.contiguous() is x
    y = x * 1
    assert y.contiguous() is y and y.contiguous().grad_fn.name() == "MulBackward0"


# -- integer tensors, grad modes ------------------------------------------------------------------------

def test_integer_results_not_recorded():
    x = leaf((2, 3))
    i = ember.arange(6).reshape(2, 3)
    assert not i.t().requires_grad and i.t().grad_fn is None
    assert not i.repeat(2, 1).requires_grad
    with ember.autograd.no_grad():
        assert x.view(6).grad_fn is None and not x.t().requires_grad


def test_cat_with_an_integer_tensor_gives_it_no_gradient():
    x = leaf((2, 3))
    i = ember.arange(6).reshape(2, 3)
    out = ember.cat([x, i])
    assert out.dtype == F64 and out.grad_fn.name() == "CatBackward0"
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3)))
    assert i.grad is None


def test_float32_gradients_keep_the_dtype():
    x = ember.ones(2, 3, requires_grad=True)
    x.t().unsqueeze(0).expand(2, 3, 2).flip(0).sum().backward()
    assert x.grad.dtype == ember.float32
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 3), 2.0))


# -- in-place writes through views of a non-leaf (CopySlices) -------------------------------------------

VIEWS = {
    "view": lambda a: a.view(6, 4), "reshape": lambda a: a.reshape(2, 12), "flatten": lambda a: a.flatten(),
    "unflatten": lambda a: a.unflatten(-1, (2, 2)), "squeeze": lambda a: a.narrow(0, 1, 1).squeeze(0),
    "unsqueeze": lambda a: a.unsqueeze(1), "permute": lambda a: a.permute(1, 2, 0),
    "transpose": lambda a: a.transpose(0, 2), "T": lambda a: a.T, "mT": lambda a: a.mT,
    "movedim": lambda a: a.movedim(0, -1), "narrow": lambda a: a.narrow(2, 1, 2),
    "diagonal": lambda a: a.diagonal(1, 1, 2), "tensor_split": lambda a: a.tensor_split(3, 1)[1],
    "expand_nothing": lambda a: a.expand(1, 2, 3, 4),
    "nested": lambda a: a.transpose(0, 1).narrow(0, 1, 2).diagonal(0, 0, 2),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_inplace_write_through_view(name):
    """``y = x * 1; v = view(y); v.mul_(u)``: gradients of x and u as the out-of-place program."""
    f = VIEWS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        x = leaf((2, 3, 4))
        w = np.random.default_rng(5).standard_normal((2, 3, 4))
        y = x * 1
        v = f(y)
        u = ember.tensor(np.random.default_rng(6).standard_normal(tuple(v.shape)), dtype=F64, requires_grad=True)
        v.mul_(u)
        assert y.grad_fn.name() == "CopySlices"
        (y * ember.tensor(w, dtype=F64)).sum().backward()
        region = f(ember.arange(24).reshape(2, 3, 4)).numpy().reshape(-1)  # flat positions the view covers
    scale = np.ones(24)
    scale[region] = u.detach().numpy().reshape(-1)
    np.testing.assert_allclose(x.grad.numpy().reshape(-1), w.reshape(-1) * scale)
    expected_u = (w.reshape(-1)[region] * x.detach().numpy().reshape(-1)[region]).reshape(tuple(v.shape))
    np.testing.assert_allclose(u.grad.numpy(), expected_u)


# Outputs of multi-output view ops may not be modified in place (torch's rule).
MULTI_OUTPUT_VIEWS = {
    "split": (lambda a: a.split(2, -1)[1], "Output 1 of Split is a view and is being modified inplace"),
    "chunk": (lambda a: a.chunk(2, 0)[1], "Output 1 of Split is a view and is being modified inplace"),
    "unbind": (lambda a: a.unbind(1)[2], "Output 2 of Unbind is a view and is being modified inplace"),
}


@pytest.mark.parametrize("name", sorted(MULTI_OUTPUT_VIEWS))
def test_inplace_on_multi_output_view_raises(name):
    f, message = MULTI_OUTPUT_VIEWS[name]
    y = leaf((2, 3, 4)) * 1
    with pytest.raises(RuntimeError, match=message):
        f(y).mul_(2)


@pytest.mark.parametrize("name", ["view", "transpose", "narrow", "diagonal"])
def test_inplace_view_matches_out_of_place(name):
    """Gradient of x through ``v.mul_(2)`` on a view equals that of ``y * mask`` without in-place ops."""
    f = VIEWS[name]
    x = leaf((2, 3, 4))
    y = x * 1
    f(y).mul_(2)
    (y * y).sum().backward()
    got = x.grad.numpy()
    mask = np.ones(24)
    mask[f(ember.arange(24).reshape(2, 3, 4)).numpy().reshape(-1)] = 2
    x2 = leaf((2, 3, 4))
    y2 = x2 * ember.tensor(mask.reshape(2, 3, 4), dtype=F64)
    (y2 * y2).sum().backward()
    np.testing.assert_allclose(got, x2.grad.numpy())


def test_inplace_through_view_then_backward_through_the_view():
    x = leaf((3, 4))
    y = x * 1
    v = y.t().narrow(0, 1, 2)
    v.mul_(3)
    assert v.grad_fn.name() == "AsStridedBackward0"
    v.sum().backward()
    expected = np.zeros((3, 4))
    expected[:, 1:3] = 3
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_inplace_tril_on_view():
    x = leaf((2, 3, 3))
    y = x * 1
    y[1].tril_()
    y.sum().backward()
    expected = np.ones((2, 3, 3))
    expected[1] = np.tril(np.ones((3, 3)))
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_leaf_view_inplace_is_refused():
    x = leaf((3, 4))
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x.t().mul_(2)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.tril_()


def test_adjoint_of_complex_conjugates_the_gradient():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    g = rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))
    x = ember.tensor(a, dtype=ember.complex128, requires_grad=True)
    for f in (lambda t: t.adjoint(), lambda t: t.mH, lambda t: t.H):
        x.grad = None
        y = f(x)
        assert y.grad_fn.name() == "ConjBackward0"
        y.backward(ember.tensor(g, dtype=ember.complex128))
        np.testing.assert_allclose(x.grad.numpy(), g.conj().T)
    assert x.mT.grad_fn.name() == "TransposeBackward0"
