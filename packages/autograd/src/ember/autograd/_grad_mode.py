"""Grad mode: whether ops are recorded, per thread (``no_grad``, ``enable_grad`` and friends).

The recorder reads :data:`STATE.enabled` on every call, so it is a plain
attribute of a ``threading.local`` (one attribute load on the hot path).
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "STATE", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
    "is_inference_mode_enabled",
]

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    def __init__(self) -> None:
        self.enabled = True      # grad mode: record ops on tensors that require grad
        self.inference = False   # inside inference_mode(True)
        self.anomaly = False     # detect_anomaly
        self.anomaly_nan = True


STATE = _State()


def is_grad_enabled() -> bool:
    """Whether grad mode is on in this thread."""
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    """Whether this thread is inside ``inference_mode()``."""
    return STATE.inference


class _DecoratorContextManager:
    """A context manager that is also a decorator (functions and generator functions)."""

    def clone(self) -> _DecoratorContextManager:
        return self.__class__()

    def __call__(self, func: F) -> F:
        if inspect.isclass(func):
            raise RuntimeError(f"{type(self).__name__} cannot decorate a class; decorate its methods")
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)  # type: ignore[return-value]

        @functools.wraps(func)
        def decorated(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return decorated  # type: ignore[return-value]

    def _wrap_generator(self, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def generator(*args: Any, **kwargs: Any) -> Any:
            gen = func(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as exc:
                        with self.clone():
                            response = gen.throw(exc)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return generator

    def __enter__(self) -> None:
        raise NotImplementedError  # every subclass defines it

    def __exit__(self, *exc: object) -> None:
        raise NotImplementedError


class no_grad(_DecoratorContextManager):
    """Turn recording off in this thread: results of ops do not require grad.

    >>> x = ember.ones(2, requires_grad=True)
    >>> with ember.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __init__(self) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = STATE.enabled
        STATE.enabled = False

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self.prev


class enable_grad(_DecoratorContextManager):
    """Turn recording back on inside a ``no_grad`` block."""

    def __init__(self) -> None:
        self.prev = True

    def __enter__(self) -> None:
        self.prev = STATE.enabled
        STATE.enabled = True

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode to ``mode``: at once (as a function call) and back on exit (as a context manager)."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'mode' must be bool, not {type(mode).__name__}")
        self.prev = STATE.enabled
        self.mode = mode
        STATE.enabled = mode

    def clone(self) -> set_grad_enabled:
        return self.__class__(self.mode)

    def __enter__(self) -> None:
        STATE.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self.prev


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad`` (``mode=True``), for code that never needs gradients."""

    def __init__(self, mode: bool = True) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"inference_mode(): argument 'mode' must be bool, not {type(mode).__name__}")
        self.mode = mode
        self.prev = (True, False)

    def clone(self) -> inference_mode:
        return self.__class__(self.mode)

    def __call__(self, func: F) -> F:
        return super().__call__(func)

    def __enter__(self) -> None:
        self.prev = (STATE.enabled, STATE.inference)
        if self.mode:
            STATE.enabled = False
            STATE.inference = True
        else:
            STATE.inference = False

    def __exit__(self, *exc: object) -> None:
        STATE.enabled, STATE.inference = self.prev
