"""Products of vectors, matrices and tensors: matmul and its stricter and fused forms, tensordot, einsum.

Decompositions and norms live in :mod:`ember.linalg`; the Tensor methods that reach them
(``det``, ``norm``, ``inverse``, ...) are here, with the methods of the products.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, cast

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._dtypes import dtype
from ember._elementwise import broadcast_for
from ember._special_cases import _C_NAMES, no_kernel, tname
from ember._tensor_base import (
    SCALAR_TYPES,
    TensorBase,
    broadcasts_to,
    check_same_device,
    device_error,
    like,
    norm_dim,
)

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = ["tensordot", "einsum"]  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = (
    "matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "kron",
    "addmm", "addmv", "addbmm", "baddbmm", "addr", "cross",
    "norm", "det", "logdet", "slogdet", "inverse", "pinverse",
)


def _tensor_arg(x: Any, op: str, name: str, pos: int = 2) -> TensorBase:
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")
    return x


def _same_place(op: str, *ts: TensorBase) -> None:
    check_same_device(op, ts)


def matmul(a: TensorBase, b: TensorBase, op: str = "matmul") -> Tensor:
    """Matrix product with broadcasting of batch dimensions (PyTorch's matmul)."""
    if not isinstance(b, TensorBase):
        raise TypeError(f"{op}(): argument 'other' must be Tensor, not {type(b).__name__}")
    if b._device is not a._device or b._backend is not a._backend:
        raise device_error(op, a, b)
    sa, sb = a._data.shape, b._data.shape
    if not sa or not sb:
        raise RuntimeError(f"{op}(): both arguments to matmul need to be at least 1D, but they are {len(sa)}D and {len(sb)}D")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"{op}(): expected m1 and m2 to have the same dtype, but got: {a._dtype} != {b._dtype}")
    if a._dtype is D.bool_:
        raise no_kernel(op, a._dtype)
    if sa[-1] != sb[-2 if len(sb) > 1 else 0]:
        m1 = "x".join(map(str, sa if len(sa) > 1 else (1, sa[0])))
        m2 = "x".join(map(str, sb if len(sb) > 1 else (sb[0], 1)))
        raise RuntimeError(f"{op}(): mat1 and mat2 shapes cannot be multiplied ({m1} and {m2})")
    if len(sa) > 2 or len(sb) > 2:
        broadcast_for(op, tuple(sa[:-2]), tuple(sb[:-2]))
    return like(a, a._backend.matmul(a._data, b._data))


def mm(a: TensorBase, mat2: Any) -> Tensor:
    """Product of two 2-D matrices (no broadcasting)."""
    if not isinstance(mat2, TensorBase):
        raise TypeError(f"mm(): argument 'mat2' must be Tensor, not {type(mat2).__name__}")
    if a._data.ndim != 2:
        raise RuntimeError(f"mm(): self must be a matrix, got a {a._data.ndim}-D tensor")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mm(): mat2 must be a matrix, got a {mat2._data.ndim}-D tensor")
    return matmul(a, mat2, "mm")


def bmm(a: TensorBase, mat2: Any) -> Tensor:
    """Batched product of two 3-D tensors with equal batch sizes."""
    if not isinstance(mat2, TensorBase):
        raise TypeError(f"bmm(): argument 'mat2' must be Tensor, not {type(mat2).__name__}")
    if a._data.ndim != 3 or mat2._data.ndim != 3:
        raise RuntimeError(f"bmm(): batch1 and batch2 must be 3D tensors, got {a._data.ndim}D and {mat2._data.ndim}D")
    if a._data.shape[0] != mat2._data.shape[0]:
        raise RuntimeError(f"bmm(): batch1 and batch2 must have the same batch size, got {a._data.shape[0]} and {mat2._data.shape[0]}")
    return matmul(a, mat2, "bmm")


# -- fused multiply-adds ----------------------------------------------------------------------

