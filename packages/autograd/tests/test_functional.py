"""ember.autograd.functional: values against hand-derived derivatives and central finite
differences (float64), PyTorch's return structures and error messages."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp

F64 = ember.float64


def exact(message):
    """A ``match=`` pattern for exactly ``message``."""
    return "^" + re.escape(message) + "$"


def t64(a):
    return ember.tensor(np.asarray(a, dtype=np.float64))


def npy(t):
    return t.detach().numpy()


def close(t, expected, tol=1e-7):
    np.testing.assert_allclose(npy(t), np.asarray(expected, dtype=np.float64), rtol=tol, atol=tol)


class Total(ember.autograd.Function):
    """x.sum() as a custom Function (a reduction whose backward is one recorded, differentiable mul)."""

    @staticmethod
    def forward(ctx, x):
        ctx.shape = tuple(x.shape)
        return x.sum()

    @staticmethod
    def backward(ctx, g):
        return g * ember.ones(ctx.shape, dtype=g.dtype)


def numeric_jacobian(f, arrays, eps=1e-6):
    """Central differences: result[i][j] has shape out_i.shape + in_j.shape."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]

    def call(arrs):
        out = f(*[t64(a) for a in arrs])
        outs = out if isinstance(out, tuple) else (out,)
        return [npy(o) for o in outs]

    base = call(arrays)
    jac = [[np.zeros(o.shape + a.shape) for a in arrays] for o in base]
    for j, a in enumerate(arrays):
        for k in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[j][k] += eps
            minus[j][k] -= eps
            for i, (p, m) in enumerate(zip(call(plus), call(minus), strict=True)):
                jac[i][j][(..., *k)] = (p - m) / (2 * eps)
    return jac


# -- jacobian --------------------------------------------------------------------------------------

def test_jacobian_elementwise_analytic():
    x = t64([0.5, -1.0, 2.0])
    jac = jacobian(lambda x: x.sin() * x, x)
    xn = npy(x)
    close(jac, np.diag(np.cos(xn) * xn + np.sin(xn)))
    assert jac.grad_fn is None and not jac.requires_grad
    assert jac.dtype == F64


def test_jacobian_structure_single_and_tuples():
    x, y = t64([1.0, 2.0]), t64([3.0, 4.0, 5.0])
    # one input, one output: a tensor
    assert isinstance(jacobian(lambda a: a * 2, x), ember.Tensor)
    # tuple of one input: a tuple over inputs
    r = jacobian(lambda a: a * 2, (x,))
    assert isinstance(r, tuple) and len(r) == 1 and tuple(r[0].shape) == (2, 2)
    # tuple of outputs, one input: a tuple over outputs
    r = jacobian(lambda a: (a * 2, a.exp()), x)
    assert isinstance(r, tuple) and len(r) == 2 and all(isinstance(e, ember.Tensor) for e in r)
    # tuples of both: outputs, then inputs; blocks are out.shape + in.shape
    r = jacobian(lambda a, b: (a * 2, b.exp()), (x, y))
    assert len(r) == 2 and all(len(row) == 2 for row in r)
    assert [[tuple(b.shape) for b in row] for row in r] == [[(2, 2), (2, 3)], [(3, 2), (3, 3)]]
    close(r[0][1], np.zeros((2, 3)))  # independent: zeros, not None
    close(r[1][1], np.diag(np.exp([3.0, 4.0, 5.0])))


def test_jacobian_broadcasting_matches_finite_differences():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 1)), rng.standard_normal((1, 4))

    def f(x, y):
        return (x * y).tanh(), x.exp() + y

    jac = jacobian(f, (t64(a), t64(b)))
    num = numeric_jacobian(f, [a, b])
    for i in range(2):
        for j in range(2):
            assert tuple(jac[i][j].shape) == num[i][j].shape
            close(jac[i][j], num[i][j], tol=1e-6)


