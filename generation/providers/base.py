"""The small interface every provider implements."""

from __future__ import annotations

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
    name: str

    def submit(self, job, *, webhook_url: str) -> Result: ...

    def fetch(self, job) -> Result: ...

    def cancel(self, job) -> None: ...

    def train(self, run, *, archive_url: str, webhook_url: str) -> TrainingResult: ...

    def fetch_training(self, run) -> TrainingResult: ...

    def cancel_training(self, run) -> None: ...

    def delete_version(self, *, model: str, version: str) -> bool: ...
