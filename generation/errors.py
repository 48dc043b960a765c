"""The generation app's refusals, below every module that raises them."""


class GenerationError(Exception):
    """A rule refused the request; the message is fit to show the person."""


class RateLimited(GenerationError):
    """Too many submissions or too many jobs in flight (answered with 429).

    ``retry_after``: seconds until a submission can succeed, when that is known (the rate
    window); None when it depends on a running job finishing.
    """

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after
