"""One ResNet-18 training step (or a few) on random data with ``SGD(lr=1e-2, momentum=0.9)``.

The model is torchvision's ResNet-18 layout (``ember.examples.models.resnet18``: same
modules, state-dict keys and initialization), trained on one random batch, which the
loss on that batch must go down on.

Run: python examples/resnet18_step.py [--batch-size 8] [--image-size 224] [--steps 1]
"""

from __future__ import annotations

import argparse
import time

import ember
import ember.nn as nn
import ember.optim as optim
from ember.examples.models import resnet18


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--classes", type=int, default=1000)
    args = parser.parse_args()

    ember.manual_seed(0)
    model = resnet18(num_classes=args.classes)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"resnet18: {n_params:,} parameters")
    x = ember.randn(args.batch_size, 3, args.image_size, args.image_size)
    y = ember.randint(0, args.classes, (args.batch_size,))
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)

    model.train()
    for step in range(1, args.steps + 1):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        print(f"step {step}: loss {loss.item():.4f} ({time.perf_counter() - start:.2f} s)")
    with ember.no_grad():
        print(f"loss after {args.steps} step(s): {criterion(model(x), y).item():.4f}")


if __name__ == "__main__":
    main()
