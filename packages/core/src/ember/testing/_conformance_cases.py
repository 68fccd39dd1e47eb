"""The required-tier cases of the conformance kit: every kernel against NumPy.

One function per kernel (or one table row per elementwise kernel) builds inputs
with the backend under test, calls the kernel, and compares with what NumPy
computes from the same values. :mod:`ember.testing.conformance` turns each
``(kernel, dtype)`` pair into one pytest test; the layouts (0-d, empty,
non-contiguous) are looped over inside it and named in any failure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ember import _dtypes as D
from ember._dtypes import dtype

__all__ = ["Checker", "KERNEL_CASES", "UNARY_SPECS", "BINARY_SPECS", "dtypes_for"]

# -- what each elementwise kernel accepts ----------------------------------------------------------
# Kinds: b bool, i integer, f floating, c complex. Domains keep inputs where NumPy and the
# backend agree on finite answers (NaN/inf handling is checked separately, on floats).
UNARY_SPECS: dict[str, tuple[str, str]] = {
    "abs": ("ifc", "any"), "negative": ("ifc", "any"), "sign": ("if", "any"),
    "exp": ("fc", "small"), "expm1": ("fc", "small"), "log": ("fc", "pos"), "log1p": ("fc", "pos"),
    "log2": ("fc", "pos"), "log10": ("fc", "pos"), "sqrt": ("fc", "pos"), "square": ("ifc", "any"),
    "sin": ("fc", "any"), "cos": ("fc", "any"), "tan": ("fc", "unit"), "asin": ("fc", "unit"),
    "acos": ("fc", "unit"), "atan": ("fc", "any"), "sinh": ("fc", "small"), "cosh": ("fc", "small"),
    "tanh": ("fc", "any"), "asinh": ("fc", "any"), "acosh": ("fc", "ge1"), "atanh": ("fc", "open_unit"),
    "floor": ("if", "any"), "ceil": ("if", "any"), "round": ("if", "halves"), "trunc": ("if", "any"),
    "logical_not": ("b", "any"), "bitwise_invert": ("bi", "any"), "isnan": ("fc", "special"),
    "isinf": ("fc", "special"), "isfinite": ("fc", "special"), "real": ("c", "any"),
    "imag": ("c", "any"), "conj": ("c", "any"),
}
# (kinds, domain of the second operand)
BINARY_SPECS: dict[str, tuple[str, str]] = {
    "add": ("ifc", "any"), "subtract": ("ifc", "any"), "multiply": ("ifc", "any"),
    "divide": ("fc", "nonzero"), "floor_divide": ("if", "nonzero"), "remainder": ("if", "nonzero"),
    "pow": ("ifc", "exponent"), "maximum": ("if", "any"), "minimum": ("if", "any"),
    "atan2": ("f", "any"), "equal": ("bifc", "any"), "not_equal": ("bifc", "any"),
    "less": ("bif", "any"), "less_equal": ("bif", "any"), "greater": ("bif", "any"),
    "greater_equal": ("bif", "any"), "logical_and": ("b", "any"), "logical_or": ("b", "any"),
    "logical_xor": ("b", "any"), "bitwise_and": ("bi", "any"), "bitwise_or": ("bi", "any"),
    "bitwise_xor": ("bi", "any"), "bitwise_left_shift": ("i", "shift"),
    "bitwise_right_shift": ("i", "shift"),
}
_KIND = {D.BOOL: "b", D.INTEGRAL: "i", D.FLOATING: "f", D.COMPLEX: "c"}
_BOOL_OUT = {"isnan", "isinf", "isfinite", "logical_not", "equal", "not_equal", "less", "less_equal",
             "greater", "greater_equal", "logical_and", "logical_or", "logical_xor"}

# Shapes every case runs on: 0-d, empty, and ordinary ones.
SHAPES: tuple[tuple[int, ...], ...] = ((), (0,), (5,), (2, 3), (2, 0, 3), (3, 1, 4))
BROADCAST_PAIRS = (((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((0, 3), (1, 3)))


def np_dtype(dt: dtype) -> np.dtype[Any]:
    """The NumPy dtype that holds reference values for ``dt`` (float32 for bfloat16)."""
    return np.dtype("float32" if dt is D.bfloat16 else dt.name)


class Checker:
    """Builds inputs on one backend and compares its results with NumPy's."""

    def __init__(self, bk: Any, tolerance: Callable[[str, dtype], tuple[float, float]]) -> None:
        self.bk = bk
        self.index = 0 if bk.indexed else None
        self.tolerance = tolerance
        self.rng = np.random.default_rng(0)

    # -- inputs ------------------------------------------------------------------------------------
    def values(self, dt: dtype, shape: tuple[int, ...], domain: str = "any") -> np.ndarray:
        """Reference values of ``dt`` in ``shape``, drawn for ``domain``."""
        rng, n = self.rng, math.prod(shape)
        kind = _KIND[dt.category]
        if kind == "b":
            return rng.random(shape) < 0.5
        if kind == "i":
            info = np.iinfo(np_dtype(dt))
            lo, hi = {"nonzero": (1, 6), "exponent": (0, 4), "pos": (1, 9)}.get(domain, (-9, 10))
            if domain == "shift":
                lo, hi = 0, info.bits - 1
            return rng.integers(max(lo, info.min), min(hi, info.max), size=shape).astype(np_dtype(dt))
        real = {
            "pos": lambda: rng.uniform(0.1, 4.0, n), "unit": lambda: rng.uniform(-0.9, 0.9, n),
            "open_unit": lambda: rng.uniform(-0.9, 0.9, n), "ge1": lambda: rng.uniform(1.0, 4.0, n),
            "small": lambda: rng.uniform(-2.0, 2.0, n), "exponent": lambda: rng.uniform(-2.0, 2.0, n),
            "halves": lambda: rng.integers(-6, 6, n) + rng.choice([0.5, 0.25, 0.0], n),
            "nonzero": lambda: rng.choice([-1, 1], n) * rng.uniform(0.5, 4.0, n),
        }.get(domain, lambda: rng.uniform(-4.0, 4.0, n))
        out = real()
        if domain == "special" and n:
            out[:: 3] = np.array([np.nan, np.inf, -np.inf])[np.arange(len(out[::3])) % 3]
        if kind == "c":
            out = out + 1j * real()
        return out.reshape(shape).astype(np_dtype(dt))

    def make(self, ref: np.ndarray, dt: dtype, layout: str = "contiguous") -> Any:
        """``ref`` as a backend array of ``dt``, laid out as ``layout`` (same values in every layout)."""
        bk = self.bk
        if layout == "transposed" and ref.ndim >= 2:
            return bk.permute_dims(bk.asarray(np.ascontiguousarray(ref.T), dt, self.index, None),
                                   tuple(range(ref.ndim))[::-1])
        if layout == "stepped" and ref.ndim >= 1:
            wide = np.repeat(ref, 2, axis=-1)
            return bk.getitem(bk.asarray(wide, dt, self.index, None), (*([slice(None)] * (ref.ndim - 1)), slice(0, None, 2)))
        return bk.asarray(ref, dt, self.index, None)

    def layouts(self, shape: tuple[int, ...]) -> tuple[str, ...]:
        # Non-contiguous inputs are built on every backend; on one without strided views they are copies.
        return ("contiguous", "stepped", "transposed")[: 1 + min(len(shape), 2)]

    # -- results -----------------------------------------------------------------------------------
    def host(self, x: Any) -> np.ndarray:
        """A backend array's values as NumPy (bfloat16 through float32)."""
        bk = self.bk
        if bk.ember_dtype(x.dtype) is D.bfloat16:
            x = bk.astype(x, D.float32)
        return np.asarray(bk.to_numpy(x))

    def check(self, got: Any, want: np.ndarray, kernel: str, where: str, dt: dtype | None = None) -> None:
        """``got`` (backend array) has ``want``'s shape, dtype and values within tolerance."""
        bk = self.bk
        want = np.asarray(want)
        got_dt = bk.ember_dtype(got.dtype)
        want_dt = dt if dt is not None else _ember(want.dtype)
        if got_dt is not want_dt:
            raise AssertionError(f"{kernel} ({where}): result dtype {got_dt}, expected {want_dt}")
        host = self.host(got)
        if host.shape != want.shape:
            raise AssertionError(f"{kernel} ({where}): result shape {host.shape}, expected {want.shape}")
        if want_dt.category in (D.BOOL, D.INTEGRAL):
            if not np.array_equal(host, want):
                raise AssertionError(f"{kernel} ({where}): values differ\n got: {host}\nwant: {want}")
            return
        rtol, atol = self.tolerance(kernel, want_dt)
        try:
            np.testing.assert_allclose(host, want.astype(host.dtype), rtol=rtol, atol=atol, equal_nan=True)
        except AssertionError as exc:
            raise AssertionError(f"{kernel} ({where}) on {want_dt}, rtol={rtol}, atol={atol}: {exc}") from None


