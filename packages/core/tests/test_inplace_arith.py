"""In-place arithmetic written straight into the target (the ``binary_into`` optional kernel).

``t += u``, ``t -= u``, ``t *= u``, ``t /= u`` and ``add_/sub_/mul_/div_`` on real floating
tensors go to the backend's ``binary_into`` when the operand is a number or a tensor of
``t``'s dtype and device that broadcasts to ``t``; everything else takes the general path
(out of place, then copied in). Both must give NumPy's values, write through views, bump
the version counter, and leave the target unchanged when they refuse.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.backends._optional import kernel

OPS = {
    "add": (operator.iadd, "add_", np.add), "sub": (operator.isub, "sub_", np.subtract),
    "mul": (operator.imul, "mul_", np.multiply), "div": (operator.itruediv, "div_", np.divide),
}


@contextmanager
def counting_into(t: ember.Tensor) -> Iterator[list[int]]:
    """Count the calls of ``binary_into`` on ``t``'s backend (the override or the reference)."""
    bk = t._backend
    calls = [0]
    original = kernel(bk, "binary_into")

    def spy(*args: Any) -> Any:
        calls[0] += 1
        return original(*args)

    bk.binary_into = spy
    try:
        yield calls
    finally:
        del bk.binary_into


def _target(values: np.ndarray, layout: str) -> tuple[ember.Tensor, ember.Tensor]:
    """(base, target): the target is the whole base, its transpose or a step-sliced view of it."""
    if layout == "transposed" and values.ndim == 2:
        base = ember.tensor(np.ascontiguousarray(values.T))
        return base, base.t()
    if layout == "sliced" and values.ndim >= 1:
        big = np.zeros((values.shape[0] * 2, *values.shape[1:]), values.dtype)
        big[::2] = values
        base = ember.tensor(big)
        return base, base[::2]
    base = ember.tensor(values)
    return base, base


@settings(max_examples=60, deadline=None)
@given(
    op=st.sampled_from(sorted(OPS)), method=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple),
    operand=st.sampled_from(["same", "row", "scalar-int", "scalar-float", "0-d"]),
    layout=st.sampled_from(["contiguous", "transposed", "sliced"]),
)
def test_values_views_and_versions_match_numpy(
    op: str, method: bool, dtype: Any, shape: tuple[int, ...], operand: str, layout: str
) -> None:
    rng = np.random.default_rng(len(shape) * 7 + len(op))
    a = rng.uniform(0.5, 2.0, shape).astype(dtype)
    other: Any
    if operand == "same":
        b = rng.uniform(0.5, 2.0, shape).astype(dtype)
        other = ember.tensor(b)
    elif operand == "row":
        b = rng.uniform(0.5, 2.0, shape[-1:]).astype(dtype)
        other = ember.tensor(b)
    elif operand == "0-d":
        b = np.asarray(1.5, dtype)
        other = ember.tensor(b)
    else:
        b = 3 if operand == "scalar-int" else 0.25
        other = b
    base, t = _target(a, layout)
    version = t._version[0] if t._version else 0
    iop, name, ufunc = OPS[op]
    with counting_into(t) as calls:
        out = getattr(t, name)(other) if method else iop(t, other)
    assert out is t and calls == [1]
    np.testing.assert_allclose(t.numpy(), ufunc(a, b), rtol=1e-6)
    assert t.dtype == ember.float64 if dtype is np.float64 else t.dtype == ember.float32
    assert t._version[0] == version + 1
    if base is not t:  # the write went through the view into its base
        np.testing.assert_allclose(t.numpy(), ufunc(a, b), rtol=1e-6)
        assert base._version is t._version


def test_other_cases_take_the_general_path_with_the_same_results() -> None:
    a = np.arange(6.0).reshape(2, 3)
    cases = [
        (ember.tensor(a, dtype=ember.float32), ember.tensor(a)),  # float64 operand: promotion rules
        (ember.tensor(a), ember.tensor([1, 2, 3])),  # integer operand
        (ember.tensor([1, 2, 3]), 2),  # integer target
        (ember.tensor(a, dtype=ember.complex64), 1.0),  # complex target
    ]
    for t, other in cases:
        expected = (t + other).numpy()
        with counting_into(t) as calls:
            t += other
        assert calls == [0]
        np.testing.assert_allclose(t.numpy(), expected)
    t = ember.ones(2, 3)
    with counting_into(t) as calls:
        t.add_(ember.ones(3), alpha=2)
        t.div_(2, rounding_mode="floor")
    assert calls == [0]
    np.testing.assert_array_equal(t.numpy(), np.ones((2, 3)))


def test_refusals_leave_the_target_unchanged() -> None:
    t = ember.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"doesn't match the broadcast shape \[2, 2, 3\]"):
        t += ember.ones(2, 2, 3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        e = ember.ones(3).expand(2, 3)
        e *= 2
    a = np.arange(3.0)
    a.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = ember.from_numpy(a)
    for write in (lambda: r.__iadd__(1.0), lambda: r.mul_(ember.ones(3, dtype=ember.float64))):
        with pytest.raises(RuntimeError, match="read-only"):
            write()
    assert a.tolist() == [0.0, 1.0, 2.0]
    np.testing.assert_array_equal(t.numpy(), np.ones((2, 3)))


def test_an_operand_that_overlaps_the_target_is_read_before_it_is_written() -> None:
    t = ember.arange(6.0).view(2, 3)
    t[0] += t[1]
    np.testing.assert_array_equal(t.numpy(), [[3, 5, 7], [3, 4, 5]])
    s = ember.arange(4.0).view(2, 2)
    s *= s
    np.testing.assert_array_equal(s.numpy(), [[0, 1], [4, 9]])


@pytest.mark.parametrize(
    ("write", "op"),
    [
        (lambda t: t[1:].__iadd__(t[:-1]), "add_"),
        (lambda t: t.view(2, 3).__iadd__(t.view(2, 3)[0]), "add_"),
        (lambda t: t[:4].view(2, 2).__imul__(t[:4].view(2, 2).T), "mul_"),
        (lambda t: t[1:].sub_(t[:-1], alpha=2), "sub_"),
        (lambda t: t[1:].div_(t[:-1]), "div_"),
        (lambda t: t[1:].copy_(t[:-1]), "copy_"),
    ],
)
def test_an_operand_that_partly_overlaps_the_target_is_refused(write: Any, op: str) -> None:
    """PyTorch's rule: an operand sharing part of the written memory (not the same view) is an
    error; the target is left unchanged."""
    t = ember.arange(1.0, 7.0)
    with pytest.raises(RuntimeError, match=rf"^{op}\(\): unsupported operation: some elements of the input tensor "
                       "and the written-to tensor refer to a single memory location"):
        write(t)
    assert t.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_disjoint_identical_or_not_dense_operands_are_allowed() -> None:
    t = ember.arange(6.0)
    t[::2] += t[1::2]  # interleaved, not dense: PyTorch does not check ("too hard")
    t[:3] += t[3:]     # same storage, disjoint
    t += t             # the same view
    t[1:] += t[:-1] * 1  # a copy
    assert t.tolist() == [8.0, 28.0, 40.0, 26.0, 24.0, 28.0]  # as NumPy computes the same steps
