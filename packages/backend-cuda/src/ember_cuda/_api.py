"""What ``ember.cuda`` delegates to: devices, streams, events and memory statistics over CuPy.

Core's :mod:`ember.cuda` never imports CuPy; each of its functions calls the method of the
same name on the active ``cuda`` backend (this mixin), and ``ember.cuda.Stream`` /
``ember.cuda.Event`` are the classes below. Memory figures come from CuPy's memory pool,
which is what Ember's CUDA tensors allocate from; the peak is tracked by a thin allocator
around that pool, installed when the backend starts.
"""

from __future__ import annotations

import threading
from typing import Any

from ember_cuda import _runtime

__all__ = ["DeviceAPI", "CudaStream", "CudaEvent"]


def _cp() -> Any:
    return _runtime.cupy


class CudaStream:
    """A CUDA stream (``torch.cuda.Stream``): kernels queued on it run in order.

    >>> s = ember.cuda.Stream()                     # doctest: +SKIP
    >>> with ember.cuda.stream(s):                  # doctest: +SKIP
    ...     y = x @ x
    >>> s.synchronize()                             # doctest: +SKIP
    """

    def __init__(self, device: Any = None, priority: int = 0, *, _native: Any = None) -> None:
        cp = _cp()
        if _native is not None:
            self.native = _native
        else:
            with cp.cuda.Device(_index(device)):
                # CUDA priorities: lower is higher, like torch's (-1 high, 0 default).
                self.native = cp.cuda.Stream(non_blocking=False, priority=priority) if priority else cp.cuda.Stream()
        self.device_index = int(self.native.device_id)

    @property
    def cuda_stream(self) -> int:
        """The raw ``cudaStream_t`` handle."""
        return int(self.native.ptr)

    def synchronize(self) -> None:
        """Wait until every kernel queued on this stream has finished."""
        self.native.synchronize()

    def query(self) -> bool:
        """True when all work queued on this stream has finished."""
        return bool(self.native.done)

    def record_event(self, event: CudaEvent | None = None) -> CudaEvent:
        """Record ``event`` (a new one if None) on this stream and return it."""
        event = CudaEvent() if event is None else event
        event.record(self)
        return event

    def wait_event(self, event: CudaEvent) -> None:
        """Make later work on this stream wait for ``event``."""
        self.native.wait_event(event.native)

    def wait_stream(self, stream: CudaStream) -> None:
        """Make later work on this stream wait for the work queued so far on ``stream``."""
        self.wait_event(stream.record_event())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CudaStream) and self.cuda_stream == other.cuda_stream

    def __hash__(self) -> int:
        return hash(self.cuda_stream)

    def __repr__(self) -> str:
        return f"<ember.cuda.Stream device=cuda:{self.device_index} cuda_stream={self.cuda_stream:#x}>"


class CudaEvent:
    """A CUDA event (``torch.cuda.Event``): a marker in a stream, for syncing and timing.

    >>> start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)  # doctest: +SKIP
    >>> start.record(); y = x @ x; end.record(); end.synchronize()  # doctest: +SKIP
    >>> start.elapsed_time(end)  # milliseconds                      # doctest: +SKIP
    """

    def __init__(self, enable_timing: bool = False, blocking: bool = False, interprocess: bool = False) -> None:
        self.enable_timing = bool(enable_timing)
        self.native = _cp().cuda.Event(block=blocking, disable_timing=not enable_timing, interprocess=interprocess)
        self._recorded = False

    def record(self, stream: CudaStream | None = None) -> None:
        """Record this event on ``stream`` (default: the current stream)."""
        self.native.record(None if stream is None else stream.native)
        self._recorded = True

    def wait(self, stream: CudaStream | None = None) -> None:
        """Make later work on ``stream`` (default: the current stream) wait for this event."""
        native = _cp().cuda.get_current_stream() if stream is None else stream.native
        native.wait_event(self.native)

    def query(self) -> bool:
        """True when the work before this event's record has finished."""
        return bool(self.native.done)

    def synchronize(self) -> None:
        """Wait for the work before this event's record to finish."""
        self.native.synchronize()

    def elapsed_time(self, end_event: CudaEvent) -> float:
        """Milliseconds between this event's record and ``end_event``'s (both recorded and finished)."""
        for ev, which in ((self, "this event"), (end_event, "end_event")):
            if not ev.enable_timing:
                raise RuntimeError(f"elapsed_time(): {which} was created without enable_timing=True")
            if not ev._recorded:
                raise RuntimeError(f"elapsed_time(): {which} has not been recorded; call record() first")
        end_event.native.synchronize()
        return float(_cp().cuda.get_elapsed_time(self.native, end_event.native))

    def __repr__(self) -> str:
        return f"<ember.cuda.Event enable_timing={self.enable_timing} recorded={self._recorded}>"


