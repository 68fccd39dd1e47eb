"""Neural-network operations in core (``ember.conv2d``, ``ember.softmax``, ...).

Each module checks arguments with PyTorch's errors and calls optional-tier
kernels (:mod:`ember.backends.reference`). ``ember.nn.functional`` re-exports
these with ``torch.nn.functional``'s names.
"""

# `embedding` is imported under another name: the star import below rebinds it to the function.
from ember._nnops import activation, conv, norm, pool, resample
from ember._nnops import embedding as _embedding
from ember._nnops.activation import *  # noqa: F403
from ember._nnops.conv import *  # noqa: F403
from ember._nnops.embedding import *  # noqa: F403
from ember._nnops.norm import *  # noqa: F403
from ember._nnops.pool import *  # noqa: F403
from ember._nnops.resample import *  # noqa: F403

__all__ = [
    *activation.__all__, *conv.__all__, *_embedding.__all__, *norm.__all__, *pool.__all__,
    *resample.__all__,
]
