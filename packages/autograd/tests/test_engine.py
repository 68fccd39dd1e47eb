"""The engine's semantics: leaves, accumulation, graphs, hooks, modes, errors (values by hand)."""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

import ember
import ember.autograd as autograd


def close(t, expected, tol=1e-6):
    np.testing.assert_allclose(t.detach().numpy(), np.asarray(expected, dtype=np.float64), rtol=tol, atol=tol)


# -- tutorial examples, verbatim ---------------------------------------------------------------

def test_tutorial_square():
    x = ember.tensor(3., requires_grad=True)
    y = x**2
    assert repr(y) == "tensor(9., grad_fn=<PowBackward0>)"
    assert str(y) == "tensor(9., grad_fn=<PowBackward0>)"
    y.backward()
    assert repr(x.grad) == "tensor(6.)"


def test_tutorial_log():
    x = ember.tensor(3., requires_grad=True)
    y = (x**2).log()
    y.backward()
    assert repr(x.grad) == "tensor(0.6667)"


def test_repr_requires_grad_and_names():
    x = ember.tensor([1., 2.], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert (x + 1).grad_fn.name() == "AddBackward0"
    assert (1 - x).grad_fn.name() == "RsubBackward1"
    assert (x ** x).grad_fn.name() == "PowBackward1"
    assert (2 ** x).grad_fn.name() == "PowBackward2"
    assert x.exp().grad_fn.name() == "ExpBackward0"
    assert x.clamp(0, 1).grad_fn.name() == "ClampBackward1"


# -- leaves, requires_grad -----------------------------------------------------------------------

def test_leaves_and_propagation():
    x = ember.ones(2, requires_grad=True)
    c = ember.ones(2)
    y = x * c
    assert x.is_leaf and not y.is_leaf and c.is_leaf
    assert y.requires_grad and not (c * c).requires_grad
    assert (c * c).grad_fn is None
    nf = y.grad_fn.next_functions
    assert type(nf[0][0]).__name__ == "AccumulateGrad" and nf[0][0].variable is x
    assert nf[1] == (None, 0)
    # the same leaf has one AccumulateGrad while a graph holds it
    z = x * 3
    assert z.grad_fn.next_functions[0][0] is nf[0][0]


def test_integer_cannot_require_grad():
    msg = "[Oo]nly Tensors of floating point and complex dtype can require gradients"
    with pytest.raises(RuntimeError, match=msg):
        ember.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match=msg):
        ember.ones(2, dtype=ember.int64).requires_grad_()


def test_integer_results_not_recorded():
    x = ember.tensor([1.5, -2.0], requires_grad=True)
    assert not (x > 0).requires_grad
    assert (x > 0).grad_fn is None
    assert not x.isnan().requires_grad


def test_requires_grad_false_on_nonleaf_raises():
    y = ember.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)


# -- backward ------------------------------------------------------------------------------------

def test_accumulates_across_calls_and_broadcasting():
    x = ember.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
    b = ember.tensor([1., 1., 2.], requires_grad=True)
    y = x * b
    y.backward(ember.ones(2, 3))
    close(x.grad, [[1, 1, 2], [1, 1, 2]])
    close(b.grad, [5, 7, 9])
    (x * b).backward(ember.ones(2, 3))
    close(b.grad, [10, 14, 18])


def test_implicit_gradient_only_for_scalars():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        ember.ones(2).backward(ember.ones(2))
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(ember.ones(2))


def test_second_backward_through_freed_graph():
    x = ember.tensor([1., 2.], requires_grad=True)
    y = x * x
    y.backward(ember.ones(2))
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward(ember.ones(2))
    y = x * x
    y.backward(ember.ones(2), retain_graph=True)
    y.backward(ember.ones(2))
    close(x.grad, [2 + 4, 4 + 8])
    # nodes that save nothing can be walked again, as in PyTorch
    z = x + 1
    z.backward(ember.ones(2))
    z.backward(ember.ones(2))


def test_diamond_runs_each_node_once():
    x = ember.tensor([2.], requires_grad=True)
    a = x * 3
    calls = []
    a.grad_fn.register_prehook(lambda g: calls.append(1))
    y = a * a + a.exp()
    y.backward(ember.ones(1))
    assert len(calls) == 1
    close(x.grad, [2 * 6 * 3 + 3 * np.exp(6.0)], tol=1e-4)


def test_long_chain_no_recursion_error():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1
    y.backward(ember.ones(1))
    close(x.grad, [1])


def test_backward_inputs():
    x = ember.tensor([1., 2.], requires_grad=True)
    w = ember.tensor([3., 4.], requires_grad=True)
    (x * w).backward(ember.ones(2), inputs=[w])
    assert x.grad is None
    close(w.grad, [1, 2])


