"""Shared helpers of the PyTorch compatibility tests: dtype maps, seeded data, comparisons.

Every test runs the same code on ``ember`` and on ``torch`` (both modules have the
same op surface) and compares what comes back: values, dtypes, shapes, strides,
reprs, or the type of the exception raised.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pytest
import torch

import ember

# The dtypes both libraries hold on the CPU (the NumPy backend has no bfloat16).
DTYPES = (
    "bool", "uint8", "int8", "int16", "int32", "int64",
    "float16", "float32", "float64", "complex64", "complex128",
)
INTEGRAL = ("uint8", "int8", "int16", "int32", "int64")
FLOATING = ("float16", "float32", "float64")
COMPLEX = ("complex64", "complex128")
REAL = ("bool", *INTEGRAL, *FLOATING)

# Per-dtype tolerances for values computed by different kernels (NumPy vs ATen).
_RTOL = {"float16": 2e-3, "float32": 2e-5, "float64": 1e-11, "complex64": 2e-5, "complex128": 1e-11}
_ATOL = {"float16": 1e-3, "float32": 1e-6, "float64": 1e-12, "complex64": 1e-6, "complex128": 1e-12}


def dtype_name(dt: Any) -> str:
    """``ember.float32`` / ``torch.float32`` -> ``"float32"``.

    torch answers ``complex32`` for complex with float16 operands where Ember, which has
    no complex32, answers complex64 on purpose (see packages/core/tests/test_promotion.py).
    """
    if isinstance(dt, torch.dtype):
        name = str(dt).removeprefix("torch.")
        return "complex64" if name == "complex32" else name
    return str(dt.name)


def both(name: str) -> tuple[Any, Any]:
    """``(ember.<name>, torch.<name>)`` for a dtype name."""
    return getattr(ember, name), getattr(torch, name)


def random_array(rng: np.random.Generator, shape: tuple[int, ...], dtype: str, *,
                 special: bool = True, scale: float = 3.0) -> np.ndarray:
    """Seeded data of ``dtype``: small integers, normal floats (with NaN/inf when ``special``)."""
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "uint8":
        return rng.integers(0, 12, shape).astype(np.uint8)
    if dtype in INTEGRAL:
        return rng.integers(-12, 12, shape).astype(dtype)
    if dtype in COMPLEX:
        real = rng.standard_normal(shape) * scale
        imag = rng.standard_normal(shape) * scale
        return (real + 1j * imag).astype(dtype)
    x = rng.standard_normal(shape) * scale
    if special and x.size >= 4:
        flat = x.reshape(-1)
        picks = rng.choice(flat.size, size=min(3, flat.size // 4), replace=False)
        for i, v in zip(picks, (np.nan, np.inf, -np.inf), strict=False):
            flat[i] = v
    return x.astype(dtype)


def pair(arr: np.ndarray) -> tuple[ember.Tensor, torch.Tensor]:
    """The same data as an ember tensor and a torch tensor (separate copies)."""
    return ember.tensor(arr), torch.from_numpy(np.array(arr, copy=True))


def outcome(fn: Callable[[], Any], *, quiet: bool = False) -> tuple[str, Any]:
    """``("ok", value)`` or ``("raises", nearest built-in exception type)``.

    With ``quiet``, a RuntimeWarning (NumPy's "invalid value encountered" and friends) is a
    failure: Ember promises that native-library noise never reaches the user.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: tuple[str, Any] = ("ok", fn())
        except Exception as exc:  # compared by type below
            result = ("raises", builtin_type(exc))
    if quiet:
        leaked = [w for w in caught if issubclass(w.category, RuntimeWarning)]
        assert not leaked, f"ember leaked a RuntimeWarning: {leaked[0].message}"
    return result


def builtin_type(exc: BaseException) -> type[BaseException]:
    """The nearest built-in exception class of ``exc`` (torch's and Ember's own subclasses
    inherit the built-in type a user catches)."""
    return next(c for c in type(exc).__mro__ if c.__module__ == "builtins")


def to_numpy(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor) and t.dtype == torch.complex32:
        t = t.to(torch.complex64)  # NumPy has no complex32; Ember answers complex64 here
    return np.asarray(t.numpy())


def assert_tensors_match(e: Any, t: Any, *, exact_float: bool = False, what: str = "") -> None:
    """Same dtype name, shape and values (NaN equal to NaN, floats within per-dtype tolerance)."""
    assert isinstance(e, ember.Tensor), f"{what}: ember gave {type(e).__name__}, torch a Tensor"
    assert dtype_name(e.dtype) == dtype_name(t.dtype), f"{what}: dtype {e.dtype} vs {t.dtype}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
    a, b = to_numpy(e), to_numpy(t)
    assert _values_match(a, b, dtype_name(t.dtype), exact_float), f"{what}: values differ\nember: {a!r}\ntorch: {b!r}"


def _values_match(a: np.ndarray, b: np.ndarray, name: str, exact_float: bool) -> bool:
    """Integers and bools exactly; floats within tolerance, NaN equal to NaN."""
    if name in COMPLEX:
        # A complex with a NaN part is "a complex NaN" whatever its other part (torch and NumPy
        # disagree on nan+1j vs nan+nanj, or inf+nanj vs nan+nanj, and neither is wrong). The
        # finite rest is compared by magnitude; an infinite value part by part (isclose wants
        # exact equality once a part is infinite, and the finite part may differ by an ulp).
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        inf_a, inf_b = np.isinf(a) & ~nan_a, np.isinf(b) & ~nan_b
        ok = np.array_equal(nan_a, nan_b) and np.array_equal(inf_a, inf_b)
        if ok:
            ok = _close(a[~(nan_a | inf_a)], b[~(nan_b | inf_b)], name, exact_float)
            a, b = a[inf_a], b[inf_b]
            ok = ok and _close(a.real, b.real, name, exact_float) and _close(a.imag, b.imag, name, exact_float)
    else:
        ok = _close(a, b, name, exact_float)
    return bool(ok)


def _close(a: np.ndarray, b: np.ndarray, name: str, exact: bool) -> bool:
    if name in _RTOL and not exact:
        return bool(np.allclose(a, b, rtol=_RTOL[name], atol=_ATOL[name], equal_nan=True))
    return bool(np.array_equal(a, b, equal_nan=name in _RTOL))


def assert_same_outcome(e: tuple[str, Any], t: tuple[str, Any], what: str = "", **kw: Any) -> None:
    """Both raised the same built-in exception type, or both returned matching tensors."""
    if t[0] == "raises" or e[0] == "raises":
        assert e[0] == t[0] and e[1] is t[1], (
            f"{what}: ember {_describe(e)}, torch {_describe(t)}"
        )
        return
    ev, tv = e[1], t[1]
    if isinstance(tv, tuple):  # (values, indices) pairs
        assert isinstance(ev, tuple) and len(ev) == len(tv), f"{what}: ember gave {ev!r}"
        for i, (x, y) in enumerate(zip(ev, tv, strict=True)):
            assert_tensors_match(x, y, what=f"{what}[{i}]", **kw)
    else:
        assert_tensors_match(ev, tv, what=what, **kw)


def _describe(o: tuple[str, Any]) -> str:
    if o[0] == "raises":
        return f"raised {o[1].__name__}"
    v = o[1]
    return f"returned {getattr(v, 'dtype', type(v).__name__)}"


def compare(fn: Callable[[Any, Any], Any], ember_args: tuple[Any, ...], torch_args: tuple[Any, ...],
            what: str = "", **kw: Any) -> None:
    """Run ``fn(module, *args)`` on both libraries and compare the outcomes."""
    assert_same_outcome(
        outcome(lambda: fn(ember, *ember_args), quiet=True), outcome(lambda: fn(torch, *torch_args)), what, **kw
    )


def params(cases: Iterable[tuple[Any, ...]], known_bugs: dict[tuple[Any, ...], str]) -> list[Any]:
    """``pytest.param`` for each case; the cases in ``known_bugs`` are strict xfails.

    A key of ``known_bugs`` that names no case is an error, so the table cannot rot.
    """
    out, seen = [], set()
    for case in cases:
        reason = known_bugs.get(case)
        marks = [pytest.mark.xfail(strict=True, reason=f"ember bug: {reason}")] if reason else []
        if reason:
            seen.add(case)
        out.append(pytest.param(*case, marks=marks, id="-".join(_case_id(v) for v in case)))
    stale = set(known_bugs) - seen
    if stale:
        raise ValueError(f"known_bugs names cases that do not exist: {sorted(map(str, stale))}")
    return out


def _case_id(v: Any) -> str:
    if isinstance(v, tuple):
        return "(" + ",".join(map(str, v)) + ")"
    return str(v)


def value_and_grad(lib: Any, F: Any, src: str, arr: np.ndarray, names: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """``eval(src)`` with ``x = lib.tensor(arr)`` (and ``F``, ``lib``, ``names``) in scope, then its
    backward for a fixed random upstream gradient: the output and ``x``'s gradient as arrays."""
    x = lib.tensor(arr, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = eval(src, {**names, "F": F, "lib": lib, "x": x})
    upstream = np.random.default_rng(1).normal(size=tuple(out.shape))
    out.backward(lib.tensor(upstream))
    return out.detach().numpy(), x.grad.numpy()
