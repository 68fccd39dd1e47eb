"""Run NumPy calls with floating-point errors ignored, as PyTorch has no such warnings.

``log(0)``, ``0/0`` and float overflow give ``-inf``, ``nan`` and ``inf`` silently in
PyTorch; NumPy warns (or raises, under ``-W error``). ``np.errstate`` would make each
kernel ~0.9 us slower, so the fast path sets NumPy's error-state context variable
directly (~0.15 us). It is private to NumPy, so when it is missing (NumPy 1.x) we
fall back to ``np.errstate``. Either way only Ember's kernel calls are affected,
never the user's own NumPy code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import numpy as np

__all__ = ["quiet", "ufunc_kernel", "enter_quiet", "leave_quiet"]

F = TypeVar("F", bound=Callable[..., Any])

_state: Any
try:
    _state = importlib.import_module("numpy._core._ufunc_config")._extobj_contextvar
    with np.errstate(all="ignore"):
        _IGNORE = _state.get()
except (ImportError, AttributeError):  # NumPy without the context variable
    _state = None


if _state is not None:
    #: ``token = enter_quiet()`` ... ``leave_quiet(token)``: for hot kernels that inline the switch.
    enter_quiet: Callable[[], Any] = partial(_state.set, _IGNORE)
    leave_quiet: Callable[[Any], None] = _state.reset
else:

    def enter_quiet() -> Any:
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def leave_quiet(token: Any) -> None:
        token.__exit__(None, None, None)


def quiet(fn: F) -> F:
    """``fn`` with every NumPy floating-point error ignored for the duration of the call."""
    if _state is None:

        def slow(*args: Any, **kwargs: Any) -> Any:
            with np.errstate(all="ignore"):
                return fn(*args, **kwargs)

        wrapper = slow
    else:
        enter, leave, ignore = _state.set, _state.reset, _IGNORE

        def fast(*args: Any, **kwargs: Any) -> Any:
            token = enter(ignore)
            try:
                return fn(*args, **kwargs)
            finally:
                leave(token)

        wrapper = fast
    wrapper.__name__ = wrapper.__qualname__ = getattr(fn, "__name__", "kernel")
    wrapper.__doc__ = fn.__doc__
    return wrapper  # type: ignore[return-value]


def ufunc_kernel(ufunc: np.ufunc, ignore_errors: bool) -> Callable[..., np.ndarray]:
    """See :func:`_ufunc_kernel`; the result is named after the ufunc for readable tracebacks."""
    kernel = _ufunc_kernel(ufunc, ignore_errors)
    kernel.__name__ = kernel.__qualname__ = ufunc.__name__
    return kernel


def _ufunc_kernel(ufunc: np.ufunc, ignore_errors: bool) -> Callable[..., np.ndarray]:
    """``ufunc`` as a kernel: ``out=...`` so 0-d results stay arrays (not NumPy scalars) and,
    if ``ignore_errors``, floating-point errors ignored, all in one Python frame."""
    if not ignore_errors:
        if ufunc.nin == 1:
            return lambda x: ufunc(x, out=...)
        return lambda a, b: ufunc(a, b, out=...)
    if _state is None:
        return quiet(lambda *args: ufunc(*args, out=...))
    enter, leave, ignore = _state.set, _state.reset, _IGNORE
    if ufunc.nin == 1:

        def unary(x: Any) -> np.ndarray:
            token = enter(ignore)
            try:
                return ufunc(x, out=...)
            finally:
                leave(token)

        return unary

    def binary(a: Any, b: Any) -> np.ndarray:
        token = enter(ignore)
        try:
            return ufunc(a, b, out=...)
        finally:
            leave(token)

    return binary