def test_jacobian_forward_mode_and_vectorize_agree_with_reverse():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal(3)

    def f(x, y):
        return x * y.sin(), (x ** 2).log1p()

    rev = jacobian(f, (t64(a), t64(b)))
    fwd = jacobian(f, (t64(a), t64(b)), strategy="forward-mode")
    vec = jacobian(f, (t64(a), t64(b)), vectorize=True)
    both = jacobian(f, (t64(a), t64(b)), vectorize=True, strategy="forward-mode")
    for other in (fwd, vec, both):
        for i in range(2):
            for j in range(2):
                close(other[i][j], npy(rev[i][j]), tol=1e-12)
    num = numeric_jacobian(f, [a, b])
    close(rev[0][1], num[0][1], tol=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple),
    layout=st.sampled_from(["contiguous", "transposed", "stepped", "expanded"]),
    strategy=st.sampled_from(["reverse-mode", "forward-mode"]),
)
def test_jacobian_property_vs_finite_differences(shape, layout, strategy):
    rng = np.random.default_rng(abs(hash((shape, layout))) % 2**32)
    base = rng.uniform(0.5, 1.5, size=shape)
    if layout == "transposed" and len(shape) >= 2:
        x = t64(np.ascontiguousarray(np.swapaxes(base, 0, 1))).transpose(0, 1)
    elif layout == "stepped" and len(shape) >= 1:
        big = np.repeat(base, 2, axis=-1)
        x = t64(big)[..., ::2]
        base = big[..., ::2]
    elif layout == "expanded" and len(shape) >= 1 and shape[-1] > 0:
        row = base[..., :1]
        x = t64(row).expand(*shape)
        base = np.broadcast_to(row, shape).copy()
    else:
        x = t64(base)

    def f(v):
        return v.sqrt() * v.cos()

    jac = jacobian(f, x, strategy=strategy)
    assert tuple(jac.shape) == shape + shape
    expected = np.diag((0.5 / np.sqrt(base) * np.cos(base) - np.sqrt(base) * np.sin(base)).ravel())
    close(jac.reshape(base.size, base.size), expected, tol=1e-9)
    if base.size:
        close(jac, numeric_jacobian(f, [base])[0][0], tol=1e-6)


def test_jacobian_create_graph_is_differentiable():
    x = t64([0.3, 0.7]).requires_grad_()
    jac = jacobian(lambda a: a ** 3, x, create_graph=True)
    assert jac.requires_grad
    # d/dx of the diagonal 3x^2 is 6x
    (g,) = ember.autograd.grad(Total.apply(jac), x)
    close(g, 6 * np.array([0.3, 0.7]))
    jac0 = jacobian(lambda a: a ** 3, x)
    assert not jac0.requires_grad and jac0.grad_fn is None


def test_jacobian_does_not_touch_inputs_or_grad():
    x = t64([1.0, 2.0]).requires_grad_()
    jacobian(lambda a: a * a, x)
    assert x.grad is None and x.is_leaf and x.requires_grad
    y = t64([1.0, 2.0])
    jacobian(lambda a: a * a, y)
    assert not y.requires_grad


def test_jacobian_empty_shapes():
    assert tuple(jacobian(lambda a: a * 2, ember.zeros(0, dtype=F64)).shape) == (0, 0)
    assert tuple(jacobian(lambda a: a * 2, ember.zeros(2, 0, dtype=F64)).shape) == (2, 0, 2, 0)
    close(jacobian(lambda a: a * 2, t64(3.0)), 2.0)


def test_jacobian_of_unconnected_output_is_zero():
    x = t64([1.0, 2.0, 3.0])
    close(jacobian(lambda a: a.detach(), x), np.zeros((3, 3)))
    close(jacobian(lambda a: ember.ones(2, dtype=F64), x), np.zeros((2, 3)))