def _coef(value: Any, dt: dtype, op: str, name: str, strict_int: bool = False) -> Any:
    """``beta``/``alpha`` as a Python scalar of ``dt``'s kind (torch truncates floats for integer
    tensors in addmm-like ops, and refuses them in addr)."""
    if isinstance(value, TensorBase) and value._data.ndim == 0:
        value = value._backend.item(value._data)
    if not isinstance(value, SCALAR_TYPES):
        raise TypeError(f"{op}(): argument '{name}' must be Number, not {type(value).__name__}")
    if dt.category == D.COMPLEX:
        return complex(value)
    if isinstance(value, complex):
        raise RuntimeError(f"{op}(): value cannot be converted to type {_C_NAMES.get(dt, dt.name)} without overflow")
    if dt.category == D.FLOATING:
        return float(value)
    if dt is D.bool_:
        return bool(value)
    if strict_int and isinstance(value, float):
        raise RuntimeError(f"{op}(): For integral input tensors, argument {name} must not be a floating point number.")
    return int(value)


def _fma(op: str, inp: TensorBase, prod: Any, beta: Any, alpha: Any, shape: tuple[int, ...], dt: dtype) -> Tensor:
    """``beta * inp + alpha * prod`` in ``shape``; as in torch, a zero coefficient ignores its term (NaN too)."""
    bk = inp._backend
    # inp broadcasts in the kernels below (no expanded view to build); expand raises torch's error.
    fits = broadcasts_to(tuple(inp._data.shape), shape)
    target = inp._data if fits else cast(Any, inp).expand(*shape)._data
    if dt is D.bool_:
        beta, alpha = _coef(beta, dt, op, "beta", True), _coef(alpha, dt, op, "alpha", True)
        left = target if beta else bk.full(shape, False, dt, inp._device.index)
        right = prod if alpha else bk.full(shape, False, dt, inp._device.index)
        return like(inp, bk.copy(bk.broadcast_to(bk.logical_or(left, right), shape)), dt)
    strict = op == "addr"
    beta, alpha = _coef(beta, dt, op, "beta", strict), _coef(alpha, dt, op, "alpha", strict)
    if alpha == 0:
        out = bk.full(shape, 0, dt, inp._device.index)
    else:
        out = prod if alpha == 1 else bk.multiply(prod, alpha)
    if beta != 0:
        x = target if beta == 1 else bk.multiply(target, beta)
        out = bk.add(x, out)
    if tuple(out.shape) != shape:
        out = bk.copy(bk.broadcast_to(out, shape))
    return like(inp, out, dt)


def _same_dtype3(op: str, msg: str, *ts: TensorBase) -> None:
    if any(t._dtype is not ts[0]._dtype for t in ts):
        raise RuntimeError(f"{op}(): {msg}")


def _matrix(t: TensorBase, op: str, name: str) -> None:
    if t._data.ndim != 2:
        raise RuntimeError(f"{op}(): {name} must be a matrix, got {t._data.ndim}-D tensor")


def _batch3(t: TensorBase, op: str, name: str) -> None:
    if t._data.ndim != 3:
        raise RuntimeError(f"{op}(): {name} must be a 3D tensor, got {t._data.ndim}D")


def _vector(t: TensorBase, op: str, name: str) -> None:
    if t._data.ndim != 1:
        raise RuntimeError(f"{op}(): Expected 1-D argument {name}, but got {t._data.ndim}-D")


def _dims_list(dims: Any, ndim: int, op: str) -> list[int]:
    if isinstance(dims, int) and not isinstance(dims, bool):
        dims = [dims]
    return [norm_dim(d, ndim, op) for d in dims]


