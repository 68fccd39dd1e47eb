"""Tensor ``repr``/``str`` in PyTorch's exact format, and the print options behind it.

The layout rules follow ``torch/_tensor_str.py`` line for line (widths, integer
mode, scientific mode, summarisation, wrapping, suffix order) so that a torch
user sees the same text; only ``torch.`` becomes ``ember.`` in dtype names.
Everything here works on a host NumPy array; the Tensor class copies its values
to the host and calls :func:`format_tensor`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ember._device import device
from ember._dtypes import bool_, complex64, complex128, dtype, float64, get_default_dtype, int64

__all__ = ["format_tensor", "set_printoptions", "get_printoptions", "printoptions"]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


# Process-global, as in torch: printing settings are a user preference, not per thread.
_OPTS = _PrintOptions()

_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print; options left as ``None`` keep their value.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: element count above which a tensor is summarised (default 1000).
        edgeitems: items shown at each end of a summarised dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"``, applied before the other options.
        sci_mode: force scientific notation on (True) or off (False); None chooses
            per tensor. Unlike the others this is always assigned, as in torch, so
            any call without ``sci_mode`` resets it to automatic.

    >>> ember.set_printoptions(precision=2)
    >>> ember.tensor([1.12345])
    tensor([1.12])
    >>> ember.set_printoptions(profile="default")
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions(): unknown profile {profile!r}; expected one of "
                f"{', '.join(map(repr, _PROFILES))}"
            )
        for key, value in _PROFILES[profile].items():
            setattr(_OPTS, key, value)
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for :func:`set_printoptions`.

    >>> ember.get_printoptions()["precision"]
    4
    """
    return dataclasses.asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Change the print options inside a ``with`` block and restore them after.

    >>> with ember.printoptions(precision=2):
    ...     print(ember.tensor([1.12345]))
    tensor([1.12])
    """
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Chooses one number style and column width for all the values of a tensor."""

    __slots__ = ("floating", "int_mode", "max_width", "sci_mode")

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not floating:
            # set(): many repeated values cost one str() each, not one per element
            for v in set(flat.tolist()):
                self.max_width = max(self.max_width, len(str(v)))
            return

        finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:  # only zeros, nan and inf: integer mode, width 1
            return
        # float64 so a float16 ratio cannot overflow (torch converts to double too)
        magnitude = np.abs(finite).astype(np.float64)
        lo, hi = float(magnitude.min()), float(magnitude.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if _OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = _OPTS.sci_mode

        p = _OPTS.precision
        for v in set(finite.tolist()):
            if self.sci_mode:
                width = len(f"{v:.{p}e}")
            elif self.int_mode:
                width = len(f"{v:.0f}") + 1  # room for the "." that marks a float
            else:
                width = len(f"{v:.{p}f}")
            self.max_width = max(self.max_width, width)

    def format(self, value: Any) -> str:
        """One value, right-aligned to the common width."""
        if not self.floating:
            text = f"{value}"
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{_OPTS.precision}f}"
        return text.rjust(self.max_width)


def _format_value(value: Any, real: _Formatter, imag: _Formatter | None) -> str:
    if imag is None:
        return real.format(value)
    real_str = real.format(value.real)
    imag_str = (imag.format(value.imag) + "j").lstrip()
    # the imaginary part carries its own sign when negative (or "+0.0"-style); else add "+"
    if imag_str[0] in "+-":
        return real_str + imag_str
    return real_str + "+" + imag_str


def _summarized(values: np.ndarray) -> np.ndarray:
    """The values a summarised print shows (torch's get_summarized_data)."""
    edge = _OPTS.edgeitems
    if values.ndim == 0:
        return values
    if values.ndim == 1:
        # values[-0:] is the whole row, so edgeitems=0 keeps everything here, as in torch
        if values.shape[0] > 2 * edge:
            return np.concatenate((values[:edge], values[-edge:]))
        return values
    if not edge:
        return np.empty((0,) * values.ndim, dtype=values.dtype)
    n = values.shape[0]
    rows = [*range(edge), *range(n - edge, n)] if n > 2 * edge else range(n)
    return np.stack([_summarized(values[i]) for i in rows])


