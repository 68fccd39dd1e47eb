"""Random number generators: ``ember.manual_seed`` and ``ember.Generator``.

A :class:`Generator` holds a seed; each backend makes its native generator
from that seed on first use, so one seed gives reproducible streams on every
device type.
"""

from __future__ import annotations

import operator
import threading
from typing import Any

from ember._device import as_device, device

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "default_generator_for"]

# torch's default CPU seed, so an unseeded program is still reproducible run to run.
_DEFAULT_SEED = 67280421310721
_MASK = (1 << 64) - 1


class Generator:
    """A seeded source of random numbers for one device type.

    >>> g = ember.Generator().manual_seed(42)
    >>> ember.rand(2, generator=g).shape
    ember.Size([2])
    """

    __slots__ = ("_lock", "_native", "_seed", "device")

    def __init__(self, device: Any = "cpu") -> None:
        dev = as_device("cpu" if device is None else device)
        assert dev is not None
        self.device: device = dev
        self._seed = _DEFAULT_SEED
        self._native: dict[tuple[int, int | None], Any] = {}
        self._lock = threading.Lock()

    def manual_seed(self, seed: int) -> Generator:
        """Reseed; returns ``self`` so ``Generator().manual_seed(0)`` chains."""
        # Stricter than torch, which calls int(seed) and so truncates 1.5 to 1.
        try:
            value = operator.index(seed)
        except TypeError:
            raise TypeError(f"manual_seed expected a long, but got {type(seed).__name__}") from None
        if not -(1 << 63) <= value <= _MASK:
            raise ValueError(
                f"Overflow when unpacking long long: seed {value} must be in [-2**63, 2**64 - 1]"
            )
        with self._lock:
            self._seed = value & _MASK
            self._native.clear()
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy and return the new seed."""
        import secrets  # lazily: it loads OpenSSL, a few ms of every import ember

        value = secrets.randbits(63)
        self.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def native(self, backend: Any, dev: device) -> Any:
        """The backend's native generator for ``dev``, created from the seed on first use."""
        key = (id(backend), dev.index)
        gen = self._native.get(key)
        if gen is None:
            with self._lock:
                gen = self._native.get(key)
                if gen is None:
                    gen = self._native[key] = backend.new_generator(self._seed, dev.index)
        return gen

    def __repr__(self) -> str:
        return f"<ember.Generator object for device {self.device}>"


_defaults: dict[str, Generator] = {}


def default_generator_for(dev: device) -> Generator:
    """The process-wide generator used when no ``generator=`` is passed."""
    gen = _defaults.get(dev.type)
    if gen is None:
        gen = _defaults.setdefault(dev.type, Generator(dev.type))
    return gen


def manual_seed(seed: int) -> Generator:
    """Seed every device type's default generator; returns the CPU one.

    >>> ember.manual_seed(0)  # doctest: +ELLIPSIS
    <ember.Generator object for device cpu>
    """
    cpu = default_generator_for(device("cpu"))
    cpu.manual_seed(seed)
    for gen in _defaults.values():
        gen.manual_seed(seed)
    return cpu


def seed() -> int:
    """Seed every default generator from the operating system's entropy; returns the seed."""
    value = default_generator_for(device("cpu")).seed()
    for gen in _defaults.values():
        gen.manual_seed(value)
    return value


def initial_seed() -> int:
    """The CPU default generator's seed."""
    return default_generator_for(device("cpu")).initial_seed()