def _index(device: Any) -> int:
    """A device index from None (current), an int, ``"cuda:1"`` or an ``ember.device``."""
    if device is None:
        return int(_cp().cuda.runtime.getDevice())
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    from ember import device as ember_device

    dev = ember_device(device) if isinstance(device, str) else device
    if getattr(dev, "type", None) != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {device}")
    return 0 if dev.index is None else int(dev.index)


class _StreamContext:
    """``ember.cuda.stream(s)``: make ``s`` the current stream (and its device current) inside the block."""

    def __init__(self, stream: CudaStream | None) -> None:
        self.stream = stream
        self._device: Any = None

    def __enter__(self) -> CudaStream | None:
        if self.stream is not None:
            self._device = _cp().cuda.Device(self.stream.device_index)
            self._device.__enter__()
            self.stream.native.__enter__()
        return self.stream

    def __exit__(self, *exc: Any) -> None:
        if self.stream is not None:
            self.stream.native.__exit__(*exc)
            self._device.__exit__(*exc)


class DeviceAPI:
    """Mixed into CupyBackend: the methods ``ember.cuda``'s functions call."""

    Stream = CudaStream
    Event = CudaEvent
    _peak: dict[int, int]
    _peak_lock: threading.Lock

    def _start(self) -> None:
        """Install the peak-tracking allocator around CuPy's default memory pool (once per backend)."""
        cp = _cp()
        pool = cp.get_default_memory_pool()
        self._peak, self._peak_lock = {}, threading.Lock()
        peak, getdev = self._peak, cp.cuda.runtime.getDevice

        def malloc(nbytes: int) -> Any:
            mem = pool.malloc(nbytes)
            used = pool.used_bytes()
            dev = getdev()
            if used > peak.get(dev, 0):
                peak[dev] = used
            return mem

        cp.cuda.set_allocator(malloc)

    def current_device(self) -> int:
        return int(_cp().cuda.runtime.getDevice())

    def set_device(self, device: Any) -> None:
        _cp().cuda.runtime.setDevice(_index(device))

    def device_context(self, device: Any) -> Any:
        """``ember.cuda.device(i)``: the device made current inside a ``with`` block."""
        return _cp().cuda.Device(_index(device))

    def synchronize(self, device: Any = None) -> None:
        with _cp().cuda.Device(_index(device)):
            _cp().cuda.runtime.deviceSynchronize()

    def get_device_name(self, device: Any = None) -> str:
        props = _cp().cuda.runtime.getDeviceProperties(_index(device))
        name = props["name"]
        return name.decode() if isinstance(name, bytes) else str(name)

    def get_device_capability(self, device: Any = None) -> tuple[int, int]:
        props = _cp().cuda.runtime.getDeviceProperties(_index(device))
        return int(props["major"]), int(props["minor"])

    def current_stream(self, device: Any = None) -> CudaStream:
        with _cp().cuda.Device(_index(device)):
            return CudaStream(_native=_cp().cuda.get_current_stream())

    def default_stream(self, device: Any = None) -> CudaStream:
        with _cp().cuda.Device(_index(device)):
            return CudaStream(_native=_cp().cuda.Stream.null)

    def stream_context(self, stream: CudaStream | None) -> _StreamContext:
        return _StreamContext(stream)

    # -- memory (CuPy's pool; bytes) -----------------------------------------------------------
    def _pool_bytes(self, device: Any, what: str) -> int:
        cp = _cp()
        with cp.cuda.Device(_index(device)):
            pool = cp.get_default_memory_pool()
            return int(pool.used_bytes() if what == "used" else pool.total_bytes())

    def memory_allocated(self, device: Any = None) -> int:
        return self._pool_bytes(device, "used")

    def memory_reserved(self, device: Any = None) -> int:
        return self._pool_bytes(device, "total")

    def max_memory_allocated(self, device: Any = None) -> int:
        index = _index(device)
        return max(self._peak.get(index, 0), self.memory_allocated(index))

    def reset_peak_memory_stats(self, device: Any = None) -> None:
        index = _index(device)
        self._peak[index] = self.memory_allocated(index)

    def empty_cache(self) -> None:
        cp = _cp()
        cp.get_default_memory_pool().free_all_blocks()
        cp.get_default_pinned_memory_pool().free_all_blocks()
