"""ember.linalg: inverses, determinants, solvers, decompositions, norms, rank, pinv, multi_dot.

Values are compared with numpy.linalg over random batch shapes (empty batches and 0x0
matrices included), float32/float64/complex dtypes and memory layouts (transposed and
step-sliced inputs); decompositions are also checked by reconstruction (U S Vh, Q R, L L^H,
V diag(w) V^H). Expected errors were captured from PyTorch 2.13.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP, as_layout, raises_exactly
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ember
from ember import linalg as LA

PROPERTY = settings(max_examples=30, deadline=None)
NUMPY_PHRASES = ("numpy", "Singular matrix", "Matrix is not positive definite", "did not converge", "ufunc")
raises = partial(raises_exactly, numpy_phrases=NUMPY_PHRASES)

DTYPES = [ember.float32, ember.float64, ember.complex64, ember.complex128]
LAYOUTS = ["contiguous", "transposed", "stepped"]
TOL = {ember.float32: 2e-4, ember.complex64: 2e-4, ember.float64: 1e-10, ember.complex128: 1e-10}


def rand(rng: np.random.Generator, shape: tuple[int, ...], dt: ember.dtype) -> np.ndarray:
    a = rng.standard_normal(shape)
    if dt.is_complex:
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(NP[dt])


def well_conditioned(rng: np.random.Generator, batch: tuple[int, ...], n: int, dt: ember.dtype) -> np.ndarray:
    return (rand(rng, (*batch, n, n), dt) + 3 * n * np.eye(n)).astype(NP[dt])


def hermitian_pd(rng: np.random.Generator, batch: tuple[int, ...], n: int, dt: ember.dtype) -> np.ndarray:
    a = rand(rng, (*batch, n, n), dt)
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(NP[dt])



def close(out: ember.Tensor, expected: Any, dt: ember.dtype, scale: float = 1.0) -> None:
    expected = np.asarray(expected)
    assert out.dtype is dt, (out.dtype, dt)
    assert tuple(out.shape) == expected.shape, (tuple(out.shape), expected.shape)
    tol = TOL[dt] * scale
    np.testing.assert_allclose(out.numpy(), expected, rtol=tol, atol=tol)


def mh(a: np.ndarray) -> np.ndarray:
    return np.conj(np.swapaxes(a, -1, -2))


REAL = {ember.float32: ember.float32, ember.float64: ember.float64,
        ember.complex64: ember.float32, ember.complex128: ember.float64}


@st.composite
def setup(draw: st.DrawFn, max_batch: int = 2) -> tuple[np.random.Generator, ember.dtype, str, tuple[int, ...]]:
    seed = draw(st.integers(0, 2**32 - 1))
    batch = tuple(draw(st.lists(st.integers(0, 3), max_size=max_batch)))
    return np.random.default_rng(seed), draw(st.sampled_from(DTYPES)), draw(st.sampled_from(LAYOUTS)), batch


n_st = st.integers(0, 4)


# -- inverse, determinant, solve ---------------------------------------------------------------

@PROPERTY
@given(setup(), n_st)
def test_inv_det_slogdet(s: Any, n: int) -> None:
    rng, dt, layout, batch = s
    a = well_conditioned(rng, batch, n, dt)
    t = as_layout(a, layout)
    close(LA.inv(t), np.linalg.inv(a), dt)
    close(t.inverse(), np.linalg.inv(a), dt)
    det = np.linalg.det(a)
    close(LA.det(t), det, dt, scale=max(1.0, float(np.abs(det).max(initial=1.0))))
    sign, logabs = LA.slogdet(t)
    esign, elogabs = np.linalg.slogdet(a)
    close(sign, esign, dt)
    close(logabs, elogabs, REAL[dt], scale=10)
    if not dt.is_complex:
        close(t.logdet(), np.where(esign < 0, np.nan, elogabs), dt, scale=10)
    else:
        close(t.logdet(), np.log(esign) + elogabs, dt, scale=10)


def test_slogdet_does_not_overflow() -> None:
    a = np.eye(60) * 1e10
    sign, logabs = LA.slogdet(ember.tensor(a, dtype=ember.float32))
    assert sign.item() == 1.0
    assert math.isclose(logabs.item(), 60 * math.log(1e10), rel_tol=1e-5)
    sign, logabs = LA.slogdet(ember.tensor(-a))
    assert sign.item() == 1.0  # (-1)**60
    sign, logabs = ember.slogdet(ember.tensor([[0.0, 1.0], [1.0, 0.0]]))
    assert (sign.item(), logabs.item()) == (-1.0, 0.0)


def test_singular_determinants() -> None:
    z = ember.zeros(2, 3, 3)
    sign, logabs = LA.slogdet(z)
    assert sign.tolist() == [0.0, 0.0] and logabs.tolist() == [-math.inf, -math.inf]
    assert ember.logdet(ember.zeros(3, 3)).item() == -math.inf
    assert math.isnan((-ember.eye(3)).logdet().item())
    assert ember.det(ember.zeros(3, 3)).item() == 0.0
    assert LA.det(ember.empty(0, 0)).item() == 1.0
    sign, logabs = LA.slogdet(ember.empty(2, 0, 0))
    assert sign.tolist() == [1.0, 1.0] and logabs.tolist() == [0.0, 0.0]


@PROPERTY
@given(setup(), n_st, st.integers(0, 3), st.sampled_from(["matrix", "vector", "batched-vector"]), st.booleans())
def test_solve(s: Any, n: int, k: int, form: str, left: bool) -> None:
    rng, dt, layout, batch = s
    a = well_conditioned(rng, batch, n, dt)
    if form == "vector":
        b = rand(rng, (n,), dt)
        expected = np.linalg.solve(a if left else np.swapaxes(a, -1, -2), np.broadcast_to(b[:, None], (*batch, n, 1)))[..., 0]
    elif form == "batched-vector":
        b = rand(rng, (*batch, n), dt)
        expected = np.linalg.solve(a if left else np.swapaxes(a, -1, -2), b[..., None])[..., 0]
    elif left:
        b = rand(rng, (n, k), dt)  # batch dims broadcast
        assume(b.shape != a.shape[:-1])  # that B is a batch of vectors, as in torch
        expected = np.linalg.solve(a, np.broadcast_to(b, (*batch, n, k)))
    else:
        b = rand(rng, (k, n), dt)
        assume(b.shape != a.shape[:-1])
        at = np.swapaxes(a, -1, -2)
        expected = np.swapaxes(np.linalg.solve(at, np.broadcast_to(b.T, (*batch, n, k))), -1, -2)
    out = LA.solve(as_layout(a, layout), as_layout(b, layout), left=left)
    close(out, expected, dt)


def test_inv_ex_reports_singular_matrices() -> None:
    a = ember.stack([ember.eye(2) * 2, ember.zeros(2, 2)])
    inverse, info = LA.inv_ex(a)
    assert info.dtype is ember.int32 and info.tolist()[0] == 0 and info.tolist()[1] > 0
    np.testing.assert_allclose(inverse[0].numpy(), np.eye(2) / 2)
    with raises(LA.LinAlgError, "(Batch element 1)", "singular"):
        LA.inv_ex(a, check_errors=True)


# -- decompositions (reconstruction) ---------------------------------------------------------------

shape_st = st.tuples(n_st, n_st)


@PROPERTY
@given(setup(), shape_st, st.booleans())
def test_svd_reconstructs(s: Any, mn: tuple[int, int], full: bool) -> None:
    rng, dt, layout, batch = s
    m, n = mn
    a = rand(rng, (*batch, m, n), dt)
    u, sv, vh = LA.svd(as_layout(a, layout), full_matrices=full)
    k = min(m, n)
    assert tuple(u.shape) == (*batch, m, m if full else k) and tuple(vh.shape) == (*batch, n if full else k, n)
    assert u.dtype is dt and vh.dtype is dt and sv.dtype is REAL[dt]
    close(sv, np.linalg.svd(a, compute_uv=False), REAL[dt], scale=10)
    un, vhn = u.numpy()[..., :k], vh.numpy()[..., :k, :]
    tol = 10 * TOL[dt]
    np.testing.assert_allclose((un * sv.numpy()[..., None, :]) @ vhn, a, rtol=tol, atol=tol)
    np.testing.assert_allclose(mh(u.numpy()) @ u.numpy(), np.broadcast_to(np.eye(u.shape[-1]), u.shape[:-2] + (u.shape[-1],) * 2), atol=tol)
    close(LA.svdvals(as_layout(a, layout)), np.linalg.svd(a, compute_uv=False), REAL[dt], scale=10)


@PROPERTY
@given(setup(), shape_st, st.sampled_from(["reduced", "complete", "r"]))
def test_qr_reconstructs(s: Any, mn: tuple[int, int], mode: str) -> None:
    rng, dt, layout, batch = s
    m, n = mn
    a = rand(rng, (*batch, m, n), dt)
    q, r = LA.qr(as_layout(a, layout), mode=mode)
    k = min(m, n)
    rn = r.numpy()
    assert q.dtype is dt and r.dtype is dt
    assert np.all(np.tril(rn, -1) == 0)
    if mode == "r":
        assert tuple(q.shape) == (0,) and tuple(r.shape) == (*batch, k, n)
        np.testing.assert_allclose(np.abs(rn), np.abs(np.linalg.qr(a, mode="r")), rtol=TOL[dt] * 10, atol=TOL[dt] * 10)
        return
    cols = m if mode == "complete" else k
    assert tuple(q.shape) == (*batch, m, cols) and tuple(r.shape) == (*batch, cols, n)
    qn = q.numpy()
    tol = 10 * TOL[dt]
    np.testing.assert_allclose(qn @ rn, a, rtol=tol, atol=tol)
    np.testing.assert_allclose(mh(qn) @ qn, np.broadcast_to(np.eye(cols), (*batch, cols, cols)), atol=tol)


@PROPERTY
@given(setup(), n_st, st.booleans())
def test_cholesky_reconstructs(s: Any, n: int, upper: bool) -> None:
    rng, dt, layout, batch = s
    a = hermitian_pd(rng, batch, n, dt)
    f = LA.cholesky(as_layout(a, layout), upper=upper).numpy()
    tol = 10 * TOL[dt] * max(n, 1)
    if upper:
        assert np.all(np.tril(f, -1) == 0)
        np.testing.assert_allclose(mh(f) @ f, a, rtol=tol, atol=tol)
    else:
        assert np.all(np.triu(f, 1) == 0)
        np.testing.assert_allclose(f @ mh(f), a, rtol=tol, atol=tol)
        np.testing.assert_allclose(f, np.linalg.cholesky(a), rtol=tol, atol=tol)


@PROPERTY
@given(setup(), n_st, st.sampled_from(["L", "U"]))
def test_eigh_reconstructs(s: Any, n: int, uplo: str) -> None:
    rng, dt, layout, batch = s
    a = hermitian_pd(rng, batch, n, dt)
    # only the UPLO triangle is read: spoil the other one
    spoiled = a + (np.triu(np.ones((n, n)), 1) if uplo == "L" else np.tril(np.ones((n, n)), -1)) * 100
    w, v = LA.eigh(as_layout(spoiled.astype(a.dtype), layout), UPLO=uplo)
    assert w.dtype is REAL[dt] and v.dtype is dt
    tol = 10 * TOL[dt] * max(n, 1) ** 2
    close(w, np.linalg.eigvalsh(a), REAL[dt], scale=10 * max(n, 1) ** 2)
    np.testing.assert_allclose(a @ v.numpy(), v.numpy() * w.numpy()[..., None, :], rtol=tol, atol=tol)
    close(LA.eigvalsh(as_layout(spoiled.astype(a.dtype), layout), UPLO=uplo), np.linalg.eigvalsh(a), REAL[dt],
          scale=10 * max(n, 1) ** 2)


# -- norms -------------------------------------------------------------------------------------------

ORDS = st.sampled_from([2, 1, 0, 3, 0.5, -1, math.inf, -math.inf])


def np_vector_norm(a: np.ndarray, ord: float, axis: Any, keepdims: bool) -> Any:
    x = np.abs(a).astype(np.float64)
    if ord == math.inf:
        return x.max(axis=axis, keepdims=keepdims)
    if ord == -math.inf:
        return x.min(axis=axis, keepdims=keepdims)
    if ord == 0:
        return (x != 0).sum(axis=axis, keepdims=keepdims)
    with np.errstate(divide="ignore"):
        return (x**ord).sum(axis=axis, keepdims=keepdims) ** (1 / ord)


@PROPERTY
@given(setup(max_batch=3), ORDS, st.booleans(), st.data())
def test_vector_norm(s: Any, ord: float, keepdim: bool, data: st.DataObject) -> None:
    rng, dt, layout, shape = s
    a = rand(rng, shape, dt)
    nd = len(shape)
    dim = data.draw(st.one_of(st.none(), st.lists(st.integers(-nd, nd - 1), unique_by=lambda d: d % nd, max_size=nd).map(tuple))
                    if nd else st.none())
    axis = None if dim is None or dim == () else tuple(d % nd for d in dim)
    extent = math.prod(shape if axis is None else [shape[d] for d in axis])
    t = as_layout(a, layout)
    if extent == 0 and (ord < 0 or ord == math.inf):
        with raises(RuntimeError, "norm on an empty tensor because the operation does not have an identity"):
            LA.vector_norm(t, ord, dim, keepdim)
        return
    expected = np_vector_norm(a, ord, axis, keepdim)
    if axis is None and keepdim:
        expected = np.reshape(expected, (1,) * nd)
    close(LA.vector_norm(t, ord, dim, keepdim), expected, REAL[dt], scale=10)
    if ord != 0 and dim:
        close(t.norm(p=ord, dim=dim, keepdim=keepdim), expected, REAL[dt], scale=10)


@PROPERTY
@given(setup(), shape_st, st.sampled_from(["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf]), st.booleans())
def test_matrix_norm(s: Any, mn: tuple[int, int], ord: Any, keepdim: bool) -> None:
    rng, dt, layout, batch = s
    a = rand(rng, (*batch, *mn), dt)
    t = as_layout(a, layout)
    if 0 in mn:
        if ord == -2:
            with raises(IndexError, "Expected reduction dim -1 to have non-zero size"):
                LA.matrix_norm(t, ord)
            return
        expected = np.zeros(batch)
    else:
        expected = np.linalg.norm(a, ord=ord, axis=(-2, -1)) if a.size else np.zeros(batch)
    if keepdim:
        expected = expected[..., None, None]
    close(LA.matrix_norm(t, ord, keepdim=keepdim), expected, REAL[dt], scale=10)
    # the same dims, given the other way round and as negative/positive mixes
    nd = t.ndim
    flipped = LA.matrix_norm(t.transpose(-2, -1), ord, dim=(nd - 1, -2), keepdim=keepdim)
    close(flipped, expected, REAL[dt], scale=10)


def test_norm_dispatch() -> None:
    a = (np.arange(24.0).reshape(2, 3, 4) - 10).astype(np.float32)
    t = ember.tensor(a)
    close(LA.norm(t), np.linalg.norm(a.ravel()), ember.float32)
    close(LA.norm(t[0], ord="nuc"), np.linalg.norm(a[0], "nuc"), ember.float32)
    close(LA.norm(t[0, 0], ord=1), np.linalg.norm(a[0, 0], 1), ember.float32)
    close(LA.norm(t, ord=math.inf, dim=(0, 2)), np.linalg.norm(np.moveaxis(a, 1, 0), math.inf, axis=(1, 2)), ember.float32)
    close(LA.norm(t, ord=3, dim=1), np_vector_norm(a, 3, 1, False), ember.float32)
    close(ember.norm(t), np.linalg.norm(a.ravel()), ember.float32)
    close(t.norm(p="fro", dim=(0, 2)), np.sqrt((a**2).sum((0, 2))), ember.float32)
    close(t[0].norm(p="nuc"), np.linalg.norm(a[0], "nuc"), ember.float32)
    close(t.norm(3, 1, True), np_vector_norm(a, 3, 1, True), ember.float32)
    close(t.norm(dtype=ember.float64), np.linalg.norm(a.astype(np.float64).ravel()), ember.float64)
    c = ember.tensor([3 + 4j, 0j])
    close(c.norm(), 5.0, ember.float32)
    close(LA.vector_norm(ember.tensor([3.0, 4.0]), ember.tensor(2.0)), 5.0, ember.float32)


# -- rank, pinv, products --------------------------------------------------------------------------------

@PROPERTY
@given(setup(), shape_st, st.integers(0, 4), st.booleans())
def test_matrix_rank_and_pinv(s: Any, mn: tuple[int, int], rank: int, hermitian: bool) -> None:
    rng, dt, layout, batch = s
    m, n = mn
    if hermitian:
        n = m
        x = rand(rng, (*batch, m, min(rank, m)), dt)
        a = x @ mh(x)
    else:
        a = rand(rng, (*batch, m, min(rank, m, n)), dt) @ rand(rng, (*batch, min(rank, m, n), n), dt)
    a = a.astype(NP[dt])
    t = as_layout(a, layout)
    out = LA.matrix_rank(t, hermitian=hermitian)
    assert out.dtype is ember.int64
    expected = np.linalg.matrix_rank(a, hermitian=hermitian) if a.size else np.zeros(batch, np.int64)
    np.testing.assert_array_equal(out.numpy(), expected)
    pinv = LA.pinv(t, hermitian=hermitian)
    assert tuple(pinv.shape) == (*batch, n, m)
    if a.size:
        # numpy's cutoff rcond * largest singular value is torch's default rtol = eps * max(m, n)
        expected = np.linalg.pinv(a, rcond=max(m, n) * np.finfo(NP[REAL[dt]]).eps, hermitian=hermitian)
        tol = 1e3 * TOL[dt] * max(1.0, float(np.abs(expected).max()))
        np.testing.assert_allclose(pinv.numpy(), expected, rtol=tol, atol=tol)
    else:
        assert not pinv.numpy().any()


def test_tolerances() -> None:
    a = ember.tensor(np.diag([1.0, 1e-3, 1e-9]), dtype=ember.float32)  # eps * 3 is about 3.6e-7
    assert LA.matrix_rank(a).item() == 2
    assert LA.matrix_rank(a, atol=1e-2).item() == 1
    assert LA.matrix_rank(a, rtol=1e-12).item() == 3
    assert LA.matrix_rank(a, atol=ember.tensor(0.5)).item() == 1
    np.testing.assert_allclose(LA.pinv(a, atol=1e-2).numpy(), np.diag([1.0, 0.0, 0.0]), rtol=1e-6)
    np.testing.assert_allclose(a.pinverse(rcond=1e-4).numpy(), np.diag([1.0, 1e3, 0.0]), rtol=1e-6)
    assert LA.matrix_rank(a.double()).item() == 3  # float64: eps * 3 is about 6.7e-16


@PROPERTY
@given(setup(), st.lists(st.integers(0, 4), min_size=3, max_size=6), st.booleans(), st.booleans())
def test_multi_dot(s: Any, dims: list[int], first_vec: bool, last_vec: bool) -> None:
    rng, dt, layout, _ = s
    mats = [rand(rng, (dims[i], dims[i + 1]), dt) for i in range(len(dims) - 1)]
    if first_vec:
        mats[0] = rand(rng, (dims[1],), dt)
    if last_vec:
        mats[-1] = rand(rng, (dims[-2],), dt)
    out = LA.multi_dot([as_layout(m, layout) for m in mats])
    close(out, np.linalg.multi_dot(mats), dt, scale=100)


@PROPERTY
@given(setup(max_batch=3), st.booleans())
def test_vecdot_and_linalg_matmul(s: Any, broadcast: bool) -> None:
    rng, dt, layout, shape = s
    shape = (*shape, 3)
    x = rand(rng, shape, dt)
    y = rand(rng, (3,) if broadcast else shape, dt)
    close(LA.vecdot(as_layout(x, layout), ember.tensor(y)), (np.conj(x) * y).sum(-1), dt)
    close(LA.vecdot(as_layout(x, layout), ember.tensor(y), dim=-1), (np.conj(x) * y).sum(-1), dt)
    m = rand(rng, (3, 2), dt)
    close(LA.matmul(as_layout(x, layout), ember.tensor(m)), x @ m, dt)


# -- errors (messages from torch 2.13) -------------------------------------------------------------

I64 = ember.int64


@pytest.mark.parametrize(("call", "exc", "message"), [
    (lambda: LA.inv(ember.ones(3, 3, dtype=I64)), RuntimeError,
     "linalg.inv: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: LA.inv(ember.zeros(3)), RuntimeError, "linalg.inv: The input tensor A must have at least 2 dimensions."),
    (lambda: LA.inv(ember.zeros(2, 3)), RuntimeError,
     "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: LA.inv(ember.zeros(3, 3, dtype=ember.float16)), RuntimeError, "linalg.inv: Low precision dtypes not supported. Got Half"),
    (lambda: LA.inv(ember.zeros(3, 3)), LA.LinAlgError, ("linalg.inv: ", "singular")),
    (lambda: LA.inv(ember.stack([ember.eye(3), ember.zeros(3, 3)])), LA.LinAlgError, ("linalg.inv: (Batch element 1): ", "singular")),
    (lambda: ember.inverse(ember.zeros(3, 3)), LA.LinAlgError, ("linalg.inv: ", "singular")),
    (lambda: LA.det(ember.ones(3, 3, dtype=I64)), RuntimeError, "linalg.det: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: LA.det(ember.zeros(2, 3)), RuntimeError, "linalg.det: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: LA.slogdet(ember.ones(3, 3, dtype=I64)), RuntimeError, "linalg.slogdet: Expected a floating point"),
    (lambda: ember.logdet(ember.ones(3, 3, dtype=I64)), RuntimeError, "logdet: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: LA.solve(ember.zeros(3, 3), ember.ones(3)), LA.LinAlgError,
     "linalg.solve: The solver failed because the input matrix is singular."),
    (lambda: LA.solve(ember.eye(3), ember.ones(3, dtype=ember.float64)), RuntimeError,
     "linalg.solve: Expected A and B to have the same dtype, but found A of type Float and B of type Double instead"),
    (lambda: LA.solve(ember.eye(3), ember.ones(4)), RuntimeError,
     "linalg.solve: Incompatible shapes of A and B for the equation AX = B (3x3 and 4x1)"),
    (lambda: LA.solve(ember.eye(3), ember.ones(4, 2)), RuntimeError,
     "linalg.solve: Incompatible shapes of A and B for the equation AX = B (3x3 and 4x2)"),
    (lambda: LA.solve(ember.zeros(2, 3), ember.ones(2)), RuntimeError,
     "linalg.solve: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: LA.svd(ember.ones(3, 3, dtype=I64)), RuntimeError, "linalg.svd: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: LA.svd(ember.zeros(3)), RuntimeError, "linalg.svd: The input tensor A must have at least 2 dimensions."),
    (lambda: LA.qr(ember.zeros(3)), RuntimeError, "linalg.qr: The input tensor A must have at least 2 dimensions."),
    (lambda: LA.qr(ember.eye(3), mode="x"), RuntimeError,
     "qr received unrecognized mode 'x' but expected one of 'reduced' (default), 'r', or 'complete'"),
    (lambda: LA.cholesky(-ember.eye(3)), LA.LinAlgError,
     "linalg.cholesky: The factorization could not be completed because the input is not positive-definite"),
    (lambda: LA.cholesky(ember.stack([ember.eye(3), -ember.eye(3)])), LA.LinAlgError,
     "linalg.cholesky: (Batch element 1): The factorization could not be completed because the input is not positive-definite"),
    (lambda: LA.cholesky(ember.ones(3, 3, dtype=I64)), RuntimeError, "linalg.cholesky: Expected a floating point"),
    (lambda: LA.cholesky(ember.zeros(2, 3)), RuntimeError,
     "linalg.cholesky: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: LA.eigh(ember.ones(3, 3, dtype=I64)), NotImplementedError, "'Long'"),
    (lambda: LA.eigh(ember.eye(3), UPLO="X"), RuntimeError, "Expected UPLO argument to be 'L' or 'U', but got X"),
    (lambda: LA.eigh(ember.zeros(2, 3)), RuntimeError, "linalg.eigh: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: LA.vector_norm(ember.arange(3)), RuntimeError,
     "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: LA.vector_norm(ember.ones(3), ord="fro"), TypeError, "linalg_vector_norm(): argument 'ord' must be Number, not str"),
    (lambda: LA.vector_norm(ember.empty(0), ord=math.inf), RuntimeError,
     "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation does not have an identity"),
    (lambda: LA.vector_norm(ember.empty(0, 3), ord=-1), RuntimeError, "cannot compute the -1 norm on an empty tensor"),
    (lambda: LA.vector_norm(ember.ones(3), dtype=I64), RuntimeError,
     "linalg.vector_norm: dtype should be floating point or complex, but got Long"),
    (lambda: LA.vector_norm(ember.ones(3, dtype=ember.complex64), dtype=ember.float64), RuntimeError,
     "linalg.vector_norm: dtype should be complex for complex inputs, but got Double"),
    (lambda: LA.vector_norm(ember.ones(3), dtype=ember.complex64), RuntimeError,
     "linalg.vector_norm: dtype should be real for real inputs, but got ComplexFloat"),
    (lambda: LA.vector_norm(ember.ones(3), dim=(0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda: LA.matrix_norm(ember.ones(3)), RuntimeError, "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."),
    (lambda: LA.matrix_norm(ember.eye(3), ord=3), RuntimeError, "linalg.matrix_norm: Order 3 not supported."),
    (lambda: LA.matrix_norm(ember.eye(3), ord="abc"), RuntimeError, "linalg.matrix_norm: Order abc not supported."),
    (lambda: LA.matrix_norm(ember.ones(3, 3, dtype=I64)), RuntimeError, "linalg.matrix_norm: Expected a floating point"),
    (lambda: LA.matrix_norm(ember.eye(3), dim=(0, 0)), RuntimeError, "linalg.matrix_norm: dims must be different. Got (0, 0)"),
    (lambda: LA.matrix_norm(ember.eye(3), dim=(0,)), RuntimeError, "linalg.matrix_norm: dim must be a 2-tuple. Got 0"),
    (lambda: LA.norm(ember.ones(3), ord="fro"), RuntimeError, "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."),
    (lambda: LA.norm(ember.ones(2, 2, 2), ord=2), RuntimeError,
     "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."),
    (lambda: ember.norm(ember.ones(2, 3, 3), p="nuc"), RuntimeError, "linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 2"),
    (lambda: ember.norm(ember.eye(3), p="nuc", dim=0), RuntimeError, "linalg.matrix_norm: dim must be a 2-tuple. Got 0"),
    (lambda: ember.norm(ember.ones(3, 3, dtype=I64)), RuntimeError, "linalg.vector_norm: Expected a floating point"),
    (lambda: LA.vecdot(ember.ones(3), ember.ones(3, dtype=ember.float64)), RuntimeError,
     "linalg.vecdot: Expected x and y to have the same dtype, but found x of type Float and y of type Double instead"),
    (lambda: LA.vecdot(ember.arange(3), ember.arange(3)), RuntimeError, "linalg.vecdot: Expected a floating point"),
    (lambda: LA.cross(ember.ones(3), ember.ones(4)), RuntimeError, "linalg.cross: inputs dimension -1 must have length 3. Got 3 and 4"),
    (lambda: LA.cross(ember.ones(2, 3), ember.ones(4, 1, 3)), RuntimeError,
     "linalg.cross: inputs must have the same number of dimensions."),
    (lambda: LA.cross(ember.ones(3), ember.ones(3, dtype=ember.float64)), RuntimeError, "expected scalar type Float but found Double"),
    (lambda: LA.multi_dot([ember.eye(3)]), RuntimeError, "multi_dot(): expected at least 2 tensors but got 1"),
    (lambda: LA.multi_dot([ember.eye(3), ember.ones(3), ember.eye(3)]), RuntimeError, "multi_dot(): tensor 1 must be 2D but got 1D"),
    (lambda: LA.multi_dot([ember.ones(2, 2, 2), ember.eye(2)]), RuntimeError,
     "multi_dot(): the first tensor must be 1D or 2D but got 3D"),
    (lambda: LA.multi_dot([ember.eye(3), ember.eye(3, dtype=ember.float64)]), RuntimeError,
     "multi_dot(): all tensors must have be the same dtype but tensor 0 is float and tensor 1 double"),
    (lambda: LA.multi_dot([ember.eye(3), ember.ones(4, 3)]), RuntimeError,
     "multi_dot(): tensors 0 and 1 with shapes [3, 3] and [4, 3] cannot be multiplied"),
    (lambda: LA.inv([[1.0]]), TypeError, "must be Tensor, not list"),
])
def test_errors(call: Any, exc: type[BaseException], message: str | tuple[str, ...]) -> None:
    with raises(exc, *((message,) if isinstance(message, str) else message)):
        call()


def test_linalg_error_is_a_runtime_error() -> None:
    assert issubclass(LA.LinAlgError, RuntimeError)
    with pytest.raises(RuntimeError):
        LA.inv(ember.zeros(2, 2))


def test_empty_inputs() -> None:
    assert tuple(LA.inv(ember.empty(0, 0)).shape) == (0, 0)
    assert tuple(LA.cholesky(ember.empty(2, 0, 0)).shape) == (2, 0, 0)
    w, v = LA.eigh(ember.empty(0, 0))
    assert tuple(w.shape) == (0,) and tuple(v.shape) == (0, 0)
    u, s, vh = LA.svd(ember.empty(0, 3))
    assert (tuple(u.shape), tuple(s.shape), tuple(vh.shape)) == ((0, 0), (0,), (3, 3))
    q, r = LA.qr(ember.empty(3, 0), mode="complete")
    assert (tuple(q.shape), tuple(r.shape)) == ((3, 3), (3, 0))
    assert LA.matrix_norm(ember.empty(0, 3), ord=1).item() == 0.0
    assert tuple(LA.vector_norm(ember.empty(0, 3), ord=math.inf, dim=1).shape) == (0,)
