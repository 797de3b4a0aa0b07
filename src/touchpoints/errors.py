"""One root for every error touchpoints raises on purpose.

Input errors also inherit ``ValueError`` so callers that do not know our types still catch
them. The CLI turns any ``TouchpointsError`` into one clear line and exit code 1; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Callable


class TouchpointsError(Exception):
    """Root of the errors touchpoints raises deliberately."""


class UserInputError(TouchpointsError, ValueError):
    """Something the user gave us (a file, a mapping, an option) cannot be used as it is."""


class ParameterError(UserInputError):
    """A parameter of a request has a value that cannot be used.

    ``param`` names it in domain terms (``by``, ``since``, ``weights``), never as one
    interface spells it: the command line says ``--by``, the API the query parameter ``by``.
    The message may name other parameters as ``{since}``; each interface fills them in with
    its own spelling through :meth:`render`, and ``str()`` uses the domain names.
    """

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        self.message = message
        super().__init__(self.render(lambda name: name))

    def render(self, spell: Callable[[str], str]) -> str:
        """The message with every parameter named by ``spell``: ``--by: unknown …``."""
        said = self.message.format_map(_Names(spell))
        named = "{" + self.param + "}" in self.message  # the message names it itself
        return said if named else f"{spell(self.param)}: {said}"


class _Names(dict[str, str]):
    def __init__(self, spell: Callable[[str], str]) -> None:
        super().__init__()
        self.spell = spell

    def __missing__(self, key: str) -> str:
        return self.spell(key)


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
