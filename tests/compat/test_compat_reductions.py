"""Reductions against live PyTorch: values, dtypes and exception types.

sum, mean, prod, max, min, amax, amin, argmax, argmin, all and any, with and without
``dim`` (an int, a negative int, a tuple, a list, ``()``) and ``keepdim``, on 0-d,
dimensioned and empty tensors of every dtype, plus the ``dtype=`` argument of
sum/prod/mean for every pair of dtypes.
"""

from __future__ import annotations

import itertools
import zlib
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from _compat_helpers import COMPLEX, DTYPES, compare, pair, params, random_array  # noqa: E402

OPS = ("sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "all", "any")
# (shape, dim, keepdim); dim None means the method is called without one.
GROUPS: dict[str, list[tuple[tuple[int, ...], Any, bool]]] = {
    "0d": [((), None, False), ((), 0, False), ((), -1, True)],
    "nonempty": [
        ((5,), None, False), ((5,), 0, True), ((2, 3, 4), 1, False), ((2, 3, 4), -1, True),
        ((2, 3, 4), (0, 2), False), ((2, 3, 4), (), False), ((4,), [0], True), ((3, 1, 2), -3, False),
    ],
    "empty": [
        ((0, 3), 0, False), ((0, 3), 1, True), ((0, 3), None, False), ((2, 0, 3), (0, 1), True),
        ((2, 0, 3), 2, False),
    ],
    "bad_dim": [((3, 4), 2, False), ((3, 4), -3, False), ((3, 4), (1, 1), False), ((), 1, False)],
}

REDUCTION_BUGS: dict[tuple[str, str, str], str] = {}


def call(op: str, dim: Any, keepdim: bool) -> Any:
    if dim is None:
        return lambda m, x: getattr(x, op)()
    return lambda m, x: getattr(m, op)(x, dim, keepdim=keepdim)


@pytest.mark.parametrize(
    ("op", "dtype", "group"), params(itertools.product(OPS, DTYPES, GROUPS), REDUCTION_BUGS)
)
def test_reduction(op: str, dtype: str, group: str) -> None:
    rng = np.random.default_rng(zlib.crc32(f"{op}{dtype}{group}".encode()))
    for shape, dim, keepdim in GROUPS[group]:
        ea, ta = pair(random_array(rng, shape, dtype, scale=1.0))
        what = f"{op}({dtype}{shape}, dim={dim}, keepdim={keepdim})"
        compare(call(op, dim, keepdim), (ea,), (ta,), what)
        if dim is not None and not isinstance(dim, (tuple, list)):
            compare(lambda m, x, dim=dim: getattr(x, op)(dim=dim), (ea,), (ta,), f"{what} as a method")


@pytest.mark.parametrize(("op", "source"), list(itertools.product(("sum", "prod", "mean"), DTYPES)))
def test_reduction_dtype_argument(op: str, source: str) -> None:
    rng = np.random.default_rng(zlib.crc32(f"{op}{source}".encode()))
    arr = random_array(rng, (2, 3), source, scale=1.0)
    if source not in ("float16", "float32", "float64", *COMPLEX):
        arr = np.clip(arr, -4, 4)  # products within float16's range: no overflow-order noise
    ea, ta = pair(arr)
    for target in DTYPES:
        for dim in (None, 1):
            def fn(m: Any, x: Any, dim: Any = dim, target: str = target) -> Any:
                dt = getattr(m, target)
                return getattr(x, op)(dtype=dt) if dim is None else getattr(x, op)(dim, dtype=dt)

            compare(fn, (ea,), (ta,), f"{op}({source}, dim={dim}, dtype={target})")


@pytest.mark.parametrize("dtype", DTYPES)
def test_extremes_with_ties_and_nans(dtype: str) -> None:
    """Index of the first extreme on ties; NaN wins max/min/argmax/argmin, as in torch."""
    values = np.array([[3, 1, 3, 0], [2, 2, 1, 2], [0, 5, 5, 1]], dtype=dtype if dtype != "bool" else "int8")
    arr = values.astype(dtype)
    if dtype in ("float16", "float32", "float64", *COMPLEX):
        arr[0, 1] = np.nan
    ea, ta = pair(arr)
    for op in ("max", "min", "argmax", "argmin", "amax", "amin"):
        for dim in (None, 0, 1):
            compare(call(op, dim, False), (ea,), (ta,), f"{op}({dtype}, dim={dim})")
