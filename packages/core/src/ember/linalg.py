"""``ember.linalg``: PyTorch's ``torch.linalg``: decompositions, solvers, norms and products.

Every function takes batches of matrices (any leading dims) and calls one required-tier
``linalg_*`` kernel of the backend. Decompositions need float32/float64/complex input, as in
PyTorch; singular or non-positive-definite input raises :class:`LinAlgError`.

>>> A = ember.tensor([[2., 1.], [1., 3.]])
>>> ember.linalg.solve(A, ember.tensor([3., 4.]))
tensor([1., 1.])
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._dtypes import dtype
from ember._elementwise import broadcast_for
from ember._ops_linalg import _cname, _same_place, einsum, tensordot
from ember._ops_linalg import matmul as _matmul
from ember._special_cases import no_kernel, tname
from ember._tensor_base import TensorBase, like, norm_dim

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__ = [
    "LinAlgError", "inv", "inv_ex", "det", "slogdet", "solve", "svd", "svdvals", "qr", "cholesky", "eigh",
    "eigvalsh", "vector_norm", "matrix_norm", "norm", "matmul", "matrix_rank", "pinv", "multi_dot",
    "cross", "vecdot", "tensordot", "einsum",
]

_INF = math.inf


class LinAlgError(RuntimeError):
    """A matrix the operation cannot handle: singular (inv, solve) or not positive-definite (cholesky)."""


class linalg_slogdet(NamedTuple):
    sign: Tensor
    logabsdet: Tensor


class linalg_svd(NamedTuple):
    U: Tensor
    S: Tensor
    Vh: Tensor


class linalg_qr(NamedTuple):
    Q: Tensor
    R: Tensor


class linalg_eigh(NamedTuple):
    eigenvalues: Tensor
    eigenvectors: Tensor


class linalg_inv_ex(NamedTuple):
    inverse: Tensor
    info: Tensor


# -- checks -------------------------------------------------------------------------------------

def _tensor(x: Any, op: str, name: str = "A", pos: int = 1) -> TensorBase:
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")
    return x


def _floating(A: TensorBase, op: str) -> None:
    if A._dtype.category < D.FLOATING:
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {tname(A._dtype)}")
    if A._dtype in (D.float16, D.bfloat16):
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {tname(A._dtype)}")


def _matrices(A: Any, op: str, square: bool = True, name: str = "A") -> TensorBase:
    """``A`` checked as a float/complex batch of (square) matrices."""
    _tensor(A, op, name)
    _floating(A, op)
    shape = A._data.shape
    if len(shape) < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and shape[-1] != shape[-2]:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are {shape[-2]} by {shape[-1]} matrices")
    return A


def _all_finite(bk: Any, x: Any) -> bool:
    return bool(bk.item(bk.all(bk.isfinite(x), None, False)))


def _batch_note(bk: Any, flags: Any) -> str:
    """``"(Batch element k): "`` for the first true entry of ``flags`` (batch shape), as torch words it."""
    if flags.ndim == 0:
        return ""
    flat = bk.reshape(bk.astype(flags, D.int8), (-1,), None)
    return f"(Batch element {bk.item(bk.argmax(flat, None, False))}): " if flat.shape[0] else ""


def _singular(A: TensorBase, op: str, what: str, exc: Exception | None = None) -> LinAlgError:
    bk = A._backend
    note = ""
    if A._data.ndim > 2 and A._data.size:  # name the most singular matrix of the batch
        det = bk.abs(bk.linalg_det(A._data))
        note = _batch_note(bk, bk.equal(det, bk.min(det, None, True)))
    err = LinAlgError(f"{op}: {note}{what}")
    err.__cause__ = exc
    return err


def _checked(A: TensorBase, result: Any, op: str, what: str) -> Any:
    """A kernel's result, or LinAlgError when it is non-finite although ``A`` is finite (singular input)."""
    bk = A._backend
    if not _all_finite(bk, result) and _all_finite(bk, A._data):
        raise _singular(A, op, what)
    return result


_SINGULAR_INV = "The diagonal of the LU factorization is zero, so the inversion could not be completed because the input matrix is singular."
_SINGULAR_SOLVE = "The solver failed because the input matrix is singular."
_NOT_PD = "The factorization could not be completed because the input is not positive-definite."
_NO_CONVERGENCE = (
    "The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated "
    "singular values."
)


