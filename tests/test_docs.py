"""The docs are part of the product: every command, option, model key and mapping key is
documented, and the quickstart runs as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from touchpoints.cli.app import app
from touchpoints.ingest.mapping import Mapping
from touchpoints.model import CXModel

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(name, command) of every leaf command; typer vendors click, so duck typing."""
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += _commands(command, f"{prefix}{name} ")
        else:
            found.append((prefix + name, command))
    return found


COMMANDS = _commands(typer.main.get_group(app))


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_and_option_is_documented(name: str, command: Any) -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert f"`touchpoints {name}" in text
    section = text.split(f"`touchpoints {name}", 1)[1].split("\n## ", 1)[0]
    for param in command.params:
        for flag in param.opts:
            if flag.startswith("--"):
                assert f"`{flag}" in section, f"{flag} of `{name}` is not in docs/cli.md"


@pytest.mark.parametrize("key", list(CXModel.model_fields))
def test_every_model_key_is_documented(key: str) -> None:
    assert f"`{key}`" in (DOCS / "model.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", list(Mapping.model_fields))
def test_every_mapping_key_is_documented(key: str) -> None:
    assert re.search(rf"^{key}:", (DOCS / "ingest.md").read_text(encoding="utf-8"), re.M)


@pytest.mark.slow
def test_quickstart_runs_as_written() -> None:
    text = (DOCS / "quickstart.md").read_text(encoding="utf-8")
    script = re.search(r"```bash\n(.*?)```", text, re.S)
    assert script is not None
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-c", script.group(1)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "accepted 8, quarantined 6, duplicates 1" in done.stdout
    assert '"accepted": 0' in done.stdout
    # The round trip: 6 + 1 refused rows exported, 2 fixed with sed, taken back with no
    # mapping; the 5 still wrong stay in the quarantine.
    assert "Quarantine: 7 rows" in done.stdout
    assert "fixed.csv → responses: read 7, accepted 2, quarantined 5, duplicates 0" in done.stdout
    assert "Quarantine: 5 rows" in done.stdout
    assert '"rows": 5' in done.stdout.rsplit('"quarantine"', 1)[1]


def test_library_examples_run(demo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/library.md, run as a doctest on the demo it names (1,500 customers, seed 5)."""
    import doctest
    import shutil

    (tmp_path / "demo-workspace").symlink_to(demo.root, target_is_directory=True)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    found = doctest.testfile(
        str(DOCS / "library.md"), module_relative=False, optionflags=flags, verbose=False
    )
    assert found.attempted > 20
    assert found.failed == 0
