"""Prove the shared ``ember`` namespace survives normal, editable and mixed installs.

Each case makes a fresh virtual environment (``venv --without-pip``) and installs
ember-core and one distribution that ships only a subpackage of ``ember`` with
this process's pip (``pip --python``), each as a wheel or editable. The
subpackage distribution is a throwaway ``ember-extra-demo`` built here, plus
every real one (packages/autograd, nn, optim) as soon as its folder exists.

Speed: every wheel and editable wheel is built once per test session, through
the project's own build backend run in this process's environment (what pip
does for ``install -e --no-build-isolation``); the environments reach this
environment's copies of numpy and pluggy (only those) through a ``.pth`` file,
so nothing is downloaded.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement  # present wherever hatchling is

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest depends on tomli below 3.11
    import tomli as tomllib

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CORE = REPO / "packages" / "core"
# Real distributions that ship only a subpackage of ember, covered once they exist.
REAL_SUBPACKAGES = [
    name for name in ("autograd", "nn", "optim") if (REPO / "packages" / name).is_dir()
]
SUBJECTS = ["extra_demo", *REAL_SUBPACKAGES]
MODES = {
    "core-wheel+sub-wheel": ("wheel", "wheel"),
    "core-editable+sub-editable": ("editable", "editable"),
    "core-wheel+sub-editable": ("wheel", "editable"),
    "core-editable+sub-wheel": ("editable", "wheel"),
}
ENV = {
    **os.environ,
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "PIP_NO_INPUT": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}
ENV.pop("PYTHONPATH", None)


@dataclass(frozen=True)
class Project:
    """A folder with a pyproject.toml that builds one distribution."""

    root: Path
    name: str  # distribution name
    module: str  # what it adds to the namespace: "ember.nn"
    requires: tuple[str, ...]  # every requirement, as written

    @classmethod
    def load(cls, root: Path, module: str) -> Project:
        meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        return cls(root, meta["name"], module, tuple(meta.get("dependencies", ())))

    @property
    def src(self) -> Path:
        return self.root / "src"

    def local_requires(self, local: dict[str, Project]) -> list[Project]:
        """Its dependencies among `local` (by normalized distribution name), recursively."""
        found: list[Project] = []
        for requirement in self.requires:
            dep = local.get(_dist_name(requirement))
            if dep is not None and dep not in found:
                found += [d for d in dep.local_requires(local) if d not in found] + [dep]
        return found


def _dist_name(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9._-]+", requirement.strip())
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group(0)).lower()


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _throwaway(root: Path, name: str, files: dict[str, str]) -> Path:
    _write(
        root,
        {
            "pyproject.toml": f"""\
                [build-system]
                requires = ["hatchling"]
                build-backend = "hatchling.build"

                [project]
                name = "{name}"
                version = "0.0.1"
                dependencies = ["ember-core"]

                [tool.hatch.build.targets.wheel]
                packages = ["src/ember"]
                """,
            **files,
        },
    )
    return root


# --- session fixtures: projects, built artifacts, third-party dependencies --------------


@pytest.fixture(scope="session")
def core() -> Project:
    return Project.load(CORE, "ember")


@pytest.fixture(scope="session")
def local_projects(core: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Project]:
    """Every distribution a case may install, by normalized name: the real ones and the demo."""
    demo = _throwaway(
        tmp_path_factory.mktemp("ember-extra-demo"),
        "ember-extra-demo",
        {"src/ember/extra_demo/__init__.py": "ANSWER = 42\n"},
    )
    projects = [core, Project.load(demo, "ember.extra_demo")]
    projects += [Project.load(REPO / "packages" / n, f"ember.{n}") for n in REAL_SUBPACKAGES]
    return {p.name: p for p in projects}


@pytest.fixture(scope="session")
def stray(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A distribution that wrongly ships ember/__init__.py (the mistake the guard catches).

    Its name sorts before ember-core's, so its editable ``.pth`` file is read first.
    """
    root = _throwaway(
        tmp_path_factory.mktemp("aaa-stray"),
        "aaa-stray",
        {
            "src/ember/__init__.py": "STRAY = True  # an innocent-looking namespace file\n",
            "src/ember/stray/__init__.py": "",
        },
    )
    return Project.load(root, "ember.stray")


