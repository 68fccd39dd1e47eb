"""The README's front-door promises hold: the quickstart runs and the two set-up commands exist."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_quickstart_runs_and_prints_what_it_says() -> None:
    block = re.search(r"## Quickstart\n\n```python\n(.*?)```", README, re.S)
    assert block is not None
    code = block.group(1)
    assert code.count("\n") <= 10  # the issue asks for a 10-line quickstart
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README quickstart", "exec"), {})
    printed = out.getvalue()
    assert "tensor([[8, 2, 3],\n        [1, 2, 3]]) 2 ember.int64" in printed
    assert "(1, 4)" in printed and "tensor([3.5000, 4.5000])" in printed


def test_exactly_two_fresh_machine_commands() -> None:
    section = README.split("## On a fresh machine", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in section.splitlines() if line.startswith("    ")]
    assert commands == [
        "python3 -m pip install ./packages/core ./packages/backend-cpu && python3 examples/demo.py",
        "bash .ci/run",
    ]
