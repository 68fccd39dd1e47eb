"""Without a usable GPU (no CuPy, no driver, no device): the backend registers, says so, and explains."""

from __future__ import annotations

import pytest

import ember
from ember_cuda import _runtime

pytestmark = pytest.mark.skipif(ember.cuda.is_available(), reason="a CUDA GPU is usable here")


def test_registered_through_the_entry_point_and_unavailable() -> None:
    assert "cupy" in ember.backends.available()["cuda"]
    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0
    assert ember.cuda.is_initialized() is False
    assert not [f for f in ember.backends.failures() if f.plugin == "cupy"]


def test_the_reason_names_what_is_missing_and_what_to_install() -> None:
    reason = _runtime.unavailable_reason()
    assert reason
    if _runtime.cupy is None:
        assert "CuPy is not installed" in reason and 'pip install "ember-cuda[cuda12]"' in reason
    else:  # CuPy without a driver or a GPU
        assert "driver" in reason or "GPU" in reason or "CUDA" in reason


@pytest.mark.parametrize("make", [
    lambda: ember.zeros(2, device="cuda"), lambda: ember.tensor([1.0], device="cuda"),
    lambda: ember.ones(2).cuda(), lambda: ember.ones(2).to("cuda:0"), lambda: ember.rand(2, device="cuda"),
])
def test_asking_for_a_cuda_tensor_raises_with_the_reason(make) -> None:
    with pytest.raises(RuntimeError, match="cuda device index 0 is out of range") as info:
        make()
    assert _runtime.unavailable_reason() in str(info.value)


@pytest.mark.parametrize("call", [
    ember.cuda.current_device, ember.cuda.synchronize, ember.cuda.memory_allocated,
    ember.cuda.max_memory_allocated, ember.cuda.memory_reserved, ember.cuda.get_device_name,
    lambda: ember.cuda.set_device(0), lambda: ember.cuda.device(0), lambda: ember.cuda.Stream,
    lambda: ember.cuda.Event(enable_timing=True),
])
def test_device_functions_raise_runtime_error_with_the_reason(call) -> None:
    with pytest.raises(RuntimeError, match="no CUDA device is available") as info:
        call()
    assert _runtime.unavailable_reason() in str(info.value)


def test_harmless_calls_do_not_raise() -> None:
    ember.cuda.manual_seed(0)
    ember.cuda.manual_seed_all(1)
    ember.cuda.empty_cache()
    with ember.cuda.stream(None):
        pass
    assert ember.ones(2).is_pinned() is False


def test_pin_memory_needs_a_device() -> None:
    with pytest.raises(RuntimeError, match="no CUDA device is available"):
        ember.ones(2).pin_memory()


class _FakeRuntime:
    def __init__(self, result: object) -> None:
        self.result = result

    def getDeviceCount(self) -> int:
        if isinstance(self.result, BaseException):
            raise self.result
        return int(self.result)  # type: ignore[call-overload]


class _FakeCupy:
    def __init__(self, result: object) -> None:
        self.cuda = type("cuda", (), {"runtime": _FakeRuntime(result)})()


@pytest.mark.parametrize("result, expected", [
    (RuntimeError("cudaErrorInsufficientDriver: CUDA driver version is insufficient for CUDA runtime version"),
     "NVIDIA driver is missing or too old"),
    (RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected"), "no CUDA-capable GPU"),
    (OSError("libcuda.so.1: cannot open shared object file"), "CUDA could not be initialised"),
    (0, "reports no GPU"),
])
def test_probe_explains_each_failure(monkeypatch: pytest.MonkeyPatch, result: object, expected: str) -> None:
    monkeypatch.setattr(_runtime, "cupy", _FakeCupy(result))
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    count, reason = _runtime._probe()
    assert count == 0 and reason is not None and expected in reason


def test_probe_counts_devices_and_honours_cuda_visible_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_runtime, "cupy", _FakeCupy(2))
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert _runtime._probe() == (2, None)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    count, reason = _runtime._probe()
    assert count == 0 and reason is not None and "CUDA_VISIBLE_DEVICES" in reason


def test_probe_without_cupy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_runtime, "cupy", None)
    monkeypatch.setattr(_runtime, "_IMPORT_ERROR", ModuleNotFoundError("No module named 'cupy'"))
    count, reason = _runtime._probe()
    assert count == 0 and reason is not None and reason.startswith("CuPy is not installed")


def test_asking_keeps_no_frames_of_the_caller_alive() -> None:
    """The plugin keeps CuPy's import error for its message only: its traceback would hold the
    frames (and locals) of whoever first loaded the plugin."""
    import gc
    import subprocess
    import sys

    code = (
        "import gc, weakref, ember\n"
        "class Big: pass\n"
        "def first_use():\n"
        "    big = Big(); ref = weakref.ref(big)\n"
        "    ember.cuda.is_available(); ember.cuda.device_count()\n"
        "    return ref\n"
        "ref = first_use(); gc.collect()\n"
        "assert ref() is None, 'a frame of the first caller is still alive'\n"
    )
    gc.collect()
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
