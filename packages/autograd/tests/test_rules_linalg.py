"""Every linear-algebra rule gradchecked in float64 over 1-D/2-D/batched/broadcast, transposed,
step-sliced and expanded inputs, keyword and positional forms; products and inv/det/solve/cholesky
gradgradchecked; grad_fn names as PyTorch prints them; values against NumPy closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.autograd import gradcheck, gradgradcheck

L = ember.linalg
F64 = ember.float64
INF = math.inf


def _gen(seed: int = 0) -> ember.Generator:
    return ember.Generator().manual_seed(seed)


def leaf(shape, layout="contig", seed=0):
    """A float64 leaf of ``shape``: contiguous, a transposed view ('T'), or step-sliced ('step')."""
    g = _gen(seed + 7 * len(shape) + sum(shape))
    shape = tuple(shape)
    if layout == "T" and len(shape) >= 2:
        x = ember.randn((*shape[:-2], shape[-1], shape[-2]), dtype=F64, generator=g).mT
    elif layout == "step" and shape:
        x = ember.randn((2 * shape[0], *shape[1:]), dtype=F64, generator=g)[::2]
    else:
        x = ember.randn(shape, dtype=F64, generator=g)
    return x.detach().requires_grad_()


def spd(n, batch=(), seed=0):
    """A well-conditioned symmetric positive-definite leaf."""
    x = ember.randn((*batch, n, n), dtype=F64, generator=_gen(seed + 100))
    return (x @ x.mT + n * ember.eye(n, dtype=F64)).detach().requires_grad_()


def well(n, batch=(), seed=0):
    """A well-conditioned non-symmetric leaf (identity-dominated)."""
    x = ember.randn((*batch, n, n), dtype=F64, generator=_gen(seed + 200))
    return (0.3 * x + 2 * ember.eye(n, dtype=F64)).detach().requires_grad_()


def sym_pd(a):
    n = a.shape[-1]
    return a @ a.mT + n * ember.eye(n, dtype=F64)


# -- products ---------------------------------------------------------------------------------------

# name: (function, input shapes)
PRODUCTS = {
    "matmul_2d": (lambda a, b: a @ b, [(2, 3), (3, 4)]),
    "matmul_1d_1d": (lambda a, b: a.matmul(b), [(3,), (3,)]),
    "matmul_2d_1d": (lambda a, b: a @ b, [(2, 3), (3,)]),
    "matmul_1d_2d": (lambda a, b: a @ b, [(3,), (3, 2)]),
    "matmul_3d_2d": (lambda a, b: a @ b, [(2, 2, 3), (3, 2)]),
    "matmul_2d_3d": (lambda a, b: ember.matmul(a, b), [(2, 3), (2, 3, 2)]),
    "matmul_3d_1d": (lambda a, b: a @ b, [(2, 2, 3), (3,)]),
    "matmul_1d_3d": (lambda a, b: a @ b, [(3,), (2, 3, 2)]),
    "matmul_broadcast": (lambda a, b: a @ b, [(2, 1, 2, 3), (3, 3, 2)]),
    "linalg_matmul": (lambda a, b: L.matmul(a, b), [(2, 2, 3), (3, 2)]),
    "mm": (lambda a, b: a.mm(b), [(2, 3), (3, 4)]),
    "bmm": (lambda a, b: ember.bmm(a, b), [(2, 2, 3), (2, 3, 2)]),
    "mv": (lambda a, b: a.mv(b), [(2, 3), (3,)]),
    "dot": (lambda a, b: a.dot(b), [(3,), (3,)]),
    "vdot": (lambda a, b: ember.vdot(a, b), [(3,), (3,)]),
    "inner": (lambda a, b: a.inner(b), [(2, 3), (2, 2, 3)]),
    "inner_1d": (lambda a, b: ember.inner(a, b), [(3,), (3,)]),
    "inner_0d": (lambda a, b: a.inner(b), [(2, 3), ()]),
    "outer": (lambda a, b: a.outer(b), [(2,), (3,)]),
    "ger": (lambda a, b: a.ger(b), [(2,), (3,)]),
    "kron": (lambda a, b: a.kron(b), [(2, 2), (3,)]),
    "addmm": (lambda c, a, b: c.addmm(a, b), [(2, 4), (2, 3), (3, 4)]),
    "addmm_coef": (lambda c, a, b: ember.addmm(c, a, b, beta=0.5, alpha=-2), [(4,), (2, 3), (3, 4)]),
    "addmm_beta0": (lambda c, a, b: c.addmm(a, b, beta=0), [(2, 4), (2, 3), (3, 4)]),
    "addmv": (lambda c, a, b: c.addmv(a, b, beta=2, alpha=0.5), [(2,), (2, 3), (3,)]),
    "addbmm": (lambda c, a, b: c.addbmm(a, b, alpha=1.5), [(2, 4), (3, 2, 3), (3, 3, 4)]),
    "baddbmm": (lambda c, a, b: c.baddbmm(a, b, beta=-1, alpha=ember.tensor(2.0)), [(1, 4), (3, 2, 3), (3, 3, 4)]),
    "addr": (lambda c, a, b: c.addr(a, b, beta=0.5, alpha=3), [(2, 3), (2,), (3,)]),
    "cross": (lambda a, b: a.cross(b, dim=1), [(2, 3), (2, 3)]),
    "linalg_cross": (lambda a, b: L.cross(a, b), [(2, 3), (1, 3)]),
    "linalg_cross_dim": (lambda a, b: L.cross(a, b, dim=0), [(3, 2), (3, 2)]),
    "vecdot": (lambda a, b: L.vecdot(a, b), [(2, 3), (3,)]),
    "vecdot_dim": (lambda a, b: L.vecdot(a, b, dim=0), [(3, 2), (3, 1)]),
    "tensordot": (lambda a, b: ember.tensordot(a, b, dims=([0, 2], [2, 0])), [(2, 3, 4), (4, 2, 2)]),
    "tensordot_int": (lambda a, b: ember.tensordot(a, b, 1), [(2, 3), (3, 2)]),
    "tensordot_0": (lambda a, b: ember.tensordot(a, b, dims=0), [(2,), (3,)]),
    "tensordot_bcast": (lambda a, b: ember.tensordot(a, b, dims=([1], [0])), [(2, 1), (3, 2)]),
    "linalg_tensordot": (lambda a, b: L.tensordot(a, b, dims=2), [(2, 3), (2, 3)]),
    "multi_dot": (lambda a, b, c: L.multi_dot([a, b, c]), [(3,), (3, 4), (4,)]),
    "multi_dot_4": (lambda a, b, c, d: L.multi_dot((a, b, c, d)), [(2, 3), (3, 4), (4, 2), (2, 3)]),
}

_LAYOUTS = ("contig", "T", "step")


@pytest.mark.parametrize("layout", _LAYOUTS)
@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_products_gradcheck(name, layout):
    fn, shapes = PRODUCTS[name]
    inputs = tuple(leaf(s, layout, i) for i, s in enumerate(shapes))
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_products_gradgradcheck(name):
    fn, shapes = PRODUCTS[name]
    assert gradgradcheck(fn, tuple(leaf(s, seed=i) for i, s in enumerate(shapes)))


def test_products_expanded_operands():
    a, b = leaf((1, 3)), leaf((3, 1))
    assert gradcheck(lambda a, b: a.expand(2, 2, 3) @ b.expand(3, 2), (a, b))
    assert gradcheck(lambda a, b: a.expand(2, 3).mm(b.expand(3, 4)), (a, b))
    c = leaf((2, 1))
    assert gradcheck(lambda c, a, b: c.expand(2, 3).addmm(a.expand(2, 3), b.expand(3, 3)), (c, a, b))


def test_products_keyword_forms():
    a, b, c, v = leaf((2, 3)), leaf((3, 2)), leaf((2, 2)), leaf((3,))
    assert gradcheck(lambda a, b: ember.matmul(a, other=b), (a, b))
    assert gradcheck(lambda c, a, b: ember.addmm(c, mat1=a, mat2=b, beta=2.0, alpha=0.5), (c, a, b))
    assert gradcheck(lambda a, v: ember.mv(a, vec=v), (a, v))
    assert gradcheck(lambda a, b: ember.tensordot(a=a, b=b, dims=([1], [0])), (a, b))
    assert gradcheck(lambda x, y: L.vecdot(x=x, y=y, dim=-1), (a, b.mT))
    assert gradcheck(lambda x, y: L.cross(input=x, other=y, dim=-1), (leaf((2, 3), seed=3), leaf((2, 3), seed=4)))


@settings(max_examples=12, deadline=None)
@given(
    batch_a=st.lists(st.integers(1, 2), max_size=2),
    batch_b=st.lists(st.integers(1, 2), max_size=2),
    m=st.integers(1, 3), k=st.integers(1, 3), n=st.integers(1, 3),
    vec_a=st.booleans(), vec_b=st.booleans(),
)
def test_matmul_shapes_property(batch_a, batch_b, m, k, n, vec_a, vec_b):
    """1-D, 2-D, batched and broadcast batch dims: gradients match finite differences and NumPy."""
    sa = (k,) if vec_a else (*batch_a, m, k)
    sb = (k,) if vec_b else (*[1 if i % 2 else s for i, s in enumerate(batch_b)], k, n)
    a, b = leaf(sa), leaf(sb, "T" if len(sb) > 1 else "contig", 1)
    assert gradcheck(lambda a, b: a @ b, (a, b))
    out = a @ b
    g = ember.ones_like(out)
    ga, gb = ember.autograd.grad(out, (a, b), g)
    na, nb = a.detach().numpy(), b.detach().numpy()
    # d sum(a @ b)/da = sum over the other operand's free index
    ref = np.ones(np.matmul(na, nb).shape)
    ea, eb = np.zeros_like(na), np.zeros_like(nb)
    for idx in np.ndindex(*na.shape):  # tiny shapes: reference by perturbation of a linear map
        d = np.zeros_like(na)
        d[idx] = 1
        ea[idx] = (np.matmul(d, nb) * ref).sum()
    for idx in np.ndindex(*nb.shape):
        d = np.zeros_like(nb)
        d[idx] = 1
        eb[idx] = (np.matmul(na, d) * ref).sum()
    np.testing.assert_allclose(ga.numpy(), ea, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gb.numpy(), eb, rtol=1e-10, atol=1e-12)


# -- einsum (its rule receives the operands through ``*args``) ---------------------------------------

EINSUM = {
    "ij,jk->ik": [(2, 3), (3, 4)], "ii": [(3, 3)], "ij->i": [(3, 2)], "iij->j": [(2, 2, 3)], "ii->i": [(3, 3)],
    "...ij,...jk": [(2, 2, 3), (3, 2)], "i,j->ij": [(2,), (3,)], "bij,bjk->bik": [(2, 2, 3), (1, 3, 2)],
    "ij,ij->": [(2, 3), (2, 1)], "iii->": [(2, 2, 2)], "ij,jk,kl->il": [(2, 3), (3, 2), (2, 2)],
}


@pytest.mark.parametrize("eq", sorted(EINSUM))
def test_einsum_gradcheck(eq):
    inputs = tuple(leaf(s, "T" if len(s) == 2 else "contig", i) for i, s in enumerate(EINSUM[eq]))
    assert gradcheck(lambda *ops: ember.einsum(eq, *ops), inputs)
    assert gradgradcheck(lambda *ops: ember.einsum(eq, *ops), inputs)


def test_einsum_sublist_and_linalg_forms():
    a, b = leaf((2, 3)), leaf((3, 4))
    assert gradcheck(lambda a, b: ember.einsum(a, [0, 1], b, [1, 2], [0, 2]), (a, b))
    assert gradcheck(lambda a, b: L.einsum("ij,jk", a, b), (a, b))


# -- inverse, determinants, solve ---------------------------------------------------------------

def test_inverse_family_gradcheck_and_gradgradcheck():
    for fn, A in (
        (lambda A: L.inv(A), well(3)),
        (lambda A: A.inverse(), well(3, (2,))),
        (lambda A: ember.inverse(A), well(2)),
        (lambda A: L.inv_ex(A).inverse, well(3)),
        (lambda A: L.inv_ex(A, check_errors=True)[0], well(3, (2,))),
    ):
        assert gradcheck(fn, (A,))
        assert gradgradcheck(fn, (A,))


def test_inverse_non_contiguous():
    A = (leaf((3, 3), "T") * 0.3 + 2 * ember.eye(3, dtype=F64)).detach().mT.requires_grad_()
    assert not A.is_contiguous()
    assert gradcheck(lambda A: L.inv(A), (A,))


def test_det_family():
    for fn, A, second in (
        (lambda A: L.det(A), leaf((3, 3)), True),
        (lambda A: A.det(), leaf((2, 3, 3), "T"), True),
        (lambda A: ember.det(A), leaf((2, 2), "step"), True),
        (lambda A: L.slogdet(A).logabsdet, leaf((2, 3, 3)), True),
        (lambda A: A.slogdet(), leaf((3, 3)), False),
        (lambda A: A.logdet(), spd(3, (2,)), True),
        (lambda A: ember.logdet(A), spd(2), False),
    ):
        assert gradcheck(fn, (A,))
        if second:
            assert gradgradcheck(fn, (A,))


def test_det_singular_matrix_uses_adjugate():
    A = ember.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]], dtype=F64, requires_grad=True)
    L.det(A).backward()
    a = A.detach().numpy()
    cof = np.array([[np.linalg.det(np.delete(np.delete(a, i, 0), j, 1)) * (-1) ** (i + j) for j in range(3)]
                    for i in range(3)])
    np.testing.assert_allclose(A.grad.numpy(), cof, atol=1e-10)


def test_det_and_inv_values_against_numpy():
    A = well(3, (2,))
    L.det(A).sum().backward()
    a = A.detach().numpy()
    np.testing.assert_allclose(A.grad.numpy(), np.linalg.det(a)[:, None, None] * np.linalg.inv(a).transpose(0, 2, 1))
    B = well(3)
    (L.inv(B) * 1).sum().backward()
    ib = np.linalg.inv(B.detach().numpy())
    np.testing.assert_allclose(B.grad.numpy(), -ib.T @ np.ones((3, 3)) @ ib.T)


def test_logdet_negative_determinant_has_zero_gradient():
    A = ember.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=F64, requires_grad=True)  # det = -1: logdet NaN
    A.logdet().backward()
    np.testing.assert_array_equal(A.grad.numpy(), np.zeros((2, 2)))


@pytest.mark.parametrize("left", [True, False])
def test_solve(left):
    A, Ab = well(3), well(3, (2,))
    cases = [
        (A, leaf((3, 2) if left else (2, 3), "T")),  # matrix right-hand side
        (A, leaf((3,), "step")),  # vector
        (Ab, leaf((2, 3))),  # batch of vectors
        (Ab, leaf((3, 2) if left else (2, 3))),  # broadcast B over A's batch
        (A, leaf((2, 3, 2) if left else (2, 2, 3))),  # broadcast A over B's batch
    ]
    for a, b in cases:
        def fn(a, b):
            return L.solve(a, b, left=left)
        assert gradcheck(fn, (a, b))
        assert gradgradcheck(fn, (a, b))
    assert gradcheck(lambda a, b: L.solve(A=a, B=b, left=left), (A, leaf((3, 3))))


# -- decompositions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(upper):
    for a in (leaf((3, 3)), leaf((2, 3, 3), "T")):
        def fn(a):
            return L.cholesky(sym_pd(a), upper=upper)
        assert gradcheck(fn, (a,))
        assert gradgradcheck(fn, (a,))


def test_eigh_and_eigvalsh():
    a = leaf((2, 3, 3), "T")

    def eigh(a):
        w, v = L.eigh(a + a.mT)
        return w, v * v  # invariant under the eigenvectors' signs

    assert gradcheck(eigh, (a,))
    assert gradcheck(lambda a: L.eigh(a + a.mT, UPLO="U").eigenvalues, (a,))
    assert gradcheck(lambda a: L.eigvalsh(a + a.mT), (a,))
    assert gradgradcheck(lambda a: L.eigvalsh(a + a.mT), (leaf((3, 3)),))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3), (2, 3, 2)])
def test_svd(shape):
    a = leaf(shape, "T")

    def svd(a):
        U, S, Vh = L.svd(a, full_matrices=False)
        return S, U @ Vh, U * U, Vh * Vh  # sign-invariant functions of the vectors

    assert gradcheck(svd, (a,))
    assert gradcheck(lambda a: L.svdvals(a), (a,))
    k = min(shape[-2:])
    assert gradcheck(lambda a: (lambda r: r.U[..., :k] @ r.Vh[..., :k, :])(L.svd(a)), (a,))  # full_matrices
    assert gradcheck(lambda a: L.svd(a).S, (a,))


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (2, 4), (2, 3, 2)])
def test_qr(shape):
    a = leaf(shape, "T")
    assert gradcheck(lambda a: L.qr(a), (a,))
    assert gradcheck(lambda a: L.qr(a).R, (a,))
    assert gradcheck(lambda a: L.qr(a).Q, (a,))
    if shape[-2] <= shape[-1]:
        assert gradcheck(lambda a: L.qr(a, mode="complete"), (a,))


def test_qr_refusals():
    a = leaf((3, 2))
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and nrows > ncols"):
        L.qr(a, mode="complete").Q.sum().backward()
    with pytest.raises(RuntimeError, match="not computed when mode='r'"):
        L.qr(a, mode="r").R.sum().backward()


def test_pinv():
    for fn, a in (
        (lambda a: L.pinv(a), leaf((4, 3), "T")),
        (lambda a: L.pinv(a), leaf((2, 3, 4))),
        (lambda a: a.pinverse(), leaf((3, 3), "step")),
        (lambda a: L.pinv(a + a.mT, hermitian=True), leaf((3, 3))),
    ):
        assert gradcheck(fn, (a,))
    assert gradgradcheck(lambda a: L.pinv(a), (leaf((3, 2)),))


def test_matrix_rank_is_not_recorded():
    a = leaf((3, 3))
    r = L.matrix_rank(a)
    assert r.dtype == ember.int64 and not r.requires_grad and r.grad_fn is None
    info = L.inv_ex(well(2)).info
    assert info.dtype == ember.int32 and not info.requires_grad


# -- norms ------------------------------------------------------------------------------------------

VECTOR_NORMS = {
    "default": lambda x: L.vector_norm(x),
    "ord1_dim": lambda x: L.vector_norm(x, 1, dim=1),
    "ord3_keepdim": lambda x: L.vector_norm(x, ord=3, dim=0, keepdim=True),
    "ord_half": lambda x: L.vector_norm(x, 0.5, dim=-1),
    "ord_1_5": lambda x: L.vector_norm(x, 1.5, dim=(0, 1)),
    "inf": lambda x: L.vector_norm(x, INF, dim=1),
    "-inf": lambda x: L.vector_norm(x, -INF),
    "ord0": lambda x: L.vector_norm(x, 0),
    "tensor_norm": lambda x: x.norm(),
    "tensor_norm_p1": lambda x: x.norm(p=1, dim=0),
    "tensor_norm_fro": lambda x: ember.norm(x, p="fro", dim=(0, 1), keepdim=True),
    "tensor_norm_inf": lambda x: x.norm(p=INF),
    "linalg_norm": lambda x: L.norm(x),
    "linalg_norm_dim": lambda x: L.norm(x, 3, dim=1),
}


@pytest.mark.parametrize("layout", _LAYOUTS)
@pytest.mark.parametrize("name", sorted(VECTOR_NORMS))
def test_vector_norms(name, layout):
    x = leaf((2, 3), layout)
    assert gradcheck(VECTOR_NORMS[name], (x,))


def test_vector_norm_dtype_argument():
    x = leaf((2, 3)).detach().float().requires_grad_()
    out = L.vector_norm(x, dtype=F64)
    assert out.dtype == F64
    out.backward()
    assert x.grad.dtype == ember.float32
    xv = x.detach().numpy().astype(np.float64)
    np.testing.assert_allclose(x.grad.numpy(), xv / np.linalg.norm(xv), rtol=1e-6)


def test_vector_norm_0d_and_second_order():
    assert gradcheck(lambda x: L.vector_norm(x, 3), (leaf(()),))
    for name in ("default", "ord3_keepdim", "ord_1_5", "tensor_norm_p1"):
        assert gradgradcheck(VECTOR_NORMS[name], (leaf((2, 3)),))


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, INF, -INF])
def test_zero_norm_has_zero_subgradient(ord):
    x = ember.zeros(2, 3, dtype=F64, requires_grad=True)
    L.vector_norm(x, ord, dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3)))


def test_inf_norm_gradient_splits_between_ties():
    x = ember.tensor([3.0, -3.0, 1.0], dtype=F64, requires_grad=True)
    L.vector_norm(x, INF).backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, -0.5, 0.0])


MATRIX_NORMS = {
    "fro": (lambda a: L.matrix_norm(a), (2, 3)),
    "fro_dims": (lambda a: L.matrix_norm(a, dim=(2, 0), keepdim=True), (3, 2, 2)),
    "nuc": (lambda a: L.matrix_norm(a, "nuc"), (2, 4, 3)),
    "nuc_keepdim": (lambda a: L.matrix_norm(a, "nuc", dim=(0, 2), keepdim=True), (3, 2, 4)),
    "2": (lambda a: L.matrix_norm(a, 2), (4, 3)),
    "-2": (lambda a: L.matrix_norm(a, -2, keepdim=True), (2, 3, 3)),
    "1": (lambda a: L.matrix_norm(a, 1, dim=(0, 2)), (4, 2, 3)),
    "-1": (lambda a: L.matrix_norm(a, -1), (4, 3)),
    "inf": (lambda a: L.matrix_norm(a, INF, dim=(2, 0), keepdim=True), (4, 2, 3)),
    "-inf": (lambda a: L.matrix_norm(a, ord=-INF), (3, 4)),
    "tensor_nuc": (lambda a: a.norm(p="nuc"), (2, 3)),
    "linalg_norm_2": (lambda a: L.norm(a, 2), (2, 3)),
    "linalg_norm_dims": (lambda a: L.norm(a, "fro", dim=(1, 2)), (2, 2, 3)),
}


@pytest.mark.parametrize("layout", ["contig", "T"])
@pytest.mark.parametrize("name", sorted(MATRIX_NORMS))
def test_matrix_norms(name, layout):
    fn, shape = MATRIX_NORMS[name]
    assert gradcheck(fn, (leaf(shape, layout),))


def test_matrix_norm_second_order():
    for name in ("fro", "nuc", "2", "1"):
        fn, shape = MATRIX_NORMS[name]
        assert gradgradcheck(fn, (leaf(shape),))


# -- names ------------------------------------------------------------------------------------------

def test_grad_fn_names_match_torch():
    a, b, v, w, b3 = leaf((3, 3)), leaf((3, 3), seed=1), leaf((3,)), leaf((3,), seed=1), leaf((2, 3, 3))
    S = spd(3)
    names = {
        "MmBackward0": [a @ b, a.matmul(b), a.mm(b), L.matmul(a, b)],
        "DotBackward0": [v @ w, v.dot(w)], "MvBackward0": [a @ v, a.mv(v)], "SqueezeBackward4": [v @ a],
        "UnsafeViewBackward0": [b3 @ a, b3 @ v, v @ b3, b3 @ b3], "CloneBackward0": [a @ b3],
        "BmmBackward0": [b3.bmm(b3)], "VdotBackward0": [v.vdot(w)], "ViewBackward0": [a.inner(b), v.inner(w)],
        "MulBackward0": [v.outer(w), v.ger(w), v.inner(ember.tensor(2.0, dtype=F64))],
        "AddmmBackward0": [a.addmm(a, b)], "AddmvBackward0": [v.addmv(a, v)], "AddbmmBackward0": [a.addbmm(b3, b3)],
        "BaddbmmBackward0": [b3.baddbmm(b3, b3)], "AddrBackward0": [a.addr(v, w)],
        "LinalgCrossBackward0": [a.cross(b, dim=0), L.cross(a, b)],
        "LinalgVectorNormBackward0": [a.norm(), a.norm(p=1), a.norm(dim=0), L.vector_norm(a), L.matrix_norm(a),
                                      L.norm(a), L.norm(v)],
        "SumBackward1": [a.norm(p="nuc"), L.matrix_norm(a, "nuc"), L.vecdot(a, b)],
        "AmaxBackward0": [L.matrix_norm(a, 2), L.matrix_norm(a, 1), L.norm(a, 2)],
        "LinalgDetBackward0": [a.det(), L.det(a)], "WhereBackward0": [S.logdet()],
        "LinalgInvExBackward0": [a.inverse(), L.inv(a), L.inv_ex(a).inverse],
        "LinalgPinvBackward0": [a.pinverse(), L.pinv(a)], "LinalgSolveExBackward0": [L.solve(a, b)],
        "LinalgCholeskyExBackward0": [L.cholesky(S), L.cholesky(S, upper=True)],
        "LinalgEighBackward0": [L.eigvalsh(S), *L.eigh(S)], "LinalgSvdBackward0": [L.svdvals(a), *L.svd(a)],
        "LinalgQrBackward0": [*L.qr(a)], "LinalgSlogdetBackward0": [*a.slogdet(), *L.slogdet(a)],
    }
    for name, outs in names.items():
        for out in outs:
            assert out.grad_fn.name() == name, (name, out.grad_fn.name())
    assert repr(v.dot(w)).endswith("grad_fn=<DotBackward0>)")
