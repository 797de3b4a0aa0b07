"""One root for every error touchpoints raises on purpose.

Input errors also inherit ``ValueError`` so callers that do not know our types still catch
them. The CLI turns any ``TouchpointsError`` into one clear line and exit code 1; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations


class TouchpointsError(Exception):
    """Root of the errors touchpoints raises deliberately."""


class UserInputError(TouchpointsError, ValueError):
    """Something the user gave us (a file, a mapping, an option) cannot be used as it is."""


class ModelError(UserInputError):
    """``touchpoints.yaml`` is invalid; ``problems`` has one ``path: message`` per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{source}: {count}: " + "; ".join(problems))


class MappingError(UserInputError):
    """A mapping file is invalid or does not fit the file it is applied to."""


class FileFormatError(UserInputError):
    """A data file cannot be read at all (wrong format, unknown encoding, no header)."""


class WorkspaceError(UserInputError):
    """The workspace folder is missing, incomplete or already exists."""