def test_create_graph_second_derivative():
    x = ember.tensor([2.0], requires_grad=True)
    y = x ** 3
    (g,) = autograd.grad(y, x, ember.ones(1), create_graph=True)
    close(g, [12])
    (h,) = autograd.grad(g, x, ember.ones(1))
    close(h, [12])


def test_grad_function():
    x = ember.tensor([1., 2.], requires_grad=True)
    w = ember.tensor([3., 4.], requires_grad=True)
    u = ember.tensor([1., 1.], requires_grad=True)
    y = (x * w).exp()
    gx, gw = autograd.grad(y, (x, w), ember.ones(2), retain_graph=True)
    close(gx, np.exp([3, 8]) * [3, 4], tol=1e-4)
    close(gw, np.exp([3, 8]) * [1, 2], tol=1e-4)
    assert x.grad is None and w.grad is None
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        autograd.grad(y, (x, u), ember.ones(2), retain_graph=True)
    gx, gu = autograd.grad(y, (x, u), ember.ones(2), allow_unused=True, retain_graph=True)
    assert gu is None
    _, gu = autograd.grad(y, (x, u), ember.ones(2), materialize_grads=True)
    close(gu, [0, 0])


def test_grad_of_nonleaf_input():
    x = ember.tensor([1., 2.], requires_grad=True)
    h = x * 2
    y = h * h
    (gh,) = autograd.grad(y, h, ember.ones(2))
    close(gh, [4, 8])


# -- hooks, retain_grad --------------------------------------------------------------------------

def test_retain_grad_and_nonleaf_grad_none():
    x = ember.tensor([1., 2.], requires_grad=True)
    h = x * 2
    h2 = x * 3
    h.retain_grad()
    assert h.retains_grad and not x.retains_grad
    (h * h2).backward(ember.ones(2))
    close(h.grad, [3, 6])
    assert h2.grad is None


