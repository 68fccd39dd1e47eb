"""The NumPy backend against the conformance kit (every kernel, dtype and layout; see ember.testing.conformance)."""

from __future__ import annotations

from ember.testing.conformance import conformance_tests

# NumPy is the kit's reference, so the defaults (torch.testing's tolerances) hold everywhere.
test_conformance = conformance_tests("cpu", backend="numpy")
