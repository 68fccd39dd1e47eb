"""Ember's task runner. ``nox -l`` lists the sessions; plain ``nox`` runs what CI runs.

Every package is installed the way a user installs it (a normal, non-editable
install from its folder, or a real wheel in ``wheels``), never editable: an
editable install can hide a file missing from the wheel or a broken shared
``ember`` namespace. ``-R`` reuses the session environments while iterating.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NamedTuple

import nox


class Package(NamedTuple):
    folder: str  # relative to the repository root
    deps: tuple[str, ...] = ()  # local packages it needs at run time (keys of PACKAGES)
    test_deps: tuple[str, ...] = ()  # local packages only its tests need
    modules: tuple[str, ...] = ()  # import names that mypy checks


# The one table of packages: adding a package is one line here. Dependencies are
# direct ones; the sessions follow them transitively. For example:
#   "autograd": Package("packages/autograd", ("core",), ("cpu",), ("ember.autograd",)),
PACKAGES: dict[str, Package] = {
    "core": Package("packages/core", deps=(), test_deps=("cpu",), modules=("ember",)),
    "cpu": Package("packages/backend-cpu", deps=("core",), modules=("ember_cpu",)),
    "autograd": Package("packages/autograd", deps=("core",), test_deps=("cpu",), modules=("ember.autograd",)),
    "optim": Package("packages/optim", deps=("core",), test_deps=("cpu", "autograd"), modules=("ember.optim",)),
    "nn": Package("packages/nn", deps=("core", "autograd"), test_deps=("cpu",), modules=("ember.nn",)),
    "data": Package("packages/data", deps=("core",), test_deps=("cpu",), modules=("ember.utils.data",)),
    "examples": Package("packages/examples", deps=("core", "cpu", "autograd", "nn", "optim", "data"), modules=("ember.examples",)),
    "cuda": Package("packages/backend-cuda", deps=("core",), test_deps=("cpu",), modules=("ember_cuda",)),
}

ROOT = Path(__file__).resolve().parent
TORCH = "torch==2.13.0"  # the PyTorch that benchmarks and compatibility tests compare against
RUFF = "ruff==0.17.6"
MYPY = "mypy==2.4.1"
# Root tests build wheels and editable wheels of throwaway packages with these.
BUILD_TOOLS = ("hatchling>=1.21", "editables>=0.3")

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "virtualenv"
nox.options.error_on_external_run = True
# What plain `nox` (and so CI) runs; cuda, bench, demo and compat are run by name.
nox.options.sessions = ["tests", "example_backend", "root", "wheels", "lint", "typecheck"]

for _key, _pkg in PACKAGES.items():
    if not (ROOT / _pkg.folder / "pyproject.toml").is_file():
        raise SystemExit(
            f"noxfile: PACKAGES[{_key!r}] names {_pkg.folder}, which has no pyproject.toml"
        )
    for _dep in (*_pkg.deps, *_pkg.test_deps):
        if _dep not in PACKAGES:
            raise SystemExit(f"noxfile: PACKAGES[{_key!r}] depends on {_dep!r}, not in PACKAGES")


def closure(keys: list[str] | tuple[str, ...], *, with_tests: bool = False) -> list[str]:
    """Return `keys` and every local package they need, dependencies first."""
    ordered: list[str] = []

    def visit(key: str, tests: bool) -> None:
        pkg = PACKAGES[key]
        for dep in (*pkg.deps, *(pkg.test_deps if tests else ())):
            visit(dep, False)
        if key not in ordered:
            ordered.append(key)

    for key in keys:
        visit(key, with_tests)
    return ordered


def install_packages(
    session: nox.Session, keys: list[str] | tuple[str, ...], *extra: str, test: tuple[str, ...] = ()
) -> None:
    """Install local packages (and their local dependencies) from their folders, not editable.

    Packages named in `test` get their ``[test]`` extra and their test-only local packages.
    """
    wanted = closure([k for k in keys if k not in test]) + closure(test, with_tests=True)
    specs = []
    for key in dict.fromkeys(wanted):
        path = str(ROOT / PACKAGES[key].folder)
        specs.append(f"{path}[test]" if key in test else path)
    session.install(*specs, *extra)


def pytest_args(session: nox.Session, *paths: Path | str) -> list[str]:
    return ["pytest", *(str(p) for p in paths), *session.posargs]


@nox.session
@nox.parametrize("package", list(PACKAGES), ids=list(PACKAGES))
def tests(session: nox.Session, package: str) -> None:
    """Run one package's tests against a normal install of it and its local dependencies."""
    tests_dir = ROOT / PACKAGES[package].folder / "tests"
    if not tests_dir.is_dir():
        session.error(f"{PACKAGES[package].folder} has no tests/ folder; every package ships tests")
    install_packages(session, [package], test=(package,))
    session.run(*pytest_args(session, tests_dir))


