"""User-facing errors: every one prints as a single line and exits non-zero, never as a traceback."""

from __future__ import annotations


class RosgitError(Exception):
    """An error the user can fix. `str()` is the one line printed to stderr."""

    exit_code = 2

    def __init__(self, message: str, *, location: str | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class UsageError(RosgitError):
    """Bad command-line input or bad file content: exit 2."""
