"""``assert_close``: torch.testing.assert_close's checks, order and messages.

Inputs are split into pairs (recursing through sequences and mappings), each
pair is checked, and the first failure is raised. The arithmetic runs on host
NumPy arrays, so any backend whose tensors can reach the CPU is supported:

- closeness, ``|actual - expected| <= atol + rtol * |expected|``, is evaluated
  in float64 / complex128 (exact equality on the native values first, so
  int64 values above 2**53 are never conflated);
- the statistics in the failure message (greatest absolute / relative
  difference) are computed in the compared dtype, as torch computes them, so
  the printed numbers match torch digit for digit.
"""

from __future__ import annotations

import cmath
import collections.abc
import contextlib
from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

from ember._dtypes import (
    bfloat16,
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    int64,
    promote_types,
)
from ember._tensor import Size, Tensor

__all__ = ["assert_close"]

Msg = str | Callable[[str], str] | None

# {dtype: (rtol, atol)}; every other dtype (integers, bool) compares exactly.
_DTYPE_PRECISIONS: dict[dtype, tuple[float, float]] = {
    float16: (0.001, 1e-5),
    bfloat16: (0.016, 1e-5),
    float32: (1.3e-6, 1e-5),
    float64: (1e-7, 1e-7),
    complex64: (1.3e-6, 1e-5),
    complex128: (1e-7, 1e-7),
}
# Python scalars are compared with the tolerances of the dtype they stand for.
_SCALAR_DTYPES: dict[type, dtype] = {int: int64, float: float64, complex: complex128}


class _Failure(Exception):
    """A failed check: the exception type to raise, its message and the item id."""

    def __init__(self, type: type[Exception], msg: str, id: tuple[Any, ...] = ()) -> None:
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg: Msg = None) -> Exception:
        if isinstance(msg, str):
            return self.type(msg)
        generated = self.msg
        if self.id:
            generated += f"\n\nThe failure occurred for item {''.join(str([item]) for item in self.id)}"
        return self.type(msg(generated) if callable(msg) else generated)


class _Unsupported(Exception):
    """Raised while building a pair whose kind cannot handle the inputs; the next kind is tried."""


def _tolerances(*dtypes: dtype, rtol: float | None, atol: float | None, id: tuple[Any, ...]) -> tuple[float, float]:
    if (rtol is None) ^ (atol is None):
        # Both or neither: atol=0.0 alone would still let values through on rtol.
        raise _Failure(
            ValueError,
            "Both 'rtol' and 'atol' must be either specified or omitted, "
            f"but got no {'rtol' if rtol is None else 'atol'}.",
            id,
        )
    if rtol is not None and atol is not None:
        return rtol, atol
    precisions = [_DTYPE_PRECISIONS.get(dt, (0.0, 0.0)) for dt in dtypes]
    return max(r for r, _ in precisions), max(a for _, a in precisions)


def _mismatch_msg(
    identifier: str, extra: str, abs_diff: Any, abs_idx: tuple[int, ...] | None,
    rel_diff: Any, rel_idx: tuple[int, ...] | None, rtol: float, atol: float,
) -> str:
    equality = rtol == 0 and atol == 0

    def line(kind: str, diff: Any, idx: tuple[int, ...] | None, tol: float) -> str:
        text = f"{kind.title()} difference: {diff}" if idx is None else f"Greatest {kind} difference: {diff} at index {idx}"
        return text + ("" if equality else f" (up to {tol} allowed)") + "\n"

    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += line("absolute", abs_diff, abs_idx, atol) + line("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_mismatch_msg(actual: Any, expected: Any, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg(
        "Scalars", f"Expected {expected} but got {actual}.", abs_diff, None, rel_diff, None, rtol, atol
    )


def _tensor_mismatch_msg(actual: np.ndarray, expected: np.ndarray, matches: np.ndarray, rtol: float, atol: float) -> str:
    total = matches.size
    mismatches = total - int(np.count_nonzero(matches))
    extra = f"Mismatched elements: {mismatches} / {total} ({mismatches / total:.1%})"
    a, e, m = actual.reshape(-1), expected.reshape(-1), matches.reshape(-1)
    if a.dtype.kind in "biu":  # torch widens to int64; int / int divides in the default float32
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(a - e)
        abs_diff[m] = 0
        if abs_diff.dtype.kind in "iu":
            rel_diff = abs_diff.astype(np.float32) / np.abs(e).astype(np.float32)
        else:
            rel_diff = abs_diff / np.abs(e)
        rel_diff[m] = 0
    abs_at, rel_at = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))  # NaN counts as the greatest, as in torch.max
    return _mismatch_msg(
        "Tensor-likes", extra,
        abs_diff[abs_at].item(), tuple(int(i) for i in np.unravel_index(abs_at, actual.shape)),
        rel_diff[rel_at].item(), tuple(int(i) for i in np.unravel_index(rel_at, actual.shape)),
        rtol, atol,
    )


