"""Ember's main job for now: build tensors on the CPU backend and print what PyTorch would.

Run: python examples/demo.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

import ember


def main() -> None:
    print("backends:", ember.backends.available())

    s = ember.tensor([[8, 2, 3], [1, 2, 3]])
    print(s, s.ndim, s.dtype)

    a = ember.ones(3, 2)
    c = a.reshape(2, 3)
    print("reshape shares storage:", a.data_ptr() == c.data_ptr(), "strides:", a.stride(), c.stride())

    x = ember.arange(12, dtype=ember.float32).view(3, 4)
    print("x =", x)
    print("x.t() strides:", x.t().stride(), "contiguous:", x.t().is_contiguous())
    print("x @ x.T =", x @ x.T)
    print("column means:", x.mean(dim=0))
    print("max along rows:", x.max(dim=1))
    print("x[x > 5] =", x[x > 5])

    arr = np.zeros(3)
    t = ember.from_numpy(arr)
    t[1] = 7
    print("from_numpy shares memory:", arr)

    path = Path(tempfile.mkdtemp()) / "demo.ember"
    ember.save({"x": x, "note": "saved without pickle"}, path)
    print("save/load round trip:", bool((ember.load(path)["x"] == x).all()))

    ember.manual_seed(0)
    print("rand:", ember.rand(2, 3))
    print("int32 + 2.5 promotes to", (ember.tensor([1, 2], dtype=ember.int32) + 2.5).dtype)
    try:
        ember.ones(3) + ember.ones(4)
    except RuntimeError as exc:
        print("RuntimeError:", exc)


if __name__ == "__main__":
    main()
