"""Import time of ember, numpy and torch, each in fresh interpreters, interleaved.

Every run is ``python -c "import X"`` in a new process; the runs go round-robin
over the modules (and a bare ``python -c pass`` for the interpreter's own
start-up), so machine load drifts hit them alike. Reported: the median wall
time per module, and the median with the bare start-up subtracted.

Every module is timed from compiled bytecode, as after a normal ``pip install``:
the children get a private ``PYTHONPYCACHEPREFIX`` (in the temp folder, kept
between runs) and no ``PYTHONDONTWRITEBYTECODE``, and an untimed first run
fills that cache. Otherwise an editable Ember whose sources changed since its
``__pycache__`` was written is recompiled on every import (tens of ms) while
site-packages modules are not. The source tree is never written to.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ImportTiming", "time_imports", "ember_import_footprint"]

BARE = "(python -c pass)"


@dataclass(frozen=True)
class ImportTiming:
    """Wall seconds of ``python -c "import <module>"`` runs."""

    module: str
    runs: tuple[float, ...]
    startup: float  # median of the bare interpreter's runs

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def net(self) -> float:
        """The median with the interpreter's start-up taken off."""
        return self.median - self.startup


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    tag = sys.implementation.cache_tag or "python"
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), f"ember-bench-pycache-{tag}")
    return env


def _run_once(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - start


def time_imports(modules: Sequence[str] = ("ember", "numpy", "torch"), runs: int = 7) -> list[ImportTiming]:
    """Median-of-``runs`` import times; modules that fail to import are left out."""
    importable = [m for m in modules if _importable(m)]
    codes = {BARE: "pass", **{m: f"import {m}" for m in importable}}
    env = _child_env()
    for code in codes.values():  # one untimed pass fills the bytecode and OS file caches
        _run_once(code, env)
    times: dict[str, list[float]] = {name: [] for name in codes}
    names = list(codes)
    for r in range(runs):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(_run_once(codes[name], env))
    startup = statistics.median(times[BARE])
    return [ImportTiming(m, tuple(times[m]), startup) for m in importable]


def _importable(module: str) -> bool:
    code = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
    return subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


_FOOTPRINT = """
import json, sys
before = set(sys.modules)
import numpy
with_numpy = set(sys.modules)
import ember
after = set(sys.modules)
new = sorted(after - with_numpy)
print(json.dumps({
    "numpy_modules": len(with_numpy - before),
    "ember_modules_beyond_numpy": len(new),
    "top_level_beyond_numpy": sorted({m.split(".")[0] for m in new}),
    "plugins_loaded": sorted(m for m in after if m.startswith("ember_")),
    "torch_loaded": "torch" in after,
}))
"""


def ember_import_footprint() -> dict[str, Any]:
    """What ``import ember`` loads beyond NumPy (module counts, plugins, torch), in a fresh process."""
    import json

    out = subprocess.run([sys.executable, "-c", _FOOTPRINT], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout))
