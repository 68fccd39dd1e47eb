"""Copies between the host and GPUs: the ``transfer`` hook core calls from ``Tensor.to``, and pinned memory.

``non_blocking=True`` is honoured as PyTorch does: a host-to-device copy from pinned
(page-locked) memory, and a device-to-host copy into freshly pinned memory, are queued
on the current stream and return at once; from pageable memory the copy is synchronous.
Device-to-device copies between GPUs are peer copies (no trip through the host).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ember_cuda import _runtime

__all__ = ["TransferMixin"]

_CUDA_MEMORY_TYPE_HOST = 1  # cudaMemoryTypeHost: page-locked host memory


class TransferMixin:
    """Mixed into CupyBackend."""

    device_type: ClassVar[str]
    xp: ClassVar[Any]

    def transfer(self, x: Any, src: Any, dst: Any, index: int | None, non_blocking: bool) -> Any:
        """``x`` (an array of backend ``src``) as an array of backend ``dst`` on device ``index``,
        or None to let core copy it through NumPy (other device types)."""
        cp = _runtime.cupy
        if dst is self and src is self:  # cuda:i -> cuda:j
            # ndarray.copy() allocates on the current device, copying peer to peer from another one;
            # stream-ordered, as torch's device-to-device copies are.
            with cp.cuda.Device(index):
                return x.copy(order="C")
        if dst is self and src.device_type == "cpu":  # host -> cuda:i
            host = src.to_numpy(x)
            with cp.cuda.Device(index):
                if non_blocking and _pinned(host) and host.flags.c_contiguous:
                    out = cp.empty(host.shape, host.dtype)
                    out.set(host, stream=cp.cuda.get_current_stream())
                    return out
                return cp.asarray(host)
        if src is self and dst.device_type == "cpu":  # cuda:i -> host
            if non_blocking:
                with x.device:
                    out = _runtime.cupyx.empty_pinned(x.shape, x.dtype)
                    x.get(stream=cp.cuda.get_current_stream(), out=out, blocking=False)
                return dst.from_numpy(out, None)
            return dst.from_numpy(x.get(), None)
        return None

    def pin_memory(self, host: np.ndarray) -> np.ndarray:
        """A copy of the NumPy array ``host`` in page-locked memory (what ``Tensor.pin_memory`` holds)."""
        if not getattr(self, "_count", 0):
            raise RuntimeError(f"pin_memory(): no CUDA device is available: {_runtime.unavailable_reason()}")
        out = _runtime.cupyx.empty_pinned(host.shape, host.dtype)
        np.copyto(out, host)
        return out

    def is_pinned(self, host: np.ndarray) -> bool:
        """Whether the NumPy array ``host`` lives in page-locked memory."""
        return _pinned(host)


def _pinned(host: np.ndarray) -> bool:
    cp = _runtime.cupy
    if cp is None or not host.size:
        return False
    try:
        attrs = cp.cuda.runtime.pointerGetAttributes(int(host.__array_interface__["data"][0]))
    except Exception:  # pageable memory on older drivers, or no CUDA at all
        return False
    return int(getattr(attrs, "type", 0)) == _CUDA_MEMORY_TYPE_HOST
