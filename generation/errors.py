"""The generation app's refusals, below every module that raises them."""


class GenerationError(Exception):
    """A rule refused the request; the message is fit to show the person."""


class RateLimited(GenerationError):
    """Too many submissions or too many jobs in flight (answered with 429)."""