def test_tensor_hooks():
    x = ember.tensor([1., 2.], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    h = x * 2
    h.register_hook(lambda g: g + 1)
    h.backward(ember.ones(2))
    assert seen == [[4.0, 4.0]]
    close(x.grad, [40, 40])
    handle.remove()
    x.grad = None
    (x * 2).backward(ember.ones(2))
    close(x.grad, [2, 2])
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        ember.ones(1).register_hook(lambda g: g)


def test_node_hooks():
    x = ember.tensor([1., 2.], requires_grad=True)
    y = x * 2
    log = []
    y.grad_fn.register_hook(lambda gi, go: log.append((len(gi), len(go))))
    y.grad_fn.register_prehook(lambda go: (go[0] * 3,))
    y.backward(ember.ones(2))
    assert log == [(2, 1)]
    close(x.grad, [6, 6])


# -- in-place ---------------------------------------------------------------------------------

def test_inplace_on_leaf_raises():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        x.mul_(2)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x += 1
    with ember.no_grad():
        x.mul_(2)
    close(x, [2, 2])


def test_inplace_on_nonleaf_matches_out_of_place():
    a = ember.tensor([1., 2., 3.], requires_grad=True)
    b = a * 2
    b.mul_(a)
    assert b.grad_fn.name() == "MulBackward0"
    b.backward(ember.ones(3))
    close(a.grad, [4, 8, 12])
    a.grad = None
    c = a * 0.5
    c.exp_()
    c.backward(ember.ones(3))
    close(a.grad, np.exp(np.array([1, 2, 3]) * 0.5) * 0.5, tol=1e-5)


def test_inplace_through_view_copyslices():
    a = ember.tensor([1., 2., 3.], requires_grad=True)
    c = a * 1
    v = c.detach()  # a view without history: the write still reaches c's graph through CopySlices
    del v
    base = a * 1
    view = base[0:2] if base[0:2].requires_grad else base.narrow(0, 0, 2)
    view.mul_(3)
    assert base.grad_fn.name() == "CopySlices"
    base.backward(ember.ones(3))
    close(a.grad, [3, 3, 1])


def test_version_counter_error():
    x = ember.tensor([1., 2., 3.], requires_grad=True)
    h = x * 1
    z = h * h
    h.add_(1)
    with pytest.raises(RuntimeError, match=r"one of the variables needed for gradient computation has been modified "
                       r"by an inplace operation: \[ember.FloatTensor \[3\]\], which is output 0 of AddBackward0, is "
                       r"at version 1; expected version 0 instead"):
        z.backward(ember.ones(3))
    e = x.exp()
    e.add_(1)  # exp saved its output
    with pytest.raises(RuntimeError, match="which is output 0 of ExpBackward0, is at version 1; expected version 0"):
        e.backward(ember.ones(3))


def test_detach_and_data():
    x = ember.tensor([1., 2.], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None
    d.zero_()
    close(y, [0, 0])  # shares memory
    y.detach_()
    assert y.is_leaf and not y.requires_grad
    data = x.data
    assert not data.requires_grad
    data.fill_(5)
    close(x, [5, 5])
    x.data = ember.tensor([7., 8.])
    close(x, [7, 8])
    assert x.requires_grad


# -- modes ---------------------------------------------------------------------------------------

def test_grad_modes():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        assert not ember.is_grad_enabled()
        assert not (x * 2).requires_grad
        with ember.enable_grad():
            assert (x * 2).requires_grad
    assert ember.is_grad_enabled()
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    ember.set_grad_enabled(False)
    assert not ember.is_grad_enabled()
    ember.set_grad_enabled(True)
    with ember.inference_mode():
        assert not (x * 2).requires_grad and autograd.is_inference_mode_enabled()

    @ember.no_grad()
    def f():
        return x * 2

    assert not f().requires_grad

    @ember.no_grad()
    def gen():
        yield x * 2

    assert not next(gen()).requires_grad


def test_grad_mode_is_thread_local():
    seen = []
    with ember.no_grad():
        t = threading.Thread(target=lambda: seen.append(ember.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


# -- memory --------------------------------------------------------------------------------------

def test_training_loop_graph_is_freed():
    w = ember.randn(4, 4, requires_grad=True)
    refs = []
    for _ in range(20):
        h = (w * w).exp()
        loss = h * 2
        refs.append(weakref.ref(h))
        refs.append(weakref.ref(loss.grad_fn))
        loss.backward(ember.ones(4, 4))
        with ember.no_grad():
            w.sub_(w.grad * 0.001)
        w.grad = None
    del h, loss
    assert all(r() is None for r in refs)  # without gc: no reference cycles


def test_saved_tensors_released_after_backward():
    x = ember.randn(3, requires_grad=True)
    h = x * 2
    y = h.exp() * h
    ref = weakref.ref(h)
    del h
    gc.collect()
    assert ref() is not None  # saved by MulBackward0
    y.backward(ember.ones(3))
    assert ref() is None  # released after backward


# -- Function, gradcheck, anomaly ---------------------------------------------------------------

class Cube(autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        return x ** 3 * k

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x ** 2 * ctx.k, None


def test_function():
    x = ember.tensor([1., 2.], dtype=ember.float64, requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "CubeBackward"
    y.backward(ember.ones(2, dtype=ember.float64))
    close(x.grad, [6, 24])
    assert autograd.gradcheck(lambda t: Cube.apply(t, 2.0), (x,))
    assert autograd.gradgradcheck(lambda t: Cube.apply(t, 2.0), (x,))


def test_function_non_differentiable_and_wrong_count():
    class Split(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = (x > 0).to(ember.float32)
            ctx.mark_non_differentiable(idx)
            return x * 2, idx

        @staticmethod
        def backward(ctx, g, gi):
            return g * 2, g

    x = ember.tensor([1., -1.], requires_grad=True)
    y, idx = Split.apply(x)
    assert y.requires_grad and not idx.requires_grad
    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
        y.backward(ember.ones(2))


def test_gradcheck_failure_message():
    class Wrong(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    with pytest.raises(autograd.GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        autograd.gradcheck(Wrong.apply, (x,))
    assert autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


def test_detect_anomaly_names_the_op():
    x = ember.tensor([-1., 1.], requires_grad=True)
    with pytest.warns(UserWarning), autograd.detect_anomaly():
        y = x.sqrt()
        with pytest.raises(RuntimeError, match=r"Function .SqrtBackward0. returned nan values in its 0th output\."):
            y.backward(ember.ones(2))


def test_grad_with_batched_grad_outputs_is_the_jacobian():
    x = ember.tensor([0.5, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = (x * x).sin()
    (jac,) = ember.autograd.grad(y, x, ember.eye(3, dtype=ember.float64), is_grads_batched=True)
    expected = np.diag(np.cos(x.detach().numpy() ** 2) * 2 * x.detach().numpy())
    np.testing.assert_allclose(jac.numpy(), expected, rtol=1e-12)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        ember.autograd.grad(y, x, ember.ones(3, dtype=ember.float64))  # the last slice freed the graph
    z = x * 3
    (gz,) = ember.autograd.grad(z, x, ember.ones(2, 3, dtype=ember.float64), is_grads_batched=True, retain_graph=True)
    np.testing.assert_allclose(gz.numpy(), np.full((2, 3), 3.0))
    with pytest.raises(RuntimeError, match="one batch size"):
        ember.autograd.grad((z, z), (x,), (ember.ones(2, 3), ember.ones(4, 3)), is_grads_batched=True)
