"""GPU benchmarks: Ember's CUDA backend against PyTorch CUDA, in one process, with the CPU harness.

Each workload's thunk runs one step on the GPU and waits for it (``ember.cuda.synchronize`` /
``torch.cuda.synchronize``), so the harness's wall-clock samples are device-synchronised;
warm-up rounds are thrown away and medians reported (see ``benchmarks/harness.py``). Both
implementations start from the same weights (PyTorch's, copied through ``load_state_dict``)
and the agreement check compares a gradient of the first step before anything is timed.

    python benchmarks/gpu/bench_gpu.py [--only NAME] [--out FILE] [--list]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: harness, machine

from harness import Plan, Workload, optional_torch, run_workload

PLAN = Plan(sample_ns=1_000_000, budget_ns=6_000_000_000, min_rounds=9, max_rounds=60, warmup_rounds=3)


class _Host:
    """A GPU result converted to NumPy only when the agreement check asks (never while timing)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        v = self.value.detach().cpu()
        arr = np.asarray(v.float().numpy() if str(v.dtype).endswith("float16") else v.numpy())
        return arr if dtype is None else arr.astype(dtype)


def _libs(impl: str) -> tuple[Any, Any, Any, Any]:
    """``(lib, nn, optim, synchronize)`` for ``"ember"`` or ``"torch"``."""
    if impl == "ember":
        import ember
        import ember.nn as nn
        import ember.optim as optim

        return ember, nn, optim, ember.cuda.synchronize
    torch = optional_torch()
    return torch, torch.nn, torch.optim, torch.cuda.synchronize


def _to_lib(impl: str, arr: np.ndarray) -> Any:
    lib = _libs(impl)[0]
    return lib.from_numpy(np.ascontiguousarray(arr)).to("cuda")


def _copy_weights(src: Any, dst: Any) -> None:
    """torch module ``src``'s state into ember module ``dst`` (same keys, as Ember mirrors torch)."""
    import ember

    dst.load_state_dict({k: ember.from_numpy(v.detach().cpu().numpy().copy()) for k, v in src.state_dict().items()})
    dst.cuda()


# -- workloads -------------------------------------------------------------------------------------

def matmul(n: int, dtype: str) -> Workload:
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))

    def setup(impl: str) -> Any:
        x, y = _to_lib(impl, a), _to_lib(impl, b)
        sync = _libs(impl)[3]

        def step() -> Any:
            out = x @ y
            sync()
            return _Host(out)

        return step

    tol = 2e-2 if dtype == "float16" else 1e-3
    return Workload(f"gpu.matmul_{dtype}_{n}", {i: (lambda i=i: setup(i)) for i in ("ember", "torch")},
                    flops=2.0 * n**3, rtol=tol, atol=tol * np.sqrt(n), description=f"{n}x{n} @ {n}x{n} {dtype}")


def conv_resnet_layer() -> Workload:
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal((32, 64, 56, 56)).astype(np.float32)
    w0 = (rng.standard_normal((64, 64, 3, 3)) * 0.05).astype(np.float32)

    def setup(impl: str) -> Any:
        _, nn, _, sync = _libs(impl)
        x = _to_lib(impl, x0).requires_grad_()
        w = _to_lib(impl, w0).requires_grad_()

        def step() -> Any:
            x.grad = w.grad = None
            y = nn.functional.conv2d(x, w, padding=1)
            y.sum().backward()
            sync()
            return _Host(w.grad)

        return step

    return Workload("gpu.conv_resnet_fwd_bwd", {i: (lambda i=i: setup(i)) for i in ("ember", "torch")},
                    flops=3 * 2.0 * 32 * 64 * 56 * 56 * 64 * 9, rtol=1e-3, atol=1e-2,
                    description="conv2d 32x64x56x56, 64->64 3x3 pad 1: forward + input and weight gradients")


def _train_step(impl: str, make: Any, x0: np.ndarray, target0: np.ndarray, loss_name: str, grad_of: str) -> Any:
    _, nn, optim, sync = _libs(impl)
    torch = optional_torch()
    torch.manual_seed(0)
    model = make(torch.nn).cuda()
    if impl == "ember":
        model_e = make(nn)
        _copy_weights(model, model_e)
        model = model_e
    model.train()
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = _to_lib(impl, x0)
    target = _to_lib(impl, target0)
    loss_fn = getattr(nn.functional, loss_name)
    first = {}

    def step() -> Any:
        opt.zero_grad()
        out = model(x)
        loss = loss_fn(out, target)
        loss.backward()
        if "grad" not in first:  # the agreement check compares the first step's gradient
            first["grad"] = dict(model.named_parameters())[grad_of].grad.clone()
        opt.step()
        sync()
        return _Host(first["grad"])

    return step


