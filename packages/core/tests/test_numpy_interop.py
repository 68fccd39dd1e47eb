"""Tensors and NumPy mix as in PyTorch: ufuncs and NumPy operands give tensors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import ember

T = ember.ones(3)
A = np.ones(3)

# (expression, expected dtype) — torch 2.13 returns a Tensor with these dtypes
CASES: list[tuple[str, Callable[[], object], ember.dtype]] = [
    ("t + ndarray", lambda: T + A, ember.float64),
    ("ndarray + t", lambda: A + T, ember.float64),
    ("np.add(t, 1)", lambda: np.add(T, 1), ember.float32),
    ("np.float64(2) * t", lambda: np.float64(2) * T, ember.float32),
    ("t * np.float64(2)", lambda: T * np.float64(2), ember.float32),
    ("np.int64(2) + t", lambda: np.int64(2) + T, ember.float32),
    ("np.exp(t)", lambda: np.exp(T), ember.float32),
]


@pytest.mark.parametrize(("what", "expr", "dtype"), CASES, ids=[c[0] for c in CASES])
def test_mixed_expressions_give_tensors(what: str, expr: Callable[[], object], dtype: ember.dtype) -> None:
    out = expr()
    assert isinstance(out, ember.Tensor)
    assert out.dtype is dtype


def test_values_and_comparisons() -> None:
    np.testing.assert_allclose(np.exp(T).numpy(), np.exp(np.ones(3, np.float32)))
    assert (A == T).tolist() == [True, True, True]
    assert (T + np.arange(3)).tolist() == [1.0, 2.0, 3.0]


def test_ndarray_operand_follows_broadcasting_errors() -> None:
    with pytest.raises(RuntimeError, match=r"add\(\): The size of tensor a \(3\) must match"):
        T + np.ones(4)


def test_unsupported_ndarray_dtype_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match="uint16"):
        T + np.ones(3, dtype=np.uint16)
