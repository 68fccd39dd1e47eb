"""``ember.nn.functional`` (``import ember.nn.functional as F``): torch.nn.functional's API.

The convolution, pooling, normalization, softmax, dropout, embedding, padding and
interpolation ops are core's (``ember.conv2d`` ...); activations, losses, linear
maps and attention are written here with Ember ops.
"""

from __future__ import annotations

# `linear` is imported under another name: the star import below rebinds it to F.linear.
from ember.nn._functional import activation, attention, ctc, loss, ops
from ember.nn._functional import linear as _linear
from ember.nn._functional.activation import *  # noqa: F403
from ember.nn._functional.attention import *  # noqa: F403
from ember.nn._functional.ctc import *  # noqa: F403
from ember.nn._functional.linear import *  # noqa: F403
from ember.nn._functional.loss import *  # noqa: F403
from ember.nn._functional.ops import *  # noqa: F403

__all__ = [*ops.__all__, *activation.__all__, *_linear.__all__, *loss.__all__, *ctc.__all__, *attention.__all__]
