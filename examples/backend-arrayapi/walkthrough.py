"""A walk through the example third-party backend: Ember on array-api-strict, device "strict".

Run after ``pip install ./packages/core ./packages/backend-cpu ./examples/backend-arrayapi``:

    python examples/backend-arrayapi/walkthrough.py

Without the install (only array-api-strict present), it registers the plugin module from
this folder with ``ember.backends.register_plugin``, the documented way for tests and
notebooks, and says so. The guide is docs/writing-a-backend.md.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import ember
import ember.backends


def ensure_registered() -> str:
    """How the ``strict`` backend got registered: its entry point, or by hand from src/."""
    if "strict" in ember.backends.available():
        return "found through its `ember` entry point (pip-installed)"
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    import ember_arrayapi.plugin

    ember.backends.register_plugin(ember_arrayapi.plugin, name="strict")
    return "registered from examples/backend-arrayapi/src with ember.backends.register_plugin"


def main() -> None:
    print("strict backend:", ensure_registered())
    print("available:", ember.backends.available())
    backend = ember.backends.get_backend("strict")
    print(f"active for 'strict': {backend.name} (strided_views={backend.strided_views})")

    # 1. Tensors on the new device: every op of the Tensor API works, from the base class.
    x = ember.ones(3, device="strict")
    print("x * 2 =", x * 2)
    m = ember.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], device="strict")
    print("m @ m.T =", m @ m.T)
    print("softmax (the optional tier's reference kernel):", m.softmax(dim=1))
    print("bool ordering (an override in plugin.py):", ember.tensor([True, False], device="strict") > False)

    # 2. Moving between devices is explicit; mixing them is an error naming both.
    on_cpu = m.to("cpu")
    print("moved to cpu:", on_cpu.device, on_cpu.sum().item())
    try:
        m + on_cpu
    except RuntimeError as exc:
        print("mixing devices -> RuntimeError:", exc)

    # 3. No strides in array-api-strict: views are copies, and writing through one is refused.
    row = m[0]
    try:
        row[0] = 100.0
    except RuntimeError as exc:
        print("write through a view -> RuntimeError:", exc)
    m[0, 0] = 100.0  # writing into the tensor itself is fine
    print("m after m[0, 0] = 100:", m)

    # 4. Autograd, nn and optim work on any backend that passes the conformance kit.
    if importlib.util.find_spec("ember.autograd") is None:
        print("(ember-autograd not installed: skipping the gradient)")
    else:
        w = ember.tensor([2.0, 3.0], device="strict", requires_grad=True)
        (w**2).sum().backward()
        print("d/dw sum(w^2) on strict:", w.grad)

    print("conformance kit: pytest examples/backend-arrayapi/tests (or nox -s example_backend)")


if __name__ == "__main__":
    main()
