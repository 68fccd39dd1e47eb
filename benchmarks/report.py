"""Turning results into Markdown tables (for the terminal and RESULTS.md) and JSON."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from harness import IMPLEMENTATIONS, Result, Stats
from imports import ImportTiming

__all__ = ["format_time", "machine_lines", "results_table", "throughput_table", "imports_table", "to_json"]

RATIOS = ("ember/torch", "ember/numpy")


def format_time(ns: float) -> str:
    """Nanoseconds as a short human figure: ``0.757 us``, ``7.12 ms``."""
    if ns >= 1e6:
        return f"{ns / 1e6:.3g} ms"
    return f"{ns / 1e3:.3g} us" if ns >= 100 else f"{ns:.3g} ns"


def _markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def _time_cell(stats: Stats | None) -> str:
    if stats is None:
        return "-"
    return f"{format_time(stats.median)} ±{stats.spread:.0%}"


def _ratio_cell(stats: Stats | None) -> str:
    return "-" if stats is None else f"{stats.median:.2f}"


def _target_cell(result: Result) -> str:
    target = result.workload.target
    verdict = result.target_verdict()
    if target is None or verdict is None:
        return ""
    label = {"met": "ok", "missed": "MISSED", "unclear": "unclear (noisy)"}[verdict]
    return f"{label} ({target.describe()})"


def results_table(results: Sequence[Result]) -> str:
    """Median time per call (± half the IQR) per implementation, paired ratios, target, contention."""
    header = ["workload", *IMPLEMENTATIONS, *RATIOS, "target", "other CPU"]
    rows = []
    for res in results:
        if res.error is not None:
            rows.append([res.workload.name, "check failed: not timed", *[""] * (len(header) - 2)])
            continue
        rows.append([
            res.workload.name,
            *(_time_cell(res.times.get(impl)) for impl in IMPLEMENTATIONS),
            *(_ratio_cell(res.ratios.get(key)) for key in RATIOS),
            _target_cell(res),
            "-" if res.other_cpu is None else f"{res.other_cpu:.0%}",
        ])
    return _markdown(header, rows)


def throughput_table(results: Sequence[Result]) -> str | None:
    """GFLOP/s per implementation (at the median time, and at the best sample) for workloads
    that declare their flop count; None if none do."""
    rows = []
    for res in results:
        flops = res.workload.flops
        if flops is None or res.error is not None:
            continue
        cells = []
        for impl in IMPLEMENTATIONS:
            stats = res.times.get(impl)
            cells.append("-" if stats is None else f"{flops / stats.median:.0f} (best {flops / stats.min:.0f})")
        rows.append([res.workload.name, *cells])
    if not rows:
        return None
    return _markdown(["GFLOP/s", *IMPLEMENTATIONS], rows)


def imports_table(timings: Sequence[ImportTiming]) -> str:
    rows = [
        [f"import {t.module}", f"{t.median:.3f} s", f"{t.net:.3f} s", f"{min(t.runs):.3f} s", str(len(t.runs))]
        for t in timings
    ]
    startup = timings[0].startup if timings else 0.0
    header = ["fresh process", "median", f"minus start-up ({startup:.3f} s)", "min", "runs"]
    return _markdown(header, rows)


def machine_lines(info: dict[str, Any]) -> list[str]:
    """A few human lines describing the machine and the library versions."""
    np_info, torch_info, ember_info = info["numpy"], info["torch"], info["ember"]
    blas = np_info.get("openblas") or {}
    blas_rt = f", {blas['threads']} threads, {blas['core']} kernels" if blas else ""
    lines = [
        f"CPU: {info['cpu']} ({info['simd']}); {info['cores']} cores, {info['usable_cores']} usable",
        f"OS: {info['platform']}; Python {info['python']}",
        f"numpy {np_info['version']} ({np_info['blas']}{blas_rt})",
    ]
    if torch_info.get("version"):
        lines.append(
            f"torch {torch_info['version']} ({torch_info['threads']} threads, "
            f"MKL {'on' if torch_info['mkl'] else 'off'}, CPU capability {torch_info['cpu_capability']})"
        )
    else:
        lines.append("torch: not importable (torch columns are empty)")
    source = f", source {ember_info['source']}" if ember_info.get("source") else ""
    lines.append(f"ember {ember_info['version']} (cpu backend {ember_info['cpu_backend']!r}{source})")
    env = ", ".join(f"{k}={v}" for k, v in info["thread_env"].items())
    lines.append(f"thread variables: {env}")
    if info.get("loadavg"):
        lines.append("load average at start: " + " ".join(f"{x:.2f}" for x in info["loadavg"]))
    return lines


def to_json(results: Sequence[Result]) -> list[dict[str, Any]]:
    """Results as plain data (times in ns per call)."""
    out = []
    for res in results:
        w = res.workload
        out.append({
            "name": w.name,
            "description": w.description,
            "flops": w.flops,
            "target": None if w.target is None else w.target.describe(),
            "target_met": res.target_met(),
            "target_verdict": res.target_verdict(),
            "error": res.error,
            "times_ns": {k: dataclasses.asdict(v) for k, v in res.times.items()},
            "loops": res.loops,
            "ratios": {k: dataclasses.asdict(v) for k, v in res.ratios.items()},
            "gflops": {k: res.gflops(k) for k in res.times} if w.flops else None,
            "other_cpu": res.other_cpu,
            "samples_ns": {k: [round(v, 1) for v in vs] for k, vs in res.samples.items()},
        })
    return out