def tensordot(a: Any, b: Any, dims: Any = 2, out: Any = None) -> Tensor:
    """Sum of products over ``dims``: the last ``dims`` of ``a`` with the first of ``b``, or two lists.

    >>> ember.tensordot(ember.ones(2, 3), ember.ones(3, 4), dims=1).shape
    ember.Size([2, 4])
    """
    op = "tensordot"
    _tensor_arg(a, op, "a", 1)
    _tensor_arg(b, op, "b", 2)
    _same_place(op, a, b)
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, TensorBase) and dims._data.ndim == 0 and dims._dtype.category == D.INTEGRAL:
        dims = int(dims._backend.item(dims._data))
    if isinstance(dims, int) and not isinstance(dims, bool):
        if dims < 0:
            raise RuntimeError(f"{op}(): tensordot expects dims >= 0, but got dims={dims}")
        if dims > na or dims > nb:
            raise RuntimeError(f"{op}(): tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(na - dims, na)), list(range(dims))
    elif isinstance(dims, (tuple, list)) and len(dims) == 2:
        for name, pos, d in (("dims_self", 3, dims[0]), ("dims_other", 4, dims[1])):
            if not isinstance(d, (tuple, list)):
                raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be tuple of ints, not {type(d).__name__}")
        da, db = _dims_list(dims[0], na, op), _dims_list(dims[1], nb, op)
        if len(da) != len(db):
            raise RuntimeError(f"{op}(): both dimension lists should have same length")
        for ds in (da, db):
            if len(set(ds)) != len(ds):
                dup = next(d for d in ds if ds.count(d) > 1)
                raise RuntimeError(f"{op}(): dim {dup} appears multiple times in the list of dims")
    else:
        raise RuntimeError(
            f"{op}(): tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] "
            f"containing two lists, but got dims={dims}"
        )
    if a._dtype is not b._dtype:
        raise RuntimeError(f"{op}(): both inputs should have same dtype, got {a._dtype} and {b._dtype}")
    if a._dtype is D.bool_:
        raise no_kernel(op, a._dtype)
    result = _contract(a, b, da, db, op)
    if out is not None:
        from ember._inplace import write_out
        return write_out(result, out, op)
    return result


def _contract(a: TensorBase, b: TensorBase, da: list[int], db: list[int], op: str) -> Tensor:
    """One matmul over the paired dims ``da`` of ``a`` and ``db`` of ``b`` (size-1 dims broadcast)."""
    bk = a._backend
    xa, xb = a._data, b._data
    sa, sb = tuple(xa.shape), tuple(xb.shape)
    for i, j in zip(da, db, strict=True):
        if sa[i] != sb[j]:
            if sa[i] == 1:  # torch broadcasts a size-1 contracted dim: sum the other side first
                xb = bk.sum(xb, (j,), True, b._dtype)
            elif sb[j] == 1:
                xa = bk.sum(xa, (i,), True, a._dtype)
            else:
                raise RuntimeError(
                    f"{op}(): contracted dimensions need to match, but first has size {sa[i]} in dim {i} "
                    f"and second has size {sb[j]} in dim {j}"
                )
    sa, sb = tuple(xa.shape), tuple(xb.shape)
    fa = [d for d in range(len(sa)) if d not in da]
    fb = [d for d in range(len(sb)) if d not in db]
    k = math.prod(sa[d] for d in da)
    ma = bk.reshape(bk.permute_dims(xa, (*fa, *da)), (math.prod(sa[d] for d in fa), k), None)
    mb = bk.reshape(bk.permute_dims(xb, (*db, *fb)), (k, math.prod(sb[d] for d in fb)), None)
    shape = tuple(sa[d] for d in fa) + tuple(sb[d] for d in fb)
    return like(a, bk.reshape(bk.matmul(ma, mb), shape, None))


# -- einsum ---------------------------------------------------------------------------------------
# Labels are letters; the dims an ellipsis covers get int labels 0..E-1 (right-aligned across
# operands, so they broadcast). Repeated labels in an operand become a diagonal (one take), labels
# no one else needs are summed at once, then operands contract left to right, one matmul per pair.

_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ELLIPSIS = "..."


def einsum(*args: Any) -> Tensor:
    """Einstein summation: ``ember.einsum("bij,bjk->bik", a, b)``, ``"ii"`` (trace), ``"...ij->...ji"``.

    Also takes the operands as one list, and torch's sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.

    >>> ember.einsum("ij,j->i", ember.ones(2, 3), ember.ones(3))
    tensor([3., 3.])
    """
    if args and isinstance(args[0], TensorBase):
        args = _from_sublists(args)
    if len(args) < 2:
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, "
            "or at least one operand and its subscripts list"
        )
    equation, operands = args[0], args[1:]
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not {type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for i, t in enumerate(operands):
        if not isinstance(t, TensorBase):
            raise TypeError(f"einsum(): expected Tensor as element {i} in argument 1, but got {type(t).__name__}")
    terms, output = _parse(equation)
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    first = operands[0]
    _same_place("einsum", *operands)
    for t in operands[1:]:
        if t._dtype is not first._dtype:
            raise RuntimeError(f"einsum(): expected scalar type {tname(first._dtype)} but found {tname(t._dtype)}")
    if first._dtype is D.bool_:
        raise no_kernel("einsum", first._dtype)
    labelled, out = _label(terms, output, operands)
    return _evaluate(first, [t._data for t in operands], labelled, out)


def _from_sublists(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """torch's ``einsum(op0, sublist0, op1, sublist1, ..., [out])`` as an equation and operands."""
    def letters(sub: Any) -> str:
        out = []
        for s in sub:
            if s is Ellipsis:
                out.append(_ELLIPSIS)
            elif isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 52:
                out.append(chr(ord("A") + s) if s < 26 else chr(ord("a") + s - 26))
            else:
                raise ValueError(f"einsum(): subscript in subscript list is not within the valid range [0, 52), got {s!r}")
        return "".join(out)

    operands, terms = list(args[0::2]), [letters(s) for s in args[1::2]]
    equation = ",".join(terms[: len(operands)])
    if len(terms) < len(operands):
        operands = operands[:-1] if isinstance(operands[-1], (list, tuple)) else operands
        equation = ",".join(terms)
        if isinstance(args[-1], (list, tuple)) and len(args) % 2:
            equation += "->" + letters(args[-1])
    return (equation, *operands)


def _parse(equation: str) -> tuple[list[list[str]], list[str] | None]:
    """Each operand's subscripts (letters and ``"..."``) and the output's, None in implicit mode."""
    terms: list[list[str]] = [[]]
    output: list[str] | None = None
    cur, i, n = terms[0], 0, len(equation)
    while i < n:
        ch = equation[i]
        if ch == " ":
            i += 1
        elif ch == ".":
            where = "the output" if output is not None else f"operand {len(terms) - 1}"
            if equation[i:i + 3] != _ELLIPSIS:
                raise RuntimeError(f"einsum(): found '.' for {where} that is not part of any ellipsis")
            if _ELLIPSIS in cur:
                raise RuntimeError(f"einsum(): found '.' for {where} for which an ellipsis was already found")
            cur.append(_ELLIPSIS)
            i += 3
        elif ch == "," and output is None:
            cur = []
            terms.append(cur)
            i += 1
        elif ch == "-" and output is None and equation[i + 1:i + 2] == ">":
            output = cur = []
            i += 2
        elif ch in _LETTERS:
            cur.append(ch)
            i += 1
        else:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {i} in the equation string, subscripts must be in [a-zA-Z]"
            )
    return terms, output


def _label(terms: list[list[str]], output: list[str] | None, operands: tuple[Any, ...]) -> tuple[list[list[Any]], list[Any]]:
    """Operand labels with ellipses expanded to int labels, sizes checked; and the output's labels."""
    ell = 0
    for k, (term, t) in enumerate(zip(terms, operands, strict=True)):
        named, nd = sum(s != _ELLIPSIS for s in term), t._data.ndim
        if _ELLIPSIS not in term and named != nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) does not match the number of "
                f"dimensions ({nd}) for operand {k} and no ellipsis was given"
            )
        if named > nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) is more than the number of "
                f"dimensions ({nd}) for operand {k}"
            )
        ell = max(ell, nd - named)
    sizes: dict[Any, int] = {}
    labelled = []
    for k, (term, t) in enumerate(zip(terms, operands, strict=True)):
        shape = t._data.shape
        labels: list[Any] = []
        for s in term:
            labels.extend(range(ell - (len(shape) - len(term) + 1), ell) if s == _ELLIPSIS else [s])
        seen: dict[Any, int] = {}
        for lab, size in zip(labels, shape, strict=True):
            if lab in seen and seen[lab] != size:
                raise RuntimeError(
                    f"einsum(): subscript {lab} is repeated for operand {k} but the sizes don't match, {size} != {seen[lab]}"
                )
            seen[lab] = size
            have = sizes.get(lab, 1)
            if size != have and have != 1 and size != 1:
                what = f"subscript {lab}" if isinstance(lab, str) else f"ellipsis dimension {lab - ell}"
                raise RuntimeError(
                    f"einsum(): {what} has size {size} for operand {k} which does not broadcast with previously seen size {have}"
                )
            if size != 1 or lab not in sizes:
                sizes[lab] = size
        labelled.append(labels)
    if output is None:
        counts: dict[str, int] = {}
        for term in terms:
            for s in term:
                if s != _ELLIPSIS:
                    counts[s] = counts.get(s, 0) + 1
        return labelled, [*range(ell), *sorted(s for s, c in counts.items() if c == 1)]
    out: list[Any] = []
    for s in output:
        if s == _ELLIPSIS:
            out.extend(range(ell))
            continue
        if s not in sizes:
            raise RuntimeError(f"einsum(): output subscript {s} does not appear in the equation for any input operand")
        if s in out:
            raise RuntimeError(f"einsum(): output subscript {s} appears more than once in the output")
        out.append(s)
    return labelled, out


