"""A CPU stand-in for the CuPy backend: CupyBackend's code with NumPy as its namespace.

Only the platform primitives (device contexts, pointers, views, scatter, RNG seeding) are
replaced, with NumPy's equivalents; every kernel override runs as written, so the
conformance kit checks their logic on machines without a GPU. Registered as device type
``cudasim`` (one device) so it never stands in for real ``cuda``.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

import ember
from ember_cuda._backend import CupyBackend, bind_namespace


def _root(x: np.ndarray) -> np.ndarray:
    while isinstance(x.base, np.ndarray):
        x = x.base
    return x


def _addr(x: np.ndarray) -> int:
    return int(x.__array_interface__["data"][0])


class NumpyStandIn(CupyBackend):
    name = "cupy-standin"
    device_type = "cudasim"
    fused_kernels = False  # the CUDA kernel bodies need a GPU (tested by the cuda-marked tests)
    transfer = None  # cupy-only; core then copies through NumPy

    def _probe(self) -> tuple[int, str | None]:
        return 1, None

    def _start(self) -> None:
        pass

    _on = staticmethod(lambda index: contextlib.nullcontext())
    _host = staticmethod(lambda x: x)
    _ptr = staticmethod(_addr)
    _root_ptr = staticmethod(lambda x: _addr(_root(x)))

    @staticmethod
    def _view(x: Any, shape: Any, byte_strides: Any, byte_offset: int) -> Any:
        root = _root(x)
        return np.ndarray(shape, x.dtype, buffer=root, offset=_addr(x) - _addr(root) + byte_offset, strides=byte_strides)

    _as_strided = staticmethod(np.lib.stride_tricks.as_strided)
    _add_at = staticmethod(np.add.at)
    _max_at = staticmethod(np.maximum.at)
    _min_at = staticmethod(np.minimum.at)
    _rng = staticmethod(np.random.default_rng)


bind_namespace(NumpyStandIn, np)


class _Plugin:
    @ember.hookimpl
    def ember_register_backends(self, register: Any) -> None:
        register(NumpyStandIn)


def register() -> None:
    """Register the stand-in (once per process) as device type ``cudasim``."""
    if "cudasim" not in ember.backends.available():
        ember.backends.register_plugin(_Plugin(), "cupy-standin")
