"""Ember's main job: train a small CNN on scikit-learn's 8x8 handwritten digits.

Run ``python -m ember.examples.train`` (``--help`` for the options). It splits the 1797
digits 80/20 into a fixed train/test split, trains :class:`~ember.examples.models.DigitsCNN`
with Adam, showing a progress bar per epoch with the running loss and accuracy, reports
the test accuracy, saves the weights with ``ember.save``, reloads them into a fresh model
and checks the accuracy is unchanged, and plots the loss and accuracy curves to a PNG.

Needs the ``train`` extra: ``pip install "ember-examples[train]"`` (tqdm, matplotlib,
scikit-learn).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import ember
import ember.nn.functional as F
from ember import optim
from ember.examples._extras import MissingExtraError, import_extras
from ember.examples.models import DigitsCNN
from ember.nn.modules import Module
from ember.utils.data import DataLoader, TensorDataset

__all__ = ["DeviceUnavailableError", "Result", "load_digits_split", "main", "parse_args", "run"]

SPLIT_SEED = 0  # the train/test split is fixed, whatever --seed the training uses
TEST_FRACTION = 0.2
CHECKPOINT = "digits_cnn.ember"
CURVES = "curves.png"


class DeviceUnavailableError(RuntimeError):
    """``--device`` names a device this machine cannot use."""


@dataclass
class Result:
    """What one run produced (``main`` prints it; tests read it)."""

    test_accuracy: float
    reloaded_accuracy: float
    checkpoint: Path
    curves: Path | None
    seconds: float
    history: dict[str, list[float]] = field(default_factory=dict)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of ``python -m ember.examples.train``."""
    p = argparse.ArgumentParser(
        prog="python -m ember.examples.train",
        description="Train a small CNN on scikit-learn's 8x8 handwritten digits with Ember.",
    )
    p.add_argument("--epochs", type=int, default=12, help="passes over the training set (default 12)")
    p.add_argument("--batch-size", type=int, default=32, help="training batch size (default 32)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate (default 1e-3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the initial weights and shuffling")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda (needs ember-cuda and a GPU)")
    p.add_argument("--out", type=Path, default=Path("ember-digits-run"),
                   help="folder for the checkpoint and the plot (default ./ember-digits-run)")
    p.add_argument("--no-plot", action="store_true", help="skip the PNG (matplotlib not needed)")
    args = p.parse_args(argv)
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if not args.lr > 0:
        p.error(f"--lr must be positive, got {args.lr}")
    return args


def check_device(name: str) -> ember.device:
    """``ember.device(name)``, refusing cuda when no usable GPU and backend are present."""
    dev = ember.device(name)
    if dev.type == "cuda" and not ember.cuda.is_available():
        raise DeviceUnavailableError(
            f"--device {name}: CUDA is not available (ember.cuda.is_available() is False). "
            "It needs an NVIDIA GPU with its driver and the CUDA backend: "
            'pip install "./packages/backend-cuda[cuda12]"'
        )
    return dev


def load_digits_split(datasets: ModuleType) -> tuple[TensorDataset, TensorDataset]:
    """The digits as (N, 1, 8, 8) float32 images and int64 labels, split 80/20 reproducibly.

    The split is a permutation from a generator seeded with :data:`SPLIT_SEED`; images are
    standardized with the training set's mean and standard deviation. ``datasets`` is
    ``sklearn.datasets``.
    """
    digits = datasets.load_digits()
    images = ember.from_numpy(digits.images).float().unsqueeze(1)  # values 0..16
    labels = ember.from_numpy(digits.target).long()
    perm = ember.randperm(len(labels), generator=ember.Generator().manual_seed(SPLIT_SEED))
    n_test = round(len(labels) * TEST_FRACTION)
    test_idx, train_idx = perm[:n_test], perm[n_test:]
    train_x = images[train_idx]
    mean, std = train_x.mean(), train_x.std()
    normalize = lambda x: (x - mean) / std  # noqa: E731
    return (
        TensorDataset(normalize(train_x), labels[train_idx]),
        TensorDataset(normalize(images[test_idx]), labels[test_idx]),
    )


