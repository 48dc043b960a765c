"""The small interface every provider implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


class ProviderError(Exception):
    """The provider could not be asked (network, auth, bad request)."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


@dataclass
class Output:
    """One output: bytes we already hold (local) or a URL to copy (remote)."""

    url: str = ""
    data: bytes | None = None


# Normalised statuses; Replicate's own names map onto them.
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELED = "canceled"


@dataclass
class Result:
    status: str
    provider_job_id: str = ""
    outputs: list[Output] = field(default_factory=list)
    error: str = ""
    predict_seconds: float | None = None
    provider_status: str = ""

    @property
    def is_terminal(self) -> bool:
        return self.status != RUNNING


@dataclass
class TrainingResult:
    status: str
    training_id: str = ""
    version: str = ""
    weights: str = ""
    error: str = ""


class Provider(Protocol):
    """An image service. ``references``: the likeness a marketplace job is made with, as image
    bytes the caller read (providers never look the marketplace up); empty for other jobs."""

    name: str
    # Whether ``fetch`` draws the outputs again (and so needs the references too), or only
    # asks how a job it already has is doing; the poller reads the likeness only for the former.
    fetch_needs_references: bool

    def submit(self, job, *, webhook_url: str, references: Sequence[bytes] = ()) -> Result: ...

    def fetch(self, job, *, references: Sequence[bytes] = ()) -> Result: ...

    def cancel(self, job) -> None: ...

    def train(self, run, *, archive_url: str, webhook_url: str) -> TrainingResult: ...

    def fetch_training(self, run) -> TrainingResult: ...

    def cancel_training(self, run) -> None: ...

    def delete_version(self, *, model: str, version: str) -> bool: ...
