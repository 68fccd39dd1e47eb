"""The raw fast backwards (``_rules/fast.py``) against the Ember-op rules they shortcut.

``grad(..., create_graph=False)`` runs a rule's fast backward; ``create_graph=True`` runs
its Ember-op rule. Both must give the same gradients, over broadcast, non-contiguous
(transposed, step-sliced, expanded) and 0-d inputs, in float32 and float64, and the fast
path must really have run (a spy counts its calls).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.autograd as autograd
from ember.autograd._rules import FUNCTION_RULES, RULES


@contextlib.contextmanager
def spy(op: str, function: bool = False) -> Iterator[list[int]]:
    """Count the calls of ``op``'s fast backward (and how many gave up: NotImplemented)."""
    r = (FUNCTION_RULES if function else RULES)[op]
    original = r.fast
    assert original is not None, f"{op} has no fast backward"
    calls = [0, 0]

    def counting(*args: Any) -> Any:
        res = original(*args)
        calls[0] += 1
        calls[1] += res is NotImplemented
        return res

    r.fast = counting
    try:
        yield calls
    finally:
        r.fast = original


def _layouts(a: np.ndarray, dtype: Any) -> list[ember.Tensor]:
    """``a`` as a contiguous tensor, a transposed view, a step-sliced view and (for a row) an expand."""
    out = [ember.tensor(a, dtype=dtype)]
    if a.ndim == 2:
        out.append(ember.tensor(np.ascontiguousarray(a.T), dtype=dtype).t())
        big = np.zeros((a.shape[0] * 2, a.shape[1]), dtype=a.dtype)
        big[::2] = a
        out.append(ember.tensor(big, dtype=dtype)[::2])
        if a.shape[0] > 1:
            out.append(ember.tensor(a[:1], dtype=dtype).expand(*a.shape))
    return out


def both_paths(fn: Callable[..., Any], inputs: list[ember.Tensor], seed: int = 0) -> tuple[list[Any], list[Any]]:
    """Gradients of ``fn(*inputs)`` (with a random output gradient) by the fast path and by the rule."""
    res = []
    for create_graph in (False, True):
        xs = [x.detach().requires_grad_() if x.is_floating_point() else x for x in inputs]
        out = fn(*xs)
        gen = ember.Generator().manual_seed(seed)
        go = ember.randn(tuple(out.shape), dtype=out.dtype, generator=gen)
        diff = [x for x in xs if x.requires_grad]
        gs = autograd.grad(out, diff, go, create_graph=create_graph, allow_unused=True)
        res.append([None if g is None else g.detach().numpy() for g in gs])
    return res[0], res[1]


def assert_agree(fn: Callable[..., Any], inputs: list[ember.Tensor], op: str, function: bool = False,
                 fast_calls: bool = True) -> None:
    with spy(op, function) as calls:
        fast, slow = both_paths(fn, inputs)
    if fast_calls:
        assert calls[0] >= 1 and calls[1] < calls[0], f"the fast backward of {op} did not run"
    for f, s in zip(fast, slow, strict=True):
        assert (f is None) == (s is None)
        if f is not None:
            assert f.shape == s.shape and f.dtype == s.dtype
            tol = 1e-5 if f.dtype == np.float32 else 1e-12
            np.testing.assert_allclose(f, s, rtol=tol, atol=tol)


DTYPES = [ember.float32, ember.float64]
rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4))
B = rng.standard_normal((3, 4))
POS = rng.uniform(0.5, 2.0, (3, 4))

BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", list(BINARY))
def test_binary_tensor_tensor_every_layout(op: str, dtype: Any) -> None:
    other = POS if op == "div" else B
    rule = "div" if op == "div" else op
    for x in _layouts(A, dtype):
        for y in _layouts(other, dtype):
            assert_agree(BINARY[op], [x, y], rule if op != "div" else "__truediv__")
    assert_agree(lambda x, y: x.div(y), [ember.tensor(A, dtype=dtype), ember.tensor(POS, dtype=dtype)], "div")