class _NonePair:
    def __init__(self, actual: Any, expected: Any, id: tuple[Any, ...], **options: Any) -> None:
        if not (actual is None or expected is None):
            raise _Unsupported
        self.actual, self.expected, self.id = actual, expected, id

    def compare(self) -> None:
        if not (self.actual is None and self.expected is None):
            raise _Failure(AssertionError, f"None mismatch: {self.actual} is not {self.expected}", self.id)


class _BooleanPair:
    def __init__(self, actual: Any, expected: Any, id: tuple[Any, ...], **options: Any) -> None:
        if not all(isinstance(x, (bool, np.bool_)) for x in (actual, expected)):
            raise _Unsupported
        self.actual, self.expected, self.id = bool(actual), bool(expected), id

    def compare(self) -> None:
        if self.actual is not self.expected:
            raise _Failure(AssertionError, f"Booleans mismatch: {self.actual} is not {self.expected}", self.id)


class _NumberPair:
    def __init__(
        self, actual: Any, expected: Any, id: tuple[Any, ...], *, rtol: float | None, atol: float | None,
        equal_nan: bool, check_dtype: bool, **options: Any,
    ) -> None:
        if not all(isinstance(x, (int, float, complex, np.number)) for x in (actual, expected)):
            raise _Unsupported
        self.actual, self.expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
        self.id, self.equal_nan, self.check_dtype = id, equal_nan, check_dtype
        # bool is an int subclass: a bool paired with a number is compared as int64.
        dts = [_SCALAR_DTYPES.get(type(x), int64) for x in (self.actual, self.expected)]
        self.rtol, self.atol = _tolerances(*dts, rtol=rtol, atol=atol, id=id)

    def compare(self) -> None:
        actual, expected = self.actual, self.expected
        if self.check_dtype and type(actual) is not type(expected):
            raise _Failure(
                AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}.", self.id
            )
        if actual == expected:
            return
        if self.equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
            return
        abs_diff = abs(actual - expected)
        if cmath.isfinite(abs_diff) and abs_diff <= self.atol + self.rtol * abs(expected):
            return
        raise _Failure(AssertionError, _scalar_mismatch_msg(actual, expected, self.rtol, self.atol), self.id)


