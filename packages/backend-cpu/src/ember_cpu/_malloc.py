"""Keep freed memory for reuse, so large temporaries are not page-faulted in again on every op.

glibc serves big allocations with fresh ``mmap`` pages and returns them to the OS on
``free``; an op chain that makes and drops a few large temporaries per call then pays
for zeroed page faults every time (measured: ``a + b * 0.1`` on 1000x1000 float32 took
3.6 ms instead of 0.2 ms). Raising glibc's mmap and trim thresholds makes such blocks
come from, and go back to, the heap, where the next op reuses them: the job a caching
allocator does in PyTorch. The cost is that freed memory stays with the process.

Set ``EMBER_CPU_MALLOC=default`` to leave the C allocator alone. Only glibc is tuned;
elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["tune_malloc", "MMAP_THRESHOLD", "TRIM_THRESHOLD"]

# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Allocations below this come from the heap (and are reused) instead of fresh mmap pages.
MMAP_THRESHOLD = 256 << 20
#: The heap keeps up to this much free memory instead of returning it to the OS.
TRIM_THRESHOLD = 1 << 30

_done: bool | None = None


def tune_malloc() -> bool:
    """Apply the thresholds once per process; True if glibc accepted them."""
    global _done
    if _done is not None:
        return _done
    _done = False
    if os.environ.get("EMBER_CPU_MALLOC", "").lower() == "default" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, ...)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    _done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _done