def _evaluate(like_t: TensorBase, arrays: list[Any], labelled: list[list[Any]], out: list[Any]) -> Tensor:
    bk, dt = like_t._backend, like_t._dtype
    ops = [_diagonals(like_t, x, labels) for x, labels in zip(arrays, labelled, strict=True)]
    x, labels = ops[0]
    for i in range(1, len(ops) + 1):
        keep = set(out).union(*(lab for _, lab in ops[i:]))
        drop = tuple(d for d, lab in enumerate(labels) if lab not in keep)
        if drop:
            x = bk.sum(x, drop, False, dt)
            labels = [lab for lab in labels if lab in keep]
        if i == len(ops):
            break
        y, ylabels = ops[i]
        keep_y = keep | set(labels)
        drop = tuple(d for d, lab in enumerate(ylabels) if lab not in keep_y)
        if drop:
            y = bk.sum(y, drop, False, dt)
            ylabels = [lab for lab in ylabels if lab in keep_y]
        x, labels = _pair(like_t, x, labels, y, ylabels, set(out).union(*(lab for _, lab in ops[i + 1:])))
    shared = x is arrays[0]  # nothing computed: copy, so the result owns its memory
    x = bk.permute_dims(x, tuple(labels.index(lab) for lab in out))
    return like(like_t, bk.copy(x) if shared else x)


