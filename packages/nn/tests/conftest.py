"""Shared setup for the nn tests (see ``ember.testing._suite``)."""

from __future__ import annotations

from ember.testing._suite import device, setup_suite

__all__ = ["device"]  # the fixture, for every test module here

setup_suite(__file__)
