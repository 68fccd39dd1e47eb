"""Make Ember's packages importable from the source tree with no installer: one ``.dist-info`` per package.

``importlib.metadata`` finds entry points through ``*.dist-info`` folders on ``sys.path``, so a
folder holding, for each package, a METADATA file and its ``[project.entry-points.ember]`` table
(as ``entry_points.txt``), placed on PYTHONPATH with every ``packages/*/src``, is what an
editable install would give. Used by ``run.sh`` on machines without network or hatchling.

    python benchmarks/gpu/tree_env.py SITE_DIR core backend-cpu ... backend-cuda
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _field(text: str, key: str) -> str:
    match = re.search(rf'^{key}\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise SystemExit(f"tree_env: no {key} in pyproject.toml")
    return match.group(1)


def _entry_points(text: str) -> list[str]:
    block = re.search(r"^\[project\.entry-points\.ember\]\n((?:[^\[\n].*\n?)*)", text, re.MULTILINE)
    return [line.replace("\"", "").strip() for line in block.group(1).splitlines() if "=" in line] if block else []


def main(site: str, packages: list[str]) -> None:
    out = Path(site)
    out.mkdir(parents=True, exist_ok=True)
    for pkg in packages:
        pyproject = ROOT / "packages" / pkg / "pyproject.toml"
        if not pyproject.is_file():
            continue
        text = pyproject.read_text(encoding="utf-8")
        name, version = _field(text, "name"), _field(text, "version")
        info = out / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
        eps = _entry_points(text)
        if eps:
            (info / "entry_points.txt").write_text("[ember]\n" + "\n".join(eps) + "\n", encoding="utf-8")
        print(f"{name} {version}: {len(eps)} entry point(s)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
