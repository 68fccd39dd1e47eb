"""``ComplexMixin``: the parts of complex numbers, as torch has them.

``real``/``imag`` (views into a complex tensor's memory), ``conj``/``conj_physical``
(a conjugated copy: Ember has no lazy conjugate bit, so ``is_conj()`` is always False
and ``resolve_conj()`` returns the tensor itself), ``angle`` and ``sgn``. On real
tensors they follow torch: ``conj()`` and ``.real`` are the tensor itself, ``.imag``
is an error, ``angle`` is 0 or pi, ``sgn`` is ``sign``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ember import _dtypes as D
from ember._tensor_base import TensorBase, like, wrap

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = []  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional); ember.real
# and ember.imag are functions over the attributes.
FUNCTIONS: tuple[str, ...] = ("conj", "conj_physical", "resolve_conj", "is_conj", "angle", "sgn")


class ComplexMixin(TensorBase):
    """Real and imaginary parts, conjugates, phase and complex sign as Tensor methods."""

    __slots__ = ()

    @property
    def real(self) -> Tensor:
        """The real part: a view of a complex tensor's memory (writes go through); a real tensor itself."""
        return self.real_part()

    @property
    def imag(self) -> Tensor:
        """The imaginary part of a complex tensor, as a view of its memory."""
        return self.imag_part()

    def real_part(self) -> Tensor:
        """``self.real`` as a method (what autograd records for the attribute)."""
        if self._dtype.category != D.COMPLEX:
            return self  # type: ignore[return-value]
        return _part(self, "real")

    def imag_part(self) -> Tensor:
        """``self.imag`` as a method (what autograd records for the attribute)."""
        if self._dtype.category != D.COMPLEX:
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        return _part(self, "imag")

    def conj(self) -> Tensor:
        """The complex conjugate (a copy; real tensors return themselves, as in torch)."""
        if self._dtype.category != D.COMPLEX:
            return self  # type: ignore[return-value]
        return like(self, self._backend.conj(self._data))

    def conj_physical(self) -> Tensor:
        """The complex conjugate, always materialised (real tensors: themselves, as torch)."""
        return self.conj()

    def resolve_conj(self) -> Tensor:
        """The tensor itself: Ember's conjugates are never lazy."""
        return self  # type: ignore[return-value]

    def is_conj(self) -> bool:
        """False: Ember has no lazy conjugate bit (``conj`` copies)."""
        return False

    def angle(self) -> Tensor:
        """The phase ``atan2(imag, real)`` in the real dtype; of real values torch's 0 (>= 0) or pi
        (< 0), NaN kept; integers give the default float."""
        bk, dt, x = self._backend, self._dtype, self._data
        if dt.category == D.COMPLEX:
            return like(self, bk.atan2(bk.imag(x), bk.real(x)), dt.to_real())
        if dt.category < D.FLOATING:
            dt = D.get_default_dtype()
            x = bk.astype(x, dt)
        index = self._device.index
        shape = tuple(x.shape)
        phase = bk.where(bk.less(x, 0), bk.full(shape, math.pi, dt, index), bk.full(shape, 0, dt, index))
        return like(self, bk.where(bk.isnan(x), x, phase), dt)

    def sgn(self) -> Tensor:
        """``self / |self|`` for complex (0 where ``self`` is 0); ``sign`` for real tensors."""
        if self._dtype.category != D.COMPLEX:
            return self.sign()  # type: ignore[attr-defined]
        bk, x = self._backend, self._data
        mag = bk.astype(bk.abs(x), self._dtype)
        nonzero = bk.not_equal(mag, 0)
        one = bk.full((), 1, self._dtype, self._device.index)
        return like(self, bk.where(nonzero, bk.divide(x, bk.where(nonzero, mag, one)), bk.multiply(x, 0)))


def _part(t: TensorBase, which: str) -> Tensor:
    """``t.real``/``t.imag`` of a complex tensor: a view of its memory where the backend has
    strided views (a copy elsewhere, as every view there)."""
    bk = t._backend
    return wrap(getattr(bk, which)(t._data), t._dtype.to_real(), t._device, t._backend, base=t)


def real(input: TensorBase) -> Tensor:
    """``input.real`` (torch.real)."""
    return input.real  # type: ignore[attr-defined]


def imag(input: TensorBase) -> Tensor:
    """``input.imag`` (torch.imag)."""
    return input.imag  # type: ignore[attr-defined]


__all__ += ["real", "imag"]
