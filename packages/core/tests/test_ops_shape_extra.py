"""More views (unflatten, movedim, narrow, tensor_split, unfold, diagonal, ...) and the copying
rearrangements (tile, repeat, repeat_interleave, flip, roll, rot90, tril/triu, diag, trace).

Values are compared with NumPy over random shapes, dtypes and layouts (contiguous,
transposed, step-sliced, expanded). Ops that PyTorch makes views must read the
base's memory through the strides and offset they report and write through to it;
the others must own fresh memory. Strides and messages pasted below were printed by
PyTorch 2.13 for the same calls.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP, STRICT, on_strict, raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

PROPERTY = settings(max_examples=40, deadline=None)
NUMPY_PHRASES = ("axis", "numpy", "cannot reshape array", "index out of bounds", "tuple index")
raises = partial(raises_exactly, numpy_phrases=NUMPY_PHRASES)

DTYPES = [ember.bool, ember.uint8, ember.int16, ember.int32, ember.int64, ember.float16, ember.float32,
          ember.float64, ember.complex64]
LAYOUTS = ["contiguous", "transposed", "stepped", "expanded"]


@st.composite
def tensors(draw: st.DrawFn, min_dims: int = 0, max_dims: int = 4, min_side: int = 0) -> tuple[np.ndarray, ember.Tensor, ember.Tensor]:
    """``(expected values, tensor with those values, the fresh tensor whose memory it uses)``."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=4))
    dt = draw(st.sampled_from(DTYPES))
    seed = draw(st.integers(0, 2**16))
    values = np.random.default_rng(seed).permutation(max(math.prod(shape), 1))[: math.prod(shape)]
    a = (values % 2 if dt is ember.bool else values).astype(NP[dt]).reshape(shape)
    layout = draw(st.sampled_from(LAYOUTS))
    if layout == "transposed" and a.ndim >= 2:
        root = ember.tensor(np.ascontiguousarray(a.swapaxes(0, -1)))
        return a, root.transpose(0, -1), root
    if layout == "stepped" and a.ndim >= 1:
        big = np.zeros((*shape[:-1], 2 * shape[-1]), a.dtype)
        big[..., ::2] = a
        root = ember.tensor(big)
        return a, root[..., ::2], root
    if layout == "expanded" and a.ndim >= 1:
        d = draw(st.integers(0, a.ndim - 1))
        small = np.take(a, [0], axis=d) if shape[d] else np.zeros((*shape[:d], 1, *shape[d + 1 :]), a.dtype)
        root = ember.tensor(small)
        return np.broadcast_to(small, shape), root.expand(shape), root
    root = ember.tensor(a)
    return a, root, root


def same(out: ember.Tensor, expected: np.ndarray) -> None:
    assert tuple(out.shape) == expected.shape, (tuple(out.shape), expected.shape)
    np.testing.assert_array_equal(out.numpy(), expected)


def storage_read(root: ember.Tensor, view: ember.Tensor) -> np.ndarray:
    """The elements ``view``'s reported strides and offset address in ``root``'s memory."""
    flat = root.numpy().reshape(-1)
    item = flat.itemsize
    return np.lib.stride_tricks.as_strided(
        flat[view.storage_offset():], tuple(view.shape), tuple(s * item for s in view.stride())
    )


def check_view(view: ember.Tensor, root: ember.Tensor, expected: np.ndarray) -> None:
    """``view`` holds ``expected``, reads ``root``'s memory where its strides say, and writes through."""
    same(view, expected)
    if view.numel() == 0:
        return
    np.testing.assert_array_equal(storage_read(root, view), expected)
    assert view.data_ptr() == root.data_ptr() + view.storage_offset() * root.element_size()
    if any(s == 0 and n > 1 for n, s in zip(view.shape, view.stride(), strict=True)):
        return  # overlapping (expanded) views refuse elementwise writes, as in torch
    before = root.clone()
    value = True if view.dtype is ember.bool else 3
    view.fill_(value)
    np.testing.assert_array_equal(storage_read(root, view), np.full(expected.shape, value, expected.dtype))
    assert view.numpy().tolist() == np.full(expected.shape, value, expected.dtype).tolist()
    root.copy_(before)


def check_copy(out: ember.Tensor, x: ember.Tensor, expected: np.ndarray) -> None:
    """``out`` holds ``expected`` in memory of its own (``x`` is untouched by writing ``out``)."""
    same(out, expected)
    assert out._base is None
    if out.numel() and x.numel():
        before = x.numpy().copy()
        out.fill_(True if out.dtype is ember.bool else 1)
        np.testing.assert_array_equal(x.numpy(), before)


# -- views: torch's strides and offsets ---------------------------------------------------------------
# (shape, stride, storage_offset) printed by torch for x = arange(24.).reshape(2, 3, 4)

