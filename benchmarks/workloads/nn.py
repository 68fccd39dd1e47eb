"""ember.nn training steps: the MLP with ``nn.Linear`` + ``F.cross_entropy`` and the tutorial LeNet.

- ``nn.mlp_step``: ``nn.Linear`` 784-256-256-10 with ReLU, ``F.cross_entropy`` on a batch of 128
  class indices, ``backward()``, and the SGD update written by hand (``p -= lr * p.grad`` under
  ``no_grad``). NumPy is the same step by hand (softmax minus one-hot, three GEMM pairs, in-place
  updates). The issue's target: Ember within 1.15x of NumPy.
- ``nn.lenet_step``: the PyTorch tutorial's LeNet (conv 1->6 5x5, 2x2 max-pool, conv 6->16 5x5,
  2x2 max-pool, 400-120-84-10) on a batch of 64 1x32x32 images, ``F.cross_entropy``, backward and
  the same hand-written SGD update. NumPy is the fastest hand-written version we have (the conv and
  pool workloads' im2col GEMM, col2im and strided-slice max-pool, PERF-NOTES.md). The issue's
  target: Ember within 2x of PyTorch.

Every implementation starts from the same weights (PyTorch's default-init scale, drawn with NumPy and
loaded through ``load_state_dict``) and returns the first layer's weight gradient of the step, which
the agreement check compares.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
from harness import STEP_CALLS, STEP_WARM_CALLS, Target, Thunk, Workload, optional_torch

from workloads.conv import _np_conv
from workloads.pool import _numpy_backward as _pool_backward
from workloads.pool import _numpy_forward as _pool_forward

__all__ = ["workloads", "MLP_TARGET", "LENET_TARGET"]

#: The issue's goals.
MLP_TARGET = Target("ember", "numpy", 1.15)
LENET_TARGET = Target("ember", "torch", 2.0)
# Multi-threaded BLAS pools spin after a call; see matmul.py.
SETTLE_S = 0.12
LR = 0.01

MLP_SIZES = (784, 256, 256, 10)
MLP_BATCH = 128
LENET_BATCH = 64
# (name, shape) of the LeNet parameters, in the order of the module's state_dict.
LENET_PARAMS = (
    ("conv1.weight", (6, 1, 5, 5)), ("conv1.bias", (6,)), ("conv2.weight", (16, 6, 5, 5)), ("conv2.bias", (16,)),
    ("fc1.weight", (120, 400)), ("fc1.bias", (120,)), ("fc2.weight", (84, 120)), ("fc2.bias", (84,)),
    ("fc3.weight", (10, 84)), ("fc3.bias", (10,)),
)


def _uniform_init(rng: np.random.Generator, shapes: list[tuple[str, tuple[int, ...]]]) -> dict[str, np.ndarray]:
    """Weights and biases from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (the scale of torch's default init)."""
    out = {}
    fan_in = 1
    for name, shape in shapes:
        if name.endswith("weight"):
            fan_in = int(np.prod(shape[1:]))
        bound = 1 / np.sqrt(fan_in)
        out[name] = rng.uniform(-bound, bound, shape).astype(np.float32)
    return out


# -- models (one source for Ember and PyTorch: the same nn/F spelling) -------------------------------------------

def _mlp(nn: Any, F: Any) -> Any:
    class MLP(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = nn.Linear(MLP_SIZES[0], MLP_SIZES[1])
            self.fc2 = nn.Linear(MLP_SIZES[1], MLP_SIZES[2])
            self.fc3 = nn.Linear(MLP_SIZES[2], MLP_SIZES[3])

        def forward(self, x: Any) -> Any:
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))

    return MLP()


def _lenet(nn: Any, F: Any) -> Any:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x: Any) -> Any:
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, 16 * 5 * 5)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return Net()


def _mlp_inputs() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(21)
    x = rng.standard_normal((MLP_BATCH, MLP_SIZES[0]), dtype=np.float32)
    y = rng.integers(0, MLP_SIZES[-1], MLP_BATCH)
    shapes = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(MLP_SIZES), 1):
        shapes += [(f"fc{i}.weight", (fan_out, fan_in)), (f"fc{i}.bias", (fan_out,))]
    return x, y, _uniform_init(rng, shapes)


def _lenet_inputs() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(22)
    x = rng.standard_normal((LENET_BATCH, 1, 32, 32), dtype=np.float32)
    y = rng.integers(0, 10, LENET_BATCH)
    return x, y, _uniform_init(rng, list(LENET_PARAMS))


def _framework_setup(lib: str, build: Callable[[Any, Any], Any],
                     inputs: Callable[[], tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]],
                     first: str) -> Thunk:
    """The training step on Ember or PyTorch: zero grads, forward, cross-entropy, backward, SGD by hand."""
    if lib == "torch":
        mod: Any = optional_torch()
        import torch.nn as tnn
        import torch.nn.functional as tF
        nn, F = tnn, tF
    else:
        import ember
        import ember.nn as enn
        import ember.nn.functional as eF
        mod, nn, F = ember, enn, eF
    x, y, params = inputs()
    model = build(nn, F)
    model.load_state_dict({k: mod.from_numpy(v.copy()) for k, v in params.items()})
    xt, yt = mod.from_numpy(x), mod.from_numpy(y)
    ps = list(model.parameters())
    weight = dict(model.named_parameters())[first]

    def step() -> Any:
        for p in ps:
            p.grad = None
        F.cross_entropy(model(xt), yt).backward()
        with mod.no_grad():
            for p in ps:
                p -= LR * p.grad
        return weight.grad

    return step


# -- hand-written NumPy ------------------------------------------------------------------------------------------

