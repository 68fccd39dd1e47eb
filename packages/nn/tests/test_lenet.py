"""The PyTorch tutorial LeNet end to end: printing, parameters, backward, MSELoss, manual SGD update.

Forward values are checked against a NumPy implementation, gradients against central differences
(float64), and ``print(net)`` against torch 2.13's output for the same model.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import ember
import ember.nn as nn
import ember.nn.functional as F


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

    def num_flat_features(self, x):
        num = 1
        for s in x.size()[1:]:
            num *= s
        return num


LENET_REPR = """Net(
  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))
  (fc1): Linear(in_features=400, out_features=120, bias=True)
  (fc2): Linear(in_features=120, out_features=84, bias=True)
  (fc3): Linear(in_features=84, out_features=10, bias=True)
)"""


def _np_forward(net: Net, x: np.ndarray) -> np.ndarray:
    p = {k: v.detach().numpy() for k, v in net.named_parameters()}

    def conv(a, w, b):
        win = sliding_window_view(a, w.shape[2:], axis=(2, 3))  # N, C, H', W', kh, kw
        return np.einsum("nchwij,ocij->nohw", win, w) + b[None, :, None, None]

    def pool(a):
        n, c, h, w = a.shape
        return a[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))

    relu = lambda a: np.maximum(a, 0)  # noqa: E731
    a = pool(relu(conv(x, p["conv1.weight"], p["conv1.bias"])))
    a = pool(relu(conv(a, p["conv2.weight"], p["conv2.bias"])))
    a = a.reshape(a.shape[0], -1)
    a = relu(a @ p["fc1.weight"].T + p["fc1.bias"])
    a = relu(a @ p["fc2.weight"].T + p["fc2.bias"])
    return a @ p["fc3.weight"].T + p["fc3.bias"]


def test_lenet_tutorial_flow():
    ember.manual_seed(0)
    net = Net()
    assert repr(net) == LENET_REPR
    params = list(net.parameters())
    assert len(params) == 10
    assert params[0].size() == (6, 1, 5, 5)
    assert sum(p.numel() for p in params) == 61706

    inp = ember.randn(1, 1, 32, 32)
    out = net(inp)
    assert out.shape == (1, 10)
    np.testing.assert_allclose(out.detach().numpy(), _np_forward(net, inp.numpy()), rtol=1e-4, atol=1e-5)

    net.zero_grad()
    assert net.conv1.bias.grad is None
    out.backward(ember.randn(1, 10))
    assert all(p.grad is not None and p.grad.shape == p.shape for p in params)

    output = net(inp)
    target = ember.randn(10).view(1, -1)
    criterion = nn.MSELoss()
    loss = criterion(output, target)
    np.testing.assert_allclose(loss.item(), np.mean((output.detach().numpy() - target.numpy()) ** 2), rtol=1e-5)
    assert loss.grad_fn is not None

    net.zero_grad()
    assert net.conv1.bias.grad is None
    loss.backward()
    g = net.conv1.bias.grad
    assert g is not None and g.shape == (6,)

    lr = 0.01
    before = [p.detach().numpy().copy() for p in net.parameters()]
    grads = [p.grad.numpy().copy() for p in net.parameters()]
    for f in net.parameters():
        f.data.sub_(f.grad.data * lr)
    for p, b, gr in zip(net.parameters(), before, grads, strict=True):
        np.testing.assert_allclose(p.detach().numpy(), b - lr * gr, rtol=1e-6, atol=1e-7)
        assert isinstance(p, nn.Parameter) and p.requires_grad and p.is_leaf


def test_lenet_gradients_match_central_differences(device):
    ember.manual_seed(1)
    net = Net().double().to(device)
    x = ember.randn(2, 1, 32, 32, dtype=ember.float64).to(device)
    target = ember.randn(2, 10, dtype=ember.float64).to(device)
    loss = F.mse_loss(net(x), target)
    net.zero_grad()
    loss.backward()
    rng = np.random.default_rng(0)
    eps = 1e-6
    for name, p in net.named_parameters():
        flat = p.detach().view(-1)
        for i in rng.choice(p.numel(), size=2, replace=False):
            i = int(i)
            orig = flat[i].item()
            with ember.no_grad():
                flat[i] = orig + eps
                up = F.mse_loss(net(x), target).item()
                flat[i] = orig - eps
                down = F.mse_loss(net(x), target).item()
                flat[i] = orig
            numeric = (up - down) / (2 * eps)
            analytic = p.grad.view(-1)[i].item()
            np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-8, err_msg=f"{name}[{i}]")


def test_lenet_training_reduces_loss_and_batches():
    ember.manual_seed(2)
    net = Net()
    x = ember.randn(8, 1, 32, 32)
    y = ember.randn(8, 10)
    criterion = nn.MSELoss()
    losses = []
    for _ in range(5):
        net.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        losses.append(loss.item())
        with ember.no_grad():
            for p in net.parameters():
                p.sub_(0.05 * p.grad)
    assert losses[-1] < losses[0]
    np.testing.assert_allclose(net(x).detach().numpy(), _np_forward(net, x.numpy()), rtol=1e-4, atol=1e-5)
