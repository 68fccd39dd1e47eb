"""Derivative rules of linear algebra: the products of ``_ops_linalg`` (matmul, mm, bmm, mv, dot,
vdot, inner, the fused ``add*`` forms, tensordot, einsum) and ``ember.linalg`` (inverse,
determinants, solve, decompositions, norms, pinv, multi_dot, cross, vecdot).

The formulas are PyTorch's (``FunctionsManual.cpp``), written with Ember ops (several call
``ember.linalg`` functions, whose own rules are here), so every rule supports double backward.
Complex inputs follow PyTorch's conjugate convention (``grad @ B.mH``); gradchecks are real.

Assumptions, as in PyTorch: ``svd`` gradients through ``U``/``Vh`` need distinct singular
values (and nonzero ones when ``A`` is not square); ``eigh`` gradients through the eigenvectors
need distinct eigenvalues; ``pinv`` assumes the rank is locally constant; ``cholesky`` and
``eigh`` return the gradient PyTorch does (not symmetrised), so check them through a symmetric
parametrisation of ``A``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ember
from ember._ops_linalg import _dims_list, _from_sublists, _label, _parse
from ember._tensor_base import TensorBase, norm_dim
from ember.autograd._rules import composite, nondifferentiable, rule

_INF = float("inf")
_FAMILY = "linalg"


# -- helpers ------------------------------------------------------------------------------------

def _is_complex(t: Any) -> bool:
    return bool(t.is_complex())


def _conj(t: Any) -> Any:
    """Complex conjugate (``t`` itself when real), from recorded ops."""
    if not _is_complex(t):
        return t
    if t.ndim >= 2:
        return t.mH.mT
    shape = tuple(t.shape)
    return t.reshape(1, -1).mH.reshape(shape)


def _num(v: Any) -> Any:
    return v._backend.item(v._data) if isinstance(v, TensorBase) else v


def _cnum(v: Any) -> Any:
    v = _num(v)
    return v.conjugate() if isinstance(v, complex) else v


def _scaled(g: Any, c: Any) -> Any:
    return g if c == 1 else g * c


def _fit_to(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` (same ndim as ``shape``) summed where ``shape`` has 1, expanded where ``g`` has 1."""
    gs = tuple(g.shape)
    if gs == shape:
        return g
    dims = tuple(i for i, (a, b) in enumerate(zip(gs, shape, strict=True)) if b == 1 and a != 1)
    if dims:
        g = g.sum(dim=dims, keepdim=True)
    return g.expand(*shape) if tuple(g.shape) != shape else g