# -- inverse, determinant, solve ------------------------------------------------------------------

def inv(A: Any) -> Tensor:
    """Inverse of each square matrix in ``A`` (``..., n, n``).

    >>> ember.linalg.inv(ember.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    op = "linalg.inv"
    _matrices(A, op)
    try:
        out = A._backend.linalg_inv(A._data)
    except ValueError as exc:
        raise _singular(A, op, _SINGULAR_INV, exc) from exc
    return like(A, _checked(A, out, op, _SINGULAR_INV))


def inv_ex(A: Any, *, check_errors: bool = False) -> linalg_inv_ex:
    """``(inverse, info)``: ``info`` (int32, batch shape) is 0 where the matrix was invertible, else > 0."""
    op = "linalg.inv_ex"
    _matrices(A, op)
    bk = A._backend
    n = A._data.shape[-1]
    bad = bk.equal(bk.linalg_det(A._data), 0)  # an exactly zero pivot, where the inverse kernel fails
    if check_errors and bool(bk.item(bk.any(bad, None, False))):
        raise LinAlgError(f"{op}: {_batch_note(bk, bad)}{_SINGULAR_INV}")
    # singular matrices are replaced by the identity so the others invert in one kernel call
    eye = bk.eye(n, n, A._dtype, A._device.index)
    safe = bk.where(bk.reshape(bad, (*bad.shape, 1, 1), None), eye, A._data)
    out = bk.linalg_inv(safe)
    nan = bk.full((), math.nan, A._dtype, A._device.index)
    out = bk.where(bk.reshape(bad, (*bad.shape, 1, 1), None), nan, out)
    info = bk.multiply(bk.astype(bad, D.int32), max(n, 1))
    return linalg_inv_ex(like(A, out), like(A, info, D.int32))


def det(A: Any) -> Tensor:
    """Determinant of each square matrix (shape ``A.shape[:-2]``)."""
    _matrices(A, "linalg.det")
    return like(A, A._backend.linalg_det(A._data))


def slogdet(A: Any) -> linalg_slogdet:
    """``(sign, logabsdet)`` with ``det(A) == sign * exp(logabsdet)``, without overflow.

    ``logabsdet`` is real; ``sign`` has ``A``'s dtype (a unit complex number for complex input,
    0 for a singular matrix).
    """
    return _slogdet(A, "linalg.slogdet")


def _slogdet(A: Any, op: str) -> linalg_slogdet:
    _matrices(A, op)
    bk, x, dt = A._backend, A._data, A._dtype
    real, n = dt.to_real(), x.shape[-1]
    idx = A._device.index
    if n == 0:
        batch = tuple(x.shape[:-2])
        return linalg_slogdet(like(A, bk.full(batch, 1, dt, idx)), like(A, bk.full(batch, 0, real, idx), real))
    s = bk.linalg_svd(x, False)[1]
    logabs = bk.sum(bk.log(s), (s.ndim - 1,), False, real)
    # det(c * A) = c**n * det(A) keeps the sign for c > 0; c = exp(-logabs / n) makes |det| = 1 (no overflow)
    finite = bk.isfinite(logabs)
    c = bk.exp(bk.where(finite, bk.divide(bk.negative(logabs), n), bk.full((), 0, real, idx)))
    c = bk.reshape(bk.astype(c, dt), (*c.shape, 1, 1), None)
    d = bk.linalg_det(bk.multiply(x, c))
    if dt.category == D.COMPLEX:
        mag = bk.astype(bk.abs(d), dt)
        sign = bk.divide(d, bk.where(bk.equal(mag, 0), bk.full((), 1, dt, idx), mag))
    else:
        sign = bk.sign(d)
    sign = bk.where(finite, sign, bk.full((), 0, dt, idx))
    return linalg_slogdet(like(A, sign), like(A, logabs, real))


def _logdet(A: Any) -> Tensor:
    """Tensor.logdet: ``log(det(A))``; NaN for a negative real determinant."""
    sign, logabs = _slogdet(A, "logdet")
    bk, idx = A._backend, A._device.index
    if A._dtype.category == D.COMPLEX:
        return like(A, bk.add(bk.log(sign._data), bk.astype(logabs._data, A._dtype)))
    neg = bk.less(sign._data, 0)
    return like(A, bk.where(neg, bk.full((), math.nan, A._dtype, idx), logabs._data))


def solve(A: Any, B: Any, *, left: bool = True) -> Tensor:
    """``X`` with ``A @ X == B`` (``X @ A == B`` for ``left=False``); batch dims broadcast.

    ``B`` is a batch of vectors when it is 1-D or has ``A``'s shape without its last dim.
    """
    op = "linalg.solve"
    _matrices(A, op)
    _tensor(B, op, "B", 2)
    _same_place(op, A, B)
    if A._dtype is not B._dtype:
        raise RuntimeError(
            f"{op}: Expected A and B to have the same dtype, but found A of type {tname(A._dtype)} and B of type "
            f"{tname(B._dtype)} instead"
        )
    bk = A._backend
    a, b = A._data, B._data
    n = a.shape[-1]
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and tuple(b.shape) == tuple(a.shape[:-1]))
    if vector:
        b = bk.reshape(b, (*b.shape, 1), None)
    elif b.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor B must have at least 1 dimensions.")
    if not left:  # X A = B  <=>  A^T X^T = B^T
        a = bk.permute_dims(a, (*range(a.ndim - 2), a.ndim - 1, a.ndim - 2))
        if not vector:
            b = bk.permute_dims(b, (*range(b.ndim - 2), b.ndim - 1, b.ndim - 2))
    if b.shape[-2] != n:
        eq = "AX = B" if left else "XA = B"
        k = 1 if vector else b.shape[-1]
        rows = b.shape[-2]
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and {rows}x{k})")
    broadcast_for(op, tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    try:
        x = bk.linalg_solve(a, b)
    except ValueError as exc:
        raise _singular(A, op, _SINGULAR_SOLVE, exc) from exc
    x = _checked(A, x, op, _SINGULAR_SOLVE)
    if vector:
        x = bk.reshape(x, tuple(x.shape[:-1]), None)
    elif not left:
        x = bk.permute_dims(x, (*range(x.ndim - 2), x.ndim - 1, x.ndim - 2))
    return like(A, x)


# -- decompositions --------------------------------------------------------------------------------

def svd(A: Any, full_matrices: bool = True) -> linalg_svd:
    """``(U, S, Vh)`` with ``A == U @ diag(S) @ Vh``; ``S`` real and descending.

    >>> ember.linalg.svd(ember.eye(2)).S
    tensor([1., 1.])
    """
    op = "linalg.svd"
    _matrices(A, op, square=False)
    try:
        u, s, vh = A._backend.linalg_svd(A._data, bool(full_matrices))
    except ValueError as exc:
        raise LinAlgError(f"{op}: {_NO_CONVERGENCE}") from exc
    return linalg_svd(like(A, u), like(A, s, A._dtype.to_real()), like(A, vh))


def svdvals(A: Any) -> Tensor:
    """The singular values of each matrix (real, descending)."""
    return svd(A, full_matrices=False).S


def qr(A: Any, mode: str = "reduced") -> linalg_qr:
    """``(Q, R)`` with ``A == Q @ R``; ``mode`` is ``"reduced"``, ``"complete"`` or ``"r"`` (Q empty)."""
    op = "linalg.qr"
    _matrices(A, op, square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or 'complete'")
    bk = A._backend
    q, r = bk.linalg_qr(A._data, "reduced" if mode == "r" else mode)
    if mode == "r":
        q = bk.empty((0,), A._dtype, A._device.index)
    return linalg_qr(like(A, q), like(A, r))


def cholesky(A: Any, *, upper: bool = False) -> Tensor:
    """Lower-triangular ``L`` with ``A == L @ L.mH`` (``U`` with ``A == U.mH @ U`` for ``upper``)."""
    op = "linalg.cholesky"
    _matrices(A, op)
    bk = A._backend
    try:
        out = bk.linalg_cholesky(A._data, bool(upper))
    except ValueError as exc:
        raise _not_pd(A, op) from exc
    if not _all_finite(bk, out) and _all_finite(bk, A._data):
        raise _not_pd(A, op)
    return like(A, out)


def _not_pd(A: TensorBase, op: str) -> LinAlgError:
    bk = A._backend
    note = ""
    if A._data.ndim > 2:  # the first matrix whose smallest eigenvalue is not positive
        w = bk.linalg_eigh(A._data, "L")[0]
        note = _batch_note(bk, bk.logical_not(bk.greater(bk.min(w, (w.ndim - 1,), False), 0)))
    return LinAlgError(f"{op}: {note}{_NOT_PD}")


def eigh(A: Any, UPLO: str = "L") -> linalg_eigh:
    """Eigenvalues (real, ascending) and eigenvectors (columns) of each Hermitian matrix."""
    op = "linalg.eigh"
    w, v = _eigh(A, UPLO, op)
    return linalg_eigh(like(A, w, A._dtype.to_real()), like(A, v))


def eigvalsh(A: Any, UPLO: str = "L") -> Tensor:
    """The eigenvalues (real, ascending) of each Hermitian matrix."""
    return like(A, _eigh(A, UPLO, "linalg.eigvalsh")[0], A._dtype.to_real())


def _eigh(A: Any, UPLO: str, op: str) -> tuple[Any, Any]:
    _tensor(A, op)
    if A._dtype.category < D.FLOATING or A._dtype in (D.float16, D.bfloat16):
        raise no_kernel(op, A._dtype)
    _matrices(A, op)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    try:
        return A._backend.linalg_eigh(A._data, UPLO)
    except ValueError as exc:
        raise LinAlgError(f"{op}: {_NO_CONVERGENCE}") from exc


# -- norms -----------------------------------------------------------------------------------------

def _norm_dtype(A: TensorBase, dt: dtype | None, op: str) -> dtype:
    """The dtype the norm computes in (``dtype=`` casts the input first, as in torch)."""
    if A._dtype.category < D.FLOATING:  # half precision is fine for norms
        _floating(A, op)
    if dt is None:
        return A._dtype
    if not isinstance(dt, dtype):
        raise TypeError(f"{op}(): argument 'dtype' must be ember.dtype, not {type(dt).__name__}")
    if dt.category < D.FLOATING:
        raise RuntimeError(f"{op}: dtype should be floating point or complex, but got {tname(dt)}")
    if (A._dtype.category == D.COMPLEX) != (dt.category == D.COMPLEX):
        kind = "complex" if A._dtype.category == D.COMPLEX else "real"
        raise RuntimeError(f"{op}: dtype should be {kind} for {kind} inputs, but got {tname(dt)}")
    return dt


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (None or ``()``: every element); ``ord`` any real number or ±inf.

    >>> ember.linalg.vector_norm(ember.tensor([3., 4.]))
    tensor(5.)
    """
    op = "linalg.vector_norm"
    _tensor(x, op, "x")
    if isinstance(ord, TensorBase) and ord._data.ndim == 0:
        ord = ord._backend.item(ord._data)
    if not isinstance(ord, (int, float)) or isinstance(ord, complex):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}")
    dt = _norm_dtype(x, dtype, op)
    bk, data = x._backend, x._data
    if dt is not x._dtype:
        data = bk.astype(data, dt)
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None
    if dim is None:
        axes = None
    else:
        dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
        axes = tuple(norm_dim(d, data.ndim, op) for d in dims)
        if len(set(axes)) != len(axes):
            dup = next(d for d in axes if axes.count(d) > 1)
            raise RuntimeError(f"{op}: dim {dup} appears multiple times in the list of dims")
        if data.ndim == 0:
            axes = None
    return like(x, _vector_norm(bk, data, float(ord), axes, keepdim, dt.to_real(), op), dt.to_real())


