"""Errors a user can act on. Each message names the file or setting and says what to do."""


class AssistantError(Exception):
    """Base class: the CLI prints the message and exits non-zero, without a traceback."""


class IngestError(AssistantError):
    """A file could not be read into clauses; nothing was indexed from it."""

    def __init__(self, path, problem: str, fix: str = ""):
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}: {problem}" + (f" — {fix}" if fix else ""))


class IndexUnavailable(AssistantError):
    """The index on disk is missing, locked or was built with another model."""


class MessageRejected(AssistantError):
    """A message cannot be analysed as given (empty, too long, or nothing but instructions to the assistant)."""