def test_jacobian_errors():
    x = t64([1.0, 2.0, 3.0])
    with pytest.raises(AssertionError, match=re.escape('Expected strategy to be either "forward-mode" or "reverse-mode". Hint')):
        jacobian(lambda a: a, x, strategy="foo")
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not require gradients"):
        jacobian(lambda a: a.detach(), x, strict=True)
    with pytest.raises(RuntimeError, match=exact("Output 0 of the user-provided function is independent of input 1. "
                       "This is not allowed in strict mode.")):
        jacobian(lambda a, b: a * 2, (x, x), strict=True)
    with pytest.raises(RuntimeError, match="`strict=True` and `vectorized=True` are not supported together"):
        jacobian(lambda a: a * 2, x, strict=True, vectorize=True)
    with pytest.raises(RuntimeError, match='`strict=True` and `strategy="forward-mode"` are not supported'):
        jacobian(lambda a: a * 2, x, strict=True, strategy="forward-mode")
    with pytest.raises(TypeError, match=r"^The inputs given to jacobian must be either a Tensor or a tuple of "
                       r"Tensors but the given inputs has type <class 'list'>.$"):
        jacobian(lambda a: a, [x])
    with pytest.raises(TypeError, match=r"but the value at index 1 has type <class 'float'>"):
        jacobian(lambda a, b: a, (x, 1.0))
    with pytest.raises(TypeError, match=r"The outputs of the user-provided function given to jacobian must be "
                       r"either a Tensor or a tuple of Tensors but the given outputs of the user-provided "
                       r"function has type <class 'float'>."):
        jacobian(lambda a: 1.0, x)


# -- vjp / jvp -------------------------------------------------------------------------------------

def test_vjp_values_and_structure():
    rng = np.random.default_rng(2)
    a, b, v = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(3)
    out, res = vjp(lambda x, y: x.exp() * y, (t64(a), t64(b)), t64(v))
    close(out, np.exp(a) * b)
    assert isinstance(res, tuple) and len(res) == 2
    close(res[0], v * np.exp(a) * b)
    close(res[1], v * np.exp(a))
    assert out.grad_fn is None and res[0].grad_fn is None
    # single input -> single tensor; scalar output -> v may be left out
    out, res = vjp(lambda x: Total.apply(x ** 2), t64(a))
    assert isinstance(res, ember.Tensor)
    close(out, (a ** 2).sum())
    close(res, 2 * a)
    # tuple outputs need a tuple v
    out, res = vjp(lambda x: (x * 2, x * x), t64(a), (t64(v), t64(v)))
    assert isinstance(out, tuple)
    close(res, 2 * v + 2 * a * v)


def test_vjp_against_finite_differences():
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.5, 2, (2, 3)), rng.uniform(0.5, 2, (1, 3))
    v = rng.standard_normal((2, 3))

    def f(x, y):
        return x.log() * y.sigmoid() + x / y

    _, (gx, gy) = vjp(f, (t64(a), t64(b)), t64(v))
    num = numeric_jacobian(f, [a, b])[0]
    close(gx, np.tensordot(v, num[0], axes=2), tol=1e-6)
    close(gy, np.tensordot(v, num[1], axes=2), tol=1e-6)


def test_vjp_unused_input_is_zero_and_strict_errors():
    x = t64([1.0, 2.0])
    _, (gx, gy) = vjp(lambda a, b: a * 3, (x, x), t64([1.0, 1.0]))
    close(gx, [3.0, 3.0])
    close(gy, [0.0, 0.0])
    with pytest.raises(RuntimeError, match=exact("The output of the user-provided function is independent of input 1. "
                       "This is not allowed in strict mode.")):
        vjp(lambda a, b: a * 3, (x, x), t64([1.0, 1.0]), strict=True)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not require gradients"):
        vjp(lambda a: a.detach(), x, t64([1.0, 1.0]), strict=True)