def _ember(npdt: np.dtype[Any]) -> dtype:
    return {dt.name: dt for dt in D.ALL_DTYPES}[np.dtype(npdt).name]


def dtypes_for(kernel: str, declared: frozenset[dtype]) -> list[dtype]:
    """The declared dtypes a kernel's cases run on (``None`` entries: dtype-free kernels)."""
    order = [dt for dt in D.ALL_DTYPES if dt in declared]
    if kernel in UNARY_SPECS or kernel in BINARY_SPECS:
        kinds = (UNARY_SPECS.get(kernel) or BINARY_SPECS[kernel])[0]
        return [dt for dt in order if _KIND[dt.category] in kinds]
    kinds = _DTYPE_KINDS.get(kernel, "bifc")
    if kinds == "":
        return []
    if kernel.startswith("linalg_"):
        order = [dt for dt in order if dt in _LINALG_DTYPES]
    return [dt for dt in order if _KIND[dt.category] in kinds]


# -- elementwise -------------------------------------------------------------------------------------

def _unary(kernel: str) -> Callable[[Checker, dtype], None]:
    domain = UNARY_SPECS[kernel][1]
    ref_fn = getattr(np, kernel)

    def case(c: Checker, dt: dtype) -> None:
        for shape in SHAPES:
            ref = c.values(dt, shape, domain)
            want = np.asarray(ref_fn(ref.astype(np.float32) if dt is D.bfloat16 else ref))
            want_dt = D.bool_ if kernel in _BOOL_OUT else (dt.to_real() if kernel in ("abs", "real", "imag") and dt.category == D.COMPLEX else dt)
            for layout in c.layouts(shape):
                got = getattr(c.bk, kernel)(c.make(ref, dt, layout))
                c.check(got, want, kernel, f"shape {shape}, {layout}", want_dt)

    return case


def _binary(kernel: str) -> Callable[[Checker, dtype], None]:
    domain = BINARY_SPECS[kernel][1]
    ref_fn = getattr(np, kernel)

    def case(c: Checker, dt: dtype) -> None:
        want_dt = D.bool_ if kernel in _BOOL_OUT else dt
        base_domain = "pos" if kernel == "pow" and dt.category == D.FLOATING else "any"
        pairs = [(s, s) for s in SHAPES] + list(BROADCAST_PAIRS)
        for sa, sb in pairs:
            a, b = c.values(dt, sa, base_domain), c.values(dt, sb, domain)
            want = np.asarray(ref_fn(a, b))
            for layout in c.layouts(sa):
                got = getattr(c.bk, kernel)(c.make(a, dt, layout), c.make(b, dt, layout if sb == sa else "contiguous"))
                c.check(got, want.astype(np_dtype(want_dt)), kernel, f"shapes {sa} and {sb}, {layout}", want_dt)
        # One operand a Python scalar of the array's kind.
        a = c.values(dt, (2, 3), base_domain)
        scalar = c.values(dt, (), domain).item()
        got = getattr(c.bk, kernel)(c.make(a, dt), scalar)
        c.check(got, np.asarray(ref_fn(a, np.asarray(scalar, dtype=a.dtype))).astype(np_dtype(want_dt)),
                kernel, "array and Python scalar", want_dt)

    return case


def _elementwise_cases() -> dict[str, Callable[[Checker, dtype], None]]:
    cases = {k: _unary(k) for k in UNARY_SPECS}
    cases.update({k: _binary(k) for k in BINARY_SPECS})
    return cases


# -- everything else: one function per kernel ----------------------------------------------------------
# Each takes (checker, dtype) — dtype is None for kernels whose cases are not per dtype.

def _shapes_and_layouts(c: Checker, dt: dtype, domain: str = "any") -> Iterator[tuple[np.ndarray, Any, str]]:
    for shape in SHAPES:
        ref = c.values(dt, shape, domain)
        for layout in c.layouts(shape):
            yield ref, c.make(ref, dt, layout), f"shape {shape}, {layout}"


def _device_count(c: Checker, dt: Any) -> None:
    n = c.bk.device_count()
    if not isinstance(n, int) or n < 1:
        raise AssertionError(f"device_count(): expected an int >= 1, got {n!r}")


