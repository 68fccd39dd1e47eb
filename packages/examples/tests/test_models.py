"""The shared models: shapes, layouts, parameter counts and state-dict keys."""

from __future__ import annotations

import ember
from ember.examples.models import DigitsCNN, LeNet, resnet18

LENET_REPR = """LeNet(
  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))
  (fc1): Linear(in_features=400, out_features=120, bias=True)
  (fc2): Linear(in_features=120, out_features=84, bias=True)
  (fc3): Linear(in_features=84, out_features=10, bias=True)
)"""


def n_params(model: ember.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_digits_cnn() -> None:
    model = DigitsCNN()
    assert model(ember.randn(5, 1, 8, 8)).shape == (5, 10)
    # conv 1->16 (160) + conv 16->32 (4640) + linear 512->10 (5130)
    assert n_params(model) == 160 + 4640 + 5130
    assert DigitsCNN(channels=(4, 8), num_classes=3)(ember.randn(2, 1, 8, 8)).shape == (2, 3)


def test_lenet_prints_like_the_tutorial_and_maps_32x32_to_10() -> None:
    net = LeNet()
    assert repr(net) == LENET_REPR
    assert len(list(net.parameters())) == 10 and n_params(net) == 61706
    assert net(ember.randn(3, 1, 32, 32)).shape == (3, 10)


def test_resnet18_matches_torchvisions_layout() -> None:
    model = resnet18()
    assert n_params(model) == 11_689_512  # torchvision.models.resnet18()
    keys = list(model.state_dict())
    assert len(keys) == 122
    assert keys[:6] == ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
                        "bn1.running_var", "bn1.num_batches_tracked"]
    assert "layer2.0.downsample.0.weight" in keys and "layer1.0.downsample.0.weight" not in keys
    assert keys[-2:] == ["fc.weight", "fc.bias"]
    assert float(model.bn1.weight.min()) == 1.0 and float(model.bn1.bias.abs().max()) == 0.0
    # kaiming_normal_(mode="fan_out"): std sqrt(2 / (64 * 7 * 7)) for conv1
    std = model.conv1.weight.std().item()
    assert abs(std - (2 / (64 * 49)) ** 0.5) < 0.1 * std


def test_resnet18_forward_backward_on_a_small_input() -> None:
    model = resnet18(num_classes=10)
    out = model(ember.randn(2, 3, 32, 32))
    assert out.shape == (2, 10)
    out.sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())
