"""Reference implementations of the optional-tier kernels, one module per family.

Every function here takes the backend as its first argument and uses only the
required tier (:mod:`ember.backends._protocol`), so it runs on any backend. Its
docstring is the contract an overriding backend method must meet. Importing
this package registers every kernel in :data:`ember.backends.OPTIONAL_KERNELS`.
"""

from ember.backends.reference import (
    activation,
    conv,
    embedding,
    inplace,
    norm,
    optim,
    pool,
    resample,
)

__all__ = ["activation", "conv", "embedding", "inplace", "norm", "optim", "pool", "resample"]