def _as_tensor(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    import ember  # the package, for as_tensor; ember.testing is only imported once ember is

    try:
        return ember.as_tensor(x)
    except Exception:
        raise _Unsupported from None


def _host(t: Tensor) -> np.ndarray:
    """A host NumPy view of ``t``, in a dtype NumPy computes with."""
    t = t.detach()
    array = np.asarray(t.numpy() if t.device.type == "cpu" else t.cpu().numpy())
    if array.dtype.kind not in "biufc":  # e.g. an ml_dtypes bfloat16: exact in float32
        array = array.astype(np.float32)
    return array


class _TensorLikePair:
    def __init__(
        self, actual: Any, expected: Any, id: tuple[Any, ...], *, allow_subclasses: bool,
        rtol: float | None, atol: float | None, equal_nan: bool, check_device: bool,
        check_dtype: bool, check_stride: bool, **options: Any,
    ) -> None:
        if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
            raise _Unsupported
        if not allow_subclasses and type(actual) is not type(expected):
            raise _Unsupported
        self.actual, self.expected = _as_tensor(actual), _as_tensor(expected)
        self.id, self.equal_nan = id, equal_nan
        self.check_device, self.check_dtype, self.check_stride = check_device, check_dtype, check_stride
        self.rtol, self.atol = _tolerances(self.actual.dtype, self.expected.dtype, rtol=rtol, atol=atol, id=id)

    def _mismatch(self, name: str, actual: Any, expected: Any) -> NoReturn:
        raise _Failure(
            AssertionError, f"The values for attribute '{name}' do not match: {actual} != {expected}.", self.id
        )

    def compare(self) -> None:
        actual, expected = self.actual, self.expected
        if actual.shape != expected.shape:
            self._mismatch("shape", Size(actual.shape), Size(expected.shape))
        if self.check_stride and actual.stride() != expected.stride():
            self._mismatch("stride()", actual.stride(), expected.stride())
        if self.check_device and actual.device != expected.device:
            self._mismatch("device", actual.device, expected.device)
        if self.check_dtype and actual.dtype != expected.dtype:
            self._mismatch("dtype", actual.dtype, expected.dtype)
        a, e = _host(actual), _host(expected)
        if actual.dtype != expected.dtype:
            common = np.result_type(_host_dtype(promote_types(actual.dtype, expected.dtype)))
            a, e = a.astype(common), e.astype(common)
        matches = _isclose(a, e, self.rtol, self.atol, self.equal_nan)
        if matches.all():
            return
        if a.ndim == 0:
            msg = _scalar_mismatch_msg(a.item(), e.item(), self.rtol, self.atol)
        else:
            msg = _tensor_mismatch_msg(a, e, matches, self.rtol, self.atol)
        raise _Failure(AssertionError, msg, self.id)


def _host_dtype(dt: dtype) -> np.dtype[Any]:
    return np.dtype("float32" if dt == bfloat16 else dt.name)


def _isclose(a: np.ndarray, e: np.ndarray, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    """torch.isclose, in float64 / complex128: equal, or both NaN (if asked), or finitely within tolerance."""
    close = np.asarray(a == e)
    wide = np.complex128 if a.dtype.kind == "c" else np.float64
    a64, e64 = a.astype(wide), e.astype(wide)
    if equal_nan:
        close |= np.isnan(a64) & np.isnan(e64)  # a complex is NaN when either part is
    if rtol or atol:
        with np.errstate(all="ignore"):
            diff = np.abs(a64 - e64)
            close |= np.isfinite(diff) & (diff <= atol + rtol * np.abs(e64))
    return close


_PAIR_TYPES = (_NonePair, _BooleanPair, _NumberPair, _TensorLikePair)


def _originate_pairs(actual: Any, expected: Any, id: tuple[Any, ...], options: dict[str, Any]) -> list[Any]:
    seq, mapping = collections.abc.Sequence, collections.abc.Mapping
    if isinstance(actual, seq) and not isinstance(actual, str) and isinstance(expected, seq) and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _Failure(
                AssertionError, f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", id
            )
        return [p for i in range(len(actual)) for p in _originate_pairs(actual[i], expected[i], (*id, i), options)]
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        actual_keys, expected_keys = set(actual.keys()), set(expected.keys())
        if actual_keys != expected_keys:
            raise _Failure(
                AssertionError,
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {sorted(expected_keys - actual_keys)}\n"
                f"Additional keys in the actual mapping: {sorted(actual_keys - expected_keys)}",
                id,
            )
        keys: Any = actual_keys
        with contextlib.suppress(Exception):
            keys = sorted(keys)
        return [p for k in keys for p in _originate_pairs(actual[k], expected[k], (*id, k), options)]
    for pair_type in _PAIR_TYPES:
        try:
            return [pair_type(actual, expected, id, **options)]
        except _Unsupported:
            continue
    raise _Failure(
        TypeError,
        f"No comparison pair was able to handle inputs of type {_type_repr(actual)} and {_type_repr(expected)}.",
        id,
    )


def _type_repr(x: Any) -> str:
    # ember.Tensor is defined in ember._tensor; name it by its public path, as torch names torch.Tensor.
    return "<class 'ember.Tensor'>" if type(x) is Tensor else repr(type(x))


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_stride: bool = False,
    msg: Msg = None,
) -> None:
    """Assert that ``actual`` and ``expected`` are close, as ``torch.testing.assert_close`` does.

    Tensors (and NumPy arrays, and same-typed tensor-likes) are close when their
    shape, device (``check_device``), dtype (``check_dtype``) and stride
    (``check_stride``) match and every element satisfies
    ``|actual - expected| <= atol + rtol * |expected|``; infinities must be
    equal, and NaNs match only with ``equal_nan=True``. Python and NumPy scalars
    are compared the same way; sequences and mappings are compared item by item.
    ``rtol``/``atol`` default by dtype (float32: 1.3e-6 / 1e-5; integers and
    bool: exact) and must be given together.

    ``msg`` replaces the failure message of a value or attribute check (a
    callable receives the generated message and returns the new one).

    >>> import ember
    >>> assert_close(ember.tensor([1.0, 2.5]), ember.tensor([1.0, 2.0]))
    Traceback (most recent call last):
    ...
    AssertionError: Tensor-likes are not close!
    <BLANKLINE>
    Mismatched elements: 1 / 2 (50.0%)
    Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
    Greatest relative difference: 0.25 at index (1,) (up to 1.3e-06 allowed)
    """
    __tracebackhide__ = True
    options = dict(
        allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
        check_device=check_device, check_dtype=check_dtype, check_stride=check_stride,
    )
    try:
        pairs = _originate_pairs(actual, expected, (), options)
    except _Failure as failure:  # structure and argument errors: msg does not apply (as in torch)
        raise failure.to_error() from None
    for pair in pairs:
        try:
            pair.compare()
        except _Failure as failure:
            raise failure.to_error(msg) from None