def _vector_str(
    values: np.ndarray, indent: int, summarize: bool, real: _Formatter, imag: _Formatter | None
) -> str:
    # each element takes its width plus ", "; a complex one also its imaginary part and "j"
    element_length = real.max_width + 2
    if imag is not None:
        element_length += imag.max_width + 1
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / element_length))

    edge = _OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and values.shape[0] > 2 * edge:
        data = [
            *(_format_value(v, real, imag) for v in values[:edge].tolist()),
            " ...",
            *(_format_value(v, real, imag) for v in values[-edge:].tolist()),
        ]
    else:
        data = [_format_value(v, real, imag) for v in values.tolist()]

    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(
    values: np.ndarray, indent: int, summarize: bool, real: _Formatter, imag: _Formatter | None
) -> str:
    if values.ndim == 0:
        return _format_value(values.item(), real, imag)
    if values.ndim == 1:
        return _vector_str(values, indent, summarize, real, imag)

    edge = _OPTS.edgeitems
    n = values.shape[0]
    if summarize and n > 2 * edge:
        slices = [
            *(_nested_str(values[i], indent + 1, summarize, real, imag) for i in range(edge)),
            "...",
            *(
                _nested_str(values[i], indent + 1, summarize, real, imag)
                for i in range(n - edge, n)
            ),
        ]
    else:
        slices = [_nested_str(values[i], indent + 1, summarize, real, imag) for i in range(n)]
    # one blank line between 3-D blocks, two between 4-D blocks, ...
    separator = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _tensor_str(values: np.ndarray, dt: dtype, indent: int) -> str:
    summarize = values.size > _OPTS.threshold
    # widths come only from the values that will be shown
    shown = _summarized(values) if summarize else values
    if dt.is_complex:
        real = _Formatter(shown.real, floating=True)
        imag = _Formatter(shown.imag, floating=True)
        return _nested_str(values, indent, summarize, real, imag)
    formatter = _Formatter(shown, floating=dt.is_floating_point)
    return _nested_str(values, indent, summarize, formatter, None)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    # torch's arithmetic, kept for identical wrapping: with no newline rfind() is -1,
    # so the first line is counted two characters longer than it is
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _default_dtypes() -> tuple[dtype, ...]:
    """Dtypes a reader can infer from the values, so their repr leaves ``dtype=`` out."""
    default_float = get_default_dtype()
    default_complex = complex128 if default_float is float64 else complex64
    return (default_float, default_complex, int64, bool_)


def format_tensor(
    values: np.ndarray,
    dtype: dtype,
    device: device,
    suffixes: Sequence[tuple[str, str]] = (),
    *,
    prefix: str = "tensor(",
) -> str:
    """The full repr of a tensor, exactly as PyTorch prints it.

    Args:
        values: the tensor's values on the host, in the tensor's shape (bfloat16
            tensors pass float32 values).
        dtype: the tensor's dtype; decides the number style and the ``dtype=`` suffix.
        device: the tensor's device; any non-CPU device is shown as ``device='...'``.
        suffixes: extra ``(key, value)`` pairs printed last, in order, as ``key=value``
            (``("grad_fn", "<PowBackward0>")``, ``("requires_grad", "True")``).
        prefix: the text before the values; continuation lines are indented to
            the length of its last line.

    Returns:
        The text, e.g. ``tensor([1, 2], device='cuda:0', dtype=ember.int32)``.

    >>> format_tensor(np.array([[8, 2], [1, 2]]), ember.int64, ember.device("cpu"))
    'tensor([[8, 2],\\n        [1, 2]])'
    """
    values = np.asarray(values)
    indent = len(prefix) - prefix.rfind("\n") - 1
    shape = str(tuple(int(n) for n in values.shape))
    extra = []
    if device.type != "cpu":
        extra.append(f"device='{device}'")
    if values.size == 0:
        # torch shows the shape unless it is (0,), and the dtype unless it is the
        # default float: with no elements the reader cannot infer int64 or bool
        if values.ndim != 1:
            extra.append(f"size={shape}")
        if dtype is not get_default_dtype():
            extra.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if not _OPTS.edgeitems:  # every dimension elided, so the shape is the only clue
            extra.append(f"size={shape}")
        if dtype not in _default_dtypes():
            extra.append(f"dtype={dtype!r}")
        body = _tensor_str(values, dtype, indent)
    extra.extend(f"{key}={value}" for key, value in suffixes)
    return _add_suffixes(prefix + body, extra, indent)
