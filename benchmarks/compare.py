"""Compare two ``run.py --json`` files: how far each median and ratio moved.

    python benchmarks/compare.py before.json after.json

Use it to check run-to-run spread (two runs of the same code) or the effect
of a change (before and after). Changes are ``after / before - 1``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from report import format_time

__all__ = ["main", "compare"]


def _load(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {r["name"]: r for r in data["results"] if not r.get("error")}


def _change(before: float, after: float) -> str:
    return f"{after / before - 1:+.1%}" if before else "-"


def compare(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    """One line per workload and figure found in both runs."""
    lines = [f"{'workload':14} {'figure':12} {'before':>10} {'after':>10} {'change':>8}"]
    for name in before.keys() & after.keys():
        b, a = before[name], after[name]
        for impl in sorted(b["times_ns"].keys() & a["times_ns"].keys()):
            mb, ma = b["times_ns"][impl]["median"], a["times_ns"][impl]["median"]
            lines.append(f"{name:14} {impl:12} {format_time(mb):>10} {format_time(ma):>10} {_change(mb, ma):>8}")
        for key in sorted(b["ratios"].keys() & a["ratios"].keys()):
            rb, ra = b["ratios"][key]["median"], a["ratios"][key]["median"]
            lines.append(f"{name:14} {key:12} {rb:>10.2f} {ra:>10.2f} {_change(rb, ra):>8}")
    return lines[:1] + sorted(lines[1:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare two benchmarks/run.py --json outputs.")
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    print("\n".join(compare(_load(args.before), _load(args.after))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
