"""In-place writes and views: every view of a base sees the base's new history (PyTorch's
``AsStridedBackward0`` regeneration), CopySlices is differentiable twice, and PyTorch's refusals
of in-place writes into views. Expected values and messages were read off live PyTorch 2.13."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.autograd as autograd


def _x():
    return ember.arange(6.0, dtype=ember.float64).reshape(3, 2).requires_grad_()


def test_write_through_one_view_reaches_an_overlapping_view():
    x = _x()
    b = x.clone()
    v, u = b[0], b[:, 0]
    v.mul_(2)
    assert (b.grad_fn.name(), v.grad_fn.name(), u.grad_fn.name()) == (
        "CopySlices", "AsStridedBackward0", "AsStridedBackward0")
    assert u.grad_fn.next_functions[0][0] is b.grad_fn
    (u * ember.tensor([1.0, 10.0, 100.0], dtype=ember.float64)).sum().backward()
    assert x.grad.tolist() == [[2.0, 0.0], [10.0, 0.0], [100.0, 0.0]]  # u[0] is now 2 * x[0, 0]


def test_write_to_base_reaches_its_views():
    x = _x()
    b = x.clone()
    v = b[1:]
    b.mul_(3)
    assert v.grad_fn.name() == "AsStridedBackward0"
    assert [n.name() for n, _ in v.grad_fn.next_functions] == ["MulBackward0"]
    (v * v).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0], [36.0, 54.0], [72.0, 90.0]]


def test_views_of_views_and_expanded_views():
    x = _x()
    b = x.clone()
    vv = b[1:][:, 1]
    ex = b[0].expand(4, 2)
    b[2].add_(x[0] * 5)
    (vv.sum() + ex.sum() * 2 + b.sum()).backward()
    assert x.grad.tolist() == [[14.0, 19.0], [1.0, 2.0], [1.0, 2.0]]


def test_double_backward_through_copy_slices():
    x = _x()
    b = x.clone()
    b[1].mul_(x[2])
    (g,) = autograd.grad((b ** 2).sum(), x, create_graph=True)
    assert g.requires_grad
    assert g.tolist() == [[0.0, 2.0], [64.0, 150.0], [40.0, 100.0]]
    g.sum().backward()
    assert x.grad.tolist() == [[2.0, 2.0], [64.0, 110.0], [42.0, 80.0]]


def _inplace_fn(a, c):
    b = a * 1.5
    w = b.t()  # made before the first write: its history is regenerated twice
    b[1:, ::2].mul_(c)
    w[0, :2].add_(c[:, 0].exp())
    return (b * b).sum() + w.sin().sum()


def test_gradcheck_and_gradgradcheck_through_views():
    rng = np.random.default_rng(0)
    a = ember.tensor(rng.standard_normal((3, 4)), dtype=ember.float64, requires_grad=True)
    c = ember.tensor(rng.standard_normal((2, 2)), dtype=ember.float64, requires_grad=True)
    assert autograd.gradcheck(_inplace_fn, (a, c))
    assert autograd.gradgradcheck(_inplace_fn, (a, c))


def test_detach_view_writes_are_not_recorded():
    x = _x()
    b = x.clone()
    d = b.detach()
    d.mul_(2)
    assert b.grad_fn.name() == "CloneBackward0"
    assert not d.requires_grad and d.grad_fn is None
    b.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0]] * 3


def test_no_grad_write_through_view_made_in_grad_mode_is_allowed():
    x = _x()
    b = x.clone()
    v = b[0]
    with ember.no_grad():
        v.mul_(2)
    assert b.grad_fn.name() == "CloneBackward0"
    assert b.tolist()[0] == [0.0, 2.0]


def test_inplace_on_view_of_leaf_raises():
    x = ember.ones(4, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"^a view of a leaf Variable that requires grad is being used in an in-place"):
        x[0].mul_(2)


@pytest.mark.parametrize(("split", "nr", "op"), [
    (lambda b: b.unbind(0), 2, "Unbind"),
    (lambda b: b.split([1, 3]), 1, "SplitWithSizes"),
    (lambda b: b.chunk(2), 1, "Split"),
    (lambda b: b.split(2), 0, "Split"),
])
def test_inplace_on_output_of_multi_output_view_function_raises(split, nr, op):
    x = ember.ones(4, 2, requires_grad=True)
    outs = split(x.clone())
    msg = (f"Output {nr} of {op} is a view and is being modified inplace. This view is the output of a "
           "function that returns multiple views.")
    with pytest.raises(RuntimeError, match="^" + msg.replace(".", r"\.")):
        outs[nr].mul_(2)


def test_view_made_under_no_grad_then_written_in_grad_mode_raises():
    x = ember.ones(4, 2, requires_grad=True)
    b = x.clone()
    with ember.no_grad():
        v = b[0]
        w = x[1]
    for t in (v, w):
        with pytest.raises(RuntimeError, match=r"^A view was created in no_grad mode and is being modified inplace "
                           r"with grad mode enabled"):
            t.mul_(2)
    assert b.grad_fn.name() == "CloneBackward0"


def test_released_node_keeps_input_shapes():
    # a backward after the graph was freed by a node that saves nothing (mean) still reads shapes
    x = ember.ones(2, 3, requires_grad=True)
    y = x.mean()
    y.backward(retain_graph=True)
    y.backward()
    y.backward()
    assert x.grad.tolist() == [[0.5] * 3] * 2


def test_inplace_on_tensor_split_output_is_allowed():
    x = ember.ones(4, 2, requires_grad=True)
    b = x.clone()
    outs = b.tensor_split(2)
    outs[1].mul_(3)
    assert b.grad_fn.name() == "CopySlices"
    b.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0]] * 2 + [[3.0, 3.0]] * 2


def test_a_view_made_before_its_base_gained_history_takes_that_history():
    # PyTorch regenerates such a view's grad_fn when it is looked at; so does Ember.
    a = ember.ones(3)
    v = a[:2]  # a plain view: a has no history yet
    b = ember.tensor([2.0, 3.0, 4.0], requires_grad=True)
    a.mul_(b)
    assert v.requires_grad and not v.is_leaf and v.grad_fn.name() == "AsStridedBackward0"
    (v * ember.tensor([5.0, 7.0])).sum().backward()
    assert b.grad.tolist() == [5.0, 7.0, 0.0]
    # As the second operand of an op, through grad(), and written in place afterwards.
    a = ember.ones(3)
    u, w = a[1:], a[:2]
    b = ember.tensor([2.0, 3.0, 4.0], requires_grad=True)
    a.mul_(b)
    (g,) = ember.autograd.grad((ember.ones(2) * u).sum(), b, retain_graph=True)
    assert g.tolist() == [0.0, 1.0, 1.0]
    c = ember.tensor([5.0, 7.0], requires_grad=True)
    w.mul_(c)  # the stale view takes its history first, then the write is recorded through it
    a.sum().backward()
    assert b.grad.tolist() == [5.0, 7.0, 1.0] and c.grad.tolist() == [2.0, 3.0]


def test_views_made_after_the_base_gained_history_or_detached_stay_out():
    a = ember.ones(3)
    d = a.detach()
    b = ember.tensor([2.0, 3.0, 4.0], requires_grad=True)
    a.mul_(b)
    assert not d.requires_grad and d.grad_fn is None  # detach() never takes the base's history
    with ember.no_grad():
        n = a[:2]
    assert n.grad_fn is None  # made under no_grad after the base had history
    fresh = a[:2]
    assert fresh.grad_fn.name() == "SliceBackward0"  # made after: recorded as usual