# A third party's backend, kept out of PACKAGES so that no other suite runs with its plugin
# installed: its session installs it beside ember-core alone, as its users would.
EXAMPLE_BACKEND = ROOT / "examples" / "backend-arrayapi"


@nox.session
def example_backend(session: nox.Session) -> None:
    """Install the example third-party backend (examples/backend-arrayapi) and run the conformance kit on it."""
    install_packages(session, ["core"], "pytest")
    session.install(f"{EXAMPLE_BACKEND}[test]")
    session.run(*pytest_args(session, EXAMPLE_BACKEND / "tests", "-rs"))


@nox.session
def root(session: nox.Session) -> None:
    """Run the cross-package tests in tests/ (namespace guard, install modes) on every package."""
    install_packages(session, list(PACKAGES), "pytest", *BUILD_TOOLS)
    session.run(*pytest_args(session, ROOT / "tests"))


@nox.session
def wheels(session: nox.Session) -> None:
    """Build real wheels of every package, install only those, and run every test suite on them."""
    tmp = Path(session.create_tmp()).resolve()
    wheelhouse = tmp / "wheelhouse"
    shutil.rmtree(wheelhouse, ignore_errors=True)
    wheelhouse.mkdir()
    built: dict[str, Path] = {}
    for key, pkg in PACKAGES.items():
        before = set(wheelhouse.glob("*.whl"))
        session.run(
            "python", "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(wheelhouse),
            str(ROOT / pkg.folder),
        )  # fmt: skip
        (built[key],) = set(wheelhouse.glob("*.whl")) - before
    # Wheel files by path pin our own builds; --find-links lets the resolver take every
    # cross-dependency (ember-cpu needs ember-core) from the wheelhouse, never from an index.
    session.install(
        "--find-links", str(wheelhouse),
        *(f"{wheel}[test]" for wheel in built.values()), "pytest", *BUILD_TOOLS,
    )  # fmt: skip

    # Run from an empty folder so nothing in the source tree can stand in for the wheels,
    # and prove it before testing: every package must import from site-packages.
    run_dir = tmp / "run"
    run_dir.mkdir(exist_ok=True)
    check = tmp / "check_imports.py"
    check.write_text(_IMPORTED_FROM_SITE_PACKAGES, encoding="utf-8")
    session.chdir(run_dir)
    modules = sorted({m for pkg in PACKAGES.values() for m in pkg.modules})
    session.run("python", "-I", str(check), *modules)

    # Every suite runs even when one fails, so one CI run reports all of them.
    config = ["--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml")]
    suites = [ROOT / pkg.folder / "tests" for pkg in PACKAGES.values()] + [ROOT / "tests"]
    failed = []
    for suite in suites:
        if not suite.is_dir():
            failed.append(f"{suite.relative_to(ROOT)} (missing: every package ships tests)")
            continue
        try:
            session.run(*pytest_args(session, suite), *config)
        except nox.command.CommandFailed:
            failed.append(str(suite.relative_to(ROOT)))
    if failed:
        session.error(f"failed on the installed wheels: {', '.join(failed)}")


_IMPORTED_FROM_SITE_PACKAGES = """\
import importlib, sys, sysconfig
from pathlib import Path

site = Path(sysconfig.get_path("purelib")).resolve()
for name in sys.argv[1:]:
    where = Path(importlib.import_module(name).__file__).resolve()
    if site not in where.parents:
        sys.exit(f"{name} imported from {where}, not from the installed wheel in {site}")
    print(f"{name}: {where}")
"""


