"""Shared setup for the CPU backend tests (see ``ember.testing._suite``)."""

from __future__ import annotations

from ember.testing._suite import setup_suite

setup_suite(__file__)
