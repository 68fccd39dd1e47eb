"""The conformance kit itself: it passes a correct backend, catches broken ones, reports skips."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import ember
from ember.backends import ArrayAPIBackend
from ember.testing.conformance import DEFAULT_TOLERANCES, Case, conformance_cases, conformance_tests


class GoodBackend(ArrayAPIBackend):
    """NumPy through the array-API base class only: no strided views, no overrides."""

    name = "good"
    device_type = "kitcheck"
    xp = np


class BrokenBackend(GoodBackend):
    name = "broken"

    @staticmethod
    def add(a: Any, b: Any) -> Any:
        return np.subtract(a, b)  # wrong values

    def argmax(self, x: Any, axis: Any, keepdims: bool) -> Any:
        return np.argmax(x, axis=axis, keepdims=keepdims)  # platform int, fine on Linux: must pass

    def sum(self, x: Any, axis: Any, keepdims: bool, dt: Any) -> Any:
        return np.sum(x, axis=axis, keepdims=keepdims)  # ignores the accumulation dtype

    def uniform(self, gen: Any, shape: Any, dt: Any, index: Any) -> Any:
        return np.random.default_rng().random(shape).astype(self.native_dtype(dt))  # ignores the seed

    def softmax_like_override(self) -> None:  # not an optional kernel name: ignored
        return None


@pytest.fixture
def plugin() -> Iterator[None]:
    module = types.ModuleType("kitcheck_plugin")

    @ember.hookimpl
    def ember_register_backends(register: Any) -> None:
        register(GoodBackend)
        register(BrokenBackend)

    module.ember_register_backends = ember_register_backends  # type: ignore[attr-defined]
    ember.backends.register_plugin(module, "kitcheck_plugin")
    yield
    ember.backends.unregister_plugin("kitcheck_plugin")


def _run(cases: list[Case], *ids: str) -> dict[str, BaseException | None]:
    out: dict[str, BaseException | None] = {}
    wanted = [c for c in cases if c.id in ids]
    assert {c.id for c in wanted} == set(ids)
    for c in wanted:
        try:
            c.run()
            out[c.id] = None
        except AssertionError as exc:
            out[c.id] = exc
    return out


PICK = ("add-float32", "add-int64", "sum-int32", "uniform-float64", "registration", "rng", "views",
        "getitem-float64", "sort-float32", "matmul-complex64")


def test_a_correct_backend_passes(plugin: None) -> None:
    cases = conformance_cases("kitcheck", "good")
    assert all(e is None for e in _run(cases, *PICK).values())
    ids = {c.id for c in cases}
    # every required kernel appears, per declared dtype; strided-only kernels are skipped with a reason
    for kernel in ember.backends.REQUIRED_KERNELS:
        assert any(i == kernel or i.startswith(kernel + "-") for i in ids), kernel
    strides = next(c for c in cases if c.id == "strides")
    assert strides.skip == "the backend declares strided_views = False"
    assert "add-float16" in ids and "add-bool" not in ids  # dtypes: declared ones the kernel takes
    assert "logical_and-bool" in ids and "logical_and-float32" not in ids


def test_a_broken_backend_fails_exactly_where_it_is_broken(plugin: None) -> None:
    results = _run(conformance_cases("kitcheck", "broken"), *PICK)
    failed = {k for k, v in results.items() if v is not None}
    # registration does arithmetic through add, rng draws through uniform: both see the breakage
    assert failed == {"add-float32", "add-int64", "sum-int32", "uniform-float64", "rng", "registration"}
    assert "add" in str(results["add-float32"]) and "shape" in str(results["add-float32"])
    assert "result dtype" in str(results["sum-int32"])
    assert "the same seed gave different numbers" in str(results["uniform-float64"])


def test_skips_need_reasons_and_known_names(plugin: None) -> None:
    cases = conformance_cases("kitcheck", "good", skip={"add": "because", ("sort", ember.float32): "no"})
    by_id = {c.id: c for c in cases}
    assert by_id["add-float32"].skip == "because" and by_id["add-int8"].skip == "because"
    assert by_id["sort-float32"].skip == "no" and by_id["sort-float64"].skip is None
    with pytest.raises(ValueError, match="skip names 'ad', which the kit does not test"):
        conformance_cases("kitcheck", "good", skip={"ad": "typo"})
    with pytest.raises(ValueError, match="needs a reason"):
        conformance_cases("kitcheck", "good", skip={"add": " "})


def test_tolerances(plugin: None) -> None:
    with pytest.raises(TypeError, match=r"must be \(rtol, atol\)"):
        conformance_cases("kitcheck", "good", tolerances={ember.float32: 1e-3})
    with pytest.raises(TypeError, match="keys are kernel names or ember dtypes"):
        conformance_cases("kitcheck", "good", tolerances={3: (1e-3, 0.0)})

    class Sloppy(GoodBackend):
        name = "sloppy"

        @staticmethod
        def exp(x: Any) -> Any:
            return np.exp(x) * (1 + 1e-4)

    ember.backends.register_plugin(types.SimpleNamespace(ember_register_backends=ember.hookimpl(lambda register: register(Sloppy))), "sloppy_plugin")
    try:
        strict = _run(conformance_cases("kitcheck", "sloppy"), "exp-float64")
        assert strict["exp-float64"] is not None and "rtol=1e-07" in str(strict["exp-float64"])
        for table in ({ember.float64: (1e-3, 0.0)}, {"exp": (1e-3, 0.0)}, {"exp": {ember.float64: (1e-3, 0.0)}}):
            assert _run(conformance_cases("kitcheck", "sloppy", tolerances=table), "exp-float64")["exp-float64"] is None
    finally:
        ember.backends.unregister_plugin("sloppy_plugin")
    assert DEFAULT_TOLERANCES[ember.float32] == (1.3e-6, 1e-5)


def test_optional_kernels_compare_overrides_with_the_reference(plugin: None) -> None:
    from ember.backends import OPTIONAL_KERNELS, optional_kernel

    def samples(bk: Any, rng: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
        yield (bk.asarray(rng.standard_normal((3, 4)), ember.float64, None, None),), {}

    @optional_kernel(samples=samples)
    def kit_double(bk: Any, x: Any) -> Any:
        """Twice ``x``."""
        return bk.multiply(x, 2.0)

    try:
        ok = _run(conformance_cases("kitcheck", "good"), "kit_double")
        assert ok["kit_double"] is None  # no override: the reference runs on the backend
        GoodBackend.kit_double = lambda self, x: np.multiply(x, 2.0)  # type: ignore[attr-defined]
        assert _run(conformance_cases("kitcheck", "good"), "kit_double")["kit_double"] is None
        GoodBackend.kit_double = lambda self, x: np.multiply(x, 3.0)  # type: ignore[attr-defined]
        bad = _run(conformance_cases("kitcheck", "good"), "kit_double")["kit_double"]
        assert bad is not None and "override vs reference, sample 1" in str(bad)
    finally:
        OPTIONAL_KERNELS.pop("kit_double")
        if hasattr(GoodBackend, "kit_double"):
            del GoodBackend.kit_double  # type: ignore[attr-defined]


def test_conformance_tests_makes_a_parametrized_pytest_test(plugin: None) -> None:
    fn = conformance_tests("kitcheck", "good", skip={"add": "reason shown by pytest"})
    (mark,) = [m for m in fn.pytestmark if m.name == "parametrize"]  # type: ignore[attr-defined]
    params = mark.args[1]
    skipped = [p for p in params if p.marks]
    assert {p.id for p in skipped} >= {"add-float32", "strides"}
    assert all(m.kwargs["reason"].startswith(p.id + ": ") for p in skipped for m in p.marks)
    # A backend that does not exist gives one failing test, not a collection error.
    missing = conformance_tests("nosuchdevice")
    (mark,) = [m for m in missing.pytestmark if m.name == "parametrize"]  # type: ignore[attr-defined]
    (only,) = mark.args[1]
    with pytest.raises(RuntimeError, match="could not load the device type 'nosuchdevice'"):
        only.values[0].run()