VIEWS: dict[str, tuple[Callable[[ember.Tensor], ember.Tensor], tuple[Any, ...]]] = {
    "unflatten": (lambda x: x.unflatten(1, (3, 1)), ((2, 3, 1, 4), (12, 4, 4, 1), 0)),
    "unflatten -1": (lambda x: x.unflatten(2, (-1, 2)), ((2, 3, 2, 2), (12, 4, 2, 1), 0)),
    "unflatten transposed": (lambda x: x.transpose(0, 2).unflatten(0, (2, 2)), ((2, 2, 3, 2), (2, 1, 4, 12), 0)),
    "movedim": (lambda x: x.movedim(0, 2), ((3, 4, 2), (4, 1, 12), 0)),
    "movedim seq": (lambda x: x.movedim((0, 1), (2, 0)), ((3, 4, 2), (4, 1, 12), 0)),
    "moveaxis": (lambda x: ember.moveaxis(x, [0], [1]), ((3, 2, 4), (4, 12, 1), 0)),
    "narrow": (lambda x: x.narrow(1, 1, 2), ((2, 2, 4), (12, 4, 1), 4)),
    "narrow negative": (lambda x: x.narrow(1, -1, 1), ((2, 1, 4), (12, 4, 1), 8)),
    "narrow tensor": (lambda x: x.narrow(1, ember.tensor(1), 2), ((2, 2, 4), (12, 4, 1), 4)),
    "tensor_split": (lambda x: x.tensor_split(2, 1)[1], ((2, 1, 4), (12, 4, 1), 8)),
    "tensor_split idx": (lambda x: x.tensor_split([-1], 2)[1], ((2, 3, 1), (12, 4, 1), 3)),
    "tensor_split tensor": (lambda x: x.tensor_split(ember.tensor([1, 2]), 1)[2], ((2, 1, 4), (12, 4, 1), 8)),
    "hsplit": (lambda x: x.hsplit(3)[2], ((2, 1, 4), (12, 4, 1), 8)),
    "vsplit": (lambda x: x.vsplit(2)[1], ((1, 3, 4), (12, 4, 1), 12)),
    "dsplit": (lambda x: x.dsplit([1])[1], ((2, 3, 3), (12, 4, 1), 1)),
    "unfold": (lambda x: x.unfold(2, 2, 1), ((2, 3, 3, 2), (12, 4, 1, 1), 0)),
    "unfold mid": (lambda x: x.unfold(1, 3, 1), ((2, 1, 4, 3), (12, 4, 1, 4), 0)),
    "unfold step": (lambda x: x.unfold(-1, 2, 3), ((2, 3, 1, 2), (12, 4, 3, 1), 0)),
    "unfold empty window": (lambda x: x.unfold(1, 0, 1), ((2, 4, 4, 0), (12, 4, 1, 4), 0)),
    "diagonal": (lambda x: x.diagonal(), ((4, 2), (1, 16), 0)),
    "diagonal 1 2": (lambda x: x.diagonal(0, 1, 2), ((2, 3), (12, 5), 0)),
    "diagonal offset": (lambda x: x.diagonal(1, 2, 0), ((3, 1), (4, 13), 12)),
    "diagonal neg dims": (lambda x: x.diagonal(offset=1, dim1=-1, dim2=0), ((3, 1), (4, 13), 12)),
    "diagonal below": (lambda x: x[0].diagonal(-1), ((2,), (5,), 4)),
    "diagonal of t": (lambda x: x[0].t().diagonal(-1), ((3,), (5,), 1)),
    "broadcast_to": (lambda x: x.broadcast_to((2, 2, 3, 4)), ((2, 2, 3, 4), (0, 12, 4, 1), 0)),
    "broadcast_to fn": (lambda x: ember.broadcast_to(x, (3, -1, 3, 4)), ((3, 2, 3, 4), (0, 12, 4, 1), 0)),
    "squeeze tuple": (lambda x: x[:1, :, :1].squeeze((0, 2)), ((3,), (4,), 0)),
    "mT": (lambda x: x.mT, ((2, 4, 3), (12, 1, 4), 0)),
    "mH": (lambda x: x.mH, ((2, 4, 3), (12, 1, 4), 0)),
    "adjoint": (lambda x: x.adjoint(), ((2, 4, 3), (12, 1, 4), 0)),
    "H": (lambda x: x[1].H, ((4, 3), (1, 4), 12)),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_views_report_torch_strides_and_write_through(name: str) -> None:
    make, (shape, stride, offset) = VIEWS[name]
    x = ember.arange(24, dtype=ember.float32).reshape(2, 3, 4)
    v = make(x)
    assert (tuple(v.shape), v.stride(), v.storage_offset()) == (shape, stride, offset)
    expected = np.lib.stride_tricks.as_strided(
        np.arange(24, dtype=np.float32)[offset:], shape, tuple(4 * s for s in stride)
    )
    check_view(v, x, expected)


# -- views, property-based -----------------------------------------------------------------------------

@st.composite
def split_sizes(draw: st.DrawFn, n: int) -> tuple[int, ...]:
    """Sizes whose product is ``n`` (with 1s, and maybe one -1)."""
    sizes: list[int] = []
    rest = n
    for _ in range(draw(st.integers(0, 2))):
        divisors = [k for k in range(1, rest + 1) if rest % k == 0] if rest else [0, 1, 2]
        k = draw(st.sampled_from(divisors))
        sizes.append(k)
        rest = rest // k if k else 0
    sizes.append(rest if n else 0)
    sizes = draw(st.permutations(sizes))
    if n and draw(st.booleans()):
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    return tuple(sizes)


@PROPERTY
@given(tensors(min_dims=1), st.data())
def test_unflatten_matches_numpy_reshape(case: Any, data: st.DataObject) -> None:
    a, x, root = case
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    sizes = data.draw(split_sizes(a.shape[d]))
    known = math.prod(s for s in sizes if s != -1)
    full = tuple(a.shape[d] // known if s == -1 else s for s in sizes)
    dd = d % a.ndim
    expected = a.reshape((*a.shape[:dd], *full, *a.shape[dd + 1 :]))
    check_view(x.unflatten(d, sizes), root, expected)
    same(ember.unflatten(x, d, list(sizes)), expected)


@PROPERTY
@given(tensors(), st.data())
def test_movedim_matches_numpy_moveaxis(case: Any, data: st.DataObject) -> None:
    a, x, root = case
    nd = a.ndim
    if nd == 0:
        check_view(x.movedim(0, -1), root, a)
        return
    k = data.draw(st.integers(1, nd))
    src = data.draw(st.lists(st.integers(-nd, nd - 1), min_size=k, max_size=k, unique_by=lambda i: i % nd))
    dst = data.draw(st.lists(st.integers(-nd, nd - 1), min_size=k, max_size=k, unique_by=lambda i: i % nd))
    expected = np.moveaxis(a, src, dst)
    check_view(x.movedim(src, dst), root, expected)
    check_view(ember.moveaxis(x, tuple(src), tuple(dst)), root, expected)
    check_view(x.movedim(src[0], dst[0]), root, np.moveaxis(a, src[0], dst[0]))


@PROPERTY
@given(tensors(min_dims=1), st.data())
def test_narrow_matches_slicing(case: Any, data: st.DataObject) -> None:
    a, x, root = case
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[d]
    start = data.draw(st.integers(-n, n))
    begin = start + n if start < 0 else start
    length = data.draw(st.integers(0, n - begin))
    expected = np.take(a, range(begin, begin + length), axis=d)
    check_view(x.narrow(d, start, length), root, expected)
    check_view(ember.narrow(x, d, ember.tensor(start), length), root, expected)


@PROPERTY
@given(tensors(min_dims=1), st.data())
def test_tensor_split_matches_numpy_array_split(case: Any, data: st.DataObject) -> None:
    a, x, root = case
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[d]
    sections = data.draw(st.integers(1, 6))
    parts = x.tensor_split(sections, d)
    expected = np.array_split(a, sections, axis=d)
    assert len(parts) == len(expected)
    for p, e in zip(parts, expected, strict=True):
        check_view(p, root, e)
    indices = data.draw(st.lists(st.integers(-n - 2, n + 2), max_size=4))
    # NumPy's split clamps a stop before its start to an empty piece, as torch's slice() does
    expected = np.split(a, indices, axis=d) if indices else [a]
    for got in (x.tensor_split(indices, d), ember.tensor_split(x, ember.tensor(indices, dtype=ember.int64), dim=d)):
        assert len(got) == len(expected)
        for p, e in zip(got, expected, strict=True):
            same(p, e)
    for p, e in zip(x.tensor_split(ember.tensor(sections), d), np.array_split(a, sections, axis=d), strict=True):
        same(p, e)


@PROPERTY
@given(tensors(min_dims=1), st.data())
def test_hsplit_vsplit_dsplit_match_numpy(case: Any, data: st.DataObject) -> None:
    a, x, root = case
    for name, need in (("hsplit", 1), ("vsplit", 2), ("dsplit", 3)):
        if a.ndim < need:
            continue
        axis = {"hsplit": 1 if a.ndim > 1 else 0, "vsplit": 0, "dsplit": 2}[name]
        n = a.shape[axis]
        sections = data.draw(st.sampled_from([k for k in range(1, 5) if n % k == 0]))
        for p, e in zip(getattr(x, name)(sections), getattr(np, name)(a, sections), strict=True):
            check_view(p, root, e)
        indices = data.draw(st.lists(st.integers(0, n), max_size=3))
        for p, e in zip(getattr(ember, name)(x, indices), getattr(np, name)(a, indices), strict=True):
            same(p, e)


@PROPERTY
@given(tensors(), st.data())
def test_unfold_matches_sliding_window_view(case: Any, data: st.DataObject) -> None:
    a, x, root = case
    nd = a.ndim
    d = data.draw(st.integers(-1, 0) if nd == 0 else st.integers(-nd, nd - 1))
    n = a.shape[d] if nd else 1
    size = data.draw(st.integers(0, n))
    step = data.draw(st.integers(1, 3))
    out = x.unfold(d, size, step)
    if nd == 0:
        check_view(out, root, a.reshape(1)[:size])
        return
    d %= nd
    windows = np.lib.stride_tricks.sliding_window_view(a, size, axis=d)  # every window, step 1
    expected = np.take(windows, range(0, windows.shape[d], step), axis=d)
    check_view(out, root, expected)


@PROPERTY
@given(tensors(min_dims=2), st.data())
def test_diagonal_matches_numpy(case: Any, data: st.DataObject) -> None:
    a, x, root = case
    nd = a.ndim
    d1 = data.draw(st.integers(-nd, nd - 1))
    d2 = data.draw(st.integers(-nd, nd - 1).filter(lambda d: d % nd != d1 % nd))
    offset = data.draw(st.integers(-5, 5))
    expected = np.diagonal(a, offset, d1, d2)
    check_view(x.diagonal(offset, d1, d2), root, expected)
    check_view(ember.diagonal(x, offset=offset, dim1=d1, dim2=d2), root, expected)


@PROPERTY
@given(tensors(max_dims=3), st.data())
def test_broadcast_to_matches_numpy(case: Any, data: st.DataObject) -> None:
    a, x, root = case
    lead = data.draw(st.lists(st.integers(0, 3), max_size=2))
    target = (*lead, *(data.draw(st.integers(0, 3)) if n == 1 else n for n in a.shape))
    expected = np.broadcast_to(a, target)
    check_view(x.broadcast_to(target), root, expected)
    same(ember.broadcast_to(x, target), expected)


@PROPERTY
@given(tensors(), st.data())
def test_transposes_T_mT_H_mH(case: Any, data: st.DataObject) -> None:
    a, x, root = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_view(x.T, root, a.T)
    if a.ndim >= 2:
        expected = np.swapaxes(a, -1, -2)
        check_view(x.mT, root, expected)
        if x.dtype.is_complex:
            same(x.mH, expected.conj())
            same(x.adjoint(), expected.conj())
        else:
            check_view(x.mH, root, expected)
            check_view(x.adjoint(), root, expected)
    if a.ndim == 2:
        same(x.H, a.T.conj())


def test_transpose_deprecation_warnings() -> None:
    with pytest.warns(UserWarning, match="The use of `x.T` on tensors of dimension other than 2"):
        assert ember.zeros(2, 3, 4).T.shape == (4, 3, 2)
    with pytest.warns(UserWarning, match="Tensor.T is deprecated on 0-D tensors"):
        assert ember.tensor(1.0).T.item() == 1.0
    with pytest.warns(UserWarning, match="Tensor.mT is deprecated on 0-D tensors"):
        assert ember.tensor(1.0).mT.item() == 1.0
    with pytest.warns(UserWarning, match=r"Tensor.H is deprecated on 0-D tensors. Consider using x.conj\(\)"):
        assert ember.tensor(1 + 2j).H.item() == 1 - 2j
    with pytest.warns(UserWarning, match="adjoint\\(\\) is deprecated on 0-D tensors"):
        ember.tensor(1.0).adjoint()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ember.zeros(2, 3).T.shape == (3, 2)  # 2-D: no warning


# -- copies, property-based --------------------------------------------------------------------------------

@PROPERTY
@given(tensors(max_dims=3), st.data())
def test_repeat_and_tile_match_numpy_tile(case: Any, data: st.DataObject) -> None:
    a, x, _ = case
    extra = data.draw(st.integers(0, 2))
    reps = tuple(data.draw(st.lists(st.integers(0, 3), min_size=a.ndim + extra, max_size=a.ndim + extra)))
    expected = np.tile(a, reps) if reps else a.copy()
    check_copy(x.repeat(*reps), x, expected)
    check_copy(x.repeat(reps), x, expected)
    short = reps[: data.draw(st.integers(0, len(reps)))]
    check_copy(x.tile(short), x, np.tile(a, short) if short else a.copy())
    same(ember.tile(x, short), np.tile(a, short) if short else a.copy())


@PROPERTY
@given(tensors(max_dims=3), st.data())
def test_repeat_interleave_matches_numpy_repeat(case: Any, data: st.DataObject) -> None:
    a, x, _ = case
    r = data.draw(st.integers(0, 3))
    check_copy(x.repeat_interleave(r), x, np.repeat(a, r))
    same(ember.repeat_interleave(x, r), np.repeat(a, r))
    if a.ndim:
        d = data.draw(st.integers(-a.ndim, a.ndim - 1))
        n = a.shape[d]
        check_copy(x.repeat_interleave(r, dim=d, output_size=n * r), x, np.repeat(a, r, axis=d))
        counts = data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
        dt = data.draw(st.sampled_from([ember.int64, ember.int32]))
        expected = np.repeat(a, counts, axis=d)
        check_copy(x.repeat_interleave(ember.tensor(counts, dtype=dt), d), x, expected)
        same(ember.repeat_interleave(x, ember.tensor(counts, dtype=dt), dim=d, output_size=sum(counts)), expected)
        same(x.repeat_interleave(ember.tensor(r), dim=d), np.repeat(a, r, axis=d))  # a 0-d count for every slice
        idx = ember.repeat_interleave(ember.tensor(counts, dtype=dt))
        assert idx.dtype is dt
        same(idx, np.repeat(np.arange(n), counts).astype(NP[dt]))


@PROPERTY
@given(tensors(), st.data())
def test_flip_matches_numpy(case: Any, data: st.DataObject) -> None:
    a, x, _ = case
    nd = a.ndim
    dims = data.draw(st.lists(st.integers(-nd, nd - 1), max_size=nd, unique_by=lambda d: d % nd)) if nd else []
    expected = np.flip(a, tuple(dims)) if dims else a.copy()
    check_copy(x.flip(dims), x, expected)
    check_copy(ember.flip(x, tuple(dims)), x, expected)
    if dims:
        same(x.flip(*dims), expected)
    if nd >= 1:
        check_copy(x.flipud(), x, np.flipud(a))
    if nd >= 2:
        check_copy(ember.fliplr(x), x, np.fliplr(a))


@PROPERTY
@given(tensors(), st.data())
def test_roll_matches_numpy(case: Any, data: st.DataObject) -> None:
    a, x, _ = case
    nd = a.ndim
    shift = data.draw(st.integers(-9, 9))
    check_copy(x.roll(shift), x, np.roll(a, shift))
    if nd:
        k = data.draw(st.integers(1, 3))
        shifts = data.draw(st.lists(st.integers(-9, 9), min_size=k, max_size=k))
        dims = data.draw(st.lists(st.integers(-nd, nd - 1), min_size=k, max_size=k))
        expected = np.roll(a, shifts, dims)  # repeated dims add up in both
        check_copy(x.roll(shifts, dims), x, expected)
        same(ember.roll(x, tuple(shifts), tuple(dims)), expected)


@PROPERTY
@given(tensors(min_dims=2), st.data())
def test_rot90_matches_numpy(case: Any, data: st.DataObject) -> None:
    a, x, _ = case
    nd = a.ndim
    k = data.draw(st.integers(-5, 5))
    d0 = data.draw(st.integers(-nd, nd - 1))
    d1 = data.draw(st.integers(-nd, nd - 1).filter(lambda d: d % nd != d0 % nd))
    expected = np.rot90(a, k, (d0, d1))
    check_copy(x.rot90(k, (d0, d1)), x, expected)
    same(ember.rot90(x, k, [d0, d1]), expected)
    same(x.rot90(), np.rot90(a))


@PROPERTY
@given(tensors(min_dims=2), st.integers(-5, 5))
def test_tril_triu_match_numpy(case: Any, k: int) -> None:
    a, x, root = case
    check_copy(x.tril(k), x, np.tril(a, k))
    check_copy(ember.triu(x, k), x, np.triu(a, k))
    same(ember.tril(x, diagonal=k), np.tril(a, k))
    if any(s == 0 and n > 1 for n, s in zip(x.shape, x.stride(), strict=True)):
        return  # an expanded tensor cannot be written in place
    for name, fn in (("tril_", np.tril), ("triu_", np.triu)):
        y = x.clone() if x is root else x
        before = root.clone()
        out = getattr(y, name)(k)
        assert out is y
        same(y, fn(a, k))
        root.copy_(before)


@PROPERTY
@given(tensors(min_dims=1, max_dims=2), st.integers(-4, 4))
def test_diag_and_diagflat_match_numpy(case: Any, k: int) -> None:
    a, x, _ = case
    check_copy(x.diag(k), x, np.diag(a, k))
    same(ember.diag(x, k), np.diag(a, k))
    check_copy(x.diagflat(k), x, np.diagflat(a, k))
    same(ember.diagflat(x, offset=k), np.diagflat(a, k))


@PROPERTY
@given(tensors(min_dims=0, max_dims=3), st.data())
def test_diag_embed_puts_the_last_dim_on_a_diagonal(case: Any, data: st.DataObject) -> None:
    a, x, _ = case
    if a.ndim == 0:
        return
    nd = a.ndim + 1
    d1 = data.draw(st.integers(-nd, nd - 1))
    d2 = data.draw(st.integers(-nd, nd - 1).filter(lambda d: d % nd != d1 % nd))
    k = data.draw(st.integers(-3, 3))
    out = x.diag_embed(k, d1, d2)
    n = a.shape[-1] + abs(k)
    batch = a.shape[:-1]
    # Expected: the (batch..., n, n) stack of np.diag matrices, its last two dims moved to d1, d2.
    stacked = np.zeros((*batch, n, n), a.dtype)
    for idx in np.ndindex(*batch):
        stacked[idx] = np.diag(a[idx], k)
    expected = np.moveaxis(stacked, (-2, -1), (d1, d2))
    same(out.diagonal(k, d1, d2), a)  # diagonal() undoes diag_embed()
    assert out.is_contiguous()
    same(ember.diag_embed(x, k, d1, d2), expected)
    check_copy(out, x, expected)


@PROPERTY
@given(tensors(min_dims=2, max_dims=2))
def test_trace_matches_numpy(case: Any) -> None:
    a, x, _ = case
    if x.dtype is ember.bool:
        with raises(NotImplementedError, "trace", "'Bool'"):
            x.trace()
        return
    out = x.trace()
    want = ember.int64 if not (x.dtype.is_floating_point or x.dtype.is_complex) else x.dtype
    assert out.dtype is want and out.shape == ()
    expected = np.trace(a.astype(NP[want]))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-2 if want is ember.float16 else 1e-6)
    assert ember.trace(x).item() == out.item()


# -- errors (types and messages as torch 2.13 gives them) ------------------------------------------------------

x24 = lambda: ember.arange(24.0).reshape(2, 3, 4)  # noqa: E731
m12 = lambda: ember.arange(12).reshape(3, 4)  # noqa: E731

ERRORS: list[tuple[Callable[[], Any], type[BaseException], list[str]]] = [
    (lambda: x24().unflatten(2, (3, 2)), RuntimeError, ["unflatten: Provided sizes [3, 2] don't multiply up to the size of dim 2 (4) in the input tensor"]),
    (lambda: x24().unflatten(2, (0, -1)), RuntimeError, ["Provided sizes [0, -1] don't multiply up to the size of dim 2 (4)"]),
    (lambda: x24().unflatten(2, (-1, -1)), RuntimeError, ["unflatten got an unexpected error", "only one dimension can be inferred"]),
    (lambda: x24().unflatten(2, ()), RuntimeError, ["unflatten: sizes must be non-empty"]),
    (lambda: x24().unflatten(5, (2, 2)), IndexError, ["Dimension out of range (expected to be in range of [-3, 2], but got 5)"]),
    (lambda: x24().unflatten(2, 2), TypeError, ["unflatten(): argument 'sizes' (position 2) must be tuple of ints, not int"]),
    (lambda: x24().unflatten(2, (2.0, 2)), TypeError, ["must be tuple of ints, but found element of type float at pos 0"]),
    (lambda: ember.tensor(1.0).unflatten(0, (1,)), RuntimeError, ["Dimension specified as 0 but tensor has no dimensions"]),
    (lambda: x24().movedim((0, 0), (1, 2)), RuntimeError, ["movedim: repeated dim in `source` ([0, 0])"]),
    (lambda: x24().movedim((0, 1), (1, -2)), RuntimeError, ["movedim: repeated dim in `destination` ([1, -2])"]),
    (lambda: x24().movedim((0, 1), (1,)), RuntimeError, [
        "movedim: Invalid source or destination dims: source ([0, 1] dims) should contain the same number of dims as destination ([1] dims)"
    ]),
    (lambda: x24().movedim(3, 0), IndexError, ["Dimension out of range (expected to be in range of [-3, 2], but got 3)"]),
    (lambda: x24().movedim(0, (1,)), TypeError, ["movedim()"]),
    (lambda: x24().narrow(1, 2, 2), RuntimeError, ["start (2) + length (2) exceeds dimension size (3)."]),
    (lambda: x24().narrow(1, -1, 2), RuntimeError, ["start (2) + length (2) exceeds dimension size (3)."]),
    (lambda: x24().narrow(1, -4, 1), IndexError, ["start out of range (expected to be in range of [-3, 3], but got -4)"]),
    (lambda: x24().narrow(1, 0, -1), RuntimeError, ["narrow(): length must be non-negative."]),
    (lambda: ember.tensor(1.0).narrow(0, 0, 1), RuntimeError, ["narrow() cannot be applied to a 0-dim tensor."]),
    (lambda: x24().narrow(1, ember.tensor([1]), 1), RuntimeError, ["start must be an 0-dim integral Tensor."]),
    (lambda: x24().narrow(1, ember.tensor(1.0), 1), RuntimeError, ["start must be an 0-dim integral Tensor."]),
    (lambda: x24().narrow(1, 1.0, 1), TypeError, ["narrow()", "float"]),
    (lambda: x24().narrow(3, 0, 1), IndexError, ["Dimension out of range (expected to be in range of [-3, 2], but got 3)"]),
    (lambda: x24().tensor_split(0, 1), RuntimeError, ["number of sections must be larger than 0, got 0"]),
    (lambda: ember.tensor(1.0).tensor_split(1), RuntimeError, [
        "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
    ]),
    (lambda: x24().tensor_split(ember.tensor([[1]]), 1), RuntimeError, [
        "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with 2 dims"
    ]),
    (lambda: x24().tensor_split(ember.tensor([1.0]), 1), RuntimeError, [
        "tensor_split expected tensor_indices_or_sections to have dtype of long, but got Float"
    ]),
    (lambda: x24().tensor_split(2.0, 1), TypeError, ["tensor_split()", "float"]),
    (lambda: x24().hsplit(2), RuntimeError, [
        "torch.hsplit attempted to split along dimension 1, but the size of the dimension 3 is not divisible by the split_size 2!"
    ]),
    (lambda: ember.arange(5).hsplit(2), RuntimeError, ["along dimension 0, but the size of the dimension 5 is not divisible by the split_size 2!"]),
    (lambda: m12().hsplit(0), RuntimeError, ["not divisible by the split_size 0!"]),
    (lambda: ember.arange(5).vsplit(1), RuntimeError, [
        "torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with 1 dimensions!"
    ]),
    (lambda: m12().dsplit(1), RuntimeError, ["torch.dsplit requires a tensor with at least 3 dimension, but got a tensor with 2 dimensions!"]),
    (lambda: ember.tensor(1).hsplit(1), RuntimeError, ["torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 dimensions!"]),
    (lambda: x24().unfold(1, 4, 1), RuntimeError, ["maximum size for tensor at dimension 1 is 3 but size is 4"]),
    (lambda: x24().unfold(1, 2, 0), RuntimeError, ["step is 0 but must be > 0"]),
    (lambda: x24().unfold(1, -1, 1), RuntimeError, ["size is -1 but must be >= 0"]),
    (lambda: x24().unfold(3, 1, 1), IndexError, ["Dimension out of range (expected to be in range of [-3, 2], but got 3)"]),
    (lambda: ember.tensor(3.0).unfold(0, 2, 1), RuntimeError, ["maximum size for tensor at dimension 0 is 1 but size is 2"]),
    (lambda: x24().unfold(0, 1.0, 1), TypeError, ["unfold(): argument 'size' (position 2) must be int, not float"]),
    (lambda: x24().diagonal(0, 1, 1), RuntimeError, ["diagonal dimensions cannot be identical 1, 1"]),
    (lambda: x24().diagonal(0, 0, -3), RuntimeError, ["diagonal dimensions cannot be identical 0, -3"]),
    (lambda: x24().diagonal(0, 0, 3), IndexError, ["Dimension out of range (expected to be in range of [-3, 2], but got 3)"]),
    (lambda: ember.arange(5).diagonal(), IndexError, ["Dimension out of range (expected to be in range of [-1, 0], but got 1)"]),
    (lambda: x24().diagonal(1.0), TypeError, ["diagonal(): argument 'offset' (position 1) must be int, not float"]),
    (lambda: x24().broadcast_to((2, 3, 5)), RuntimeError, [
        "The expanded size of the tensor (5) must match the existing size (4) at non-singleton dimension 2.  Target sizes: [2, 3, 5].  Tensor sizes: [2, 3, 4]"
    ]),
    (lambda: ember.zeros(1, 3, 1).squeeze([0, -3]), RuntimeError, ["dim 0 appears multiple times in the list of dims"]),
    (lambda: x24().H, RuntimeError, [
        "tensor.H is only supported on matrices (2-D tensors). Got 3-D tensor. For batches of matrices, consider using tensor.mH"
    ]),
    (lambda: ember.arange(5).H, RuntimeError, ["tensor.H is only supported on matrices (2-D tensors). Got 1-D tensor."]),
    (lambda: ember.arange(5).mH, RuntimeError, ["tensor.mH is only supported on matrices or batches of matrices. Got 1-D tensor."]),
    (lambda: ember.arange(5).mT, RuntimeError, ["tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."]),
    (lambda: ember.arange(5).adjoint(), RuntimeError, ["tensor.adjoint() is only supported on matrices or batches of matrices. Got 1-D tensor."]),
    # copies
    (lambda: x24().repeat(2, 1), RuntimeError, [
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
    ]),
    (lambda: x24().repeat(()), RuntimeError, ["Number of dimensions of repeat dims can not be smaller"]),
    (lambda: x24().repeat(-1, 1, 1), RuntimeError, ["Trying to create tensor with negative dimension -2: [-2, 3, 4]"]),
    (lambda: x24().tile((-1,)), RuntimeError, ["Trying to create tensor with negative dimension -4: [2, 3, -4]"]),
    (lambda: x24().repeat([2.0, 1, 1]), TypeError, ["repeat(): argument 'repeats' (position 1) must be tuple of ints, but found element of type float at pos 0"]),
    (lambda: x24().tile(2.0), TypeError, ["tile(): argument 'dims' (position 1) must be tuple of ints, not float"]),
    (lambda: m12().repeat_interleave(ember.tensor([1, 2]), dim=0), RuntimeError, [
        "repeats must have the same size as input along dim, but got repeats.size(0) = 2 and input.size(0) = 3"
    ]),
    (lambda: m12().repeat_interleave(ember.tensor([1, 2, 3])), RuntimeError, ["repeats.size(0) = 3 and input.size(0) = 12"]),
    (lambda: m12().repeat_interleave(ember.tensor([1, 2, -1]), dim=0), RuntimeError, ["repeats can not be negative"]),
    (lambda: m12().repeat_interleave(-1), RuntimeError, ["Repeats must be non-negative"]),
    (lambda: m12().repeat_interleave(ember.tensor([1.0, 2, 1]), dim=0), NotImplementedError, ["repeat_interleave", "'Float'"]),
    (lambda: m12().repeat_interleave(ember.tensor([1, 2, 1], dtype=ember.int16), dim=0), NotImplementedError, ["'Short'"]),
    (lambda: m12().repeat_interleave(ember.tensor([1, 2, 1]), dim=0, output_size=5), RuntimeError, ["allocated size does not match required size"]),
    (lambda: m12().repeat_interleave(2, dim=0, output_size=7), RuntimeError, ["repeat_interleave: Invalid output_size, expected 6 but got 7"]),
    (lambda: m12().repeat_interleave(ember.tensor([[1, 2, 1]]), dim=0), RuntimeError, ["repeats must be 0-dim or 1-dim tensor"]),
    (lambda: m12().repeat_interleave(2, dim=2), IndexError, ["Dimension out of range (expected to be in range of [-2, 1], but got 2)"]),
    (lambda: m12().repeat_interleave(2.0), TypeError, ["repeat_interleave()", "float"]),
    (lambda: m12().repeat_interleave(True), TypeError, ["repeat_interleave()", "bool"]),
    (lambda: ember.tensor(5.0).repeat_interleave(3, dim=0), IndexError, ["Dimension out of range (expected to be in range of [-1, 0], but got 1)"]),
    (lambda: ember.tensor(5.0).repeat_interleave(ember.tensor([3]), dim=0), IndexError, ["Dimension specified as 0 but tensor has no dimensions"]),
    (lambda: ember.repeat_interleave(ember.tensor([[1, 2, 3]])), RuntimeError, ["repeat_interleave only accept 1D vector as repeat"]),
    (lambda: ember.repeat_interleave(ember.tensor(3)), RuntimeError, ["repeat_interleave only accept 1D vector as repeat"]),
    (lambda: ember.repeat_interleave(ember.tensor([1, 2, 3]), output_size=5), RuntimeError, ["allocated size does not match required size"]),
    (lambda: ember.repeat_interleave(ember.tensor([1, -2])), RuntimeError, ["repeats can not be negative"]),
    (lambda: ember.repeat_interleave(ember.tensor([1.0, 2.0])), NotImplementedError, ["'Float'"]),
    (lambda: x24().flip(0, 0), RuntimeError, ["dim 0 appears multiple times in the list of dims"]),
    (lambda: x24().flip((0, -3)), RuntimeError, ["dim 0 appears multiple times in the list of dims"]),
    (lambda: x24().flip(3), IndexError, ["Dimension out of range (expected to be in range of [-3, 2], but got 3)"]),
    (lambda: x24().flip(0.0), TypeError, ["flip(): argument 'dims' (position 1) must be tuple of ints, not float"]),
    (lambda: x24().flip([0.0]), TypeError, ["flip(): argument 'dims' (position 1) must be tuple of ints, but found element of type float at pos 0"]),
    (lambda: ember.arange(5).fliplr(), RuntimeError, ["Input must be >= 2-d."]),
    (lambda: ember.tensor(1.0).flipud(), RuntimeError, ["Input must be >= 1-d."]),
    (lambda: x24().roll((1, 2), 0), RuntimeError, ["shifts and dimensions must align. shifts: 2, dims:1"]),
    (lambda: x24().roll(1, (0, 1)), RuntimeError, ["shifts and dimensions must align. shifts: 1, dims:2"]),
    (lambda: x24().roll((1, 2)), RuntimeError, ["shifts and dimensions must align. shifts: 2, dims:0"]),
    (lambda: x24().roll((), ()), RuntimeError, ["`shifts` required"]),
    (lambda: x24().roll(1, 3), IndexError, ["Dimension out of range (expected to be in range of [-3, 2], but got 3)"]),
    (lambda: ember.tensor(1.0).roll(1, 0), IndexError, ["Dimension specified as 0 but tensor has no dimensions"]),
    (lambda: x24().roll(1.5), TypeError, ["roll(): argument 'shifts' (position 1) must be tuple of ints, not float"]),
    (lambda: x24().roll(1, 0.0), TypeError, ["roll(): argument 'dims' (position 2) must be tuple of ints, not float"]),
    (lambda: x24().rot90(1, (0, 0)), RuntimeError, ["expected rotation dims to be different, but got dim0 = 0 and dim1 = 0"]),
    (lambda: x24().rot90(1, (0, -3)), RuntimeError, ["expected rotation dims to be different, but got dim0 = 0 and dim1 = -3"]),
    (lambda: x24().rot90(1, (0,)), RuntimeError, ["expected total rotation dims == 2, but got dims = 1"]),
    (lambda: x24().rot90(1, (0, 3)), IndexError, ["Dimension out of range (expected to be in range of [-3, 2], but got 3)"]),
    (lambda: ember.arange(5).rot90(), RuntimeError, ["expected total dims >= 2, but got total dims = 1"]),
    (lambda: ember.arange(5).tril(), RuntimeError, ["tril: input tensor must have at least 2 dimensions"]),
    (lambda: ember.arange(5).triu_(), RuntimeError, ["triu: input tensor must have at least 2 dimensions"]),
    (lambda: x24().tril(1.0), TypeError, ["tril(): argument 'diagonal' (position 1) must be int, not float"]),
    (lambda: m12().tril(True), TypeError, ["tril(): argument 'diagonal' (position 1) must be int, not bool"]),
    (lambda: x24().diag(), RuntimeError, ["diag(): Supports 1D or 2D tensors. Got 3D"]),
    (lambda: ember.tensor(1.0).diag(), RuntimeError, ["diag(): Supports 1D or 2D tensors. Got 0D"]),
    (lambda: m12().diag(1.5), TypeError, ["diag(): argument 'diagonal' (position 1) must be int, not float"]),
    (lambda: m12().diag_embed(0, 0, 0), RuntimeError, ["diagonal dimensions cannot be identical 0, 0"]),
    (lambda: m12().diag_embed(0, 0, 3), IndexError, ["Dimension out of range (expected to be in range of [-3, 2], but got 3)"]),
    (lambda: ember.tensor(1.0).diag_embed(), IndexError, ["Dimension out of range (expected to be in range of [-1, 0], but got -2)"]),
    (lambda: ember.arange(5).trace(), RuntimeError, ["trace: expected a matrix, but got tensor with dim 1"]),
    (lambda: x24().trace(), RuntimeError, ["trace: expected a matrix, but got tensor with dim 3"]),
    (lambda: ember.tensor([[True]]).trace(), NotImplementedError, ["trace", "'Bool'"]),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case: int) -> None:
    call, exc, fragments = ERRORS[case]
    with raises(exc, *fragments):
        call()


def test_failed_inplace_triangle_leaves_the_tensor_unchanged() -> None:
    base = ember.ones(3)
    e = base.expand(3, 3)
    with raises(RuntimeError, "more than one element of the written-to tensor refers to a single memory location"):
        e.triu_()
    assert base.tolist() == [1.0, 1.0, 1.0]
    m = ember.arange(6.0).reshape(2, 3)
    m.t().tril_()  # a transposed view writes through to its base
    assert m.tolist() == [[0.0, 1.0, 2.0], [0.0, 4.0, 5.0]]


def test_small_examples_from_the_docs() -> None:
    assert ember.tensor([[1, 2], [3, 4]]).rot90().tolist() == [[2, 4], [1, 3]]
    assert ember.arange(4).roll(1).tolist() == [3, 0, 1, 2]
    assert ember.tensor([1, 2]).repeat(2, 2).tolist() == [[1, 2, 1, 2], [1, 2, 1, 2]]
    assert ember.tensor([[1, 2]]).tile(2).tolist() == [[1, 2, 1, 2]]
    assert ember.arange(5).unfold(0, 2, 2).tolist() == [[0, 1], [2, 3]]
    assert [t.tolist() for t in ember.arange(5).tensor_split(2)] == [[0, 1, 2], [3, 4]]
    r = ember.tensor([[1, 2], [3, 4]]).rot90()
    assert r.stride() == (1, 2)  # torch flips, then swaps the dims: a transposed layout
    assert ember.tensor([[1, 2], [3, 4]]).trace().dtype is ember.int64


def test_ops_work_on_a_backend_without_strided_views() -> None:
    """The non-strided paths (copying views, flips by take) give the same values."""
    bk = STRICT
    a = np.arange(24.0).reshape(2, 3, 4)
    t = on_strict(a)
    cases: list[tuple[Callable[[Any], Any], np.ndarray]] = [
        (lambda x: x.flip(0, 2), np.flip(a, (0, 2))),
        (lambda x: x.unflatten(2, (2, 2)), a.reshape(2, 3, 2, 2)),
        (lambda x: x.diagonal(1, 1, 2), np.diagonal(a, 1, 1, 2)),
        (lambda x: x.unfold(2, 2, 1), np.lib.stride_tricks.sliding_window_view(a, 2, axis=2)),
        (lambda x: x.repeat(2, 1, 1, 2), np.tile(a, (2, 1, 1, 2))),
        (lambda x: x.roll((1, -1), (0, 2)), np.roll(a, (1, -1), (0, 2))),
        (lambda x: x.tril(1), np.tril(a, 1)),
        (lambda x: x.rot90(), np.rot90(a)),
        (lambda x: x.repeat_interleave(2, 1), np.repeat(a, 2, 1)),
        (lambda x: x[0].diag_embed(1, 0, 2), np.moveaxis(np.stack([np.diag(r, 1) for r in a[0]]), 0, 1)),
        (lambda x: x[0].trace(), np.array(np.trace(a[0]))),
        (lambda x: x.narrow(1, 1, 2), a[:, 1:3]),
        (lambda x: x.movedim(0, 2), np.moveaxis(a, 0, 2)),
    ]
    for fn, expected in cases:
        np.testing.assert_array_equal(np.asarray(bk.to_numpy(fn(t)._data)), expected)