@pytest.mark.parametrize("op", list(BINARY))
def test_binary_broadcasting_reduces_to_each_input(op: str) -> None:
    x = ember.tensor(A, dtype=ember.float64)
    for y in (ember.tensor(POS[0], dtype=ember.float64), ember.tensor(POS[:, :1], dtype=ember.float64),
              ember.tensor(2.5, dtype=ember.float64)):
        assert_agree(BINARY[op], [x, y], "__truediv__" if op == "div" else op)
        assert_agree(lambda a, b, f=BINARY[op]: f(b, a), [x, y], "__truediv__" if op == "div" else op)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scalar_operands_alpha_and_reflected_forms(dtype: Any) -> None:
    x = ember.tensor(POS, dtype=dtype)
    y = ember.tensor(B, dtype=dtype)
    assert_agree(lambda a: a * 0.5, [x], "mul")
    assert_agree(lambda a: 3 * a, [x], "mul")
    assert_agree(lambda a: a + 1.0, [x], "add")
    assert_agree(lambda a, b: a.add(b, alpha=2.5), [x, y], "add")
    assert_agree(lambda a, b: a.sub(b, alpha=-3), [x, y], "sub")
    assert_agree(lambda a: a - 2, [x], "sub")
    assert_agree(lambda a: 2 - a, [x], "__rsub__")
    assert_agree(lambda a, b: b.__rsub__(a), [x, y], "__rsub__")
    assert_agree(lambda a: a / 4, [x], "__truediv__")
    assert_agree(lambda a: 4 / a, [x], "__rtruediv__")
    assert_agree(lambda a: -a, [x], "neg")
    assert_agree(lambda a: a.neg(), [y], "neg")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("e", [0, 1, 2, 3, 0.5, -1.5, True])
def test_pow_by_numbers(e: Any, dtype: Any) -> None:
    for x in _layouts(POS, dtype):
        assert_agree(lambda a, e=e: a ** e, [x], "pow")
    assert_agree(lambda a: a.square(), [ember.tensor(A, dtype=dtype)], "square")


def test_pow_by_a_tensor_and_rounding_division_fall_back_to_the_rule() -> None:
    x, y = ember.tensor(POS), ember.tensor(B)
    with spy("pow") as calls:
        fast, slow = both_paths(lambda a, b: a ** b, [x, y])
    assert calls == [1, 1]  # asked, gave up
    for f, s in zip(fast, slow, strict=True):
        np.testing.assert_allclose(f, s, rtol=1e-6)
    with spy("div") as calls:
        fast, slow = both_paths(lambda a, b: a.div(b, rounding_mode="floor"), [x, ember.tensor(POS)])
    assert calls == [1, 1]
    assert all((f == 0).all() for f in fast)


UNARY: dict[str, tuple[Callable[[Any], Any], np.ndarray]] = {
    "exp": (lambda x: x.exp(), A),
    "log": (lambda x: x.log(), POS),
    "sin": (lambda x: x.sin(), A),
    "cos": (lambda x: x.cos(), A),
    "tanh": (lambda x: x.tanh(), A),
    "sigmoid": (lambda x: x.sigmoid(), A),
    "relu": (lambda x: x.relu(), A),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", list(UNARY))
def test_unary_every_layout(op: str, dtype: Any) -> None:
    fn, data = UNARY[op]
    for x in _layouts(data, dtype):
        assert_agree(fn, [x], op)
    assert_agree(fn, [ember.tensor(float(data[0, 0]), dtype=dtype)], op)  # 0-d
    assert_agree(fn, [ember.tensor(data[:0], dtype=dtype)], op)  # empty


def test_functional_forms_use_the_same_fast_backward() -> None:
    x = ember.tensor(A)
    assert_agree(lambda a: ember.exp(a), [x], "exp")
    assert_agree(lambda a: ember.relu(a), [x], "relu")
    assert_agree(lambda a, b: ember.mul(a, b), [x, ember.tensor(B)], "mul")


@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 1), ()])
@pytest.mark.parametrize("keepdim", [False, True])
def test_reductions(op: str, dim: Any, keepdim: bool) -> None:
    for x in _layouts(A, ember.float64):
        if dim is None:
            fn = (lambda a: a.sum()) if op == "sum" else (lambda a: a.mean())
        else:
            def fn(a: Any, op: str = op) -> Any:
                return getattr(a, op)(dim, keepdim=keepdim)
        assert_agree(fn, [x], op)
    assert_agree(lambda a: getattr(a, op)(), [ember.tensor(2.0)], op)  # 0-d input


