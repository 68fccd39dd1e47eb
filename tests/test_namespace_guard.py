"""Guard the shared ``ember`` namespace: only ember-core ships files at its top level.

``ember`` is one import package spread over several distributions. Core owns
``ember/__init__.py`` (which calls ``pkgutil.extend_path``); every other
distribution ships only its own subpackage folder (``src/ember/nn/``). A stray
``ember/__init__.py`` elsewhere is silently masked by normal installs (one file
overwrites the other in site-packages) and shadows core in editable installs,
depending on the order Python reads ``.pth`` files: nothing fails loudly at run
time, so this static check is the one place that catches it. See
test_install_modes.py for the failure modes demonstrated on real installs.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = REPO / "packages"
NAMESPACE = "ember"
OWNER = "core"  # the folder under packages/ that owns ember/__init__.py
# Subpackages that are namespaces too (core owns their __init__.py): ember.utils.data ships
# src/ember/utils/data/, so the rules below apply one level down inside them.
NESTED_NAMESPACES = ("utils",)


def namespace_violations(packages_dir: Path, owner: str = OWNER) -> list[str]:
    """Return one line per way a package other than `owner` intrudes on the ``ember`` namespace.

    Checked for every ``packages_dir/<name>/``:

    - only `owner` ships files directly in ``src/ember/`` (``__init__.py``, ``*.py``,
      ``py.typed``, anything: two distributions installing the same path overwrite
      each other, and uninstalling one deletes the other's file);
    - ``ember/`` lives under ``src/`` (a flat layout puts the source tree on ``sys.path``);
    - no two packages ship the same ``ember/<subpackage>/``.
    """
    problems: list[str] = []
    owners: dict[str, str] = {}
    for package in sorted(p for p in packages_dir.iterdir() if p.is_dir()):
        if (package / NAMESPACE).is_dir():
            problems.append(f"{package.name}: ships {NAMESPACE}/ outside src/ (use the src layout)")
        namespace = package / "src" / NAMESPACE
        if not namespace.is_dir():
            continue
        nested = [namespace / n for n in NESTED_NAMESPACES if (namespace / n).is_dir()]
        entries = [e for e in namespace.iterdir() if e not in nested]
        entries += [e for folder in nested for e in folder.iterdir()]
        for entry in sorted(entries):
            if entry.name == "__pycache__":
                continue
            name = entry.relative_to(namespace).as_posix()
            shipped = f"src/{NAMESPACE}/{name}"
            if entry.is_dir():
                if name in owners and owners[name] != package.name:
                    problems.append(
                        f"{package.name}: ships {shipped}/, which {owners[name]} ships too"
                    )
                owners.setdefault(name, package.name)
            elif package.name != owner:
                problems.append(
                    f"{package.name}: ships {shipped}; only packages/{owner} may ship files "
                    f"at the top of the {NAMESPACE} namespace (ship src/{NAMESPACE}/<name>/ only)"
                )
    return problems


def test_only_core_ships_files_at_the_top_of_the_namespace() -> None:
    assert namespace_violations(PACKAGES) == []


def test_core_owns_the_namespace_and_extends_its_path() -> None:
    init = PACKAGES / OWNER / "src" / NAMESPACE / "__init__.py"
    assert init.is_file(), f"packages/{OWNER} must ship src/{NAMESPACE}/__init__.py"
    # Without extend_path, a normal core install hides every other distribution's subpackage.
    assert "extend_path(__path__, __name__)" in init.read_text(encoding="utf-8")


def _touch(root: Path, relative: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("", encoding="utf-8")


def test_the_guard_reports_a_stray_namespace_file(tmp_path: Path) -> None:
    _touch(tmp_path, "core/src/ember/__init__.py")
    _touch(tmp_path, "core/src/ember/_tensor.py")
    _touch(tmp_path, "core/src/ember/py.typed")
    _touch(tmp_path, "good/src/ember/good/__init__.py")
    _touch(tmp_path, "good/src/ember/__pycache__/x.cpython-311.pyc")
    _touch(tmp_path, "backend/src/ember_backend/__init__.py")
    _touch(tmp_path, "stray/src/ember/__init__.py")
    _touch(tmp_path, "stray/src/ember/stray/__init__.py")
    _touch(tmp_path, "module/src/ember/helpers.py")
    _touch(tmp_path, "flat/ember/flat/__init__.py")
    _touch(tmp_path, "twin/src/ember/good/__init__.py")

    problems = namespace_violations(tmp_path)

    assert len(problems) == 4, problems
    assert problems[0].startswith("flat: ships ember/ outside src/")
    assert problems[1].startswith("module: ships src/ember/helpers.py; only packages/core")
    assert problems[2].startswith("stray: ships src/ember/__init__.py; only packages/core")
    assert problems[3] == "twin: ships src/ember/good/, which good ships too"


def test_the_guard_applies_inside_nested_namespaces(tmp_path: Path) -> None:
    _touch(tmp_path, "core/src/ember/__init__.py")
    _touch(tmp_path, "core/src/ember/utils/__init__.py")
    _touch(tmp_path, "core/src/ember/utils/hooks.py")
    _touch(tmp_path, "data/src/ember/utils/data/__init__.py")
    _touch(tmp_path, "stray/src/ember/utils/__init__.py")
    _touch(tmp_path, "twin/src/ember/utils/data/__init__.py")

    problems = namespace_violations(tmp_path)

    assert len(problems) == 2, problems
    assert problems[0].startswith("stray: ships src/ember/utils/__init__.py; only packages/core")
    assert problems[1] == "twin: ships src/ember/utils/data/, which data ships too"


def test_the_guard_passes_a_clean_tree(tmp_path: Path) -> None:
    _touch(tmp_path, "core/src/ember/__init__.py")
    _touch(tmp_path, "nn/src/ember/nn/__init__.py")
    _touch(tmp_path, "nn/src/ember/nn/py.typed")
    _touch(tmp_path, "nn/tests/test_nn.py")
    assert namespace_violations(tmp_path) == []


def _noxfile_folders() -> set[str]:
    """The folders named in the noxfile's PACKAGES table (read, not imported: no nox needed)."""
    tree = ast.parse((REPO / "noxfile.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        target = getattr(node, "target", None) or next(iter(getattr(node, "targets", [])), None)
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and target.id == "PACKAGES" and isinstance(value, ast.Dict):
            return {
                ast.literal_eval(call.args[0])
                for call in value.values
                if isinstance(call, ast.Call) and call.args
            }
    raise AssertionError("noxfile.py has no PACKAGES = {...} table")


def test_noxfile_lists_every_package() -> None:
    # CI runs what the noxfile's PACKAGES table names; a package missing there is never tested.
    folders = {f"packages/{p.parent.name}" for p in PACKAGES.glob("*/pyproject.toml")}
    missing = sorted(folders - _noxfile_folders())
    assert missing == [], f"add these to PACKAGES in noxfile.py: {missing}"


def test_no_tests_package_markers() -> None:
    # With --import-mode=importlib, test files in different packages may share a name only
    # while their folders are not packages.
    strays = sorted(str(p.relative_to(REPO)) for p in REPO.glob("packages/*/tests/__init__.py"))
    strays += ["tests/__init__.py"] if (REPO / "tests" / "__init__.py").exists() else []
    assert strays == []