def _softmax_ce_grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Gradient of mean cross-entropy w.r.t. the logits (the loss itself is computed too, as a step would)."""
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    n = z.shape[0]
    _loss = -(shifted[np.arange(n), y] - np.log(s[:, 0])).mean()
    g = e / s
    g[np.arange(n), y] -= 1
    g /= np.float32(n)
    return g


def _dense_backward(g: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
                    grads: dict[int, np.ndarray]) -> np.ndarray:
    """Back through ``[(input, pre-activation of the next ReLU or None, weight)]`` from the top; returns d/d input."""
    for i in reversed(range(len(layers))):
        a, z_below, w = layers[i]
        grads[2 * i] = g.T @ a
        grads[2 * i + 1] = g.sum(axis=0)
        g = g @ w
        if z_below is not None:
            g *= z_below > 0
    return g


def _mlp_numpy_setup() -> Thunk:
    x, y, params = _mlp_inputs()
    ps = list(params.values())

    def step() -> np.ndarray:
        w1, b1, w2, b2, w3, b3 = ps
        z1 = x @ w1.T + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2.T + b2
        h2 = np.maximum(z2, 0)
        g = _softmax_ce_grad(h2 @ w3.T + b3, y)
        grads: dict[int, np.ndarray] = {}
        _dense_backward(g, [(x, None, w1), (h1, z1, w2), (h2, z2, w3)], grads)
        for i, p in enumerate(ps):
            p -= np.float32(LR) * grads[i]
        return grads[0]

    return step


def _lenet_numpy_setup() -> Thunk:
    x, y, params = _lenet_inputs()
    ps = list(params.values())
    n = LENET_BATCH

    def conv_weight_grad(gy: np.ndarray, cols: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        g2 = np.ascontiguousarray(gy.transpose(1, 0, 2, 3)).reshape(shape[0], -1)
        return np.ascontiguousarray((cols @ g2.T).T).reshape(shape), g2

    def step() -> np.ndarray:
        cw1, cb1, cw2, cb2, w3, b3, w4, b4, w5, b5 = ps
        y1, cols1 = _np_conv(x, cw1, 0)
        y1 += cb1[:, None, None]
        r1 = np.maximum(y1, 0)
        p1, views1 = _pool_forward(r1, 2, 2, 0)
        y2, cols2 = _np_conv(p1, cw2, 0)
        y2 += cb2[:, None, None]
        r2 = np.maximum(y2, 0)
        p2, views2 = _pool_forward(r2, 2, 2, 0)
        f = p2.reshape(n, 400)
        z3 = f @ w3.T + b3
        h3 = np.maximum(z3, 0)
        z4 = h3 @ w4.T + b4
        h4 = np.maximum(z4, 0)
        g = _softmax_ce_grad(h4 @ w5.T + b5, y)
        dense: dict[int, np.ndarray] = {}
        gf = _dense_backward(g, [(f, None, w3), (h3, z3, w4), (h4, z4, w5)], dense)
        gy2 = _pool_backward(r2, p2, views2, gf.reshape(p2.shape), 2, 2, 0) * (y2 > 0)
        gw2, g2 = conv_weight_grad(gy2, cols2, cw2.shape)
        # d/d p1 by col2im: the 25 kernel offsets' slices added into a zero buffer (small layer; PERF-NOTES.md).
        gcols = (cw2.reshape(16, -1).T @ g2).reshape(6, 5, 5, n, 10, 10)
        acc = np.zeros((6, n, 14, 14), np.float32)
        for i in range(5):
            for j in range(5):
                acc[:, :, i:i + 10, j:j + 10] += gcols[:, i, j]
        gy1 = _pool_backward(r1, p1, views1, acc.transpose(1, 0, 2, 3), 2, 2, 0) * (y1 > 0)
        gw1, _ = conv_weight_grad(gy1, cols1, cw1.shape)
        grads = [gw1, gy1.sum(axis=(0, 2, 3)), gw2, gy2.sum(axis=(0, 2, 3)), *(dense[i] for i in range(6))]
        for p, gp in zip(ps, grads, strict=True):
            p -= np.float32(LR) * gp
        return gw1

    return step


def _setups(build: Callable[[Any, Any], Any], inputs: Any, first: str,
            numpy_setup: Callable[[], Thunk]) -> dict[str, Callable[[], Thunk]]:
    return {
        "ember": lambda: _framework_setup("ember", build, inputs, first),
        "numpy": numpy_setup,
        "torch": lambda: _framework_setup("torch", build, inputs, first),
    }


def _mlp_flops() -> float:
    gemm = [2.0 * MLP_BATCH * i * o for i, o in itertools.pairwise(MLP_SIZES)]
    return 3 * sum(gemm) - gemm[0]


def workloads() -> list[Workload]:
    """``nn.mlp_step`` (target: ember <= 1.15x numpy) and ``nn.lenet_step`` (target: ember <= 2x torch)."""
    return [
        Workload(
            "nn.mlp_step", _setups(_mlp, _mlp_inputs, "fc1.weight", _mlp_numpy_setup), flops=_mlp_flops(),
            target=MLP_TARGET, rtol=1e-4, atol=1e-6, settle_s=SETTLE_S, min_calls=STEP_CALLS, warm_calls=STEP_WARM_CALLS,
            description="nn.Linear MLP 784-256-256-10, batch 128, F.cross_entropy, backward, SGD by hand",
        ),
        Workload(
            "nn.lenet_step", _setups(_lenet, _lenet_inputs, "conv1.weight", _lenet_numpy_setup),
            target=LENET_TARGET, rtol=1e-3, atol=1e-5, settle_s=SETTLE_S, min_calls=STEP_CALLS, warm_calls=STEP_WARM_CALLS,
            description="tutorial LeNet, batch 64 1x32x32, F.cross_entropy, backward, SGD by hand",
        ),
    ]
