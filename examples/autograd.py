"""Autograd basics, as in PyTorch's tutorials: gradients, accumulation, ``zero_``, ``log``.

Run: python examples/autograd.py
"""

from __future__ import annotations

import ember


def main() -> None:
    x = ember.tensor(3.0, requires_grad=True)
    y = x**2
    print("y =", y)  # tensor(9., grad_fn=<PowBackward0>)
    y.backward()
    print("dy/dx at 3:", x.grad)  # tensor(6.)

    # Gradients accumulate: a second backward adds to .grad instead of replacing it.
    (x**2).backward()
    print("after a second backward:", x.grad)  # tensor(12.)
    x.grad.zero_()
    print("after x.grad.zero_():", x.grad)  # tensor(0.)

    z = ember.log(x)
    z.backward()
    print("d log(x)/dx at 3:", x.grad, "= 1/3")  # tensor(0.3333)

    # A vector output needs the gradient of something with respect to it (here ones).
    a = ember.tensor([2.0, 3.0], requires_grad=True)
    b = ember.tensor([6.0, 4.0], requires_grad=True)
    q = 3 * a**3 - b**2
    q.backward(gradient=ember.ones(2))
    print("dQ/da == 9a^2:", a.grad == 9 * a**2)  # tensor([True, True])
    print("dQ/db == -2b:", b.grad == -2 * b)  # tensor([True, True])

    # Operations on tensors that require grad are recorded; no_grad and detach stop that.
    print("requires_grad:", (x * 2).requires_grad)
    with ember.no_grad():
        print("under no_grad:", (x * 2).requires_grad)
    print("detached:", x.detach().requires_grad)


if __name__ == "__main__":
    main()