def _native_dtype(c: Checker, dt: dtype) -> None:
    if c.bk.native_dtype(dt) is None:
        raise AssertionError(f"native_dtype({dt}) is None")
    made = c.bk.asarray([0, 1], dt, c.index, None)
    if c.bk.ember_dtype(made.dtype) is not dt:
        raise AssertionError(f"asarray(..., {dt}) made an array whose dtype maps to {c.bk.ember_dtype(made.dtype)}")


def _ember_dtype(c: Checker, dt: Any) -> None:
    try:
        c.bk.ember_dtype(object())
    except TypeError:
        return
    raise AssertionError("ember_dtype(object()) must raise TypeError for a native dtype with no Ember dtype")


def _asarray(c: Checker, dt: dtype) -> None:
    for shape in SHAPES:
        ref = c.values(dt, shape)
        c.check(c.bk.asarray(ref, dt, c.index, None), ref, "asarray", f"NumPy input {shape}", dt)
        if ref.size or ref.ndim < 2:  # nested lists cannot spell (2, 0, 3)
            c.check(c.bk.asarray(ref.tolist(), dt, c.index, None), ref, "asarray", f"nested lists {shape}", dt)
        src = ref.copy()
        got = c.bk.asarray(src, dt, c.index, True)
        if src.size:
            src.reshape(-1)[0] = src.reshape(-1)[-1] if src.size > 1 and src.reshape(-1)[0] != src.reshape(-1)[-1] else (not src.reshape(-1)[0] if dt is D.bool_ else src.reshape(-1)[0] + 1)
        c.check(got, ref, "asarray", f"copy=True is independent of its source, {shape}", dt)
    scalar = c.values(dt, ()).item()
    c.check(c.bk.asarray(scalar, dt, c.index, None), np.asarray(scalar, np_dtype(dt)), "asarray", "Python scalar", dt)


def _from_numpy(c: Checker, dt: dtype) -> None:
    if dt is D.bfloat16:
        return
    for shape in SHAPES:
        ref = c.values(dt, shape)
        c.check(c.bk.from_numpy(ref, c.index), ref, "from_numpy", f"shape {shape}", dt)


def _from_dlpack(c: Checker, dt: dtype) -> None:
    for ref, x, where in _shapes_and_layouts(c, dt):
        if where.endswith("contiguous"):
            c.check(c.bk.from_dlpack(x, c.index), ref, "from_dlpack", where, dt)


def _to_numpy(c: Checker, dt: dtype) -> None:
    if dt is D.bfloat16:
        return
    for ref, x, where in _shapes_and_layouts(c, dt):
        got = np.asarray(c.bk.to_numpy(x))
        if got.shape != ref.shape or not np.array_equal(got, ref, equal_nan=dt.category != D.BOOL and dt.category != D.INTEGRAL):
            raise AssertionError(f"to_numpy ({where}): got {got!r}, expected {ref!r}")


def _empty(c: Checker, dt: dtype) -> None:
    for shape in SHAPES:
        got = c.bk.empty(shape, dt, c.index)
        if tuple(got.shape) != shape or c.bk.ember_dtype(got.dtype) is not dt:
            raise AssertionError(f"empty({shape}, {dt}) gave shape {tuple(got.shape)}, dtype {got.dtype}")


def _full(c: Checker, dt: dtype) -> None:
    for shape in SHAPES:
        value = c.values(dt, ()).item()
        c.check(c.bk.full(shape, value, dt, c.index), np.full(shape, value, np_dtype(dt)), "full", f"{value!r}, {shape}", dt)


def _arange(c: Checker, dt: dtype) -> None:
    cases: list[tuple[float, float, float]] = [(0, 5, 1), (2, 11, 3), (5, 0, -1), (3, 3, 1)]
    if dt.category == D.FLOATING:
        cases += [(0.0, 1.0, 0.25), (1.5, -1.0, -0.5)]
    for start, stop, step in cases:
        want = np.arange(start, stop, step).astype(np_dtype(dt))
        c.check(c.bk.arange(start, stop, step, dt, c.index), want, "arange", f"({start}, {stop}, {step})", dt)


def _linspace(c: Checker, dt: dtype) -> None:
    for start, stop, num in [(0.0, 1.0, 5), (-2.0, 3.0, 1), (1.0, 1.0, 0), (5.0, -5.0, 11)]:
        want = np.linspace(start, stop, num).astype(np_dtype(dt))
        c.check(c.bk.linspace(start, stop, num, dt, c.index), want, "linspace", f"({start}, {stop}, {num})", dt)


def _eye(c: Checker, dt: dtype) -> None:
    for n, m in [(3, 3), (2, 4), (4, 2), (0, 3), (1, 1)]:
        c.check(c.bk.eye(n, m, dt, c.index), np.eye(n, m, dtype=np_dtype(dt)), "eye", f"({n}, {m})", dt)


def _astype(c: Checker, dt: dtype) -> None:
    # Values every dtype holds exactly: 0..5 (0/1 for bool), so each cast is well defined.
    for target in sorted(c.bk.dtypes, key=D.ALL_DTYPES.index):
        ref = (np.arange(6).reshape(2, 3) % (2 if D.bool_ in (dt, target) else 6)).astype(np_dtype(dt))
        for layout in ("contiguous", "transposed"):
            got = c.bk.astype(c.make(ref, dt, layout), target)
            c.check(got, ref.astype(np_dtype(target)), "astype", f"{dt} to {target}, {layout}", target)
    if dt.category == D.FLOATING:  # float to int truncates towards zero
        ref = np.array([-2.7, -0.5, 0.5, 2.7], dtype=np_dtype(dt))
        for target in (t for t in c.bk.dtypes if t.category == D.INTEGRAL and t.is_signed):
            c.check(c.bk.astype(c.make(ref, dt), target), ref.astype(np_dtype(target)), "astype", f"truncation to {target}", target)