def test_vjp_v_errors():
    x = t64([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=exact("The vector v can only be None if the user-provided function returns a "
                       "single Tensor with a single element.")):
        vjp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match=r"^v has invalid size: should be ember.Size\(\[3\]\) but got "
                       r"ember.Size\(\[2\]\).$"):
        vjp(lambda a: a * 2, x, t64([1.0, 2.0]))
    with pytest.raises(RuntimeError, match=exact("v is a tuple of invalid length: should be 2 but got 1.")):
        vjp(lambda a: (a * 2, a), x, t64([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match=r"^Entry 1 in v has invalid size"):
        vjp(lambda a: (a * 2, a), x, (x, t64([1.0])))
    with pytest.raises(RuntimeError, match=exact("The given v should contain a single Tensor.")):
        vjp(lambda a: a * 2, x, (x, x))
    with pytest.raises(TypeError, match="The v given to vjp must be either a Tensor or a tuple of Tensors"):
        vjp(lambda a: a * 2, x, [1.0, 2.0, 3.0])


def test_vjp_create_graph_keeps_history():
    x = t64([0.5, 1.5]).requires_grad_()
    out, g = vjp(lambda a: a ** 3, x, t64([1.0, 1.0]), create_graph=True)
    assert out.requires_grad and g.requires_grad
    (gg,) = ember.autograd.grad(Total.apply(g), x)  # d/dx 3x^2 = 6x
    close(gg, [3.0, 9.0])


def test_jvp_values_structure_and_finite_differences():
    rng = np.random.default_rng(4)
    a, b = rng.uniform(0.5, 2, (2, 3)), rng.uniform(0.5, 2, (1, 3))
    va, vb = rng.standard_normal((2, 3)), rng.standard_normal((1, 3))

    def f(x, y):
        return x.log() * y.sigmoid(), (x * y).sin()

    out, res = jvp(f, (t64(a), t64(b)), (t64(va), t64(vb)))
    assert isinstance(out, tuple) and isinstance(res, tuple) and len(res) == 2
    num = numeric_jacobian(f, [a, b])
    for i in range(2):
        expected = np.tensordot(num[i][0], va, axes=2) + np.tensordot(num[i][1], vb, axes=2)
        close(res[i], expected, tol=1e-6)
    # single input, single output; v may be left out for a one-element input
    out, res = jvp(lambda x: x ** 3, t64(2.0))
    close(out, 8.0)
    close(res, 12.0)
    assert res.grad_fn is None


def test_jvp_unconnected_output_is_zero_and_errors():
    x = t64([1.0, 2.0])
    _, res = jvp(lambda a: (a * 2, ember.ones(3, dtype=F64)), x, t64([1.0, 1.0]))
    close(res[0], [2.0, 2.0])
    close(res[1], np.zeros(3))
    with pytest.raises(RuntimeError, match=exact("The vector v can only be None if the input to the user-provided "
                       "function is a single Tensor with a single element.")):
        jvp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be ember.Size\(\[2\]\)"):
        jvp(lambda a: a * 2, x, t64([1.0]))
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not require gradients"):
        jvp(lambda a: a.detach(), x, x, strict=True)


def test_jvp_create_graph():
    x = t64([0.5, 1.5]).requires_grad_()
    _, res = jvp(lambda a: a ** 3, x, t64([1.0, 2.0]), create_graph=True)
    close(res, 3 * np.array([0.25, 2.25]) * [1.0, 2.0])
    assert res.requires_grad
    (g,) = ember.autograd.grad(Total.apply(res), x)
    close(g, 6 * np.array([0.5, 1.5]) * [1.0, 2.0])


# -- hessian / vhp / hvp ---------------------------------------------------------------------------

def test_hessian_of_sum_of_cubes_is_diagonal():
    a = np.array([0.5, -1.0, 2.0])
    h = hessian(lambda x: Total.apply(x ** 3), t64(a))
    assert isinstance(h, ember.Tensor) and tuple(h.shape) == (3, 3)
    close(h, np.diag(6 * a))
    assert not h.requires_grad


def test_hessian_mixed_terms_and_structure():
    # f(x, y) = x^2 sin(y): H = [[2 sin y, 2x cos y], [2x cos y, -x^2 sin y]]
    x, y = 2.0, 1.0
    expected = [[2 * np.sin(y), 2 * x * np.cos(y)], [2 * x * np.cos(y), -x * x * np.sin(y)]]
    for strategy in ("reverse-mode", "forward-mode"):
        h = hessian(lambda a, b: a ** 2 * b.sin(), (t64(x), t64(y)), outer_jacobian_strategy=strategy)
        assert isinstance(h, tuple) and len(h) == 2 and all(len(r) == 2 for r in h)
        for i in range(2):
            for j in range(2):
                close(h[i][j], expected[i][j])


def test_hessian_vector_blocks_vs_finite_differences():
    rng = np.random.default_rng(5)
    a, b = rng.uniform(0.5, 1.5, 2), rng.uniform(0.5, 1.5, 3)

    def f(x, y):
        return Total.apply(x.exp()) * Total.apply(y.log() * y)

    def grad_f(x, y):
        _, g = vjp(f, (x, y))
        return g

    h = hessian(f, (t64(a), t64(b)))
    num = numeric_jacobian(grad_f, [a, b])
    for i in range(2):
        for j in range(2):
            assert tuple(h[i][j].shape) == num[i][j].shape
            close(h[i][j], num[i][j], tol=1e-6)


def test_hessian_create_graph_and_errors():
    x = t64([0.5, 2.0]).requires_grad_()
    h = hessian(lambda a: Total.apply(a ** 4), x, create_graph=True)
    assert h.requires_grad
    close(h, np.diag(12 * np.array([0.25, 4.0])))
    (g,) = ember.autograd.grad(Total.apply(h), x)  # d/dx 12x^2 = 24x
    close(g, [12.0, 48.0])
    with pytest.raises(RuntimeError, match=exact("The function given to hessian should return a single Tensor")):
        hessian(lambda a: (Total.apply(a),), x)
    with pytest.raises(RuntimeError, match=exact("The Tensor returned by the function given to hessian should contain a "
                       "single element")):
        hessian(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="While computing the hessian, found that the jacobian of the "
                       "user-provided function with respect to input 0 is independent of the input"):
        hessian(lambda a: Total.apply(a * 2), x, strict=True)
    with pytest.raises(AssertionError, match=re.escape('Expected strategy to be either "forward-mode" or "reverse-mode".')):
        hessian(lambda a: Total.apply(a), x, outer_jacobian_strategy="x")


@pytest.mark.parametrize("product", [vhp, hvp])
def test_hessian_vector_products(product):
    rng = np.random.default_rng(6)
    a, b = rng.uniform(0.5, 1.5, 3), rng.uniform(0.5, 1.5, 3)
    va, vb = rng.standard_normal(3), rng.standard_normal(3)

    def f(x, y):
        return Total.apply(x ** 2 * y.exp() + x.sin() * y)

    h = hessian(f, (t64(a), t64(b)))
    out, res = product(f, (t64(a), t64(b)), (t64(va), t64(vb)))
    close(out, (a ** 2 * np.exp(b) + np.sin(a) * b).sum())
    assert isinstance(res, tuple) and len(res) == 2
    full = np.block([[npy(h[0][0]), npy(h[0][1])], [npy(h[1][0]), npy(h[1][1])]])
    expected = full @ np.concatenate([va, vb])  # symmetric H: vH == Hv
    close(res[0], expected[:3])
    close(res[1], expected[3:])
    # one 0-d input: v may be left out; result mirrors the input
    out, res = product(lambda x: x ** 3, t64(2.0))
    close(res, 12.0)
    assert isinstance(res, ember.Tensor) and res.grad_fn is None


@pytest.mark.parametrize("product", [vhp, hvp])
def test_hessian_vector_product_errors(product):
    name = product.__name__
    x = t64([1.0, 2.0])
    with pytest.raises(RuntimeError, match=f"^The function given to {name} should return a single Tensor$"):
        product(lambda a: (Total.apply(a),), x, x)
    with pytest.raises(RuntimeError, match=re.escape(f"The Tensor returned by the function given to {name} should contain")):
        product(lambda a: a * 2, x, x)
    with pytest.raises(RuntimeError, match="^" + re.escape("The vector v can only be None if the input to the user-provided function")):
        product(lambda a: Total.apply(a), x)
    with pytest.raises(RuntimeError, match=r"v has invalid size"):
        product(lambda a: Total.apply(a ** 3), x, t64([1.0]))
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with respect to input 0 is "
                       "independent of the input"):
        product(lambda a: Total.apply(a * 2), x, x, strict=True)


def test_hvp_create_graph():
    x = t64([0.5, 2.0]).requires_grad_()
    _, res = hvp(lambda a: Total.apply(a ** 4), x, t64([1.0, 1.0]), create_graph=True)
    close(res, 12 * np.array([0.25, 4.0]))
    assert res.requires_grad
    (g,) = ember.autograd.grad(Total.apply(res), x)
    close(g, [12.0, 48.0])
