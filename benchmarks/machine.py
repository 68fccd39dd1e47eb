"""Thread settings, machine description and a CPU-contention meter for the benchmarks.

Thread policy: every library gets all the cores this process may use
(``os.sched_getaffinity``). OpenBLAS (NumPy's, and so Ember's CPU backend's)
reads ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` once, when NumPy is
imported, so :func:`configure_threads` must run before anything imports NumPy;
PyTorch's intra-op pool is set with ``torch.set_num_threads`` after import.
Variables the user already set are kept (and reported). Single-threaded
tiny-op timings do not depend on this; large matmuls do.

This module must not import NumPy at import time.
"""

from __future__ import annotations

import ctypes
import os
import platform
import subprocess
import sys
from types import TracebackType
from typing import Any

__all__ = [
    "THREAD_VARIABLES", "usable_cores", "configure_threads", "set_torch_threads", "cpu_model",
    "openblas_runtime", "machine_info", "load_average", "CpuMeter",
]

#: Environment variables the BLAS and OpenMP runtimes read at load time.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, else ``os.cpu_count()``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def configure_threads(threads: int | None = None) -> dict[str, str]:
    """Set the BLAS/OpenMP thread variables (unless already set) and return what they are.

    Args:
        threads: the count to use; default :func:`usable_cores`. An explicit
            count overrides variables the user set.
    """
    count = str(threads if threads is not None else usable_cores())
    for var in THREAD_VARIABLES:
        if threads is not None or var not in os.environ:
            os.environ[var] = count
    if "numpy" in sys.modules:
        print(
            "warning: numpy was imported before configure_threads(); OpenBLAS keeps the thread "
            "count it started with",
            file=sys.stderr,
        )
    return {var: os.environ[var] for var in THREAD_VARIABLES}


def blas_threads() -> int:
    """The BLAS/OpenMP thread count this process runs with (as :func:`configure_threads` set it)."""
    for var in THREAD_VARIABLES:
        value = os.environ.get(var, "")
        if value.isdigit():
            return int(value)
    return usable_cores()


def set_torch_threads(torch: Any, threads: int | None = None) -> int:
    """Give PyTorch's intra-op pool ``threads`` threads (default: the usable cores)."""
    torch.set_num_threads(threads if threads is not None else usable_cores())
    return int(torch.get_num_threads())


# -- description ----------------------------------------------------------------------------

def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or ``platform.processor()``)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return "unknown"
    simd = [name for name in ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile") if name in flags]
    return " ".join(simd) or "none of avx2/avx512"


def openblas_runtime() -> dict[str, Any]:
    """Thread count and kernel family of the OpenBLAS that NumPy loaded (empty if none found)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower() and "/" in line})
    except OSError:
        return {}
    for path in paths:
        lib = ctypes.CDLL(path)
        # Builds prefix and suffix the symbols differently (scipy-openblas64 vs plain OpenBLAS).
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "64_"), ("openblas", "")):
            threads = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            corename = getattr(lib, f"{prefix}_get_corename{suffix}", None)
            if threads is None or corename is None:
                continue
            corename.restype = ctypes.c_char_p
            return {"threads": int(threads()), "core": corename().decode(), "library": os.path.basename(path)}
    return {}


def numpy_info() -> dict[str, Any]:
    import numpy as np

    info: dict[str, Any] = {"version": np.__version__}
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # the config layout is not a stable API
        info["blas"] = "unknown"
    info["openblas"] = openblas_runtime()
    return info


def torch_info(torch: Any) -> dict[str, Any]:
    if torch is None:
        return {"version": None}
    return {
        "version": torch.__version__,
        "threads": int(torch.get_num_threads()),
        "mkl": bool(torch.backends.mkl.is_available()),
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
    }


def ember_info() -> dict[str, Any]:
    import ember

    backend = ember.backends.get_backend("cpu")
    return {
        "version": ember.__version__,
        "cpu_backend": getattr(backend, "name", repr(backend)),
        "source": git_revision(os.path.dirname(ember.__file__ or ".")),
    }


def git_revision(folder: str) -> str | None:
    """``<short commit>`` of the checkout holding ``folder``, ``+dirty`` if its package has edits."""
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", "-C", folder, *args], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "--short", "HEAD")
    if commit is None:
        return None  # an installed wheel, not a checkout
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".")
    return f"{commit}+dirty" if dirty else commit


def machine_info(torch: Any = None) -> dict[str, Any]:
    """Everything a reader needs to compare these figures with others'."""
    return {
        "cpu": cpu_model(),
        "simd": _cpu_flags(),
        "cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "thread_env": {var: os.environ.get(var) for var in THREAD_VARIABLES},
        "numpy": numpy_info(),
        "torch": torch_info(torch),
        "ember": ember_info(),
        "loadavg": load_average(),
    }


def load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except OSError:
        return None


# -- contention ---------------------------------------------------------------------------------

class CpuMeter:
    """Measures how much of the machine *other* processes used while the block ran.

    Reads the machine's busy time from /proc/stat and subtracts this process's own
    CPU time; ``other_share`` is what is left, as a fraction of all cores
    (0.5 on a 2-core machine means one core was busy elsewhere the whole time).
    Hypervisor steal counts as other use. None where /proc/stat is missing.
    """

    def __init__(self) -> None:
        self.other_share: float | None = None
        self._start: tuple[float, float, float] | None = None

    @staticmethod
    def _read() -> tuple[float, float, float] | None:
        """(machine busy seconds, machine total seconds, own CPU seconds)."""
        try:
            with open("/proc/stat", encoding="utf-8") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        tick = os.sysconf("SC_CLK_TCK")
        # user nice system idle iowait irq softirq steal (guest time is already in user)
        idle = fields[3] + fields[4]
        total = sum(fields[:8])
        own = os.times()
        return (total - idle) / tick, total / tick, own.user + own.system

    def __enter__(self) -> CpuMeter:
        self._start = self._read()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        end = self._read()
        if self._start is None or end is None:
            return
        busy = end[0] - self._start[0]
        total = end[1] - self._start[1]
        own = end[2] - self._start[2]
        if total > 0:
            self.other_share = min(1.0, max(0.0, (busy - own) / total))
