"""Optional-tier convolution kernels on the GPU: windowed views and cuBLAS GEMMs (no cuDNN).

* **Forward**: the padded input's windows are a strided view ``(N, C, *O, *k)``; one copy
  lays them out ``(G, Cg*K, N*M)`` (im2col) and one batched GEMM per call multiplies them by
  the ``(G, Cout_g, Cg*K)`` weight; groups are the GEMM's batch, never a Python loop.
* **Weight gradient**: the same columns against ``grad_out`` as ``(G, Cout_g, N*M)``: one
  batched GEMM. The columns are rebuilt rather than cached (GPU memory is the scarce resource,
  and the copy is a small fraction of the GEMM's time).
* **Input gradient**: one batched GEMM into columns and a strided add per kernel offset
  (col2im: ``prod(k)`` elementwise passes, 9 for a 3x3 kernel).

CuPy 14 ships no cuDNN binding; these kernels need none. Written against the NumPy-compatible
part of CuPy, plus the ``_as_strided`` primitive, so the CPU stand-in checks them.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, ClassVar

__all__ = ["ConvKernels"]

Ints = tuple[int, ...]


def _out_size(size: Ints, kernel: Ints, stride: Ints, padding: Ints, dilation: Ints) -> Ints:
    return tuple(
        (L + 2 * p - dl * (k - 1) - 1) // s + 1
        for L, k, s, p, dl in zip(size, kernel, stride, padding, dilation, strict=True)
    )


class ConvKernels:
    """Optional-tier overrides mixed into CupyBackend."""

    xp: ClassVar[Any]

    def _pad_spatial(self, x: Any, padding: Ints) -> Any:
        if not any(padding):
            return x
        shape = (*x.shape[:2], *(n + 2 * p for n, p in zip(x.shape[2:], padding, strict=True)))
        out = self.xp.zeros(shape, dtype=x.dtype)
        interior = (slice(None), slice(None), *(slice(p, p + n) for n, p in zip(x.shape[2:], padding, strict=True)))
        out[interior] = x
        return out

    def _columns(self, x: Any, kernel: Ints, out: Ints, stride: Ints, padding: Ints, dilation: Ints, groups: int) -> Any:
        """im2col: ``(G, Cg*K, N*M)``, C-contiguous, ordered (channel, kernel offset | batch, position)."""
        xpd = self._pad_spatial(x, padding)
        n, c = xpd.shape[:2]
        d = len(kernel)
        st = xpd.strides
        win = self._as_strided(  # type: ignore[attr-defined]
            xpd, (n, c, *out, *kernel),
            (*st[:2], *(s * k for s, k in zip(st[2:], stride, strict=True)), *(s * k for s, k in zip(st[2:], dilation, strict=True))),
        )
        cols = self.xp.ascontiguousarray(win.transpose(1, *range(2 + d, 2 + 2 * d), 0, *range(2, 2 + d)))
        return cols.reshape(groups, (c // groups) * math.prod(kernel), n * math.prod(out))

    def conv(self, x: Any, w: Any, bias: Any, stride: Ints, padding: Ints, dilation: Ints, groups: int) -> Any:
        kernel = tuple(w.shape[2:])
        n, cout = x.shape[0], w.shape[0]
        out = _out_size(tuple(x.shape[2:]), kernel, stride, padding, dilation)
        m = math.prod(out)
        if n * m == 0 or x.shape[1] == 0:
            res = self.xp.zeros((n, cout, *out), dtype=x.dtype)
            return res if bias is None else res + bias.reshape(cout, *(1,) * len(out))
        cols = self._columns(x, kernel, out, stride, padding, dilation, groups)
        prod = self.xp.matmul(w.reshape(groups, cout // groups, -1), cols)          # (G, Cout_g, N*M)
        res = prod.reshape(cout, n, m).transpose(1, 0, 2)
        if bias is not None:
            res = res + bias.reshape(1, cout, 1)
        return self.xp.ascontiguousarray(res).reshape(n, cout, *out)

    def conv_backward_weight(
        self, grad_out: Any, x: Any, weight_shape: Ints, stride: Ints, padding: Ints, dilation: Ints, groups: int,
    ) -> Any:
        kernel, out = tuple(weight_shape[2:]), tuple(grad_out.shape[2:])
        n, cout = grad_out.shape[:2]
        m = math.prod(out)
        if n * m == 0:
            return self.xp.zeros(weight_shape, dtype=x.dtype)
        cols = self._columns(x, kernel, out, stride, padding, dilation, groups)      # (G, Cg*K, N*M)
        g = self.xp.ascontiguousarray(grad_out.reshape(n, cout, m).transpose(1, 0, 2)).reshape(groups, cout // groups, n * m)
        return self.xp.matmul(g, cols.transpose(0, 2, 1)).reshape(weight_shape)

    def conv_backward_input(
        self, grad_out: Any, w: Any, input_shape: Ints, stride: Ints, padding: Ints, dilation: Ints, groups: int,
    ) -> Any:
        xp = self.xp
        kernel, out = tuple(w.shape[2:]), tuple(grad_out.shape[2:])
        n, c = input_shape[:2]
        cout, cg = w.shape[:2]
        k, m = math.prod(kernel), math.prod(out)
        if n * m == 0 or c == 0:
            return xp.zeros(tuple(input_shape), dtype=grad_out.dtype)
        g = xp.ascontiguousarray(grad_out.reshape(n, cout, m).transpose(1, 0, 2)).reshape(groups, cout // groups, n * m)
        wt = w.reshape(groups, cout // groups, cg * k).transpose(0, 2, 1)               # (G, Cg*K, Cout_g)
        cols = xp.matmul(wt, g).reshape(c, k, n, *out)
        padded = tuple(L + 2 * p for L, p in zip(input_shape[2:], padding, strict=True))
        acc = xp.zeros((c, n, *padded), dtype=grad_out.dtype)
        for j, offset in enumerate(_offsets(kernel)):
            key = (slice(None), slice(None), *(
                slice(i * dl, i * dl + s * (o - 1) + 1, s) for i, dl, s, o in zip(offset, dilation, stride, out, strict=True)
            ))
            acc[key] += cols[:, j]
        interior = (slice(None), slice(None), *(slice(p, p + L) for p, L in zip(padding, input_shape[2:], strict=True)))
        return xp.ascontiguousarray(acc[interior].swapaxes(0, 1))


def _offsets(kernel: Ints) -> list[Ints]:
    return list(itertools.product(*(range(k) for k in kernel)))
