"""Devices as small interned objects: ``ember.device("cuda:1")``."""

from __future__ import annotations

import operator
from typing import Any, ClassVar

__all__ = ["device", "as_device"]


class device:
    """Where a tensor's memory lives: a device type and an optional index.

    Instances are interned, so ``ember.device("cpu") is ember.device("cpu")``.

    >>> ember.device("cuda:1")
    device(type='cuda', index=1)
    """

    __slots__ = ("index", "type")
    _interned: ClassVar[dict[tuple[Any, Any], device]] = {}

    type: str
    index: int | None

    def __new__(cls, type: str | device | int, index: int | None = None) -> device:
        if isinstance(type, device):
            if index is not None:
                raise ValueError(f"device(): cannot give an index with a device object, got {type!r} and {index}")
            return type
        if isinstance(type, int) and not isinstance(type, bool) and index is None:
            return cls("cuda", type)  # a bare int is an accelerator index, as in torch
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string like 'cpu' or 'cuda:0', got {type!r}")
        if index is not None:
            try:
                if isinstance(index, bool):
                    raise TypeError
                index = operator.index(index)  # NumPy ints too
            except TypeError:
                raise TypeError(f"device(): argument 'index' must be int, not {index.__class__.__name__}") from None
        key = (type, index)
        hit = cls._interned.get(key)
        if hit is not None:
            return hit
        kind, idx = _parse(type, index)
        self = object.__new__(cls)
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "index", idx)
        canonical = cls._interned.setdefault((kind, idx), self)
        cls._interned[key] = canonical
        return canonical

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("ember.device is immutable")

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        # Like torch, a device never equals a string: compare with ember.device("cpu").
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> tuple[Any, ...]:
        return (device, (str(self),))


def _parse(spec: str, index: int | None) -> tuple[str, int | None]:
    if not spec:
        raise RuntimeError("Device string must not be empty")
    kind, sep, tail = spec.partition(":")
    if sep:
        if index is not None:
            raise RuntimeError(
                f"type (string) must not include an index because index was passed explicitly: {spec}"
            )
        # torch's grammar: digits with no leading zero ("cuda:0", "cuda:12", not "cuda:01").
        if not (tail.isascii() and tail.isdigit()) or (len(tail) > 1 and tail[0] == "0"):
            raise RuntimeError(f"Invalid device string: '{spec}'")
        index = int(tail)
    # Device types are open (third-party backends add their own) but spelled like identifiers
    # in lower case, so "CPU" or " cpu" is a typo rather than a new device type.
    if not (kind.isascii() and kind.replace("_", "").isalnum() and kind[0].isalpha() and kind == kind.lower()):
        raise RuntimeError(
            f"Invalid device string: '{spec}'; expected a lower-case device type with an optional "
            "index, like 'cpu', 'cuda' or 'cuda:1'"
        )
    if index is not None and index < 0:
        raise RuntimeError(f"Device index must not be negative, got {index}")
    return kind, index


def as_device(spec: str | device | int | None) -> device | None:
    """Normalise a user's device argument (``"cpu"``, ``device``, an int meaning cuda:N, or None)."""
    if spec is None or isinstance(spec, device):
        return spec
    if isinstance(spec, bool):
        raise TypeError(f"expected a device, got {spec!r}")
    if isinstance(spec, int):
        return device("cuda", spec)
    if not isinstance(spec, str):
        raise TypeError(
            f"expected a device (a string like 'cpu' or 'cuda:0', or an ember.device), got {type(spec).__name__}"
        )
    return device(spec)