def test_views() -> None:
    x = ember.tensor(A)
    assert_agree(lambda a: a.view(4, 3), [x], "view")
    assert_agree(lambda a: a.reshape(-1), [x.t()], "reshape")
    assert_agree(lambda a: a.unsqueeze(1), [x], "unsqueeze")
    assert_agree(lambda a: a.unsqueeze(0).squeeze(0), [x], "squeeze")
    assert_agree(lambda a: a.unflatten(1, (2, 2)), [x], "unflatten")
    assert_agree(lambda a: a.t(), [x], "t")
    assert_agree(lambda a: a.t(), [ember.tensor(A[0])], "t")
    assert_agree(lambda a: a.transpose(0, -1), [x], "transpose")
    assert_agree(lambda a: a.transpose(1, 2), [ember.tensor(rng.standard_normal((2, 3, 4)))], "transpose")
    assert_agree(lambda a: a.swapaxes(0, 1), [x[::2]], "transpose")
    cube = ember.tensor(rng.standard_normal((2, 3, 4)))
    assert_agree(lambda a: a.permute(2, 0, 1), [cube], "permute")
    assert_agree(lambda a: a.permute((-1, 1, 0)), [cube.transpose(0, 2)], "permute")
    assert_agree(lambda a: a.T, [x], "permute")
    assert_agree(lambda a: a.permute(()), [ember.tensor(2.0)], "permute")


