"""The example backend against Ember's conformance kit."""

from __future__ import annotations

from ember.testing.conformance import conformance_tests

test_conformance = conformance_tests("strict", backend="array-api-strict")
