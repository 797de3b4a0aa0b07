"""Reference values (published figures such as an industry NPS) read from a file.

A CSV, JSON or YAML file with the keys of ``references:`` in ``touchpoints.yaml``; the file's
encoding is detected as for any ingested file (UTF-8, BOM, GBK/GB18030 …). Every bad row is
reported with its row number and field, in one error.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from touchpoints.errors import UserInputError
from touchpoints.ingest.encoding import detect_encoding
from touchpoints.model.schema import Reference


def _rows(path: Path) -> list[tuple[int, Any]]:
    """The file's entries, each with the row (line) number it is reported under."""
    try:
        text = path.read_text(encoding=detect_encoding(path))  # UTF-8, BOM, GBK/GB18030 …
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read ({exc.strerror})") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        reader = csv.DictReader(text.lstrip("\ufeff").splitlines())
        return [(reader.line_num, row) for row in reader]
    try:
        if suffix == ".json":
            data = json.loads(text)
        elif suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            raise UserInputError(f"{path}: references are read from .csv, .json or .yaml")
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise UserInputError(f"{path}: not valid {suffix[1:].upper()}: {exc}") from None
    if isinstance(data, dict) and set(data) == {"references"}:
        data = data["references"]
    if not isinstance(data, list):
        raise UserInputError(f"{path}: expected a list of references (or `references:` with one)")
    return list(enumerate(data, start=1))


def load_references(path: Path) -> list[Reference]:
    """References from a CSV, JSON or YAML file with the keys of ``references:``.

    Every bad row is reported with its row number and field, in one error.
    """
    found, problems = [], []
    for number, row in _rows(path):
        if isinstance(row, dict):
            if None in row:  # csv puts the fields beyond the header under None
                problems.append(f"row {number}: more fields than the header names")
                continue
            row = {k: (None if v == "" else v) for k, v in row.items()}
        try:
            found.append(Reference.model_validate(row))
        except ValidationError as exc:
            problems += [
                f"row {number}: {'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}"
                for e in exc.errors()
            ]
    if problems:
        raise UserInputError(f"{path}: " + "; ".join(problems))
    return found