@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul_2d_and_fallbacks(dtype: Any) -> None:
    w = rng.standard_normal((4, 5))
    for a in _layouts(A, dtype):
        for b in _layouts(w, dtype):
            assert_agree(lambda p, q: p @ q, [a, b], "matmul")
            assert_agree(lambda p, q: p.mm(q), [a, b], "mm")
    x = ember.tensor(A, dtype=dtype)
    assert_agree(lambda p, q: p @ q, [x, ember.tensor(w, dtype=dtype)], "matmul")
    # Only one operand requires grad: the other product is not computed.
    wt = ember.tensor(w, dtype=dtype).requires_grad_()
    with spy("matmul") as calls:
        (x @ wt).sum().backward()
    assert calls == [1, 0]
    np.testing.assert_allclose(wt.grad.numpy(), np.broadcast_to(A.T.sum(1, keepdims=True), (4, 5)), rtol=1e-5)
    # Vectors and batches: the Ember rule.
    with spy("matmul") as calls:
        fast, slow = both_paths(lambda p, q: p @ q, [ember.tensor(rng.standard_normal((2, 3, 4))), ember.tensor(A[0])])
    assert calls == [1, 1]
    for f, s in zip(fast, slow, strict=True):
        np.testing.assert_allclose(f, s, rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_addmm_every_layout_beta_alpha(dtype: Any) -> None:
    w = rng.standard_normal((4, 5))
    bias = ember.tensor(rng.standard_normal(5), dtype=dtype)
    for a in _layouts(A, dtype):
        for b in _layouts(w, dtype):
            assert_agree(lambda i, p, q: ember.addmm(i, p, q), [bias, a, b], "addmm")
    x, ww = ember.tensor(A, dtype=dtype), ember.tensor(w, dtype=dtype)
    full = ember.tensor(rng.standard_normal((3, 5)), dtype=dtype)
    assert_agree(lambda i, p, q: i.addmm(p, q, beta=0.5, alpha=-2.0), [full, x, ww], "addmm")
    assert_agree(lambda i, p, q: i.addmm(p, q, beta=0, alpha=0), [bias, x, ww], "addmm")


def test_linear_weight_gradient_is_made_in_its_layout_and_kept_without_a_copy() -> None:
    """nn.Linear's ``addmm(bias, x, weight.T)``: the transposed weight's gradient is computed as
    ``(g.T @ x).T`` (PyTorch's mm_mat2_backward), so ``.T``'s backward hands the leaf a
    gradient with the weight's own strides, which the leaf keeps (no copy), and stays correct."""
    weight = ember.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    bias = ember.tensor(rng.standard_normal(5), requires_grad=True)
    x = ember.tensor(A)
    with spy("addmm") as calls:
        ember.addmm(bias, x, weight.T).sum().backward()
    assert calls == [1, 0]
    assert weight.grad.stride() == weight.stride()
    np.testing.assert_allclose(weight.grad.numpy(), np.broadcast_to(A.sum(0), (5, 4)), rtol=1e-12)
    np.testing.assert_allclose(bias.grad.numpy(), np.full(5, 3.0))
    kept = weight.grad
    ember.addmm(bias, x, weight.T).sum().backward()  # accumulates (out of place into a view)
    np.testing.assert_allclose(weight.grad.numpy(), 2 * np.broadcast_to(A.sum(0), (5, 4)), rtol=1e-12)
    np.testing.assert_allclose(kept.numpy(), np.broadcast_to(A.sum(0), (5, 4)), rtol=1e-12)
    # A view the leaf cannot keep (other strides than the leaf's, or a broadcast) is copied.
    v = ember.tensor(A, requires_grad=True)
    v.t().contiguous().t().sum().backward()
    assert v.grad.stride() == v.stride() or v.grad.is_contiguous()
    v.grad.add_(1.0)
    np.testing.assert_array_equal(v.grad.numpy(), np.full((3, 4), 2.0))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_family(dim: int) -> None:
    for x in _layouts(A, ember.float64):
        assert_agree(lambda a: a.log_softmax(dim), [x], "log_softmax")
        assert_agree(lambda a: a.softmax(dim), [x], "softmax")
        assert_agree(lambda a: ember.log_softmax(a, dim), [x], "log_softmax", function=True)
        assert_agree(lambda a: ember.softmax(a, dim=dim), [x], "softmax", function=True)


@settings(max_examples=25, deadline=None)
@given(
    rows=st.integers(0, 4), cols=st.integers(1, 4), broadcast=st.booleans(),
    ops=st.lists(st.sampled_from(["mul", "add", "sub", "div", "sin", "tanh", "exp", "sigmoid", "relu", "neg"]),
                 min_size=1, max_size=5),
)
def test_random_chains_agree(rows: int, cols: int, broadcast: bool, ops: list[str]) -> None:
    r = np.random.default_rng(rows * 10 + cols)
    a = r.uniform(0.5, 1.5, (rows, cols))
    b = r.uniform(0.5, 1.5, (cols,) if broadcast else (rows, cols))

    def chain(x: Any, y: Any) -> Any:
        z = x
        for op in ops:
            if op in BINARY:
                z = BINARY[op](z, y)
            elif op == "neg":
                z = -z
            else:
                z = getattr(z, op)()
        return z

    fast, slow = both_paths(chain, [ember.tensor(a), ember.tensor(b)])
    for f, s in zip(fast, slow, strict=True):
        if f is None:
            assert s is None
        else:
            np.testing.assert_allclose(f, s, rtol=1e-10, atol=1e-12)


# -- what the engine does around fast backwards ------------------------------------------------

def test_mixed_dtypes_complex_and_half_precision() -> None:
    x32 = ember.tensor(A, dtype=ember.float32, requires_grad=True)
    y64 = ember.tensor(B, dtype=ember.float64, requires_grad=True)
    with spy("mul") as calls:
        (x32 * y64).sum().backward()
    assert calls == [0, 0]  # operands of two dtypes: the rule (it casts the gradients back)
    assert x32.grad.dtype == ember.float32 and y64.grad.dtype == ember.float64
    np.testing.assert_allclose(x32.grad.numpy(), B, rtol=1e-6)
    z = ember.tensor(A + 1j * B, dtype=ember.complex128, requires_grad=True)
    with spy("mul") as calls:
        (gz,) = autograd.grad(z * z, z, ember.ones(3, 4, dtype=ember.complex128))
    assert calls == [0, 0]
    np.testing.assert_allclose(gz.numpy(), 2 * (A - 1j * B), rtol=1e-12)
    h = ember.tensor(A, dtype=ember.float16)
    assert_agree(lambda a: (a * a).tanh(), [h], "tanh")


def test_leaf_gradients_never_alias_each_other_or_the_graph() -> None:
    a = ember.tensor(A, requires_grad=True)
    b = ember.tensor(B, requires_grad=True)
    (a + b).sum().backward()  # one gradient array sent to both leaves, from an expanded sum
    a.grad.add_(1.0)
    np.testing.assert_array_equal(b.grad.numpy(), np.ones((3, 4)))
    np.testing.assert_array_equal(a.grad.numpy(), np.full((3, 4), 2.0))
    (a + b).sum().backward()  # accumulates in place into writable grads
    np.testing.assert_array_equal(b.grad.numpy(), np.full((3, 4), 2.0))
    g = ember.ones(3, 4)
    c = ember.tensor(A, requires_grad=True)
    (c + 1).backward(g)  # the user's gradient passes straight through add
    c.grad.mul_(5)
    np.testing.assert_array_equal(g.numpy(), np.ones((3, 4)))
    v = ember.tensor(A, requires_grad=True)
    v.view(12).sum().backward()
    v.grad.add_(1.0)  # writable, not a broadcast of the scalar gradient
    np.testing.assert_array_equal(v.grad.numpy(), np.full((3, 4), 2.0))


def test_raw_gradients_reach_leaves_writable_and_unaliased() -> None:
    """Fast backwards hand fresh arrays on as raw (array, ref) entries; a leaf keeps one
    without a copy, but one entry sent two ways (add's passthrough) is copied by both."""
    a = ember.tensor(A, requires_grad=True)
    b = ember.tensor(B, requires_grad=True)
    (a + b).tanh().sum().backward()  # tanh's raw gradient goes to both leaves through add
    expected = 1 - np.tanh(A + B) ** 2
    a.grad.add_(1.0)
    np.testing.assert_allclose(b.grad.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), expected + 1, rtol=1e-12)
    c = ember.tensor(A, requires_grad=True)
    c.exp().sum().backward()  # exp's raw gradient: kept by the leaf, writable
    c.grad.mul_(2.0)
    np.testing.assert_allclose(c.grad.numpy(), 2 * np.exp(A), rtol=1e-12)
    # Two raw gradients of one output are summed as arrays; a hook sees a tensor.
    d = ember.tensor(A, requires_grad=True)
    seen: list[Any] = []
    h = d.sin()
    h.register_hook(lambda g: seen.append(type(g)))
    (h * h + h.exp()).sum().backward()
    assert seen == [ember.Tensor]
    np.testing.assert_allclose(d.grad.numpy(), (2 * np.sin(A) + np.exp(np.sin(A))) * np.cos(A), rtol=1e-12)


