"""Testing helpers, mirroring ``torch.testing``; the backend conformance kit is
:mod:`ember.testing.conformance` (imported on its own, as it needs pytest).

>>> import ember
>>> from ember.testing import assert_close
>>> assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0 + 1e-7]))
"""

from __future__ import annotations

from ember.testing._comparison import assert_close

__all__ = ["assert_close"]