def _diagonals(like_t: TensorBase, x: Any, labels: list[Any]) -> tuple[Any, list[Any]]:
    """Each repeated label reduced to its diagonal with one take over the flattened repeated dims."""
    bk = like_t._backend
    while len(set(labels)) != len(labels):
        lab = next(lab for lab in labels if labels.count(lab) > 1)
        where = [d for d, m in enumerate(labels) if m == lab]
        rest = [d for d in range(len(labels)) if d not in where]
        n, r = x.shape[where[0]], len(where)
        x = bk.reshape(bk.permute_dims(x, (*rest, *where)), (*(x.shape[d] for d in rest), n**r), None)
        step = sum(n**j for j in range(r))  # flat offset between consecutive diagonal elements
        idx = bk.arange(0, n * step, step, D.int64, like_t._device.index)
        x = bk.take(x, idx, len(rest))
        labels = [labels[d] for d in rest] + [lab]
    return x, labels


def _pair(like_t: TensorBase, x: Any, lx: list[Any], y: Any, ly: list[Any], keep: set[Any]) -> tuple[Any, list[Any]]:
    """Contract two labelled arrays: shared kept labels batch, shared others sum, the rest stay."""
    bk, dt = like_t._backend, like_t._dtype
    batch = [lab for lab in lx if lab in ly and lab in keep]
    summed = [lab for lab in lx if lab in ly and lab not in keep]
    left = [lab for lab in lx if lab not in ly]
    right = [lab for lab in ly if lab not in lx]
    for lab in summed:  # a size-1 label broadcasts: sum the other operand's side first
        i, j = lx.index(lab), ly.index(lab)
        if x.shape[i] != y.shape[j]:
            if x.shape[i] == 1:
                y = bk.sum(y, (j,), True, dt)
            else:
                x = bk.sum(x, (i,), True, dt)
    sx, sy = dict(zip(lx, x.shape, strict=True)), dict(zip(ly, y.shape, strict=True))
    k = math.prod(sx[lab] for lab in summed)
    xm = bk.permute_dims(x, tuple(lx.index(lab) for lab in (*batch, *left, *summed)))
    xm = bk.reshape(xm, (*(sx[lab] for lab in batch), math.prod(sx[lab] for lab in left), k), None)
    ym = bk.permute_dims(y, tuple(ly.index(lab) for lab in (*batch, *summed, *right)))
    ym = bk.reshape(ym, (*(sy[lab] for lab in batch), k, math.prod(sy[lab] for lab in right)), None)
    z = bk.matmul(xm, ym)
    bshape = tuple(sy[lab] if sx[lab] == 1 else sx[lab] for lab in batch)
    z = bk.reshape(z, (*bshape, *(sx[lab] for lab in left), *(sy[lab] for lab in right)), None)
    return z, [*batch, *left, *right]


