"""Random number generators: ``ember.manual_seed``, ``ember.Generator`` and RNG state.

A :class:`Generator` holds a seed; each backend makes its native generator
from that seed on first use, so one seed gives reproducible streams on every
device type.

State. ``get_state()`` returns a uint8 tensor holding the seed and the state of
every native generator made so far; ``set_state()`` restores it, so the numbers
drawn after it are replayed exactly. The bytes are UTF-8 JSON (plain ints and
strings, never pickle), so a state saved with ``ember.save`` is safe to load.
A backend exports its native generator's state with an optional
``generator_state(gen)`` / ``set_generator_state(gen, state)`` pair of methods
(JSON-able values); without them, generators with a NumPy-style
``bit_generator.state`` property work as they are.
"""

from __future__ import annotations

import json
import operator
import threading
from typing import Any

from ember._device import as_device, device
from ember._errors import BackendNotFoundError

__all__ = [
    "Generator", "manual_seed", "seed", "initial_seed", "default_generator_for",
    "get_rng_state", "set_rng_state",
]

# torch's default CPU seed, so an unseeded program is still reproducible run to run.
_DEFAULT_SEED = 67280421310721
_MASK = (1 << 64) - 1


class Generator:
    """A seeded source of random numbers for one device type.

    >>> g = ember.Generator().manual_seed(42)
    >>> ember.rand(2, generator=g).shape
    ember.Size([2])
    """

    __slots__ = ("_backends", "_lock", "_native", "_pending", "_seed", "device")

    def __init__(self, device: Any = "cpu") -> None:
        dev = as_device("cpu" if device is None else device)
        assert dev is not None
        self.device: device = dev
        self._seed = _DEFAULT_SEED
        self._native: dict[tuple[int, int | None], Any] = {}
        self._backends: dict[tuple[int, int | None], Any] = {}  # same keys: the backend of each
        # Native states restored by set_state(), applied when that backend next draws:
        # (backend name, device index) -> state.
        self._pending: dict[tuple[str, int | None], Any] = {}
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
            self._backends.clear()
            self._pending.clear()
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
                    gen = backend.new_generator(self._seed, dev.index)
                    state = self._pending.pop((backend.name, dev.index), None)
                    if state is not None:
                        _import_state(backend, gen, state)
                    self._native[key] = gen
                    self._backends[key] = backend
        return gen

    def get_state(self) -> Any:
        """This generator's state as a uint8 tensor (for :meth:`set_state`).

        >>> g = ember.Generator().manual_seed(0)
        >>> state = g.get_state(); a = ember.rand(3, generator=g)
        >>> _ = g.set_state(state); bool((ember.rand(3, generator=g) == a).all())
        True
        """
        from ember._creation import tensor
        from ember._dtypes import uint8

        with self._lock:
            streams = [
                [self._backends[key].name, key[1], _export_state(self._backends[key], gen)]
                for key, gen in self._native.items()
            ]
            streams += [[name, index, state] for (name, index), state in self._pending.items()]
            doc = {"format": _STATE_FORMAT, "device": self.device.type, "seed": self._seed, "streams": streams}
        data = list(json.dumps(doc, separators=(",", ":")).encode())
        try:
            return tensor(data, dtype=uint8)  # on the CPU, as torch's states are
        except BackendNotFoundError:  # a process with only another device type's backend
            return tensor(data, dtype=uint8, device=self.device)

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from :meth:`get_state`; the numbers drawn after it repeat. Returns ``self``."""
        doc = _decode_state(new_state, "set_state")
        if doc["device"] != self.device.type:
            raise RuntimeError(
                f"set_state(): the state is of a {doc['device']!r} generator, this generator is for "
                f"{self.device.type!r}"
            )
        with self._lock:
            self._seed = doc["seed"]
            self._native.clear()
            self._backends.clear()
            self._pending = {(name, index): state for name, index, state in doc["streams"]}
        return self

    def __repr__(self) -> str:
        return f"<ember.Generator object for device {self.device}>"


_STATE_FORMAT = "ember-rng-1"


def _export_state(backend: Any, gen: Any) -> Any:
    getter = getattr(backend, "generator_state", None)
    if getter is not None:
        return getter(gen)
    bit_generator = getattr(gen, "bit_generator", None)
    if bit_generator is None:
        raise RuntimeError(
            f"get_state(): the {backend.name!r} backend cannot export its generator's state; "
            "it needs generator_state() and set_generator_state() methods"
        )
    return bit_generator.state


def _import_state(backend: Any, gen: Any, state: Any) -> None:
    setter = getattr(backend, "set_generator_state", None)
    try:
        if setter is not None:
            setter(gen, state)
        else:
            gen.bit_generator.state = state
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise RuntimeError(
            f"set_state(): the {backend.name!r} backend rejected the saved generator state: {exc}"
        ) from exc


def _decode_state(new_state: Any, op: str) -> dict[str, Any]:
    """Check and parse a state tensor from ``get_state()``."""
    from ember._dtypes import uint8
    from ember._tensor import Tensor

    if not isinstance(new_state, Tensor) or new_state.dtype is not uint8:
        got = f"a {new_state.dtype} tensor" if isinstance(new_state, Tensor) else type(new_state).__name__
        raise TypeError(f"{op}(): RNG state must be an ember.uint8 tensor (from get_state()), got {got}")
    try:
        doc = json.loads(bytes(new_state.reshape(-1).tolist()).decode())
        ok = (
            isinstance(doc, dict) and doc.get("format") == _STATE_FORMAT
            and isinstance(doc.get("seed"), int) and 0 <= doc["seed"] <= _MASK
            and isinstance(doc.get("device"), str) and isinstance(doc.get("streams"), list)
            and all(
                isinstance(s, list) and len(s) == 3 and isinstance(s[0], str)
                and (s[1] is None or isinstance(s[1], int)) for s in doc["streams"]
            )
        )
    except (UnicodeDecodeError, ValueError):
        ok = False
    if not ok:
        raise RuntimeError(
            f"{op}(): expected an RNG state made by get_state(), got {new_state.numel()} bytes that are not one"
        )
    return doc


_defaults: dict[str, Generator] = {}


_last_seed: list[int | None] = [None]  # the last manual_seed()/seed(), for device types seen later


def default_generator_for(dev: device) -> Generator:
    """The process-wide generator used when no ``generator=`` is passed."""
    gen = _defaults.get(dev.type)
    if gen is None:
        fresh = Generator(dev.type)
        if _last_seed[0] is not None:  # manual_seed() seeds every device type, even ones first used later
            fresh.manual_seed(_last_seed[0])
        gen = _defaults.setdefault(dev.type, fresh)
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
    _last_seed[0] = cpu.initial_seed()
    return cpu


def seed() -> int:
    """Seed every default generator from the operating system's entropy; returns the seed."""
    value = default_generator_for(device("cpu")).seed()
    for gen in _defaults.values():
        gen.manual_seed(value)
    _last_seed[0] = value
    return value


def initial_seed() -> int:
    """The CPU default generator's seed."""
    return default_generator_for(device("cpu")).initial_seed()


def get_rng_state() -> Any:
    """The CPU default generator's state as a uint8 tensor.

    >>> state = ember.get_rng_state(); a = ember.rand(2)
    >>> ember.set_rng_state(state); bool((ember.rand(2) == a).all())
    True
    """
    return default_generator_for(device("cpu")).get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the CPU default generator's state from :func:`get_rng_state`."""
    default_generator_for(device("cpu")).set_state(new_state)
