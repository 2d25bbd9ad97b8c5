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


class NotFound(AssistantError):
    """A document, version or clause the index does not hold; the message names the ones it does."""


class MessageRejected(AssistantError):
    """A message cannot be analysed as given (empty, too long, or nothing but instructions to the assistant)."""


class MessageTooLong(MessageRejected):
    """A message (or a reply to check) longer than ``ASSISTANT_MAX_MESSAGE_CHARS``; the API answers 413."""

    def __init__(self, length: int, limit: int, what: str = "message"):
        self.length, self.limit = length, limit
        super().__init__(f"the {what} is {length} characters long; the limit is {limit} "
                         "(ASSISTANT_MAX_MESSAGE_CHARS) — paste only the part that needs an answer")
