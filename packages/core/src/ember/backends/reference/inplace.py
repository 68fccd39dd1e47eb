"""Reference kernel: in-place arithmetic (``t += u``, ``t.mul_(2)``, ``p -= lr * g``).

Core's general in-place path computes the result out of place and copies it in
(two writes of the target's size). For the common case it calls ``binary_into``
instead, which a backend may override to write straight into the target.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ember._dtypes import float32, float64
from ember.backends._optional import optional_kernel

__all__ = ["binary_into", "INTO_KERNELS"]

#: The binary kernels core sends to ``binary_into``.
INTO_KERNELS = frozenset({"add", "subtract", "multiply", "divide"})


def _samples(bk: Any, rng: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    shapes = (((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), (3, 1)), ((), ()), ((0, 3), (3,)), ((5,), None))
    for i, name in enumerate(sorted(INTO_KERNELS)):
        for j, (dst_shape, src_shape) in enumerate(shapes):
            dt = (float32, float64)[(i + j) % 2]
            dst = bk.asarray(rng.standard_normal(dst_shape), dt, None, None)
            src: Any = 0.5 + j if src_shape is None else bk.asarray(rng.uniform(0.5, 2.0, src_shape), dt, None, None)
            yield (name, dst, src), {}


@optional_kernel(samples=_samples)
def binary_into(bk: Any, name: str, dst: Any, src: Any) -> Any:
    """``dst = name(dst, src)`` written into ``dst``; returns ``dst``.

    ``name`` is one of :data:`INTO_KERNELS` (``bk.<name>``'s semantics); ``dst`` is a real
    floating array that does not overlap itself; ``src`` is an array of ``dst``'s dtype
    that broadcasts to ``dst``'s shape (it may overlap ``dst``), or a Python number.
    """
    bk.copy_into(dst, getattr(bk, name)(dst, src))
    return dst