def evaluate(model: Module, loader: DataLoader, device: ember.device) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` over ``loader``."""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with ember.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            logits = model(x)
            total_loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += int((logits.argmax(1) == y).sum().item())
            count += len(y)
    return total_loss / count, correct / count


def train_epoch(
    model: Module, loader: DataLoader, opt: optim.Optimizer, device: ember.device, bar: Any
) -> tuple[float, float]:
    """One pass over ``loader``; the tqdm ``bar`` shows the running loss and accuracy."""
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        n = len(y)
        total_loss += loss.item() * n
        correct += int((logits.argmax(1) == y).sum().item())
        count += n
        bar.update(1)
        bar.set_postfix(loss=f"{total_loss / count:.4f}", acc=f"{correct / count:.2%}", refresh=False)
    return total_loss / count, correct / count


def plot_curves(figure: ModuleType, history: dict[str, list[float]], path: Path) -> None:
    """Write the loss and accuracy curves per epoch to ``path`` (PNG, no display needed).

    ``figure`` is ``matplotlib.figure``: its object API needs no pyplot and no GUI backend.
    """
    epochs = range(1, len(history["train_loss"]) + 1)
    fig = figure.Figure(figsize=(10, 4), layout="constrained")
    ax_loss, ax_acc = fig.subplots(1, 2)
    ax_loss.plot(epochs, history["train_loss"], marker="o", label="train")
    ax_loss.plot(epochs, history["test_loss"], marker="o", label="test")
    ax_loss.set(title="cross-entropy loss", xlabel="epoch", yscale="log")
    ax_acc.plot(epochs, [100 * a for a in history["train_acc"]], marker="o", label="train")
    ax_acc.plot(epochs, [100 * a for a in history["test_acc"]], marker="o", label="test")
    ax_acc.set(title="accuracy (%)", xlabel="epoch")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("Ember: DigitsCNN on scikit-learn's 8x8 digits")
    fig.savefig(path, dpi=100)


def run(args: argparse.Namespace) -> Result:
    """Train, evaluate, save, reload, re-evaluate and plot, as described in the module doc."""
    mods = import_extras(["tqdm", "sklearn.datasets"] + ([] if args.no_plot else ["matplotlib.figure"]))
    tqdm = mods["tqdm"].tqdm
    device = check_device(args.device)
    start = time.perf_counter()

    train_set, test_set = load_digits_split(mods["sklearn.datasets"])
    print(f"digits: {len(train_set)} training and {len(test_set)} test images (1x8x8), device {device}")
    ember.manual_seed(args.seed)
    loader_gen = ember.Generator().manual_seed(args.seed)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, generator=loader_gen)
    test_loader = DataLoader(test_set, batch_size=512)

    model = DigitsCNN().to(device)
    opt = optim.Adam(model.parameters(), lr=args.lr)
    history: dict[str, list[float]] = {k: [] for k in ("train_loss", "train_acc", "test_loss", "test_acc")}
    for epoch in range(1, args.epochs + 1):
        with tqdm(total=len(train_loader), desc=f"epoch {epoch}/{args.epochs}", unit="batch",
                  file=sys.stderr, dynamic_ncols=True) as bar:
            train_loss, train_acc = train_epoch(model, train_loader, opt, device, bar)
            test_loss, test_acc = evaluate(model, test_loader, device)
            bar.set_postfix(loss=f"{train_loss:.4f}", acc=f"{train_acc:.2%}", test_acc=f"{test_acc:.2%}")
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc), strict=True):
            history[key].append(value)
    seconds = time.perf_counter() - start
    print(f"test accuracy: {test_acc:.2%} ({round(test_acc * len(test_set))}/{len(test_set)}) "
          f"after {args.epochs} epochs, {seconds:.1f} s")

    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = args.out / CHECKPOINT
    ember.save(model.state_dict(), checkpoint)
    fresh = DigitsCNN().to(device)
    fresh.load_state_dict(ember.load(checkpoint, map_location=device))
    _, reloaded = evaluate(fresh, test_loader, device)
    if reloaded != test_acc:
        raise RuntimeError(f"reloaded model's accuracy {reloaded:.4%} differs from {test_acc:.4%}")
    print(f"checkpoint: {checkpoint} (reloaded into a fresh model: test accuracy {reloaded:.2%}, the same)")

    curves = None
    if not args.no_plot:
        curves = args.out / CURVES
        plot_curves(mods["matplotlib.figure"], history, curves)
        print(f"curves: {curves}")
    return Result(test_acc, reloaded, checkpoint, curves, seconds, history)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m ember.examples.train``; returns the exit status."""
    args = parse_args(argv)
    try:
        run(args)
    except (MissingExtraError, DeviceUnavailableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