def mlp(batch: int) -> Workload:
    rng = np.random.default_rng(2)
    x0 = rng.standard_normal((batch, 784)).astype(np.float32)
    y0 = rng.integers(0, 10, batch).astype(np.int64)

    def make(nn: Any) -> Any:
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))

    setups = {i: (lambda i=i: _train_step(i, make, x0, y0, "cross_entropy", "0.weight")) for i in ("ember", "torch")}
    return Workload(f"gpu.mlp_step_{batch}", setups, rtol=1e-3, atol=1e-5,
                    description=f"MLP 784-256-256-10 training step (SGD momentum), batch {batch}")


def _resnet18(nn: Any) -> Any:
    """torchvision's ResNet-18, written with ``nn`` (torch.nn or ember.nn): same modules, same keys."""

    class Block(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU()
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = (
                nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                if stride != 1 or cin != cout else None
            )

        def forward(self, x: Any) -> Any:
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + (x if self.downsample is None else self.downsample(x)))

    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 1000)]
    return nn.Sequential(*layers)


def resnet18() -> Workload:
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal((64, 3, 224, 224)).astype(np.float32)
    y0 = rng.integers(0, 1000, 64).astype(np.int64)
    setups = {i: (lambda i=i: _train_step(i, _resnet18, x0, y0, "cross_entropy", "14.weight")) for i in ("ember", "torch")}
    return Workload("gpu.resnet18_step_64", setups, rtol=2e-2, atol=1e-3,
                    description="ResNet-18 training step (SGD momentum), batch 64 of 3x224x224")


def transformer_layer() -> Workload:
    rng = np.random.default_rng(4)
    x0 = rng.standard_normal((32, 128, 512)).astype(np.float32)
    t0 = rng.standard_normal((32, 128, 512)).astype(np.float32)

    def make(nn: Any) -> Any:
        return nn.TransformerEncoderLayer(512, 8, dim_feedforward=2048, dropout=0.0, batch_first=True)

    setups = {i: (lambda i=i: _train_step(i, make, x0, t0, "mse_loss", "linear1.weight")) for i in ("ember", "torch")}
    return Workload("gpu.transformer_encoder_step", setups, rtol=1e-2, atol=1e-4,
                    description="TransformerEncoderLayer(512, 8, 2048) training step, batch 32 x 128 tokens")


def workloads() -> list[Workload]:
    return [matmul(8192, "float32"), matmul(8192, "float16"), conv_resnet_layer(), mlp(128), mlp(4096),
            resnet18(), transformer_layer()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run workloads whose name contains this")
    parser.add_argument("--out", default="", help="write the results (JSON lines) to this file")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    chosen = [w for w in workloads() if args.only in w.name]
    if args.list:
        for w in chosen:
            print(f"{w.name:32} {w.description}")
        return 0
    import ember

    torch = optional_torch()
    if not ember.cuda.is_available() or torch is None or not torch.cuda.is_available():
        from ember_cuda import unavailable_reason

        print(f"GPU benchmarks need ember-cuda with a GPU ({unavailable_reason()}) and PyTorch with CUDA "
              f"({'not importable' if torch is None else 'cuda available: ' + str(torch.cuda.is_available())})")
        return 2
    # Same arithmetic on both sides: CuPy computes float32 GEMMs in full float32 (no TF32 unless
    # CUPY_TF32=1), so PyTorch's cuDNN convolutions are kept off TF32 too (its matmuls already are).
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    print(f"# {ember.cuda.get_device_name()}; torch {torch.__version__}; TF32 off")
    out = open(args.out, "w", encoding="utf-8") if args.out else None  # noqa: SIM115
    failed = 0
    for w in chosen:
        res = run_workload(w, PLAN, ("ember", "torch"))
        if res.error:
            failed += 1
            line = {"workload": w.name, "error": res.error}
            print(f"{w.name:32} ERROR {res.error}")
        else:
            med = {k: v.median / 1e6 for k, v in res.times.items()}
            ratio = res.ratios["ember/torch"].median
            line = {"workload": w.name, "description": w.description, "median_ms": med, "ember/torch": ratio,
                    "rounds": len(res.samples["ember"])}
            if w.flops:
                line["tflops"] = {k: w.flops / (v * 1e-3) / 1e12 for k, v in med.items()}
            print(f"{w.name:32} ember {med['ember']:9.3f} ms  torch {med['torch']:9.3f} ms  ember/torch {ratio:6.2f}")
        if out:
            out.write(json.dumps(line) + "\n")
            out.flush()
        ember.cuda.empty_cache()
        torch.cuda.empty_cache()
    if out:
        out.close()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
