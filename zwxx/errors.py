"""The one exception hierarchy of zwxx.

    ZwxxError                 base; ``message`` is Chinese and shown to the office as is
    ├── ConfigError           bad settings / roster / rules file -> exit 2
    ├── InputError            bad user input (CSV, arguments, unknown unit) -> exit 2
    ├── SourceUnavailable     a mailbox or folder cannot be reached -> exit 3
    └── DocumentError         one document cannot be read; the pipeline records the
                              envelope or item as ``failed`` with ``message`` as reason

Exceptions are caught in one place: the CLI entry (``zwxx.cli.main``) for the first
three, the pipeline runner for ``DocumentError`` (and any unexpected error inside one
envelope, so one bad message never stops a poll).
"""

from __future__ import annotations


class ZwxxError(Exception):
    """Base class; ``str(exc)`` is a complete Chinese sentence for the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(ZwxxError):
    exit_code = 2


class InputError(ZwxxError):
    exit_code = 2


class SourceUnavailable(ZwxxError):
    exit_code = 3


class DocumentError(ZwxxError):
    """A single document or message that cannot be turned into text."""
