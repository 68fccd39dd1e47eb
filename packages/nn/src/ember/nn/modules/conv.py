"""Convolution layers: ``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d``, as torch.nn's.

Same arguments, defaults, weight layouts, default initialisation (``kaiming_uniform_(a=sqrt(5))``,
bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))) and ``repr``. Padding modes other than ``'zeros'``
pad explicitly with ``F.pad`` and then convolve without padding, as torch does.

>>> import ember.nn as nn
>>> nn.Conv2d(1, 6, 5)
Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ember
from ember import Tensor
from ember.nn.modules.linear import _kaiming_reset, _register_weight_bias
from ember.nn.modules.module import Module
from ember.nn.modules.parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


def _ntuple(value: Any, n: int) -> tuple[Any, ...]:
    """``value`` as an ``n``-tuple: a scalar repeated, a sequence kept (torch's ``_ntuple``)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return tuple(value)
    return (value,) * n


class _ConvNd(Module):
    """What the convolution layers share: arguments, parameters, initialisation and ``repr``."""

    _dims: int
    in_channels: int
    out_channels: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: str | tuple[int, ...]
    dilation: tuple[int, ...]
    transposed: bool
    output_padding: tuple[int, ...]
    groups: int
    padding_mode: str
    weight: Parameter
    bias: Parameter | None
    _reversed_padding_repeated_twice: list[int]

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
        transposed: bool, output_padding: Any, groups: int, bias: bool, padding_mode: str, device: Any = None,
        dtype: ember.dtype | None = None,
    ) -> None:
        super().__init__()
        n = self._dims
        kernel_size, stride, dilation = _ntuple(kernel_size, n), _ntuple(stride, n), _ntuple(dilation, n)
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        valid_padding_strings = {"same", "valid"}
        if isinstance(padding, str):
            if padding not in valid_padding_strings:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {valid_padding_strings}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _ntuple(padding, n)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode='{padding_mode}'"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = _ntuple(output_padding, n)
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's order: last dim first, (before, after) for each.
        if isinstance(padding, str):
            pads = [0, 0] * n
            if padding == "same":
                for d, k, i in zip(dilation, kernel_size, range(n - 1, -1, -1), strict=True):
                    total = d * (k - 1)
                    pads[2 * i] = total // 2
                    pads[2 * i + 1] = total - total // 2
            self._reversed_padding_repeated_twice = pads
        else:
            self._reversed_padding_repeated_twice = [p for p in reversed(padding) for _ in range(2)]
        shape = (in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups)
        _register_weight_bias(self, (*shape, *kernel_size), out_channels, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw ``weight`` (``kaiming_uniform_(a=sqrt(5))``) and ``bias`` (U(-1/sqrt(fan_in), 1/sqrt(fan_in)))."""
        _kaiming_reset(self.weight, self.bias, bias_without_fan_in=False)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    _conv: Callable[..., Tensor]

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
        dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device: Any = None,
        dtype: ember.dtype | None = None,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups, bias, padding_mode,
            device, dtype,
        )

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = type(self)._conv
        if self.padding_mode != "zeros":
            padded = ember.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-D convolution over ``(N, C_in, L)`` or ``(C_in, L)``; weight ``(C_out, C_in // groups, k)``.

    >>> nn.Conv1d(2, 4, 3, padding="same")(ember.ones(1, 2, 7)).shape
    ember.Size([1, 4, 7])
    """

    _dims = 1
    _conv = staticmethod(ember.conv1d)


class Conv2d(_Conv):
    """2-D convolution over ``(N, C_in, H, W)`` or ``(C_in, H, W)``; weight ``(C_out, C_in // groups, kh, kw)``.

    >>> nn.Conv2d(1, 6, 5)(ember.ones(1, 1, 32, 32)).shape
    ember.Size([1, 6, 28, 28])
    """

    _dims = 2
    _conv = staticmethod(ember.conv2d)


class Conv3d(_Conv):
    """3-D convolution over ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)``.

    >>> nn.Conv3d(1, 2, 3, padding=1)(ember.ones(1, 1, 4, 4, 4)).shape
    ember.Size([1, 2, 4, 4, 4])
    """

    _dims = 3
    _conv = staticmethod(ember.conv3d)


class _ConvTransposeNd(_ConvNd):
    _conv: Callable[..., Tensor]

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
        output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1, padding_mode: str = "zeros",
        device: Any = None, dtype: ember.dtype | None = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, True, output_padding, groups, bias,
            padding_mode, device, dtype,
        )

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None) -> tuple[int, ...]:
        """The ``output_padding`` that makes the output ``output_size`` (spatial, or with batch/channel dims)."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        batched = input.dim() == n + 2
        leading = 2 if batched else 1
        size = list(output_size)
        if len(size) == leading + n:
            size = size[leading:]
        if len(size) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.dim()}D input, output_size must have {n} "
                f"or {leading + n} elements (got {len(size)})"
            )
        assert not isinstance(self.padding, str)  # a transposed conv's padding is always a tuple
        min_sizes = [
            (input.shape[d + leading] - 1) * self.stride[d] - 2 * self.padding[d]
            + self.dilation[d] * (self.kernel_size[d] - 1) + 1
            for d in range(n)
        ]
        max_sizes = [lo + s - 1 for lo, s in zip(min_sizes, self.stride, strict=True)]
        for s, lo, hi in zip(size, min_sizes, max_sizes, strict=True):
            if s < lo or s > hi:
                raise ValueError(
                    f"requested an output size of {size}, but valid sizes range "
                    f"from {min_sizes} to {max_sizes} (for an input of {input.shape[leading:]})"
                )
        return tuple(s - lo for s, lo in zip(size, min_sizes, strict=True))

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        if self.padding_mode != "zeros":
            raise ValueError(f"Only `zeros` padding mode is supported for {type(self).__name__}")
        output_padding = self._output_padding(input, output_size)
        return type(self)._conv(
            input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups, self.dilation,
        )


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution; weight ``(C_in, C_out // groups, k)``; ``forward(input, output_size=None)``.

    >>> nn.ConvTranspose1d(2, 3, 3, stride=2)(ember.ones(1, 2, 4), output_size=[10]).shape
    ember.Size([1, 3, 10])
    """

    _dims = 1
    _conv = staticmethod(ember.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution; weight ``(C_in, C_out // groups, kh, kw)``.

    >>> nn.ConvTranspose2d(4, 3, 3, stride=2, output_padding=1)(ember.ones(1, 4, 8, 8)).shape
    ember.Size([1, 3, 18, 18])
    """

    _dims = 2
    _conv = staticmethod(ember.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution; weight ``(C_in, C_out // groups, kd, kh, kw)``."""

    _dims = 3
    _conv = staticmethod(ember.conv_transpose3d)