def _la() -> Any:
    from ember import linalg  # ember.linalg imports this module

    return linalg


class LinalgMixin(TensorBase):
    """Linear-algebra methods of Tensor (matmul itself is with the arithmetic operators)."""

    __slots__ = ()

    # -- vector products ---------------------------------------------------------------------
    def dot(self, tensor: Any) -> Tensor:
        """Inner product of two 1-D tensors of one dtype (no conjugation).

        >>> ember.tensor([1., 2.]).dot(ember.tensor([3., 4.]))
        tensor(11.)
        """
        return _dot(self, tensor, "dot", conj=False)

    def vdot(self, other: Any) -> Tensor:
        """``dot`` with ``self`` conjugated (complex vectors)."""
        return _dot(self, other, "vdot", conj=True)

    def inner(self, other: Any) -> Tensor:
        """Sum of products over the last dims; a 0-d operand multiplies instead."""
        _tensor_arg(other, "inner", "other")
        _same_place("inner", self, other)
        if self._data.ndim == 0 or other._data.ndim == 0:
            return self.mul(other)  # type: ignore[attr-defined]
        sa, sb = self._data.shape, other._data.shape
        if self._dtype is not other._dtype:
            raise RuntimeError(f"inner(): both inputs should have same dtype, got {self._dtype} and {other._dtype}")
        if sa[-1] != sb[-1]:
            raise RuntimeError(
                f"inner(): the last dimension must match on both input tensors but got shapes {list(sa)} and {list(sb)}"
            )
        if self._dtype is D.bool_:
            raise no_kernel("inner", self._dtype)
        return _contract(self, other, [len(sa) - 1], [len(sb) - 1], "inner")

    def outer(self, vec2: Any) -> Tensor:
        """Outer product of two 1-D tensors (types promote, as in ``mul``)."""
        _tensor_arg(vec2, "outer", "vec2")
        _vector(self, "outer", "self")
        _vector(vec2, "outer", "vec2")
        return self.reshape(-1, 1).mul(vec2)  # type: ignore[attr-defined]

    ger = outer

    def mv(self, vec: Any) -> Tensor:
        """Matrix-vector product: ``self`` (n, m) times ``vec`` (m,)."""
        _tensor_arg(vec, "mv", "vec")
        _same_place("mv", self, vec)
        if self._data.ndim != 2 or vec._data.ndim != 1:
            raise RuntimeError(f"mv(): vector + matrix @ vector expected, got 1, {self._data.ndim}, {vec._data.ndim}")
        _check_mv(self, vec, None, "mv")
        return like(self, self._backend.matmul(self._data, vec._data))

    def kron(self, other: Any) -> Tensor:
        """Kronecker product: blocks ``self[i] * other`` (types promote, as in ``mul``)."""
        _tensor_arg(other, "kron", "other")
        nd = max(self._data.ndim, other._data.ndim)
        sa = (1,) * (nd - self._data.ndim) + tuple(self._data.shape)
        sb = (1,) * (nd - other._data.ndim) + tuple(other._data.shape)
        a = self.reshape(*(v for n in sa for v in (n, 1)))  # type: ignore[attr-defined]
        b = other.reshape(*(v for n in sb for v in (1, n)))
        return a.mul(b).reshape(*(x * y for x, y in zip(sa, sb, strict=True)))

    def cross(self, other: Any, dim: int | None = None) -> Tensor:
        """Cross product of 3-vectors along ``dim`` (None: the first dim of size 3, as torch.cross)."""
        _tensor_arg(other, "cross", "other")
        if dim is None:
            import warnings

            warnings.warn(
                "Using cross without specifying the dim arg is deprecated; pass dim or use ember.linalg.cross",
                UserWarning, stacklevel=2,
            )
            shape = broadcast_for("cross", tuple(self._data.shape), tuple(other._data.shape))
            dim = next((d for d, n in enumerate(shape) if n == 3), -1)
        return _la().cross(self, other, dim=dim)

    # -- fused multiply-adds -------------------------------------------------------------------
    def addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * (mat1 @ mat2)`` for 2-D ``mat1``, ``mat2``; ``self`` broadcasts."""
        op = "addmm"
        _tensor_arg(mat1, op, "mat1")
        _tensor_arg(mat2, op, "mat2", 3)
        _same_place(op, self, mat1, mat2)
        _matrix(mat1, op, "mat1")
        _matrix(mat2, op, "mat2")
        if mat1._dtype is not mat2._dtype:
            raise RuntimeError(f"{op}(): mat1 and mat2 must have the same dtype, but got {tname(mat1._dtype)} and {tname(mat2._dtype)}")
        if self._dtype is not mat1._dtype:
            raise RuntimeError(f"{op}(): self and mat2 must have the same dtype, but got {tname(self._dtype)} and {tname(mat2._dtype)}")
        (n, m), (m2, p) = mat1._data.shape, mat2._data.shape
        if m != m2:
            raise RuntimeError(f"{op}(): mat1 and mat2 shapes cannot be multiplied ({n}x{m} and {m2}x{p})")
        if self._dtype is D.bool_:
            raise no_kernel(op, self._dtype)
        return _fma(op, self, self._backend.matmul(mat1._data, mat2._data), beta, alpha, (n, p), self._dtype)

    def addmv(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * (mat @ vec)``; ``self`` broadcasts to ``(mat.shape[0],)``."""
        op = "addmv"
        _tensor_arg(mat, op, "mat")
        _tensor_arg(vec, op, "vec", 3)
        _same_place(op, self, mat, vec)
        if self._data.ndim > 1 or mat._data.ndim != 2 or vec._data.ndim != 1:
            raise RuntimeError(
                f"{op}(): vector + matrix @ vector expected, got {self._data.ndim}, {mat._data.ndim}, {vec._data.ndim}"
            )
        _check_mv(mat, vec, self, op)
        prod = self._backend.matmul(mat._data, vec._data)
        return _fma(op, self, prod, beta, alpha, (mat._data.shape[0],), self._dtype)

    def addbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * sum_b(batch1[b] @ batch2[b])`` (one matmul over the joined batch)."""
        op = "addbmm"
        b1, b2 = _check_bmm(self, batch1, batch2, op)
        if self._dtype is not b1._dtype:
            raise RuntimeError(f"{op}(): self and mat2 must have the same dtype, but got {tname(self._dtype)} and {tname(b1._dtype)}")
        bk = self._backend
        (nb, n, m), p = b1._data.shape, b2._data.shape[2]
        left = bk.reshape(bk.permute_dims(b1._data, (1, 0, 2)), (n, nb * m), None)
        prod = bk.matmul(left, bk.reshape(b2._data, (nb * m, p), None))
        return _fma(op, self, prod, beta, alpha, (n, p), self._dtype)

    def baddbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * (batch1 @ batch2)`` for 3-D batches; ``self`` broadcasts."""
        op = "baddbmm"
        b1, b2 = _check_bmm(self, batch1, batch2, op)
        if not self._dtype is b1._dtype is b2._dtype:
            raise RuntimeError(
                f"{op}(): Input dtypes must be the same, got: input {_cname(self._dtype)}, "
                f"batch1: {_cname(b1._dtype)}, batch2: {_cname(b2._dtype)}"
            )
        shape = (b1._data.shape[0], b1._data.shape[1], b2._data.shape[2])
        return _fma(op, self, self._backend.matmul(b1._data, b2._data), beta, alpha, shape, self._dtype)

    def addr(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * outer(vec1, vec2)``; types promote, bool is logical."""
        op = "addr"
        _tensor_arg(vec1, op, "vec1")
        _tensor_arg(vec2, op, "vec2", 3)
        _same_place(op, self, vec1, vec2)
        _vector(vec1, op, "vec1")
        _vector(vec2, op, "vec2")
        dt = D.promote_types(D.promote_types(self._dtype, vec1._dtype), vec2._dtype)
        bk = self._backend
        a = bk.astype(vec1._data, dt) if vec1._dtype is not dt else vec1._data
        b = bk.astype(vec2._data, dt) if vec2._dtype is not dt else vec2._data
        a = bk.reshape(a, (a.shape[0], 1), None)
        prod = bk.logical_and(a, b) if dt is D.bool_ else bk.multiply(a, b)
        inp = self if self._dtype is dt else self.to(dt)  # type: ignore[attr-defined]
        return _fma(op, inp, prod, beta, alpha, (vec1._data.shape[0], vec2._data.shape[0]), dt)

    # -- decompositions and norms (ember.linalg) ------------------------------------------------
    def det(self) -> Tensor:
        """Determinant of each square matrix in the last two dims (``ember.linalg.det``)."""
        return _la().det(self)

    def logdet(self) -> Tensor:
        """Log of the determinant: NaN for a negative real determinant, ``-inf`` for zero."""
        return _la()._logdet(self)

    def slogdet(self) -> Any:
        """``(sign, logabsdet)`` of the determinant (``ember.linalg.slogdet``)."""
        return _la().slogdet(self)

    def inverse(self) -> Tensor:
        """Inverse of each square matrix (``ember.linalg.inv``)."""
        return _la().inv(self)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        """Pseudo-inverse through the SVD, dropping singular values below ``rcond * max``."""
        return _la().pinv(self, rtol=rcond)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: dtype | None = None) -> Tensor:
        """torch.norm: a vector p-norm over ``dim`` (all dims by default), or ``'fro'`` / ``'nuc'``.

        >>> ember.tensor([3., 4.]).norm()
        tensor(5.)
        """
        return _la()._torch_norm(self, p, dim, keepdim, dtype)


def _cname(dt: dtype) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int"}.get(dt.name, dt.name)


def _dot(a: TensorBase, b: Any, op: str, conj: bool) -> Tensor:
    _tensor_arg(b, op, "tensor" if op == "dot" else "other")
    _same_place(op, a, b)
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(f"{op}(): 1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"{op}(): expected both vectors to have same dtype, but found {tname(a._dtype)} and {tname(b._dtype)}")
    n, m = a._data.shape[0], b._data.shape[0]
    if n != m:
        raise RuntimeError(
            f"{op}(): inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number of elements, "
            f"but got {n} and {m} elements respectively"
        )
    if a._dtype is D.bool_:
        raise no_kernel(op, a._dtype)
    bk = a._backend
    x = bk.conj(a._data) if conj and a._dtype.category == D.COMPLEX else a._data
    return like(a, bk.matmul(x, b._data))


def _check_mv(mat: TensorBase, vec: TensorBase, inp: TensorBase | None, op: str) -> None:
    first = vec if inp is None else inp
    if not first._dtype is mat._dtype is vec._dtype:
        raise RuntimeError(
            f"{op}(): addmv input tensors must have the same dtype, but got "
            f"{tname(first._dtype)}, {tname(mat._dtype)}, and {tname(vec._dtype)}"
        )
    n, m = mat._data.shape
    k = vec._data.shape[0]
    size = n if inp is None or inp._data.ndim == 0 else inp._data.shape[0]
    if m != k or size not in (1, n):
        raise RuntimeError(f"{op}(): size mismatch, got input ({size}), mat ({n}x{m}), vec ({k})")
    if mat._dtype is D.bool_:
        raise no_kernel(op, mat._dtype)


def _check_bmm(t: TensorBase, batch1: Any, batch2: Any, op: str) -> tuple[TensorBase, TensorBase]:
    _tensor_arg(batch1, op, "batch1")
    _tensor_arg(batch2, op, "batch2", 3)
    _same_place(op, t, batch1, batch2)
    _batch3(batch1, op, "batch1")
    _batch3(batch2, op, "batch2")
    (nb, n, m), (nb2, m2, p) = batch1._data.shape, batch2._data.shape
    if op == "addbmm":
        if nb != nb2:
            raise RuntimeError(f"{op}(): batch1 and batch2 must have same number of batches, got {nb} and {nb2}")
        if m != m2:
            raise RuntimeError(f"{op}(): Incompatible matrix sizes for bmm ({n}x{m} and {m2}x{p})")
    elif (nb2, m2) != (nb, m):
        raise RuntimeError(
            f"{op}(): Expected size for first two dimensions of batch2 tensor to be: [{nb}, {m}] but got: [{nb2}, {m2}]."
        )
    if batch1._dtype is not batch2._dtype:
        raise RuntimeError(
            f"{op}(): batch1 and batch2 must have the same dtype, but got {tname(batch1._dtype)} and {tname(batch2._dtype)}"
        )
    if t._dtype is D.bool_ or batch1._dtype is D.bool_:
        raise no_kernel(op, D.bool_)
    return batch1, batch2


_dispatch_install(globals(), __all__)  # ember-autograd records these (see _dispatch)
