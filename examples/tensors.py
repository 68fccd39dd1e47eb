"""Tensor basics from "Deep Learning with PyTorch" (chapter 3), in Ember.

Creation, indexing, views that share storage, strides and offsets, ``from_numpy``,
boolean indexing, dtype conversion, and saving/loading.

Run: python examples/tensors.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

import ember


def main() -> None:
    # Creation
    print(ember.ones(3), ember.zeros(2, 2), ember.arange(5))
    points = ember.tensor([[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]])
    print("points =", points)
    print("shape:", points.shape, "dtype:", points.dtype)  # ember.Size([3, 2]) ember.float32
    print("points[0, 1] =", float(points[0, 1]))

    # Views share storage: indexing, view, t() create new tensor metadata, not new data.
    second_point = points[1]
    print("points[1].storage_offset():", second_point.storage_offset())  # 2
    print("points[1].size():", second_point.size(), "stride:", second_point.stride())
    print("points.stride():", points.stride())  # (2, 1)
    points_t = points.t()
    print("points.t().stride():", points_t.stride())  # (1, 2): same storage, swapped strides
    print("same storage:", points_t.data_ptr() == points.data_ptr())
    print("points.t() contiguous?", points_t.is_contiguous())
    second_point[0] = 10.0  # writes through the view...
    print("after points[1][0] = 10:", points)  # ...show in the base tensor
    contiguous = points_t.contiguous()
    print("contiguous copy stride:", contiguous.stride(), "shares storage:",
          contiguous.data_ptr() == points.data_ptr())
    print("view(-1):", points.view(-1))

    # NumPy interop: from_numpy and .numpy() share memory both ways.
    array = np.ones(3, dtype=np.float32)
    shared = ember.from_numpy(array)
    shared[0] = 7.0
    print("numpy array after writing through from_numpy:", array)
    back = points.numpy()
    back[0, 0] = -1.0
    print("points after writing through .numpy():", points[0])

    # Boolean indexing
    x = ember.arange(10.0)
    mask = x > 5
    print("mask:", mask)
    print("x[x > 5] =", x[mask])
    x[x % 2 == 0] = 0.0
    print("even entries zeroed:", x)

    # dtype conversion
    d = ember.ones(2, 2, dtype=ember.float64)
    print("float64:", d.dtype, "->", d.to(dtype=ember.int16).dtype, d.short().dtype, d.float().dtype)
    print("int + float promotes:", (ember.tensor([1, 2]) + 0.5).dtype)  # ember.float32
    print("rand float64:", ember.rand(3, dtype=ember.float64).dtype)

    # Save and load: a documented format that loading can never use to run code.
    path = Path(tempfile.mkdtemp()) / "points.ember"
    ember.save(points, path)
    loaded = ember.load(path)
    print("loaded == saved:", bool(ember.equal(loaded, points)), loaded.dtype, loaded.shape)


if __name__ == "__main__":
    main()