def test_nodes_without_saved_tensors_run_again_after_release() -> None:
    a = ember.tensor(A, requires_grad=True)
    y = (a.t().reshape(12) + 1.0).sum()
    y.backward()
    y.backward()  # add, sum and the views saved nothing: their nodes run again from input metadata
    np.testing.assert_array_equal(a.grad.numpy(), np.full((3, 4), 2.0))
    z = (a * a).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.backward()


def test_saved_tensors_modified_in_place_are_detected() -> None:
    a = ember.tensor(A, requires_grad=True)
    y = a.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    x = a * 1
    z = x * a
    x.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_inplace_ops_and_writes_through_views_take_the_fast_path() -> None:
    def inplace(a: Any, b: Any) -> Any:
        x = a * 1
        x.mul_(b)
        x.add_(b, alpha=2)
        x[1:].exp_()  # through a view: CopySlices runs the exp rule's fast backward
        return x.sin()

    assert_agree(inplace, [ember.tensor(A), ember.tensor(B)], "mul")


def test_hooks_and_retain_grad_see_the_fast_gradients() -> None:
    a = ember.tensor(A, requires_grad=True)
    seen: list[np.ndarray] = []
    h = a * 2
    h.retain_grad()
    h.register_hook(lambda g: seen.append(g.numpy().copy()))
    y = h.sin().sum()
    y.backward()
    np.testing.assert_allclose(h.grad.numpy(), np.cos(2 * A), rtol=1e-12)
    np.testing.assert_allclose(seen[0], np.cos(2 * A), rtol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), 2 * np.cos(2 * A), rtol=1e-12)


def test_second_order_gradients_still_come_from_the_rules() -> None:
    x = ember.tensor(A, requires_grad=True)
    (g,) = autograd.grad((x.tanh() * x).sum(), x, create_graph=True)
    (gg,) = autograd.grad(g.sum(), x)
    t = np.tanh(A)
    d1 = 1 - t * t
    expected = 2 * d1 + A * (-2 * t * d1)
    np.testing.assert_allclose(gg.numpy(), expected, rtol=1e-10)
