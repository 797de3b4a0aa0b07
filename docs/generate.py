"""What cog writes into the docs, from the code itself: ``cog -r docs/*.md`` rewrites them and
``cog --check`` (in ``make lint``) fails when a page has drifted from the code.

- :func:`cli_reference`: every command with its usage, help and options, read from the Typer
  app (the same objects that parse the command line).
- :func:`json_shapes`: each data command's ``--format json`` shape, read from the golden
  outputs in ``tests/golden/`` — which ``tests/test_golden.py`` checks against the code.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"


def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            found += _commands(command, f"{prefix}{name} ")
        else:
            found.append((prefix + name, command))
    return found


def cli_reference() -> str:
    """Markdown: a section per command, its help text and a table of its options."""
    import typer._click as click
    import typer.main

    from touchpoints.cli.app import app

    out = []
    for name, command in _commands(typer.main.get_group(app)):
        context = click.Context(command, info_name=f"touchpoints {name}")
        pieces = " ".join(command.collect_usage_pieces(context))
        out += [f"### `touchpoints {name}`", "", (command.help or "").strip(), ""]
        out += ["```text", f"touchpoints {name} {pieces}".rstrip(), "```", ""]
        rows = [p.get_help_record(context) for p in command.params]
        rows = [r for r in rows if r]
        if rows:
            out += ["| option | what it does |", "|---|---|"]
            for flags, text in rows:
                flags, cell = (t.replace("|", "\\|").replace("\n", " ") for t in (flags, text))
                out.append(f"| `{flags}` | {cell} |")
            out.append("")
    return "\n".join(out)


def _shape(value: Any, depth: int = 0) -> Any:
    """The value's shape: lists keep their first element, numbers become their type."""
    if isinstance(value, dict):
        return {k: _shape(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0], depth + 1)] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return "text"


def json_shapes() -> str:
    """Markdown: for each pinned example command, its JSON shape."""
    out = []
    cases = [
        line.split("|", 1)
        for line in (GOLDEN / "cases.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for name, command in cases:
        data = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
        shown = " ".join(shlex.quote(a) for a in shlex.split(command))
        out += [f"### `touchpoints {shown} --format json`", ""]
        out += ["```json", json.dumps(_shape(data), indent=2, ensure_ascii=False), "```", ""]
    return "\n".join(out)
