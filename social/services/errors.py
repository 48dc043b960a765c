"""The refusal every social service raises, with a message meant for a person."""

from __future__ import annotations


class SocialError(Exception):
    """A refused action, with a message meant for the person who tried it."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