@nox.session
def lint(session: nox.Session) -> None:
    """Run ruff check on the whole repository."""
    session.install(RUFF)
    session.run("ruff", "check", str(ROOT), *session.posargs)


@nox.session
def typecheck(session: nox.Session) -> None:
    """Run mypy on the installed packages (as users import them), not on the source folders."""
    install_packages(session, list(PACKAGES), MYPY, "pytest")  # ember.testing.conformance builds pytest tests
    # Sorted, a package comes before its subpackages: `-p ember` already covers ember.nn.
    packages: list[str] = []
    for module in sorted({m for pkg in PACKAGES.values() for m in pkg.modules}):
        if not any(module.startswith(f"{parent}.") for parent in packages):
            packages.append(module)
    # Run outside the repository so mypy cannot find the sources, only site-packages.
    session.chdir(session.create_tmp())
    args = ["--config-file", str(ROOT / "pyproject.toml")]
    session.run("mypy", *args, *(a for p in packages for a in ("-p", p)), *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmark harness (benchmarks/run.py) against PyTorch, where it can be installed."""
    script = ROOT / "benchmarks" / "run.py"
    if not script.is_file():
        session.skip("benchmarks/run.py does not exist yet")
    install_packages(session, list(PACKAGES))
    requirements = ROOT / "benchmarks" / "requirements.txt"
    if requirements.is_file():
        session.install("-r", str(requirements))
    try:
        session.install(TORCH)
    except nox.command.CommandFailed:
        session.warn(f"could not install {TORCH}; benchmarking without PyTorch")
    session.run("python", str(script), *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Run examples/demo.py on a normal install of every package."""
    script = ROOT / "examples" / "demo.py"
    if not script.is_file():
        session.skip("examples/demo.py does not exist yet")
    install_packages(session, list(PACKAGES))
    session.run("python", str(script), *session.posargs)


@nox.session
def cuda(session: nox.Session) -> None:
    """Run every test marked cuda (the conformance kit on the GPU, device-parametrized tests); GPU machines only."""
    if "cuda" not in PACKAGES:
        session.skip("packages/backend-cuda is not in the noxfile's PACKAGES table yet")
    others = [key for key in PACKAGES if key != "cuda"]
    install_packages(session, others, "pytest", *BUILD_TOOLS, test=tuple(others))
    cuda_pkg = ROOT / PACKAGES["cuda"].folder
    # EMBER_CUDA_EXTRA=cuda13 on machines with CUDA 13 drivers.
    session.install(f"{cuda_pkg}[{os.environ.get('EMBER_CUDA_EXTRA', 'cuda12')},test]")
    # Skipped GPU tests would let this session pass having tested nothing: fail without a GPU.
    session.run("python", "-c", _REQUIRE_GPU)
    paths = [ROOT / p.folder / "tests" for p in PACKAGES.values()] + [ROOT / "tests"]
    code = session.run(
        *pytest_args(session, *(p for p in paths if p.is_dir())), "-m", "cuda", "-rs",
        success_codes=[0, 5],
    )  # fmt: skip
    if code == 5:  # pytest's "no tests collected": this session exists to run them
        session.error("no test is marked cuda")


_REQUIRE_GPU = """\
import sys, ember
if not ember.cuda.is_available():
    from ember_cuda import unavailable_reason
    sys.exit(f"nox -s cuda needs a usable GPU: {unavailable_reason()}")
print(f"CUDA devices: {ember.cuda.device_count()} ({ember.cuda.get_device_name()})")
"""


@nox.session
def compat(session: nox.Session) -> None:
    """Run the PyTorch compatibility tests in tests/compat/ against torch==2.13.0."""
    compat_dir = ROOT / "tests" / "compat"
    if not any(compat_dir.glob("**/test_*.py")):
        session.skip("no tests in tests/compat/ yet")
    install_packages(session, list(PACKAGES), "pytest", TORCH)
    session.run(*pytest_args(session, compat_dir))