def _keepdim_shape(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> tuple[int, ...]:
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def _eye_like(n: int, g: Any) -> Any:
    return ember.eye(n, dtype=g.dtype, device=g.device)


def _sgn(x: Any) -> Any:
    """``x / |x|`` (0 at 0): ``sign`` for real tensors."""
    if not _is_complex(x):
        return x.sign()
    a = x.abs()
    return ember.where(a == 0, ember.zeros_like(x), x / a.to(x.dtype))


# -- matrix products ----------------------------------------------------------------------------

def _product_node(da: int, db: int) -> str:
    """The grad_fn PyTorch's matmul ends with for operands of these ranks."""
    if da <= 2 and db <= 2:
        return {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4"}.get((da, db), "MmBackward0")
    return "CloneBackward0" if da == 2 else "UnsafeViewBackward0"


def _matmul_node(ctx: Any) -> str:
    return _product_node(ctx.self.ndim, ctx.other.ndim)


def _matmul_grads(need: tuple[bool, ...], grad: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """Gradients of ``a @ b`` with PyTorch's 1-D rules; batch dims the engine sums."""
    da, db = a.ndim, b.ndim
    if da == 1 and db == 1:
        return (grad * _conj(b) if need[0] else None, grad * _conj(a) if need[1] else None)
    a2 = a.unsqueeze(0) if da == 1 else a
    b2 = b.unsqueeze(-1) if db == 1 else b
    g = grad.unsqueeze(-2) if da == 1 else grad
    if db == 1:
        g = g.unsqueeze(-1)
    ga = gb = None
    if need[0]:
        if a2.ndim == 2 and g.ndim > 2:  # fold b's batch into the contraction
            m, k = a2.shape
            ga = g.movedim(-2, 0).reshape(m, -1) @ b2.mH.reshape(-1, k)
        else:
            ga = g @ b2.mH
        if da == 1:
            ga = ga.squeeze(-2)
    if need[1]:
        if b2.ndim == 2 and g.ndim > 2:  # fold a's batch into the contraction
            k, n = b2.shape
            gb = a2.reshape(-1, k).mH @ g.reshape(-1, n)
        else:
            gb = a2.mH @ g
        if db == 1:
            gb = gb.squeeze(-1)
    return ga, gb


@rule("matmul", inputs=("self", "other"), save=("self", "other"), node=_matmul_node, aliases=("__matmul__",))
def matmul(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return _matmul_grads(ctx.needs_input_grad, grad, ctx.self, ctx.other)


def _linalg_matmul_node(ctx: Any) -> str:
    return _product_node(ctx.input.ndim, ctx.other.ndim)


@rule("linalg.matmul", function=True, inputs=("input", "other"), save=("input", "other"), node=_linalg_matmul_node)
def linalg_matmul(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return _matmul_grads(ctx.needs_input_grad, grad, ctx.input, ctx.other)


def _mm_like(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    a, b = ctx.self, ctx.mat2
    return (grad @ b.mH if need[0] else None, a.mH @ grad if need[1] else None)


rule("mm", inputs=("self", "mat2"), save=("self", "mat2"))(_mm_like)
rule("bmm", inputs=("self", "mat2"), save=("self", "mat2"))(_mm_like)


@rule("mv", inputs=("self", "vec"), save=("self", "vec"))
def mv(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    a, v = ctx.self, ctx.vec
    return (grad.unsqueeze(-1) * _conj(v) if need[0] else None, a.mH @ grad if need[1] else None)


@rule("dot", inputs=("self", "tensor"), save=("self", "tensor"))
def dot(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    return (grad * _conj(ctx.tensor) if need[0] else None, grad * _conj(ctx.self) if need[1] else None)


@rule("vdot", inputs=("self", "other"), save=("self", "other"))
def vdot(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad  # sum(conj(self) * other)
    return (_conj(grad) * ctx.other if need[0] else None, grad * ctx.self if need[1] else None)


def _inner_node(ctx: Any) -> str:
    return "MulBackward0" if ctx.self.ndim == 0 or ctx.other.ndim == 0 else "ViewBackward0"


@rule("inner", inputs=("self", "other"), save=("self", "other"), node=_inner_node)
def inner(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    a, b = ctx.self, ctx.other
    if a.ndim == 0 or b.ndim == 0:  # a product
        return (grad * _conj(b) if need[0] else None, grad * _conj(a) if need[1] else None)
    k = a.shape[-1]
    a2, b2 = a.reshape(-1, k), b.reshape(-1, k)
    g2 = grad.reshape(a2.shape[0], b2.shape[0])
    ga = (g2 @ _conj(b2)).reshape(tuple(a.shape)) if need[0] else None
    gb = (g2.mT @ _conj(a2)).reshape(tuple(b.shape)) if need[1] else None
    return ga, gb


def _add_product(ctx: Any, grad: Any, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, ...]:
    """Gradients of ``beta * self + alpha * product(a, b)``: ``grad`` times conj(beta) for ``self``,
    and the product's gradients ``first()`` / ``second()`` (computed only where needed) times conj(alpha)."""
    need = ctx.needs_input_grad
    alpha = _cnum(ctx.alpha)
    return (_scaled(grad, _cnum(ctx.beta)) if need[0] else None,
            _scaled(first(), alpha) if need[1] else None,
            _scaled(second(), alpha) if need[2] else None)


@rule("addmm", inputs=("self", "mat1", "mat2"), save=("mat1", "mat2"))
def addmm(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return _add_product(ctx, grad, lambda: grad @ ctx.mat2.mH, lambda: ctx.mat1.mH @ grad)


@rule("addmv", inputs=("self", "mat", "vec"), save=("mat", "vec"))
def addmv(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return _add_product(ctx, grad, lambda: grad.unsqueeze(-1) * _conj(ctx.vec), lambda: ctx.mat.mH @ grad)


@rule("addbmm", inputs=("self", "batch1", "batch2"), save=("batch1", "batch2"))
def addbmm(ctx: Any, grad: Any) -> tuple[Any, ...]:
    b1, b2 = ctx.batch1, ctx.batch2
    g = grad.unsqueeze(0)
    return _add_product(ctx, grad, lambda: g @ b2.mH, lambda: b1.mH @ g)


@rule("baddbmm", inputs=("self", "batch1", "batch2"), save=("batch1", "batch2"))
def baddbmm(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return _add_product(ctx, grad, lambda: grad @ ctx.batch2.mH, lambda: ctx.batch1.mH @ grad)


@rule("addr", inputs=("self", "vec1", "vec2"), save=("vec1", "vec2"))
def addr(ctx: Any, grad: Any) -> tuple[Any, ...]:
    v1, v2 = ctx.vec1.to(grad.dtype), ctx.vec2.to(grad.dtype)
    return _add_product(ctx, grad, lambda: grad @ _conj(v2), lambda: grad.mT @ _conj(v1))


# -- tensordot, einsum --------------------------------------------------------------------------

def _tensordot_dims(dims: Any, na: int, nb: int) -> tuple[list[int], list[int]]:
    if isinstance(dims, TensorBase):
        dims = int(dims._backend.item(dims._data))
    if isinstance(dims, int):
        return list(range(na - dims, na)), list(range(dims))
    return _dims_list(dims[0], na, "tensordot"), _dims_list(dims[1], nb, "tensordot")


@rule("tensordot", function=True, inputs=("a", "b"), save=("a", "b"), node="ViewBackward0")
def tensordot(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    a, b = ctx.a, ctx.b
    na, nb = a.ndim, b.ndim
    da, db = _tensordot_dims(ctx.dims, na, nb)
    fa = [d for d in range(na) if d not in da]
    fb = [d for d in range(nb) if d not in db]
    ga_free, gb_free = list(range(len(fa))), list(range(len(fa), len(fa) + len(fb)))
    ga = gb = None
    if need[0]:  # dims: a's free dims, then b's contracted dims in b's order, named by their partners in a
        t = ember.tensordot(grad, _conj(b), dims=(gb_free, fb)) if fb else _outer_nd(grad, _conj(b))
        order = fa + [da[db.index(j)] for j in sorted(db)]
        ga = _fit_to(t.permute(*[order.index(d) for d in range(na)]), tuple(a.shape))
    if need[1]:  # dims: a's contracted dims in a's order (named by their partners in b), then b's free dims
        t = ember.tensordot(_conj(a), grad, dims=(fa, ga_free)) if fa else _outer_nd(_conj(a), grad)
        order = [db[da.index(i)] for i in sorted(da)] + fb
        gb = _fit_to(t.permute(*[order.index(d) for d in range(nb)]), tuple(b.shape))
    return ga, gb


def _outer_nd(x: Any, y: Any) -> Any:
    return ember.tensordot(x, y, dims=0)


def _letters(used: set[str]) -> Any:
    for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if c not in used:
            yield c


@rule("einsum", function=True, inputs=("args",), save=("args",), node="ViewBackward0")
def einsum(ctx: Any, grad: Any) -> tuple[Any, ...]:
    """Each operand's gradient is one einsum of the output gradient with the other operands
    (identity matrices restore repeated labels, ones vectors labels only that operand has)."""
    args = ctx.args
    call = _from_sublists(args) if args and isinstance(args[0], TensorBase) else args
    equation, operands = call[0], tuple(call[1:])
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, output = _parse(equation)
    labelled, out = _label(terms, output, operands)
    used = {lab for lab in (*[x for ls in labelled for x in ls], *out) if isinstance(lab, str)}
    fresh = _letters(used)
    name = {lab: (lab if isinstance(lab, str) else next(fresh))
            for lab in (*[x for ls in labelled for x in ls], *out)}
    position = {id(t): i for i, t in enumerate(args)}
    grads: list[Any] = [None] * len(args)
    want = ctx.needs_input_grad[0]
    if not want:
        return (grads,)
    for k, t in enumerate(operands):
        i = position.get(id(t))
        if i is None or not (t.requires_grad or t.grad_fn is not None):
            continue
        subs = ["".join(name[x] for x in out)]
        ops: list[Any] = [grad]
        for j, (o, ls) in enumerate(zip(operands, labelled, strict=True)):
            if j != k:
                subs.append("".join(name[x] for x in ls))
                ops.append(_conj(o))
        have = set("".join(subs))
        target, seen = [], set()
        for lab, size in zip(labelled[k], t.shape, strict=True):
            c = name[lab]
            if c in seen:  # a repeated label: a new one tied to it by an identity matrix
                r = next(fresh)
                subs.append(c + r)
                ops.append(_eye_like(size, grad))
                have |= {c, r}
                target.append(r)
            else:
                seen.add(c)
                target.append(c)
        for lab, size in zip(labelled[k], t.shape, strict=True):
            c = name[lab]
            if c not in have:
                subs.append(c)
                ops.append(ember.ones(size, dtype=grad.dtype, device=grad.device))
                have.add(c)
        g = ember.einsum(",".join(subs) + "->" + "".join(target), *ops)
        grads[i] = _fit_to(g, tuple(t.shape))
    return (grads,)


composite("outer", "ger", "kron", family=_FAMILY)  # reshape and mul
composite("linalg.tensordot", "linalg.einsum", function=True, family=_FAMILY)


# -- cross, vecdot, multi_dot -------------------------------------------------------------------

@rule("linalg.cross", function=True, inputs=("input", "other"), save=("input", "other"), node="LinalgCrossBackward0")
def linalg_cross(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    a, b, dim = ctx.input, ctx.other, ctx.dim
    return (ember.linalg.cross(_conj(b), grad, dim=dim) if need[0] else None,
            ember.linalg.cross(grad, _conj(a), dim=dim) if need[1] else None)


composite("cross", family=_FAMILY)  # Tensor.cross calls ember.linalg.cross


@rule("linalg.vecdot", function=True, inputs=("x", "y"), save=("x", "y"), node="SumBackward1")
def linalg_vecdot(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    x, y = ctx.x, ctx.y
    nd = max(x.ndim, y.ndim)
    g = grad.unsqueeze(norm_dim(ctx.dim, nd, "linalg.vecdot")) if nd else grad
    return (_conj(g) * y if need[0] else None, g * x if need[1] else None)


@rule("linalg.multi_dot", function=True, inputs=("tensors",), save=("tensors",), node="ViewBackward0")
def linalg_multi_dot(ctx: Any, grad: Any) -> tuple[Any, ...]:
    ts = list(ctx.tensors)
    mats = list(ts)
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    g = grad
    if first_vec:
        mats[0] = ts[0].unsqueeze(0)
        g = g.unsqueeze(0)
    if last_vec:
        mats[-1] = ts[-1].unsqueeze(-1)
        g = g.unsqueeze(-1)
    n = len(mats)
    suffix: list[Any] = [None] * n  # suffix[i] = mats[i+1] @ ... @ mats[-1]
    for i in range(n - 2, -1, -1):
        suffix[i] = mats[i + 1] if suffix[i + 1] is None else mats[i + 1] @ suffix[i + 1]
    grads: list[Any] = []
    left = g  # (mats[0] @ ... @ mats[i-1]).mH @ grad
    for i in range(n):
        gi = left if suffix[i] is None else left @ suffix[i].mH
        if i == 0 and first_vec:
            gi = gi.squeeze(0)
        if i == n - 1 and last_vec:
            gi = gi.squeeze(-1)
        grads.append(gi)
        if i < n - 1:
            left = mats[i].mH @ left
    return (grads,)


# -- inverse, determinants, solve --------------------------------------------------------------

def _inv_grad(grad: Any, inv: Any) -> Any:
    ih = inv.mH
    return -(ih @ grad @ ih)


@rule("linalg.inv", function=True, inputs=("A",), save_output=True, node="LinalgInvExBackward0")
def linalg_inv(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (_inv_grad(grad, ctx.result),)


@rule("linalg.inv_ex", function=True, inputs=("A",), save_output=True, node="LinalgInvExBackward0")
def linalg_inv_ex(ctx: Any, grad: Any, grad_info: Any = None) -> tuple[Any, ...]:
    if grad is None:
        return (None,)
    return (_inv_grad(grad, ctx.result[0]),)


composite("inverse", "det", "slogdet", "pinverse", "norm", family=_FAMILY)  # call ember.linalg


def _inv_mH(A: Any) -> Any:
    """``A^{-H}`` (NaN for a singular matrix, no error in backward)."""
    return ember.linalg.inv_ex(A).inverse.mH


def _expand2(t: Any) -> Any:
    return t.unsqueeze(-1).unsqueeze(-1)


@rule("linalg.det", function=True, inputs=("A",), save=("A",), save_output=True, node="LinalgDetBackward0")
def linalg_det(ctx: Any, grad: Any) -> tuple[Any, ...]:
    """``grad * conj(det) * A^{-H}``; exactly singular matrices use the adjugate from the SVD."""
    A, det = ctx.A, ctx.result
    if A.shape[-1] == 0:
        return (ember.zeros_like(A),)
    if not bool((det == 0).any().item()):
        return (_expand2(grad * _conj(det)) * _inv_mH(A),)
    # adj(A)^H = U diag(prod_{j != i} s_j) Vh * det(U) det(Vh) (conjugated for complex)
    U, S, Vh = ember.linalg.svd(A, full_matrices=False)
    n = S.shape[-1]
    others = ember.where(ember.eye(n, dtype=ember.bool, device=S.device), ember.ones_like(S).unsqueeze(-2), S.unsqueeze(-2))
    prods = others.prod(dim=-1)
    phase = ember.linalg.det(U) * ember.linalg.det(Vh)
    adjh = (U * prods.to(U.dtype).unsqueeze(-2)) @ Vh
    return (_expand2(grad * _conj(phase)) * adjh,)


@rule("linalg.slogdet", function=True, inputs=("A",), save=("A",), node="LinalgSlogdetBackward0")
def linalg_slogdet(ctx: Any, grad_sign: Any, grad_logabs: Any) -> tuple[Any, ...]:
    """``grad_logabsdet * A^{-H}``; the sign is piecewise constant for real input (no gradient).
    For complex input the gradient through the sign's phase is included."""
    A = ctx.A
    if grad_logabs is None and (grad_sign is None or not _is_complex(A)):
        return (ember.zeros_like(A),)
    g = grad_logabs if grad_logabs is not None else ember.zeros(tuple(A.shape[:-2]), dtype=A.dtype.to_real(), device=A.device)
    if _is_complex(A):
        g = g.to(A.dtype)
        if grad_sign is not None:
            sign = ember.linalg.slogdet(A).sign
            z = _conj(grad_sign) * sign  # g - i * Im(conj(grad_sign) * sign)
            g = g - (z - _conj(z)) / 2
    return (_expand2(g) * _inv_mH(A),)


@rule("logdet", inputs=("self",), save=("self",), node="WhereBackward0")
def logdet(ctx: Any, grad: Any) -> tuple[Any, ...]:
    """``grad * A^{-H}``; zero where a real determinant is negative (the result is NaN there)."""
    A = ctx.self
    if not _is_complex(A):
        sign = ember.linalg.slogdet(A).sign
        grad = ember.where(sign < 0, ember.zeros_like(grad), grad)
    return (_expand2(grad) * _inv_mH(A),)


@rule("linalg.solve", function=True, inputs=("A", "B"), save=("A",), save_output=True, node="LinalgSolveExBackward0")
def linalg_solve(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    A, X, left = ctx.A, ctx.result, ctx.left
    bshape = ctx.input_shape("B")
    vector = len(bshape) == 1 or (len(bshape) == A.ndim - 1 and tuple(bshape) == tuple(A.shape[:-1]))
    gB = ember.linalg.solve(A.mH, grad, left=left)
    gA = None
    if need[0]:
        if vector:
            gA = -(gB.unsqueeze(-1) * _conj(X).unsqueeze(-2)) if left else -(_conj(X).unsqueeze(-1) * gB.unsqueeze(-2))
        else:
            gA = -(gB @ X.mH) if left else -(X.mH @ gB)
    return gA, (gB if need[1] else None)


# -- decompositions ----------------------------------------------------------------------------

@rule("linalg.cholesky", function=True, inputs=("A",), save_output=True, node="LinalgCholeskyExBackward0")
def linalg_cholesky(ctx: Any, grad: Any) -> tuple[Any, ...]:
    L, upper = ctx.result, ctx.upper
    if upper:
        L, grad = L.mH, grad.mH
    gA = (L.mH @ grad).tril()
    gA = 0.5 * (gA + gA.tril(-1).mH)
    gA = ember.linalg.solve(L.mH, gA)
    return (ember.linalg.solve(L, gA, left=False),)


def _halve_real_diag(X: Any) -> Any:
    """``X`` with the real part of its diagonal halved."""
    d = X.diagonal(0, -2, -1)
    half = d / 2 if not _is_complex(X) else (d + _conj(d)) / 4
    return X - half.diag_embed()


def _skew(X: Any) -> Any:
    return X - X.mH


def _offdiag_div(X: Any, E: Any) -> Any:
    """``X / E`` off the diagonal, 0 on it (``E`` has a 0 diagonal)."""
    n = X.shape[-1]
    eye = ember.eye(n, dtype=ember.bool, device=X.device)
    safe = ember.where(eye, ember.ones_like(E), E)
    return ember.where(eye, ember.zeros_like(X), X / safe.to(X.dtype))


def _eigh_grad(gL: Any, gV: Any, L: Any, V: Any) -> Any:
    """PyTorch's linalg_eig_backward for Hermitian input (distinct eigenvalues)."""
    if gV is None:
        return (V * gL.to(V.dtype).unsqueeze(-2)) @ V.mH
    VhgV = V.mH @ gV
    VhgV = 0.5 * (VhgV - VhgV.mH)
    inner = _offdiag_div(VhgV, L.unsqueeze(-2) - L.unsqueeze(-1))
    if gL is not None:
        inner = inner + gL.to(V.dtype).diag_embed()
    return V @ inner @ V.mH


@rule("linalg.eigh", function=True, inputs=("A",), save_output=True, node="LinalgEighBackward0")
def linalg_eigh(ctx: Any, gL: Any, gV: Any) -> tuple[Any, ...]:
    L, V = ctx.result
    if gL is None and gV is None:
        return (None,)
    if gL is None:
        gL = ember.zeros_like(L)
    return (_eigh_grad(gL, gV, L, V),)


@rule("linalg.eigvalsh", function=True, inputs=("A",), save=("A",), node="LinalgEighBackward0")
def linalg_eigvalsh(ctx: Any, gL: Any) -> tuple[Any, ...]:
    V = ember.linalg.eigh(ctx.A, ctx.UPLO).eigenvectors
    return (_eigh_grad(gL, None, None, V),)


def _svd_grad(gU: Any, gS: Any, gVh: Any, U: Any, S: Any, Vh: Any) -> Any:
    """PyTorch's svd_backward (reduced U, Vh; distinct singular values)."""
    m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
    if U.shape[-1] != k:  # full_matrices=True: only the first k vectors matter
        U = U[..., :k]
        gU = gU[..., :k] if gU is not None else None
    if Vh.shape[-2] != k:
        Vh = Vh[..., :k, :]
        gVh = gVh[..., :k, :] if gVh is not None else None
    Sc = S.to(U.dtype)
    if gU is None and gVh is None:
        gSc = gS.to(U.dtype)
        return U @ (gSc.unsqueeze(-1) * Vh) if m >= n else (U * gSc.unsqueeze(-2)) @ Vh
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)
    gV = gVh.mH if gVh is not None else None
    V = Vh.mH
    if gU is not None and gV is not None:
        gA = _offdiag_div(_skew(U.mH @ gU) * Sc.unsqueeze(-2) + Sc.unsqueeze(-1) * _skew(Vh @ gV), E)
    elif gU is not None:
        gA = _offdiag_div(_skew(U.mH @ gU) * Sc.unsqueeze(-2), E)
    else:
        gA = _offdiag_div(Sc.unsqueeze(-1) * _skew(Vh @ gV), E)
    if gS is not None:
        gA = gA + gS.to(U.dtype).diag_embed()
    if _is_complex(U) and gU is not None:  # the imaginary part of diag(U^H gU)
        d = (U.mH @ gU).diagonal(0, -2, -1)
        gA = gA + ((d - _conj(d)) / (2 * Sc)).diag_embed()
    if m > n and gU is not None:
        gA = U @ gA
        gUSinv = gU / Sc.unsqueeze(-2)
        gA = gA + gUSinv - U @ (U.mH @ gUSinv)
        return gA @ Vh
    if m < n and gV is not None:
        gA = gA @ Vh
        gVSinv = gV / Sc.unsqueeze(-2)
        gA = gA + gVSinv.mH - (gVSinv.mH @ V) @ Vh
        return U @ gA
    return U @ (gA @ Vh) if m >= n else (U @ gA) @ Vh


@rule("linalg.svd", function=True, inputs=("A",), save_output=True, node="LinalgSvdBackward0")
def linalg_svd(ctx: Any, gU: Any = None, gS: Any = None, gVh: Any = None) -> tuple[Any, ...]:
    if gU is None and gS is None and gVh is None:
        return (None,)
    U, S, Vh = ctx.result
    return (_svd_grad(gU, gS, gVh, U, S, Vh),)


composite("linalg.svdvals", "linalg.norm", function=True, family=_FAMILY)  # call linalg.svd / the norms


@rule("linalg.qr", function=True, inputs=("A",), save_output=True, node="LinalgQrBackward0")
def linalg_qr(ctx: Any, gQ: Any = None, gR: Any = None) -> tuple[Any, ...]:
    """PyTorch's linalg_qr backward (modes 'reduced', and 'complete' for m <= n). For m < n,
    ``A = [X | Y]`` with ``X = Q R1`` square and ``R2 = Q^H Y``: Y's gradient is ``Q gR2`` and
    X's the square formula with ``gQ + Y gR2^H``."""
    mode = ctx.mode
    Q, R = ctx.result
    m, n = R.shape[-2], R.shape[-1]
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                           "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
    if gQ is None and gR is None:
        return (None,)
    if m >= n:
        return (_qr_square_grad(Q, R, gQ, gR),)
    R1, R2 = R[..., :, :m], R[..., :, m:]
    gR1 = gR[..., :, :m] if gR is not None else None
    if gR is not None:
        carried = Q @ (R2 @ gR[..., :, m:].mH)  # Y gR2^H with Y = Q R2
        gQ = carried if gQ is None else gQ + carried
        rest = Q @ gR[..., :, m:]
    else:
        rest = ember.zeros_like(R2)
    return (ember.cat([_qr_square_grad(Q, R1, gQ, gR1), rest], dim=-1),)


def _qr_square_grad(Q: Any, R: Any, gQ: Any, gR: Any) -> Any:
    """``(Q syminvadj(triu(M)) + gQ) R^{-H}`` with ``M = gR R^H - Q^H gQ`` (m >= n)."""
    M = gR @ R.mH if gQ is None else (-(Q.mH @ gQ) if gR is None else gR @ R.mH - Q.mH @ gQ)
    Mu = M.triu()
    gA = Q @ _halve_real_diag(Mu + Mu.mH)
    if gQ is not None:
        gA = gA + gQ
    return ember.linalg.solve(R.mH, gA, left=False)


# -- norms -----------------------------------------------------------------------------------

def _vector_norm_grad(x: Any, norm: Any, grad: Any, p: float, dims: tuple[int, ...] | None, keepdim: bool) -> Any:
    """PyTorch's norm_backward; ``dims`` None for every dim; a zero norm gets subgradient 0."""
    if not keepdim and x.ndim:
        shape = _keepdim_shape(tuple(x.shape), dims)
        grad, norm = grad.reshape(shape), norm.reshape(shape)
    if p == 0:
        return ember.zeros_like(x)
    if p == 1:
        return _sgn(x) * grad
    zero = norm == 0
    if p == 2:
        return x * ember.where(zero, ember.zeros_like(grad), grad / norm)
    if p in (_INF, -_INF):
        mask = (x.abs() == norm).to(grad.dtype)
        every = dims if dims is not None else tuple(range(x.ndim))
        count = mask.sum(dim=every, keepdim=True) if every else mask
        return _sgn(x) * (grad / count) * mask
    if p < 1:
        a = x.abs()
        scaled = _sgn(x) * ember.where(x == 0, ember.zeros_like(a), a ** (p - 1))
        return scaled * grad * norm ** (1 - p)
    scaled = _sgn(x) * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
    return scaled * ember.where(zero, ember.zeros_like(grad), grad / norm ** (p - 1))


def _norm_dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0) or ndim == 0:
        return None
    ds = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    return tuple(norm_dim(d, ndim, "linalg.vector_norm") for d in ds)


@rule("linalg.vector_norm", function=True, inputs=("x",), save=("x",), save_output=True,
      node="LinalgVectorNormBackward0")
def linalg_vector_norm(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, out = ctx.x, ctx.result
    dt = ctx.dtype
    if dt is not None and dt is not x.dtype:
        x = x.to(dt)
    return (_vector_norm_grad(x, out, grad, float(_num(ctx.ord)), _norm_dims(ctx.dim, x.ndim), ctx.keepdim),)


def _matrix_norm_node(ctx: Any) -> str:
    ord = ctx.ord
    if ord == "fro":
        return "LinalgVectorNormBackward0"
    if ord == "nuc":
        return "SumBackward1"
    return "AmaxBackward0" if ord > 0 else "AminBackward0"


def _spread(values: Any, picked: Any, grad: Any, dim: int) -> Any:
    """``grad`` spread evenly over the entries of ``values`` equal to ``picked`` along ``dim`` (amax's rule)."""
    mask = (values == picked.unsqueeze(dim)).to(grad.dtype)
    return mask * (grad.unsqueeze(dim) / mask.sum(dim=dim, keepdim=True))


@rule("linalg.matrix_norm", function=True, inputs=("A",), save=("A",), save_output=True, node=_matrix_norm_node)
def linalg_matrix_norm(ctx: Any, grad: Any) -> tuple[Any, ...]:
    A, out, ord, keepdim = ctx.A, ctx.result, ctx.ord, ctx.keepdim
    if ctx.dtype is not None and ctx.dtype is not A.dtype:
        A = A.to(ctx.dtype)
    dims = ctx.dim
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    d0, d1 = (norm_dim(d, A.ndim, "linalg.matrix_norm") for d in dims)
    if ord == "fro":
        return (_vector_norm_grad(A, out, grad, 2.0, (d0, d1), keepdim),)
    if keepdim:  # work on the reduced shape
        grad = grad.squeeze(max(d0, d1)).squeeze(min(d0, d1))
    if ord in (1, -1, _INF, -_INF):
        inner, outer = (d0, d1) if abs(ord) == 1 else (d1, d0)
        sums = A.abs().sum(dim=inner, keepdim=True)  # the reduced outer dim shifts when inner < outer
        red = out if not keepdim else out.squeeze(max(d0, d1)).squeeze(min(d0, d1))
        g = _spread(sums.squeeze(inner), red, grad, outer - (1 if inner < outer else 0))
        return (_sgn(A) * g.unsqueeze(inner),)
    # singular values: the two dims moved last
    moved = A.movedim((d0, d1), (-2, -1))
    U, S, Vh = ember.linalg.svd(moved, full_matrices=False)
    if ord == "nuc":
        gS = grad.unsqueeze(-1).expand(*S.shape)
    else:
        red = out if not keepdim else out.squeeze(max(d0, d1)).squeeze(min(d0, d1))
        gS = _spread(S, red, grad, -1)
    gA = _svd_grad(None, gS, None, U, S, Vh)
    return (gA.movedim((-2, -1), (d0, d1)),)


@rule("linalg.pinv", function=True, inputs=("A",), save=("A",), save_output=True, node="LinalgPinvBackward0")
def linalg_pinv(ctx: Any, grad: Any) -> tuple[Any, ...]:
    """PyTorch's pinv_backward (the rank of ``A`` taken as locally constant)."""
    A, P = ctx.A, ctx.result
    m, n = A.shape[-2], A.shape[-1]
    Ph, gh = P.mH, grad.mH
    if m <= n:
        K = gh @ P
        KPh = K @ Ph
        gA = -(P @ K).mH + KPh - (A @ P) @ KPh + (Ph @ P) @ (gh - K @ A)
    else:
        K = P @ gh
        PhK = Ph @ K
        gA = -(K @ P).mH + (gh - A @ K) @ P @ Ph + PhK - PhK @ P @ A
    return (gA,)


nondifferentiable("linalg.matrix_rank", family=_FAMILY)
