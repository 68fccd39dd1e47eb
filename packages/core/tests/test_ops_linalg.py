"""Products: dot/vdot/inner/outer/mv/kron/cross, addmm and friends, tensordot, einsum.

Values are compared with NumPy (np.einsum, np.tensordot, ...) over random shapes (size-0 dims
included), dtypes and memory layouts (transposed and step-sliced inputs); expected errors were
captured from PyTorch 2.13.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP, as_layout, raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

PROPERTY = settings(max_examples=40, deadline=None)
NUMPY_PHRASES = ("numpy", "ufunc", "broadcast together", "axes don't match", "einstein sum")
raises = partial(raises_exactly, numpy_phrases=NUMPY_PHRASES)

DTYPES = [ember.float32, ember.float64, ember.complex128, ember.int64]
LAYOUTS = ["contiguous", "transposed", "stepped"]


def make(rng: np.random.Generator, shape: tuple[int, ...], dt: ember.dtype) -> np.ndarray:
    """Small integer values (exact products and sums in every dtype), complex parts included."""
    a = rng.integers(-3, 4, shape).astype(NP[dt])
    if dt.is_complex:
        a = a + 1j * rng.integers(-3, 4, shape)
    return a.astype(NP[dt])



def check(out: ember.Tensor, expected: Any, dt: ember.dtype | None = None) -> None:
    expected = np.asarray(expected)
    if dt is not None:
        assert out.dtype is dt
    assert tuple(out.shape) == expected.shape
    got = out.numpy()
    if expected.dtype.kind in "fc":
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_array_equal(got, expected)


@st.composite
def setup(draw: st.DrawFn) -> tuple[np.random.Generator, ember.dtype, str]:
    seed = draw(st.integers(0, 2**32 - 1))
    return np.random.default_rng(seed), draw(st.sampled_from(DTYPES)), draw(st.sampled_from(LAYOUTS))


side = st.integers(0, 4)


# -- vector and matrix products ---------------------------------------------------------------

@PROPERTY
@given(setup(), side)
def test_dot_vdot_outer(s: Any, n: int) -> None:
    rng, dt, layout = s
    a, b = make(rng, (n,), dt), make(rng, (n,), dt)
    ta, tb = as_layout(a, layout), as_layout(b, layout)
    check(ta.dot(tb), np.dot(a, b), dt)
    check(ember.vdot(ta, tb), np.vdot(a, b), dt)
    check(ember.outer(ta, tb[:2]), np.outer(a, b[:2]), dt)
    check(ta.ger(tb), np.outer(a, b), dt)


@PROPERTY
@given(setup(), side, side, st.lists(side, max_size=2))
def test_mv_inner(s: Any, n: int, m: int, batch: list[int]) -> None:
    rng, dt, layout = s
    mat, vec = make(rng, (n, m), dt), make(rng, (m,), dt)
    check(as_layout(mat, layout).mv(as_layout(vec, layout)), mat @ vec, dt)
    a, b = make(rng, (*batch, m), dt), make(rng, (n, m), dt)
    check(ember.inner(as_layout(a, layout), as_layout(b, layout)), np.inner(a, b), dt)


def test_inner_with_a_0d_operand_multiplies() -> None:
    x = ember.tensor([1.0, 2.0, 3.0])
    check(ember.inner(ember.tensor(2.0), x), [2.0, 4.0, 6.0], ember.float32)
    check(x.inner(ember.tensor(2, dtype=ember.int64)), [2.0, 4.0, 6.0], ember.float32)


def test_outer_and_kron_promote() -> None:
    check(ember.outer(ember.tensor([1, 2]), ember.tensor([0.5])), [[0.5], [1.0]], ember.float32)
    check(ember.outer(ember.tensor([True, False]), ember.tensor([True])), [[True], [False]], ember.bool)
    check(ember.kron(ember.tensor([1, 2]), ember.tensor([1.5, 2.0], dtype=ember.float64)),
          np.kron([1, 2], [1.5, 2.0]), ember.float64)


@PROPERTY
@given(setup(), st.lists(side, min_size=0, max_size=3), st.lists(side, min_size=0, max_size=3))
def test_kron(s: Any, sa: list[int], sb: list[int]) -> None:
    rng, dt, layout = s
    a, b = make(rng, tuple(sa), dt), make(rng, tuple(sb), dt)
    check(ember.kron(as_layout(a, layout), as_layout(b, layout)), np.kron(a, b), dt)


@PROPERTY
@given(setup(), st.lists(st.integers(1, 3), max_size=2), st.booleans())
def test_cross(s: Any, batch: list[int], broadcast: bool) -> None:
    rng, dt, layout = s
    a = make(rng, (*batch, 3), dt)
    b = make(rng, (*([1] * len(batch) if broadcast else batch), 3), dt)
    check(ember.linalg.cross(as_layout(a, layout), ember.tensor(b)), np.cross(a, b), dt)
    # torch.cross with an explicit dim, here the first one
    at, bt = np.moveaxis(a, -1, 0), np.moveaxis(np.broadcast_to(b, a.shape), -1, 0)
    check(ember.cross(ember.tensor(at), ember.tensor(bt), dim=0), np.moveaxis(np.cross(a, b), -1, 0), dt)


def test_cross_without_dim_warns_and_picks_the_first_dim_of_size_3() -> None:
    a, b = np.arange(9.0).reshape(3, 3), np.ones((3, 3))
    with pytest.warns(UserWarning, match="dim"):
        out = ember.cross(ember.tensor(a), ember.tensor(b))
    check(out, np.cross(a, b, axis=0))


# -- fused multiply-adds -----------------------------------------------------------------------

COEFS = st.sampled_from([0, 1, 2, -1, 0.5])


@PROPERTY
@given(setup(), side, side, side, COEFS, COEFS, st.sampled_from(["full", "row", "scalar"]))
def test_addmm(s: Any, n: int, m: int, p: int, beta: Any, alpha: Any, inp: str) -> None:
    rng, dt, layout = s
    a, b = make(rng, (n, m), dt), make(rng, (m, p), dt)
    c = make(rng, {"full": (n, p), "row": (p,), "scalar": ()}[inp], dt)
    kind = int if dt is ember.int64 else NP[dt]
    expected = kind(beta) * c + kind(alpha) * (a @ b)
    out = as_layout(c, layout).addmm(as_layout(a, layout), as_layout(b, layout), beta=beta, alpha=alpha)
    check(out, np.broadcast_to(expected, (n, p)).astype(NP[dt]), dt)


@PROPERTY
@given(setup(), side, side, COEFS, COEFS)
def test_addmv_addr(s: Any, n: int, m: int, beta: Any, alpha: Any) -> None:
    rng, dt, layout = s
    kind = int if dt is ember.int64 else NP[dt]
    mat, vec, c = make(rng, (n, m), dt), make(rng, (m,), dt), make(rng, (n,), dt)
    out = ember.addmv(as_layout(c, layout), as_layout(mat, layout), as_layout(vec, layout), beta=beta, alpha=alpha)
    check(out, (kind(beta) * c + kind(alpha) * (mat @ vec)).astype(NP[dt]), dt)
    if dt is ember.int64 and (isinstance(beta, float) or isinstance(alpha, float)):
        return  # addr refuses float coefficients for integer tensors (tested below)
    v1, v2, c2 = make(rng, (n,), dt), make(rng, (m,), dt), make(rng, (n, m), dt)
    out = as_layout(c2, layout).addr(as_layout(v1, layout), as_layout(v2, layout), beta=beta, alpha=alpha)
    check(out, (kind(beta) * c2 + kind(alpha) * np.outer(v1, v2)).astype(NP[dt]), dt)


@PROPERTY
@given(setup(), side, side, side, side, COEFS, COEFS)
def test_addbmm_baddbmm(s: Any, b: int, n: int, m: int, p: int, beta: Any, alpha: Any) -> None:
    rng, dt, layout = s
    kind = int if dt is ember.int64 else NP[dt]
    b1, b2 = make(rng, (b, n, m), dt), make(rng, (b, m, p), dt)
    c = make(rng, (n, p), dt)
    out = ember.addbmm(as_layout(c, layout), as_layout(b1, layout), as_layout(b2, layout), beta=beta, alpha=alpha)
    check(out, (kind(beta) * c + kind(alpha) * (b1 @ b2).sum(0)).astype(NP[dt]), dt)
    out = as_layout(c, layout).baddbmm(as_layout(b1, layout), as_layout(b2, layout), beta=beta, alpha=alpha)
    check(out, np.broadcast_to(kind(beta) * c + kind(alpha) * (b1 @ b2), (b, n, p)).astype(NP[dt]), dt)


def test_zero_coefficients_ignore_nan_as_torch() -> None:
    m = ember.ones(2, 2)
    nan = ember.full((2, 2), math.nan)
    check(ember.addmm(nan, m, m, beta=0), np.full((2, 2), 2.0))
    check(ember.addmm(m, nan, m, alpha=0), np.ones((2, 2)))


def test_integer_coefficients_truncate_in_addmm_and_are_refused_by_addr() -> None:
    mi = ember.full((2, 2), 3, dtype=ember.int64)
    check(ember.addmm(mi, mi, mi, beta=0.5), np.full((2, 2), 18))
    check(ember.addmm(mi, mi, mi, alpha=2.7, beta=1.9), np.full((2, 2), 39))
    v = ember.tensor([1, 2])
    with raises(RuntimeError, "For integral input tensors, argument alpha must not be a floating point number."):
        ember.addr(mi, v, v, alpha=0.5)
    with raises(RuntimeError, "value cannot be converted to type float without overflow"):
        ember.addmm(ember.ones(2, 2), ember.ones(2, 2), ember.ones(2, 2), beta=1j)


def test_addr_promotes_and_is_logical_on_bool() -> None:
    out = ember.addr(ember.ones(2, 2), ember.tensor([True, False]), ember.tensor([1.0, 2.0]), beta=2)
    check(out, [[3.0, 4.0], [2.0, 2.0]], ember.float32)
    out = ember.addr(ember.zeros(2, 2, dtype=ember.bool), ember.tensor([True, False]), ember.tensor([True, True]), beta=2)
    check(out, [[True, True], [False, False]], ember.bool)
    assert ember.addr(ember.ones(2, 2, dtype=ember.int32), ember.tensor([1, 2]), ember.tensor([1, 2])).dtype is ember.int64


def test_results_do_not_alias_inputs() -> None:
    c = ember.zeros(2, 2)
    assert c.addmm(ember.eye(2), ember.eye(2), alpha=0).data_ptr() != c.data_ptr()
    assert c.addmm(ember.eye(2), ember.eye(2), beta=0).data_ptr() != c.data_ptr()
    x = ember.ones(2, 3)
    y = ember.einsum("ij->ji", x)
    assert y.data_ptr() != x.data_ptr()


# -- tensordot --------------------------------------------------------------------------------

@st.composite
def tensordot_case(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...], Any]:
    shape_a = tuple(draw(st.lists(side, max_size=4)))
    k = draw(st.integers(0, len(shape_a)))
    da = draw(st.permutations(range(len(shape_a))))[:k]
    free_b = draw(st.lists(side, max_size=2))
    # b holds the contracted dims in a random order among its free ones
    order = draw(st.permutations(range(k + len(free_b))))
    sizes = [shape_a[d] for d in da] + free_b
    shape_b = tuple(sizes[i] for i in order)
    db = [order.index(i) for i in range(k)]
    if draw(st.booleans()) and da == list(range(len(shape_a) - k, len(shape_a))) and db == list(range(k)):
        return shape_a, shape_b, k
    neg = draw(st.booleans())
    return shape_a, shape_b, ([d - len(shape_a) if neg else d for d in da], db)


@PROPERTY
@given(setup(), tensordot_case())
def test_tensordot(s: Any, case: Any) -> None:
    rng, dt, layout = s
    shape_a, shape_b, dims = case
    a, b = make(rng, shape_a, dt), make(rng, shape_b, dt)
    out = ember.tensordot(as_layout(a, layout), as_layout(b, layout), dims=dims)
    check(out, np.tensordot(a, b, axes=dims), dt)


def test_tensordot_default_and_tensor_dims() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    b = np.arange(12.0).reshape(3, 4)
    check(ember.tensordot(ember.tensor(a), ember.tensor(b)), np.tensordot(a, b))
    check(ember.tensordot(ember.tensor(a), ember.tensor(b.T), dims=ember.tensor(1)), np.tensordot(a, b.T, 1))
    check(ember.tensordot(ember.tensor(a), ember.tensor(b), dims=0), np.tensordot(a, b, 0))


def test_tensordot_broadcasts_a_size_1_contracted_dim() -> None:
    a, b = np.arange(9.0).reshape(3, 3), np.arange(3.0).reshape(1, 3)
    out = ember.tensordot(ember.tensor(a), ember.tensor(b), dims=([1], [0]))
    check(out, np.tensordot(a, np.broadcast_to(b, (3, 3)), ([1], [0])))


# -- einsum ------------------------------------------------------------------------------------

@st.composite
def einsum_case(draw: st.DrawFn) -> tuple[str, list[tuple[int, ...]]]:
    """An equation over labels a-e (repeats allowed: diagonals), 1-3 operands, explicit or implicit
    output, sometimes with an ellipsis over broadcasting batch dims."""
    letters = "abcdE"
    sizes = {c: draw(side) for c in letters}
    ell = draw(st.lists(st.integers(1, 3), max_size=2)) if draw(st.booleans()) else None
    terms, shapes = [], []
    for _ in range(draw(st.integers(1, 3))):
        labels = draw(st.lists(st.sampled_from(letters), max_size=4))
        term = "".join(labels)
        shape = [sizes[c] for c in labels]
        if ell is not None:
            # a suffix of the batch dims, some of them squeezed to 1 (broadcast)
            mine = ell[len(ell) - draw(st.integers(0, len(ell))):]
            mine = [1 if draw(st.booleans()) else n for n in mine]
            pos = draw(st.integers(0, len(labels)))
            term = term[:pos] + "..." + term[pos:]
            shape = shape[:pos] + mine + shape[pos:]
        terms.append(term)
        shapes.append(tuple(shape))
    eq = ",".join(terms)
    if draw(st.booleans()):
        used = sorted(set("".join(terms)) - {"."})
        out = draw(st.permutations(used))[: draw(st.integers(0, len(used)))]
        if ell is not None and draw(st.booleans()):
            out = ["...", *out]
        eq += "->" + "".join(out)
    return eq, shapes


@settings(max_examples=150, deadline=None)
@given(setup(), einsum_case())
def test_einsum_matches_numpy(s: Any, case: tuple[str, list[tuple[int, ...]]]) -> None:
    rng, dt, layout = s
    eq, shapes = case
    arrays = [make(rng, shape, dt) for shape in shapes]
    out = ember.einsum(eq, *(as_layout(a, layout) for a in arrays))
    lhs, arrow, rhs = eq.partition("->")
    if arrow and "..." in lhs and "..." not in rhs:
        # torch sums the ellipsis dims an explicit output leaves out; NumPy refuses that
        full = np.einsum(f"{lhs}->...{rhs}", *arrays)
        expected = full.sum(axis=tuple(range(full.ndim - len(rhs))))
    else:
        expected = np.einsum(eq, *arrays)
    check(out, expected, dt)


def test_einsum_forms() -> None:
    a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    ta, tb = ember.tensor(a), ember.tensor(b)
    check(ember.einsum("ij,jk", [ta, tb]), a @ b)
    check(ember.einsum("i j , j k -> i k", ta, tb), a @ b)  # spaces are ignored
    check(ember.einsum(ta, [0, 1], tb, [1, 2], [0, 2]), a @ b)  # sublist form
    check(ember.einsum(ta, [Ellipsis, 0]), a)
    check(ember.einsum("iJ", ta), a.T)  # implicit output: upper case sorts first
    check(ember.einsum("", ember.tensor(2.0)), np.float32(2.0))
    check(ember.einsum("ij->i...", ta), a.sum(1))


def test_einsum_broadcasts_size_1_labels() -> None:
    a, b = np.arange(9.0).reshape(3, 3), np.arange(3.0).reshape(1, 3)
    bb = np.broadcast_to(b, (3, 3))
    check(ember.einsum("ij,ij", ember.tensor(a), ember.tensor(b)), np.einsum("ij,ij", a, bb))
    check(ember.einsum("ij,ij->ij", ember.tensor(a), ember.tensor(b)), a * bb)
    check(ember.einsum("ij,kj->ik", ember.tensor(a), ember.tensor(b)), a @ b.T)


def test_einsum_expanded_input() -> None:
    x = ember.tensor([1.0, 2.0, 3.0]).expand(2, 3)
    check(ember.einsum("ij->j", x), [2.0, 4.0, 6.0])


E = "einsum(): "


@pytest.mark.parametrize(("eq", "shapes", "message"), [
    ("ij,jk->ik", [(3, 3)], E + "fewer operands were provided than specified in the equation"),
    ("ij->", [(3, 3), (3, 3)], E + "more operands were provided than specified in the equation"),
    ("ij,jk->ik", [(3, 3), (3,)], E + "the number of subscripts in the equation (2) does not match the number of "
     "dimensions (1) for operand 1 and no ellipsis was given"),
    ("ij,jk->il", [(3, 3), (3, 3)], E + "output subscript l does not appear in the equation for any input operand"),
    ("ij,jk->iik", [(3, 3), (3, 3)], E + "output subscript i appears more than once in the output"),
    ("i1", [(3, 3)], E + "invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]"),
    ("ij->ji->", [(3, 3)], E + "invalid subscript given at index 6 in the equation string"),
    ("ij-ji", [(3, 3)], E + "invalid subscript given at index 2 in the equation string"),
    ("ij,jk", [(3, 3), (4, 3)], E + "subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3"),
    ("ii", [(2, 3)], E + "subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"),
    ("..i", [(3,)], E + "found '.' for operand 0 that is not part of any ellipsis"),
    ("i...j...", [(3, 3)], E + "found '.' for operand 0 for which an ellipsis was already found"),
    ("i", [()], E + "the number of subscripts in the equation (1) does not match the number of dimensions (0)"),
])
def test_einsum_errors(eq: str, shapes: list[tuple[int, ...]], message: str) -> None:
    with raises(RuntimeError, message):
        ember.einsum(eq, *(ember.zeros(s) for s in shapes))


def test_einsum_argument_errors() -> None:
    m = ember.zeros(3, 3)
    msg = "einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list"
    with raises(ValueError, msg):
        ember.einsum("i")
    with raises(ValueError, msg):
        ember.einsum([m, m])
    with raises(TypeError, "einsum(): argument 'equation' (position 1) must be str, not int"):
        ember.einsum(3, m)
    with raises(TypeError, "expected Tensor as element 1 in argument 1, but got int"):
        ember.einsum("i,i", ember.zeros(3), 3)
    with raises(RuntimeError, "expected scalar type Float but found Double"):
        ember.einsum("i,i", ember.zeros(3), ember.zeros(3, dtype=ember.float64))
    with raises(NotImplementedError, "'Bool'"):
        ember.einsum("i,i", ember.ones(3, dtype=ember.bool), ember.ones(3, dtype=ember.bool))


# -- errors (messages from torch 2.13) ------------------------------------------------------------

F, D64 = ember.float32, ember.float64


def z(*shape: int, dtype: ember.dtype = F) -> ember.Tensor:
    return ember.zeros(*shape, dtype=dtype)


@pytest.mark.parametrize(("call", "exc", "message"), [
    (lambda: ember.dot(z(3), z(3, dtype=D64)), RuntimeError, "expected both vectors to have same dtype, but found Float and Double"),
    (lambda: ember.dot(z(3, 3), z(3, 3)), RuntimeError, "1D tensors expected, but got 2D and 2D tensors"),
    (lambda: ember.dot(z(3), z(4)), RuntimeError, "inconsistent tensor size, expected tensor [3] and src [4] to have the "
     "same number of elements, but got 3 and 4 elements respectively"),
    (lambda: ember.dot(z(3), 3), TypeError, "dot(): argument 'tensor' (position 2) must be Tensor, not int"),
    (lambda: ember.dot(z(3, dtype=ember.bool), z(3, dtype=ember.bool)), NotImplementedError, "'Bool'"),
    (lambda: ember.vdot(z(3, 3), z(3)), RuntimeError, "1D tensors expected, but got 2D and 1D tensors"),
    (lambda: ember.mv(z(3, 3), z(3, dtype=D64)), RuntimeError,
     "addmv input tensors must have the same dtype, but got Double, Float, and Double"),
    (lambda: ember.mv(z(3, 3), z(4)), RuntimeError, "size mismatch, got input (3), mat (3x3), vec (4)"),
    (lambda: ember.mv(z(3), z(3)), RuntimeError, "vector + matrix @ vector expected, got 1, 1, 1"),
    (lambda: ember.mv(z(3, 3), z(3, 3)), RuntimeError, "vector + matrix @ vector expected, got 1, 2, 2"),
    (lambda: ember.inner(z(3), z(3, dtype=D64)), RuntimeError, "both inputs should have same dtype"),
    (lambda: ember.inner(z(2, 3), z(4)), RuntimeError,
     "the last dimension must match on both input tensors but got shapes [2, 3] and [4]"),
    (lambda: ember.inner(z(3), 2.0), TypeError, "inner(): argument 'other' (position 2) must be Tensor, not float"),
    (lambda: ember.outer(z(3, 3), z(3)), RuntimeError, "Expected 1-D argument self, but got 2-D"),
    (lambda: ember.outer(z(3), 3), TypeError, "outer(): argument 'vec2' (position 2) must be Tensor, not int"),
    (lambda: ember.addmm(z(4), z(3, 3), z(3, 3)), RuntimeError, "The expanded size of the tensor (3) must match the "
     "existing size (4) at non-singleton dimension 1.  Target sizes: [3, 3].  Tensor sizes: [4]"),
    (lambda: ember.addmm(z(3, dtype=D64), z(3, 3), z(3, 3)), RuntimeError,
     "self and mat2 must have the same dtype, but got Double and Float"),
    (lambda: ember.addmm(z(3), z(3, 3, dtype=D64), z(3, 3)), RuntimeError,
     "mat1 and mat2 must have the same dtype, but got Double and Float"),
    (lambda: ember.addmm(z(3), z(3), z(3, 3)), RuntimeError, "mat1 must be a matrix, got 1-D tensor"),
    (lambda: ember.addmm(z(3), z(3, 3), z(4, 3)), RuntimeError, "mat1 and mat2 shapes cannot be multiplied (3x3 and 4x3)"),
    (lambda: ember.addmm(z(3, 3, dtype=ember.bool), z(3, 3, dtype=ember.bool), z(3, 3, dtype=ember.bool)),
     NotImplementedError, "'Bool'"),
    (lambda: ember.addmm(z(3), z(3, 3), z(3, 3), alpha="a"), TypeError, "argument 'alpha' must be Number, not str"),
    (lambda: ember.addmv(z(3, dtype=D64), z(3, 3), z(3)), RuntimeError,
     "addmv input tensors must have the same dtype, but got Double, Float, and Float"),
    (lambda: ember.addmv(z(2), z(3, 3), z(3)), RuntimeError, "size mismatch, got input (2), mat (3x3), vec (3)"),
    (lambda: ember.addbmm(z(3, 3), z(2, 3, 3), z(3, 3, 3)), RuntimeError,
     "batch1 and batch2 must have same number of batches, got 2 and 3"),
    (lambda: ember.addbmm(z(3, 3), z(2, 3, 4), z(2, 3, 3)), RuntimeError, "Incompatible matrix sizes for bmm (3x4 and 3x3)"),
    (lambda: ember.addbmm(z(3, 3, dtype=D64), z(2, 3, 3), z(2, 3, 3)), RuntimeError,
     "self and mat2 must have the same dtype, but got Double and Float"),
    (lambda: ember.baddbmm(z(3, 3), z(3, 3), z(2, 3, 3)), RuntimeError, "batch1 must be a 3D tensor"),
    (lambda: ember.baddbmm(z(3, 3), z(2, 3, 4), z(2, 3, 3)), RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 3]."),
    (lambda: ember.baddbmm(z(3, dtype=D64), z(2, 3, 3), z(2, 3, 3)), RuntimeError,
     "Input dtypes must be the same, got: input double, batch1: float, batch2: float"),
    (lambda: ember.addr(z(3, 3), z(3, 3), z(3)), RuntimeError, "Expected 1-D argument vec1, but got 2-D"),
    (lambda: ember.addr(z(4), z(3), z(3)), RuntimeError, "The expanded size of the tensor (3) must match the existing size (4)"),
    (lambda: ember.tensordot(z(3, 3), z(3, 3), dims=3), RuntimeError, "tensordot expects dims < ndim_a or ndim_b, but got dims=3"),
    (lambda: ember.tensordot(z(3, 3), z(3, 3), dims=-1), RuntimeError, "tensordot expects dims >= 0, but got dims=-1"),
    (lambda: ember.tensordot(z(3, 3), z(4, 3), dims=([0], [0])), RuntimeError,
     "contracted dimensions need to match, but first has size 3 in dim 0 and second has size 4 in dim 0"),
    (lambda: ember.tensordot(z(3, 3), z(3, 3), dims=([0, 1], [0])), RuntimeError, "both dimension lists should have same length"),
    (lambda: ember.tensordot(z(3, 3), z(3, dtype=D64), dims=1), RuntimeError, "both inputs should have same dtype"),
    (lambda: ember.tensordot(z(3, 3), z(3, 3), dims=([0], [5])), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 5)"),
    (lambda: ember.tensordot(z(3, 3), z(3, 3), dims=(0, 1)), TypeError, "must be tuple of ints, not int"),
    (lambda: ember.tensordot(z(3, 3), z(3, 3), dims=[[0, 0], [0, 1]]), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda: ember.tensordot(z(3, 3), z(3, 3), dims="a"), RuntimeError,
     "tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] containing two lists, but got dims=a"),
    (lambda: ember.tensordot(z(3, 3, dtype=ember.bool), z(3, 3, dtype=ember.bool), 1), NotImplementedError, "'Bool'"),
])
def test_errors(call: Any, exc: type[BaseException], message: str) -> None:
    with raises(exc, message):
        call()


def test_function_forms_and_out() -> None:
    a, b = ember.ones(2, 3), ember.ones(3, 2)
    out = ember.empty(2, 2)
    ember.addmm(ember.zeros(2, 2), a, b, out=out)
    check(out, np.full((2, 2), 3.0))
    out = ember.empty(2, 2)
    ember.tensordot(a, b, dims=1, out=out)
    check(out, np.full((2, 2), 3.0))
