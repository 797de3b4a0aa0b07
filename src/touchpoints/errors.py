"""One root for every error touchpoints raises on purpose.

Input errors also inherit ``ValueError`` so callers that do not know our types still catch
them. The CLI turns any ``TouchpointsError`` into one clear line and exit code 1; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A parameter named in a message: ``{since}``. Spelled by each interface in its own words.
_PARAMETER = re.compile(r"\{([a-z][a-z_]*)\}")


class TouchpointsError(Exception):
    """Root of the errors touchpoints raises deliberately.

    A message may name the parameters of a request in domain terms, as ``{since}`` or
    ``{force}``: ``str()`` shows the bare name, and each interface fills in its own spelling
    through :meth:`render` (the command line ``--since``, the API its query parameter).
    """

    def render(self, spell: Callable[[str], str]) -> str:
        """The message with every parameter named by ``spell``."""
        return _PARAMETER.sub(lambda m: spell(m.group(1)), self.message)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return self.render(lambda name: name)


class UserInputError(TouchpointsError, ValueError):
    """Something the user gave us (a file, a mapping, an option) cannot be used as it is."""


class ParameterError(UserInputError):
    """A parameter of a request has a value that cannot be used.

    ``param`` names it in domain terms (``by``, ``since``, ``weights``), never as one
    interface spells it: the command line says ``--by``, the API the query parameter ``by``.
    The message is prefixed with the parameter unless it names it itself (``{by}``).
    """

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        named = "{" + param + "}" in message
        super().__init__(message if named else f"{{{param}}}: {message}")


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
