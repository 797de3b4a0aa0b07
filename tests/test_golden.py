"""The JSON every data command prints is pinned: outside checks and users' scripts read it.

Each file in ``tests/golden/`` is the output of the release before the application layer was
reshaped (issue 14), made with ``touchpoints demo ws --customers 1500 --seed 5`` and the
command in ``tests/golden/cases.txt``. A change of a figure on purpose updates its file in
the same commit, saying why. Keys, their order, text, counts and flags must be identical;
floats agree to 12 significant digits (:func:`conftest.same_json`: the normal and t
quantiles now come from a standard-library routine that agrees with SciPy's to 1e-13). The
only other difference allowed is the workspace's own path, which is written as ``ws``.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import same_json
from touchpoints.cli.app import app
from touchpoints.services.workspace import Workspace

GOLDEN = Path(__file__).parent / "golden"
CASES = [
    tuple(line.split("|", 1))
    for line in (GOLDEN / "cases.txt").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


@pytest.mark.parametrize(("name", "command"), CASES, ids=[name for name, _ in CASES])
def test_json_output_is_unchanged(demo: Workspace, name: str, command: str) -> None:
    result = CliRunner().invoke(
        app, [*shlex.split(command), "--workspace", str(demo.root), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    printed = result.stdout.replace(str(demo.root), "ws")
    same_json(json.loads(printed), json.loads((GOLDEN / f"{name}.json").read_text("utf-8")))
