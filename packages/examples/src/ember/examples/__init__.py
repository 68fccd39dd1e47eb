"""``ember.examples``: Ember's main job and the models the examples share.

- ``python -m ember.examples.train``: a small CNN trained on scikit-learn's 8x8 digits
  (progress bar, test accuracy, checkpoint, plot); needs ``pip install "ember-examples[train]"``.
- :mod:`ember.examples.models`: ``DigitsCNN``, the tutorial ``LeNet``, ``resnet18``.
"""

from __future__ import annotations

__all__: list[str] = []
