"""Replicate through its official client (predictions, trainings, model versions).

``REPLICATE_BASE_URL`` points the client elsewhere (tests run it against a local
stub that speaks Replicate's JSON). Every prediction carries our webhook URL;
the poller covers webhooks that never arrive.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import httpx
import replicate
from django.conf import settings
from replicate.exceptions import ReplicateException

from generation.providers.base import (
    CANCELED,
    FAILED,
    RUNNING,
    SUCCEEDED,
    Output,
    ProviderError,
    Result,
    TrainingResult,
)

STATUS = {
    "starting": RUNNING,
    "processing": RUNNING,
    "succeeded": SUCCEEDED,
    "failed": FAILED,
    "canceled": CANCELED,
    "aborted": CANCELED,
}
# Our own keys in AIModel.default_parameters that are not model inputs.
PRIVATE_KEYS = {"local_behaviour", "local_delay", "image_input_key", "reference_input_key", "cost_cents"}


def _data_uri(data: bytes) -> str:
    """An image as a data URI; its type read from the bytes (our stored images are re-encoded)."""
    signatures = {b"\x89PNG": "png", b"\xff\xd8": "jpeg", b"GIF8": "gif", b"RIFF": "webp"}
    kind = next((name for magic, name in signatures.items() if data.startswith(magic)), "png")
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def _outputs(output) -> list[Output]:
    if output is None:
        return []
    if isinstance(output, str):
        return [Output(url=output)]
    if isinstance(output, list | tuple):
        return [Output(url=item) for item in output if isinstance(item, str) and item]
    if isinstance(output, dict):
        return _outputs(output.get("images") or output.get("image") or output.get("output"))
    return []


def result_from_prediction(data: dict) -> Result:
    """Map a prediction (API object or webhook body) to our Result."""
    raw = str(data.get("status") or "")
    status = STATUS.get(raw, RUNNING)
    metrics = data.get("metrics") or {}
    predict = metrics.get("predict_time")
    return Result(
        status=status,
        provider_job_id=str(data.get("id") or ""),
        outputs=_outputs(data.get("output")) if status == SUCCEEDED else [],
        error=str(data.get("error") or "")[:2000],
        predict_seconds=float(predict) if isinstance(predict, int | float) else None,
        provider_status=raw,
    )


def training_result(data: dict) -> TrainingResult:
    raw = str(data.get("status") or "")
    status = STATUS.get(raw, RUNNING)
    output = data.get("output") or {}
    return TrainingResult(
        status=status,
        training_id=str(data.get("id") or ""),
        version=str(output.get("version") or "") if isinstance(output, dict) else "",
        weights=str(output.get("weights") or "") if isinstance(output, dict) else "",
        error=str(data.get("error") or "")[:2000],
    )


def _dump(resource) -> dict:
    return resource.dict() if hasattr(resource, "dict") else dict(resource)


class ReplicateProvider:
    name = "replicate"
    fetch_needs_references = False

    def __init__(self, client: replicate.Client | None = None):
        self.client = client or replicate.Client(
            api_token=settings.REPLICATE_API_TOKEN or None,
            base_url=settings.REPLICATE_BASE_URL,
            timeout=httpx.Timeout(30.0, connect=10.0),
        )

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ReplicateException as exc:
            status = getattr(exc, "status", None)
            raise ProviderError(str(exc), retryable=status is None or status >= 500 or status == 429) from exc
        except httpx.HTTPError as exc:
            raise ProviderError(f"network: {exc}", retryable=True) from exc

    def _input(self, job, references: Sequence[bytes] = ()) -> dict:
        params = {k: v for k, v in (job.ai_model.default_parameters or {}).items() if k not in PRIVATE_KEYS}
        params.update(
            {
                "prompt": job.prompt,
                "aspect_ratio": job.aspect_ratio,
                "num_outputs": job.num_outputs,
                "seed": job.seed,
                "output_format": "png",
            }
        )
        if job.negative_prompt:
            params["negative_prompt"] = job.negative_prompt
        if job.steps:
            params["num_inference_steps"] = job.steps
        if job.guidance is not None:
            params["guidance"] = job.guidance
        if job.quality == "hd":
            params["megapixels"] = "1"
        if job.source_image_id and job.source_image is not None:
            key = (job.ai_model.default_parameters or {}).get("image_input_key", "image")
            with job.source_image.file.open("rb") as handle:
                params[key] = _data_uri(handle.read())
        if references:
            # Only models that take reference images get here (see services._marketplace_fields).
            key = (job.ai_model.default_parameters or {})["reference_input_key"]
            params[key] = [_data_uri(data) for data in references]
        return params

    def submit(self, job, *, webhook_url: str, references: Sequence[bytes] = ()) -> Result:
        options = {"webhook": webhook_url, "webhook_events_filter": ["start", "completed"]}
        version = job.personal_model.version if job.personal_model_id and job.personal_model else ""
        if job.personal_model_id and not version:
            # Deleted after the job was queued: never fall back to the base model's look.
            raise ProviderError("the personal model was deleted before the job ran")
        version = (version or job.ai_model.provider_version).rsplit(":", 1)[-1]
        if version:
            prediction = self._call(
                self.client.predictions.create, version=version, input=self._input(job, references), **options
            )
        else:
            prediction = self._call(
                self.client.models.predictions.create,
                model=job.ai_model.provider_model,
                input=self._input(job, references),
                **options,
            )
        return result_from_prediction(_dump(prediction))

    def fetch(self, job, *, references: Sequence[bytes] = ()) -> Result:
        return result_from_prediction(_dump(self._call(self.client.predictions.get, job.provider_job_id)))

    def cancel(self, job) -> None:
        if job.provider_job_id:
            self._call(self.client.predictions.cancel, job.provider_job_id)

    def train(self, run, *, archive_url: str, webhook_url: str) -> TrainingResult:
        base = run.base_model
        training = self._call(
            self.client.trainings.create,
            model=base.provider_model,
            version=base.provider_version,
            input={"input_images": archive_url, "trigger_word": "TOK"},
            destination=run.replicate_model_id,
            webhook=webhook_url,
            webhook_events_filter=["completed"],
        )
        return training_result(_dump(training))

    def fetch_training(self, run) -> TrainingResult:
        return training_result(_dump(self._call(self.client.trainings.get, run.training_id)))

    def cancel_training(self, run) -> None:
        if run.training_id:
            self._call(self.client.trainings.cancel, run.training_id)

    def delete_version(self, *, model: str, version: str) -> bool:
        owner, _, name = model.partition("/")
        response = self._call(self.client._request, "DELETE", f"/v1/models/{owner}/{name}/versions/{version}")
        return response.status_code in (200, 202, 204)
