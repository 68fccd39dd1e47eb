"""Printing against live PyTorch: ``repr`` equals torch's with ``torch.`` replaced by ``ember.``.

Seeded random tensors of every dtype and many shapes (0-d, empty, wide enough to wrap,
large enough to be summarised) with values of every magnitude, integer-valued floats,
mixed scales and NaN/inf; then the same under print options and on non-contiguous views.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

from _compat_helpers import COMPLEX, DTYPES, FLOATING, INTEGRAL, pair  # noqa: E402

SHAPES = [(), (1,), (5,), (3, 4), (2, 3, 4), (0,), (2, 0), (1200,), (40, 40), (3, 500), (2, 2, 300),
          (12,), (2, 1, 1, 3), (1, 25)]
SCALES = [1e-8, 1e-4, 0.01, 1.0, 100.0, 1e5, 1e8, 1e12, 1e20]
MODES = ["normal", "int_valued", "special", "mixed_scale", "positive"]


def random_values(seed: int, *, max_size: int | None = None) -> tuple[np.ndarray, str]:
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    dtype, shape = rng.choice(DTYPES), rng.choice(SHAPES)
    if max_size is not None:
        while int(np.prod(shape)) > max_size:
            shape = rng.choice(SHAPES)
    scale, mode = rng.choice(SCALES), rng.choice(MODES)
    what = f"{dtype}{shape} scale={scale} {mode}"
    if dtype == "bool":
        return nrng.random(shape) < 0.5, what
    if dtype in INTEGRAL:
        info = np.iinfo(dtype)
        high = info.max if rng.random() < 0.5 else 20
        low = info.min if rng.random() < 0.5 else -20 * (dtype != "uint8")
        return nrng.integers(low, high, shape, endpoint=True).astype(dtype), what
    x = nrng.standard_normal(shape) * scale
    if mode == "int_valued":
        x = np.round(x)
    elif mode == "positive":
        x = np.abs(x)
    elif mode == "mixed_scale":
        x = x * 10.0 ** nrng.integers(-6, 6, shape)
    if dtype in COMPLEX:
        x = x + 1j * nrng.standard_normal(shape) * scale
    with np.errstate(over="ignore"):
        arr = np.asarray(x).astype(dtype)
    if mode == "special" and arr.size:
        flat = arr.reshape(-1)
        for v in (np.nan, np.inf, -np.inf)[: max(1, flat.size // 3)]:
            flat[nrng.integers(flat.size)] = v
    return arr, what


def torch_repr(t: Any) -> str:
    return repr(t).replace("torch.", "ember.")


@pytest.fixture
def restore_print_options() -> Iterator[None]:
    yield
    ember.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


@pytest.mark.parametrize("seed", range(400))
def test_repr(seed: int) -> None:
    arr, what = random_values(seed)
    e, t = pair(arr)
    assert repr(e) == torch_repr(t), what
    assert str(e) == str(t).replace("torch.", "ember."), what


PRINT_OPTIONS: list[dict[str, Any]] = [
    {"precision": 2}, {"precision": 8}, {"precision": 0}, {"sci_mode": True}, {"sci_mode": False},
    {"linewidth": 40}, {"linewidth": 120}, {"threshold": 10, "edgeitems": 1},
    {"threshold": 20, "edgeitems": 2}, {"profile": "short"}, {"profile": "full"},
]


@pytest.mark.usefixtures("restore_print_options")
@pytest.mark.parametrize("seed", range(150))
def test_repr_with_print_options_and_views(seed: int) -> None:
    arr, what = random_values(10_000 + seed, max_size=2000)
    options = PRINT_OPTIONS[seed % len(PRINT_OPTIONS)]
    e, t = pair(arr)
    if arr.ndim >= 2 and seed % 2:
        e, t = e.transpose(0, -1)[::2], t.transpose(0, -1)[::2]
        what += " transposed, every other row"
    ember.set_printoptions(**options)
    torch.set_printoptions(**options)
    assert repr(e) == torch_repr(t), f"{what} with {options}"


@pytest.mark.parametrize("dtype", DTYPES)
def test_repr_of_results(dtype: str) -> None:
    """Results of ops print like torch's: shapes, dtypes, named tuples of (values, indices)."""
    arr = np.arange(-6, 6).reshape(3, 4).astype(dtype) if dtype != "bool" else np.eye(3, 4, dtype=bool)
    e, t = pair(arr)
    assert repr(e.t()) == torch_repr(t.t())
    assert repr(e.shape) == torch_repr(t.shape)
    assert repr(e.dtype) == torch_repr(t.dtype)
    assert repr(e.sum(0)) == torch_repr(t.sum(0))
    if dtype not in COMPLEX and dtype != "bool":
        assert repr(e.max(dim=1)) == torch_repr(t.max(dim=1))
        assert repr(e.min(1, keepdim=True)) == torch_repr(t.min(1, keepdim=True))
    if dtype in FLOATING:
        assert repr(e / 3) == torch_repr(t / 3)
        assert repr(e.exp()) == torch_repr(t.exp())
