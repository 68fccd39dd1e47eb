"""ResNet-18 end to end: structure as torchvision's, forward and backward on a 1x3x64x64 image with a
1000-class head, finite gradients on every parameter, and finite-difference checks of the gradients."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import ember


def _load_models() -> object:
    path = Path(__file__).resolve().parent / "_models.py"
    spec = importlib.util.spec_from_file_location("_ember_nn_test_models", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


models = _load_models()


@pytest.fixture(scope="module")
def net64() -> tuple[object, ember.Tensor, ember.Tensor]:
    """A float64 ResNet-18 with the gradient of ``(out * g).sum()`` already computed."""
    ember.manual_seed(0)
    net = models.resnet18().double()  # type: ignore[attr-defined]
    x = ember.randn(1, 3, 64, 64, dtype=ember.float64)
    g = ember.randn(1, 1000, dtype=ember.float64)
    out = net(x)
    (out * g).sum().backward()
    return net, x, g


@pytest.fixture(scope="module")
def net32() -> object:
    ember.manual_seed(1)
    return models.resnet18()  # type: ignore[attr-defined]


def test_structure_matches_torchvision(net32: object) -> None:
    net = net32
    params = list(net.named_parameters())
    assert len(params) == 62
    assert sum(p.numel() for _, p in params) == 11_689_512  # torchvision.models.resnet18()
    assert len(list(net.buffers())) == 60  # 20 BatchNorm2d x (running_mean, running_var, num_batches_tracked)
    names = [n for n, _ in params]
    assert names[:3] == ["conv1.weight", "bn1.weight", "bn1.bias"]
    assert "layer2.0.downsample.0.weight" in names and "layer1.0.downsample.0.weight" not in names
    assert names[-2:] == ["fc.weight", "fc.bias"]
    text = str(net).splitlines()
    assert text[1] == "  (conv1): Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)"
    assert "      (downsample): Sequential(" in text
    assert text[-3] == "  (avgpool): AdaptiveAvgPool2d(output_size=(1, 1))"
    assert text[-2] == "  (fc): Linear(in_features=512, out_features=1000, bias=True)"


def test_forward_backward_float32(net32: object) -> None:
    net = net32
    x = ember.randn(1, 3, 64, 64)
    out = net(x)
    assert out.shape == (1, 1000) and out.dtype == ember.float32
    net.zero_grad()
    out.backward(ember.randn(1, 1000))
    for name, p in net.named_parameters():
        assert p.grad is not None, name
        assert p.grad.shape == p.shape, name
        assert bool(ember.isfinite(p.grad).all()), name
    assert float(net.fc.weight.grad.abs().sum()) > 0 and float(net.conv1.weight.grad.abs().sum()) > 0
    assert net.bn1.num_batches_tracked.item() == 1
    net.eval()
    with ember.no_grad():
        assert bool(ember.isfinite(net(x)).all())
    assert net.bn1.num_batches_tracked.item() == 1


def _loss(net: object, x: ember.Tensor, g: ember.Tensor) -> float:
    with ember.no_grad():
        return float((net(x) * g).sum().item())  # type: ignore[operator]


@pytest.mark.parametrize(("name", "index"), [
    ("conv1.weight", (3, 1, 2, 4)), ("layer2.0.downsample.1.weight", (5,)), ("layer4.1.conv2.weight", (10, 20, 1, 1)),
])
def test_gradient_entries_by_finite_differences(net64: tuple[object, ember.Tensor, ember.Tensor], name: str,
                                                index: tuple[int, ...]) -> None:
    net, x, g = net64
    p = dict(net.named_parameters())[name]  # type: ignore[attr-defined]
    eps = 1e-6
    orig = float(p[index].item())
    with ember.no_grad():
        p[index] = orig + eps
        plus = _loss(net, x, g)
        p[index] = orig - eps
        minus = _loss(net, x, g)
        p[index] = orig
    numeric = (plus - minus) / (2 * eps)
    assert float(p.grad[index].item()) == pytest.approx(numeric, rel=1e-4, abs=1e-6)


def test_gradient_direction_by_finite_differences(net64: tuple[object, ember.Tensor, ember.Tensor]) -> None:
    """A directional derivative along a random direction in the space of all 62 parameters.

    In eval mode: with batch statistics of a single 64x64 image (2x2 positions per channel in
    layer4) the loss is so curved that a central difference over all parameters at once only
    converges below eps=1e-7; the train-mode gradient is checked entry by entry above.
    """
    net, x, g = net64
    net.eval()  # type: ignore[attr-defined]
    net.zero_grad()  # type: ignore[attr-defined]
    (net(x) * g).sum().backward()  # type: ignore[operator]
    params = list(net.parameters())  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    direction = [ember.from_numpy(rng.standard_normal(tuple(p.shape))) for p in params]
    analytic = sum(float((p.grad * d).sum().item()) for p, d in zip(params, direction, strict=True))
    eps = 1e-7
    with ember.no_grad():
        for p, d in zip(params, direction, strict=True):
            p.add_(d, alpha=eps)
        plus = _loss(net, x, g)
        for p, d in zip(params, direction, strict=True):
            p.sub_(d, alpha=2 * eps)
        minus = _loss(net, x, g)
        for p, d in zip(params, direction, strict=True):
            p.add_(d, alpha=eps)
    assert analytic == pytest.approx((plus - minus) / (2 * eps), rel=1e-4)