class Artifacts:
    """Builds each project's wheel and editable wheel once, on first use."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.built: dict[tuple[Path, str], Path] = {}

    def get(self, project: Project, kind: str) -> Path:
        key = (project.root, kind)
        if key not in self.built:
            meta = tomllib.loads((project.root / "pyproject.toml").read_text(encoding="utf-8"))
            backend = meta["build-system"]["build-backend"]
            out = self.out / kind / project.name
            out.mkdir(parents=True)
            # The PEP 517 hook pip calls (build_wheel, or build_editable for `pip install -e`).
            call = (
                "import importlib, sys; backend = importlib.import_module(sys.argv[1]); "
                "print(getattr(backend, 'build_' + sys.argv[2])(sys.argv[3]))"
            )
            done = _run([sys.executable, "-c", call, backend, kind, str(out)], cwd=project.root)
            if done.returncode != 0:
                pytest.fail(
                    f"building the {kind} of {project.name} failed (the nox `root` session "
                    f"installs the build tools: pip install hatchling editables):\n{done.stderr}"
                )
            self.built[key] = out / done.stdout.strip().splitlines()[-1]
        return self.built[key]


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Artifacts:
    return Artifacts(tmp_path_factory.mktemp("artifacts"))


@pytest.fixture(scope="session")
def third_party(
    local_projects: dict[str, Project], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A folder of links to this environment's copies of the non-Ember run-time dependencies.

    Only those distributions (numpy, pluggy, ... and what they need), never the whole
    site-packages, which holds an installed ember of its own.
    """
    folder = tmp_path_factory.mktemp("third-party")
    todo = [Requirement(r) for p in local_projects.values() for r in p.requires]
    seen = set(local_projects)
    while todo:
        requirement = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = _dist_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(
                f"{name} is not installed here; install ember-core first (nox -s root does)"
            )
        todo += [Requirement(r) for r in dist.requires or ()]
        for top in {
            f.parts[0] for f in dist.files or () if f.parts[0] not in ("..", "__pycache__")
        }:
            target = Path(str(dist.locate_file(top)))
            if target.exists() and not (folder / top).exists():
                (folder / top).symlink_to(target, target_is_directory=target.is_dir())
    return folder


# --- one case: a fresh environment ------------------------------------------------------


def _run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)


