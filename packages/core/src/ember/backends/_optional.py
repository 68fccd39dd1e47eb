"""The optional tier: speed-deciding kernels with reference implementations.

Each optional kernel (convolution, pooling, softmax, normalization, ...) is
defined once, in :mod:`ember.backends.reference`, as a function
``reference(bk, *args)`` composed from the required tier of backend ``bk``.
Its docstring is the kernel's contract. A backend overrides a kernel by
defining a method of the same name with the same arguments (minus ``bk``);
core calls :func:`kernel` to get the override or, failing that, the reference.

Each reference also registers ``samples``: a function ``samples(bk, rng)``
yielding ``(args, kwargs)`` inputs that the conformance kit
(:mod:`ember.testing.conformance`) feeds to a backend's override and to the
reference, comparing the results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, NamedTuple, TypeVar

__all__ = ["OptionalKernel", "OPTIONAL_KERNELS", "optional_kernel", "kernel"]

F = TypeVar("F", bound=Callable[..., Any])


class OptionalKernel(NamedTuple):
    """One optional kernel: its name, reference implementation and conformance inputs."""

    name: str
    reference: Callable[..., Any]
    samples: Callable[[Any, Any], Iterable[tuple[tuple[Any, ...], dict[str, Any]]]] | None


#: Every optional kernel by name (filled as :mod:`ember.backends.reference` modules import).
OPTIONAL_KERNELS: dict[str, OptionalKernel] = {}

def optional_kernel(
    samples: Callable[[Any, Any], Iterable[tuple[tuple[Any, ...], dict[str, Any]]]] | None = None,
) -> Callable[[F], F]:
    """Register the decorated function as the reference of the optional kernel of its name."""

    def register(fn: F) -> F:
        name = fn.__name__
        if name in OPTIONAL_KERNELS:
            raise RuntimeError(f"optional kernel {name!r} is defined twice")
        OPTIONAL_KERNELS[name] = OptionalKernel(name, fn, samples)
        return fn

    return register


def kernel(bk: Any, name: str) -> Callable[..., Any]:
    """Backend ``bk``'s override of optional kernel ``name``, or the reference bound to ``bk``."""
    fn = getattr(bk, name, None)
    return fn if fn is not None else partial(OPTIONAL_KERNELS[name].reference, bk)
