"""CuPy, if installed, and whether CUDA devices are usable: probed once, never raising.

Nothing here touches the GPU at import. :func:`probe` asks the CUDA runtime for the
device count the first time availability matters and keeps the answer, with a
sentence saying why no device is usable (no CuPy, no driver, no device) and what
to install, which core shows when someone asks for a ``cuda`` tensor anyway.
"""

from __future__ import annotations

import importlib
import os
import threading
from typing import Any

__all__ = ["cupy", "cupyx", "probe", "unavailable_reason", "INSTALL_HINT"]

INSTALL_HINT = (
    'pip install "ember-cuda[cuda12]" (CUDA 12 drivers) or "ember-cuda[cuda13]" (CUDA 13), '
    "which install CuPy for that CUDA version"
)


def _import(name: str) -> tuple[Any, BaseException | None]:
    # importlib keeps mypy from needing CuPy's stubs, which CPU-only CI does not have.
    try:
        return importlib.import_module(name), None
    except Exception as exc:  # ImportError, or a broken CuPy install raising anything else
        # Kept for its message only: its traceback would keep alive every frame of whoever
        # first loaded the plugin (and their locals).
        exc.__context__ = exc.__cause__ = None
        return None, exc.with_traceback(None)


cupy: Any
cupyx: Any
cupy, _IMPORT_ERROR = _import("cupy")
cupyx = _import("cupyx")[0] if cupy is not None else None

_lock = threading.Lock()
_probed: list[tuple[int, str | None]] = []


def probe() -> tuple[int, str | None]:
    """``(device_count, reason)``: how many CUDA devices CuPy can use, and if none, why not."""
    if _probed:
        return _probed[0]
    with _lock:
        if not _probed:
            _probed.append(_probe())
    return _probed[0]


def _probe() -> tuple[int, str | None]:
    if cupy is None:
        what = "CuPy is not installed" if isinstance(_IMPORT_ERROR, ImportError) else (
            f"CuPy failed to import ({type(_IMPORT_ERROR).__name__}: {_IMPORT_ERROR})"
        )
        return 0, f"{what}; install it with {INSTALL_HINT}"
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return 0, f"CUDA_VISIBLE_DEVICES={os.environ['CUDA_VISIBLE_DEVICES']!r} hides every GPU"
    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as exc:  # CUDARuntimeError (a RuntimeError), or a missing libcuda
        return 0, _runtime_reason(exc)
    if count == 0:
        return 0, "the CUDA driver reports no GPU on this machine"
    return count, None


def _runtime_reason(exc: BaseException) -> str:
    msg = str(exc)
    if "InsufficientDriver" in msg or "driver version is insufficient" in msg:
        return (
            f"the NVIDIA driver is missing or too old for this CuPy build ({msg}); install an NVIDIA "
            f"driver, or the CuPy build for your driver's CUDA version with {INSTALL_HINT}"
        )
    if "NoDevice" in msg or "no CUDA-capable device" in msg:
        return f"no CUDA-capable GPU was found ({msg})"
    return f"CUDA could not be initialised ({type(exc).__name__}: {msg}); check the NVIDIA driver with nvidia-smi"


def unavailable_reason() -> str | None:
    """Why no CUDA device is usable, or None when at least one is."""
    return probe()[1]


def reset_probe() -> None:
    """Forget the probed answer (tests that fake an environment)."""
    with _lock:
        _probed.clear()