def _check(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


class Venv:
    def __init__(self, path: Path, third_party: Path) -> None:
        _check(_run([sys.executable, "-m", "venv", "--without-pip", str(path)]))
        self.path = path
        self.python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        purelib = self.run("import sysconfig; print(sysconfig.get_path('purelib'))").strip()
        self.site = Path(purelib).resolve()
        (self.site / "_ember_test_third_party.pth").write_text(f"{third_party}\n", encoding="utf-8")

    def install(self, *wheels: Path) -> None:
        """Install wheels (regular or editable) with this process's pip, without dependencies."""
        pip = [sys.executable, "-m", "pip", "--python", str(self.python), "install"]
        _check(_run([*pip, "--no-deps", "--no-index", "--quiet", *map(str, wheels)]))

    def run(self, code: str, *args: str) -> str:
        # -I: no PYTHONPATH, no user site, no current folder on sys.path; .pth files still apply.
        return _check(_run([str(self.python), "-I", "-c", code, *args], cwd=self.path))

    def pth_paths(self) -> dict[str, list[Path]]:
        """Each ``.pth`` file in site-packages and the folders it adds, in the order Python reads them."""
        found = {}
        for pth in sorted(self.site.glob("*.pth")):
            lines = pth.read_text(encoding="utf-8").splitlines()
            found[pth.name] = [
                Path(line).resolve()
                for line in lines
                if line and not line.startswith(("#", "import"))
            ]
        return found


@pytest.fixture
def make_venv(tmp_path: Path, third_party: Path) -> Callable[[], Venv]:
    count = itertools.count()
    return lambda: Venv(tmp_path / f"venv{next(count)}", third_party)


REPORT = """
import importlib, json, sys
import ember
modules = {name: importlib.import_module(name).__file__ for name in sys.argv[1:]}
print(json.dumps({"ember": ember.__file__, "path": list(ember.__path__), "modules": modules}))
"""


def _report(venv: Venv, *modules: str) -> dict[str, object]:
    report = json.loads(venv.run(REPORT, *modules).strip().splitlines()[-1])
    report["ember"] = Path(report["ember"]).resolve()
    report["path"] = [Path(p).resolve() for p in report["path"]]
    report["modules"] = {k: Path(v).resolve() for k, v in report["modules"].items()}
    return report


def _expected_file(venv: Venv, project: Project, kind: str) -> Path:
    """Where `project.module`'s __init__.py must be found when installed as `kind`."""
    base = venv.site if kind == "wheel" else project.src
    return (base / Path(*project.module.split(".")) / "__init__.py").resolve()


def _assert_path_based_editable(venv: Venv, project: Project) -> None:
    # A .pth line adding src/ (not an import hook) is what keeps the namespace shared.
    added = [p for paths in venv.pth_paths().values() for p in paths]
    assert project.src.resolve() in added, venv.pth_paths()
    hooks = [p.name for p in venv.site.glob("*.py") if "editable" in p.name]
    assert hooks == [], f"import-hook editable install: {hooks}"


# --- the cases --------------------------------------------------------------------------


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("mode", list(MODES))
def test_namespace_imports(
    mode: str,
    subject: str,
    core: Project,
    local_projects: dict[str, Project],
    artifacts: Artifacts,
    make_venv: Callable[[], Venv],
) -> None:
    core_kind, sub_kind = MODES[mode]
    sub = next(p for p in local_projects.values() if p.module == f"ember.{subject}")
    # A subpackage's own local dependencies (nn needs autograd) go in the same mode as it.
    plan = [(core, core_kind)] + [
        (p, sub_kind) for p in sub.local_requires(local_projects) if p != core
    ]
    plan.append((sub, sub_kind))
    venv = make_venv()
    venv.install(*(artifacts.get(project, kind) for project, kind in plan))

    report = _report(venv, *(p.module for p, _ in plan if p != core))

    assert report["ember"] == _expected_file(venv, core, core_kind)
    for project, kind in plan[1:]:
        assert report["modules"][project.module] == _expected_file(venv, project, kind)
        assert report["modules"][project.module].parent.parent in report["path"]
    for project, kind in plan:
        if kind == "editable":
            _assert_path_based_editable(venv, project)
    # The repository's sources are reachable only through editable installs.
    if core_kind == "wheel" and sub_kind == "wheel":
        assert [p.parent for p in report["path"]] == [venv.site]


def test_subpackage_wheels_ship_no_namespace_files(
    local_projects: dict[str, Project], artifacts: Artifacts
) -> None:
    for project in local_projects.values():
        if project.name == "ember-core":
            continue
        names = zipfile.ZipFile(artifacts.get(project, "wheel")).namelist()
        top = [n for n in names if n.startswith("ember/") and n.count("/") == 1]
        assert top == [], f"{project.name}'s wheel ships {top}"


# --- why the namespace guard exists -----------------------------------------------------


def _core_module() -> str:
    """A real module of core to import (not __init__): the plugin hookspecs if present."""
    names = sorted(p.stem for p in (CORE / "src" / "ember").glob("*.py") if p.stem != "__init__")
    assert names, "packages/core/src/ember has no module besides __init__.py"
    return f"ember.{'hookspecs' if 'hookspecs' in names else names[0]}"


PROBE = """
import importlib, json, sys
import ember
try:
    importlib.import_module(sys.argv[1])
    error = None
except ImportError as exc:
    error = type(exc).__name__
print(json.dumps({"ember": ember.__file__, "stray": hasattr(ember, "STRAY"), "error": error}))
"""


def _probe(venv: Venv) -> dict[str, object]:
    return json.loads(venv.run(PROBE, _core_module()).strip().splitlines()[-1])


def test_stray_namespace_file_shadows_an_editable_core(
    core: Project, stray: Project, artifacts: Artifacts, make_venv: Callable[[], Venv]
) -> None:
    """Editable core + editable stray: whichever ``.pth`` sorts first owns ``ember``."""
    venv = make_venv()
    venv.install(artifacts.get(core, "editable"), artifacts.get(stray, "editable"))
    order = [p for paths in venv.pth_paths().values() for p in paths]
    assert order.index(stray.src.resolve()) < order.index(core.src.resolve())

    probe = _probe(venv)

    # The stray __init__.py runs instead of core's, and core's modules are gone.
    assert Path(probe["ember"]).resolve() == stray.src.resolve() / "ember" / "__init__.py"
    assert probe["stray"] is True
    assert probe["error"] == "ModuleNotFoundError"


def test_stray_namespace_file_is_masked_by_a_normal_core_install(
    core: Project, stray: Project, artifacts: Artifacts, make_venv: Callable[[], Venv]
) -> None:
    """Core wheel + editable stray: everything imports and the stray file silently never runs."""
    venv = make_venv()
    venv.install(artifacts.get(core, "wheel"), artifacts.get(stray, "editable"))

    probe = _probe(venv)

    assert Path(probe["ember"]).resolve() == _expected_file(venv, core, "wheel")
    assert probe["stray"] is False
    assert probe["error"] is None


def test_stray_namespace_file_overwrites_core_in_normal_installs(
    core: Project, stray: Project, artifacts: Artifacts, make_venv: Callable[[], Venv]
) -> None:
    """Two wheels with the same file: the last one installed wins, with no warning."""
    venv = make_venv()
    venv.install(artifacts.get(core, "wheel"))
    venv.install(artifacts.get(stray, "wheel"))

    probe = _probe(venv)

    init = venv.site / "ember" / "__init__.py"
    assert init.read_text(encoding="utf-8") == (stray.src / "ember" / "__init__.py").read_text(
        encoding="utf-8"
    )
    assert probe["stray"] is True  # core's __init__ (and its extend_path) is gone
