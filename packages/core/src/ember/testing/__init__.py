"""Testing helpers, mirroring ``torch.testing``.

>>> import ember
>>> from ember.testing import assert_close
>>> assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0 + 1e-7]))
"""

from __future__ import annotations

from ember.testing._comparison import assert_close
from ember.testing.conformance import conformance_tests

__all__ = ["assert_close", "conformance_tests"]
