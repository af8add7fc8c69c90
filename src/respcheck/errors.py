"""Errors meant for the person at the keyboard.

Anything raised as a `UserError` is printed by the CLI (and the pytest plugin) as one clear line and
turns into exit code 2; it never shows a traceback. Raise it for bad input: a wrong key, an unreachable
endpoint, a missing or corrupt cassette, an unknown option or profile.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; `str(exc)` is the whole message, already readable."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def render(self) -> str:
        text = str(self)
        return f"{text}\n  hint: {self.hint}" if self.hint else text
