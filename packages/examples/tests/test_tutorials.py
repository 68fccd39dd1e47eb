"""Every tutorial script in the repository's examples/ runs and prints what it teaches."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

# Found from this file, not the working directory: the wheels session runs from an empty folder.
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run_script(name: str, *args: str, cwd: Path) -> str:
    script = EXAMPLES / name
    assert script.is_file(), f"{script} is missing"
    proc = subprocess.run([sys.executable, str(script), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def floats(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", text)]


def test_every_script_is_covered() -> None:
    tested = {"tensors.py", "autograd.py", "linear_regression.py", "lenet.py",
              "resnet18_step.py", "demo.py", "backend-arrayapi/walkthrough.py"}
    found = {p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.glob("*.py")}
    found |= {p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.glob("*/walkthrough.py")}
    assert found == tested


def test_tensors(tmp_path: Path) -> None:
    out = run_script("tensors.py", cwd=tmp_path)
    for line in [
        "shape: ember.Size([3, 2]) dtype: ember.float32",
        "points[1].storage_offset(): 2",
        "points.stride(): (2, 1)",
        "points.t().stride(): (1, 2)",
        "same storage: True",
        "points.t() contiguous? False",
        "after points[1][0] = 10: tensor([[ 4.,  1.],\n        [10.,  3.],\n        [ 2.,  1.]])",
        "contiguous copy stride: (3, 1) shares storage: False",
        "numpy array after writing through from_numpy: [7. 1. 1.]",
        "points after writing through .numpy(): tensor([-1.,  1.])",
        "x[x > 5] = tensor([6., 7., 8., 9.])",
        "even entries zeroed: tensor([0., 1., 0., 3., 0., 5., 0., 7., 0., 9.])",
        "float64: ember.float64 -> ember.int16 ember.int16 ember.float32",
        "int + float promotes: ember.float32",
        "loaded == saved: True ember.float32 ember.Size([3, 2])",
    ]:
        assert line in out, line


def test_autograd(tmp_path: Path) -> None:
    out = run_script("autograd.py", cwd=tmp_path)
    assert out.splitlines()[:7] == [
        "y = tensor(9., grad_fn=<PowBackward0>)",
        "dy/dx at 3: tensor(6.)",
        "after a second backward: tensor(12.)",
        "after x.grad.zero_(): tensor(0.)",
        "d log(x)/dx at 3: tensor(0.3333) = 1/3",
        "dQ/da == 9a^2: tensor([True, True])",
        "dQ/db == -2b: tensor([True, True])",
    ]
    assert out.splitlines()[7:] == ["requires_grad: True", "under no_grad: False", "detached: False"]


def test_linear_regression_finds_the_known_solution(tmp_path: Path) -> None:
    out = run_script("linear_regression.py", cwd=tmp_path)
    params = [floats(line) for line in out.splitlines() if line.startswith("params:")]
    # The book's (and PyTorch's) results: w, b for 0.1 * t_u, then for raw t_u with Adam.
    assert params[0] == pytest.approx([5.3671, -17.3012], abs=2e-4)
    assert params[1] == pytest.approx([5.3671, -17.3012], abs=2e-4)
    assert params[2] == pytest.approx([0.5367, -17.3021], abs=2e-4)
    losses = [float(v) for v in re.findall(r"Loss (\d+\.\d+)", out)]
    assert len(losses) == 12 and losses[4] == pytest.approx(2.927648, abs=1e-4)
    final = re.search(r"final loss (\d+\.\d+)", out)
    assert final is not None and float(final.group(1)) < 2.93


def test_lenet_tutorial(tmp_path: Path) -> None:
    out = run_script("lenet.py", cwd=tmp_path)
    lines = out.splitlines()
    assert lines[:9] == [
        "Net(",
        "  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))",
        "  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))",
        "  (fc1): Linear(in_features=400, out_features=120, bias=True)",
        "  (fc2): Linear(in_features=120, out_features=84, bias=True)",
        "  (fc3): Linear(in_features=84, out_features=10, bias=True)",
        ")",
        "10",
        "ember.Size([6, 1, 5, 5])",
    ]
    assert "grad_fn=<AddmmBackward0>)" in out
    before = lines.index("conv1.bias.grad before backward")
    assert lines[before + 1] == "None"
    assert lines[before + 3].startswith("tensor([") and len(floats(lines[before + 3])) == 6
    loss0 = floats(next(line for line in lines if line.startswith("tensor(") and "MeanBackward0" in line))[0]
    manual = floats(next(line for line in lines if line.startswith("loss after a manual")))[0]
    sgd = floats(next(line for line in lines if line.startswith("loss after three")))[0]
    assert sgd < manual < loss0


def test_resnet18_step(tmp_path: Path) -> None:
    out = run_script("resnet18_step.py", "--batch-size", "2", "--image-size", "32",
                     "--steps", "3", "--classes", "10", cwd=tmp_path)
    assert "resnet18: 11,181,642 parameters" in out  # torchvision's resnet18(num_classes=10)
    losses = [float(v) for v in re.findall(r"step \d: loss (\d+\.\d+)", out)]
    after = re.search(r"loss after 3 step\(s\): (\d+\.\d+)", out)
    assert len(losses) == 3 and after is not None
    assert float(after.group(1)) < losses[0]  # three SGD steps on one batch fit it better


def test_demo(tmp_path: Path) -> None:
    out = run_script("demo.py", cwd=tmp_path)
    assert "reshape shares storage: True" in out and "save/load round trip: True" in out


def test_backend_walkthrough(tmp_path: Path) -> None:
    out = run_script("backend-arrayapi/walkthrough.py", cwd=tmp_path)
    assert "'strict': ['array-api-strict']" in out
    assert "x * 2 = tensor([2., 2., 2.], device='strict')" in out
    assert "mixing devices -> RuntimeError: add(): expected all tensors to be on the same device" in out
    assert "write through a view -> RuntimeError: __setitem__(): the 'array-api-strict' backend" in out
    assert "d/dw sum(w^2) on strict: tensor([4., 6.], device='strict')" in out
