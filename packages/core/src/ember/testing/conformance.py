"""The backend conformance kit: one call gives a backend's test suite every conformance test.

In a backend package's tests (``tests/test_conformance.py``)::

    from ember.testing.conformance import conformance_tests

    test_conformance = conformance_tests(
        "mydev", backend="mylib",
        tolerances={ember.float16: (1e-2, 1e-3), "matmul": {ember.float32: (1e-4, 1e-5)}},
        skip={"linalg_eigh": "mylib has no eigensolver yet"},
    )

``pytest`` then runs one test per case, named ``<kernel>-<dtype>`` (or ``<check>``):

* every required-tier kernel (:data:`ember.backends.REQUIRED_KERNELS`) against NumPy, on
  every dtype the backend declares that the kernel takes, over 0-d, empty, ordinary and
  (built through the backend's own views) non-contiguous inputs;
* every optional-tier kernel registered in :data:`ember.backends.OPTIONAL_KERNELS` (by
  :mod:`ember.backends.reference` and anything else imported before the call): the
  backend's override, if it has one, against the reference on the kernel's samples; without
  an override, the reference itself must run on the backend;
* ``registration``: the metadata (name, device type, priority, dtypes, every required kernel)
  and that ``ember.tensor(..., device=<device type>)`` uses the backend;
* ``views``: for ``strided_views = True``, that reshape, permute_dims, broadcast_to,
  as_strided and getitem share memory (and tensors' views write through); for ``False``,
  that tensor views are copies and writes through them raise instead of being lost;
* ``rng``: same seed, same numbers through ``ember.Generator`` and its saved state.

Tolerances are ``(rtol, atol)`` pairs, looked up as ``tolerances[kernel][dtype]``, then
``tolerances[kernel]``, then ``tolerances[dtype]``, then :data:`DEFAULT_TOLERANCES`.
Integer and bool results must match exactly. A skip names a kernel or check (or a
``(kernel, dtype)`` pair) and gives a reason; skipped cases are reported by pytest as
skipped with that reason (``-rs``), never dropped silently, and a skip naming nothing the
kit knows is an error, so a typo cannot hide a test.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ember import _dtypes as D
from ember._dtypes import dtype
from ember.testing._conformance_cases import KERNEL_CASES, STRIDED_ONLY, Checker, dtypes_for

__all__ = ["conformance_tests", "conformance_cases", "Case", "DEFAULT_TOLERANCES"]

Tolerance = tuple[float, float]

#: ``(rtol, atol)`` per dtype when a backend gives none (``torch.testing.assert_close``'s defaults).
DEFAULT_TOLERANCES: dict[dtype, Tolerance] = {
    D.float16: (1e-3, 1e-5), D.bfloat16: (1.6e-2, 1e-5), D.float32: (1.3e-6, 1e-5),
    D.float64: (1e-7, 1e-7), D.complex64: (1.3e-6, 1e-5), D.complex128: (1e-7, 1e-7),
}
# Kernels whose results are sums of many rounded products: looser defaults, by real precision.
_LOOSE: dict[str, dict[dtype, Tolerance]] = {
    k: {D.float32: (1e-4, 1e-4), D.complex64: (1e-4, 1e-4), D.float64: (1e-10, 1e-10), D.complex128: (1e-10, 1e-10),
        D.float16: (1e-2, 1e-2), D.bfloat16: (5e-2, 5e-2)}
    for k in ("matmul", "linalg_inv", "linalg_det", "linalg_solve", "linalg_svd", "linalg_qr",
              "linalg_cholesky", "linalg_eigh", "mean", "sum", "prod", "cumulative_sum", "cumulative_prod")
}
CHECKS = ("registration", "views", "rng")


@dataclass(frozen=True)
class Case:
    """One conformance test: a kernel (or check) and dtype, and how to run it."""

    id: str
    kernel: str
    dtype: dtype | None
    run: Callable[[], None]
    skip: str | None = None  # the declared reason, if skipped

    def __repr__(self) -> str:
        return f"Case({self.id!r})"


def conformance_cases(
    device_type: str,
    backend: str | None = None,
    *,
    tolerances: Mapping[Any, Any] | None = None,
    skip: Mapping[Any, str] | None = None,
) -> list[Case]:
    """Every conformance case for a backend, without pytest (see :func:`conformance_tests`)."""
    import ember.backends
    import ember.backends.reference

    if backend is not None:
        ember.backends.use(device_type, backend)
    bk = ember.backends.get_backend(device_type)
    tolerance = _tolerance_lookup(dict(tolerances or {}))
    checker = Checker(bk, tolerance)
    cases: list[Case] = []

    def add(kernel: str, dt: dtype | None, fn: Callable[[], None]) -> None:
        cid = kernel if dt is None else f"{kernel}-{dt.name}"
        cases.append(Case(cid, kernel, dt, fn))

    for kernel in ember.backends.REQUIRED_KERNELS:
        case_fn = KERNEL_CASES[kernel]
        if kernel in STRIDED_ONLY and not bk.strided_views:
            cases.append(Case(kernel, kernel, None, _nothing, "the backend declares strided_views = False"))
            continue
        dts = dtypes_for(kernel, bk.dtypes)
        if not dts:
            add(kernel, None, _bind(case_fn, checker, None))
        for dt in dts:
            add(kernel, dt, _bind(case_fn, checker, dt))
    for name in sorted(ember.backends.OPTIONAL_KERNELS):
        add(name, None, _bind(_optional, checker, name))
    add("registration", None, lambda: _registration(bk, device_type, backend))
    add("views", None, lambda: _views(bk, device_type))
    add("rng", None, lambda: _rng(device_type))
    return _apply_skips(cases, dict(skip or {}))


def conformance_tests(
    device_type: str,
    backend: str | None = None,
    *,
    tolerances: Mapping[Any, Any] | None = None,
    skip: Mapping[Any, str] | None = None,
) -> Callable[[Case], None]:
    """A pytest test function, parametrized over every conformance case of one backend.

    Assign it to a ``test_*`` name in a test module. ``backend`` picks among several
    backends of ``device_type`` (it is made the active one for the test process); without
    it the active backend is tested. A backend that cannot be loaded gives one failing test
    that says why, rather than an error that stops collection.

    Args:
        device_type: the device type the backend serves (``"cpu"``, ``"mydev"``).
        backend: the backend's ``name``.
        tolerances: ``{dtype: (rtol, atol)}``, ``{kernel: (rtol, atol)}`` or
            ``{kernel: {dtype: (rtol, atol)}}``, mixed freely.
        skip: ``{kernel_or_check: reason}`` or ``{(kernel, dtype): reason}``.

    >>> test_conformance = conformance_tests("cpu", backend="numpy")  # doctest: +SKIP
    """
    import pytest

    try:
        cases = conformance_cases(device_type, backend, tolerances=tolerances, skip=skip)
    except (ValueError, TypeError) as exc:  # a bad skip or tolerance table: the author's mistake
        raise exc from None
    except Exception as exc:
        error = exc
        what = f"backend {backend!r} for device type {device_type!r}" if backend else f"device type {device_type!r}"

        def load(_: Any) -> None:
            raise RuntimeError(f"the conformance kit could not load the {what}: {error}") from error

        cases = [Case("load-backend", "load-backend", None, lambda: load(None))]

    params = [
        pytest.param(c, id=c.id, marks=[pytest.mark.skip(reason=f"{c.id}: {c.skip}")] if c.skip else [])
        for c in cases
    ]

    @pytest.mark.parametrize("case", params)
    def test_conformance(case: Case) -> None:
        # NumPy's warnings while computing references (mean of an empty slice, complex to
        # real casts) are expected; the kit checks values, not warnings.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            case.run()

    return test_conformance


# -- tables ------------------------------------------------------------------------------------------

def _tolerance_lookup(table: dict[Any, Any]) -> Callable[[str, dtype], Tolerance]:
    for key, value in table.items():
        if not isinstance(key, (str, dtype)):
            raise TypeError(f"conformance_tests(): tolerances keys are kernel names or ember dtypes, got {key!r}")
        entries = value.values() if isinstance(value, Mapping) else [value]
        for tol in entries:
            if not (isinstance(tol, tuple) and len(tol) == 2 and all(isinstance(v, (int, float)) for v in tol)):
                raise TypeError(f"conformance_tests(): tolerance for {key!r} must be (rtol, atol), got {tol!r}")

    def lookup(kernel: str, dt: dtype) -> Tolerance:
        own = table.get(kernel)
        if isinstance(own, Mapping) and dt in own:
            return own[dt]
        if isinstance(own, tuple):
            return own
        if dt in table:
            return table[dt]
        return _LOOSE.get(kernel, {}).get(dt) or DEFAULT_TOLERANCES.get(dt, (0.0, 0.0))

    return lookup


def _apply_skips(cases: list[Case], skip: dict[Any, str]) -> list[Case]:
    known = {c.kernel for c in cases}
    for key, reason in skip.items():
        kernel = key[0] if isinstance(key, tuple) else key
        if kernel not in known:
            raise ValueError(
                f"conformance_tests(): skip names {key!r}, which the kit does not test; known: "
                f"{', '.join(sorted(known))}"
            )
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"conformance_tests(): skip of {key!r} needs a reason (a non-empty string)")
    out = []
    for c in cases:
        why: str | None = skip.get((c.kernel, c.dtype)) or skip.get(c.kernel) or c.skip
        out.append(Case(c.id, c.kernel, c.dtype, c.run, why) if why else c)
    return out


def _nothing() -> None:
    return None


def _bind(fn: Callable[..., None], *args: Any) -> Callable[[], None]:
    return lambda: fn(*args)


# -- optional kernels ------------------------------------------------------------------------------------

def _optional(c: Checker, name: str) -> None:
    import ember.backends

    entry = ember.backends.OPTIONAL_KERNELS[name]
    if entry.samples is None:
        raise AssertionError(f"optional kernel {name!r} registers no samples, so the kit cannot check it")
    override = getattr(c.bk, name, None)
    n = 0
    # Inputs are made twice from one seed, so a kernel that wrote to its inputs could not hide it.
    for (args, kwargs), (args2, kwargs2) in zip(
        list(entry.samples(c.bk, np.random.default_rng(0))),
        list(entry.samples(c.bk, np.random.default_rng(0))), strict=True,
    ):
        n += 1
        want = entry.reference(c.bk, *args, **kwargs)
        where = f"sample {n}"
        if override is None:
            _leaves_are_arrays(c, want, name, where)
        else:
            _compare(c, override(*args2, **kwargs2), want, name, where)
    if not n:
        raise AssertionError(f"optional kernel {name!r}: its samples() yielded nothing")


def _leaves_are_arrays(c: Checker, value: Any, name: str, where: str) -> None:
    if isinstance(value, (tuple, list)):
        for v in value:
            _leaves_are_arrays(c, v, name, where)
    elif hasattr(value, "shape") and hasattr(value, "dtype"):
        c.bk.ember_dtype(value.dtype)  # a dtype the backend knows
        c.host(value)


def _compare(c: Checker, got: Any, want: Any, name: str, where: str) -> None:
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            raise AssertionError(f"{name} ({where}): override returned {type(got).__name__}, reference {len(want)} values")
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _compare(c, g, w, name, f"{where}, result {i}")
    elif hasattr(want, "shape") and hasattr(want, "dtype"):
        c.check(got, c.host(want), name, f"override vs reference, {where}", c.bk.ember_dtype(want.dtype))
    elif got != want:
        raise AssertionError(f"{name} ({where}): override returned {got!r}, reference {want!r}")


# -- checks ---------------------------------------------------------------------------------------------

def _registration(bk: Any, device_type: str, name: str | None) -> None:
    import ember
    from ember.backends import REQUIRED_KERNELS, Backend, available

    problems = []
    if not isinstance(bk.name, str) or not bk.name:
        problems.append(f"name must be a non-empty string, got {bk.name!r}")
    if bk.device_type != device_type:
        problems.append(f"device_type is {bk.device_type!r}, expected {device_type!r}")
    if name is not None and bk.name != name:
        problems.append(f"name is {bk.name!r}, expected {name!r}")
    for attr, kind in (("priority", int), ("indexed", bool), ("strided_views", bool)):
        if not isinstance(getattr(bk, attr, None), kind):
            problems.append(f"{attr} must be {kind.__name__}, got {getattr(bk, attr, None)!r}")
    dts = getattr(bk, "dtypes", None)
    if not isinstance(dts, frozenset) or not dts <= set(D.ALL_DTYPES):
        problems.append(f"dtypes must be a frozenset of ember dtypes, got {dts!r}")
    elif not {D.bool_, D.int64, D.float32} <= dts:
        problems.append(f"dtypes must include bool, int64 and float32 (core's defaults), got {sorted(d.name for d in dts)}")
    missing = [k for k in REQUIRED_KERNELS if not callable(getattr(bk, k, None))]
    if missing:
        problems.append(f"required kernels missing: {', '.join(missing)}")
    if not isinstance(bk, Backend):
        problems.append("isinstance(backend, ember.backends.Backend) is False")
    if bk.name not in available().get(device_type, []):
        problems.append(f"ember.backends.available() does not list it: {available()}")
    if problems:
        raise AssertionError("registration: " + "; ".join(problems))
    t = ember.tensor([1.0, 2.0], device=device_type)
    # By class and name: a registry reset in another test makes new instances of the same backend.
    if type(t._backend) is not type(bk) or t._backend.name != bk.name or t.device.type != device_type:
        raise AssertionError(f"ember.tensor(device={device_type!r}) used {t._backend!r} on {t.device}, not {bk!r}")
    if (t * 2 + 1).tolist() != [3.0, 5.0] or ember.ones(3, device=device_type).sum().item() != 3.0:
        raise AssertionError("tensor arithmetic on the backend gave wrong values")


def _views(bk: Any, device_type: str) -> None:
    import ember

    idx = 0 if bk.indexed else None
    t = ember.arange(12.0, device=device_type)
    if bk.strided_views:
        base = bk.asarray(np.arange(12.0), D.float64, idx, None)
        views = {
            "reshape": bk.reshape(base, (3, 4), None), "permute_dims": bk.permute_dims(bk.reshape(base, (3, 4), None), (1, 0)),
            "broadcast_to": bk.broadcast_to(base, (2, 12)), "as_strided": bk.as_strided(base, (4,), (3,), 0),
            "getitem": bk.getitem(base, (slice(0, None, 3),)),
        }
        bk.setitem(base, (0,), -1.0)
        for what, view in views.items():
            if float(np.asarray(bk.to_numpy(view)).reshape(-1)[0]) != -1.0:
                raise AssertionError(f"views: {what} does not share memory with its input, though strided_views = True")
        v = t.reshape(3, 4)
        v[0, 0] = 100.0
        if t[0].item() != 100.0 or v.data_ptr() != t.data_ptr():
            raise AssertionError("views: a tensor reshape view does not write through to its base")
        return
    view = t[2:5]
    try:
        view.fill_(7.0)
    except RuntimeError:  # the clear error DESIGN.md promises: the write cannot reach the base
        if t.tolist() != [float(i) for i in range(12)]:
            raise AssertionError(f"views: a refused write through a view changed the base: {t.tolist()}") from None
        return
    if t[2].item() != 7.0:
        raise AssertionError("views: a write through a copying view was silently lost (expected an error)")


def _rng(device_type: str) -> None:
    import ember

    g = ember.Generator(device_type).manual_seed(0)
    a = ember.rand(6, generator=g, device=device_type).tolist()
    b = ember.rand(6, generator=ember.Generator(device_type).manual_seed(0), device=device_type).tolist()
    if a != b:
        raise AssertionError(f"rng: one seed gave different numbers: {a} and {b}")
    state = g.get_state()
    c = ember.randn(4, generator=g, device=device_type).tolist()
    g.set_state(state)
    if ember.randn(4, generator=g, device=device_type).tolist() != c:
        raise AssertionError("rng: set_state(get_state()) did not replay the same numbers")
    ember.manual_seed(3)
    d = ember.randint(0, 100, (8,), device=device_type).tolist()
    ember.manual_seed(3)
    if ember.randint(0, 100, (8,), device=device_type).tolist() != d:
        raise AssertionError("rng: ember.manual_seed did not reseed the device type's default generator")
