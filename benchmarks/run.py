"""Run Ember's benchmarks against NumPy and PyTorch and print a table.

    python benchmarks/run.py                  # full run (about a minute), import times included
    python benchmarks/run.py --quick          # a few seconds; no import times (for CI)
    python benchmarks/run.py --only tiny matmul.1024 --json out.json
    python benchmarks/run.py --list

Exit status: 0, or 1 when implementations disagreed on a workload (it is then
not timed). Missed targets are reported, not failed: on a shared 2-core
machine they would make the exit status flaky.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import sys
import time
from pathlib import Path
from typing import Any

# Only the standard library and `machine` (which imports no NumPy) above this line:
# OpenBLAS reads its thread count when NumPy is first imported, in main().
import machine

__all__ = ["main", "parse_args"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time Ember against NumPy and PyTorch (interleaved, in one process).",
    )
    parser.add_argument("--quick", action="store_true", help="short run (< 30 s): fewer rounds, fewer workloads")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="workload names, groups (tiny) or globs")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the results as JSON")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument(
        "--threads", type=int, metavar="N",
        help="threads for OpenBLAS, OpenMP and torch (default: every usable core)",
    )
    parser.add_argument(
        "--imports", action=argparse.BooleanOptionalAction, default=None,
        help="time `import ember/numpy/torch` in fresh processes (default: on for full runs without --only)",
    )
    parser.add_argument(
        "--impls", nargs="+", metavar="IMPL", choices=("ember", "numpy", "torch"),
        help="implementations to run (default: ember numpy torch, torch only if importable)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    machine.configure_threads(args.threads)

    import harness
    import workloads

    if args.list:
        for w in workloads.all_workloads():
            flag = "" if w.quick else "  (full runs only)"
            print(f"{w.name:14} {w.description}{flag}")
        return 0
    try:
        chosen = workloads.select(workloads.all_workloads(), args.only, args.quick)
    except ValueError as exc:
        print(f"run.py: {exc}", file=sys.stderr)
        return 2

    wanted = args.impls or harness.IMPLEMENTATIONS
    impls = tuple(
        i for i in harness.IMPLEMENTATIONS
        if i in wanted and (i != "torch" or harness.optional_torch() is not None)
    )
    torch = harness.optional_torch() if "torch" in impls else None
    if torch is not None:
        machine.set_torch_threads(torch, args.threads)

    started = time.perf_counter()
    payload = _benchmark(chosen, impls, torch, args.quick)
    if args.imports or (args.imports is None and not args.quick and not args.only):
        payload.update(_imports(torch is not None))
    print(f"\nmeasured in {time.perf_counter() - started:.1f} s; load average now: {machine.load_average()}")

    if args.json:
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 1 if any(r["error"] for r in payload["results"]) else 0


def _benchmark(chosen: list[Any], impls: tuple[str, ...], torch: Any, quick: bool) -> dict[str, Any]:
    """Print the header and the tables for ``chosen``; return the JSON payload."""
    import harness
    import report

    plan = harness.QUICK if quick else harness.FULL
    info = machine.machine_info(torch)
    mode = "quick" if quick else "full"
    print(f"Ember benchmarks ({mode} run, {', '.join(impls)})")
    print("\n".join(report.machine_lines(info)))
    overhead = harness.call_overhead_ns()
    print(f"harness call overhead (included in every time): {report.format_time(overhead)}\n")

    results = []
    progress = sys.stderr.isatty()
    for w in chosen:
        if progress:
            print(f"  {w.name} ...", end="\r", flush=True, file=sys.stderr)
        results.append(harness.run_workload(w, plan, impls))
        if progress:
            print(" " * (len(w.name) + 6), end="\r", flush=True, file=sys.stderr)
    print(report.results_table(results))
    print(
        "\nTimes: median per call ± half the interquartile range. Ratios: median of per-round "
        "ratios\n(each round times every implementation back to back). target: 'unclear' when the "
        "ratio's\n95% confidence interval contains the limit. other CPU: share of the machine "
        "that other\nprocesses in /proc/stat used meanwhile (other VMs on the host do not show)."
    )
    throughput = report.throughput_table(results)
    if throughput:
        print("\n" + throughput)
    for res in results:
        if res.error:
            print(f"\n{res.error}", file=sys.stderr)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "mode": mode,
        "machine": info,
        "plan": dataclasses.asdict(plan),
        "call_overhead_ns": overhead,
        "results": report.to_json(results),
    }


def _imports(with_torch: bool) -> dict[str, Any]:
    """Time the imports in fresh processes, print them, and return their JSON entries."""
    import imports
    import report

    timings = imports.time_imports(("ember", "numpy", "torch") if with_torch else ("ember", "numpy"))
    footprint = imports.ember_import_footprint()
    print("\n" + report.imports_table(timings))
    print(
        f"`import ember` loads {footprint['ember_modules_beyond_numpy']} modules beyond numpy's "
        f"(top level: {', '.join(footprint['top_level_beyond_numpy'])}); "
        f"plugins loaded: {footprint['plugins_loaded'] or 'none'}; torch loaded: {footprint['torch_loaded']}"
    )
    return {
        "imports": [
            {"module": t.module, "median_s": t.median, "net_s": t.net, "runs_s": list(t.runs)}
            for t in timings
        ],
        "ember_import_footprint": footprint,
    }


if __name__ == "__main__":
    sys.exit(main())
