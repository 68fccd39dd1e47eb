"""The main job, ``python -m ember.examples.train``, on small settings."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import sklearn.datasets

import ember
from ember.examples import train
from ember.examples.models import DigitsCNN
from ember.utils.data import DataLoader

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_job(*args: str, cwd: Path, pre: str = "") -> subprocess.CompletedProcess[str]:
    """Run the job in a fresh interpreter; ``pre`` is code run first (to block imports)."""
    code = f"{pre}\nimport sys\nfrom ember.examples.train import main\nsys.exit(main({list(args)!r}))"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_two_epochs_as_a_module(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "ember.examples.train", "--epochs", "2", "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    # One tqdm bar per epoch, with the running loss and accuracy and the epoch's test accuracy.
    for epoch in (1, 2):
        assert re.search(rf"epoch {epoch}/2: 100%\|.*\| 45/45 .*acc=\d+\.\d\d%, loss=\d\.\d{{4}}, "
                         r"test_acc=\d+\.\d\d%", proc.stderr), proc.stderr
    assert "digits: 1438 training and 359 test images (1x8x8), device cpu" in proc.stdout
    match = re.search(r"test accuracy: (\d+\.\d\d)% \((\d+)/359\) after 2 epochs", proc.stdout)
    assert match is not None, proc.stdout
    accuracy = float(match.group(1)) / 100
    assert accuracy > 0.85  # two epochs reach about 95%; 10% is chance
    assert f"test accuracy {accuracy:.2%}, the same" in proc.stdout

    # The checkpoint holds DigitsCNN's state dict and gives the printed accuracy on reload.
    checkpoint = out / "digits_cnn.ember"
    state = ember.load(checkpoint)
    assert list(state) == list(DigitsCNN().state_dict())
    model = DigitsCNN()
    model.load_state_dict(state)
    _, test_set = train.load_digits_split(sklearn.datasets)
    _, reloaded = train.evaluate(model, DataLoader(test_set, batch_size=100), ember.device("cpu"))
    assert round(reloaded * 359) == int(match.group(2))

    assert png_size(out / "curves.png") == (1000, 400)
    assert f"curves: {out / 'curves.png'}" in proc.stdout


def test_runs_are_reproducible_and_history_is_complete(tmp_path: Path) -> None:
    args = ["--epochs", "1", "--batch-size", "64", "--seed", "3", "--no-plot"]
    first = train.run(train.parse_args([*args, "--out", str(tmp_path / "a")]))
    second = train.run(train.parse_args([*args, "--out", str(tmp_path / "b")]))
    assert first.history == second.history
    assert set(first.history) == {"train_loss", "train_acc", "test_loss", "test_acc"}
    assert all(len(v) == 1 for v in first.history.values())
    assert first.curves is None and not (tmp_path / "a" / "curves.png").exists()
    assert first.reloaded_accuracy == first.test_accuracy == first.history["test_acc"][-1]
    assert (tmp_path / "a" / "digits_cnn.ember").read_bytes() == (tmp_path / "b" / "digits_cnn.ember").read_bytes()


def test_split_is_fixed_disjoint_and_standardized() -> None:
    train_a, test_a = train.load_digits_split(sklearn.datasets)
    train_b, test_b = train.load_digits_split(sklearn.datasets)
    assert (len(train_a), len(test_a)) == (1438, 359)
    for a, b in ((train_a, train_b), (test_a, test_b)):
        assert all(ember.equal(x, y) for x, y in zip(a.tensors, b.tensors, strict=True))
    x, y = train_a.tensors
    assert x.shape == (1438, 1, 8, 8) and x.dtype == ember.float32 and y.dtype == ember.int64
    assert abs(x.mean().item()) < 1e-5 and abs(x.std().item() - 1) < 1e-5
    # Disjoint: no test image appears among the training images.
    flat_train = {tuple(row) for row in x.flatten(1).tolist()}
    dupes = sum(tuple(row) in flat_train for row in test_a.tensors[0].flatten(1).tolist())
    assert dupes <= 2  # the data set itself holds a few identical images
    assert sorted(set(y.tolist())) == list(range(10))


def test_a_missing_extra_names_it(tmp_path: Path) -> None:
    proc = run_job("--out", str(tmp_path), cwd=tmp_path,
                   pre="import sys; sys.modules['tqdm'] = None; sys.modules['matplotlib'] = None")
    assert proc.returncode == 1
    assert "tqdm (the progress bar)" in proc.stderr and "matplotlib (the plot" in proc.stderr
    assert 'pip install "ember-examples[train]"' in proc.stderr
    assert "scikit-learn" not in proc.stderr and "Traceback" not in proc.stderr
    # --no-plot does not need matplotlib.
    proc = run_job("--out", str(tmp_path), "--no-plot", cwd=tmp_path,
                   pre="import sys; sys.modules['sklearn'] = None")
    assert proc.returncode == 1
    assert "scikit-learn (the 8x8 digits data set)" in proc.stderr and "matplotlib" not in proc.stderr


@pytest.mark.parametrize("bad", [["--epochs", "0"], ["--batch-size", "-1"], ["--lr", "0"]])
def test_bad_arguments_are_usage_errors(bad: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        train.parse_args(bad)
    assert info.value.code == 2
    assert bad[0] in capsys.readouterr().err


@pytest.mark.skipif(ember.cuda.is_available(), reason="a GPU is present: the cuda test runs instead")
def test_device_cuda_without_a_gpu_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert train.main(["--device", "cuda", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "--device cuda: CUDA is not available (ember.cuda.is_available() is False)" in err
    assert "backend-cuda[cuda12]" in err
    assert not (tmp_path / "digits_cnn.ember").exists()


@pytest.mark.cuda
@pytest.mark.skipif(not ember.cuda.is_available(), reason="needs an NVIDIA GPU and ember-cuda")
def test_trains_on_cuda(tmp_path: Path) -> None:
    result = train.run(train.parse_args(["--device", "cuda", "--epochs", "2", "--no-plot",
                                         "--out", str(tmp_path)]))
    assert result.test_accuracy > 0.85 and result.reloaded_accuracy == result.test_accuracy
