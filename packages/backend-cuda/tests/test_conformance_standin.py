"""CupyBackend's kernels on the CPU: the conformance kit on the NumPy stand-in (see _standin)."""

from __future__ import annotations

import _standin

from ember.testing.conformance import conformance_tests

_standin.register()
# NumPy is both the stand-in's namespace and the kit's reference; the defaults hold.
test_conformance = conformance_tests("cudasim", backend="cupy-standin")
