"""Helpers the core tests share: the ember-to-NumPy dtype table, exact-error checks, shapes.

Test modules import this as ``_core_helpers``: conftest.py puts this folder on
``sys.path``, which ``--import-mode=importlib`` does not do. The name carries the
package so that another package's tests folder cannot shadow it in one pytest run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import array_api_strict
import numpy as np
import pytest
from hypothesis.extra import numpy as hnp

import ember
from ember._tensor_base import wrap
from ember.backends import ArrayAPIBackend

# The NumPy dtype that holds each ember dtype on the CPU backend (which has no bfloat16).
NP: dict[ember.dtype, type[np.generic]] = {
    ember.bool: np.bool_, ember.uint8: np.uint8, ember.int8: np.int8, ember.int16: np.int16,
    ember.int32: np.int32, ember.int64: np.int64,
    ember.float16: np.float16, ember.float32: np.float32, ember.float64: np.float64,
    ember.complex64: np.complex64, ember.complex128: np.complex128,
}

# Any shape up to 4-d: 0-d and size-0 dims included.
SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


@contextmanager
def raises_exactly(
    exc_type: type[BaseException], *fragments: str, numpy_phrases: Iterable[str] = ()
) -> Iterator[pytest.ExceptionInfo[BaseException]]:
    """Exactly ``exc_type`` (not a subclass), each fragment in the message, no NumPy wording.

    A test module binds its own ``numpy_phrases`` (wording that would show a NumPy
    error leaking through) once: ``raises = partial(raises_exactly, numpy_phrases=...)``.
    """
    with pytest.raises(exc_type) as info:
        yield info
    got = type(info.value)
    assert got is exc_type, f"expected {exc_type.__name__}, got {got.__name__}: {info.value}"
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    for phrase in numpy_phrases:
        assert phrase not in message, f"NumPy wording {phrase!r} leaked: {message!r}"


def numbered(shape: tuple[int, ...]) -> tuple[np.ndarray, ember.Tensor]:
    """float64 ``0, 1, 2, ...`` in ``shape``, as an array and as a tensor of the same values."""
    a = np.arange(math.prod(shape), dtype=np.float64).reshape(shape)
    return a, ember.tensor(a)


def layouts(a: np.ndarray) -> list[tuple[np.ndarray, ember.Tensor, int]]:
    """``a``'s values as contiguous, transposed-view, step-sliced and expanded tensors, each with
    the NumPy array of the same values and how many leading dims it has more than ``a``."""
    out = [(a, ember.tensor(a), 0)]
    if a.ndim >= 2:
        out.append((a, as_layout(a, "transposed"), 0))
    if a.ndim:
        out.append((a, as_layout(a, "stepped"), 0))
        out.append((np.broadcast_to(a, (2, *a.shape)), ember.tensor(a).expand(2, *a.shape), 1))
    return out


def as_layout(a: np.ndarray, layout: str) -> ember.Tensor:
    """A tensor equal to ``a``: contiguous, a permuted view (``"transposed"``), or a step-2 slice
    of a bigger tensor (``"stepped"``)."""
    if layout == "transposed" and a.ndim >= 2:
        rev = tuple(range(a.ndim))[::-1]
        return ember.tensor(np.ascontiguousarray(a.transpose(rev))).permute(*rev)
    if layout == "stepped" and a.ndim >= 1:
        big = np.zeros((*a.shape[:-1], 2 * a.shape[-1]), a.dtype)
        big[..., ::2] = a
        return ember.tensor(big)[..., ::2]
    return ember.tensor(a)


class StrictBackend(ArrayAPIBackend):
    """The required tier over array-api-strict: no strided views, no NumPy leniency. Tests run
    ops on it to prove they use only protocol kernels (and copying views where a backend has no strides)."""

    name = "strict"
    device_type = "strictdev"
    xp = array_api_strict


STRICT = StrictBackend()


def on_strict(a: np.ndarray | ember.Tensor) -> ember.Tensor:
    """``a``'s values as a tensor on :data:`STRICT` (reported as a cpu tensor)."""
    arr = a.numpy() if isinstance(a, ember.Tensor) else a
    dt = a.dtype if isinstance(a, ember.Tensor) else ember.from_numpy(np.asarray(a)).dtype
    return wrap(STRICT.asarray(arr, dt, None, None), dt, ember.device("cpu"), STRICT)
