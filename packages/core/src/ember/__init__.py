"""Ember: a hackable, PyTorch-shaped deep-learning framework.

``ember`` is one import namespace shared by several distributions (ember-core
owns this file; ember-autograd, ember-nn and ember-optim ship only their
subpackage folders), so the package path is extended over every ``ember``
folder on ``sys.path``.

>>> import ember
>>> ember.tensor([1.0, 2.0]) * 2
tensor([2., 4.])
"""

from __future__ import annotations

import builtins
from pkgutil import extend_path
from typing import Any

__path__ = extend_path(__path__, __name__)

from ember import (
    _nnops,
    _ops_index,
    _ops_join,
    _ops_linalg,
    _ops_scatter,
    _ops_sort,
    backends,
    cuda,
    linalg,
)
from ember._creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_dlpack,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from ember._device import device
from ember._dtypes import (
    bfloat16,
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    result_type,
    set_default_dtype,
    uint8,
)
from ember._dtypes import bool_ as bool
from ember._elementwise import broadcast_shapes, where
from ember._errors import (
    BackendNotFoundError,
    DuplicateBackendError,
    EmberError,
    MissingPackageError,
    PluginLoadError,
    SerializationError,
)
from ember._functional import FUNCTIONS, make_function
from ember._nnops import *  # noqa: F403
from ember._ops_complex import *  # noqa: F403
from ember._ops_index import *  # noqa: F403
from ember._ops_join import *  # noqa: F403
from ember._ops_linalg import *  # noqa: F403
from ember._ops_reduce import std_mean, values_indices, var_mean
from ember._ops_scatter import *  # noqa: F403
from ember._ops_shape import cat, stack
from ember._ops_sort import *  # noqa: F403
from ember._printing import get_printoptions, printoptions, set_printoptions
from ember._random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from ember._sampling import bernoulli, multinomial, normal, randint_like, randperm
from ember._serialization import load, save
from ember._tensor import Size, Tensor
from ember.hookspecs import hookimpl

__version__ = "0.1.0"

# torch's dtype aliases.
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128
concat = concatenate = cat


def is_tensor(obj: object) -> builtins.bool:
    """Whether ``obj`` is an :class:`ember.Tensor`."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> builtins.int:
    """The number of elements of ``input``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"numel(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input.numel()


def is_floating_point(input: Tensor) -> builtins.bool:
    """Whether ``input`` has a floating dtype."""
    return input.is_floating_point()


_GRAD_MODE = ("no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
              "is_inference_mode_enabled")


def __getattr__(name: str) -> Any:
    """``ember.no_grad`` and the other grad-mode names live in ember-autograd (imported on first use).

    Typed as ``Any`` so that type checkers accept these and the function forms that
    ``_install_functions`` adds at import time (``ember.sort``, ``ember.addmm``, ...)."""
    if name in _GRAD_MODE:
        from ember._tensor import autograd_module

        return getattr(autograd_module(f"ember.{name}"), name)
    raise AttributeError(f"module 'ember' has no attribute {name!r}")


def _install_functions() -> list[str]:
    names = []
    for name in FUNCTIONS:
        if name not in globals():
            globals()[name] = make_function(name)
            names.append(name)
    return names


_FUNCTION_NAMES = _install_functions()

__all__ = [
    "Tensor", "Size", "dtype", "device", "Generator", "backends", "cuda", "linalg", "hookimpl",
    "tensor", "as_tensor", "from_numpy", "from_dlpack", "zeros", "ones", "full", "empty", "zeros_like", "ones_like",
    "full_like", "empty_like", "arange", "linspace", "eye", "rand", "randn", "randint", "rand_like",
    "randn_like", "normal", "bernoulli", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "randperm", "multinomial", "randint_like",
    "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
    "complex64", "complex128", "half", "float", "double", "short", "int", "long", "cfloat", "cdouble",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "broadcast_shapes",
    "set_printoptions", "get_printoptions", "printoptions",
    "cat", "concat", "concatenate", "stack", "where", "values_indices", "var_mean", "std_mean", "is_tensor", "numel",
    "is_floating_point",
    "save", "load", "SerializationError",
    "EmberError", "BackendNotFoundError", "DuplicateBackendError", "PluginLoadError", "MissingPackageError",
    *_FUNCTION_NAMES,
    *_nnops.__all__, *_ops_index.__all__, *_ops_join.__all__, *_ops_linalg.__all__, *_ops_scatter.__all__, *_ops_sort.__all__,
]
