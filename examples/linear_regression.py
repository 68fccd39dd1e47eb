"""The linear-regression training loop of "Deep Learning with PyTorch" (chapter 5), in Ember.

Fit t_c = w * t_u + b to eleven thermometer readings (t_u, unknown units) and the
matching Celsius temperatures (t_c): first by hand (autograd for the gradient, the
update under ``no_grad``), then with ``optim.SGD``, then with ``optim.Adam``.

Run: python examples/linear_regression.py [--epochs 5000]
"""

from __future__ import annotations

import argparse

import ember
import ember.optim as optim

t_c = ember.tensor([0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0])
t_u = ember.tensor([35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4])
t_un = 0.1 * t_u  # normalized input: keeps the gradients of w and b at similar scales


def model(t_u: ember.Tensor, w: ember.Tensor, b: ember.Tensor) -> ember.Tensor:
    return w * t_u + b


def loss_fn(t_p: ember.Tensor, t_c: ember.Tensor) -> ember.Tensor:
    return ((t_p - t_c) ** 2).mean()


def manual_loop(n_epochs: int, learning_rate: float, params: ember.Tensor) -> ember.Tensor:
    """Gradient descent by hand: zero the gradient, backward, update without recording."""
    for epoch in range(1, n_epochs + 1):
        if params.grad is not None:
            params.grad.zero_()
        loss = loss_fn(model(t_un, *params), t_c)
        loss.backward()
        with ember.no_grad():
            params -= learning_rate * params.grad
        if epoch % 1000 == 0:
            print(f"Epoch {epoch}, Loss {float(loss):f}")
    return params


def optimizer_loop(
    n_epochs: int, optimizer: optim.Optimizer, params: ember.Tensor, t_u: ember.Tensor
) -> ember.Tensor:
    """The same loop with an optimizer doing the update."""
    for epoch in range(1, n_epochs + 1):
        loss = loss_fn(model(t_u, *params), t_c)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % 1000 == 0:
            print(f"Epoch {epoch}, Loss {float(loss):f}")
    return params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5000)
    epochs = parser.parse_args().epochs

    print("manual update under no_grad, lr=1e-2, normalized t_u:")
    params = manual_loop(epochs, 1e-2, ember.tensor([1.0, 0.0], requires_grad=True))
    print("params:", params.detach())

    print("optim.SGD, lr=1e-2, normalized t_u:")
    params = ember.tensor([1.0, 0.0], requires_grad=True)
    params = optimizer_loop(epochs, optim.SGD([params], lr=1e-2), params, t_un)
    print("params:", params.detach())

    # Adam adapts the step per parameter, so it copes with the unnormalized input.
    print("optim.Adam, lr=1e-1, raw t_u:")
    params = ember.tensor([1.0, 0.0], requires_grad=True)
    params = optimizer_loop(epochs * 2 // 5, optim.Adam([params], lr=1e-1), params, t_u)
    print("params:", params.detach())
    w, b = params.tolist()
    print(f"final loss {float(loss_fn(model(t_u, w, b), t_c)):f}; "
          f"t_c = {w:.4f} * t_u {b:+.4f} (t_u = 45 gives {w * 45 + b:.2f} C)")


if __name__ == "__main__":
    main()
