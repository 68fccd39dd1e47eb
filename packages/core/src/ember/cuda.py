"""``ember.cuda``: CUDA devices, streams, events and memory, as ``torch.cuda`` names them.

Core never imports CuPy: every function here calls the method of the same name on the
active ``cuda`` backend (``ember-cuda``'s, or a third party's), and ``ember.cuda.Stream`` /
``ember.cuda.Event`` are that backend's classes. :func:`is_available`,
:func:`device_count` and the seeding functions never raise; the rest raise a
``RuntimeError`` saying why no CUDA device is usable and what to install.

>>> ember.cuda.is_available()
False
"""

from __future__ import annotations

from typing import Any

from ember._errors import EmberError

# Stream and Event are attributes too, resolved from the backend by __getattr__ (not in
# __all__: a star import must not need a GPU).
__all__ = [
    "is_available", "device_count", "current_device", "set_device", "device", "synchronize",
    "get_device_name", "get_device_capability", "stream", "current_stream",
    "default_stream", "memory_allocated", "max_memory_allocated", "reset_peak_memory_stats",
    "memory_reserved", "empty_cache", "manual_seed", "manual_seed_all", "is_initialized",
]


def _backend_or_none() -> Any:
    from ember._plugins import registry

    try:
        return registry.backend("cuda")
    except (LookupError, EmberError):
        return None


def _backend(op: str) -> Any:
    """The active cuda backend, or a RuntimeError saying why there is no usable device."""
    from ember._plugins import registry

    try:
        bk = registry.backend("cuda")
    except (LookupError, EmberError) as exc:
        raise RuntimeError(f"ember.cuda.{op}(): no CUDA backend is usable: {exc}") from exc
    if bk.device_count() == 0:
        why = getattr(bk, "unavailable_reason", None)
        reason = why() if why is not None else None
        raise RuntimeError(f"ember.cuda.{op}(): no CUDA device is available: {reason or 'the backend sees none'}")
    return bk


def device_count() -> int:
    """How many CUDA devices the active cuda backend sees (0 when none is installed)."""
    bk = _backend_or_none()
    return 0 if bk is None else int(bk.device_count())


def is_available() -> bool:
    """True on a machine with an NVIDIA GPU, a driver and ember-cuda[cuda12] (or [cuda13]) installed."""
    return device_count() > 0


def is_initialized() -> bool:
    """Whether a cuda backend has been loaded and sees a device."""
    from ember._plugins import registry

    bk = registry.backend_if_active("cuda")
    return bk is not None and bk.device_count() > 0


def current_device() -> int:
    """The index of the current CUDA device."""
    return int(_backend("current_device").current_device())


def set_device(device: Any) -> None:
    """Make ``device`` (an index, ``"cuda:1"`` or an ``ember.device``) the current CUDA device."""
    _backend("set_device").set_device(device)


def device(device: Any) -> Any:
    """Context manager making ``device`` current inside its block.

    >>> with ember.cuda.device(1):      # doctest: +SKIP
    ...     x = ember.zeros(3, device="cuda")   # still cuda:0: "cuda" means index 0
    """
    return _backend("device").device_context(device)


def synchronize(device: Any = None) -> None:
    """Wait for every kernel on ``device`` (default: the current one) to finish."""
    _backend("synchronize").synchronize(device)


def get_device_name(device: Any = None) -> str:
    """The GPU's name, e.g. ``'NVIDIA H100 80GB HBM3'``."""
    return str(_backend("get_device_name").get_device_name(device))


def get_device_capability(device: Any = None) -> tuple[int, int]:
    """The GPU's compute capability ``(major, minor)``."""
    major, minor = _backend("get_device_capability").get_device_capability(device)
    return int(major), int(minor)


def stream(stream: Any) -> Any:
    """Context manager making ``stream`` (a :class:`Stream`, or None for a no-op) current in its block."""
    if stream is None:
        from contextlib import nullcontext

        return nullcontext()
    return _backend("stream").stream_context(stream)


def current_stream(device: Any = None) -> Any:
    """The current :class:`Stream` of ``device``."""
    return _backend("current_stream").current_stream(device)


def default_stream(device: Any = None) -> Any:
    """The default (null) :class:`Stream` of ``device``."""
    return _backend("default_stream").default_stream(device)


def memory_allocated(device: Any = None) -> int:
    """Bytes held by live CUDA tensors on ``device``."""
    return int(_backend("memory_allocated").memory_allocated(device))


def max_memory_allocated(device: Any = None) -> int:
    """The peak of :func:`memory_allocated` since the start or :func:`reset_peak_memory_stats`."""
    return int(_backend("max_memory_allocated").max_memory_allocated(device))


def reset_peak_memory_stats(device: Any = None) -> None:
    """Restart :func:`max_memory_allocated`'s peak from the current figure."""
    _backend("reset_peak_memory_stats").reset_peak_memory_stats(device)


def memory_reserved(device: Any = None) -> int:
    """Bytes the caching allocator holds on ``device`` (in use or cached for reuse)."""
    return int(_backend("memory_reserved").memory_reserved(device))


def empty_cache() -> None:
    """Give the caching allocator's unused blocks back to the driver (no-op without a GPU)."""
    bk = _backend_or_none()
    if bk is not None and bk.device_count():
        bk.empty_cache()


def manual_seed(seed: int) -> None:
    """Seed the CUDA default generator (silently nothing to do without CUDA, as in torch)."""
    from ember._device import device as _device
    from ember._random import default_generator_for

    default_generator_for(_device("cuda")).manual_seed(seed)


def manual_seed_all(seed: int) -> None:
    """Seed the CUDA default generator of every device (one generator serves them all in Ember)."""
    manual_seed(seed)


def __getattr__(name: str) -> Any:
    # Stream and Event are the backend's classes, looked up when first used.
    if name in ("Stream", "Event"):
        return getattr(_backend(name), name)
    raise AttributeError(f"module 'ember.cuda' has no attribute {name!r}")