def _vector_norm(bk: Any, data: Any, ord: float, axes: tuple[int, ...] | None, keepdim: bool, real: dtype, op: str) -> Any:
    a = bk.abs(data)
    extent = math.prod(data.shape if axes is None else (data.shape[d] for d in axes))
    if ord == _INF or ord < 0:
        if extent == 0:
            what = "inf" if ord == _INF else ("-inf" if ord == -_INF else f"{ord:g}")
            raise RuntimeError(
                f"{op} cannot compute the {what} norm on an empty tensor because the operation does not have an identity"
            )
        if a.size == 0:  # nothing to reduce in the result: an empty result of the right shape
            return bk.sum(a, axes, keepdim, real)
    if ord == _INF:
        return bk.max(a, axes, keepdim)
    if ord == -_INF:
        return bk.min(a, axes, keepdim)
    if ord == 0:
        return bk.sum(bk.astype(bk.not_equal(a, 0), real), axes, keepdim, real)
    if ord == 1:
        return bk.sum(a, axes, keepdim, real)
    if ord == 2:
        return bk.sqrt(bk.sum(bk.multiply(a, a), axes, keepdim, real))
    return bk.pow(bk.sum(bk.pow(a, ord), axes, keepdim, real), 1.0 / ord)


def matrix_norm(A: Any, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
    """The matrix norm over the two dims ``dim``: ``'fro'``, ``'nuc'``, ``±1`` (columns), ``±inf`` (rows), ``±2`` (SVD).

    >>> ember.linalg.matrix_norm(ember.eye(2), ord="nuc")
    tensor(2.)
    """
    op = "linalg.matrix_norm"
    _tensor(A, op)
    if A._data.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if len(dims) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    d0, d1 = (norm_dim(d, A._data.ndim, op) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({dims[0]}, {dims[1]})")
    if isinstance(ord, str):
        valid = ord in ("fro", "nuc")
    else:
        valid = isinstance(ord, (int, float)) and not isinstance(ord, bool) and ord in (_INF, -_INF, 1, -1, 2, -2)
    if not valid:
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    dt = _norm_dtype(A, dtype, op)
    bk, data, real = A._backend, A._data, dt.to_real()
    if dt is not A._dtype:
        data = bk.astype(data, dt)
    if ord == "fro":
        return like(A, _vector_norm(bk, data, 2.0, (d0, d1), keepdim, real, op), real)
    if ord in (1, -1, _INF, -_INF):
        # column sums (ord ±1) or row sums (±inf), then their max or min
        inner, outer = (d0, d1) if abs(ord) == 1 else (d1, d0)
        sums = bk.sum(bk.abs(data), (inner,), True, real)
        if sums.size == 0:
            out = bk.sum(sums, (inner, outer), keepdim, real)
        else:
            reduce = bk.max if ord > 0 else bk.min
            out = reduce(sums, (outer,), True)
            if not keepdim:
                out = bk.reshape(out, tuple(n for i, n in enumerate(out.shape) if i not in (d0, d1)), None)
        return like(A, out, real)
    # singular values: move the two dims last
    rest = [i for i in range(data.ndim) if i not in (d0, d1)]
    moved = bk.permute_dims(data, (*rest, d0, d1))
    s = bk.linalg_svd(moved, False)[1]
    last = (s.ndim - 1,)
    if ord == "nuc":
        out = bk.sum(s, last, False, real)
    elif s.shape[-1] == 0:
        if ord == -2:
            raise IndexError(f"{op}: Expected reduction dim -1 to have non-zero size.")
        out = bk.sum(s, last, False, real)
    else:
        out = (bk.max if ord == 2 else bk.min)(s, last, False)
    if keepdim:
        shape = list(out.shape)
        for d in sorted((d0, d1)):
            shape.insert(d, 1)
        out = bk.reshape(out, tuple(shape), None)
    return like(A, out, real)


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
    """A vector norm (``dim`` an int or one dim, or 1-D input) or a matrix norm (two dims, or 2-D input)."""
    op = "linalg.norm"
    _tensor(A, op)
    if dim is not None:
        dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    nd = A._data.ndim
    if nd not in (1, 2):
        raise RuntimeError(f"{op}: If dim is not specified but ord is, the input must be 1D or 2D. Got {nd}D.")
    if nd == 2 or isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    return vector_norm(A, ord, None, keepdim, dtype=dtype)


def _torch_norm(A: Any, p: Any, dim: Any, keepdim: bool, dt: dtype | None) -> Tensor:
    """torch.norm / Tensor.norm: ``'fro'`` is the 2-norm over one or two dims; ``'nuc'`` needs two."""
    if isinstance(p, str):
        dims = None if dim is None else (tuple(dim) if isinstance(dim, (tuple, list)) else (dim,))
        if p == "fro" and (dims is None or len(dims) <= 2):
            return vector_norm(A, 2, dims, keepdim, dtype=dt)
        if dims is None:
            dims = tuple(range(_tensor(A, "norm", "input")._data.ndim))
        return matrix_norm(A, p, dims, keepdim, dtype=dt)
    return vector_norm(A, 2 if p is None else p, dim, keepdim, dtype=dt)


def matmul(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """``input @ other`` (``ember.matmul``)."""
    res = _matmul(_tensor(input, "linalg.matmul", "input"), other, "linalg.matmul")
    if out is not None:
        from ember._inplace import write_out

        return write_out(res, out, "linalg.matmul")
    return res


# -- rank, pseudo-inverse, products ----------------------------------------------------------------

def _tolerance(A: TensorBase, smax: Any, atol: Any, rtol: Any) -> Any:
    """torch's ``max(atol, rtol * smax)``; with neither given, ``rtol = eps * max(m, n)``."""
    bk, real = A._backend, A._dtype.to_real()
    if rtol is None:
        rtol = 0.0 if atol is not None else _EPS[real] * max(A._data.shape[-2:], default=0)
    tol = bk.multiply(smax, _scalar_or_data(rtol, real, bk))
    if atol is not None:
        tol = bk.maximum(tol, _scalar_or_data(atol, real, bk))
    return tol


_EPS = {D.float32: 2.0 ** -23, D.float64: 2.0 ** -52}


def _scalar_or_data(v: Any, real: dtype, bk: Any) -> Any:
    if isinstance(v, TensorBase):
        data = v._data if v._dtype is real else bk.astype(v._data, real)
        return bk.reshape(data, (*data.shape, 1), None) if data.ndim else data
    if not isinstance(v, (bool, int, float)):
        raise TypeError(f"tolerance must be a number or a Tensor, not {type(v).__name__}")
    return float(v)


def matrix_rank(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """The number of singular values above ``max(atol, rtol * largest)`` (int64)."""
    op = "linalg.matrix_rank"
    _matrices(A, op, square=hermitian)
    bk = A._backend
    s = bk.abs(_eigh(A, "L", op)[0]) if hermitian else bk.linalg_svd(A._data, False)[1]
    if s.shape[-1] == 0:
        return like(A, bk.full(tuple(s.shape[:-1]), 0, D.int64, A._device.index), D.int64)
    smax = bk.max(s, (s.ndim - 1,), True)
    big = bk.greater(s, _tolerance(A, smax, atol, rtol))
    return like(A, bk.sum(big, (s.ndim - 1,), False, D.int64), D.int64)


def pinv(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """Moore-Penrose pseudo-inverse through the SVD (or ``eigh`` for ``hermitian``)."""
    op = "linalg.pinv"
    _matrices(A, op, square=hermitian)
    bk, dt, real = A._backend, A._dtype, A._dtype.to_real()
    if hermitian:
        w, v = _eigh(A, "L", op)
        s, left, right = bk.abs(w), v, v
        keep_sign = w
    else:
        left, s, right = bk.linalg_svd(A._data, False)
        right = bk.conj(bk.permute_dims(right, (*range(right.ndim - 2), right.ndim - 1, right.ndim - 2)))
        keep_sign = s
    nd = A._data.ndim
    if s.shape[-1] == 0:
        shape = (*A._data.shape[:-2], A._data.shape[-1], A._data.shape[-2])
        return like(A, bk.full(shape, 0, dt, A._device.index))
    smax = bk.max(s, (s.ndim - 1,), True)
    big = bk.greater(s, _tolerance(A, smax, atol, rtol))
    one = bk.full((), 1, real, A._device.index)
    inv_s = bk.where(big, bk.divide(one, bk.where(big, keep_sign, one)), bk.full((), 0, real, A._device.index))
    scaled = bk.multiply(right, bk.reshape(bk.astype(inv_s, dt), (*inv_s.shape[:-1], 1, inv_s.shape[-1]), None))
    lh = bk.conj(bk.permute_dims(left, (*range(nd - 2), nd - 1, nd - 2)))
    return like(A, bk.matmul(scaled, lh))


def multi_dot(tensors: Any, *, out: Any = None) -> Tensor:
    """``tensors[0] @ tensors[1] @ ...`` in the cheapest order; the first and last may be 1-D."""
    op = "multi_dot"
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"{op}(): expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        _tensor(t, op, "tensors", 1)
        nd = t._data.ndim
        if i in (0, len(ts) - 1) and nd not in (1, 2):
            which = "first" if i == 0 else "last"
            raise RuntimeError(f"{op}(): the {which} tensor must be 1D or 2D but got {nd}D")
        if 0 < i < len(ts) - 1 and nd != 2:
            raise RuntimeError(f"{op}(): tensor {i} must be 2D but got {nd}D")
        if t._dtype is not ts[0]._dtype:
            raise RuntimeError(
                f"{op}(): all tensors must have be the same dtype but tensor 0 is {_cname(ts[0]._dtype)} "
                f"and tensor {i} {_cname(t._dtype)}"
            )
    _same_place(op, *ts)
    bk = ts[0]._backend
    mats = [t._data for t in ts]
    first_vec, last_vec = mats[0].ndim == 1, mats[-1].ndim == 1
    if first_vec:
        mats[0] = bk.reshape(mats[0], (1, mats[0].shape[0]), None)
    if last_vec:
        mats[-1] = bk.reshape(mats[-1], (mats[-1].shape[0], 1), None)
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(
                f"{op}(): tensors {i} and {i + 1} with shapes {list(ts[i]._data.shape)} and {list(ts[i + 1]._data.shape)} "
                "cannot be multiplied"
            )
    if ts[0]._dtype is D.bool_:
        raise no_kernel(op, D.bool_)
    result = bk.reshape(_chain(bk, mats), tuple(
        ([] if first_vec else [mats[0].shape[0]]) + ([] if last_vec else [mats[-1].shape[1]])), None)
    res = like(ts[0], result)
    if out is not None:
        from ember._inplace import write_out

        return write_out(res, out, op)
    return res


def _chain(bk: Any, mats: list[Any]) -> Any:
    """The matrix chain product in the order of fewest multiplications (the classic O(n^3) plan)."""
    n = len(mats)
    dims = [mats[0].shape[0], *(m.shape[1] for m in mats)]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf  # type: ignore[call-overload]
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def product(i: int, j: int) -> Any:
        if i == j:
            return mats[i]
        k = split[i][j]
        return bk.matmul(product(i, k), product(k + 1, j))

    return product(0, n - 1)


def cross(input: Any, other: Any, *, dim: int = -1) -> Tensor:
    """Cross product of 3-vectors along ``dim``; other dims broadcast."""
    op = "linalg.cross"
    _tensor(input, op, "input")
    _tensor(other, op, "other", 2)
    _same_place(op, input, other)
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError(f"{op}: inputs must have the same number of dimensions.")
    d = norm_dim(dim, a.ndim, op)
    if a.ndim == 0 or a.shape[d] != 3 or b.shape[d] != 3:
        got = (a.shape[d], b.shape[d]) if a.ndim else (0, 0)
        raise RuntimeError(f"{op}: inputs dimension {dim} must have length 3. Got {got[0]} and {got[1]}")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{op}: expected scalar type {tname(input._dtype)} but found {tname(other._dtype)}")
    if input._dtype is D.bool_:
        raise no_kernel(op, D.bool_)
    broadcast_for(op, tuple(a.shape), tuple(b.shape))
    bk, idx = input._backend, input._device.index
    i1 = bk.asarray([1, 2, 0], D.int64, idx, None)
    i2 = bk.asarray([2, 0, 1], D.int64, idx, None)
    left = bk.multiply(bk.take(a, i1, d), bk.take(b, i2, d))
    right = bk.multiply(bk.take(a, i2, d), bk.take(b, i1, d))
    return like(input, bk.subtract(left, right))


def vecdot(x: Any, y: Any, *, dim: int = -1) -> Tensor:
    """``sum(x.conj() * y, dim)``, with broadcasting."""
    op = "linalg.vecdot"
    _tensor(x, op, "x")
    _tensor(y, op, "y", 2)
    _same_place(op, x, y)
    if x._dtype is not y._dtype:
        raise RuntimeError(
            f"{op}: Expected x and y to have the same dtype, but found x of type {tname(x._dtype)} and y of type "
            f"{tname(y._dtype)} instead"
        )
    _floating(x, op)
    shape = broadcast_for(op, tuple(x._data.shape), tuple(y._data.shape))
    d = norm_dim(dim, len(shape), op)
    bk = x._backend
    a = bk.conj(x._data) if x._dtype.category == D.COMPLEX else x._data
    prod = bk.multiply(a, y._data)
    if prod.ndim == 0:
        return like(x, bk.copy(prod))
    return like(x, bk.sum(prod, (d,), False, x._dtype))


_dispatch_install(globals(), __all__, "linalg.")  # ember-autograd records these (see _dispatch)