def _copy(c: Checker, dt: dtype) -> None:
    bk = c.bk
    for ref, x, where in _shapes_and_layouts(c, dt):
        got = bk.copy(x)
        c.check(got, ref, "copy", where, dt)
        if bk.strided_views and ref.size:
            if bk.data_ptr(got) == bk.data_ptr(x):
                raise AssertionError(f"copy ({where}): the copy shares memory with its input")
            want = tuple(int(s) // ref.itemsize for s in np.empty(ref.shape, ref.dtype).strides)
            if any(n > 1 for n in ref.shape) and _squeeze_strides(bk.strides(got), ref.shape) != _squeeze_strides(want, ref.shape):
                raise AssertionError(f"copy ({where}): strides {bk.strides(got)} are not C-contiguous ({want})")


def _squeeze_strides(strides: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(s for s, n in zip(strides, shape, strict=True) if n > 1)


def _copy_into(c: Checker, dt: dtype) -> None:
    bk = c.bk
    for shape in SHAPES:
        ref = c.values(dt, shape)
        dst = bk.full(shape, 0, dt, c.index)
        bk.copy_into(dst, c.make(ref, dt))
        c.check(dst, ref, "copy_into", f"same shape {shape}", dt)
        scalar = c.values(dt, ()).item()
        bk.copy_into(dst, scalar)
        c.check(dst, np.full(shape, scalar, np_dtype(dt)), "copy_into", f"Python scalar into {shape}", dt)
    row = c.values(dt, (3,))
    dst = bk.full((2, 3), 0, dt, c.index)
    bk.copy_into(dst, c.make(row, dt))
    c.check(dst, np.broadcast_to(row, (2, 3)), "copy_into", "broadcast (3,) into (2, 3)", dt)
    other = D.int32 if dt is not D.int32 and D.int32 in bk.dtypes else D.int64
    small = np.arange(6).reshape(2, 3) % 2
    dst = bk.full((2, 3), 0, dt, c.index)
    bk.copy_into(dst, bk.asarray(small, other, c.index, None))
    c.check(dst, small.astype(np_dtype(dt)), "copy_into", f"cast from {other}", dt)


def _item(c: Checker, dt: dtype) -> None:
    for shape in ((), (1,), (1, 1)):
        ref = c.values(dt, shape)
        got = c.bk.item(c.make(ref, dt))
        want = ref.item()
        differs = type(got) is not type(want) or not (got == want or (got != got and want != want))
        if differs and dt is not D.bfloat16:
            raise AssertionError(f"item(): got {got!r} ({type(got).__name__}), expected {want!r}")


def _tolist(c: Checker, dt: dtype) -> None:
    if dt is D.bfloat16:
        return
    for ref, x, where in _shapes_and_layouts(c, dt):
        got, want = c.bk.tolist(x), ref.tolist()
        if got != want or type(got) is not type(want):
            raise AssertionError(f"tolist ({where}): got {got!r}, expected {want!r}")


def _layout(c: Checker, dt: dtype) -> None:
    """strides, storage_offset and data_ptr of views agree with NumPy's for the same views."""
    bk = c.bk
    base_ref = np.arange(60).reshape(3, 4, 5).astype(np_dtype(dt))
    base = bk.asarray(base_ref, dt, c.index, None)
    item = base_ref.itemsize
    views = [
        ("base", base, base_ref, 0),
        ("getitem [1:, ::2, 1]", bk.getitem(base, (slice(1, None), slice(0, None, 2), 1)), base_ref[1:, ::2, 1], 21),
        ("permute_dims (2, 0, 1)", bk.permute_dims(base, (2, 0, 1)), base_ref.transpose(2, 0, 1), 0),
        ("getitem [2]", bk.getitem(base, (2,)), base_ref[2], 40),
    ]
    for where, view, ref, offset in views:
        want = tuple(s // item for s in ref.strides)
        if tuple(bk.strides(view)) != want:
            raise AssertionError(f"strides ({where}): got {tuple(bk.strides(view))}, expected {want}")
        if bk.storage_offset(view) != offset:
            raise AssertionError(f"storage_offset ({where}): got {bk.storage_offset(view)}, expected {offset}")
        if bk.data_ptr(view) - bk.data_ptr(base) != offset * item:
            raise AssertionError(f"data_ptr ({where}): {bk.data_ptr(view) - bk.data_ptr(base)} bytes from the base, expected {offset * item}")


def _where(c: Checker, dt: dtype) -> None:
    for sc, sa, sb in [((2, 3), (2, 3), (2, 3)), ((2, 1), (3,), ()), ((), (2,), (2,)), ((0, 2), (2,), (1, 2))]:
        cond, a, b = c.values(D.bool_, sc), c.values(dt, sa), c.values(dt, sb)
        got = c.bk.where(c.make(cond, D.bool_), c.make(a, dt), c.make(b, dt))
        c.check(got, np.where(cond, a, b), "where", f"shapes {sc}, {sa}, {sb}", dt)


def _clip(c: Checker, dt: dtype) -> None:
    for ref, x, where in _shapes_and_layouts(c, dt):
        lo, hi = (False, True) if dt.category == D.BOOL else (1, 3) if not dt.is_signed else (-2, 3)
        for low, high in [(lo, hi), (lo, None), (None, hi), (hi, lo)]:
            want = ref
            if low is not None:
                want = np.maximum(want, np.asarray(low, ref.dtype))
            if high is not None:
                want = np.minimum(want, np.asarray(high, ref.dtype))
            c.check(c.bk.clip(x, low, high), want, "clip", f"{where}, bounds ({low}, {high})", dt)
    x_ref, lo_ref, hi_ref = c.values(dt, (2, 3)), c.values(dt, (3,)), c.values(dt, (2, 1))
    got = c.bk.clip(c.make(x_ref, dt), c.make(lo_ref, dt), c.make(hi_ref, dt))
    c.check(got, np.minimum(np.maximum(x_ref, lo_ref), hi_ref), "clip", "array bounds that broadcast", dt)


_AXES: tuple[tuple[tuple[int, ...], Any], ...] = (
    ((), None), ((5,), None), ((5,), 0), ((2, 3), 1), ((2, 3), (0, 1)), ((3, 1, 4), (0, 2)),
    ((2, 0, 3), 1), ((2, 0, 3), 2), ((0,), None),
)


def _reduction(kernel: str) -> Callable[[Checker, dtype], None]:
    def case(c: Checker, dt: dtype) -> None:
        for shape, axis in _AXES:
            ref = c.values(dt, shape)
            reduced = math.prod(shape) if axis is None else math.prod(shape[a] for a in (axis if isinstance(axis, tuple) else (axis,)))
            if kernel in ("max", "min", "argmax", "argmin") and (reduced == 0 or (kernel.startswith("arg") and isinstance(axis, tuple))):
                continue
            for keepdims in (False, True):
                if kernel.startswith("arg") and keepdims and axis is None:
                    continue
                for layout in c.layouts(shape):
                    x = c.make(ref, dt, layout)
                    where = f"shape {shape}, axis {axis}, keepdims {keepdims}, {layout}"
                    if kernel in ("sum", "prod"):
                        acc = D.float64 if dt.category == D.FLOATING else D.int64 if dt.category != D.COMPLEX else dt
                        acc = acc if acc in c.bk.dtypes else dt
                        want = getattr(np, kernel)(ref, axis=axis, keepdims=keepdims, dtype=np_dtype(acc))
                        c.check(getattr(c.bk, kernel)(x, axis, keepdims, acc), np.asarray(want), kernel, where, acc)
                        if dt is not D.bool_:  # core sums bool into int64, never into bool
                            want = getattr(np, kernel)(ref, axis=axis, keepdims=keepdims, dtype=np_dtype(dt))
                            c.check(getattr(c.bk, kernel)(x, axis, keepdims, dt), np.asarray(want), kernel, where, dt)
                    else:
                        want = np.asarray(getattr(np, kernel)(ref, axis=axis, keepdims=keepdims))
                        want_dt = D.int64 if kernel.startswith("arg") else D.bool_ if kernel in ("all", "any") else dt
                        c.check(getattr(c.bk, kernel)(x, axis, keepdims), want.astype(np_dtype(want_dt)), kernel, where, want_dt)
        if dt.category == D.FLOATING and kernel in ("max", "min", "argmax", "argmin"):
            ref = np.array([[1.0, np.nan, 3.0], [2.0, 5.0, np.nan]], dtype=np_dtype(dt))
            want = np.asarray(getattr(np, kernel)(ref, axis=1))
            want_dt = D.int64 if kernel.startswith("arg") else dt
            c.check(getattr(c.bk, kernel)(c.make(ref, dt), 1, False), want.astype(np_dtype(want_dt)), kernel, "NaN propagates", want_dt)

    return case


def _scan(kernel: str) -> Callable[[Checker, dtype], None]:
    np_fn = np.cumsum if kernel == "cumulative_sum" else np.cumprod

    def case(c: Checker, dt: dtype) -> None:
        for shape in SHAPES:
            if not shape:
                continue
            ref = c.values(dt, shape, "small")
            for axis in range(len(shape)):
                for layout in c.layouts(shape):
                    got = getattr(c.bk, kernel)(c.make(ref, dt, layout), axis, dt)
                    c.check(got, np_fn(ref, axis=axis).astype(np_dtype(dt)), kernel, f"shape {shape}, axis {axis}, {layout}", dt)

    return case


def _sort_reference(ref: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable order with NaN largest (last ascending, first descending), ties by position."""
    if not descending:
        return np.argsort(ref, axis=axis, kind="stable")
    if ref.dtype == np.bool_ or ref.dtype.kind in "iu":
        key = ~ref
    else:
        nan = np.isnan(ref)
        key = np.where(nan, -np.inf, -np.nan_to_num(ref, nan=0.0, posinf=np.inf, neginf=-np.inf))
        order = np.argsort(key, axis=axis, kind="stable")
        return np.take_along_axis(order, np.argsort(~np.take_along_axis(nan, order, axis), axis=axis, kind="stable"), axis)
    return np.argsort(key, axis=axis, kind="stable")


def _sort_cases(kernel: str) -> Callable[[Checker, dtype], None]:
    def case(c: Checker, dt: dtype) -> None:
        for shape in [s for s in SHAPES if s]:
            ref = c.values(dt, shape)
            if dt.category in (D.INTEGRAL, D.FLOATING):
                ref = (ref // 2).astype(ref.dtype)  # ties, to see stability
            if dt.category == D.FLOATING and ref.size > 2:
                ref.reshape(-1)[1] = np.nan
            for axis in range(len(shape)):
                for descending in (False, True):
                    order = _sort_reference(ref, axis, descending)
                    for layout in c.layouts(shape):
                        x = c.make(ref, dt, layout)
                        where = f"shape {shape}, axis {axis}, descending {descending}, {layout}"
                        if kernel == "argsort":
                            c.check(c.bk.argsort(x, axis, descending, True), order, kernel, where + ", stable", D.int64)
                            got = c.host(c.bk.argsort(x, axis, descending, False))
                            if not np.array_equal(np.take_along_axis(ref, got, axis), np.take_along_axis(ref, order, axis), equal_nan=dt.category == D.FLOATING):
                                raise AssertionError(f"argsort ({where}, unstable) does not sort")
                        else:
                            for stable in (True, False):
                                c.check(c.bk.sort(x, axis, descending, stable), np.take_along_axis(ref, order, axis), kernel, f"{where}, stable {stable}", dt)

    return case


def _searchsorted(c: Checker, dt: dtype) -> None:
    seq = np.sort(c.values(dt, (7,)))
    for shape in SHAPES:
        values = c.values(dt, shape)
        for side in ("left", "right"):
            got = c.bk.searchsorted(c.make(seq, dt), c.make(values, dt), side)
            c.check(got, np.searchsorted(seq, values, side=side).astype(np.int64), "searchsorted", f"values {shape}, side {side}", D.int64)


def _unique(c: Checker, dt: dtype) -> None:
    for ref, x, where in _shapes_and_layouts(c, dt):
        ref = ref if dt.category == D.BOOL else (ref // 2).astype(ref.dtype) if dt.category != D.COMPLEX else ref
        x = c.make(ref, dt, where.rsplit(", ", 1)[1])
        values, inverse, counts = c.bk.unique(x)
        want_v, want_i, want_c = np.unique(ref.reshape(-1), return_inverse=True, return_counts=True)
        c.check(values, want_v, "unique", f"values, {where}", dt)
        c.check(inverse, want_i.reshape(-1).astype(np.int64), "unique", f"inverse, {where}", D.int64)
        c.check(counts, want_c.astype(np.int64), "unique", f"counts, {where}", D.int64)


def _matmul(c: Checker, dt: dtype) -> None:
    for sa, sb in [((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 3), (3,)), ((4,), (4,)), ((2, 1, 2, 3), (5, 3, 2)), ((0, 3), (3, 2)), ((2, 0), (0, 3))]:
        a, b = c.values(dt, sa, "small"), c.values(dt, sb, "small")
        for layout in c.layouts(sa):
            got = c.bk.matmul(c.make(a, dt, layout), c.make(b, dt))
            c.check(got, np.matmul(a, b), "matmul", f"{sa} @ {sb}, {layout}", dt)


def _spd(c: Checker, dt: dtype, batch: tuple[int, ...], n: int) -> np.ndarray:
    a = c.values(dt, (*batch, n, n), "small")
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(np_dtype(dt))


def _linalg(kernel: str) -> Callable[[Checker, dtype], None]:
    def case(c: Checker, dt: dtype) -> None:
        bk = c.bk
        for batch, n in [((), 3), ((2,), 2), ((2, 1), 4), ((), 1)]:
            a = _spd(c, dt, batch, n)
            x = c.make(a, dt)
            where = f"batch {batch}, n {n}"
            if kernel == "linalg_inv":
                c.check(bk.linalg_inv(x), np.linalg.inv(a), kernel, where, dt)
            elif kernel == "linalg_det":
                c.check(bk.linalg_det(x), np.asarray(np.linalg.det(a)), kernel, where, dt)
            elif kernel == "linalg_solve":
                b = c.values(dt, (*batch, n, 2))
                c.check(bk.linalg_solve(x, c.make(b, dt)), np.linalg.solve(a, b), kernel, where, dt)
            elif kernel == "linalg_cholesky":
                lower = np.linalg.cholesky(a)
                c.check(bk.linalg_cholesky(x, False), lower, kernel, where + ", lower", dt)
                c.check(bk.linalg_cholesky(x, True), np.conj(np.swapaxes(lower, -1, -2)), kernel, where + ", upper", dt)
            elif kernel == "linalg_eigh":
                for uplo in ("L", "U"):
                    half = np.tril(a) if uplo == "L" else np.triu(a)  # the other triangle must be ignored
                    garbage = half + (np.triu(np.ones_like(a), 1) if uplo == "L" else np.tril(np.ones_like(a), -1)) * 7
                    w, v = bk.linalg_eigh(c.make(garbage.astype(np_dtype(dt)), dt), uplo)
                    c.check(w, np.linalg.eigvalsh(a), kernel, f"{where}, eigenvalues, uplo {uplo}", dt.to_real())
                    vh, wh = c.host(v), c.host(w)
                    rebuilt = (vh * wh[..., None, :]) @ np.conj(np.swapaxes(vh, -1, -2))
                    c.check(bk.asarray(rebuilt, dt, c.index, None), a, kernel, f"{where}, V diag(w) V^H, uplo {uplo}", dt)
            elif kernel in ("linalg_svd", "linalg_qr"):
                m = c.values(dt, (*batch, n + 1, n), "small")
                xm = c.make(m, dt)
                if kernel == "linalg_svd":
                    for full in (False, True):
                        u, s, vh = (c.host(r) for r in bk.linalg_svd(xm, full))
                        c.check(bk.asarray(s, dt.to_real(), c.index, None), np.linalg.svd(m, compute_uv=False), kernel, f"{where}, singular values", dt.to_real())
                        k = s.shape[-1]
                        rebuilt = (u[..., :, :k] * s[..., None, :]) @ vh[..., :k, :]
                        c.check(bk.asarray(rebuilt, dt, c.index, None), m, kernel, f"{where}, U S Vh, full_matrices {full}", dt)
                        if u.shape[-1] != (n + 1 if full else n):
                            raise AssertionError(f"linalg_svd ({where}, full_matrices {full}): U has shape {u.shape}")
                else:
                    for mode in ("reduced", "complete"):
                        q, r = (c.host(t) for t in bk.linalg_qr(xm, mode))
                        c.check(bk.asarray(q @ r, dt, c.index, None), m, kernel, f"{where}, Q R, mode {mode}", dt)
                        if not np.allclose(r, np.triu(r), atol=1e-5) or q.shape[-1] != (n + 1 if mode == "complete" else n):
                            raise AssertionError(f"linalg_qr ({where}, {mode}): R is not upper triangular or Q has shape {q.shape}")

    return case


def _reshape(c: Checker, dt: dtype) -> None:
    bk = c.bk
    for shape, new in [((2, 3), (3, 2)), ((2, 3), (6,)), ((), (1, 1)), ((0, 3), (3, 0)), ((3, 1, 4), (2, 6)), ((5,), (5, 1))]:
        ref = c.values(dt, shape)
        for layout in c.layouts(shape):
            for copy in (None, True):
                c.check(bk.reshape(c.make(ref, dt, layout), new, copy), ref.reshape(new), "reshape", f"{shape} to {new}, {layout}, copy {copy}", dt)
    if bk.strided_views:
        x = c.make(c.values(dt, (3, 4)), dt, "transposed")
        try:
            bk.reshape(x, (12,), False)
        except ValueError:
            return
        raise AssertionError("reshape(copy=False) of a transposed array must raise ValueError (no view exists)")


def _permute_dims(c: Checker, dt: dtype) -> None:
    for shape, axes in [((2, 3), (1, 0)), ((3, 1, 4), (2, 0, 1)), ((), ()), ((2, 0, 3), (1, 2, 0))]:
        ref = c.values(dt, shape)
        for layout in c.layouts(shape):
            c.check(c.bk.permute_dims(c.make(ref, dt, layout), axes), ref.transpose(axes), "permute_dims", f"{shape}, {axes}, {layout}", dt)


def _broadcast_to(c: Checker, dt: dtype) -> None:
    for shape, new in [((3,), (2, 3)), ((2, 1), (2, 4)), ((), (3, 2)), ((1, 3), (0, 3)), ((2, 3), (2, 3))]:
        ref = c.values(dt, shape)
        for layout in c.layouts(shape):
            c.check(c.bk.broadcast_to(c.make(ref, dt, layout), new), np.broadcast_to(ref, new), "broadcast_to", f"{shape} to {new}, {layout}", dt)


def _as_strided(c: Checker, dt: dtype) -> None:
    ref = c.values(dt, (12,))
    x = c.make(ref, dt)
    item = ref.itemsize
    for shape, strides, offset in [((3, 4), (4, 1), 0), ((4, 3), (1, 4), 0), ((5, 3), (2, 1), 1), ((2, 2), (0, 1), 3), ((0, 3), (3, 1), 0)]:
        want = np.lib.stride_tricks.as_strided(ref[offset:], shape, tuple(s * item for s in strides))
        c.check(c.bk.as_strided(x, shape, strides, offset), want, "as_strided", f"shape {shape}, strides {strides}, offset {offset}", dt)
    # Offsets are relative to the view's first element.
    view = c.bk.getitem(x, (slice(2, None),))
    want = np.lib.stride_tricks.as_strided(ref[3:], (3,), (2 * item,))
    c.check(c.bk.as_strided(view, (3,), (2,), 1), want, "as_strided", "offset relative to a sliced view", dt)


def _join(kernel: str) -> Callable[[Checker, dtype], None]:
    def case(c: Checker, dt: dtype) -> None:
        layouts: list[tuple[list[tuple[int, ...]], int]] = [
            ([(2, 3), (1, 3), (4, 3)], 0), ([(2, 3), (2, 1)], 1), ([(0, 3), (2, 3)], 0), ([(5,)], 0),
        ]
        for shapes, axis in layouts:
            if kernel == "stack":
                shapes = [shapes[0]] * len(shapes)
            refs = [c.values(dt, s) for s in shapes]
            for layout in c.layouts(shapes[0]):
                got = getattr(c.bk, kernel)([c.make(r, dt, layout) for r in refs], axis)
                want = np.concatenate(refs, axis) if kernel == "concat" else np.stack(refs, axis)
                c.check(got, want, kernel, f"shapes {shapes}, axis {axis}, {layout}", dt)
        if kernel == "stack":
            refs = [c.values(dt, ()) for _ in range(3)]
            c.check(c.bk.stack([c.make(r, dt) for r in refs], 0), np.stack(refs), kernel, "0-d arrays", dt)

    return case


def _keys(c: Checker) -> list[tuple[str, tuple[Any, ...], Callable[[Any], Any]]]:
    """getitem/setitem keys on a (3, 4, 5) array: (name, key with native index arrays, NumPy key)."""
    bk = c.bk
    idx = np.array([2, 0, 2], dtype=np.int64)
    mask = np.array([True, False, True, True])
    native_idx = bk.asarray(idx, D.int64, c.index, None)
    native_mask = bk.asarray(mask, D.bool_, c.index, None)
    return [
        ("ints", (1, 2, 3), lambda a: a[1, 2, 3]),
        ("int", (1,), lambda a: a[1]),
        ("slices with steps", (slice(0, 3, 2), slice(1, None), slice(None, None, 3)), lambda a: a[0:3:2, 1:, ::3]),
        ("None", (None, 1, slice(None), None), lambda a: a[None, 1, :, None]),
        ("empty slice", (slice(2, 2),), lambda a: a[2:2]),
        ("int64 index array", (native_idx,), lambda a: a[idx]),
        ("index array after a slice", (slice(None), slice(1, 3), native_idx), lambda a: a[:, 1:3, idx]),
        ("bool mask", (slice(None), native_mask), lambda a: a[:, mask]),
    ]


def _getitem(c: Checker, dt: dtype) -> None:
    ref = c.values(dt, (3, 4, 5))
    for layout in ("contiguous", "transposed"):
        x = c.make(ref, dt, layout)
        for name, key, np_key in _keys(c):
            c.check(c.bk.getitem(x, key), np.asarray(np_key(ref)), "getitem", f"{name}, {layout}", dt)


def _setitem(c: Checker, dt: dtype) -> None:
    ref = c.values(dt, (3, 4, 5))
    for name, key, np_key in _keys(c):
        if "index array" in name or "mask" in name:
            continue  # advanced-index writes: the keys are views only for basic indexing
        target = np.asarray(np_key(ref))
        for value_name, value in [("scalar", c.values(dt, ()).item()), ("array", c.values(dt, target.shape)), ("broadcast row", c.values(dt, target.shape[-1:]))]:
            want = ref.copy()
            view = np_key(want)
            if isinstance(view, np.ndarray):
                view[...] = value
            else:
                want[key] = value
            x = c.make(ref, dt)
            c.bk.setitem(x, key, c.make(value, dt) if isinstance(value, np.ndarray) else value)
            c.check(x, want, "setitem", f"{name}, {value_name}", dt)
    for name, key, _ in _keys(c):
        if "mask" in name or "index array" in name:
            want = ref.copy()
            idx_key = tuple(c.host(k) if hasattr(k, "dtype") and hasattr(k, "shape") else k for k in key)
            want[idx_key] = ref.reshape(-1)[0]
            x = c.make(ref, dt)
            c.bk.setitem(x, key, ref.reshape(-1)[0].item())
            c.check(x, want, "setitem", f"{name}, scalar", dt)


def _nonzero(c: Checker, dt: dtype) -> None:
    for shape in SHAPES:
        ref = c.values(dt, shape)
        if dt.category != D.BOOL and ref.size:
            ref.reshape(-1)[::2] = 0
        for layout in c.layouts(shape):
            if not shape:
                continue  # 0-d nonzero is deprecated in NumPy and never called by core
            got = c.bk.nonzero(c.make(ref, dt, layout))
            want = np.nonzero(ref)
            if len(got) != len(want):
                raise AssertionError(f"nonzero (shape {shape}): {len(got)} index arrays, expected {len(want)}")
            for g, w in zip(got, want, strict=True):
                c.check(g, w.astype(np.int64), "nonzero", f"shape {shape}, {layout}", D.int64)


def _take(c: Checker, dt: dtype) -> None:
    for shape, axis, idx in [((5,), 0, [4, 0, 0, 2]), ((2, 3), 1, [2, 1]), ((3, 4), 0, []), ((3, 0), 0, [1, 1])]:
        ref = c.values(dt, shape)
        ind = np.array(idx, dtype=np.int64)
        for layout in c.layouts(shape):
            got = c.bk.take(c.make(ref, dt, layout), c.make(ind, D.int64), axis)
            c.check(got, np.take(ref, ind, axis=axis), "take", f"shape {shape}, axis {axis}, indices {idx}, {layout}", dt)


def _take_along_axis(c: Checker, dt: dtype) -> None:
    for shape, axis, ind_shape in [((3, 4), 1, (3, 2)), ((3, 4), 0, (5, 4)), ((5,), 0, (7,)), ((2, 3, 4), 2, (2, 3, 0))]:
        ref = c.values(dt, shape)
        ind = c.rng.integers(0, shape[axis], ind_shape).astype(np.int64)
        for layout in c.layouts(shape):
            got = c.bk.take_along_axis(c.make(ref, dt, layout), c.make(ind, D.int64), axis)
            c.check(got, np.take_along_axis(ref, ind, axis), "take_along_axis", f"shape {shape}, axis {axis}, {layout}", dt)


def _scatter(kernel: str) -> Callable[[Checker, dtype], None]:
    modes = ("sum", "prod", "amax", "amin") if kernel == "scatter_reduce" else ("sum",)
    ufunc = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}

    def case(c: Checker, dt: dtype) -> None:
        for shape, axis, src_shape in [((4, 3), 0, (6, 3)), ((3, 5), 1, (3, 4)), ((5,), 0, (8,)), ((2, 3), 0, (0, 3))]:
            for mode in modes:
                if dt.category == D.COMPLEX and mode in ("amax", "amin"):
                    continue
                if dt.category == D.BOOL and mode != "sum":
                    continue
                base, src = c.values(dt, shape, "small"), c.values(dt, src_shape, "small")
                ind = c.rng.integers(0, shape[axis], src_shape).astype(np.int64)  # repeats accumulate
                want = base.copy()
                idx: list[Any] = list(np.indices(ind.shape, sparse=True))
                idx[axis] = ind
                ufunc[mode].at(want, tuple(idx), src)
                x = c.make(base, dt)
                if kernel == "scatter_add":
                    c.bk.scatter_add(x, axis, c.make(ind, D.int64), c.make(src, dt))
                else:
                    c.bk.scatter_reduce(x, axis, c.make(ind, D.int64), c.make(src, dt), mode)
                c.check(x, want, kernel, f"shape {shape}, axis {axis}, src {src_shape}, {mode}", dt)
        if kernel == "scatter_reduce" and dt.category == D.FLOATING:
            x = c.make(np.zeros(2, np_dtype(dt)), dt)
            src = np.array([1.0, np.nan, 2.0], dtype=np_dtype(dt))
            c.bk.scatter_reduce(x, 0, c.make(np.array([0, 0, 1], dtype=np.int64), D.int64), c.make(src, dt), "amax")
            c.check(x, np.array([np.nan, 2.0], dtype=np_dtype(dt)), kernel, "amax propagates NaN", dt)

    return case


def _rng(kernel: str) -> Callable[[Checker, dtype | None], None]:
    """Same seed, same numbers; a different seed, different numbers; values in range."""

    def bounds(dt: dtype) -> tuple[int, int]:
        return (0, 2) if dt is D.bool_ else (-3, 7) if dt.is_signed else (0, 10)

    def draw(c: Checker, gen: Any, dt: dtype) -> np.ndarray:
        bk, shape = c.bk, (4, 250)
        if kernel == "integers":
            out = bk.integers(gen, *bounds(dt), shape, dt, c.index)
        else:
            out = getattr(bk, "normal" if kernel == "normal" else "uniform")(gen, shape, dt, c.index)
        if tuple(out.shape) != shape or bk.ember_dtype(out.dtype) is not dt:
            raise AssertionError(f"{kernel}: shape {tuple(out.shape)} and dtype {out.dtype}, expected {shape} and {dt}")
        return c.host(out)

    def case(c: Checker, dt: dtype | None) -> None:
        bk = c.bk
        if dt is None:  # new_generator itself
            dt = D.float32
        a = draw(c, bk.new_generator(1234, c.index), dt)
        again = draw(c, bk.new_generator(1234, c.index), dt)
        if not np.array_equal(a, again):
            raise AssertionError(f"{kernel}: the same seed gave different numbers")
        if np.array_equal(a, draw(c, bk.new_generator(1235, c.index), dt)):
            raise AssertionError(f"{kernel}: seeds 1234 and 1235 gave the same numbers")
        gen = bk.new_generator(7, c.index)
        if np.array_equal(draw(c, gen, dt), draw(c, gen, dt)):
            raise AssertionError(f"{kernel}: two draws from one generator were equal (the stream must advance)")
        if kernel == "uniform" and not (a.min() >= 0 and a.max() < 1 and 0.4 < a.mean() < 0.6):
            raise AssertionError(f"uniform: values outside [0, 1) or mean {a.mean()}")
        if kernel == "normal" and not (abs(a.mean()) < 0.15 and 0.85 < a.std() < 1.15):
            raise AssertionError(f"normal: mean {a.mean()}, std {a.std()}")
        if kernel == "integers" and set(np.unique(a).astype(int).tolist()) != set(range(*bounds(dt))):
            raise AssertionError(f"integers: values {sorted(set(np.unique(a).tolist()))}, expected every one of {bounds(dt)}")
        bk.new_generator(2**64 - 1, c.index)  # the whole uint64 seed range is accepted

    return case


KERNEL_CASES: dict[str, Callable[[Checker, Any], None]] = {
    **_elementwise_cases(),
    "device_count": _device_count, "native_dtype": _native_dtype, "ember_dtype": _ember_dtype,
    "asarray": _asarray, "from_numpy": _from_numpy, "from_dlpack": _from_dlpack, "to_numpy": _to_numpy,
    "empty": _empty, "full": _full, "arange": _arange, "linspace": _linspace, "eye": _eye,
    "astype": _astype, "copy": _copy, "copy_into": _copy_into, "item": _item, "tolist": _tolist,
    "strides": _layout, "storage_offset": _layout, "data_ptr": _layout,
    "where": _where, "clip": _clip,
    **{k: _reduction(k) for k in ("sum", "prod", "mean", "max", "min", "argmax", "argmin", "all", "any")},
    "cumulative_sum": _scan("cumulative_sum"), "cumulative_prod": _scan("cumulative_prod"),
    "sort": _sort_cases("sort"), "argsort": _sort_cases("argsort"), "searchsorted": _searchsorted,
    "unique": _unique, "matmul": _matmul,
    **{k: _linalg(k) for k in ("linalg_inv", "linalg_det", "linalg_solve", "linalg_svd", "linalg_qr", "linalg_cholesky", "linalg_eigh")},
    "reshape": _reshape, "permute_dims": _permute_dims, "broadcast_to": _broadcast_to, "as_strided": _as_strided,
    "concat": _join("concat"), "stack": _join("stack"), "getitem": _getitem, "setitem": _setitem,
    "nonzero": _nonzero, "take": _take, "take_along_axis": _take_along_axis,
    "scatter_add": _scatter("scatter_add"), "scatter_reduce": _scatter("scatter_reduce"),
    "new_generator": _rng("new_generator"), "uniform": _rng("uniform"), "normal": _rng("normal"),
    "integers": _rng("integers"),
}

# Which dtype kinds each non-elementwise kernel's cases run on ("" = one case, no dtype).
_LINALG_DTYPES = (D.float32, D.float64, D.complex64, D.complex128)
_DTYPE_KINDS: dict[str, str] = {
    "device_count": "", "ember_dtype": "", "new_generator": "",
    "uniform": "f", "normal": "f", "integers": "bi",
    "mean": "fc", "max": "bif", "min": "bif", "argmax": "bif", "argmin": "bif", "all": "b", "any": "b",
    "sort": "bif", "argsort": "bif", "searchsorted": "if", "unique": "bif", "matmul": "ifc",
    "cumulative_sum": "ifc", "cumulative_prod": "ifc", "sum": "bifc", "prod": "ifc",
    "clip": "if", "scatter_add": "ifc", "scatter_reduce": "ifc", "linspace": "fc", "arange": "if",
    "strides": "if", "storage_offset": "if", "data_ptr": "if",
    **{k: "fc" for k in ("linalg_inv", "linalg_det", "linalg_solve", "linalg_svd", "linalg_qr", "linalg_cholesky", "linalg_eigh")},
}
STRIDED_ONLY = frozenset({"strides", "storage_offset", "data_ptr"})
